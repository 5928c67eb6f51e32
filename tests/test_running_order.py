"""累计 over items keyed by a 年月 or 日期: the items must come in time order, in every engine.

累计 adds the items in the order given (docs/language.md §10). When the items carry their month
as the key, an item out of order would silently give the sums of other months: it is an input
error instead, the same in the compiled scalar path, the reference interpreter and batch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import guize
from guize.runtime.errors import RuleError

pa = pytest.importorskip("pyarrow")

HEADER = "文件：\n  标题：《逐月累计》\n  施行日期：2019年1月1日\n"
KEYED = HEADER + """
类型 月度：
  月份：年月，主键
  收入：金额

类型 按日：
  到账日：日期，主键
  收入：金额

输入 各月：月度的列表
输入 各日：按日的列表

输出 累计收入：金额，按 各月 逐月 = 累计(收入)
输出 各日收入：金额，按 各日 逐项 = 收入
"""
ON = dt.date(2019, 12, 31)
MONTH = pa.struct([("月份", pa.date32()), ("收入", pa.decimal128(18, 2))])
DAY = pa.struct([("到账日", pa.date32()), ("收入", pa.decimal128(18, 2))])


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    p = tmp_path_factory.mktemp("order") / "keyed.rule"
    p.write_text(KEYED, encoding="utf-8")
    return guize.load(p, corpus=False)


def months(*ms: int) -> list[dict[str, Any]]:
    return [{"月份": f"2019-{m:02d}", "收入": m * 100} for m in ms]


def test_months_out_of_order_are_an_input_error(policy: guize.Policy) -> None:
    data = {"各月": months(1, 3, 2), "各日": []}
    for run in (policy.evaluate, policy.interpret):
        with pytest.raises(RuleError) as err:
            run(data, on=ON)
        assert err.value.message == ("输入「各月」第3项的「月份」（2019年2月）早于第2项的（2019年3月）；"
                                     "「累计」按各项的先后相加，各项应按「月份」从早到晚排列")
    in_order = policy.evaluate({"各月": months(1, 2, 3), "各日": []}, on=ON)["累计收入"]
    assert list(in_order) == [Decimal("100.00"), Decimal("300.00"), Decimal("600.00")]


def test_a_list_no_running_sum_reads_may_come_in_any_order(policy: guize.Policy) -> None:
    days = [{"到账日": "2019-03-01", "收入": 1}, {"到账日": "2019-01-01", "收入": 2}]
    assert list(policy.evaluate({"各月": [], "各日": days}, on=ON)["各日收入"]) == [Decimal("1.00"), Decimal("2.00")]


def test_without_a_time_key_the_order_given_is_the_order(tmp_path: Path) -> None:
    p = tmp_path / "plain.rule"
    p.write_text(HEADER + "类型 月度：\n  收入：金额\n输入 各月：月度的列表\n"
                 "输出 累计收入：金额，按 各月 逐月 = 累计(收入)\n", encoding="utf-8")
    policy = guize.load(p, corpus=False)
    got = policy.evaluate({"各月": [{"收入": 3}, {"收入": 1}]}, on=ON)["累计收入"]
    assert list(got) == [Decimal("3.00"), Decimal("4.00")]


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(st.integers(1, 12), max_size=4), min_size=1, max_size=5))
def test_compiled_reference_and_batch_agree(policy: guize.Policy, rows: list[list[int]]) -> None:
    table = pa.table({
        "各月": pa.array([[{"月份": dt.date(2019, m, 1), "收入": Decimal(m * 100)} for m in r] for r in rows],
                         type=pa.list_(MONTH)),
        "各日": pa.array([[] for _ in rows], type=pa.list_(DAY))})
    got = policy.evaluate_batch(table, on=ON).to_pylist()
    for r, g in zip(rows, got, strict=True):
        data = {"各月": months(*r), "各日": []}
        try:
            want = policy.evaluate(data, on=ON)
        except RuleError as exc:
            with pytest.raises(RuleError) as again:
                policy.interpret(data, on=ON)
            assert again.value.message == exc.message == g["错误"]
            continue
        assert want == policy.interpret(data, on=ON)
        assert [v for _k, v in g["累计收入"]] == list(want["累计收入"]) and g["错误"] is None
