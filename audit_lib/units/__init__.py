"""Administrative units (province, district, commune) through time, and the 2025 crosswalk.

Usage::

    from audit_lib.units import Hierarchy
    tree = Hierarchy(units, crosswalk)
    tree.assign(records, level="commune", at=date(2025, 12, 31))
    crosswalk_problems(crosswalk)    # old units whose shares do not add up to 1
    units_problems(units)            # loops of parent units (A → B → A)
    tree.crossings("commune", at)    # notes on units that crossed a district line
    crosswalk_sources(crosswalk)     # the sources cited for its rows
"""

from audit_lib.units._units import (
    LEVELS,
    SHARE_TOLERANCE,
    Hierarchy,
    check_level,
    crosswalk_problems,
    crosswalk_sources,
    made_mostly_of,
    parent_loops,
    unbalanced_shares,
    units_problems,
)

__all__ = [
    "LEVELS",
    "SHARE_TOLERANCE",
    "Hierarchy",
    "check_level",
    "crosswalk_problems",
    "crosswalk_sources",
    "made_mostly_of",
    "parent_loops",
    "unbalanced_shares",
    "units_problems",
]
