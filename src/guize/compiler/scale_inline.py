"""Progressive scales written out in generated code (guize.compiler.codegen).

适用税率, 累进计算 and 速算扣除数 of a constant excess scale whose brackets follow one another
from 0 (scales.quick_form) on a base rounded to a fixed quantum (a definition 四舍五入到分, as
iit's 应纳税所得额) are, for a positive base below a bound chosen here, the bracket's rate, base
× rate − the bracket's quick deduction, and that deduction: one bisect in C and one
multiplication, where the runtime's functions cost a call each (~0.1 µs). The bound makes every
operation exact in guize's context (the caller's, which Policy.evaluate has checked): the base
has the quantum's exponent and at most BOUND_DIGITS digits before the point, and this module
checks at compile time that x × rate − deduction then fits in the context's precision, as
scales.amount's exact path would give it.

A base equal to zero (iit: every income below the allowance, a third of the benchmark's
records) is written out too, as the runtime computes it: the rate is the one
scales.rate(scale, 0) gives (found at compile time: the same for every zero; a scale in which
0 falls in no bracket keeps the runtime's call and its error), the amount is Decimal(0), and
the deduction is x × that rate − 0, the runtime's two operations on the caller's zero (its sign
and exponent kept). The runtime took ~1 µs for the three (the deduction's general formula).

Shared brackets: where several statements a function runs on every path (out_all's, or one
subset flag's) apply the same constant scale to the same base (iit's three outputs), the
bracket is found once, by a statement before the first of them (`_tN = bisect … if 0 < x < bound
else None`), and each reads it; a statement reached only on some paths finds its own (laziness).
A deduction the definition rounds (速算扣除数, 四舍五入到分) is read from a table of the
deductions rounded once at import, in guize's context (values.CONTEXT), when every rounding is
exact there; the rounding is then applied only to the zero and runtime cases.
Anything else (a base below zero or beyond the bound, another scale) calls the runtime's function."""

from __future__ import annotations

import contextlib
import decimal
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from guize.runtime import ir
from guize.runtime.errors import EvaluationError
from guize.runtime.scales import ScaleValue, quick_form, rate
from guize.runtime.values import CONTEXT

BOUND_DIGITS = 15  # a base below 10**15 (values.NUMBER_LIMIT bounds the inputs the same way)
# A definition's rounding mode: decimal's, and its name in generated modules.
_MODES = {"half_up": (decimal.ROUND_HALF_UP, "_ROUND_HALF_UP"), "floor": (decimal.ROUND_FLOOR, "_ROUND_FLOOR"),
          "ceil": (decimal.ROUND_CEILING, "_ROUND_CEILING"), "down": (decimal.ROUND_DOWN, "_ROUND_DOWN")}


def _digits_fit(quick: tuple[Any, ...], exponent: int) -> bool:
    """x × rate − deduction exact for every 0 < x < 10**BOUND_DIGITS with this exponent."""
    rates, deductions = quick[1], quick[2]
    top = max([Decimal(1), *(abs(r) for r in rates)])
    magnitude = BOUND_DIGITS + top.adjusted() + 1  # |x × rate| < 10**magnitude
    if any(d.adjusted() >= magnitude for d in deductions):
        return False
    low = min([exponent + r.as_tuple().exponent for r in rates] + [d.as_tuple().exponent for d in deductions])
    return bool(magnitude - low + 1 <= CONTEXT.prec)  # digits of a difference of two such numbers


def scale_places(quick: tuple[Any, ...]) -> Decimal | None:
    """For a base with no fixed quantum: the coarsest 10**-k (k places) such that x × rate −
    deduction is exact for every 0 < x < 10**BOUND_DIGITS that is a multiple of it; None when
    not even whole numbers fit. Generated code tests x == x.quantize(10**-k) (~0.08 µs) before
    the inline form: a value test, so a base such as 1.5000000000000000000 (its exponent −19,
    its value a multiple of 0.1) passes, and rightly: whether an operation is inexact depends on
    the value alone, and an exact result is the same Decimal (coefficient and exponent) in any
    context of guize's precision and rounding, the caller's as scales' _EXACT. The quantize
    itself is exact and cannot fail: at most BOUND_DIGITS + k <= the precision digits."""
    for k in range(CONTEXT.prec - BOUND_DIGITS, -1, -1):
        if _digits_fit(quick, -k):
            return Decimal(1).scaleb(-k)
    return None


