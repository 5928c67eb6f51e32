"""Cheap helpers evaluation needs on every call: which definitions a list of outputs needs, and
which dated version is in force on a date. Kept apart from the IR classes (guize.runtime.ir),
so that loading a compiled policy does not import them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any


def select_version(versions: Iterable[Any], on: datetime.date) -> int | None:
    """The index of the version in force on `on`: start <= on < end (half-open).

    Takes Version nodes or (start, end, …) tuples (the compiled module's DATED table)."""
    for index, version in enumerate(versions):
        if hasattr(version, "start"):
            start, end = version.start, version.end
        else:
            start, end = version[0], version[1]
        if start <= on and (end is None or on < end):
            return index
    return None


def dependencies(defs: Mapping[str, Any], names: Iterable[str]) -> set[str]:
    """Every definition that `names` need, themselves included (names not in `defs` are skipped).

    `defs` maps names to Definitions or to their metadata dicts (with "deps")."""
    need: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name not in need and name in defs:
            need.add(name)
            d = defs[name]
            stack.extend(d.deps if hasattr(d, "deps") else d["deps"])
    return need
