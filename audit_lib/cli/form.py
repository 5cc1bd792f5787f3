"""``audit form``: serve the inspection form with Voilà on this computer."""

from __future__ import annotations

import signal
import sys

import click

from audit_lib.cli.common import db_option, friendly_errors, lang_option
from audit_lib.core.i18n import tr

MESSAGES = {
    "ready": {
        "vi": "Phiếu kiểm tra đang chạy tại {url}  (Ctrl+C để dừng)",
        "en": "The inspection form is running at {url}  (Ctrl+C to stop)",
    },
    "database": {"vi": "Cơ sở dữ liệu: {url}", "en": "Database: {url}"},
    "empty": {
        "vi": "Chưa có cơ sở nào: đăng ký trong phiếu, hoặc chạy `audit sample` để có dữ liệu mẫu.",
        "en": "No establishments yet: register them in the form, or run `audit sample` "
        "for sample data.",
    },
    "stopped": {"vi": "Đã dừng.", "en": "Stopped."},
}


@click.command("form")
@db_option
@click.option("--port", type=int, default=None, help="Port on 127.0.0.1 (default: a free one).")
@lang_option
@click.option("--no-browser", is_flag=True, help="Do not open a web browser.")
@click.option(
    "--checklists",
    type=click.Path(exists=True, file_okay=False),
    envvar="AUDIT_CHECKLISTS",
    default=None,
    help="Folder of checklist YAML files (default: $AUDIT_CHECKLISTS or checklists/).",
)
@friendly_errors
def form(db_url, port, lang, no_browser, checklists):
    """Open the inspection form (phiếu kiểm tra) as a web app on this computer.

    Works offline. A SQLite database is created or upgraded first, so a fresh
    clone works at once (register establishments in the form, or run
    `audit sample` first for sample data). A PostgreSQL database must already
    be at the current schema (`audit db upgrade`).

    \b
    Examples:
      audit form
      audit form --db sqlite:///data/audit.db --lang en --port 8866 --no-browser
    """
    from audit_lib.core import db_urls
    from audit_lib.form import FormServer
    from audit_lib.store import default_db_url, open_store

    url = db_urls.absolute(db_url or default_db_url())
    with open_store(url, upgrade=url.startswith("sqlite")) as store:
        click.echo(tr(MESSAGES, "database", lang, url=store.url))
        if store.establishments().empty:
            click.echo(tr(MESSAGES, "empty", lang))
    server = FormServer(
        url, lang=lang, port=port, checklists=checklists, open_browser=not no_browser
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so that `finally` stops Voilà
    try:
        server.start()
        click.echo(tr(MESSAGES, "ready", lang, url=server.url))
        server.wait()
    except KeyboardInterrupt:
        click.echo(tr(MESSAGES, "stopped", lang))
    finally:
        server.stop()
