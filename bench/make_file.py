"""Write a large outpatient input file for `guize run`: Parquet, CSV or JSON Lines.

    python bench/make_file.py --rows 10000000 /tmp/claims.parquet
    /usr/bin/time -v guize run policies/xinjiang/outpatient_2024.rule --date-column 就诊日期 \\
        --input /tmp/claims.parquet --output /tmp/out.parquet \\
        --only 起付标准 --only 支付比例 --only 统筹基金支付 --keep 编号

Rows come from bench/baselines.make_rows (money as decimal128(18, 2), 医院级别 as text),
plus 就诊日期 (one day of 2025 per row, inside the rule's validity) and 编号 (the row
number). The file is written a million rows at a time, so its size is not bounded by
memory.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baselines import arrow_table, make_rows

PIECE = 1_000_000
FIRST_DAY = (datetime.date(2025, 1, 1) - datetime.date(1970, 1, 1)).days


def piece(start: int, n: int) -> pa.Table:
    rows = np.arange(start, start + n, dtype=np.int64)
    dates = pa.array((FIRST_DAY + rows % 365).astype(np.int32), type=pa.date32())
    table = arrow_table(make_rows(n, seed=start // PIECE), level_as="string", dates=dates)
    return table.add_column(0, "编号", pa.array(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("output", type=Path, help="*.parquet, *.csv or *.jsonl")
    args = parser.parse_args()
    suffix = args.output.suffix.lower()
    if suffix not in (".parquet", ".csv", ".jsonl"):
        parser.error("the output must end in .parquet, .csv or .jsonl")
    schema = piece(0, 1).schema
    writer: pq.ParquetWriter | pacsv.CSVWriter | None = None
    text = None
    if suffix == ".parquet":
        writer = pq.ParquetWriter(args.output, schema)
    elif suffix == ".csv":
        writer = pacsv.CSVWriter(args.output, schema)
    else:
        text = args.output.open("w", encoding="utf-8")
    try:
        for start in range(0, args.rows, PIECE):
            table = piece(start, min(PIECE, args.rows - start))
            if writer is not None:
                writer.write_table(table)
            else:
                assert text is not None
                for row in table.to_pylist():
                    row["就诊日期"] = row["就诊日期"].isoformat()
                    for key in ("本次费用", "住院起付线", "本年已支付"):
                        row[key] = str(row[key])
                    text.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if writer is not None:
            writer.close()
        if text is not None:
            text.close()
    print(f"{args.rows:,} rows -> {args.output} ({args.output.stat().st_size / 2**20:,.0f} MB)")


if __name__ == "__main__":
    main()
