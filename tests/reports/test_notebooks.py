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

from audit_lib.checklists import conditions
from audit_lib.cli import main
from audit_lib.core import html as fragments
from audit_lib.core.errors import ReportError
from audit_lib.core.i18n import label
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


FIRST, FOLLOW_UP = "0001/2024/BB-ATVSLĐ", "0001/2025/BB-ATVSLĐ"
FIRST_NAME = "2024-05-10_6200000101_periodic_0001-2024-BB-ATVSLD"
FOLLOW_UP_NAME = "2025-05-12_6200000101_follow_up_0001-2025-BB-ATVSLD"
DONE_NOTE = "Đã lắp <che chắn> băng tải"


def test_planned_jobs_pass_exactly_the_declared_parameters(visits_db):
    url, ids = visits_db
    (job,) = reports.plan_inspection_jobs(url, year=2024)
    assert tuple(job.parameters) == tuple(reports.declared_parameters(job.notebook))
    assert job.parameters["visit_id"] == ids["first"]
    assert job.name == FIRST_NAME
    assert job.label == (
        "10/05/2024 · Công ty <b>Đất hiếm</b> Nậm Xe · Định kỳ · 0001/2024/BB-ATVSLĐ · "
        + label(INSPECTION_VERDICT_LABELS, ids["verdicts"]["first"], "vi")
    )
    (english,) = reports.plan_inspection_jobs(url, year=2024, lang="en")
    assert english.label.startswith("2024-05-10 · Công ty <b>Đất hiếm</b> Nậm Xe · Periodic · ")
    plan = ROOT / "data" / "plans" / "453-KH-HU.yaml"
    (job,) = reports.plan_monitoring_jobs(url, plan, "PT", "2021-2025")
    assert tuple(job.parameters) == tuple(reports.declared_parameters(job.notebook))
    assert job.label == "453-KH-HU · PT · 2021-2025"  # no unit list in this database: the code


def test_one_job_per_final_visit_chosen_by_id_or_record_number(visits_db):
    url, ids = visits_db
    every = reports.plan_inspection_jobs(url)
    assert [j.name for j in every] == [FIRST_NAME, FOLLOW_UP_NAME]
    chosen = reports.plan_inspection_jobs(url, ids=[FOLLOW_UP, ids["first"], ids["follow_up"]])
    assert [j.parameters["visit_id"] for j in chosen] == [ids["follow_up"], ids["first"]]
    assert [j.name for j in reports.plan_inspection_jobs(url, since="2025-01-01")] == [
        FOLLOW_UP_NAME
    ]
    (unknown,) = reports.plan_inspection_jobs(url, ids=["no such/id"])
    assert (unknown.name, unknown.parameters["visit_id"]) == ("visit-no_such_id", "no such/id")


# -- a small hand-made database of visits ----------------------------------------------


def answer_all(store, visit_id: str, checklists: dict, failed: int, note_on=None) -> None:
    """Answer every item of every sheet: numbers 5, the first ``failed`` major compliance
    items of each sheet non-compliant, the others compliant; ``note_on`` (checklist id)
    carries the typed <script> note on its first failed item."""
    visit = store.visit(visit_id)
    est = store.establishments().set_index("establishment_id").loc[visit["establishment_id"]]
    for sheet in store.visit_sheets(visit_id).itertuples():
        items = checklists[sheet.checklist_id].items_frame()
        numeric = (items["answer_type"] != "compliance").to_numpy()
        holds = items["applies_if"].map(
            lambda e: conditions.evaluate_one(e if isinstance(e, str) else None, est.to_dict())
        )
        majors = items[~numeric & (items["severity"] == "major") & holds.astype(bool)]
        bad = majors["item_id"].head(failed)
        answers = pd.DataFrame(
            {
                "item_id": items["item_id"],
                "answer": np.where(numeric, None, "compliant"),
                "value": np.where(numeric, 5.0, None),
                "note": None,
            }
        )
        answers.loc[items["item_id"].isin(bad), "answer"] = "noncompliant"
        if sheet.checklist_id == note_on:
            answers.loc[items["item_id"] == bad.iloc[0], "note"] = SCRIPT_NOTE
        store.save_answers(sheet.inspection_id, answers, by="test")


