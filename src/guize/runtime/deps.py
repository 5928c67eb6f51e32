"""Cheap helpers evaluation needs on every call: which definitions a list of outputs needs, and
which dated version is in force on a date. Kept apart from the IR classes (guize.runtime.ir),
so that loading a compiled policy does not import them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a quicker start-up: runtime/tuples.py)
if TYPE_CHECKING:
    from typing import Any


def select_version(versions: Iterable[Any], on: datetime.date,
                   known_on: datetime.date | None = None) -> int | None:
    """The index of the version in force on `on`: start <= on < end (half-open).

    Takes Version nodes or (start, end[, known]) tuples (the compiled module's DATED table).
    With `known_on`, versions made by an amendment published after it (known > known_on) do
    not exist, and the version before one of them runs on over its dates (see compiler/amend.py).
    """
    if known_on is not None:
        return _select_known(list(versions), on, known_on)
    for index, version in enumerate(versions):
        if version.__class__ is tuple:  # the compiled module's table (Policy.env, once per new date)
            start, end = version[0], version[1]
        elif hasattr(version, "start"):
            start, end = version.start, version.end
        else:
            start, end = version[0], version[1]
        if start <= on and (end is None or on < end):
            return index
    return None


def _parts(version: Any) -> tuple[datetime.date, datetime.date | None, datetime.date | None]:
    if hasattr(version, "start"):
        return version.start, version.end, version.known
    return version[0], version[1], version[2] if len(version) > 2 else None


def _select_known(versions: list[Any], on: datetime.date, known_on: datetime.date) -> int | None:
    parts = [_parts(v) for v in versions]
    for index, (start, end, known) in enumerate(parts):
        if known is not None and known > known_on:
            continue
        following = index + 1
        # A version ends where the next begins; when that one was not yet known, it runs on.
        while end is not None and following < len(parts) and parts[following][0] == end \
                and (parts[following][2] or known_on) > known_on:
            end = parts[following][1]
            following += 1
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


def _meta(d: Any, field: str) -> Any:
    return getattr(d, field) if hasattr(d, field) else d.get(field, False)


def _inputs_unless(defs: Mapping[str, Any], names: Iterable[str], given: str | None) -> set[str]:
    """The inputs `names` read on any path, the formula of the definition `given` left out."""
    seen: set[str] = set()
    stack = [n for n in names if n in defs]
    out: set[str] = set()
    while stack:
        name = stack.pop()
        if name in seen or name == given:
            continue
        seen.add(name)
        d = defs[name]
        out.update(_meta(d, "inputs"))
        stack.extend(n for n in _meta(d, "deps") if n in defs)
    return out


def given_instead(defs: Mapping[str, Any], names: Iterable[str], missing: str) -> list[str]:
    """The 可作输入 definitions that `names` need and that, given, make the input `missing`
    unnecessary: its formula reads it (directly or through other definitions) and no other path
    of `names` does. In `defs` order; computed only for an error message."""
    names = list(names)
    used = dependencies(defs, names)
    return [name for name in defs if name in used and _meta(defs[name], "given")
            and missing in _inputs_unless(defs, [name], None) - {name}
            and missing not in _inputs_unless(defs, names, name)]


def end_as_known(versions: list[Any], index: int, known_on: datetime.date | None) -> datetime.date | None:
    """The end (exclusive) of version `index` as the rules stood on `known_on` (None: as they now
    stand): a version ends where the next begins, and runs on while that one was not yet known."""
    parts = [_parts(v) for v in versions]
    end = parts[index][1]
    if known_on is None:
        return end
    following = index + 1
    while end is not None and following < len(parts) and parts[following][0] == end \
            and (parts[following][2] or known_on) > known_on:
        end = parts[following][1]
        following += 1
    return end
