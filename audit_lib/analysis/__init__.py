"""Analysis: findings across inspections, corrective actions, the explorer widget, and charts.

Usage::

    from audit_lib.analysis import Actions, Explorer, Findings
    findings = Findings.load(store)       # stored results of the current final sheets
    findings.most_violated()
    Actions.load(store).overdue(on="2025-12-31", by="commune")

``charts`` draws the matplotlib figures that reports and notebooks show.
"""

from audit_lib.analysis import _charts as charts
from audit_lib.analysis._actions import Actions
from audit_lib.analysis._findings import Explorer, Findings, labels, period_years, unit_names

__all__ = ["Actions", "Explorer", "Findings", "charts", "labels", "period_years", "unit_names"]
