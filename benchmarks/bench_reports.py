"""100 inspection reports by the batch runner against papermill + nbconvert command lines.

``python -m benchmarks reports``. Builds a sample database, then, side by side:

* the runner: :func:`audit_lib.reports._runner.run_inspection_reports` on 100 visit records
  (executed .ipynb and HTML, in-process papermill in a pool of one worker per core);
* the baseline: for each report, the ``papermill`` command line, then
  ``jupyter nbconvert --to html`` (timed on ``BASELINE_SAMPLE`` reports, half
  before and half after the runner, and extrapolated to 100, as printed);
* a local Dask cluster: ``dask scheduler`` and ``DASK_WORKERS`` ``dask worker
  --nthreads 1`` processes on 127.0.0.1, the same 100 reports through
  ``scheduler=`` (the workers started and idle before the clock starts).

Targets: the runner's throughput is at least 4x the baseline's; the Dask cluster
keeps at least 90 % of the runner's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPORTS = 100
BASELINE_SAMPLE = 10
TARGET = 4.0
DASK_WORKERS = 2
DASK_TARGET = 0.9
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def sample_database(folder: Path) -> tuple[str, list[str]]:
    from audit_lib.sample import generate
    from audit_lib.store import open_store

    url = f"sqlite:///{folder / 'audit.db'}"
    with open_store(url, upgrade=True) as store:
        generate(store, seed=453, scale=0.3)
        ids = store.visits()["visit_id"].tolist()
    return url, ids[:REPORTS]


def runner(url: str, ids: list[str], out: Path) -> float:
    from audit_lib.reports import run_inspection_reports

    start = time.perf_counter()
    run_inspection_reports(url, out, ids=ids, jobs=os.cpu_count(), progress=False)
    return time.perf_counter() - start


def dask_cluster(url: str, ids: list[str], out: Path) -> float:
    import contextlib
    import json

    from distributed import Client

    dask = [sys.executable, "-m", "dask"]
    file = out.parent / "scheduler.json"
    with contextlib.ExitStack() as stack:
        started = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                     "--scheduler-file", str(file), "--dashboard-address",
                                     "127.0.0.1:0"], stderr=subprocess.DEVNULL)]  # fmt: skip
        stack.callback(lambda: [p.terminate() or p.wait() for p in reversed(started)])
        while not file.exists():
            time.sleep(0.2)
        address = json.loads(file.read_text())["address"]
        for _ in range(DASK_WORKERS):
            started.append(subprocess.Popen([*dask, "worker", address, "--nworkers", "1",
                                             "--nthreads", "1", "--host", "127.0.0.1",
                                             "--dashboard-address", "127.0.0.1:0"],
                                            stderr=subprocess.DEVNULL))  # fmt: skip
        with Client(address, set_as_default=False) as client:
            client.wait_for_workers(DASK_WORKERS, timeout=120)
        from audit_lib.reports import run_inspection_reports

        start = time.perf_counter()
        run_inspection_reports(url, out, ids=ids, progress=False, scheduler=address, say=print)
        return time.perf_counter() - start


def baseline(url: str, ids: list[str], out: Path) -> float:
    out.mkdir(parents=True, exist_ok=True)
    notebook = ROOT / "notebooks" / "inspection_report.ipynb"
    start = time.perf_counter()
    for visit_id in ids:
        target = out / f"{visit_id}.ipynb"
        subprocess.run(
            [
                str(BIN / "papermill"),
                str(notebook),
                str(target),
                "-k",
                "osh-audit",
                "--cwd",
                str(ROOT),
                "-p",
                "visit_id",
                visit_id,
                "-p",
                "db_url",
                url,
                "-p",
                "lang",
                "vi",
                "--no-progress-bar",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(target)],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - start


def main() -> bool:
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        folder = Path(tmp)
        url, ids = sample_database(folder)
        n = len(ids)
        # The baseline sample is split around the runner so that both see the same
        # background load on a shared machine.
        half = BASELINE_SAMPLE // 2
        some = ids[:BASELINE_SAMPLE]
        before = baseline(url, some[:half], folder / "baseline")
        ours = runner(url, ids, folder / "runner")
        after = baseline(url, some[half:], folder / "baseline")
        on_dask = dask_cluster(url, ids, folder / "dask")
        made = len([p for p in (folder / "runner").glob("*.html") if p.name != "index.html"])
        made_dask = len([p for p in (folder / "dask").glob("*.html") if p.name != "index.html"])
        theirs = (before + after) * n / len(some)
    ratio = theirs / ours
    kept = ours / on_dask
    print(
        f"   runner  : {n} reports ({made} HTML) in {ours:.1f} s = {n / ours * 60:.1f} reports/min"
        f" ({os.cpu_count()} workers)"
    )
    print(
        f"   baseline: {len(some)} reports timed, extrapolated to {n}: {theirs:.1f} s"
        f" = {n / theirs * 60:.1f} reports/min (papermill CLI + jupyter nbconvert per report)"
    )
    print(
        f"   dask    : {n} reports ({made_dask} HTML) in {on_dask:.1f} s"
        f" = {n / on_dask * 60:.1f} reports/min ({DASK_WORKERS} local workers, 1 thread each)"
    )
    print(f"   speed-up: {ratio:.1f}x (target >= {TARGET:.0f}x)")
    print(f"   dask/runner throughput: {kept:.0%} (target >= {DASK_TARGET:.0%})")
    return made == n and made_dask == n and ratio >= TARGET and kept >= DASK_TARGET


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
