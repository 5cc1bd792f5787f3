"""The store: establishments, inspections, answers, findings and registers in SQLite or PostgreSQL.

Usage::

    from audit_lib.store._store import open_store
    store = open_store()                        # $AUDIT_DB_URL or sqlite:///<project>/data/audit.db
    store = open_store("postgresql+psycopg://user@host/osh", upgrade=True)
    store.find_establishments("nam xe")        # by name, code or commune, any accents
    eid = store.add_establishment(code="6200123456", name="HTX Nậm Xe", kind="cooperative",
                                  sector="agriculture", unit_code="PT-NX", workforce=25)
    vid = store.create_visit(eid, "2025-05-12", "periodic", ["Lò Văn A"], checklists, by="a")
    iid = store.visit_sheets(vid)["inspection_id"][0]     # one sheet per checklist
    version = store.save_answer(iid, "GEN.ORG.01", "compliant", by="a", expected_version=1)
    store.finalize_visit(vid, by="a")           # scored, checked, stored, frozen
    store.revise_visit(vid, reason="sai ngày kiểm tra", by="b")   # a new draft revision
    store.visits(); store.inspections(); store.responses()   # DataFrames (docs/contracts.md)

Every call opens its own connection and runs in one transaction, so a widget
callback on another thread is safe and a failure leaves nothing half-written.
SQLite runs in WAL mode with a busy timeout, and write transactions start with
``BEGIN IMMEDIATE`` so read-then-write never deadlocks. A finalized inspection
is never changed (the database refuses it too): :meth:`Store.revise_visit`
starts revision n+1 as a draft.
Writers pass ``expected_version`` to detect a concurrent save: the loser gets
:class:`~audit_lib.core.errors.ConflictError` with its unsaved data in ``pending``.
Visits live in :mod:`audit_lib.store._visits`, finalizing in
:mod:`audit_lib.store._finalizing`, a sheet's answers and evidence in
:mod:`audit_lib.store._inspections`; the rules an
establishment must meet in :mod:`audit_lib.store._establishments`; register
rows are written by :func:`audit_lib.registers.write_rows`.

Every connection and transaction runs inside
:func:`~audit_lib.store._failures.explained`: a database that is busy,
read-only, full, not a database, unreachable, or that refuses a value, is a
:class:`StoreError` that names it and says what to do, never a driver's
traceback. A database holding another program's tables is refused unchanged,
even by ``upgrade=True``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from alembic.util import CommandError
from sqlalchemy import event

from audit_lib.core import db_urls
from audit_lib.core.errors import (
    DatabaseMissingError,
    InputError,
    NotFoundError,
    Problem,
    SchemaOutdatedError,
    StoreError,
    raise_if_problems,
)
from audit_lib.core.i18n import both
from audit_lib.core.resources import home
from audit_lib.core.text import fold, is_blank, tidy
from audit_lib.store import _answers as answers
from audit_lib.store import _schema as schema
from audit_lib.store import migrations
from audit_lib.store._establishments import check_establishment
from audit_lib.store._evidence import EvidenceFiles, default_evidence_dir
from audit_lib.store._failures import database_name, explained, sqlite_path
from audit_lib.store._finalizing import seal_migrated
from audit_lib.store._inspections import InspectionLog
from audit_lib.store._limits import control_character
from audit_lib.store._visits import VisitLog, of_status

MESSAGES = {
    "newer": {
        "vi": "cơ sở dữ liệu {url} ở phiên bản lược đồ {current}, mới hơn phần mềm này "
        "({head}): hãy cập nhật phần mềm",
        "en": "database {url} is at schema revision {current}, newer than this software "
        "({head}): update the software",
    },
    "foreign": {
        "vi": "{db} chứa dữ liệu của chương trình khác (bảng: {tables}), không phải của bộ "
        "công cụ này: không thay đổi gì; hãy chọn tệp hoặc cơ sở dữ liệu khác bằng --db "
        "hoặc AUDIT_DB_URL",
        "en": "{db} holds another program's data (tables: {tables}), not this workbench's: "
        "it was left unchanged; choose another file or database with --db or AUDIT_DB_URL",
    },
    "no_folder": {
        "vi": "không tạo được thư mục của cơ sở dữ liệu {db} ({error}): chọn thư mục ghi "
        "được bằng --db",
        "en": "cannot create the folder of the database {db} ({error}): choose a writable "
        "folder with --db",
    },
    "upgrade_refused": {
        "vi": "không nâng cấp được cơ sở dữ liệu {db}",
        "en": "cannot upgrade the database {db}",
    },
}


def default_db_url() -> str:
    """``$AUDIT_DB_URL``, else the SQLite file ``data/audit.db`` under the project root."""
    return os.environ.get("AUDIT_DB_URL") or f"sqlite:///{home() / 'data' / 'audit.db'}"


def create_engine(url: str | sa.URL) -> sa.Engine:
    """An engine for ``url``; for SQLite: WAL, busy timeout, foreign keys, BEGIN IMMEDIATE writes.

    A connection run with ``execution_options(readonly=True)`` starts a plain
    (deferred) ``BEGIN`` instead, so concurrent readers do not queue for the write lock.
    """
    url = sa.make_url(url)
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    path = sqlite_path(url)
    if path is not None:
        try:
            path.resolve().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            message = both(MESSAGES, "no_folder", db=path, error=exc.strerror or exc)
            raise StoreError(message) from exc
    engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        _write_ahead_log(cursor)
        for pragma in ("busy_timeout=60000", "synchronous=NORMAL", "foreign_keys=ON"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        readonly = conn.get_execution_options().get("readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


def _write_ahead_log(cursor) -> None:
    """WAL mode for the workbench's database, or an empty one; never for another program's
    database, which is refused unchanged (:func:`open_store`)."""
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    tables = {name for (name,) in cursor.execute("SELECT name FROM sqlite_master")}
    if not tables or "alembic_version" in tables:
        cursor.execute("PRAGMA journal_mode=WAL")


def missing_sqlite_file(url: str | sa.URL) -> Path | None:
    """The file of a SQLite ``url`` when it does not exist yet, else None; nothing is created."""
    path = sqlite_path(url)
    return None if path is None or path.exists() else path


def open_store(
    url: str | None = None, upgrade: bool = False, evidence_dir: str | os.PathLike | None = None
) -> Store:
    """The store at ``url`` (default :func:`default_db_url`), checked to be at the newest schema.

    ``upgrade=True`` creates or upgrades the schema first (``audit db upgrade``);
    otherwise an empty or outdated database raises :class:`SchemaOutdatedError`,
    and a SQLite file that does not exist :class:`DatabaseMissingError` (and is
    not created).
    """
    url = url or default_db_url()
    with explained(url):  # not a URL
        url = sa.make_url(url)
    if not upgrade and missing_sqlite_file(url):
        raise DatabaseMissingError(db_urls.masked(url), migrations.head_revision())
    engine = create_engine(url)
    shown = db_urls.masked(engine.url)
    try:
        with explained(engine.url):  # no server, not a database, read-only, disk full, ...
            current = _opened(engine, upgrade)
        head = migrations.head_revision()
        if current != head:
            raise SchemaOutdatedError(shown, current, head)
    except BaseException:
        engine.dispose()
        raise
    files = EvidenceFiles(evidence_dir or default_evidence_dir(engine.url, home()))
    return Store(engine, files)


def _opened(engine: sa.Engine, upgrade: bool) -> str | None:
    """The database's revision, after upgrading it when asked. A database that holds
    another program's tables, or is newer than this software, is refused unchanged."""
    head, db = migrations.head_revision(), database_name(engine.url)
    with engine.connect().execution_options(readonly=True) as conn, conn.begin():
        current = migrations.current_revision(conn)
        tables = sorted(set(sa.inspect(conn).get_table_names()) - {"alembic_version"})
    if current is None and tables:
        listed = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        raise StoreError(both(MESSAGES, "foreign", db=db, tables=listed))
    if current is not None and current not in {s.revision for s in migrations.scripts()}:
        url = db_urls.masked(engine.url)
        raise StoreError(both(MESSAGES, "newer", url=url, current=current, head=head))
    if not upgrade or (current == head and not _unsealed(engine)):
        return current
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(453)")
        try:
            if current != head:
                migrations.upgrade(conn)
        except CommandError as exc:  # 0003: rows beyond its limits, listed
            raise StoreError(f"{both(MESSAGES, 'upgrade_refused', db=db)}: {exc}") from exc
        # 0004: the results of records final before it, stored once (also when the
        # schema was brought to 0004 by other means); a cheap query when there are none
        seal_migrated(conn)
        return migrations.current_revision(conn)


