"""Text as people write it: one folding, one number reader, one date reader for the workbench."""

from __future__ import annotations

import datetime as dt
import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_lib.core.text import fold, parse_date, parse_number, tidy

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
)
words = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " \t\u00a0", max_size=30)

# ---- folding ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, key",
    [
        ("Đất Hiếm NẬM XE", "dat hiem nam xe"),
        ("  Sì Lở   Lầu ", "si lo lau"),
        ("ĐÀO SAN", "dao san"),
        ("Dào San", "dao san"),
        ("Mường\tSo\u00a0", "muong so"),
        ("Không  ĐẠT", "khong dat"),
        ("\u00d0ồng", "dong"),  # Ð (U+00D0), the look-alike of Đ some keyboards type
        ("Số người chết / Deaths", "so nguoi chet / deaths"),
    ],
)
def test_fold_drops_accents_case_and_extra_spaces(typed, key):
    assert fold(typed) == key


def test_d_with_stroke_folds_like_d_in_either_case():
    assert fold("Đ") == fold("đ") == fold("D") == fold("d") == "d"


def test_composed_and_decomposed_text_fold_alike():
    text = "Huấn luyện ATVSLĐ"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text) == "huan luyen atvsld"


def test_fold_keeps_word_order_and_punctuation():
    assert fold("xã Nậm Xe") != fold("Nậm Xe xã")
    assert fold("N/A") == "n/a"


@given(st.text())
def test_folding_twice_changes_nothing(text):
    assert fold(fold(text)) == fold(text)


@given(words)
def test_folded_vietnamese_is_plain_lower_case_ascii_in_single_spaces(text):
    key = fold(text)
    assert key.isascii() and key == key.lower() and key == key.strip()
    assert "  " not in key


@given(words)
def test_folding_ignores_case_and_unicode_form(text):
    assert fold(text.upper()) == fold(text.lower()) == fold(unicodedata.normalize("NFD", text))


def test_tidy_keeps_accents_and_case_but_not_extra_spaces():
    assert tidy("  Xưởng \t gỗ  Đức Thành ") == "Xưởng gỗ Đức Thành"
    assert tidy(unicodedata.normalize("NFD", "Đất hiếm")) == "Đất hiếm"


@given(st.text())
def test_folding_tidy_text_is_folding_the_text(text):
    assert fold(tidy(text)) == fold(text)


# ---- numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, number",
    [
        ("12", 12.0),
        (" 12 ", 12.0),
        ("2,5", 2.5),  # the Vietnamese decimal comma
        ("2.5", 2.5),  # a computer's decimal point
        ("1,234", 1.234),  # one comma is always the decimal mark
        ("1.234", 1234.0),  # Vietnamese thousands: a dot then exactly three digits
        ("12.500", 12500.0),
        ("1.234.567", 1234567.0),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),  # both marks: the later one is the decimal mark
        ("1,234,567", 1234567.0),
        ("1 234 567", 1234567.0),
        ("1 234,5", 1234.5),
        ("0.125", 0.125),  # 0 cannot start a thousands group
        ("1.2345", 1.2345),
        ("1234.567", 1234.567),
        ("-3", -3.0),
        ("\u22122,5", -2.5),  # the typographic minus
        ("1e-05", 1e-05),
        (",5", 0.5),
        (7, 7.0),
        (2.5, 2.5),
        (np.int64(4), 4.0),
    ],
)
def test_numbers_read_as_people_write_them(typed, number):
    assert parse_number(typed) == number


@pytest.mark.parametrize("blank", [None, "", "   ", float("nan"), pd.NA, np.nan])
def test_a_blank_number_is_none(blank):
    assert parse_number(blank) is None


@pytest.mark.parametrize(
    "typed", ["mười", "1.23.456", "1,2,3", "12 34", "1,23.4", ".", "1..2", "3 kg", True, False]
)
def test_what_is_not_a_number_is_refused(typed):
    with pytest.raises(ValueError):
        parse_number(typed)


@given(st.integers(0, 10**12))
def test_a_whole_number_reads_back_in_every_grouping(n):
    plain = str(n)
    dotted = f"{n:,}".replace(",", ".")
    spaced = f"{n:,}".replace(",", " ")
    assert parse_number(plain) == parse_number(dotted) == parse_number(spaced) == n


@given(st.integers(0, 10**6), st.integers(0, 999))
def test_a_decimal_reads_the_same_with_a_comma_or_a_point_when_unambiguous(whole, cents):
    comma, point = f"{whole},{cents:02d}", f"{whole}.{cents:02d}"
    assert parse_number(comma) == pytest.approx(whole + cents / 10 ** len(f"{cents:02d}"))
    if len(f"{cents:02d}") != 3:  # "1.234" is a thousands group, "1,234" a decimal
        assert parse_number(point) == parse_number(comma)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_written_with_a_decimal_comma_reads_back_exactly(x):
    assert parse_number(repr(x).replace(".", ",")) == x


# ---- dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "2025-07-31",
        "31/07/2025",
        "31-07-2025",
        "31.07.2025",
        " 31/7/2025 ",
        "2025-07-31 00:00:00",
        "2025-07-31T08:30",
        dt.date(2025, 7, 31),
        dt.datetime(2025, 7, 31, 8, 30),
        pd.Timestamp(2025, 7, 31),
        np.datetime64("2025-07-31"),
    ],
)
def test_dates_read_as_people_and_spreadsheets_write_them(typed):
    assert parse_date(typed) == dt.date(2025, 7, 31)


def test_a_short_date_is_day_first():
    assert parse_date("1/7/2025") == dt.date(2025, 7, 1)
    assert parse_date("12/05/2025") == dt.date(2025, 5, 12)


@pytest.mark.parametrize("blank", [None, "", "  ", pd.NaT, float("nan")])
def test_a_blank_date_is_none(blank):
    assert parse_date(blank) is None


@pytest.mark.parametrize(
    "typed", ["30/02/2025", "07/31/2025", "31/07/25", "hôm qua", "2025", 45869, 2025.5]
)
def test_what_is_not_a_date_is_refused(typed):
    with pytest.raises(ValueError):
        parse_date(typed)


@given(
    st.dates(min_value=dt.date(1000, 1, 1)),
    st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]),
)
def test_any_date_reads_back_in_every_accepted_spelling(day, fmt):
    assert parse_date(day.strftime(fmt)) == day
