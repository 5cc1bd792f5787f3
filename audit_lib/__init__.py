"""OSH Audit Workbench: checklists, scoring, store, indicators and reports for
occupational safety and health (ATVSLĐ) inspections in Viet Nam.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("osh-audit-workbench")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"
