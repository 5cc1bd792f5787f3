"""Offline HTML: escaped fragments for report notebooks, whole executed notebooks, and PDF.

Usage::

    from audit_lib.reports import _render as render
    render.table(findings, {"item_id": "Mục", "legal_basis": "Căn cứ"})  # escaped <table>
    html = render.notebook_html(executed_nb, title="Biên bản", lang="vi")
    render.external_urls(html)          # [] : the page opens offline
    with render.pdf_printer() as printer:   # None when Chromium is missing
        if printer:
            printer.print("report.html", "report.pdf")

Everything people typed (names, notes, addresses) goes through :func:`escape`,
so a note containing ``<script>`` shows as text. Pages use the packaged
``osh_report`` template (``audit_lib/templates``): the JupyterLab page without
require.js, MathJax, Mermaid or widget scripts, and with its own small
stylesheet, so it references no URL outside the file.
"""

from __future__ import annotations

import contextlib
import functools
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from audit_lib.core.html import escape, paragraph
from audit_lib.core.i18n import DEFAULT_LANG, nfc, tr

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "osh_report"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

MESSAGES = {
    "no_chromium": {
        "vi": "Không tìm thấy Chromium ({path}): bỏ qua bản PDF, các bản HTML vẫn được ghi. "
        "Cài đặt: apt-get install chromium",
        "en": "Chromium not found ({path}): PDFs skipped, the HTML reports are still written. "
        "Install it with: apt-get install chromium",
    },
}

_URL = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""", re.IGNORECASE)
_EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import\s+["'](?:https?:)?//)""",
    re.IGNORECASE,
)


INDEX_TEXT = {
    "title": "Mục lục báo cáo / Report index",
    "report": "Báo cáo / Report",
    "status": "Trạng thái / Status",
    "files": "Tệp / Files",
    "error": "Lỗi / Error",
    "ok": "hoàn thành / ok",
    "failed": "lỗi / failed",
    "pending": "chưa lập / not yet made",
    "summary": "{ok} hoàn thành, {failed} lỗi / {ok} ok, {failed} failed",
    "summary_pending": "{ok} hoàn thành, {failed} lỗi, {pending} chưa lập / "
    "{ok} ok, {failed} failed, {pending} not yet made",
    "in_progress": "Đang lập báo cáo: mục lục này chưa đầy đủ. Nếu lần chạy đã dừng giữa "
    "chừng, hãy chạy lại lệnh. / In progress: this index is incomplete. If the run was "
    "stopped, run the command again.",
    "none": "Không có báo cáo nào / No reports",
}
INDEX_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; padding: 0 1em; }
body { max-width: 60em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #eef1f5; }
tr.failed td { background: #fdecec; }
tr.pending td { color: #666; }
td.error { color: #8b1010; font-family: monospace; font-size: 0.9em; }
.note, .in-progress { color: #6b5200; }
.in-progress { font-weight: bold; }
"""


@dataclass(frozen=True)
class IndexEntry:
    """One line of an index page: a report, its ``status`` (``ok``, ``failed`` or
    ``pending``: not made yet), its files, its error."""

    label: str
    name: str
    status: str
    links: list[tuple[str, str]]
    error: str = ""


def index_page(
    title: str, entries: list[IndexEntry], note: str | None = None, complete: bool = True
) -> str:
    """A bilingual, self-contained page linking reports (relative links only).

    While a run is in progress (``complete=False``) the page says so, in words and in
    ``<body data-status="in-progress">`` (``"complete"`` once the run has ended)."""
    t = INDEX_TEXT
    rows = []
    for e in entries:
        links = " · ".join(f'<a href="{escape(href)}">{escape(kind)}</a>' for kind, href in e.links)
        rows.append(
            f'<tr class="{escape(e.status)}"><td>{escape(e.label)}<br/>'
            f"<small>{escape(e.name)}</small></td><td>{t[e.status]}</td>"
            f'<td>{links}</td><td class="error">{escape(e.error)}</td></tr>'
        )
    head = "".join(f"<th>{t[k]}</th>" for k in ("report", "status", "files", "error"))
    body = (
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        if entries
        else f"<p>{t['none']}</p>"
    )
    counts = {s: sum(e.status == s for e in entries) for s in ("ok", "failed", "pending")}
    summary = t["summary_pending" if counts["pending"] else "summary"].format(**counts)
    note_html = paragraph(note, "note") if note else ""
    progress = "" if complete else paragraph(t["in_progress"], "in-progress")
    return (
        f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"/>'
        f"<title>{escape(title)}</title><style>{INDEX_CSS}</style></head>\n"
        f'<body data-status="{"complete" if complete else "in-progress"}">'
        f"<h1>{escape(title)}</h1>{progress}<p>{t['title']} · {summary}</p>{note_html}{body}"
        "</body></html>\n"
    )


@functools.cache
def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name=TEMPLATE_NAME,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def notebook_html(nb, title: str, lang: str = DEFAULT_LANG) -> str:
    """The executed notebook ``nb`` as one offline HTML page without code cells.

    One exporter is built per process and reused (the first call costs ~0.3 s).
    """
    exporter = _exporter()
    exporter.language_code = lang
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": nfc(title)}})
    return body


def external_urls(html: str) -> list[str]:
    """Every URL outside the page that the browser would load or link to (should be [])."""
    found = []
    for match in _EXTERNAL.finditer(html):
        url = _URL.search(html, match.start())
        found.append(url.group(0) if url else match.group(0))
    return found


class PdfPrinter:
    """One headless Chromium, reused for every page: ``printer.print(html_path, pdf_path)``."""

    def __init__(self, browser):
        self._browser = browser

    def print(self, html_path: str | Path, pdf_path: str | Path) -> Path:
        page = self._browser.new_page()
        try:
            page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
            page.pdf(path=str(pdf_path), format="A4", print_background=True)
        finally:
            page.close()
        return Path(pdf_path)


def chromium_path() -> str | None:
    """Where Chromium is, or None when it is not installed."""
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def no_chromium_message(lang: str = DEFAULT_LANG) -> str:
    return tr(MESSAGES, "no_chromium", lang, path=CHROMIUM)


@contextlib.contextmanager
def pdf_printer(executable: str | None = None) -> Iterator[PdfPrinter | None]:
    """A :class:`PdfPrinter` for the ``with`` block, or None when Chromium is missing."""
    executable = executable or chromium_path()
    if not executable or not Path(executable).exists():
        yield None
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield PdfPrinter(browser)
        finally:
            browser.close()
