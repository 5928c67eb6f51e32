"""Arithmetic and roundings of constants done at compile time, where exact (scalar codegen).

`K1 + K2`, `K1 − K2` and `K1 × K2` of constants (literals and constant parameters), at
least one a Decimal, are one constant of the module when the result in guize's context
(values.CONTEXT) is exact and its exponent and adjusted exponent lie far within any context of
28 digits (Policy.evaluate computes in such a context, the interpreter in CONTEXT): then every
engine computes this very Decimal, its exponent included. Textile's 电价补贴标准 (0.38 − 0.33)
and 1 + 20 % were computed on every call. A definition that is such a constant is folded into
its uses as a constant parameter is.

A rounding (`…quantize(Q, R)`) of such a constant is the rounded constant (`rounded` says
why any rounding of a constant qualifies, not only an exact one); a rounded condition with a constant branch (`(A if C else 0).quantize(Q, R)`, textile's
zero subsidies) rounds each branch (`A.quantize(Q, R) if C else 0.00`), so the constant one is
rounded once here, not on every call. Division is left to the runtime (values.div).
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from guize.compiler.inline_calls import compared
from guize.runtime import ir
from guize.runtime.values import CONTEXT

_OPERATIONS = {"+": "add", "-": "subtract", "*": "multiply"}
_ROUNDINGS = {"half_up": decimal.ROUND_HALF_UP, "floor": decimal.ROUND_FLOOR, "ceil": decimal.ROUND_CEILING,
              "down": decimal.ROUND_DOWN}


def value(node: ir.Expr, folded: dict[str, Any], memo: dict[int, Any]) -> Any:
    """The constant `node` is (a Decimal or an int), or None: a literal, a constant parameter
    (`folded`), or +, − and × of such computed exactly (`memo`: by node, so a deep
    chain is walked once)."""
    match node:
        case ir.Const(value=v):
            return v if v.__class__ in (Decimal, int) else None
        case ir.Ref(name=name):
            found = folded.get(name)
            return found if found.__class__ in (Decimal, int) else None
        case ir.Arith(op=op, left=left, right=right) if op in _OPERATIONS:
            key = id(node)
            if key not in memo:
                a, b = value(left, folded, memo), value(right, folded, memo)
                memo[key] = None if a is None or b is None else _exact(_OPERATIONS[op], a, b)
            return memo[key]
    return None


def folded_defs(defs: dict[str, ir.Definition], order: Sequence[str], folded: dict[str, Any],
                outputs: frozenset[str]) -> dict[str, Any]:
    """The definitions, beyond `folded`, whose expression is such a constant (in `order`, so
    one computed from another folds too): not rounded, not outputs, not 可作输入, as `folded`."""
    out = dict(folded)
    memo: dict[int, Any] = {}
    for name in order:
        d = defs.get(name)
        if d is None or name in out or d.round is not None or name in outputs or d.given \
                or not isinstance(d.expr, ir.Arith):
            continue
        found = value(d.expr, out, memo)
        if found is not None and found.__class__ is Decimal:
            out[name] = found
    return out


def rounded(v: Any, mode: str, quantum: Decimal) -> Decimal | None:
    """v rounded to `quantum` as the runtime rounds it in guize's context, if that raises
    nothing there and the result lies far within any context of 28 digits, else None. Not only
    when exact: a rounding with its own mode gives the same Decimal in any context of 28 digits
    (Policy.evaluate computes in one), and a caller's context that traps Inexact or Rounded has
    its evaluation done again in guize's (policy._in_guize_context), where this is computed."""
    if v.__class__ not in (Decimal, int) or quantum.__class__ is not Decimal or mode not in _ROUNDINGS \
            or not quantum.is_finite() or quantum.adjusted() <= -28 or not quantum <= 1:
        return None  # (above 1, values.rnd quantizes to a whole number again)
    context = CONTEXT.copy()
    context.clear_flags()
    try:
        result = Decimal(v).quantize(quantum, _ROUNDINGS[mode], context)
    except (decimal.DecimalException, OverflowError):
        return None
    return result if result.is_finite() and -28 < result.adjusted() < 28 else None


def rounded_code(gen: Any, node: ir.Expr, owner: str, mode: str, quantum: Decimal) -> str | None:
    """The code of `node` rounded (definition `owner`'s rounding) with its constant parts
    rounded here: the constant itself, or a condition (若 … 则 …, not a comparison's, which
    computes its operands once: inline_calls.compared_if) whose branches are rounded each, when
    one of them is a constant rounded exactly; None otherwise."""
    memo = gen.constfold_memo
    whole = value(node, gen.folded, memo)
    if whole is not None:
        alone = rounded(whole, mode, quantum)
        return str(gen.const(alone)) if alone is not None else None
    if isinstance(node, ir.If) and not compared(node):
        sides = [node.then, node.other]
    elif isinstance(node, ir.Cond) and not compared(node):
        sides = [b.value for b in node.branches] + [node.other.value]
    else:
        return None
    constants = [value(side, gen.folded, memo) for side in sides]
    done = [rounded(c, mode, quantum) if c is not None else None for c in constants]
    if not any(d is not None for d in done):
        return None

    def side_code(k: int) -> str:
        if done[k] is not None:
            return str(gen.const(done[k]))
        return str(gen.rounding(gen.expr(sides[k], owner), sides[k], quantum, mode))

    if isinstance(node, ir.If):  # (in exprgen's order: the test, then, other)
        test = gen.expr(node.cond, owner)
        then = side_code(0)
        return f"({then} if {test} else {side_code(1)})"
    assert isinstance(node, ir.Cond)  # INVARIANT: sides above
    out = side_code(len(sides) - 1)
    for k in range(len(node.branches) - 1, -1, -1):  # (exprgen's order: other, then each value and test)
        out = f"{side_code(k)} if {gen.expr(node.branches[k].test, owner)} else {out}"
    return f"({out})"


def _exact(operation: str, *operands: Any) -> Decimal | None:
    if Decimal not in (o.__class__ for o in operands):
        return None
    context = CONTEXT.copy()
    context.clear_flags()
    try:
        result = getattr(context, operation)(*operands)
    except (decimal.DecimalException, OverflowError):
        return None
    return result if _within(result, context) else None


def _within(result: Decimal, context: decimal.Context) -> bool:
    """Computed without rounding, and far within any context of 28 digits."""
    return result.is_finite() and not context.flags[decimal.Inexact] and not context.flags[decimal.Rounded] \
        and -28 < result.adjusted() < 28 and -28 < int(result.as_tuple().exponent) <= 28
