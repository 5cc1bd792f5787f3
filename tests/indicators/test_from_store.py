"""Indicators read the stored results of final visits: built through the store's public API.

``closings_store`` makes a tiny store by hand (units of ``small_tree``): three
visits with findings, a follow-up visit that finds one action done on time, one
action closed late on documents, one left open; the numbers below are counted
by hand from it. ``tests/analysis/test_actions.py`` reads the same store.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest

from audit_lib.checklists import load_checklists
from audit_lib.indicators import Frames, compute, load_plan
from audit_lib.store import bulk_insert, schema
from tests.factories import checklist, item
from tests.indicators.test_indicators import BEFORE, decrease, plan, row
from tests.units.test_units import small_tree

# Three items: major ones are due 30 days after the visit, the minor one 90
MINI = checklist(
    "mini",
    sections={"A": [item("M.A.1"), item("M.A.2"), item("M.A.3", severity="minor")]},
    correction_days={"critical": 7, "major": 30, "minor": 90},
)
TEAM = ["Lò Văn Minh"]
EDITS = [  # weights 2 -> 12, 3 -> 13 ..., minor items made critical, numerators denominators
    ("weight: ", "weight: 1"),
    ("severity: minor", "severity: critical"),
    ("role: numerator", "role: denominator"),
]


def add_units(store) -> None:
    """The units and crosswalk of ``small_tree``: A, B, C in district D until 2025-06-30,
    then X (A + 40 % of C) and Y (B + 60 % of C)."""
    tree = small_tree()
    units = tree.units.assign(
        valid_from=pd.to_datetime(tree.units["valid_from"]).dt.date,
        valid_to=pd.to_datetime(tree.units["valid_to"]).dt.date,
    )
    with store.transaction() as conn:
        bulk_insert(conn, schema.units, units)
        bulk_insert(conn, schema.crosswalk, tree.crosswalk)


def add_establishment(store, code: str, name: str, unit: str) -> int:
    return store.add_establishment(
        code=code, name=name, kind="enterprise", sector="construction", unit_code=unit,
        workforce=40, strict_workers=4,
    )  # fmt: skip


def visit(store, eid: int, day: str, answers: dict, kind="periodic", checklists=(MINI,)) -> str:
    """A final visit of ``eid`` on ``day`` with ``answers`` (item -> answer) on every sheet."""
    vid = store.create_visit(eid, day, kind, TEAM, list(checklists), by="minh")
    frame = pd.DataFrame([{"item_id": k, "answer": v} for k, v in answers.items()])
    for sheet in store.visit_sheets(vid)["inspection_id"]:
        store.save_answers(sheet, frame, by="minh")
    store.finalize_visit(vid, by="minh")
    return vid


def action_of(store, vid: str, item_id: str) -> int:
    sheet = store.visit_sheets(vid)["inspection_id"].iloc[0]
    actions = store.actions()
    hit = actions[(actions["inspection_id"] == sheet) & (actions["item_id"] == item_id)]
    return int(hit["action_id"].iloc[0])


def closings_store(store) -> dict:
    """E1 (commune A) and E2 (commune C, split 40 % X / 60 % Y in July 2025).

    - visit 1, E1, 2025-03-03: M.A.1 and M.A.2 not met, both due 2025-04-02;
    - visit 2, E2, 2025-03-10: M.A.1 not met, due 2025-04-09;
    - follow-up visit, E1, 2025-03-25: finds M.A.1 done -> closed 2025-03-25, on time;
    - M.A.2 of visit 1 closed on documents 2025-04-20: late;
    - visit 2 revised (a typo in the team) and finalized again: its action, still open
      and overdue, counts once, through the revision.
    """
    add_units(store)
    e1 = add_establishment(store, "0100000001", "Công ty Xây dựng Ánh Dương", "A")
    e2 = add_establishment(store, "0100000002", "Hợp tác xã Cò Ma", "C")
    met = {"M.A.1": "compliant", "M.A.2": "compliant", "M.A.3": "compliant"}
    v1 = visit(store, e1, "2025-03-03", met | {"M.A.1": "noncompliant", "M.A.2": "noncompliant"})
    v2 = visit(store, e2, "2025-03-10", met | {"M.A.1": "noncompliant"})
    follow = store.create_visit(e1, "2025-03-25", "follow_up", TEAM, [MINI], by="minh")
    store.check_action(follow, action_of(store, v1, "M.A.1"), done=True, note="đã làm", by="minh")
    sheet = store.visit_sheets(follow)["inspection_id"].iloc[0]
    store.save_answers(sheet, pd.DataFrame([{"item_id": k, "answer": v} for k, v in met.items()]))
    store.finalize_visit(follow, by="minh")
    store.close_action(action_of(store, v1, "M.A.2"), "2025-04-20", note="biên bản nghiệm thu")
    v2b = store.revise_visit(v2, reason="sửa tên đoàn kiểm tra", by="hoa")
    store.finalize_visit(v2b, by="hoa")
    return {"e1": e1, "e2": e2, "v1": v1, "v2": v2, "v2b": v2b, "follow": follow}


def test_closed_on_time_is_counted_from_the_closings(store):
    made = closings_store(store)
    actions = store.actions().set_index("action_id")
    on_time = actions.loc[action_of(store, made["v1"], "M.A.1")]
    assert (str(on_time["closed_on"].date()), on_time["verified_in"]) == (
        "2025-03-25",
        made["follow"],
    )
    frames = Frames.from_store(store)
    p = plan(decrease(), monitored=["actions_closed_on_time"])
    communes = compute(p, frames, [2025], at=BEFORE, lang="en")
    a, c = (row(communes, u, "actions_closed_on_time") for u in "AC")
    # A: 1 of 2 (on time by the follow-up; late on documents); C: the open one, counted once
    assert (a.numerator, a.denominator, a.value) == (1.0, 2.0, 50.0)
    assert (c.numerator, c.denominator, c.value) == (0.0, 1.0, 0.0)
    district = compute(p, frames, [2025], level="district", at=BEFORE)
    d = row(district, "D", "actions_closed_on_time")
    assert (d.numerator, d.denominator) == (1.0, 3.0)
    # judged on 2025-04-05: only the two actions due 2025-04-02, one closed on time
    early = compute(p, frames, [2025], level="district", at=BEFORE, as_of=dt.date(2025, 4, 5))
    judged = row(early, "D", "actions_closed_on_time")
    assert (judged.numerator, judged.denominator) == (1.0, 2.0)


def test_frames_hold_the_stored_results_of_current_final_sheets_only(store):
    made = closings_store(store)
    frames = Frames.from_store(store)
    sheets = store.inspections(status="final", current_only=True).set_index("inspection_id")
    assert set(frames.inspections["inspection_id"]) == set(sheets.index)
    revised = store.visit_sheets(made["v2"])["inspection_id"].iloc[0]
    assert revised not in set(frames.inspections["inspection_id"])  # superseded by v2b
    scores = frames.scores.set_index("inspection_id")
    for column in ("score", "weight_applicable", "weight_earned", "passed", "verdict", "grade"):
        assert scores[column].to_dict() == sheets.loc[scores.index, column].to_dict(), column
    # visit 1: 2 of 3 items not met, weights 1 each -> 1/3
    first = store.visit_sheets(made["v1"])["inspection_id"].iloc[0]
    assert scores.loc[first, "score"] == pytest.approx(100 / 3)


def test_indicators_do_not_change_when_the_checklist_files_are_edited(store, tmp_path, monkeypatch):
    folder = tmp_path / "checklists"
    shutil.copytree("checklists", folder)
    monkeypatch.setenv("AUDIT_CHECKLISTS", str(folder))
    general = load_checklists()["general"]
    add_units(store)
    eid = add_establishment(store, "0100000003", "Xưởng mộc Bản Lang", "B")
    answers = {}
    for n, (item_id, kind) in enumerate(general.items_frame()[["item_id", "answer_type"]].values):
        answers[item_id] = ("noncompliant", "compliant")[n % 2] if kind != "count" else None
    vid = store.create_visit(eid, "2025-05-12", "periodic", TEAM, [general], by="minh")
    sheet = store.visit_sheets(vid)["inspection_id"].iloc[0]
    frame = pd.DataFrame(
        [{"item_id": k, "answer": v, "value": 4 if v is None else None} for k, v in answers.items()]
    )
    store.save_answers(sheet, frame, by="minh")
    store.finalize_visit(vid, by="minh")
    p = load_plan("data/plans/453-KH-HU.yaml")
    before = compute(p, Frames.from_store(store), [2025], at=BEFORE)
    assert row(before, "B", "trained_strict_workers_inspected").denominator == 4  # a fed item
    assert row(before, "B", "compliance_mean").denominator == 1
    for path in folder.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for old, new in EDITS:
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    edited = load_checklists()["general"]
    assert edited.fingerprint != general.fingerprint
    assert set(edited.feeds_frame()["role"]) == {"denominator"}  # read anew, T5 would change
    after = compute(p, Frames.from_store(store), [2025], at=BEFORE)
    pd.testing.assert_frame_equal(before, after)
