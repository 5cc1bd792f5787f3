"""Where a checklist file is wrong: YAML reading, cross-checks and plain-language problems.

Usage (``audit_lib.checklists._model`` calls these; you rarely need them directly)::

    data, problems = read_yaml(Path("checklists/mining.yaml"), "checklists/mining.yaml")
    problems += cross_check(data, "checklists/mining.yaml")     # ids, references, grade bands
    try:
        Checklist.model_validate(data)
    except ValidationError as exc:
        problems += pydantic_problems(exc, data, "checklists/mining.yaml", Checklist)
    print(problems[0])   # checklists/mining.yaml: item MIN.VEN.02: weight: must be greater than 0

Every problem names the file, where in it (``line 12, column 5``, ``item GEN.ORG.01``,
``section ORG``, ``grade B``), the field (``text.vi``, ``threshold.item``) and what
is wrong in plain words, never in pydantic's terms.
"""

from __future__ import annotations

import types
from itertools import pairwise
from pathlib import Path
from typing import Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from audit_lib.core.errors import Problem, Reason


class StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A safe YAML loader (libyaml's when available) that refuses a key given twice
    and reports an impossible date."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str | int | float | bool | None):
                continue  # the base class reports keys that cannot be keys
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node):
        """A date that does not exist (2025-13-45) is a problem at its line, not a crash."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"'{node.value}' is not a valid date ({exc})", node.start_mark
            ) from exc


StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictLoader.construct_yaml_timestamp)


def read_yaml(path: Path, name: str) -> tuple[dict | None, list[Problem]]:
    """The mapping in a YAML file, or ``None`` and the problem (``name`` is the file as shown).

    ``read_yaml(Path("plan.yaml"), "plan.yaml")`` -> ``({"id": ...}, [])``; a syntax error
    gives ``(None, [Problem("plan.yaml", "line 4, column 7", None, "YAML syntax error: ...")])``.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(name, None, None, f"not UTF-8 text ({exc.reason})", Reason.SYNTAX)]
    try:
        data = yaml.load(text, Loader=StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        what = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        message = f"YAML syntax error: {what}" + (f" ({context})" if context else "")
        return None, [Problem(name, where, None, message, Reason.SYNTAX)]
    if not isinstance(data, dict):
        message = "the file must hold a mapping of fields (key: value lines), not a list or a value"
        return None, [Problem(name, None, None, message, Reason.TYPE)]
    return data, []


def _dicts(value: object) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _raw_items(data: dict) -> list[tuple[object, dict]]:
    """(section id, item) for every item mapping in the raw YAML data."""
    return [(s.get("id"), i) for s in _dicts(data.get("sections")) for i in _dicts(s.get("items"))]


def _check_ids(data: dict, name: str) -> list[Problem]:
    problems, sections, items = [], set(), {}
    for section in _dicts(data.get("sections")):
        if isinstance(section.get("id"), str) and section["id"] in sections:
            problems.append(
                Problem(
                    name,
                    f"section {section['id']}",
                    "id",
                    "duplicate section id",
                    Reason.DUPLICATE,
                    section["id"],
                )
            )
        sections.add(section.get("id"))
    for section_id, item in _raw_items(data):
        item_id = item.get("id")
        if not isinstance(item_id, str):
            continue
        if item_id in items:
            message = f"duplicate item id (also in section {items[item_id]})"
            problems.append(
                Problem(name, f"item {item_id}", "id", message, Reason.DUPLICATE, item_id)
            )
        items.setdefault(item_id, section_id)
    return problems


def _check_thresholds(data: dict, name: str) -> list[Problem]:
    problems = []
    answers = {i.get("id"): i.get("answer", "compliance") for _, i in _raw_items(data)}
    for _, item in _raw_items(data):
        threshold, where = item.get("threshold"), f"item {item.get('id')}"
        if threshold is None:
            continue
        if item.get("answer", "compliance") == "compliance":
            message = (
                "only count or number items take a threshold; set answer: count "
                "or answer: number, or remove the threshold"
            )
            problems.append(Problem(name, where, "threshold", message, Reason.CONSISTENCY))
        ref = threshold.get("item") if isinstance(threshold, dict) else None
        if not isinstance(ref, str):
            continue
        if ref == item.get("id"):
            message = "an item cannot be compared with itself"
        elif ref not in answers:
            message = f"unknown item '{ref}'; name a count item of this checklist"
        elif answers[ref] != "count":
            message = f"'{ref}' is a {answers[ref]} item; name a count item"
        else:
            continue
        problems.append(Problem(name, where, "threshold.item", message, Reason.REFERENCE, ref))
    return problems


ADVICE_WITHOUT = ("legal_basis", "severity", "days_to_correct", "threshold", "feeds")
"""Fields an advice item must not have: advice is never a violation with a deadline."""


def _given(item: dict, field: str) -> bool:
    """Whether ``field`` holds something (absent, empty and null are not given)."""
    return item.get(field) not in (None, [], {})


def _check_kinds(data: dict, name: str) -> list[Problem]:
    """Legal items cite the law and have a severity; advice items cite a reference and
    carry nothing that would make them a violation (legal basis, severity, deadline,
    threshold, indicators)."""
    problems = []
    for _, item in _raw_items(data):
        where, kind = f"item {item.get('id')}", item.get("kind", "legal")
        if kind == "legal":
            problems += [
                Problem(name, where, field, "is required", Reason.MISSING)
                for field in ("legal_basis", "severity")
                if item.get(field) is None
            ]
            if _given(item, "reference"):
                message = (
                    "only advice items (kind: advice) take a reference; a legal item "
                    "cites the law in legal_basis"
                )
                problems.append(Problem(name, where, "reference", message, Reason.CONSISTENCY))
        elif kind == "advice":
            if item.get("reference") is None:
                message = (
                    "is required: an advice item names where its good practice comes from "
                    "(e.g. an ILO WIND checkpoint)"
                )
                problems.append(Problem(name, where, "reference", message, Reason.MISSING))
            for field in ADVICE_WITHOUT:
                if _given(item, field):
                    message = (
                        f"an advice item has no {field}: advice is never a violation; "
                        "remove it, or make the item kind: legal"
                    )
                    problems.append(Problem(name, where, field, message, Reason.CONSISTENCY))
            answer = item.get("answer", "compliance")
            if answer != "compliance":
                message = (
                    f"an advice item is answered met or not met (answer: compliance), not {answer}"
                )
                problems.append(Problem(name, where, "answer", message, Reason.CONSISTENCY, answer))
    return problems


def _check_grades(data: dict, name: str) -> list[Problem]:
    grades = _dicts(data.get("grades"))
    mins = [g.get("min") for g in grades]
    if not grades or not all(isinstance(m, int | float) and not isinstance(m, bool) for m in mins):
        return []
    problems, codes = [], [str(g.get("code")) for g in grades]
    for (code_a, min_a), (code_b, min_b) in pairwise(zip(codes, mins, strict=True)):
        if min_b >= min_a:
            message = (
                f"bands must go from the highest min to the lowest: {code_b} (min {min_b:g}) "
                f"comes after {code_a} (min {min_a:g})"
            )
            problems.append(Problem(name, None, "grades", message, Reason.CONSISTENCY))
    if mins[-1] != 0:
        message = f"the last band ({codes[-1]}) must have min: 0 so that every score gets a grade"
        problems.append(Problem(name, None, "grades", message, Reason.CONSISTENCY))
    passes = [g.get("pass") for g in grades]
    if any(a is False and b is True for a, b in pairwise(passes)):
        message = "a passing band (pass: true) cannot come below a failing one"
        problems.append(Problem(name, None, "grades", message, Reason.CONSISTENCY))
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(
            Problem(name, f"grade {code}", "code", "duplicate grade code", Reason.DUPLICATE)
        )
    return problems


def cross_check(data: dict, name: str) -> list[Problem]:
    """What the schema cannot see item by item: ids, references between items, what each
    kind of item must and must not have, grade bands."""
    return (
        _check_ids(data, name)
        + _check_thresholds(data, name)
        + _check_kinds(data, name)
        + _check_grades(data, name)
    )


def in_file_order(problems: list[Problem], data: dict) -> list[Problem]:
    """``problems`` sorted the way the file reads: checklist fields first, then each
    section and its items in order (a stable sort: each place keeps its problems' order)."""
    order: dict[str, int] = {}
    for position, section in enumerate(_dicts(data.get("sections")), start=1):
        order.setdefault(f"section {section.get('id', position)}", len(order) + 1)
        for number, it in enumerate(_dicts(section.get("items")), start=1):
            key = it.get("id") if isinstance(it.get("id"), str) else None
            order.setdefault(
                f"item {key}" if key else f"section {section.get('id', position)}, item {number}",
                len(order) + 1,
            )
    return sorted(problems, key=lambda p: order.get(p.location or "", 0))


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping at ``loc``."""
    for step in loc:
        if isinstance(step, int):
            continue
        field = model.model_fields.get(step) or next(
            (f for f in model.model_fields.values() if f.alias == step), None
        )
        if field is None:
            return None
        annotation = field.annotation
        while get_origin(annotation) in (list, Union, types.UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model


def _where(loc: tuple, data: dict) -> tuple[str | None, tuple]:
    """Split a pydantic location into ("item GEN.ORG.01", remaining path)."""
    if len(loc) >= 2 and loc[0] in ("sections", "grades") and isinstance(loc[1], int):
        entries = data.get(loc[0])
        entry = entries[loc[1]] if isinstance(entries, list) else None
        entry = entry if isinstance(entry, dict) else {}
        key = "id" if loc[0] == "sections" else "code"
        label = "section" if loc[0] == "sections" else "grade"
        if loc[0] == "sections" and len(loc) >= 4 and loc[2] == "items" and isinstance(loc[3], int):
            items = entry.get("items")
            item = items[loc[3]] if isinstance(items, list) else None
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                return f"item {item['id']}", loc[4:]
            return f"section {entry.get('id', loc[1] + 1)}, item {loc[3] + 1}", loc[4:]
        return f"{label} {entry.get(key, loc[1] + 1)}", loc[2:]
    return None, loc


def _path(rest: tuple) -> str | None:
    text = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in rest)
    return text.lstrip(".") or None


_TYPE_NAMES = {
    "string_type": "text",
    "float_type": "a number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list (one entry per line, starting with '- ')",
    "dict_type": "a mapping of fields (key: value)",
    "model_type": "a mapping of fields (key: value)",
    "model_attributes_type": "a mapping of fields (key: value)",
}


def _message(error: dict, loc: tuple, model: type[BaseModel]) -> tuple[str, Reason]:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "plain":
        return error["msg"], Reason.VALUE
    if kind == "missing":
        if loc and loc[-1] == "vi":
            return "Vietnamese text is required (thiếu nội dung tiếng Việt)", Reason.MISSING
        return "is required", Reason.MISSING
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        known = [f.alias or n for n, f in parent.model_fields.items()] if parent else []
        return f"unknown field; allowed here: {', '.join(known)}", Reason.UNKNOWN
    if kind == "literal_error":
        return f"'{value}' is not allowed; use {ctx.get('expected')}", Reason.UNKNOWN
    bounds = {
        "greater_than": ("must be greater than", "gt"),
        "greater_than_equal": ("must be at least", "ge"),
        "less_than_equal": ("must be at most", "le"),
        "less_than": ("must be less than", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"{words} {ctx[key]:g}", Reason.VALUE
    if kind == "too_short":
        return "must not be empty", Reason.MISSING
    if kind in _TYPE_NAMES:
        hint = ""
        if kind == "string_type" and isinstance(value, int | float):
            hint = f'; write it in quotes: "{value}"'
        shown = "empty" if value is None else repr(value)
        return f"must be {_TYPE_NAMES[kind]}, not {shown}{hint}", Reason.TYPE
    return error["msg"].replace("Input should be", "must be"), Reason.VALUE


def pydantic_problems(
    exc: ValidationError, data: dict, name: str, model: type[BaseModel]
) -> list[Problem]:
    """Each of pydantic's errors as a plain :class:`Problem` located by item, section or grade.

    ``model`` is the class that validated ``data`` (to list the fields allowed where an
    unknown one was given).
    """
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        location, rest = _where(loc, data)
        message, reason = _message(error, loc, model)
        value = error.get("input") if reason != Reason.MISSING else None
        value = value if isinstance(value, str | int | float | bool) else None
        problems.append(Problem(name, location, _path(rest), message, reason, value))
    return problems
