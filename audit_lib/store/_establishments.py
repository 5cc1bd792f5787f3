"""The rules of an establishment, the same for every door it comes in by.

Usage::

    from audit_lib.store import check_establishments
    tidied, problems = check_establishments(frame, units={"PT-NX"}, lang="vi")  # many rows
    mine = {"code": "62001", "name": "Mỏ Nậm Xe", "kind": "enterprise", "sector": "mining",
            "unit_code": "PT-NX", "workforce": "1.234"}
    row, problems = store.check_establishment(mine, lang="en")   # one, against the store
    [(p.field, p.message) for p in problems]
    # [('code', "Tax or registration code: a tax code is 10 digits, ...")]
    row["workforce"]                                               # 1234

The store's writes (:meth:`~audit_lib.store._store.Store.add_establishment`), the
inspection form and the establishment register import all check with
:func:`check_establishments`, so one establishment is accepted or refused alike
whichever way it is entered. The rules:

- ``code`` is required. An enterprise, a cooperative or another organisation
  is known by its tax code (mã số thuế): 10 digits, or for a branch 10 digits,
  ``-`` and 3 digits (``6200123456``, ``6200123456-001``). A household
  business (hộ kinh doanh) gives its tax code or, without one, its business
  registration number: 3 to 20 letters, digits or ``-``. When adding, the code
  must not be taken (a register import updates a known code instead).
- ``name`` is required, at least 3 characters; ``kind`` and ``sector`` are
  codes of :mod:`audit_lib.core.vocabulary`; ``unit_code`` is required and in
  the unit list.
- ``vsic``, when given, is a VSIC 2018 code: 2 to 5 digits, the section
  letter before them if people write it (``2392``, ``C2392``).
- ``workforce`` is required and ``strict_workers`` (empty: 0) at most the
  workforce, both whole numbers from 0 to :data:`~audit_lib.store._limits.MAX_WORKFORCE`;
  ``hazardous_workers``, the workers in heavy, hazardous or dangerous jobs
  (Circular 11/2020/TT-BLĐTBXH's list), is such a number too, at most the
  workforce, or empty: not known, so that every duty that depends on such
  jobs applies until the inspector finds otherwise.
- each yes/no field is yes or no (empty: no); ``active_from`` and ``active_to``
  are dates, the end not before the start.
- ``high_risk`` is not given: it is derived from ``sector`` and ``vsic`` by
  the sector groups of Circular 07/2016/TT-BLĐTBXH, Art. 8
  (:func:`audit_lib.core.vocabulary.high_risk_of`, ``data/high_risk.yaml``).
  A caller may pass it back (the row :func:`check_establishment` returns
  does), but a value other than the derived one is refused, naming the rule:
  nobody sets it by hand.
- Each text fits its column (``code`` 40 characters, ``name`` 300, ...) and
  holds no control character (:mod:`audit_lib.store._limits`).

Values are tidied first, as they are stored: text in NFC with single spaces,
numbers and dates read by :mod:`audit_lib.core.text` ("1.234" workers are
1234, "01/07/2025" is the 1st of July).
"""

from __future__ import annotations

import datetime as dt
import numbers
import operator
import re
from collections.abc import Callable, Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from audit_lib.core.errors import Problem, Reason
from audit_lib.core.i18n import tr
from audit_lib.core.text import is_blank, parse_date, parse_number, tidy
from audit_lib.core.vocabulary import KINDS, SECTORS, high_risk_of, vsic_digits
from audit_lib.store._limits import MAX_WORKFORCE, control_character, length_of, text_fault
from audit_lib.store._schema import establishments

TEXTS = ("code", "name", "kind", "sector", "vsic", "unit_code")
COUNTS = ("workforce", "strict_workers", "hazardous_workers")
ESTABLISHMENT_FLAGS = ("has_strict_equipment", "labour_relations", "employs_minors")
"""The yes/no attributes people give (``high_risk`` is derived)."""
DATES = ("active_from", "active_to")
FIELDS = (*TEXTS, *COUNTS, *ESTABLISHMENT_FLAGS, *DATES)
"""The attributes of an establishment that people give (``docs/contracts.md``)."""
DERIVED = ("high_risk",)
"""The attributes the rules derive from the others; given, they must agree."""
REQUIRED = ("code", "name", "kind", "sector", "unit_code", "workforce")
WITHIN_WORKFORCE = ("strict_workers", "hazardous_workers")

TAX_CODE = re.compile(r"[0-9]{10}(?:-[0-9]{3})?", re.ASCII)
REGISTRATION_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{2,19}", re.ASCII)

