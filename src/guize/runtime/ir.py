"""The checked tree shared by the compiler and the runtime: plain tuples of literals.

The compiler's checker produces it; the code generator turns it into Python; the
runtime's interpreter walks it to explain a result. It is written into every compiled
module as a literal, so it must hold only tuples, dicts, str, int, bool, Decimal, date.

Expression nodes (first element is the tag):

  ("const", value)
  ("input", name)                      an input, already converted
  ("ref", name)                        another definition
  ("asof",)                            the as-of date (评估日期)
  ("arith", op, a, b, exact_int)       op in + - * /; exact_int: both sides integers (Python
                                       int arithmetic); otherwise decimal arithmetic in CONTEXT
  ("neg", a)
  ("cmp", op, a, b)                    op in == != < <= > >=
  ("and", a, b) ("or", a, b) ("not", a)
  ("if", cond, a, b)
  ("min", args) ("max", args)
  ("round", mode, quantum, a, as_int)  mode in half_up floor ceil down; as_int gives int
  ("call", func, args)                 date functions: year month day add_months …
  ("cond", branches, other)            branches: ((test, value, label, cite), …)
  ("match", subject, cases, other)     cases: ((members, value, label, cite), …)
  ("bands", subject, bands, other)     bands: ((lo, lo_incl, hi, hi_incl, value, label, cite), …)
  ("dated", slot, what, versions)      versions: ((start, end_excl, value, label, cite), …)

`other` is None or (value, label, cite). lo/hi are Decimal or None (unbounded).
A "dated" node's version is chosen once per as-of date and kept in env[slot].
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

Node = tuple[Any, ...]


def select_version(versions: tuple[Node, ...], on: datetime.date) -> int | None:
    """The index of the version in force on `on`: start <= on < end (half-open)."""
    for index, version in enumerate(versions):
        start, end = version[0], version[1]
        if start <= on and (end is None or on < end):
            return index
    return None


def dependencies(defs: Mapping[str, Mapping[str, Any]], names: Iterable[str]) -> set[str]:
    """Every definition that `names` need, themselves included (names not in `defs` are skipped)."""
    need: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name not in need and name in defs:
            need.add(name)
            stack.extend(defs[name]["deps"])
    return need


def dated_nodes(node: Any) -> list[Node]:
    """Every "dated" node under `node`, outermost first."""
    found: list[Node] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            if item and item[0] == "dated":
                found.append(item)
            stack.extend(reversed(item))
    return found
