"""guize fmt: statements as logical lines — documents, definitions, branches, examples."""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from guize.compiler import ast
from guize.compiler.diagnostics import display_width
from guize.compiler.lexicon import cn_to_int
from guize.tools.fmt.exprs import P_CAP, P_IF, end_of, expr_doc
from guize.tools.fmt.layout import SOFT, STEP, WIDTH, Nest
from guize.tools.fmt.spelling import (
    DEF_WORDS,
    FormatError,
    cite_doc,
    cite_text,
    date_text,
    docref_text,
    issuer_text,
    key_text,
    literal_text,
    name_or_quoted,
    quote,
)


@attrs.frozen
class _Logical:
    indent: int
    doc: object
    start: int
    end: int


class Printer:
    """Statements -> logical lines; `src` (the source lines) only serves to find where
    a comment's code was (example lines) and how 有效期 was written."""

    def __init__(self, src: list[str]) -> None:
        self.src = src

    def statement(self, node: object) -> list[_Logical]:
        if isinstance(node, ast.Document):
            return self.document(node)
        if isinstance(node, ast.TypeDecl):
            text = f"类型 {node.name}：{'、'.join(node.members)}{cite_text(node.cite)}"
            return [_Logical(0, text, node.span.line, max(node.span.line, end_of(node.cite)))]
        if isinstance(node, ast.UnitDecl):
            text = f"单位 {node.name}" + (f" = {node.amount.text}" if node.amount else "") + cite_text(node.cite)
            return [_Logical(0, text, node.span.line, max(node.span.line, end_of(node.cite)))]
        if isinstance(node, ast.InputDecl):
            text = ("新增 " if node.added else "") + f"输入 {field_text(node)}"
            return [_Logical(0, text, node.span.line, max(node.span.line, end_of(node.cite)))]
        if isinstance(node, ast.RecordDecl):
            line = node.span.line
            out = [_Logical(0, f"类型 {node.name}：{cite_text(node.cite)}", line, max(line, end_of(node.cite)))]
            return out + [_Logical(STEP, field_text(f), f.span.line, max(f.span.line, end_of(f.cite)))
                          for f in node.fields]
        if isinstance(node, ast.Definition):
            return self.definition(node)
        if isinstance(node, ast.Example):
            return self.example(node)
        if isinstance(node, ast.Assertion):
            doc = ["断言 ", expr_doc(node.expr), cite_doc(node.cite)]
            return [_Logical(0, doc, node.span.line, max(node.span.line, end_of(node.expr, node.cite)))]
        if isinstance(node, ast.ArticleText):  # the law's text is copied verbatim, a paragraph a line
            out = [_Logical(0, f"原文 {node.article}：", node.span.line, node.span.line)]
            return out + [_Logical(STEP, text, line, line) for text, line in zip(node.paragraphs, node.lines, strict=True)]
        raise FormatError(f"unknown statement {node!r}")  # pragma: no cover

    # ------------------------------------------------------------ documents

    def document(self, doc: ast.Document) -> list[_Logical]:
        fs = doc.field_spans
        out = [_Logical(0, "文件：", doc.span.line, doc.span.line)]

        def field(key: str, text: str) -> None:
            line = fs[key].line if key in fs else 0
            out.append(_Logical(STEP, text, line, line))

        if doc.title is not None:
            field("title", f"标题：《{doc.title}》")
        if doc.docno is not None:
            field("docno", f"文号：{doc.docno}")
        if doc.issuer is not None:
            field("issuer", f"发布机关：{issuer_text(doc.issuer)}")
        for key, word in (("published", "发布日期"), ("effective", "施行日期"), ("end", "截止日期")):
            value = getattr(doc, key)
            if value is not None:
                field(key, f"{word}：{date_text(value)}")
        if doc.duration_years is not None:
            field("duration_years", f"有效期：{self._duration(doc)}")
        for rep in doc.repeals:
            out.extend(self.repeal(rep))
        if doc.history:
            field("history", "沿革：")
            for ev in doc.history:
                text = f"{date_text(ev.date)} {ev.action}" + (f" {docref_text(ev.ref)}" if ev.ref else "")
                out.append(_Logical(2 * STEP, text, ev.span.line, ev.span.line))
        if doc.note is not None:
            field("note", f"备注：{quote(doc.note)}")
        if doc.amends is not None:
            field("amends", f"修改：{docref_text(doc.amends)}")
        if doc.adopts is not None:
            field("adopts", f"参照执行：{docref_text(doc.adopts)}")
        return out

    def _duration(self, doc: ast.Document) -> str:
        """有效期 as written (五年 or 5年) when the source says so; otherwise N年."""
        span = doc.field_spans.get("duration_years")
        if span is not None and 0 < span.line <= len(self.src):
            m = re.search(r"有效期\s*[:：]\s*([一二三四五六七八九十两]+年|\d+年)", self.src[span.line - 1])
            if m:
                word = m[1][:-1]
                try:
                    if cn_to_int(word) == doc.duration_years:
                        return m[1]
                except ValueError:
                    pass
        return f"{doc.duration_years}年"

    def repeal(self, rep: ast.Repeal) -> list[_Logical]:
        word = "替代" if rep.replaces else "废止"
        since = f"自{date_text(rep.since)}起" if rep.since else ""
        line = rep.span.line
        inline = f"{word}：{'、'.join(docref_text(r) for r in rep.refs)}" + (f" {since}" if since else "")
        if rep.replaces or len(rep.refs) < 2 or STEP + display_width(inline) <= WIDTH:
            return [_Logical(STEP, inline, line, line)]
        out = [_Logical(STEP, f"{word}：{since}", line, line)]
        out += [_Logical(2 * STEP, docref_text(r), r.span.line, r.span.line) for r in rep.refs]
        return out

    # ------------------------------------------------------------ definitions

    def definition(self, d: ast.Definition) -> list[_Logical]:
        head = ("新增 " if d.added else "") + f"{DEF_WORDS[d.kind]} {d.name}"
        if d.type is not None:
            head += f"：{ast.type_text(d.type)}" + (f"，{d.rounding}" if d.rounding else "")
            head += ("，可为负" if d.negative else "") + ("，可作输入" if d.given else "")
            head += f"，按 {d.each} {d.each_word}" if d.each else ""
        body = d.body
        local = "，各地可调整" if d.local else ""
        if isinstance(body, ast.ExprValue):
            if body.expr.span.line > d.span.line:  # written 「… =」 and continued below: kept
                doc = [head, " =", Nest([SOFT, expr_doc(body.expr)]), local, cite_doc(body.cite)]
            else:
                doc = [head, " = ", expr_doc(body.expr), local, cite_doc(body.cite)]
            return [_Logical(0, doc, d.span.line, max(d.span.line, end_of(body.expr, body.cite)))]
        doc = [head, *self._selector(body.selector, " "), local, cite_text(body.cite)]
        out = [_Logical(0, doc, d.span.line, max(d.span.line, end_of(body.selector, body.cite)))]
        return out + self.branches(body.branches, STEP)

    def _selector(self, sel: ast.Selector | None, before: str) -> list[object]:
        if sel is None:
            return []
        return [f"{before}按 ", expr_doc(sel.subject, P_CAP), " 分段" if sel.bands else ""]

    def branches(self, branches: Iterable[ast.Branch], indent: int) -> list[_Logical]:
        out: list[_Logical] = []
        for br in branches:
            out.extend(self.branch(br, indent))
        return out

    def branch(self, br: ast.Branch, indent: int) -> list[_Logical]:
        v = br.value
        if isinstance(br, ast.IfBranch):
            lead: list[object] = ["若 ", expr_doc(br.cond, P_CAP)]
            sep, vmin = " 则 ", P_CAP
        elif isinstance(br, ast.ElseBranch):
            lead, sep, vmin = ["否则"], " ", P_CAP
        else:
            lead, sep, vmin = [key_text(br.key), "："], "", P_IF
        cond = br.cond if isinstance(br, ast.IfBranch) else None
        if isinstance(v, ast.ExprValue):
            doc = [*lead, sep, expr_doc(v.expr, vmin), cite_doc(v.cite)]
            end = end_of(cond, v.expr, v.cite)
        elif isinstance(v, ast.SameValue):
            doc = [*lead, sep, f"参照 {v.target}", cite_text(v.cite)]
            end = end_of(cond, v.cite)
        else:
            colon = "" if isinstance(br, ast.CaseBranch) else "："
            doc = [*lead, colon, *self._selector(v.selector, ""), cite_text(v.cite)]
            end = end_of(cond, v.selector, v.cite)
        out = [_Logical(indent, doc, br.span.line, max(br.span.line, end))]
        if isinstance(v, ast.BlockValue):
            out += self.branches(v.branches, indent + STEP)
        return out

    # ------------------------------------------------------------ examples

    def example(self, ex: ast.Example) -> list[_Logical]:
        start = ex.span.line
        out = [_Logical(0, f"例 {name_or_quoted(ex.name)}：", start, start)]
        body = self._example_lines(start)

        def find(pattern: str) -> int:
            return next((n for n in body if re.match(pattern, self.src[n - 1])), 0)

        if ex.date is not None:
            line = find(r"[ \t\u3000]*日期[ \t\u3000]*[:：]")
            out.append(_Logical(STEP, f"日期：{date_text(ex.date)}", line, line))
        if ex.known_on is not None:
            line = find(r"[ \t\u3000]*按[ \t\u3000]*\d")
            out.append(_Logical(STEP, f"按{date_text(ex.known_on)}已发布的规定", line, line))
        for name, lit in ex.inputs:
            if isinstance(lit, ast.RecordsValue):
                out += records_lines(name, lit)
                continue
            out.append(_Logical(STEP, f"{name} = {literal_text(lit)}", lit.span.line, lit.span.line))
        for name, want in ex.expects:
            text = list_text(want) if isinstance(want, ast.ListValue) else literal_text(want)
            out.append(_Logical(STEP, f"期望 {name} = {text}", want.span.line, want.span.line))
        if ex.expect_not_in_force:
            line = find(r"[ \t\u3000]*(期望|预期)[ \t\u3000]+未生效")
            out.append(_Logical(STEP, "期望 未生效", line, line))
        if ex.expect_error is not None:
            line = find(r"[ \t\u3000]*(期望|预期)[ \t\u3000]+错误")
            text = "期望 错误" + (f" {quote(ex.expect_error)}" if ex.expect_error else "")
            out.append(_Logical(STEP, text, line, line))
        return out

    def _example_lines(self, start: int) -> list[int]:
        """Source lines of an example's body: the indented lines after its header."""
        out = []
        n = start + 1
        while n <= len(self.src):
            text = self.src[n - 1]
            if text.strip() and text[:1] not in (" ", "\t", "\u3000") and not text.lstrip().startswith(("#", "＃")):
                break
            out.append(n)
            n += 1
        return out


def field_text(f: ast.InputDecl) -> str:
    """An input or a record's field: 名称：类型[，默认 值][，可为负][依据 …]."""
    text = f"{f.name}：{ast.type_text(f.type)}"
    if f.default is not None:
        text += f"，默认 {literal_text(f.default)}"
    if f.negative:
        text += "，可为负"
    text += "".join(f"，{role}" for role in f.roles)
    return text + cite_text(f.cite)


def records_lines(name: str, lit: ast.RecordsValue) -> list[_Logical]:
    """A list input in an example: `名称：` then one item a line (空列表 when it has none)."""
    line = lit.span.line
    if not lit.items:
        return [_Logical(STEP, f"{name} = 空列表", line, line)]
    out = [_Logical(STEP, f"{name}：", line, line)]
    for item in lit.items:
        at = item[0][1].span.line if item else line
        out.append(_Logical(2 * STEP, "，".join(f"{k} = {literal_text(v)}" for k, v in item), at, at))
    return out


def list_text(want: ast.ListValue) -> str:
    return "、".join(literal_text(v) for v in want.items) or "空列表"
