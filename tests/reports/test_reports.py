"""reports: the batch runner, step by step, on small hand-made notebooks."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from audit_lib.core.errors import ReportError
from audit_lib.reports import _runner as reports
from tests.conftest import require


def kernel_or_skip():
    from jupyter_client.kernelspec import KernelSpecManager

    if reports.KERNEL not in KernelSpecManager().find_kernel_specs():
        require("AUDIT_REQUIRE_KERNEL", "needs the 'osh-audit' Jupyter kernel (make install)")


@pytest.fixture
def tiny(tmp_path):
    """A notebook that shows a typed note, and fails when x is negative."""
    nb = new_notebook(
        cells=[
            new_code_cell('x = 1\nnote = ""\nlang = "vi"', metadata={"tags": ["parameters"]}),
            new_code_cell(
                "from IPython.display import HTML, display\n"
                "from audit_lib.core import html\n"
                "if x < 0:\n"
                "    raise ValueError('x must not be negative')\n"
                "display(HTML(html.paragraph(f'x = {x}; {note}')))"
            ),
        ],
        metadata={"kernelspec": {"name": "osh-audit", "display_name": "OSH", "language": "python"}},
    )
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    return str(path)


def jobs_for(tiny, xs):
    return [
        reports.Job(f"r{i}", tiny, {"x": x, "note": "<script>alert(1)</script>"}, f"Báo cáo {i}")
        for i, x in enumerate(xs)
    ]


def test_normalize_pins_timings_paths_and_the_injected_cell_id():
    nb = new_notebook(cells=[new_code_cell("x = 2", metadata={"tags": ["injected-parameters"]})])
    nb.metadata["papermill"] = {
        "start_time": "2026-01-01T00:00:00",
        "end_time": "x",
        "duration": 1.5,
        "input_path": "/somewhere/notebooks/inspection_report.ipynb",
        "output_path": "/tmp/run/a.ipynb",
        "parameters": {"x": 2},
    }
    nb.cells[0].metadata["papermill"] = {"start_time": "t", "end_time": "t", "duration": 0.1}
    nb.cells[0].metadata["execution"] = {"iopub.status.busy": "t"}
    reports.normalize(nb)
    assert nb.metadata["papermill"] == {
        "input_path": "inspection_report.ipynb",
        "output_path": "a.ipynb",
        "parameters": {"x": 2},
    }
    assert nb.cells[0].metadata == {"tags": ["injected-parameters"], "papermill": {}}
    assert nb.cells[0].id == "injected-parameters"


def test_only_kernel_start_failures_are_retried():
    import zmq
    from papermill.exceptions import PapermillExecutionError

    assert reports._start_error(zmq.error.ZMQError(98, "Address already in use"))
    assert reports._start_error(RuntimeError("Kernel died before replying to kernel_info"))
    assert not reports._start_error(PapermillExecutionError(1, 1, "", "ValueError", "x", []))
    assert not reports._start_error(FileNotFoundError("notebooks/x.ipynb"))


def test_the_database_anchors_relative_sqlite_paths_and_keeps_the_password_out(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    sqlite = f"sqlite:///{tmp_path / 'a.db'}"
    assert reports.database("sqlite:///a.db") == (sqlite, sqlite, {})
    pg = "postgresql+psycopg://u:secret@h:5432/d"
    assert reports.database(pg) == (pg, "postgresql+psycopg://u@h:5432/d", {"PGPASSWORD": "secret"})


def test_index_links_each_report_and_says_why_one_failed(tmp_path):
    job = reports.Job("r0", "x.ipynb", {}, "Cơ sở A")
    outcomes = [
        reports.Outcome(job, "ok", ipynb="r0.ipynb", html="r0.html"),
        reports.Outcome(reports.Job("r1", "x.ipynb", {}), "failed", "NotFoundError: 'zz'"),
    ]
    index = reports.write_index(outcomes, tmp_path, "Biên bản")
    page = index.read_text("utf-8")
    assert '<a href="r0.html">HTML</a>' in page and '<a href="r0.ipynb">ipynb</a>' in page
    assert "NotFoundError: &#x27;zz&#x27;" in page and "lỗi / failed" in page


@pytest.mark.kernel
def test_a_failed_notebook_is_kept_listed_and_raised_after_the_others_finish(tiny, tmp_path):
    kernel_or_skip()
    out = tmp_path / "out"
    with pytest.raises(ReportError) as caught:
        reports.run(jobs_for(tiny, [1, -1, 2]), out, "Thử", workers=2, progress=False)
    assert list(caught.value.failures) == ["r1"]
    assert "ValueError: x must not be negative" in caught.value.failures["r1"]
    assert caught.value.index == str(out / "index.html")
    for name in ("r0", "r1", "r2"):
        assert (out / f"{name}.ipynb").exists() and (out / f"{name}.html").exists()
    failed = nbformat.read(out / "r1.ipynb", as_version=4)
    assert any(o.get("ename") == "ValueError" for c in failed.cells for o in c.get("outputs", []))
    page = (out / "index.html").read_text("utf-8")
    assert page.count("hoàn thành / ok</td>") == 2 and "x must not be negative" in page


@pytest.mark.kernel
def test_two_runs_on_the_same_inputs_give_identical_files_and_escape_typed_text(tiny, tmp_path):
    kernel_or_skip()
    for run in ("a", "b"):
        reports.run(jobs_for(tiny, [3]), tmp_path / run, "Thử", workers=1, progress=False)
    for name in ("r0.html", "r0.ipynb", "index.html"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    page = (tmp_path / "a" / "r0.html").read_text("utf-8")
    assert "x = 3; &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page
    executed = nbformat.read(tmp_path / "a" / "r0.ipynb", as_version=4)
    assert executed.cells[1].id == reports.INJECTED_CELL_ID
    assert "start_time" not in executed.metadata["papermill"]


def test_a_missing_kernel_falls_back_to_the_current_interpreter_and_says_so():
    name, message = reports.kernel_for("no-such-kernel-xyz", "en")
    assert name == reports.FALLBACK_KERNEL
    assert "no-such-kernel-xyz" in message and "ipykernel install" in message


def test_an_empty_plan_writes_an_index_saying_there_is_nothing(tmp_path):
    index = reports.run([], tmp_path, "Không có", progress=False)
    assert "Không có báo cáo nào / No reports" in index.read_text("utf-8")


def rendered(tmp_path) -> list[reports.Outcome]:
    (tmp_path / "r0.html").write_text("<!DOCTYPE html><html><body><p>Biên bản</p></body></html>")
    return [
        reports.Outcome(reports.Job("r0", "x.ipynb", {}), "ok", ipynb="r0.ipynb", html="r0.html"),
        reports.Outcome(reports.Job("r1", "x.ipynb", {}), "failed", "boom"),
    ]


def test_without_chromium_pdfs_are_skipped_with_a_message_and_html_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(reports.render, "chromium_path", lambda: None)
    outcomes, note = reports.print_pdfs(rendered(tmp_path), tmp_path, "en")
    assert note and "Chromium not found" in note and "HTML reports are still written" in note
    assert [o.pdf for o in outcomes] == [None, None] and outcomes[0].ok


def test_a_browser_that_fails_loses_no_html_and_says_why(tmp_path, monkeypatch):
    def broken(executable=None):
        raise RuntimeError("chromium crashed")

    monkeypatch.setattr(reports.render, "pdf_printer", broken)
    outcomes, note = reports.print_pdfs(rendered(tmp_path), tmp_path)
    assert note == "PDF: RuntimeError: chromium crashed"
    assert [o.status for o in outcomes] == ["ok", "failed"] and outcomes[0].html == "r0.html"


@pytest.mark.browser
def test_pdfs_are_printed_for_the_reports_that_worked(tmp_path):
    if not reports.render.chromium_path():
        require("AUDIT_REQUIRE_BROWSER", "needs /usr/bin/chromium (apt-get install chromium)")
    outcomes, note = reports.print_pdfs(rendered(tmp_path), tmp_path)
    assert note is None
    assert [o.pdf for o in outcomes] == ["r0.pdf", None]
    assert (tmp_path / "r0.pdf").read_bytes().startswith(b"%PDF")
    page = reports.index_html(outcomes, "x")
    assert '<a href="r0.pdf">PDF</a>' in page
