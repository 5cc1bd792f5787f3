"""Findings analysis: filters and aggregations for analysts and the periodic report.

Usage::

    from audit_lib.analysis import _findings as explore
    data = explore.Findings.load(store)     # stored results of the current final sheets
    part = data.filtered(units={"NAMXE"}, sectors={"mining"}, period="2024-2025")
    part.most_violated(top=10, lang="en")   # item, text, findings, share of inspections
    part.compliance_by("sector")            # inspections, passed, pass rate, mean score
    part.repeat_violators()                 # same item non-compliant in successive inspections
    part.export_xlsx("findings.xlsx")       # the filtered findings, one row each

``Findings`` holds plain DataFrames (``inspections`` with establishment
attributes, ``scores``, ``findings``) and every method is pure pandas, so it
is tested without a kernel. :class:`Explorer` puts ipywidgets filters on top::

    explorer = explore.Explorer(data, unit_names, lang="vi")
    explorer.widget          # show it in a notebook
    explorer.sector.value = "mining"   # every table updates at once
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from audit_lib.core import export, html
from audit_lib.core.errors import ExportError
from audit_lib.core.i18n import DEFAULT_LANG, label, nfc, tr
from audit_lib.core.vocabulary import SECTOR_LABELS

INSPECTION_COLUMNS = [
    "inspection_id",
    "establishment_id",
    "checklist_id",
    "inspected_on",
    "type",
    "code",
    "name",
    "sector",
    "unit_code",
]
SCORE_COLUMNS = ["inspection_id", "score", "grade", "passed", "verdict"]
FINDING_COLUMNS = ["inspection_id", "item_id", "severity", "legal_basis", "due_on"]

_PERIOD = re.compile(r"^\s*(\d{4})\s*(?:[-–]\s*(\d{4}))?\s*$")


def period_years(period: str | int) -> tuple[int, int]:
    """``"2025"`` -> (2025, 2025); ``"2021-2025"`` -> (2021, 2025); ValueError otherwise."""
    match = _PERIOD.match(str(period))
    if not match:
        raise ValueError(f"period must look like 2025 or 2021-2025, not {period!r}")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise ValueError(f"period {period!r} ends before it starts")
    return first, last


def unit_names(store, lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Unit code -> name in ``lang`` (the latest row of each code)."""
    units = store.units().drop_duplicates("unit_code", keep="last")
    column = "name_en" if lang == "en" else "name_vi"
    return dict(zip(units["unit_code"], units[column].fillna(units["name_vi"]), strict=True))


def _texts(items: pd.DataFrame | None, lang: str) -> pd.DataFrame:
    column = "text_en" if lang == "en" else "text_vi"
    if items is None or items.empty:
        return pd.DataFrame(columns=["item_id", "text"])
    return items[["item_id", column]].rename(columns={column: "text"}).drop_duplicates("item_id")


