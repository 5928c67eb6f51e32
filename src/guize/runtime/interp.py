"""A tree-walking interpreter over the checked tree: the reference semantics and the tracer.

Compiled code is the fast path; this interpreter defines what the answer should be
(tests run both on the same inputs) and records why, for `Policy.explain`.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from guize.runtime import display
from guize.runtime import values as V
from guize.runtime.errors import EvaluationError
from guize.runtime.ir import Node, select_version


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
        for child in self.children:
            lines.append(child.render(indent + 1))
        return "\n".join(lines)


def with_unit(value: Any, type_text: str) -> str:
    """A value as a drafter reads it: 200元/吨, 45%, 12.5吨 (from the type's display text)."""
    return display.with_type(value, type_text)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


Coverage = set[tuple[Any, ...]]


class Interpreter:
    """Evaluate definitions from the checked tree, memoised, optionally tracing.

    With a `coverage` set, every branch, table row, band and dated version taken is added to
    it as (owner, id(node), index) (index -1 for 否则/其他; an inline 若 records 0 for 则 and
    1 for 否则), every definition computed as ("def", name) and every input read as
    ("input", name). The keys are only meaningful for the `defs` objects passed in.
    """

    def __init__(self, defs: Mapping[str, Mapping[str, Any]], inputs: Mapping[str, Mapping[str, Any]],
                 data: Mapping[str, Any], on: datetime.date, trace: bool = False,
                 coverage: Coverage | None = None) -> None:
        self.defs = defs
        self.specs = inputs
        self.data = data
        self.on = on
        self.trace = trace
        self.coverage = coverage
        self.values: dict[str, Any] = {}
        self.all_outputs = False  # set by Policy when every output was asked for
        self.steps: dict[str, Step] = {}
        self.input_values: dict[str, Any] = {}
        self._notes: list[str] = []
        self._children: list[Step] = []

    def input(self, name: str) -> Any:
        if name not in self.input_values:
            spec = self.specs[name]
            if name in self.data:
                raw = self.data[name]
            elif spec["has_default"]:
                raw = spec["default"]
            else:
                raise V.missing(name, self.all_outputs)
            self.input_values[name] = V.convert(spec, raw)
        value = self.input_values[name]
        if self.coverage is not None:
            self.coverage.add(("input", name))
        if self.trace:
            spec = self.specs[name]
            self._children.append(Step(name, value, "input", spec["type"], tuple(spec["cite"]), spec["line"],
                                       ["未提供，取默认值"] if name not in self.data else []))
        return value

    def get(self, name: str) -> Any:
        if name not in self.values:
            d = self.defs[name]
            saved = self._notes, self._children
            self._notes, self._children = [], []
            try:
                value = self.eval(d["expr"], name)
                if d["round"] is not None:
                    mode, quantum = d["round"]
                    rounded = V.rnd(value, quantum, V.mode_constant(mode))
                    if self.trace and rounded != value:
                        self._notes.append(f"{V.fmt(value)} 舍入为 {V.fmt(rounded)}")
                    value = rounded
                self.values[name] = value
                if self.coverage is not None:
                    self.coverage.add(("def", name))
                if self.trace:
                    self.steps[name] = Step(name, value, d["kind"], d["type"], tuple(d["cite"]), d["line"],
                                            self._notes, _dedupe(self._children))
            finally:
                self._notes, self._children = saved
        if self.trace:
            self._children.append(self.steps[name])
        return self.values[name]

    def note(self, text: str, cite: tuple[str, ...] = ()) -> None:
        if self.trace:
            self._notes.append(text + (f"（依据 {'、'.join(cite)}）" if cite else ""))

    def eval(self, node: Node, owner: str) -> Any:
        tag = node[0]
        handler: Callable[[Node, str], Any] = getattr(self, "_" + tag)
        return handler(node, owner)

    def _const(self, node: Node, owner: str) -> Any:
        return node[1]

    def _input(self, node: Node, owner: str) -> Any:
        return self.input(node[1])

    def _ref(self, node: Node, owner: str) -> Any:
        return self.get(node[1])

    def _asof(self, node: Node, owner: str) -> Any:
        return self.on

    def _arith(self, node: Node, owner: str) -> Any:
        a, b = self.eval(node[2], owner), self.eval(node[3], owner)
        op = node[1]
        if op == "/":
            return V.div(a, b)
        if node[4] or (type(a) is int and type(b) is int):  # integers: exact Python arithmetic
            return a + b if op == "+" else a - b if op == "-" else a * b
        ctx = V.CONTEXT
        return ctx.add(a, b) if op == "+" else ctx.subtract(a, b) if op == "-" else ctx.multiply(a, b)

    def _neg(self, node: Node, owner: str) -> Any:
        return -self.eval(node[1], owner)

    def _cmp(self, node: Node, owner: str) -> Any:
        a, b = self.eval(node[2], owner), self.eval(node[3], owner)
        op = node[1]
        return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]

    def _and(self, node: Node, owner: str) -> Any:
        return self.eval(node[1], owner) and self.eval(node[2], owner)

    def _or(self, node: Node, owner: str) -> Any:
        return self.eval(node[1], owner) or self.eval(node[2], owner)

    def _not(self, node: Node, owner: str) -> Any:
        return not self.eval(node[1], owner)

    def _if(self, node: Node, owner: str) -> Any:
        taken = bool(self.eval(node[1], owner))
        if self.coverage is not None:
            self.coverage.add((owner, id(node), 0 if taken else 1))
        return self.eval(node[2] if taken else node[3], owner)

    def _min(self, node: Node, owner: str) -> Any:
        values = [self.eval(n, owner) for n in node[1]]
        result = min(values)
        if self.trace and len(values) > 1:
            self.note(f"取较小值：{'、'.join(V.fmt(v) for v in values)} → {V.fmt(result)}")
        return result

    def _max(self, node: Node, owner: str) -> Any:
        values = [self.eval(n, owner) for n in node[1]]
        result = max(values)
        if self.trace and len(values) > 1:
            self.note(f"取较大值：{'、'.join(V.fmt(v) for v in values)} → {V.fmt(result)}")
        return result

    def _round(self, node: Node, owner: str) -> Any:
        if node[4]:
            return V.rnd_int(self.eval(node[3], owner), node[1])
        return V.rnd(self.eval(node[3], owner), node[2], V.mode_constant(node[1]))

    def _call(self, node: Node, owner: str) -> Any:
        return V.FUNCS[node[1]](*(self.eval(n, owner) for n in node[2]))

    def _cond(self, node: Node, owner: str) -> Any:
        for index, (test, value, label, cite) in enumerate(node[1]):
            if self.eval(test, owner):
                if self.coverage is not None:
                    self.coverage.add((owner, id(node), index))
                self.note(f"条件成立：{label}", cite)
                return self.eval(value, owner)
        if self.coverage is not None:
            self.coverage.add((owner, id(node), -1))
        value, label, cite = node[2]
        self.note("以上条件均不成立，取「否则」", cite)
        return self.eval(value, owner)

    def _match(self, node: Node, owner: str) -> Any:
        subject = self.eval(node[1], owner)
        for index, (members, value, label, cite) in enumerate(node[2]):
            if subject in members:
                if self.coverage is not None:
                    self.coverage.add((owner, id(node), index))
                self.note(f"按「{V.fmt(subject)}」取表中「{label}」一行", cite)
                return self.eval(value, owner)
        if node[3] is None:
            return V.no_case(owner, subject)
        if self.coverage is not None:
            self.coverage.add((owner, id(node), -1))
        value, label, cite = node[3]
        self.note(f"「{V.fmt(subject)}」未单列，取「其他」", cite)
        return self.eval(value, owner)

    def _bands(self, node: Node, owner: str) -> Any:
        subject = self.eval(node[1], owner)
        for index, (lo, lo_incl, hi, hi_incl, value, label, cite) in enumerate(node[2]):
            if lo is not None and not (lo <= subject if lo_incl else lo < subject):
                continue
            if hi is not None and not (subject <= hi if hi_incl else subject < hi):
                continue
            if self.coverage is not None:
                self.coverage.add((owner, id(node), index))
            self.note(f"{V.fmt(subject)} 落在分段「{label}」", cite)
            return self.eval(value, owner)
        if node[3] is None:
            return V.no_band(owner, subject)
        if self.coverage is not None:
            self.coverage.add((owner, id(node), -1))
        value, label, cite = node[3]
        self.note(f"{V.fmt(subject)} 不在所列分段内，取「其他」", cite)
        return self.eval(value, owner)

    def _dated(self, node: Node, owner: str) -> Any:
        versions = node[3]
        index = select_version(versions, self.on)
        if index is None:
            return V.no_version(node[2], self.on)
        start, _end, value, label, cite = versions[index]
        if self.coverage is not None:
            self.coverage.add((owner, id(node), index))
        self.note(f"适用{label}的版本（生效日 {start.isoformat()}）", cite)
        return self.eval(value, owner)


def _dedupe(steps: list[Step]) -> list[Step]:
    seen: set[int] = set()
    out = []
    for s in steps:
        if id(s) in seen:
            continue
        seen.add(id(s))
        out.append(s)
    return out


def evaluate(defs: Mapping[str, Mapping[str, Any]], inputs: Mapping[str, Mapping[str, Any]],
             data: Mapping[str, Any], on: datetime.date, outputs: list[str]) -> dict[str, Any]:
    """Reference evaluation of `outputs` (no tracing)."""
    interp = Interpreter(defs, inputs, data, on)
    try:
        return {name: interp.get(name) for name in outputs}
    except (ArithmeticError, TypeError) as exc:  # pragma: no cover - guarded by the checker
        raise EvaluationError(f"计算出错：{exc}") from exc