def build_visits(url: str, checklists: dict | None = None) -> dict:
    """One mining establishment visited on 10/05/2024 (periodic) and 12/05/2025 (a
    follow-up that finds one of the 2024 corrective actions done, one not), each visit
    with the general and the mining checklist, a typed <script> note in 2024.
    Returns the visit ids, the establishment id and the visits' verdicts."""
    from audit_lib.checklists import applicable_checklists, load_checklists
    from audit_lib.store import open_store, schema

    checklists = checklists or load_checklists()
    used = applicable_checklists(checklists, "mining", "enterprise")
    with open_store(url, upgrade=True) as store:
        with store.transaction() as conn:
            conn.execute(
                schema.units.insert().values(
                    unit_code="PT-NX", name_vi="Nậm Xe", name_en="Nam Xe", level="commune"
                )
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
        team = ["Lò Văn A", "Giàng A Pao"]
        first = store.create_visit(est, dt.date(2024, 5, 10), "periodic", team, used,
                                   by="test", place="Mỏ đất hiếm Nậm Xe")  # fmt: skip
        answer_all(store, first, checklists, 3, note_on="mining")
        store.finalize_visit(first, by="test")
        follow_up = store.create_visit(est, dt.date(2025, 5, 12), "follow_up", team, used,
                                       by="test", place="Mỏ đất hiếm Nậm Xe")  # fmt: skip
        answer_all(store, follow_up, checklists, 2)
        done, not_done = store.open_actions(establishment_id=est)["action_id"].head(2)
        store.check_action(follow_up, done, True, note=DONE_NOTE, by="test")
        store.check_action(follow_up, not_done, False, note="Chưa làm", by="test")
        store.finalize_visit(follow_up, by="test")
        verdicts = store.visits().set_index("visit_id")["verdict"]
    return {
        "first": first,
        "follow_up": follow_up,
        "establishment": est,
        "actions": (int(done), int(not_done)),
        "verdicts": {"first": verdicts[first], "follow_up": verdicts[follow_up]},
    }


@pytest.fixture(scope="module")
def visits_db(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'audit.db'}"
    return url, build_visits(url)


@pytest.fixture(scope="module")
def inspection_run(visits_db, tmp_path_factory):
    """One batch: the 2024 record, and a wrong id that must fail without stopping it."""
    kernel_or_skip()
    url, ids = visits_db
    out = tmp_path_factory.mktemp("reports")
    with pytest.raises(ReportError) as caught:
        reports.run_inspection_reports(
            url, out, ids=[ids["first"], "no-such-id"], jobs=2, progress=False
        )
    return out, ids, caught.value


def page(out: Path, name: str) -> str:
    return (out / f"{name}.html").read_text("utf-8")


@pytest.mark.kernel
def test_one_record_per_visit_with_every_checklist_one_number_and_one_signature(
    inspection_run, visits_db
):
    from audit_lib.store import open_store

    out, ids, _ = inspection_run
    html = page(out, FIRST_NAME)
    for text in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BIÊN BẢN KIỂM TRA CÔNG TÁC AN TOÀN, VỆ SINH LAO ĐỘNG",
        f"Số: {FIRST}",
        "Nậm Xe, ngày 10 tháng 05 năm 2024",
        "Khai khoáng",
        "Mỏ đất hiếm Nậm Xe",
        "Lò Văn A; Giàng A Pao",
        "Kết luận chung",
        label(INSPECTION_VERDICT_LABELS, ids["verdicts"]["first"], "vi"),
        "Cuộc kiểm tra chỉ đạt khi mọi bảng kiểm đều đạt",
        "Cách đánh giá đã áp dụng",
        "TRƯỞNG ĐOÀN KIỂM TRA",
    ):
        assert text in html, text
    assert set(re.findall(r"\d{4}/\d{4}/BB-ATVSLĐ", html)) == {FIRST}  # one record, one number
    assert html.count(f"Số: {FIRST}") == 1
    assert html.count('class="signatures"') == 1 and html.count("ĐẠI DIỆN CƠ SỞ") == 1
    assert html.count("<p>Lò Văn A</p>") == 1  # the head of the team signs
    assert "Kết quả kiểm tra lại" not in html  # not a follow-up
    with open_store(visits_db[0]) as store:
        sheets = store.visit_sheets(ids["first"])
        stored = store.scored(sheets["inspection_id"])
    assert sheets["checklist_id"].tolist() == ["general", "mining"]
    for row in stored.scores.itertuples():  # each checklist's stored score, grade and verdict
        title = f"({row.checklist_id} {row.checklist_version})</td>"
        assert f'{title}<td class="num">{row.score:.1f}</td><td>{row.grade} (' in html
    assert html.count('src="data:image/png;base64,') == 2  # the section chart of each
    findings = stored.findings
    assert set(findings["inspection_id"]) == set(sheets["inspection_id"])
    for finding in findings.itertuples():  # each with its legal basis and due date
        assert f"<td>{finding.item_id}</td>" in html
        assert fragments.escape(finding.legal_basis) in html
        assert f'<td class="date">{fragments.day(finding.due_on)}</td>' in html


