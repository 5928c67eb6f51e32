"""A large generated module is compiled in pieces (compiler/pieces.py) and its large functions
written in parts (compiler/splitfn.py), and its DEFS holds JSON text (compiler/defstable.py); each
changes how the code is held, never what it computes. Here all are forced on the corpus (every
statement a piece, every function split into parts of one statement, every expression text)
and every answer, and every error, is compared with the reference interpreter's and with the
module compiled whole."""

from __future__ import annotations

import datetime as dt
import itertools
import marshal
import random
from decimal import Decimal
from pathlib import Path
from types import CodeType
from typing import Any

import differential
import pytest
from test_compile_speed import reference_wrap

import guize
from guize.compiler import batchgen, codegen, defstable, literals, pieces, splitfn
from guize.compiler.driver import compile_source, module_from_source
from guize.runtime import modcache

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted((ROOT / "policies").rglob("*.rule"))


@pytest.fixture
def split_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every function split, every statement a piece of its own, every expression in DEFS JSON text."""
    monkeypatch.setattr(defstable, "DATA_ABOVE", 0)
    monkeypatch.setattr(splitfn, "LIMIT", 0)
    monkeypatch.setattr(splitfn, "PART", 1)
    monkeypatch.setattr(pieces, "PIECE", 1)


def inputs_for(policy: guize.Policy, rng: random.Random) -> dict[str, Any]:
    """Values of every kind an input may have, some missing, some wrong."""
    data: dict[str, Any] = {}
    for spec in policy.module.INPUTS:
        kind, pick = spec["kind"], rng.random()
        if pick < 0.08:
            continue  # missing
        if pick < 0.12:
            data[spec["name"]] = "不是数"
            continue
        if kind in ("money", "quantity", "rate"):
            data[spec["name"]] = Decimal(rng.choice([0, 1, 99, 1000, 3500, 12000, 250000])) / rng.choice([1, 100])
        elif kind in ("int", "duration", "age"):
            data[spec["name"]] = rng.choice([0, 1, 5, 12, 30, 61])
        elif kind == "bool":
            data[spec["name"]] = rng.random() < 0.5
        elif kind == "enum":
            data[spec["name"]] = rng.choice(list(spec["members"]))
        elif kind in ("date", "year_month"):
            data[spec["name"]] = dt.date(rng.choice([2019, 2023, 2025]), rng.randint(1, 12), 1)
    return data


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_split_modules_answer_as_the_interpreter(path: Path, split_all: None, tmp_path: Path) -> None:
    policy = guize.load(path, corpus=False, cache=False)
    if not policy.module.OUTPUTS:
        return
    compiled = compile_source(path.read_text(encoding="utf-8"), str(path))
    if "\n    def " not in compiled.python:  # (a function with nested ones, for lists, stays whole)
        assert "def _out_all_2(" in compiled.python and "def _out_subset_2(" in compiled.python
    rng = random.Random(path.stem)
    outputs = list(policy.module.OUTPUTS)
    for example in policy.examples:
        first, second = differential.answers(policy, dict(example["inputs"]), example["date"])
        assert first == second
    for on, _ in itertools.product((dt.date(2019, 6, 1), dt.date(2024, 6, 1), dt.date(2026, 1, 1)), range(15)):
        data = inputs_for(policy, rng)
        for asked in (None, outputs[:1], outputs[-2:]):
            first, second = differential.answers(policy, data, on, asked)
            assert first == second, (data, on, asked)


def test_pieces_make_the_module_compiled_whole(split_all: None) -> None:
    """Pieces of a generated module, run in order, define what the whole defines, with the same
    bytecode and each line where it is in the file (so tracebacks and LINE_MAP hold)."""
    path = ROOT / "policies" / "xinjiang" / "textile_2024.rule"
    compiled = compile_source(path.read_text(encoding="utf-8"), str(path))
    for source in (compiled.python, compiled.batch_python):
        code = pieces.compile_module(source, "gen.py")
        assert isinstance(code, tuple) and len(code) > 10
        whole = modcache.module_from_code(compile(source, "gen.py", "exec"), "whole", "gen.py")
        split = modcache.module_from_code(code, "split", "gen.py")
        assert sorted(whole.__dict__) == sorted(split.__dict__)
        for name, value in whole.__dict__.items():
            if hasattr(value, "__code__"):
                assert value.__code__.co_firstlineno == split.__dict__[name].__code__.co_firstlineno, name
                # The same bytecode (a piece repeats the imports: `_v.f()` stays an attribute load).
                assert value.__code__.co_code == split.__dict__[name].__code__.co_code, name
                lines = {line for _start, _end, line in value.__code__.co_lines()}
                assert lines == {line for _start, _end, line in split.__dict__[name].__code__.co_lines()}, name
    # The cache keeps the pieces: marshal writes and reads the tuple.
    loaded = marshal.loads(marshal.dumps(pieces.compile_module(compiled.python, "gen.py")))
    assert all(isinstance(c, CodeType) for c in loaded)


def test_a_cached_module_in_pieces_loads_without_the_compiler(split_all: None, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIZE_CACHE_DIR", str(tmp_path / "cache"))
    path = ROOT / "policies" / "xinjiang" / "outpatient_2024.rule"
    first = guize.load(path, corpus=False)
    entry = modcache.Entry(path.read_text(encoding="utf-8"), str(path))
    assert isinstance(marshal.loads(Path(entry.bytecode).read_bytes()), tuple)
    again = entry.load()
    assert again is not None and again.OUTPUTS == first.module.OUTPUTS
    checked = 0
    for example in first.examples:
        if example["error"] or example["not_in_force"]:
            continue
        data, on, asked = dict(example["inputs"]), example["date"], list(example["expects"])
        got = guize.Policy(again).evaluate(data, on, asked)
        assert got == first.evaluate(data, on, asked) == example["expects"]
        checked += 1
    assert checked


def test_split_statements_keep_their_rule_lines(split_all: None) -> None:
    """LINE_MAP follows the statements into their parts: a traceback still shows the .rule line."""
    from guize.runtime import tracebacks

    text = ("文件：\n  标题：《测试》\n  施行日期：2000年1月1日\n\n输入 甲：金额\n输入 乙：金额\n\n"
            "输出 和：金额 = 甲 + 乙\n\n输出 差：金额 = 甲 - 乙\n")
    compiled = compile_source(text, "t.rule")
    module = module_from_source(compiled.python, "t_split", "t.py")
    index = tracebacks.LineIndex.of(module)
    lines = compiled.python.split("\n")
    found = {name: [n for n, line in enumerate(lines, start=1)
                    if line.lstrip().startswith(f"d_{name} = ") and not line.endswith("= _U")]
             for name in ("和", "差")}
    assert len(found["和"]) >= 2 and len(found["差"]) >= 2  # out_all's part and out_subset's
    assert {index.rule_line(n) for n in found["和"]} == {8}
    assert {index.rule_line(n) for n in found["差"]} == {10}
    parts = [line for line in lines if line.startswith("def _out_all_")]
    assert len(parts) > 2


def test_cuts_fall_between_top_level_statements() -> None:
    source = "x = (1,\n2)\nif x:\n    y = 1\nelse:\n    y = 2\n\ndef f():\n    return 1\n# note\nz = 3\n"
    starts = {source[c:].split("\n")[0] for c in pieces.cuts(source, 1)}
    assert starts == {"x = (1,", "if x:", "def f():", "# note", "z = 3"}


def test_batchgen_forgets_what_an_unsupported_definition_added() -> None:
    """Constants and members added while a definition turned out not vectorisable are dropped
    (by counts, not copies): the module is the same as if it had never been tried."""
    text = ("文件：\n  标题：《测试》\n  施行日期：2000年1月1日\n\n类型 级别：一级、二级\n输入 级别：级别\n"
            "输入 甲：金额\n输入 乙：金额\n\n"
            "输出 商：金额 = 取较大值(甲 × 0.37，甲 ÷ 3)\n"  # an unrounded quotient in 取较大值: row by row
            "输出 积：金额 = 甲 × 0.5\n")
    compiled = compile_source(text, "t.rule")
    assert "商" in compiled.batch_python.split("FALLBACK = ")[1].split("\n")[0]
    assert "0.37" not in compiled.batch_python and "'0.5'" in compiled.batch_python


@pytest.mark.parametrize("line", [
    "x = " + " ".join(f"f({i}, 'a b c', [1, 2, 3])," for i in range(300)),
    "    DEFS = {" + ", ".join(f"'名{i}': b_名{i}" for i in range(500)) + "}",
    "y = g(" + "a" * 150 + ", " + "b" * 150 + ")",
])
def test_wrap_breaks_where_the_scan_did(line: str) -> None:
    """wrap finds its breaks by bisection; the lines are those the scan of every break gave."""
    assert literals.wrap(line, 10**9) == [line]  # unbroken
    assert literals.wrap(line) == reference_wrap(line)


def test_the_generated_code_is_deterministic(split_all: None) -> None:
    path = ROOT / "policies" / "xinjiang" / "textile_2024.rule"
    text = path.read_text(encoding="utf-8")
    first, second = compile_source(text, str(path)), compile_source(text, str(path))
    assert first.python == second.python and first.batch_python == second.batch_python
    assert codegen.generate(first.checked, str(path)) == first.python
    assert batchgen.generate(first.checked) == first.batch_python
