"""Progressive scales (超额累进 / 全额累进) in the columnar code, for batchgen.

A scale applied to a column is unrolled into column arithmetic: each row's bracket is looked up
once (Chunk.banded) and, for an excess scale whose brackets follow one another from 0, the
amount is base × rate − quick deduction; a dated scale (the whole scale, or one threshold) gets
one such function per version, the version in force chosen per row (or per item's date).
"""

from __future__ import annotations

import decimal
import itertools
from decimal import Decimal
from typing import Any, Protocol

from guize.runtime import ir


class BatchGen(Protocol):
    """What this module uses of guize.compiler.batchgen.BatchGen (which imports this module: a
    protocol, not an import back, so there is no cycle)."""

    p: Any
    bound: set[str]

    def expr(self, node: ir.Expr, out: list[str], pad: str) -> str: ...

    def emit(self, code: str, out: list[str], pad: str) -> str: ...

    def fresh(self) -> str: ...

    def literal(self, value: Any) -> str: ...

    def select(self, cases: list[tuple[str, str]], other: str | None, out: list[str], pad: str) -> str: ...

    def table(self, entries: list[Any], ok: list[bool] | None, kind: str, comment: str) -> str: ...

    def band_edges(self, node: ir.Bands) -> tuple[tuple[tuple[str, bool], ...], str] | None: ...

    def band_test(self, subject: str, band: ir.Band, out: list[str], pad: str) -> str: ...

    def item_version(self, node: ir.Dated, date: ir.Expr, out: list[str], pad: str) -> str: ...

    def unsupported(self, message: str) -> Exception: ...


def static_scale(g: BatchGen, node: ir.Expr) -> ir.Scale:
    """The scale a scale expression always is (through names); else BatchGen.unsupported's exception."""
    seen = 0
    while isinstance(node, ir.Ref) and seen < 64:
        d = g.p.defs[node.name]
        node, seen = d.expr, seen + 1
    if isinstance(node, ir.Scale) and all(isinstance(b.value, ir.Const) for b in node.brackets):
        return node
    raise g.unsupported("累进税率表按日期或公式变化，逐行计算")

def dated_scale(g: BatchGen, node: ir.Expr) -> ir.Dated | None:
    """The dated scale a scale expression always is (through names), each version a scale with
    constant rates (versions of the whole scale, or of one threshold); else None."""
    seen = 0
    while isinstance(node, ir.Ref) and seen < 64:
        node, seen = g.p.defs[node.name].expr, seen + 1
    if isinstance(node, ir.Dated) and all(
            isinstance(v.value, ir.Scale) and all(isinstance(b.value, ir.Const) for b in v.value.brackets)
            for v in node.versions):
        return node
    return None

def progressive(g: BatchGen, node: ir.Progressive, out: list[str], pad: str) -> str:
    """A scale applied to a column: the brackets unrolled into column arithmetic; a dated scale
    as one such function per version, the version in force chosen per row."""
    at = node.scale if isinstance(node.scale, ir.AtDate) else None  # versions by each item's date
    dated = dated_scale(g, node.scale if at is None else at.dated)
    if dated is None:
        return progressive_with(g, static_scale(g, node.scale), node, g.expr(node.base, out, pad), out, pad)
    x = g.expr(node.base, out, pad)
    index = None if at is None else g.item_version(dated, at.date, out, pad)
    names = []
    for version in dated.versions:
        fname = g.fresh()
        names.append(fname)
        out.append(f"{pad}def {fname}():  # {version.label}")
        body: list[str] = []
        saved = set(g.bound)
        assert isinstance(version.value, ir.Scale)  # INVARIANT: dated_scale's test
        result = progressive_with(g, version.value, node, x, body, pad + "    ")
        g.bound = saved  # locals bound inside the version stay inside it
        out.extend(body)
        out.append(f"{pad}    return {result}")
    if index is not None:
        return g.emit(f"_l.pick(c, {index}, ({', '.join(names)},))", out, pad)
    return g.emit(f"c.dated({dated.slot}, ({', '.join(names)},))", out, pad)

