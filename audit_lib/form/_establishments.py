"""Registering establishments in the form: the communes offered.

Usage::

    from audit_lib.form._establishments import communes
    communes(store)           # the communes valid today, by name, for the dropdown

Searching and checking establishments are the store's
(:meth:`~audit_lib.store.Store.find_establishments`,
:meth:`~audit_lib.store.Store.check_establishment`), so the form, a register
import and any other writer accept and refuse the same establishments.
"""

from __future__ import annotations

from datetime import date

import pandas as pd


def communes(store) -> pd.DataFrame:
    """Communes valid today, ``unit_code, name_vi, name_en, aliases, ...``, by name."""
    units = store.units()
    if units.empty:
        return units
    valid_to = pd.to_datetime(units.valid_to)
    valid = (units.level == "commune") & (valid_to.isna() | (valid_to > pd.Timestamp(date.today())))
    return units[valid].sort_values("name_vi").reset_index(drop=True)
