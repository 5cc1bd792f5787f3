"""Hostile register files: bombs, damaged files, values that read as something else, future dates.

The attacks:

- a 5 KB .xlsx whose sheet claims the range ``A1:XFD1048576`` (and holds one
  cell there) made ``audit import`` take 15.7 GB of memory for 2.5 minutes,
  then fail with an empty message. Reading now keeps within stated bounds
  (``registers._reader``: rows, columns, cells, sizes) and refuses what lies
  beyond them at once, naming the cell; damaged and mislabelled files (a
  truncated zip, CSV or HTML named .xlsx, a zip bomb, UTF-16 or Windows-1258
  CSV, a NUL byte, an endless line) say what is wrong and where;
- a value merged over two rows, a formula saved without its result (a file
  written by a program, never opened in Excel) or an Excel error read as an
  empty cell, or as "no", without a word: an accident stored as not handled,
  a declaration date lost. Each is now refused with its cell (``accidents!K2``);
- an accident, a training or an examination dated in the future was stored.
  Every register date of something that happened, and every year, is now
  refused after today plus ``core.text.FUTURE_MARGIN`` (a day, for time zones),
  with the row and the field.

Each refusal names the file and the place, in the language asked for; nothing
is written.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from audit_lib.core.errors import Problem, Reason, RegisterImportError
from audit_lib.core.text import latest_day
from audit_lib.registers import REGISTERS, import_register, template
from audit_lib.registers import _reader as reader
from audit_lib.registers._spreadsheet import read_sheet
from tests.conftest import copy_db
from tests.registers import test_registers
from tests.registers.test_registers import EXAMPLES, dump, load_basics, write_csv

# their fixtures: a store with the units and two establishments, on every backend / on SQLite
loaded, loaded_sqlite = test_registers.loaded, test_registers.loaded_sqlite

ACCIDENT = {**EXAMPLES["accidents"], "establishment_code": None}
COLUMNS = [c.name for c in REGISTERS["accidents"].columns]
LETTER = {name: chr(65 + i) for i, name in enumerate(COLUMNS)}  # accident_id: A, …, handled: K

# Runs the CLI in a fresh interpreter and reports its peak memory; an address-space
# limit makes a regression fail with MemoryError instead of taking the machine.
MEASURED = """
import atexit, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (6 * 2**30, 6 * 2**30))
atexit.register(lambda: print(
    f"peak_rss_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", file=sys.stderr))
from audit_lib.cli import main
main(sys.argv[1:], prog_name="audit")
"""


def run_measured(
    *args: str, timeout: float = 120
) -> tuple[subprocess.CompletedProcess, float, int]:
    """``audit *args`` in a fresh interpreter: the result, the seconds taken, the peak RSS in MB."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, *args], capture_output=True, text=True, timeout=timeout
    )
    seconds = time.perf_counter() - start
    peak = int(re.search(r"peak_rss_kb=(\d+)", done.stderr).group(1)) // 1024
    return done, seconds, peak


def accidents_workbook(path: Path, rows: list[dict], edit=None) -> Path:
    """An accidents .xlsx as openpyxl writes it (English headers); ``edit(sheet)`` before saving."""
    book = Workbook()
    sheet = book.active
    sheet.title = "accidents"
    sheet.append([REGISTERS["accidents"].column(c).en for c in COLUMNS])
    for row in rows:
        sheet.append([row.get(c) for c in COLUMNS])
    if edit:
        edit(sheet)
    book.save(path)
    return path


def rewrite(path: Path, part: str, edit) -> Path:
    """``path`` with the text of one part of its zip archive replaced by ``edit(text)``."""
    with zipfile.ZipFile(path) as old:
        parts = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in parts:
            new.writestr(info, edit(data.decode()).encode() if info.filename == part else data)
    return path


def only_problem(error: pytest.ExceptionInfo) -> Problem:
    (problem,) = error.value.problems
    return problem


