"""render: escaped fragments, offline pages, the index page, PDF through Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from audit_lib.core import html
from audit_lib.reports import _render as render
from tests.conftest import require

SCRIPT = "<script>alert('x')</script>"


def notebook_showing(html: str):
    output = new_output("display_data", data={"text/html": html, "text/plain": "..."})
    return new_notebook(
        cells=[
            new_markdown_cell("# Tiêu đề"),
            new_code_cell("print('secret source code')", outputs=[output]),
        ]
    )


def test_typed_text_is_escaped_in_tables_and_key_values():
    frame = pd.DataFrame({"note": [SCRIPT], "n": [2.5]})
    table = html.table(frame, {"note": "Ghi chú", "n": "Số"}, {"n": ".1f"})
    pairs = html.key_values([("Tên <b>", SCRIPT)])
    for fragment in (table, pairs):
        assert "<script>" not in fragment
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in fragment
    assert "&lt;b&gt;" in pairs


@given(st.text())
def test_escape_never_leaves_markup(text):
    escaped = html.escape(text)
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped


def test_missing_values_show_as_blank_and_numbers_align_right():
    frame = pd.DataFrame({"a": [None, float("nan"), pd.NA], "b": [1, 2, 3]})
    page = html.table(frame, {"a": "A", "b": "B"})
    assert page.count("<td></td>") == 3
    assert page.count('<td class="num">') == 3


def test_dates_are_written_the_vietnamese_way_and_never_break():
    assert html.day("2025-04-14", "vi") == "14/04/2025"
    assert html.day(pd.Timestamp("2025-04-14"), "en") == "2025-04-14"
    assert html.day(None) == "" and html.day(pd.NaT) == ""
    page = html.table(
        pd.DataFrame({"due_on": ["14/04/2025"]}), {"due_on": "Hạn"}, nowrap=["due_on"]
    )
    assert '<td class="date">14/04/2025</td>' in page


def test_an_empty_table_says_so():
    assert html.table(pd.DataFrame({"a": []}), {"a": "A"}, empty="Không có") == (
        '<p class="note">Không có</p>'
    )


def test_notebook_page_has_no_code_no_prompts_and_no_external_url():
    page = render.notebook_html(notebook_showing(html.paragraph(SCRIPT)), "Biên bản", "vi")
    assert "secret source code" not in page
    assert "In&nbsp;[" not in page and "Out[" not in page
    assert "<script" not in page  # no require.js, MathJax, Mermaid, nor the typed note
    assert "&lt;script&gt;" in page
    assert render.external_urls(page) == []
    assert "http://" not in page and "https://" not in page
    assert '<html lang="vi">' in page and "<title>Biên bản</title>" in page


def test_external_urls_are_found_in_src_href_and_css():
    page = (
        '<img src="https://cdn.example/x.png"><a href="//cdn.example/y">y</a>'
        "<style>div { background: url(http://example.org/z.png) }</style>"
        '<a href="#local">ok</a><img src="data:image/png;base64,AAAA">'
    )
    assert render.external_urls(page) == [
        "https://cdn.example/x.png",
        "//cdn.example/y",
        "http://example.org/z.png",
    ]


def test_the_stock_lab_template_would_fail_the_offline_check():
    from nbconvert import HTMLExporter

    stock, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook_showing("<p>x</p>"))
    assert render.external_urls(stock)


def test_official_blocks_carry_the_national_motto_signatures_and_provenance():
    head = html.national_heading("vi")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in head
    assert "Độc lập - Tự do - Hạnh phúc" in head
    assert "SOCIALIST REPUBLIC OF VIET NAM" in html.national_heading("en")
    signs = html.signatures([("TRƯỞNG ĐOÀN", "Lò Văn <A>")], "vi")
    assert "Lò Văn &lt;A&gt;" in signs and "(Ký, ghi rõ họ tên)" in signs
    block = html.provenance([("sha256", "ab12")], "en")
    assert "Provenance of this report" in block and "ab12" in block


def test_index_page_lists_every_report_with_status_and_error_escaped():
    entries = [
        render.IndexEntry("Cơ sở A", "inspection-1", "ok", [("HTML", "inspection-1.html")]),
        render.IndexEntry("<b>B</b>", "inspection-2", "failed", [("ipynb", "x.ipynb")], "Boom <x>"),
    ]
    page = render.index_page("Mục lục", entries, note="PDF skipped")
    assert page.count("<tr class=") == 2
    assert '<a href="inspection-1.html">HTML</a>' in page
    assert "lỗi / failed" in page and "Boom &lt;x&gt;" in page and "&lt;b&gt;B" in page
    assert "1 hoàn thành, 1 lỗi / 1 ok, 1 failed" in page
    assert render.external_urls(page) == []


def test_missing_chromium_gives_no_printer_and_a_bilingual_message(tmp_path):
    with render.pdf_printer(str(tmp_path / "no-chromium")) as printer:
        assert printer is None
    assert "Chromium" in render.no_chromium_message("vi") and "PDF" in render.no_chromium_message(
        "en"
    )


@pytest.mark.browser
def test_pdf_is_an_a4_document(tmp_path):
    if not render.chromium_path():
        require("AUDIT_REQUIRE_BROWSER", "needs /usr/bin/chromium (apt-get install chromium)")
    page = tmp_path / "r.html"
    page.write_text(render.notebook_html(notebook_showing("<p>Biên bản</p>"), "r"), "utf-8")
    with render.pdf_printer() as printer:
        pdf = printer.print(page, tmp_path / "r.pdf")
        second = printer.print(page, tmp_path / "r2.pdf")
    data = Path(pdf).read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/MediaBox [0 0 595" in data  # A4: 595 x 842 points
    assert second.exists() and os.path.getsize(second) > 0


def test_a_written_notebook_round_trips_through_the_exporter(tmp_path):
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook_showing("<p>ok</p>"), path)
    page = render.notebook_html(nbformat.read(path, as_version=4), "nb", "en")
    assert "<p>ok</p>" in page and '<html lang="en">' in page
