"""Answers as an inspection × item grid: the vectorized core of scoring.

Usage::

    from audit_lib.scoring._grid import ItemTable, judge
    items = ItemTable.of(checklist)          # the checklist's items as arrays (cached)
    grid, problems = judge(items, responses, inspections["inspection_id"], attrs)
    grid.answered, grid.compliant, grid.gap  # bool arrays, one row per inspection

Each distinct inspection id, item id and answer text is hashed once and
turned into small integer codes; each distinct ``applies_if`` condition is
evaluated once over all establishments. :mod:`audit_lib.scoring._score` sums over the
grid. Problems (unknown items, invalid answers or values, an item answered
twice, bad dates, unknown establishments) are returned to be raised together
by the caller, one per responses row or inspection.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from audit_lib.checklists import conditions
from audit_lib.core.errors import Problem, Reason, ResponsesError
from audit_lib.core.i18n import tr
from audit_lib.core.vocabulary import ANSWER_CODES, SEVERITIES

RESPONSES = "responses"
"""The ``file`` named in problems found in responses frames."""

UNANSWERED, COMPLIANT, NONCOMPLIANT, NA = 0, 1, 2, 3
_OPS = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}

MESSAGES = {
    "default_action": {"vi": "Khắc phục: {text}", "en": "Correct: {text}"},
    "unknown_item": {
        "vi": "mục không có trong bảng kiểm {checklist}",
        "en": "no such item in checklist {checklist}",
    },
    "bad_answer": {
        "vi": "câu trả lời không hợp lệ {value!r}; dùng một trong: {codes}",
        "en": "invalid answer {value!r}; use one of: {codes}",
    },
    "bad_value": {"vi": "không phải là số: {value!r}", "en": "not a number: {value!r}"},
    "duplicate": {
        "vi": "mục được trả lời nhiều lần trong cùng cuộc kiểm tra",
        "en": "item answered more than once in the same inspection",
    },
    "duplicate_inspection": {
        "vi": "mã cuộc kiểm tra bị trùng",
        "en": "inspection id appears more than once",
    },
    "bad_date": {
        "vi": "thiếu hoặc sai ngày kiểm tra {value!r}",
        "en": "missing or invalid inspection date {value!r}",
    },
    "unknown_establishment": {
        "vi": "không tìm thấy cơ sở {value!r}",
        "en": "no such establishment {value!r}",
    },
}


@dataclass(frozen=True)
class ItemTable:
    """The checklist's items as column arrays, in checklist order (cached by fingerprint).

    ``text`` holds the columns a finding shows, as ``str`` arrays, with the
    default corrective action filled in where an item has none. ``advice`` marks
    the good-practice items (``kind: advice``), scored apart from the legal ones;
    ``section_legal`` which sections hold at least one legal item.
    """

    frame: pd.DataFrame
    index: pd.Index
    weight: np.ndarray
    critical: np.ndarray
    advice: np.ndarray
    section_legal: np.ndarray
    scored: np.ndarray
    section_codes: np.ndarray
    sections: list[str]
    days: np.ndarray
    text: dict[str, pd.api.extensions.ExtensionArray]
    checklist_id: str

    @classmethod
    def of(cls, checklist) -> ItemTable:
        key = (checklist.id, getattr(checklist, "fingerprint", None))
        if key[1] and key in _ITEMS_CACHE:
            return _ITEMS_CACHE[key]
        frame = checklist.items_frame()
        sections = list(dict.fromkeys(frame["section_id"]))
        order = np.argsort(pd.Index(sections).get_indexer(frame["section_id"]), kind="stable")
        frame = frame.iloc[order].reset_index(drop=True)
        has_threshold = frame["threshold_op"].notna().to_numpy()
        days = frame["days_to_correct"].astype("float64").to_numpy()
        by_severity = frame["severity"].map(correction_days(checklist)).to_numpy("float64")
        advice = (frame["kind"] == "advice").to_numpy()
        section_codes = pd.Index(sections).get_indexer(frame["section_id"])
        text = {
            c: text_array(frame[c])
            for c in ("item_id", "section_id", "severity", "text_vi", "text_en", "legal_basis")
        }
        text |= {
            f"action_{lang}": text_array(_default_actions(frame, lang)) for lang in ("vi", "en")
        }
        items = cls(
            frame=frame,
            index=pd.Index(frame["item_id"]),
            weight=frame["weight"].to_numpy("float64"),
            critical=(frame["severity"] == "critical").to_numpy(),
            advice=advice,
            section_legal=np.bincount(section_codes[~advice], minlength=len(sections)) > 0,
            scored=((frame["answer_type"] == "compliance").to_numpy() | has_threshold),
            section_codes=section_codes,
            sections=sections,
            days=np.where(advice, 0, np.where(np.isnan(days), by_severity, days)).astype("int64"),
            text=text,
            checklist_id=checklist.id,
        )
        if key[1]:
            _ITEMS_CACHE[key] = items
        return items


_ITEMS_CACHE: dict[tuple[str, str], ItemTable] = {}


def text_array(values) -> pd.api.extensions.ExtensionArray:
    """Text as pandas' ``str`` dtype (missing values become NaN)."""
    return pd.array(np.asarray(values, dtype=object), dtype="str")


