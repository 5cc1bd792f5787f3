"""The sample's inspections: who is visited when, answers, revisions, findings and actions.

Usage (the steps :func:`audit_lib.sample._sample.generate` runs)::

    from audit_lib.sample import _inspections as si
    visits = si.plan_visits(rng, establishments, accidents, 2021, 2025)
    insp, resp = si.answer_visits(rng, visits, establishments, checklists, 2021, 2025)
    insp, resp = si.add_revisions(rng, insp, resp)
    with store.transaction() as conn:
        si.write(conn, rng, insp, resp, establishments, checklists, date(2025, 12, 31), "sample")

Visits: each year a share of the active establishments (45% of the high-risk
ones, 8% of households, 15% of the rest), more in May (the OSH Action
Month), periodic or unannounced; an accident inspection a few days after each
accident at an establishment; a follow-up 45–120 days after a third of the
high-risk visits. Each visit is answered against every shipped checklist
that applies to the establishment's sector and kind. An item is violated
with a chance that grows with the sector's risk (mining and hydropower
most), the kind (households more), the item's severity (critical items
seldom), the establishment's own tendency, and falls 8% a year; follow-ups
find half as much. Count and number items get values that meet or miss
their threshold accordingly. About 2% of final inspections are revised (one
answer corrected, with a reason: a revision of the whole visit); half of
the visits of the last six weeks are still drafts. The final visits are
finalized by the store's own finalizing (:func:`audit_lib.store.finalize_visits`),
first visits before the follow-ups that check their corrective actions.
"""

from __future__ import annotations

import datetime as dt
import uuid

import numpy as np
import pandas as pd
import sqlalchemy as sa

from audit_lib.checklists import applicable_checklists, conditions
from audit_lib.sample._names import inspector_names
from audit_lib.store import (
    answers,
    bulk_insert,
    finalize_visits,
    insert_returning,
    remember_checklist,
    schema,
)

VIOLATION = {
    "mining": 0.30,
    "hydropower": 0.30,
    "construction": 0.22,
    "wood": 0.20,
    "agriculture": 0.15,
    "manufacturing": 0.15,
    "transport": 0.12,
    "trade": 0.08,
    "other": 0.10,
}

TYPES_CHANCE = {"periodic": 0.75, "unannounced": 0.25}
REVISION_REASONS = (
    "Sửa sai sót khi nhập: mục {item} ghi nhầm là không đạt",
    "Bổ sung theo hồ sơ cơ sở gửi sau buổi kiểm tra: mục {item} đạt",
)
SEVERITY_FACTOR = {"critical": 0.15, "major": 0.8, "minor": 1.3}
KIND_FACTOR = {"household": 1.3, "cooperative": 1.1}
TYPE_FACTOR = {"follow_up": 0.5, "accident": 1.3, "unannounced": 1.15}
NOTES = ("Đã nhắc nhở, yêu cầu khắc phục", "Cơ sở cam kết khắc phục", "Chụp ảnh hiện trường")
FOLLOW_UP_NOTES = ("Đã khắc phục, kiểm tra tại chỗ", "Chưa khắc phục, nhắc nhở lần hai")
DOCUMENTS_NOTE = "Cơ sở gửi hồ sơ, hình ảnh đã khắc phục"


def _active(est: pd.DataFrame, day: np.ndarray) -> np.ndarray:
    """Whether establishment ``i`` was active on ``day[i]``."""
    started = est["active_from"].to_numpy("datetime64[D]") <= day
    ended = est["active_to"].to_numpy("datetime64[D]")
    return started & (np.isnat(ended) | (ended >= day))


