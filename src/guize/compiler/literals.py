"""Python literals and lines written by the code generators: a literal on one line (or None when
longer than a limit), laid out over several, and a statement wrapped to the generated width."""

from __future__ import annotations

import bisect
import datetime
import re
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


# A string literal (to its closing quote, past backslash escapes; one left open runs to the end
# of the line), and the brackets: what wrap looks at.
_QUOTED = re.compile(r"""'(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?""", re.S)
_OPENING = re.compile(r"[(\[{]")
_CLOSING = re.compile(r"[)\]}]")

WIDTH = 100  # generated lines are wrapped at this width where Python allows (never over MAX_LINE)
MAX_LINE = 300


def wrap(line: str, width: int = WIDTH) -> list[str]:
    """One generated statement as physical lines of at most `width` columns where possible:
    broken at spaces inside brackets (outside string literals), continued 8 columns in."""
    if len(line) <= width:
        return [line]
    indent = " " * (len(line) - len(line.lstrip()) + 8)
    # The line with its string literals blanked out (the same length): its spaces and brackets
    # are the code's. A space is inside brackets when more open than close before it, counted by
    # bisection in the brackets' positions: no Python step per space or bracket of the line, only
    # per space looked at (a third of wrap's time, a tenth of codegen's, went to that scan).
    text = _QUOTED.sub(_blank, line) if ("'" in line or '"' in line) and _looked_into(line) else line
    opening = [m.start() for m in _OPENING.finditer(text)]
    closing = [m.start() for m in _CLOSING.finditer(text)]
    out = []
    start = 0
    prefix = ""
    while len(prefix) + len(line) - start > width:
        # The last break (a space inside brackets) that fits, else the first after start.
        end = max(start + width - len(prefix) + 1, start + 1)  # (never a negative index: one from the end)
        cut = text.rfind(" ", start + 1, end)
        while cut != -1 and bisect.bisect_left(opening, cut) <= bisect.bisect_left(closing, cut):
            cut = text.rfind(" ", start + 1, cut)
        if cut == -1:
            cut = text.find(" ", end)
            while cut != -1 and bisect.bisect_left(opening, cut) <= bisect.bisect_left(closing, cut):
                cut = text.find(" ", cut + 1)
            if cut == -1:
                break
        out.append(prefix + line[start:cut])
        start, prefix = cut + 1, indent
    out.append(prefix + line[start:])
    return out


def _looked_into(line: str) -> bool:
    """Whether some string literal of the line may hold a space, a bracket or a quote (then wrap
    blanks them out): a line whose literals are all single-quoted without an escape (most generated
    code: '级别') is split at its quotes and the literals' text looked at whole, not one at a time."""
    if '"' in line or "\\" in line:
        return True
    inner = "".join(line.split("'")[1::2])
    return " " in inner or "(" in inner or ")" in inner or "[" in inner or "]" in inner or "{" in inner \
        or "}" in inner


def _blank(match: re.Match[str]) -> str:
    return "_" * len(match.group())


def literal_lines(head: str, value: Any, tail: str = "", width: int = WIDTH) -> list[str]:
    """`head` + a deterministic Python literal of `value` + `tail`, laid out compactly: as many
    items a line as fit in `width`, nested one space per level (dict order as built; Decimal and
    date by constructor; strings too long for a line split into adjacent literals)."""
    lines = [head]
    texts: dict[int, str] = {}
    _texts(value, texts)
    _layout(value, lines, 0, width, texts)
    lines[-1] += tail
    return lines


_LEAVES = frozenset((str, int, bool, type(None)))


def _texts(value: Any, texts: dict[int, str]) -> str:
    """flat(value), noting in `texts` (by id) that of each tuple, list and dict within it: each is
    written once, from its items' texts, rather than again at every level of the layout."""
    kind = type(value)
    if kind in _LEAVES:
        return repr(value)
    if kind is tuple:
        inner = ", ".join([repr(v) if type(v) in _LEAVES else _texts(v, texts) for v in value])
        text = f"({inner},)" if len(value) == 1 else f"({inner})"
    elif kind is dict:
        text = "{" + ", ".join([f"{k!r}: {repr(v) if type(v) in _LEAVES else _texts(v, texts)}"
                                for k, v in value.items()]) + "}"
    elif kind is list:
        text = "[" + ", ".join([repr(v) if type(v) in _LEAVES else _texts(v, texts) for v in value]) + "]"
    else:
        return flat(value)
    texts[id(value)] = text
    return text


