"""Deterministic sample data for Phong Thổ 2021–2025: units, establishments, inspections, registers.

Usage::

    from audit_lib.sample._sample import generate
    from audit_lib.store import open_store
    counts = generate(open_store("sqlite:///data/audit.db", upgrade=True))
    counts["establishments"], counts["inspections"]        # about 300 and 600
    generate(open_store("sqlite:///big.db", upgrade=True), scale=170)   # ~51,000 establishments

Everything here is **illustrative**: register rows carry the source
``"sample (illustrative)"`` and every name is invented. The same ``seed``,
``scale`` and ``years`` always give the same database contents: all chance
comes from one ``numpy`` generator, identifiers are drawn from it, and every
time stamp is derived from the dates generated, never from the clock.

What is generated, in order (each step a function of its own):

1. the units and the July 2025 crosswalk of ``data/units/`` (the crosswalk
   is marked illustrative there);
2. about ``300 × scale`` establishments across the local sectors with
   realistic workforce sizes (households 2–9, cooperatives 10–60,
   enterprises 10–800 log-normal, larger mining and hydropower sites);
   high risk as the law derives it from sector and VSIC code (Circular
   07/2016/TT-BLĐTBXH, Art. 8: mining, construction, hydropower, brick and
   concrete works), and workers in heavy, hazardous or dangerous jobs by
   sector (most miners, few shop workers; not known for one in ten);
   those registered from 1 July 2025 are placed in the new communes;
3. visits (:mod:`audit_lib.sample._inspections`): each year a share of
   the establishments (more of the high-risk ones, more in May, the OSH
   Action Month), one sheet per shipped checklist that applies, answered
   with more violations in mining and hydropower and fewer each year;
   accident inspections after accidents, follow-ups, a few revisions with a
   reason, a few drafts at the end of the period;
4. records made by the store's own finalizing
   (:func:`audit_lib.store.finalize_visits`, the operation the form uses):
   scores, findings and corrective actions; follow-ups find most actions
   done, and others are closed on documents on time, late, or left open;
5. the registers (:mod:`audit_lib.sample._registers`), consistent with the
   establishments and with each other.

Visits and answers are written in bulk as drafts, straight into the tables
the store reads, in one transaction (the store's own per-call API would
stamp the clock and random uuids into the data, which a reproducible sample
cannot have); they are then finalized together, with a reproducible clock.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from audit_lib.checklists import load_checklists
from audit_lib.core.errors import StoreError
from audit_lib.core.i18n import tr
from audit_lib.core.resources import shipped
from audit_lib.core.vocabulary import KINDS, high_risk_of
from audit_lib.registers import read_rows, write_rows
from audit_lib.sample import _inspections as sample_inspections
from audit_lib.sample import _registers as sample_registers
from audit_lib.sample._names import establishment_names
from audit_lib.store import insert_returning, schema
from audit_lib.units import made_mostly_of

UNITS_DIR = shipped("data", "units")
SOURCE = "sample (illustrative)"
BY = "sample"
REORGANISED = dt.date(2025, 7, 1)
DISTRICT = "PT"
"""Phong Thổ district: the sample's establishments are in its communes."""
SQLITE_CACHE_KIB = 256 * 1024  # a large page cache keeps bulk inserts into big indexes fast

MESSAGES = {
    "not_empty": {
        "vi": "cơ sở dữ liệu {url} đã có {n} cơ sở: dữ liệu mẫu chỉ ghi vào cơ sở dữ liệu trống "
        "(hãy dùng --db với một tệp mới)",
        "en": "database {url} already has {n} establishments: the sample is only written to an "
        "empty database (use --db with a new file)",
    },
}

