"""Database URLs: shown with their password masked, handed to report kernels without it.

Usage::

    from audit_lib.core import db_urls
    db_urls.masked("postgresql+psycopg://audit:S3cr3t@db.local/osh")
    # 'postgresql+psycopg://audit:***@db.local/osh'
    db_urls.masked_text("cannot open postgresql://audit:S3cr3t@db.local/osh")  # any text
    db_urls.absolute("sqlite:///data/audit.db")   # 'sqlite:////home/me/osh/data/audit.db'
    db_urls.without_secret("postgresql+psycopg://audit:S3cr3t@db.local/osh")
    # ('postgresql+psycopg://audit@db.local/osh', {'PGPASSWORD': 'S3cr3t'})

A password never goes into a file, a message or a page: every URL that is
printed, put in an error or written into a report goes through :func:`masked`
(or :func:`masked_text` for free text such as an error from a kernel).

**How a report kernel gets the password.** A report notebook's parameters are
written, in clear, into the executed ``.ipynb`` that the report index links
to, so the runner gives the notebook the URL *without* its password
(:func:`without_secret`) and passes the password out of band, in the kernel's
environment as ``PGPASSWORD``, which libpq (hence psycopg) reads when the URL
has none. This was chosen over the alternatives because

- the notebook still names the database it read (driver, user, host, port,
  database): a person can rerun it with their own credentials;
- nothing in the kernel has to "resolve" a masked URL: the notebooks and the
  store stay as they are, and a URL without a password works the same;
- the password is never written to disk (a ``pgpass`` or service file would
  be, if only in a private temporary folder) and a process's environment is
  readable only by its own user (``/proc/<pid>/environ`` is mode 0400).

Keeping the password out of the URL altogether (``~/.pgpass``, or
``PGPASSWORD`` set in the shell) also works: kernels inherit both. SQLite URLs
carry no secret and pass unchanged. A URL whose query holds another secret
libpq cannot take from the environment (``sslpassword``) is refused for report
runs rather than written into a notebook.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from audit_lib.core.errors import InputError, Problem, Reason
from audit_lib.core.i18n import LANGS, tr

if TYPE_CHECKING:
    import sqlalchemy as sa

MASK = "***"
SECRET_KEYS = ("password", "sslpassword")
"""Query keys (libpq connection parameters) that hold a secret."""
PASSWORD_ENV = "PGPASSWORD"

_USERINFO = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^\s/]*(?=@)", re.IGNORECASE)
"""``scheme://user:`` and the password after it, up to the last ``@`` before the host."""
_KEY_VALUE = re.compile(rf"(?P<head>\b(?:{'|'.join(SECRET_KEYS)})\s*=\s*)[^&\s'\"]+", re.IGNORECASE)
"""``password=…`` in a URL's query or a libpq connection string."""

MESSAGES = {
    "kernel_secret": {
        "vi": "không thể chuyển {name} cho kernel của báo cáo mà không ghi nó vào sổ tay: "
        "hãy đặt nó trong tệp dịch vụ PostgreSQL (PGSERVICEFILE) và bỏ khỏi URL",
        "en": "{name} cannot reach a report's kernel without being written into its notebook: "
        "put it in a PostgreSQL service file (PGSERVICEFILE) and leave it out of the URL",
    },
}


def _parse(url: str | sa.URL) -> sa.URL:
    from sqlalchemy.engine import make_url

    return make_url(url)


def masked(url: str | sa.URL) -> str:
    """``url`` for people to read: its password, and any secret in its query, as ``***``.

    Text that is not a URL is masked as :func:`masked_text` masks free text."""
    from sqlalchemy.exc import ArgumentError

    try:
        shown = _parse(url).render_as_string(hide_password=True)
    except ArgumentError:
        shown = str(url)
    return masked_text(shown)


def masked_text(text: str) -> str:
    """``text`` with every ``scheme://user:password@`` and ``password=…`` masked: for messages
    that come from elsewhere (a driver, a kernel) and might quote a connection string."""
    text = _USERINFO.sub(lambda m: m["head"] + MASK, str(text))
    return _KEY_VALUE.sub(lambda m: m["head"] + MASK, text)


def absolute(url: str | sa.URL) -> str:
    """``url`` with a relative SQLite path made absolute (a kernel runs in another folder);
    other URLs unchanged. The result keeps its password: it is for connecting, not showing."""
    parsed = _parse(url)
    database = parsed.database
    sqlite_file = parsed.get_backend_name() == "sqlite" and database not in (None, "", ":memory:")
    if sqlite_file and not Path(database).is_absolute():
        parsed = parsed.set(database=str(Path(database).resolve()))
    return parsed.render_as_string(hide_password=False)


def without_secret(url: str | sa.URL) -> tuple[str, dict[str, str]]:
    """``url`` without its password, and the environment that carries the password instead.

    ``password`` given in the query is moved the same way; another secret in the query
    (``sslpassword``) raises :class:`~audit_lib.core.errors.InputError`.
    """
    import sqlalchemy as sa

    parsed = _parse(url)
    password = parsed.password or parsed.query.get("password")
    for key in SECRET_KEYS[1:]:
        if key in parsed.query:
            message = " / ".join(tr(MESSAGES, "kernel_secret", lang, name=key) for lang in LANGS)
            raise InputError([Problem(masked(parsed), None, key, message, Reason.VALUE)])
    plain = sa.URL.create(
        parsed.drivername,
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query={k: v for k, v in parsed.query.items() if k != "password"},
    )
    env = {PASSWORD_ENV: str(password)} if password else {}
    return plain.render_as_string(hide_password=False), env
