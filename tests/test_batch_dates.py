"""Batch = compiled scalar = reference interpreter with a date per row: versions chosen in the
kernel (consecutive versions: batchops.Steps), across version boundaries, gaps between versions
and a repeal (per-row NotInForce errors); 年份 of the date column over a few years and many;
band tables looked up by the band's index (Chunk.banded)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")

import guize  # noqa: E402
from guize.runtime import batch as B  # noqa: E402
from guize.runtime.errors import NotInForce, RuleError  # noqa: E402

RULE = """\
文件：
  标题：《按日批量测试》
  文号：测试令第1号
  施行日期：2020年1月1日

输入 金额：金额
输入 工龄：期间
输入 人数：整数（人）
输入 比例：比率

参数 单价：金额/人
  自2020年1月1日起：10元/人
  自2022年7月1日起：12.5元/人
  自2024年1月1日起：15元/人
定义 系数：比率
  自2020年1月1日起：比例 最高 200%
  自2023年3月1日起：50%
参数 临时标准：金额
  自2020年1月1日起至2020年12月31日止：100元
  自2022年1月1日起：120元
表 工龄档：整数 按 工龄 分段
  不满一年：0
  已满一年 不满十年：5
  已满十年 不满二十年：10
  已满二十年：15
表 金额档：比率 按 金额 分段
  100元至1000.005元（不含1000.005元）：10%
  1000.005元至5000元：20%
  5000元至9000元（不含5000元）：30%
输出 补贴：金额，四舍五入到分 = 单价 × 人数 × 系数
输出 档：整数 = 工龄档
输出 金额比率：比率 = 金额档
输出 年度差：整数 = 年份(评估日期) - 2020
输出 临时：金额 = 临时标准
"""

REPEAL = """\
文件：
  标题：《关于废止〈按日批量测试〉的决定》
  文号：测试令第2号
  施行日期：2026年1月1日
  废止：《按日批量测试》
