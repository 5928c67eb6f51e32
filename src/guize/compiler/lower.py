"""Type-check expressions, tables, conditions and dated values, and lower them to the typed IR.

`ExprChecker` holds the state one file's check shares (declarations, types found so far, the
diagnostics) and the rules for values; `checker.Checker` adds documents, declarations,
definitions and examples on top of it.
"""

from __future__ import annotations

import datetime
import functools
import re
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from guize.compiler import ast
from guize.compiler import types as T
from guize.compiler.diagnostics import Diagnostic, nearest
from guize.compiler.irmake import MAKERS, maker
from guize.compiler.lexicon import KEYWORD_WORDS, PER_UNITS, PERCENT_UNITS, POINTS_UNIT, UNITS
from guize.compiler.types import Type
from guize.runtime import dates, display, ir
from guize.runtime.ir import Expr

N = TypeVar("N", bound=ir.Node)

# Quanta for Decimal.quantize: the exponent is what counts, so tens are 1E+1, not 10.
_ROUND_QUANTUM = {"分": Decimal("0.01"), "角": Decimal("0.1"), "元": Decimal(1), "十元": Decimal("1E+1"),
                  "百元": Decimal("1E+2"), "千元": Decimal("1E+3"), "万元": Decimal("1E+4"),
                  "整数": Decimal(1)}
_ROUND_MODE = {"四舍五入": "half_up", "向下取整": "floor", "向上取整": "ceil", "截尾": "down"}

# name -> (IR function, argument kinds, result type)
_FUNCS: dict[str, tuple[str, tuple[str, ...], Type]] = {
    "年份": ("year", ("date",), T.INT),
    "月份": ("month", ("date",), T.INT),
    "日": ("day", ("date",), T.INT),
    "相差月数": ("months_between", ("date", "date"), T.num((("月", 1),), integer=True)),
    "相差天数": ("days_between", ("date", "date"), T.num((("日", 1),), integer=True)),
    "相差年数": ("full_years", ("date", "date"), T.DURATION),
    "周岁": ("full_years", ("date", "date"), T.AGE),
    "年龄": ("period_between", ("date", "date"), T.AGE),
    "年月": ("year_month", ("date",), T.YEAR_MONTH),
    "加月": ("add_months", ("date", "int"), T.DATE),
    "加年": ("add_years", ("date", "int"), T.DATE),
    "加天": ("add_days", ("date", "int"), T.DATE),
    "绝对值": ("abs", ("num",), T.ANY),
}
SCALE_FUNCS = {"累进计算": "amount", "适用税率": "rate", "速算扣除数": "deduction"}
_MINMAX: dict[str, type[ir.Min] | type[ir.Max]] = {"取较小值": ir.Min, "取较大值": ir.Max}
_OP_WORDS = {"+": "加", "-": "减", "*": "乘", "/": "除"}


@attrs.frozen
class Validity:
    start: datetime.date | None
    last: datetime.date | None  # inclusive; None: open-ended


