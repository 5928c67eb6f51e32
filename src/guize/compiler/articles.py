"""原文 blocks: the articles a file holds, every 依据 in it, and how the two are tied together."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from guize.compiler import ast
from guize.compiler.diagnostics import Diagnostic
from guize.runtime import lawtext


def held(tree: ast.RuleFile) -> dict[str, tuple[str, ...]]:
    """Article -> its lines, for every 原文 block (the first of a repeated one)."""
    out: dict[str, tuple[str, ...]] = {}
    for a in tree.articles:
        out.setdefault(a.article, a.paragraphs)
    return out


def _cites(node: object) -> Iterator[ast.Citation]:
    if isinstance(node, ast.Citation):
        yield node
    elif isinstance(node, tuple):
        for x in node:
            yield from _cites(x)
    elif attrs.has(type(node)) and not isinstance(node, (ast.Span, ast.Example, ast.ArticleText)):
        for f in attrs.fields(type(node)):  # type: ignore[arg-type]
            if f.eq:
                yield from _cites(getattr(node, f.name))


def citations(tree: ast.RuleFile) -> list[tuple[str, ast.Span]]:
    """Every article a 依据 in the file names, with where, in the order written."""
    found: list[tuple[str, ast.Span]] = []
    for stmt in (*tree.types, *tree.inputs, *tree.definitions, *tree.assertions):
        for cite in _cites(stmt):
            found.extend((article, cite.span) for article in cite.articles)
    found.sort(key=lambda c: (c[1].line, c[1].column))
    return found


def check(tree: ast.RuleFile) -> list[Diagnostic]:
    """A 原文 names a whole article once; a 依据 of an article the file holds names a paragraph or
    item that article has (a 依据 of an article with no 原文 is not checked)."""
    out: list[Diagnostic] = []
    seen: dict[str, ast.ArticleText] = {}
    for a in tree.articles:
        whole = lawtext.article_of(a.article)
        if whole != a.article:
            out.append(Diagnostic("error", "E296", f"「原文」后应写整条条款，如「{whole or '第十四条'}」，"
                                  f"而不是「{a.article}」", a.span,
                                  hint=f"写「原文 {whole}：」并把全条的各款逐行写在下面" if whole else None))
        elif a.article in seen:
            out.append(Diagnostic("error", "E295", f"{a.article}的原文重复：第 {seen[a.article].span.line} 行已经写过",
                                  a.span, hint="删去其中一段，或把两段合为一段"))
        seen.setdefault(a.article, a)
    articles = held(tree)
    for article, span in citations(tree):
        found = lawtext.resolve(articles, article)
        if isinstance(found, str):
            out.append(Diagnostic("warning", "W290", f"依据「{article}」在原文中找不到：{found}", span,
                                  hint="核对条款的款、项序号，或补全原文", article=article))
    return out