def plan_visits(rng, est: pd.DataFrame, accidents: pd.DataFrame, first: int, last: int):
    """Visits: ``row`` (establishment), ``inspected_on``, ``type``, ``follows`` (visit index)."""
    months = np.array([1, 1, 1, 1.2, 3, 1.2, 1, 1, 1, 1, 1, 0.6])
    chance = np.where(est["high_risk"], 0.45, np.where(est["kind"] == "household", 0.08, 0.15))
    parts = []
    for year in range(first, last + 1):
        month = rng.choice(12, len(est), p=months / months.sum()) + 1
        starts = (np.datetime64(f"{year}-01", "M") + (month - 1)).astype("datetime64[D]")
        day = starts + rng.integers(0, 28, len(est)).astype("timedelta64[D]")
        chosen = (rng.random(len(est)) < chance) & _active(est, day)
        kinds = rng.choice(list(TYPES_CHANCE), len(est), p=list(TYPES_CHANCE.values()))
        parts.append(
            pd.DataFrame(
                {"row": np.flatnonzero(chosen), "inspected_on": day[chosen], "type": kinds[chosen]}
            )
        )
    index = est.reset_index().set_index("code")["index"]
    hit = accidents[accidents["establishment_code"].notna()]
    after = pd.to_datetime(hit["occurred_on"]).to_numpy("datetime64[D]")
    parts.append(
        pd.DataFrame(
            {
                "row": hit["establishment_code"].map(index).to_numpy(int),
                "inspected_on": after + rng.integers(1, 6, len(hit)).astype("timedelta64[D]"),
                "type": "accident",
            }
        )
    )
    visits = pd.concat(parts, ignore_index=True)
    visits = visits[visits["inspected_on"] <= np.datetime64(f"{last}-12-31")]
    visits = visits.sort_values(["inspected_on", "row"], kind="stable").reset_index(drop=True)
    visits["follows"] = -1
    origin = visits[est["high_risk"].to_numpy()[visits["row"]] & (rng.random(len(visits)) < 0.35)]
    follow = pd.DataFrame(
        {
            "row": origin["row"].to_numpy(),
            "inspected_on": origin["inspected_on"].to_numpy("datetime64[D]")
            + rng.integers(45, 121, len(origin)).astype("timedelta64[D]"),
            "type": "follow_up",
            "follows": origin.index.to_numpy(),
        }
    )
    follow = follow[follow["inspected_on"] <= np.datetime64(f"{last}-12-31")]
    return pd.concat([visits, follow], ignore_index=True)


def _uuids(rng, n: int) -> list[str]:
    """``n`` version-4 uuids drawn from ``rng`` (reproducible, unlike ``uuid.uuid4``)."""
    raw = rng.bytes(16 * n)
    return [str(uuid.UUID(bytes=raw[16 * i : 16 * i + 16], version=4)) for i in range(n)]


def answer_visits(rng, visits, est: pd.DataFrame, checklists: dict, first: int, last: int):
    """One inspection per visit and applicable checklist, answered: (inspections, responses)."""
    tendency = rng.lognormal(0, 0.4, len(est))
    names = pd.Series(inspector_names(), dtype=object)
    by_pair = {
        (s, k): [c.id for c in applicable_checklists(checklists, s, k)]
        for s, k in est[["sector", "kind"]].drop_duplicates().itertuples(index=False)
    }
    where = est.iloc[visits["row"]].reset_index(drop=True)
    year = pd.to_datetime(visits["inspected_on"]).dt.year.to_numpy()
    one = rng.integers(0, len(names), len(visits))
    two = (one + rng.integers(1, len(names), len(visits))) % len(names)
    low, high = np.minimum(one, two), np.maximum(one, two)
    base = pd.DataFrame(
        {
            "visit": visits.index,
            "follows": visits["follows"].to_numpy(),
            "row": visits["row"].to_numpy(),
            "inspected_on": pd.to_datetime(visits["inspected_on"]).dt.date.to_numpy(),
            "type": visits["type"].to_numpy(),
            "inspectors": (names[low].to_numpy() + "; " + names[high].to_numpy()),
            "late": (visits["inspected_on"] >= np.datetime64(f"{last}-11-15")).to_numpy(),
            "propensity": where["sector"].map(VIOLATION).to_numpy()
            * where["kind"].map(KIND_FACTOR).fillna(1.0).to_numpy()
            * np.maximum(0.3, 1 - 0.08 * (year - first))
            * tendency[visits["row"].to_numpy()]
            * visits["type"].map(TYPE_FACTOR).fillna(1.0).to_numpy(),
            "checklist_id": [by_pair[p] for p in zip(where["sector"], where["kind"], strict=True)],
        }
    )
    late = base.pop("late").to_numpy(bool)
    draft = late & (np.cumsum(late) % 2 == 1)  # every other visit of the last weeks
    base["status"] = np.where(draft, "draft", "final")
    base["visit_id"] = _uuids(rng, len(base))
    insp = base.explode("checklist_id").dropna(subset=["checklist_id"]).reset_index(drop=True)
    if insp.empty:
        return insp, pd.DataFrame(columns=answers.COLUMNS)
    insp["inspection_id"] = _uuids(rng, len(insp))
    insp["chain_id"] = insp["inspection_id"]
    insp["establishment_id"] = est["establishment_id"].to_numpy()[insp["row"]]
    insp["revision"], insp["supersedes"], insp["reason"] = 1, None, None
    insp["checklist_version"] = insp["checklist_id"].map(lambda c: checklists[c].version)
    insp["checklist_fingerprint"] = insp["checklist_id"].map(lambda c: checklists[c].fingerprint)
    parts = [
        _answers(rng, checklists[cid], group, est.iloc[group["row"]].reset_index(drop=True))
        for cid, group in insp.groupby("checklist_id", sort=True)
    ]
    return insp, pd.concat(parts, ignore_index=True)


