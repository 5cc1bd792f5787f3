"""Register templates and the all-or-nothing import (SQLite always, PostgreSQL when enabled)."""

from __future__ import annotations

import datetime as dt
import itertools
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from audit_lib.cli import main
from audit_lib.core.errors import Reason, RegisterImportError
from audit_lib.registers import KINDS, REGISTERS, import_register, template, write_rows
from audit_lib.registers._spreadsheet import Column, Sheet, header_key, parse_columns, read_sheet
from audit_lib.store import schema

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "data" / "units"

# one valid row per kind, in canonical names, given the units and the two establishments below
EXAMPLES = {
    "workforce": {"unit_code": "PT-NX", "year": 2024, "workers": 2150,
                  "workers_labour_relations": 640},
    "accidents": {"accident_id": "TNLD-2024-001", "occurred_on": "2024-05-14",
                  "establishment_code": "6200000001", "unit_code": "PT-NX",
                  "labour_relations": "Có", "victims": 2, "deaths": 1, "serious_injuries": 1,
                  "declared_on": "15/05/2024", "investigation_completed_on": "2024-06-20",
                  "handled": "x"},
    "compensation": {"accident_id": "TNLD-2024-001", "victim_no": 1, "compensated": "Có",
                     "amount_vnd": 180000000, "paid_on": "2024-06-01"},
    "training": {"year": 2024, "unit_code": "PT-NX", "establishment_code": "6200000001",
                 "group": 3, "category": "strict_worker", "headcount": 40, "trained": 35},
    "od_exams": {"year": 2024, "unit_code": "PT-NX", "establishment_code": "6200000001",
                 "workers_examined": 90, "od_cases": 1},
    "env_monitoring": {"year": 2024, "unit_code": "PT-NX", "establishment_code": "6200000001",
                       "monitored_on": "2024-09-10", "samples": 24, "samples_failing": 2},
    "outreach": {"year": 2025, "unit_code": "LC-KL", "establishment_code": "6200000001",
                 "channel": "visit", "reached_on": "2025-08-02"},
    "establishments": {"code": "6200000003", "name": "HTX Chè Sin Suối Hồ",
                       "kind": "cooperative", "sector": "agriculture", "unit_code": "PT-SSH",
                       "workforce": 28, "labour_relations": "Có"},
    "units": {"unit_code": "PT-BL-01", "name_vi": "Bản thử", "level": "commune",
              "parent_code": "PT", "valid_from": "2010-01-01", "valid_to": "2025-06-30"},
    "crosswalk": {"old_code": "PT", "new_code": "LC", "effective_on": "2025-07-01",
                  "share": 1, "illustrative": "Có"},
}  # fmt: skip

ACCIDENTS_CSV = (
    "Mã vụ tai nạn;Ngày xảy ra;Mã số cơ sở;Mã đơn vị hành chính;Có quan hệ lao động;"
    "Số người bị nạn;Số người chết;Số người bị thương nặng;Ngày khai báo;"
    "Ngày hoàn thành điều tra;Đã xử lý\n"
    "TNLD-2023-001;03/04/2023;6200000001;PT-NX;Có;1;1;0;03/04/2023;2023-05-10;Có\n"
    "TNLD-2023-002;2023-08-21;;PT-SSH;Không;2;0;1;;;\n"
    "TNLD-2025-001;12/09/2025;6200000002;LC-SLL;x;1;0;0;13/09/2025;;0\n"
)


def load_basics(store) -> None:
    """The shipped units and crosswalk, and two establishments."""
    import_register(store, "units", UNITS / "units.csv")
    import_register(store, "crosswalk", UNITS / "crosswalk.csv")
    common = {"kind": "enterprise", "workforce": 120, "labour_relations": True}
    store.add_establishment(code="6200000001", name="Công ty TNHH Khoáng sản Nậm Xe",
                            sector="mining", unit_code="PT-NX", **common)  # fmt: skip
    store.add_establishment(code="6200000002", name="Công ty CP Thủy điện Nậm Cuổi",
                            sector="hydropower", unit_code="LC-SLL", **common)  # fmt: skip


