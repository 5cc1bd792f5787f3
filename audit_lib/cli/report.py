"""`audit report`: run the report notebooks in batch and print where the index is."""

from __future__ import annotations

import os
import re

import click

from audit_lib.cli.common import db_option, friendly_errors, lang_option

jobs_option = click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes, one kernel each (default: the number of cores).",
)
out_option = click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for the executed notebooks, HTML (and PDF) and index.html.",
)
scheduler_option = click.option(
    "--scheduler",
    default=None,
    metavar="URL",
    help="Run the reports on this Dask cluster (tcp://HOST:8786) instead of "
    "this machine's cores; the files come back here.",
)
pdf_option = click.option(
    "--pdf", is_flag=True, help="Also print each report to an A4 PDF with headless Chromium."
)


@click.group("report")
def report():
    """Make reports: inspection records and the periodic monitoring report.

    \b
    Examples:
      audit report inspections --year 2025 --out reports/2025
      audit report monitoring --plan data/plans/453-KH-HU.yaml --unit PT \\
          --period 2021-2025 --out reports/monitoring
    """


@report.command("inspections")
@click.option("--year", type=int, default=None, help="Final visits made in this year.")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Final visits made on or after this date (YYYY-MM-DD).",
)
@click.option(
    "--ids",
    "--id",
    "ids",
    multiple=True,
    help="Visit ids or record numbers (0012/2025/BB-ATVSLĐ): repeat --ids, or separate "
    "them with commas or spaces.",
)
@out_option
@jobs_option
@lang_option
@pdf_option
@scheduler_option
@db_option
@friendly_errors
def inspections(year, since, ids, out_dir, jobs, lang, pdf, scheduler, db_url):
    """One inspection record (biên bản) per final visit, all its checklists in it:
    .ipynb, HTML, index.html.

    Choose the visits with one of --year, --since or --ids (a draft visit has no
    record). Each record prints what was stored when the visit was finalized,
    and is named by day, establishment code, visit type and record number
    (2025-05-12_6200000101_periodic_0012-2025-BB-ATVSLD.html). A report that
    fails is kept and listed in the index with its error; the others are made,
    then the command exits non-zero.

    \b
    Examples:
      audit report inspections --year 2025 --out reports/2025 --jobs 2
      audit report inspections --ids 0012/2025/BB-ATVSLĐ,3f2a... --out reports/x --lang en --pdf
      audit report inspections --year 2025 --out reports/2025 --scheduler tcp://10.0.0.5:8786
    """
    from audit_lib.reports import run_inspection_reports

    ids = [part for value in ids for part in re.split(r"[,\s]+", value) if part]
    chosen = [name for name, v in (("--year", year), ("--since", since), ("--ids", ids)) if v]
    if len(chosen) != 1:
        raise click.UsageError(
            "give exactly one of --year, --since, --ids (chọn đúng một trong ba cách chọn)"
        )
    index = run_inspection_reports(
        db_url,
        out_dir,
        ids=ids or None,
        year=year,
        since=since.date() if since else None,
        lang=lang,
        jobs=jobs,
        pdf=pdf,
        say=lambda text: click.echo(text, err=True),
        scheduler=scheduler,
    )
    click.echo(os.fspath(index))


@report.command("monitoring")
@click.option(
    "--plan",
    "plan_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The plan file, e.g. data/plans/453-KH-HU.yaml.",
)
@click.option(
    "--unit",
    "units",
    required=True,
    multiple=True,
    help="Unit code or name (repeat --unit for one report each).",
)
@click.option("--period", required=True, help='A year ("2025") or years ("2021-2025").')
@out_option
@jobs_option
@lang_option
@pdf_option
@scheduler_option
@db_option
@friendly_errors
def monitoring(plan_path, units, period, out_dir, jobs, lang, pdf, scheduler, db_url):
    """The periodic (sơ kết / tổng kết) report on a plan, one per unit.

    \b
    Examples:
      audit report monitoring --plan data/plans/453-KH-HU.yaml --unit PT --period 2021-2025 \\
          --out reports/monitoring
      audit report monitoring --plan data/plans/453-KH-HU.yaml --unit "Sin Suối Hồ" \\
          --unit "Dào San" --period 2025 --out reports/communes --lang en
    """
    from audit_lib.analysis import period_years
    from audit_lib.reports import run_monitoring_report

    try:
        period_years(period)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from exc
    index = run_monitoring_report(
        db_url,
        plan_path,
        list(units),
        period,
        out_dir,
        lang=lang,
        jobs=jobs,
        pdf=pdf,
        say=lambda text: click.echo(text, err=True),
        scheduler=scheduler,
    )
    click.echo(os.fspath(index))
