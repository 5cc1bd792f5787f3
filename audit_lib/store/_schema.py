"""The database tables, as SQLAlchemy Core ``Table`` objects on one ``MetaData``.

Usage::

    import sqlalchemy as sa
    from audit_lib.store._schema import establishments, REGISTER_TABLES, REGISTER_KEYS
    with store.transaction() as conn:
        conn.execute(sa.select(establishments.c.code, establishments.c.name))
    REGISTER_KEYS["training"]   # ('year', 'unit_code', 'establishment_code', 'group', 'category')

Columns follow ``docs/contracts.md``. Choices the contract leaves open:

- Times are naive UTC ``DateTime`` columns (the same on SQLite and PostgreSQL);
  dates are ``Date``.
- Answers are kept compactly because a district collects millions of them:
  each inspection has an integer ``inspection_pk`` beside its public uuid
  ``inspection_id``, item ids live once in ``item_codes``, and ``responses``
  refers to both by integer. ``Store.responses()`` turns them back into the
  contract's frame (``inspection_id``, ``item_id``, ...). Findings, actions and
  evidence, which are few, refer to inspections by uuid.
- Register tables have a natural key (``REGISTER_KEYS``) made a primary key,
  so a re-import updates rows instead of adding duplicates. Key columns cannot
  be NULL; a text key that does not apply (a unit-level training record has
  no establishment) is stored as ``""`` and read back as missing. Each
  register row records the ``source`` file it came from and ``imported_at``.
- Every table that people edit carries who and when; inspections carry an
  integer ``version`` for optimistic locking.
- Every text column holds at most its ``String`` length and every count lies in
  its range (``RANGES``, from :mod:`audit_lib.store._limits`): CHECK constraints
  named ``ck_<table>_<column>_length`` and ``ck_<table>_<column>_range`` say so
  to both databases, so SQLite refuses what PostgreSQL refuses.
"""

from __future__ import annotations

import sqlalchemy as sa

from audit_lib.store._limits import (
    MAX_AMOUNT_VND,
    MAX_EVIDENCE_BYTES,
    MAX_MEASURE,
    MAX_PEOPLE,
    MAX_SAMPLES,
    MAX_TRAINING_GROUP,
    MAX_VICTIMS,
    MAX_WORKFORCE,
    MAX_YEAR,
    MIN_YEAR,
    length_of,
)

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _text(name: str, length: int = 200, *args, **kw) -> sa.Column:
    return sa.Column(name, sa.String(length), *args, **kw)


def _flag(name: str) -> sa.Column:
    return sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())


def _stamp(prefix: str) -> list[sa.Column]:
    return [_text(f"{prefix}_by", 200), sa.Column(f"{prefix}_at", sa.DateTime())]


# ---- administrative units -------------------------------------------------

units = sa.Table(
    "units",
    metadata,
    _text("unit_code", 40, primary_key=True),
    _text("name_vi", 200, nullable=False),
    _text("name_en", 200),
    sa.Column("aliases", sa.Text()),
    _text("level", 20, nullable=False),
    _text("parent_code", 40),
    sa.Column("valid_from", sa.Date()),
    sa.Column("valid_to", sa.Date()),
)

crosswalk = sa.Table(
    "crosswalk",
    metadata,
    _text("old_code", 40, primary_key=True),
    _text("new_code", 40, primary_key=True),
    sa.Column("effective_on", sa.Date(), primary_key=True),
    sa.Column("share", sa.Float(), nullable=False, server_default=sa.text("1.0")),
    _flag("illustrative"),
)

# ---- establishments and inspections ----------------------------------------

