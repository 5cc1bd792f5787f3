"""The sample's registers, consistent with its establishments and with each other.

Usage::

    from audit_lib.sample._registers import generate
    frames = generate(rng, establishments, units, moved, 2021, 2025, scale=1)
    frames["accidents"]          # accident_id, occurred_on, establishment_code, unit_code, ...
    frames["training"]           # year, unit_code, establishment_code, group, category, ...

``establishments`` is :func:`audit_lib.sample._sample.establishments`' frame (with
``old_unit_code``); ``moved`` maps each old unit to its commune after
1 July 2025. Rules kept: workforce per unit and year is the establishments'
workforce plus informal workers; a mountain district's few accidents (0–5
deaths a year at scale 1), deaths ≤ victims, declared and investigated after
the accident (most fatal ones investigated); compensation per victim in the
labour-relations area; trained ≤ headcount; more examinations, monitoring and
outreach each year. A record dated on or after 1 July 2025 (or a yearly total
from 2025 on) names the new commune.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

REORGANISED = dt.date(2025, 7, 1)
ACCIDENT_RISK = {
    "mining": 6,
    "hydropower": 6,
    "construction": 4,
    "wood": 3,
    "transport": 2,
    "agriculture": 1,
    "manufacturing": 1,
    "trade": 0.3,
    "other": 0.5,
}
EXPOSED = ("mining", "hydropower", "construction", "wood", "manufacturing")
OUTREACH_CHANNELS = ("visit", "meeting", "document", "training", "online")


def generate(rng, est: pd.DataFrame, units: pd.DataFrame, moved: dict, first, last, scale):
    """Every register kind as a frame of its canonical columns."""
    years = range(first, last + 1)
    old = sorted(moved)
    accidents = _accidents(rng, est, old, moved, years, scale)
    return {
        "workforce": _workforce(rng, est, old, moved, years, scale),
        "accidents": accidents,
        "compensation": _compensation(rng, accidents, dt.date(last, 12, 31)),
        "training": _training(rng, est, units, moved, years, scale),
        "od_exams": _od_exams(rng, est, moved, years),
        "env_monitoring": _env_monitoring(rng, est, moved, years),
        "outreach": _outreach(rng, est, units, moved, years),
    }


def _on(old_units, day, moved: dict) -> np.ndarray:
    """The unit each old unit is recorded under on ``day`` (scalar or array of dates)."""
    old_units = np.asarray(old_units, dtype=object)
    after = np.asarray(pd.to_datetime(day) >= pd.Timestamp(REORGANISED))
    new = np.array([moved.get(u, u) for u in old_units], dtype=object)
    return np.where(after, new, old_units)


def _year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def _active_in(est: pd.DataFrame, year: int) -> np.ndarray:
    started = est["active_from"] <= pd.Timestamp(year, 12, 31)
    ended = est["active_to"].isna() | (est["active_to"] >= pd.Timestamp(year, 1, 1))
    return (started & ended).to_numpy()


def _dates_in(rng, year: int, n: int, may_weight: float = 1.0) -> np.ndarray:
    months = np.ones(12)
    months[4] = may_weight
    month = rng.choice(12, n, p=months / months.sum()) + 1
    starts = (np.datetime64(f"{year}-01", "M") + (month - 1)).astype("datetime64[D]")
    return starts + rng.integers(0, 28, n).astype("timedelta64[D]")


def _workforce(rng, est, old, moved, years, scale) -> pd.DataFrame:
    informal = pd.Series(rng.integers(900, 2500, len(old)) * scale, index=old)
    parts = []
    for year in years:
        active = est[_active_in(est, year)]
        unit = _on(active["old_unit_code"], _year_end(year), moved)
        lr = active["workforce"].where(active["labour_relations"], 0)
        sums = pd.DataFrame({"unit_code": unit, "workers": active["workforce"], "lr": lr})
        sums = sums.groupby("unit_code")[["workers", "lr"]].sum()
        grown = informal * (1.01 ** (year - years[0]))
        grown.index = _on(grown.index, _year_end(year), moved)
        grown = grown.groupby(level=0).sum().round()
        frame = pd.DataFrame({"informal": grown}).join(sums, how="outer").fillna(0)
        parts.append(
            pd.DataFrame(
                {
                    "unit_code": frame.index,
                    "year": year,
                    "workers": (frame["informal"] + frame["workers"]).astype(int).to_numpy(),
                    "workers_labour_relations": frame["lr"].astype(int).to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _accidents(rng, est, old, moved, years, scale) -> pd.DataFrame:
    """A few accidents a year, most at the riskier establishments, some outside any."""
    parts = []
    end = pd.Timestamp(_year_end(years[-1]))
    for year in years:
        active = est[_active_in(est, year)].reset_index(drop=True)
        n = rng.poisson(4 * scale) if len(active) else 0
        occurred = pd.to_datetime(np.sort(_dates_in(rng, year, n)))
        weight = (active["workforce"] * active["sector"].map(ACCIDENT_RISK)).to_numpy(float)
        chosen = active.iloc[rng.choice(len(active), n, p=weight / weight.sum()) if n else []]
        at_work = rng.random(n) < 0.75
        victims = 1 + (rng.random(n) < 0.15) * rng.integers(1, 4, n)
        deaths = (rng.random(n) < 0.3) * (1 + ((victims > 1) & (rng.random(n) < 0.3)))
        deaths = np.where(np.cumsum(deaths) > np.ceil(5 * scale), 0, deaths)
        serious = rng.binomial(victims - deaths, 0.6)
        grave = (deaths > 0) | (serious > 0)
        declared = occurred + pd.to_timedelta(
            np.where(grave, rng.integers(0, 3, n), rng.integers(0, 11, n)), unit="D"
        )
        declared = declared.where(grave | (rng.random(n) < 0.7))
        investigated = occurred + pd.to_timedelta(rng.integers(15, 61, n), unit="D")
        chance = np.where(deaths > 0, 0.9, np.where(serious > 0, 0.6, 0.0))
        investigated = investigated.where((rng.random(n) < chance) & (investigated <= end))
        origin = np.where(at_work, chosen["old_unit_code"].to_numpy(object), rng.choice(old, n))
        parts.append(
            pd.DataFrame(
                {
                    "accident_id": [f"TNLD-{year}-{i + 1:04d}" for i in range(n)],
                    "occurred_on": occurred.date,
                    "establishment_code": np.where(at_work, chosen["code"].to_numpy(object), None),
                    "unit_code": _on(origin, occurred, moved),
                    "labour_relations": at_work & chosen["labour_relations"].to_numpy(bool),
                    "victims": victims,
                    "deaths": deaths,
                    "serious_injuries": serious,
                    "declared_on": _dates(declared.where(declared <= end)),
                    "investigation_completed_on": _dates(investigated),
                    "handled": investigated.notna() & (rng.random(n) < 0.9),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _dates(stamps: pd.DatetimeIndex) -> list:
    return [None if pd.isna(s) else s.date() for s in stamps]


def _compensation(rng, accidents: pd.DataFrame, end: dt.date) -> pd.DataFrame:
    """One row per victim of an accident in the labour-relations area."""
    lr = accidents[accidents["labour_relations"]]
    rows = lr.loc[lr.index.repeat(lr["victims"])].reset_index(drop=True)
    rows["victim_no"] = rows.groupby("accident_id").cumcount() + 1
    n = len(rows)
    died = rows["victim_no"] <= rows["deaths"]
    hurt = ~died & (rows["victim_no"] <= rows["deaths"] + rows["serious_injuries"])
    amount = np.select(
        [died, hurt],
        [rng.uniform(150e6, 300e6, n), rng.uniform(20e6, 120e6, n)],
        rng.uniform(3e6, 20e6, n),
    )
    paid = pd.to_datetime(rows["occurred_on"]) + pd.to_timedelta(rng.integers(5, 61, n), unit="D")
    compensated = (rng.random(n) < 0.85) & (paid <= pd.Timestamp(end))
    return pd.DataFrame(
        {
            "accident_id": rows["accident_id"],
            "victim_no": rows["victim_no"],
            "compensated": compensated,
            "amount_vnd": np.where(compensated, np.round(amount, -3), np.nan),
            "paid_on": _dates(pd.DatetimeIndex(paid.where(compensated))),
        }
    ).astype({"amount_vnd": "Int64"})


def _communes(units: pd.DataFrame, day: dt.date) -> list[str]:
    """Commune-level units valid on ``day``."""
    start, end = pd.to_datetime(units["valid_from"]), pd.to_datetime(units["valid_to"])
    at = pd.Timestamp(day)
    valid = (start.isna() | (start <= at)) & (end.isna() | (end >= at))
    return sorted(units.loc[valid & (units["level"] == "commune"), "unit_code"])


def _share(rng, headcount, p) -> np.ndarray:
    return rng.binomial(np.asarray(headcount, dtype=np.int64), np.clip(p, 0, 0.99))


def _training(rng, est, units, moved, years, scale) -> pd.DataFrame:
    """Unit OSH managers and health workers per commune; groups 1–6 per establishment."""
    parts = []
    big = int(np.ceil(scale))
    for t, year in enumerate(years):
        communes = _communes(units, _year_end(year))
        per_unit = len(communes)
        for group, category, low, high, p in (
            (1, "unit_manager", 3, 7, 0.82 + 0.03 * t),
            (5, "health_worker", 4, 10, 0.70 + 0.05 * t),
        ):
            headcount = rng.integers(low, high, per_unit) * big * (1 if year < 2025 else 3)
            parts.append(
                pd.DataFrame(
                    {
                        "year": year,
                        "unit_code": communes,
                        "establishment_code": None,
                        "group": group,
                        "category": category,
                        "headcount": headcount,
                        "trained": _share(rng, headcount, p),
                    }
                )
            )
        active = est[
            _active_in(est, year)
            & est["labour_relations"].to_numpy()
            & est["kind"].isin(["enterprise", "cooperative"]).to_numpy()
        ]
        n = len(active)
        workforce, strict = active["workforce"].to_numpy(), active["strict_workers"].to_numpy()
        boost = np.where(active["kind"] == "enterprise", 0.1, 0.0)
        staff = np.select([workforce < 50, workforce < 300], [1, 2], 3)
        for group, category, headcount, p in (
            (1, "manager", rng.integers(1, 4, n), 0.75 + 0.04 * t + boost),
            (2, "osh_staff", staff, 0.70 + 0.04 * t + boost),
            (3, "strict_worker", strict, 0.65 + 0.05 * t + boost),
            (4, "other_worker", workforce - strict, 0.50 + 0.05 * t),
            (6, "volunteer", -(-workforce // 30), 0.60 + 0.05 * t),
        ):
            keep = headcount > 0
            parts.append(
                pd.DataFrame(
                    {
                        "year": year,
                        "unit_code": _on(active["old_unit_code"], _year_end(year), moved)[keep],
                        "establishment_code": active["code"].to_numpy(object)[keep],
                        "group": group,
                        "category": category,
                        "headcount": headcount[keep],
                        "trained": _share(rng, headcount[keep], np.broadcast_to(p, n)[keep]),
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


def _od_exams(rng, est, moved, years) -> pd.DataFrame:
    """Occupational-disease examinations at exposed establishments, more each year."""
    parts = []
    for t, year in enumerate(years):
        pool = est[
            _active_in(est, year)
            & est["sector"].isin(EXPOSED).to_numpy()
            & (est["workforce"] >= 10).to_numpy()
            & est["labour_relations"].to_numpy()
        ]
        pool = pool[rng.random(len(pool)) < 0.35 + 0.05 * t]
        examined = _share(rng, pool["workforce"], rng.uniform(0.6, 0.95, len(pool)))
        rate = np.where(pool["sector"] == "mining", 0.01, 0.003)
        parts.append(
            pd.DataFrame(
                {
                    "year": year,
                    "unit_code": _on(pool["old_unit_code"], _year_end(year), moved),
                    "establishment_code": pool["code"].to_numpy(object),
                    "workers_examined": examined,
                    "od_cases": _share(rng, examined, rate),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _env_monitoring(rng, est, moved, years) -> pd.DataFrame:
    """Working-environment monitoring of high-risk or larger establishments, more each year."""
    parts = []
    for t, year in enumerate(years):
        pool = est[
            _active_in(est, year)
            & (est["high_risk"] | (est["workforce"] >= 50)).to_numpy()
            & est["labour_relations"].to_numpy()
        ]
        pool = pool[rng.random(len(pool)) < 0.30 + 0.04 * t]
        day = pd.to_datetime(_dates_in(rng, year, len(pool)))
        samples = np.minimum(5 + rng.poisson(pool["workforce"] / 10), 60)
        rate = np.where(pool["sector"].isin(["mining", "hydropower"]), 0.12, 0.05)
        parts.append(
            pd.DataFrame(
                {
                    "year": year,
                    "unit_code": _on(pool["old_unit_code"], day, moved),
                    "establishment_code": pool["code"].to_numpy(object),
                    "monitored_on": day.date,
                    "samples": samples,
                    "samples_failing": _share(rng, samples, rate),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _outreach(rng, est, units, moved, years) -> pd.DataFrame:
    """Broadcasts per commune in May; high-risk establishments reached, more each year."""
    parts = []
    for t, year in enumerate(years):
        may = dt.date(year, 5, 15)
        communes = _communes(units, may)
        parts.append(
            pd.DataFrame(
                {
                    "year": year,
                    "unit_code": communes,
                    "establishment_code": None,
                    "channel": "broadcast",
                    "reached_on": may,
                }
            )
        )
        pool = est[
            _active_in(est, year)
            & est["high_risk"].to_numpy()
            & est["kind"].isin(["enterprise", "cooperative"]).to_numpy()
        ]
        pool = pool[rng.random(len(pool)) < 0.60 + 0.07 * t]
        day = pd.to_datetime(_dates_in(rng, year, len(pool), may_weight=4))
        parts.append(
            pd.DataFrame(
                {
                    "year": year,
                    "unit_code": _on(pool["old_unit_code"], day, moved),
                    "establishment_code": pool["code"].to_numpy(object),
                    "channel": rng.choice(OUTREACH_CHANNELS, len(pool)),
                    "reached_on": day.date,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
