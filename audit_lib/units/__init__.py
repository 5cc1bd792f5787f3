"""Administrative units (province, district, commune) through time, and the 2025 crosswalk.

Usage::

    from audit_lib.units import Hierarchy
    tree = Hierarchy(units, crosswalk)
    tree.assign(records, level="commune", at=date(2025, 12, 31))
"""

from audit_lib.units._units import LEVELS, Hierarchy, check_level

__all__ = ["LEVELS", "Hierarchy", "check_level"]
