"""Indicators of a plan: per unit and period, with exact intervals, targets and verdicts.

Usage::

    from audit_lib.indicators import Frames, compute, load_plan
    plan = load_plan("data/plans/453-KH-HU.yaml")
    with open_store() as store:
        table = compute(plan, Frames.from_store(store), years=[2025], level="commune")
"""

from audit_lib.indicators._compute import CATALOGUE, Frames, compute
from audit_lib.indicators._plan import Plan, check_plan, load_plan, validate_plan
from audit_lib.indicators._stats import verdict_label

__all__ = [
    "CATALOGUE",
    "Frames",
    "Plan",
    "check_plan",
    "compute",
    "load_plan",
    "validate_plan",
    "verdict_label",
]
