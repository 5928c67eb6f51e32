"""Static types of values: numbers with units (dimensions), rates, booleans, dates, enumerations."""

from __future__ import annotations

import functools
from decimal import Decimal

import attrs

Dim = tuple[tuple[str, int], ...]  # sorted (unit, exponent) pairs; () is dimensionless


@functools.lru_cache(maxsize=1024)  # a few units, multiplied at every × and ÷ of a file
def dim_mul(a: Dim, b: Dim, sign: int = 1) -> Dim:
    out = dict(a)
    for unit, exp in b:
        out[unit] = out.get(unit, 0) + sign * exp
    return tuple(sorted((u, e) for u, e in out.items() if e))


def dim_text(dim: Dim) -> str:
    if not dim:
        return ""
    num = [u if e == 1 else f"{u}^{e}" for u, e in dim if e > 0]
    den = [u if e == -1 else f"{u}^{-e}" for u, e in dim if e < 0]
    text = "·".join(num) or "1"
    if den:
        text += "/" + "/".join(den)
    return text


@attrs.frozen
class Type:
    kind: str  # num / points / bool / date / enum / any
    dim: Dim = ()
    integer: bool = False
    rate: bool = False
    enum: str | None = None
    # A bare 0 literal: takes the unit of whatever it meets (否则 0 beside an amount in 元).
    zero: bool = False
    scale: str | None = None  # kind "scale": excess (超额累进) or whole (全额累进); dim is the base's
    # How a time is read: duration (期间, whole months shown as 5年7个月), age (年龄, 60岁1个月),
    # year_month (年月, kind date on the month's first day, shown as 2025年2月).
    time: str | None = None
    record: str | None = None  # kind "list": the record type of its items (家庭成员的列表)


    def display(self) -> str:
        if self.time is not None:
            return TIME_WORDS[self.time]
        if self.kind == "num":
            if self.dim == (("元", 1),):
                return "金额（元）"
            if self.rate:
                return "比率"
            unit = dim_text(self.dim)
            base = "整数" if self.integer else "数值"
            return f"{base}（{unit}）" if unit else base
        if self.kind == "scale":
            word = "超额累进税率表" if self.scale == "excess" else "全额累进税率表"
            unit = dim_text(self.dim)
            return f"{word}（{unit}）" if unit else word
        if self.kind == "list":
            return f"{self.record}的列表"
        if self.kind == "record":
            return self.record or "记录"
        return {"points": "百分点", "bool": "是否", "date": "日期", "any": "任意", "text": "文本"}.get(
            self.kind, self.enum or self.kind)

    @property
    def is_money(self) -> bool:
        return self.kind == "num" and self.dim == (("元", 1),)


NUM = Type("num")
INT = Type("num", integer=True)
RATE = Type("num", rate=True)
POINTS = Type("points")
BOOL = Type("bool")
DATE = Type("date")
MONEY = Type("num", (("元", 1),))
ANY = Type("any")
TEXT = Type("text")  # a record's 文本 field (a name, an ID number): a key or a label, not computed with
MONTHS: Dim = (("月", 1),)
DURATION = Type("num", MONTHS, integer=True, time="duration")
AGE = Type("num", MONTHS, integer=True, time="age")
YEAR_MONTH = Type("date", time="year_month")
TIME_WORDS = {"duration": "期间", "age": "年龄", "year_month": "年月"}
EXCESS_SCALE = Type("scale", scale="excess")
WHOLE_SCALE = Type("scale", scale="whole")


@functools.lru_cache(maxsize=1024)
def num(dim: Dim, integer: bool = False, rate: bool = False) -> Type:
    return Type("num", dim, integer, rate)  # frozen: one object for each kind of number, made once


def replaced(t: Type, dim: Dim, integer: bool, rate: bool, zero: bool, time: str | None) -> Type:
    """attrs.evolve(t, dim=…, integer=…, rate=…, zero=…, time=…) without its introspection, and t
    itself when it has these already (the checker does this once or twice a definition)."""
    if t.dim == dim and t.integer == integer and t.rate == rate and t.zero == zero and t.time == time:
        return t
    return Type(t.kind, dim, integer, rate, t.enum, zero, t.scale, time, t.record)


def same_dim(a: Type, b: Type) -> bool:
    return a.kind == b.kind == "num" and (a.dim == b.dim or a.zero or b.zero)


def join(a: Type, b: Type) -> Type | None:
    """The type of a value that may be either a or b (branches of 若/按); None if incompatible."""
    if a.kind == "any":
        return b
    if b.kind == "any":
        return a
    if a.kind == "num" and b.kind == "num":
        if a.zero and not b.zero:
            return b
        if b.zero and not a.zero:
            return a
        if a.dim != b.dim:
            return None
        integer, rate, zero, time = a.integer and b.integer, a.rate or b.rate, a.zero and b.zero, a.time or b.time
        if a.integer == integer and a.rate == rate and a.zero == zero and a.time == time \
                and a.enum is None and a.scale is None and a.record is None:
            return a  # the same type: no new object (a join of branches of one type, the usual case)
        return Type("num", a.dim, integer, rate, zero=zero, time=time)
    if a.kind == b.kind == "scale":
        if a.scale != b.scale or (a.dim and b.dim and a.dim != b.dim):
            return None
        return a if a.dim else b
    if a.kind == b.kind == "date" and a.time != b.time:
        return None
    if a.kind == b.kind and a.enum == b.enum:
        return a
    return None


ONE = Decimal(1)
