"""The calendar in z3: day numbers (date.toordinal()) split into year, month and day, and the
calendar-month functions of runtime/dates.py as exact integer arithmetic.

A day number d is split by fresh variables (y, m, day) with
    jan1(y) <= d < jan1(y + 1),  1 <= m <= 12,  1 <= day <= days_in_month(y, m),
    d == jan1(y) + days_before_month(y, m) + day - 1
over the proleptic Gregorian calendar extended to every integer year. For every integer d
exactly one (y, m, day) satisfies these, so the axioms are total and functional: adding them
to the solver never excludes an input, even when d is a computed date outside years 1..9999
(the encoder reports that case as an evaluation error, as dates.add_months raises one).
Only division and remainder by constants occur: linear integer arithmetic, which z3 decides.

A year-month (年月) is the day number of the month's first day, as dates.YearMonth is a date
on day 1; terms known to be on day 1 are split without the day variable.
"""

from __future__ import annotations

import datetime
from typing import Any

import attrs

YEAR_MIN, YEAR_MAX = 1, 9999
DAY_MIN, DAY_MAX = datetime.date.min.toordinal(), datetime.date.max.toordinal()
_BEFORE = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)  # days before month m in a common year


def leap(z: Any, y: Any) -> Any:
    return z.And(y % 4 == 0, z.Or(y % 100 != 0, y % 400 == 0))


def jan1(y: Any) -> Any:
    """The day number of 1 January of year y (proleptic Gregorian, as date.toordinal; / is floor
    division for Ints in z3 when the divisor is positive)."""
    p = y - 1
    return 365 * p + p / 4 - p / 100 + p / 400 + 1


def days_before_month(z: Any, y: Any, m: Any) -> Any:
    before: Any = z.IntVal(_BEFORE[11])
    for month in range(11, 0, -1):
        before = z.If(m == month, _BEFORE[month - 1], before)
    return before + z.If(z.And(m > 2, leap(z, y)), 1, 0)


def days_in_month(z: Any, y: Any, m: Any) -> Any:
    return z.If(m == 2, z.If(leap(z, y), 29, 28), z.If(z.Or(m == 4, m == 6, m == 9, m == 11), 30, 31))


def ordinal(z: Any, y: Any, m: Any, day: Any) -> Any:
    return jan1(y) + days_before_month(z, y, m) + day - 1


@attrs.frozen
class Civil:
    y: Any
    m: Any
    day: Any


