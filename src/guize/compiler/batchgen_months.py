"""Year-months in the columnar code as month indices (guize.runtime.batchym), for batchgen.

A definition of type 年月 gets two columnar functions: one computing its month index (DEFS key
`name#月`: a name never holds 「#」, which starts a comment), and, under its own name, the
day number of that month's first day, which is what an output column holds and what a date
expression reads. Inside month expressions, 出生年月 + 60岁 is an integer addition, 年月 − 年月
a subtraction, a comparison of two year-months compares indices, 年份(年月) is a floor
division; the calendar is consulted only where a date becomes a year-month (年月(出生日期))
and where a year-month is written out. Anything else falls back to the day-number code, with
a conversion at the boundary, so every 年月 expression is still computed.
"""

from __future__ import annotations

import datetime
from typing import Any, Protocol

import attrs

from guize.runtime import ir


class BatchGen(Protocol):
    """What this module uses of guize.compiler.batchgen.BatchGen (which imports this module: a
    protocol, not an import back, so there is no cycle)."""

    p: Any
    inputs: dict[str, dict[str, Any]]
    month_defs: set[str]
    bound: set[str]
    temp: int
    owner: str

    def start(self, name: str) -> ir.Definition: ...

    def expr(self, node: ir.Expr, out: list[str], pad: str) -> str: ...

    def emit(self, code: str, out: list[str], pad: str) -> str: ...

    def local(self, prefix: str, name: str, code: str, out: list[str], pad: str) -> str: ...

    def const_name(self, kind: str, text: str, line: str) -> str: ...

    def select(self, cases: list[tuple[str, str]], other: str | None, out: list[str], pad: str) -> str: ...

    def match(self, node: ir.Match, out: list[str], pad: str) -> str: ...

    def dated(self, node: ir.Dated, out: list[str], pad: str) -> str: ...

    def ident(self, prefix: str, name: str) -> str: ...

SUFFIX = "#月"  # DEFS key of a year-month definition's month indices


def month_index(d: datetime.date) -> int:
    return (d.year - 1970) * 12 + d.month - 1


def const_month(node: ir.Expr) -> int | None:
    """The month index of a constant first day of a month (a 年月 literal), else None."""
    if isinstance(node, ir.Const) and isinstance(node.value, datetime.date) and node.value.day == 1:
        return month_index(node.value)
    return None


def is_ym(g: BatchGen, node: ir.Expr) -> bool:
    """Whether `node` is a 年月 (the first day of a month) by its construction."""
    match node:
        case ir.Call(func="as_year_month" | "year_month"):
            return True
        case ir.Call(func="add_months", args=(d, _n)):
            return is_ym(g, d)
        case ir.Ref(name=name):
            return bool(g.p.defs[name].value_kind == "year_month")
        case ir.Input(name=name):
            return bool(g.inputs[name]["kind"] == "year_month")
        case ir.If(then=a, other=b):
            return _all_ym(g, (a, b))
        case ir.Cond(branches=branches, other=other):
            return _all_ym(g, (*(b.value for b in branches), other.value))
        case ir.Match(cases=rows, other=other) | ir.Bands(bands=rows, other=other):
            values = [r.value for r in rows] + ([other.value] if other is not None else [])
            return _all_ym(g, values)
        case ir.Dated(versions=versions):
            return _all_ym(g, [v.value for v in versions])
    return False


def _all_ym(g: BatchGen, values: tuple[ir.Expr, ...] | list[ir.Expr]) -> bool:
    return any(is_ym(g, v) for v in values) and all(ym_side(g, v) for v in values)


def ym_side(g: BatchGen, node: ir.Expr) -> bool:
    return const_month(node) is not None or is_ym(g, node)


