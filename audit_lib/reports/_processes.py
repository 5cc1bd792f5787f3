"""The processes of a report run: workers and kernels that die with the run, and its scratch folder.

Usage::

    from audit_lib.reports import _processes as processes
    with processes.scratch_folder() as scratch:            # private, removed afterwards
        with processes.pool(2, scratch) as pool:           # workers end if this process dies
            pool.submit(...)
        config = processes.kernel_config(scratch)          # a kernel's sockets go in scratch
        with processes.environment({"PGPASSWORD": "…"}):  # what a kernel started here inherits
            ...

A run must leave nothing behind when it is killed, even with ``kill -9``:

- each worker watches its parent (:func:`watch_parent`, the pool's initializer):
  once the process that started it is gone, it kills its kernels, removes the
  run's scratch folder and exits, within :data:`WATCH_SECONDS`;
- kernels are the workers' children, each in its own session (jupyter_client
  starts them so); found through ``/proc`` on Linux. Elsewhere they still exit
  by themselves within a second of losing their worker (ipykernel polls its parent);
- the kernels' IPC sockets and connection files live in the run's private
  scratch folder (mode 0700), not loose in the temporary folder; it is removed
  when the run ends, fails or is killed, and a folder left by a run whose
  process is gone (all of its processes killed at once) is removed by the next run.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

PREFIX = "osh-audit-"
WATCH_SECONDS = 0.2
_RUN_FOLDER = re.compile(rf"{PREFIX}(?P<pid>\d+)-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process
    return True


def sweep(parent: str | os.PathLike | None = None) -> None:
    """Remove the scratch folders, in ``parent`` (default: the temporary folder), of this
    user's runs whose process is gone."""
    base = Path(parent or tempfile.gettempdir())
    for folder in base.glob(f"{PREFIX}*"):
        match = _RUN_FOLDER.match(folder.name)
        if not match or not folder.is_dir() or folder.is_symlink():
            continue
        with contextlib.suppress(OSError):
            if folder.stat().st_uid == os.getuid() and not _alive(int(match["pid"])):
                shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def scratch_folder() -> Iterator[Path]:
    """A private folder for one run's kernel sockets and partial notebooks, removed after
    the ``with`` block however it ends; stale ones of dead runs are swept first."""
    sweep()
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def kernel_config(scratch: Path):
    """Config for one kernel: IPC sockets (no TCP port race between parallel kernels) and
    the connection file, both in ``scratch`` under a fresh short name (socket paths are
    limited to ~100 bytes)."""
    from traitlets.config import Config

    name = uuid.uuid4().hex[:10]
    return Config(
        {
            "KernelManager": {
                "transport": "ipc",
                "ip": str(scratch / name),
                "connection_file": str(scratch / f"{name}.json"),
            }
        }
    )


@contextlib.contextmanager
def environment(extra: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` plus ``extra`` inside the block: a kernel started there inherits it.
    Restored afterwards (not thread-safe: call it from the thread that starts kernels)."""
    saved = {name: os.environ.get(name) for name in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _children() -> list[int]:
    """The processes this one started (Linux: from ``/proc``; elsewhere none are found)."""
    me, found = os.getpid(), []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # pid (comm) state ppid ...: comm may hold spaces and parentheses
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == me:
                found.append(int(stat.parent.name))
    return found


def _end_run(scratch: str) -> None:
    """Kill this worker's kernels (and whatever they started), remove the scratch folder, exit."""
    for pid in _children():
        for kill in (os.killpg, os.kill):  # a kernel leads its own session: its whole group
            with contextlib.suppress(OSError):
                kill(pid, signal.SIGKILL)
    shutil.rmtree(scratch, ignore_errors=True)
    os._exit(1)


def watch_parent(parent: int, scratch: str) -> None:
    """Pool initializer: end this worker (:func:`_end_run`) as soon as ``parent`` is no
    longer its parent process, however it died."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        _end_run(scratch)

    threading.Thread(target=watch, name="osh-audit-watch-parent", daemon=True).start()


def pool(workers: int, scratch: Path) -> concurrent.futures.ProcessPoolExecutor:
    """``workers`` *spawned* processes (a clean interpreter each, nothing inherited from the
    caller's threads) that end with this process (:func:`watch_parent`)."""
    return concurrent.futures.ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=watch_parent,
        initargs=(os.getpid(), str(scratch)),
    )
