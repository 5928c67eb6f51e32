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
    from guize.runtime.values import CONTEXT

    assert S.deduction(fresh, x) == CONTEXT.subtract(CONTEXT.multiply(x, S.rate(fresh, x)), by_brackets(fresh, x))


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


def _contiguous(ends_in_upper: tuple[bool, ...]) -> S.ScaleValue:
    """IIT's ends, each upper end in its own bracket (True) or in the next (False)."""
    ends = [Decimal(36000), Decimal(144000), Decimal(300000)]
    lows = [None, *ends]
    highs = [*ends, None]
    rates = [Decimal("0.03"), Decimal("0.10"), Decimal("0.20"), Decimal("0.45")]
    return S.ScaleValue("excess", [(lo, i > 0 and not ends_in_upper[i - 1], hi, i < 3 and ends_in_upper[i], rate)
                                   for i, (lo, hi, rate) in enumerate(zip(lows, highs, rates, strict=True))])


def test_bracket_by_bisect_or_scan_is_the_bracket_the_base_falls_in() -> None:
    """Upper ends all inclusive (bisect_left), all exclusive (bisect_right) or mixed (a scan):
    at, just below and just above every end, the rate and amount are the bracket's by index."""
    cent = Decimal("0.01")
    for flags, side in (((True,) * 3, "bisect_left"), ((False,) * 3, "bisect_right"), ((True, False, True), None)):
        scale = _contiguous(flags)
        quick = S._quick(scale)
        assert quick is not None and getattr(quick[3], "__name__", None) == side
        for end in (Decimal(36000), Decimal(144000), Decimal(300000)):
            for x in (end - cent, end, end + cent, int(end)):
                assert S.rate(scale, x) == scale.brackets[scale.index(x)][4], (flags, x)
                assert S.amount(scale, x) == by_brackets(scale, x), (flags, x)
                assert S.deduction(scale, x) == x * S.rate(scale, x) - by_brackets(scale, x), (flags, x)
