"""Python literals and lines written by the code generators: a literal on one line (or None when
longer than a limit), laid out over several, and a statement wrapped to the generated width."""

from __future__ import annotations

import bisect
import datetime
from decimal import Decimal
from typing import Any


def flat_within(value: Any, limit: int) -> str | None:
    """flat(value) if it is at most `limit` characters long, else None: found without writing out
    a long literal, which codegen's layout would do at every level of a nested one (quadratic in all)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:  # most leaves: as flat writes them
        text = repr(value)
        return text if len(text) <= limit else None
    if kind is dict:  # `used`: what the text has so far (the closing bracket counted in each limit)
        items: list[str] = []
        used = 1
        for k, v in value.items():
            key = f"{k!r}: "
            used += 2 if items else 0
            inner = flat_within(v, limit - used - len(key) - 1)
            if inner is None:
                return None
            items.append(key + inner)
            used += len(key) + len(inner)
        text = "{" + ", ".join(items) + "}"
    elif kind is tuple or kind is list:
        items = []
        used = 1
        for v in value:
            used += 2 if items else 0
            inner = flat_within(v, limit - used - 1)
            if inner is None:
                return None
            items.append(inner)
            used += len(inner)
        if kind is list:
            text = "[" + ", ".join(items) + "]"
        else:
            text = f"({items[0]},)" if len(items) == 1 else "(" + ", ".join(items) + ")"
    else:
        text = flat(value)
    return text if len(text) <= limit else None


def flat(value: Any) -> str:
    """A literal on one line."""
    if isinstance(value, tuple):
        inner = ", ".join(flat(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(flat(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {flat(v)}" for k, v in value.items()) + "}"
    if isinstance(value, frozenset):  # INVARIANT: only INPUT_NAMES, written by generate()
        raise TypeError(value)
    if isinstance(value, Decimal):  # short names the module defines for its literals
        return f"_D({str(value)!r})"
    if isinstance(value, datetime.date):
        return f"_date({value.year}, {value.month}, {value.day})"
    return repr(value)


WIDTH = 100  # generated lines are wrapped at this width where Python allows (never over MAX_LINE)
MAX_LINE = 300


def wrap(line: str, width: int = WIDTH) -> list[str]:
    """One generated statement as physical lines of at most `width` columns where possible:
    broken at spaces inside brackets (outside string literals), continued 8 columns in."""
    if len(line) <= width:
        return [line]
    indent = " " * (len(line) - len(line.lstrip()) + 8)
    breaks = []  # positions of spaces where a line may break
    depth = 0
    quote = ""
    i = 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == " " and depth > 0:
            breaks.append(i)
        i += 1
    out = []
    start = 0
    prefix = ""
    while len(prefix) + len(line) - start > width:
        # The last break that fits, else the first after start (found by bisection: scanning
        # every break for every cut was quadratic in a long line such as batchgen's DEFS).
        first = bisect.bisect_right(breaks, start)
        fits = bisect.bisect_right(breaks, start + width - len(prefix))
        if fits > first:
            cut = breaks[fits - 1]
        elif first < len(breaks):
            cut = breaks[first]
        else:
            break
        out.append(prefix + line[start:cut])
        start, prefix = cut + 1, indent
    out.append(prefix + line[start:])
    return out


def literal_lines(head: str, value: Any, tail: str = "", width: int = WIDTH) -> list[str]:
    """`head` + a deterministic Python literal of `value` + `tail`, laid out compactly: as many
    items a line as fit in `width`, nested one space per level (dict order as built; Decimal and
    date by constructor; strings too long for a line split into adjacent literals)."""
    lines = [head]
    _layout(value, lines, 0, width)
    lines[-1] += tail
    return lines


def records_lines(head: str, rows: tuple[dict[str, Any], ...], tail: str = "") -> list[str]:
    """`head` + a call of values.records making `rows` (dicts with one set of keys) + `tail`."""
    if not rows or any(list(r) != list(rows[0]) for r in rows):
        return literal_lines(head, rows, tail)
    fields = tuple(rows[0])
    common = {f: rows[0][f] for f in fields
              if len(rows) > 1 and all(type(r[f]) is type(rows[0][f]) and r[f] == rows[0][f] for r in rows)}
    lines = literal_lines(f"{head}_v.records(", fields, ", ")
    lines[-1] += flat(common) + ", ("
    for row in rows:
        lines += literal_lines(" ", tuple(row[f] for f in fields if f not in common), ",")
    lines[-1] += "))" + tail
    return lines


def _layout(value: Any, lines: list[str], depth: int, width: int, long: bool = False) -> None:
    """Append `value` to lines[-1] (continuing on new lines indented by depth + 1); `long`: its
    flat text is known to be longer than a line (not written out again to find that)."""
    text = None if long else flat_within(value, width - len(lines[-1]))
    if text is not None:
        lines[-1] += text
        return
    if isinstance(value, str):
        pieces = [repr(value[i:i + 40]) for i in range(0, len(value), 40)]
        lines[-1] += "(" + pieces[0]
        lines.extend(" " * (depth + 1) + piece for piece in pieces[1:])
        lines[-1] += ")"
        return
    if not isinstance(value, (tuple, list, dict)):
        lines[-1] += flat(value)
        return
    brackets = {tuple: "()", list: "[]", dict: "{}"}[type(value)]
    opening, closing = brackets[0], brackets[1]
    lines[-1] += opening
    items = list(value.items()) if isinstance(value, dict) else list(value)
    pad = " " * (depth + 1)
    for index, item in enumerate(items):
        last = index == len(items) - 1
        comma = "" if last and not (isinstance(value, tuple) and len(items) == 1) else ","
        one_line = flat_within(item[1] if isinstance(value, dict) else item, width)  # None: longer than a line
        piece = None if one_line is None else (f"{item[0]!r}: {one_line}" if isinstance(value, dict) else one_line) + comma
        sep = " " if index else ""
        if piece is not None and len(lines[-1]) + len(sep) + len(piece) <= width:
            lines[-1] += sep + piece
        elif piece is not None and len(pad) + len(piece) <= width:
            lines.append(pad + piece)
        else:  # too long for one line: lay it out over several
            if index:
                lines.append(pad)
            if isinstance(value, dict):
                lines[-1] += f"{item[0]!r}: "
                _layout(item[1], lines, depth + 1, width, one_line is None)
            else:
                _layout(item, lines, depth + 1, width, one_line is None)
            lines[-1] += comma
    lines[-1] += closing
