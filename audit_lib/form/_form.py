"""The inspection form: ipywidgets for JupyterLab and for the Voilà app ``audit form``.

Usage (what ``notebooks/inspection_form.ipynb`` does)::

    from audit_lib.form._form import show_form
    form = show_form(db_url=None, lang="vi")     # AUDIT_DB_URL or data/audit.db

or, to drive it from code (tests, benchmarks)::

    form = InspectionForm(FormSession(url, checklists=checklists), lang="vi")
    form.search.value = "nam xe"                 # results appear as buttons
    form.results.children[0].click()             # pick an establishment
    form.inspectors.value = "Nguyễn Văn An"
    form.start_button.click()                    # a draft visit, a sheet per checklist
    form.sheet_views[0].items["GEN.ORG.01"].answer.value = "compliant"   # saved now
    form.finalize_button.click()                 # the record number, or what is missing

Three steps on one page: find or register the establishment; start a new
visit, go on with a draft, open or revise a finalized record; answer the
checklists (a tab each, sections in an accordion with their progress) with a
live panel of score, grade, critical findings and corrective actions. A
follow-up visit (Kiểm tra lại) also lists the establishment's open corrective
actions, each to mark done or not (:mod:`audit_lib.form._followup`).
Finalizing is the store's one operation: it makes the record and gives its
number. The language switch at the top re-draws every label. Any error raised in a
callback is shown in the message area, never lost: refused input says what to
fix; an unexpected error shows a short message with an error id, and its
traceback goes to the log :func:`log_path` (``<home>/logs/form.log``), never
to the page.
"""

from __future__ import annotations

import html
import secrets
import sys
import traceback
from datetime import date, datetime
from pathlib import Path

import ipywidgets as w

from audit_lib.core.errors import AuditError, InputError
from audit_lib.core.html import day
from audit_lib.core.i18n import DEFAULT_LANG, LANGS, check_lang, label, pick, tr
from audit_lib.core.resources import home
from audit_lib.core.vocabulary import (
    KIND_LABELS,
    KINDS,
    SECTOR_LABELS,
    SECTORS,
    VISIT_TYPE_LABELS,
    VISIT_TYPES,
)
from audit_lib.form._establishments import high_risk_note
from audit_lib.form._followup import FollowUpView
from audit_lib.form._session import FormSession
from audit_lib.form._sheet import SheetView, add_classes
from audit_lib.store import ESTABLISHMENT_FLAGS as FLAGS

