"""The answers table: checking answers before they are written, writing them, reading them fast.

Usage (the store calls these inside its transactions)::

    from audit_lib.store import _answers as answers
    clean = answers.check(frame, where="inspection 5f0c…")   # ResponsesError lists bad rows
    answers.write(conn, inspection_pk, clean, by="nguyen.van.a", at=now)
    answers.pack(conn, [inspection_pk])   # when it is finalized
    answers.read(conn)           # every answer: inspection_id, item_id, answer, value, note

Reading is the hot path (scoring loads every answer of several years at
once), so it avoids one Python object per answer. Each answer is one integer
(item, answer code). A final inspection never changes, so when it is
finalized its integers are stored once, packed, in
``inspections.answers_packed``, and reading it costs one row, not one per
answer. A draft's answers are packed by the database from ``responses`` into
one comma-separated string that numpy parses at once. Only the few answers
with a value or a note are fetched as rows, through partial indexes.
``inspection_id``, ``item_id`` and ``answer`` come back as categoricals. See
``benchmarks/bench_store.py`` for the time to load 6 million answers.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from audit_lib.core.errors import Problem, Reason, ResponsesError, raise_if_problems
from audit_lib.core.i18n import both
from audit_lib.core.vocabulary import ANSWER_CODES
from audit_lib.store._limits import MAX_MEASURE, range_message, text_problems
from audit_lib.store._schema import inspections, item_codes, responses

COLUMNS = ["inspection_id", "item_id", "answer", "value", "note"]
CHUNK = 2_000
"""Inspections per query when reading some of them by id: bounds each statement's size."""
FEW = 500
"""Up to this many inspections are selected by id; for more, all are listed, then filtered."""

MESSAGES = {
    "no_item": {"vi": "thiếu mã mục", "en": "item id is missing"},
    "bad_answer": {
        "vi": "câu trả lời {value!r} không hợp lệ; dùng: compliant, noncompliant, na",
        "en": "invalid answer {value!r}; use one of: compliant, noncompliant, na",
    },
    "bad_value": {
        "vi": "giá trị {value!r} không phải là số",
        "en": "value {value!r} is not a number",
    },
    "twice": {"vi": "mục được trả lời hai lần", "en": "item answered twice"},
    "no_column": {"vi": "thiếu cột item_id", "en": "the item_id column is missing"},
}


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def check(frame: pd.DataFrame, where: str) -> list[dict]:
    """Rows ``item_id, answer, value, note`` cleaned (None when missing), or ResponsesError.

    An item id fits its column with no control character, a note holds none but
    tabs and line breaks (:mod:`audit_lib.store._limits`), a value is a finite
    number of at most ``MAX_MEASURE``.
    """
    if "item_id" not in frame:
        raise ResponsesError([Problem(where, None, "item_id", both(MESSAGES, "no_column"))])
    rows, problems, seen = [], [], set()
    for n, row in enumerate(frame.to_dict("records"), start=1):
        place = f"row {n}"
        item = row.get("item_id")
        answer, value, note = row.get("answer"), row.get("value"), row.get("note")
        if _missing(item) or not str(item).strip():
            message = both(MESSAGES, "no_item")
            problems.append(Problem(where, place, "item_id", message, Reason.MISSING))
            continue
        item = str(item).strip()
        if item in seen:
            problems.append(
                Problem(
                    where,
                    f"{place} ({item})",
                    "item_id",
                    both(MESSAGES, "twice"),
                    Reason.DUPLICATE,
                    item,
                )
            )
        seen.add(item)
        answer = None if _missing(answer) or answer == "" else answer
        if answer is not None and answer not in ANSWER_CODES:
            problems.append(
                Problem(
                    where,
                    f"{place} ({item})",
                    "answer",
                    both(MESSAGES, "bad_answer", value=answer),
                    Reason.VALUE,
                    answer,
                )
            )
        if _missing(value) or value == "":
            value = None
        else:
            try:
                value = float(value)
            except (TypeError, ValueError):
                problems.append(
                    Problem(
                        where,
                        f"{place} ({item})",
                        "value",
                        both(MESSAGES, "bad_value", value=value),
                        Reason.TYPE,
                        value,
                    )
                )
            else:
                if not abs(value) <= MAX_MEASURE:  # also NaN, which SQLite would store as NULL
                    message = range_message(-MAX_MEASURE, MAX_MEASURE)
                    problem = Problem(where, f"{place} ({item})", "value", message, Reason.VALUE)
                    problems.append(problem)
        note = None if _missing(note) or note == "" else str(note)
        texts = {"item_id": (item, item_codes.c.item_id), "note": (note, responses.c.note)}
        problems += text_problems(where, f"{place} ({item})", texts)
        rows.append({"item_id": item, "answer": answer, "value": value, "note": note})
    raise_if_problems(ResponsesError, problems)
    return rows


