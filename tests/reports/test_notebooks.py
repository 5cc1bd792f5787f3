"""The report notebooks: saved clean, parameters as the runner passes them, and executed
on small databases (marker ``kernel``) with their HTML checked."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import papermill
import pytest
from click.testing import CliRunner

from audit_lib.cli import main
from audit_lib.core import html as fragments
from audit_lib.core.errors import ReportError
from audit_lib.core.vocabulary import INSPECTION_VERDICT_LABELS
from audit_lib.reports import _runner as reports
from audit_lib.store import create_engine
from tests.conftest import ROOT, require

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
SCRIPT_NOTE = "<script>alert('x')</script> lan can hỏng"


def kernel_or_skip():
    from jupyter_client.kernelspec import KernelSpecManager

    if reports.KERNEL not in KernelSpecManager().find_kernel_specs():
        require("AUDIT_REQUIRE_KERNEL", "needs the 'osh-audit' Jupyter kernel (make install)")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_saved_without_outputs_or_execution_counts(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.id


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_has_one_parameters_cell_and_the_project_kernel(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert nb.metadata.kernelspec.name == "osh-audit"


def test_planned_jobs_pass_exactly_the_declared_parameters(inspected_db):
    url, ids = inspected_db
    job = reports.plan_inspection_jobs(url, year=2024)[0]
    assert tuple(job.parameters) == tuple(reports.declared_parameters(job.notebook))
    assert job.parameters["inspection_id"] == ids[0]
    assert job.label == (
        "10/05/2024 · Công ty <b>Đất hiếm</b> Nậm Xe · "
        "Danh mục kiểm tra ATVSLĐ ngành khai thác và chế biến khoáng sản"
    )
    (english,) = reports.plan_inspection_jobs(url, year=2024, lang="en")
    assert english.label.startswith("2024-05-10 · ") and "mining" in english.label.lower()
    plan = ROOT / "data" / "plans" / "453-KH-HU.yaml"
    (job,) = reports.plan_monitoring_jobs(url, plan, "PT", "2021-2025")
    assert tuple(job.parameters) == tuple(reports.declared_parameters(job.notebook))
    assert job.label == "453-KH-HU · PT · 2021-2025"  # no unit list in this database: the code


# -- a small hand-made database for inspection records -----------------------------


def build_inspected(url: str) -> list[str]:
    """One mining establishment inspected in 2024 and 2025, with a typed <script> note."""
    from audit_lib.checklists import load_checklist
    from audit_lib.scoring import score
    from audit_lib.store import open_store, schema

    mining = load_checklist(ROOT / "checklists" / "mining.yaml")
    items = mining.items_frame()
    with open_store(url, upgrade=True) as store:
        with store.transaction() as conn:
            conn.execute(
                schema.units.insert().values(unit_code="PT-NX", name_vi="Nậm Xe", level="commune")
            )
        est = store.add_establishment(
            code="6200000101",
            name="Công ty <b>Đất hiếm</b> Nậm Xe",
            kind="enterprise",
            sector="mining",
            unit_code="PT-NX",
            workforce=120,
            strict_workers=30,
            has_strict_equipment=True,
            high_risk=True,
            labour_relations=True,
            employs_minors=False,
        )
        ids = []
        numeric = (items["answer_type"] != "compliance").to_numpy()
        for day, bad in ((dt.date(2024, 5, 10), 3), (dt.date(2025, 5, 12), 2)):
            iid = store.create_inspection(est, mining, day, "periodic", ["Lò Văn A"], by="test")
            failed = items["item_id"][~numeric].head(bad)  # the first compliance items
            answers = pd.DataFrame(
                {
                    "item_id": items["item_id"],
                    "answer": np.where(numeric, None, "compliant"),
                    "value": np.where(numeric, 5.0, None),
                    "note": np.where(items["item_id"] == failed.iloc[0], SCRIPT_NOTE, None),
                }
            )
            answers.loc[items["item_id"].isin(failed), "answer"] = "noncompliant"
            store.save_answers(iid, answers, by="test")
            found = store.inspections(status=None, ids=[iid])
            scored = score(mining, store.responses([iid]), found, store.establishments())
            store.finalize(iid, by="test", findings=scored.findings)
            ids.append(iid)
    return ids


@pytest.fixture(scope="module")
def inspected_db(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'audit.db'}"
    return url, build_inspected(url)


@pytest.fixture(scope="module")
def inspection_run(inspected_db, tmp_path_factory):
    """One batch: the 2024 record, and a wrong id that must fail without stopping it."""
    kernel_or_skip()
    url, ids = inspected_db
    out = tmp_path_factory.mktemp("reports")
    with pytest.raises(ReportError) as caught:
        reports.run_inspection_reports(url, out, ids=[ids[0], "no-such-id"], jobs=2, progress=False)
    return out, ids, caught.value


def page(out: Path, inspection_id: str) -> str:
    return (out / f"inspection-{inspection_id}.html").read_text("utf-8")


@pytest.mark.kernel
def test_inspection_record_reads_like_an_official_record(inspection_run, inspected_db):
    from audit_lib.core.i18n import label
    from audit_lib.reports import InspectionRecord

    out, ids, _ = inspection_run
    html = page(out, ids[0])
    expected = InspectionRecord.load(inspected_db[0], ids[0])  # what the library computes
    for text in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BIÊN BẢN KIỂM TRA CÔNG TÁC AN TOÀN, VỆ SINH LAO ĐỘNG",
        "Phong Thổ, ngày 10 tháng 05 năm 2024",
        "Khai khoáng",
        label(INSPECTION_VERDICT_LABELS, expected.scored.scores["verdict"].iloc[0], "vi"),
        "Cách đánh giá đã áp dụng",
        "TRƯỞNG ĐOÀN KIỂM TRA",
        "Lò Văn A",
    ):
        assert text in html, text
    findings = expected.scored.findings
    assert len(findings) >= 3  # the three failed items, and any count item below threshold
    for finding in findings.itertuples():  # each with its legal basis and due date
        assert f"<td>{finding.item_id}</td>" in html
        assert fragments.escape(finding.legal_basis) in html
        assert f'<td class="date">{fragments.day(finding.due_on)}</td>' in html
    assert 'src="data:image/png;base64,' in html  # the section chart


@pytest.mark.kernel
def test_typed_text_is_escaped_and_nothing_is_loaded_from_outside(inspection_run):
    out, ids, _ = inspection_run
    html = page(out, ids[0])
    # (nbconvert re-serialises output HTML: &#x27; comes back as a plain quote, harmless in text)
    assert "&lt;script&gt;alert('x')&lt;/script&gt; lan can hỏng" in html
    assert "Công ty &lt;b&gt;Đất hiếm&lt;/b&gt; Nậm Xe" in html
    assert "<script" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "http://" not in html and "https://" not in html


@pytest.mark.kernel
def test_provenance_names_parameters_checklist_fingerprint_data_and_version(inspection_run):
    import audit_lib
    from audit_lib.checklists import load_checklist

    out, ids, _ = inspection_run
    html = page(out, ids[0])
    fingerprint = load_checklist(ROOT / "checklists" / "mining.yaml").fingerprint
    assert "Nguồn gốc báo cáo" in html
    assert f"inspection_id={ids[0]}" in html
    assert f"mining 2025.1 {fingerprint}" in html
    assert re.search(r"\(sha256\)</th><td>[0-9a-f]{64}</td>", html)
    assert audit_lib.__version__ in html


@pytest.mark.kernel
def test_a_wrong_id_fails_its_own_report_only_and_the_index_says_why(inspection_run):
    out, ids, error = inspection_run
    assert list(error.failures) == ["inspection-no-such-id"]
    assert "NotFoundError" in error.failures["inspection-no-such-id"]
    assert (out / "inspection-no-such-id.ipynb").exists()  # kept, with the failing cell
    index = (out / "index.html").read_text("utf-8")
    assert f'href="inspection-{ids[0]}.html"' in index
    assert "lỗi / failed" in index and "NotFoundError" in index
    assert "1 hoàn thành, 1 lỗi" in index


@pytest.mark.kernel
def test_the_same_inputs_give_the_same_report(inspection_run, inspected_db, tmp_path):
    out, ids, _ = inspection_run
    url, _ = inspected_db
    reports.run_inspection_reports(url, tmp_path, ids=[ids[0]], jobs=1, progress=False)
    name = f"inspection-{ids[0]}"
    assert (tmp_path / f"{name}.html").read_bytes() == (out / f"{name}.html").read_bytes()
    assert (tmp_path / f"{name}.ipynb").read_bytes() == (out / f"{name}.ipynb").read_bytes()


@pytest.mark.kernel
def test_cli_writes_english_records_for_a_year_and_prints_the_index(inspected_db, tmp_path):
    kernel_or_skip()
    url, ids = inspected_db
    result = CliRunner().invoke(
        main,
        ["report", "inspections", "--year", "2025", "--out", str(tmp_path), "--lang", "en"]
        + ["--jobs", "1", "--db", url],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("index.html")
    html = page(tmp_path, ids[1])
    assert "SOCIALIST REPUBLIC OF VIET NAM" in html and "RECORD OF OCCUPATIONAL SAFETY" in html


def test_cli_needs_exactly_one_way_to_choose_inspections(tmp_path):
    result = CliRunner().invoke(
        main, ["report", "inspections", "--year", "2025", "--ids", "x", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2 and "exactly one of --year, --since, --ids" in result.output


def test_cli_refuses_a_malformed_period(tmp_path):
    plan = ROOT / "data" / "plans" / "453-KH-HU.yaml"
    args = ["report", "monitoring", "--plan", str(plan), "--unit", "PT", "--period", "21-25"]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 2 and "2021-2025" in result.output


def test_a_database_that_needs_an_upgrade_is_refused_before_any_report_runs(tmp_path):
    plan = ROOT / "data" / "plans" / "453-KH-HU.yaml"
    url = f"sqlite:///{tmp_path / 'old.db'}"
    create_engine(url).dispose()  # an empty database, never upgraded
    args = ["report", "monitoring", "--plan", str(plan), "--unit", "PT", "--period", "2025"]
    result = CliRunner().invoke(main, [*args, "--db", url, "--out", str(tmp_path / "out")])
    assert result.exit_code != 0 and "audit db upgrade" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "index.html").exists()


@pytest.mark.parametrize("command", [["inspections"], ["monitoring"], []])
def test_every_report_command_has_help_with_an_example(command):
    result = CliRunner().invoke(main, ["report", *command, "--help"])
    assert result.exit_code == 0 and "audit report" in result.output


# -- the sample database (``sample_db``, see conftest) for the periodic report and explorer --


@pytest.mark.kernel
def test_monitoring_report_judges_the_targets_with_method_and_provenance(sample_db, tmp_path):
    kernel_or_skip()
    plan = ROOT / "data" / "plans" / "453-KH-HU.yaml"
    index = reports.run_monitoring_report(
        sample_db, plan, "PT", "2021-2025", tmp_path, jobs=1, progress=False
    )
    html = (tmp_path / "monitoring-453-KH-HU-PT-2021-2025.html").read_text("utf-8")
    for text in (
        "BÁO CÁO TỔNG KẾT",
        "Kết quả thực hiện các chỉ tiêu",
        "T1",
        "T10",
        "Khoảng tin cậy 95%",
        "Theo xã",
        "Theo ngành",
        "Nội dung vi phạm thường gặp",
        "Phương pháp tính",
        "Wilson",
        "Nguồn gốc báo cáo",
    ):
        assert text in html, text
    assert html.count('src="data:image/png;base64,') >= 10  # a trend per target, breakdowns
    assert "http://" not in html and "https://" not in html
    assert "hoàn thành / ok" in index.read_text("utf-8")


@pytest.mark.kernel
def test_monitoring_jobs_are_labelled_with_the_units_names(sample_db):
    plan = ROOT / "data" / "plans" / "453-KH-HU.yaml"
    jobs = reports.plan_monitoring_jobs(sample_db, plan, ["PT", "LC-SSH"], "2021-2025", "en")
    assert [j.label for j in jobs] == [
        "453-KH-HU · Phong Tho district · 2021-2025",
        "453-KH-HU · Sin Suoi Ho commune · 2021-2025",
    ]


@pytest.mark.kernel
def test_explore_findings_notebook_runs_and_shows_its_widgets(sample_db, tmp_path):
    kernel_or_skip()
    out = tmp_path / "explore.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "explore_findings.ipynb"),
        str(out),
        parameters={"db_url": sample_db, "lang": "en"},
        kernel_name=reports.KERNEL,
        cwd=str(ROOT),
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    data = [o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])]
    assert any("application/vnd.jupyter.widget-view+json" in d for d in data)
    assert any("text/html" in d for d in data)  # the filtered findings frame


# -- the modules behind the notebooks, without a kernel -------------------------------


def test_a_revised_record_shows_its_revision_and_reason(tmp_path):
    from audit_lib.reports import InspectionRecord
    from audit_lib.store import open_store

    url = f"sqlite:///{tmp_path / 'audit.db'}"
    first, _ = build_inspected(url)
    with open_store(url) as store:
        revised = store.revise(first, "Sai số lao động <ghi nhầm>", by="test")
        store.finalize(revised, by="test")
    details = InspectionRecord.load(url, revised, "vi").details()
    assert "Lần sửa đổi</th><td>2</td>" in details
    assert "Sai số lao động &lt;ghi nhầm&gt;" in details
    assert "Lần sửa đổi" not in InspectionRecord.load(url, first, "vi").details()


def test_an_unknown_inspection_is_a_not_found_error(inspected_db):
    from audit_lib.core.errors import NotFoundError
    from audit_lib.reports import InspectionRecord

    with pytest.raises(NotFoundError):
        InspectionRecord.load(inspected_db[0], "no-such-id")


def test_data_fingerprint_ignores_row_and_column_order_but_not_content():
    from audit_lib.reports._record import fingerprint

    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    shuffled = frame.iloc[[2, 0, 1]][["b", "a"]]
    assert fingerprint(frame) == fingerprint(shuffled)
    assert fingerprint(frame) != fingerprint(frame.assign(b=["x", "y", "w"]))
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint(frame))


def test_table_numbers_keep_three_significant_digits():
    from audit_lib.reports._monitoring import count, number

    assert [number(v) for v in (0.0, 0.1234, 4.791, 18.43, 80.0, 389.2, float("nan"))] == [
        "0",
        "0.123",
        "4.79",
        "18.4",
        "80.0",
        "389",
        "—",
    ]
    assert [count(v) for v in (4.0, 2.5, None)] == ["4", "2.5", "—"]


def test_a_commune_year_is_an_interim_review_without_commune_breakdown(sample_db):
    from audit_lib.reports import MonitoringReport

    plan = ROOT / "data" / "plans" / "453-KH-HU.yaml"
    rep = MonitoringReport.load(sample_db, plan, "Sin Suối Hồ", "2025", "en")
    assert rep.level == "commune"
    assert "INTERIM REVIEW" in rep.heading()
    assert "Year 2025" in rep.targets() and "Pooled" not in rep.targets()
    assert "No data." in rep.by_commune()
    assert "Wilson score 95% interval" in rep.method()
    assert re.search(r"[0-9a-f]{64}", rep.provenance())


def test_the_record_reads_the_same_from_sqlite_and_postgresql(db_url):
    import sqlalchemy as sa

    from audit_lib.reports import InspectionRecord

    first, _ = build_inspected(db_url)
    record = InspectionRecord.load(db_url, first, "en")
    assert "Lò Văn A" in record.signatures()
    assert len(record.scored.findings) >= 3
    shown = sa.make_url(db_url).render_as_string(hide_password=True)  # no password in reports
    assert record.parameters["db_url"] == shown
