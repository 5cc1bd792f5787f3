"""SQLite and PostgreSQL accept and refuse the same data; a database failure is a message.

Issue 12, attack 6. Before: a 20-digit victim count was a traceback; 3e9
victims, a 203-character id and a NUL byte were stored by SQLite and a raw
``DataError`` on PostgreSQL; two imports of the same new keys at once ended in a
raw ``UniqueViolation`` on PostgreSQL; a read-only database, a file that is not
one, another program's database and a full disk ended in tracebacks.

The faults are made for real, as root (the tests run as root, whom a 0444
file does not stop):

- read-only: the database file is made immutable with ``chattr +i``, which
  stops root too (where that is not allowed, ``chmod 0444`` for a user it does
  stop), and, apart, opened read-only through SQLite's URI form
  ``sqlite:///file:PATH?mode=ro&uri=true``;
- a full disk: ``PRAGMA max_page_count`` set to the database's size on every
  new connection, so SQLite itself fails with SQLITE_FULL, "database or disk
  is full";
- busy: another connection holds SQLite's write lock, and the store waits
  0.1 s instead of a minute;
- two imports at once on PostgreSQL: a third connection holds a SHARE ROW
  EXCLUSIVE lock on the table, so both imports read it, find their keys new
  and queue at their INSERT; the lock is released once both wait there.
"""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_lib.cli import main
from audit_lib.cli.common import friendly_errors
from audit_lib.core.errors import InputError, RegisterImportError, StoreError
from audit_lib.registers import REGISTERS, import_register, write_rows
from audit_lib.store import create_engine, migrations, open_store, schema
from tests.conftest import ROOT, fresh_pg_database, pg_server_or_skip
from tests.factories import SHEET, sheet

UNITS = ROOT / "data" / "units" / "units.csv"
AUDIT = [sys.executable, "-c", "from audit_lib.cli import main; main()"]
HEADER = ["accident_id", "occurred_on", "establishment_code", "unit_code", "labour_relations",
          "victims", "deaths", "serious_injuries"]  # fmt: skip
EN_VI = ("nothing was written", "chưa ghi gì")


def accident(accident_id="TN-1", victims="1", **more) -> dict:
    """One accident row as written in a file, valid unless told otherwise."""
    row = {"accident_id": accident_id, "occurred_on": "2024-05-14", "establishment_code": "",
           "unit_code": "PT-NX", "labour_relations": "Có", "victims": victims, "deaths": "0",
           "serious_injuries": "0"}  # fmt: skip
    return {**row, **more}


def typed_accident(accident_id="TN-1", victims=1) -> pd.DataFrame:
    """One accident row as :func:`write_rows` takes it (typed, every column), unchecked."""
    row = {"accident_id": accident_id, "occurred_on": pd.Timestamp("2024-05-14"),
           "unit_code": "PT-NX", "labour_relations": True, "victims": victims, "deaths": 0,
           "serious_injuries": 0}  # fmt: skip
    return pd.DataFrame([row]).reindex(columns=[c.name for c in REGISTERS["accidents"].columns])


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def dump(store) -> dict[str, list]:
    """Every row of every table, in a stable order: what "unchanged" compares."""
    with store.reading() as conn:
        return {
            name: sorted(map(repr, conn.execute(sa.select(table)).all()))
            for name, table in schema.metadata.tables.items()
        }


def registered(store) -> list[tuple]:
    """The accident register as plain values, in an order both databases agree on."""
    frame = store.register("accidents").drop(columns=["imported_at"])
    frame = frame.astype(object).where(frame.notna(), None)
    return sorted(map(tuple, frame.to_numpy().tolist()), key=repr)


def cli(*args: str):
    """``audit ARGS`` in this process; stdout and stderr apart."""
    return CliRunner().invoke(main, list(args))


def says(text: str, *phrases: str) -> bool:
    """No traceback, and every phrase (in English and in Vietnamese) is there."""
    return "Traceback" not in text and all(p in text for p in phrases)


