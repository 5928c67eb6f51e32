"""Start-up of `guize eval` on a cached policy, as a ratio to `python -c pass`.

    python bench/startup_bench.py               # 41 paired rounds; --rounds N, --imports
    python bench/startup_bench.py --imports     # also: what the cached eval imports, slowest first

Target (issue 22): at most 3x `python -c pass`. Each round runs both commands as child
processes back to back, in alternating order, and takes the ratio of their times; the
script prints the median ratio and the middle half of the ratios, for wall time and for
the children's CPU time (user + system, from wait4: less disturbed by other programs on a
busy machine). The compile cache is filled first; the child may write bytecode, as an
installed package has it (PYTHONDONTWRITEBYTECODE is removed from its environment).

Where the time went before this work (2 vCPU VM, Python 3.11, -X importtime): about 125 ms
against 22 ms, 5.7x (8-13x on a busy machine). `guize eval` imported click (~6 ms with its
help formatter), guize.compiler.corpus and guize.compiler.driver to find the cached module
and decide repeal (which pulled in the IR, ~16 ms, and attrs, ~7 ms), dataclasses and
inspect, and hashed every file of the compiler and runtime (~50 files) for the cache key.
Now `guize eval` with plain options is parsed without click (guize/entry.py), the cached
module and its repeal are found by guize.runtime alone (runtime/modcache.py,
runtime/related.py), and the code's hash is cached by the files' sizes and times. That left
3.1-3.5x: typing (which the runtime imported for `Any` and NamedTuple, and which imports re,
enum, functools and contextlib), json (re again), threading, warnings and the neighbour scan's
regular expression were about a third of it. Now the runtime imports typing only when type
checking (runtime/tuples.py builds its named tuples with collections.namedtuple), reads dates,
units and 文号 without re, reads and writes JSON through json's own C module
(runtime/jsonfast.py), locks with _thread, imports warnings only to warn, and tests the
neighbours with two plain-text filters before the exact comparison.

Now (2 vCPU VM under load 8-10, three runs of 41 rounds): 2.12, 2.12, 2.22 (wall), 2.18, 2.20,
2.21 (CPU). Where the CPU time goes, as multiples of `python -c pass` (child processes importing
one more part each, medians of 41): Python itself 1; decimal (with collections and numbers) 0.3;
datetime 0.2; `import guize` (the runtime's modules) 0.35; guize.commands, modcache, related
and jsonfast 0.25; the run itself 0.2 (reading the .rule file and the cached bytecode,
executing it, scanning the 6 neighbours, evaluating, writing). tests/test_startup.py checks
the imported modules (not the time).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "xinjiang" / "outpatient_2024.rule"
RECORD = {"医院级别": "二级", "退休人员": False, "本次费用": 1000, "住院起付线": 600, "本年已就诊次数": 0, "本年已支付": 0}


def child_env(cache: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["GUIZE_CACHE_DIR"] = cache
    src = str(ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    return env


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{argv} exited with {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def imports(argv: list[str], env: dict[str, str], top: int) -> None:
    """The modules the command imports, by their own time (-X importtime, best of 5 runs)."""
    best: dict[str, int] = {}
    for _ in range(5):
        out = subprocess.run([sys.executable, "-X", "importtime", *argv], env=env, capture_output=True, text=True)
        for line in out.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, _cumulative, name = line[len("import time:"):].split("|")
            key = name.strip()
            best[key] = min(best.get(key, 1 << 60), int(own))
    total = sum(best.values())
    print(f"{len(best)} modules, {total / 1000:.1f} ms of imports (each module's best of 5 runs):")
    for name, us in sorted(best.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {us / 1000:6.2f} ms  {name}")
    print("compiler modules imported:", sorted(m for m in best if m.startswith(("guize.compiler", "lark"))) or "none")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=41)
    parser.add_argument("--imports", action="store_true", help="list the cached eval's imports")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "in.json"
        inp.write_text(json.dumps(RECORD, ensure_ascii=False), encoding="utf-8")
        env = child_env(str(Path(tmp) / "cache"))
        script = Path(sys.executable).with_name("guize")
        prefix = [str(script)] if script.exists() else [sys.executable, "-m", "guize"]
        rest = ["eval", str(POLICY), "--date", "2025-03-01", "--input", str(inp), "--output", "统筹基金支付"]
        guize, python = [*prefix, *rest], [sys.executable, "-c", "pass"]
        subprocess.run(guize, check=True, capture_output=True, env=env)  # fill the compile cache
        for _ in range(3):  # and the bytecode of guize and the modules it imports
            run(guize, env)
        walls: list[float] = []
        cpus: list[float] = []
        times: dict[str, list[float]] = {"guize": [], "python": []}
        for i in range(args.rounds):
            order = [("guize", guize), ("python", python)]
            measured = {name: run(argv, env) for name, argv in (order if i % 2 else order[::-1])}
            walls.append(measured["guize"][0] / measured["python"][0])
            cpus.append(measured["guize"][1] / max(measured["python"][1], 1e-4))
            times["guize"].append(measured["guize"][0])
            times["python"].append(measured["python"][0])
        if args.imports:
            imports([str(script) if script.exists() else "-m", *(["guize"] if not script.exists() else []), *rest],
                    env, args.top)

    def middle(xs: list[float]) -> str:
        q = statistics.quantiles(xs, n=4)
        return f"{q[0]:.2f}-{q[2]:.2f}"

    print(f"guize eval (cached): {statistics.median(times['guize']) * 1e3:.1f} ms wall; "
          f"python -c pass: {statistics.median(times['python']) * 1e3:.1f} ms ({args.rounds} paired rounds)")
    print(f"ratio, wall: {statistics.median(walls):.2f} (middle half {middle(walls)})")
    print(f"ratio, CPU:  {statistics.median(cpus):.2f} (middle half {middle(cpus)})  target <= 3")


if __name__ == "__main__":
    main()
