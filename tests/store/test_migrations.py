"""Schema migrations: an empty database reaches head, an outdated one says how to upgrade."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner

from audit_lib.cli import main
from audit_lib.core.errors import DatabaseMissingError, SchemaOutdatedError, StoreError
from audit_lib.store import create_engine, migrations, open_store, schema
from audit_lib.store._schema import metadata
from tests.factories import checklist, item, sheets, visit


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrating_an_empty_database_to_head_creates_every_table(db_url):
    store = open_store(db_url, upgrade=True)
    with store.reading() as conn:
        assert migrations.current_revision(conn) == migrations.head_revision()
    store.close()
    assert set(metadata.tables) | {"alembic_version"} == _tables(db_url)


def test_opening_an_empty_database_without_upgrade_says_how_to_upgrade(db_url):
    try:
        open_store(db_url)
    except SchemaOutdatedError as exc:
        assert exc.current is None
        assert exc.head == migrations.head_revision()
        assert "audit db upgrade" in str(exc)
    else:
        raise AssertionError("an empty database must be refused")
    assert "establishments" not in _tables(db_url)


def test_the_migrations_build_exactly_the_tables_of_the_schema_module(db_url):
    open_store(db_url, upgrade=True).close()
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def _mine(store) -> int:
    """A mine in its commune: the data a migration must keep."""
    with store.transaction() as conn:
        conn.execute(
            sa.insert(schema.units).values(unit_code="PT-NX", name_vi="Nậm Xe", level="commune")
        )
    return store.add_establishment(
        code="6200000100",
        name="Mỏ đất hiếm Nậm Xe",
        kind="enterprise",
        sector="mining",
        unit_code="PT-NX",
        workforce=30,
    )


def test_upgrading_twice_changes_nothing_and_keeps_the_data(db_url):
    store = open_store(db_url, upgrade=True)
    _mine(store)
    store.close()
    again = open_store(db_url, upgrade=True)
    assert list(again.establishments()["code"]) == ["6200000100"]
    again.close()


def test_downgrading_to_base_removes_every_table_and_upgrading_restores_them(db_url):
    open_store(db_url, upgrade=True).close()
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            command.downgrade(migrations.config(conn), "base")
        assert _tables(db_url) <= {"alembic_version"}
        with engine.begin() as conn:
            migrations.upgrade(conn)
    finally:
        engine.dispose()
    assert set(metadata.tables) <= _tables(db_url)


def test_upgrading_from_0001_packs_the_answers_of_final_inspections_only(db_url):
    store = open_store(db_url, upgrade=True)
    est = _mine(store)
    three = checklist("three", sections={"G": [item("G.1"), item("G.2"), item("G.3")]})
    ids, visits = [], []
    for day, answer in (("2025-05-12", "compliant"), ("2025-05-13", "noncompliant")):
        visits.append(visit(store, [three], establishment_id=est, visited_on=day, by="t"))
        [iid] = sheets(store, visits[-1])
        answers = pd.DataFrame(
            {
                "item_id": ["G.1", "G.2", "G.3"],
                "answer": [answer, "na", None],
                "value": [None, None, 4.0],
                "note": [None, "ghi chú", None],
            }
        )
        store.save_answers(iid, answers, by="t")
        ids.append(iid)
    store.finalize_visit(visits[0], by="t")
    before = store.responses()
    store.close()
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            command.downgrade(migrations.config(conn), "0001")
        with engine.begin() as conn:
            migrations.upgrade(conn)
            packed = conn.execute(
                sa.text("SELECT inspection_id FROM inspections WHERE answers_packed IS NOT NULL")
            ).scalars()
            assert list(packed) == [ids[0]]
    finally:
        engine.dispose()
    with open_store(db_url) as again:
        pd.testing.assert_frame_equal(again.responses(), before)


def test_a_database_newer_than_the_software_is_refused_with_a_clear_message(db_url):
    open_store(db_url, upgrade=True).close()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'zz99'"))
    engine.dispose()
    try:
        open_store(db_url, upgrade=True)
    except StoreError as exc:
        assert "newer than this software" in str(exc)
        assert not isinstance(exc, SchemaOutdatedError)
    else:
        raise AssertionError("a newer database must be refused")


def test_cli_db_upgrade_then_current_reports_revision_and_row_counts(db_url):
    runner = CliRunner()
    assert _tables(db_url) == set()  # connecting makes an empty SQLite file
    before = runner.invoke(main, ["db", "current", "--db", db_url, "--lang", "en"])
    assert before.exit_code == 1
    assert "none (empty database)" in before.output
    assert "audit db upgrade --db" in before.output

    up = runner.invoke(main, ["db", "upgrade", "--db", db_url, "--lang", "en"])
    assert up.exit_code == 0, up.output
    assert migrations.head_revision() in up.output

    now = runner.invoke(main, ["db", "current", "--db", db_url])
    assert now.exit_code == 0, now.output
    assert f"Phiên bản lược đồ hiện tại: {migrations.head_revision()}" in now.output
    assert "establishments" in now.output and "cơ sở" in now.output


def test_cli_db_current_on_a_missing_sqlite_file_says_so_and_creates_nothing(tmp_path):
    missing = tmp_path / "nowhere" / "audit.db"
    url = f"sqlite:///{missing}"
    result = CliRunner().invoke(main, ["db", "current", "--db", url, "--lang", "en"])
    assert result.exit_code == 1
    assert "does not exist" in result.output and f"audit db upgrade --db {url}" in result.output
    vi = CliRunner().invoke(main, ["db", "current", "--db", url])
    assert vi.exit_code == 1 and "chưa có" in vi.output
    assert not missing.parent.exists()


def test_opening_a_missing_sqlite_file_creates_nothing(tmp_path):
    missing = tmp_path / "nowhere" / "audit.db"
    with pytest.raises(DatabaseMissingError) as caught:
        open_store(f"sqlite:///{missing}")
    assert isinstance(caught.value, SchemaOutdatedError) and caught.value.current is None
    assert "does not exist" in str(caught.value) and "audit db upgrade --db" in str(caught.value)
    assert not missing.parent.exists()


def test_cli_db_commands_explain_themselves_with_an_example():
    runner = CliRunner()
    for command_name in ("upgrade", "current"):
        result = runner.invoke(main, ["db", command_name, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output and "audit db" in result.output


def test_cli_db_refuses_a_database_newer_than_the_software_without_a_traceback(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    open_store(url, upgrade=True).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'zz99'"))
    engine.dispose()
    result = CliRunner().invoke(main, ["db", "upgrade", "--db", url])
    assert result.exit_code == 2
    assert "newer than this software" in result.output
