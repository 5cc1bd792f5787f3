"""Explainable, vectorized scoring of inspections against a checklist.

Usage::

    from audit_lib.checklists import load_checklists
    from audit_lib.scoring._score import score, rules

    checklist = load_checklists()["general"]
    scored = score(checklist, responses, inspections, establishments)
    scored.scores      # one row per inspection: score %, grade, verdict
    scored.sections    # one row per inspection and section
    scored.findings    # one row per non-compliance, with action and due date
    scored.gaps        # applicable items nobody answered
    scored.advice      # good-practice advice items, met or not (never findings)
    rules(checklist, "en")   # the rules applied, as sentences a report prints

Every inspection of a checklist is scored at once: answers become an
inspection × item grid of small integer codes, and scores are sums over that
grid, so 100,000 inspections cost about as much as a few array operations.
The rules are written out in ``docs/scoring.md`` and by :func:`rules`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from audit_lib.core.errors import Problem, Reason, ResponsesError, raise_if_problems
from audit_lib.core.i18n import tr
from audit_lib.scoring._grid import (
    RESPONSES,
    Grid,
    ItemTable,
    correction_days,
    inspection_inputs,
    judge,
    text_array,
)

GAP_SHARE_INCOMPLETE = 0.10
"""An inspection is ``incomplete`` when more than this share of its applicable
weight is unanswered (or when any applicable critical item is unanswered)."""

_GAP_REASONS = pd.array(["unanswered", "no_reference_value"], dtype="str")

SCORE_COLUMNS = [
    "inspection_id",
    "checklist_id",
    "checklist_version",
    "checklist_fingerprint",
    "applicable",
    "answered",
    "gaps",
    "critical_gaps",
    "weight_applicable",
    "weight_earned",
    "weight_gaps",
    "score",
    "critical_failures",
    "findings",
    "grade",
    "passed",
    "verdict",
    "good_practice",
]
SECTION_COLUMNS = [
    "inspection_id",
    "section_id",
    "applicable",
    "answered",
    "gaps",
    "weight_applicable",
    "weight_earned",
    "score",
]
FINDING_COLUMNS = [
    "inspection_id",
    "item_id",
    "section_id",
    "severity",
    "weight",
    "text_vi",
    "text_en",
    "legal_basis",
    "action_vi",
    "action_en",
    "days_to_correct",
    "due_on",
    "value",
    "note",
]
GAP_COLUMNS = ["inspection_id", "item_id", "section_id", "severity", "reason"]
ADVICE_COLUMNS = ["inspection_id", "item_id", "section_id", "weight", "answer", "met", "note"]
TEXT_COLUMNS = {
    *("inspection_id", "checklist_id", "checklist_version", "checklist_fingerprint"),
    *("grade", "verdict", "section_id", "item_id", "severity", "text_vi", "text_en"),
    *("legal_basis", "action_vi", "action_en", "note", "reason", "answer"),
}
_ADVICE_ANSWERS = pd.array(["compliant", "noncompliant"], dtype="str")


MESSAGES = {
    "rule_score": {
        "vi": "Điểm tuân thủ (%) = tổng trọng số các mục Đạt / tổng trọng số các mục "
        "áp dụng đã được trả lời × 100.",
        "en": "Compliance score (%) = weight of compliant items / weight of applicable "
        "answered items × 100.",
    },
    "rule_na": {
        "vi": "Mục trả lời 'Không áp dụng' và mục có điều kiện áp dụng không thỏa mãn "
        "(theo đặc điểm cơ sở) không tính vào mẫu số.",
        "en": "Items answered 'not applicable', and items whose applicability condition "
        "is false for the establishment, are left out of the denominator.",
    },
    "rule_count": {
        "vi": "Mục đếm/đo có ngưỡng: Đạt khi giá trị thỏa ngưỡng (so với một số hoặc "
        "với giá trị của mục khác trong cùng cuộc kiểm tra); mục đếm/đo không có "
        "ngưỡng chỉ được ghi nhận, không chấm điểm.",
        "en": "Count/number items with a threshold are compliant when the value meets "
        "it (a number, or another item's value in the same inspection); count/number "
        "items without a threshold are recorded, not scored.",
    },
    "rule_gaps": {
        "vi": "Mục áp dụng chưa được trả lời là mục còn thiếu: được liệt kê, không tính "
        "là Đạt hay Không đạt; điểm tính trên các mục đã trả lời.",
        "en": "Applicable items left unanswered are gaps: listed, counted neither as "
        "compliant nor as non-compliant; the score is over answered items.",
    },
    "rule_critical": {
        "vi": "Bất kỳ mục nghiêm trọng nào Không đạt thì cuộc kiểm tra KHÔNG ĐẠT "
        "(vi phạm nghiêm trọng), dù điểm bao nhiêu.",
        "en": "Any critical non-compliance fails the inspection (critical failure), "
        "whatever the score.",
    },
    "rule_incomplete": {
        "vi": "Nếu không có vi phạm nghiêm trọng nhưng còn thiếu một mục nghiêm trọng, "
        "hoặc hơn {share:.0f}% trọng số áp dụng chưa được trả lời, kết luận là "
        "CHƯA ĐỦ THÔNG TIN (không đạt).",
        "en": "Without a critical failure, if any critical item is unanswered or more "
        "than {share:.0f}% of the applicable weight is unanswered, the verdict is "
        "INCOMPLETE (not passed).",
    },
    "rule_grades": {
        "vi": "Xếp loại theo điểm: {bands}; kết luận Đạt/Không đạt theo xếp loại.",
        "en": "Grade by score: {bands}; the grade decides pass or fail.",
    },
    "band": {"vi": "{code} ({label}) từ {min:g}%", "en": "{code} ({label}) from {min:g}%"},
    "band_pass": {"vi": "đạt", "en": "pass"},
    "band_fail": {"vi": "không đạt", "en": "fail"},
    "rule_advice": {
        "vi": "Mục khuyến nghị (thực hành tốt) không phải quy định pháp luật: không tính vào "
        "điểm tuân thủ, xếp loại và kết luận, không bao giờ là vi phạm, không có thời hạn "
        "khắc phục. Tỷ lệ thực hành tốt (%) = tổng trọng số các mục khuyến nghị Đạt / tổng "
        "trọng số các mục khuyến nghị áp dụng đã được trả lời × 100; mục chưa đạt là gợi ý "
        "cải thiện.",
        "en": "Advice items (good practice) are not legal duties: they are left out of the "
        "compliance score, the grade and the verdict, are never a finding and have no "
        "deadline. Good practice (%) = weight of advice items met / weight of applicable "
        "answered advice items × 100; those not met are suggestions.",
    },
    "rule_due": {
        "vi": "Mỗi mục Không đạt là một phát hiện kèm biện pháp khắc phục (của mục, "
        "nếu không thì 'Khắc phục: <nội dung mục>'); hạn khắc phục = ngày kiểm tra + "
        "số ngày của mục, nếu không thì theo mức độ: nghiêm trọng {critical} ngày, "
        "lớn {major} ngày, nhỏ {minor} ngày.",
        "en": "Each non-compliance is a finding with a corrective action (the item's, "
        "else 'Correct: <item text>'); due date = inspection date + the item's days, "
        "else by severity: critical {critical} days, major {major} days, minor "
        "{minor} days.",
    },
    "unknown_checklist": {
        "vi": "không có bảng kiểm {value!r}; có: {known}",
        "en": "no checklist {value!r}; known: {known}",
    },
}


def _empty_frame(columns: list[str]) -> pd.DataFrame:
    """No rows, with ``columns`` and their dtypes."""
    return pd.DataFrame(
        {
            c: text_array([]) if c in TEXT_COLUMNS else np.array([], _DTYPES.get(c, "int64"))
            for c in columns
        }
    )


def _no_advice() -> pd.DataFrame:
    return _empty_frame(ADVICE_COLUMNS)


@dataclass(frozen=True)
class Scored:
    """The result of scoring: frames with the columns of ``docs/contracts.md``.

    ``scores``, ``sections``, ``findings`` and ``gaps`` are about the legal items only;
    ``advice`` lists the good-practice items (empty in the results a store reads back:
    the record recomputes it with :func:`good_practice`).
    ``Scored.concat([a, b])`` joins results; ``scored.only(inspection_id)`` keeps one.
    """

    scores: pd.DataFrame
    sections: pd.DataFrame
    findings: pd.DataFrame
    gaps: pd.DataFrame
    advice: pd.DataFrame = field(default_factory=_no_advice)

    @classmethod
    def concat(cls, parts: list[Scored]) -> Scored:
        frames = {}
        for f in fields(cls):
            pieces = [getattr(p, f.name) for p in parts if len(getattr(p, f.name))]
            frames[f.name] = (
                pd.concat(pieces, ignore_index=True) if pieces else getattr(parts[0], f.name)
            )
        return cls(**frames)

    def ordered_as(self, inspection_ids) -> Scored:
        """The same rows, inspections in the order of ``inspection_ids`` (stable within one)."""
        order = pd.Index(inspection_ids)
        return Scored(**{f.name: _reorder(getattr(self, f.name), order) for f in fields(self)})

    def only(self, inspection_id: str) -> Scored:
        """The rows of one inspection (what a per-inspection report shows)."""
        return Scored(
            **{
                f.name: getattr(self, f.name)
                .loc[lambda d: d["inspection_id"] == inspection_id]
                .reset_index(drop=True)
                for f in fields(self)
            }
        )


def _reorder(frame: pd.DataFrame, order: pd.Index) -> pd.DataFrame:
    rank = order.get_indexer(frame["inspection_id"])
    return frame.iloc[np.argsort(rank, kind="stable")].reset_index(drop=True)


def score(checklist, responses, inspections, establishments=None) -> Scored:
    """Score every inspection in ``inspections`` against ``checklist`` at once.

    ``responses`` is the long frame ``inspection_id, item_id, answer, value, note``
    (rows of other inspections are ignored); ``inspections`` needs
    ``inspection_id`` and ``inspected_on``, and either carries the establishment
    attributes itself or an ``establishment_id`` joined to ``establishments``.
    Unknown items, invalid answers or dates raise :class:`ResponsesError`
    listing every one.
    """
    items, judged, ids, dates = _judged(checklist, responses, inspections, establishments)
    return _collect(checklist, items, judged, ids, dates, responses)


def good_practice(checklist, responses, inspections, establishments=None) -> Scored:
    """Only the good-practice part of :func:`score`: ``scores`` with ``inspection_id`` and
    ``good_practice`` (NaN when no advice item applies or none was answered) and
    ``advice``; the legal frames are left empty.

    What a record shows of advice, computed from the answers and the checklist content
    it stored (arguments as for :func:`score`).
    """
    items, judged, ids, _ = _judged(checklist, responses, inspections, establishments)
    empty = _empty()
    return Scored(
        scores=pd.DataFrame({"inspection_id": ids, "good_practice": _good_share(items, judged)}),
        sections=empty.sections,
        findings=empty.findings,
        gaps=empty.gaps,
        advice=_advice(items, judged, ids, responses),
    )


def _judged(checklist, responses, inspections, establishments):
    """(items, grid, inspection ids, dates) of the inspections; raises every problem."""
    items = ItemTable.of(checklist)
    insp, attrs, dates, problems = inspection_inputs(inspections, establishments)
    judged, answer_problems = judge(items, responses, insp["inspection_id"], attrs)
    raise_if_problems(ResponsesError, problems + answer_problems)
    return items, judged, text_array(insp["inspection_id"]), dates


def score_many(checklists: Mapping[str, object], responses, inspections, establishments=None):
    """Score inspections of several checklists; each inspection names its ``checklist_id``.

    ``score_many(load_checklists(), store.responses(), store.inspections(),
    store.establishments())`` returns one :class:`Scored` with every inspection.
    """
    inspection_inputs(inspections)  # raises for duplicate inspection ids across checklists
    unknown = ~inspections["checklist_id"].isin(list(checklists))
    raise_if_problems(
        ResponsesError,
        [
            Problem(
                RESPONSES,
                f"inspection {row.inspection_id}",
                "checklist_id",
                tr(
                    MESSAGES,
                    "unknown_checklist",
                    "en",
                    value=row.checklist_id,
                    known=", ".join(checklists),
                ),
                Reason.REFERENCE,
            )
            for row in inspections[unknown].itertuples()
        ],
    )
    parts = [
        score(checklists[cid], responses, group, establishments)
        for cid, group in inspections.groupby("checklist_id", sort=True)
    ]
    if not parts:
        return _empty()
    return Scored.concat(parts).ordered_as(inspections["inspection_id"])


def rules(checklist, lang: str = "vi") -> list[str]:
    """The scoring rules applied to ``checklist``, one sentence each, in ``lang``.

    ``rules(checklist, "en")[0]`` is ``'Compliance score (%) = weight of compliant ...'``.
    """
    bands = "; ".join(
        tr(MESSAGES, "band", lang, code=g["code"], label=g["label"], min=g["min"])
        + f" ({tr(MESSAGES, 'band_pass' if g['pass'] else 'band_fail', lang)})"
        for g in _bands(checklist, lang)
    )
    days = correction_days(checklist)
    return [
        tr(MESSAGES, "rule_score", lang),
        tr(MESSAGES, "rule_na", lang),
        tr(MESSAGES, "rule_count", lang),
        tr(MESSAGES, "rule_gaps", lang),
        tr(MESSAGES, "rule_critical", lang),
        tr(MESSAGES, "rule_incomplete", lang, share=GAP_SHARE_INCOMPLETE * 100),
        tr(MESSAGES, "rule_grades", lang, bands=bands),
        tr(MESSAGES, "rule_due", lang, **days),
        *([tr(MESSAGES, "rule_advice", lang)] if _has_advice(checklist) else []),
    ]


def _has_advice(checklist) -> bool:
    return any(item.is_advice for item in checklist.items)


def _collect(checklist, items: ItemTable, everything: Grid, ids, dates, responses) -> Scored:
    """The frames of :class:`Scored`: the legal ones from the legal items only, as if the
    checklist had no advice items; ``advice`` and ``good_practice`` from the advice ones."""
    judged = everything.without(items.advice)
    sums = _section_sums(items, judged)
    total = {k: v.sum(axis=1) for k, v in sums.items()}
    noncompliant = judged.answered & ~judged.compliant
    pct = _percent(total["weight_earned"], total["weight_applicable"])
    critical = np.flatnonzero(items.critical)
    critical_failures = noncompliant[:, critical].sum(axis=1)
    critical_gaps = judged.gap[:, critical].sum(axis=1)
    grade, band_pass = _grade(checklist, pct)
    weight_all = total["weight_applicable"] + total["weight_gaps"]
    incomplete = (
        (critical_gaps > 0)
        | (total["weight_gaps"] > GAP_SHARE_INCOMPLETE * weight_all)
        | np.isnan(pct)
    )
    nothing_legal = weight_all == 0  # no legal item applies: advice at most, nothing to fail
    verdict = np.select(
        [critical_failures > 0, nothing_legal, incomplete, band_pass],
        ["fail_critical", "advice_only", "incomplete", "pass"],
        "fail",
    )
    n = len(ids)
    scores = pd.DataFrame(
        {
            "inspection_id": ids,
            "checklist_id": text_array([checklist.id] * n),
            "checklist_version": text_array([getattr(checklist, "version", None)] * n),
            "checklist_fingerprint": text_array([getattr(checklist, "fingerprint", None)] * n),
            "applicable": total["answered"] + total["gaps"],
            "answered": total["answered"],
            "gaps": total["gaps"],
            "critical_gaps": critical_gaps,
            "weight_applicable": total["weight_applicable"],
            "weight_earned": total["weight_earned"],
            "weight_gaps": total["weight_gaps"],
            "score": pct,
            "critical_failures": critical_failures,
            "findings": total["answered"] - total["compliant"],
            "grade": text_array(grade),
            "passed": np.isin(verdict, ["pass", "advice_only"]),
            "verdict": text_array(verdict),
            "good_practice": _good_share(items, everything),
        },
        columns=SCORE_COLUMNS,
    )
    return Scored(
        scores=scores,
        sections=_sections(items, sums, ids),
        findings=_findings(items, judged, noncompliant, ids, dates, responses),
        gaps=_gaps(items, judged, ids),
        advice=_advice(items, everything, ids, responses),
    )


def _good_share(items: ItemTable, judged: Grid) -> np.ndarray:
    """Per inspection: weight of advice items met / weight of advice items answered × 100."""
    weight = np.where(items.advice, items.weight, 0.0)
    return _percent(judged.compliant @ weight, judged.answered @ weight)


def _advice(items: ItemTable, judged: Grid, ids, responses) -> pd.DataFrame:
    """One row per applicable advice item of each inspection (answered or not)."""
    r, c = np.nonzero((judged.answered | judged.gap) & items.advice[None, :])
    answered, met = judged.answered[r, c], judged.compliant[r, c]
    answer = _ADVICE_ANSWERS.take(np.where(answered, (~met).view(np.int8), -1), allow_fill=True)
    return pd.DataFrame(
        {
            "inspection_id": ids.take(r),
            **{k: items.text[k].take(c) for k in ("item_id", "section_id")},
            "weight": items.weight[c],
            "answer": answer,
            "met": met,
            "note": text_array(_notes(judged, responses, r, c)),
        },
        columns=ADVICE_COLUMNS,
    )


def _notes(judged: Grid, responses, r: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The inspector's note on the answers at grid cells ``(r, c)`` (None where none)."""
    rows = judged.response_row[r, c]
    notes = np.full(len(r), None, dtype=object)
    if "note" in responses:
        answered = rows >= 0
        notes[answered] = responses["note"].to_numpy(object)[rows[answered]]
    return notes