def _insert(conn: sa.Connection, table: sa.Table):
    dialect = {"sqlite": sqlite, "postgresql": postgresql}[conn.dialect.name]
    return dialect.insert(table)


def item_pks(conn: sa.Connection, item_ids) -> dict[str, int]:
    """The integer code of each item id, adding the ids seen for the first time."""
    wanted = sorted(set(item_ids))
    if not wanted:
        return {}
    conn.execute(
        _insert(conn, item_codes).on_conflict_do_nothing(index_elements=["item_id"]),
        [{"item_id": i} for i in wanted],
    )
    found = conn.execute(
        sa.select(item_codes.c.item_id, item_codes.c.item_pk).where(
            item_codes.c.item_id.in_(wanted)
        )
    )
    return dict(found.all())


def write(conn: sa.Connection, inspection_pk: int, clean: list[dict], by: str, at: datetime):
    """Upsert the answers in ``clean``; a row with no answer, value or note is removed."""
    codes = item_pks(conn, [r["item_id"] for r in clean])
    empty = [r["answer"] is None and r["value"] is None and r["note"] is None for r in clean]
    gone = [codes[r["item_id"]] for r, e in zip(clean, empty, strict=True) if e]
    if gone:
        conn.execute(
            responses.delete().where(
                responses.c.inspection_pk == inspection_pk, responses.c.item_pk.in_(gone)
            )
        )
    rows = [
        {
            "inspection_pk": inspection_pk,
            "item_pk": codes[r["item_id"]],
            "answer": r["answer"],
            "value": r["value"],
            "note": r["note"],
            "answered_by": by,
            "answered_at": at,
        }
        for r, e in zip(clean, empty, strict=True)
        if not e
    ]
    if rows:
        stmt = _insert(conn, responses)
        keep = ("answer", "value", "note", "answered_by", "answered_at")
        stmt = stmt.on_conflict_do_update(
            index_elements=["inspection_pk", "item_pk"],
            set_={name: stmt.excluded[name] for name in keep},
        )
        conn.execute(stmt, rows)


def _ints(text: str | None) -> np.ndarray:
    """Integers from a comma-separated string (none for an empty result)."""
    if not text:
        return np.empty(0, dtype=np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",")


def _chunks(pks: np.ndarray | None):
    """SQL conditions on ``inspection_pk``: all rows when None, else ``CHUNK`` pks at a time."""
    col = responses.c.inspection_pk
    if pks is None:
        yield sa.true()
        return
    for start in range(0, len(pks), CHUNK):
        yield col.in_([int(p) for p in pks[start : start + CHUNK]])


