"""guize lint: the rules that walk a definition's syntax tree beside its checked tree (IR) —
constant conditions, unreachable branches, rows and bands, band gaps, rates, caps below floors.

Constant conditions and bounds are found by running the reference interpreter with every input,
the as-of date and every dated value treated as unknown, so a "constant" is only ever claimed soundly.
"""

from __future__ import annotations

import datetime
import decimal
import itertools
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

from guize.compiler import ast
from guize.compiler.checker import CheckedPolicy
from guize.compiler.diagnostics import Diagnostic
from guize.runtime import display, ir
from guize.runtime import scales as S
from guize.runtime import values as V
from guize.runtime.errors import RuleError
from guize.runtime.interp import Interpreter
from guize.runtime.validity import Repealed
from guize.tools.lint.linter import SyntaxLinter

_MINMAX_WORDS = {"取较小值": "min", "取较大值": "max"}


class _NotConstant(Exception):
    pass


class _Folder(Interpreter):
    """The reference interpreter with every input, the as-of date and every dated value unknown."""

    def input(self, name: str, owner: str | None = None) -> Any:
        raise _NotConstant(name)

    def eval(self, node: ir.Expr, owner: str) -> Any:
        if isinstance(node, ir.AsOf):
            raise _NotConstant("评估日期")
        if isinstance(node, ir.Dated):
            raise _NotConstant(node.what)
        return super().eval(node, owner)


_NO_VALUE = object()


