"""A plan's targets as data: the YAML format of ``data/plans/*.yaml``, loading and validation.

Usage::

    from audit_lib.indicators._plan import load_plan, validate_plan
    plan = load_plan("data/plans/453-KH-HU.yaml")
    plan.id, plan.period.start, plan.period.end       # ('453-KH-HU', 2021, 2025)
    t1 = plan.target("T1")
    t1.kind, t1.rate, t1.direction, t1.factor        # ('annual_change', 0.04, 'decrease', 1000.0)
    t1.target_value(baseline=0.25, year=2025)        # 0.25 * 0.96 ** 4
    plan.targets_frame()                              # one row per target, for reports
    for problem in validate_plan("my-plan.yaml"):
        print(problem)   # my-plan.yaml: target T4: threshold: must be at most 100

A plan file declares each target's indicator (an id of the catalogue in
:mod:`audit_lib.indicators._compute`), its source text, numerator, denominator and
factor, and its kind:

* ``annual_change``: ``rate`` (0.04 for 4 %), ``direction`` (``decrease`` or
  ``increase``) and ``baseline_year``; the target for year *t* is
  ``baseline × (1 ± rate) ** (t − baseline_year)``;
* ``share``: ``threshold`` in per cent and ``comparison`` (``">"`` or ``">="``);
* ``coverage``: every case (100 %).

Any target may add ``unit_levels``: steps ``{since: date, levels: [...]}`` saying
which units' register rows count in a period ending on or after ``since`` (T4:
district and commune managers, only commune-level ones from 1 July 2025).

``monitored`` lists indicators reported without a target (the workbench's own
inspection indicators). A bad file raises :class:`~audit_lib.core.errors.PlanError`
listing every problem with file, target and field, like a checklist.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, ValidationError
from pydantic_core import PydanticCustomError

from audit_lib.checklists import Str, Text, pydantic_problems, read_yaml
from audit_lib.core.errors import PlanError, Problem, Reason, raise_if_problems
from audit_lib.core.i18n import DEFAULT_LANG, tr
from audit_lib.core.resources import locate
from audit_lib.core.vocabulary import UNIT_LEVELS
from audit_lib.indicators._catalogue import CATALOGUE

KINDS = ("annual_change", "share", "coverage")

MESSAGES = {
    "not_mapping": {
        "vi": "tệp kế hoạch phải là một bảng các trường (id, title, targets, ...)",
        "en": "a plan file must be a mapping of fields (id, title, targets, ...)",
    },
    "needs": {
        "vi": "chỉ tiêu loại {kind} cần trường này",
        "en": "a target of kind {kind} needs this field",
    },
    "not_for": {
        "vi": "trường này không dùng cho chỉ tiêu loại {kind}",
        "en": "this field does not apply to a target of kind {kind}",
    },
    "unknown_indicator": {
        "vi": "không có chỉ số {value!r} trong danh mục; có: {known}",
        "en": "no indicator {value!r} in the catalogue; known: {known}",
    },
    "wrong_indicator_kind": {
        "vi": "chỉ số {value!r} là loại {ikind}, không dùng được cho chỉ tiêu loại {kind}",
        "en": "indicator {value!r} is a {ikind}, which a target of kind {kind} cannot use",
    },
    "duplicate_target": {"vi": "mã chỉ tiêu bị trùng", "en": "duplicate target id"},
    "duplicate_monitored": {
        "vi": "chỉ số đã có trong danh sách theo dõi",
        "en": "indicator already listed as monitored",
    },
    "baseline_after_end": {
        "vi": "năm gốc {year} sau năm cuối của kế hoạch ({end})",
        "en": "baseline year {year} is after the plan's last year ({end})",
    },
    "period_order": {
        "vi": "năm bắt đầu {start} sau năm kết thúc {end}",
        "en": "start year {start} is after end year {end}",
    },
    "not_found": {"vi": "không tìm thấy tệp", "en": "file not found"},
}

_KIND_FIELDS = {
    "annual_change": ("rate", "direction", "baseline_year"),
    "share": ("threshold", "comparison"),
    "coverage": (),
}
_INDICATOR_KINDS = {
    "annual_change": ("rate", "count"),
    "share": ("share",),
    "coverage": ("share",),
}


def _target_id(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", value):
        raise PydanticCustomError("plain", f"'{value}' is not a valid id; write it like T1")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Source(_Model):
    """The document the targets are quoted from."""

    document: Text
    section: Str | None = None
    file: Str | None = None


class Period(_Model):
    """The years the plan covers; ``following_years`` keeps its targets after ``end``."""

    start: int = Field(ge=1900, le=2100)
    end: int = Field(ge=1900, le=2100)
    following_years: bool = False


class UnitLevels(_Model):
    """From ``since`` on, only register rows recorded for units of ``levels`` count."""

    since: dt.date
    levels: list[Literal[UNIT_LEVELS]] = Field(min_length=1)


class Target(_Model):
    """One target of the plan (fields by kind in the module docstring)."""

    id: Annotated[str, AfterValidator(_target_id)]
    text: Text
    indicator: Str
    numerator: Text
    denominator: Text | None = None
    factor: float | None = Field(None, gt=0)
    kind: Literal[KINDS]
    rate: float | None = Field(None, gt=0, lt=1)
    direction: Literal["decrease", "increase"] | None = None
    baseline_year: int | None = Field(None, ge=1900, le=2100)
    threshold: float | None = Field(None, gt=0, le=100)
    comparison: Literal[">", ">="] | None = None
    unit_levels: list[UnitLevels] = []
    notes: Text | None = None

    def levels_on(self, day: dt.date) -> list[str] | None:
        """The unit levels whose rows count in a period ending on ``day`` (None: every level)."""
        steps = [s for s in sorted(self.unit_levels, key=lambda s: s.since) if s.since <= day]
        return steps[-1].levels if steps else None

    @property
    def better(self) -> str:
        """Which side of the target is good: ``"lower"`` or ``"higher"``."""
        return "lower" if self.direction == "decrease" else "higher"

    @property
    def strict(self) -> bool:
        """True for a ``>`` threshold: touching it is not enough."""
        return self.comparison == ">"

    def target_value(self, baseline: float, year: int) -> float:
        """The value the target asks for in ``year``.

        Annual change: ``baseline × (1 ± rate) ** (year − baseline_year)``;
        share: the threshold; coverage: 100.
        """
        if self.kind == "annual_change":
            sign = -1 if self.direction == "decrease" else 1
            return baseline * (1 + sign * self.rate) ** (year - self.baseline_year)
        if self.kind == "share":
            return self.threshold
        return 100.0


class Monitored(_Model):
    """An indicator the plan reports without a target."""

    indicator: Str
    notes: Text | None = None


class Plan(_Model):
    """A validated plan file; see the module docstring."""

    id: Annotated[str, AfterValidator(_target_id)]
    title: Text
    issuer: Text
    date: dt.date
    implements: Text | None = None
    source: Source
    period: Period
    area: Str | None = None
    share_interval: Literal["wilson", "exact"] = "wilson"
    targets: list[Target] = Field(min_length=1)
    monitored: list[Monitored] = []
    _path: Path | None = PrivateAttr(default=None)

    @property
    def path(self) -> Path | None:
        return self._path

    def target(self, target_id: str) -> Target:
        """The target with this id (``KeyError`` if none)."""
        for t in self.targets:
            if t.id == target_id:
                return t
        raise KeyError(target_id)

    def covers(self, year: int) -> bool:
        """True when the plan's targets apply in ``year``."""
        last = 9999 if self.period.following_years else self.period.end
        return self.period.start <= year <= last

    def targets_frame(self, lang: str = DEFAULT_LANG) -> pd.DataFrame:
        """One row per target: id, indicator, kind, factor, target words, numerator, denominator."""
        rows = [
            {
                "target_id": t.id,
                "indicator": t.indicator,
                "kind": t.kind,
                "factor": t.factor,
                "rate": t.rate,
                "direction": t.direction,
                "baseline_year": t.baseline_year,
                "threshold": t.threshold,
                "comparison": t.comparison,
                "text": t.text.pick(lang),
                "numerator": t.numerator.pick(lang),
                "denominator": t.denominator.pick(lang) if t.denominator else "",
                "notes": t.notes.pick(lang) if t.notes else "",
            }
            for t in self.targets
        ]
        return pd.DataFrame(rows)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _relocate(problem: Problem, data: dict) -> Problem:
    """``targets[2].rate`` -> location ``target T3``, field ``rate``."""
    m = re.fullmatch(r"(targets|monitored)\[(\d+)\]\.?(.*)", problem.field or "")
    if not m or problem.location:
        return problem
    entries = data.get(m.group(1))
    entry = entries[int(m.group(2))] if isinstance(entries, list) else None
    key = "id" if m.group(1) == "targets" else "indicator"
    label = "target" if m.group(1) == "targets" else "monitored"
    name = entry.get(key) if isinstance(entry, dict) else None
    where = f"{label} {name if name is not None else int(m.group(2)) + 1}"
    return Problem(
        problem.file, where, m.group(3) or None, problem.message, problem.reason, problem.value
    )


