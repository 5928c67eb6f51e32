"""Translate the typed IR of one policy to z3 terms, with the events a property asks about.

Each definition becomes one term over the input variables and the as-of date `d` (a day
number, date.toordinal()). Decimals (money, rates, quantities) are z3 Reals, so every value
is an exact rational; integers are Ints; dates are day-number Ints; enum members are Ints
(one code per member text). Rounding is modelled exactly with floor on scaled reals.
Durations and ages (期间, 年龄) are Ints counting whole months, as dates.Period; a year-month
(年月) is the day number of the month's first day, as dates.YearMonth; the calendar-month
functions (加月, date − date, 周岁, 年月 …) are exact integer arithmetic (calendar.py).

While encoding, the encoder records *events*, each with the condition (over inputs and `d`)
under which evaluation reaches it:
  - an error: 除数为零 (a division whose divisor is zero), 未覆盖 (a band or table lookup no
    row matches), 未生效 (a dated value with no version in force), a date computed outside
    years 1..9999 (date_range: evaluation fails there; not a property of its own, see
    properties.KINDS);
  - a row taken: a branch of 若, a table row, a band, 否则 / 其他.
Conditions are local to a definition (the path of 若 … 则 inside it); `Lifted` composes them
through references, so an event's condition is relative to evaluating a root definition.

A construct the encoding does not cover adds a *gap* (a Chinese reason) to its definition:
every property that depends on it is `unknown`, never `proved`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, assert_never

import attrs

from guize.runtime import ir
from guize.runtime.validity import Window
from guize.tools.verify.calendar import Calendar
from guize.tools.verify.lists import ListEncoding, PerItem
from guize.tools.verify.solver import z3

INPUT_LIMIT = 10**15
# Counterexamples are looked for on these grids in turn (whole yuan, cents, then finer): values
# that read well and are finite decimals, which a bare rational model need not be.
GRIDS = (1, 100, 10**4, 10**8)  # values.INT_LIMIT: |number input| < 10**15
DATE_MIN, DATE_MAX = datetime.date.min.toordinal(), datetime.date.max.toordinal()
# The expression kinds `Encoder.expr` knows, with the fields it reads, spelled out (not
# ir.EXPR_TYPES): a kind added to the IR later, or one that gains a field (an option this
# encoding would silently ignore), is unknown until it is encoded here, never a crash nor a
# proof (see the guard in `Encoder.expr`).
KNOWN_FIELDS: dict[type, str] = {
    ir.Const: "value", ir.Input: "name", ir.Ref: "name", ir.AsOf: "", ir.Arith: "op left right exact_int",
    ir.Neg: "arg", ir.Cmp: "op left right", ir.And: "left right", ir.Or: "left right", ir.Not: "arg",
    ir.If: "cond then other", ir.Min: "args", ir.Max: "args", ir.Round: "mode quantum arg as_int",
    ir.Call: "func args", ir.Cond: "branches other", ir.Match: "subject cases other",
    ir.Bands: "subject bands other", ir.Dated: "slot what versions", ir.Scale: "kind brackets",
    ir.Progressive: "func scale base", ir.Each: "source body", ir.Field: "name", ir.ItemRef: "name",
    ir.Running: "arg inclusive zero", ir.Aggregate: "func source filter value zero word",
    ir.AtDate: "dated date item", ir.InMonth: "source field month value word",
}
ENCODED = tuple(cls for cls, names in KNOWN_FIELDS.items()
                if {f.name for f in attrs.fields(cls)} - {"id", "span"} == set(names.split()))


@attrs.frozen
class Event:
    kind: str  # division_by_zero / uncovered / not_in_force / row / version / bracket
    owner: str  # the definition it is in
    node: int  # the IR node's id
    index: int  # the row's index (-1: 否则 / 其他); 0 for errors
    line: int
    subject: str  # what a message names: the row label or the construct
    parent: int = 0  # for a row: the id of the 若 block, table, bands, dated value or scale it is in

    @property
    def coverage_key(self) -> tuple[str, int, int]:
        """The key the interpreter records when evaluation takes this row (see interp.Interpreter)."""
        return (self.owner, self.parent or self.node, self.index)


@attrs.frozen
class ScaleSym:
    """A progressive scale with its rates encoded: brackets (lo, lo_incl, hi, hi_incl, rate)."""

    kind: str
    brackets: tuple[tuple[Any, bool, Any, bool, Any], ...]
    owner: str
    node: ir.Scale


@attrs.frozen
class ScaleChoice:
    """A scale chosen by condition (a dated scale): (condition, scale) pairs, the first that holds."""

    options: tuple[tuple[Any, ScaleSym], ...]


Scaleish = ScaleSym | ScaleChoice


@attrs.define
class Encoded:
    """One definition: its value, the events inside it and the definitions it references."""

    term: Any
    events: list[tuple[Event, Any]] = attrs.field(factory=list)
    refs: list[tuple[Any, str]] = attrs.field(factory=list)  # (local condition, name)
    gaps: set[str] = attrs.field(factory=set)


def fraction(value: Decimal | int) -> Any:
    f = Fraction(value)
    return z3().RealVal(f"{f.numerator}/{f.denominator}") if f.denominator != 1 else z3().RealVal(f.numerator)


def _line(node: ir.Node, fallback: int) -> int:
    return node.span[0] or fallback


class Encoder:
    """Encode the definitions of one checked policy (each once, on first use)."""

    def __init__(self, defs: Mapping[str, ir.Definition], specs: Mapping[str, Mapping[str, Any]],
                 window: Window, share: Encoder | None = None, bound: int | None = None,
                 lists: bool = True) -> None:
        """With `share` (another version of the policy, for guize diff --prove): the same date,
        the same enum codes, the same variable for each input declared alike in both, and the
        validity window left out of the axioms (see `in_force`); lists are not encoded there.
        `bound`: lists exact up to that many items (counterexamples); None: lists abstracted for
        every length (proofs). See lists.py. `lists=False`: lists not encoded (what reads one is
        unknown), as for the version that another shares."""
        self.z = z3()
        self.defs = defs
        self.specs = specs
        self.window = window
        self.d: Any = share.d if share else self.z.Int("评估日期")
        self.codes: dict[str, int] = share.codes if share else {}
        self.inputs: dict[str, Any] = {}
        self.given: dict[str, Any] = {}  # 可作输入 definition -> whether the caller gave it (a Bool)
        self.axioms: list[Any] = []  # the domain: inputs' declarations, the validity window, helpers
        # One calendar for both versions: a date both read is split once (its axioms go to the
        # first version's list; prove_equal adds both lists).
        self.calendar: Calendar = share.calendar if share else Calendar(self.z, self.axioms, "")
        self.encoded: dict[str, Encoded] = {}
        self._current: Encoded | None = None
        self._fresh = 0
        self._prefix = "新" if share else ""  # fresh variables never collide with the shared version's
        self.bound = bound
        self.items: ListEncoding | None = None if share or not lists else ListEncoding(self)
        for spec in specs.values():
            other = share.specs.get(spec["name"]) if share else None
            if share and other is not None and _alike(other, spec):
                self.inputs[spec["name"]] = share.inputs[spec["name"]]
            else:
                self._declare(spec, "（新）" if share and other is not None else "")
        if share is None:
            self.axioms.extend(self._window())

    def in_force(self) -> Any:
        """The condition that the as-of date is inside the document's validity."""
        return self.z.And(self._window())

    # ------------------------------------------------------------ the domain

    def code(self, member: str) -> int:
        return self.codes.setdefault(member, len(self.codes))

    def _declare(self, spec: Mapping[str, Any], suffix: str = "") -> None:
        if spec["kind"] == "list" and self.items is not None:
            self.items.declare(spec)
            return
        self.inputs[spec["name"]] = self.domain(spec, spec["name"] + suffix)

    def domain(self, spec: Mapping[str, Any], var_name: str) -> Any:
        """An input's (or an item field's) variable and its domain: exactly the values
        values.convert gives (all the domain is here, in one place)."""
        z, kind = self.z, spec["kind"]
        # 可为负 (losses, corrections): the input ranges over negative values too.
        negative = bool(spec.get("negative"))

        def low(v: Any, top: Any) -> Any:
            return v > -top if negative else v >= 0

        if kind in ("money", "quantity"):
            var = z.Real(var_name)
            scale = fraction(spec["scale"])
            self.axioms += [low(var, fraction(INPUT_LIMIT) * scale), var < fraction(INPUT_LIMIT) * scale]
        elif kind == "rate":
            var = z.Real(var_name)
            self.axioms += [low(var, INPUT_LIMIT), var < INPUT_LIMIT]
        elif kind == "int":
            var = z.Int(var_name)
            self.axioms += [low(var, INPUT_LIMIT), var < INPUT_LIMIT]
            scale = Fraction(spec["scale"])
            if scale != 1 and scale.denominator == 1:  # 整数（年）: years given, months held
                var = int(scale) * var  # replay.read_model divides by the scale again
        elif kind == "bool":
            var = z.Bool(var_name)
        elif kind == "date":
            var = z.Int(var_name)
            self.axioms += [var >= DATE_MIN, var <= DATE_MAX]
        elif kind == "enum":
            var = z.Int(var_name)
            self.axioms.append(z.Or([var == self.code(m) for m in spec["members"]]))
        elif kind in ("duration", "age"):  # whole months (values.to_period: not negative)
            var = z.Int(var_name)
            self.axioms += [var >= 0, var < INPUT_LIMIT]
        elif kind == "year_month":  # the first day of a month in years 1..9999
            var = self.calendar.mark_first_day(z.Int(var_name))
            self.axioms += [var >= DATE_MIN, var <= DATE_MAX]
            self.calendar.split(var)
        elif kind == "list":  # diff --prove, or a list in a list: what reads one is unknown
            var = z.Int(var_name)
        else:  # pragma: no cover - the checker knows no other kind
            raise ValueError(kind)
        return var

    def _window(self) -> list[Any]:
        w, d = self.window, self.d
        out = [d >= (w.start.toordinal() if w.start else DATE_MIN), d <= DATE_MAX]
        if w.last is not None:
            out.append(d <= w.last.toordinal())
        if w.repealed is not None:
            out.append(d < w.repealed.on.toordinal())
        return out

    # ------------------------------------------------------------ definitions

    def definition(self, name: str) -> Encoded:
        done = self.encoded.get(name)
        if done is not None:
            return done
        d = self.defs[name]
        saved, self._current = self._current, Encoded(None)
        try:
            # 可作输入: a caller may give the value (any the input's domain allows); the formula,
            # and what can go wrong in it, only counts when it is not given.
            given = self.given.setdefault(name, self.z.Bool(f"{name}（给出）")) if d.given else None
            path = self.z.BoolVal(True) if given is None else self.z.Not(given)
            if isinstance(d.expr, ir.Each) and self.items is not None:
                if given is not None:
                    self._gap("可作输入的逐项定义尚未编码")
                term = self.items.definition(name, d.expr, path)
            else:
                term = self.expr(d.expr, path, name)
            if isinstance(term, PerItem):
                pass  # rounded item by item (lists.ListEncoding.item)
            elif d.round is not None and not isinstance(term, (ScaleSym, ScaleChoice)):
                term = self.round(term, d.round[0], d.round[1], as_int=False)
            if given is not None and name in self.inputs and not isinstance(term, (ScaleSym, ScaleChoice, PerItem)):
                term = self.ite(given, self.inputs[name], term)
            result = self._current
            result.term = term
        finally:
            self._current = saved
        self.encoded[name] = result
        return result

    def _event(self, kind: str, owner: str, node: ir.Node, index: int, subject: str, cond: Any,
               parent: ir.Node | None = None) -> None:
        assert self._current is not None  # INVARIANT: events are recorded inside definition()
        line = _line(node, self.defs[owner].line)
        event = Event(kind, owner, node.id, index, line, subject, parent.id if parent is not None else 0)
        self._current.events.append((event, cond))

    def _gap(self, reason: str) -> None:
        assert self._current is not None
        self._current.gaps.add(reason)

    def gap(self, reason: str, sort: str) -> Any:
        """A construct the encoding does not cover: an unknown value, and every property that
        depends on it is unknown (sort: bool, int or real)."""
        self._gap(reason)
        if sort == "bool":
            self._fresh += 1
            return self.z.Bool(f"{self._prefix}未编码{self._fresh}")
        return self.fresh(sort)

    def current_events(self) -> list[tuple[Event, Any]]:
        assert self._current is not None
        return self._current.events

    def current_refs(self) -> list[tuple[Any, str]]:
        assert self._current is not None
        return self._current.refs

    def event(self, kind: str, owner: str, node: ir.Node, subject: str, cond: Any) -> None:
        self._event(kind, owner, node, 0, subject, cond)

    def capture(self, encode: Callable[[], Any]) -> Encoded:
        """What `encode` builds, with the events, references and gaps inside it (conditions
        local to it), apart from the definition being encoded."""
        saved, self._current = self._current, Encoded(None)
        try:
            result = self._current
            result.term = encode()
            return result
        finally:
            self._current = saved

    def inline(self, part: Encoded, g: Any, quiet: bool = False) -> Any:
        """A captured part, reached under `g`, into the definition being encoded: its events and
        references under `g` (quiet: none of its events, though its references still bring their
        gaps), its gaps in any case."""
        assert self._current is not None
        z = self.z
        if not quiet:
            self._current.events += [(e, z.And(g, c)) for e, c in part.events]
        self._current.refs += [(z.BoolVal(False) if quiet else z.And(g, c), n) for c, n in part.refs]
        self._current.gaps |= part.gaps
        return part.term

    def fresh(self, sort: str) -> Any:
        self._fresh += 1
        name = f"{self._prefix}未编码{self._fresh}"
        return self.z.Int(name) if sort == "int" else self.z.Real(name)

    # ------------------------------------------------------------ expressions

    def real(self, term: Any) -> Any:
        return self.z.ToReal(term) if self.z.is_int(term) else term

    def pair(self, a: Any, b: Any) -> tuple[Any, Any]:
        """Two numbers of the same sort (an Int meeting a Real becomes a Real)."""
        if self.z.is_int(a) and self.z.is_real(b):
            return self.z.ToReal(a), b
        if self.z.is_real(a) and self.z.is_int(b):
            return a, self.z.ToReal(b)
        return a, b

    def ite(self, c: Any, a: Any, b: Any) -> Any:
        if isinstance(a, (ScaleSym, ScaleChoice)) or isinstance(b, (ScaleSym, ScaleChoice)):
            if not isinstance(a, (ScaleSym, ScaleChoice)) or not isinstance(b, (ScaleSym, ScaleChoice)):
                self._gap("累进税率表与数值混在一个条件中")  # pragma: no cover - the checker types it
                return a if isinstance(a, (ScaleSym, ScaleChoice)) else b
            first = [(self.z.And(c, k), sc) for k, sc in _options(a)]
            return ScaleChoice((*first, *_options(b)))
        a, b = self.pair(a, b)
        return self.z.If(c, a, b)

    def expr(self, node: ir.Expr, g: Any, owner: str) -> Any:
        z = self.z
        if not isinstance(node, ENCODED):  # a construct newer than this encoding: unknown, never a crash
            return self.gap(f"「{type(node).__name__}」尚未编码", "real")
        match node:
            case ir.Const(value=value):
                return self.const(value)
            case ir.Input(name=name):
                if name not in self.inputs:  # a list used other than by 逐项 or an aggregate
                    return self.gap(f"列表「{name}」的这种用法尚未编码", "real")
                return self.inputs[name]
            case ir.Ref(name=name):
                enc = self.definition(name)
                assert self._current is not None
                self._current.refs.append((g, name))
                if isinstance(enc.term, PerItem):  # a per-item value read whole: not encoded
                    return self.gap(f"整体引用逐项定义「{name}」尚未编码", "real")
                return enc.term
            case ir.AsOf():
                return self.d
            case ir.Arith(op=op, left=left, right=right):
                a, b = self.pair(self.expr(left, g, owner), self.expr(right, g, owner))
                if op == "+":
                    return a + b
                if op == "-":
                    return a - b
                if op == "*":
                    return a * b
                self._event("division_by_zero", owner, node, 0, "除法", z.And(g, b == 0))
                return self.divide(self.real(a), self.real(b))
            case ir.Neg(arg=arg):
                return -self.expr(arg, g, owner)
            case ir.Cmp(op=op, left=left, right=right):
                a, b = self.pair(self.expr(left, g, owner), self.expr(right, g, owner))
                if self.is_date(left) and (by_parts := self.calendar.compare(op, a, b)) is not None:
                    return by_parts
                return {"==": lambda: a == b, "!=": lambda: a != b, "<": lambda: a < b, "<=": lambda: a <= b,
                        ">": lambda: a > b, ">=": lambda: a >= b}[op]()
            case ir.And(left=left, right=right):
                a = self.expr(left, g, owner)
                return z.And(a, self.expr(right, z.And(g, a), owner))
            case ir.Or(left=left, right=right):
                a = self.expr(left, g, owner)
                return z.Or(a, self.expr(right, z.And(g, z.Not(a)), owner))
            case ir.Not(arg=arg):
                return z.Not(self.expr(arg, g, owner))
            case ir.If(cond=cond, then=then, other=other):
                c = self.expr(cond, g, owner)
                self._event("row", owner, node, 0, "「若」成立", z.And(g, c))
                self._event("row", owner, node, 1, "「否则」", z.And(g, z.Not(c)))
                return self.ite(c, self.expr(then, z.And(g, c), owner), self.expr(other, z.And(g, z.Not(c)), owner))
            case ir.Min(args=args) | ir.Max(args=args):
                terms = [self.expr(a, g, owner) for a in args]
                result = terms[0]
                for t in terms[1:]:
                    x, y = self.pair(result, t)
                    result = z.If(x <= y, x, y) if isinstance(node, ir.Min) else z.If(x >= y, x, y)
                return result
            case ir.Round(mode=mode, quantum=quantum, arg=arg, as_int=as_int):
                return self.round(self.expr(arg, g, owner), mode, quantum, as_int)
            case ir.Call(func=func, args=args):
                return self.call(node, func, [self.expr(a, g, owner) for a in args], g, owner)
            case ir.Cond(branches=branches, other=other_row):
                return self.cond(node, branches, other_row, g, owner)
            case ir.Match(subject=subject, cases=cases, other=other_row):
                s = self.expr(subject, g, owner)
                tests = [z.Or([s == self.code(m) for m in case.members]) for case in cases]
                return self.rows(node, list(zip(tests, cases, strict=True)), other_row, g, owner)
            case ir.Bands(subject=subject, bands=bands, other=other_row):
                s = self.expr(subject, g, owner)
                return self.rows(node, [(self.contains(s, b), b) for b in bands], other_row, g, owner)
            case ir.Dated(versions=versions, what=what):
                d = self.d
                tests = [z.And(d >= v.start.toordinal(), *(() if v.end is None else (d < v.end.toordinal(),)))
                         for v in versions]
                return self.rows(node, list(zip(tests, versions, strict=True)), None, g, owner, missing=what)
            case ir.Scale(kind=kind, brackets=brackets):
                rows = tuple((b.lo, b.lo_incl, b.hi, b.hi_incl, self.real(self.expr(b.value, g, owner)))
                             for b in brackets)
                return ScaleSym(kind, rows, owner, node)
            case ir.Progressive(func=func, scale=scale_node, base=base):
                scale = self.expr(scale_node, g, owner)
                x = self.real(self.expr(base, g, owner))
                if isinstance(scale, ScaleChoice):
                    # Each option under its condition; the last option's value where none holds.
                    options = list(scale.options)
                    result = self.progressive(node, func, options[-1][1], x, z.And(g, options[-1][0]), owner)
                    for cond, option in reversed(options[:-1]):
                        result = z.If(cond, self.progressive(node, func, option, x, z.And(g, cond), owner), result)
                    return result
                if not isinstance(scale, ScaleSym):  # pragma: no cover - the checker types it
                    self._gap("累进税率表")
                    return self.fresh("real")
                return self.progressive(node, func, scale, x, g, owner)
            case ir.AtDate():  # a version chosen by each item's date: not encoded
                self._gap("按各项的适用日期选用的参数版本尚未编码")
                return self.fresh("real")
            case ir.InMonth():  # one month's item of a list: not encoded
                self._gap("某月的值（当年1月的 …）尚未编码")
                return self.fresh("real")
            case ir.Each() | ir.Field() | ir.ItemRef() | ir.Running() | ir.Aggregate():
                if self.items is not None:
                    return self.items.expr(node, g, owner)
                self._gap("列表（逐项计算、汇总）尚未编码")
                if isinstance(node, ir.Aggregate) and node.func in ("any", "all"):
                    self._fresh += 1
                    return z.Bool(f"{self._prefix}未编码{self._fresh}")
                return self.fresh("int" if isinstance(node, ir.Aggregate) and node.func == "count" else "real")
        assert_never(node)

    def is_date(self, node: ir.Expr) -> bool:
        """Whether an expression's value is a date or a year-month (a day number here)."""
        match node:
            case ir.Const(value=value):
                return isinstance(value, datetime.date)
            case ir.Input(name=name):
                return self.specs[name]["kind"] in ("date", "year_month")
            case ir.AsOf():
                return True
            case ir.Ref(name=name) | ir.ItemRef(name=name):
                return self.defs[name].value_kind in ("date", "year_month")
            case ir.Field(name=name):
                return self.items is not None and self.items.field_kind(name) in ("date", "year_month")
            case ir.Call(func=func):
                return func in ("add_months", "add_years", "add_days", "year_month", "as_year_month")
            case ir.If(then=value):
                return self.is_date(value)
            case ir.Cond(other=other):
                return self.is_date(other.value)
            case ir.Match(cases=rows) | ir.Bands(bands=rows) | ir.Dated(versions=rows):
                return bool(rows) and self.is_date(rows[0].value)
            case ir.Min(args=args) | ir.Max(args=args):
                return bool(args) and self.is_date(args[0])
        return False

    def const(self, value: ir.Value) -> Any:
        z = self.z
        if isinstance(value, bool):
            return z.BoolVal(value)
        if isinstance(value, int):
            return z.IntVal(value)
        if isinstance(value, Decimal):
            return fraction(value)
        if isinstance(value, str):
            return z.IntVal(self.code(value))
        return z.IntVal(value.toordinal())

    def contains(self, s: Any, band: ir.Band) -> Any:
        z = self.z
        tests = []
        if band.lo is not None:
            x, lo = self.pair(s, self.const(band.lo))
            tests.append(lo <= x if band.lo_incl else lo < x)
        if band.hi is not None:
            x, hi = self.pair(s, self.const(band.hi))
            tests.append(x <= hi if band.hi_incl else x < hi)
        return z.And(tests) if tests else z.BoolVal(True)

    def cond(self, node: ir.Cond, branches: tuple[ir.Branch, ...], other: ir.Other, g: Any, owner: str) -> Any:
        z = self.z
        none_before = g
        taken: list[tuple[Any, Any]] = []
        for index, branch in enumerate(branches):
            test = self.expr(branch.test, none_before, owner)
            here = z.And(none_before, test)
            self._event("row", owner, branch, index, branch.label, here, node)
            taken.append((test, self.expr(branch.value, here, owner)))
            none_before = z.And(none_before, z.Not(test))
        self._event("row", owner, other, -1, "否则", none_before, node)
        result = self.expr(other.value, none_before, owner)
        for test, value in reversed(taken):
            result = self.ite(test, value, result)
        return result

    def rows(self, node: ir.Match | ir.Bands | ir.Dated, rows: list[tuple[Any, Any]], other: ir.Other | None,
             g: Any, owner: str, missing: str = "") -> Any:
        """A table, bands or dated versions: the first row whose test holds, else 其他, else an error."""
        z = self.z
        none_before = g
        taken: list[tuple[Any, Any]] = []
        for index, (test, row) in enumerate(rows):
            here = z.And(none_before, test)
            kind = "version" if isinstance(node, ir.Dated) else "row"
            self._event(kind, owner, row, index, row.label, here, node)
            taken.append((test, self.expr(row.value, here, owner)))
            none_before = z.And(none_before, z.Not(test))
        if other is not None:
            self._event("row", owner, other, -1, "其他", none_before, node)
            result = self.expr(other.value, none_before, owner)
        else:
            kind = "not_in_force" if isinstance(node, ir.Dated) else "uncovered"
            self._event(kind, owner, node, 0, missing or owner, none_before)
            if not taken:  # pragma: no cover - the checker requires a row
                return self.fresh("real")
            result = taken[-1][1]  # any value: evaluation fails here
            taken = taken[:-1]
        for test, value in reversed(taken):
            result = self.ite(test, value, result)
        return result

    # ------------------------------------------------------------ rounding, dates, scales

    def round(self, x: Any, mode: str, quantum: Decimal, as_int: bool) -> Any:
        """Exact rounding of x to a multiple of quantum (as values.rnd / rnd_int)."""
        z = self.z
        if z.is_int(x) and (as_int or Fraction(quantum).denominator != 1 or quantum == 1):
            return x  # an integer is already a multiple of 1 and of any fraction of 1
        q = fraction(quantum)
        y = self.real(x) / q
        floor, ceil = z.ToInt(y), -z.ToInt(-y)
        if mode == "half_up":
            n = z.If(y >= 0, z.ToInt(y + fraction(Decimal("0.5"))), -z.ToInt(-y + fraction(Decimal("0.5"))))
        elif mode == "floor":
            n = floor
        elif mode == "ceil":
            n = ceil
        else:  # down: toward zero
            n = z.If(y >= 0, floor, ceil)
        return n if as_int else z.ToReal(n) * q

    def divide(self, a: Any, b: Any) -> Any:
        """a / b, with b's 若/表 of constants distributed (a / If(c, 4, 2) is If(c, a/4, a/2)), so a
        divisor chosen by a table stays linear arithmetic."""
        z = self.z
        if z.is_app_of(b, z.Z3_OP_ITE):
            cond, then, other = b.children()
            if _numeric_leaves(z, then) and _numeric_leaves(z, other):
                return z.If(cond, self.divide(a, then), self.divide(a, other))
        cancelled = _cancel(z, a, b)
        return a / b if cancelled is None else cancelled

    def call(self, node: ir.Call, func: str, args: list[Any], g: Any, owner: str) -> Any:
        """Date and time functions as runtime/values.FUNCS computes them."""
        z, cal = self.z, self.calendar
        one = args[0] if len(args) == 1 else None
        if one is not None and func in ("year", "month", "day"):
            parts = cal.split(one)
            return {"year": parts.y, "month": parts.m, "day": parts.day}[func]
        if one is not None and func in ("as_period", "as_age"):
            return one
        if one is not None and func in ("year_month", "as_year_month"):
            return cal.year_month(one)
        if one is not None and func == "abs":
            return z.If(one >= 0, one, -one)
        if len(args) == 2 and func in ("months_between", "period_between"):
            return cal.months_between(args[0], args[1])
        if len(args) == 2 and func == "full_years":
            return cal.full_years(args[0], args[1])
        if len(args) == 2 and func == "years_between":
            return cal.full_years(args[0], args[1]) / 12
        if len(args) == 2 and func == "days_between":
            return args[1] - args[0]
        if len(args) == 2 and func in ("add_months", "add_years", "add_days"):
            if func == "add_days":
                result, outside = cal.add_days(args[0], args[1])
            else:
                result, outside = cal.add_months(args[0], args[1] * (12 if func == "add_years" else 1))
            self._event("date_range", owner, node, 0, "日期计算", z.And(g, outside))
            return result
        self._gap(f"函数「{func}」尚未编码")
        return self.fresh("int")

    def progressive(self, node: ir.Progressive, func: str, scale: ScaleSym, x: Any, g: Any, owner: str) -> Any:
        z = self.z
        zero = z.RealVal(0)
        # The bracket x falls in (as ScaleValue.index): first containing bracket; below the first: none.
        tests = []
        for lo, lo_incl, hi, hi_incl, _rate in scale.brackets:
            band = ir.Band(lo, lo_incl, hi, hi_incl, ir.Const(0), "", ())
            tests.append(self.contains(x, band))
        first = scale.brackets[0][0] if scale.brackets else None
        below = x < self.const(first) if first is not None else z.BoolVal(False)
        self._event("uncovered", scale.owner, scale.node, 0, scale.owner, z.And(g, z.Not(z.Or(*tests, below))))
        for i, (test, (lo, *_rest)) in enumerate(zip(tests, scale.brackets, strict=True)):
            start = self.const(lo) if lo is not None else zero
            reached = x > start if scale.kind == "excess" else test
            self._event("bracket", scale.owner, scale.node.brackets[i], i, scale.node.brackets[i].label,
                        z.And(g, reached), scale.node)
        rate: Any = zero
        for test, (*_bounds, r) in reversed(list(zip(tests, scale.brackets, strict=True))):
            rate = z.If(test, r, rate)
        if func == "rate":
            return rate
        if scale.kind == "whole":
            amount = x * rate
        else:
            parts = []
            for lo, _lo_incl, hi, _hi_incl, r in scale.brackets:
                start = self.const(lo) if lo is not None else zero
                top = x if hi is None else z.If(x < self.const(hi), x, self.const(hi))
                parts.append(z.If(x > start, r * (top - start), zero))
            amount = z.Sum(parts) if parts else zero
        if func == "amount":
            return amount
        return x * rate - amount


