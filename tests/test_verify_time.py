"""guize verify's calendar (tools/verify/calendar.py) against runtime/dates.py: for random dates and
month counts, the solver is asked whether the encoded function can differ from what evaluation
computes; it must answer that it cannot (unsat), so the encoding is exact, not merely consistent."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from guize.runtime import dates

z3 = pytest.importorskip("z3")

from guize.tools.verify.calendar import Calendar  # noqa: E402  (after the skip: needs z3)

EDGES = [dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2024, 2, 29), dt.date(2023, 1, 31), dt.date(2100, 2, 28),
         dt.date(2000, 2, 29), dt.date(1900, 3, 1), dt.date(2024, 12, 31)]
DAYS = st.one_of(st.dates(), st.sampled_from(EDGES), st.dates(dt.date(1999, 1, 1), dt.date(2030, 12, 31)))
COUNTS = st.one_of(st.integers(-40, 40), st.integers(-12 * 10000, 12 * 10000))


def exactly(terms: list[tuple[Any, int]], fixed: list[Any]) -> None:
    """Given `fixed`, each term can only take its expected value."""
    for term, expected in terms:
        s = z3.Solver()
        s.set("timeout", 20000)
        s.add(*fixed, term != expected)
        assert s.check() == z3.unsat, (term, expected)


def _calendar() -> tuple[Calendar, list[Any]]:
    axioms: list[Any] = []
    return Calendar(z3, axioms, ""), axioms


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=DAYS, b=DAYS, n=COUNTS)
@example(a=dt.date(2024, 1, 31), b=dt.date(2024, 2, 29), n=1)
@example(a=dt.date(9999, 12, 31), b=dt.date(1, 1, 1), n=1)
@example(a=dt.date(1, 1, 1), b=dt.date(9999, 12, 31), n=-1)
def test_calendar_functions_are_exact(a: dt.date, b: dt.date, n: int) -> None:
    cal, axioms = _calendar()
    x, y, k = z3.Int("x"), z3.Int("y"), z3.Int("k")
    parts = cal.split(x)
    moved, outside = cal.add_months(x, k)
    first = cal.year_month(x)
    first_moved, first_outside = cal.add_months(first, k)
    later, later_outside = cal.add_days(x, k)
    fixed = [*axioms, x == a.toordinal(), y == b.toordinal(), k == n]
    try:
        expected_move: int | None = dates.add_months(a, n).toordinal()
    except (ValueError, OverflowError):
        expected_move = None
    try:
        expected_first: int | None = dates.add_months(dates.year_month(a), n).toordinal()
    except (ValueError, OverflowError):
        expected_first = None
    try:
        expected_later: int | None = (a + dt.timedelta(days=n)).toordinal()
    except OverflowError:
        expected_later = None
    terms = [(parts.y, a.year), (parts.m, a.month), (parts.day, a.day),
             (first, dates.year_month(a).toordinal()),
             (cal.months_between(x, y), dates.months_between(a, b)),
             (cal.full_years(x, y), dates.full_years(a, b)),
             (z3.If(outside, 1, 0), int(expected_move is None)),
             (z3.If(first_outside, 1, 0), int(expected_first is None)),
             (z3.If(later_outside, 1, 0), int(expected_later is None))]
    if expected_move is not None:
        terms.append((moved, expected_move))
    if expected_first is not None:
        terms.append((first_moved, expected_first))
    if expected_later is not None:
        terms.append((later, expected_later))
    for op, want in (("<", a < b), ("<=", a <= b), ("==", a == b), (">", a > b)):
        cmp = cal.compare(op, x, y)
        assert cmp is not None
        terms.append((z3.If(cmp, 1, 0), int(want)))
    exactly(terms, [*axioms, *fixed[len(fixed) - 3:]])  # with the axioms the comparisons added


def test_splitting_never_excludes_a_day_number() -> None:
    """The axioms are total: any integer, a computed date far outside years 1..9999 included, has
    its parts, so adding them to a query never removes an input from the domain."""
    cal, axioms = _calendar()
    x = z3.Int("x")
    cal.split(x)
    for value in (-10**9, -1, 0, 1, 3652059, 3652060, 10**12):
        s = z3.Solver()
        s.set("timeout", 20000)
        s.add(*axioms, x == value)
        assert s.check() == z3.sat, value


def test_examples_for_time_values_are_written_as_the_law_writes_them(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """guize verify --examples over 期间、年龄、年月 and dates: the written examples parse, pass and
    take coverage to every reachable row; durations read 「15年」, year-months 「2025年2月」."""
    from click.testing import CliRunner

    from guize.cli import main
    from guize.tools import coverage, testing

    monkeypatch.chdir(tmp_path)
    (tmp_path / "退休.rule").write_text(
        "文件：\n  标题：《退休示例》\n  施行日期：2025年1月1日\n\n输入 出生年月：年月\n输入 缴费：期间\n"
        "输出 退休年月：年月\n  若 缴费 已满 15年 则 出生年月 + 60岁\n  否则 出生年月 + 65岁\n", encoding="utf-8")
    src = Path(__file__).resolve().parent / "verify" / "time" / "unreachable_good.rule"
    (tmp_path / "津贴.rule").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    out = CliRunner().invoke(main, ["verify", "--examples", "."])
    assert out.exit_code == 0, out.output
    report = testing.run(["."], coverage=True)
    assert report.failed == 0 and not report.compile_errors
    for f in coverage.from_report(report):
        assert [m for m in f.missed if m.category != "articles"] == [], f.file
    text = (tmp_path / "退休.rule").read_text(encoding="utf-8")
    assert re.search(r"出生年月 = \d{4}年\d{1,2}月\n", text) and re.search(r"缴费 = (\d+年)?(\d+个月)?\n", text)
    assert re.search(r"期望 退休年月 = \d{4}年\d{1,2}月\n", text)
