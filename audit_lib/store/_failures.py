"""Database failures as messages people can act on, naming the database.

Usage::

    from audit_lib.store._failures import explained
    with explained(engine.url), engine.begin() as conn:
        conn.execute(...)
    # a read-only file raises StoreError: "the database /data/audit.db cannot be
    # written: the file, its folder or the disk is read-only. ... (cơ sở dữ liệu ...)"

Every connection and transaction of the store runs inside :func:`explained`,
so a driver's error never reaches people raw. Each is told by its code
(SQLite's result code, PostgreSQL's SQLSTATE), not by its wording:

- busy (SQLite locked past the busy timeout, a PostgreSQL lock or
  serialization failure): try again in a moment;
- read-only (the file, its folder or the medium; a read-only server);
- full (the disk), disk I/O error, cannot open the file;
- not a database (a text file or a damaged database renamed ``.db``);
- the same rows added by another import or user at the same time (a unique
  key violated: two imports of the same new keys on PostgreSQL);
- a change to a finalized record, which the database's triggers refuse;
- a value the database refuses (a CHECK constraint, too long, out of range,
  a NUL byte), which the checks before writing make rare;
- no connection (the server is down, the database does not exist, a login refused).

The transaction has been rolled back by then: nothing was written. A URL, and
any URL in the driver's words, is shown with its password masked.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from audit_lib.core import db_urls
from audit_lib.core.errors import StoreError
from audit_lib.core.i18n import both

MESSAGES = {
    "busy": {
        "vi": "cơ sở dữ liệu {db} đang bận (một chương trình khác đang ghi); chưa ghi gì: "
        "chờ một lát rồi làm lại",
        "en": "the database {db} is busy (another program is writing to it); nothing was "
        "written: wait a moment and try again",
    },
    "read_only": {
        "vi": "không ghi được vào cơ sở dữ liệu {db}: tệp, thư mục hoặc ổ đĩa chỉ cho đọc; "
        "chưa ghi gì: cấp quyền ghi, hoặc chép tệp sang thư mục ghi được rồi dùng --db",
        "en": "the database {db} cannot be written: the file, its folder or the disk is "
        "read-only; nothing was written: make it writable, or copy it to a writable folder "
        "and use --db",
    },
    "full": {
        "vi": "ổ đĩa chứa cơ sở dữ liệu {db} đã đầy; chưa ghi gì: giải phóng chỗ trống rồi làm lại",
        "en": "the disk holding the database {db} is full; nothing was written: free some "
        "space and try again",
    },
    "io": {
        "vi": "lỗi đọc/ghi đĩa với cơ sở dữ liệu {db} ({detail}); chưa ghi gì: kiểm tra ổ đĩa "
        "và chỗ trống rồi làm lại",
        "en": "disk error with the database {db} ({detail}); nothing was written: check the "
        "disk and its free space, then try again",
    },
    "cannot_open": {
        "vi": "không mở được cơ sở dữ liệu {db}: kiểm tra thư mục có tồn tại và được phép đọc, ghi",
        "en": "cannot open the database {db}: check that its folder exists and may be read "
        "and written",
    },
    "not_database": {
        "vi": "{db} không phải là cơ sở dữ liệu SQLite, hoặc đã hỏng: kiểm tra --db hoặc "
        "AUDIT_DB_URL; nếu tệp hỏng, khôi phục từ bản sao lưu",
        "en": "{db} is not a SQLite database, or it is damaged: check --db or AUDIT_DB_URL; "
        "if it is damaged, restore it from a backup",
    },
    "same_rows": {
        "vi": "một lần nhập hoặc người dùng khác vừa thêm cùng các dòng này{table} cùng lúc; "
        "chưa ghi gì: hãy nhập (hoặc lưu) lại",
        "en": "another import or user added the same rows{table} at the same time; nothing "
        "was written: run the import (or the save) again",
    },
    "refused": {
        "vi": "cơ sở dữ liệu {db} từ chối một giá trị ({detail}): quá dài, ngoài khoảng cho "
        "phép hoặc có ký tự không lưu được; chưa ghi gì",
        "en": "the database {db} refused a value ({detail}): too long, out of range or with "
        "a character it cannot store; nothing was written",
    },
    "connect": {
        "vi": "không mở được cơ sở dữ liệu {db}: {detail}; kiểm tra máy chủ, tên cơ sở dữ liệu "
        "và --db hoặc AUDIT_DB_URL",
        "en": "cannot open database {db}: {detail}; check the server, the database's name "
        "and --db or AUDIT_DB_URL",
    },
    "bad_url": {
        "vi": "{db} không phải là địa chỉ cơ sở dữ liệu ({detail}): viết "
        "sqlite:///thư_mục/audit.db hoặc postgresql+psycopg://người_dùng@máy_chủ/tên",
        "en": "{db} is not a database URL ({detail}): write sqlite:///folder/audit.db or "
        "postgresql+psycopg://user@host/name",
    },
    "frozen": {
        "vi": "cơ sở dữ liệu {db} từ chối thay đổi một biên bản đã hoàn tất{table}: biên bản "
        "đã ký không được sửa, chỉ được lập bản sửa đổi có lý do; chưa ghi gì",
        "en": "the database {db} refused to change a finalized record{table}: a signed record "
        "is never changed, only revised with a reason; nothing was written",
    },
    "other": {
        "vi": "lỗi cơ sở dữ liệu {db} ({detail}); chưa ghi gì",
        "en": "database error with {db} ({detail}); nothing was written",
    },
}

FROZEN = "OSH-FROZEN"
"""How the triggers that keep a final record unchanged start their refusal (migration 0004)."""

_SQLITE = {
    3: "cannot_open",  # SQLITE_PERM
    5: "busy",  # SQLITE_BUSY: locked beyond the busy timeout
    6: "busy",  # SQLITE_LOCKED
    8: "read_only",  # SQLITE_READONLY
    10: "io",  # SQLITE_IOERR
    11: "not_database",  # SQLITE_CORRUPT
    13: "full",  # SQLITE_FULL
    14: "cannot_open",  # SQLITE_CANTOPEN
    18: "refused",  # SQLITE_TOOBIG
    19: "refused",  # SQLITE_CONSTRAINT (but see _SQLITE_UNIQUE)
    20: "refused",  # SQLITE_MISMATCH
    26: "not_database",  # SQLITE_NOTADB
}
_SQLITE_UNIQUE = {1555, 2067}  # SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE
_POSTGRES = {
    "23505": "same_rows",
    "53100": "full",
    "25006": "read_only",
    "40001": "busy",
    "40P01": "busy",
    "55P03": "busy",
    "58030": "io",
}
_POSTGRES_CLASSES = {"22": "refused", "23": "refused", "08": "connect", "28": "connect"}
_POSTGRES_CONNECT = {"3D000", "57P01", "57P02", "57P03"}


def database_name(url: str | sa.URL) -> str:
    """How messages name the database: a SQLite file's path, else the URL, password masked."""
    try:
        path = sqlite_path(url)
    except sa.exc.ArgumentError:  # not a URL: masked as any text
        path = None
    return os.path.abspath(path) if path is not None else db_urls.masked(url)


