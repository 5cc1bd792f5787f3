"""What every command shares: the database option, the language option, clean errors."""

from __future__ import annotations

import functools
import sys

import click

from audit_lib.core.i18n import DEFAULT_LANG, LANGS

lang_option = click.option(
    "--lang",
    type=click.Choice(LANGS),
    default=DEFAULT_LANG,
    show_default=True,
    help="Language of the output: vi (Tiếng Việt) or en.",
)

db_option = click.option(
    "--db",
    "db_url",
    envvar="AUDIT_DB_URL",
    default=None,
    help="Database URL (SQLAlchemy). Default: $AUDIT_DB_URL or sqlite:///data/audit.db.",
)


def friendly_errors(func):
    """Turn an AuditError into its message on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from audit_lib.core.errors import AuditError  # imports pandas: not before a command runs

        try:
            return func(*args, **kwargs)
        except AuditError as exc:
            click.echo(f"error (lỗi): {exc}", err=True)
            sys.exit(2)

    return wrapper
