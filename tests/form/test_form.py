"""The inspection form driven programmatically: widget values set, buttons clicked,
rows checked in the store (SQLite always, PostgreSQL when enabled).

The short checklists in tests/data/form_checklists make the scores easy to work
out by hand: form_general has FG.ORG.01 (critical, weight 3), FG.ORG.02 (major,
2), FG.ORG.03 (minor, 1, only when workforce >= 50) and FG.TRN.01 (a count,
major, 2, compliant when >= 1); form_mining has FM.GND.01 (critical, 5) and
FM.GND.02 (minor, 1).
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from datetime import UTC, date, datetime
from pathlib import Path

import nbformat
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_lib.checklists import load_checklists
from audit_lib.cli.form import form as form_command
from audit_lib.core.db_urls import absolute as absolute_url
from audit_lib.core.vocabulary import ANSWER_CODES
from audit_lib.form import InspectionForm
from audit_lib.form._evidence import MAX_BYTES, check_evidence
from audit_lib.form._server import voila_command
from audit_lib.form._session import FormSession
from audit_lib.form._sheet import css_id
from audit_lib.scoring import _score as scoring
from audit_lib.store import open_store, schema, sniff
from tests.conftest import PG_REASON, fresh_pg_database, require

ROOT = Path(__file__).resolve().parents[2]
CHECKLISTS = ROOT / "tests" / "data" / "form_checklists"


def png_bytes() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def checklists():
    return load_checklists(CHECKLISTS)


def add_units(store) -> None:
    with store.transaction() as conn:
        conn.execute(
            sa.insert(schema.units),
            [
                {
                    "unit_code": "NX",
                    "name_vi": "Nậm Xe",
                    "name_en": "Nam Xe",
                    "aliases": "",
                    "level": "commune",
                    "parent_code": None,
                },
                {
                    "unit_code": "MS",
                    "name_vi": "Mường So",
                    "name_en": "Muong So",
                    "aliases": "Muong So",
                    "level": "commune",
                    "parent_code": None,
                },
            ],
        )


MINE = dict(
    code="6200000001",
    name="Công ty TNHH Đất hiếm Lai Châu",
    kind="enterprise",
    sector="mining",
    unit_code="NX",
    workforce=12,
    strict_workers=4,
    has_strict_equipment=True,
    labour_relations=True,
    employs_minors=False,
)
FARM = dict(
    code="6200000002",
    name="HTX Nông nghiệp Hoa Ban",
    kind="cooperative",
    sector="agriculture",
    unit_code="MS",
    workforce=80,
    strict_workers=0,
    has_strict_equipment=False,
    labour_relations=True,
    employs_minors=False,
)


@pytest.fixture
def world(store, checklists):
    """The store with two communes and two establishments: (store, mine_id, farm_id)."""
    add_units(store)
    return store, store.add_establishment(**MINE), store.add_establishment(**FARM)


def new_form(store, checklists, lang="vi", by="Nguyễn Văn An") -> InspectionForm:
    return InspectionForm(FormSession(store, by=by, checklists=checklists, lang=lang), lang=lang)


def open_mine(store, checklists, **kw) -> InspectionForm:
    """A form with the mine picked through the search box and a new inspection started."""
    form = new_form(store, checklists, **kw)
    form.search.value = "dat hiem"
    form.results.children[0].click()
    form.inspected_on.value = date(2025, 5, 12)
    form.start_button.click()
    return form


def answer(form, item_id, value, sheet=None):
    for view in form.sheet_views if sheet is None else [form.sheet_views[sheet]]:
        if item_id in view.items:
            view.items[item_id].answer.value = value
            return view.items[item_id]
    raise KeyError(item_id)


def saved(store, inspection_id) -> dict:
    frame = store.responses(inspection_ids=[inspection_id])
    return {
        r.item_id: (
            r.answer if isinstance(r.answer, str) else None,
            None if r.value != r.value else r.value,
        )
        for r in frame.itertuples()
    }


# -- finding and registering establishments ---------------------------------


def test_search_finds_by_name_code_or_commune_whatever_the_accents(world, checklists):
    store, mine, farm = world
    session = FormSession(store, checklists=checklists)
    assert list(session.search("DAT HIEM").establishment_id) == [mine]
    assert list(session.search("đất hiếm").establishment_id) == [mine]
    assert list(session.search("6200000002").establishment_id) == [farm]
    assert list(session.search("nam xe").establishment_id) == [mine]  # the mine's commune
    assert list(session.search("muong so").establishment_id) == [farm]
    assert len(session.search("")) == 2
    assert session.search("khong co").empty


def test_search_box_shows_one_button_per_establishment_found(world, checklists):
    store, *_ = world
    form = new_form(store, checklists)
    form.search.value = "hoa ban"
    assert [b.description for b in form.results.children] == [
        "HTX Nông nghiệp Hoa Ban · 6200000002 · Mường So"
    ]
    assert "audit-result" in form.results.children[0]._dom_classes


def test_registration_names_every_bad_field_and_writes_nothing(world, checklists):
    store, *_ = world
    form = new_form(store, checklists)
    form.fields["code"].value = "6200000001"  # already taken by the mine
    form.fields["name"].value = "A"
    form.fields["workforce"].value = -3
    form.fields["strict_workers"].value = 5
    form.fields["unit_code"].value = None
    form.register_button.click()
    errors = {name: label.value for name, label in form.field_errors.items()}
    assert "đã có" in errors["code"]
    assert "ít nhất 3 ký tự" in errors["name"]
    assert "số nguyên không âm" in errors["workforce"]
    assert "bắt buộc" in errors["unit_code"]
    assert errors["kind"] == errors["sector"] == ""
    assert "Hãy sửa" in form.message.value
    assert len(store.establishments()) == 2


def test_strict_workers_cannot_exceed_the_workforce(world, checklists):
    store, *_ = world
    session = FormSession(store, checklists=checklists, lang="en")
    _, problems = session.check_establishment({**MINE, "code": "6200000009", "workforce": 3})
    assert [(p.field, p.message) for p in problems] == [
        ("strict_workers", "Workers in strict-requirement jobs: cannot exceed the workforce (3)")
    ]


def test_registering_a_valid_establishment_stores_it_and_opens_it(world, checklists):
    store, *_ = world
    form = new_form(store, checklists)
    values = {
        **FARM,
        "code": "5400123456-001",
        "name": "Xưởng gỗ Sin Suối Hồ",
        "sector": "wood",
        "kind": "household",
        "vsic": "1610",
        "workforce": 9,
        "hazardous_workers": "4",
        "employs_minors": True,
    }
    for name, widget in form.fields.items():
        widget.value = values[name]
    form.register_button.click()
    row = store.establishments().set_index("code").loc["5400123456-001"]
    assert row["name"] == "Xưởng gỗ Sin Suối Hồ"
    assert (row.sector, row.kind, int(row.workforce), bool(row.employs_minors)) == (
        "wood",
        "household",
        9,
        True,
    )
    # sawmills are not among the sector groups of Circular 07/2016 Art. 8
    assert (row.vsic, int(row.hazardous_workers), bool(row.high_risk)) == ("1610", 4, False)
    assert form.session.establishment["code"] == "5400123456-001"
    assert [c.id for c in form.session.applicable] == ["form_general"]
    assert "Đã đăng ký" in form.message.value


def test_registration_shows_high_risk_as_the_law_derives_it_and_never_asks_for_it(
    world, checklists
):
    store, *_ = world
    form = new_form(store, checklists)
    assert "high_risk" not in form.fields
    form.fields["sector"].value = "manufacturing"
    assert "Không" in form.high_risk.value and "hãy nhập mã VSIC" in form.high_risk.value
    form.fields["vsic"].value = "C2392"  # a brick kiln: non-metallic mineral products
    assert "Nguy cơ cao: Có — nhóm 4 «Sản xuất sản phẩm từ khoáng phi kim»" in form.high_risk.value
    assert "Thông tư 07/2016/TT-BLĐTBXH, Điều 8" in form.high_risk.value
    form.fields["sector"].value = "mining"
    form.fields["vsic"].value = ""
    assert "nhóm 1 «Khai khoáng" in form.high_risk.value


def test_workers_in_hazardous_jobs_may_be_unknown_but_never_more_than_the_workforce(
    world, checklists
):
    store, *_ = world
    session = FormSession(store, checklists=checklists, lang="en")
    mine = {**MINE, "code": "6200000009"}
    row, problems = session.check_establishment({**mine, "hazardous_workers": ""})
    assert (problems, row["hazardous_workers"], row["high_risk"]) == ([], None, True)
    _, problems = session.check_establishment({**mine, "hazardous_workers": 13})
    assert [(p.field, p.message) for p in problems] == [
        ("hazardous_workers",
         "Workers in heavy, hazardous or dangerous jobs: cannot exceed the workforce (12)")
    ]  # fmt: skip


# -- which checklists and items apply ----------------------------------------


def test_a_mine_gets_the_general_and_the_mining_checklist(world, checklists):
    store, *_ = world
    form = open_mine(store, checklists)
    assert [v.sheet.checklist.id for v in form.sheet_views] == ["form_general", "form_mining"]
    rows = store.inspections(status="draft")
    assert sorted(rows.checklist_id) == ["form_general", "form_mining"]
    assert set(rows.inspectors) == {"Nguyễn Văn An"}


def test_items_whose_condition_is_false_are_hidden(world, checklists):
    store, mine, farm = world
    small = open_mine(store, checklists)  # 12 workers: no OSH council item
    assert "FG.ORG.03" not in small.sheet_views[0].items
    big = new_form(store, checklists)
    big.search.value = "hoa ban"
    big.results.children[0].click()
    big.start_button.click()
    assert "FG.ORG.03" in big.sheet_views[0].items  # 80 workers
    assert len(big.sheet_views) == 1


# -- answering: saved as given, live panel -----------------------------------


def test_each_answer_is_saved_at_once_and_the_live_panel_follows(world, checklists):
    store, *_ = world
    form = open_mine(store, checklists)
    general = form.sheet_views[0]
    answer(form, "FG.ORG.01", "compliant")
    assert saved(store, general.sheet.inspection_id) == {"FG.ORG.01": ("compliant", None)}
    answer(form, "FG.ORG.02", "noncompliant")
    answer(form, "FG.TRN.01", "3")
    rows = saved(store, general.sheet.inspection_id)
    assert rows["FG.TRN.01"] == (None, 3.0)
    # (3 + 2) / (3 + 2 + 2) = 71.4 %, band C (50-75), which does not pass
    assert "71.4%" in general.live.value
    assert "C · Trung bình" in general.live.value
    assert "audit-verdict-fail" in general.live.value
    assert "Niêm yết nội quy ATVSLĐ" in general.live.value  # FG.ORG.02's action
    assert "trong 30 ngày" in general.live.value
    assert general.accordion.titles == ("Tổ chức (2/2)", "Huấn luyện (1/1)")
    assert general.items["FG.ORG.01"].status.value.endswith("đã lưu</span>")


def test_a_critical_noncompliance_is_listed_and_fails_whatever_the_score(world, checklists):
    store, *_ = world
    form = open_mine(store, checklists)
    answer(form, "FM.GND.01", "noncompliant")
    answer(form, "FM.GND.02", "compliant")
    mining = form.sheet_views[1]
    assert "audit-verdict-fail_critical" in mining.live.value
    assert "FM.GND.01: Tầng khai thác đúng thiết kế" in mining.live.value
    assert "Cắt tầng lại theo thiết kế (trong 7 ngày)" in mining.live.value


def test_a_note_is_saved_with_the_answer(world, checklists):
    store, *_ = world
    form = open_mine(store, checklists)
    item = answer(form, "FG.ORG.02", "noncompliant")
    item.more.value = True
    assert "Luật ATVSLĐ 84/2015/QH13, Điều 15" in item.details.children[0].value
    item.note.value = "Nội quy chưa dịch sang tiếng Hmông"
    frame = store.responses(inspection_ids=[form.sheet_views[0].sheet.inspection_id])
    row = frame.set_index("item_id").loc["FG.ORG.02"]
    assert (row.answer, row.note) == ("noncompliant", "Nội quy chưa dịch sang tiếng Hmông")


def test_a_count_that_is_not_a_number_is_refused_on_the_item(world, checklists):
    store, *_ = world
    form = open_mine(store, checklists)
    item = answer(form, "FG.TRN.01", "ba")
    assert "phải là một số" in item.status.value
    assert "phải là một số" in form.message.value
    assert saved(store, form.sheet_views[0].sheet.inspection_id) == {}
    answer(form, "FG.TRN.01", "2,0")
    assert saved(store, form.sheet_views[0].sheet.inspection_id) == {"FG.TRN.01": (None, 2.0)}


# -- finalize, resume, revise ----------------------------------------------


def test_finalize_is_refused_while_critical_items_are_unanswered(world, checklists):
    store, *_ = world
    form = open_mine(store, checklists)
    answer(form, "FG.ORG.01", "compliant")
    form.finalize_button.click()
    assert "FM.GND.01" in form.message.value
    assert "mục nghiêm trọng chưa trả lời" in form.message.value
    assert set(store.inspections(status=None).status) == {"draft"}


def test_finalize_stores_the_findings_and_corrective_actions(world, checklists):
    store, *_ = world
    form = open_mine(store, checklists)
    for item_id, value in [
        ("FG.ORG.01", "compliant"),
        ("FG.ORG.02", "noncompliant"),
        ("FG.TRN.01", "0"),
        ("FM.GND.01", "compliant"),
        ("FM.GND.02", "na"),
    ]:
        answer(form, item_id, value)
    form.finalize_button.click()
    [visit] = store.visits(status="final").itertuples()
    number = visit.record_number
    assert number.endswith("/2025/BB-ATVSLĐ")
    assert f"Đã hoàn tất biên bản số {number} (2 bảng kiểm)" in form.message.value
    assert number in form.visit_header.value
    finals = store.inspections(status="final")
    assert len(finals) == 2 and set(finals.visit_id) == {visit.visit_id}
    findings = store.findings(inspection_ids=list(finals.inspection_id))
    assert sorted(findings.item_id) == ["FG.ORG.02", "FG.TRN.01"]
    actions = store.actions()
    assert sorted(actions.item_id) == ["FG.ORG.02", "FG.TRN.01"]
    assert set(actions.status) == {"open"}
    assert form.sheet_views[0].items["FG.ORG.01"].answer.disabled


def test_a_second_visit_the_same_day_is_refused_naming_the_draft(world, checklists):
    store, *_ = world
    first = open_mine(store, checklists)
    draft = first.session.visit["visit_id"]
    again = new_form(store, checklists)
    again.search.value = "dat hiem"
    again.results.children[0].click()
    again.inspected_on.value = date(2025, 5, 12)
    again.start_button.click()
    assert f"đã có biên bản nháp ngày 12/05/2025 ({draft})" in again.message.value
    assert draft in again.date_error.value
    assert list(store.visits(status="draft").visit_id) == [draft]
    assert again.sheet_views == []
    assert again.drafts.value == draft  # go on with it instead


def test_a_draft_can_be_resumed_in_a_new_form(world, checklists):
    store, *_ = world
    first = open_mine(store, checklists)
    answer(first, "FG.ORG.02", "noncompliant")
    later = new_form(store, checklists, by="")
    later.search.value = "6200000001"
    later.results.children[0].click()
    assert "12/05/2025" in later.drafts.options[0][0]
    later.resume_button.click()
    assert later.sheet_views[0].items["FG.ORG.02"].answer.value == "noncompliant"
    answer(later, "FG.ORG.01", "compliant")
    assert saved(store, later.sheet_views[0].sheet.inspection_id)["FG.ORG.01"] == (
        "compliant",
        None,
    )


def test_a_revision_needs_a_reason_and_copies_the_answers(world, checklists):
    store, *_ = world
    form = open_mine(store, checklists)
    for item_id in ("FG.ORG.01", "FG.ORG.02", "FM.GND.01"):
        answer(form, item_id, "compliant")
    form.finalize_button.click()
    form.revise_button.click()
    assert "cần ghi lý do sửa đổi" in form.message.value
    form.reason.value = "Nhập nhầm mục FG.ORG.02"
    form.revise_button.click()
    assert "Đã lập bản sửa đổi" in form.message.value
    assert "Biên bản nháp" in form.visit_header.value
    assert "sửa đổi lần 1: Nhập nhầm mục FG.ORG.02" in form.visit_header.value
    drafts = store.inspections(status="draft")
    assert set(drafts.revision) == {2}
    assert set(drafts.reason) == {"Nhập nhầm mục FG.ORG.02"}
    general = form.sheet_views[0]
    assert general.items["FG.ORG.02"].answer.value == "compliant"
    answer(form, "FG.ORG.02", "noncompliant")
    assert saved(store, general.sheet.inspection_id)["FG.ORG.02"] == ("noncompliant", None)
    old = store.inspections(status="final", current_only=False)
    assert len(old) == 2


# -- two inspectors on one draft ---------------------------------------------


def test_a_conflict_keeps_the_answer_on_screen_blocks_finalizing_and_save_overwrites(
    world, checklists
):
    store, *_ = world
    mine = open_mine(store, checklists)
    inspection_id = mine.sheet_views[0].sheet.inspection_id
    other = FormSession(store, by="Lò Văn Bình", checklists=checklists)
    other.resume(mine.session.visit["visit_id"])
    other.answer(inspection_id, "FG.ORG.01", answer="noncompliant")

    item = answer(mine, "FG.ORG.01", "compliant")
    assert "Người khác vừa lưu" in mine.message.value
    assert item.answer.value == "compliant"
    assert "chưa lưu" in item.status.value
    assert saved(store, inspection_id)["FG.ORG.01"] == ("noncompliant", None)

    answer(mine, "FM.GND.01", "compliant")
    mine.finalize_button.click()
    assert "chưa lưu" in mine.message.value
    assert set(store.inspections(status=None).status) == {"draft"}

    mine.save_button.click()
    assert saved(store, inspection_id)["FG.ORG.01"] == ("compliant", None)
    assert "đã lưu" in item.status.value
    assert not mine.session.sheets[0].pending


# -- evidence ----------------------------------------------------------------


def test_evidence_type_is_read_from_the_content_not_the_name():
    assert sniff(png_bytes()) == "image/png"
    assert sniff(b"%PDF-1.7\n...") == "application/pdf"
    assert sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(20)) == "image/jpeg"
    assert check_evidence("anh.png", png_bytes()) == []
    [problem] = check_evidence("anh.jpg", b"MZ\x90\x00 this is a program", lang="en")
    assert (problem.file, problem.field) == ("anh.jpg", "file")
    assert "only images" in problem.message


def test_evidence_larger_than_the_limit_is_refused():
    big = b"%PDF-1.4\n" + bytes(MAX_BYTES)
    [problem] = check_evidence("bien-ban.pdf", big, lang="en")
    assert problem.message == "file too large (10.0 MB), at most 10 MB"
    assert check_evidence("empty.png", b"")[0].message == "tệp rỗng"


def test_uploaded_photos_are_stored_by_content_hash(world, checklists):
    store, *_ = world
    form = open_mine(store, checklists)
    item = answer(form, "FG.ORG.02", "noncompliant")
    item.more.value = True
    photo = png_bytes()
    item.upload.value = (
        {
            "name": "noi-quy.png",
            "type": "image/png",
            "size": len(photo),
            "content": memoryview(photo),
            "last_modified": datetime(2025, 5, 12, tzinfo=UTC),
        },
    )
    inspection_id = form.sheet_views[0].sheet.inspection_id
    evidence = store.evidence(inspection_id)
    assert list(evidence.filename) == ["noi-quy.png"]
    import hashlib

    assert list(evidence.sha256) == [hashlib.sha256(photo).hexdigest()]
    assert item.upload.value == ()
    assert "noi-quy.png" in item.attached.value
    assert "Đã lưu 1 tệp" in form.message.value


def uploaded(name: str, data: bytes) -> dict:
    """One file as ipywidgets' FileUpload gives it."""
    return {
        "name": name,
        "type": "application/octet-stream",
        "size": len(data),
        "content": memoryview(data),
        "last_modified": datetime(2025, 5, 12, tzinfo=UTC),
    }