def _unsealed(engine: sa.Engine) -> bool:
    """Whether a visit final before 0004 still waits for its results to be stored."""
    v = schema.visits
    with engine.connect().execution_options(readonly=True) as conn, conn.begin():
        stmt = sa.select(v.c.visit_pk).where(v.c.status == "final", v.c.verdict.is_(None))
        return conn.execute(stmt.limit(1)).first() is not None


def _select(table: sa.Table, columns: list[str] | None, *needed: str) -> sa.Select:
    """``SELECT`` of ``columns`` (and ``needed``) of ``table``, in the table's order; all when None.

    Reading only what is used matters: the text columns of findings and actions
    cost most of the time of reading them.
    """
    if columns is None:
        return sa.select(table)
    wanted = {*columns, *needed}
    return sa.select(*(c for c in table.c if c.name in wanted))


def _timeless(stmt: sa.Select) -> tuple[sa.Select, list[str]]:
    """``stmt`` reading date and time columns as raw values, and their names.

    pandas parses a whole column at once far faster than SQLAlchemy parses
    SQLite's date strings one by one.
    """
    columns, names = [], []
    for column in stmt.selected_columns:
        if isinstance(column.type, sa.Date | sa.DateTime):
            columns.append(sa.type_coerce(column, sa.String).label(column.name))
            names.append(column.name)
        else:
            columns.append(column)
    return stmt.with_only_columns(*columns), names


