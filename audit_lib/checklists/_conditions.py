"""Applicability conditions: small expressions over establishment attributes.

Usage::

    from audit_lib.checklists import _conditions as conditions
    conditions.validate("workforce >= 50 and sector in ['mining', 'construction']")  # []
    conditions.validate("workers > 10")
    # ["unknown attribute 'workers'; known attributes: sector, kind, workforce, ..."]
    conditions.evaluate("has_strict_equipment", establishments)   # Series[bool], vectorized
    conditions.evaluate_one("not labour_relations", {"labour_relations": False})  # True

A condition is parsed with Python's :mod:`ast` and may only use the attribute
names in :data:`ATTRIBUTES`, numbers, text, true/false, lists of those,
``and``/``or``/``not`` and comparisons (``== != < <= > >= in``, ``not in``).
Nothing is ever executed by Python's ``eval``.

Missing values. An establishment whose attribute is unknown (None/NaN, or a
column absent from the frame) is judged with three-valued logic: a comparison
involving an unknown value is unknown; ``False and unknown`` is false,
``True or unknown`` is true. A condition that ends up unknown counts as
**true**: the item applies, so the inspector sees it and can answer
"Không áp dụng" (not applicable) on site. An empty or None condition is true.
"""

from __future__ import annotations

import ast
import functools
import operator
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from audit_lib.core.vocabulary import KINDS, SECTORS

TEXT, NUMBER, BOOL = "text", "number", "true/false"

ATTRIBUTES: dict[str, str] = {
    "sector": TEXT,
    "kind": TEXT,
    "workforce": NUMBER,
    "strict_workers": NUMBER,
    "hazardous_workers": NUMBER,
    "has_strict_equipment": BOOL,
    "high_risk": BOOL,
    "labour_relations": BOOL,
    "employs_minors": BOOL,
}
KNOWN_VALUES: dict[str, tuple[str, ...]] = {"sector": SECTORS, "kind": KINDS}

_COMPARE = {
    ast.Eq: ("==", operator.eq),
    ast.NotEq: ("!=", operator.ne),
    ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le),
    ast.Gt: (">", operator.gt),
    ast.GtE: (">=", operator.ge),
    ast.In: ("in", None),
    ast.NotIn: ("not in", None),
}
_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_MEMBERSHIP = (ast.In, ast.NotIn)
_ALLOWED = "use attribute names, numbers, text in quotes, lists, and/or/not and comparisons"


def _kind_of(value: object) -> str | None:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int | float):
        return NUMBER
    if isinstance(value, str):
        return TEXT
    return None


def _parse(expr: str) -> tuple[ast.expr | None, list[str]]:
    text = expr.strip()
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        where = f"at column {exc.offset}" if exc.offset else "at the end: something is missing"
        detail = f" ({exc.msg})" if exc.msg != "invalid syntax" else ""
        return None, [f"invalid syntax {where}{detail}; {_ALLOWED}"]
    return tree.body, []


def _constant(node: ast.expr) -> tuple[bool, object]:
    """(True, value) when ``node`` is a constant, including a negative number."""
    if isinstance(node, ast.Constant) and _kind_of(node.value):
        return True, node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub | ast.UAdd)
        and isinstance(node.operand, ast.Constant)
        and _kind_of(node.operand.value) == NUMBER
    ):
        value = node.operand.value
        return True, -value if isinstance(node.op, ast.USub) else value
    return False, None


def _describe(node: ast.AST) -> str:
    names = {
        ast.Call: "function calls",
        ast.Attribute: "attribute access with '.'",
        ast.Subscript: "indexing with []",
        ast.BinOp: "arithmetic",
        ast.IfExp: "'if ... else'",
        ast.Lambda: "lambda",
        ast.Dict: "mappings {}",
        ast.Set: "sets {}",
    }
    for cls, name in names.items():
        if isinstance(node, cls):
            return name
    return f"'{ast.unparse(node)}'"