# share of establishments by sector, and of kinds within a sector
SECTOR_SHARES = {
    "mining": 0.04,
    "hydropower": 0.05,
    "construction": 0.15,
    "agriculture": 0.20,
    "wood": 0.10,
    "manufacturing": 0.05,
    "trade": 0.25,
    "transport": 0.10,
    "other": 0.06,
}
KIND_SHARES = {  # enterprise, cooperative, household, other
    "mining": (0.85, 0.10, 0.05, 0.0),
    "hydropower": (1.0, 0.0, 0.0, 0.0),
    "construction": (0.60, 0.10, 0.30, 0.0),
    "agriculture": (0.10, 0.45, 0.45, 0.0),
    "wood": (0.25, 0.15, 0.60, 0.0),
    "manufacturing": (0.40, 0.10, 0.50, 0.0),
    "trade": (0.18, 0.02, 0.80, 0.0),
    "transport": (0.25, 0.35, 0.40, 0.0),
    "other": (0.30, 0.0, 0.60, 0.10),
}
STRICT_SHARE = {  # low, high share of the workforce in strict-requirement jobs
    "mining": (0.4, 0.8),
    "hydropower": (0.4, 0.7),
    "construction": (0.2, 0.6),
    "wood": (0.1, 0.4),
    "manufacturing": (0.05, 0.3),
    "transport": (0.05, 0.3),
    "agriculture": (0.0, 0.1),
    "trade": (0.0, 0.0),
    "other": (0.0, 0.1),
}
STRICT_EQUIPMENT = {
    "mining": 0.9,
    "hydropower": 0.95,
    "construction": 0.7,
    "wood": 0.5,
    "manufacturing": 0.4,
    "transport": 0.3,
    "agriculture": 0.1,
    "trade": 0.05,
    "other": 0.1,
}
HAZARDOUS_SHARE = {  # low, high share of the workforce in heavy, hazardous or dangerous jobs
    "mining": (0.5, 0.9),
    "hydropower": (0.4, 0.8),
    "construction": (0.2, 0.6),
    "wood": (0.2, 0.6),
    "manufacturing": (0.1, 0.5),
    "transport": (0.0, 0.3),
    "agriculture": (0.0, 0.2),
    "trade": (0.0, 0.0),
    "other": (0.0, 0.1),
}
HAZARDOUS_UNKNOWN = 0.1
"""The share of establishments whose register does not say how many (stored as not known)."""
VSIC = {
    "mining": ("0722", "0810"),
    "hydropower": ("4291", "4299"),
    "construction": ("4100", "4210", "4220"),
    "agriculture": ("0127", "0128", "0210", "0150"),
    "wood": ("1610", "1621", "3100"),
    "manufacturing": ("1079", "1061", "2392", "2395"),
    "trade": ("4711", "4719", "4752"),
    "transport": ("4932", "4933"),
    "other": ("9610", "5510", "5610"),
}
# where each sector is found among the 17 old units (weights; others get "rest")
PLACES = {
    "mining": ({"PT-NX": 5, "PT-BL": 2, "PT-HT": 2, "PT-KL": 1}, 0.2),
    "hydropower": (
        {"PT-NX": 2, "PT-HL": 2, "PT-PVS": 2, "PT-SLL": 2, "PT-MSS": 1.5, "PT-SSH": 1.5},
        0.8,
    ),
    "trade": ({"PT-TT": 6, "PT-MSO": 2, "PT-DS": 2, "PT-KL": 1.5}, 0.7),
}
DEFAULT_PLACES = ({"PT-TT": 3, "PT-MSO": 2, "PT-KL": 1.5, "PT-DS": 1.5}, 1.0)