def _answers(rng, checklist, insp: pd.DataFrame, attrs: pd.DataFrame) -> pd.DataFrame:
    """Answers of ``insp`` (one checklist) with violations at each inspection's propensity."""
    items = checklist.items_frame()
    m, k = len(insp), len(items)
    applies = np.ones((m, k), dtype=bool)
    for j, expr in enumerate(items["applies_if"]):
        if isinstance(expr, str) and expr.strip():
            applies[:, j] = conditions.evaluate(expr, attrs).to_numpy(dtype=bool)
    weight = items["severity"].map(SEVERITY_FACTOR).fillna(SEVERITY_FACTOR["minor"]).to_numpy()
    chance = np.clip(insp["propensity"].to_numpy()[:, None] * weight[None, :], 0, 0.9)
    violated = rng.random((m, k)) < chance
    minor_na = (rng.random((m, k)) < 0.03) & (items["severity"] == "minor").to_numpy()[None, :]
    answer = np.where(violated, "noncompliant", "compliant").astype(object)
    value = np.full((m, k), np.nan)
    numeric = (items["answer_type"] != "compliance").to_numpy()
    order = np.argsort(items["threshold_item"].notna().to_numpy(), kind="stable")
    position = dict(zip(items["item_id"], range(k), strict=True))
    for j in order[numeric[order]]:
        item = items.iloc[j]
        value[:, j] = _value(rng, item, violated[:, j], value, position, attrs)
        answer[:, j] = None
    value[~applies] = np.nan
    answer[~applies | (minor_na & ~numeric[None, :])] = "na"
    draft = (insp["status"] == "draft").to_numpy()[:, None]
    kept = ~(draft & (rng.random((m, k)) < 0.3))
    note = np.where(
        (answer == "noncompliant") & (rng.random((m, k)) < 0.15),
        np.array(NOTES, dtype=object)[rng.integers(0, len(NOTES), (m, k))],
        None,
    )
    r, c = np.nonzero(kept)
    return pd.DataFrame(
        {
            "inspection_id": insp["inspection_id"].to_numpy(object)[r],
            "item_id": items["item_id"].to_numpy(object)[c],
            "answer": answer[r, c],
            "value": value[r, c],
            "note": note[r, c],
        }
    )


