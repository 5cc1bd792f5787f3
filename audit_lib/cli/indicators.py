"""``audit indicators``: the plan's indicators per unit and period; ``audit plan validate``."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import TYPE_CHECKING

import click

from audit_lib.cli.common import MESSAGES as COMMON
from audit_lib.cli.common import (
    db_option,
    emit,
    friendly_errors,
    lang_option,
    output_options,
    require_out,
)
from audit_lib.core import export
from audit_lib.core.i18n import tr
from audit_lib.core.resources import shipped
from audit_lib.core.vocabulary import UNIT_LEVELS, commune_level_label

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_PLAN = shipped("data", "plans", "453-KH-HU.yaml")

MESSAGES = {
    "title": {
        "vi": "{plan} · {period} · cấp {level} · đơn vị theo ngày {at}",
        "en": "{plan} · {period} · {level} level · units as on {at}",
    },  # fmt: skip
    "unit": {"vi": "Đơn vị", "en": "Unit"},
    "indicator": {"vi": "Chỉ số", "en": "Indicator"},
    "value": {"vi": "Giá trị", "en": "Value"},
    "interval": {"vi": "Khoảng tin cậy 95%", "en": "95% interval"},
    "fraction": {"vi": "Tử số/mẫu số", "en": "Numerator/denominator"},
    "target": {"vi": "Chỉ tiêu", "en": "Target"},
    "verdict": {"vi": "Đánh giá", "en": "Verdict"},
    "factor": {"vi": "{id}: {num} / {den} × {factor:g}", "en": "{id}: {num} / {den} × {factor:g}"},
    "factors": {"vi": "Cách tính:", "en": "How computed:"},
    "rule": {
        "vi": "Đạt: cả khoảng tin cậy 95% ở phía tốt của chỉ tiêu; Không đạt: cả khoảng ở phía "
        "xấu; Quá ít số liệu: khoảng chứa chỉ tiêu. Chỉ tiêu 100%: đạt khi mọi vụ việc đều xong.",
        "en": "Achieved: the whole 95% interval is on the good side of the target; not achieved: "
        "all of it on the bad side; too few events: it contains the target. A 100% target is "
        "achieved when every case was handled.",
    },
    "illustrative": {
        "vi": "* có số liệu chuyển qua bảng chuyển đổi đơn vị 2025 mang tính minh họa "
        "(chưa có nguồn chính thức)",
        "en": "* includes data carried by the 2025 unit crosswalk, which is illustrative "
        "(not yet sourced)",
    },
    "province": {"vi": "tỉnh", "en": "province"},
    "district": {"vi": "huyện", "en": "district"},
    "valid": {"vi": "{path}: hợp lệ ({n} chỉ tiêu)", "en": "{path}: valid ({n} targets)"},
    "bad_date": {"vi": "ngày phải có dạng 2025-07-01", "en": "a date looks like 2025-07-01"},
}


@click.command("indicators")
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(dir_okay=False),
    default=str(DEFAULT_PLAN),
    help="Plan file (YAML) with the targets. [default: data/plans/453-KH-HU.yaml]",
)
@click.option(
    "--year",
    "years",
    type=int,
    multiple=True,
    help="Year; repeat for several (default: the plan's last).",
)
@click.option("--unit", help="Unit code or name: that unit, or the units of --level inside it.")
@click.option(
    "--level", type=click.Choice(UNIT_LEVELS), help="Unit level (default: --unit's, else commune)."
)
@click.option("--period", type=click.Choice(["year", "half", "quarter"]), default="year",
              show_default=True, help="Year, half-year or quarter.")  # fmt: skip
@click.option("--pool-years", type=click.IntRange(min=1), help="Pool the N years up to each year.")
@click.option("--at", "at_text", help="Units valid on this date (default: the current units).")
@click.option(
    "--as-of",
    "as_of_text",
    help="Judge corrective actions due by this date (default: at each period's end).",
)
@output_options
@lang_option
@db_option
@friendly_errors
def indicators_command(plan_path, years, unit, level, period, pool_years, at_text, as_of_text,
                       fmt, out, lang, db_url):  # fmt: skip
    """The plan's indicators per unit and period, with 95 % intervals and verdicts.

    Các chỉ số của kế hoạch theo đơn vị và kỳ, khoảng tin cậy 95% và đánh giá.

    \b
    Examples:
      audit indicators --plan data/plans/453-KH-HU.yaml --year 2025
      audit indicators --year 2024 --level district --at 2024-12-31 --lang en
      audit indicators --year 2025 --unit "Sin Suối Hồ" --period half
      audit indicators --year 2026 --as-of 2026-06-30
      audit indicators --year 2025 --pool-years 5 --level province
      audit indicators --year 2025 --format xlsx --out indicators-2025.xlsx
    """
    from audit_lib.indicators import Frames, compute, load_plan
    from audit_lib.store import open_store

    require_out(fmt, out, lang)
    at, as_of = _date(at_text, "at", lang), _date(as_of_text, "as_of", lang)
    plan = load_plan(plan_path, lang)
    with open_store(db_url) as store:
        frames = Frames.from_store(store)
    years = list(years) or [plan.period.end]
    if level is None:
        level = _level_of(frames, unit, at, lang) if unit else "commune"
    table = compute(plan, frames, years, level=level, unit=unit, at=at, period=period,
                    pool_years=pool_years or False, lang=lang, as_of=as_of)  # fmt: skip
    if fmt == "xlsx":
        export.write_xlsx({"indicators": table, "plan": plan.targets_frame(lang)}, out)
        click.echo(tr(COMMON, "written", lang, path=out))
        return
    if fmt == "table":
        text = render_table(table, plan, lang, at or frames.hierarchy().latest_change())
    elif fmt == "csv":
        text = export.csv_text(table)
    else:
        text = json.dumps(_records(table), ensure_ascii=False, indent=1) + "\n"
    emit(text, out, lang)


@click.group("plan")
def plan_group():
    """Plan files (data/plans/*.yaml). Tệp kế hoạch.

    \b
    Example:
      audit plan validate data/plans/453-KH-HU.yaml
    """


@plan_group.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False))
@lang_option
@friendly_errors
def validate_command(paths, lang):
    """Check plan files; list every problem with file, target and field.

    Kiểm tra tệp kế hoạch; liệt kê mọi lỗi kèm tệp, chỉ tiêu và trường.

    \b
    Example:
      audit plan validate data/plans/453-KH-HU.yaml
    """
    from audit_lib.core.errors import InputError
    from audit_lib.indicators import check_plan

    problems = []
    for path in paths or [str(DEFAULT_PLAN)]:
        plan, found = check_plan(path, lang)
        problems += found
        if plan is not None:
            click.echo(tr(MESSAGES, "valid", lang, path=path, n=len(plan.targets)))
    if problems:
        raise InputError(problems)


def render_table(table: pd.DataFrame, plan, lang: str, at: dt.date) -> str:
    """The indicator table as text for a terminal: one block per unit and period."""
    from audit_lib.indicators import CATALOGUE

    head = [tr(MESSAGES, k, lang) for k in ("indicator", "value", "interval", "fraction", "target",
                                               "verdict")]  # fmt: skip
    lines = []
    for (period, code), block in table.groupby(["period", "unit_code"], sort=False):
        level = block["level"].iloc[0]
        named = commune_level_label(at, lang) if level == "commune" else tr(MESSAGES, level, lang)
        title = tr(MESSAGES, "title", lang, plan=plan.id, period=period, level=named, at=at)
        lines += ["", f"{block['unit_name'].iloc[0]} ({code})", title]
        rows = []
        for r in block.itertuples(index=False):
            label = CATALOGUE[r.indicator].text(lang)
            name = f"{r.target_id} {label}" if r.target_id else f"· {label}"
            name += "*" if r.illustrative else ""
            interval = "" if _nan(r.ci_low) else f"{_num(r.ci_low)}–{_num(r.ci_high)}"
            fraction = _num(r.numerator) + (
                "" if _nan(r.denominator) else f"/{_num(r.denominator)}"
            )
            rows.append([name, _num(r.value), interval, fraction, _num(r.target_value),
                         r.verdict_label + (f" ({r.note})" if r.note else "")])  # fmt: skip
        widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
        widths[0] = min(widths[0], 72)
        for cells in [head, *rows]:
            first = str(cells[0])[:72].ljust(widths[0])
            rest = [str(c).rjust(w) for c, w in zip(cells[1:5], widths[1:5], strict=True)]
            lines.append("  ".join([first, *rest, str(cells[5])]))
    if table["illustrative"].any():
        lines += ["", tr(MESSAGES, "illustrative", lang)]
    lines += ["", tr(MESSAGES, "factors", lang)]
    for t in plan.targets:
        factor = t.factor or CATALOGUE[t.indicator].factor
        if t.denominator is None:
            lines.append(f"  {t.id}: {t.numerator.pick(lang)}")
            continue
        den = t.denominator.pick(lang)
        lines.append("  " + tr(MESSAGES, "factor", lang, id=t.id, num=t.numerator.pick(lang),
                                  den=den, factor=factor))  # fmt: skip
    lines += ["", tr(MESSAGES, "rule", lang)]
    return "\n".join(lines).lstrip("\n") + "\n"


def _num(x) -> str:
    if _nan(x):
        return "–"
    x = float(x)
    if x == round(x) and abs(x) >= 1:
        return f"{x:,.0f}"
    return f"{x:,.3g}" if abs(x) < 1 else f"{x:,.1f}"


def _nan(x) -> bool:
    import pandas as pd

    return x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x)


def _records(table: pd.DataFrame) -> list[dict]:
    out = table.astype(object).where(table.notna(), None)
    return out.to_dict(orient="records")


def _date(text: str | None, field: str, lang: str) -> dt.date | None:
    from audit_lib.core.errors import InputError, Problem, Reason

    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        msg = tr(MESSAGES, "bad_date", lang)
        option = "--" + field.replace("_", "-")
        raise InputError([Problem(option, None, field, msg, Reason.VALUE, text)]) from None


def _level_of(frames, unit: str, at: dt.date | None, lang: str) -> str:
    tree = frames.hierarchy()
    code = tree.resolve(unit, at or tree.latest_change(), lang)
    return str(tree.units.loc[tree.units["unit_code"] == code, "level"].iloc[-1])
