"""Values, intervals and notes of single rows (the judging itself is tested in test_indicators)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from audit_lib.indicators._targets import estimate, notes


def sums(**columns) -> pd.DataFrame:
    base = {c: [0.0] for c in ("numerator", "denominator", "rows", "s_yy", "s_xx", "s_xy")}
    base.update({k: [float(v)] for k, v in columns.items()})
    return pd.DataFrame(base)


def test_rate_per_thousand_with_its_exact_interval():
    value, low, high = estimate("rate", 1000, sums(numerator=2, denominator=5000, rows=1))
    assert value[0] == pytest.approx(0.4)
    assert (low[0], high[0]) == pytest.approx((0.0484, 1.4449), abs=1e-4)


def test_share_in_percent_wilson_or_exact():
    f = sums(numerator=8, denominator=10, rows=1)
    assert estimate("share", 100, f)[1][0] == pytest.approx(49.016, abs=1e-3)
    assert estimate("share", 100, f, "exact")[1][0] == pytest.approx(44.390, abs=1e-3)


def test_count_is_no_data_without_records_and_zero_with_them():
    assert math.isnan(estimate("count", 1, sums(rows=0))[0][0])
    value, low, high = estimate("count", 1, sums(rows=3))
    assert (value[0], low[0]) == (0.0, 0.0)
    assert high[0] == pytest.approx(3.689, abs=1e-3)


def test_mean_of_scores_80_and_50():
    # two inspections: sum 130, sum of squares 6400 + 2500
    value, low, high = estimate("mean", 1, sums(numerator=130, denominator=2, rows=2, s_yy=8900))
    sd = math.sqrt((8900 - 2 * 65**2) / 1)
    assert value[0] == 65
    assert low[0] == pytest.approx(65 - 12.706 * sd / math.sqrt(2), abs=1e-2)


def test_pooled_ratio_of_weights():
    # inspections earning 8 of 10 and 3 of 6
    f = sums(numerator=11, denominator=16, rows=2, s_yy=73, s_xx=136, s_xy=98)
    value, low, high = estimate("ratio", 100, f)
    assert value[0] == pytest.approx(68.75)
    assert low[0] < value[0] < high[0]


def test_zero_denominator_is_nan_for_every_kind():
    for kind in ("rate", "share", "mean", "ratio"):
        value, low, high = estimate(kind, 100, sums(numerator=1, rows=1))
        assert np.isnan([value[0], low[0], high[0]]).all(), kind


def test_notes_join_in_order_where_their_mask_is_true():
    got = notes([("a", [True, False, True]), ("b", [True, True, False])], ["", "", "x"])
    assert got == ["a; b", "b", "x; a"]
