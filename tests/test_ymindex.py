"""Year-months held as month indices in the generated code (compiler/ymindex.py) give what the
YearMonth objects give: values, their types, and errors (the calendar's ends included), checked
against the reference interpreter for every output alone and for all of them."""

from __future__ import annotations

import datetime
import inspect
from pathlib import Path
from typing import Any

import differential
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize

ON = datetime.date(2025, 3, 1)

RULE = """\
文件：
  标题：《年月序号》
  施行日期：2024年1月1日

类型 类别：甲、乙

输入 出生日期：日期
输入 类别：类别
输入 月数：期间

表 起始年月：年月 按 类别
  甲：1965年1月
  乙：1970年1月

定义 出生年月：年月 = 年月(出生日期)
定义 第几个月：期间 = 出生年月 - 起始年月 + 1个月
定义 另一年月：年月 = 年月(出生日期)
输出 序号：整数 = 向上取整(第几个月 ÷ 4个月)
输出 到期年月：年月 = 出生年月 + 月数
输出 较早年月：年月
  若 出生年月 + 月数 < 出生年月 + 5年 则 出生年月 + 5年
  否则 出生年月 + 月数
输出 年份月份：整数 = 年份(出生年月) × 100 + 月份(出生年月)
输出 仍是年月：年月 = 另一年月
输出 再过三年：年月 = 到期年月 + 3年
输出 到期年份：整数 = 年份(到期年月)
输出 较晚年月：年月
  若 到期年月 - 3年 < 出生年月 + 5年 则 出生年月 + 5年
  否则 到期年月 - 3年
"""

OUTPUTS = ["序号", "到期年月", "较早年月", "年份月份", "仍是年月", "再过三年", "到期年份", "较晚年月"]


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    return differential.load_rule(tmp_path_factory, "ymindex", RULE)


def outcome(run: Any, data: dict[str, Any], outputs: list[str] | None = None) -> Any:
    return differential.outcome(run, data, ON, outputs, show=differential.with_types)


def test_held_as_indices(policy: guize.Policy) -> None:
    source = " ".join(inspect.getsource(policy.module.out_all).split())
    assert "d_出生年月 = i_出生日期.year * 12 + i_出生日期.month - 1" in source
    assert "_K" in source and "(d_出生年月 - d_起始年月) + 1" in source  # a table of indices, a difference
    # 到期年月 (an output) is a YearMonth, its index kept beside it for the outputs computed from it
    assert "(d_到期年月_月序号 := d_出生年月 + i_月数)" in source and "_F_year_month_add(_ym_of(d_出生年月)" in source
    assert "(d_到期年月_月序号 // 12)" in source and "(_t" in source.split("d_再过三年 =")[1].split("#")[0]
    # 若 … 则 … 否则 … of year-months: compared as indices, one YearMonth built for the choice
    assert source.split("d_较晚年月 =")[1].startswith(" _YearMonth((_t")
    assert "(d_出生年月 // 12)" in source and "(d_出生年月 % 12 + 1)" in source
    # returned as it is: a YearMonth, as before
    assert "d_另一年月 = _YearMonth(i_出生日期.year, i_出生日期.month, 1)" in source
    # 出生年月 + 5年 is computed once by the comparison (the same code for the same sum)
    assert source.count("d_出生年月 + 60)") == 2  # 较早年月, 较晚年月


births = st.one_of(st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)),
                   st.sampled_from([datetime.date(1, 1, 1), datetime.date(9999, 12, 31), datetime.date(1965, 1, 31),
                                    datetime.date(1964, 12, 1), datetime.date(9995, 1, 1)]))
months = st.one_of(st.integers(-1000, 1000), st.integers(-130_000, 130_000), st.sampled_from([0, 59, 60, 61, -24000]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(born=births, kind=st.sampled_from(["甲", "乙"]), count=months)
def test_every_engine_agrees(policy: guize.Policy, born: datetime.date, kind: str, count: int) -> None:
    data = {"出生日期": born, "类别": kind, "月数": count}
    assert outcome(policy.evaluate, data) == outcome(policy.interpret, data)
    for output in OUTPUTS:
        assert outcome(policy.evaluate, data, [output]) == outcome(policy.interpret, data, [output])
    for pair in (["序号", "较早年月"], ["到期年份", "较晚年月"], ["到期年月", "再过三年"]):
        assert outcome(policy.evaluate, data, pair) == outcome(policy.interpret, data, pair)


def test_the_calendar_ends(policy: guize.Policy) -> None:
    """Beyond year 9999 or before year 1: the runtime's error, naming the same year-month."""
    late = outcome(policy.evaluate, {"出生日期": datetime.date(9999, 5, 1), "类别": "甲", "月数": 12}, ["到期年月"])
    assert late == outcome(policy.interpret, {"出生日期": datetime.date(9999, 5, 1), "类别": "甲", "月数": 12},
                           ["到期年月"])
    assert late[0] == "error" and "9999年5月" in late[2]
    early = {"出生日期": datetime.date(1, 3, 1), "类别": "乙", "月数": -3}
    assert outcome(policy.evaluate, early, ["较早年月"]) == outcome(policy.interpret, early, ["较早年月"])
    assert outcome(policy.evaluate, early, ["较早年月"])[0] == "error"  # 出生年月 + 月数: a date before year 1


def test_retirement_age_uses_indices() -> None:
    root = Path(__file__).resolve().parent.parent
    retirement = guize.load(root / "policies/national/retirement_age_2025.rule")
    source = " ".join(inspect.getsource(retirement.module.out_all).split())
    assert "d_出生年月 = i_出生日期.year * 12 + i_出生日期.month - 1" in source
    assert "_YearMonth(i_出生日期" not in source


@pytest.mark.parametrize("data", [
    {"出生日期": "1970-05-01", "人员类别": "男职工"},
    {"出生日期": "1970-05-01", "人员类别": "男职工", "别的": 1},  # an unknown name beside both inputs
    {"出生日期": "1970-05-01", "别的": 1},  # as many keys, one of them unknown: the missing input wins
    {"人员类别": "男职工"},
    {},
])
def test_subset_counts_the_keys(data: dict[str, Any]) -> None:
    """out_subset of a policy whose inputs are all required and read under one flag counts the
    keys instead of building their set: the same values and errors as the interpreter."""
    root = Path(__file__).resolve().parent.parent
    retirement = guize.load(root / "policies/national/retirement_age_2025.rule")
    source = " ".join(inspect.getsource(retirement.module.out_subset).split())  # (a long line is wrapped)
    assert ("if not (_n0 and len(data) == 2) and not INPUT_NAMES.issuperset(data) or not _n0 and data.__class__ is not"
            " dict:") in source
    for asked in (["改革后法定退休年龄", "退休年月"], ["最晚弹性退休年月", "延迟月数"], []):
        assert outcome(retirement.evaluate, data, asked) == outcome(retirement.interpret, data, asked)