MESSAGES = {
    "title": {
        "vi": "Phiếu kiểm tra an toàn, vệ sinh lao động",
        "en": "Occupational safety and health inspection form",
    },
    "search": {"vi": "Tìm cơ sở (tên, mã số, xã)", "en": "Find (name, code, commune)"},
    "search_button": {"vi": "Tìm", "en": "Search"},
    "found": {"vi": "{n} cơ sở", "en": "{n} establishment(s)"},
    "register_toggle": {"vi": "Đăng ký cơ sở mới", "en": "Register a new establishment"},
    "code": {"vi": "Mã số thuế/ĐKKD", "en": "Tax/registration code"},
    "name": {"vi": "Tên cơ sở", "en": "Name"},
    "kind": {"vi": "Loại hình", "en": "Kind"},
    "sector": {"vi": "Ngành", "en": "Sector"},
    "vsic": {"vi": "Mã ngành VSIC", "en": "VSIC code"},
    "unit_code": {"vi": "Xã/thị trấn", "en": "Commune"},
    "workforce": {"vi": "Số lao động", "en": "Workers"},
    "strict_workers": {
        "vi": "Số lao động làm công việc có yêu cầu nghiêm ngặt",
        "en": "Workers in strict-requirement jobs",
    },
    "hazardous_workers": {
        "vi": "Số lao động làm nghề, công việc nặng nhọc, độc hại, nguy hiểm",
        "en": "Workers in heavy, hazardous or dangerous jobs",
    },
    "hazardous_hint": {
        "vi": "theo danh mục Thông tư 11/2020/TT-BLĐTBXH; để trống nếu chưa rõ",
        "en": "per the list of Circular 11/2020/TT-BLĐTBXH; empty if not known",
    },
    "has_strict_equipment": {
        "vi": "Có thiết bị yêu cầu nghiêm ngặt",
        "en": "Uses strict-list equipment",
    },
    "labour_relations": {"vi": "Có quan hệ lao động", "en": "Labour-relations area"},
    "employs_minors": {"vi": "Có lao động dưới 18 tuổi", "en": "Employs workers under 18"},
    "register": {"vi": "Đăng ký", "en": "Register"},
    "registered": {"vi": "Đã đăng ký cơ sở {name}", "en": "Registered {name}"},
    "fix_fields": {"vi": "Hãy sửa các ô được đánh dấu", "en": "Please correct the marked fields"},
    "establishment": {"vi": "Cơ sở", "en": "Establishment"},
    "checklists": {"vi": "Bảng kiểm áp dụng", "en": "Checklists that apply"},
    "inspectors": {"vi": "Cán bộ kiểm tra", "en": "Inspectors"},
    "date": {"vi": "Ngày kiểm tra", "en": "Date"},
    "type": {"vi": "Hình thức", "en": "Type"},
    "place": {"vi": "Địa điểm (không bắt buộc)", "en": "Place (optional)"},
    "start": {"vi": "Bắt đầu kiểm tra mới", "en": "Start a new inspection"},
    "drafts": {"vi": "Bản nháp", "en": "Drafts"},
    "resume": {"vi": "Tiếp tục", "en": "Resume"},
    "finals": {"vi": "Đã hoàn tất", "en": "Finalized"},
    "open": {"vi": "Xem", "en": "View"},
    "draft_visit": {"vi": "Biên bản nháp", "en": "Draft record"},
    "record": {"vi": "Biên bản số", "en": "Record no."},
    "revision": {"vi": "sửa đổi lần {n}: {reason}", "en": "revision {n}: {reason}"},
    "reason": {"vi": "Lý do sửa đổi", "en": "Reason for the revision"},
    "revise": {"vi": "Lập bản sửa đổi", "en": "Make a revision"},
    "save": {"vi": "Lưu nháp", "en": "Save draft"},
    "finalize": {"vi": "Hoàn tất biên bản", "en": "Finalize"},
    "saved": {
        "vi": "Đã lưu: mọi câu trả lời được lưu ngay khi nhập (phiên bản {versions})",
        "en": "Saved: every answer is stored as it is given (version {versions})",
    },
    "started": {
        "vi": "Đã tạo biên bản nháp ({n} bảng kiểm)",
        "en": "Created a draft record ({n} checklist(s))",
    },
    "resumed": {
        "vi": "Đã mở biên bản ({n} bảng kiểm)",
        "en": "Opened the record ({n} checklist(s))",
    },
    "revised": {
        "vi": "Đã lập bản sửa đổi ({n} bảng kiểm), có thể sửa câu trả lời",
        "en": "Revision made ({n} checklist(s)); answers can be changed",
    },
    "finalized": {
        "vi": "Đã hoàn tất biên bản số {number} ({n} bảng kiểm); vi phạm và biện pháp "
        "khắc phục đã được ghi",
        "en": "Finalized record no. {number} ({n} checklist(s)); findings and corrective "
        "actions recorded",
    },
    "refused": {"vi": "Chưa thể thực hiện", "en": "Cannot do that yet"},
    "unexpected": {
        "vi": "Lỗi không mong đợi (mã lỗi {id}): hãy thử lại; nếu vẫn lỗi, "
        "báo mã lỗi này cho người quản trị",
        "en": "Unexpected error (error id {id}): try again; if it happens again, "
        "give this error id to your administrator",
    },
    "none": {"vi": "—", "en": "—"},
}
STYLE = """<style>
.audit-tabs .lm-TabBar-tab { flex: 0 0 auto !important; max-width: none !important; }
.audit-answer button:nth-child(1).mod-active { background: #c8e6c9; }
.audit-answer button:nth-child(2).mod-active { background: #ffcdd2; }
.audit-answer button:nth-child(3).mod-active { background: #e0e0e0; }
.audit-severity-critical { color: #b71c1c; font-weight: bold; }
.audit-advice { color: #1b5e20; background: #e8f5e9; border-radius: 3px; padding: 0 4px; }
.audit-unsaved { color: #8a5300; font-weight: bold; }
.audit-result button, button.audit-result { text-align: left; }
.audit-live { border-left: 4px solid #1565c0; padding-left: 8px; }
</style>"""
FIELDS = (
    "code", "name", "kind", "sector", "vsic", "unit_code", "workforce", "strict_workers",
    "hazardous_workers",
)  # fmt: skip