def refused(path: Path, lang: str = "vi") -> RegisterImportError:
    with pytest.raises(RegisterImportError) as error:
        read_sheet(path, lang)
    assert "Traceback" not in str(error.value)
    return error.value


# ---- the bomb ----------------------------------------------------------------------------


def bomb(path: Path, cell: bool = True) -> Path:
    """The accidents template claiming A1:XFD1048576 and, if ``cell``, holding a value there."""
    template("accidents", path)

    def claim(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml)
        far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        return xml.replace("</sheetData>", (far if cell else "") + "</sheetData>")

    return rewrite(path, "xl/worksheets/sheet1.xml", claim)


def test_a_small_workbook_claiming_a1_to_xfd1048576_is_refused_in_seconds_under_500_mb(
    empty_db_file, tmp_path
):
    url = copy_db(empty_db_file, tmp_path / "audit.db")
    from audit_lib.store import open_store

    with open_store(url) as store:
        load_basics(store)
        before = dump(store)
    path = bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 10_000

    done, seconds, peak = run_measured("import", "accidents", str(path), "--db", url)

    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert "bomb.xlsx: dòng 1048576, ô accidents!XFD1048576: có dữ liệu ở dòng 1048576" in (
        done.stderr
    )
    assert "tối đa 200.000 dòng dữ liệu" in done.stderr
    assert seconds < 15 and peak < 500, (seconds, peak)
    with open_store(url) as store:
        assert dump(store) == before


def test_a_claimed_extent_alone_is_ignored(loaded, tmp_path):
    path = accidents_workbook(tmp_path / "a.xlsx", [ACCIDENT])
    rewrite(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml),
    )
    assert import_register(loaded, "accidents", path).inserted == 1


SHARED_STRINGS_REL = (
    '<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'
)


def as_excel_saves(path: Path) -> Path:
    """``path`` with its text in a shared-strings part, as Excel writes it (openpyxl writes it
    inline): "TNLD-2024-001" in two formatted runs and a phonetic run that is not text."""
    texts: list[str] = []

    def shared(match: re.Match) -> str:
        texts.append(match.group(2))
        return f'{match.group(1)} t="s"><v>{len(texts) - 1}</v></c>'

    def entry(text: str) -> str:
        if text == "TNLD-2024-001":
            return (
                "<si><r><t>TNLD-</t></r><r><rPr><b/></rPr><t>2024-001</t></r>"
                '<rPh sb="0" eb="4"><t>not text</t></rPh></si>'
            )
        return f"<si><t>{text}</t></si>"

    inline = re.compile(
        r'(<c r="[A-Z]+[0-9]+"(?: s="[0-9]+")?) t="inlineStr"><is><t>(.*?)</t></is></c>'
    )
    rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: inline.sub(shared, xml))
    table = "<sst>" + "".join(entry(t) for t in texts) + "</sst>"
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", table)
    rels = "xl/_rels/workbook.xml.rels"
    return rewrite(path, rels, lambda xml: xml.replace("</Relationships>", SHARED_STRINGS_REL))


def test_a_workbook_as_excel_saves_it_is_read_exactly(loaded, tmp_path):
    def on_the_1904_calendar(sheet):  # Excel for Mac's old default
        sheet.parent.epoch = CALENDAR_MAC_1904

    day = dt.datetime(2024, 5, 14)
    row = {**ACCIDENT, "occurred_on": day, "declared_on": day + dt.timedelta(days=1)}
    inline = accidents_workbook(tmp_path / "inline.xlsx", [row], on_the_1904_calendar)
    excel = as_excel_saves(accidents_workbook(tmp_path / "excel.xlsx", [row], on_the_1904_calendar))
    assert "sharedStrings" in str(zipfile.ZipFile(excel).namelist())
    read = read_sheet(excel)
    assert read.headers == read_sheet(inline).headers
    assert read.cells.iloc[0].tolist() == read_sheet(inline).cells.iloc[0].tolist()
    assert read.cells.iloc[0, :3].tolist() == ["TNLD-2024-001", "2024-05-14", None]
    import_register(loaded, "accidents", excel)
    stored = loaded.register("accidents").set_index("accident_id").loc["TNLD-2024-001"]
    assert (stored["occurred_on"], stored["declared_on"]) == (day, day + dt.timedelta(days=1))


