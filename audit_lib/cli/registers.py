"""``audit import`` and ``audit template``: registers from spreadsheets, and empty templates."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from audit_lib.cli.common import db_option, friendly_errors, lang_option
from audit_lib.core.i18n import tr
from audit_lib.core.vocabulary import REGISTER_KINDS

MESSAGES = {
    "refused": {
        "vi": "{n} lỗi trong {file}; chưa ghi gì vào cơ sở dữ liệu. Sửa các lỗi rồi nhập lại:",
        "en": "{n} problem(s) in {file}; nothing was written. Fix them and import again:",
    },
    "value": {"vi": "giá trị", "en": "value"},
    "database": {"vi": "Cơ sở dữ liệu: {url}", "en": "Database: {url}"},
    "written": {
        "vi": "Đã ghi mẫu sổ '{kind}': {path}",
        "en": "Template for the '{kind}' register written: {path}",
    },
}


def _open(db_url: str | None):
    from audit_lib.store import open_store

    return open_store(db_url) if db_url else open_store()


def _problem_line(problem, lang: str) -> str:
    line = f"  {problem}"
    if problem.value is not None:
        line += f" ({tr(MESSAGES, 'value', lang)}: {problem.value!r})"
    return line


@click.command("import")
@click.argument("kind", type=click.Choice(REGISTER_KINDS))
@click.argument("file", type=click.Path(dir_okay=False))
@db_option
@lang_option
@friendly_errors
def import_command(kind: str, file: str, db_url: str | None, lang: str) -> None:
    """Import a register from .xlsx or .csv, all rows or none (Nhập sổ từ tệp Excel/CSV).

    Every row is checked first; if any problem is found, all of them are
    listed (file, row, column, value, reason), nothing is written and the exit
    code is 1. Importing the same file again adds no duplicates: rows with the
    same key are updated or left unchanged.

    \b
    Examples:
      audit import accidents tai_nan_2024.xlsx
      audit import training huan_luyen.csv --db sqlite:///data/audit.db --lang en
    """
    from audit_lib.core.errors import RegisterImportError
    from audit_lib.registers import import_register

    store = _open(db_url)
    try:
        result = import_register(store, kind, file, lang)
    except RegisterImportError as exc:
        click.echo(tr(MESSAGES, "refused", lang, n=len(exc.problems), file=file), err=True)
        for problem in exc.problems:
            click.echo(_problem_line(problem, lang), err=True)
        sys.exit(1)
    finally:
        store.close()
    click.echo(result.summary(lang))
    click.echo(tr(MESSAGES, "database", lang, url=store.url))


@click.command("template")
@click.argument("kind", type=click.Choice(REGISTER_KINDS))
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="File to write (default: KIND.xlsx or KIND.csv here).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv"]),
    default=None,
    help="xlsx (with a notes sheet) or csv; default: from --out, else xlsx.",
)
@lang_option
@friendly_errors
def template_command(kind: str, out: str | None, fmt: str | None, lang: str) -> None:
    """Write an empty register template: Vietnamese headers, English alongside (Mẫu sổ).

    \b
    Examples:
      audit template accidents --out tai_nan.xlsx
      audit template training --format csv
    """
    from audit_lib.registers import template

    fmt = fmt or ("csv" if out and Path(out).suffix.lower() == ".csv" else "xlsx")
    path = template(kind, out or f"{kind}.{fmt}", fmt)
    click.echo(tr(MESSAGES, "written", lang, kind=kind, path=path))
