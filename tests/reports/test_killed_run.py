"""A report run killed with ``kill -9`` leaves no process, no socket and no index that lies
(issue 12, attack 9).

Before: the workers went on writing for seconds, then hung forever re-parented to PID 1;
the index of the previous run still claimed every report complete over a mix of old and
new pages; kernel IPC sockets stayed in the temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from audit_lib.reports import _processes as processes
from audit_lib.reports import _runner as reports
from tests.reports.test_reports import kernel_or_skip

AUDIT = [sys.executable, "-c", "from audit_lib.cli import main; main()"]
MARK = "OSH_AUDIT_TEST_RUN"
STALE = "<p>STALE: a page of an earlier run</p>"


def run_processes(mark: str) -> dict[int, str]:
    """Every process whose environment holds ``MARK=mark``: the run, its workers, its
    kernels (each inherits it), with its command line."""
    found = {}
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if f"{MARK}={mark}".encode() in (proc / "environ").read_bytes().split(b"\0"):
                found[int(proc.name)] = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
    return {pid: cmd.decode(errors="replace") for pid, cmd in found.items()}


def wait_for(condition, timeout: float, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(step)
    return condition()


def listed_pages(index: Path) -> list[str]:
    return re.findall(r'<a href="([^"]+)">', index.read_text("utf-8"))


@pytest.mark.kernel
@pytest.mark.slow
def test_a_run_killed_with_sigkill_leaves_no_process_no_socket_and_an_honest_index(
    sample_db, sample_store, tmp_path, request
):
    kernel_or_skip()
    if not Path("/proc/self/environ").exists():
        pytest.skip("finds the run's processes through /proc (Linux)")
    ids = sample_store.visits(year=2025)["visit_id"].head(4).tolist()
    names = [job.name for job in reports.plan_inspection_jobs(sample_db, ids=ids)]
    out = tmp_path / "out"
    out.mkdir()
    # the run's own temporary folder, short: a socket path must fit in 107 bytes
    scratch = Path(tempfile.mkdtemp(prefix="k"))
    request.addfinalizer(lambda: shutil.rmtree(scratch, ignore_errors=True))
    # what an earlier, complete run left: its pages and an index claiming them
    for name in names:
        (out / f"{name}.html").write_text(STALE, encoding="utf-8")
    (out / "index.html").write_text(f'<body data-status="complete">{STALE}</body>')
    mark = uuid.uuid4().hex
    env = {**os.environ, MARK: mark, "TMPDIR": str(scratch)}
    command = [*AUDIT, "report", "inspections", "--ids", ",".join(ids), "--out", str(out),
               "--jobs", "2", "--db", sample_db]  # fmt: skip
    log = tmp_path / "stderr.txt"
    with log.open("wb") as stderr:
        run = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    try:

        def busy() -> bool:  # some pages of this run are made, not all, and a kernel is at work
            pages = [out / f"{name}.html" for name in names]
            made = [p for p in pages if p.exists() and STALE not in p.read_text("utf-8")]
            kernels = [c for c in run_processes(mark).values() if "ipykernel" in c]
            return 0 < len(made) < len(ids) and bool(kernels)

        assert wait_for(busy, timeout=180), log.read_text("utf-8", "replace")
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
        gone = wait_for(lambda: not run_processes(mark), timeout=5)
        assert gone, f"still running 5 s after the kill: {run_processes(mark)}"
        assert list(scratch.iterdir()) == []  # no socket, no connection file, no scratch folder
        index = (out / "index.html").read_text("utf-8")
        assert 'data-status="in-progress"' in index and "In progress" in index
        assert "not yet made" in index
        assert [p.name for p in out.iterdir() if STALE in p.read_text("utf-8")] == []
        for page in listed_pages(out / "index.html"):
            assert (out / page).exists()
    finally:
        for pid in run_processes(mark):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    started = time.time()
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    index = out / "index.html"
    page = index.read_text("utf-8")
    assert 'data-status="complete"' in page and "In progress" not in page
    assert f"{len(ids)} hoàn thành, 0 lỗi / {len(ids)} ok, 0 failed" in page
    pages = listed_pages(index)
    assert len(pages) == 2 * len(ids)  # HTML and ipynb of each
    for name in pages:
        assert (out / name).stat().st_mtime >= started - 1
        assert STALE not in (out / name).read_text("utf-8")
    assert sorted(p.name for p in out.iterdir()) == sorted([*pages, "index.html"])
    assert list(scratch.iterdir()) == [] and not run_processes(mark)


def test_a_scratch_folder_left_by_a_dead_run_is_swept_and_a_live_runs_kept(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead = tmp_path / f"{processes.PREFIX}{gone.stdout.strip()}-abc123"
    live = tmp_path / f"{processes.PREFIX}{os.getpid()}-def456"
    other = tmp_path / f"{processes.PREFIX}notarun"
    for folder in (dead, live, other):
        folder.mkdir()
        (folder / "k-1").write_text("")
    processes.sweep(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other.name])
