"""What the inspection form does, without any widget: the form's controller.

Usage::

    from audit_lib.form._session import FormSession
    session = FormSession("sqlite:///data/audit.db", by="Nguyễn Văn An")
    hits = session.search("nam xe")                # name, code or commune, any accents
    session.select(int(hits.establishment_id[0]))  # picks the checklists that apply
    session.start(date(2025, 5, 12), "periodic", "Nguyễn Văn An")   # a draft visit
    sheet = session.sheets[0]                      # one sheet per applicable checklist
    session.answer(sheet.inspection_id, "GEN.ORG.01", answer="compliant")  # saved now
    session.scored(sheet).scores                   # the live score of the draft
    session.finalize()                             # the record number, '0012/2025/BB-ATVSLĐ'

A follow-up visit (type ``follow_up``) also checks the establishment's open
corrective actions::

    session.follow_up                              # the actions, overdue flagged
    session.check_action(action_id, done=True, note="đã lắp che chắn",
                         photo=("che-chan.jpg", data))               # saved now

Every answer and every check is written to the store as it is given, in its
own transaction and, for answers, with the sheet's version as an optimistic
lock, so losing the browser or the kernel loses at most the answer being
typed. Making the record is the store's one operation
(:meth:`~audit_lib.store.Store.finalize_visit`): it scores every sheet with
the checklist the sheet was started with, refuses while a critical item is
unanswered, and closes the actions a follow-up found done. Each store call
opens its own connection, so callbacks may run on any thread.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from audit_lib import checklists as checklist_mod
from audit_lib import scoring
from audit_lib.checklists import conditions
from audit_lib.core.errors import InputError, NotFoundError, Problem, Reason
from audit_lib.core.i18n import DEFAULT_LANG, tr
from audit_lib.core.text import parse_number
from audit_lib.form import _establishments as establishments
from audit_lib.form._evidence import check_evidence
from audit_lib.store import open_store

MESSAGES = {
    "no_checklist": {
        "vi": "không có bảng kiểm nào áp dụng cho ngành {sector}, loại hình {kind}",
        "en": "no checklist applies to sector {sector}, kind {kind}",
    },
    "unsaved": {
        "vi": "có câu trả lời chưa lưu (xung đột): bấm «Lưu nháp» trước khi hoàn tất",
        "en": "some answers are not saved (a conflict): press “Save draft” before finalizing",
    },
    "not_number": {
        "vi": "phải là một số, ví dụ 12 hoặc 3,5",
        "en": "must be a number, e.g. 12 or 3.5",
    },
    "mark_first": {
        "vi": "chọn «Đã khắc phục» hoặc «Chưa khắc phục» trước, rồi ghi chú hoặc thêm ảnh",
        "en": "mark it “Done” or “Not done” first, then add a note or a photo",
    },
}

VISIT_COLUMNS = ["visit_id", "visited_on", "type", "team", "checklists", "record_number"]
ACTION_COLUMNS = [
    "action_id", "inspection_id", "item_id", "severity", "requirement_vi", "requirement_en",
    "action_vi", "action_en", "due_on", "overdue", "checklist_id", "visit_id",
    "record_number", "visited_on", "done", "note", "evidence_sha256",
]  # fmt: skip
"""What :attr:`FormSession.follow_up` holds of each corrective action a follow-up checks."""


@dataclass
class Sheet:
    """One checklist of the visit being filled: its visible items and the answers so far."""

    checklist: object
    """The checklist the sheet was started with (kept by the store under its fingerprint)."""
    inspection_id: str
    version: int
    status: str
    revision: int
    inspected_on: date
    items: pd.DataFrame
    """``items_frame()`` rows of the items whose condition holds, in order."""
    current_version: str | None = None
    """The version in the checklist folder, when a draft was started with another one."""
    answers: dict[str, dict] = field(default_factory=dict)
    """item_id -> {"answer", "value", "note"} as last given by the inspector."""
    pending: set[str] = field(default_factory=set)
    """Items given but not saved (a conflict): kept here and on screen."""

    def progress(self) -> dict[str, tuple[int, int]]:
        """Answered and visible items per section, in order: ``{section_id: (answered, total)}``."""
        counts: dict[str, list[int]] = {}
        for item_id, section_id in zip(self.items.item_id, self.items.section_id, strict=True):
            count = counts.setdefault(section_id, [0, 0])
            count[0] += _is_answered(self.answers.get(item_id))
            count[1] += 1
        return {section: (done, total) for section, (done, total) in counts.items()}


def _is_answered(state: Mapping | None) -> bool:
    if not state:
        return False
    return bool(state.get("answer")) or pd.notna(state.get("value"))


def _serialized(method):
    """Run ``method`` under the session's lock: widget callbacks may come on several threads
    (JupyterLab's comms over subshells), and each save must see the version the last one left."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return run


class FormSession:
    """The form's state and every action an inspector can take, for widgets or tests."""

    def __init__(self, db_url=None, by: str = "", checklists=None, lang: str = DEFAULT_LANG):
        """``db_url``: a database URL, None for the default one, or an open ``Store``;
        ``checklists``: ``{id: Checklist}``, default ``load_checklists()``: those a new
        visit uses; ``by``: who is answering (recorded with every change)."""
        self.store = db_url if hasattr(db_url, "engine") else open_store(db_url)
        self.checklists = checklists if checklists is not None else checklist_mod.load_checklists()
        self.by = by
        self.lang = lang
        self.establishment: dict | None = None
        self.applicable: list = []
        self.visit: dict | None = None
        """The visit open in the form (``store.visit`` as a dict), None before one is."""
        self.sheets: list[Sheet] = []
        self.follow_up = pd.DataFrame(columns=ACTION_COLUMNS)
        """The corrective actions a follow-up visit checks (``ACTION_COLUMNS``); empty
        for other visits. A draft lists the establishment's open actions, a final visit
        those it checked."""
        self._attrs: dict = {}
        self._contents: dict[str, object] = {}
        self._lock = threading.RLock()

    def _refuse(self, location: str, field: str, key: str, reason: Reason, value=None, **fmt):
        """Raise an :class:`InputError` with one problem, its message in the session's language."""
        message = tr(MESSAGES, key, self.lang, **fmt)
        raise InputError([Problem("form", location, field, message, reason, value)])

    # -- establishments -------------------------------------------------
    def communes(self) -> pd.DataFrame:
        """Communes valid today, for the registration form."""
        return establishments.communes(self.store)

    def search(self, text: str, limit: int = 20) -> pd.DataFrame:
        """Establishments whose name, code or commune contains ``text`` (any case or accents)."""
        return self.store.find_establishments(text, limit)

    def check_establishment(self, fields: Mapping) -> tuple[dict, list[Problem]]:
        """The attributes to store from the form's raw ``fields``, and every problem with them."""
        return self.store.check_establishment(fields, self.lang)

    def register(self, fields: Mapping) -> int:
        """Add an establishment from the form's fields (all checked first) and select it."""
        attrs, problems = self.check_establishment(fields)
        if problems:
            raise InputError(problems)
        establishment_id = int(self.store.add_establishment(**attrs))
        self.select(establishment_id)
        return establishment_id

    def select(self, establishment_id: int) -> None:
        """Make ``establishment_id`` current and find the checklists that apply to it."""
        frame = self.store.establishments()
        row = frame[frame.establishment_id == establishment_id]
        if row.empty:
            raise NotFoundError("establishment", establishment_id)
        self.establishment = row.iloc[0].to_dict()
        self.applicable = list(
            checklist_mod.applicable_checklists(
                self.checklists, self.establishment["sector"], self.establishment["kind"]
            )
        )
        self.visit, self.sheets = None, []
        self.follow_up = pd.DataFrame(columns=ACTION_COLUMNS)

    # -- visits ---------------------------------------------------------
    def visits(self, status: str) -> pd.DataFrame:
        """The current establishment's visits with ``status`` (current revisions), newest
        first: ``visit_id, visited_on, type, team, checklists, record_number``."""
        if self.establishment is None:
            return pd.DataFrame(columns=VISIT_COLUMNS)
        frame = self.store.visits(
            status=status, establishment_id=self.establishment["establishment_id"]
        )
        rows = [
            {
                "visit_id": str(row.visit_id),
                "visited_on": pd.Timestamp(row.visited_on).date(),
                "type": row.type,
                "team": row.team,
                "checklists": ", ".join(self.store.visit_sheets(row.visit_id).checklist_id),
                "record_number": row.record_number if isinstance(row.record_number, str) else None,
            }
            for row in frame.itertuples()
        ]
        return (
            pd.DataFrame(rows, columns=VISIT_COLUMNS)
            .sort_values("visited_on", ascending=False, kind="stable")
            .reset_index(drop=True)
        )

    def start(self, visited_on: date, type: str, team: str, place: str | None = None):
        """A new draft visit of the current establishment, one sheet per applicable
        checklist; its sheets. The store refuses a second draft of the same day."""
        if not self.applicable:
            est = self.establishment or {}
            self._refuse(
                "establishment", "sector", "no_checklist", Reason.CONSISTENCY,
                sector=est.get("sector"), kind=est.get("kind"),
            )  # fmt: skip
        visit_id = self.store.create_visit(
            self.establishment["establishment_id"],
            visited_on,
            type,
            team,
            self.applicable,
            by=self.by or " ".join((team or "").split()) or None,
            place=" ".join((place or "").split()) or None,
        )
        return self.resume(visit_id)

    def resume(self, visit_id: str) -> list[Sheet]:
        """Open a visit (a draft to go on with, or a final one to look at): its sheets,
        each with the checklist it was started with, and the answers given."""
        visit = self.store.visit(str(visit_id)).to_dict()
        if (self.establishment or {}).get("establishment_id") != int(visit["establishment_id"]):
            self.select(int(visit["establishment_id"]))
        frame = self.store.visit_sheets(visit["visit_id"])
        responses = self.store.responses(inspection_ids=list(frame.inspection_id.astype(str)))
        if not self.by:
            self.by = str(visit["team"])
        snapshot = visit.get("establishment_snapshot")
        self._attrs = {
            **self.establishment,
            **(json.loads(snapshot) if isinstance(snapshot, str) else {}),
        }
        self.visit = visit
        self.sheets = [self._sheet(row, responses) for row in frame.itertuples()]
        self.follow_up = self._follow_up_actions()
        return self.sheets

    def _checklist(self, fingerprint: str):
        """The checklist content kept under ``fingerprint`` (read once per session)."""
        if fingerprint not in self._contents:
            self._contents[fingerprint] = self.store.stored_checklist(fingerprint)
        return self._contents[fingerprint]

    def _sheet(self, row, responses: pd.DataFrame) -> Sheet:
        checklist = self._checklist(row.checklist_fingerprint)
        items = checklist.items_frame()
        visible = items.applies_if.map(
            lambda expr: conditions.evaluate_one(
                expr if isinstance(expr, str) else None, self._attrs
            )
        )
        folder = self.checklists.get(row.checklist_id)
        changed = (
            row.status == "draft"
            and folder is not None
            and folder.fingerprint != checklist.fingerprint
        )
        sheet = Sheet(
            checklist=checklist,
            inspection_id=str(row.inspection_id),
            version=int(row.version),
            status=row.status,
            revision=int(row.revision),
            inspected_on=pd.Timestamp(row.inspected_on).date(),
            current_version=folder.version if changed else None,
            items=items[visible.astype(bool)].reset_index(drop=True),
        )
        mine = responses[responses.inspection_id.astype(str) == sheet.inspection_id]
        for answer in mine.itertuples():
            sheet.answers[answer.item_id] = {
                "answer": answer.answer if isinstance(answer.answer, str) else None,
                "value": None if pd.isna(answer.value) else float(answer.value),
                "note": answer.note if isinstance(answer.note, str) else None,
            }
        return sheet

    def sheet(self, inspection_id: str) -> Sheet:
        return next(s for s in self.sheets if s.inspection_id == inspection_id)

    # -- answering ------------------------------------------------------
    @_serialized
    def answer(self, inspection_id: str, item_id: str, **given) -> int:
        """Record ``answer``, ``value`` and/or ``note`` for an item and save it at once.

        The item's state is kept even when saving fails; a :class:`ConflictError`
        (someone else saved this sheet first) leaves it in ``sheet.pending``.
        """
        sheet = self.sheet(inspection_id)
        state = sheet.answers.setdefault(item_id, {"answer": None, "value": None, "note": None})
        state.update(given)
        sheet.pending.add(item_id)
        return self._save(sheet, item_id)

    def _save(self, sheet: Sheet, item_id: str) -> int:
        state = sheet.answers[item_id]
        sheet.version = int(
            self.store.save_answer(
                sheet.inspection_id,
                item_id,
                answer=state["answer"],
                value=state["value"],
                note=state["note"],
                by=self.by,
                expected_version=sheet.version,
            )
        )
        sheet.pending.discard(item_id)
        return sheet.version

    @_serialized
    def save_pending(self) -> int:
        """Save what a conflict or a failure left unsaved, over whatever was saved meanwhile.

        The inspector pressed "Save draft" after being told someone else saved
        first: their answers win. Returns how many answers were saved.
        """
        saved = 0
        for sheet in self.sheets:
            if sheet.pending:
                sheet.version = self._current_version(sheet.inspection_id)
            for item_id in sorted(sheet.pending):
                self._save(sheet, item_id)
                saved += 1
        return saved

    def _current_version(self, inspection_id: str) -> int:
        frame = self.store.inspections(status=None, current_only=False, ids=[inspection_id])
        return int(frame.version.iloc[0])

    def number(self, inspection_id: str, item_id: str, text: str) -> int:
        """Save a count or number typed as text ("12", "3,5", "1.250"; empty clears it).

        Read by :func:`~audit_lib.core.text.parse_number`: a comma is the decimal mark
        and a dot before three digits groups thousands, as Vietnamese write.
        """
        try:
            value = parse_number(text)
        except ValueError:
            self._refuse(f"item {item_id}", "value", "not_number", Reason.TYPE, text)
        return self.answer(inspection_id, item_id, value=value)

    def add_evidence(self, inspection_id: str, item_id: str, files) -> list[str]:
        """Keep photos or PDFs ``[(filename, data), ...]`` for an item, by content hash.

        Every file is checked (type by content, size) before any is stored: one
        bad file refuses the whole selection, naming each bad file.
        """
        files = [(name, bytes(data)) for name, data in files]
        problems = [p for name, data in files for p in check_evidence(name, data, self.lang)]
        if problems:
            raise InputError(problems)
        return [self.store.add_evidence(inspection_id, item_id, n, d) for n, d in files]

    def evidence(self, inspection_id: str, item_id: str) -> list[str]:
        """Names of the files already attached to one item."""
        frame = self.store.evidence(inspection_id)
        return list(frame[frame.item_id == item_id].filename)

    # -- follow-up: the corrective actions of earlier records -----------
    def is_follow_up(self) -> bool:
        """Whether the open visit is a follow-up (it checks corrective actions)."""
        return self.visit is not None and self.visit["type"] == "follow_up"

    def _follow_up_actions(self) -> pd.DataFrame:
        if not self.is_follow_up():
            return pd.DataFrame(columns=ACTION_COLUMNS)
        visit_id, day = self.visit["visit_id"], pd.Timestamp(self.visit["visited_on"])
        checks = self.store.action_checks(visit_id)[
            ["action_id", "done", "note", "evidence_sha256"]
        ]
        if self.visit["status"] == "draft":
            actions = self.store.open_actions(self.visit["establishment_id"], on=day.date())
        else:  # what the record found: those it closed are no longer open
            actions = self.store.actions()
            actions = actions[actions.action_id.isin(checks.action_id)]
        sheets = self.store.inspections(
            status=None, current_only=False, ids=list(actions.inspection_id)
        ).set_index("inspection_id")
        if self.visit["status"] != "draft":
            records = self.store.visits(
                status=None, current_only=False, ids=list(sheets.visit_id)
            ).set_index("visit_id")
            of = actions.inspection_id.map(sheets.visit_id)
            actions = actions.assign(
                checklist_id=actions.inspection_id.map(sheets.checklist_id),
                visit_id=of,
                record_number=of.map(records.record_number),
                visited_on=of.map(records.visited_on),
                overdue=pd.to_datetime(actions.due_on) < day,
            )
        texts = [
            self._checklist(sheets.at[sheet, "checklist_fingerprint"]).item(item).text
            for sheet, item in zip(actions.inspection_id, actions.item_id, strict=True)
        ]
        actions = actions.assign(
            requirement_vi=[t.pick("vi") for t in texts],
            requirement_en=[t.pick("en") for t in texts],
        ).merge(checks, on="action_id", how="left")
        return actions[ACTION_COLUMNS].reset_index(drop=True)

    @_serialized
    def check_action(
        self,
        action_id: int,
        done: bool | None,
        note: str | None = None,
        photo: tuple[str, bytes] | None = None,
    ) -> None:
        """Record, at once, what this (follow-up) visit found of an open corrective action:
        ``done`` or not, a ``note`` and a ``photo`` ``(filename, data)``; without a photo
        the one already recorded is kept. Finalizing the visit closes the actions found
        done. The store refuses an action of another establishment, or one not open."""
        where = f"action {action_id}"
        if done is None:
            self._refuse(where, "done", "mark_first", Reason.MISSING)
        if photo is not None:
            photo = (photo[0], bytes(photo[1]))
            problems = check_evidence(*photo, self.lang)
            if problems:
                raise InputError(problems)
        self.store.check_action(
            self.visit["visit_id"],
            int(action_id),
            bool(done),
            note=" ".join((note or "").split()) or None,
            evidence=photo,
            by=self.by or None,
        )
        self.follow_up = self._follow_up_actions()

    # -- scoring, finalizing, revising ----------------------------------
    def responses_frame(self, sheet: Sheet) -> pd.DataFrame:
        rows = [
            {"inspection_id": sheet.inspection_id, "item_id": item_id, **state}
            for item_id, state in sheet.answers.items()
        ]
        frame = pd.DataFrame(rows, columns=["inspection_id", "item_id", "answer", "value", "note"])
        return frame.astype({"answer": "object", "value": "float64", "note": "object"})

    def scored(self, sheet: Sheet):
        """What the live panel shows: a final sheet's stored results, or ``scoring.score``
        of a draft's current answers (a draft, not a record)."""
        if sheet.status == "final":
            return self.store.scored([sheet.inspection_id])
        inspection = {
            **self._attrs,
            "inspection_id": sheet.inspection_id,
            "checklist_id": sheet.checklist.id,
            "inspected_on": pd.Timestamp(sheet.inspected_on),
        }
        return scoring.score(
            sheet.checklist, self.responses_frame(sheet), pd.DataFrame([inspection])
        )

    @_serialized
    def finalize(self) -> str:
        """Make the record of the open visit (the store's one operation); its record number.

        The store refuses while an applicable critical item is unanswered, naming
        each; the form refuses first while an answer on screen is not saved.
        """
        if any(sheet.pending for sheet in self.sheets):
            self._refuse("visit", "answer", "unsaved", Reason.CONSISTENCY)
        number = self.store.finalize_visit(
            self.visit["visit_id"], by=self.by or None, expected_version=int(self.visit["version"])
        )
        self.resume(self.visit["visit_id"])
        return number

    def revise(self, reason: str, visit_id: str | None = None) -> list[Sheet]:
        """A new draft revision of a final visit (the open one by default), answers
        copied; the store requires a ``reason``."""
        new_id = self.store.revise_visit(
            str(visit_id or self.visit["visit_id"]), reason, self.by or None
        )
        return self.resume(new_id)
