"""Unrounded quotients in columns as exact fractions (runtime/batchratio.py, compiler/batchgen_ratio.py).

Batch = compiled = reference interpreter on generated rows (zero and negative divisors,
divisors with decimals, values on rounding boundaries, ties), with and without kernels; the
scalar path's own rounding (34 digits for ÷, 28 for + − ×) is reproduced where it decides an
answer; a zero divisor is an error only where its quotient is reached; and the subsistence
policy is columnar, with no row left to the scalar path.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.runtime import batch as B
from guize.runtime.errors import RuleError

pa = pytest.importorskip("pyarrow")
np = pytest.importorskip("numpy")

ROOT = Path(__file__).resolve().parent.parent
ON = dt.date(2024, 6, 1)

RATIO_RULE = """\
文件：
  标题：《未舍入的商》
  施行日期：2000年1月1日

输入 甲：金额
输入 乙：整数
输入 丙：数值
输入 标准：金额

定义 平均：金额 = 甲 ÷ 乙
输出 标准以下：是否 = 乙 > 0 且 平均 < 标准
输出 补差：金额
  若 乙 > 0 且 平均 < 标准 则 (标准 - 平均) × 乙
  否则 0元
输出 向下补差：金额
  若 乙 > 0 则 向下取整((标准 - 平均) × 乙)
  否则 0元
输出 舍入平均：金额 = 平均
输出 向下：金额 = 向下取整(平均 × 3)
输出 相等：是否 = 乙 > 0 且 平均 × 乙 = 甲
输出 负除：金额 = 甲 ÷ (乙 - 3)
输出 小数除：金额 = 甲 ÷ 丙
输出 两个：金额 = 甲 ÷ 乙 + 甲 ÷ 丙
输出 取负：金额 = 标准 - 平均
输出 若选：金额
  若 乙 > 2 则 (甲 ÷ 乙) × 2
  否则 甲
输出 零人或超标：是否 = 乙 = 0 或 甲 ÷ 乙 > 标准
输出 非零补差：金额
  若 非 (乙 = 0) 且 平均 < 标准 则 (标准 - 平均) × 乙
  否则 0元
定义 余额：金额 = 标准 - 甲 ÷ 乙
输出 余额三倍：金额 = 余额 × 2 + 余额
"""


@pytest.fixture(scope="module")
def ratio_policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("ratio") / "ratio.rule"
    path.write_text(RATIO_RULE, encoding="utf-8")
    return guize.load(path, corpus=False)


def _answer(policy: guize.Policy, data: dict[str, Any], outputs: list[str]) -> Any:
    """The compiled answer for one output (its value, or the error message), checked equal to
    the reference interpreter's."""
    answers = []
    for run in (policy.evaluate, policy.interpret):
        try:
            answers.append(run(data, ON, outputs))
        except RuleError as exc:
            answers.append(exc.message)
    assert answers[0] == answers[1]
    return answers[0]


Row = tuple[int, int, str, int]  # 甲 (fen), 乙, 丙 (text), 标准 (fen)
amounts = st.one_of(st.integers(0, 10**6), st.integers(0, 40), st.integers(0, 10**13))
rows_strategy = st.lists(st.tuples(amounts, st.integers(0, 7), st.sampled_from(["0", "0.5", "1.5", "3", "0.3", "7", "2.25"]),
                                   amounts), min_size=1, max_size=40)


def _table(rows: list[Row]) -> Any:
    return pa.table({"甲": pa.array([Decimal(r[0]).scaleb(-2) for r in rows], type=pa.decimal128(18, 2)),
                     "乙": pa.array([r[1] for r in rows], type=pa.int64()),
                     "丙": pa.array([Decimal(r[2]) for r in rows], type=pa.decimal128(18, 2)),
                     "标准": pa.array([Decimal(r[3]).scaleb(-2) for r in rows], type=pa.decimal128(18, 2))})


def _record(row: Row) -> dict[str, Any]:
    return {"甲": str(Decimal(row[0]).scaleb(-2)), "乙": row[1], "丙": row[2], "标准": str(Decimal(row[3]).scaleb(-2))}


def _check(policy: guize.Policy, rows: list[Row], block_rows: int) -> Any:
    """Every output, one at a time (an error in one leaves the others), batch against the scalar paths."""
    for name in [o.name for o in policy.outputs]:
        got = B.evaluate_batch(policy, _table(rows), ON, [name], block_rows=block_rows)
        for row, result in zip(rows, got.to_pylist(), strict=True):
            want = _answer(policy, _record(row), [name])
            if isinstance(want, str):  # an error: the batch row reports the same one
                assert result["错误"] == want, (name, row, result)
            else:
                assert result["错误"] is None and result[name] == want[name], (name, row, result, want)
    return got


def test_unrounded_quotients_are_columnar(ratio_policy: guize.Policy) -> None:
    module = B.batch_module(ratio_policy.module)
    assert not module.FALLBACK


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_strategy, block_rows=st.sampled_from([0, 7]))
def test_unrounded_quotients_agree_with_compiled_and_reference(ratio_policy: guize.Policy, rows: list[Row],
                                                               block_rows: int) -> None:
    _check(ratio_policy, rows, block_rows)


