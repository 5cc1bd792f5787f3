"""Visits: the unit of work of an inspection, finalized once into a frozen record.

Usage (these are methods of :class:`audit_lib.store._store.Store`)::

    vid = store.create_visit(eid, "2025-05-12", "periodic", ["Lò Văn A", "Giàng A Pao"],
                             checklists, by="a", place="Trụ sở HTX Nậm Xe")
    sheets = store.visit_sheets(vid)               # one draft inspection per checklist
    store.save_answer(sheets.inspection_id[0], "GEN.ORG.01", "compliant", by="a")
    number = store.finalize_visit(vid, by="a")     # '0012/2025/BB-ATVSLĐ'
    new = store.revise_visit(vid, reason="ghi nhầm mục GEN.PPE.02", by="b")   # a draft
    store.check_action(follow_up_vid, action_id, done=True, note="đã lắp che chắn", by="a")
    store.open_actions(establishment_id=eid)      # open corrective actions, overdue flagged

A visit has its establishment, day, type, team and place, and one sheet per
applicable checklist; the content of each checklist used is kept once under
its fingerprint (``checklist_contents``), so a record is always read with the
checklist it was made with. Drafts are saved answer by answer
(:mod:`audit_lib.store._inspections`). :meth:`VisitLog.finalize_visit` is the
one operation that makes a record (:mod:`audit_lib.store._finalizing`), in
one transaction. A final visit never changes: the API raises
:class:`FinalizedError` and the database's triggers refuse it too; a
correction is :meth:`VisitLog.revise_visit`, a new draft revision with a
reason that supersedes it once finalized, both kept.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

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
from audit_lib.scoring import Scored
from audit_lib.store import _finalizing as finalizing
from audit_lib.store import _schema as schema
from audit_lib.store._inspections import locked
from audit_lib.store._limits import text_problems

MESSAGES = {
    "bad_type": {
        "vi": "loại kiểm tra {value!r} không hợp lệ; dùng: {choices}",
        "en": "invalid inspection type {value!r}; use one of: {choices}",
    },
    "no_reason": {"vi": "cần ghi lý do sửa đổi", "en": "a reason for the revision is required"},
    "no_checklist": {
        "vi": "cần ít nhất một bảng kiểm áp dụng",
        "en": "at least one applicable checklist is needed",
    },
    "no_team": {"vi": "cần ghi tên cán bộ kiểm tra", "en": "the inspectors' names are required"},
    "bad_date": {"vi": "ngày {value!r} không hợp lệ", "en": "invalid date {value!r}"},
    "future_date": {
        "vi": "ngày kiểm tra {day:%d/%m/%Y} ở tương lai (muộn nhất là {latest:%d/%m/%Y}): "
        "chỉ ghi cuộc kiểm tra đã diễn ra",
        "en": "inspection date {day:%Y-%m-%d} is in the future (at the latest "
        "{latest:%Y-%m-%d}): record only a visit that has taken place",
    },
    "draft_exists": {
        "vi": "cơ sở này đã có biên bản nháp ngày {day:%d/%m/%Y} ({id}): hãy tiếp tục biên bản đó",
        "en": "this establishment already has a draft visit on {day:%Y-%m-%d} ({id}): "
        "go on with it",
    },
    "draft_revise": {
        "vi": "biên bản {id} còn là bản nháp: sửa trực tiếp, không cần lập bản sửa đổi",
        "en": "visit {id} is still a draft: edit it directly instead of revising",
    },
    "other_establishment": {
        "vi": "biện pháp khắc phục {action} thuộc cơ sở khác, không phải cơ sở của cuộc kiểm tra",
        "en": "corrective action {action} belongs to another establishment than the visit's",
    },
    "not_open": {
        "vi": "biện pháp khắc phục {action} không còn mở (đã đóng hoặc thuộc biên bản đã được "
        "sửa đổi)",
        "en": "corrective action {action} is not open (closed, or of a record since revised)",
    },
    "closed_before": {
        "vi": "ngày đóng {day:%d/%m/%Y} trước ngày lập biên bản yêu cầu khắc phục",
        "en": "closing day {day:%Y-%m-%d} is before the record that required the action",
    },
}

VISIT = "visit"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _problem(where: str, field: str, key: str, reason: Reason, value=None, **fmt) -> Problem:
    """A problem with ``field`` of ``where``; its message may quote ``{value}``."""
    return Problem(where, None, field, both(MESSAGES, key, value=value, **fmt), reason, value)


def _day(where: str, field: str, raw, problems: list[Problem]) -> date | None:
    """``raw`` read day first; a problem (and None) when it is not a date or in the future."""
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None:
        problems.append(_problem(where, field, "bad_date", Reason.VALUE, raw))
    elif day > latest_day():
        problems.append(
            _problem(where, field, "future_date", Reason.VALUE, raw, day=day, latest=latest_day())
        )
        return None
    return day


def team_text(team) -> str:
    """Names of the team as stored: ``"Lò Văn A; Giàng A Pao"`` (split on ``;`` or ``,``)."""
    names = team.replace(",", ";").split(";") if isinstance(team, str) else list(team or [])
    return "; ".join(n for n in (" ".join(str(x).split()) for x in names) if n)


class VisitLog:
    """The visit half of :class:`audit_lib.store._store.Store`."""

    # ---- locking ------------------------------------------------------------------

    def _lock_visit(self, conn: sa.Connection, visit_id: str):
        """The visit's row, locked for this transaction (NotFoundError if unknown)."""
        return locked(conn, schema.visits.c.visit_id, visit_id, VISIT)

    # ---- creating ------------------------------------------------------------------

    def create_visit(
        self,
        establishment_id: int,
        visited_on,
        type: str,
        team,
        checklists,
        by: str | None = None,
        place: str | None = None,
    ) -> str:
        """A new draft visit with one draft sheet per checklist; returns its ``visit_id``.

        Refused (:class:`InputError`, every problem named) for a bad type or
        day, no team, no checklist, or when the establishment already has a
        draft visit that day (go on with it instead of starting a second).
        """
        where = f"establishment {establishment_id}"
        problems = []
        if type not in VISIT_TYPES:
            choices = ", ".join(VISIT_TYPES)
            problems.append(
                _problem(where, "type", "bad_type", Reason.VALUE, type, choices=choices)
            )
        day = _day(where, "visited_on", visited_on, problems)
        names = team_text(team)
        if not names:
            problems.append(_problem(where, "team", "no_team", Reason.MISSING))
        checklists = list(checklists)
        if not checklists:
            problems.append(_problem(where, "checklists", "no_checklist", Reason.MISSING))
        v = schema.visits
        texts = {"team": (names, v.c.team), "place": (place, v.c.place), "by": (by, v.c.created_by)}
        problems += text_problems(where, None, texts)
        raise_if_problems(InputError, problems)
        visit_id, now = str(uuid.uuid4()), _now()
        with self.transaction() as conn:
            e = schema.establishments
            found = conn.execute(
                sa.select(e.c.establishment_id).where(e.c.establishment_id == int(establishment_id))
            ).first()
            if found is None:
                raise NotFoundError("establishment", establishment_id)
            draft = conn.execute(
                sa.select(v.c.visit_id).where(
                    v.c.establishment_id == int(establishment_id),
                    v.c.visited_on == day,
                    v.c.status == "draft",
                )
            ).first()
            if draft is not None:
                message = both(MESSAGES, "draft_exists", day=day, id=draft.visit_id)
                raise InputError([Problem(where, None, "visited_on", message, Reason.DUPLICATE)])
            stamps = dict(created_by=by, created_at=now, updated_by=by, updated_at=now)
            conn.execute(
                v.insert().values(
                    visit_id=visit_id,
                    chain_id=visit_id,
                    establishment_id=int(establishment_id),
                    visited_on=day,
                    type=type,
                    team=names,
                    place=place,
                    status="draft",
                    revision=1,
                    version=1,
                    **stamps,
                )
            )
            for checklist in checklists:
                finalizing.remember_checklist(conn, checklist)
                sheet_id = str(uuid.uuid4())
                conn.execute(
                    schema.inspections.insert().values(
                        inspection_id=sheet_id,
                        chain_id=sheet_id,
                        visit_id=visit_id,
                        establishment_id=int(establishment_id),
                        checklist_id=checklist.id,
                        checklist_version=checklist.version,
                        checklist_fingerprint=checklist.fingerprint,
                        inspected_on=day,
                        type=type,
                        status="draft",
                        revision=1,
                        inspectors=names,
                        version=1,
                        **stamps,
                    )
                )
        return visit_id

    # ---- finalizing and revising ----------------------------------------------------

    def finalize_visit(
        self, visit_id: str, by: str | None = None, expected_version: int | None = None
    ) -> str:
        """Score, check and store the record of a draft visit in one transaction.

        Returns the record number. Refused with :class:`InputError` naming each
        applicable critical item still unanswered (nothing is written);
        :class:`FinalizedError` for a final visit; :class:`ConflictError` when
        ``expected_version`` is no longer the visit's.
        """
        raise_if_problems(
            InputError,
            text_problems(f"visit {visit_id}", None, {"by": (by, schema.visits.c.finalized_by)}),
        )
        with self.transaction() as conn:
            row = self._lock_visit(conn, visit_id)
            if row.status == "final":
                raise FinalizedError(row.visit_id)
            if expected_version is not None and row.version != expected_version:
                raise ConflictError(VISIT, row.visit_id, expected_version, row.version)
            return finalizing.finalize(conn, [row.visit_id], by, _now())[row.visit_id]

    def revise_visit(self, visit_id: str, reason: str, by: str | None = None) -> str:
        """Start revision n+1 of a final visit: a draft copy of every sheet, answers and
        evidence included, and of what it found of corrective actions; returns its
        ``visit_id``. The final visit stays as it is."""
        where = f"visit {visit_id}"
        reason = str(reason or "").strip()
        if not reason:
            raise InputError([_problem(where, "reason", "no_reason", Reason.MISSING)])
        v = schema.visits
        texts = {"reason": (reason, v.c.reason), "by": (by, v.c.created_by)}
        raise_if_problems(InputError, text_problems(where, None, texts))
        new_id, now = str(uuid.uuid4()), _now()
        with self.transaction() as conn:
            row = self._lock_visit(conn, visit_id)
            if row.status != "final":
                raise StoreError(both(MESSAGES, "draft_revise", id=row.visit_id))
            latest = conn.execute(
                sa.select(sa.func.max(v.c.revision)).where(v.c.chain_id == row.chain_id)
            ).scalar_one()
            if latest != row.revision:
                raise ConflictError(VISIT, row.visit_id, row.revision, latest, reason)
            stamps = dict(created_by=by, created_at=now, updated_by=by, updated_at=now)
            kept = ("establishment_id", "visited_on", "type", "team", "place", "chain_id")
            conn.execute(
                v.insert().values(
                    **{k: getattr(row, k) for k in kept},
                    visit_id=new_id,
                    status="draft",
                    revision=row.revision + 1,
                    supersedes=row.visit_id,
                    reason=reason,
                    version=1,
                    **stamps,
                )
            )
            i = schema.inspections
            sheets = conn.execute(
                sa.select(i).where(i.c.visit_id == row.visit_id).order_by(i.c.inspection_pk)
            ).all()
            for sheet in sheets:
                _copy_sheet(conn, sheet, new_id, row.revision + 1, reason, stamps)
            c = schema.action_checks
            kept = [k.name for k in c.c if k.name != "visit_id"]
            conn.execute(
                c.insert().from_select(
                    ["visit_id", *kept],
                    sa.select(sa.literal(new_id, sa.String), *(c.c[k] for k in kept)).where(
                        c.c.visit_id == row.visit_id
                    ),
                )
            )
        return new_id

    # ---- follow-ups and corrective actions ----------------------------------------

    def check_action(
        self,
        visit_id: str,
        action_id: int,
        done: bool,
        note: str | None = None,
        evidence: tuple[str, bytes] | None = None,
        by: str | None = None,
    ) -> None:
        """Record what a draft (follow-up) visit found of an open corrective action of the
        same establishment: ``done`` (with a note and a photo) or not. On finalizing, the
        actions found done are closed on the visit's day, verified by it."""
        where = f"visit {visit_id}"
        c = schema.action_checks
        texts = {"note": (note, c.c.note), "by": (by, c.c.checked_by)}
        raise_if_problems(InputError, text_problems(where, f"action {action_id}", texts))
        with self.transaction() as conn:
            row = self._lock_visit(conn, visit_id)
            if row.status == "final":
                raise FinalizedError(row.visit_id)
            action = _current_open_action(conn, int(action_id))
            place = f"action {action_id}"
            if action is None:
                message = both(MESSAGES, "not_open", action=action_id)
                raise InputError([Problem(where, place, "action_id", message, Reason.REFERENCE)])
            if action.establishment_id != row.establishment_id:
                message = both(MESSAGES, "other_establishment", action=action_id)
                raise InputError([Problem(where, place, "action_id", message, Reason.REFERENCE)])
            mine = (c.c.visit_id == row.visit_id) & (c.c.action_id == int(action_id))
            sha = conn.execute(sa.select(c.c.evidence_sha256).where(mine)).scalar()
            if evidence is not None:  # a new photo replaces the one kept; none keeps it
                sha = self._keep_evidence_file(where, f"action {action_id}", *evidence, by=by)
            conn.execute(c.delete().where(mine))
            conn.execute(
                c.insert().values(
                    visit_id=row.visit_id,
                    action_id=int(action_id),
                    done=bool(done),
                    note=note,
                    evidence_sha256=sha,
                    checked_by=by,
                    checked_at=_now(),
                )
            )

    def close_action(self, action_id: int, closed_on, note: str | None = None, by=None) -> None:
        """Close an open corrective action on ``closed_on`` on the establishment's documents
        (a follow-up visit closes by :meth:`check_action` instead)."""
        a = schema.actions
        where = f"corrective action {action_id}"
        problems: list[Problem] = []
        day = _day(where, "closed_on", closed_on, problems)
        texts = {"note": (note, a.c.closing_note), "by": (by, a.c.updated_by)}
        problems += text_problems(where, None, texts)
        raise_if_problems(InputError, problems)
        with self.transaction() as conn:
            action = _current_open_action(conn, int(action_id))
            if action is None:
                message = both(MESSAGES, "not_open", action=action_id)
                raise InputError([Problem(where, None, "action_id", message, Reason.REFERENCE)])
            if day < action.visited_on:
                message = both(MESSAGES, "closed_before", day=day)
                raise InputError([Problem(where, None, "closed_on", message, Reason.VALUE)])
            conn.execute(
                a.update()
                .where(a.c.action_id == int(action_id))
                .values(
                    status="closed", closed_on=day, closing_note=note, updated_by=by,
                    updated_at=_now(),
                )
            )  # fmt: skip

    def open_actions(self, establishment_id: int | None = None, on=None) -> pd.DataFrame:
        """Open corrective actions of current final records (of one establishment when
        given): the action, its item and due day, the visit and record that required it,
        the establishment and commune, and ``overdue`` on ``on`` (default today)."""
        day = parse_date(on) if on is not None else date.today()
        stmt = _current_actions().where(schema.actions.c.status == "open")
        if establishment_id is not None:
            stmt = stmt.where(schema.visits.c.establishment_id == int(establishment_id))
        frame = self._frame(stmt)
        frame["overdue"] = pd.to_datetime(frame["due_on"]) < pd.Timestamp(day)
        return frame.sort_values(["due_on", "action_id"], ignore_index=True)

    def action_checks(self, visit_id: str) -> pd.DataFrame:
        """What a visit recorded of each open action it checked."""
        c = schema.action_checks
        return self._frame(
            sa.select(c).where(c.c.visit_id == str(visit_id)).order_by(c.c.action_id)
        )

    # ---- reading --------------------------------------------------------------------

    def visits(
        self, status: str | None = "final", current_only: bool = True, year: int | None = None,
        ids=None, establishment_id: int | None = None,
    ) -> pd.DataFrame:  # fmt: skip
        """Visits; with ``current_only`` the newest revision per chain among ``status``."""
        v = schema.visits
        stmt = of_status(
            sa.select(*(c for c in v.c if c.name != "visit_pk")), v, status, current_only
        )
        if year is not None:
            stmt = stmt.where(v.c.visited_on.between(date(year, 1, 1), date(year, 12, 31)))
        if establishment_id is not None:
            stmt = stmt.where(v.c.establishment_id == int(establishment_id))
        if ids is not None:
            stmt = stmt.where(v.c.visit_id.in_([str(i) for i in ids]))
        return self._frame(stmt.order_by(v.c.visit_pk))

    def visit(self, visit_id: str) -> pd.Series:
        """One visit's row (NotFoundError for an unknown id)."""
        found = self.visits(status=None, current_only=False, ids=[visit_id])
        if found.empty:
            raise NotFoundError(VISIT, visit_id)
        return found.iloc[0]

    def visit_sheets(self, visit_id: str) -> pd.DataFrame:
        """The sheets (inspections) of one visit, in the order they were made."""
        i = schema.inspections
        stmt = sa.select(*(c for c in i.c if c.name not in ("answers_packed",)))
        return self._frame(stmt.where(i.c.visit_id == str(visit_id)).order_by(i.c.inspection_pk))

    def stored_checklist(self, fingerprint: str):
        """The checklist content a sheet was made with (NotFoundError if never kept)."""
        with self.reading() as conn:
            checklist = finalizing.stored_checklist(conn, str(fingerprint))
        if checklist is None:
            raise NotFoundError("checklist content", fingerprint)
        return checklist

    def scored(self, inspection_ids) -> Scored:
        """The stored results of final sheets, as scoring's :class:`Scored` frames."""
        ids = [str(i) for i in inspection_ids]
        i, s, g, f = schema.inspections, schema.section_scores, schema.sheet_gaps, schema.findings
        cols = [i.c.inspection_id, i.c.checklist_id, i.c.checklist_version]
        cols += [i.c.checklist_fingerprint, *(i.c[c] for c in finalizing.SCORE_COLUMNS)]
        findings = [c for c in f.c]
        with self.reading() as conn:
            frames = [
                self._frame(sa.select(*cols).where(i.c.inspection_id.in_(ids)), conn),
                self._frame(sa.select(s).where(s.c.inspection_id.in_(ids)), conn),
                self._frame(sa.select(*findings).where(f.c.inspection_id.in_(ids)), conn),
                self._frame(sa.select(g).where(g.c.inspection_id.in_(ids)), conn),
            ]
        frames[0]["findings"] = (
            frames[0]["inspection_id"].map(frames[2]["inspection_id"].value_counts()).fillna(0)
        ).astype(int)
        return Scored(*frames).ordered_as(ids)