def _section_sums(items: ItemTable, judged: Grid) -> dict[str, np.ndarray]:
    """Inspection × section sums of counts and weights (items are grouped by section)."""
    starts = np.flatnonzero(np.diff(items.section_codes, prepend=-1))

    def count(grid: np.ndarray) -> np.ndarray:
        return np.add.reduceat(grid.view(np.int8), starts, axis=1, dtype=np.int64)

    def weigh(grid: np.ndarray) -> np.ndarray:
        return np.add.reduceat(grid * items.weight, starts, axis=1)

    return {
        "answered": count(judged.answered),
        "compliant": count(judged.compliant),
        "gaps": count(judged.gap),
        "weight_applicable": weigh(judged.answered),
        "weight_earned": weigh(judged.compliant),
        "weight_gaps": weigh(judged.gap),
    }


def _percent(earned: np.ndarray, weight: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, earned * 100.0 / weight, np.nan)


def _sections(items: ItemTable, sums: dict[str, np.ndarray], ids) -> pd.DataFrame:
    """One row per inspection and section holding a legal item (advice has no score)."""
    n, s = len(ids), len(items.sections)
    flat = {k: v.ravel() for k, v in sums.items()}
    frame = pd.DataFrame(
        {
            "inspection_id": ids.repeat(s),
            "section_id": text_array(items.sections).take(np.tile(np.arange(s), n)),
            "applicable": flat["answered"] + flat["gaps"],
            "answered": flat["answered"],
            "gaps": flat["gaps"],
            "weight_applicable": flat["weight_applicable"],
            "weight_earned": flat["weight_earned"],
            "score": _percent(flat["weight_earned"], flat["weight_applicable"]),
        },
        columns=SECTION_COLUMNS,
    )
    if items.section_legal.all():
        return frame
    return frame[np.tile(items.section_legal, n)].reset_index(drop=True)


