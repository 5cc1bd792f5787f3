"""Notebook parameters: declared once, in each ``parameters`` cell, in papermill's documented
form ``name: type = value  # help``, so ``papermill --help-notebook`` describes every report
and the runner reads them instead of keeping its own list.

papermill's parser skips a parameter it cannot read (a PEP 604 annotation such as
``str | None``, nteract/papermill#695): write ``Optional[str]``. The first test catches it.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import nbformat
import papermill
import pytest

from audit_lib.core.errors import InputError
from audit_lib.reports import _runner as reports
from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def assigned_names(path) -> list[str]:
    """The names the parameters cell assigns, read by Python itself rather than papermill."""
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    names = []
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.AnnAssign):
            names.append(node.target.id)
        elif isinstance(node, ast.Assign):
            names.extend(target.id for target in node.targets)
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_papermill_reads_every_parameter_with_its_type_and_help(path):
    declared = papermill.inspect_notebook(path)
    assert list(declared) == assigned_names(path)
    for name, parameter in declared.items():
        assert parameter["inferred_type_name"] != "None", f"{name}: no type annotation"
        assert parameter["help"], f"{name}: no '# help' comment"


@pytest.mark.slow  # one papermill command line per notebook: ~3 s each
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_help_notebook_prints_each_parameter_and_its_help(path):
    shown = subprocess.run(
        [sys.executable, "-m", "papermill", "--help-notebook", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name, parameter in papermill.inspect_notebook(path).items():
        assert f"  {name}: {parameter['inferred_type_name']} (default " in shown
        assert parameter["help"] in shown


def test_a_job_with_an_unknown_parameter_is_refused_by_name_before_any_kernel_starts(
    tmp_path, monkeypatch
):
    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel was about to start")

    monkeypatch.setattr(reports, "kernel_for", no_kernel)
    monkeypatch.setattr(reports, "execute_all", no_kernel)
    job = reports.Job("r0", "inspection_report", {"visit_id": "x", "langue": "en"})
    out = tmp_path / "out"
    with pytest.raises(InputError) as caught:
        reports.run([job], out, "Thử", progress=False)
    (problem,) = caught.value.problems
    assert (problem.location, problem.field, problem.reason) == ("job r0", "langue", "unknown")
    message = str(caught.value)
    assert "langue: sổ tay không khai báo tham số này" in message
    assert "the notebook declares no such parameter (it declares: visit_id, db_url, lang)" in (
        message
    )
    assert not out.exists()


def test_a_missing_notebook_is_refused_before_any_kernel_starts(tmp_path):
    jobs = [reports.Job(f"r{i}", str(tmp_path / "gone.ipynb"), {}) for i in range(2)]
    with pytest.raises(InputError) as caught:
        reports.check_parameters(jobs)
    (problem,) = caught.value.problems
    assert problem.location == "job r0" and problem.reason == "missing"
    assert "không có sổ tay này / no such notebook" in str(caught.value)


def test_a_job_may_leave_declared_parameters_at_their_defaults():
    jobs = [
        reports.Job("i", "inspection_report", {"visit_id": "x"}),
        reports.Job("m", "monitoring_report", {"unit": "LC-SSH", "lang": "en"}),
        reports.Job("e", "explore_findings", {}),
    ]
    reports.check_parameters(jobs)
