"""Comments in a .rule file (# or ＃ outside quotes): found without parsing, for fmt and suppressions."""

from __future__ import annotations

from guize.compiler import ast

_QUOTES = {"「": "」", "“": "”", '"': '"', "《": "》"}


def comment_start(line: str) -> int:
    """Where the comment on a line starts: the first '#' outside titles and quoted text, or -1."""
    close = ""
    for i, ch in enumerate(line):
        if close:
            if ch == close:
                close = ""
        elif ch in _QUOTES:
            close = _QUOTES[ch]
        elif ch in "#＃":
            return i
    return -1


def scan_comments(text: str) -> tuple[ast.Comment, ...]:
    """Every comment in a file's text (lines split on \\n), with its line number."""
    out = []
    for lineno, line in enumerate(text.split("\n"), 1):
        start = comment_start(line)
        if start >= 0:
            out.append(ast.Comment(lineno, line[start:]))
    return tuple(out)
