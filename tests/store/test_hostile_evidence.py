"""Evidence trusted by its name: the store decides what a file is from its content.

The attack: an SVG with a script, or a web page, renamed ``photo.jpg`` was kept
with the type its name claimed. Now ``Store.add_evidence`` itself (not only the
form) keeps only photos (JPEG, PNG, HEIC/HEIF, WebP) and PDF, recognised by
their signatures, with the media type found and a name whose extension matches
it; anything else is refused in both languages, naming the file and what its
content is, and nothing is written.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from audit_lib.core.errors import InputError, Reason
from audit_lib.store import evidence_problems, sniff
from tests.factories import sheet as _draft
from tests.store.test_store import _dump


def image(fmt: str) -> bytes:
    """A real 4×4 image in ``fmt`` (JPEG, PNG, WEBP), as a phone or a scanner writes it."""
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, fmt)
    return out.getvalue()


# an iPhone photo starts with an ISO media "ftyp" box of brand heic (no encoder here)
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00\x00\x00\x08meta"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/api/contents').then(r => r.text()).then(alert)</script></svg>"
)
HTML = b"<!DOCTYPE html>\n<html><body><script>document.location='http://x'</script></body></html>"
JPEG_HEADER_CUT = b"\xff\xd8\xff\xe0\x00\x10JFIF"  # the first segment says 16 bytes, 8 are here

KEPT = {
    "a JPEG": ("anh-may-nen.jpg", image("JPEG"), "image/jpeg", "anh-may-nen.jpg"),
    "a PNG": ("noi-quy.PNG", image("PNG"), "image/png", "noi-quy.PNG"),
    "a WebP": ("anh.webp", image("WEBP"), "image/webp", "anh.webp"),
    "a HEIC photo": ("IMG_0412.HEIC", HEIC, "image/heic", "IMG_0412.HEIC"),
    "a PDF": ("bien-ban.pdf", PDF, "application/pdf", "bien-ban.pdf"),
    "a PNG named .svg": ("so-do.svg", image("PNG"), "image/png", "so-do.png"),
    "a PDF named .jpg": ("scan.jpg", PDF, "application/pdf", "scan.pdf"),
    "a JPEG without extension": ("anh", image("JPEG"), "image/jpeg", "anh.jpg"),
}

REFUSED = {
    "an SVG with a script renamed .jpg": ("photo.jpg", SVG, "svg", "an SVG drawing"),
    "an SVG named .svg": ("so-do.svg", SVG, "svg", "an SVG drawing"),
    "an HTML page renamed .png": ("anh.png", HTML, "html", "an HTML web page"),
    "an empty file": ("anh.jpg", b"", None, "the file is empty"),
    "a truncated JPEG header": ("anh.jpg", JPEG_HEADER_CUT, "truncated JPEG", "cut short"),
    "a bare JPEG start": ("anh.jpg", b"\xff\xd8", "truncated JPEG", "cut short"),
    "a GIF": ("anh.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "gif", "a GIF image"),
    "a program renamed .pdf": (
        "bien-ban.pdf",
        b"MZ\x90\x00\x03\x00",
        "program",
        "a computer program",
    ),
}


@pytest.mark.parametrize("name, data, media, stored_as", KEPT.values(), ids=KEPT)
def test_evidence_is_kept_with_the_type_its_content_has_not_its_name(
    store, name, data, media, stored_as
):
    iid = _draft(store)
    sha = store.add_evidence(iid, "A.1", name, data, by="minh")
    [row] = store.evidence(iid).to_dict("records")
    assert (row["filename"], row["media_type"], row["size"]) == (stored_as, media, len(data))
    assert store.evidence_bytes(sha) == data


@pytest.mark.parametrize("name, data, code, said", REFUSED.values(), ids=REFUSED)
def test_hostile_evidence_is_refused_by_the_store_and_nothing_is_written(
    store, name, data, code, said
):
    iid = _draft(store)
    before = _dump(store)
    with pytest.raises(InputError) as raised:
        store.add_evidence(iid, "A.1", name, data, by="minh")
    [problem] = raised.value.problems
    assert (problem.file, problem.location, problem.field) == (name, f"inspection {iid}", "A.1")
    assert problem.value == code
    assert said in problem.message
    if data:
        assert problem.reason == Reason.TYPE
        assert "only images (JPEG, PNG, HEIC/HEIF, WebP) or PDF" in problem.message
        assert "chỉ nhận ảnh (JPEG, PNG, HEIC/HEIF, WebP) hoặc PDF" in problem.message
    assert name in str(raised.value)
    assert _dump(store) == before
    assert not [p for p in store.evidence_files.root.rglob("*") if p.is_file()]


def test_what_refused_content_is_is_said_in_the_inspectors_language():
    [problem] = evidence_problems("photo.jpg", SVG, "vi")
    assert problem.message == (
        "chỉ nhận ảnh (JPEG, PNG, HEIC/HEIF, WebP) hoặc PDF, dù tên tệp là gì; "
        "nội dung tệp này là ảnh vẽ SVG (có thể chứa mã chạy được)"
    )
    [problem] = evidence_problems("anh.png", HTML, "en")
    assert problem.message.endswith("this file's content is an HTML web page")


def test_markup_is_never_a_photo_whatever_it_starts_with():
    for data in (SVG, HTML, b"\xef\xbb\xbf<svg onload='alert(1)'/>", b"  <html><script>"):
        assert sniff(data) is None
    assert sniff(HEIC) == "image/heic"
    assert sniff(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf") is None
    assert sniff(b"RIFF\x24\x00\x00\x00WAVEfmt ") is None