def months(g: BatchGen, node: ir.Expr, out: list[str], pad: str) -> str:
    """Emit statements computing the month index (a Num) of the 年月 `node`; return its name."""
    k = const_month(node)
    if k is not None:
        return g.const_name("num", str(k), f"_b.num({str(k)!r})  # {node.value}")  # type: ignore[union-attr]
    match node:
        case ir.Call(func="as_year_month", args=(x,)):  # the checker's 年月: always a month's first day
            return months(g, x, out, pad)
        case ir.Call(func="year_month", args=(x,)):
            if ym_side(g, x):
                return months(g, x, out, pad)
            return g.emit(f"_m.index(c, {g.expr(x, out, pad)})", out, pad)
        case ir.Call(func="add_months", args=(d, n)) if is_ym(g, d):
            m = months(g, d, out, pad)
            return g.emit(f"_m.add(c, {m}, {g.expr(n, out, pad)})", out, pad)
        case ir.Ref(name=name) if name in g.month_defs:
            return g.local("m", name, f"c.ref({name + SUFFIX!r})", out, pad)
        case ir.Input(name=name):
            return g.local("mi", name, f"_m.index(c, {g.expr(node, out, pad)})", out, pad)
        case ir.If(cond=cond, then=a, other=b) if _all_ym(g, (a, b)):
            test = g.expr(cond, out, pad)
            return g.emit(f"c.where({test}, {months(g, a, out, pad)}, {months(g, b, out, pad)})", out, pad)
        case ir.Cond(branches=branches, other=other) if is_ym(g, node):
            cases = [(g.expr(br.test, out, pad), months(g, br.value, out, pad)) for br in branches]
            return g.select(cases, months(g, other.value, out, pad), out, pad)
        case ir.Match(cases=cases, other=other) if all(const_month(c.value) is not None for c in cases) and (
                other is None or const_month(other.value) is not None):
            return g.match(attrs.evolve(node, cases=tuple(attrs.evolve(c, value=_as_int(c.value)) for c in cases),
                                        other=None if other is None else attrs.evolve(other, value=_as_int(other.value))),
                           out, pad)
        case ir.Dated(versions=versions) if all(const_month(v.value) is not None for v in versions):
            return g.dated(attrs.evolve(node, versions=tuple(attrs.evolve(v, value=_as_int(v.value))
                                                              for v in versions)), out, pad)
    return g.emit(f"_m.index(c, {g.expr(node, out, pad)})", out, pad)  # through day numbers


def _as_int(node: ir.Expr) -> ir.Expr:
    k = const_month(node)
    assert k is not None  # INVARIANT: tested by the caller
    return attrs.evolve(node, value=k)  # type: ignore[arg-type]


def cmp(g: BatchGen, node: ir.Cmp, out: list[str], pad: str) -> str | None:
    """A comparison of two year-months, on month indices (None: not one)."""
    a, b = node.left, node.right
    if not (ym_side(g, a) and ym_side(g, b) and (is_ym(g, a) or is_ym(g, b))):
        return None
    return g.emit(f"c.cmp({node.op!r}, {months(g, a, out, pad)}, {months(g, b, out, pad)})", out, pad)


def call(g: BatchGen, node: ir.Call, out: list[str], pad: str) -> str | None:
    """A date function of year-months, on month indices (None: not one); its result as the
    day-number code expects it (numbers, or a date as a day number)."""
    args = node.args
    match node.func:
        case "period_between" | "months_between" if len(args) == 2 and all(ym_side(g, x) for x in args) and any(
                is_ym(g, x) for x in args):
            # From the first to the second: between first days of months, whole months always.
            return g.emit(f"c.sub({months(g, args[1], out, pad)}, {months(g, args[0], out, pad)})", out, pad)
        case "year" | "month" if is_ym(g, args[0]):
            return g.emit(f"_m.{node.func}(c, {months(g, args[0], out, pad)})", out, pad)
        case "add_months" if is_ym(g, args[0]):
            return g.emit(f"_m.days(c, {months(g, node, out, pad)})", out, pad)
        case "year_month" if ym_side(g, args[0]) and is_ym(g, args[0]):
            return g.expr(args[0], out, pad)
    return None


def definition(g: BatchGen, name: str) -> tuple[list[str], list[str]]:
    """The two functions of year-month definition `name` (month indices; the first days'
    day numbers): their lines, and their DEFS keys."""
    d = g.start(name)
    body: list[str] = []
    pad = "        "
    result = months(g, d.expr, body, pad)
    fname = g.ident("bm", name)
    lines = [f"    def {fname}(c):", f'        """「{name}」 as month indices, line {d.line}."""', *body,
             f"        return {result}", ""]
    day_name = g.ident("b", name)
    lines += [f"    def {day_name}(c):", f'        """「{name}」, line {d.line}: the first days of its months."""',
              f"        return _m.days(c, c.ref({name + SUFFIX!r}))", ""]
    return lines, [name + SUFFIX, name]
