"""Register files read within bounds: what a file may hold, and reading a .csv.

Usage::

    from audit_lib.registers._reader import read_csv
    table = read_csv(Path("tai_nan.csv"), "vi")      # or _xlsx.read_xlsx for an .xlsx
    table.headers       # ['Mã vụ tai nạn / Accident id', ...]: row 1 as written
    table.columns[0]    # column A's text in each kept row, None where blank
    table.rows          # [2, 3, 5, ...]: each kept row's number in the spreadsheet

A register file comes from outside: it may be damaged, mislabelled or built to
hurt. Reading keeps within these bounds whatever the file says about itself,
and refuses the rest with a message that names the file, the row or cell and
what to do:

- at most :data:`MAX_ROWS` data rows under the header and
  :data:`MAX_COLUMNS` header columns; a value further down, or right of the
  last header, is refused as soon as it is read; empty cells are ignored
  wherever they are. An .xlsx's ``<dimension>`` (the extent it claims) is
  never used: a 5 KB file claiming ``A1:XFD1048576`` once made an import
  take 15.7 GB of memory for 2.5 minutes;
- at most :data:`MAX_CELLS` filled cells and :data:`MAX_CHARACTERS`
  characters in all, :data:`MAX_CELL_CHARACTERS` in one cell (Excel's own
  limit); an .xlsx sheet may list :data:`MAX_CELL_ELEMENTS` cells, empty
  ones included (each takes time to read);
- an .xlsx file is at most :data:`MAX_XLSX_BYTES`; it is a zip archive read
  by a streaming XML parser that keeps the cells' text and nothing else; a
  part that would unpack to more than :data:`MAX_PART_BYTES`
  (:data:`MAX_SHEET_BYTES` for the sheet) is refused before it is unpacked
  (a zip bomb); a file that is no zip archive is named for what it is (CSV
  or HTML renamed .xlsx, an old .xls);
- a formula without a stored result (a file written by a program and never
  opened in Excel), merged cells and error values (``#REF!``) are refused with
  their cell, as ``accidents!C7``: read as they are, they would become empty
  or false cells without a word;
- a .csv must be UTF-8 (with or without BOM), without NUL bytes, its lines
  under :data:`MAX_LINE_BYTES`; a file in another encoding is refused at the
  first line it cannot read.

Text is stripped and in Unicode NFC. What is kept is bounded by the limits
above: reading any file stays under 500 MB of memory
(tests/registers/test_hostile_spreadsheets.py measures it).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from audit_lib.core.errors import Problem, Reason, RegisterImportError
from audit_lib.core.i18n import nfc, tr

MAX_ROWS = 200_000
"""Data rows a register file may have under its header; split a larger file."""
MAX_COLUMNS = 30
"""Columns a register file may have (A to AD); the widest register has 15."""
MAX_CELLS = 3_000_000
"""Filled data cells a register file may have: 200,000 rows of the widest register."""
MAX_CELL_ELEMENTS = 2 * MAX_CELLS
"""Cells an .xlsx sheet may list, filled or only formatted: reading each takes time."""
MAX_CHARACTERS = 64_000_000
"""Characters in all the data cells of a register file together."""
MAX_CELL_CHARACTERS = 32_767
"""Characters in one cell: Excel's own limit."""
MAX_PART_BYTES = 32 * 2**20
"""What any other part of an .xlsx (shared text, styles, …) may unpack to."""
MAX_SHEET_BYTES = 512 * 2**20
"""What the sheet of an .xlsx may unpack to (200,000 rows of a register: about 100 MB)."""
MAX_XLSX_BYTES = 20 * 2**20
"""An .xlsx file (a full register of 200,000 rows is about 8 MB): the zip archive's list of
parts is read whole, and a small file can list hundreds of thousands."""
MAX_LINE_BYTES = 2**20
"""Bytes in one line of a .csv."""
MAX_LISTED = 1_000
"""Cells listed when many are refused for the same reason; the others are counted."""

LAST_EXCEL_ROW, LAST_EXCEL_COLUMN = 1_048_576, 16_384

