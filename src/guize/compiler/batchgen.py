"""Generate the columnar (batch) evaluators of a checked policy: IR → Python over numpy arrays.

The output is a module of its own, the sibling of the one codegen writes (`<name>_batch.py`
beside `<name>.py`), imported by guize.runtime.batch, with numpy, only when evaluate_batch
is first called. It defines one function per definition (DEFS), each straight-line code over a Chunk `c`:
every IR node becomes one call such as `c.mul(a, b)` on fixed-point columns whose scale
and bounds are tracked as they go (see guize.runtime.batchops).

Definitions that cannot be vectorised (a division whose result is not rounded, the
calendar function 加年) are listed in FALLBACK with the
reason; outputs that need them are evaluated row by row by the scalar functions.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol, assert_never

import attrs

from guize._version import __version__
from guize.compiler import batchgen_months, batchgen_ratio, batchgen_scales
from guize.compiler.literals import WIDTH, literal_lines, wrap
from guize.compiler.names import Names
from guize.runtime import ir

FORMAT = "2"  # bump when the generated batch code changes shape (part of the cache key)

_KINDS = {"money": "num", "quantity": "num", "rate": "num", "int": "num", "points": "num",
          "bool": "bool", "date": "date", "enum": "enum", "duration": "num", "age": "num", "year_month": "date"}
_VECTOR_CALLS = {"year", "month", "day", "days_between", "add_days", "abs", "months_between", "period_between", "full_years",
                 "add_months", "year_month", "as_period", "as_age", "as_year_month"}


class Checked(Protocol):
    """What the columnar code is written from: a checked policy (compiler.checker.CheckedPolicy),
    or a compiled module's own DEFS, INPUTS and OUTPUTS when batch is first used (driver.load_batch)."""

    @property
    def path(self) -> str: ...

    @property
    def source_sha256(self) -> str: ...

    @property
    def inputs(self) -> tuple[dict[str, Any], ...]: ...

    @property
    def defs(self) -> dict[str, ir.Definition]: ...

    @property
    def order(self) -> tuple[str, ...]: ...

    @property
    def outputs(self) -> tuple[str, ...]: ...


class Unsupported(Exception):
    """A construct the columnar code does not handle; the reason is shown in FALLBACK."""


def _exponent(quantum: Decimal) -> int:
    """The exponent Decimal.quantize rounds to: 0.01 -> -2, 1 -> 0 (only the exponent counts)."""
    exp = quantum.as_tuple().exponent
    assert isinstance(exp, int)  # INVARIANT: quanta are finite
    return exp


