"""Check records, list inputs, aggregates over lists and definitions computed for each item.

A record type (`类型 家庭成员：` with one field a line) describes the items of a list input
(`输入 成员：家庭成员的列表`). Aggregates (合计, 人数, 任一, 全部, 最大, 最小, 平均) read the items of
a list, optionally filtered (`人数(成员 中 年龄 < 18岁)`, `合计(成员 中 是否在校 的 月收入)`). A
definition written `，按 各月 逐月` is computed for each item: its fields are names in it, other
per-item definitions over the same list give their value for the item, and `累计(x)` sums x over
the items up to this one (`累计(x，至 上月)`: before it, which may name the definition itself).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import attrs

from guize.compiler import ast
from guize.compiler import types as T
from guize.compiler.diagnostics import nearest
from guize.compiler.lower import unit_hint
from guize.compiler.tables import TableChecker
from guize.compiler.types import Type
from guize.runtime import ir
from guize.runtime.ir import Expr

# Aggregate functions as written -> (IR func, what they read: value / count / test)
AGGREGATES: dict[str, str] = {"合计": "sum", "求和": "sum", "总和": "sum", "人数": "count", "个数": "count",
                              "项数": "count", "任一": "any", "全部": "all", "最大": "max", "最大值": "max",
                              "最小": "min", "最小值": "min", "平均": "mean", "平均值": "mean",
                              "唯一": "one"}
RUNNING = frozenset({"累计"})
_THIS = frozenset({"本月", "本期", "本项", "本年", "当月", "当期"})
_BEFORE = frozenset({"上月", "上期", "上一项", "上年", "前一项"})
LIST_SUFFIX = "的列表"
# 当年1月的 …: the year a relative month is in, from the year of the reference date
_YEARS = {"当年": 0, "本年": 0, "今年": 0, "上年": -1, "上一年": -1, "去年": -1, "次年": 1, "下一年": 1}


@attrs.frozen
class ItemContext:
    """Where names resolve to the fields of an item: a definition computed for each item of
    `source` (each: its name), or an aggregate's filter and value (each: None)."""

    source: str
    record: str
    each: str | None
    before: bool = False  # inside 累计(…，至 上月): the definition itself may be named


