"""Finalizing visits: score every sheet, refuse what cannot be signed, store the record.

Usage (the store and the sample generator call this inside one transaction)::

    from audit_lib.store import _finalizing as finalizing
    numbers = finalizing.finalize(conn, ["5f0c…", "77ab…"], by="a", at=now)
    # {"5f0c…": "0012/2025/BB-ATVSLĐ", ...}; InputError naming each unanswered critical item

This is the one place where a visit becomes a record. For every sheet (one
per checklist) it scores the answers with the checklist content the sheet was
started with (kept in ``checklist_contents`` under its fingerprint, never the
file as it is today), refuses while an applicable critical item is
unanswered, and stores the scores, section scores, gaps, findings and their
corrective actions with due dates. The visit gets its overall result (the
rule in ``docs/scoring.md``: every sheet must pass), its record number and a
snapshot of the establishment as it was that day; a follow-up visit closes the
corrective actions it found done (``action_checks``). Status ``final`` with a
verdict freezes every one of these rows: the database's triggers refuse any
change (migration 0004).

Many visits are finalized at once in a few statements: the sample generator
finalizes a province's years of visits through this same function.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa

from audit_lib.checklists import checklist_from_content, load_checklists
from audit_lib.core.errors import InputError, Problem, Reason, raise_if_problems
from audit_lib.core.i18n import both
from audit_lib.scoring import Scored, score
from audit_lib.store import _answers as answers
from audit_lib.store import _schema as schema
from audit_lib.store._bulk import bulk_insert

MESSAGES = {
    "critical_unanswered": {
        "vi": "mục nghiêm trọng chưa trả lời: «{text}» — chưa thể hoàn tất biên bản",
        "en": "critical item not answered: “{text}” — the record cannot be finalized yet",
    },
    "no_sheets": {
        "vi": "cuộc kiểm tra chưa có bảng kiểm nào",
        "en": "the visit has no checklist sheet",
    },
    "migrated": {
        "vi": "kết quả được tính khi nâng cấp dữ liệu (0004) theo bảng kiểm {checklist} "
        "phiên bản {version}; thông tin cơ sở lấy tại thời điểm nâng cấp",
        "en": "results computed when the data was upgraded (0004) with checklist "
        "{checklist} version {version}; establishment details as at the upgrade",
    },
}

VERDICT_ORDER = ("fail_critical", "incomplete", "fail", "pass", "advice_only")
"""A visit's verdict is the first of these any of its sheets has."""
RECORD_SUFFIX = "BB-ATVSLĐ"
SNAPSHOT_COLUMNS = (
    "code", "name", "kind", "sector", "vsic", "unit_code", "workforce", "strict_workers",
    "hazardous_workers",
    "has_strict_equipment", "high_risk", "labour_relations", "employs_minors",
)  # fmt: skip
SCORE_COLUMNS = (
    "applicable", "answered", "gaps", "critical_gaps", "weight_applicable", "weight_earned",
    "weight_gaps", "score", "critical_failures", "grade", "passed", "verdict",
)  # fmt: skip
_CONTENTS: dict[str, object] = {}
"""Checklists read back from ``checklist_contents``, by fingerprint (content never changes).
Only what was read back is kept here, never a caller's object, which its caller may change."""


def remember_checklist(conn: sa.Connection, checklist) -> None:
    """Keep ``checklist``'s content under its fingerprint in this database, once."""
    t = schema.checklist_contents
    found = conn.execute(
        sa.select(t.c.fingerprint).where(t.c.fingerprint == checklist.fingerprint)
    ).first()
    if found is None:
        conn.execute(
            t.insert().values(
                fingerprint=checklist.fingerprint,
                checklist_id=checklist.id,
                checklist_version=checklist.version,
                content=checklist.canonical,
            )
        )


def stored_checklist(conn: sa.Connection, fingerprint: str):
    """The checklist kept under ``fingerprint`` (read once per process), or None."""
    if fingerprint not in _CONTENTS:
        t = schema.checklist_contents
        content = conn.execute(
            sa.select(t.c.content).where(t.c.fingerprint == fingerprint)
        ).scalar_one_or_none()
        if content is None:
            return None
        _CONTENTS[fingerprint] = checklist_from_content(content)
    return _CONTENTS[fingerprint]


CHUNK = 2000
"""Keys per ``IN (...)``: SQLite allows at most 32,766 parameters in a statement."""


def _frame(conn: sa.Connection, stmt) -> pd.DataFrame:
    result = conn.execute(stmt)
    return pd.DataFrame([tuple(r) for r in result.all()], columns=list(result.keys()))


