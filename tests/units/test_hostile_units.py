"""Hostile units and crosswalks: an old unit's records counted twice, parents that loop.

The attack: a crosswalk where one old unit's shares add up to 2 (or 1.25) carries
its records into the new communes twice over, so 12 environment-monitoring
samples become 15 or 24. Such a file is refused at import, naming the file, the
row, the field, the old unit and the sum found, and nothing is written; a
database that holds such rows anyway is refused when the hierarchy is built.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from click.testing import CliRunner

from audit_lib.cli import main
from audit_lib.core.errors import InputError, Reason, RegisterImportError
from audit_lib.core.resources import shipped
from audit_lib.registers import import_register
from audit_lib.units import (
    Hierarchy,
    crosswalk_problems,
    parent_loops,
    unbalanced_shares,
    units_problems,
)

UNITS = shipped("data", "units")
AFTER = dt.date(2025, 7, 1)
CROSSWALK_HEADER = "old_code,new_code,effective_on,share,illustrative\n"
UNITS_HEADER = "unit_code,name_vi,level,parent_code,valid_from\n"


def shipped_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    units = pd.read_csv(UNITS / "units.csv", dtype=str, keep_default_na=False)
    units = units.replace("", None)
    return units, pd.read_csv(UNITS / "crosswalk.csv")


def loaded(store):
    import_register(store, "units", UNITS / "units.csv")
    import_register(store, "crosswalk", UNITS / "crosswalk.csv")
    return store


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def located(error: InputError) -> set[tuple]:
    return {(p.location, p.field, p.reason) for p in error.problems}


# -- the shipped files -----------------------------------------------------------------


def test_the_shipped_units_and_crosswalk_pass_every_rule(store):
    units, crosswalk = shipped_frames()
    assert unbalanced_shares(crosswalk).empty
    assert parent_loops(units) == []
    assert crosswalk_problems(crosswalk) == [] and units_problems(units) == []
    tree = Hierarchy(units, crosswalk)
    # the five communes of Phong Thổ and Đoàn Kết ward, where Lản Nhì Thàng went
    assert len(tree.valid_at(AFTER, "commune")) == 6
    loaded(store)
    assert len(store.crosswalk()) == 19


# -- shares that do not add up to 1 ----------------------------------------------------


def test_an_old_unit_carried_twice_over_is_refused_and_nothing_is_written(store, tmp_path):
    loaded(store)
    before = store.crosswalk()
    # PT-NX already goes whole to LC-SSH: a second whole share makes it count twice
    path = write(tmp_path / "cw.csv", CROSSWALK_HEADER + "PT-NX,LC-PT,2025-07-01,1,Có\n")
    with pytest.raises(RegisterImportError) as raised:
        import_register(store, "crosswalk", path, lang="en")
    [problem] = raised.value.problems
    assert (problem.file, problem.location, problem.field) == (str(path), "row 2", "share")
    assert problem.reason == Reason.CONSISTENCY
    assert problem.message == (
        "the shares of old unit PT-NX on 2025-07-01 add up to 2 (LC-PT 1 + LC-SSH 1), not 1: "
        "each of its records would count 2 times"
    )
    pd.testing.assert_frame_equal(store.crosswalk(), before)


def test_every_row_of_an_unbalanced_old_unit_is_named_in_both_languages(sqlite_store, tmp_path):
    loaded(sqlite_store)
    path = write(
        tmp_path / "cw.csv",
        CROSSWALK_HEADER
        + "PT-SSH,LC-SSH,2025-07-01,1,Có\n"
        + "PT-SSH,LC-PT,2025-07-01,1,Có\n"
        + "PT-HT,LC-KL,2025-07-01,0.5,Có\n"
        + "PT-DS,LC-DS,2025-07-01,1,Có\n",
    )
    with pytest.raises(RegisterImportError) as raised:
        import_register(sqlite_store, "crosswalk", path)
    assert located(raised.value) == {
        ("dòng 2", "share", Reason.CONSISTENCY),
        ("dòng 3", "share", Reason.CONSISTENCY),
        ("dòng 4", "share", Reason.CONSISTENCY),
    }
    messages = [p.message for p in raised.value.problems]
    assert "tổng tỷ lệ của đơn vị cũ PT-SSH ngày 2025-07-01 là 2 " in messages[0]
    assert "đơn vị cũ PT-HT ngày 2025-07-01 là 0.5 (LC-KL 0.5)" in messages[2]
    assert sqlite_store.crosswalk().set_index("old_code").at["PT-HT", "share"] == 1.0


def test_a_split_whose_shares_add_up_to_1_within_rounding_is_accepted(sqlite_store, tmp_path):
    loaded(sqlite_store)
    path = write(
        tmp_path / "cw.csv",
        CROSSWALK_HEADER
        + "PT-NX,LC-KL,2025-07-01,0.3333,Có\n"
        + "PT-NX,LC-PT,2025-07-01,0.3333,Có\n"
        + "PT-NX,LC-SSH,2025-07-01,0.3333,Có\n",
    )
    assert import_register(sqlite_store, "crosswalk", path).counts == {
        "inserted": 2,
        "updated": 1,
        "unchanged": 0,
    }
    samples = pd.DataFrame({"unit_code": ["PT-NX"], "samples": [12.0]})
    tree = Hierarchy(sqlite_store.units(), sqlite_store.crosswalk())
    rolled = tree.roll_up(samples, ["samples"], "commune", AFTER)
    assert rolled["samples"].sum() == pytest.approx(12 * 0.9999)


def test_a_database_holding_a_doubled_old_unit_is_refused_not_counted_twice():
    units, crosswalk = shipped_frames()
    extra = pd.DataFrame(
        [("PT-NX", "LC-PT", "2025-07-01", 0.25, True)],
        columns=["old_code", "new_code", "effective_on", "share", "illustrative"],
    )
    doubled = pd.concat([crosswalk, extra], ignore_index=True)
    samples = pd.DataFrame({"unit_code": ["PT-NX"], "samples": [12.0]})
    assert Hierarchy(units, crosswalk).roll_up(samples, ["samples"], "commune", AFTER)[
        "samples"
    ].sum() == pytest.approx(12)
    with pytest.raises(InputError) as raised:
        Hierarchy(units, doubled)  # rolled up, the 12 samples were 15
    [problem] = raised.value.problems
    assert (problem.file, problem.location, problem.field) == ("crosswalk", "PT-NX", "share")
    assert "add up to 1.25 (LC-PT 0.25 + LC-SSH 1), not 1" in problem.message
    assert "tổng tỷ lệ của đơn vị cũ PT-NX" in problem.message


# -- parents that loop -----------------------------------------------------------------


def test_units_whose_parents_loop_are_refused_at_import_and_nothing_is_written(store, tmp_path):
    loaded(store)
    before = store.units()
    path = write(
        tmp_path / "units.csv",
        UNITS_HEADER
        + "QA,Xã A,commune,QB,2004-01-01\n"
        + "QB,Xã B,commune,QA,2004-01-01\n"
        + "QC,Xã C,commune,QC,2004-01-01\n"
        + "QD,Xã D,commune,PT,2004-01-01\n",
    )
    with pytest.raises(RegisterImportError) as raised:
        import_register(store, "units", path, lang="en")
    assert located(raised.value) == {
        ("row 2", "parent_code", Reason.CONSISTENCY),
        ("row 3", "parent_code", Reason.CONSISTENCY),
        ("row 4", "parent_code", Reason.CONSISTENCY),
    }
    messages = {p.location: p.message for p in raised.value.problems}
    assert messages["row 2"] == "the chain of parent units loops: QA → QB → QA"
    assert messages["row 4"] == "the chain of parent units loops: QC → QC"
    pd.testing.assert_frame_equal(store.units(), before)


def test_a_loop_through_a_stored_unit_is_refused(sqlite_store, tmp_path):
    loaded(sqlite_store)
    path = write(tmp_path / "units.csv", UNITS_HEADER + "PT,Huyện Phong Thổ,district,PT-NX,\n")
    with pytest.raises(RegisterImportError, match="PT → PT-NX → PT"):
        import_register(sqlite_store, "units", path, lang="en")


def test_a_hierarchy_with_a_loop_or_a_unit_its_own_parent_is_refused():
    units, crosswalk = shipped_frames()
    units.loc[units["unit_code"] == "LC", "parent_code"] = "PT"
    with pytest.raises(InputError, match="LC → PT → LC"):
        Hierarchy(units, crosswalk)
    units, crosswalk = shipped_frames()
    units.loc[units["unit_code"] == "LC-KL", "parent_code"] = "LC-KL"
    with pytest.raises(InputError) as raised:
        Hierarchy(units, crosswalk)
    [problem] = raised.value.problems
    assert (problem.file, problem.location, problem.field) == ("units", "LC-KL", "parent_code")
    assert "LC-KL → LC-KL" in problem.message


def test_a_code_that_changed_parent_is_no_loop():
    units = pd.DataFrame(
        {"unit_code": ["P", "D1", "D2", "X", "X"], "parent_code": [None, "P", "P", "D1", "D2"]}
    )
    assert parent_loops(units) == []
    units.loc[1, "parent_code"] = "X"
    assert parent_loops(units) == [["D1", "X"]]


def test_the_command_line_refuses_a_doubled_crosswalk_without_a_traceback(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade", "--db", url]).exit_code == 0
    for kind in ("units", "crosswalk"):
        done = runner.invoke(main, ["import", kind, str(UNITS / f"{kind}.csv"), "--db", url])
        assert done.exit_code == 0, done.output
    path = write(tmp_path / "cw.csv", CROSSWALK_HEADER + "PT-NX,LC-PT,2025-07-01,1,Có\n")
    result = runner.invoke(main, ["import", "crosswalk", str(path), "--db", url, "--lang", "en"])
    assert result.exit_code == 1
    assert "row 2: share: the shares of old unit PT-NX on 2025-07-01 add up to 2" in result.output
    assert "Traceback" not in result.output
