"""Assumed bounds in kernels: a definition that overflows under them is retried with
narrower bounds for its counts and rates (kernel.put, Plan._blamed), and every row still
gets the scalar path's answer or error."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")

from baselines import arrow_table, make_rows  # noqa: E402

import guize  # noqa: E402
from guize.runtime import batch as B  # noqa: E402
from guize.runtime import kernel as K  # noqa: E402
from guize.runtime.batchdates import chunk_dates  # noqa: E402
from guize.runtime.errors import RuleError  # noqa: E402

ON = dt.date(2025, 3, 1)

RULE = """文件：
  标题：《假定的上下界》
  施行日期：2024年1月1日

类型 身份：甲类、乙类

输入 人数：整数（人）
输入 比例：比率
输入 分摊额：金额
输入 身份：身份

参数 每人标准 = 1000元/人

输出 扣除：金额，四舍五入到分 = 人数 × 每人标准 × 比例
输出 分摊：金额 = 若 身份 = 甲类 则 3000元 否则 取较小值(分摊额，1500元)
"""


def _policy(tmp_path: Path) -> Any:
    rule = tmp_path / "assume.rule"
    rule.write_text(RULE, encoding="utf-8")
    return guize.load(str(rule))


def _decimals(values: list[int], scale: int) -> Any:
    words = np.empty((len(values), 2), dtype=np.int64)
    words[:, 0] = values
    words[:, 1] = np.asarray(values, dtype=np.int64) >> 63
    return pa.Array.from_buffers(pa.decimal128(18, scale), len(values), [None, pa.py_buffer(words)])


def _table(n: int, seed: int, counts: Any = None, shares: Any = None) -> Any:
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 4, n) if counts is None else counts
    shares = rng.integers(0, 10_001, n) if shares is None else shares  # 0–100 % at 4 places
    amounts = rng.integers(0, 200_000, n)
    kinds = rng.integers(0, 2, n).astype(np.int8)  # a random half: the masked write is branch-free
    return pa.table({
        "人数": pa.array(np.asarray(counts, dtype=np.int64)),
        "比例": _decimals(list(shares), 4),
        "分摊额": _decimals(list(amounts), 2),
        "身份": pa.DictionaryArray.from_arrays(pa.array(kinds), pa.array(["甲类", "乙类"])),
    })


def _scalar(policy: Any, table: Any) -> list[Any]:
    """Each row's outputs from the scalar path, or its error's message."""
    out = []
    for record in table.to_pylist():
        try:
            got = policy.evaluate(record, ON)
        except RuleError as exc:
            out.append(str(exc))
        else:
            out.append((Decimal(got["扣除"]), Decimal(got["分摊"])))
    return out


def _batch(result: Any) -> list[Any]:
    rows = []
    for d, s, e in zip(*(result.column(k).to_pylist() for k in ("扣除", "分摊", "错误")), strict=True):
        rows.append(e if e is not None else (Decimal(d), Decimal(s)))
    return rows


@pytest.fixture
def kernels(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The kernels run (a chunk evaluated eagerly runs none)."""
    ran: list[Any] = []
    run = K.Recorder.run

    def spy(self: K.Recorder, alloc: Any, block_rows: int) -> None:
        ran.append(self.kernel()[0])
        run(self, alloc, block_rows)

    monkeypatch.setattr(K.Recorder, "run", spy)
    return ran


def _errors(got: list[Any]) -> int:
    return sum(isinstance(row, str) for row in got)


def test_a_product_of_assumed_counts_and_rates_is_recorded_with_narrower_bounds(
        tmp_path: Path, kernels: list[Any]) -> None:
    policy = _policy(tmp_path)
    table = _table(5000, seed=1)
    result = B.evaluate_batch(policy, table, ON, block_rows=512)
    assert len(kernels) == 1  # recorded, not evaluated eagerly
    source = kernels[0].source
    assert f"greater(t0, {2**20 - 1}" in source or f", {2**20 - 1}, out=" in source  # the narrower bound
    assert "put(300000" in source  # 若 … 则 3000元: a constant written by the mask's density
    assert _batch(result) == _scalar(policy, table)
    assert B.evaluate_batch(policy, table, ON, block_rows=0).equals(result)  # as the whole chunk gives


