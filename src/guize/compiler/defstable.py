"""DEFS in a generated module: each definition's metadata and its expression in guize.runtime.ir's
compact form, decoded only when a policy is explained or interpreted (ir.decode_definition).

A policy of usual size (at most DATA_ABOVE definitions: the whole corpus) has each expression
laid out as a nested Python literal. A larger one has it as JSON text (ir.encode_text): Python's
JSON encoder writes the tuples and texts, where the laid-out literal cost a Python call per
nested tuple (about a quarter of codegen's time at 50,000 .rule lines), and importing the module
builds one string per definition instead of every nested tuple, Decimal and date.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterable
from typing import Any

from guize.compiler.literals import WIDTH, flat, records_lines, wrap
from guize.runtime import ir

DEF_ROWS = 100  # definitions a DEFS statement
DATA_ABOVE = 100  # definitions above which each expression is written as JSON text


def defs_lines(defs: Iterable[ir.Definition]) -> list[str]:
    """DEFS, DEF_ROWS definitions a statement: the nested literal of a large policy's every
    definition in one statement took Python's compiler 180 times its size (1.3 GB at 50,000
    .rule lines); the module is compiled a few statements at a time (compiler/pieces.py)."""
    defs = list(defs)
    text = len(defs) > DATA_ABOVE
    encoded = [ir.encode_definition(d, text) for d in defs]
    if len(encoded) <= DEF_ROWS and not text:
        return records_lines("DEFS = {d['name']: d for d in ", tuple(encoded), "}")
    lines = ["DEFS = {}"]
    if text:
        lines.append("# Each expression as JSON text (guize.runtime.ir.encode_text): large policies only.")
    i = 0
    while i < len(encoded):  # DEF_ROWS at most a statement, each statement's rows with one set of keys
        keys = list(encoded[i])
        j = i + 1
        while j < len(encoded) and j - i < DEF_ROWS and list(encoded[j]) == keys:
            j += 1
        head, rows = "DEFS.update({d['name']: d for d in ", tuple(encoded[i:j])
        lines += text_rows(head, rows, "})") if text else records_lines(head, rows, "})")
        i = j
    return lines


def text_rows(head: str, rows: tuple[dict[str, Any], ...], tail: str) -> list[str]:
    """`head` + a call of values.records making `rows` (with one set of keys) + `tail`: each row
    its metadata, then its expression (JSON text) over lines of its own."""
    fields = (*(f for f in rows[0] if f != "expr"), "expr")
    metadata = operator.itemgetter(*fields[:-1])  # (at least two fields: a tuple)
    lines = wrap(f"{head}_v.records({flat(fields)}, {{}}, (")
    width = WIDTH - 4
    for row in rows:
        values = metadata(row)
        # As flat writes it unless it holds a Decimal: a Definition's metadata is strings, ints, tuples
        # of strings, booleans and its rounding (mode, Decimal) (no date, nor a subclass of one).
        text = repr(values)
        parts = None
        if "Decimal(" in text or "date(" in text:  # (the rounding of most outputs)
            parts = [flat(v) if "Decimal(" in (t := repr(v)) or "date(" in t else t for v in values]
            text = f"({', '.join(parts)})"
        if len(text) < WIDTH:
            lines.append(f" {text[:-1]},")
        else:  # broken between fields (wrap looks into every string: the most of this function's time)
            lines += _fields_lines(parts or [repr(v) for v in values])
        expr = row["expr"]
        if len(expr) <= width:
            lines.append(f"  {expr!r}),")
        else:
            lines += [f"  {piece!r}" for piece in cut(expr, width)]
            lines[-1] += "),"
    lines[-1] += "))" + tail
    return lines


def _fields_lines(fields: list[str]) -> list[str]:
    """A row's fields, as many a line as fit in WIDTH, each line continued two columns in."""
    lines: list[str] = []
    line = " ("
    for field in fields:
        if len(line) + len(field) + 1 > WIDTH and line.strip(" ("):
            lines.append(line.rstrip())
            line = "  "
        line += field + ", "
    lines.append(line.rstrip())
    return [physical for line in lines for physical in wrap(line)]  # a field longer than a line


def cut(text: str, width: int) -> list[str]:
    """`text` in pieces of at most `width` characters, each ending after a comma where one is near
    (in its second half): the pieces found by one regular expression, not a Python step each."""
    return _cutter(width).findall(text) or [text]


@functools.lru_cache(maxsize=4)
def _cutter(width: int) -> re.Pattern[str]:
    # While more than `width` characters are left: up to the last comma in the second half of the
    # next `width`, else `width` of them; then the rest.
    return re.compile(rf"(?=.{{{width + 1}}}).{{{width // 2},{width - 1}}},|(?=.{{{width + 1}}}).{{{width}}}|.+", re.S)
