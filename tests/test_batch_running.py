"""累计 of a constant (k × the item's place in its row, no cumulative sum) and the increments of a
running maximum in several slices of rows (each_increment, values near the int64 limit): the
columnar list code against the compiled scalar path and the reference interpreter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.runtime.errors import RuleError

pa = pytest.importorskip("pyarrow")

ON = dt.date(2024, 6, 1)
POLICY = """文件：
  标题：《累计常数》
  施行日期：2000年1月1日

类型 一项：
  数额：金额

输入 各项：一项的列表

输出 至今：金额，按 各项 逐项 = 累计(100元)
输出 此前：金额，按 各项 逐项 = 累计(2.5元，至 上月)
输出 超出：金额，按 各项 逐项 = 取较大值(累计(数额) - 累计(50元) - 累计(超出，至 上月)，0元)
"""
ITEM = pa.struct([("数额", pa.decimal128(18, 2))])


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("running") / "running.rule"
    path.write_text(POLICY, encoding="utf-8")
    return guize.load(path, corpus=False)


def _want(policy: guize.Policy, items: list[dict[str, Decimal]]) -> Any:
    answers = []
    for run in (policy.evaluate, policy.interpret):
        try:
            answers.append(run({"各项": items}, ON))
        except RuleError as exc:
            answers.append(exc.message)
    assert answers[0] == answers[1]
    return answers[0]


def _check(policy: guize.Policy, rows: list[list[dict[str, Decimal]]]) -> None:
    result = policy.evaluate_batch(pa.table({"各项": pa.array(rows, type=pa.list_(ITEM))}), ON)
    assert policy.batch.program["fallback"] == {}
    for items, got in zip(rows, result.to_pylist(), strict=True):
        want = _want(policy, items)
        if isinstance(want, str):
            assert got["错误"] == want
        else:
            assert got["错误"] is None and {k: tuple(got[k]) for k in want} == want


amount = st.decimals(min_value=0, max_value=10**6, places=2)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.fixed_dictionaries({"数额": amount}), max_size=7), min_size=1, max_size=9))
def test_running_constants_and_increments_agree(policy: guize.Policy, rows: list[list[dict[str, Decimal]]]) -> None:
    _check(policy, rows)


def test_increments_of_huge_values_in_slices_of_rows(policy: guize.Policy) -> None:
    # Values near 10**17 cents: lifting each row above the last fits int64 for a few rows at a
    # time only, so each_increment works through the rows in slices.
    big = Decimal("999999999999999.99")
    rows = [[{"数额": big}, {"数额": Decimal(0)}, {"数额": big - k}] for k in range(40)] + [[]]
    _check(policy, rows)