class BatchGen:
    def __init__(self, policy: Checked) -> None:
        self.p = policy
        self.inputs = {spec["name"]: spec for spec in policy.inputs}
        self.enums: list[str] = []
        self.enum_codes: dict[str, int] = {}  # member -> its index in enums (a list's index() was quadratic)
        for spec in policy.inputs:
            for m in spec["members"]:
                self._code(m)
            for field in spec.get("fields", ()):  # a list's records: their enumerations too
                for m in field["members"]:
                    self._code(m)
        self.consts: dict[tuple[str, str], str] = {}
        self.const_lines: list[str] = []
        self.lines: list[str] = []
        self.temp = 0
        self.names = Names()
        self.bound: set[str] = set()  # locals assigned so far in the function being written
        self.last: tuple[str, int] = ("", 0)  # the temporary last emitted, and the line count then
        self.fallback: dict[str, str] = {}
        self.lists: list[str] = []  # the list inputs whose items the code being written is about
        self.owner = ""  # the definition being written
        self.outputs = frozenset(policy.outputs)  # a set: `in` on the tuple, per definition, was quadratic
        self.month_defs: set[str] = set()  # year-month definitions computed as month indices (batchgen_months)
        self.ratio_defs: set[str] = set()  # unrounded quotients held as exact fractions (batchgen_ratio)
        # The conditions under which the expression being written is reached (the left side of
        # 且/或, a 若's condition, a branch's test; True for negated): batchgen_ratio flags a zero
        # divisor only where its quotient is reached, as the scalar path short-circuits.
        self.guards: list[tuple[str, bool]] = []

    # ------------------------------------------------------------ helpers

    def _code(self, member: str) -> int:
        code = self.enum_codes.get(member)
        if code is None:
            code = self.enum_codes[member] = len(self.enums)
            self.enums.append(member)
        return code

    def rollback(self, marks: tuple[int, int, int]) -> None:
        """Forget the constants and enumeration members added since `marks` (their counts then):
        a definition that turned out Unsupported leaves nothing behind. Counts, not copies: copying
        them before every definition was quadratic."""
        lines, consts, enums = marks
        del self.const_lines[lines:]
        while len(self.consts) > consts:
            self.consts.popitem()  # the latest added first
        for member in self.enums[enums:]:
            del self.enum_codes[member]
        del self.enums[enums:]

    def ident(self, prefix: str, name: str) -> str:
        return self.names.by_key.get((prefix, name)) or self.names.get(prefix, name)

    def unsupported(self, message: str) -> Exception:
        return Unsupported(message)

    def fresh(self) -> str:
        self.temp += 1
        return f"x{self.temp}"

    def const_name(self, kind: str, text: str, line: str) -> str:
        key = (kind, text)
        if key not in self.consts:
            name = f"K{len(self.consts)}"
            self.consts[key] = name
            self.const_lines.append(f"    {name} = {line}")
        return self.consts[key]

    def kind(self, node: ir.Expr) -> str:
        match node:
            case ir.Const(value=v):
                if isinstance(v, bool):
                    return "bool"
                if isinstance(v, str):
                    return "enum"
                if isinstance(v, datetime.date):
                    return "date"
                return "num"
            case ir.Input(name=name):
                return _KINDS[self.inputs[name]["kind"]]
            case ir.Ref(name=name):
                return _KINDS[self.p.defs[name].value_kind]
            case ir.Match(cases=rows, other=other) | ir.Bands(bands=rows, other=other):
                return self.kind(rows[0].value if rows else other.value)  # type: ignore[union-attr]
            case ir.AsOf():
                return "date"
            case ir.Arith() | ir.Neg() | ir.Min() | ir.Max() | ir.Round():
                return "num"
            case ir.Cmp() | ir.And() | ir.Or() | ir.Not():
                return "bool"
            case ir.If(then=then):
                return self.kind(then)
            case ir.Call(func=func):
                return "date" if func in ("add_months", "add_years", "add_days", "year_month", "as_year_month") \
                    else "num"
            case ir.Cond(other=other):
                return self.kind(other.value)
            case ir.Dated(versions=versions):
                return self.kind(versions[0].value)
            case ir.Scale():
                return "scale"
            case ir.Progressive():
                return "num"
            case ir.Each():
                return "list"
            case ir.Field(name=name):
                fields = {f["name"]: f for f in self.inputs[self.lists[-1]]["fields"]}
                return _KINDS[fields[name]["kind"]]
            case ir.ItemRef(name=name):
                return _KINDS[self.p.defs[name].value_kind]
            case ir.Running():
                return "num"
            case ir.AtDate(dated=dated):
                return self.kind(dated)
            case ir.InMonth(source=source, value=value):
                assert isinstance(source, ir.Input)  # INVARIANT: the checker reads a list input
                self.lists.append(source.name)
                try:
                    return self.kind(value)
                finally:
                    self.lists.pop()
            case ir.Aggregate(func=func, value=value):
                if func in ("any", "all"):
                    return "bool"
                if func in ("max", "min", "one") and value is not None:
                    assert isinstance(node.source, ir.Input)  # INVARIANT: the checker aggregates list inputs
                    self.lists.append(node.source.name)
                    try:
                        return self.kind(value)
                    finally:
                        self.lists.pop()
                return "num"
        assert_never(node)

    def literal(self, value: Any) -> str:
        """A constant as the columnar code sees it: Num, bool, enumeration code, day number."""
        if isinstance(value, bool):
            return repr(value)
        if isinstance(value, str):
            return f"{self._code(value)}"
        if isinstance(value, datetime.date):
            days = (value - datetime.date(1970, 1, 1)).days
            return self.const_name("date", value.isoformat(), f"{days}  # {value.isoformat()}")
        text = str(value)
        return self.const_name("num", text, f"_b.num({text!r})")

    def table(self, entries: list[Any], ok: list[bool] | None, kind: str, comment: str) -> str:
        values = [str(v) if kind == "num" else v for v in entries]
        text = f"_b.Table({values!r}, {ok!r}, {kind!r})  # {comment}"
        return self.const_name("table", text, text)

    # ------------------------------------------------------------ expressions

    def expr(self, node: ir.Expr, out: list[str], pad: str) -> str:
        """Emit statements computing `node` into `out`; return the name holding its value."""
        # The commonest kinds (three nodes in four) before the match, whose class patterns are
        # tried one after another; an input or definition read before needs no new statement.
        if isinstance(node, ir.Const):
            return self.literal(node.value)
        if isinstance(node, ir.Input):
            ident = self.names.by_key.get(("i", node.name))
            if ident is not None and ident in self.bound:
                return ident
            return self.local("i", node.name, f"c.input({node.name!r})", out, pad)
        if isinstance(node, ir.Ref):
            name = node.name
            if name in self.fallback:
                raise Unsupported(f"依赖逐行计算的「{name}」")
            if name in self.ratio_defs:  # an unrounded quotient where only numbers go
                raise Unsupported(batchgen_ratio.UNROUNDED)
            ident = self.names.by_key.get(("d", name))
            if ident is not None and ident in self.bound:
                return ident
            return self.local("d", name, f"c.ref({name!r})", out, pad)
        return BY_KIND[type(node)](self, node, out, pad)  # (a match's class patterns: one after another)

    def e_asof(self, node: ir.AsOf, out: list[str], pad: str) -> str:
        return "c.asof()"

    def e_arith(self, node: ir.Arith, out: list[str], pad: str) -> str:
        if node.op == "/":
            raise Unsupported("除法的结果未舍入（请对除法结果舍入，如 向下取整(a ÷ b)）")
        a, b = self.expr(node.left, out, pad), self.expr(node.right, out, pad)
        fn = {"+": "add", "-": "sub", "*": "mul"}[node.op]
        return self.emit(f"c.{fn}({a}, {b})", out, pad)

    def e_neg(self, node: ir.Neg, out: list[str], pad: str) -> str:
        return self.emit(f"c.neg({self.expr(node.arg, out, pad)})", out, pad)

    def e_cmp(self, node: ir.Cmp, out: list[str], pad: str) -> str:
        months = batchgen_months.cmp(self, node, out, pad)
        if months is not None:
            return months
        ratio = batchgen_ratio.cmp(self, node, out, pad)
        if ratio is not None:
            return ratio
        left = node.left
        a, b = self.expr(left, out, pad), self.expr(node.right, out, pad)
        fn = "cmp" if self.kind(left) == "num" else "cmpx"
        return self.emit(f"c.{fn}({node.op!r}, {a}, {b})", out, pad)

    def e_and_or(self, node: ir.And | ir.Or, out: list[str], pad: str) -> str:
        a = self.expr(node.left, out, pad)
        with batchgen_ratio.pushing(self, a, isinstance(node, ir.Or)):
            b = self.expr(node.right, out, pad)
        fn = "and_" if isinstance(node, ir.And) else "or_"
        return self.emit(f"c.{fn}({a}, {b})", out, pad)

    def e_not(self, node: ir.Not, out: list[str], pad: str) -> str:
        return self.emit(f"c.not_({self.expr(node.arg, out, pad)})", out, pad)

    def e_if(self, node: ir.If, out: list[str], pad: str) -> str:
        cond_node, then, other = node.cond, node.then, node.other
        factored = self.factor([then, other])
        if factored is not None:  # c ? x×k1 : x×k2  ->  x × (c ? k1 : k2): one column product
            x, (k1, k2) = factored
            cond = self.expr(cond_node, out, pad)
            pick = self.emit(f"c.where({cond}, {self.literal(k1)}, {self.literal(k2)})", out, pad)
            return self.emit(f"c.mul({self.expr(x, out, pad)}, {pick})", out, pad)
        cond = self.expr(cond_node, out, pad)
        with batchgen_ratio.pushing(self, cond, False):
            a = self.expr(then, out, pad)
        with batchgen_ratio.pushing(self, cond, True):
            b = self.expr(other, out, pad)
        return self.emit(f"c.where({cond}, {a}, {b})", out, pad)

    def e_min_max(self, node: ir.Min | ir.Max, out: list[str], pad: str) -> str:
        args = [self.expr(n, out, pad) for n in node.args]
        if len(args) == 1:
            return args[0]
        fn = "min_" if isinstance(node, ir.Min) else "max_"
        return self.emit(f"c.{fn}({', '.join(args)})", out, pad)

    def e_round(self, node: ir.Round, out: list[str], pad: str) -> str:
        return self.rounded(node.arg, 0 if node.as_int else _exponent(node.quantum), node.mode, out, pad)

    def e_call(self, node: ir.Call, out: list[str], pad: str) -> str:
        months = batchgen_months.call(self, node, out, pad)
        if months is not None:
            return months
        if node.func not in _VECTOR_CALLS:
            raise Unsupported(f"日期函数 {node.func} 逐行计算")
        args = [self.expr(n, out, pad) for n in node.args]
        return self.emit(f"c.call({node.func!r}, {', '.join(args)})", out, pad)

    def e_cond(self, node: ir.Cond, out: list[str], pad: str) -> str:
        branches, other_row = node.branches, node.other
        factored = self.factor([br.value for br in branches] + [other_row.value])
        if factored is not None:  # every branch is x × a constant: choose the constant
            x, ks = factored
            cases = [(self.expr(br.test, out, pad), self.literal(k))
                     for br, k in zip(branches, ks, strict=False)]
            pick = self.select(cases, self.literal(ks[-1]), out, pad)
            return self.emit(f"c.mul({self.expr(x, out, pad)}, {pick})", out, pad)
        cases = []
        for br in branches:
            test = self.expr(br.test, out, pad)
            with batchgen_ratio.pushing(self, test, False):
                cases.append((test, self.expr(br.value, out, pad)))
        return self.select(cases, self.expr(other_row.value, out, pad), out, pad)

    def e_scale(self, node: ir.Scale, out: list[str], pad: str) -> str:
        raise Unsupported("累进税率表只在 累进计算/适用税率/速算扣除数 中按列计算")

    def e_progressive(self, node: ir.Progressive, out: list[str], pad: str) -> str:
        return batchgen_scales.progressive(self, node, out, pad)

    def e_at_date(self, node: ir.AtDate, out: list[str], pad: str) -> str:
        return self.at_date(node.dated, node.date, out, pad)

    def e_in_month(self, node: ir.InMonth, out: list[str], pad: str) -> str:
        name = self.list_name(node.source)
        when = self.expr(node.month, out, pad)
        v = self.item_function(name, node.value, out, pad)
        return self.emit(f"_l.in_month(c, {name!r}, {node.field!r}, {when}, {v})", out, pad)

    def list_expr(self, node: ir.Each | ir.Field | ir.ItemRef | ir.Running | ir.Aggregate, out: list[str],
                  pad: str, rounded: bool = False) -> str:
        """The list constructs over `list<struct>` columns (guize.runtime.batchlists): an item's
        expression is a nested function of the list's ItemChunk, named `c` as the row chunk is."""
        match node:
            case ir.Each(source=source, body=body):
                name = self.list_name(source)
                top = self.no_refund(body)
                if top is not None:  # max(x − 累计(itself，至 上月), 0): increments of a running maximum
                    return self.emit(f"_l.each_increment(c, {name!r}, {self.item_function(name, top, out, pad)})",
                                     out, pad)
                return self.emit(f"_l.each(c, {name!r}, {self.item_function(name, body, out, pad)})", out, pad)
            case ir.Field(name=name):
                return f"c.field({name!r})"
            case ir.ItemRef(name=name):
                if name == self.owner:
                    raise Unsupported("逐项计算引用自身此前各项（累计(…，至 上月)）逐行计算")
                if name in self.fallback:
                    raise Unsupported(f"依赖逐行计算的「{name}」")
                return f"c.item({name!r})"
            case ir.Running(arg=arg, inclusive=inclusive):
                return self.emit(f"_l.running(c, {self.expr(arg, out, pad)}, {inclusive!r})", out, pad)
            case ir.Aggregate(func=func, source=source, filter=test, value=value):
                name = self.list_name(source)
                t = self.item_function(name, test, out, pad) if test is not None else "None"
                v = self.item_function(name, value, out, pad) if value is not None else "None"
                if func == "one":
                    assert v != "None"  # INVARIANT: the checker requires 「的 …」 for 唯一
                    return self.emit(f"_l.one(c, {name!r}, {t}, {v})", out, pad)
                if func == "mean":
                    if not rounded:
                        raise Unsupported("平均值未舍入（请对平均值舍入，如 输出 平均收入：金额）")
                    return self.emit(f"_l.mean(c, {name!r}, {t}, {v})", out, pad)
                return self.emit(f"_l.aggregate(c, {func!r}, {name!r}, {t}, {v})", out, pad)
        assert_never(node)

    def no_refund(self, body: ir.Expr) -> ir.Expr | None:
        """y = round(max(x, 0)) when `body` is [round](max(x − 累计(the definition itself，至 上月), 0))
        with x not reading it (本期应预扣 = 累计应纳 − 已预扣, 余额为负时暂不退税).

        Its values are then the increments of y's running maximum: with P the sum so far, each
        value is round(max(x − P, 0)) = max(y − P, 0) (P is a multiple of the rounding step), so
        P + value = max(P, y), and P is the running maximum of y before the item."""
        rnd = body if isinstance(body, ir.Round) and not body.as_int else None
        inner = rnd.arg if rnd is not None else body
        if not isinstance(inner, ir.Max) or len(inner.args) != 2:
            return None
        a, b = inner.args
        if self.constant(a) == 0:
            a, b = b, a
        if self.constant(b) != 0 or not isinstance(a, ir.Arith) or a.op != "-":
            return None
        x, run = a.left, a.right
        if not isinstance(run, ir.Running) or run.inclusive or run.arg != ir.ItemRef(self.owner):
            return None
        if any(isinstance(n, ir.ItemRef) and n.name == self.owner for n in ir.walk(x)):
            return None
        top: ir.Expr = ir.Max((x, b))
        return attrs.evolve(rnd, arg=top) if rnd is not None else top

    def list_name(self, source: ir.Expr) -> str:
        if not isinstance(source, ir.Input):  # pragma: no cover - the checker aggregates list inputs only
            raise Unsupported("列表来源不是输入")
        return source.name

    def item_function(self, name: str, node: ir.Expr, out: list[str], pad: str) -> str:
        """A nested function computing `node` for every item of list `name`; its name."""
        fname = f"f{self.fresh()}"
        body: list[str] = []
        saved = self.bound
        self.bound = set()  # the row chunk's locals are not the items'
        self.lists.append(name)
        try:
            result = self.expr(node, body, pad + "    ")
        finally:
            self.lists.pop()
            self.bound = saved
        out.append(f"{pad}def {fname}(c):  # each item of {name}")
        out.extend(body)
        out.append(f"{pad}    return {result}")
        return fname

    def emit(self, code: str, out: list[str], pad: str) -> str:
        self.temp += 1  # (fresh())
        t = f"x{self.temp}"
        out.append(f"{pad}{t} = {code}")
        self.last = (t, len(out))
        return t

    def local(self, prefix: str, name: str, code: str, out: list[str], pad: str) -> str:
        ident = self.names.by_key.get((prefix, name)) or self.names.get(prefix, name)
        if ident not in self.bound:
            self.bound.add(ident)
            out.append(f"{pad}{ident} = {code}")
        return ident

    def rounded(self, arg: ir.Expr, exp: int, mode: str, out: list[str], pad: str,
                sink: str | None = None) -> str:
        if isinstance(arg, ir.Aggregate) and arg.func == "mean":  # 平均, rounded: sum ÷ count
            pair = self.list_expr(arg, out, pad, rounded=True)
            return self.emit(f"c.rdiv({pair}[0], {pair}[1], {exp}, {mode!r})", out, pad)
        if isinstance(arg, ir.Arith) and arg.op == "/":
            a, b = self.expr(arg.left, out, pad), self.expr(arg.right, out, pad)
            return self.emit(f"c.rdiv({a}, {b}, {exp}, {mode!r})", out, pad)
        ratio = batchgen_ratio.rounded(self, arg, exp, mode, out, pad)
        if ratio is not None:
            return ratio
        # An output's last rounding may write straight into the result column (c.sink).
        dest = f", c.sink({sink!r})" if sink is not None else ""
        return self.emit(f"c.rnd({self.expr(arg, out, pad)}, {exp}, {mode!r}{dest})", out, pad)

    def select(self, cases: list[tuple[str, str]], other: str | None, out: list[str], pad: str) -> str:
        if other is not None and len(cases) == 1:
            return self.emit(f"c.where({cases[0][0]}, {cases[0][1]}, {other})", out, pad)
        items = "".join(f"({c}, {v}), " for c, v in cases)
        return self.emit(f"c.select(({items}), {other})", out, pad)

    def match(self, node: ir.Match, out: list[str], pad: str) -> str:
        subject_node, cases, other = node.subject, node.cases, node.other
        subject = self.expr(subject_node, out, pad)
        members = [m for case in cases for m in case.members]
        kind = self.kind(node)
        if all(isinstance(c.value, ir.Const) for c in cases) and (other is None or isinstance(other.value, ir.Const)):
            for m in members:
                self._code(m)
            size = len(self.enums)
            entries: list[Any] = [None] * size
            ok = [False] * size
            for case in cases:
                assert isinstance(case.value, ir.Const)
                value = self.table_value(case.value.value, kind)  # (once a case, not per member)
                for m in case.members:
                    code = self.enum_codes[m]
                    entries[code] = value
                    ok[code] = True
            if other is not None:
                assert isinstance(other.value, ir.Const)
                fill = self.table_value(other.value.value, kind)
                entries = [fill if not k else e for e, k in zip(entries, ok, strict=True)]
                ok = [True] * size
            fill = next(e for e in entries if e is not None)
            entries = [fill if e is None else e for e in entries]
            # Codes outside the subject's own members never occur: no check needed then.
            domain = self.domain(subject_node)
            need_check = not all(ok[self._code(m)] for m in domain) if domain else not all(ok)
            table = self.table(entries, ok if need_check else None, kind, f"按 {self.describe(subject_node)}")
            return self.emit(f"c.table({subject}, {table})", out, pad)
        conds = []
        for case in cases:
            codes = tuple(self._code(m) for m in case.members)
            test = (self.emit(f"c.cmpx('==', {subject}, {codes[0]})", out, pad) if len(codes) == 1
                    else self.emit(f"c.isin({subject}, {codes!r})", out, pad))
            conds.append((test, self.expr(case.value, out, pad)))
        other_name = self.expr(other.value, out, pad) if other is not None else None
        return self.select(conds, other_name, out, pad)

    def domain(self, node: ir.Expr) -> tuple[str, ...]:
        if isinstance(node, ir.Input):
            return tuple(self.inputs[node.name]["members"])
        return ()

    def describe(self, node: ir.Expr) -> str:
        return node.name if isinstance(node, (ir.Input, ir.Ref)) else type(node).__name__.lower()

    def table_value(self, value: Any, kind: str) -> Any:
        if kind == "enum":
            return self._code(value)
        if kind == "date":
            return (value - datetime.date(1970, 1, 1)).days
        return value

    def bands(self, node: ir.Bands, out: list[str], pad: str) -> str:
        subject = self.expr(node.subject, out, pad)
        edges = self.band_edges(node)
        if edges is not None:  # one look-up of each row's band, not a test per band
            return self.emit(f"c.banded({subject}, {edges[0]!r}, {edges[1]})", out, pad)
        cases = [(self.band_test(subject, band, out, pad), self.expr(band.value, out, pad)) for band in node.bands]
        other = self.expr(node.other.value, out, pad) if node.other is not None else None
        if not cases:
            assert other is not None  # INVARIANT: the checker rejects bands with neither
            return other
        return self.select(cases, other, out, pad)

    def band_test(self, subject: str, band: ir.Band, out: list[str], pad: str) -> str:
        """The mask of the rows of `subject` inside `band` (a test per band)."""
        lo = repr(str(band.lo)) if band.lo is not None else "None"
        hi = repr(str(band.hi)) if band.hi is not None else "None"
        return self.emit(f"c.band({subject}, {lo}, {band.lo_incl}, {hi}, {band.hi_incl})", out, pad)

    def band_edges(self, node: ir.Bands) -> tuple[tuple[tuple[str, bool], ...], str] | None:
        """Bands of constants on a number, one after another without a gap or overlap (a table
        by bands, say): the edges between them, (threshold, whether a value equal to it is
        above the edge), and the table of values by the number of edges a value is above
        (below the first band and above the last: 其他, or no value). None otherwise."""
        other = node.other
        # The checker rejects overlapping bands, so at most one holds: their order is free.
        bands = sorted(node.bands, key=lambda b: (b.lo is not None, b.lo if b.lo is not None else 0))
        if len(bands) < 2 or self.kind(node.subject) != "num":
            return None
        if not all(isinstance(b.value, ir.Const) for b in bands):
            return None
        if other is not None and not isinstance(other.value, ir.Const):
            return None
        for a, b in itertools.pairwise(bands):
            if a.hi is None or b.lo is None or a.hi != b.lo or a.hi_incl == b.lo_incl:
                return None
        kind = self.kind(node)
        values = [self.table_value(b.value.value, kind) for b in bands if isinstance(b.value, ir.Const)]
        ok = [True] * len(values)
        edges = [(str(b.lo), b.lo_incl) for b in bands[1:] if b.lo is not None]
        outer = self.table_value(other.value.value, kind) if other is not None and isinstance(
            other.value, ir.Const) else values[0]
        if bands[0].lo is not None:
            edges.insert(0, (str(bands[0].lo), bands[0].lo_incl))
            values.insert(0, outer)
            ok.insert(0, other is not None)
        if bands[-1].hi is not None:
            edges.append((str(bands[-1].hi), not bands[-1].hi_incl))
            values.append(outer)
            ok.append(other is not None)
        table = self.table(values, None if all(ok) else ok, kind, f"按 {self.describe(node.subject)} 分段")
        return tuple(edges), table

    def dated(self, node: ir.Dated, out: list[str], pad: str) -> str:
        slot, what, versions = node.slot, node.what, node.versions
        kind = self.kind(node)
        if all(isinstance(v.value, ir.Const) for v in versions):
            entries = [self.table_value(v.value.value, kind) for v in versions if isinstance(v.value, ir.Const)]
            table = self.table(entries, None, kind, f"{what}的各版本")
            return self.emit(f"c.dated_table({slot}, {table})", out, pad)
        names = []
        for i, version in enumerate(versions):
            fname = f"v{slot}_{i}"
            names.append(fname)
            out.append(f"{pad}def {fname}():  # {version.label}")
            body: list[str] = []
            saved = set(self.bound)
            result = self.expr(version.value, body, pad + "    ")
            self.bound = saved  # locals bound inside the version stay inside it
            out.extend(body)
            out.append(f"{pad}    return {result}")
        return self.emit(f"c.dated({slot}, ({', '.join(names)},))", out, pad)

    def item_version(self, node: ir.Dated, date: ir.Expr, out: list[str], pad: str) -> str:
        """Each item's version of `node` on its own date (batchlists.version_at)."""
        def day(d: datetime.date | None) -> int | None:
            return None if d is None else (d - datetime.date(1970, 1, 1)).days

        spans = repr(tuple((day(v.start), day(v.end), day(v.known)) for v in node.versions))
        when = self.expr(date, out, pad)
        bounds = self.const_name("spans", spans, f"{spans}  # {node.what}的各版本：起、止、公布（日数）")
        return self.emit(f"_l.version_at(c, {bounds}, {when})", out, pad)

    def at_date(self, node: ir.Dated, date: ir.Expr, out: list[str], pad: str) -> str:
        """A dated value taken on each item's own date: each item's version, then its value."""
        index = self.item_version(node, date, out, pad)
        kind = self.kind(node)
        if all(isinstance(v.value, ir.Const) for v in node.versions):
            entries = [self.table_value(v.value.value, kind) for v in node.versions if isinstance(v.value, ir.Const)]
            return self.emit(f"{self.table(entries, None, kind, f'{node.what}的各版本')}.get({index}, c)", out, pad)
        names = []
        for i, version in enumerate(node.versions):
            names.append(f"a{node.slot}_{i}")
            out.append(f"{pad}def {names[-1]}():  # {version.label}")
            body: list[str] = []
            saved = set(self.bound)
            result = self.expr(version.value, body, pad + "    ")
            self.bound = saved  # locals bound inside the version stay inside it
            out.extend([*body, f"{pad}    return {result}"])
        return self.emit(f"_l.pick(c, {index}, ({', '.join(names)},))", out, pad)

    def constant(self, node: ir.Expr) -> Any:
        """The number a node always has (a literal, or a parameter without rounding), else None."""
        if isinstance(node, ir.Ref):
            d = self.p.defs[node.name]
            if d.round is not None:
                return None
            node = d.expr
        if isinstance(node, ir.Const) and not isinstance(node.value, (bool, str, datetime.date)):
            return node.value
        return None

    def factor(self, values: list[ir.Expr]) -> tuple[ir.Expr, list[Any]] | None:
        """(x, [k, ...]) if every value is x × k (or k × x) for one x and constants k."""
        common: ir.Expr | None = None
        ks: list[Any] = []
        for v in values:
            if not isinstance(v, ir.Arith) or v.op != "*":
                return None
            a, b = v.left, v.right
            if self.constant(b) is not None:
                x, k = a, self.constant(b)
            elif self.constant(a) is not None:
                x, k = b, self.constant(a)
            else:
                return None
            if common is None:
                common = x
            elif x != common:
                return None
            ks.append(k)
        if common is None or self.constant(common) is not None:
            return None
        return common, ks

    # ------------------------------------------------------------ definitions

    def start(self, name: str) -> ir.Definition:
        """Begin the function of definition `name`: no locals bound, temporaries from 0."""
        self.bound = set()
        self.temp = 0
        self.owner = name
        return self.p.defs[name]

    def definition(self, name: str) -> list[str]:
        d = self.start(name)
        body: list[str] = []
        pad = "        "
        expr = d.expr
        sink = name if name in self.outputs and d.value_kind != "int" and not isinstance(d.expr, ir.Each) else None
        if d.round is not None:
            mode, quantum = d.round
            result = self.rounded(expr, _exponent(quantum), mode, body, pad, sink)
        elif isinstance(expr, ir.Round) and not expr.as_int:
            result = self.rounded(expr.arg, _exponent(expr.quantum), expr.mode, body, pad, sink)
        elif (ratio := batchgen_ratio.definition_value(self, name, expr, body, pad)) is not None:
            result = ratio
            self.ratio_defs.add(name)
        else:
            result = self.expr(expr, body, pad)
            if sink is not None and body and self.last == (result, len(body)) \
                    and body[-1].startswith((f"{pad}{result} = c.add(", f"{pad}{result} = c.sub(",
                                             f"{pad}{result} = c.mul(")):
                body[-1] = f"{body[-1][:-1]}, c.sink({sink!r}))"  # the last step writes the output
        fname = self.ident("b", name)
        lines = [f"    def {fname}(c):", f'        """「{name}」, line {d.line}."""']
        lines.extend(body)
        lines.append(f"        return {result}")
        lines.append("")
        return lines

    def generate(self) -> str:
        p = self.p
        self.fallback = {}
        functions: list[tuple[str, str]] = []
        body: list[str] = []
        for name in p.order:
            if p.defs[name].value_kind == "scale":
                continue  # a scale is no column: the functions that apply it read it directly
            marks = (len(self.const_lines), len(self.consts), len(self.enums))
            if p.defs[name].value_kind == "year_month" and not isinstance(p.defs[name].expr, ir.Each):
                try:
                    lines, keys = batchgen_months.definition(self, name)
                except Unsupported:
                    self.rollback(marks)
                else:  # its month indices, and the first days' day numbers
                    body.extend(lines)
                    functions += [(keys[0], self.ident("bm", name)), (keys[1], self.ident("b", name))]
                    self.month_defs.add(name)
                    continue
            try:
                lines = self.definition(name)
            except Unsupported as exc:
                self.fallback[name] = str(exc)
                self.rollback(marks)
                continue
            body.extend(lines)
            functions.append((name, self.ident("b", name)))
        whole = "\n".join(body)  # which helper modules the code uses: one search each, not one a line
        out = [f"# Columnar evaluators of {self.p.path}, written by guize {__version__} (guize.compiler.batchgen)",
               f"# source sha256: {p.source_sha256}",
               "# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).",
               "# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.",
               "# Do not edit: regenerate with `guize compile`.",
               "from guize.runtime import batchops as _b",
               *(["from guize.runtime import batchlists as _l"] if "_l." in whole else []),
               *(["from guize.runtime import batchym as _m"] if "_m." in whole else []),
               *(["from guize.runtime import batchratio as _r"] if "_r." in whole else []),
               "",
               f"FORMAT = {FORMAT!r}"]
        out += literal_lines("FALLBACK = ", self.fallback)
        out += literal_lines("ENUMS = ", tuple(self.enums))
        for line in self.const_lines:
            out += wrap(line[4:])
        out += ["", ""]
        for line in body:
            if len(line) <= WIDTH + 4:  # (wrap's own test, without the call: most lines fit)
                out.append(line[4:])
            else:
                out += wrap(line[4:])
            if line == "":
                out.append("")
        table = ", ".join(f"{n!r}: {f}" for n, f in functions)
        out += ["# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk)."]
        out += wrap(f"DEFS = {{{table}}}")
        return "\n".join(out) + "\n"


