"""The scalar path's integer and calendar shortcuts give what the general code gives.

`values.div_int` (向下取整(a ÷ b) and the like on whole numbers) divides in integers where that
is provably what `rnd_int(div(a, b))` — a 34-digit Decimal quotient, then rounded — gives, and
takes that Decimal path otherwise (larger operands, a zero divisor). `dates.months_between`
skips the corresponding-day test when the end's day is not before the start's; `add_months`
skips the month length for days up to 28; `values.to_date` reads 2024-04-26 with C's parser.
Each is checked against the general code on random values, rounding ties and huge values.
"""

from __future__ import annotations

import datetime
import decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import guize
from guize.runtime import dates, values
from guize.runtime.errors import EvaluationError

MODES = ("floor", "ceil", "down", "half_up")
LIMIT = values.INT_LIMIT


def by_decimal(a: int, b: int, mode: str) -> int:
    return values.rnd_int(values.div(a, b), mode)


whole = st.one_of(st.integers(-1000, 1000), st.integers(-LIMIT + 1, LIMIT - 1),
                  st.integers(-(10**40), 10**40), st.sampled_from([LIMIT - 1, -LIMIT + 1, LIMIT, -LIMIT, 10**28]))


@settings(max_examples=400, deadline=None)
@given(a=whole, b=whole.filter(bool), mode=st.sampled_from(MODES))
def test_div_int_rounds_as_the_decimal_quotient(a: int, b: int, mode: str) -> None:
    with decimal.localcontext(values.CONTEXT):
        try:
            want: int | type = by_decimal(a, b, mode)
        except decimal.DecimalException as exc:  # a quotient of more than 28 digits: the same error
            want = type(exc)
        try:
            got: int | type = values.div_int(a, b, mode)
        except decimal.DecimalException as exc:
            got = type(exc)
    assert got == want and type(got) is type(want)


@settings(max_examples=300, deadline=None)
@given(k=st.integers(-(10**14), 10**14), b=st.integers(1, 10**7), sign=st.sampled_from([1, -1]),
       mode=st.sampled_from(MODES), kind=st.sampled_from([int, dates.Period, dates.Age]))
def test_div_int_at_rounding_ties_and_near_them(k: int, b: int, sign: int, mode: str, kind: type) -> None:
    """a/b at k + 1/2 exactly (b even) and one step either side: half-up goes away from zero."""
    b = 2 * b
    for a in (k * b + b // 2 - 1, k * b + b // 2, k * b + b // 2 + 1, k * b, k * b - 1):
        if abs(a) >= LIMIT:
            continue
        x, y = kind(a), kind(sign * b)
        assert values.div_int(x, y, mode) == by_decimal(a, sign * b, mode), (a, sign * b, mode)


def test_div_int_examples_and_errors() -> None:
    assert [values.div_int(5, 2, m) for m in MODES] == [2, 3, 2, 3]
    assert [values.div_int(-5, 2, m) for m in MODES] == [-3, -2, -2, -3]
    assert [values.div_int(7, -2, m) for m in MODES] == [-4, -3, -3, -4]
    assert values.div_int(10**20 + 1, 1, "floor") == by_decimal(10**20 + 1, 1, "floor")  # Decimal's answer
    with pytest.raises(EvaluationError):
        values.div_int(5, 0, "floor")
    with pytest.raises(EvaluationError):
        values.div_int(True, 0, "floor")
    # not whole numbers (a bool, a Decimal): the Decimal path
    assert values.div_int(decimal.Decimal("7.5"), 2, "floor") == 3
    assert values.div_int(True, 2, "ceil") == 1


def slow_months_between(a: datetime.date, b: datetime.date) -> int:
    if b < a:
        return -slow_months_between(b, a)
    months = (b.year - a.year) * 12 + (b.month - a.month)
    if dates.add_months(a, months) > b:
        months -= 1
    return months


def slow_add_months(d: datetime.date, months: int) -> datetime.date:
    year, month = divmod(d.year * 12 + (d.month - 1) + months, 12)
    return datetime.date(year, month + 1, min(d.day, dates.month_days(year, month + 1)))


days = st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31))
month_ends = st.builds(lambda y, m: datetime.date(y, m, dates.month_days(y, m)), st.integers(1900, 2100),
                       st.integers(1, 12))
any_day = st.one_of(days, month_ends, st.sampled_from([datetime.date(2024, 2, 29), datetime.date(2000, 2, 29)]))


@settings(max_examples=400, deadline=None)
@given(a=any_day, b=any_day, months=st.integers(-1200, 1200))
def test_calendar_shortcuts(a: datetime.date, b: datetime.date, months: int) -> None:
    assert dates.months_between(a, b) == slow_months_between(a, b)
    assert dates.add_months(a, months) == slow_add_months(a, months)
    ym = dates.year_month(a)
    assert dates.year_month(ym) is ym and ym == datetime.date(a.year, a.month, 1)


@settings(max_examples=300, deadline=None)
@given(y=st.integers(0, 9999), m=st.integers(0, 13), d=st.integers(0, 32), sep=st.sampled_from(["-", "/"]))
def test_iso_dates_read_as_the_general_reader_reads_them(y: int, m: int, d: int, sep: str) -> None:
    for text in (f"{y:04d}{sep}{m:02d}{sep}{d:02d}", f"{y:04d}-{m}-{d}", f"{y:04d}-{m:02d}-{d:02d} "):
        try:
            want: object = dates.parse(text)
        except ValueError:
            want = "error"
        try:
            got: object = values.to_date(text, "日期")
        except guize.RuleError:
            got = "error"
        assert got == want, text


def test_non_ascii_digits_take_the_general_reader() -> None:
    full = "２０２４-０４-２６"
    assert values.to_date(full, "日期") == dates.parse(full) == datetime.date(2024, 4, 26)


@settings(max_examples=200, deadline=None)
@given(ends=st.lists(st.integers(1, 10**6), min_size=0, max_size=6, unique=True),
       incl=st.lists(st.booleans(), min_size=6, max_size=6), first=st.sampled_from([None, 0]),
       picks=st.lists(st.integers(-5, 10**6 + 5), min_size=1, max_size=8))
def test_rate_of_a_scale_found_from_its_ends(ends: list[int], incl: list[bool], first: int | None,
                                              picks: list[int]) -> None:
    """适用税率 by the quick ends (x > 0) is the bracket `ScaleValue.index` finds, at every end
    (inclusive or not) and between."""
    from decimal import Decimal

    from guize.runtime import scales

    ends = sorted(ends)
    bounds = [None if first is None else Decimal(first), *map(Decimal, ends), None]
    brackets = [(bounds[i], not incl[i - 1] if i else False, bounds[i + 1], incl[i] if i < len(ends) else False,
                 Decimal(i + 1) / 100) for i in range(len(ends) + 1)]
    scale = scales.ScaleValue("excess", brackets)
    assert scales._quick(scale) is not None
    for x in [*picks, *ends, *(e + 1 for e in ends), *(e - 1 for e in ends)]:
        value = Decimal(x)
        general = scales.ScaleValue("excess", brackets)
        general.quick = None  # no quick table: the general search
        found = []
        for s in (general, scale):
            try:
                found.append(scales.rate(s, value))
            except guize.RuleError:  # 0 outside a first bracket open at 0: the same error
                found.append("error")
        assert found[0] == found[1], (brackets, x)
