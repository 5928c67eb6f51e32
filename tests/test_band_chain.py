"""Tables by bands written as a chain of upper ends when the bands follow one another
(compiler/bandcode.py): the same band, value and error as the reference interpreter for every
subject, at and around every bound, inclusive or not; a table with a gap or without 其他
below its first band keeps each band's test; only the chosen band's value is computed (乙's
last band divides by 除数, which may be 0)."""

from __future__ import annotations

import datetime
import inspect
from decimal import Decimal
from typing import Any

import differential
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize

ON = datetime.date(2024, 6, 1)
RULE = """\
文件：
  标题：《分段》
  施行日期：2024年1月1日

输入 收入：金额，可为负
输入 月数：期间
输入 除数：整数，默认 1

表 甲：整数 按 收入 分段
  不超过1000元：1
  超过1000元至2000.5元：2
  超过2000.5元：3

表 乙：金额 按 收入 分段
  1000元以上不满2000元：10元
  2000元以上：20元 ÷ 除数
  其他：0元

表 丙：整数 按 月数 分段
  已满一年不满十年：5
  已满十年不满二十年：10
  其他：0

表 丁：整数 按 收入 分段
  不超过1000元：1
  超过3000元：3
  其他：2

表 戊：整数 按 收入 分段
  超过0元至10元：1
  超过10元至20元：2

输出 甲值：整数 = 甲
输出 乙值：金额 = 乙
输出 丙值：整数 = 丙
输出 丁值：整数 = 丁
输出 戊值：整数 = 戊
"""
OUTPUTS = ("甲值", "乙值", "丙值", "丁值", "戊值")


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    return differential.load_rule(tmp_path_factory, "bands", RULE)


def outcome(run: Any, data: dict[str, Any], outputs: list[str] | None) -> Any:
    return differential.outcome(run, data, ON, outputs)


def test_chained_bands_are_one_comparison_each(policy: guize.Policy) -> None:
    source = " ".join(inspect.getsource(policy.module.out_all).split())
    assert "d_丙 = (0 if (_t3 := i_月数) < 12 else 5 if _t3 < 120 else 10 if _t3 < 240 else 0)" in source
    assert "d_甲 = (1 if (_t1 := i_收入) <= _K0 else 2 if _t1 <= _K1 else 3)" in source
    assert "_K6 < _t4" in source and "and _t5 <=" in source  # a gap; no 其他 below the first band


bounds = [Decimal(b) for b in ("0", "10", "20", "1000", "2000", "2000.5", "3000")]
incomes = st.one_of(st.sampled_from(bounds), st.sampled_from([b + d for b in bounds for d in (Decimal("-0.01"),
                    Decimal("0.01"))]), st.decimals(-5000, 5000, places=2, allow_nan=False, allow_infinity=False))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(income=incomes, months=st.one_of(st.integers(0, 300), st.sampled_from([11, 12, 119, 120, 239, 240])),
       divisor=st.sampled_from([1, 0, 3]), outputs=st.one_of(st.none(), st.lists(st.sampled_from(OUTPUTS), min_size=1,
                                                                                   max_size=2, unique=True)))
def test_every_band_is_the_interpreters(policy: guize.Policy, income: Decimal, months: int, divisor: int,
                                        outputs: list[str] | None) -> None:
    data = {"收入": str(income), "月数": months, "除数": divisor}
    assert outcome(policy.evaluate, data, outputs) == outcome(policy.interpret, data, outputs)
