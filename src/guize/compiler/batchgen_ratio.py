"""Unrounded quotients in the columnar code as exact fractions (guize.runtime.batchratio), for batchgen.

`人均月收入 = 家庭月收入 ÷ 家庭人口` (not rounded) is a Ratio definition: its value is an exact
fraction with a bound on the scalar path's rounding error. + − × and unary minus keep a Ratio
(`(标准 − 人均月收入) × 家庭人口`); a comparison with a Ratio side, and the rounding of a
definition (its own 舍入, or the rounding of an output's kind) of a Ratio, use it up. A
rounding of a choice (若 … 则 ratio 否则 0元) is pushed into the branches, so that each Ratio
is used up under its branch's condition. Anything else with a Ratio in it stays Unsupported
(row by row), as before.

Each use is passed the guard the expression puts on it (BatchGen.guards: the left side of
且/或, the condition of 若/条件): rows whose divisor is zero are flagged only where the guard
holds (see runtime/batchratio.py), as the scalar path short-circuits.
"""

from __future__ import annotations

from typing import Any, Protocol

from guize.runtime import ir

UNROUNDED = "除法的结果未舍入（请对除法结果舍入，如 向下取整(a ÷ b)）"


class BatchGen(Protocol):
    """What this module uses of guize.compiler.batchgen.BatchGen (which imports this module)."""

    ratio_defs: set[str]
    guards: list[tuple[str, bool]]
    lists: list[str]
    outputs: frozenset[str]

    def expr(self, node: ir.Expr, out: list[str], pad: str) -> str: ...

    def emit(self, code: str, out: list[str], pad: str) -> str: ...

    def local(self, prefix: str, name: str, code: str, out: list[str], pad: str) -> str: ...

    def kind(self, node: ir.Expr) -> str: ...

    def rounded(self, arg: ir.Expr, exp: int, mode: str, out: list[str], pad: str,
                sink: str | None = None) -> str: ...

    def select(self, cases: list[tuple[str, str]], other: str | None, out: list[str], pad: str) -> str: ...

    def unsupported(self, message: str) -> Exception: ...


def is_ratio(g: BatchGen, node: ir.Expr) -> bool:
    """Whether `node` is an unrounded quotient, or + − × of one (by its construction)."""
    match node:
        case ir.Arith(op="/"):
            return True
        case ir.Arith(left=left, right=right):
            return is_ratio(g, left) or is_ratio(g, right)
        case ir.Neg(arg=arg):
            return is_ratio(g, arg)
        case ir.Ref(name=name):
            return name in g.ratio_defs
    return False


def _has_ratio_branch(g: BatchGen, node: ir.Expr) -> bool:
    match node:
        case ir.If(then=a, other=b):
            return any(is_ratio(g, x) or _has_ratio_branch(g, x) for x in (a, b))
        case ir.Cond(branches=branches, other=other):
            values = [br.value for br in branches] + [other.value]
            return any(is_ratio(g, x) or _has_ratio_branch(g, x) for x in values)
    return False


def _operand(g: BatchGen, node: ir.Expr, out: list[str], pad: str) -> str:
    return ratio(g, node, out, pad) if is_ratio(g, node) else g.expr(node, out, pad)


def ratio(g: BatchGen, node: ir.Expr, out: list[str], pad: str) -> str:
    """Emit statements computing the Ratio `node` (is_ratio); return its name."""
    if g.lists:
        raise g.unsupported(UNROUNDED)  # in a list's items: not done (row by row)
    match node:
        case ir.Arith(op="/", left=left, right=right):
            if is_ratio(g, left) or is_ratio(g, right) or g.kind(left) != "num" or g.kind(right) != "num":
                raise g.unsupported(UNROUNDED)
            a, b = g.expr(left, out, pad), g.expr(right, out, pad)
            return g.emit(f"_r.div(c, {a}, {b})", out, pad)
        case ir.Arith(op=op, left=left, right=right):
            fn = {"+": "add", "-": "sub", "*": "mul"}[op]
            a, b = _operand(g, left, out, pad), _operand(g, right, out, pad)
            return g.emit(f"_r.{fn}(c, {a}, {b})", out, pad)
        case ir.Neg(arg=arg):
            return g.emit(f"_r.neg(c, {ratio(g, arg, out, pad)})", out, pad)
        case ir.Ref(name=name):
            return g.local("d", name, f"c.ref({name!r})", out, pad)
    raise g.unsupported(UNROUNDED)


