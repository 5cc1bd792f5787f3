"""Widgets for one sheet (a checklist of a visit): sections, items, and the live score panel.

Usage::

    from audit_lib.form._sheet import SheetView
    view = SheetView(session, session.sheets[0], lang="vi", report=print)
    view.widget                                  # a VBox: live panel + accordion of sections
    view.items["GEN.ORG.01"].answer.value = "compliant"   # saved, panel updated

Every answer widget saves through :class:`~audit_lib.form._session.FormSession`
as soon as it changes; ``report(kind, text)`` shows the outcome (``"ok"``,
``"warn"`` or ``"error"``) in the form's message area. Each widget carries a
stable CSS class (``audit-...``) for browser tests; an item's row also carries
``audit-item-<ID>`` with the dots of its id turned into dashes.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as w
import pandas as pd

from audit_lib.core.errors import AuditError, ConflictError, InputError
from audit_lib.core.i18n import label, tr
from audit_lib.core.vocabulary import ANSWER_CODES, ANSWER_LABELS, SEVERITY_LABELS
from audit_lib.form._evidence import ACCEPT
from audit_lib.form._session import FormSession, Sheet

MESSAGES = {
    "details": {"vi": "Chi tiết", "en": "Details"},
    "details_tip": {
        "vi": "Hướng dẫn, căn cứ pháp lý, ghi chú, ảnh",
        "en": "Guidance, legal basis, note, photos",
    },
    "guidance": {"vi": "Hướng dẫn", "en": "Guidance"},
    "evidence_expected": {"vi": "Bằng chứng cần xem", "en": "Evidence to see"},
    "legal_basis": {"vi": "Căn cứ pháp lý", "en": "Legal basis"},
    "advice": {"vi": "Khuyến nghị", "en": "Advice"},
    "advice_tip": {
        "vi": "Thực hành tốt, không phải quy định pháp luật: không tính điểm tuân thủ, "
        "không phải vi phạm",
        "en": "Good practice, not a legal duty: not in the compliance score, never a violation",
    },
    "reference": {"vi": "Nguồn tham khảo", "en": "Reference"},
    "good_practice": {"vi": "Thực hành tốt", "en": "Good practice"},
    "note": {"vi": "Ghi chú", "en": "Note"},
    "upload": {"vi": "Ảnh/PDF", "en": "Photo/PDF"},
    "attached": {"vi": "Đã đính kèm", "en": "Attached"},
    "value_placeholder": {"vi": "số {unit}", "en": "number of {unit}"},
    "threshold": {"vi": "yêu cầu {op} {value}", "en": "required {op} {value}"},
    "saved_item": {"vi": "đã lưu", "en": "saved"},
    "unsaved": {"vi": "⚠ chưa lưu", "en": "⚠ not saved"},
    "conflict": {
        "vi": "Người khác vừa lưu biên bản này trước bạn. Câu trả lời của bạn vẫn hiện "
        "trên màn hình nhưng CHƯA được lưu: bấm «Lưu nháp» để ghi đè bằng câu trả lời "
        "của bạn.",
        "en": "Someone else saved this inspection just before you. Your answer is still "
        "on screen but NOT saved: press “Save draft” to overwrite with your answers.",
    },
    "evidence_saved": {
        "vi": "Đã lưu {n} tệp bằng chứng cho mục {item}",
        "en": "Saved {n} evidence file(s) for item {item}",
    },
    "score": {"vi": "Điểm", "en": "Score"},
    "grade": {"vi": "Xếp loại", "en": "Grade"},
    "answered": {"vi": "Đã trả lời", "en": "Answered"},
    "no_score": {"vi": "chưa có", "en": "none yet"},
    "verdict_pass": {"vi": "Đạt yêu cầu", "en": "Passes"},
    "verdict_fail": {"vi": "Không đạt yêu cầu", "en": "Fails"},
    "verdict_fail_critical": {
        "vi": "Không đạt: có vi phạm nghiêm trọng",
        "en": "Fails: critical non-compliance",
    },
    "verdict_incomplete": {"vi": "Chưa đủ câu trả lời", "en": "Incomplete"},
    "critical_findings": {"vi": "Vi phạm nghiêm trọng", "en": "Critical findings"},
    "actions": {"vi": "Biện pháp khắc phục", "en": "Corrective actions"},
    "within_days": {"vi": "trong {days} ngày", "en": "within {days} days"},
    "none": {"vi": "không có", "en": "none"},
    "changed": {
        "vi": "Biên bản này dùng bảng kiểm phiên bản {old} như khi bắt đầu; bảng kiểm hiện "
        "hành là phiên bản {new}",
        "en": "This record uses checklist version {old}, as when it was started; the "
        "current checklist is version {new}",
    },
    "final": {"vi": "Đã hoàn tất (chỉ xem)", "en": "Finalized (read only)"},
}


def css_id(item_id: str) -> str:
    """``"GEN.ORG.01"`` -> ``"audit-item-GEN-ORG-01"``: a CSS class for an item's row."""
    return "audit-item-" + item_id.replace(".", "-")