def _entries(data: dict, key: str) -> list[dict]:
    value = data.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def cross_check(data: dict, name: str, catalogue: dict, lang: str = DEFAULT_LANG) -> list[Problem]:
    """What the schema cannot see: fields by kind, indicator ids, duplicates, years."""
    problems, seen = [], set()

    def add(where, field, key, reason, value=None, **fmt):
        problems.append(Problem(name, where, field, tr(MESSAGES, key, lang, **fmt), reason, value))

    period = data.get("period") if isinstance(data.get("period"), dict) else {}
    start, end = period.get("start"), period.get("end")
    if isinstance(start, int) and isinstance(end, int) and start > end:
        add(None, "period", "period_order", Reason.CONSISTENCY, start=start, end=end)
    for t in _entries(data, "targets"):
        where, kind = f"target {t.get('id')}", t.get("kind")
        if t.get("id") in seen:
            add(where, "id", "duplicate_target", Reason.DUPLICATE, t.get("id"))
        seen.add(t.get("id"))
        if kind in _KIND_FIELDS:
            for field in _KIND_FIELDS[kind]:
                if t.get(field) is None:
                    add(where, field, "needs", Reason.MISSING, kind=kind)
            for field in {f for fs in _KIND_FIELDS.values() for f in fs} - set(_KIND_FIELDS[kind]):
                if t.get(field) is not None:
                    add(where, field, "not_for", Reason.CONSISTENCY, t.get(field), kind=kind)
        problems += _check_indicator(t.get("indicator"), kind, where, name, catalogue, lang)
        year = t.get("baseline_year")
        if isinstance(year, int) and isinstance(end, int) and year > end:
            add(
                where, "baseline_year", "baseline_after_end", Reason.VALUE, year, year=year, end=end
            )
    monitored = set()
    for m in _entries(data, "monitored"):
        where = f"monitored {m.get('indicator')}"
        if m.get("indicator") in monitored:
            add(where, "indicator", "duplicate_monitored", Reason.DUPLICATE, m.get("indicator"))
        monitored.add(m.get("indicator"))
        problems += _check_indicator(m.get("indicator"), None, where, name, catalogue, lang)
    return problems


