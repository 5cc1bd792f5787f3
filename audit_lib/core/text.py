"""Text as people write it: accent-folded keys, numbers and dates.

Usage::

    from audit_lib.core.text import fold, is_blank, latest_day, parse_date, parse_number, tidy
    fold("  Đất Hiếm  NẬM XE ")      # 'dat hiem nam xe': for search and matching only
    tidy("  Xưởng  gỗ ")             # 'Xưởng gỗ': NFC, single spaces, for storing
    parse_number("2,5")              # 2.5
    parse_number("1.234")            # 1234.0: the dot groups thousands, as Vietnamese write
    parse_date("31/07/2025")         # datetime.date(2025, 7, 31): day first
    is_blank(float("nan"))           # True: an empty cell, whatever the reader made of it
    latest_day()                     # tomorrow: a later accident or visit cannot have happened

These are the workbench's only rules for reading such text: the form, the
registers, the responses files, the store and the unit names all call them,
so "Đ" and "1,5" mean the same wherever they are typed.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
import unicodedata

import numpy as np
import pandas as pd

_D = str.maketrans({"đ": "d", "Đ": "d", "\u00d0": "d"})
"""Đ has no decomposition in Unicode; U+00D0 (Ð) is the look-alike some keyboards type."""


def tidy(text: object) -> str:
    """``tidy("  Xưởng \\t gỗ ")`` is ``'Xưởng gỗ'``: NFC, whitespace collapsed, stripped.

    The form of a name or code as it is stored and shown: accents and case kept.
    """
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def fold(text: object) -> str:
    """``fold("Đất Hiếm  NẬM XE")`` is ``'dat hiem nam xe'``: the key two texts match on.

    Whatever Unicode form it came in (composed or decomposed), the text loses
    its diacritics (``đ``/``Đ`` become ``d``), is case-folded, and its
    whitespace is collapsed to single spaces and stripped. Folding twice
    changes nothing. It does not reorder or drop words: "Nậm Xe xã" and
    "xã Nậm Xe" stay different keys.
    """
    decomposed = unicodedata.normalize("NFD", str(text).translate(_D).casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(unicodedata.normalize("NFC", bare).casefold().split())


def is_blank(raw: object) -> bool:
    """``is_blank("  ")`` is True: None, NaN, NaT, ``pd.NA`` and whitespace are an empty cell."""
    if isinstance(raw, str):
        return not raw.strip()
    return raw is None or (pd.api.types.is_scalar(raw) and bool(pd.isna(raw)))


_NUMBER = re.compile(r"([+-]?)([0-9.,\s]*[0-9][0-9.,\s]*|[0-9.,]*)([eE][+-]?[0-9]+)?", re.ASCII)
_VIETNAMESE_THOUSANDS = re.compile(r"[1-9][0-9]{0,2}\.[0-9]{3}", re.ASCII)


def parse_number(raw: object) -> float | None:
    """``parse_number("2,5")`` is ``2.5``; blank gives ``None``; unreadable raises ``ValueError``.

    Numbers pass through (``12`` → ``12.0``); a yes/no does not (``True`` raises).
    Text is read by these rules, in order:

    - spaces between digits group thousands: ``"1 234 567"``;
    - with both ``,`` and ``.``, the later one is the decimal mark and the
      other groups thousands: ``"1.234,5"`` and ``"1,234.5"`` are 1234.5;
    - a single ``,`` is the decimal mark, as Vietnamese write it: ``"2,5"`` is
      2.5 and ``"1,234"`` is 1.234; several group thousands: ``"1,234,567"``;
    - several ``.`` group thousands: ``"1.234.567"``; a single ``.`` with exactly
      three digits after one to three digits (not starting with 0) groups
      thousands too, as Vietnamese write it: ``"1.234"`` and ``"12.500"`` are
      1234 and 12500; any other single ``.`` is a decimal point: ``"2.5"``,
      ``"0.125"``, ``"1234.5"``, ``"1.2345"``;
    - grouped digits come in threes (``"1.23.456"`` is refused); a sign and an
      exponent (``"-3"``, ``"1e-05"``, as spreadsheets write) are accepted.
    """
    if isinstance(raw, bool):
        raise ValueError(f"a yes/no is not a number: {raw!r}")
    if is_blank(raw):
        return None
    if isinstance(raw, numbers.Real):
        return float(raw)
    text = unicodedata.normalize("NFC", str(raw)).strip().replace("\u2212", "-")
    found = _NUMBER.fullmatch(text)
    if not found:
        raise ValueError(f"not a number: {raw!r}")
    sign, body, exponent = found.groups()
    body = re.sub(r"(?<=[0-9])\s+(?=[0-9])", " ", body.strip())
    whole, fraction = _split_decimal(body, raw)
    digits = _ungrouped(whole, raw)
    if not (digits or fraction):
        raise ValueError(f"not a number: {raw!r}")
    return float(f"{sign}{digits or '0'}.{fraction or '0'}{exponent or ''}")


def _split_decimal(body: str, raw: object) -> tuple[str, str]:
    """The whole part (grouping marks still in it) and the fraction's digits."""
    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        mark = "," if body.rfind(",") > body.rfind(".") else "."
    elif commas:
        mark = "," if commas == 1 else None
    elif dots == 1 and not _VIETNAMESE_THOUSANDS.fullmatch(body):
        mark = "."
    else:
        mark = None
    if mark is None:
        return body, ""
    parts = body.split(mark)
    if len(parts) != 2 or not re.fullmatch(r"[0-9]*", parts[1], re.ASCII):
        raise ValueError(f"not a number: {raw!r}")
    return parts[0], parts[1]


