"""Final inspections keep their answers packed, so that reading every answer is fast.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 20:45:00

Adds ``inspections.answers_packed`` and fills it for the inspections already final.

Frozen: this script names the tables and columns as they were at 0002 and keeps
its own copy of the packing codec as of 0002, so that a later change to the
schema module or to ``audit_lib.store._answers`` never changes what replaying
it does. The packed format stays the one the live codec reads:
tests/store/test_migrations_frozen.py checks that both write the same bytes.
"""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ANSWER_CODES = ("compliant", "noncompliant", "na")
"""Answer codes 1-3, in this order; 0 is no answer."""
CHUNK = 2_000
"""Inspections packed per statement."""

inspections = sa.table(
    "inspections",
    sa.column("inspection_pk", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("answers_packed", sa.LargeBinary()),
)
responses = sa.table(
    "responses",
    sa.column("inspection_pk", sa.Integer()),
    sa.column("item_pk", sa.Integer()),
    sa.column("answer", sa.String()),
)


def packed(text: str | None) -> bytes:
    """One inspection's comma-separated ``item_pk × 4 + answer code`` as the stored bytes.

    The codes ascending, as little-endian 32-bit integers.
    """
    if not text:
        return b""
    codes = np.sort(np.fromstring(text, dtype=np.int64, sep=","))
    return codes.astype("<i4").tobytes()


def pack_final(conn: sa.Connection) -> None:
    """Store the packed answers of every final inspection."""
    i, r = inspections.c, responses.c
    pks = conn.execute(sa.select(i.inspection_pk).where(i.status == "final")).scalars().all()
    code = sa.case(*((r.answer == a, n) for n, a in enumerate(ANSWER_CODES, start=1)), else_=0)
    joined = sa.func.aggregate_strings(sa.cast(r.item_pk * 4 + code, sa.String), ",")
    for start in range(0, len(pks), CHUNK):
        some = pks[start : start + CHUNK]
        text = dict(
            conn.execute(
                sa.select(r.inspection_pk, joined)
                .where(r.inspection_pk.in_(some))
                .group_by(r.inspection_pk)
            ).all()
        )
        conn.execute(
            inspections.update()
            .where(i.inspection_pk == sa.bindparam("pk"))
            .values(answers_packed=sa.bindparam("blob")),
            [{"pk": pk, "blob": packed(text.get(pk))} for pk in some],
        )


def upgrade() -> None:
    op.add_column("inspections", sa.Column("answers_packed", sa.LargeBinary(), nullable=True))
    pack_final(op.get_bind())


def downgrade() -> None:
    # SQLite (3.35+) drops a column in place; a batch copy of the table would trip
    # the foreign keys of every table that refers to inspections
    op.execute("ALTER TABLE inspections DROP COLUMN answers_packed")