@pytest.fixture
def loaded(store):
    load_basics(store)
    return store


@pytest.fixture
def loaded_sqlite(sqlite_store):
    load_basics(sqlite_store)
    return sqlite_store


def dump(store) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    with store.engine.connect() as conn:
        return {
            name: sorted(map(tuple, conn.execute(sa.select(table)).all()), key=repr)
            for name, table in schema.metadata.tables.items()
        }


def write_csv(path: Path, rows: list[dict], headers: dict | None = None) -> Path:
    frame = pd.DataFrame(rows)
    if headers:
        frame = frame.rename(columns=headers)
    frame.to_csv(path, index=False)
    return path


def cases(error: RegisterImportError) -> set[tuple]:
    frame = error.failure_cases
    return set(zip(frame["location"], frame["field"], frame["reason"], frame["value"], strict=True))


# ---- headers and values ------------------------------------------------------------


def test_headers_match_in_vietnamese_english_or_canonical_ignoring_case_and_diacritics():
    deaths = REGISTERS["accidents"].column("deaths")
    for header in ("Số người chết", "so nguoi chet", "SỐ NGƯỜI CHẾT", "Deaths", "deaths",
                   "Số người chết / Deaths", "so nguoi chet/deaths"):  # fmt: skip
        assert deaths.accepts(header), header
    assert not deaths.accepts("Số người bị nạn")
    assert header_key("Đơn_vị  hành-chính") == "don vi hanh chinh"


def test_every_kind_has_its_table_columns_and_a_key_that_is_the_tables_natural_key():
    for kind in KINDS:
        spec = REGISTERS[kind]
        table = schema.metadata.tables[spec.table]
        assert set(spec.key) <= {c.name for c in spec.columns}
        if kind in schema.REGISTER_KEYS:
            assert spec.key == schema.REGISTER_KEYS[kind]
        missing = {c.name for c in spec.columns} - set(table.c.keys()) - {"source"}
        assert not missing, (kind, missing)
        headers = [header_key(c.header) for c in spec.columns]
        assert len(set(headers)) == len(headers), kind


def test_text_in_decomposed_unicode_is_read_as_composed(loaded_sqlite, tmp_path):
    path = tmp_path / "nfd.csv"
    text = "Năm,Mã đơn vị hành chính,Số lao động\n2024,Xã Nậm Xe,12\n"
    path.write_text(unicodedata.normalize("NFD", text), encoding="utf-8")
    assert import_register(loaded_sqlite, "workforce", path).inserted == 1
    assert loaded_sqlite.register("workforce")["unit_code"].tolist() == ["PT-NX"]


def test_booleans_accept_co_khong_yes_no_x_and_one_zero(loaded_sqlite, tmp_path):
    rows = [
        dict(EXAMPLES["accidents"], accident_id=f"A{i}", handled=word)
        for i, word in enumerate(["Có", "không", "yes", "No", "x", "1", "0", "", "TRUE"])
    ]
    import_register(loaded_sqlite, "accidents", write_csv(tmp_path / "a.csv", rows))
    handled = loaded_sqlite.register("accidents").set_index("accident_id")["handled"]
    expected = [True, False, True, False, True, True, False, False, True]
    assert [bool(handled[f"A{i}"]) for i in range(9)] == expected


def test_dates_accept_iso_and_day_first(loaded_sqlite, tmp_path):
    rows = [
        dict(EXAMPLES["accidents"], accident_id="A1", occurred_on="2024-02-03"),
        dict(
            EXAMPLES["accidents"],
            accident_id="A2",
            occurred_on="03/02/2024",
            declared_on="04-02-2024",
        ),  # fmt: skip
    ]
    import_register(loaded_sqlite, "accidents", write_csv(tmp_path / "a.csv", rows))
    stored = loaded_sqlite.register("accidents").set_index("accident_id")
    assert (
        stored.loc["A1", "occurred_on"]
        == stored.loc["A2", "occurred_on"]
        == pd.Timestamp(2024, 2, 3)
    )
    assert stored.loc["A2", "declared_on"] == pd.Timestamp(2024, 2, 4)