READABLE_DAYS = (datetime.date(1900, 1, 1).toordinal(), datetime.date(2100, 12, 31).toordinal())


def nice(enc: Encoder, grid: int) -> list[Any]:
    """Constraints for readable values: amounts in multiples of 1/grid, rates of 1/grid percent,
    dates (the as-of date too) in 1900..2100 and durations in whole years on the first grid."""
    z, out = enc.z, []
    lo, hi = READABLE_DAYS
    out += [enc.d >= lo, enc.d <= hi]
    named = [(var, enc.specs[name]) for name, var in enc.inputs.items()]
    if enc.items is not None:
        named += enc.items.fields()
    for var, spec in named:
        kind = spec["kind"]
        if kind in ("money", "quantity"):
            out.append(z.IsInt(var * grid))
        elif kind == "rate":
            out.append(z.IsInt(var * 100 * grid))
        elif kind in ("date", "year_month"):
            out += [var >= lo, var <= hi]
        elif kind in ("duration", "age") and grid == GRIDS[0]:
            out.append(var % 12 == 0)
    return out


def _options(s: ScaleSym | ScaleChoice) -> tuple[tuple[Any, ScaleSym], ...]:
    return s.options if isinstance(s, ScaleChoice) else ((z3().BoolVal(True), s),)


