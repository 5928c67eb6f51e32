"""The compiled scalar code's shortcuts give the reference interpreter's answers, of the same types.

* 期间/年龄/年月 constants (tables, bands, dated versions, parameters) are wrapped at import, not on
  every evaluation (compiler/timefold.py), and a wrapper around a value it already wraps is left out;
* 年月 + 期间 is one step (year_month_add), without the date in between;
* a 期间/年龄 input only compared (a band's subject, a comparison's operand) given as a whole number
  of months stays an int, and so does a 期间/年龄 definition only compared; one whose value can be
  shown is made a Period/Age as before;
* a new evaluation date builds no validity sentence when the document is in force
  (validity.Window.check), and the date's state is found as before.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.runtime import dates
from guize.runtime.errors import NotInForce, RuleError
from guize.runtime.validity import Repealed, Window

ROOT = Path(__file__).resolve().parent.parent

FOLD = """\
文件：
  标题：《折叠》
  施行日期：2000年1月1日

类型 类别：甲、乙、丙

输入 类别：类别
输入 工龄：期间
输入 出生日期：日期

参数 最低年限 = 15年

参数 退休年龄：年龄
  自2000年1月1日起：60岁
  自2020年1月1日起：63岁

表 起始年月：年月 按 类别
  甲：1965年1月
  乙：1970年1月
  丙：参照 甲

表 界限：期间 按 工龄 分段
  已满一年 不满十年：2个月
  已满十年：3个月
  其他：0个月

