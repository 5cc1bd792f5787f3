"""Finding and registering establishments in the form: search any way, validate every field.

Usage::

    from audit_lib.form._establishments import search, check_establishment
    search(store, "nam xe")          # name, code or commune, ignoring case and accents
    attrs, problems = check_establishment(store, {"code": "", "workforce": -1, ...}, "vi")
    [(p.field, p.message) for p in problems]   # [('code', 'bắt buộc'), ('workforce', ...)]

Inspectors type names without accents on a laptop keyboard ("dat hiem" for
"Đất hiếm"), so matching folds both sides with :func:`fold`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date

import pandas as pd

from audit_lib.core.errors import Problem, Reason
from audit_lib.core.i18n import tr
from audit_lib.core.vocabulary import KINDS, SECTORS

FLAGS = ("has_strict_equipment", "high_risk", "labour_relations", "employs_minors")
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{2,19}")

MESSAGES = {
    "required": {"vi": "bắt buộc", "en": "required"},
    "code_format": {
        "vi": "chỉ gồm chữ số, chữ cái và dấu '-' (3–20 ký tự), ví dụ 6200123456",
        "en": "digits, letters and '-' only (3–20 characters), e.g. 6200123456",
    },
    "code_taken": {"vi": "mã {code} đã có: {name}", "en": "code {code} already exists: {name}"},
    "name_short": {"vi": "ít nhất 3 ký tự", "en": "at least 3 characters"},
    "choice": {"vi": "phải là một trong: {choices}", "en": "must be one of: {choices}"},
    "whole": {"vi": "phải là số nguyên không âm", "en": "must be a whole number, 0 or more"},
    "strict_le": {
        "vi": "không được lớn hơn tổng số lao động ({workforce})",
        "en": "cannot exceed the workforce ({workforce})",
    },
    "unit_unknown": {"vi": "không có xã/thị trấn {unit}", "en": "no commune {unit}"},
}


def fold(text: object) -> str:
    """Text for matching: lower case, no accents, đ as d. ``fold("Nậm Xe") == "nam xe"``."""
    decomposed = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def communes(store) -> pd.DataFrame:
    """Communes valid today, ``unit_code, name_vi, name_en, aliases, ...``, by name."""
    units = store.units()
    if units.empty:
        return units
    valid_to = pd.to_datetime(units.valid_to)
    valid = (units.level == "commune") & (valid_to.isna() | (valid_to > pd.Timestamp(date.today())))
    return units[valid].sort_values("name_vi").reset_index(drop=True)


def search(store, text: str, limit: int = 20) -> pd.DataFrame:
    """Establishments whose name, code, commune or its aliases contain ``text``, by name.

    The frame is ``store.establishments()`` plus ``commune`` (the unit's name).
    """
    found = store.establishments()
    units = store.units()
    names = dict(zip(units.unit_code, units.name_vi, strict=True))
    aliases = dict(zip(units.unit_code, units.aliases.fillna(""), strict=True))
    found = found.assign(commune=found.unit_code.map(names).fillna(""))
    needle = fold(text).strip()
    if needle:
        haystack = (
            found.name.astype(str)
            + " | "
            + found.code.astype(str)
            + " | "
            + found.commune
            + " | "
            + found.unit_code.map(aliases).fillna("").astype(str)
        ).map(fold)
        found = found[haystack.str.contains(needle, regex=False)]
    return found.sort_values("name").head(limit).reset_index(drop=True)


def check_establishment(store, fields: Mapping, lang: str) -> tuple[dict, list[Problem]]:
    """The attributes to store from the form's raw ``fields``, and every problem with them."""
    problems: list[Problem] = []

    def bad(field_name: str, key: str, reason=Reason.VALUE, **fmt) -> None:
        message = tr(MESSAGES, key, lang, **fmt)
        problems.append(Problem("form", "establishment", field_name, message, reason))

    attrs: dict = {"code": str(fields.get("code") or "").strip()}
    code = attrs["code"]
    if not code:
        bad("code", "required", Reason.MISSING)
    elif not CODE.fullmatch(code):
        bad("code", "code_format")
    else:
        known = store.establishments()
        same = known[known.code.astype(str) == code]
        if len(same):
            bad("code", "code_taken", Reason.DUPLICATE, code=code, name=same.name.iloc[0])
    name = unicodedata.normalize("NFC", " ".join(str(fields.get("name") or "").split()))
    attrs["name"] = name
    if not name:
        bad("name", "required", Reason.MISSING)
    elif len(name) < 3:
        bad("name", "name_short")
    for key, choices in (("kind", KINDS), ("sector", SECTORS)):
        attrs[key] = fields.get(key)
        if attrs[key] not in choices:
            bad(key, "choice", choices=", ".join(choices))
    unit = attrs["unit_code"] = fields.get("unit_code") or None
    known_units = communes(store)
    if unit is None and len(known_units):
        bad("unit_code", "required", Reason.MISSING)
    elif unit is not None and unit not in set(known_units.unit_code):
        bad("unit_code", "unit_unknown", Reason.UNKNOWN, unit=unit)
    for key in ("workforce", "strict_workers"):
        attrs[key] = _whole(fields.get(key))
        if attrs[key] is None:
            bad(key, "whole", Reason.TYPE)
    workforce, strict = attrs["workforce"], attrs["strict_workers"]
    if workforce is not None and strict is not None and strict > workforce:
        bad("strict_workers", "strict_le", Reason.CONSISTENCY, workforce=workforce)
    for key in FLAGS:
        attrs[key] = bool(fields.get(key))
    return attrs, problems


def _whole(raw) -> int | None:
    """A non-negative whole number from a widget value or text, else None."""
    if raw is None or isinstance(raw, bool):
        return None
    try:
        number = float(str(raw).strip())
    except ValueError:
        return None
    if number < 0 or number != int(number):
        return None
    return int(number)
