"""Policy.evaluate of a policy without dated values and without Decimal arithmetic (policy._Undated):
a date object in force goes straight to the generated function with the state (on, None). Every
outcome, value or error, is the reference interpreter's and Policy.evaluate's general path's
(Policy.evaluate called on the same object): dates before, on and after the days in force, text
dates, known_on, outputs None, the same list again, another list, a list changed in place, bad
and missing inputs, unknown names, a bad outputs argument; and errors keep their .rule frames."""

from __future__ import annotations

import datetime
import traceback
from pathlib import Path
from typing import Any

import differential
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.runtime import policy as P

ROOT = Path(__file__).resolve().parent.parent

RULE = """\
文件：
  标题：《限期办法》
  施行日期：2024年1月1日
  有效期：两年

输入 工龄：期间
输入 天数：整数（天），默认 0天
输入 病休：是否，默认 否

表 假期：整数（天） 按 工龄 分段
  已满一年不满十年：5天
  已满十年：10天
  其他：0天

输出 应休：整数（天） = 假期
输出 可休：整数（天） = 若 病休 或 天数 > 应休 则 0天 否则 应休 - 天数
"""


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    return differential.load_rule(tmp_path_factory, "undated", RULE)


def general(policy: guize.Policy) -> Any:
    """Policy.evaluate's general path on the same object."""
    return lambda data, on, outputs=None, known_on=None: P.Policy.evaluate(policy, data, on, outputs, known_on)


def outcomes(policy: guize.Policy, data: Any, on: Any, outputs: Any) -> list[Any]:
    runs = (policy.evaluate, general(policy), policy.interpret)
    return [differential.outcome(run, data, on, outputs, show=differential.with_types) for run in runs]


def test_the_fast_path_is_taken_where_it_may() -> None:
    for name, fast in (("annual_leave_2008", True), ("retirement_age_2025", True), ("iit_2019", False),
                       ("special_deductions_2022", False)):
        assert isinstance(guize.load(ROOT / f"policies/national/{name}.rule"), P._Undated) is fast, name


days = st.dates(datetime.date(2023, 12, 1), datetime.date(2026, 2, 1))
values = st.one_of(st.integers(-3, 300), st.sampled_from(["12", "5年", 1.5, None, True, "x"]))
records = st.dictionaries(st.sampled_from(["工龄", "天数", "病休", "别的"]), st.one_of(values, st.booleans()), max_size=4)
asked = st.sampled_from([None, ["应休"], ["可休"], ["可休", "应休"], ["应休", "可休"], ["没有"], "应休", 3, []])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=records, on=days, outputs=asked, text=st.booleans())
def test_every_outcome_is_the_interpreters(policy: guize.Policy, data: dict[str, Any], on: datetime.date,
                                           outputs: Any, text: bool) -> None:
    assert isinstance(policy, P._Undated)
    when: Any = on.isoformat() if text else on
    for _ in range(2):  # the second time: the same list object, as the last one asked for
        got = outcomes(policy, data, when, outputs)
        assert got[0] == got[1], (data, when, outputs)
        if outputs != 3:  # (not a list: evaluate finds an unknown input first, the interpreter the argument)
            assert got[1] == got[2], (data, when, outputs)


def test_the_last_days_and_a_list_changed_in_place(policy: guize.Policy) -> None:
    data = {"工龄": 130, "天数": 3}
    for on in (datetime.date(2023, 12, 31), datetime.date(2024, 1, 1), datetime.date(2025, 12, 31),
               datetime.date(2026, 1, 1)):
        assert outcomes(policy, data, on, None)[0] == outcomes(policy, data, on, None)[2], on
    ask = ["应休"]
    on = datetime.date(2024, 6, 1)
    assert policy.evaluate(data, on, ask) == {"应休": 10}
    ask.append("可休")  # the same object, another list: not the plan of the last call
    assert policy.evaluate(data, on, ask) == {"应休": 10, "可休": 7} == policy.interpret(data, on, ask)
    assert policy.evaluate(data, on, ask, known_on=on) == policy.interpret(data, on, ask, known_on=on)


def test_errors_keep_their_rule_frames(policy: guize.Policy, tmp_path_factory: pytest.TempPathFactory) -> None:
    on = datetime.date(2024, 6, 1)
    for outputs in (None, ["可休"]):
        policy.evaluate({"工龄": 1}, on, outputs)  # (the list is the last one asked for)
        with pytest.raises(guize.RuleError) as info:
            policy.evaluate({"工龄": 1, "天数": "三"}, on, outputs)
        shown = traceback.extract_tb(info.value.__traceback__)
        assert not any("Traceback" in str(f) for f in shown)
        with pytest.raises(guize.RuleError) as missing:
            policy.evaluate({"天数": 1}, on, outputs)
        assert "工龄" in missing.value.message
