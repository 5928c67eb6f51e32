"""Year-months held as month indices (year × 12 + month − 1) inside a generated function.

A 年月 definition is a YearMonth (a datetime.date subclass) in the generated code: building one
costs ~0.16 µs, and each use reads its .year and .month again (retirement's 出生年月 on every
evaluation, then 出生年月 − 延迟起始出生年月 through the dates' attributes and 出生年月 +
改革后法定退休年龄 through a call). A definition that no caller sees (not an output, not 可作输入,
not rounded) and whose every use only needs its month count is held as the plain int
year × 12 + month − 1 instead (`indexed`): a table of year-months becomes a table of indices
(built at compile time), 年月(d) is `d.year * 12 + d.month - 1`, and its uses are written on
the index (`call`):

* a − b (period_between) of two such year-months: the difference of the indices (both are a
  month's first day, so the whole months between them are exactly that);
* a + n (add_months; year_month_add when the result is a year-month): the date or year-month
  of index a + n, built in place while it is within the calendar (years 1 to 9999: indices 12
  to 119,999); outside it, the runtime's function on the YearMonth of a, which raises its
  error (the same text: the same YearMonth and months);
* 年份(a), 月份(a): a // 12 and a % 12 + 1.

Any other use (an output, a comparison, an argument of another function, an explanation) keeps
the definition a YearMonth, as before. A year-month computed as such an index + n (retirement's
退休年月, an output) is built as a YearMonth as before, and its index is kept beside it
(`shadowed`: the temporary of its sum, d_NAME_月序号), which the uses above read instead of the
object's attributes wherever the definition is computed on every path (not lazily). Values and errors are the same (tests/test_ymindex.py
compares every engine)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from guize.compiler import timefold
from guize.compiler.inline_calls import compared_if, simple
from guize.runtime import ir

# The month indices of the calendar's years 1 to 9999 (datetime.date's): [FIRST, END).
FIRST, END = 1 * 12, 10_000 * 12


def month_index(d: datetime.date) -> int:
    return d.year * 12 + d.month - 1


def indexed(defs: dict[str, ir.Definition], outputs: frozenset[str], folded: dict[str, Any]) -> frozenset[str]:
    """The 年月 definitions held as month indices: not seen by a caller, computed by 年月(d) or a
    table of year-month constants, and every reference one of the uses `call` writes."""
    names = {name for name, d in defs.items()
             if d.value_kind == "year_month" and name not in outputs and name not in folded
             and not d.given and d.round is None and _source(d.expr, folded) is not None}
    while names:  # a − b needs both held as indices: drop until every use is one `call` writes
        dropped = {name for d in defs.values() for name in _other_uses(d.expr, names)}
        if not dropped:
            break
        names -= dropped
    return frozenset(names)


def shadowed(defs: dict[str, ir.Definition], held: frozenset[str]) -> frozenset[str]:
    """The year-month definitions (outputs too) computed as an indexed year-month + n: their
    index is kept beside the YearMonth (see the module's docstring)."""
    return frozenset(name for name, d in defs.items()
                     if d.value_kind == "year_month" and not d.given and d.round is None and name not in held
                     and isinstance(d.expr, ir.Call) and d.expr.func == "as_year_month"
                     and isinstance(added := d.expr.args[0], ir.Call) and added.func == "add_months"
                     and isinstance(added.args[0], ir.Ref) and added.args[0].name in held)


def _source(expr: ir.Expr, folded: dict[str, Any]) -> ir.Expr | str | None:
    """The index's source: a node of int constants (a table of year-months, indices computed
    now), or the code-less marker "year_month" with the date expression; None otherwise."""
    inner = expr.args[0] if isinstance(expr, ir.Call) and expr.func == "as_year_month" else expr
    if isinstance(inner, ir.Call) and inner.func == "year_month" and len(inner.args) == 1:
        return "year_month"
    if inner is expr:
        return None
    return timefold.fold_wrap("as_year_month", inner, folded, month_index)


def _other_uses(expr: ir.Expr, names: set[str]) -> set[str]:
    """Those of `names` that `expr` reads other than as `call` writes on an index."""
    found: set[str] = set()
    if isinstance(expr, ir.Ref) and expr.name in names:
        found.add(expr.name)  # a definition that is the year-month itself
    for node in ir.walk(expr):
        for i, child in enumerate(ir.children(node)):
            if isinstance(child, ir.Ref) and child.name in names and not _index_use(node, i, names):
                found.add(child.name)
    return found


def _index_use(node: ir.Node, i: int, names: set[str]) -> bool:
    if not isinstance(node, ir.Call):
        return False
    if node.func == "period_between":
        return all(isinstance(a, ir.Ref) and a.name in names for a in node.args)
    return (node.func in ("add_months", "year_month_add") and i == 0) or node.func in ("year", "month")


def index_code(gen: Any, expr: ir.Expr, owner: str) -> str:
    """The code of an indexed definition's value: its month index."""
    source = _source(expr, gen.folded)
    if isinstance(source, str):
        inner = expr.args[0] if isinstance(expr, ir.Call) and expr.func == "as_year_month" else expr
        assert isinstance(inner, ir.Call)  # INVARIANT: _source found year_month(d)
        d = gen.expr(inner.args[0], owner)
        if simple(d):
            return f"{d}.year * 12 + {d}.month - 1"
        t = gen.fresh()
        return f"({t} := {d}).year * 12 + {t}.month - 1"
    assert source is not None  # INVARIANT: indexed() took only definitions with a source
    code: str = gen.expr(source, owner)
    return code


def call(gen: Any, func: str, args: tuple[ir.Expr, ...], owner: str, bare: bool = False) -> str | None:
    """`func(args)` written on a month index (see the module's docstring), or None when its
    year-month argument is not an indexed definition."""
    held = gen.ym_indexed
    if func == "as_year_month" and len(args) == 1 and not isinstance(args[0], ir.Ref) and (
            index := index_of(gen, args[0], owner)) is not None:  # 若 a + n < b + m 则 … 否则 … on indices
        t = gen.fresh()
        gen.module_line("#ym", "_YearMonth = _v.dates.YearMonth")
        return f"_YearMonth(({t} := {index}) // 12, {t} % 12 + 1, 1)"
    if not args or not isinstance(args[0], ir.Ref):
        return None
    if args[0].name in held:
        a = gen.expr(args[0], owner)
    elif args[0].name in _shadowed(gen) and ("ref", args[0].name) not in gen.lazy and args[0].name != owner:
        a = shadow(gen, args[0].name)  # (computed before, on every path: its index is set)
    else:
        return None
    if func == "year":
        return f"({a} // 12)"
    if func == "month":
        return f"({a} % 12 + 1)"
    if func == "period_between" and isinstance(b_node := args[1], ir.Ref) and b_node.name in held:
        b = gen.expr(b_node, owner)
        months = f"{b} - {a}" if simple(a) or simple(b) else f"-{a} + {b}"  # (a, then b, as the call)
        if bare:
            return f"({months})"
        gen.module_line("#period", "_Period = _v.dates.Period")
        return f"_Period({months})"
    if func not in ("add_months", "year_month_add") or len(args) != 2:
        return None
    n = gen.expr(args[1], owner)
    t = shadow(gen, owner) if owner in _shadowed(gen) and func == "year_month_add" else ""
    made: dict[tuple[str, str, str, str], Any] = gen.__dict__.setdefault("ym_made", {})
    if (func, a, n, t) not in made:  # the same code for the same sum: compared_if keeps it once
        made[func, a, n, t] = _noted(gen, lambda: _add(gen, func, a, n, t))
    return _again(gen, made[func, a, n, t])


def index_of(gen: Any, node: ir.Expr, owner: str) -> str | None:
    """The code of a year-month expression's month index, or None: an indexed definition (or a
    shadowed one, computed on every path), d + n of one (the index, or the runtime's function
    on its YearMonth beyond the calendar, which raises: add_months' error), and 若 … 则 … 否则 …
    comparing such values (first days of months compare as their indices) and choosing one.
    The same operations in the same order as on the dates: the same values and errors."""
    match node:
        case ir.Ref(name=name) if name in gen.ym_indexed:
            code: str = gen.expr(node, owner)
            return code
        case ir.Ref(name=name) if name in _shadowed(gen) and ("ref", name) not in gen.lazy and name != owner:
            return shadow(gen, name)
        case ir.Call(func="add_months", args=(x, n)):
            a = index_of(gen, x, owner)
            if a is None:
                return None
            months = gen.expr(n, owner)
            made: dict[tuple[str, str, str, str], Any] = gen.__dict__.setdefault("ym_made", {})
            if ("index", a, months, "") not in made:  # one code for one sum: compared_if keeps it once
                index = a
                made["index", a, months, ""] = _noted(gen, lambda: _add(gen, "add_months", index, months, index=True))
            return _again(gen, made["index", a, months, ""])
        case ir.Cond(branches=(ir.Branch(test=ir.Cmp(op=op, left=left, right=right), value=then),), other=other):
            parts = [index_of(gen, n, owner) for n in (left, right, then, other.value)]
            if any(p is None for p in parts):
                return None
            lcode, rcode, a, b = parts
            return compared_if(gen, str(lcode), op, str(rcode), str(a), str(b))
    return None


def _shadowed(gen: Any) -> frozenset[str]:
    """`shadowed` for the policy `gen` writes, found once."""
    if "ym_shadowed" not in gen.__dict__:
        gen.__dict__["ym_shadowed"] = shadowed(gen.p.defs, gen.ym_indexed)
    found: frozenset[str] = gen.__dict__["ym_shadowed"]
    return found


def _noted(gen: Any, make: Callable[[], str]) -> Any:
    """make()'s code with the names it noted (compiler/stmtnames), to note again where it is reused."""
    saved = gen.apart()
    code = make()
    note = gen.taken()
    gen.back(saved)
    return code, note


def _again(gen: Any, made: Any) -> str:
    code, (bound, read) = made
    gen.bound |= bound
    gen.read |= read
    return str(code)


def shadow(gen: Any, name: str) -> str:
    """The local holding a shadowed year-month's index."""
    ident: str = gen.names.get("d", f"{name}_月序号")
    gen.read.add(ident)  # (the names each statement reads: compiler/stmtnames)
    return ident


def _add(gen: Any, func: str, a: str, n: str, t: str = "", index: bool = False) -> str:
    """a + n months on the index a: the date (add_months) or year-month (year_month_add) built in
    place within the calendar, the runtime's function (its error) beyond; `index`: the index
    itself within the calendar."""
    gen.module_line("#ym", "_YearMonth = _v.dates.YearMonth")
    gen.module_line("#ymof", "_ym_of = _v.dates.of_month_index  # a month index's YearMonth")
    ta = a if simple(a) else gen.fresh()
    first = a if ta == a else f"({ta} := {a})"
    tn = n if simple(n) or simple(n.strip("()")) else gen.fresh()  # (a constant -36 is written (-36))
    second = n if tn == n else f"({tn} := {n})"
    t = t or gen.fresh()
    gen.bind(t)  # (a shadowed year-month's index is bound here: compiler/stmtnames)
    made = "_YearMonth" if func == "year_month_add" else "_date"
    value = t if index else f"{made}({t} // 12, {t} % 12 + 1, 1)"
    return (f"({value} if {FIRST} <= ({t} := {first} + {second}) < {END} "
            f"else {gen.function_name(func)}(_ym_of({ta}), {tn}))")