class _Checker:
    """Walks a parsed condition and collects plain-language problems."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def boolean(self, node: ast.expr) -> None:
        if isinstance(node, ast.BoolOp):
            for value in node.values:
                self.boolean(value)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self.boolean(node.operand)
        elif isinstance(node, ast.Compare):
            self.compare(node)
        elif isinstance(node, ast.Name):
            kind = self.name(node)
            if kind and kind != BOOL:
                self.problems.append(
                    f"'{node.id}' is a {kind} attribute, not true/false: compare it, "
                    f"e.g. '{node.id} {'>= 50' if kind == NUMBER else '== ...'}'"
                )
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return
        else:
            self.problems.append(f"{_describe(node)} not allowed here; {_ALLOWED}")

    def name(self, node: ast.Name) -> str | None:
        if node.id in ATTRIBUTES:
            return ATTRIBUTES[node.id]
        if node.id in ("true", "false", "none", "None"):
            self.problems.append(f"'{node.id}' is not allowed; write True or False")
            return None
        self.problems.append(
            f"unknown attribute '{node.id}'; known attributes: {', '.join(ATTRIBUTES)}"
        )
        return None

    def operand(self, node: ast.expr) -> tuple[str | None, str | None, list[object]]:
        """(kind, attribute name or None, constant values) of one side of a comparison."""
        if isinstance(node, ast.Name):
            return self.name(node), node.id, []
        is_constant, value = _constant(node)
        if is_constant:
            return _kind_of(value), None, [value]
        self.problems.append(f"{_describe(node)} not allowed in a comparison; {_ALLOWED}")
        return None, None, []

    def members(self, node: ast.expr) -> tuple[set[str], list[object]]:
        if not isinstance(node, ast.List | ast.Tuple):
            self.problems.append(
                f"after 'in' write a list in brackets, e.g. ['mining', 'construction'], "
                f"not {ast.unparse(node)}"
            )
            return set(), []
        kinds, values = set(), []
        for element in node.elts:
            is_constant, value = _constant(element)
            if not is_constant:
                self.problems.append(
                    f"a list may only hold numbers or text, not {_describe(element)}"
                )
                continue
            kinds.add(_kind_of(value))
            values.append(value)
        return kinds, values

    def compare(self, node: ast.Compare) -> None:
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            symbol = _COMPARE[type(op)][0]
            left_kind, left_name, left_values = self.operand(left)
            if isinstance(op, _MEMBERSHIP):
                kinds, right_values = self.members(right)
                right_name = None
            else:
                right_kind, right_name, right_values = self.operand(right)
                kinds = {right_kind} if right_kind else set()
            self.types(symbol, op, left_kind, kinds)
            for name, values in ((left_name, right_values), (right_name, left_values)):
                self.known_values(name, values)
            left = right

    def types(self, symbol: str, op: ast.cmpop, left: str | None, kinds: set) -> None:
        if left is None or not kinds:
            return
        if isinstance(op, _ORDERING) and left != NUMBER:
            self.problems.append(f"'{symbol}' compares numbers only, not {left}")
        elif kinds != {left}:
            other = ", ".join(sorted(k for k in kinds if k))
            self.problems.append(f"compares {left} with {other}; both sides must be {left}")

    def known_values(self, name: str | None, values: list[object]) -> None:
        allowed = KNOWN_VALUES.get(name or "")
        if not allowed:
            return
        for value in values:
            if isinstance(value, str) and value not in allowed:
                self.problems.append(
                    f"unknown {name} '{value}'; known values: {', '.join(allowed)}"
                )


@functools.lru_cache(maxsize=1024)
def _checked(expr: str) -> tuple[ast.expr | None, tuple[str, ...]]:
    node, problems = _parse(expr)
    if node is None:
        return None, tuple(problems)
    checker = _Checker()
    checker.boolean(node)
    return node, tuple(checker.problems)


def _blank(expr: str | None) -> bool:
    return expr is None or not str(expr).strip()


def validate(expr: str | None) -> list[str]:
    """Every problem with ``expr``, in plain words; ``[]`` when it is a valid condition."""
    if _blank(expr):
        return []
    if not isinstance(expr, str):
        return [f'must be text, e.g. "workforce >= 50", not {expr!r}']
    return list(_checked(expr)[1])


def _valid(expr: str | None) -> ast.expr | None:
    if _blank(expr):
        return None
    problems = validate(expr)
    if problems:
        raise ValueError(f"invalid condition {expr!r}: {'; '.join(problems)}")
    return _checked(expr)[0]


# Vectorized evaluation: every boolean node becomes (surely_true, surely_false)
# boolean arrays; a row where both are false is unknown.

Truth = tuple[np.ndarray, np.ndarray]
Operand = tuple[object, np.ndarray | bool]  # (values array or scalar, known)


def _column(attrs: pd.DataFrame, name: str) -> Operand:
    if name not in attrs.columns:
        n = len(attrs)
        fill, dtype = {NUMBER: (0.0, float), BOOL: (False, bool), TEXT: ("", object)}[
            ATTRIBUTES[name]
        ]
        return np.full(n, fill, dtype=dtype), np.zeros(n, bool)
    column = attrs[name]
    known = column.notna().to_numpy()
    kind = ATTRIBUTES[name]
    if kind == NUMBER:
        numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        known = known & ~np.isnan(numbers)
        return np.where(known, numbers, 0.0), known
    if kind == BOOL:
        values = column.astype(object).where(known, False).to_numpy(dtype=bool)
        return values, known
    return column.astype(object).where(known, "").to_numpy(dtype=object), known


def _operand(node: ast.expr, attrs: pd.DataFrame) -> Operand:
    if isinstance(node, ast.Name):
        return _column(attrs, node.id)
    return _constant(node)[1], True


def _compare(node: ast.Compare, attrs: pd.DataFrame) -> Truth:
    n = len(attrs)
    sure_true, sure_false = np.ones(n, bool), np.zeros(n, bool)
    left = _operand(node.left, attrs)
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        if isinstance(op, _MEMBERSHIP):
            members = [_constant(e)[1] for e in right_node.elts]
            values, known = left
            result = np.isin(np.asarray(values, dtype=object), np.asarray(members, dtype=object))
            result = ~result if isinstance(op, ast.NotIn) else result
            right = (None, True)
        else:
            right = _operand(right_node, attrs)
            result = _COMPARE[type(op)][1](left[0], right[0])
            known = left[1] & right[1]
        result = np.broadcast_to(np.asarray(result, dtype=bool), (n,))
        known = np.broadcast_to(np.asarray(known, dtype=bool), (n,))
        sure_true &= result & known
        sure_false |= ~result & known
        left = right
    return sure_true, sure_false


def _truth(node: ast.expr, attrs: pd.DataFrame) -> Truth:
    n = len(attrs)
    if isinstance(node, ast.BoolOp):
        parts = [_truth(v, attrs) for v in node.values]
        if isinstance(node.op, ast.And):
            return np.logical_and.reduce([t for t, _ in parts]), np.logical_or.reduce(
                [f for _, f in parts]
            )
        return np.logical_or.reduce([t for t, _ in parts]), np.logical_and.reduce(
            [f for _, f in parts]
        )
    if isinstance(node, ast.UnaryOp):
        sure_true, sure_false = _truth(node.operand, attrs)
        return sure_false, sure_true
    if isinstance(node, ast.Compare):
        return _compare(node, attrs)
    if isinstance(node, ast.Name):
        values, known = _column(attrs, node.id)
        return values & known, ~values & known
    value = bool(node.value)
    return np.full(n, value), np.full(n, not value)


def evaluate(expr: str | None, attrs: pd.DataFrame) -> pd.Series:
    """Whether ``expr`` holds for each row of ``attrs``: a bool Series on ``attrs.index``.

    ``evaluate("workforce >= 50", df)``. Unknown values make the condition true
    (see the module docstring); an empty condition is true for every row.
    Raises ``ValueError`` listing the problems of an invalid condition.
    """
    node = _valid(expr)
    if node is None:
        return pd.Series(True, index=attrs.index, dtype=bool)
    _, sure_false = _truth(node, attrs)
    return pd.Series(~sure_false, index=attrs.index, dtype=bool)


# One establishment at a time, in plain Python: None stands for unknown.


def _value_one(node: ast.expr, attrs: Mapping[str, object]) -> object:
    """An attribute's value as its kind (None when unknown), or a constant."""
    if not isinstance(node, ast.Name):
        return _constant(node)[1]
    value = attrs.get(node.id)
    if value is None or pd.isna(value):
        return None
    kind = ATTRIBUTES[node.id]
    if kind == NUMBER:
        number = pd.to_numeric(value, errors="coerce")
        return None if pd.isna(number) else float(number)
    return bool(value) if kind == BOOL else str(value)


