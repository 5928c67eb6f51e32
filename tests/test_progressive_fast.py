"""累进计算 as x × rate − quick deduction (guize.runtime.scales): the same value as the sum
bracket by bracket, for every base, and the sum where the product would have to round."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import guize
from guize.runtime import scales as S

IIT = S.ScaleValue("excess", [(None, False, Decimal(36000), True, Decimal("0.03")),
                              (Decimal(36000), False, Decimal(144000), True, Decimal("0.10")),
                              (Decimal(144000), False, Decimal(300000), True, Decimal("0.20")),
                              (Decimal(300000), False, None, False, Decimal("0.45"))])


def by_brackets(scale: S.ScaleValue, x: Decimal) -> Decimal:
    return sum((amount for _i, _base, _rate, amount in scale.parts(x)), Decimal(0))


@settings(max_examples=400, deadline=None)
@given(x=st.one_of(st.decimals(-1000, 10**14, places=2), st.sampled_from(
    [Decimal(36000), Decimal("36000.01"), Decimal(144000), Decimal(300000), Decimal(0), Decimal("0.01")])))
def test_quick_deduction_equals_the_sum_by_brackets(x: Decimal) -> None:
    fresh = S.ScaleValue(IIT.kind, IIT.brackets)
    assert S.amount(fresh, x) == by_brackets(fresh, x)
    assert fresh.quick is not None  # the fast form was used
    rate = S.rate(fresh, x)
    assert S.deduction(fresh, x) == x * rate - by_brackets(fresh, x)


def test_a_product_that_must_round_takes_the_sum() -> None:
    fresh = S.ScaleValue(IIT.kind, IIT.brackets)
    x = Decimal("123456789012345.123456789012345")  # 30 digits: x × 45% cannot be exact
    assert S._amount_quick(fresh, x) is None
    assert S.amount(fresh, x) == by_brackets(fresh, x)


def test_scales_with_gaps_or_overlaps_are_not_regrouped() -> None:
    gap = S.ScaleValue("excess", [(None, False, Decimal(10), True, Decimal("0.1")),
                                  (Decimal(20), False, None, False, Decimal("0.2"))])
    assert S._quick(gap) is None
    whole = S.ScaleValue("whole", IIT.brackets)
    assert S._quick(whole) is None


def test_iit_every_engine_agrees() -> None:
    policy = guize.load("policies/national/iit_2019.rule")
    incomes = ["0", "96000", "96000.01", "204000", "360000", "1260000.55", "123456789.99"]
    for income in incomes:
        data = {"年收入额": income, "专项扣除": "1000.5"}
        assert policy.evaluate(data, "2024-03-01") == policy.interpret(data, "2024-03-01")
    import pyarrow as pa

    table = pa.table({"年收入额": pa.array([Decimal(v) for v in incomes], pa.decimal128(18, 2)),
                      "专项扣除": pa.array([Decimal("1000.5")] * len(incomes), pa.decimal128(18, 2))})
    rows = policy.evaluate_batch(table, dt.date(2024, 3, 1)).to_pylist()
    for income, row in zip(incomes, rows, strict=True):
        want = policy.evaluate({"年收入额": income, "专项扣除": "1000.5"}, "2024-03-01")
        assert {k: row[k] for k in want} == want