@dataclass(frozen=True)
class Findings:
    """Inspections (with establishment attributes), their scores and their findings."""

    inspections: pd.DataFrame
    scores: pd.DataFrame
    findings: pd.DataFrame
    items: pd.DataFrame | None = None

    @classmethod
    def of(
        cls,
        inspections: pd.DataFrame,
        establishments: pd.DataFrame,
        scores: pd.DataFrame,
        findings: pd.DataFrame,
        items: pd.DataFrame | None = None,
    ) -> Findings:
        """Join establishment attributes onto inspections; keep the contract's columns."""
        attrs = establishments[["establishment_id", "code", "name", "sector", "unit_code"]]
        joined = inspections.merge(attrs, on="establishment_id", how="left")
        joined["inspected_on"] = pd.to_datetime(joined["inspected_on"]).dt.date
        return cls(
            inspections=joined[INSPECTION_COLUMNS].reset_index(drop=True),
            scores=scores[SCORE_COLUMNS].reset_index(drop=True),
            findings=findings[FINDING_COLUMNS].reset_index(drop=True),
            items=items,
        )

    @classmethod
    def load(cls, store) -> Findings:
        """Every current final sheet in ``store`` with its stored results and findings.

        Nothing is scored again: scores and findings are what was stored when
        each visit was finalized, item texts those of the checklist content each
        sheet was made with (the newest first where several versions were used).
        """
        sheets = store.inspections(status="final", current_only=True)
        findings = store.findings(columns=FINDING_COLUMNS)
        findings = findings[findings["inspection_id"].isin(sheets["inspection_id"])]
        newest = sheets.sort_values("inspected_on", ascending=False, kind="stable")
        used = map(store.stored_checklist, newest["checklist_fingerprint"].unique())
        items = [checklist.items_frame() for checklist in used]
        items = pd.concat(items, ignore_index=True) if items else None
        return cls.of(sheets, store.establishments(), sheets, findings, items)

    def filtered(
        self,
        units: Iterable[str] | None = None,
        sectors: Iterable[str] | None = None,
        period: str | int | None = None,
        checklists: Iterable[str] | None = None,
    ) -> Findings:
        """The part inspected in ``units``, ``sectors``, ``period`` with ``checklists``
        (None keeps everything)."""
        keep = pd.Series(True, index=self.inspections.index)
        if units is not None:
            keep &= self.inspections["unit_code"].isin(list(units))
        if sectors is not None:
            keep &= self.inspections["sector"].isin(list(sectors))
        if checklists is not None:
            keep &= self.inspections["checklist_id"].isin(list(checklists))
        if period is not None:
            first, last = period_years(period)
            years = pd.to_datetime(self.inspections["inspected_on"]).dt.year
            keep &= years.between(first, last)
        ids = set(self.inspections.loc[keep, "inspection_id"])
        return Findings(
            inspections=self.inspections[keep].reset_index(drop=True),
            scores=self.scores[self.scores["inspection_id"].isin(ids)].reset_index(drop=True),
            findings=self.findings[self.findings["inspection_id"].isin(ids)].reset_index(drop=True),
            items=self.items,
        )

    def most_violated(self, top: int = 10, lang: str = DEFAULT_LANG) -> pd.DataFrame:
        """Items by number of findings: ``item_id, text, severity, findings,
        establishments, share`` (share of the inspections in view with that finding)."""
        columns = ["item_id", "text", "severity", "findings", "establishments", "share"]
        if self.findings.empty:
            return pd.DataFrame(columns=columns)
        joined = self.findings.merge(
            self.inspections[["inspection_id", "establishment_id"]], on="inspection_id"
        )
        counts = joined.groupby("item_id").agg(
            severity=("severity", "first"),
            findings=("inspection_id", "nunique"),
            establishments=("establishment_id", "nunique"),
        )
        counts["share"] = counts["findings"] / max(len(self.inspections), 1) * 100
        counts = counts.reset_index().merge(_texts(self.items, lang), on="item_id", how="left")
        counts["text"] = counts["text"].fillna("").map(nfc)
        ordered = counts.sort_values(["findings", "item_id"], ascending=[False, True])
        return ordered[columns].head(top).reset_index(drop=True)

    def compliance_by(self, by: str) -> pd.DataFrame:
        """Per ``by`` (``sector``, ``unit_code``, ``checklist_id``...): ``inspections,
        passed, pass_rate`` (%) and ``mean_score``; scored inspections only."""
        columns = [by, "inspections", "passed", "pass_rate", "mean_score"]
        joined = self.inspections[["inspection_id", by]].merge(self.scores, on="inspection_id")
        joined = joined[joined["verdict"] != "incomplete"]
        if joined.empty:
            return pd.DataFrame(columns=columns)
        grouped = joined.groupby(by).agg(
            inspections=("inspection_id", "nunique"),
            passed=("passed", "sum"),
            mean_score=("score", "mean"),
        )
        grouped["passed"] = grouped["passed"].astype(int)
        grouped["pass_rate"] = grouped["passed"] / grouped["inspections"] * 100
        return grouped.reset_index().sort_values(by)[columns].reset_index(drop=True)

    def coverage(self, establishments: pd.DataFrame, by: str = "unit_code") -> pd.DataFrame:
        """Per ``by``: active ``establishments``, how many were ``inspected``, ``share`` (%)."""
        active = establishments.groupby(by)["establishment_id"].nunique().rename("establishments")
        seen = self.inspections.groupby(by)["establishment_id"].nunique().rename("inspected")
        table = pd.concat([active, seen], axis=1).fillna(0).astype(int)
        table["share"] = (
            table["inspected"] / table["establishments"].where(table["establishments"] > 0) * 100
        )
        return table.rename_axis(by).reset_index().sort_values(by).reset_index(drop=True)

    def repeat_violators(self) -> pd.DataFrame:
        """Establishments non-compliant on the same item in successive inspections:
        ``code, name, item_id, times`` (length of the longest such run),
        ``first_on, last_on`` (its first and last inspection date)."""
        columns = ["establishment_id", "code", "name", "item_id", "times", "first_on", "last_on"]
        visits = self.inspections[["inspection_id", "establishment_id", "inspected_on"]]
        visits = visits.sort_values(["establishment_id", "inspected_on", "inspection_id"])
        visits = visits.assign(visit=visits.groupby("establishment_id").cumcount())
        hits = self.findings[["inspection_id", "item_id"]].drop_duplicates()
        hits = hits.merge(visits, on="inspection_id").sort_values(
            ["establishment_id", "item_id", "visit"]
        )
        if hits.empty:
            return pd.DataFrame(columns=columns)
        key = ["establishment_id", "item_id"]
        gap = hits.groupby(key)["visit"].diff().ne(1)
        hits = hits.assign(run=gap.cumsum())
        runs = hits.groupby([*key, "run"]).agg(
            times=("visit", "size"),
            first_on=("inspected_on", "min"),
            last_on=("inspected_on", "max"),
        )
        runs = runs[runs["times"] >= 2].reset_index()
        if runs.empty:
            return pd.DataFrame(columns=columns)
        runs = runs.sort_values("times", ascending=False).drop_duplicates(key)
        names = self.inspections[["establishment_id", "code", "name"]].drop_duplicates(
            "establishment_id"
        )
        runs = runs.merge(names, on="establishment_id", how="left")
        ordered = runs.sort_values(["times", "code", "item_id"], ascending=[False, True, True])
        return ordered[columns].reset_index(drop=True)

    def table(self) -> pd.DataFrame:
        """One row per finding with its inspection and establishment: what is exported."""
        joined = self.findings.merge(self.inspections, on="inspection_id", how="left")
        joined = joined.merge(self.scores, on="inspection_id", how="left")
        if self.items is not None and not self.items.empty:
            joined = joined.merge(
                self.items[["item_id", "text_vi", "text_en"]].drop_duplicates("item_id"),
                on="item_id",
                how="left",
            )
        return joined.sort_values(["inspected_on", "code", "item_id"]).reset_index(drop=True)

    def export_xlsx(self, path: str | os.PathLike) -> int:
        """Write the filtered findings to ``path`` (.xlsx); returns the number of rows.

        Text that a spreadsheet would take for a formula is exported as text, and
        the file is written whole or not at all (see :mod:`audit_lib.core.export`);
        :class:`~audit_lib.core.errors.ExportError` says why it could not be.
        """
        table = self.table()
        export.write_xlsx({"findings": table}, path)
        return len(table)


