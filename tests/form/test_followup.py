"""A follow-up visit (Kiểm tra lại) in the form: the open corrective actions of earlier
records are listed, each marked done or not with a note and a photo, saved at once;
finalizing the follow-up closes those found done, on its day, verified by it.

The mine's first record (12/05/2025) requires two actions: FG.ORG.02 (major, 30 days,
due 11/06/2025) and FM.GND.02 (minor, 90 days, due 10/08/2025). The follow-up on
01/07/2025 finds the first overdue, the second not yet due.
"""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import pytest

from audit_lib.form._session import FormSession
from tests.form import test_form
from tests.form.test_form import answer, new_form, png_bytes, uploaded

checklists, world = test_form.checklists, test_form.world  # its fixtures

FIRST = {
    "FG.ORG.01": "compliant",
    "FG.ORG.02": "noncompliant",
    "FM.GND.01": "compliant",
    "FM.GND.02": "noncompliant",
}
FOLLOW_UP_DAY = date(2025, 7, 1)


def finalized(store, checklists, establishment_id, day, answers) -> tuple[str, str]:
    """A periodic visit answered with ``answers`` and finalized: ``(visit_id, number)``."""
    session = FormSession(store, by="Lò Văn Bình", checklists=checklists)
    session.select(establishment_id)
    for sheet in session.start(day, "periodic", "Lò Văn Bình"):
        for item_id, code in answers.items():
            if item_id in set(sheet.items.item_id):
                session.answer(sheet.inspection_id, item_id, answer=code)
    return session.visit["visit_id"], session.finalize()


@pytest.fixture
def follow_up(world, checklists):
    """The mine's first record, the farm's record, and a follow-up of the mine started in
    the form: ``(store, form, first visit id, first record number, farm's action id)``."""
    store, mine, farm = world
    first, number = finalized(store, checklists, mine, date(2025, 5, 12), FIRST)
    farm_answers = {"FG.ORG.01": "compliant", "FG.ORG.02": "noncompliant"}
    finalized(store, checklists, farm, date(2025, 5, 20), farm_answers)
    farm_action = int(store.open_actions(establishment_id=farm).action_id.iloc[0])
    form = new_form(store, checklists)
    form.search.value = "dat hiem"
    form.results.children[0].click()
    form.inspected_on.value = FOLLOW_UP_DAY
    form.visit_type.value = "follow_up"
    form.start_button.click()
    return store, form, first, number, farm_action


def action_of(form, item_id):
    """The follow-up row of the action required for ``item_id``."""
    [view] = [v for v in form.follow_up.actions.values() if v.item_id == item_id]
    return view


def test_a_follow_up_lists_the_open_actions_with_their_record_and_overdue_flag(follow_up):
    store, form, first, number, _ = follow_up
    assert form.session.is_follow_up()
    rows = form.session.follow_up.set_index("item_id")
    assert sorted(rows.index) == ["FG.ORG.02", "FM.GND.02"]  # the mine's only, not the farm's
    assert set(rows.visit_id) == {first} and set(rows.record_number) == {number}
    assert rows.overdue.to_dict() == {"FG.ORG.02": True, "FM.GND.02": False}
    posted = action_of(form, "FG.ORG.02").label.value
    assert "Nội quy ATVSLĐ được niêm yết" in posted  # the requirement
    assert "Biện pháp: Niêm yết nội quy ATVSLĐ" in posted  # the action required
    assert "Hạn: 11/06/2025" in posted
    assert f"Biên bản: {number} (12/05/2025)" in posted
    assert "audit-overdue" in posted and "Quá hạn" in posted
    signs = action_of(form, "FM.GND.02").label.value
    assert "Hạn: 10/08/2025" in signs and "Quá hạn" not in signs
    assert action_of(form, "FG.ORG.02").done.options == (
        ("Đã khắc phục", True),
        ("Chưa khắc phục", False),
    )
    assert "Kiểm tra lại" in form.visit_header.value
    form.lang_switch.value = "en"
    posted = action_of(form, "FG.ORG.02")
    assert posted.done.options == (("Done", True), ("Not done", False))
    assert "Overdue" in posted.label.value and "Post the OSH rules" in posted.label.value
    assert "Due: 2025-06-11" in posted.label.value


