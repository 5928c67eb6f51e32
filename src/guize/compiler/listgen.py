"""Scalar code for the list constructs (Each, Field, ItemRef, Running, Aggregate), mixed into codegen.

Each per-item body, filter, value and running sum becomes a small function `_fK(_L, _i, _o)`
(the list, the item's index, the per-item definition's values so far), defined at the top of the
generated function that uses it, so it reads that function's locals; a value it reads lazily is
declared `nonlocal`, so the lazy read is kept for the rest of the call. The loops themselves are
in guize.runtime.values (each, running, aggregate).
"""

from __future__ import annotations

import re
from typing import Any

from guize.runtime import ir

_WALRUS = re.compile(r"\(([id]_\w+) := ")  # a lazy read of an input or definition (codegen.expr)


class ListCode:
    """The list cases of CodeGenerator.expr; `expr`, `const`, `lines` and `rule_lines` are its."""

    expr: Any
    const: Any
    fresh: Any
    lines: list[str]
    rule_lines: list[int]

    def list_expr(self, node: ir.Each | ir.Field | ir.ItemRef | ir.Running | ir.Aggregate | ir.AtDate | ir.InMonth,
                  owner: str) -> str:
        match node:
            case ir.InMonth(source=source, field=field, month=month, value=value, word=word):
                name = source.name if isinstance(source, ir.Input) else "列表"
                v = self.item_function(value, owner)
                return (f"_v.in_month({self.expr(source, owner)}, {field!r}, {self.expr(month, owner)}, {v}, "
                        f"{owner!r}, {name!r}, {word!r})")
            case ir.AtDate(dated=dated, date=date, item=item):
                # The version on the item's date; e[-1] is known_on (Policy.env).
                index = (f"_v.version_at(DATED[{dated.slot}], {self.expr(date, owner)}, e[-1], {dated.what!r}, "
                         f"{item!r}, _i)")
                versions = dated.versions
                if all(isinstance(v.value, ir.Const) for v in versions):
                    return f"{self.const(tuple(v.value.value for v in versions if isinstance(v.value, ir.Const)))}[{index}]"
                if len(versions) == 1:
                    return f"({index}, {self.expr(versions[0].value, owner)})[1]"
                t = self.fresh()
                out = f"{self.expr(versions[-1].value, owner)}"
                for i in range(len(versions) - 2, -1, -1):
                    test = f"({t} := {index}) == {i}" if i == 0 else f"{t} == {i}"
                    out = f"{self.expr(versions[i].value, owner)} if {test} else {out}"
                return f"({out})"
            case ir.Each(source=source, body=body):
                return f"_v.each({self.expr(source, owner)}, {self.item_function(body, owner)})"
            case ir.Field(name=name):
                return f"_L[_i][{name!r}]"
            case ir.ItemRef(name=name):
                if name == owner:  # 累计(…，至 上月) of the definition itself: its values so far
                    return "_o[_i]"
                return f"{self.expr(ir.Ref(name), owner)}[_i]"
            case ir.Running(arg=arg, inclusive=inclusive, zero=zero):
                fn = self.item_function(arg, owner)
                return f"_v.running(_L, _i, _o, {fn}, {inclusive!r}, {self.const(zero)}, {node.id!r})"
            case ir.Aggregate(func=func, source=source, filter=test, value=value, zero=zero):
                name = source.name if isinstance(source, ir.Input) else "列表"
                t = self.item_function(test, owner) if test is not None else "None"
                v = self.item_function(value, owner) if value is not None else "None"
                return (f"_v.aggregate({func!r}, {self.expr(source, owner)}, {t}, {v}, {self.const(zero)}, "
                        f"{owner!r}, {name!r})")

    def item_function(self, node: ir.Expr, owner: str) -> str:
        """A nested function computing `node` for an item; its name."""
        nested: dict[str, list[str]] = self.__dict__.setdefault("nested", {})
        code = self.expr(node, owner)
        lazy = sorted(set(_WALRUS.findall(code)))
        body = [f"        nonlocal {', '.join(lazy)}"] if lazy else []
        body.append(f"        return {code}")
        # The same node may be written again (read lazily at two places): one function per body.
        name = f"_f{node.id}"
        while name in nested and nested[name] != body:
            name += "_"
        nested[name] = body
        return name

    def hoist(self, start: int) -> None:
        """Put the nested functions made while writing a function at its top (after `start`)."""
        nested: dict[str, list[str]] = self.__dict__.pop("nested", {})
        lines: list[str] = []
        for name, body in nested.items():
            lines += [f"    def {name}(_L, _i, _o):", *body]
        self.lines[start:start] = lines
        self.rule_lines[start:start] = [0] * len(lines)