def test_a_selection_with_a_file_that_is_not_a_photo_stores_nothing(world, checklists):
    store, *_ = world
    form = open_mine(store, checklists)
    item = answer(form, "FG.ORG.02", "noncompliant")
    item.more.value = True
    item.upload.value = (
        uploaded("noi-quy.png", png_bytes()),
        uploaded("virus.jpg", b"MZ\x90\x00abcd"),
    )
    assert "virus.jpg: chỉ nhận ảnh" in form.message.value
    assert "noi-quy.png" not in form.message.value
    assert store.evidence(form.sheet_views[0].sheet.inspection_id).empty
    assert item.upload.value == ()


# -- language, errors, notebook, command line -------------------------------


def test_the_english_switch_redraws_every_label(world, checklists):
    store, *_ = world
    form = open_mine(store, checklists)
    answer(form, "FG.ORG.01", "compliant")
    replaced = form.sheet_views[0].items["FG.ORG.01"].answer
    form.lang_switch.value = "en"
    assert replaced.comm is None  # the old widgets are closed, not leaked in the kernel
    assert form.message_below.comm is not None
    assert form.start_button.description == "Start a new inspection"
    assert form.finalize_button.description == "Finalize"
    general = form.sheet_views[0]
    assert general.items["FG.ORG.01"].answer.options == (
        ("Compliant", "compliant"),
        ("Non-compliant", "noncompliant"),
        ("Not applicable", "na"),
    )
    assert general.items["FG.ORG.01"].answer.value == "compliant"
    assert "Score" in general.live.value
    assert general.accordion.titles[0] == "Organisation (1/2)"
    form.lang_switch.value = "vi"
    assert form.finalize_button.description == "Hoàn tất biên bản"


