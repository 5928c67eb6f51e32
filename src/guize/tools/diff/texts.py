"""guize diff: the texts of its own — inputs as tried (or left out), date ranges; values go through
guize.runtime.display."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from guize.runtime import display

DAY = datetime.timedelta(days=1)


DateRange = tuple[datetime.date | None, datetime.date | None]  # start, end (exclusive); None: open


def range_json(rng: DateRange) -> dict[str, datetime.date | None]:
    """A date range as inclusive JSON bounds (null: unbounded)."""
    return {"from": rng[0], "to": rng[1] - DAY if rng[1] is not None else None}


def range_text(rng: DateRange) -> str:
    start, end = rng
    if start is None and end is None:
        return ""
    if end is None:
        assert start is not None
        return f"自{display.date(start)}起"
    last = end - DAY
    if start is None:
        return f"{display.date(last)}及以前"
    if start == last:
        return display.date(start)
    return f"{display.date(start)}至{display.date(last)}"


class _Omitted:
    """An input left out of the data, so that its default applies (a behaviour of its own)."""

    def __repr__(self) -> str:
        return "OMITTED"


OMITTED = _Omitted()


def input_text(spec: Mapping[str, Any], value: Any) -> str:
    if value is OMITTED:
        return "（不提供）"
    kind = spec["kind"]
    if kind == "rate":
        return display.percent(value)
    if kind in ("bool", "date", "enum", "duration", "age"):
        return display.typed(value, kind)
    if kind == "year_month":
        return display.year_month(value)
    return display.number(value) + (spec.get("unit") or "")


def is_num(v: Any) -> bool:
    return isinstance(v, (int, Decimal)) and not isinstance(v, bool)