def _dense(conn: sa.Connection, where, width: int) -> np.ndarray:
    """``(inspection_pk × width + item_pk) × 4 + answer code`` of each answer matching ``where``.

    One integer per answer (code 0 = no answer, 1-3 = ANSWER_CODES), concatenated by the
    database into one string that numpy parses at once.
    """
    r = responses.c
    code = sa.case(*((r.answer == c, n) for n, c in enumerate(ANSWER_CODES, start=1)), else_=0)
    packed = (sa.cast(r.inspection_pk, sa.BigInteger) * width + r.item_pk) * 4 + code
    text = conn.execute(
        sa.select(sa.func.aggregate_strings(sa.cast(packed, sa.String), ",")).where(where)
    ).scalar()
    return _ints(text)


def _sparse(conn: sa.Connection, where, column: str) -> list[tuple]:
    """(inspection_pk, item_pk, value or note) of the answers that have one.

    Served by a partial covering index, and fetched on the driver's own cursor
    (the condition holds integers only, inlined): much faster than SQLAlchemy rows.
    """
    r = responses.c
    stmt = sa.select(r.inspection_pk, r.item_pk, r[column]).where(where, r[column].is_not(None))
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _packed_codes(codes: np.ndarray) -> bytes:
    """One inspection's ``item_pk × 4 + answer code`` (ascending) as the stored bytes."""
    return np.ascontiguousarray(codes, dtype="<i4").tobytes()


