"""DataFrames into tables: plain Python values for the drivers, and fast bulk inserts.

Usage::

    from audit_lib.store._bulk import bulk_insert, insert_returning, native_records
    with store.transaction() as conn:
        bulk_insert(conn, schema.training, frame)          # columns named as the table's
        ids = insert_returning(conn, schema.establishments, native_records(est))

pandas keeps missing values as NaN, NA or NaT and numbers as numpy scalars;
database drivers want None and plain Python values, and a ``Date`` column wants
a ``date``. On SQLite, :func:`bulk_insert` writes through the driver's own
``executemany`` with the text SQLAlchemy would store (ISO dates and times,
0/1 booleans), which is several times faster than SQLAlchemy's per-row
processing; other databases get SQLAlchemy's batched multi-row insert.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa


def _column_values(series: pd.Series, kind: sa.types.TypeEngine | None = None) -> np.ndarray:
    """A column as plain Python values (None where missing); dates for a ``Date`` column."""
    values = series.to_numpy(dtype=object, na_value=None)
    if isinstance(kind, sa.Date):
        return np.array([v.date() if isinstance(v, dt.datetime) else v for v in values], object)
    if isinstance(kind, sa.DateTime) or pd.api.types.is_datetime64_any_dtype(series):
        stamps = [v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in values]
        return np.array(stamps, dtype=object)
    return values


def native_records(frame: pd.DataFrame, table: sa.Table | None = None) -> list[dict]:
    """Rows as dicts of plain Python values (None where missing), typed for ``table``'s columns."""
    columns = list(frame.columns)
    types = {c.name: c.type for c in table.c} if table is not None else {}
    cells = [_column_values(frame[c], types.get(c)) for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*cells, strict=True)]


def _sqlite_values(series: pd.Series, kind: sa.types.TypeEngine) -> np.ndarray:
    """What SQLAlchemy would store in SQLite: ISO text for dates and times, 0/1 for booleans.

    Each distinct value is converted once, so long columns of repeated dates stay cheap.
    """
    if not isinstance(kind, sa.Date | sa.DateTime | sa.Boolean):
        return series.to_numpy(dtype=object, na_value=None)
    codes, distinct = pd.factorize(series, use_na_sentinel=True)
    plain = _column_values(pd.Series(distinct, dtype=object), kind)
    if isinstance(kind, sa.DateTime):
        text = [v.strftime("%Y-%m-%d %H:%M:%S.%f") if v is not None else None for v in plain]
    elif isinstance(kind, sa.Date):
        text = [v.isoformat() if v is not None else None for v in plain]
    else:
        text = [int(v) if v is not None else None for v in plain]
    return np.array([*text, None], dtype=object)[codes]


def bulk_insert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """Insert every row of ``frame`` (columns named as the table's); fast on SQLite.

    SQLite gets one driver-level ``executemany`` with the values SQLAlchemy would
    write; other databases get SQLAlchemy's batched multi-row insert.
    """
    if frame.empty:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(table.insert(), native_records(frame, table))
        return
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in frame.columns)
    marks = ", ".join("?" for _ in frame.columns)
    columns = [_sqlite_values(frame[c], table.c[c].type) for c in frame.columns]
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"
    conn.exec_driver_sql(sql, list(zip(*columns, strict=True)))


def insert_returning(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> np.ndarray:
    """Insert ``rows``; their new primary keys, in the order given."""
    if not rows:
        return np.empty(0, dtype=np.int64)
    pk = next(iter(table.primary_key.columns))
    stmt = table.insert().returning(pk, sort_by_parameter_order=True)
    return np.array(conn.execute(stmt, rows).scalars().all(), dtype=np.int64)