def _frame_in(conn: sa.Connection, stmt: sa.Select, column, keys) -> pd.DataFrame:
    """The rows of ``stmt`` whose ``column`` is one of ``keys``, read ``CHUNK`` keys at a time."""
    keys = list(keys)
    parts = [_frame(conn, stmt.where(column.in_(keys[k : k + CHUNK])))
             for k in range(0, len(keys), CHUNK)]  # fmt: skip
    if not parts:
        return _frame(conn, stmt.where(sa.false()))
    return pd.concat(parts, ignore_index=True)


def _sheets(conn: sa.Connection, visit_ids: list[str]) -> pd.DataFrame:
    i, v = schema.inspections, schema.visits
    cols = [i.c.inspection_pk, i.c.inspection_id, i.c.visit_id, i.c.checklist_id]
    cols += [i.c.checklist_version, i.c.checklist_fingerprint, i.c.establishment_id]
    stmt = sa.select(*cols, v.c.visited_on.label("inspected_on")).join(
        v, v.c.visit_id == i.c.visit_id
    )
    return _frame_in(conn, stmt, i.c.visit_id, visit_ids).sort_values(
        "inspection_pk", ignore_index=True
    )


def _establishments(conn: sa.Connection, ids) -> pd.DataFrame:
    e = schema.establishments
    wanted = sorted({int(x) for x in ids})
    stmt = sa.select(e.c.establishment_id, *(e.c[c] for c in SNAPSHOT_COLUMNS))
    return _frame_in(conn, stmt, e.c.establishment_id, wanted)


def _checklists_of(conn: sa.Connection, sheets: pd.DataFrame, migrated: bool) -> dict:
    """Checklist per fingerprint of ``sheets``; for migrated sheets whose content was never
    kept, the shipped checklist with that fingerprint, else the shipped one of that id."""
    found, shipped = {}, None
    for fingerprint, checklist_id in (
        sheets[["checklist_fingerprint", "checklist_id"]].drop_duplicates().itertuples(index=False)
    ):
        checklist = stored_checklist(conn, fingerprint)
        if checklist is None and migrated:
            shipped = shipped or load_checklists()
            same = [c for c in shipped.values() if c.fingerprint == fingerprint]
            checklist = same[0] if same else shipped.get(checklist_id)
        if checklist is not None and migrated:  # known to this process, maybe not to this database
            remember_checklist(conn, checklist)
        if checklist is None:
            raise LookupError(f"no stored checklist content {fingerprint} ({checklist_id})")
        found[fingerprint] = checklist
    return found


def _score(conn, sheets: pd.DataFrame, contents: dict, attrs: pd.DataFrame) -> Scored:
    responses = answers.read(conn, sheets["inspection_id"].tolist())
    inspections = sheets.assign(inspected_on=pd.to_datetime(sheets["inspected_on"]))
    parts = [
        score(contents[fp], responses, group, attrs)
        for fp, group in inspections.groupby("checklist_fingerprint", sort=True)
    ]
    return Scored.concat(parts).ordered_as(sheets["inspection_id"])


def _refusals(scored: Scored, sheets: pd.DataFrame, contents: dict) -> list[Problem]:
    gaps = scored.gaps
    critical = gaps[(gaps["severity"] == "critical") & (gaps["reason"] == "unanswered")]
    if critical.empty:
        return []
    of = sheets.set_index("inspection_id")
    problems = []
    for row in critical.itertuples():
        sheet = of.loc[row.inspection_id]
        checklist = contents[sheet["checklist_fingerprint"]]
        text = checklist.item(row.item_id).text.pick("vi")
        problems.append(
            Problem(
                f"visit {sheet['visit_id']}",
                f"{checklist.id} item {row.item_id}",
                "answer",
                both(MESSAGES, "critical_unanswered", text=text),
                Reason.MISSING,
            )
        )
    return problems


def _snapshot(conn: sa.Connection, attrs: pd.DataFrame, note: str | None) -> dict[int, str]:
    """The establishment as it is now, as JSON, with its commune's names, per id."""
    u = schema.units
    names = {
        r.unit_code: (r.name_vi, r.name_en)
        for r in conn.execute(sa.select(u.c.unit_code, u.c.name_vi, u.c.name_en))
    }
    snaps = {}
    for row in attrs.astype(object).where(attrs.notna(), None).to_dict("records"):
        vi, en = names.get(row["unit_code"], (None, None))
        plain = {k: _plain(row[k]) for k in SNAPSHOT_COLUMNS}
        plain.update(unit_name_vi=vi, unit_name_en=en)
        if note:
            plain["note"] = note
        snaps[int(row["establishment_id"])] = json.dumps(plain, ensure_ascii=False, sort_keys=True)
    return snaps


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


