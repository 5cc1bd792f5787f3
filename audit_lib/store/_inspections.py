"""Writing a visit's sheets (one inspection per checklist): answers and evidence.

Usage (these are methods of :class:`audit_lib.store._store.Store`; a sheet's
``inspection_id`` comes from :meth:`~audit_lib.store._visits.VisitLog.create_visit`)::

    v = store.save_answers(iid, frame, by="a", expected_version=1)   # -> 2
    v = store.save_answer(iid, "GEN.ORG.01", "compliant", by="a", expected_version=v)
    store.add_evidence(iid, "GEN.EQP.02", "may-nen.jpg", data)      # -> sha256

Rules: every call is one transaction; a final sheet is never changed
(:class:`FinalizedError`; the database refuses it too), only superseded by a
revision of its visit, which needs a reason; each successful write adds 1 to
the sheet's ``version``, and a
caller who passes ``expected_version`` that is no longer current gets
:class:`ConflictError` carrying what it tried to save. Every text written (who,
names of inspectors, reasons, notes, file names) is checked first to fit its
column without control characters (:mod:`audit_lib.store._limits`), so SQLite
and PostgreSQL store or refuse it alike.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from audit_lib.core.errors import (
    ConflictError,
    FinalizedError,
    InputError,
    NotFoundError,
    Problem,
    Reason,
    raise_if_problems,
)
from audit_lib.store import _answers as answers
from audit_lib.store import _schema as schema
from audit_lib.store._evidence import evidence_name, evidence_problems, sniff
from audit_lib.store._limits import (
    MAX_EVIDENCE_BYTES,
    control_character,
    range_message,
    text_problems,
)

INSPECTION = "inspection"
"""What errors call the record they are about."""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _refuse_unstorable(where: str, texts: dict) -> None:
    """InputError naming each text of ``texts`` (field: value, column) its column cannot hold."""
    raise_if_problems(InputError, text_problems(where, None, texts))


def locked(conn: sa.Connection, key: sa.Column, value: str, what: str):
    """The row whose ``key`` is ``value``, locked for this transaction; NotFoundError naming
    ``what`` when there is none."""
    if control_character(str(value), 36):  # no such id; PostgreSQL refuses a NUL
        raise NotFoundError(what, str(value))
    row = conn.execute(sa.select(key.table).where(key == str(value)).with_for_update()).first()
    if row is None:
        raise NotFoundError(what, str(value))
    return row


class InspectionLog:
    """The inspection-writing half of :class:`audit_lib.store._store.Store`."""

    def _lock(self, conn: sa.Connection, inspection_id: str):
        """The inspection's row, locked for this transaction (NotFoundError if unknown)."""
        return locked(conn, schema.inspections.c.inspection_id, inspection_id, INSPECTION)

    def _check(self, row, expected_version: int | None, pending) -> None:
        if expected_version is not None and row.version != expected_version:
            found = row.version
            raise ConflictError(INSPECTION, row.inspection_id, expected_version, found, pending)
        if row.status == "final":
            raise FinalizedError(row.inspection_id)

    def _bump(self, conn: sa.Connection, row, by: str | None, **values) -> int:
        t = schema.inspections
        done = conn.execute(
            t.update()
            .where(t.c.inspection_pk == row.inspection_pk, t.c.version == row.version)
            .values(version=row.version + 1, updated_by=by, updated_at=_now(), **values)
        )
        if done.rowcount != 1:
            raise ConflictError(INSPECTION, row.inspection_id, row.version, row.version + 1)
        return row.version + 1

    def save_answer(
        self,
        inspection_id: str,
        item_id: str,
        answer=None,
        value=None,
        note=None,
        by: str | None = None,
        expected_version: int | None = None,
    ) -> int:
        """Save one answer; returns the inspection's new version."""
        row = {"item_id": item_id, "answer": answer, "value": value, "note": note}
        try:
            return self.save_answers(inspection_id, pd.DataFrame([row]), by, expected_version)
        except ConflictError as exc:
            exc.pending = row
            raise

    def save_answers(
        self,
        inspection_id: str,
        responses: pd.DataFrame,
        by: str | None = None,
        expected_version: int | None = None,
    ) -> int:
        """Save many answers (``item_id, answer, value, note``) at once; returns the new version."""
        clean = answers.check(responses, f"inspection {inspection_id}")
        _refuse_unstorable(
            f"inspection {inspection_id}", {"by": (by, schema.responses.c.answered_by)}
        )
        with self.transaction() as conn:
            row = self._lock(conn, inspection_id)
            self._check(row, expected_version, responses)
            answers.write(conn, row.inspection_pk, clean, by, _now())
            return self._bump(conn, row, by)

    def add_evidence(
        self, inspection_id: str, item_id: str, filename: str, data: bytes, by: str | None = None
    ) -> str:
        """Keep a file for an item of a draft inspection, stored once by content; returns sha256.

        Only a photo or a PDF is kept, decided by its content
        (:func:`~audit_lib.store._evidence.evidence_problems`; anything else is an
        :class:`InputError`); it is stored with the media type found, under
        ``filename`` with an extension that matches it.
        """
        where = f"inspection {inspection_id}"
        data, name, kind = self._checked_evidence(where, item_id, filename, data, by)
        ev = schema.evidence
        with self.transaction() as conn:
            row = self._lock(conn, inspection_id)
            self._check(row, None, None)
            sha = self.evidence_files.put(data)
            exists = conn.execute(
                sa.select(ev.c.evidence_id).where(
                    ev.c.inspection_id == row.inspection_id,
                    ev.c.item_id == item_id,
                    ev.c.sha256 == sha,
                )
            ).first()
            if exists is None:
                conn.execute(
                    ev.insert().values(
                        inspection_id=row.inspection_id,
                        item_id=item_id,
                        sha256=sha,
                        filename=name,
                        media_type=kind,
                        size=len(data),
                        added_by=by,
                        added_at=_now(),
                    )
                )
        return sha

    def _checked_evidence(self, where: str, item: str, filename: str, data, by):
        """``(data, stored name, media type)`` of a photo or PDF fit to keep, else InputError."""
        data = bytes(data)
        raise_if_problems(InputError, evidence_problems(filename, data, None, where, item))
        kind = sniff(data)
        ev, name = schema.evidence, evidence_name(filename, kind)
        texts = {"filename": (name, ev.c.filename), "item_id": (item, ev.c.item_id)}
        problems = text_problems(where, None, {**texts, "by": (by, ev.c.added_by)})
        if len(data) > MAX_EVIDENCE_BYTES:
            message = range_message(1, MAX_EVIDENCE_BYTES)
            problems.append(Problem(where, None, "size", message, Reason.VALUE, len(data)))
        raise_if_problems(InputError, problems)
        return data, name, kind

    def _keep_evidence_file(self, where: str, item: str, filename: str, data, by=None) -> str:
        """Check and keep a file by content (not attached to any item); its sha256."""
        data, _, _ = self._checked_evidence(where, item, filename, data, by)
        return self.evidence_files.put(data)

    def evidence_bytes(self, sha256: str) -> bytes:
        """The content of an evidence file."""
        return self.evidence_files.get(sha256)
