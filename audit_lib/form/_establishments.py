"""Registering establishments in the form: the communes offered, high risk as derived.

Usage::

    from audit_lib.form._establishments import communes, high_risk_note
    communes(store)           # the communes valid today, by name, for the dropdown
    high_risk_note("manufacturing", "2392", "en")
    # 'High risk: yes — group 4 “Manufacture of non-metallic mineral products ...”
    #  (Thông tư 07/2016/TT-BLĐTBXH, Điều 8)'

Searching and checking establishments are the store's
(:meth:`~audit_lib.store.Store.find_establishments`,
:meth:`~audit_lib.store.Store.check_establishment`), so the form, a register
import and any other writer accept and refuse the same establishments.
High risk is not asked: :func:`high_risk_note` shows what the law makes of the
sector and VSIC code as they are typed, and why.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from audit_lib.core.i18n import tr
from audit_lib.core.vocabulary import high_risk_of, high_risk_rules, vsic_digits

MESSAGES = {
    "yes": {
        "vi": "Nguy cơ cao: Có — {groups} ({citation})",
        "en": "High risk: yes — {groups} ({citation})",
    },
    "group": {"vi": "nhóm {n} «{name}»", "en": "group {n} “{name}”"},
    "no": {
        "vi": "Nguy cơ cao: Không — ngành và mã VSIC không thuộc nhóm nào của {citation}",
        "en": "High risk: no — the sector and VSIC code are in no group of {citation}",
    },
    "no_vsic": {
        "vi": "; nếu cơ sở làm một nghề của các nhóm đó (ví dụ lò gạch, vôi: 2392, 2394; hóa "
        "chất: 20), hãy nhập mã VSIC",
        "en": "; if the establishment works in one of those groups (e.g. brick or lime kilns: "
        "2392, 2394; chemicals: 20), give its VSIC code",
    },
}


def communes(store) -> pd.DataFrame:
    """Communes valid today, ``unit_code, name_vi, name_en, aliases, ...``, by name."""
    units = store.units()
    if units.empty:
        return units
    valid_to = pd.to_datetime(units.valid_to)
    valid = (units.level == "commune") & (valid_to.isna() | (valid_to > pd.Timestamp(date.today())))
    return units[valid].sort_values("name_vi").reset_index(drop=True)


def high_risk_note(sector: str | None, vsic: str | None, lang: str) -> str:
    """Whether an establishment of ``sector`` and ``vsic`` is high-risk, and by which group
    of Circular 07/2016/TT-BLĐTBXH, Art. 8 (the store derives it the same way)."""
    rules = high_risk_rules()
    names = {g.group: g.name for g in rules.groups}
    found = high_risk_of(sector, vsic)
    if found:
        groups = ", ".join(tr(MESSAGES, "group", lang, n=n, name=names[n][lang]) for n in found)
        return tr(MESSAGES, "yes", lang, groups=groups, citation=rules.citation)
    said = tr(MESSAGES, "no", lang, citation=rules.citation)
    return said + ("" if vsic_digits(vsic) else tr(MESSAGES, "no_vsic", lang))
