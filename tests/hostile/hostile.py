"""Hostile-input run: generated .rule files and input values that try to break guize.

Categories (each trial is seeded, so a finding can be replayed from its category and seed):

- mutants: the corpus' .rule files with tokens and lines deleted, duplicated or swapped, random
  keywords and punctuation inserted, full-width and half-width forms swapped;
- sizes: files at and past the nesting limits, long chains of definitions, wide files (many
  inputs, rows, outputs), long lines and huge numeric literals;
- injection: names, titles, notes, example names and file names holding Python code, quotes,
  backslashes, `__import__`, line breaks and bidi controls;
- values: huge and tiny numbers, NaN, Infinity, wrong JSON types as inputs of the corpus' policies.
- files: corrupt CSV, JSON Lines and Parquet inputs of `guize run`, and kill: `guize run` killed by
  SIGKILL (tests/hostile/batchfiles.py, which has their oracle; kill runs only in the full run).

The oracle, for each trial, in-process (the library functions the CLI calls):
- check, fmt, lint and evaluation raise nothing but RuleError (CompileError is one): no other
  exception, which the CLI would print as a Python traceback;
- fmt output parses again and is a fixed point;
- compiled evaluation and the reference interpreter agree (value or error type);
- no injected code runs: no marker file appears;
- no trial takes longer than SLOW seconds of CPU time.

`python tests/hostile/hostile.py` runs the full set (`make hostile`); `--cli` also runs a sample
of the trials through the `guize` command and looks for a traceback in its output.
tests/hostile/test_hostile.py runs a small seeded slice in the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import decimal
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import batchfiles  # noqa: E402
from shapes import SHAPES  # noqa: E402

from guize.compiler.driver import compile_source, module_from_source  # noqa: E402
from guize.runtime.errors import RuleError  # noqa: E402
from guize.runtime.policy import Policy  # noqa: E402
from guize.tools.fmt import FormatError, format_source  # noqa: E402
from guize.tools.lint.entry import lint_source  # noqa: E402

CORPUS = sorted([*ROOT.glob("policies/**/*.rule"), *ROOT.glob("tests/golden/good/*.rule")])
SLOW = 5.0  # seconds of CPU time for one trial
MARKER = "GUIZE_HOSTILE_MARKER"  # the file injected code tries to create, in the trial's folder
ON = datetime.date(2025, 3, 1)

# ---------------------------------------------------------------- generators


@dataclasses.dataclass
class Trial:
    category: str
    seed: int
    source: str
    name: str = "hostile.rule"  # the file name (injection varies it)
    values: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # inputs to evaluate
    note: str = ""
    file: tuple[bytes, list[dict[str, Any]]] | None = None  # "files": the batch file's bytes and its rows


_TOKEN = re.compile(r"[ \t\u3000]+|\n|[\u3400-\u4dbf\u4e00-\u9fffA-Za-z_·]+|\d[\d,.]*|.")
_WIDTH = {"：": ":", "（": "(", "）": ")", "，": ",", "＋": "+", "－": "-", "＝": "=", "\u3000": "  ", "、": ",",
          "「": '"', "」": '"', "×": "*", "÷": "/", "；": ";", "＃": "#"}
_WIDTH.update({v: k for k, v in list(_WIDTH.items()) if len(v) == 1})
_INSERTS = ["若", "则", "否则", "按", "分段", "：", "（", "）", "×", "+", "-", "0", "50%", "元", "自", "起", "\n  ", "\n",
            "、", "参照", "其他", "依据 第一条", "最高", "非", "=", "个百分点", "《", "》", "例", "期望", "输出", "输入",
            "文件：", "\t", "\u3000", "「", "」", "#", "以上", "不满", "至", "2024年2月30日", "9" * 30, "年份(", "定义 甲 = 甲"]


def _corpus_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in CORPUS]


def mutant(rng: random.Random, texts: list[str]) -> str:
    text = rng.choice(texts)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        if op < 4:
            toks = _TOKEN.findall(text)
            i = rng.randrange(len(toks))
            if op == 0:
                del toks[i]
            elif op == 1:
                toks.insert(i, toks[i])
            elif op == 2 and i + 1 < len(toks):
                toks[i], toks[i + 1] = toks[i + 1], toks[i]
            else:
                toks.insert(i, rng.choice(_INSERTS))
            text = "".join(toks)
        elif op < 7:
            lines = text.split("\n")
            i = rng.randrange(len(lines))
            if op == 4:
                del lines[i]
            elif op == 5:
                lines.insert(i, lines[rng.randrange(len(lines))])
            else:
                j = rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        else:  # one width swap, everywhere or at one place
            present = [c for c in _WIDTH if c in text]
            if present:
                c = rng.choice(present)
                if rng.random() < 0.5:
                    text = text.replace(c, _WIDTH[c])
                else:
                    k = text.index(c, rng.randrange(text.index(c), text.rindex(c) + 1)) if c in text else 0
                    text = text[:k] + _WIDTH[c] + text[k + len(c):]
    return text


_HEAD = "文件：\n  标题：《规模》\n  施行日期：2024年1月1日\n\n输入 甲：金额\n输入 真：是否\n"


def _cjk(i: int) -> str:
    """A distinct Chinese name for i (names cannot hold digits)."""
    out = ""
    while True:
        out = chr(0x4E00 + 0x200 + i % 400) + out
        i //= 400
        if not i:
            return "项" + out


def size(rng: random.Random, big: int = 1) -> str:
    """A file of one of eight shapes; `big` scales the widths (1 in the fast slice, 10 in the full run)."""
    kind = rng.randrange(8)
    if kind == 0:  # a construct at or just past its limit
        shape, limit = SHAPES[rng.choice(sorted(SHAPES))]
        return shape(limit + rng.choice([0, 0, 1, rng.randint(2, 300 * big)]))
    if kind == 1:  # a chain of definitions, each using the previous one
        n = rng.randint(2, 60 * big)
        lines = [f"定义 {_cjk(0)}：金额 = 甲"]
        lines += [f"定义 {_cjk(i)}：金额 = {_cjk(i - 1)} + 甲" for i in range(1, n)]
        return _HEAD + "\n".join(lines) + f"\n输出 结果：金额 = {_cjk(n - 1)}\n"
    if kind == 2:  # many inputs summed in groups
        n = rng.randint(1, 150 * big)
        lines = [f"输入 {_cjk(i)}：金额，默认 1元" for i in range(n)]
        groups = [" + ".join(_cjk(j) for j in range(i, min(i + 50, n))) for i in range(0, n, 50)]
        lines += [f"定义 {_cjk(100000 + g)}：金额 = {expr}" for g, expr in enumerate(groups)]
        total = " + ".join(_cjk(100000 + g) for g in range(len(groups))[:60])
        return _HEAD + "\n".join(lines) + f"\n输出 结果：金额 = {total}\n"
    if kind == 3:  # a wide enum table
        n = rng.randint(1, 200 * big)
        members = "、".join(_cjk(i) for i in range(n))
        rows = "\n".join(f"  {_cjk(i)}：{i}元" for i in range(n))
        return _HEAD + f"输入 级：{members}\n输出 结果：金额 按 级\n{rows}\n"
    if kind == 4:  # many bands
        n = rng.randint(1, 200 * big)
        rows = "\n".join(f"  {i * 10}元以上{i * 10 + 10}元以下（不含{i * 10 + 10}元）：{i}元" for i in range(n))
        return _HEAD + f"输出 结果：金额 按 甲 分段\n{rows}\n  其他：0元\n"
    if kind == 5:  # a long call
        n = rng.randint(1, 500 * big)
        return _HEAD + "输出 结果：金额 = 取较小值(" + ", ".join(["甲"] * n) + ")\n"
    if kind == 6:  # huge and tiny literals
        digits = rng.choice([30, 300, 5000, 20000])
        lit = rng.choice(["9" * digits, "0." + "0" * digits + "1", "1" + "0" * digits + "万元"])
        return _HEAD + f"参数 大 = {lit}\n输出 结果：金额 = 甲 × 大\n"
    if kind == 7 and rng.random() < 0.5:  # a table whose rows refer to each other (参照)
        n = rng.randint(2, 40 * big)
        members = "、".join(_cjk(i) for i in range(n))
        rows = "\n".join(f"  {_cjk(i)}：参照 {_cjk(i - 1)}" for i in range(1, n))
        return _HEAD + f"输入 级：{members}\n输出 结果：金额 按 级\n  {_cjk(0)}：1元\n{rows}\n"
    # many outputs, many lines
    n = rng.randint(1, 300 * big)
    return _HEAD + "\n".join(f"输出 {_cjk(i)}：金额 = 甲 + {i}元" for i in range(n)) + "\n"


_PAYLOADS = [
    f"__import__('os').system('touch {MARKER}')",
    f"open('{MARKER}', 'w').close()",
    f"'); open('{MARKER}', 'w').close(); ('",
    f'"); open("{MARKER}", "w").close(); ("',
    f"\\'); open('{MARKER}', 'w').close() #",
    f'""" + open("{MARKER}", "w").close() + """',
    "{0.__class__}", "%s%s%n", "\\", "\\\\n", "\\x00", "\u202e", "\u2066\u2069", "\u2028", "\x0c", "\r",
]
_NAMES = ["__import__", "__class__", "exec", "eval", "open", "print", "self", "data", "e", "_v", "Decimal",
          "__builtins__", "OUTPUTS", "_K0", "d_结果", "i_甲", "None", "True", "lambda", "import", "class"]


def injection(rng: random.Random) -> tuple[str, str]:
    """A source and a file name, one of them carrying a payload."""
    payload = rng.choice(_PAYLOADS)
    name = rng.choice(_NAMES)
    where = rng.randrange(8)
    title, note, example, filename = "规模", "无", "例一", "hostile.rule"
    inputs = "输入 甲：金额\n输入 真：是否\n"
    body = "输出 结果：金额 = 甲\n"
    if where == 0:
        title = payload.replace("《", "").replace("》", "").replace("\n", "")
    elif where == 1:
        note = payload.replace("」", "").replace("\n", "")
    elif where == 2:
        example = payload.replace("」", "").replace("\n", "")
    elif where == 3:  # a name that means something in the generated Python
        inputs += f"输入 {name}：金额\n"
        body = f"输出 结果：金额 = 甲 + {name}\n定义 {name}_值：金额 = {name}\n"
    elif where == 4:
        body = f"输出 {name}：金额 = 甲\n"
    elif where == 5:
        inputs += f"输入 级：{name}、{rng.choice(_NAMES)}乙\n"
        body = f"输出 结果：金额 按 级\n  {name}：甲\n  其他：0元\n"
    elif where == 6:
        filename = f"x\n{payload}\n#.rule" if rng.random() < 0.5 else f"x{payload}.rule"
    else:  # the payload inside a comment and a quoted issuer
        body += f"# {payload}\n"
        title = "规模〈" + payload.replace("《", "").replace("》", "").replace("\n", "").replace("〈", "").replace(
            "〉", "") + "〉"
    given = {3: f"  {name} = 2元\n", 5: f"  级 = {name}\n"}.get(where, "")
    expect = {3: "  期望 结果 = 3元\n", 4: f"  期望 {name} = 1元\n"}.get(where, "  期望 结果 = 1元\n")
    source = (f"文件：\n  标题：《{title}》\n  施行日期：2024年1月1日\n  备注：「{note}」\n\n{inputs}{body}\n"
              f"例 「{example}」：\n  日期：2025年3月1日\n  甲 = 1元\n  真 = 是\n{given}{expect}")
    return source, filename


_VALUES: list[Callable[[], Any]] = [
    lambda: "1e999999", lambda: "1E+999999", lambda: decimal.Decimal("1E+999999"), lambda: "1e-999999",
    lambda: 10**400, lambda: -(10**400), lambda: float("nan"), lambda: float("inf"), lambda: float("-inf"),
    lambda: "NaN", lambda: "Infinity", lambda: "-Infinity", lambda: decimal.Decimal("NaN"),
    lambda: decimal.Decimal("sNaN"), lambda: "", lambda: "  ", lambda: [], lambda: {}, lambda: None,
    lambda: True, lambda: False, lambda: "是", lambda: "一级", lambda: "9" * 5000, lambda: 1e308,
    lambda: -0.0, lambda: "1,000", lambda: "１２", lambda: "2024-02-30", lambda: "\u202e12", lambda: "12\x00",
    lambda: "0." + "0" * 40 + "1", lambda: 5e-324, lambda: "12.5", lambda: 3, lambda: "三", lambda: [1, 2],
    lambda: {"值": 1}, lambda: datetime.date(1, 1, 1), lambda: "9999-12-31",
]
SLOW_VALUES = {0, 1, 2, 3}  # values known to take seconds until the range check (issue 22) lands


def values(rng: random.Random, policy: Policy, fast: bool) -> list[dict[str, Any]]:
    names = [i.name for i in policy.inputs]
    pool = [v for i, v in enumerate(_VALUES) if not (fast and i in SLOW_VALUES)]
    out = []
    for _ in range(8):
        data: dict[str, Any] = {n: rng.choice(pool)() for n in names if rng.random() < 0.7}
        # Round-trip half of them through JSON, as `guize eval --input` reads them.
        if rng.random() < 0.5:
            with contextlib.suppress(TypeError, ValueError, OverflowError):
                data = json.loads(json.dumps(data, default=str), parse_float=decimal.Decimal)
        out.append(data)
    return out


def trials(seed: int, per_category: int, categories: list[str], fast: bool = False) -> Iterator[Trial]:
    texts = _corpus_texts()
    for category in categories:
        for i in range(per_category):
            s = seed * 1_000_003 + i
            rng = random.Random(f"{category}-{s}")
            if category == "mutants":
                yield Trial(category, s, mutant(rng, texts))
            elif category == "sizes":
                yield Trial(category, s, size(rng, 1 if fast else 10))
            elif category == "injection":
                source, name = injection(rng)
                yield Trial(category, s, source, name)
            elif category == "files":
                name, data, how, rows = batchfiles.file_trial(rng)
                yield Trial(category, s, "", name, note=how, file=(data, rows))
            elif category == "kill":
                yield Trial(category, s, "", note="SIGKILL during guize run")
            elif category == "values":
                path = rng.choice([p for p in CORPUS if "outpatient_2024" in p.name or "textile" in p.name
                                   or "arithmetic" in p.name or "date_inputs" in p.name])
                yield Trial(category, s, path.read_text(encoding="utf-8"), path.name, note=str(path))


CATEGORIES = ["mutants", "sizes", "injection", "values", "files"]
SLOW_CATEGORIES = ["kill"]  # seconds a trial: in the full run (`make hostile`), not in the test suite's slice

# ---------------------------------------------------------------- the oracle


@dataclasses.dataclass
class Finding:
    category: str
    seed: int
    stage: str
    what: str
    source: str
    name: str
    data: Any = None

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{self.category}-{self.seed}-{self.stage}"
        path = folder / f"{stem}.rule"
        path.write_text(self.source, encoding="utf-8")
        meta = {"category": self.category, "seed": self.seed, "stage": self.stage, "what": self.what,
                "file_name": self.name, "data": repr(self.data) if self.data is not None else None}
        (folder / f"{stem}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        return path


def _outcome(fn: Callable[[], Any]) -> Any:
    try:
        return ("ok", fn())
    except RuleError as exc:
        if not exc.message:
            raise AssertionError("a RuleError without a message") from exc
        return ("error", type(exc).__name__)


def _same(a: Any, b: Any) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == "error":
        return bool(a[1] == b[1])
    return bool(a[1] == b[1])


def run_trial(trial: Trial, folder: Path, fast: bool = False) -> tuple[str, list[Finding]]:
    """Run one trial in `folder` (its working directory); the outcome and any findings."""
    findings: list[Finding] = []
    path = folder / trial.name

    def find(stage: str, what: str, data: Any = None) -> None:
        findings.append(Finding(trial.category, trial.seed, stage, what, trial.source, trial.name, data))

    def guard(stage: str, fn: Callable[[], Any], data: Any = None) -> Any:
        try:
            return fn()
        except RuleError:
            raise
        except (FormatError, AssertionError) as exc:
            find(stage, f"{type(exc).__name__}: {exc}", data)
        except Exception as exc:  # anything else is a crash: the CLI would print a traceback
            find(stage, f"{type(exc).__name__}: {str(exc)[:200]}", data)
        return None

    if trial.category == "files" and trial.file is not None:
        return batchfiles.check_file(folder, trial.name, trial.file[0], trial.note, trial.file[1], find,
                                     _outpatient()), findings
    if trial.category == "kill":
        return batchfiles.kill_trial(folder, random.Random(trial.seed), find), findings
    outcome = "rule error"
    started = time.process_time()  # CPU time: on a busy machine the wall clock says little
    old = os.getcwd()
    os.chdir(folder)
    try:
        with contextlib.suppress(RuleError):
            compiled = guard("check", lambda: compile_source(trial.source, str(path)))
            if compiled is not None:
                outcome = "compiled"
        with contextlib.suppress(RuleError):
            formatted = guard("fmt", lambda: format_source(trial.source, str(path)))
            if formatted is not None:
                again = guard("fmt", lambda: format_source(formatted, str(path)))
                if again is not None and again != formatted:
                    find("fmt", "fmt output is not a fixed point")
        with contextlib.suppress(RuleError):
            guard("lint", lambda: lint_source(trial.source, str(path), ON))
        if outcome == "compiled" and compiled is not None:
            module = guard("load", lambda: module_from_source(compiled.python, "hostile_policy", str(path)))
            if module is not None:
                policy = Policy(module)
                inputs = trial.values or (values(random.Random(trial.seed), policy, fast)
                                          if trial.category == "values" else [_example_input(policy)])
                for data in inputs:
                    a = guard("evaluate", lambda data=data: _outcome(lambda: policy.evaluate(data, ON)), data)
                    b = guard("interpret", lambda data=data: _outcome(lambda: policy.interpret(data, ON)), data)
                    if a is not None and b is not None and not _same(a, b):
                        find("evaluate", f"compiled {a!r} but interpreted {b!r}", data)
                    guard("explain", lambda data=data: _outcome(lambda: policy.explain(data, ON).render()), data)
    finally:
        os.chdir(old)
    if (folder / MARKER).exists():
        find("injection", "injected code ran: the marker file exists")
        (folder / MARKER).unlink()
    elapsed = time.process_time() - started
    if elapsed > SLOW:
        find("time", f"took {elapsed:.1f} s")
    return outcome, findings


_POLICIES: dict[str, Policy] = {}


def _outpatient() -> Policy:
    if "outpatient" not in _POLICIES:
        import guize

        _POLICIES["outpatient"] = guize.load(batchfiles.POLICY)
    return _POLICIES["outpatient"]


def _example_input(policy: Policy) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for spec in policy.inputs:
        data[spec.name] = {"bool": True, "int": 1, "date": "2025-01-01"}.get(spec.kind, "1")
    return data


# ---------------------------------------------------------------- through the command line


def run_cli(trial: Trial, folder: Path) -> list[Finding]:
    """Run guize check/fmt --check/lint/eval on the trial's file; any traceback is a finding."""
    path = folder / trial.name
    try:
        path.write_text(trial.source, encoding="utf-8")
    except OSError:
        return []
    (folder / "input.json").write_text("{}", encoding="utf-8")
    out = []
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    for args in (["check", str(path)], ["fmt", "--check", str(path)], ["lint", str(path)],
                 ["eval", str(path), "--date", "2025-03-01", "--input", str(folder / "input.json"),
                  "--corpus", str(path)]):
        run = subprocess.run([sys.executable, "-m", "guize.cli", *args], capture_output=True, text=True,
                             cwd=folder, env=env, timeout=300)
        if "Traceback" in run.stderr or run.returncode not in (0, 1):
            tail = run.stderr.strip().splitlines()[-1:] or [""]
            out.append(Finding(trial.category, trial.seed, f"cli-{args[0]}",
                               f"exit {run.returncode}: {tail[0][:200]}", trial.source, trial.name))
    path.unlink()
    if (folder / MARKER).exists():
        out.append(Finding(trial.category, trial.seed, "cli-injection", "injected code ran", trial.source,
                           trial.name))
        (folder / MARKER).unlink()
    return out