def test_a_list_validation_from_another_sheet_is_no_formula(loaded, tmp_path):
    lists = (
        '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14="http://schemas'
        '.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations count="1" '
        'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:dataValidation '
        'type="list"><x14:formula1><xm:f>Lists!$A$1:$A$3</xm:f></x14:formula1>'
        "<xm:sqref>K2:K500</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>"
    )
    path = accidents_workbook(tmp_path / "a.xlsx", [ACCIDENT])
    rewrite(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace("</worksheet>", lists + "</worksheet>"),
    )
    assert import_register(loaded, "accidents", path).inserted == 1


def test_a_value_right_of_the_last_header_is_refused_with_its_cell(tmp_path):
    path = accidents_workbook(
        tmp_path / "a.xlsx", [ACCIDENT], lambda sheet: sheet.cell(2, 16384, "stray")
    )
    problem = refused(path, "en").problems[0]
    assert problem.location == "row 2, cell accidents!XFD2"
    assert "column XFD, which has no header (the headers end at column K)" in problem.message
    assert problem.value == "stray"


def test_a_csv_value_right_of_the_last_header_is_refused_with_its_row(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("Năm,Mã đơn vị\n2024,PT-NX,,,,,\n2024,PT-NX,,,oops\n", encoding="utf-8")
    problem = refused(path, "en").problems[0]
    assert (problem.location, problem.value) == ("row 3", "oops")
    assert "column E, which has no header" in problem.message


def test_the_row_limit_is_read_and_one_more_row_is_refused(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("Năm\n" + "2024\n" * reader.MAX_ROWS, encoding="utf-8")
    assert len(read_sheet(path).cells) == reader.MAX_ROWS
    with path.open("a", encoding="utf-8") as out:
        out.write("2024\n")
    problem = refused(path, "en").problems[0]
    assert problem.location == f"row {reader.MAX_ROWS + 2}"
    assert "at most 200,000 data rows; split it into several files" in problem.message


def test_a_header_wider_than_the_limit_is_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(reader.MAX_COLUMNS + 1)) + "\n", "utf-8")
    assert "the header row has more than 30 columns (at most up to column AD)" in str(
        refused(path, "en")
    )


def test_more_filled_cells_or_characters_than_the_limits_are_refused(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "a.csv", [ACCIDENT] * 3)
    monkeypatch.setattr(reader, "MAX_CELLS", 2 * 10)  # two rows of ten filled cells
    problem = refused(path, "en").problems[0]
    assert problem.location == "row 4"
    assert "too large: by row 4 it holds more than 20 filled cells" in problem.message
    monkeypatch.setattr(reader, "MAX_CELLS", 1000)
    monkeypatch.setattr(reader, "MAX_CHARACTERS", 100)
    assert "more than 1,000 filled cells or 100 characters" in str(refused(path, "en"))


