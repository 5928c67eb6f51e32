"""Year-months in columns as month indices (runtime/batchym.py, compiler/batchgen_months.py).

Compiled = reference = batch, over random dates across the calendar (so that some rows leave
years 1-9999 and go to the scalar path, which reports them), with and without kernels; and the
retirement policy's batch reads and writes the calendar only at its edges.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.runtime import batch as B
from guize.runtime import dates
from guize.runtime.errors import RuleError

pa = pytest.importorskip("pyarrow")
np = pytest.importorskip("numpy")

ROOT = Path(__file__).resolve().parent.parent
D = dt.date
ON = D(2024, 6, 1)

MONTHS_RULE = """\
文件：
  标题：《年月》
  施行日期：2000年1月1日

类型 类别：甲、乙、丙
输入 出生日期：日期
输入 起算年月：年月
输入 类别：类别
输入 期：期间，默认 0个月

表 首月：年月 按 类别
  甲：1965年1月
  乙：1970年1月
  丙：1975年1月

参数 基准年月：年月
  自2000年1月1日起：2000年1月
  自2024年1月1日起：2024年1月

定义 出生年月：年月 = 年月(出生日期)
输出 第几个月：期间 = 出生年月 - 首月 + 1个月
输出 到期年月：年月 = 出生年月 + 期
输出 较早：年月
  若 到期年月 - 3年 < 起算年月 则 起算年月
  否则 到期年月 - 3年
输出 年份数：整数 = 年份(到期年月)
输出 月份数：整数 = 月份(到期年月)
输出 日数：整数 = 日(到期年月)
输出 早于：是否 = 到期年月 < 2000年1月
输出 晚于基准：是否 = 起算年月 > 基准年月
输出 间隔：期间 = 到期年月 - 起算年月
输出 月差：整数（月） = 相差月数(起算年月, 到期年月)
输出 到期日：日期 = 出生日期 + 期
输出 首月加期：年月 = 首月 + 期
"""


@pytest.fixture(scope="module")
def months_policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("months") / "months.rule"
    path.write_text(MONTHS_RULE, encoding="utf-8")
    return guize.load(path, corpus=False)


def _plain(v: Any) -> Any:
    if isinstance(v, dates.YearMonth):
        return D(v.year, v.month, 1)
    if isinstance(v, dates.Period):
        return int(v)
    return v


def _answer(policy: guize.Policy, data: dict[str, Any], on: dt.date) -> Any:
    """The compiled answer (values as batch columns hold them, or the error message), checked
    equal to the reference interpreter's."""
    answers = []
    for run in (policy.evaluate, policy.interpret):
        try:
            answers.append({k: _plain(v) for k, v in run(data, on).items()})
        except RuleError as exc:
            answers.append(exc.message)
    assert answers[0] == answers[1]
    return answers[0]


days = st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 31))
edge_days = st.one_of(days, st.dates(min_value=D(1, 1, 1), max_value=D(3, 12, 31)),
                      st.dates(min_value=D(9997, 1, 1), max_value=D(9999, 12, 31)),
                      st.dates(min_value=D(1950, 1, 1), max_value=D(2000, 12, 31)))
rows_strategy = st.lists(st.tuples(edge_days, edge_days.map(lambda d: d.replace(day=1)), st.sampled_from("甲乙丙"),
                                   st.integers(-1300, 1300)), min_size=1, max_size=40)


def _table(rows: list[tuple[dt.date, dt.date, str, int]]) -> Any:
    return pa.table({"出生日期": pa.array([r[0] for r in rows]), "起算年月": pa.array([r[1] for r in rows]),
                     "类别": pa.array([r[2] for r in rows]), "期": pa.array([r[3] for r in rows], type=pa.int64())})


def _record(row: tuple[dt.date, dt.date, str, int]) -> dict[str, Any]:
    born, start, kind, n = row
    return {"出生日期": born, "起算年月": start, "类别": kind, "期": n}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_strategy, block_rows=st.sampled_from([0, 7]))
def test_year_months_in_columns_agree_with_compiled_and_reference(months_policy: guize.Policy, rows: Any,
                                                                  block_rows: int) -> None:
    got = B.evaluate_batch(months_policy, _table(rows), ON, block_rows=block_rows).to_pylist()
    for row, result in zip(rows, got, strict=True):
        want = _answer(months_policy, _record(row), ON)
        if isinstance(want, str):  # an error: the batch row reports the same one
            assert result["错误"] == want, (row, result)
        else:
            assert result["错误"] is None and {k: result[k] for k in want} == want, (row, result)


def test_year_months_beyond_the_calendar_are_errors_in_every_engine(months_policy: guize.Policy) -> None:
    rows = [(D(9999, 11, 5), D(2000, 1, 1), "甲", 2), (D(1, 2, 1), D(2000, 1, 1), "乙", -2),
            (D(1980, 6, 30), D(1990, 3, 1), "丙", 12)] * 5000  # past a block: the kernel
    got = B.evaluate_batch(months_policy, _table(rows), ON, block_rows=4096)
    errors = got.column("错误").to_pylist()
    assert errors[0] and errors[0] == _answer(months_policy, _record(rows[0]), ON)
    assert errors[1] and errors[1] == _answer(months_policy, _record(rows[1]), ON)
    assert errors[2] is None
    assert got.slice(2, 1).to_pylist()[0]["到期年月"] == D(1981, 6, 1)
    assert got.slice(2, 1).to_pylist()[0]["较早"] == D(1990, 3, 1)


def test_the_retirement_policy_keeps_year_months_as_month_indices() -> None:
    policy = guize.load(ROOT / "policies" / "national" / "retirement_age_2025.rule", corpus=False)
    module = B.batch_module(policy.module)
    # Each year-month definition has a month-index form; none goes row by row.
    assert {"出生年月#月", "退休年月#月", "最早弹性退休年月#月", "最晚弹性退休年月#月", "延迟起始出生年月#月"} <= set(module.DEFS)
    assert not module.FALLBACK
    rng = np.random.default_rng(5)
    born = rng.integers((D(1955, 1, 1) - D(1970, 1, 1)).days, (D(1995, 1, 1) - D(1970, 1, 1)).days, 50_000)
    kinds = ["男职工", "原法定退休年龄五十五周岁的女职工", "原法定退休年龄五十周岁的女职工"]
    cats = [kinds[i] for i in rng.integers(0, 3, len(born))]
    table = pa.table({"出生日期": pa.array(born.astype(np.int32), type=pa.date32()), "人员类别": cats})
    result = policy.evaluate_batch(table, D(2025, 3, 1))
    assert b'"rows_scalar": 0' in result.schema.metadata[b"guize"]
    rows = result.to_pylist()
    for i in range(0, len(rows), 997):
        want = _answer(policy, {"出生日期": table.column("出生日期")[i].as_py(), "人员类别": cats[i]}, D(2025, 3, 1))
        assert rows[i]["错误"] is None and {k: rows[i][k] for k in want} == want
