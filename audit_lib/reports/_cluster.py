"""Report runs on a Dask distributed cluster: ``audit report … --scheduler tcp://HOST:8786``.

Usage::

    from audit_lib.reports import _cluster as cluster
    with cluster.connected("tcp://10.0.0.5:8786", say=print) as client:  # or ClusterError
        outcomes = cluster.execute_all(jobs, "reports/2025", client, kernel="osh-audit")

The machines run ``dask scheduler`` and ``dask worker tcp://HOST:8786 --nthreads 1``
(each with this package and the ``osh-audit`` kernel installed, the office database
reachable). Each job is one task, :func:`remote_work`: on a worker it executes the
notebook and renders its HTML in a private scratch folder, and returns both as bytes;
the caller writes them (whole, or not at all) and the index. Workers need no shared
folder. The job's environment (the database password) travels with the task, never
inside a notebook, and is given to the kernel only.

A worker that dies mid-run loses nothing: the scheduler gives its tasks to another
worker (a task is idempotent, its files are written only by the caller), and each
future is released as soon as its files are written, so a finished report is not run
again. A report that fails is listed with its error, as on one machine.
"""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from audit_lib.core.errors import ClusterError
from audit_lib.core.i18n import tr
from audit_lib.reports import _processes as processes
from audit_lib.reports import _runner as runner

CONNECT_SECONDS = 10
WORKER_SECONDS = 30

MESSAGES = {
    "unreachable": {
        "vi": "không kết nối được bộ lập lịch Dask {scheduler} ({error}). Kiểm tra địa chỉ, "
        "cổng và tường lửa, và rằng 'dask scheduler' đang chạy trên máy đó",
        "en": "cannot reach the Dask scheduler {scheduler} ({error}). Check the address, the "
        "port and the firewall, and that 'dask scheduler' runs on that machine",
    },
    "no_workers": {
        "vi": "bộ lập lịch Dask {scheduler} không có máy trạm nào sau {seconds} giây. Chạy "
        "'dask worker {scheduler} --nthreads 1' trên các máy trạm",
        "en": "the Dask scheduler {scheduler} has no worker after {seconds} s. Start "
        "'dask worker {scheduler} --nthreads 1' on the worker machines",
    },
    "mismatch": {
        "vi": "phiên bản phần mềm khác nhau giữa máy này, bộ lập lịch và các máy trạm Dask "
        "{scheduler}; cài cùng phiên bản trên mọi máy rồi chạy lại:\n{table}",
        "en": "this machine, the scheduler and the workers of {scheduler} run different "
        "versions; install the same versions everywhere and run again:\n{table}",
    },
    "cluster": {
        "vi": "Cụm Dask {scheduler}: {workers} máy trạm; bảng điều khiển: {dashboard}",
        "en": "Dask cluster {scheduler}: {workers} workers; dashboard: {dashboard}",
    },
}


def _both(key: str, **fmt) -> str:
    return f"{tr(MESSAGES, key, 'vi', **fmt)} / {tr(MESSAGES, key, 'en', **fmt)}"


def package_version() -> str:
    """This package's version, here or on a worker."""
    import audit_lib

    return audit_lib.__version__


def remote_work(job: runner.Job, kernel: str) -> tuple[runner.Outcome, dict[str, bytes]]:
    """On a worker: execute and render ``job`` in a private scratch folder; the outcome and
    its files (``{file name: bytes}``): nothing is left on the worker."""
    kernel, _ = runner.kernel_for(kernel)
    with processes.scratch_folder() as scratch:
        out = scratch / "out"
        outcome = runner.work(job, str(out), kernel, str(scratch))
        files = {name: (out / name).read_bytes() for name in (outcome.ipynb, outcome.html) if name}
    return outcome, files


@contextlib.contextmanager
def connected(scheduler: str, say: Callable[[str], None] | None = None) -> Iterator:
    """A client of ``scheduler`` for the ``with`` block, once it has a worker and all run
    the same versions; else :class:`~audit_lib.core.errors.ClusterError` saying why.
    ``say`` is told the cluster's size and where its dashboard is."""
    from distributed import Client
    from distributed.versions import error_message

    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(
            scheduler, _both("unreachable", scheduler=scheduler, error=exc)
        ) from None
    try:
        try:
            client.wait_for_workers(1, timeout=WORKER_SECONDS)
        except TimeoutError:
            raise ClusterError(
                scheduler, _both("no_workers", scheduler=scheduler, seconds=WORKER_SECONDS)
            ) from None
        versions = client.get_versions()
        table = error_message(versions["scheduler"], versions["workers"], versions["client"])
        ours = package_version()
        theirs = {w: v for w, v in client.run(package_version).items() if v != ours}
        lines = [table["warning"]] if table["warning"] else []
        lines += [f"osh-audit-workbench: {ours} (client) != {v} ({w})" for w, v in theirs.items()]
        if lines:
            raise ClusterError(
                scheduler, _both("mismatch", scheduler=scheduler, table="\n".join(lines))
            )
        if say:
            workers = len(client.scheduler_info(n_workers=-1)["workers"])
            dashboard = client.dashboard_link or "-"
            say(_both("cluster", scheduler=scheduler, workers=workers, dashboard=dashboard))
        yield client
    finally:
        client.close()


def execute_all(
    jobs: Sequence[runner.Job],
    out_dir: str | os.PathLike,
    client,
    kernel: str = runner.KERNEL,
    progress: bool = True,
    made: Callable[[int, runner.Outcome], None] | None = None,
) -> list[runner.Outcome]:
    """Execute and render every job on ``client``'s cluster (see :func:`connected`); write
    each report's files in ``out_dir`` as it comes back; outcomes in job order (as
    :func:`audit_lib.reports._runner.execute_all`)."""
    from distributed import as_completed
    from tqdm import tqdm

    if not jobs:
        return []
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results: dict[int, runner.Outcome] = {}
    run_id = uuid.uuid4().hex[:8]
    futures = {
        client.submit(remote_work, job, kernel, key=f"osh-audit-{run_id}-{i}-{job.name}",
                      pure=False): i
        for i, job in enumerate(jobs)
    }  # fmt: skip
    with tqdm(
        total=len(jobs),
        desc=tr(runner.MESSAGES, "progress", jobs[0].lang),
        disable=not progress,
        file=sys.stderr,
    ) as bar:
        for future in as_completed(list(futures), loop=client.loop):
            i = futures.pop(future)
            try:
                outcome, files = future.result()
                for name, data in files.items():
                    runner.written_whole(out / name, lambda path, data=data: path.write_bytes(data))
                results[i] = outcome
            except Exception as exc:  # noqa: BLE001 (a task the cluster gave up on fails its report)
                results[i] = runner.Outcome(jobs[i], "failed", runner.describe(exc))
            future.release()  # done and written: never run again if its worker dies
            if made:
                made(i, results[i])
            bar.update(1)
    return [results[i] for i in range(len(jobs))]