LABELS = {
    "code": {"vi": "Mã số thuế hoặc số đăng ký", "en": "Tax or registration code"},
    "name": {"vi": "Tên cơ sở", "en": "Name"},
    "kind": {"vi": "Loại hình", "en": "Kind"},
    "sector": {"vi": "Ngành", "en": "Sector"},
    "vsic": {"vi": "Mã ngành VSIC", "en": "VSIC code"},
    "unit_code": {"vi": "Đơn vị hành chính", "en": "Administrative unit"},
    "workforce": {"vi": "Số lao động", "en": "Workforce"},
    "strict_workers": {
        "vi": "Số lao động làm công việc có yêu cầu nghiêm ngặt",
        "en": "Workers in strict-requirement jobs",
    },
    "hazardous_workers": {
        "vi": "Số lao động làm nghề, công việc nặng nhọc, độc hại, nguy hiểm",
        "en": "Workers in heavy, hazardous or dangerous jobs",
    },
    "has_strict_equipment": {"vi": "Có thiết bị nghiêm ngặt", "en": "Strict-list equipment"},
    "high_risk": {"vi": "Nguy cơ cao", "en": "High risk"},
    "labour_relations": {"vi": "Có quan hệ lao động", "en": "Labour-relations area"},
    "employs_minors": {"vi": "Có lao động chưa thành niên", "en": "Employs minors"},
    "active_from": {"vi": "Hoạt động từ", "en": "Active from"},
    "active_to": {"vi": "Hoạt động đến", "en": "Active to"},
}
MESSAGES = {
    "required": {"vi": "{field}: bắt buộc", "en": "{field}: required"},
    "tax_code": {
        "vi": "{field}: mã số thuế gồm 10 chữ số, của chi nhánh thêm '-' và 3 chữ số "
        "(ví dụ 6200123456, 6200123456-001); trong Excel hãy định dạng cột là Văn bản "
        "để giữ số 0 ở đầu",
        "en": "{field}: a tax code is 10 digits, a branch's adds '-' and 3 digits "
        "(e.g. 6200123456, 6200123456-001); in Excel, format the column as Text "
        "to keep leading zeros",
    },
    "registration": {
        "vi": "{field}: mã số thuế, hoặc số đăng ký hộ kinh doanh gồm 3–20 chữ cái, "
        "chữ số hoặc '-'",
        "en": "{field}: a tax code, or a household business registration number of "
        "3–20 letters, digits or '-'",
    },
    "taken": {
        "vi": "{field}: mã {code} đã có: {name}",
        "en": "{field}: code {code} already exists: {name}",
    },
    "name_short": {"vi": "{field}: ít nhất 3 ký tự", "en": "{field}: at least 3 characters"},
    "choice": {
        "vi": "{field}: phải là một trong: {choices}",
        "en": "{field}: use one of: {choices}",
    },
    "unit": {
        "vi": "{field}: mã đơn vị không có trong danh mục",
        "en": "{field}: not in the unit list",
    },
    "whole": {
        "vi": "{field}: phải là số nguyên không âm",
        "en": "{field}: must be a whole number, 0 or more",
    },
    "at_most": {"vi": "{field}: không được lớn hơn {limit:,}", "en": "{field}: at most {limit:,}"},
    "too_long": {
        "vi": "{field}: dài {length} ký tự, tối đa {limit}",
        "en": "{field}: {length} characters long, at most {limit}",
    },
    "control": {
        "vi": "{field}: chứa ký tự điều khiển không in được ({code}); hãy xóa ký tự đó",
        "en": "{field}: contains an unprintable control character ({code}); delete it",
    },
    "strict_le": {
        "vi": "{field}: không được lớn hơn số lao động ({workforce})",
        "en": "{field}: cannot exceed the workforce ({workforce})",
    },
    "vsic": {
        "vi": "{field}: mã ngành VSIC gồm 2–5 chữ số, có thể có chữ cái của ngành cấp 1 ở "
        "đầu (ví dụ 2392 hoặc C2392)",
        "en": "{field}: a VSIC code is 2–5 digits, optionally after its section letter "
        "(e.g. 2392 or C2392)",
    },
    "derived": {
        "vi": "{field}: không nhập tay — được xác định từ ngành và mã ngành VSIC theo Điều 8 "
        "Thông tư 07/2016/TT-BLĐTBXH; với ngành và mã này là «{derived}»",
        "en": "{field}: not set by hand — derived from the sector and VSIC code by Circular "
        "07/2016/TT-BLĐTBXH, Art. 8; for this sector and code it is “{derived}”",
    },
    "yes_no": {"vi": "{field}: phải là Có hoặc Không", "en": "{field}: must be yes or no"},
    "date": {
        "vi": "{field}: ngày không hợp lệ (dùng 2025-07-31 hoặc 31/07/2025)",
        "en": "{field}: not a valid date (use 2025-07-31 or 31/07/2025)",
    },
    "ends_before": {
        "vi": "{field}: trước ngày bắt đầu hoạt động ({start})",
        "en": "{field}: before the active-from date ({start})",
    },
    "unknown_field": {
        "vi": "không phải thông tin của cơ sở; dùng: {fields}",
        "en": "not an establishment attribute; use: {fields}",
    },
}


