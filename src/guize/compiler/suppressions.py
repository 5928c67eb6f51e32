"""Suppression comments (`# guize-lint: 忽略 W210 理由`): read once, obeyed by `check` and `lint` alike.

A comment at the end of a line silences that line's findings with the codes it names; a comment
on a line of its own silences the next line that is neither blank nor a comment. A comment
without a reason silences nothing. Checker errors (E…) can never be silenced.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

import attrs

from guize.compiler import ast
from guize.compiler.diagnostics import Diagnostic

_SUPPRESSION = re.compile(r"guize-lint\s*[:：]\s*(?P<rest>.*)$", re.IGNORECASE)
_VERB = re.compile(r"^(忽略|ignore)\b\s*", re.IGNORECASE)
_CODE = re.compile(r"^([A-Za-z]\d{3})\s*[,，、]?\s*")
_WARNING = re.compile(r"W\d{3}")


@attrs.define
class Suppression:
    line: int  # the comment's line
    target: int  # the line whose findings it silences
    codes: tuple[str, ...]
    span: ast.Span
    used: set[str] = attrs.field(factory=set)


def read(path: str, comments: Iterable[ast.Comment], lines: list[str],
         rules: Collection[str] = ()) -> tuple[list[Suppression], list[Diagnostic]]:
    """The suppressions that take effect, and findings (L001, L002) for those that cannot.

    `rules` are the codes that may be silenced besides checker warnings (W…): lint's own rules.
    """
    active: list[Suppression] = []
    problems: list[Diagnostic] = []
    for comment in comments:
        m = _SUPPRESSION.search(comment.text)
        if m is None:
            continue
        text = lines[comment.line - 1] if 0 < comment.line <= len(lines) else comment.text
        col = text.find(comment.text) + 1
        span = ast.Span(path, comment.line, max(col, 1), comment.line, max(col, 1) + len(comment.text))
        rest = m["rest"].strip()
        verb = _VERB.match(rest)
        codes: list[str] = []
        if verb:
            rest = rest[verb.end():]
            while (cm := _CODE.match(rest)) is not None:
                codes.append(cm[1].upper())
                rest = rest[cm.end():]
        if not verb or not codes:
            problems.append(Diagnostic("warning", "L002", f"无法识别的忽略注释「{comment.text.strip()}」", span,
                                       hint="写成「# guize-lint: 忽略 L101 理由」"))
            continue
        bad = [c for c in codes if c not in rules and not _WARNING.fullmatch(c)]
        if bad:
            errors = [c for c in bad if c.startswith("E")]
            why = "错误不能忽略，请改正" if errors and len(errors) == len(bad) else "不是已知的 lint 规则或检查器警告"
            problems.append(Diagnostic("warning", "L002", f"忽略注释中的「{'、'.join(bad)}」{why}", span,
                                       hint="已知规则见 docs/lint.md"))
            codes = [c for c in codes if c not in bad]
            if not codes:
                continue
        reason = rest.strip(" \t:：-—,，、;；。")
        if not reason:
            problems.append(Diagnostic("warning", "L001", f"忽略 {'、'.join(codes)} 没有写理由：此注释不生效", span,
                                       hint=f"写成「# guize-lint: 忽略 {codes[0]} 原文如此（第…条）」"))
            continue
        standalone = text.lstrip().startswith(("#", "＃"))
        target = comment.line
        if standalone:
            target = comment.line + 1
            while target <= len(lines) and (not lines[target - 1].strip()
                                            or lines[target - 1].lstrip().startswith(("#", "＃"))):
                target += 1
        active.append(Suppression(comment.line, target, tuple(codes), span))
    return active, problems


def apply(findings: Iterable[Diagnostic], active: list[Suppression], path: str,
          rules: Collection[str] = ()) -> list[Diagnostic]:
    """The findings that no suppression silences; marks each suppression's codes that were used."""
    kept = []
    for d in findings:
        hit = None
        if d.severity != "error" or d.code in rules:
            hit = next((s for s in active if d.code in s.codes and d.span.line == s.target
                        and d.span.file == path), None)
        if hit is None:
            kept.append(d)
        else:
            hit.used.add(d.code)
    return kept


def unused(active: list[Suppression]) -> list[Diagnostic]:
    """An L003 finding for each code of a suppression that silenced nothing."""
    return [Diagnostic("info", "L003", f"忽略注释中的 {code} 没有用上：第 {s.target} 行没有这项发现",
                       s.span, hint="删去该注释，或把它移到有发现的那一行")
            for s in active for code in s.codes if code not in s.used]


def obey(findings: Iterable[Diagnostic], source: str, path: str) -> list[Diagnostic]:
    """The checker's findings for one file's text, less those its suppression comments silence.

    What `guize check` prints; `guize lint` reads the same comments and also reports the
    suppressions that are malformed or unused.
    """
    from guize.compiler.comments import scan_comments

    text = source.replace("\r\n", "\n")
    active, _ = read(path, scan_comments(text), text.split("\n"))
    return apply(findings, active, path)
