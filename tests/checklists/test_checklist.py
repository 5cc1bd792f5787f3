"""Checklists: every shipped file is valid, every mistake gets its own plain message."""

from __future__ import annotations

import copy
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from audit_lib.checklists._conditions import ATTRIBUTES
from audit_lib.checklists._model import (
    ITEMS_COLUMNS,
    Checklist,
    applicable_checklists,
    display_path,
    load_checklist,
    load_checklists,
    validate_paths,
)
from audit_lib.cli import main
from audit_lib.core.errors import ChecklistError, Reason
from audit_lib.core.vocabulary import SECTORS
from tests.factories import TINY, advice, checklist_data, find_item, item, tiny
from tests.factories import write_yaml as write

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "checklists").glob("*.yaml"))


def problems_of(tmp_path: Path, data: dict | str, name: str = "bad.yaml") -> list[str]:
    """The problems of one checklist file, each as printed, without the file name."""
    path = write(tmp_path / name, data)
    return [str(p).removeprefix(f"{path}: ") for p in validate_paths([path])]


# Every shipped checklist


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_checklist_loads_and_validates(path):
    assert validate_paths([path]) == []
    checklist = load_checklist(path)
    assert checklist.path == path
    assert len(checklist.fingerprint) == 64


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_checklist_items_are_complete_and_in_nfc(path):
    checklist = load_checklist(path)
    assert checklist.items
    for it in checklist.items:
        for text in (it.text.vi, it.text.en, it.guidance.vi, it.evidence.vi):
            assert text and unicodedata.is_normalized("NFC", text), it.id
        # a legal item cites the law, an advice item its good-practice source
        assert it.reference if it.is_advice else it.legal_basis, it.id


def test_shipped_checklists_have_distinct_ids_and_at_least_120_items():
    checklists = load_checklists(ROOT / "checklists")
    assert "general" in checklists
    assert len(checklists) == len(SHIPPED)
    assert sum(len(c.items) for c in checklists.values()) >= 120


def test_the_default_folder_is_the_project_checklists(monkeypatch):
    monkeypatch.delenv("AUDIT_CHECKLISTS", raising=False)
    assert set(load_checklists()) == {load_checklist(p).id for p in SHIPPED}


def test_audit_checklists_env_var_overrides_the_default_folder(monkeypatch):
    monkeypatch.setenv("AUDIT_CHECKLISTS", str(TINY.parent))
    assert list(load_checklists()) == ["tiny"]


# The general checklist


@pytest.fixture(scope="module")
def general() -> Checklist:
    return load_checklist(ROOT / "checklists" / "general.yaml")


def test_general_checklist_applies_everywhere_and_has_at_least_40_items(general):
    assert general.is_general
    assert len(general.items) >= 40
    assert all(general.applies_to(sector, "household") for sector in SECTORS)


def test_general_checklist_counts_strict_workers_and_their_safety_cards_for_t5(general):
    feeds = general.feeds_frame()
    [denominator] = feeds.query("indicator == 'T5' and role == 'denominator'")["item_id"]
    [numerator] = feeds.query("indicator == 'T5' and role == 'numerator'")["item_id"]
    workers, trained = general.item(denominator), general.item(numerator)
    assert workers.answer == "count" and workers.threshold is None
    assert trained.answer == "count"
    assert (trained.threshold.op, trained.threshold.item) == (">=", denominator)
    assert trained.severity in ("critical", "major")
    assert workers.applies_if == trained.applies_if == "strict_workers > 0"


def test_general_checklist_environment_monitoring_feeds_t3(general):
    feeds = general.feeds_frame()
    [item_id] = feeds.query("indicator == 'T3' and role == 'numerator'")["item_id"]
    assert "quan trắc" in general.item(item_id).text.vi


@pytest.mark.parametrize(
    ("attribute", "section"),
    [("has_strict_equipment", "EQP"), ("employs_minors", "WRK"), ("labour_relations", "WRK")],
)
def test_general_checklist_conditions_use_establishment_attributes(general, attribute, section):
    conditions = [it.applies_if or "" for it in general.section(section).items]
    assert any(attribute in c for c in conditions)


def test_general_checklist_sizes_osh_staffing_by_workforce(general):
    sized = [it for it in general.section("ORG").items if "workforce" in (it.applies_if or "")]
    assert len(sized) >= 2