class ExprChecker:
    # The lines of each file when the tree merges several (compiler/amend.py), for `text`.
    file_lines: dict[str, list[str]] = {}  # noqa: RUF012 - replaced per instance, never mutated

    def __init__(self, tree: ast.RuleFile, source: str) -> None:
        self.tree = tree
        self.lines = source.replace("\r\n", "\n").split("\n")
        self.diags: list[Diagnostic] = []
        self.enums: dict[str, tuple[str, ...]] = {}
        self.inputs: dict[str, ast.InputDecl] = {}
        self.input_types: dict[str, Type] = {}
        self.defs: dict[str, ast.Definition] = {}
        self.def_types: dict[str, Type] = {}
        self.checking: list[str] = []
        self.failed: set[str] = set()
        self.lowered: dict[str, Expr] = {}
        self.next_id = 0  # node ids, in the order nodes are built: stable for a source
        self.deps: dict[str, set[str]] = {}
        self.input_deps: dict[str, set[str]] = {}
        self.slot = 0
        self.late_versions: list[tuple[ast.Span, str, datetime.date]] = []  # W280, one finding a file
        self.current: str | None = None
        self.doc_validity: Validity | None = None
        self.cur_cite: tuple[str, ...] = ()
        # Built-in units and those the file declares (单位 …): unit -> (canonical unit, scale).
        self.units: dict[str, tuple[str, Decimal]] = dict(UNITS)
        # (unit, per) of a number -> its scale, whether it may be an int (not money), and its two types
        self.number_units: dict[tuple[str, str | None], tuple[Decimal, bool, Type, Type]] = {}
        # (text, unit, per) of a literal -> its value as written, its value in the IR and its type
        self.numbers: dict[tuple[str, str | None, str | None], tuple[Decimal, ir.Value, Type]] = {}
        self.e_methods: dict[type, Any] = {}  # node kind -> its _e_ method (see _expr)

    # ------------------------------------------------------------ reporting

    def text(self, span: ast.Span) -> str:
        """The source text under a one-line span, for labels and messages."""
        lines = self.file_lines.get(span.file, self.lines) if self.file_lines else self.lines
        if span.line == span.end_line and 0 < span.line <= len(lines):
            return lines[span.line - 1][span.column - 1:span.end_column - 1]
        return "…"

    def error(self, span: ast.Span, message: str, hint: str | None = None, code: str = "E200") -> None:
        self.diags.append(Diagnostic("error", code, message, span, hint, self._article()))

    def warn(self, span: ast.Span, message: str, hint: str | None = None, code: str = "W200") -> None:
        self.diags.append(Diagnostic("warning", code, message, span, hint, self._article()))

    def _article(self) -> str | None:
        return "、".join(self.cur_cite) if self.cur_cite else None

    def mk(self, cls: type[N], span: ast.Span, *fields: Any) -> N:
        """A new IR node with the next id and the span it was written at."""
        self.next_id += 1
        make = MAKERS.get(cls) or maker(cls)
        node: N = make(self.next_id, (span.line, span.column, span.end_line, span.end_column), *fields)
        return node

    def _unit(self, word: str, per: str | None, span: ast.Span) -> tuple[T.Dim, Decimal] | None:
        dim: T.Dim = ()
        scale = Decimal(1)
        pers = [p for p in re.split(r"[/／·]", per) if p] if per else []
        for part, sign in ((word, 1), *((p, -1) for p in pers)):
            if part not in self.units:
                near = nearest(part, list(self.units))
                self.error(span, f"不认识的单位「{part}」", hint=f"是否指「{near}」？" if near else
                           "可用单位：" + "、".join(list(self.units)[:12]) + f"……；新的单位先声明：「单位 {part}」",
                           code="E230")
                return None
            canon, sc = self.units[part]
            dim = T.dim_mul(dim, ((canon, 1),), sign)
            scale = scale * sc if sign == 1 else scale / sc
        return dim, scale

    def _check_def(self, name: str) -> Type | None:
        """The type of a definition, checking it first if need be (see checker.Checker)."""
        raise NotImplementedError

    # ------------------------------------------------------------ values and blocks

    def _value(self, value: ast.Value, hint: Type | None = None,
               siblings: dict[str, Any] | None = None) -> tuple[Expr, Type] | None:
        if isinstance(value, ast.ExprValue):
            return self._expr(value.expr, hint)
        if isinstance(value, ast.SameValue):  # INVARIANT: resolved by the enclosing match
            self.error(value.span, "「参照」只能用在按枚举列出的表里", code="E260")
            return None
        return self._block(value, hint)

    def _label_cite(self, value: ast.Value) -> tuple[str, ...]:
        return value.cite.articles if value.cite else ()

    def _block(self, block: ast.BlockValue, hint: Type | None) -> tuple[Expr, Type] | None:
        kinds = set(map(_branch_kind, block.branches))
        if hint is not None and hint.kind == "scale":
            return self._scale(block, hint, kinds)
        if block.selector is None:
            if kinds <= {"if", "else"}:
                return self._cond(block, hint)
            if kinds <= {"dated"}:
                return self._dated(block, hint)
            self.error(block.span, "这组分支缺少「按 …」：按枚举或分段列出取值时，请在定义后写「按 名称」",
                       code="E261")
            return None
        if block.selector.bands:
            if not kinds <= {"band", "other"}:
                self.error(block.span, "「按 … 分段」下每一行都应是区间（如「不满40支」「3000元以上」）或「其他」",
                           code="E262")
                return None
            return self._bands(block, hint)
        if not kinds <= {"enum", "other"}:
            if "band" in kinds:
                self.error(block.selector.span, "这些分支是数值区间，请写「按 … 分段」", code="E262")
            else:
                self.error(block.span, "「按 …」下每一行应是枚举取值（如「一级：300元」）或「其他」", code="E262")
            return None
        return self._match(block, hint)

    def _cond(self, block: ast.BlockValue, hint: Type | None) -> tuple[Expr, Type] | None:
        branches: list[ir.Branch] = []
        other: ir.Other | None = None
        ty: Type | None = hint
        ok = True
        for i, br in enumerate(block.branches):
            if isinstance(br, ast.ElseBranch):
                if i != len(block.branches) - 1:
                    self.error(br.span, "「否则」必须是最后一个分支", code="E263")
                    ok = False
                res = self._value(br.value, ty)
                if res is None:
                    ok = False
                    continue
                ty = self._join(ty, res[1], br.span)
                other = self.mk(ir.Other, br.span, res[0], "否则", self._label_cite(br.value))
                continue
            assert isinstance(br, ast.IfBranch)
            cond = self._expr(br.cond, T.BOOL)
            res = self._value(br.value, ty)
            if cond is None or res is None:
                ok = False
                continue
            self._expect_bool(cond[1], br.cond.span)
            ty = self._join(ty, res[1], br.span)
            branches.append(self.mk(ir.Branch, br.span, cond[0], res[0], "若 " + self.text(br.cond.span),
                                    self._label_cite(br.value)))
        if other is None:
            # A 否则 whose value failed has been reported where it is; only a missing one is new.
            if not any(isinstance(br, ast.ElseBranch) for br in block.branches):
                self.error(block.span, "条件分支缺少「否则」：所有条件都不成立时取什么值？",
                           hint="在最后加一行「否则 …」", code="E264")
            return None
        if not ok or ty is None:
            return None
        return self.mk(ir.Cond, block.span, tuple(branches), other), ty

    # Tables (tables.TableChecker): rows by an enumeration, numeric bands, progressive scales.

    def _match(self, block: ast.BlockValue, hint: Type | None) -> tuple[Expr, Type] | None:
        raise NotImplementedError

    def _bands(self, block: ast.BlockValue, hint: Type | None) -> tuple[Expr, Type] | None:
        raise NotImplementedError

    def _scale(self, block: ast.BlockValue, hint: Type, kinds: set[str]) -> tuple[Expr, Type] | None:
        raise NotImplementedError

    def _progressive(self, e: ast.Call, hint: Type | None) -> tuple[Expr, Type] | None:
        raise NotImplementedError

    def _dated(self, block: ast.BlockValue, hint: Type | None) -> tuple[Expr, Type] | None:
        versions: list[tuple[Any, ...]] = []
        ty: Type | None = hint
        ok = True
        prev: ast.DatedKey | None = None
        for br in block.branches:
            assert isinstance(br, ast.CaseBranch) and isinstance(br.key, ast.DatedKey)
            key = br.key
            if prev is not None and key.start <= prev.start:
                self.error(key.span, f"版本日期应从早到晚排列：{dates.cn(key.start)} 不晚于上一版本的 "
                                     f"{dates.cn(prev.start)}", code="E280")
                ok = False
            if key.end is not None and key.end < key.start:
                self.error(key.span, f"截止日 {dates.cn(key.end)} 早于起始日 {dates.cn(key.start)}", code="E281")
                ok = False
            if prev is not None and prev.end is not None and prev.end >= key.start:
                self.error(key.span, f"版本重叠：上一版本至 {dates.cn(prev.end)} 止，本版本自 "
                                     f"{dates.cn(key.start)} 起", code="E282")
                ok = False
            elif prev is not None and prev.end is not None and prev.end + datetime.timedelta(days=1) < key.start:
                gap_end = key.start - datetime.timedelta(days=1)
                self.warn(key.span, f"版本之间有空档：{dates.cn(prev.end + datetime.timedelta(days=1))} 至 "
                                    f"{dates.cn(gap_end)} 没有取值，这些日期的计算将被拒绝",
                          hint="如确属政策空档，可忽略；否则调整起止日期", code="W281")
            v = self.doc_validity
            if prev is not None and v is not None and v.start is not None and key.start < v.start:
                self.error(key.span, f"自 {dates.cn(key.start)} 起的变更早于文件施行日期 {dates.cn(v.start)}",
                           hint="文件施行前的变更不会生效；只有第一个版本可以早于施行日期", code="E284")
                ok = False
            if v is not None and v.last is not None and key.start > v.last:
                self.error(key.span, f"自 {dates.cn(key.start)} 起的版本在文件有效期（至 {dates.cn(v.last)}）之外",
                           code="E283")
                ok = False
            prev = key
            res = self._value(br.value, ty)
            if res is None:
                ok = False
                continue
            ty = self._join(ty, res[1], br.span)
            label = f"自{dates.cn(key.start)}起" + (f"至{dates.cn(key.end)}止" if key.end else "")
            if key.source:  # a version an amending document made (compiler/amend.py)
                label += f"（{key.source}）"
            versions.append((key.start, key.end, res[0], label, self._label_cite(br.value), br.span, key.known))
        if not ok or ty is None:
            return None
        v = self.doc_validity
        if v is not None and v.start is not None and versions and versions[0][0] > v.start:
            # Reported once for the whole file (checker.Checker.run): porting a policy, a drafter
            # often writes several values that only begin after the document does.
            self.late_versions.append((block.branches[0].span, self.current or "", versions[0][0]))
        # Half-open intervals: a version runs to the day before the next one starts,
        # or to the day after its own written end.
        out = []
        for i, (start, end, node, label, cite, span, known) in enumerate(versions):
            if end is not None:
                end_excl = end + datetime.timedelta(days=1)
            elif i + 1 < len(versions):
                end_excl = versions[i + 1][0]
            else:
                end_excl = None
            out.append(self.mk(ir.Version, span, start, end_excl, node, label, cite, known))
        slot = self.slot
        self.slot += 1
        return self.mk(ir.Dated, block.span, slot, self.current or "", tuple(out)), ty

    def _join(self, a: Type | None, b: Type, span: ast.Span) -> Type | None:
        if a is None:
            return b
        joined = T.join(a, b)
        if joined is None:
            self.error(span, f"各分支的取值类型不一致：{a.display()} 与 {b.display()}",
                       hint=unit_hint(a, b), code="E290")
            return a
        return joined

    def _expect_bool(self, ty: Type, span: ast.Span) -> None:
        if ty.kind not in ("bool", "any"):
            self.error(span, f"条件应是「是/否」的判断，这里是{ty.display()}",
                       hint="写成比较，如「本年已就诊次数 = 0」", code="E291")

    # ------------------------------------------------------------ expressions

    def _number(self, n: ast.Number) -> tuple[Expr, Type] | None:
        # A literal's value and type once per file (300元 is written many times): the key is the
        # text and unit as parsed, and the value itself must match digit for digit (compare_total:
        # 0.50 is not 0.5), so that the result is exactly what _number_value gives.
        key = (n.text, n.unit, n.per)
        known = self.numbers.get(key)
        if known is not None and not known[0].compare_total(n.value):
            return self.mk(ir.Const, n.span, known[1]), known[2]
        found = self._number_value(n)
        if found is None:
            return None
        self.numbers[key] = (n.value, *found)
        return self.mk(ir.Const, n.span, found[0]), found[1]

    def _number_value(self, n: ast.Number) -> tuple[ir.Value, Type] | None:
        value = n.value
        if n.unit in PERCENT_UNITS and n.per is None:
            return value * PERCENT_UNITS[n.unit], T.Type("num", rate=True)
        if n.unit == POINTS_UNIT:
            return value / 100, T.POINTS
        if n.unit is None:
            if value == value.to_integral_value():
                return int(value), T.Type("num", integer=True, zero=(value == 0))
            return value, T.NUM
        known = self.number_units.get((n.unit, n.per))
        if known is None:  # a unit's look-up and types once per file, not per number (15% of check)
            unit = self._unit(n.unit, n.per, n.span)
            if unit is None:
                return None
            dim, scale = unit
            known = self.number_units[n.unit, n.per] = (
                scale, all(u != "元" for u, _exp in dim), T.num(dim, integer=True), T.num(dim))
        scale, whole, int_type, num_type = known
        scaled = value * scale
        if whole and scaled == scaled.to_integral_value():  # money is always a Decimal
            return int(scaled), int_type
        return norm(scaled), num_type

    def _expr(self, e: ast.Expr, hint: Type | None) -> tuple[Expr, Type] | None:
        kind = type(e)
        method = self.e_methods.get(kind)
        if method is None:  # the method of a node kind looked up once per checker, not per node
            method = self.e_methods[kind] = getattr(type(self), "_e_" + kind.__name__)
        result: tuple[Expr, Type] | None = method(self, e, hint)
        return result

    def _e_Number(self, e: ast.Number, hint: Type | None) -> tuple[Expr, Type] | None:
        return self._number(e)

    def _e_DateLit(self, e: ast.DateLit, hint: Type | None) -> tuple[Expr, Type] | None:
        return self.mk(ir.Const, e.span, e.value), T.YEAR_MONTH if e.year_month else T.DATE

    def _e_Bool(self, e: ast.Bool, hint: Type | None) -> tuple[Expr, Type] | None:
        return self.mk(ir.Const, e.span, e.value), T.BOOL

    def _e_Name(self, e: ast.Name, hint: Type | None) -> tuple[Expr, Type] | None:
        name = e.name
        if name in self.inputs:
            if self.current:
                self.input_deps[self.current].add(name)
            ty = self.input_types.get(name)
            return (self.mk(ir.Input, e.span, name), ty) if ty else None
        if name in self.defs:
            if self.current:
                self.deps[self.current].add(name)
            ty = self.def_types.get(name) or self._check_def(name)  # (checked already, mostly)
            if ty is None:
                return None
            return self.mk(ir.Ref, e.span, name), ty
        if name == "评估日期":
            return self.mk(ir.AsOf, e.span), T.DATE
        if hint is not None and hint.kind == "enum" and name in self.enums.get(hint.enum or "", ()):
            return self.mk(ir.Const, e.span, name), hint
        if hint is not None and hint.kind == "enum" and hint.enum and not any(
                name in members for members in self.enums.values()):
            members = self.enums[hint.enum]
            near = nearest(name, list(members))
            self.error(e.span, f"「{name}」不是{hint.enum}的取值（可选：{'、'.join(members)}）",
                       hint=f"是否指「{near}」？" if near else None, code="E266")
            return None
        owners = [en for en, members in self.enums.items() if name in members]
        if len(owners) == 1:
            return self.mk(ir.Const, e.span, name), Type("enum", enum=owners[0])
        if len(owners) > 1:
            return self.mk(ir.Const, e.span, name), Type("enum", enum=None)
        self._undefined(name, e.span)
        return None

    def _undefined(self, name: str, span: ast.Span) -> None:
        known = set(self.inputs) | set(self.defs) | {"评估日期"}
        for members in self.enums.values():
            known |= set(members)
        hint = None
        for kw in sorted(KEYWORD_WORDS, key=len, reverse=True):
            if name.startswith(kw) and name[len(kw):] in known:
                hint = f"「{kw}」是关键字，后面要留空格：写成「{kw} {name[len(kw):]}」"
                break
            if name.endswith(kw) and name[:-len(kw)] in known:
                hint = f"「{kw}」是关键字，前面要留空格：写成「{name[:-len(kw)]} {kw}」"
                break
        if hint is None and (name in PER_UNITS or name in self.units) and name not in known:
            hint = f"「{name}」是单位，要紧跟在数值的单位后面，中间不留空格、不加括号，如「100元/{name}」"
        if hint is None:
            near = nearest(name, known)
            if near:
                hint = f"是否指「{near}」？"
        self.error(span, f"未定义的名称「{name}」", hint=hint, code="E300")

    def _e_Call(self, e: ast.Call, hint: Type | None) -> tuple[Expr, Type] | None:
        if e.func in SCALE_FUNCS:
            return self._progressive(e, hint)
        if e.func in _MINMAX:
            if not e.args:
                self.error(e.span, f"「{e.func}」至少需要一个参数", code="E310")
                return None
            results = [self._expr(a, hint) for a in e.args]
            if None in results:
                return None
            ty: Type | None = None
            for arg, r in zip(e.args, results, strict=True):
                assert r is not None
                if r[1].kind != "num":
                    self.error(arg.span, f"「{e.func}」的参数应是数值，这里是{r[1].display()}", code="E311")
                    return None
                joined = r[1] if ty is None else T.join(ty, r[1])
                if joined is None:
                    assert ty is not None
                    self.error(arg.span, f"「{e.func}」的参数单位不一致：{ty.display()} 与 {r[1].display()}",
                               hint=unit_hint(ty, r[1]), code="E312")
                    return None
                ty = joined
            assert ty is not None
            return self.mk(_MINMAX[e.func], e.span, tuple([r[0] for r in results if r])), ty
        if e.func not in _FUNCS:
            near = nearest(e.func, list(_FUNCS) + list(_MINMAX) + list(SCALE_FUNCS))
            self.error(e.span, f"没有名为「{e.func}」的函数",
                       hint=f"是否指「{near}」？" if near else "可用函数：取较小值、取较大值、年份、月份、相差月数、加月……",
                       code="E313")
            return None
        fname, kinds, rty = _FUNCS[e.func]
        if len(e.args) != len(kinds):
            self.error(e.span, f"「{e.func}」需要 {len(kinds)} 个参数，这里有 {len(e.args)} 个", code="E314")
            return None
        nodes = []
        first: Type | None = None
        for arg, kind in zip(e.args, kinds, strict=True):
            r = self._expr(arg, None)
            if r is None:
                return None
            aty = r[1]
            good = (kind == "date" and aty.kind == "date") or (kind == "int" and aty.kind == "num" and aty.integer) \
                or (kind == "num" and aty.kind == "num")
            if not good:
                want = {"date": "日期", "int": "整数", "num": "数值"}[kind]
                self.error(arg.span, f"「{e.func}」的参数应是{want}，这里是{aty.display()}", code="E315")
                return None
            first = first or aty
            nodes.append(r[0])
        if rty.kind == "any":
            assert first is not None
            rty = first
        return self.mk(ir.Call, e.span, fname, tuple(nodes)), rty

    def _e_Round(self, e: ast.Round, hint: Type | None) -> tuple[Expr, Type] | None:
        r = self._expr(e.arg, hint)
        if r is None:
            return None
        if r[1].kind != "num":
            self.error(e.span, f"只有数值可以舍入，这里是{r[1].display()}", code="E316")
            return None
        if e.mode.endswith(("年", "月")):
            return self._round_time(e, r[0], r[1])
        mode, quantum = parse_rounding(e.mode)
        ty = r[1]
        if quantum == 1 and not ty.is_money:
            # Rounding a count to a whole number gives an integer (向下取整(职工人数 ÷ 50人/名额)).
            return self.mk(ir.Round, e.span, mode, quantum, r[0], True), attrs.evolve(ty, integer=True, rate=False)
        return self.mk(ir.Round, e.span, mode, quantum, r[0], False), ty

    def _e_Binary(self, e: ast.Binary, hint: Type | None) -> tuple[Expr, Type] | None:
        left = self._expr(e.left, hint if e.op in "+-" else None)
        right = self._expr(e.right, hint if e.op in "+-" else None)
        if left is None or right is None:
            return None
        (ln, lt), (rn, rt) = left, right
        if e.op == "per_full":
            return self._per_full(e, ln, lt, rn, rt)
        sym = _OP_WORDS[e.op]
        if lt.kind == "date" or rt.kind == "date":
            return self._date_arith(e, ln, lt, rn, rt)
        if e.op in "+-":
            if lt.kind == "num" and rt.kind == "points":
                if not lt.rate and not lt.zero:
                    self.error(e.right.span, f"「个百分点」只能加减到比率上，「{self.text(e.left.span)}」是{lt.display()}",
                               code="E321")
                    return None
                return self.mk(ir.Arith, e.span, e.op, ln, rn, False), T.RATE
            if lt.kind == "points" or rt.kind == "points":
                self.error(e.span, "「个百分点」只能加到比率上（比率 + 5个百分点）", code="E321")
                return None
            if lt.kind != "num" or rt.kind != "num":
                self.error(e.span, f"不能对{lt.display()}和{rt.display()}做{sym}法", code="E322")
                return None
            if lt.rate and rt.rate and (_is_percent_literal(e.right) or _is_percent_literal(e.left)) \
                    and not (_is_one(e.left) or _is_one(e.right)):
                lit = e.right if _is_percent_literal(e.right) else e.left
                assert isinstance(lit, ast.Number)
                self.error(lit.span, f"比率与百分数「{lit.text}」相{sym}有歧义",
                           hint=f"增加比率请写「{_fmt_num(lit.value)}个百分点」；按比例上浮请写「× (1 + {lit.text})」",
                           code="E323")
                return None
            if lt.dim != rt.dim and not (lt.zero or rt.zero):
                self.error(e.span, f"单位不一致，不能相{sym}：{lt.display()} 与 {rt.display()}",
                           hint=unit_hint(lt, rt), code="E324")
                return None
            ty = T.join(lt, rt)
            assert ty is not None
            ty = T.replaced(ty, ty.dim, ty.integer, (lt.rate or rt.rate) and not (lt.dim or rt.dim), False, ty.time)
            return self.mk(ir.Arith, e.span, e.op, ln, rn, ty.integer), ty
        if lt.kind != "num" or rt.kind != "num":
            self.error(e.span, f"不能对{lt.display()}和{rt.display()}做{sym}法", code="E322")
            return None
        if e.op == "*":
            dim = T.dim_mul(lt.dim, rt.dim)
            ty = T.num(dim, integer=lt.integer and rt.integer, rate=lt.rate and rt.rate)
            return self.mk(ir.Arith, e.span, "*", ln, rn, ty.integer), ty
        dim = T.dim_mul(lt.dim, rt.dim, -1)
        return self.mk(ir.Arith, e.span, "/", ln, rn, False), T.num(dim)

    def _date_arith(self, e: ast.Binary, ln: Expr, lt: Type, rn: Expr, rt: Type) -> tuple[Expr, Type] | None:
        """Dates and year-months as the law counts time (民法典 第二百零一条、第二百零三条):
        date − date is the whole months from the first to the second (a month is full when the
        corresponding day is reached); date ± a duration moves by whole months (to the month's
        last day when it has no corresponding day); date ± 天 moves by days."""
        if e.op == "-" and lt.kind == rt.kind == "date":
            if lt.time != rt.time:
                self.error(e.span, f"不能相减：{lt.display()} 与 {rt.display()}",
                           hint="用「年月(日期)」把日期化为年月，再相减", code="E320")
                return None
            return self.mk(ir.Call, e.span, "period_between", (rn, ln)), T.DURATION
        if (e.op in "+-" and lt.kind == "date" and rt.kind == "num") or (e.op == "+" and rt.kind == "date" \
                and lt.kind == "num"):
            (dn, dt), (nn, nt) = ((ln, lt), (rn, rt)) if lt.kind == "date" else ((rn, rt), (ln, lt))
            if e.op == "-":
                nn = self.mk(ir.Neg, e.span, nn)
            if nt.dim == T.MONTHS and nt.integer:
                return self.mk(ir.Call, e.span, "add_months", (dn, nn)), dt
            if nt.dim == (("日", 1),) and nt.integer and dt.time is None:
                return self.mk(ir.Call, e.span, "add_days", (dn, nn)), dt
            self.error(e.span, f"{dt.display()}只能加减整月、整年（或整天）的期间，这里是{nt.display()}",
                       hint="写成「入职日期 + 6个月」「出生年月 + 60岁1个月」「离职日期 - 30天」", code="E320")
            return None
        sym = {"+": "加", "-": "减", "*": "乘", "/": "除"}[e.op]
        self.error(e.span, f"日期不能{sym}：{lt.display()} 与 {rt.display()}",
                   hint="日期 − 日期 得到期间；日期 ± 期间 得到日期", code="E320")
        return None

    def _per_full(self, e: ast.Binary, ln: Expr, lt: Type, rn: Expr, rt: Type) -> tuple[Expr, Type] | None:
        """工作年限 每满 一年: the whole number of times the period holds the unit (a count)."""
        if lt.kind != "num" or rt.kind != "num" or lt.dim != rt.dim or lt.rate or rt.rate:
            self.error(e.span, f"「每满」两边应是同一单位的数量：{lt.display()} 与 {rt.display()}",
                       hint="写成「工作年限 每满 一年」「累计缴费月数 每满 12个月」", code="E325")
            return None
        if isinstance(rn, ir.Const) and isinstance(rn.value, (int, Decimal)) and not rn.value > 0:
            self.error(e.right.span, "「每满」后面应是正的数量", code="E325")
            return None
        ratio = self.mk(ir.Arith, e.span, "/", ln, rn, False)
        return self.mk(ir.Round, e.span, "floor", Decimal(1), ratio, True), T.INT

    def _round_time(self, e: ast.Round, node: Expr, ty: Type) -> tuple[Expr, Type] | None:
        """向上取整到年(不满一年部分): a duration to whole years (「不满一年的，按一年计算」) or months."""
        if ty.dim != T.MONTHS:
            self.error(e.span, f"「{e.mode}」只能用于期间（以月计），这里是{ty.display()}",
                       hint="金额、数量的舍入写「四舍五入到元」「向下取整」等", code="E317")
            return None
        mode, _quantum = parse_rounding(e.mode.rstrip("年个月") or e.mode)
        rty = attrs.evolve(ty, integer=True, rate=False)
        if e.mode.endswith("月"):
            return self.mk(ir.Round, e.span, mode, Decimal(1), node, True), rty
        twelve = self.mk(ir.Const, e.span, 12)
        years = self.mk(ir.Round, e.span, mode, Decimal(1), self.mk(ir.Arith, e.span, "/", node, twelve, False), True)
        return self.mk(ir.Arith, e.span, "*", years, self.mk(ir.Const, e.span, 12), True), rty

    def _e_Neg(self, e: ast.Neg, hint: Type | None) -> tuple[Expr, Type] | None:
        r = self._expr(e.arg, hint)
        if r is None:
            return None
        if r[1].kind != "num":
            self.error(e.span, f"只有数值可以取负，这里是{r[1].display()}", code="E322")
            return None
        return self.mk(ir.Neg, e.span, r[0]), r[1]

    def _e_Compare(self, e: ast.Compare, hint: Type | None) -> tuple[Expr, Type] | None:
        left = self._expr(e.left, None)
        right = self._expr(e.right, left[1] if left else None)
        if left is not None and right is not None and left[1].kind == "enum" and left[1].enum is None \
                and right[1].kind == "enum":
            left = self._expr(e.left, right[1])
        if left is None or right is None:
            return None
        (ln, lt), (rn, rt) = left, right
        if lt.kind == "num" and rt.kind == "num":
            if lt.dim != rt.dim and not (lt.zero or rt.zero):
                self.error(e.span, f"单位不一致，不能比较：{lt.display()} 与 {rt.display()}",
                           hint=unit_hint(lt, rt), code="E330")
                return None
        elif lt.kind == "enum" and rt.kind == "enum":
            if lt.enum and rt.enum and lt.enum != rt.enum:
                self.error(e.span, f"不能比较{lt.display()}和{rt.display()}", code="E330")
                return None
            if e.op not in ("==", "!="):
                self.error(e.span, "枚举值只能比较是否相等", code="E331")
                return None
        elif lt.kind == rt.kind and lt.kind in ("date", "bool"):
            if lt.time != rt.time:
                self.error(e.span, f"不能比较{lt.display()}和{rt.display()}",
                           hint="用「年月(日期)」把日期化为年月，再比较", code="E330")
                return None
            if lt.kind == "bool" and e.op not in ("==", "!="):
                self.error(e.span, "是否值只能比较是否相等", code="E331")
                return None
        else:
            self.error(e.span, f"不能比较{lt.display()}和{rt.display()}", code="E330")
            return None
        return self.mk(ir.Cmp, e.span, e.op, ln, rn), T.BOOL

    def _e_Logic(self, e: ast.Logic, hint: Type | None) -> tuple[Expr, Type] | None:
        left = self._expr(e.left, T.BOOL)
        right = self._expr(e.right, T.BOOL)
        if left is None or right is None:
            return None
        self._expect_bool(left[1], e.left.span)
        self._expect_bool(right[1], e.right.span)
        if e.op == "and":
            return self.mk(ir.And, e.span, left[0], right[0]), T.BOOL
        return self.mk(ir.Or, e.span, left[0], right[0]), T.BOOL

    def _e_Not(self, e: ast.Not, hint: Type | None) -> tuple[Expr, Type] | None:
        r = self._expr(e.arg, T.BOOL)
        if r is None:
            return None
        self._expect_bool(r[1], e.arg.span)
        return self.mk(ir.Not, e.span, r[0]), T.BOOL

    def _e_If(self, e: ast.If, hint: Type | None) -> tuple[Expr, Type] | None:
        cond = self._expr(e.cond, T.BOOL)
        a = self._expr(e.then, hint)
        b = self._expr(e.other, a[1] if a else hint)
        if cond is None or a is None or b is None:
            return None
        self._expect_bool(cond[1], e.cond.span)
        ty = T.join(a[1], b[1])
        if ty is None:
            self.error(e.span, f"「则」与「否则」的取值类型不一致：{a[1].display()} 与 {b[1].display()}",
                       hint=unit_hint(a[1], b[1]), code="E290")
            return None
        return self.mk(ir.If, e.span, cond[0], a[0], b[0]), ty

    def _e_Cap(self, e: ast.Cap, hint: Type | None) -> tuple[Expr, Type] | None:
        left = self._expr(e.left, hint)
        right = self._expr(e.right, hint)
        if left is None or right is None:
            return None
        word = "最高" if e.op == "min" else "最低"
        if left[1].kind != "num" or right[1].kind != "num" or T.join(left[1], right[1]) is None:
            self.error(e.span, f"「{word}」两边应是同一单位的数值：{left[1].display()} 与 {right[1].display()}",
                       hint=unit_hint(left[1], right[1]), code="E312")
            return None
        ty = T.join(left[1], right[1])
        assert ty is not None
        if e.op == "min":
            return self.mk(ir.Min, e.span, (left[0], right[0])), ty
        return self.mk(ir.Max, e.span, (left[0], right[0])), ty


