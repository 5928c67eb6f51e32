"""guize fmt: the layout engine (documents laid out into lines of at most WIDTH columns)."""

from __future__ import annotations

import attrs

from guize.compiler.diagnostics import display_width

WIDTH = 100
STEP = 2  # spaces per indentation level
CITE_GAP = "  "
COMMENT_GAP = "  "

# A tiny Wadler-style printer: text, concatenation (lists), groups that print flat when the
# rest of the line fits, nesting, soft line breaks, and zero-width marks that record which
# source lines a printed line came from (so comments can follow their code).


@attrs.frozen
class Group:
    doc: object


@attrs.frozen
class Nest:
    doc: object


@attrs.frozen
class Mark:
    start: int
    end: int
    close: bool = False  # marks the end of the construct rather than its start


class _Soft:
    pass


SOFT = _Soft()
_FLAT, _BREAK = 0, 1


@attrs.define
class Line:
    """One printed line, and the comments that travel with it."""

    indent: int
    stmt: int
    logical: int = 0  # lines printed from one logical line share this number
    text: str = ""
    ranges: list[tuple[int, int, bool]] = attrs.field(factory=list)  # (start, end, close)
    leading: list[tuple[int, str]] = attrs.field(factory=list)  # (source line, text)
    trailing: list[tuple[int, str]] = attrs.field(factory=list)
    after: list[tuple[int, int, str]] = attrs.field(factory=list)  # (source line, indent, text)

    @property
    def start(self) -> int | None:
        return min((r[0] for r in self.ranges), default=None)


def _fits(cmd: tuple[int, int, object], rest: list[tuple[int, int, object]], room: int) -> bool:
    todo = [cmd]
    r = len(rest)
    while True:
        if not todo:
            if r == 0:
                return True
            r -= 1
            todo.append(rest[r])
        ind, mode, d = todo.pop()
        if isinstance(d, str):
            room -= display_width(d)
            if room < 0:
                return False
        elif isinstance(d, list):
            todo.extend((ind, mode, x) for x in reversed(d))
        elif isinstance(d, (Group, Nest)):
            todo.append((ind + (STEP if isinstance(d, Nest) else 0), mode, d.doc))
        elif isinstance(d, _Soft) and mode == _BREAK:
            return True


def lay_out(doc: object, indent: int, stmt: int) -> list[Line]:
    lines = [Line(indent, stmt)]
    parts: list[str] = []
    pos = indent
    stack: list[tuple[int, int, object]] = [(indent, _BREAK, doc)]
    while stack:
        ind, mode, d = stack.pop()
        if isinstance(d, str):
            parts.append(d)
            pos += display_width(d)
        elif isinstance(d, list):
            stack.extend((ind, mode, x) for x in reversed(d))
        elif isinstance(d, Nest):
            stack.append((ind + STEP, mode, d.doc))
        elif isinstance(d, Mark):
            lines[-1].ranges.append((d.start, d.end, d.close))
        elif isinstance(d, _Soft):
            if mode == _BREAK:
                lines[-1].text = "".join(parts)
                lines.append(Line(ind, stmt))
                parts, pos = [], ind
        elif isinstance(d, Group):
            flat = mode == _FLAT or _fits((ind, _FLAT, d.doc), stack, WIDTH - pos)
            stack.append((ind, _FLAT if flat else _BREAK, d.doc))
    lines[-1].text = "".join(parts)
    return lines
