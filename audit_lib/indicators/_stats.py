"""Exact intervals for counts, rates and shares, and the verdict rule for targets.

Usage::

    from audit_lib.indicators._stats import poisson_interval, rate_interval, share_interval, verdict
    poisson_interval(0)                    # (0.0, 3.689) deaths, 95 %
    rate_interval(2, 5000, factor=1000)    # deaths per 1,000 workers: (0.048, 1.445)
    share_interval(8, 10)                  # Wilson: (0.490, 0.943)
    share_interval(8, 10, method="exact")  # Clopper-Pearson: (0.444, 0.975)
    verdict(0.2, 0.9, target=0.5, better="lower")   # 'too_few'

Every function takes scalars or arrays (numpy broadcasting) and never divides by
zero: zero events give a lower bound of 0; a zero (or missing) denominator gives
NaN bounds, which the verdict reads as ``no_data``.

Intervals
    * counts and rates: the exact (Garwood) Poisson interval,
      ``[chi2(a/2; 2k)/2, chi2(1 - a/2; 2k + 2)/2]``, divided by the exposure and
      multiplied by the factor (1,000 workers, 100,000 workers, ...);
    * shares: Wilson's score interval by default, or the exact Clopper-Pearson
      interval (``method="exact"``);
    * means: Student's t interval (per-inspection mean compliance);
    * ratios of sums: the linearised (delta-method) interval of a ratio
      estimator with the inspection as the cluster (pooled compliance).

The verdict rule (also in ``docs/indicators.md``)
    A target says which side of a number is good: ``better="lower"`` for a
    rate to be reduced, ``"higher"`` for a count to be raised or a share to
    exceed a threshold.

    * ``no_data``: no value (zero or missing denominator, or no records);
    * ``achieved``: the whole 95 % interval is on the good side of the target
      (a target ``> p`` needs the lower bound above ``p``; ``>= p`` allows it
      to equal ``p``);
    * ``not_achieved``: the whole interval is on the bad side;
    * ``too_few``: the interval contains the target, so the data cannot
      tell whether the target was met ("too few events to tell").

    A 100 % coverage target (every fatal accident declared, investigated and
    handled) is judged on the cases themselves, with :func:`coverage_verdict`:
    one case missed is a miss (the exact upper bound is then below 100 % too),
    every case handled is achieved; no case at all is ``no_data``; when every
    case not handled is still within its legal time (an investigation within
    its deadline on the day judged) the verdict is ``pending``, not a miss.
"""

from __future__ import annotations

import numpy as np
from scipy import special as _sp  # the quantiles below; scipy.stats costs a second to import

from audit_lib.core.i18n import DEFAULT_LANG, tr
from audit_lib.core.vocabulary import INDICATOR_VERDICT_LABELS, INDICATOR_VERDICTS

LEVEL = 0.95


def verdict_label(code: str | None, lang: str = DEFAULT_LANG) -> str:
    """The verdict in words: ``verdict_label("too_few", "en")`` is 'Too few events to tell'."""
    return tr(INDICATOR_VERDICT_LABELS, code if code in INDICATOR_VERDICTS else "no_target", lang)


def _alpha(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level!r}")
    return 1 - level


def poisson_interval(count, level: float = LEVEL):
    """Exact (Garwood) interval for a Poisson count: ``poisson_interval(0)`` is ``(0, 3.689)``.

    Non-integer counts (a unit split by the crosswalk) use the same gamma formula.
    A missing count gives NaN bounds.
    """
    a = _alpha(level)
    k = np.asarray(count, dtype=float)
    with np.errstate(invalid="ignore"):
        low = np.where(k > 0, _sp.gammaincinv(np.where(k > 0, k, 1.0), a / 2), 0.0)
        high = _sp.gammaincinv(np.where(np.isnan(k), 1.0, k) + 1, 1 - a / 2)
    low = np.where(np.isnan(k), np.nan, np.nan_to_num(low))  # a vanishing count: bound 0
    high = np.where(np.isnan(k), np.nan, high)
    return _out(low), _out(high)


def rate_interval(count, exposure, factor: float = 1.0, level: float = LEVEL):
    """Exact interval for ``count * factor / exposure``; zero or missing exposure gives NaN."""
    low, high = poisson_interval(count, level)
    e = np.asarray(exposure, dtype=float)
    ok = e > 0
    safe = np.where(ok, e, 1.0)
    return (
        _out(np.where(ok, np.asarray(low) * factor / safe, np.nan)),
        _out(np.where(ok, np.asarray(high) * factor / safe, np.nan)),
    )