@dataclass(frozen=True)
class Grid:
    """Inspection × item verdicts as boolean grids (rows: inspections, columns: items)."""

    answered: np.ndarray
    compliant: np.ndarray
    gap: np.ndarray
    no_reference: np.ndarray
    response_row: np.ndarray
    value: np.ndarray

    def without(self, columns: np.ndarray) -> Grid:
        """The same grid with the items of ``columns`` (a bool mask) never applicable:
        not answered, not compliant, not a gap."""
        keep = ~columns[None, :]
        return Grid(
            answered=self.answered & keep,
            compliant=self.compliant & keep,
            gap=self.gap & keep,
            no_reference=self.no_reference & keep,
            response_row=self.response_row,
            value=self.value,
        )


def inspection_inputs(inspections: pd.DataFrame, establishments=None) -> tuple:
    """(inspections, attributes, dates, problems) for scoring, rows in the same order.

    Attributes are the inspection's own columns, or its establishment's joined
    by ``establishment_id``. Problems: duplicate inspection ids, unknown
    establishments, missing or invalid ``inspected_on``. With duplicate ids
    the answers cannot be placed, so :class:`ResponsesError` is raised here.
    """
    insp = inspections.reset_index(drop=True)
    ids = insp["inspection_id"]
    problems = [
        _inspection_problem(ids[i], "inspection_id", "duplicate_inspection", Reason.DUPLICATE)
        for i in np.flatnonzero(ids.duplicated().to_numpy())
    ]
    attrs = insp
    if establishments is not None:
        attrs = insp.merge(
            establishments,
            on="establishment_id",
            how="left",
            suffixes=("_inspection", ""),
            indicator=True,
            validate="many_to_one",
        )
        problems += [
            _inspection_problem(
                ids[i],
                "establishment_id",
                "unknown_establishment",
                Reason.REFERENCE,
                value=python_value(attrs.at[i, "establishment_id"]),
            )
            for i in np.flatnonzero(attrs.pop("_merge").eq("left_only").to_numpy())
        ]
    dates = pd.to_datetime(insp["inspected_on"], errors="coerce")
    problems += [
        _inspection_problem(
            ids[i], "inspected_on", "bad_date", Reason.VALUE, value=insp.at[i, "inspected_on"]
        )
        for i in np.flatnonzero(dates.isna().to_numpy())
    ]
    if ids.duplicated().any():
        raise ResponsesError(problems)
    return insp, attrs, dates, problems


def _inspection_problem(inspection_id, field: str, key: str, reason: Reason, **fmt) -> Problem:
    message = tr(MESSAGES, key, "en", **fmt)
    return Problem(RESPONSES, f"inspection {inspection_id}", field, message, reason)


