"""Building blocks of the register kinds: rules, the register spec, columns several share.

Usage::

    from audit_lib.registers._columns import Register, Rule, at_most, int_column, UNIT, YEAR
    deaths = int_column("deaths", "Số người chết", "Deaths", maximum=limits.MAX_VICTIMS)
    rule = Rule("deaths", at_most("deaths", "victims"), ("quá số nạn nhân", "exceeds victims"))

:mod:`audit_lib.registers._kinds` writes every register with them.

Every whole-number column has a maximum (the store's limits,
:mod:`audit_lib.store.limits`), and every text column of a register meets
the rules of its table's column (:attr:`Register.text_rules`): no longer than
it, no control characters. So a file is refused, row and column named, before
anything reaches a database, and SQLite and PostgreSQL never see a value one
of them would store and the other refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from audit_lib.core.errors import Problem, Reason
from audit_lib.registers._spreadsheet import Column
from audit_lib.store import limits, schema


@dataclass(frozen=True)
class Rule:
    """A row rule: ``check(frame)`` is true where a row is fine; ``field`` is blamed otherwise."""

    field: str
    check: Callable[[pd.DataFrame], pd.Series]
    message: tuple[str, str]
    reason: Reason = Reason.CONSISTENCY


@dataclass(frozen=True)
class Register:
    """One register kind: its table, columns, natural key, row rules and references.

    ``refs`` maps a column to what it must exist in (``unit``, ``establishment``,
    ``accident``); ``unit_when`` names the date or year at which a unit written by
    name is looked up and, unless ``unit_checked`` is false, must be valid (a row
    without that date looks names up among the current units). ``check`` is the
    store's own validator of such records, when it has one
    (:func:`~audit_lib.store.check_establishments`): the rows are checked by it,
    and written as it tidies them, exactly as the store would check one record.
    ``derived`` are columns ``check`` computes from the others (an
    establishment's ``high_risk``): never in a template, written as computed; a
    file that has one (an older template) is read, and ``check`` refuses a
    value other than the one it computes.
    """

    kind: str
    title: tuple[str, str]
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    refs: Mapping[str, str] = field(default_factory=dict)
    unit_when: str | None = None
    unit_checked: bool = True
    check: Callable[..., tuple[pd.DataFrame, list[Problem]]] | None = None
    derived: tuple[Column, ...] = ()

    @property
    def table(self) -> str:
        return self.kind

    @property
    def read(self) -> tuple[Column, ...]:
        """The columns a file may have: the template's, then the derived ones."""
        return (*self.columns, *self.derived)

    def column(self, name: str) -> Column:
        return next(c for c in self.read if c.name == name)

    @property
    def text_rules(self) -> tuple[Rule, ...]:
        """What each text column stored in the table meets: its length, no control characters.

        None when the store checks the kind itself (``check``): it tidies text first.
        """
        if self.check is not None:
            return ()
        table = schema.metadata.tables[self.table]
        return tuple(
            rule
            for column in self.columns
            if column.type == "str" and column.name in table.c
            for rule in _text_rules(column.name, limits.length_of(table.c[column.name]))
        )


CONTROL = (
    "có ký tự điều khiển không in được (như NUL); hãy xóa",
    "contains an unprintable control character (such as NUL); delete it",
)
CONTROL_IN_NOTE = (
    "có ký tự điều khiển không in được (như NUL; tab và xuống dòng thì được); hãy xóa",
    "contains an unprintable control character (such as NUL; tabs and line breaks are "
    "fine); delete it",
)


def _text_rules(name: str, length: int | None) -> tuple[Rule, ...]:
    """No control character in ``name`` (a note: but tabs and line breaks); at most ``length``."""

    def fine(fault: str) -> Callable[[pd.DataFrame], pd.Series]:
        return lambda f: f[name].map(
            lambda v: not isinstance(v, str) or limits.text_fault(v, length) != fault
        )

    if length is None:
        return (Rule(name, fine("control"), CONTROL_IN_NOTE, Reason.VALUE),)
    too_long = (f"dài quá {length} ký tự", f"longer than {length} characters")
    return (
        Rule(name, fine("control"), CONTROL, Reason.VALUE),
        Rule(name, fine("too_long"), too_long, Reason.VALUE),
    )


def _as_date(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce")


def at_most(small: str, big: str) -> Callable[[pd.DataFrame], pd.Series]:
    """A rule check: ``small`` is not above ``big`` (a missing value passes)."""
    return lambda f: ~(f[small] > f[big]).fillna(False)


def not_before(later: str, earlier: str) -> Callable[[pd.DataFrame], pd.Series]:
    """A rule check: the date ``later`` is not before the date ``earlier``."""
    return lambda f: ~(_as_date(f[later]) < _as_date(f[earlier]))


def in_year(date: str) -> Callable[[pd.DataFrame], pd.Series]:
    """A rule check: the date ``date`` falls in the row's ``year`` (or is empty)."""
    return lambda f: ~(_as_date(f[date]).dt.year != f["year"]).fillna(False) | f[date].isna()


def int_column(name, vi, en, note=("", ""), required=True, minimum=0, *, maximum, past=False):
    """A whole-number column, at least 0 unless told otherwise, at most ``maximum``
    (one of the store's limits: no number column is unbounded); ``past`` for a year
    that must have begun."""
    return Column(
        name, vi, en, "int", required, minimum=minimum, maximum=maximum, note=note, past=past
    )


def choice_labels(codes, vi: str, en: str) -> tuple[tuple[str, str, str], ...]:
    """Enum choices ``(code, vi, en)`` from codes and ``|``-separated labels."""
    return tuple(zip(codes, vi.split("|"), en.split("|"), strict=True))


def labelled(labels: Mapping[str, Mapping[str, str]]) -> tuple[tuple[str, str, str], ...]:
    """Enum choices ``(code, vi, en)`` from a label table such as ``SECTOR_LABELS``."""
    return tuple((code, text["vi"], text["en"]) for code, text in labels.items())


UNIT = Column(
    "unit_code",
    "Mã đơn vị hành chính",
    "Unit code",
    note=(
        "Mã đơn vị theo danh mục (data/units/units.csv), ví dụ PT-NX (xã Nậm Xe, trước 7/2025) "
        "hoặc LC-KL (xã Khổng Lào, từ 7/2025), hoặc tên xã; phải còn hiệu lực vào ngày hoặc năm "
        "của dòng",
        "Unit code from the unit list (data/units/units.csv), e.g. PT-NX (Nậm Xe commune, "
        "before 7/2025) or LC-KL (Khổng Lào commune, from 7/2025), or the commune's name; "
        "valid at the row's date or year",
    ),
    aliases=("Mã đơn vị", "Mã xã", "Đơn vị", "Unit"),
)
YEAR = int_column(
    "year",
    "Năm",
    "Year",
    ("Năm báo cáo", "Reporting year"),
    minimum=limits.MIN_YEAR,
    maximum=limits.MAX_YEAR,
    past=True,
)
ESTABLISHMENT = Column(
    "establishment_code",
    "Mã số cơ sở",
    "Establishment code",
    required=False,
    note=(
        "Mã số thuế hoặc mã đăng ký trong sổ cơ sở; để trống nếu là số liệu chung của đơn vị",
        "Tax or registration code in the establishment register; empty for unit-wide figures",
    ),
    aliases=("Mã cơ sở", "Mã số thuế", "Establishment"),
)
TRAINING_CATEGORIES = choice_labels(
    (
        "unit_manager",
        "strict_worker",
        "osh_staff",
        "health_worker",
        "manager",
        "other_worker",
        "volunteer",
    ),
    "Cán bộ quản lý, chỉ đạo ATVSLĐ cấp huyện, xã|NLĐ làm công việc có yêu cầu nghiêm ngặt"
    "|Người làm công tác ATVSLĐ|Người làm công tác y tế tại cơ sở (nhóm 5)"
    "|Người quản lý phụ trách ATVSLĐ"
    "|Người lao động khác|An toàn, vệ sinh viên",
    "District/commune OSH manager|Worker in a strict-requirement job|OSH staff"
    "|Health staff of an establishment (group 5)|Manager in charge of OSH|Other worker"
    "|Safety-health volunteer",
)
CHANNELS = choice_labels(
    ("visit", "meeting", "document", "broadcast", "online", "training", "other"),
    "Đến tận cơ sở|Hội nghị|Tài liệu, tờ rơi|Loa, đài truyền thanh|Mạng xã hội, trực tuyến"
    "|Tập huấn|Khác",
    "Visit|Meeting|Leaflet or document|Loudspeaker or radio|Online|Training session|Other",
)


SOURCE = Column(
    "source",
    "Nguồn",
    "Source",
    required=False,
    note=("Văn bản làm nguồn của dòng này", "Document this row comes from"),
)


def bool_column(name, vi, en, note=("", ""), required=True) -> Column:
    """A yes/no column; an optional one is "no" when empty."""
    return Column(name, vi, en, "bool", required, note=note, default=None if required else False)


def day_column(name, vi, en, note=("", ""), required=True, past=True) -> Column:
    """A date column; unless ``past`` is false (a planned date), of something that happened,
    so a day after :func:`~audit_lib.core.text.latest_day` is refused."""
    return Column(name, vi, en, "date", required, note=note, past=past)
