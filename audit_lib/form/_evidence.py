"""Evidence files an inspector attaches to an answer: photos and PDF, checked by content.

Usage::

    from audit_lib.form._evidence import check_evidence
    problems = check_evidence("anh-may-nen.jpg", data, lang="vi")
    if not problems:
        store.add_evidence(inspection_id, "GEN.EQP.02", "anh-may-nen.jpg", data)

The type is read from the file's first bytes (its "magic number"), never only from
its name, so a renamed executable is refused; the size is limited to
:data:`MAX_BYTES`.
"""

from __future__ import annotations

from audit_lib.core.errors import Problem, Reason
from audit_lib.core.i18n import tr

MAX_BYTES = 10 * 1024 * 1024
"""Largest evidence file accepted: 10 MB (a phone photo is 2–6 MB)."""

ACCEPT = "image/jpeg,image/png,image/gif,image/webp,image/heic,application/pdf,.heic,.pdf"
"""What the browser's file picker offers (the server checks the content again)."""

MESSAGES = {
    "too_big": {
        "vi": "tệp quá lớn ({size:.1f} MB), tối đa {limit} MB",
        "en": "file too large ({size:.1f} MB), at most {limit} MB",
    },
    "empty": {"vi": "tệp rỗng", "en": "the file is empty"},
    "bad_type": {
        "vi": "chỉ nhận ảnh (JPEG, PNG, GIF, WebP, HEIC) hoặc PDF; nội dung tệp không phải loại đó",
        "en": "only images (JPEG, PNG, GIF, WebP, HEIC) or PDF are accepted; "
        "the file's content is none of those",
    },
}


def sniff(data: bytes) -> str | None:
    """The media type found in the first bytes of ``data``, or None.

    ``sniff(b"%PDF-1.7 ...")`` is ``"application/pdf"``.
    """
    head = bytes(data[:16])
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def check_evidence(filename: str, data: bytes, lang: str = "vi") -> list[Problem]:
    """Every reason ``data`` cannot be kept as evidence (empty list when it can)."""
    problems = []

    def refuse(key: str, reason: Reason, **fmt) -> None:
        problems.append(Problem(filename, None, "file", tr(MESSAGES, key, lang, **fmt), reason))

    if not data:
        refuse("empty", Reason.MISSING)
        return problems
    if len(data) > MAX_BYTES:
        refuse("too_big", Reason.VALUE, size=len(data) / 1024 / 1024, limit=MAX_BYTES // 2**20)
    if sniff(data) is None:
        refuse("bad_type", Reason.TYPE)
    return problems
