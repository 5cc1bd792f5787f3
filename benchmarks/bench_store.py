"""Store read speed: load every answer of 100,000 inspections into a DataFrame in under 5 s.

``python -m benchmarks store`` builds a SQLite store with 100,000 final
inspections of 60 answers each (6 million answers, written directly with bulk
inserts), then times ``Store.responses()`` (the frame scoring takes) and
``Store.inspections()``. About 5 % of answers carry a value (count items) and
4 % a note, as inspectors write notes on violations. ``BENCH_INSPECTIONS=5000``
makes a quick run. Times are the best of two calls, wall clock and CPU: on a
shared machine the CPU time shows what the code costs.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from audit_lib.checklists import Checklist
from audit_lib.store import answers, open_store

INSPECTIONS = int(os.environ.get("BENCH_INSPECTIONS", 100_000))
ITEMS = 60
ESTABLISHMENTS = 400
TARGET_SECONDS = 5.0
FIRST_DAY = date(2021, 1, 1)
NOTE = "Chưa có biển cảnh báo"


def _build(store) -> None:
    """Fill an empty store directly: establishments, items, inspections and their answers."""
    rng = np.random.default_rng(453)
    items = [f"GEN.S{n // 10}.{n % 10:02d}" for n in range(ITEMS)]
    raw = store.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("BEGIN IMMEDIATE")
        cur.executemany(
            "INSERT INTO establishments (establishment_id, code, name, kind, sector, workforce) "
            "VALUES (?, ?, ?, 'enterprise', 'construction', ?)",
            [(e, f"42{e:08d}", f"Cơ sở {e}", 5 + e % 500) for e in range(1, 1 + ESTABLISHMENTS)],
        )
        cur.executemany(
            "INSERT INTO item_codes (item_pk, item_id) VALUES (?, ?)",
            list(enumerate(items, start=1)),
        )
        ids = rng.bytes(16 * INSPECTIONS)
        rows = []
        for pk, est, day in zip(
            range(1, INSPECTIONS + 1),
            rng.integers(1, ESTABLISHMENTS + 1, INSPECTIONS).tolist(),
            rng.integers(0, 5 * 365, INSPECTIONS).tolist(),
            strict=True,
        ):
            iid = str(uuid.UUID(bytes=ids[16 * (pk - 1) : 16 * pk]))
            rows.append((pk, iid, est, (FIRST_DAY + timedelta(days=day)).isoformat(), iid))
        cur.executemany(
            "INSERT INTO inspections (inspection_pk, inspection_id, establishment_id, "
            "checklist_id, checklist_version, checklist_fingerprint, inspected_on, type, "
            "status, chain_id, revision, inspectors, version, created_by, created_at) "
            "VALUES (?, ?, ?, 'general', '2025.1', 'f', ?, 'periodic', 'final', ?, 1, "
            "'Lò Văn Minh', 2, 'bench', '2025-06-01 00:00:00')",
            rows,
        )
        # Answers are made by SQLite itself from a deterministic hash of (inspection, item):
        # 84 % compliant, 8 % non-compliant (half with a note), 6 % n/a, 2 % unanswered.
        cur.execute(
            "INSERT INTO responses (inspection_pk, item_pk, answer, value, note, answered_by, "
            "answered_at) "
            "SELECT pk, item, CASE WHEN h < 84 THEN 'compliant' WHEN h < 92 THEN 'noncompliant' "
            "WHEN h < 98 THEN 'na' END, "
            "CASE WHEN item % 20 = 0 THEN ((pk * 31 + item) % 41) * 1.0 END, "
            "CASE WHEN h >= 84 AND h < 92 AND item % 2 = 1 THEN ? END, "
            "'bench', '2025-06-01 00:00:00' "
            "FROM (SELECT i.inspection_pk AS pk, c.item_pk AS item, "
            "(i.inspection_pk * 7919 + c.item_pk * 104729 + (i.inspection_pk * c.item_pk) % 97) "
            "% 100 AS h FROM inspections i CROSS JOIN item_codes c "
            "ORDER BY i.inspection_pk, c.item_pk)",
            (NOTE,),
        )
        cur.execute("COMMIT")
    finally:
        raw.close()
    with store.engine.begin() as conn:
        answers.pack(conn)  # as finalizing each inspection would have


def _checklist() -> Checklist:
    """The checklist of the answers saved: items ``GEN.S<section>.<nn>``, all major."""
    words = {"guidance": {"vi": "Xem", "en": "Look"}, "evidence": {"vi": "Hồ sơ", "en": "Records"}}
    sections = [
        {
            "id": f"S{s}",
            "title": {"vi": f"Phần {s}", "en": f"Part {s}"},
            "items": [
                {
                    "id": f"GEN.S{s}.{k:02d}",
                    "text": {"vi": f"Mục {s}.{k}", "en": f"Item {s}.{k}"},
                    "legal_basis": ["Luật ATVSLĐ 84/2015/QH13"],
                    "severity": "major",
                    **words,
                }
                for k in range(10)
            ],
        }
        for s in range(ITEMS // 10)
    ]
    band = {"code": "A", "min": 0, "pass": True, "label": {"vi": "A", "en": "A"}}
    title = {"vi": "Bảng kiểm đo", "en": "Benchmark checklist"}
    return Checklist.model_validate(
        {"id": "bench", "version": "1", "title": title, "sectors": ["all"], "grades": [band],
         "sections": sections}
    )  # fmt: skip


def _timed(label: str, call, repeat: int = 2):
    """Best wall and CPU seconds over ``repeat`` calls (the machine may be shared)."""
    best, cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = call()
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    print(f"   {label:<40} {best:6.2f} s  (CPU {cpu:.2f} s, {len(result):,} rows)")
    return best, result


def _time_saving(store, saves: int = 100) -> None:
    """How long an inspector waits for one answer to be saved (the form saves each answer)."""
    visit = store.create_visit(1, "2025-05-12", "periodic", ["Lò Văn Minh"], [_checklist()], by="b")
    iid = store.visit_sheets(visit)["inspection_id"].iloc[0]
    start, version = time.perf_counter(), 1
    for n in range(saves):
        version = store.save_answer(
            iid, f"GEN.S{n % 6}.{n % 10:02d}", "compliant", by="b", expected_version=version
        )
    each = (time.perf_counter() - start) / saves * 1000
    print(f"   Store.save_answer() with a version check {each:6.1f} ms each ({saves} saves)")


def main() -> bool:
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'bench.db'}", upgrade=True)
        start = time.perf_counter()
        _build(store)
        size = (Path(folder) / "bench.db").stat().st_size / 1e6
        print(
            f"   built {INSPECTIONS:,} inspections x {ITEMS} answers in "
            f"{time.perf_counter() - start:.1f} s ({size:,.0f} MB)"
        )
        seconds, frame = _timed("Store.responses() (every answer)", store.responses)
        assert len(frame) == INSPECTIONS * ITEMS
        print(
            f"   memory of the answers frame: {frame.memory_usage(deep=True).sum() / 1e6:,.0f} MB"
        )
        _, inspections = _timed("Store.inspections() (current, final)", store.inspections)
        ids = inspections["inspection_id"].sample(frac=0.5, random_state=1)
        _timed("Store.responses(half of the ids)", lambda: store.responses(ids), repeat=1)
        _timed("Store.responses(one inspection)", lambda: store.responses(ids.iloc[:1]), repeat=1)
        _time_saving(store)
        store.close()
    print(f"   load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"   target: every answer of {INSPECTIONS:,} inspections in < {TARGET_SECONDS:.0f} s")
    return seconds < TARGET_SECONDS