def _record_numbers(conn: sa.Connection, visits: pd.DataFrame) -> list[str]:
    """``NNNN/YYYY/BB-ATVSLĐ`` in order of visit day per year; a revision keeps the number
    of the record it revises, with ``-SĐ<revision>``."""
    v = schema.visits
    numbers = [None] * len(visits)
    firsts = visits[visits["supersedes"].isna()]
    years = pd.to_datetime(firsts["visited_on"]).dt.year
    for year in sorted(years.unique()):
        pattern = f"%/{int(year)}/{RECORD_SUFFIX}"
        taken = conn.execute(
            sa.select(v.c.record_number).where(v.c.record_number.like(pattern))
        ).scalars()
        last = max((int(re.match(r"\d+", n).group()) for n in taken), default=0)
        mine = firsts[years == year].sort_values(["visited_on", "visit_pk"])
        for k, position in enumerate(mine.index, start=last + 1):
            numbers[visits.index.get_loc(position)] = f"{k:04d}/{int(year)}/{RECORD_SUFFIX}"
    revised = visits[visits["supersedes"].notna()]
    if len(revised):
        stmt = sa.select(v.c.chain_id, v.c.record_number).where(v.c.visit_id == v.c.chain_id)
        found = _frame_in(conn, stmt, v.c.chain_id, revised["chain_id"].unique())
        originals = dict(zip(found["chain_id"], found["record_number"], strict=True))
        originals.update(  # a first revision numbered in this same call: not stored yet
            (vid, number)
            for vid, number in zip(visits["visit_id"], numbers, strict=True)
            if number is not None
        )
        for position, row in revised.iterrows():
            base = originals.get(row["chain_id"]) or row["chain_id"][:8].upper()
            numbers[visits.index.get_loc(position)] = f"{base}-SĐ{int(row['revision'])}"
    return numbers


def _overall(scores: pd.DataFrame, sheets: pd.DataFrame, visits: pd.DataFrame) -> pd.DataFrame:
    """One row per visit: weighted score over its sheets, the worst verdict, all passed."""
    joined = scores.merge(sheets[["inspection_id", "visit_id"]], on="inspection_id")
    rank = joined["verdict"].map({v: k for k, v in enumerate(VERDICT_ORDER)})
    joined = joined.assign(rank=rank, passed=joined["passed"].astype(bool))
    grouped = joined.groupby("visit_id")
    out = pd.DataFrame(
        {
            "earned": grouped["weight_earned"].sum(),
            "weight": grouped["weight_applicable"].sum(),
            "rank": grouped["rank"].min(),
            "passed": grouped["passed"].all(),
        }
    )
    out["score"] = np.where(
        out["weight"] > 0, 100 * out["earned"] / out["weight"].where(out["weight"] > 0, 1), np.nan
    )
    out["verdict"] = [VERDICT_ORDER[int(r)] for r in out["rank"]]
    return out.reindex(visits["visit_id"])


