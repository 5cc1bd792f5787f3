"""The form as the inspector sees it: Voilà serving notebooks/inspection_form.ipynb,
driven by clicks in headless Chromium (Playwright), checked in the database.

``audit form`` runs as a separate process, with the short checklists in
tests/data/form_checklists and a temporary SQLite database with two establishments.
"""

from __future__ import annotations

import hashlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from audit_lib.store import open_store, schema
from tests.conftest import require
from tests.form.test_form import MINE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CHECKLISTS = ROOT / "tests" / "data" / "form_checklists"
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7356a2d0000000049454e44ae426082"
)
BIG_PDF = b"%PDF-1.4\n" + bytes(9 * 1024 * 1024)  # under the 10 MB limit, over one default frame
TIMEOUT = 60_000  # ms: Voilà's first widget needs ~3 s here, much more on a slow CI machine


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    if not CHROMIUM.exists():
        require(
            "AUDIT_REQUIRE_BROWSER",
            "install Debian's chromium (apt-get install chromium) to run the browser tests",
        )
    url = f"sqlite:///{tmp_path_factory.mktemp('form') / 'form.db'}"
    store = open_store(url, upgrade=True)
    with store.transaction() as conn:
        conn.execute(
            sa.insert(schema.units),
            [{"unit_code": "NX", "name_vi": "Nậm Xe", "level": "commune", "aliases": ""}],
        )
    store.add_establishment(**MINE)
    store.add_establishment(
        code="6200000002",
        name="Cửa hàng Hoa Ban",
        kind="household",
        sector="trade",
        unit_code="NX",
        workforce=3,
        strict_workers=0,
        has_strict_equipment=False,
        high_risk=False,
        labour_relations=False,
        employs_minors=False,
    )
    store.close()
    return url


@pytest.fixture(scope="module")
def server(database):
    """``audit form`` run as the inspector runs it; yields the URL it prints, then stops it."""
    audit = Path(sys.executable).with_name("audit")
    command = [str(audit), "form", "--db", database, "--checklists", str(CHECKLISTS),
               "--no-browser"]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in process.stdout], daemon=True
    ).start()
    said = []
    try:
        deadline = time.monotonic() + TIMEOUT / 1000
        while time.monotonic() < deadline and process.poll() is None:
            try:
                said.append(lines.get(timeout=1))
            except queue.Empty:
                continue
            found = re.search(r"http://127\.0\.0\.1:\d+/", said[-1])
            if found:
                yield found.group(0)
                break
        else:
            pytest.fail("audit form printed no URL:\n" + "".join(said))
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the command stops its Voilà in turn
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def page(server):
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT)
            page.goto(server, timeout=TIMEOUT)
            try:
                page.locator(".audit-form").wait_for()
            except PlaywrightTimeoutError:
                pytest.fail("the form did not appear; the page says:\n" + page.inner_text("body"))
            yield page
        finally:
            browser.close()


def click_answer(page, item_id: str, label: str) -> None:
    item = page.locator(f".audit-item-{item_id.replace('.', '-')}")
    item.get_by_role("button", name=label, exact=True).click()
    item.locator(".audit-item-status", has_text="đã lưu").wait_for()