@pytest.fixture
def backends(sqlite_store, request):
    """The stores that must agree, with the shipped units: SQLite, and PostgreSQL when
    AUDIT_TEST_PG_URL is set (a clone of the session's migrated template)."""
    stores = {"sqlite": sqlite_store}
    drop = None
    if os.environ.get("AUDIT_TEST_PG_URL"):
        template = request.getfixturevalue("pg_template_db")
        url, drop = fresh_pg_database(pg_server_or_skip(), template=template)
        stores["postgresql"] = open_store(url)
    for store in stores.values():
        import_register(store, "units", UNITS)
    yield stores
    if drop is not None:
        stores["postgresql"].close()
        drop()


@pytest.fixture
def units_store(store):
    """The ``store`` fixture (SQLite, and PostgreSQL when enabled) with the shipped units."""
    import_register(store, "units", UNITS)
    return store


# ---- the import path, fuzzed on both databases --------------------------------------

ODD = ["\x00", "A\x00B", "A\tB", "a\nb", "a\r\nb", "\x1b[31m", "\x7f", "\u200b", "\ufeff",
       "e\u0301", "Ǆ", "ﬁ", "𝔘𝔫𝔦", "🙂", "\u202e", "Nậm Xe", "ß", "İ"]  # fmt: skip
TEXT = st.one_of(
    st.sampled_from(["TN-1", "TN-2", "TN-3"]),
    st.sampled_from(ODD),
    st.text(max_size=12),
    st.text(min_size=55, max_size=70),  # about the 60 characters of an accident id
    st.text(min_size=190, max_size=310),
)
NUMBER = st.one_of(
    st.integers(-2, 12).map(str),
    st.integers(-(2**70), 2**70).map(str),
    st.floats().map(repr),
    st.sampled_from(
        [
            "3e9",
            "3000000000",
            "12345678901234567890",
            "1e400",
            "-0",
            "1.234",
            "2,5",
            "10000",
            "10001",
            "1e4",
            "NaN",
            "inf",
            "٣",
            "１",
        ]
    ),  # fmt: skip
)
ROW = st.fixed_dictionaries(
    {
        "accident_id": TEXT,
        "unit_code": st.one_of(st.just("PT-NX"), TEXT),
        "establishment_code": st.one_of(st.just(""), TEXT),
        "victims": st.one_of(st.just("2"), NUMBER),
        "deaths": st.one_of(st.just("0"), NUMBER),
        "serious_injuries": st.one_of(st.just("1"), NUMBER),
    }
)


def outcome(store, path: Path) -> tuple:
    """What importing ``path`` did: the rows accepted, or where and why it was refused.

    Anything but a RegisterImportError escapes, and fails the test.
    """
    try:
        result = import_register(store, "accidents", path, "en")
    except RegisterImportError as exc:
        for p in exc.problems:  # a row, and its field unless the reader refused the line
            assert p.location.startswith("row ") and (p.field or p.reason == "syntax"), p
        return "refused", sorted((p.location, p.field, str(p.reason)) for p in exc.problems)
    return "accepted", result.counts, registered(store)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, min_size=1, max_size=4))
def test_both_databases_accept_or_refuse_every_file_alike_and_never_raise_raw(
    backends, tmp_path_factory, rows
):
    path = write_csv(tmp_path_factory.mktemp("fuzz") / "tai_nan.csv", [accident(**r) for r in rows])
    found = {name: outcome(store, path) for name, store in backends.items()}
    assert len({repr(o) for o in found.values()}) == 1, found


# ---- the attacks, one by one, through the command line ------------------------------

ATTACKS = {
    "a 20-digit victim count": (accident(victims="12345678901234567890"),
                                "dòng 3: victims: không được lớn hơn 10000"),
    "3e9 victims": (accident(victims="3e9"), "dòng 3: victims: không được lớn hơn 10000"),
    "a 203-character id": (accident("A" * 203), "dòng 3: accident_id: dài quá 60 ký tự"),
    "an escape character": (accident("TN\x1b[2J-1"),
                            "dòng 3: accident_id: có ký tự điều khiển không in được"),
    "a NUL byte": (accident("TN\x00-1"), "dòng 3: dòng có ký tự NUL"),
}  # fmt: skip