def test_rows_beyond_the_narrower_bounds_get_the_scalar_answer(tmp_path: Path, kernels: list[Any]) -> None:
    policy = _policy(tmp_path)
    n = 5000
    counts = np.random.default_rng(2).integers(0, 4, n)
    shares = np.random.default_rng(3).integers(0, 10_001, n)
    counts[[5, 700]] = [2**20, 3 * 10**6]  # beyond 2**20 - 1: those rows go the scalar way
    shares[[9]] = [2**21]  # a rate of 209.7152 (beyond 2**20 - 1 at 4 places)
    shares[[11]] = [-1]  # a negative rate: the scalar path's error
    table = _table(n, seed=2, counts=counts, shares=shares)
    result = B.evaluate_batch(policy, table, ON, block_rows=512)
    assert len(kernels) == 1
    got = _batch(result)
    assert got == _scalar(policy, table)
    assert _errors(got) == 1 and isinstance(got[11], str)
    assert got[700] == (Decimal(3 * 10**6) * 1000 * Decimal(int(shares[700])) / 10_000, got[700][1])
    meta = result.schema.metadata[b"guize"].decode()
    assert '"rows_scalar": 4' in meta  # the four rows outside the bounds, not the chunk


def test_many_rows_beyond_the_narrower_bounds_read_the_bounds_off_the_data(
        tmp_path: Path, kernels: list[Any]) -> None:
    policy = _policy(tmp_path)
    n = 4000
    counts = np.random.default_rng(4).integers(0, 3 * 10**6, n)  # most rows above 2**20 - 1
    table = _table(n, seed=4, counts=counts)
    result = B.evaluate_batch(policy, table, ON, block_rows=512)
    assert len(kernels) == 2  # the narrower bounds missed too many rows: again from the data's bounds
    assert _batch(result) == _scalar(policy, table)
    assert '"rows_scalar": 0' in result.schema.metadata[b"guize"].decode()


@pytest.mark.parametrize("share", [0.0, 0.03, 0.5, 0.97, 1.0])
def test_put_writes_the_value_on_the_selected_rows(share: float) -> None:
    rng = np.random.default_rng(5)
    values = rng.integers(-10**9, 10**9, 32_768)
    where = rng.random(len(values)) < share
    want = values.copy()
    want[where] = 7
    got = values.copy()
    assert K.put(7, got, where) is got
    assert np.array_equal(got, want)


def test_narrower_bounds_only_for_counts_and_rates() -> None:
    assert B._narrow_top("int", 0) == 2**20 - 1
    assert B._narrow_top("rate", 4) == 2**20 - 1  # 100 (10,000 %) at 4 places is 10**6
    assert B._narrow_top("rate", 2) == 2**14 - 1
    assert B._narrow_top("rate", 12) is None  # no narrower than ASSUMED_MAX
    assert B._narrow_top("money", 2) is None


def test_a_second_evaluation_records_its_kernel_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = _policy(tmp_path)
    table = _table(5000, seed=6)
    recorded: list[int] = []
    columnar = B.Plan._columnar

    def spy(self: B.Plan, *args: Any) -> Any:
        recorded.append(1)
        return columnar(self, *args)

    monkeypatch.setattr(B.Plan, "_columnar", spy)
    first = B.evaluate_batch(policy, table, ON, block_rows=512)
    assert len(recorded) == 2  # 扣除 overflowed under the wide bounds: again with narrower ones
    recorded.clear()
    again = B.evaluate_batch(policy, table, ON, block_rows=512)
    assert len(recorded) == 1  # the evaluator remembers which inputs to narrow
    assert again.equals(first)
    assert _batch(again) == _scalar(policy, table)


def test_what_was_learned_is_only_advice(tmp_path: Path) -> None:
    """Narrowed bounds learned on small counts still give every row its exact answer when
    the next table's counts are beyond them (rows flagged, or bounds read off the data)."""
    policy = _policy(tmp_path)
    B.evaluate_batch(policy, _table(3000, seed=7), ON, block_rows=512)
    assert policy.batch.learned  # the first table taught the narrower bounds
    n = 3000
    counts = np.random.default_rng(8).integers(0, 3 * 10**6, n)
    shares = np.random.default_rng(9).integers(0, 10_001, n)
    shares[17] = -5  # a negative rate: the scalar path's error, with bounds read off the data
    table = _table(n, seed=8, counts=counts, shares=shares)
    got = _batch(B.evaluate_batch(policy, table, ON, block_rows=512))
    assert got == _scalar(policy, table)
    assert _errors(got) == 1 and isinstance(got[17], str)


def test_bounds_of_a_column_in_one_pass() -> None:
    words = np.array([[5, 0], [70, 0], [3, 0]], dtype=np.int64)
    assert B._bounds(words[:, 0], np) == (0, 70)  # strided, none negative: 0 and the largest
    assert B._bounds(np.array([4, -2, 9], dtype=np.int64), np) == (-2, 9)
    assert B._bounds(words[:, 0].copy()[:0], np) == (0, 0)


