"""Lint: findings beyond the checker's (gaps, unreachable branches, citations, wording), with suppressions.

Works from the syntax tree (for spans and wording) and the checked tree (for values): a
definition's body and its lowered IR are walked side by side. Constant conditions and
bounds are found by running the reference interpreter with every input, the as-of date
and every dated value treated as unknown, so a "constant" is only ever claimed soundly.
"""

from __future__ import annotations

import datetime
import decimal
import itertools
import math
import os
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from guize.compiler import ast, parser, suppressions
from guize.compiler.checker import CheckedPolicy, check, validity
from guize.compiler.diagnostics import CompileError, Diagnostic
from guize.compiler.driver import read_source, rule_files
from guize.compiler.lexicon import PERCENT_UNITS
from guize.runtime import dates
from guize.runtime import values as V
from guize.runtime.errors import RuleError
from guize.runtime.interp import Interpreter
from guize.runtime.ir import Node, dependencies
from guize.runtime.validity import Repealed

EXPIRY_WARNING_DAYS = 90


@attrs.frozen
class Rule:
    code: str
    name: str  # a stable English id, for SARIF
    severity: str  # error / warning / info (a finding may be milder than its rule's default)
    title: str
    what: str
    silence: str
    help_uri: str | None = None


_IGNORE = "在该行末尾或上一行写「# guize-lint: 忽略 {code} 理由」"

RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("L001", "suppression-without-reason", "warning", "忽略注释没有写理由",
         "「# guize-lint: 忽略 L…」后面必须写明理由；没有理由的忽略注释不生效。",
         "补上理由"),
    Rule("L002", "bad-suppression", "warning", "忽略注释无法识别或代码未知",
         "忽略注释的格式不对，或其中的代码不是已知的 lint 规则或检查器警告（错误不能忽略）。",
         "改正代码或删去该注释"),
    Rule("L003", "unused-suppression", "info", "忽略注释没有用上",
         "忽略注释所在行（或下一行）没有对应代码的发现。",
         "删去该注释"),
    Rule("L101", "band-gap", "warning", "分段之间有空档",
         "相邻两个分段之间有取值不属于任何分段（有「其他」时为提示：空档取「其他」）。",
         "补齐边界，或 " + _IGNORE.format(code="L101")),
    Rule("L102", "band-open-end", "warning", "分段未覆盖最低段以下或最高段以上",
         "没有「其他」时，低于最低分段或高于最高分段的取值会在计算时出错。以 0（含）起算的最低分段不算空档。",
         "加「其他」或补上分段，或 " + _IGNORE.format(code="L102")),
    Rule("L103", "band-wording-mixed", "warning", "分段边界用词不一致",
         "同一张分段表里，有的边界用「以上/以下/以内」（含本数），有的用「超过/不满/低于」（不含本数），"
         "且都没有用（含）/（不含）写明。",
         "在边界处写明（含…）/（不含…），或 " + _IGNORE.format(code="L103")),
    Rule("L104", "bound-word-contradiction", "warning", "边界用词与括号矛盾",
         "「超过/不满/低于」等不含本数的词又写了（含…），用词自相矛盾，请起草人确认。",
         "删去矛盾的一方，或 " + _IGNORE.format(code="L104")),
    Rule("L105", "bound-default-overridden", "info", "括号改变了用词的默认含义",
         "「以上/以下/以内」按《民法典》第一千二百五十九条含本数，这里用（不含…）改变了默认含义。",
         _IGNORE.format(code="L105")),
    Rule("L106", "other-hides-members", "info", "「其他」代替了未列出的枚举值",
         "按枚举列出的表用「其他」代替了若干取值；若这些取值本应不同，请逐一列出。",
         "逐一列出这些取值，或 " + _IGNORE.format(code="L106")),
    Rule("L201", "version-gap-at-end", "warning", "最后一个版本在文件失效前截止",
         "最后一个按日期的版本写了「至…」，而文件在那之后仍然有效：之后的日期没有取值。"
         "（版本之间的空档由检查器报告：W281。）",
         "调整日期，或 " + _IGNORE.format(code="L201")),
    Rule("L202", "version-outside-window", "warning", "版本日期在文件有效期之外",
         "第一个版本整个在文件施行日期之前，或某版本截止于文件有效期之后：超出的部分永远不会被采用。"
         "（第一个之后的版本早于施行日期是检查器错误 E284。）",
         "按文件有效期改写日期，或 " + _IGNORE.format(code="L202")),
    Rule("L203", "document-expiring", "warning", "文件即将失效",
         f"文件的有效期将在 --as-of 日期后 {EXPIRY_WARNING_DAYS} 天内届满（已被文件库中其他文件废止的除外）。",
         "准备替代文件，或 " + _IGNORE.format(code="L203")),
    Rule("L204", "document-expired", "info", "文件已失效",
         "文件的有效期在 --as-of 日期之前已经届满；之后的日期计算时会报「不在有效期」。",
         _IGNORE.format(code="L204")),
    Rule("L301", "constant-condition", "warning", "条件恒成立或恒不成立",
         "「若」的条件只由常量和参数决定，结果恒为「是」或恒为「否」。",
         "改写条件，或 " + _IGNORE.format(code="L301")),
    Rule("L302", "unreachable-branch", "warning", "分支永远不会被采用",
         "前面已有恒成立的条件，或同样的条件已经写过，这一分支永远不会被采用。",
         "删去或改写该分支，或 " + _IGNORE.format(code="L302")),
    Rule("L303", "unreachable-case", "warning", "分段或表行永远不会被采用",
         "整数分段对象的某一分段不含任何整数，或分段/表的对象是常量。",
         "删去或改写该行，或 " + _IGNORE.format(code="L303")),
    Rule("L304", "unreachable-other", "warning", "「其他」永远不会被采用",
         "分段已覆盖全部数值，或表已列出枚举的全部取值，「其他」多余。",
         "删去「其他」，或 " + _IGNORE.format(code="L304")),
    Rule("L305", "unused-definition", "warning", "定义没有被任何输出使用",
         "这个定义、参数或表既不是输出，也不被任何输出（直接或间接）用到。",
         "删去，或改为「输出」，或 " + _IGNORE.format(code="L305")),
    Rule("L306", "unused-input", "warning", "输入没有被任何输出读取",
         "没有任何输出（直接或间接）读取这个输入。",
         "删去该输入，或 " + _IGNORE.format(code="L306")),
    Rule("L401", "missing-citation", "warning", "定义没有写依据",
         "定义、参数、表或输出没有写「依据 第…条」（整段没有，且并非每一行都有）。",
         "写上「依据 第…条」，或 " + _IGNORE.format(code="L401")),
    Rule("L402", "input-missing-citation", "info", "输入没有写依据",
         "输入没有写「依据 第…条」。",
         "写上「依据 第…条」，或 " + _IGNORE.format(code="L402")),
    Rule("L403", "rate-out-of-range", "warning", "比率超出 0–100%",
         "比率类定义中的百分数常量，或恒定的比率参数，小于 0 或大于 100%。",
         "改正数值，或 " + _IGNORE.format(code="L403")),
    Rule("L404", "cap-below-floor", "error", "上限低于下限",
         "「最高」/「取较小值」的常量上限低于嵌套在内的「最低」/「取较大值」的常量下限：结果恒为常量，与输入无关。",
         "改正上限或下限，或 " + _IGNORE.format(code="L404")),
)}

# Civil Code art. 1259: 以上、以下、以内 include the number; 不满、超过 exclude it.
_INCLUSIVE_WORDS = frozenset({"以上", "以下", "以内"})
_EXCLUSIVE_WORDS = frozenset({"超过", "高于", "不满", "低于", "不足"})
_MINMAX_WORDS = {"取较小值": "min", "取较大值": "max"}


def _word_default(word: str) -> bool | None:
    """Whether a bound word includes the number by default; None for range marks (至, —)."""
    if word in _INCLUSIVE_WORDS:
        return True
    if word in _EXCLUSIVE_WORDS:
        return False
    return None


# ---------------------------------------------------------------- constant folding


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


# ---------------------------------------------------------------- one file


