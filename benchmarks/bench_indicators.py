"""Indicators: ``audit indicators --year 2025`` on 51,000 establishments, end to end, in 3 s.

``python -m benchmarks indicators`` builds the illustrative sample at
``--scale 170`` (about 51,000 establishments, 2021–2025) with
``audit sample --scale 170`` into ``benchmarks/out/indicators-scale170.db``
the first time (this takes minutes; later runs reuse the file), then runs
``audit indicators --db … --year 2025`` in a fresh process, ``RUNS`` times:
start-up, reading the stored results of the final visits and the registers,
computing and printing every indicator of the 453-KH/HU plan for every
commune. The verdict is on the median wall time of those runs, against
``TARGET_SECONDS``. Then, in this process, the same work split in two
(``Frames.from_store``, then ``compute``) shows where the time goes.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from audit_lib.indicators import Frames, compute, load_plan
from audit_lib.store import open_store

ROOT = Path(__file__).resolve().parent.parent
SCALE = float(os.environ.get("BENCH_INDICATORS_SCALE", 170))
DB = ROOT / "benchmarks" / "out" / f"indicators-scale{SCALE:g}.db"
AUDIT = str(Path(sys.executable).with_name("audit"))
YEAR = 2025
TARGET_SECONDS = 3.0
RUNS = 3


def _database() -> str:
    """The benchmark database, made once by ``audit sample`` (through a temporary file)."""
    if not DB.exists():
        DB.parent.mkdir(parents=True, exist_ok=True)
        tmp = DB.with_suffix(".tmp.db")
        for leftover in DB.parent.glob(tmp.name + "*"):
            leftover.unlink()
        start = time.perf_counter()
        argv = [AUDIT, "sample", "--db", f"sqlite:///{tmp}", "--scale", f"{SCALE:g}"]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        print(f"   generated the sample at scale {SCALE:g} in {time.perf_counter() - start:.0f} s")
        tmp.rename(DB)
    url = f"sqlite:///{DB}"
    open_store(url, upgrade=True).close()  # a file kept from an older schema is upgraded
    return url


def _end_to_end(url: str) -> float:
    """Wall seconds of one ``audit indicators --year 2025`` in a new process."""
    argv = [AUDIT, "indicators", "--db", url, "--year", str(YEAR)]
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> bool:
    url = _database()
    print(f"   load average before timing: {os.getloadavg()[0]:.1f}")
    walls = [_end_to_end(url) for _ in range(RUNS)]
    wall = statistics.median(walls)
    each = ", ".join(f"{w:.2f}" for w in walls)
    start = time.perf_counter()
    with open_store(url) as store:
        frames = Frames.from_store(store)
    read = time.perf_counter() - start
    start = time.perf_counter()
    compute(load_plan(ROOT / "data" / "plans" / "453-KH-HU.yaml"), frames, [YEAR])
    took = time.perf_counter() - start
    n_est, n_insp = len(frames.establishments), len(frames.inspections)
    print(f"   of which, in one process: read {read:.2f} s ({n_est:,} establishments, "
          f"{n_insp:,} final sheets), compute {took:.2f} s")  # fmt: skip
    ok = wall <= TARGET_SECONDS
    print(f"   audit indicators --year {YEAR}, end to end: {wall:.2f} s (median of {each}); "
          f"target <= {TARGET_SECONDS:.0f} s: {'pass' if ok else 'FAIL'}")  # fmt: skip
    return ok


if __name__ == "__main__":
    raise SystemExit(0 if main() else 1)
