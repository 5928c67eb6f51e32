"""Python literals written by the code generators: one line, or None when longer than a limit."""

from __future__ import annotations

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
