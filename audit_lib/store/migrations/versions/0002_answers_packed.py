"""Final inspections keep their answers packed, so that reading every answer is fast.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 20:45:00

Adds ``inspections.answers_packed`` and fills it for the inspections already final.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inspections", sa.Column("answers_packed", sa.LargeBinary(), nullable=True))
    from audit_lib.store import _answers as answers

    answers.pack(op.get_bind())


def downgrade() -> None:
    # SQLite (3.35+) drops a column in place; a batch copy of the table would trip
    # the foreign keys of every table that refers to inspections
    op.execute("ALTER TABLE inspections DROP COLUMN answers_packed")
