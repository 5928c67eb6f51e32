"""Calendar arithmetic under the Civil Code's conventions (民法典 第二百条至第二百零四条).

- A period of N years or months that starts on day D ends on the corresponding day of
  the last year or month; if that month has no such day, on the month's last day
  (第二百零三条).
- A document 自 D 起施行，有效期 N 年 is in force on D and its last day is the day
  before the N-th anniversary of D: 2024年4月26日 + 五年 -> 2029年4月25日. For D = 2月29日
  the anniversary falls in a month without that day, so the term runs to 2月28日 of the
  last year.
"""

from __future__ import annotations

import datetime

from guize.runtime import display


def parse(text: str) -> datetime.date:
    """'2024-04-26' or '2024年4月26日' -> date; ValueError otherwise.

    Read without the re module, which `guize eval` on a cached policy does not otherwise import
    (bench/startup_bench.py): a year of 4 digits, a month and a day of 1 or 2 (any decimal digits,
    as the pattern \\d would take them)."""
    text = text.strip()
    if text.endswith("日"):
        year, _, rest = text[:-1].partition("年")
        month, _, day = rest.partition("月")
    else:
        year, _, rest = text.partition("-")
        month, _, day = rest.partition("-")
    if not (len(year) == 4 and 0 < len(month) <= 2 and 0 < len(day) <= 2
            and year.isdecimal() and month.isdecimal() and day.isdecimal()):
        raise ValueError(text)
    return datetime.date(int(year), int(month), int(day))


def cn(d: datetime.date) -> str:
    """2024年4月26日."""
    return display.date(d)


def add_months(d: datetime.date, months: int) -> datetime.date:
    """The corresponding day `months` later; the month's last day if there is none."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    day = d.day
    if day <= 28:  # every month has the day
        return datetime.date(year, month + 1, day)
    return datetime.date(year, month + 1, min(day, month_days(year, month + 1)))


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def month_days(year: int, month: int) -> int:
    """calendar.monthrange(year, month)[1] (calendar imports locale: a slower start-up)."""
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month - 1]


def add_years(d: datetime.date, years: int) -> datetime.date:
    return add_months(d, 12 * years)


def last_day_of_term(start: datetime.date, years: int) -> datetime.date:
    """Last day in force of a document effective on `start` for `years` years.

    The day before the N-th anniversary (自2023年3月1日起一年 -> 2024年2月29日); a term
    that starts on 2月29日 and ends in a common year runs to 2月28日, the month's last
    day, because that year has no corresponding day (第二百零三条).
    """
    anniversary = add_years(start, years)
    if (start.month, start.day) == (2, 29) and anniversary.day == 28:
        return anniversary
    return anniversary - datetime.timedelta(days=1)


def months_between(a: datetime.date, b: datetime.date) -> int:
    """Whole months from a to b (negative if b is earlier): a corresponding day must be reached."""
    if b < a:
        return -months_between(b, a)
    months = (b.year - a.year) * 12 + (b.month - a.month)
    if a.day <= b.day:  # the corresponding day (or the month's last, earlier still) is reached
        return months
    if add_months(a, months) > b:
        months -= 1
    return months


def years_between(a: datetime.date, b: datetime.date) -> int:
    months = months_between(a, b)
    return int(months / 12)


def days_between(a: datetime.date, b: datetime.date) -> int:
    return (b - a).days


def full_years(a: datetime.date, b: datetime.date) -> int:
    """The whole years from a to b, in months (周岁: 60 years -> 720): the years are full on the
    corresponding day (the birthday; 2月29日 -> 2月28日 in a common year)."""
    return 12 * years_between(a, b)


# ---------------------------------------------------------------- times as values


class Period(int):
    """A duration in whole months that reads as the law writes it: 5年7个月, 6个月, 20年.

    An int (arithmetic and comparisons are the month count's); JSON gives ISO 8601 (P5Y7M)."""

    word = "年"

    def __str__(self) -> str:
        return display.period(int(self), self.word)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({int(self)})"

    def isoformat(self) -> str:
        return period_iso(int(self))


class Age(Period):
    """An age in whole months: 60岁1个月."""

    word = "岁"


class YearMonth(datetime.date):
    """A year-month, held as the month's first day: 2025年2月; JSON and ISO form 2025-02."""

    whole_month = True  # display.date reads it (display cannot import this module)

    def __str__(self) -> str:
        return display.year_month(self)

    def isoformat(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def period_iso(months: int) -> str:
    """721 -> P60Y1M, 6 -> P6M, 0 -> P0M."""
    sign = "-" if months < 0 else ""
    years, rest = divmod(abs(months), 12)
    return sign + "P" + (f"{years}Y" if years else "") + (f"{rest}M" if rest or not years else "")


# Patterns, compiled when first used (by re's own cache): `guize eval` need not import re.
_ISO_PERIOD = r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$"
_CN_PERIOD = r"(?:(\d+)(?:年|周岁|岁))?零?(?:(\d+)个月)?(?:(\d+)[天日])?$"
_YEAR_MONTH = r"(\d{4})(?:-|年)(\d{1,2})月?$"


def parse_period(text: str) -> tuple[int, int]:
    """'P9Y11M' or '9年11个月' (also 60岁1个月, P20D, 20天) -> (months, days); ValueError otherwise."""
    import re

    text = text.strip()
    m = re.match(_ISO_PERIOD, text) or re.match(_CN_PERIOD, text)
    if m is None or not any(m.groups()):
        raise ValueError(text)
    years, months, days = (int(g) if g else 0 for g in m.groups())
    return years * 12 + months, days


def parse_year_month(text: str) -> YearMonth:
    """'2025-02' or '2025年2月' -> YearMonth; ValueError otherwise."""
    import re

    m = re.match(_YEAR_MONTH, text.strip())
    if m is None:
        raise ValueError(text)
    return YearMonth(int(m[1]), int(m[2]), 1)


def year_month(d: datetime.date) -> YearMonth:
    """The year-month a date falls in."""
    if d.__class__ is YearMonth:
        return d
    return YearMonth(d.year, d.month, 1)


def year_month_add(d: datetime.date, months: int) -> YearMonth:
    """year_month(add_months(d, months)) in one step: the month `months` after d's (the day, which
    add_months may move to the month's last, does not change the month). ValueError or
    OverflowError as add_months's, for a year beyond 1..9999."""
    year, month = divmod(d.year * 12 + (d.month - 1) + months, 12)
    return YearMonth(year, month + 1, 1)


def of_month_index(index: int) -> YearMonth:
    """The year-month of a month index year × 12 + month − 1 (compiler/ymindex.py)."""
    year, month = divmod(index, 12)
    return YearMonth(year, month + 1, 1)
