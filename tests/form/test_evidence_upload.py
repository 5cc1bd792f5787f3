"""Evidence trusted by its name, at the form: what the inspector uploads is judged by content.

The form uses the store's check (one implementation) and adds the 10 MB upload
limit; a refused file is named on the page with what its content is, and the
whole selection is refused. A real PNG named ``.svg`` is kept, as the PNG it is
(``image/png``, listed as ``….png``): the content decides, both ways.
"""

from __future__ import annotations

import pytest

from audit_lib.form._evidence import ACCEPT, MAX_BYTES, check_evidence
from audit_lib.store import evidence_problems
from tests.form import test_form
from tests.form.test_form import answer, open_mine, uploaded
from tests.store.test_hostile_evidence import HTML, JPEG_HEADER_CUT, PDF, SVG, image

checklists, world = test_form.checklists, test_form.world  # its fixtures


def upload(world, checklists, *files):
    """Open the mine's inspection, mark FG.ORG.02 non-compliant and upload ``files``."""
    store, *_ = world
    form = open_mine(store, checklists)
    item = answer(form, "FG.ORG.02", "noncompliant")
    item.more.value = True
    item.upload.value = tuple(uploaded(name, data) for name, data in files)
    return form, item, store.evidence(form.sheet_views[0].sheet.inspection_id)


@pytest.mark.parametrize(
    "name, data, said",
    [
        ("photo.jpg", SVG, "photo.jpg: chỉ nhận ảnh (JPEG, PNG, HEIC/HEIF, WebP) hoặc PDF"),
        ("photo.jpg", SVG, "nội dung tệp này là ảnh vẽ SVG"),
        ("anh.png", HTML, "anh.png: chỉ nhận ảnh"),
        ("anh.png", HTML, "một trang web HTML"),
        ("anh.jpg", b"", "anh.jpg: tệp rỗng"),
        ("anh.jpg", JPEG_HEADER_CUT, "phần đầu của một tệp JPEG bị cắt cụt"),
    ],
    ids=["svg renamed jpg", "svg said", "html renamed png", "html said", "empty", "truncated"],
)
def test_a_hostile_upload_is_named_on_the_page_and_nothing_is_stored(
    world, checklists, name, data, said
):
    form, item, stored = upload(world, checklists, ("noi-quy.pdf", PDF), (name, data))
    assert said in form.message.value
    assert "noi-quy.pdf" not in form.message.value
    assert stored.empty
    assert item.upload.value == ()


def test_a_real_png_named_svg_is_kept_as_the_png_it_is(world, checklists):
    form, item, stored = upload(world, checklists, ("so-do.svg", image("PNG")))
    assert stored[["filename", "media_type"]].values.tolist() == [["so-do.png", "image/png"]]
    assert "so-do.png" in item.attached.value and "so-do.svg" not in item.attached.value
    assert "Đã lưu 1 tệp" in form.message.value


def test_the_form_checks_with_the_stores_rule_and_adds_only_the_size_limit():
    for name, data in [("photo.jpg", SVG), ("anh.png", HTML), ("x.jpg", b""), ("a.pdf", PDF)]:
        assert check_evidence(name, data, "en") == evidence_problems(name, data, "en")
    too_big = b"%PDF-1.7\n" + bytes(MAX_BYTES)
    [problem] = check_evidence("bien-ban.pdf", too_big, "en")
    assert problem.message == "file too large (10.0 MB), at most 10 MB"
    assert "svg" not in ACCEPT and "gif" not in ACCEPT and "image/heic" in ACCEPT
