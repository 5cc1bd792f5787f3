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
answer corrected, with a reason); half of the visits in the last December
are still drafts. Findings are what :func:`audit_lib.scoring._score.score_many`
finds in the final inspections' answers.
"""

from __future__ import annotations

import datetime as dt
import uuid

import numpy as np
import pandas as pd
import sqlalchemy as sa

from audit_lib.checklists import applicable_checklists, conditions
from audit_lib.sample._names import inspector_names
from audit_lib.scoring import score_many
from audit_lib.store import answers, bulk_insert, insert_returning, schema

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
            "late": (visits["inspected_on"] >= np.datetime64(f"{last}-12-01")).to_numpy(),
            "propensity": where["sector"].map(VIOLATION).to_numpy()
            * where["kind"].map(KIND_FACTOR).fillna(1.0).to_numpy()
            * np.maximum(0.3, 1 - 0.08 * (year - first))
            * tendency[visits["row"].to_numpy()]
            * visits["type"].map(TYPE_FACTOR).fillna(1.0).to_numpy(),
            "checklist_id": [by_pair[p] for p in zip(where["sector"], where["kind"], strict=True)],
        }
    )
    insp = base.explode("checklist_id").dropna(subset=["checklist_id"]).reset_index(drop=True)
    if insp.empty:
        return insp, pd.DataFrame(columns=answers.COLUMNS)
    draft = insp.pop("late").to_numpy(bool) & (rng.random(len(insp)) < 0.5)
    insp["status"] = np.where(draft, "draft", "final")
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
    weight = items["severity"].map(SEVERITY_FACTOR).to_numpy()
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
    """Revise about 2% of final inspections: one answer corrected, with a reason.

    Returns inspections and responses with the new revisions (revision 2) appended.
    """
    if insp.empty:
        return insp, resp
    wrong = resp[resp["answer"] == "noncompliant"].drop_duplicates("inspection_id")
    candidates = insp[
        (insp["status"] == "final")
        & (insp["type"] != "follow_up")
        & insp["inspection_id"].isin(wrong["inspection_id"])
    ]
    chosen = candidates[rng.random(len(candidates)) < 0.02]
    item_of = wrong.set_index("inspection_id")["item_id"]
    new = chosen.copy()
    new["inspection_id"] = _uuids(rng, len(new))
    new["revision"] = 2
    new["supersedes"] = chosen["inspection_id"].to_numpy()
    new["reason"] = [
        REVISION_REASONS[i].format(item=item_of[old])
        for i, old in zip(rng.integers(0, 2, len(new)), chosen["inspection_id"], strict=True)
    ]
    new["revised_after"] = rng.integers(1, 8, len(new))
    copies = resp[resp["inspection_id"].isin(chosen["inspection_id"])].copy()
    fixed = copies["inspection_id"].map(item_of) == copies["item_id"]
    copies.loc[fixed, "answer"] = "compliant"
    copies.loc[fixed, "note"] = None
    copies["inspection_id"] = copies["inspection_id"].map(
        dict(zip(chosen["inspection_id"], new["inspection_id"], strict=True))
    )
    return pd.concat([insp, new], ignore_index=True), pd.concat([resp, copies], ignore_index=True)


def _stamp(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0))


def _write_inspections(conn: sa.Connection, insp: pd.DataFrame, resp: pd.DataFrame, by: str):
    """Inspections, then their answers by integer keys, as the store keeps them."""
    if insp.empty:
        return
    revised = insp.get("revised_after", pd.Series(0, index=insp.index)).fillna(0).astype(int)
    rows = []
    for r, later in zip(insp.itertuples(), revised, strict=True):
        made = _stamp(r.inspected_on + dt.timedelta(days=int(later)), 16)
        final = r.status == "final"
        rows.append(
            {
                "inspection_id": r.inspection_id,
                "establishment_id": int(r.establishment_id),
                "checklist_id": r.checklist_id,
                "checklist_version": r.checklist_version,
                "checklist_fingerprint": r.checklist_fingerprint,
                "inspected_on": r.inspected_on,
                "type": r.type,
                "status": r.status,
                "chain_id": r.chain_id,
                "revision": int(r.revision),
                "supersedes": r.supersedes,
                "reason": r.reason,
                "inspectors": r.inspectors,
                "version": 3 if final else 2,
                "created_by": by,
                "created_at": made,
                "updated_by": by,
                "updated_at": made + dt.timedelta(hours=1 if final else 0),
            }
        )
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
    answers.pack(conn, [pks[i] for i in insp.loc[insp["status"] == "final", "inspection_id"]])


def write(conn, rng, insp, resp, est, checklists: dict, end: dt.date, by: str) -> None:
    """Inspections and answers, then the findings scoring finds and their corrective actions."""
    _write_inspections(conn, insp, resp, by)
    findings = score_findings(checklists, insp, resp, est)
    _write_findings(conn, rng, findings, insp, end, by)


def score_findings(checklists: dict, insp: pd.DataFrame, resp: pd.DataFrame, est) -> pd.DataFrame:
    """Findings of every final inspection, by :func:`audit_lib.scoring._score.score_many`."""
    final = insp[insp["status"] == "final"]
    if final.empty:
        return pd.DataFrame(columns=["inspection_id", "item_id", "due_on"])
    attrs = est[["establishment_id", *conditions.ATTRIBUTES]]
    mine = resp[resp["inspection_id"].isin(final["inspection_id"])]
    scored = score_many(checklists, mine, final, attrs)
    return scored.findings


def _write_findings(conn, rng, findings, insp: pd.DataFrame, end: dt.date, by: str) -> None:
    """Findings and one corrective action each: closed on time, late, or open at ``end``."""
    if findings.empty:
        return
    columns = [c.name for c in schema.findings.c if c.name in findings.columns]
    rows = findings[columns].reset_index(drop=True)
    rows["days_to_correct"] = rows["days_to_correct"].astype(int)
    closed, verified, inspected = _closing(rng, findings, insp, end)
    actions = rows[["inspection_id", "item_id", "severity", "due_on", "action_vi", "action_en"]]
    actions = actions.assign(
        status=np.where([c is None for c in closed], "open", "closed"),
        closed_on=pd.Series(closed, dtype=object),
        verified_by=pd.Series(verified, dtype=object),
        updated_by=by,
        updated_at=[_stamp(c or i, 17) for c, i in zip(closed, inspected, strict=True)],
    )
    key = ["inspection_id", "item_id"]  # in key order, the indexes grow at their end
    bulk_insert(conn, schema.findings, rows.sort_values(key))
    bulk_insert(conn, schema.actions, actions.sort_values(key))


def _closing(rng, findings: pd.DataFrame, insp: pd.DataFrame, end: dt.date):
    """(closed_on or None, verifying inspection or None, inspected_on) for each finding.

    With a final follow-up inspection, 80% are closed before it and verified by it;
    otherwise 60% close on time, 25% late, the rest stay open; actions due after ``end``
    close early 30% of the time. Nothing closes after ``end``.
    """
    by_id = insp.set_index("inspection_id")
    origin = by_id.loc[findings["inspection_id"]]
    follow = insp[(insp["follows"] >= 0) & (insp["status"] == "final")]
    keys = zip(follow["follows"], follow["checklist_id"], strict=True)
    follow_key = dict(zip(keys, follow["inspection_id"], strict=True))
    verifier = pd.Series(list(zip(origin["visit"], origin["checklist_id"], strict=True)))
    verifier = verifier.map(follow_key)
    inspected = pd.to_datetime(origin["inspected_on"]).to_numpy("datetime64[D]")
    seen = pd.to_datetime(verifier.map(by_id["inspected_on"])).to_numpy("datetime64[D]")
    due = pd.to_datetime(findings["due_on"]).to_numpy("datetime64[D]")
    last = np.datetime64(end, "D")
    u, v = rng.random((2, len(findings)))

    def after(start, days):
        return start + (1 + np.floor(v * np.maximum(days, 0))).astype("timedelta64[D]")

    def days(later, earlier):
        return (later - earlier).astype("timedelta64[D]").astype(float) - 1

    verified = verifier.notna().to_numpy() & (u < 0.8)
    closed = np.select(
        [verified, (due <= last) & (u < 0.6), (due <= last) & (u < 0.85), (due > last) & (u < 0.3)],
        [
            after(inspected, np.nan_to_num(days(seen, inspected))),
            after(inspected, days(due, inspected)),
            after(due, np.full(len(due), 59.0)),
            after(inspected, days(np.full(len(due), last), inspected)),
        ],
        np.datetime64("NaT"),
    )
    closed = np.where(closed <= last, closed, np.datetime64("NaT"))
    closed_on = [None if np.isnat(c) else c.astype(dt.date) for c in closed]
    verified_by = np.where(verified & ~np.isnat(closed), verifier.to_numpy(object), None)
    return closed_on, list(verified_by), list(origin["inspected_on"])
