"""One establishment, three doors: the store, the form and a register import accept and
refuse it alike, name the same fields, and store it the same way."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from audit_lib.core.errors import InputError, Reason, RegisterImportError
from audit_lib.form import FormSession
from audit_lib.registers import import_register
from audit_lib.sample._sample import establishments as sample_establishments
from audit_lib.store import check_establishments, open_store, schema

MINE = {
    "code": "6200123456",
    "name": "Công ty TNHH Khai khoáng Nậm Xe",
    "kind": "enterprise",
    "sector": "mining",
    "unit_code": "PT-NX",
    "workforce": 40,
    "strict_workers": 5,
    "has_strict_equipment": True,
    "labour_relations": True,
    "employs_minors": False,
}

CASES = {
    "a tax code": ({}, set()),
    "a branch's tax code": ({"code": "6200123456-001"}, set()),
    "a tax code with spaces around it": ({"code": " 6200123456 "}, set()),
    "a one-character code": ({"code": "1"}, {"code"}),
    "nine digits": ({"code": "620012345"}, {"code"}),
    "a branch suffix of two digits": ({"code": "6200123456-01"}, {"code"}),
    "an enterprise with a registration number": ({"code": "62H00000001"}, {"code"}),
    "a household with its registration number": (
        {"code": "62H00000001", "kind": "household"},
        set(),
    ),
    "a household with a tax code": ({"kind": "household"}, set()),
    "a household number of two characters": ({"code": "6H", "kind": "household"}, {"code"}),
    "no code": ({"code": ""}, {"code"}),
    "a two-letter name": ({"name": "AB"}, {"name"}),
    "a name with extra spaces": ({"name": "  Xưởng   gỗ  Đức Thành "}, set()),
    "an unknown sector": ({"sector": "fishing"}, {"sector"}),
    "an unknown commune": ({"unit_code": "XA-KHONG-CO"}, {"unit_code"}),
    "no commune": ({"unit_code": None}, {"unit_code"}),
    "more strict-job workers than workers": ({"workforce": 4, "strict_workers": 5},
                                             {"strict_workers"}),
    "a negative workforce": ({"workforce": -1}, {"workforce"}),
    "workers in hazardous jobs not known": ({"hazardous_workers": None}, set()),
    "some workers in hazardous jobs": ({"hazardous_workers": 12}, set()),
    "more workers in hazardous jobs than workers": ({"workforce": 4, "strict_workers": 2,
                                                     "hazardous_workers": 5},
                                                    {"hazardous_workers"}),
    "a VSIC code": ({"vsic": "B0722"}, set()),
    "a VSIC code that is not one": ({"vsic": "khai khoáng"}, {"vsic"}),
    "high risk given as the law derives it": ({"high_risk": True}, set()),
    "high risk set by hand against the law": ({"high_risk": False}, {"high_risk"}),
    "several problems at once": ({"code": "1", "name": "A", "unit_code": None},
                                 {"code", "name", "unit_code"}),
}  # fmt: skip


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory):
    """A migrated SQLite file with the commune PT-NX, copied for each door."""
    path = tmp_path_factory.mktemp("rules") / "template.db"
    store = open_store(f"sqlite:///{path}", upgrade=True)
    with store.transaction() as conn:
        conn.execute(sa.insert(schema.units).values(unit_code="PT-NX", name_vi="Nậm Xe",
                                                    level="commune"))  # fmt: skip
    store.close()
    return path


@pytest.fixture
def stores(empty_db, tmp_path):
    """Three stores with the same units: one per door."""
    opened = {}
    for door in ("store", "form", "register"):
        shutil.copy(empty_db, tmp_path / f"{door}.db")
        opened[door] = open_store(f"sqlite:///{tmp_path / door}.db")
    yield opened
    for store in opened.values():
        store.close()


def through_the_store(store, attrs) -> set[str]:
    try:
        store.add_establishment(**attrs)
    except InputError as error:
        return {p.field for p in error.problems}
    return set()


def through_the_form(store, attrs) -> set[str]:
    session = FormSession(store, checklists={}, lang="en")
    try:
        session.register(attrs)
    except InputError as error:
        return {p.field for p in error.problems}
    return set()


def through_a_register(store, attrs, path) -> set[str]:
    cells = {k: {True: "Có", False: "Không", None: ""}.get(v, v) for k, v in attrs.items()}
    pd.DataFrame([cells]).to_csv(path, index=False)
    try:
        import_register(store, "establishments", path, lang="en")
    except RegisterImportError as error:
        return {p.field for p in error.problems}
    return set()


def stored(store) -> list[dict]:
    frame = store.establishments().drop(columns="establishment_id")
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def through_every_door(stores, attrs, path) -> dict[str, set[str]]:
    """The fields each door refused ``attrs`` for (none: it was stored)."""
    return {
        "store": through_the_store(stores["store"], attrs),
        "form": through_the_form(stores["form"], attrs),
        "register": through_a_register(stores["register"], attrs, path),
    }


@pytest.mark.parametrize("change, refused", CASES.values(), ids=CASES)
def test_the_same_establishment_is_accepted_or_refused_alike_by_every_door(
    stores, tmp_path, change, refused
):
    found = through_every_door(stores, {**MINE, **change}, tmp_path / "est.csv")
    assert found == dict.fromkeys(found, refused)
    rows = {door: stored(store) for door, store in stores.items()}
    assert rows["store"] == rows["form"] == rows["register"]
    assert len(rows["store"]) == (0 if refused else 1)


def test_every_door_stores_the_establishment_tidied_the_same_way(stores, tmp_path):
    attrs = {**MINE, "code": " 6200123456 ", "name": "  Xưởng   gỗ  Đức Thành ", "workforce": "40"}
    assert through_every_door(stores, attrs, tmp_path / "est.csv") == dict.fromkeys(stores, set())
    rows = [stored(store) for store in stores.values()]
    assert rows[0] == rows[1] == rows[2]
    (row,) = rows[0]
    assert (row["code"], row["name"], row["workforce"]) == ("6200123456", "Xưởng gỗ Đức Thành", 40)


def test_a_code_already_taken_is_refused_when_adding_and_names_the_other_establishment(stores):
    store = stores["store"]
    store.add_establishment(**MINE)
    session = FormSession(store, checklists={}, lang="vi")
    _, problems = session.check_establishment({**MINE, "name": "Cơ sở khác"})
    (problem,) = problems
    assert (problem.field, problem.reason) == ("code", Reason.DUPLICATE)
    assert "Công ty TNHH Khai khoáng Nậm Xe" in problem.message
    with pytest.raises(InputError, match="already exists"):
        store.add_establishment(**{**MINE, "name": "Cơ sở khác"})


def test_a_message_names_the_field_in_both_languages_when_no_language_is_asked(stores):
    with pytest.raises(InputError) as raised:
        stores["store"].add_establishment(**{**MINE, "code": "1"})
    (problem,) = raised.value.problems
    assert problem.message.startswith("Tax or registration code: a tax code is 10 digits")
    assert "(Mã số thuế hoặc số đăng ký: mã số thuế gồm 10 chữ số" in problem.message


def test_a_register_of_many_rows_is_checked_row_by_row_in_the_files_words():
    frame = pd.DataFrame([MINE, {**MINE, "code": "12", "workforce": "nhiều"}], dtype=object)
    rows = ["dòng 2", "dòng 3"]
    headers = {"code": "Mã số thuế", "workforce": "Số lao động"}
    tidied, problems = check_establishments(
        frame, {"PT-NX"}, locations=rows, fields=headers, lang="vi"
    )
    assert [(p.location, p.field, p.reason) for p in problems] == [
        ("dòng 3", "Mã số thuế", Reason.VALUE),
        ("dòng 3", "Số lao động", Reason.TYPE),
    ]
    assert problems[1].message == "Số lao động: phải là số nguyên không âm"
    assert tidied["workforce"].tolist() == [40, "nhiều"]


def test_the_sample_generators_establishments_meet_the_rules(root):
    units = pd.read_csv(root / "data" / "units" / "units.csv")
    crosswalk = pd.read_csv(root / "data" / "units" / "crosswalk.csv")
    moved = dict(zip(crosswalk["old_code"], crosswalk["new_code"], strict=True))
    frame = sample_establishments(np.random.default_rng(453), 2000, moved, 2021, 2025)
    assert set(frame["kind"]) == {"enterprise", "cooperative", "household", "other"}
    _, problems = check_establishments(frame, set(units["unit_code"]))
    assert problems == []
