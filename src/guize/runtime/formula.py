"""Formulas as a drafter reads them: an expression of the typed IR as text, by names (as written)
or with the values of one evaluation substituted, units included (35元/平方米 × 60平方米 = 2100元).

`render_ir` is the one IR-to-text renderer (explanations and guize diff use it); `Worksheet` turns
a traced evaluation of one definition into the lines of a caseworker's worksheet.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, assert_never

from guize.runtime import display, ir
from guize.runtime import values as V
from guize.runtime.deps import end_as_known

_FUNC_NAMES = {"year": "年份", "month": "月份", "day": "日", "months_between": "相差月数",
               "days_between": "相差天数", "years_between": "相差年数", "add_months": "加月",
               "add_years": "加年", "add_days": "加天", "abs": "绝对值", "full_years": "周岁",
               "year_month": "年月"}
_OPS = {"+": "+", "-": "-", "*": "×", "/": "÷"}
_CMP = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}
_SCALE_WORDS = {"amount": "累进计算", "rate": "适用税率", "deduction": "速算扣除数"}
ROUND_WORDS = {"half_up": "四舍五入", "floor": "向下取整", "ceil": "向上取整", "down": "截尾"}


def _additive(node: ir.Expr) -> bool:
    return isinstance(node, ir.Arith) and node.op in "+-"


def _aggregate_text(node: ir.Aggregate, text: Callable[[ir.Expr], str]) -> str:
    """合计(成员 中 年龄 ≥ 18岁 的 月收入); 任一/全部 of a condition on each item as 任一(成员 中 …)."""
    inner = text(node.source)
    if node.filter is not None:
        inner += f" 中 {text(node.filter)}"
    if node.value is not None:
        test_only = node.filter is None and node.func in ("any", "all")
        inner += f" {'中' if test_only else '的'} {text(node.value)}"
    return f"{node.word}({inner})"


def render_ir(node: ir.Expr) -> str:
    """Readable text for an expression of the checked tree (for showing what changed)."""
    match node:
        case ir.Const(value=value):
            return display.number(value) if isinstance(value, (int, Decimal)) and type(value) is not bool \
                else V.fmt(value)
        case ir.Input(name=name) | ir.Ref(name=name):
            return name
        case ir.AsOf():
            return "评估日期"
        case ir.Arith(op=op, left=left, right=right):
            a, b = render_ir(left), render_ir(right)
            if op in "*/":
                a = f"({a})" if _additive(left) else a
                b = f"({b})" if isinstance(right, ir.Arith) else b
            elif op == "-" and _additive(right):
                b = f"({b})"
            return f"{a} {_OPS[op]} {b}"
        case ir.Neg(arg=arg):
            return f"-{render_ir(arg)}"
        case ir.Cmp(op=op, left=left, right=right):
            return f"{render_ir(left)} {_CMP[op]} {render_ir(right)}"
        case ir.And(left=left, right=right):
            return f"{render_ir(left)} 且 {render_ir(right)}"
        case ir.Or(left=left, right=right):
            return f"{render_ir(left)} 或 {render_ir(right)}"
        case ir.Not(arg=arg):
            return f"非 {render_ir(arg)}"
        case ir.If(cond=cond, then=then, other=other):
            return f"若 {render_ir(cond)} 则 {render_ir(then)} 否则 {render_ir(other)}"
        case ir.Min(args=args) | ir.Max(args=args):
            word = "取较小值" if isinstance(node, ir.Min) else "取较大值"
            return f"{word}({', '.join(render_ir(a) for a in args)})"
        case ir.Round(mode=mode, arg=arg):
            return f"{ROUND_WORDS.get(mode, mode)}({render_ir(arg)})"
        case ir.Call(func=func, args=args):
            if func in ir.TIME_WRAPS:  # a time value's display wrapper: show what it wraps
                return render_ir(args[0])
            if func == "period_between":  # written 乙 - 甲 (date − date)
                return f"{render_ir(args[1])} - {render_ir(args[0])}"
            return f"{_FUNC_NAMES.get(func, func)}({', '.join(render_ir(a) for a in args)})"
        case ir.Cond(branches=branches, other=other_row):
            parts = [f"{b.label} 则 {render_ir(b.value)}" for b in branches]
            parts.append(f"否则 {render_ir(other_row.value)}")
            return "；".join(parts)
        case ir.Match(subject=subject, cases=cases):
            return f"按 {render_ir(subject)}（{len(cases)} 行）"
        case ir.Bands(subject=subject, bands=bands):
            return f"按 {render_ir(subject)} 分段（{len(bands)} 段）"
        case ir.Dated(versions=versions):
            return f"按日期（{len(versions)} 个版本）"
        case ir.Scale(kind=kind, brackets=brackets):
            return f"{'超额累进' if kind == 'excess' else '全额累进'}（{len(brackets)} 档）"
        case ir.Progressive(func=func, scale=scale, base=base):
            return f"{_SCALE_WORDS[func]}({render_ir(scale)}, {render_ir(base)})"
        case ir.Each(source=source, body=body):
            return f"逐项（{render_ir(source)}）：{render_ir(body)}"
        case ir.Field(name=name) | ir.ItemRef(name=name):
            return name
        case ir.Running(arg=arg, inclusive=inclusive):
            return f"累计({render_ir(arg)}{'' if inclusive else '，至 上月'})"
        case ir.Aggregate():
            return _aggregate_text(node, render_ir)
        case ir.AtDate(dated=dated, date=date):
            return f"{dated.what}（按{render_ir(date)}）"
        case ir.InMonth(word=word):
            return word
    assert_never(node)




# ---------------------------------------------------------------- worksheets


def _kind(type_text: str) -> str:
    if type_text in ("比率", "百分点"):
        return "rate" if type_text == "比率" else "points"
    if type_text.startswith(("年龄", "期间", "年月")):  # a constant 720 of 年龄 is 60岁
        return {"年龄": "age", "期间": "duration", "年月": "year_month"}[type_text[:2]]
    return "money" if type_text.startswith("金额") else ""


def show(value: Any, type_text: str, exact: bool = False) -> str:
    """A value with the unit of its type's display text: 800元, 75%, 5个百分点, 1次, 是."""
    if isinstance(value, tuple):  # a per-item definition: each item's value (by key: runtime/keyed.py)
        if hasattr(value, "keys"):
            return "、".join(f"{display.value(k)}：{show(v, type_text, exact)}"
                            for k, v in zip(value.keys, value, strict=True)) or "（无）"
        return "、".join(show(v, type_text, exact) for v in value) or "（无）"
    if isinstance(value, dict):  # an item of a list input
        return display.value(value)
    if not isinstance(value, (Decimal, int, str, datetime.date)):
        return str(value)  # a progressive scale: it describes itself
    if type_text:
        return display.typed(value, _kind(type_text), display.unit_in(type_text), exact)
    if isinstance(value, (int, Decimal)) and type(value) is not bool:
        return display.number(value)
    return display.value(value)