# Loading and the items frame


def test_items_frame_has_the_contract_columns_one_row_per_item():
    checklist = load_checklist(TINY)
    frame = checklist.items_frame()
    assert list(frame.columns) == ITEMS_COLUMNS
    assert frame["item_id"].tolist() == ["TINY.ORG.01", "TINY.ORG.02", "TINY.TRN.01", "TINY.TRN.02"]
    assert frame["position"].tolist() == [1, 2, 3, 4]
    assert frame["section_id"].tolist() == ["ORG", "ORG", "TRN", "TRN"]
    # days: major default 30, item override 60, minor default 90, critical default 7
    assert frame["days_to_correct"].tolist() == [30, 60, 90, 7]
    assert frame["weight"].tolist() == [2.0, 1.0, 1.0, 3.0]
    row = frame.set_index("item_id").loc["TINY.TRN.02"]
    assert (row.answer_type, row.threshold_op, row.threshold_item) == ("count", ">=", "TINY.TRN.01")
    assert row.legal_basis == "Luật ATVSLĐ 84/2015/QH13, Điều 14"
    assert frame.set_index("item_id").loc["TINY.ORG.02", "applies_if"] == "workforce >= 50"


def test_items_and_sections_are_looked_up_by_id():
    checklist = load_checklist(TINY)
    assert checklist.item("TINY.ORG.02").days_to_correct == 60
    assert checklist.section_of("TINY.TRN.01").id == "TRN"
    assert [s.id for s in checklist.sections] == ["ORG", "TRN"]
    with pytest.raises(KeyError, match="checklist tiny has no item 'NOPE.01'"):
        checklist.item("NOPE.01")


def test_applicable_checklists_are_the_general_ones_then_the_sectors(tmp_path):
    for data in (
        checklist_data("tiny"),
        checklist_data("mining_x", sectors=["mining"], kinds=["enterprise"]),
        checklist_data("wood_x", sectors=["wood", "manufacturing"]),
        checklist_data("aaa_general"),
    ):
        write(tmp_path / f"{data['id']}.yaml", data)
    checklists = load_checklists(tmp_path)
    assert list(checklists) == ["aaa_general", "mining_x", "tiny", "wood_x"]
    ids = [c.id for c in applicable_checklists(checklists, "mining", "enterprise")]
    assert ids == ["aaa_general", "tiny", "mining_x"]
    assert [c.id for c in applicable_checklists(checklists, "mining", "household")] == [
        "aaa_general",
        "tiny",
    ]
    assert [c.id for c in applicable_checklists(checklists.values(), "wood", "other")] == [
        "aaa_general",
        "tiny",
        "wood_x",
    ]


# Fingerprint


def test_fingerprint_is_stable_across_reloads():
    assert load_checklist(TINY).fingerprint == load_checklist(TINY).fingerprint


def test_fingerprint_ignores_formatting_comments_key_order_and_explicit_defaults(tmp_path):
    data = tiny()
    block = yaml.safe_dump(data, allow_unicode=True, default_flow_style=False, sort_keys=True)
    flow = "# a comment\n" + yaml.safe_dump(data, allow_unicode=True, default_flow_style=True)
    explicit = copy.deepcopy(data)
    find_item(explicit, "TINY.ORG.02")["weight"] = 1.0
    find_item(explicit, "TINY.ORG.02")["answer"] = "compliance"
    nfd = unicodedata.normalize("NFD", TINY.read_text(encoding="utf-8"))
    prints = {
        load_checklist(write(tmp_path / f"{name}.yaml", text)).fingerprint
        for name, text in [("block", block), ("flow", flow), ("explicit", explicit), ("nfd", nfd)]
    }
    assert prints == {load_checklist(TINY).fingerprint}


@pytest.mark.parametrize(
    "change",
    [
        lambda d: find_item(d, "TINY.ORG.01").update(weight=3),
        lambda d: find_item(d, "TINY.ORG.01")["text"].update(vi="Có kế hoạch ATVSLĐ năm"),
        lambda d: find_item(d, "TINY.ORG.02").update(applies_if="workforce >= 10"),
        lambda d: d.update(version="2"),
        lambda d: d["grades"][0].update(min=95),
    ],
    ids=["weight", "text", "condition", "version", "grade"],
)
def test_fingerprint_changes_when_content_changes(tmp_path, change):
    data = tiny()
    change(data)
    assert (
        load_checklist(write(tmp_path / "x.yaml", data)).fingerprint
        != load_checklist(TINY).fingerprint
    )