class ListChecker(TableChecker):
    """The list constructs, on top of expressions and tables (the Checker adds the rest)."""

    def __init__(self, tree: ast.RuleFile, source: str) -> None:
        super().__init__(tree, source)
        self.records: dict[str, dict[str, tuple[ast.InputDecl, Type]]] = {}
        self.items: list[ItemContext] = []
        self.each_of: dict[str, str] = {}  # per-item definition -> the list input it is computed over
        self.record_roles: dict[str, dict[str, str]] = {}  # record -> {"适用日期"/"主键": its field}
        self.running_over: set[str] = set()  # the lists a 累计 runs over (their order is time's)

    # Declarations, literals and input specs (checker.Checker).

    def _type_spec(self, spec: ast.TypeSpec, owner: str) -> Type | None:
        raise NotImplementedError

    def _literal(self, lit: ast.LitValue, ty: Type, what: str, report: bool = True) -> Any:
        raise NotImplementedError

    def _input_spec(self, inp: ast.InputDecl, ty: Type | None = None) -> dict[str, Any]:
        raise NotImplementedError

    def _input_scale(self, spec: ast.TypeSpec) -> Decimal:
        raise NotImplementedError

    # ------------------------------------------------------------ declarations

    def declare_records(self) -> None:
        for rd in self.tree.records:
            if rd.name in self.records or rd.name in self.enums:
                self.error(rd.span, f"类型「{rd.name}」重复声明", code="E220")
                continue
            fields: dict[str, tuple[ast.InputDecl, Type]] = {}
            for fd in rd.fields:
                if fd.name in fields:
                    self.error(fd.span, f"类型「{rd.name}」的字段「{fd.name}」重复", code="E221")
                    continue
                text = isinstance(fd.type, ast.NamedType) and fd.type.word == "文本" and not fd.type.unit \
                    and not fd.type.per and "文本" not in self.enums
                ty = T.TEXT if text else self._type_spec(fd.type, fd.name)
                if ty is None:
                    continue
                if ty.kind in ("list", "scale"):
                    self.error(fd.type.span, f"字段「{fd.name}」不能是{ty.display()}；字段应是金额、数量、"
                                             "是否、日期、期间、枚举或文本", code="E235")
                    continue
                if fd.negative and ty.kind != "num":
                    self.error(fd.span, f"「可为负」只用于数值字段，「{fd.name}」是{ty.display()}", code="E234")
                if fd.default is not None:
                    self._literal(fd.default, ty, f"字段「{fd.name}」的默认值")
                self._field_roles(rd.name, fd, ty)
                fields[fd.name] = (fd, ty)
            self.records[rd.name] = fields

    def _field_roles(self, record: str, fd: ast.InputDecl, ty: Type) -> None:
        """，适用日期 (a 日期 or 年月 field) and ，主键 (an integer, 日期, 年月 or enumeration field):
        at most one of each a record."""
        roles = self.record_roles.setdefault(record, {})
        for role in fd.roles:
            code = "E356" if role == "适用日期" else "E357"
            if role in roles:
                self.error(fd.span, f"类型「{record}」已有{role}字段「{roles[role]}」，「{fd.name}」不能再作{role}",
                           hint=f"一个记录类型只能有一个{role}字段", code=code)
                continue
            if role == "适用日期" and ty.kind != "date":
                self.error(fd.span, f"「适用日期」只用于日期或年月字段，「{fd.name}」是{ty.display()}",
                           hint=f"如「{fd.name}：年月，适用日期」", code=code)
                continue
            if role == "主键" and not (ty.kind in ("date", "enum", "text") or (ty.kind == "num" and ty.integer)):
                self.error(fd.span, f"「主键」只用于整数、日期、年月、枚举或文本字段，「{fd.name}」是{ty.display()}",
                           hint=f"如「{fd.name}：整数，主键」", code=code)
                continue
            roles[role] = fd.name

    def item_date(self, name: str, node: Expr, e: ast.Name) -> Expr:
        """In an item whose record has a 适用日期 field, a dated parameter or table (a definition
        whose value is its versions) is taken on the item's date: AtDate."""
        if not self.items or not isinstance(node, ir.Ref):
            return node
        ctx = self.items[-1]
        field = self.record_roles.get(ctx.record, {}).get("适用日期")
        lowered = self.lowered.get(name, node)
        dated = ir.unwrap_time(lowered)
        if field is None or not isinstance(dated, ir.Dated) or self.defs[name].rounding:
            return node
        date = self.mk(ir.Field, e.span, field)
        at: Expr = self.mk(ir.AtDate, e.span, dated, date, ctx.source)
        if isinstance(lowered, ir.Call):  # a 期间, 年龄 or 年月 value reads as one (checker._TIME_WRAP)
            at = self.mk(ir.Call, e.span, lowered.func, (at,))
        return at

    def list_type(self, spec: ast.NamedType) -> Type | None:
        """家庭成员的列表: a list whose items are records of a declared type."""
        record = spec.word[:-len(LIST_SUFFIX)]
        if record in self.records and not spec.per and not spec.unit:
            return Type("list", record=record)
        near = nearest(record, list(self.records))
        self.error(spec.span, f"「{record}」不是已声明的记录类型，不能写「{spec.word}」",
                   hint=f"是否指「{near}{LIST_SUFFIX}」？" if near else
                   f"先声明：「类型 {record}：」下面每行一个字段，如「  月收入：金额」", code="E239")
        return None

    def record_key(self, record: str) -> str | None:
        """The record's 主键 field (each item's differs), if one is declared."""
        return self.record_roles.get(record, {}).get("主键")

    def in_time_order(self, source: str, record: str) -> bool:
        """A 累计 runs over list `source` and its items are keyed by a 年月 or 日期: the items must
        then come in time order (the runtime checks), else the sums would not be the months'."""
        key = self.record_key(record)
        if source not in self.running_over or key is None:
            return False
        return self.records[record][key][1].kind == "date"  # (a 年月 is a date: its first day)

    def field_specs(self, record: str) -> tuple[dict[str, Any], ...]:
        """The fields of a record type as input specs (what the runtime converts each item by)."""
        return tuple(self._input_spec(fd, ty) for fd, ty in self.records[record].values())

    # ------------------------------------------------------------ per-item definitions

    def enter_each(self, d: ast.Definition) -> bool:
        """Before checking a definition written `，按 列表 逐项`: its item context (False if none)."""
        if d.each is None:
            return False
        ty = self.input_types.get(d.each)
        if ty is None or ty.kind != "list":
            self._not_a_list(d.each, d.span, "逐项计算")
            return False
        assert ty.record is not None  # INVARIANT: a list type names its record
        if d.type is None:
            self.error(d.span, f"逐项计算的「{d.name}」要写明类型，如「{d.name}：金额，按 {d.each} {d.each_word}」",
                       code="E250")
        self.items.append(ItemContext(d.each, ty.record, d.name))
        self.each_of[d.name] = d.each
        self.input_deps[d.name].add(d.each)  # it reads the list (required_inputs, schema, diff)
        return True

    def leave_each(self, d: ast.Definition, node: Expr, ty: Type, rounding: tuple[str, Decimal] | None) -> Expr:
        """A per-item definition's body as its whole value: each item's value (rounded, for an
        output, item by item), over the list."""
        assert d.each is not None  # INVARIANT: enter_each returned True
        if rounding is not None and ty.kind == "num":
            node = self.mk(ir.Round, d.span, rounding[0], rounding[1], node, False)
        source = self.mk(ir.Input, d.span, d.each)
        return self.mk(ir.Each, d.span, source, node)

    # ------------------------------------------------------------ names in an item

    def _e_Name(self, e: ast.Name, hint: Type | None) -> tuple[Expr, Type] | None:
        name = e.name
        if self.items:
            ctx = self.items[-1]
            fields = self.records.get(ctx.record, {})
            if name in fields:
                if fields[name][1].kind == "text":
                    advice = (f"「{name}」已是主键：逐项的输出以它为键，不必在公式中用它"
                              if self.record_key(ctx.record) == name else
                              f"按它区分各项的结果，给「{name}」写「，主键」：逐项的输出就以它为键")
                    self.error(e.span, f"「{name}」是文本字段，只用来标识各项（如作主键），不能参与计算",
                               hint=advice, code="E359")
                    return None
                return self.mk(ir.Field, e.span, name), fields[name][1]
            if name == ctx.each:
                if not ctx.before:
                    self.error(e.span, f"「{name}」在计算本项时引用了自己",
                               hint=f"此前各项的合计写「累计({name}，至 上月)」", code="E240")
                    return None
                d = self.defs[name]
                declared = self._type_spec(d.type, name) if d.type is not None else None
                return (self.mk(ir.ItemRef, e.span, name), declared) if declared is not None else None
            if name in self.each_of or (name in self.defs and self.defs[name].each is not None):
                return self._item_ref(e, ctx)
            if name in self.defs:
                found = super()._e_Name(e, hint)
                return (self.item_date(name, found[0], e), found[1]) if found is not None else None
        elif name in self.defs and self.defs[name].each is not None:
            d = self.defs[name]
            self.error(e.span, f"「{name}」是逐项计算的（每个「{d.each}」一个值），不能直接参与运算",
                       hint=f"用 合计({d.each} 的 {name})、最大({d.each} 的 {name}) 等汇总", code="E350")
            return None
        elif name in self.input_types and self.input_types[name].kind == "list":
            self.error(e.span, f"「{name}」是列表，不能直接参与运算",
                       hint=f"用 合计({name} 的 …)、人数({name})、任一({name} 中 …) 等汇总", code="E350")
            return None
        return super()._e_Name(e, hint)

    def _undefined(self, name: str, span: ast.Span) -> None:
        if self.items:  # in an item, the nearest field is the likeliest meaning
            record = self.items[-1].record
            near = nearest(name, list(self.records.get(record, {})))
            if near:
                self.error(span, f"未定义的名称「{name}」", hint=f"是否指「{record}」的字段「{near}」？", code="E300")
                return
        else:  # a record's field outside its list: say how a field is read
            lists = [(n, t.record or "") for n, t in self.input_types.items()
                     if t.kind == "list" and name in self.records.get(t.record or "", {})]
            if lists:
                source, owner = lists[0]
                self.error(span, f"未定义的名称「{name}」：它是「{owner}」的字段，只能按「{source}」的各项读取",
                           hint=f"汇总各项，如 合计({source} 的 {name})、最大({source} 的 {name})；"
                                f"或写逐项计算的定义，如「定义 …：…，按 {source} 逐项 = {name} …」", code="E300")
                return
        super()._undefined(name, span)

    def _item_ref(self, e: ast.Name, ctx: ItemContext) -> tuple[Expr, Type] | None:
        name = e.name
        d = self.defs[name]
        if d.each != ctx.source:
            self.error(e.span, f"「{name}」是按「{d.each}」逐项计算的，这里的每一项属于「{ctx.source}」",
                       code="E351")
            return None
        if self.current:
            self.deps[self.current].add(name)
        saved = self.items
        self.items = []  # the other definition is checked in its own context
        try:
            ty = self._check_def(name)
        finally:
            self.items = saved
        if ty is None:
            return None
        return self.mk(ir.ItemRef, e.span, name), ty

    # ------------------------------------------------------------ 累计 and aggregates called plainly

    def _e_Call(self, e: ast.Call, hint: Type | None) -> tuple[Expr, Type] | None:
        if e.func in RUNNING and len(e.args) == 1:
            return self._running(e.func, e.args[0], True, e.span)
        if e.func in AGGREGATES:
            if len(e.args) != 1:
                self.error(e.span, f"「{e.func}」汇总一个列表：写「{e.func}(成员 的 月收入)」或「{e.func}(成员 中 条件)」",
                           code="E352")
                return None
            return self._aggregate(ast.Aggregate(e.func, e.args[0], None, None, span=e.span))
        return super()._e_Call(e, hint)

    def _e_Running(self, e: ast.Running, hint: Type | None) -> tuple[Expr, Type] | None:
        if e.func not in RUNNING:
            self.error(e.span, f"「{e.func}(…，至 {e.until})」不是可用的写法", hint="累计到某项写「累计(…，至 本月)」",
                       code="E313")
            return None
        if e.until in _THIS:
            return self._running(e.func, e.arg, True, e.span)
        if e.until in _BEFORE:
            return self._running(e.func, e.arg, False, e.span)
        self.error(e.span, f"「至 {e.until}」：累计只能到「本月」（含本项）或「上月」（此前各项）", code="E353")
        return None

    def _running(self, func: str, arg: ast.Expr, inclusive: bool, span: ast.Span) -> tuple[Expr, Type] | None:
        if not self.items or self.items[-1].each is None:
            self.error(span, f"「{func}」只能用在逐项计算的定义中",
                       hint="如「定义 累计收入：金额，按 各月 逐月 = 累计(工资薪金收入)」", code="E353")
            return None
        ctx = self.items[-1]
        self.running_over.add(ctx.source)
        self.items.append(attrs.evolve(ctx, before=ctx.before or not inclusive))
        try:
            r = self._expr(arg, None)
        finally:
            self.items.pop()
        if r is None:
            return None
        node, ty = r
        if ty.kind != "num":
            self.error(arg.span, f"「{func}」的对象应是数值，这里是「{ty.display()}」", code="E354")
            return None
        ty = attrs.evolve(ty, zero=False)
        zero: Decimal | int = 0 if ty.integer else Decimal(0)
        return self.mk(ir.Running, span, node, inclusive, zero), ty

    def _e_Aggregate(self, e: ast.Aggregate, hint: Type | None) -> tuple[Expr, Type] | None:
        return self._aggregate(e)

    def _aggregate(self, e: ast.Aggregate) -> tuple[Expr, Type] | None:
        func = AGGREGATES.get(e.func)
        if func is None:
            near = nearest(e.func, list(AGGREGATES))
            self.error(e.span, f"没有名为「{e.func}」的汇总", hint=f"是否指「{near}」？" if near else
                       "可用：合计、人数、任一、全部、最大、最小、平均、唯一", code="E352")
            return None
        source = self._list_source(e.source)
        if source is None:
            return None
        src_node, record = source
        filt, value = e.filter, e.value
        if func in ("any", "all") and value is None:
            filt, value = None, filt  # 任一(成员 中 年龄 < 8岁): the condition is what is tested
        if func == "count" and value is not None:
            self.error(value.span, f"「{e.func}」数的是项数，不取「的 …」", hint=f"写「{e.func}({self.text(e.source.span)} 中 条件)」",
                       code="E352")
            return None
        if func not in ("count", "any", "all") and value is None:
            self.error(e.span, f"「{e.func}」要写明汇总哪一项：「{e.func}({self.text(e.source.span)} 的 …)」", code="E352")
            return None
        assert isinstance(e.source, ast.Name)  # INVARIANT: _list_source accepts only a name
        self.items.append(ItemContext(e.source.name, record, None))
        try:
            f = self._expr(filt, T.BOOL) if filt is not None else None
            v = self._expr(value, None) if value is not None else None
        finally:
            self.items.pop()
        if (filt is not None and f is None) or (value is not None and v is None):
            return None
        if f is not None:
            self._expect_bool(f[1], filt.span if filt is not None else e.span)
        zero: Decimal | int = 0
        if func == "count":
            ty = T.num((("人", 1),), integer=True) if e.func == "人数" else T.INT
        elif func in ("any", "all"):
            assert v is not None and value is not None
            self._expect_bool(v[1], value.span)
            ty = T.BOOL
        elif func == "one":  # 唯一(各月 中 月份 = 2019年7月 的 收入): the one item's value, of any type
            assert v is not None
            ty = attrs.evolve(v[1], zero=False)
        else:
            assert v is not None and value is not None
            vty = v[1]
            if vty.kind != "num" and not (func in ("max", "min") and vty.kind == "date"):
                self.error(value.span, f"「{e.func}」的对象应是数值，这里是「{vty.display()}」",
                           hint=unit_hint(vty, T.MONEY), code="E354")
                return None
            ty = attrs.evolve(vty, zero=False)
            if func == "mean":
                ty = attrs.evolve(ty, integer=False, time=None)
            zero = 0 if ty.integer else Decimal(0)
        node = self.mk(ir.Aggregate, e.span, func, src_node, f[0] if f else None, v[0] if v else None, zero,
                       e.func)
        return node, ty

    def _list_source(self, source: ast.Expr) -> tuple[Expr, str] | None:
        """The list an aggregate reads: a list input, named."""
        if isinstance(source, ast.Name):
            ty = self.input_types.get(source.name)
            if ty is not None and ty.kind == "list":
                assert ty.record is not None  # INVARIANT: a list type names its record
                if self.current:
                    self.input_deps[self.current].add(source.name)
                return self.mk(ir.Input, source.span, source.name), ty.record
            self._not_a_list(source.name, source.span, "汇总")
            return None
        self._not_a_list(self.text(source.span), source.span, "汇总")
        return None

    def _not_a_list(self, name: str, span: ast.Span, what: str) -> None:
        lists = [n for n, t in self.input_types.items() if t.kind == "list"]
        near = nearest(name, lists) if lists else None
        if near:
            hint = f"是否指列表「{near}」？"
        elif lists:
            hint = "可用的列表：" + "、".join(lists)
        else:
            hint = "列表要先声明：「类型 家庭成员：」下逐行写字段，再「输入 成员：家庭成员的列表」"
        self.error(span, f"「{name}」不是列表，不能{what}", hint=hint, code="E355")

    # ------------------------------------------------------------ the value in a given month

    def _e_MonthOf(self, e: ast.MonthOf, hint: Type | None) -> tuple[Expr, Type] | None:
        """当年1月的 居住面积: the field (or per-item value) of the one item of a monthly series in
        that month. The series is the list whose record has the field; its month field is the
        record's 适用日期 field, else its 主键 if that is a date. 当年 is the year of the item's
        date inside an item of a list with a 适用日期 field, else of the evaluation date."""
        m = re.fullmatch(r"(\d{4}年|[^\d]+)(\d{1,2})月", e.month)
        assert m is not None  # INVARIANT: the MONTH_OF terminal only matches this shape
        month = int(m[2])
        if not 1 <= month <= 12:
            self.error(e.span, f"「{e.month}」不是有效的月份（1月至12月）", code="E358")
            return None
        found = self._month_series(e)
        if found is None:
            return None
        source, record, field = found
        target = self._month_target(e, m[1], month)
        self.items.append(ItemContext(source, record, None))
        try:
            r = self._expr(ast.Name(e.name, span=e.span), None)
        finally:
            self.items.pop()
        if r is None:
            return None
        if self.current:
            self.input_deps[self.current].add(source)
        src = self.mk(ir.Input, e.span, source)
        node = self.mk(ir.InMonth, e.span, src, field, target, r[0], f"{e.month}的 {e.name}")
        return node, attrs.evolve(r[1], zero=False)

    def _month_series(self, e: ast.MonthOf) -> tuple[str, str, str] | None:
        """The list (and its record and month field) that `e.name` is a field or per-item value of."""
        name = e.name
        lists = {n: t.record for n, t in self.input_types.items() if t.kind == "list" and t.record is not None}
        each = self.each_of.get(name) or (self.defs[name].each if name in self.defs else None)
        if each is not None and each in lists:
            owners = [each]
        else:
            owners = [n for n, rec in lists.items() if name in self.records.get(rec, {})]
        if not owners:
            known = sorted({f for rec in lists.values() for f in self.records.get(rec, {})})
            near = nearest(name, known) if known else None
            self.error(e.span, f"「{e.month}的 {name}」：「{name}」不是列表的字段，也不是逐项计算的定义",
                       hint=f"是否指字段「{near}」？" if near else
                       "某月的值取自按月的列表：如「类型 月度数据：」下写「月份：年月，主键」，再「输入 各月：月度数据的列表」",
                       code="E358")
            return None
        if len(owners) > 1:
            self.error(e.span, f"「{e.month}的 {name}」：列表{'、'.join(f'「{o}」' for o in owners)}都有字段「{name}」，"
                               "不知取哪一个列表", hint=f"用「唯一({owners[0]} 中 {self._month_field(lists[owners[0]])} = … "
                                                       f"的 {name})」指明列表",
                       code="E358")
            return None
        source = owners[0]
        record = lists[source]
        fields = self.records.get(record, {})
        field = self._month_field(record)
        if field is None:
            dates = [f for f, (_fd, ty) in fields.items() if ty.kind == "date"]
            example = dates[0] if dates else "月份"
            self.error(e.span, f"「{e.month}的 {name}」：列表「{source}」的各项没有标明所属月份",
                       hint=f"在类型「{record}」中给年月或日期字段写「，适用日期」或「，主键」，"
                            f"如「{example}：年月，主键」", code="E358")
            return None
        return source, record, field

    def _month_field(self, record: str) -> str | None:
        """The field saying which month an item is: the 适用日期 field, else a 日期 or 年月 主键."""
        roles = self.record_roles.get(record, {})
        fields = self.records.get(record, {})
        key = roles.get("主键")
        if "适用日期" not in roles and key in fields and fields[key][1].kind == "date":
            return key
        return roles.get("适用日期")

    def _month_target(self, e: ast.MonthOf, year: str, month: int) -> Expr:
        """The year-month `e` names: a constant, or computed from the reference date's year."""
        if year[:-1].isdigit():
            return self.mk(ir.Const, e.span, datetime.date(int(year[:-1]), month, 1))
        ctx = self.items[-1] if self.items else None
        dated = self.record_roles.get(ctx.record, {}).get("适用日期") if ctx is not None else None
        on: Expr = self.mk(ir.Field, e.span, dated) if dated is not None else self.mk(ir.AsOf, e.span)
        first = self.mk(ir.Call, e.span, "year_month", (on,))
        # (month + 12 × years) − the reference date's month: the months to add to its year-month
        shift = self.mk(ir.Arith, e.span, "-", self.mk(ir.Const, e.span, month + 12 * _YEARS[year]),
                        self.mk(ir.Call, e.span, "month", (on,)), True)
        return self.mk(ir.Call, e.span, "add_months", (first, shift))

    # ------------------------------------------------------------ examples

    def example_records(self, lit: ast.RecordsValue, name: str, ex: str) -> tuple[dict[str, Any], ...] | None:
        """A list input written in an example: one dict of field values an item (in the fields'
        declared units, as an input's value is given)."""
        ty = self.input_types.get(name)
        if ty is None or ty.kind != "list" or ty.record is None:
            self.error(lit.span, f"例「{ex}」：输入「{name}」不是列表，不能逐行列出各项", code="E340")
            return None
        fields = self.records[ty.record]
        items = []
        for line in lit.items:
            item: dict[str, Any] = {}
            for fname, value in line:
                if fname not in fields:
                    near = nearest(fname, list(fields))
                    self.error(value.span, f"例「{ex}」：「{ty.record}」没有字段「{fname}」",
                               hint=f"是否指「{near}」？" if near else None, code="E341")
                    continue
                fd, fty = fields[fname]
                converted = self._literal(value, fty, f"例「{ex}」的「{name}」中「{fname}」")
                scale = self._input_scale(fd.type)
                if converted is not None and fty.kind == "num" and scale != 1:
                    converted = Decimal(converted) / scale
                item[fname] = converted
            items.append(item)
        return tuple(items)

    def example_list(self, lit: ast.ListValue, name: str, ty: Type, ex: str) -> tuple[Any, ...] | None:
        """An expected list (555元、625元、1850元) for a per-item definition."""
        if name not in self.each_of:
            self.error(lit.span, f"例「{ex}」：「{name}」不是逐项计算的，只有一个值", code="E340")
            return None
        return tuple(self._literal(item, ty, f"例「{ex}」期望的「{name}」") for item in lit.items)