def _quantum(gen: Any, base: ir.Expr) -> Decimal | None:
    """The quantum a decimal base is always rounded to (its exponent), or None."""
    if isinstance(base, ir.Ref) and base.name in gen.p.defs:
        d = gen.p.defs[base.name]  # rounded by its own 四舍五入到 (codegen.def_code), not 可作输入
        if d.round is not None and not d.given and d.round[1] <= 1 and gen.is_decimal(d.expr):
            return d.round[1]  # type: ignore[no-any-return]
        base = d.expr
    if isinstance(base, ir.Round) and not base.as_int and base.quantum <= 1 and gen.is_decimal(base.arg):
        return base.quantum
    return None


class Shares:
    """The brackets shared in the function being written (see the module's docstring): which
    scale applications read a shared bracket, the temporary holding each, and the statement
    finding it, to be written before the statement being written (`current`)."""

    def __init__(self, users: dict[tuple[str, int], tuple[str, ...]] | None = None) -> None:
        self.users = users or {}  # (statement, id of the Progressive node) -> its group
        self.held: dict[tuple[str, ...], str] = {}  # group -> the temporary holding its bracket
        self.current = ""  # the statement (definition) being written, at its top level
        self.pending: dict[str, list[str]] = {}  # statement -> the lines to write before it

    def statement(self, name: str, head: str, code_of: Callable[[str], str]) -> list[str]:
        """The statement computing definition `name` (`head` and its code), after the lines
        finding a bracket it shares with later statements, if it is the first of them."""
        self.current = name
        try:
            code = code_of(name)
        finally:
            self.current = ""
        return [*self.pending.pop(name, []), head + code]


def _always(node: ir.Expr) -> Iterator[ir.Progressive]:
    """The scale applications an expression evaluates whatever its path (operands of
    arithmetic, a rounding's argument, every argument of 取较大值/取较小值)."""
    match node:
        case ir.Progressive():
            yield node
        case ir.Arith(left=left, right=right):
            yield from _always(left)
            yield from _always(right)
        case ir.Neg(arg=arg) | ir.Round(arg=arg):
            yield from _always(arg)
        case ir.Min(args=args) | ir.Max(args=args):
            for arg in args:
                yield from _always(arg)


def shared_brackets(gen: Any, defs: list[str], need: dict[str, str] | None) -> Shares:
    """The shares of a function computing `defs` on every path (with `need`: under their flags):
    the applications of one constant scale (a definition) to one base (a definition) by
    statements under the same flag, when there are two or more."""
    groups: dict[tuple[str, ...], list[tuple[str, int]]] = {}
    for name in defs:
        d = gen.p.defs[name]
        if d.given or name in gen.folded:  # (可作输入: the formula runs only when the value is not given)
            continue
        for node in _always(d.expr):
            if isinstance(node.scale, ir.Ref) and isinstance(node.base, ir.Ref):
                key = (node.scale.name, node.base.name, need[name] if need is not None else "")
                groups.setdefault(key, []).append((name, id(node)))
    return Shares({user: key for key, users in groups.items() if len(users) > 1 for user in users})


def _rounded_table(gen: Any, prefix: str, quick: tuple[Any, ...], rounding: tuple[str, Decimal]) -> str | None:
    """The module's table of the deductions rounded as `rounding` says, made at import in
    guize's context; None when a rounding would not be exact there (the quantize's own error)."""
    mode, quantum = rounding
    if mode not in _MODES or not quantum <= 1:
        return None
    try:
        for d in quick[2]:
            d.quantize(quantum, _MODES[mode][0], CONTEXT)
    except decimal.InvalidOperation:
        return None
    key = ("scale_inline_round", f"{prefix} {mode} {quantum}")
    if key not in gen.consts:
        table = gen.consts[key] = f"{prefix}d{sum(1 for k in gen.consts if k[0] == 'scale_inline_round')}"
        gen.const_lines.append(
            f"{table} = tuple(_d.quantize({gen.const(quantum)}, {_MODES[mode][1]}, _v.CONTEXT) for _d in {prefix}d)")
    return gen.consts[key]  # type: ignore[no-any-return]


def rounded_deduction(gen: Any, d: ir.Definition, name: str) -> str | None:
    """A definition that is a 速算扣除数 it rounds, by the table of rounded deductions; or None."""
    return progressive(gen, d.expr, name, d.round) if isinstance(d.expr, ir.Progressive) and d.round else None