class _FileLinter:
    def __init__(self, tree: ast.RuleFile, checked: CheckedPolicy, source: str, as_of: datetime.date,
                 repealed: dict[str, Repealed]) -> None:
        self.tree = tree
        self.checked = checked
        self.path = tree.path
        self.lines = source.replace("\r\n", "\n").split("\n")
        self.as_of = as_of
        self.repealed = repealed
        self.findings: list[Diagnostic] = list(checked.diagnostics)
        self.folder = _Folder(checked.defs, {s["name"]: s for s in checked.inputs}, {}, as_of)
        self.specs = {s["name"]: s for s in checked.inputs}
        self.enums: dict[str, tuple[str, ...]] = {t.name: t.members for t in tree.types}
        for inp in tree.inputs:
            if isinstance(inp.type, ast.InlineEnum):
                self.enums.setdefault(inp.name, inp.type.members)
        self.owner = ""
        self.article: str | None = None
        self.rate_def = False

    # ------------------------------------------------------------ helpers

    def add(self, code: str, span: ast.Span, message: str, hint: str | None = None,
            severity: str | None = None) -> None:
        self.findings.append(Diagnostic(severity or RULES[code].severity, code, message, span, hint,
                                        self.article))

    def text(self, span: ast.Span, limit: int = 40) -> str:
        """The source under a span (first line only), for quoting in messages."""
        if not 0 < span.line <= len(self.lines):
            return "…"
        line = self.lines[span.line - 1]
        end = span.end_column - 1 if span.end_line == span.line else len(line)
        text = line[span.column - 1:end].strip()
        if span.end_line != span.line:
            text += "…"
        return text if len(text) <= limit else text[:limit] + "…"

    def head(self, span: ast.Span) -> ast.Span:
        """The first line of a multi-line span, without a trailing comment: where a drafter looks."""
        if span.end_line == span.line or not 0 < span.line <= len(self.lines):
            return span
        line = self.lines[span.line - 1]
        cut = re.search(r"\s*[#＃]", line[span.column - 1:])
        end = span.column - 1 + cut.start() if cut else len(line.rstrip())
        return ast.Span(span.file, span.line, span.column, span.line, max(end + 1, span.column + 1))

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

    # ------------------------------------------------------------ driver

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

    # ------------------------------------------------------------ documents and dates

    def _document(self, doc: ast.Document) -> None:
        v = validity(doc)
        if v.last is None:
            return
        rep = self.repealed.get(doc.docno or doc.title or "")
        if rep is not None and rep.on <= v.last:
            return  # it ends by repeal first: its own term never runs out
        span = self.head(doc.field_spans.get("end") or doc.field_spans.get("duration_years") or doc.span)
        name = f"《{doc.title}》" if doc.title else (doc.docno or "该文件")
        days = (v.last - self.as_of).days
        if days < 0:
            self.add("L204", span, f"{name}有效期至 {dates.cn(v.last)}，在 {dates.cn(self.as_of)} 已失效",
                     hint="若已有替代文件，可在文件库中用「替代：」关联")
        elif days <= EXPIRY_WARNING_DAYS:
            self.add("L203", span, f"{name}有效期至 {dates.cn(v.last)}，距 {dates.cn(self.as_of)} 只剩 {days} 天",
                     hint="准备替代或延期的文件，并在新文件中写「替代：」")

    def _dated_block(self, block: ast.BlockValue) -> None:
        # The checker already reports gaps between versions (W281), changes after the first one
        # that start before the document (E284) and versions starting after it ends (E283).
        keys = [br.key for br in block.branches
                if isinstance(br, ast.CaseBranch) and isinstance(br.key, ast.DatedKey)]
        if not keys:
            return
        window = validity(self.tree.documents[0]) if len(self.tree.documents) == 1 else None
        one_day = datetime.timedelta(days=1)
        first = keys[0]
        if window is not None and window.start is not None and first.start < window.start:
            # Only the first version may start early; it is dead if it also ends before the start.
            ends = first.end if first.end is not None else (keys[1].start - one_day if len(keys) > 1 else None)
            if ends is not None and ends < window.start:
                self.add("L202", first.span,
                         f"版本自 {dates.cn(first.start)} 起、至 {dates.cn(ends)} 止，整个在文件施行日期 "
                         f"{dates.cn(window.start)} 之前：永远不会被采用",
                         hint="删去这一版本，或核对文件的施行日期")
        for key in keys:
            if window is not None and window.last is not None and key.end is not None and key.end > window.last:
                self.add("L202", key.span, f"版本至 {dates.cn(key.end)} 止，晚于文件有效期的最后一日 "
                                           f"{dates.cn(window.last)}", hint="按文件有效期改写截止日期")
        last = keys[-1].end
        doc_last = window.last if window is not None else None
        if last is not None and (doc_last is None or last < doc_last):
            until = f"至 {dates.cn(doc_last)} " if doc_last else "起"
            self.add("L201", keys[-1].span,
                     f"最后一个版本至 {dates.cn(last)} 止：{dates.cn(last + one_day)} {until}没有适用的版本",
                     hint="删去最后一个版本的「至…」，或补上之后的版本")

    # ------------------------------------------------------------ citations and usage

    def _citation(self, d: ast.Definition) -> None:
        def cited(v: ast.Value) -> bool:
            if v.cite is not None or isinstance(v, ast.SameValue):
                return True
            if isinstance(v, ast.BlockValue):
                return bool(v.branches) and all(cited(b.value) for b in v.branches)
            return False

        if not cited(d.body):
            kind = {"def": "定义", "output": "输出", "param": "参数", "table": "表"}[d.kind]
            self.add("L401", self.head(d.span), f"{kind}「{d.name}」没有写依据",
                     hint="在这一行末尾写「依据 第…条」，让计算结果能追溯到条款")

    def _usage(self) -> None:
        defs = self.checked.defs
        used = dependencies(defs, self.checked.outputs)
        read = {i for name in used for i in defs[name]["inputs"]}
        for d in self.tree.definitions:
            if d.name in defs and d.name not in used:
                self.article = "、".join(d.cite.articles) if d.cite else None
                self.add("L305", self.head(d.span), f"「{d.name}」没有被任何输出使用",
                         hint="删去它，或把它改为「输出」")
        self.article = None
        for inp in self.tree.inputs:
            if inp.name in self.specs and inp.name not in read:
                self.add("L306", self.head(inp.span), f"输入「{inp.name}」没有被任何输出读取",
                         hint="删去它，或检查是否漏写了用到它的规则")

    def _constant_rate(self, d: ast.Definition) -> None:
        body = d.body
        if isinstance(body, ast.ExprValue):
            e = body.expr.arg if isinstance(body.expr, ast.Neg) else body.expr
            if isinstance(e, ast.Number):
                return  # the literal itself is checked where it is written
        value = self.fold(("ref", d.name), d.name)
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool) and not 0 <= value <= 1:
            self.add("L403", self.head(d.span), f"比率「{d.name}」恒为 {_percent(value)}，超出 0–100%",
                     hint="检查数值；上浮系数等大于 100% 的倍数可忽略此提示")

    # ------------------------------------------------------------ walking a body beside its IR

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

    # ------------------------------------------------------------ conditions

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

    # ------------------------------------------------------------ tables and bands

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

    def _band_wording(self, block: ast.BlockValue, bands: list[ast.CaseBranch]) -> None:
        implicit: dict[bool, list[tuple[str, ast.Bound]]] = {True: [], False: []}
        for br in bands:
            key = br.key
            assert isinstance(key, ast.BandKey)
            for bound in (key.lower, key.upper):
                if bound is None:
                    continue
                default = _word_default(bound.word)
                if default is None:
                    continue
                if not bound.explicit:
                    implicit[default].append((key.text, bound))
                elif bound.inclusive != default:
                    num = bound.value.text
                    if default is False:
                        self.add("L104", self.head(br.span),
                                 f"用词混杂：「{key.text}」中「{bound.word}」不含 {num}，括号却写了（含）",
                                 hint=f"请起草人确认 {num} 是否属于这一段，并删去矛盾的一方")
                    else:
                        self.add("L105", self.head(br.span),
                                 f"「{key.text}」用（不含）改变了「{bound.word}」的默认含义：按《民法典》第一千二百五十九条，"
                                 f"「{bound.word}」含本数，这里以明文为准，{num} 不属于这一段",
                                 hint="这是明文规定时无需修改")
        if implicit[True] and implicit[False]:
            assert block.selector is not None
            (incl, bound), (excl, _) = implicit[True][0], implicit[False][0]
            self.add("L103", self.head(block.selector.span),
                     f"分段边界用词不一致：「{excl}」不含边界，「{incl}」含边界，都没有写明（含）/（不含）",
                     hint=f"写明边界归属，如「{incl}（含{bound.value.text}）」，让读者不必推断")

    # ------------------------------------------------------------ values

    def _percent_literal(self, n: ast.Number, negative: bool) -> None:
        if not self.rate_def or n.unit not in PERCENT_UNITS or n.per is not None:
            return
        value = n.value * PERCENT_UNITS[n.unit]
        if negative and value > 0:
            self.add("L403", n.span, f"比率「-{n.text}」小于 0", hint="检查数值或符号")
        elif value > 1:
            self.add("L403", n.span, f"比率「{n.text}」超过 100%",
                     hint="检查数值；上浮系数等大于 100% 的倍数可忽略此提示")

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