@pytest.mark.parametrize("row, message", ATTACKS.values(), ids=ATTACKS.keys())
def test_hostile_rows_are_refused_naming_the_row_and_nothing_is_written(
    units_store, db_url, tmp_path, row, message
):
    path = write_csv(tmp_path / "tai_nan.csv", [accident("TN-0"), row])
    before = dump(units_store)
    result = cli("import", "accidents", str(path), "--db", db_url)
    assert result.exit_code == 1
    assert says(result.stderr, f"{path}: {message}", "chưa ghi gì")
    assert dump(units_store) == before


@pytest.mark.parametrize("victims", [3_000_000_000, 10_001, 0])
def test_the_database_itself_refuses_a_count_out_of_range_on_both(units_store, victims):
    """What skips the checks (``write_rows`` of a frame) meets the same CHECK constraint."""
    frame = typed_accident(victims=victims)
    with pytest.raises(StoreError, match="refused a value") as caught:
        write_rows(units_store, "accidents", frame)
    assert "từ chối một giá trị" in str(caught.value)
    assert units_store.register("accidents").empty


@pytest.mark.parametrize("accident_id", ["TN\x00-1", "TN\x1b-1", "A" * 61])
def test_written_rows_with_text_the_table_cannot_hold_are_refused_by_row(store, accident_id):
    frame = typed_accident(accident_id)
    with pytest.raises(RegisterImportError) as caught:
        write_rows(store, "accidents", frame, source="notebook")
    [problem] = caught.value.problems
    assert (problem.file, problem.location, problem.field) == ("notebook", "row 1", "accident_id")
    assert store.register("accidents").empty


# ---- the store's own writes --------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + bytes(17)


def _draft(store) -> str:
    """The sheet of a new draft visit of a new mine."""
    eid = store.add_establishment(
        code="6200000001", name="Mỏ Nậm Xe", kind="enterprise", sector="mining",
        unit_code="PT-NX", workforce=30,
    )  # fmt: skip
    return sheet(store, establishment_id=eid, team=["Lò Văn A"], by="a")


def test_every_write_of_the_store_refuses_unstorable_values_alike_before_writing(units_store):
    store = units_store
    iid = _draft(store)
    before = dump(store)
    refused = {
        "a NUL in a name": lambda: store.add_establishment(
            code="6200000002", name="Mỏ\x00 Sì Lở Lầu", kind="enterprise", sector="mining",
            unit_code="PT-NX", workforce=3,
        ),
        "3e9 workers": lambda: store.add_establishment(
            code="6200000002", name="Mỏ Sì Lở Lầu", kind="enterprise", sector="mining",
            unit_code="PT-NX", workforce=3e9,
        ),
        "a 301-character name": lambda: store.add_establishment(
            code="6200000002", name="M" * 301, kind="enterprise", sector="mining",
            unit_code="PT-NX", workforce=3,
        ),
        "an inspector with a NUL": lambda: store.create_visit(
            1, "2025-05-13", "periodic", ["Lò\x00 Văn A"], [SHEET]
        ),
        "a 201-character user": lambda: store.create_visit(
            1, "2025-05-13", "periodic", ["A"], [SHEET], by="b" * 201
        ),
        "a place with an escape": lambda: store.create_visit(
            1, "2025-05-13", "periodic", ["A"], [SHEET], place="\x1b[2J"
        ),
        "a reason with a NUL": lambda: store.revise_visit("x", "sửa\x00", by="a"),
        "a closing note with a NUL": lambda: store.close_action(1, "2025-05-13", note="\x00"),
        "a check note with a NUL": lambda: store.check_action("x", 1, True, note="\x00"),
        "a note with a NUL": lambda: store.save_answer(iid, "G.1", "na", note="đo\x00 lại"),
        "an infinite value": lambda: store.save_answer(iid, "G.1", value="inf"),
        "an 81-character item": lambda: store.save_answer(iid, "G" * 81, "na"),
        "a file name with an escape": lambda: store.add_evidence(iid, "G.1", "\x1b[2J.png", PNG),
        "a 301-character file name": lambda: store.add_evidence(iid, "G.1", "a" * 301, PNG),
        "a date that is none": lambda: store.close_action(1, "31/02/2025"),
        "an inspection id with a NUL": lambda: store.save_answer("x\x00", "G.1", "na"),
    }  # fmt: skip
    raised = {}
    for name, write in refused.items():
        with pytest.raises((InputError, LookupError)) as caught:
            write()
        raised[name] = type(caught.value).__name__
    assert raised["an inspection id with a NUL"] == "NotFoundError"
    assert dump(store) == before
    store.save_answer(iid, "G.1", "noncompliant", note="dòng 1\n\tdòng 2", value="1e15", by="a")
    assert store.responses()["note"].tolist() == ["dòng 1\n\tdòng 2"]


