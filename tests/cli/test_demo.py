"""`make demo`: the sample database and the batch it plans (the reports themselves are
executed by tests/test_reports.py; the whole demo takes minutes, so it is not run here)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from audit_lib.cli import _demo as demo
from audit_lib.cli import main
from audit_lib.store import open_store


def test_demo_plans_one_record_per_final_visit_of_the_year_and_a_monitoring_report_per_unit(
    sample_db,
):
    url = sample_db  # the demo's sample, smaller
    with open_store(url) as store:
        visits = store.visits()
    expected = set(visits.loc[visits["visited_on"].dt.year == 2025, "visit_id"])

    records, monitoring = demo.plan_jobs(url, 2025, "vi")

    assert len(records) == len(expected)  # one record per visit, not one per checklist
    assert {job.parameters["visit_id"] for job in records} == expected
    units = [job.parameters["unit"] for job in monitoring]
    assert units == ["PT", "LC-DS", "LC-KL", "LC-PT", "LC-SLL", "LC-SSH"]
    assert {job.parameters["period"] for job in monitoring} == {"2021-2025"}


@pytest.mark.slow  # builds the full-size sample twice
def test_demo_rebuilds_its_database_from_scratch_each_time(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIT_HOME", str(tmp_path))
    first = demo.build_database()
    second = demo.build_database()
    assert first == second == f"sqlite:///{tmp_path / 'data' / 'sample.db'}"
    with open_store(second) as store:
        assert store.counts()["establishments"] == 300


def test_demo_help_says_what_it_does_in_both_languages():
    result = CliRunner().invoke(main, ["demo", "--help"])
    assert result.exit_code == 0
    assert "Build the Phong Thổ sample database" in result.output
    assert "báo cáo theo dõi" in result.output
