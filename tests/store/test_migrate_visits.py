"""Upgrading a database of inspections (0003) to visits (0004): grouped as before, nothing lost.

The database is made at revision 0003 and filled with plain SQL the way the
store of 0003 wrote it: two checklists of one establishment, day, type and
team (one visit), one of them revised (revision 2 of its sheet); a follow-up
that verified the closing of a corrective action; a draft; answers (packed by
0002's own code), findings, actions and evidence. ``open_store(upgrade=True)``
then brings it to the newest schema and stores the results of the records
that were already final.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from audit_lib.checklists import load_checklists
from audit_lib.store import create_engine, migrations, open_store
from tests.store.test_migrations_frozen import _revision_0002

GENERAL = load_checklists()["general"]
MINING = load_checklists()["mining"]
AT = datetime(2025, 3, 10, 9, 30)
TEAM = "Lò Văn A; Giàng A Pao"

# inspection_pk, inspection_id, establishment, checklist, fingerprint, day, type, status,
# chain, revision, supersedes, reason
SHEETS = [
    (1, "g1", 1, GENERAL, GENERAL.fingerprint, date(2025, 3, 10), "periodic", "final",
     "g1", 1, None, None),
    (2, "m1", 1, MINING, "0" * 64, date(2025, 3, 10), "periodic", "final", "m1", 1, None, None),
    (3, "g1-2", 1, GENERAL, GENERAL.fingerprint, date(2025, 3, 10), "periodic", "final",
     "g1", 2, "g1", "ghi nhầm mục GEN.ORG.01"),
    (4, "f1", 1, GENERAL, GENERAL.fingerprint, date(2025, 4, 20), "follow_up", "final",
     "f1", 1, None, None),
    (5, "d1", 2, GENERAL, GENERAL.fingerprint, date(2025, 5, 5), "periodic", "draft",
     "d1", 1, None, None),
]  # fmt: skip
ITEMS = ["GEN.ORG.01", "GEN.ORG.04", "GEN.PLN.01", "MIN.GND.01", "MIN.GND.03"]
ANSWERS = [  # inspection_pk, item, answer, note
    (1, "GEN.ORG.01", "noncompliant", "chưa có quyết định"),
    (1, "GEN.ORG.04", "compliant", None),
    (2, "MIN.GND.01", "compliant", None),
    (2, "MIN.GND.03", "noncompliant", None),
    (3, "GEN.ORG.01", "noncompliant", "chưa có quyết định (sửa)"),
    (3, "GEN.ORG.04", "noncompliant", None),
    (4, "GEN.ORG.01", "compliant", None),
    (5, "GEN.PLN.01", "na", None),
]
FINDINGS = [("g1", GENERAL, "GEN.ORG.01"), ("m1", MINING, "MIN.GND.03"),
            ("g1-2", GENERAL, "GEN.ORG.01"), ("g1-2", GENERAL, "GEN.ORG.04")]  # fmt: skip
ACTIONS = [  # action_id, inspection, item, status, closed_on, verified_by
    (1, "g1", "GEN.ORG.01", "open", None, None),
    (2, "m1", "MIN.GND.03", "open", None, None),
    (3, "g1-2", "GEN.ORG.01", "closed", date(2025, 4, 20), "f1"),
    (4, "g1-2", "GEN.ORG.04", "open", None, None),
]


KEYS = {"establishments": "establishment_id", "item_codes": "item_pk",
        "inspections": "inspection_pk", "actions": "action_id"}  # fmt: skip


def _at_0003(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            migrations.upgrade(conn, "0003")
            run = lambda sql, rows: conn.execute(sa.text(sql), rows)  # noqa: E731
            run("INSERT INTO units (unit_code, name_vi, name_en, level) VALUES "
                "('PT-NX', 'Nậm Xe', 'Nam Xe', 'commune')", {})  # fmt: skip
            mines = [
                {"id": 1, "code": "6200000001", "name": "Mỏ đất hiếm Nậm Xe", "eq": True},
                {"id": 2, "code": "6200000002", "name": "Mỏ đá Dào San", "eq": False},
            ]
            run(
                "INSERT INTO establishments (establishment_id, code, name, kind, sector, "
                "unit_code, workforce, strict_workers, has_strict_equipment) VALUES "
                "(:id, :code, :name, 'enterprise', 'mining', 'PT-NX', 120, 30, :eq)",
                mines,
            )
            run("INSERT INTO item_codes (item_pk, item_id) VALUES (:pk, :id)",
                [{"pk": k, "id": i} for k, i in enumerate(ITEMS, start=1)])  # fmt: skip
            run("INSERT INTO inspections (inspection_pk, inspection_id, establishment_id, "
                "checklist_id, checklist_version, checklist_fingerprint, inspected_on, type, "
                "status, chain_id, revision, supersedes, reason, inspectors, version, "
                "created_by, created_at, updated_by, updated_at) VALUES (:pk, :id, :est, :cid, "
                ":cv, :fp, :day, :type, :status, :chain, :rev, :sup, :reason, :team, 3, 'a', "
                ":at, 'a', :at)",
                [{"pk": pk, "id": iid, "est": est, "cid": c.id, "cv": c.version, "fp": fp,
                  "day": day, "type": kind, "status": status, "chain": chain, "rev": rev,
                  "sup": sup, "reason": reason, "team": TEAM, "at": AT}
                 for pk, iid, est, c, fp, day, kind, status, chain, rev, sup, reason
                 in SHEETS])  # fmt: skip
            run("INSERT INTO responses (inspection_pk, item_pk, answer, note) VALUES "
                "(:pk, :item, :answer, :note)",
                [{"pk": pk, "item": ITEMS.index(i) + 1, "answer": a, "note": n}
                 for pk, i, a, n in ANSWERS])  # fmt: skip
            _revision_0002().pack_final(conn)  # as 0002 and finalizing left them
            run("INSERT INTO findings (inspection_id, item_id, section_id, severity, text_vi, "
                "text_en, legal_basis, action_vi, action_en, days_to_correct, due_on) VALUES "
                "(:iid, :item, :section, :severity, :vi, :en, 'Luật 84/2015/QH13', :vi, :en, "
                "30, :due)",
                [{"iid": iid, "item": i, "section": i.split(".")[1],
                  "severity": c.item(i).severity, "vi": c.item(i).text.vi,
                  "en": c.item(i).text.en, "due": date(2025, 4, 9)}
                 for iid, c, i in FINDINGS])  # fmt: skip
            run("INSERT INTO actions (action_id, inspection_id, item_id, severity, action_vi, "
                "due_on, status, closed_on, verified_by) VALUES (:id, :iid, :item, 'major', "
                "'Khắc phục', :due, :status, :closed, :by)",
                [{"id": a, "iid": iid, "item": i, "due": date(2025, 4, 9), "status": s,
                  "closed": closed, "by": by} for a, iid, i, s, closed, by in ACTIONS])  # fmt: skip
            run("INSERT INTO evidence (inspection_id, item_id, sha256, filename, media_type, "
                "size) VALUES (:iid, :item, :sha, 'anh.jpg', 'image/jpeg', 10)",
                [{"iid": "g1", "item": "GEN.ORG.01", "sha": "a" * 64},
                 {"iid": "m1", "item": "MIN.GND.03", "sha": "b" * 64}])  # fmt: skip
            if conn.dialect.name == "postgresql":  # the ids were given: move the sequences on
                for table, key in KEYS.items():
                    sequence = f"pg_get_serial_sequence('{table}', '{key}')"
                    conn.execute(sa.text(f"SELECT setval({sequence}, max({key})) FROM {table}"))
    finally:
        engine.dispose()


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("responses", "findings", "evidence", "actions")
            }
    finally:
        engine.dispose()


@pytest.fixture
def upgraded(db_url, tmp_path):
    """The 0003 database, its row counts, then upgraded by ``open_store``."""
    _at_0003(db_url)
    before = _counts(db_url)
    store = open_store(db_url, upgrade=True, evidence_dir=tmp_path / "evidence")
    yield store, before
    store.close()


def test_inspections_are_grouped_into_the_visits_they_were(upgraded):
    store, _ = upgraded
    visits = store.visits(status=None, current_only=False).sort_values(["visited_on", "revision"])
    assert visits[["establishment_id", "type", "team", "status", "revision"]].values.tolist() == [
        [1, "periodic", TEAM, "final", 1],
        [1, "periodic", TEAM, "final", 2],
        [1, "follow_up", TEAM, "final", 1],
        [2, "periodic", TEAM, "draft", 1],
    ]
    first, second, follow, draft = visits["visit_id"]
    members = {v: sorted(store.visit_sheets(v)["checklist_id"]) for v in visits["visit_id"]}
    assert members == {first: ["general", "mining"], second: ["general", "mining"],
                       follow: ["general"], draft: ["general"]}  # fmt: skip
    sheets = store.inspections(status=None, current_only=False).set_index("inspection_id")
    assert sheets.loc[["g1", "m1"], "visit_id"].tolist() == [first, first]
    assert sheets.loc[["f1", "d1"], "visit_id"].tolist() == [follow, draft]
    revised = store.visit(second)
    assert (revised["chain_id"], revised["supersedes"], revised["reason"]) == (
        store.visit(first)["chain_id"],
        first,
        "ghi nhầm mục GEN.ORG.01",
    )
    two = store.visit_sheets(second).set_index("checklist_id")
    assert two.loc["general", "inspection_id"] == "g1-2"
    copy = two.loc["mining"]
    assert (copy["supersedes"], copy["revision"], copy["status"]) == ("m1", 2, "final")
    columns = ["item_id", "answer", "value", "note"]
    mine = store.responses([copy["inspection_id"]])[columns].astype(object)
    assert mine.equals(store.responses(["m1"])[columns].astype(object))
    assert store.findings([copy["inspection_id"]])["item_id"].tolist() == ["MIN.GND.03"]
    assert store.evidence(copy["inspection_id"])["sha256"].tolist() == ["b" * 64]


def test_nothing_is_lost_and_the_old_ids_remain(upgraded, db_url):
    store, before = upgraded
    after = _counts(db_url)
    assert all(after[t] >= before[t] for t in before), (before, after)
    every = store.inspections(status=None, current_only=False)
    assert {s[1] for s in SHEETS} <= set(every["inspection_id"])
    answers = store.responses([s[1] for s in SHEETS])
    got = {(r.inspection_id, r.item_id, r.answer, r.note if isinstance(r.note, str) else None)
           for r in answers.astype(object).itertuples()}  # fmt: skip
    pk_to_id = {s[0]: s[1] for s in SHEETS}
    assert got == {(pk_to_id[pk], i, a, n) for pk, i, a, n in ANSWERS}


def test_the_results_of_final_records_are_stored_and_frozen(upgraded):
    store, _ = upgraded
    visits = store.visits(status=None, current_only=False).sort_values(["visited_on", "revision"])
    finals = visits[visits["status"] == "final"]
    assert finals["verdict"].notna().all() and finals["score"].notna().all()
    assert finals["record_number"].tolist() == [
        "0001/2025/BB-ATVSLĐ",
        "0001/2025/BB-ATVSLĐ-SĐ2",
        "0002/2025/BB-ATVSLĐ",
    ]
    assert visits[visits["status"] == "draft"][["verdict", "record_number"]].isna().all().all()
    sheets = store.inspections(current_only=False)
    assert sheets["verdict"].notna().all() and sheets["grade"].notna().all()
    m1 = sheets.set_index("inspection_id").loc["m1"]
    assert m1["checklist_fingerprint"] == MINING.fingerprint  # scored with the shipped one
    assert m1["critical_gaps"] > 0 and m1["verdict"] == "incomplete"  # never refused here
    found = store.findings(["g1-2"]).set_index("item_id")
    assert found.loc["GEN.ORG.01", "note"] == "chưa có quyết định (sửa)"
    assert found["weight"].notna().all()
    for fingerprint in sheets["checklist_fingerprint"].unique():
        assert store.stored_checklist(fingerprint).fingerprint == fingerprint
    with store.reading() as conn:
        kept = set(conn.execute(sa.text("SELECT fingerprint FROM checklist_contents")).scalars())
    assert set(sheets["checklist_fingerprint"]) <= kept
    snapshot = store.visit(finals["visit_id"].iloc[0])["establishment_snapshot"]
    assert '"name": "Mỏ đất hiếm Nậm Xe"' in snapshot and "(0004)" in snapshot
    scored = store.scored(["g1-2"])
    assert scored.scores["verdict"].tolist() == [
        sheets.set_index("inspection_id").loc["g1-2", "verdict"]
    ]


def test_an_action_verified_by_a_follow_up_sheet_is_verified_in_its_visit(upgraded):
    store, _ = upgraded
    actions = store.actions().set_index("action_id")
    follow = store.inspections(current_only=False).set_index("inspection_id").loc["f1", "visit_id"]
    assert actions.loc[3, ["status", "closed_on", "verified_in"]].tolist() == [
        "closed",
        pd.Timestamp("2025-04-20"),
        follow,
    ]
    assert actions.loc[[1, 2, 4], "verified_in"].isna().all()
    current = store.open_actions()
    assert set(current["item_id"]) == {"MIN.GND.03", "GEN.ORG.04"}  # of revision 2 only
