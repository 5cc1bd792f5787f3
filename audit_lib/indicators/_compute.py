"""The indicator catalogue and its computation per unit and period, judged against the plan.

Usage::

    from audit_lib.indicators._compute import Frames, compute
    from audit_lib.indicators._plan import load_plan
    frames = Frames.from_store(open_store())           # stored results of final visits, registers
    table = compute(load_plan("data/plans/453-KH-HU.yaml"), frames, years=[2025])
    table[["unit_name", "indicator", "value", "ci_low", "ci_high", "verdict"]]
    compute(plan, frames, [2025], level="province", period="half")
    compute(plan, frames, [2025], pool_years=3)        # 2023–2025 pooled

Each catalogue entry (``CATALOGUE[id]``) turns the frames into facts: sums
(numerator, denominator, records) per recorded unit, year and part of year.
:func:`compute` carries the facts across the crosswalk, sums them into the
units valid at ``at`` (never averaging rates), and gives one row per unit ×
period × indicator with the value, its 95 % interval, the target and the
verdict of :mod:`audit_lib.indicators._stats`. The rules, sources and choices are written
out in ``docs/indicators.md``.

Registers and inspections combine per establishment and year: the register
row wins where an establishment has one, an inspection's answers (items
declaring ``feeds``) count for establishments the register does not cover.
The ``_register`` and ``_inspected`` variants show each source alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from audit_lib.core.errors import InputError, Problem, Reason
from audit_lib.core.i18n import DEFAULT_LANG, tr
from audit_lib.indicators import _sources as src
from audit_lib.indicators import _stats as stats
from audit_lib.indicators import _targets as targets
from audit_lib.indicators._catalogue import CATALOGUE
from audit_lib.units import Hierarchy, check_level

if TYPE_CHECKING:
    from audit_lib.indicators._plan import Plan

# fmt: off
COLUMNS = [
    "unit_code", "unit_name", "level", "period", "indicator", "target_id", "numerator",
    "denominator", "factor", "value", "ci_low", "ci_high", "baseline_value", "target_value",
    "mean_yoy_change", "verdict", "verdict_label", "note", "illustrative",
]
# fmt: on
PERIODS = src.PARTS

MESSAGES = {
    "yearly_only": {"vi": "chỉ có số liệu theo năm", "en": "yearly data only"},
    "bad_period": {
        "vi": "kỳ phải là year, half hoặc quarter; gộp năm chỉ dùng với year",
        "en": "period must be year, half or quarter; pooling years needs period year",
    },
    "unit_not_valid": {
        "vi": "đơn vị {unit} không có hiệu lực ngày {at} (có hiệu lực {start} – {end}); dùng --at",
        "en": "unit {unit} is not valid on {at} (valid {start} – {end}); use --at",
    },
    "no_units": {
        "vi": "không có đơn vị cấp {level} nào có hiệu lực ngày {at} trong {unit}",
        "en": "no {level} unit valid on {at} within {unit}",
    },
    "no_years": {"vi": "cần ít nhất một năm", "en": "give at least one year"},
}


@dataclass
class Frames:
    """The frames indicators read (columns as in ``docs/contracts.md``).

    ``feeds`` is ``checklist_id, item_id, indicator, role`` from the checklists;
    ``responses`` may hold only the answers of those items.
    """

    units: pd.DataFrame
    crosswalk: pd.DataFrame
    establishments: pd.DataFrame = field(default_factory=pd.DataFrame)
    inspections: pd.DataFrame = field(default_factory=pd.DataFrame)
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    actions: pd.DataFrame = field(default_factory=pd.DataFrame)
    responses: pd.DataFrame = field(default_factory=pd.DataFrame)
    feeds: pd.DataFrame = field(default_factory=pd.DataFrame)
    registers: dict = field(default_factory=dict)
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        for name, columns in src.FRAME_COLUMNS.items():
            setattr(self, name, src.with_columns(getattr(self, name), columns))

    def hierarchy(self) -> Hierarchy:
        """The units and crosswalk as a :class:`~audit_lib.units._units.Hierarchy` (built once)."""
        if "tree" not in self._cache:
            self._cache["tree"] = Hierarchy(self.units, self.crosswalk)
        return self._cache["tree"]

    def facts(
        self, ind_id: str, period: str, years: list[int], feeds, as_of: dt.date | None = None
    ) -> pd.DataFrame:
        """An indicator's facts per recorded unit, year and part of year.

        Computed once and kept: frames are read, never changed, once computed on,
        so every level and unit of a report reuses them. ``as_of``: see :func:`compute`.
        """
        sign = None if feeds is None else tuple(map(tuple, feeds.astype(str).values))
        key = ("facts", ind_id, period, tuple(years), sign, as_of)
        if key not in self._cache:
            memo = self._cache.setdefault(("memo", period), {})
            ask = src.Ask(period, list(years), feeds, as_of=as_of, memo=memo)
            facts = CATALOGUE[ind_id].facts(self, ask)
            self._cache[key] = facts[facts["year"].isin(years)]
        return self._cache[key]

    @classmethod
    def from_store(cls, store) -> Frames:
        """Read the stored results of the current final sheets of a store (:mod:`audit_lib.store`).

        Nothing is scored again: scores, verdicts and numbers of critical
        findings are the results stored with each sheet when its visit was
        finalized, corrective actions the rows stored then (with their
        closings), and the items feeding indicators come from the checklist
        content each sheet was made with, never from the checklist files as
        they are today. Only the columns the indicators use are read.
        """
        wanted = {*src.FRAME_COLUMNS["inspections"], *src.FRAME_COLUMNS["scores"]}
        sheets = store.inspections(columns=[*wanted, "checklist_fingerprint"])
        feeds = _stored_feeds(store, sheets["checklist_fingerprint"].unique())
        responses = store.responses(item_ids=feeds["item_id"].unique())
        return cls(
            units=store.units(),
            crosswalk=store.crosswalk(),
            establishments=store.establishments(),
            inspections=sheets[src.FRAME_COLUMNS["inspections"]],
            scores=sheets[src.FRAME_COLUMNS["scores"]],
            actions=store.actions(columns=src.FRAME_COLUMNS["actions"]),
            responses=responses,
            feeds=feeds,
            registers={
                kind: store.register(kind, cols) for kind, cols in src.REGISTER_COLUMNS.items()
            },
        )


def _stored_feeds(store, fingerprints) -> pd.DataFrame:
    """``checklist_id, item_id, indicator, role`` of the checklist contents kept in ``store``
    under ``fingerprints`` (what the sheets were made with)."""
    parts = [
        checklist.feeds_frame().assign(checklist_id=checklist.id)
        for checklist in map(store.stored_checklist, fingerprints)
    ]
    feeds = pd.concat(parts, ignore_index=True) if parts else None
    feeds = src.with_columns(feeds, src.FRAME_COLUMNS["feeds"])[src.FRAME_COLUMNS["feeds"]]
    return feeds.drop_duplicates(ignore_index=True)


def compute(
    plan: Plan,
    frames: Frames,
    years,
    level: str = "commune",
    unit: str | None = None,
    at: dt.date | None = None,
    period: str = "year",
    pool_years: bool | int = False,
    lang: str = DEFAULT_LANG,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """One row per unit × period × plan indicator (columns ``COLUMNS``); see the module docstring.

    ``at`` (default: the start of the current hierarchy) picks the units;
    ``unit`` (code or name) keeps that unit or the units of ``level`` inside it;
    ``pool_years=True`` pools all ``years`` into one period, ``pool_years=n``
    pools the n years up to each year. Corrective actions are judged at each
    period's end, or, with ``as_of``, only those due by that day: the result
    never depends on the day it is computed.
    """
    tree = frames.hierarchy()
    at = at or tree.latest_change()
    check_level(level, lang)
    years = sorted({int(y) for y in years})
    problems = []
    if not years:
        problems.append(
            Problem("--year", None, "year", tr(MESSAGES, "no_years", lang), Reason.MISSING)
        )
    if period not in PERIODS or (pool_years and period != "year"):
        msg = tr(MESSAGES, "bad_period", lang)
        problems.append(Problem("--period", None, "period", msg, Reason.VALUE, period))
    if problems:
        raise InputError(problems)
    chosen = _units(tree, level, unit, at, lang)
    windows = _windows(years, period, pool_years)
    specs = [(t.id, t.indicator, t) for t in plan.targets]
    specs += [("", m.indicator, None) for m in plan.monitored]
    t0s = [t.baseline_year for _, _, t in specs if t is not None and t.kind == "annual_change"]
    needed = set(windows["year"]) | {y for t0 in t0s for y in range(t0, max(years) + 1)}
    feeds = _feed_map(plan, frames.feeds)
    scoped = {t.indicator: t for _, _, t in specs if t is not None and t.unit_levels}

    def rolled(per: str, ids: list[str]) -> dict[str, pd.DataFrame]:
        """Every indicator's facts summed into the units, at once; split by indicator."""
        if not ids:
            return {}
        parts = [
            _at_levels(
                frames.facts(i, per, sorted(needed), feeds.get(CATALOGUE[i].feeds_of), as_of),
                scoped.get(i),
                tree,
                per,
            ).assign(indicator=i)
            for i in ids
        ]
        facts = pd.concat(parts, ignore_index=True)
        sums = tree.roll_up(facts, src.SUMS, level, at, by=["indicator", "year", "part"])
        groups = dict(tuple(sums.groupby("indicator", sort=False)))
        return {i: groups.get(i, sums.iloc[0:0]) for i in ids}

    ids = list(dict.fromkeys(ind_id for _, ind_id, _ in specs))
    dated = [i for i in ids if CATALOGUE[i].dated or period == "year"]
    grids = _grid(chosen, windows, rolled(period, dated), ids)
    judged = [i for i in ids if any(t is not None for _, j, t in specs if j == i)]
    yearly = rolled("year", judged)
    out = []
    for target_id, ind_id, target in specs:
        ind = CATALOGUE[ind_id]
        rows = targets.judge(
            ind, target, plan, grids[ind_id], yearly.get(ind_id), windows, period, lang
        )
        rows["target_id"] = target_id
        rows["indicator"] = ind_id
        if period != "year" and not ind.dated:
            rows["note"] = targets.notes([(tr(MESSAGES, "yearly_only", lang), True)], rows["note"])
        out.append(rows)
    table = pd.concat(out, ignore_index=True)
    names = tree.names(lang)
    table["unit_name"] = table["unit_code"].map(names)
    table["level"] = level
    table["verdict_label"] = [stats.verdict_label(v, lang) for v in table["verdict"]]
    crossed = tree.crossings(level, at, lang)
    table["note"] = [
        "; ".join([n, *crossed.get(u, [])]) if n else "; ".join(crossed.get(u, []))
        for n, u in zip(table["note"], table["unit_code"], strict=True)
    ]
    return table[COLUMNS]


