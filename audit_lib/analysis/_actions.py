"""Corrective actions of the current final records: which are overdue on a day, and where.

Usage::

    from audit_lib.analysis import Actions
    actions = Actions.load(store)         # every action of a current final record
    actions.overdue(on="2025-12-31")      # per establishment: name, commune, count, oldest due
    actions.overdue(on="2025-12-31", by="commune", lang="en")
    Actions.labels(["commune", "overdue"], lang="en")    # headers for a table or a file

An action is **overdue on a day** when it was due before that day and not
closed by then: it has no closing yet, or its closing came later. The
closing day is ``closed_on``: the day of the follow-up visit that found the
action done (``verified_in``), or the day it was closed on documents. So a
list for a past day stays what it was that day. Only the actions of current
final records count: a record since revised counts through its revision.

Establishments are named as they are now; each is counted in the commune
valid on the day that its recorded unit became (the largest part, when a
commune was split), named in the chosen language. ``Actions`` holds plain
frames and every method is pure pandas, so it is tested without a database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from audit_lib.core.errors import InputError, Problem, Reason
from audit_lib.core.i18n import DEFAULT_LANG, tr
from audit_lib.core.text import parse_date
from audit_lib.units import Hierarchy

ACTION_COLUMNS = ["action_id", "inspection_id", "due_on", "closed_on", "verified_in"]
BY = ("establishment", "commune")
COLUMNS = {
    "establishment": ["establishment", "commune", "overdue", "oldest_due_on"],
    "commune": ["commune", "establishments", "overdue", "oldest_due_on"],
}

MESSAGES = {
    "establishment": {"vi": "Cơ sở", "en": "Establishment"},
    "commune": {"vi": "Xã", "en": "Commune"},
    "establishments": {"vi": "Số cơ sở", "en": "Establishments"},
    "overdue": {"vi": "Số biện pháp quá hạn", "en": "Overdue actions"},
    "oldest_due_on": {"vi": "Hạn sớm nhất", "en": "Oldest due date"},
    "no_commune": {"vi": "(chưa rõ xã)", "en": "(commune not known)"},
    "bad_by": {
        "vi": "nhóm theo {value!r} không hợp lệ; dùng: establishment, commune",
        "en": "cannot group by {value!r}; use one of: establishment, commune",
    },
    "bad_on": {
        "vi": "ngày {value!r} không hợp lệ (ví dụ 31/12/2025 hoặc 2025-12-31)",
        "en": "invalid date {value!r} (for example 2025-12-31 or 31/12/2025)",
    },
}


@dataclass(frozen=True)
class Actions:
    """Corrective actions (``action_id, establishment_id, due_on, closed_on``, …), the
    establishments (``establishment_id, name, unit_code``) and the units they are in."""

    actions: pd.DataFrame
    establishments: pd.DataFrame
    tree: Hierarchy

    @staticmethod
    def labels(keys, lang: str = DEFAULT_LANG) -> dict[str, str]:
        """Column name -> header in ``lang`` for the columns of :meth:`overdue`."""
        return {key: tr(MESSAGES, key, lang) for key in keys}

    @staticmethod
    def day(on, lang: str = DEFAULT_LANG) -> dt.date:
        """``on`` as a date (a date, or text such as 2025-12-31 or 31/12/2025); today
        when it is None or blank. :class:`InputError` naming ``--on`` otherwise."""
        try:
            day = parse_date(on)
        except ValueError:
            message = tr(MESSAGES, "bad_on", lang, value=on)
            raise InputError([Problem("--on", None, "on", message, Reason.VALUE, on)]) from None
        return day or dt.date.today()

    @classmethod
    def load(cls, store) -> Actions:
        """The actions of the current final records in ``store``, with their closings."""
        sheets = store.inspections(status="final", current_only=True)
        sheets = sheets[["inspection_id", "establishment_id"]]
        actions = store.actions(columns=ACTION_COLUMNS).merge(sheets, on="inspection_id")
        establishments = store.establishments()[["establishment_id", "name", "unit_code"]]
        return cls(actions, establishments, Hierarchy(store.units(), store.crosswalk()))

    def overdue(self, on=None, by: str = "establishment", lang: str = DEFAULT_LANG) -> pd.DataFrame:
        """Overdue actions on ``on`` (a date or its text; default today), one row per
        establishment (``establishment, commune, overdue, oldest_due_on``) or per commune
        (``commune, establishments, overdue, oldest_due_on``), the most overdue first.

        :class:`InputError` for a ``by`` other than ``establishment`` or ``commune`` and for
        a day that is not a date.
        """
        day = self.day(on, lang)
        if by not in BY:
            message = tr(MESSAGES, "bad_by", lang, value=by)
            raise InputError([Problem("--by", None, "by", message, Reason.VALUE, by)])
        a = self.actions
        due = pd.to_datetime(a["due_on"])
        closed = pd.to_datetime(a["closed_on"])
        limit = pd.Timestamp(day)
        late = a[((due < limit) & (closed.isna() | (closed > limit))).to_numpy()]
        late = late.assign(due_on=pd.to_datetime(late["due_on"]).dt.date)
        per = late.groupby("establishment_id", as_index=False).agg(
            overdue=("action_id", "size"), oldest_due_on=("due_on", "min")
        )
        per = per.merge(self.establishments, on="establishment_id", how="left")
        per["commune"] = self._communes(per["unit_code"], day, lang)
        per = per.rename(columns={"name": "establishment"})
        if by == "commune":
            per = per.groupby("commune", as_index=False).agg(
                establishments=("establishment_id", "size"),
                overdue=("overdue", "sum"),
                oldest_due_on=("oldest_due_on", "min"),
            )
        keys = ["overdue", "oldest_due_on", by]
        per = per.sort_values(keys, ascending=[False, True, True], kind="stable")
        return per[COLUMNS[by]].reset_index(drop=True)

    def _communes(self, units: pd.Series, day: dt.date, lang: str) -> pd.Series:
        """The name of the commune valid on ``day`` each recorded unit became (the
        largest part of a split one); a unit that became none keeps its own name."""
        mapping = self.tree.mapping(units.dropna().unique(), "commune", day)
        best = mapping.sort_values(["code", "share"], ascending=[True, False])
        best = best.drop_duplicates("code")
        became = dict(zip(best["code"], best["unit_code"], strict=True))
        names = self.tree.names(lang)
        unknown = tr(MESSAGES, "no_commune", lang)
        return units.map(
            lambda code: unknown if pd.isna(code) else names.get(became.get(code, code), code)
        )