MESSAGES = {
    "row": {"vi": "dòng {n}", "en": "row {n}"},
    "cell": {"vi": "dòng {n}, ô {ref}", "en": "row {n}, cell {ref}"},
    "no_header": {"vi": "tệp không có dòng tiêu đề", "en": "the file has no header row"},
    "too_many_rows": {
        "vi": "có dữ liệu ở dòng {n}: tệp chỉ được có tối đa {limit} dòng dữ liệu; "
        "hãy chia thành nhiều tệp",
        "en": "a value on row {n}: a file may have at most {limit} data rows; "
        "split it into several files",
    },
    "too_much": {
        "vi": "tệp quá lớn: đến dòng {n} đã có hơn {cells} ô có dữ liệu hoặc {characters} "
        "ký tự; hãy chia thành nhiều tệp",
        "en": "the file is too large: by row {n} it holds more than {cells} filled cells or "
        "{characters} characters; split it into several files",
    },
    "too_many_columns": {
        "vi": "dòng tiêu đề có hơn {limit} cột (tối đa đến cột {last})",
        "en": "the header row has more than {limit} columns (at most up to column {last})",
    },
    "beyond_header": {
        "vi": "ô có dữ liệu nhưng cột {column} không có tiêu đề (tiêu đề dừng ở cột {last}); "
        "hãy xóa ô hoặc thêm tiêu đề",
        "en": "a value in column {column}, which has no header (the headers end at column "
        "{last}); delete it or add a header",
    },
    "cell_too_long": {
        "vi": "ô dài hơn {limit} ký tự",
        "en": "the cell holds more than {limit} characters",
    },
    "utf16": {
        "vi": "tệp CSV ở dạng UTF-16 (Unicode text của Excel): hãy lưu lại dạng 'CSV UTF-8'",
        "en": "the CSV file is UTF-16 (Excel's 'Unicode text'): save it again as 'CSV UTF-8'",
    },
    "not_utf8": {
        "vi": "tệp CSV không phải UTF-8 (byte {byte} của dòng không đọc được; có lẽ là bảng "
        "mã Windows-1258 hay TCVN3): hãy lưu lại dạng 'CSV UTF-8'",
        "en": "the CSV file is not UTF-8 (byte {byte} of the line cannot be read; perhaps "
        "Windows-1258 or TCVN3): save it again as 'CSV UTF-8'",
    },
    "nul": {
        "vi": "dòng có ký tự NUL: tệp không phải văn bản CSV (có thể là UTF-16 hay tệp nhị "
        "phân): hãy lưu lại dạng 'CSV UTF-8'",
        "en": "the line holds a NUL character: the file is not CSV text (perhaps UTF-16 or "
        "binary): save it again as 'CSV UTF-8'",
    },
    "line_too_long": {
        "vi": "dòng dài hơn {limit} byte: tệp không phải CSV, hoặc dấu ngoặc kép bị thiếu",
        "en": "the line is longer than {limit} bytes: the file is not CSV, or a quote is missing",
    },
    "csv_syntax": {"vi": "CSV sai cú pháp: {error}", "en": "the CSV is malformed: {error}"},
}


