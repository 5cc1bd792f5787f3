"""The first sheet of an .xlsx, read as a stream within the bounds of :mod:`._reader`.

Usage::

    from audit_lib.registers._xlsx import read_xlsx
    table = read_xlsx(Path("tai_nan.xlsx"), "vi")   # a _reader.Table, or a RegisterImportError

The file is a zip archive of XML parts. Each part is streamed through expat,
never built into a tree, keeping only what the first sheet needs: its
location, the shared text, which cell styles show dates, the 1900 or 1904
calendar. The sheet itself is read in one pass that keeps each row's text
and notes what must not be read as it is: formulas without a stored result,
merged cells, error values. Sizes are checked before anything is unpacked.
openpyxl writes the templates; it does not read imports, whose memory in
read-only mode follows what the file claims.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from pathlib import Path
from xml.parsers import expat

from audit_lib.core.errors import RegisterImportError
from audit_lib.core.i18n import nfc
from audit_lib.registers import _reader as reader
from audit_lib.registers._reader import (
    LAST_EXCEL_COLUMN,
    LAST_EXCEL_ROW,
    MAX_CELL_CHARACTERS,
    MAX_CELL_ELEMENTS,
    MAX_LISTED,
    MAX_PART_BYTES,
    MAX_SHEET_BYTES,
    MAX_XLSX_BYTES,
    Collector,
    Refusal,
    Table,
    cell_text,
    column_letter,
)

MESSAGES = {
    "formula": {
        "vi": "công thức chưa có kết quả (tệp chưa từng được mở và lưu bằng Excel): hãy mở "
        "tệp bằng Excel rồi lưu lại, hoặc nhập giá trị thay cho công thức",
        "en": "a formula without a result (the file was never opened and saved in Excel): "
        "open it in Excel and save it, or type the value instead of the formula",
    },
    "merged": {
        "vi": "ô gộp {found}: chỉ ô đầu có giá trị, các ô khác đọc ra trống; hãy bỏ gộp và "
        "điền từng ô",
        "en": "merged cells {found}: only the first holds the value, the others read as "
        "empty; unmerge them and fill each cell",
    },
    "error_value": {
        "vi": "ô chứa lỗi của Excel ({found}): hãy sửa công thức hoặc nhập giá trị",
        "en": "the cell holds an Excel error ({found}): fix the formula or type the value",
    },
    "more": {
        "vi": "và {count} ô khác cùng lỗi này",
        "en": "and {count} more cells with the same problem",
    },
    "part_too_big": {
        "vi": "phần {part} của tệp giải nén ra {size} MB, quá giới hạn {limit} MB: tệp bị "
        "hỏng hoặc được tạo để làm tràn bộ nhớ",
        "en": "the part {part} of the file unpacks to {size} MB, over the {limit} MB "
        "limit: the file is damaged or built to exhaust memory",
    },
    "damaged": {
        "vi": "tệp .xlsx bị hỏng (có thể bị cắt cụt hoặc tải về chưa xong): {detail}; hãy "
        "lấy lại tệp gốc",
        "en": "the .xlsx file is damaged (perhaps truncated or not fully downloaded): "
        "{detail}; get the original file again",
    },
    "xlsx_too_big": {
        "vi": "tệp .xlsx nặng {size} MB, quá giới hạn {limit} MB (một sổ 200.000 dòng nặng "
        "khoảng 8 MB): hãy chia thành nhiều tệp hoặc lưu dạng CSV UTF-8",
        "en": "the .xlsx file is {size} MB, over the {limit} MB limit (a register of 200,000 "
        "rows is about 8 MB): split it or save it as CSV UTF-8",
    },
    "bad_reference": {
        "vi": "ô có địa chỉ không hợp lệ: tệp bị hỏng",
        "en": "a cell with an invalid address: the file is damaged",
    },
    "truncated": {
        "vi": "tệp .xlsx bị cắt cụt (thiếu phần cuối, có thể tải về chưa xong): hãy lấy lại "
        "tệp gốc",
        "en": "the .xlsx file is cut short (its end is missing, perhaps not fully downloaded): "
        "get the original file again",
    },
    "rows_out_of_order": {
        "vi": "số thứ tự các dòng trong tệp không tăng dần: tệp bị hỏng hoặc không do Excel tạo",
        "en": "the row numbers in the file do not increase: the file is damaged or was not "
        "made by Excel",
    },
    "too_many_elements": {
        "vi": "trang tính có hơn {limit} ô, có dữ liệu hoặc chỉ được định dạng: hãy xóa các "
        "dòng, cột trống quanh bảng, hoặc lưu dạng CSV UTF-8",
        "en": "the sheet holds more than {limit} cells, filled or only formatted: delete the "
        "empty rows and columns around the table, or save it as CSV UTF-8",
    },
    "row_too_wide": {
        "vi": "dòng có hơn {limit} ô, nhiều hơn số cột của Excel: tệp bị hỏng",
        "en": "the row has more than {limit} cells, more than Excel has columns: the file is "
        "damaged",
    },
    "missing_text": {
        "vi": "ô trỏ tới một đoạn chữ không có trong tệp: tệp bị hỏng",
        "en": "the cell refers to text the file does not hold: the file is damaged",
    },
    "not_workbook": {
        "vi": "tệp nén này không phải bảng tính Excel (.xlsx): thiếu {part}",
        "en": "this zip archive is not an Excel workbook (.xlsx): {part} is missing",
    },
    "old_xls": {
        "vi": "đây là tệp Excel 97–2003 (.xls) hoặc bảng tính có mật khẩu, không phải .xlsx: "
        "hãy mở bằng Excel, bỏ mật khẩu và lưu dạng .xlsx",
        "en": "this is an Excel 97–2003 (.xls) file or a password-protected workbook, not "
        ".xlsx: open it in Excel, remove the password and save it as .xlsx",
    },
    "html": {
        "vi": "tệp là trang HTML mang đuôi .xlsx (một số hệ thống xuất 'Excel' như vậy): hãy "
        "mở bằng Excel và lưu dạng .xlsx",
        "en": "the file is an HTML page named .xlsx (as some systems export 'Excel'): open "
        "it in Excel and save it as .xlsx",
    },
    "text_not_xlsx": {
        "vi": "tệp là văn bản (có lẽ là CSV) mang đuôi .xlsx: hãy đổi đuôi thành .csv hoặc "
        "mở bằng Excel và lưu dạng .xlsx",
        "en": "the file is text (probably CSV) named .xlsx: rename it to .csv, or open it in "
        "Excel and save it as .xlsx",
    },
    "not_xlsx": {
        "vi": "tệp không phải bảng tính .xlsx",
        "en": "the file is not an .xlsx workbook",
    },
}


_REF = re.compile(r"([A-Z]{1,3})([0-9]*)")


def read_xlsx(path: Path, lang: str = "vi") -> Table:
    """The header and kept rows of an .xlsx's first sheet, or a refusal."""
    refuse = Refusal(str(path), lang, {**reader.MESSAGES, **MESSAGES})
    if not zipfile.is_zipfile(path):
        raise refuse(_what_it_is(path))
    size = path.stat().st_size
    if size > MAX_XLSX_BYTES:
        raise refuse("xlsx_too_big", size=-(-size // 2**20), limit=MAX_XLSX_BYTES // 2**20)
    try:
        with zipfile.ZipFile(path) as archive:
            return _Book(archive, refuse).read_first_sheet()
    except zipfile.BadZipFile as exc:
        raise refuse("damaged", detail=exc) from None
    except expat.ExpatError as exc:
        detail = f"XML: {expat.ErrorString(exc.code)}, {exc.lineno}:{exc.offset}"
        raise refuse("damaged", detail=detail) from None
    except (EOFError, NotImplementedError, RuntimeError, OSError) as exc:
        raise refuse("damaged", detail=str(exc) or type(exc).__name__) from None


def _what_it_is(path: Path) -> str:
    """The message for an .xlsx that is no zip archive, after its first bytes."""
    with path.open("rb") as raw:
        head = raw.read(4096)
    lowered = head.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "old_xls"
    if head.startswith(b"PK"):
        return "truncated"
    if b"<html" in lowered or b"<!doctype html" in lowered or b"<table" in lowered:
        return "html"
    if b"\0" in head:
        return "not_xlsx"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # more than a character cut at the end of the sample
            return "not_xlsx"
    return "text_not_xlsx"


def _tag(name: str) -> str:
    """The local name of an element expat names ``"namespace tag"``."""
    return name.rpartition(" ")[2]


class _Book:
    """An .xlsx's parts that its first sheet needs, each streamed and kept small.

    Every part is read by :func:`_stream`, never as a tree: only what is needed
    is kept (the sheet's part, the shared text, the date styles as one byte each).
    """

    def __init__(self, archive: zipfile.ZipFile, refuse: Refusal):
        self.archive, self.refuse = archive, refuse
        workbook = self._targets("", {"officeDocument"}).get("officeDocument", "xl/workbook.xml")
        if workbook not in self.archive.namelist():
            raise refuse("not_workbook", part=workbook)
        first: dict = {}
        self.epoch: dt.datetime | None = None

        def sheets(name, attrs):
            tag = _tag(name)
            if tag == "sheet" and not first:
                rid = next((v for k, v in attrs.items() if _tag(k) == "id"), None)
                first.update(rid=rid, name=attrs.get("name", ""))
            elif tag == "workbookPr" and attrs.get("date1904") in ("1", "true"):
                self.epoch = dt.datetime(1904, 1, 1)

        self._stream(workbook, MAX_PART_BYTES, sheets)
        parts = self._targets(workbook, {first.get("rid"), "sharedStrings", "styles"})
        if first.get("rid") not in parts:
            raise refuse("not_workbook", part=f"{workbook}: sheet")
        self.sheet, title = parts[first["rid"]], first["name"]
        self.sheet_name = (
            title if re.fullmatch(r"\w+", title) else "'{}'".format(title.replace("'", "''"))
        )
        self.strings = self._shared_strings(parts.get("sharedStrings"))
        self.date_styles = self._date_styles(parts.get("styles"))

    def _stream(self, part: str, limit: int, start, end=None, data=None) -> None:
        """Parse ``part`` with these expat handlers, refusing it if it unpacks to over ``limit``."""
        try:
            info = self.archive.getinfo(part)
        except KeyError:
            raise self.refuse("not_workbook", part=part) from None
        if info.file_size > limit:
            size, most = -(-info.file_size // 2**20), limit // 2**20
            raise self.refuse("part_too_big", part=part, size=size, limit=most)
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.buffer_size = 2**16
        parser.StartElementHandler = start
        parser.StartDoctypeDeclHandler = self._doctype
        if end is not None:
            parser.EndElementHandler = end
        if data is not None:
            parser.CharacterDataHandler = data
        with self.archive.open(info) as stream:
            while chunk := stream.read(2**20):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)

    def _doctype(self, *_) -> None:
        """Excel never writes a DTD; one is there to define entities, the XML bombs' tool."""
        raise self.refuse("damaged", detail="DTD")

    def _targets(self, part: str, wanted: set) -> dict[str, str]:
        """The parts that ``part`` ("" for the package) relates to, by id or kind, if wanted."""
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", f"{name}.rels")
        found: dict[str, str] = {}
        if rels not in self.archive.namelist():
            return found

        def relationship(name, attrs):
            kind = attrs.get("Type", "").rpartition("/")[2]
            key = attrs.get("Id") if attrs.get("Id") in wanted else kind
            if _tag(name) != "Relationship" or key not in wanted or key in found:
                return
            if attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                if not target.startswith("/"):
                    target = posixpath.join(folder, target)
                found[key] = posixpath.normpath(target).lstrip("/")

        self._stream(rels, MAX_PART_BYTES, relationship)
        return found

    def _shared_strings(self, part: str | None) -> list[str]:
        strings: list[str] = []
        if part is None:
            return strings
        texts: list[str] = []
        size = 0
        depth = {"t": 0, "rPh": 0}

        def start(name, attrs):
            tag = _tag(name)
            if tag in depth:
                depth[tag] += 1

        def end(name):
            nonlocal size
            tag = _tag(name)
            if tag in depth:
                depth[tag] -= 1
            elif tag == "si":
                strings.append(nfc("".join(texts)))
                texts.clear()
                size = 0

        def data(text):
            nonlocal size
            if depth["t"] and not depth["rPh"]:
                texts.append(text)
                size += len(text)
                if size > MAX_CELL_CHARACTERS:
                    raise self.refuse("cell_too_long", part, limit=MAX_CELL_CHARACTERS)

        self._stream(part, MAX_PART_BYTES, start, end, data)
        return strings

    def _date_styles(self, part: str | None) -> bytearray:
        """One byte per cell style (``s``): 1 where its number format shows a date."""
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

        dates = bytearray()
        if part is None:
            return dates
        formats = {f"{n}" for n, code in BUILTIN_FORMATS.items() if is_date_format(code)}
        where = {"cellXfs": False}

        def start(name, attrs):
            tag = _tag(name)
            if tag == "numFmt" and is_date_format(attrs.get("formatCode", "")):
                formats.add(attrs.get("numFmtId", ""))
            elif tag == "numFmt":
                formats.discard(attrs.get("numFmtId", ""))
            elif tag == "cellXfs":
                where["cellXfs"] = True
            elif tag == "xf" and where["cellXfs"]:
                dates.append(attrs.get("numFmtId", "0") in formats)

        def end(name):
            if _tag(name) == "cellXfs":
                where["cellXfs"] = False

        self._stream(part, MAX_PART_BYTES, start, end)
        return dates

    def read_first_sheet(self) -> Table:
        scan = _SheetScan(self)
        self._stream(self.sheet, MAX_SHEET_BYTES, scan.start, scan.end, scan.data)
        scan.raise_findings()
        return scan.collect.finished()


class _SheetScan:
    """One pass over the sheet's XML: each cell's text, and what must not be read as it is.

    The handlers run for every element of a sheet that may hold millions: they
    test the commonest tags first and keep per-cell work to a few lookups.
    """

    def __init__(self, book: _Book):
        self.book, self.refuse = book, book.refuse
        self.collect = Collector(self.refuse, self._cell_name)
        self.findings: dict[str, list[tuple[int, int, object]]] = {}
        self.found: dict[str, int] = {}
        self.tags: dict[str, str] = {}
        self.columns: dict[str, int] = {}
        self.row = self.column = self.elements = self.size = 0
        self.cells: dict[int, str] = {}
        self.kind = self.style = ""
        self.value: list[str] = []
        self.formula: list[str] | None = None
        self.target: list[str] | None = None
        self.has_value = self.inline = self.phonetic = self.in_cell = False

    def _cell_name(self, row: int, column: int) -> str:
        return self.refuse.cell(row, f"{self.book.sheet_name}!{column_letter(column)}{row}")

    def _column(self, letters: str) -> int:
        """The index of column ``letters`` (``"XFD"`` is 16383); a reference Excel never writes
        is refused."""
        if not _REF.fullmatch(letters):
            raise self.refuse("bad_reference", self.refuse.row(self.row), value=letters)
        column = self.columns[letters] = _column_index(letters)
        return column

    def _tag(self, name: str) -> str:
        tag = _tag(name)
        if len(self.tags) < 64:  # a sheet uses a dozen tags; a hostile one, any number
            self.tags[name] = tag
        return tag

    def start(self, name: str, attrs: dict) -> None:
        tag = self.tags.get(name) or self._tag(name)
        if tag == "c":
            ref = attrs.get("r", "")
            letters = ref.rstrip("0123456789")
            if letters:
                column = self.columns.get(letters)
                if column is None:
                    column = self._column(letters)
            else:
                column = self.column + 1
            self.elements += 1
            if column >= LAST_EXCEL_COLUMN:
                where = self.refuse.row(self.row)
                raise self.refuse("row_too_wide", where, limit=LAST_EXCEL_COLUMN)
            if self.elements > MAX_CELL_ELEMENTS:
                where = self.refuse.row(self.row)
                raise self.refuse("too_many_elements", where, limit=MAX_CELL_ELEMENTS)
            self.column, self.kind, self.style = column, attrs.get("t", "n"), attrs.get("s", "")
            self.value, self.formula, self.has_value, self.size = [], None, False, 0
            self.in_cell = True
        elif tag == "v" and self.in_cell:
            self.target, self.has_value = self.value, True
        elif tag == "row":
            self._start_row(attrs.get("r"))
        elif tag == "t" and self.inline and not self.phonetic:
            self.target = self.value
        elif tag == "f" and self.in_cell:  # not the <xm:f> of a validation list, say
            self.formula = self.target = []
        elif tag == "is":
            self.inline = True
        elif tag == "rPh":
            self.phonetic = True
        elif tag == "mergeCell":
            self._merged(attrs.get("ref", ""))

    def end(self, name: str) -> None:
        tag = self.tags.get(name) or self._tag(name)
        if tag == "v" or tag == "t" or tag == "f":
            self.target = None
        elif tag == "c":
            self._end_cell()
            self.in_cell = False
        elif tag == "row":
            if self.cells:
                self.collect.add(self.row, self.cells)
                self.cells = {}
        elif tag == "is":
            self.inline = False
        elif tag == "rPh":
            self.phonetic = False

    def data(self, text: str) -> None:
        if self.target is None:
            return
        self.target.append(text)
        self.size += len(text)
        if self.size > MAX_CELL_CHARACTERS:
            where = self._cell_name(self.row, self.column)
            raise self.refuse("cell_too_long", where, limit=MAX_CELL_CHARACTERS)

    def _start_row(self, number: str | None) -> None:
        row = int(number) if number and number.isdigit() else self.row + 1
        if row <= self.row or row > LAST_EXCEL_ROW:
            raise self.refuse("rows_out_of_order", self.refuse.row(row))
        self.row, self.column = row, -1

    def _end_cell(self) -> None:
        value = "".join(self.value) if len(self.value) != 1 else self.value[0]
        if self.formula is not None and not (self.has_value and (value or self.kind == "str")):
            self._find("formula", "=" + "".join(self.formula))
        elif self.kind == "e":
            self._find("error_value", value)
        elif value and (text := self._text(value)) is not None:
            self.cells[self.column] = text

    def _text(self, value: str) -> str | None:
        """The text of the cell just read, as :func:`cell_text` makes it."""
        kind = self.kind
        if kind == "n":
            dates = self.book.date_styles
            style = int(self.style) if self.style.isdigit() else 0
            if style < len(dates) and dates[style]:
                return self._date(value)
            if value.isdigit():
                return value
            try:
                return cell_text(float(value))
            except ValueError:
                return cell_text(value)
        if kind == "s":
            try:
                return cell_text(self.book.strings[int(value)])
            except (ValueError, IndexError):
                where = self._cell_name(self.row, self.column)
                raise self.refuse("missing_text", where) from None
        if kind == "b":
            return cell_text(value.strip() in ("1", "true"))
        return cell_text(value)

    def _date(self, value: str) -> str | None:
        from openpyxl.utils.datetime import from_excel

        epoch = {"epoch": self.book.epoch} if self.book.epoch else {}
        try:
            day = from_excel(float(value), **epoch)
        except (OverflowError, ValueError):
            return cell_text(value)
        return cell_text(day) if isinstance(day, dt.datetime) else cell_text(value)

    def _merged(self, ref: str) -> None:
        first = _REF.match(ref)
        if first and first.group(2):
            row, column = int(first.group(2)), _column_index(first.group(1))
            self._find("merged", f"{self.book.sheet_name}!{ref}", row, column)

    def _find(self, key: str, value: object, row: int = 0, column: int = -1) -> None:
        self.found[key] = self.found.get(key, 0) + 1
        listed = self.findings.setdefault(key, [])
        if len(listed) < MAX_LISTED:
            listed.append((row or self.row, self.column if column < 0 else column, value))

    def raise_findings(self) -> None:
        """Every formula without result, merged range and error value, with its cell."""
        if not self.findings:
            return
        headers = self.collect.table.headers
        problems = []
        for key, listed in self.findings.items():
            for row, column, value in listed:
                header = headers[column] if column < len(headers) else ""
                where = self._cell_name(row, column)
                problem = self.refuse.problem(key, where, header or None, value, found=value)
                problems.append(problem)
            if self.found[key] > len(listed):
                problems.append(self.refuse.problem("more", count=self.found[key] - len(listed)))
        raise RegisterImportError(problems)


def _column_index(letters: str) -> int:
    """``_column_index("A") == 0``, ``_column_index("XFD") == 16383``."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1
