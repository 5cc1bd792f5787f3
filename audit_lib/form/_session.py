"""What the inspection form does, without any widget: the form's controller.

Usage::

    from audit_lib.form._session import FormSession
    session = FormSession("sqlite:///data/audit.db", by="Nguyễn Văn An")
    hits = session.search("nam xe")                # name, code or commune, any accents
    session.select(int(hits.establishment_id[0]))  # picks the checklists that apply
    session.start(date(2025, 5, 12), "periodic", "Nguyễn Văn An")
    sheet = session.sheets[0]
    session.answer(sheet.inspection_id, "GEN.ORG.01", answer="compliant")  # saved now
    session.scored(sheet).scores                   # the live score
    session.finalize()                             # refused while critical items are unanswered

Every answer is written to the store as it is given, in its own transaction and
with the inspection's version as an optimistic lock, so losing the browser or
the kernel loses at most the answer being typed. Each store call opens its own
connection, so callbacks may run on any thread.
"""

from __future__ import annotations

import functools
import re
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
    "critical_unanswered": {
        "vi": "mục nghiêm trọng chưa trả lời — không thể hoàn tất",
        "en": "critical item not answered — cannot finalize",
    },
    "reason_required": {
        "vi": "phải ghi lý do sửa đổi",
        "en": "a reason for the revision is required",
    },
    "inspectors_required": {
        "vi": "phải ghi tên cán bộ kiểm tra",
        "en": "the inspectors' names are required",
    },
    "unsaved": {
        "vi": "có câu trả lời chưa lưu (xung đột): bấm «Lưu nháp» trước khi hoàn tất",
        "en": "some answers are not saved (a conflict): press “Save draft” before finalizing",
    },
    "checklist_missing": {
        "vi": "không tìm thấy bảng kiểm {ids} trong thư mục bảng kiểm",
        "en": "checklist {ids} is not in the checklist folder",
    },
    "not_number": {
        "vi": "phải là một số, ví dụ 12 hoặc 3,5",
        "en": "must be a number, e.g. 12 or 3.5",
    },
}


