"""``audit db``: create or upgrade the database schema, and show where a database stands."""

from __future__ import annotations

import click

from audit_lib.cli.common import db_option, friendly_errors, lang_option
from audit_lib.core.i18n import tr

MESSAGES = {
    "upgraded": {
        "vi": "Cơ sở dữ liệu {url} đã ở phiên bản lược đồ mới nhất ({head}).",
        "en": "Database {url} is at the newest schema revision ({head}).",
    },
    "current": {"vi": "Phiên bản lược đồ hiện tại: {current}", "en": "Current revision: {current}"},
    "head": {"vi": "Phiên bản mới nhất: {head}", "en": "Newest revision: {head}"},
    "none": {"vi": "chưa có (cơ sở dữ liệu trống)", "en": "none (empty database)"},
    "outdated": {
        "vi": "Cần nâng cấp: audit db upgrade --db {url}",
        "en": "Needs an upgrade: audit db upgrade --db {url}",
    },
    "rows": {"vi": "Số dòng:", "en": "Rows:"},
    "missing": {
        "vi": "Cơ sở dữ liệu {url} chưa có (không tạo gì). Tạo bằng: audit db upgrade --db {url}",
        "en": "Database {url} does not exist (nothing created). Create it with: "
        "audit db upgrade --db {url}",
    },
}

TABLE_LABELS = {
    "units": {"vi": "đơn vị hành chính", "en": "administrative units"},
    "establishments": {"vi": "cơ sở", "en": "establishments"},
    "visits": {"vi": "cuộc kiểm tra (mọi bản)", "en": "visits (all revisions)"},
    "inspections": {
        "vi": "bảng kiểm của các cuộc kiểm tra (mọi bản)",
        "en": "checklist sheets of the visits (all revisions)",
    },
    "responses": {"vi": "câu trả lời", "en": "answers"},
    "findings": {"vi": "vi phạm", "en": "findings"},
    "actions": {"vi": "biện pháp khắc phục", "en": "corrective actions"},
}


@click.group("db")
def db():
    """Database schema (lược đồ cơ sở dữ liệu).

    \b
    Examples:
      audit db upgrade
      audit db current --db postgresql+psycopg://user@host/osh
    """


@db.command("upgrade")
@db_option
@lang_option
@friendly_errors
def upgrade(db_url, lang):
    """Create the database or bring it to the newest schema (tạo hoặc nâng cấp).

    \b
    Example:
      audit db upgrade --db sqlite:///data/audit.db
    """
    from audit_lib.store import migrations, open_store

    store = open_store(db_url, upgrade=True)
    try:
        click.echo(tr(MESSAGES, "upgraded", lang, url=store.url, head=migrations.head_revision()))
    finally:
        store.close()


@db.command("current")
@db_option
@lang_option
@friendly_errors
def current(db_url, lang):
    """Show the schema revision, the newest one, and how many rows the main tables hold.

    \b
    Example:
      audit db current --db sqlite:///data/audit.db
    """
    from audit_lib.core import db_urls
    from audit_lib.store import (
        create_engine,
        default_db_url,
        migrations,
        missing_sqlite_file,
        open_store,
        schema,
    )

    db_url = db_url or default_db_url()
    if missing_sqlite_file(db_url):
        shown = db_urls.masked(db_url)
        click.echo(tr(MESSAGES, "missing", lang, url=shown))
        raise SystemExit(1)
    engine = create_engine(db_url)
    url = db_urls.masked(engine.url)
    try:
        with engine.connect().execution_options(readonly=True) as conn, conn.begin():
            at = migrations.current_revision(conn)
    finally:
        engine.dispose()
    head = migrations.head_revision()
    click.echo(tr(MESSAGES, "current", lang, current=at or tr(MESSAGES, "none", lang)))
    click.echo(tr(MESSAGES, "head", lang, head=head))
    if at != head:
        click.echo(tr(MESSAGES, "outdated", lang, url=url))
        raise SystemExit(1)
    store = open_store(db_url)
    try:
        counts = store.counts()
    finally:
        store.close()
    click.echo(tr(MESSAGES, "rows", lang))
    for name in schema.MAIN_TABLES:
        label = tr(TABLE_LABELS, name, lang)
        click.echo(f"  {name:<15} {counts[name]:>10,}  {label}")