# Each kind of mistake, with its own message


def test_a_problem_reads_file_item_field_message(tmp_path, monkeypatch):
    data = tiny()
    find_item(data, "TINY.ORG.01").update(id="MIN.VEN.02", weight=0)
    (tmp_path / "checklists").mkdir()
    write(tmp_path / "checklists" / "mining.yaml", data)
    monkeypatch.chdir(tmp_path)
    [problem] = validate_paths(["checklists/mining.yaml"])
    assert str(problem) == "checklists/mining.yaml: item MIN.VEN.02: weight: must be greater than 0"
    assert problem.reason == Reason.VALUE


@pytest.mark.parametrize("weight", [0, -1.5])
def test_non_positive_weight(tmp_path, weight):
    data = tiny()
    find_item(data, "TINY.ORG.01")["weight"] = weight
    assert problems_of(tmp_path, data) == ["item TINY.ORG.01: weight: must be greater than 0"]


def test_duplicate_item_id(tmp_path):
    data = tiny()
    find_item(data, "TINY.TRN.01")["id"] = "TINY.ORG.01"
    find_item(data, "TINY.TRN.02")["threshold"] = {"op": ">=", "value": 1}
    assert problems_of(tmp_path, data) == [
        "item TINY.ORG.01: id: duplicate item id (also in section ORG)"
    ]


def test_duplicate_section_id(tmp_path):
    data = tiny()
    data["sections"][1]["id"] = "ORG"
    assert problems_of(tmp_path, data) == ["section ORG: id: duplicate section id"]


def test_unknown_severity_lists_the_allowed_ones(tmp_path):
    data = tiny()
    find_item(data, "TINY.ORG.02")["severity"] = "blocker"
    assert problems_of(tmp_path, data) == [
        "item TINY.ORG.02: severity: unknown severity 'blocker'; use one of: critical, major, minor"
    ]


def test_missing_vietnamese_text(tmp_path):
    data = tiny()
    del find_item(data, "TINY.ORG.01")["text"]["vi"]
    find_item(data, "TINY.ORG.02")["guidance"]["vi"] = "  "
    assert problems_of(tmp_path, data) == [
        "item TINY.ORG.01: text.vi: Vietnamese text is required (thiếu nội dung tiếng Việt)",
        "item TINY.ORG.02: guidance.vi: must not be empty",
    ]


def test_missing_required_fields(tmp_path):
    data = tiny()
    del find_item(data, "TINY.ORG.01")["legal_basis"]
    find_item(data, "TINY.ORG.02")["legal_basis"] = []
    del data["grades"]
    assert problems_of(tmp_path, data) == [
        "grades: is required",
        "item TINY.ORG.01: legal_basis: is required",
        "item TINY.ORG.02: legal_basis: must not be empty",
    ]


def _with_advice(**fields) -> dict:
    """``tiny`` with one more item in ORG: advice TINY.ORG.09 carrying ``fields``."""
    data = tiny()
    data["sections"][0]["items"].append(advice("TINY.ORG.09", **fields))
    return data


def test_an_advice_item_is_valid_with_a_reference_and_no_legal_fields(tmp_path):
    assert problems_of(tmp_path, _with_advice(action={"vi": "Kê giá", "en": "Add a rack"})) == []
    loaded = load_checklist(write(tmp_path / "ok.yaml", _with_advice()))
    added = loaded.item("TINY.ORG.09")
    assert (added.kind, added.is_advice, added.legal_basis, added.severity) == (
        "advice",
        True,
        None,
        None,
    )
    row = loaded.items_frame().set_index("item_id").loc["TINY.ORG.09"]
    assert (row.kind, row.reference) == ("advice", "ILO WIND, checkpoint 12")
    assert pd.isna(row.severity) and pd.isna(row.legal_basis) and pd.isna(row.days_to_correct)
    assert loaded.days_for(added) is None
    assert loaded.item("TINY.ORG.01").kind == "legal"  # the default


