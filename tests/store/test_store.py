"""The store: round trips, finalized records, revisions, version checks, nothing half-written.

Visits are made through the public API with the helpers of ``tests/factories.py``;
finalizing, freezing and the migration of visits have their own files
(``test_visits.py``, ``test_frozen.py``, ``test_migrate_visits.py``).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_lib.core.errors import (
    ConflictError,
    FinalizedError,
    InputError,
    NotFoundError,
    ResponsesError,
    StoreError,
)
from audit_lib.core.text import tidy
from audit_lib.core.vocabulary import high_risk_of
from audit_lib.store import _answers as answers
from audit_lib.store import bulk_insert, default_db_url, open_store, schema
from tests.factories import SHEET, checklist, establishment, item, sheet, sheets, visit

VIETNAMESE = "ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĐƯƠ"
text = (
    st.text(alphabet=VIETNAMESE + "abcxyz ABC-.,0123456789", min_size=1, max_size=40)
    .map(str.strip)
    .filter(bool)
)
counter = itertools.count()


def _unit(store, code: str, name: str | None = None) -> None:
    """Put commune ``code`` in the unit list, unless it is there already."""
    if code not in set(store.units()["unit_code"]):
        with store.transaction() as conn:
            conn.execute(
                schema.units.insert().values(unit_code=code, name_vi=name or code, level="commune")
            )


def _answers(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["item_id", "answer", "value", "note"])


def _dump(store) -> dict[str, list]:
    """Every row of every table, sorted: to prove a failed write changed nothing."""
    with store.reading() as conn:
        return {
            name: sorted(map(repr, conn.execute(sa.select(table)).all()))
            for name, table in schema.metadata.tables.items()
        }


# ---- establishments --------------------------------------------------------


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=text.map(tidy).filter(lambda name: len(name) >= 3),
    workforce=st.integers(0, 100_000),
    strict=st.integers(0, 1000),
    flags=st.lists(st.booleans(), min_size=4, max_size=4),
    kind=st.sampled_from(["enterprise", "cooperative", "household", "other"]),
    sector=st.sampled_from(["mining", "hydropower", "construction", "wood", "trade"]),
    active=st.one_of(st.none(), st.dates()),
)
def test_an_establishment_comes_back_exactly_as_it_went_in(
    store, name, workforce, strict, flags, kind, sector, active
):
    code = f"62{next(counter):08d}"
    _unit(store, "NAM_XE")
    attrs = dict(
        code=code,
        name=name,
        kind=kind,
        sector=sector,
        vsic="B0990",
        unit_code="NAM_XE",
        workforce=workforce,
        strict_workers=min(strict, workforce),
        has_strict_equipment=flags[0],
        labour_relations=flags[2],
        employs_minors=flags[3],
        active_from=active,
    )
    eid = store.add_establishment(**attrs)
    row = store.establishments().set_index("establishment_id").loc[eid]
    for key, value in attrs.items():
        if key == "active_from":
            assert pd.isna(row[key]) if value is None else row[key].date() == value
        else:
            assert row[key] == value, key
    assert row["high_risk"] == bool(high_risk_of(sector, "B0990"))  # derived, never given


def test_adding_an_establishment_reports_every_problem_and_writes_nothing(store):
    with pytest.raises(InputError) as caught:
        store.add_establishment(
            code="",
            name="HTX",
            kind="company",
            sector="fishing",
            workforce=-3,
            strict_workers="nhiều",
            colour="red",
        )
    fields = {p.field for p in caught.value.problems}
    assert fields == {
        "code",
        "kind",
        "sector",
        "unit_code",
        "workforce",
        "strict_workers",
        "colour",
    }
    assert store.establishments().empty


def test_an_establishment_code_is_unique(store):
    establishment(store, code="4200000001")
    with pytest.raises(InputError, match="already exists"):
        establishment(store, code="4200000001", name="Một cơ sở khác")
    assert len(store.establishments()) == 1


def test_finding_establishments_ignores_case_vietnamese_accents_and_extra_spaces(store):
    _unit(store, "DAO_SAN", "Dào San")
    _unit(store, "MUONG_SO", "Mường So")
    establishment(store, code="6200000001", name="Hợp tác xã Lâm nghiệp Nậm Pì",
                   unit_code="DAO_SAN")  # fmt: skip
    establishment(store, code="6200000002", name="Xưởng gỗ Đức Thành", unit_code="MUONG_SO")
    assert list(store.find_establishments("nam  pi")["code"]) == ["6200000001"]
    assert list(store.find_establishments("DUC THANH")["code"]) == ["6200000002"]
    assert list(store.find_establishments("0000002")["code"]) == ["6200000002"]
    assert list(store.find_establishments("muong so")["code"]) == ["6200000002"]  # the commune
    assert list(store.find_establishments("muong so")["commune"]) == ["Mường So"]
    assert list(store.find_establishments("")["code"]) == ["6200000001", "6200000002"]
    assert len(store.find_establishments("", limit=1)) == 1
    assert store.find_establishments("không có").empty


# ---- answers -----------------------------------------------------------------

answer_rows = st.lists(
    st.tuples(
        st.sampled_from(["compliant", "noncompliant", "na", None]),
        st.one_of(
            st.none(),
            st.just(float("nan")),
            st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
        ),
        st.one_of(st.none(), text),
    ),
    min_size=1,
    max_size=30,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=answer_rows)
def test_answers_come_back_exactly_as_they_went_in(store, rows):
    iid = sheet(store)
    frame = _answers(*[(f"GEN.ORG.{n:02d}", a, v, t) for n, (a, v, t) in enumerate(rows)])
    store.save_answers(iid, frame, by="minh")
    back = store.responses([iid])

    def given_value(v):
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else v

    expected = {
        (f"GEN.ORG.{n:02d}", a, given_value(v), t)
        for n, (a, v, t) in enumerate(rows)
        if not (a is None and given_value(v) is None and t is None)
    }
    got = {
        (
            r.item_id,
            None if pd.isna(r.answer) else r.answer,
            None if pd.isna(r.value) else r.value,
            r.note,
        )
        for r in back.itertuples()
    }
    assert got == expected
    assert set(back["inspection_id"]) <= {iid}


def test_responses_use_compact_dtypes_and_the_contract_columns(store):
    iid = sheet(store)
    store.save_answers(
        iid, _answers(("A.1", "compliant", None, None), ("A.2", None, 3, "ba người"))
    )
    frame = store.responses()
    assert list(frame.columns) == ["inspection_id", "item_id", "answer", "value", "note"]
    assert isinstance(frame["item_id"].dtype, pd.CategoricalDtype)
    assert isinstance(frame["answer"].dtype, pd.CategoricalDtype)
    assert frame["value"].dtype == np.float64
    assert frame.loc[1, "note"] == "ba người" and frame.loc[0, "note"] is None


def test_responses_of_many_inspections_read_in_chunks_match_a_plain_query(store, monkeypatch):
    monkeypatch.setattr(answers, "CHUNK", 3)
    ids = [sheet(store) for _ in range(8)]
    for n, iid in enumerate(ids):
        store.save_answers(
            iid,
            _answers(
                *[
                    (
                        f"I.{k}",
                        ["compliant", "na", None][(n + k) % 3],
                        float(k) if k == n % 4 else None,
                        None,
                    )
                    for k in range(5)
                ]
            ),
        )
    everything = store.responses()
    with store.reading() as conn:
        plain = conn.execute(
            sa.text(
                "SELECT i.inspection_id, c.item_id, r.answer, r.value FROM responses r "
                "JOIN inspections i USING (inspection_pk) JOIN item_codes c USING (item_pk)"
            )
        ).all()
    assert (
        len(everything)
        == len(plain)
        == 8 * 5 - sum(1 for n in range(8) for k in range(5) if (n + k) % 3 == 2 and k != n % 4)
    )
    assert {(a, b, c if c else None, d) for a, b, c, d in plain} == {
        (
            r.inspection_id,
            r.item_id,
            None if pd.isna(r.answer) else r.answer,
            None if pd.isna(r.value) else r.value,
        )
        for r in everything.itertuples()
    }
    some = [ids[1], ids[4], ids[6]]
    expected = everything[everything["inspection_id"].isin(some)].reset_index(drop=True)
    by_id = store.responses(some)
    monkeypatch.setattr(answers, "FEW", 2)  # now every inspection is listed, then filtered
    by_list = store.responses(some)
    for subset in (by_id, by_list):
        assert set(subset["inspection_id"]) == set(some)
        pd.testing.assert_frame_equal(subset.astype(object), expected.astype(object))
    assert store.responses([]).empty
    assert store.responses(["not-an-id"]).empty


def test_saving_an_empty_answer_removes_it(store):
    iid = sheet(store)
    store.save_answer(iid, "A.1", "noncompliant", note="thiếu biển báo", by="minh")
    store.save_answer(iid, "A.1", None, by="minh")
    assert store.responses([iid]).empty


def test_bad_answers_are_all_reported_and_nothing_is_written(store):
    iid = sheet(store)
    before = _dump(store)
    bad = _answers(
        ("A.1", "yes", None, None),
        ("", "na", None, None),
        ("A.3", None, "ba", None),
        ("A.4", "na", None, None),
        ("A.4", "na", None, None),
    )
    with pytest.raises(ResponsesError) as caught:
        store.save_answers(iid, bad, by="minh", expected_version=1)
    assert [(p.location, p.field) for p in caught.value.problems] == [
        ("row 1 (A.1)", "answer"),
        ("row 2", "item_id"),
        ("row 3 (A.3)", "value"),
        ("row 5 (A.4)", "item_id"),
    ]
    assert _dump(store) == before


# ---- versions and conflicts --------------------------------------------------


def test_every_successful_write_adds_one_to_the_version(store):
    vid = visit(store)
    [iid] = sheets(store, vid)
    assert store.save_answer(iid, "A.1", "compliant", by="a", expected_version=1) == 2
    assert store.save_answers(iid, _answers(("A.2", "na", None, None)), by="a") == 3
    assert store.finalize_visit(vid, by="a", expected_version=1) == "0001/2025/BB-ATVSLĐ"
    assert store.inspections(ids=[iid])["version"].tolist() == [4]
    assert store.visit(vid)["version"] == 2


def test_two_writers_of_the_same_version_cannot_both_win_and_the_loser_gets_its_data_back(store):
    vid = visit(store)
    [iid] = sheets(store, vid)
    assert store.save_answer(iid, "A.1", "compliant", by="hoa", expected_version=1) == 2
    with pytest.raises(ConflictError) as caught:
        store.save_answer(
            iid, "A.1", "noncompliant", note="bình chữa cháy hết hạn", by="minh", expected_version=1
        )
    assert caught.value.expected == 1 and caught.value.found == 2
    assert caught.value.pending == {
        "item_id": "A.1",
        "answer": "noncompliant",
        "value": None,
        "note": "bình chữa cháy hết hạn",
    }
    assert store.responses([iid])["answer"].tolist() == ["compliant"]
    mine = _answers(("A.2", "na", None, None))
    with pytest.raises(ConflictError) as caught:
        store.save_answers(iid, mine, by="minh", expected_version=1)
    assert caught.value.pending is mine
    store.save_answers(iid, mine, by="hoa")
    with pytest.raises(ConflictError):  # the visit's version, not the sheet's
        store.finalize_visit(vid, by="minh", expected_version=2)
    assert store.inspections(status="draft", ids=[iid])["version"].tolist() == [3]
    assert store.visit(vid)[["status", "version"]].tolist() == ["draft", 1]


def test_writing_to_an_unknown_inspection_or_visit_says_it_was_not_found(store):
    with pytest.raises(NotFoundError):
        store.save_answer("00000000-0000-0000-0000-000000000000", "A.1", "na", by="a")
    with pytest.raises(NotFoundError):
        store.create_visit(999, "2025-01-01", "periodic", ["A"], [SHEET], by="a")
    with pytest.raises(NotFoundError):
        store.finalize_visit("00000000-0000-0000-0000-000000000000", by="a")


def test_creating_a_visit_checks_type_date_team_and_checklists(store):
    eid = establishment(store)
    with pytest.raises(InputError) as caught:
        store.create_visit(eid, "not a date", "surprise", [" ", ""], [], by="a")
    assert {p.field for p in caught.value.problems} == {
        "type",
        "visited_on",
        "team",
        "checklists",
    }
    assert store.visits(status=None).empty and store.inspections(status=None).empty


def test_a_second_draft_visit_of_one_establishment_on_one_day_is_refused(store):
    vid = visit(store)
    eid = int(store.visit(vid)["establishment_id"])
    with pytest.raises(InputError, match="go on with it") as caught:
        visit(store, establishment_id=eid)
    assert vid in str(caught.value)
    assert visit(store, establishment_id=eid, visited_on="2025-05-13") != vid


def test_a_visit_date_written_short_is_day_first(store):
    vid = visit(store, visited_on="12/05/2025", team="Lò Văn A, Giàng A Pao")
    assert store.visit(vid)[["visited_on", "team"]].tolist() == [
        pd.Timestamp(2025, 5, 12),
        "Lò Văn A; Giàng A Pao",
    ]
    row = store.visit_sheets(vid).iloc[0]
    assert (row["inspected_on"], row["inspectors"]) == (
        pd.Timestamp(2025, 5, 12),
        "Lò Văn A; Giàng A Pao",
    )


# ---- finalized visits and revisions ---------------------------------------------


# the first bytes of a JPEG and a PNG: the store keeps evidence by content, not by name
JPEG_PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00 photo"
PNG_PHOTO = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + bytes(17)


def _final(store, **kwargs) -> tuple[str, str]:
    """A final visit of :data:`SHEET` with one critical finding (A.2); (visit, sheet)."""
    vid = visit(store, **kwargs)
    [iid] = sheets(store, vid)
    store.save_answers(
        iid,
        _answers(
            ("A.1", "compliant", None, None),
            ("A.2", "noncompliant", None, "chưa có thẻ an toàn"),
            ("A.3", "compliant", None, None),
        ),
    )
    store.add_evidence(iid, "A.2", "the.jpg", JPEG_PHOTO)
    store.finalize_visit(vid, by="minh")
    return vid, iid


def test_a_finalized_visit_cannot_be_changed_in_any_way(store):
    vid, iid = _final(store)
    before = _dump(store)
    with pytest.raises(FinalizedError):
        store.save_answer(iid, "A.1", "noncompliant", by="x")
    with pytest.raises(FinalizedError):
        store.save_answers(iid, _answers(("A.3", "na", None, None)), by="x")
    with pytest.raises(FinalizedError):
        store.finalize_visit(vid, by="x")
    with pytest.raises(FinalizedError):
        store.add_evidence(iid, "A.1", "other.png", PNG_PHOTO)
    action = int(store.actions()["action_id"].iloc[0])
    with pytest.raises(FinalizedError):
        store.check_action(vid, action, done=True)
    assert _dump(store) == before


def test_finalizing_records_findings_and_open_corrective_actions(store):
    vid, iid = _final(store)
    findings = store.findings([iid])
    assert findings[["item_id", "severity", "weight", "note", "due_on"]].values.tolist() == [
        ["A.2", "critical", 3.0, "chưa có thẻ an toàn", pd.Timestamp("2025-05-19")]
    ]
    actions = store.actions()
    assert actions[["inspection_id", "item_id", "status", "action_vi"]].values.tolist() == [
        [iid, "A.2", "open", "Tổ chức huấn luyện"]
    ]
    action = int(actions.loc[0, "action_id"])
    with pytest.raises(InputError, match="before the record"):
        store.close_action(action, "2025-05-11", by="hoa")
    store.close_action(action, "2025-05-18", note="đã huấn luyện, có sổ", by="hoa")
    closed = store.actions().iloc[0]
    assert closed[["status", "closed_on", "verified_in", "closing_note"]].tolist() == [
        "closed",
        pd.Timestamp("2025-05-18"),
        None,
        "đã huấn luyện, có sổ",
    ]
    assert store.open_actions().empty
    with pytest.raises(InputError, match="not open"):
        store.close_action(action, "2025-05-20")
    with pytest.raises(InputError, match="not open"):
        store.close_action(9999, "2025-05-18")


def test_findings_actions_and_registers_can_be_read_column_by_column(store):
    _, iid = _final(store)
    some = store.findings([iid], columns=["severity", "due_on"])
    assert list(some.columns) == ["inspection_id", "severity", "due_on"]  # in the table's order
    assert some.values.tolist() == [[iid, "critical", pd.Timestamp("2025-05-19")]]
    assert list(store.actions(columns=["status", "due_on"]).columns) == ["due_on", "status"]
    assert list(store.register("training", ["year", "trained"]).columns) == ["year", "trained"]


def test_a_revision_needs_a_reason(store):
    vid, _ = _final(store)
    before = _dump(store)
    for reason in ("", "   ", None):
        with pytest.raises(InputError, match="reason"):
            store.revise_visit(vid, reason, by="hoa")
    assert _dump(store) == before


def test_a_draft_is_edited_not_revised(store):
    with pytest.raises(StoreError, match="still a draft"):
        store.revise_visit(visit(store), "sửa", by="hoa")


def test_a_revision_is_a_new_draft_with_the_answers_and_evidence_copied(store):
    first, old_sheet = _final(store)
    second = store.revise_visit(first, "Ghi sai ngày kiểm tra", by="hoa")
    every = store.visits(status=None, current_only=False).set_index("visit_id")
    assert every.loc[first, ["status", "revision"]].tolist() == ["final", 1]
    assert every.loc[
        second, ["status", "revision", "supersedes", "reason", "version", "created_by"]
    ].tolist() == ["draft", 2, first, "Ghi sai ngày kiểm tra", 1, "hoa"]
    [new_sheet] = sheets(store, second)
    row = store.visit_sheets(second).iloc[0]
    assert row[["status", "revision", "supersedes", "reason", "version"]].tolist() == [
        "draft",
        2,
        old_sheet,
        "Ghi sai ngày kiểm tra",
        1,
    ]
    old, new = store.responses([old_sheet]), store.responses([new_sheet])
    columns = ["item_id", "answer", "value", "note"]
    assert new[columns].astype(object).equals(old[columns].astype(object))
    assert (
        store.evidence(new_sheet)["sha256"].tolist() == store.evidence(old_sheet)["sha256"].tolist()
    )
    assert store.findings([new_sheet]).empty
    store.save_answers(new_sheet, _answers(("A.1", "noncompliant", None, "sửa")), by="hoa")
    changed = store.responses([new_sheet]).set_index("item_id")
    assert changed.loc["A.1", ["answer", "note"]].tolist() == ["noncompliant", "sửa"]
    assert store.responses([old_sheet]).equals(old)


def test_current_visits_are_the_newest_final_revision_of_each_chain(store):
    first, _ = _final(store)
    other, _ = _final(store)
    assert set(store.visits()["visit_id"]) == {first, other}
    second = store.revise_visit(first, "sửa số liệu", by="hoa")
    assert set(store.visits()["visit_id"]) == {first, other}
    assert set(store.visits(status=None)["visit_id"]) == {second, other}
    assert list(store.visits(status="draft")["visit_id"]) == [second]
    store.save_answer(sheets(store, second)[0], "A.2", "compliant", by="hoa")
    store.finalize_visit(second, by="hoa")
    assert set(store.visits()["visit_id"]) == {second, other}
    assert set(store.inspections()["visit_id"]) == {second, other}
    assert len(store.visits(current_only=False)) == 3
    with pytest.raises(ConflictError):
        store.revise_visit(first, "sửa lần nữa từ bản cũ", by="minh")
    third = store.revise_visit(second, "lần 3", by="minh")
    assert store.visit(third)["revision"] == 3


def test_visits_and_inspections_filter_by_year_date_and_ids(store):
    eid = establishment(store)
    made = {}
    for day in ("2024-12-31", "2025-01-01", "2025-07-02"):
        made[day] = visit(store, establishment_id=eid, visited_on=day, type="unannounced",
                          team="Lò Văn Minh")  # fmt: skip
        store.save_answer(sheets(store, made[day])[0], "A.2", "compliant", by="a")
        store.finalize_visit(made[day], by="a")
    assert set(store.visits(year=2025)["visit_id"]) == {made["2025-01-01"], made["2025-07-02"]}
    assert list(store.visits(establishment_id=eid)["visit_id"]) == list(made.values())
    assert list(store.visits(ids=[made["2024-12-31"]])["visit_id"]) == [made["2024-12-31"]]
    sheet_of = {store.visit_sheets(v)["inspection_id"].iloc[0]: day for day, v in made.items()}
    assert {sheet_of[i] for i in store.inspections(year=2025)["inspection_id"]} == {
        "2025-01-01",
        "2025-07-02",
    }
    assert [sheet_of[i] for i in store.inspections(since="2025-07-01")["inspection_id"]] == [
        "2025-07-02"
    ]
    frame = store.inspections()
    assert frame["inspected_on"].dtype.kind == "M"
    assert frame["inspectors"].tolist() == ["Lò Văn Minh"] * 3
    assert frame["visit_id"].tolist() == list(made.values())
    for column in (
        "inspection_id",
        "visit_id",
        "establishment_id",
        "checklist_id",
        "checklist_version",
        "checklist_fingerprint",
        "inspected_on",
        "type",
        "status",
        "revision",
        "supersedes",
        "reason",
        "inspectors",
        "version",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
        "score",
        "grade",
        "passed",
        "verdict",
    ):
        assert column in frame


# ---- nothing half-written ------------------------------------------------------


def _fail_on(store, statement_start: str):
    """Make the database fail when a statement starting with ``statement_start`` runs."""

    def boom(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(statement_start):
            raise RuntimeError("injected failure")

    sa.event.listen(store.engine, "before_cursor_execute", boom)
    return lambda: sa.event.remove(store.engine, "before_cursor_execute", boom)


@pytest.mark.parametrize(
    "statement, action",
    [
        ("UPDATE INSPECTIONS", "save"),
        ("INSERT INTO ACTIONS", "finalize"),
        ("UPDATE VISITS", "finalize"),
        ("INSERT INTO EVIDENCE", "revise"),
    ],
)
def test_a_failure_in_the_middle_of_a_write_leaves_every_table_as_before(store, statement, action):
    vid = visit(store)
    [iid] = sheets(store, vid)
    store.save_answers(
        iid, _answers(("A.1", "compliant", None, None), ("A.2", "noncompliant", None, None))
    )
    store.add_evidence(iid, "A.1", "a.png", PNG_PHOTO)
    if action == "revise":
        store.finalize_visit(vid, by="a")
    before = _dump(store)
    restore = _fail_on(store, statement)
    try:
        with pytest.raises(RuntimeError, match="injected failure"):
            if action == "save":
                store.save_answers(
                    iid,
                    _answers(("A.1", "na", None, None), ("A.9", "noncompliant", 2.0, "x")),
                    by="b",
                )
            elif action == "finalize":
                store.finalize_visit(vid, by="b")
            else:
                store.revise_visit(vid, "sửa", by="b")
    finally:
        restore()
    assert _dump(store) == before


# ---- evidence ------------------------------------------------------------------


def test_the_same_evidence_bytes_are_stored_once(store):
    first, second = sheet(store), sheet(store)
    photo = PNG_PHOTO + b" a missing guard"
    sha = store.add_evidence(first, "A.1", "may-cat.png", photo, by="minh")
    assert store.add_evidence(first, "A.1", "may-cat.png", photo) == sha
    assert store.add_evidence(second, "B.2", "anh.png", photo) == sha
    files = [p for p in store.evidence_files.root.rglob("*") if p.is_file()]
    assert [p.name for p in files] == [sha]
    assert store.evidence_bytes(sha) == photo
    rows = store.evidence(first)
    assert rows[["item_id", "filename", "media_type", "size"]].values.tolist() == [
        ["A.1", "may-cat.png", "image/png", len(photo)]
    ]
    assert rows.loc[0, "path"].endswith(f"{sha[:2]}/{sha}")
    assert len(store.evidence(second)) == 1


def test_empty_evidence_is_refused(store):
    with pytest.raises(InputError, match="empty"):
        store.add_evidence(sheet(store), "A.1", "x.jpg", b"")


# ---- registers -----------------------------------------------------------------


def test_every_register_kind_reads_back_with_the_contract_columns(store):
    contract = {
        "workforce": "unit_code, year, workers, workers_labour_relations",
        "accidents": "accident_id, occurred_on, establishment_code, unit_code, labour_relations, "
        "victims, deaths, serious_injuries, declared_on, investigation_completed_on, handled",
        "compensation": "accident_id, victim_no, compensated, amount_vnd, paid_on",
        "training": "year, unit_code, establishment_code, group, category, headcount, trained",
        "od_exams": "year, unit_code, establishment_code, workers_examined, od_cases",
        "env_monitoring": "year, unit_code, establishment_code, monitored_on, samples, "
        "samples_failing",
        "outreach": "year, unit_code, establishment_code, channel, reached_on",
    }
    for kind, columns in contract.items():
        assert set(columns.split(", ")) <= set(store.register(kind).columns), kind
    with store.transaction() as conn:
        bulk_insert(
            conn,
            schema.REGISTER_TABLES["accidents"],
            pd.DataFrame(
                {
                    "accident_id": ["TN-2024-01"],
                    "occurred_on": [pd.Timestamp("2024-03-02")],
                    "unit_code": ["KHONG_LAO"],
                    "victims": [2],
                    "deaths": [1],
                    "serious_injuries": [1],
                    "declared_on": [pd.Timestamp("2024-03-02")],
                    "handled": [True],
                }
            ),
        )
    accident = store.register("accidents").iloc[0]
    assert (accident["occurred_on"], accident["deaths"], accident["handled"]) == (
        pd.Timestamp("2024-03-02"),
        1,
        True,
    )
    with pytest.raises(NotFoundError):
        store.register("weather")


# ---- the engine -------------------------------------------------------------------


def test_the_default_database_follows_audit_db_url(monkeypatch, tmp_path):
    monkeypatch.setenv("AUDIT_DB_URL", f"sqlite:///{tmp_path / 'x.db'}")
    assert default_db_url() == f"sqlite:///{tmp_path / 'x.db'}"
    monkeypatch.delenv("AUDIT_DB_URL")
    assert default_db_url().startswith("sqlite:///") and default_db_url().endswith("data/audit.db")


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(sqlite_store):
    with sqlite_store.reading() as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
        }
    assert pragma == {
        "journal_mode": "wal",
        "busy_timeout": 60000,
        "foreign_keys": 1,
        "synchronous": 1,
    }


def test_sqlite_evidence_lives_next_to_the_database_unless_configured(tmp_path, monkeypatch):
    monkeypatch.delenv("AUDIT_EVIDENCE_DIR", raising=False)
    store = open_store(f"sqlite:///{tmp_path / 'db' / 'a.db'}", upgrade=True)
    assert store.evidence_files.root == tmp_path / "db" / "evidence"
    store.close()
    monkeypatch.setenv("AUDIT_EVIDENCE_DIR", str(tmp_path / "elsewhere"))
    store = open_store(f"sqlite:///{tmp_path / 'db' / 'a.db'}")
    assert store.evidence_files.root == tmp_path / "elsewhere"
    store.close()


def test_a_transaction_commits_everything_or_nothing(store):
    with pytest.raises(RuntimeError), store.transaction() as conn:
        conn.execute(
            schema.units.insert().values(unit_code="PT", name_vi="Phong Thổ", level="district")
        )
        raise RuntimeError("stop")
    assert store.units().empty
    with store.transaction() as conn:
        conn.execute(
            schema.units.insert().values(unit_code="PT", name_vi="Phong Thổ", level="district")
        )
    assert store.units()["name_vi"].tolist() == ["Phong Thổ"]


def test_reading_any_subset_of_drafts_and_finals_matches_a_plain_query(store, monkeypatch):
    rng = np.random.default_rng(7)
    ten = checklist("ten", sections={"S": [item(f"S.{k}") for k in range(10)]})
    visits = [visit(store, [ten]) for _ in range(12)]
    ids = [sheets(store, v)[0] for v in visits]
    for n, iid in enumerate(ids):
        store.save_answers(
            iid,
            _answers(
                *[
                    (
                        f"S.{k}",
                        rng.choice(["compliant", "noncompliant", "na", None]),
                        float(rng.integers(0, 9)) if rng.random() < 0.3 else None,
                        "ghi chú" if rng.random() < 0.3 else None,
                    )
                    for k in rng.choice(10, size=int(rng.integers(0, 8)), replace=False)
                ]
            ),
        )
        if n % 3:  # two in three are final: their answers are read from the packed copy
            store.finalize_visit(visits[n], by="minh")
    with store.reading() as conn:
        packed = conn.execute(sa.text("SELECT count(answers_packed) FROM inspections")).scalar()
        assert packed == 8
        plain = pd.DataFrame(
            conn.execute(
                sa.text(
                    "SELECT i.inspection_id, c.item_id, r.answer, r.value, r.note FROM responses r "
                    "JOIN inspections i USING (inspection_pk) JOIN item_codes c USING (item_pk) "
                    "ORDER BY i.inspection_pk, c.item_pk"
                )
            ).all(),
            columns=answers.COLUMNS,
        )
    for trial in range(30):
        monkeypatch.setattr(answers, "CHUNK", int(rng.integers(1, 6)))
        monkeypatch.setattr(answers, "FEW", int(rng.integers(0, 6)))
        some = [ids[i] for i in rng.choice(12, size=int(rng.integers(0, 13)), replace=False)]
        got = store.responses(some if trial else None).astype(object)
        want = plain if not trial else plain[plain["inspection_id"].isin(some)]
        want = want.reset_index(drop=True).astype(object)
        pd.testing.assert_frame_equal(got.where(got.notna(), None), want.where(want.notna(), None))
