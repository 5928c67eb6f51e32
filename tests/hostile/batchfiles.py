"""Hostile batch files for `guize run` (tests/hostile/hostile.py, categories "files" and "kill").

files: a CSV, JSON Lines or Parquet input for the outpatient policy, its cells drawn from
hostile values (huge, tiny, too many digits, NaN, wrong types, control characters…), then
perhaps corrupted (truncated, bytes flipped, a NUL, a BOM, GBK, a ragged or repeated row, an
extra or missing column, a huge line). The oracle runs guize.runtime.files.run_file (what
`guize run` calls): it raises nothing but RuleError; a run that fails leaves no output file; no
temporary file is left; and for a file that was not corrupted, each output row equals
Policy.evaluate on that row (value, or an error on exactly the same rows).

kill: `guize run` on a CSV of many rows is killed (SIGKILL) after a random delay; then the
output is absent or whole (never half-written), and the next run leaves no temporary behind.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "xinjiang" / "outpatient_2024.rule"
ROW = {"医院级别": "二级", "退休人员": "否", "本次费用": "1000", "住院起付线": "600", "本年已就诊次数": "0",
       "本年已支付": "0"}
OUTPUT = "统筹基金支付"
CELLS = ["1e999999", "1e-999999", "0." + "0" * 2000 + "1", "9" * 5000, "NaN", "Infinity", "-1", "", " ",
         "1,000", "１２", "12元", "80%", "0.5", "三级", "是", "true", "\x00", "\u202e12", "2024-02-30",
         "1E+15", "999999999999999", "0E-1001", "1." + "1" * 1001, "\ufeff100", "\"", "a,b", "x\ny"]
JSON_CELLS: list[Any] = [None, True, [], {}, [1, 2], {"元": 1}, 1e308, 10**400, -0.0, 3, 12.5]
CORRUPTIONS = ["none", "none", "none", "truncate", "flip", "nul", "bom", "gbk", "ragged", "repeat-header",
               "extra-column", "missing-column", "huge-line", "empty", "binary"]


def rows_for(rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for _ in range(rng.randint(1, 12)):
        row: dict[str, Any] = dict(ROW)
        for name in row:
            if rng.random() < 0.25:
                row[name] = rng.choice(CELLS)
        rows.append(row)
    return rows


def encode(rng: random.Random, kind: str, rows: list[dict[str, Any]]) -> bytes:
    if kind == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(ROW), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode("utf-8")
    if kind == "jsonl":
        lines = []
        for row in rows:
            for k in row:
                if rng.random() < 0.1:
                    row[k] = rng.choice(JSON_CELLS)  # (in place: the oracle evaluates what was written)
            lines.append(json.dumps(row, ensure_ascii=False))
        return ("\n".join(lines) + "\n").encode("utf-8")
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({k: pa.array([str(r[k]) for r in rows], pa.string()) for k in ROW})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def corrupt(rng: random.Random, data: bytes, how: str) -> bytes:
    if how == "none" or not data:
        return data
    at = rng.randrange(len(data))
    if how == "truncate":
        return data[:at]
    if how == "flip":
        raw = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        return bytes(raw)
    if how == "nul":
        return data[:at] + b"\x00" + data[at:]
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    if how == "gbk":
        try:
            return data.decode("utf-8").encode("gbk", errors="replace")
        except UnicodeDecodeError:
            return data
    lines = data.split(b"\n")
    if how == "ragged" and len(lines) > 1:
        lines[1] += b",extra"
    elif how == "repeat-header":
        lines.insert(rng.randint(1, len(lines)), lines[0])
    elif how == "extra-column":
        lines = [line + (b",x" if i else b",\xe5\xa4\x9a") for i, line in enumerate(lines) if line]
    elif how == "missing-column":
        lines = [line.rsplit(b",", 1)[0] for line in lines]
    elif how == "huge-line":
        lines.insert(1, b"9" * 2_000_000)
    elif how == "empty":
        return b""
    elif how == "binary":
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 4000)))
    return b"\n".join(lines)


def file_trial(rng: random.Random) -> tuple[str, bytes, str, list[dict[str, Any]]]:
    """(file name, its bytes, the corruption, the rows written)."""
    kind = rng.choice(["csv", "jsonl", "parquet"])
    rows = rows_for(rng)
    how = rng.choice(CORRUPTIONS)
    return f"input.{kind}", corrupt(rng, encode(rng, kind, rows), how), how, rows


def check_file(folder: Path, name: str, data: bytes, how: str, rows: list[dict[str, Any]],
               find: Any, policy: Any) -> str:
    """Run the file through run_file; report findings through find(stage, what)."""
    from guize.runtime.errors import RuleError
    from guize.runtime.files import run_file

    source = folder / name
    source.write_bytes(data)
    target = folder / "output.csv"
    outcome = "run"
    try:
        summary = run_file(policy, source, target, datetime.date(2025, 3, 1), [OUTPUT])
    except RuleError as exc:
        outcome = "rule error"
        if not exc.message:
            find("run", "a RuleError without a message")
        if target.exists():
            find("run", "a failed run left an output file")
    except Exception as exc:  # the CLI would print a traceback
        find("run", f"{type(exc).__name__}: {str(exc)[:200]}")
        return "crash"
    else:
        written = list(csv.DictReader(target.read_text(encoding="utf-8-sig").splitlines()))
        if len(written) != summary["rows"]:
            find("run", f"{summary['rows']} rows counted but {len(written)} written")
        if how == "none" and not name.endswith(".parquet"):  # (Parquet cells are all text: the same)
            for n, (row, out) in enumerate(zip(rows, written, strict=False), 1):
                expected = _scalar(policy, row, "" if name.endswith(".csv") else None)
                got = ("error", None) if out["错误"] else ("ok", out[OUTPUT])
                if expected[0] != got[0] or (got[0] == "ok" and expected[1] != got[1]):
                    find("run", f"row {n}: run gave {got} but evaluate gives {expected}")
        elif how == "none" and len(written) != len(rows):
            find("run", f"{len(rows)} rows in, {len(written)} out")
    leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    if leftovers:
        find("run", f"temporary files left: {leftovers}")
    for p in folder.iterdir():
        p.unlink()
    return outcome


def _scalar(policy: Any, row: dict[str, Any], null: Any) -> tuple[str, Any]:
    """Policy.evaluate on a row as written, its null cells ("" in CSV, null in JSON) left out."""
    from guize.runtime.errors import RuleError

    try:
        value = policy.evaluate({k: v for k, v in row.items() if not (type(v) is type(null) and v == null)},
                                "2025-03-01", [OUTPUT])[OUTPUT]
    except RuleError:
        return ("error", None)
    return ("ok", str(value))


def kill_trial(folder: Path, rng: random.Random, find: Any) -> str:
    """Kill `guize run` after a random delay; the output is absent or whole, and a second run
    leaves no temporaries."""
    header = ",".join(ROW)
    line = ",".join(ROW.values())
    rows = rng.choice([200_000, 500_000, 1_000_000])
    source = folder / "big.csv"
    source.write_text(header + "\n" + (line + "\n") * rows, encoding="utf-8")
    target = folder / rng.choice(["out.csv", "out.parquet", "out.jsonl"])
    cmd = [sys.executable, "-m", "guize.cli", "run", str(POLICY), "--date", "2025-03-01", "--input", str(source),
           "--output", str(target), "--only", OUTPUT, "--chunk-rows", "5000", "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    time.sleep(rng.uniform(0.05, 1.0))  # (a million rows take a second or two: most runs are killed)
    killed = child.poll() is None
    if killed:
        child.send_signal(signal.SIGKILL)
    child.wait()
    if target.exists() and not _whole(target, rows):
        find("kill", f"a killed run left a partial {target.name}")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    if done.returncode != 0 or "Traceback" in done.stderr:
        find("kill", f"the run after the kill failed: {done.stderr.strip()[-200:]}")
    elif not _whole(target, rows):
        find("kill", "the run after the kill wrote a partial output")
    leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    if leftovers:
        find("kill", f"temporary files left after the next run: {leftovers}")
    for p in folder.iterdir():
        p.unlink()
    return "killed" if killed else "finished before the kill"


def _whole(target: Path, rows: int) -> bool:
    if target.suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            return bool(pq.read_metadata(target).num_rows == rows)
        except Exception:
            return False
    lines = target.read_bytes().count(b"\n")
    return lines == rows + (1 if target.suffix == ".csv" else 0)