def test_an_advice_item_with_a_legal_basis_or_severity_is_refused_naming_file_item_field(
    tmp_path,
):
    data = _with_advice(legal_basis=["Luật ATVSLĐ 84/2015/QH13, Điều 16"], severity="minor")
    path = write(tmp_path / "checklists" / "farm.yaml", data)
    problems = validate_paths([path])
    assert [(p.file, p.location, p.field, p.reason) for p in problems] == [
        (display_path(path), "item TINY.ORG.09", "legal_basis", Reason.CONSISTENCY),
        (display_path(path), "item TINY.ORG.09", "severity", Reason.CONSISTENCY),
    ]
    assert problems[0].message == (
        "an advice item has no legal_basis: advice is never a violation; "
        "remove it, or make the item kind: legal"
    )


def test_an_advice_item_takes_no_deadline_threshold_feeds_or_count(tmp_path):
    data = _with_advice(
        days_to_correct=30,
        answer="count",
        threshold={"op": ">=", "value": 1},
        feeds=[{"indicator": "T5", "role": "numerator"}],
    )
    assert problems_of(tmp_path, data) == [
        "item TINY.ORG.09: days_to_correct: an advice item has no days_to_correct: advice is "
        "never a violation; remove it, or make the item kind: legal",
        "item TINY.ORG.09: threshold: an advice item has no threshold: advice is never a "
        "violation; remove it, or make the item kind: legal",
        "item TINY.ORG.09: feeds: an advice item has no feeds: advice is never a violation; "
        "remove it, or make the item kind: legal",
        "item TINY.ORG.09: answer: an advice item is answered met or not met "
        "(answer: compliance), not count",
    ]


def test_an_advice_item_without_a_reference_is_refused(tmp_path):
    data = _with_advice()
    del find_item(data, "TINY.ORG.09")["reference"]
    find_item(data, "TINY.ORG.01")["reference"] = ["ILO WIND, checkpoint 3"]
    assert problems_of(tmp_path, data) == [
        "item TINY.ORG.01: reference: only advice items (kind: advice) take a reference; "
        "a legal item cites the law in legal_basis",
        "item TINY.ORG.09: reference: is required: an advice item names where its good "
        "practice comes from (e.g. an ILO WIND checkpoint)",
    ]


def test_a_legal_item_still_needs_its_legal_basis_and_severity_and_kinds_are_two(tmp_path):
    data = tiny()
    data["sections"][0]["items"].append(item("TINY.ORG.08", kind="legal"))
    del find_item(data, "TINY.ORG.08")["legal_basis"]
    del find_item(data, "TINY.ORG.08")["severity"]
    data["sections"][0]["items"].append(advice("TINY.ORG.09", kind="tip"))
    assert problems_of(tmp_path, data) == [
        "item TINY.ORG.08: legal_basis: is required",
        "item TINY.ORG.08: severity: is required",
        "item TINY.ORG.09: kind: unknown item kind 'tip'; use one of: legal, advice",
    ]


def test_condition_naming_an_unknown_attribute(tmp_path):
    data = tiny()
    find_item(data, "TINY.ORG.02")["applies_if"] = "workers >= 50"
    assert problems_of(tmp_path, data) == [
        "item TINY.ORG.02: applies_if: unknown attribute 'workers'; "
        f"known attributes: {', '.join(ATTRIBUTES)}"
    ]


def test_condition_with_invalid_syntax(tmp_path):
    data = tiny()
    find_item(data, "TINY.ORG.02")["applies_if"] = "workforce >= 50 and"
    [problem] = problems_of(tmp_path, data)
    assert problem.startswith("item TINY.ORG.02: applies_if: invalid syntax at the end")


def test_threshold_on_a_compliance_item(tmp_path):
    data = tiny()
    find_item(data, "TINY.ORG.01")["threshold"] = {"op": ">=", "value": 1}
    assert problems_of(tmp_path, data) == [
        "item TINY.ORG.01: threshold: only count or number items take a threshold; "
        "set answer: count or answer: number, or remove the threshold"
    ]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("TINY.ORG.09", "unknown item 'TINY.ORG.09'; name a count item of this checklist"),
        ("TINY.ORG.01", "'TINY.ORG.01' is a compliance item; name a count item"),
        ("TINY.TRN.02", "an item cannot be compared with itself"),
    ],
)
def test_threshold_item_must_name_another_count_item(tmp_path, ref, message):
    data = tiny()
    find_item(data, "TINY.TRN.02")["threshold"]["item"] = ref
    assert problems_of(tmp_path, data) == [f"item TINY.TRN.02: threshold.item: {message}"]


