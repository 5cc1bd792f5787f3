"""Where each indicator's numbers come from: facts per recorded unit, year and part of year.

Usage (``audit_lib.indicators._compute`` calls these through its catalogue)::

    ask = Ask(period="year", years=[2024, 2025])
    facts = env_monitored(frames, ask)
    # unit_code, year, part, numerator, denominator, rows, s_yy, s_xx, s_xy

``part`` is 1 for a year, 1–2 for half-years, 1–4 for quarters. ``rows``
counts the records behind a fact (a count with no record is "no data", not
zero). A register that only has a ``year`` gives nothing for half-years or
quarters. Registers and inspections are combined per establishment and
year: the register row wins; inspection answers of items declaring
``feeds`` count for establishments the register does not cover
(``docs/indicators.md``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SUMS = ["numerator", "denominator", "rows", "s_yy", "s_xx", "s_xy", "pending", "late"]
INVESTIGATION_DAYS = 30
"""Days to investigate a fatal accident from its declaration (Law 84/2015/QH13, Art. 35: 30 days;
60 when technical or forensic appraisal is needed, which the accident register does not record)."""
DECLARATION_DAYS = 1
"""A fatal accident is to be declared at once (Law 84/2015/QH13, Art. 34; Decree
39/2016/NĐ-CP, Art. 10: "by the fastest means"): a declaration dated later than the day
after the accident is late."""
KEYS = ["unit_code", "year", "part"]
PARTS = {"year": 1, "half": 2, "quarter": 4}
ANSWER_VALUE = {"compliant": 1.0, "noncompliant": 0.0}
# fmt: off
FRAME_COLUMNS = {  # what the sources read (docs/contracts.md); missing columns read as empty
    "establishments": ["establishment_id", "code", "unit_code", "kind", "high_risk",
                       "active_from", "active_to"],
    "inspections": ["inspection_id", "establishment_id", "checklist_id", "inspected_on", "status",
                    "type"],  # + reports
    "scores": ["inspection_id", "score", "weight_applicable", "weight_earned", "passed", "verdict",
               "critical_failures", "grade"],  # + reports
    "actions": ["inspection_id", "due_on", "closed_on"],
    "responses": ["inspection_id", "item_id", "answer", "value"],
    "feeds": ["checklist_id", "item_id", "indicator", "role"],
}
REGISTER_COLUMNS = {
    "workforce": ["unit_code", "year", "workers", "workers_labour_relations"],
    "accidents": ["accident_id", "occurred_on", "establishment_code", "unit_code",
                  "labour_relations", "victims", "deaths", "declared_on",
                  "investigation_completed_on", "handled"],
    "compensation": ["accident_id", "victim_no", "compensated"],
    "training": ["year", "unit_code", "establishment_code", "category", "headcount", "trained"],
    "od_exams": ["year", "unit_code", "establishment_code", "workers_examined"],
    "env_monitoring": ["year", "unit_code", "establishment_code", "monitored_on"],
    "outreach": ["year", "unit_code", "establishment_code", "reached_on"],
}
# fmt: on


def with_columns(frame: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    """``frame`` with every one of ``columns`` (missing ones empty)."""
    frame = pd.DataFrame() if frame is None else frame
    missing = [c for c in columns if c not in frame.columns]
    if not missing:
        return frame
    return frame.assign(**{c: pd.Series(pd.NA, index=frame.index, dtype=object) for c in missing})


@dataclass(frozen=True)
class Ask:
    """What is asked: kind of period, years, feeding items, the day actions are judged on.

    ``as_of=None`` judges each period at its end: every action due in it counts.
    """

    period: str
    years: list[int]
    feeds: pd.DataFrame | None = None
    as_of: dt.date | None = None
    memo: dict = field(default_factory=dict, compare=False)  # frames derived once, shared

    def once(self, key, make):
        """``make()`` the first time ``key`` is asked for, the same frame afterwards."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]


