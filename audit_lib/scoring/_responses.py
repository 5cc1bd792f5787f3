"""Reading a responses file (YAML or CSV) for ``audit score``, and answer aliases.

Usage::

    from audit_lib.scoring._responses import read_responses, answer_code
    answer_code("Không đạt")        # 'noncompliant'
    answer_code(" kad ")            # 'na'
    answer_code("")                 # None (unanswered)
    read = read_responses("data/examples/inspections.yaml")
    read.inspections    # inspection_id, checklist_id, inspected_on, name, sector, ...
    read.responses      # inspection_id, item_id, answer, value, note, source

The two file formats are described in ``docs/scoring.md``. Every problem in a
file (unknown checklist or item, an answer nobody can read, a bad date or
attribute) is collected and raised as one
:class:`~audit_lib.core.errors.ResponsesError`, each naming the file, the line (CSV)
or inspection (YAML), the item and the field.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd
import yaml

from audit_lib.checklists import StrictLoader, conditions
from audit_lib.core.errors import Problem, Reason, ResponsesError, raise_if_problems
from audit_lib.core.i18n import BOOLEAN_WORDS, nfc
from audit_lib.core.resources import locate
from audit_lib.core.text import fold, parse_date, parse_number
from audit_lib.core.vocabulary import VISIT_TYPES

ANSWER_ALIASES: dict[str, str] = {
    alias: code
    for code, aliases in (
        ("compliant", "Đạt|Dat|Đ|C|Có|yes|y|x|1|✓|✔|ok|true|pass|compliant"),
        (
            "noncompliant",
            "Không đạt|Khong dat|KĐ|KD|Chưa đạt|Không|K|no|n|NC|0|✗|✘|×|false|fail|"
            "non-compliant|noncompliant",
        ),
        ("na", "Không áp dụng|Khong ap dung|KAD|KAĐ|N/A|NA|n.a.|-|–|—|not applicable|na"),
    )
    for alias in aliases.split("|")
}
"""What people type, mapped to answer codes. Matching ignores case, extra
spaces and Vietnamese diacritics (so ``khong dat`` and ``KHÔNG ĐẠT`` both work)."""

INSPECTION_FIELDS = ("inspection_id", "checklist_id", "inspected_on")
OPTIONAL_FIELDS = ("establishment_id", "name", "code", "type", "inspectors")
CSV_ANSWER_FIELDS = ("item_id", "answer", "value", "note")
YAML_FIELDS = ("id", "checklist", "inspected_on", "type", "inspectors", "establishment", "answers")
YAML_ALIASES = {"inspection_id": "id", "checklist_id": "checklist"}


_LOOKUP = {fold(alias): code for alias, code in ANSWER_ALIASES.items()}


class _Invalid(ValueError):
    """A value that cannot be read; the message says what was expected."""


def answer_code(raw: object) -> str | None:
    """The answer code for what was typed; ``None`` when empty; ``ValueError`` when unreadable."""
    if raw is None or (isinstance(raw, float) and raw != raw):
        return None
    if isinstance(raw, bool):
        return "compliant" if raw else "noncompliant"
    if isinstance(raw, int | float) and raw in (0, 1):
        return "compliant" if raw == 1 else "noncompliant"
    if not isinstance(raw, str):
        raise _Invalid(f"cannot read answer {raw!r}; write Đạt, Không đạt or Không áp dụng")
    if not raw.strip():
        return None
    code = _LOOKUP.get(fold(raw))
    if code is None:
        raise _Invalid(
            f"cannot read answer {raw!r}; write Đạt, Không đạt or Không áp dụng "
            "(also accepted: C/KĐ/KAD, yes/no/N/A, 1/0)"
        )
    return code


def _number(raw: object) -> float | None:
    """A number from YAML or a CSV cell (``12``, ``"12,5"``); None when empty; ``_Invalid`` else.

    Read by :func:`~audit_lib.core.text.parse_number` ("1.250" is 1250: a dot groups thousands).
    """
    try:
        return parse_number(raw)
    except ValueError:
        raise _Invalid(f"must be a number, not {raw!r}") from None


def _number_or_none(raw: object) -> float | None:
    try:
        return _number(raw)
    except _Invalid:
        return None


@dataclass(frozen=True)
class Responses:
    """A read responses file: the inspections (with establishment attributes) and the answers."""

    path: str
    inspections: pd.DataFrame
    responses: pd.DataFrame


def read_responses(path: str | os.PathLike, checklists: Mapping | None = None) -> Responses:
    """Read a ``.yaml``/``.yml`` or ``.csv`` responses file and check it against ``checklists``.

    ``checklists`` defaults to the shipped ones (``load_checklists()``).
    Raises ``ResponsesError`` listing every problem.
    """
    if checklists is None:
        from audit_lib.checklists import load_checklists

        checklists = load_checklists()
    path = locate(path)
    reader = _Reader(str(path), checklists)
    if not path.is_file():
        reader.problem(None, None, "file not found", Reason.MISSING)
    elif path.suffix.lower() in (".yaml", ".yml"):
        reader.read_yaml(path)
    elif path.suffix.lower() == ".csv":
        reader.read_csv(path)
    else:
        reader.problem(None, None, "use a .yaml, .yml or .csv file", Reason.VALUE)
    raise_if_problems(ResponsesError, reader.problems)
    return reader.result()


class _Reader:
    """Collects inspections, answers and problems while reading one file."""

    def __init__(self, file: str, checklists: Mapping):
        self.file, self.checklists = file, checklists
        self.problems: list[Problem] = []
        self.inspections: dict[str, dict] = {}
        self.answers: list[dict] = []
        self.answered: set[tuple[str, str]] = set()
        self.first: dict[str, tuple[str, dict]] = {}

    def problem(self, where, field, message, reason=Reason.VALUE, value=None) -> None:
        self.problems.append(Problem(self.file, where, field, message, reason, value))

    def result(self) -> Responses:
        attributes = list(conditions.ATTRIBUTES)
        columns = [*INSPECTION_FIELDS, *OPTIONAL_FIELDS, *attributes]
        inspections = pd.DataFrame(list(self.inspections.values()), columns=columns)
        responses = pd.DataFrame(
            self.answers, columns=["inspection_id", "item_id", "answer", "value", "note", "source"]
        )
        responses["value"] = responses["value"].astype("float64")
        return Responses(self.file, inspections, responses)

    # YAML

    def read_yaml(self, path: Path) -> None:
        text = self._text(path)
        if text is None:
            return
        try:
            data = yaml.load(text, Loader=StrictLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
            self.problem(
                where, None, f"YAML syntax error: {getattr(exc, 'problem', exc)}", Reason.SYNTAX
            )
            return
        entries = data.get("inspections") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            self.problem(None, "inspections", "must be a list of inspections", Reason.MISSING)
            return
        for number, entry in enumerate(entries, start=1):
            self._yaml_inspection(number, entry)

    def _yaml_inspection(self, number: int, entry: object) -> None:
        where = f"inspection #{number}"
        if not isinstance(entry, dict):
            self.problem(where, None, "must be a mapping with id, checklist, inspected_on, answers")
            return
        known = {*YAML_FIELDS, *YAML_ALIASES}
        for key in sorted(set(entry) - known, key=str):
            self.problem(
                where, str(key), f"unknown field; use: {', '.join(sorted(known))}", Reason.UNKNOWN
            )
        establishment = entry.get("establishment") or {}
        if not isinstance(establishment, dict):
            self.problem(where, "establishment", "must be a mapping of attributes")
            establishment = {}
        fields = {
            "inspection_id": entry.get("inspection_id", entry.get("id")),
            "checklist_id": entry.get("checklist_id", entry.get("checklist")),
            "inspected_on": entry.get("inspected_on"),
            "type": entry.get("type"),
            "inspectors": entry.get("inspectors"),
            **establishment,
        }
        iid = self._inspection(where, fields)
        answers = entry.get("answers")
        if not isinstance(answers, dict):
            self.problem(
                f"inspection {iid or number}",
                "answers",
                "must be a mapping item id: answer",
                Reason.MISSING,
            )
            return
        for item_id, raw in answers.items():
            note = value = answer = None
            if isinstance(raw, dict):
                for key in sorted(set(raw) - {"answer", "value", "note"}, key=str):
                    self.problem(
                        f"inspection {iid}, item {item_id}",
                        str(key),
                        "unknown field; use answer, value, note",
                        Reason.UNKNOWN,
                    )
                answer, value, note = raw.get("answer"), raw.get("value"), raw.get("note")
            else:
                answer = raw
            self._answer(iid, f"inspection {iid}", str(item_id), answer, value, note)

    # CSV

    def read_csv(self, path: Path) -> None:
        text = self._text(path)
        if text is None:
            return
        reader = csv.DictReader(text.splitlines(keepends=True))
        header = [h.strip() for h in reader.fieldnames or []]
        reader.fieldnames = header
        missing = [c for c in (*INSPECTION_FIELDS, "item_id", "answer") if c not in header]
        if missing:
            self.problem(
                "line 1",
                ", ".join(missing),
                "missing column(s); needed: " + ", ".join((*INSPECTION_FIELDS, *CSV_ANSWER_FIELDS)),
                Reason.MISSING,
            )
            return
        allowed = {*INSPECTION_FIELDS, *OPTIONAL_FIELDS, *CSV_ANSWER_FIELDS, *conditions.ATTRIBUTES}
        for column in header:
            if column not in allowed:
                self.problem(
                    "line 1",
                    column,
                    "unknown column; known: " + ", ".join(sorted(allowed)),
                    Reason.UNKNOWN,
                )
        for row in reader:
            where = f"line {reader.line_num}"
            fields = {
                k: v
                for k, v in row.items()
                if k in allowed and k not in CSV_ANSWER_FIELDS and v not in (None, "")
            }
            iid = self._inspection(where, fields)
            if iid is not None:
                self._answer(
                    iid,
                    where,
                    (row.get("item_id") or "").strip(),
                    row.get("answer"),
                    row.get("value"),
                    row.get("note"),
                )

    def _text(self, path: Path) -> str | None:
        data = path.read_bytes()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.problem(
                f"line {line}", None, "not UTF-8 text; save the file as UTF-8", Reason.SYNTAX
            )
            return None

    # shared

    def _inspection(self, where: str, fields: dict) -> str | None:
        """Check one inspection's fields; the first mention defines it, later ones must agree."""
        raw_id = fields.get("inspection_id")
        if raw_id is None or not str(raw_id).strip():
            self.problem(where, "inspection_id", "missing inspection id", Reason.MISSING)
            return None
        iid = nfc(str(raw_id).strip())
        first = self.first.get(iid)
        if first is None:
            self.first[iid] = (where, fields)
            self.inspections[iid] = self._parse_inspection(where, iid, fields)
        elif where.startswith("inspection #"):
            self.problem(
                where,
                "inspection_id",
                f"inspection id {iid!r} is used twice",
                Reason.DUPLICATE,
                iid,
            )
            return None
        else:
            first_where, first_fields = first
            for key, value in fields.items():
                if key in first_fields and str(first_fields[key]).strip() != str(value).strip():
                    self.problem(
                        where,
                        key,
                        f"{value!r} differs from {first_fields[key]!r} on {first_where} "
                        "for the same inspection",
                        Reason.CONSISTENCY,
                        value,
                    )
        return iid

    def _parse_inspection(self, where: str, iid: str, fields: dict) -> dict:
        out = {"inspection_id": iid}
        cid = fields.get("checklist_id")
        if cid is None or str(cid).strip() not in self.checklists:
            self.problem(
                where,
                "checklist_id",
                f"unknown checklist {cid!r}; known: " + ", ".join(self.checklists),
                Reason.REFERENCE,
                cid,
            )
        out["checklist_id"] = str(cid).strip() if cid is not None else None
        out["inspected_on"] = self._read(where, "inspected_on", _date, fields.get("inspected_on"))
        for key in OPTIONAL_FIELDS:
            value = fields.get(key)
            if isinstance(value, list):
                value = "; ".join(str(v) for v in value)
            out[key] = nfc(str(value).strip()) if value is not None else None
        if out["type"] is not None and out["type"] not in VISIT_TYPES:
            message = f"unknown inspection type; use one of: {', '.join(VISIT_TYPES)}"
            self.problem(where, "type", message, Reason.VALUE, out["type"])
        for key in conditions.ATTRIBUTES:
            field = f"establishment.{key}" if where.startswith("inspection") else key
            out[key] = self._read(where, field, partial(_attribute, key), fields.get(key))
        for key in sorted(set(fields) - set(out) - {"id", "checklist"}, key=str):
            known = ", ".join([*OPTIONAL_FIELDS, *conditions.ATTRIBUTES])
            self.problem(
                where, f"establishment.{key}", f"unknown attribute; known: {known}", Reason.UNKNOWN
            )
        checklist = self.checklists.get(out["checklist_id"])
        sector, kind = out["sector"], out["kind"]
        if checklist is not None and sector and kind and not checklist.applies_to(sector, kind):
            self.problem(
                where,
                "checklist_id",
                f"checklist {checklist.id} does not apply to sector {sector}, kind {kind}",
                Reason.CONSISTENCY,
            )
        return out

    def _answer(self, iid, where, item_id, answer, value, note) -> None:
        at = f"{where}, item {item_id}"
        checklist = self.checklists.get((self.inspections.get(iid) or {}).get("checklist_id"))
        if checklist is None:
            return
        try:
            item = checklist.item(item_id)
        except KeyError:
            message = f"no such item in checklist {checklist.id}"
            return self.problem(at, "item_id", message, Reason.UNKNOWN, item_id)
        if (iid, item_id) in self.answered:
            message = "item answered twice for the same inspection"
            return self.problem(at, "item_id", message, Reason.DUPLICATE, item_id)
        self.answered.add((iid, item_id))
        measured = item.answer != "compliance"
        if measured and _number_or_none(answer) is not None and _blank(value):
            answer, value = None, answer
        code = self._read(at, "answer", answer_code, answer)
        number = self._read(at, "value", _number, value)
        if number is not None and not measured:
            message = "only count or number items take a value; answer Đạt/Không đạt"
            self.problem(at, "value", message, Reason.VALUE, value)
        elif number is not None and item.answer == "count" and not float(number).is_integer():
            self.problem(at, "value", f"a count must be a whole number, not {value!r}", value=value)
        elif number is not None and item.answer == "count" and number < 0:
            self.problem(at, "value", f"a count cannot be negative: {value!r}", value=value)
        self.answers.append(
            {
                "inspection_id": iid,
                "item_id": item_id,
                "answer": code,
                "value": number,
                "note": None if _blank(note) else nfc(str(note).strip()),
                "source": where,
            }
        )

    def _read(self, at: str, field: str, read, raw):
        """``read(raw)``, or None after recording the problem it raised."""
        try:
            return read(raw)
        except _Invalid as exc:
            self.problem(at, field, str(exc), Reason.VALUE, raw)
            return None


def _date(raw: object) -> date:
    """An inspection date: a YAML date, ``2025-05-12`` or ``12/05/2025``; ``_Invalid`` else."""
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None:
        raise _Invalid(f"date {raw!r} not understood; write 2025-05-12 or 12/05/2025")
    return day


def _attribute(key: str, raw: object) -> object:
    """An establishment attribute read from YAML or a CSV cell; ``_Invalid`` when unreadable."""
    if _blank(raw):
        return None
    kind = conditions.ATTRIBUTES[key]
    if kind == conditions.NUMBER:
        number = None if isinstance(raw, bool) else _number_or_none(raw)
        if number is None or number < 0 or not number.is_integer():
            raise _Invalid(f"must be a whole number of workers, not {raw!r}")
        return int(number)
    if kind == conditions.BOOL:
        value = raw if isinstance(raw, bool) else BOOLEAN_WORDS.get(fold(raw))
        if value is None:
            raise _Invalid(f"must be yes or no (có/không), not {raw!r}")
        return value
    value, allowed = fold(raw), conditions.KNOWN_VALUES.get(key, ())
    if allowed and value not in allowed:
        raise _Invalid(f"unknown {key} {raw!r}; use one of: {', '.join(allowed)}")
    return value


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())
