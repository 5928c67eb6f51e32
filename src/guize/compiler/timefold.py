"""Compile-time folding of the time wrappers (as_period / as_age / as_year_month) over constants.

A table of 期间, 年龄 or 年月 by an enumeration or by bands lowers to the wrapper called on the
table's look-up (`as_age(table[人员类别])`): the same Period/Age/YearMonth object built anew on
every evaluation. When every value the wrapper can receive is a constant (a table, bands,
dated versions, branches whose values are all constants), the generated code looks up the
wrapped constants instead: the values are built once, at import, by the same runtime function.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import attrs

from guize.compiler.inline_calls import nonzero_whole
from guize.runtime import dates, ir
from guize.runtime.values import FUNCS

# Constants of these types are written as the wrapper called on the plain value (see const_call).
TIME_TYPES: dict[type, tuple[str, str]] = {
    dates.Age: ("as_age", "int"),
    dates.Period: ("as_period", "int"),
    dates.YearMonth: ("as_year_month", "date"),
}


def fold_wrap(func: str, node: ir.Expr, folded: dict[str, Any], wrap: Any = None) -> ir.Expr | None:
    """`node` with each leaf value wrapped by `func` at compile time, or None when a leaf is not a
    constant (then the wrapper is called at run time). `folded`: constant parameters by name.
    `wrap`: another function of the plain value (compiler/ymindex.py: a year-month's index)."""
    if func not in ir.TIME_WRAPS:
        return None
    wrap = wrap or FUNCS[func]

    def leaf(n: ir.Expr) -> ir.Expr | None:
        match n:
            case ir.Const(value=value) if _plain(value):
                return attrs.evolve(n, value=wrap(value))
            case ir.Ref(name=name) if name in folded and _plain(folded[name]):
                return ir.Const(wrap(folded[name]), id=n.id, span=n.span)
            case ir.Match(cases=rows, other=other) | ir.Bands(bands=rows, other=other):
                new_rows = _rows(rows, leaf)
                new_other = _row(other, leaf) if other is not None else None
                if new_rows is None or (other is not None and new_other is None):
                    return None
                if isinstance(n, ir.Match):
                    return attrs.evolve(n, cases=new_rows, other=new_other)
                return attrs.evolve(n, bands=new_rows, other=new_other)
            case ir.Dated(versions=versions):
                new_versions = _rows(versions, leaf)
                return None if new_versions is None else attrs.evolve(n, versions=new_versions)
        return None

    return leaf(node)


def _plain(value: Any) -> bool:
    """An int (not bool) or a date: what the wrappers take; not already wrapped."""
    return value.__class__ is int or value.__class__ is datetime.date


def _rows(rows: Any, leaf: Any) -> tuple[Any, ...] | None:
    """Each row with its value wrapped by `leaf`, or None when one cannot be."""
    new = tuple(_row(r, leaf) for r in rows)
    return None if any(r is None for r in new) else new


def _row(row: Any, leaf: Any) -> Any:
    value = leaf(row.value)
    return None if value is None else attrs.evolve(row, value=value)


def const_call(value: Any) -> str | None:
    """The code building a wrapped constant (`_FUNCS['as_age'](720)`), None for any other value."""
    kind = TIME_TYPES.get(value.__class__)
    if kind is None:
        return None
    func, plain = kind
    if plain == "int":
        return f"_FUNCS[{func!r}]({int(value)!r})"
    return f"_FUNCS[{func!r}](datetime.date({value.year}, {value.month}, {value.day}))"


def fused(func: str, arg: ir.Expr, defs: dict[str, ir.Definition], specs: dict[str, dict[str, Any]]
          ) -> tuple[str, tuple[ir.Expr, ...]] | None:
    """A cheaper call for `func(arg)` with the same value, or None:

    * as_year_month(add_months(d, n)) -> year_month_add(d, n): the year-month n months after d's,
      without building the date in between;
    * a wrapper around a value it already wraps (a definition that is the same wrapper's result,
      an input of the wrapper's type, or a year-month) -> the value itself (the wrappers return such a value unchanged or equal).
    ("", (arg,)) stands for the value itself."""
    if func not in ir.TIME_WRAPS:
        return None
    if func == "as_year_month" and isinstance(arg, ir.Call) and arg.func == "add_months":
        return "year_month_add", arg.args
    if func == "as_year_month" and isinstance(arg, ir.Call) and arg.func in ("year_month", "year_month_add"):
        return "", (arg,)
    if isinstance(arg, ir.Input) and arg.name in specs and not specs[arg.name].get("given") and (
            specs[arg.name]["kind"], func) in (("duration", "as_period"), ("age", "as_age")):
        return "", (arg,)  # read as a Period/Age (not compared_only: its value is shown here)
    if isinstance(arg, ir.Ref) and arg.name in defs:
        inner = defs[arg.name].expr
        if isinstance(inner, ir.Call) and inner.func == func and defs[arg.name].round is None and not defs[arg.name].given:
            return "", (arg,)
    return None


def compared_only(defs: dict[str, ir.Definition], specs: dict[str, dict[str, Any]]) -> frozenset[str]:
    """The 期间/年龄 inputs read only to be compared (an operand of a comparison, the subject of
    bands): their value is never shown, so a whole number of months given for one need not be
    made a Period/Age (an int compares the same)."""
    timed = {name for name, spec in specs.items() if spec["kind"] in ("duration", "age") and not spec.get("given")}
    return frozenset(timed - _shown(defs, timed, ir.Input))


def compared_defs(defs: dict[str, ir.Definition], outputs: frozenset[str]) -> frozenset[str]:
    """The definitions (not outputs, not 可作输入, not rounded) that are a 期间/年龄 wrapper's result
    and are only compared (every reference an operand of a comparison or the subject of bands):
    their value is never shown, so the wrapper is left out (an int compares the same)."""
    wrapped = _wrapped(defs, outputs)
    return frozenset(wrapped - _shown(defs, wrapped, ir.Ref))


def arith_defs(defs: dict[str, ir.Definition], outputs: frozenset[str]) -> frozenset[str]:
    """The definitions (not outputs, not 可作输入, not rounded) that are a 期间/年龄 wrapper's result
    and are only operands of arithmetic or comparisons (retirement's 改革后第几个出生月 ÷ 每延迟一个月所需月数):
    a Period's +, −, ×, ÷ give what its int gives, so the wrapper is left out. Not the dividend of
    a division by anything but a table of nonzero constants: a division by zero shows the
    dividend (values.div: 5个月, not 5)."""
    wrapped = _wrapped(defs, outputs)
    return frozenset(wrapped - _shown(defs, wrapped, ir.Ref, lambda node, i: _arith_use(node, i, defs)))


def _wrapped(defs: dict[str, ir.Definition], outputs: frozenset[str]) -> set[str]:
    """The definitions (not outputs, not 可作输入, not rounded) that are a 期间/年龄 wrapper's result."""
    return {name for name, d in defs.items()
            if name not in outputs and not d.given and d.round is None
            and isinstance(d.expr, ir.Call) and d.expr.func in ("as_period", "as_age")}


def _arith_use(node: ir.Node, i: int, defs: dict[str, ir.Definition]) -> bool:
    if _compared(node, i) or isinstance(node, ir.Neg):
        return True
    if not isinstance(node, ir.Arith):
        return False
    return node.op != "/" or i == 1 or nonzero_whole(node.right, defs)


def _compared(node: ir.Node, i: int) -> bool:
    return isinstance(node, ir.Cmp) or (isinstance(node, ir.Bands) and i == 0)


def _shown(defs: dict[str, ir.Definition], names: set[str], kind: type[ir.Input] | type[ir.Ref],
           hidden: Callable[[ir.Node, int], bool] = _compared) -> set[str]:
    """Those of `names` (read as `kind` nodes) whose value some definition uses other than where
    `hidden` says the value is not seen (by default an operand of a comparison or the subject of
    bands), or is itself."""
    shown: set[str] = set()
    if not names:  # (no such input or definition: no walk over every definition)
        return shown
    for d in defs.values():
        for node in ir.walk(d.expr):
            for i, child in enumerate(ir.children(node)):
                if isinstance(child, kind) and child.name in names and not hidden(node, i):
                    shown.add(child.name)
        if isinstance(d.expr, kind):
            shown.add(d.expr.name)
    return shown
