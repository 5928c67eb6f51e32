"""Policy.evaluate's cheaper ways through a call, each giving what the general way gives.

A list naming every output, in order, runs out_all (no subset flags to read); a missing input
is then reported as for that list (not as for all outputs), as the reference interpreter does.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import guize
from guize.runtime.errors import MissingInput

ROOT = Path(__file__).resolve().parent.parent
ON = datetime.date(2025, 3, 1)


def test_a_list_of_every_output_runs_out_all_and_reports_as_for_a_list() -> None:
    policy = guize.load(ROOT / "policies/national/retirement_age_2025.rule")
    every = list(policy.module.OUTPUTS)
    planned = policy._plan(every)[0]  # out_all, counted until it may be copied (runtime/specialize.py)
    assert planned is policy._all and getattr(planned, "function", planned) is policy.module.out_all
    data = {"出生日期": "1970-05-17", "人员类别": "男职工"}
    assert policy.evaluate(data, ON, every) == policy.evaluate(data, ON) == policy.interpret(data, ON, every)
    for outputs in (every, tuple(every)):
        with pytest.raises(MissingInput) as got:
            policy.evaluate({"人员类别": "男职工"}, ON, outputs)
        with pytest.raises(MissingInput) as want:
            policy.interpret({"人员类别": "男职工"}, ON, outputs)
        assert got.value.message == want.value.message == "缺少输入「出生日期」"
    with pytest.raises(MissingInput, match="计算全部输出时需要"):
        policy.evaluate({"人员类别": "男职工"}, ON)


@pytest.mark.parametrize("data", [
    {"累计工作时间": 60, "别的": 1},
    {"累计工作时间": 60, "本年度病假累计": "abc", "别的": 1},
    {"累计工作时间": 60, "本年度病假累计": "abc"},
    {"累计工作时间": 60, "寒暑假天数": 100, "本年度病假累计": "abc"},
    {"累计工作时间": 60, "寒暑假天数": 100, "本年度病假累计": -1, "事假不扣工资": "是"},
    {"累计工作时间": 60, "本年度病假累计": 1, "本年度事假累计天数": 25, "事假不扣工资": True, "寒暑假天数": 0},
    {"累计工作时间": 60, "本年度病假累计": 1, "本年度事假累计天数": 25, "事假不扣工资": True, "寒暑假天数": 0, "x": 0},
], ids=["unknown", "unknown and invalid", "invalid on the path", "invalid off the path", "two invalid off the path",
        "every input", "every input and an unknown"])
def test_input_names_counted_after_the_prefetch(data: dict[str, object]) -> None:
    """Annual leave's out_all counts the keys it read (optional and prefetched inputs) instead of
    building a set of them; any other count looks at every key, as the interpreter does."""
    import inspect

    from guize.runtime.errors import RuleError

    policy = guize.load(ROOT / "policies/national/annual_leave_2008.rule")
    assert "issuperset" not in inspect.getsource(policy.module.out_all)

    def outcome(run: object, outputs: object) -> object:
        try:
            return run(data, ON, outputs)  # type: ignore[operator]
        except RuleError as exc:
            return type(exc).__name__, exc.message

    for outputs in (None, ["年休假天数"]):
        assert outcome(policy.evaluate, outputs) == outcome(policy.interpret, outputs)


def _calendar_outcome(fn: object, *args: object) -> object:
    from guize.runtime.errors import EvaluationError

    try:
        got = fn(*args)  # type: ignore[operator]
    except EvaluationError as exc:
        return "error", exc.message
    return type(got).__name__, got


@settings(max_examples=500, deadline=None)
@given(d=st.dates(min_value=datetime.date(1, 1, 1)), e=st.dates(), months=st.integers(-130_000, 130_000))
def test_calendar_functions_written_out_agree_with_dates(d: datetime.date, e: datetime.date, months: int) -> None:
    """values.FUNCS' add_months, year_month_add, add_days and period_between (the common case written out,
    one call) give what dates' functions, checked by values._calendar, give."""
    from guize.runtime import dates, values

    slow_add, slow_ym = values._calendar(dates.add_months), values._calendar(dates.year_month_add)
    slow_days = values._calendar(lambda a, n: a + datetime.timedelta(days=n))
    assert _calendar_outcome(values.FUNCS["add_days"], d, months) == _calendar_outcome(slow_days, d, months)
    for start in (d, dates.year_month(d)):
        assert _calendar_outcome(values.FUNCS["add_months"], start, months) == _calendar_outcome(slow_add, start, months)
        assert _calendar_outcome(values.FUNCS["year_month_add"], start, months) == _calendar_outcome(
            slow_ym, start, months)
        for a, b in ((start, e), (e, start)):
            got = values.FUNCS["period_between"](a, b)
            assert type(got) is dates.Period and got == dates.months_between(a, b)


@settings(max_examples=300, deadline=None)
@given(start=st.none() | st.dates(), last=st.none() | st.dates(), repealed=st.none() | st.dates(), on=st.dates())
def test_undated_policy_in_force_range_is_window_check(start: datetime.date | None, last: datetime.date | None,
                                                       repealed: datetime.date | None, on: datetime.date) -> None:
    """Policy._in_force (an undated policy's state made without the cache) holds exactly the
    dates Window.check lets through."""
    from guize.runtime.errors import NotInForce
    from guize.runtime.policy import _in_force
    from guize.runtime.validity import Repealed, Window

    window = Window("t", None, start, last, Repealed(repealed, None, None) if repealed else None)
    first, final = _in_force(window)
    try:
        window.check(on)
        in_force = True
    except NotInForce:
        in_force = False
    assert (first <= on <= final) == in_force


def test_undated_policy_dates_around_its_window_and_a_repeal() -> None:
    """evaluate on an undated policy (state made without the cache) says what the reference
    interpreter says on the days around its start and a repeal, fixed and alternating dates."""
    from guize.runtime.errors import RuleError
    from guize.runtime.policy import Policy
    from guize.runtime.validity import Repealed

    loaded = guize.load(ROOT / "policies/national/annual_leave_2008.rule")
    assert loaded.module.DATED == ()
    policy = Policy(loaded.module, Repealed(datetime.date(2030, 7, 1), "废止令", None))
    data = {"累计工作时间": 130}
    days = [datetime.date(2007, 12, 31), datetime.date(2008, 1, 1), datetime.date(2030, 6, 30),
            datetime.date(2030, 7, 1), "2030-06-30", "2030-07-01"]

    def outcome(run: object, on: object) -> object:
        try:
            return run(data, on)  # type: ignore[operator]
        except RuleError as exc:
            return type(exc).__name__, exc.message

    for on in days + days[::-1] + [d for d in days for _ in range(2)]:
        assert outcome(policy.evaluate, on) == outcome(policy.interpret, on), on
    assert outcome(policy.evaluate, datetime.date(2030, 7, 1))[0] == "NotInForce"
    assert policy.evaluate(data, datetime.date(2030, 6, 30)) == {"年休假天数": 10}
