"""Registers: templates to fill in, and an all-or-nothing import of the filled files.

Usage::

    from audit_lib.registers._import import KINDS, import_register, template
    template("accidents", "tai_nan.xlsx")            # Vietnamese headers, English alongside
    result = import_register(store, "accidents", "tai_nan.xlsx")
    (result.inserted, result.updated, result.unchanged)   # (12, 0, 0); again: (0, 0, 12)
    print(result.summary("vi"))

Kinds (``KINDS``): ``workforce, accidents, compensation, training, od_exams,
env_monitoring, outreach`` (docs/contracts.md), plus ``establishments``,
``units`` and ``crosswalk``; their columns and rules are in
:mod:`audit_lib.registers._kinds`.

An import is a recipe of steps, each testable alone: read the sheet
(:func:`~audit_lib.registers._spreadsheet.read_sheet`), match headers, parse cells,
check rows (:func:`check_rows`: row rules, references, duplicate keys), then
write (:func:`write_rows`). Every problem of every row is collected first and
raised together as :class:`~audit_lib.core.errors.RegisterImportError` (file, row as
the spreadsheet shows it, column header, value, reason); nothing is written
then. A clean file is written in one transaction.

A unit may be written by code or by name or alias ("Xã Nậm Xe", "Sì Lờ
Lầu"); a name shared by an old and a new commune means the one valid at the
row's date (a yearly row: on 31 December).

Re-importing is safe: rows are matched on the kind's natural key
(``REGISTERS[kind].key``, the table's primary key). A new key is inserted; a
known key with different values is updated (the file is the newer truth); an
identical row is left alone and counted as unchanged. Rows already in the
database but absent from the file are kept.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from audit_lib.core.errors import (
    InputError,
    Problem,
    Reason,
    RegisterImportError,
    raise_if_problems,
)
from audit_lib.core.i18n import pick, tr
from audit_lib.registers._columns import Register
from audit_lib.registers._kinds import REGISTERS
from audit_lib.registers._spreadsheet import MESSAGES as SHEET_MESSAGES
from audit_lib.registers._spreadsheet import (
    cell_problems,
    describe_type,
    match_headers,
    parse_columns,
    read_sheet,
)
from audit_lib.store import bulk_insert, native_records, schema
from audit_lib.units import Hierarchy, crosswalk_problems, units_problems

KINDS = tuple(REGISTERS)

MESSAGES = {
    "unknown_kind": {
        "vi": "không có loại sổ '{kind}'; các loại: {kinds}",
        "en": "no register kind '{kind}'; kinds: {kinds}",
    },
    "duplicate_key": {
        "vi": "trùng khóa ({values}) với dòng {first}",
        "en": "same key ({values}) as row {first}",
    },
    "unit": {"vi": "mã đơn vị không có trong danh mục", "en": "unknown unit code"},
    "any_unit": {"vi": "mã đơn vị không có trong danh mục", "en": "unknown unit code"},
    "no_units": {
        "vi": "{message}: danh mục đơn vị đang trống; chạy `audit import units FILE` "
        "(mẫu: `audit template units`)",
        "en": "{message}: the unit list is empty; run `audit import units FILE` "
        "(template: `audit template units`)",
    },
    "parent": {
        "vi": "mã đơn vị cấp trên không có trong danh mục hay trong tệp",
        "en": "parent unit code neither in the unit list nor in the file",
    },
    "unit_not_valid": {
        "vi": "đơn vị chưa có hoặc đã hết hiệu lực vào ngày hoặc năm của dòng",
        "en": "the unit was not valid at the row's date or year",
    },
    "establishment": {
        "vi": "mã cơ sở không có trong sổ cơ sở",
        "en": "establishment code not in the establishment register",
    },
    "accident": {
        "vi": "mã vụ tai nạn không có trong sổ tai nạn",
        "en": "accident id not in the accident register",
    },
    "victim_no": {
        "vi": "lớn hơn số người bị nạn của vụ tai nạn",
        "en": "greater than the accident's number of victims",
    },
    "paid_before": {
        "vi": "ngày chi trả trước ngày xảy ra tai nạn",
        "en": "paid before the accident happened",
    },
    "summary": {
        "vi": "{file}: {title}: thêm mới {inserted}, cập nhật {updated}, không đổi {unchanged}",
        "en": "{file}: {title}: {inserted} inserted, {updated} updated, {unchanged} unchanged",
    },
    "rules_title": {
        "vi": "Quy tắc kiểm tra: dòng bị từ chối khi",
        "en": "Row rules: a row is refused when",
    },
    "reimport": {
        "vi": "Nhập lại không tạo bản ghi trùng: dòng cùng khóa ({columns}) được cập nhật",
        "en": "Importing again makes no duplicates: a row with the same key ({columns}) is updated",
    },
    "required_yes": {"vi": "Có", "en": "Yes"},
    "required_no": {"vi": "Không", "en": "No"},
}

NOTES_HEADERS = [
    "Cột / Column",
    "Tên chuẩn / Canonical name",
    "Kiểu / Type",
    "Bắt buộc / Required",
    "Giá trị cho phép / Allowed values",
    "Giải thích",
    "Explanation",
]
NOTES_SHEET = "Ghi chú - Notes"


@dataclass(frozen=True)
class ImportResult:
    """What an import did: rows inserted, updated and left unchanged."""

    kind: str
    file: str
    inserted: int
    updated: int
    unchanged: int

    def summary(self, lang: str = "vi") -> str:
        title = pick(dict(zip(("vi", "en"), REGISTERS[self.kind].title, strict=True)), lang)
        return tr(MESSAGES, "summary", lang, file=self.file, title=title, **self.counts)

    @property
    def counts(self) -> dict[str, int]:
        return {"inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged}


def register_for(kind: str, lang: str = "vi") -> Register:
    """The :class:`Register` of ``kind``; an unknown kind raises a RegisterImportError."""
    if kind not in REGISTERS:
        message = tr(MESSAGES, "unknown_kind", lang, kind=kind, kinds=", ".join(KINDS))
        raise RegisterImportError([Problem(kind, None, None, message, Reason.UNKNOWN, kind)])
    return REGISTERS[kind]


def _row_number(problem: Problem) -> int:
    found = re.search(r"\d+", problem.location or "")
    return int(found.group()) if found else 0


def read_rows(store, kind: str, path: str | Path, lang: str = "vi") -> pd.DataFrame:
    """Read and check a whole file; the typed rows, or a RegisterImportError listing every problem.

    The frame has the kind's canonical columns and ``_row``, the spreadsheet row number.
    """
    spec = register_for(kind, lang)
    sheet = read_sheet(path, lang)
    names, problems = match_headers(sheet, list(spec.read), lang)
    frame, cell = parse_columns(sheet, names, list(spec.read), lang)
    fields = {name: sheet.headers[pos] for pos, name in names.items()}
    problems += cell + check_rows(store, spec, frame, sheet.file, fields, lang)
    problems = _one_per_cell(problems)
    problems.sort(key=_row_number)
    raise_if_problems(RegisterImportError, problems)
    return frame


def _one_per_cell(problems: list[Problem]) -> list[Problem]:
    """The first problem of each cell: an unreadable or empty cell is not also refused by a rule."""
    seen: set[tuple] = set()
    first = []
    for problem in problems:
        cell = (problem.location, problem.field)
        if problem.location is None or cell not in seen:
            seen.add(cell)
            first.append(problem)
    return first


def check_rows(
    store, spec: Register, frame: pd.DataFrame, file: str, fields=None, lang: str = "vi"
) -> list[Problem]:
    """Row rules, references and duplicate keys over typed rows (columns of ``spec``, ``_row``).

    ``fields`` maps canonical names to the headers written in the file, for the messages.
    """
    fields = fields or {}

    def field_of(name: str) -> str:
        return fields.get(name, spec.column(name).header)

    def report(ok: pd.Series, name: str, message: str, reason: Reason) -> list[Problem]:
        bad = ~ok.fillna(True).astype(bool)
        return cell_problems(file, frame, bad, field_of(name), frame[name], message, reason, lang)

    _resolve_unit_names(store, spec, frame)
    problems = []
    for rule in (*spec.text_rules, *spec.rules):
        message = rule.message[0] if lang == "vi" else rule.message[1]
        problems += report(rule.check(frame), rule.field, message, rule.reason)
    for name, target in spec.refs.items():
        ok, extra = _reference(store, spec, frame, name, target)
        message = tr(MESSAGES, target, lang)
        if target in ("unit", "any_unit") and not ok.all() and store.units().empty:
            message = tr(MESSAGES, "no_units", lang, message=message)
        problems += report(ok, name, message, Reason.REFERENCE)
        for extra_name, (extra_ok, key) in extra.items():
            problems += report(extra_ok, extra_name, tr(MESSAGES, key, lang), Reason.CONSISTENCY)
    problems += _duplicates(spec, frame, file, field_of, lang)
    problems += _unit_rules(store, spec, frame, file, field_of, lang)
    if spec.check is not None:
        problems += _checked_by_the_store(store, spec, frame, file, field_of, lang)
    return problems


def _unit_rules(store, spec: Register, frame: pd.DataFrame, file: str, field_of, lang: str):
    """Parent units that loop, crosswalk shares that do not add up to 1.

    Checked on what the tables would hold once the file is written: the stored
    rows, with the file's rows in place of those with the same key. A problem is
    reported at each row of the file that takes part.
    """
    if spec.kind == "units":
        stored, check, field = store.units(), units_problems, "parent_code"
    elif spec.kind == "crosswalk":
        stored, check, field = store.crosswalk(), crosswalk_problems, "share"
    else:
        return []
    names, keys = [c.name for c in spec.columns], list(spec.key)
    stored = stored.reindex(columns=names)
    written = set(_rows_as_tuples(spec, frame, keys))
    kept = [key not in written for key in _rows_as_tuples(spec, stored, keys)]
    tables = pd.concat([stored[kept], frame[names]], ignore_index=True)
    rows = [None] * sum(kept) + [tr(SHEET_MESSAGES, "row", lang, n=int(n)) for n in frame["_row"]]
    return check(tables, file, pd.Series(rows, dtype=object), field_of(field), lang)


def _checked_by_the_store(store, spec: Register, frame, file: str, field_of, lang: str):
    """The problems ``spec.check`` finds; ``frame`` takes the values as the store tidies them."""
    names = [c.name for c in spec.read]
    rows = [tr(SHEET_MESSAGES, "row", lang, n=int(n)) for n in frame["_row"]]
    fields = {name: field_of(name) for name in names}
    units = set(store.units()["unit_code"])
    tidied, problems = spec.check(
        frame[names], units, file=file, locations=rows, fields=fields, lang=lang
    )
    frame[names] = tidied[names]
    return problems


def _row_dates(spec: Register, frame: pd.DataFrame) -> pd.Series:
    """The date a row speaks of: its event date, or the last day of its year."""
    if spec.unit_when == "year":
        year = frame["year"].astype("Int64").astype("string")
        return pd.to_datetime(year, format="%Y", errors="coerce") + pd.offsets.YearEnd(0)
    return pd.to_datetime(frame[spec.unit_when])


def _resolve_unit_names(store, spec: Register, frame: pd.DataFrame) -> None:
    """Put codes where people wrote a unit's name or alias ("Xã Nậm Xe", "Sì Lờ Lầu").

    A name shared by an old and a new unit means the one valid at the row's date
    (today's units when the row has no date). Text that names no unit is left for
    the reference check to report.
    """
    if spec.refs.get("unit_code") != "unit" or not spec.unit_when:
        return
    units = store.units()
    given = frame["unit_code"]
    todo = given.notna() & ~given.isin(set(units["unit_code"]))
    if not todo.any():
        return
    hierarchy = Hierarchy(units)
    today = dt.date.today()
    found = {}
    for text, when in zip(given[todo], _row_dates(spec, frame)[todo], strict=True):
        if (text, when) not in found:
            try:
                found[text, when] = hierarchy.resolve(text, today if pd.isna(when) else when.date())
            except InputError:
                found[text, when] = text
    dates = _row_dates(spec, frame)[todo]
    frame.loc[todo, "unit_code"] = [found[k] for k in zip(given[todo], dates, strict=True)]


def _unit_validity(store, spec: Register, frame: pd.DataFrame) -> pd.Series:
    units = store.units()
    spans = units.assign(
        start=pd.to_datetime(units["valid_from"]),
        end=pd.to_datetime(units["valid_to"]),
    ).groupby("unit_code")
    start = frame["unit_code"].map(spans["start"].min())
    end = frame["unit_code"].map(spans["end"].max())
    open_ended = frame["unit_code"].map(spans["end"].apply(lambda s: s.isna().any()))
    last = _row_dates(spec, frame)
    first = last - pd.offsets.YearBegin(1) if spec.unit_when == "year" else last
    ends_after = (end >= first) | open_ended.astype("boolean").fillna(False)
    starts_before = (start <= last) | start.isna()
    return (ends_after & starts_before) | first.isna() | frame["unit_code"].isna()


def _reference(store, spec: Register, frame: pd.DataFrame, name: str, target: str):
    """Whether each row's ``name`` exists in ``target``, and rules that need the referent."""
    values = frame[name]
    extra = {}
    if target in ("unit", "any_unit", "parent"):
        known = set(store.units()["unit_code"])
        if target == "parent":
            known |= set(frame["unit_code"].dropna())
        ok = values.isin(known) | values.isna()
        if target == "unit" and spec.unit_when and spec.unit_checked:
            extra[name] = (_unit_validity(store, spec, frame) | ~ok, "unit_not_valid")
    elif target == "establishment":
        ok = values.isin(set(store.establishments()["code"])) | values.isna()
    else:
        accidents = store.register("accidents").set_index("accident_id")
        ok = values.isin(set(accidents.index)) | values.isna()
        victims = values.map(accidents["victims"]).astype("Float64")
        occurred = pd.to_datetime(values.map(accidents["occurred_on"]))
        extra["victim_no"] = (~(frame["victim_no"] > victims), "victim_no")
        extra["paid_on"] = (~(pd.to_datetime(frame["paid_on"]) < occurred), "paid_before")
    return ok, extra


def _key_frame(spec: Register, frame: pd.DataFrame) -> pd.DataFrame:
    """Key columns with absent text keys as ``""``, as the tables store them."""
    keys = frame[list(spec.key)].copy()
    for name in spec.key:
        if spec.column(name).type == "str":
            keys[name] = keys[name].fillna("")
    return keys


def _duplicates(spec: Register, frame: pd.DataFrame, file: str, field_of, lang: str):
    keys = _key_frame(spec, frame)
    complete = keys.notna().all(axis=1)
    dup = keys.duplicated(keep="first") & complete
    if not dup.any():
        return []
    as_text = keys.astype(str).agg(", ".join, axis=1)
    first_row = frame["_row"].groupby(as_text).transform("first")
    problems = []
    for i in np.flatnonzero(dup.to_numpy()):
        message = tr(
            MESSAGES, "duplicate_key", lang, values=as_text.iloc[i], first=first_row.iloc[i]
        )
        location = tr(SHEET_MESSAGES, "row", lang, n=int(frame["_row"].iloc[i]))
        field = field_of(spec.key[-1])
        problems.append(Problem(file, location, field, message, Reason.DUPLICATE, as_text.iloc[i]))
    return problems


def _comparable(series: pd.Series, kind: str) -> list:
    """Values of one column that compare equal when the stored and the imported value agree."""
    if kind in ("int", "float", "bool"):
        numbers = np.array(series.to_numpy(dtype=object, na_value=np.nan), dtype=float)
        return np.where(np.isnan(numbers), None, numbers).tolist()
    if kind == "date":
        text = pd.to_datetime(series, errors="coerce").dt.strftime("%Y-%m-%d")
        return text.to_numpy(dtype=object, na_value=None).tolist()
    values = series.to_numpy(dtype=object, na_value=None)
    return np.where(values == "", None, values).tolist()


def _rows_as_tuples(spec: Register, frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    if not columns:
        return [()] * len(frame)
    mapped = [_comparable(frame[c], spec.column(c).type) for c in columns]
    return list(zip(*mapped, strict=True))


def _unstorable_text(spec: Register, frame: pd.DataFrame, file: str) -> list[Problem]:
    """Text ``frame`` holds that its table cannot (too long, control characters), by row:
    ``_row`` when the rows were read from a sheet, else their position from 1."""
    rows = frame["_row"] if "_row" in frame else pd.Series(range(1, len(frame) + 1))
    problems = []
    for rule in spec.text_rules:
        bad = ~rule.check(frame).fillna(True).astype(bool).to_numpy()
        message = f"{rule.message[1]} ({rule.message[0]})"
        for i in np.flatnonzero(bad):
            value = frame[rule.field].iloc[i]
            location = f"row {int(rows.iloc[i])}"
            problems.append(Problem(file, location, rule.field, message, rule.reason, value))
    return problems


def write_rows(
    store,
    kind: str,
    frame: pd.DataFrame,
    source: str | None = None,
    at: dt.datetime | None = None,
    by: str | None = None,
    conn: sa.Connection | None = None,
) -> ImportResult:
    """Insert new keys, update changed rows, leave identical rows alone: one transaction.

    ``source`` and ``at`` (naive UTC, default now) stamp the rows written where the
    table records them; ``by`` names who did it for tables that record people.
    ``conn`` joins a caller's transaction instead of opening one.

    Rows that :func:`read_rows` did not check are checked for text the table
    cannot hold (:attr:`Register.text_rules`): a RegisterImportError, nothing
    written. The database itself refuses a number out of its range.
    """
    spec = register_for(kind)
    raise_if_problems(RegisterImportError, _unstorable_text(spec, frame, source or kind))
    if conn is None:
        with store.transaction() as conn:
            return _write(spec, frame, source, at, by, conn)
    return _write(spec, frame, source, at, by, conn)


def _write(spec: Register, frame, source, at, by, conn: sa.Connection) -> ImportResult:
    """:func:`write_rows` of checked rows, in ``conn``'s transaction."""
    table = schema.metadata.tables[spec.table]
    at = at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    columns = [c.name for c in spec.read if c.name in table.c and c.name in frame]
    keys, values = list(spec.key), [c for c in columns if c not in spec.key]
    incoming = frame[columns].reset_index(drop=True)
    incoming[keys] = _key_frame(spec, incoming)
    stamps = {"source": source, "imported_at": at, "updated_by": by, "updated_at": at}
    stamps = {k: v for k, v in stamps.items() if k in table.c}
    created = {k: v for k, v in {"created_by": by, "created_at": at}.items() if k in table.c}
    stored = [tuple(row) for row in conn.execute(sa.select(*(table.c[c] for c in columns)))]
    existing = pd.DataFrame(stored, columns=columns, dtype=object)
    known = dict(
        zip(
            _rows_as_tuples(spec, existing, keys),
            _rows_as_tuples(spec, existing, values),
            strict=True,
        )
    )
    pairs = zip(
        _rows_as_tuples(spec, incoming, keys), _rows_as_tuples(spec, incoming, values), strict=True
    )
    status = np.array(
        ["insert" if k not in known else ("same" if known[k] == v else "update") for k, v in pairs]
    )
    inserts = incoming[status == "insert"].assign(**stamps, **created)
    bulk_insert(conn, table, inserts.sort_values(keys, kind="stable"))
    updates = native_records(incoming[status == "update"].assign(**stamps), table)
    if updates:
        changed = [*values, *stamps]
        where = [table.c[k] == sa.bindparam(f"k_{k}") for k in keys]
        targets = {c: sa.bindparam(f"v_{c}") for c in changed}
        params = [
            {**{f"k_{k}": u[k] for k in keys}, **{f"v_{c}": u[c] for c in changed}} for u in updates
        ]
        conn.execute(table.update().where(*where).values(targets), params)
    counts = {s: int((status == s).sum()) for s in ("insert", "update", "same")}
    return ImportResult(spec.kind, source or "", counts["insert"], counts["update"], counts["same"])


def import_register(store, kind: str, path: str | Path, lang: str = "vi", by: str | None = None):
    """Check the whole file, then write it in one transaction; an :class:`ImportResult`."""
    frame = read_rows(store, kind, path, lang)
    return write_rows(store, kind, frame, source=Path(path).name, by=by or "import")


def template(kind: str, path: str | Path, fmt: str | None = None) -> Path:
    """Write an empty template for ``kind``: .xlsx (with a notes sheet) or .csv (UTF-8 with BOM).

    ``fmt`` is ``"xlsx"`` or ``"csv"``; by default a ``.csv`` suffix means csv, anything else xlsx.
    """
    spec = register_for(kind)
    path = Path(path)
    fmt = fmt or ("csv" if path.suffix.lower() == ".csv" else "xlsx")
    headers = [c.header for c in spec.columns]
    if fmt == "csv":
        path.write_text(",".join(f'"{h}"' for h in headers) + "\n", encoding="utf-8-sig")
        return path
    _write_workbook(spec, path, headers)
    return path


def _notes_rows(spec: Register) -> list[list[str]]:
    rows = []
    for c in spec.columns:
        allowed = "; ".join(f"{code} = {vi} = {en}" for code, vi, en in c.choices)
        bounds = [
            f">= {c.minimum}" if c.minimum is not None else "",
            f"<= {c.maximum}" if c.maximum is not None else "",
        ]
        allowed = allowed or " ".join(b for b in bounds if b)
        kind = f"{describe_type(c, 'vi')} / {describe_type(c, 'en')}"
        required = f"{tr(MESSAGES, 'required_yes' if c.required else 'required_no', 'vi')} / " + tr(
            MESSAGES, "required_yes" if c.required else "required_no", "en"
        )
        rows.append([c.header, c.name, kind, required, allowed, c.note[0], c.note[1]])
    rows.append([])
    rows.append([f"{tr(MESSAGES, 'rules_title', 'vi')} / {tr(MESSAGES, 'rules_title', 'en')}"])
    for rule in spec.rules:
        header = spec.column(rule.field).header
        rows.append([header, rule.field, "", "", "", rule.message[0], rule.message[1]])
    key = ", ".join(spec.key)
    rows.append(
        [
            tr(MESSAGES, "reimport", "vi", columns=key),
            "",
            "",
            "",
            "",
            "",
            tr(MESSAGES, "reimport", "en", columns=key),
        ]
    )
    return rows


def _write_workbook(spec: Register, path: Path, headers: list[str]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = spec.kind
    sheet.append(headers)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for pos, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=pos)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(pos)
        sheet.column_dimensions[letter].width = min(max(len(column.header) * 0.7, 14), 40)
        choices = [code for code, *_ in column.choices] if column.type == "enum" else []
        if column.type == "bool":
            choices = ["Có", "Không"]
        if choices:
            rule = DataValidation(
                type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True
            )
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}5000")
    sheet.row_dimensions[1].height = 45
    sheet.freeze_panes = "A2"
    notes = book.create_sheet(NOTES_SHEET)
    notes.append(NOTES_HEADERS)
    for row in _notes_rows(spec):
        notes.append(row)
    for pos, width in enumerate((34, 26, 26, 14, 40, 60, 60), start=1):
        notes.column_dimensions[get_column_letter(pos)].width = width
        notes.cell(row=1, column=pos).font = bold
    book.save(path)
