"""Spreadsheets in, typed columns out: CSV or XLSX read, headers matched, values parsed.

Usage::

    from audit_lib.registers._spreadsheet import Column, read_sheet, match_headers, parse_columns
    columns = [Column("year", "Năm", "Year", "int", minimum=2000, maximum=2100),
               Column("trained", "Số người được huấn luyện", "Trained", "int", minimum=0)]
    sheet = read_sheet("training.xlsx")              # headers as written, text cells, row numbers
    names, problems = match_headers(sheet, columns, lang="vi")
    frame, more = parse_columns(sheet, names, columns, lang="vi")
    frame["_row"]                                     # the row number people see (header = 1)

A header is recognised in Vietnamese, English, the canonical name, or as the
template writes it ("Năm / Year"), ignoring case, diacritics, spaces and ``_``.
Booleans accept Có/Không, yes/no, x, 1/0; numbers and dates are read by
:mod:`audit_lib.core.text` (``2,5``; ``1.234`` is 1234; 2025-07-01 and
01/07/2025, day first), each distinct cell once. Every bad cell becomes one
:class:`~audit_lib.core.errors.Problem` naming file, row, column and value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from audit_lib.core.errors import Problem, Reason, RegisterImportError
from audit_lib.core.i18n import BOOLEAN_WORDS, pick, tr
from audit_lib.core.text import fold, latest_day, parse_date, parse_number
from audit_lib.registers._reader import MAX_LISTED, grouped, read_csv
from audit_lib.registers._xlsx import read_xlsx

MESSAGES = {
    "row": {"vi": "dòng {n}", "en": "row {n}"},
    "from_row": {"vi": "từ dòng {n}", "en": "from row {n}"},
    "more_rows": {
        "vi": "{message}: thêm {count} dòng nữa có cùng lỗi này",
        "en": "{message}: {count} more rows with the same problem",
    },
    "header": {"vi": "dòng 1 (tiêu đề)", "en": "row 1 (header)"},
    "unknown_format": {
        "vi": "chỉ đọc được tệp .xlsx hoặc .csv",
        "en": "only .xlsx or .csv files can be read",
    },
    "not_found": {"vi": "không tìm thấy tệp", "en": "file not found"},
    "unreadable": {"vi": "không đọc được tệp: {error}", "en": "cannot read the file: {error}"},
    "unknown_column": {
        "vi": "cột không nhận ra; các cột hợp lệ: {expected}",
        "en": "column not recognised; valid columns: {expected}",
    },
    "duplicate_column": {
        "vi": "cột '{name}' xuất hiện hai lần",
        "en": "column '{name}' appears twice",
    },
    "missing_column": {"vi": "thiếu cột bắt buộc", "en": "required column is missing"},
    "unnamed_column": {
        "vi": "cột {n} có dữ liệu nhưng không có tiêu đề",
        "en": "column {n} has data but no header",
    },
    "required": {"vi": "ô bắt buộc bị bỏ trống", "en": "required value is empty"},
    "int": {"vi": "phải là số nguyên", "en": "must be a whole number"},
    "float": {"vi": "phải là một số", "en": "must be a number"},
    "date": {
        "vi": "ngày không hợp lệ (dùng 2025-07-31 hoặc 31/07/2025)",
        "en": "not a valid date (use 2025-07-31 or 31/07/2025)",
    },
    "bool": {"vi": "phải là Có hoặc Không", "en": "must be yes or no (Có/Không)"},
    "enum": {
        "vi": "giá trị không hợp lệ; cho phép: {allowed}",
        "en": "not allowed; use: {allowed}",
    },
    "minimum": {"vi": "phải từ {limit} trở lên", "en": "must be at least {limit}"},
    "future": {
        "vi": "ngày ở tương lai (sau {day}): việc này chưa thể xảy ra",
        "en": "a date in the future (after {day}): this cannot have happened yet",
    },
    "future_year": {
        "vi": "năm ở tương lai (sau {year}): số liệu này chưa thể có",
        "en": "a year in the future (after {year}): these figures cannot exist yet",
    },
    "maximum": {"vi": "không được lớn hơn {limit}", "en": "must be at most {limit}"},
}

TYPES = {
    "str": {"vi": "chữ", "en": "text"},
    "int": {"vi": "số nguyên", "en": "whole number"},
    "float": {"vi": "số", "en": "number"},
    "date": {"vi": "ngày (2025-07-31 hoặc 31/07/2025)", "en": "date (2025-07-31 or 31/07/2025)"},
    "bool": {"vi": "Có / Không (x, 1 / 0)", "en": "yes / no"},
    "enum": {"vi": "một trong các giá trị cho phép", "en": "one of the allowed values"},
}


def header_key(text: object) -> str:
    """What a header or a choice is matched on: ``header_key("Số_người  chết") == "so nguoi chet"``.

    :func:`~audit_lib.core.text.fold` of the text with ``_`` and ``-`` read as
    spaces, and no spaces around ``/`` (``"Năm / Year"`` matches ``"nam/year"``).
    """
    return re.sub(r"\s*/\s*", "/", fold(re.sub(r"[_-]", " ", str(text))))


@dataclass(frozen=True)
class Column:
    """One column of a register: ``Column("deaths", "Số người chết", "Deaths", "int", minimum=0)``.

    ``choices`` (enum only) is a tuple of ``(code, vi, en)``; people may type any of the three.
    ``note`` is ``(vi, en)``: what the column means, for the template's notes sheet;
    ``aliases`` are other headers people write for it ("Mã xã" for the unit code);
    ``default`` fills an empty cell of an optional column. ``past`` marks what
    has happened: a date after :func:`~audit_lib.core.text.latest_day` (for a
    whole number, a year after its year) is refused.
    """

    name: str
    vi: str
    en: str
    type: str = "str"
    required: bool = True
    choices: tuple[tuple[str, str, str], ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    note: tuple[str, str] = ("", "")
    aliases: tuple[str, ...] = ()
    default: object = None
    past: bool = False

    @property
    def header(self) -> str:
        """The header a template writes: ``"Số người chết / Deaths"``."""
        return f"{self.vi} / {self.en}"

    def accepts(self, header: str) -> bool:
        names = (self.name, self.vi, self.en, self.header, *self.aliases)
        return header_key(header) in {header_key(h) for h in names}

    def allowed(self, lang: str) -> str:
        """The allowed enum values as people see them: ``"visit (Thăm cơ sở)"``."""
        return ", ".join(f"{code} ({vi if lang == 'vi' else en})" for code, vi, en in self.choices)


@dataclass(frozen=True)
class Sheet:
    """A spreadsheet as read: headers as written, text cells (NA when blank), row numbers."""

    file: str
    headers: list[str]
    cells: pd.DataFrame
    rows: np.ndarray


def _refuse(file: str, key: str, lang: str, **fmt) -> RegisterImportError:
    return RegisterImportError(
        [Problem(file, None, None, tr(MESSAGES, key, lang, **fmt), Reason.SYNTAX)]
    )


def read_sheet(path: str | Path, lang: str = "vi") -> Sheet:
    """Read the first sheet of an .xlsx, or a .csv (UTF-8, ``,`` ``;`` or tab separated).

    Text comes back stripped and in Unicode NFC, whatever form the file used;
    blank rows are left out. The file is read within the bounds of
    :mod:`audit_lib.registers._reader` (rows, columns, sizes); an .xlsx is refused
    with the cell when a formula has no result, cells are merged or hold an
    error (:mod:`audit_lib.registers._xlsx`).
    """
    path = Path(path)
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt"):
        raise _refuse(file, "unknown_format", lang)
    if not path.is_file():
        raise _refuse(file, "not_found", lang)
    try:
        table = read_csv(path, lang) if suffix in (".csv", ".txt") else read_xlsx(path, lang)
    except RegisterImportError:
        raise
    except Exception as exc:  # a damaged file can still surprise the readers
        raise _refuse(file, "unreadable", lang, error=str(exc) or type(exc).__name__) from exc
    width = len(table.headers)
    cells = pd.DataFrame(dict(zip(range(width), table.columns, strict=True)), dtype=object)
    cells = cells.reindex(columns=range(width))
    return Sheet(file, table.headers, cells, np.array(table.rows, dtype=int))


def match_headers(
    sheet: Sheet, columns: list[Column], lang: str = "vi"
) -> tuple[dict[int, str], list[Problem]]:
    """Map each sheet column position to a canonical name; list unknown, duplicate, missing."""
    names: dict[int, str] = {}
    problems = []
    where = tr(MESSAGES, "header", lang)
    expected = ", ".join(c.header for c in columns)
    for pos, header in enumerate(sheet.headers):
        if not header:
            if sheet.cells[pos].notna().any():
                msg = tr(MESSAGES, "unnamed_column", lang, n=pos + 1)
                problems.append(Problem(sheet.file, where, None, msg, Reason.UNKNOWN))
            continue
        column = next((c for c in columns if c.accepts(header)), None)
        if column is None:
            msg = tr(MESSAGES, "unknown_column", lang, expected=expected)
            problems.append(Problem(sheet.file, where, header, msg, Reason.UNKNOWN, header))
        elif column.name in names.values():
            msg = tr(MESSAGES, "duplicate_column", lang, name=column.header)
            problems.append(Problem(sheet.file, where, header, msg, Reason.DUPLICATE, header))
        else:
            names[pos] = column.name
    for column in columns:
        if column.required and column.name not in names.values():
            msg = tr(MESSAGES, "missing_column", lang)
            problems.append(Problem(sheet.file, where, column.header, msg, Reason.MISSING))
    return names, problems


def cell_problems(
    file: str,
    frame: pd.DataFrame,
    mask: pd.Series,
    field: str,
    values: pd.Series,
    message: str,
    reason: Reason,
    lang: str = "vi",
) -> list[Problem]:
    """One problem per row where ``mask`` is true, at that row's spreadsheet number.

    Past :data:`~audit_lib.registers._reader.MAX_LISTED` rows, one more problem
    counts the rest: a file wrong in every row is told so in a few pages.
    """
    hit = np.flatnonzero(mask.fillna(False).to_numpy(dtype=bool))
    rows = frame["_row"].to_numpy()[hit]
    shown = values.to_numpy(dtype=object)[hit]
    problems = [
        Problem(file, tr(MESSAGES, "row", lang, n=int(r)), field, message, reason, _plain(v))
        for r, v in zip(rows[:MAX_LISTED], shown[:MAX_LISTED], strict=True)
    ]
    if len(rows) > MAX_LISTED:
        where = tr(MESSAGES, "from_row", lang, n=int(rows[MAX_LISTED]))
        count = grouped(len(rows) - MAX_LISTED, lang)
        more = tr(MESSAGES, "more_rows", lang, message=message, count=count)
        problems.append(Problem(file, where, field, more, reason))
    return problems


def _plain(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _parse_each(text: pd.Series, parse: Callable[[str], object]) -> pd.Series:
    """``parse`` of each distinct cell (NA where it raises ``ValueError``), as an object column."""

    def read(value: str) -> object:
        try:
            return parse(value)
        except ValueError:
            return None

    seen = {v: read(v) for v in text.dropna().unique()}
    return text.map(seen, na_action="ignore").astype(object).where(lambda v: v.notna(), None)


def _whole(number: float | None) -> float | None:
    """``number`` when it is whole (or None), else None: a cell the int column refuses."""
    return number if number is None or number.is_integer() else None


def _parse_words(text: pd.Series, words: Mapping[str, object]) -> pd.Series:
    seen = {v: words.get(header_key(v)) for v in text.dropna().unique()}
    return text.map(seen, na_action="ignore")


PARSERS: dict[str, Callable[[pd.Series, Column], pd.Series]] = {
    "str": lambda text, column: text,
    "int": lambda text, column: _parse_each(text, lambda v: _whole(parse_number(v))),
    "float": lambda text, column: _parse_each(text, parse_number),
    "date": lambda text, column: _parse_each(text, parse_date),
    "bool": lambda text, column: _parse_words(text, BOOLEAN_WORDS),
    "enum": lambda text, column: _parse_words(
        text, {header_key(w): code for code, *labels in column.choices for w in (code, *labels)}
    ),
}


def _typed(parsed: pd.Series, kind: str) -> pd.Series:
    if kind == "int":
        return parsed.astype("Int64")
    if kind == "float":
        return parsed.astype("Float64")
    if kind == "bool":
        return parsed.astype("boolean")
    return parsed.astype(object).where(parsed.notna(), None)


def parse_columns(
    sheet: Sheet, names: dict[int, str], columns: list[Column], lang: str = "vi"
) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed columns (every column of ``columns``, NA where absent) and the cell problems.

    ``_row`` holds each row's number in the spreadsheet. A bad cell becomes NA in the frame.
    """
    frame = pd.DataFrame({"_row": sheet.rows})
    problems: list[Problem] = []
    written = {name: sheet.headers[pos] for pos, name in names.items()}
    by_name = {name: pos for pos, name in names.items()}

    def report(mask, field, text, message, reason):
        return cell_problems(sheet.file, frame, mask, field, text, message, reason, lang)

    for column in columns:
        field = written.get(column.name, column.header)
        if column.name not in by_name:
            absent = pd.Series([column.default] * len(frame), dtype=object)
            frame[column.name] = _typed(absent, column.type)
            continue
        text = sheet.cells[by_name[column.name]].reset_index(drop=True)
        blank = text.isna()
        parsed = PARSERS[column.type](text, column)
        bad = ~blank & parsed.isna()
        if column.required:
            msg = tr(MESSAGES, "required", lang)
            problems += report(blank, field, text, msg, Reason.MISSING)
        if bad.any():
            fmt = {"allowed": column.allowed(lang)} if column.type == "enum" else {}
            msg = tr(MESSAGES, column.type, lang, **fmt)
            problems += report(bad, field, text, msg, Reason.TYPE)
        for bound, limit, outside in (
            ("minimum", column.minimum, lambda p, x: p < x),
            ("maximum", column.maximum, lambda p, x: p > x),
        ):
            if limit is not None:
                off = outside(pd.to_numeric(parsed), limit)
                msg = tr(MESSAGES, bound, lang, limit=_plain(limit))
                problems += report(off, field, text, msg, Reason.VALUE)
                parsed = parsed.where(~off.fillna(False))
        if column.past:
            off, msg = _in_the_future(parsed, column.type, lang)
            problems += report(off, field, text, msg, Reason.VALUE)
            parsed = parsed.where(~off)
        if column.default is not None:
            parsed = parsed.where(~blank, column.default)
        frame[column.name] = _typed(parsed, column.type)
    return frame, problems


def _in_the_future(parsed: pd.Series, kind: str, lang: str) -> tuple[pd.Series, str]:
    """Where a date (for a whole number, a year) is after :func:`latest_day`; what to say."""
    latest = latest_day()
    if kind == "int":
        off = pd.to_numeric(parsed) > latest.year
        return off.fillna(False).astype(bool), tr(MESSAGES, "future_year", lang, year=latest.year)
    off = parsed.map(lambda day: day > latest, na_action="ignore")
    shown = latest.strftime("%d/%m/%Y") if lang == "vi" else latest.isoformat()
    return off.fillna(False).astype(bool), tr(MESSAGES, "future", lang, day=shown)


def describe_type(column: Column, lang: str) -> str:
    """The column's type in words, for the template's notes sheet."""
    return pick(TYPES[column.type], lang)
