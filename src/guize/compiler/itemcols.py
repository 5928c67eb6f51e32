"""Which list inputs a generated function reads as per-field columns, found on the IR (scalar path).

The items reader (compiler/itemreads.py) checks every field of every item and builds a dict an
item, which the loops then read as `_L[_i]['月收入']`. Where a function (out_all, a with_
function, out_subset) reads a list input before anything else, and reads it only as the
source of 人数, 合计 and per-item loops (ir.Each, ir.Aggregate of sum or count; no runtime
helper, item function of values.aggregate or in_month given the list), the same checks run but
the reader keeps the fields those loops read, each in a list of its own (`plan`, in the
order of the list's fields): a loop reads `_L[<column>][_i]`, 人数 is `len(i_各项[0])`, 合计 of
a field over every item `sum(i_各项[<column>], zero)` (listgen). Every field of every item is
still read and checked, and anything irregular still sends the whole list to
values.to_records, whose result (its fields taken as columns) or error is the dict reader's:
values and errors do not change.

In out_subset a list is left to the dicts where a statement may read it lazily (`_read`, the
dicts), and fields only functions made under subset flags read are read only when one of
those flags is set (listgen.flagged_columns, once the flags of the nested functions are known).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from guize.runtime import ir
from guize.runtime.deps import dependencies


def plan(defs: dict[str, ir.Definition], written: Iterable[str], lists: dict[str, list[str]],
         lazy: Callable[[str], bool] | None = None) -> dict[str, tuple[str, ...]]:
    """The layout of each of `lists` (list inputs read up front, with an inline reader: their
    fields in declaration order) that the definitions `written` read only as a loop's or a
    count's source: the fields those loops read, in declaration order. `lazy(list)`
    (out_subset): whether a statement may read it lazily; such a list keeps the dicts."""
    if not lists:
        return {}
    bad: set[str] = set()
    read: dict[str, set[str]] = {name: set() for name in lists}
    for name in written:
        _scan(defs[name].expr, read, bad)
    if lazy is not None:
        bad.update(x for x in lists if x not in bad and lazy(x))
    return {x: tuple(f for f in fields if f in read[x]) for x, fields in lists.items() if x not in bad}


def _scan(expr: ir.Expr, read: dict[str, set[str]], bad: set[str]) -> None:
    """Note in `read` the fields the loops over each list of `read` read (a Field is of the
    innermost loop's list), and in `bad` each such list read other than as a loop's or count's source."""
    candidates = read.keys()
    stack: list[tuple[ir.Node, str | None]] = [(expr, None)]  # (node, the list its items are of)
    while stack:
        node, item = stack.pop()
        match node:
            case ir.Input(name=name) if name in candidates:
                bad.add(name)  # (a loop's or count's source is not scanned as a node)
            case ir.Field(name=name) if item is not None:
                read[item].add(name)
            case ir.Each(source=ir.Input(name=x), body=body) if x in candidates:
                stack.append((body, x))
            case ir.Aggregate(func="sum" | "count", source=ir.Input(name=x), filter=test, value=value) \
                    if x in candidates:
                stack += [(n, x) for n in (test, value) if n is not None]
            case ir.Each(source=source) | ir.Aggregate(source=source) | ir.InMonth(source=source):
                # Items of another list (or given to a runtime helper): dicts; the source itself
                # is read where the node is.
                stack.append((source, item))
                stack += [(n, None) for n in ir.children(node) if n is not source]
            case _:
                stack += [(n, item) for n in ir.children(node)]


def lazily_read(defs: dict[str, ir.Definition], statements: list[str], strict: Callable[[str], Any]
                ) -> Callable[[str], bool]:
    """For out_subset: whether one of the statements (definitions written under flags) may read
    list input `x` where the path reaches it (codegen writes `_read`, the dicts): one that
    reaches a reader of `x` without `x` among what it needs on every path (codegen.def_lines
    writes the inputs it needs on every path as plain locals)."""
    def lazy(x: str) -> bool:
        readers = {n for n, d in defs.items() if x in d.inputs}
        return any(("input", x) not in strict(name) and readers.intersection(dependencies(defs, [name]))
                   for name in statements)
    return lazy


class Columns:
    """The column reading of the function being written: its lists' layouts, the fields read
    where the function reads them (statements, module-level loops) or in each nested function."""

    def __init__(self, layouts: dict[str, tuple[str, ...]]) -> None:
        self.layouts = layouts
        self.reads: list[set[tuple[str, str]]] = [set()]  # (list, field) read, by the function being written
        self.nested: dict[str, set[tuple[str, str]]] = {}  # nested function -> what it reads itself
        self.statements: dict[str, str] = {}  # list -> the reader the function reads it with up front
        self.flags: dict[str, str] = {}  # (out_subset) list -> the flag it is read under
        self.outputs: dict[tuple[int, ...], str] = {}  # (out_subset) the outputs setting a flag -> the flag

    def column(self, listed: str, field: str) -> int:
        """The column of `field` in `listed`'s layout, noted as read where it is written."""
        self.reads[-1].add((listed, field))
        return self.layouts[listed].index(field)

    def placed(self, name: str, nested: bool, reads: set[tuple[str, str]]) -> None:
        """A list function `name` written: what it reads belongs to it when it is nested, to the
        code that calls it when it is at module level (made at import, run where it is called)."""
        if nested:
            self.nested.setdefault(name, set()).update(reads)
        else:
            self.reads[-1].update(reads)

    def always_one(self, listed: str, flags: list[str]) -> bool:
        """Whether one of `flags` is set whenever `listed` is read (out_subset: every output that
        sets its flag sets one of them too)."""
        outputs = {flag: set(group) for group, flag in self.outputs.items()}
        given = outputs.get(self.flags.get(listed, ""))
        return given is not None and given <= set().union(*(outputs.get(f, set()) for f in flags))

    def guards(self, flags: dict[str, set[str] | None]) -> dict[str, dict[str, set[str]]]:
        """For each list, its fields read only by nested functions made under subset flags, and
        those flags (listgen._flags_using: None, made always)."""
        always = set(self.reads[0])
        flagged: dict[tuple[str, str], set[str]] = {}
        for name, reads in self.nested.items():
            using = flags.get(name)
            if using is None:
                always |= reads
            else:
                for read in reads:
                    flagged.setdefault(read, set()).update(using)
        out: dict[str, dict[str, set[str]]] = {}
        for (listed, field), using in flagged.items():
            if (listed, field) not in always:
                out.setdefault(listed, {})[field] = using
        return out