def _unpack(pks: np.ndarray, blobs: list, width: int) -> np.ndarray:
    """The stored answers of inspections ``pks`` as :func:`_dense` gives them."""
    lengths = np.fromiter((len(b) // 4 for b in blobs), dtype=np.int64, count=len(blobs))
    codes = np.frombuffer(b"".join(blobs), dtype="<i4").astype(np.int64)
    item, code = codes >> 2, codes & 3
    return (np.repeat(pks, lengths) * width + item) * 4 + code


def pack(conn: sa.Connection, inspection_pks=None, drafts_too: bool = False) -> int:
    """Store the packed answers of final inspections; returns how many were packed.

    ``inspection_pks`` (default: every final inspection not packed yet) must be
    final, or about to be made final in the same transaction (``drafts_too``,
    what finalizing does): a final inspection's answers never change (a
    correction is a new revision), so the packed copy can never go stale.
    :func:`read` takes a packed inspection's answers from it, a draft's from
    ``responses``.
    """
    t = inspections.c
    stmt = sa.select(t.inspection_pk).where(t.answers_packed.is_(None))
    if not drafts_too:
        stmt = stmt.where(t.status == "final")
    if inspection_pks is not None:
        stmt = stmt.where(t.inspection_pk.in_([int(p) for p in inspection_pks]))
    pks = np.array(conn.execute(stmt.order_by(t.inspection_pk)).scalars().all(), dtype=np.int64)
    width = (conn.execute(sa.select(sa.func.max(item_codes.c.item_pk))).scalar() or 0) + 1
    for start in range(0, len(pks), CHUNK):
        some = pks[start : start + CHUNK]
        dense = np.sort(_dense(conn, responses.c.inspection_pk.in_(some.tolist()), width))
        key = dense >> 2
        owner = key // width
        codes = (key - owner * width) * 4 + (dense & 3)
        bounds = np.searchsorted(owner, some, side="left"), np.searchsorted(owner, some, "right")
        conn.execute(
            inspections.update()
            .where(t.inspection_pk == sa.bindparam("pk"))
            .values(answers_packed=sa.bindparam("blob")),
            [
                {"pk": int(pk), "blob": _packed_codes(codes[lo:hi])}
                for pk, lo, hi in zip(some, *bounds, strict=True)
            ],
        )
    return len(pks)


def _inspection_rows(conn: sa.Connection, inspection_ids) -> tuple[pd.Series, pd.Series]:
    """inspection_id and packed answers (None for drafts) by inspection_pk, ascending.

    For ``inspection_ids`` when given, every inspection otherwise.
    """
    t = inspections
    final = sa.case((t.c.status == "final", t.c.answers_packed))  # a draft's may change
    stmt = sa.select(t.c.inspection_pk, t.c.inspection_id, final)
    wanted = None
    if inspection_ids is not None:
        wanted = pd.unique(pd.Series(list(inspection_ids), dtype=object).astype(str))
        if len(wanted) <= FEW:
            stmt = stmt.where(t.c.inspection_id.in_(list(wanted)))
    rows = conn.execute(stmt.order_by(t.c.inspection_pk)).all()
    index = np.array([r[0] for r in rows], dtype=np.int64)
    names = pd.Series([r[1] for r in rows], index=index, dtype=object)
    blobs = pd.Series([r[2] for r in rows], index=index, dtype=object)
    if wanted is not None and len(wanted) > FEW:
        keep = names.isin(wanted).to_numpy()
        names, blobs = names[keep], blobs[keep]
    return names, blobs


def read(conn: sa.Connection, inspection_ids=None, item_ids=None) -> pd.DataFrame:
    """Every answer (of ``inspection_ids``, of ``item_ids`` when given) as the contract's
    long frame."""
    id_of, blobs = _inspection_rows(conn, inspection_ids)
    items = dict(conn.execute(sa.select(item_codes.c.item_pk, item_codes.c.item_id)).all())
    width = max(items, default=0) + 1
    only = None
    if item_ids is not None:
        wanted_items = {str(i) for i in item_ids}
        only = np.array([pk for pk, item in items.items() if item in wanted_items], np.int64)
    stored = blobs.notna().to_numpy()
    pks = id_of.index.to_numpy()
    parts = [_unpack(pks[stored], blobs[stored].tolist(), width)]
    parts += [_dense(conn, where, width) for where in _chunks(pks[~stored])]
    asked = None if inspection_ids is None else pks
    values, notes = [], []
    for where in _chunks(asked):
        values += _sparse(conn, where, "value")
        notes += _sparse(conn, where, "note")
    packed = np.concatenate(parts)
    if only is not None:
        packed = packed[np.isin((packed >> 2) % width, only)]
    if len(packed) > 1 and not (packed[1:] > packed[:-1]).all():
        packed = np.sort(packed)
    key = packed >> 2  # inspection_pk × width + item_pk, ascending
    ipk = key // width
    value = np.full(len(key), np.nan)
    note = np.full(len(key), None, dtype=object)
    for target, rows, dtype in ((value, values, np.float64), (note, notes, object)):
        if rows:
            table = np.array(rows, dtype=dtype)
            wanted = table[:, 0].astype(np.int64) * width + table[:, 1].astype(np.int64)
            at = np.minimum(np.searchsorted(key, wanted), max(len(key) - 1, 0))
            found = key[at] == wanted if len(key) else np.zeros(len(wanted), dtype=bool)
            target[at[found]] = table[found, 2]  # rows of inspections not asked for are dropped
    return pd.DataFrame(
        {
            "inspection_id": _categorical(ipk, id_of),
            "item_id": _categorical(key - ipk * width, pd.Series(items, dtype=object)),
            "answer": pd.Categorical.from_codes(
                (packed & 3).astype(np.int8) - 1, categories=list(ANSWER_CODES)
            ),
            "value": value,
            "note": pd.Series(note, dtype=object),
        },
        columns=COLUMNS,
        copy=False,
    )


def _categorical(pks: np.ndarray, names: pd.Series) -> pd.Categorical:
    """``names[pks]`` as a categorical of the names used, built from integer codes only."""
    size = int(max(names.index.max() if len(names) else 0, pks.max() if len(pks) else 0)) + 1
    used = np.flatnonzero(np.bincount(pks, minlength=size))
    lookup = np.full(size, -1, dtype=np.int32 if len(used) > 30_000 else np.int16)
    lookup[used] = np.arange(len(used))
    known = np.full(size, None, dtype=object)
    known[names.index.to_numpy(dtype=np.int64)] = names.to_numpy(dtype=object)
    categories = known[used]
    return pd.Categorical.from_codes(lookup[pks], categories=pd.Index(categories, dtype=object))
