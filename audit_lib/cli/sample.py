"""``audit sample``: write the deterministic Phong Thổ sample into an empty database."""

from __future__ import annotations

import re

import click

from audit_lib.cli.common import db_option, friendly_errors, lang_option
from audit_lib.core.i18n import tr

MESSAGES = {
    "writing": {
        "vi": "Đang tạo dữ liệu mẫu (minh họa) Phong Thổ {first}–{last}, hệ số {scale}, "
        "seed {seed} vào {url} ...",
        "en": "Writing the illustrative Phong Thổ sample {first}–{last}, scale {scale}, "
        "seed {seed} into {url} ...",
    },
    "row": {"vi": "  {table}: {n} dòng", "en": "  {table}: {n} rows"},
    "done": {
        "vi": "Xong. Dữ liệu mẫu chỉ để minh họa (nguồn: 'sample (illustrative)').",
        "en": "Done. The sample is illustrative only (source: 'sample (illustrative)').",
    },
    "bad_years": {
        "vi": "--years phải có dạng 2021-2025",
        "en": "--years must look like 2021-2025",
    },
}


def _years(ctx, param, value: str) -> tuple[int, int]:
    found = re.fullmatch(r"\s*(\d{4})\s*(?:[-–:]\s*(\d{4}))?\s*", value or "")
    if not found or int(found.group(2) or found.group(1)) < int(found.group(1)):
        raise click.BadParameter(f"{MESSAGES['bad_years']['vi']} ({MESSAGES['bad_years']['en']})")
    return int(found.group(1)), int(found.group(2) or found.group(1))


@click.command("sample")
@db_option
@click.option(
    "--scale",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="Multiplies establishments and everything else (1 ≈ 300 establishments; "
    "170 ≈ 51,000 for benchmarks).",
)
@click.option("--seed", type=int, default=453, show_default=True, help="Random seed.")
@click.option(
    "--years",
    default="2021-2025",
    show_default=True,
    callback=_years,
    help="First and last year, e.g. 2021-2025.",
)
@lang_option
@friendly_errors
def sample_command(db_url, scale: float, seed: int, years, lang: str) -> None:
    """Write the deterministic, illustrative Phong Thổ sample into an empty database.

    Creates the database (or upgrades its schema) first. The same seed, scale
    and years always give the same contents. (Tạo dữ liệu mẫu minh họa.)

    \b
    Examples:
      audit sample
      audit sample --db sqlite:///data/big.db --scale 170
      audit sample --db postgresql+psycopg://postgres@127.0.0.1/osh --seed 7 --years 2023-2025
    """
    from audit_lib.sample import generate
    from audit_lib.store import open_store

    store = open_store(db_url, upgrade=True)
    try:
        shown = dict(first=years[0], last=years[1], scale=f"{scale:g}", seed=seed, url=store.url)
        click.echo(tr(MESSAGES, "writing", lang, **shown))
        counts = generate(store, seed=seed, scale=scale, years=years)
    finally:
        store.close()
    for table, n in counts.items():
        click.echo(tr(MESSAGES, "row", lang, table=table, n=n))
    click.echo(tr(MESSAGES, "done", lang))