def test_an_unexpected_error_in_a_callback_is_shown_not_swallowed(
    world, checklists, tmp_path, monkeypatch
):
    monkeypatch.setenv("AUDIT_HOME", str(tmp_path))
    store, *_ = world
    form = new_form(store, checklists)
    form.guard(lambda: 1 / 0)()
    assert "Lỗi không mong đợi" in form.message.value
    assert "ZeroDivisionError" in (tmp_path / "logs" / "form.log").read_text(encoding="utf-8")


def test_cards_carry_stable_css_classes_for_browser_tests(world, checklists):
    store, *_ = world
    form = open_mine(store, checklists)
    item = form.sheet_views[0].items["FG.ORG.01"]
    assert css_id("FG.ORG.01") == "audit-item-FG-ORG-01"
    assert {"audit-item", "audit-item-FG-ORG-01"} <= set(item.widget._dom_classes)
    assert "audit-answer" in item.answer._dom_classes
    assert "audit-finalize" in form.finalize_button._dom_classes


def test_a_count_is_read_as_vietnamese_write_numbers(world, checklists):
    store, *_ = world
    form = open_mine(store, checklists)
    iid = form.sheet_views[0].sheet.inspection_id
    for typed, value in (("3,0", 3.0), ("1.250", 1250.0), (" 12 ", 12.0)):
        form.session.number(iid, "FG.TRN.01", typed)
        assert saved(store, iid) == {"FG.TRN.01": (None, value)}
    form.session.number(iid, "FG.TRN.01", "")
    assert saved(store, iid) == {}


