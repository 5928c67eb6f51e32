"""One benchmark run, one table of ratios: guize against hand-written code and peer engines.

    pip install -e '.[bench]'          # numpy, pyarrow, zen-engine, openfisca-core
    python bench/run_bench.py          # about two minutes; --quick for a smoke run

Rows of the table (all measured in this one run, on the same machine, same inputs):

* scalar: Policy.evaluate on one record (the three outputs of the outpatient rule,
  新政办发〔2024〕13号 第十四条) against the hand-written Decimal function
  (bench/baselines.py), zen-engine and OpenFisca (one simulation per record) (bench/peers.py);
* batch: Policy.evaluate_batch on 1,000,000 rows (a pyarrow Table: decimal128 money,
  dictionary-encoded 医院级别) against the hand-written numpy function on integer fen (also
  with decimal64 money in, and in and out with evaluate_batch(..., decimal64=True)), and
  OpenFisca's vectorised simulation; peak memory of guize and numpy in child processes;
* compile: parse + check + generate (scalar and columnar code) over a generated corpus of
  at least 10,000 lines, in lines per second;
* start-up: `guize eval` on a cached policy as a whole process, against `python -c pass`.

Times are CPU seconds of this process (time.process_time): every compared function is
single-threaded, and CPU time does not count the time other programs take from a busy
machine. Each ratio is the median of many paired rounds, guize and the comparison back to
back on the same work, in alternating order (see `paired`); the table shows median times.
Start-up is the median wall time of a child process. Before timing, every engine's answers are checked against the
hand-written baselines. A missing peer prints "not installed" and its row is skipped.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
if importlib.util.find_spec("guize") is None:  # running from a checkout without installing
    sys.path.insert(0, str(ROOT / "src"))

POLICY = ROOT / "policies" / "xinjiang" / "outpatient_2024.rule"
OUTPUTS = ["起付标准", "支付比例", "统筹基金支付"]
ON = datetime.date(2025, 3, 1)


def have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def _between_rounds(k: int) -> None:
    """After every 16th round, one garbage collection (the collector is off while timing)."""
    if k % 16 == 15:
        gc.enable()
        gc.collect()
        gc.disable()


def paired(a: Callable[[Any], Any], b: Callable[[Any], Any], rounds: int,
           work: list[Any] | None = None) -> tuple[float, float, float, tuple[float, float]]:
    """Run a and b back to back, `rounds` times, on the same piece of work each round.

    Returns the median CPU time of a, of b, the median of the per-round ratios a/b and
    their interquartile range. The order alternates (ab, ba, ab, ...) so neither side always
    runs first; a ratio of two runs taken back to back cancels the slow drifts of a shared
    machine, and the median ignores the rounds another program disturbed.
    """
    work = work or [None]
    ta, tb, ratios = [], [], []
    clock = time.process_time
    gc.collect()
    gc.disable()  # a collection would land on whichever side happened to be running
    try:
        for k in range(rounds):
            piece = work[k % len(work)]
            order = ((a, ta), (b, tb)) if k % 2 == 0 else ((b, tb), (a, ta))
            for fn, acc in order:
                start = clock()
                fn(piece)
                acc.append(clock() - start)
            if tb[-1] > 0:
                ratios.append(ta[-1] / tb[-1])
            _between_rounds(k)
    finally:
        gc.enable()
    q1, _q2, q3 = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else (ratios[0],) * 3
    return statistics.median(ta), statistics.median(tb), statistics.median(ratios), (q1, q3)



def paired3(a: Callable[[Any], Any], b: Callable[[Any], Any], c: Callable[[Any], Any], rounds: int,
            ) -> tuple[float, float, float, float, float]:
    """`paired` with two baselines: a, b and c back to back each round, the order turning through
    all six (abc, acb, bac, ...). Returns the median CPU times of a, b and c and the medians of
    the per-round ratios a/b and a/c."""
    import itertools

    orders = list(itertools.permutations(range(3)))
    times: list[list[float]] = [[], [], []]
    ab, ac = [], []
    clock = time.process_time
    gc.collect()
    gc.disable()
    try:
        for k in range(rounds):
            for i in orders[k % len(orders)]:
                start = clock()
                (a, b, c)[i](None)
                times[i].append(clock() - start)
            if times[1][-1] > 0 and times[2][-1] > 0:
                ab.append(times[0][-1] / times[1][-1])
                ac.append(times[0][-1] / times[2][-1])
            _between_rounds(k)
    finally:
        gc.enable()
    ta, tb, tc = (statistics.median(t) for t in times)
    return ta, tb, tc, statistics.median(ab), statistics.median(ac)


def spread(iqr: tuple[float, float]) -> str:
    return f"{iqr[0]:.2f}–{iqr[1]:.2f}"


def fen_of(result: Any, name: str, per_unit: int) -> Any:
    """A decimal result column as integers in 1/per_unit (fen: 100; basis points: 10000)."""
    import numpy as np

    arr = result.column(name).combine_chunks()
    scale = arr.type.scale
    if arr.type.byte_width == 8:  # decimal64: the int64 values themselves
        low = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset:arr.offset + len(arr)]
    else:  # decimal128: the low words (the values fit in 64 bits)
        low = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset * 2::2][:len(arr)]
    factor = per_unit // 10**scale if 10**scale <= per_unit else None
    assert factor is not None, f"{name}: scale {scale} finer than 1/{per_unit}"
    return low * factor


# ---------------------------------------------------------------- measurements


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []
        self.notes: list[str] = []

    def add(self, what: str, guize: str, other: str, other_value: str, ratio: str) -> None:
        self.rows.append((what, guize, other, other_value, ratio))

    def print(self) -> None:
        from guize.compiler.diagnostics import display_width

        head = ("benchmark", "guize", "compared with", "its figure", "guize ÷ it")
        rows = [head, *self.rows]
        widths = [max(display_width(r[i]) for r in rows) for i in range(5)]
        for j, r in enumerate(rows):
            cells = []
            for i, cell in enumerate(r):
                pad = " " * (widths[i] - display_width(cell))
                cells.append(pad + cell if i in (1, 3, 4) else cell + pad)
            print("  ".join(cells).rstrip())
            if j == 0:
                print("  ".join("-" * w for w in widths))
        for note in self.notes:
            print(note)


def fmt(x: float, digits: int = 1) -> str:
    return f"{x:,.{digits}f}"


def scalar_rows(table: Table, args: argparse.Namespace, policy: Any) -> None:
    from baselines import make_rows, outpatient_decimal, to_records

    records = list(to_records(make_rows(args.scalar_rows, seed=13)))
    for r in records[:2000]:  # same answers before timing anything
        want, got = outpatient_decimal(r), policy.evaluate(r, ON, OUTPUTS)
        assert all(want[k] == got[k] for k in OUTPUTS), (r, want, got)

    # Rounds of 1,000 records each, both sides on the same records in each round.
    chunks = [records[i:i + 1000] for i in range(0, len(records), 1000)]

    def run_guize(chunk: list[dict[str, Any]]) -> None:
        evaluate = policy.evaluate
        for r in chunk:
            evaluate(r, ON, OUTPUTS)

    def run_decimal(chunk: list[dict[str, Any]]) -> None:
        for r in chunk:
            outpatient_decimal(r)

    t_guize, t_dec, ratio, iqr = paired(run_guize, run_decimal, args.scalar_rounds, chunks)
    per = 1e6 / len(chunks[0])
    g = t_guize * per
    table.add("scalar, µs per record", fmt(g, 2), "hand-written Python (Decimal)", fmt(t_dec * per, 2),
              fmt(ratio, 2))
    table.notes.append(f"scalar: median of {args.scalar_rounds} paired rounds of {len(chunks[0]):,} records; "
                       f"middle half of the ratios {spread(iqr)}.")
    if not (have("zen") and have("openfisca_core")):
        for name, mod in (("zen-engine", "zen"), ("OpenFisca", "openfisca_core")):
            table.add("", "", name, "not installed" if not have(mod) else "skipped", "—")
        table.notes.append("bench/peers.py needs both zen-engine and openfisca-core: "
                           "pip install -e '.[bench]'")
        return
    import peers

    for r in records[:200]:
        want, got = outpatient_decimal(r), peers.outpatient_zen(r)
        assert all(want[k] == got[k] for k in OUTPUTS), (r, want, got)

    def run_zen(chunk: list[dict[str, Any]]) -> None:
        for r in chunk:
            peers.outpatient_zen(r)

    _tg, t_zen, ratio_zen, _iqr = paired(run_guize, run_zen, max(8, args.scalar_rounds // 8), chunks)
    table.add("", "", f"zen-engine {version('zen-engine')} (evaluate)", fmt(t_zen * per, 2),
              fmt(ratio_zen, 3))
    few = records[:args.openfisca_rows]
    checked = few[:50]
    agree = sum(all(outpatient_decimal(r)[k] == v for k, v in peers.outpatient_openfisca(r).items())
                for r in checked)

    def run_openfisca() -> None:
        for r in few:
            peers.outpatient_openfisca(r)

    t_of = best(run_openfisca, 3) / len(few)
    table.add("", "", f"OpenFisca {version('OpenFisca-Core')} (1-row simulation)", fmt(t_of * 1e6, 0),
              fmt(g / (t_of * 1e6), 4))
    if agree < len(checked):
        table.notes.append(f"OpenFisca (float32 money) agrees to the cent on {agree}/{len(checked)} "
                           "scalar records.")


def batch_rows(table: Table, args: argparse.Namespace, policy: Any) -> None:
    import numpy as np
    import pyarrow as pa
    from baselines import arrow_table, make_rows, outpatient_numpy, outpatient_numpy_blocked

    n = args.rows
    cols = make_rows(n, seed=7)
    data = arrow_table(cols)
    result = policy.evaluate_batch(data, ON, outputs=OUTPUTS)
    want = outpatient_numpy(cols)
    assert result.column("错误").null_count == n
    for name, unit in (("起付标准", 100), ("支付比例", 10_000), ("统筹基金支付", 100)):
        assert np.array_equal(fen_of(result, name, unit), want[name]), name
    label = f"batch {n:,} rows, ms"

    def numpy_side(_: Any) -> None:
        outpatient_numpy(cols)

    t_guize, t_np, ratio, iqr = paired(lambda _: policy.evaluate_batch(data, ON, outputs=OUTPUTS),
                                       numpy_side, args.repeat)
    table.add(label, fmt(t_guize * 1e3), "hand-written numpy (int fen)", fmt(t_np * 1e3), fmt(ratio, 2))
    table.notes.append(f"batch: median of {args.repeat} paired runs; middle half of the ratios {spread(iqr)}.")
    blocked = outpatient_numpy_blocked(cols)
    for name in want:
        assert np.array_equal(blocked[name], want[name]), name
    _t_g, t_blk, ratio, _iqr = paired(lambda _: policy.evaluate_batch(data, ON, outputs=OUTPUTS),
                                      lambda _: outpatient_numpy_blocked(cols), max(3, args.repeat // 2))
    table.add("", "", "hand-written numpy, 8,192-row blocks", fmt(t_blk * 1e3), fmt(ratio, 2))
    if hasattr(pa, "decimal64"):
        d64 = arrow_table(cols, money_as="decimal64")
        t_64, t_np4, ratio, _iqr = paired(lambda _: policy.evaluate_batch(d64, ON, outputs=OUTPUTS),
                                          numpy_side, args.repeat)
        table.add("  money as decimal64(18,2)", fmt(t_64 * 1e3), "hand-written numpy (int fen)",
                  fmt(t_np4 * 1e3), fmt(ratio, 2))
        narrow = policy.evaluate_batch(d64, ON, outputs=OUTPUTS, decimal64=True)
        for name, unit in (("起付标准", 100), ("支付比例", 10_000), ("统筹基金支付", 100)):
            assert np.array_equal(fen_of(narrow, name, unit), want[name]), name
        t_65, t_np5, ratio, _iqr = paired(lambda _: policy.evaluate_batch(d64, ON, outputs=OUTPUTS, decimal64=True),
                                          numpy_side, args.repeat)
        table.add("  and results decimal64", fmt(t_65 * 1e3), "hand-written numpy (int fen)",
                  fmt(t_np5 * 1e3), fmt(ratio, 2))
    strings = arrow_table(cols, level_as="string")
    t_str, t_np2, ratio, _iqr = paired(lambda _: policy.evaluate_batch(strings, ON, outputs=OUTPUTS),
                                       numpy_side, max(3, args.repeat // 2))
    table.add("  医院级别 as plain strings", fmt(t_str * 1e3), "hand-written numpy (int fen)",
              fmt(t_np2 * 1e3), fmt(ratio, 2))
    days = np.array([(ON - datetime.date(1970, 1, 1)).days - k for k in range(30)], dtype=np.int32)
    dated = arrow_table(cols, dates=pa.array(np.resize(days, n), type=pa.date32()))
    t_dated, t_np3, ratio, _iqr = paired(lambda _: policy.evaluate_batch(dated, "就诊日期", outputs=OUTPUTS),
                                         numpy_side, max(3, args.repeat // 2))
    table.add("  date per row (就诊日期 column)", fmt(t_dated * 1e3), "hand-written numpy (int fen)",
              fmt(t_np3 * 1e3), fmt(ratio, 2))
    if have("openfisca_core") and have("zen"):
        import peers

        for label_of, system, money in (("int fen", peers.OPENFISCA_FEN, "fen"),
                                         ("float32", peers.OPENFISCA_FLOAT, "float")):
            t_of = best(lambda s=system, m=money: peers.openfisca_columns(s, cols, m), 3)  # type: ignore[misc]
            table.add("", "", f"OpenFisca vectorised ({label_of})", fmt(t_of * 1e3),
                      fmt(t_guize / t_of, 2))
    else:
        table.add("", "", "OpenFisca vectorised", "not installed" if not have("openfisca_core") else "skipped",
                  "—")
    mem_g = child_peak(args, "guize")
    mem_n = child_peak(args, "numpy")
    if mem_g is not None and mem_n is not None:
        table.add("  peak memory allocated, MB", fmt(mem_g, 0), "hand-written numpy", fmt(mem_n, 0),
                  fmt(mem_g / mem_n, 2))
    input_mb = data.nbytes / 2**20
    table.notes.append(f"batch input: pyarrow Table of {input_mb:,.0f} MB (decimal128(18,2) money, "
                       "dictionary 医院级别); output: decimal128(38,2) columns + 「错误」.")


def memory_child(which: str, rows: int) -> None:
    """Child process: the most memory allocated at once while evaluating `rows` rows once.

    numpy arrays and Python objects are counted by tracemalloc, Arrow buffers by Arrow's
    memory pool (guize takes its temporaries from there); the input, already allocated
    when counting starts, is not counted. RSS is not used: memory freed while building the
    input stays resident and hides what a run needs.
    """
    import tracemalloc

    import pyarrow as pa
    from baselines import arrow_table, make_rows, outpatient_numpy

    import guize

    cols = make_rows(rows, seed=7)
    if which == "guize":
        policy = guize.load(POLICY)
        data = arrow_table(cols)
        policy.evaluate_batch(arrow_table(make_rows(1000, seed=1)), ON, outputs=OUTPUTS)  # warm up
        run: Callable[[], Any] = lambda: policy.evaluate_batch(data, ON, outputs=OUTPUTS)  # noqa: E731
    else:
        outpatient_numpy(make_rows(1000, seed=1))
        run = lambda: outpatient_numpy(cols)  # noqa: E731
    gc.collect()
    pool = pa.proxy_memory_pool(pa.default_memory_pool())  # counts only what the run allocates
    pa.set_memory_pool(pool)
    tracemalloc.start()
    result = run()
    _now, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    print(json.dumps({"peak_mb": (traced_peak + pool.max_memory()) / 2**20}))


def child_peak(args: argparse.Namespace, which: str) -> float | None:
    out = subprocess.run([sys.executable, __file__, "--memory-child", which, "--rows", str(args.rows)],
                         capture_output=True, text=True, env=child_env())
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        return None
    value: float = json.loads(out.stdout.strip().splitlines()[-1])["peak_mb"]
    return value


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    # An installed package has its bytecode compiled (pip does it at install time); a shell
    # that sets PYTHONDONTWRITEBYTECODE would make every start-up compile guize, click and
    # the stdlib modules they import from source, which is not what users see.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    src = str(ROOT / "src")
    if src not in env.get("PYTHONPATH", "") and importlib.util.find_spec("guize") is not None:
        spec = importlib.util.find_spec("guize")
        if spec and spec.origin and spec.origin.startswith(src):
            env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    return env


def generated_corpus(min_lines: int, folder: Path) -> list[tuple[str, str, list[tuple[str, str]] | None]]:
    """Copies of the corpus (each file renamed per copy) totalling >= min_lines lines, written
    under `folder`: (path, text, the chain it is checked with). An amendment or a local document
    is checked merged with what it builds on (driver.layered_files finds them beside it, as
    `guize check` does); that is looked up here, before anything is timed."""
    from guize.compiler.driver import layered_files

    sources = [(p.parent.name, p.name, p.read_text(encoding="utf-8"))
               for p in sorted((ROOT / "policies").rglob("*.rule"))]
    out: list[tuple[str, str, list[tuple[str, str]] | None]] = []
    lines = 0
    copy = 0
    while lines < min_lines:
        copy += 1
        written = []
        for group, name, text in sources:
            path = folder / f"{copy:03d}" / group / name
            path.parent.mkdir(parents=True, exist_ok=True)
            text = text.replace("》", f"（第{copy}份）》", 1)
            path.write_text(text, encoding="utf-8")
            written.append((str(path), text))
            lines += text.count("\n")
        out += [(path, text, layered_files(text, path)) for path, text in written]
    return out


def compile_row(table: Table, args: argparse.Namespace) -> None:
    from guize.compiler.diagnostics import CompileError
    from guize.compiler.driver import compile_source

    with tempfile.TemporaryDirectory() as tmp:
        corpus = generated_corpus(args.corpus_lines, Path(tmp))
    total = sum(text.count("\n") for _p, text, _files in corpus)

    def run() -> None:
        for path, text, files in corpus:
            try:
                compile_source(text, path, files)
            except CompileError as exc:  # metadata-only files compile too; anything else is a bug
                raise AssertionError(exc.render()) from None

    t = best(run, 3)
    table.add(f"compile {total:,} lines, lines/s", fmt(total / t, 0), "—", "—", "—")


def startup_row(table: Table, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "in.json"
        inp.write_text(json.dumps({"医院级别": "二级", "退休人员": False, "本次费用": 1000, "住院起付线": 600,
                                   "本年已就诊次数": 0, "本年已支付": 0}, ensure_ascii=False), encoding="utf-8")
        script = Path(sys.executable).with_name("guize")
        cmd = [str(script)] if script.exists() else [sys.executable, "-m", "guize.cli"]
        cmd += ["eval", str(POLICY), "--date", "2025-03-01", "--input", str(inp), "--output", "统筹基金支付"]
        env = child_env()
        subprocess.run(cmd, check=True, capture_output=True, env=env)  # fill the compile cache

        def wall(argv: list[str]) -> float:
            times = []
            for _ in range(args.startup_runs):
                start = time.perf_counter()
                subprocess.run(argv, check=True, capture_output=True, env=env)
                times.append(time.perf_counter() - start)
            return statistics.median(times)

        t_guize = wall(cmd)
        t_py = wall([sys.executable, "-c", "pass"])
    how = "guize eval" if script.exists() else "python -m guize.cli eval"
    table.add(f"start-up: {how}, ms", fmt(t_guize * 1e3), "python -c pass", fmt(t_py * 1e3),
              fmt(t_guize / t_py, 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows for the batch benchmark")
    parser.add_argument("--scalar-rows", type=int, default=20_000)
    parser.add_argument("--scalar-rounds", type=int, default=400, help="paired rounds of 1,000 records")
    parser.add_argument("--openfisca-rows", type=int, default=200)
    parser.add_argument("--corpus-lines", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15, help="paired runs of each batch")
    parser.add_argument("--startup-runs", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script runs")
    parser.add_argument("--memory-child", choices=["guize", "numpy"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.rows)
        return
    if args.quick:
        args.rows, args.scalar_rows, args.openfisca_rows = 20_000, 2_000, 20
        args.corpus_lines, args.repeat, args.startup_runs, args.scalar_rounds = 2_000, 3, 3, 8
    import guize

    print(f"guize {guize.__version__}, Python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs; numpy {version('numpy')}, pyarrow {version('pyarrow')}")
    table = Table()
    policy = guize.load(POLICY)
    if have("numpy"):
        scalar_rows(table, args, policy)
    else:
        table.add("scalar, µs per record", "—", "hand-written Python (Decimal)", "not installed (numpy)", "—")
    if have("numpy") and have("pyarrow"):
        batch_rows(table, args, policy)
    else:
        table.add("batch", "—", "numpy / pyarrow", "not installed", "—")
    compile_row(table, args)
    if shutil.which("true") is not None:
        startup_row(table, args)
    table.print()


if __name__ == "__main__":
    main()