establishments = sa.Table(
    "establishments",
    metadata,
    sa.Column("establishment_id", sa.Integer(), primary_key=True, autoincrement=True),
    _text("code", 40, nullable=False, unique=True),
    _text("name", 300, nullable=False),
    _text("kind", 20, nullable=False),
    _text("sector", 20, nullable=False),
    _text("vsic", 10),
    _text("unit_code", 40, index=True),
    sa.Column("workforce", sa.Integer(), nullable=False, server_default=sa.text("0")),
    sa.Column("strict_workers", sa.Integer(), nullable=False, server_default=sa.text("0")),
    sa.Column("hazardous_workers", sa.Integer()),  # NULL: not known (migration 0005)
    _flag("has_strict_equipment"),
    _flag("high_risk"),
    _flag("labour_relations"),
    _flag("employs_minors"),
    sa.Column("active_from", sa.Date()),
    sa.Column("active_to", sa.Date()),
    *_stamp("created"),
    *_stamp("updated"),
)

visits = sa.Table(
    "visits",
    metadata,
    sa.Column("visit_pk", sa.Integer(), primary_key=True, autoincrement=True),
    _text("visit_id", 36, nullable=False, unique=True),
    sa.Column(
        "establishment_id",
        sa.Integer(),
        sa.ForeignKey("establishments.establishment_id"),
        nullable=False,
        index=True,
    ),
    sa.Column("visited_on", sa.Date(), nullable=False),
    _text("type", 20, nullable=False),
    sa.Column("team", sa.Text(), nullable=False, server_default=""),
    _text("place", 300),
    _text("status", 10, nullable=False),
    # the first revision's visit_id: every revision of one visit shares it
    _text("chain_id", 36, nullable=False),
    sa.Column("revision", sa.Integer(), nullable=False, server_default=sa.text("1")),
    _text("supersedes", 36, sa.ForeignKey("visits.visit_id")),
    sa.Column("reason", sa.Text()),
    sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")),
    # set once, when the visit is finalized (a final visit with a verdict is frozen)
    _text("record_number", 40, unique=True),
    sa.Column("score", sa.Float()),
    _text("verdict", 20),
    sa.Column("passed", sa.Boolean()),
    sa.Column("establishment_snapshot", sa.Text()),
    *_stamp("finalized"),
    *_stamp("created"),
    *_stamp("updated"),
    sa.UniqueConstraint("chain_id", "revision"),
    sa.CheckConstraint("status IN ('draft', 'final')", name="status"),
)

checklist_contents = sa.Table(
    "checklist_contents",
    metadata,
    _text("fingerprint", 64, primary_key=True),
    _text("checklist_id", 80, nullable=False),
    _text("checklist_version", 40, nullable=False),
    # the canonical JSON the fingerprint is the sha256 of
    sa.Column("content", sa.Text(), nullable=False),
)

inspections = sa.Table(
    "inspections",
    metadata,
    sa.Column("inspection_pk", sa.Integer(), primary_key=True, autoincrement=True),
    _text("inspection_id", 36, nullable=False, unique=True),
    sa.Column(
        "establishment_id",
        sa.Integer(),
        sa.ForeignKey("establishments.establishment_id"),
        nullable=False,
        index=True,
    ),
    _text("checklist_id", 80, nullable=False),
    _text("checklist_version", 40, nullable=False),
    _text("checklist_fingerprint", 64, nullable=False),
    sa.Column("inspected_on", sa.Date(), nullable=False),
    _text("type", 20, nullable=False),
    _text("status", 10, nullable=False),
    # the first revision's inspection_id: every revision of one inspection shares it
    _text("chain_id", 36, nullable=False),
    sa.Column("revision", sa.Integer(), nullable=False, server_default=sa.text("1")),
    _text("supersedes", 36, sa.ForeignKey("inspections.inspection_id")),
    sa.Column("reason", sa.Text()),
    sa.Column("inspectors", sa.Text(), nullable=False, server_default=""),
    sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")),
    # a final inspection's answers, packed once when it is finalized (see answers.pack);
    # NULL for drafts, whose answers are read from ``responses``
    sa.Column("answers_packed", sa.LargeBinary()),
    *_stamp("created"),
    *_stamp("updated"),
    # the visit this sheet is part of (one sheet per applicable checklist)
    _text("visit_id", 36, sa.ForeignKey("visits.visit_id"), index=True),
    # the scoring results, stored when the visit is finalized (NULL for drafts)
    sa.Column("applicable", sa.Integer()),
    sa.Column("answered", sa.Integer()),
    sa.Column("gaps", sa.Integer()),
    sa.Column("critical_gaps", sa.Integer()),
    sa.Column("weight_applicable", sa.Float()),
    sa.Column("weight_earned", sa.Float()),
    sa.Column("weight_gaps", sa.Float()),
    sa.Column("score", sa.Float()),
    sa.Column("critical_failures", sa.Integer()),
    _text("grade", 20),
    sa.Column("passed", sa.Boolean()),
    _text("verdict", 20),
    sa.UniqueConstraint("chain_id", "revision"),
    sa.CheckConstraint("status IN ('draft', 'final')", name="status"),
)

