"""Shared fixtures. Optional groups (PostgreSQL, kernel, browser) skip with a
message saying how to enable them; CI sets the variables that make them mandatory.

The expensive databases are built once per test session and copied per test,
as datasette's conftest does: ``sample_db_file`` (the Phong Thổ sample) and
``empty_db_file`` (every migration applied, no rows) are SQLite files built in
the session's temporary folder, shared by the xdist workers; ``sample_db``,
``sample_store``, ``store`` and ``sqlite_store`` hand each test its own copy,
so a test may write to it freely. On PostgreSQL a migrated template database
is built once per worker and each test's database is cloned from it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The sample every reading test shares: the demo's seed and years, at 40 % of its size.
SAMPLE = {"seed": 453, "scale": 0.4, "years": (2021, 2025)}


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


def pg_server_or_skip() -> str:
    """The URL of the PostgreSQL server to test on; skips (or fails, in CI) without one."""
    server_url = os.environ.get("AUDIT_TEST_PG_URL")
    if not server_url:
        require("AUDIT_TEST_PG_URL", PG_REASON)
    return server_url


def fresh_pg_database(server_url: str, template: str | None = None):
    """Create a uniquely named database on ``server_url``'s server; return (url, drop).

    With ``template`` the new database is a copy of that database (which nobody
    may be connected to meanwhile), else it is empty.
    """
    import sqlalchemy as sa

    server = sa.make_url(server_url)
    name = f"audit_test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


# -- SQLite files built once per session --------------------------------------------------


def _shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's temporary folder, which every xdist worker's own folder sits in."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _single_file(path: Path) -> None:
    """Fold the write-ahead log into ``path`` so that the file alone is the database."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def build_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[str], None]
) -> Path:
    """The SQLite file ``name`` of this session, made by ``build(url)`` the first time.

    Each xdist worker that finds it missing builds a private copy and renames it
    into place atomically: at worst every worker builds it once, and no worker
    ever sees a half-written file.
    """
    target = _shared_dir(tmp_path_factory) / name
    if not target.exists():
        private = tmp_path_factory.mktemp("build") / name
        build(f"sqlite:///{private}")
        _single_file(private)
        os.replace(private, target)
    return target


def copy_db(template: Path, dest: Path) -> str:
    """A copy of the SQLite file ``template`` at ``dest``; returns its URL."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, dest)
    return f"sqlite:///{dest}"


@pytest.fixture(scope="session")
def empty_db_file(tmp_path_factory) -> Path:
    """A SQLite database with every migration applied and no rows; copy it, never open it."""
    from audit_lib.store import open_store

    def build(url: str) -> None:
        open_store(url, upgrade=True).close()

    return build_once(tmp_path_factory, "empty.db", build)


@pytest.fixture(scope="session")
def sample_db_file(tmp_path_factory) -> Path:
    """The sample database (:data:`SAMPLE`) in SQLite; copy it, never open it."""
    from audit_lib.sample import generate
    from audit_lib.store import open_store

    def build(url: str) -> None:
        with open_store(url, upgrade=True) as store:
            generate(store, **SAMPLE)

    return build_once(tmp_path_factory, "sample.db", build)


@pytest.fixture
def sample_db(sample_db_file, tmp_path) -> str:
    """The URL of this test's own copy of the sample database."""
    return copy_db(sample_db_file, tmp_path / "sample.db")


@pytest.fixture
def sample_store(sample_db, tmp_path):
    """This test's own copy of the sample database, opened."""
    from audit_lib.store import open_store

    opened = open_store(sample_db, evidence_dir=tmp_path / "evidence")
    yield opened
    opened.close()


# -- an empty database on each backend ----------------------------------------------------


@pytest.fixture(scope="session")
def pg_template_db():
    """The name of a PostgreSQL database at the newest schema, for cloning (one per worker)."""
    import sqlalchemy as sa

    from audit_lib.store import open_store

    url, drop = fresh_pg_database(pg_server_or_skip())
    try:
        open_store(url, upgrade=True).close()  # closes every connection: cloning needs none
        yield sa.make_url(url).database
    finally:
        drop()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def db_url(request, tmp_path, empty_db_file):
    """A database URL: a SQLite file under tmp_path, or a fresh PostgreSQL database.

    The database is empty, unless the test also asks for ``store``: then it is
    already at the newest schema (a copy of a migrated one, not migrated anew).
    """
    migrated = "store" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "audit.db"
        if migrated:
            copy_db(empty_db_file, path)
        yield f"sqlite:///{path}"
        return
    server_url = pg_server_or_skip()
    template = request.getfixturevalue("pg_template_db") if migrated else None
    url, drop = fresh_pg_database(server_url, template=template)
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def store(db_url, tmp_path):
    """An empty store at the newest schema, on SQLite and (when enabled) PostgreSQL."""
    from audit_lib.store import open_store

    opened = open_store(db_url, evidence_dir=tmp_path / "evidence")
    yield opened
    opened.close()


@pytest.fixture
def sqlite_store(empty_db_file, tmp_path):
    """An empty store at the newest schema in a SQLite file under tmp_path."""
    from audit_lib.store import open_store

    opened = open_store(copy_db(empty_db_file, tmp_path / "audit.db"))
    yield opened
    opened.close()
