"""`audit demo`: the main job on the embedded default, from nothing to an index of reports."""

from __future__ import annotations

import click

from audit_lib.cli.common import friendly_errors, lang_option


@click.command()
@click.option(
    "--db",
    "db_url",
    default=None,
    help="Database for the demo (rebuilt from scratch). Default: data/sample.db under the "
    "user-data home ($AUDIT_HOME; the project folder in a checkout).",
)
@click.option(
    "--out",
    default=None,
    help="Folder for the reports. Default: reports/demo under the user-data home.",
)
@click.option(
    "--year", type=int, default=2025, show_default=True, help="Year of the inspection reports."
)
@click.option("--jobs", type=int, default=None, help="Parallel report workers (default: cores).")
@lang_option
@friendly_errors
def demo(db_url, out, year, jobs, lang):
    """Build the Phong Thổ sample database and run every report on it.

    \b
    Tạo cơ sở dữ liệu mẫu Phong Thổ (2021–2025), lập biên bản cho mọi cuộc
    kiểm tra năm YEAR, báo cáo theo dõi Kế hoạch 453-KH/HU cho toàn huyện và
    từng xã, rồi in đường dẫn tới index.html.

    \b
    Example:
      audit demo
      audit demo --lang en --out reports/demo-en
    """
    from audit_lib.cli import _demo as demo_lib

    index = demo_lib.run(db_url=db_url, out=out, year=year, jobs=jobs, lang=lang, say=click.echo)
    click.echo(demo_lib.tr_done(index, lang))