class InspectionForm:
    """The whole form as one widget tree, ``form.widget``, over a :class:`FormSession`."""

    def __init__(self, session: FormSession, lang: str = DEFAULT_LANG):
        self.session = session
        self.lang = check_lang(lang)
        session.lang = self.lang
        self.message = add_classes(w.HTML(), "audit-message")
        self.message_below = add_classes(w.HTML(), "audit-message-below")
        self.lang_switch = w.ToggleButtons(
            options=[("Tiếng Việt", "vi"), ("English", "en")], value=self.lang
        )
        add_classes(self.lang_switch, "audit-lang")
        self.lang_switch.observe(self.guard(self._on_lang), names="value")
        self.title = w.HTML()
        self.body = w.VBox()
        self.widget = add_classes(
            w.VBox([w.HTML(STYLE), self.lang_switch, self.title, self.message, self.body]),
            "audit-form",
        )
        self.render()

    # -- messages and errors --------------------------------------------
    def report(self, kind: str, text: str) -> None:
        """Show ``text`` in the message area; ``kind`` is ok, warn or error."""
        colour = {"ok": "#1b5e20", "warn": "#8a5300", "error": "#b71c1c"}[kind]
        shown = f"<div class='audit-msg-{kind}' style='color:{colour}'>{text}</div>"
        self.message.value = self.message_below.value = shown

    def guard(self, func):
        """Wrap a callback so that any exception it raises is shown, never swallowed.

        Refused input lists its problems; an unexpected error shows only a short
        message and an error id, its traceback is logged (:func:`log_unexpected`).
        """

        def run(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except InputError as exc:
                items = "".join(f"<li>{html.escape(_said(p))}</li>" for p in exc.problems)
                self.report("error", f"{tr(MESSAGES, 'refused', self.lang)}:<ul>{items}</ul>")
            except AuditError as exc:
                self.report("error", html.escape(str(exc)))
            except Exception as exc:
                self.report("error", unexpected(exc, self.lang))

        return run

    def _button(self, key: str, css: str, handler, style: str = "") -> w.Button:
        button = w.Button(description=tr(MESSAGES, key, self.lang), button_style=style)
        button.on_click(self.guard(lambda _: handler()))
        return add_classes(button, css)

    def _label(self, key: str) -> str:
        return tr(MESSAGES, key, self.lang)

    # -- drawing --------------------------------------------------------
    def render(self) -> None:
        """(Re)draw every part of the form from the session, in the current language."""
        self.title.value = f"<h2>{html.escape(self._label('title'))}</h2>"
        parts = [self._finder(), self._registration()]
        self.sheet_views: list[SheetView] = []
        self.follow_up: FollowUpView | None = None
        if self.session.establishment is not None:
            parts.append(self._visit_panel())
        if self.session.sheets:
            parts.append(self._sheets_panel())
        old, self.body.children = self.body.children, parts
        for part in old:
            close_tree(part, keep={self.message_below})

    def _on_lang(self, change) -> None:
        self.lang = self.session.lang = change["new"]
        self.render()

    def _finder(self) -> w.Widget:
        self.search = w.Text(
            value=getattr(self, "_search_text", ""),
            placeholder=self._label("search"),
            continuous_update=False,
            layout=w.Layout(width="28em"),
        )
        add_classes(self.search, "audit-search")
        self.search.observe(self.guard(lambda _: self._find()), names="value")
        self.search_button = self._button("search_button", "audit-search-button", self._find)
        self.found = w.HTML()
        self.results = add_classes(w.VBox(), "audit-results")
        self._find()
        return w.VBox([w.HBox([self.search, self.search_button, self.found]), self.results])

    def _find(self) -> None:
        self._search_text = self.search.value
        hits = self.session.search(self.search.value)
        self.found.value = self._label("found").format(n=len(hits))
        buttons = []
        for row in hits.itertuples():
            commune = f" · {row.commune}" if row.commune else ""
            button = w.Button(
                description=f"{row.name} · {row.code}{commune}",
                layout=w.Layout(width="auto"),
                tooltip=f"{row.name} ({row.code})",
            )
            button.on_click(self.guard(lambda _, i=int(row.establishment_id): self._select(i)))
            buttons.append(add_classes(button, "audit-result"))
        self.results.children = buttons

    def _select(self, establishment_id: int) -> None:
        self.session.select(establishment_id)
        self.render()

    def _registration(self) -> w.Widget:
        wide = {"description_width": "initial"}
        communes = self.session.communes()
        kinds = [(pick(KIND_LABELS[k], self.lang), k) for k in KINDS]
        sectors = [(pick(SECTOR_LABELS[s], self.lang), s) for s in SECTORS]
        units = [(self._label("none"), None)] + [
            (row.name_vi, row.unit_code) for row in communes.itertuples()
        ]
        self.fields = {
            "code": w.Text(description=self._label("code"), style=wide),
            "name": w.Text(description=self._label("name"), style=wide),
            "kind": w.Dropdown(options=kinds, description=self._label("kind"), style=wide),
            "sector": w.Dropdown(options=sectors, description=self._label("sector"), style=wide),
            "vsic": w.Text(description=self._label("vsic"), style=wide),
            "unit_code": w.Dropdown(
                options=units, description=self._label("unit_code"), style=wide
            ),
            "workforce": w.IntText(description=self._label("workforce"), style=wide),
            "strict_workers": w.IntText(description=self._label("strict_workers"), style=wide),
            "hazardous_workers": w.Text(
                description=self._label("hazardous_workers"),
                placeholder=self._label("hazardous_hint"),
                style=wide,
            ),
            **{
                flag: w.Checkbox(description=self._label(flag), indent=False, style=wide)
                for flag in FLAGS
            },
        }
        self.field_errors = {name: w.HTML() for name in (*FIELDS, *FLAGS)}
        rows = []
        for name, widget in self.fields.items():
            add_classes(widget, f"audit-reg-{name.replace('_', '-')}")
            rows.append(w.HBox([widget, add_classes(self.field_errors[name], "audit-field-error")]))
        self.high_risk = add_classes(w.HTML(), "audit-reg-high-risk")
        self._show_high_risk()
        for name in ("sector", "vsic"):
            self.fields[name].observe(lambda _: self._show_high_risk(), names="value")
        rows.insert(list(self.fields).index("vsic") + 1, self.high_risk)
        self.register_button = self._button("register", "audit-register", self._register, "primary")
        box = w.VBox([*rows, self.register_button], layout=w.Layout(display="none"))
        self.register_toggle = add_classes(
            w.ToggleButton(description=self._label("register_toggle"), icon="plus"),
            "audit-register-toggle",
        )
        self.register_toggle.observe(
            lambda change: setattr(box.layout, "display", "flex" if change["new"] else "none"),
            names="value",
        )
        return w.VBox([self.register_toggle, box])

    def _show_high_risk(self) -> None:
        """High risk as the law derives it from the sector and VSIC code typed, and why."""
        note = high_risk_note(self.fields["sector"].value, self.fields["vsic"].value, self.lang)
        self.high_risk.value = f"<i>{html.escape(note)}</i>"

    def _register(self) -> None:
        raw = {name: widget.value for name, widget in self.fields.items()}
        _, problems = self.session.check_establishment(raw)
        for name, shown in self.field_errors.items():
            shown.value = _field_error(problems, name)
        if problems:
            self.report("error", self._label("fix_fields"))
            return
        self.session.register(raw)
        name = self.session.establishment["name"]
        self.render()
        self.report("ok", html.escape(self._label("registered").format(name=name)))

    def _visit_panel(self) -> w.Widget:
        est = self.session.establishment
        titles = ", ".join(c.title.pick(self.lang) for c in self.session.applicable) or "—"
        summary = w.HTML(
            f"<h3>{self._label('establishment')}: {html.escape(str(est['name']))} "
            f"({html.escape(str(est['code']))})</h3>"
            f"<p>{self._label('sector')}: {label(SECTOR_LABELS, est['sector'], self.lang)} · "
            f"{self._label('kind')}: {label(KIND_LABELS, est['kind'], self.lang)} · "
            f"{self._label('workforce')}: {est['workforce']}<br>"
            f"{self._label('checklists')}: {html.escape(titles)}</p>"
        )
        add_classes(summary, "audit-establishment")
        wide = {"description_width": "initial"}
        self.inspectors = w.Text(
            value=self.session.by, description=self._label("inspectors"), style=wide
        )
        add_classes(self.inspectors, "audit-inspectors")
        self.inspected_on = w.DatePicker(
            value=date.today(), description=self._label("date"), style=wide
        )
        add_classes(self.inspected_on, "audit-date")
        self.date_error = add_classes(w.HTML(), "audit-field-error")
        self.visit_type = w.Dropdown(
            options=[(pick(VISIT_TYPE_LABELS[t], self.lang), t) for t in VISIT_TYPES],
            description=self._label("type"),
            style=wide,
        )
        add_classes(self.visit_type, "audit-visit-type")
        self.place = w.Text(placeholder=self._label("place"), layout=w.Layout(width="20em"))
        add_classes(self.place, "audit-place")
        self.start_button = self._button("start", "audit-start", self._start, "primary")
        self.drafts = self._visits_dropdown("draft", "drafts", "audit-drafts")
        self.resume_button = self._button("resume", "audit-resume", self._resume)
        self.finals = self._visits_dropdown("final", "finals", "audit-finals")
        self.open_button = self._button("open", "audit-open", self._open)
        self.reason = w.Textarea(placeholder=self._label("reason"), layout=w.Layout(width="28em"))
        add_classes(self.reason, "audit-reason")
        self.revise_button = self._button("revise", "audit-revise", self._revise)
        return add_classes(
            w.VBox(
                [
                    summary,
                    w.HBox(
                        [
                            self.inspectors,
                            self.inspected_on,
                            self.date_error,
                            self.visit_type,
                            self.place,
                            self.start_button,
                        ]
                    ),
                    w.HBox([self.drafts, self.resume_button]),
                    w.HBox([self.finals, self.open_button, self.reason, self.revise_button]),
                ]
            ),
            "audit-visit",
        )

    def _visits_dropdown(self, status: str, key: str, css: str) -> w.Dropdown:
        visits = self.session.visits(status)
        options = [
            (
                " · ".join(
                    [
                        *([row.record_number] if row.record_number else []),
                        day(row.visited_on, self.lang),
                        label(VISIT_TYPE_LABELS, row.type, self.lang),
                        row.team,
                        row.checklists,
                    ]
                ),
                row.visit_id,
            )
            for row in visits.itertuples()
        ]
        dropdown = w.Dropdown(
            options=options or [(self._label("none"), None)],
            description=self._label(key),
            style={"description_width": "initial"},
            layout=w.Layout(width="34em"),
        )
        return add_classes(dropdown, css)

    def _by(self) -> None:
        self.session.by = " ".join(self.inspectors.value.split()) or self.session.by

    def _start(self) -> None:
        self._by()
        try:
            sheets = self.session.start(
                self.inspected_on.value or date.today(),
                self.visit_type.value,
                self.inspectors.value,
                self.place.value,
            )
        except InputError as exc:  # a day in the future, a draft that day: said by the date
            self.date_error.value = _field_error(exc.problems, "visited_on")
            raise
        self.render()
        self.report("ok", self._label("started").format(n=len(sheets)))

    def _resume(self) -> None:
        if self.drafts.value:
            self._by()
            sheets = self.session.resume(self.drafts.value)
            self.render()
            self.report("ok", self._label("resumed").format(n=len(sheets)))

    def _open(self) -> None:
        if self.finals.value:
            sheets = self.session.resume(self.finals.value)
            self.render()
            self.report("ok", self._label("resumed").format(n=len(sheets)))

    def _revise(self) -> None:
        if self.finals.value:
            self._by()
            sheets = self.session.revise(self.reason.value, self.finals.value)
            self.render()
            self.report("ok", self._label("revised").format(n=len(sheets)))

    def _visit_header(self) -> w.Widget:
        """What the open visit is: its record number once final, its day, type and team."""
        visit = self.session.visit
        if visit["status"] == "final":
            number = html.escape(str(visit["record_number"]))
            said = f"{self._label('record')} <span class='audit-record-number'>{number}</span>"
        else:
            said = self._label("draft_visit")
        parts = [
            day(visit["visited_on"], self.lang),
            label(VISIT_TYPE_LABELS, visit["type"], self.lang),
            html.escape(str(visit["team"])),
        ]
        revised = int(visit["revision"]) - 1
        if revised:
            said_revision = self._label("revision").format(n=revised, reason=visit["reason"])
            parts.append(html.escape(said_revision))
        return add_classes(
            w.HTML(f"<h3>{said}</h3><p>{' · '.join(parts)}</p>"), "audit-visit-header"
        )

    def _sheets_panel(self) -> w.Widget:
        self.sheet_views = [
            SheetView(self.session, sheet, self.lang, self.report, self.guard)
            for sheet in self.session.sheets
        ]
        tabs = add_classes(w.Tab(children=[v.widget for v in self.sheet_views]), "audit-tabs")
        tabs.titles = tuple(s.checklist.title.pick(self.lang) for s in self.session.sheets)
        self.save_button = self._button("save", "audit-save", self._save)
        self.finalize_button = self._button("finalize", "audit-finalize", self._finalize, "success")
        drafts = any(s.status == "draft" for s in self.session.sheets)
        self.save_button.disabled = self.finalize_button.disabled = not drafts
        self.visit_header = self._visit_header()
        parts = [self.visit_header]
        if self.session.is_follow_up():
            self.follow_up = FollowUpView(self.session, self.lang, self.report, self.guard)
            parts.append(self.follow_up.widget)
        buttons = w.HBox([self.save_button, self.finalize_button])
        return w.VBox([*parts, tabs, buttons, self.message_below])

    def _save(self) -> None:
        self.session.save_pending()
        for view in self.sheet_views:
            view.mark_saved()
        versions = ", ".join(str(s.version) for s in self.session.sheets)
        self.report("ok", self._label("saved").format(versions=versions))

    def _finalize(self) -> None:
        number = self.session.finalize()
        self.render()
        said = self._label("finalized").format(number=number, n=len(self.session.sheets))
        self.report("ok", html.escape(said))


def _field_error(problems, field: str) -> str:
    """The messages of the problems with ``field``, in red, to show beside its widget."""
    said = [p.message for p in problems if p.field == field]
    return f"<span style='color:#b71c1c'>{html.escape('; '.join(said))}</span>" if said else ""


def _said(problem) -> str:
    """A problem as the inspector reads it: which file or checklist and item, then what.

    The visit or establishment a problem names is the one on the screen: left out.
    """
    on_screen = problem.file == "form" or problem.file.startswith(("visit ", "establishment "))
    where = [] if on_screen else [problem.file]
    head, found, item = (problem.location or "").partition("item ")
    if found:
        where += [part for part in (head.strip(), item) if part]
    return f"{' · '.join(where)}: {problem.message}" if where else problem.message


def log_path() -> Path:
    """The form's log of unexpected errors: ``<home>/logs/form.log``."""
    return home() / "logs" / "form.log"


def log_unexpected(exc: BaseException) -> str:
    """Append ``exc`` and its traceback to :func:`log_path` under a new error id; return the id.

    The server's output gets one line pointing there (the whole entry when the
    log cannot be written), so whoever runs ``audit form`` sees it too.
    """
    error_id = secrets.token_hex(4)
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    entry = f"{stamp} error {error_id}\n{''.join(traceback.format_exception(exc))}\n"
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(entry)
        said = f"form: error {error_id} ({type(exc).__name__}), traceback in {path}\n"
    except OSError:
        said = entry
    print(said, end="", file=sys.__stderr__, flush=True)
    return error_id


def unexpected(exc: BaseException, lang: str) -> str:
    """Log ``exc`` (:func:`log_unexpected`); the short message to show instead, as HTML."""
    error_id = log_unexpected(exc)
    return html.escape(
        tr(MESSAGES, "unexpected", lang if lang in LANGS else DEFAULT_LANG, id=error_id)
    )


def close_tree(widget: w.Widget, keep=frozenset()) -> None:
    """Close a widget with its layout, style and children, except those in ``keep``.

    Frees the kernel's side of widgets that a re-draw replaced.
    """
    if widget in keep:
        return
    for child in getattr(widget, "children", ()):
        close_tree(child, keep)
    for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
        if isinstance(part, w.Widget):
            part.close()
    widget.close()


def show_form(db_url: str | None = None, lang: str = DEFAULT_LANG, by: str = ""):
    """Open the store and display the form (in a notebook or Voilà); returns it.

    A database that cannot be opened (missing, outdated) is explained on the
    page instead of a traceback; any other error shows an error id (the
    traceback is in :func:`log_path`).
    """
    from IPython.display import HTML, display

    try:
        form = InspectionForm(FormSession(db_url, by=by, lang=lang), lang=lang)
    except AuditError as exc:
        display(HTML(f"<pre class='audit-message audit-msg-error'>{html.escape(str(exc))}</pre>"))
        return None
    except Exception as exc:
        display(HTML(f"<p class='audit-message audit-msg-error'>{unexpected(exc, lang)}</p>"))
        return None
    display(form.widget)
    return form
