"""A tree-walking interpreter over the checked tree: the reference semantics and the tracer.

Compiled code is the fast path; this interpreter defines what the answer should be
(tests run both on the same inputs) and records why, for `Policy.explain`.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, assert_never

from guize.runtime import display, ir
from guize.runtime import scales as S
from guize.runtime import values as V
from guize.runtime.deps import select_version
from guize.runtime.errors import EvaluationError
from guize.runtime.formula import Worksheet, render_ir
from guize.runtime.keyed import key_text


@dataclasses.dataclass
class Step:
    """One definition or input in an explanation, with what decided its value."""

    name: str
    value: Any
    kind: str  # input / def / output / param / table
    type: str = ""
    cite: tuple[str, ...] = ()
    line: int = 0
    notes: list[str] = dataclasses.field(default_factory=list)
    children: list[Step] = dataclasses.field(default_factory=list)
    # For a worksheet (guize.runtime.explain): the formula on the path taken, as written; the lines
    # saying which branch, row or version applied, each cap, and the formula with its values; the
    # notes that are not about a choice (rounding, a default, a progressive scale's parts).
    formula: str = ""
    equation: str = ""
    work: list[str] = dataclasses.field(default_factory=list)
    other_notes: list[str] = dataclasses.field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "value": _json_value(self.value), "kind": self.kind}
        if self.type:
            out["type"] = self.type
        if self.cite:
            out["cite"] = list(self.cite)
        if self.line:
            out["line"] = self.line
        if self.notes:
            out["notes"] = list(self.notes)
        if self.formula:
            out["formula"] = self.formula
        if self.work:
            out["work"] = list(self.work)
        if self.children:
            out["children"] = [c.to_json() for c in self.children]
        return out

    def render(self, indent: int = 0) -> str:
        pad = "  " * indent
        cite = f"（依据 {'、'.join(self.cite)}）" if self.cite else ""
        kind = {"input": "输入", "output": "输出", "param": "参数", "table": "表", "def": "定义"}[self.kind]
        lines = [f"{pad}{self.name} = {with_unit(self.value, self.type)}  [{kind}]{cite}"]
        for note in self.notes:
            lines.append(f"{pad}  · {note}")
        if self.equation:
            lines.append(f"{pad}  · 算式：{self.equation}")
        for child in self.children:
            lines.append(child.render(indent + 1))
        return "\n".join(lines)


def with_unit(value: Any, type_text: str) -> str:
    """A value as a drafter reads it: 200元/吨, 45%, 12.5吨 (from the type's display text)."""
    if isinstance(value, S.ScaleValue):
        return str(value)  # a progressive scale describes itself; its type's unit is its bounds'
    return display.with_type(value, type_text)


def _json_value(value: Any) -> Any:
    if isinstance(value, tuple) and hasattr(value, "keys"):  # a per-item output keyed by a 主键 (runtime/keyed.py)
        return {key_text(k): v for k, v in zip(value.keys, value, strict=True)}  # (values as in a tuple)
    if isinstance(value, (Decimal, S.ScaleValue)):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


Coverage = set[tuple[Any, ...]]


class Interpreter:
    """Evaluate definitions from the checked tree, memoised, optionally tracing.

    With a `coverage` set, every branch, table row, band and dated version taken is added to
    it as (owner, node id, index) (index -1 for 否则/其他; an inline 若 records 0 for 则 and
    1 for 否则), every definition computed as ("def", name) and every input read as
    ("input", name).
    """

    def __init__(self, defs: Mapping[str, ir.Definition], inputs: Mapping[str, Mapping[str, Any]],
                 data: Mapping[str, Any], on: datetime.date, trace: bool = False,
                 coverage: Coverage | None = None) -> None:
        self.defs = defs
        self.specs = inputs
        self.data = data
        self.on = on
        self.known_on: datetime.date | None = None  # set by Policy: evaluate as known on that date
        self.trace = trace
        self.coverage = coverage
        self.values: dict[str, Any] = {}
        self.all_outputs = False  # set by Policy when every output was asked for
        self.steps: dict[str, Step] = {}
        self.input_values: dict[str, Any] = {}
        self._notes: list[str] = []
        self._other_notes: list[str] = []
        self._children: list[Step] = []
        self.node_values: dict[int, Any] = {}  # with trace: each node's value (node ids are unique in a file)
        self.taken: dict[int, int] = {}  # with trace: the row each block node took (see `cover`)
        # The items being evaluated, innermost last: (the list, the index, the per-item
        # definition's values so far, or None in an aggregate's filter and value).
        self.item_stack: list[tuple[tuple[Any, ...], int, list[Any] | None]] = []

    def input(self, name: str, owner: str | None = None) -> Any:
        """An input's value, read and converted when first needed; a required input that is
        missing names the definition whose path needed it (`owner`)."""
        if name not in self.input_values:
            self.input_values[name] = V.read_input(self.data, self.specs[name], owner)
        value = self.input_values[name]
        if self.coverage is not None:
            self.coverage.add(("input", name))
        if self.trace:
            spec = self.specs[name]
            default = ["未提供，取默认值"] if name not in self.data else []
            self._children.append(Step(name, value, "input", spec["type"], tuple(spec["cite"]), spec["line"],
                                       default, other_notes=list(default)))
        return value

    def get(self, name: str) -> Any:
        if name not in self.values and self.defs[name].given and name in self.data:
            self.given(self.defs[name])
        if name not in self.values:
            d = self.defs[name]
            saved = self._notes, self._other_notes, self._children
            self._notes, self._other_notes, self._children = [], [], []
            try:
                value = self.eval(d.expr, name)
                if d.round is not None:
                    mode, quantum = d.round
                    rounded = V.rnd(value, quantum, V.mode_constant(mode))
                    if self.trace and rounded != value:
                        self.note(f"{V.fmt(value)} 舍入为 {V.fmt(rounded)}", choice=False)
                    value = rounded
                self.values[name] = value
                if self.coverage is not None:
                    self.coverage.add(("def", name))
                if self.trace:
                    sheet = Worksheet(self.node_values, self.taken, lambda n: str(self.specs[n]["type"]),
                                      lambda n: self.defs[n].type, self.known_on,
                                      lambda n: {f["name"]: f["type"] for f in self.specs[n].get("fields", ())})
                    formula, equation, work = sheet.lines(d)
                    self.steps[name] = Step(name, value, d.kind, d.type, self._cite(d), d.line, self._notes,
                                            _dedupe(self._children), formula, equation, work, self._other_notes)
            finally:
                self._notes, self._other_notes, self._children = saved
        if self.trace:
            self._children.append(self.steps[name])
        return self.values[name]

    def _cite(self, d: ir.Definition) -> tuple[str, ...]:
        """A definition's articles; for a value an amending document set, that document's."""
        expr = d.expr
        if isinstance(expr, ir.Dated):
            index = select_version(expr.versions, self.on, self.known_on)
            if index is not None and expr.versions[index].known is not None:
                return expr.versions[index].cite or d.cite
        return d.cite

    def given(self, d: ir.Definition) -> None:
        """A 可作输入 definition the caller gave: its value, converted like an input's; no formula."""
        value = self.values[d.name] = V.convert(self.specs[d.name], self.data[d.name])
        if self.trace:
            note = ["由调用方给出（不按公式计算）"]
            self.steps[d.name] = Step(d.name, value, d.kind, d.type, d.cite, d.line, note, other_notes=list(note))

    def note(self, text: str, cite: tuple[str, ...] = (), choice: bool = True) -> None:
        """Record a note for the definition being computed; `choice`: it says which branch, row or
        version applied (a worksheet says that in its own words)."""
        if self.trace:
            text += f"（依据 {'、'.join(cite)}）" if cite else ""
            self._notes.append(text)
            if not choice:
                self._other_notes.append(text)

    def eval(self, node: ir.Expr, owner: str) -> Any:
        value = self.dispatch(node, owner)
        if self.trace:
            self.node_values[node.id] = value
        return value

    def dispatch(self, node: ir.Expr, owner: str) -> Any:
        match node:
            case ir.Const(value=value):
                return value
            case ir.Input(name=name):
                return self.input(name, owner)
            case ir.Ref(name=name):
                return self.get(name)
            case ir.AsOf():
                return self.on
            case ir.Arith(op=op, left=left, right=right, exact_int=exact_int):
                a, b = self.eval(left, owner), self.eval(right, owner)
                if op == "/":
                    return V.div(a, b)
                if exact_int or (type(a) is int and type(b) is int):  # integers: exact Python arithmetic
                    return a + b if op == "+" else a - b if op == "-" else a * b
                ctx = V.CONTEXT
                return ctx.add(a, b) if op == "+" else ctx.subtract(a, b) if op == "-" else ctx.multiply(a, b)
            case ir.Neg(arg=arg):
                return -self.eval(arg, owner)
            case ir.Cmp(op=op, left=left, right=right):
                a, b = self.eval(left, owner), self.eval(right, owner)
                return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
            case ir.And(left=left, right=right):
                return self.eval(left, owner) and self.eval(right, owner)
            case ir.Or(left=left, right=right):
                return self.eval(left, owner) or self.eval(right, owner)
            case ir.Not(arg=arg):
                return not self.eval(arg, owner)
            case ir.If(cond=cond, then=then, other=other):
                taken = bool(self.eval(cond, owner))
                self.cover(owner, node, 0 if taken else 1)
                return self.eval(then if taken else other, owner)
            case ir.Min(args=args):
                return self.extreme(args, owner, min, "取较小值")
            case ir.Max(args=args):
                return self.extreme(args, owner, max, "取较大值")
            case ir.Round(mode=mode, quantum=quantum, arg=arg, as_int=as_int):
                if as_int:
                    return V.rnd_int(self.eval(arg, owner), mode)
                return V.rnd(self.eval(arg, owner), quantum, V.mode_constant(mode))
            case ir.Call(func=func, args=args):
                return V.FUNCS[func](*(self.eval(n, owner) for n in args))
            case ir.Cond():
                return self.cond(node, owner)
            case ir.Match():
                return self.match(node, owner)
            case ir.Bands():
                return self.bands(node, owner)
            case ir.Dated():
                return self.dated(node, owner)
            case ir.Scale(kind=kind, brackets=brackets):
                rows = tuple((b.lo, b.lo_incl, b.hi, b.hi_incl, self.eval(b.value, owner)) for b in brackets)
                return S.ScaleValue(kind, rows, tuple(b.label for b in brackets), tuple(b.cite for b in brackets),
                                    (owner, node.id))
            case ir.Progressive():
                return self.progressive(node, owner)
            case ir.Each(source=source, body=body):
                return self.each(source, body, owner)
            case ir.Field(name=name):
                items, index, _out = self.item_stack[-1]
                return items[index][name]
            case ir.ItemRef(name=name):
                items, index, out = self.item_stack[-1]
                if name == owner and out is not None:  # 累计(…，至 上月) of the definition itself
                    return out[index]
                return self.get(name)[index]
            case ir.Running(arg=arg, inclusive=inclusive, zero=zero):
                items, index, out = self.item_stack[-1]
                acc = zero
                for j in range(index + 1 if inclusive else index):
                    acc = self.add(acc, self.at(items, j, out, arg, owner))
                if self.trace:
                    self.note(f"第{index + 1}项：{render_ir(node)} = {V.fmt(acc)}", choice=False)
                return acc
            case ir.Aggregate():
                return self.aggregate(node, owner)
            case ir.AtDate():
                return self.at_date(node, owner)
            case ir.InMonth():
                return self.in_month(node, owner)
        assert_never(node)

    @staticmethod
    def add(a: Any, b: Any) -> Any:
        return a + b if type(a) is int and type(b) is int else V.CONTEXT.add(a, b)

    def at(self, items: tuple[Any, ...], index: int, out: list[Any] | None, node: ir.Expr, owner: str) -> Any:
        """`node` evaluated with item `index` of `items` current."""
        self.item_stack.append((items, index, out))
        try:
            return self.eval(node, owner)
        finally:
            self.item_stack.pop()

    def each(self, source: ir.Expr, body: ir.Expr, owner: str) -> tuple[Any, ...]:
        items = self.eval(source, owner)
        out: list[Any] = []
        for index in range(len(items)):
            out.append(self.at(items, index, out, body, owner))
            self.note(f"第{index + 1}项：{V.fmt(out[-1])}", choice=False)
        return tuple(out)

    def at_date(self, node: ir.AtDate, owner: str) -> Any:
        """A dated value taken on the current item's date (as values.version_at)."""
        on = self.eval(node.date, owner)
        index = self.item_stack[-1][1]
        picked = V.version_at(tuple((v.start, v.end, v.known) for v in node.dated.versions), on, self.known_on,
                              node.dated.what, node.item, index)
        version = node.dated.versions[picked]
        if self.coverage is not None:  # the parameter's version is used (not the worksheet's choice: no `taken`)
            self.coverage.add((node.dated.what, node.dated.id, picked))
        self.note(f"第{index + 1}项（{display.date(on)}）适用「{node.dated.what}」{version.label}的版本"
                  f"（生效日 {display.date(version.start)}）", version.cite, choice=False)
        return self.eval(version.value, owner)

    def aggregate(self, node: ir.Aggregate, owner: str) -> Any:
        """合计 人数 任一 全部 最大 最小 平均, item by item in order (as values.aggregate)."""
        items = self.eval(node.source, owner)
        source = node.source.name if isinstance(node.source, ir.Input) else "列表"
        func, acc, count = node.func, node.zero, 0
        if func == "one":
            return self.one(node, items, source, owner)
        for index in range(len(items)):
            if node.filter is not None and not self.at(items, index, None, node.filter, owner):
                self.note(f"「{source}」第{index + 1}项：不符合条件", choice=False)
                continue
            if node.value is None:
                count += 1
                if node.filter is not None:
                    self.note(f"「{source}」第{index + 1}项：符合条件", choice=False)
                continue
            v = self.at(items, index, None, node.value, owner)
            self.note(f"「{source}」第{index + 1}项：{V.fmt(v)}", choice=False)
            if func == "any" and v:
                return True
            if func == "all" and not v:
                return False
            if func in ("sum", "mean"):
                acc = self.add(acc, v)
            elif func in ("max", "min") and (count == 0 or (v > acc if func == "max" else v < acc)):
                acc = v
            count += 1
        if func in ("any", "all"):
            return func == "all"
        if func in ("count", "sum"):
            return count if func == "count" else acc
        if count == 0:
            raise V.no_items(owner, source, func)
        return V.div(acc, count) if func == "mean" else acc

    def one(self, node: ir.Aggregate, items: tuple[Any, ...], source: str, owner: str) -> Any:
        """唯一(…): the value of the one item that passes the filter (as values.aggregate)."""
        found = []
        for index in range(len(items)):
            ok = node.filter is None or self.at(items, index, None, node.filter, owner)
            self.note(f"「{source}」第{index + 1}项：{'符合条件' if ok else '不符合条件'}", choice=False)
            if ok:
                found.append(index)
        if len(found) != 1:
            raise V.not_one(owner, source, len(found))
        assert node.value is not None  # INVARIANT: the checker requires 「的 …」 for 唯一
        return self.at(items, found[0], None, node.value, owner)

    def in_month(self, node: ir.InMonth, owner: str) -> Any:
        """当年1月的 居住面积: the value in the one item of that month (as values.in_month)."""
        items = self.eval(node.source, owner)
        month = self.eval(node.month, owner)
        source = node.source.name if isinstance(node.source, ir.Input) else "列表"
        found = V.month_items(items, node.field, month)
        if len(found) != 1:
            raise V.not_in_month(owner, source, node.field, month, node.word, len(found))
        value = self.at(items, found[0], None, node.value, owner)
        self.note(f"「{source}」第{found[0] + 1}项（{display.year_month(month)}）：{V.fmt(value)}", choice=False)
        return value

    def progressive(self, node: ir.Progressive, owner: str) -> Any:
        scale = self.eval(node.scale, owner)
        x = self.eval(node.base, owner)
        result = S.FUNCTIONS[node.func](scale, x)
        parts = scale.parts(x)
        if scale.origin is not None:
            for index, *_rest in parts:
                self.cover(scale.origin[0], scale.origin[1], index)
        if self.trace:
            word = "超额累进" if scale.kind == "excess" else "全额累进"
            for index, base, rate, amount in parts:
                label = scale.labels[index] if scale.labels else f"第{index + 1}档"
                cite = scale.cites[index] if scale.cites else ()
                self.note(f"{word}「{label}」：{display.number(base)} × {display.percent(rate)} = "
                          f"{display.number(amount)}", cite, choice=False)
            if node.func == "amount":
                self.note(f"{word}合计：{display.number(result)}", choice=False)
            elif node.func == "rate":
                self.note(f"{display.number(x)} 适用税率 {display.percent(result)}", choice=False)
            else:
                self.note(f"速算扣除数 = {display.number(x)} × {display.percent(S.rate(scale, x))} − "
                          f"{display.number(S.amount(scale, x))} = {display.number(result)}", choice=False)
        return result

    def cover(self, owner: str, node: ir.Node | int, index: int) -> None:
        if self.trace and not isinstance(node, int):
            self.taken[node.id] = index
        if self.coverage is not None:
            self.coverage.add((owner, node if isinstance(node, int) else node.id, index))

    def extreme(self, args: tuple[ir.Expr, ...], owner: str, pick: Callable[[list[Any]], Any], word: str) -> Any:
        values = [self.eval(n, owner) for n in args]
        result = pick(values)
        if self.trace and len(values) > 1:
            self.note(f"{word}：{'、'.join(V.fmt(v) for v in values)} → {V.fmt(result)}")
        return result

    def cond(self, node: ir.Cond, owner: str) -> Any:
        for index, branch in enumerate(node.branches):
            if self.eval(branch.test, owner):
                self.cover(owner, node, index)
                self.note(f"条件成立：{branch.label}", branch.cite)
                return self.eval(branch.value, owner)
        self.cover(owner, node, -1)
        self.note("以上条件均不成立，取「否则」", node.other.cite)
        return self.eval(node.other.value, owner)

    def match(self, node: ir.Match, owner: str) -> Any:
        subject = self.eval(node.subject, owner)
        for index, case in enumerate(node.cases):
            if subject in case.members:
                self.cover(owner, node, index)
                self.note(f"按「{V.fmt(subject)}」取表中「{case.label}」一行", case.cite)
                return self.eval(case.value, owner)
        if node.other is None:
            return V.no_case(owner, subject)
        self.cover(owner, node, -1)
        self.note(f"「{V.fmt(subject)}」未单列，取「其他」", node.other.cite)
        return self.eval(node.other.value, owner)

    def bands(self, node: ir.Bands, owner: str) -> Any:
        subject = self.eval(node.subject, owner)
        for index, band in enumerate(node.bands):
            if band.contains(subject):
                self.cover(owner, node, index)
                self.note(f"{V.fmt(subject)} 落在分段「{band.label}」", band.cite)
                return self.eval(band.value, owner)
        if node.other is None:
            return V.no_band(owner, subject)
        self.cover(owner, node, -1)
        self.note(f"{V.fmt(subject)} 不在所列分段内，取「其他」", node.other.cite)
        return self.eval(node.other.value, owner)

    def dated(self, node: ir.Dated, owner: str) -> Any:
        index = select_version(node.versions, self.on, self.known_on)
        if index is None:
            return V.no_version(node.what, self.on)
        version = node.versions[index]
        self.cover(owner, node, index)
        self.note(f"适用{version.label}的版本（生效日 {display.date(version.start)}）", version.cite)
        return self.eval(version.value, owner)


def _dedupe(steps: list[Step]) -> list[Step]:
    seen: set[int] = set()
    out = []
    for s in steps:
        if id(s) in seen:
            continue
        seen.add(id(s))
        out.append(s)
    return out


def evaluate(defs: Mapping[str, ir.Definition], inputs: Mapping[str, Mapping[str, Any]],
             data: Mapping[str, Any], on: datetime.date, outputs: list[str]) -> dict[str, Any]:
    """Reference evaluation of `outputs` (no tracing)."""
    interp = Interpreter(defs, inputs, data, on)
    try:
        return {name: interp.get(name) for name in outputs}
    except (ArithmeticError, TypeError) as exc:  # pragma: no cover - guarded by the checker
        raise EvaluationError(f"计算出错：{exc}") from exc