def _percent(value: Any) -> str:
    text = format((Decimal(value) * 100).normalize(), "f")
    return f"{text}%"


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


# ---------------------------------------------------------------- suppressions


def _apply_suppressions(findings: list[Diagnostic], tree: ast.RuleFile, lines: list[str]) -> list[Diagnostic]:
    active, problems = suppressions.read(tree.path, tree.comments, lines, RULES)
    kept = suppressions.apply(findings, active, tree.path, RULES)
    return kept + problems + suppressions.unused(active)


# ---------------------------------------------------------------- entry points


def lint_source(source: str, path: str, as_of: datetime.date | None = None,
                extra: Iterable[Diagnostic] = (), repealed: dict[str, Repealed] | None = None) -> list[Diagnostic]:
    """Findings for one file's text: syntax and checker diagnostics, lint rules, suppressions applied.

    `extra` holds findings from elsewhere (the corpus) located in this file; `repealed` maps a
    document's 文号 or title to its repeal, so documents repealed early are not said to expire.
    """
    try:
        tree = parser.parse(source, path)
    except CompileError as exc:
        return sorted(exc.diagnostics, key=_order)
    checked = check(tree, source)
    linter = _FileLinter(tree, checked, source, as_of or datetime.date.today(), repealed or {})
    findings = linter.run() + list(extra)
    return sorted(_apply_suppressions(findings, tree, linter.lines), key=_order)