def test_a_strided_input_read_twice_is_loaded_once_per_block() -> None:
    """本次费用 and 本年已支付 (decimal128, read in place) are or-ed for their assumed bound and
    computed with: each is copied into a contiguous block buffer once, which the calls read."""
    policy = guize.load("policies/xinjiang/outpatient_2024.rule")
    table = arrow_table(make_rows(3000, seed=1))
    plan = policy.batch.plan(table.schema, ON, ["统筹基金支付"], False)
    columns = {name: B.one_column(table, name) for name in table.schema.names}
    days, versions, _bad, _outside = chunk_dates(plan, columns, table.num_rows)
    rec = K.Recorder(table.num_rows)
    plan.assume = True
    plan._columnar(columns, {}, table.num_rows, days, versions, None, None, rec)
    kernel, arrays = rec.kernel()
    strided = {f"c{i}" for i, a in enumerate(arrays) if not a.flags.c_contiguous}
    lines = [line.strip() for line in kernel.source.splitlines()[1:]]
    loads = [line for line in lines if line.startswith("copyto(t") and line.split(", ")[1].rstrip(")") in strided]
    assert len(loads) >= 2
    for line in lines:  # no other call reads a strided column (the results' words are written)
        if line not in loads and not line.startswith("copyto(c"):
            args = line[line.index("(") + 1:].split(", ")
            assert not strided & {a.rstrip(")") for a in args if not a.startswith("out=")}, line
    result = B.evaluate_batch(policy, table, ON, ["统筹基金支付"], block_rows=512)
    assert result.equals(B.evaluate_batch(policy, table, ON, ["统筹基金支付"], block_rows=0))


MASKS = """文件：
  标题：《条件相同的几个输出》
  施行日期：2024年1月1日

输入 人数：整数（人）
输入 分摊额：金额
输入 在疆注册：是否

定义 符合：是否 = 在疆注册 且 人数 ≥ 2人

输出 甲：金额 = 若 符合 则 分摊额 否则 0元
输出 乙：金额 = 若 符合 则 分摊额 × 2 否则 0元
输出 丙：金额 = 若 符合 则 分摊额 + 5元 否则 0元
输出 丁：金额 = 若 非 在疆注册 则 0元 否则 分摊额
"""


def _masks_case(tmp_path: Path, n: int, seed: int, registered: float) -> tuple[Any, Any]:
    """The MASKS policy and n random rows, `registered` of them 在疆注册."""
    rule = tmp_path / "masks.rule"
    rule.write_text(MASKS, encoding="utf-8")
    rng = np.random.default_rng(seed)
    table = pa.table({"人数": pa.array(rng.integers(0, 5, n)), "分摊额": _decimals(list(rng.integers(0, 10**7, n)), 2),
                      "在疆注册": pa.array(rng.random(n) < registered)})
    return guize.load(str(rule)), table


def test_a_mask_several_products_read_is_converted_once(tmp_path: Path, kernels: list[Any]) -> None:
    policy, table = _masks_case(tmp_path, 5000, 10, 0.7)
    result = B.evaluate_batch(policy, table, ON, block_rows=512)
    assert len(kernels) == 1
    lines = [line.strip() for line in kernels[0].source.splitlines()[1:]]
    masks = {line.split(", ")[1].rstrip(")") for line in lines if line.startswith("copyto(t") and ", b" in line}
    assert masks  # the condition, as int64 0/1
    assert not [line for line in lines if "dtype=k" in line and any(f", {m}," in line for m in masks)]
    assert result.equals(B.evaluate_batch(policy, table, ON, block_rows=0))
    for row, record in enumerate(table.to_pylist()):
        want = policy.evaluate(record, ON)
        assert [Decimal(result.column(k)[row].as_py()) for k in ("甲", "乙", "丙", "丁")] == [
            Decimal(want[k]) for k in ("甲", "乙", "丙", "丁")]


def test_not_of_not_is_the_condition_itself(tmp_path: Path, kernels: list[Any]) -> None:
    """若 非 X 则 0元 否则 Y keeps Y where X holds: no negation is computed (the one made for
    the condition is dropped from the kernel, its result unread)."""
    policy, table = _masks_case(tmp_path, 3000, 11, 0.5)
    result = B.evaluate_batch(policy, table, ON, ["丁"], block_rows=512)
    assert len(kernels) == 1
    assert "logical_not(" not in kernels[0].source
    want = [Decimal(policy.evaluate(record, ON, ["丁"])["丁"]) for record in table.to_pylist()]
    assert [Decimal(x) for x in result.column("丁").to_pylist()] == want
