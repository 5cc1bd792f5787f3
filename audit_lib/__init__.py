"""OSH Audit Workbench: checklists, scoring, store, indicators and reports for
occupational safety and health (ATVSLĐ) inspections in Viet Nam.

Usage in a notebook::

    import audit_lib as al
    checklists = al.load_checklists()
    with al.open_store() as store:
        frames = al.Frames.from_store(store)
    table = al.compute(al.load_plan("data/plans/453-KH-HU.yaml"), frames, years=[2025])

The names below are imported on first use, so ``import audit_lib`` (and the
``audit`` command) stays quick.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("osh-audit-workbench")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"

_EXPORTS = {
    "AuditError": "audit_lib.core.errors",
    "load_checklist": "audit_lib.checklists",
    "load_checklists": "audit_lib.checklists",
    "score": "audit_lib.scoring",
    "score_many": "audit_lib.scoring",
    "open_store": "audit_lib.store",
    "load_plan": "audit_lib.indicators",
    "Frames": "audit_lib.indicators",
    "compute": "audit_lib.indicators",
    "run_inspection_reports": "audit_lib.reports",
    "run_monitoring_report": "audit_lib.reports",
    "show_form": "audit_lib.form",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'audit_lib' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
