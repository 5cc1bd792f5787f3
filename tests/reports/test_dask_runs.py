"""Report runs on a Dask cluster (issue 18): a scheduler and two workers on 127.0.0.1,
started here; one worker killed with SIGKILL mid-run loses nothing; a scheduler that
cannot be reached is said in both languages, without a traceback."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audit_lib.reports import _runner as reports
from tests.conftest import ROOT
from tests.reports.test_reports import kernel_or_skip
from tests.reports.test_secrets import leaks, secret_db_url  # noqa: F401 (a fixture)

AUDIT = [sys.executable, "-c", "from audit_lib.cli import main; main()"]
SCHEDULER = [sys.executable, "-m", "dask", "scheduler"]
WORKER = [sys.executable, "-m", "dask", "worker"]


def environment() -> dict[str, str]:
    """This tree's audit_lib for every process the test starts (kernels included)."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def wait_for(condition, timeout: float, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(step)
    return condition()


@contextlib.contextmanager
def running_cluster(folder: Path, workers: int = 2, worker_path: str | None = None):
    """``(address, client)``: a scheduler and ``workers`` single-thread nanny workers on
    127.0.0.1 (``worker_path`` first on their ``PYTHONPATH``), stopped afterwards."""
    from distributed import Client

    started = []
    env = environment()
    worker_env = {
        **env,
        "PYTHONPATH": os.pathsep.join(filter(None, [worker_path, env["PYTHONPATH"]])),
    }
    log = folder / "cluster.log"
    file = folder / "scheduler.json"
    with log.open("ab") as out:
        started.append(
            subprocess.Popen(
                [*SCHEDULER, "--host", "127.0.0.1", "--port", "0", "--scheduler-file", str(file),
                 "--dashboard-address", "127.0.0.1:0"],
                env=env, stdout=out, stderr=out,
            )
        )  # fmt: skip
        assert wait_for(file.exists, timeout=60), log.read_text("utf-8", "replace")
        address = json.loads(file.read_text())["address"]
        for _ in range(workers):
            started.append(
                subprocess.Popen(
                    [*WORKER, address, "--nworkers", "1", "--nthreads", "1",
                     "--host", "127.0.0.1", "--dashboard-address", "127.0.0.1:0"],
                    env=worker_env, stdout=out, stderr=out, cwd=folder,
                )
            )  # fmt: skip
    client = Client(address, timeout=30, set_as_default=False)
    try:
        client.wait_for_workers(workers, timeout=120)
        yield address, client
    finally:
        client.close()
        for process in reversed(started):
            process.terminate()
        for process in reversed(started):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def cluster(tmp_path):
    """A scheduler and two workers (see :func:`running_cluster`)."""
    with running_cluster(tmp_path) as started:
        yield started


