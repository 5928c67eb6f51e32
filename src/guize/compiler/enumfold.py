"""Definitions that depend on one enumeration only, folded into a table at compile time.

Retirement's 最多延迟月数 = (目标年龄 − 原法定退休年龄) 每满 1个月: both are tables by 人员类别,
so the definition has one value per 类别, yet the generated code looked up both tables, subtracted
and divided (with div_int's tests) on every evaluation (~0.1 µs). A definition whose value is
made of constants, tables by one enumeration input (and definitions of the same kind) by
arithmetic, rounding, 最高/最低 and the time wrappers is written as a table by that input
(`tables`), each member's value computed now by the reference interpreter, the same values
every engine checks against. Whole numbers and times only (no Decimal: their arithmetic would
depend on the caller's decimal context, which an evaluation checks only in part), a division
only under 向下取整/向上取整 (values.div_int: exact in integers). A member for which the interpreter raises (a table without a row
for it, a division by zero) leaves the definition as it was: its error stays an evaluation's.
Reading the table reads the input, as the tables it replaces did; the tables it was made of
are no longer computed for it (`with_tables`)."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

import attrs

from guize.runtime import dates, ir
from guize.runtime.interp import Interpreter
from guize.runtime.values import CONTEXT

# The nodes such a definition may be made of (besides the tables and constants themselves).
_OPS = (ir.Arith, ir.Neg, ir.Round, ir.Min, ir.Max)
_PLAIN = (int, dates.Period, dates.Age, dates.YearMonth, datetime.date)


def tables(defs: dict[str, ir.Definition], specs: dict[str, dict[str, Any]], folded: dict[str, Any]
           ) -> dict[str, ir.Match]:
    """Each foldable definition (not 可作输入, not already a table) as a table by its input."""
    subject: dict[str, str | None] = {}  # definition -> the one enumeration it depends on (None: not such)

    def depends(name: str) -> str | None:
        if name not in subject:
            subject[name] = None  # (a cycle cannot arise: the checker rejects one)
            d = defs[name]
            if not d.given:
                subject[name] = _reads(d.expr, depends, folded, specs)
        return subject[name]

    out: dict[str, ir.Match] = {}
    for name, d in defs.items():
        if d.given or d.round is not None or name in folded or isinstance(ir.unwrap_time(d.expr), ir.Match):
            continue
        enum = depends(name)
        if enum is None:
            continue
        values = []
        for member in specs[enum]["members"]:
            try:  # the date plays no part: no dated value, no 评估日期 (see _reads)
                with decimal.localcontext(CONTEXT):  # (whole numbers only: exact in any context)
                    value = Interpreter(defs, specs, {enum: member}, datetime.date(2000, 1, 1)).get(name)
            except Exception:  # any error stays the evaluation's: not folded
                break
            if value.__class__ not in _PLAIN:
                break
            values.append(ir.Case(members=(member,), value=ir.Const(value), label=member, cite=()))
        else:
            out[name] = ir.Match(subject=ir.Input(enum), cases=tuple(values), other=None)
    return out


def _reads(expr: ir.Expr, depends: Any, folded: dict[str, Any], specs: dict[str, dict[str, Any]]) -> str | None:
    """The one enumeration input `expr` depends on, when it is made of constants, tables by that
    input, definitions of the same kind and the operations above; else None."""
    enums: set[str] = set()
    for node in ir.walk(expr):
        match node:
            case ir.Const(value=value) if value.__class__ in _PLAIN:
                continue
            case ir.Case() | ir.Other():
                continue
            case ir.Arith(op="/") if not _under_round(node, expr):
                return None
            case ir.Match(subject=ir.Input(name=name)) if specs[name]["kind"] == "enum" and not specs[name].get("given"):
                enums.add(name)
                continue
            case ir.Input(name=name) if name in enums:  # a table's subject (the Match came first)
                continue
            case ir.Ref(name=name):
                if name in folded and folded[name].__class__ in _PLAIN:
                    continue
                inner = depends(name)
                if inner is None:
                    return None
                enums.add(inner)
                continue
            case ir.Call(func=func) if func in ir.TIME_WRAPS:
                continue
            case _ if isinstance(node, _OPS):
                continue
        return None
    if len(enums) != 1:
        return None
    return enums.pop()


def _under_round(division: ir.Arith, expr: ir.Expr) -> bool:
    """The division is the argument of a rounding to a whole number (向下取整 …, 每满)."""
    return any(isinstance(n, ir.Round) and n.as_int and n.arg is division for n in ir.walk(expr))


def with_tables(policy: Any, tables: dict[str, ir.Match]) -> Any:
    """`policy` (a CheckedPolicy) with each folded definition's expression its table, reading
    only the table's input: the generated code looks the table up and no longer computes the
    tables it was made of where nothing else needs them (their look-ups cannot fail: every
    member was computed). The module's DEFS keep the definitions as written (the interpreter
    and explanations read those)."""
    if not tables:
        return policy
    defs = dict(policy.defs)
    for name, table in tables.items():
        assert isinstance(table.subject, ir.Input)  # INVARIANT: tables() makes tables by an input
        defs[name] = attrs.evolve(defs[name], expr=table, deps=(), inputs=(table.subject.name,))
    return attrs.evolve(policy, defs=defs)