@given(
    day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)),
    fmt=st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]),
    number=st.integers(0, 10**9),
)
def test_any_date_and_whole_number_read_back_in_every_accepted_spelling(day, fmt, number):
    columns = [Column("d", "Ngày", "Date", "date"), Column("n", "Số", "Number", "int")]
    cells = pd.DataFrame({0: [day.strftime(fmt)], 1: [f" {number} "]}, dtype=object)
    sheet = read_sheet_like(cells)
    frame, problems = parse_columns(sheet, {0: "d", 1: "n"}, columns)
    assert problems == []
    assert (frame.loc[0, "d"], frame.loc[0, "n"]) == (day, number)


def test_numbers_in_text_cells_are_read_as_vietnamese_write_them(loaded_sqlite, tmp_path):
    rows = [
        dict(EXAMPLES["workforce"], year=2021, workers="1.234", workers_labour_relations=""),
        dict(EXAMPLES["workforce"], year=2022, workers="2 150", workers_labour_relations=""),
    ]
    import_register(loaded_sqlite, "workforce", write_csv(tmp_path / "w.csv", rows))
    stored = loaded_sqlite.register("workforce").set_index("year")
    assert (stored.loc[2021, "workers"], stored.loc[2022, "workers"]) == (1234, 2150)


def test_a_fraction_in_a_numeric_xlsx_cell_is_not_read_as_thousands(tmp_path):
    book = Workbook()
    book.active.append(["Tỷ lệ", "Số"])
    book.active.append([1.234, 12.5])
    book.active.append([0.125, 1234.0])
    book.save(tmp_path / "x.xlsx")
    columns = [Column("share", "Tỷ lệ", "Share", "float"), Column("n", "Số", "Number", "float")]
    sheet = read_sheet(tmp_path / "x.xlsx")
    frame, problems = parse_columns(sheet, {0: "share", 1: "n"}, columns)
    assert problems == []
    assert frame[["share", "n"]].values.tolist() == [[1.234, 12.5], [0.125, 1234.0]]


def read_sheet_like(cells: pd.DataFrame) -> Sheet:
    """A sheet as :func:`read_sheet` returns it, built in memory."""
    cells = cells.apply(lambda c: c.str.strip())
    return Sheet("f.csv", ["Ngày", "Số"], cells, np.arange(2, len(cells) + 2))


# ---- good files ------------------------------------------------------------------


def test_a_good_csv_with_vietnamese_headers_and_semicolons_is_imported(loaded, tmp_path):
    path = tmp_path / "tai_nan.csv"
    path.write_text(ACCIDENTS_CSV, encoding="utf-8-sig")
    result = import_register(loaded, "accidents", path)
    assert (result.inserted, result.updated, result.unchanged) == (3, 0, 0)
    stored = loaded.register("accidents").set_index("accident_id")
    first = stored.loc["TNLD-2023-001"]
    assert first["occurred_on"] == pd.Timestamp(2023, 4, 3)
    assert (first["victims"], first["deaths"], bool(first["handled"])) == (1, 1, True)
    assert pd.isna(stored.loc["TNLD-2023-002", "establishment_code"])
    assert stored.loc["TNLD-2025-001", "unit_code"] == "LC-SLL"
    assert set(stored["source"]) == {"tai_nan.csv"}