def _and(values: list[bool | None]) -> bool | None:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _or(values: list[bool | None]) -> bool | None:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _truth_one(node: ast.expr, attrs: Mapping[str, object]) -> bool | None:
    if isinstance(node, ast.BoolOp):
        combine: Callable = _and if isinstance(node.op, ast.And) else _or
        return combine([_truth_one(v, attrs) for v in node.values])
    if isinstance(node, ast.UnaryOp):
        inner = _truth_one(node.operand, attrs)
        return None if inner is None else not inner
    if isinstance(node, ast.Compare):
        results, left = [], _value_one(node.left, attrs)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, _MEMBERSHIP):
                members = [_constant(e)[1] for e in right_node.elts]
                right = members
                result = None if left is None else (left in members) == isinstance(op, ast.In)
            else:
                right = _value_one(right_node, attrs)
                unknown = left is None or right is None
                result = None if unknown else bool(_COMPARE[type(op)][1](left, right))
            results.append(result)
            left = right
        return _and(results)
    if isinstance(node, ast.Name):
        value = _value_one(node, attrs)
        return None if value is None else bool(value)
    return bool(node.value)


def evaluate_one(expr: str | None, attrs: Mapping[str, object]) -> bool:
    """Whether ``expr`` holds for one establishment given as a mapping of attributes.

    ``evaluate_one("workforce >= 50", {"workforce": 12})`` is False; a missing
    or None attribute is unknown and an unknown condition is True.
    """
    node = _valid(expr)
    if node is None:
        return True
    return _truth_one(node, attrs) is not False
