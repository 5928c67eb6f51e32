"""Check a file: documents, declarations, definitions and examples; the result carries the typed IR.

Expressions, tables, conditions and dated values are checked and lowered by lower.ExprChecker.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import attrs

from guize.compiler import articles, ast
from guize.compiler import types as T
from guize.compiler.assertions import CheckedAssertion, check_assertions
from guize.compiler.diagnostics import Diagnostic, nearest
from guize.compiler.lists import LIST_SUFFIX, ListChecker
from guize.compiler.lower import Validity, norm, parse_rounding, unit_hint
from guize.compiler.types import Type
from guize.compiler.units import declare_units
from guize.runtime import dates, ir

_KIND_WORDS = {kind: word for word, kind in ast.DEF_KINDS.items()}
_TYPE_WORDS = {"金额": T.MONEY, "比率": T.RATE, "整数": T.INT, "数量": T.NUM, "数值": T.NUM,
               "超额累进": T.EXCESS_SCALE, "全额累进": T.WHOLE_SCALE,
               "是否": T.BOOL, "日期": T.DATE, "百分点": T.POINTS,
               "期间": T.DURATION, "年龄": T.AGE, "年月": T.YEAR_MONTH}
# A definition whose value is a time read as the law words it: its value is wrapped so that
# it shows as 5年7个月 / 60岁1个月 / 2025年2月 (and P5Y7M / 2025-02 in JSON).
_TIME_WRAP = {"duration": "as_period", "age": "as_age", "year_month": "as_year_month"}


@attrs.frozen
class CheckedPolicy:
    """Everything the code generator and the corpus need from one checked file."""

    path: str
    source_sha256: str
    documents: tuple[dict[str, Any], ...]
    inputs: tuple[dict[str, Any], ...]
    defs: dict[str, ir.Definition]
    order: tuple[str, ...]  # definitions in dependency order
    outputs: tuple[str, ...]
    slots: int  # number of dated nodes
    examples: tuple[dict[str, Any], ...]
    diagnostics: tuple[Diagnostic, ...]
    tree: ast.RuleFile = attrs.field(eq=False, repr=False)
    assertions: tuple[CheckedAssertion, ...] = ()  # 断言, checked by guize test, proved by guize verify

    @property
    def document(self) -> dict[str, Any] | None:
        return self.documents[0] if len(self.documents) == 1 else None


def validity(doc: ast.Document) -> Validity:
    start = doc.effective or doc.published
    last = doc.end
    if last is None and doc.duration_years and start:
        last = dates.last_day_of_term(start, doc.duration_years)
    return Validity(start, last)

class Checker(ListChecker):
    # ------------------------------------------------------------ driver

    def run(self, source_sha: str) -> CheckedPolicy:
        tree = self.tree
        docs = tuple(self._document(d) for d in tree.documents)
        has_rules = bool(tree.inputs or tree.definitions or tree.examples)
        if has_rules and len(tree.documents) != 1:
            span = tree.definitions[0].span if tree.definitions else (
                tree.inputs[0].span if tree.inputs else tree.examples[0].span)
            if not tree.documents:
                self.error(span, "规则文件缺少「文件：」说明（标题、文号、施行日期）",
                           hint="在文件开头写「文件：」并缩进列出标题、文号、施行日期", code="E201")
            else:
                self.error(tree.documents[1].span, "含有规则的文件只能说明一个文件；"
                           "多个文件请分开写，或只保留元数据", code="E201")
        if len(tree.documents) == 1:
            self.doc_validity = validity(tree.documents[0])
        declare_units(self, tree.units)
        self._declare()
        for name in self.defs:
            self._check_def(name)
        self._late_versions()
        order = self._order()
        outputs = tuple(d.name for d in tree.definitions if d.kind == "output" and d.name in self.lowered)
        if has_rules and not outputs and not self.diags:
            self.warn(tree.definitions[0].span if tree.definitions else ast.NO_SPAN,
                      "文件没有任何「输出」", code="W201")
        examples = tuple(self._example(ex) for ex in tree.examples)
        assertions = check_assertions(self, tree.assertions)
        defs = {}
        for name in order:
            d = self.defs[name]
            ty = self.def_types[name]
            cite = d.body.cite  # d.cite
            defs[name] = ir.Definition(
                name, d.kind, ty.display(), _value_kind(ty), self.lowered[name], self._rounding(d, ty),
                cite.articles if cite else (), d.span.line, tuple(sorted(self.deps.get(name, ()))),
                tuple(sorted(self.input_deps.get(name, ()))), d.negative, d.given)
        inputs = tuple(self._input_spec(i) for i in tree.inputs if i.name in self.input_types)
        # 可作输入: each such definition is also an optional input of the same name.
        inputs += tuple(self._given_spec(self.defs[n]) for n in order if self.defs[n].given)
        self.diags.extend(articles.check(tree))
        if tree.articles and len(docs) == 1:  # the law's text travels with the document (explain, doc)
            docs = ({**docs[0], "articles": tuple(articles.held(tree).items())},)
        return CheckedPolicy(tree.path, source_sha, docs, inputs, defs, order, outputs, self.slot,
                             examples, tuple(self.diags), tree, assertions)

    def expression(self, e: ast.Expr) -> tuple[ir.Expr, Type] | None:
        """An expression outside any definition (a 断言's condition), checked and lowered."""
        return self._expr(e, None)

    def _late_versions(self) -> None:
        """W280 once per file: the values whose first version begins after the document does."""
        v = self.doc_validity
        if not self.late_versions or v is None or v.start is None:
            return
        first = min(self.late_versions, key=lambda late: (late[0].line, late[0].column))
        items = "、".join(f"「{name}」（自{dates.cn(start)}起）" for _span, name, start in self.late_versions)
        count = len(self.late_versions)
        self.warn(first[0], f"文件自 {dates.cn(v.start)} 起施行，但有 {count} 项取值此后才开始：{items}；"
                            "在此之前计算用到它们的输出会被拒绝",
                  hint="如确属政策空档，可忽略；否则把第一个版本的起始日改为文件施行日期", code="W280")

    # ------------------------------------------------------------ documents

    def _document(self, doc: ast.Document) -> dict[str, Any]:
        fs = doc.field_spans
        if doc.effective is None and doc.published is None:
            self.warn(doc.span, "文件没有写施行日期或发布日期，无法判断何时有效", code="W210")
        if doc.effective and doc.published and doc.effective < doc.published and not doc.note:
            self.warn(fs.get("effective", doc.span),
                      f"施行日期 {dates.cn(doc.effective)} 早于发布日期 {dates.cn(doc.published)}",
                      hint="溯及既往的文件请在备注中说明", code="W211")
        start = doc.effective or doc.published
        if doc.end and start and doc.end < start:
            self.error(fs.get("end", doc.span),
                       f"截止日期 {dates.cn(doc.end)} 早于施行日期 {dates.cn(start)}", code="E210")
        if doc.duration_years is not None and doc.duration_years <= 0:
            self.error(fs.get("duration_years", doc.span), "有效期必须是正的年数", code="E211")
        elif doc.end and doc.duration_years and start:
            by_term = dates.last_day_of_term(start, doc.duration_years)
            if by_term != doc.end:
                self.error(fs.get("end", doc.span),
                           f"截止日期 {dates.cn(doc.end)} 与有效期{doc.duration_years}年不符："
                           f"自 {dates.cn(start)} 起{doc.duration_years}年，最后一日应为 {dates.cn(by_term)}",
                           hint="删去其一，或改正日期", code="E212")
        for rep in doc.repeals:
            if rep.since and start and rep.since < start:
                self.warn(rep.span, f"废止日期 {dates.cn(rep.since)} 早于本文件施行日期 {dates.cn(start)}",
                          code="W212")
            for ref in rep.refs:
                if doc.docno and ref.docno == doc.docno:
                    self.error(ref.span, "文件不能废止自己", code="E213")
        v = validity(doc)
        return {
            "title": doc.title,
            "docno": doc.docno,
            "issuer": doc.issuer,
            "published": doc.published,
            "effective": doc.effective,
            "start": v.start,
            "last_day": v.last,
            "end": doc.end,
            "duration_years": doc.duration_years,
            "repeals": tuple((r.title, r.docno, rep.since, rep.replaces, rep.span.line)
                             for rep in doc.repeals for r in rep.refs),
            "history": tuple((h.date, h.action, h.ref.title if h.ref else None,
                              h.ref.docno if h.ref else None) for h in doc.history),
            "note": doc.note,
            "line": doc.span.line,
            **({"amends": (doc.amends.title, doc.amends.docno)} if doc.amends else {}),
            **({"adopts": (doc.adopts.title, doc.adopts.docno)} if doc.adopts else {}),
        }

    # ------------------------------------------------------------ declarations

    def _declare(self) -> None:
        seen: dict[str, tuple[ast.Span, str]] = {}

        def claim(name: str, span: ast.Span, what: str) -> bool:
            if name in seen:
                prev, prev_what = seen[name]
                if (prev_what == "输入") != (what == "输入"):
                    self.error(span, f"{what}「{name}」与第 {prev.line} 行的{prev_what}「{name}」同名",
                               hint=f"{prev_what}和{what}不能同名，请给其中一个改名"
                                    f"（如把输入改为「申报{name}」，或把{what}改为「应付{name}」）", code="E220")
                else:
                    self.error(span, f"{what}「{name}」重复：第 {prev.line} 行已经声明过", code="E220")
                return False
            seen[name] = (span, what)
            return True

        for td in self.tree.types:
            if td.name in self.enums:
                self.error(td.span, f"类型「{td.name}」重复声明", code="E220")
                continue
            if len(set(td.members)) != len(td.members):
                self.error(td.span, f"类型「{td.name}」的取值有重复", code="E221")
            self.enums[td.name] = td.members
        self.declare_records()
        for inp in self.tree.inputs:
            if not claim(inp.name, inp.span, "输入"):
                continue
            self.inputs[inp.name] = inp
            ty = self._type_spec(inp.type, inp.name)
            if ty is not None and ty.kind == "scale":
                self.error(inp.type.span, f"输入「{inp.name}」不能是累进税率表；税率表写成「表 名称：超额累进」并逐档列出",
                           code="E233")
            elif ty is not None:
                if inp.negative and ty.kind != "num":
                    self.error(inp.span, f"「可为负」只用于数值输入，「{inp.name}」是{ty.display()}", code="E234")
                self.input_types[inp.name] = ty
                if inp.default is not None and ty.kind == "list":
                    self.error(inp.span, f"列表「{inp.name}」不能有默认值；没有项时传入空列表", code="E234")
                elif inp.default is not None:
                    self._literal(inp.default, ty, f"输入「{inp.name}」的默认值")
        for d in self.tree.definitions:
            if d.name == "评估日期":
                self.error(d.span, "「评估日期」是内置名称（计算所依据的日期），不能重新定义", code="E220")
                continue
            if claim(d.name, d.span, _KIND_WORDS.get(d.kind, "定义")):
                self.defs[d.name] = d

    def _type_spec(self, spec: ast.TypeSpec, owner: str) -> Type | None:
        if isinstance(spec, ast.InlineEnum):
            if owner in self.enums:
                self.error(spec.span, f"类型「{owner}」已经声明", code="E220")
            self.enums[owner] = spec.members
            return Type("enum", enum=owner)
        word = spec.word
        if word.endswith(LIST_SUFFIX):
            return self.list_type(spec)
        if word in self.enums and not spec.per and not spec.unit:
            return Type("enum", enum=word)
        if word in ("金额", "数量", "整数") and spec.per and not spec.unit:
            per = self._unit("元" if word == "金额" else spec.per, spec.per if word == "金额" else None,
                             spec.span)
            if per is None:
                return None
            if word != "金额":  # 整数/件 reads as "a count per 件": no numerator unit
                return T.num(T.dim_mul((), per[0], -1) if word == "数量" else per[0], integer=word == "整数")
            return T.num(per[0])
        if word in _TYPE_WORDS and not spec.per:
            base = _TYPE_WORDS[word]
            if spec.unit:
                unit = self._unit(spec.unit, spec.unit_per, spec.span)
                if unit is None:
                    return None
                if base.kind != "num" or base.rate:
                    self.error(spec.span, f"「{word}」不能带单位", code="E231")
                    return None
                # 金额（元）, 金额（万元）; also per something, as 金额（元/人/月） (docs/language.md §3)
                if word == "金额" and not (("元", 1) in unit[0] and all(
                        e < 0 for name, e in unit[0] if name != "元")):
                    written = spec.unit + (f"/{spec.unit_per}" if spec.unit_per else "")
                    self.error(spec.span, f"金额的单位应为元、万元或亿元（或如「元/人」），而不是「{written}」",
                               code="E231")
                    return None
                return T.num(unit[0], integer=base.integer)
            return base
        if word in self.units or spec.per:
            unit = self._unit(word, spec.per, spec.span)
            return T.num(unit[0]) if unit else None
        candidates = list(_TYPE_WORDS) + list(self.enums) + list(self.units)
        near = nearest(word, candidates)
        self.error(spec.span, f"不认识的类型「{word}」",
                   hint=f"是否指「{near}」？" if near else (
                       "可用类型：金额、比率、百分点、整数、数量（单位）、是否、日期、年月、年龄、期间、"
                       "文本（记录的字段），或用「类型」声明的枚举、记录"),
                   code="E232")
        return None

    def _input_scale(self, spec: ast.TypeSpec) -> Decimal:
        if isinstance(spec, ast.NamedType):
            unit = spec.unit or (spec.word if spec.word in self.units else None)
            per = spec.unit_per if spec.unit else spec.per
            if unit in self.units:
                scale = self.units[unit][1]
                if per in self.units:
                    scale /= self.units[per][1]
                return scale
        return Decimal(1)

    def _input_spec(self, inp: ast.InputDecl, ty: Type | None = None) -> dict[str, Any]:
        ty = ty or self.input_types[inp.name]
        default: Any = None
        if inp.default is not None:
            default = self._literal(inp.default, ty, "", report=False)
            scale = self._input_scale(inp.type)
            if default is not None and ty.kind == "num" and scale != 1:
                # Like an example's input: given in the declared unit (3万元 -> 3, 2年 -> 2).
                default = norm(Decimal(default) / scale)
                default = int(default) if ty.integer and default == int(default) else default
        unit_text = ""
        if isinstance(inp.type, ast.NamedType):
            unit_text = inp.type.unit or (inp.type.word if inp.type.word in self.units else "")
            per = inp.type.unit_per if inp.type.unit else inp.type.per
            if per:
                unit_text += "/" + per
        if ty.is_money and not unit_text:
            unit_text = "元"
        if ty.kind == "list":
            assert ty.record is not None  # INVARIANT: a list type names its record
            return {"name": inp.name, "kind": "list", "type": ty.display(), "unit": "", "scale": Decimal(1),
                    "members": (), "has_default": False, "default": None, "negative": False,
                    "cite": inp.cite.articles if inp.cite else (), "line": inp.span.line,
                    "fields": self.field_specs(ty.record),
                    **({"key": key} if (key := self.record_key(ty.record)) else {}),
                    **({"ordered": True} if self.in_time_order(inp.name, ty.record) else {})}
        return {
            "name": inp.name,
            "kind": _value_kind(ty),
            "type": ty.display(),
            "unit": unit_text,
            "scale": self._input_scale(inp.type),
            "members": self.enums.get(ty.enum or "", ()),
            "has_default": inp.default is not None,
            "default": default,
            "negative": inp.negative,
            "cite": inp.cite.articles if inp.cite else (),
            "line": inp.span.line,
        }

    # ------------------------------------------------------------ definitions

    def _check_def(self, name: str) -> Type | None:
        if name in self.def_types:
            return self.def_types[name]
        if name in self.failed:
            return None
        if name in self.checking:
            cycle = [*self.checking[self.checking.index(name):], name]
            d = self.defs[name]
            self.error(d.span, "定义之间循环引用：" + " → ".join(f"「{n}」" for n in cycle),
                       hint="检查这些定义，至少有一个不能依赖另一个", code="E240")
            return None
        d = self.defs[name]
        self.checking.append(name)
        saved = (self.current, self.cur_cite)
        self.current = name
        cite = d.body.cite  # d.cite
        self.cur_cite = cite.articles if cite else ()
        self.deps[name] = set()
        self.input_deps[name] = set()
        saved_items, self.items = self.items, []  # another definition's body is not in this one's item
        try:
            declared = self._type_spec(d.type, name) if d.type is not None else None
            if declared is not None and declared.kind == "enum" and isinstance(d.type, ast.InlineEnum):
                self.error(d.span, "定义的类型不能是临时列出的枚举；请先用「类型」声明", code="E232")
            if d.rounding and d.rounding.endswith(("年", "月")):
                self.error(d.span, f"「{d.rounding}」要写成函数，套在期间上",
                           hint=f"如「= {d.rounding}(不满一年部分)」", code="E317")
            self._options(d, declared)
            each = self.enter_each(d)
            result = self._value(d.body, hint=declared)
            if each:
                self.items.pop()
            if result is None:
                self.failed.add(name)
                return None
            node, ty = result
            if declared is not None:
                ok = T.join(declared, ty)
                if ok is None or (declared.kind == "num" and declared.integer and not ty.integer
                                  and not ty.zero):
                    self.error(d.span, f"「{name}」声明为{declared.display()}，但算出的是{ty.display()}",
                               hint=unit_hint(declared, ty), code="E250")
                    self.failed.add(name)
                    return None
                if declared.kind == "num":
                    ty = T.replaced(ty, declared.dim, declared.integer or ty.integer, declared.rate or ty.rate,
                                    False, declared.time)
            if ty.time is not None:
                node = self.mk(ir.Call, d.span, _TIME_WRAP[ty.time], (node,))
            if each:  # the body is each item's value; the definition's is the list of them
                node = self.leave_each(d, node, ty, self._item_rounding(d, ty))
            if ty.kind == "scale" and d.kind == "output":
                self.error(d.span, f"输出「{name}」不能是税率表本身；输出写成 累进计算(税率表，…) 等算出的数额",
                           code="E251")
                self.failed.add(name)
                return None
            if d.kind == "param" and self.deps[name] | self.input_deps[name]:
                self.warn(d.span, f"参数「{name}」依赖其他名称；参数应为政策规定的定值，公式请用「定义」",
                          code="W250")
            self.lowered[name] = node
            self.def_types[name] = ty
            return ty
        finally:
            self.checking.pop()
            self.current, self.cur_cite = saved
            self.items = saved_items

    def _item_rounding(self, d: ast.Definition, ty: Type) -> tuple[str, Decimal] | None:
        """A per-item definition's rounding, applied to each item's value (its body)."""
        return self._rounding(attrs.evolve(d, each=None), ty)

    def _options(self, d: ast.Definition, declared: Type | None) -> None:
        """可为负 and 可作输入 in a definition's head: what they apply to."""
        if d.negative and declared is not None and declared.kind != "num":
            self.error(d.span, f"「可为负」只用于数值，「{d.name}」的类型是{declared.display()}",
                       hint="去掉「，可为负」", code="E235")
        if d.given and d.kind not in ("def", "output"):
            word = "参数" if d.kind == "param" else "表"
            self.error(d.span, f"「可作输入」只用于「定义」和「输出」，「{d.name}」是{word}",
                       hint=f"把「{word} {d.name}」改为「定义 {d.name}」，或去掉「，可作输入」", code="E236")
        elif d.given and declared is not None and declared.kind == "scale":
            self.error(d.span, f"税率表「{d.name}」不能「可作输入」", hint="去掉「，可作输入」", code="E236")
        elif d.given and d.each is not None:
            # The given value would have to be one value per item, keyed as the items are: a
            # number given for it was read as every item's value (and crashed where indexed).
            self.error(d.span, f"按列表逐项计算的「{d.name}」不能「可作输入」",
                       hint="去掉「，可作输入」；调用方已知各项的值时，把它写成记录类型的字段", code="E360")

    def _given_spec(self, d: ast.Definition) -> dict[str, Any]:
        """The input a 可作输入 definition is also: the definition's type, optional, no default."""
        assert d.type is not None  # INVARIANT: the grammar puts 可作输入 after a type
        spec = self._input_spec(ast.InputDecl(d.name, d.type, None, d.cite, d.negative, span=d.span),
                                self.def_types[d.name])
        return {**spec, "given": True, "has_default": True}

    def _rounding(self, d: ast.Definition, ty: Type) -> tuple[str, Decimal] | None:
        if d.each is not None:  # rounded item by item, inside the Each (see _item_rounding)
            return None
        if d.rounding and d.rounding.endswith(("年", "月")):
            # INVARIANT: reported by _check_def; a duration is rounded by the function form
            return None
        if d.rounding:
            text = d.rounding
            if text == "不舍入":
                return None
            mode, quantum = parse_rounding(text)
            return (mode, quantum)
        if d.kind == "output" and ty.is_money:
            return ("half_up", Decimal("0.01"))
        return None

    def _order(self) -> tuple[str, ...]:
        order: list[str] = []
        done: set[str] = set()

        def visit(n: str) -> None:
            if n in done or n not in self.lowered:
                return
            done.add(n)
            for dep in sorted(self.deps.get(n, ())):
                visit(dep)
            order.append(n)

        for d in self.tree.definitions:
            visit(d.name)
        return tuple(order)

    # ------------------------------------------------------------ literals and examples

    def _literal(self, lit: ast.LitValue, ty: Type, what: str, report: bool = True) -> Any:
        v = lit.value
        bad = None
        if ty.kind == "bool":
            if isinstance(v, ast.Bool):
                return v.value
            bad = "应为「是」或「否」"
        elif ty.kind == "date":
            if isinstance(v, ast.DateLit) and v.year_month == (ty.time == "year_month"):
                # a year-month is the runtime's YearMonth (JSON "2025-02"), as evaluate returns it
                return dates.year_month(v.value) if v.year_month else v.value
            bad = "应为年月（如 2025年2月）" if ty.time == "year_month" else "应为日期"
        elif ty.kind == "text":  # 姓名 = 张三 (a record's 文本 field, in an example)
            if isinstance(v, ast.Name):
                return v.name
            bad = "应为文字（如 张三；含数字、空格或括号的写在「」中，如 「65010220141201123X」）"
        elif ty.kind == "enum":
            members = self.enums.get(ty.enum or "", ())
            if isinstance(v, ast.Name) and v.name in members:
                return v.name
            bad = f"应为{'、'.join(members)}之一"
        elif ty.kind == "num":
            if isinstance(v, ast.Number):
                res = self._number(v)
                if res is None:
                    return None
                node, nty = res
                assert isinstance(node, ir.Const) and isinstance(node.value, (Decimal, int))
                value = -node.value if lit.negative else node.value
                if nty.kind == "points":
                    bad = "不能用「个百分点」表示取值"
                elif (nty.dim != ty.dim and not (nty.dim == () and not nty.rate and ty.dim)
                      and not (ty.rate and nty.dim == ())):
                    bad = f"单位应为{ty.display()}"
                if bad is None:
                    if ty.integer and value != int(value):
                        bad = "应为整数"
                    else:
                        return int(value) if ty.integer else value
            else:
                bad = f"应为数值（{ty.display()}）"
        if report and bad:
            self.error(lit.span, f"{what}{bad}", code="E340")
        return None

    def _example(self, ex: ast.Example) -> dict[str, Any]:
        inputs: dict[str, Any] = {}
        for name, lit in ex.inputs:
            given = self.defs.get(name)  # a 可作输入 definition given directly
            if given is not None and given.given and given.type is not None:
                decl: ast.TypeSpec = given.type
                ty = self.def_types.get(name)
            elif name in self.inputs:
                decl, ty = self.inputs[name].type, self.input_types.get(name)
            else:
                near = nearest(name, list(self.inputs))
                hint = f"是否指「{near}」？" if near else None
                if given is not None:
                    hint = f"「{name}」是定义：要在例子中直接给出，声明时写「，可作输入」"
                self.error(lit.span, f"例「{ex.name}」：没有名为「{name}」的输入", hint=hint, code="E341")
                continue
            if isinstance(lit, ast.RecordsValue):
                inputs[name] = self.example_records(lit, name, ex.name)
                continue
            if ty is not None and ty.kind == "list":
                self.error(lit.span, f"例「{ex.name}」：输入「{name}」是列表，请在下面缩进逐行列出各项",
                           hint=f"写「{name}：」，下一行起每行一项，如「  月收入 = 1000元，年龄 = 30岁」；没有项写「{name} = 空列表」",
                           code="E340")
                continue
            if ty is not None:
                value = self._literal(lit, ty, f"例「{ex.name}」的输入「{name}」")
                scale = self._input_scale(decl)
                if value is not None and ty.kind == "num" and scale != 1:
                    # Examples state amounts with their unit (100万元); the input itself is
                    # given in its declared unit (万元), so store the number in that unit.
                    value = norm(Decimal(value) / scale)
                inputs[name] = value
        expects: dict[str, Any] = {}
        for name, want in ex.expects:
            if name not in self.defs:
                near = nearest(name, list(self.defs))
                self.error(want.span, f"例「{ex.name}」：没有名为「{name}」的定义或输出",
                           hint=f"是否指「{near}」？" if near else None, code="E342")
                continue
            ty = self.def_types.get(name)
            if ty is None:
                continue
            if isinstance(want, ast.ListValue):
                expects[name] = self.example_list(want, name, ty, ex.name)
            elif name in self.each_of:  # one item: the list of one value
                expects[name] = (self._literal(want, ty, f"例「{ex.name}」期望的「{name}」"),)
            else:
                expects[name] = self._literal(want, ty, f"例「{ex.name}」期望的「{name}」")
        if ex.date is None:
            self.error(ex.span, f"例「{ex.name}」没有写「日期：」", hint="加一行「日期：2025年3月1日」", code="E343")
        if not ex.expects and not ex.expect_not_in_force and ex.expect_error is None:
            self.error(ex.span, f"例「{ex.name}」没有任何「期望」", code="E344")
        return {
            "name": ex.name,
            "date": ex.date,
            "inputs": inputs,
            "expects": expects,
            "not_in_force": ex.expect_not_in_force,
            "error": ex.expect_error,
            **({"known_on": ex.known_on} if ex.known_on is not None else {}),
            "line": ex.span.line,
            "file": ex.span.file,
        }


# ---------------------------------------------------------------- helpers


def _value_kind(ty: Type) -> str:
    if ty.time is not None:
        return ty.time
    if ty.kind == "num":
        if ty.is_money:
            return "money"
        if ty.rate:
            return "rate"
        if ty.integer:
            return "int"
        return "quantity"
    return ty.kind



def document_record(tree: ast.RuleFile, source: str, doc: ast.Document) -> dict[str, Any]:
    """A document's metadata as the compiled module's DOCUMENTS hold it (for compiler/amend.py)."""
    return Checker(tree, source)._document(doc)


def check(tree: ast.RuleFile, source: str) -> CheckedPolicy:
    """Check a parsed file; the result carries every diagnostic found."""
    sha = hashlib.sha256(source.encode("utf-8")).hexdigest()
    return Checker(tree, source).run(sha)