def _findings(items: ItemTable, judged: Grid, noncompliant, ids, dates, responses):
    r, c = np.nonzero(noncompliant)
    notes = _notes(judged, responses, r, c)
    due = dates.to_numpy("datetime64[ns]")[r] + items.days[c].astype("timedelta64[D]")
    text = {k: v.take(c) for k, v in items.text.items()}
    return pd.DataFrame(
        {
            "inspection_id": ids.take(r),
            **{k: text[k] for k in ("item_id", "section_id", "severity")},
            "weight": items.weight[c],
            **{k: text[k] for k in ("text_vi", "text_en", "legal_basis", "action_vi", "action_en")},
            "days_to_correct": items.days[c],
            "due_on": due.astype("datetime64[ns]"),
            "value": judged.value[r, c],
            "note": text_array(notes),
        },
        columns=FINDING_COLUMNS,
    )


def _gaps(items: ItemTable, judged: Grid, ids) -> pd.DataFrame:
    r, c = np.nonzero(judged.gap)
    return pd.DataFrame(
        {
            "inspection_id": ids.take(r),
            **{k: items.text[k].take(c) for k in ("item_id", "section_id", "severity")},
            "reason": _GAP_REASONS.take(judged.no_reference[r, c].view(np.int8)),
        },
        columns=GAP_COLUMNS,
    )


