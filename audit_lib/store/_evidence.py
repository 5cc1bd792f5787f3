"""Evidence files (photos, scanned records) kept by content hash.

Usage::

    from audit_lib.store._evidence import EvidenceFiles
    files = EvidenceFiles("data/evidence")
    sha = files.put(b"...jpeg bytes...")     # 'e3b0c4...'; the same bytes again store nothing new
    files.path(sha)                          # data/evidence/e3/e3b0c4...
    files.get(sha)                           # the bytes back

A file lives at ``<dir>/<sha[:2]>/<sha>``. It is written under a temporary
name in the same folder, flushed to disk, then renamed, so a reader never sees
a half-written file and two writers of the same bytes cannot spoil each other.
The database row that refers to a file (``evidence`` table) is written by the
store after the file exists.

Where files go: ``$AUDIT_EVIDENCE_DIR`` if set; otherwise an ``evidence``
folder next to the SQLite file; otherwise (PostgreSQL) ``data/evidence``
under the project root.

What is kept is decided by content, never by name::

    sniff(data)                                  # 'image/png', or None
    evidence_problems("anh.jpg", data, "vi")      # why it is refused ([] when kept)
    evidence_name("anh.jpg", "image/png")          # 'anh.png'

Only what an inspector needs is accepted (:data:`EVIDENCE_TYPES`): photos
(JPEG, PNG, HEIC/HEIF, WebP) and PDF, each recognised by its signature and a
complete first header. SVG and HTML never are, whatever the file is called:
both can carry scripts. The stored media type is the one found; the stored
name keeps the user's name with an extension that matches the content (a PNG
sent as ``photo.svg`` is kept as ``photo.png``, ``image/png``).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path, PurePosixPath

import sqlalchemy as sa

from audit_lib.core.errors import Problem, Reason
from audit_lib.core.i18n import both, tr

EVIDENCE_TYPES = {
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/png": (".png",),
    "image/heic": (".heic", ".heif"),
    "image/heif": (".heif", ".heic"),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
}
"""The media types kept as evidence, with the extensions a name may have for each (the
first is given to a name without one of them)."""

_HEIF_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"msf1": "image/heif",
}

MESSAGES = {
    "empty": {"vi": "tệp rỗng", "en": "the file is empty"},
    "bad_type": {
        "vi": "chỉ nhận ảnh (JPEG, PNG, HEIC/HEIF, WebP) hoặc PDF, dù tên tệp là gì; "
        "nội dung tệp này là {what}",
        "en": "only images (JPEG, PNG, HEIC/HEIF, WebP) or PDF are accepted, whatever the "
        "file's name; this file's content is {what}",
    },
    # what refused content was found to be
    "svg": {
        "vi": "ảnh vẽ SVG (có thể chứa mã chạy được)",
        "en": "an SVG drawing (it can run code)",
    },
    "html": {"vi": "một trang web HTML", "en": "an HTML web page"},
    "xml": {"vi": "một tài liệu XML", "en": "an XML document"},
    "truncated": {
        "vi": "phần đầu của một tệp {kind} bị cắt cụt",
        "en": "the start of a {kind} file, cut short",
    },
    "gif": {"vi": "ảnh GIF", "en": "a GIF image"},
    "bmp": {"vi": "ảnh BMP", "en": "a BMP image"},
    "tiff": {"vi": "ảnh TIFF", "en": "a TIFF image"},
    "iso_media": {
        "vi": "video hoặc tệp đa phương tiện loại {brand!r}",
        "en": "a video or other media file of brand {brand!r}",
    },
    "riff": {"vi": "tệp âm thanh hoặc video (RIFF)", "en": "an audio or video file (RIFF)"},
    "zip": {
        "vi": "tệp nén ZIP (hoặc tài liệu Word, Excel)",
        "en": "a ZIP archive (or a Word or Excel document)",
    },
    "program": {"vi": "một chương trình máy tính", "en": "a computer program"},
    "script": {"vi": "một đoạn mã lệnh", "en": "a script"},
    "text": {"vi": "văn bản thuần", "en": "plain text"},
    "unknown": {
        "vi": "không nhận ra (bắt đầu bằng {start})",
        "en": "not recognised (it starts with {start})",
    },
}


class EvidenceFiles:
    """A content-addressed folder of evidence files."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        """Store ``data`` (once) and return its sha256 hex digest."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if target.exists():
            return sha
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{sha[:8]}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()


def sniff(data: bytes) -> str | None:
    """The media type of :data:`EVIDENCE_TYPES` that ``data``'s content is, or None.

    ``sniff(b"%PDF-1.7 ...")`` is ``"application/pdf"``; an SVG or a web page is
    None, whatever its first bytes pretend.
    """
    head = bytes(data[:32])
    if head.startswith(b"\xff\xd8\xff") and _jpeg_segment_complete(data):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR") and len(data) >= 33:
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and head[12:16] in (b"VP8 ", b"VP8L", b"VP8X"):
        return "image/webp"
    if head[4:8] == b"ftyp" and 16 <= int.from_bytes(head[:4], "big") <= len(data):
        return _HEIF_BRANDS.get(head[8:12])
    if re.match(rb"%PDF-[12]\.\d", head):
        return "application/pdf"
    return None