def generate(store, seed: int = 453, scale: float = 1, years=(2021, 2025), checklists=None):
    """Write the sample into an empty store; returns the rows written per table."""
    first, last = int(years[0]), int(years[-1])
    checklists = checklists if checklists is not None else load_checklists()
    rng = np.random.default_rng(seed)
    _refuse_if_not_empty(store)
    units = read_rows(store, "units", UNITS_DIR / "units.csv")
    crosswalk = read_rows(_UnitsFile(units), "crosswalk", UNITS_DIR / "crosswalk.csv")
    # the district's own communes: the crosswalk also maps units of other districts
    # into the new communes (Thèn Sin of Tam Đường into Sin Suối Hồ)
    own = crosswalk["old_code"].isin(units.loc[units["parent_code"] == DISTRICT, "unit_code"])
    moved = dict(zip(crosswalk["old_code"][own], crosswalk["new_code"][own], strict=True))
    # the district's area: its communes, then the new ones made mostly of them (Sin Suối
    # Hồ with Thèn Sin, not Đoàn Kết ward, which took Lản Nhì Thàng into Lai Châu city)
    area = units[
        (units["parent_code"] == DISTRICT)
        | units["unit_code"].isin(made_mostly_of(units, crosswalk, DISTRICT))
        | (units["level"] != "commune")
    ]
    with store.transaction() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        for kind, frame in (("units", units), ("crosswalk", crosswalk)):
            write_rows(store, kind, frame, by=BY, conn=conn)
        est = establishments(rng, max(1, round(300 * scale)), moved, first, last)
        rows = _establishment_rows(est)
        est["establishment_id"] = insert_returning(conn, schema.establishments, rows)
        registers = sample_registers.generate(rng, est, area, moved, first, last, scale)
        visits = sample_inspections.plan_visits(rng, est, registers["accidents"], first, last)
        insp, resp = sample_inspections.answer_visits(rng, visits, est, checklists, first, last)
        insp, resp = sample_inspections.add_revisions(rng, insp, resp)
        end = dt.date(last, 12, 31)
        sample_inspections.write(conn, rng, insp, resp, est, checklists, end, BY)
        at = dt.datetime(last + 1, 1, 15, 8, 0)
        for kind, frame in registers.items():
            write_rows(store, kind, frame, source=SOURCE, at=at, by=BY, conn=conn)
    return store.counts()


class _UnitsFile:
    """The units of ``data/units/units.csv``, to check the crosswalk before they are stored."""

    def __init__(self, units: pd.DataFrame):
        self._units = units

    def units(self) -> pd.DataFrame:
        return self._units

    def crosswalk(self) -> pd.DataFrame:
        return pd.DataFrame()


def _refuse_if_not_empty(store) -> None:
    found = len(store.establishments())
    if found:
        english = tr(MESSAGES, "not_empty", "en", url=store.url, n=found)
        raise StoreError(f"{english} ({tr(MESSAGES, 'not_empty', 'vi', url=store.url, n=found)})")


