"""Tracebacks in the browser: an unexpected error shows an error id, its traceback is logged.

The attack: Voilà ran with ``--show_tracebacks=True`` and the form printed every
unexpected error's traceback into the page (file paths, SQL, the database URL).
Now the page shows a short message in the inspector's language with an error
id; the traceback goes to ``<home>/logs/form.log`` under that id, and the
server's output names the id and the log.
"""

from __future__ import annotations

import re

import ipywidgets as w
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from audit_lib.form import show_form
from audit_lib.form._form import log_path
from audit_lib.form._server import CELL_ERROR, voila_command
from tests.form import test_form
from tests.form.test_form import answer, new_form, open_mine, png_bytes, uploaded

checklists, world = test_form.checklists, test_form.world  # its fixtures

ERROR_ID = re.compile(r"(?:mã lỗi|error id) ([0-9a-f]{8})")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def shown(widget: w.Widget) -> str:
    """Every text the page shows of ``widget`` and its children."""
    texts = [str(getattr(widget, name, "")) for name in ("value", "description", "placeholder")]
    texts += [str(o) for o in getattr(widget, "outputs", ())]
    texts += [shown(child) for child in getattr(widget, "children", ())]
    return "\n".join(texts)


def test_an_unexpected_error_shows_an_error_id_and_logs_its_traceback(world, checklists, home):
    store, *_ = world
    form = new_form(store, checklists)

    def fails():
        raise ZeroDivisionError("secret detail from deep inside")

    form.guard(fails)()
    [error_id] = ERROR_ID.findall(form.message.value)
    assert form.message.value.startswith("<div class='audit-msg-error'")
    assert "Lỗi không mong đợi (mã lỗi " in form.message.value
    page = shown(form.widget)
    for leak in ("Traceback", "ZeroDivisionError", "secret detail", 'File "'):
        assert leak not in page
    log = log_path().read_text(encoding="utf-8")
    assert log_path() == home / "logs" / "form.log"
    assert f"error {error_id}\nTraceback (most recent call last):" in log
    assert "ZeroDivisionError: secret detail from deep inside" in log


def test_an_evidence_folder_that_is_a_file_is_an_error_id_on_the_page(
    world, checklists, home, tmp_path
):
    store, *_ = world
    form = open_mine(store, checklists, lang="en")
    (tmp_path / "evidence").write_text("not a folder")  # where this store keeps its evidence
    item = answer(form, "FG.ORG.02", "noncompliant")
    item.more.value = True
    item.upload.value = (uploaded("noi-quy.png", png_bytes()),)
    [error_id] = ERROR_ID.findall(form.message.value)
    assert "Unexpected error (error id " in form.message.value
    page = shown(form.widget)
    assert "Traceback" not in page and "Error" not in page and str(tmp_path) not in page
    log = log_path().read_text(encoding="utf-8")
    assert f"error {error_id}\nTraceback" in log and str(tmp_path / "evidence") in log
    assert store.evidence(form.sheet_views[0].sheet.inspection_id).empty


def test_an_error_while_the_form_opens_shows_an_error_id(world, home):
    store, *_ = world
    InteractiveShell.instance()
    with capture_output() as captured:  # AUDIT_LANG=fr reaches the notebook's parameter
        assert show_form(store.url, lang="fr") is None
    [output] = captured.outputs
    page = output.data["text/html"]
    [error_id] = ERROR_ID.findall(page)
    assert "Lỗi không mong đợi (mã lỗi" in page
    assert "Traceback" not in page and "ValueError" not in page
    log = log_path().read_text(encoding="utf-8")
    assert f"error {error_id}\nTraceback" in log and "lang must be one of vi, en" in log


def test_a_log_that_cannot_be_written_sends_the_traceback_to_the_server_output(
    world, checklists, tmp_path, monkeypatch, capfd
):
    store, *_ = world
    form = new_form(store, checklists)
    (tmp_path / "not-a-folder").write_text("")
    monkeypatch.setenv("AUDIT_HOME", str(tmp_path / "not-a-folder"))
    form.guard(lambda: 1 / 0)()
    [error_id] = ERROR_ID.findall(form.message.value)
    err = capfd.readouterr().err
    assert f"error {error_id}\nTraceback" in err and "ZeroDivisionError" in err
    assert "Traceback" not in shown(form.widget)


def test_the_server_output_points_at_the_logged_traceback(world, checklists, home, capfd):
    store, *_ = world
    form = new_form(store, checklists)
    form.guard(lambda: 1 / 0)()
    [error_id] = ERROR_ID.findall(form.message.value)
    err = capfd.readouterr().err
    assert f"form: error {error_id} (ZeroDivisionError), traceback in {log_path()}" in err
    assert "Traceback" not in err


def test_voila_is_started_without_tracebacks_for_the_page():
    command = voila_command(8866)
    assert "--show_tracebacks=False" in command
    assert not any("show_tracebacks=True" in a or a == "--debug" for a in command)
    assert f"--VoilaExecutor.cell_error_instruction={CELL_ERROR}" in command
