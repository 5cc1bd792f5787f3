"""Migrations are frozen: replaying them never runs live application code.

A revision script names the tables and columns as they were at its revision and
keeps its own copy of any code it runs (0002: the packing of answers), so a
column added to the live schema later, or a change to the live codec, never
changes what replaying 0001 → 0002 does.
"""

from __future__ import annotations

import ast
import struct
import sys

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from audit_lib.checklists import load_checklists
from audit_lib.store import answers, create_engine, migrations, open_store
from audit_lib.store._schema import metadata
from tests.factories import visit

VERSIONS = migrations.HERE / "versions"
OWN = migrations.__name__


def _foreign_imports(source: str) -> list[str]:
    """The modules of ``audit_lib`` outside the migrations package a revision script imports."""
    package = f"{OWN}.versions".split(".")
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            found.append(".".join(base + ([node.module] if node.module else [])))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.append(str(node.args[0].value))
    return [
        name
        for name in found
        if name.split(".")[0] == "audit_lib" and not (name + ".").startswith(OWN + ".")
    ]


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("def upgrade():\n    from audit_lib.store import _answers\n", ["audit_lib.store"]),
        ("import audit_lib.store._schema as schema\n", ["audit_lib.store._schema"]),
        ("from ... import _answers\n", ["audit_lib.store"]),
        ("importlib.import_module('audit_lib.core.vocabulary')\n", ["audit_lib.core.vocabulary"]),
        ("from .. import HERE\nfrom audit_lib.store.migrations import HERE\n", []),
        ("import numpy as np\nimport sqlalchemy as sa\nfrom alembic import op\n", []),
    ],
)
def test_the_import_scan_finds_live_code_wherever_it_is_imported(source, found):
    assert _foreign_imports(source) == found


def test_no_revision_script_imports_live_application_code():
    scripts = sorted(VERSIONS.glob("*.py"))
    assert {"0001_initial.py", "0002_answers_packed.py"} <= {p.name for p in scripts}
    foreign = {p.name: _foreign_imports(p.read_text(encoding="utf-8")) for p in scripts}
    assert {name: found for name, found in foreign.items() if found} == {}


def test_replaying_every_migration_one_at_a_time_from_empty_builds_the_live_schema(db_url):
    engine = create_engine(db_url)
    try:
        for script in reversed(migrations.scripts()):
            with engine.begin() as conn:
                migrations.upgrade(conn, script.revision)
                assert migrations.current_revision(conn) == script.revision
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def _revision_0002():
    """The module of revision script 0002, as Alembic loads it."""
    return ScriptDirectory.from_config(migrations.config()).get_revision("0002").module


def _packed(conn: sa.Connection) -> dict:
    rows = sa.text("SELECT inspection_pk, answers_packed FROM inspections ORDER BY inspection_pk")
    return {pk: None if blob is None else bytes(blob) for pk, blob in conn.execute(rows)}


def _answered(store, visit_id: str, rng: np.random.Generator) -> None:
    """Answer the items of the visit's sheets at random (a value for count items), every
    critical item among them, so that the visit can be finalized."""
    for iid, checklist_id in store.visit_sheets(visit_id)[["inspection_id", "checklist_id"]].values:
        items = [i for s in load_checklists()[checklist_id].sections for i in s.items]
        some = ["compliant", "noncompliant", "na", None]
        store.save_answers(
            iid,
            pd.DataFrame(
                {
                    "item_id": [i.id for i in items],
                    "answer": [
                        rng.choice(some[:3] if i.severity == "critical" else some) for i in items
                    ],  # fmt: skip
                    "value": [
                        float(rng.integers(0, 40)) if i.answer == "count" else None for i in items
                    ],  # fmt: skip
                    "note": None,
                }
            ),
        )


