"""Scales written out in the generated code (compiler/scale_inline.py): the bracket shared by the
statements that apply one scale to one base, a zero base in place, the rounded deductions read
from a table made at import. Every value and error is the reference interpreter's (the
runtime's scale functions), digit for digit: zeros of either sign, bases below zero and beyond
the bound, a scale in which 0 falls in no bracket, each rounding mode, a statement that applies
the scale twice, one that applies it on some paths only, every output alone and together."""

from __future__ import annotations

import datetime
import inspect
from decimal import Decimal
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
  标题：《累进写出》
  施行日期：2024年1月1日

输入 所得：金额，可为负
输入 扣除：金额，默认 0元
输入 标志：是否，默认 否

表 甲表：超额累进
  不超过36000元的部分：3%
  超过36000元至144000元的部分：10%
  超过144000元的部分：20%

表 乙表：超额累进
  超过0元至1000.2元的部分：12.5%
  超过1000.2元至5000元的部分：17.25%
  超过5000元的部分：33.3%

定义 基数：金额，四舍五入到分，可为负 = 所得 - 扣除
定义 粗基数：金额，向下取整到元，可为负 = 所得 - 扣除

输出 税率甲：比率 = 适用税率(甲表，基数)
输出 税额甲：金额 = 累进计算(甲表，基数)
输出 扣除甲：金额 = 速算扣除数(甲表，基数)
输出 合计甲：金额，不舍入 = 累进计算(甲表，基数) + 速算扣除数(甲表，基数)
输出 条件甲：金额 = 若 标志 则 累进计算(甲表，基数) 否则 0元
输出 税率乙：比率 = 适用税率(乙表，基数)
输出 税额乙：金额，不舍入 = 累进计算(乙表，基数)
输出 扣除乙：金额 = 速算扣除数(乙表，基数)
输出 扣除乙下：金额，向下取整到分 = 速算扣除数(乙表，基数)
输出 扣除乙上：金额，向上取整到元 = 速算扣除数(乙表，基数)
输出 扣除乙原：金额，不舍入 = 速算扣除数(乙表，粗基数)
输出 税额乙粗：金额 = 累进计算(乙表，粗基数)
"""

OUTPUTS = ("税率甲", "税额甲", "扣除甲", "合计甲", "条件甲", "税率乙", "税额乙", "扣除乙", "扣除乙下", "扣除乙上",
           "扣除乙原", "税额乙粗")


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    return differential.load_rule(tmp_path_factory, "scales", RULE)


def outcome(run: Any, data: dict[str, Any], outputs: list[str] | None) -> Any:
    return differential.outcome(run, data, ON, outputs)


amounts = st.one_of(
    st.decimals(-10**6, 10**6, places=3, allow_nan=False, allow_infinity=False),
    st.decimals(-10**16, 10**16, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from([Decimal(0), Decimal("-0"), Decimal("0.00"), Decimal("-0.00"), Decimal("0.004"),
                     Decimal("-0.004"), Decimal("0.005"), Decimal("0.5"), Decimal("-0.5"), Decimal(36000),
                     Decimal("36000.005"), Decimal(144000), Decimal("1000.2"), Decimal("1000.005"),
                     Decimal(5000), Decimal("999999999999999.99"), Decimal(10**15), Decimal("1000000000000000.004")]))
asked = st.one_of(st.none(), st.lists(st.sampled_from(OUTPUTS), min_size=1, max_size=3, unique=True))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(income=amounts, less=st.sampled_from(["0", "0.00", "0.001", "36000", "1000.2"]), flag=st.booleans(),
       outputs=asked)
def test_every_value_is_the_interpreters(policy: guize.Policy, income: Decimal, less: str, flag: bool,
                                         outputs: list[str] | None) -> None:
    data = {"所得": str(income), "扣除": less, "标志": flag}
    assert outcome(policy.evaluate, data, outputs) == outcome(policy.interpret, data, outputs)


def test_zero_bases_of_either_sign(policy: guize.Policy) -> None:
    """A zero base is written out (not the runtime's call): values as the interpreter's, the sign
    of a negative zero kept where the runtime keeps it (the deduction x × rate − 0)."""
    for income, less in (("0", "0"), ("-0", "0"), ("-0.00", "0.00"), ("0.001", "0"), ("-0.001", "0"),
                         ("36000", "36000"), ("-0.004", "0.001")):
        data = {"所得": income, "扣除": less}
        got = outcome(policy.evaluate, data, None)
        assert got == outcome(policy.interpret, data, None), data
    negative = outcome(policy.evaluate, {"所得": "-0.001", "扣除": "0"}, ["扣除甲"])
    assert negative == {"扣除甲": "-0.00"}  # -0.00 × 3% − 0, rounded: the sign kept


def test_a_base_in_no_bracket_is_the_runtimes_error(policy: guize.Policy) -> None:
    """乙表 starts above 0: a zero base is in no bracket; the rate and the deduction are the
    runtime's error, the amount 0, as the interpreter says."""
    for output in ("税率乙", "扣除乙", "扣除乙原", "税额乙"):
        data = {"所得": "0"}
        assert outcome(policy.evaluate, data, [output]) == outcome(policy.interpret, data, [output])
    assert outcome(policy.evaluate, {"所得": "0"}, ["税率乙"])[1] == "EvaluationError"


def test_the_bracket_is_found_once_and_the_deductions_rounded_at_import(policy: guize.Policy) -> None:
    source = inspect.getsource(policy.module)
    out_all = " ".join(source[source.index("def out_all("):source.index("def out_subset(")].split())
    # One bisect for each scale and base, shared by the statements every path reaches; 条件甲
    # (on some paths only) finds its own.
    assert out_all.count("_K6qb(_K6qe, d_基数)") == 2 and out_all.count("_K12qb(_K12qe, d_基数)") == 1
    assert out_all.count("_K12qb(_K12qe, d_粗基数)") == 1
    # A zero base in place: no runtime call is reached for it where 0 falls in a bracket.
    assert "_K1 if d_基数 == _ZERO else _scales.rate(_K6, d_基数)" in out_all
    assert "(d_基数 * _K1 - _ZERO) if d_基数 == _ZERO else _scales.deduction(_K6, d_基数)" in out_all
    # Rounded deductions: a table per rounding, made at import in guize's context.
    for mode in ("_ROUND_HALF_UP", "_ROUND_FLOOR", "_ROUND_CEILING"):
        assert f", {mode}, _v.CONTEXT) for _d in _K12qd)" in source
    assert source.count("_v.CONTEXT) for _d in _K6qd)") == 1  # 扣除甲; 合计甲 is not rounded


def test_iit_finds_its_bracket_once() -> None:
    iit = guize.load(ROOT / "policies/national/iit_2019.rule")
    source = " ".join(inspect.getsource(iit.module.out_all).split())
    assert source.count("_K14qb(") == 1
    assert "_K14qd0[" in source and "d_应纳税所得额 == _ZERO" in source
    data = {"年收入额": "50000"}  # below the allowance: the base is zero
    assert iit.evaluate(data, ON) == iit.interpret(data, ON)
    assert {k: str(v) for k, v in iit.evaluate(data, ON).items()} == {
        "应纳税所得额": "0.00", "适用税率": "0.03", "应纳税额": "0.00", "速算扣除数": "0.00"}
