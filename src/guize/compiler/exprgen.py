"""Python expressions for the IR's expression nodes (CodeGenerator.expr and its cases), mixed into codegen.

Every case returns the text of one Python expression; what it needs of the generated function
(locals, lazy reads, constants built at import, fresh temporaries) it asks of codegen's helpers,
declared below.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, assert_never

from guize.compiler import constfold, timefold, ymindex
from guize.compiler.bandcode import bands
from guize.compiler.inline_calls import (
    calendar_inline,
    compared_if,
    int_division,
    nonzero_whole,
    simple,
)
from guize.compiler.scale_inline import progressive
from guize.runtime import ir

_ROUNDING = {"half_up": "ROUND_HALF_UP", "floor": "ROUND_FLOOR", "ceil": "ROUND_CEILING", "down": "ROUND_DOWN"}


class ExprCode:
    """The expression cases of CodeGenerator; the attributes below are codegen's."""

    p: Any
    inputs: dict[str, dict[str, Any]]
    folded: dict[str, Any]
    constfold_memo: dict[int, Any]
    lazy: set[tuple[str, str]]
    readers: dict[str, str]
    once: frozenset[str]
    bound: set[str]
    consts: dict[tuple[str, str], str]
    const_lines: list[str]
    decimal_refs: dict[str, bool]
    compared_defs: Any
    const: Callable[[Any], str]
    local: Callable[[str, str], str]
    fresh: Callable[[], str]
    def_code: Callable[[str], str]
    function_name: Callable[[str], str]
    list_expr: Callable[..., str]
    item_is_decimal: Callable[[str], bool]

    def expr(self, node: ir.Expr, owner: str) -> str:
        match node:
            case ir.Const(value=value):
                return self.const(value)
            case ir.Input(name=name):
                ident = self.local("input", name)
                if ("input", name) in self.lazy:
                    self.readers[name] = ident
                    self.bound.add(ident)
                    return f"({ident} if {ident} is not _U else ({ident} := _read(data, {name!r}, {owner!r})))"
                return ident
            case ir.Ref(name=name):
                if name in self.folded:  # a constant parameter: use the constant itself
                    return self.const(self.folded[name])
                ident = self.local("ref", name)
                if ("ref", name) in self.lazy:
                    code = self.def_code(name)  # (read in this place only: computed here, see single_refs)
                    if name not in self.once:
                        self.bound.add(ident)
                    return f"({code})" if name in self.once else f"({ident} if {ident} is not _U else ({ident} := {code}))"
                return ident
            case ir.AsOf():
                return "e[0]"
            case ir.Arith(op=op, left=left, right=right):
                folded = None if op == "/" else constfold.value(node, self.folded, self.constfold_memo)
                if folded.__class__ is Decimal:
                    return self.const(folded)  # constants' arithmetic done once, where exact (constfold)
                a, b = self.operand(left, owner), self.operand(right, owner)
                if op == "/":
                    return f"_v.div({a}, {b})"
                # Decimal operators: Policy.evaluate guarantees the thread context (values.CONTEXT);
                # int op int is exact Python int arithmetic.
                return f"({a} {op} {b})"
            case ir.Neg(arg=arg):
                return f"(-{self.expr(arg, owner)})"
            case ir.Cmp(op=op, left=left, right=right):
                return f"({self.expr(left, owner)} {op} {self.expr(right, owner)})"
            case ir.And(left=left, right=right):
                return f"({self.expr(left, owner)} and {self.expr(right, owner)})"
            case ir.Or(left=left, right=right):
                return f"({self.expr(left, owner)} or {self.expr(right, owner)})"
            case ir.Not(arg=arg):
                return f"(not {self.expr(arg, owner)})"
            case ir.If(cond=cond, then=then, other=other):
                if isinstance(cond, ir.Cmp):  # 若 x < y 则 y 否则 x: each operand computed once
                    lcode, rcode = self.expr(cond.left, owner), self.expr(cond.right, owner)  # as expr(cond)
                    return compared_if(self, lcode, cond.op, rcode, self.expr(then, owner), self.expr(other, owner))
                c, a, b = self.expr(cond, owner), self.expr(then, owner), self.expr(other, owner)
                return f"({a} if {c} else {b})"
            case ir.Min(args=args) | ir.Max(args=args):
                return self.minmax(args, "<=" if isinstance(node, ir.Min) else ">=", owner)
            case ir.Round(mode=mode, quantum=quantum, arg=arg, as_int=as_int):
                if as_int and isinstance(arg, ir.Arith) and arg.op == "/":  # in integers where exact: div_int
                    return int_division(self, self.expr(arg.left, owner), self.expr(arg.right, owner), mode,
                                        nonzero_whole(arg.right, self.p.defs))
                code = self.expr(arg, owner)
                if as_int:
                    return f"_v.rnd_int({code}, {mode!r})"
                return self.rounding(code, arg, quantum, mode)
            case ir.Call(func=func, args=args):
                if len(args) == 1 and (values := timefold.fold_wrap(func, args[0], self.folded)) is not None:
                    return self.expr(values, owner)  # the wrapped constants, built at import
                if owner in self.compared_defs and self.p.defs[owner].expr is node:  # only compared: no wrapper
                    return self.expr(args[0], owner)
                if len(args) == 1 and (cheaper := timefold.fused(func, args[0], self.p.defs, self.inputs)) is not None:
                    func, args = cheaper
                    if not func:  # already the wrapper's value
                        return self.expr(args[0], owner)
                if (inline := ymindex.call(self, func, args, owner)) is not None:  # on a month index
                    return inline
                if (inline := calendar_inline(self, func, args, owner)) is not None:
                    return inline
                call_args = ", ".join(self.expr(n, owner) for n in args)
                return f"{self.function_name(func)}({call_args})"
            case ir.Cond(branches=branches, other=other):
                if len(branches) == 1 and isinstance(test := branches[0].test, ir.Cmp):  # 若 … 则 … 否则 …
                    b, a = self.expr(other.value, owner), self.expr(branches[0].value, owner)  # (the order below)
                    lcode, rcode = self.expr(test.left, owner), self.expr(test.right, owner)
                    return compared_if(self, lcode, test.op, rcode, a, b)
                out = self.expr(other.value, owner)
                for br in reversed(branches):
                    out = f"{self.expr(br.value, owner)} if {self.expr(br.test, owner)} else {out}"
                return f"({out})"
            case ir.Match():
                return self.match(node, owner)
            case ir.Bands():
                return self.bands(node, owner)
            case ir.Dated():
                return self.dated(node, owner)
            case ir.Scale():
                return self.scale(node, owner)
            case ir.Progressive(func=func, scale=scale, base=base):
                return progressive(self, node, owner) or \
                    f"_scales.{func}({self.expr(scale, owner)}, {self.expr(base, owner)})"
            case ir.Each() | ir.Field() | ir.ItemRef() | ir.Running() | ir.Aggregate() | ir.AtDate() | ir.InMonth():
                return self.list_expr(node, owner)
        assert_never(node)

    def operand(self, node: ir.Expr, owner: str) -> str:
        """An operand of arithmetic: date − date as its month count (the result is an int anyway)."""
        if isinstance(node, ir.Call) and node.func == "period_between":
            return (ymindex.call(self, node.func, node.args, owner, bare=True)
                    or calendar_inline(self, node.func, node.args, owner, bare=True) or self.expr(node, owner))
        return self.expr(node, owner)

    def scale(self, node: ir.Scale, owner: str) -> str:
        """A scale value: built once at import when every rate is a constant."""
        rows = [(b.lo, b.lo_incl, b.hi, b.hi_incl, self.expr(b.value, owner)) for b in node.brackets]
        text = "".join(f"({self.const(lo)}, {li!r}, {self.const(hi)}, {hi_i!r}, {rate}), "
                       for lo, li, hi, hi_i, rate in rows)
        code = f"_scales.ScaleValue({node.kind!r}, ({text}))"
        if not all(isinstance(b.value, ir.Const) for b in node.brackets):
            return code
        key = ("scale", code)
        if key not in self.consts:
            name = f"_K{len(self.consts)}"
            self.consts[key] = name
            self.const_lines.append(f"{name} = {code}")
        return self.consts[key]

    def minmax(self, nodes: tuple[ir.Expr, ...], keep: str, owner: str) -> str:
        # A conditional chain: builtin min()/max() on Decimals costs five times as much.
        args = [self.expr(n, owner) for n in nodes]
        out = args[0]
        for arg in args[1:]:
            a = out if simple(out) else self.fresh()
            b = arg if simple(arg) else self.fresh()
            first = a if a == out else f"({a} := {out})"
            second = b if b == arg else f"({b} := {arg})"
            out = f"({a} if {first} {keep} {second} else {b})"
        return out

    def rounding(self, code: str, node: ir.Expr, quantum: Decimal, mode: str) -> str:
        if self.is_decimal(node) and quantum <= 1:
            # The context is the caller's, which Policy.evaluate has checked (see values.CONTEXT).
            return f"{code}.quantize({self.const(quantum)}, _{_ROUNDING[mode]})"
        return f"_rnd({code}, {self.const(quantum)}, _{_ROUNDING[mode]})"

    def is_decimal(self, node: ir.Expr) -> bool:
        """True when the node always evaluates to a Decimal (never an int), so it can call
        Decimal methods directly."""
        match node:
            case ir.Const(value=value):
                return isinstance(value, Decimal)
            case ir.Input(name=name):
                return bool(self.inputs[name]["kind"] in ("money", "quantity", "rate"))
            case ir.Arith(op=op, left=left, right=right):  # int op int stays int
                return op == "/" or self.is_decimal(left) or self.is_decimal(right)
            case ir.Round(as_int=as_int):
                return not as_int
            case ir.Ref(name=name):  # memoised: a definition read twice (若 c 则 d + 1元 否则 d) is
                known = self.decimal_refs.get(name)  # judged once, not 2**depth times
                if known is None:
                    d = self.p.defs[name]
                    known = self.decimal_refs[name] = d.round is not None or self.is_decimal(d.expr)
                return known
            case ir.Neg(arg=arg):
                return self.is_decimal(arg)
            case ir.Min(args=args) | ir.Max(args=args):
                return all(self.is_decimal(n) for n in args)
            case ir.If(then=then, other=other):
                return self.is_decimal(then) and self.is_decimal(other)
            case ir.Cond(branches=rows, other=other):
                return all(self.is_decimal(b.value) for b in rows) and self.is_decimal(other.value)
            case ir.Match(cases=rows, other=other) | ir.Bands(bands=rows, other=other):
                values = [r.value for r in rows] + ([other.value] if other else [])
                return all(self.is_decimal(v) for v in values)
            case ir.Dated(versions=versions):
                return all(self.is_decimal(v.value) for v in versions)
            case ir.Progressive(func=func):
                return func != "rate"
            case ir.Running(zero=zero):  # a Decimal zero keeps every partial sum a Decimal
                return isinstance(zero, Decimal)
            case ir.ItemRef(name=name):
                return self.item_is_decimal(name)
            case (ir.AsOf() | ir.Cmp() | ir.And() | ir.Or() | ir.Not() | ir.Call() | ir.Scale() | ir.Each()
                  | ir.Field() | ir.Aggregate() | ir.AtDate() | ir.InMonth()):
                return False
        assert_never(node)

    def match(self, node: ir.Match, owner: str) -> str:
        subject = self.expr(node.subject, owner)
        cases, other = node.cases, node.other
        if other is None and all(isinstance(c.value, ir.Const) for c in cases):
            table = {m: c.value.value for c in cases if isinstance(c.value, ir.Const) for m in c.members}
            return f"{self.const(table)}[{subject}]"
        t = self.fresh()
        fallback = self.expr(other.value, owner) if other else f"_v.no_case({owner!r}, {t})"
        out = fallback
        first = True
        parts = []
        for c in cases:
            members = c.members
            target = f"({t} := {subject})" if first else t
            first = False
            test = f"{target} == {members[0]!r}" if len(members) == 1 else f"{target} in {members!r}"
            parts.append((test, self.expr(c.value, owner)))
        for test, value in reversed(parts):
            out = f"{value} if {test} else {out}"
        return f"({out})"

    def bands(self, node: ir.Bands, owner: str) -> str:
        return bands(self, node, owner)  # (compiler/bandcode.py)

    def dated(self, node: ir.Dated, owner: str) -> str:
        index = f"e[{node.slot + 1}]"
        what = node.what
        if all(isinstance(v.value, ir.Const) for v in node.versions):
            table = self.const(tuple(v.value.value for v in node.versions if isinstance(v.value, ir.Const)))
            return f"({table}[{index}] if {index} is not None else _v.no_version({what!r}, e[0]))"
        out = f"_v.no_version({what!r}, e[0])"
        for i, version in reversed(list(enumerate(node.versions))):
            out = f"{self.expr(version.value, owner)} if {index} == {i} else {out}"
        return f"({out})"