def _value(rng, item, violated: np.ndarray, value: np.ndarray, position, attrs) -> np.ndarray:
    """Recorded numbers: meeting the item's threshold unless ``violated``."""
    n = len(violated)
    count = item["answer_type"] == "count"
    op = item["threshold_op"]
    if isinstance(item["threshold_item"], str):
        base = value[:, position[item["threshold_item"]]]
        if op in (">=", ">", "=="):
            return np.where(violated, np.floor(base * rng.uniform(0.3, 0.9, n)), base)
        return np.where(violated, base + rng.integers(1, 4, n), base)
    if not isinstance(op, str):
        cap = np.clip(attrs["strict_workers"].to_numpy() + 1, 2, 40)
        return np.floor(rng.random(n) * cap) + 1
    limit = float(item["threshold_value"])
    up, down = limit + rng.uniform(0, max(1.0, abs(limit) * 0.15), (2, n))
    meets = {">=": up, ">": up + 1, "<=": 2 * limit - up, "<": 2 * limit - up - 1, "==": limit}
    fails = {">=": 2 * limit - down - 1, ">": 2 * limit - down, "<=": down + 1, "<": down}
    fails["!="], meets["!="], fails["=="] = limit, limit + 1, limit + 1
    chosen = np.where(violated, fails[op], meets[op])
    chosen = np.round(chosen) if count else np.round(chosen, 1)
    return np.maximum(chosen, 0) if count or limit >= 0 else chosen


def add_revisions(rng, insp: pd.DataFrame, resp: pd.DataFrame):
    """Revise about 2% of final visits: one answer corrected, with a reason.

    A revision is a new revision of the whole visit (revision 2): every sheet
    is copied with its answers, the wrong answer corrected in one of them.
    Returns inspections and responses with the revisions appended.
    """
    if insp.empty:
        return insp, resp
    wrong = resp[resp["answer"] == "noncompliant"].drop_duplicates("inspection_id")
    sheet_visit = insp.set_index("inspection_id")["visit_id"]
    wrong = wrong.assign(visit_id=wrong["inspection_id"].map(sheet_visit))
    wrong = wrong.drop_duplicates("visit_id").set_index("visit_id")
    visits = insp.drop_duplicates("visit_id")
    candidates = visits[
        (visits["status"] == "final")
        & (visits["type"] != "follow_up")
        & visits["visit_id"].isin(wrong.index)
    ]
    chosen = candidates[rng.random(len(candidates)) < 0.02]["visit_id"]
    reasons = {
        vid: REVISION_REASONS[i].format(item=wrong.loc[vid, "item_id"])
        for i, vid in zip(rng.integers(0, 2, len(chosen)), chosen, strict=True)
    }
    later = dict(zip(chosen, rng.integers(1, 8, len(chosen)), strict=True))
    new_visit = dict(zip(chosen, _uuids(rng, len(chosen)), strict=True))
    old = insp[insp["visit_id"].isin(chosen)]
    new = old.copy()
    new["inspection_id"] = _uuids(rng, len(new))
    new["revision"] = 2
    new["supersedes"] = old["inspection_id"].to_numpy()
    new["reason"] = old["visit_id"].map(reasons).to_numpy()
    new["revised_after"] = old["visit_id"].map(later).to_numpy()
    new["visit_id"] = old["visit_id"].map(new_visit).to_numpy()
    copies = resp[resp["inspection_id"].isin(old["inspection_id"])].copy()
    fixed = copies["inspection_id"].isin(wrong.loc[chosen, "inspection_id"]) & copies["item_id"].eq(
        copies["inspection_id"].map(wrong.set_index("inspection_id")["item_id"])
    )
    copies.loc[fixed, "answer"] = "compliant"
    copies.loc[fixed, "note"] = None
    copies["inspection_id"] = copies["inspection_id"].map(
        dict(zip(old["inspection_id"], new["inspection_id"], strict=True))
    )
    return pd.concat([insp, new], ignore_index=True), pd.concat([resp, copies], ignore_index=True)


def _stamp(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0))