def test_the_notebook_is_thin_parameterized_and_saved_without_outputs():
    nb = nbformat.read(ROOT / "notebooks" / "inspection_form.ipynb", as_version=4)
    assert nb.metadata.kernelspec.name == "osh-audit"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.tags
    assert "db_url: Optional[str] = None" in code[0].source
    assert 'os.environ.get("AUDIT_LANG", "vi")' in code[0].source
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert "show_form(db_url=db_url, lang=lang)" in code[-1].source
    assert json.loads((ROOT / "notebooks" / "inspection_form.ipynb").read_text())


def test_a_relative_sqlite_url_is_made_absolute_for_the_kernel(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert absolute_url("sqlite:///data/audit.db") == f"sqlite:///{tmp_path}/data/audit.db"
    assert absolute_url("sqlite:////abs/x.db") == "sqlite:////abs/x.db"
    pg = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    assert absolute_url(pg) == pg


def test_voila_listens_on_localhost_only_and_culls_abandoned_kernels():
    command = voila_command(8866)
    assert "--Voila.ip=127.0.0.1" in command and "--port=8866" in command
    assert "--no-browser" in command
    assert any(a.startswith("--MappingKernelManager.cull_idle_timeout=") for a in command)


@pytest.mark.postgres
def test_audit_form_asks_to_upgrade_a_postgresql_database_instead_of_changing_it():
    server = os.environ.get("AUDIT_TEST_PG_URL")
    if not server:
        require("AUDIT_TEST_PG_URL", PG_REASON)
    url, drop = fresh_pg_database(server)
    try:
        result = CliRunner().invoke(form_command, ["--db", url, "--no-browser"])
    finally:
        drop()
    assert result.exit_code == 2
    assert "audit db upgrade" in result.output


def test_audit_form_help_shows_an_example():
    result = CliRunner().invoke(form_command, ["--help"])
    assert result.exit_code == 0
    assert "audit form --db sqlite:///data/audit.db" in result.output


def kernel_or_skip():
    from jupyter_client.kernelspec import KernelSpecManager

    if "osh-audit" not in KernelSpecManager().find_kernel_specs():
        require("AUDIT_REQUIRE_KERNEL", "needs the 'osh-audit' Jupyter kernel (make install)")


def run_form_notebook(tmp_path, db_url, lang):
    import papermill

    out = tmp_path / "form-out.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "inspection_form.ipynb"), str(out),
        parameters={"db_url": db_url, "lang": lang}, kernel_name="osh-audit",
        cwd=str(ROOT / "notebooks"), progress_bar=False, start_timeout=120,
    )  # fmt: skip
    cells = nbformat.read(out, as_version=4).cells
    return [o for c in cells if c.cell_type == "code" for o in c.outputs]


