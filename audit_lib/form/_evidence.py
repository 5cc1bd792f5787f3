"""Evidence files an inspector attaches to an answer: photos and PDF, at most 10 MB.

Usage::

    from audit_lib.form._evidence import check_evidence
    problems = check_evidence("anh-may-nen.jpg", data, lang="vi")
    if not problems:
        store.add_evidence(inspection_id, "GEN.EQP.02", "anh-may-nen.jpg", data)

What a file is, is read from its content by the store
(:func:`audit_lib.store.evidence_problems`, which ``add_evidence`` applies too), never
from its name: an SVG or a web page renamed ``.jpg`` is refused, a renamed
program too. The form adds the size limit of an upload, :data:`MAX_BYTES`.
"""

from __future__ import annotations

from audit_lib.core.errors import Problem, Reason
from audit_lib.core.i18n import tr
from audit_lib.store import EVIDENCE_TYPES, evidence_problems

MAX_BYTES = 10 * 1024 * 1024
"""Largest evidence file accepted: 10 MB (a phone photo is 2–6 MB)."""

ACCEPT = ",".join([*EVIDENCE_TYPES, *dict.fromkeys(e for x in EVIDENCE_TYPES.values() for e in x)])
"""What the browser's file picker offers (the server checks the content again)."""

MESSAGES = {
    "too_big": {
        "vi": "tệp quá lớn ({size:.1f} MB), tối đa {limit} MB",
        "en": "file too large ({size:.1f} MB), at most {limit} MB",
    },
}


def check_evidence(filename: str, data: bytes, lang: str = "vi") -> list[Problem]:
    """Every reason ``data`` cannot be kept as evidence (empty list when it can)."""
    problems = evidence_problems(filename, data, lang)
    if len(data) > MAX_BYTES:
        size, limit = len(data) / 1024 / 1024, MAX_BYTES // 2**20
        message = tr(MESSAGES, "too_big", lang, size=size, limit=limit)
        problems.append(Problem(filename, None, "file", message, Reason.VALUE))
    return problems
