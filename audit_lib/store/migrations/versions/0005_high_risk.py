"""High risk as the law defines it; workers in heavy, hazardous or dangerous jobs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-09 10:00:00

- ``establishments.hazardous_workers``: how many of an establishment's workers
  do heavy, hazardous or dangerous jobs (Circular 11/2020/TT-BLĐTBXH's list),
  the duties that follow such jobs (six-monthly health checks, in-kind
  allowance) depend on it. Existing rows get NULL, "not known": those duties
  keep applying to them until someone gives the number. A CHECK keeps it
  between 0 and 1,000,000, as the other counts of the table.
- ``establishments.high_risk`` is recomputed for every stored establishment
  from its sector and VSIC code by the sector groups of Circular
  07/2016/TT-BLĐTBXH, Art. 8 (``data/high_risk.yaml``, as it is at 0005 and
  written out below): from now on the store derives it and nobody sets it by
  hand. Only establishment rows change; the establishment a finalized record
  keeps (``visits.establishment_snapshot``) stays as it was on that day, and
  so do who last changed a row and when (``updated_by``, ``updated_at``): the
  law's list changed it, not a person.

Downgrading drops ``hazardous_workers``; the hand-set ``high_risk`` values the
upgrade replaced are not kept and do not come back.

Frozen: the groups' sectors and VSIC prefixes are written out here.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

HIGH_RISK_SECTORS = ("mining", "construction", "hydropower")
"""Project sectors wholly in a group of Art. 8 (groups 1, 5 and 5 + 7)."""
HIGH_RISK_VSIC = (
    "05", "06", "07", "08", "09", "19",  # 1 mining, coke, refined petroleum
    "20", "22",                          # 2 chemicals, rubber and plastics
    "24", "25",                          # 3 metals and metal products
    "23",                                # 4 non-metallic mineral products
    "41", "42", "43",                    # 5 construction works
    "3011", "3315",                      # 6 building and repair of ships
    "351",                               # 7 electricity
    "102",                               # 8 fish processing
    "13", "14", "15",                    # 9 textiles, apparel, leather, footwear
    "383",                               # 10 recycling
    "37", "38", "39",                    # 11 environmental sanitation
)  # fmt: skip
"""VSIC 2018 prefixes in a group of Art. 8."""
VSIC = re.compile(r"\s*[A-Ua-u]?\s*([0-9][0-9.\s]*)")
MAX_WORKFORCE = 1_000_000


def high_risk(sector: str | None, vsic: str | None) -> bool:
    """Whether an establishment of ``sector`` and ``vsic`` is in a group of Art. 8."""
    found = VSIC.fullmatch(vsic) if isinstance(vsic, str) else None
    digits = re.sub(r"[.\s]", "", found.group(1)) if found else ""
    return sector in HIGH_RISK_SECTORS or digits.startswith(HIGH_RISK_VSIC)


def recompute(conn: sa.Connection) -> int:
    """Set ``high_risk`` of every establishment as derived; the number of rows changed."""
    rows = conn.execute(
        sa.text("SELECT establishment_id, sector, vsic, high_risk FROM establishments")
    ).all()
    changed = [
        {"id": eid, "flag": derived}
        for eid, sector, vsic, flag in rows
        if bool(flag) != (derived := high_risk(sector, vsic))
    ]
    if changed:
        conn.execute(
            sa.text("UPDATE establishments SET high_risk = :flag WHERE establishment_id = :id"),
            changed,
        )
    return len(changed)


def upgrade() -> None:
    op.execute(
        "ALTER TABLE establishments ADD COLUMN hazardous_workers INTEGER "
        "CONSTRAINT ck_establishments_hazardous_workers_range "
        f"CHECK (hazardous_workers BETWEEN 0 AND {MAX_WORKFORCE})"
    )
    recompute(op.get_bind())


def downgrade() -> None:
    # the column's own CHECK goes with it (SQLite 3.35 and later, PostgreSQL)
    op.execute("ALTER TABLE establishments DROP COLUMN hazardous_workers")