def finalize(
    conn: sa.Connection,
    visit_ids: list[str],
    by: str | None,
    at: datetime | Mapping[str, datetime],
    migrated: bool = False,
) -> dict[str, str]:
    """Finalize the draft visits ``visit_ids`` (locked by the caller); their record numbers.

    ``at``: when, for all of them, or per visit id (the sample's reproducible clock).
    ``migrated=True`` stores the results of visits already final before 0004
    (no refusal; checklist content from the shipped files when it was never kept).
    """
    if not visit_ids:
        return {}
    if not isinstance(at, Mapping):
        at = dict.fromkeys(visit_ids, at)
    v = schema.visits
    visits = _frame_in(conn, sa.select(v), v.c.visit_id, visit_ids)
    visits = visits.set_index("visit_id", drop=False).loc[visit_ids].reset_index(drop=True)
    sheets = _sheets(conn, visit_ids)
    empty = set(visits["visit_id"]) - set(sheets["visit_id"])
    raise_if_problems(
        InputError,
        [
            Problem(f"visit {vid}", None, "sheets", both(MESSAGES, "no_sheets"), Reason.MISSING)
            for vid in sorted(empty)
        ],
    )
    contents = _checklists_of(conn, sheets, migrated)
    attrs = _establishments(conn, visits["establishment_id"])
    scored = _score(conn, sheets, contents, attrs)
    if not migrated:
        raise_if_problems(InputError, _refusals(scored, sheets, contents))
    _store_results(conn, scored, sheets, migrated)
    _close_checked_actions(conn, visits, by, at)
    _carry_closings(conn, visits, sheets, by, at)
    answers.pack(conn, sheets["inspection_pk"].tolist(), drafts_too=True)
    _mark_sheets_final(conn, scored.scores, sheets, contents, by, at, migrated)
    note = None
    if migrated:
        first = next(iter(contents.values()))
        note = both(MESSAGES, "migrated", checklist=first.id, version=first.version)
    overall = _overall(scored.scores, sheets, visits)
    snapshots = _snapshot(conn, attrs, note)
    numbers = _record_numbers(conn, visits)
    rows = [
        {
            "pk": int(row.visit_pk),
            "version": int(row.version) + (0 if migrated else 1),
            "score": None
            if pd.isna(overall.loc[row.visit_id, "score"])
            else float(overall.loc[row.visit_id, "score"]),
            "verdict": overall.loc[row.visit_id, "verdict"],
            "passed": bool(overall.loc[row.visit_id, "passed"]),
            "snapshot": snapshots.get(int(row.establishment_id)),
            "number": number,
            "by": row.finalized_by if migrated else by,
            "at": row.finalized_at if migrated else at[row.visit_id],
        }
        for row, number in zip(visits.itertuples(), numbers, strict=True)
    ]
    conn.execute(
        v.update()
        .where(v.c.visit_pk == sa.bindparam("pk"))
        .values(
            status="final",
            version=sa.bindparam("version"),
            score=sa.bindparam("score"),
            verdict=sa.bindparam("verdict"),
            passed=sa.bindparam("passed"),
            establishment_snapshot=sa.bindparam("snapshot"),
            record_number=sa.bindparam("number"),
            finalized_by=sa.bindparam("by"),
            finalized_at=sa.bindparam("at"),
            updated_by=sa.bindparam("by"),
            updated_at=sa.bindparam("at"),
        ),
        rows,
    )
    return dict(zip(visits["visit_id"], numbers, strict=True))


def _store_results(conn, scored: Scored, sheets: pd.DataFrame, migrated: bool) -> None:
    sections = scored.sections[[c.name for c in schema.section_scores.c]]
    bulk_insert(conn, schema.section_scores, sections)
    bulk_insert(conn, schema.sheet_gaps, scored.gaps[[c.name for c in schema.sheet_gaps.c]])
    findings = scored.findings[[c.name for c in schema.findings.c]].copy()
    findings["days_to_correct"] = findings["days_to_correct"].astype("int64")
    if migrated:  # keep what was stored; fill the new columns, add what was missing
        f = schema.findings
        stmt = sa.select(f.c.inspection_id, f.c.item_id)
        kept = _frame_in(conn, stmt, f.c.inspection_id, sheets["inspection_id"])
        known = set(zip(kept["inspection_id"], kept["item_id"], strict=True))
        pairs = zip(findings["inspection_id"], findings["item_id"], strict=True)
        old = np.array([pair in known for pair in pairs], dtype=bool)
        conn.execute(
            f.update()
            .where(f.c.inspection_id == sa.bindparam("iid"), f.c.item_id == sa.bindparam("item"))
            .values(weight=sa.bindparam("w"), value=sa.bindparam("val"), note=sa.bindparam("n")),
            [
                {"iid": r.inspection_id, "item": r.item_id, "w": _num(r.weight),
                 "val": _num(r.value), "n": r.note if isinstance(r.note, str) else None}
                for r in findings[old].itertuples()
            ] or [{"iid": "", "item": "", "w": None, "val": None, "n": None}],
        )  # fmt: skip
        bulk_insert(conn, schema.findings, findings[~old])
        return
    bulk_insert(conn, schema.findings, findings)
    actions = findings[["inspection_id", "item_id", "severity", "action_vi", "action_en"]]
    actions = actions.assign(due_on=findings["due_on"], status="open")
    bulk_insert(conn, schema.actions, actions)


def _num(value):
    return None if value is None or pd.isna(value) else float(value)


