"""i18n: code labels come from one table per code list, in both languages."""

from __future__ import annotations

import pytest

from audit_lib import answer_grid, checklist, conditions, inspection_log, scoring
from audit_lib.i18n import BOOLEAN_WORDS, LANGS, label, pick, tr

LABEL_TABLES = [
    (conditions.SECTORS, conditions.SECTOR_LABELS),
    (conditions.KINDS, conditions.KIND_LABELS),
    (checklist.SEVERITIES, checklist.SEVERITY_LABELS),
    (checklist.ANSWER_TYPES, checklist.ANSWER_LABELS),
    (inspection_log.TYPES, inspection_log.TYPE_LABELS),
    (("pass", "fail", "fail_critical", "incomplete"), scoring.VERDICT_LABELS),
]


@pytest.mark.parametrize(("codes", "labels"), LABEL_TABLES)
def test_every_code_has_a_label_in_every_language(codes, labels):
    assert tuple(labels) == tuple(codes)
    assert all(labels[code][lang].strip() for code in codes for lang in LANGS)


def test_label_picks_the_language_and_falls_back_to_the_code():
    assert label(conditions.SECTOR_LABELS, "wood", "vi") == "Chế biến gỗ"
    assert label(conditions.SECTOR_LABELS, "wood", "en") == "Wood processing"
    assert label(scoring.VERDICT_LABELS, "pass", "vi") == "ĐẠT"
    assert label(conditions.SECTOR_LABELS, "fishing", "vi") == "fishing"
    assert label(conditions.SECTOR_LABELS, None, "en") == "None"


def test_answer_codes_are_one_list_in_grid_order():
    assert answer_grid.ANSWER_CODES == ("compliant", "noncompliant", "na")
    assert answer_grid.ANSWER_CODES.index("compliant") + 1 == answer_grid.COMPLIANT


def test_yes_and_no_words_are_written_without_case_or_diacritics():
    assert BOOLEAN_WORDS["co"] is True and BOOLEAN_WORDS["khong"] is False
    assert all(word == word.lower() and word.isascii() for word in BOOLEAN_WORDS)


def test_pick_and_tr_fall_back_to_vietnamese():
    assert pick({"vi": "Đạt"}, "en") == "Đạt"
    assert tr({"n": {"vi": "{n} mục", "en": "{n} items"}}, "n", "en", n=3) == "3 items"
