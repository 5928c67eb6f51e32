"""Which prefetched inputs a generated function reads only under a guard, and which guard.

out_all, a with_ function and out_subset read every optional input some path may need at
their top (codegen.prefetch_lines: the value when given and plainly valid, else _U for the
path that needs it, which reports the error), before any definition is computed. Textile's
subsidies are each `若 符合享受条件 则 … 否则 0元`: a firm that does not qualify (15 % of the
records) needs none of their 27 inputs, yet paid for reading them all (out_all 8.1 µs for such
a record, 3.1 without).

A prefetch never raises and only assigns its input's local (and the temporaries _g, _c), so
where nothing reads that local it can be left out. When every statement of the function whose
code reads input X (its definition's expression, with the lazily computed definitions written
into it) is a definition `若 C 则 A 否则 B` (an If, or a Cond whose first test is C) that
reads X only in the branch taken when C is true (A for `若 C`, the rest for `若 非 C`), C being
a definition the function computes as a statement before (one every path of the statement
reads), X's prefetch is written right after C's statement, under `if d_C:` (codegen: one block
for all the inputs of one guard, in their order). An input read in a list construct, or by a
statement guarded otherwise or not at all, stays where it was. Each qualifying firm reads its
inputs once, after one more test (each read put just before its first use instead made
qualifying firms slower: 10.0 -> 10.95 µs). Values and errors are those of the reads at the
top: the same reads, done or skipped where nothing could see the difference.
"""

from __future__ import annotations

from typing import Any

from guize.compiler.inline_calls import compared
from guize.runtime import ir

_LISTS = (ir.Each, ir.Field, ir.ItemRef, ir.Running, ir.Aggregate, ir.AtDate, ir.InMonth)


def guards(gen: Any, defs: list[str], prefetched: list[str]) -> dict[str, list[str]]:
    """For the function being written (its statements `defs`, its prefetched inputs
    `prefetched`, those with lines): each guard definition C -> the inputs, in the order of
    `prefetched`, to prefetch under `if d_C:` right after C's statement."""
    if gen.shared or not prefetched:  # (a large policy: not walked; see codegen.SHARED_ABOVE)
        return {}
    statements = [d for d in defs if d not in gen.folded]
    computed = set(statements)
    poisoned: set[str] = set()  # inputs read where no guard applies
    guard_of: dict[str, str] = {}  # input -> the one guard all its reads are under
    for name in statements:
        d = gen.p.defs[name]
        strict = ir.strict_needs(gen.p.defs, [name], gen.needs_memo)
        walk = _Reads(gen, strict, poisoned)
        found = _guard(d, strict, computed)
        if found is None:
            poisoned |= walk.reads(d.expr)
            continue
        guard, taken, outside = found
        poisoned |= set().union(*(walk.reads(n) for n in outside))
        for x in set().union(*(walk.reads(n) for n in taken)):
            if guard_of.setdefault(x, guard) != guard:
                poisoned.add(x)
    out: dict[str, list[str]] = {}
    for x in prefetched:
        if x in guard_of and x not in poisoned:
            out.setdefault(guard_of[x], []).append(x)
    return out


def _guard(d: ir.Definition, strict: ir.Needs, computed: set[str]
           ) -> tuple[str, list[ir.Expr], list[ir.Expr]] | None:
    """(C, what is evaluated only when C is true, the rest) for a definition `若 C 则 …` (or
    `若 非 C 则 …`) whose C is computed before it as a statement, else None. Not 可作输入 (its
    formula is not what every path reads)."""
    if d.given:
        return None
    node = d.expr
    test: ir.Expr
    if isinstance(node, ir.If) and not compared(node):
        test, when_true, when_false = node.cond, [node.then], [node.other]
    elif isinstance(node, ir.Cond) and node.branches and not compared(node):
        first, rest = node.branches[0], node.branches[1:]
        test, when_true = first.test, [first.value]
        when_false = [n for b in rest for n in (b.test, b.value)] + [node.other.value]
    else:
        return None
    negated = isinstance(test, ir.Not)
    ref: ir.Expr = test.arg if isinstance(test, ir.Not) else test
    if not isinstance(ref, ir.Ref) or ref.name not in computed or ("ref", ref.name) not in strict:
        return None
    taken, other = (when_false, when_true) if negated else (when_true, when_false)
    return ref.name, taken, [test, *other]


class _Reads:
    """The inputs the code of an expression reads, as codegen writes it in one statement: the
    lazily computed definitions it refers to written in (not those the statement's every path
    computes first: plain locals then). Inputs read in a list construct go to `poisoned`."""

    def __init__(self, gen: Any, strict: ir.Needs, poisoned: set[str]) -> None:
        self.gen = gen
        self.strict = strict
        self.poisoned = poisoned
        self.memo: dict[tuple[str, bool], frozenset[str]] = {}

    def reads(self, node: ir.Expr) -> frozenset[str]:
        return self._walk(node, False)

    def _walk(self, node: ir.Node, in_list: bool) -> frozenset[str]:
        found: set[str] = set()
        stack: list[tuple[ir.Node, bool]] = [(node, in_list)]
        while stack:
            n, listed = stack.pop()
            if isinstance(n, ir.Input):
                found.add(n.name)
                if listed:
                    self.poisoned.add(n.name)
            elif isinstance(n, ir.Ref):
                found |= self._ref(n.name, listed)
            else:
                listed = listed or isinstance(n, _LISTS)
                stack.extend((child, listed) for child in ir.children(n))
        return frozenset(found)

    def _ref(self, name: str, listed: bool) -> frozenset[str]:
        gen = self.gen
        if name in gen.folded or ("ref", name) not in gen.lazy or ("ref", name) in self.strict \
                or name not in gen.p.defs:
            return frozenset()
        key = (name, listed)
        if key not in self.memo:
            self.memo[key] = frozenset()  # INVARIANT: the checker rejects cycles; this only ends recursion
            self.memo[key] = self._walk(gen.p.defs[name].expr, listed)
        return self.memo[key]