"""


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    folder = tmp_path_factory.mktemp("dates")
    (folder / "rule.rule").write_text(RULE, encoding="utf-8")
    (folder / "repeal.rule").write_text(REPEAL, encoding="utf-8")
    return guize.load(folder / "rule.rule")


def check(policy: guize.Policy, table: Any, on: Any, outputs: list[str] | None = None,
          block_rows: int = 7) -> Any:
    """Every row of the batch result equals the compiled scalar path and the reference
    interpreter on that row (the value, or the same error)."""
    result = B.evaluate_batch(policy, table, on, outputs, block_rows=block_rows)
    names = result.schema.names[:-1]
    for i, (row, got) in enumerate(zip(table.to_pylist(), result.to_pylist(), strict=True)):
        date = row[on] if isinstance(on, str) else on
        data = {k: v for k, v in row.items() if v is not None and k != "日期"}
        try:
            want = policy.evaluate(data, date, outputs)
        except RuleError as exc:
            with pytest.raises(type(exc)) as ref:
                policy.interpret(data, date, outputs)
            assert ref.value.message == exc.message
            assert got["错误"] == exc.message, (i, row, got)
            assert all(got[k] is None for k in names), (i, row, got)
            continue
        assert policy.interpret(data, date, outputs) == want, (i, row)
        assert got["错误"] is None, (i, row, got)
        assert {k: got[k] for k in names} == {k: want[k] for k in names}, (i, row, got, want)
    return result


def dates(*texts: str) -> list[dt.date]:
    return [dt.date.fromisoformat(t) for t in texts]


def test_versions_across_their_boundaries_in_the_kernel(policy: guize.Policy) -> None:
    days = dates("2022-06-30", "2022-07-01", "2023-02-28", "2023-03-01", "2023-12-31", "2024-01-01",
                 "2025-12-31", "2022-01-01")
    n = len(days)
    table = pa.table({"金额": pa.array([Decimal("1500.00")] * n), "工龄": pa.array([30] * n),
                      "人数": pa.array([3] * n), "比例": pa.array([Decimal("1.5")] * n), "日期": pa.array(days, pa.date32())})
    plan = policy.batch.plan(table.schema, "日期", ["补贴", "临时"])
    from guize.runtime.batchdates import chunk_dates
    from guize.runtime.kernel import Steps

    columns = {name: B.one_column(table, name) for name in table.schema.names}
    _days, versions, bad, outside = chunk_dates(plan, columns, n)
    assert bad is None and outside is None
    # 单价, 系数: versions chosen in the kernel (no pass outside it); 临时标准: one version
    assert [type(v) for v in versions] == [Steps, Steps, int] and versions[2] == 1
    result = check(policy, table, "日期", ["补贴", "临时"])
    assert result.column("补贴").to_pylist() == [
        Decimal("45.00"), Decimal("56.25"), Decimal("56.25"), Decimal("18.75"), Decimal("18.75"),
        Decimal("22.50"), Decimal("22.50"), Decimal("45.00")]
    assert b'"rows_scalar": 0' in result.schema.metadata[b"guize"]


def test_a_gap_between_versions_and_a_repeal_are_errors_of_their_rows(policy: guize.Policy) -> None:
    days = dates("2020-12-31", "2021-01-01", "2021-12-31", "2022-01-01", "2025-12-31", "2026-01-01",
                 "2019-12-31", "2024-05-05")
    n = len(days)
    table = pa.table({"金额": pa.array([Decimal("1500.00")] * n), "工龄": pa.array([5] * n),
                      "人数": pa.array([1] * n), "比例": pa.array([Decimal("0.3")] * n), "日期": pa.array(days, pa.date32())})
    result = check(policy, table, "日期")
    errors = result.column("错误").to_pylist()
    assert [e is None for e in errors] == [True, False, False, True, True, False, False, True]
    assert "废止" in errors[5] and "尚未施行" in errors[6]
    with pytest.raises(NotInForce):
        policy.evaluate({"金额": "1500", "工龄": 5, "人数": 1, "比例": "0.3"}, dt.date(2021, 6, 1))
    # The rows whose versions all exist are computed by the columnar code; the gap's rows
    # only for the outputs that use the dated value without a version then.
    ok = check(policy, table, "日期", ["补贴", "年度差"])
    assert [e is None for e in ok.column("错误").to_pylist()] == [True, True, True, True, True, False, False, True]


@st.composite
def tables(draw: st.DrawFn) -> tuple[Any, int]:
    n = draw(st.integers(1, 60))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    first = draw(st.sampled_from([dt.date(2019, 12, 1), dt.date(2020, 1, 1), dt.date(2022, 6, 1),
                                  dt.date(2023, 3, 1), dt.date(2024, 1, 1)]))
    span = draw(st.sampled_from([0, 1, 200, 800, 2500, 4000]))
    epoch = dt.date(1970, 1, 1)
    days = (first - epoch).days + rng.integers(0, span + 1, n)
    money = draw(st.sampled_from(["0", "99.99", "100.00", "1000.00", "1000.01", "5000.00", "5000.01",
                                  "9000.00", "9000.01", "2500.55"]))
    cents = rng.integers(0, 1_000_001, n)
    amounts = [Decimal(money) if k % 3 == 0 else Decimal(int(c)).scaleb(-2) for k, c in enumerate(cents)]
    months = rng.integers(0, 300, n)
    months[::4] = draw(st.sampled_from([11, 12, 119, 120, 239, 240]))
    table = pa.table({"金额": pa.array(amounts, pa.decimal128(18, 2)), "工龄": pa.array(months.astype(np.int64)),
                      "人数": pa.array(rng.integers(0, 50, n)),
                      "比例": pa.array([Decimal(int(r)).scaleb(-3) for r in rng.integers(0, 3000, n)], pa.decimal128(10, 3)),
                      "日期": pa.array(days.astype(np.int32), pa.date32())})
    return table, draw(st.sampled_from([0, 1, 3, 64]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(drawn=tables())
def test_batch_equals_scalar_and_interpreter_with_a_date_per_row(policy: guize.Policy, drawn: tuple[Any, int]) -> None:
    table, block_rows = drawn
    check(policy, table, "日期", block_rows=block_rows)
    check(policy, table, "日期", ["档", "金额比率", "年度差"], block_rows=block_rows)


def test_band_tables_are_one_look_up(policy: guize.Policy) -> None:
    """A table by bands without gaps is written as one look-up of each row's band."""
    source = B.batch_module(policy.module)
    text = Path(source.__file__).read_text(encoding="utf-8")
    assert text.count("c.banded(") == 2 and "c.band(" not in text
    amounts = ["99.99", "100.00", "1000.00", "1000.01", "5000.00", "5000.01", "9000.00", "9000.01"]
    table = pa.table({"金额": pa.array([Decimal(a) for a in amounts]), "工龄": pa.array([0, 11, 12, 119, 120, 239, 240, 999]),
                      "人数": pa.array([1] * 8), "比例": pa.array([Decimal(1)] * 8)})
    result = check(policy, table, dt.date(2024, 3, 1), ["档", "金额比率"], block_rows=3)
    assert result.column("档").to_pylist() == [None, 0, 5, 5, 10, 10, 15, None]  # rows 0, 7: 金额 outside
    assert result.column("金额比率").to_pylist()[1:7] == [Decimal("0.10"), Decimal("0.10"), Decimal("0.20"),
                                                       Decimal("0.20"), Decimal("0.30"), Decimal("0.30")]
    errors = result.column("错误").to_pylist()
    assert errors[0] is not None and errors[7] is not None  # below the first band, above the last