@dataclass
class Sheet:
    """One inspection being filled: a checklist, its visible items and the answers so far."""

    checklist: object
    inspection_id: str
    version: int
    status: str
    revision: int
    inspected_on: date
    items: pd.DataFrame
    """``items_frame()`` rows of the items whose condition holds, in order."""
    changed_since: str | None = None
    """The checklist version the inspection was started with, when the checklist changed since."""
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
        ``checklists``: ``{id: Checklist}``, default ``load_checklists()``; ``by``:
        who is answering (recorded with every change)."""
        self.store = db_url if hasattr(db_url, "engine") else open_store(db_url)
        self.checklists = checklists if checklists is not None else checklist_mod.load_checklists()
        self.by = by
        self.lang = lang
        self.establishment: dict | None = None
        self.applicable: list = []
        self.sheets: list[Sheet] = []
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
        self.sheets = []

    # -- visits: the inspections of one establishment on one day -------
    def visits(self, status: str) -> pd.DataFrame:
        """The current establishment's inspections with ``status``, grouped per visit.

        One row per visit: ``key, inspected_on, type, inspectors, checklists,
        inspection_ids`` (a visit is the inspections made the same day by the
        same inspectors, one per checklist), newest first.
        """
        columns = ["key", "inspected_on", "type", "inspectors", "checklists", "inspection_ids"]
        if self.establishment is None:
            return pd.DataFrame(columns=columns)
        frame = self.store.inspections(status=status, current_only=True)
        frame = frame[frame.establishment_id == self.establishment["establishment_id"]]
        if frame.empty:
            return pd.DataFrame(columns=columns)
        frame = frame.assign(inspectors=frame.inspectors.fillna("").astype(str))
        rows = []
        for (day, kind, who), group in frame.groupby(
            ["inspected_on", "type", "inspectors"], sort=False
        ):
            ids = tuple(group.inspection_id.astype(str))
            rows.append(
                {
                    "key": "|".join(ids),
                    "inspected_on": pd.Timestamp(day).date(),
                    "type": kind,
                    "inspectors": who,
                    "checklists": ", ".join(group.checklist_id),
                    "inspection_ids": ids,
                }
            )
        return (
            pd.DataFrame(rows, columns=columns)
            .sort_values("inspected_on", ascending=False)
            .reset_index(drop=True)
        )

    def start(self, inspected_on: date, type: str, inspectors: str) -> list[Sheet]:
        """New draft inspections of the current establishment, one per applicable checklist."""
        inspectors = " ".join((inspectors or "").split())
        if not inspectors:
            self._refuse("inspection", "inspectors", "inspectors_required", Reason.MISSING)
        if not self.applicable:
            est = self.establishment or {}
            self._refuse(
                "establishment", "sector", "no_checklist", Reason.CONSISTENCY,
                sector=est.get("sector"), kind=est.get("kind"),
            )  # fmt: skip
        ids = [
            self.store.create_inspection(
                self.establishment["establishment_id"],
                checklist,
                inspected_on,
                type,
                [name.strip() for name in re.split(r"[,;]", inspectors) if name.strip()],
                self.by or inspectors,
            )
            for checklist in self.applicable
        ]
        return self.resume(ids)

    def resume(self, inspection_ids) -> list[Sheet]:
        """Load inspections (drafts to go on with, or finals to look at) with their answers."""
        ids = [str(i) for i in inspection_ids]
        frame = self.store.inspections(status=None, current_only=False, ids=ids)
        responses = self.store.responses(inspection_ids=ids)
        if not self.by and len(frame):
            self.by = str(frame.inspectors.iloc[0])
        missing = sorted(set(frame.checklist_id) - set(self.checklists))
        if missing:
            self._refuse("inspection", "checklist_id", "checklist_missing", Reason.REFERENCE,
                         ", ".join(missing), ids=", ".join(missing))  # fmt: skip
        sheets = []
        for row in frame.set_index("inspection_id").loc[ids].reset_index().itertuples():
            checklist = self.checklists[row.checklist_id]
            items = checklist.items_frame()
            visible = items.applies_if.map(
                lambda expr: conditions.evaluate_one(
                    expr if isinstance(expr, str) else None, self.establishment
                )
            )
            sheet = Sheet(
                checklist=checklist,
                inspection_id=str(row.inspection_id),
                version=int(row.version),
                status=row.status,
                revision=int(row.revision),
                inspected_on=pd.Timestamp(row.inspected_on).date(),
                changed_since=(
                    row.checklist_version
                    if row.checklist_fingerprint != checklist.fingerprint
                    else None
                ),
                items=items[visible.astype(bool)].reset_index(drop=True),
            )
            mine = responses[responses.inspection_id.astype(str) == sheet.inspection_id]
            for answer in mine.itertuples():
                sheet.answers[answer.item_id] = {
                    "answer": answer.answer if isinstance(answer.answer, str) else None,
                    "value": None if pd.isna(answer.value) else float(answer.value),
                    "note": answer.note if isinstance(answer.note, str) else None,
                }
            sheets.append(sheet)
        self.sheets = sheets
        return sheets

    def sheet(self, inspection_id: str) -> Sheet:
        return next(s for s in self.sheets if s.inspection_id == inspection_id)

    # -- answering ------------------------------------------------------
    @_serialized
    def answer(self, inspection_id: str, item_id: str, **given) -> int:
        """Record ``answer``, ``value`` and/or ``note`` for an item and save it at once.

        The item's state is kept even when saving fails; a :class:`ConflictError`
        (someone else saved this inspection first) leaves it in ``sheet.pending``.
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

    # -- scoring, finalizing, revising ----------------------------------
    def responses_frame(self, sheet: Sheet) -> pd.DataFrame:
        rows = [
            {"inspection_id": sheet.inspection_id, "item_id": item_id, **state}
            for item_id, state in sheet.answers.items()
        ]
        frame = pd.DataFrame(rows, columns=["inspection_id", "item_id", "answer", "value", "note"])
        return frame.astype({"answer": "object", "value": "float64", "note": "object"})

    def scored(self, sheet: Sheet):
        """``scoring.score`` of the sheet's current answers (what the live panel shows)."""
        inspection = {
            **self.establishment,
            "inspection_id": sheet.inspection_id,
            "checklist_id": sheet.checklist.id,
            "inspected_on": pd.Timestamp(sheet.inspected_on),
        }
        return scoring.score(
            sheet.checklist, self.responses_frame(sheet), pd.DataFrame([inspection])
        )

    def unanswered_critical(self) -> list[Problem]:
        """One problem per critical applicable item still unanswered, over all sheets."""
        message = tr(MESSAGES, "critical_unanswered", self.lang)
        return [
            Problem(sheet.checklist.id, f"item {item_id}", "answer", message, Reason.MISSING)
            for sheet in self.sheets
            for item_id in scoring.unanswered_critical(
                sheet.checklist, self.responses_frame(sheet), self.establishment
            )
        ]

    @_serialized
    def finalize(self) -> None:
        """Finalize every sheet with scoring's findings; refused while critical items are open."""
        problems = self.unanswered_critical()
        if problems:
            raise InputError(problems)
        if any(sheet.pending for sheet in self.sheets):
            self._refuse("inspection", "answer", "unsaved", Reason.CONSISTENCY)
        for sheet in self.sheets:
            sheet.version = self.store.finalize(
                sheet.inspection_id,
                by=self.by,
                findings=self.scored(sheet).findings,
                expected_version=sheet.version,
            )
            sheet.status = "final"

    def revise(self, inspection_ids, reason: str) -> list[Sheet]:
        """New draft revisions of finalized inspections, answers copied; ``reason`` required."""
        reason = (reason or "").strip()
        if not reason:
            self._refuse("revision", "reason", "reason_required", Reason.MISSING)
        new_ids = [self.store.revise(str(i), reason, self.by) for i in inspection_ids]
        return self.resume(new_ids)
