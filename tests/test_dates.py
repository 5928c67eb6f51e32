"""Dates: civil-code period arithmetic, validity windows, version selection."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from guize.runtime import dates
from guize.runtime.deps import select_version
from guize.runtime.validity import Repealed, Window

D = dt.date


def test_term_of_five_years() -> None:
    assert dates.last_day_of_term(D(2024, 4, 26), 5) == D(2029, 4, 25)


def test_term_from_a_leap_day() -> None:
    # 2024-02-29 + 1 year: the day before is 2月28日, whose anniversary exists.
    assert dates.last_day_of_term(D(2024, 2, 29), 1) == D(2025, 2, 28)
    assert dates.last_day_of_term(D(2024, 3, 1), 1) == D(2025, 2, 28)
    assert dates.last_day_of_term(D(2023, 3, 1), 1) == D(2024, 2, 29)


def test_add_months_clamps_to_month_end() -> None:
    assert dates.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert dates.add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert dates.add_months(D(2024, 3, 31), -1) == D(2024, 2, 29)
    assert dates.add_years(D(2024, 2, 29), 1) == D(2025, 2, 28)


def test_months_between() -> None:
    assert dates.months_between(D(2024, 1, 15), D(2024, 2, 14)) == 0
    assert dates.months_between(D(2024, 1, 15), D(2024, 2, 15)) == 1
    assert dates.months_between(D(2024, 1, 31), D(2024, 2, 29)) == 1
    assert dates.months_between(D(2024, 5, 1), D(2024, 1, 1)) == -4


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 1, 1)), st.integers(-600, 600))
def test_add_then_count_months(start: dt.date, n: int) -> None:
    later = dates.add_months(start, n)
    assert dates.months_between(start, later) == n or later.day < start.day


def test_parse_both_forms() -> None:
    assert dates.parse("2024-04-26") == dates.parse("2024年4月26日") == D(2024, 4, 26)


VERSIONS = ((D(2024, 1, 1), D(2024, 9, 1), ("const", 300), "", ()),
            (D(2024, 9, 1), D(2028, 1, 1), ("const", 200), "", ()))


def test_version_boundaries() -> None:
    assert select_version(VERSIONS, D(2024, 8, 31)) == 0
    assert select_version(VERSIONS, D(2024, 9, 1)) == 1
    assert select_version(VERSIONS, D(2024, 9, 2)) == 1
    assert select_version(VERSIONS, D(2023, 12, 31)) is None
    assert select_version(VERSIONS, D(2028, 1, 1)) is None


@given(st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31)))
def test_exactly_one_version_inside_none_outside(day: dt.date) -> None:
    hits = [i for i, v in enumerate(VERSIONS) if v[0] <= day < v[1]]
    inside = D(2024, 1, 1) <= day < D(2028, 1, 1)
    assert len(hits) == (1 if inside else 0)
    assert select_version(VERSIONS, day) == (hits[0] if inside else None)


def test_window_messages() -> None:
    w = Window("某办法", "某发〔2024〕1号", D(2024, 4, 26), D(2029, 4, 25))
    assert w.status(D(2024, 4, 25))[0] == "not_yet"
    assert w.status(D(2024, 4, 26))[0] == "in_force"
    assert w.status(D(2029, 4, 25))[0] == "in_force"
    assert w.status(D(2029, 4, 26)) == ("expired", "《某办法》（某发〔2024〕1号）有效期至2029年4月25日，2029年4月26日已失效")
    r = Window("某办法", None, D(1996, 4, 24), None, Repealed(D(2024, 4, 12), "某决定", "某令第235号"))
    assert r.status(D(2024, 4, 11))[0] == "in_force"
    code, message = r.status(D(2024, 4, 12))
    assert code == "repealed" and "已被《某决定》（某令第235号）废止，自2024年4月12日起失效" in message
