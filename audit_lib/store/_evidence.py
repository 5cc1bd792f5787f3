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
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from pathlib import Path

import sqlalchemy as sa


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


def media_type(filename: str) -> str:
    """The MIME type guessed from a file name (``application/octet-stream`` when unknown)."""
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


def default_evidence_dir(url: sa.URL, project_root: Path) -> Path:
    """Where the evidence of the database at ``url`` lives (see the module docstring)."""
    if os.environ.get("AUDIT_EVIDENCE_DIR"):
        return Path(os.environ["AUDIT_EVIDENCE_DIR"])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).resolve().parent / "evidence"
    return project_root / "data" / "evidence"