def progressive_with(g: BatchGen, scale: ir.Scale, node: ir.Progressive, x: str, out: list[str], pad: str) -> str:
    """`node` (累进计算, 适用税率, 速算扣除数) of `scale` on the column `x`."""
    zero = g.literal(Decimal(0))

    # Each row's bracket looked up once (Chunk.banded), not a pass per bracket:
    quick = quick_tables(g, scale)
    edges_other = g.band_edges(ir.Bands(node.base, scale.brackets, ir.Other(ir.Const(Decimal(0)), "", ())))

    def bracket_rate() -> str:
        if quick is not None and scale.brackets[0].lo is None:  # the amount's edges: one look-up
            return g.emit(f"c.banded({x}, {quick[0]!r}, {quick[3]})", out, pad)
        if edges_other is not None:
            return g.emit(f"c.banded({x}, {edges_other[0]!r}, {edges_other[1]})", out, pad)
        cases = []
        for band in scale.brackets:
            test = g.band_test(x, band, out, pad)
            assert isinstance(band.value, ir.Const)
            cases.append((test, g.literal(band.value.value)))
        return g.select(cases, zero, out, pad)

    def excess_amount() -> str:
        if quick is not None:  # base × rate − quick deduction, both by the base's bracket
            edges, rates, deductions, _rate = quick
            rate_x = g.emit(f"c.banded({x}, {edges!r}, {rates})", out, pad)
            amount = g.emit(f"c.sub(c.mul({x}, {rate_x}), c.banded({x}, {edges!r}, {deductions}))", out, pad)
            # Never below 0 (rates are not negative): saying so spares a rounding its signs.
            return g.emit(f"c.max_({amount}, {zero})", out, pad)
        total: str | None = None
        for band in scale.brackets:
            assert isinstance(band.value, ir.Const)
            start = band.lo if band.lo is not None else 0
            part = g.emit(f"c.max_(c.sub({x}, {g.literal(start)}), {zero})", out, pad)
            if band.hi is not None:
                part = g.emit(f"c.min_({part}, {g.literal(band.hi - start)})", out, pad)
            term = g.emit(f"c.mul({part}, {g.literal(band.value.value)})", out, pad)
            total = term if total is None else g.emit(f"c.add({total}, {term})", out, pad)
        assert total is not None  # INVARIANT: the checker rejects a scale without brackets
        return total

    if node.func == "rate":
        return bracket_rate()
    if scale.kind == "whole":
        return g.emit(f"c.mul({x}, {bracket_rate()})", out, pad)
    if node.func == "amount":
        return excess_amount()
    if quick is not None:
        # The deduction is the table's for a base of at least 0; rows below 0 (none when the
        # bounds say so) are left to the exact scalar path.
        out.append(f"{pad}c.flag(c.cmp('<', {x}, {zero}))")
        return g.emit(f"c.banded({x}, {quick[0]!r}, {quick[2]})", out, pad)
    return g.emit(f"c.sub(c.mul({x}, {bracket_rate()}), {excess_amount()})", out, pad)

def quick_tables(g: BatchGen, scale: ir.Scale) -> tuple[tuple[tuple[str, bool], ...], str, str, str] | None:
    """For an excess scale whose brackets follow one another from 0 (runtime.scales._quick):
    the edges (0, then each bracket's end), and tables by the number of edges a base is above
    of the rate and of the quick deduction, so that the amount is base × rate − deduction
    (0 for a base of at most 0). None for another scale, or if a deduction is inexact."""
    b = scale.brackets
    if scale.kind != "excess" or not b or b[0].lo not in (None, 0) or b[-1].hi is not None:
        return None
    if not all(isinstance(x.value, ir.Const) and isinstance(x.value.value, (int, Decimal)) for x in b):
        return None
    if any(quick_rate(x) < 0 for x in b):  # the amount would not grow with the base
        return None
    if any(x.hi is None or x.hi != y.lo or x.hi_incl == y.lo_incl for x, y in itertools.pairwise(b)):
        return None
    exact = decimal.Context(prec=60, traps=[decimal.Inexact])
    rates: list[Any] = [Decimal(0)]
    deductions: list[Any] = [Decimal(0)]
    below = Decimal(0)  # the amount up to the bracket's start
    try:
        for x in b:
            start, rate = Decimal(x.lo if x.lo is not None else 0), quick_rate(x)
            rates.append(rate)
            deductions.append(exact.subtract(exact.multiply(start, rate), below))
            if x.hi is not None:
                below = exact.add(below, exact.multiply(exact.subtract(Decimal(x.hi), start), rate))
    except decimal.Inexact:
        return None
    edges = (("0", False), *((str(x.hi), not x.hi_incl) for x in b[:-1]))
    # 适用税率 by the same edges: a base of at most 0 is in the first bracket (lo None)
    return (edges, g.table(rates, None, "num", "累进税率表的各档税率"),
            g.table(deductions, None, "num", "累进税率表的各档速算扣除数"),
            g.table([rates[1], *rates[1:]], None, "num", "累进税率表的适用税率"))

def quick_rate(band: ir.Band) -> Decimal:
    """A bracket's rate (a constant number: quick_tables tests it first)."""
    value = band.value.value if isinstance(band.value, ir.Const) else None
    assert isinstance(value, (int, Decimal))  # INVARIANT: tested by the caller
    return Decimal(value)