MESSAGES = {
    "all": {"vi": "(tất cả)", "en": "(all)"},
    "unit": {"vi": "Đơn vị", "en": "Unit"},
    "sector": {"vi": "Ngành", "en": "Sector"},
    "period": {"vi": "Kỳ", "en": "Period"},
    "checklist": {"vi": "Bảng kiểm", "en": "Checklist"},
    "export": {"vi": "Xuất Excel (.xlsx)", "en": "Export to Excel (.xlsx)"},
    "file": {"vi": "Tệp", "en": "File"},
    "exported": {"vi": "Đã ghi {rows} dòng vào {path}", "en": "Wrote {rows} rows to {path}"},
    "export_failed": {
        "vi": "Không ghi được {path}: {error}. Chưa ghi gì vào đó, tệp cũ nếu có vẫn giữ nguyên.",
        "en": "Could not write {path}: {error}. Nothing was written there, an older file "
        "stays as it was.",
    },
    "in_view": {
        "vi": "{inspections} lượt kiểm tra, {findings} vi phạm",
        "en": "{inspections} inspections, {findings} findings",
    },
    "most_violated": {"vi": "Nội dung vi phạm nhiều nhất", "en": "Most violated items"},
    "by_sector": {"vi": "Mức tuân thủ theo ngành", "en": "Compliance by sector"},
    "by_unit": {"vi": "Mức tuân thủ theo xã", "en": "Compliance by commune"},
    "repeat": {"vi": "Cơ sở tái phạm", "en": "Repeat violators"},
    "none": {"vi": "Không có", "en": "None"},
    "item": {"vi": "Mục", "en": "Item"},
    "item_id": {"vi": "Mục", "en": "Item"},
    "text": {"vi": "Nội dung", "en": "Requirement"},
    "severity": {"vi": "Mức độ", "en": "Severity"},
    "findings": {"vi": "Số vi phạm", "en": "Findings"},
    "establishments": {"vi": "Số cơ sở", "en": "Establishments"},
    "share": {"vi": "% lượt kiểm tra", "en": "% of inspections"},
    "inspections": {"vi": "Lượt kiểm tra", "en": "Inspections"},
    "passed": {"vi": "Đạt", "en": "Passed"},
    "pass_rate": {"vi": "Tỷ lệ đạt (%)", "en": "Pass rate (%)"},
    "mean_score": {"vi": "Điểm TB", "en": "Mean score"},
    "code": {"vi": "Mã cơ sở", "en": "Code"},
    "name": {"vi": "Tên cơ sở", "en": "Establishment"},
    "times": {"vi": "Số lần liên tiếp", "en": "Successive times"},
    "first_on": {"vi": "Từ ngày", "en": "First"},
    "last_on": {"vi": "Đến ngày", "en": "Last"},
}


