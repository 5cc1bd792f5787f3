"""Scoring: the worked example of docs/scoring.md, the rules one by one, invariants, CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_lib.checklists import Checklist, load_checklist
from audit_lib.cli.score import score_command
from audit_lib.core.errors import ResponsesError
from audit_lib.scoring._score import (
    FINDING_COLUMNS,
    GAP_COLUMNS,
    SCORE_COLUMNS,
    SECTION_COLUMNS,
    Scored,
    rules,
    score,
    score_many,
)
from tests.factories import checklist, grades, item

EXAMPLE_DIR = "tests/data/scoring/checklists"
A_90_ELSE_D = grades(("A", 90, True), ("D", 0, False))


@pytest.fixture(scope="module")
def example(root) -> Checklist:
    return load_checklist(root / EXAMPLE_DIR / "example.yaml")


def answers(inspection_id: str, given: dict[str, object]) -> list[dict]:
    rows = []
    for item_id, answer in given.items():
        value = answer if isinstance(answer, int | float) else np.nan
        code = None if isinstance(answer, int | float) else answer
        rows.append(
            {
                "inspection_id": inspection_id,
                "item_id": item_id,
                "answer": code,
                "value": value,
                "note": None,
            }
        )
    return rows


def frame(*rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        [r for group in rows for r in group],
        columns=["inspection_id", "item_id", "answer", "value", "note"],
    )


def inspections(*ids: str, on: str = "2025-05-12", **attrs) -> pd.DataFrame:
    return pd.DataFrame({"inspection_id": list(ids), "inspected_on": on, **attrs})


WORKED_A = {
    "EX.ORG.01": "compliant",
    "EX.ORG.03": "noncompliant",
    "EX.SAF.01": "compliant",
    "EX.SAF.02": "compliant",
    "EX.HLT.01": "na",
}
WORKED_B = {**WORKED_A, "EX.SAF.01": "noncompliant"}


def worked(example) -> Scored:
    responses = frame(answers("A", WORKED_A), answers("B", WORKED_B))
    return score(example, responses, inspections("A", "B", workforce=[30, 30]))


# The worked example, number for number (docs/scoring.md)


def test_worked_example_inspection_a_scores_90_9_percent_grade_a_and_passes(example):
    row = worked(example).scores.set_index("inspection_id").loc["A"]
    assert row["applicable"] == 5
    assert row["answered"] == 4
    assert row["gaps"] == 1
    assert row["weight_applicable"] == 11
    assert row["weight_earned"] == 10
    assert row["weight_gaps"] == 1
    assert row["score"] == pytest.approx(100 * 10 / 11)
    assert round(row["score"], 1) == 90.9
    assert row["critical_failures"] == 0
    assert row["grade"] == "A"
    assert row["verdict"] == "pass"
    assert bool(row["passed"]) is True


def test_worked_example_inspection_b_fails_on_its_critical_item(example):
    row = worked(example).scores.set_index("inspection_id").loc["B"]
    assert (row["weight_applicable"], row["weight_earned"]) == (11, 6)
    assert round(row["score"], 1) == 54.5
    assert row["grade"] == "C"
    assert row["critical_failures"] == 1
    assert row["verdict"] == "fail_critical"
    assert bool(row["passed"]) is False


def test_worked_example_section_scores(example):
    sections = worked(example).sections.set_index(["inspection_id", "section_id"])
    assert sections.loc[("A", "ORG"), ["weight_applicable", "weight_earned", "score"]].tolist() == [
        4,
        3,
        75.0,
    ]
    assert sections.loc[("A", "SAF"), "score"] == 100.0
    assert math.isnan(sections.loc[("A", "HLT"), "score"])
    assert sections.loc[("A", "HLT"), "gaps"] == 1
    assert sections.loc[("B", "SAF"), "score"] == pytest.approx(300 / 7)
    assert round(sections.loc[("B", "SAF"), "score"], 1) == 42.9


def test_worked_example_findings_actions_and_due_dates(example):
    findings = worked(example).findings
    assert findings[["inspection_id", "item_id", "severity"]].values.tolist() == [
        ["A", "EX.ORG.03", "minor"],
        ["B", "EX.ORG.03", "minor"],
        ["B", "EX.SAF.01", "critical"],
    ]
    assert findings["due_on"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-08-10",
        "2025-08-10",
        "2025-05-19",
    ]
    assert findings["days_to_correct"].tolist() == [90, 90, 7]
    assert findings["action_vi"].tolist()[0] == "Khắc phục: Niêm yết nội quy ATVSLĐ"
    assert findings["action_en"].tolist()[0] == "Correct: OSH rules posted"
    assert findings["action_en"].tolist()[2] == "Stop using the equipment and have it inspected"
    assert findings["legal_basis"].tolist()[2] == "Luật ATVSLĐ 84/2015/QH13, Điều 31"


def test_worked_example_gap_is_listed_and_condition_false_item_is_not(example):
    gaps = worked(example).gaps
    assert gaps.values.tolist() == [
        ["A", "EX.HLT.02", "HLT", "minor", "unanswered"],
        ["B", "EX.HLT.02", "HLT", "minor", "unanswered"],
    ]


def test_frames_have_the_contract_columns(example):
    scored = worked(example)
    assert list(scored.scores.columns) == SCORE_COLUMNS
    assert list(scored.sections.columns) == SECTION_COLUMNS
    assert list(scored.findings.columns) == FINDING_COLUMNS
    assert list(scored.gaps.columns) == GAP_COLUMNS
    contract = [
        "inspection_id",
        "checklist_id",
        "applicable",
        "answered",
        "gaps",
        "weight_applicable",
        "weight_earned",
        "score",
        "critical_failures",
        "grade",
        "passed",
        "verdict",
    ]
    assert set(contract) <= set(SCORE_COLUMNS)


# The rules one by one


def many_items_checklist(n: int = 20, critical_weight: float = 1) -> Checklist:
    """Items T.A.00 … of weight 1 and major, but T.A.00 critical of ``critical_weight``."""
    first = item("T.A.00", severity="critical", weight=critical_weight)
    rest = [item(f"T.A.{k:02d}", weight=1) for k in range(1, n)]
    return checklist("many", sections={"A": [first, *rest]}, grades=A_90_ELSE_D)


def test_critical_noncompliance_fails_inspection_whatever_the_score():
    checklist = many_items_checklist(100)
    given = {f"T.A.{k:02d}": "compliant" for k in range(100)} | {"T.A.00": "noncompliant"}
    row = score(checklist, frame(answers("X", given)), inspections("X")).scores.iloc[0]
    assert row["score"] == 99.0
    assert row["grade"] == "A"
    assert row["verdict"] == "fail_critical"
    assert not row["passed"]


def test_unanswered_critical_item_makes_the_verdict_incomplete():
    checklist = many_items_checklist(30)
    given = {f"T.A.{k:02d}": "compliant" for k in range(1, 30)}
    row = score(checklist, frame(answers("X", given)), inspections("X")).scores.iloc[0]
    assert row["score"] == 100.0
    assert (row["gaps"], row["critical_gaps"]) == (1, 1)
    assert row["verdict"] == "incomplete"
    assert not row["passed"]


def test_more_than_a_tenth_of_the_weight_unanswered_is_incomplete_a_tenth_is_not():
    checklist = many_items_checklist(20)
    nine_tenths = {f"T.A.{k:02d}": "compliant" for k in range(18)}
    two_gaps = score(checklist, frame(answers("X", nine_tenths)), inspections("X")).scores
    assert two_gaps.loc[0, "weight_gaps"] == 2 and two_gaps.loc[0, "verdict"] == "pass"
    fewer = {f"T.A.{k:02d}": "compliant" for k in range(17)}
    three_gaps = score(checklist, frame(answers("X", fewer)), inspections("X")).scores
    assert three_gaps.loc[0, "verdict"] == "incomplete"


def test_nothing_answered_gives_no_score_no_grade_and_incomplete(example):
    row = score(example, frame(), inspections("X", workforce=[10])).scores.iloc[0]
    assert math.isnan(row["score"])
    assert pd.isna(row["grade"])
    assert row["verdict"] == "incomplete"
    assert row["gaps"] == 6


def test_condition_false_takes_the_item_out_even_when_answered(example):
    given = {**WORKED_A, "EX.ORG.02": "noncompliant"}
    small = score(example, frame(answers("S", given)), inspections("S", workforce=[30]))
    big = score(example, frame(answers("B", given)), inspections("B", workforce=[80]))
    assert small.scores.loc[0, "weight_applicable"] == 11
    assert "EX.ORG.02" not in small.findings["item_id"].tolist()
    assert big.scores.loc[0, "weight_applicable"] == 13
    assert big.scores.loc[0, "weight_earned"] == 10
    assert "EX.ORG.02" in big.findings["item_id"].tolist()


def test_worked_example_with_80_workers_and_the_officer_unanswered_is_incomplete(example):
    row = score(example, frame(answers("A", WORKED_A)), inspections("A", workforce=[80])).scores
    assert (row.loc[0, "gaps"], row.loc[0, "weight_gaps"]) == (2, 3)
    assert row.loc[0, "verdict"] == "incomplete"


def test_unknown_attribute_value_keeps_a_conditional_item_applicable(example):
    scored = score(example, frame(answers("U", WORKED_A)), inspections("U"))
    assert "EX.ORG.02" in scored.gaps["item_id"].tolist()


def test_establishment_attributes_are_joined_by_establishment_id(example):
    establishments = pd.DataFrame({"establishment_id": [1, 2], "workforce": [10, 300]})
    insp = inspections("A", "B", establishment_id=[2, 1])
    given = {**WORKED_A, "EX.ORG.02": "compliant"}
    scored = score(example, frame(answers("A", given), answers("B", given)), insp, establishments)
    assert scored.scores["weight_applicable"].tolist() == [13, 11]


def test_unknown_establishment_is_a_responses_error(example):
    with pytest.raises(
        ResponsesError, match="inspection A: establishment_id: no such establishment 9"
    ):
        score(
            example,
            frame(),
            inspections("A", establishment_id=[9]),
            pd.DataFrame({"establishment_id": [1], "workforce": [5]}),
        )


def test_na_answer_is_out_of_the_denominator(example):
    given = {**WORKED_A, "EX.SAF.02": "na"}
    row = score(example, frame(answers("X", given)), inspections("X", workforce=[5])).scores.iloc[0]
    assert (row["weight_applicable"], row["weight_earned"]) == (8, 7)


def one_section_checklist(cid: str, prefix: str, items: list[dict], **extra) -> Checklist:
    """Checklist ``cid`` of one section ``A`` whose items are ``{prefix}.A.{k}``, k from 1."""
    specs = [item(f"{prefix}.A.{k}", **spec) for k, spec in enumerate(items, start=1)]
    return checklist(cid, sections={"A": specs}, **extra)


def due_dates_checklist() -> Checklist:
    return one_section_checklist(
        "due",
        "D",
        [
            {"severity": "critical"},
            {"severity": "major"},
            {"severity": "minor"},
            {"severity": "minor", "days_to_correct": 5},
        ],
        correction_days={"critical": 3, "major": 20, "minor": 60},
    )


def test_due_dates_follow_severity_unless_the_item_overrides_them():
    checklist = due_dates_checklist()
    given = {f"D.A.{k}": "noncompliant" for k in range(1, 5)}
    findings = score(
        checklist, frame(answers("X", given)), inspections("X", on="2024-12-30")
    ).findings
    assert findings["days_to_correct"].tolist() == [3, 20, 60, 5]
    assert findings["due_on"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-01-02",
        "2025-01-19",
        "2025-02-28",
        "2025-01-04",
    ]


def count_checklist() -> Checklist:
    return one_section_checklist(
        "counts",
        "C",
        [
            {"answer": "count"},
            {"answer": "count", "weight": 2, "threshold": {"op": ">=", "item": "C.A.1"}},
            {"answer": "number", "threshold": {"op": "<=", "value": 85}},
        ],
    )


def test_count_threshold_compares_with_the_other_items_value_in_the_same_inspection():
    checklist = count_checklist()
    responses = frame(
        answers("ok", {"C.A.1": 12, "C.A.2": 12, "C.A.3": 80}),
        answers("short", {"C.A.1": 12, "C.A.2": 10, "C.A.3": 85.5}),
    )
    scored = score(checklist, responses, inspections("ok", "short"))
    assert scored.scores["weight_applicable"].tolist() == [3, 3]
    assert scored.scores["weight_earned"].tolist() == [3, 0]
    assert scored.findings[["inspection_id", "item_id", "value"]].values.tolist() == [
        ["short", "C.A.2", 10.0],
        ["short", "C.A.3", 85.5],
    ]


def test_count_without_threshold_is_recorded_not_scored():
    scored = score(count_checklist(), frame(answers("X", {"C.A.1": 7})), inspections("X"))
    assert scored.scores.loc[0, "applicable"] == 2
    assert "C.A.1" not in scored.gaps["item_id"].tolist()


def test_count_whose_reference_has_no_value_is_a_gap_saying_why():
    scored = score(
        count_checklist(), frame(answers("X", {"C.A.2": 4, "C.A.3": 1})), inspections("X")
    )
    gaps = scored.gaps.set_index("item_id")
    assert gaps.loc["C.A.2", "reason"] == "no_reference_value"


def test_count_item_may_be_judged_by_an_explicit_answer_when_it_has_no_value():
    scored = score(
        count_checklist(), frame(answers("X", {"C.A.2": "noncompliant"})), inspections("X")
    )
    assert scored.findings["item_id"].tolist() == ["C.A.2"]


# Bad input


def test_unknown_items_invalid_answers_and_duplicates_are_all_listed(example):
    responses = frame(
        answers("X", {"EX.ORG.01": "compliant", "EX.NOPE.01": "compliant", "EX.ORG.03": "Đạt"}),
        answers("X", {"EX.ORG.01": "na"}),
    )
    with pytest.raises(ResponsesError) as caught:
        score(example, responses, inspections("X"))
    text = str(caught.value)
    assert (
        "row 1 (inspection X, item EX.NOPE.01): item_id: no such item in checklist example" in text
    )
    assert "row 2 (inspection X, item EX.ORG.03): answer: invalid answer 'Đạt'" in text
    assert "row 0 (inspection X, item EX.ORG.01): item_id: item answered more than once" in text
    assert "row 3 (inspection X, item EX.ORG.01): item_id: item answered more than once" in text
    assert len(caught.value.problems) == 4


def test_bad_inspection_date_and_duplicate_inspection_are_listed(example):
    insp = pd.DataFrame(
        {"inspection_id": ["X", "X", "Y"], "inspected_on": ["2025-01-01", "2025-01-01", "soon"]}
    )
    with pytest.raises(ResponsesError) as caught:
        score(example, frame(), insp)
    fields = [(p.location, p.field) for p in caught.value.problems]
    assert ("inspection X", "inspection_id") in fields
    assert ("inspection Y", "inspected_on") in fields


def test_responses_of_other_inspections_are_ignored(example):
    responses = frame(answers("A", WORKED_A), answers("other", {"EX.ORG.01": "noncompliant"}))
    scored = score(example, responses, inspections("A", workforce=[30]))
    assert scored.scores["inspection_id"].tolist() == ["A"]
    assert scored.scores.loc[0, "weight_earned"] == 10


def test_score_many_scores_each_inspection_with_its_checklist(example):
    counts = count_checklist()
    responses = frame(answers("A", WORKED_A), answers("K", {"C.A.1": 3, "C.A.2": 3}))
    insp = inspections("A", "K", workforce=[30, 30]).assign(checklist_id=["example", "counts"])
    scored = score_many({"example": example, "counts": counts}, responses, insp)
    assert scored.scores.set_index("inspection_id")["checklist_id"].to_dict() == {
        "A": "example",
        "K": "counts",
    }
    assert scored.scores.set_index("inspection_id").loc["K", "score"] == 100.0


def test_score_many_refuses_one_inspection_id_under_two_checklists(example):
    insp = inspections("A", "A").assign(checklist_id=["example", "counts"])
    counts = count_checklist()
    with pytest.raises(ResponsesError, match="inspection A: inspection_id: inspection id appears"):
        score_many({"example": example, "counts": counts}, frame(), insp)


def test_score_many_names_an_unknown_checklist(example):
    insp = inspections("A").assign(checklist_id="nope")
    with pytest.raises(ResponsesError, match="inspection A: checklist_id: no checklist 'nope'"):
        score_many({"example": example}, frame(), insp)


def test_rules_are_written_in_both_languages_with_the_checklists_bands_and_days(example):
    vi, en = rules(example, "vi"), rules(example, "en")
    assert len(vi) == len(en) == 8
    assert any("A (Tốt) từ 90%" in r for r in vi)
    assert any("A (Good) from 90%" in r for r in en)
    assert any("critical 7 days, major 30 days, minor 90 days" in r for r in en)
    assert any("more than 10%" in r for r in en)


# Invariants (hypothesis)

PROPERTY_ITEMS = [
    ("P.A.01", "critical", 3, None),
    ("P.A.02", "major", 2, None),
    ("P.A.03", "minor", 1, "workforce >= 50"),
    ("P.B.01", "major", 2.5, None),
    ("P.B.02", "minor", 1, "has_strict_equipment"),
    ("P.B.03", "critical", 4, "workforce < 200 and has_strict_equipment"),
    ("P.C.01", "major", 1, None),
]


def property_checklist() -> Checklist:
    sections: dict[str, list] = {}
    for item_id, severity, weight, condition in PROPERTY_ITEMS:
        sections.setdefault(item_id.split(".")[1], []).append(
            item(item_id, severity=severity, weight=weight, applies_if=condition)
        )
    sections["C"].append(item("P.C.02", answer="count", threshold={"op": ">=", "value": 2}))
    return checklist("prop", sections=sections, grades=grades(("A", 80, True), ("B", 0, False)))


PROP = property_checklist()
COMPLIANCE_IDS = [i[0] for i in PROPERTY_ITEMS]
ANSWER = st.sampled_from(["compliant", "noncompliant", "na", None, "missing"])


@st.composite
def inspection_sets(draw, max_inspections: int = 5):
    n = draw(st.integers(1, max_inspections))
    rows, attrs = [], []
    for k in range(n):
        iid = f"I{k}"
        attrs.append(
            {
                "inspection_id": iid,
                "inspected_on": "2025-03-01",
                "workforce": draw(st.integers(1, 400)),
                "has_strict_equipment": draw(st.booleans()),
            }
        )
        for item_id in COMPLIANCE_IDS:
            answer = draw(ANSWER)
            if answer != "missing":
                rows.append(
                    {
                        "inspection_id": iid,
                        "item_id": item_id,
                        "answer": answer,
                        "value": np.nan,
                        "note": None,
                    }
                )
        count = draw(st.one_of(st.none(), st.integers(0, 5)))
        if count is not None:
            rows.append(
                {
                    "inspection_id": iid,
                    "item_id": "P.C.02",
                    "answer": None,
                    "value": float(count),
                    "note": None,
                }
            )
    responses = pd.DataFrame(rows, columns=["inspection_id", "item_id", "answer", "value", "note"])
    return responses, pd.DataFrame(attrs)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(inspection_sets())
def test_score_is_within_0_and_100(data):
    scored = score(PROP, *data)
    for values in (scored.scores["score"], scored.sections["score"]):
        finite = values.dropna()
        assert ((finite >= 0) & (finite <= 100)).all()


@SETTINGS
@given(inspection_sets(), st.randoms(use_true_random=False))
def test_order_of_answers_never_matters(data, rnd):
    responses, insp = data
    shuffled = responses.sample(frac=1, random_state=rnd.randint(0, 2**31)).reset_index(drop=True)
    a, b = score(PROP, responses, insp), score(PROP, shuffled, insp)
    for name in ("scores", "sections", "findings", "gaps"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


@SETTINGS
@given(inspection_sets(max_inspections=1), st.sampled_from(COMPLIANCE_IDS))
def test_adding_a_compliant_answer_never_lowers_the_score_without_critical_failures(data, item_id):
    responses, insp = data
    before = score(PROP, responses, insp).scores.iloc[0]
    if before["critical_failures"]:
        return
    current = responses.loc[responses["item_id"] == item_id, "answer"]
    if len(current) and current.iloc[0] in ("compliant", "noncompliant", "na"):
        return
    added = pd.concat(
        [
            responses[responses["item_id"] != item_id],
            pd.DataFrame(
                [
                    {
                        "inspection_id": "I0",
                        "item_id": item_id,
                        "answer": "compliant",
                        "value": np.nan,
                        "note": None,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    after = score(PROP, added, insp).scores.iloc[0]
    if not math.isnan(before["score"]):
        assert after["score"] >= before["score"] - 1e-9


@SETTINGS
@given(inspection_sets(), st.sampled_from(COMPLIANCE_IDS))
def test_na_answers_never_change_the_score_of_the_rest(data, item_id):
    responses, insp = data
    without = responses[responses["item_id"] != item_id]
    as_na = pd.concat(
        [
            without,
            pd.DataFrame(
                [
                    {
                        "inspection_id": i,
                        "item_id": item_id,
                        "answer": "na",
                        "value": np.nan,
                        "note": None,
                    }
                    for i in insp["inspection_id"]
                ]
            ),
        ],
        ignore_index=True,
    )
    a, b = score(PROP, without, insp).scores, score(PROP, as_na, insp).scores
    pd.testing.assert_series_equal(a["score"], b["score"])
    pd.testing.assert_series_equal(a["weight_applicable"], b["weight_applicable"])
    others = score(PROP, as_na, insp).findings
    assert item_id not in others["item_id"].tolist()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inspection_sets())
def test_scoring_many_inspections_at_once_equals_scoring_each_alone(data):
    responses, insp = data
    together = score(PROP, responses, insp)
    for k, iid in enumerate(insp["inspection_id"]):
        alone = score(PROP, responses[responses["inspection_id"] == iid], insp.iloc[[k]])
        for name in ("scores", "sections", "findings", "gaps"):
            pd.testing.assert_frame_equal(getattr(together.only(iid), name), getattr(alone, name))


# Command line


@pytest.fixture
def example_checklists(root, monkeypatch):
    monkeypatch.setenv("AUDIT_CHECKLISTS", str(root / EXAMPLE_DIR))


WORKED_YAML = """\
inspections:
  - id: A
    checklist: example
    inspected_on: 2025-05-12
    establishment: {name: "Xưởng mộc Bản Lang", sector: wood, kind: household, workforce: 30}
    answers:
      EX.ORG.01: Đạt
      EX.ORG.03: {answer: KĐ, note: "Chưa niêm yết"}
      EX.SAF.01: Đạt
      EX.SAF.02: C
      EX.HLT.01: KAD
  - id: B
    checklist: example
    inspected_on: 2025-05-12
    establishment: {name: "Xưởng mộc Bản Lang", sector: wood, kind: household, workforce: 30}
    answers:
      EX.ORG.01: Đạt
      EX.ORG.03: Không đạt
      EX.SAF.01: Không đạt
      EX.SAF.02: Đạt
      EX.HLT.01: N/A