def test_a_good_xlsx_with_english_headers_and_real_date_cells_is_imported(loaded, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Accident id", "Date of accident", "Unit code", "Labour-relations area",
                  "Victims", "Deaths", "Seriously injured", "Date declared"])  # fmt: skip
    sheet.append(["X-1", dt.datetime(2022, 11, 2), "PT-TT", True, 1, 0, 1, dt.date(2022, 11, 3)])
    sheet.append(["X-2", dt.date(2022, 12, 24), "PT-MSO", False, 3.0, 1.0, 0, None])
    sheet.append([None] * 8)
    book.save(tmp_path / "accidents.xlsx")
    result = import_register(loaded, "accidents", tmp_path / "accidents.xlsx")
    assert result.counts == {"inserted": 2, "updated": 0, "unchanged": 0}
    stored = loaded.register("accidents").set_index("accident_id")
    assert stored.loc["X-2", "victims"] == 3
    assert stored.loc["X-1", "declared_on"] == pd.Timestamp(2022, 11, 3)
    assert not bool(stored.loc["X-2", "labour_relations"])


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_filled_template_round_trips(kind, fmt, loaded_sqlite, tmp_path):
    path = template(kind, tmp_path / f"{kind}.{fmt}")
    spec = REGISTERS[kind]
    row = [EXAMPLES[kind].get(c.name) for c in spec.columns]
    if fmt == "xlsx":
        book = load_workbook(path)
        assert book.sheetnames[0] == kind and len(book.sheetnames) == 2
        assert [c.value for c in book.worksheets[0][1]] == [c.header for c in spec.columns]
        book.worksheets[0].append(row)
        book.save(path)
    else:
        with path.open("a", encoding="utf-8") as out:
            out.write(",".join("" if v is None else str(v) for v in row) + "\n")
    if kind == "compensation":
        import_register(loaded_sqlite, "accidents", write_csv(tmp_path / "a.csv",
                                                              [EXAMPLES["accidents"]]))  # fmt: skip
    result = import_register(loaded_sqlite, kind, path)
    assert result.inserted == 1
    again = import_register(loaded_sqlite, kind, path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)


def test_the_xlsx_template_explains_every_column_in_both_languages(tmp_path):
    book = load_workbook(template("training", tmp_path / "t.xlsx"))
    notes = book.worksheets[1]
    rows = [[c.value for c in r] for r in notes.iter_rows()]
    assert rows[0][:2] == ["Cột / Column", "Tên chuẩn / Canonical name"]
    names = [r[1] for r in rows[1:8]]
    assert names == [c.name for c in REGISTERS["training"].columns]
    text = " ".join(str(v) for r in rows for v in r if v)
    assert "unit_manager" in text and "Health staff of an establishment (group 5)" in text
    assert "lớn hơn số người phải huấn luyện" in text and "greater than the headcount" in text


def test_the_shipped_units_are_17_old_5_new_and_the_crosswalk_is_illustrative(loaded):
    units = loaded.units()
    communes = units[units["level"] == "commune"]
    old = communes[communes["valid_to"] == pd.Timestamp(2025, 6, 30)]
    new = communes[communes["valid_from"] == pd.Timestamp(2025, 7, 1)]
    # Phong Thổ's 17, and Thèn Sin (Tam Đường) and Đoàn Kết ward (Lai Châu city) that
    # share a new unit with two of them; its 5 new communes and the new Đoàn Kết ward
    assert (len(old[old["parent_code"] == "PT"]), len(old), len(new)) == (17, 19, 6)
    assert set(new["parent_code"]) == {"LC"}
    crosswalk = loaded.crosswalk()
    assert set(crosswalk["old_code"]) == set(old["unit_code"])
    assert set(crosswalk["new_code"]) == set(new["unit_code"])
    assert crosswalk["illustrative"].all()  # until the resolution's own text is cited
    aliases = ";".join(units["aliases"].dropna())
    for variant in ("Lản Nhì Thàng", "Ma Li Pho", "Sì Lờ Lầu", "Tung Qua Lìn"):
        assert variant in aliases


# ---- bad files -------------------------------------------------------------------