def test_marks_are_saved_at_once_and_finalizing_closes_the_done_ones(follow_up):
    store, form, _, _, _ = follow_up
    visit_id = form.session.visit["visit_id"]
    posted, signs = action_of(form, "FG.ORG.02"), action_of(form, "FM.GND.02")

    posted.done.value = True
    posted.note.value = "Đã niêm yết tại cửa xưởng"
    photo = png_bytes()
    posted.upload.value = (uploaded("noi-quy-moi.png", photo),)
    assert posted.upload.value == ()
    signs.done.value = False
    signs.note.value = "Chưa có biển ở tầng 3"

    checks = store.action_checks(visit_id).set_index("action_id")
    done = checks.loc[posted.action_id]
    assert (bool(done.done), done.note) == (True, "Đã niêm yết tại cửa xưởng")
    assert done.evidence_sha256 == hashlib.sha256(photo).hexdigest()
    assert store.evidence_bytes(done.evidence_sha256) == photo
    not_done = checks.loc[signs.action_id]
    assert (bool(not_done.done), not_done.note) == (False, "Chưa có biển ở tầng 3")
    assert "đã lưu" in posted.status.value and "đã có ảnh" in posted.status.value

    posted.note.value = "Đã niêm yết tại cửa xưởng và nhà ăn"  # the photo stays
    done = store.action_checks(visit_id).set_index("action_id").loc[posted.action_id]
    assert done.note == "Đã niêm yết tại cửa xưởng và nhà ăn"
    assert done.evidence_sha256 == hashlib.sha256(photo).hexdigest()
    assert set(store.actions().status) == {"open"}  # nothing closes before the record

    answer(form, "FG.ORG.01", "compliant")
    answer(form, "FM.GND.01", "compliant")
    form.finalize_button.click()
    number = form.session.visit["record_number"]
    assert f"Đã hoàn tất biên bản số {number}" in form.message.value
    assert number in form.visit_header.value

    actions = store.actions().set_index("action_id")
    closed = actions.loc[posted.action_id]
    assert closed.status == "closed"
    assert pd.Timestamp(closed.closed_on) == pd.Timestamp(FOLLOW_UP_DAY)
    assert closed.verified_in == visit_id
    assert closed.closing_note == "Đã niêm yết tại cửa xưởng và nhà ăn"
    assert actions.loc[signs.action_id].status == "open"
    mine = form.session.establishment["establishment_id"]
    assert list(store.open_actions(establishment_id=mine).item_id) == ["FM.GND.02"]

    shown = {v.item_id: v for v in form.follow_up.actions.values()}  # the record, read only
    assert shown["FG.ORG.02"].done.value is True and shown["FG.ORG.02"].done.disabled
    assert shown["FM.GND.02"].done.value is False
    assert "kết quả kiểm tra các biện pháp" in form.follow_up.widget.children[0].value


def test_an_action_of_another_establishment_cannot_be_checked(follow_up):
    store, form, _, _, farm_action = follow_up
    form.guard(lambda: form.session.check_action(farm_action, True, "đã làm"))()
    assert f"biện pháp khắc phục {farm_action} thuộc cơ sở khác" in form.message.value
    assert store.action_checks(form.session.visit["visit_id"]).empty


def test_a_note_or_photo_before_the_mark_is_refused_and_a_bad_photo_stores_nothing(follow_up):
    store, form, _, _, _ = follow_up
    visit_id = form.session.visit["visit_id"]
    posted = action_of(form, "FG.ORG.02")
    posted.note.value = "Đã niêm yết"
    assert "chọn «Đã khắc phục» hoặc «Chưa khắc phục» trước" in form.message.value
    assert store.action_checks(visit_id).empty
    posted.done.value = True  # the note on screen is saved with the mark
    assert store.action_checks(visit_id).note.tolist() == ["Đã niêm yết"]
    posted.upload.value = (uploaded("anh.jpg", b"MZ\x90\x00 a program"),)
    assert "anh.jpg: chỉ nhận ảnh" in form.message.value
    assert store.action_checks(visit_id).evidence_sha256.isna().all()
    assert posted.upload.value == ()


def test_other_visit_types_list_no_actions(world, checklists):
    store, mine, _ = world
    finalized(store, checklists, mine, date(2025, 5, 12), FIRST)
    form = test_form.open_mine(store, checklists)  # periodic, 12/05/2025 is final: no clash
    assert form.session.visit["type"] == "periodic"
    assert form.follow_up is None and form.session.follow_up.empty