def test_checking_an_establishment_with_a_nul_asks_the_database_nothing(units_store):
    row, problems = units_store.check_establishment(
        {"code": "62\x0000000001", "name": "Mỏ", "unit_code": "PT\x00NX"}, lang="en"
    )
    control = {p.field for p in problems if "unprintable control character" in p.message}
    assert control == {"code", "unit_code"}


# ---- the limits in the schema and its migration ---------------------------------------


def test_the_migrated_schema_has_every_check_constraint_of_the_live_one(store, db_url):
    engine = create_engine(db_url)
    try:
        inspector = sa.inspect(engine)
        found = {
            (t, c["name"])
            for t in schema.metadata.tables
            for c in inspector.get_check_constraints(t)
        }
    finally:
        engine.dispose()
    live = {
        (t.name, c.name)
        for t in schema.metadata.tables.values()
        for c in t.constraints
        if isinstance(c, sa.CheckConstraint)
    }
    assert found == live
    assert ("accidents", "ck_accidents_victims_range") in live
    assert ("accidents", "ck_accidents_accident_id_length") in live


def test_register_bounds_are_the_ranges_the_database_checks():
    for kind, spec in REGISTERS.items():
        ranges = schema.RANGES.get(kind, {})
        for column in spec.columns:
            if column.type == "int" and column.name in schema.metadata.tables[kind].c:
                assert (column.minimum, column.maximum) == ranges[column.name], (kind, column)


def test_upgrading_a_database_holding_rows_beyond_the_limits_names_them_and_changes_nothing(
    db_url,
):
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            migrations.upgrade(conn, "0002")
            conn.execute(
                sa.text(
                    "INSERT INTO accidents (accident_id, occurred_on, victims)"
                    " VALUES ('TN-0', '2024-05-14', 0), ('TN-1', '2024-05-14', 1)"
                )
            )
    finally:
        engine.dispose()
    with pytest.raises(StoreError) as caught:
        open_store(db_url, upgrade=True)
    message = str(caught.value)
    assert "cannot upgrade the database" in message and "ck_accidents_victims_range: 1" in message
    assert "nothing was changed" in message and "chưa thay đổi gì" in message
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            assert migrations.current_revision(conn) == "0002"
            assert conn.execute(sa.text("SELECT count(*) FROM accidents")).scalar_one() == 2
            conn.execute(sa.text("UPDATE accidents SET victims = 1"))
            conn.commit()
    finally:
        engine.dispose()
    open_store(db_url, upgrade=True).close()


# ---- database faults, through the command line ---------------------------------------


def _sqlite_file(store) -> Path:
    path = Path(store.engine.url.database)
    store.close()  # the last connection folds the write-ahead log into the file
    return path


def _made_read_only(path: Path, request) -> str:
    """Make ``path`` read-only for this process, even as root; how it was done."""
    path.chmod(0o444)
    request.addfinalizer(lambda: path.chmod(0o644))
    if not os.access(path, os.W_OK):
        return "chmod 0444"
    if shutil.which("chattr") and subprocess.run(["chattr", "+i", str(path)]).returncode == 0:
        request.addfinalizer(lambda: subprocess.run(["chattr", "-i", str(path)], check=True))
        return "chattr +i"
    pytest.skip("running as root where chattr +i is not allowed: nothing makes a file read-only")


