"""原文 blocks: the articles a file holds, every 依据 in it, and how the two are tied together."""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterator
from typing import Any

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
    """Every Citation within node, in order: a walk over tuples and the fields of attrs classes
    that take part in equality (each class's fields looked up once, in _WALK)."""
    stack = [node]
    while stack:
        node = stack.pop()
        walk = _WALK.get(type(node))
        if walk is None:
            walk = _WALK[type(node)] = _walk(type(node))
        if walk is _CITATION:
            yield node  # type: ignore[misc]
        elif walk is _TUPLE:
            stack.extend(reversed(node))  # type: ignore[call-overload]
        elif walk:
            stack.extend(getattr(node, name) for name in reversed(walk))


_CITATION, _TUPLE = ("<citation>",), ("<tuple>",)
_WALK: dict[type, tuple[str, ...]] = {}  # class -> _CITATION, _TUPLE or the fields walked (none: a leaf)


def _walk(kind: type) -> tuple[str, ...]:
    if issubclass(kind, ast.Citation):
        return _CITATION
    if issubclass(kind, tuple):
        return _TUPLE
    if not attrs.has(kind) or issubclass(kind, (ast.Span, ast.Example, ast.ArticleText)):
        return ()
    hints = _hints(kind)
    # Only the fields whose declared type may hold a Citation: not an expression's operands.
    return tuple(f.name for f in attrs.fields(kind)
                 if f.eq and (hints is None or any(map(_may_hold, _classes(hints.get(f.name, Any))))))


def _hints(kind: type) -> dict[str, Any] | None:
    try:
        return typing.get_type_hints(kind)
    except Exception:  # an annotation that does not resolve: walk every field
        return None


def _classes(hint: Any) -> Iterator[type]:
    """The classes a type annotation names (object for Any or anything else it cannot tell)."""
    if hint is Any:
        yield object
    elif typing.get_args(hint):
        for arg in typing.get_args(hint):
            if arg is not Ellipsis:
                yield from _classes(arg)
    elif isinstance(hint, type):
        yield hint
    else:
        yield object


@functools.cache
def _may_hold(kind: type) -> bool:
    """Whether a value of this declared type may be or hold a Citation (through the annotations
    of its attrs fields; a class that refers back to itself is followed once)."""
    seen: set[type] = set()
    stack = [kind]
    while stack:
        k = stack.pop()
        if k in seen:
            continue
        seen.add(k)
        if k is object or issubclass(k, ast.Citation):
            return True
        if attrs.has(k):
            hints = _hints(k)
            if hints is None:
                return True
            for f in attrs.fields(k):
                if f.eq:
                    stack.extend(_classes(hints.get(f.name, Any)))
    return False


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
    if not articles:  # no 原文: no 依据 is checked (and no walk over every statement for them)
        return out
    for article, span in citations(tree):
        found = lawtext.resolve(articles, article)
        if isinstance(found, str):
            out.append(Diagnostic("warning", "W290", f"依据「{article}」在原文中找不到：{found}", span,
                                  hint="核对条款的款、项序号，或补全原文", article=article))
    return out