@pytest.mark.kernel
def test_the_notebook_shows_the_form_in_a_kernel(tmp_path, monkeypatch):
    kernel_or_skip()
    monkeypatch.setenv("AUDIT_CHECKLISTS", str(CHECKLISTS))
    url = f"sqlite:///{tmp_path / 'nb.db'}"
    open_store(url, upgrade=True).close()
    outputs = run_form_notebook(tmp_path, url, "en")
    assert [o.output_type for o in outputs] == ["display_data"]
    assert "application/vnd.jupyter.widget-view+json" in outputs[0].data


@pytest.mark.kernel
def test_the_notebook_explains_a_database_that_needs_upgrading(tmp_path):
    kernel_or_skip()
    outputs = run_form_notebook(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}", "vi")
    [shown] = [o.data["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert "audit db upgrade" in shown


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory, checklists):
    """One SQLite store with the communes, shared by the examples of a property test."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('prop') / 'audit.db'}", upgrade=True)
    add_units(store)
    yield store
    store.close()


COMPLIANCE_ITEMS = ["FG.ORG.01", "FG.ORG.02", "FM.GND.01", "FM.GND.02"]


@pytest.mark.slow  # 25 inspections answered and scored twice
@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(COMPLIANCE_ITEMS), st.sampled_from(ANSWER_CODES)),
        max_size=12,
    )
)  # fmt: skip
def test_the_store_always_holds_the_last_answer_given_and_the_panel_scores_it(
    shared_store, checklists, given_answers
):
    store = shared_store  # a new mine each example: one draft a day per establishment
    mine = store.add_establishment(**{**MINE, "code": f"62{len(store.establishments()):08d}"})
    session = FormSession(store, by="prop", checklists=checklists)
    session.select(mine)
    session.start(date(2025, 5, 12), "periodic", "prop")
    for item_id, code in given_answers:
        sheet = next(s for s in session.sheets if item_id in set(s.items.item_id))
        session.answer(sheet.inspection_id, item_id, answer=code)
    last = dict(given_answers)
    stored = {}
    for sheet in session.sheets:
        stored.update({k: v[0] for k, v in saved(store, sheet.inspection_id).items()})
        live = session.scored(sheet).scores.score.iloc[0]
        report = scoring.score(
            sheet.checklist,
            store.responses(inspection_ids=[sheet.inspection_id]),
            store.inspections(status=None, ids=[sheet.inspection_id]),
            store.establishments(),
        ).scores.score.iloc[0]
        assert (live != live and report != report) or live == pytest.approx(report)
        assert live != live or 0 <= live <= 100
    assert stored == last


def test_a_count_can_be_marked_not_applicable_and_back(world, checklists):
    store, *_ = world
    form = open_mine(store, checklists)
    item = answer(form, "FG.TRN.01", "2")
    general = form.sheet_views[0]
    item.na.value = True
    assert saved(store, general.sheet.inspection_id)["FG.TRN.01"] == ("na", None)
    assert item.answer.disabled
    item.na.value = False
    assert saved(store, general.sheet.inspection_id)["FG.TRN.01"] == (None, 2.0)
    assert not item.answer.disabled


def changed_general(tmp_path) -> dict:
    """The test checklists with form_general at version test.2, its FG.ORG.02 dropped."""
    text = (CHECKLISTS / "form_general.yaml").read_text(encoding="utf-8")
    text = text.replace('version: "test.1"', 'version: "test.2"')
    start = text.index("      - id: FG.ORG.02")
    text = text[:start] + text[text.index("      - id: FG.ORG.03") :]
    (tmp_path / "form_general.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "form_mining.yaml").write_text(
        (CHECKLISTS / "form_mining.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return load_checklists(tmp_path)


def test_a_draft_keeps_the_checklist_it_was_started_with_and_says_it_changed(
    world, checklists, tmp_path
):
    store, *_ = world
    first = open_mine(store, checklists)
    answer(first, "FG.ORG.02", "noncompliant")
    later = new_form(store, changed_general(tmp_path))
    later.search.value = "dat hiem"
    later.results.children[0].click()
    assert later.drafts.value == first.session.visit["visit_id"]
    later.resume_button.click()
    general = later.sheet_views[0]
    assert general.sheet.checklist.version == "test.1"
    assert general.items["FG.ORG.02"].answer.value == "noncompliant"  # still asked
    assert general.sheet.current_version == "test.2"
    assert "dùng bảng kiểm phiên bản test.1" in general.widget.children[0].value
    assert "hiện hành là phiên bản test.2" in general.widget.children[0].value
    assert later.sheet_views[1].sheet.current_version is None  # mining did not change


def test_a_draft_whose_checklist_left_the_folder_is_resumed_with_its_own(world, checklists):
    store, *_ = world
    first = open_mine(store, checklists)
    answer(first, "FM.GND.01", "compliant")
    later = new_form(store, {"form_general": checklists["form_general"]})
    later.search.value = "dat hiem"
    later.results.children[0].click()
    later.resume_button.click()
    assert [v.sheet.checklist.id for v in later.sheet_views] == ["form_general", "form_mining"]
    assert later.sheet_views[1].items["FM.GND.01"].answer.value == "compliant"


@pytest.mark.slow
def test_a_busy_port_stops_the_server_with_a_clear_error(tmp_path):
    import socket

    from audit_lib.core.errors import AuditError
    from audit_lib.form import FormServer

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = FormServer(f"sqlite:///{tmp_path / 'x.db'}", port=port, log=tmp_path / "v.log")
        try:
            with pytest.raises(AuditError, match="Voilà không khởi động được"):
                server.start(timeout=60)
        finally:
            server.stop()


def test_answers_given_on_several_threads_at_once_are_all_saved(world, checklists):
    from concurrent.futures import ThreadPoolExecutor

    store, mine, _ = world
    session = FormSession(store, by="threads", checklists=checklists)
    session.select(mine)
    general, _ = session.start(date(2025, 5, 12), "periodic", "threads")
    items = ["FG.ORG.01", "FG.ORG.02", "FG.TRN.01"]
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(
            pool.map(lambda i: session.answer(general.inspection_id, i, note=f"ghi chú {i}"), items)
        )
    notes = store.responses(inspection_ids=[general.inspection_id]).set_index("item_id").note
    assert {i: notes[i] for i in items} == {i: f"ghi chú {i}" for i in items}
    assert not general.pending and general.version == 1 + len(items)