def _mark_sheets_final(conn, scores, sheets, contents, by, at, migrated: bool) -> None:
    i = schema.inspections
    scores = scores.set_index("inspection_id")
    rows = []
    for sheet in sheets.itertuples():
        row = scores.loc[sheet.inspection_id]
        values = {c: None if pd.isna(row[c]) else _plain(row[c]) for c in SCORE_COLUMNS}
        for c in ("score", "weight_applicable", "weight_earned", "weight_gaps"):
            values[c] = _num(values[c])  # no grade without a score: NULL, never 'NaN'
        values["passed"] = bool(values["passed"])
        used = contents[sheet.checklist_fingerprint]
        rows.append(
            {
                **values,
                "pk": int(sheet.inspection_pk),
                "fp": used.fingerprint,
                "cv": used.version,
                "by": by,
                "at": at[sheet.visit_id],
            }
        )
    stmt = (
        i.update()
        .where(i.c.inspection_pk == sa.bindparam("pk"))
        .values(
            status="final",
            checklist_fingerprint=sa.bindparam("fp"),
            checklist_version=sa.bindparam("cv"),
            **{c: sa.bindparam(c) for c in SCORE_COLUMNS},
        )
    )
    if not migrated:
        stmt = stmt.values(
            version=i.c.version + 1, updated_by=sa.bindparam("by"), updated_at=sa.bindparam("at")
        )
    conn.execute(stmt, rows)


def _close_checked_actions(conn, visits: pd.DataFrame, by, at) -> None:
    """Actions a visit found done are closed on the visit's day, verified by it."""
    c, a = schema.action_checks, schema.actions
    stmt = sa.select(c.c.visit_id, c.c.action_id, c.c.note).where(c.c.done.is_(True))
    checks = _frame_in(conn, stmt, c.c.visit_id, visits["visit_id"])
    if checks.empty:
        return
    day = dict(zip(visits["visit_id"], visits["visited_on"], strict=True))
    _close(
        conn,
        (a.c.action_id == sa.bindparam("aid"), a.c.status == "open"),
        [
            {"aid": int(r.action_id), "day": _as_date(day[r.visit_id]), "vid": r.visit_id,
             "note": r.note, "by": by, "at": at[r.visit_id]}
            for r in checks.itertuples()
        ],
    )  # fmt: skip


def _close(conn: sa.Connection, where: tuple, rows: list[dict]) -> None:
    """Close the actions ``where`` picks for each of ``rows`` (``day``, ``vid``, ``note``,
    ``by``, ``at`` and the keys ``where`` binds)."""
    a = schema.actions
    conn.execute(
        a.update()
        .where(*where)
        .values(
            status="closed",
            closed_on=sa.bindparam("day"),
            verified_in=sa.bindparam("vid"),
            closing_note=sa.bindparam("note"),
            updated_by=sa.bindparam("by"),
            updated_at=sa.bindparam("at"),
        ),
        rows,
    )


def _carry_closings(conn, visits: pd.DataFrame, sheets: pd.DataFrame, by, at) -> None:
    """A revision's action for an item already closed in the record it revises is closed
    the same way: revising a record does not reopen what was done."""
    revised = visits[visits["supersedes"].notna()]
    if revised.empty:
        return
    a, i = schema.actions, schema.inspections
    stmt = (
        sa.select(i.c.visit_id, i.c.checklist_id, a.c.item_id, a.c.closed_on, a.c.verified_in,
                  a.c.closing_note)
        .join(i, i.c.inspection_id == a.c.inspection_id)
        .where(a.c.status == "closed")
    )  # fmt: skip
    old = _frame_in(conn, stmt, i.c.visit_id, revised["supersedes"])
    if old.empty:
        return
    new_of_old = dict(zip(revised["supersedes"], revised["visit_id"], strict=True))
    old["visit_id"] = old["visit_id"].map(new_of_old)
    mine = sheets[["visit_id", "checklist_id", "inspection_id"]]
    old = old.merge(mine, on=["visit_id", "checklist_id"])
    _close(
        conn,
        (a.c.inspection_id == sa.bindparam("iid"), a.c.item_id == sa.bindparam("item")),
        [
            {"iid": r.inspection_id, "item": r.item_id, "day": _as_date(r.closed_on),
             "vid": r.verified_in, "note": r.closing_note, "by": by, "at": at[r.visit_id]}
            for r in old.itertuples()
        ],
    )  # fmt: skip


def _as_date(value) -> date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def seal_migrated(conn: sa.Connection) -> int:
    """Store the results of the visits that were final before 0004 (once); how many."""
    v = schema.visits
    ids = (
        conn.execute(
            sa.select(v.c.visit_id)
            .where(v.c.status == "final", v.c.verdict.is_(None))
            .order_by(v.c.visit_pk)
        )
        .scalars()
        .all()
    )
    finalize(conn, list(ids), None, datetime.now(), migrated=True)
    return len(ids)