class Calendar:
    """Splits day-number terms (each once) and builds the calendar functions; the defining
    axioms go to `axioms` (shared with the encoder's domain)."""

    def __init__(self, z: Any, axioms: list[Any], prefix: str) -> None:
        self.z = z
        self.axioms = axioms
        self.prefix = prefix
        self.count = 0
        self.split_memo: dict[int, tuple[Any, Civil]] = {}
        self.first_days: dict[int, Any] = {}  # ids of terms known to be a month's first day
        self.computed: dict[int, Any] = {}  # ids of day numbers built from parts (加月, 年月(…))
        self.plain: dict[int, tuple[Any, Civil]] = {}  # day numbers split by fresh variables

    def fresh(self, what: str) -> Any:
        self.count += 1
        return self.z.Int(f"{self.prefix}{what}{self.count}")

    # ------------------------------------------------------------ day 1

    def mark_first_day(self, term: Any) -> Any:
        self.first_days[term.get_id()] = term
        return term

    def is_first_day(self, term: Any) -> bool:
        z = self.z
        if term.get_id() in self.first_days:
            return True
        value = z.simplify(term)
        if z.is_int_value(value):
            try:
                return datetime.date.fromordinal(value.as_long()).day == 1
            except (ValueError, OverflowError):
                return False
        return False

    # ------------------------------------------------------------ splitting

    def split(self, d: Any) -> Civil:
        z = self.z
        value = z.simplify(d)
        if z.is_int_value(value):
            n = value.as_long()
            if datetime.date.min.toordinal() <= n <= datetime.date.max.toordinal():
                on = datetime.date.fromordinal(n)
                return Civil(z.IntVal(on.year), z.IntVal(on.month), z.IntVal(on.day))
        done = self.split_memo.get(d.get_id())
        if done is not None:
            return done[1]
        if z.is_app_of(d, z.Z3_OP_ITE):  # a date chosen by 若: the parts of the date chosen
            cond, then, other = d.children()
            a, b = self.split(then), self.split(other)
            if then.get_id() in self.computed or other.get_id() in self.computed:
                self.computed[d.get_id()] = d
            return self.known(d, Civil(z.If(cond, a.y, b.y), z.If(cond, a.m, b.m), z.If(cond, a.day, b.day)))
        y, m = self.fresh("年"), self.fresh("月")
        self.axioms += [jan1(y) <= d, d < jan1(y + 1), m >= 1, m <= 12]
        if self.is_first_day(d):
            day: Any = z.IntVal(1)
        else:
            day = self.fresh("日")
            self.axioms += [day >= 1, day <= days_in_month(z, y, m)]
        self.axioms.append(d == ordinal(z, y, m, day))
        result = Civil(y, m, day)
        # Plain day numbers (inputs, the as-of date) are compared as they are, and through their
        # parts inside the calendar functions: relate the two orders for each pair of them (a
        # theorem of the calendar; without it the solver must go through jan1 to connect them).
        for other, parts in self.plain.values():
            self.axioms += [(d <= other) == (_key(result) <= _key(parts)),
                            (d == other) == (_key(result) == _key(parts))]
        self.plain[d.get_id()] = (d, result)
        self.split_memo[d.get_id()] = (d, result)
        return result

    # ------------------------------------------------------------ the functions (runtime/dates.py)

    def known(self, d: Any, parts: Civil) -> Civil:
        """Record the parts of a day number built from them (exact: for m in 1..12 and a day of
        that month, ordinal(y, m, day) splits into (y, m, day) for every integer y), so the
        solver never has to split it back through jan1."""
        self.split_memo[d.get_id()] = (d, parts)
        return parts

    def year_month(self, d: Any) -> Any:
        """The first day of d's month (dates.year_month)."""
        if self.is_first_day(d):
            return d
        c = self.split(d)
        first = self.mark_first_day(d - c.day + 1)
        self.known(first, Civil(c.y, c.m, self.z.IntVal(1)))
        self.computed[first.get_id()] = first
        return first

    def add_months(self, d: Any, n: Any) -> tuple[Any, Any]:
        """(the corresponding day n months later, or the month's last day; the condition that
        the result leaves years 1..9999) as dates.add_months."""
        z = self.z
        c = self.split(d)
        index = 12 * c.y + (c.m - 1) + n
        y2 = self.fresh("年")
        self.axioms += [12 * y2 <= index, index < 12 * y2 + 12]
        m2 = index - 12 * y2 + 1
        if self.is_first_day(d):
            day: Any = z.IntVal(1)
            result = self.mark_first_day(ordinal(z, y2, m2, day))
        else:
            last = days_in_month(z, y2, m2)
            day = z.If(c.day <= last, c.day, last)
            result = ordinal(z, y2, m2, day)
        self.known(result, Civil(y2, m2, day))
        self.computed[result.get_id()] = result
        return result, z.Or(y2 < YEAR_MIN, y2 > YEAR_MAX)

    def months_between(self, a: Any, b: Any) -> Any:
        """Whole months from a to b, negative when b is earlier (dates.months_between)."""
        z = self.z
        ca, cb = self.split(a), self.split(b)

        def forward(p: Civil, q: Civil) -> Any:  # p <= q: the corresponding day in q's month must be reached
            last = days_in_month(z, q.y, q.m)
            reached = z.If(p.day <= last, p.day, last)
            return 12 * (q.y - p.y) + (q.m - p.m) - z.If(reached > q.day, 1, 0)

        return z.If(_key(cb) < _key(ca), -forward(cb, ca), forward(ca, cb))

    def full_years(self, a: Any, b: Any) -> Any:
        """12 × the whole years from a to b, truncated toward zero (dates.full_years)."""
        z = self.z
        months = self.months_between(a, b)
        return 12 * z.If(months >= 0, months / 12, -((-months) / 12))

    def compare(self, op: str, a: Any, b: Any) -> Any | None:
        """a op b for two day numbers, on (month index, day) keys when either side is built from
        its parts (加月, 年月(…)) or both are split already: the same order, and the solver relates
        such dates without going back through jan1. None otherwise: two plain day numbers (inputs,
        the as-of date, constants) compare as they are, without splitting them."""
        memo = self.split_memo
        built = a.get_id() in self.computed or b.get_id() in self.computed
        if not built and not (a.get_id() in memo and b.get_id() in memo):
            return None
        ka, kb = _key(self.split(a)), _key(self.split(b))
        return {"==": lambda: ka == kb, "!=": lambda: ka != kb, "<": lambda: ka < kb, "<=": lambda: ka <= kb,
                ">": lambda: ka > kb, ">=": lambda: ka >= kb}[op]()

    def add_days(self, d: Any, n: Any) -> tuple[Any, Any]:
        """(d + n days, the condition that it leaves years 1..9999)."""
        result = d + n
        return result, self.z.Or(result < DAY_MIN, result > DAY_MAX)


def _key(c: Civil) -> Any:
    """A number in the same order as the date: (month index, day), linear in the parts."""
    return (12 * c.y + c.m) * 32 + c.day
