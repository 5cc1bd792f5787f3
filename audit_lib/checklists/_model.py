"""Checklists: the YAML format, loading, validation and content fingerprint.

Usage::

    from audit_lib.checklists._model import load_checklist, load_checklists, validate_paths
    general = load_checklist("checklists/general.yaml")
    general.fingerprint[:12], len(general.items)      # e.g. ('0495c8a2ed61', 56)
    general.item("GEN.ORG.01").text.vi
    general.items_frame()                              # one row per item, for scoring
    checklists = load_checklists()                     # {id: Checklist}, all of checklists/
    applicable_checklists(checklists, "mining", "enterprise")   # [general, mining]
    for problem in validate_paths(["checklists/mining.yaml"]):
        print(problem)   # checklists/mining.yaml: item MIN.VEN.02: weight: must be greater than 0

The format is described in ``docs/contracts.md``. A bad file raises
:class:`~audit_lib.core.errors.ChecklistError` listing every problem, each with
file, item and field. ``load_checklists()`` reads the folder named by the
environment variable ``AUDIT_CHECKLISTS``, or the project's ``checklists/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from audit_lib.checklists import _conditions as conditions
from audit_lib.checklists._problems import (
    cross_check,
    in_file_order,
    pydantic_problems,
    read_yaml,
)
from audit_lib.core.errors import ChecklistError, Problem, Reason, raise_if_problems
from audit_lib.core.i18n import nfc, pick
from audit_lib.core.resources import shipped
from audit_lib.core.vocabulary import ANSWER_TYPES, KINDS, SECTORS, SEVERITIES

DEFAULT_DIR = shipped("checklists")
THRESHOLD_OPS = (">=", ">", "<=", "<", "==", "!=")
ALL = "all"
ITEM_KINDS = ("legal", "advice")
"""What an item is: a legal duty (a finding when not met) or good-practice advice."""

ITEMS_COLUMNS = [
    "item_id",
    "section_id",
    "position",
    "kind",
    "severity",
    "weight",
    "answer_type",
    "threshold_op",
    "threshold_value",
    "threshold_item",
    "applies_if",
    "days_to_correct",
    "text_vi",
    "text_en",
    "action_vi",
    "action_en",
    "legal_basis",
    "reference",
]


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("plain", message)


def _one_of(allowed: Iterable[str], what: str):
    allowed = tuple(allowed)

    def check(value: str) -> str:
        if value not in allowed:
            raise _fail(f"unknown {what} '{value}'; use one of: {', '.join(allowed)}")
        return value

    return AfterValidator(check)


def _pattern(regex: str, example: str):
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise _fail(f"'{value}' is not a valid id; write it like {example}")
        return value

    return AfterValidator(check)


def _nonblank(value: str) -> str:
    value = nfc(value).strip()
    if not value:
        raise _fail("must not be empty")
    return value


Str = Annotated[str, AfterValidator(_nonblank)]
Severity = Annotated[str, _one_of(SEVERITIES, "severity")]
Sector = Annotated[str, _one_of((ALL, *SECTORS), "sector")]
Kind = Annotated[str, _one_of(KINDS, "kind")]
ItemId = Annotated[str, _pattern(r"[A-Z0-9]+(\.[A-Z0-9]+)+", "GEN.ORG.01")]
SectionId = Annotated[str, _pattern(r"[A-Z0-9]+", "ORG")]
ChecklistId = Annotated[str, _pattern(r"[a-z0-9_]+", "mining")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


class Text(_Model):
    """Bilingual text; Vietnamese is required: ``{vi: "Đạt", en: "Compliant"}``."""

    vi: Str
    en: Str | None = None

    def __str__(self) -> str:
        return self.vi

    def pick(self, lang: str = "vi") -> str:
        return pick({"vi": self.vi, "en": self.en or ""}, lang)


class Glossed(Text):
    """Bilingual text where the English gloss is required too."""

    en: Str


class Grade(_Model):
    """A grade band: ``{code: A, min: 90, pass: true, label: {vi: Tốt, en: Good}}``."""

    code: Str
    min: float = Field(ge=0, le=100)
    passed: bool = Field(alias="pass")
    label: Glossed


class CorrectionDays(_Model):
    """Days allowed to correct a finding, by severity: ``{critical: 7, major: 30, minor: 90}``."""

    critical: int = Field(7, gt=0)
    major: int = Field(30, gt=0)
    minor: int = Field(90, gt=0)


class Threshold(_Model):
    """``{op: ">=", value: 1}`` or ``{op: ">=", item: GEN.TRN.05}`` (another count item)."""

    op: Annotated[str, _one_of(THRESHOLD_OPS, "comparison")]
    value: float | None = None
    item: ItemId | None = None

    @model_validator(mode="after")
    def _value_or_item(self):
        if self.value is None and self.item is None:
            raise _fail("give value (a number) or item (another count item)")
        if self.value is not None and self.item is not None:
            raise _fail("give either value (a number) or item (another count item), not both")
        return self


class Feed(_Model):
    """An indicator this item feeds: ``{indicator: T5, role: numerator}``."""

    indicator: Str
    role: Literal["numerator", "denominator"]


class Item(_Model):
    """One thing an inspector verifies. See ``docs/contracts.md`` for every field.

    A ``legal`` item (the default) is a duty of the law: it has ``legal_basis`` and
    ``severity``, and not meeting it is a finding. An ``advice`` item is good practice
    (an ILO WIND checkpoint, say): it cites its ``reference`` instead and has no legal
    basis, severity, deadline, threshold or feeds (``cross_check`` refuses them).
    """

    id: ItemId
    kind: Annotated[str, _one_of(ITEM_KINDS, "item kind")] = "legal"
    text: Glossed
    legal_basis: list[Str] | None = Field(None, min_length=1)
    reference: list[Str] | None = Field(None, min_length=1)
    severity: Severity | None = None
    weight: float = Field(1.0, gt=0)
    answer: Annotated[str, _one_of(ANSWER_TYPES, "answer type")] = "compliance"
    threshold: Threshold | None = None
    unit: Text | None = None
    applies_if: str | None = None
    guidance: Text
    evidence: Text
    action: Text | None = None
    days_to_correct: int | None = Field(None, gt=0)
    feeds: list[Feed] = []

    @field_validator("applies_if")
    @classmethod
    def _condition(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        problems = conditions.validate(value)
        if problems:
            raise _fail("; ".join(problems))
        return " ".join(value.split())

    @model_serializer(mode="wrap")
    def _without_unset_kind(self, handler: SerializerFunctionWrapHandler) -> dict:
        """A legal item dumps without ``kind`` and ``reference``, as before advice existed:
        the canonical content, hence the fingerprint, of a checklist without advice items
        is unchanged, and checklist contents kept by the store still read back the same."""
        data = handler(self)
        if self.kind == "legal":
            data.pop("kind", None)
            if self.reference is None:
                data.pop("reference", None)
        return data

    @property
    def is_advice(self) -> bool:
        """Good-practice advice: scored apart, never a finding (``docs/scoring.md``)."""
        return self.kind == "advice"


class Section(_Model):
    id: SectionId
    title: Glossed
    items: list[Item] = Field(min_length=1)


class Checklist(_Model):
    """A validated checklist. Build it with :func:`load_checklist`.

    ``checklist.sections``, ``checklist.items`` (all, in order),
    ``checklist.item("GEN.ORG.01")``, ``checklist.section("ORG")``,
    ``checklist.fingerprint``, ``checklist.path``,
    ``checklist.applies_to("mining", "enterprise")``, ``checklist.items_frame()``.
    """

    id: ChecklistId
    version: Str
    title: Glossed
    sectors: list[Sector] = Field(min_length=1)
    kinds: list[Kind] = Field(list(KINDS), min_length=1)
    source: Text | None = None
    grades: list[Grade] = Field(min_length=1)
    correction_days: CorrectionDays = CorrectionDays()
    sections: list[Section] = Field(min_length=1)

    _path: Path | None = PrivateAttr(None)
    _fingerprint: str = PrivateAttr("")
    _index: dict[str, tuple[Section, Item]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo):
        """Ids, references between items and grade bands, when not checked on the raw file."""
        if (info.context or {}).get("cross_checked"):
            return self
        problems = cross_check(self.model_dump(by_alias=True), "checklist")
        if problems:
            raise _fail("; ".join(str(p).removeprefix("checklist: ") for p in problems))
        return self

    def model_post_init(self, context: object) -> None:
        self._fingerprint = hashlib.sha256(self.canonical.encode("utf-8")).hexdigest()
        self._index = {
            item.id: (section, item) for section in self.sections for item in section.items
        }

    @property
    def canonical(self) -> str:
        """The validated content as canonical JSON: what the store keeps of a checklist used
        in a record, and what :func:`checklist_from_content` reads back unchanged."""
        content = self.model_dump(mode="json", by_alias=True)
        return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @property
    def fingerprint(self) -> str:
        """sha256 hex of the canonical JSON of the validated content (not of the YAML text)."""
        return self._fingerprint

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def items(self) -> list[Item]:
        return [item for _, item in self._index.values()]

    def item(self, item_id: str) -> Item:
        """The item with this id; ``KeyError`` naming the checklist when there is none."""
        try:
            return self._index[item_id][1]
        except KeyError:
            raise KeyError(f"checklist {self.id} has no item {item_id!r}") from None

    def section_of(self, item_id: str) -> Section:
        self.item(item_id)
        return self._index[item_id][0]

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(f"checklist {self.id} has no section {section_id!r}")

    @property
    def is_general(self) -> bool:
        """True for a checklist that applies to every sector (``sectors: [all]``)."""
        return ALL in self.sectors

    def applies_to(self, sector: str, kind: str) -> bool:
        """Whether an establishment of this sector and kind is inspected with this checklist."""
        return (self.is_general or sector in self.sectors) and kind in self.kinds

    def days_for(self, item: Item) -> int | None:
        """Days allowed to correct a non-compliance with ``item`` (None for advice)."""
        if item.is_advice:
            return None
        return item.days_to_correct or getattr(self.correction_days, item.severity)

    def items_frame(self) -> pd.DataFrame:
        """One row per item, in checklist order, with the columns in ``ITEMS_COLUMNS``."""
        rows = []
        for position, (section, item) in enumerate(self._index.values(), start=1):
            threshold = item.threshold
            rows.append(
                {
                    "item_id": item.id,
                    "section_id": section.id,
                    "position": position,
                    "kind": item.kind,
                    "severity": item.severity,
                    "weight": item.weight,
                    "answer_type": item.answer,
                    "threshold_op": threshold.op if threshold else None,
                    "threshold_value": threshold.value if threshold else None,
                    "threshold_item": threshold.item if threshold else None,
                    "applies_if": item.applies_if,
                    "days_to_correct": self.days_for(item),
                    "text_vi": item.text.vi,
                    "text_en": item.text.en,
                    "action_vi": item.action.vi if item.action else None,
                    "action_en": item.action.en if item.action else None,
                    "legal_basis": "; ".join(item.legal_basis) if item.legal_basis else None,
                    "reference": "; ".join(item.reference) if item.reference else None,
                }
            )
        frame = pd.DataFrame(rows, columns=ITEMS_COLUMNS)
        return frame.astype({"weight": float, "threshold_value": float, "position": int})

    def feeds_frame(self) -> pd.DataFrame:
        """Which items feed which indicators: ``item_id, indicator, role``."""
        rows = [
            {"item_id": item.id, "indicator": feed.indicator, "role": feed.role}
            for item in self.items
            for feed in item.feeds
        ]
        return pd.DataFrame(rows, columns=["item_id", "indicator", "role"])


def display_path(path: Path) -> str:
    """``path`` relative to the current folder when inside it, as problems name files."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _check_file(path: Path) -> tuple[Checklist | None, list[Problem]]:
    name = display_path(path)
    data, problems = read_yaml(path, name)
    if problems:
        return None, problems
    problems = cross_check(data, name)
    try:
        checklist = Checklist.model_validate(data, context={"cross_checked": True})
    except ValidationError as exc:
        problems = pydantic_problems(exc, data, name, Checklist) + problems
    if problems:
        return None, in_file_order(problems, data)
    checklist._path = path
    return checklist, []


