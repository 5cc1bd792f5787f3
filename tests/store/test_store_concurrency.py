"""Several processes and threads writing at once: nothing lost, and no silent double win."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from audit_lib.core.errors import ConflictError
from audit_lib.store import open_store
from tests.factories import establishment, sheet

PROCESSES = 4
SAVES = 50


def _worker(url: str, evidence: str, shared: str, contested: str, worker: int, start, results):
    """Child process: one save of ``contested`` expecting version 1, then SAVES of its own items."""
    store = open_store(url, evidence_dir=evidence)
    start.wait()
    try:
        store.save_answer(
            contested,
            "A.1",
            "noncompliant",
            note=f"ghi bởi {worker}",
            by=f"worker-{worker}",
            expected_version=1,
        )
        results.put((worker, "won", None))
    except ConflictError as exc:
        results.put((worker, "lost", exc.pending["note"]))
    for n in range(SAVES):
        store.save_answer(
            shared,
            f"W{worker}.{n:03d}",
            "compliant",
            value=float(n),
            note=f"tiến trình {worker}",
            by=f"worker-{worker}",
        )
    store.close()


def _draft(store, code: str = "4200000001") -> str:
    """The sheet of a new draft visit of a new mine."""
    eid = establishment(store, "PT-BL", code=code, name="Công ty khai khoáng Đông Pao",
                        sector="mining", workforce=60)  # fmt: skip
    return sheet(store, establishment_id=eid, visited_on="2025-05-20", type="unannounced",
                 team=["Lò Văn Minh"])  # fmt: skip


@pytest.mark.slow
def test_processes_writing_at_once_lose_nothing_and_only_one_wins_the_same_version(store, db_url):
    shared, contested = _draft(store, "4200000001"), _draft(store, "4200000002")
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(PROCESSES), context.Queue()
    evidence = str(store.evidence_files.root)
    workers = [
        context.Process(
            target=_worker, args=(db_url, evidence, shared, contested, w, start, results)
        )
        for w in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    outcome = sorted(results.get(timeout=180) for _ in range(PROCESSES))
    for process in workers:
        process.join(timeout=180)
    assert [p.exitcode for p in workers] == [0] * PROCESSES

    frame = store.responses([shared])
    assert sorted(frame["item_id"].astype(str)) == sorted(
        f"W{w}.{n:03d}" for w in range(PROCESSES) for n in range(SAVES)
    )
    assert (frame["value"] == frame["item_id"].astype(str).str[-3:].astype(float)).all()
    assert store.inspections(status="draft", ids=[shared])["version"].tolist() == [
        1 + PROCESSES * SAVES
    ]

    winners = [w for w, result, _ in outcome if result == "won"]
    assert len(winners) == 1
    assert all(pending == f"ghi bởi {w}" for w, result, pending in outcome if result == "lost")
    assert store.responses([contested])["note"].tolist() == [f"ghi bởi {winners[0]}"]
    assert store.inspections(status="draft", ids=[contested])["version"].tolist() == [2]


def test_threads_sharing_one_store_lose_nothing(store):
    """Widget callbacks run on other threads: each call must use its own connection."""
    iid = _draft(store)
    errors = []

    def save(worker: int) -> None:
        try:
            for n in range(20):
                store.save_answer(iid, f"T{worker}.{n:02d}", "na", by=f"thread-{worker}")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.responses([iid])) == 80