"""


def test_cli_prints_score_grade_verdict_sections_gaps_and_findings(example_checklists, tmp_path):
    path = tmp_path / "worked.yaml"
    path.write_text(WORKED_YAML, encoding="utf-8")
    result = CliRunner().invoke(score_command, [str(path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Điểm: 90,9 % · Xếp loại: A (Tốt) · Kết luận: ĐẠT" in out
    assert "Điểm: 54,5 % · Xếp loại: C (Trung bình) · Kết luận: KHÔNG ĐẠT – vi phạm" in out
    assert "vi phạm nghiêm trọng (1 mục)" in out
    assert "EX.HLT.02 [nhỏ] Có túi sơ cứu tại nơi làm việc" in out
    assert "Hạn: 19/05/2025 (7 ngày)" in out
    assert "Ghi chú: Chưa niêm yết" in out
    assert "2 cuộc kiểm tra: đạt 1, vi phạm nghiêm trọng 1." in out


def test_cli_speaks_english_and_prints_the_rules(example_checklists, tmp_path):
    path = tmp_path / "worked.yaml"
    path.write_text(WORKED_YAML, encoding="utf-8")
    result = CliRunner().invoke(score_command, [str(path), "--lang", "en", "--rules"])
    assert result.exit_code == 0, result.output
    assert "Score: 90.9 % · Grade: A (Good) · Verdict: PASS" in result.output
    assert "Due: 2025-05-19 (7 days)" in result.output
    assert "Scoring rules (example):" in result.output


def test_cli_csv_and_json_formats(example_checklists, tmp_path):
    path = tmp_path / "worked.yaml"
    path.write_text(WORKED_YAML, encoding="utf-8")
    csv_out = CliRunner().invoke(
        score_command, [str(path), "--format", "csv", "--table", "findings"]
    )
    assert csv_out.exit_code == 0, csv_out.output
    assert csv_out.output.splitlines()[0].startswith("inspection_id,item_id,section_id,severity")
    assert "2025-05-19" in csv_out.output
    js = CliRunner().invoke(score_command, [str(path), "--format", "json"])
    data = json.loads(js.output)
    assert [d["result"]["verdict"] for d in data] == ["pass", "fail_critical"]
    assert data[1]["result"]["findings"] == 2
    assert data[0]["establishment"]["name"] == "Xưởng mộc Bản Lang"
    assert data[1]["findings"][1]["due_on"] == "2025-05-19"


def test_cli_bad_file_exits_non_zero_naming_inspection_item_and_field(example_checklists, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(WORKED_YAML.replace("EX.SAF.02: C", "EX.SAF.09: C"), encoding="utf-8")
    result = CliRunner().invoke(score_command, [str(path)])
    assert result.exit_code == 2
    assert (
        "inspection A, item EX.SAF.09: item_id: no such item in checklist example" in result.output
    )


def test_score_many_without_inspections_gives_empty_frames_with_the_same_dtypes(example):
    none = inspections().assign(checklist_id=pd.Series([], dtype="str"))
    alone = score(example, frame(), inspections())
    many = score_many({"example": example}, frame(), none)
    for name in ("scores", "sections", "findings", "gaps"):
        assert len(getattr(many, name)) == 0
        pd.testing.assert_series_equal(getattr(many, name).dtypes, getattr(alone, name).dtypes)


def test_categorical_columns_as_the_store_returns_them_score_the_same(example):
    responses = frame(answers("A", WORKED_A), answers("B", WORKED_B))
    insp = inspections("A", "B", workforce=[30, 30])
    as_text = score(example, responses, insp)
    categorical = responses.astype(
        {"inspection_id": "category", "item_id": "category", "answer": "category"}
    )
    as_categories = score(example, categorical, insp)
    for name in ("scores", "sections", "findings", "gaps"):
        pd.testing.assert_frame_equal(getattr(as_text, name), getattr(as_categories, name))


def test_cli_reports_an_inspection_with_nothing_answered_as_incomplete(
    example_checklists, tmp_path
):
    path = tmp_path / "empty.yaml"
    path.write_text(
        "inspections:\n  - {id: E, checklist: example, inspected_on: 2025-05-12, answers: {}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(score_command, [str(path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Score: – · Grade: nothing to score · Verdict: INCOMPLETE (7 gap(s), 1 critical)" in (
        result.output
    )
