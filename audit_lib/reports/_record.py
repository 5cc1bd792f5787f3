"""The inspection record (biên bản kiểm tra ATVSLĐ): what one inspection report shows.

Usage::

    from audit_lib.reports._record import InspectionRecord
    rec = InspectionRecord.load("sqlite:///data/audit.db", inspection_id, lang="vi")
    rec.heading()        # escaped HTML: national motto, title, place and date
    rec.details()        # establishment and inspection details
    rec.result()         # score, grade, verdict; rec.section_chart() -> HTML <img>
    rec.findings()       # findings with legal basis, corrective action, due date, note
    rec.gaps(); rec.rules(); rec.signatures(); rec.provenance()

Everything is read once in :meth:`InspectionRecord.load` (the store, the
checklist the inspection was made with, :func:`audit_lib.scoring._score.score`), and
each method returns a piece of escaped HTML for the notebook to display.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from audit_lib import __version__
from audit_lib.analysis import charts
from audit_lib.core import db_urls, html
from audit_lib.core.i18n import DEFAULT_LANG, check_lang, label, tr
from audit_lib.core.vocabulary import (
    INSPECTION_VERDICT_LABELS,
    KIND_LABELS,
    SECTOR_LABELS,
    SEVERITY_LABELS,
    VISIT_TYPE_LABELS,
)

MESSAGES = {
    "team": {"vi": "ĐOÀN KIỂM TRA ATVSLĐ", "en": "OSH INSPECTION TEAM"},
    "place": {"vi": "Phong Thổ", "en": "Phong Tho"},
    "title": {
        "vi": "BIÊN BẢN KIỂM TRA CÔNG TÁC AN TOÀN, VỆ SINH LAO ĐỘNG",
        "en": "RECORD OF OCCUPATIONAL SAFETY AND HEALTH INSPECTION",
    },
    "number": {"vi": "Số: {number}", "en": "No. {number}"},
    "dated": {
        "vi": "{place}, ngày {d:02d} tháng {m:02d} năm {y}",
        "en": "{place}, {y}-{m:02d}-{d:02d}",
    },
    "establishment": {"vi": "I. Thông tin cơ sở", "en": "I. The establishment"},
    "inspection": {"vi": "II. Thông tin cuộc kiểm tra", "en": "II. The inspection"},
    "result": {"vi": "III. Kết quả đánh giá", "en": "III. Result"},
    "sections": {"vi": "Điểm theo phần", "en": "Score by section"},
    "findings": {
        "vi": "IV. Nội dung vi phạm, căn cứ pháp lý và biện pháp khắc phục",
        "en": "IV. Findings, legal basis and corrective actions",
    },
    "gaps": {"vi": "V. Nội dung chưa kiểm tra được", "en": "V. Items not checked"},
    "rules": {"vi": "VI. Cách đánh giá đã áp dụng", "en": "VI. Scoring rules applied"},
    "closing": {
        "vi": "Biên bản được lập thành 02 bản có giá trị như nhau, mỗi bên giữ 01 bản; "
        "cơ sở có trách nhiệm khắc phục các nội dung trên đúng thời hạn.",
        "en": "This record is made in two copies of equal value, one for each party; "
        "the establishment shall correct the findings above by their due dates.",
    },
    "no_findings": {"vi": "Không có nội dung vi phạm.", "en": "No findings."},
    "no_gaps": {"vi": "Không có.", "en": "None."},
    "name": {"vi": "Tên cơ sở", "en": "Name"},
    "code": {"vi": "Mã số thuế / đăng ký", "en": "Tax / registration code"},
    "unit": {"vi": "Địa chỉ (xã, thị trấn)", "en": "Address (commune)"},
    "sector": {"vi": "Ngành nghề", "en": "Sector"},
    "kind": {"vi": "Loại hình", "en": "Kind"},
    "workforce": {"vi": "Số lao động", "en": "Workers"},
    "strict_workers": {
        "vi": "Lao động làm công việc có yêu cầu nghiêm ngặt",
        "en": "Workers in jobs with strict OSH requirements",
    },
    "date": {"vi": "Ngày kiểm tra", "en": "Date"},
    "type": {"vi": "Hình thức", "en": "Type"},
    "inspectors": {"vi": "Thành viên đoàn kiểm tra", "en": "Inspectors"},
    "checklist": {"vi": "Bảng kiểm", "en": "Checklist"},
    "revision": {"vi": "Lần sửa đổi", "en": "Revision"},
    "reason": {"vi": "Lý do sửa đổi", "en": "Reason for revision"},
    "score": {"vi": "Điểm tuân thủ", "en": "Compliance score"},
    "grade": {"vi": "Xếp loại", "en": "Grade"},
    "verdict": {"vi": "Kết luận", "en": "Verdict"},
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
    "sign_employer": {"vi": "ĐẠI DIỆN CƠ SỞ", "en": "FOR THE ESTABLISHMENT"},
    "sign_team": {"vi": "TRƯỞNG ĐOÀN KIỂM TRA", "en": "HEAD OF THE INSPECTION TEAM"},
    "parameters": {"vi": "Tham số", "en": "Parameters"},
    "checklist_fp": {
        "vi": "Bảng kiểm (mã, phiên bản, dấu vân tay)",
        "en": "Checklist (id, version, fingerprint)",
    },
    "data_fp": {
        "vi": "Dấu vân tay dữ liệu đã đọc (sha256)",
        "en": "Fingerprint of the data read (sha256)",
    },
    "version": {"vi": "Phiên bản audit_lib", "en": "audit_lib version"},
    "fp_mismatch": {
        "vi": "Lưu ý: bảng kiểm hiện tại khác bản đã dùng khi kiểm tra ({stored}); "
        "điểm được tính lại theo bản hiện tại.",
        "en": "Note: the checklist changed since the inspection ({stored}); "
        "the score is recomputed with the current one.",
    },
}


def fingerprint(*frames: pd.DataFrame) -> str:
    """sha256 of the frames' content (columns sorted, rows sorted), as hex."""
    digest = hashlib.sha256()
    for frame in frames:
        ordered = frame.reindex(sorted(frame.columns), axis=1)
        ordered = ordered.sort_values(list(ordered.columns)).reset_index(drop=True)
        digest.update(ordered.to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def checklist_named(checklist_id: str):
    """The shipped checklist ``checklist_id``: its own file first (``<id>.yaml``, one
    file to parse instead of all), else any file declaring that id."""
    from audit_lib.checklists import default_directory, load_checklist, load_checklists
    from audit_lib.core.errors import NotFoundError

    path = default_directory() / f"{checklist_id}.yaml"
    if path.exists():
        checklist = load_checklist(path)
        if checklist.id == checklist_id:
            return checklist
    found = load_checklists()
    if checklist_id not in found:
        raise NotFoundError("checklist", checklist_id)
    return found[checklist_id]


@dataclass(frozen=True)
class InspectionRecord:
    """One inspection with its establishment, checklist and score, ready to print."""

    parameters: dict
    inspection: pd.Series
    establishment: pd.Series
    unit_name: str
    checklist: object
    scored: object
    responses: pd.DataFrame
    data_fingerprint: str
    lang: str = DEFAULT_LANG

    @classmethod
    def load(cls, db_url: str | None, inspection_id: str, lang: str = DEFAULT_LANG):
        """Read the inspection and score it; NotFoundError for an unknown id."""
        from audit_lib.core.errors import NotFoundError
        from audit_lib.scoring import score
        from audit_lib.store import open_store

        check_lang(lang)
        with open_store(db_url) as store:
            found = store.inspections(status=None, current_only=False, ids=[inspection_id])
            if found.empty:
                raise NotFoundError("inspection", inspection_id)
            establishments = store.establishments()
            responses = store.responses([inspection_id])
            units = store.units()
            shown_url = db_urls.masked(db_url or store.url)
        inspection = found.iloc[0]
        est = establishments[establishments["establishment_id"] == inspection["establishment_id"]]
        checklist = checklist_named(inspection["checklist_id"])
        names = units.drop_duplicates("unit_code", keep="last").set_index("unit_code")
        column = "name_en" if lang == "en" else "name_vi"
        unit_code = est["unit_code"].iloc[0] if len(est) else None
        unit_name = str(names[column].get(unit_code, unit_code or ""))
        scored = score(checklist, responses, found.iloc[[0]], establishments)
        return cls(
            parameters={"inspection_id": inspection_id, "db_url": shown_url, "lang": lang},
            inspection=inspection,
            establishment=est.iloc[0] if len(est) else pd.Series(dtype=object),
            unit_name=unit_name,
            checklist=checklist,
            scored=scored,
            responses=responses,
            data_fingerprint=fingerprint(found.iloc[[0]], est, responses),
            lang=lang,
        )

    def _t(self, key: str, **fmt) -> str:
        return tr(MESSAGES, key, self.lang, **fmt)

    def heading(self) -> str:
        day = pd.Timestamp(self.inspection["inspected_on"])
        number = str(self.inspection["inspection_id"])[:8].upper()
        place = self._t("place")
        return (
            '<div class="doc-head">'
            f'<div><p class="national">{html.escape(self._t("team"))}</p>'
            f"<p>{html.escape(self._t('number', number=number))}</p></div>"
            f"<div>{html.national_heading(self.lang)}</div></div>"
            + html.paragraph(
                self._t("dated", place=place, d=day.day, m=day.month, y=day.year), "place-date"
            )
            + f"<h1>{html.escape(self._t('title'))}</h1>"
        )

    def details(self) -> str:
        est, insp, lang = self.establishment, self.inspection, self.lang
        firm = [
            (self._t("name"), est.get("name")),
            (self._t("code"), est.get("code")),
            (self._t("unit"), self.unit_name),
            (self._t("sector"), label(SECTOR_LABELS, est.get("sector"), lang)),
            (self._t("kind"), label(KIND_LABELS, est.get("kind"), lang)),
            (self._t("workforce"), est.get("workforce")),
            (self._t("strict_workers"), est.get("strict_workers")),
        ]
        visit = [
            (self._t("date"), html.day(insp["inspected_on"], lang)),
            (self._t("type"), label(VISIT_TYPE_LABELS, insp.get("type"), lang)),
            (self._t("inspectors"), insp.get("inspectors")),
            (
                self._t("checklist"),
                f"{self.checklist.title.pick(lang)} ({self.checklist.id} {self.checklist.version})",
            ),
        ]
        if int(insp.get("revision") or 1) > 1:
            visit += [
                (self._t("revision"), insp.get("revision")),
                (self._t("reason"), insp.get("reason")),
            ]
        return (
            html.heading(self._t("establishment"))
            + html.key_values(firm)
            + html.heading(self._t("inspection"))
            + html.key_values(visit)
        )

    def result(self) -> str:
        row = self.scored.scores.iloc[0]
        grade = next((g for g in self.checklist.grades if g.code == row["grade"]), None)
        grade_text = f"{row['grade']} ({grade.label.pick(self.lang)})" if grade else "—"
        verdict = row["verdict"]
        pairs = [
            (self._t("score"), "—" if pd.isna(row["score"]) else f"{row['score']:.1f} %"),
            (self._t("grade"), grade_text),
            (self._t("counted"), f"{row['applicable']} / {row['answered']} / {row['gaps']}"),
            (self._t("critical_failures"), row["critical_failures"]),
        ]
        note = ""
        stored = self.inspection.get("checklist_fingerprint")
        if stored and stored != self.checklist.fingerprint:
            note = html.paragraph(self._t("fp_mismatch", stored=str(stored)[:12]), "note")
        return (
            html.heading(self._t("result")) + f"<p>{html.escape(self._t('verdict'))}: "
            f'<span class="verdict {html.escape(verdict)}">'
            f"{html.escape(label(INSPECTION_VERDICT_LABELS, verdict, self.lang))}</span></p>"
            + html.key_values(pairs)
            + note
        )

    def section_chart(self) -> str:
        sections = self.scored.sections
        titles = {s.id: s.title.pick(self.lang) for s in self.checklist.sections}
        order = [s.id for s in self.checklist.sections]
        sections = sections.set_index("section_id").reindex(
            [s for s in order if s in set(sections["section_id"])]
        )
        pass_mark = min((g.min for g in self.checklist.grades if g.passed), default=None)
        png = charts.section_scores(
            [titles.get(s, s) for s in sections.index],
            sections["score"].tolist(),
            pass_mark=pass_mark,
            title=self._t("sections"),
            lang=self.lang,
        )
        return html.heading(self._t("sections"), 3) + html.image(png, self._t("sections"))

    def findings(self) -> str:
        """Findings in checklist order, with the inspector's note (scoring carries it)."""
        lang = self.lang
        found = self.scored.findings.copy()
        found["requirement"] = found[f"text_{lang}"]
        found["action"] = found[f"action_{lang}"]
        found["severity"] = found["severity"].map(lambda s: label(SEVERITY_LABELS, s, lang))
        found["due_on"] = found["due_on"].map(lambda d: html.day(d, lang))
        keys = ("requirement", "severity", "legal_basis", "action", "due_on", "note")
        columns = {"item_id": self._t("item")} | {k: self._t(k) for k in keys}
        return html.heading(self._t("findings")) + html.table(
            found, columns, empty=self._t("no_findings"), nowrap=["due_on"]
        )

    def gaps(self) -> str:
        gaps = self.scored.gaps
        items = self.checklist.items_frame()[["item_id", f"text_{self.lang}"]]
        gaps = gaps.merge(items, on="item_id", how="left")
        gaps["severity"] = gaps["severity"].map(lambda s: label(SEVERITY_LABELS, s, self.lang))
        columns = {
            "item_id": self._t("item"),
            f"text_{self.lang}": self._t("requirement"),
            "severity": self._t("severity"),
        }
        return html.heading(self._t("gaps")) + html.table(gaps, columns, empty=self._t("no_gaps"))

    def rules(self) -> str:
        from audit_lib.scoring import rules

        items = "".join(f"<li>{html.escape(r)}</li>" for r in rules(self.checklist, self.lang))
        return html.heading(self._t("rules")) + f"<ol>{items}</ol>"

    def signatures(self) -> str:
        return html.paragraph(self._t("closing")) + html.signatures(
            [(self._t("sign_employer"), ""), (self._t("sign_team"), self.team_head())],
            self.lang,
        )

    def team_head(self) -> str:
        """The first inspector named (inspectors are separated by ';' or ',')."""
        names = str(self.inspection.get("inspectors") or "").replace(",", ";").split(";")
        return names[0].strip()

    def provenance(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.parameters.items())
        checklist = f"{self.checklist.id} {self.checklist.version} {self.checklist.fingerprint}"
        return html.provenance(
            [
                (self._t("parameters"), params),
                (self._t("checklist_fp"), checklist),
                (self._t("data_fp"), self.data_fingerprint),
                (self._t("version"), __version__),
            ],
            self.lang,
        )
