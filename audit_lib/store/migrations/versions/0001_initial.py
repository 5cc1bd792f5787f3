"""Initial schema: units, establishments, inspections, answers, findings, registers.

Revision ID: 0001
Revises:
Create Date: 2026-11-29 01:23:47.626364
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accidents",
        sa.Column(
            "accident_id",
            sa.String(length=60),
            server_default="",
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("establishment_code", sa.String(length=40), nullable=True),
        sa.Column("unit_code", sa.String(length=40), nullable=True),
        sa.Column("labour_relations", sa.Boolean(), nullable=True),
        sa.Column("victims", sa.Integer(), nullable=True),
        sa.Column("deaths", sa.Integer(), nullable=True),
        sa.Column("serious_injuries", sa.Integer(), nullable=True),
        sa.Column("declared_on", sa.Date(), nullable=True),
        sa.Column("investigation_completed_on", sa.Date(), nullable=True),
        sa.Column("handled", sa.Boolean(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("accident_id", name=op.f("pk_accidents")),
    )
    op.create_table(
        "compensation",
        sa.Column(
            "accident_id",
            sa.String(length=60),
            server_default="",
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("victim_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("compensated", sa.Boolean(), nullable=True),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("accident_id", "victim_no", name=op.f("pk_compensation")),
    )
    op.create_table(
        "crosswalk",
        sa.Column("old_code", sa.String(length=40), nullable=False),
        sa.Column("new_code", sa.String(length=40), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("share", sa.Float(), server_default=sa.text("1.0"), nullable=False),
        sa.Column("illustrative", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("old_code", "new_code", "effective_on", name=op.f("pk_crosswalk")),
    )
    op.create_table(
        "env_monitoring",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "unit_code",
            sa.String(length=40),
            server_default="",
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "establishment_code",
            sa.String(length=40),
            server_default="",
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("monitored_on", sa.Date(), nullable=True),
        sa.Column("samples", sa.Integer(), nullable=True),
        sa.Column("samples_failing", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint(
            "year", "unit_code", "establishment_code", name=op.f("pk_env_monitoring")
        ),
    )
    op.create_table(
        "establishments",
        sa.Column("establishment_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sector", sa.String(length=20), nullable=False),
        sa.Column("vsic", sa.String(length=10), nullable=True),
        sa.Column("unit_code", sa.String(length=40), nullable=True),
        sa.Column("workforce", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("strict_workers", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("has_strict_equipment", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("high_risk", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("labour_relations", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("employs_minors", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("active_from", sa.Date(), nullable=True),
        sa.Column("active_to", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("establishment_id", name=op.f("pk_establishments")),
        sa.UniqueConstraint("code", name=op.f("uq_establishments_code")),
    )
    with op.batch_alter_table("establishments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_establishments_unit_code"), ["unit_code"], unique=False
        )

    op.create_table(
        "item_codes",
        sa.Column("item_pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("item_pk", name=op.f("pk_item_codes")),
        sa.UniqueConstraint("item_id", name=op.f("uq_item_codes_item_id")),
    )
    op.create_table(
        "od_exams",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "unit_code",
            sa.String(length=40),
            server_default="",
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "establishment_code",
            sa.String(length=40),
            server_default="",
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("workers_examined", sa.Integer(), nullable=True),
        sa.Column("od_cases", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint(
            "year", "unit_code", "establishment_code", name=op.f("pk_od_exams")
        ),
    )
    op.create_table(
        "outreach",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "unit_code",
            sa.String(length=40),
            server_default="",
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "establishment_code",
            sa.String(length=40),
            server_default="",
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "channel", sa.String(length=60), server_default="", autoincrement=False, nullable=False
        ),
        sa.Column("reached_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint(
            "year", "unit_code", "establishment_code", "channel", name=op.f("pk_outreach")
        ),
    )
    op.create_table(
        "training",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "unit_code",
            sa.String(length=40),
            server_default="",
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "establishment_code",
            sa.String(length=40),
            server_default="",
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("group", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "category", sa.String(length=30), server_default="", autoincrement=False, nullable=False
        ),
        sa.Column("headcount", sa.Integer(), nullable=True),
        sa.Column("trained", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint(
            "year", "unit_code", "establishment_code", "group", "category", name=op.f("pk_training")
        ),
    )
    op.create_table(
        "units",
        sa.Column("unit_code", sa.String(length=40), nullable=False),
        sa.Column("name_vi", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("aliases", sa.Text(), nullable=True),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_code", sa.String(length=40), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("unit_code", name=op.f("pk_units")),
    )
    op.create_table(
        "workforce",
        sa.Column(
            "unit_code",
            sa.String(length=40),
            server_default="",
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("workers", sa.Integer(), nullable=True),
        sa.Column("workers_labour_relations", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("unit_code", "year", name=op.f("pk_workforce")),
    )
    op.create_table(
        "inspections",
        sa.Column("inspection_pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("establishment_id", sa.Integer(), nullable=False),
        sa.Column("checklist_id", sa.String(length=80), nullable=False),
        sa.Column("checklist_version", sa.String(length=40), nullable=False),
        sa.Column("checklist_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("chain_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("supersedes", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("inspectors", sa.Text(), server_default="", nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'final')", name=op.f("ck_inspections_status")),
        sa.ForeignKeyConstraint(
            ["establishment_id"],
            ["establishments.establishment_id"],
            name=op.f("fk_inspections_establishment_id_establishments"),
        ),
        sa.ForeignKeyConstraint(
            ["supersedes"],
            ["inspections.inspection_id"],
            name=op.f("fk_inspections_supersedes_inspections"),
        ),
        sa.PrimaryKeyConstraint("inspection_pk", name=op.f("pk_inspections")),
        sa.UniqueConstraint("chain_id", "revision", name=op.f("uq_inspections_chain_id_revision")),
        sa.UniqueConstraint("inspection_id", name=op.f("uq_inspections_inspection_id")),
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspections_establishment_id"), ["establishment_id"], unique=False
        )

    op.create_table(
        "actions",
        sa.Column("action_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=80), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("action_vi", sa.Text(), nullable=True),
        sa.Column("action_en", sa.Text(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), server_default="open", nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("verified_by", sa.String(length=36), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_actions_status")),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.inspection_id"],
            name=op.f("fk_actions_inspection_id_inspections"),
        ),
        sa.ForeignKeyConstraint(
            ["verified_by"],
            ["inspections.inspection_id"],
            name=op.f("fk_actions_verified_by_inspections"),
        ),
        sa.PrimaryKeyConstraint("action_id", name=op.f("pk_actions")),
        sa.UniqueConstraint(
            "inspection_id", "item_id", name=op.f("uq_actions_inspection_id_item_id")
        ),
    )
    op.create_table(
        "evidence",
        sa.Column("evidence_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=80), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.inspection_id"],
            name=op.f("fk_evidence_inspection_id_inspections"),
        ),
        sa.PrimaryKeyConstraint("evidence_id", name=op.f("pk_evidence")),
        sa.UniqueConstraint(
            "inspection_id",
            "item_id",
            "sha256",
            name=op.f("uq_evidence_inspection_id_item_id_sha256"),
        ),
    )
    op.create_table(
        "findings",
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=80), nullable=False),
        sa.Column("section_id", sa.String(length=80), nullable=True),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("text_vi", sa.Text(), nullable=True),
        sa.Column("text_en", sa.Text(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("action_vi", sa.Text(), nullable=True),
        sa.Column("action_en", sa.Text(), nullable=True),
        sa.Column("days_to_correct", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.inspection_id"],
            name=op.f("fk_findings_inspection_id_inspections"),
        ),
        sa.PrimaryKeyConstraint("inspection_id", "item_id", name=op.f("pk_findings")),
    )
    op.create_table(
        "responses",
        sa.Column("inspection_pk", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("item_pk", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("answer", sa.String(length=20), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(length=200), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "answer IN ('compliant', 'noncompliant', 'na')", name=op.f("ck_responses_answer")
        ),
        sa.ForeignKeyConstraint(
            ["inspection_pk"],
            ["inspections.inspection_pk"],
            name=op.f("fk_responses_inspection_pk_inspections"),
        ),
        sa.ForeignKeyConstraint(
            ["item_pk"], ["item_codes.item_pk"], name=op.f("fk_responses_item_pk_item_codes")
        ),
        sa.PrimaryKeyConstraint("inspection_pk", "item_pk", name=op.f("pk_responses")),
        sqlite_with_rowid=False,
    )
    for column in ("value", "note"):
        present = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            f"ix_responses_{column}s",
            "responses",
            ["inspection_pk", "item_pk", column],
            sqlite_where=present,
            postgresql_where=present,
        )


def downgrade() -> None:
    op.drop_index("ix_responses_notes", table_name="responses")
    op.drop_index("ix_responses_values", table_name="responses")
    op.drop_table("responses")
    op.drop_table("findings")
    op.drop_table("evidence")
    op.drop_table("actions")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspections_establishment_id"))

    op.drop_table("inspections")
    op.drop_table("workforce")
    op.drop_table("units")
    op.drop_table("training")
    op.drop_table("outreach")
    op.drop_table("od_exams")
    op.drop_table("item_codes")
    with op.batch_alter_table("establishments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_establishments_unit_code"))

    op.drop_table("establishments")
    op.drop_table("env_monitoring")
    op.drop_table("crosswalk")
    op.drop_table("compensation")
    op.drop_table("accidents")
