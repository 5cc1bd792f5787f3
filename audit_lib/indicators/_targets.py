"""A plan's target applied to indicator values: value, interval, baseline, trajectory, verdict.

Usage (``audit_lib.indicators._compute.compute`` calls these for each indicator)::

    value, low, high = estimate("share", 100, sums)   # sums: numerator, denominator, rows
    rows = judge(indicator, target, plan, grid, yearly, windows, "year", "en")

The rules are those of :mod:`audit_lib.indicators._stats` and ``docs/indicators.md``:
an annual change is judged against ``baseline × (1 ± rate) ** (t − t0)``
(pro rata for half-years and quarters, weighted by workers when years are
pooled), a share against its threshold, a 100 % coverage on its cases.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from audit_lib.core.i18n import tr
from audit_lib.indicators import _sources as src
from audit_lib.indicators import _stats as stats

MESSAGES = {
    "pro_rata": {"vi": "chỉ tiêu năm chia theo kỳ", "en": "annual target pro rata"},
    "no_baseline": {
        "vi": "không có số liệu năm gốc {year}",
        "en": "no data for baseline year {year}",
    },
    "zero_baseline": {
        "vi": "năm gốc {year} bằng 0: gộp nhiều năm",
        "en": "baseline year {year} is zero: pool years",
    },
    "baseline_year": {
        "vi": "từ năm gốc {year} trở về trước: không đánh giá",
        "en": "baseline year {year} or earlier: not judged",
    },
    "excess": {
        "vi": "tử số lớn hơn mẫu số: kiểm tra số liệu",
        "en": "numerator > denominator: check data",
    },
    "outside": {"vi": "ngoài thời kỳ kế hoạch", "en": "outside the plan period"},
    "pending": {
        "vi": "{n:g} vụ đang trong thời hạn điều tra (Luật 84/2015/QH13, Điều 35)",
        "en": "{n:g} still within the investigation deadline (Law 84/2015/QH13, Art. 35)",
    },
    "late": {
        "vi": "{n:g} vụ khai báo muộn hoặc chưa khai báo "
        "(Luật 84/2015/QH13, Điều 34: khai báo ngay)",
        "en": "{n:g} declared late or not declared (Law 84/2015/QH13, Art. 34: at once)",
    },
}


def estimate(kind: str, factor: float, f: pd.DataFrame, method: str = "wilson"):
    """Value and 95 % interval per row of sums ``f``; NaN where there is no data.

    ``kind`` is the catalogue kind; ``method`` the share interval (``wilson``, ``exact``).
    """
    num, den, n = f["numerator"].to_numpy(), f["denominator"].to_numpy(), f["rows"].to_numpy()
    ok = n > 0 if kind == "count" else den > 0
    safe = np.where(den > 0, den, 1.0)
    if kind == "count":
        value = np.where(ok, num, np.nan)
        low, high = stats.poisson_interval(value)
    elif kind == "rate":
        value = np.where(ok, num * factor / safe, np.nan)
        low, high = stats.rate_interval(num, den, factor)
    elif kind == "share":
        value = np.where(ok, num / safe * factor, np.nan)
        low, high = (np.asarray(b) * factor for b in stats.share_interval(num, den, method=method))
    elif kind == "mean":
        value = np.where(ok, num / safe, np.nan)
        var = np.where(
            den > 1, (f["s_yy"].to_numpy() - den * value**2) / np.maximum(den - 1, 1), np.nan
        )
        low, high = stats.mean_interval(value, np.sqrt(np.maximum(var, 0)), den)
    else:
        value = np.where(ok, num / safe * factor, np.nan)
        low, high = stats.ratio_interval(num, den, f["s_yy"], f["s_xx"], f["s_xy"], n)
        low, high = np.asarray(low) * factor, np.asarray(high) * factor
    return value, np.where(ok, low, np.nan), np.where(ok, high, np.nan)


def judge(ind, target, plan, grid, yearly, windows, period, lang) -> pd.DataFrame:
    """The table rows of one indicator: value, interval, target, verdict and notes.

    ``grid`` holds the sums per unit and reported period, ``yearly`` the sums
    per unit and year (for baselines), ``windows`` the years and parts of each
    period; ``target`` is None for a monitored indicator.
    """
    factor = float(target.factor if target is not None and target.factor else ind.factor)
    value, low, high = estimate(ind.kind, factor, grid, plan.share_interval)
    rows = grid[["unit_code", "period"]].copy()
    rows["numerator"], rows["denominator"] = grid["numerator"], grid["denominator"]
    if ind.kind == "count":
        rows["denominator"] = np.nan
    rows["factor"], rows["value"], rows["ci_low"], rows["ci_high"] = factor, value, low, high
    rows["illustrative"] = grid["illustrative"].to_numpy()
    note = []
    if ind.kind == "share":
        note.append((tr(MESSAGES, "excess", lang), grid["numerator"] > grid["denominator"]))
    rows["baseline_value"] = rows["target_value"] = rows["mean_yoy_change"] = np.nan
    rows["verdict"] = np.where(np.isnan(value), "no_data", None)
    if target is not None:
        note.append((tr(MESSAGES, "outside", lang), ~grid["end"].map(plan.covers)))
        if target.kind == "annual_change":
            note += _annual(rows, ind, target, factor, yearly, windows, period, lang)
        elif target.kind == "share":
            rows["target_value"] = target.threshold
            codes = stats.verdict(low, high, target.threshold, "higher", target.strict)
            rows["verdict"] = codes
        else:
            rows["target_value"] = 100.0
            rows["verdict"] = stats.coverage_verdict(
                grid["numerator"], grid["denominator"], grid["pending"]
            )
    rows["note"] = notes(note, [""] * len(rows))
    for key in ("pending", "late"):
        rows["note"] = notes(_counted(key, grid[key], lang), rows["note"])
    return rows


def _counted(key: str, counts: pd.Series, lang: str) -> list[tuple[str, np.ndarray]]:
    """One note per distinct positive count (``"2 still within the investigation deadline"``)."""
    values = counts.to_numpy(dtype=float)
    return [(tr(MESSAGES, key, lang, n=n), values == n) for n in np.unique(values[values > 0])]


def _annual(rows, ind, target, factor, yearly, windows, period, lang):
    """Baseline, compound target, mean year-on-year change and verdict for an annual change.

    Fills those columns of ``rows``; returns the notes as ``(text, mask)`` pairs.
    """
    t0, sign = target.baseline_year, (-1 if target.direction == "decrease" else 1)
    per_year = yearly.groupby(["unit_code", "year"], as_index=False)[src.SUMS].sum()
    per_year["value"] = estimate(ind.kind, factor, per_year)[0]
    vals = per_year.pivot(index="unit_code", columns="year", values="value")
    last = int(windows["end"].max())
    vals = vals.reindex(index=rows["unit_code"].unique(), columns=range(t0, max(last, t0) + 1))
    scale = 1.0 / src.PARTS[period]  # a half-year or quarter: the annual figures pro rata
    rows["baseline_value"] = rows["unit_code"].map(vals[t0]).to_numpy() * scale
    # growth per year of each period; a period ending in the baseline year or before is not judged
    growth = (1 + sign * target.rate) ** (windows["year"] - t0)
    w = windows.assign(growth=growth.where((windows["year"] >= t0) & (windows["end"] > t0)))
    early = ~rows["period"].map(w.groupby("period")["growth"].agg(_all_present)).to_numpy(bool)
    if ind.kind == "rate":  # pooled years: the trajectory weighted by each year's workers
        den = per_year.set_index(["unit_code", "year"])["denominator"]
        w = rows[["unit_code", "period"]].merge(w, on="period")
        key = pd.MultiIndex.from_frame(w[["unit_code", "year"]])
        w["weight"] = np.nan_to_num(den.reindex(key).to_numpy(dtype=float))
        w["wg"] = w["growth"] * w["weight"]
        agg = w.groupby(["unit_code", "period"]).agg(wg=("wg", "sum"), weight=("weight", "sum"))
        mult = agg["wg"] / agg["weight"].where(agg["weight"] > 0)
        mult = mult.reindex(pd.MultiIndex.from_frame(rows[["unit_code", "period"]])).to_numpy()
    else:  # pooled counts: the sum of the yearly targets
        mult = rows["period"].map(w.groupby("period")["growth"].sum()).to_numpy(dtype=float)
    mult = np.where(early, np.nan, mult)
    rows["target_value"] = rows["baseline_value"].to_numpy() * mult
    with np.errstate(divide="ignore", invalid="ignore"):
        changes = (vals / vals.shift(1, axis=1) - 1).replace([np.inf, -np.inf], np.nan)
    ends = rows["period"].map(windows.drop_duplicates("period").set_index("period")["end"])
    rows["mean_yoy_change"] = [
        changes.loc[u, t0 + 1 : e].mean() if e > t0 else np.nan
        for u, e in zip(rows["unit_code"], ends, strict=True)
    ]
    codes = stats.verdict(rows["ci_low"], rows["ci_high"], rows["target_value"], target.better)
    base = rows["baseline_value"].to_numpy()
    no_base, zero = np.isnan(base) & ~early, (base == 0) & ~early
    rows["target_value"] = np.where(zero, np.nan, rows["target_value"])
    has = ~np.isnan(rows["value"].to_numpy())
    codes = np.where(early & has, None, codes)
    codes = np.where(no_base & has, "no_data", codes)
    rows["verdict"] = np.where(zero & has, "too_few", codes)
    note = [
        (tr(MESSAGES, "baseline_year", lang, year=t0), early),
        (tr(MESSAGES, "no_baseline", lang, year=t0), no_base),
        (tr(MESSAGES, "zero_baseline", lang, year=t0), zero),
    ]
    if period != "year":
        note.append((tr(MESSAGES, "pro_rata", lang), ~early))
    return note


def _all_present(s: pd.Series) -> bool:
    return bool(s.notna().all())


def notes(parts, existing) -> list[str]:
    """Add each ``(text, mask)`` of ``parts`` to the notes of the rows where mask is true."""
    out = list(existing)
    for text, mask in parts:
        for i in np.flatnonzero(np.broadcast_to(np.asarray(mask, dtype=bool), len(out))):
            out[i] = f"{out[i]}; {text}" if out[i] else text
    return out