def _ungrouped(whole: str, raw: object) -> str:
    """The digits of ``whole``, whose one grouping mark (if any) must split it in threes."""
    marks = set(whole) - set("0123456789")
    if not marks:
        return whole
    mark = marks.pop()
    if marks or not re.fullmatch(rf"[0-9]{{1,3}}(?:{re.escape(mark)}[0-9]{{3}})+", whole):
        raise ValueError(f"not a number: {raw!r} (thousands are grouped in threes)")
    return whole.replace(mark, "")


_TIME = r"(?:[T ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
_ISO = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})" + _TIME, re.ASCII)
_DAY_FIRST = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})", re.ASCII)


def parse_date(raw: object) -> dt.date | None:
    """``parse_date("31/07/2025")`` is ``date(2025, 7, 31)``; blank gives ``None``.

    Accepted: a ``date`` or ``datetime`` (also pandas' and numpy's, as a
    spreadsheet or YAML gives them; the time is dropped), ISO text
    ``2025-07-31`` (optionally with a time, as exports write), and text day
    first as Vietnamese write it: ``31/07/2025``, ``31-07-2025``,
    ``31.07.2025``, ``1/7/2025``. Two-digit years, month-first text and bare
    numbers (Excel serials) are refused with ``ValueError``, as is a day that
    does not exist (``30/02/2025``).
    """
    if is_blank(raw):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, np.datetime64):
        return pd.Timestamp(raw).date()
    if not isinstance(raw, str):
        raise ValueError(f"not a date: {raw!r}")
    text = raw.strip()
    if found := _ISO.fullmatch(text):
        year, _, month, day = found.groups()
    elif found := _DAY_FIRST.fullmatch(text):
        day, _, month, year = found.groups()
    else:
        raise ValueError(f"not a date: {raw!r} (write 2025-07-31 or 31/07/2025)")
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"no such day: {raw!r}") from None


FUTURE_MARGIN = dt.timedelta(days=1)
"""How far past today a date of something that happened may be: the time zones between
a server and the people using it (Viet Nam is UTC+7)."""


def latest_day() -> dt.date:
    """The last day a record of something that happened may carry: today plus :data:`FUTURE_MARGIN`.

    An accident, a training, an examination or a visit dated after it has not
    happened yet: the registers and the store refuse it where it is entered.
    """
    return dt.date.today() + FUTURE_MARGIN
