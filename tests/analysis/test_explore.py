"""explore: filters and aggregations over findings, and the explorer widget (no kernel)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_lib.analysis import _findings as explore


def findings_data() -> explore.Findings:
    """Three establishments, five inspections, hand-checked numbers below.

    E1 (mining, NX): 2023 items A,B; 2024 items A; 2025 item A   -> A three times in a row
    E2 (trade, DS):  2024 item B; 2025 no finding
    E3 (mining, DS): 2025 item A
    """
    establishments = pd.DataFrame(
        {
            "establishment_id": [1, 2, 3, 4],
            "code": ["E1", "E2", "E3", "E4"],
            "name": ["Mỏ <Nậm Xe>", "Cửa hàng", "Mỏ đá", "Xưởng gỗ"],
            "sector": ["mining", "trade", "mining", "wood"],
            "unit_code": ["NX", "DS", "DS", "DS"],
        }
    )
    inspections = pd.DataFrame(
        {
            "inspection_id": ["i1", "i2", "i3", "i4", "i5", "i6"],
            "establishment_id": [1, 1, 1, 2, 2, 3],
            "checklist_id": ["mining", "mining", "mining", "general", "general", "mining"],
            "inspected_on": [
                dt.date(2023, 5, 1),
                dt.date(2024, 5, 1),
                dt.date(2025, 5, 1),
                dt.date(2024, 6, 1),
                dt.date(2025, 6, 1),
                dt.date(2025, 7, 1),
            ],
            "type": "periodic",
        }
    )
    scores = pd.DataFrame(
        {
            "inspection_id": ["i1", "i2", "i3", "i4", "i5", "i6"],
            "score": [50.0, 70.0, 80.0, 60.0, 100.0, 40.0],
            "grade": ["C", "C", "B", "C", "A", "D"],
            "passed": [False, False, True, False, True, False],
            "verdict": ["fail", "fail", "pass", "fail", "pass", "fail"],
        }
    )
    findings = pd.DataFrame(
        {
            "inspection_id": ["i1", "i1", "i2", "i3", "i4", "i6"],
            "item_id": ["A", "B", "A", "A", "B", "A"],
            "severity": ["critical", "minor", "critical", "critical", "minor", "critical"],
            "legal_basis": "Luật 84/2015/QH13",
            "due_on": dt.date(2025, 12, 31),
        }
    )
    items = pd.DataFrame(
        {"item_id": ["A", "B"], "text_vi": ["Bờ mỏ", "Biển báo"], "text_en": ["Benches", "Signs"]}
    )
    return explore.Findings.of(inspections, establishments, scores, findings, items)


def test_period_accepts_a_year_or_a_range_and_refuses_the_rest():
    assert explore.period_years("2025") == (2025, 2025)
    assert explore.period_years(" 2021-2025 ") == (2021, 2025)
    for bad in ("2025-2021", "25", "2021/2025", ""):
        with pytest.raises(ValueError):
            explore.period_years(bad)


def test_most_violated_counts_findings_establishments_and_share_of_inspections():
    top = findings_data().most_violated(lang="en")
    assert top["item_id"].tolist() == ["A", "B"]
    assert top["findings"].tolist() == [4, 2]
    assert top["establishments"].tolist() == [2, 2]
    assert top["share"].round(2).tolist() == [66.67, 33.33]  # 4 and 2 of 6 inspections
    assert top["text"].tolist() == ["Benches", "Signs"]


def test_compliance_by_sector_and_unit():
    data = findings_data()
    by_sector = data.compliance_by("sector").set_index("sector")
    assert by_sector.loc["mining", "inspections"] == 4
    assert by_sector.loc["mining", "passed"] == 1
    assert by_sector.loc["mining", "pass_rate"] == 25.0
    assert by_sector.loc["mining", "mean_score"] == 60.0  # (50 + 70 + 80 + 40) / 4
    by_unit = data.compliance_by("unit_code").set_index("unit_code")
    assert by_unit.loc["DS", "pass_rate"] == pytest.approx(100 / 3)


def test_filters_keep_only_the_chosen_unit_sector_period_and_checklist():
    data = findings_data()
    part = data.filtered(units=["DS"], period="2025")
    assert sorted(part.inspections["inspection_id"]) == ["i5", "i6"]
    assert part.findings["inspection_id"].tolist() == ["i6"]
    assert data.filtered(sectors=["trade"]).scores["inspection_id"].tolist() == ["i4", "i5"]
    assert data.filtered(checklists=["general"], period="2021-2024").findings[
        "item_id"
    ].tolist() == ["B"]


def test_repeat_violators_are_non_compliant_on_the_same_item_in_successive_inspections():
    repeat = findings_data().repeat_violators()
    assert repeat[["code", "item_id", "times"]].values.tolist() == [["E1", "A", 3]]
    assert repeat["first_on"].iloc[0] == dt.date(2023, 5, 1)
    assert repeat["last_on"].iloc[0] == dt.date(2025, 5, 1)


def test_a_clean_inspection_between_two_findings_breaks_the_run():
    data = findings_data()
    gap = explore.Findings(
        data.inspections, data.scores, data.findings[data.findings["inspection_id"] != "i2"]
    )
    assert gap.repeat_violators().empty


def test_coverage_counts_active_and_inspected_establishments():
    data = findings_data()
    establishments = pd.DataFrame(
        {"establishment_id": [1, 2, 3, 4], "unit_code": ["NX", "DS", "DS", "DS"]}
    )
    cover = data.filtered(period="2025").coverage(establishments).set_index("unit_code")
    assert cover.loc["DS", "establishments"] == 3 and cover.loc["DS", "inspected"] == 2
    assert cover.loc["DS", "share"] == pytest.approx(200 / 3)
    assert cover.loc["NX", "share"] == 100.0


@given(st.sampled_from(["NX", "DS"]), st.sampled_from(["mining", "trade", "wood"]))
def test_filtered_parts_never_hold_more_than_the_whole(unit, sector):
    data = findings_data()
    part = data.filtered(units=[unit], sectors=[sector])
    assert set(part.findings["inspection_id"]) <= set(part.inspections["inspection_id"])
    assert len(part.findings) <= len(data.findings)
    assert part.most_violated()["findings"].sum() <= len(part.findings)


def test_export_writes_the_filtered_findings_to_xlsx(tmp_path):
    path = tmp_path / "f.xlsx"
    rows = findings_data().filtered(units=["NX"]).export_xlsx(path)
    back = pd.read_excel(path, sheet_name="findings")
    assert rows == 4 == len(back)
    assert set(back["code"]) == {"E1"} and "text_vi" in back.columns


def test_explorer_filters_update_the_tables_and_the_button_exports(tmp_path):
    explorer = explore.Explorer(findings_data(), {"NX": "Nậm Xe", "DS": "Dào San"}, "vi")
    assert "6 lượt kiểm tra, 6 vi phạm" in explorer.tables.value
    assert "Mỏ &lt;Nậm Xe&gt;" in explorer.tables.value  # escaped, in the repeat violators
    explorer.unit.value = "DS"
    assert "3 lượt kiểm tra, 2 vi phạm" in explorer.tables.value
    explorer.period.value = "2025"
    assert "2 lượt kiểm tra, 1 vi phạm" in explorer.tables.value
    explorer.path.value = str(tmp_path / "out.xlsx")
    explorer.export.click()
    assert "Đã ghi 1 dòng" in explorer.status.value
    assert len(pd.read_excel(tmp_path / "out.xlsx")) == 1


def test_explorer_reports_an_export_it_cannot_write(tmp_path):
    explorer = explore.Explorer(findings_data(), lang="en")
    explorer.path.value = str(tmp_path / "missing-folder" / "x.xlsx")
    explorer.export.click()
    assert "Could not write" in explorer.status.value