def test_threshold_needs_a_value_or_an_item_not_both(tmp_path):
    data = tiny()
    find_item(data, "TINY.TRN.02")["threshold"]["value"] = 3
    assert problems_of(tmp_path, data) == [
        "item TINY.TRN.02: threshold: give either value (a number) or item "
        "(another count item), not both"
    ]


def test_grade_bands_must_descend_and_reach_zero(tmp_path):
    data = tiny()
    data["grades"][1]["min"] = 95
    data["grades"][3]["min"] = 10
    assert problems_of(tmp_path, data) == [
        "grades: bands must go from the highest min to the lowest: "
        "B (min 95) comes after A (min 90)",
        "grades: the last band (D) must have min: 0 so that every score gets a grade",
    ]


def test_grade_bands_pass_above_fail_and_codes_unique(tmp_path):
    data = tiny()
    data["grades"][1]["pass"] = False
    data["grades"][2].update(code="A", **{"pass": True})
    assert problems_of(tmp_path, data) == [
        "grades: a passing band (pass: true) cannot come below a failing one",
        "grade A: code: duplicate grade code",
    ]


def test_grade_min_out_of_range(tmp_path):
    data = tiny()
    data["grades"][0]["min"] = 120
    assert "grade A: min: must be at most 100" in problems_of(tmp_path, data)


def test_unknown_sector_and_kind(tmp_path):
    data = tiny()
    data["sectors"] = ["minning"]
    data["kinds"] = ["enterprise", "company"]
    assert problems_of(tmp_path, data) == [
        f"sectors[0]: unknown sector 'minning'; use one of: all, {', '.join(SECTORS)}",
        "kinds[1]: unknown kind 'company'; use one of: enterprise, cooperative, household, other",
    ]


def test_unknown_field_lists_the_allowed_ones(tmp_path):
    data = tiny()
    find_item(data, "TINY.ORG.01")["severty"] = "major"
    [problem] = problems_of(tmp_path, data)
    assert problem.startswith(
        "item TINY.ORG.01: severty: unknown field; allowed here: id, kind, text,"
    )


def test_wrong_types_are_named_plainly(tmp_path):
    data = tiny()
    data["version"] = 2025.1
    find_item(data, "TINY.ORG.01")["weight"] = "heavy"
    find_item(data, "TINY.TRN.01")["weight"] = None
    find_item(data, "TINY.ORG.02")["days_to_correct"] = 7.5
    assert problems_of(tmp_path, data) == [
        'version: must be text, not 2025.1; write it in quotes: "2025.1"',
        "item TINY.ORG.01: weight: must be a number, not 'heavy'",
        "item TINY.ORG.02: days_to_correct: must be a whole number, not 7.5",
        "item TINY.TRN.01: weight: must be a number, not empty",
    ]


def test_badly_formed_ids(tmp_path):
    data = tiny()
    data["id"] = "Tiny Checklist"
    find_item(data, "TINY.ORG.01")["id"] = "tiny-org-1"
    assert problems_of(tmp_path, data) == [
        "id: 'Tiny Checklist' is not a valid id; write it like mining",
        "item tiny-org-1: id: 'tiny-org-1' is not a valid id; write it like GEN.ORG.01",
    ]


def test_an_item_without_id_is_located_by_section_and_position(tmp_path):
    data = tiny()
    del find_item(data, "TINY.ORG.02")["id"]
    assert problems_of(tmp_path, data) == ["section ORG, item 2: id: is required"]


def test_yaml_syntax_error_names_its_line_and_column(tmp_path):
    text = TINY.read_text(encoding="utf-8").replace(
        "        severity: major\n", "        severity: major: oops\n", 1
    )
    line = text.splitlines().index("        severity: major: oops") + 1
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(
        f"line {line}, column 24: YAML syntax error: mapping values are not allowed"
    )


def test_a_key_given_twice_is_a_syntax_error(tmp_path):
    assert problems_of(tmp_path, "id: a\nversion: '1'\nid: b\n") == [
        "line 3, column 1: YAML syntax error: key 'id' is given twice"
    ]