def judge(items: ItemTable, responses, inspection_ids: pd.Series, attrs) -> tuple[Grid, list]:
    """The grid for ``inspection_ids`` (attributes in ``attrs``, same order) and every problem."""
    n, m = len(inspection_ids), len(items.index)
    rows = _positions(pd.Index(inspection_ids), responses["inspection_id"], runs=True)
    (state, value, response_row), problems = _encode(items, responses, rows, n)
    applies = _applicability(items, attrs, n)
    decided = (state == COMPLIANT) | (state == NONCOMPLIANT)
    compliant = state == COMPLIANT
    no_reference = np.zeros((n, m), dtype=bool)
    frame = items.frame
    for j in np.flatnonzero(frame["threshold_op"].notna().to_numpy()):
        op = _OPS[frame.at[j, "threshold_op"]]
        ref_item = frame.at[j, "threshold_item"]
        if isinstance(ref_item, str) and ref_item:
            reference = value[:, items.index.get_loc(ref_item)]
        else:
            reference = np.full(n, float(frame.at[j, "threshold_value"]))
        has_value = ~np.isnan(value[:, j])
        comparable = has_value & ~np.isnan(reference)
        with np.errstate(invalid="ignore"):
            meets = op(value[:, j], reference)
        compliant[:, j] = np.where(comparable, meets, compliant[:, j])
        decided[:, j] = comparable | decided[:, j]
        no_reference[:, j] = has_value & ~comparable & ~decided[:, j]
    applicable = applies & items.scored & (state != NA)
    grid = Grid(
        answered=applicable & decided,
        compliant=applicable & decided & compliant,
        gap=applicable & ~decided,
        no_reference=applicable & no_reference,
        response_row=response_row,
        value=value,
    )
    return grid, problems


def _encode(items: ItemTable, responses, rows, n: int):
    """Responses into grids of answer codes, values and source rows, plus every problem.

    The common case (every row known and valid) takes no boolean masks over
    the answers: checks look at minima first and build masks only on trouble.
    """
    m = len(items.index)
    cols = _positions(items.index, responses["item_id"])
    if "answer" in responses:
        answers = _answer_codes(responses["answer"])
    else:
        answers = np.zeros(len(responses), dtype=np.int8)
    values, not_numbers = _values(responses)
    problems = []
    if len(responses) and min(rows.min(), cols.min(), answers.min()) < 0 or not_numbers.any():
        problems = _row_checks(items, responses, rows, cols, answers, not_numbers)
        source = np.flatnonzero((rows >= 0) & (cols >= 0))
        rows, cols, answers = rows[source], cols[source], np.maximum(answers[source], 0)
    else:
        source = np.arange(len(responses))
    flat = rows * m + cols
    response_row = np.full(n * m, -1, dtype=np.int32 if len(responses) < 2**31 else np.int64)
    response_row[flat] = source
    repeated = response_row[flat] != source
    if repeated.any():
        dup = np.zeros(len(responses), dtype=bool)
        dup[source] = np.isin(flat, flat[repeated])
        problems += _row_problems(responses, dup, "item_id", "duplicate", Reason.DUPLICATE, {})
    state = np.zeros(n * m, dtype=np.int8)
    state[flat] = answers
    value = np.full(n * m, np.nan)
    measured = np.flatnonzero(~np.isnan(values[source]))
    value[flat[measured]] = values[source[measured]]
    grids = (state.reshape(n, m), value.reshape(n, m), response_row.reshape(n, m))
    return grids, problems


def _row_checks(items: ItemTable, responses, rows, cols, answers, not_numbers) -> list[Problem]:
    """Every unknown item, invalid answer and non-numeric value among this checklist's rows."""
    keep = rows >= 0
    checks = [
        (
            keep & (cols < 0),
            "item_id",
            "unknown_item",
            Reason.UNKNOWN,
            {"checklist": items.checklist_id},
        ),
        (
            keep & (answers < 0),
            "answer",
            "bad_answer",
            Reason.VALUE,
            {"codes": ", ".join(ANSWER_CODES), "column": "answer"},
        ),
        (keep & not_numbers, "value", "bad_value", Reason.TYPE, {"column": "value"}),
    ]
    return [p for mask, *check in checks for p in _row_problems(responses, mask, *check)]


def _answer_codes(answer: pd.Series) -> np.ndarray:
    """Answer codes as int8: 0 unanswered (missing or empty), 1-3 the codes, -1 invalid."""
    codes, uniques = _factorize(answer)
    lookup = np.array(
        [
            COMPLIANT + ANSWER_CODES.index(u)
            if u in ANSWER_CODES
            else (UNANSWERED if isinstance(u, str) and not u.strip() else -1)
            for u in uniques
        ]
        + [UNANSWERED],
        dtype=np.int8,
    )
    return lookup[codes]


