"""Finalizing a visit: one transaction that refuses, or scores and stores the whole record.

What is checked here, on SQLite and (when enabled) PostgreSQL: a visit with an
applicable critical item unanswered is refused naming every such item, and
nothing is written; a revision, once finalized, supersedes the record it
revises, both kept, numbered ``…-SĐ2``, and keeps the closings already made;
a follow-up visit closes the corrective actions it found done on its own day;
and, for any answers, the stored results are exactly what
:func:`audit_lib.scoring.score` gives for them with the checklist content the
visit was started with, whatever becomes of the caller's checklist object.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_lib.core.errors import InputError
from audit_lib.scoring import score
from tests.factories import SHEET, checklist, grades, item, sheets, visit
from tests.store.test_store import PNG_PHOTO, _answers, _dump

OTHER = checklist(
    "other",
    sections={
        "B": [
            item("B.1", severity="critical"),
            item("B.2", severity="critical", weight=2),
            item("B.3", severity="critical", applies_if="workforce >= 500"),
            item("B.4"),
        ]
    },
)
"""A second checklist: two critical items that apply, one that does not (120 workers)."""


def _actions_of(store, visit_id: str) -> pd.DataFrame:
    actions = store.actions()
    return actions[actions["inspection_id"].isin(sheets(store, visit_id))].set_index("item_id")


def _save(store, inspection_id: str, answers: dict[str, str], by: str = "minh") -> None:
    """Save ``answers`` (item → answer) on a sheet."""
    rows = [(k, a, None, None) for k, a in answers.items()]
    store.save_answers(inspection_id, _answers(*rows), by=by)


def _final(store, answers: dict[str, str], **kwargs) -> str:
    """A final visit of :data:`SHEET` with ``answers`` (item → answer)."""
    vid = visit(store, **kwargs)
    _save(store, sheets(store, vid)[0], answers)
    store.finalize_visit(vid, by="minh")
    return vid


# ---- refusing --------------------------------------------------------------------


def test_finalizing_is_refused_naming_every_unanswered_critical_item_and_nothing_is_written(store):
    vid = visit(store, [SHEET, OTHER])
    first, second = sheets(store, vid)
    store.save_answers(first, _answers(("A.1", "noncompliant", None, None)))
    store.save_answers(second, _answers(("B.4", "noncompliant", None, None)))
    before = _dump(store)
    with pytest.raises(InputError) as caught:
        store.finalize_visit(vid, by="minh")
    assert sorted((p.file, p.location, p.field) for p in caught.value.problems) == [
        (f"visit {vid}", "other item B.1", "answer"),
        (f"visit {vid}", "other item B.2", "answer"),
        (f"visit {vid}", "sheet item A.2", "answer"),
    ]
    assert "critical item not answered: “Mục A.2”" in str(caught.value)
    assert "mục nghiêm trọng chưa trả lời: «Mục A.2»" in str(caught.value)
    assert _dump(store) == before
    assert store.visit(vid)[["status", "record_number", "verdict"]].tolist() == [
        "draft",
        None,
        None,
    ]
    assert store.findings().empty and store.actions().empty
    _save(store, second, {"B.1": "na", "B.2": "compliant"})
    store.save_answer(first, "A.2", "compliant")
    assert store.finalize_visit(vid, by="minh") == "0001/2025/BB-ATVSLĐ"


# ---- revisions -------------------------------------------------------------------


def test_a_finalized_revision_supersedes_the_record_and_both_are_kept(store):
    first = visit(store, [SHEET, OTHER])
    a, b = sheets(store, first)
    _save(store, a, {"A.1": "compliant", "A.2": "noncompliant", "A.3": "compliant"})
    _save(store, b, {"B.1": "compliant", "B.2": "compliant", "B.4": "compliant"})
    assert store.finalize_visit(first, by="minh") == "0001/2025/BB-ATVSLĐ"
    old_results = store.visit_sheets(first)[["score", "verdict"]]
    second = store.revise_visit(first, "ghi nhầm mục A.2", by="hoa")
    c, d = sheets(store, second)
    assert store.visit_sheets(second)["supersedes"].tolist() == [a, b]
    store.save_answer(c, "A.2", "compliant", by="hoa")
    assert store.finalize_visit(second, by="hoa") == "0001/2025/BB-ATVSLĐ-SĐ2"

    every = store.visits(current_only=False).set_index("visit_id")
    columns = ["revision", "status", "record_number", "verdict"]
    assert every.loc[[first, second], columns].values.tolist() == [
        [1, "final", "0001/2025/BB-ATVSLĐ", "fail_critical"],
        [2, "final", "0001/2025/BB-ATVSLĐ-SĐ2", "pass"],
    ]
    assert every.loc[second, ["supersedes", "reason"]].tolist() == [first, "ghi nhầm mục A.2"]
    assert store.visits()["visit_id"].tolist() == [second]
    assert set(store.inspections()["inspection_id"]) == {c, d}
    pd.testing.assert_frame_equal(store.visit_sheets(first)[["score", "verdict"]], old_results)
    assert store.scored([a]).scores["verdict"].tolist() == ["fail_critical"]
    assert store.open_actions().empty  # the current record requires nothing
    assert _actions_of(store, first).loc["A.2", "status"] == "open"  # the old one, unchanged


def test_a_revision_keeps_the_closings_already_made(store):
    first = _final(store, {"A.1": "noncompliant", "A.2": "noncompliant"})
    action = _actions_of(store, first)
    store.close_action(int(action.loc["A.2", "action_id"]), "2025-05-16", note="đã huấn luyện")
    second = store.revise_visit(first, "sửa ghi chú", by="hoa")
    store.save_answer(sheets(store, second)[0], "A.3", "noncompliant", note="thiếu nội quy")
    store.finalize_visit(second, by="hoa")
    kept = _actions_of(store, second)
    assert kept.loc["A.2", ["status", "closed_on", "closing_note"]].tolist() == [
        "closed",
        pd.Timestamp("2025-05-16"),
        "đã huấn luyện",
    ]
    assert kept.loc[["A.1", "A.3"], "status"].tolist() == ["open", "open"]
    assert sorted(store.open_actions()["item_id"]) == ["A.1", "A.3"]
    assert set(store.open_actions()["visit_id"]) == {second}


# ---- follow-ups --------------------------------------------------------------------


def test_a_follow_up_closes_the_actions_it_found_done_on_its_own_day(store):
    first = _final(store, {"A.1": "noncompliant", "A.2": "noncompliant"})
    eid = int(store.visit(first)["establishment_id"])
    actions = _actions_of(store, first)["action_id"].astype(int)
    follow = visit(store, establishment_id=eid, visited_on="2025-06-02", type="follow_up")
    store.save_answer(sheets(store, follow)[0], "A.2", "compliant", by="hoa")
    photo = ("the.png", PNG_PHOTO)
    store.check_action(follow, actions["A.2"], True, note="đã có thẻ", evidence=photo, by="hoa")
    store.check_action(follow, actions["A.1"], False, note="chưa làm", by="hoa")
    checks = store.action_checks(follow).set_index("action_id")
    assert checks.loc[[actions["A.1"], actions["A.2"]], ["done", "note"]].values.tolist() == [
        [False, "chưa làm"],
        [True, "đã có thẻ"],
    ]
    assert store.evidence_bytes(checks.loc[actions["A.2"], "evidence_sha256"]) == PNG_PHOTO
    assert store.open_actions(establishment_id=eid)["item_id"].tolist() == ["A.2", "A.1"]

    store.finalize_visit(follow, by="hoa")
    after = _actions_of(store, first)
    assert after.loc["A.2", ["status", "closed_on", "verified_in", "closing_note"]].tolist() == [
        "closed",
        pd.Timestamp("2025-06-02"),
        follow,
        "đã có thẻ",
    ]
    assert after.loc["A.1", "status"] == "open"
    still = store.open_actions(establishment_id=eid, on="2025-07-01")
    assert still["item_id"].tolist() == ["A.1"] and still["overdue"].tolist() == [True]
    assert store.open_actions(on="2025-06-02")["overdue"].tolist() == [False]


def test_an_action_of_another_establishment_or_not_open_is_not_checked(store):
    first = _final(store, {"A.2": "noncompliant"})
    action = int(_actions_of(store, first).loc["A.2", "action_id"])
    elsewhere = visit(store, type="follow_up", visited_on="2025-06-02")
    before = _dump(store)
    with pytest.raises(InputError, match="belongs to another establishment") as caught:
        store.check_action(elsewhere, action, True, by="hoa")
    assert "thuộc cơ sở khác" in str(caught.value)
    with pytest.raises(InputError, match="is not open"):
        store.check_action(elsewhere, 9999, True, by="hoa")
    assert _dump(store) == before


# ---- the stored results are scoring's, with the content the visit was started with ----

ITEMS = ("C.1", "C.2", "M.1", "M.2", "N.1", "N.2")


def _small() -> object:
    """A fresh checklist object, the same content each time."""
    return checklist(
        "small",
        sections={
            "C": [
                item("C.1", severity="critical", weight=3),
                item("C.2", severity="critical", weight=2, applies_if="workforce >= 50"),
            ],
            "M": [item("M.1", weight=2), item("M.2")],
            "N": [
                item("N.1", severity="minor"),
                item("N.2", severity="minor", answer="count", threshold={"op": ">=", "value": 2}),
            ],
        },
        grades=grades(("A", 80, True), ("B", 50, False), ("C", 0, False)),
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    answers=st.lists(
        st.sampled_from(["compliant", "noncompliant", "na", None]), min_size=6, max_size=6
    ),
    count=st.one_of(st.none(), st.integers(0, 4)),
    workforce=st.sampled_from([10, 80]),
)
def test_finalizing_refuses_or_stores_exactly_what_scoring_gives(store, answers, count, workforce):
    given_checklist = _small()
    vid = visit(store, [given_checklist], workforce=workforce, strict_workers=0)
    [iid] = sheets(store, vid)
    rows = [
        (i, a, count if i == "N.2" else None, None) for i, a in zip(ITEMS, answers, strict=True)
    ]
    store.save_answers(iid, _answers(*rows))
    # the caller's object changes after the visit started: the store keeps to what it stored
    given_checklist.grades[:] = grades(("Z", 0, True))
    given_checklist.sections.reverse()

    frame = store.responses([iid])
    inspections = pd.DataFrame(
        {"inspection_id": [iid], "inspected_on": [pd.Timestamp("2025-05-12")],
         "workforce": [workforce], "strict_workers": [0], "sector": ["hydropower"],
         "kind": ["enterprise"]}
    )  # fmt: skip
    expected = score(_small(), frame, inspections)
    critical = expected.gaps[(expected.gaps["severity"] == "critical")
                             & (expected.gaps["reason"] == "unanswered")]  # fmt: skip
    if len(critical):
        with pytest.raises(InputError) as caught:
            store.finalize_visit(vid, by="minh")
        named = {p.location.split()[-1] for p in caught.value.problems}
        assert named == set(critical["item_id"])
        assert store.visit(vid)["status"] == "draft"
        return
    store.finalize_visit(vid, by="minh")
    stored = store.visit_sheets(vid).iloc[0]
    want = expected.scores.iloc[0]
    for column in ("applicable", "answered", "gaps", "critical_failures", "grade", "verdict"):
        assert stored[column] == want[column] or (pd.isna(stored[column]) and pd.isna(want[column]))
    assert (pd.isna(stored["score"]) and pd.isna(want["score"])) or stored["score"] == (
        pytest.approx(want["score"])
    )
    assert bool(stored["passed"]) == bool(want["passed"])
    found = store.findings([iid])
    assert set(found["item_id"]) == set(expected.findings["item_id"])
    actions = store.actions()
    assert set(actions[actions["inspection_id"] == iid]["item_id"]) == set(found["item_id"])
    again = store.scored([iid])
    assert again.scores["verdict"].tolist() == [want["verdict"]]
    assert set(again.gaps["item_id"]) == set(expected.gaps["item_id"])
    assert store.stored_checklist(stored["checklist_fingerprint"]).canonical == _small().canonical
