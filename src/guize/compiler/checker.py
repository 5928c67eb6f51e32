"""Resolve names and check types, units and dates; lower the syntax tree to the checked tree (runtime.ir)."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal
from typing import Any

import attrs

from guize.compiler import ast
from guize.compiler import types as T
from guize.compiler.diagnostics import Diagnostic, nearest
from guize.compiler.lexicon import KEYWORD_WORDS, PER_UNITS, PERCENT_UNITS, POINTS_UNIT, UNITS
from guize.compiler.types import Type
from guize.runtime import dates
from guize.runtime.ir import Node

_TYPE_WORDS = {"金额": T.MONEY, "比率": T.RATE, "整数": T.INT, "数量": T.NUM, "数值": T.NUM,
               "是否": T.BOOL, "日期": T.DATE, "百分点": T.POINTS}

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
    "相差年数": ("years_between", ("date", "date"), T.num((("年", 1),), integer=True)),
    "加月": ("add_months", ("date", "int"), T.DATE),
    "加年": ("add_years", ("date", "int"), T.DATE),
    "加天": ("add_days", ("date", "int"), T.DATE),
    "绝对值": ("abs", ("num",), T.ANY),
}
_MINMAX = {"取较小值": "min", "取较大值": "max"}
_KIND_WORDS = {kind: word for word, kind in ast.DEF_KINDS.items()}


@attrs.frozen
class Validity:
    start: datetime.date | None
    last: datetime.date | None  # inclusive; None: open-ended


@attrs.frozen
class CheckedPolicy:
    """Everything the code generator and the corpus need from one checked file."""

    path: str
    source_sha256: str
    documents: tuple[dict[str, Any], ...]
    inputs: tuple[dict[str, Any], ...]
    defs: dict[str, dict[str, Any]]
    order: tuple[str, ...]  # definitions in dependency order
    outputs: tuple[str, ...]
    slots: int  # number of dated nodes
    examples: tuple[dict[str, Any], ...]
    diagnostics: tuple[Diagnostic, ...]
    tree: ast.RuleFile = attrs.field(eq=False, repr=False)

    @property
    def document(self) -> dict[str, Any] | None:
        return self.documents[0] if len(self.documents) == 1 else None


def validity(doc: ast.Document) -> Validity:
    start = doc.effective or doc.published
    last = doc.end
    if last is None and doc.duration_years and start:
        last = dates.last_day_of_term(start, doc.duration_years)
    return Validity(start, last)


class Checker:
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
        self.lowered: dict[str, Node] = {}
        self.deps: dict[str, set[str]] = {}
        self.input_deps: dict[str, set[str]] = {}
        self.slot = 0
        self.current: str | None = None
        self.doc_validity: Validity | None = None
        self.cur_cite: tuple[str, ...] = ()

    # ------------------------------------------------------------ reporting

    def text(self, span: ast.Span) -> str:
        """The source text under a one-line span, for labels and messages."""
        if span.line == span.end_line and 0 < span.line <= len(self.lines):
            return self.lines[span.line - 1][span.column - 1:span.end_column - 1]
        return "…"

    def error(self, span: ast.Span, message: str, hint: str | None = None, code: str = "E200") -> None:
        self.diags.append(Diagnostic("error", code, message, span, hint, self._article()))

    def warn(self, span: ast.Span, message: str, hint: str | None = None, code: str = "W200") -> None:
        self.diags.append(Diagnostic("warning", code, message, span, hint, self._article()))

    def _article(self) -> str | None:
        return "、".join(self.cur_cite) if self.cur_cite else None

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
        self._declare()
        for name in self.defs:
            self._check_def(name)
        order = self._order()
        outputs = tuple(d.name for d in tree.definitions if d.kind == "output" and d.name in self.lowered)
        if has_rules and not outputs and not self.diags:
            self.warn(tree.definitions[0].span if tree.definitions else ast.NO_SPAN,
                      "文件没有任何「输出」", code="W201")
        examples = tuple(self._example(ex) for ex in tree.examples)
        defs = {}
        for name in order:
            d = self.defs[name]
            ty = self.def_types[name]
            defs[name] = {
                "name": name,
                "kind": d.kind,
                "type": ty.display(),
                "value_kind": _value_kind(ty),
                "expr": self.lowered[name],
                "round": self._rounding(d, ty),
                "cite": d.cite.articles if d.cite else (),
                "line": d.span.line,
                "deps": tuple(sorted(self.deps.get(name, ()))),
                "inputs": tuple(sorted(self.input_deps.get(name, ()))),
            }
        inputs = tuple(self._input_spec(i) for i in tree.inputs if i.name in self.input_types)
        return CheckedPolicy(tree.path, source_sha, docs, inputs, defs, order, outputs, self.slot,
                             examples, tuple(self.diags), tree)

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
        for inp in self.tree.inputs:
            if not claim(inp.name, inp.span, "输入"):
                continue
            self.inputs[inp.name] = inp
            ty = self._type_spec(inp.type, inp.name)
            if ty is not None:
                self.input_types[inp.name] = ty
                if inp.default is not None:
                    self._literal(inp.default, ty, f"输入「{inp.name}」的默认值")
        for d in self.tree.definitions:
            if d.name == "评估日期":
                self.error(d.span, "「评估日期」是内置名称（计算所依据的日期），不能重新定义", code="E220")
                continue
            if claim(d.name, d.span, _KIND_WORDS.get(d.kind, "定义")):
                self.defs[d.name] = d

    def _unit(self, word: str, per: str | None, span: ast.Span) -> tuple[T.Dim, Decimal] | None:
        dim: T.Dim = ()
        scale = Decimal(1)
        for part, sign in ((word, 1), (per, -1)):
            if part is None:
                continue
            if part not in UNITS:
                near = nearest(part, list(UNITS))
                self.error(span, f"不认识的单位「{part}」", hint=f"是否指「{near}」？" if near else
                           "可用单位：" + "、".join(list(UNITS)[:12]) + "……", code="E230")
                return None
            canon, sc = UNITS[part]
            dim = T.dim_mul(dim, ((canon, 1),), sign)
            scale = scale * sc if sign == 1 else scale / sc
        return dim, scale

    def _type_spec(self, spec: ast.TypeSpec, owner: str) -> Type | None:
        if isinstance(spec, ast.InlineEnum):
            if owner in self.enums:
                self.error(spec.span, f"类型「{owner}」已经声明", code="E220")
            self.enums[owner] = spec.members
            return Type("enum", enum=owner)
        word = spec.word
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
                if word == "金额" and unit[0] != (("元", 1),):
                    self.error(spec.span, f"金额的单位应为元、万元或亿元，而不是「{spec.unit}」", code="E231")
                    return None
                return T.num(unit[0], integer=base.integer)
            return base
        if word in UNITS or spec.per:
            unit = self._unit(word, spec.per, spec.span)
            return T.num(unit[0]) if unit else None
        candidates = list(_TYPE_WORDS) + list(self.enums) + list(UNITS)
        near = nearest(word, candidates)
        self.error(spec.span, f"不认识的类型「{word}」",
                   hint=f"是否指「{near}」？" if near else "可用类型：金额、比率、整数、数量（单位）、是否、日期，或用「类型」声明的枚举",
                   code="E232")
        return None

    def _input_scale(self, spec: ast.TypeSpec) -> Decimal:
        if isinstance(spec, ast.NamedType):
            unit = spec.unit or (spec.word if spec.word in UNITS else None)
            per = spec.unit_per if spec.unit else spec.per
            if unit in UNITS:
                scale = UNITS[unit][1]
                if per in UNITS:
                    scale /= UNITS[per][1]
                return scale
        return Decimal(1)

    def _input_spec(self, inp: ast.InputDecl) -> dict[str, Any]:
        ty = self.input_types[inp.name]
        default: Any = None
        if inp.default is not None:
            default = self._literal(inp.default, ty, "", report=False)
        unit_text = ""
        if isinstance(inp.type, ast.NamedType):
            unit_text = inp.type.unit or (inp.type.word if inp.type.word in UNITS else "")
            per = inp.type.unit_per if inp.type.unit else inp.type.per
            if per:
                unit_text += "/" + per
        if ty.is_money and not unit_text:
            unit_text = "元"
        return {
            "name": inp.name,
            "kind": _value_kind(ty),
            "type": ty.display(),
            "unit": unit_text,
            "scale": self._input_scale(inp.type),
            "members": self.enums.get(ty.enum or "", ()),
            "has_default": inp.default is not None,
            "default": default,
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
        self.cur_cite = d.cite.articles if d.cite else ()
        self.deps[name] = set()
        self.input_deps[name] = set()
        try:
            declared = self._type_spec(d.type, name) if d.type is not None else None
            if declared is not None and declared.kind == "enum" and isinstance(d.type, ast.InlineEnum):
                self.error(d.span, "定义的类型不能是临时列出的枚举；请先用「类型」声明", code="E232")
            result = self._value(d.body, hint=declared)
            if result is None:
                self.failed.add(name)
                return None
            node, ty = result
            if declared is not None:
                ok = T.join(declared, ty)
                if ok is None or (declared.kind == "num" and declared.integer and not ty.integer
                                  and not ty.zero):
                    self.error(d.span, f"「{name}」声明为{declared.display()}，但算出的是{ty.display()}",
                               hint=_unit_hint(declared, ty), code="E250")
                    self.failed.add(name)
                    return None
                if declared.kind == "num":
                    ty = attrs.evolve(ty, dim=declared.dim, rate=declared.rate or ty.rate,
                                      integer=declared.integer or ty.integer, zero=False)
            if d.kind == "param" and self.deps[name] | self.input_deps[name]:
                self.warn(d.span, f"参数「{name}」依赖其他名称；参数应为政策规定的定值，公式请用「定义」",
                          code="W250")
            self.lowered[name] = node
            self.def_types[name] = ty
            return ty
        finally:
            self.checking.pop()
            self.current, self.cur_cite = saved

    def _rounding(self, d: ast.Definition, ty: Type) -> tuple[str, Decimal] | None:
        if d.rounding:
            text = d.rounding
            if text == "不舍入":
                return None
            mode, quantum = _parse_rounding(text)
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

    # ------------------------------------------------------------ values and blocks

    def _value(self, value: ast.Value, hint: Type | None = None,
               siblings: dict[str, Any] | None = None) -> tuple[Node, Type] | None:
        if isinstance(value, ast.ExprValue):
            return self._expr(value.expr, hint)
        if isinstance(value, ast.SameValue):  # INVARIANT: resolved by the enclosing match
            self.error(value.span, "「参照」只能用在按枚举列出的表里", code="E260")
            return None
        return self._block(value, hint)

    def _label_cite(self, value: ast.Value) -> tuple[str, ...]:
        return value.cite.articles if value.cite else ()

    def _block(self, block: ast.BlockValue, hint: Type | None) -> tuple[Node, Type] | None:
        kinds = {_branch_kind(b) for b in block.branches}
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

    def _cond(self, block: ast.BlockValue, hint: Type | None) -> tuple[Node, Type] | None:
        branches: list[Node] = []
        other = None
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
                other = (res[0], "否则", self._label_cite(br.value))
                continue
            assert isinstance(br, ast.IfBranch)
            cond = self._expr(br.cond, T.BOOL)
            res = self._value(br.value, ty)
            if cond is None or res is None:
                ok = False
                continue
            self._expect_bool(cond[1], br.cond.span)
            ty = self._join(ty, res[1], br.span)
            branches.append((cond[0], res[0], "若 " + self.text(br.cond.span), self._label_cite(br.value)))
        if other is None:
            self.error(block.span, "条件分支缺少「否则」：所有条件都不成立时取什么值？",
                       hint="在最后加一行「否则 …」", code="E264")
            return None
        if not ok or ty is None:
            return None
        return ("cond", tuple(branches), other), ty

    def _match(self, block: ast.BlockValue, hint: Type | None) -> tuple[Node, Type] | None:
        assert block.selector is not None
        subj = self._expr(block.selector.subject, None)
        if subj is None:
            return None
        sty = subj[1]
        if sty.kind != "enum":
            self.error(block.selector.subject.span,
                       f"「按」后面应是枚举（如 医院级别），这里是{sty.display()}",
                       hint="数值请写「按 … 分段」" if sty.kind == "num" else None, code="E265")
            return None
        members = self.enums[sty.enum or ""]
        seen: dict[str, ast.Span] = {}
        direct: dict[str, tuple[Node, str, tuple[str, ...]]] = {}
        aliases: list[tuple[str, str, ast.SameValue]] = []
        cases: list[Node] = []
        other = None
        ty: Type | None = hint
        ok = True
        for br in block.branches:
            assert isinstance(br, ast.CaseBranch)
            if isinstance(br.key, ast.OtherKey):
                res = self._value(br.value, ty)
                if res is None:
                    ok = False
                    continue
                ty = self._join(ty, res[1], br.span)
                other = (res[0], "其他", self._label_cite(br.value))
                continue
            assert isinstance(br.key, ast.EnumKey)
            for m in br.key.names:
                if m not in members:
                    near = nearest(m, list(members))
                    self.error(br.key.span, f"「{m}」不是{sty.enum}的取值（可选：{'、'.join(members)}）",
                               hint=f"是否指「{near}」？" if near else None, code="E266")
                    ok = False
                elif m in seen:
                    self.error(br.key.span, f"「{m}」重复列出（第 {seen[m].line} 行已有）", code="E267")
                    ok = False
                else:
                    seen[m] = br.key.span
            label = "、".join(br.key.names)
            if isinstance(br.value, ast.SameValue):
                for m in br.key.names:
                    aliases.append((m, br.value.target, br.value))
                continue
            res = self._value(br.value, ty)
            if res is None:
                ok = False
                continue
            ty = self._join(ty, res[1], br.span)
            for m in br.key.names:
                direct[m] = (res[0], label, self._label_cite(br.value))
            cases.append((tuple(br.key.names), res[0], label, self._label_cite(br.value)))
        for member, target, sv in aliases:
            seen_chain = [member]
            tgt = target
            while tgt not in direct:
                if tgt in seen_chain or tgt not in {a for a, _, _ in aliases}:
                    break
                seen_chain.append(tgt)
                tgt = next(t for a, t, _ in aliases if a == tgt)
            if tgt not in direct:
                if target not in members:
                    self.error(sv.span, f"「参照 {target}」：「{target}」不是{sty.enum}的取值", code="E266")
                else:
                    self.error(sv.span, f"「参照 {target}」：表中没有「{target}」的取值", code="E268")
                ok = False
                continue
            node, _label, cite = direct[tgt]
            cases.append(((member,), node, f"{member}（参照{target}）", self._label_cite(sv) or cite))
        missing = [m for m in members if m not in seen]
        if missing and other is None:
            self.error(block.span, f"「按 {sty.enum}」没有列出：{'、'.join(missing)}",
                       hint="补上这些取值，或加一行「其他：…」", code="E269")
            ok = False
        if not ok or ty is None:
            return None
        return ("match", subj[0], tuple(cases), other), ty

    def _bands(self, block: ast.BlockValue, hint: Type | None) -> tuple[Node, Type] | None:
        assert block.selector is not None
        subj = self._expr(block.selector.subject, None)
        if subj is None:
            return None
        sty = subj[1]
        if sty.kind != "num":
            self.error(block.selector.subject.span, f"分段的对象应是数值，这里是{sty.display()}", code="E270")
            return None
        bands: list[tuple[Any, ...]] = []
        other = None
        ty: Type | None = hint
        ok = True
        for br in block.branches:
            assert isinstance(br, ast.CaseBranch)
            res = self._value(br.value, ty)
            if res is None:
                ok = False
                continue
            ty = self._join(ty, res[1], br.span)
            if isinstance(br.key, ast.OtherKey):
                other = (res[0], "其他", self._label_cite(br.value))
                continue
            assert isinstance(br.key, ast.BandKey)
            lo = self._bound(br.key.lower, sty)
            hi = self._bound(br.key.upper, sty)
            if lo is False or hi is False:
                ok = False
                continue
            lo_incl = br.key.lower.inclusive if br.key.lower else False
            hi_incl = br.key.upper.inclusive if br.key.upper else False
            if lo is not None and hi is not None and (lo > hi or (lo == hi and not (lo_incl and hi_incl))):
                self.error(br.key.span, f"区间「{br.key.text}」是空的", code="E271")
                ok = False
                continue
            bands.append((lo, lo_incl, hi, hi_incl, res[0], br.key.text, self._label_cite(br.value), br.key.span))
        if ok:
            ok = self._band_overlaps(bands)
        if not ok or ty is None:
            return None
        return ("bands", subj[0], tuple(b[:7] for b in bands), other), ty

    def _bound(self, bound: ast.Bound | None, sty: Type) -> Decimal | bool | None:
        if bound is None:
            return None
        res = self._number(bound.value)
        if res is None:
            return False
        node, bty = res
        if bty.kind != "num" or (bty.dim != sty.dim and not (bty.dim == () and not bty.rate)):
            self.error(bound.value.span, f"区间边界「{bound.value.text}」的单位与分段对象（{sty.display()}）不一致",
                       code="E272")
            return False
        value: Decimal = node[1]
        return value

    def _band_overlaps(self, bands: list[tuple[Any, ...]]) -> bool:
        ok = True
        for i, a in enumerate(bands):
            for b in bands[i + 1:]:
                if _intervals_overlap(a, b):
                    self.error(b[7], f"区间「{b[5]}」与「{a[5]}」重叠（第 {a[7].line} 行）",
                               hint="用（含…）/（不含…）写明边界归属，如「不满40支」与「40支以上（含40支）」",
                               code="E273")
                    ok = False
        return ok

    def _dated(self, block: ast.BlockValue, hint: Type | None) -> tuple[Node, Type] | None:
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
            versions.append((key.start, key.end, res[0], label, self._label_cite(br.value)))
        if not ok or ty is None:
            return None
        v = self.doc_validity
        if v is not None and v.start is not None and versions and versions[0][0] > v.start:
            self.warn(block.branches[0].span, f"{dates.cn(v.start)} 至 {dates.cn(versions[0][0] - datetime.timedelta(days=1))}"
                      f" 没有适用的版本（文件自 {dates.cn(v.start)} 起施行）", code="W280")
        # Half-open intervals: a version runs to the day before the next one starts,
        # or to the day after its own written end.
        out = []
        for i, (start, end, node, label, cite) in enumerate(versions):
            if end is not None:
                end_excl = end + datetime.timedelta(days=1)
            elif i + 1 < len(versions):
                end_excl = versions[i + 1][0]
            else:
                end_excl = None
            out.append((start, end_excl, node, label, cite))
        slot = self.slot
        self.slot += 1
        return ("dated", slot, self.current or "", tuple(out)), ty

    def _join(self, a: Type | None, b: Type, span: ast.Span) -> Type | None:
        if a is None:
            return b
        joined = T.join(a, b)
        if joined is None:
            self.error(span, f"各分支的取值类型不一致：{a.display()} 与 {b.display()}",
                       hint=_unit_hint(a, b), code="E290")
            return a
        return joined

    def _expect_bool(self, ty: Type, span: ast.Span) -> None:
        if ty.kind not in ("bool", "any"):
            self.error(span, f"条件应是「是/否」的判断，这里是{ty.display()}",
                       hint="写成比较，如「本年已就诊次数 = 0」", code="E291")

    # ------------------------------------------------------------ expressions

    def _number(self, n: ast.Number) -> tuple[Node, Type] | None:
        value = n.value
        if n.unit in PERCENT_UNITS and n.per is None:
            return ("const", value * PERCENT_UNITS[n.unit]), T.Type("num", rate=True)
        if n.unit == POINTS_UNIT:
            return ("const", value / 100), T.POINTS
        if n.unit is None:
            if value == value.to_integral_value():
                return ("const", int(value)), T.Type("num", integer=True, zero=(value == 0))
            return ("const", value), T.NUM
        unit = self._unit(n.unit, n.per, n.span)
        if unit is None:
            return None
        dim, scale = unit
        scaled = value * scale
        integral = scaled == scaled.to_integral_value()
        if integral and all(u != "元" for u, _exp in dim):  # money is always a Decimal
            return ("const", int(scaled)), T.num(dim, integer=True)
        return ("const", _norm(scaled)), T.num(dim)

    def _expr(self, e: ast.Expr, hint: Type | None) -> tuple[Node, Type] | None:
        method = getattr(self, "_e_" + type(e).__name__)
        result: tuple[Node, Type] | None = method(e, hint)
        return result

    def _e_Number(self, e: ast.Number, hint: Type | None) -> tuple[Node, Type] | None:
        return self._number(e)

    def _e_DateLit(self, e: ast.DateLit, hint: Type | None) -> tuple[Node, Type] | None:
        return ("const", e.value), T.DATE

    def _e_Bool(self, e: ast.Bool, hint: Type | None) -> tuple[Node, Type] | None:
        return ("const", e.value), T.BOOL

    def _e_Name(self, e: ast.Name, hint: Type | None) -> tuple[Node, Type] | None:
        name = e.name
        if name in self.inputs:
            if self.current:
                self.input_deps[self.current].add(name)
            ty = self.input_types.get(name)
            return (("input", name), ty) if ty else None
        if name in self.defs:
            if self.current:
                self.deps[self.current].add(name)
            ty = self._check_def(name)
            if ty is None:
                return None
            return ("ref", name), ty
        if name == "评估日期":
            return ("asof",), T.DATE
        if hint is not None and hint.kind == "enum" and name in self.enums.get(hint.enum or "", ()):
            return ("const", name), hint
        if hint is not None and hint.kind == "enum" and hint.enum and not any(
                name in members for members in self.enums.values()):
            members = self.enums[hint.enum]
            near = nearest(name, list(members))
            self.error(e.span, f"「{name}」不是{hint.enum}的取值（可选：{'、'.join(members)}）",
                       hint=f"是否指「{near}」？" if near else None, code="E266")
            return None
        owners = [en for en, members in self.enums.items() if name in members]
        if len(owners) == 1:
            return ("const", name), Type("enum", enum=owners[0])
        if len(owners) > 1:
            return ("const", name), Type("enum", enum=None)
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
        if hint is None and name in PER_UNITS and name not in known:
            hint = f"「{name}」是单位，要紧跟在数值的单位后面，中间不留空格、不加括号，如「100元/{name}」"
        if hint is None:
            near = nearest(name, known)
            if near:
                hint = f"是否指「{near}」？"
        self.error(span, f"未定义的名称「{name}」", hint=hint, code="E300")

    def _e_Call(self, e: ast.Call, hint: Type | None) -> tuple[Node, Type] | None:
        if e.func in _MINMAX:
            if not e.args:
                self.error(e.span, f"「{e.func}」至少需要一个参数", code="E310")
                return None
            results = [self._expr(a, hint) for a in e.args]
            if any(r is None for r in results):
                return None
            ty: Type | None = None
            for arg, r in zip(e.args, results, strict=True):
                assert r is not None
                if r[1].kind != "num":
                    self.error(arg.span, f"「{e.func}」的参数应是数值，这里是{r[1].display()}", code="E311")
                    return None
                if ty is not None and T.join(ty, r[1]) is None:
                    self.error(arg.span, f"「{e.func}」的参数单位不一致：{ty.display()} 与 {r[1].display()}",
                               hint=_unit_hint(ty, r[1]), code="E312")
                    return None
                ty = r[1] if ty is None else T.join(ty, r[1])
            assert ty is not None
            return (_MINMAX[e.func], tuple(r[0] for r in results if r)), ty
        if e.func not in _FUNCS:
            near = nearest(e.func, list(_FUNCS) + list(_MINMAX))
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
        return ("call", fname, tuple(nodes)), rty

    def _e_Round(self, e: ast.Round, hint: Type | None) -> tuple[Node, Type] | None:
        r = self._expr(e.arg, hint)
        if r is None:
            return None
        if r[1].kind != "num":
            self.error(e.span, f"只有数值可以舍入，这里是{r[1].display()}", code="E316")
            return None
        mode, quantum = _parse_rounding(e.mode)
        ty = r[1]
        if quantum == 1 and not ty.is_money:
            # Rounding a count to a whole number gives an integer (向下取整(职工人数 ÷ 50人/名额)).
            return ("round", mode, quantum, r[0], True), attrs.evolve(ty, integer=True, rate=False)
        return ("round", mode, quantum, r[0], False), ty

    def _e_Binary(self, e: ast.Binary, hint: Type | None) -> tuple[Node, Type] | None:
        left = self._expr(e.left, hint if e.op in "+-" else None)
        right = self._expr(e.right, hint if e.op in "+-" else None)
        if left is None or right is None:
            return None
        (ln, lt), (rn, rt) = left, right
        sym = {"+": "加", "-": "减", "*": "乘", "/": "除"}[e.op]
        if lt.kind == "date" or rt.kind == "date":
            self.error(e.span, f"日期不能直接{sym}，请用「加月」「加天」「相差月数」「相差天数」等函数", code="E320")
            return None
        if e.op in "+-":
            if lt.kind == "num" and rt.kind == "points":
                if not lt.rate and not lt.zero:
                    self.error(e.right.span, f"「个百分点」只能加减到比率上，「{self.text(e.left.span)}」是{lt.display()}",
                               code="E321")
                    return None
                return ("arith", e.op, ln, rn, False), T.RATE
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
                           hint=_unit_hint(lt, rt), code="E324")
                return None
            ty = T.join(lt, rt)
            assert ty is not None
            ty = attrs.evolve(ty, zero=False, rate=(lt.rate or rt.rate) and not (lt.dim or rt.dim))
            return ("arith", e.op, ln, rn, ty.integer), ty
        if lt.kind != "num" or rt.kind != "num":
            self.error(e.span, f"不能对{lt.display()}和{rt.display()}做{sym}法", code="E322")
            return None
        if e.op == "*":
            dim = T.dim_mul(lt.dim, rt.dim)
            ty = T.num(dim, integer=lt.integer and rt.integer, rate=lt.rate and rt.rate)
            return ("arith", "*", ln, rn, ty.integer), ty
        dim = T.dim_mul(lt.dim, rt.dim, -1)
        return ("arith", "/", ln, rn, False), T.num(dim)

    def _e_Neg(self, e: ast.Neg, hint: Type | None) -> tuple[Node, Type] | None:
        r = self._expr(e.arg, hint)
        if r is None:
            return None
        if r[1].kind != "num":
            self.error(e.span, f"只有数值可以取负，这里是{r[1].display()}", code="E322")
            return None
        return ("neg", r[0]), r[1]

    def _e_Compare(self, e: ast.Compare, hint: Type | None) -> tuple[Node, Type] | None:
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
                           hint=_unit_hint(lt, rt), code="E330")
                return None
        elif lt.kind == "enum" and rt.kind == "enum":
            if lt.enum and rt.enum and lt.enum != rt.enum:
                self.error(e.span, f"不能比较{lt.display()}和{rt.display()}", code="E330")
                return None
            if e.op not in ("==", "!="):
                self.error(e.span, "枚举值只能比较是否相等", code="E331")
                return None
        elif lt.kind == rt.kind and lt.kind in ("date", "bool"):
            if lt.kind == "bool" and e.op not in ("==", "!="):
                self.error(e.span, "是否值只能比较是否相等", code="E331")
                return None
        else:
            self.error(e.span, f"不能比较{lt.display()}和{rt.display()}", code="E330")
            return None
        return ("cmp", e.op, ln, rn), T.BOOL

    def _e_Logic(self, e: ast.Logic, hint: Type | None) -> tuple[Node, Type] | None:
        left = self._expr(e.left, T.BOOL)
        right = self._expr(e.right, T.BOOL)
        if left is None or right is None:
            return None
        self._expect_bool(left[1], e.left.span)
        self._expect_bool(right[1], e.right.span)
        return (e.op, left[0], right[0]), T.BOOL

    def _e_Not(self, e: ast.Not, hint: Type | None) -> tuple[Node, Type] | None:
        r = self._expr(e.arg, T.BOOL)
        if r is None:
            return None
        self._expect_bool(r[1], e.arg.span)
        return ("not", r[0]), T.BOOL

    def _e_If(self, e: ast.If, hint: Type | None) -> tuple[Node, Type] | None:
        cond = self._expr(e.cond, T.BOOL)
        a = self._expr(e.then, hint)
        b = self._expr(e.other, a[1] if a else hint)
        if cond is None or a is None or b is None:
            return None
        self._expect_bool(cond[1], e.cond.span)
        ty = T.join(a[1], b[1])
        if ty is None:
            self.error(e.span, f"「则」与「否则」的取值类型不一致：{a[1].display()} 与 {b[1].display()}",
                       hint=_unit_hint(a[1], b[1]), code="E290")
            return None
        return ("if", cond[0], a[0], b[0]), ty

    def _e_Cap(self, e: ast.Cap, hint: Type | None) -> tuple[Node, Type] | None:
        left = self._expr(e.left, hint)
        right = self._expr(e.right, hint)
        if left is None or right is None:
            return None
        word = "最高" if e.op == "min" else "最低"
        if left[1].kind != "num" or right[1].kind != "num" or T.join(left[1], right[1]) is None:
            self.error(e.span, f"「{word}」两边应是同一单位的数值：{left[1].display()} 与 {right[1].display()}",
                       hint=_unit_hint(left[1], right[1]), code="E312")
            return None
        ty = T.join(left[1], right[1])
        assert ty is not None
        return (e.op, (left[0], right[0])), ty

    # ------------------------------------------------------------ literals and examples

    def _literal(self, lit: ast.LitValue, ty: Type, what: str, report: bool = True) -> Any:
        v = lit.value
        bad = None
        if ty.kind == "bool":
            if isinstance(v, ast.Bool):
                return v.value
            bad = "应为「是」或「否」"
        elif ty.kind == "date":
            if isinstance(v, ast.DateLit):
                return v.value
            bad = "应为日期"
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
                value = -node[1] if lit.negative else node[1]
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
            if name not in self.inputs:
                near = nearest(name, list(self.inputs))
                self.error(lit.span, f"例「{ex.name}」：没有名为「{name}」的输入",
                           hint=f"是否指「{near}」？" if near else None, code="E341")
                continue
            ty = self.input_types.get(name)
            if ty is not None:
                value = self._literal(lit, ty, f"例「{ex.name}」的输入「{name}」")
                scale = self._input_scale(self.inputs[name].type)
                if value is not None and ty.kind == "num" and scale != 1:
                    # Examples state amounts with their unit (100万元); the input itself is
                    # given in its declared unit (万元), so store the number in that unit.
                    value = _norm(Decimal(value) / scale)
                inputs[name] = value
        expects: dict[str, Any] = {}
        for name, lit in ex.expects:
            if name not in self.defs:
                near = nearest(name, list(self.defs))
                self.error(lit.span, f"例「{ex.name}」：没有名为「{name}」的定义或输出",
                           hint=f"是否指「{near}」？" if near else None, code="E342")
                continue
            ty = self.def_types.get(name)
            if ty is not None:
                expects[name] = self._literal(lit, ty, f"例「{ex.name}」期望的「{name}」")
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
            "line": ex.span.line,
            "file": ex.span.file,
        }


# ---------------------------------------------------------------- helpers


def _value_kind(ty: Type) -> str:
    if ty.kind == "num":
        if ty.is_money:
            return "money"
        if ty.rate:
            return "rate"
        if ty.integer:
            return "int"
        return "quantity"
    return ty.kind


def _branch_kind(b: ast.Branch) -> str:
    if isinstance(b, ast.IfBranch):
        return "if"
    if isinstance(b, ast.ElseBranch):
        return "else"
    key = b.key
    return {ast.EnumKey: "enum", ast.BandKey: "band", ast.OtherKey: "other", ast.DatedKey: "dated"}[type(key)]


def _intervals_overlap(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    a_lo, a_li, a_hi, a_hi_i = a[0], a[1], a[2], a[3]
    b_lo, b_li, b_hi, b_hi_i = b[0], b[1], b[2], b[3]

    def below(hi: Decimal | None, hi_incl: bool, lo: Decimal | None, lo_incl: bool) -> bool:
        # True if the interval ending at hi lies wholly below the one starting at lo.
        if hi is None or lo is None:
            return False
        return hi < lo or (hi == lo and not (hi_incl and lo_incl))

    return not (below(a_hi, a_hi_i, b_lo, b_li) or below(b_hi, b_hi_i, a_lo, a_li))


def _parse_rounding(text: str) -> tuple[str, Decimal]:
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
    return format(v.normalize(), "f")


def _norm(v: Decimal) -> Decimal:
    """Drop trailing zeros without exponent notation: 300.0 -> 300, 0.50 -> 0.5."""
    n = v.normalize()
    exponent = n.as_tuple().exponent
    return n if isinstance(exponent, int) and exponent <= 0 else n.quantize(Decimal(1))


def _unit_hint(a: Type, b: Type) -> str | None:
    if a.kind == "num" and b.kind == "num":
        if a.is_money and b.dim and b.dim != a.dim:
            return "金额要用「元/单位」的标准乘以数量得到，如「300元/吨 × 出疆棉数量」"
        if a.rate != b.rate:
            return "比率与金额相乘得到金额；比率之间相加要写「个百分点」"
    return None


def check(tree: ast.RuleFile, source: str) -> CheckedPolicy:
    """Check a parsed file; the result carries every diagnostic found."""
    sha = hashlib.sha256(source.encode("utf-8")).hexdigest()
    return Checker(tree, source).run(sha)
