"""The inspection record (biên bản kiểm tra ATVSLĐ): one record per visit, as it was finalized.

Usage::

    from audit_lib.reports import VisitRecord
    rec = VisitRecord.load("sqlite:///data/audit.db", visit_id, lang="vi")
    rec.heading()        # escaped HTML: national motto, record number, place and date, title
    rec.details()        # the establishment as it was that day, and the visit
    rec.result()         # the overall conclusion and each checklist's score, grade, verdict
    rec.sections()       # each checklist's scores by section (a chart each)
    rec.findings()       # every finding with legal basis, corrective action, due date, note
    rec.checked()        # a follow-up: the corrective actions it checked, done or not
    rec.gaps()           # applicable items left unanswered
    rec.advice()         # good-practice advice, apart from the findings ('' without any)
    rec.rules(); rec.signatures(); rec.provenance()

A record is **frozen**: everything it shows is what the store kept when the
visit was finalized (``Store.finalize_visit``) — the visit's number, team,
overall result and the snapshot of the establishment; each sheet's stored
score, grade, verdict, section scores, findings and gaps; the checklist each
sheet was made with, read back from the store by its fingerprint. Nothing is
scored again, no checklist file is read and today's establishment row is not
looked at, so a record prints the same years later, whatever changed since.
Good-practice advice (``kind: advice`` items) is not stored as a result: it is
counted when the record is read, from the sheet's stored answers, the stored
checklist content and the stored snapshot of the establishment — all frozen
with the record, so it too prints the same every time (``docs/scoring.md``).
A draft visit has no record: :meth:`VisitRecord.load` refuses it with an
:class:`~audit_lib.core.errors.InputError` naming the visit.

Everything is read once in :meth:`VisitRecord.load`; each method returns a
piece of escaped HTML for the notebook to display.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace

import pandas as pd

from audit_lib import __version__
from audit_lib.analysis import charts
from audit_lib.core import db_urls, html
from audit_lib.core.errors import InputError, Problem, Reason
from audit_lib.core.i18n import DEFAULT_LANG, both, check_lang, label, tr
from audit_lib.core.vocabulary import (
    INSPECTION_VERDICT_LABELS,
    KIND_LABELS,
    SECTOR_LABELS,
    SEVERITY_LABELS,
    VISIT_TYPE_LABELS,
    commune_level_label,
)

MESSAGES = {
    "team": {"vi": "ĐOÀN KIỂM TRA ATVSLĐ", "en": "OSH INSPECTION TEAM"},
    "title": {
        "vi": "BIÊN BẢN KIỂM TRA CÔNG TÁC AN TOÀN, VỆ SINH LAO ĐỘNG",
        "en": "RECORD OF OCCUPATIONAL SAFETY AND HEALTH INSPECTION",
    },
    "number": {"vi": "Số: {number}", "en": "No. {number}"},
    "dated": {
        "vi": "{place}ngày {d:02d} tháng {m:02d} năm {y}",
        "en": "{place}{y}-{m:02d}-{d:02d}",
    },
    "draft": {
        "vi": "cuộc kiểm tra {id} còn là bản nháp, chưa có biên bản: hoàn tất cuộc kiểm tra "
        "trước khi in biên bản",
        "en": "visit {id} is still a draft and has no record yet: finalize the visit "
        "before printing its record",
    },
    "establishment": {
        "vi": "Thông tin cơ sở (tại thời điểm kiểm tra)",
        "en": "The establishment (as at the visit)",
    },
    "visit": {"vi": "Thông tin cuộc kiểm tra", "en": "The visit"},
    "result": {"vi": "Kết quả đánh giá", "en": "Result"},
    "findings": {
        "vi": "Nội dung vi phạm, căn cứ pháp lý và biện pháp khắc phục",
        "en": "Findings, legal basis and corrective actions",
    },
    "checked": {
        "vi": "Kết quả kiểm tra lại việc thực hiện biện pháp khắc phục",
        "en": "Corrective actions checked on this follow-up visit",
    },
    "gaps": {"vi": "Nội dung chưa kiểm tra được", "en": "Items not checked"},
    "advice": {
        "vi": "Khuyến nghị thực hành tốt",
        "en": "Good-practice advice",
    },
    "advice_note": {
        "vi": "Các khuyến nghị dưới đây là thực hành tốt, không phải quy định pháp luật: "
        "không phải vi phạm, không có thời hạn khắc phục và không ảnh hưởng đến điểm tuân "
        "thủ hay kết luận. Cơ sở nên xem xét áp dụng các gợi ý chưa đạt.",
        "en": "The advice below is good practice, not a legal duty: not a violation, with "
        "no deadline, and it does not change the compliance score or the verdict. The "
        "establishment is encouraged to take up the suggestions not yet met.",
    },
    "good_practice": {"vi": "Thực hành tốt (%)", "en": "Good practice (%)"},
    "advice_counted": {
        "vi": "Khuyến nghị đạt / đã xem xét",
        "en": "Advice met / assessed",
    },
    "advice_not_met": {
        "vi": "Gợi ý cải thiện (khuyến nghị chưa đạt)",
        "en": "Suggestions (advice not yet met)",
    },
    "suggestion": {"vi": "Khuyến nghị", "en": "Advice"},
    "reference": {"vi": "Nguồn tham khảo", "en": "Reference"},
    "how": {"vi": "Cách thực hiện", "en": "How"},
    "all_met": {
        "vi": "Mọi khuyến nghị đã xem xét đều đạt.",
        "en": "Every piece of advice assessed is met.",
    },
    "rules": {"vi": "Cách đánh giá đã áp dụng", "en": "Scoring rules applied"},
    "sections": {"vi": "Điểm theo phần", "en": "Score by section"},
    "closing": {
        "vi": "Biên bản được lập thành 02 bản có giá trị như nhau, mỗi bên giữ 01 bản; "
        "cơ sở có trách nhiệm khắc phục các nội dung trên đúng thời hạn.",
        "en": "This record is made in two copies of equal value, one for each party; "
        "the establishment shall correct the findings above by their due dates.",
    },
    "no_findings": {"vi": "Không có nội dung vi phạm.", "en": "No findings."},
    "none": {"vi": "Không có.", "en": "None."},
    "name": {"vi": "Tên cơ sở", "en": "Name"},
    "code": {"vi": "Mã số thuế / đăng ký", "en": "Tax / registration code"},
    "unit": {"vi": "Địa chỉ ({level})", "en": "Address ({level})"},
    "sector": {"vi": "Ngành nghề", "en": "Sector"},
    "kind": {"vi": "Loại hình", "en": "Kind"},
    "workforce": {"vi": "Số lao động", "en": "Workers"},
    "strict_workers": {
        "vi": "Lao động làm công việc có yêu cầu nghiêm ngặt",
        "en": "Workers in jobs with strict OSH requirements",
    },
    "date": {"vi": "Ngày kiểm tra", "en": "Date"},
    "type": {"vi": "Hình thức", "en": "Type"},
    "place": {"vi": "Địa điểm kiểm tra", "en": "Place"},
    "head": {"vi": "Trưởng đoàn", "en": "Head of the team"},
    "inspectors": {"vi": "Thành viên đoàn kiểm tra", "en": "Inspection team"},
    "checklists": {"vi": "Bảng kiểm áp dụng", "en": "Checklists applied"},
    "revision": {"vi": "Lần sửa đổi", "en": "Revision"},
    "reason": {"vi": "Lý do sửa đổi", "en": "Reason for revision"},
    "overall_score": {
        "vi": "Điểm tuân thủ chung (mọi bảng kiểm)",
        "en": "Overall compliance score (all checklists)",
    },
    "sheets_passed": {"vi": "Số bảng kiểm đạt", "en": "Checklists passed"},
    "visit_rule": {
        "vi": "Cuộc kiểm tra chỉ đạt khi mọi bảng kiểm đều đạt; kết luận chung là kết luận "
        "kém nhất trong các bảng kiểm; điểm chung là tổng trọng số đạt chia cho tổng trọng "
        "số áp dụng của mọi bảng kiểm.",
        "en": "The visit passes only if every checklist passes; its verdict is the worst of "
        "the checklists' verdicts; the overall score is the weight earned over the weight "
        "applicable, summed over every checklist.",
    },
    "checklist": {"vi": "Bảng kiểm", "en": "Checklist"},
    "score_pct": {"vi": "Điểm tuân thủ (%)", "en": "Compliance score (%)"},
    "grade": {"vi": "Xếp loại", "en": "Grade"},
    "verdict": {"vi": "Kết luận", "en": "Verdict"},
    "conclusion": {"vi": "Kết luận chung", "en": "Overall verdict"},
    "counted": {
        "vi": "Số mục áp dụng / đã kiểm tra / chưa kiểm tra",
        "en": "Items applicable / answered / not answered",
    },
    "critical_failures": {"vi": "Vi phạm nghiêm trọng", "en": "Critical failures"},
    "item": {"vi": "Mục", "en": "Item"},
    "requirement": {"vi": "Yêu cầu", "en": "Requirement"},
    "severity": {"vi": "Mức độ", "en": "Severity"},
    "legal_basis": {"vi": "Căn cứ pháp lý", "en": "Legal basis"},
    "action": {"vi": "Biện pháp khắc phục", "en": "Corrective action"},
    "due_on": {"vi": "Thời hạn", "en": "Due by"},
    "note": {"vi": "Ghi chú của đoàn", "en": "Inspector's note"},
    "gap_reason": {"vi": "Lý do", "en": "Why"},
    "unanswered": {"vi": "Chưa trả lời", "en": "Not answered"},
    "no_reference_value": {
        "vi": "Thiếu số liệu của cơ sở để so sánh",
        "en": "No reference value of the establishment to compare with",
    },
    "required_by": {"vi": "Theo biên bản", "en": "Required by record"},
    "found": {"vi": "Kết quả", "en": "Found"},
    "done": {"vi": "Đã khắc phục", "en": "Done"},
    "not_done": {"vi": "Chưa khắc phục", "en": "Not done"},
    "sign_employer": {"vi": "ĐẠI DIỆN CƠ SỞ", "en": "FOR THE ESTABLISHMENT"},
    "sign_team": {"vi": "TRƯỞNG ĐOÀN KIỂM TRA", "en": "HEAD OF THE INSPECTION TEAM"},
    "record_number": {"vi": "Số biên bản", "en": "Record number"},
    "visit_id": {"vi": "Mã cuộc kiểm tra", "en": "Visit id"},
    "finalized": {"vi": "Hoàn tất biên bản", "en": "Finalized"},
    "parameters": {"vi": "Tham số", "en": "Parameters"},
    "checklist_fp": {
        "vi": "Bảng kiểm {id} {version} — Mã kiểm tra (SHA-256)",
        "en": "Checklist {id} {version} — Checksum (SHA-256)",
    },
    "data_fp": {
        "vi": "Dữ liệu đã đọc — Mã kiểm tra (SHA-256)",
        "en": "Data read — Checksum (SHA-256)",
    },
    "version": {"vi": "Phiên bản audit_lib", "en": "audit_lib version"},
}

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX")
PARTS = ("establishment", "visit", "result", "findings", "checked", "gaps", "advice", "rules")
"""The numbered parts of a record, in order (``checked`` only for a follow-up, ``advice``
only when a sheet's checklist has advice items)."""
SCORED = ("scores", "sections", "findings", "gaps", "advice")
"""The frames a record shows: a sheet's stored results (``store.scored``) and its advice."""
ACTION_TERMS = [
    "action_id", "inspection_id", "item_id", "severity", "action_vi", "action_en", "due_on",
]  # fmt: skip
"""What an action is required to do (never changed once stored); not its status."""


def fingerprint(*frames: pd.DataFrame) -> str:
    """sha256 of the frames' content (columns sorted, rows sorted), as hex."""
    digest = hashlib.sha256()
    for frame in frames:
        ordered = frame.reindex(sorted(frame.columns), axis=1)
        ordered = ordered.sort_values(list(ordered.columns)).reset_index(drop=True)
        digest.update(ordered.to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def _percent(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):.1f} %"


@dataclass(frozen=True)
class VisitRecord:
    """One final visit with its sheets, as stored when it was finalized, ready to print."""

    parameters: dict
    visit: pd.Series
    establishment: dict
    sheets: pd.DataFrame
    checklists: dict
    scored: object
    checks: pd.DataFrame
    data_fingerprint: str
    lang: str = DEFAULT_LANG

    @classmethod
    def load(cls, db_url: str | None, visit_id: str, lang: str = DEFAULT_LANG) -> VisitRecord:
        """Read the record of a final visit: NotFoundError for an unknown id, InputError for
        a draft (a draft has no record)."""
        from audit_lib.store import open_store

        check_lang(lang)
        with open_store(db_url) as store:
            visit = store.visit(visit_id)
            if visit["status"] != "final":
                message = both(MESSAGES, "draft", id=visit["visit_id"])
                where = f"visit {visit['visit_id']}"
                raise InputError([Problem(where, None, "status", message, Reason.VALUE, "draft")])
            sheets = store.visit_sheets(visit["visit_id"])
            checklists = {
                fp: store.stored_checklist(fp) for fp in sheets["checklist_fingerprint"].unique()
            }
            scored = store.scored(sheets["inspection_id"])
            answers = store.responses(sheets["inspection_id"].tolist())
            checks = _checked_actions(store, visit["visit_id"])
            shown_url = db_urls.masked(db_url or store.url)
        scored = _with_advice(scored, sheets, checklists, answers, visit)
        read = (visit.to_frame().T, sheets, checks, *(getattr(scored, f) for f in SCORED))
        return cls(
            parameters={"visit_id": visit_id, "db_url": shown_url, "lang": lang},
            visit=visit,
            establishment=json.loads(visit["establishment_snapshot"] or "{}"),
            sheets=sheets,
            checklists=checklists,
            scored=scored,
            checks=checks,
            data_fingerprint=fingerprint(*read),
            lang=lang,
        )

    # ---- helpers ------------------------------------------------------------------

    def _t(self, key: str, **fmt) -> str:
        return tr(MESSAGES, key, self.lang, **fmt)

    def _part(self, key: str) -> str:
        """The heading of a numbered part: ``III. Kết quả đánh giá``."""
        hidden = {"checked": not self.follow_up, "advice": not self.has_advice}
        shown = [p for p in PARTS if not hidden.get(p)]
        return html.heading(f"{ROMAN[shown.index(key)]}. {self._t(key)}")

    @property
    def has_advice(self) -> bool:
        """Whether a sheet's checklist holds advice items (the record then has that part)."""
        return any(item.is_advice for c in self._sheet_checklists() for item in c.items)

    @property
    def follow_up(self) -> bool:
        """Whether the record has the part on corrective actions checked."""
        return self.visit["type"] == "follow_up" or len(self.checks) > 0

    def _checklist_of(self, inspection_id: str):
        sheet = self.sheets.set_index("inspection_id").loc[inspection_id]
        return self.checklists[sheet["checklist_fingerprint"]]

    def _title(self, checklist) -> str:
        return f"{checklist.title.pick(self.lang)} ({checklist.id} {checklist.version})"

    def _in_checklist_order(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame``'s rows by sheet, then in the order of the sheet's checklist's items."""
        sheet_rank = {iid: k for k, iid in enumerate(self.sheets["inspection_id"])}
        position = {
            (iid, item): k
            for iid in self.sheets["inspection_id"]
            for k, item in enumerate(self._checklist_of(iid).items_frame()["item_id"])
        }
        keys = [
            (sheet_rank[iid], position.get((iid, item), len(position)))
            for iid, item in zip(frame["inspection_id"], frame["item_id"], strict=True)
        ]
        order = sorted(range(len(frame)), key=keys.__getitem__)
        return frame.iloc[order].reset_index(drop=True)

    def team_head(self) -> str:
        """The head of the team: the first name of the visit's team."""
        names = str(self.visit.get("team") or "").replace(",", ";").split(";")
        return names[0].strip()

    # ---- the pieces -----------------------------------------------------------------

    def heading(self) -> str:
        day = pd.Timestamp(self.visit["visited_on"])
        place = self.establishment.get(f"unit_name_{self.lang}") or self.visit.get("place")
        where = f"{place}, " if place else ""
        dated = self._t("dated", place=where, d=day.day, m=day.month, y=day.year)
        number = self._t("number", number=self.visit["record_number"])
        return (
            '<div class="doc-head">'
            f'<div><p class="national">{html.escape(self._t("team"))}</p>'
            f"<p>{html.escape(number)}</p></div>"
            f"<div>{html.national_heading(self.lang)}</div></div>"
            + html.paragraph(dated, "place-date")
            + f"<h1>{html.escape(self._t('title'))}</h1>"
        )

    def details(self) -> str:
        est, visit, lang = self.establishment, self.visit, self.lang
        firm = [
            (self._t("name"), est.get("name")),
            (self._t("code"), est.get("code")),
            (
                self._t("unit", level=commune_level_label(visit["visited_on"], lang)),
                est.get(f"unit_name_{lang}") or est.get("unit_code"),
            ),
            (self._t("sector"), label(SECTOR_LABELS, est.get("sector"), lang)),
            (self._t("kind"), label(KIND_LABELS, est.get("kind"), lang)),
            (self._t("workforce"), est.get("workforce")),
            (self._t("strict_workers"), est.get("strict_workers")),
        ]
        titles = "; ".join(self._title(c) for c in self._sheet_checklists())
        about = [
            (self._t("date"), html.day(visit["visited_on"], lang)),
            (self._t("type"), label(VISIT_TYPE_LABELS, visit["type"], lang)),
            *([(self._t("place"), visit["place"])] if visit.get("place") else []),
            (self._t("head"), self.team_head()),
            (self._t("inspectors"), visit.get("team")),
            (self._t("checklists"), titles),
        ]
        if int(visit.get("revision") or 1) > 1:
            about += [
                (self._t("revision"), visit["revision"]),
                (self._t("reason"), visit.get("reason")),
            ]
        note = html.paragraph(est["note"], "note") if est.get("note") else ""
        return (
            self._part("establishment")
            + html.key_values(firm)
            + note
            + self._part("visit")
            + html.key_values(about)
        )

    def _sheet_checklists(self) -> list:
        """The checklists of the sheets, in sheet order, each once."""
        return [self.checklists[fp] for fp in self.sheets["checklist_fingerprint"].unique()]

    def _grade(self, checklist, code) -> str:
        grade = next((g for g in checklist.grades if g.code == code), None)
        return f"{code} ({grade.label.pick(self.lang)})" if grade else "—"

    def _verdict(self, verdict: str) -> str:
        return (
            f'<span class="verdict {html.escape(verdict)}">'
            f"{html.escape(label(INSPECTION_VERDICT_LABELS, verdict, self.lang))}</span>"
        )

    def result(self) -> str:
        """The overall conclusion (stored with the visit), then one line per checklist."""
        visit = self.visit
        scores = self.scored.scores
        overall = [
            (self._t("overall_score"), _percent(visit["score"])),
            (self._t("sheets_passed"), f"{int(scores['passed'].sum())} / {len(scores)}"),
        ]
        rows = []
        for row in scores.itertuples(index=False):
            checklist = self._checklist_of(row.inspection_id)
            rows.append(
                {
                    "checklist": self._title(checklist),
                    "score_pct": row.score,
                    "grade": self._grade(checklist, row.grade),
                    "verdict": label(INSPECTION_VERDICT_LABELS, row.verdict, self.lang),
                    "counted": f"{row.applicable} / {row.answered} / {row.gaps}",
                    "critical_failures": row.critical_failures,
                }
            )
        keys = ("checklist", "score_pct", "grade", "verdict", "counted", "critical_failures")
        return (
            self._part("result")
            + f"<p>{html.escape(self._t('conclusion'))}: {self._verdict(visit['verdict'])}</p>"
            + html.key_values(overall)
            + html.table(pd.DataFrame(rows), {k: self._t(k) for k in keys}, {"score_pct": ".1f"})
            + html.paragraph(self._t("visit_rule"), "note")
        )

    def sections(self) -> str:
        """Each checklist's stored section scores as a chart, sections in checklist order."""
        parts = []
        for iid in self.sheets["inspection_id"]:
            checklist = self._checklist_of(iid)
            stored = self.scored.sections
            stored = stored[stored["inspection_id"] == iid].set_index("section_id")
            order = [s for s in checklist.sections if s.id in stored.index]
            title = f"{self._t('sections')} — {self._title(checklist)}"
            png = charts.section_scores(
                [s.title.pick(self.lang) for s in order],
                stored["score"].reindex([s.id for s in order]).tolist(),
                pass_mark=min((g.min for g in checklist.grades if g.passed), default=None),
                title=self._t("sections"),
                lang=self.lang,
            )
            parts.append(html.heading(title, 3) + html.image(png, title))
        return "".join(parts)

    def findings(self) -> str:
        """Every stored finding of every checklist, in checklist order, with the note."""
        lang = self.lang
        found = self._in_checklist_order(self.scored.findings)
        found["checklist"] = [self._checklist_of(i).id for i in found["inspection_id"]]
        found["requirement"] = found[f"text_{lang}"]
        found["action"] = found[f"action_{lang}"]
        found["severity"] = found["severity"].map(lambda s: label(SEVERITY_LABELS, s, lang))
        found["due_on"] = found["due_on"].map(lambda d: html.day(d, lang))
        keys = ("checklist", "item_id", "requirement", "severity", "legal_basis", "action")
        columns = {k: self._t("item" if k == "item_id" else k) for k in (*keys, "due_on", "note")}
        return self._part("findings") + html.table(
            found, columns, empty=self._t("no_findings"), nowrap=["due_on"]
        )

    def checked(self) -> str:
        """A follow-up visit's checks of earlier corrective actions ('' for other visits)."""
        if not self.follow_up:
            return ""
        lang = self.lang
        checks = self.checks.copy()
        checks["action"] = checks[f"action_{lang}"]
        checks["due_on"] = checks["due_on"].map(lambda d: html.day(d, lang))
        checks["found"] = checks["done"].map(lambda d: self._t("done" if d else "not_done"))
        keys = ("required_by", "item_id", "action", "due_on", "found", "note")
        columns = {k: self._t("item" if k == "item_id" else k) for k in keys}
        return self._part("checked") + html.table(
            checks, columns, empty=self._t("none"), nowrap=["due_on"]
        )

    def gaps(self) -> str:
        """The applicable items left unanswered (stored), with the text of their checklist."""
        lang = self.lang
        gaps = self._in_checklist_order(self.scored.gaps)
        gaps["checklist"] = [self._checklist_of(i).id for i in gaps["inspection_id"]]
        gaps["requirement"] = [
            self._checklist_of(i).item(item).text.pick(lang)
            for i, item in zip(gaps["inspection_id"], gaps["item_id"], strict=True)
        ]
        gaps["severity"] = gaps["severity"].map(lambda s: label(SEVERITY_LABELS, s, lang))
        gaps["gap_reason"] = gaps["reason"].map(lambda r: label(MESSAGES, r, lang))
        keys = ("checklist", "item_id", "requirement", "severity", "gap_reason")
        columns = {k: self._t("item" if k == "item_id" else k) for k in keys}
        return self._part("gaps") + html.table(gaps, columns, empty=self._t("none"))

    def advice(self) -> str:
        """Per sheet with advice items: the good-practice share and the advice not met, with
        its reference — set apart from the findings, with no legal basis and no deadline
        ('' when no sheet's checklist has advice items)."""
        if not self.has_advice:
            return ""
        lang, parts = self.lang, [self._part("advice"), html.paragraph(self._t("advice_note"))]
        for row in self.scored.scores.itertuples(index=False):
            checklist = self._checklist_of(row.inspection_id)
            if not any(item.is_advice for item in checklist.items):
                continue
            mine = self.scored.advice[self.scored.advice["inspection_id"] == row.inspection_id]
            assessed = mine[mine["answer"].notna()]
            counted = [
                (self._t("good_practice"), _percent(row.good_practice)),
                (self._t("advice_counted"), f"{int(assessed['met'].sum())} / {len(assessed)}"),
            ]
            missed = self._in_checklist_order(assessed[~assessed["met"]])
            shown = [checklist.item(i) for i in missed["item_id"]]
            missed = missed.assign(
                suggestion=[item.text.pick(lang) for item in shown],
                how=[item.action.pick(lang) if item.action else "" for item in shown],
                reference=["; ".join(item.reference) for item in shown],
            )
            keys = ("item_id", "suggestion", "how", "reference", "note")
            columns = {k: self._t("item" if k == "item_id" else k) for k in keys}
            parts += [
                html.heading(self._title(checklist), 3),
                html.key_values(counted),
                html.paragraph(self._t("advice_not_met")),
                html.table(missed, columns, empty=self._t("all_met")),
            ]
        return "".join(parts)

    def rules(self) -> str:
        """The rule of the visit, then the scoring rules of each checklist as stored."""
        from audit_lib.scoring import rules

        parts = [self._part("rules"), html.paragraph(self._t("visit_rule"))]
        for checklist in self._sheet_checklists():
            items = "".join(f"<li>{html.escape(r)}</li>" for r in rules(checklist, self.lang))
            parts.append(html.heading(self._title(checklist), 3) + f"<ol>{items}</ol>")
        return "".join(parts)

    def signatures(self) -> str:
        return html.paragraph(self._t("closing")) + html.signatures(
            [(self._t("sign_employer"), ""), (self._t("sign_team"), self.team_head())],
            self.lang,
        )

    def provenance(self) -> str:
        visit = self.visit
        pairs = [
            (self._t("record_number"), visit["record_number"]),
            (self._t("visit_id"), visit["visit_id"]),
        ]
        if int(visit.get("revision") or 1) > 1:
            pairs += [
                (self._t("revision"), visit["revision"]),
                (self._t("reason"), visit.get("reason")),
            ]
        if pd.notna(visit.get("finalized_at")):
            at = pd.Timestamp(visit["finalized_at"]).strftime("%Y-%m-%d %H:%M UTC")
            by = visit.get("finalized_by")
            pairs.append((self._t("finalized"), f"{at} ({by})" if by else at))
        pairs.append(
            (self._t("parameters"), ", ".join(f"{k}={v}" for k, v in self.parameters.items()))
        )
        for checklist in self._sheet_checklists():
            key = self._t("checklist_fp", id=checklist.id, version=checklist.version)
            pairs.append((key, checklist.fingerprint))
        pairs += [
            (self._t("data_fp"), self.data_fingerprint),
            (self._t("version"), __version__),
        ]
        return html.provenance(pairs, self.lang)


def _with_advice(scored, sheets: pd.DataFrame, checklists: dict, answers, visit) -> object:
    """``scored`` with each sheet's good-practice share and advice items, counted from the
    stored answers with the stored checklist content and the establishment as it was
    (the visit's snapshot): frozen with the record, so the same at every reading."""
    from audit_lib.checklists import conditions
    from audit_lib.scoring import Scored, good_practice

    snapshot = json.loads(visit["establishment_snapshot"] or "{}")
    inspections = sheets[["inspection_id", "checklist_fingerprint"]].assign(
        inspected_on=pd.Timestamp(visit["visited_on"]),
        **{name: snapshot.get(name) for name in conditions.ATTRIBUTES},
    )
    parts = [
        good_practice(checklists[fp], answers, group)
        for fp, group in inspections.groupby("checklist_fingerprint", sort=False)
    ]
    practice = Scored.concat(parts)
    share = practice.scores.set_index("inspection_id")["good_practice"]
    scores = scored.scores.assign(good_practice=scored.scores["inspection_id"].map(share))
    return replace(scored, scores=scores, advice=practice.advice)


def _checked_actions(store, visit_id: str) -> pd.DataFrame:
    """What ``visit_id`` found of each corrective action it checked, with the action's terms
    and the record that required it (empty when it checked none)."""
    checks = store.action_checks(visit_id)
    columns = ["action_id", "done", "note", *ACTION_TERMS[1:], "required_by"]
    if checks.empty:
        return pd.DataFrame(columns=columns)
    actions = store.actions(columns=ACTION_TERMS)
    actions = actions[actions["action_id"].isin(checks["action_id"])]
    sheets = store.inspections(
        status=None, current_only=False, ids=actions["inspection_id"].unique().tolist()
    )[["inspection_id", "visit_id"]]
    records = store.visits(status=None, current_only=False, ids=sheets["visit_id"].unique())
    sheets = sheets.merge(records[["visit_id", "record_number"]], on="visit_id")
    frame = checks[["action_id", "done", "note"]].merge(actions, on="action_id")
    frame = frame.merge(sheets.drop(columns="visit_id"), on="inspection_id")
    frame = frame.rename(columns={"record_number": "required_by"})
    return frame[columns].sort_values("action_id", ignore_index=True)
