"""Columnar shortcuts of this branch agree with the calendar and with the scalar path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")

import guize  # noqa: E402

FIRST = dt.date(1, 1, 1).toordinal() - dt.date(1970, 1, 1).toordinal()
LAST = dt.date(9999, 12, 31).toordinal() - dt.date(1970, 1, 1).toordinal()


def _years(days: Any, block_rows: int) -> list[int]:
    """年份 of a column of day numbers as a chunk computes it: eagerly (block_rows 0) or in a kernel."""
    from guize.runtime.batchops import Chunk
    from guize.runtime.kernel import EAGER, Recorder

    def alloc(m: int, dtype: Any) -> Any:
        return np.empty(m, dtype=dtype)

    n = len(days)
    k = Recorder(n) if block_rows else EAGER
    year = Chunk({}, n, lambda _c, _name: None, days, [], k=k).call("year", days)
    if isinstance(year.v, int):  # one year for every row
        return [year.v] * n
    if isinstance(k, Recorder):
        out = k.materialize(year.v, alloc)
        k.run(alloc, block_rows)
        return list(out.tolist())
    return list(year.v.tolist())


@settings(max_examples=200, deadline=None)
@given(start=st.integers(FIRST, LAST), span=st.sampled_from([0, 1, 365, 366, 3000, 10**6]),
       dtype=st.sampled_from(["int32", "int64"]), seed=st.integers(0, 2**32 - 1),
       block_rows=st.sampled_from([0, 7, 64]))
def test_year_of_day_numbers(start: int, span: int, dtype: str, seed: int, block_rows: int) -> None:
    """年份 of a date column: the years it spans found from its range, each row's year by a
    comparison with each new year's day (a binary search among many), in a kernel or not."""
    top = min(start + span, LAST)
    days = np.random.default_rng(seed).integers(start, top + 1, 500).astype(dtype)
    epoch = dt.date(1970, 1, 1).toordinal()
    want = [dt.date.fromordinal(int(d) + epoch).year for d in days]
    assert _years(days, block_rows) == want


def test_year_of_the_evaluation_date_per_row() -> None:
    """textile's 疆内使用率未达标 reads 年份(评估日期) twice, on a date per row."""
    policy = guize.load("policies/xinjiang/textile_2024.rule")
    base = {"在疆注册": True, "在册职工人数": 50, "水重复利用率": "0.5", "印染废水排放量": "100"}
    days = [dt.date(2024, 1, 1), dt.date(2024, 12, 31), dt.date(2025, 1, 1), dt.date(2025, 6, 30),
            dt.date(2026, 1, 1), dt.date(2027, 12, 31)]
    uses = ["0.4", "0.6", "0.6", "0.75", "0.1", "0.1"]
    table = pa.table({**{k: [v] * len(days) for k, v in base.items()},
                      "疆内使用率": uses, "日期": pa.array(days, pa.date32())})
    got = policy.evaluate_batch(table, "日期", outputs=["印染废水处理补贴"]).column("印染废水处理补贴").to_pylist()
    want = [policy.evaluate({**base, "疆内使用率": u}, d, ["印染废水处理补贴"])["印染废水处理补贴"]
            for d, u in zip(days, uses, strict=True)]
    assert got == want and len(set(got)) > 1