def test_a_file_that_is_not_a_mapping(tmp_path):
    assert problems_of(tmp_path, "- just\n- a list\n") == [
        "the file must hold a mapping of fields (key: value lines), not a list or a value"
    ]


def test_several_problems_at_once_are_all_reported(tmp_path):
    data = tiny()
    find_item(data, "TINY.ORG.01").update(weight=0, severity="blocker")
    del find_item(data, "TINY.ORG.02")["text"]["vi"]
    find_item(data, "TINY.ORG.02")["applies_if"] = "workers > 5"
    find_item(data, "TINY.TRN.01")["id"] = "TINY.ORG.01"
    find_item(data, "TINY.TRN.02")["threshold"]["item"] = "TINY.XXX.01"
    data["grades"][3]["min"] = 5
    found = problems_of(tmp_path, data)
    fields = [p.split(": ")[:2] for p in found]
    assert fields == [  # in file order: checklist fields, then each item in turn
        ["grades", "the last band (D) must have min"],
        ["item TINY.ORG.01", "severity"],
        ["item TINY.ORG.01", "weight"],
        ["item TINY.ORG.01", "id"],
        ["item TINY.ORG.02", "text.vi"],
        ["item TINY.ORG.02", "applies_if"],
        ["item TINY.TRN.02", "threshold.item"],
    ]


def test_messages_carry_no_pydantic_jargon(tmp_path):
    data = tiny()
    data.update(version=1, sectors="all", kinds=[], correction_days={"critical": 0})
    data["title"] = "just a string"
    find_item(data, "TINY.ORG.01").update(weight=None, feeds=[{"indicator": "T5", "role": "both"}])
    find_item(data, "TINY.ORG.02").update(unit=["người"], legal_basis="Điều 72", text={"vi": 5})
    found = problems_of(tmp_path, data)
    assert len(found) >= 9
    for problem in found:
        assert not any(w in problem for w in ("Input should", "pydantic", "Value error")), problem


def test_load_checklist_raises_one_error_with_every_problem(tmp_path):
    data = tiny()
    find_item(data, "TINY.ORG.01")["weight"] = 0
    find_item(data, "TINY.ORG.02")["severity"] = "blocker"
    path = write(tmp_path / "bad.yaml", data)
    with pytest.raises(ChecklistError) as caught:
        load_checklist(path)
    error = caught.value
    assert isinstance(error, ValueError)
    assert str(error).startswith("2 problems in checklist (2 lỗi trong bảng kiểm):")
    cases = error.failure_cases
    assert cases["location"].tolist() == ["item TINY.ORG.01", "item TINY.ORG.02"]
    assert cases["field"].tolist() == ["weight", "severity"]
    assert cases["value"].tolist() == [0, "blocker"]


def test_duplicate_checklist_ids_across_files(tmp_path):
    write(tmp_path / "a.yaml", tiny())
    write(tmp_path / "b.yaml", tiny())
    [problem] = validate_paths([tmp_path])
    assert problem.file == str(tmp_path / "b.yaml")
    assert (problem.field, problem.reason) == ("id", Reason.DUPLICATE)
    assert problem.message == f"checklist id 'tiny' is already used by {tmp_path / 'a.yaml'}"
    with pytest.raises(ChecklistError, match="already used"):
        load_checklists(tmp_path)


def test_every_file_is_checked_even_after_a_bad_one(tmp_path):
    bad = tiny()
    find_item(bad, "TINY.ORG.01")["weight"] = 0
    write(tmp_path / "a.yaml", bad)
    write(tmp_path / "b.yaml", "id: [unclosed\n")
    files = [p.file for p in validate_paths([tmp_path, tmp_path / "missing.yaml"])]
    assert files == [str(tmp_path / n) for n in ("a.yaml", "b.yaml", "missing.yaml")]
    assert str(validate_paths([tmp_path / "missing.yaml"])[0]).endswith(
        "missing.yaml: no such file or folder"
    )


# Command line


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, ["checklists", *args], env=env)


