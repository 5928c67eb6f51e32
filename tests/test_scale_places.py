"""Scales written out for a base with no fixed quantum (compiler/scale_inline.py, scale_places):
a base that is not rounded (累计预扣法's 累计预扣预缴应纳税所得额, a difference of inputs, an input)
takes the inline form when it is a multiple of 10**-k, tested in the generated code; any other
(more places, beyond the bound, zero or below) goes to the runtime's function, which falls back to
the sum bracket by bracket where x × rate − deduction would be inexact. Every value and error is
the reference interpreter's, as text (coefficient and exponent): bases with 2 to 30 places, long
texts whose value has few places (1.5000000000000000000), products that need more than 28 digits,
zeros of either sign, negative bases, bases beyond 10**15, per-month running bases."""

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
  标题：《累进不定位》
  施行日期：2024年1月1日

类型 月份收入：
  收入：金额
  扣除：金额，默认 0元

输入 所得：金额，可为负
输入 扣除：金额，默认 0元
输入 各月：月份收入的列表

表 甲表：超额累进
  不超过36000元的部分：3%
  超过36000元至144000元的部分：10%
  超过144000元的部分：20%

表 乙表：超额累进
  超过0元至1000.2元的部分：12.5%
  超过1000.2元至5000元的部分：17.25%
  超过5000元的部分：33.3%

定义 基数：金额，可为负 = 所得 - 扣除
定义 累计基数：金额，按 各月 逐月 = 取较大值(累计(收入 - 扣除)，0元)

输出 税率甲：比率 = 适用税率(甲表，基数)
输出 税额甲：金额，不舍入 = 累进计算(甲表，基数)
输出 扣除甲：金额，不舍入 = 速算扣除数(甲表，基数)
输出 扣除甲分：金额 = 速算扣除数(甲表，基数)
输出 税额乙：金额，不舍入 = 累进计算(乙表，基数)
输出 扣除乙：金额，不舍入 = 速算扣除数(乙表，所得)
输出 税额输入：金额，不舍入 = 累进计算(甲表，所得)
输出 各月税额：金额，不舍入，按 各月 逐月 = 累进计算(甲表，累计基数)
"""

OUTPUTS = ("税率甲", "税额甲", "扣除甲", "扣除甲分", "税额乙", "扣除乙", "税额输入", "各月税额")


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    return differential.load_rule(tmp_path_factory, "places", RULE)


def outcome(run: Any, data: dict[str, Any], outputs: list[str] | None) -> Any:
    return differential.outcome(run, data, ON, outputs)


# Texts whose value has more places than the test lets through, or as many as its exponent says
# but fewer in value, or products of more than 28 digits: each must take the runtime's path.
LONG = ["123456789.12345678901234567891", "999999999999.9999999999999999", "36000.0000000001",
        "144000.00000000000000000001", "1.5000000000000000000", "40000.00000000000000000000",
        "987654321012.123456789", "0.000000001", "0.0000000001", "1000.2000000000000000001",
        "5000.1234567", "5000.12345678", "535574.7740505901646030798391", "-0.000000000000000001", "-0", "-0.00", "0E-30"]
places = st.integers(0, 30)


@st.composite
def amounts(draw: Any, low: int = -10**6, high: int = 10**15 - 1) -> str:
    """A decimal text within the input range: some places, sometimes trailing zeros added."""
    if draw(st.integers(0, 5)) == 0:
        return str(draw(st.sampled_from(LONG)))
    k = draw(places)
    units = draw(st.integers(low * 10**k, high * 10**k))
    text = str(Decimal(units).scaleb(-k))
    if draw(st.booleans()) and "E" not in text:
        text += ("" if "." in text else ".") + "0" * draw(st.integers(1, 12))
    return text


months = st.lists(st.fixed_dictionaries({"收入": amounts(0, 10**12)}, optional={"扣除": amounts(0, 10**9)}),
                  max_size=6)
asked = st.one_of(st.none(), st.lists(st.sampled_from(OUTPUTS), min_size=1, max_size=3, unique=True))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(income=amounts(), less=st.one_of(st.sampled_from(["0", "0.00", "36000", "1000.2", "0.0000000005"]),
                                        amounts(0, 10**6)), each=months, outputs=asked)
def test_every_value_is_the_interpreters(policy: guize.Policy, income: str, less: str, each: list[Any],
                                         outputs: list[str] | None) -> None:
    data = {"所得": income, "扣除": less, "各月": each}
    assert outcome(policy.evaluate, data, outputs) == outcome(policy.interpret, data, outputs)


def test_bases_the_inline_form_must_leave_to_the_runtime(policy: guize.Policy) -> None:
    """Each of these bases has a product of more than 28 digits or a value with more places than
    the test allows; some are in the list's running sums. The interpreter's value, digit for digit."""
    for text in LONG:
        for less in ("0", "0.01", "36000"):
            data = {"所得": text, "扣除": less, "各月": [{"收入": text}, {"收入": text, "扣除": less}]}
            assert outcome(policy.evaluate, data, None) == outcome(policy.interpret, data, None), data
    # A base of 28 digits: x × 20% − 16920 rounds (the runtime sums bracket by bracket instead,
    # another value); the compiled value must be the interpreter's, not the rounded formula.
    base = "535574.7740505901646030798391"
    data = {"所得": base, "各月": [{"收入": base}]}
    got = outcome(policy.evaluate, data, ["税额甲", "各月税额"])
    assert got == outcome(policy.interpret, data, ["税额甲", "各月税额"])
    formula = Decimal(base) * Decimal("0.20") - Decimal("16920")
    assert got["税额甲"] != str(formula) and got["税额甲"] == "90194.95481011803292061596782"


def test_the_inline_form_is_written_with_its_test(policy: guize.Policy) -> None:
    source = " ".join(inspect.getsource(policy.module).split())
    out_all = source[source.index("def out_all("):source.index("def out_subset(")]
    # 甲表 (3%, 10%, 20%) fits 9 places under 10**15 in 28 digits; 乙表 (33.3%, 17.25%) fits 7.
    assert "_K6qm and d_基数 == d_基数.quantize(_K14)" in out_all and "_K14 = Decimal('1E-9')" in source
    assert "i_所得 == i_所得.quantize(_K18)" in out_all and "_K18 = Decimal('1E-7')" in source
    assert out_all.count("_K6qb(_K6qe, d_基数)") == 1  # shared by 税率甲, 税额甲, 扣除甲, 扣除甲分
    assert "_scales.amount(_K6, _t" in out_all  # the per-month base: the runtime beyond the test


def test_withholding_takes_the_inline_form() -> None:
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    policy = guize.load(root / "policies/national/iit_withholding_2019.rule")
    source = inspect.getsource(policy.module.out_all)
    assert ".quantize(_K" in source and "_K13qb(_K13qe, " in source
    months = [{"工资薪金收入": w, "专项扣除": "4500.5"} for w in ("30000", "30000.001", "0", "200000.123456789012",
                                                            "99999999.99", "1.5000000000000000000")]
    for k in range(len(months) + 1):
        data = {"各月": months[:k]}
        assert differential.answers(policy, data, ON)[0] == differential.answers(policy, data, ON)[1]
