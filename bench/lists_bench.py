"""Time the list constructs: compiled evaluation against the reference interpreter, and batch.

    python bench/lists_bench.py [--rows N]

For the two list policies (累计预扣法 over 12 months; 最低生活保障 for a household of 5) it prints
the time of one compiled evaluation, the reference interpreter's, their ratio, the time per
row of evaluate_batch (columnar over the flattened items: see docs/batch.md) and its ratio to the
scalar path, and the cost per item of a long list (to show per-item work stays linear: the
running sums 累计 are kept, not recomputed), and the same batch/compiled ratio for dated values on each
item's date, 唯一 and 当年1月的 (columnar, no row-by-row fallback). Last, 累计预扣法 over --big rows of 12 months by
evaluate_batch against the same computation hand-written in numpy over the list offsets
(exact integer cents): the ratio is the price of guize's generality and checks.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def per_call(fn: Any, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--big", type=int, default=200_000)
    args = parser.parse_args()
    os.environ.setdefault("GUIZE_CACHE_DIR", tempfile.mkdtemp())

    import pyarrow as pa

    import guize

    on = datetime.date(2024, 12, 31)
    months = [{"工资薪金收入": Decimal(30000 + 1000 * k), "专项扣除": Decimal(4500), "专项附加扣除": Decimal(2000)}
              for k in range(12)]
    family = [{"月收入": Decimal(300 * k), "年龄": 12 * (10 + 15 * k)} for k in range(5)]
    cases = [
        ("累计预扣法（12个月）", ROOT / "policies/national/iit_withholding_2019.rule", {"各月": months}),
        ("最低生活保障（5人）", ROOT / "policies/national/subsistence_allowance_2014.rule",
         {"当地最低生活保障标准": Decimal(800), "共同生活的家庭成员": family}),
    ]
    print(f"{'政策':<22} {'编译(µs)':>10} {'参考(µs)':>10} {'参考/编译':>9} {'批量每行(µs)':>13} {'批量/编译':>9}")
    for name, path, data in cases:
        policy = guize.load(path, corpus=False)
        assert policy.evaluate(data, on) == policy.interpret(data, on)
        compiled = per_call(lambda p=policy, d=data: p.evaluate(d, on), 2000)
        reference = per_call(lambda p=policy, d=data: p.interpret(d, on), 100)
        table = pa.Table.from_pylist([data] * args.rows)
        policy.evaluate_batch(table.slice(0, 10), on)
        batch = per_call(lambda p=policy, t=table: p.evaluate_batch(t, on), 3) / args.rows
        print(f"{name:<22} {compiled * 1e6:>10.1f} {reference * 1e6:>10.1f} {reference / compiled:>9.1f}"
              f" {batch * 1e6:>13.1f} {batch / compiled:>9.2f}")

    policy = guize.load(ROOT / "policies/national/iit_withholding_2019.rule", corpus=False)
    print("\n累计预扣法：列表长度与每项耗时（编译）")
    for n in (12, 120, 1200):
        data = {"各月": (months * (n // 12 + 1))[:n]}
        seconds = per_call(lambda d=data: policy.evaluate(d, on), 20)
        print(f"  {n:>5} 项  {seconds * 1e3:>8.2f} ms  每项 {seconds / n * 1e6:>6.1f} µs")

    one_item_by_columns(args.rows)
    columnar_against_numpy(policy, months, on, args.big)


ITEMS = """文件：
  标题：《按月取值》
  施行日期：2019年1月1日

类型 月度数据：
  月份：年月，适用日期，主键
  收入：金额

输入 各月：月度数据的列表
参数 月减除费用：金额
  自2019年1月1日起：5000元
  自2019年7月1日起：6000元

