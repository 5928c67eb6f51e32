"""Whether a policy's compiled scalar code can do decimal arithmetic that reads the thread's
decimal context (DECIMAL_CONTEXT in the generated module).

Compiled code writes + − × on Decimals as Python operators, which round to the caller's thread
context, so Policy.evaluate checks that context on every call (~0.1 µs: getcontext and two
attribute reads, about a quarter of a small rule such as annual leave). A policy in which no
Decimal can arise — no decimal input, field or definition, no decimal literal, no division
but a whole number's (values.div_int), no mean, no progressive scale, no rounding to a
quantum — computes the same under any
context, and Policy.evaluate skips the check for it. The test is conservative: a node kind or
value kind not known to be safe counts as decimal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from guize.runtime import ir

# Value kinds that are never Decimal (ints, truth values, dates, enum members, texts and the
# whole-month 期间/年龄/年月 values); any other kind (money, rate, quantity, lists…) counts.
_SAFE_KINDS = frozenset({"int", "bool", "date", "enum", "text", "duration", "age", "year_month"})
# Calls whose results are ints, dates or whole-month values (values.FUNCS).
_SAFE_CALLS = frozenset({"year", "month", "day", "months_between", "days_between", "years_between",
                         "full_years", "period_between", "year_month", "as_period", "as_age", "as_year_month",
                         "add_months", "year_month_add", "add_years", "add_days", "abs"})


def needs_decimal_context(inputs: Iterable[Mapping[str, Any]], defs: Iterable[ir.Definition]) -> bool:
    """True unless no Decimal can arise in the scalar code of these inputs and definitions."""
    for spec in inputs:
        if spec["kind"] == "list":
            if any(_decimal_spec(field) for field in spec.get("fields") or ()):
                return True
        elif _decimal_spec(spec):
            return True
    for d in defs:
        if d.value_kind not in _SAFE_KINDS or d.round is not None:
            return True
        stack: list[Any] = [d.expr]
        while stack:
            node = stack.pop()
            if isinstance(node, ir.Round) and node.as_int and isinstance(node.arg, ir.Arith) and node.arg.op == "/":
                # values.div_int: integer divmod, else division and rounding in explicit contexts
                stack += (node.arg.left, node.arg.right)
                continue
            if _decimal_node(node):
                return True
            stack += ir.children(node)
    return False


def _decimal_spec(spec: Mapping[str, Any]) -> bool:
    return spec["kind"] not in _SAFE_KINDS or spec.get("scale", 1) != 1


def _decimal_node(node: Any) -> bool:
    match node:
        case ir.Arith(exact_int=exact):
            return not exact
        case ir.Call(func=func):
            return func not in _SAFE_CALLS
        case ir.Round(as_int=as_int):
            return not as_int  # values.rnd_int rounds in values.CONTEXT; to a quantum, maybe inline
        case ir.Progressive() | ir.Scale():
            return True
        case ir.Aggregate(func=func):
            return func == "mean"
    # Any Decimal held by the node itself: a literal, a band's bound, a running sum's zero.
    return any(isinstance(getattr(node, f.name), Decimal) for f in attrs.fields(type(node)))
