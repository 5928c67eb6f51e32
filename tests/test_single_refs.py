"""Definitions read in one place are computed there without a memo (compiler/single_refs.py),
inputs prefetched are not marked `_U` first, and the key count of out_all and with_ functions
first tests whether every input read is given (codegen.function, inline_reads.counted_prefetch).
Every value and error, and the order errors are found in, stay the reference interpreter's."""

from __future__ import annotations

import datetime
import inspect
import re
from pathlib import Path
from typing import Any

import differential
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize

ON = datetime.date(2024, 6, 1)
ROOT = Path(__file__).resolve().parent.parent

RULE = """\
文件：
  标题：《一处引用》
  施行日期：2024年1月1日

输入 基数：金额
输入 开关：是否，默认 否
输入 甲：金额，默认 0元
输入 乙：整数（人），默认 0人
输入 期：期间，默认 0个月

定义 单用：金额 = 甲 × 2
定义 嵌套：金额 = 单用 + 基数
定义 两用：金额 = 甲 + 1元
定义 期满：是否 = 期 达到 12个月

输出 结果：金额 = 若 开关 则 嵌套 否则 基数
输出 两次：金额 = 若 开关 则 两用 + 两用 否则 基数
输出 人次：整数（人） = 若 开关 且 期满 则 乙 否则 0人
"""

OUTPUTS = ("结果", "两次", "人次")


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    return differential.load_rule(tmp_path_factory, "once", RULE)


def outcome(run: Any, data: dict[str, Any], outputs: list[str] | None) -> Any:
    return differential.outcome(run, data, ON, outputs)


def test_read_in_one_place_computed_there(policy: guize.Policy) -> None:
    source = " ".join(inspect.getsource(policy.module.out_all).split())
    assert "d_单用" not in source and "d_嵌套" not in source and "d_期满" not in source  # no memo, no local
    assert "d_两用 if d_两用 is not _U else (d_两用 :=" in source  # read twice: remembered
    marks = re.findall(r"^    (\w.*) = _U$", inspect.getsource(policy.module.out_all), re.M)
    assert marks == ["d_两用"]  # prefetched inputs are assigned there, not marked first
    # Every input read given: one len() and a test each, no sum.
    assert "if len(data) != 5 or i_开关 is _ABSENT or i_甲 is _U or i_乙 is _U or i_期 is _U:" in source
    subset = inspect.getsource(policy.module.out_subset)
    assert "d_单用 if d_单用 is not _U" in subset  # out_subset keeps its memos


values = st.one_of(st.sampled_from(["1.5", "0", "-1", "abc", 3, True, None, "12"]), st.integers(-2, 30))
keys = st.sampled_from(["基数", "开关", "甲", "乙", "期", "丙"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(keys, values, max_size=6), switch=st.booleans(),
       outputs=st.one_of(st.none(), st.lists(st.sampled_from(OUTPUTS), min_size=1, max_size=3, unique=True)))
def test_every_value_and_error_is_the_interpreters(policy: guize.Policy, data: dict[str, Any], switch: bool,
                                                    outputs: list[str] | None) -> None:
    data = {**data, "开关": switch} if "开关" not in data else data
    assert outcome(policy.evaluate, data, outputs) == outcome(policy.interpret, data, outputs)


def test_annual_leave_out_all_keeps_no_memo() -> None:
    leave = guize.load(ROOT / "policies/national/annual_leave_2008.rule")
    source = " ".join(inspect.getsource(leave.module.out_all).split())
    assert "d_事假过多" not in source and "d_病假过多" not in source and "d_病假界限" not in source
    assert not re.findall(r"^    (\w.*) = _U$", inspect.getsource(leave.module.out_all), re.M)
    data = {"累计工作时间": 130, "本年度病假累计": 3}
    assert leave.evaluate(data, ON) == leave.interpret(data, ON) == {"年休假天数": 0}
