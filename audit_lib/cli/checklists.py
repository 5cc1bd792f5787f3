"""`audit checklists`: validate, list and show the checklists.

Usage::

    audit checklists validate                       # every shipped checklist
    audit checklists validate checklists/mining.yaml my.yaml
    audit checklists list --lang en
    audit checklists show general --lang en

``validate`` prints one ``OK`` line per valid file, or every problem of every
file and exits with code 1. The folder read by ``list`` and ``show`` is
``--dir``, else ``$AUDIT_CHECKLISTS``, else the project's ``checklists/``.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import click

from audit_lib.cli.common import friendly_errors, lang_option
from audit_lib.core.i18n import pick, tr
from audit_lib.core.vocabulary import (
    ANSWER_TYPE_LABELS,
    KIND_LABELS,
    SECTOR_LABELS,
    SEVERITY_LABELS,
)

if TYPE_CHECKING:
    from audit_lib.checklists import Checklist

MESSAGES = {
    "ok": {
        "vi": "OK {file} ({n} mục, mã kiểm tra SHA-256 {fingerprint})",
        "en": "OK {file} ({n} items, SHA-256 checksum {fingerprint})",
    },
    "summary": {
        "vi": "{problems} lỗi trong {files} tệp; {ok} tệp hợp lệ.",
        "en": "{problems} problem(s) in {files} file(s); {ok} file(s) valid.",
    },
    "none": {
        "vi": "Không tìm thấy tệp bảng kiểm nào trong {where}.",
        "en": "No checklist files in {where}.",
    },
    "unknown": {
        "vi": "không có bảng kiểm '{id}'; các bảng kiểm hiện có: {known}",
        "en": "no checklist '{id}'; known checklists: {known}",
    },
    "all_sectors": {"vi": "mọi ngành", "en": "all sectors"},
    "header_sectors": {"vi": "Ngành", "en": "Sectors"},
    "header_kinds": {"vi": "Loại hình", "en": "Kinds"},
    "header_fingerprint": {"vi": "Mã kiểm tra (SHA-256)", "en": "Checksum (SHA-256)"},
    "header_grades": {"vi": "Xếp loại", "en": "Grades"},
    "header_days": {"vi": "Hạn khắc phục (ngày)", "en": "Days to correct"},
    "header_source": {"vi": "Căn cứ", "en": "Based on"},
    "passing": {"vi": "đạt", "en": "pass"},
    "failing": {"vi": "không đạt", "en": "fail"},
    "weight": {"vi": "trọng số {w:g}", "en": "weight {w:g}"},
    "legal": {"vi": "Căn cứ", "en": "Legal basis"},
    "advice": {"vi": "Khuyến nghị", "en": "Advice"},
    "reference": {"vi": "Nguồn tham khảo", "en": "Reference"},
    "suggestion": {"vi": "Gợi ý cải thiện", "en": "Suggested improvement"},
    "applies_if": {"vi": "Áp dụng khi", "en": "Applies if"},
    "answer": {"vi": "Trả lời", "en": "Answer"},
    "threshold": {
        "vi": "đạt khi giá trị {op} {target}",
        "en": "compliant when value {op} {target}",
    },
    "recorded": {"vi": "chỉ ghi nhận, không chấm điểm", "en": "recorded, not scored"},
    "unit": {"vi": "đơn vị", "en": "unit"},
    "guidance": {"vi": "Hướng dẫn", "en": "Guidance"},
    "evidence": {"vi": "Bằng chứng", "en": "Evidence"},
    "action": {"vi": "Khắc phục", "en": "Corrective action"},
    "days": {"vi": "{days} ngày", "en": "{days} days"},
    "feeds": {"vi": "Chỉ tiêu", "en": "Feeds"},
    "items": {"vi": "mục", "en": "items"},
    "list_header": {
        "vi": "id               {version:<9} {items:>5}  {sectors:<28} tên",
        "en": "id               {version:<9} {items:>5}  {sectors:<28} title",
    },
    "version": {"vi": "phiên bản", "en": "version"},
    "sectors": {"vi": "ngành", "en": "sectors"},
}

dir_option = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="AUDIT_CHECKLISTS",
    default=None,
    help="Folder of checklist YAML files. Default: $AUDIT_CHECKLISTS or the project's checklists/.",
)


@click.group("checklists")
def checklists():
    """Validate, list and show checklists (bảng kiểm).

    \b
    Examples:
      audit checklists validate
      audit checklists list
      audit checklists show general --lang en
    """


@checklists.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@lang_option
def validate(paths: tuple[Path, ...], lang: str):
    """Check checklist files and list every problem (kiểm tra tệp bảng kiểm).

    PATHS are YAML files or folders; without any, every shipped checklist is
    checked. Exit code 0 when all are valid, 1 otherwise.

    \b
    Examples:
      audit checklists validate
      audit checklists validate checklists/mining.yaml checklists/general.yaml
    """
    from audit_lib.checklists import check_paths, checklist_files, default_directory, display_path

    files = checklist_files(paths or None)
    if not files:
        where = ", ".join(str(p) for p in paths) or display_path(default_directory())
        click.echo(tr(MESSAGES, "none", lang, where=where), err=True)
        sys.exit(1)
    loaded, problems = check_paths(files)
    for checklist in loaded.values():
        file, n = display_path(checklist.path), len(checklist.items)
        click.echo(tr(MESSAGES, "ok", lang, file=file, n=n, fingerprint=checklist.fingerprint[:12]))
    for problem in problems:
        click.echo(str(problem))
    if problems:
        failing = len({p.file for p in problems})
        summary = tr(
            MESSAGES, "summary", lang, problems=len(problems), files=failing, ok=len(loaded)
        )
        click.echo(summary, err=True)
        sys.exit(1)


@checklists.command("list")
@dir_option
@lang_option
@friendly_errors
def list_(directory: Path | None, lang: str):
    """List the checklists with their version, size and sectors (danh sách bảng kiểm).

    \b
    Example:
      audit checklists list --lang en
    """
    from audit_lib.checklists import load_checklists

    loaded = load_checklists(directory)
    header = {key: tr(MESSAGES, key, lang) for key in ("version", "items", "sectors")}
    click.echo(tr(MESSAGES, "list_header", lang, **header))
    for checklist in loaded.values():
        n = len(checklist.items)
        sectors = _sectors(checklist, lang) if checklist.is_general else ",".join(checklist.sectors)
        title = checklist.title.pick(lang)
        click.echo(f"{checklist.id:<16} {checklist.version:<9} {n:>5}  {sectors:<28} {title}")


def _sectors(checklist: Checklist, lang: str) -> str:
    if checklist.is_general:
        return tr(MESSAGES, "all_sectors", lang)
    return ", ".join(pick(SECTOR_LABELS[s], lang) for s in checklist.sectors)


@checklists.command("show")
@click.argument("checklist_id", metavar="ID")
@dir_option
@lang_option
@friendly_errors
def show(checklist_id: str, directory: Path | None, lang: str):
    """Show a checklist's sections and items, readable in a terminal (xem bảng kiểm).

    ID is a checklist id (see `audit checklists list`) or the path of a YAML file.

    \b
    Examples:
      audit checklists show general
      audit checklists show mining --lang en
      audit checklists show my-draft.yaml
    """
    from audit_lib.checklists import load_checklist, load_checklists

    if checklist_id.endswith((".yaml", ".yml")) and Path(checklist_id).is_file():
        checklist = load_checklist(checklist_id)
    else:
        loaded = load_checklists(directory)
        if checklist_id not in loaded:
            known = ", ".join(loaded) or "-"
            raise click.BadParameter(
                tr(MESSAGES, "unknown", lang, id=checklist_id, known=known), param_hint="ID"
            )
        checklist = loaded[checklist_id]
    click.echo("\n".join(describe(checklist, lang)))


_PASS = {True: "passing", False: "failing"}


def describe(checklist: Checklist, lang: str, width: int | None = None) -> list[str]:
    """The lines of ``audit checklists show``: header, then each section and item."""
    width = width or min(shutil.get_terminal_size((100, 24)).columns, 110)

    def wrap(text: str, indent: str) -> list[str]:
        return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ")

    def label(key: str) -> str:
        return tr(MESSAGES, key, lang)

    days = checklist.correction_days
    grades = " · ".join(
        f"{g.code} ≥ {g.min:g}% ({g.label.pick(lang)}, {label(_PASS[g.passed])})"
        for g in checklist.grades
    )
    lines = [f"{checklist.id} {checklist.version}: {checklist.title.pick(lang)}"]
    lines += wrap(f"{label('header_sectors')}: {_sectors(checklist, lang)}", "")
    kinds = ", ".join(pick(KIND_LABELS[k], lang) for k in checklist.kinds)
    lines += wrap(f"{label('header_kinds')}: {kinds}", "")
    lines += [f"{label('header_fingerprint')}: {checklist.fingerprint}"]
    lines += wrap(f"{label('header_grades')}: {grades}", "")
    lines += wrap(
        f"{label('header_days')}: "
        + ", ".join(
            f"{pick(SEVERITY_LABELS[s], lang)} {getattr(days, s)}" for s in SEVERITY_LABELS
        ),
        "",
    )
    if checklist.source:
        lines += wrap(f"{label('header_source')}: {checklist.source.pick(lang)}", "")
    for section in checklist.sections:
        lines += ["", f"[{section.id}] {section.title.pick(lang)}"]
        for item in section.items:
            weight = tr(MESSAGES, "weight", lang, w=item.weight)
            if item.is_advice:
                lines += ["", f"  {item.id}  [{label('advice')} · {weight}]"]
                lines += wrap(item.text.pick(lang), "    ")
                lines += wrap(f"{label('reference')}: {'; '.join(item.reference)}", "    ")
            else:
                severity = pick(SEVERITY_LABELS[item.severity], lang)
                lines += ["", f"  {item.id}  [{severity} · {weight}]"]
                lines += wrap(item.text.pick(lang), "    ")
                lines += wrap(f"{label('legal')}: {'; '.join(item.legal_basis)}", "    ")
            if item.applies_if:
                lines += wrap(f"{label('applies_if')}: {item.applies_if}", "    ")
            if item.answer != "compliance":
                lines += wrap(f"{label('answer')}: {_answer(item, lang)}", "    ")
            lines += wrap(f"{label('guidance')}: {item.guidance.pick(lang)}", "    ")
            lines += wrap(f"{label('evidence')}: {item.evidence.pick(lang)}", "    ")
            if item.action and item.is_advice:
                lines += wrap(f"{label('suggestion')}: {item.action.pick(lang)}", "    ")
            elif item.action:
                due = tr(MESSAGES, "days", lang, days=checklist.days_for(item))
                lines += wrap(f"{label('action')} ({due}): {item.action.pick(lang)}", "    ")
            if item.feeds:
                feeds = ", ".join(f"{f.indicator} ({f.role})" for f in item.feeds)
                lines += wrap(f"{label('feeds')}: {feeds}", "    ")
    return lines


def _answer(item, lang: str) -> str:
    parts = [pick(ANSWER_TYPE_LABELS[item.answer], lang)]
    if item.unit:
        parts.append(f"{tr(MESSAGES, 'unit', lang)}: {item.unit.pick(lang)}")
    if item.threshold:
        target = item.threshold.item or f"{item.threshold.value:g}"
        parts.append(tr(MESSAGES, "threshold", lang, op=item.threshold.op, target=target))
    else:
        parts.append(tr(MESSAGES, "recorded", lang))
    return "; ".join(parts)
