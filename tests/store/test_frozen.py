"""A final record is frozen by the database itself, not only by the store's API.

Whatever reaches the database directly (a script, a database client, a bug) is
refused by its triggers (migration 0004) on SQLite and PostgreSQL alike: any
change to a final visit, its sheets, answers, findings, section scores, gaps,
evidence and action checks, to what a corrective action requires (its due day
among it), and to a kept checklist content. The store explains the refusal as
a :class:`StoreError` about a finalized record; the row is unchanged. Closing a
corrective action is still allowed: that is what happens to it after the record.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from audit_lib.core.errors import StoreError
from tests.factories import sheets, visit
from tests.store.test_store import PNG_PHOTO, _answers, _dump


@pytest.fixture
def frozen(store):
    """A final visit with answers, evidence, findings and an action, and a final follow-up
    that checked the action; the ids the statements below name."""
    vid = visit(store)
    [iid] = sheets(store, vid)
    store.save_answers(
        iid, _answers(("A.1", "noncompliant", None, "x"), ("A.2", "noncompliant", None, None))
    )
    store.add_evidence(iid, "A.2", "a.png", PNG_PHOTO, by="minh")
    store.finalize_visit(vid, by="minh")
    actions = store.actions().set_index("item_id")["action_id"].astype(int)
    eid = int(store.visit(vid)["establishment_id"])
    follow = visit(store, establishment_id=eid, visited_on="2025-06-02", type="follow_up")
    later = _answers(("A.2", "compliant", None, None), ("A.3", "compliant", None, None))
    store.save_answers(sheets(store, follow)[0], later)  # A.3: answered nowhere else
    store.check_action(follow, int(actions["A.2"]), True, note="đã có thẻ")
    store.finalize_visit(follow, by="minh")
    with store.reading() as conn:
        pk = conn.execute(
            sa.text("SELECT inspection_pk FROM inspections WHERE inspection_id = :i"), {"i": iid}
        ).scalar_one()
        fingerprint = conn.execute(
            sa.text("SELECT checklist_fingerprint FROM inspections WHERE inspection_id = :i"),
            {"i": iid},
        ).scalar_one()
    ids = {"v": vid, "i": iid, "pk": pk, "f": follow, "fp": fingerprint}
    return store, ids | {"a": int(actions["A.1"]), "closed": int(actions["A.2"])}


REFUSED = {
    "visits: update": "UPDATE visits SET place = 'Nậm Xe' WHERE visit_id = :v",
    "visits: the verdict": "UPDATE visits SET verdict = 'pass' WHERE visit_id = :v",
    "visits: delete": "DELETE FROM visits WHERE visit_id = :v",
    "inspections: update": "UPDATE inspections SET score = 100 WHERE inspection_id = :i",
    "inspections: to draft": "UPDATE inspections SET status = 'draft' WHERE inspection_id = :i",
    "inspections: delete": "DELETE FROM inspections WHERE inspection_id = :i",
    "responses: update": "UPDATE responses SET answer = 'compliant' WHERE inspection_pk = :pk",
    "responses: delete": "DELETE FROM responses WHERE inspection_pk = :pk",
    "responses: insert": "INSERT INTO responses (inspection_pk, item_pk, answer) "
    "SELECT :pk, item_pk, 'na' FROM item_codes WHERE item_id = 'A.3'",
    "findings: update": "UPDATE findings SET severity = 'minor' WHERE inspection_id = :i",
    "findings: delete": "DELETE FROM findings WHERE inspection_id = :i",
    "section_scores: update": "UPDATE section_scores SET score = 100 WHERE inspection_id = :i",
    "section_scores: delete": "DELETE FROM section_scores WHERE inspection_id = :i",
    "sheet_gaps: update": "UPDATE sheet_gaps SET reason = 'x' WHERE inspection_id = :i",
    "sheet_gaps: delete": "DELETE FROM sheet_gaps WHERE inspection_id = :i",
    "evidence: update": "UPDATE evidence SET filename = 'b.png' WHERE inspection_id = :i",
    "evidence: delete": "DELETE FROM evidence WHERE inspection_id = :i",
    "action_checks: update": "UPDATE action_checks SET done = false WHERE visit_id = :f",
    "action_checks: delete": "DELETE FROM action_checks WHERE visit_id = :f",
    "actions: the due day": "UPDATE actions SET due_on = '2030-01-01' WHERE action_id = :a",
    "actions: the action": "UPDATE actions SET action_vi = 'khác' WHERE action_id = :a",
    "actions: delete": "DELETE FROM actions WHERE action_id = :a",
    "checklist_contents: update": "UPDATE checklist_contents SET content = '{}' "
    "WHERE fingerprint = :fp",
    "checklist_contents: delete": "DELETE FROM checklist_contents WHERE fingerprint = :fp",
}


@pytest.mark.parametrize("statement", REFUSED.values(), ids=REFUSED.keys())
def test_the_database_refuses_any_change_to_a_final_record(frozen, statement):
    store, ids = frozen
    before = _dump(store)
    wanted = {k: v for k, v in ids.items() if f":{k}" in statement}
    refused = pytest.raises(StoreError, match="refused to change a finalized record")
    with refused as caught, store.transaction() as conn:
        conn.execute(sa.text(statement), wanted)
    assert "biên bản đã hoàn tất" in str(caught.value)
    assert _dump(store) == before


def test_the_statements_refused_would_each_change_a_row(frozen):
    """Each statement above names rows that exist: a refusal is not a no-op."""
    store, ids = frozen
    counts = {
        "visits": ("visit_id", ids["v"]),
        "inspections": ("inspection_id", ids["i"]),
        "responses": ("inspection_pk", ids["pk"]),
        "findings": ("inspection_id", ids["i"]),
        "section_scores": ("inspection_id", ids["i"]),
        "sheet_gaps": ("inspection_id", ids["i"]),
        "evidence": ("inspection_id", ids["i"]),
        "action_checks": ("visit_id", ids["f"]),
        "actions": ("action_id", ids["a"]),
        "checklist_contents": ("fingerprint", ids["fp"]),
    }
    with store.reading() as conn:
        for table, (column, value) in counts.items():
            query = sa.text(f"SELECT count(*) FROM {table} WHERE {column} = :x")
            assert conn.execute(query, {"x": value}).scalar_one() >= 1, table


def test_closing_a_corrective_action_is_still_allowed(frozen):
    store, ids = frozen
    with store.transaction() as conn:
        conn.execute(
            sa.text(
                "UPDATE actions SET status = 'closed', closed_on = '2025-07-01', "
                "closing_note = 'đã làm' WHERE action_id = :a"
            ),
            {"a": ids["a"]},
        )
    closed = store.actions().set_index("action_id").loc[ids["a"]]
    assert (closed["status"], str(closed["closed_on"].date())) == ("closed", "2025-07-01")
    assert store.actions().set_index("action_id").loc[ids["closed"], "verified_in"] == ids["f"]