def _facts(df: pd.DataFrame) -> pd.DataFrame:
    """Sum the ``SUMS`` columns (missing ones are 0) by unit, year and part.

    Grouping is done on one integer key (unit number, year, part) with
    ``np.bincount``: several times faster than grouping on the text codes.
    """
    codes, names = pd.factorize(df["unit_code"])  # fast on the categorical unit codes
    year = pd.to_numeric(df["year"], errors="coerce").to_numpy(float)
    part = pd.to_numeric(df["part"], errors="coerce").to_numpy(float)
    ok = (codes >= 0) & ~np.isnan(year) & ~np.isnan(part)
    if not ok.any():
        return _empty()
    codes = codes[ok].astype(np.int64)
    key = (codes * 10_000 + year[ok].astype(np.int64)) * 8 + part[ok].astype(np.int64)
    where, keys = pd.factorize(key)
    out = pd.DataFrame(
        {
            "unit_code": np.asarray(names, dtype=object)[keys // 8 // 10_000],
            "year": (keys // 8) % 10_000,
            "part": keys % 8,
        }
    )
    for col in SUMS:
        if col in df:
            values = pd.to_numeric(df[col], errors="coerce").to_numpy(float)[ok]
            out[col] = np.bincount(where, np.nan_to_num(values), minlength=len(keys))
        else:
            out[col] = 0.0
    return out


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float) for c in [*KEYS, *SUMS]}).astype(
        {"unit_code": object, "year": int, "part": int}
    )


def _when(dates, period: str) -> tuple[pd.Series, pd.Series]:
    d = pd.to_datetime(pd.Series(dates), errors="coerce")
    months_per_part = 12 // PARTS[period]
    return d.dt.year, (d.dt.month - 1) // months_per_part + 1


def _dated(df: pd.DataFrame, column: str, ask: Ask) -> pd.DataFrame:
    year, part = _when(df[column], ask.period)
    return df.assign(year=year.to_numpy(), part=part.to_numpy())


def _reported(df: pd.DataFrame, column: str, ask: Ask) -> pd.DataFrame:
    """Register rows with a ``year`` and a date: the year for years, the date for parts of it.

    Rows without a date count for their year only.
    """
    if ask.period == "year":
        return df.assign(part=1)
    return _dated(df, column, ask).dropna(subset=["part"])


def _yearly(df: pd.DataFrame, ask: Ask, spread: bool = False) -> pd.DataFrame:
    """Rows with only a ``year``: part 1 for years; for finer periods nothing, or every part."""
    if ask.period == "year":
        return df.assign(part=1)
    if not spread:
        return df.iloc[0:0].assign(part=1)
    parts = pd.DataFrame({"part": range(1, PARTS[ask.period] + 1)})
    return df.merge(parts, how="cross")


def _register(frames, kind: str) -> pd.DataFrame:
    """The columns of a register the sources read (the others are never copied)."""
    return with_columns(frames.registers.get(kind), REGISTER_COLUMNS[kind])[REGISTER_COLUMNS[kind]]


def _active(frames, ask: Ask, high_risk: bool, kinds=None) -> pd.DataFrame:
    """Establishments active in each asked year: ``establishment_id, code, unit_code, year``."""
    key = ("active", tuple(ask.years), high_risk, tuple(kinds or ()))
    return ask.once(key, lambda: _find_active(frames, ask, high_risk, kinds))


def _find_active(frames, ask: Ask, high_risk: bool, kinds) -> pd.DataFrame:
    est = frames.establishments
    if high_risk:
        est = est[est["high_risk"].astype("boolean").fillna(False).astype(bool)]
    if kinds is not None:
        est = est[est["kind"].isin(kinds)]
    start = pd.to_datetime(est["active_from"], errors="coerce").dt.year.fillna(0).to_numpy()
    end = pd.to_datetime(est["active_to"], errors="coerce").dt.year.fillna(9999).to_numpy()
    parts = []
    for y in ask.years:
        on = (start <= y) & (end >= y)
        parts.append(est.loc[on, ["establishment_id", "code", "unit_code"]].assign(year=y))
    cols = ["establishment_id", "code", "unit_code", "year"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)


def _inspections(frames, ask: Ask) -> pd.DataFrame:
    """Final inspections with their establishment's unit, code, year and part."""
    return ask.once(("inspections", ask.period), lambda: _find_inspections(frames, ask))


