"""Calls of the runtime written out in generated code (guize.compiler.codegen) where their
common case is a few operations: a call costs ~0.1-0.15 µs, often more than the work. Each
keeps the runtime's function for everything else, so values and errors stay the function's."""

from __future__ import annotations

from typing import Any

from guize.runtime import dates, ir
from guize.runtime.values import INT_LIMIT

_WHOLE_TYPES: tuple[type, ...] = (int, dates.Period, dates.Age)  # (not bool)


def simple(code: str) -> bool:
    """A local name or a constant: safe to evaluate twice (codegen's test)."""
    return code.isidentifier() or code.lstrip("-").isdigit()


def compared(node: ir.If | ir.Cond) -> bool:
    """True when exprgen writes this condition with compared_if (若 a op b 则 … 否则 …: one
    comparison), False when as a plain conditional expression (constfold and guarded_reads
    follow the same choice)."""
    if isinstance(node, ir.If):
        return isinstance(node.cond, ir.Cmp)
    return len(node.branches) == 1 and isinstance(node.branches[0].test, ir.Cmp)


def compared_if(gen: Any, left: str, op: str, right: str, a: str, b: str) -> str:
    """若 left op right 则 a 否则 b, where a branch is the same code as an operand of the
    comparison (a cap or floor written out, as 最早弹性退休年月's): that operand is kept in a
    temporary when the comparison computes it, and the branch reads the temporary. The
    comparison computes both operands first either way: the same values and errors."""
    temps = {code: gen.fresh() for code in (left, right) if code in (a, b) and not simple(code)}
    held = [f"({temps[code]} := {code})" if code in temps else code for code in (left, right)]
    return f"({temps.get(a, a)} if ({held[0]} {op} {held[1]}) else {temps.get(b, b)})"


def calendar_inline(gen: Any, func: str, args: tuple[ir.Expr, ...], owner: str, bare: bool = False) -> str | None:
    """年份/月份/日, year_month(d), d + N天 and period_between(a, b) written out (a call costs ~0.1 µs),
    or None; the function itself outside its common case.

    period_between's common case as values._period_between's: the whole months from a to b
    when the day of the month is the same (a corresponding day, either way round) or a is
    not later and its day is earlier; else the function (dates.months_between's full rule)."""
    if func in ("year", "month", "day") and len(args) == 1:  # FUNCS' lambdas: the attribute
        return f"{gen.expr(args[0], owner)}.{func}"
    if func == "year_month" and len(args) == 1 and simple(d := gen.expr(args[0], owner)):
        gen.module_line("#ym", "_YearMonth = _v.dates.YearMonth")
        return f"_YearMonth({d}.year, {d}.month, 1)"  # (a year-month: an equal one)
    if func == "add_days" and len(args) == 2 and (days := _whole_constant(args[1])) and abs(days) < 3_000_000:
        return _add_days(gen, gen.expr(args[0], owner), days)
    if func != "period_between" or len(args) != 2:
        return None
    a, b = gen.expr(args[0], owner), gen.expr(args[1], owner)
    ta = a if simple(a) else gen.fresh()
    tb = b if simple(b) else gen.fresh()
    first = f"({ta} := {a})" if ta != a else a
    second = f"({tb} := {b})" if tb != b else b
    months = f"({tb}.year - {ta}.year) * 12 + ({tb}.month - {ta}.month)"
    if not bare:
        gen.module_line("#period", "_Period = _v.dates.Period")
        months = f"_Period({months})"
    return (f"({months} if {first}.day == {second}.day or {ta} <= {tb} and {ta}.day < {tb}.day "
            f"else {gen.function_name(func)}({ta}, {tb}))")