def load_checklist(path: str | os.PathLike) -> Checklist:
    """Read and validate one checklist file; raise ``ChecklistError`` listing every problem."""
    checklist, problems = _check_file(Path(path))
    raise_if_problems(ChecklistError, problems)
    return checklist


def default_directory() -> Path:
    """``$AUDIT_CHECKLISTS`` or the project's ``checklists/`` folder."""
    return Path(os.environ.get("AUDIT_CHECKLISTS") or DEFAULT_DIR)


def checklist_files(paths: Iterable[str | os.PathLike] | None = None) -> list[Path]:
    """The YAML files named by ``paths`` (folders are expanded), or the default folder's."""
    paths = [default_directory()] if paths is None else [Path(p) for p in paths]
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        else:
            files.append(path)
    return files


def check_paths(
    paths: Iterable[str | os.PathLike] | None = None,
) -> tuple[dict[str, Checklist], list[Problem]]:
    """The valid checklists of ``paths`` (files or folders) by id, in file order, and every problem.

    ``check_paths(["checklists"])`` -> ``({"general": ..., "mining": ...}, [])``.
    """
    files = checklist_files(paths)
    loaded: dict[str, Checklist] = {}
    problems: list[Problem] = []
    for path in files:
        if not path.is_file():
            problems.append(
                Problem(display_path(path), None, None, "no such file or folder", Reason.MISSING)
            )
            continue
        checklist, found = _check_file(path)
        problems += found
        if checklist is None:
            continue
        if checklist.id in loaded:
            first = display_path(loaded[checklist.id].path)
            problems.append(
                Problem(
                    display_path(path),
                    None,
                    "id",
                    f"checklist id '{checklist.id}' is already used by {first}",
                    Reason.DUPLICATE,
                    checklist.id,
                )
            )
            continue
        loaded[checklist.id] = checklist
    return loaded, problems


