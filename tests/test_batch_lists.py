"""Batch evaluation of lists is columnar and agrees with the scalar and reference engines.

Random households (list<struct> columns with nulls, empty lists, invalid items) are evaluated
by evaluate_batch and, row by row, by the compiled scalar code and the reference interpreter:
every value and every error agrees. The plain aggregates, per-item outputs and running sums are
computed over the flattened items (no output falls back to rows), and only rows with an
error or a possible overflow are recomputed by the scalar path.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.runtime.errors import RuleError

pa = pytest.importorskip("pyarrow")

ROOT = Path(__file__).resolve().parent.parent
ON = dt.date(2024, 6, 1)

POLICY = """文件：
  标题：《按列汇总》
  施行日期：2000年1月1日

类型 档次：甲档、乙档

类型 家庭成员：
  月收入：金额
  年龄：整数
  在校：是否，默认 否
  补助比例：比率，默认 0%
  入学日期：日期，默认 2010年9月1日
  档：档次，默认 乙档

输入 成员：家庭成员的列表
输入 门槛：金额
输入 加成：金额，默认 0元

定义 每人补贴：金额，按 成员 逐人 = 若 年龄 < 18 则 月收入 × 补助比例 + 加成 否则 0元
定义 累计补贴：金额，按 成员 逐项 = 累计(每人补贴)
输出 此前补贴：金额，按 成员 逐项 = 累计(每人补贴，至 上月)
输出 合计收入：金额 = 合计(成员 的 月收入)
输出 在校收入：金额 = 合计(成员 中 在校 的 月收入 × 2)
输出 未成年人数：整数（人） = 人数(成员 中 年龄 < 18)
输出 项数：整数 = 个数(成员)
输出 有高收入：是否 = 任一(成员 中 月收入 > 门槛)
输出 都在校：是否 = 全部(成员 的 在校)
输出 成年都在校：是否 = 全部(成员 中 年龄 ≥ 18 的 在校)
输出 最高收入：金额，不舍入 = 最大(成员 的 月收入)
输出 最低年龄：整数 = 最小(成员 中 档 = 甲档 的 年龄)
输出 最早入学：日期 = 最小(成员 的 入学日期)
输出 平均收入：金额 = 平均(成员 中 年龄 ≥ 18 的 月收入)
输出 补贴合计：金额 = 合计(成员 的 每人补贴)
输出 各人累计：金额，按 成员 逐项 = 累计补贴 + 月收入 × 2
输出 逐人在校：是否，按 成员 逐人 = 在校 且 月收入 > 门槛
输出 差最高：金额，按 成员 逐人 = 最大(成员 的 月收入) - 月收入
输出 判断：金额 = 若 人数(成员) > 2人 则 合计(成员 的 累计补贴) 否则 加成
输出 本期应缴：金额，按 成员 逐项 = 取较大值(累计补贴 × 3 - 月收入 - 累计(本期应缴，至 上月)，0元)
"""

MEMBER = pa.struct([("月收入", pa.decimal128(18, 2)), ("年龄", pa.int64()), ("在校", pa.bool_()),
                    ("补助比例", pa.decimal128(9, 4)), ("入学日期", pa.date32()), ("档", pa.string())])

money = st.decimals(min_value=0, max_value=10**6, places=2)
member = st.fixed_dictionaries({
    # a negative income or a missing one: that row's error, the same in every engine
    "月收入": st.one_of(money, money, money, st.just(Decimal("-1.00")), st.none()),
    "年龄": st.integers(0, 100),
    "在校": st.one_of(st.none(), st.booleans()),
    "补助比例": st.one_of(st.none(), st.sampled_from([Decimal("0.1"), Decimal("0.25"), Decimal("0.3333")])),
    "入学日期": st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1))),
    "档": st.one_of(st.none(), st.sampled_from(["甲档", "乙档"])),
})
row = st.fixed_dictionaries({"成员": st.one_of(st.lists(member, max_size=6), st.none()),
                             "门槛": money, "加成": st.one_of(st.none(), money)})


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("batchlists") / "t.rule"
    path.write_text(POLICY, encoding="utf-8")
    return guize.load(path, corpus=False)


def table(rows: list[dict[str, Any]]) -> Any:
    return pa.table({"成员": pa.array([r["成员"] for r in rows], type=pa.list_(MEMBER)),
                     "门槛": pa.array([r["门槛"] for r in rows], type=pa.decimal128(18, 2)),
                     "加成": pa.array([r["加成"] for r in rows], type=pa.decimal128(18, 2))})


def scalar_data(r: dict[str, Any]) -> dict[str, Any]:
    """A row as Policy.evaluate takes it (the batch path's scalar fallback reads it the same way)."""
    data = {k: v for k, v in r.items() if v is not None}
    if r["成员"] is not None:
        data["成员"] = [{k: v for k, v in m.items() if v is not None} for m in r["成员"]]
    return data


def expected(run: Any, r: dict[str, Any]) -> Any:
    try:
        return run(scalar_data(r), on=ON)
    except RuleError as exc:
        return exc.message


def plain(got: dict[str, Any]) -> Any:
    if got["错误"] is not None:
        return got["错误"]
    return {k: tuple(v) if isinstance(v, list) else v for k, v in got.items() if k != "错误"}


def test_every_output_is_columnar(policy: guize.Policy) -> None:
    program = policy.batch.program
    assert program["fallback"] == {}
    rows = [{"成员": [{"月收入": Decimal(k), "年龄": 20 * k, "在校": None, "补助比例": None, "入学日期": None,
                       "档": "甲档"} for k in range(1, 4)], "门槛": Decimal(0), "加成": None}] * 3
    result = policy.evaluate_batch(table(rows), on=ON)
    meta = json.loads(result.schema.metadata[b"guize"])
    assert meta["fallback_outputs"] == [] and meta["rows_scalar"] == 0


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row, min_size=1, max_size=8))
def test_batch_agrees_with_compiled_and_reference(policy: guize.Policy, rows: list[dict[str, Any]]) -> None:
    got = policy.evaluate_batch(table(rows), on=ON).to_pylist()
    # In chunks of 3 rows, and with blocks smaller than a chunk (the kernel gives way to the lists).
    assert policy.batch.evaluate(table(rows), on=ON, chunk_rows=3, block_rows=2).to_pylist() == got
    for r, g in zip(rows, got, strict=True):
        want = expected(policy.evaluate, r)
        assert want == expected(policy.interpret, r)
        if isinstance(want, dict):  # decimals compare by value; lists as tuples
            assert plain(g) == want
        else:
            assert g["错误"] == want