class Worksheet:
    """The lines of a worksheet for definitions evaluated with tracing: which branch, row or
    version applied and why, each formula as written and with its values, each cap or floor.

    `values` maps node ids to the values they had; `taken` maps block node ids to the row taken
    (-1 for 否则/其他; for 若 … 则 … 否则 inline, 0 or 1); `input_type` and `def_type` give a
    name's type display text (金额（元）, 比率 …)."""

    def __init__(self, values: Mapping[int, Any], taken: Mapping[int, int], input_type: Callable[[str], str],
                 def_type: Callable[[str], str], known_on: datetime.date | None = None,
                 field_types: Callable[[str], Mapping[str, str]] | None = None) -> None:
        self.values = values
        self.field_types = field_types  # a list input's record fields: name -> type display text
        self._fields: Mapping[str, str] = {}  # those of the list whose items are being written
        self.known_on = known_on  # the rules as published by that date: a version's dates as then known
        self.taken = taken
        self.input_type = input_type
        self.def_type = def_type

    # ------------------------------------------------------------ types

    def type_of(self, node: ir.Expr) -> str:
        """The type display text of a node's value, where it can be told ('' if not)."""
        match node:
            case ir.Input(name=name):
                return self.input_type(name)
            case ir.Ref(name=name):
                return self.def_type(name)
            case ir.Field(name=name):
                return self._fields.get(name, "")
            case ir.Arith(op=op, left=left, right=right):
                a, b = self.type_of(left), self.type_of(right)
                if op in "+-":
                    return a or b
                if op == "*":
                    if a.startswith("金额") and _kind(b) in ("rate", "") and not display.unit_in(b):
                        return a
                    if b.startswith("金额") and _kind(a) in ("rate", "") and not display.unit_in(a):
                        return b
                return ""
            case ir.Min(args=args) | ir.Max(args=args):
                return next((t for t in map(self.type_of, args) if t), "")
            case ir.If(then=then, other=other):
                return self.type_of(then) or self.type_of(other)
            case ir.Neg(arg=arg) | ir.Round(arg=arg):
                return self.type_of(arg)
        return ""

    # ------------------------------------------------------------ text

    def written(self, node: ir.Expr, ctx: str = "") -> str:
        """The formula as written: names, and constants with the unit the context gives them."""
        return self._text(node, ctx, False)

    def substituted(self, node: ir.Expr, ctx: str = "") -> str:
        """The formula with each name replaced by its value (and each inline choice by the side taken)."""
        return self._text(node, ctx, True)

    def _text(self, node: ir.Expr, ctx: str, subst: bool) -> str:
        own = self.type_of(node) or ctx
        match node:
            case ir.Const(value=value):
                return show(value, ctx)
            case ir.Input(name=name) | ir.Ref(name=name):
                if subst and node.id in self.values:
                    return show(self.values[node.id], own, exact=True)
                return name
            case ir.Arith(op=op, left=left, right=right):
                # Sums and differences share their unit; a product's factors have their own.
                lctx, rctx = (own or self.type_of(right), own or self.type_of(left)) if op in "+-" else ("", "")
                a, b = self._text(left, lctx, subst), self._text(right, rctx, subst)
                if op in "*/":
                    a = f"({a})" if _additive(left) else a
                    b = f"({b})" if isinstance(right, ir.Arith) else b
                elif op == "-" and _additive(right):
                    b = f"({b})"
                return f"{a} {_OPS[op]} {b}"
            case ir.Cmp(op=op, left=left, right=right):
                a = self._text(left, self.type_of(right), subst)
                b = self._text(right, self.type_of(left), subst)
                return f"{a} {_CMP[op]} {b}"
            case ir.If(cond=cond, then=then, other=other):
                if subst and node.id in self.taken:
                    return self._text(then if self.taken[node.id] == 0 else other, own, subst)
                return f"(若 {self._text(cond, '', subst)} 则 {self._text(then, own, subst)} " \
                       f"否则 {self._text(other, own, subst)})"
            case ir.Min(args=args) | ir.Max(args=args):
                word = "取较小值" if isinstance(node, ir.Min) else "取较大值"
                return f"{word}({'，'.join(self._text(a, own, subst) for a in args)})"
            case ir.Neg(arg=arg):
                return f"-{self._text(arg, own, subst)}"
            case ir.And(left=left, right=right) | ir.Or(left=left, right=right):
                word = "且" if isinstance(node, ir.And) else "或"
                return f"{self._text(left, '', subst)} {word} {self._text(right, '', subst)}"
            case ir.Not(arg=arg):
                return f"非 {self._text(arg, '', subst)}"
            case ir.Round(mode=mode, arg=arg):
                return f"{ROUND_WORDS.get(mode, mode)}({self._text(arg, own, subst)})"
            case ir.Call(func=func, args=args):
                if func in ir.TIME_WRAPS:
                    return self._text(args[0], '', subst)
                if func == "period_between":
                    return f"{self._text(args[1], '', subst)} - {self._text(args[0], '', subst)}"
                return f"{_FUNC_NAMES.get(func, func)}({'，'.join(self._text(a, '', subst) for a in args)})"
            case ir.Progressive(func=func, scale=scale, base=base):
                return f"{_SCALE_WORDS[func]}({self._text(scale, '', False)}，{self._text(base, '', subst)})"
            case ir.Each() | ir.Field() | ir.ItemRef():
                return render_ir(node)  # a value for each item: the notes list them
            case (ir.AsOf() | ir.Cond() | ir.Match() | ir.Bands() | ir.Dated() | ir.Scale() | ir.Running()
                  | ir.Aggregate() | ir.AtDate() | ir.InMonth()):
                if subst and node.id in self.values:
                    return show(self.values[node.id], own)
                if isinstance(node, ir.Aggregate):  # its filter and value as written (60岁, not 720)
                    return self._aggregate(node)
                return render_ir(node)
        assert_never(node)

    def _aggregate(self, node: ir.Aggregate) -> str:
        saved = self._fields
        if self.field_types is not None and isinstance(node.source, ir.Input):
            self._fields = self.field_types(node.source.name)
        try:
            return _aggregate_text(node, lambda n: self._text(n, "", False))
        finally:
            self._fields = saved

    def value(self, node: ir.Expr, ctx: str = "") -> str:
        own = self.type_of(node) or ctx
        return show(self.values[node.id], own) if node.id in self.values else "（未计算）"

    # ------------------------------------------------------------ the definition

    def lines(self, d: ir.Definition) -> tuple[str, str, list[str]]:
        """For a definition: the formula on the path taken, as written; that formula
        with its values (`A × B = 600元 × 5% = 30.00元`); and the worksheet's lines in order (why
        this branch, row or version; the formula with its values; each cap and binding floor)."""
        out: list[str] = []
        if isinstance(d.expr, ir.Each):  # a value for each item: the formula, the notes give each value
            return self.written(d.expr.body, d.type), "", out
        node = self._choose(d.expr, d.type, out)
        if isinstance(node, (ir.Const, ir.Input, ir.Ref, ir.Scale)) or node.id not in self.values:
            return "", "", out
        for n in ir.walk(node):  # an inline 若 … 则 … 否则 inside the formula: which side applied
            if isinstance(n, ir.If) and n.id in self.taken:
                held = "成立" if self.taken[n.id] == 0 else "不成立"
                out.append(f"「{self.written(n.cond)}」{held}（{self.substituted(n.cond)}）")
        formula = self.written(node, d.type)
        shown = show(self.values[node.id], d.type)
        sub = self.substituted(node, d.type)
        equation = f"{formula} = {sub} = {shown}" if sub != shown else f"{formula} = {shown}"
        out.append(equation)
        out.extend(self._caps(node, d.type))
        return formula, equation, out

    def _choose(self, node: ir.Expr, ctx: str, out: list[str]) -> ir.Expr:
        """Follow the branches, rows and versions taken down to the value expression, saying why."""
        while node.id in self.taken:
            index = self.taken[node.id]
            match node:
                case ir.Cond(branches=branches, other=other):
                    for b in branches[: index if index >= 0 else len(branches)]:
                        out.append(f"「{self.written(b.test)}」不成立（{self.substituted(b.test)}）")
                    if index >= 0:
                        b = branches[index]
                        out.append(f"「{self.written(b.test)}」成立（{self.substituted(b.test)}）{_cite(b.cite)}")
                        node = b.value
                    else:
                        out.append(f"以上条件都不成立，按「否则」{_cite(other.cite)}")
                        node = other.value
                case ir.If(cond=cond, then=then, other=other_value):
                    held = "成立" if index == 0 else "不成立"
                    out.append(f"「{self.written(cond)}」{held}（{self.substituted(cond)}）")
                    node = then if index == 0 else other_value
                case ir.Match(subject=subject, cases=cases, other=other_row):
                    what = self.value(subject)
                    if index >= 0:
                        out.append(f"{self.written(subject)}为「{what}」，按表中「{cases[index].label}」一行"
                                   f"{_cite(cases[index].cite)}")
                        node = cases[index].value
                    else:
                        assert other_row is not None  # INVARIANT: -1 is recorded only for 其他
                        out.append(f"{self.written(subject)}为「{what}」，表中未单列，按「其他」{_cite(other_row.cite)}")
                        node = other_row.value
                case ir.Bands(subject=subject, bands=bands, other=other_row):
                    what = self.value(subject)
                    if index >= 0:
                        out.append(f"{self.written(subject)}为 {what}，属于「{bands[index].label}」一档"
                                   f"{_cite(bands[index].cite)}")
                        node = bands[index].value
                    else:
                        assert other_row is not None  # INVARIANT: -1 is recorded only for 其他
                        out.append(f"{self.written(subject)}为 {what}，不在所列分段内，按「其他」{_cite(other_row.cite)}")
                        node = other_row.value
                case ir.Dated(versions=versions):
                    v = versions[index]
                    end = end_as_known(list(versions), index, self.known_on)
                    until = f"至{display.date(end - _DAY)}" if end is not None else ""
                    out.append(f"适用{display.date(v.start)}起{until}的规定{_cite(v.cite)}")
                    node = v.value
                case _:
                    return node
        return node

    def _caps(self, node: ir.Expr, ctx: str) -> list[str]:
        """A line for each cap (取较小值: 最高) and floor (取较大值: 最低) in the formula, innermost first."""
        out: list[str] = []
        for n in reversed(list(ir.walk(node))):  # innermost first, as they are computed
            if not isinstance(n, (ir.Min, ir.Max)) or n.id not in self.values or len(n.args) < 2:
                continue
            own = self.type_of(n) or ctx
            first, limits = n.args[0], n.args[1:]
            named = "、".join(self._limit(a, own) for a in limits)
            result = self.values[n.id]
            word = "最高" if isinstance(n, ir.Min) else "最低"
            binds = first.id in self.values and self.values[first.id] != result
            if word == "最低" and not binds:
                continue  # a floor that did not apply says nothing to the reader
            line = f"{word}{'不超过' if word == '最高' else '不低于'}{named}：{self.value(first, own)} → {show(result, own)}"
            binding = next((a for a in limits if self.values.get(a.id) == result), None) if binds else None
            if binding is not None:
                line += f"（按{self._limit(binding, own)}{'封顶' if word == '最高' else '保底'}）"
            elif word == "最高":
                line += "（未超过）"
            out.append(line)
        return out

    def _limit(self, node: ir.Expr, ctx: str) -> str:
        if isinstance(node, (ir.Ref, ir.Input)):
            return f"「{node.name}」{self.value(node, ctx)}"
        return self.value(node, ctx)


def _cite(cite: tuple[str, ...]) -> str:
    return f"（依据 {'、'.join(cite)}）" if cite else ""


_DAY = datetime.timedelta(days=1)
