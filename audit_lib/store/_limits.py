"""What the store accepts: the largest counts, the longest texts, the characters.

Usage::

    from audit_lib.store import limits, schema
    limits.MAX_VICTIMS                                        # 10000
    limits.text_fault("Mỏ\\x00 Nậm Xe", 300)                  # 'control'
    limits.text_fault("A" * 203, limits.length_of(schema.accidents.c.accident_id))  # 'too_long'
    texts = {"reason": ("đo lại", schema.inspections.c.reason)}  # field: (value, column)
    limits.text_problems("inspection 5f0c…", None, texts)       # [] : a note of any length

SQLite stores whatever it is given; PostgreSQL refuses a number beyond its
column's integer type, a text longer than its ``VARCHAR(n)`` and any NUL byte.
So that both accept and refuse the same data, every value people give is
checked against these limits before it is written (the register columns, the
establishment rules, the inspection writes), and the schema repeats the
ranges and lengths as CHECK constraints (migration 0003) for a write that
skips the checks. The rules:

- a count lies within its column's range (:data:`RANGES` of the schema), far
  inside the 32-bit integers the columns are: the maxima below;
- a text fits its column: no longer than its ``String`` length;
- a one-line text (a ``String`` column: codes, names, ids) holds no control
  character (U+0000–U+001F); a note (a ``Text`` column: notes, reasons,
  aliases, names of inspectors) may hold tabs and line breaks, no other; a
  lone surrogate (not a character, and not storable as UTF-8) is refused too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sqlalchemy as sa

from audit_lib.core.errors import Problem, Reason
from audit_lib.core.i18n import both

MAX_WORKFORCE = 1_000_000
"""Workers of one establishment (Viet Nam's largest employers have about 100,000)."""
MAX_PEOPLE = 100_000_000
"""People counted over a unit and a year: workers, trained, examined (Viet Nam's whole
labour force is about 53 million)."""
MAX_VICTIMS = 10_000
"""Victims of one accident; also the largest number of deaths, seriously injured, victim no."""
MAX_SAMPLES = 1_000_000
"""Working-environment samples of one unit or establishment in one year."""
MAX_AMOUNT_VND = 10**15
"""One compensation payment in đồng; whole đồng up to it are exact as floats too."""
MIN_YEAR, MAX_YEAR = 2000, 2100
"""The years a register row may be about."""
MAX_TRAINING_GROUP = 6
"""Training groups 1–6 of Decree 44/2016."""
MAX_MEASURE = 1e15
"""The largest magnitude of an answer's measured value; infinities and NaN are refused."""
MAX_EVIDENCE_BYTES = 2**30
"""The largest evidence file the store keeps (1 GiB; the form accepts far less)."""

_CONTROL = re.compile(r"[\x00-\x1f\ud800-\udfff]")
_CONTROL_IN_NOTES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")

MESSAGES = {
    "too_long": {
        "vi": "dài {length} ký tự, tối đa {limit}",
        "en": "{length} characters long, at most {limit}",
    },
    "control": {
        "vi": "chứa ký tự điều khiển không in được ({code}); hãy xóa ký tự đó",
        "en": "contains an unprintable control character ({code}); delete it",
    },
    "range": {"vi": "phải từ {low} đến {high}", "en": "must be from {low} to {high}"},
}


def length_of(column: sa.Column) -> int | None:
    """The most characters ``column`` holds; None for a note (``Text``), which holds any."""
    return None if isinstance(column.type, sa.Text) else getattr(column.type, "length", None)


def control_character(text: str, length: int | None) -> str | None:
    """The first character of ``text`` a column of ``length`` (None: a note) refuses, as
    ``'U+0000'``; None when there is none."""
    found = (_CONTROL if length is not None else _CONTROL_IN_NOTES).search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def text_fault(text: str, length: int | None) -> str | None:
    """Why ``text`` cannot be stored in a column of ``length`` characters (None: a note):
    ``'control'``, ``'too_long'``, or None when it can."""
    if control_character(text, length):
        return "control"
    if length is not None and len(text) > length:
        return "too_long"
    return None


def text_message(text: str, length: int | None) -> str | None:
    """What is wrong with storing ``text`` in a column of ``length``, in English then
    Vietnamese; None when nothing is."""
    fault = text_fault(text, length)
    if fault is None:
        return None
    fmt = {"code": control_character(text, length), "length": len(text), "limit": length}
    return both(MESSAGES, fault, **fmt)


def range_message(low: float, high: float) -> str:
    """``'must be from 0 to 10,000 (phải từ 0 đến 10,000)'``: a number outside its range."""
    return both(MESSAGES, "range", low=f"{int(low):,}", high=f"{int(high):,}")


def text_problems(
    where: str, location: str | None, texts: Mapping[str, tuple[object, sa.Column]]
) -> list[Problem]:
    """A problem for each text in ``texts`` (field: value, the column it goes to) that the
    column cannot hold; values that are not text are left to other checks."""
    problems = []
    for field, (value, column) in texts.items():
        if isinstance(value, str):
            message = text_message(value, length_of(column))
            if message:
                problems.append(Problem(where, location, field, message, Reason.VALUE, value))
    return problems