def _find_inspections(frames, ask: Ask) -> pd.DataFrame:
    insp = frames.inspections
    insp = insp[insp["status"].isna() | (insp["status"] == "final")]
    est = frames.establishments[["establishment_id", "unit_code", "code", "high_risk"]]
    insp = insp[["inspection_id", "establishment_id", "checklist_id", "inspected_on"]]
    insp = insp.drop_duplicates("inspection_id").merge(est, on="establishment_id")
    insp["unit_code"] = insp["unit_code"].astype("category")
    return _dated(insp, "inspected_on", ask).reset_index(drop=True)


def _of_inspections(frames, ask: Ask, ids: pd.Series) -> np.ndarray:
    """Row of each id in :func:`_inspections` (-1: not a final inspection)."""
    index = ask.once(
        ("index", ask.period), lambda: pd.Index(_inspections(frames, ask)["inspection_id"])
    )
    return index.get_indexer(ids)


def _take(insp: pd.DataFrame, rows: np.ndarray, columns: list[str]) -> dict:
    """Columns of ``insp`` at positions ``rows``, keeping their types (categorical units)."""
    return {c: insp[c].array.take(rows) for c in columns}


def _feed_records(frames, ask: Ask, count: bool) -> pd.DataFrame:
    """Per establishment and period, from its latest inspection answering a feeding item."""
    cols = [*KEYS, "code", "numerator", "denominator"]
    if ask.feeds is None or ask.feeds.empty or frames.responses.empty:
        return pd.DataFrame(columns=cols)
    key = ("feeds", tuple(map(tuple, ask.feeds.astype(str).values)), count)
    return ask.once(key, lambda: _read_feeds(frames, ask, count)[cols])


def _read_feeds(frames, ask: Ask, count: bool) -> pd.DataFrame:
    insp = _inspections(frames, ask)
    resp = frames.responses
    resp = resp[resp["item_id"].isin(list(ask.feeds["item_id"]))]
    rows = _of_inspections(frames, ask, resp["inspection_id"])
    resp, rows = resp[rows >= 0], rows[rows >= 0]
    ans = pd.DataFrame(_take(insp, rows, ["establishment_id", "checklist_id", "year", "part"]))
    ans["row"] = rows
    ans["role"] = None
    checklist, item = ans["checklist_id"].to_numpy(), resp["item_id"].astype(object).to_numpy()
    for feed in ask.feeds.itertuples(index=False):
        ans.loc[(checklist == feed.checklist_id) & (item == feed.item_id), "role"] = feed.role
    value = pd.to_numeric(resp["value"], errors="coerce").to_numpy(float)
    coded = resp["answer"].astype(object).map(ANSWER_VALUE).astype(float).to_numpy()
    ans["v"] = np.where(np.isnan(value), coded, value)
    ans = ans[ans["role"].notna() & ans["v"].notna()]  # unanswered or "na": no information
    if ans.empty:
        return pd.DataFrame(columns=[*KEYS, "code", "numerator", "denominator"])
    # the latest inspection of each establishment and period
    dates = insp["inspected_on"].to_numpy()[ans["row"].to_numpy()]
    ans = ans.iloc[np.argsort(dates, kind="stable")]
    latest = ans.drop_duplicates(["establishment_id", "year", "part"], keep="last")["row"]
    ans = ans[ans["row"].isin(latest)]
    num = ans[ans["role"] == "numerator"].groupby("row")["v"].agg(["sum", "count"])
    den = ans[ans["role"] == "denominator"].groupby("row")["v"].sum()
    if count:
        numerator, denominator, keep = num["sum"], pd.Series(0.0, index=num.index), num.index
    elif den.empty:
        numerator, denominator, keep = num["sum"], num["count"].astype(float), num.index
    else:  # a share needs both counts of the same inspection
        keep = den.index.intersection(num.index)
        numerator, denominator = num["sum"].reindex(keep), den.reindex(keep)
    out = pd.DataFrame(_take(insp, keep.to_numpy(), [*KEYS, "code"]))
    return out.assign(numerator=numerator.to_numpy(float), denominator=denominator.to_numpy(float))