def test_overflowing_items_go_to_the_exact_path(policy: guize.Policy) -> None:
    """Sums beyond int64 at the cent: the rows are recomputed exactly, not wrapped."""
    big = Decimal("999999999999999.99")  # the largest input (values.MAX_WHOLE_DIGITS), 100 of them
    rows = [{"成员": [{"月收入": big, "年龄": 40, "在校": True, "补助比例": None, "入学日期": None, "档": "甲档"}] * 100,
             "门槛": Decimal(0), "加成": None},
            {"成员": [{"月收入": Decimal(5), "年龄": 4, "在校": True, "补助比例": Decimal("0.5"), "入学日期": None,
                       "档": "甲档"}], "门槛": Decimal(1), "加成": Decimal(2)}]
    got = policy.evaluate_batch(table(rows), on=ON).to_pylist()
    for r, g in zip(rows, got, strict=True):
        assert plain(g) == expected(policy.evaluate, r)
    assert got[0]["合计收入"] == 100 * big and got[0]["在校收入"] == 200 * big


def test_withholding_is_columnar_and_agrees() -> None:
    policy = guize.load(ROOT / "policies/national/iit_withholding_2019.rule", corpus=False)
    assert policy.batch.program["fallback"] == {}
    months = st.lists(st.fixed_dictionaries({"工资薪金收入": st.decimals(0, 200000, places=2)},
                                            optional={"专项扣除": st.decimals(0, 6000, places=2),
                                                      "其他扣除": st.decimals(0, 2000, places=2)}), max_size=12)

    @settings(max_examples=60, deadline=None)
    @given(rows=st.lists(months, min_size=1, max_size=6))
    def check(rows: list[list[dict[str, Decimal]]]) -> None:
        month = pa.struct([("工资薪金收入", pa.decimal128(18, 2)), ("专项扣除", pa.decimal128(18, 2)),
                           ("其他扣除", pa.decimal128(18, 2))])
        t = pa.table({"各月": pa.array(rows, type=pa.list_(month))})
        got = policy.evaluate_batch(t, on=dt.date(2024, 12, 31)).to_pylist()
        for r, g in zip(rows, got, strict=True):
            want = policy.evaluate({"各月": r}, on=dt.date(2024, 12, 31))
            assert want == policy.interpret({"各月": r}, on=dt.date(2024, 12, 31))
            assert plain(g) == want

    check()


def test_dated_value_and_another_list_inside_items_by_row_date(tmp_path: Path) -> None:
    """Inside an item: a dated parameter (each row's date), an aggregate over another list."""
    path = tmp_path / "dated.rule"
    path.write_text("""文件：
  标题：《按行日期》
  施行日期：2000年1月1日

类型 家庭成员：
  月收入：金额
  年龄：整数

输入 成员：家庭成员的列表
输入 子女：家庭成员的列表
参数 标准：金额
  自2000年1月1日起：100元
  自2024年1月1日起：200元
输出 补助：金额，按 成员 逐人 = 若 年龄 < 18 则 标准 + 合计(子女 中 年龄 < 年龄 的 月收入) 否则 0元
输出 最大补助：金额 = 最大(成员 的 补助)
""", encoding="utf-8")
    policy = guize.load(path, corpus=False)
    assert policy.batch.program["fallback"] == {}
    person = pa.struct([("月收入", pa.decimal128(18, 2)), ("年龄", pa.int64())])
    rows = [([{"月收入": Decimal(500), "年龄": 10}, {"月收入": Decimal(50), "年龄": 40}],
             [{"月收入": Decimal(100), "年龄": 5}, {"月收入": Decimal(200), "年龄": 12}], dt.date(2023, 12, 31)),
            ([{"月收入": Decimal(1), "年龄": 3}], [{"月收入": Decimal(7), "年龄": 1}], dt.date(2024, 1, 1)),
            ([], [], dt.date(2024, 5, 1)),
            ([{"月收入": Decimal(1), "年龄": 3}], [], dt.date(1999, 12, 31))]  # before the document: its error
    t = pa.table({"成员": pa.array([r[0] for r in rows], type=pa.list_(person)),
                  "子女": pa.array([r[1] for r in rows], type=pa.list_(person)),
                  "日期": pa.array([r[2] for r in rows], type=pa.date32())})
    got = policy.evaluate_batch(t, on="日期").to_pylist()
    for (members, children, on), g in zip(rows, got, strict=True):
        try:
            want = policy.evaluate({"成员": members, "子女": children}, on=on)
        except RuleError as exc:
            assert g["错误"] == exc.message
            continue
        assert plain(g) == want
    assert got[1]["补助"] == [Decimal(200)] and got[0]["补助"] == [Decimal(100), Decimal(0)]