def add_classes(widget: w.Widget, *names: str) -> w.Widget:
    """Add stable CSS classes (``audit-...``) to ``widget`` and return it."""
    for name in names:
        widget.add_class(name)
    return widget


class ItemView:
    """One item's row: the text, the answer widget, a status, and details built on demand."""

    def __init__(self, view: SheetView, row):
        self.view, self.row = view, row
        lang = view.lang
        self.item = view.sheet.checklist.item(row.item_id)
        state = view.sheet.answers.get(row.item_id, {})
        text = self.item.text.pick(lang)
        self.label = w.HTML(
            f"<b>{html.escape(row.item_id)}</b> {html.escape(text)} {self._badge()}",
            layout=w.Layout(width="100%"),
        )
        disabled = view.sheet.status != "draft"
        if row.answer_type == "compliance":
            self.answer = w.ToggleButtons(
                options=[(label(ANSWER_LABELS, code, lang), code) for code in ANSWER_CODES],
                value=state.get("answer"),
                disabled=disabled,
                style={"button_width": "auto"},
            )
            add_classes(self.answer, "audit-answer")
            self.answer.observe(view.guard(self._on_answer), names="value")
        else:
            unit = self.item.unit.pick(lang) if self.item.unit else ""
            value = state.get("value")
            self.answer = w.Text(
                value="" if value is None else f"{value:g}",
                placeholder=tr(MESSAGES, "value_placeholder", lang, unit=unit).strip(),
                continuous_update=False,
                disabled=disabled,
                layout=w.Layout(width="12em"),
            )
            add_classes(self.answer, "audit-value")
            self.answer.observe(view.guard(self._on_value), names="value")
            self.na = w.ToggleButton(
                description=label(ANSWER_LABELS, "na", lang),
                value=state.get("answer") == "na",
                disabled=disabled,
            )
            add_classes(self.na, "audit-na")
            self.answer.disabled = disabled or self.na.value
            self.na.observe(view.guard(self._on_na), names="value")
        self.status = add_classes(w.HTML(""), "audit-item-status")
        self.more = w.ToggleButton(
            description=tr(MESSAGES, "details", lang),
            tooltip=tr(MESSAGES, "details_tip", lang),
            icon="info",
            value=False,
        )
        add_classes(self.more, "audit-details-toggle")
        self.more.observe(view.guard(self._on_more), names="value")
        self.details = w.VBox([], layout=w.Layout(display="none"))
        extra = [] if row.answer_type == "compliance" else [self.na]
        if row.answer_type != "compliance" and pd.notna(row.threshold_op):
            target = (
                row.threshold_item if pd.notna(row.threshold_item) else f"{row.threshold_value:g}"
            )
            extra.append(
                w.HTML(
                    "<i>"
                    + html.escape(
                        tr(MESSAGES, "threshold", lang, op=row.threshold_op, value=target)
                    )
                    + "</i>"
                )
            )
        self.widget = w.VBox(
            [self.label, w.HBox([self.answer, *extra, self.more, self.status]), self.details]
        )
        add_classes(self.widget, "audit-item", css_id(row.item_id))

    def _badge(self) -> str:
        """An advice item's «Khuyến nghị» badge, else the legal item's severity."""
        lang = self.view.lang
        if self.item.is_advice:
            tip = html.escape(tr(MESSAGES, "advice_tip", lang), quote=True)
            return (
                f"<span class='audit-advice' title='{tip}'>"
                f"[{html.escape(tr(MESSAGES, 'advice', lang))}]</span>"
            )
        badge = label(SEVERITY_LABELS, self.row.severity, lang).lower()
        return f"<span class='audit-severity-{self.row.severity}'>({badge})</span>"

    @property
    def item_id(self) -> str:
        return self.row.item_id

    def _on_answer(self, change) -> None:
        if change["new"] is not None:
            self.view.save(self, answer=change["new"])

    def _on_value(self, change) -> None:
        self.view.save(self, text=change["new"])

    def _on_na(self, change) -> None:
        """A count or number that does not apply here: saved as N/A, the number set aside."""
        self.answer.disabled = change["new"]
        if change["new"]:
            self.view.save(self, answer="na", value=None)
            return
        self.view.save(self, answer=None)
        if self.answer.value.strip():
            self.view.save(self, text=self.answer.value)

    def _on_more(self, change) -> None:
        if change["new"] and not self.details.children:
            self.details.children = self._build_details()
        self.details.layout.display = "flex" if change["new"] else "none"

    def _build_details(self) -> list[w.Widget]:
        lang, sheet = self.view.lang, self.view.sheet
        cited = "reference" if self.item.is_advice else "legal_basis"
        basis = "".join(f"<li>{html.escape(b)}</li>" for b in getattr(self.item, cited))
        info = w.HTML(
            f"<p><b>{tr(MESSAGES, 'guidance', lang)}:</b> "
            f"{html.escape(self.item.guidance.pick(lang))}</p>"
            f"<p><b>{tr(MESSAGES, 'evidence_expected', lang)}:</b> "
            f"{html.escape(self.item.evidence.pick(lang))}</p>"
            f"<p><b>{tr(MESSAGES, cited, lang)}:</b></p><ul>{basis}</ul>"
        )
        add_classes(info, "audit-guidance")
        state = sheet.answers.get(self.item_id, {})
        self.note = w.Textarea(
            value=state.get("note") or "",
            placeholder=tr(MESSAGES, "note", lang),
            continuous_update=False,
            disabled=sheet.status != "draft",
            layout=w.Layout(width="100%"),
        )
        add_classes(self.note, "audit-note")
        self.note.observe(self.view.guard(self._on_note), names="value")
        self.upload = w.FileUpload(
            accept=ACCEPT,
            multiple=True,
            description=tr(MESSAGES, "upload", lang),
            disabled=sheet.status != "draft",
        )
        add_classes(self.upload, "audit-upload")
        self.upload.observe(self.view.guard(self._on_upload), names="value")
        self.attached = add_classes(w.HTML(self._attached_html()), "audit-evidence-list")
        return [info, self.note, w.HBox([self.upload, self.attached])]

    def _attached_html(self) -> str:
        files = self.view.session.evidence(self.view.sheet.inspection_id, self.item_id)
        if not files:
            return ""
        names = ", ".join(html.escape(str(name)) for name in files)
        return f"{tr(MESSAGES, 'attached', self.view.lang)}: {names}"

    def _on_note(self, change) -> None:
        self.view.save(self, note=change["new"] or None)

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        try:
            self.view.session.add_evidence(
                self.view.sheet.inspection_id,
                self.item_id,
                [(f["name"], f["content"]) for f in files],
            )
        finally:
            self.upload.value = ()
            self.attached.value = self._attached_html()
        self.view.report(
            "ok", tr(MESSAGES, "evidence_saved", self.view.lang, n=len(files), item=self.item_id)
        )


