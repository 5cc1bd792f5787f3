"""Hostile names in the store reach every export as text, never as a formula, and a failed
export leaves nothing half-written (issue 12).

The store is the sample (``sample_db``, see conftest) with eight communes of 2024 and
every establishment renamed to texts a spreadsheet would run as formulas, that openpyxl
refuses (BEL), or that would split a csv row at a carriage return.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from audit_lib.cli import main
from audit_lib.core.export import DANGEROUS_START

# the last one is safe as a cell, but a csv reader would start a new row at an unquoted CR
HOSTILE = ['=HYPERLINK("http://x","x")', "+1", "-2", "@SUM(A1)", "\tX", "\rX", "Bell\x07",
           "x\r=cmd|' /C calc'!A0"]  # fmt: skip
SAFE = ["'" + text for text in HOSTILE[:6]] + ["Bell\u2407", HOSTILE[7]]
SAFE_XLSX = [text.replace("\r", "\n") for text in SAFE]  # XML reads CR back as a line feed
COMMUNES_2024 = ["PT-BL", "PT-DS", "PT-HL", "PT-HT", "PT-KL", "PT-LNT", "PT-MLP", "PT-MSG"]
YEAR_2024 = ["--year", "2024", "--at", "2024-12-31"]


def make_hostile(url: str) -> None:
    """Rename eight communes of 2024 and every establishment with :data:`HOSTILE` texts."""
    from audit_lib.store import open_store, schema

    units, establishments = schema.units, schema.establishments
    with open_store(url) as store, store.transaction() as conn:
        for code, name in zip(COMMUNES_2024, HOSTILE, strict=True):
            rename = units.update().where(units.c.unit_code == code)
            conn.execute(rename.values(name_vi=name, name_en=name))
        ids = conn.execute(sa.select(establishments.c.establishment_id)).scalars().all()
        rename = establishments.update().where(
            establishments.c.establishment_id == sa.bindparam("key")
        )
        rows = [{"key": i, "code": f"=CODE({i})", "name": HOSTILE[i % 8]} for i in ids]
        conn.execute(rename.values(code=sa.bindparam("code"), name=sa.bindparam("name")), rows)


@pytest.fixture
def hostile_db(sample_db) -> str:
    make_hostile(sample_db)
    return sample_db


def audit(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def formulas_and_dangerous_text(path) -> list[str]:
    """Every cell of every sheet that is a formula or a text a spreadsheet would run."""
    bad = []
    for sheet in openpyxl.load_workbook(path):
        for row in sheet.iter_rows():
            for cell in row:
                text = isinstance(cell.value, str)
                if cell.data_type == "f" or (text and cell.value.startswith(DANGEROUS_START)):
                    bad.append(f"{sheet.title}!{cell.coordinate}={cell.value!r}")
    return bad


def column(path, sheet: str, header: str) -> list[openpyxl.cell.Cell]:
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows())
    at = [cell.value for cell in rows[0]].index(header)
    return [row[at] for row in rows[1:]]


def test_indicators_xlsx_holds_hostile_unit_names_as_text_never_as_formulas(hostile_db, tmp_path):
    out = tmp_path / "indicators.xlsx"
    result = audit("indicators", "--db", hostile_db, *YEAR_2024, "--format", "xlsx",
                   "--out", str(out))  # fmt: skip
    assert result.exit_code == 0 and "Đã ghi" in result.output
    assert formulas_and_dangerous_text(out) == []
    names = column(out, "indicators", "unit_name")
    assert set(SAFE_XLSX) <= {cell.value for cell in names}
    assert {cell.data_type for cell in names} == {"s"}
    screen = audit("indicators", "--db", hostile_db, *YEAR_2024, "--format", "csv")
    assert len(names) == len(csv_rows(screen.stdout_bytes.decode()))  # BEL's unit's row too
    numbers = [cell for cell in column(out, "indicators", "mean_yoy_change") if cell.value]
    assert any(cell.value < 0 for cell in numbers)
    assert {cell.data_type for cell in numbers} == {"n"}


def test_indicators_csv_on_the_screen_and_in_a_file_quote_every_dangerous_cell(
    hostile_db, tmp_path
):
    out = tmp_path / "indicators.csv"
    screen = audit("indicators", "--db", hostile_db, *YEAR_2024, "--format", "csv")
    written = audit("indicators", "--db", hostile_db, *YEAR_2024, "--format", "csv",
                    "--out", str(out))  # fmt: skip
    assert screen.exit_code == 0 and written.exit_code == 0
    assert out.read_bytes() == screen.stdout_bytes
    rows = csv_rows(screen.stdout_bytes.decode("utf-8"))
    assert set(SAFE) <= {row["unit_name"] for row in rows}
    negative = 0
    for row in rows:
        for field, cell in row.items():
            if cell.startswith(DANGEROUS_START):
                assert float(cell) < 0, (field, cell)  # only negative numbers, left numbers
                negative += 1
    assert negative > 0


def explorer_export(url: str, path) -> tuple[str, int]:
    """Export every finding through the explorer's button; its status and the rows in view."""
    from audit_lib.analysis import Explorer, Findings, unit_names
    from audit_lib.store import open_store

    with open_store(url) as store:
        data = Findings.load(store)
        explorer = Explorer(data, unit_names(store, "en"), "en", export_path=str(path))
    explorer.export.click()
    return explorer.status.value, len(data.findings)


