"""Widgets of a follow-up visit: the open corrective actions, each found done or not.

Usage::

    from audit_lib.form._followup import FollowUpView
    view = FollowUpView(session, lang="vi", report=print, guard=lambda f: f)
    view.widget                                      # a VBox, one row per corrective action
    row = view.actions[action_id]
    row.done.value = True                            # "Đã khắc phục": saved now
    row.note.value = "Đã lắp che chắn"               # saved with the mark

Each row shows the item and its requirement, the action required, its due day,
the record that required it and, when the due day had passed on the visit's
day, **Quá hạn / Overdue**. The inspector marks it "Đã khắc phục / Done" or
"Chưa khắc phục / Not done" and may add a note and a photo; every change is
saved at once through :meth:`FormSession.check_action`. Finalizing the visit
closes the actions found done. CSS classes: ``audit-followup``,
``audit-action-<id>``, ``audit-action-done``, ``audit-action-note``,
``audit-action-upload``, ``audit-action-status``, ``audit-overdue``.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as w
import pandas as pd

from audit_lib.core.html import day
from audit_lib.core.i18n import label, tr
from audit_lib.core.vocabulary import SEVERITY_LABELS
from audit_lib.form._evidence import ACCEPT
from audit_lib.form._session import FormSession
from audit_lib.form._sheet import add_classes

MESSAGES = {
    "title": {
        "vi": "Kiểm tra lại: các biện pháp khắc phục đang mở",
        "en": "Follow-up: the open corrective actions",
    },
    "title_final": {
        "vi": "Kiểm tra lại: kết quả kiểm tra các biện pháp khắc phục",
        "en": "Follow-up: what was found of the corrective actions",
    },
    "explain": {
        "vi": "Đánh dấu từng biện pháp; khi hoàn tất biên bản, các biện pháp «Đã khắc phục» "
        "được đóng theo ngày kiểm tra lại.",
        "en": "Mark each action; when the record is finalized, those marked “Done” are "
        "closed on the follow-up's day.",
    },
    "none": {
        "vi": "Cơ sở không có biện pháp khắc phục nào đang mở.",
        "en": "The establishment has no open corrective action.",
    },
    "done": {"vi": "Đã khắc phục", "en": "Done"},
    "not_done": {"vi": "Chưa khắc phục", "en": "Not done"},
    "overdue": {"vi": "Quá hạn", "en": "Overdue"},
    "action": {"vi": "Biện pháp", "en": "Action"},
    "due": {"vi": "Hạn", "en": "Due"},
    "record": {"vi": "Biên bản", "en": "Record"},
    "note": {"vi": "Ghi chú", "en": "Note"},
    "photo": {"vi": "Ảnh", "en": "Photo"},
    "has_photo": {"vi": "đã có ảnh", "en": "photo kept"},
    "saved": {"vi": "đã lưu", "en": "saved"},
    "checked": {
        "vi": "Đã ghi kết quả kiểm tra biện pháp {item}",
        "en": "Recorded what was found of the action on {item}",
    },
}


class ActionView:
    """One corrective action's row: what was required, and what the follow-up found."""

    def __init__(self, view: FollowUpView, row):
        self.view, self.action_id, self.item_id = view, int(row.action_id), row.item_id
        lang, say = view.lang, view.say
        disabled = view.session.visit["status"] != "draft"
        requirement = getattr(row, f"requirement_{lang}") or row.requirement_vi
        action = row.action_en if lang == "en" and isinstance(row.action_en, str) else None
        overdue = (
            f" <span class='audit-overdue' style='color:#b71c1c;font-weight:bold'>"
            f"⚠ {say('overdue')}</span>"
            if bool(row.overdue)
            else ""
        )
        severity = label(SEVERITY_LABELS, row.severity, lang).lower()
        self.label = w.HTML(
            f"<b>{html.escape(row.item_id)}</b> {html.escape(str(requirement))} "
            f"<span class='audit-severity-{row.severity}'>({severity})</span>{overdue}<br>"
            f"{say('action')}: {html.escape(str(action or row.action_vi))} · "
            f"{say('due')}: {day(row.due_on, lang) or '—'} · {say('record')}: "
            f"{html.escape(str(row.record_number))} ({day(row.visited_on, lang)})",
            layout=w.Layout(width="100%"),
        )
        self.done = add_classes(
            w.ToggleButtons(
                options=[(say("done"), True), (say("not_done"), False)],
                value=None if pd.isna(row.done) else bool(row.done),
                disabled=disabled,
                style={"button_width": "auto"},
            ),
            "audit-action-done",
        )
        self.note = add_classes(
            w.Text(
                value=row.note if isinstance(row.note, str) else "",
                placeholder=say("note"),
                continuous_update=False,
                disabled=disabled,
                layout=w.Layout(width="24em"),
            ),
            "audit-action-note",
        )
        self.upload = add_classes(
            w.FileUpload(accept=ACCEPT, multiple=False, description=say("photo"),
                         disabled=disabled),
            "audit-action-upload",
        )  # fmt: skip
        self.status = add_classes(w.HTML(self._photo_html(row)), "audit-action-status")
        self.done.observe(view.guard(lambda _: self.save()), names="value")
        self.note.observe(view.guard(lambda _: self.save()), names="value")
        self.upload.observe(view.guard(self._on_upload), names="value")
        self.widget = add_classes(
            w.VBox([self.label, w.HBox([self.done, self.note, self.upload, self.status])]),
            "audit-action",
            f"audit-action-{self.action_id}",
        )

    def _photo_html(self, row) -> str:
        kept = isinstance(row.evidence_sha256, str)
        return f"📷 {self.view.say('has_photo')}" if kept else ""

    def save(self, photo: tuple[str, bytes] | None = None) -> None:
        """Save the mark, the note and ``photo`` (when given) at once."""
        self.view.session.check_action(self.action_id, self.done.value, self.note.value, photo)
        row = self.view.row(self.action_id)
        self.status.value = (
            f"<span class='audit-saved'>✓ {self.view.say('saved')}</span> {self._photo_html(row)}"
        )
        self.view.report("ok", self.view.say("checked", item=self.item_id))

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        try:
            self.save((files[0]["name"], files[0]["content"]))
        finally:
            self.upload.value = ()


class FollowUpView:
    """The corrective actions a follow-up visit checks, one :class:`ActionView` each."""

    def __init__(
        self,
        session: FormSession,
        lang: str,
        report: Callable[[str, str], None],
        guard: Callable,
    ):
        self.session, self.lang, self.report, self.guard = session, lang, report, guard
        self.actions = {
            int(row.action_id): ActionView(self, row) for row in session.follow_up.itertuples()
        }
        final = session.visit["status"] != "draft"
        head = f"<h4>{html.escape(self.say('title_final' if final else 'title'))}</h4>"
        if not final:
            head += f"<p>{html.escape(self.say('explain'))}</p>"
        if not self.actions:
            head += f"<p class='audit-no-actions'>{html.escape(self.say('none'))}</p>"
        self.widget = add_classes(
            w.VBox([w.HTML(head), *(a.widget for a in self.actions.values())]),
            "audit-followup",
        )

    def say(self, key: str, **fmt) -> str:
        return tr(MESSAGES, key, self.lang, **fmt)

    def row(self, action_id: int):
        """The session's current row of one action."""
        frame = self.session.follow_up
        return next(frame[frame.action_id == action_id].itertuples())
