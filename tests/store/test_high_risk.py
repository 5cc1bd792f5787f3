"""High risk as the law defines it: derived from the sector and VSIC code by the sector
groups of Circular 07/2016/TT-BLĐTBXH, Art. 8 (``data/high_risk.yaml``), never set by
hand; the upgrade to 0005 recomputes the stored establishments and leaves the records."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import sqlalchemy as sa
import yaml
from hypothesis import given
from hypothesis import strategies as st

from audit_lib.core.errors import InputError, Reason, RegisterImportError, StoreError
from audit_lib.core.resources import shipped
from audit_lib.core.vocabulary import SECTORS, high_risk_of, high_risk_rules
from audit_lib.registers import import_register
from audit_lib.store import check_establishments, create_engine, migrations, open_store, schema

DATA = yaml.safe_load(shipped("data", "high_risk.yaml").read_text(encoding="utf-8"))
SECTOR_CASES = [(s, g["group"]) for g in DATA["groups"] for s in g["sectors"]]
VSIC_CASES = [(v, g["group"]) for g in DATA["groups"] for v in g["vsic"]]

BASE = {
    "code": "6200123456",
    "name": "Cơ sở thử",
    "kind": "enterprise",
    "unit_code": "PT-NX",
    "workforce": 40,
}


def derived(sector: str, vsic: str | None = None) -> bool:
    """``high_risk`` as the store's rules tidy it, for one establishment."""
    frame = pd.DataFrame([{**BASE, "sector": sector, "vsic": vsic}], dtype=object)
    tidied, problems = check_establishments(frame, {"PT-NX"})
    assert problems == []
    return tidied["high_risk"].iloc[0]


def test_the_file_cites_article_8_and_lists_its_eleven_groups():
    rules = high_risk_rules()
    assert rules.citation == "Thông tư 07/2016/TT-BLĐTBXH, Điều 8"
    assert [g.group for g in rules.groups] == list(range(1, 12))
    assert all(g.name["vi"] and g.name["en"] for g in rules.groups)
    assert rules.note["vi"] and rules.note["en"]  # what was and was not verified


@pytest.mark.parametrize(("sector", "group"), SECTOR_CASES)
def test_a_sector_wholly_in_a_group_is_high_risk_whatever_its_vsic_code(sector, group):
    assert group in high_risk_of(sector, None)
    assert derived(sector) is True
    assert derived(sector, "4711") is True  # a shop's code does not undo the sector


@pytest.mark.parametrize(("prefix", "group"), VSIC_CASES)
def test_a_vsic_code_in_a_group_makes_any_sector_high_risk(prefix, group):
    code = prefix.ljust(4, "0")
    assert group in high_risk_of("other", code)
    assert derived("other", code) is True
    assert derived("manufacturing", code) is True


@pytest.mark.parametrize(
    ("sector", "vsic", "expected"),
    [
        ("mining", None, True),  # group 1
        ("hydropower", None, True),  # groups 5 and 7: building and running the plant
        ("construction", "4100", True),  # group 5
        ("manufacturing", "2392", True),  # brick kilns: non-metallic mineral products
        ("manufacturing", "C2392", True),  # the section letter as people write it
        ("manufacturing", "23.94", True),  # lime and cement, with a dot
        ("manufacturing", "2011", True),  # basic chemicals
        ("manufacturing", "2410", True),  # basic iron and steel
        ("other", "35111", True),  # a hydropower plant in operation
        ("other", "3830", True),  # recycling
        ("manufacturing", None, False),  # the VSIC code tells
        ("manufacturing", "1079", False),  # food
        ("manufacturing", "1061", False),  # grain milling
        ("wood", "1610", False),  # sawmills are not in Art. 8
        ("wood", None, False),
        ("agriculture", "0127", False),  # farms are not in Art. 8
        ("trade", "4711", False),
        ("transport", "4933", False),  # road freight
        ("other", "9610", False),
    ],
)
def test_high_risk_by_hand_picked_establishments(sector, vsic, expected):
    assert derived(sector, vsic) is expected


@given(st.sampled_from(SECTORS), st.one_of(st.none(), st.from_regex(r"[0-9]{2,5}", fullmatch=True)))
def test_high_risk_is_exactly_being_in_some_group(sector, vsic):
    groups = high_risk_rules().groups
    inside = any(sector in g.sectors or (vsic or "").startswith(g.vsic) for g in groups)
    assert derived(sector, vsic) is inside


def test_a_vsic_code_that_is_not_one_is_refused():
    frame = pd.DataFrame([{**BASE, "sector": "other", "vsic": "đá xẻ"}], dtype=object)
    _, problems = check_establishments(frame, {"PT-NX"}, lang="en")
    assert [(p.field, p.reason) for p in problems] == [("vsic", Reason.VALUE)]
    assert "2–5 digits" in problems[0].message


# ---- nobody sets it by hand --------------------------------------------------------


@pytest.fixture
def store(tmp_path):
    opened = open_store(f"sqlite:///{tmp_path / 'audit.db'}", upgrade=True)
    with opened.transaction() as conn:
        conn.execute(
            sa.insert(schema.units).values(unit_code="PT-NX", name_vi="Nậm Xe", level="commune")
        )
    yield opened
    opened.close()