def _accidents(tmp_path: Path, n: int = 20) -> Path:
    return write_csv(tmp_path / "tai_nan.csv", [accident(f"TN-{i}") for i in range(n)])


def test_importing_into_a_read_only_file_says_so_naming_the_file(sqlite_store, tmp_path, request):
    import_register(sqlite_store, "units", UNITS)
    path = _sqlite_file(sqlite_store)
    before = path.read_bytes()
    _made_read_only(path, request)
    result = cli("import", "accidents", str(_accidents(tmp_path)), "--db", f"sqlite:///{path}")
    assert result.exit_code == 2
    assert says(result.stderr, f"the database {path} cannot be written", "read-only",
                     f"không ghi được vào cơ sở dữ liệu {path}", *EN_VI)  # fmt: skip
    assert path.read_bytes() == before


def test_importing_through_a_read_only_uri_says_so(sqlite_store, tmp_path):
    import_register(sqlite_store, "units", UNITS)
    path = _sqlite_file(sqlite_store)
    before = path.read_bytes()
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    result = cli("import", "accidents", str(_accidents(tmp_path)), "--db", url)
    assert result.exit_code == 2
    assert says(result.stderr, f"the database {path} cannot be written", *EN_VI)
    assert path.read_bytes() == before
    assert not Path("file:").exists()  # the URI was not taken for a folder to create


@pytest.mark.parametrize("command", [["db", "upgrade"], ["db", "current"], ["import", "units"]])
def test_a_text_file_renamed_db_is_not_taken_for_a_database(tmp_path, command):
    path = tmp_path / "audit.db"
    path.write_text("Tên cơ sở,Số lao động\nMỏ Nậm Xe,30\n" * 50, encoding="utf-8")
    before = path.read_bytes()
    args = [*command, *([str(UNITS)] if command[0] == "import" else [])]
    result = cli(*args, "--db", f"sqlite:///{path}")
    assert result.exit_code == 2
    assert says(result.stderr, f"{path} is not a SQLite database, or it is damaged",
                     f"{path} không phải là cơ sở dữ liệu SQLite")  # fmt: skip
    assert path.read_bytes() == before


def test_another_programs_sqlite_database_is_left_alone(tmp_path):
    path = tmp_path / "photos.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE albums (id INTEGER PRIMARY KEY, title TEXT)")
    before = path.read_bytes()
    for command in (["db", "upgrade"], ["import", "units", str(UNITS)]):
        result = cli(*command, "--db", f"sqlite:///{path}")
        assert result.exit_code == 2
        assert says(result.stderr, f"{path} holds another program's data (tables: albums)",
                         f"{path} chứa dữ liệu của chương trình khác")  # fmt: skip
    assert path.read_bytes() == before