def labels(keys: Iterable[str], lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Column name -> header in ``lang`` for the columns these tables show."""
    return {key: tr(MESSAGES, key, lang) for key in keys}


class Explorer:
    """Filters (unit, sector, period, checklist) over :class:`Findings`, tables that
    follow them, and a button exporting the filtered findings to .xlsx."""

    def __init__(
        self,
        data: Findings,
        unit_names: dict[str, str] | None = None,
        lang: str = DEFAULT_LANG,
        export_path: str = "findings.xlsx",
    ):
        import ipywidgets as w

        self.data, self.lang = data, lang
        every = tr(MESSAGES, "all", lang)
        names = unit_names or {}
        inspections = data.inspections

        def options(values, show=str):
            return [(every, None)] + [(show(v), v) for v in sorted(set(values.dropna()))]

        years = pd.to_datetime(inspections["inspected_on"]).dt.year
        self.unit = w.Dropdown(
            description=tr(MESSAGES, "unit", lang),
            options=options(inspections["unit_code"], lambda c: f"{names.get(c, c)} ({c})"),
        )
        self.sector = w.Dropdown(
            description=tr(MESSAGES, "sector", lang),
            options=options(inspections["sector"], lambda s: label(SECTOR_LABELS, s, lang)),
        )
        self.period = w.Dropdown(
            description=tr(MESSAGES, "period", lang), options=options(years.astype(str))
        )
        self.checklist = w.Dropdown(
            description=tr(MESSAGES, "checklist", lang),
            options=options(inspections["checklist_id"]),
        )
        self.path = w.Text(value=export_path, description=tr(MESSAGES, "file", lang))
        self.export = w.Button(description=tr(MESSAGES, "export", lang), icon="download")
        self.status = w.HTML()
        self.tables = w.HTML()
        for control in (self.unit, self.sector, self.period, self.checklist):
            control.observe(lambda _change: self.refresh(), names="value")
        self.export.on_click(lambda _button: self.save())
        self.widget = w.VBox(
            [
                w.HBox([self.unit, self.sector]),
                w.HBox([self.period, self.checklist]),
                w.HBox([self.path, self.export]),
                self.status,
                self.tables,
            ]
        )
        self.refresh()

    def current(self) -> Findings:
        """The findings the filters select now."""

        def one(control):
            return None if control.value is None else [control.value]

        return self.data.filtered(
            units=one(self.unit),
            sectors=one(self.sector),
            period=self.period.value,
            checklists=one(self.checklist),
        )

    def refresh(self) -> None:
        """Recompute every table for the current filters."""
        part, lang = self.current(), self.lang
        none = tr(MESSAGES, "none", lang)
        summary = tr(
            MESSAGES,
            "in_view",
            lang,
            inspections=len(part.inspections),
            findings=len(part.findings),
        )
        rate = {"pass_rate": ".1f", "mean_score": ".1f", "share": ".1f"}
        self.tables.value = "".join(
            [
                html.paragraph(summary),
                html.heading(tr(MESSAGES, "most_violated", lang), 3),
                html.table(
                    part.most_violated(lang=lang),
                    labels(
                        ["item_id", "text", "severity", "findings", "establishments", "share"], lang
                    ),
                    rate,
                    none,
                ),
                html.heading(tr(MESSAGES, "by_sector", lang), 3),
                html.table(
                    part.compliance_by("sector").assign(
                        sector=lambda d: d["sector"].map(lambda s: label(SECTOR_LABELS, s, lang))
                    ),
                    labels(["sector", "inspections", "passed", "pass_rate", "mean_score"], lang),
                    rate,
                    none,
                ),
                html.heading(tr(MESSAGES, "by_unit", lang), 3),
                html.table(
                    part.compliance_by("unit_code"),
                    {"unit_code": tr(MESSAGES, "unit", lang)}
                    | labels(["inspections", "passed", "pass_rate", "mean_score"], lang),
                    rate,
                    none,
                ),
                html.heading(tr(MESSAGES, "repeat", lang), 3),
                html.table(
                    part.repeat_violators(),
                    labels(["code", "name", "item_id", "times", "first_on", "last_on"], lang),
                    None,
                    none,
                ),
            ]
        )

    def save(self) -> None:
        """Export what the filters select to the file named in the text box."""
        path = self.path.value
        try:
            rows = self.current().export_xlsx(path)
        except ExportError as exc:
            self.status.value = html.paragraph(
                tr(MESSAGES, "export_failed", self.lang, path=path, error=exc.reason), "error"
            )
            return
        self.status.value = html.paragraph(
            tr(MESSAGES, "exported", self.lang, rows=rows, path=path)
        )