def progressive(gen: Any, node: ir.Progressive, owner: str, rounding: tuple[str, Decimal] | None = None) -> str | None:
    """The inline code of a scale function (see the module's docstring), or None. With
    `rounding` (a 速算扣除数 the definition rounds), the code rounded, or None."""
    func, scale, base = node.func, node.scale, node.base
    if rounding is not None and func != "deduction":
        return None
    definition = gen.p.defs[scale.name].expr if isinstance(scale, ir.Ref) and scale.name in gen.p.defs else scale
    if not isinstance(definition, ir.Scale) or definition.kind != "excess":
        return None
    if not all(isinstance(b.value, ir.Const) and isinstance(b.value.value, Decimal) for b in definition.brackets):
        return None
    quantum = _quantum(gen, base)
    rates = [b.value.value for b in definition.brackets if isinstance(b.value, ir.Const)]
    brackets = [(b.lo, b.lo_incl, b.hi, b.hi_incl, r) for b, r in zip(definition.brackets, rates, strict=True)]
    value = ScaleValue(definition.kind, brackets)
    quick = quick_form(value)
    if quick is None or quick[3] is None:
        return None
    places: Decimal | None = None  # a base without a fixed quantum: tested a multiple of this (scale_places)
    if quantum is None:
        places = scale_places(quick) if gen.is_decimal(base) else None
        if places is None:
            return None
    else:
        exponent = quantum.as_tuple().exponent
        if not isinstance(exponent, int) or not _digits_fit(quick, exponent):
            return None
    name = gen.scale(definition, owner)  # the module's constant scale (_Kn)
    key = ("scale_inline", name)
    if key not in gen.consts:
        prefix = f"{name}q"
        gen.consts[key] = prefix
        side = "_scales.bisect_left" if quick[3].__name__ == "bisect_left" else "_scales.bisect_right"
        gen.const_lines.append(f"{prefix}e, {prefix}r, {prefix}d = _scales.quick_form({name})[:3]")
        gen.const_lines.append(f"{prefix}b = {side}")
        gen.const_lines.append(f"{prefix}m = Decimal('1E{BOUND_DIGITS}')")
    prefix = gen.consts[key]
    deductions = f"{prefix}d"
    if rounding is not None:
        table = _rounded_table(gen, prefix, quick, rounding)
        if table is None:
            return None
        deductions = table
    zero_rate: str | None = None
    if func != "amount":
        with contextlib.suppress(EvaluationError):  # the rate of a zero base (the same for every zero)
            zero_rate = gen.const(rate(value, Decimal(0)))
    arg = gen.expr(base, owner)
    x = arg if arg.isidentifier() else gen.fresh()
    multiple = f" and {x} == {x}.quantize({gen.const(places)})" if places is not None else ""
    shares: Shares = gen.scale_shares
    group = shares.users.get((owner, id(node))) if shares.current == owner and x == arg else None
    if group is not None:  # a bracket shared with other statements: found by the first of them
        i = shares.held.get(group)
        gen.read.add(i)  # (the names each statement reads: compiler/stmtnames)
        if i is None:
            i = shares.held[group] = gen.fresh()
            shares.pending.setdefault(owner, []).append(
                f"    {i} = {prefix}b({prefix}e, {x}) if _ZERO < {x} < {prefix}m{multiple} else None")
        test, found, bracket = f"{i} is not None", i, i
    else:
        test = f"_ZERO < {arg if x == arg else f'({x} := {arg})'} < {prefix}m{multiple}"
        found = f"{prefix}b({prefix}e, {x})"
        bracket = gen.fresh() if func == "amount" else ""
        if bracket:
            found = f"({bracket} := {found})"
    fast = {"rate": f"{prefix}r[{found}]", "amount": f"({x} * {prefix}r[{found}] - {prefix}d[{bracket}])",
            "deduction": f"{deductions}[{found}]"}[func]
    zero = {"rate": zero_rate, "amount": "_ZERO",
            "deduction": f"({x} * {zero_rate} - _ZERO)" if zero_rate is not None else None}[func]
    slow = f"_scales.{func}({name}, {x})"
    if zero is not None:
        slow = f"{zero} if {x} == _ZERO else {slow}"
    if rounding is not None:
        slow = gen.rounding(f"({slow})", node, rounding[1], rounding[0])
    return f"({fast} if {test} else {slow})"