def test_every_bad_row_is_reported_together_with_row_column_and_value(loaded_sqlite, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "Mã vụ tai nạn,Ngày xảy ra,Mã đơn vị hành chính,Có quan hệ lao động,Số người bị nạn,"
        "Số người chết,Ngày khai báo,Màu sắc\n"
        "B1,2024-02-30,PT-NX,Có,1,0,,đỏ\n"
        "B2,2024-03-01,PT-NX,Có,1,2,,\n"
        "B3,2024-03-01,XA-KHONG-CO,Có,1,0,,\n"
        "B4,2024-03-01,PT-NX,Có,1,0,2024-02-28,\n"
        "B5,2025-09-01,PT-NX,có lẽ,1,0,,\n",
        encoding="utf-8",
    )
    with pytest.raises(RegisterImportError) as raised:
        import_register(loaded_sqlite, "accidents", path, lang="en")
    found = cases(raised.value)
    assert ("row 1 (header)", "Màu sắc", "unknown", "Màu sắc") in found
    assert (
        "row 1 (header)",
        "Số người bị thương nặng / Seriously injured",
        "missing",
        None,
    ) in found
    assert ("row 1 (header)", "Mã số cơ sở / Establishment code", "missing", None) not in found
    assert ("row 2", "Ngày xảy ra", "type", "2024-02-30") in found
    assert ("row 3", "Số người chết", "consistency", 2) in found
    assert ("row 4", "Mã đơn vị hành chính", "reference", "XA-KHONG-CO") in found
    assert ("row 5", "Ngày khai báo", "consistency", "2024-02-28") in found
    assert ("row 6", "Có quan hệ lao động", "type", "có lẽ") in found
    assert ("row 6", "Mã đơn vị hành chính", "consistency", "PT-NX") in found
    assert all(p.file == str(path) for p in raised.value.problems)
    assert len(found) == 8


def test_a_missing_required_column_is_named(loaded_sqlite, tmp_path):
    path = write_csv(tmp_path / "t.csv", [{k: v for k, v in EXAMPLES["training"].items()
                                          if k != "trained"}])  # fmt: skip
    with pytest.raises(RegisterImportError) as raised:
        import_register(loaded_sqlite, "training", path, lang="en")
    (problem,) = raised.value.problems
    assert (problem.field, problem.reason) == ("Số người đã huấn luyện / Trained", Reason.MISSING)


def test_health_staff_of_establishments_are_training_group_5(loaded_sqlite, tmp_path):
    health = dict(EXAMPLES["training"], category="health_worker", headcount=2, trained=2)
    path = write_csv(tmp_path / "t.csv", [dict(health, group=4)])
    with pytest.raises(RegisterImportError) as raised:
        import_register(loaded_sqlite, "training", path, lang="en")
    (problem,) = raised.value.problems
    assert problem.reason == Reason.CONSISTENCY
    assert "the health staff of establishments are training group 5" in problem.message
    path = write_csv(tmp_path / "t5.csv", [dict(health, group=5)])
    assert import_register(loaded_sqlite, "training", path).inserted == 1


def test_row_rules_of_every_register_are_checked(loaded_sqlite, tmp_path):
    bad = {
        "workforce": {"workers": 10, "workers_labour_relations": 11},
        "training": {"headcount": 5, "trained": 6},
        "od_exams": {"workers_examined": 3, "od_cases": 4},
        "env_monitoring": {"samples": 2, "samples_failing": 3},
        "establishments": {"workforce": 5, "strict_workers": 6},
    }
    for kind, change in bad.items():
        path = write_csv(tmp_path / f"{kind}.csv", [dict(EXAMPLES[kind], **change)])
        with pytest.raises(RegisterImportError) as raised:
            import_register(loaded_sqlite, kind, path)
        assert [p.reason for p in raised.value.problems] == [Reason.CONSISTENCY], kind


def test_compensation_must_name_a_known_accident_and_victim(loaded_sqlite, tmp_path):
    import_register(loaded_sqlite, "accidents", write_csv(tmp_path / "a.csv",
                                                          [EXAMPLES["accidents"]]))  # fmt: skip
    rows = [
        dict(EXAMPLES["compensation"], victim_no=3),
        dict(EXAMPLES["compensation"], accident_id="KHONG-CO"),
        dict(EXAMPLES["compensation"], victim_no=2, paid_on="2024-05-01"),
    ]
    with pytest.raises(RegisterImportError) as raised:
        import_register(loaded_sqlite, "compensation", write_csv(tmp_path / "c.csv", rows))
    found = {(p.location, p.reason) for p in raised.value.problems}
    assert found == {
        ("dòng 2", Reason.CONSISTENCY),
        ("dòng 3", Reason.REFERENCE),
        ("dòng 4", Reason.CONSISTENCY),
    }


