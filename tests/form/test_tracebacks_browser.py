"""Tracebacks in the browser: what the inspector's page shows when something breaks.

Voilà serves the form without tracebacks (``--show_tracebacks=False``): a cell
that raises shows a short bilingual note, its traceback goes to the server's
output; an unexpected error in the form (here: the evidence folder is a file,
so a photo cannot be kept) shows an error id, its traceback is logged under that
id in ``<home>/logs/form.log`` and the server's output points there.
"""

from __future__ import annotations

import json
import re
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from audit_lib.form import FormServer
from audit_lib.form._server import CELL_ERROR, voila_command
from tests.form import test_form_browser
from tests.form.test_form_browser import CHECKLISTS, CHROMIUM, FLAGS, PNG, TIMEOUT, click_answer

database = test_form_browser.database  # its fixture: two establishments in SQLite

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@contextmanager
def browser_page(url: str):
    """A headless Chromium page open at ``url``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT)
            page.goto(url, timeout=TIMEOUT)
            yield page
        finally:
            browser.close()


def read_when(path: Path, text: str, seconds: float = 20) -> str:
    """``path``'s text once it holds ``text`` (a server writes its output when it can)."""
    deadline = time.monotonic() + seconds
    while True:
        found = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        if text in found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_an_unexpected_error_in_the_page_shows_an_error_id_and_the_log_has_the_traceback(
    database, tmp_path
):
    (tmp_path / "evidence").write_text("not a folder")
    server = FormServer(database, checklists=CHECKLISTS, log=tmp_path / "voila.log")
    server.env.update(
        AUDIT_HOME=str(tmp_path / "home"), AUDIT_EVIDENCE_DIR=str(tmp_path / "evidence")
    )
    with server, browser_page(server.url) as page:
        page.locator(".audit-form").wait_for()
        search = page.locator(".audit-search input")
        search.fill("dat hiem")
        search.press("Enter")
        page.locator(".audit-result", has_text="Đất hiếm").click()
        page.locator(".audit-inspectors input").fill("Nguyễn Văn An")
        page.locator(".audit-start").click()
        click_answer(page, "FG.ORG.02", "Không đạt")
        page.locator(".audit-item-FG-ORG-02 .audit-details-toggle").click()
        with page.expect_file_chooser() as chooser:
            page.locator(".audit-item-FG-ORG-02 .audit-upload").click()
        chooser.value.set_files([{"name": "noi-quy.png", "mimeType": "image/png", "buffer": PNG}])
        message = page.locator(".audit-message", has_text="mã lỗi")
        message.wait_for()
        [error_id] = re.findall(r"mã lỗi ([0-9a-f]{8})", message.inner_text())
        shown = page.inner_text("body") + page.content()
    for leak in ("Traceback", "NotADirectoryError", "FileExistsError", str(tmp_path)):
        assert leak not in shown
    log = read_when(tmp_path / "home" / "logs" / "form.log", error_id)
    assert f"error {error_id}\nTraceback (most recent call last):" in log
    assert str(tmp_path / "evidence") in log
    said = read_when(tmp_path / "voila.log", f"error {error_id}")
    assert f"form: error {error_id} (" in said and "logs/form.log" in said


def test_a_notebook_cell_that_raises_shows_a_note_and_no_traceback(database, tmp_path):
    notebook = tmp_path / "form.ipynb"
    source = "raise RuntimeError('cannot read postgresql://inspector:s3cret@db/audit')"
    notebook.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "code", "execution_count": None, "id": "c1",
                     "metadata": {}, "outputs": [], "source": source},
                ],
                "metadata": {"kernelspec": {"name": "osh-audit", "language": "python",
                                            "display_name": "OSH Audit (Python 3)"}},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        ),
        encoding="utf-8",
    )  # fmt: skip
    server = FormServer(database, log=tmp_path / "voila.log")
    server.command = voila_command(server.port, notebook)
    with server, browser_page(server.url) as page:
        page.get_by_text("the details are in the window running").wait_for()
        shown = page.inner_text("body") + page.content()
    assert "Trang không mở được" in shown
    for leak in ("Traceback", "RuntimeError", "s3cret", "show_tracebacks"):
        assert leak not in shown
    assert "s3cret" in read_when(tmp_path / "voila.log", "s3cret")
    assert CELL_ERROR.startswith("Trang không mở được")