def _say(key: str, field: str | None, lang: str | None, **fmt) -> str:
    """A message in ``lang``; with no ``lang``, English then Vietnamese in brackets."""

    def said(language: str) -> str:
        named = {"field": tr(LABELS, field, language)} if field else {}
        return tr(MESSAGES, key, language, **named, **fmt)

    return said(lang) if lang else f"{said('en')} ({said('vi')})"


# ---- tidying: values as the store keeps them ------------------------------------------


def _text(value: object) -> object:
    return None if is_blank(value) else tidy(value)


def _count(value: object) -> object:
    """A whole number as ``int``; a value that is not one is kept for the check to name."""
    try:
        number = parse_number(value)
    except ValueError:
        return value
    return int(number) if number is not None and number.is_integer() else number


def _flag(value: object) -> object:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    return False if is_blank(value) else value


def _date(value: object) -> object:
    try:
        return parse_date(value)
    except ValueError:
        return value


def _given_flag(value: object) -> object:
    """A derived yes/no as given: None when not given, to be compared with the derived one."""
    return None if is_blank(value) else _flag(value)


def _tidied(frame: pd.DataFrame) -> pd.DataFrame:
    """The establishment columns of ``frame`` tidied; absent ones filled (empty, 0, no).

    The derived columns hold what was given (None: nothing); :func:`check_establishments`
    puts the derived values in their place once it has compared them.
    """
    readers: dict[str, Callable] = {
        **dict.fromkeys(TEXTS, _text),
        **dict.fromkeys(COUNTS, _count),
        **dict.fromkeys(ESTABLISHMENT_FLAGS, _flag),
        **dict.fromkeys(DATES, _date),
        **dict.fromkeys(DERIVED, _given_flag),
    }
    columns = {}
    for name in (*FIELDS, *DERIVED):
        values = frame[name] if name in frame else [None] * len(frame)
        columns[name] = pd.Series([readers[name](v) for v in values], frame.index, dtype=object)
    tidied = pd.DataFrame(columns, index=frame.index)
    tidied["strict_workers"] = tidied["strict_workers"].where(tidied["strict_workers"].notna(), 0)
    return tidied


# ---- the rules ------------------------------------------------------------------------


def _compared(valid: pd.Series, left: pd.Series, compare, right: pd.Series) -> list[bool]:
    """``compare(left, right)`` row by row where ``valid`` (both values readable), else False."""
    return [bool(ok) and compare(a, b) for ok, a, b in zip(valid, left, right, strict=True)]