def _jpeg_segment_complete(data: bytes) -> bool:
    """Whether the segment after a JPEG's start marker is a real one, and all there."""
    if len(data) < 6 or not 0xC0 <= data[3] <= 0xFE or 0xD0 <= data[3] <= 0xD9:
        return False
    length = int.from_bytes(data[4:6], "big")
    return length >= 2 and len(data) >= 4 + length


_SIGNATURES = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"%PDF-": "PDF",
}


def _what(head: bytes) -> tuple[str, dict]:
    """What refused content is: a code (``"svg"``, ``"truncated JPEG"``) and its words' fields."""
    for signature, kind in _SIGNATURES.items():
        if head.startswith(signature) or (len(head) >= 2 and signature.startswith(head)):
            return f"truncated {kind}", {"kind": kind}
    if head[:4] == b"RIFF":
        return ("truncated WebP", {"kind": "WebP"}) if head[8:12] == b"WEBP" else ("riff", {})
    if head[4:8] == b"ftyp":
        brand = head[8:12].decode("latin-1")
        if head[8:12] in _HEIF_BRANDS:
            return "truncated HEIF", {"kind": "HEIF"}
        return "iso_media", {"brand": brand}
    text = _text(head)
    if text is not None:
        markup = text.lstrip().lower()
        if "<svg" in markup:
            return "svg", {}
        if markup.startswith(("<!doctype html", "<html")) or any(
            tag in markup for tag in ("<script", "<body", "<head", "<iframe", "<html")
        ):
            return "html", {}
        if markup.startswith("<?xml"):
            return "xml", {}
        if markup.startswith("#!"):
            return "script", {}
    for signatures, code in (
        ((b"GIF87a", b"GIF89a"), "gif"),
        ((b"BM",), "bmp"),
        ((b"II*\x00", b"MM\x00*"), "tiff"),
        ((b"PK\x03\x04",), "zip"),
        ((b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe"), "program"),
    ):
        if head.startswith(signatures):
            return code, {}
    if text is not None:
        return "text", {}
    return "unknown", {"start": head[:8].hex(" ").upper()}


_ENCODINGS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _text(head: bytes) -> str | None:
    """``head`` as text when it reads as UTF-8 (or UTF-16 with its mark) without control
    characters, else None."""
    bom, encoding = next(((b, e) for b, e in _ENCODINGS if head.startswith(b)), (b"", "utf-8"))
    body = head[len(bom) :]
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as error:  # only a character cut at the end is forgiven
        if error.start < len(body) - 3:
            return None
        text = body[: error.start].decode(encoding)
    if text and not any((c < " " and c not in "\t\r\n\f") or c == "\x7f" for c in text):
        return text
    return None


def evidence_problems(
    filename: str, data: bytes, lang: str | None = None, location=None, field: str = "file"
) -> list[Problem]:
    """Why ``data`` cannot be kept as evidence: empty, or not a type of :data:`EVIDENCE_TYPES`.

    An empty list when it can. Each problem names ``filename`` and what the
    content was found to be; messages in ``lang``, or both languages when None.
    """
    if not data:
        message = both(MESSAGES, "empty") if lang is None else tr(MESSAGES, "empty", lang)
        return [Problem(filename, location, field, message, Reason.MISSING)]
    if sniff(data) is not None:
        return []
    code, fmt = _what(bytes(data[:1024]))
    key = "truncated" if code.startswith("truncated") else code

    def say(lang: str) -> str:
        return tr(MESSAGES, "bad_type", lang, what=tr(MESSAGES, key, lang, **fmt))

    message = f"{say('en')} ({say('vi')})" if lang is None else say(lang)
    return [Problem(filename, location, field, message, Reason.TYPE, code)]


def evidence_name(filename: str, media_type: str) -> str:
    """``filename`` without folders, with an extension that matches ``media_type``.

    ``evidence_name("anh.jpg", "image/png")`` is ``"anh.png"``; a name whose
    extension already matches (``"ANH.JPEG"`` for a JPEG) is kept as it is.
    """
    name = PurePosixPath(str(filename).replace("\\", "/")).name.strip()
    extensions = EVIDENCE_TYPES[media_type]
    path = PurePosixPath(name or "evidence")
    if path.suffix.lower() in extensions:
        return path.name
    stem = path.stem if path.suffix else path.name
    return f"{stem}{extensions[0]}"


def default_evidence_dir(url: sa.URL, project_root: Path) -> Path:
    """Where the evidence of the database at ``url`` lives (see the module docstring)."""
    if os.environ.get("AUDIT_EVIDENCE_DIR"):
        return Path(os.environ["AUDIT_EVIDENCE_DIR"])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).resolve().parent / "evidence"
    return project_root / "data" / "evidence"