def sqlite_path(url: str | sa.URL) -> Path | None:
    """The file of a SQLite ``url`` (also ``sqlite:///file:PATH?uri=true``); None otherwise."""
    url = sa.make_url(url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    name = url.database
    if url.query.get("uri") == "true" and name.startswith("file:"):
        name = re.sub(r"^file:(//[^/]*)?", "", name).split("?", 1)[0]
        if not name or name == ":memory:" or url.query.get("mode") == "memory":
            return None
    return Path(name)


def _fault(exc: BaseException) -> str:
    if isinstance(exc, sa.exc.ArgumentError):
        return "bad_url"
    if not isinstance(exc, sa.exc.DBAPIError):  # a value the driver or SQLAlchemy cannot send
        return "refused" if isinstance(exc, sa.exc.StatementError | OverflowError) else "other"
    orig = exc.orig
    if FROZEN in str(orig):  # a trigger of migration 0004
        return "frozen"
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return "same_rows" if code in _SQLITE_UNIQUE else _SQLITE.get(code & 0xFF, "other")
    state = getattr(orig, "sqlstate", None)
    if state is None:  # psycopg refuses before sending (a NUL byte), or never connected
        return "connect" if isinstance(exc, sa.exc.OperationalError) else "refused"
    if state in _POSTGRES_CONNECT:
        return "connect"
    return _POSTGRES.get(state) or _POSTGRES_CLASSES.get(state[:2], "other")


def _table(exc: BaseException) -> str:
    """`` (accidents)``: the table of a unique key violated, when the driver says it."""
    orig = getattr(exc, "orig", None)
    diag = getattr(orig, "diag", None)
    table = getattr(diag, "table_name", None)
    frozen = re.search(FROZEN + r".*\((\w+)\)\s*$", str(orig))
    if table is None and frozen:
        table = frozen.group(1)
    if table is None:
        found = re.search(r"constraint failed: (\w+)\.", str(orig))
        table = found.group(1) if found else None
    return f" ({table})" if table else ""


def _detail(exc: BaseException) -> str:
    """What the driver said, on one line, any password in it masked."""
    orig = getattr(exc, "orig", None) or exc
    return db_urls.masked_text(" ".join(str(orig).split()) or type(orig).__name__)[:500]


def explain(exc: BaseException, url: str | sa.URL) -> StoreError:
    """The :class:`StoreError` that tells people what ``exc`` means for the database ``url``."""
    fault = _fault(exc)
    return StoreError(
        both(MESSAGES, fault, db=database_name(url), detail=_detail(exc), table=_table(exc))
    )


@contextmanager
def explained(url: str | sa.URL):
    """Run the block; a database failure in it becomes a :class:`StoreError` saying what to do.

    A database failure is any SQLAlchemy error (a URL that is not one too) and
    ``OverflowError``: SQLite's driver raises it for an integer beyond 64 bits,
    which PostgreSQL refuses as out of range.
    """
    try:
        yield
    except (sa.exc.SQLAlchemyError, OverflowError) as exc:
        raise explain(exc, url) from exc
