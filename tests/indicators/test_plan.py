"""Plan files: the shipped plan, its trajectory, every problem with file, target and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from audit_lib.core.errors import PlanError, Reason
from audit_lib.indicators import load_plan, validate_plan

PLAN = Path(__file__).resolve().parents[2] / "data" / "plans" / "453-KH-HU.yaml"
SEED = Path("/work/shared/seed/000_edfc566553c2d51b.txt")


def shipped() -> dict:
    return yaml.safe_load(PLAN.read_text(encoding="utf-8"))


def write(tmp_path, data, name="plan.yaml") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_plan_has_the_ten_targets_of_section_ii2():
    plan = load_plan(PLAN)
    assert [t.id for t in plan.targets] == [f"T{i}" for i in range(1, 11)]
    assert (plan.period.start, plan.period.end, plan.period.following_years) == (2021, 2025, True)
    t1 = plan.target("T1")
    assert (t1.kind, t1.rate, t1.direction, t1.factor, t1.baseline_year) == (
        "annual_change", 0.04, "decrease", 1000, 2021
    )  # fmt: skip
    assert [plan.target(t).threshold for t in ("T4", "T5", "T6", "T7", "T8", "T9")] == [
        90, 80, 80, 80, 80, 80
    ]  # fmt: skip
    assert plan.target("T6").comparison == ">=" and plan.target("T5").strict
    assert plan.target("T10").kind == "coverage"
    assert plan.covers(2027) and not plan.covers(2020)


@pytest.mark.skipif(not SEED.exists(), reason="the seed document is outside the repository")
def test_the_shipped_plan_quotes_the_plan_word_for_word():
    source = " ".join(SEED.read_text(encoding="utf-8").split())
    for target in load_plan(PLAN).targets:
        assert target.text.vi in source, target.id


def test_compound_trajectory_from_the_baseline_year():
    plan = load_plan(PLAN)
    assert plan.target("T1").target_value(0.5, 2025) == pytest.approx(0.5 * 0.96**4)
    assert plan.target("T2").target_value(100, 2023) == pytest.approx(110.25)
    assert plan.target("T4").target_value(0, 2025) == 90
    assert plan.target("T10").target_value(0, 2025) == 100


def test_targets_frame_is_bilingual():
    frame = load_plan(PLAN).targets_frame("en")
    assert list(frame["target_id"]) == [f"T{i}" for i in range(1, 11)]
    assert frame.loc[0, "text"].startswith("Reduce the frequency")


def test_another_plan_needs_no_code(tmp_path):
    data = shipped()
    data["id"] = "99-KH-TU"
    data["targets"] = data["targets"][:1]
    data["targets"][0]["factor"] = 100000
    assert validate_plan(write(tmp_path, data)) == []


def test_every_problem_is_reported_with_target_and_field(tmp_path):
    data = shipped()
    data["targets"][0]["rate"] = 4  # percent written as a whole number
    del data["targets"][1]["direction"]
    data["targets"][3]["threshold"] = 190
    data["targets"][4]["indicator"] = "trained_nobody"
    data["targets"][5]["rate"] = 0.05
    data["targets"][6]["id"] = "T6"
    data["monitored"].append({"indicator": "compliance_mean"})
    problems = validate_plan(write(tmp_path, data), lang="en")
    got = {(p.location, p.field): p for p in problems}
    assert "must be less than 1" in got["target T1", "rate"].message
    assert got["target T2", "direction"].reason == Reason.MISSING
    assert "must be at most 100" in got["target T4", "threshold"].message
    assert "trained_nobody" in got["target T5", "indicator"].message
    assert "does not apply" in got["target T6", "rate"].message
    assert got["target T6", "id"].reason == Reason.DUPLICATE
    assert got["monitored compliance_mean", "indicator"].reason == Reason.DUPLICATE
    assert all(p.file.endswith("plan.yaml") for p in problems)


def test_a_share_target_cannot_use_a_rate_indicator(tmp_path):
    data = shipped()
    data["targets"][3]["indicator"] = "fatal_frequency"
    [problem] = validate_plan(write(tmp_path, data), lang="en")
    assert (problem.location, problem.field) == ("target T4", "indicator")
    assert "rate" in problem.message


def test_yaml_syntax_error_names_its_line(tmp_path):
    path = write(tmp_path, "id: x\ntargets: [\n  - id: T1\n")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    [problem] = caught.value.problems
    assert problem.reason == Reason.SYNTAX and problem.location.startswith("line ")


def test_missing_file_and_non_mapping_are_plain_messages(tmp_path):
    [missing] = validate_plan(tmp_path / "nope.yaml", lang="en")
    assert missing.message == "file not found"
    [listed] = validate_plan(write(tmp_path, "- a\n- b\n"), lang="vi")
    assert "tệp kế hoạch" in listed.message


def test_plan_error_lists_every_problem_and_shows_as_a_table(tmp_path):
    data = shipped()
    data["period"] = {"start": 2025, "end": 2021}
    data["targets"][0]["baseline_year"] = 2030
    with pytest.raises(PlanError) as caught:
        load_plan(write(tmp_path, data), lang="en")
    cases = caught.value.failure_cases
    assert set(cases["field"]) == {"period", "baseline_year"}
    assert "2 problems in plan" in str(caught.value)