def _alike(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return all(a[k] == b[k] for k in ("kind", "scale", "members"))


def _cancel(z: Any, a: Any, b: Any) -> Any:
    """a / b when a is b × m (in some branches of a 若): m there. A sum over a list is c × m
    (lists.py); its mean, the sum divided by c, is m, which keeps the arithmetic simpler for
    the solver. Where b is 0 evaluation fails (除数为零, an event of its own): no value is read."""
    if z.is_app_of(a, z.Z3_OP_ITE):
        cond, then, other = a.children()
        x, y = _cancel(z, then, b), _cancel(z, other, b)
        if x is None and y is None:
            return None
        return z.If(cond, then / b if x is None else x, other / b if y is None else y)
    if z.is_app_of(a, z.Z3_OP_MUL) and len(a.children()) == 2:
        left, right = a.children()
        if left.eq(b):
            return right
        if right.eq(b):
            return left
    return None


def _numeric_leaves(z: Any, term: Any) -> bool:
    """Whether every value a 若/表 term can take is a constant."""
    if z.is_app_of(term, z.Z3_OP_ITE):
        return all(_numeric_leaves(z, t) for t in term.children()[1:])
    return bool(z.is_int_value(term) or z.is_rational_value(term))


# ---------------------------------------------------------------- lifting through references


@attrs.define
class Lifted:
    """Events of evaluating a root definition, with conditions relative to that evaluation."""

    events: dict[Event, Any]
    gaps: set[str]


def lift(encoder: Encoder, name: str, memo: dict[str, Lifted]) -> Lifted:
    """Compose each definition's events through the references that reach them."""
    done = memo.get(name)
    if done is not None:
        return done
    z = encoder.z
    enc = encoder.definition(name)
    events: dict[Event, list[Any]] = {}
    gaps = set(enc.gaps)
    for event, cond in enc.events:
        events.setdefault(event, []).append(cond)
    for cond, ref in enc.refs:
        inner = lift(encoder, ref, memo)
        gaps |= inner.gaps
        for event, c in inner.events.items():
            events.setdefault(event, []).append(z.And(cond, c))
    result = Lifted({e: (cs[0] if len(cs) == 1 else z.Or(cs)) for e, cs in events.items()}, gaps)
    memo[name] = result
    return result