def _at_levels(facts: pd.DataFrame, target, tree: Hierarchy, period: str) -> pd.DataFrame:
    """``facts`` without the rows of units whose level the target leaves out on its period's end."""
    if target is None or facts.empty:
        return facts
    level = tree.units.drop_duplicates("unit_code", keep="last").set_index("unit_code")["level"]
    months = 12 // PERIODS[period]
    start = pd.to_datetime(
        pd.DataFrame({"year": facts["year"], "month": facts["part"] * months, "day": 1})
    )
    ends = (start + pd.offsets.MonthEnd(0)).dt.date
    keep = [
        (levels := target.levels_on(end)) is None or level.get(code) in levels
        for end, code in zip(ends, facts["unit_code"], strict=True)
    ]
    return facts[keep]


def _units(tree: Hierarchy, level: str, unit: str | None, at: dt.date, lang: str) -> list[str]:
    rows = tree.valid_at(at, level)
    codes = list(rows["unit_code"])
    if unit is not None:
        code = tree.resolve(unit, at, lang)
        valid = tree.valid_at(at)
        if code not in set(valid["unit_code"]):
            rows = tree.units[tree.units["unit_code"] == code]
            start, end = (_day(rows["valid_from"], min), _day(rows["valid_to"], max))
            msg = tr(MESSAGES, "unit_not_valid", lang, unit=code, at=at, start=start, end=end)
            raise InputError([Problem("--unit", None, "unit", msg, Reason.VALUE, unit)])
        own = valid.set_index("unit_code").at[code, "level"]
        up = tree.ancestors(at, own)
        codes = [c for c in codes if up.get(c) == code]
    if not codes:
        msg = tr(MESSAGES, "no_units", lang, level=level, at=at, unit=unit or "-")
        raise InputError([Problem("--level", None, "level", msg, Reason.VALUE, level)])
    return codes