# ---------------------------------------------------------------- main


def run(seed: int, per_category: int, categories: list[str], fast: bool = False, cli_every: int = 0,
        report: Callable[[str], None] = print) -> tuple[Counter[str], list[Finding]]:
    counts: Counter[str] = Counter()
    findings: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="guize-hostile-") as tmp:
        # A folder of its own inside: a local document (参照执行) looks for its base in the folder
        # above its own too, which must not be the system's temporary folder (thousands of files).
        folder = Path(tmp) / "trial"
        folder.mkdir()
        for n, trial in enumerate(trials(seed, per_category, categories, fast)):
            outcome, found = run_trial(trial, folder, fast)
            counts[f"{trial.category}: {outcome}"] += 1
            if cli_every and n % cli_every == 0:
                found += run_cli(trial, folder)
            for f in found:
                report(f"  发现 [{f.category} #{f.seed}] {f.stage}: {f.what}")
            findings += found
    return counts, findings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="guize 恶意输入测试：变异、规模、注入、异常取值")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--trials", type=int, default=300, help="每类的试验次数")
    ap.add_argument("--category", action="append", choices=CATEGORIES + SLOW_CATEGORIES,
                    help="只运行这些类别（可多次给出）；默认全部，其中 kill 每类只运行 --kills 次")
    ap.add_argument("--kills", type=int, default=10, help="kill 类（在 guize run 中途 kill -9）的试验次数")
    ap.add_argument("--cli", type=int, default=0, metavar="N", help="每 N 次试验另用 guize 命令运行一次")
    ap.add_argument("--save", default="build/hostile", help="保存发现的文件（可复现）的目录")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    chosen = args.category or CATEGORIES + SLOW_CATEGORIES
    counts, findings = run(args.seed, args.trials, [c for c in chosen if c not in SLOW_CATEGORIES],
                           cli_every=args.cli)
    if any(c in SLOW_CATEGORIES for c in chosen):
        more, found = run(args.seed, args.kills, [c for c in chosen if c in SLOW_CATEGORIES])
        counts += more
        findings += found
    for key, n in sorted(counts.items()):
        print(f"{key}: {n}")
    for f in findings:
        f.save(Path(args.save))
    print(f"{sum(counts.values())} 次试验，{len(findings)} 个发现，用时 {time.perf_counter() - started:.0f} 秒"
          + (f"；复现文件在 {args.save}/" if findings else ""))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
