"""Time the list constructs: compiled evaluation against the reference interpreter, and batch.

    python bench/lists_bench.py [--rows N]

For the two list policies (累计预扣法 over 12 months; 最低生活保障 for a household of 5) it prints
the time of one compiled evaluation, the reference interpreter's, their ratio, the time per
row of evaluate_batch (lists go row by row: see docs/language.md §10) and its ratio to the
scalar path, and the cost per item of a long list (to show per-item work stays linear: the
running sums 累计 are kept, not recomputed).
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


if __name__ == "__main__":
    main()