def _day(dates: pd.Series, pick_one) -> str:
    known = [str(d) for d in dates if not pd.isna(d)]
    return pick_one(known) if known else "…"


def _windows(years: list[int], period: str, pool) -> pd.DataFrame:
    """Which (year, part) make each reported period: ``period, year, part, end``."""
    rows = []
    if pool is True:
        rows = [
            (f"{years[0]}–{years[-1]}", y, 1, years[-1]) for y in range(years[0], years[-1] + 1)
        ]
    elif pool:
        for end in years:
            label = f"{end - int(pool) + 1}–{end}" if int(pool) > 1 else str(end)
            rows += [(label, y, 1, end) for y in range(end - int(pool) + 1, end + 1)]
    else:
        tag = {"year": "", "half": "H", "quarter": "Q"}[period]
        for y in years:
            for p in range(1, PERIODS[period] + 1):
                rows.append((f"{y}-{tag}{p}" if tag else str(y), y, p, y))
    return pd.DataFrame(rows, columns=["period", "year", "part", "end"])


def _grid(units: list[str], windows: pd.DataFrame, rolled: dict, ids: list[str]) -> dict:
    """Sums per indicator, unit and reported period, with every unit and period present."""
    facts = pd.concat([rolled.get(i, pd.DataFrame()) for i in ids], ignore_index=True)
    joined = facts.reindex(columns=["indicator", *src.KEYS, *src.SUMS, "illustrative"]).merge(
        windows, on=["year", "part"]
    )
    joined["illustrative"] = joined["illustrative"].astype(float)
    keys = ["indicator", "unit_code", "period"]
    sums = joined.groupby(keys, as_index=False)[[*src.SUMS, "illustrative"]].sum()
    periods = windows.drop_duplicates("period")[["period", "end"]]
    full = pd.DataFrame({"indicator": ids}).merge(pd.DataFrame({"unit_code": units}), how="cross")
    full = full.merge(periods, how="cross").merge(sums, on=keys, how="left")
    full[src.SUMS] = full[src.SUMS].astype(float).fillna(0.0)
    full["illustrative"] = full["illustrative"].fillna(0.0) > 0
    return {i: g.reset_index(drop=True) for i, g in full.groupby("indicator", sort=False)}


def _feed_map(plan: Plan, feeds: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Catalogue indicator -> the items feeding it (a feed names a target or an indicator)."""
    if feeds is None or feeds.empty:
        return {}
    by_target = {t.id: t.indicator for t in plan.targets}
    ind = feeds["indicator"].map(lambda k: by_target.get(k, k))
    mapped = feeds.assign(indicator=ind)
    return {k: g.reset_index(drop=True) for k, g in mapped.groupby("indicator")}