@pytest.mark.kernel
def test_typed_text_is_escaped_and_nothing_is_loaded_from_outside(inspection_run):
    out, _, _ = inspection_run
    html = page(out, FIRST_NAME)
    # (nbconvert re-serialises output HTML: &#x27; comes back as a plain quote, harmless in text)
    assert "&lt;script&gt;alert('x')&lt;/script&gt; lan can hỏng" in html
    assert "Công ty &lt;b&gt;Đất hiếm&lt;/b&gt; Nậm Xe" in html
    assert "<script" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "http://" not in html and "https://" not in html


@pytest.mark.kernel
def test_provenance_names_record_visit_checklists_checksums_data_and_version(inspection_run):
    import audit_lib
    from audit_lib.checklists import load_checklists

    out, ids, _ = inspection_run
    html = page(out, FIRST_NAME)
    shipped = load_checklists()
    assert "Nguồn gốc báo cáo" in html
    assert f"Số biên bản</th><td>{FIRST}</td>" in html
    assert f"Mã cuộc kiểm tra</th><td>{ids['first']}</td>" in html
    assert f"visit_id={ids['first']}" in html
    for name in ("general", "mining"):
        version = shipped[name].version
        checksum = f"Bảng kiểm {name} {version} — Mã kiểm tra (SHA-256)</th>"
        assert f"{checksum}<td>{shipped[name].fingerprint}</td>" in html
    assert re.search(r"Dữ liệu đã đọc — Mã kiểm tra \(SHA-256\)</th><td>[0-9a-f]{64}</td>", html)
    assert audit_lib.__version__ in html


@pytest.mark.kernel
def test_a_wrong_id_fails_its_own_report_only_and_the_index_says_why(inspection_run):
    out, ids, error = inspection_run
    assert list(error.failures) == ["visit-no-such-id"]
    assert "NotFoundError" in error.failures["visit-no-such-id"]
    assert (out / "visit-no-such-id.ipynb").exists()  # kept, with the failing cell
    index = (out / "index.html").read_text("utf-8")
    assert f'href="{FIRST_NAME}.html"' in index
    assert f"10/05/2024 · Công ty &lt;b&gt;Đất hiếm&lt;/b&gt; Nậm Xe · Định kỳ · {FIRST}" in index
    assert "lỗi / failed" in index and "NotFoundError" in index
    assert "1 hoàn thành, 1 lỗi" in index


@pytest.mark.kernel
def test_the_same_inputs_give_the_same_report(inspection_run, visits_db, tmp_path):
    out, ids, _ = inspection_run
    url, _ = visits_db
    reports.run_inspection_reports(url, tmp_path, ids=[FIRST], jobs=1, progress=False)
    for ext in ("html", "ipynb"):
        name = f"{FIRST_NAME}.{ext}"
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes()


