"""Definitions of one enumeration folded into tables at compile time (compiler/enumfold.py), a
期间 wrapper left out of a definition only used in arithmetic (timefold.arith_defs), and no
divisor tests for a table of nonzero whole numbers (inline_calls.nonzero_whole): every output
alone and all together give what the reference interpreter gives, values, types and errors
(to_json: a division by zero names its dividend as the interpreter shows it)."""

from __future__ import annotations

import datetime
import inspect
from typing import Any

import differential
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize

ON = datetime.date(2025, 3, 1)

RULE = """\
文件：
  标题：《按类别》
  施行日期：2024年1月1日

类型 类别：甲、乙、丙

输入 类别：类别
输入 开始：日期
输入 人数：整数

表 基数：年龄 按 类别
  甲：60岁
  乙：55岁
  丙：50岁

表 目标：年龄 按 类别
  甲：63岁
  乙：58岁
  丙：55岁

表 步长：期间 按 类别
  甲：四个月
  乙：四个月
  丙：二个月

表 可为零的步长：期间 按 类别
  甲：四个月
  乙：0个月
  丙：二个月

参数 上限 = 40

定义 最多月数：整数 = (目标 - 基数) 每满 1个月
定义 两倍差：整数 = 最多月数 × 2 + 上限 最高 120
定义 混合：整数 = 最多月数 + 人数
定义 第几个月：期间 = 开始 - 2000年1月1日 + 1个月
定义 另一个第几个月：期间 = 开始 - 2000年1月1日 + 1个月
输出 序号：整数 = 向上取整(第几个月 ÷ 步长) 最高 最多月数
输出 两倍：整数 = 两倍差
输出 合计：整数 = 混合 + 最多月数
输出 可为零：整数 = 向下取整(另一个第几个月 ÷ 可为零的步长)
输出 月数：期间 = 第几个月 + 1个月
"""

OUTPUTS = ["序号", "两倍", "合计", "可为零", "月数"]


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    return differential.load_rule(tmp_path_factory, "enumfold", RULE)


def outcome(run: Any, data: dict[str, Any], outputs: list[str] | None = None) -> Any:
    return differential.outcome(run, data, ON, outputs, show=differential.with_types, error=lambda exc: ("error", exc.to_json()))


def test_written_as_tables(policy: guize.Policy) -> None:
    source = " ".join(inspect.getsource(policy.module.out_all).split())
    consts = inspect.getsource(policy.module).split("def ", 1)[0]
    assert "d_最多月数 = _K" in source and "[i_类别]" in source  # a table, not (目标 - 基数) // 1
    assert "{'甲': 36, '乙': 36, '丙': 60}" in consts  # computed at compile time
    assert "{'甲': 112, '乙': 112, '丙': 120}" in consts  # 36 × 2 + 40, 60 × 2 + 40 capped
    assert "d_混合 = (d_最多月数 + i_人数)" in source  # reads another input: not folded
    assert "d_目标 = " not in source and "d_基数 = " not in source  # only the folded tables read them
    # 第几个月 only divided by nonzero constants: no Period, no divisor tests
    assert "d_第几个月 = (((" in source and "_F_as_period((((" in source  # 另一个第几个月 keeps its Period
    assert "-(-d_第几个月 // d_步长) if d_第几个月.__class__ in _WHOLE and -_INT_LIMIT < d_第几个月 < _INT_LIMIT else" \
        in source
    assert "d_可为零的步长 and" in source  # a zero in the table: div_int's tests


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.one_of(st.sampled_from(["甲", "乙", "丙"]), st.sampled_from(["丁", 1, None])),
       start=st.one_of(st.dates(datetime.date(1990, 1, 1), datetime.date(2040, 12, 31)),
                       st.sampled_from([datetime.date(2000, 1, 1), datetime.date(1999, 12, 31)])),
       people=st.one_of(st.integers(-5, 500), st.sampled_from([10**16, "x"])))
def test_every_engine_agrees(policy: guize.Policy, kind: Any, start: datetime.date, people: Any) -> None:
    data = {"类别": kind, "开始": start, "人数": people}
    assert outcome(policy.evaluate, data) == outcome(policy.interpret, data)
    for output in OUTPUTS:
        assert outcome(policy.evaluate, data, [output]) == outcome(policy.interpret, data, [output])


def test_zero_divisor_names_the_period(policy: guize.Policy) -> None:
    got = outcome(policy.evaluate, {"类别": "乙", "开始": datetime.date(2001, 3, 1), "人数": 1}, ["可为零"])
    assert got[0] == "error" and got[1]["dividend"] == "1年3个月"
    assert got == outcome(policy.interpret, {"类别": "乙", "开始": datetime.date(2001, 3, 1), "人数": 1}, ["可为零"])
