"""Both databases refuse alike: CHECK constraints on text lengths and number ranges.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 12:30:00

SQLite stores a text longer than its ``VARCHAR(n)`` and any integer up to 64
bits; PostgreSQL refuses both. This revision adds a CHECK constraint for the
length of each text column (``ck_<table>_<column>_length``) and the range of
each bounded number (``ck_<table>_<column>_range``), so that both databases
accept and refuse the same rows.

Existing rows are checked first: values beyond the new limits (which SQLite
let older versions store) stop the upgrade with a message naming the table,
the column and the number of rows, and nothing is changed.

SQLite cannot add a constraint to a table, so each table is rebuilt in
Alembic's batch mode (copy, drop, rename). Dropping a table that other tables
refer to, with foreign keys enforced, fails while rows refer to it; so the rows
of such a table are held aside while it is rebuilt, emptied, and put back, with
foreign key checks deferred to the commit. The referring columns that have no
index get one for that time, so that each check is a lookup.

Frozen: the lengths and ranges are written out as they are at 0003.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LENGTHS = {
    "units": {"unit_code": 40, "name_vi": 200, "name_en": 200, "level": 20, "parent_code": 40},
    "crosswalk": {"old_code": 40, "new_code": 40},
    "establishments": {
        "code": 40,
        "name": 300,
        "kind": 20,
        "sector": 20,
        "vsic": 10,
        "unit_code": 40,
        "created_by": 200,
        "updated_by": 200,
    },
    "inspections": {
        "inspection_id": 36,
        "checklist_id": 80,
        "checklist_version": 40,
        "checklist_fingerprint": 64,
        "type": 20,
        "status": 10,
        "chain_id": 36,
        "supersedes": 36,
        "created_by": 200,
        "updated_by": 200,
    },
    "item_codes": {"item_id": 80},
    "responses": {"answer": 20, "answered_by": 200},
    "evidence": {
        "inspection_id": 36,
        "item_id": 80,
        "sha256": 64,
        "filename": 300,
        "media_type": 100,
        "added_by": 200,
    },
    "findings": {"inspection_id": 36, "item_id": 80, "section_id": 80, "severity": 20},
    "actions": {
        "inspection_id": 36,
        "item_id": 80,
        "severity": 20,
        "status": 10,
        "verified_by": 36,
        "updated_by": 200,
    },
    "workforce": {"unit_code": 40, "source": 300},
    "accidents": {"accident_id": 60, "establishment_code": 40, "unit_code": 40, "source": 300},
    "compensation": {"accident_id": 60, "source": 300},
    "training": {"unit_code": 40, "establishment_code": 40, "category": 30, "source": 300},
    "od_exams": {"unit_code": 40, "establishment_code": 40, "source": 300},
    "env_monitoring": {"unit_code": 40, "establishment_code": 40, "source": 300},
    "outreach": {"unit_code": 40, "establishment_code": 40, "channel": 60, "source": 300},
}
"""The most characters of each text column, per table."""

YEARS, PEOPLE, VICTIMS, SAMPLES = (2000, 2100), (0, 10**8), (0, 10**4), (0, 10**6)
RANGES = {
    "establishments": {"workforce": (0, 10**6), "strict_workers": (0, 10**6)},
    "responses": {"value": (-(10**15), 10**15)},
    "evidence": {"size": (1, 2**30)},
    "crosswalk": {"share": (0, 1)},
    "workforce": {"year": YEARS, "workers": PEOPLE, "workers_labour_relations": PEOPLE},
    "accidents": {"victims": (1, 10**4), "deaths": VICTIMS, "serious_injuries": VICTIMS},
    "compensation": {"victim_no": (1, 10**4), "amount_vnd": (0, 10**15)},
    "training": {"year": YEARS, "group": (1, 6), "headcount": PEOPLE, "trained": PEOPLE},
    "od_exams": {"year": YEARS, "workers_examined": PEOPLE, "od_cases": PEOPLE},
    "env_monitoring": {"year": YEARS, "samples": SAMPLES, "samples_failing": SAMPLES},
    "outreach": {"year": YEARS},
}
"""The range (lowest, highest) of each bounded number column, per table."""

REFERRED = ("establishments", "inspections", "item_codes")
"""Tables other tables refer to by foreign key."""
UNINDEXED = {"inspections": ("supersedes",), "actions": ("verified_by",), "responses": ("item_pk",)}
"""Columns that refer to another table and no index starts with."""


def checks(table: str) -> dict[str, str]:
    """The CHECK constraints of ``table``: name → condition."""
    found = {
        f"ck_{table}_{column}_length": f'length("{column}") <= {length}'
        for column, length in LENGTHS.get(table, {}).items()
    }
    for column, (low, high) in RANGES.get(table, {}).items():
        found[f"ck_{table}_{column}_range"] = f'"{column}" BETWEEN {low} AND {high}'
    return found


def _refuse_rows_beyond_the_limits(conn: sa.Connection) -> None:
    """Stop, changing nothing, when a stored value breaks a new constraint; name them all."""
    broken = []
    for table in LENGTHS.keys() | RANGES.keys():
        named = checks(table)
        counts = ", ".join(f"sum(CASE WHEN NOT ({c}) THEN 1 ELSE 0 END)" for c in named.values())
        found = conn.execute(sa.text(f'SELECT {counts} FROM "{table}"')).one()
        broken += [f"{name}: {n}" for name, n in zip(named, found, strict=True) if n]
    if broken:
        raise CommandError(
            "rows beyond the limits of revision 0003 (constraint: rows); correct or delete "
            "them, then upgrade again; nothing was changed "
            "(có dòng vượt giới hạn của phiên bản 0003 (ràng buộc: số dòng); sửa hoặc xóa "
            "rồi nâng cấp lại; chưa thay đổi gì): " + "; ".join(sorted(broken))
        )


def _rebuilt(table: str, alter) -> None:
    """Rebuild a SQLite ``table`` in batch mode with ``alter(batch)`` applied.

    A table others refer to is emptied first and filled again after, under
    deferred foreign keys, so that dropping the old copy checks no rows.
    """
    held = table in REFERRED
    if held:
        op.execute(f'CREATE TEMP TABLE "held_{table}" AS SELECT * FROM "{table}"')
        op.execute(f'DELETE FROM "{table}"')
    with op.batch_alter_table(table, recreate="always") as batch:
        alter(batch)
    if held:
        op.execute(f'INSERT INTO "{table}" SELECT * FROM temp."held_{table}"')
        op.execute(f'DROP TABLE temp."held_{table}"')


def _each_table(alter) -> None:
    """``alter(table, target)`` for every table: on PostgreSQL in place (``op``), on SQLite
    on a batch that rebuilds it."""
    tables = sorted(LENGTHS.keys() | RANGES.keys())
    if op.get_bind().dialect.name != "sqlite":
        for table in tables:
            alter(table, op)
        return
    op.execute("PRAGMA defer_foreign_keys = ON")  # until the commit
    for table, columns in UNINDEXED.items():
        for column in columns:
            op.create_index(f"ix_upgrade_{table}_{column}", table, [column])
    for table in tables:
        _rebuilt(table, lambda batch, t=table: alter(t, batch))
    for table, columns in UNINDEXED.items():
        for column in columns:
            op.drop_index(f"ix_upgrade_{table}_{column}", table_name=table)


def upgrade() -> None:
    _refuse_rows_beyond_the_limits(op.get_bind())

    def add(table: str, target) -> None:
        named = checks(table)
        if target is op:  # one statement: PostgreSQL checks the rows once for all
            added = (f'ADD CONSTRAINT "{n}" CHECK ({c})' for n, c in named.items())
            op.execute(f'ALTER TABLE "{table}" ' + ", ".join(added))
            return
        for name, condition in named.items():
            target.create_check_constraint(op.f(name), sa.text(condition))

    _each_table(add)


def downgrade() -> None:
    def drop(table: str, target) -> None:
        named = checks(table)
        if target is op:
            op.execute(
                f'ALTER TABLE "{table}" ' + ", ".join(f'DROP CONSTRAINT "{n}"' for n in named)
            )
            return
        for name in named:
            target.drop_constraint(op.f(name), type_="check")

    _each_table(drop)