def lint(paths: Sequence[str], as_of: datetime.date | None = None) -> list[Diagnostic]:
    """Lint .rule files and directories; `as_of` (default today) dates the expiry checks.

    Raises RuleError for a path that does not exist.
    """
    from guize.compiler.corpus import load_corpus

    files = rule_files(list(paths))
    roots = sorted({str(f.parent) for f in files})
    corpus_diags: list[Diagnostic] = []
    repealed: dict[str, dict[str, Repealed]] = {}
    if roots:
        try:
            corpus = load_corpus(roots)
        except RuleError:
            corpus = None
        if corpus is not None:
            corpus_diags = list(corpus.diagnostics)
            for entry in corpus.entries:
                if entry.repealed is not None:
                    per_file = repealed.setdefault(os.path.realpath(entry.path), {})
                    per_file[entry.doc.get("docno") or entry.doc.get("title") or ""] = entry.repealed
    out: list[Diagnostic] = []
    for path in files:
        real = os.path.realpath(path)
        extra = [d for d in corpus_diags if os.path.realpath(d.span.file) == real]
        extra = [attrs.evolve(d, span=attrs.evolve(d.span, file=str(path))) for d in extra]
        try:
            source = read_source(path)
        except CompileError as exc:  # not UTF-8
            out.extend(exc.diagnostics)
            continue
        out.extend(lint_source(source, str(path), as_of, extra, repealed.get(real)))
    return out


def _order(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.span.file, d.span.line, d.span.column, d.code)


def counts(findings: Iterable[Diagnostic]) -> dict[str, int]:
    out = {"error": 0, "warning": 0, "info": 0}
    for d in findings:
        out[d.severity] = out.get(d.severity, 0) + 1
    return out