@pytest.mark.kernel
def test_cli_writes_english_records_for_a_year_with_the_actions_checked(visits_db, tmp_path):
    kernel_or_skip()
    url, ids = visits_db
    result = CliRunner().invoke(
        main,
        ["report", "inspections", "--year", "2025", "--out", str(tmp_path), "--lang", "en"]
        + ["--jobs", "1", "--db", url],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("index.html")
    html = page(tmp_path, FOLLOW_UP_NAME)
    assert "SOCIALIST REPUBLIC OF VIET NAM" in html and "RECORD OF OCCUPATIONAL SAFETY" in html
    assert f"No. {FOLLOW_UP}" in html and "Follow-up" in html
    assert "V. Corrective actions checked on this follow-up visit" in html
    assert "VI. Items not checked" in html  # the parts after it are numbered on
    assert f"<td>{FIRST}</td>" in html  # the record that required the actions
    assert "<td>Done</td>" in html and "<td>Not done</td>" in html
    assert fragments.escape(DONE_NOTE) in html


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


def test_a_revised_record_keeps_its_number_with_the_revision_and_reason(tmp_path):
    from audit_lib.reports import VisitRecord
    from audit_lib.store import open_store

    url = f"sqlite:///{tmp_path / 'audit.db'}"
    ids = build_visits(url)
    with open_store(url) as store:
        revised = store.revise_visit(ids["first"], "Sai số lao động <ghi nhầm>", by="test")
        assert [j.parameters["visit_id"] for j in reports.plan_inspection_jobs(url, year=2024)] == [
            ids["first"]  # a draft revision has no record yet: the final one is current
        ]
        store.finalize_visit(revised, by="test")
    record = VisitRecord.load(url, revised, "vi")
    assert "Lần sửa đổi</th><td>2</td>" in record.details()
    assert "Sai số lao động &lt;ghi nhầm&gt;" in record.details()
    assert f"Số: {FIRST}-SĐ2" in record.heading()
    assert "Lần sửa đổi</th><td>2</td>" in record.provenance()
    assert "Lần sửa đổi" not in VisitRecord.load(url, ids["first"], "vi").details()
    (job,) = reports.plan_inspection_jobs(url, year=2024)  # one record per visit: the revision
    assert job.parameters["visit_id"] == revised
    assert job.name == f"{FIRST_NAME}-SD2"


def test_a_draft_visit_has_no_record_and_an_unknown_one_is_not_found(tmp_path):
    from audit_lib.checklists import load_checklists
    from audit_lib.core.errors import InputError, NotFoundError
    from audit_lib.reports import VisitRecord
    from audit_lib.store import open_store

    url = f"sqlite:///{tmp_path / 'audit.db'}"
    ids = build_visits(url)
    with open_store(url) as store:
        draft = store.create_visit(
            ids["establishment"], "2025-06-01", "unannounced", "Lò Văn A",
            [load_checklists()["general"]],
        )  # fmt: skip
    with pytest.raises(InputError) as caught:
        VisitRecord.load(url, draft)
    assert f"visit {draft}: status: visit {draft} is still a draft" in str(caught.value)
    assert "còn là bản nháp" in str(caught.value)
    assert [j.name for j in reports.plan_inspection_jobs(url)] == [FIRST_NAME, FOLLOW_UP_NAME]
    with pytest.raises(NotFoundError):
        VisitRecord.load(url, "no-such-id")


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

    from audit_lib.reports import VisitRecord

    ids = build_visits(db_url)
    record = VisitRecord.load(db_url, ids["follow_up"], "en")
    assert "Lò Văn A" in record.signatures()
    assert record.sheets["checklist_id"].tolist() == ["general", "mining"]
    assert len(record.scored.findings) >= 4  # two failed items on each checklist
    assert record.checks["done"].tolist() == [True, False]
    assert record.checks["required_by"].tolist() == [FIRST, FIRST]
    shown = sa.make_url(db_url).render_as_string(hide_password=True)  # no password in reports
    assert record.parameters["db_url"] == shown
