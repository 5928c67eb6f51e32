"""Progressive scales written out in generated code (guize.compiler.codegen).

适用税率, 累进计算 and 速算扣除数 of a constant excess scale whose brackets follow one another
from 0 (scales.quick_form) on a base rounded to a fixed quantum (a definition 四舍五入到分, as
iit's 应纳税所得额) are, for a positive base below a bound chosen here, the bracket's rate, base
× rate − the bracket's quick deduction, and that deduction: one bisect in C and one
multiplication, where the runtime's functions cost a call each (~0.1 µs) and the deduction
was rounded on every call. The bound makes every operation exact in guize's context (the
caller's, which Policy.evaluate has checked): the base has the quantum's exponent and at most
BOUND_DIGITS digits before the point, and this module checks at compile time that x × rate −
deduction then fits in the context's precision, as scales.amount's exact path would give it.
Anything else (a base ≤ 0 or beyond the bound, another scale) calls the runtime's function."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from guize.runtime import ir
from guize.runtime.scales import ScaleValue, quick_form
from guize.runtime.values import CONTEXT

BOUND_DIGITS = 15  # a base below 10**15 (values.NUMBER_LIMIT bounds the inputs the same way)


def _digits_fit(quick: tuple[Any, ...], exponent: int) -> bool:
    """x × rate − deduction exact for every 0 < x < 10**BOUND_DIGITS with this exponent."""
    rates, deductions = quick[1], quick[2]
    top = max([Decimal(1), *(abs(r) for r in rates)])
    magnitude = BOUND_DIGITS + top.adjusted() + 1  # |x × rate| < 10**magnitude
    if any(d.adjusted() >= magnitude for d in deductions):
        return False
    low = min([exponent + r.as_tuple().exponent for r in rates] + [d.as_tuple().exponent for d in deductions])
    return bool(magnitude - low + 1 <= CONTEXT.prec)  # digits of a difference of two such numbers


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


def progressive(gen: Any, func: str, scale: ir.Expr, base: ir.Expr, owner: str) -> str | None:
    """The inline code of a scale function (see the module's docstring), or None."""
    node = gen.p.defs[scale.name].expr if isinstance(scale, ir.Ref) and scale.name in gen.p.defs else scale
    if not isinstance(node, ir.Scale) or node.kind != "excess":
        return None
    if not all(isinstance(b.value, ir.Const) and isinstance(b.value.value, Decimal) for b in node.brackets):
        return None
    quantum = _quantum(gen, base)
    if quantum is None:
        return None
    rates = [b.value.value for b in node.brackets if isinstance(b.value, ir.Const)]
    value = ScaleValue(node.kind, [(b.lo, b.lo_incl, b.hi, b.hi_incl, r) for b, r in zip(node.brackets, rates, strict=True)])
    quick = quick_form(value)
    exponent = quantum.as_tuple().exponent
    if quick is None or quick[3] is None or not isinstance(exponent, int) or not _digits_fit(quick, exponent):
        return None
    name = gen.scale(node, owner)  # the module's constant scale (_Kn)
    key = ("scale_inline", name)
    if key not in gen.consts:
        prefix = f"{name}q"
        gen.consts[key] = prefix
        side = "_scales.bisect_left" if quick[3].__name__ == "bisect_left" else "_scales.bisect_right"
        gen.const_lines.append(f"{prefix}e, {prefix}r, {prefix}d = _scales.quick_form({name})[:3]")
        gen.const_lines.append(f"{prefix}b = {side}")
        gen.const_lines.append(f"{prefix}m = Decimal('1E{BOUND_DIGITS}')")
    prefix = gen.consts[key]
    x, i = gen.fresh(), gen.fresh()
    arg = gen.expr(base, owner)
    index = f"{prefix}r[({i} := {prefix}b({prefix}e, {x}))]"
    fast = {"rate": index,
            "amount": f"({x} * {index} - {prefix}d[{i}])",
            "deduction": f"{prefix}d[{prefix}b({prefix}e, {x})]"}[func]
    return f"({fast} if _ZERO < ({x} := {arg}) < {prefix}m else _scales.{func}({name}, {x}))"
