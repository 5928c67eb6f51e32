"""Time `guize verify`: per file, per property kind and the slowest properties.

    python bench/verify_bench.py [PATH…] [--timeout 秒]     (default: policies/ and tests/verify/)

The issue's target: `guize verify policies/` under 60 s on a 2-core machine. The script prints
each file's time (load, encoding and solving), each property kind's total, the ten slowest
properties, and the corpus total as a ratio of that 60 s budget.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

BUDGET = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["policies", "tests/verify"])
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    os.environ.setdefault("GUIZE_CACHE_DIR", tempfile.mkdtemp())  # cold: compilation counts too
    os.chdir(ROOT)

    from guize.compiler.driver import rule_files
    from guize.tools.verify import verify_file

    results = []
    by_file: dict[str, float] = {}
    total = time.perf_counter()
    for path in rule_files(args.paths):
        start = time.perf_counter()
        rs = verify_file(str(path), args.timeout)
        by_file[str(path)] = time.perf_counter() - start
        results.extend(rs)
    total = time.perf_counter() - total

    print(f"{'文件':<48} {'性质':>5} {'秒':>8}")
    for path, seconds in by_file.items():
        count = sum(r.file == path for r in results)
        print(f"{path:<48} {count:>5} {seconds:>8.3f}")
    kinds: dict[str, list[float]] = collections.defaultdict(list)
    for r in results:
        kinds[r.kind].append(r.seconds)
    print(f"\n{'性质种类':<20} {'个数':>5} {'合计秒':>8} {'最长秒':>8}")
    for kind, times in sorted(kinds.items()):
        print(f"{kind:<20} {len(times):>5} {sum(times):>8.3f} {max(times):>8.3f}")
    print("\n最慢的十项性质：")
    for r in sorted(results, key=lambda r: -r.seconds)[:10]:
        print(f"  {r.seconds:8.3f}  {r.file}:{r.line} {r.kind} {r.subject} → {r.status}")
    statuses = collections.Counter(r.status for r in results)
    print(f"\n合计 {total:.2f} 秒，{len(results)} 项性质（{dict(statuses)}）；"
          f"占 {BUDGET:.0f} 秒预算的 {total / BUDGET:.1%}")


if __name__ == "__main__":
    main()
