"""guize fmt: comment attachment and blank lines — each comment follows its code; the file is assembled."""

from __future__ import annotations

from collections.abc import Sequence

from guize.compiler import ast
from guize.tools.fmt.layout import COMMENT_GAP, STEP, Line


def _indent_of(text: str) -> int:
    n = 0
    for ch in text:
        if ch == " ":
            n += 1
        elif ch == "\t":
            n += 4
        elif ch == "\u3000":
            n += 2
        else:
            break
    return n


def _is_blank(text: str) -> bool:
    return text.strip(" \t\u3000\r") in ("", "。", "；", ";")


class Source:
    """Which source lines are blank, comment-only or code."""

    def __init__(self, lines: list[str], comments: Sequence[ast.Comment]) -> None:
        self.lines = lines
        self.comment = {c.line: c.text.rstrip() for c in comments}
        self.full: set[int] = set()
        for c in comments:
            text = lines[c.line - 1]
            if not text[:len(text) - len(c.text)].strip(" \t\u3000"):  # a comment runs to the line's end
                self.full.add(c.line)
        self.code = [n for n in range(1, len(lines) + 1)
                     if n not in self.full and not _is_blank(lines[n - 1])]

    def blank(self, n: int) -> bool:
        return 0 < n <= len(self.lines) and _is_blank(self.lines[n - 1]) and n not in self.comment

    def prev_code(self, n: int) -> int | None:
        return max((c for c in self.code if c < n), default=None)

    def next_code(self, n: int) -> int | None:
        return min((c for c in self.code if c > n), default=None)


class _Owners:
    """Map source lines to the printed lines holding their code.

    Every printed construct (a logical line, a call argument, a citation) marks the printed
    line where it starts and the one where it ends with the source lines it spans; the
    smallest construct spanning a source line decides where that line's code went.
    """

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        # source line -> [(range size, printed line, is the construct's end, construct's last line)]
        self.marks: dict[int, list[tuple[int, int, bool, int]]] = {}
        self.last_of: dict[int, int] = {}  # logical line -> its last printed line
        for i, line in enumerate(lines):
            self.last_of[line.logical] = i
            for s, e, close in line.ranges:
                for n in range(s, max(s, e) + 1):
                    self.marks.setdefault(n, []).append((max(e - s, 0), i, close, e))

    def _smallest(self, n: int) -> list[tuple[int, int, bool, int]]:
        size = min(m[0] for m in self.marks[n])
        return [m for m in self.marks[n] if m[0] == size]

    def trailing(self, n: int) -> int:
        """The printed line holding the last code of source line n (a trailing comment's home):
        where the smallest construct on n ends, if it ends on n, else where it starts."""
        if n in self.marks:
            found = self._smallest(n)
            ends = [i for _, i, close, end in found if close and end == n]
            if ends:
                return max(ends)
            opens = [i for _, i, close, _ in found if not close]
            return min(opens) if opens else max(i for _, i, _, _ in found)
        starts = [(ln.start, i) for i, ln in enumerate(self.lines) if ln.start is not None and ln.start <= n]
        return max(starts)[1] if starts else 0

    def first(self, n: int) -> int:
        """The printed line holding the first code of source line n: where the outermost
        construct starting on n starts (else where the smallest one spanning n starts)."""
        if n in self.marks:
            starting = [m for m in self.marks[n] if not m[2] and m[3] - m[0] == n]
            if starting:
                size = max(m[0] for m in starting)
                return min(m[1] for m in starting if m[0] == size)
            found = self._smallest(n)
            opens = [m[1] for m in found if not m[2]]
            return min(opens) if opens else min(m[1] for m in found)
        starts = [(ln.start, i) for i, ln in enumerate(self.lines) if ln.start is not None and ln.start >= n]
        return min(starts)[1] if starts else len(self.lines) - 1

    def end_of_logical(self, i: int) -> int:
        return self.last_of[self.lines[i].logical]


def attach(lines: list[Line], src: Source) -> list[tuple[int, str]]:
    """Give every comment to a printed line; returns the comments left at the end of the file."""
    owners = _Owners(lines)
    tail: list[tuple[int, str]] = []

    def after(line_no: int, owner: int, text: str) -> None:
        # Never inside a broken call: after the whole logical line.
        owner = owners.end_of_logical(owner)
        # Deeper than the printed line that follows, so that it stays here when formatted again.
        below = lines[owner + 1].indent if owner + 1 < len(lines) else 0
        indent = max(lines[owner].indent, below + STEP)
        lines[owner].after.append((line_no, indent, text))

    run_prev: int | None = -1  # the code line before the current run of full-line comments
    leading_started = False
    for n in sorted(src.comment):
        text = src.comment[n]
        if not lines:
            tail.append((n, text))
            continue
        if n not in src.full:
            owner = owners.trailing(n)
            if lines[owner].trailing:
                after(n, owner, text)
            else:
                lines[owner].trailing.append((n, text))
            continue
        prev, nxt = src.prev_code(n), src.next_code(n)
        if prev != run_prev:
            run_prev, leading_started = prev, False
        below = _indent_of(src.lines[nxt - 1]) if nxt is not None else 0
        if prev is not None and not leading_started and _indent_of(src.lines[n - 1]) > below:
            after(n, owners.trailing(prev), text)
            continue
        leading_started = True
        if nxt is None:
            tail.append((n, text))
        else:
            lines[owners.first(nxt)].leading.append((n, text))
    return tail


def assemble(stmts: list[tuple[int, list[Line]]], tail: list[tuple[int, str]], src: Source) -> str:
    out: list[str] = []

    def gap() -> None:
        if out and out[-1] != "":
            out.append("")

    prev_multi: bool | None = None  # None: before the first statement
    for start, lines in stmts:
        multi = len(lines) > 1
        items: list[tuple[int, str | None]] = [*lines[0].leading, (start, None)]
        for k, (n, text) in enumerate(items):
            if k == 0:
                wanted = prev_multi is not None and (prev_multi or multi or src.blank(n - 1))
            else:
                wanted = items[k - 1][0] < n and src.blank(n - 1)
            if wanted:
                gap()
            if text is not None:
                out.append(text)
        for j, line in enumerate(lines):
            if j:
                out.extend(" " * line.indent + t for _, t in line.leading)
            text = " " * line.indent + line.text
            if line.trailing:
                text += COMMENT_GAP + line.trailing[0][1]
            out.append(text.rstrip())
            out.extend(" " * ind + t for _, ind, t in sorted(line.after))
        prev_multi = multi
    for k, (n, text) in enumerate(tail):
        if k == 0:
            wanted = prev_multi is not None and (prev_multi or src.blank(n - 1))
        else:
            wanted = src.blank(n - 1)
        if wanted:
            gap()
        out.append(text)
    return "\n".join(out) + "\n" if out else ""
