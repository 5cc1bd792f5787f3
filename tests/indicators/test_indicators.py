"""Indicators on small hand-computed data sets: one per indicator and per verdict.

The units (``small_tree`` in ``test_units.py``): province P; district D until
2025-06-30 with communes A, B, C; from 2025-07-01 communes X (A + 40 % of C)
and Y (B + 60 % of C).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_lib.core.errors import InputError
from audit_lib.indicators import Plan, load_plan
from audit_lib.indicators._compute import CATALOGUE, COLUMNS, Frames, compute
from tests.units.test_units import small_tree

BEFORE, AFTER = dt.date(2024, 12, 31), dt.date(2025, 7, 1)
TEXT = {"vi": "x", "en": "x"}


def plan(*targets, monitored=()) -> Plan:
    return Plan.model_validate(
        {
            "id": "test",
            "title": TEXT,
            "issuer": TEXT,
            "date": dt.date(2024, 8, 13),
            "source": {"document": TEXT},
            "period": {"start": 2021, "end": 2025, "following_years": True},
            "targets": [
                {"id": f"T{i}", "text": TEXT, "numerator": TEXT, **t}
                for i, t in enumerate(targets, 1)
            ],
            "monitored": [{"indicator": m} for m in monitored],
        }
    )


def decrease(indicator="fatal_frequency", rate=0.04):
    return {"indicator": indicator, "kind": "annual_change", "rate": rate, "direction": "decrease",
            "baseline_year": 2021, "factor": 1000}  # fmt: skip


def increase(indicator):
    return {"indicator": indicator, "kind": "annual_change", "rate": 0.05, "direction": "increase",
            "baseline_year": 2021}  # fmt: skip


def share(indicator, threshold=80, comparison=">"):
    return {"indicator": indicator, "kind": "share", "threshold": threshold,
            "comparison": comparison, "factor": 100}  # fmt: skip


def frames(**parts) -> Frames:
    tree = small_tree()
    registers = {k: parts.pop(k) for k in list(parts) if k not in Frames.__dataclass_fields__}
    return Frames(units=tree.units, crosswalk=tree.crosswalk, registers=registers, **parts)


def workforce(rows):
    return pd.DataFrame(rows, columns=["unit_code", "year", "workers"]).assign(
        workers_labour_relations=0
    )


def accidents(rows):
    cols = ["accident_id", "occurred_on", "unit_code", "deaths", "victims", "labour_relations",
            "declared_on", "investigation_completed_on", "handled"]  # fmt: skip
    df = pd.DataFrame(rows, columns=cols)
    for c in ("occurred_on", "declared_on", "investigation_completed_on"):
        df[c] = pd.to_datetime(df[c]).dt.date
    return df


def row(table, unit, indicator, period="2025"):
    hit = table[
        (table.unit_code == unit) & (table.indicator == indicator) & (table.period == period)
    ]
    assert len(hit) == 1, hit
    return hit.iloc[0]


# T1: a rate, judged against a compound trajectory -----------------------------------------


def t1_frames():
    # A: deaths 1, 2, 1, 1, 0 in 2021-2025 over 2000, 2000, 2000, 2500, 2500 workers
    deaths = [("a1", "2021-03-01", 1), ("a2", "2022-02-01", 1), ("a3", "2022-09-01", 1),
              ("a4", "2023-05-01", 1), ("a5", "2024-11-01", 1)]  # fmt: skip
    acc = accidents([(i, d, "A", n, n, True, None, None, False) for i, d, n in deaths])
    years = [2021, 2022, 2023, 2024, 2025]
    work = workforce(
        [("A", y, w) for y, w in zip(years, [2000, 2000, 2000, 2500, 2500], strict=True)]
    )
    return frames(accidents=acc, workforce=work)


def test_fatal_frequency_with_zero_deaths_is_too_few_to_tell():
    table = compute(plan(decrease()), t1_frames(), [2025], at=BEFORE, lang="en")
    r = row(table, "A", "fatal_frequency")
    assert (r.numerator, r.denominator, r.value) == (0.0, 2500.0, 0.0)
    assert r.ci_low == 0.0
    assert r.ci_high == pytest.approx(3.6889 * 1000 / 2500, abs=1e-3)
    assert r.baseline_value == pytest.approx(0.5)  # 1 death per 2,000 workers x 1,000
    assert r.target_value == pytest.approx(0.5 * 0.96**4)  # 0.42467
    # values 0.5, 1.0, 0.5, 0.4, 0: changes +100 %, -50 %, -20 %, -100 %
    assert r.mean_yoy_change == pytest.approx(-0.175)
    assert r.verdict == "too_few"
    assert r.verdict_label == "Too few events to tell"


def test_fatal_frequency_well_below_the_trajectory_is_achieved_and_above_is_not():
    # A: 100 deaths per 10,000 in 2021 (10 per 1,000), then 20; B: 100 then 150
    acc = accidents(
        [
            ("a", "2021-01-01", "A", 100, 100, True, None, None, False),
            ("b", "2025-01-01", "A", 20, 20, True, None, None, False),
            ("c", "2021-01-01", "B", 100, 100, True, None, None, False),
            ("d", "2025-01-01", "B", 150, 150, True, None, None, False),
        ]  # fmt: skip
    )
    work = workforce([(u, y, 10_000) for u in "AB" for y in (2021, 2025)])
    table = compute(plan(decrease()), frames(accidents=acc, workforce=work), [2025], at=BEFORE)
    a, b = row(table, "A", "fatal_frequency"), row(table, "B", "fatal_frequency")
    assert a.target_value == pytest.approx(8.4935, abs=1e-4)
    assert a.ci_high == pytest.approx(3.0888, abs=1e-4)  # Poisson upper for 20, per 10,000
    assert a.verdict == "achieved"
    assert b.ci_low == pytest.approx(12.6956, abs=1e-4)
    assert b.verdict == "not_achieved"
    assert math.isnan(a.mean_yoy_change)  # 2022-2024 have no data


def test_zero_denominator_is_no_data_never_zero_or_an_error():
    acc = accidents([("a", "2025-01-01", "C", 1, 1, True, None, None, False)])
    work = workforce([("C", 2025, 0)])
    table = compute(plan(decrease()), frames(accidents=acc, workforce=work), [2025], at=BEFORE)
    r = row(table, "C", "fatal_frequency")
    assert r.numerator == 1.0 and r.denominator == 0.0
    assert math.isnan(r.value) and math.isnan(r.ci_low) and math.isnan(r.ci_high)
    assert r.verdict == "no_data"


def test_a_unit_with_no_data_at_all_still_appears_with_no_data():
    table = compute(plan(decrease()), t1_frames(), [2025], at=BEFORE)
    assert sorted(table["unit_code"]) == ["A", "B", "C"]
    b = row(table, "B", "fatal_frequency")
    assert math.isnan(b.value) and b.verdict == "no_data" and b.verdict_label == "Không có số liệu"


def test_the_baseline_year_itself_is_not_judged():
    table = compute(plan(decrease()), t1_frames(), [2021], at=BEFORE, lang="en")
    r = row(table, "A", "fatal_frequency", "2021")
    assert r.value == 0.5 and pd.isna(r.verdict) and "baseline year 2021" in r.note


def test_roll_up_to_the_district_sums_numerators_and_denominators():
    acc = accidents(
        [
            ("a", "2025-01-01", "A", 1, 1, True, None, None, False),
            ("b", "2025-02-01", "B", 3, 3, True, None, None, False),
        ]  # fmt: skip
    )
    work = workforce([("A", 2025, 1000), ("B", 2025, 3000), ("C", 2025, 4000)])
    table = compute(
        plan(decrease()), frames(accidents=acc, workforce=work), [2025], level="district", at=BEFORE
    )
    r = row(table, "D", "fatal_frequency")
    # (1 + 3 + 0) deaths x 1,000 / 8,000 workers, not the mean of 1, 1 and 0
    assert (r.numerator, r.denominator, r.value) == (4.0, 8000.0, 0.5)
    assert r.level == "district" and r.unit_name == "Huyện Đê"


def test_units_merged_by_the_crosswalk_carry_their_old_data():
    acc = accidents(
        [
            ("a", "2024-01-01", "A", 1, 1, True, None, None, False),
            ("c", "2024-02-01", "C", 5, 5, True, None, None, False),
        ]  # fmt: skip
    )
    work = workforce([("A", 2024, 1000), ("B", 2024, 2000), ("C", 2024, 500)])
    table = compute(
        plan(decrease()), frames(accidents=acc, workforce=work), [2024], at=AFTER, lang="en"
    )
    x, y = row(table, "X", "fatal_frequency", "2024"), row(table, "Y", "fatal_frequency", "2024")
    # X = A + 40 % of C: 1 + 2 deaths over 1,000 + 200 workers
    assert (x.numerator, x.denominator) == pytest.approx((3.0, 1200.0))
    assert x.value == pytest.approx(2.5)
    # Y = B + 60 % of C: 0 + 3 deaths over 2,000 + 300 workers
    assert (y.numerator, y.denominator) == pytest.approx((3.0, 2300.0))
    assert x.illustrative and "crosswalk" not in x.note
    assert set(table["unit_code"]) == {"X", "Y"}


def test_half_years_use_the_annual_target_pro_rata():
    acc = accidents(
        [
            ("a", "2021-03-01", "A", 2, 2, True, None, None, False),
            ("b", "2025-08-01", "A", 1, 1, True, None, None, False),
        ]  # fmt: skip
    )
    work = workforce([("A", 2021, 1000), ("A", 2025, 1000)])
    table = compute(
        plan(decrease()), frames(accidents=acc, workforce=work), [2025], at=BEFORE,
        period="half", lang="en",
    )  # fmt: skip
    h1, h2 = (
        row(table, "A", "fatal_frequency", "2025-H1"),
        row(table, "A", "fatal_frequency", "2025-H2"),
    )
    assert (h1.numerator, h2.numerator) == (0.0, 1.0)
    assert h1.baseline_value == 1.0  # 2 per 1,000 a year, half of it
    assert h1.target_value == pytest.approx(0.96**4)
    assert "pro rata" in h1.note


def test_pooled_years_sum_events_and_weigh_the_trajectory_by_workers():
    table = compute(
        plan(decrease()), t1_frames(), [2021, 2022, 2023, 2024, 2025], level="district",
        at=BEFORE, pool_years=True,
    )  # fmt: skip
    r = row(table, "D", "fatal_frequency", "2021–2025")
    assert (r.numerator, r.denominator) == (5.0, 11000.0)
    weights = np.array([2000, 2000, 2000, 2500, 2500])
    expected = 0.5 * (weights * 0.96 ** np.arange(5)).sum() / weights.sum()
    assert r.target_value == pytest.approx(expected)
    assert r.verdict == "too_few"


def test_rolling_pools_of_three_years_end_at_each_year():
    table = compute(plan(decrease()), t1_frames(), [2024, 2025], at=BEFORE, pool_years=3)
    assert sorted(table["period"].unique()) == ["2022–2024", "2023–2025"]
    r = row(table, "A", "fatal_frequency", "2023–2025")
    assert (r.numerator, r.denominator) == (2.0, 7000.0)


# T2, T3: counts with an annual increase ---------------------------------------------------


def test_od_examinations_judged_against_5_percent_a_year():
    rows = [(u, 2021, 100) for u in "ABC"] + [("A", 2025, 150), ("B", 2025, 110), ("C", 2025, 80)]
    od = pd.DataFrame(rows, columns=["unit_code", "year", "workers_examined"])
    table = compute(plan(increase("od_examined")), frames(od_exams=od), [2025], at=BEFORE)
    a, b, c = (row(table, u, "od_examined") for u in "ABC")
    assert a.target_value == pytest.approx(121.550625)
    assert math.isnan(a.denominator)
    assert a.ci_low == pytest.approx(126.956, abs=1e-3) and a.verdict == "achieved"
    assert b.verdict == "too_few"
    assert c.ci_high == pytest.approx(99.567, abs=1e-3) and c.verdict == "not_achieved"


def test_env_monitoring_counts_each_establishment_once_from_register_and_inspections():
    est = pd.DataFrame(
        {"establishment_id": [1, 2, 3, 4], "code": ["E1", "E2", "E3", "E4"], "unit_code": "A",
         "kind": "enterprise", "high_risk": False, "active_from": None, "active_to": None}
    )  # fmt: skip
    env = pd.DataFrame(
        {"year": [2021, 2025, 2025], "unit_code": "A", "establishment_code": ["E1", "E1", "E2"],
         "monitored_on": pd.to_datetime(["2021-05-01", "2025-05-01", "2025-06-01"]).date}
    )  # fmt: skip
    insp = pd.DataFrame(
        {"inspection_id": ["i2", "i3", "i4"], "establishment_id": [2, 3, 4], "checklist_id": "g",
         "inspected_on": pd.to_datetime(["2025-03-01"] * 3).date, "status": "final"}
    )  # fmt: skip
    resp = pd.DataFrame(
        {"inspection_id": ["i2", "i3", "i4"], "item_id": "G.ENV.01",
         "answer": ["compliant", "compliant", "noncompliant"], "value": np.nan}
    )  # fmt: skip
    feeds = pd.DataFrame(
        {"checklist_id": ["g"], "item_id": ["G.ENV.01"], "indicator": ["T1"], "role": ["numerator"]}
    )
    f = frames(
        establishments=est, inspections=insp, responses=resp, feeds=feeds, env_monitoring=env
    )
    r = row(compute(plan(increase("env_monitored")), f, [2025], at=BEFORE), "A", "env_monitored")
    # E1, E2 from the register, E3 from its inspection; E4 answered "not done"
    assert r.value == 3.0
    assert r.baseline_value == 1.0 and r.target_value == pytest.approx(1.05**4)


# T4-T7: shares of people trained ---------------------------------------------------------


def training(rows):
    return pd.DataFrame(
        rows,
        columns=["year", "unit_code", "establishment_code", "category", "headcount", "trained"],
    )


def test_share_verdicts_wilson_intervals_against_a_strict_threshold():
    reg = training(
        [
            (2025, "A", None, "unit_manager", 10, 8),
            (2025, "B", None, "unit_manager", 100, 99),
            (2025, "C", None, "unit_manager", 10, 2),
        ]  # fmt: skip
    )
    table = compute(
        plan(share("trained_unit_managers", 90)), frames(training=reg), [2025], at=BEFORE
    )
    a, b, c = (row(table, u, "trained_unit_managers") for u in "ABC")
    assert a.value == 80.0
    assert (a.ci_low, a.ci_high) == pytest.approx((49.016, 94.332), abs=1e-3)
    assert a.verdict == "too_few"
    assert b.ci_low == pytest.approx(94.551, abs=1e-3) and b.verdict == "achieved"
    assert c.ci_high == pytest.approx(50.984, abs=1e-3) and c.verdict == "not_achieved"
    assert a.target_value == 90.0


def test_exact_intervals_when_the_plan_asks_for_them():
    p = plan(share("trained_osh_staff", 80, ">=")).model_copy(update={"share_interval": "exact"})
    reg = training([(2025, "A", None, "osh_staff", 10, 8)])
    r = row(compute(p, frames(training=reg), [2025], at=BEFORE), "A", "trained_osh_staff")
    assert (r.ci_low, r.ci_high) == pytest.approx((44.39, 97.48), abs=1e-2)


def test_strict_workers_trained_combine_register_first_then_inspections():
    # E1 is in the register (9 of 10) and inspected (5 of 20); E2 only inspected (6 of 10);
    # E3's inspector gave the headcount but not how many were trained: E3 is left out;
    # E2 was inspected twice, the latest inspection counts.
    est = pd.DataFrame(
        {"establishment_id": [1, 2, 3], "code": ["E1", "E2", "E3"], "unit_code": "A",
         "kind": "enterprise", "high_risk": False, "active_from": None, "active_to": None}
    )  # fmt: skip
    insp = pd.DataFrame(
        {"inspection_id": ["i1", "i2", "i3", "i0"], "establishment_id": [1, 2, 3, 2],
         "checklist_id": "g", "status": "final",
         "inspected_on": [dt.date(2025, 3, 1), dt.date(2025, 3, 1), dt.date(2025, 4, 1),
                          dt.date(2025, 1, 5)]}
    )  # fmt: skip
    resp = pd.DataFrame(
        {"inspection_id": ["i1", "i1", "i2", "i2", "i3", "i3", "i0", "i0"],
         "item_id": ["N", "D"] * 4, "answer": None,
         "value": [5.0, 20.0, 6.0, 10.0, np.nan, 50.0, 1.0, 10.0]}
    )  # fmt: skip
    feeds = pd.DataFrame(
        {"checklist_id": "g", "item_id": ["N", "D"], "indicator": "T1",
         "role": ["numerator", "denominator"]}
    )  # fmt: skip
    reg = training([(2025, "A", "E1", "strict_worker", 10, 9)])
    f = frames(establishments=est, inspections=insp, responses=resp, feeds=feeds, training=reg)
    variants = ["trained_strict_workers_register", "trained_strict_workers_inspected"]
    p = plan(share("trained_strict_workers"), monitored=variants)
    table = compute(p, f, [2025], at=BEFORE)
    both = row(table, "A", "trained_strict_workers")
    assert (both.numerator, both.denominator, both.value) == (15.0, 20.0, 75.0)  # E1 9/10 + E2 6/10
    register = row(table, "A", "trained_strict_workers_register")
    assert (register.numerator, register.denominator) == (9.0, 10.0)
    inspected = row(table, "A", "trained_strict_workers_inspected")
    assert (inspected.numerator, inspected.denominator) == (11.0, 30.0)
    assert inspected.target_id == "" and pd.isna(inspected.verdict)
    assert inspected.verdict_label == "theo dõi"


# T8-T10 ----------------------------------------------------------------------------------


def establishments_a():
    return pd.DataFrame(
        {"establishment_id": [1, 2, 3, 4, 5], "code": ["E1", "E2", "E3", "E4", "E5"],
         "unit_code": "A", "kind": ["enterprise", "cooperative", "household", "enterprise",
                                    "enterprise"],
         "high_risk": [True, True, True, False, True],
         "active_from": [None, None, None, None, dt.date(2026, 1, 1)], "active_to": None}
    )  # fmt: skip


def test_high_risk_enterprises_and_cooperatives_reached():
    out = pd.DataFrame(
        {"year": [2025, 2025, 2024], "unit_code": "A", "establishment_code": ["E1", "E3", "E2"],
         "reached_on": [dt.date(2025, 5, 2), dt.date(2025, 5, 3), dt.date(2024, 5, 2)]}
    )  # fmt: skip
    f = frames(establishments=establishments_a(), outreach=out)
    r = row(
        compute(plan(share("high_risk_reached")), f, [2025], at=BEFORE), "A", "high_risk_reached"
    )
    # E1 and E2 count (E3 is a household, E5 not yet active); only E1 reached in 2025
    assert (r.numerator, r.denominator, r.value) == (1.0, 2.0, 50.0)
    assert r.verdict == "too_few"


def test_victims_compensated_counts_every_victim_and_the_variant_the_labour_relations_area():
    acc = accidents(
        [
            ("a1", "2025-01-01", "A", 0, 2, True, None, None, False),
            ("a2", "2025-02-01", "A", 1, 3, True, None, None, False),
            ("a3", "2025-03-01", "A", 0, 1, False, None, None, False),
        ]  # fmt: skip
    )
    comp = pd.DataFrame(
        {"accident_id": ["a1", "a1", "a2", "a2", "a3"], "victim_no": [1, 2, 1, 2, 1],
         "compensated": [True, True, True, False, True]}
    )  # fmt: skip
    f = frames(accidents=acc, compensation=comp)
    table = compute(plan(share("victims_compensated"), monitored=["victims_compensated_lr"]), f,
                    [2025], at=BEFORE)  # fmt: skip
    # T9 (the plan sets no restriction): a1 2 of 2, a2 1 of 3, a3 1 of 1 paid = 4 of 6
    r = row(table, "A", "victims_compensated")
    assert (r.numerator, r.denominator) == (4.0, 6.0)
    assert r.value == pytest.approx(66.667, abs=1e-3)
    assert (r.ci_low, r.ci_high) == pytest.approx((29.999, 90.323), abs=1e-3)
    # the labour-relations variant leaves out a3 (no labour contract): 3 of 5
    lr = row(table, "A", "victims_compensated_lr")
    assert (lr.numerator, lr.denominator, lr.value) == (3.0, 5.0, 60.0)
    assert (lr.ci_low, lr.ci_high) == pytest.approx((23.072, 88.238), abs=1e-3)


def test_fatal_accidents_coverage_every_case_or_not_achieved():
    acc = accidents(
        [
            ("a", "2025-01-01", "A", 1, 1, True, "2025-01-01", "2025-02-01", True),
            ("b", "2025-03-01", "A", 2, 2, False, "2025-03-01", "2025-04-01", True),
            ("c", "2025-01-01", "B", 1, 1, True, "2025-01-01", "2025-02-01", True),
            ("d", "2025-05-01", "B", 1, 1, True, "2025-05-01", None, False),
            ("e", "2025-05-01", "C", 0, 1, True, None, None, False),
        ]  # fmt: skip
    )
    p = plan({"indicator": "fatal_accidents_handled", "kind": "coverage", "factor": 100})
    table = compute(p, frames(accidents=acc), [2025], at=BEFORE)
    a, b, c = (row(table, u, "fatal_accidents_handled") for u in "ABC")
    assert (a.numerator, a.denominator, a.verdict) == (2.0, 2.0, "achieved")
    assert (b.numerator, b.denominator, b.verdict) == (1.0, 2.0, "not_achieved")
    assert (c.denominator, c.verdict) == (0.0, "no_data")  # a non-fatal accident only
    assert a.target_value == 100.0


def coverage_plan():
    return plan({"indicator": "fatal_accidents_handled", "kind": "coverage", "factor": 100})


def test_an_investigation_within_its_deadline_at_the_period_end_is_pending_not_missed():
    acc = accidents(
        [
            # A: one handled, one declared 10 Dec, not yet investigated on 31 Dec: 30 days
            # from the declaration end on 9 Jan, so it is pending
            ("a", "2025-03-01", "A", 1, 1, True, "2025-03-01", "2025-03-20", True),
            ("b", "2025-12-10", "A", 1, 1, True, "2025-12-10", None, False),
            # B: declared 1 Nov, not investigated by 31 Dec: 30 days ended on 1 Dec, missed
            ("c", "2025-11-01", "B", 1, 1, True, "2025-11-01", None, False),
            ("d", "2025-12-20", "B", 1, 1, True, "2025-12-20", None, False),
            # C: investigated on 15 Jan 2026, after the period's end, within its 30 days
            ("e", "2025-12-28", "C", 1, 1, True, "2025-12-28", "2026-01-15", True),
        ]  # fmt: skip
    )
    table = compute(coverage_plan(), frames(accidents=acc), [2025], at=BEFORE, lang="en")
    a, b, c = (row(table, u, "fatal_accidents_handled") for u in "ABC")
    assert (a.numerator, a.denominator, a.verdict) == (1.0, 2.0, "pending")
    assert "1 still within the investigation deadline (Law 84/2015/QH13, Art. 35)" in a.note
    # one case past its deadline is a miss, whatever else is pending
    assert (b.numerator, b.denominator, b.verdict) == (0.0, 2.0, "not_achieved")
    assert "1 still within the investigation deadline" in b.note
    # judged on 31 Dec 2025: not yet investigated then, still within the deadline
    assert (c.numerator, c.verdict) == (0.0, "pending")


def test_a_quarter_is_judged_on_its_last_day_and_as_of_on_that_day():
    acc = accidents([("a", "2025-03-20", "A", 1, 1, True, "2025-03-20", "2025-04-05", True)])
    f = frames(accidents=acc)
    q1 = row(compute(coverage_plan(), f, [2025], at=BEFORE, period="quarter"), "A",
             "fatal_accidents_handled", "2025-Q1")  # fmt: skip
    assert q1.verdict == "pending"  # on 31 Mar: declared 11 days before, 30 allowed
    year = compute(coverage_plan(), f, [2025], at=BEFORE, as_of=dt.date(2025, 4, 1))
    assert row(year, "A", "fatal_accidents_handled").verdict == "pending"
    later = compute(coverage_plan(), f, [2025], at=BEFORE, as_of=dt.date(2025, 4, 30))
    assert row(later, "A", "fatal_accidents_handled").verdict == "achieved"


def test_a_declaration_later_than_the_day_after_the_accident_is_noted():
    acc = accidents(
        [
            ("a", "2025-03-01", "A", 1, 1, True, "2025-03-02", "2025-03-20", True),  # next day
            ("b", "2025-04-01", "A", 1, 1, True, "2025-04-05", "2025-04-25", True),  # 4 days
            ("c", "2025-05-01", "B", 1, 1, True, None, "2025-05-25", True),  # never declared
        ]  # fmt: skip
    )
    table = compute(coverage_plan(), frames(accidents=acc), [2025], at=BEFORE)
    a, b = row(table, "A", "fatal_accidents_handled"), row(table, "B", "fatal_accidents_handled")
    # declared late but investigated and handled: counted, and the lateness is said
    assert (a.numerator, a.verdict) == (2.0, "achieved")
    assert "1 vụ khai báo muộn hoặc chưa khai báo (Luật 84/2015/QH13, Điều 34" in a.note
    assert (b.numerator, b.verdict) == (0.0, "not_achieved")
    assert "1 vụ khai báo muộn hoặc chưa khai báo" in b.note


def test_after_july_2025_managers_recorded_for_the_district_leave_the_t4_denominator():
    rows = [(y, u, None, "unit_manager", n, k) for y in (2024, 2025)
            for u, n, k in (("D", 10, 9), ("A", 5, 5))]  # fmt: skip
    t4 = {**share("trained_unit_managers", 90),
          "unit_levels": [{"since": dt.date(2021, 1, 1), "levels": ["district", "commune"]},
                          {"since": dt.date(2025, 7, 1), "levels": ["commune"]}]}  # fmt: skip
    table = compute(plan(t4), frames(training=training(rows)), [2024, 2025], level="district",
                    at=BEFORE)  # fmt: skip
    # 2024: the district's 10 and commune A's 5; 2025: commune A's 5 only
    y24 = row(table, "D", "trained_unit_managers", "2024")
    y25 = row(table, "D", "trained_unit_managers", "2025")
    assert (y24.numerator, y24.denominator) == (14.0, 15.0)
    assert (y25.numerator, y25.denominator) == (5.0, 5.0)


# The workbench's inspection indicators ---------------------------------------------------


def inspected_frames():
    insp = pd.DataFrame(
        {"inspection_id": ["i1", "i2", "i3"], "establishment_id": [1, 4, 1], "checklist_id": "g",
         "inspected_on": [dt.date(2025, 3, 1), dt.date(2025, 8, 1), dt.date(2025, 9, 1)],
         "status": ["final", "final", "draft"]}
    )  # fmt: skip
    # i2 has two critical findings (and a major one)
    scores = pd.DataFrame(
        {"inspection_id": ["i1", "i2"], "score": [80.0, 50.0], "weight_applicable": [10.0, 6.0],
         "weight_earned": [8.0, 3.0], "passed": [True, False], "verdict": ["pass", "fail"],
         "critical_failures": [0, 2]}
    )  # fmt: skip
    actions = pd.DataFrame(
        {"action_id": [1, 2, 3], "inspection_id": "i2",
         "due_on": [dt.date(2025, 9, 1), dt.date(2025, 10, 1), dt.date(2025, 11, 1)],
         "status": ["closed", "closed", "open"],
         "closed_on": [dt.date(2025, 8, 20), dt.date(2025, 11, 1), None]}
    )  # fmt: skip
    return frames(establishments=establishments_a(), inspections=insp, scores=scores,
                  actions=actions)  # fmt: skip


MONITORED = [
    "inspection_coverage",
    "inspection_coverage_high_risk",
    "compliance_pooled",
    "compliance_mean",
    "inspections_passed",
    "critical_findings",
    "actions_closed_on_time",
]


def test_inspection_indicators_by_hand():
    table = compute(plan(decrease(), monitored=MONITORED), inspected_frames(), [2025], at=BEFORE)
    got = {i: row(table, "A", i) for i in MONITORED}
    # E1..E4 active in 2025 (E5 opens in 2026); E1 and E4 inspected (i3 is a draft)
    assert (got["inspection_coverage"].numerator, got["inspection_coverage"].denominator) == (2, 4)
    # high-risk E1, E2, E3 active; E1 inspected
    assert got["inspection_coverage_high_risk"].value == pytest.approx(100 / 3)
    # pooled: (8 + 3) / (10 + 6); per inspection: (80 + 50) / 2
    assert got["compliance_pooled"].value == pytest.approx(68.75)
    assert got["compliance_mean"].value == 65.0
    assert got["compliance_mean"].ci_low == pytest.approx(65 - 12.706 * 21.2132 / 2**0.5, abs=1e-2)
    assert got["inspections_passed"].value == 50.0
    assert got["critical_findings"].value == 2.0 and math.isnan(
        got["critical_findings"].denominator
    )
    assert got["actions_closed_on_time"].value == pytest.approx(100 / 3)
    assert all(pd.isna(got[i].verdict) for i in MONITORED)


def test_inspection_indicators_per_quarter_and_yearly_registers_say_so():
    p = plan(share("trained_unit_managers"), monitored=["critical_findings"])
    f = inspected_frames()
    f.registers["training"] = training([(2025, "A", None, "unit_manager", 10, 9)])
    table = compute(p, f, [2025], at=BEFORE, period="quarter", lang="en")
    assert row(table, "A", "critical_findings", "2025-Q3").value == 2.0
    assert row(table, "A", "critical_findings", "2025-Q1").value == 0.0
    assert row(table, "B", "critical_findings", "2025-Q1").verdict == "no_data"
    q = row(table, "A", "trained_unit_managers", "2025-Q1")
    assert q.verdict == "no_data" and "yearly data only" in q.note


def test_actions_are_judged_at_the_end_of_their_period_not_on_the_day_computed():
    # actions of i2: due 09-01 closed 08-20 (on time), due 10-01 closed 11-01 (late),
    # due 11-01 still open; Q3 holds the first, Q4 the other two
    table = compute(plan(decrease(), monitored=["actions_closed_on_time"]), inspected_frames(),
                    [2025], at=BEFORE, period="quarter")  # fmt: skip
    q3 = row(table, "A", "actions_closed_on_time", "2025-Q3")
    q4 = row(table, "A", "actions_closed_on_time", "2025-Q4")
    assert (q3.numerator, q3.denominator, q3.value) == (1.0, 1.0, 100.0)
    assert (q4.numerator, q4.denominator, q4.value) == (0.0, 2.0, 0.0)


def test_actions_due_far_in_the_future_count_in_their_own_period():
    f = inspected_frames()
    f.actions["due_on"] = [dt.date(2099, 3, 1), dt.date(2099, 4, 1), dt.date(2099, 5, 1)]
    f.actions["closed_on"] = [dt.date(2099, 3, 1), None, None]
    table = compute(plan(decrease(), monitored=["actions_closed_on_time"]), f, [2099], at=BEFORE)
    got = row(table, "A", "actions_closed_on_time", "2099")
    assert (got.numerator, got.denominator) == (1.0, 3.0)


def test_as_of_leaves_out_the_actions_not_yet_due():
    p = plan(decrease(), monitored=["actions_closed_on_time"])
    # by 2025-10-15 two actions are due: one closed on time, one late
    mid = compute(p, inspected_frames(), [2025], at=BEFORE, as_of=dt.date(2025, 10, 15))
    got = row(mid, "A", "actions_closed_on_time")
    assert (got.numerator, got.denominator, got.value) == (1.0, 2.0, 50.0)
    # before the first due date nothing has fallen due
    early = compute(p, inspected_frames(), [2025], at=BEFORE, as_of=dt.date(2025, 8, 31))
    assert row(early, "A", "actions_closed_on_time").denominator == 0.0


# Selection, options and errors -----------------------------------------------------------


def test_a_unit_given_by_name_keeps_it_and_its_communes():
    table = compute(plan(decrease()), t1_frames(), [2025], unit="huyện đê", at=BEFORE)
    assert sorted(table["unit_code"]) == ["A", "B", "C"]
    table = compute(plan(decrease()), t1_frames(), [2025], unit="D", level="district", at=BEFORE)
    assert list(table["unit_code"]) == ["D"]


def test_default_date_is_the_current_hierarchy():
    table = compute(plan(decrease()), t1_frames(), [2025])
    assert set(table["unit_code"]) == {"X", "Y"}


def test_a_level_with_no_unit_at_the_date_is_a_clear_error():
    with pytest.raises(InputError, match="district"):
        compute(plan(decrease()), t1_frames(), [2025], level="district", at=AFTER)


def test_pooling_needs_yearly_periods():
    with pytest.raises(InputError, match="period"):
        compute(plan(decrease()), t1_frames(), [2025], period="half", pool_years=2, at=BEFORE)


def test_a_unit_abolished_at_the_date_is_refused():
    with pytest.raises(InputError, match="A"):
        compute(plan(decrease()), t1_frames(), [2025], unit="A", at=AFTER, lang="en")


def test_the_shipped_plan_runs_on_empty_frames_with_every_row_no_data():
    p = load_plan("data/plans/453-KH-HU.yaml")
    table = compute(p, frames(), [2025], at=BEFORE)
    assert list(table.columns) == COLUMNS
    assert len(table) == 3 * (len(p.targets) + len(p.monitored))
    assert set(table["verdict"]) == {"no_data"}


def test_every_catalogue_indicator_has_labels_and_a_known_kind():
    for ind in CATALOGUE.values():
        assert ind.kind in {"rate", "share", "count", "mean", "ratio"}
        assert ind.label["vi"] and ind.label["en"]
        assert (ind.denominator is None) == (ind.kind == "count")


@pytest.mark.slow  # 40 examples of two computations each
@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=3, max_size=3))
def test_shares_stay_within_their_intervals_and_roll_up_exactly(data):
    reg = training(
        [(2025, u, None, "health_worker", n + k, k) for u, (k, n) in zip("ABC", data, strict=True)]
    )
    p = plan(share("trained_health_workers"))
    communes = compute(p, frames(training=reg), [2025], at=BEFORE)
    for r in communes.itertuples():
        if r.denominator == 0:
            assert r.verdict == "no_data" and math.isnan(r.value)
        else:
            assert 0 <= r.ci_low <= r.value <= r.ci_high <= 100
    district = compute(p, frames(training=reg), [2025], level="district", at=BEFORE).iloc[0]
    assert district.numerator == communes["numerator"].sum()
    assert district.denominator == communes["denominator"].sum()


# End to end: the sample database (``sample_db``, see conftest) and the command line -------


def audit(*args):
    from click.testing import CliRunner

    from audit_lib.cli import main

    return CliRunner().invoke(main, ["indicators", *args], catch_exceptions=False)


def test_frames_from_the_sample_store_give_every_indicator_for_the_new_communes(sample_db):
    from audit_lib.store import open_store

    with open_store(sample_db) as store:
        f = Frames.from_store(store)
    p = load_plan("data/plans/453-KH-HU.yaml")
    table = compute(p, f, [2025], lang="en")
    # the five communes of Phong Thổ and Đoàn Kết ward (where Lản Nhì Thàng went)
    assert set(table["unit_code"]) == {"LC-PT", "LC-SSH", "LC-DS", "LC-SLL", "LC-KL", "LC-DK"}
    assert len(table) == 6 * (len(p.targets) + len(p.monitored))
    verdicts = {"achieved", "not_achieved", "too_few", "no_data", "pending"}
    assert set(table["verdict"].dropna()) <= verdicts
    ssh = table[table["unit_code"] == "LC-SSH"]
    assert ssh["note"].str.contains("includes Then Sin commune from Tam Duong district").all()
    inspected = table[table.indicator == "trained_strict_workers_inspected"]
    assert inspected["denominator"].sum() > 0  # the general checklist's count items feed T5


def test_cli_table_on_the_sample_database(sample_db):
    result = audit("--db", sample_db, "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "Chỉ tiêu" in result.output and "T10 Vụ TNLĐ chết người" in result.output
    english = audit("--db", sample_db, "--year", "2025", "--lang", "en", "--level", "province")
    assert "Lai Chau province (LC)" in english.output and "How computed:" in english.output


def test_cli_csv_and_json_have_the_contract_columns(sample_db):
    import io
    import json

    csv = audit("--db", sample_db, "--year", "2024", "--format", "csv", "--level", "district",
                "--at", "2024-12-31")  # fmt: skip
    frame = pd.read_csv(io.StringIO(csv.output))
    # the districts the units table holds: Phong Thổ, and those Thèn Sin and Đoàn Kết came from
    assert list(frame.columns) == COLUMNS and set(frame["unit_code"]) == {"PT", "TD", "LCC"}
    out = audit("--db", sample_db, "--year", "2025", "--unit", "Dào San", "--format", "json",
                "--pool-years", "3")  # fmt: skip
    records = json.loads(out.output)
    assert {r["unit_code"] for r in records} == {"LC-DS"}
    assert {r["period"] for r in records} == {"2023–2025"}


def test_cli_writes_xlsx_only_to_a_file(sample_db, tmp_path):
    out = tmp_path / "indicators.xlsx"
    result = audit("--db", sample_db, "--year", "2025", "--format", "xlsx", "--out", str(out),
                   "--period", "half", "--lang", "en")  # fmt: skip
    assert result.exit_code == 0 and "Wrote" in result.output
    sheets = pd.read_excel(out, sheet_name=None)
    assert set(sheets) == {"indicators", "plan"}
    assert set(sheets["indicators"]["period"]) == {"2025-H1", "2025-H2"}
    refused = audit("--db", sample_db, "--year", "2025", "--format", "xlsx")
    assert refused.exit_code == 2 and "--out" in refused.output


def test_cli_bad_input_is_a_clear_error_and_writes_nothing(sample_db, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n", encoding="utf-8")
    out = tmp_path / "never.csv"
    result = audit("--db", sample_db, "--plan", str(bad), "--format", "csv", "--out", str(out))
    assert result.exit_code == 2 and "bad.yaml" in result.output and "targets" in result.output
    assert not out.exists()
    wrong = audit("--db", sample_db, "--year", "2025", "--level", "district")
    assert wrong.exit_code == 2 and "district" in wrong.output
    unknown = audit("--db", sample_db, "--unit", "Atlantis", "--lang", "en")
    assert unknown.exit_code == 2 and "Atlantis" in unknown.output
    late = audit("--db", sample_db, "--as-of", "31/12/2025", "--lang", "en")
    assert late.exit_code == 2 and "--as-of" in late.output and "2025-07-01" in late.output


def test_cli_as_of_judges_only_the_actions_due_by_then(sample_db):
    import io

    def closed_on_time(*extra):
        out = audit("--db", sample_db, "--year", "2025", "--level", "province", "--format", "csv",
                    *extra)  # fmt: skip
        frame = pd.read_csv(io.StringIO(out.output))
        return frame[frame.indicator == "actions_closed_on_time"].iloc[0]

    whole, early = closed_on_time(), closed_on_time("--as-of", "2025-01-01")
    assert whole["denominator"] > early["denominator"]


def test_plan_validate_command(tmp_path):
    from click.testing import CliRunner

    from audit_lib.cli import main

    ok = CliRunner().invoke(main, ["plan", "validate", "data/plans/453-KH-HU.yaml", "--lang", "en"])
    assert ok.exit_code == 0 and "valid (10 targets)" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n", encoding="utf-8")
    failed = CliRunner().invoke(main, ["plan", "validate", str(bad)])
    assert failed.exit_code == 2 and "title" in failed.output


def test_frames_from_either_database_give_the_same_table(store):
    """On SQLite and PostgreSQL alike (the ``store`` fixture runs on both when enabled)."""
    from audit_lib.sample import generate

    generate(store, scale=0.1)
    table = compute(load_plan("data/plans/453-KH-HU.yaml"), Frames.from_store(store), [2024],
                    level="district", at=BEFORE, lang="en")  # fmt: skip
    assert set(table["unit_code"]) == {"PT", "TD", "LCC"}
    t1 = row(table, "PT", "fatal_frequency", "2024")
    assert t1.denominator > 0 and t1.verdict in {"achieved", "not_achieved", "too_few"}
    inspected = row(table, "PT", "inspection_coverage", "2024")
    assert 0 < inspected.numerator <= inspected.denominator


def test_an_annual_target_with_no_records_anywhere_is_no_data_for_every_unit():
    table = compute(plan(increase("od_examined"), decrease()), frames(), [2025], at=BEFORE)
    assert set(table["verdict"]) == {"no_data"} and len(table) == 6
