"""Nesting and size limits: a file past a limit gets 「嵌套过深」 (E015) with its location, never a
traceback; a file at the limit goes through every stage (check, compile, evaluate, interpret,
explain, fmt, lint) without hitting Python's recursion limit."""

from __future__ import annotations

import datetime
import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from shapes import INPUT, SHAPES

import guize
from guize.compiler import limits, parser
from guize.compiler.diagnostics import CompileError
from guize.compiler.driver import check_source, compile_source
from guize.tools.fmt import format_source
from guize.tools.lint.entry import lint_source

GUIZE = [sys.executable, "-m", "guize.cli"]
ON = datetime.date(2025, 3, 1)


def _guize(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GUIZE, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")})


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_one_level_past_the_limit_is_a_located_error(name: str) -> None:
    shape, limit = SHAPES[name]
    with pytest.raises(CompileError) as info:
        parser.parse(shape(limit + 1), f"{name}.rule")
    [diag] = info.value.diagnostics
    assert diag.code == "E015" and "嵌套过深" in diag.message and f"超过了 {limit} 层的上限" in diag.message
    assert diag.span.file == f"{name}.rule" and diag.span.line >= 8 and diag.span.column > 1


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_stage_handles_a_file_at_the_limit(name: str, tmp_path: Path) -> None:
    shape, limit = SHAPES[name]
    source = shape(limit)
    path = tmp_path / f"{name}.rule"
    path.write_text(source, encoding="utf-8")
    checked = check_source(source, str(path))
    assert not [d for d in checked.diagnostics if d.severity == "error"]
    policy = guize.load(path, corpus=False)
    result = policy.evaluate(INPUT, ON)
    assert result == policy.interpret(INPUT, ON)
    assert "结果" in policy.explain(INPUT, ON).render()
    formatted = format_source(source, str(path))
    assert format_source(formatted, str(path)) == formatted
    assert [d for d in lint_source(source, str(path)) if d.severity == "error"] == []
    lines = source.count("\n")
    assert lines < 200  # a deep file here is small: the limit is on depth, not on size


DEEP = {  # the sizes reported in issue 22
    "parens": "输出 结果：金额 = " + "(" * 5000 + "甲" + ")" * 5000,
    "minus": "输出 结果：金额 = " + "-" * 5000 + "甲",
    "ifs": "输出 结果：金额 = " + "若 真 则 甲 否则 " * 2000 + "甲",
    "sum": "输出 结果：金额 = 1元" + " + 1元" * 3000,
}


def test_deep_files_end_check_with_a_message_not_a_traceback(tmp_path: Path) -> None:
    good = tmp_path / "good.rule"
    good.write_text(SHAPES["sum_chain"][0](3), encoding="utf-8")
    for name, line in DEEP.items():
        (tmp_path / f"{name}.rule").write_text(SHAPES["sum_chain"][0](1).replace("输出 结果：金额 = 甲 + 甲", line),
                                               encoding="utf-8")
    (tmp_path / "blocks.rule").write_text(SHAPES["blocks"][0](300), encoding="utf-8")
    run = _guize("check", str(tmp_path))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and "Error" not in run.stderr
    for name in [*DEEP, "blocks"]:
        assert f"{tmp_path / name}.rule:" in run.stderr
    assert run.stderr.count("嵌套过深") == 5 and f"超过了 {limits.MAX_DEPTH} 层的上限" in run.stderr
    assert f"超过了 {limits.MAX_BLOCK_DEPTH} 层的上限" in run.stderr
    assert f"{tmp_path / 'parens'}.rule:8:{len('输出 结果：金额 = ') + limits.MAX_DEPTH + 1}:" in run.stderr
    # The good file beside them still evaluates.
    (tmp_path / "in.json").write_text('{"甲": 1, "真": true, "级": "一级"}', encoding="utf-8")
    run = _guize("eval", str(good), "--date", "2025-03-01", "--input", str(tmp_path / "in.json"))
    assert "Traceback" not in run.stderr and run.returncode == 0
    assert '"结果": 4.00' in run.stdout


def test_a_megabyte_statement_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "big.rule"
    path.write_text(SHAPES["sum_chain"][0](1).replace("甲 + 甲", "1元" + " + 1元" * 200_000), encoding="utf-8")
    assert path.stat().st_size > 1_000_000
    run = _guize("check", str(path))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert f"一条语句超过 {limits.MAX_STATEMENT_TOKENS} 个词" in run.stderr
    assert f"{path}:8:" in run.stderr


@pytest.mark.parametrize("literal", ["1" + "0" * 18, "1" + "0" * 15 + "万", "1" + "0" * 18 + "亿元", "0." + "0" * 10 + "1",
                                     "1" + "0" * 30 + "万元"])
def test_a_numeric_literal_out_of_range_is_a_located_error(literal: str) -> None:
    with pytest.raises(CompileError) as info:
        check_source(SHAPES["sum_chain"][0](1).replace("甲 + 甲", f"甲 × {literal}"), "big.rule")
    [diag] = info.value.diagnostics
    assert diag.code == "E011" and f"数值「{literal}」超出范围" in diag.message
    assert (diag.span.line, diag.span.column) == (8, len("输出 结果：金额 = 甲 × ") + 1)


@pytest.mark.parametrize("literal", ["9" * 18, "99999999999999亿元", "0.0000000001", "999999999999999999.9999999999"])
def test_a_numeric_literal_at_the_limit_checks(literal: str) -> None:
    source = SHAPES["sum_chain"][0](1).replace("输出 结果：金额 = 甲 + 甲", f"参数 大 = {literal}\n输出 结果：金额 = 甲 × 大")
    checked = check_source(source.replace("结果：金额 = 甲 × 大", "结果：金额 = 甲 + 大 × 1元")
                           if "元" not in literal else source.replace("甲 × 大", "甲 + 大"), "big.rule")
    assert not [d for d in checked.diagnostics if d.severity == "error"]


def _chain(n: int) -> str:
    names = ["项" + chr(0x4E00 + 0x200 + i // 400) + chr(0x4E00 + 0x200 + i % 400) for i in range(n)]
    lines = [f"定义 {names[0]}：金额 = 甲", *(f"定义 {b}：金额 = {a} + 甲" for a, b in itertools.pairwise(names))]
    return SHAPES["sum_chain"][0](1).replace("输出 结果：金额 = 甲 + 甲", "\n".join(lines) + f"\n输出 结果：金额 = {names[-1]}")


def test_a_very_long_chain_of_definitions_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "chain.rule"
    path.write_text(_chain(3000), encoding="utf-8")
    (tmp_path / "in.json").write_text('{"甲": 1, "真": true, "级": "一级"}', encoding="utf-8")
    for args in (["check", str(path)], ["eval", str(path), "--date", "2025-03-01", "--input", str(tmp_path / "in.json")]):
        run = _guize(*args)
        assert run.returncode == 1 and "Traceback" not in run.stderr
        assert run.stderr.count("嵌套过深") == 1 and f"合计超过了 {limits.MAX_REFERENCE_DEPTH} 层的上限" in run.stderr
        assert f"{path}:{8 + limits.MAX_REFERENCE_DEPTH // 2 + 1}:13:" in run.stderr  # two levels a link


# Past the parser's limits (raised here), the later stages still end with a message, not a traceback.

def test_compile_says_a_chain_past_the_limits_is_too_complex(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_REFERENCE_DEPTH", 10**6)
    with pytest.raises(CompileError) as info:
        compile_source(_chain(3000), "chain.rule")
    assert info.value.diagnostics[0].code == "E018" and "规则过于复杂" in info.value.diagnostics[0].message


def test_the_interpreter_follows_a_chain_past_the_limits(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_REFERENCE_DEPTH", 10**6)
    path = tmp_path / "chain.rule"
    path.write_text(_chain(400), encoding="utf-8")
    policy = guize.load(path, corpus=False)
    data = {"甲": 1, "真": True, "级": "一级"}
    assert policy.evaluate(data, ON) == {"结果": 400}
    # Every engine computes what every path needs first, in dependency order: a long chain of
    # definitions needs no deep recursion in the interpreter either.
    assert policy.interpret(data, ON) == {"结果": 400}
    assert policy.explain(data, ON, ["结果"]).values == {"结果": 400}
