"""Advice items (good practice) are scored apart and never make a violation.

A checklist may hold ``kind: advice`` items (ILO WIND checkpoints, say) beside its legal
items. Scoring keeps them out of everything the law decides — score, grade, verdict,
findings, gaps, corrective actions and their deadlines — and reports them as a
good-practice share with the advice not met; finalizing a visit never stores them as
findings or actions and never waits for them; the record shows them in a part of their
own, with their reference and no legal basis or deadline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_lib.checklists import Checklist, checklist_from_content
from audit_lib.scoring import good_practice, rules, score
from tests.factories import advice, checklist, checklist_data, grades, item, sheets, visit

GRADES = grades(("A", 90, True), ("B", 75, True), ("C", 50, False), ("D", 0, False))
WIND = checklist(
    "wind",
    sections={
        "ORG": [
            item("L.1", weight=3),
            item("L.2", severity="critical", weight=2),
            advice("A.1", weight=2, reference=["ILO WIND, checkpoint 1"]),
            advice(
                "A.2",
                reference=["ILO WIND, checkpoint 12"],
                action={"vi": "Kê giá để dụng cụ", "en": "Put up a tool rack"},
            ),
        ],
        "FARM": [
            advice("A.3", applies_if="workforce >= 50"),
            advice("A.4", weight=3),
            advice("A.5"),
        ],
    },
    grades=GRADES,
)
"""Legal L.1 (major, 3), L.2 (critical, 2); advice A.1 (2), A.2 (1, with a suggestion),
A.3 (1, only from 50 workers), A.4 (3), A.5 (1); section FARM holds advice only."""


def _responses(answers: dict[str, str | None], inspection_id: str = "i1") -> pd.DataFrame:
    rows = [(inspection_id, k, a, None, None) for k, a in answers.items() if a is not None]
    return pd.DataFrame(rows, columns=["inspection_id", "item_id", "answer", "value", "note"])


def _inspection(workforce: int = 30, inspection_id: str = "i1") -> pd.DataFrame:
    return pd.DataFrame(
        {"inspection_id": [inspection_id], "inspected_on": ["2025-05-12"], "workforce": [workforce]}
    )


# ---- the hand example --------------------------------------------------------------


def test_good_practice_is_the_weight_of_advice_met_over_advice_answered_and_apart_from_the_law():
    """30 workers. L.1, L.2 Đạt; A.1 Đạt, A.2 Không đạt, A.3 Không đạt (does not apply:
    30 < 50), A.4 unanswered, A.5 Không áp dụng.

    good practice = A.1 / (A.1 + A.2) = 2 / (2 + 1) = 66.666… %; the law: 5 / 5 = 100 %,
    grade A, pass, no finding, no gap — A.2 not met and A.4 unanswered change nothing.
    """
    answers = {"L.1": "compliant", "L.2": "compliant", "A.1": "compliant"}
    answers |= {"A.2": "noncompliant", "A.3": "noncompliant", "A.5": "na"}
    scored = score(WIND, _responses(answers), _inspection())

    row = scored.scores.iloc[0]
    assert row["good_practice"] == pytest.approx(200 / 3)
    assert (row["score"], row["grade"], row["verdict"], bool(row["passed"])) == (
        100.0,
        "A",
        "pass",
        True,
    )
    assert (row["applicable"], row["answered"], row["gaps"], row["findings"]) == (2, 2, 0, 0)
    assert scored.findings.empty and scored.gaps.empty
    assert scored.sections["section_id"].tolist() == ["ORG"]  # FARM has no legal item
    shown = scored.advice.fillna({"answer": "(unanswered)"})
    assert list(zip(shown["item_id"], shown["answer"], shown["met"], strict=True)) == [
        ("A.1", "compliant", True),
        ("A.2", "noncompliant", False),
        ("A.4", "(unanswered)", False),
    ]
    assert scored.advice["weight"].tolist() == [2.0, 1.0, 3.0]


def test_advice_applies_by_its_condition_and_without_answers_there_is_no_share():
    """80 workers: A.3 applies; answered Không đạt it joins the denominator:
    2 / (2 + 1 + 1) = 50 %. With no advice answered the share is NaN (not 0)."""
    answers = {"A.1": "compliant", "A.2": "noncompliant", "A.3": "noncompliant"}
    scored = score(WIND, _responses(answers), _inspection(workforce=80))
    assert scored.scores.loc[0, "good_practice"] == pytest.approx(50.0)

    nothing = score(WIND, _responses({"L.1": "noncompliant"}), _inspection())
    assert np.isnan(nothing.scores.loc[0, "good_practice"])
    legal_only = checklist("plain", sections={"A": [item("P.1")]})
    plain = score(legal_only, _responses({"P.1": "compliant"}), _inspection())
    assert np.isnan(plain.scores.loc[0, "good_practice"]) and plain.advice.empty


def test_an_unanswered_advice_item_never_makes_a_visit_incomplete():
    """Every advice item unanswered (weight 7 applies, against 5 of legal items): still a
    pass, where as much legal weight unanswered would make it incomplete."""
    scored = score(WIND, _responses({"L.1": "compliant", "L.2": "compliant"}), _inspection())
    assert scored.scores.loc[0, "verdict"] == "pass"
    assert scored.scores.loc[0, "weight_gaps"] == 0


def test_good_practice_alone_gives_the_same_advice_as_score():
    answers = {"L.1": "noncompliant", "A.1": "compliant", "A.2": "noncompliant"}
    responses = _responses(answers)
    full, part = (
        score(WIND, responses, _inspection()),
        good_practice(WIND, responses, _inspection()),
    )
    pd.testing.assert_frame_equal(full.advice, part.advice)
    assert part.scores["good_practice"].tolist() == full.scores["good_practice"].tolist()
    assert part.findings.empty and part.gaps.empty


def test_the_rules_say_advice_is_apart_only_when_the_checklist_has_advice():
    said = rules(WIND, "en")[-1]
    assert said.startswith("Advice items (good practice) are not legal duties")
    assert "never a finding" in said
    assert rules(WIND, "vi")[-1].startswith("Mục khuyến nghị (thực hành tốt)")
    plain = checklist("plain", sections={"A": [item("P.1")]})
    assert not any("advice" in r.lower() for r in rules(plain, "en"))


def test_advice_content_reads_back_with_its_fingerprint_and_legal_content_is_unchanged():
    """Kept in the store as canonical JSON, an advice checklist reads back the same; a legal
    item dumps without ``kind`` and ``reference``, as before advice items existed, so the
    fingerprints of checklists without advice are what they were."""
    again = checklist_from_content(WIND.canonical)
    assert again.fingerprint == WIND.fingerprint
    assert again.item("A.2").reference == ["ILO WIND, checkpoint 12"]
    plain = checklist("plain", sections={"A": [item("P.1")]})
    assert '"kind"' not in plain.canonical and '"reference"' not in plain.canonical


# ---- the property: advice can never produce a violation ------------------------------

KINDS = st.sampled_from(["legal", "advice"])
SEVERITY = st.sampled_from(["critical", "major", "minor"])
CONDITION = st.sampled_from([None, None, "workforce >= 50", "workforce < 20"])
ANSWER = st.sampled_from(["compliant", "noncompliant", "na", None])


@st.composite
def mixed_checklists(draw):
    """A checklist of 1-3 sections mixing legal and advice items (at least one legal)."""
    n_sections = draw(st.integers(1, 3))
    sections = {}
    for s in "ABC"[:n_sections]:
        entries = []
        for k in range(draw(st.integers(1, 4))):
            item_id = f"X.{s}.{k}"
            weight = draw(st.sampled_from([1, 2, 3]))
            condition = draw(CONDITION)
            if draw(KINDS) == "advice":
                entries.append(advice(item_id, weight=weight, applies_if=condition))
            else:
                severity = draw(SEVERITY)
                entries.append(
                    item(item_id, severity=severity, weight=weight, applies_if=condition)
                )
        sections[s] = entries
    if all(e.get("kind") == "advice" for entries in sections.values() for e in entries):
        sections["A"].append(item("X.A.L", severity=draw(SEVERITY)))
    return checklist_data("mixed", sections=sections, grades=GRADES)


def _without_advice(data: dict) -> Checklist:
    """The same checklist with its advice items taken out (and sections left empty)."""
    sections = [
        {**s, "items": [i for i in s["items"] if i.get("kind") != "advice"]}
        for s in data["sections"]
    ]
    return Checklist.model_validate({**data, "sections": [s for s in sections if s["items"]]})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), shape=mixed_checklists())
def test_advice_never_changes_what_the_law_concludes(data, shape):
    """For any answers, the verdict, grade, score, findings (with their actions and due
    dates), gaps and section scores are those of the checklist without its advice items:
    advice can never make a violation, a deadline or a failing conclusion."""
    mixed = Checklist.model_validate(shape)
    ids = [i.id for i in mixed.items]
    n = data.draw(st.integers(1, 4))
    rows, insp = [], []
    for k in range(n):
        iid = f"i{k}"
        insp.append({"inspection_id": iid, "inspected_on": "2025-05-12",
                     "workforce": data.draw(st.sampled_from([10, 30, 80]))})  # fmt: skip
        for item_id in ids:
            answer = data.draw(ANSWER)
            if answer is not None:
                rows.append((iid, item_id, answer, None, None))
    responses = pd.DataFrame(rows, columns=["inspection_id", "item_id", "answer", "value", "note"])
    inspections = pd.DataFrame(insp)
    legal_only = _without_advice(shape)
    legal_ids = {i.id for i in legal_only.items}

    a = score(mixed, responses, inspections)
    b = score(legal_only, responses[responses["item_id"].isin(legal_ids)], inspections)

    labels = ["checklist_fingerprint", "good_practice"]
    pd.testing.assert_frame_equal(a.scores.drop(columns=labels), b.scores.drop(columns=labels))
    for name in ("sections", "findings", "gaps"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert not set(a.findings["item_id"]) - legal_ids
    met = a.advice.groupby("inspection_id")["met"].sum()
    assert (met <= a.advice.groupby("inspection_id").size()).all()


# ---- a visit in a store, and its record --------------------------------------------


def _final_visit(store) -> str:
    """A final visit of :data:`WIND` (120 workers): the law met, A.2 not met with a note,
    A.3 met, A.4 unanswered."""
    vid = visit(store, [WIND])
    answers = {"L.1": "compliant", "L.2": "compliant", "A.1": "compliant"}
    answers |= {"A.2": "noncompliant", "A.3": "compliant", "A.5": "na"}
    frame = _responses(answers).drop(columns="inspection_id")
    frame.loc[frame["item_id"] == "A.2", "note"] = "dụng cụ để dưới đất"
    store.save_answers(sheets(store, vid)[0], frame, by="minh")
    store.finalize_visit(vid, by="minh")
    return vid


def test_finalizing_stores_no_finding_action_or_gap_for_advice_and_passes(store):
    vid = _final_visit(store)
    iid = sheets(store, vid)[0]
    assert store.visit(vid)["verdict"] == "pass"
    assert store.findings([iid]).empty
    assert store.actions().query("inspection_id == @iid").empty
    stored = store.scored([iid])
    assert stored.gaps.empty
    assert stored.sections["section_id"].tolist() == ["ORG"]


def test_the_record_shows_good_practice_apart_from_the_findings(store, db_url):
    """Advice met: A.1 (2), A.3 (1, 120 workers); not met: A.2 (1); A.4 unanswered:
    (2 + 1) / (2 + 1 + 1) = 75.0 %, 2 of 3 assessed; A.2 listed with its reference and
    suggestion, never among the findings, with no legal basis and no deadline."""
    from audit_lib.reports import VisitRecord

    vid = _final_visit(store)
    for lang, part, share, count in (
        ("vi", "VI. Khuyến nghị thực hành tốt", "75.0 %", "2 / 3"),
        ("en", "VI. Good-practice advice", "75.0 %", "2 / 3"),
    ):
        record = VisitRecord.load(db_url, vid, lang)
        shown = record.advice()
        assert part in shown and share in shown and count in shown
        assert "A.2" in shown and "ILO WIND, checkpoint 12" in shown
        assert "dụng cụ để dưới đất" in shown
        assert ("Kê giá để dụng cụ" if lang == "vi" else "Put up a tool rack") in shown
        for absent in ("A.1", "A.3", "A.4", "Luật ATVSLĐ", "Căn cứ pháp lý", "Legal basis"):
            assert absent not in shown
        assert "A.2" not in record.findings()
        assert "VII." in record.rules()  # the rules come after the advice part
    again = VisitRecord.load(db_url, vid, "vi")
    assert again.data_fingerprint == VisitRecord.load(db_url, vid, "vi").data_fingerprint


def test_a_record_without_advice_items_has_no_advice_part(store, db_url):
    from audit_lib.reports import VisitRecord

    vid = visit(store)
    store.save_answers(
        sheets(store, vid)[0],
        _responses({"A.1": "compliant", "A.2": "compliant", "A.3": "compliant"}).drop(
            columns="inspection_id"
        ),
    )
    store.finalize_visit(vid, by="minh")
    record = VisitRecord.load(db_url, vid, "vi")
    assert record.advice() == ""
    assert "VI. Cách đánh giá đã áp dụng" in record.rules()
