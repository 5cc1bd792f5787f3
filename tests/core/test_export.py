"""core.export: cells made safe for spreadsheets, files written whole or not at all (issue 12)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from audit_lib.core import export
from audit_lib.core.errors import ExportError
from audit_lib.core.export import DANGEROUS_START, safe_cell

FORMULAS = [
    '=HYPERLINK("http://x","x")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\tX",
    "\rX",
    "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("text", FORMULAS, ids=repr)
def test_text_a_spreadsheet_takes_for_a_formula_gets_a_leading_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [
        "Xã Nậm Xe",
        "a=b",
        " =1",
        "'=already quoted",
        "",
        -2,
        -2.5,
        0,
        True,
        None,
        dt.date(2025, 7, 1),
    ],  # fmt: skip
    ids=repr,
)
def test_other_text_numbers_and_missing_values_are_left_as_they_are(value):
    assert safe_cell(value) == value
    assert type(safe_cell(value)) is type(value)


def test_a_missing_number_stays_missing():
    assert math.isnan(safe_cell(float("nan")))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Bell\x07", "Bell\u2407"),  # ␇
        ("\x00", "\u2400"),  # ␀
        ("\x1b[31mred", "\u241b[31mred"),  # ␛: no terminal escape either
        ("del\x7f", "del\u2421"),  # ␡
        ("csi\x9b", "csi\ufffd"),
        ("not a character\ufffe\uffff", "not a character\ufffd\ufffd"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("tab\tline\nreturn\rkept", "tab\tline\nreturn\rkept"),
        ("\x07=1", "\u2407=1"),
        ("=\x07", "'=\u2407"),
    ],
    ids=repr,
)
def test_characters_a_workbook_cannot_hold_are_replaced_visibly(text, shown):
    assert safe_cell(text) == shown


KEPT = {"\t", "\n", "\r"}
UNWRITABLE = {chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0), 0xD800, 0xFFFE, 0xFFFF]}
UNWRITABLE -= KEPT
TEXTS = st.text(st.characters(exclude_categories=()))
STARTS = sorted({*DANGEROUS_START, *UNWRITABLE, "'"})
HOSTILE_TEXTS = st.tuples(st.sampled_from(STARTS), TEXTS).map("".join)


@given(st.one_of(TEXTS, HOSTILE_TEXTS))
def test_a_safe_cell_never_starts_a_formula_holds_what_a_workbook_can_and_is_safe_once(text):
    safe = safe_cell(text)
    assert not safe.startswith(DANGEROUS_START)
    assert ILLEGAL_CHARACTERS_RE.search(safe) is None
    assert not set(safe) & UNWRITABLE
    assert safe_cell(safe) == safe
    if not text.startswith(DANGEROUS_START) and not set(text) & UNWRITABLE:
        assert safe == text


def hostile_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["=1+2", "Xã Nậm Xe", "-2", "Bell\x07"],
            "change": [-0.25, 1.5, -2.0, float("nan")],
            "count": [-3, 0, 4, 5],
            "mixed": [-2, "-2", None, "@x"],
            "sector": pd.Categorical(["+mining", "trade", "+mining", "wood"]),
            "=header": ["a", "b", "c", "d"],
        }
    )


def test_a_safe_frame_changes_text_only_and_numbers_keep_their_type():
    safe = export.safe_frame(hostile_frame())
    assert list(safe.columns) == ["name", "change", "count", "mixed", "sector", "'=header"]
    assert safe["name"].tolist() == ["'=1+2", "Xã Nậm Xe", "'-2", "Bell\u2407"]
    assert safe["change"].dtype == float and safe["count"].dtype == "int64"
    assert safe["change"].iloc[0] == -0.25 and safe["count"].iloc[0] == -3
    assert safe["mixed"].tolist()[:2] == [-2, "'-2"] and safe["mixed"].iloc[3] == "'@x"
    assert safe["sector"].tolist() == ["'+mining", "trade", "'+mining", "wood"]


def test_csv_text_quotes_dangerous_text_and_leaves_negative_numbers_numbers():
    lines = export.csv_text(hostile_frame()).split("\r\n")
    assert lines[0] == "name,change,count,mixed,sector,'=header"
    assert lines[1] == "'=1+2,-0.25,-3,-2,'+mining,a"
    assert lines[3] == "'-2,-2.0,4,,'+mining,c"
    assert lines[4] == "Bell\u2407,,5,'@x,wood,d"


def test_xlsx_text_cells_are_strings_numbers_are_numbers_and_no_cell_is_a_formula(tmp_path):
    path = tmp_path / "out.xlsx"
    export.write_xlsx({"one": hostile_frame(), "two": hostile_frame().head(1)}, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["one", "two"]
    sheet = book["one"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 5  # the header and every row, the one with BEL too
    assert rows[0][-1] == "'=header"
    assert [r[0] for r in rows[1:]] == ["'=1+2", "Xã Nậm Xe", "'-2", "Bell\u2407"]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str):
                assert cell.data_type == "s" and not cell.value.startswith(DANGEROUS_START)
    assert (sheet["B2"].value, sheet["B2"].data_type) == (-0.25, "n")
    assert (sheet["C2"].value, sheet["C2"].data_type) == (-3, "n")
    assert (sheet["D2"].value, sheet["D2"].data_type) == (-2, "n")


class Unwritable:
    """A value no export can write: it refuses to become text."""

    def __str__(self) -> str:
        raise ValueError("this value cannot be written")


def files_in(folder) -> list[str]:
    return sorted(os.listdir(folder))


def test_a_value_that_fails_half_way_leaves_the_older_file_intact_and_no_temporary(tmp_path):
    path = tmp_path / "findings.xlsx"
    path.write_bytes(b"the older export")
    frame = pd.DataFrame({"name": ["a"] * 50 + [Unwritable()] + ["b"] * 50})
    with pytest.raises(ExportError, match="this value cannot be written") as raised:
        export.write_xlsx({"findings": frame}, path)
    assert raised.value.path == str(path) and str(path) in str(raised.value)
    assert "không ghi được" in str(raised.value)
    assert path.read_bytes() == b"the older export"
    assert files_in(tmp_path) == ["findings.xlsx"]


def test_a_carriage_return_inside_a_csv_cell_is_quoted_so_it_starts_no_row():
    frame = pd.DataFrame({"name": ["x\r=cmd|' /C calc'!A0", "y\nz"], "n": [1, -2]})
    text = export.csv_text(frame)
    assert text == 'name,n\r\n"x\r=cmd|\' /C calc\'!A0",1\r\n"y\nz",-2\r\n'
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["name", "n"], ["x\r=cmd|' /C calc'!A0", "1"], ["y\nz", "-2"]]


def test_text_that_cannot_be_encoded_leaves_no_file(tmp_path):
    path = tmp_path / "indicators.json"
    with pytest.raises(ExportError, match="indicators.json"):
        export.write_text("x" * 100_000 + "\ud800", path)
    assert files_in(tmp_path) == []


def test_a_folder_in_the_way_fails_at_the_last_step_and_leaves_nothing_behind(tmp_path):
    (tmp_path / "in-the-way.csv").mkdir()
    with pytest.raises(ExportError, match="in-the-way.csv"):
        export.write_csv(hostile_frame(), tmp_path / "in-the-way.csv")
    assert files_in(tmp_path) == ["in-the-way.csv"]
    assert (tmp_path / "in-the-way.csv").is_dir()


def test_a_missing_folder_is_an_export_error_naming_the_file(tmp_path):
    with pytest.raises(ExportError, match="No such file or directory") as raised:
        export.write_csv(hostile_frame(), tmp_path / "missing" / "x.csv")
    assert raised.value.path == str(tmp_path / "missing" / "x.csv")
    assert isinstance(raised.value, OSError)


def test_a_written_file_replaces_the_older_one_with_the_usual_permissions(tmp_path):
    path = tmp_path / "indicators.csv"
    path.write_text("older", encoding="utf-8")
    export.write_csv(hostile_frame(), path)
    assert path.read_bytes().decode("utf-8") == export.csv_text(hostile_frame())
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert files_in(tmp_path) == ["indicators.csv"]
