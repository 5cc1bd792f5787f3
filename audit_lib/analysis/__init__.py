"""Analysis: findings across inspections, the explorer widget, and charts.

Usage::

    from audit_lib.analysis import Findings, Explorer
    findings = Findings.from_store(store)
    findings.most_violated()

``charts`` draws the matplotlib figures that reports and notebooks show.
"""

from audit_lib.analysis import _charts as charts
from audit_lib.analysis._findings import Explorer, Findings, labels, period_years, unit_names

__all__ = ["Explorer", "Findings", "charts", "labels", "period_years", "unit_names"]
