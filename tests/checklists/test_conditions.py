"""Applicability conditions: what is allowed, what each problem says, how rows are judged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_lib.checklists import conditions
from audit_lib.checklists._conditions import ATTRIBUTES, evaluate, evaluate_one, validate
from audit_lib.core.vocabulary import KINDS, SECTORS

KNOWN = ", ".join(ATTRIBUTES)


@pytest.mark.parametrize(
    "expr",
    [
        "workforce >= 50 and sector in ['mining', 'construction']",
        "has_strict_equipment",
        "not labour_relations",
        "10 <= workforce < 50",
        "kind != 'household' and (high_risk or employs_minors)",
        "sector not in ('trade', 'transport') or strict_workers > 0",
        "workforce >= strict_workers",
        "employs_minors == True",
        "workforce > -1",
        "",
        None,
    ],
)
def test_conditions_from_the_contract_are_valid(expr):
    assert validate(expr) == []


def test_unknown_attribute_is_named_with_the_known_ones():
    assert validate("workers > 10") == [f"unknown attribute 'workers'; known attributes: {KNOWN}"]


def test_invalid_syntax_says_where():
    [problem] = validate("workforce >= ")
    assert problem.startswith("invalid syntax at the end: something is missing")
    assert validate("a b")[0].startswith("invalid syntax at column 3;")


@pytest.mark.parametrize(
    ("expr", "construct"),
    [
        ("len(sector) > 3", "function calls"),
        ("sector.upper() == 'MINING'", "function calls"),
        ("workforce + 1 > 3", "arithmetic"),
        ("sector[0] == 'm'", "indexing with []"),
        ("workforce if high_risk else 0", "'if ... else'"),
        ("__import__('os')", "function calls"),
    ],
)
def test_anything_beyond_names_constants_and_comparisons_is_refused(expr, construct):
    problems = validate(expr)
    assert problems and construct in problems[0]


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("sector == 5", "compares text with number; both sides must be text"),
        ("workforce == 'many'", "compares number with text; both sides must be number"),
        ("sector < 'z'", "'<' compares numbers only, not text"),
        ("workforce", "'workforce' is a number attribute, not true/false"),
        ("workforce in 50", "after 'in' write a list in brackets"),
        ("high_risk and true", "'true' is not allowed; write True or False"),
    ],
)
def test_type_mistakes_are_explained(expr, message):
    assert any(message in p for p in validate(expr)), validate(expr)


def test_unknown_sector_and_kind_values_are_listed():
    assert validate("sector in ['minning']") == [
        f"unknown sector 'minning'; known values: {', '.join(SECTORS)}"
    ]
    assert validate("kind == 'company'") == [
        f"unknown kind 'company'; known values: {', '.join(KINDS)}"
    ]


def test_every_problem_is_reported_not_just_the_first():
    assert len(validate("workers > 1 and sektor == 'mining'")) == 2


def test_a_condition_that_is_not_text_is_refused():
    assert validate(50) == ['must be text, e.g. "workforce >= 50", not 50']


ESTABLISHMENTS = pd.DataFrame(
    {
        "sector": ["mining", "trade", None, "construction", "agriculture"],
        "kind": ["enterprise", "household", "cooperative", "enterprise", "cooperative"],
        "workforce": [60, np.nan, 10, 20, 300],
        "strict_workers": [12, 0, 0, 3, np.nan],
        "has_strict_equipment": [True, None, False, True, False],
    },
    index=[11, 12, 13, 14, 15],
)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("workforce >= 50 and sector in ['mining', 'construction']", [1, 0, 0, 0, 0]),
        ("10 <= workforce < 50", [0, 1, 1, 1, 0]),
        ("has_strict_equipment", [1, 1, 0, 1, 0]),
        ("not has_strict_equipment", [0, 1, 1, 0, 1]),
        ("kind != 'household'", [1, 0, 1, 1, 1]),
        ("strict_workers > 0 or workforce >= 300", [1, 1, 0, 1, 1]),
        ("sector == 'trade' and workforce >= 50", [0, 1, 0, 0, 0]),
        ("workforce >= strict_workers", [1, 1, 1, 1, 1]),
        ("", [1, 1, 1, 1, 1]),
    ],
)
def test_evaluate_judges_every_row_at_once(expr, expected):
    result = evaluate(expr, ESTABLISHMENTS)
    assert result.dtype == bool
    assert list(result.index) == [11, 12, 13, 14, 15]
    assert result.tolist() == [bool(x) for x in expected]


def test_an_unknown_value_makes_the_item_apply_unless_the_rest_decides():
    frame = pd.DataFrame({"sector": ["trade", "mining", None], "workforce": [None, None, 80]})
    expr = "sector == 'mining' and workforce >= 50"
    # trade: false whatever the workforce; mining with unknown workforce: applies;
    # unknown sector with 80 workers: applies.
    assert evaluate(expr, frame).tolist() == [False, True, True]


def test_a_column_missing_from_the_frame_counts_as_unknown():
    frame = pd.DataFrame({"workforce": [5, 500]})
    assert evaluate("employs_minors", frame).tolist() == [True, True]
    assert evaluate("employs_minors and workforce > 100", frame).tolist() == [False, True]


def test_pandas_nullable_dtypes_are_understood():
    frame = pd.DataFrame(
        {
            "workforce": pd.array([5, None, 70], dtype="Int64"),
            "high_risk": pd.array([True, False, None], dtype="boolean"),
            "sector": pd.array(["wood", pd.NA, "mining"], dtype="string"),
        }
    )
    assert evaluate("workforce >= 50", frame).tolist() == [False, True, True]
    assert evaluate("not high_risk", frame).tolist() == [False, True, True]
    assert evaluate("sector in ['wood']", frame).tolist() == [True, True, False]


def test_an_empty_frame_gives_an_empty_series():
    assert evaluate("high_risk", pd.DataFrame({"high_risk": []})).tolist() == []


def test_evaluating_an_invalid_condition_raises_with_its_problems():
    with pytest.raises(ValueError, match="unknown attribute 'workers'"):
        evaluate("workers > 1", ESTABLISHMENTS)


def test_evaluate_one_judges_a_single_establishment():
    assert evaluate_one("workforce >= 50", {"workforce": 12}) is False
    assert evaluate_one("workforce >= 50", {}) is True
    assert evaluate_one("not labour_relations", {"labour_relations": False}) is True
    assert evaluate_one(None, {}) is True


def test_both_evaluations_read_numbers_written_as_text_and_treat_garbage_as_unknown():
    rows = [{"workforce": "75"}, {"workforce": "many"}, {"workforce": "7"}]
    assert evaluate("workforce >= 50", pd.DataFrame(rows)).tolist() == [True, True, False]
    assert [evaluate_one("workforce >= 50", row) for row in rows] == [True, True, False]


# Property: the vectorized evaluation equals a plain Python evaluation row by row.

NUMBER_ATTRS = [a for a, k in ATTRIBUTES.items() if k == conditions.NUMBER]
BOOL_ATTRS = [a for a, k in ATTRIBUTES.items() if k == conditions.BOOL]
TEXT_VALUES = {"sector": SECTORS, "kind": KINDS}


def _number_comparison():
    ops = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
    plain = st.builds(
        lambda a, op, n: f"{a} {op} {n}", st.sampled_from(NUMBER_ATTRS), ops, st.integers(-1, 60)
    )
    chained = st.builds(
        lambda lo, a, hi: f"{lo} <= {a} < {hi}",
        st.integers(0, 30),
        st.sampled_from(NUMBER_ATTRS),
        st.integers(0, 60),
    )
    between = st.builds(lambda op: f"workforce {op} strict_workers", ops)
    member = st.builds(
        lambda a, op, ns: f"{a} {op} {ns}",
        st.sampled_from(NUMBER_ATTRS),
        st.sampled_from(["in", "not in"]),
        st.lists(st.integers(0, 10), min_size=1, max_size=3),
    )
    return plain | chained | between | member


def _text_comparison():
    def build(attr, op, values):
        if op in ("in", "not in"):
            return f"{attr} {op} {list(values)!r}"
        return f"{attr} {op} {values[0]!r}"

    return st.sampled_from(sorted(TEXT_VALUES)).flatmap(
        lambda attr: st.builds(
            build,
            st.just(attr),
            st.sampled_from(["==", "!=", "in", "not in"]),
            st.lists(st.sampled_from(TEXT_VALUES[attr]), min_size=1, max_size=3),
        )
    )


LEAVES = (
    _number_comparison()
    | _text_comparison()
    | st.sampled_from(BOOL_ATTRS)
    | st.sampled_from(["True", "False"])
)
EXPRESSIONS = st.recursive(
    LEAVES,
    lambda inner: (
        st.builds(lambda e: f"not ({e})", inner)
        | st.builds(
            lambda op, parts: f" {op} ".join(f"({p})" for p in parts),
            st.sampled_from(["and", "or"]),
            st.lists(inner, min_size=2, max_size=3),
        )
    ),
    max_leaves=6,
)


def _row(complete: bool):
    def maybe(strategy):
        return strategy if complete else st.none() | strategy

    return st.fixed_dictionaries(
        {
            "sector": maybe(st.sampled_from(SECTORS)),
            "kind": maybe(st.sampled_from(KINDS)),
            "workforce": maybe(st.integers(0, 80)),
            "strict_workers": maybe(st.integers(0, 40)),
            "hazardous_workers": maybe(st.integers(0, 40)),
            **{a: maybe(st.booleans()) for a in BOOL_ATTRS},
        }
    )


@settings(max_examples=300, deadline=None)
@given(expr=EXPRESSIONS, rows=st.lists(_row(complete=True), min_size=1, max_size=8))
def test_vectorized_evaluation_equals_python_row_by_row(expr, rows):
    assert validate(expr) == []
    expected = [bool(eval(expr, {"__builtins__": {}}, dict(row))) for row in rows]  # noqa: S307
    assert evaluate(expr, pd.DataFrame(rows)).tolist() == expected


@settings(max_examples=300, deadline=None)
@given(expr=EXPRESSIONS, rows=st.lists(_row(complete=False), min_size=1, max_size=8))
def test_with_missing_values_vectorized_equals_one_by_one(expr, rows):
    expected = [evaluate_one(expr, row) for row in rows]
    assert evaluate(expr, pd.DataFrame(rows)).tolist() == expected


@settings(max_examples=100, deadline=None)
@given(expr=EXPRESSIONS, rows=st.lists(_row(complete=False), min_size=1, max_size=8))
def test_filling_in_unknown_values_can_only_remove_applicability(expr, rows):
    """An unknown value never hides an item that a known value would show."""
    filled = [{k: (v if v is not None else _FILL[k]) for k, v in row.items()} for row in rows]
    unknown = evaluate(expr, pd.DataFrame(rows))
    known = evaluate(expr, pd.DataFrame(filled))
    assert not (known & ~unknown).any()


_FILL = {
    "sector": "other",
    "kind": "other",
    "workforce": 0,
    "strict_workers": 0,
    "hazardous_workers": 0,
    **{a: False for a in BOOL_ATTRS},
}