class SheetView:
    """The widgets of one sheet: live panel on top, then an accordion of sections."""

    def __init__(
        self,
        session: FormSession,
        sheet: Sheet,
        lang: str,
        report: Callable[[str, str], None],
        guard: Callable,
    ):
        self.session, self.sheet, self.lang = session, sheet, lang
        self.report, self.guard = report, guard
        self.live = add_classes(w.HTML(), "audit-live")
        self.items: dict[str, ItemView] = {}
        self.sections: list[str] = []
        boxes = []
        for section_id, rows in sheet.items.groupby("section_id", sort=False):
            views = [ItemView(self, row) for row in rows.itertuples()]
            self.items.update({v.item_id: v for v in views})
            self.sections.append(section_id)
            boxes.append(add_classes(w.VBox([v.widget for v in views]), "audit-section"))
        self.accordion = add_classes(w.Accordion(children=boxes), "audit-sections")
        if boxes:
            self.accordion.selected_index = 0
        header = []
        if sheet.current_version:
            changed = tr(
                MESSAGES, "changed", lang, old=sheet.checklist.version, new=sheet.current_version
            )
            header.append(add_classes(w.HTML(f"<b>⚠ {html.escape(changed)}</b>"), "audit-changed"))
        if sheet.status != "draft":
            header.append(
                add_classes(w.HTML(f"<b>{tr(MESSAGES, 'final', lang)}</b>"), "audit-final")
            )
        self.widget = add_classes(w.VBox([*header, self.live, self.accordion]), "audit-sheet")
        self.refresh()

    def save(self, item: ItemView, text: str | None = None, **given) -> None:
        """Save one item's change; show the outcome on the item and refresh the panel."""
        try:
            if text is not None:
                self.session.number(self.sheet.inspection_id, item.item_id, text)
            else:
                self.session.answer(self.sheet.inspection_id, item.item_id, **given)
        except ConflictError:
            item.status.value = (
                f"<span class='audit-unsaved'>{tr(MESSAGES, 'unsaved', self.lang)}</span>"
            )
            self.report("warn", tr(MESSAGES, "conflict", self.lang))
            self.refresh()
            return
        except InputError as exc:
            item.status.value = html.escape("; ".join(p.message for p in exc.problems))
            raise
        except AuditError:
            item.status.value = tr(MESSAGES, "unsaved", self.lang)
            raise
        item.status.value = (
            f"<span class='audit-saved'>✓ {tr(MESSAGES, 'saved_item', self.lang)}</span>"
        )
        self.refresh()

    def mark_saved(self) -> None:
        """After pending answers were saved again: clear their warnings."""
        for view in self.items.values():
            if view.item_id not in self.sheet.pending and "audit-unsaved" in view.status.value:
                view.status.value = (
                    f"<span class='audit-saved'>✓ {tr(MESSAGES, 'saved_item', self.lang)}</span>"
                )

    def refresh(self) -> None:
        """Section progress in the accordion titles and the live panel from the answers."""
        progress = self.sheet.progress()
        checklist = self.sheet.checklist
        self.accordion.titles = tuple(
            f"{checklist.section(s).title.pick(self.lang)} ({progress[s][0]}/{progress[s][1]})"
            for s in self.sections
        )
        self.live.value = self._live_html()

    def _live_html(self) -> str:
        lang, checklist = self.lang, self.sheet.checklist
        scored = self.session.scored(self.sheet)
        row = scored.scores.iloc[0]
        labels = {g.code: g.label.pick(lang) for g in checklist.grades}
        score = tr(MESSAGES, "no_score", lang) if pd.isna(row.score) else f"{row.score:.1f}%"
        grade = labels.get(row.grade, "—") if isinstance(row.grade, str) else "—"
        if isinstance(row.grade, str):
            grade = f"{row.grade} · {grade}"
        verdict = tr(MESSAGES, f"verdict_{row.verdict}", lang)
        practice, share = "", row.get("good_practice")  # a final sheet's: on its record
        if share is not None and pd.notna(share):
            practice = (
                f" · {tr(MESSAGES, 'good_practice', lang)}: "
                f"<span class='audit-good-practice'>{share:.0f}%</span>"
            )
        done = self.sheet.progress().values()
        answered, total = sum(a for a, _ in done), sum(t for _, t in done)
        findings = scored.findings
        critical = findings[findings.severity == "critical"]

        def text(frame, column):
            return [
                html.escape(str(v)) for v in frame[f"{column}_{lang}"].fillna(frame[f"{column}_vi"])
            ]

        crit = (
            "".join(
                f"<li>{html.escape(i)}: {t}</li>"
                for i, t in zip(critical.item_id, text(critical, "text"), strict=True)
            )
            or f"<li>{tr(MESSAGES, 'none', lang)}</li>"
        )
        actions = (
            "".join(
                f"<li>{html.escape(i)}: {a} ({tr(MESSAGES, 'within_days', lang, days=int(d))})</li>"
                for i, a, d in zip(
                    findings.item_id,
                    text(findings, "action"),
                    findings.days_to_correct,
                    strict=True,
                )
            )
            or f"<li>{tr(MESSAGES, 'none', lang)}</li>"
        )
        return (
            f"<div><b>{html.escape(checklist.title.pick(lang))}</b> · "
            f"{tr(MESSAGES, 'score', lang)}: <span class='audit-score'>{score}</span> · "
            f"{tr(MESSAGES, 'grade', lang)}: "
            f"<span class='audit-grade'>{html.escape(grade)}</span> · "
            f"<span class='audit-verdict audit-verdict-{row.verdict}'>{verdict}</span> · "
            f"{tr(MESSAGES, 'answered', lang)}: "
            f"<span class='audit-answered'>{answered}/{total}</span>{practice}"
            f"<br><b>{tr(MESSAGES, 'critical_findings', lang)}:</b>"
            f"<ul class='audit-critical'>{crit}</ul>"
            f"<b>{tr(MESSAGES, 'actions', lang)}:</b><ul class='audit-actions'>{actions}</ul></div>"
        )