SCALES = """\
文件：
  标题：《累进按列测试》
  施行日期：2019年1月1日

输入 收入：金额
输入 扣除：金额，默认 0元

表 超额表：超额累进
  不超过36000元的部分：3%
  超过36000元至144000元的部分：10%
  超过144000元至300000.5元的部分：20.5%
  超过300000.5元的部分：45%
表 全额表：全额累进
  30000元以下：5%
  超过30000元：10%

定义 基数：金额 = 收入 - 扣除
输出 税额：金额，四舍五入到分 = 累进计算(超额表，基数)
输出 税率：比率 = 适用税率(超额表，基数)
输出 扣除数：金额 = 速算扣除数(超额表，基数)
输出 全额税额：金额 = 累进计算(全额表，基数)
输出 全额税率：比率 = 适用税率(全额表，基数)
"""


@pytest.fixture(scope="module")
def scales(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("scales") / "scales.rule"
    path.write_text(SCALES, encoding="utf-8")
    return guize.load(path, corpus=False)


def test_an_excess_scale_is_one_look_up_of_the_bracket(scales: guize.Policy) -> None:
    text = Path(B.batch_module(scales.module).__file__).read_text(encoding="utf-8")
    assert "速算扣除数" in text and "c.band(" not in text  # tables by bracket, no test per bracket
    assert B.batch_module(scales.module).FALLBACK == {}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 50), block_rows=st.sampled_from([0, 1, 3, 64]),
       top=st.sampled_from([100, 40_000, 400_000, 10**7]))
def test_scales_in_columns_equal_scalar_and_interpreter(scales: guize.Policy, seed: int, n: int,
                                                        block_rows: int, top: int) -> None:
    """Bases below 0, at 0, on each bracket's edge and inside: batch = scalar = interpreter."""
    rng = np.random.default_rng(seed)
    edges = [0, 36000, 144000, Decimal("300000.5"), 30000]
    income = [Decimal(int(v)).scaleb(-2) for v in rng.integers(0, top * 100, n)]
    income = [Decimal(edges[k % 5]) if k % 3 == 0 else v for k, v in enumerate(income)]
    cut = [Decimal(int(v)).scaleb(-2) for v in rng.integers(0, top * 50, n)]
    cut = [Decimal(0) if k % 2 else v for k, v in enumerate(cut)]
    table = pa.table({"收入": pa.array(income, pa.decimal128(18, 2)), "扣除": pa.array(cut, pa.decimal128(18, 2))})
    check(scales, table, dt.date(2024, 1, 1), block_rows=block_rows)


@pytest.mark.parametrize("n", [5, 40_000])  # eagerly, and in a kernel (a chunk larger than a block)
def test_a_date_beyond_the_calendar_is_an_error_of_its_row(n: int) -> None:
    """A date32 cell can hold a day beyond years 1-9999, which no Python date can: that row
    reports an invalid date (it raised ValueError from datetime before); the others are computed."""
    policy = guize.load("policies/xinjiang/textile_2024.rule")
    base = {"在疆注册": True, "在册职工人数": 50, "水重复利用率": "0.5", "印染废水排放量": "100", "疆内使用率": "0.4"}
    days = pa.array([19900] * (n - 2) + [3_000_000, -800_000], pa.int32()).cast(pa.date32())
    table = pa.table({**{k: [v] * n for k, v in base.items()}, "日期": days})
    result = policy.evaluate_batch(table, "日期", outputs=["印染废水处理补贴"])
    errors = result.column("错误")
    assert errors.null_count == n - 2
    assert "超出公历 1 年至 9999 年" in errors[n - 2].as_py() and "第 -800000 天" in errors[n - 1].as_py()
    want = policy.evaluate(base, dt.date(1970, 1, 1) + dt.timedelta(days=19900), ["印染废水处理补贴"])
    assert result.column("印染废水处理补贴")[0].as_py() == want["印染废水处理补贴"]