def _write_visits(conn: sa.Connection, insp: pd.DataFrame, resp: pd.DataFrame, by: str):
    """Visits and their sheets as drafts, then the answers by integer keys, as the store keeps
    them; returns the visits (``visit_id, type, status, follows, revision, at``)."""
    later = insp.get("revised_after", pd.Series(0, index=insp.index)).fillna(0).astype(int)
    insp = insp.assign(
        at=[
            _stamp(d + dt.timedelta(days=int(k)), 16)
            for d, k in zip(insp["inspected_on"], later, strict=True)
        ]
    )
    visit_of = insp.set_index("inspection_id")["visit_id"]
    visits = insp.drop_duplicates("visit_id").reset_index(drop=True)
    visits["supersedes_visit"] = visits["supersedes"].map(visit_of)
    chain = dict(zip(visits["visit_id"], visits["visit_id"], strict=True))
    chain.update(
        zip(visits["visit_id"], visits["supersedes_visit"].fillna(visits["visit_id"]), strict=True)
    )
    rows = [
        {
            "visit_id": r.visit_id,
            "establishment_id": int(r.establishment_id),
            "visited_on": r.inspected_on,
            "type": r.type,
            "team": r.inspectors,
            "status": "draft",
            "chain_id": chain[r.visit_id],
            "revision": int(r.revision),
            "supersedes": r.supersedes_visit if isinstance(r.supersedes_visit, str) else None,
            "reason": r.reason,
            "version": 1,
            "created_by": by,
            "created_at": r.at,
            "updated_by": by,
            "updated_at": r.at,
        }
        for r in visits.itertuples()
    ]
    insert_returning(conn, schema.visits, rows)
    rows = [
        {
            "inspection_id": r.inspection_id,
            "visit_id": r.visit_id,
            "establishment_id": int(r.establishment_id),
            "checklist_id": r.checklist_id,
            "checklist_version": r.checklist_version,
            "checklist_fingerprint": r.checklist_fingerprint,
            "inspected_on": r.inspected_on,
            "type": r.type,
            "status": "draft",
            "chain_id": r.chain_id,
            "revision": int(r.revision),
            "supersedes": r.supersedes,
            "reason": r.reason,
            "inspectors": r.inspectors,
            "version": 2,
            "created_by": by,
            "created_at": r.at,
            "updated_by": by,
            "updated_at": r.at,
        }
        for r in insp.itertuples()
    ]
    pks = dict(
        zip(insp["inspection_id"], insert_returning(conn, schema.inspections, rows), strict=True)
    )
    items = answers.item_pks(conn, resp["item_id"].unique())
    answered_at = {
        i: _stamp(d, 15) for i, d in zip(insp["inspection_id"], insp["inspected_on"], strict=True)
    }
    frame = pd.DataFrame(
        {
            "inspection_pk": resp["inspection_id"].map(pks).astype("int64"),
            "item_pk": resp["item_id"].map(items).astype("int64"),
            "answer": resp["answer"],
            "value": resp["value"],
            "note": resp["note"],
            "answered_by": by,
            "answered_at": resp["inspection_id"].map(answered_at),
        }
    )
    bulk_insert(conn, schema.responses, frame.sort_values(["inspection_pk", "item_pk"]))
    visits["at"] = visits["at"] + dt.timedelta(hours=1)
    return visits[["visit_id", "visit", "type", "status", "follows", "revision", "at"]]


def write(conn, rng, insp, resp, est, checklists: dict, end: dt.date, by: str) -> None:
    """Visits and answers as drafts, then finalized as the store finalizes any visit: the
    first visits, then the follow-ups (which check the actions of the visit they follow),
    closings on documents, and last the revisions."""
    if insp.empty:
        return
    for checklist_id in sorted(insp["checklist_id"].unique()):
        remember_checklist(conn, checklists[checklist_id])
    visits = _write_visits(conn, insp, resp, by)
    final = visits[visits["status"] == "final"]
    first = final[(final["revision"] == 1) & (final["type"] != "follow_up")]
    follow = visits[(visits["revision"] == 1) & (visits["type"] == "follow_up")]
    stamps = dict(zip(visits["visit_id"], visits["at"], strict=True))
    finalize_visits(conn, first["visit_id"].tolist(), by, stamps)
    checked = _check_actions(conn, rng, follow, visits, by)
    finalize_visits(conn, follow.loc[follow["status"] == "final", "visit_id"].tolist(), by, stamps)
    _close_on_documents(conn, rng, checked, end, by)
    revised = final[final["revision"] > 1]
    finalize_visits(conn, revised["visit_id"].tolist(), by, stamps)