def _combine(register: pd.DataFrame, inspected: pd.DataFrame, use: str) -> pd.DataFrame:
    """Register rows first; inspection records for establishment-years the register lacks."""
    if use == "register":
        return register
    if use == "inspections" or register.empty:
        return inspected
    if inspected.empty:
        return register
    named = register.loc[register["code"].notna(), ["code", "year"]].drop_duplicates()
    hit = inspected[["code", "year"]].merge(
        named.assign(_hit=True), how="left", on=["code", "year"]
    )
    return pd.concat([register, inspected[hit["_hit"].isna().to_numpy()]], ignore_index=True)


def _rows(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(rows=1.0)


def fatal_frequency(labour_relations: bool):
    """Deaths (by accident date) over workers (workforce register, by year)."""

    def facts(frames, ask: Ask) -> pd.DataFrame:
        acc, work = _register(frames, "accidents"), _register(frames, "workforce")
        if work.empty:
            return _empty()
        if labour_relations and not acc.empty:
            acc = acc[acc["labour_relations"].astype("boolean").fillna(False).astype(bool)]
        column = "workers_labour_relations" if labour_relations else "workers"
        den = _yearly(work, ask, spread=True)
        den = den.assign(
            denominator=pd.to_numeric(den[column], errors="coerce").fillna(0), rows=1.0
        )
        parts = [den[[*KEYS, "denominator", "rows"]]]
        if not acc.empty:
            num = _dated(acc, "occurred_on", ask)
            parts.append(
                num.assign(numerator=pd.to_numeric(num["deaths"]).fillna(0))[[*KEYS, "numerator"]]
            )
        return _facts(pd.concat(parts, ignore_index=True))

    return facts


def od_examined(frames, ask: Ask) -> pd.DataFrame:
    """Workers examined for occupational disease (register by year; inspection count items)."""
    reg = _register(frames, "od_exams")
    reg = _yearly(reg, ask) if not reg.empty else pd.DataFrame(columns=[*KEYS, "code"])
    if len(reg):
        reg = reg.assign(numerator=pd.to_numeric(reg["workers_examined"]).fillna(0))
        reg = reg.rename(columns={"establishment_code": "code"})
    both = _combine(reg, _feed_records(frames, ask, count=True), "both")
    return _facts(_rows(both)) if len(both) else _empty()


def env_monitored(frames, ask: Ask) -> pd.DataFrame:
    """Establishments with working-environment monitoring: register rows and inspection answers."""
    reg = _register(frames, "env_monitoring")
    if not reg.empty:
        reg = reg.rename(columns={"establishment_code": "code"})
        reg = _reported(reg, "monitored_on", ask)
        named = reg[reg["code"].notna()].drop_duplicates(["code", "year", "part"])
        reg = pd.concat([named, reg[reg["code"].isna()]]).assign(numerator=1.0)
    both = _combine(reg, _feed_records(frames, ask, count=True), "both")
    if both.empty:
        return _empty()
    both = both.assign(numerator=(pd.to_numeric(both["numerator"]) > 0).astype(float))
    return _facts(_rows(both))


def trained(category: str, use: str):
    """People trained over people in the group (training register; inspection count items)."""

    def facts(frames, ask: Ask) -> pd.DataFrame:
        reg = _register(frames, "training")
        if not reg.empty:
            groups = ask.once(("training",), lambda: dict(tuple(reg.groupby("category"))))
            reg = groups.get(category, reg.iloc[0:0]).rename(columns={"establishment_code": "code"})
            reg = _yearly(reg, ask).assign(
                numerator=pd.to_numeric(reg["trained"]).fillna(0),
                denominator=pd.to_numeric(reg["headcount"]).fillna(0),
            )
            reg = reg.reindex(columns=[*KEYS, "code", "numerator", "denominator"])
        else:
            reg = pd.DataFrame(columns=[*KEYS, "code", "numerator", "denominator"])
        inspected = _feed_records(frames, ask, count=False)
        both = _combine(reg, inspected, use)
        return _facts(_rows(both)) if len(both) else _empty()

    return facts


def high_risk_reached(frames, ask: Ask) -> pd.DataFrame:
    """Active high-risk enterprises and cooperatives with an outreach record in the period."""
    active = _active(frames, ask, high_risk=True, kinds=["enterprise", "cooperative"])
    active = _yearly(active, ask, spread=True)
    out = _register(frames, "outreach")
    reached = pd.DataFrame(columns=["code", "year", "part"])
    if not out.empty:
        out = _reported(out, "reached_on", ask)
        reached = out.rename(columns={"establishment_code": "code"})[["code", "year", "part"]]
    reached = reached.drop_duplicates().assign(numerator=1.0)
    merged = active.merge(reached, on=["code", "year", "part"], how="left")
    return _facts(merged.assign(denominator=1.0, rows=1.0)) if len(merged) else _empty()


def victims_compensated(labour_relations: bool):
    """Victims compensated over accident victims (all, or the labour-relations area only)."""

    def facts(frames, ask: Ask) -> pd.DataFrame:
        acc = _register(frames, "accidents")
        if acc.empty:
            return _empty()
        if labour_relations:
            acc = acc[acc["labour_relations"].astype("boolean").fillna(False).astype(bool)]
        return _compensated(frames, _dated(acc, "occurred_on", ask))

    return facts


def _compensated(frames, acc: pd.DataFrame) -> pd.DataFrame:
    """Victims of ``acc`` with a compensation row marked paid (at most the victims)."""
    comp = _register(frames, "compensation")
    paid = pd.Series(0.0, index=acc["accident_id"].unique())
    if not comp.empty:
        ok = comp[comp["compensated"].astype("boolean").fillna(False).astype(bool)]
        paid = ok.groupby("accident_id").size().reindex(paid.index).fillna(0.0)
    victims = pd.to_numeric(acc["victims"]).fillna(0)
    num = np.minimum(acc["accident_id"].map(paid).fillna(0.0), victims)
    return _facts(acc.assign(numerator=num, denominator=victims, rows=1.0))


def fatal_accidents_handled(frames, ask: Ask) -> pd.DataFrame:
    """Fatal accidents declared, investigated and handled, over fatal accidents.

    Each accident is judged on the last day of its period (or on ``ask.as_of``
    when earlier): handled when declared, its investigation completed by that
    day and dealt with; ``pending`` when its investigation is not completed
    but still within :data:`INVESTIGATION_DAYS` of the declaration (of the
    accident when undeclared); ``late`` when declared more than
    :data:`DECLARATION_DAYS` after it, or not at all.
    """
    acc = _register(frames, "accidents")
    if acc.empty:
        return _empty()
    acc = _dated(acc[pd.to_numeric(acc["deaths"]).fillna(0) > 0], "occurred_on", ask)
    acc = acc.dropna(subset=["year", "part"])
    if acc.empty:
        return _empty()
    months = 12 // PARTS[ask.period]
    first = pd.to_datetime(
        {
            "year": acc["year"].astype(int),
            "month": (acc["part"].astype(int) - 1) * months + 1,
            "day": 1,
        }
    )
    judged = first + pd.DateOffset(months=months) - pd.Timedelta(days=1)
    if ask.as_of is not None:
        judged = judged.clip(upper=pd.Timestamp(ask.as_of))
    occurred = pd.to_datetime(acc["occurred_on"], errors="coerce")
    declared = pd.to_datetime(acc["declared_on"], errors="coerce")
    completed = pd.to_datetime(acc["investigation_completed_on"], errors="coerce")
    finished = completed.notna() & (completed <= judged)
    done = declared.notna() & finished & acc["handled"].astype("boolean").fillna(False).astype(bool)
    deadline = declared.fillna(occurred) + pd.Timedelta(days=INVESTIGATION_DAYS)
    pending = ~finished & (judged <= deadline)
    late = declared.isna() | (declared > occurred + pd.Timedelta(days=DECLARATION_DAYS))
    return _facts(
        acc.assign(
            numerator=done.astype(float),
            denominator=1.0,
            rows=1.0,
            pending=pending.astype(float),
            late=late.astype(float),
        )
    )


def inspection_coverage(high_risk: bool):
    """Establishments with a final inspection in the period over active establishments."""

    def facts(frames, ask: Ask) -> pd.DataFrame:
        active = _yearly(_active(frames, ask, high_risk), ask, spread=True)
        seen = _inspections(frames, ask)[["establishment_id", "year", "part"]].drop_duplicates()
        merged = active.merge(
            seen.assign(numerator=1.0), on=["establishment_id", "year", "part"], how="left"
        )
        return _facts(merged.assign(denominator=1.0, rows=1.0)) if len(merged) else _empty()

    return facts


def _scored(frames, ask: Ask) -> pd.DataFrame:
    """Final inspections with their scores (joined once per kind of period)."""
    return ask.once(("scored", ask.period), lambda: _join_scores(frames, ask))


def _join_scores(frames, ask: Ask) -> pd.DataFrame:
    insp = _inspections(frames, ask)
    cols = ["score", "weight_applicable", "weight_earned", "passed", "verdict", "critical_failures"]
    scores = frames.scores
    rows = _of_inspections(frames, ask, scores["inspection_id"])
    out = pd.DataFrame(_take(insp, rows[rows >= 0], KEYS))
    for c in cols:
        out[c] = scores[c].to_numpy()[rows >= 0]
    return out


def compliance_pooled(frames, ask: Ask) -> pd.DataFrame:
    """Weight earned over weight applicable, summed over inspections (a ratio of sums)."""
    s = _scored(frames, ask)
    s = s[pd.to_numeric(s["weight_applicable"]) > 0]
    y, x = s["weight_earned"].astype(float), s["weight_applicable"].astype(float)
    return _facts(
        s.assign(numerator=y, denominator=x, rows=1.0, s_yy=y * y, s_xx=x * x, s_xy=x * y)
    )


def compliance_mean(frames, ask: Ask) -> pd.DataFrame:
    """The mean of the inspections' scores (each inspection counts once)."""
    s = _scored(frames, ask)
    s = s[pd.to_numeric(s["score"]).notna()]
    score = s["score"].astype(float)
    return _facts(s.assign(numerator=score, denominator=1.0, rows=1.0, s_yy=score * score))


def inspections_passed(frames, ask: Ask) -> pd.DataFrame:
    """Passed inspections over inspections with a score (incomplete ones left out)."""
    s = _scored(frames, ask)
    s = s[s["verdict"] != "incomplete"]
    passed = s["passed"].astype("boolean").fillna(False).astype(float)
    return _facts(s.assign(numerator=passed, denominator=1.0, rows=1.0))


def critical_findings(frames, ask: Ask) -> pd.DataFrame:
    """Critical findings of the period's inspections (the ``critical_failures`` stored with
    each final sheet); a unit without inspections has no data."""
    s = _scored(frames, ask)
    n = pd.to_numeric(s["critical_failures"], errors="coerce").fillna(0.0)
    return _facts(s.assign(numerator=n, rows=1.0))


def actions_closed_on_time(frames, ask: Ask) -> pd.DataFrame:
    """Actions due in the period closed by their due date, judged at the period's end.

    Only the actions of current final records count (those of a record since
    revised are left out with it). The closing day is ``closed_on``: the day of
    the follow-up visit that found the action done (``verified_in``), or the day
    it was closed on documents. With ``ask.as_of``, actions due after that day
    are left out (not yet due), so a period not yet over can be judged on what
    has fallen due.
    """
    act = frames.actions[["inspection_id", "due_on", "closed_on"]]
    if ask.as_of is not None:
        due = pd.to_datetime(act["due_on"], errors="coerce")
        act = act[(due <= pd.Timestamp(ask.as_of)).to_numpy()]
    rows = _of_inspections(frames, ask, act["inspection_id"])
    act = act[rows >= 0]
    unit = _inspections(frames, ask)["unit_code"].array.take(rows[rows >= 0])
    due, closed = act["due_on"].to_numpy(), act["closed_on"].to_numpy()
    act = pd.DataFrame({"unit_code": unit, "due_on": due, "closed_on": closed})
    act = _dated(act, "due_on", ask)
    closed = pd.to_datetime(act["closed_on"], errors="coerce")
    on_time = (closed.notna() & (closed <= pd.to_datetime(act["due_on"]))).astype(float)
    return _facts(act.assign(numerator=on_time, denominator=1.0, rows=1.0))
