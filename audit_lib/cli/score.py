"""``audit score FILE``: score a responses file and print the results."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

import click

from audit_lib.cli.common import friendly_errors, lang_option
from audit_lib.core import export
from audit_lib.core.i18n import label, pick, tr
from audit_lib.core.vocabulary import INSPECTION_VERDICT_LABELS, SEVERITY_LABELS

if TYPE_CHECKING:
    import pandas as pd

    from audit_lib.scoring import Scored

TABLES = ("scores", "sections", "findings", "gaps")

MESSAGES = {
    "header": {"vi": "Cuộc kiểm tra {id}", "en": "Inspection {id}"},
    "checklist": {"vi": "bảng kiểm {id} {version}", "en": "checklist {id} {version}"},
    "score": {
        "vi": "Điểm: {score} · Xếp loại: {grade} · Kết luận: {verdict}",
        "en": "Score: {score} · Grade: {grade} · Verdict: {verdict}",
    },
    "counts": {
        "vi": "Mục áp dụng: {applicable} · đã trả lời: {answered} · còn thiếu: {gaps} · "
        "trọng số Đạt/đã trả lời: {earned:g}/{weight:g}",
        "en": "Applicable items: {applicable} · answered: {answered} · gaps: {gaps} · "
        "weight compliant/answered: {earned:g}/{weight:g}",
    },
    "sections": {"vi": "Theo phần:", "en": "By section:"},
    "gaps": {"vi": "Còn thiếu (chưa trả lời):", "en": "Gaps (unanswered):"},
    "no_reference": {
        "vi": "chưa có giá trị của mục để so sánh",
        "en": "the item it is compared with has no value",
    },
    "findings": {"vi": "Phát hiện ({n}):", "en": "Findings ({n}):"},
    "no_findings": {"vi": "Không có phát hiện vi phạm.", "en": "No non-compliance found."},
    "basis": {"vi": "Căn cứ", "en": "Legal basis"},
    "action": {"vi": "Khắc phục", "en": "Action"},
    "due": {"vi": "Hạn: {date} ({days} ngày)", "en": "Due: {date} ({days} days)"},
    "value": {"vi": "Giá trị ghi nhận: {value:g}", "en": "Recorded value: {value:g}"},
    "note": {"vi": "Ghi chú", "en": "Note"},
    "summary": {
        "vi": "{n} cuộc kiểm tra: {counts}.",
        "en": "{n} inspection(s): {counts}.",
    },
    "rules": {"vi": "Quy tắc chấm điểm ({id}):", "en": "Scoring rules ({id}):"},
    "fail_critical": {
        "vi": "KHÔNG ĐẠT – vi phạm nghiêm trọng ({n} mục)",
        "en": "FAIL – critical non-compliance ({n} item(s))",
    },
    "incomplete": {
        "vi": "CHƯA ĐỦ THÔNG TIN (thiếu {n} mục, {critical} mục nghiêm trọng)",
        "en": "INCOMPLETE ({n} gap(s), {critical} critical)",
    },
    "no_score": {"vi": "không có mục nào để tính", "en": "nothing to score"},
    "verdict_pass": {"vi": "đạt {n}", "en": "{n} passed"},
    "verdict_fail": {"vi": "không đạt {n}", "en": "{n} failed"},
    "verdict_fail_critical": {
        "vi": "vi phạm nghiêm trọng {n}",
        "en": "{n} failed on a critical item",
    },
    "verdict_incomplete": {"vi": "chưa đủ thông tin {n}", "en": "{n} incomplete"},
}


@click.command("score")
@click.argument("file", type=click.Path(dir_okay=False))
@lang_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="table: readable report; csv: one table (see --table); json: everything.",
)
@click.option(
    "--table",
    type=click.Choice(TABLES),
    default="scores",
    show_default=True,
    help="Which table --format csv prints.",
)
@click.option("--rules", "show_rules", is_flag=True, help="Also print the scoring rules applied.")
@friendly_errors
def score_command(file, lang, fmt, table, show_rules):
    """Score a responses file (YAML or CSV) against the shipped checklists.

    Chấm điểm các cuộc kiểm tra trong tệp trả lời (YAML hoặc CSV).

    \b
    Examples:
      audit score data/examples/inspections.yaml
      audit score data/examples/inspections.yaml --lang en --rules
      audit score data/examples/inspections.csv --format csv --table findings
    """
    from audit_lib.checklists import load_checklists
    from audit_lib.scoring import read_responses, score_many

    checklists = load_checklists()
    read = read_responses(file, checklists)
    scored = score_many(checklists, read.responses, read.inspections)
    if fmt == "csv":
        click.echo(_csv(getattr(scored, table)), nl=False)
    elif fmt == "json":
        click.echo(_json(scored, read.inspections))
    else:
        click.echo(_report(scored, read.inspections, checklists, lang, show_rules))


def _csv(frame: pd.DataFrame) -> str:
    out = frame.copy()
    if "due_on" in out:
        out["due_on"] = out["due_on"].dt.strftime("%Y-%m-%d")
    return export.csv_text(out)


def _plain(value):
    import pandas as pd

    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "item"):
        return _plain(value.item())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [
        {k: _plain(v) for k, v in row.items() if k != "inspection_id"}
        for row in frame.to_dict("records")
    ]


def _json(scored: Scored, inspections: pd.DataFrame) -> str:
    out = []
    info = inspections.set_index("inspection_id")
    for row in scored.scores.to_dict("records"):
        iid = row["inspection_id"]
        one = scored.only(iid)
        establishment = {k: _plain(v) for k, v in info.loc[iid].items() if k != "checklist_id"}
        out.append(
            {
                "inspection_id": iid,
                "establishment": establishment,
                "result": {k: _plain(v) for k, v in row.items() if k != "inspection_id"},
                "sections": _records(one.sections),
                "findings": _records(one.findings),
                "gaps": _records(one.gaps),
            }
        )
    return json.dumps(out, ensure_ascii=False, indent=2)


def _pct(value: float, lang: str) -> str:
    if value is None or math.isnan(value):
        return "–"
    text = f"{value:.1f} %"
    return text.replace(".", ",") if lang == "vi" else text


def _date(value, lang: str) -> str:
    return value.strftime("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d")


def _verdict(row: dict, lang: str) -> str:
    verdict = row["verdict"]
    if verdict == "fail_critical":
        return tr(MESSAGES, verdict, lang, n=row["critical_failures"])
    if verdict == "incomplete":
        return tr(MESSAGES, verdict, lang, n=row["gaps"], critical=row["critical_gaps"])
    return label(INSPECTION_VERDICT_LABELS, verdict, lang)


def _severity(code: str, lang: str) -> str:
    return label(SEVERITY_LABELS, code, lang).lower()


def _grade(checklist, code, lang: str) -> str:
    if not isinstance(code, str):
        return tr(MESSAGES, "no_score", lang)
    band = next(g for g in checklist.grades if g.code == code)
    return f"{code} ({band.label.pick(lang)})"


def _report(scored, inspections, checklists, lang, show_rules) -> str:
    from audit_lib.scoring import rules

    info = inspections.set_index("inspection_id")
    lines = []
    for row in scored.scores.to_dict("records"):
        iid = row["inspection_id"]
        checklist = checklists[row["checklist_id"]]
        one = scored.only(iid)
        est = info.loc[iid]
        title = " · ".join(
            str(p)
            for p in (
                tr(MESSAGES, "header", lang, id=iid),
                est.get("name"),
                tr(MESSAGES, "checklist", lang, id=checklist.id, version=checklist.version),
                _date(est["inspected_on"], lang),
            )
            if p is not None and p == p
        )
        lines += ["", f"== {title}"]
        lines.append(
            "   "
            + tr(
                MESSAGES,
                "score",
                lang,
                score=_pct(row["score"], lang),
                grade=_grade(checklist, row["grade"], lang),
                verdict=_verdict(row, lang),
            )
        )
        lines.append(
            "   "
            + tr(
                MESSAGES,
                "counts",
                lang,
                applicable=row["applicable"],
                answered=row["answered"],
                gaps=row["gaps"],
                earned=row["weight_earned"],
                weight=row["weight_applicable"],
            )
        )
        lines.append("   " + tr(MESSAGES, "sections", lang))
        for sec in one.sections.to_dict("records"):
            if sec["applicable"]:
                name = checklist.section(sec["section_id"]).title.pick(lang)
                lines.append(f"     {sec['section_id']:<6} {_pct(sec['score'], lang):>8}  {name}")
        lines += _gap_lines(one.gaps, checklist, lang)
        lines += _finding_lines(one.findings, lang)
    counts = scored.scores["verdict"].value_counts()
    summary = ", ".join(
        tr(MESSAGES, f"verdict_{v}", lang, n=int(counts[v]))
        for v in ("pass", "fail", "fail_critical", "incomplete")
        if v in counts
    )
    lines += ["", tr(MESSAGES, "summary", lang, n=len(scored.scores), counts=summary)]
    if show_rules:
        for cid in dict.fromkeys(scored.scores["checklist_id"]):
            lines += ["", tr(MESSAGES, "rules", lang, id=cid)]
            lines += [f"  - {rule}" for rule in rules(checklists[cid], lang)]
    return "\n".join(lines).lstrip("\n")


def _gap_lines(gaps: pd.DataFrame, checklist, lang: str) -> list[str]:
    if gaps.empty:
        return []
    lines = ["   " + tr(MESSAGES, "gaps", lang)]
    for gap in gaps.to_dict("records"):
        text = checklist.item(gap["item_id"]).text.pick(lang)
        why = f" ({tr(MESSAGES, 'no_reference', lang)})" if gap["reason"] != "unanswered" else ""
        severity = _severity(gap["severity"], lang)
        lines.append(f"     {gap['item_id']} [{severity}] {text}{why}")
    return lines


def _finding_lines(findings: pd.DataFrame, lang: str) -> list[str]:
    if findings.empty:
        return ["   " + tr(MESSAGES, "no_findings", lang)]
    lines = ["   " + tr(MESSAGES, "findings", lang, n=len(findings))]
    for n, f in enumerate(findings.to_dict("records"), start=1):
        text = pick({"vi": f["text_vi"], "en": f["text_en"]}, lang)
        action = pick({"vi": f["action_vi"], "en": f["action_en"]}, lang)
        severity = _severity(f["severity"], lang)
        lines.append(f"     {n}. {f['item_id']} [{severity}] {text}")
        if not math.isnan(f["value"]):
            lines.append("        " + tr(MESSAGES, "value", lang, value=f["value"]))
        lines.append(f"        {tr(MESSAGES, 'basis', lang)}: {f['legal_basis']}")
        lines.append(f"        {tr(MESSAGES, 'action', lang)}: {action}")
        due = tr(MESSAGES, "due", lang, date=_date(f["due_on"], lang), days=f["days_to_correct"])
        lines.append(f"        {due}")
        if isinstance(f["note"], str) and f["note"]:
            lines.append(f"        {tr(MESSAGES, 'note', lang)}: {f['note']}")
    return lines