def validate_paths(paths: Iterable[str | os.PathLike] | None = None) -> list[Problem]:
    """Every problem in the checklist files (or folders) ``paths``; ``[]`` when all are valid."""
    return check_paths(paths)[1]


def checklist_from_content(canonical: str) -> Checklist:
    """The checklist whose :attr:`Checklist.canonical` JSON is ``canonical`` (same fingerprint)."""
    return Checklist.model_validate(json.loads(canonical))


def load_checklists(directory: str | os.PathLike | None = None) -> dict[str, Checklist]:
    """Every checklist in ``directory`` (default: :func:`default_directory`), by id.

    Raises ``ChecklistError`` listing every problem of every file.
    """
    folder = Path(directory) if directory is not None else default_directory()
    loaded, problems = check_paths([folder])
    raise_if_problems(ChecklistError, problems)
    return dict(sorted(loaded.items()))


def applicable_checklists(
    checklists: Mapping[str, Checklist] | Iterable[Checklist], sector: str, kind: str
) -> list[Checklist]:
    """The checklists for an establishment: general ones first, then its sector's, each by id."""
    values = checklists.values() if isinstance(checklists, Mapping) else checklists
    chosen = [c for c in values if c.applies_to(sector, kind)]
    return sorted(chosen, key=lambda c: (not c.is_general, c.id))