def test_the_frozen_codec_of_0002_packs_the_same_bytes_as_the_live_one(db_url, tmp_path):
    """A divergence must be a decision: the live code reads what 0002 wrote.

    Final visits (one revised, its revision a draft) and a draft, made through the
    store; then, back at 0003 (no frozen records there), 0002's own packing again.
    """
    rng = np.random.default_rng(5)
    shipped = load_checklists()
    store = open_store(db_url, upgrade=True, evidence_dir=tmp_path / "evidence")
    try:
        made = [
            visit(store, [shipped["general"], shipped["mining"]], sector="mining") for n in range(5)
        ]
        for n, vid in enumerate(made):
            _answered(store, vid, rng)
            if n < 4:
                store.finalize_visit(vid, by="t")
        store.revise_visit(made[0], reason="a draft too", by="t")
        with store.reading() as conn:
            live = _packed(conn)
    finally:
        store.close()
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            command.downgrade(migrations.config(conn), "0003")
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE inspections SET answers_packed = NULL"))
            _revision_0002().pack_final(conn)
            frozen = _packed(conn)
    finally:
        engine.dispose()
    assert None in live.values() and sum(len(b or b"") for b in live.values()) > 1000
    assert frozen == live
    codes = np.random.default_rng(5).integers(0, 2**20, 300)
    text = ",".join(map(str, codes))
    assert _revision_0002().packed(text) == answers._packed_codes(np.sort(codes))
    assert _revision_0002().packed(None) == answers._packed_codes(np.empty(0, dtype=np.int64))


AT_0001 = [
    "INSERT INTO establishments (establishment_id, code, name, kind, sector)"
    " VALUES (1, '0100', 'Mỏ Nậm Xe', 'enterprise', 'mining')",
    "INSERT INTO item_codes (item_pk, item_id) VALUES (1, 'G.1'), (2, 'G.2'), (3, 'G.3')",
    "INSERT INTO inspections (inspection_pk, inspection_id, establishment_id, checklist_id,"
    " checklist_version, checklist_fingerprint, inspected_on, type, status, chain_id)"
    " VALUES (1, 'final', 1, 'general', '2025.1', 'f', '2025-05-12', 'periodic', 'final', 'final'),"
    " (2, 'draft', 1, 'general', '2025.1', 'f', '2025-05-13', 'periodic', 'draft', 'draft'),"
    " (3, 'empty', 1, 'general', '2025.1', 'f', '2025-05-14', 'periodic', 'final', 'empty')",
    "INSERT INTO responses (inspection_pk, item_pk, answer, value, note)"
    " VALUES (1, 3, 'na', NULL, 'ghi chú'), (1, 1, 'compliant', NULL, NULL),"
    " (1, 2, NULL, 4.0, NULL), (2, 1, 'noncompliant', NULL, NULL)",
]
PACKED_AT_0002 = {1: struct.pack("<3i", 1 * 4 + 1, 2 * 4 + 0, 3 * 4 + 3), 2: None, 3: b""}
"""What 0002 writes for the rows of AT_0001: item_pk × 4 + answer code, ascending, int32."""


def _later_schema(patch: pytest.MonkeyPatch) -> sa.MetaData:
    """Make the live schema, wherever it is imported, one with a column added after 0002.

    The column changes on every update, so code that updates the live
    ``inspections`` table names it; a database at 0002 does not have it.
    """
    later = sa.MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(later)
    later.tables["inspections"].append_column(
        sa.Column("reviewed_by", sa.String(200), server_default="", onupdate="updater")
    )
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != "audit_lib":
            continue
        for attribute, value in list(vars(module).items()):
            if value is metadata:
                patch.setattr(module, attribute, later)
            elif isinstance(value, sa.Table) and value.metadata is metadata:
                patch.setattr(module, attribute, later.tables[value.key])
    return later


def test_replaying_0001_to_0002_with_data_ignores_a_later_column_and_a_changed_live_codec(
    db_url,
):
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            migrations.upgrade(conn, "0001")
            for statement in AT_0001:
                conn.execute(sa.text(statement))
        with pytest.MonkeyPatch.context() as patch:
            later = _later_schema(patch)
            patch.setattr(answers, "_packed_codes", lambda codes: b"a later format")
            with engine.begin() as conn:
                migrations.upgrade(conn)
            with engine.connect() as conn:
                assert _packed(conn) == PACKED_AT_0002
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                missing = compare_metadata(context, later)
        # the schema-parity test is what asks for the migration of the later column
        assert [(d[0], d[2], d[3].name) for d in missing] == [
            ("add_column", "inspections", "reviewed_by")
        ]
    finally:
        engine.dispose()
    with open_store(db_url) as store:
        got = store.responses().astype(object).where(lambda f: f.notna(), None)
    assert sorted(map(tuple, got.to_numpy().tolist())) == [
        ("draft", "G.1", "noncompliant", None, None),
        ("final", "G.1", "compliant", None, None),
        ("final", "G.2", None, 4.0, None),
        ("final", "G.3", "na", None, "ghi chú"),
    ]
