"""Year-months in batch evaluation as month indices (months since 1970-01), not day numbers.

A 年月 is the first day of its month. Kept as a day number (as the result column is, date32),
every step on it goes through the calendar: 出生年月 + 60岁 splits the day number into month
and day, adds, and builds the day number back; 退休年月 − 3年 < 出生年月 + 原法定退休年龄 does so
four times. As a month index each of these is one integer operation, and the calendar is
needed only where a year-month is read (年月(出生日期)) or written (an output, a comparison
with a date). guize.compiler.batchgen_months writes the calls; this module computes them on
batchops Num columns (s = 0), so they are recorded into the chunk's kernel like any other.

Between day numbers and month indices the conversion is a look-up: the table of the month
index of every day (or the first day of every month) over the range the column's bounds
give, gathered with one `take` after subtracting the range's start. A range beyond
TABLE_SPAN (some 180 years of days) is converted eagerly through numpy's datetime64, as
guize.runtime.batchmonths does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from guize.runtime import batchmonths
from guize.runtime.batchops import FIRST_DAY, LAST_DAY, Chunk, Num, num
from guize.runtime.kernel import Reg, copy, take

TABLE_SPAN = 1 << 16  # entries of a conversion table: 512 kB of int64 at most
FIRST_MONTH, LAST_MONTH = batchmonths.FIRST_MONTH, batchmonths.LAST_MONTH
_TABLES: dict[tuple[str, int, int], Any] = {}  # the same array each chunk: part of a kernel's shape
_TWELVE = num("12")


def _table(kind: str, lo: int, hi: int) -> Any:
    key = (kind, lo, hi)
    table = _TABLES.get(key)
    if table is None:
        if len(_TABLES) > 64:
            _TABLES.clear()
        span = np.arange(lo, hi + 1, dtype=np.int64)
        table = _TABLES[key] = batchmonths.months(span)[0] if kind == "index" else batchmonths.month_start(span)
    return table


def _is_arr(x: Any) -> bool:
    return isinstance(x, (np.ndarray, Reg))


def _lookup(c: Chunk, table: Any, x: Any, lo: int) -> Any:
    """table[x - lo] for each row, in the kernel."""
    shifted = c.k.call(np.subtract, x, lo, out=c.new(), dtype=np.int64)
    return c.k.call(take, table, shifted, out=c.new())


def index(c: Chunk, days: Any) -> Num:
    """The month index of each day number (年月 of a date, a 年月 read as a day number)."""
    if not _is_arr(days):
        m = int(batchmonths.months(np.asarray([days]))[0][0])
        return Num(m, 0, m, m)
    if isinstance(days, np.ndarray):  # a column of the data: its range is read (or known)
        hit = c.tests.get(("bounds", id(days)))  # the chunk's dates: known (Chunk.day_bounds)
        lo, hi = hit[2] if hit is not None else (int(days.min()), int(days.max())) if days.size else (0, 0)
        # Day numbers beyond the calendar (a date32 cell can hold one) are rows in error.
        lo, hi = max(lo, FIRST_DAY), min(hi, LAST_DAY)
        if lo <= hi and hi - lo < TABLE_SPAN:
            table = _table("index", lo, hi)
            return Num(_lookup(c, table, days, lo), 0, int(table[0]), int(table[-1]), True)
    c.k.need_data()  # a computed column, or a wide range: through datetime64, eagerly
    v = batchmonths.months(days)[0]
    lo, hi = (int(v.min()), int(v.max())) if v.size else (0, 0)
    return Num(v, 0, lo, hi, True)


def days(c: Chunk, m: Num) -> Any:
    """The day number of the first day of each month index (a 年月 as the result column holds it)."""
    if not _is_arr(m.v):
        return int(batchmonths.month_start(np.asarray([m.v]))[0])
    lo, hi = max(m.lo, FIRST_MONTH), min(m.hi, LAST_MONTH)  # add() keeps every row in the calendar
    if lo <= hi and hi - lo < TABLE_SPAN:
        return _lookup(c, _table("start", lo, hi), m.v, lo)
    c.k.need_data()
    return batchmonths.month_start(np.clip(m.v, FIRST_MONTH, LAST_MONTH))


def add(c: Chunk, m: Num, count: Num) -> Num:
    """A year-month `count` months later (加月 on a 年月); months beyond years 1-9999 flag their
    rows (the scalar path reports them) and hold a month of the calendar meanwhile."""
    if count.s:  # a whole number of months (the checker's 期间 are) at some scale
        count = c.rnd(count, 0, "floor")
    r = c.add(m, count)
    if r.lo >= FIRST_MONTH and r.hi <= LAST_MONTH:
        return r
    if not _is_arr(r.v):
        c.flag(True)
        return Num(0, 0, 0, 0)
    k = c.k
    beyond = c.or_(k.call(np.less, r.v, FIRST_MONTH, out=c.new(bool)),
                   k.call(np.greater, r.v, LAST_MONTH, out=c.new(bool)))
    c.flag(beyond)
    v = r.v if r.own else k.call(copy, r.v, out=c.new())
    k.call(copy, 0, out=v, where=beyond)
    return Num(v, 0, max(r.lo, FIRST_MONTH), min(r.hi, LAST_MONTH), True)


def year(c: Chunk, m: Num) -> Num:
    """年份 of a year-month: floor(m / 12) + 1970."""
    return c.add(c.rdiv(m, _TWELVE, 0, "floor"), num("1970"))


def month(c: Chunk, m: Num) -> Num:
    """月份 of a year-month: m − 12 × floor(m / 12) + 1."""
    return c.add(c.sub(m, c.mul(c.rdiv(m, _TWELVE, 0, "floor"), _TWELVE)), num("1"))

