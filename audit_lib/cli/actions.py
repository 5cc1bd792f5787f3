"""``audit actions``: overdue corrective actions per establishment or commune on a day."""

from __future__ import annotations

import json

import click

from audit_lib.cli.common import MESSAGES as COMMON
from audit_lib.cli.common import (
    db_option,
    emit,
    friendly_errors,
    lang_option,
    output_options,
    require_out,
)
from audit_lib.core import export
from audit_lib.core.i18n import tr
from audit_lib.core.vocabulary import commune_level_label

MESSAGES = {
    "title": {
        "vi": "Biện pháp khắc phục quá hạn ngày {day:%d/%m/%Y}, theo {by}",
        "en": "Overdue corrective actions on {day:%Y-%m-%d}, by {by}",
    },
    "establishment": {"vi": "cơ sở", "en": "establishment"},
    "commune": {"vi": "xã", "en": "commune"},  # the sheet's name
    "total": {
        "vi": "Tổng: {actions} biện pháp quá hạn tại {establishments} cơ sở",
        "en": "In all: {actions} overdue actions at {establishments} establishments",
    },
    "none": {"vi": "Không có biện pháp nào quá hạn.", "en": "No overdue action."},
}


@click.command("actions")
@db_option
@click.option("--on", "on_text", help="The day judged, e.g. 2025-12-31 (default: today).")
@click.option(
    "--by",
    type=click.Choice(["establishment", "commune"]),
    default="establishment",
    show_default=True,
    help="One row per establishment or per commune.",
)
@output_options
@lang_option
@friendly_errors
def actions_command(db_url, on_text, by, fmt, out, lang):
    """Overdue corrective actions per establishment or commune on a day.

    Biện pháp khắc phục quá hạn theo cơ sở hoặc theo xã vào một ngày.

    An action is overdue when it was due before the day and not closed by then
    (by a follow-up visit that found it done, or on documents). Only the actions
    of current final records count. Headers are in --lang; json keeps the
    column names.

    \b
    Examples:
      audit actions
      audit actions --on 2025-12-31 --by commune --lang en
      audit actions --on 31/12/2025 --format xlsx --out qua-han.xlsx
    """
    from audit_lib.analysis import Actions
    from audit_lib.store import open_store

    require_out(fmt, out, lang)
    day = Actions.day(on_text, lang)
    with open_store(db_url) as store:
        actions = Actions.load(store)
    table = actions.overdue(on=day, by=by, lang=lang)
    headers = Actions.labels(table.columns, lang)
    if fmt == "xlsx":
        export.write_xlsx({tr(MESSAGES, by, lang): table.rename(columns=headers)}, out)
        click.echo(tr(COMMON, "written", lang, path=out))
        return
    if fmt == "table":
        text = _render(table, headers, day, by, lang)
    elif fmt == "csv":
        text = export.csv_text(table.rename(columns=headers))
    else:
        records = table.astype({"oldest_due_on": str}).to_dict(orient="records")
        text = json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    emit(text, out, lang)


def _render(table, headers: dict, day, by: str, lang: str) -> str:
    """The table for a terminal: a title, the rows (nothing a terminal would run), a total."""
    where = commune_level_label(day, lang) if by == "commune" else tr(MESSAGES, by, lang)
    lines = [tr(MESSAGES, "title", lang, day=day, by=where), ""]
    if table.empty:
        return "\n".join([*lines, tr(MESSAGES, "none", lang)]) + "\n"
    style = "%d/%m/%Y" if lang == "vi" else "%Y-%m-%d"
    shown = table.assign(oldest_due_on=[d.strftime(style) for d in table["oldest_due_on"]])
    lines.append(export.safe_frame(shown.rename(columns=headers)).to_string(index=False))
    places = table["establishments"].sum() if by == "commune" else len(table)
    total = tr(MESSAGES, "total", lang, actions=table["overdue"].sum(), establishments=places)
    return "\n".join([*lines, "", total]) + "\n"
