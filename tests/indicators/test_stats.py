"""Intervals against published values, zero safety, and the verdict rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_lib.indicators._stats import (
    coverage_verdict,
    mean_interval,
    poisson_interval,
    rate_interval,
    ratio_interval,
    share_interval,
    verdict,
    verdict_label,
)


@pytest.mark.parametrize(
    ("count", "low", "high"),
    [
        (0, 0.0, 3.689),
        (1, 0.0253, 5.572),
        (2, 0.2422, 7.225),
        (5, 1.623, 11.668),
        (10, 4.795, 18.39),
    ],
)
def test_poisson_interval_matches_garwood_tables(count, low, high):
    got = poisson_interval(count)
    assert got[0] == pytest.approx(low, abs=5e-4)
    assert got[1] == pytest.approx(high, abs=5e-3)


def test_zero_events_have_lower_bound_zero():
    assert poisson_interval(0)[0] == 0.0
    assert share_interval(0, 10)[0] == 0.0
    assert share_interval(0, 10, method="exact")[0] == 0.0


def test_rate_interval_scales_the_count_interval_by_factor_over_exposure():
    low, high = rate_interval(0, 2000, factor=1000)
    assert low == 0.0
    assert high == pytest.approx(3.689 / 2, abs=1e-3)


def test_zero_or_missing_exposure_gives_nan_not_an_error():
    low, high = rate_interval([1, 0], [0, np.nan], factor=1000)
    assert np.isnan(low).all() and np.isnan(high).all()


def test_wilson_interval_for_8_of_10():
    low, high = share_interval(8, 10)
    assert (low, high) == pytest.approx((0.4902, 0.9433), abs=1e-4)


def test_clopper_pearson_interval_for_8_of_10():
    low, high = share_interval(8, 10, method="exact")
    assert (low, high) == pytest.approx((0.4439, 0.9748), abs=1e-4)


def test_all_successes_give_upper_bound_one():
    assert share_interval(10, 10)[1] == 1.0
    assert share_interval(10, 10, method="exact") == pytest.approx((0.6915, 1.0), abs=1e-4)


def test_zero_trials_give_nan_share_interval():
    for method in ("wilson", "exact"):
        low, high = share_interval(0, 0, method=method)
        assert math.isnan(low) and math.isnan(high)


def test_unknown_share_method_is_refused():
    with pytest.raises(ValueError, match="wilson"):
        share_interval(1, 2, method="wald")


def test_mean_interval_is_student_t():
    low, high = mean_interval(80.0, 10.0, 5)
    assert (low, high) == pytest.approx(
        (80 - 2.776 * 10 / 5**0.5, 80 + 2.776 * 10 / 5**0.5), abs=1e-2
    )
    assert all(math.isnan(v) for v in mean_interval(80.0, 0.0, 1))


def test_ratio_interval_of_equal_ratios_has_zero_width():
    # three inspections each earning half their applicable weight
    y, x = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])
    low, high = ratio_interval(y.sum(), x.sum(), (y * y).sum(), (x * x).sum(), (x * y).sum(), 3)
    assert low == pytest.approx(0.5) and high == pytest.approx(0.5)


def test_ratio_interval_by_hand():
    # y = (1, 3), x = (2, 2): R = 1, residuals (-1, 1), var = 2 / (2 * 1 * 2^2) = 0.25
    low, high = ratio_interval(4.0, 4.0, 10.0, 8.0, 8.0, 2)
    assert (low, high) == pytest.approx((1 - 1.96 * 0.5, 1 + 1.96 * 0.5), abs=1e-3)


@pytest.mark.parametrize(
    ("low", "high", "target", "better", "strict", "expected"),
    [
        (0.85, 0.95, 0.80, "higher", True, "achieved"),
        (0.80, 0.95, 0.80, "higher", True, "too_few"),
        (0.80, 0.95, 0.80, "higher", False, "achieved"),
        (0.50, 0.79, 0.80, "higher", True, "not_achieved"),
        (0.50, 0.80, 0.80, "higher", False, "too_few"),
        (0.10, 0.20, 0.30, "lower", False, "achieved"),
        (0.40, 0.60, 0.30, "lower", False, "not_achieved"),
        (0.00, 3.69, 1.00, "lower", False, "too_few"),
        (math.nan, math.nan, 0.30, "lower", False, "no_data"),
    ],
)
def test_verdict_rule(low, high, target, better, strict, expected):
    assert verdict(low, high, target, better, strict) == expected


def test_verdict_works_on_arrays():
    got = verdict([0.1, 0.5, np.nan], [0.2, 0.9, np.nan], [0.3, 0.3, 0.3], "lower")
    assert list(got) == ["achieved", "not_achieved", "no_data"]


def test_coverage_target_is_judged_on_every_case():
    assert coverage_verdict(3, 3) == "achieved"
    assert coverage_verdict(2, 3) == "not_achieved"
    assert coverage_verdict(0, 0) == "no_data"


def test_verdict_labels_are_bilingual():
    assert verdict_label("too_few", "en") == "Too few events to tell"
    assert verdict_label("achieved", "vi") == "Đạt"
    assert verdict_label(None, "en") == "monitored"


@given(st.integers(0, 10_000), st.integers(0, 10_000), st.sampled_from(["wilson", "exact"]))
def test_share_interval_contains_the_estimate_within_zero_and_one(x, extra, method):
    n = x + extra
    low, high = share_interval(x, n, method=method)
    if n == 0:
        assert math.isnan(low) and math.isnan(high)
        return
    assert 0.0 <= low <= x / n + 1e-12
    assert x / n - 1e-12 <= high <= 1.0


@given(st.floats(0, 1e5, allow_nan=False), st.floats(0.5, 0.999))
def test_poisson_interval_contains_the_count(count, level):
    low, high = poisson_interval(count, level)
    assert 0.0 <= low <= count + 1e-9 <= high + 1e-9
    assert low <= high
