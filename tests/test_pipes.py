"""Pipes: guize eval over a JSON array or JSON Lines (one result a line), run/fmt/check with `-`,
decimals as exact JSON numbers or strings by a flag."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import guize
from guize.cli import main

OUTPATIENT = "policies/xinjiang/outpatient_2024.rule"
DATA = {"医院级别": "二级", "退休人员": True, "本次费用": "1860.50", "住院起付线": 600,
        "本年已就诊次数": 1, "本年已支付": 3400}
ROWS = [DATA, {**DATA, "医院级别": "三级", "本年已支付": 0}, {"医院级别": "五级"}]


def run(*args: str, input: str | bytes | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), input=input)


def _expected(data: dict[str, object]) -> dict[str, object]:
    policy = guize.load(OUTPATIENT)
    try:
        return policy.evaluate(data, "2025-03-01", ["统筹基金支付", "支付比例"])
    except guize.RuleError as exc:
        return {"error": exc.message}


def _read(line: str) -> dict[str, object]:
    value = json.loads(line, parse_float=Decimal)
    return {"error": value["error"]["message"]} if "error" in value else value


def test_eval_json_lines_and_array_one_result_a_line() -> None:
    jsonl = "\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n\n"
    array = json.dumps(ROWS, ensure_ascii=False, indent=2)
    for text in (jsonl, array):
        result = run("eval", OUTPATIENT, "--date", "2025-03-01", "--input", "-",
                     "--output", "统筹基金支付", "--output", "支付比例", input=text)
        assert result.exit_code == 1  # one record failed; the others are still written
        lines = result.stdout.splitlines()
        assert [_read(line) for line in lines] == [_expected(r) for r in ROWS]
        assert json.loads(lines[2])["error"]["record"] == 3
        assert "错误：第 3 条：缺少输入「退休人员」" in result.stderr


def test_eval_json_lines_bad_line_is_that_record_error() -> None:
    text = json.dumps(DATA, ensure_ascii=False) + "\n{\"医院级别\": \n"
    result = run("eval", OUTPATIENT, "--date", "2025-03-01", "--input", "-", "--output", "支付比例", input=text)
    assert result.exit_code == 1
    first, second = result.stdout.splitlines()
    assert json.loads(first) == {"支付比例": 0.75}
    assert "标准输入第 2 行不是有效的 JSON" in json.loads(second)["error"]["message"]


def test_eval_one_line_jsonl_file_is_still_lines(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(DATA, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run("eval", OUTPATIENT, "--date", "2025-03-01", "--input", str(path), "--output", "支付比例")
    assert result.exit_code == 0 and result.stdout == '{"支付比例":0.75}\n'


def test_eval_decimals_as_strings() -> None:
    result = run("eval", OUTPATIENT, "--date", "2025-03-01", "--input", "-", "--output", "统筹基金支付",
                 "--decimals", "string", input=json.dumps(DATA))
    assert result.exit_code == 0 and json.loads(result.stdout) == {"统筹基金支付": "600.00"}
    result = run("eval", OUTPATIENT, "--date", "2025-03-01", "--input", "-", "--output", "统筹基金支付",
                 "--decimals", "string", input=json.dumps([DATA]))
    assert result.stdout == '{"统筹基金支付":"600.00"}\n'


def test_run_reads_stdin_and_writes_stdout() -> None:
    rows = [{"编号": i, **r} for i, r in enumerate(ROWS)]
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n"
    result = run("run", OUTPATIENT, "--date", "2025-03-01", "--input", "-", "--output", "-",
                 "--only", "统筹基金支付", "--keep", "编号", "--decimals", "string", input=text)
    assert result.exit_code == 1, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["编号"] for o in out] == [0, 1, 2]
    policy = guize.load(OUTPATIENT)
    for r, o in zip(ROWS[:2], out, strict=False):
        assert o["统筹基金支付"] == str(policy.evaluate(r, "2025-03-01", ["统筹基金支付"])["统筹基金支付"])
    # The row's error is the scalar engine's for that row (here the first input its path needs).
    with pytest.raises(guize.RuleError) as info:
        policy.evaluate({k: v for k, v in ROWS[2].items() if v is not None}, "2025-03-01", ["统筹基金支付"])
    assert out[2]["错误"] == info.value.message and "缺少输入" in info.value.message
    assert "已写出 -" in result.stderr


def test_run_stdin_csv_to_stdout_csv() -> None:
    result = run("run", OUTPATIENT, "--date", "2025-03-01", "--input", "-", "--input-format", "csv",
                 "--output", "-", "--output-format", "csv", "--only", "支付比例",
                 input="编号,医院级别,退休人员\nA,二级,是\n".encode())
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ['"支付比例","错误"', "0.75,"]


def test_run_format_options_only_for_stdin(tmp_path: Path) -> None:
    result = run("run", OUTPATIENT, "--date", "2025-03-01", "--input", "x.csv", "--input-format", "csv",
                 "--output", str(tmp_path / "o.csv"))
    assert result.exit_code == 2 and "只用于标准输入输出" in result.stderr


def test_check_and_fmt_read_stdin() -> None:
    source = Path(OUTPATIENT).read_text(encoding="utf-8")
    assert run("check", "-", input=source).exit_code == 0
    bad = run("check", "-", input="输出 甲：金额 = 乙 + 1元\n")
    assert bad.exit_code == 1 and "<标准输入>:1" in bad.output
    messy = source.replace("  一级：300元", "  一级 ： 300元")
    assert messy != source
    result = run("fmt", "-", input=messy)
    assert result.exit_code == 0 and result.stdout == source
    assert run("fmt", "--check", "-", input=messy).exit_code == 1
    assert run("fmt", "--check", "-", input=source).exit_code == 0
    assert run("fmt", "-", "policies/", input=source).exit_code == 2