def int_division(gen: Any, a: str, b: str, mode: str, whole_divisor: bool = False) -> str:
    """向下取整/向上取整(a ÷ b): values.div_int, its integer case written out where the operands'
    code allows (a call costs ~0.15 µs): the same tests as div_int's (whole numbers within
    INT_LIMIT, a divisor not zero; none for a constant divisor, or one `nonzero_whole` proves),
    else div_int itself."""
    call = f"_v.div_int({a}, {b}, {mode!r})"
    if mode not in ("floor", "ceil") or not (simple(a) or simple(b)):
        return call  # (both need a temporary, each evaluated before the other's test: the call)
    gen.module_line("#whole", "_WHOLE = _v.WHOLE  # the classes of whole numbers (values.div_int)")
    constant = whole_divisor or (b.lstrip("-").isdigit() and 0 < abs(int(b)) < INT_LIMIT)
    ta = a if simple(a) else gen.fresh()
    tb = b if simple(b) else gen.fresh()
    tests = [f"({ta} := {a}).__class__ in _WHOLE" if ta != a else f"{a}.__class__ in _WHOLE",
             f"-_INT_LIMIT < {ta} < _INT_LIMIT"]
    if tb != b:  # a is a local or a constant: b's code may run first
        tests.insert(0, f"({tb} := {b}).__class__ in _WHOLE")
    elif not constant:
        tests.append(f"{b}.__class__ in _WHOLE")
    if not constant:
        tests += [tb, f"-_INT_LIMIT < {tb} < _INT_LIMIT"]
    quotient = f"{ta} // {tb}" if mode == "floor" else f"-(-{ta} // {tb})"
    return f"({quotient} if {' and '.join(tests)} else _v.div_int({ta}, {tb}, {mode!r}))"


def date_lines(gen: Any, ident: str, call: str) -> list[str]:
    """A date input: a date as it is, 2024-04-26 by C's parser (values.to_date's common cases,
    without its call); anything else, or text the parser refuses, by to_date itself, which
    tries the same parser first and so gives the same date or error."""
    gen.module_line("#fromiso", "_fromiso = datetime.date.fromisoformat  # values.to_date's parser")
    text = (f"{ident}.__class__ is str and len({ident}) == 10 and {ident}[4] == '-' and {ident}[7] == '-' "
            f"and {ident}.isascii()")
    return [f"    if {text}:", "        try:", f"            {ident} = _fromiso({ident})",
            "        except ValueError:", "            pass",
            f"    if {ident}.__class__ is not _date:", f"        {ident} = {call}"]


def _add_days(gen: Any, d: str, days: int) -> str:
    """d + N天 for a constant N: the timedelta built once at import, and values._add_days (its
    calendar error) only for a date within N days of the calendar's end (or start)."""
    step, edge = (f"_DAYS{days}", f"_LAST{days}") if days > 0 else (f"_DAYS_{-days}", f"_FIRST{-days}")
    gen.module_line(f"#days{days}", f"{step} = datetime.timedelta(days={days})")
    gen.module_line(f"#edge{days}", f"{edge} = datetime.date.{'max' if days > 0 else 'min'} - {step}")
    t = d if simple(d) else gen.fresh()
    held = d if t == d else f"({t} := {d})"
    return f"({t} + {step} if {held} {'<=' if days > 0 else '>='} {edge} else {gen.function_name('add_days')}({t}, {days}))"


def _whole_constant(node: ir.Expr) -> int | None:
    """The value of a whole-number constant (N, or -N as written for d - N天), else None."""
    if isinstance(node, ir.Neg):
        inner = _whole_constant(node.arg)
        return None if inner is None else -inner
    return node.value if isinstance(node, ir.Const) and type(node.value) is int else None


def nonzero_whole(node: ir.Expr, defs: dict[str, ir.Definition]) -> bool:
    """The divisor is always a whole number, not zero, within INT_LIMIT: a definition (not
    可作输入) that is a table of such constants by an enumeration (with its 期间/年龄 wrapper: an
    int subclass of the same value), as retirement's 每延迟一个月所需月数."""
    if not isinstance(node, ir.Ref) or node.name not in defs or defs[node.name].given:
        return False
    d = defs[node.name]
    table = ir.unwrap_time(d.expr)
    if d.round is not None or not isinstance(table, ir.Match):
        return False
    values = [c.value for c in table.cases] + ([table.other.value] if table.other is not None else [])
    return all(isinstance(v, ir.Const) and type(v.value) in _WHOLE_TYPES and 0 < abs(v.value) < INT_LIMIT  # type: ignore[arg-type,operator]
               for v in values)