def guard(g: BatchGen, out: list[str], pad: str) -> str:
    """The code of the condition under which the expression being written is reached (see
    BatchGen.guards): True, or a boolean column."""
    terms: list[str] = []
    for name, negated in g.guards:
        terms.append(g.emit(f"c.not_({name})", out, pad) if negated else name)
    if not terms:
        return "True"
    result = terms[0]
    for term in terms[1:]:
        result = g.emit(f"c.and_({result}, {term})", out, pad)
    return result


def cmp(g: BatchGen, node: ir.Cmp, out: list[str], pad: str) -> str | None:
    """A comparison with a Ratio side (None: not one)."""
    if not (is_ratio(g, node.left) or is_ratio(g, node.right)):
        return None
    a, b = _operand(g, node.left, out, pad), _operand(g, node.right, out, pad)
    return g.emit(f"_r.cmp(c, {node.op!r}, {a}, {b}, {guard(g, out, pad)})", out, pad)


def rounded(g: BatchGen, arg: ir.Expr, exp: int, mode: str, out: list[str], pad: str) -> str | None:
    """The rounding of a Ratio, or of a choice with a Ratio branch (None: neither)."""
    if is_ratio(g, arg):
        r = ratio(g, arg, out, pad)
        return g.emit(f"_r.rnd(c, {r}, {exp}, {mode!r}, {guard(g, out, pad)})", out, pad)
    if not _has_ratio_branch(g, arg):
        return None
    match arg:
        case ir.If(cond=cond, then=then, other=other):
            test = g.expr(cond, out, pad)
            a = _branch(g, then, (test, False), exp, mode, out, pad)
            b = _branch(g, other, (test, True), exp, mode, out, pad)
            return g.emit(f"c.where({test}, {a}, {b})", out, pad)
        case ir.Cond(branches=branches, other=other_row):
            cases: list[tuple[str, str]] = []
            for br in branches:
                test = g.expr(br.test, out, pad)
                cases.append((test, _branch(g, br.value, (test, False), exp, mode, out, pad)))
            # The other value is reached where no test holds: no guard (an over-approximation).
            return g.select(cases, g.rounded(other_row.value, exp, mode, out, pad), out, pad)
    return None


def _branch(g: BatchGen, node: ir.Expr, cond: tuple[str, bool], exp: int, mode: str, out: list[str],
            pad: str) -> str:
    g.guards.append(cond)
    try:
        return g.rounded(node, exp, mode, out, pad)
    finally:
        g.guards.pop()


def definition_value(g: BatchGen, name: str, node: ir.Expr, out: list[str], pad: str) -> str | None:
    """A definition whose value is a Ratio (not an output: an output column holds numbers at a
    fixed scale), or None."""
    if name in g.outputs or not is_ratio(g, node):
        return None
    return g.emit(f"_r.shared({ratio(g, node, out, pad)})", out, pad)


def pushing(g: BatchGen, cond: str, negated: bool) -> Any:
    """A context: the expressions written inside are reached only where `cond` (not `cond`) holds."""
    return _Guard(g, (cond, negated))


class _Guard:
    def __init__(self, g: BatchGen, cond: tuple[str, bool]) -> None:
        self.g, self.cond = g, cond

    def __enter__(self) -> None:
        self.g.guards.append(self.cond)

    def __exit__(self, *exc: object) -> None:
        self.g.guards.pop()
