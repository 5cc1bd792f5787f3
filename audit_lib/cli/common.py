"""What every command shares: the database option, the language option, clean errors."""

from __future__ import annotations

import functools
import os
import sys
import traceback

import click

from audit_lib.core.i18n import DEFAULT_LANG, LANGS, both

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

FORMATS = ("table", "csv", "json", "xlsx")
"""What a command that prints a table can write (``output_options``)."""


def output_options(command):
    """``--format table|csv|json|xlsx`` and ``--out FILE``; see :func:`require_out`."""
    command = click.option(
        "--out", type=click.Path(dir_okay=False), help="Write to this file instead of the screen."
    )(command)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="table (for the screen), csv, json, or xlsx (needs --out).",
    )(command)


def require_out(fmt: str, out: str | None, lang: str) -> None:
    """An xlsx file must be written somewhere: InputError naming ``--out`` otherwise."""
    from audit_lib.core.errors import InputError, Problem, Reason
    from audit_lib.core.i18n import tr

    if fmt == "xlsx" and not out:
        message = tr(MESSAGES, "needs_out", lang)
        raise InputError([Problem("--out", None, "out", message, Reason.MISSING)])


def emit(text: str, out: str | None, lang: str) -> None:
    """``text`` written whole to ``out`` (saying so), or printed."""
    from audit_lib.core import export
    from audit_lib.core.i18n import tr

    if out:
        export.write_text(text, out)
        click.echo(tr(MESSAGES, "written", lang, path=out))
    else:
        click.echo(text, nl=False)


MESSAGES = {
    "needs_out": {"vi": "--format xlsx cần --out TỆP", "en": "--format xlsx needs --out FILE"},
    "written": {"vi": "Đã ghi {path}", "en": "Wrote {path}"},
    "file": {
        "vi": "không đọc hoặc ghi được {file}: {reason}",
        "en": "cannot read or write {file}: {reason}",
    },
    "unexpected": {
        "vi": "lỗi ngoài dự kiến ({error}); đây là lỗi của phần mềm: hãy báo lại kèm lệnh đã "
        "chạy (đặt AUDIT_DEBUG=1 để xem chi tiết)",
        "en": "unexpected error ({error}); this is a bug in the software: please report it "
        "with the command you ran (set AUDIT_DEBUG=1 to see the details)",
    },
}


def friendly_errors(func):
    """Turn every failure into a message on stderr and a non-zero exit, never a traceback.

    An :class:`~audit_lib.core.errors.AuditError` is said as it is, exit code 2.
    This is also the last line of defence for what the library did not turn into
    one: a database error (explained as the store explains it, naming the
    database of ``--db``) and a file that cannot be read or written (named, with
    the system's reason) exit 2; anything else is a bug, said in one line with
    exit code 3 (with ``AUDIT_DEBUG=1`` the traceback follows). Click's own
    usage errors and exits pass through.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # the last line of defence: see the docstring
            code, message = _explained(exc, kwargs.get("db_url"))
            click.echo(f"error (lỗi): {message}", err=True)
            if code == 3 and os.environ.get("AUDIT_DEBUG"):
                traceback.print_exc()
            sys.exit(code)

    return wrapper


def _explained(exc: Exception, db_url: str | None) -> tuple[int, str]:
    """The exit code and the message for ``exc``; imports only what ``exc`` already needed."""
    from audit_lib.core.errors import AuditError  # imports pandas: not before a command runs

    if isinstance(exc, AuditError):
        return 2, str(exc)
    if "sqlalchemy" in sys.modules:
        import sqlalchemy as sa

        if isinstance(exc, sa.exc.SQLAlchemyError):
            from audit_lib.store import default_db_url, explain_failure

            return 2, str(explain_failure(exc, db_url or default_db_url()))
    if isinstance(exc, OSError):
        file = exc.filename if exc.filename is not None else "?"
        return 2, both(MESSAGES, "file", file=file, reason=exc.strerror or exc)
    return 3, both(MESSAGES, "unexpected", error=f"{type(exc).__name__}: {exc}")