@pytest.mark.slow  # loads the explorer on the whole sample
def test_the_explorers_export_holds_hostile_establishments_as_text(hostile_db, tmp_path):
    out = tmp_path / "findings.xlsx"
    status, rows = explorer_export(hostile_db, out)
    assert f"Wrote {rows} rows" in status
    assert formulas_and_dangerous_text(out) == []
    codes = column(out, "findings", "code")
    assert len(codes) == rows
    assert all(cell.value.startswith("'=CODE(") and cell.data_type == "s" for cell in codes)
    assert {cell.value for cell in column(out, "findings", "name")} == set(SAFE_XLSX)


def test_a_failed_export_is_a_clear_message_and_leaves_the_older_file(hostile_db, tmp_path):
    missing = tmp_path / "missing" / "indicators.csv"
    result = audit("indicators", "--db", hostile_db, "--format", "csv", "--out", str(missing))
    assert result.exit_code == 2
    assert f"could not write {missing}" in result.output
    assert f"không ghi được {missing}" in result.output
    assert not (tmp_path / "missing").exists()
    # an older file whose name leaves no room for the temporary file beside it
    older = tmp_path / ("x" * 240 + ".xlsx")
    older.write_bytes(b"the older export")
    result = audit("indicators", "--db", hostile_db, "--format", "xlsx", "--out", str(older),
                   "--lang", "en")  # fmt: skip
    assert result.exit_code == 2 and "File name too long" in result.output
    status, _rows = explorer_export(hostile_db, older)
    assert "Could not write" in status and "an older file stays as it was" in status
    assert older.read_bytes() == b"the older export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample.db", older.name]


def test_score_csv_quotes_a_hostile_note(root, tmp_path):
    responses = tmp_path / "inspections.csv"
    text = (root / "data" / "examples" / "inspections.csv").read_text(encoding="utf-8")
    text = text.replace("Nương chè vừa phun chưa cắm biển cảnh báo", "=HYPERLINK(1)")
    responses.write_text(text.replace("Máy bơm tưới ở đội 3", "@SUM(A1)\x1b[2J"), "utf-8")
    result = audit("score", str(responses), "--format", "csv", "--table", "findings")
    assert result.exit_code == 0, result.output
    notes = [row["note"] for row in csv_rows(result.stdout_bytes.decode())]
    assert "'=HYPERLINK(1)" in notes
    assert "'@SUM(A1)\u241b[2J không có aptomat chống giật" in notes


def test_exports_from_either_database_hold_no_formula(store, tmp_path):
    """On SQLite and PostgreSQL alike (the ``store`` fixture runs on both when enabled)."""
    from audit_lib.sample import generate

    generate(store, scale=0.1)
    url = store.engine.url.render_as_string(hide_password=False)
    make_hostile(url)
    out = tmp_path / "indicators.xlsx"
    result = audit("indicators", "--db", url, *YEAR_2024, "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    status, _rows = explorer_export(url, tmp_path / "findings.xlsx")
    assert "Wrote" in status
    assert formulas_and_dangerous_text(out) == []
    assert formulas_and_dangerous_text(tmp_path / "findings.xlsx") == []
