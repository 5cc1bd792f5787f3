"""The worked example of a visit's conclusion in ``docs/scoring.md``, through the store.

Checklists ``g`` and ``m`` (sections G and M), one sheet of each in one visit.
"""

from __future__ import annotations

import pytest

from audit_lib.core.errors import InputError
from tests.factories import checklist, grades, item, sheets, visit
from tests.store.test_store import _answers

BANDS = grades(("A", 90, True), ("B", 75, True), ("C", 50, False), ("D", 0, False))
G = checklist(
    "g",
    sections={"G": [item("G.1", weight=3), item("G.2", weight=2),
                    item("G.3", severity="minor", weight=1),
                    item("G.4", severity="critical", weight=4)]},
    grades=BANDS,
)  # fmt: skip
M = checklist(
    "m",
    sections={"M": [item("M.1", severity="critical", weight=4), item("M.2", weight=6),
                    item("M.3", weight=10)]},
    grades=BANDS,
)  # fmt: skip
G_ANSWERS = {"G.1": "compliant", "G.2": "compliant", "G.3": "noncompliant", "G.4": "compliant"}


def _visit(store, m1: str | None) -> str:
    vid = visit(store, [G, M])
    g, m = sheets(store, vid)
    store.save_answers(g, _answers(*[(k, a, None, None) for k, a in G_ANSWERS.items()]))
    m_answers = {"M.1": m1, "M.2": "noncompliant", "M.3": "compliant"}
    store.save_answers(m, _answers(*[(k, a, None, None) for k, a in m_answers.items()]))
    return vid


def test_the_worked_example_of_a_visits_conclusion(store):
    vid = _visit(store, "compliant")
    assert store.finalize_visit(vid, by="minh") == "0001/2025/BB-ATVSLĐ"
    sheet = store.visit_sheets(vid).set_index("checklist_id").loc[["g", "m"]]
    assert sheet[["weight_earned", "weight_applicable", "grade", "verdict"]].values.tolist() == [
        [9.0, 10.0, "A", "pass"],
        [14.0, 20.0, "C", "fail"],
    ]
    assert sheet["score"].tolist() == [pytest.approx(90.0), pytest.approx(70.0)]
    record = store.visit(vid)
    assert record["score"] == pytest.approx(100 * 23 / 30) and round(record["score"], 1) == 76.7
    assert (record["verdict"], bool(record["passed"])) == ("fail", False)


def test_a_critical_failure_on_one_sheet_is_the_visits_verdict(store):
    vid = _visit(store, "noncompliant")
    store.finalize_visit(vid, by="minh")
    assert store.visit_sheets(vid).set_index("checklist_id").loc["m", "verdict"] == "fail_critical"
    record = store.visit(vid)
    assert record["score"] == pytest.approx(100 * 19 / 30)
    assert (record["verdict"], bool(record["passed"])) == ("fail_critical", False)


def test_the_example_visit_is_not_finalized_with_m1_unanswered(store):
    vid = _visit(store, None)
    with pytest.raises(InputError) as caught:
        store.finalize_visit(vid, by="minh")
    assert [p.location for p in caught.value.problems] == ["m item M.1"]
    assert store.visit(vid)["status"] == "draft"