def test_an_inspector_answers_saves_and_finalizes_in_the_browser(page, database):
    search = page.locator(".audit-search input")
    search.wait_for()
    search.fill("dat hiem")
    search.press("Enter")
    page.locator(".audit-result", has_text="Đất hiếm").click()
    inspectors = page.locator(".audit-inspectors input")
    inspectors.fill("Nguyễn Văn An")
    inspectors.press("Tab")
    page.locator(".audit-start").click()

    click_answer(page, "FG.ORG.01", "Đạt")
    click_answer(page, "FG.ORG.02", "Không đạt")
    page.locator(".audit-item-FG-ORG-02 .audit-details-toggle").click()
    with page.expect_file_chooser() as chooser:
        page.locator(".audit-item-FG-ORG-02 .audit-upload").click()
    chooser.value.set_files(
        [
            {"name": "noi-quy.png", "mimeType": "image/png", "buffer": PNG},
            {"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": BIG_PDF},
        ]
    )
    page.locator(".audit-item-FG-ORG-02 .audit-evidence-list", has_text="bien-ban.pdf").wait_for()
    page.get_by_text("Huấn luyện (0/1)").click()
    count = page.locator(".audit-item-FG-TRN-01 .audit-value input")
    count.fill("3")
    count.press("Enter")
    page.locator(".audit-item-FG-TRN-01 .audit-item-status", has_text="đã lưu").wait_for()
    # (3 + 2) / (3 + 2 + 2) = 71.4 %
    page.locator(".audit-live .audit-score", has_text="71.4%").wait_for()

    page.get_by_role("tab", name="Khai khoáng (thử)").click()
    click_answer(page, "FM.GND.01", "Đạt")
    click_answer(page, "FM.GND.02", "Không áp dụng")

    page.locator(".audit-save").click()
    page.locator(".audit-message", has_text="Đã lưu").wait_for()
    page.locator(".audit-finalize").click()
    page.locator(".audit-message", has_text="Đã hoàn tất biên bản số").wait_for()

    store = open_store(database)
    try:
        [number] = store.visits(status="final").record_number
        page.locator(".audit-visit-header .audit-record-number", has_text=number).wait_for()
        finals = store.inspections(status="final")
        assert sorted(finals.checklist_id) == ["form_general", "form_mining"]
        answers = store.responses(inspection_ids=list(finals.inspection_id))
        assert len(answers) == 5
        findings = store.findings(inspection_ids=list(finals.inspection_id))
        assert list(findings.item_id) == ["FG.ORG.02"]
        general = finals.set_index("checklist_id").at["form_general", "inspection_id"]
        evidence = store.evidence(general).set_index("filename")
        assert evidence.at["bien-ban.pdf", "size"] == len(BIG_PDF)
        assert evidence.at["noi-quy.png", "sha256"] == hashlib.sha256(PNG).hexdigest()
    finally:
        store.close()


def test_a_finalize_with_critical_items_unanswered_is_refused_on_the_page(page, database):
    search = page.locator(".audit-search input")
    search.wait_for()
    search.fill("hoa ban")
    search.press("Enter")
    page.locator(".audit-result", has_text="Hoa Ban").click()
    page.locator(".audit-inspectors input").fill("Lò Văn Bình")
    page.locator(".audit-start").click()
    click_answer(page, "FG.ORG.02", "Đạt")
    page.locator(".audit-finalize").click()
    page.locator(".audit-message", has_text="FG.ORG.01").wait_for()
    page.locator(".audit-lang").get_by_role("button", name="English", exact=True).click()
    page.locator(".audit-finalize", has_text="Finalize").wait_for()
    store = open_store(database)
    try:
        shop = store.establishments().set_index("code").at["6200000002", "establishment_id"]
        mine = store.inspections(status=None)
        assert set(mine[mine.establishment_id == shop].status) == {"draft"}
    finally:
        store.close()


def test_a_new_establishment_is_registered_after_its_field_errors_are_fixed(page, database):
    page.locator(".audit-register-toggle").click()
    page.locator(".audit-reg-name input").fill("Xưởng gỗ Hoa Ban")
    page.locator(".audit-reg-workforce input").fill("-2")
    page.locator(".audit-register").click()
    page.get_by_text("bắt buộc").first.wait_for()  # the code, and the commune
    page.get_by_text("phải là số nguyên không âm").wait_for()
    page.locator(".audit-reg-code input").fill("5400999999")
    page.locator(".audit-reg-sector select").select_option(label="Chế biến gỗ")
    page.locator(".audit-reg-unit-code select").select_option(label="Nậm Xe")
    workforce = page.locator(".audit-reg-workforce input")
    workforce.fill("9")
    workforce.press("Enter")
    page.locator(".audit-reg-employs-minors input").check()
    page.locator(".audit-register").click()
    page.locator(".audit-message", has_text="Đã đăng ký cơ sở Xưởng gỗ Hoa Ban").wait_for()
    page.locator(".audit-establishment", has_text="5400999999").wait_for()
    store = open_store(database)
    try:
        row = store.establishments().set_index("code").loc["5400999999"]
        assert (row["name"], row.sector, row.unit_code, int(row.workforce)) == (
            "Xưởng gỗ Hoa Ban", "wood", "NX", 9
        )  # fmt: skip
        assert bool(row.employs_minors)
    finally:
        store.close()
