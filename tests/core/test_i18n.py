"""i18n: code labels come from one table per code list, in both languages."""

from __future__ import annotations

import pytest

from audit_lib.core.i18n import BOOLEAN_WORDS, LANGS, label, pick, tr
from audit_lib.core.vocabulary import (
    ANSWER_CODES,
    ANSWER_TYPE_LABELS,
    ANSWER_TYPES,
    INSPECTION_VERDICT_LABELS,
    KIND_LABELS,
    KINDS,
    SECTOR_LABELS,
    SECTORS,
    SEVERITIES,
    SEVERITY_LABELS,
    VISIT_TYPE_LABELS,
    VISIT_TYPES,
)
from audit_lib.scoring import _grid as answer_grid

LABEL_TABLES = [
    (SECTORS, SECTOR_LABELS),
    (KINDS, KIND_LABELS),
    (SEVERITIES, SEVERITY_LABELS),
    (ANSWER_TYPES, ANSWER_TYPE_LABELS),
    (VISIT_TYPES, VISIT_TYPE_LABELS),
    (("pass", "fail", "fail_critical", "incomplete", "advice_only"), INSPECTION_VERDICT_LABELS),
]


@pytest.mark.parametrize(("codes", "labels"), LABEL_TABLES)
def test_every_code_has_a_label_in_every_language(codes, labels):
    assert tuple(labels) == tuple(codes)
    assert all(labels[code][lang].strip() for code in codes for lang in LANGS)


def test_label_picks_the_language_and_falls_back_to_the_code():
    assert label(SECTOR_LABELS, "wood", "vi") == "Chế biến gỗ"
    assert label(SECTOR_LABELS, "wood", "en") == "Wood processing"
    assert label(INSPECTION_VERDICT_LABELS, "pass", "vi") == "ĐẠT"
    assert label(SECTOR_LABELS, "fishing", "vi") == "fishing"
    assert label(SECTOR_LABELS, None, "en") == "None"


def test_answer_codes_are_one_list_in_grid_order():
    assert ANSWER_CODES == ("compliant", "noncompliant", "na")
    assert ANSWER_CODES.index("compliant") + 1 == answer_grid.COMPLIANT


def test_yes_and_no_words_are_written_without_case_or_diacritics():
    assert BOOLEAN_WORDS["co"] is True and BOOLEAN_WORDS["khong"] is False
    assert all(word == word.lower() and word.isascii() for word in BOOLEAN_WORDS)


def test_pick_and_tr_fall_back_to_vietnamese():
    assert pick({"vi": "Đạt"}, "en") == "Đạt"
    assert tr({"n": {"vi": "{n} mục", "en": "{n} items"}}, "n", "en", n=3) == "3 items"
