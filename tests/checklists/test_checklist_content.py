"""Content rules for the shipped checklists: what a reviewer of ``checklists/*.yaml`` cares
about beyond the schema (which ``audit_lib.checklists._model`` validates).

Every rule is parametrized over the files in ``checklists/``, so a new checklist is held to
the same rules as soon as it is added. Citations are checked against the sources file in
``test_citations.py``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml

from audit_lib.checklists import applicable_checklists, conditions, load_checklists
from audit_lib.core.vocabulary import KINDS, SECTORS
from audit_lib.scoring import score

CHECKLIST_DIR = Path(__file__).resolve().parents[2] / "checklists"
IDS = sorted(path.stem for path in CHECKLIST_DIR.glob("*.yaml"))

# The item-id prefix of each shipped checklist; a new file needs a new, distinct prefix.
PREFIXES = {
    "general": "GEN",
    "mining": "MIN",
    "construction": "CON",
    "agriculture": "AGR",
    "manufacturing": "MAN",
    "household_advice": "HHA",
}
# Which sector checklist an establishment of each sector is inspected with, besides general.
SECTOR_CHECKLIST = {
    "mining": "mining",
    "hydropower": "construction",
    "construction": "construction",
    "agriculture": "agriculture",
    "wood": "manufacturing",
    "manufacturing": "manufacturing",
}
# Advice checklists (every item good practice) and the kinds of establishment they serve.
ADVICE_FILES = {
    "household_advice": {"sector": "agriculture", "kinds": {"household", "cooperative"}}
}
SECTOR_FILES = [name for name in IDS if name != "general" and name not in ADVICE_FILES]

INSTRUMENT_NUMBER = re.compile(
    r"\d+/\d{4}/(?:NĐ-CP|QH\d+|TT-[A-ZĐ]+|TTLT-[A-ZĐ-]+)|QCVN \d+(?:-\d+)?:\d{4}/[A-ZĐ]+"
)
ITEM_REF = re.compile(r"\b[A-Z]{3}\.[A-Z0-9]+\.\d{2}\b")
MONEY = re.compile(r"\d[\d.,]*\s*(triệu|nghìn|tỷ)?\s*(đồng|VNĐ|VND)\b", re.IGNORECASE)
VIETNAMESE_LETTERS = set("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ")


@pytest.fixture(scope="module")
def checklists():
    return load_checklists(CHECKLIST_DIR)


@functools.cache
def raw(name: str) -> dict:
    """The YAML as written, before the loader normalises anything."""
    text = (CHECKLIST_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def raw_items(name: str) -> list[dict]:
    return [item for section in raw(name)["sections"] for item in section["items"]]


def vietnamese_texts(node, path=""):
    """(where, text) for every Vietnamese string in a raw checklist."""
    if isinstance(node, dict):
        if isinstance(node.get("vi"), str):
            yield path, node["vi"]
        for key, value in node.items():
            yield from vietnamese_texts(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            label = value.get("id", index) if isinstance(value, dict) else index
            yield from vietnamese_texts(value, f"{path}[{label}]")


def texts_of(item) -> list[str]:
    """Every Vietnamese and English text of an item."""
    fields = (item.text, item.guidance, item.evidence, item.action, item.unit)
    return [text for field in fields if field is not None for text in (field.vi, field.en) if text]


def can_fail(item) -> bool:
    """Whether an answer to ``item`` can be a non-compliance (a recorded-only count and an
    advice item cannot)."""
    return not item.is_advice and (item.answer == "compliance" or item.threshold is not None)


def test_shipped_checklists_hold_at_least_120_items_and_general_at_least_35(checklists):
    assert "general" in checklists
    assert len(checklists["general"].items) >= 35
    assert sum(len(c.items) for c in checklists.values()) >= 120


@pytest.mark.parametrize("name", SECTOR_FILES)
def test_each_sector_checklist_has_at_least_22_items(checklists, name):
    assert len(checklists[name].items) >= 22


@pytest.mark.parametrize("name", IDS)
def test_checklist_id_matches_its_file_name_and_version_is_a_year_release(checklists, name):
    checklist = checklists[name]
    assert checklist.id == name
    assert re.fullmatch(r"20\d\d\.\d+", checklist.version)


@pytest.mark.parametrize("name", IDS)
def test_every_checklist_states_its_sources_in_both_languages(checklists, name):
    source = checklists[name].source
    assert source is not None and source.vi and source.en


@pytest.mark.parametrize("name", IDS)
def test_a_source_names_only_instruments_that_its_items_cite(checklists, name):
    checklist = checklists[name]
    cited = " ".join(cite for item in checklist.items for cite in item.legal_basis or [])
    named = INSTRUMENT_NUMBER.findall(checklist.source.vi)
    assert bool(named) == (name not in ADVICE_FILES)
    assert [number for number in named if number not in cited] == []


def test_all_checklists_grade_with_the_same_bands_so_scores_compare(checklists):
    bands = {
        name: [(g.code, g.min, g.passed) for g in checklist.grades]
        for name, checklist in checklists.items()
    }
    assert len({tuple(b) for b in bands.values()}) == 1, bands
    assert bands["general"] == [("A", 90, True), ("B", 75, True), ("C", 50, False), ("D", 0, False)]


@pytest.mark.parametrize("name", IDS)
def test_every_item_has_text_guidance_and_evidence_in_vietnamese_and_english(checklists, name):
    missing = [
        f"{item.id}: {field}"
        for item in checklists[name].items
        for field in ("text", "guidance", "evidence")
        if not (getattr(item, field).vi and getattr(item, field).en)
    ]
    assert not missing


@pytest.mark.parametrize("name", IDS)
def test_every_item_that_can_fail_has_a_corrective_action_in_both_languages(checklists, name):
    missing = [
        item.id
        for item in checklists[name].items
        if can_fail(item) and not (item.action and item.action.vi and item.action.en)
    ]
    assert not missing


@pytest.mark.parametrize("name", IDS)
def test_english_glosses_are_translations_not_copies(checklists, name):
    copies = [
        f"{item.id}: {field}"
        for item in checklists[name].items
        for field in ("text", "guidance", "evidence", "action")
        if getattr(item, field) is not None and getattr(item, field).en == getattr(item, field).vi
    ]
    assert not copies


@pytest.mark.parametrize("name", IDS)
def test_no_item_quotes_a_fine_amount(checklists, name):
    quoted = [
        item.id
        for item in checklists[name].items
        for text in (*(item.legal_basis or []), *(item.reference or []), *texts_of(item))
        if MONEY.search(text)
    ]
    assert not quoted


@pytest.mark.parametrize("name", IDS)
def test_item_ids_are_prefix_section_number_and_the_prefix_is_the_files(checklists, name):
    checklist = checklists[name]
    prefixes = {item.id.split(".")[0] for item in checklist.items}
    assert len(prefixes) == 1, prefixes
    prefix = prefixes.pop()
    if name in PREFIXES:
        assert prefix == PREFIXES[name]
    for section in checklist.sections:
        for item in section.items:
            assert re.fullmatch(rf"{prefix}\.{section.id}\.\d{{2}}", item.id), item.id


@pytest.mark.parametrize("name", ADVICE_FILES)
def test_an_advice_checklist_holds_only_advice_items(checklists, name):
    assert all(item.is_advice for item in checklists[name].items)
    assert not checklists[name].is_general


@pytest.mark.parametrize("name", IDS)
def test_every_checklist_is_called_a_bang_kiem(checklists, name):
    assert checklists[name].title.vi.startswith("Bảng kiểm ")


@pytest.mark.parametrize("name", IDS)
def test_failing_grades_are_labelled_as_failing_not_as_average(checklists, name):
    labels = {g.code: (g.label.vi, g.label.en) for g in checklists[name].grades if not g.passed}
    assert labels["C"] == ("Chưa đạt", "Fail")
    assert not {"Trung bình", "Poor"} & {text for pair in labels.values() for text in pair}


# Words the issue #11 review asked to correct: part-time OSH staff are "bán chuyên trách", a
# forklift operator holds a "thẻ an toàn" (safety card), not a driving certificate.
WRONG_WORDS = ("kiêm nhiệm", "chứng chỉ lái", "certified driver")


@pytest.mark.parametrize("name", IDS)
def test_the_checklists_use_the_legal_words(checklists, name):
    wrong = [
        f"{item.id}: {word}"
        for item in checklists[name].items
        for text in texts_of(item)
        for word in WRONG_WORDS
        if word in text.lower()
    ]
    assert not wrong


# Employer duties do not bind a household without workers under a labour contract.
EMPLOYER = "(kind != 'household' or labour_relations)"


def test_employer_duties_do_not_apply_to_a_household_without_contracted_workers(checklists):
    general = checklists["general"]
    farm_family = {
        "sector": "agriculture",
        "kind": "household",
        "workforce": 4,
        "strict_workers": 0,
        "has_strict_equipment": False,
        "high_risk": False,
        "labour_relations": False,
        "employs_minors": False,
    }
    applying = [
        item.id
        for item in general.items
        if not item.is_advice and conditions.evaluate_one(item.applies_if, farm_family)
    ]
    # what binds anyone: declaring a fatal accident, and minors' work (not applicable here)
    assert applying == ["GEN.ACC.01"]
    with_contracts = farm_family | {"labour_relations": True}
    assert conditions.evaluate_one(general.item("GEN.PLN.01").applies_if, with_contracts)


def test_item_id_prefixes_differ_between_checklists(checklists):
    prefixes = Counter(c.items[0].id.split(".")[0] for c in checklists.values())
    assert all(n == 1 for n in prefixes.values()), prefixes


def test_item_ids_are_unique_across_all_checklists(checklists):
    counts = Counter(item.id for c in checklists.values() for item in c.items)
    assert [item_id for item_id, n in counts.items() if n > 1] == []


def test_item_ids_named_in_texts_exist(checklists):
    known = {item.id for c in checklists.values() for item in c.items}
    dangling = [
        f"{item.id} -> {ref}"
        for c in checklists.values()
        for item in c.items
        for text in texts_of(item)
        for ref in ITEM_REF.findall(text)
        if ref not in known
    ]
    assert not dangling


@pytest.mark.parametrize("sector", SECTORS)
@pytest.mark.parametrize("kind", KINDS)
def test_each_sector_is_inspected_with_general_plus_its_sector_checklist(checklists, sector, kind):
    chosen = [c.id for c in applicable_checklists(checklists, sector, kind)]
    expected = ["general"] + ([SECTOR_CHECKLIST[sector]] if sector in SECTOR_CHECKLIST else [])
    expected += sorted(
        name
        for name, serves in ADVICE_FILES.items()
        if serves["sector"] == sector and kind in serves["kinds"]
    )
    assert chosen == expected


@pytest.mark.parametrize("name", SECTOR_FILES)
def test_sector_checklists_name_sectors_not_all(checklists, name):
    checklist = checklists[name]
    assert not checklist.is_general
    assert set(checklist.sectors) <= set(SECTORS)


@pytest.mark.parametrize("name", SECTOR_FILES)
def test_each_sector_checklist_has_scorable_critical_items(checklists, name):
    critical = [i for i in checklists[name].items if i.severity == "critical" and can_fail(i)]
    assert len(critical) >= 3


@pytest.mark.parametrize("name", IDS)
def test_an_item_never_outweighs_an_item_of_a_graver_severity(checklists, name):
    weights = {
        severity: [i.weight for i in checklists[name].items if i.severity == severity]
        for severity in ("critical", "major", "minor")
    }
    if weights["critical"] and weights["major"]:
        assert min(weights["critical"]) >= max(weights["major"])
    if weights["major"] and weights["minor"]:
        assert min(weights["major"]) >= max(weights["minor"])


@pytest.mark.parametrize("name", IDS)
def test_item_deadlines_only_ever_shorten_the_default_for_their_severity(checklists, name):
    checklist = checklists[name]
    longer = [
        item.id
        for item in checklist.items
        if item.days_to_correct
        and item.days_to_correct > getattr(checklist.correction_days, item.severity)
    ]
    assert not longer


@pytest.mark.parametrize("name", IDS)
def test_counts_and_numbers_have_units_and_unscored_counts_feed_a_threshold(checklists, name):
    checklist = checklists[name]
    bases = {item.threshold.item for item in checklist.items if item.threshold}
    for item in checklist.items:
        if item.answer == "compliance":
            continue
        assert item.unit is not None and item.unit.vi, item.id
        assert item.threshold is not None or item.id in bases, f"{item.id} is never scored"


@pytest.mark.parametrize("name", IDS)
def test_vietnamese_text_is_written_in_nfc(name):
    not_nfc = [
        where
        for where, text in vietnamese_texts(raw(name))
        if not unicodedata.is_normalized("NFC", text)
    ]
    assert not not_nfc


@pytest.mark.parametrize("name", IDS)
def test_vietnamese_text_really_carries_vietnamese_diacritics(name):
    plain = [
        f"{item['id']}: {field}"
        for item in raw_items(name)
        for field in ("text", "guidance", "evidence", "action")
        if field in item
        and not VIETNAMESE_LETTERS & set(unicodedata.normalize("NFC", item[field]["vi"]).lower())
    ]
    assert not plain


def compliant_value(op: str, reference: float) -> float:
    """A value that meets ``value op reference``."""
    return reference + {">": 1, "<": -1, "!=": 1}.get(op, 0)


def fully_compliant_answers(checklist) -> pd.DataFrame:
    """One inspection answering every item compliantly; counts meet their thresholds.

    Counts that serve as another item's reference (and unscored counts) are 1.
    """
    bases = {item.threshold.item for item in checklist.items if item.threshold}
    rows = []
    for item in checklist.items:
        if item.answer == "compliance":
            rows.append({"item_id": item.id, "answer": "compliant", "value": None})
            continue
        value = 1.0
        if item.threshold is not None and item.id not in bases:
            reference = 1.0 if item.threshold.item else item.threshold.value
            value = compliant_value(item.threshold.op, reference)
        rows.append({"item_id": item.id, "answer": None, "value": value})
    return pd.DataFrame(rows).assign(inspection_id="full")


@pytest.mark.parametrize("name", IDS)
def test_a_fully_compliant_inspection_of_each_checklist_scores_100_and_passes(checklists, name):
    checklist = checklists[name]
    sector = "mining" if checklist.is_general else checklist.sectors[0]
    inspection = pd.DataFrame(
        {
            "inspection_id": ["full"],
            "inspected_on": ["2025-06-02"],
            "sector": [sector],
            "kind": [checklist.kinds[0]],
            "workforce": [400],
            "strict_workers": [20],
            "has_strict_equipment": [True],
            "high_risk": [True],
            "labour_relations": [True],
            "employs_minors": [True],
        }
    )
    result = score(checklist, fully_compliant_answers(checklist), inspection).scores.iloc[0]
    assert result["gaps"] == 0
    if name in ADVICE_FILES:  # advice only: no legal score, all good practice met
        assert result["good_practice"] == 100
        assert result["verdict"] != "fail"
        return
    assert result["score"] == 100
    assert result["verdict"] == "pass"