def _grade(checklist, pct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Grade code and whether that band passes, for each score (None/False when NaN)."""
    bands = sorted(_bands(checklist, "vi"), key=lambda g: -g["min"])
    rounded = np.round(pct, 9)
    conds = [rounded >= g["min"] for g in bands]
    grade = np.select(conds, [g["code"] for g in bands], None).astype(object)
    passes = np.select(conds, [bool(g["pass"]) for g in bands], False).astype(bool)
    return grade, passes


def _bands(checklist, lang: str) -> list[dict]:
    out = []
    for g in checklist.grades:
        data = g if isinstance(g, Mapping) else g.model_dump(by_alias=True)
        label = data.get("label")
        out.append(
            {
                "code": data["code"],
                "min": float(data["min"]),
                "pass": bool(data.get("pass", data.get("passed"))),
                "label": tr({"l": label}, "l", lang) if label else data["code"],
            }
        )
    return out


def _empty() -> Scored:
    """No inspections: the frames with their columns and dtypes, no rows."""
    return Scored(
        scores=_empty_frame(SCORE_COLUMNS),
        sections=_empty_frame(SECTION_COLUMNS),
        findings=_empty_frame(FINDING_COLUMNS),
        gaps=_empty_frame(GAP_COLUMNS),
    )


_DTYPES = {
    **dict.fromkeys(["weight", "weight_applicable", "weight_earned", "weight_gaps"], "float64"),
    **{"score": "float64", "value": "float64", "passed": "bool", "due_on": "datetime64[ns]"},
    **{"good_practice": "float64", "met": "bool"},
}