def test_the_scalar_paths_own_rounding_decides_where_it_shows(ratio_policy: guize.Policy) -> None:
    # 2000 ÷ 3 keeps 34 digits, 800 − it is rounded to 28, × 3 gives 399.9999…9 on the scalar
    # path: 向下取整 makes it 399 there, while the exact value is 400 (for 1000 ÷ 3 the roundings
    # cancel: 1400). The batch leaves those rows to the scalar path: an exact value on a boundary
    # of 向下取整 may come out on either side. Rounded half up to the cent (补差), the exact
    # value decides and no row goes the scalar way.
    rows = [(200000, 3, "1.5", 80000), (100000, 3, "1.5", 80000)] * 3000
    _check(ratio_policy, rows[:2], 0)
    table = B.evaluate_batch(ratio_policy, _table(rows), ON, ["向下补差"], block_rows=1024)
    assert table.column("向下补差").to_pylist()[:2] == [Decimal("399"), Decimal("1400")]
    assert b'"rows_scalar": 6000' in table.schema.metadata[b"guize"]
    table = B.evaluate_batch(ratio_policy, _table(rows), ON, ["补差"], block_rows=1024)
    assert table.column("补差").to_pylist()[:2] == [Decimal("400.00"), Decimal("1400.00")]
    assert b'"rows_scalar": 0' in table.schema.metadata[b"guize"]


def test_a_cancelled_divisor_on_a_rounding_boundary_goes_the_scalar_way(ratio_policy: guize.Policy) -> None:
    # (273691.46 − 0.38 ÷ 3) × 3 is exactly 821074, where 向下取整 has a boundary; the scalar path
    # rounds 0.38 ÷ 3 to 34 digits and the difference to 28, and its 821073.99…9 floors to
    # 821073. The row must be left to the scalar path: the boundary test used to read the
    # numerator after the rounding had written its result into that column, and missed it.
    rows = [(38, 3, "0", 27369146), (100, 4, "0", 500), (38, 3, "0", 27369100)]
    for block_rows in (0, 7):
        _check(ratio_policy, rows, block_rows)
    got = B.evaluate_batch(ratio_policy, _table(rows), ON, ["向下补差"]).column("向下补差").to_pylist()
    assert got[0] == Decimal("821073")


def test_a_zero_divisor_is_an_error_only_where_its_quotient_is_reached(ratio_policy: guize.Policy) -> None:
    rows = [(1000, 0, "0", 500), (1000, 2, "0", 500)] * 5000
    table = B.evaluate_batch(ratio_policy, _table(rows), ON, ["标准以下", "补差", "零人或超标", "非零补差"],
                               block_rows=4096)
    assert table.column("错误").null_count == len(rows)
    assert b'"rows_scalar": 0' in table.schema.metadata[b"guize"]
    errors = B.evaluate_batch(ratio_policy, _table(rows[:2]), ON, ["舍入平均"]).column("错误").to_pylist()
    assert errors[0] == _answer(ratio_policy, _record(rows[0]), ["舍入平均"]) and errors[1] is None


def test_the_subsistence_policy_is_columnar() -> None:
    policy = guize.load(ROOT / "policies" / "national" / "subsistence_allowance_2014.rule", corpus=False)
    module = B.batch_module(policy.module)
    assert not module.FALLBACK
    rng = np.random.default_rng(7)
    families = []
    for _ in range(3000):  # about one in twelve without members: 人均月收入 is reached only with some
        members = [{"月收入": Decimal(int(rng.integers(0, 3)) * int(rng.integers(0, 100_000))).scaleb(-2),
                    "年龄": int(rng.integers(0, 1080)), "重度残疾": bool(rng.random() < 0.1), "重病": False}
                   for _ in range(min(int(rng.poisson(2.5)), 6))]
        families.append({"共同生活的家庭成员": members,
                         "当地最低生活保障标准": Decimal(int(rng.integers(50_000, 120_000))).scaleb(-2),
                         "财产状况符合当地规定": bool(rng.random() < 0.9)})
    member = pa.struct([("月收入", pa.decimal128(18, 2)), ("年龄", pa.int64()), ("重度残疾", pa.bool_()),
                        ("重病", pa.bool_())])
    table = pa.table({"共同生活的家庭成员": pa.array([f["共同生活的家庭成员"] for f in families], type=pa.list_(member)),
                      "当地最低生活保障标准": pa.array([f["当地最低生活保障标准"] for f in families], type=pa.decimal128(18, 2)),
                      "财产状况符合当地规定": [f["财产状况符合当地规定"] for f in families]})
    result = policy.evaluate_batch(table, ON)
    assert b'"rows_scalar": 0' in result.schema.metadata[b"guize"]
    for family, row in zip(families, result.to_pylist(), strict=True):
        want = _answer(policy, {**family, "共同生活的家庭成员": [{**m, "年龄": m["年龄"]} for m in
                                                            family["共同生活的家庭成员"]]}, [o.name for o in policy.outputs])
        assert row["错误"] is None
        assert {k: (tuple(row[k]) if isinstance(row[k], list) else row[k]) for k in want} == want
