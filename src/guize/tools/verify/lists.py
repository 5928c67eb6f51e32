"""Lists of records in the SMT encoding: list inputs, per-item definitions (逐项, 逐月), 累计 and
the aggregates (合计 人数 任一 全部 最大 最小 平均), in one of two encodings, one per Encoder:

- *exact up to N items* (Encoder(bound=N)): the list has a length 0..N and N item slots; each
  aggregate is an explicit fold and each 累计 an explicit sum, item by item as the reference
  interpreter evaluates them (任一/全部 stop at the first item that decides). Exact for those
  lengths and for no other: used only to find counterexamples and witnesses, never to prove.
- *abstract* (bound None), for lists of every length: a length n ≥ 0, and for each aggregate and
  each 累计 a few *witness items* (any items: their fields range over the fields' domains) that
  constrain its value soundly:
    人数: between 0 and n (n itself without 中); one item passes the filter when it is ≥ 1, one
      fails it when it is < n;
    合计/平均 of c items: c × m, where m lies between the values of two items that pass (the mean
      of numbers lies between two of them — their convex hull, which is an interval);
    最大/最小: the value of an item that passes;
    任一 true: an item passes with the condition true; 全部 false: an item passes with it false;
    累计 at an item: k × m as 合计, over the k items before it (and it, for 累计 without 至 上月).
  Every list of every length satisfies these constraints (choose the witnesses among its items),
  so what follows from them holds for every list. A model of them need not be a real list: a
  `sat` of the abstract encoding is never shown; the exact one looks for a real counterexample.
  A per-item definition is proved at a *generic item* (any position of any list, with its
  累计 abstracted so); the witness items' own 累计 are left free (any value), which is sound.

An event inside a per-item definition (a division, a band, a branch) is reached when any item
reaches it: exactly, under "item i exists" for each slot; abstractly, at the generic item or at
one arbitrary witness item per aggregate or 累计 (an error witness).

What this does not know (a list read other than by 逐项 or an aggregate, a list in a list, a field
of an item outside one, a node kind added later) is a gap: unknown, never proved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from guize.runtime import ir

ERROR_KINDS = ("division_by_zero", "uncovered", "not_in_force", "date_range", "no_items")
AGGREGATES = ("sum", "count", "any", "all", "max", "min", "mean")
# Item fields of these kinds are encoded; another (a list in a list …) is left out, and reading
# it is a gap (a counterexample gives it its empty value, see replay.read_model).
FIELD_KINDS = ("money", "quantity", "rate", "int", "bool", "date", "enum", "duration", "age", "year_month")
INT_KINDS = ("int", "date", "enum", "duration", "age", "year_month")


@attrs.define(eq=False)
class Slot:
    """An item of a list: its fields' variables and its position (bounded: the index; abstract:
    an Int term for the generic item, None for a witness item, whose 累计 is left free)."""

    source: str
    fields: dict[str, Any]
    index: Any
    key: str


@attrs.define(eq=False)
class ListVar:
    name: str
    spec: Mapping[str, Any]
    length: Any  # an Int
    slots: list[Slot]  # bounded: the N items; abstract: the generic item


@attrs.frozen
class PerItem:
    """A per-item definition's value: (the item exists, its value) for each slot."""

    source: str
    items: tuple[tuple[Any, Any], ...]


def sort_of(kind: str) -> str:
    return "bool" if kind == "bool" else "int" if kind in INT_KINDS else "real"


