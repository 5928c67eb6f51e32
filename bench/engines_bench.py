"""guize inside DuckDB and Spark against `guize run` on the same Parquet file.

    pip install -e '.[duckdb,spark]'
    python bench/engines_bench.py --rows 10000000          # Spark needs Java 17
    python bench/engines_bench.py --rows 1000000 --no-spark

The file comes from bench/make_file.py (the outpatient rule's inputs, 就诊日期 per row). Each
engine computes the three outputs of 新政办发〔2024〕13号 第十四条 for every row with the date
column and writes them out: guize run to Parquet (run_file), DuckDB through
guize.engines.duckdb.evaluate written with COPY … TO parquet, Spark local[2] through
guize.engines.spark.evaluate written to Parquet. Wall time of each (one run, after a
warm-up on a small file), rows/s, and the ratio to guize run. Before timing, the engines'
answers on the first 10,000 rows are checked against evaluate_batch.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULE = ROOT / "policies" / "xinjiang" / "outpatient_2024.rule"
OUTPUTS = ["起付标准", "支付比例", "统筹基金支付"]


def make(path: Path, rows: int) -> None:
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_file.py"), "--rows", str(rows), str(path)],
                   check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-spark", action="store_true")
    args = parser.parse_args()
    import pyarrow.parquet as pq

    import guize
    from guize.runtime.files import run_file

    policy = guize.load(RULE)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "claims.parquet"
        make(data, args.rows)
        sample = pq.read_table(data).slice(0, 10_000)
        want = policy.evaluate_batch(sample, "就诊日期", OUTPUTS, keep=["编号"])
        results: dict[str, float] = {}

        t0 = time.perf_counter()
        run_file(policy, data, Path(tmp) / "run.parquet", "就诊日期", OUTPUTS, ["编号"])
        results["guize run"] = time.perf_counter() - t0

        try:
            import duckdb
        except ImportError:
            print("DuckDB: not installed (pip install duckdb)")
        else:
            from guize.engines import duckdb as gd

            con = duckdb.connect()
            got = gd.evaluate(con, policy, f"select * from '{data}' limit 10000", "就诊日期", OUTPUTS, keep=["编号"])
            assert got.to_arrow_table().to_pylist() == want.to_pylist(), "DuckDB answers differ"
            t0 = time.perf_counter()
            rel = gd.evaluate(con, policy, f"select * from '{data}'", "就诊日期", OUTPUTS, keep=["编号"])
            rel.write_parquet(str(Path(tmp) / "duck.parquet"))
            results["DuckDB (evaluate)"] = time.perf_counter() - t0

        if not args.no_spark:
            try:
                from pyspark.sql import SparkSession
            except ImportError:
                SparkSession = None
                print("Spark: not installed (pip install pyspark)")
            if SparkSession is not None:
                from guize.engines import spark as gs

                os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
                spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
                         .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate())
                spark.sparkContext.setLogLevel("ERROR")
                df = spark.read.parquet(str(data))
                head = gs.evaluate(df.limit(10_000), policy, "就诊日期", OUTPUTS, keep=["编号"], scale=2)
                got_rows = sorted((tuple(r) for r in head.collect()), key=lambda r: r[0])
                assert [dict(zip(head.columns, r, strict=True)) for r in got_rows] == \
                    sorted(want.to_pylist(), key=lambda r: r["编号"]), "Spark answers differ"
                t0 = time.perf_counter()
                gs.evaluate(df, policy, "就诊日期", OUTPUTS, keep=["编号"], scale=2) \
                    .write.mode("overwrite").parquet(str(Path(tmp) / "spark"))
                results["Spark local[2]"] = time.perf_counter() - t0
                spark.stop()

    base = results["guize run"]
    print(f"{args.rows:,} rows, three outputs, a date column; wall time (one run):")
    for name, seconds in results.items():
        print(f"  {name:20} {seconds:8.2f} s  {args.rows / seconds:12,.0f} rows/s  {seconds / base:5.2f}× guize run")


if __name__ == "__main__":
    main()