def _values(responses) -> tuple[np.ndarray, np.ndarray]:
    """The ``value`` column as floats, and which rows hold something that is not a number."""
    n = len(responses)
    if "value" not in responses:
        return np.full(n, np.nan), np.zeros(n, dtype=bool)
    column = responses["value"]
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return column.to_numpy("float64", na_value=np.nan), np.zeros(n, dtype=bool)
    values = pd.to_numeric(column, errors="coerce").to_numpy("float64", na_value=np.nan)
    blank = column.isna() | column.astype(str).str.strip().eq("")
    return values, np.isnan(values) & ~blank.to_numpy()


def _row_problems(responses, mask, field, key, reason, fmt) -> list[Problem]:
    """One problem per row flagged in ``mask``; ``fmt`` fills the message.

    ``fmt["column"]``, when given, names the column whose value the message quotes.
    """
    if not mask.any():
        return []
    fmt = dict(fmt)
    column = fmt.pop("column", None)
    out = []
    source = responses.get("source")
    for i in np.flatnonzero(mask):
        row = responses.iloc[i]
        where = source.iloc[i] if source is not None else f"row {responses.index[i]}"
        value = python_value(row[column] if column else row["item_id"])
        out.append(
            Problem(
                RESPONSES,
                f"{where} (inspection {row['inspection_id']}, item {row['item_id']})",
                field,
                tr(MESSAGES, key, "en", value=value, **fmt),
                reason,
                value,
            )
        )
    return out


def python_value(value):
    """A numpy scalar as the Python value it holds, so messages read ``9``, not ``np.int64(9)``."""
    return value.item() if isinstance(value, np.generic) else value


def _positions(index: pd.Index, values: pd.Series, runs: bool = False) -> np.ndarray:
    """Position of each value in ``index`` (-1 when absent), hashing each distinct value once.

    With ``runs``, consecutive repeats (answers listed inspection by inspection)
    are hashed once per run, which is several times faster than hashing every row.
    """
    runs = runs and not isinstance(values.dtype, pd.CategoricalDtype)
    if runs:
        array = values.to_numpy(object)
        starts = np.flatnonzero(np.append(True, array[1:] != array[:-1]))
        runs = len(starts) * 4 <= len(array)
    if runs:
        head_codes, uniques = pd.factorize(array[starts], use_na_sentinel=True)
        codes = np.repeat(head_codes, np.diff(np.append(starts, len(array))))
    else:
        codes, uniques = _factorize(values)
    lookup = np.append(index.get_indexer(uniques), -1)
    return lookup[codes].astype(np.int64)


def _factorize(values: pd.Series) -> tuple[np.ndarray, object]:
    """(codes, distinct values); categories are used as they are, text is hashed as objects.

    Hashing an object array is about twice as fast as hashing pandas' ``str`` dtype.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), values.cat.categories
    return pd.factorize(values.to_numpy(object), use_na_sentinel=True)


def _applicability(items: ItemTable, attrs: pd.DataFrame, n: int) -> np.ndarray:
    """Inspection × item grid: does the item's condition hold for the establishment?"""
    applies = np.ones((n, len(items.index)), dtype=bool)
    conds = items.frame["applies_if"]
    for expr, cols in conds[conds.notna() & (conds != "")].groupby(conds).groups.items():
        holds = conditions.evaluate(expr, attrs).to_numpy(dtype=bool)
        applies[:, np.asarray(cols)] = holds[:, None]
    return applies


def _default_actions(frame: pd.DataFrame, lang: str) -> np.ndarray:
    action = frame[f"action_{lang}"]
    default = frame[f"text_{lang}"].map(lambda t: tr(MESSAGES, "default_action", lang, text=t))
    blank = action.isna() | action.astype(str).str.strip().eq("")
    return action.where(~blank, default).to_numpy(object)


def correction_days(checklist) -> dict[str, int]:
    days = checklist.correction_days
    data = days if isinstance(days, Mapping) else days.model_dump()
    return {s: int(data[s]) for s in SEVERITIES}