def _is_count(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 0


def check_establishments(
    frame: pd.DataFrame,
    units: Collection[str],
    taken: Mapping[str, str] | None = None,
    *,
    file: str = "establishment",
    locations: Sequence[str] | None = None,
    fields: Mapping[str, str] | None = None,
    lang: str | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """The rows of ``frame`` tidied as stored, and every problem with them, row by row.

    ``units`` are the known unit codes; ``taken`` maps codes already stored to
    their establishment's name, when the rows are to be added (not updated).
    A problem is at ``file``, ``locations[i]`` (default: the row's code or
    name) and ``fields[name]`` (default: the attribute's name); its message is
    in ``lang``, or English and Vietnamese when ``lang`` is None.
    """
    rows = _tidied(frame)
    if locations is None:
        locations = [c or n or "?" for c, n in zip(rows["code"], rows["name"], strict=True)]
    fields = fields or {}
    found: list[tuple[int, Problem]] = []

    def report(name: str, bad, key: str, reason: Reason, fmt=lambda i: {}) -> None:
        for i in np.flatnonzero(np.asarray(bad, dtype=bool)):
            value = rows[name].iloc[i]
            message = _say(key, name, lang, **fmt(i))
            problem = Problem(file, locations[i], fields.get(name, name), message, reason, value)
            found.append((i, problem))

    given = {name: rows[name].notna() for name in FIELDS}
    for name in REQUIRED:
        report(name, ~given[name], "required", Reason.MISSING)

    code = rows["code"]
    needs_tax_code = rows["kind"].isin([k for k in KINDS if k != "household"])
    tax_code, registration = (
        code.map(lambda c, p=pattern: c is None or bool(p.fullmatch(c)))
        for pattern in (TAX_CODE, REGISTRATION_NUMBER)
    )
    report("code", needs_tax_code & ~tax_code, "tax_code", Reason.VALUE)
    report("code", ~needs_tax_code & ~registration, "registration", Reason.VALUE)
    if taken:
        used = code.isin(list(taken))
        report(
            "code",
            used,
            "taken",
            Reason.DUPLICATE,
            lambda i: {"code": code.iloc[i], "name": taken[code.iloc[i]]},
        )

    for name in TEXTS:
        length = length_of(establishments.c[name])
        faults = rows[name].map(lambda v, m=length: isinstance(v, str) and text_fault(v, m))
        for fault in ("control", "too_long"):
            report(
                name,
                faults == fault,
                fault,
                Reason.VALUE,
                lambda i, n=name, m=length: {
                    "limit": m,
                    "length": len(rows[n].iloc[i]),
                    "code": control_character(rows[n].iloc[i], m),
                },
            )

    short = rows["name"].map(lambda n: n is not None and len(n) < 3)
    report("name", short, "name_short", Reason.VALUE)
    malformed = rows["vsic"].map(lambda v: isinstance(v, str) and not _is_vsic(v))
    report("vsic", given["vsic"] & malformed, "vsic", Reason.VALUE)
    for name, choices in (("kind", KINDS), ("sector", SECTORS)):
        bad = given[name] & ~rows[name].isin(choices)
        report(name, bad, "choice", Reason.VALUE, lambda i, c=choices: {"choices": ", ".join(c)})
    unknown = given["unit_code"] & ~rows["unit_code"].isin(list(units))
    report("unit_code", unknown, "unit", Reason.REFERENCE)

    counts = {name: rows[name].map(_is_count) for name in COUNTS}
    for name in COUNTS:
        report(name, given[name] & ~counts[name], "whole", Reason.TYPE)
        over = _compared(
            counts[name], rows[name], operator.gt, pd.Series(MAX_WORKFORCE, rows.index)
        )
        report(name, over, "at_most", Reason.VALUE, lambda i: {"limit": MAX_WORKFORCE})
    for name in WITHIN_WORKFORCE:
        both = counts["workforce"] & counts[name]
        over = _compared(both, rows[name], operator.gt, rows["workforce"])
        report(
            name,
            over,
            "strict_le",
            Reason.CONSISTENCY,
            lambda i: {"workforce": rows["workforce"].iloc[i]},
        )

    for name in ESTABLISHMENT_FLAGS:
        report(name, ~rows[name].map(lambda v: isinstance(v, bool)), "yes_no", Reason.TYPE)
    dated = {name: rows[name].map(lambda v: isinstance(v, dt.date)) for name in DATES}
    for name in DATES:
        report(name, given[name] & ~dated[name], "date", Reason.TYPE)
    spans = dated["active_from"] & dated["active_to"]
    ends_before = _compared(spans, rows["active_to"], operator.lt, rows["active_from"])
    report(
        "active_to",
        ends_before,
        "ends_before",
        Reason.CONSISTENCY,
        lambda i: {"start": rows["active_from"].iloc[i].isoformat()},
    )

    derived = pd.Series(
        [bool(high_risk_of(s, v)) for s, v in zip(rows["sector"], rows["vsic"], strict=True)],
        rows.index,
        dtype=object,
    )
    given_flag = rows["high_risk"].map(lambda v: isinstance(v, bool))
    report("high_risk", rows["high_risk"].notna() & ~given_flag, "yes_no", Reason.TYPE)
    differs = given_flag & (rows["high_risk"] != derived)
    report(
        "high_risk",
        differs,
        "derived",
        Reason.CONSISTENCY,
        lambda i: {"derived": _say_yes_no(derived.iloc[i], lang)},
    )
    rows["high_risk"] = derived

    found.sort(key=lambda pair: pair[0])
    return rows, [problem for _, problem in found]


def _is_vsic(value: str) -> bool:
    digits = vsic_digits(value)
    return digits is not None and digits.isdigit() and 2 <= len(digits) <= 5


def _say_yes_no(value: bool, lang: str | None) -> str:
    words = {True: {"vi": "Có", "en": "yes"}, False: {"vi": "Không", "en": "no"}}[value]
    return words[lang] if lang else f"{words['en']} / {words['vi']}"


def check_establishment(
    attrs: Mapping[str, object],
    units: Collection[str],
    taken: Mapping[str, str] | None = None,
    lang: str | None = None,
) -> tuple[dict, list[Problem]]:
    """One establishment's row as stored, and every problem with it (unknown attributes too)."""
    where = _text(attrs.get("code")) or _text(attrs.get("name")) or "?"
    frame = pd.DataFrame([{name: attrs.get(name) for name in (*FIELDS, *DERIVED)}], dtype=object)
    tidied, problems = check_establishments(frame, units, taken, locations=[where], lang=lang)
    message = _say("unknown_field", None, lang, fields=", ".join(FIELDS))
    problems += [
        Problem("establishment", where, name, message, Reason.UNKNOWN)
        for name in attrs
        if name not in (*FIELDS, *DERIVED)
    ]
    return tidied.iloc[0].to_dict(), problems