def test_yearly_records_need_a_unit_valid_in_that_year(loaded_sqlite, tmp_path):
    rows = [
        dict(EXAMPLES["training"], unit_code="LC-KL", year=2024),
        dict(EXAMPLES["training"], unit_code="PT-KL", year=2025),
        dict(EXAMPLES["training"], unit_code="PT-KL", year=2026),
    ]
    with pytest.raises(RegisterImportError) as raised:
        import_register(loaded_sqlite, "training", write_csv(tmp_path / "t.csv", rows))
    assert [p.location for p in raised.value.problems] == ["dòng 2", "dòng 4"]


def test_a_unit_may_be_written_by_name_or_alias_and_means_the_unit_valid_then(
    loaded_sqlite, tmp_path
):
    rows = [
        dict(EXAMPLES["workforce"], unit_code="Xã Nậm Xe", year=2023),
        dict(EXAMPLES["workforce"], unit_code="Sì Lờ Lầu", year=2024),
        dict(EXAMPLES["workforce"], unit_code="sì lở lầu", year=2025),
        dict(EXAMPLES["workforce"], unit_code="Lản Nhì Thàng", year=2024),
    ]
    import_register(loaded_sqlite, "workforce", write_csv(tmp_path / "w.csv", rows))
    stored = loaded_sqlite.register("workforce").sort_values(["year", "unit_code"])
    assert list(zip(stored["unit_code"], stored["year"], strict=True)) == [
        ("PT-NX", 2023), ("PT-LNT", 2024), ("PT-SLL", 2024), ("LC-SLL", 2025),
    ]  # fmt: skip
    with pytest.raises(RegisterImportError) as raised:
        bad = [dict(EXAMPLES["workforce"], unit_code="Xã Không Có")]
        import_register(loaded_sqlite, "workforce", write_csv(tmp_path / "b.csv", bad))
    assert [p.reason for p in raised.value.problems] == [Reason.REFERENCE]


def test_two_rows_with_the_same_key_in_one_file_are_refused(loaded_sqlite, tmp_path):
    rows = [EXAMPLES["workforce"], dict(EXAMPLES["workforce"], workers=9999)]
    with pytest.raises(RegisterImportError) as raised:
        import_register(loaded_sqlite, "workforce", write_csv(tmp_path / "w.csv", rows))
    (problem,) = raised.value.problems
    assert (problem.location, problem.reason) == ("dòng 3", Reason.DUPLICATE)
    assert "dòng 2" in problem.message


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("x.txt2", b"a,b\n", "chỉ đọc được tệp .xlsx hoặc .csv"),
        ("x.csv", "Năm\n2024\n".encode("cp1258"), "không phải UTF-8"),
        ("x.csv", b"", "không có dòng tiêu đề"),
        ("x.xlsx", b"not a workbook", "tệp là văn bản .có lẽ là CSV. mang đuôi .xlsx"),
    ],
)
def test_unreadable_files_are_refused_with_a_plain_message(
    loaded_sqlite, tmp_path, name, content, message
):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RegisterImportError, match=message):
        import_register(loaded_sqlite, "training", path)


def test_an_unknown_kind_names_the_kinds():
    with pytest.raises(RegisterImportError, match="accidents, compensation"):
        template("accident", "x.xlsx")


def test_a_bad_import_leaves_every_table_exactly_as_before(loaded, tmp_path):
    import_register(loaded, "training", write_csv(tmp_path / "t0.csv", [EXAMPLES["training"]]))
    before = dump(loaded)
    good = [dict(EXAMPLES["training"], group=g, category="other_worker") for g in (4, 5, 6)]
    bad = dict(EXAMPLES["training"], trained=999)
    path = write_csv(tmp_path / "t.csv", [*good, bad])
    with pytest.raises(RegisterImportError):
        import_register(loaded, "training", path)
    assert dump(loaded) == before


