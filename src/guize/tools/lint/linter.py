"""guize lint: one file's linter — reporting findings, and the rules that read only the syntax
tree (documents and dates, citations, usage, band wording, percent literals). The rules that
also read the checked tree (IR) extend it in ir_rules."""

from __future__ import annotations

import datetime
import re

from guize.compiler import articles, ast
from guize.compiler.checker import CheckedPolicy, validity
from guize.compiler.diagnostics import Diagnostic
from guize.compiler.lexicon import PERCENT_UNITS
from guize.runtime import dates, lawtext
from guize.runtime.deps import dependencies
from guize.runtime.validity import Repealed
from guize.tools.lint.rules import EXPIRY_WARNING_DAYS, RULES

# Civil Code art. 1259: 以上、以下、以内 include the number; 不满、超过 exclude it.
_INCLUSIVE_WORDS = frozenset({"以上", "以下", "以内"})
_EXCLUSIVE_WORDS = frozenset({"超过", "高于", "不满", "低于", "不足"})


def _word_default(word: str) -> bool | None:
    """Whether a bound word includes the number by default; None for range marks (至, —)."""
    if word in _INCLUSIVE_WORDS:
        return True
    if word in _EXCLUSIVE_WORDS:
        return False
    return None


class SyntaxLinter:
    """One file: reports findings (with spans and the article cited) and runs the syntax-tree rules."""

    def __init__(self, tree: ast.RuleFile, checked: CheckedPolicy, source: str, as_of: datetime.date,
                 repealed: dict[str, Repealed]) -> None:
        self.tree = tree
        self.checked = checked
        self.path = tree.path
        self.lines = source.replace("\r\n", "\n").split("\n")
        self.as_of = as_of
        self.repealed = repealed
        self.findings: list[Diagnostic] = list(checked.diagnostics)
        self.specs = {s["name"]: s for s in checked.inputs}
        self.enums: dict[str, tuple[str, ...]] = {t.name: t.members for t in tree.types}
        for inp in tree.inputs:
            if isinstance(inp.type, ast.InlineEnum):
                self.enums.setdefault(inp.name, inp.type.members)
        self.owner = ""
        self.article: str | None = None
        self.rate_def = False

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

    def _articles(self) -> None:
        """When the file holds 原文, each 依据 should find its article there, and each 原文 a 依据."""
        held = articles.held(self.tree)
        if not held:
            return
        cited = set()
        for article, span in articles.citations(self.tree):
            whole = lawtext.article_of(article)
            cited.add(whole)
            if whole is not None and whole not in held:
                self.article = article
                self.add("L408", span, f"依据「{article}」：文件中没有{whole}的原文",
                         hint=f"在文件中写「原文 {whole}：」并逐行写上条文；或核对条款序号")
        self.article = None
        for a in self.tree.articles:
            if a.article in held and a.article not in cited:
                self.add("L409", self.head(a.span), f"{a.article}的原文没有被任何依据引用",
                         hint="删去该原文，或在依据它的规则上写明条款")

    def _usage(self) -> None:
        defs = self.checked.defs
        used = dependencies(defs, self.checked.outputs)
        read = {i for name in used for i in defs[name].inputs}
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

    def _percent_literal(self, n: ast.Number, negative: bool) -> None:
        if not self.rate_def or n.unit not in PERCENT_UNITS or n.per is not None:
            return
        value = n.value * PERCENT_UNITS[n.unit]
        if negative and value > 0:
            self.add("L403", n.span, f"比率「-{n.text}」小于 0", hint="检查数值或符号")
        elif value > 1:
            self.add("L403", n.span, f"比率「{n.text}」超过 100%",
                     hint="检查数值；上浮系数等大于 100% 的倍数可忽略此提示")
