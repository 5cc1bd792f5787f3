"""The answers table: checking answers before they are written, writing them, reading them fast.

Usage (the store calls these inside its transactions)::

    from audit_lib import answers
    clean = answers.check(frame, where="inspection 5f0c…")   # ResponsesError lists bad rows
    answers.write(conn, inspection_pk, clean, by="nguyen.van.a", at=now)
    answers.read(conn)           # every answer: inspection_id, item_id, answer, value, note

Reading is the hot path (scoring loads every answer of several years at
once), so it avoids one Python object per answer: for a range of inspections
the database packs each answer into one integer (inspection, item, answer
code) and concatenates them into one comma-separated string that numpy parses
at once; only the few answers with a value or a note are fetched as rows,
through partial indexes. ``inspection_id``, ``item_id`` and ``answer`` come
back as categoricals. 6 million answers load in about 3 s (``benchmarks/bench_store.py``).
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from audit_lib.answer_grid import ANSWER_CODES
from audit_lib.errors import Problem, Reason, ResponsesError, raise_if_problems
from audit_lib.i18n import both
from audit_lib.schema import inspections, item_codes, responses

COLUMNS = ["inspection_id", "item_id", "answer", "value", "note"]
CHUNK = 20_000
"""Inspections read per query: bounds the size of the concatenated strings."""
FEW = 500
"""Up to this many inspections are selected by id; more by ranges of ``inspection_pk``."""

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
    """Rows ``item_id, answer, value, note`` cleaned (None when missing), or ResponsesError."""
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
        note = None if _missing(note) or note == "" else str(note)
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


def _ranges(pks: np.ndarray | None, conn: sa.Connection):
    """SQL conditions covering ``pks`` (all answers when None) a chunk at a time."""
    col = responses.c.inspection_pk
    if pks is not None and len(pks) <= FEW:
        if len(pks):
            yield col.in_([int(p) for p in pks])
        return
    if pks is None:
        low = conn.execute(sa.select(sa.func.min(col))).scalar()
        high = conn.execute(sa.select(sa.func.max(col))).scalar()
        if low is None:
            return
    else:
        low, high = int(pks.min()), int(pks.max())
    for start in range(low, high + 1, CHUNK):
        yield col.between(start, min(start + CHUNK - 1, high))


def _inspection_names(conn: sa.Connection, inspection_ids) -> pd.Series:
    """inspection_id by inspection_pk, for ``inspection_ids`` (every inspection when None)."""
    t = inspections
    stmt = sa.select(t.c.inspection_pk, t.c.inspection_id)
    wanted = None
    if inspection_ids is not None:
        wanted = pd.unique(pd.Series(list(inspection_ids), dtype=object).astype(str))
        if len(wanted) <= FEW:
            stmt = stmt.where(t.c.inspection_id.in_(list(wanted)))
    rows = conn.execute(stmt).all()
    names = pd.Series(
        [i for _, i in rows], index=np.array([p for p, _ in rows], dtype=np.int64), dtype=object
    )
    if wanted is not None and len(wanted) > FEW:
        names = names[names.isin(wanted).to_numpy()]
    return names


def read(conn: sa.Connection, inspection_ids=None) -> pd.DataFrame:
    """Every answer (of ``inspection_ids`` when given) as the contract's long frame."""
    id_of = _inspection_names(conn, inspection_ids)
    items = dict(conn.execute(sa.select(item_codes.c.item_pk, item_codes.c.item_id)).all())
    width = max(items, default=0) + 1
    pks = None if inspection_ids is None else id_of.index.to_numpy()
    parts, values, notes = [], [], []
    for where in _ranges(pks, conn):
        parts.append(_dense(conn, where, width))
        values += _sparse(conn, where, "value")
        notes += _sparse(conn, where, "note")
    packed = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    if len(packed) > 1 and not (packed[1:] > packed[:-1]).all():
        packed = np.sort(packed)
    key = packed >> 2  # inspection_pk × width + item_pk, ascending
    ipk = key // width
    if pks is not None and len(pks) > FEW:
        keep = np.isin(ipk, pks)
        packed, key, ipk = packed[keep], key[keep], ipk[keep]
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
