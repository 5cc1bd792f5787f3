"""Shared fixtures. Optional groups (PostgreSQL, kernel, browser) skip with a
message saying how to enable them; CI sets the variables that make them mandatory."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def require(flag: str, reason: str) -> None:
    """Skip with ``reason``, unless ``flag`` is set in the environment: then fail."""
    if os.environ.get(flag):
        pytest.fail(f"{reason} ({flag} is set, so this is mandatory)")
    pytest.skip(reason)


PG_REASON = (
    "PostgreSQL tests need a server: set "
    "AUDIT_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def fresh_pg_database(server_url: str):
    """Create a uniquely named database on ``server_url``'s server; return (url, drop)."""
    import sqlalchemy as sa

    server = sa.make_url(server_url)
    name = f"audit_test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def db_url(request, tmp_path):
    """An empty database URL: a SQLite file under tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'audit.db'}"
        return
    server_url = os.environ.get("AUDIT_TEST_PG_URL")
    if not server_url:
        require("AUDIT_TEST_PG_URL", PG_REASON)
    url, drop = fresh_pg_database(server_url)
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def store(db_url, tmp_path):
    """An empty store at the newest schema, on SQLite and (when enabled) PostgreSQL."""
    from audit_lib.store import open_store

    opened = open_store(db_url, upgrade=True, evidence_dir=tmp_path / "evidence")
    yield opened
    opened.close()


@pytest.fixture
def sqlite_store(tmp_path):
    """An empty store at the newest schema in a SQLite file under tmp_path."""
    from audit_lib.store import open_store

    opened = open_store(f"sqlite:///{tmp_path / 'audit.db'}", upgrade=True)
    yield opened
    opened.close()