def of_status(stmt: sa.Select, table: sa.Table, status: str | None, current_only: bool):
    """``stmt`` over ``table`` (visits or sheets) kept to rows of ``status`` (any when None),
    and with ``current_only`` to the newest revision of each chain among them."""
    if status is not None:
        stmt = stmt.where(table.c.status == status)
    if current_only:
        newer = table.alias("newer")
        later = sa.select(newer.c.revision).where(
            newer.c.chain_id == table.c.chain_id, newer.c.revision > table.c.revision
        )
        if status is not None:
            later = later.where(newer.c.status == status)
        stmt = stmt.where(~later.exists())
    return stmt


def _copy_sheet(conn: sa.Connection, sheet, visit_id: str, number: int, reason, stamps) -> None:
    """A draft copy of ``sheet`` (answers and evidence) in revision ``number`` of its visit."""
    i, r, ev = schema.inspections, schema.responses, schema.evidence
    new_id = str(uuid.uuid4())
    kept = ("establishment_id", "checklist_id", "checklist_version", "checklist_fingerprint")
    kept += ("inspected_on", "type", "inspectors", "chain_id")
    new_pk = conn.execute(
        i.insert()
        .values(
            **{k: getattr(sheet, k) for k in kept},
            inspection_id=new_id,
            visit_id=visit_id,
            status="draft",
            revision=number,
            supersedes=sheet.inspection_id,
            reason=reason,
            version=1,
            **stamps,
        )
        .returning(i.c.inspection_pk)
    ).scalar_one()
    cols = ["item_pk", "answer", "value", "note", "answered_by", "answered_at"]
    conn.execute(
        r.insert().from_select(
            ["inspection_pk", *cols],
            sa.select(sa.literal(new_pk, sa.Integer), *(r.c[c] for c in cols)).where(
                r.c.inspection_pk == sheet.inspection_pk
            ),
        )
    )
    cols = ["item_id", "sha256", "filename", "media_type", "size", "added_by", "added_at"]
    conn.execute(
        ev.insert().from_select(
            ["inspection_id", *cols],
            sa.select(sa.literal(new_id, sa.String), *(ev.c[c] for c in cols)).where(
                ev.c.inspection_id == sheet.inspection_id
            ),
        )
    )


def _current_actions() -> sa.Select:
    """Actions of the current revision of each final visit, with where they come from."""
    a, i, v = schema.actions, schema.inspections, schema.visits
    stmt = (
        sa.select(
            a.c.action_id,
            a.c.inspection_id,
            a.c.item_id,
            a.c.severity,
            a.c.action_vi,
            a.c.action_en,
            a.c.due_on,
            a.c.status,
            a.c.closed_on,
            a.c.verified_in,
            i.c.checklist_id,
            v.c.visit_id,
            v.c.record_number,
            v.c.visited_on,
            v.c.establishment_id,
        )  # fmt: skip
        .join(i, i.c.inspection_id == a.c.inspection_id)
        .join(v, v.c.visit_id == i.c.visit_id)
    )
    return of_status(stmt, v, "final", current_only=True)


def _current_open_action(conn: sa.Connection, action_id: int):
    stmt = _current_actions().where(
        schema.actions.c.action_id == action_id, schema.actions.c.status == "open"
    )
    return conn.execute(stmt).first()