class FileLinter(SyntaxLinter):
    """All the rules for one file: the syntax-tree ones, and these that walk the IR beside it."""

    def __init__(self, tree: ast.RuleFile, checked: CheckedPolicy, source: str, as_of: datetime.date,
                 repealed: dict[str, Repealed]) -> None:
        super().__init__(tree, checked, source, as_of, repealed)
        self.folder = _Folder(checked.defs, {s["name"]: s for s in checked.inputs}, {}, as_of)

    def fold(self, node: ir.Expr | None, owner: str) -> Any:
        """The value of `node` if it is the same for every input and date, else _NO_VALUE."""
        if node is None:
            return _NO_VALUE
        try:
            with decimal.localcontext(V.CONTEXT):
                return self.folder.eval(node, owner)
        except (_NotConstant, RuleError, ArithmeticError, TypeError, ValueError, KeyError):
            return _NO_VALUE

    def is_integer(self, node: ir.Expr) -> bool:
        match node:
            case ir.Input(name=name):
                return bool(self.specs.get(name, {}).get("kind") == "int")
            case ir.Ref(name=name):
                d = self.checked.defs.get(name)
                return d is not None and d.value_kind == "int"
            case ir.Round(as_int=as_int):
                return as_int
        return False

    def subject_members(self, node: ir.Expr) -> tuple[str, ...]:
        match node:
            case ir.Input(name=name):
                return tuple(self.specs.get(name, {}).get("members", ()))
            case ir.Ref(name=name):
                d = self.checked.defs.get(name)
                return self.enums.get(d.type, ()) if d is not None else ()
        return ()

    def run(self) -> list[Diagnostic]:
        for doc in self.tree.documents:
            self._document(doc)
        for d in self.tree.definitions:
            info = self.checked.defs.get(d.name)
            self.owner = d.name
            self.article = "、".join(d.cite.articles) if d.cite else None
            self.rate_def = bool(info and info.value_kind == "rate")
            self._citation(d)
            self._walk_value(d.body, ir.unwrap_time(info.expr) if info else None)
            if info is not None and self.rate_def:
                self._constant_rate(d)
        self.owner, self.article, self.rate_def = "", None, False
        for inp in self.tree.inputs:
            if inp.cite is None:
                self.add("L402", self.head(inp.span), f"输入「{inp.name}」没有写依据",
                         hint="在行末写「依据 第…条」")
        if not any(d.severity == "error" for d in self.checked.diagnostics) and self.checked.outputs:
            self._usage()
        self._quick_deductions()
        self._articles()
        self._rounded_outputs_used()
        self._unrounded_divisions()
        return self.findings

    def _unrounded_divisions(self) -> None:
        """An unrounded ÷ (its quotient kept to 34 digits) that the columnar code cannot keep as an
        exact fraction (compiler/batchgen_ratio.py: only + − ×, comparisons and roundings of it,
        and not as an output nor in a list's items): the outputs that use it go row by row in
        evaluate_batch and guize run. Say where, once per definition, and how to keep them in
        columns. What batch does is asked of batchgen itself, so the two cannot disagree."""
        if any(d.severity == "error" for d in self.checked.diagnostics):
            return
        from guize.compiler.batchgen import BatchGen
        from guize.compiler.batchgen_ratio import UNROUNDED

        gen = BatchGen(self.checked)
        gen.generate()
        for d in self.tree.definitions:
            info = self.checked.defs.get(d.name)
            if info is None or gen.fallback.get(d.name) != UNROUNDED:
                continue
            self.owner, self.article = d.name, "、".join(info.cite) or None
            self.add("L407", self.head(d.span), f"「{d.name}」中的除法结果未舍入：按列批量计算时，用到它的输出逐行计算，慢得多",
                     hint="按条文对商舍入，如「向下取整(a ÷ b)」「四舍五入到分(a ÷ b)」；条文不舍入时可忽略")
        self.owner, self.article = "", None

    def _rounded_outputs_used(self) -> None:
        """An output computed from another output gets that output's rounded value (what is paid),
        not the exact intermediate amount; say so where the rounding was not written but implied."""
        defs = self.checked.defs
        written = {d.name for d in self.tree.definitions if d.rounding}
        for d in self.tree.definitions:
            info = defs.get(d.name)
            if info is None:
                continue
            used = sorted({n.name for n in ir.walk(info.expr) if isinstance(n, ir.Ref)
                           and n.name in self.checked.outputs and n.name != d.name
                           and defs[n.name].round is not None and n.name not in written})
            for name in used:
                self.owner, self.article = d.name, "、".join(info.cite) or None
                self.add("L406", self.head(d.span),
                         f"「{d.name}」用到的是输出「{name}」舍入后的值（默认四舍五入到分），不是精确值",
                         hint=f"如法条要求用精确值，把「{name}」的公式写成「定义」，两个输出都引用它；"
                              f"或在「{name}」上写明舍入方式以确认")
        self.owner, self.article = "", None

    def _quick_deductions(self) -> None:
        """A 速算扣除数 table typed in beside a scale with the same brackets must agree with it."""
        scales = {name: d.expr for name, d in self.checked.defs.items()
                  if isinstance(d.expr, ir.Scale) and d.expr.kind == "excess"
                  and all(isinstance(b.value, ir.Const) for b in d.expr.brackets)}
        for name, d in self.checked.defs.items():
            table = d.expr
            if "速算扣除数" not in name or not isinstance(table, ir.Bands) \
                    or not all(isinstance(b.value, ir.Const) for b in table.bands):
                continue
            tops = sorted((b.hi for b in table.bands), key=lambda v: (v is None, v or 0))
            for scale_name, scale in scales.items():
                if sorted((b.hi for b in scale.brackets), key=lambda v: (v is None, v or 0)) != tops:
                    continue
                value = S.ScaleValue("excess", [(b.lo, b.lo_incl, b.hi, b.hi_incl, b.value.value)
                                                for b in scale.brackets if isinstance(b.value, ir.Const)])
                self.owner, self.article = name, "、".join(d.cite) or None
                for band in table.bands:
                    x = band.hi if band.hi is not None else (band.lo or 0) + 1
                    want = S.deduction(value, x)
                    got = band.value.value if isinstance(band.value, ir.Const) else None
                    if isinstance(got, (int, Decimal)) and not isinstance(got, bool) and got != want:
                        line, col, end_line, end_col = band.span
                        span = ast.Span(self.tree.path, line, col, end_line, end_col)
                        self.add("L405", self.head(span),
                                 f"「{band.label}」的速算扣除数应为 {V.fmt(want.normalize())}（按「{scale_name}」推算），"
                                 f"这里是 {V.fmt(got)}",
                                 hint=f"改为 {V.fmt(want.normalize())}，或改用「速算扣除数({scale_name}，…)」")
                break
        self.owner, self.article = "", None

    def _constant_rate(self, d: ast.Definition) -> None:
        body = d.body
        if isinstance(body, ast.ExprValue):
            e = body.expr.arg if isinstance(body.expr, ast.Neg) else body.expr
            if isinstance(e, ast.Number):
                return  # the literal itself is checked where it is written
        value = self.fold(ir.Ref(d.name), d.name)
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool) and not 0 <= value <= 1:
            self.add("L403", self.head(d.span), f"比率「{d.name}」恒为 {display.percent(value)}，超出 0–100%",
                     hint="检查数值；上浮系数等大于 100% 的倍数可忽略此提示")

    def _walk_value(self, value: ast.Value, node: ir.Expr | None) -> None:
        if isinstance(value, ast.ExprValue):
            self._walk_expr(value.expr, node)
        elif isinstance(value, ast.BlockValue):
            saved = self.article
            if value.cite is not None:
                self.article = "、".join(value.cite.articles)
            self._block(value, node)
            self.article = saved

    def _block(self, block: ast.BlockValue, expr: ir.Expr | None) -> None:
        branches = block.branches
        if block.selector is None:
            if all(isinstance(b, (ast.IfBranch, ast.ElseBranch)) for b in branches):
                self._cond_block(block, expr if isinstance(expr, ir.Cond) else None)
            elif all(isinstance(b, ast.CaseBranch) and isinstance(b.key, ast.DatedKey) for b in branches):
                dated = expr if isinstance(expr, ir.Dated) else None
                self._dated_block(block)
                cases = [b for b in branches if isinstance(b, ast.CaseBranch)]
                for i, br in enumerate(cases):
                    self._walk_value(br.value, _value(dated.versions if dated else (), i))
            return
        other_node: ir.Other | None = None
        if block.selector.bands:
            bnode = expr if isinstance(expr, ir.Bands) else None
            self._walk_expr(block.selector.subject, bnode.subject if bnode else None)
            self._band_block(block, bnode)
            bands = [b for b in branches if isinstance(b, ast.CaseBranch) and isinstance(b.key, ast.BandKey)]
            for i, br in enumerate(bands):
                self._walk_value(br.value, _value(bnode.bands if bnode else (), i))
            other_node = bnode.other if bnode else None
        else:
            mnode = expr if isinstance(expr, ir.Match) else None
            self._walk_expr(block.selector.subject, mnode.subject if mnode else None)
            self._match_block(block, mnode)
            rows = [b for b in branches if isinstance(b, ast.CaseBranch) and isinstance(b.key, ast.EnumKey)
                    and not isinstance(b.value, ast.SameValue)]
            for i, br in enumerate(rows):
                self._walk_value(br.value, _value(mnode.cases if mnode else (), i))
            other_node = mnode.other if mnode else None
        other = next((b for b in branches if isinstance(b, ast.CaseBranch) and isinstance(b.key, ast.OtherKey)),
                     None)
        if other is not None:
            self._walk_value(other.value, other_node.value if other_node is not None else None)

    def _walk_expr(self, e: ast.Expr, node: ir.Expr | None) -> None:
        """Walk the syntax tree of an expression beside its IR (None where they do not line up)."""
        if isinstance(e, ast.Number):
            self._percent_literal(e, negative=False)
        elif isinstance(e, ast.Neg):
            if isinstance(e.arg, ast.Number):
                self._percent_literal(e.arg, negative=True)
            else:
                self._walk_expr(e.arg, node.arg if isinstance(node, ir.Neg) else None)
        elif isinstance(e, ast.If):
            inline = node if isinstance(node, ir.If) else None
            if inline is not None:
                self._constant_condition(e.cond, inline.cond, inline=True)
            self._walk_expr(e.cond, inline.cond if inline else None)
            self._walk_expr(e.then, inline.then if inline else None)
            self._walk_expr(e.other, inline.other if inline else None)
        elif isinstance(e, ast.Cap) or (isinstance(e, ast.Call) and e.func in _MINMAX_WORDS):
            extreme = node if isinstance(node, (ir.Min, ir.Max)) else None
            args = (e.left, e.right) if isinstance(e, ast.Cap) else e.args
            if extreme is not None:
                self._cap_floor(e, extreme)
            for i, arg in enumerate(args):
                self._walk_expr(arg, _row(extreme.args if extreme else (), i))
        elif isinstance(e, ast.Call):
            call = node if isinstance(node, ir.Call) else None
            for i, arg in enumerate(e.args):
                self._walk_expr(arg, _row(call.args if call else (), i))
        elif isinstance(e, ast.Round):
            self._walk_expr(e.arg, node.arg if isinstance(node, ir.Round) else None)
        elif isinstance(e, (ast.Binary, ast.Compare)):
            pair = node if isinstance(node, (ir.Arith, ir.Cmp)) else None
            self._walk_expr(e.left, pair.left if pair else None)
            self._walk_expr(e.right, pair.right if pair else None)
        elif isinstance(e, ast.Logic):
            logic = node if isinstance(node, (ir.And, ir.Or)) else None
            self._walk_expr(e.left, logic.left if logic else None)
            self._walk_expr(e.right, logic.right if logic else None)
        elif isinstance(e, ast.Not):
            self._walk_expr(e.arg, node.arg if isinstance(node, ir.Not) else None)

    def _constant_condition(self, cond: ast.Expr, test: ir.Expr, inline: bool) -> Any:
        value = self.fold(test, self.owner)
        if value is True or value is False:
            word = "恒成立" if value else "恒不成立"
            if value:
                effect = "「否则」永远不会被采用" if inline else "此后的分支永远不会被采用"
            else:
                effect = "「则」后的取值永远不会被采用" if inline else "这一分支永远不会被采用"
            self.add("L301", cond.span, f"条件「{self.text(cond.span)}」{word}：{effect}",
                     hint="条件只由常量和参数决定；检查参数取值或改写条件")
        return value

    def _cond_block(self, block: ast.BlockValue, node: ir.Cond | None) -> None:
        ifs = [b for b in block.branches if isinstance(b, ast.IfBranch)]
        seen: dict[Any, ast.IfBranch] = {}
        dead_from: ast.Branch | None = None  # the first branch after an always-true condition
        for i, br in enumerate(ifs):
            branch = _row(node.branches if node else (), i)
            test = branch.test if branch is not None else None
            value = _NO_VALUE
            if test is not None and dead_from is None:
                earlier = seen.get(test)
                if earlier is not None:
                    self.add("L302", self.head(br.span),
                             f"条件「{self.text(br.cond.span)}」与第 {earlier.span.line} 行相同：这一分支永远不会被采用",
                             hint="删去重复的分支，或改写条件")
                else:
                    seen[test] = br
                    value = self._constant_condition(br.cond, test, inline=False)
            if value is True and dead_from is None:
                rest = [b for b in block.branches if b.span.line > br.span.line]
                if rest:
                    dead_from = rest[0]
                    self.add("L302", self.head(dead_from.span),
                             f"第 {br.span.line} 行的条件恒成立：此后的 {len(rest)} 个分支（含「否则」）永远不会被采用",
                             hint="删去这些分支，或改写恒成立的条件")
            self._walk_expr(br.cond, test)
            self._walk_value(br.value, branch.value if branch is not None else None)
        other = next((b for b in block.branches if isinstance(b, ast.ElseBranch)), None)
        if other is not None:
            self._walk_value(other.value, node.other.value if node is not None else None)

    def _match_block(self, block: ast.BlockValue, node: ir.Match | None) -> None:
        assert block.selector is not None
        if node is None:
            return
        other = next((b for b in block.branches if isinstance(b, ast.CaseBranch)
                      and isinstance(b.key, ast.OtherKey)), None)
        listed = [m for b in block.branches if isinstance(b, ast.CaseBranch) and isinstance(b.key, ast.EnumKey)
                  for m in b.key.names]
        members = self.subject_members(node.subject)
        subject = self.text(block.selector.subject.span)
        constant = self.fold(node.subject, self.owner)
        if constant is not _NO_VALUE:
            for b in block.branches:
                if isinstance(b, ast.CaseBranch) and isinstance(b.key, ast.EnumKey) and constant not in b.key.names:
                    self.add("L303", self.head(b.span), f"「{subject}」恒为「{V.fmt(constant)}」：这一行永远不会被采用")
            if other is not None and constant in listed:
                self.add("L304", self.head(other.span), f"「{subject}」恒为「{V.fmt(constant)}」：「其他」永远不会被采用")
            return
        if other is None or not members:
            return
        hidden = [m for m in members if m not in listed]
        if hidden:
            self.add("L106", self.head(other.span), f"「其他」代替了「{subject}」的 {len(hidden)} 个取值："
                                                    f"{'、'.join(hidden)}",
                     hint="若这些取值确应与「其他」相同，可忽略；否则逐一列出")
        else:
            self.add("L304", self.head(other.span), f"「{subject}」的全部取值都已列出：「其他」永远不会被采用",
                     hint="删去「其他」这一行")

    def _band_block(self, block: ast.BlockValue, node: ir.Bands | None) -> None:
        assert block.selector is not None
        band_branches = [b for b in block.branches if isinstance(b, ast.CaseBranch)
                         and isinstance(b.key, ast.BandKey)]
        self._band_wording(block, band_branches)
        if node is None or len(node.bands) != len(band_branches):
            return
        other = next((b for b in block.branches if isinstance(b, ast.CaseBranch)
                      and isinstance(b.key, ast.OtherKey)), None)
        subject = self.text(block.selector.subject.span)
        integer = self.is_integer(node.subject)
        pairs = list(zip(band_branches, node.bands, strict=True))

        constant = self.fold(node.subject, self.owner)
        if isinstance(constant, (int, Decimal)) and not isinstance(constant, bool):
            hit = False
            for br, band in pairs:
                if band.contains(constant):
                    hit = True
                else:
                    self.add("L303", self.head(br.span), f"「{subject}」恒为 {V.fmt(constant)}：这一分段永远不会被采用")
            if other is not None and hit:
                self.add("L304", self.head(other.span), f"「{subject}」恒为 {V.fmt(constant)}：「其他」永远不会被采用")
            return

        if integer:
            for br, band in pairs:
                if not _has_values(band.lo, band.lo_incl, band.hi, band.hi_incl, integer=True):
                    assert isinstance(br.key, ast.BandKey)
                    self.add("L303", self.head(br.span),
                             f"「{subject}」是整数，分段「{br.key.text}」不含任何整数：这一分段永远不会被采用",
                             hint="检查边界和（含）/（不含）")

        ordered = sorted(pairs, key=lambda p: (p[1].lo is not None, p[1].lo if p[1].lo is not None else 0))
        covered_all = True
        for (br_a, a), (br_b, b) in itertools.pairwise(ordered):
            assert isinstance(br_a.key, ast.BandKey) and isinstance(br_b.key, ast.BandKey)
            if a.hi is None or b.lo is None:
                continue  # INVARIANT: the checker rejects overlapping bands, so only the last is open above
            if not _has_values(a.hi, not a.hi_incl, b.lo, not b.lo_incl, integer):
                continue
            covered_all = False
            up, lo = br_a.key.upper, br_b.key.lower
            if up is not None and lo is not None and a.hi == b.lo:
                where = f"恰为 {up.value.text}"
            else:
                where = f"{up.value.text if up else V.fmt(a.hi)} 与 {lo.value.text if lo else V.fmt(b.lo)} 之间"
            tail = "，计算时取「其他」" if other is not None else "，且没有「其他」，计算时会出错"
            self.add("L101", self.head(br_b.span),
                     f"分段「{br_a.key.text}」与「{br_b.key.text}」之间有空档：「{subject}」{where}时不属于任何分段{tail}",
                     hint="让两段的边界相接，并用（含…）/（不含…）写明边界归属",
                     severity="info" if other is not None else None)
        if not ordered:
            return
        (br_low, low), (br_high, high) = ordered[0], ordered[-1]
        assert isinstance(br_low.key, ast.BandKey) and isinstance(br_high.key, ast.BandKey)
        if low.lo is not None:
            covered_all = False
            natural_floor = low.lo == 0 and low.lo_incl
            if other is None and not natural_floor:
                bound = br_low.key.lower.value.text if br_low.key.lower else V.fmt(low.lo)
                word = "不高于" if not low.lo_incl else "低于"
                self.add("L102", self.head(br_low.span),
                         f"「{subject}」{word} {bound} 时不属于任何分段，且没有「其他」，计算时会出错",
                         hint="补上更低的分段或加一行「其他：…」")
        if high.hi is not None:
            covered_all = False
            if other is None:
                bound = br_high.key.upper.value.text if br_high.key.upper else V.fmt(high.hi)
                word = "超过" if high.hi_incl else "达到"
                self.add("L102", self.head(br_high.span),
                         f"「{subject}」{word} {bound} 时不属于任何分段，且没有「其他」，计算时会出错",
                         hint="补上更高的分段或加一行「其他：…」")
        if covered_all and other is not None:
            self.add("L304", self.head(other.span), "各分段已覆盖全部数值：「其他」永远不会被采用",
                     hint="删去「其他」这一行")

    def _cap_floor(self, e: ast.Expr, node: ir.Min | ir.Max) -> None:
        outer = "min" if isinstance(node, ir.Min) else "max"
        inner_type = ir.Max if outer == "min" else ir.Min
        own = [v for v in (self.fold(a, self.owner) for a in node.args) if _is_number(v)]
        if not own:
            return
        for arg in node.args:
            if not isinstance(arg, inner_type):
                continue
            inner = [v for v in (self.fold(a, self.owner) for a in arg.args) if _is_number(v)]
            if not inner:
                continue
            if outer == "min":
                cap, floor = min(own), max(inner)
            else:
                cap, floor = min(inner), max(own)
            if cap < floor:
                result = cap if outer == "min" else floor
                self.add("L404", e.span,
                         f"上限 {V.fmt(cap)} 低于下限 {V.fmt(floor)}：「{self.text(e.span)}」恒为 {V.fmt(result)}，与输入无关",
                         hint="检查「最高」「最低」（取较小值/取较大值）的数值是否写反")
                return


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, Decimal)) and not isinstance(v, bool)


R = TypeVar("R")


def _value(rows: Sequence[ir.Case | ir.Band | ir.Version], i: int) -> ir.Expr | None:
    """The value of the i-th row of an IR node, if there is one."""
    return rows[i].value if i < len(rows) else None


def _row(rows: Sequence[R], i: int) -> R | None:
    """The i-th row of an IR node beside the i-th branch of the syntax tree, if there is one."""
    return rows[i] if i < len(rows) else None


def _has_values(lo: Any, lo_in: bool, hi: Any, hi_in: bool, integer: bool) -> bool:
    """Whether the interval from lo to hi (None: unbounded) holds any value (any integer, if `integer`)."""
    if lo is None or hi is None:
        return True
    if not integer:
        return bool(lo < hi or (lo == hi and lo_in and hi_in))
    first: int = math.ceil(lo) if lo_in else math.floor(lo) + 1
    last: int = math.floor(hi) if hi_in else math.ceil(hi) - 1
    return first <= last