输出 起始：年月 = 起始年月
输出 年龄：年龄 = 退休年龄
输出 病假界限：期间 = 界限
输出 年限：期间 = 最低年限
输出 退休年月：年月 = 年月(出生日期) + 退休年龄
输出 晚三年：年月 = 退休年月 + 3年
输出 生日加月：日期 = 出生日期 + 工龄
输出 工龄原样：期间 = 工龄
定义 超过一年部分：期间 = 工龄 - 12个月
输出 满一年以上：是否 = 超过一年部分 > 0个月
"""


@pytest.fixture(scope="module")
def fold(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("fold") / "fold.rule"
    path.write_text(FOLD, encoding="utf-8")
    return guize.load(path, corpus=False)


def _source(policy: guize.Policy) -> str:
    return Path(policy.module.__file__).read_text(encoding="utf-8")


def test_constant_times_are_built_at_import(fold: guize.Policy) -> None:
    body = _source(fold).split("def out_all", 1)[1]
    # no wrapper is called on evaluation: every 期间/年龄/年月 here is a constant or already wrapped
    assert not re.search(r"_F_as_(age|period|year_month)\(|_FUNCS\['as_(age|year_month)'\]", body)
    assert "_F_year_month_add(" in body  # 年月 + 期间 in one step
    assert "_F_add_months(" in body  # a date + 期间 stays a date (the day may move)


def test_generated_calls_are_bound_once(fold: guize.Policy) -> None:
    body = _source(fold).split("def out_all", 1)[1]
    assert "_FUNCS['year_month'](" not in body and "_F_year_month(" not in body  # bound once, and
    assert "_YearMonth(i_出生日期.year, i_出生日期.month, 1)" in body  # of a local, written out (inline_calls)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["甲", "乙", "丙"]), months=st.integers(0, 400),
       born=st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
       on=st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
       ask=st.sampled_from([None, ["年龄"], ["退休年月"], ["晚三年", "起始"], ["病假界限", "年限"], ["生日加月"],
                            ["工龄原样"], ["满一年以上"]]))
def test_compiled_answers_as_the_interpreter(fold: guize.Policy, kind: str, months: int, born: dt.date,
                                             on: dt.date, ask: list[str] | None) -> None:
    data = {"类别": kind, "工龄": months, "出生日期": born.isoformat()}
    answers = []
    for run in (fold.evaluate, fold.interpret):
        try:
            got = run(data, on, ask)
            answers.append({k: (type(v).__name__, str(v), v) for k, v in got.items()})
        except RuleError as exc:
            answers.append({"error": (type(exc).__name__, exc.message)})
    assert answers[0] == answers[1]


def test_year_month_add_is_the_year_month_of_add_months() -> None:
    for d in (dt.date(2024, 1, 31), dt.date(2023, 12, 29), dt.date(2000, 2, 29), dates.YearMonth(1965, 5, 1)):
        for n in (-1300, -13, -1, 0, 1, 11, 12, 25, 36, 1300):
            got = dates.year_month_add(d, n)
            assert got.__class__ is dates.YearMonth
            assert got == dates.year_month(dates.add_months(d, n))


def test_year_month_add_beyond_the_calendar_is_the_same_error(fold: guize.Policy) -> None:
    data = {"类别": "甲", "工龄": 0, "出生日期": "9998-06-01"}
    messages = []
    for run in (fold.evaluate, fold.interpret):
        with pytest.raises(RuleError) as exc:
            run(data, dt.date(2030, 1, 1), ["晚三年"])
        messages.append(exc.value.message)
    assert messages[0] == messages[1]


RETIREMENT = ROOT / "policies" / "national" / "retirement_age_2025.rule"


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(["男职工", "原法定退休年龄五十五周岁的女职工", "原法定退休年龄五十周岁的女职工"]),
       born=st.dates(dt.date(1940, 1, 1), dt.date(2010, 12, 31)),
       on=st.dates(dt.date(2025, 1, 1), dt.date(2060, 12, 31)))
def test_retirement_age_as_the_interpreter(kind: str, born: dt.date, on: dt.date) -> None:
    policy = guize.load(RETIREMENT)
    data = {"人员类别": kind, "出生日期": born.isoformat()}
    for ask in (None, ["改革后法定退休年龄", "退休年月"], ["最早弹性退休年月"]):
        got, want = policy.evaluate(data, on, ask), policy.interpret(data, on, ask)
        assert {k: (type(v), str(v)) for k, v in got.items()} == {k: (type(v), str(v)) for k, v in want.items()}


@pytest.mark.parametrize("repealed", [None, Repealed(dt.date(2020, 6, 1), "新办法", None, True)])
@pytest.mark.parametrize("last", [None, dt.date(2020, 12, 31)])
@pytest.mark.parametrize("start", [None, dt.date(2010, 1, 1)])
def test_window_check_raises_exactly_when_not_in_force(start: dt.date | None, last: dt.date | None,
                                                       repealed: Repealed | None) -> None:
    window = Window("办法", None, start, last, repealed)
    for on in (dt.date(2009, 12, 31), dt.date(2010, 1, 1), dt.date(2020, 5, 31), dt.date(2020, 6, 1),
               dt.date(2020, 12, 31), dt.date(2021, 1, 1)):
        code, message = window.status(on)
        if code == "in_force":
            window.check(on)
        else:
            with pytest.raises(NotInForce) as exc:
                window.check(on)
            assert exc.value.message == message


def test_a_new_date_per_record_finds_the_same_state(fold: guize.Policy) -> None:
    data = {"类别": "乙", "工龄": 130, "出生日期": "1970-03-15"}
    for on in (dt.date(2019, 12, 31), dt.date(2020, 1, 1), "2020-01-01", "2019年12月31日"):
        assert fold.evaluate(data, on) == fold.interpret(data, on)
    with pytest.raises(NotInForce):
        fold.evaluate(data, dt.date(1999, 12, 31))


LEAVE = ROOT / "policies" / "national" / "annual_leave_2008.rule"


def test_durations_only_compared_stay_ints(fold: guize.Policy) -> None:
    leave = guize.load(LEAVE)
    body = _source(leave).split("def out_all", 1)[1]
    assert "_FUNCS['as_period'](i_" not in body  # 累计工作时间 and 本年度病假累计 are only compared
    assert "_FUNCS['as_period'](i_工龄)" in _source(fold)  # 工龄 is an output's value (工龄原样)
    assert re.search(r"d_超过一年部分 = \(i_工龄 - 12\)\n", _source(fold))  # only compared: no wrapper
    assert type(fold.evaluate({"类别": "甲", "工龄": 25, "出生日期": "1970-01-01"}, "2021-01-01")["工龄原样"]) is dates.Period


@settings(max_examples=300, deadline=None)
@given(worked=st.one_of(st.integers(0, 600), st.sampled_from(["P9Y11M", "10年", "20年1个月", -1, "x", 1.5])),
       sick=st.one_of(st.none(), st.integers(0, 8), st.sampled_from(["P2M", "3个月", -2])),
       holidays=st.integers(0, 30), on=st.dates(dt.date(2008, 1, 1), dt.date(2040, 12, 31)))
def test_annual_leave_as_the_interpreter(worked: object, sick: object, holidays: int, on: dt.date) -> None:
    leave = guize.load(LEAVE)
    data = {"累计工作时间": worked, "寒暑假天数": holidays}
    if sick is not None:
        data["本年度病假累计"] = sick
    answers = []
    for run in (leave.evaluate, leave.interpret):
        try:
            answers.append(run(data, on))
        except RuleError as exc:
            answers.append(("error", type(exc).__name__, exc.message))
    assert answers[0] == answers[1]