class ListEncoding:
    """The list part of one Encoder (`enc`, duck-typed: its domain, expr, capture, inline, gap)."""

    def __init__(self, enc: Any) -> None:
        self.enc = enc
        self.z = enc.z
        self.bound: int | None = enc.bound
        self.lists: dict[str, ListVar] = {}
        self.stack: list[Slot] = []  # the items being evaluated, innermost last
        self.memo: dict[tuple[str, str], Any] = {}  # (definition, slot) -> Encoded
        self.busy: set[tuple[str, str]] = set()
        self.aggregates: dict[int, Any] = {}  # node id -> Encoded (an aggregate reads no outer item)
        # The abstract value of each aggregate and 累计 as written (ir equality ignores ids and
        # places): the same formula twice has the same value, which the abstraction's separate
        # witnesses would not know (若 合计(…) > 0元 则 x ÷ 合计(…)).
        self.shapes: dict[tuple[Any, str], Any] = {}
        self.count = 0

    # ------------------------------------------------------------ declarations

    def declare(self, spec: Mapping[str, Any]) -> None:
        z, name = self.z, spec["name"]
        n = z.Int(f"{name}（项数）")
        self.enc.axioms.append(n >= 0)
        lv = ListVar(name, spec, n, [])
        if self.bound is not None:
            self.enc.axioms.append(n <= self.bound)
            lv.slots = [self.slot(lv, f"{name}第{i + 1}项", i) for i in range(self.bound)]
        else:
            index = z.Int(f"{name}（某项序号）")
            self.enc.axioms.append(index >= 0)
            lv.slots = [self.slot(lv, f"{name}（某项）", index)]
        self.lists[name] = lv

    def slot(self, lv: ListVar, label: str, index: Any) -> Slot:
        fields = {f["name"]: self.enc.domain(f, f"{label}.{f['name']}")
                  for f in lv.spec.get("fields", ()) if f["kind"] in FIELD_KINDS}
        return Slot(lv.name, fields, index, label)

    def witness(self, lv: ListVar) -> Slot:
        self.count += 1
        return self.slot(lv, f"{lv.name}（见证{self.count}）", None)

    def fresh(self, sort: str) -> Any:
        self.count += 1
        name = f"列表辅助{self.count}"
        return self.z.Bool(name) if sort == "bool" else self.z.Int(name) if sort == "int" else self.z.Real(name)

    def field_kind(self, name: str) -> str | None:
        if not self.stack:
            return None
        spec = self.lists[self.stack[-1].source].spec
        return next((f["kind"] for f in spec.get("fields", ()) if f["name"] == name), None)

    def fields(self) -> list[tuple[Any, Mapping[str, Any]]]:
        """(variable, field spec) of every item slot (for readable counterexamples)."""
        out = []
        for lv in self.lists.values():
            specs = {f["name"]: f for f in lv.spec.get("fields", ())}
            for s in lv.slots:
                out += [(var, specs[n]) for n, var in s.fields.items()]
        return out

    # ------------------------------------------------------------ expressions

    def expr(self, node: ir.Each | ir.Field | ir.ItemRef | ir.Running | ir.Aggregate, g: Any, owner: str) -> Any:
        enc = self.enc
        match node:
            case ir.Each():
                return enc.gap("逐项计算只用作定义的全部时才已编码", "real")
            case ir.Field(name=name):
                slot = self.stack[-1] if self.stack else None
                if slot is None or name not in slot.fields:
                    return enc.gap(f"项的字段「{name}」的这种用法尚未编码", sort_of(self.field_kind(name) or ""))
                return slot.fields[name]
            case ir.ItemRef(name=name):
                return self.item_ref(name, g, owner)
            case ir.Running():
                return self.running(node, g, owner)
            case ir.Aggregate():
                return self.aggregate(node, g, owner)

    def at(self, slot: Slot, node: ir.Expr, g: Any, owner: str) -> Any:
        """`node` with `slot` the current item."""
        self.stack.append(slot)
        try:
            return self.enc.expr(node, g, owner)
        finally:
            self.stack.pop()

    def quiet(self, slot: Slot, node: ir.Expr, owner: str, real: Any) -> Any:
        """`node` at a witness item whose events are not reported (an error witness reports them).
        Where the witness stands for a real item (`real`: the list has such an item), an error
        there is a `witness_error`: a successful evaluation has none (properties about values
        exclude it), but it is never reported as a property of its own."""
        z, enc = self.z, self.enc
        part = enc.capture(lambda: self.at(slot, node, z.BoolVal(True), owner))
        for event, cond in part.events:
            if event.kind in ERROR_KINDS:
                enc.current_events().append((attrs.evolve(event, kind="witness_error"), z.And(real, cond)))
        return enc.inline(part, z.BoolVal(True), quiet=True)

    def source(self, node: ir.Expr) -> ListVar | None:
        if isinstance(node, ir.Input) and node.name in self.lists:
            return self.lists[node.name]
        return None

    # ------------------------------------------------------------ per-item definitions

    def definition(self, name: str, each: ir.Each, path: Any) -> Any:
        """A per-item definition as a whole: its value at each slot where the item exists, with
        the events inside it reached there."""
        z, enc = self.z, self.enc
        lv = self.source(each.source)
        if lv is None:
            return enc.gap("逐项计算的来源不是输入的列表，尚未编码", "real")
        items = []
        for s in lv.slots:
            exists = s.index < lv.length
            items.append((exists, enc.inline(self.item(name, s), z.And(path, exists))))
        return PerItem(lv.name, tuple(items))

    def item(self, name: str, slot: Slot) -> Any:
        """A per-item definition at one item (an Encoded; its events local to evaluating that item)."""
        key = (name, slot.key)
        done = self.memo.get(key)
        if done is not None:
            return done
        enc = self.enc
        d = enc.defs[name]
        each = d.expr
        if key in self.busy or not isinstance(each, ir.Each) or self.source(each.source) is not self.lists[slot.source]:
            sort = sort_of(d.value_kind)
            return enc.capture(lambda: enc.gap(f"逐项定义「{name}」的这种引用尚未编码", sort))
        self.busy.add(key)

        def body() -> Any:
            term = self.at(slot, each.body, self.z.BoolVal(True), name)
            if d.round is not None:
                term = enc.round(term, d.round[0], d.round[1], as_int=False)
            return term

        try:
            result = enc.capture(body)
        finally:
            self.busy.discard(key)
        self.memo[key] = result
        return result

    def item_ref(self, name: str, g: Any, owner: str) -> Any:
        enc = self.enc
        d = enc.defs[name]
        if not self.stack:
            return enc.gap(f"在逐项计算之外引用逐项定义「{name}」尚未编码", sort_of(d.value_kind))
        # Its value at this item, with what can go wrong there (at a witness item: any item).
        term = enc.inline(self.item(name, self.stack[-1]), g)
        if name != owner:  # not 累计(…，至 上月) of the definition itself (an earlier item's value)
            # Evaluation computes the whole per-item definition (every item): its events and
            # gaps come with the reference to it.
            enc.current_refs().append((g, name))
        return term

    # ------------------------------------------------------------ 累计

    def running(self, node: ir.Running, g: Any, owner: str) -> Any:
        z, enc = self.z, self.enc
        zero = enc.const(node.zero)
        sort = "int" if z.is_int(zero) else "real"
        slot = self.stack[-1] if self.stack else None
        if slot is None:
            return enc.gap("逐项计算之外的「累计」尚未编码", sort)
        lv = self.lists[slot.source]
        if isinstance(slot.index, int):  # exact: the items before this one (and it)
            total = zero
            for j in range(slot.index + 1 if node.inclusive else slot.index):
                a, b = enc.pair(total, self.at(lv.slots[j], node.arg, g, owner))
                total = a + b
            return total
        if slot.index is None:  # a witness item: what came before it is any value
            return self.fresh(sort)
        k = slot.index + 1 if node.inclusive else slot.index
        total = self.hull_sum(lv, k, None, node.arg, z.And(g, k >= 1), owner, zero)[0]
        if not _reads_item_ref(node.arg):  # the same 累计 of fields and other names: the same sum
            self.same(node, slot.key, total)
        return total

    def hull_sum(self, lv: ListVar, c: Any, test: ir.Expr | None, value: ir.Expr, g: Any, owner: str,
                 zero: Any) -> tuple[Any, Any]:
        """The sum of `value` over c items passing `test`, c × m with m between two items' values,
        and m. The events of `value` are reported at a third item (any item, under `g`)."""
        z, enc = self.z, self.enc
        self.report(lv, test, value, g, owner)
        w1, w2 = self.witness(lv), self.witness(lv)
        f1, f2 = (self.quiet(w, test, owner, c >= 1) if test is not None else z.BoolVal(True) for w in (w1, w2))
        a1, a2 = (enc.real(self.quiet(w, value, owner, c >= 1)) for w in (w1, w2))
        m = self.fresh("real")
        enc.axioms.append(z.Implies(c >= 1, z.And(f1, f2, a1 <= m, m <= a2)))
        total = z.ToReal(c) * m  # c = 0: 0, the sum of no items (no If: simpler for the solver)
        if not z.simplify(enc.real(zero)).eq(z.RealVal(0)):  # pragma: no cover - a sum's zero is 0
            total = enc.real(zero) + total
        if z.is_int(zero):
            whole = self.fresh("int")
            enc.axioms.append(z.ToReal(whole) == total)
            return whole, m
        return total, m

    def report(self, lv: ListVar, test: ir.Expr | None, value: ir.Expr | None, g: Any, owner: str) -> None:
        """The events of `test` and `value` at an error witness: any item, constrained by nothing
        but the fields' domains (so no error an item can meet is missed)."""
        z = self.z
        e = self.witness(lv)
        passes = self.at(e, test, g, owner) if test is not None else z.BoolVal(True)
        if value is not None:
            self.at(e, value, z.And(g, passes), owner)

    # ------------------------------------------------------------ aggregates

    def aggregate(self, node: ir.Aggregate, g: Any, owner: str) -> Any:
        enc = self.enc
        lv = self.source(node.source)
        sort = "bool" if node.func in ("any", "all") else "int" if node.func == "count" else "real"
        if node.func not in AGGREGATES:
            return enc.gap(f"汇总「{node.word}」尚未编码", sort)
        if lv is None:
            return enc.gap(f"「{node.word}」的来源不是输入的列表（如列表中的列表），尚未编码", sort)
        part = self.aggregates.get(node.id)
        if part is None:
            # An aggregate reads its own items, never an outer one: one encoding serves every use.
            saved, self.stack = self.stack, []
            try:
                exact = self.bound is not None
                part = enc.capture(lambda: self.folded(node, lv, owner) if exact else self.abstract(node, lv, owner))
            finally:
                self.stack = saved
            self.aggregates[node.id] = part
            self.same(node, "", part.term)
        return enc.inline(part, g)

    def same(self, node: ir.Aggregate | ir.Running, where: str, term: Any) -> None:
        """Another aggregate or 累计 written alike (at the same item) has the same value."""
        if self.bound is not None:  # exact: the same formula builds the same term
            return
        first = self.shapes.setdefault((node, where), term)
        if first is not term and self.z.is_bool(first) == self.z.is_bool(term):
            a, b = self.enc.pair(first, term)
            self.enc.axioms.append(a == b)

    def folded(self, node: ir.Aggregate, lv: ListVar, owner: str) -> Any:
        """Exact for the N slots: item by item as interp.Interpreter.aggregate."""
        z, enc = self.z, self.enc
        func = node.func
        count: Any = z.IntVal(0)
        acc: Any = enc.const(node.zero)
        going = z.BoolVal(True)  # 任一/全部: no earlier item decided
        result = z.BoolVal(func == "all")
        for i, s in enumerate(lv.slots):
            here = z.And(going, i < lv.length)
            passes = self.at(s, node.filter, here, owner) if node.filter is not None else z.BoolVal(True)
            taken = z.And(here, passes)
            if node.value is None:
                count = count + z.If(taken, 1, 0)
                continue
            v = self.at(s, node.value, taken, owner)
            if func in ("any", "all"):
                decides = z.And(taken, v if func == "any" else z.Not(v))
                result = z.If(decides, z.BoolVal(func == "any"), result)
                going = z.And(going, z.Not(decides))
                continue
            if func in ("sum", "mean"):
                a, b = enc.pair(acc, v)
                acc = z.If(taken, a + b, a)
            else:
                a, b = enc.pair(acc, v)
                better = b > a if func == "max" else b < a
                acc = z.If(z.And(taken, z.Or(count == 0, better)), b, a)
            count = count + z.If(taken, 1, 0)
        if func in ("any", "all"):
            return result
        if func == "count":
            return count
        if func == "sum":
            return acc
        enc.event("no_items", owner, node, node.word, count == 0)
        return enc.divide(enc.real(acc), z.ToReal(count)) if func == "mean" else acc

    def abstract(self, node: ir.Aggregate, lv: ListVar, owner: str) -> Any:
        """Sound for every length (see the module's docstring)."""
        z, enc = self.z, self.enc
        func, n, test, value = node.func, lv.length, node.filter, node.value
        axioms = enc.axioms
        if test is None:
            c = n
        else:
            c = self.fresh("int")
            axioms += [c >= 0, c <= n]
            fails = self.witness(lv)
            axioms.append(z.Implies(c < n, z.Not(self.quiet(fails, test, owner, c < n))))
        if func == "count":
            if test is not None:  # one item passes when c ≥ 1
                self.report(lv, test, None, n >= 1, owner)
                axioms.append(z.Implies(c >= 1, self.quiet(self.witness(lv), test, owner, c >= 1)))
            return c
        if func in ("sum", "mean"):
            assert value is not None  # INVARIANT: only 人数 has no value
            total, mean = self.hull_sum(lv, c, test, value, n >= 1, owner, enc.const(node.zero))
            if func == "sum":
                return total
            enc.event("no_items", owner, node, node.word, c == 0)
            return mean
        assert value is not None  # INVARIANT: only 人数 has no value
        self.report(lv, test, value, n >= 1, owner)
        w = self.witness(lv)
        passes = self.quiet(w, test, owner, c >= 1) if test is not None else z.BoolVal(True)
        v = self.quiet(w, value, owner, z.And(c >= 1, passes))
        if func in ("max", "min"):
            result = self.fresh(sort_of_term(z, v))
            axioms.append(z.Implies(c >= 1, z.And(passes, result == v)))
            enc.event("no_items", owner, node, node.word, c == 0)
            return result
        decided = self.fresh("bool")
        # 任一 true: an item passes with the condition true; 全部 false: one passes with it false.
        witness_says = z.And(n >= 1, passes, v if func == "any" else z.Not(v))
        axioms += [z.Implies(decided, witness_says), z.Implies(n == 0, z.Not(decided))]
        return decided if func == "any" else z.Not(decided)


def _reads_item_ref(node: ir.Expr) -> bool:
    """Whether a formula reads a per-item definition (whose value depends on which one is being
    defined: 累计(本期，至 上月) in two definitions are two different sums)."""
    return any(isinstance(n, ir.ItemRef) for n in ir.walk(node))


def sort_of_term(z: Any, term: Any) -> str:
    return "bool" if z.is_bool(term) else "int" if z.is_int(term) else "real"

