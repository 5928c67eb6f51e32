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
from decimal import Decimal
from typing import Any

from guize.compiler import ast
from guize.compiler.checker import CheckedPolicy
from guize.compiler.diagnostics import Diagnostic
from guize.runtime import display
from guize.runtime import values as V
from guize.runtime.errors import RuleError
from guize.runtime.interp import Interpreter
from guize.runtime.ir import Node
from guize.runtime.validity import Repealed
from guize.tools.lint.linter import SyntaxLinter

_MINMAX_WORDS = {"取较小值": "min", "取较大值": "max"}


class _NotConstant(Exception):
    pass


class _Folder(Interpreter):
    """The reference interpreter with every input, the as-of date and every dated value unknown."""

    def input(self, name: str) -> Any:
        raise _NotConstant(name)

    def _asof(self, node: Node, owner: str) -> Any:
        raise _NotConstant("评估日期")

    def _dated(self, node: Node, owner: str) -> Any:
        raise _NotConstant(node[2])


_NO_VALUE = object()


class FileLinter(SyntaxLinter):
    """All the rules for one file: the syntax-tree ones, and these that walk the IR beside it."""

    def __init__(self, tree: ast.RuleFile, checked: CheckedPolicy, source: str, as_of: datetime.date,
                 repealed: dict[str, Repealed]) -> None:
        super().__init__(tree, checked, source, as_of, repealed)
        self.folder = _Folder(checked.defs, {s["name"]: s for s in checked.inputs}, {}, as_of)

    def fold(self, node: Node | None, owner: str) -> Any:
        """The value of `node` if it is the same for every input and date, else _NO_VALUE."""
        if node is None:
            return _NO_VALUE
        try:
            with decimal.localcontext(V.CONTEXT):
                return self.folder.eval(node, owner)
        except (_NotConstant, RuleError, ArithmeticError, TypeError, ValueError, KeyError):
            return _NO_VALUE

    def is_integer(self, node: Node) -> bool:
        if node[0] == "input":
            return bool(self.specs.get(node[1], {}).get("kind") == "int")
        if node[0] == "ref":
            return bool(self.checked.defs.get(node[1], {}).get("value_kind") == "int")
        if node[0] == "round":
            return bool(node[4])
        return False

    def subject_members(self, node: Node) -> tuple[str, ...]:
        if node[0] == "input":
            return tuple(self.specs.get(node[1], {}).get("members", ()))
        if node[0] == "ref":
            return self.enums.get(self.checked.defs.get(node[1], {}).get("type", ""), ())
        return ()

    def run(self) -> list[Diagnostic]:
        for doc in self.tree.documents:
            self._document(doc)
        for d in self.tree.definitions:
            info = self.checked.defs.get(d.name)
            self.owner = d.name
            self.article = "、".join(d.cite.articles) if d.cite else None
            self.rate_def = bool(info and info["value_kind"] == "rate")
            self._citation(d)
            self._walk_value(d.body, info["expr"] if info else None)
            if info is not None and self.rate_def:
                self._constant_rate(d)
        self.owner, self.article, self.rate_def = "", None, False
        for inp in self.tree.inputs:
            if inp.cite is None:
                self.add("L402", self.head(inp.span), f"输入「{inp.name}」没有写依据",
                         hint="在行末写「依据 第…条」")
        if not any(d.severity == "error" for d in self.checked.diagnostics) and self.checked.outputs:
            self._usage()
        return self.findings

    def _constant_rate(self, d: ast.Definition) -> None:
        body = d.body
        if isinstance(body, ast.ExprValue):
            e = body.expr.arg if isinstance(body.expr, ast.Neg) else body.expr
            if isinstance(e, ast.Number):
                return  # the literal itself is checked where it is written
        value = self.fold(("ref", d.name), d.name)
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool) and not 0 <= value <= 1:
            self.add("L403", self.head(d.span), f"比率「{d.name}」恒为 {display.percent(value)}，超出 0–100%",
                     hint="检查数值；上浮系数等大于 100% 的倍数可忽略此提示")

    def _walk_value(self, value: ast.Value, ir: Node | None) -> None:
        if isinstance(value, ast.ExprValue):
            self._walk_expr(value.expr, ir)
        elif isinstance(value, ast.BlockValue):
            saved = self.article
            if value.cite is not None:
                self.article = "、".join(value.cite.articles)
            self._block(value, ir)
            self.article = saved

    def _block(self, block: ast.BlockValue, ir: Node | None) -> None:
        branches = block.branches
        if block.selector is None:
            if all(isinstance(b, (ast.IfBranch, ast.ElseBranch)) for b in branches):
                self._cond_block(block, ir if ir is not None and ir[0] == "cond" else None)
            elif all(isinstance(b, ast.CaseBranch) and isinstance(b.key, ast.DatedKey) for b in branches):
                node = ir if ir is not None and ir[0] == "dated" else None
                self._dated_block(block)
                cases = [b for b in branches if isinstance(b, ast.CaseBranch)]
                for i, br in enumerate(cases):
                    self._walk_value(br.value, node[3][i][2] if node is not None and i < len(node[3]) else None)
            return
        if block.selector.bands:
            node = ir if ir is not None and ir[0] == "bands" else None
            self._walk_expr(block.selector.subject, node[1] if node else None)
            self._band_block(block, node)
            bands = [b for b in branches if isinstance(b, ast.CaseBranch) and isinstance(b.key, ast.BandKey)]
            for i, br in enumerate(bands):
                self._walk_value(br.value, node[2][i][4] if node is not None and i < len(node[2]) else None)
        else:
            node = ir if ir is not None and ir[0] == "match" else None
            self._walk_expr(block.selector.subject, node[1] if node else None)
            self._match_block(block, node)
            rows = [b for b in branches if isinstance(b, ast.CaseBranch) and isinstance(b.key, ast.EnumKey)
                    and not isinstance(b.value, ast.SameValue)]
            for i, br in enumerate(rows):
                self._walk_value(br.value, node[2][i][1] if node is not None and i < len(node[2]) else None)
        other = next((b for b in branches if isinstance(b, ast.CaseBranch) and isinstance(b.key, ast.OtherKey)),
                     None)
        if other is not None:
            self._walk_value(other.value, node[3][0] if node is not None and node[3] is not None else None)

    def _walk_expr(self, e: ast.Expr, ir: Node | None) -> None:
        def sub(index: int) -> Node | None:
            return ir[index] if ir is not None and len(ir) > index else None

        if isinstance(e, ast.Number):
            self._percent_literal(e, negative=False)
        elif isinstance(e, ast.Neg):
            if isinstance(e.arg, ast.Number):
                self._percent_literal(e.arg, negative=True)
            else:
                self._walk_expr(e.arg, sub(1) if ir is not None and ir[0] == "neg" else None)
        elif isinstance(e, ast.If):
            node = ir if ir is not None and ir[0] == "if" else None
            if node is not None:
                self._constant_condition(e.cond, node[1], inline=True)
            self._walk_expr(e.cond, node[1] if node else None)
            self._walk_expr(e.then, node[2] if node else None)
            self._walk_expr(e.other, node[3] if node else None)
        elif isinstance(e, ast.Cap) or (isinstance(e, ast.Call) and e.func in _MINMAX_WORDS):
            node = ir if ir is not None and ir[0] in ("min", "max") else None
            args = (e.left, e.right) if isinstance(e, ast.Cap) else e.args
            if node is not None:
                self._cap_floor(e, node)
            for i, arg in enumerate(args):
                self._walk_expr(arg, node[1][i] if node is not None and i < len(node[1]) else None)
        elif isinstance(e, ast.Call):
            node = ir if ir is not None and ir[0] == "call" else None
            for i, arg in enumerate(e.args):
                self._walk_expr(arg, node[2][i] if node is not None and i < len(node[2]) else None)
        elif isinstance(e, ast.Round):
            self._walk_expr(e.arg, sub(3) if ir is not None and ir[0] == "round" else None)
        elif isinstance(e, (ast.Binary, ast.Compare)):
            ok = ir is not None and ir[0] in ("arith", "cmp")
            self._walk_expr(e.left, sub(2) if ok else None)
            self._walk_expr(e.right, sub(3) if ok else None)
        elif isinstance(e, ast.Logic):
            ok = ir is not None and ir[0] == e.op
            self._walk_expr(e.left, sub(1) if ok else None)
            self._walk_expr(e.right, sub(2) if ok else None)
        elif isinstance(e, ast.Not):
            self._walk_expr(e.arg, sub(1) if ir is not None and ir[0] == "not" else None)

    def _constant_condition(self, cond: ast.Expr, test: Node, inline: bool) -> Any:
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

    def _cond_block(self, block: ast.BlockValue, node: Node | None) -> None:
        ifs = [b for b in block.branches if isinstance(b, ast.IfBranch)]
        seen: dict[Any, ast.IfBranch] = {}
        dead_from: ast.Branch | None = None  # the first branch after an always-true condition
        for i, br in enumerate(ifs):
            branch = node[1][i] if node is not None and i < len(node[1]) else None
            test = branch[0] if branch is not None else None
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
            self._walk_value(br.value, branch[1] if branch is not None else None)
        other = next((b for b in block.branches if isinstance(b, ast.ElseBranch)), None)
        if other is not None:
            self._walk_value(other.value, node[2][0] if node is not None else None)

    def _match_block(self, block: ast.BlockValue, node: Node | None) -> None:
        assert block.selector is not None
        if node is None:
            return
        other = next((b for b in block.branches if isinstance(b, ast.CaseBranch)
                      and isinstance(b.key, ast.OtherKey)), None)
        listed = [m for b in block.branches if isinstance(b, ast.CaseBranch) and isinstance(b.key, ast.EnumKey)
                  for m in b.key.names]
        members = self.subject_members(node[1])
        subject = self.text(block.selector.subject.span)
        constant = self.fold(node[1], self.owner)
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

    def _band_block(self, block: ast.BlockValue, node: Node | None) -> None:
        assert block.selector is not None
        band_branches = [b for b in block.branches if isinstance(b, ast.CaseBranch)
                         and isinstance(b.key, ast.BandKey)]
        self._band_wording(block, band_branches)
        if node is None or len(node[2]) != len(band_branches):
            return
        other = next((b for b in block.branches if isinstance(b, ast.CaseBranch)
                      and isinstance(b.key, ast.OtherKey)), None)
        subject = self.text(block.selector.subject.span)
        integer = self.is_integer(node[1])
        pairs = list(zip(band_branches, node[2], strict=True))

        constant = self.fold(node[1], self.owner)
        if isinstance(constant, (int, Decimal)) and not isinstance(constant, bool):
            hit = False
            for br, band in pairs:
                if _in_band(constant, band):
                    hit = True
                else:
                    self.add("L303", self.head(br.span), f"「{subject}」恒为 {V.fmt(constant)}：这一分段永远不会被采用")
            if other is not None and hit:
                self.add("L304", self.head(other.span), f"「{subject}」恒为 {V.fmt(constant)}：「其他」永远不会被采用")
            return

        if integer:
            for br, band in pairs:
                if not _has_values(band[0], band[1], band[2], band[3], integer=True):
                    assert isinstance(br.key, ast.BandKey)
                    self.add("L303", self.head(br.span),
                             f"「{subject}」是整数，分段「{br.key.text}」不含任何整数：这一分段永远不会被采用",
                             hint="检查边界和（含）/（不含）")

        ordered = sorted(pairs, key=lambda p: (p[1][0] is not None, p[1][0] if p[1][0] is not None else 0))
        covered_all = True
        for (br_a, a), (br_b, b) in itertools.pairwise(ordered):
            assert isinstance(br_a.key, ast.BandKey) and isinstance(br_b.key, ast.BandKey)
            if a[2] is None or b[0] is None:
                continue  # INVARIANT: the checker rejects overlapping bands, so only the last is open above
            if not _has_values(a[2], not a[3], b[0], not b[1], integer):
                continue
            covered_all = False
            up, lo = br_a.key.upper, br_b.key.lower
            if up is not None and lo is not None and a[2] == b[0]:
                where = f"恰为 {up.value.text}"
            else:
                where = f"{up.value.text if up else V.fmt(a[2])} 与 {lo.value.text if lo else V.fmt(b[0])} 之间"
            tail = "，计算时取「其他」" if other is not None else "，且没有「其他」，计算时会出错"
            self.add("L101", self.head(br_b.span),
                     f"分段「{br_a.key.text}」与「{br_b.key.text}」之间有空档：「{subject}」{where}时不属于任何分段{tail}",
                     hint="让两段的边界相接，并用（含…）/（不含…）写明边界归属",
                     severity="info" if other is not None else None)
        if not ordered:
            return
        (br_low, low), (br_high, high) = ordered[0], ordered[-1]
        assert isinstance(br_low.key, ast.BandKey) and isinstance(br_high.key, ast.BandKey)
        if low[0] is not None:
            covered_all = False
            natural_floor = low[0] == 0 and low[1]
            if other is None and not natural_floor:
                bound = br_low.key.lower.value.text if br_low.key.lower else V.fmt(low[0])
                word = "不高于" if not low[1] else "低于"
                self.add("L102", self.head(br_low.span),
                         f"「{subject}」{word} {bound} 时不属于任何分段，且没有「其他」，计算时会出错",
                         hint="补上更低的分段或加一行「其他：…」")
        if high[2] is not None:
            covered_all = False
            if other is None:
                bound = br_high.key.upper.value.text if br_high.key.upper else V.fmt(high[2])
                word = "超过" if high[3] else "达到"
                self.add("L102", self.head(br_high.span),
                         f"「{subject}」{word} {bound} 时不属于任何分段，且没有「其他」，计算时会出错",
                         hint="补上更高的分段或加一行「其他：…」")
        if covered_all and other is not None:
            self.add("L304", self.head(other.span), "各分段已覆盖全部数值：「其他」永远不会被采用",
                     hint="删去「其他」这一行")

    def _cap_floor(self, e: ast.Expr, node: Node) -> None:
        outer = node[0]
        inner_op = "max" if outer == "min" else "min"
        own = [v for v in (self.fold(a, self.owner) for a in node[1]) if _is_number(v)]
        if not own:
            return
        for arg in node[1]:
            if arg[0] != inner_op:
                continue
            inner = [v for v in (self.fold(a, self.owner) for a in arg[1]) if _is_number(v)]
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


def _in_band(value: Any, band: Node) -> bool:
    lo, lo_incl, hi, hi_incl = band[0], band[1], band[2], band[3]
    if lo is not None and not (lo <= value if lo_incl else lo < value):
        return False
    return hi is None or (value <= hi if hi_incl else value < hi)


def _has_values(lo: Any, lo_in: bool, hi: Any, hi_in: bool, integer: bool) -> bool:
    """Whether the interval from lo to hi (None: unbounded) holds any value (any integer, if `integer`)."""
    if lo is None or hi is None:
        return True
    if not integer:
        return bool(lo < hi or (lo == hi and lo_in and hi_in))
    first: int = math.ceil(lo) if lo_in else math.floor(lo) + 1
    last: int = math.floor(hi) if hi_in else math.ceil(hi) - 1
    return first <= last
