"""Progressive scales at run time: 超额累进 and 全额累进, exactly, bracket by bracket.

A scale is a value (`ScaleValue`) that only the three scale functions apply:
- amount (累进计算): 超额累进 sums each part of the base at its bracket's rate;
  全额累进 takes the whole base at the rate of the bracket it falls in;
- rate (适用税率): the rate of the bracket the base falls in (the top bracket reached);
- deduction (速算扣除数, 超额累进 only): base × rate − amount, which is the same for every
  base in a bracket — the table's "quick deduction", derived instead of typed in.

Brackets are (lo, lo_incl, hi, hi_incl, rate), ascending and contiguous (the checker proves
it); an unbounded end is None, and a first bracket open below starts at 0.
"""

from __future__ import annotations

import decimal
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from guize.runtime.errors import EvaluationError
from guize.runtime.values import CONTEXT, fmt

Bracket = tuple[Any, bool, Any, bool, Any]  # lo, lo_incl, hi, hi_incl, rate
_ZERO = Decimal(0)
_EXACT = decimal.Context(prec=CONTEXT.prec, rounding=CONTEXT.rounding, Emax=CONTEXT.Emax, Emin=CONTEXT.Emin,
                         traps=[decimal.Inexact, decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])


class ScaleValue:
    """A scale with its rates evaluated. `labels`, `cites` and `origin` (owner, node id) serve
    explanations and coverage; compiled code leaves them empty."""

    __slots__ = ("brackets", "cites", "kind", "labels", "last", "origin", "quick")

    def __init__(self, kind: str, brackets: Sequence[Bracket], labels: Sequence[str] = (),
                 cites: Sequence[tuple[str, ...]] = (), origin: tuple[str, int] | None = None) -> None:
        self.kind = kind
        self.brackets = tuple(brackets)
        self.labels = tuple(labels)
        self.cites = tuple(cites)
        self.origin = origin
        self.quick: Any = False  # see _quick: False until first needed
        # The last base a scale function met on the quick path, its bracket and, once amount
        # computed it exactly, base × rate: 适用税率, 累进计算 and 速算扣除数 of one base (iit)
        # find the bracket once and multiply once. One tuple, replaced whole (thread-safe); a
        # base is recognised by identity, so it is the same value.
        self.last: tuple[Any, int, Any] = (None, 0, None)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ScaleValue) and (self.kind, self.brackets) == (other.kind, other.brackets)

    def __hash__(self) -> int:
        return hash((self.kind, self.brackets))

    def __repr__(self) -> str:
        return f"ScaleValue({self.kind!r}, {self.brackets!r})"

    def __str__(self) -> str:
        word = "超额累进" if self.kind == "excess" else "全额累进"
        return f"{word}税率表（{len(self.brackets)} 档）"

    def index(self, x: Any) -> int:
        """The bracket the base falls in (inclusive ends as the law writes them)."""
        for i, (lo, lo_incl, hi, hi_incl, _rate) in enumerate(self.brackets):
            if lo is not None and not (lo <= x if lo_incl else lo < x):
                continue
            if hi is not None and not (x <= hi if hi_incl else x < hi):
                continue
            return i
        first = self.brackets[0][0] if self.brackets else None
        if first is not None and x < first:
            return -1  # below the first bracket: nothing is taxed
        raise EvaluationError(f"{fmt(x)} 不在累进税率表的任何一档之内", value=str(x))

    def parts(self, x: Any) -> list[tuple[int, Any, Any, Decimal]]:
        """(bracket index, base in it, rate, amount) for each bracket an amount reaches."""
        out: list[tuple[int, Any, Any, Decimal]] = []
        if self.kind == "whole":
            i = self.index(x)
            if i >= 0:
                rate = self.brackets[i][4]
                out.append((i, x, rate, CONTEXT.multiply(x, rate)))
            return out
        for i, (lo, _lo_incl, hi, _hi_incl, rate) in enumerate(self.brackets):
            start = lo if lo is not None else _ZERO
            if x <= start:
                break
            top = x if hi is None or x < hi else hi
            base = CONTEXT.subtract(top, start)
            out.append((i, base, rate, CONTEXT.multiply(base, rate)))
        return out


def _quick(scale: ScaleValue) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Decimal, ...], Any] | None:
    """For an excess scale whose brackets follow one another from 0 (each starts where the one
    before ends, the last open): the upper ends, the rates and each bracket's quick deduction
    (lo × rate − the amount up to lo), so that the amount is x × rate − deduction in the bracket
    x falls in: one multiplication instead of one per bracket. The deductions are computed once,
    and the amount is used only when both operations were exact (`_EXACT` traps Inexact): then it
    is the exact value, which the sum bracket by bracket also gives unless it had to round
    (beyond 28 digits), where it is now the better one. None for any other scale.
    The fourth item finds a positive base's bracket in C (`bisect`): bisect_left when every upper
    end is in its bracket (x ≤ hi), bisect_right when none is (x < hi); None: scan the ends."""
    b = scale.brackets
    if scale.kind != "excess" or not b or b[0][0] not in (None, _ZERO) or b[-1][2] is not None:
        return None
    if any(b[i][2] is None or b[i][2] != b[i + 1][0] or b[i][3] == b[i + 1][1] for i in range(len(b) - 1)):
        return None
    deductions, below = [], _ZERO  # the amount up to the bracket's start
    try:
        for lo, _lo_incl, hi, _hi_incl, rate in b:
            start = lo if lo is not None else _ZERO
            deductions.append(_EXACT.subtract(_EXACT.multiply(start, rate), below))
            if hi is not None:
                below = _EXACT.add(below, _EXACT.multiply(_EXACT.subtract(hi, start), rate))
    except (decimal.Inexact, TypeError):  # TypeError: a rate that is no number
        return None
    inclusive = {hi_incl for _l, _i, _h, hi_incl, _r in b[:-1]}
    side = bisect_left if inclusive == {True} else bisect_right if inclusive == {False} else None
    return tuple(h for _l, _i, h, _j, _r in b[:-1]), tuple(r for *_x, r in b), tuple(deductions), side


