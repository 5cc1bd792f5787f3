"""Shipped files are found from wherever a notebook or command runs; user data has one home."""

from __future__ import annotations

from pathlib import Path

from audit_lib.core.resources import checkout_root, home, locate, shipped
from audit_lib.indicators import load_plan


def test_a_notebook_running_in_another_folder_finds_the_shipped_plan(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = load_plan("data/plans/453-KH-HU.yaml")
    assert {t.id for t in plan.targets} >= {f"T{n}" for n in range(1, 11)}


def test_a_file_in_the_working_folder_wins_over_the_shipped_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "units").mkdir(parents=True)
    mine = tmp_path / "data" / "units" / "units.csv"
    mine.write_text("unit_code\n", encoding="utf-8")
    assert locate("data/units/units.csv").resolve() == mine
    monkeypatch.chdir(tmp_path / "data")
    assert locate("data/units/units.csv") == shipped("data", "units", "units.csv")


def test_a_missing_file_is_returned_as_given_for_the_caller_to_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert str(locate("no/such/plan.yaml")) == "no/such/plan.yaml"


def test_shipped_resources_are_the_checkouts_folders_when_running_from_source():
    root = checkout_root()
    assert root is not None and (root / "pyproject.toml").is_file()
    assert shipped("checklists") == root / "checklists"
    assert (shipped("notebooks") / "inspection_report.ipynb").is_file()


def test_user_data_lives_under_audit_home_when_it_is_set(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIT_HOME", str(tmp_path))
    assert home() == tmp_path
    monkeypatch.delenv("AUDIT_HOME")
    assert home() == checkout_root()


def test_store_default_database_follows_the_home(tmp_path, monkeypatch):
    from audit_lib.store import default_db_url

    monkeypatch.delenv("AUDIT_DB_URL", raising=False)
    monkeypatch.setenv("AUDIT_HOME", str(tmp_path))
    assert default_db_url() == f"sqlite:///{Path(tmp_path) / 'data' / 'audit.db'}"
