"""Per-item outputs of a list with a 主键 field: each value keyed by its item's key.

An output computed for each item of a list (，按 各月 逐月) is a tuple of values in item order. When
the list's record declares a key field (`月份：年月，主键`), the output is a Keyed: still that tuple
(so code reading it by position keeps working, and two results compare as tuples), carrying the
items' keys. JSON writes it as an object key -> value (keys as text: 2019-07, 2019-07-15, 3, a
member or text), batch evaluation as an Arrow map<key, value> column, explanations as 2019年7月：….
"""

from __future__ import annotations

import datetime

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a quicker start-up: runtime/tuples.py)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from guize.runtime import ir


class Keyed(tuple):  # type: ignore[type-arg]
    """A per-item output's values (a tuple, in item order) with each item's key in `keys`."""

    keys: tuple[Any, ...]
    key_field: str

    def __new__(cls, values: Any, keys: tuple[Any, ...], key_field: str) -> Keyed:
        self = super().__new__(cls, values)
        self.keys = tuple(keys)
        self.key_field = key_field
        return self

    def __reduce__(self) -> Any:
        return (Keyed, (tuple(self), self.keys, self.key_field))

    def by_key(self) -> dict[Any, Any]:
        """The values as a dict key -> value, in item order."""
        return dict(zip(self.keys, self, strict=True))


def keyed(values: tuple[Any, ...], items: tuple[Mapping[str, Any], ...], key: str) -> Keyed:
    """A per-item output's values keyed by its items' `key` field."""
    return Keyed(values, tuple(item[key] for item in items), key)


def key_text(key: Any) -> str:
    """A key as JSON writes it: 2019-07 for a year-month, ISO for a date, else as text."""
    if isinstance(key, datetime.date):
        return key.isoformat()
    return str(key)


def keyed_outputs(defs: Mapping[str, ir.Definition], specs: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[str, str]]:
    """The outputs computed for each item of a list with a key field: output -> (list, key)."""
    from guize.runtime import ir  # not at start-up: compiling, interpreting and batch need it

    out: dict[str, tuple[str, str]] = {}
    for name, d in defs.items():
        if d.kind != "output":
            continue
        expr = ir.unwrap_time(d.expr)
        if isinstance(expr, ir.Each) and isinstance(expr.source, ir.Input):
            key = specs.get(expr.source.name, {}).get("key")
            if key is not None:
                out[name] = (expr.source.name, key)
    return out
