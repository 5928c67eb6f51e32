"""Values as a drafter reads them: the one place guize turns a value into text.

    number(Decimal("0.050"))   0.05          exact(Decimal("0.70"))   0.70
    percent(Decimal("0.7"))    70%           points(Decimal("0.05"))  5个百分点
    typed(800, "money")        800元         typed(Decimal("12.5"), "quantity", "吨")  12.5吨
    date(2024-04-26)           2024年4月26日  value(True)              是

Explanations, error messages, lint, diff, the checker's hints and the CLI's JSON all call these.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a quicker start-up: runtime/tuples.py)
if TYPE_CHECKING:
    from typing import Any


def yes_no(b: bool) -> str:
    return "是" if b else "否"


def date(d: datetime.date) -> str:
    """2024年4月26日 (a year-month: 2025年2月)."""
    if getattr(d, "whole_month", False):  # a dates.YearMonth
        return year_month(d)
    return f"{d.year}年{d.month}月{d.day}日"


def year_month(d: datetime.date) -> str:
    """2025年2月."""
    return f"{d.year}年{d.month}月"


def period(months: int, word: str = "年") -> str:
    """A duration in months as the law writes it: 721 -> 60年1个月 (word 岁: 60岁1个月);
    6 -> 6个月; 24 -> 2年; 0 -> 0个月."""
    sign = "-" if months < 0 else ""
    years, rest = divmod(abs(months), 12)
    if years and rest:
        return f"{sign}{years}{word}{rest}个月"
    if years:
        return f"{sign}{years}{word}"
    return f"{sign}{rest}个月"


def exact(d: Decimal) -> str:
    """A decimal exactly as held, in plain notation: 0.70 -> 0.70, 1E+3 -> 1000 (also JSON's form)."""
    return format(d, "f")


def number(v: Any) -> str:
    """A number as a drafter writes it: no trailing zeros, never an exponent (0.050 -> 0.05, 1E+3 -> 1000)."""
    if isinstance(v, bool):
        return yes_no(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Decimal):
        if not v.is_finite():
            return str(v)
        if v == v.to_integral_value():
            return str(int(v))
        return format(v.normalize(), "f")
    return value(v)


def percent(v: int | Decimal) -> str:
    """A rate as a percentage: 0.7 -> 70%, 0.055 -> 5.5%."""
    return number(Decimal(v) * 100) + "%"


def points(v: int | Decimal) -> str:
    """A difference of rates: 0.05 -> 5个百分点."""
    return number(Decimal(v) * 100) + "个百分点"


def value(v: Any) -> str:
    """Any value without its unit: 是/否, decimals exactly as held, dates in Chinese, text as is."""
    if isinstance(v, bool):
        return yes_no(v)
    if isinstance(v, tuple):  # a value for each item of a list (keyed by a 主键: runtime/keyed.py)
        if hasattr(v, "keys"):
            return "、".join(f"{value(k)}：{value(x)}" for k, x in zip(v.keys, v, strict=True)) or "（无）"
        return "、".join(value(x) for x in v) or "（无）"
    if isinstance(v, dict):  # an item of a list input: its fields
        return "（" + "，".join(f"{k} {value(x)}" for k, x in v.items()) + "）"
    if isinstance(v, Decimal):
        return exact(v)
    if isinstance(v, datetime.date):
        return date(v)
    return str(v)


def typed(v: Any, kind: str, unit: str = "", exact: bool = False) -> str:
    """A value with its unit, by its kind (money, rate, points, int, quantity, bool, date, enum):
    800元, 70%, 5个百分点, 200元/吨, 是, 2024年4月26日; （无） for no value.

    Numbers drop trailing zeros (800元) unless `exact` (800.00元, as a result was computed)."""
    if v is None:
        return "（无）"
    if isinstance(v, tuple):  # a value for each item of a list (keyed by a 主键: runtime/keyed.py)
        if hasattr(v, "keys"):
            return "、".join(f"{value(k)}：{typed(x, kind, unit, exact)}" for k, x in zip(v.keys, v, strict=True)) \
                or "（无）"
        return "、".join(typed(x, kind, unit, exact) for x in v) or "（无）"
    if isinstance(v, bool):
        return yes_no(v)
    if isinstance(v, datetime.date):
        return year_month(v) if kind == "year_month" else date(v)
    if isinstance(v, str):
        return v
    if kind in ("duration", "age") and isinstance(v, int):
        return period(v, "岁" if kind == "age" else "年")
    if type(v) is not int and isinstance(v, int):  # a Period: 5年7个月
        return str(v)
    if kind == "rate":
        return percent(v)
    if kind == "points":
        return points(v)
    text = value(v) if exact else number(v)
    return text + (unit or ("元" if kind == "money" else ""))


def unit_in(type_text: str) -> str:
    """The unit in a type's display text: 金额（元） -> 元, 数值（元/吨） -> 元/吨, 比率 -> ''.

    Explanation steps and a compiled module's DEFS carry only that text; this is the one place
    it is read back (until they carry the kind and unit themselves)."""
    text = type_text or ""
    inner = text[text.rfind("（") + 1:-1] if text.endswith("）") and "（" in text else ""
    return "" if "）" in inner else inner


def with_type(v: Any, type_text: str) -> str:
    """A computed value by its type's display text (金额（元）, 比率, 百分点, 整数（人）), exactly as held."""
    kind = {"比率": "rate", "百分点": "points", "期间": "duration", "年龄": "age", "年月": "year_month"}.get(
        type_text, "")
    return typed(v, kind, unit_in(type_text), exact=True)