def quick_form(scale: ScaleValue) -> Any:
    """`_quick`'s tables for the scale (kept on it), or None: generated code reads them
    (compiler/scale_inline.py) to write the common case out."""
    quick = scale.quick
    if quick is False:
        quick = scale.quick = _quick(scale)
    return quick


def _bracket(scale: ScaleValue, quick: Any, x: Any) -> int:
    """The bracket of a positive base x by `_quick`'s upper ends."""
    ends, side = quick[0], quick[3]
    if side is not None:
        return side(ends, x)  # type: ignore[no-any-return]
    for i, hi in enumerate(ends):
        if x < hi or (x == hi and scale.brackets[i][3]):
            return i
    return len(ends)


def _amount_quick(scale: ScaleValue, x: Any, deduction: bool = False) -> Decimal | None:
    """The amount (or, with `deduction`, the quick deduction) by `_quick`; None: not this way."""
    quick = quick_form(scale)
    if quick is None:
        return None
    if x <= _ZERO:
        return None if deduction else _ZERO
    i = _bracket(scale, quick, x)
    rates, deductions = quick[1], quick[2]
    try:
        product = _EXACT.multiply(x, rates[i])
        return deductions[i] if deduction else _EXACT.subtract(product, deductions[i])
    except decimal.Inexact:
        return None  # the sum bracket by bracket, as before


def amount(scale: ScaleValue, x: Any) -> Decimal:
    """累进计算: the amount of the scale on base x."""
    quick = scale.quick
    if quick and quick[3] is not None and x > _ZERO:  # _amount_quick's common case, without its calls
        last = scale.last
        i = last[1] if last[0] is x else quick[3](quick[0], x)
        try:
            product = _EXACT.multiply(x, quick[1][i])
            scale.last = (x, i, product)
            return _EXACT.subtract(product, quick[2][i])
        except decimal.Inexact:
            pass
    fast = _amount_quick(scale, x)
    if fast is not None:
        return fast
    if scale.kind == "whole":
        i = scale.index(x)
        return CONTEXT.multiply(x, scale.brackets[i][4]) if i >= 0 else _ZERO
    total = _ZERO
    for lo, _lo_incl, hi, _hi_incl, rate in scale.brackets:
        start = lo if lo is not None else _ZERO
        if x <= start:
            break
        top = x if hi is None or x < hi else hi
        total = CONTEXT.add(total, CONTEXT.multiply(CONTEXT.subtract(top, start), rate))
    return total


def rate(scale: ScaleValue, x: Any) -> Any:
    """适用税率: the rate of the bracket base x falls in (0 below the first bracket)."""
    quick = scale.quick
    if quick and quick[3] is not None and x > _ZERO:  # the common case below, without _bracket's call
        last = scale.last
        if last[0] is x:
            return quick[1][last[1]]
        i = quick[3](quick[0], x)
        scale.last = (x, i, None)
        return quick[1][i]
    quick = quick_form(scale)
    if quick is not None and x > _ZERO:  # brackets from 0 one after another (see _quick): by the ends
        return quick[1][_bracket(scale, quick, x)]
    i = scale.index(x)
    return scale.brackets[i][4] if i >= 0 else _ZERO


def deduction(scale: ScaleValue, x: Any) -> Decimal:
    """速算扣除数: base × rate − amount for base x (constant within a bracket)."""
    quick = scale.quick
    if quick and quick[3] is not None and x > _ZERO:  # _amount_quick's common case, without its calls
        last = scale.last
        if last[0] is x and last[2] is not None:  # amount's exact product of this base
            return quick[2][last[1]]  # type: ignore[no-any-return]
        i = last[1] if last[0] is x else quick[3](quick[0], x)
        try:
            _EXACT.multiply(x, quick[1][i])  # exact, or the formula below (as _amount_quick)
            return quick[2][i]  # type: ignore[no-any-return]
        except decimal.Inexact:
            pass
    fast = _amount_quick(scale, x, deduction=True)
    if fast is not None:
        return fast
    return CONTEXT.subtract(CONTEXT.multiply(x, rate(scale, x)), amount(scale, x))


FUNCTIONS = {"amount": amount, "rate": rate, "deduction": deduction}
