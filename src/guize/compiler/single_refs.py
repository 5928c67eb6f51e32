"""Definitions read in one place only (guize.compiler.codegen).

A definition computed lazily (where a path first reaches it) is written at each reference as a
memo: `(d if d is not _U else (d := …))`, with `d = _U` at the top of the function. When the
policy refers to it once, from outside any list construct, and it is not an output (whose local
is returned) nor 可作输入, that one reference is the only place its value is read: codegen's
out_all and with_ functions write its expression there without the memo (the test, the store
and the `_U` mark cost ~0.02 µs each; annual leave's three such definitions ~5 % of a call).
It is evaluated when, and as often as, that place is (at most once: the place is a statement
or inside another memo), so the values and errors are the same."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from guize.runtime import ir

_LISTS = (ir.Each, ir.Aggregate, ir.Running, ir.InMonth, ir.AtDate, ir.Field, ir.ItemRef)


def single_refs(defs: Mapping[str, ir.Definition], outputs: Iterable[str]) -> frozenset[str]:
    """The definitions referred to exactly once, outside list constructs, that are neither
    outputs nor 可作输入 and hold no list construct themselves."""
    counts: Counter[str] = Counter()
    excluded = set(outputs)
    for name, d in defs.items():
        if d.given:
            excluded.add(name)
        stack: list[tuple[ir.Node, bool]] = [(d.expr, False)]
        while stack:
            node, in_list = stack.pop()
            if isinstance(node, ir.Ref):
                counts[node.name] += 1
                if in_list:
                    excluded.add(node.name)
            elif isinstance(node, _LISTS):
                in_list = True
                excluded.add(name)
            stack.extend((child, in_list) for child in ir.children(node))
    return frozenset(n for n, c in counts.items() if c == 1 and n not in excluded and n in defs)


def computed_once(gen: Any, every_def: list[str]) -> frozenset[str]:
    """The definitions the function being written computes lazily and reads in one place
    (`single_refs`, found once per policy): codegen writes them without the memo."""
    single = gen.__dict__.get("single_refs")
    if single is None:
        single = gen.__dict__["single_refs"] = single_refs(gen.p.defs, gen.p.outputs)
    return frozenset(n for n in every_def if n in single and ("ref", n) in gen.lazy)


def marked(lazy: set[tuple[str, str]], prefetched: Mapping[str, list[str]], once: frozenset[str]
           ) -> list[tuple[str, str]]:
    """What the top of out_all or a with_ function marks as not yet computed (`_U`), in order:
    each input and definition computed lazily, but an input prefetched (it is assigned there,
    its value or _U) and a definition computed in place (`once`: it has no local)."""
    return sorted((item for item in lazy if not (item[0] == "input" and prefetched.get(item[1]))
                   and not (item[0] == "ref" and item[1] in once)), key=lambda item: (item[0] != "input", item[1]))