@dataclass
class Table:
    """A register file as read: the header row, the text of each kept row by column."""

    file: str
    headers: list[str] = field(default_factory=list)
    columns: list[list[object]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


class Refusal:
    """Problems about one file, in one language, said from ``messages``."""

    def __init__(self, file: str, lang: str, messages=MESSAGES):
        self.file, self.lang, self.messages = file, lang, messages

    def problem(self, key: str, location=None, field=None, value=None, **fmt) -> Problem:
        """``fmt``'s counts and limits are grouped as the language writes them; ``n`` is a row."""
        fmt = {
            k: grouped(v, self.lang) if k != "n" and type(v) is int else v for k, v in fmt.items()
        }
        message = tr(self.messages, key, self.lang, **fmt)
        return Problem(self.file, location, field, message, Reason.SYNTAX, value)

    def __call__(self, key: str, location=None, field=None, value=None, **fmt):
        return RegisterImportError([self.problem(key, location, field, value, **fmt)])

    def row(self, n: int) -> str:
        return tr(self.messages, "row", self.lang, n=n)

    def cell(self, n: int, ref: str) -> str:
        return tr(self.messages, "cell", self.lang, n=n, ref=ref)


def grouped(number: int, lang: str) -> str:
    """``grouped(200000, "vi") == "200.000"``, ``"200,000"`` in English."""
    return f"{number:,}".replace(",", "." if lang == "vi" else ",")


def column_letter(index: int) -> str:
    """``column_letter(0) == "A"``, ``column_letter(29) == "AD"``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Collector:
    """Rows as they are read, kept column by column within the bounds."""

    def __init__(self, refuse: Refusal, cell_name):
        self.refuse, self.cell_name = refuse, cell_name
        self.table = Table(refuse.file)
        self.width: int | None = None
        self.cells = self.characters = 0

    def add(self, row: int, cells: dict[int, str]) -> None:
        """Keep row ``row`` (its non-blank cells by 0-based column), or refuse it."""
        if self.width is None:
            self._header(row, cells)
            return
        if row > MAX_ROWS + 1:
            ref = self.cell_name(row, min(cells))
            raise self.refuse("too_many_rows", ref, n=row, limit=MAX_ROWS)
        if max(cells) >= self.width:
            column = max(cells)
            raise self.refuse(
                "beyond_header",
                self.cell_name(row, column),
                value=cells[column],
                column=column_letter(column),
                last=column_letter(self.width - 1),
            )
        self.cells += len(cells)
        self.characters += sum(map(len, cells.values()))
        if self.cells > MAX_CELLS or self.characters > MAX_CHARACTERS:
            where = self.refuse.row(row)
            raise self.refuse("too_much", where, n=row, cells=MAX_CELLS, characters=MAX_CHARACTERS)
        for index, values in enumerate(self.table.columns):
            values.append(cells.get(index))
        self.table.rows.append(row)

    def finished(self) -> Table:
        """The table read, or a refusal when the file has no header."""
        if self.width is None:
            raise self.refuse("no_header")
        return self.table

    def _header(self, row: int, cells: dict[int, str]) -> None:
        if row != 1:
            raise self.refuse("no_header")
        if max(cells) >= MAX_COLUMNS:
            last = column_letter(MAX_COLUMNS - 1)
            ref = self.cell_name(row, max(cells))
            raise self.refuse("too_many_columns", ref, limit=MAX_COLUMNS, last=last)
        self.width = max(cells) + 1
        self.table.headers = [cells.get(i, "") for i in range(self.width)]
        self.table.columns = [[] for _ in range(self.width)]


def cell_text(value: object) -> str | None:
    """A cell's value as the text people typed: stripped, NFC, None when blank.

    A whole float loses its ``.0``; a fraction gets the decimal comma, so that
    ``1.234`` is not read back as 1234; a date becomes ISO.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value).replace(".", ",")
    return nfc(str(value)).strip() or None


def read_csv(path: Path, lang: str = "vi") -> Table:
    """The header and kept rows of a .csv (UTF-8, ``,`` ``;`` or tab separated), or a refusal."""
    refuse = Refusal(str(path), lang)
    collect = Collector(refuse, lambda row, column: refuse.row(row))
    with path.open("rb") as raw:
        if raw.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            raise refuse("utf16")
        raw.seek(0)
        lines = _csv_lines(raw, refuse)
        first = next(lines, None)
        if first is None:
            return collect.finished()
        delimiter = max([",", ";", "\t"], key=first.count)
        reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
        try:
            for number, record in enumerate(reader, start=1):
                if number > MAX_ROWS + 1:
                    raise refuse("too_many_rows", refuse.row(number), n=number, limit=MAX_ROWS)
                cells = {i: t for i, v in enumerate(record) if (t := v.strip())}
                if cells and max(map(len, cells.values())) > MAX_CELL_CHARACTERS:
                    raise refuse("cell_too_long", refuse.row(number), limit=MAX_CELL_CHARACTERS)
                if cells:
                    collect.add(number, cells)
        except csv.Error as exc:
            raise refuse("csv_syntax", refuse.row(reader.line_num), error=exc) from None
    return collect.finished()


def _csv_lines(raw: BinaryIO, refuse: Refusal) -> Iterator[str]:
    """The file's lines decoded, each checked: length, NUL bytes, UTF-8 (a BOM is dropped)."""
    for number in itertools.count(1):
        line = raw.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES:
            raise refuse("line_too_long", refuse.row(number), limit=MAX_LINE_BYTES)
        if b"\0" in line:
            raise refuse("nul", refuse.row(number))
        try:
            yield nfc(line.decode("utf-8-sig" if number == 1 else "utf-8"))
        except UnicodeDecodeError as exc:
            raise refuse("not_utf8", refuse.row(number), byte=exc.start + 1) from None
