"""The hierarchy valid at a date, the crosswalk with shares, roll-up and name lookup."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from audit_lib.core.errors import InputError
from audit_lib.units._units import Hierarchy, check_level

BEFORE, AFTER = dt.date(2024, 12, 31), dt.date(2025, 7, 1)


def small_tree() -> Hierarchy:
    """Province P; district D (until 2025-06-30) with communes A, B, C; from July 2025
    communes X (A whole + 40 % of C) and Y (B whole + 60 % of C) directly under P."""
    cols = [
        "unit_code",
        "name_vi",
        "name_en",
        "aliases",
        "level",
        "parent_code",
        "valid_from",
        "valid_to",
    ]
    rows = [
        ("P", "Tỉnh Pê", "P province", "", "province", None, "2004-01-01", None),
        ("D", "Huyện Đê", "D district", "", "district", "P", "2004-01-01", "2025-06-30"),
        (
            "A",
            "Xã Ánh Dương",
            "Anh Duong",
            "Ánh Dương;Anh Zuong",
            "commune",
            "D",
            "2004-01-01",
            "2025-06-30",
        ),
        ("B", "Xã Bản Lang", "Ban Lang", "Bản Lang", "commune", "D", "2004-01-01", "2025-06-30"),
        ("C", "Xã Cò Ma", "Co Ma", "", "commune", "D", "2004-01-01", "2025-06-30"),
        ("X", "Xã Ánh Dương", "Anh Duong", "", "commune", "P", "2025-07-01", None),
        ("Y", "Xã Yên", "Yen", "", "commune", "P", "2025-07-01", None),
    ]
    crosswalk = pd.DataFrame(
        [
            ("A", "X", "2025-07-01", 1.0, False),
            ("C", "X", "2025-07-01", 0.4, True),
            ("C", "Y", "2025-07-01", 0.6, True),
            ("B", "Y", "2025-07-01", 1.0, False),
        ],
        columns=["old_code", "new_code", "effective_on", "share", "illustrative"],
    )
    return Hierarchy(pd.DataFrame(rows, columns=cols), crosswalk)


def test_units_valid_at_a_date_include_their_last_day():
    tree = small_tree()
    assert set(tree.valid_at(dt.date(2025, 6, 30), "commune")["unit_code"]) == {"A", "B", "C"}
    assert set(tree.valid_at(AFTER, "commune")["unit_code"]) == {"X", "Y"}
    assert tree.valid_at(AFTER, "district").empty


def test_latest_change_is_the_start_of_the_current_hierarchy():
    assert small_tree().latest_change() == AFTER


def test_a_commune_maps_to_its_district_before_the_reform():
    tree = small_tree()
    assert tree.ancestors(BEFORE, "district") == {"D": "D", "A": "D", "B": "D", "C": "D"}
    assert tree.ancestors(BEFORE, "province")["A"] == "P"


def test_old_units_are_carried_across_the_crosswalk_with_their_shares():
    m = small_tree().carry(["A", "B", "C", "X"], AFTER).set_index(["code", "unit_code"])
    assert m.loc[("A", "X"), "share"] == 1.0
    assert m.loc[("C", "X"), "share"] == pytest.approx(0.4)
    assert m.loc[("C", "Y"), "share"] == pytest.approx(0.6)
    assert m.loc[("X", "X"), "share"] == 1.0
    assert bool(m.loc[("C", "Y"), "illustrative"]) and not bool(m.loc[("A", "X"), "illustrative"])


def test_crosswalk_is_not_applied_before_it_takes_effect():
    m = small_tree().carry(["C"], BEFORE)
    assert m[["unit_code", "share"]].values.tolist() == [["C", 1.0]]


def test_roll_up_sums_numerators_and_denominators_across_merged_units():
    facts = pd.DataFrame(
        {
            "unit_code": ["A", "B", "C", "X"],
            "year": [2024, 2024, 2024, 2025],
            "deaths": [1.0, 0.0, 5.0, 2.0],
            "workers": [1000.0, 2000.0, 500.0, 1500.0],
        }
    )
    got = small_tree().roll_up(facts, ["deaths", "workers"], "commune", AFTER, by=["year"])
    got = got.set_index(["unit_code", "year"])
    # X in 2024 = A + 0.4 C: deaths 1 + 2 = 3, workers 1000 + 200 = 1200
    assert got.loc[("X", 2024), ["deaths", "workers"]].tolist() == pytest.approx([3.0, 1200.0])
    # Y in 2024 = B + 0.6 C: deaths 0 + 3 = 3, workers 2000 + 300 = 2300
    assert got.loc[("Y", 2024), ["deaths", "workers"]].tolist() == pytest.approx([3.0, 2300.0])
    assert got.loc[("X", 2025), "deaths"] == 2.0
    assert bool(got.loc[("X", 2024), "illustrative"])


def test_roll_up_to_the_district_before_the_reform_keeps_the_totals():
    facts = pd.DataFrame({"unit_code": ["A", "B", "C"], "n": [1.0, 2.0, 3.0]})
    got = small_tree().roll_up(facts, ["n"], "district", BEFORE)
    assert got[["unit_code", "n"]].values.tolist() == [["D", 6.0]]


def test_data_recorded_above_the_requested_level_is_left_out_of_that_level():
    facts = pd.DataFrame({"unit_code": ["D", "A"], "n": [10.0, 1.0]})
    tree = small_tree()
    assert tree.roll_up(facts, ["n"], "commune", BEFORE)["n"].tolist() == [1.0]
    assert tree.roll_up(facts, ["n"], "district", BEFORE)["n"].tolist() == [11.0]


def test_data_of_new_communes_go_back_to_the_old_district_that_wholly_contains_them():
    facts = pd.DataFrame({"unit_code": ["A", "X", "Y"], "year": [2025] * 3, "n": [1.0, 2.0, 4.0]})
    tree = small_tree()
    got = tree.roll_up(facts, ["n"], "district", BEFORE)
    # X (from A and part of C) and Y (from B and part of C) both lie inside D
    assert got[["unit_code", "n"]].values.tolist() == [["D", 7.0]]
    assert bool(got["illustrative"].iloc[0])  # C's split is illustrative


def test_data_of_a_new_commune_are_not_split_back_among_old_communes():
    facts = pd.DataFrame({"unit_code": ["A", "X"], "n": [1.0, 2.0]})
    got = small_tree().roll_up(facts, ["n"], "commune", BEFORE)
    assert got[["unit_code", "n"]].values.tolist() == [["A", 1.0]]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("A", "A"),
        ("anh zuong", "A"),
        ("BAN LANG", "B"),
        ("xã bản lang", "B"),
        ("co ma", "C"),
        ("yen", "Y"),
    ],
)
def test_resolve_finds_units_by_code_name_or_alias(text, code):
    assert small_tree().resolve(text, at=BEFORE if code in "ABC" else AFTER) == code


def test_resolve_prefers_the_unit_valid_at_the_date_when_names_repeat():
    tree = small_tree()
    assert tree.resolve("Ánh Dương", at=BEFORE) == "A"
    assert tree.resolve("Ánh Dương", at=AFTER) == "X"
    with pytest.raises(InputError, match="A, X"):
        tree.resolve("Ánh Dương")


def test_resolve_names_an_unknown_unit():
    with pytest.raises(InputError, match="Nowhere"):
        small_tree().resolve("Nowhere", lang="en")


def test_unknown_level_is_refused():
    with pytest.raises(InputError, match="province, district, commune"):
        check_level("village")


def test_shipped_units_carry_the_17_old_units_into_5_new_communes(root):
    tree = Hierarchy(
        pd.read_csv(root / "data/units/units.csv", dtype=str),
        pd.read_csv(root / "data/units/crosswalk.csv"),
    )
    old = tree.valid_at(BEFORE, "commune")["unit_code"]
    assert len(old) == 17
    m = tree.mapping(old, "commune", AFTER)
    assert m["code"].nunique() == 17
    assert sorted(m["unit_code"].unique()) == ["LC-DS", "LC-KL", "LC-PT", "LC-SLL", "LC-SSH"]
    assert tree.resolve("Lản Nhì Thàng") == "PT-LNT"
    assert tree.resolve("Phong Thổ", at=BEFORE) == "PT-TT"
    assert tree.resolve("huyện phong tho") == "PT"
