"""Importing 100,000 register rows from CSV into SQLite: target under 10 s.

Run with ``python -m benchmarks registers``. Builds a temporary SQLite store
with the shipped units and 5,000 establishments, writes a training register
of 100,000 rows (5,000 establishments × 4 years × 5 person categories) to
CSV with the Vietnamese headers of the template, and times
:func:`audit_lib.registers._import.import_register`: every row checked (types, rules,
units valid in the year, establishments known, duplicate keys), then written
in one transaction. A second import of the same file (all rows unchanged) is
timed too.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from audit_lib.registers import REGISTERS, import_register
from audit_lib.store import open_store

ROWS = 100_000
TARGET_SECONDS = 10.0
UNITS = Path(__file__).resolve().parent.parent / "data" / "units"
CATEGORIES = {"manager": 1, "osh_staff": 2, "strict_worker": 3, "other_worker": 4, "volunteer": 6}
YEARS = (2021, 2022, 2023, 2024)


def _files(folder: Path, rng: np.random.Generator) -> tuple[Path, Path]:
    units = pd.read_csv(UNITS / "units.csv")
    old = units.loc[units["unit_code"].str.startswith("PT-"), "unit_code"].to_numpy()
    n = ROWS // (len(YEARS) * len(CATEGORIES))
    codes = np.char.add("62", np.char.zfill(np.arange(n).astype(str), 8))
    where = rng.choice(old, n)
    workforce = rng.integers(10, 300, n)
    establishments = pd.DataFrame(
        {
            "code": codes,
            "name": [f"Công ty TNHH Thử nghiệm {i}" for i in range(n)],
            "kind": "enterprise",
            "sector": "construction",
            "unit_code": where,
            "workforce": workforce,
            "labour_relations": "Có",
        }
    )
    est_path = folder / "establishments.csv"
    establishments.to_csv(est_path, index=False)
    grid = pd.MultiIndex.from_product(
        [YEARS, range(n), list(CATEGORIES)], names=["year", "i", "category"]
    ).to_frame(index=False)
    headcount = rng.integers(1, 200, len(grid))
    training = pd.DataFrame(
        {
            "year": grid["year"],
            "unit_code": where[grid["i"]],
            "establishment_code": codes[grid["i"]],
            "group": grid["category"].map(CATEGORIES),
            "category": grid["category"],
            "headcount": headcount,
            "trained": rng.binomial(headcount, 0.8),
        }
    )
    spec = REGISTERS["training"]
    training.columns = [spec.column(c).vi for c in training.columns]
    path = folder / "huan_luyen.csv"
    training.to_csv(path, index=False)
    return est_path, path


def main() -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        est_path, path = _files(folder, np.random.default_rng(453))
        store = open_store(f"sqlite:///{folder / 'bench.db'}", upgrade=True)
        try:
            import_register(store, "units", UNITS / "units.csv")
            start = time.perf_counter()
            import_register(store, "establishments", est_path)
            setup = time.perf_counter() - start
            start = time.perf_counter()
            first = import_register(store, "training", path)
            elapsed = time.perf_counter() - start
            start = time.perf_counter()
            second = import_register(store, "training", path)
            again = time.perf_counter() - start
        finally:
            store.close()
    print(f"   setup: {est_path.name} imported in {setup:.2f} s")
    print(
        f"   import {first.inserted:,} training rows from CSV into SQLite: {elapsed:.2f} s "
        f"(target < {TARGET_SECONDS:.0f} s; {first.inserted / elapsed:,.0f} rows/s)"
    )
    print(f"   same file again ({second.unchanged:,} unchanged): {again:.2f} s")
    return first.inserted == ROWS and elapsed < TARGET_SECONDS