输出 各月应税：金额，按 各月 逐月 = 取较大值(收入 - 月减除费用，0元)
输出 七月收入：金额 = 唯一(各月 中 月份 = 2019年7月 的 收入)
输出 比一月增加：金额，按 各月 逐月 = 收入 - 当年1月的 收入
"""


def one_item_by_columns(rows: int) -> None:
    """Dated values on each item's date, 唯一 and 当年1月的 over 12 months: evaluate_batch per row
    (columnar: batchlists.version_at, one, in_month) against one compiled evaluation."""
    import pyarrow as pa

    import guize

    on = datetime.date(2019, 12, 31)
    path = Path(tempfile.mkdtemp()) / "items.rule"
    path.write_text(ITEMS, encoding="utf-8")
    policy = guize.load(path, corpus=False)
    data = {"各月": [{"月份": datetime.date(2019, m, 1), "收入": Decimal(8000 + 100 * m)} for m in range(1, 13)]}
    assert policy.evaluate(data, on) == policy.interpret(data, on)
    assert not policy.batch.program["fallback"], policy.batch.program["fallback"]
    compiled = per_call(lambda: policy.evaluate(data, on), 2000)
    table = pa.Table.from_pylist([data] * rows)
    policy.evaluate_batch(table.slice(0, 10), on)
    batch = per_call(lambda: policy.evaluate_batch(table, on), 3) / rows
    print(f"\n各项日期的参数、唯一、当年1月的（12个月）：编译 {compiled * 1e6:.1f} µs  批量每行 {batch * 1e6:.1f} µs"
          f"  批量/编译 {batch / compiled:.2f}")


def by_hand(column: Any) -> Any:
    """累计预扣法 in numpy over a list<struct> column's offsets: each month's withholding, in cents."""
    import numpy as np

    offsets = np.asarray(column.offsets, dtype=np.int64)
    items = column.values
    cents = []  # decimal128(18, 2): the low words are the cents
    for name in ("工资薪金收入", "专项扣除", "专项附加扣除"):
        field = items.field(name)
        words = np.frombuffer(field.buffers()[1], dtype=np.int64)[::2]
        cents.append(words[field.offset:field.offset + len(field)])
    net = cents[0] - cents[1] - cents[2]
    lengths = np.diff(offsets)
    seg = np.repeat(np.arange(len(lengths)), lengths)
    total = np.concatenate([[0], np.cumsum(net)])
    k = np.arange(len(net)) - offsets[:-1][seg] + 1  # the month's number within its row
    taxable = np.maximum(total[1:] - total[offsets[:-1]][seg] - 500_000 * k, 0)
    tax = np.zeros_like(taxable)  # in cents × 100 (rates in per cent)
    bands = [(0, 3), (3_600_000, 10), (14_400_000, 20), (30_000_000, 25), (42_000_000, 30), (66_000_000, 35),
             (96_000_000, 45)]
    for i, (lo, rate) in enumerate(bands):
        hi = bands[i + 1][0] if i + 1 < len(bands) else None
        part = np.maximum(taxable - lo, 0) if hi is None else np.clip(taxable - lo, 0, hi - lo)
        tax += part * rate
    due = (tax + 50) // 100  # 四舍五入到分 (non-negative)
    lift = seg.astype(np.int64) * (int(due.max()) + 1)
    peak = np.maximum.accumulate(due + lift) - lift
    before = np.concatenate([[0], peak[:-1]])
    before[offsets[:-1][lengths > 0]] = 0
    return peak - before


def columnar_against_numpy(policy: Any, months: list[dict[str, Any]], on: Any, rows: int) -> None:
    import pyarrow as pa

    month = pa.struct([("工资薪金收入", pa.decimal128(18, 2)), ("专项扣除", pa.decimal128(18, 2)),
                       ("专项附加扣除", pa.decimal128(18, 2))])
    column = pa.array([months] * rows, type=pa.list_(month))
    table = pa.table({"各月": column})
    policy.evaluate_batch(table.slice(0, 100), on)
    result = policy.evaluate_batch(table, on, outputs=["各月预扣税额"])
    guize_time = per_call(lambda: policy.evaluate_batch(table, on, outputs=["各月预扣税额"]), 3)
    hand_time = per_call(lambda: by_hand(column), 3)
    got = [int(x * 100) for x in result.column("各月预扣税额").combine_chunks().values.to_pylist()]
    assert got == by_hand(column).tolist(), "the hand-written numpy disagrees with guize"
    print(f"\n累计预扣法按列：{rows} 行 × 12 个月  guize {guize_time * 1e3:.0f} ms  手写 numpy {hand_time * 1e3:.0f} ms"
          f"  比值 {guize_time / hand_time:.1f}")


if __name__ == "__main__":
    main()
