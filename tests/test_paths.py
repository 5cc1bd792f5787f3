"""Project files are found from wherever a notebook or command runs."""

from __future__ import annotations

from pathlib import Path

from audit_lib.paths import PROJECT_ROOT, project_file
from audit_lib.plan import load_plan


def test_a_notebook_running_in_another_folder_finds_the_shipped_plan(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = load_plan("data/plans/453-KH-HU.yaml")
    assert {t.id for t in plan.targets} >= {f"T{n}" for n in range(1, 11)}


def test_a_file_in_the_working_folder_wins_over_the_project_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "units").mkdir()
    mine = tmp_path / "data" / "units" / "units.csv"
    mine.write_text("unit_code\n", encoding="utf-8")
    assert project_file("data/units/units.csv").resolve() == mine
    monkeypatch.chdir(PROJECT_ROOT)
    assert project_file("data/units/units.csv") == Path("data/units/units.csv")


def test_a_missing_file_is_returned_as_given_for_the_caller_to_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert str(project_file("no/such/plan.yaml")) == "no/such/plan.yaml"