item_codes = sa.Table(
    "item_codes",
    metadata,
    sa.Column("item_pk", sa.Integer(), primary_key=True, autoincrement=True),
    _text("item_id", 80, nullable=False, unique=True),
)

responses = sa.Table(
    "responses",
    metadata,
    sa.Column(
        "inspection_pk",
        sa.Integer(),
        sa.ForeignKey("inspections.inspection_pk"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column(
        "item_pk",
        sa.Integer(),
        sa.ForeignKey("item_codes.item_pk"),
        primary_key=True,
        autoincrement=False,
    ),
    _text("answer", 20),
    sa.Column("value", sa.Float()),
    sa.Column("note", sa.Text()),
    *_stamp("answered"),
    sa.CheckConstraint("answer IN ('compliant', 'noncompliant', 'na')", name="answer"),
    sqlite_with_rowid=False,
)

# Few answers carry a value or a note: these partial covering indexes let
# Store.responses() fetch just those rows without scanning every answer.
for _column in ("value", "note"):
    _present = responses.c[_column].is_not(None)
    sa.Index(
        f"ix_responses_{_column}s",
        responses.c.inspection_pk,
        responses.c.item_pk,
        responses.c[_column],
        sqlite_where=_present,
        postgresql_where=_present,
    )

evidence = sa.Table(
    "evidence",
    metadata,
    sa.Column("evidence_id", sa.Integer(), primary_key=True, autoincrement=True),
    _text("inspection_id", 36, sa.ForeignKey("inspections.inspection_id"), nullable=False),
    _text("item_id", 80, nullable=False),
    _text("sha256", 64, nullable=False),
    _text("filename", 300, nullable=False),
    _text("media_type", 100, nullable=False),
    sa.Column("size", sa.Integer(), nullable=False),
    *_stamp("added"),
    sa.UniqueConstraint("inspection_id", "item_id", "sha256"),
)

findings = sa.Table(
    "findings",
    metadata,
    _text("inspection_id", 36, sa.ForeignKey("inspections.inspection_id"), primary_key=True),
    _text("item_id", 80, primary_key=True),
    _text("section_id", 80),
    _text("severity", 20, nullable=False),
    sa.Column("text_vi", sa.Text()),
    sa.Column("text_en", sa.Text()),
    sa.Column("legal_basis", sa.Text()),
    sa.Column("action_vi", sa.Text()),
    sa.Column("action_en", sa.Text()),
    sa.Column("days_to_correct", sa.Integer()),
    sa.Column("due_on", sa.Date()),
    sa.Column("weight", sa.Float()),
    sa.Column("value", sa.Float()),
    sa.Column("note", sa.Text()),
)

section_scores = sa.Table(
    "section_scores",
    metadata,
    _text("inspection_id", 36, sa.ForeignKey("inspections.inspection_id"), primary_key=True),
    _text("section_id", 80, primary_key=True),
    sa.Column("applicable", sa.Integer(), nullable=False),
    sa.Column("answered", sa.Integer(), nullable=False),
    sa.Column("gaps", sa.Integer(), nullable=False),
    sa.Column("weight_applicable", sa.Float(), nullable=False),
    sa.Column("weight_earned", sa.Float(), nullable=False),
    sa.Column("score", sa.Float()),
)

sheet_gaps = sa.Table(
    "sheet_gaps",
    metadata,
    _text("inspection_id", 36, sa.ForeignKey("inspections.inspection_id"), primary_key=True),
    _text("item_id", 80, primary_key=True),
    _text("section_id", 80),
    _text("severity", 20, nullable=False),
    _text("reason", 30, nullable=False),
)

actions = sa.Table(
    "actions",
    metadata,
    sa.Column("action_id", sa.Integer(), primary_key=True, autoincrement=True),
    _text("inspection_id", 36, sa.ForeignKey("inspections.inspection_id"), nullable=False),
    _text("item_id", 80, nullable=False),
    _text("severity", 20, nullable=False),
    sa.Column("action_vi", sa.Text()),
    sa.Column("action_en", sa.Text()),
    sa.Column("due_on", sa.Date()),
    _text("status", 10, nullable=False, server_default="open"),
    sa.Column("closed_on", sa.Date()),
    # the (follow-up) visit that found it done, or NULL when closed on documents
    _text("verified_in", 36, sa.ForeignKey("visits.visit_id")),
    sa.Column("closing_note", sa.Text()),
    *_stamp("updated"),
    sa.UniqueConstraint("inspection_id", "item_id"),
    sa.CheckConstraint("status IN ('open', 'closed', 'superseded')", name="status"),
)

action_checks = sa.Table(
    "action_checks",
    metadata,
    _text("visit_id", 36, sa.ForeignKey("visits.visit_id"), primary_key=True),
    sa.Column(
        "action_id",
        sa.Integer(),
        sa.ForeignKey("actions.action_id"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("done", sa.Boolean(), nullable=False),
    sa.Column("note", sa.Text()),
    _text("evidence_sha256", 64),
    *_stamp("checked"),
)

# ---- registers --------------------------------------------------------------


def _register(name: str, key: tuple[str, ...], *columns: sa.Column) -> sa.Table:
    """A register table whose natural ``key`` is its primary key (NOT NULL, '' when absent)."""
    for column in columns:
        if column.name in key:
            column.primary_key = True
            column.nullable = False
            column.autoincrement = False
            if isinstance(column.type, sa.String):
                column.server_default = sa.DefaultClause("")
    return sa.Table(
        name,
        metadata,
        *columns,
        _text("source", 300),
        sa.Column("imported_at", sa.DateTime()),
    )


def _year() -> sa.Column:
    return sa.Column("year", sa.Integer())


def _count(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer())


REGISTER_KEYS: dict[str, tuple[str, ...]] = {
    "workforce": ("unit_code", "year"),
    "accidents": ("accident_id",),
    "compensation": ("accident_id", "victim_no"),
    "training": ("year", "unit_code", "establishment_code", "group", "category"),
    "od_exams": ("year", "unit_code", "establishment_code"),
    "env_monitoring": ("year", "unit_code", "establishment_code"),
    "outreach": ("year", "unit_code", "establishment_code", "channel"),
}

workforce = _register(
    "workforce",
    REGISTER_KEYS["workforce"],
    _text("unit_code", 40),
    _year(),
    _count("workers"),
    _count("workers_labour_relations"),
)

accidents = _register(
    "accidents",
    REGISTER_KEYS["accidents"],
    _text("accident_id", 60),
    sa.Column("occurred_on", sa.Date(), nullable=False),
    _text("establishment_code", 40),
    _text("unit_code", 40),
    sa.Column("labour_relations", sa.Boolean()),
    _count("victims"),
    _count("deaths"),
    _count("serious_injuries"),
    sa.Column("declared_on", sa.Date()),
    sa.Column("investigation_completed_on", sa.Date()),
    sa.Column("handled", sa.Boolean()),
)

compensation = _register(
    "compensation",
    REGISTER_KEYS["compensation"],
    _text("accident_id", 60),
    sa.Column("victim_no", sa.Integer()),
    sa.Column("compensated", sa.Boolean()),
    sa.Column("amount_vnd", sa.BigInteger()),
    sa.Column("paid_on", sa.Date()),
)

training = _register(
    "training",
    REGISTER_KEYS["training"],
    _year(),
    _text("unit_code", 40),
    _text("establishment_code", 40),
    sa.Column("group", sa.Integer()),
    _text("category", 30),
    _count("headcount"),
    _count("trained"),
)

od_exams = _register(
    "od_exams",
    REGISTER_KEYS["od_exams"],
    _year(),
    _text("unit_code", 40),
    _text("establishment_code", 40),
    _count("workers_examined"),
    _count("od_cases"),
)

env_monitoring = _register(
    "env_monitoring",
    REGISTER_KEYS["env_monitoring"],
    _year(),
    _text("unit_code", 40),
    _text("establishment_code", 40),
    sa.Column("monitored_on", sa.Date()),
    _count("samples"),
    _count("samples_failing"),
)

outreach = _register(
    "outreach",
    REGISTER_KEYS["outreach"],
    _year(),
    _text("unit_code", 40),
    _text("establishment_code", 40),
    _text("channel", 60),
    sa.Column("reached_on", sa.Date()),
)

REGISTER_TABLES: dict[str, sa.Table] = {name: metadata.tables[name] for name in REGISTER_KEYS}

# ---- limits -------------------------------------------------------------------

_YEARS, _PEOPLE, _SAMPLES = (MIN_YEAR, MAX_YEAR), (0, MAX_PEOPLE), (0, MAX_SAMPLES)
RANGES: dict[str, dict[str, tuple[float, float]]] = {
    "establishments": {
        "workforce": (0, MAX_WORKFORCE),
        "strict_workers": (0, MAX_WORKFORCE),
        "hazardous_workers": (0, MAX_WORKFORCE),
    },
    "responses": {"value": (-MAX_MEASURE, MAX_MEASURE)},
    "evidence": {"size": (1, MAX_EVIDENCE_BYTES)},
    "crosswalk": {"share": (0, 1)},
    "visits": {"score": (0, 100)},
    "inspections": {"score": (0, 100)},
    "section_scores": {"score": (0, 100)},
    "workforce": {"year": _YEARS, "workers": _PEOPLE, "workers_labour_relations": _PEOPLE},
    "accidents": {
        "victims": (1, MAX_VICTIMS),
        "deaths": (0, MAX_VICTIMS),
        "serious_injuries": (0, MAX_VICTIMS),
    },
    "compensation": {"victim_no": (1, MAX_VICTIMS), "amount_vnd": (0, MAX_AMOUNT_VND)},
    "training": {
        "year": _YEARS,
        "group": (1, MAX_TRAINING_GROUP),
        "headcount": _PEOPLE,
        "trained": _PEOPLE,
    },
    "od_exams": {"year": _YEARS, "workers_examined": _PEOPLE, "od_cases": _PEOPLE},
    "env_monitoring": {"year": _YEARS, "samples": _SAMPLES, "samples_failing": _SAMPLES},
    "outreach": {"year": _YEARS},
}
"""The range (lowest, highest) of each bounded number column, per table: a CHECK each."""


def _limit(table: sa.Table) -> None:
    """CHECK constraints: each text column within its length, each number within its range."""
    for column in list(table.c):
        length = length_of(column)
        if length is not None:
            check = sa.func.length(column) <= length
            table.append_constraint(sa.CheckConstraint(check, name=f"{column.name}_length"))
    for name, (low, high) in RANGES.get(table.name, {}).items():
        check = table.c[name].between(low, high)
        table.append_constraint(sa.CheckConstraint(check, name=f"{name}_range"))


for _table in metadata.tables.values():
    _limit(_table)

MAIN_TABLES = (
    "units",
    "establishments",
    "visits",
    "inspections",
    "responses",
    "findings",
    "actions",
)