def share_interval(successes, trials, level: float = LEVEL, method: str = "wilson"):
    """Interval for the share ``successes / trials`` within [0, 1].

    ``method`` is ``"wilson"`` (score interval) or ``"exact"`` (Clopper-Pearson).
    Zero trials give NaN; successes are clipped to [0, trials] (data where more
    were trained than employed are flagged by the caller, not here).
    """
    a = _alpha(level)
    n = np.asarray(trials, dtype=float)
    ok = n > 0
    safe_n = np.where(ok, n, 1.0)
    x = np.clip(np.nan_to_num(np.asarray(successes, dtype=float)), 0, safe_n)
    if method == "wilson":
        z = _sp.ndtri(1 - a / 2)
        p = x / safe_n
        denom = 1 + z**2 / safe_n
        centre = (p + z**2 / (2 * safe_n)) / denom
        half = z * np.sqrt(p * (1 - p) / safe_n + z**2 / (4 * safe_n**2)) / denom
        low = np.where(x > 0, np.maximum(centre - half, 0.0), 0.0)
        high = np.where(x < safe_n, np.minimum(centre + half, 1.0), 1.0)
    elif method == "exact":
        with np.errstate(invalid="ignore"):
            low = np.where(x > 0, _sp.betaincinv(np.maximum(x, 1e-300), safe_n - x + 1, a / 2), 0.0)
            high = np.where(
                x < safe_n, _sp.betaincinv(x + 1, np.maximum(safe_n - x, 1e-300), 1 - a / 2), 1.0
            )
    else:
        raise ValueError(f"method must be 'wilson' or 'exact', not {method!r}")
    return _out(np.where(ok, low, np.nan)), _out(np.where(ok, high, np.nan))


def mean_interval(mean, sd, n, level: float = LEVEL):
    """Student's t interval for a mean of ``n`` values; fewer than 2 values give NaN."""
    a = _alpha(level)
    n = np.asarray(n, dtype=float)
    ok = n >= 2
    safe_n = np.where(ok, n, 2.0)
    half = _sp.stdtrit(safe_n - 1, 1 - a / 2) * np.asarray(sd, dtype=float) / np.sqrt(safe_n)
    m = np.asarray(mean, dtype=float)
    return _out(np.where(ok, m - half, np.nan)), _out(np.where(ok, m + half, np.nan))


def ratio_interval(sum_y, sum_x, sum_yy, sum_xx, sum_xy, n, level: float = LEVEL):
    """Interval for ``R = sum(y) / sum(x)`` over ``n`` clusters (delta method).

    ``sum_yy``, ``sum_xx``, ``sum_xy`` are the sums of squares and cross-products
    of the cluster totals. The variance is ``sum((y - R x)^2) / (n (n - 1) xbar^2)``;
    fewer than 2 clusters or ``sum(x) == 0`` give NaN.
    """
    a = _alpha(level)
    n = np.asarray(n, dtype=float)
    sx = np.asarray(sum_x, dtype=float)
    ok = (n >= 2) & (sx > 0)
    safe_n = np.where(ok, n, 2.0)
    safe_sx = np.where(ok, sx, 1.0)
    r = np.asarray(sum_y, dtype=float) / safe_sx
    ss = np.asarray(sum_yy) - 2 * r * np.asarray(sum_xy) + r**2 * np.asarray(sum_xx)
    xbar = safe_sx / safe_n
    se = np.sqrt(np.maximum(ss, 0.0) / (safe_n * (safe_n - 1))) / xbar
    z = _sp.ndtri(1 - a / 2)
    return _out(np.where(ok, r - z * se, np.nan)), _out(np.where(ok, r + z * se, np.nan))


def verdict(low, high, target, better: str, strict: bool = False):
    """Judge an interval against a target (the rule in the module docstring).

    ``better`` is ``"lower"`` or ``"higher"``; ``strict`` makes an interval that
    touches the target not enough (a ``> 80 %`` target). Returns a code or an
    array of codes.
    """
    if better not in ("lower", "higher"):
        raise ValueError(f"better must be 'lower' or 'higher', not {better!r}")
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    t = np.asarray(target, dtype=float)
    if better == "higher":
        good = lo > t if strict else lo >= t
        bad = hi <= t if strict else hi < t
    else:
        good = hi < t if strict else hi <= t
        bad = lo >= t if strict else lo > t
    missing = np.isnan(lo) | np.isnan(hi) | np.isnan(t)
    codes = np.select(
        [missing, good, bad], ["no_data", "achieved", "not_achieved"], default="too_few"
    )
    return codes.item() if codes.ndim == 0 else codes


def coverage_verdict(done, cases, pending=0):
    """Judge a 100 % target on the cases: all done is achieved, one missed is not,
    the rest still within their legal time is ``pending``."""
    d = np.asarray(done, dtype=float)
    n = np.asarray(cases, dtype=float)
    p = np.asarray(pending, dtype=float)
    codes = np.select(
        [~(n > 0), d >= n, d + p >= n], ["no_data", "achieved", "pending"], default="not_achieved"
    )
    return codes.item() if codes.ndim == 0 else codes


def _out(values):
    arr = np.asarray(values, dtype=float)
    return float(arr) if arr.ndim == 0 else arr