def _check_actions(conn, rng, follow: pd.DataFrame, visits: pd.DataFrame, by: str) -> set[int]:
    """Follow-ups find 80% of the actions of the visit they follow done; the ids checked."""
    origin_of = visits[visits["revision"] == 1].set_index("visit")["visit_id"]
    origins = follow["follows"].map(origin_of)
    a, i = schema.actions, schema.inspections
    found = pd.DataFrame(
        [
            tuple(row)
            for row in conn.execute(
                sa.select(a.c.action_id, i.c.visit_id)
                .join(i, i.c.inspection_id == a.c.inspection_id)
                .where(a.c.status == "open")
            )
        ],
        columns=["action_id", "origin"],
    )
    found = found[found["origin"].isin(set(origins.dropna()))]
    pairs = pd.DataFrame({"visit_id": follow["visit_id"], "origin": origins, "at": follow["at"]})
    checks = pairs.merge(found, on="origin").sort_values(["visit_id", "action_id"])
    if checks.empty:
        return set()
    done = rng.random(len(checks)) < 0.8
    note = np.where(done, FOLLOW_UP_NOTES[0], FOLLOW_UP_NOTES[1])
    frame = pd.DataFrame(
        {
            "visit_id": checks["visit_id"].to_numpy(),
            "action_id": checks["action_id"].to_numpy("int64"),
            "done": done,
            "note": note,
            "checked_by": by,
            "checked_at": checks["at"].to_numpy(),
        }
    )
    bulk_insert(conn, schema.action_checks, frame)
    return set(frame["action_id"].tolist())


def _close_on_documents(conn, rng, checked: set[int], end: dt.date, by: str) -> None:
    """Actions no follow-up checked: 60% closed on time on the establishment's documents,
    25% late, the rest open; actions due after ``end`` close early 30% of the time. Nothing
    closes after ``end``."""
    a, i = schema.actions, schema.inspections
    found = pd.DataFrame(
        [
            tuple(row)
            for row in conn.execute(
                sa.select(a.c.action_id, a.c.due_on, i.c.inspected_on)
                .join(i, i.c.inspection_id == a.c.inspection_id)
                .where(a.c.status == "open")
                .order_by(a.c.action_id)
            )
        ],
        columns=["action_id", "due_on", "inspected_on"],
    )
    found = found[~found["action_id"].isin(checked)]
    if found.empty:
        return
    inspected = pd.to_datetime(found["inspected_on"]).to_numpy("datetime64[D]")
    due = pd.to_datetime(found["due_on"]).to_numpy("datetime64[D]")
    last = np.datetime64(end, "D")
    u, v = rng.random((2, len(found)))

    def after(start, days):
        return start + (1 + np.floor(v * np.maximum(days, 0))).astype("timedelta64[D]")

    def days(later, earlier):
        return (later - earlier).astype("timedelta64[D]").astype(float) - 1

    closed = np.select(
        [(due <= last) & (u < 0.6), (due <= last) & (u < 0.85), (due > last) & (u < 0.3)],
        [
            after(inspected, days(due, inspected)),
            after(due, np.full(len(due), 59.0)),
            after(inspected, days(np.full(len(due), last), inspected)),
        ],
        np.datetime64("NaT"),
    )
    keep = ~np.isnat(closed) & (closed <= last)
    rows = [
        {"aid": int(aid), "day": day.astype(dt.date), "at": _stamp(day.astype(dt.date), 17)}
        for aid, day in zip(found["action_id"].to_numpy()[keep], closed[keep], strict=True)
    ]
    if rows:
        conn.execute(
            a.update()
            .where(a.c.action_id == sa.bindparam("aid"))
            .values(
                status="closed",
                closed_on=sa.bindparam("day"),
                closing_note=DOCUMENTS_NOTE,
                updated_by=by,
                updated_at=sa.bindparam("at"),
            ),
            rows,
        )
