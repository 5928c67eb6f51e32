"""guize diff: value display — numbers, values with units, inputs, date ranges."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from guize.runtime import dates
from guize.runtime import values as V

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
        return f"自{dates.cn(start)}起"
    last = end - DAY
    if start is None:
        return f"{dates.cn(last)}及以前"
    if start == last:
        return dates.cn(start)
    return f"{dates.cn(start)}至{dates.cn(last)}"


def number_text(v: Any) -> str:
    """A number without trailing zeros or exponent: 0.050 -> 0.05, 1E+3 -> 1000."""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Decimal):
        if v == v.to_integral_value():
            return str(int(v))
        return format(v.normalize(), "f")
    return V.fmt(v)


def _unit_of(type_text: str) -> str:
    m = re.search(r"（([^（）]*)）$", type_text or "")
    if m:
        return m.group(1)
    return ""


def typed_text(value: Any, kind: str, type_text: str, exact: bool = False) -> str:
    """A value with its unit: 800元, 70%, 5个百分点, 200元/吨, 是."""
    if value is None:
        return "（无）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.date):
        return dates.cn(value)
    if isinstance(value, str):
        return value
    if kind == "rate":
        return number_text(Decimal(value) * 100) + "%"
    if kind == "points":
        return number_text(Decimal(value) * 100) + "个百分点"
    text = V.fmt(value) if exact else number_text(value)
    unit = _unit_of(type_text) or ("元" if kind == "money" else "")
    return text + unit


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
        return number_text(Decimal(value) * 100) + "%"
    if kind in ("bool", "date", "enum"):
        return typed_text(value, kind, "")
    return number_text(value) + (spec.get("unit") or "")


def is_num(v: Any) -> bool:
    return isinstance(v, (int, Decimal)) and not isinstance(v, bool)
