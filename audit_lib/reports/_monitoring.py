"""The periodic (sơ kết / tổng kết) monitoring report on a plan, for one unit and period.

Usage::

    from audit_lib.reports._monitoring import MonitoringReport
    rep = MonitoringReport.load(db_url, "data/plans/453-KH-HU.yaml", "PT", "2021-2025")
    rep.heading()        # escaped HTML: national motto, title, plan, unit, period
    rep.targets()        # each target: value, 95 % interval, target, verdict
    rep.trends()         # one chart per target: yearly values, interval band, trajectory
    rep.by_commune(); rep.by_sector(); rep.coverage(); rep.violations()
    rep.method(); rep.provenance()

The numbers come from :func:`audit_lib.indicators._compute.compute` (values, intervals,
targets, verdicts) and :class:`audit_lib.analysis._findings.Findings` (compliance,
coverage, violations). Units are taken as valid at the newest change of the
hierarchy when the unit still exists then, else on its last day (a district
abolished on 1 July 2025 is reported with its communes of that time).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from audit_lib import __version__
from audit_lib.analysis import Findings, charts, labels, period_years
from audit_lib.core import db_urls, html
from audit_lib.core.i18n import DEFAULT_LANG, check_lang, label, tr
from audit_lib.core.vocabulary import SECTOR_LABELS, SEVERITY_LABELS
from audit_lib.indicators import CATALOGUE, verdict_label
from audit_lib.reports._record import fingerprint

MESSAGES = {
    "interim": {"vi": "BÁO CÁO SƠ KẾT", "en": "INTERIM REVIEW"},
    "final": {"vi": "BÁO CÁO TỔNG KẾT", "en": "FINAL REVIEW"},
    "subtitle": {
        "vi": "Kết quả thực hiện {plan}, {unit}, giai đoạn {period}",
        "en": "Implementation of {plan}, {unit}, {period}",
    },
    "issuer": {"vi": "Cơ quan ban hành kế hoạch", "en": "Plan issued by"},
    "plan": {"vi": "Kế hoạch", "en": "Plan"},
    "unit": {"vi": "Đơn vị", "en": "Unit"},
    "period": {"vi": "Kỳ báo cáo", "en": "Period"},
    "units_at": {"vi": "Đơn vị hành chính theo ngày", "en": "Administrative units as of"},
    "targets": {"vi": "I. Kết quả thực hiện các chỉ tiêu", "en": "I. The targets"},
    "year_table": {"vi": "Năm {year}", "en": "Year {year}"},
    "pooled_table": {"vi": "Gộp cả kỳ {period}", "en": "Pooled over {period}"},
    "trends": {"vi": "II. Diễn biến từng chỉ tiêu", "en": "II. Trend of each target"},
    "communes": {"vi": "III. Theo xã", "en": "III. By commune"},
    "sectors": {"vi": "IV. Theo ngành", "en": "IV. By sector"},
    "coverage": {"vi": "V. Công tác kiểm tra", "en": "V. Inspections"},
    "violations": {"vi": "VI. Nội dung vi phạm thường gặp", "en": "VI. Most frequent violations"},
    "method": {"vi": "VII. Phương pháp tính", "en": "VII. Method"},
    "target_id": {"vi": "Chỉ tiêu", "en": "Target"},
    "text": {"vi": "Nội dung", "en": "Target text"},
    "value": {"vi": "Giá trị", "en": "Value"},
    "interval": {"vi": "Khoảng tin cậy 95%", "en": "95% interval"},
    "target_value": {"vi": "Mục tiêu", "en": "Target"},
    "counts": {"vi": "Tử số / mẫu số", "en": "Numerator / denominator"},
    "verdict": {"vi": "Đánh giá", "en": "Verdict"},
    "note": {"vi": "Ghi chú", "en": "Note"},
    "pass_rate_chart": {"vi": "Tỷ lệ cuộc kiểm tra đạt (%)", "en": "Inspections passed (%)"},
    "coverage_chart": {"vi": "Tỷ lệ cơ sở được kiểm tra (%)", "en": "Establishments inspected (%)"},
    "establishments": {"vi": "Cơ sở đang hoạt động", "en": "Active establishments"},
    "inspected": {"vi": "Cơ sở được kiểm tra", "en": "Establishments inspected"},
    "share": {"vi": "Tỷ lệ (%)", "en": "Share (%)"},
    "none": {"vi": "Không có số liệu.", "en": "No data."},
    "factor": {
        "vi": "{target}: {numerator} × {factor:g} / {denominator}",
        "en": "{target}: {numerator} × {factor:g} / {denominator}",
    },
    "method_rates": {
        "vi": "Tần suất, số đếm: khoảng tin cậy 95% chính xác theo phân phối Poisson (Garwood).",
        "en": "Rates and counts: exact (Garwood) Poisson 95% interval.",
    },
    "method_shares": {
        "vi": "Tỷ lệ: khoảng tin cậy 95% {method}.",
        "en": "Shares: {method} 95% interval.",
    },
    "wilson": {"vi": "Wilson", "en": "Wilson score"},
    "exact": {"vi": "chính xác Clopper-Pearson", "en": "exact Clopper-Pearson"},
    "method_change": {
        "vi": "Chỉ tiêu tăng/giảm bình quân năm: mục tiêu năm t = giá trị năm gốc × (1 ± tỷ lệ)"
        "^(t − năm gốc); kèm trung bình các mức thay đổi từng năm.",
        "en": "Average annual change: target(t) = baseline × (1 ± rate)^(t − baseline year); "
        "the mean of year-on-year changes is shown too.",
    },
    "method_verdict": {
        "vi": "Đánh giá: Đạt khi cả khoảng tin cậy nằm về phía tốt của mục tiêu; Không đạt khi cả "
        "khoảng nằm về phía xấu; Quá ít số liệu để kết luận khi khoảng chứa mục tiêu. "
        "Chỉ tiêu 100% được đánh giá trên từng vụ việc; vụ chưa điều tra xong nhưng vào ngày cuối "
        'kỳ còn trong thời hạn điều tra (Luật 84/2015/QH13, Điều 35) là "đang trong thời hạn '
        'điều tra", không phải không đạt; vụ khai báo muộn được ghi chú.',
        "en": "Verdict: achieved when the whole interval is on the good side of the target; not "
        "achieved when it is all on the bad side; too few events to tell when it contains the "
        "target. 100% targets are judged on the cases themselves; an accident whose "
        "investigation is not completed but on the period's last day is still within its legal "
        'time (Law 84/2015/QH13, Art. 35) is "pending", not a failure; late declarations are '
        "noted.",
    },
    "crosswalk": {"vi": "Bảng chuyển đổi đơn vị", "en": "Unit crosswalk"},
    "crosswalk_illustrative": {
        "vi": "minh họa, chưa đối chiếu văn bản gốc: {sources}",
        "en": "illustrative, not checked against the original text: {sources}",
    },
    "crosswalk_sourced": {"vi": "theo {sources}", "en": "from {sources}"},
    "no_source": {"vi": "không ghi nguồn", "en": "no source recorded"},
    "method_units": {
        "vi": "Số liệu của đơn vị cũ được chuyển sang đơn vị mới theo bảng chuyển đổi; "
        "cộng tử số và mẫu số, không lấy trung bình các tỷ lệ.",
        "en": "Data of former units are carried to the new ones by the crosswalk; numerators and "
        "denominators are summed, rates are never averaged.",
    },
    "parameters": {"vi": "Tham số", "en": "Parameters"},
    "plan_fp": {
        "vi": "Tệp kế hoạch — Mã kiểm tra (SHA-256)",
        "en": "Plan file — Checksum (SHA-256)",
    },
    "data_fp": {
        "vi": "Dữ liệu đã đọc — Mã kiểm tra (SHA-256)",
        "en": "Data read — Checksum (SHA-256)",
    },
    "version": {"vi": "Phiên bản audit_lib", "en": "audit_lib version"},
}


MARKS = {"achieved": "✓", "not_achieved": "✗", "too_few": "?", "pending": "…"}
"""Short verdict marks for the wide commune table (no mark: no data)."""


def number(value: object) -> str:
    """A value as shown in tables: '—' when missing; 3 significant digits below 100
    (0.123, 4.79, 18.4), whole numbers from 100 (389)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    value = float(value)
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:#.3g}".rstrip(".") if value else "0"


