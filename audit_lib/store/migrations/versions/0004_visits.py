"""One visit, one record: visits, stored results, frozen final records.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 16:00:00

Adds:

- ``visits``: one row per visit (establishment, day, type, team, place), with
  its own revisions, record number, overall result and the establishment as
  it was on that day; every inspection (a *sheet*, one per checklist) names
  its visit in ``inspections.visit_id``;
- ``checklist_contents``: the exact checklist content a sheet was made with,
  stored once under its fingerprint;
- the stored results of a final sheet: score columns on ``inspections``,
  ``section_scores``, ``sheet_gaps``, and ``weight``, ``value``, ``note`` on
  ``findings``;
- ``action_checks``: what a follow-up visit found of each open corrective
  action; ``actions.verified_in`` (the visit that verified a closing, which
  replaces ``verified_by``, a sheet) and ``actions.closing_note``;
- triggers, on SQLite and PostgreSQL alike, that refuse any change to a
  final visit whose results are stored, to its sheets, answers, findings,
  scores, gaps, evidence and action checks, to what a corrective action
  requires, and to a stored checklist content.

Existing inspections are grouped into visits exactly as the form grouped
them: the first revisions of one establishment with the same day, type,
inspectors and status are one visit. A later revision of a sheet makes a new
revision of its whole visit: the visit's other sheets are copied into it
(answers, packed answers, evidence, findings and corrective actions), so
every revision of a visit holds all of its sheets and nothing is lost. Ids of
the new rows are derived from the old ones (uuid5), so the upgrade gives the
same result wherever it runs.

The results of the final visits found here are not computed by this script
(it must not run live code): they are stored by the store when it opens the
database after upgrading (``audit_lib.store._finalizing.seal_migrated``), once.

Frozen: the tables and columns as they are at 0004, written out here.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NAMESPACE = uuid.UUID("6f0b8a52-7d0e-4a43-9f57-0a4d53c0e004")
FROZEN = "OSH-FROZEN"
"""Every refusal of a trigger starts with this, so the store can explain it."""
MESSAGE = (
    FROZEN + ": biên bản đã hoàn tất không được thay đổi, chỉ được sửa đổi bằng một "
    "lần sửa đổi có lý do / a finalized record cannot be changed; revise it with a reason"
)


def _stamps(prefix: str) -> list[sa.Column]:
    return [sa.Column(f"{prefix}_by", sa.String(200)), sa.Column(f"{prefix}_at", sa.DateTime())]


def _length_checks(table: str, lengths: dict[str, int]) -> list[sa.CheckConstraint]:
    return [
        sa.CheckConstraint(f"length({c}) <= {n}", name=op.f(f"ck_{table}_{c}_length"))
        for c, n in lengths.items()
    ]


def _score_range(table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint("score BETWEEN 0 AND 100", name=op.f(f"ck_{table}_score_range"))


NEW_INSPECTION_COLUMNS = [
    ("visit_id", "VARCHAR(36)", 36),
    ("applicable", "INTEGER", None),
    ("answered", "INTEGER", None),
    ("gaps", "INTEGER", None),
    ("critical_gaps", "INTEGER", None),
    ("weight_applicable", "FLOAT", None),
    ("weight_earned", "FLOAT", None),
    ("weight_gaps", "FLOAT", None),
    ("score", "FLOAT", None),
    ("critical_failures", "INTEGER", None),
    ("grade", "VARCHAR(20)", 20),
    ("passed", "BOOLEAN", None),
    ("verdict", "VARCHAR(20)", 20),
]


def _create_tables() -> None:
    op.create_table(
        "visits",
        sa.Column("visit_pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("visit_id", sa.String(36), nullable=False),
        sa.Column("establishment_id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("team", sa.Text(), nullable=False, server_default=""),
        sa.Column("place", sa.String(300)),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("chain_id", sa.String(36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False, server_default=sa.text("1")),
        sa.Column("supersedes", sa.String(36)),
        sa.Column("reason", sa.Text()),
        sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")),
        sa.Column("record_number", sa.String(40)),
        sa.Column("score", sa.Float()),
        sa.Column("verdict", sa.String(20)),
        sa.Column("passed", sa.Boolean()),
        sa.Column("establishment_snapshot", sa.Text()),
        *_stamps("finalized"),
        *_stamps("created"),
        *_stamps("updated"),
        sa.PrimaryKeyConstraint("visit_pk", name=op.f("pk_visits")),
        sa.UniqueConstraint("visit_id", name=op.f("uq_visits_visit_id")),
        sa.UniqueConstraint("record_number", name=op.f("uq_visits_record_number")),
        sa.UniqueConstraint("chain_id", "revision", name=op.f("uq_visits_chain_id_revision")),
        sa.ForeignKeyConstraint(
            ["establishment_id"],
            ["establishments.establishment_id"],
            name=op.f("fk_visits_establishment_id_establishments"),
        ),
        sa.ForeignKeyConstraint(
            ["supersedes"], ["visits.visit_id"], name=op.f("fk_visits_supersedes_visits")
        ),
        sa.CheckConstraint("status IN ('draft', 'final')", name=op.f("ck_visits_status")),
        _score_range("visits"),
        *_length_checks(
            "visits",
            {
                "visit_id": 36,
                "type": 20,
                "place": 300,
                "status": 10,
                "chain_id": 36,
                "supersedes": 36,
                "record_number": 40,
                "verdict": 20,
                "finalized_by": 200,
                "created_by": 200,
                "updated_by": 200,
            },
        ),
    )
    op.create_index(op.f("ix_visits_establishment_id"), "visits", ["establishment_id"])
    op.create_table(
        "checklist_contents",
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("checklist_id", sa.String(80), nullable=False),
        sa.Column("checklist_version", sa.String(40), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_checklist_contents")),
        *_length_checks(
            "checklist_contents",
            {"fingerprint": 64, "checklist_id": 80, "checklist_version": 40},
        ),
    )


def _add_columns() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, kind, length in NEW_INSPECTION_COLUMNS:
        check = f"length({name}) <= {length}" if length else None
        if name == "score":
            check = "score BETWEEN 0 AND 100"
        suffix = "length" if length else "range"
        refers = " REFERENCES visits (visit_id)" if name == "visit_id" else ""
        if sqlite:  # a CHECK may be added with its column (SQLite cannot add one later)
            constraint = (
                f' CONSTRAINT "ck_inspections_{name}_{suffix}" CHECK ({check})' if check else ""
            )
            op.execute(f"ALTER TABLE inspections ADD COLUMN {name} {kind}{refers}{constraint}")
            continue
        op.execute(f"ALTER TABLE inspections ADD COLUMN {name} {kind}")
        if check:
            op.create_check_constraint(
                op.f(f"ck_inspections_{name}_{suffix}"), "inspections", check
            )
    if not sqlite:
        op.create_foreign_key(
            op.f("fk_inspections_visit_id_visits"),
            "inspections",
            "visits",
            ["visit_id"],
            ["visit_id"],
        )
    op.create_index(op.f("ix_inspections_visit_id"), "inspections", ["visit_id"])
    for name, kind in (("weight", sa.Float()), ("value", sa.Float()), ("note", sa.Text())):
        op.add_column("findings", sa.Column(name, kind))


def _create_result_tables() -> None:
    op.create_table(
        "section_scores",
        sa.Column("inspection_id", sa.String(36), nullable=False),
        sa.Column("section_id", sa.String(80), nullable=False),
        sa.Column("applicable", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("gaps", sa.Integer(), nullable=False),
        sa.Column("weight_applicable", sa.Float(), nullable=False),
        sa.Column("weight_earned", sa.Float(), nullable=False),
        sa.Column("score", sa.Float()),
        sa.PrimaryKeyConstraint("inspection_id", "section_id", name=op.f("pk_section_scores")),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.inspection_id"],
            name=op.f("fk_section_scores_inspection_id_inspections"),
        ),
        _score_range("section_scores"),
        *_length_checks("section_scores", {"inspection_id": 36, "section_id": 80}),
    )
    op.create_table(
        "sheet_gaps",
        sa.Column("inspection_id", sa.String(36), nullable=False),
        sa.Column("item_id", sa.String(80), nullable=False),
        sa.Column("section_id", sa.String(80)),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.PrimaryKeyConstraint("inspection_id", "item_id", name=op.f("pk_sheet_gaps")),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.inspection_id"],
            name=op.f("fk_sheet_gaps_inspection_id_inspections"),
        ),
        *_length_checks(
            "sheet_gaps",
            {"inspection_id": 36, "item_id": 80, "section_id": 80, "severity": 20, "reason": 30},
        ),
    )


def _rebuild_actions() -> None:
    """``verified_by`` (a sheet) becomes ``verified_in`` (its visit); ``closing_note`` added."""
    op.add_column("actions", sa.Column("verified_in", sa.String(36)))
    op.add_column("actions", sa.Column("closing_note", sa.Text()))
    op.execute(
        "UPDATE actions SET verified_in = (SELECT i.visit_id FROM inspections i "
        "WHERE i.inspection_id = actions.verified_by) WHERE verified_by IS NOT NULL"
    )

    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("actions", recreate="always") as batch:
            batch.drop_constraint(op.f("ck_actions_verified_by_length"), type_="check")
            batch.drop_constraint(op.f("fk_actions_verified_by_inspections"), type_="foreignkey")
            batch.drop_column("verified_by")
            batch.create_check_constraint(
                op.f("ck_actions_verified_in_length"), "length(verified_in) <= 36"
            )
            batch.create_foreign_key(
                op.f("fk_actions_verified_in_visits"), "visits", ["verified_in"], ["visit_id"]
            )
        return
    op.drop_constraint(op.f("ck_actions_verified_by_length"), "actions", type_="check")
    op.drop_constraint(op.f("fk_actions_verified_by_inspections"), "actions", type_="foreignkey")
    op.drop_column("actions", "verified_by")
    op.create_check_constraint(
        op.f("ck_actions_verified_in_length"), "actions", "length(verified_in) <= 36"
    )
    op.create_foreign_key(
        op.f("fk_actions_verified_in_visits"), "actions", "visits", ["verified_in"], ["visit_id"]
    )


def _create_action_checks() -> None:
    op.create_table(
        "action_checks",
        sa.Column("visit_id", sa.String(36), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("evidence_sha256", sa.String(64)),
        *_stamps("checked"),
        sa.PrimaryKeyConstraint("visit_id", "action_id", name=op.f("pk_action_checks")),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.visit_id"], name=op.f("fk_action_checks_visit_id_visits")
        ),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.action_id"], name=op.f("fk_action_checks_action_id_actions")
        ),
        *_length_checks(
            "action_checks", {"visit_id": 36, "evidence_sha256": 64, "checked_by": 200}
        ),
    )


# ---- grouping the inspections found into visits -----------------------------------


def _id(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(map(str, parts))))


SHEET_COLUMNS = (
    "inspection_pk, inspection_id, establishment_id, checklist_id, checklist_version, "
    "checklist_fingerprint, inspected_on, type, status, chain_id, revision, supersedes, "
    "reason, inspectors, version, answers_packed, created_by, created_at, updated_by, updated_at"
)


def _group_into_visits(conn: sa.Connection) -> None:
    rows = conn.execute(sa.text(f"SELECT {SHEET_COLUMNS} FROM inspections")).mappings().all()
    by_chain: dict[str, dict[int, dict]] = defaultdict(dict)
    for row in rows:
        by_chain[row["chain_id"]][row["revision"]] = dict(row)
    groups: dict[tuple, list[str]] = defaultdict(list)
    for chain, revisions in by_chain.items():
        first = revisions[min(revisions)]
        key = (
            first["establishment_id"],
            str(first["inspected_on"]),
            first["type"],
            first["inspectors"] or "",
            first["status"],
        )
        groups[key].append(chain)
    for chains in groups.values():
        chains.sort()
        _one_visit(conn, [by_chain[c] for c in chains])


def _one_visit(conn: sa.Connection, sheets: list[dict[int, dict]]) -> None:
    """Visit revisions 1..R of sheets whose chains are ``sheets``; copies where a sheet
    has no revision of that number."""
    chain_id = _id(
        "visit", *(min(s.values(), key=lambda r: r["revision"])["chain_id"] for s in sheets)
    )
    last = max(max(s) for s in sheets)
    previous_visit = None
    latest = [s[min(s)] for s in sheets]
    for number in range(1, last + 1):
        visit_id = chain_id if number == 1 else _id(chain_id, number)
        members, reason = [], None
        for k, chain in enumerate(sheets):
            if number in chain:
                latest[k] = chain[number]
                reason = reason or chain[number]["reason"]
                members.append((chain[number], False))
            else:
                members.append((latest[k], True))
        own = [m for m, copied in members if not copied]
        status = "draft" if any(m["status"] == "draft" for m in own) else "final"
        first = own[0]
        conn.execute(
            sa.text(
                "INSERT INTO visits (visit_id, establishment_id, visited_on, type, team, "
                "status, chain_id, revision, supersedes, reason, version, finalized_by, "
                "finalized_at, created_by, created_at, updated_by, updated_at) VALUES "
                "(:visit_id, :establishment_id, :visited_on, :type, :team, :status, "
                ":chain_id, :revision, :supersedes, :reason, 1, :finalized_by, "
                ":finalized_at, :created_by, :created_at, :updated_by, :updated_at)"
            ),
            {
                "visit_id": visit_id,
                "establishment_id": first["establishment_id"],
                "visited_on": first["inspected_on"],
                "type": first["type"],
                "team": first["inspectors"] or "",
                "status": status,
                "chain_id": chain_id,
                "revision": number,
                "supersedes": previous_visit,
                "reason": reason,
                "finalized_by": first["updated_by"] if status == "final" else None,
                "finalized_at": max(m["updated_at"] for m in own) if status == "final" else None,
                "created_by": first["created_by"],
                "created_at": min(m["created_at"] for m in own),
                "updated_by": first["updated_by"],
                "updated_at": max(m["updated_at"] for m in own),
            },
        )
        for k, (sheet, copied) in enumerate(members):
            if copied:
                latest[k] = _copy_sheet(conn, sheet, number, visit_id, status)
            else:
                conn.execute(
                    sa.text("UPDATE inspections SET visit_id = :v WHERE inspection_pk = :pk"),
                    {"v": visit_id, "pk": sheet["inspection_pk"]},
                )
        previous_visit = visit_id


def _copy_sheet(conn: sa.Connection, sheet: dict, number: int, visit_id: str, status: str):
    """A copy of ``sheet`` as revision ``number`` of its chain in visit ``visit_id``."""
    new_id = _id(sheet["inspection_id"], number)
    final = status == "final" and sheet["status"] == "final"
    values = {
        **sheet,
        "inspection_id": new_id,
        "revision": number,
        "supersedes": sheet["inspection_id"],
        "status": "final" if final else "draft",
        "answers_packed": sheet["answers_packed"] if final else None,
        "visit_id": visit_id,
    }
    values.pop("inspection_pk")
    columns = [*values]
    new_pk = conn.execute(
        sa.text(
            f"INSERT INTO inspections ({', '.join(columns)}) VALUES "
            f"({', '.join(':' + c for c in columns)}) RETURNING inspection_pk"
        ),
        values,
    ).scalar_one()
    old = {"old": sheet["inspection_id"], "new": new_id}
    conn.execute(
        sa.text(
            "INSERT INTO responses (inspection_pk, item_pk, answer, value, note, answered_by, "
            "answered_at) SELECT :pk, item_pk, answer, value, note, answered_by, answered_at "
            "FROM responses WHERE inspection_pk = :old_pk"
        ),
        {"pk": new_pk, "old_pk": sheet["inspection_pk"]},
    )
    conn.execute(
        sa.text(
            "INSERT INTO evidence (inspection_id, item_id, sha256, filename, media_type, size, "
            "added_by, added_at) SELECT :new, item_id, sha256, filename, media_type, size, "
            "added_by, added_at FROM evidence WHERE inspection_id = :old"
        ),
        old,
    )
    if final:
        conn.execute(
            sa.text(
                "INSERT INTO findings (inspection_id, item_id, section_id, severity, text_vi, "
                "text_en, legal_basis, action_vi, action_en, days_to_correct, due_on) SELECT "
                ":new, item_id, section_id, severity, text_vi, text_en, legal_basis, action_vi, "
                "action_en, days_to_correct, due_on FROM findings WHERE inspection_id = :old"
            ),
            old,
        )
        conn.execute(
            sa.text(
                "INSERT INTO actions (inspection_id, item_id, severity, action_vi, action_en, "
                "due_on, status, closed_on, verified_by, updated_by, updated_at) SELECT :new, "
                "item_id, severity, action_vi, action_en, due_on, status, closed_on, "
                "verified_by, updated_by, updated_at FROM actions WHERE inspection_id = :old"
            ),
            old,
        )
    return {**values, "inspection_pk": new_pk}


# ---- freezing -------------------------------------------------------------------

SHEET_FROZEN = "status = 'final' AND verdict IS NOT NULL"
"""A sheet (or a visit) is frozen once final with its results stored."""
CHILDREN = {  # table: (column, parent table, parent column)
    "responses": ("inspection_pk", "inspections", "inspection_pk"),
    "findings": ("inspection_id", "inspections", "inspection_id"),
    "section_scores": ("inspection_id", "inspections", "inspection_id"),
    "sheet_gaps": ("inspection_id", "inspections", "inspection_id"),
    "evidence": ("inspection_id", "inspections", "inspection_id"),
    "action_checks": ("visit_id", "visits", "visit_id"),
}
ACTION_TERMS = ("inspection_id", "item_id", "severity", "action_vi", "action_en", "due_on")
"""What a corrective action requires: fixed once recorded."""


def _sqlite_triggers() -> list[str]:
    raise_ = f"SELECT RAISE(ABORT, '{MESSAGE}');"
    made = []
    for table in ("visits", "inspections"):
        for event in ("UPDATE", "DELETE"):
            made.append(
                f"CREATE TRIGGER frozen_{table}_{event.lower()} BEFORE {event} ON {table} "
                f"WHEN OLD.{SHEET_FROZEN.replace('verdict', 'OLD.verdict')} "
                f"BEGIN {raise_} END"
            )
    for table, (column, parent, key) in CHILDREN.items():
        for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
            made.append(
                f"CREATE TRIGGER frozen_{table}_{event.lower()} BEFORE {event} ON {table} "
                f"WHEN EXISTS (SELECT 1 FROM {parent} p WHERE p.{key} = {row}.{column} "
                f"AND p.status = 'final' AND p.verdict IS NOT NULL) BEGIN {raise_} END"
            )
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ACTION_TERMS)
    made.append(
        f"CREATE TRIGGER frozen_actions_update BEFORE UPDATE ON actions WHEN {changed} "
        f"BEGIN {raise_} END"
    )
    made.append(
        "CREATE TRIGGER frozen_actions_delete BEFORE DELETE ON actions WHEN EXISTS (SELECT 1 "
        "FROM inspections p WHERE p.inspection_id = OLD.inspection_id AND p.status = 'final' "
        f"AND p.verdict IS NOT NULL) BEGIN {raise_} END"
    )
    for event in ("UPDATE", "DELETE"):
        made.append(
            f"CREATE TRIGGER frozen_checklist_contents_{event.lower()} BEFORE {event} ON "
            f"checklist_contents BEGIN {raise_} END"
        )
    return made


def _postgresql_triggers() -> list[str]:
    message = MESSAGE.replace("'", "''")
    made = [
        "CREATE FUNCTION osh_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation', MESSAGE = "
        f"'{message} (' || TG_TABLE_NAME || ')'; END $$",
    ]
    for table in ("visits", "inspections"):
        made.append(
            f"CREATE TRIGGER frozen_{table} BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW "
            f"WHEN (OLD.status = 'final' AND OLD.verdict IS NOT NULL) "
            "EXECUTE PROCEDURE osh_frozen()"
        )
    for table, (column, parent, key) in CHILDREN.items():
        made.append(
            f"CREATE FUNCTION osh_frozen_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"DECLARE row_key text; BEGIN "
            f"IF TG_OP = 'INSERT' THEN row_key := NEW.{column}::text; "
            f"ELSE row_key := OLD.{column}::text; END IF; "
            f"IF EXISTS (SELECT 1 FROM {parent} p WHERE p.{key}::text = row_key "
            f"AND p.status = 'final' AND p.verdict IS NOT NULL) THEN "
            f"RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation', MESSAGE = "
            f"'{message} ({table})'; END IF; "
            f"IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
        )
        made.append(
            f"CREATE TRIGGER frozen_{table} BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE PROCEDURE osh_frozen_{table}()"
        )
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ACTION_TERMS)
    made.append(
        f"CREATE TRIGGER frozen_actions BEFORE UPDATE ON actions FOR EACH ROW WHEN ({changed}) "
        "EXECUTE PROCEDURE osh_frozen()"
    )
    made.append(
        "CREATE TRIGGER frozen_actions_delete BEFORE DELETE ON actions FOR EACH ROW "
        "EXECUTE PROCEDURE osh_frozen_findings()"
    )
    made.append(
        "CREATE TRIGGER frozen_checklist_contents BEFORE UPDATE OR DELETE ON checklist_contents "
        "FOR EACH ROW EXECUTE PROCEDURE osh_frozen()"
    )
    return made


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        names = op.get_bind().execute(
            sa.text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'frozen_%'"
            )
        )
        for (name,) in names.all():
            op.execute(f"DROP TRIGGER {name}")
        return
    tables = ["visits", "inspections", *CHILDREN, "actions", "checklist_contents"]
    for table in tables:
        op.execute(f"DROP TRIGGER IF EXISTS frozen_{table} ON {table}")
    op.execute("DROP TRIGGER IF EXISTS frozen_actions_delete ON actions")
    for table in CHILDREN:
        op.execute(f"DROP FUNCTION IF EXISTS osh_frozen_{table}()")
    op.execute("DROP FUNCTION IF EXISTS osh_frozen()")


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        op.execute("PRAGMA defer_foreign_keys = ON")  # until the commit
    _create_tables()
    _add_columns()
    _create_result_tables()
    _group_into_visits(conn)
    _rebuild_actions()
    _create_action_checks()
    made = _sqlite_triggers() if conn.dialect.name == "sqlite" else _postgresql_triggers()
    for statement in made:
        op.execute(statement)


def downgrade() -> None:
    """Back to 0003: visits, stored results and triggers dropped; copied sheets stay."""
    _drop_triggers()
    op.drop_table("action_checks")
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column("actions", sa.Column("verified_by", sa.String(36)))
    op.execute(
        "UPDATE actions SET verified_by = (SELECT MIN(i.inspection_id) FROM inspections i "
        "WHERE i.visit_id = actions.verified_in) WHERE verified_in IS NOT NULL"
    )

    def restore(target) -> None:
        target.drop_constraint(op.f("ck_actions_verified_in_length"), type_="check")
        target.drop_constraint(op.f("fk_actions_verified_in_visits"), type_="foreignkey")
        target.drop_column("verified_in")
        target.drop_column("closing_note")
        target.create_check_constraint(
            op.f("ck_actions_verified_by_length"), "length(verified_by) <= 36"
        )
        target.create_foreign_key(
            op.f("fk_actions_verified_by_inspections"),
            "inspections",
            ["verified_by"],
            ["inspection_id"],
        )

    if sqlite:
        with op.batch_alter_table("actions", recreate="always") as batch:
            restore(batch)
    else:
        op.drop_constraint(op.f("ck_actions_verified_in_length"), "actions", type_="check")
        op.drop_constraint(op.f("fk_actions_verified_in_visits"), "actions", type_="foreignkey")
        op.drop_column("actions", "verified_in")
        op.drop_column("actions", "closing_note")
        op.create_check_constraint(
            op.f("ck_actions_verified_by_length"), "actions", "length(verified_by) <= 36"
        )
        op.create_foreign_key(
            op.f("fk_actions_verified_by_inspections"),
            "actions",
            "inspections",
            ["verified_by"],
            ["inspection_id"],
        )
    op.drop_table("sheet_gaps")
    op.drop_table("section_scores")
    for name in ("note", "value", "weight"):
        op.drop_column("findings", name)
    op.drop_index(op.f("ix_inspections_visit_id"), table_name="inspections")
    if not sqlite:
        op.drop_constraint(
            op.f("fk_inspections_visit_id_visits"), "inspections", type_="foreignkey"
        )
    if sqlite:
        _sqlite_drop_inspection_columns()
    else:
        for name, _, _ in reversed(NEW_INSPECTION_COLUMNS):
            op.drop_column("inspections", name)
    op.drop_table("checklist_contents")
    op.drop_index(op.f("ix_visits_establishment_id"), table_name="visits")
    op.drop_table("visits")


def _sqlite_drop_inspection_columns() -> None:
    """Rebuild ``inspections`` without the columns 0004 added (rows held aside meanwhile)."""
    op.execute("PRAGMA defer_foreign_keys = ON")
    keep = SHEET_COLUMNS
    op.execute(f"CREATE TEMP TABLE held_inspections AS SELECT {keep} FROM inspections")
    op.execute("DELETE FROM inspections")
    with op.batch_alter_table("inspections", recreate="always") as batch:
        for name, _, length in reversed(NEW_INSPECTION_COLUMNS):
            suffix = "length" if length else "range"
            if length or name == "score":
                batch.drop_constraint(op.f(f"ck_inspections_{name}_{suffix}"), type_="check")
            batch.drop_column(name)
    op.execute(f"INSERT INTO inspections ({keep}) SELECT {keep} FROM temp.held_inspections")
    op.execute("DROP TABLE temp.held_inspections")