def _fits(value: Any, limit: int, texts: dict[int, str]) -> str | None:
    """flat(value) if at most `limit` characters long, else None (as flat_within)."""
    text = texts.get(id(value)) if type(value) in _CONTAINERS else None
    if text is None:
        text = repr(value) if type(value) in _LEAVES else flat(value)
    return text if len(text) <= limit else None


_CONTAINERS = frozenset((tuple, list, dict))


def _plain(value: Any) -> bool:
    """Whether repr(value) is flat(value): leaves, and tuples, lists and dicts of them, of exactly
    these types (not a Decimal or a date, nor a subclass: a YearMonth is a date flat writes as one)."""
    kind = type(value)
    if kind in _LEAVES:
        return True
    if kind is tuple or kind is list:
        return all(map(_plain, value))
    return kind is dict and all(type(k) in _LEAVES and _plain(v) for k, v in value.items())


def records_lines(head: str, rows: tuple[dict[str, Any], ...], tail: str = "") -> list[str]:
    """`head` + a call of values.records making `rows` (dicts with one set of keys) + `tail`."""
    if not rows or any(list(r) != list(rows[0]) for r in rows):
        return literal_lines(head, rows, tail)
    fields = tuple(rows[0])
    common = {f: rows[0][f] for f in fields
              if len(rows) > 1 and all(type(r[f]) is type(rows[0][f]) and r[f] == rows[0][f] for r in rows)}
    lines = literal_lines(f"{head}_v.records(", fields, ", ")
    lines[-1] += flat(common) + ", ("
    written = [f for f in fields if f not in common]
    for row in rows:
        values = tuple([row[f] for f in written])
        text = repr(values) if all(map(_plain, values)) else ""  # then flat(values) on one line
        if text and len(text) < WIDTH:
            lines.append(f" {text},")  # (as literal_lines writes a row that fits)
        else:
            lines += literal_lines(" ", values, ",")
    lines[-1] += "))" + tail
    return lines


def _leaves(items: list[Any], lines: list[str], pad: str, width: int, texts: dict[int, str]) -> int:
    """The layout below of a tuple's or list's first items while they are leaves or containers of
    a line at most (each `text,` after the last on the line, else on a new line at `pad`), the comma
    after the last item of several left out; the number of items laid out."""
    last = len(items) - 1
    line = lines[-1]
    for index, item in enumerate(items):
        kind = type(item)
        text = repr(item) if kind in _LEAVES else texts.get(id(item)) if kind in _CONTAINERS else None
        if text is None or len(text) > width:
            lines[-1] = line
            return index
        piece = text if index == last else text + ","
        if len(line) + (1 if index else 0) + len(piece) <= width:
            line = f"{line} {piece}" if index else line + piece
        elif len(pad) + len(piece) <= width:
            lines[-1] = line
            lines.append(line := pad + piece)
        else:
            lines[-1] = line
            return index
    lines[-1] = line
    return len(items)


def _layout(value: Any, lines: list[str], depth: int, width: int, texts: dict[int, str]) -> None:
    """Append `value` to lines[-1] (continuing on new lines indented by depth + 1); `texts`: the
    flat text of each tuple, list and dict in it (by id, from _texts)."""
    text = _fits(value, width - len(lines[-1]), texts)
    if text is not None:
        lines[-1] += text
        return
    if isinstance(value, str):
        pieces = [repr(value[i:i + 40]) for i in range(0, max(len(value), 1), 40)]  # '' too
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
    is_dict = isinstance(value, dict)
    items = list(value.items()) if isinstance(value, dict) else list(value)
    pad = " " * (depth + 1)
    last = len(items) - 1
    single = last == 0 and isinstance(value, tuple)
    done = _leaves(items, lines, pad, width, texts) if not is_dict and last > 0 else 0  # (LINE_MAP, SUBSET_FLAGS)
    for index, item in enumerate(items):
        if index < done:
            continue
        comma = "" if index == last and not single else ","
        one_line = _fits(item[1] if is_dict else item, width, texts)  # None: longer than a line
        if one_line is not None:
            piece = (f"{item[0]!r}: {one_line}" if is_dict else one_line) + comma
            if len(lines[-1]) + (1 if index else 0) + len(piece) <= width:
                lines[-1] += (" " + piece) if index else piece
                continue
            if len(pad) + len(piece) <= width:
                lines.append(pad + piece)
                continue
        # too long for one line: lay it out over several
        if index:
            lines.append(pad)
        if is_dict:
            lines[-1] += f"{item[0]!r}: "
            _layout(item[1], lines, depth + 1, width, texts)
        else:
            _layout(item, lines, depth + 1, width, texts)
        lines[-1] += comma
    lines[-1] += closing