@pytest.mark.slow  # writes and reads 3 million cells
def test_a_file_as_large_as_the_limits_allow_is_read_under_500_mb(tmp_path):
    columns = 15
    path = tmp_path / "full.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(f"c{i}" for i in range(columns)) + "\n")
        for row in range(reader.MAX_ROWS):  # 3,000,000 distinct cells of 8 digits
            start = 10_000_000 + row * columns
            out.write(",".join(str(start + i) for i in range(columns)) + "\n")
    script = (
        "import resource, sys; from audit_lib.registers._spreadsheet import read_sheet\n"
        "sheet = read_sheet(sys.argv[1]); assert sheet.cells.shape == (200000, 15)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) < 500


@pytest.mark.slow  # reads six million empty cells
def test_a_sheet_listing_millions_of_empty_cells_is_refused_at_the_limit(tmp_path):
    path = accidents_workbook(tmp_path / "a.xlsx", [ACCIDENT])
    empty = '<row><c s="0"/>' + '<c s="0"/>' * 47 + "</row>"  # 48 formatted, empty cells

    def formatted_far_down(xml: str) -> str:
        rows = empty * (reader.MAX_CELL_ELEMENTS // 48 + 1)
        return xml.replace("</sheetData>", rows + "</sheetData>")

    rewrite(path, "xl/worksheets/sheet1.xml", formatted_far_down)
    assert path.stat().st_size < 1_000_000
    start = time.perf_counter()
    problem = refused(path, "en").problems[0]
    assert time.perf_counter() - start < 60
    assert "the sheet holds more than 6,000,000 cells, filled or only formatted" in problem.message


# ---- damaged and mislabelled files -------------------------------------------------------


def zip_of(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_a_zip_bomb_of_shared_text_is_refused_before_it_is_unpacked(tmp_path):
    path = accidents_workbook(tmp_path / "a.xlsx", [ACCIDENT])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:  # 33 MB in ~40 KB
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b"<si><t>a</t></si>" * 2_000_000)
    rels = "xl/_rels/workbook.xml.rels"
    rewrite(path, rels, lambda xml: xml.replace("</Relationships>", SHARED_STRINGS_REL))
    assert path.stat().st_size < 200_000
    assert "the part xl/sharedStrings.xml of the file unpacks to 33 MB, over the 32 MB" in str(
        refused(path, "en")
    )


def good_workbook(tmp_path) -> bytes:
    return accidents_workbook(tmp_path / "good.xlsx", [ACCIDENT]).read_bytes()


@pytest.mark.parametrize(
    "content, said",
    [
        (lambda good: good[: len(good) // 2], "the .xlsx file is cut short"),
        (lambda good: "Mã vụ tai nạn,Ngày\nTN-1,2024-05-14\n".encode(), "the file is text"),
        (lambda good: b"<html><body><table><tr><td>1</td></tr></table>", "an HTML page"),
        (lambda good: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Excel 97"),
        (lambda good: bytes(range(256)) * 4, "the file is not an .xlsx workbook"),
        (lambda good: "Năm\n2024\n".encode("utf-16"), "the file is not an .xlsx workbook"),
    ],
    ids=["truncated", "csv", "html", "xls", "binary", "utf16-text"],
)
def test_a_file_that_is_no_workbook_is_named_for_what_it_is(tmp_path, content, said):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content(good_workbook(tmp_path)))
    problem = only_problem(pytest.raises(RegisterImportError, read_sheet, path, "en"))
    assert problem.file == str(path) and said in problem.message


def test_a_zip_that_is_no_workbook_says_what_is_missing(tmp_path):
    path = zip_of(tmp_path / "x.xlsx", {"hello.txt": b"hello"})
    assert "not an Excel workbook (.xlsx): xl/workbook.xml" in str(refused(path, "en"))


@pytest.mark.parametrize(
    "edit, said",
    [
        (lambda xml: xml.replace("</sheetData>", "<row><c>"), "damaged"),
        (lambda xml: '<!DOCTYPE x [<!ENTITY a "aaaa">]>' + xml, "damaged (perhaps"),
        (lambda xml: xml.replace('<row r="2"', '<row r="1"', 1), "row numbers"),
        (lambda xml: xml.replace('r="B2"', 'r="B!2"'), "invalid address"),
    ],
    ids=["broken-xml", "dtd", "rows-out-of-order", "bad-reference"],
)
def test_a_damaged_sheet_is_refused_with_what_is_wrong(tmp_path, edit, said):
    path = accidents_workbook(tmp_path / "a.xlsx", [ACCIDENT])
    rewrite(path, "xl/worksheets/sheet1.xml", edit)
    assert said in str(refused(path, "en"))


def test_a_cell_longer_than_excel_allows_is_refused_with_its_cell(tmp_path):
    long = "x" * (reader.MAX_CELL_CHARACTERS + 1)  # openpyxl cuts a longer text: edit the XML
    path = accidents_workbook(tmp_path / "a.xlsx", [{**ACCIDENT, "accident_id": "LONG"}])
    rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(">LONG<", f">{long}<"))
    problem = refused(path, "en").problems[0]
    assert problem.location == "row 2, cell accidents!A2"
    assert "more than 32,767 characters" in problem.message
    csv_path = write_csv(tmp_path / "a.csv", [{**ACCIDENT, "accident_id": long}])
    assert refused(csv_path, "en").problems[0].location == "row 2"


# Windows' Vietnamese code page: "Đơn vị mới", its tones as combining marks
CP1258 = "Nam,Don vi\n2024,PT-NX\n2025,Đơn vi\u0323 mơ\u0301i\n".encode("cp1258")


@pytest.mark.parametrize(
    "content, location, said",
    [
        ("Năm\n2024\n".encode("utf-16"), None, "UTF-16"),
        ("Năm\n2024\n".encode("utf-16-le"), "row 1", "NUL"),
        (CP1258, "row 3", "not UTF-8 (byte 6 of the line cannot be read; perhaps Windows-1258"),
        (b"Nam,Ma\n2024,PT\x00NX\n", "row 2", "NUL"),
        (b"Nam\n" + b"9" * (2**20 + 1) + b"\n", "row 2", "longer than 1,048,576 bytes"),
        (b'Nam,Ma\n2024,"' + b"x" * 1000 * 200, "row 2", "field larger than field limit"),
    ],
    ids=["utf16-bom", "utf16-no-bom", "cp1258", "nul", "endless-line", "open-quote"],
)
def test_a_csv_that_cannot_be_read_says_where(tmp_path, content, location, said):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    problem = only_problem(pytest.raises(RegisterImportError, read_sheet, path, "en"))
    assert (problem.location, problem.reason) == (location, Reason.SYNTAX)
    assert said in problem.message


def test_the_cli_names_a_damaged_file_and_exits_1_without_traceback(empty_db_file, tmp_path):
    url = copy_db(empty_db_file, tmp_path / "audit.db")
    path = tmp_path / "tai_nan.xlsx"
    path.write_bytes(good_workbook(tmp_path)[:3000])
    done, _, _ = run_measured("import", "accidents", str(path), "--db", url)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "tai_nan.xlsx: tệp .xlsx bị cắt cụt" in done.stderr


# ---- values that read as something else --------------------------------------------------


def merged(column: str):
    def edit(sheet):
        letter = LETTER[column]
        sheet.merge_cells(f"{letter}2:{letter}3")

    return edit


TWO = [ACCIDENT, {**ACCIDENT, "accident_id": "TNLD-2024-002"}]


@pytest.mark.parametrize("column", ["victims", "handled", "declared_on"])
def test_a_value_merged_over_two_rows_is_refused_with_its_cell(loaded, tmp_path, column):
    path = accidents_workbook(tmp_path / "a.xlsx", TWO, merged(column))
    before = dump(loaded)
    with pytest.raises(RegisterImportError) as error:
        import_register(loaded, "accidents", path, lang="en")
    letter = LETTER[column]
    problem = only_problem(error)
    assert problem.location == f"row 2, cell accidents!{letter}2"
    assert problem.field == REGISTERS["accidents"].column(column).en
    assert f"merged cells accidents!{letter}2:{letter}3" in problem.message
    assert dump(loaded) == before


def with_formula(column: str, formula: str):
    def edit(sheet):
        sheet[f"{LETTER[column]}2"] = formula

    return edit


@pytest.mark.parametrize(
    "column, formula",
    [("victims", "=1+1"), ("handled", '=IF(G2>0,"Có","Không")'), ("declared_on", "=B2+1")],
)
def test_a_formula_saved_without_its_result_is_refused_with_its_cell(
    loaded, tmp_path, column, formula
):
    path = accidents_workbook(tmp_path / "a.xlsx", [ACCIDENT], with_formula(column, formula))
    before = dump(loaded)
    with pytest.raises(RegisterImportError) as error:
        import_register(loaded, "accidents", path, lang="en")
    problem = only_problem(error)
    assert problem.location == f"row 2, cell accidents!{LETTER[column]}2"
    assert (problem.field, problem.value) == (REGISTERS["accidents"].column(column).en, formula)
    assert "a formula without a result (the file was never opened and saved in Excel)" in (
        problem.message
    )
    assert dump(loaded) == before


def test_a_formula_with_the_result_excel_saved_is_read_as_that_result(loaded, tmp_path):
    path = accidents_workbook(tmp_path / "a.xlsx", [ACCIDENT])

    def as_excel_saves(xml: str) -> str:  # victims =1+1 → 2; handled ="" → blank
        xml = re.sub(r'<c r="F2"[^>]*>.*?</c>', '<c r="F2"><f>1+1</f><v>2</v></c>', xml)
        return re.sub(r'<c r="K2"[^>]*>.*?</c>', '<c r="K2" t="str"><f>""</f><v></v></c>', xml)

    rewrite(path, "xl/worksheets/sheet1.xml", as_excel_saves)
    import_register(loaded, "accidents", path)
    stored = loaded.register("accidents").set_index("accident_id").loc["TNLD-2024-001"]
    assert (stored["victims"], bool(stored["handled"])) == (2, False)


def test_an_excel_error_value_is_refused_with_its_cell(tmp_path):
    path = accidents_workbook(tmp_path / "a.xlsx", [ACCIDENT])
    rewrite(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(
            r'<c r="G2"[^>]*>.*?</c>', '<c r="G2" t="e"><f>1/0</f><v>#DIV/0!</v></c>', xml
        ),
    )
    problem = refused(path, "en").problems[0]
    assert (problem.location, problem.value) == ("row 2, cell accidents!G2", "#DIV/0!")
    assert "the cell holds an Excel error (#DIV/0!)" in problem.message


def test_a_thousand_bad_cells_are_listed_and_the_rest_counted(loaded_sqlite, tmp_path):
    rows = [{**ACCIDENT, "accident_id": f"TN-{i}", "victims": "x"} for i in range(1500)]
    with pytest.raises(RegisterImportError) as error:
        import_register(loaded_sqlite, "accidents", write_csv(tmp_path / "a.csv", rows))
    victims = [p for p in error.value.problems if p.field == "victims"]
    assert len(victims) == reader.MAX_LISTED + 1
    assert victims[-1].location == "từ dòng 1002"
    assert victims[-1].message == "phải là số nguyên: thêm 500 dòng nữa có cùng lỗi này"


# ---- dates that cannot be ----------------------------------------------------------------

PAST_DATES = [
    (kind, column.name)
    for kind, spec in REGISTERS.items()
    for column in spec.columns
    if column.past and column.type == "date"
]
YEARLY = [kind for kind, spec in REGISTERS.items() if any(c.name == "year" for c in spec.columns)]


def test_every_date_of_something_that_happened_and_every_year_is_checked():
    assert PAST_DATES == [
        ("accidents", "occurred_on"),
        ("accidents", "declared_on"),
        ("accidents", "investigation_completed_on"),
        ("compensation", "paid_on"),
        ("env_monitoring", "monitored_on"),
        ("outreach", "reached_on"),
    ]
    assert all(REGISTERS[kind].column("year").past for kind in YEARLY)
    planned = [
        (kind, c.name) for kind, spec in REGISTERS.items() for c in spec.columns if c.type == "date"
    ]
    assert set(planned) - set(PAST_DATES) == {
        ("establishments", "active_from"),
        ("establishments", "active_to"),
        ("units", "valid_from"),
        ("units", "valid_to"),
        ("crosswalk", "effective_on"),
    }


def example(kind: str, **change) -> dict:
    row = {**EXAMPLES[kind], **change}
    if "year" in row and kind != "workforce":
        row.update(unit_code="LC-KL")  # the new commune, valid from July 2025 on
    return row


@pytest.mark.parametrize("kind, name", PAST_DATES)
def test_a_date_after_tomorrow_is_refused_with_the_row_and_field(
    loaded_sqlite, tmp_path, kind, name
):
    if kind == "compensation":
        import_register(loaded_sqlite, "accidents", write_csv(tmp_path / "a.csv", [ACCIDENT]))
    day_after = latest_day() + dt.timedelta(days=1)
    change = {name: day_after.strftime("%d/%m/%Y")}
    if "year" in EXAMPLES[kind]:
        change["year"] = day_after.year
    path = write_csv(tmp_path / "f.csv", [example(kind, **change)])
    before = dump(loaded_sqlite)
    with pytest.raises(RegisterImportError) as error:
        import_register(loaded_sqlite, kind, path, lang="en")
    found = [p for p in error.value.problems if p.field == name]
    assert [(p.location, p.reason) for p in found] == [("row 2", Reason.VALUE)]
    assert found[0].message == (
        f"a date in the future (after {latest_day().isoformat()}): this cannot have happened yet"
    )
    assert dump(loaded_sqlite) == before


@pytest.mark.parametrize("kind", YEARLY)
def test_a_year_after_this_one_is_refused(loaded_sqlite, tmp_path, kind):
    next_year = latest_day().year + 1
    row = example(kind, year=next_year)
    row = {k: v for k, v in row.items() if k not in ("monitored_on", "reached_on")}
    with pytest.raises(RegisterImportError) as error:
        import_register(loaded_sqlite, kind, write_csv(tmp_path / "f.csv", [row]), lang="en")
    (problem,) = [p for p in error.value.problems if p.field == "year"]
    assert problem.location == "row 2"
    assert problem.message == (
        f"a year in the future (after {latest_day().year}): these figures cannot exist yet"
    )


def test_tomorrow_is_accepted_for_the_time_zones(loaded_sqlite, tmp_path):
    tomorrow = latest_day()
    row = {**ACCIDENT, "occurred_on": tomorrow.isoformat(), "declared_on": None}
    row.update(investigation_completed_on=None, unit_code="LC-KL")
    path = write_csv(tmp_path / "a.csv", [row])
    assert import_register(loaded_sqlite, "accidents", path).inserted == 1


def test_a_planned_reform_may_take_effect_in_the_future(loaded_sqlite, tmp_path):
    ahead = (latest_day() + dt.timedelta(days=400)).isoformat()
    row = {**EXAMPLES["units"], "valid_from": ahead, "valid_to": None}
    path = write_csv(tmp_path / "u.csv", [row])
    assert import_register(loaded_sqlite, "units", path).inserted == 1


def test_an_xlsx_date_cell_in_the_future_is_refused_too(loaded_sqlite, tmp_path):
    future = dt.datetime.combine(latest_day() + dt.timedelta(days=30), dt.time())
    path = accidents_workbook(tmp_path / "a.xlsx", [{**ACCIDENT, "declared_on": future}])
    with pytest.raises(RegisterImportError) as error:
        import_register(loaded_sqlite, "accidents", path)
    problem = only_problem(error)
    assert (problem.location, problem.field) == ("dòng 2", "Date declared")
    assert problem.message.startswith("ngày ở tương lai (sau ")