def test_importing_the_same_file_twice_adds_no_duplicates_and_changes_update(loaded, tmp_path):
    rows = [dict(EXAMPLES["training"], group=g, headcount=10 * g, trained=g) for g in (1, 2, 3)]
    rows.append(dict(EXAMPLES["training"], establishment_code=None, category="unit_manager"))
    path = write_csv(tmp_path / "t.csv", rows)
    assert import_register(loaded, "training", path).counts == {
        "inserted": 4,
        "updated": 0,
        "unchanged": 0,
    }
    assert import_register(loaded, "training", path).counts == {
        "inserted": 0,
        "updated": 0,
        "unchanged": 4,
    }
    rows[0]["trained"] = 7
    write_csv(path, rows)
    assert import_register(loaded, "training", path).counts == {
        "inserted": 0,
        "updated": 1,
        "unchanged": 3,
    }
    stored = loaded.register("training")
    assert len(stored) == 4
    assert stored.loc[stored["group"] == 1, "trained"].tolist() == [7]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(
        st.tuples(st.integers(1, 6), st.integers(0, 500), st.integers(0, 500)),
        min_size=1,
        max_size=6,
        unique_by=lambda r: r[0],
    )
)
def test_training_rows_are_accepted_exactly_when_trained_is_at_most_headcount_and_read_back(
    loaded_sqlite, tmp_path, rows
):
    frame = [
        dict(EXAMPLES["training"], group=g, headcount=h, trained=t, year=2021) for g, h, t in rows
    ]
    path = write_csv(tmp_path / "h.csv", frame)
    if any(t > h for _, h, t in rows):
        with pytest.raises(RegisterImportError):
            import_register(loaded_sqlite, "training", path)
        return
    import_register(loaded_sqlite, "training", path)
    stored = loaded_sqlite.register("training")
    stored = stored[stored["year"] == 2021].set_index("group")
    for g, h, t in rows:
        assert (stored.loc[g, "headcount"], stored.loc[g, "trained"]) == (h, t)
    assert import_register(loaded_sqlite, "training", path).unchanged == len(rows)


# ---- writing typed rows ------------------------------------------------------------


def typed(kind: str, rows: list[dict]) -> pd.DataFrame:
    """Rows of ``kind`` as :func:`read_rows` types them; columns not given are empty."""
    frame = pd.DataFrame(rows, columns=[c.name for c in REGISTERS[kind].columns])
    return frame.astype(object).where(frame.notna(), None)


def test_writing_rows_twice_creates_no_duplicates_and_updates_values(store):
    rows = [
        {"year": 2024, "unit_code": "PT-NX", "group": 1, "category": "unit_manager",
         "headcount": 4, "trained": 4},
        {"year": 2024, "unit_code": "PT-NX", "establishment_code": "6200000001", "group": 3,
         "category": "strict_worker", "headcount": 30, "trained": 20},
    ]  # fmt: skip
    first = write_rows(store, "training", typed("training", rows), source="huan_luyen.xlsx")
    assert first.counts == {"inserted": 2, "updated": 0, "unchanged": 0}
    rows[0]["trained"], rows[1]["trained"] = 3, 25
    again = write_rows(store, "training", typed("training", rows), source="huan_luyen.xlsx")
    assert again.counts == {"inserted": 0, "updated": 2, "unchanged": 0}
    frame = store.register("training")
    assert frame[["establishment_code", "trained"]].values.tolist() == [
        [None, 3],
        ["6200000001", 25],
    ]
    assert set(frame["source"]) == {"huan_luyen.xlsx"}