def _pick(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One column index per row of a probability matrix (rows sum to 1)."""
    cumulative = probabilities.cumsum(axis=1)
    draws = rng.random(len(probabilities))[:, None] * cumulative[:, -1:]
    return (draws >= cumulative).sum(axis=1)


def _days(rng: np.random.Generator, n: int, start: dt.date, end: dt.date) -> np.ndarray:
    """``n`` dates uniform between ``start`` and ``end`` (inclusive), as datetime64[D]."""
    span = (end - start).days + 1
    return np.datetime64(start, "D") + rng.integers(0, span, n).astype("timedelta64[D]")


def establishments(rng, n: int, moved: dict, first: int, last: int) -> pd.DataFrame:
    """``n`` establishments with the contract's attributes (no ids yet)."""
    sectors = np.array(list(SECTOR_SHARES))
    sector = sectors[rng.choice(len(sectors), n, p=list(SECTOR_SHARES.values()))]
    kinds = np.array(KINDS)
    kind = kinds[_pick(rng, np.array([KIND_SHARES[s] for s in sector]))]
    big = np.isin(sector, ["mining", "hydropower"])
    workforce = np.select(
        [kind == "household", kind == "cooperative", big],
        [
            rng.integers(2, 10, n),
            rng.integers(10, 61, n),
            np.clip(rng.lognormal(np.log(120), 0.7, n), 30, 800),
        ],
        np.clip(rng.lognormal(np.log(25), 0.9, n), 10, 800),
    ).astype(int)
    workforce = np.where(kind == "other", rng.integers(2, 31, n), workforce)
    low, high = (np.array([STRICT_SHARE[s][i] for s in sector]) for i in (0, 1))
    strict = np.floor(workforce * (low + (high - low) * rng.random(n))).astype(int)
    equipment = rng.random(n) < np.array([STRICT_EQUIPMENT[s] for s in sector])
    labour = np.isin(kind, ["enterprise", "cooperative"]) | (rng.random(n) < 0.1)
    minors = rng.random(n) < np.where(np.isin(kind, ["household"]), 0.06, 0.02)
    vsic = np.array(
        [VSIC[s][i % len(VSIC[s])] for s, i in zip(sector, rng.integers(0, 12, n), strict=True)]
    )
    high_risk = np.array([bool(high_risk_of(s, v)) for s, v in zip(sector, vsic, strict=True)])
    low, high = (np.array([HAZARDOUS_SHARE[s][i] for s in sector]) for i in (0, 1))
    hazardous = np.floor(workforce * (low + (high - low) * rng.random(n)))
    hazardous = np.where(rng.random(n) < HAZARDOUS_UNKNOWN, np.nan, hazardous)
    start, end = dt.date(first, 1, 1), dt.date(last, 12, 31)
    opened_before = rng.random(n) < 0.85
    active_from = np.select(
        [sector == "hydropower", opened_before],
        [
            _days(rng, n, dt.date(first - 3, 1, 1), dt.date(last - 1, 6, 30)),
            _days(rng, n, dt.date(2005, 1, 1), start - dt.timedelta(days=1)),
        ],
        _days(rng, n, start, end),
    )
    project_years = rng.integers(2, 5, n) * 365
    closes = (sector == "hydropower") | (rng.random(n) < 0.05)
    active_to = np.where(
        closes,
        active_from + np.where(sector == "hydropower", project_years, rng.integers(400, 4000, n)),
        np.datetime64("NaT"),
    ).astype("datetime64[D]")
    active_to = np.where(active_to > np.datetime64(end), np.datetime64("NaT"), active_to)
    old_unit = _places(rng, sector, moved)
    new = active_from >= np.datetime64(REORGANISED)
    unit = np.where(new, pd.Series(old_unit).map(moved).fillna(pd.Series(old_unit)), old_unit)
    frame = pd.DataFrame(
        {
            "code": _codes(rng, kind),
            "name": establishment_names(rng, sector, kind, old_unit),
            "kind": kind,
            "sector": sector,
            "vsic": vsic,
            "unit_code": unit,
            "old_unit_code": old_unit,
            "workforce": workforce,
            "strict_workers": strict,
            "hazardous_workers": pd.array(hazardous, dtype="Int64"),
            "has_strict_equipment": equipment,
            "high_risk": high_risk,
            "labour_relations": labour,
            "employs_minors": minors,
            "active_from": pd.to_datetime(active_from),
            "active_to": pd.to_datetime(active_to),
        }
    )
    return frame.sort_values(["active_from", "code"], kind="stable").reset_index(drop=True)


def _places(rng, sector: np.ndarray, old_units) -> np.ndarray:
    old = np.array(sorted(old_units))
    weights = np.empty((len(sector), len(old)))
    for s in np.unique(sector):
        named, rest = PLACES.get(s, DEFAULT_PLACES)
        weights[sector == s] = [named.get(code, rest) for code in old]
    return old[_pick(rng, weights / weights.sum(axis=1, keepdims=True))]


def _codes(rng, kind: np.ndarray) -> np.ndarray:
    """Unique, plausible codes: 10-digit tax codes (Lai Châu's 62 prefix), household numbers."""
    numbers = rng.choice(10**8, size=len(kind), replace=False)
    tax = np.char.add("62", np.char.zfill(numbers.astype(str), 8))
    household = np.char.add("62H", np.char.zfill(numbers.astype(str), 8))
    return np.where(kind == "household", household, tax)


def _establishment_rows(est: pd.DataFrame) -> list[dict]:
    columns = [c.name for c in schema.establishments.c if c.name in est.columns]
    rows = []
    for record in est[columns].astype(object).to_dict("records"):
        opened = max(record["active_from"].date(), dt.date(2020, 1, 1))
        when = dt.datetime.combine(opened, dt.time(8, 0))
        for name in ("active_from", "active_to"):
            record[name] = None if pd.isna(record[name]) else record[name].date()
        for name in ("workforce", "strict_workers"):
            record[name] = int(record[name])
        known = not pd.isna(record["hazardous_workers"])
        record["hazardous_workers"] = int(record["hazardous_workers"]) if known else None
        for name in ("has_strict_equipment", "high_risk", "labour_relations", "employs_minors"):
            record[name] = bool(record[name])
        record.update(created_by=BY, created_at=when, updated_by=BY, updated_at=when)
        rows.append(record)
    return rows