def test_cli_validate_passes_on_every_shipped_checklist():
    result = run("validate", "--lang", "en")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(SHIPPED)
    general = load_checklist(ROOT / "checklists" / "general.yaml")
    expected = f"({len(general.items)} items, SHA-256 checksum {general.fingerprint[:12]})"
    assert any(line.startswith("OK ") and line.endswith(expected) for line in lines)


def test_cli_validate_lists_every_problem_of_every_file_and_exits_1(tmp_path):
    bad = tiny()
    find_item(bad, "TINY.ORG.01")["weight"] = 0
    find_item(bad, "TINY.ORG.02")["severity"] = "blocker"
    a = write(tmp_path / "a.yaml", bad)
    b = write(tmp_path / "b.yaml", "id: x\n  bad: [\n")
    result = run("validate", str(a), str(b), str(TINY), "--lang", "en")
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert out[0].startswith(f"OK {display_path(TINY)} (4 items, SHA-256 checksum ")
    assert out[1:3] == [
        f"{a}: item TINY.ORG.01: weight: must be greater than 0",
        f"{a}: item TINY.ORG.02: severity: unknown severity 'blocker'; "
        "use one of: critical, major, minor",
    ]
    assert out[3].startswith(f"{b}: line 2, column 6: YAML syntax error: mapping values")
    assert len(out) == 4
    assert "3 problem(s) in 2 file(s); 1 file(s) valid." in result.stderr


def test_cli_validate_of_a_folder_without_checklists_fails(tmp_path):
    result = run("validate", str(tmp_path), "--lang", "en")
    assert result.exit_code == 1
    assert f"No checklist files in {tmp_path}." in result.stderr


def test_cli_validate_speaks_vietnamese_by_default():
    result = run("validate", str(TINY))
    assert result.exit_code == 0
    assert result.stdout.strip().endswith(
        f"(4 mục, mã kiểm tra SHA-256 {load_checklist(TINY).fingerprint[:12]})"
    )


def test_cli_show_prints_sections_items_and_legal_basis():
    result = run("show", "tiny", "--lang", "en", "--dir", str(TINY.parent))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("tiny 1: Tiny test checklist\n")
    assert "[TRN] Training" in out
    assert "  TINY.TRN.02  [Critical · weight 3]" in out
    assert "Legal basis: Luật ATVSLĐ 84/2015/QH13, Điều 14" in out
    assert "Applies if: workforce >= 50" in out
    assert "compliant when value >= TINY.TRN.01" in out
    assert "Corrective action (7 days): Train and issue cards" in out


def test_cli_show_in_vietnamese_accepts_a_file_path():
    result = run("show", str(TINY))
    assert result.exit_code == 0
    assert "  TINY.ORG.01  [Lớn · trọng số 2]" in result.stdout
    assert "Áp dụng khi: workforce >= 50" in result.stdout


def test_cli_show_unknown_id_names_the_known_ones():
    result = run("show", "nope", "--lang", "en", env={"AUDIT_CHECKLISTS": str(TINY.parent)})
    assert result.exit_code == 2
    assert "no checklist 'nope'; known checklists: tiny" in result.output


def test_cli_show_of_a_broken_folder_is_a_clean_error(tmp_path):
    write(tmp_path / "bad.yaml", "id: [\n")
    result = run("show", "x", "--dir", str(tmp_path))
    assert result.exit_code == 2
    assert "1 problem in checklist (1 lỗi trong bảng kiểm):" in result.stderr
    assert "Traceback" not in result.output


def test_cli_list_shows_each_checklist():
    result = run("list", "--lang", "en", "--dir", str(TINY.parent))
    assert result.exit_code == 0
    [header, line] = result.stdout.splitlines()
    assert header.split() == ["id", "version", "items", "sectors", "title"]
    assert line.split()[:4] == ["tiny", "1", "4", "all"]
    assert line.endswith("Tiny test checklist")


@pytest.mark.parametrize("command", ["validate", "show", "list"])
def test_cli_help_has_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "audit checklists" in result.stdout


def test_building_a_checklist_in_code_runs_the_same_cross_checks():
    data = tiny()
    find_item(data, "TINY.ORG.02")["id"] = "TINY.ORG.01"
    with pytest.raises(ValueError, match=r"item TINY\.ORG\.01: id: duplicate item id"):
        Checklist.model_validate(data)
    assert Checklist.model_validate(tiny()).fingerprint == load_checklist(TINY).fingerprint
