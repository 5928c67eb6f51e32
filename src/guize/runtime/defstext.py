"""DEFS of a large policy: every definition's metadata as one JSON text and every expression as
another, each read only when first needed (written by guize.compiler.defstable).

Importing the module only joins the texts' pieces: the metadata rows are read on the first look
into DEFS (an output's type, a traceback's .rule line, an error message), the expressions when
the typed definitions are first needed (explain, the interpreter, batch), by
guize.runtime.ir.definitions_of. The rows are the dicts that a policy of usual size writes as
literals (guize.runtime.ir.encode_definition), without "expr".
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from decimal import Decimal

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (runtime/tuples.py)
if TYPE_CHECKING:
    from typing import Any

    from guize.runtime.ir import Definition

# A metadata row's fields, in order: ir.Definition's fields but its expression (tests/test_defstext.py).
FIELDS = ("name", "kind", "type", "value_kind", "round", "cite", "line", "deps", "inputs", "negative", "given")


class Table(Mapping[str, "dict[str, Any]"]):
    """DEFS: the definitions' metadata rows by name, from JSON text given a piece at a time."""

    def __init__(self) -> None:
        self.meta_text: list[str] = []  # JSON arrays, one a line: a row of FIELDS a definition, in order
        self.expr_text: list[str] = []  # the same of each expression in ir's compact form (ir.encode_texts)
        self._rows: dict[str, dict[str, Any]] | None = None

    def meta(self, text: str) -> None:
        self.meta_text.append(text)

    def exprs(self, text: str) -> None:
        self.expr_text.append(text)

    def rows(self) -> dict[str, dict[str, Any]]:
        rows = self._rows
        if rows is None:  # (two threads may both read it: the same rows)
            rows = self._rows = read_rows("".join(self.meta_text))
        return rows

    def definitions(self) -> dict[str, Definition]:
        """The typed definitions (each call decodes them anew; guize.Policy keeps them)."""
        from guize.runtime import ir

        exprs = ir.decode_exprs("".join(self.expr_text))
        return {name: ir.decode_definition(row, expr)
                for (name, row), expr in zip(self.rows().items(), exprs, strict=True)}

    def __getitem__(self, name: str) -> dict[str, Any]:
        return self.rows()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.rows())

    def __len__(self) -> int:
        return len(self.rows())

    def __contains__(self, name: object) -> bool:
        return name in self.rows()

    def keys(self) -> KeysView[str]:
        return self.rows().keys()

    def items(self) -> ItemsView[str, dict[str, Any]]:
        return self.rows().items()

    def values(self) -> ValuesView[dict[str, Any]]:
        return self.rows().values()


def read_rows(text: str) -> dict[str, dict[str, Any]]:
    """The metadata rows by name from their text (a JSON array of rows a line): tuples for the
    lists, the rounding's quantum (written as its text) a Decimal, "negative" and "given" only
    when true."""
    import json

    rows = {}
    for name, kind, type_, value_kind, rounding, cite, line, deps, inputs, negative, given in (
            row for chunk in text.split("\n") if chunk for row in json.loads(chunk)):
        row = {"name": name, "kind": kind, "type": type_, "value_kind": value_kind,
               "round": None if rounding is None else (rounding[0], Decimal(rounding[1])),
               "cite": tuple(cite), "line": line, "deps": tuple(deps), "inputs": tuple(inputs)}
        if negative:
            row["negative"] = True
        if given:
            row["given"] = True
        rows[name] = row
    return rows