# ---------------------------------------------------------------- helpers


def _branch_kind(b: ast.Branch) -> str:
    kind = type(b)
    if kind is ast.CaseBranch:
        return _KEY_KINDS[type(b.key)]  # type: ignore[union-attr]
    if kind is ast.IfBranch:
        return "if"
    assert kind is ast.ElseBranch
    return "else"


_KEY_KINDS = {ast.EnumKey: "enum", ast.BandKey: "band", ast.OtherKey: "other", ast.DatedKey: "dated"}


@functools.lru_cache(maxsize=256)  # a few words, each written on many definitions
def parse_rounding(text: str) -> tuple[str, Decimal]:
    for word, mode in _ROUND_MODE.items():
        if text.startswith(word):
            rest = text[len(word):].lstrip("到至")
            return mode, _ROUND_QUANTUM.get(rest, Decimal(1)) if rest else (
                Decimal("0.01") if mode == "half_up" else Decimal(1))
    return "half_up", Decimal("0.01")


def _is_percent_literal(e: ast.Expr) -> bool:
    return isinstance(e, ast.Number) and e.unit in PERCENT_UNITS


def _is_one(e: ast.Expr) -> bool:
    return isinstance(e, ast.Number) and e.unit is None and e.value == 1


def _fmt_num(v: Decimal) -> str:
    return display.number(v)