def test_a_hand_set_high_risk_that_differs_is_refused_naming_the_law(store):
    shop = {**BASE, "sector": "trade", "vsic": "4711", "high_risk": True}
    with pytest.raises(InputError) as raised:
        store.add_establishment(**shop)
    (problem,) = raised.value.problems
    assert (problem.field, problem.reason) == ("high_risk", Reason.CONSISTENCY)
    assert "Circular 07/2016/TT-BLĐTBXH, Art. 8" in problem.message
    assert "“no / Không”" in problem.message
    assert store.establishments().empty


def test_the_row_the_store_checked_can_be_added_as_it_is(store):
    row, problems = store.check_establishment({**BASE, "sector": "mining"})
    assert (problems, row["high_risk"]) == ([], True)
    eid = store.add_establishment(**row)
    assert bool(store.establishments().set_index("establishment_id").loc[eid, "high_risk"])


def test_an_older_register_with_a_high_risk_column_is_refused_where_it_differs(store, tmp_path):
    path = tmp_path / "establishments.csv"
    rows = [
        {**BASE, "sector": "mining", "Nguy cơ cao": "Có"},
        {**BASE, "code": "6200123457", "sector": "wood", "Nguy cơ cao": "Có"},
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    with pytest.raises(RegisterImportError) as raised:
        import_register(store, "establishments", path, lang="en")
    assert [(p.location, p.field) for p in raised.value.problems] == [("row 3", "Nguy cơ cao")]
    pd.DataFrame(rows[:1]).to_csv(path, index=False)
    import_register(store, "establishments", path, lang="en")
    assert store.establishments()["high_risk"].astype(bool).tolist() == [True]


def test_a_register_without_the_column_gets_high_risk_derived(store, tmp_path):
    path = tmp_path / "establishments.csv"
    rows = [
        {**BASE, "sector": "manufacturing", "vsic": "2392"},
        {**BASE, "code": "6200123457", "sector": "manufacturing", "vsic": "1079"},
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    import_register(store, "establishments", path, lang="en")
    got = store.establishments().set_index("code")["high_risk"].astype(bool).to_dict()
    assert got == {"6200123456": True, "6200123457": False}


# ---- the upgrade to 0005 -------------------------------------------------------------

AT_0004 = [
    "INSERT INTO units (unit_code, name_vi, level) VALUES ('PT-NX', 'Nậm Xe', 'commune')",
    "INSERT INTO establishments (establishment_id, code, name, kind, sector, vsic, unit_code,"
    " workforce, high_risk, updated_by)"
    " VALUES (1, '6200000001', 'Xưởng gỗ', 'household', 'wood', '1610', 'PT-NX', 5, TRUE, 'a'),"
    " (2, '6200000002', 'Lò gạch', 'enterprise', 'manufacturing', 'C2392', 'PT-NX', 30, FALSE,"
    " 'b'), (3, '6200000003', 'Mỏ', 'enterprise', 'mining', NULL, 'PT-NX', 90, TRUE, 'c')",
]
SNAPSHOT = json.dumps({"code": "6200000001", "sector": "wood", "high_risk": True})


def test_the_upgrade_recomputes_establishments_and_keeps_the_records_snapshots(db_url):
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            migrations.upgrade(conn, "0004")
            for statement in AT_0004:
                conn.execute(sa.text(statement))
            conn.execute(
                sa.text(
                    "INSERT INTO visits (visit_pk, visit_id, establishment_id, visited_on, type,"
                    " status, chain_id, record_number, verdict, establishment_snapshot)"
                    " VALUES (1, 'v1', 1, '2024-05-10', 'periodic', 'final', 'v1',"
                    " '0001/2024/BB-ATVSLĐ', 'pass', :snapshot)"
                ),
                {"snapshot": SNAPSHOT},
            )
        with engine.begin() as conn:
            migrations.upgrade(conn)
            rows = conn.execute(
                sa.text(
                    "SELECT establishment_id, high_risk, hazardous_workers, updated_by"
                    " FROM establishments ORDER BY establishment_id"
                )
            ).all()
            snapshot = conn.execute(sa.text("SELECT establishment_snapshot FROM visits")).scalar()
    finally:
        engine.dispose()
    assert [(eid, bool(flag), workers, by) for eid, flag, workers, by in rows] == [
        (1, False, None, "a"),  # a sawmill is not in Art. 8
        (2, True, None, "b"),  # a brick kiln is (group 4)
        (3, True, None, "c"),
    ]
    assert snapshot == SNAPSHOT


def test_the_database_refuses_a_count_of_hazardous_workers_out_of_range(db_url):
    with open_store(db_url, upgrade=True) as store:
        with store.transaction() as conn:
            conn.execute(sa.text(AT_0004[0]))
        store.add_establishment(**{**BASE, "sector": "mining", "hazardous_workers": 30})
        refused = pytest.raises(StoreError, match="ck_establishments_hazardous_workers_range")
        with refused, store.transaction() as conn:
            conn.execute(sa.text("UPDATE establishments SET hazardous_workers = -1"))
        assert store.establishments()["hazardous_workers"].tolist() == [30]