def _check_indicator(value, kind, where, name, catalogue, lang) -> list[Problem]:
    if not isinstance(value, str):
        return []
    if value not in catalogue:
        known = ", ".join(sorted(catalogue))
        msg = tr(MESSAGES, "unknown_indicator", lang, value=value, known=known)
        return [Problem(name, where, "indicator", msg, Reason.REFERENCE, value)]
    ikind = catalogue[value].kind
    if kind in _INDICATOR_KINDS and ikind not in _INDICATOR_KINDS[kind]:
        msg = tr(MESSAGES, "wrong_indicator_kind", lang, value=value, ikind=ikind, kind=kind)
        return [Problem(name, where, "indicator", msg, Reason.CONSISTENCY, value)]
    return []


def check_plan(
    path: str | os.PathLike, lang: str = DEFAULT_LANG
) -> tuple[Plan | None, list[Problem]]:
    """The plan in ``path`` and every problem found (the plan is None when there are any).

    A relative path that does not exist here is looked up among the shipped plans
    (``data/plans/453-KH-HU.yaml`` works from any folder)."""
    path = locate(path)
    name = _display(path)
    if not path.is_file():
        return None, [Problem(name, None, None, tr(MESSAGES, "not_found", lang), Reason.MISSING)]
    data, problems = read_yaml(path, name)
    if data is None:
        if problems and problems[0].reason == Reason.TYPE:
            problems = [Problem(name, None, None, tr(MESSAGES, "not_mapping", lang), Reason.TYPE)]
        return None, problems
    problems = cross_check(data, name, CATALOGUE, lang)
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        found = [_relocate(p, data) for p in pydantic_problems(exc, data, name, Plan)]
        return None, found + problems
    if problems:
        return None, problems
    plan._path = path
    return plan, []


def validate_plan(path: str | os.PathLike, lang: str = DEFAULT_LANG) -> list[Problem]:
    """Every problem in the plan file ``path``; ``[]`` when it is valid."""
    return check_plan(path, lang)[1]


def load_plan(path: str | os.PathLike, lang: str = DEFAULT_LANG) -> Plan:
    """Read and validate a plan file; raise :class:`PlanError` listing every problem.

    A relative ``path`` that does not exist here is looked up in the project root."""
    plan, problems = check_plan(path, lang)
    raise_if_problems(PlanError, problems)
    return plan
