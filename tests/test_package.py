"""What a notebook gets from ``import audit_lib``."""

from __future__ import annotations

import subprocess
import sys

import pytest

import audit_lib


def test_public_names_are_pinned():
    assert audit_lib.__all__ == [
        "__version__",
        "AuditError",
        "load_checklist",
        "load_checklists",
        "score",
        "score_many",
        "open_store",
        "load_plan",
        "Frames",
        "compute",
        "run_inspection_reports",
        "run_monitoring_report",
        "show_form",
    ]


def test_every_public_name_resolves_to_a_callable_or_class():
    for name in audit_lib.__all__[1:]:
        assert callable(getattr(audit_lib, name)), name


def test_importing_the_package_does_not_import_the_heavy_stack():
    heavy = "{'pandas', 'matplotlib', 'ipywidgets'}"
    code = f"import sys, audit_lib; print(sorted({heavy} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_thing"):
        audit_lib.no_such_thing  # noqa: B018