def norm(v: Decimal) -> Decimal:
    """Drop trailing zeros without exponent notation: 300.0 -> 300, 0.50 -> 0.5."""
    n = v.normalize()
    exponent = n.as_tuple().exponent
    return n if isinstance(exponent, int) and exponent <= 0 else n.quantize(Decimal(1))


def unit_hint(a: Type, b: Type) -> str | None:
    if a.kind == "num" and b.kind == "num":
        dims = {a.dim, b.dim}
        if T.MONTHS in dims and (("日", 1),) in dims:
            return "月与天不能换算：期间按整月、整年计（6个月、1年6个月），天数另用「整数（天）」"
        if T.MONTHS in dims and () in dims:
            return "期间要带单位：写「1年」「6个月」；把次数化为期间写「满年数 × 1年」，把期间化为次数写「工作年限 每满 一年」"
        if a.is_money and b.dim and b.dim != a.dim:
            return "金额要用「元/单位」的标准乘以数量得到，如「300元/吨 × 出疆棉数量」"
        if a.rate != b.rate:
            return "比率与金额相乘得到金额；比率之间相加要写「个百分点」"
    return None

# Every function a drafter can call, for editors' completion.
FUNCTION_WORDS: tuple[str, ...] = (*_FUNCS, *_MINMAX, *SCALE_FUNCS)
