"""DEFS in a generated module: each definition's metadata and its expression in guize.runtime.ir's
compact form, decoded only when a policy is explained or interpreted (ir.decode_definition).

A policy of usual size (at most DATA_ABOVE definitions: the whole corpus) has each definition as
a row of literals, its expression a nested Python literal. A larger one has a
guize.runtime.defstext.Table: every definition's metadata as one JSON text and every expression
as another (ir.encode_texts), each written by Python's JSON encoder a hundred definitions a call
(a Python call only per node, Decimal and date) and cut over lines, TEXT_LINES lines a
statement. A text per definition, with its metadata laid out as a literal row, cost 0.195 s at
50,000 .rule lines, this 0.15 (bench/compile_bench.py: two thirds of it is now the encoder's own
writing of 5 MB of JSON); importing the module only joins strings, and the rows and the
expressions are read when first needed.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from guize.compiler.literals import WIDTH, records_lines
from guize.runtime import defstext, ir

DEF_ROWS = 100  # definitions a DEFS statement
DATA_ABOVE = 100  # definitions above which DEFS is a defstext.Table of JSON texts
TEXT_LINES = 300  # lines of JSON text a statement (about 30 kB: compiler/pieces.py cuts between statements)


def defs_lines(defs: Iterable[ir.Definition]) -> list[str]:
    """DEFS: the rows of a policy of usual size, or a large policy's table (table_lines)."""
    defs = list(defs)
    if len(defs) > DATA_ABOVE:
        return table_lines(defs)
    encoded = tuple(ir.encode_definition(d) for d in defs)
    if len(encoded) <= DEF_ROWS:
        return records_lines("DEFS = {d['name']: d for d in ", encoded, "}")
    # DEF_ROWS rows a statement (DATA_ABOVE set higher): the nested literal of every definition in
    # one statement took Python's compiler 180 times its size; the module is compiled a few
    # statements at a time (compiler/pieces.py).
    lines = ["DEFS = {}"]
    i = 0
    while i < len(encoded):  # each statement's rows with one set of keys
        keys = list(encoded[i])
        j = i + 1
        while j < len(encoded) and j - i < DEF_ROWS and list(encoded[j]) == keys:
            j += 1
        lines += records_lines("DEFS.update({d['name']: d for d in ", encoded[i:j], "})")
        i = j
    return lines


def cut(text: str, width: int) -> list[str]:
    """`text` in pieces of at most `width` characters, each ending after a comma where one is near
    (in its second half): the pieces found by one regular expression, not a Python step each."""
    return _cutter(width).findall(text) or [text]


@functools.lru_cache(maxsize=4)
def _cutter(width: int) -> re.Pattern[str]:
    # While more than `width` characters are left: up to the last comma in the second half of the
    # next `width`, else `width` of them; then the rest.
    return re.compile(rf"(?=.{{{width + 1}}}).{{{width // 2},{width - 1}}},|(?=.{{{width + 1}}}).{{{width}}}|.+", re.S)


def table_lines(defs: list[ir.Definition]) -> list[str]:
    """DEFS as a defstext.Table: the rows of defstext.FIELDS as one text (a JSON array of a
    hundred rows a line, as ir.encode_texts writes the expressions), the expressions as another,
    each cut over lines of the module, TEXT_LINES lines a statement."""
    rows, encode = list(map(operator.attrgetter(*defstext.FIELDS), defs)), _meta_encoder()
    meta = "\n".join("".join(encode(rows[i:i + 100], 0)) for i in range(0, len(rows), 100))  # (as encode_texts)
    lines = ["from guize.runtime import defstext as _defstext",
             "# Large policies: the definitions' metadata, then their expressions, as JSON text",
             "# (guize.runtime.defstext), read when first needed.",
             "DEFS = _defstext.Table()"]
    lines += _text_lines("DEFS.meta(", meta)
    lines += _text_lines("DEFS.exprs(", ir.encode_texts([d.expr for d in defs]))
    return lines


def _text_lines(head: str, text: str) -> list[str]:
    """`head` + `text` as string literals over lines + ")", a statement every TEXT_LINES lines."""
    pieces = [f"    {piece!r}" for piece in cut(text, WIDTH - 8)]
    lines = []
    for i in range(0, len(pieces), TEXT_LINES):
        lines.append(head)
        lines += pieces[i:i + TEXT_LINES]
        lines[-1] += ")"
    return lines


@functools.cache
def _meta_encoder() -> Any:
    """json.dumps' C encoder for the metadata rows (see ir.encode_text), a rounding's quantum (a
    Decimal) written as its text (defstext.read_rows reads it back)."""
    import json.encoder

    make = getattr(json.encoder, "c_make_encoder", None)  # (not in typeshed)
    if make is None:  # (no C accelerator: json's own)
        return lambda rows, _level: [json.dumps(rows, default=_quantum, ensure_ascii=False, check_circular=False,
                                                separators=(",", ":"))]
    return make(None, _quantum, json.encoder.encode_basestring, None, ":", ",", False, False, True)


def _quantum(value: Any) -> str:
    if type(value) is Decimal:
        return str(value)
    raise TypeError(f"not in a definition's metadata: {value!r}")  # INVARIANT: Definition's fields