def count(value: object) -> str:
    """A numerator or denominator: whole numbers without decimals, '—' when missing."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    value = float(value)
    return f"{value:.0f}" if value.is_integer() else f"{value:.1f}"


def _at_for(units: pd.DataFrame, tree, code: str) -> dt.date:
    latest = tree.latest_change()
    rows = units[units["unit_code"] == code]
    ends = pd.to_datetime(rows["valid_to"]).dropna()
    if len(ends) == len(rows) and len(rows) and ends.max().date() < latest:
        return ends.max().date()
    return latest


def _largest_share(mapping: pd.DataFrame) -> dict[str, str]:
    best = mapping.sort_values(["code", "share"], ascending=[True, False]).drop_duplicates("code")
    return dict(zip(best["code"], best["unit_code"], strict=True))


@dataclass(frozen=True)
class MonitoringReport:
    """A plan judged for one unit over a period, ready to print."""

    parameters: dict
    plan: object
    plan_sha256: str
    unit_code: str
    unit_name: str
    level: str
    at: dt.date
    years: tuple[int, int]
    yearly: pd.DataFrame
    pooled: pd.DataFrame
    communes: pd.DataFrame
    findings: Findings
    establishments: pd.DataFrame
    data_fingerprint: str
    crosswalk: pd.DataFrame
    lang: str = DEFAULT_LANG

    @classmethod
    def load(cls, db_url, plan_path, unit: str, period: str, lang: str = DEFAULT_LANG):
        """Read the store, compute the plan's indicators for ``unit`` (code or name) and
        ``period``; InputError for an unknown unit, PlanError for a bad plan file."""
        from audit_lib.indicators import Frames, compute, load_plan
        from audit_lib.store import open_store
        from audit_lib.units import Hierarchy

        check_lang(lang)
        first, last = period_years(period)
        plan = load_plan(plan_path, lang)
        with open_store(db_url) as store:
            frames = Frames.from_store(store)
            stored = Findings.load(store)  # findings and item texts as each record has them
            shown_url = db_urls.masked(db_url or store.url)
        tree = Hierarchy(frames.units, frames.crosswalk)
        code = tree.resolve(unit, tree.latest_change(), lang)
        at = _at_for(frames.units, tree, code)
        level = frames.units.loc[frames.units["unit_code"] == code, "level"].iloc[-1]
        years = list(range(first, last + 1))
        yearly = compute(plan, frames, years, level=level, unit=code, at=at, lang=lang)
        pooled = (
            compute(plan, frames, years, level=level, unit=code, at=at, pool_years=True, lang=lang)
            if last > first
            else yearly
        )
        communes = (
            compute(plan, frames, years, "commune", code, at, pool_years=True, lang=lang)
            if level != "commune"
            else pooled.iloc[0:0]
        )
        est = frames.establishments.copy()
        commune_of = _largest_share(tree.mapping(est["unit_code"].dropna().unique(), "commune", at))
        inside = _largest_share(tree.mapping(est["unit_code"].dropna().unique(), level, at))
        est = est[est["unit_code"].map(inside) == code].assign(
            unit_code=lambda d: d["unit_code"].map(commune_of)
        )
        data = Findings.of(
            frames.inspections[
                frames.inspections["establishment_id"].isin(est["establishment_id"])
            ],
            est,
            frames.scores,
            stored.findings,
            stored.items,
        ).filtered(period=period)
        names = tree.names(lang)
        digest = fingerprint(
            frames.units,
            frames.crosswalk,
            frames.establishments,
            frames.inspections,
            stored.findings,
            *(frames.registers[k] for k in sorted(frames.registers)),
        )
        return cls(
            parameters={
                "plan": Path(plan_path).name,
                "unit": unit,
                "period": period,
                "db_url": shown_url,
                "lang": lang,
            },
            plan=plan,
            plan_sha256=hashlib.sha256(Path(plan_path).read_bytes()).hexdigest(),
            unit_code=code,
            unit_name=names.get(code, code),
            level=level,
            at=at,
            years=(first, last),
            yearly=yearly,
            pooled=pooled,
            communes=communes,
            findings=data,
            establishments=est,
            data_fingerprint=digest,
            crosswalk=frames.crosswalk,
            lang=lang,
        )

    def _t(self, key: str, **fmt) -> str:
        return tr(MESSAGES, key, self.lang, **fmt)

    @property
    def period_text(self) -> str:
        first, last = self.years
        return str(first) if first == last else f"{first}–{last}"

    def heading(self) -> str:
        plan, lang = self.plan, self.lang
        whole = self.years[0] <= plan.period.start and self.years[1] >= plan.period.end
        title = self._t("final" if whole else "interim")
        sub = self._t("subtitle", plan=plan.id, unit=self.unit_name, period=self.period_text)
        pairs = [
            (self._t("plan"), f"{plan.id}: {plan.title.pick(lang)}"),
            (self._t("issuer"), f"{plan.issuer.pick(lang)}, {plan.date.isoformat()}"),
            (self._t("unit"), f"{self.unit_name} ({self.unit_code})"),
            (self._t("period"), self.period_text),
            (self._t("units_at"), self.at.isoformat()),
        ]
        if len(self.crosswalk):
            pairs.append((self._t("crosswalk"), self.crosswalk_source()))
        return (
            html.national_heading(lang)
            + f"<h1>{html.escape(title)}</h1>"
            + html.paragraph(sub, "place-date")
            + html.key_values(pairs)
        )

    def crosswalk_source(self) -> str:
        """Where the crosswalk comes from, and whether it is only illustrative."""
        from audit_lib.units import crosswalk_sources

        cw = self.crosswalk
        part = 1 if self.lang == "en" else 0  # the sources say "vi / en"
        sources = [(s.split(" / ") * 2)[part] for s in crosswalk_sources(cw)]
        shown = "; ".join(dict.fromkeys(sources)) or self._t("no_source")
        illustrative = bool(cw["illustrative"].astype("boolean").fillna(False).any())
        return self._t("crosswalk_illustrative" if illustrative else "crosswalk_sourced",
                       sources=shown)  # fmt: skip

    def _target_table(self, rows: pd.DataFrame) -> str:
        rows = rows[rows["target_id"] != ""].copy()
        texts = {t.id: t.text.pick(self.lang) for t in self.plan.targets}
        rows["text"] = rows["target_id"].map(texts)
        rows["shown"] = rows["value"].map(number)
        rows["interval"] = [
            f"{number(a)} – {number(b)}"
            for a, b in zip(rows["ci_low"], rows["ci_high"], strict=True)
        ]
        rows["target"] = rows["target_value"].map(number)
        rows["counts"] = [
            f"{count(n)} / {count(d)}"
            for n, d in zip(rows["numerator"], rows["denominator"], strict=True)
        ]
        columns = {
            "target_id": self._t("target_id"),
            "text": self._t("text"),
            "shown": self._t("value"),
            "interval": self._t("interval"),
            "target": self._t("target_value"),
            "counts": self._t("counts"),
            "verdict_label": self._t("verdict"),
            "note": self._t("note"),
        }
        return html.table(rows, columns, empty=self._t("none"))

    def targets(self) -> str:
        last = self.yearly[self.yearly["period"].astype(str).str.startswith(str(self.years[1]))]
        parts = [
            html.heading(self._t("targets")),
            html.heading(self._t("year_table", year=self.years[1]), 3),
            self._target_table(last),
        ]
        if self.years[1] > self.years[0]:
            parts += [
                html.heading(self._t("pooled_table", period=self.period_text), 3),
                self._target_table(self.pooled),
            ]
        return "".join(parts)

    def trends(self) -> str:
        parts = [html.heading(self._t("trends"))]
        for target in self.plan.targets:
            rows = self.yearly[self.yearly["target_id"] == target.id].sort_values("period")
            title = f"{target.id}. {CATALOGUE[target.indicator].text(self.lang)}"
            png = charts.indicator_trend(
                rows["period"].astype(str).tolist(),
                rows["value"].tolist(),
                rows["ci_low"].tolist(),
                rows["ci_high"].tolist(),
                rows["target_value"].tolist(),
                title=title,
                lang=self.lang,
            )
            parts.append(html.image(png, title))
        return "".join(parts)

    def by_commune(self) -> str:
        parts = [html.heading(self._t("communes"))]
        rows = self.communes[self.communes["target_id"] != ""]
        if rows.empty:
            return "".join([*parts, html.paragraph(self._t("none"), "note")])
        rows = rows.assign(
            cell=[
                f"{number(v)} {MARKS.get(c, '')}".strip()
                for v, c in zip(rows["value"], rows["verdict"], strict=True)
            ]
        )
        legend = " · ".join(f"{m} {verdict_label(c, self.lang)}" for c, m in MARKS.items())
        parts.append(html.paragraph(legend, "note"))
        wide = rows.pivot_table(
            index="unit_name", columns="target_id", values="cell", aggfunc="first"
        ).reset_index()
        columns = {"unit_name": self._t("unit")} | {
            t.id: t.id for t in self.plan.targets if t.id in wide.columns
        }
        parts.append(html.table(wide, columns, empty=self._t("none")))
        passed = self.findings.compliance_by("unit_code")
        if len(passed):
            names = dict(zip(self.communes["unit_code"], self.communes["unit_name"], strict=False))
            parts.append(
                html.image(
                    charts.breakdown(
                        [names.get(c, c) for c in passed["unit_code"]],
                        passed["pass_rate"].round(1).tolist(),
                        title=self._t("pass_rate_chart"),
                        limit=100,
                    ),
                    self._t("pass_rate_chart"),
                )
            )
        return "".join(parts)

    def by_sector(self) -> str:
        table = self.findings.compliance_by("sector")
        table["sector"] = table["sector"].map(lambda s: label(SECTOR_LABELS, s, self.lang))
        rate = {"pass_rate": ".1f", "mean_score": ".1f"}
        head = labels(["sector", "inspections", "passed", "pass_rate", "mean_score"], self.lang)
        parts = [
            html.heading(self._t("sectors")),
            html.table(table, head, rate, self._t("none")),
        ]
        if len(table):
            parts.append(
                html.image(
                    charts.breakdown(
                        table["sector"].tolist(),
                        table["pass_rate"].round(1).tolist(),
                        title=self._t("pass_rate_chart"),
                        limit=100,
                    ),
                    self._t("pass_rate_chart"),
                )
            )
        return "".join(parts)

    def coverage(self) -> str:
        table = self.findings.coverage(self.establishments, "unit_code")
        names = dict(zip(self.communes["unit_code"], self.communes["unit_name"], strict=False))
        names[self.unit_code] = self.unit_name
        table["unit_code"] = table["unit_code"].map(lambda c: names.get(c, c))
        columns = {
            "unit_code": self._t("unit"),
            "establishments": self._t("establishments"),
            "inspected": self._t("inspected"),
            "share": self._t("share"),
        }
        return html.heading(self._t("coverage")) + html.table(
            table, columns, {"share": ".1f"}, self._t("none")
        )

    def violations(self, top: int = 10) -> str:
        table = self.findings.most_violated(top=top, lang=self.lang)
        table["severity"] = table["severity"].map(lambda s: label(SEVERITY_LABELS, s, self.lang))
        columns = labels(
            ["item_id", "text", "severity", "findings", "establishments", "share"], self.lang
        )
        return html.heading(self._t("violations")) + html.table(
            table, columns, {"share": ".1f"}, self._t("none")
        )

    def method(self) -> str:
        lines = [
            self._t(
                "factor",
                target=t.id,
                numerator=t.numerator.pick(self.lang),
                factor=t.factor,
                denominator=t.denominator.pick(self.lang),
            )
            for t in self.plan.targets
            if t.factor and t.denominator
        ]
        lines += [
            self._t("method_rates"),
            self._t("method_shares", method=self._t(self.plan.share_interval)),
            self._t("method_change"),
            self._t("method_verdict"),
            self._t("method_units"),
            f"{self._t('crosswalk')}: {self.crosswalk_source()}",
        ]
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        return html.heading(self._t("method")) + f"<ol>{items}</ol>"

    def provenance(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.parameters.items())
        return html.provenance(
            [
                (self._t("parameters"), params),
                (self._t("plan_fp"), f"{self.plan.id} {self.plan_sha256}"),
                (self._t("data_fp"), self.data_fingerprint),
                (self._t("version"), __version__),
            ],
            self.lang,
        )