class Store(InspectionLog, VisitLog):
    """Reading frames and writing records; see the module docstring."""

    def __init__(self, engine: sa.Engine, evidence_files: EvidenceFiles):
        self.engine = engine
        self.url = db_urls.masked(engine.url)
        self.evidence_files = evidence_files

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def close(self) -> None:
        """Close the pooled connections (the store can still be used: it reconnects)."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self):
        """One write transaction (SQLite: ``BEGIN IMMEDIATE``): commits, or rolls back on error."""
        with explained(self.engine.url), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def reading(self):
        """One read-only transaction: a consistent snapshot that takes no write lock."""
        options = {"readonly": True}
        if self.engine.dialect.name == "postgresql":
            options["isolation_level"] = "REPEATABLE READ"  # one snapshot for several queries
        with (
            explained(self.engine.url),
            self.engine.connect().execution_options(**options) as conn,
            conn.begin(),
        ):
            yield conn

    def _frame(self, stmt: sa.Select, conn: sa.Connection | None = None) -> pd.DataFrame:
        """The rows of ``stmt``; date and time columns as ``datetime64``."""
        if conn is None:
            with self.reading() as conn:
                return self._frame(stmt, conn)
        stmt, dates = _timeless(stmt)
        flags = [c.name for c in stmt.selected_columns if isinstance(c.type, sa.Boolean)]
        result = conn.execute(stmt)
        keys = list(result.keys())
        try:  # the driver's own rows: SQLAlchemy's Row objects cost most of a large read
            rows = result.cursor.fetchall()
        finally:
            result.close()
        frame = pd.DataFrame.from_records(rows, columns=keys, coerce_float=False)
        for name in dates:
            frame[name] = pd.to_datetime(frame[name], format="ISO8601")
        for name in flags:  # SQLite's 0 and 1, as SQLAlchemy would give them
            known = frame[name].notna()
            values = frame[name].astype(object).where(known, None)
            values[known] = values[known].astype(bool)
            frame[name] = values.astype(bool) if known.all() else values
        return frame

    # ---- reading --------------------------------------------------------------

    def units(self) -> pd.DataFrame:
        t = schema.units
        return self._frame(sa.select(t).order_by(t.c.unit_code))

    def crosswalk(self) -> pd.DataFrame:
        t = schema.crosswalk
        stmt = sa.select(t).order_by(t.c.old_code, t.c.new_code, t.c.effective_on)
        return self._frame(stmt)

    def establishments(self) -> pd.DataFrame:
        t = schema.establishments
        cols = [
            c for c in t.c if c.name not in ("created_by", "created_at", "updated_by", "updated_at")
        ]
        stmt = sa.select(*cols).order_by(t.c.establishment_id)
        return self._frame(stmt)

    def find_establishments(self, text: str = "", limit: int | None = None) -> pd.DataFrame:
        """Establishments whose name, code, commune or commune alias contains ``text``, by name.

        Case, accents and extra spaces are ignored (``"dat hiem"`` finds "Đất hiếm");
        the frame is :meth:`establishments` plus ``commune``, the unit's name;
        at most ``limit`` rows when given.
        """
        found = self.establishments()
        units = self.units()
        names = dict(zip(units["unit_code"], units["name_vi"], strict=True))
        aliases = dict(zip(units["unit_code"], units["aliases"].fillna(""), strict=True))
        found = found.assign(commune=found["unit_code"].map(names).fillna(""))
        needle = fold(text)
        if needle:
            haystack = (
                found["name"].astype(str)
                + " | "
                + found["code"].astype(str)
                + " | "
                + found["commune"]
                + " | "
                + found["unit_code"].map(aliases).fillna("").astype(str)
            ).map(fold)
            found = found[haystack.str.contains(needle, regex=False)]
        found = found.sort_values("name")
        return (found if limit is None else found.head(limit)).reset_index(drop=True)

    def inspections(
        self,
        status: str | None = "final",
        current_only: bool = True,
        year: int | None = None,
        since=None,
        ids=None,
        columns: list[str] | None = None,
    ) -> pd.DataFrame:
        """Inspections (the visits' sheets); with ``current_only`` the newest revision per
        chain among ``status``; only ``columns`` (and ``inspection_id``) when given."""
        t = schema.inspections
        hidden = ("inspection_pk", "chain_id", "answers_packed")
        cols = [c for c in t.c if c.name not in hidden]
        if columns is not None:
            cols = [c for c in [*cols, t.c.chain_id] if c.name in {*columns, "inspection_id"}]
            stmt = sa.select(*cols)
        else:
            stmt = sa.select(*cols, t.c.chain_id)
        stmt = of_status(stmt, t, status, current_only)
        if year is not None:
            stmt = stmt.where(t.c.inspected_on.between(date(year, 1, 1), date(year, 12, 31)))
        if since is not None:
            stmt = stmt.where(t.c.inspected_on >= pd.Timestamp(since).date())
        wanted = None if ids is None else [str(i) for i in ids]
        if wanted is not None and len(wanted) <= 500:
            stmt = stmt.where(t.c.inspection_id.in_(wanted))
        frame = self._frame(stmt.order_by(t.c.inspection_pk))
        if wanted is not None and len(wanted) > 500:
            frame = frame[frame["inspection_id"].isin(wanted)].reset_index(drop=True)
        return frame

    def responses(self, inspection_ids=None, item_ids=None) -> pd.DataFrame:
        """Answers, long: ``inspection_id, item_id, answer, value, note`` (categoricals);
        of ``inspection_ids`` and ``item_ids`` when given."""
        with self.reading() as conn:
            return answers.read(conn, inspection_ids, item_ids)

    def findings(self, inspection_ids=None, columns: list[str] | None = None) -> pd.DataFrame:
        """Findings (of ``inspection_ids`` when given); only ``columns`` when given."""
        t = schema.findings
        stmt = _select(t, columns, "inspection_id").order_by(t.c.inspection_id, t.c.item_id)
        frame = self._frame(stmt)
        if inspection_ids is not None:
            frame = frame[frame["inspection_id"].isin([str(i) for i in inspection_ids])]
        return frame.reset_index(drop=True)

    def actions(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Corrective actions; only ``columns`` when given."""
        t = schema.actions
        return self._frame(_select(t, columns).order_by(t.c.action_id))

    def evidence(self, inspection_id: str) -> pd.DataFrame:
        """Evidence rows of one inspection; ``path`` is where each file is."""
        t = schema.evidence
        stmt = sa.select(t).where(t.c.inspection_id == str(inspection_id)).order_by(t.c.evidence_id)
        frame = self._frame(stmt)
        frame["path"] = [str(self.evidence_files.path(s)) for s in frame["sha256"]]
        return frame

    def register(self, kind: str, columns: list[str] | None = None) -> pd.DataFrame:
        """A register table as a frame (only ``columns`` when given); text key columns
        stored as ``""`` come back missing."""
        table = _register_table(kind)
        frame = self._frame(_select(table, columns).order_by(*table.primary_key.columns))
        for name in schema.REGISTER_KEYS[kind]:
            if name in frame and isinstance(table.c[name].type, sa.String):
                frame[name] = frame[name].astype(object).where(frame[name] != "", None)
        return frame

    def counts(self) -> dict[str, int]:
        """Rows in every table, for ``audit db current``."""
        with self.reading() as conn:
            return {
                name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for name, table in schema.metadata.tables.items()
            }

    # ---- establishments ------------------------------------------------------------

    def check_establishment(
        self, attrs: Mapping[str, object], lang: str | None = None
    ) -> tuple[dict, list[Problem]]:
        """The row ``attrs`` would be stored as, and every problem with it; nothing is written.

        The rules are :func:`~audit_lib.store._establishments.check_establishments`'s,
        with the store's units and taken codes; messages in ``lang`` (default: both).
        """
        with self.reading() as conn:
            return _check_establishment(conn, attrs, lang)

    def add_establishment(self, by: str | None = None, **attrs) -> int:
        """Add one establishment and return its ``establishment_id``.

        Checked as :meth:`check_establishment` checks, in the same transaction:
        any problem raises :class:`InputError` listing them all, and nothing is written.
        """
        t = schema.establishments
        with self.transaction() as conn:
            row, problems = _check_establishment(conn, attrs, None)
            raise_if_problems(InputError, problems)
            now = _now()
            row.update(created_by=by, created_at=now, updated_by=by, updated_at=now)
            return conn.execute(
                t.insert().values(**row).returning(t.c.establishment_id)
            ).scalar_one()


def _check_establishment(conn: sa.Connection, attrs: Mapping, lang: str | None):
    """:func:`check_establishment` of ``attrs`` against the unit and code they name."""
    e, u = schema.establishments, schema.units
    code, unit = (
        "" if is_blank(v) or control_character(tidy(v), None) else tidy(v)  # NUL: no query
        for v in map(attrs.get, ("code", "unit_code"))
    )
    units = conn.execute(sa.select(u.c.unit_code).where(u.c.unit_code == unit)).scalars().all()
    taken = dict(conn.execute(sa.select(e.c.code, e.c.name).where(e.c.code == code)).all())
    return check_establishment(attrs, units, taken, lang)


def _register_table(kind: str) -> sa.Table:
    if kind not in schema.REGISTER_TABLES:
        raise NotFoundError("register", kind)
    return schema.REGISTER_TABLES[kind]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
