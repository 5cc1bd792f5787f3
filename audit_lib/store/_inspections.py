"""Writing inspections: drafts, answers, finalizing, revisions, evidence and corrective actions.

Usage (these are methods of :class:`audit_lib.store._store.Store`)::

    iid = store.create_inspection(eid, checklist, "2025-05-12", "periodic", ["Lò Văn A"], by="a")
    v = store.save_answers(iid, frame, by="a", expected_version=1)   # -> 2
    store.add_evidence(iid, "GEN.EQP.02", "may-nen.jpg", data)      # -> sha256
    store.finalize(iid, by="a", findings=scored.findings, expected_version=v)
    new = store.revise(iid, reason="sai ngày kiểm tra", by="b")     # draft revision 2

Rules: every call is one transaction; a final inspection is never changed
(:class:`FinalizedError`), only superseded by :meth:`revise`, which needs a
reason; each successful write adds 1 to the inspection's ``version``, and a
caller who passes ``expected_version`` that is no longer current gets
:class:`ConflictError` carrying what it tried to save. Every text written (who,
names of inspectors, reasons, notes, file names) is checked first to fit its
column without control characters (:mod:`audit_lib.store._limits`), so SQLite
and PostgreSQL store or refuse it alike.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
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
    StoreError,
    raise_if_problems,
)
from audit_lib.core.i18n import both
from audit_lib.core.text import latest_day, parse_date
from audit_lib.core.vocabulary import VISIT_TYPES
from audit_lib.store import _answers as answers
from audit_lib.store import _schema as schema
from audit_lib.store._evidence import evidence_name, evidence_problems, sniff
from audit_lib.store._limits import (
    MAX_EVIDENCE_BYTES,
    control_character,
    range_message,
    text_problems,
)

MESSAGES = {
    "bad_type": {
        "vi": "loại kiểm tra {value!r} không hợp lệ; dùng: {choices}",
        "en": "invalid inspection type {value!r}; use one of: {choices}",
    },
    "no_reason": {"vi": "cần ghi lý do sửa đổi", "en": "a reason for the revision is required"},
    "no_checklist": {"vi": "thiếu {field} của bảng kiểm", "en": "checklist {field} is missing"},
    "bad_date": {"vi": "ngày {value!r} không hợp lệ", "en": "invalid date {value!r}"},
    "future_date": {
        "vi": "ngày kiểm tra {day:%d/%m/%Y} ở tương lai (muộn nhất là {latest:%d/%m/%Y}): "
        "chỉ ghi cuộc kiểm tra đã diễn ra",
        "en": "inspection date {day:%Y-%m-%d} is in the future (at the latest "
        "{latest:%Y-%m-%d}): record only a visit that has taken place",
    },
    "draft_revise": {
        "vi": "biên bản {id} còn là bản nháp: sửa trực tiếp, không cần lập bản sửa đổi",
        "en": "inspection {id} is still a draft: edit it directly instead of revising",
    },
}


INSPECTION = "inspection"
"""What errors call the record they are about."""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _refuse_unstorable(where: str, texts: dict) -> None:
    """InputError naming each text of ``texts`` (field: value, column) its column cannot hold."""
    raise_if_problems(InputError, text_problems(where, None, texts))


def _checklist_keys(checklist) -> dict:
    get = checklist.get if isinstance(checklist, Mapping) else lambda k: getattr(checklist, k, None)
    return {
        "checklist_id": get("id"),
        "checklist_version": get("version"),
        "checklist_fingerprint": get("fingerprint"),
    }


class InspectionLog:
    """The inspection-writing half of :class:`audit_lib.store._store.Store`."""

    def _lock(self, conn: sa.Connection, inspection_id: str):
        """The inspection's row, locked for this transaction (NotFoundError if unknown)."""
        t = schema.inspections
        if control_character(str(inspection_id), 36):  # no such id; PostgreSQL refuses a NUL
            raise NotFoundError(INSPECTION, str(inspection_id))
        row = conn.execute(
            sa.select(t).where(t.c.inspection_id == str(inspection_id)).with_for_update()
        ).first()
        if row is None:
            raise NotFoundError(INSPECTION, str(inspection_id))
        return row

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

    def create_inspection(
        self,
        establishment_id: int,
        checklist,
        inspected_on,
        type: str,
        inspectors,
        by: str | None = None,
    ) -> str:
        """A new draft inspection (revision 1, version 1); returns its uuid."""
        keys = _checklist_keys(checklist)
        where = f"establishment {establishment_id}"
        problems = [
            Problem(
                where,
                None,
                f"checklist_{k.split('_')[-1]}",
                both(MESSAGES, "no_checklist", field=k.split("_")[-1]),
                Reason.MISSING,
            )
            for k, v in keys.items()
            if not v
        ]
        if type not in VISIT_TYPES:
            problems.append(
                Problem(
                    where,
                    None,
                    "type",
                    both(MESSAGES, "bad_type", value=type, choices=", ".join(VISIT_TYPES)),
                    Reason.VALUE,
                    type,
                )
            )
        try:
            day = parse_date(inspected_on)
        except ValueError:
            day = None
        if day is None:
            problems.append(
                Problem(
                    where,
                    None,
                    "inspected_on",
                    both(MESSAGES, "bad_date", value=inspected_on),
                    Reason.VALUE,
                    inspected_on,
                )
            )
        elif day > latest_day():
            problems.append(
                Problem(
                    where,
                    None,
                    "inspected_on",
                    both(MESSAGES, "future_date", day=day, latest=latest_day()),
                    Reason.VALUE,
                    inspected_on,
                )
            )
        names = inspectors if isinstance(inspectors, str) else "; ".join(map(str, inspectors))
        t = schema.inspections
        texts = {k: (v, t.c[k]) for k, v in keys.items()}
        texts.update(inspectors=(names, t.c.inspectors), by=(by, t.c.created_by))
        problems += text_problems(where, None, texts)
        raise_if_problems(InputError, problems)
        new_id, now = str(uuid.uuid4()), _now()
        with self.transaction() as conn:
            e = schema.establishments
            found = conn.execute(
                sa.select(e.c.establishment_id).where(e.c.establishment_id == int(establishment_id))
            ).first()
            if found is None:
                raise NotFoundError("establishment", establishment_id)
            conn.execute(
                schema.inspections.insert().values(
                    inspection_id=new_id,
                    chain_id=new_id,
                    establishment_id=int(establishment_id),
                    inspected_on=day,
                    type=type,
                    status="draft",
                    revision=1,
                    inspectors=names,
                    version=1,
                    created_by=by,
                    created_at=now,
                    updated_by=by,
                    updated_at=now,
                    **keys,
                )
            )
        return new_id

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

    def finalize(
        self,
        inspection_id: str,
        by: str | None = None,
        findings=None,
        expected_version: int | None = None,
    ) -> int:
        """Make the draft final, recording ``findings`` (scoring's frame) and their actions."""
        _refuse_unstorable(f"inspection {inspection_id}", {"by": (by, schema.actions.c.updated_by)})
        with self.transaction() as conn:
            row = self._lock(conn, inspection_id)
            self._check(row, expected_version, findings)
            rows = _finding_rows(findings, row.inspection_id)
            if rows:
                conn.execute(schema.findings.insert(), rows)
                action_cols = (
                    "inspection_id",
                    "item_id",
                    "severity",
                    "action_vi",
                    "action_en",
                    "due_on",
                )
                conn.execute(
                    schema.actions.insert(),
                    [
                        {
                            **{k: r.get(k) for k in action_cols},
                            "status": "open",
                            "updated_by": by,
                            "updated_at": _now(),
                        }
                        for r in rows
                    ],
                )
            version = self._bump(conn, row, by, status="final")
            answers.pack(conn, [row.inspection_pk])
            return version

    def revise(self, inspection_id: str, reason: str, by: str | None = None) -> str:
        """Start revision n+1 of a final inspection: a draft with its answers; returns its uuid."""
        if not str(reason or "").strip():
            raise InputError(
                [
                    Problem(
                        f"inspection {inspection_id}",
                        None,
                        "reason",
                        both(MESSAGES, "no_reason"),
                        Reason.MISSING,
                    )
                ]
            )
        t = schema.inspections
        texts = {"reason": (str(reason).strip(), t.c.reason), "by": (by, t.c.created_by)}
        _refuse_unstorable(f"inspection {inspection_id}", texts)
        new_id, now = str(uuid.uuid4()), _now()
        with self.transaction() as conn:
            row = self._lock(conn, inspection_id)
            if row.status != "final":
                raise StoreError(both(MESSAGES, "draft_revise", id=row.inspection_id))
            latest = conn.execute(
                sa.select(sa.func.max(t.c.revision)).where(t.c.chain_id == row.chain_id)
            ).scalar_one()
            if latest != row.revision:
                raise ConflictError(INSPECTION, row.inspection_id, row.revision, latest, reason)
            copied = {
                c.name: getattr(row, c.name)
                for c in t.c
                if c.name
                not in (
                    "inspection_pk",
                    "inspection_id",
                    "status",
                    "answers_packed",
                    "revision",
                    "supersedes",
                    "reason",
                    "version",
                    "created_by",
                    "created_at",
                    "updated_by",
                    "updated_at",
                )
            }
            new_pk = conn.execute(
                t.insert()
                .values(
                    **copied,
                    inspection_id=new_id,
                    status="draft",
                    revision=row.revision + 1,
                    supersedes=row.inspection_id,
                    reason=str(reason).strip(),
                    version=1,
                    created_by=by,
                    created_at=now,
                    updated_by=by,
                    updated_at=now,
                )
                .returning(t.c.inspection_pk)
            ).scalar_one()
            r = schema.responses
            cols = ["item_pk", "answer", "value", "note", "answered_by", "answered_at"]
            conn.execute(
                r.insert().from_select(
                    ["inspection_pk", *cols],
                    sa.select(sa.literal(new_pk, sa.Integer), *(r.c[c] for c in cols)).where(
                        r.c.inspection_pk == row.inspection_pk
                    ),
                )
            )
            ev = schema.evidence
            cols = ["item_id", "sha256", "filename", "media_type", "size", "added_by", "added_at"]
            conn.execute(
                ev.insert().from_select(
                    ["inspection_id", *cols],
                    sa.select(sa.literal(new_id, sa.String), *(ev.c[c] for c in cols)).where(
                        ev.c.inspection_id == row.inspection_id
                    ),
                )
            )
        return new_id

    def add_evidence(
        self, inspection_id: str, item_id: str, filename: str, data: bytes, by: str | None = None
    ) -> str:
        """Keep a file for an item of a draft inspection, stored once by content; returns sha256.

        Only a photo or a PDF is kept, decided by its content
        (:func:`~audit_lib.store._evidence.evidence_problems`; anything else is an
        :class:`InputError`); it is stored with the media type found, under
        ``filename`` with an extension that matches it.
        """
        data = bytes(data)
        where = f"inspection {inspection_id}"
        raise_if_problems(InputError, evidence_problems(filename, data, None, where, item_id))
        kind = sniff(data)
        ev, name = schema.evidence, evidence_name(filename, kind)
        texts = {"filename": (name, ev.c.filename), "item_id": (item_id, ev.c.item_id)}
        problems = text_problems(where, None, {**texts, "by": (by, ev.c.added_by)})
        if len(data) > MAX_EVIDENCE_BYTES:
            message = range_message(1, MAX_EVIDENCE_BYTES)
            problems.append(Problem(where, None, "size", message, Reason.VALUE, len(data)))
        raise_if_problems(InputError, problems)
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

    def evidence_bytes(self, sha256: str) -> bytes:
        """The content of an evidence file."""
        return self.evidence_files.get(sha256)

    def close_action(
        self,
        action_id: int,
        closed_on,
        verified_by_inspection: str | None = None,
        by: str | None = None,
    ) -> None:
        """Close a corrective action on ``closed_on``, optionally verified by an inspection."""
        a = schema.actions
        where = f"corrective action {action_id}"
        try:
            day = parse_date(closed_on)
        except ValueError:
            day = None
        if day is None:
            message = both(MESSAGES, "bad_date", value=closed_on)
            raise InputError([Problem(where, None, "closed_on", message, Reason.VALUE, closed_on)])
        _refuse_unstorable(where, {"by": (by, a.c.updated_by)})
        with self.transaction() as conn:
            if verified_by_inspection is not None:
                self._lock(conn, verified_by_inspection)
            done = conn.execute(
                a.update()
                .where(a.c.action_id == int(action_id))
                .values(
                    status="closed",
                    closed_on=day,
                    verified_by=verified_by_inspection,
                    updated_by=by,
                    updated_at=_now(),
                )
            )
            if done.rowcount != 1:
                raise NotFoundError("corrective action", action_id)


def _finding_rows(findings, inspection_id: str) -> list[dict]:
    if findings is None or len(findings) == 0:
        return []
    frame = pd.DataFrame(findings)
    if "inspection_id" in frame:
        frame = frame[frame["inspection_id"].astype(str) == inspection_id]
    cols = [
        c.name for c in schema.findings.c if c.name in frame.columns and c.name != "inspection_id"
    ]
    frame = frame[cols].astype(object).where(frame[cols].notna(), None)
    rows = []
    for record in frame.to_dict("records"):
        if record.get("due_on") is not None:
            record["due_on"] = pd.Timestamp(record["due_on"]).date()
        if record.get("days_to_correct") is not None:
            record["days_to_correct"] = int(record["days_to_correct"])
        rows.append({"inspection_id": inspection_id, **record})
    return rows