@pytest.fixture
def full_disk():
    """Every SQLite database opened from now on cannot grow: its disk is full."""

    def no_room(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    sa.event.listen(sa.Engine, "connect", no_room)
    yield
    sa.event.remove(sa.Engine, "connect", no_room)


def test_an_import_on_a_full_disk_says_so_and_writes_nothing(sqlite_store, tmp_path, request):
    import_register(sqlite_store, "units", UNITS)
    path = _sqlite_file(sqlite_store)
    before = dump(sqlite_store)
    request.getfixturevalue("full_disk")
    result = cli(
        "import", "accidents", str(_accidents(tmp_path, 3000)), "--db", f"sqlite:///{path}"
    )
    assert result.exit_code == 2
    assert says(result.stderr, f"the disk holding the database {path} is full",
                     f"ổ đĩa chứa cơ sở dữ liệu {path} đã đầy", *EN_VI)  # fmt: skip
    with open_store(f"sqlite:///{path}") as again:
        assert dump(again) == before


def test_a_busy_database_says_so_once_the_wait_is_over(sqlite_store):
    import_register(sqlite_store, "units", UNITS)
    holder = sqlite3.connect(sqlite_store.engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        sa.event.listen(
            sqlite_store.engine, "connect", lambda c, _r: c.execute("PRAGMA busy_timeout = 100")
        )
        sqlite_store.close()
        with pytest.raises(StoreError, match="is busy") as caught:
            _draft(sqlite_store)
        assert "đang bận" in str(caught.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_database_url_that_is_none_says_how_to_write_one(tmp_path):
    result = cli("import", "units", str(UNITS), "--db", "audit.db")
    assert result.exit_code == 2
    assert says(result.stderr, "audit.db is not a database URL", "sqlite:///")


def test_the_last_line_of_defence_says_a_bug_is_one_in_both_languages(capsys):
    @friendly_errors
    def broken():
        raise KeyError("items")

    with pytest.raises(SystemExit) as caught:
        broken()
    assert caught.value.code == 3
    err = capsys.readouterr().err
    assert says(err, "unexpected error (KeyError: 'items')", "lỗi ngoài dự kiến")


def test_a_file_that_cannot_be_read_is_named_by_the_last_line_of_defence(tmp_path, capsys):
    @friendly_errors
    def reads():
        (tmp_path / "nowhere" / "x.csv").read_text()

    with pytest.raises(SystemExit) as caught:
        reads()
    assert caught.value.code == 2
    assert says(capsys.readouterr().err, f"cannot read or write {tmp_path}/nowhere/x.csv")


# ---- two imports of the same new keys at once (PostgreSQL) -----------------------------


def _waiting_on(admin: sa.Connection, table: str) -> int:
    """Backends waiting for a lock on ``table``."""
    return admin.execute(
        sa.text(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = CAST(:t AS regclass)"
        ),
        {"t": table},
    ).scalar_one()


@pytest.fixture
def pg_units(request):
    """A PostgreSQL store at the newest schema with the shipped units, and its URL."""
    template = request.getfixturevalue("pg_template_db")
    db_url, drop = fresh_pg_database(pg_server_or_skip(), template=template)
    store = open_store(db_url)
    import_register(store, "units", UNITS)
    yield store, db_url
    store.close()
    drop()


@pytest.mark.postgres
def test_two_imports_of_the_same_new_keys_at_once_end_cleanly_without_duplicates(
    pg_units, tmp_path
):
    """SQLite lets one writer in at a time, so there the second import finds the rows."""
    units_store, db_url = pg_units
    path = _accidents(tmp_path, 50)
    blocker = create_engine(db_url)
    try:
        with blocker.connect() as hold, blocker.connect() as admin:
            hold.execute(sa.text("LOCK TABLE accidents IN SHARE ROW EXCLUSIVE MODE"))
            runs = [
                subprocess.Popen(
                    [*AUDIT, "import", "accidents", str(path), "--db", db_url, "--lang", "en"],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )  # fmt: skip
                for _ in range(2)
            ]
            deadline = time.monotonic() + 60
            while _waiting_on(admin, "accidents") < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _waiting_on(admin, "accidents") == 2, "both imports should wait at their INSERT"
            hold.rollback()  # both go on: one inserts, the other meets its keys
            done = [(run.wait(120), *run.communicate()) for run in runs]
    finally:
        blocker.dispose()
    codes = sorted(code for code, _, _ in done)
    assert codes == [0, 2], done  # the second met the keys the first had just added
    for code, _, err in done:
        assert "Traceback" not in err and "UniqueViolation" not in err
        if code == 2:
            assert says(err, "another import or user added the same rows (accidents)",
                             "một lần nhập hoặc người dùng khác", "run the import")  # fmt: skip
    ids = units_store.register("accidents")["accident_id"]
    assert sorted(ids) == sorted(f"TN-{i}" for i in range(50))
    again = cli("import", "accidents", str(path), "--db", db_url, "--lang", "en")
    assert again.exit_code == 0 and "0 inserted, 0 updated, 50 unchanged" in again.stdout
