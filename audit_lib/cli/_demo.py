"""The demo: sample database, then every report, in one batch with one index.

Usage::

    from audit_lib.cli import _demo as demo
    index = demo.run()          # data/sample.db, reports/demo/index.html
    print(index)

The demo database is separate from the working one (``data/audit.db``), so
running the demo never touches an inspector's real data.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from audit_lib import reports, sample
from audit_lib.core import db_urls
from audit_lib.core.i18n import DEFAULT_LANG, tr
from audit_lib.core.resources import home, shipped
from audit_lib.store import open_store
from audit_lib.units import made_mostly_of

PLAN = shipped("data", "plans", "453-KH-HU.yaml")
DISTRICT = "PT"
PERIOD = "2021-2025"

MESSAGES = {
    "building": {
        "vi": "Đang tạo cơ sở dữ liệu mẫu tại {url} …",
        "en": "Building the sample database at {url} …",
    },
    "built": {
        "vi": "Đã tạo: {establishments} cơ sở, {visits} cuộc kiểm tra ({inspections} bảng kiểm).",
        "en": "Built: {establishments} establishments, {visits} visits ({inspections} "
        "checklist sheets).",
    },
    "running": {
        "vi": "Đang lập {n} báo cáo ({inspections} biên bản kiểm tra năm {year}, mỗi cuộc "
        "kiểm tra một biên bản, "
        "{monitoring} báo cáo theo dõi kế hoạch) …",
        "en": "Running {n} reports ({inspections} inspection records of {year}, one per "
        "visit, "
        "{monitoring} plan monitoring reports) …",
    },
    "title": {
        "vi": "Bản minh họa: báo cáo ATVSLĐ Phong Thổ (dữ liệu mẫu)",
        "en": "Demo: Phong Thổ OSH reports (sample data, illustrative)",
    },
    "done": {
        "vi": "Xong. Mở các báo cáo tại: {index}",
        "en": "Done. Open the reports at: {index}",
    },
}


def demo_db() -> Path:
    """The demo database: ``data/sample.db`` under the user-data home, apart from the
    working database (``data/audit.db``)."""
    return home() / "data" / "sample.db"


def tr_done(index: Path, lang: str = DEFAULT_LANG) -> str:
    return tr(MESSAGES, "done", lang, index=index)


def build_database(db_url: str | None = None, seed: int = 453) -> str:
    """Rebuild the demo database from scratch; returns its URL."""
    if db_url is None:
        path = demo_db()
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        db_url = f"sqlite:///{path}"
    with open_store(db_url, upgrade=True) as store:
        sample.generate(store, seed=seed)
    return db_url


def plan_jobs(db_url: str, year: int, lang: str) -> tuple[list[reports.Job], list[reports.Job]]:
    """Inspection records of ``year``; monitoring reports for the district and each commune."""
    with open_store(db_url) as store:
        units, crosswalk = store.units(), store.crosswalk()
    current = (units["level"] == "commune") & units["valid_to"].isna()
    area = made_mostly_of(units, crosswalk, DISTRICT)  # not Đoàn Kết ward of Lai Châu city
    communes = units.loc[current & units["unit_code"].isin(area), "unit_code"]
    inspections = reports.plan_inspection_jobs(db_url, year=year, lang=lang)
    monitoring = reports.plan_monitoring_jobs(
        db_url, PLAN, [DISTRICT, *sorted(communes)], PERIOD, lang
    )
    return inspections, monitoring


def run(
    db_url: str | None = None,
    out: str | os.PathLike | None = None,
    year: int = 2025,
    jobs: int | None = None,
    lang: str = DEFAULT_LANG,
    say: Callable[[str], None] = print,
) -> Path:
    """Build the sample, run every report, return the path of ``index.html``.

    The reports go to ``out``, by default ``reports/demo`` under the user-data home."""
    out = home() / "reports" / "demo" if out is None else out
    say(tr(MESSAGES, "building", lang, url=db_urls.masked(db_url or f"sqlite:///{demo_db()}")))
    db_url = build_database(db_url)
    with open_store(db_url) as store:
        counts = store.counts()
    say(tr(MESSAGES, "built", lang, **counts))
    inspections, monitoring = plan_jobs(db_url, year, lang)
    n = len(inspections) + len(monitoring)
    say(
        tr(
            MESSAGES,
            "running",
            lang,
            n=n,
            inspections=len(inspections),
            monitoring=len(monitoring),
            year=year,
        )
    )
    title = tr(MESSAGES, "title", lang)
    index = reports.run(monitoring + inspections, out, title, jobs, lang=lang, say=say)
    return index.resolve()