def comparable(path: Path) -> str:
    """A report's content without what differs between machines: the notebook's outputs."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return json.dumps([cell.get("outputs", []) for cell in nb.cells], sort_keys=True)


@pytest.mark.kernel
@pytest.mark.slow
def test_twenty_records_on_two_workers_one_killed_mid_run_all_made_and_equal_to_local(
    cluster, sample_db, sample_store, tmp_path
):
    kernel_or_skip()
    address, client = cluster
    ids = sample_store.visits(year=2025)["visit_id"].head(20).tolist()
    assert len(ids) == 20
    names = [job.name for job in reports.plan_inspection_jobs(sample_db, ids=ids)]
    out = tmp_path / "dask"
    command = [*AUDIT, "report", "inspections", "--ids", ",".join(ids), "--out", str(out),
               "--scheduler", address, "--db", sample_db, "--lang", "en"]  # fmt: skip
    log = tmp_path / "stderr.txt"
    with log.open("wb") as stderr:
        run = subprocess.Popen(command, env=environment(), stdout=subprocess.PIPE, stderr=stderr)
    try:
        made = lambda: sum((out / f"{n}.html").exists() for n in names)  # noqa: E731
        started = wait_for(lambda: made() >= 5 or run.poll() is not None, timeout=300)
        assert started and run.poll() is None, log.read_text("utf-8", "replace")
        assert made() < len(ids), "the run ended before a worker could be killed"
        victim = next(iter(client.run(os.getpid).values()))
        os.kill(victim, signal.SIGKILL)
        stdout, _ = run.communicate(timeout=600)
    finally:
        with contextlib.suppress(OSError):
            run.kill()
    stderr_text = log.read_text("utf-8", "replace")
    assert run.returncode == 0, stderr_text
    assert "Traceback" not in stderr_text
    assert "Dask cluster" in stderr_text and "dashboard" in stderr_text
    index = out / "index.html"
    assert stdout.decode().strip() == str(index)
    page = index.read_text("utf-8")
    assert 'data-status="complete"' in page
    assert "20 hoàn thành, 0 lỗi / 20 ok, 0 failed" in page
    links = re.findall(r'<a href="([^"]+)">', page)
    assert sorted(links) == sorted(f"{n}.{ext}" for n in names for ext in ("html", "ipynb"))
    assert sorted(p.name for p in out.iterdir()) == sorted([*links, "index.html"])

    local = tmp_path / "local"
    reports.run_inspection_reports(sample_db, local, ids=ids, lang="en", jobs=2, progress=False)
    for name in links:
        if name.endswith(".ipynb"):
            assert comparable(out / name) == comparable(local / name), name
        else:
            assert (out / name).read_bytes() == (local / name).read_bytes(), name
    assert index.read_bytes() == (local / "index.html").read_bytes()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow  # waits for the connection timeout
def test_an_unreachable_scheduler_is_said_in_both_languages_without_a_traceback(
    sample_db, sample_store, tmp_path
):
    ids = sample_store.visits(year=2025)["visit_id"].head(1).tolist()
    scheduler = f"tcp://127.0.0.1:{free_port()}"
    done = subprocess.run(
        [*AUDIT, "report", "inspections", "--ids", ids[0], "--out", str(tmp_path / "out"),
         "--scheduler", scheduler, "--db", sample_db],
        env=environment(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"cannot reach the Dask scheduler {scheduler}" in done.stderr
    assert f"không kết nối được bộ lập lịch Dask {scheduler}" in done.stderr


@pytest.mark.postgres
@pytest.mark.kernel
@pytest.mark.slow
def test_monitoring_reports_of_several_units_on_the_cluster_hold_no_password(
    cluster,
    secret_db_url,  # noqa: F811 (the fixture imported above)
    tmp_path,
):
    kernel_or_skip()
    address, _ = cluster
    out = tmp_path / "monitoring"
    done = subprocess.run(
        [*AUDIT, "report", "monitoring", "--plan", "data/plans/453-KH-HU.yaml", "--unit", "PT",
         "--unit", "Dào San", "--period", "2025", "--out", str(out), "--scheduler", address,
         "--db", secret_db_url],
        env=environment(), capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = (out / "index.html").read_text("utf-8")
    assert "2 hoàn thành, 0 lỗi / 2 ok, 0 failed" in page
    files = [p for p in out.iterdir() if p.is_file()]
    assert len(files) == 5  # two notebooks, two pages, the index
    assert [p.name for p in files if leaks(p.read_bytes().decode("utf-8", "replace"))] == []
    assert not leaks(done.stdout) and not leaks(done.stderr)


@pytest.mark.slow  # starts a cluster
def test_workers_with_another_version_of_the_package_are_refused_before_anything_is_written(
    sample_db, sample_store, tmp_path
):
    # a worker whose installed osh-audit-workbench says another version
    other = tmp_path / "other"
    (other / "osh_audit_workbench-9.9.9.dist-info").mkdir(parents=True)
    (other / "osh_audit_workbench-9.9.9.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: osh-audit-workbench\nVersion: 9.9.9\n"
    )
    ids = sample_store.visits(year=2025)["visit_id"].head(1).tolist()
    out = tmp_path / "out"
    with running_cluster(tmp_path, workers=1, worker_path=str(other)) as (address, _):
        done = subprocess.run(
            [*AUDIT, "report", "inspections", "--ids", ids[0], "--out", str(out),
             "--scheduler", address, "--db", sample_db],
            env=environment(), capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "run different versions" in done.stderr and "phiên bản phần mềm khác nhau" in done.stderr
    assert "osh-audit-workbench: " in done.stderr and "!= 9.9.9" in done.stderr
    assert not out.exists()