def test_writing_rows_joins_the_callers_transaction_and_rolls_back_with_it(store):
    rows = typed("workforce", [{"unit_code": "PT", "year": 2024, "workers": 5200}])
    with pytest.raises(RuntimeError), store.transaction() as conn:
        write_rows(store, "workforce", rows, source="lao_dong.csv", conn=conn)
        raise RuntimeError("a later row failed")
    assert store.register("workforce").empty


batches = itertools.count()
accident_rows = st.lists(
    st.tuples(
        st.dates(min_value=dt.date(2000, 1, 1)),
        st.one_of(st.none(), st.text(alphabet="0123456789-ABCĐƯ", min_size=1, max_size=14)),
        st.integers(1, 50),  # an accident has a victim: the database checks it
        st.one_of(st.none(), st.booleans()),
    ),
    min_size=1,
    max_size=10,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=accident_rows)
def test_written_rows_come_back_exactly_as_they_went_in(store, rows):
    batch = next(batches)
    frame = typed(
        "accidents",
        [
            {
                "accident_id": f"TN-{batch}-{n}",
                "occurred_on": day,
                "establishment_code": code,
                "victims": victims,
                "deaths": victims // 2,
                "handled": handled,
            }
            for n, (day, code, victims, handled) in enumerate(rows)
        ],
    )
    write_rows(store, "accidents", frame, source="tai_nan.csv")
    back = store.register("accidents").set_index("accident_id")
    for n, (day, code, victims, handled) in enumerate(rows):
        got = back.loc[f"TN-{batch}-{n}"]
        assert got["occurred_on"].date() == day
        assert (None if pd.isna(got["establishment_code"]) else got["establishment_code"]) == code
        assert (got["victims"], got["deaths"]) == (victims, victims // 2)
        assert (None if pd.isna(got["handled"]) else bool(got["handled"])) == handled


# ---- command line ----------------------------------------------------------------


def test_cli_import_prints_counts_and_a_second_run_changes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    assert (
        runner.invoke(main, ["sample", "--db", url, "--scale", "0.02", "--years", "2024"]).exit_code
        == 0
    )
    path = write_csv(
        tmp_path / "w.csv", [dict(EXAMPLES["workforce"], unit_code="PT-TT", year=2019)]
    )
    first = runner.invoke(main, ["import", "workforce", str(path), "--db", url, "--lang", "en"])
    assert first.exit_code == 0, first.output
    assert "1 inserted, 0 updated, 0 unchanged" in first.output
    second = runner.invoke(main, ["import", "workforce", str(path), "--db", url])
    assert "thêm mới 0, cập nhật 0, không đổi 1" in second.output


def test_cli_import_of_a_bad_file_lists_every_problem_exits_1_and_writes_nothing(
    loaded_sqlite, tmp_path
):
    rows = [dict(EXAMPLES["training"], trained=50), dict(EXAMPLES["training"], unit_code="ZZ")]
    path = write_csv(tmp_path / "t.csv", rows)
    before = dump(loaded_sqlite)
    result = CliRunner().invoke(
        main, ["import", "training", str(path), "--db", loaded_sqlite.url, "--lang", "en"]
    )
    assert result.exit_code == 1
    assert "2 problem(s)" in result.output and "nothing was written" in result.output
    assert "row 2: trained: must be at most" not in result.output
    assert "row 2: trained" in result.output
    assert "(value: 'ZZ')" in result.output
    assert dump(loaded_sqlite) == before


def test_cli_template_writes_xlsx_or_csv(tmp_path):
    runner = CliRunner()
    out = tmp_path / "tn.xlsx"
    result = runner.invoke(main, ["template", "accidents", "--out", str(out)])
    assert result.exit_code == 0 and out.exists()
    assert load_workbook(out).worksheets[0]["G1"].value == "Số người chết / Deaths"
    csv_out = tmp_path / "tn.txt"
    runner.invoke(main, ["template", "accidents", "--out", str(csv_out), "--format", "csv"])
    assert csv_out.read_text(encoding="utf-8-sig").startswith('"Mã vụ tai nạn / Accident id"')
    assert "audit template accidents --out" in runner.invoke(main, ["template", "--help"]).output