# expr's method for each other node class (tests/test_batch.py: every class of ir.Expr). Plain
# functions, not bound methods kept on the instance: those would make a reference cycle, which
# keeps the whole generator alive while the compiler pauses the cycle collector.
BY_KIND: dict[type, Callable[[BatchGen, Any, list[str], str], str]] = {
    ir.Match: BatchGen.match, ir.Bands: BatchGen.bands, ir.AsOf: BatchGen.e_asof, ir.Arith: BatchGen.e_arith,
    ir.Neg: BatchGen.e_neg, ir.Cmp: BatchGen.e_cmp, ir.And: BatchGen.e_and_or, ir.Or: BatchGen.e_and_or,
    ir.Not: BatchGen.e_not, ir.If: BatchGen.e_if, ir.Min: BatchGen.e_min_max, ir.Max: BatchGen.e_min_max,
    ir.Round: BatchGen.e_round, ir.Call: BatchGen.e_call, ir.Cond: BatchGen.e_cond, ir.Dated: BatchGen.dated,
    ir.Scale: BatchGen.e_scale, ir.Progressive: BatchGen.e_progressive, ir.Each: BatchGen.list_expr,
    ir.Field: BatchGen.list_expr, ir.ItemRef: BatchGen.list_expr, ir.Running: BatchGen.list_expr,
    ir.Aggregate: BatchGen.list_expr, ir.AtDate: BatchGen.e_at_date, ir.InMonth: BatchGen.e_in_month}


def generate(policy: Checked) -> str:
    return BatchGen(policy).generate()
