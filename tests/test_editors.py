"""What editors need from the command line: `guize fmt -` and `guize check -` read standard input."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from guize.cli import main

ROOT = Path(__file__).resolve().parent.parent
OUTPATIENT = ROOT / "policies/xinjiang/outpatient_2024.rule"


def run(*args: str, input: str | bytes | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), input=input)


def test_fmt_stdin_writes_the_formatted_text_to_stdout() -> None:
    good = OUTPATIENT.read_text(encoding="utf-8")
    messy = good.replace("  否则 住院起付线 × 再次就诊起付比例", "  否则   住院起付线*再次就诊起付比例。")
    assert messy != good
    result = run("fmt", "-", input=messy)
    assert result.exit_code == 0 and result.stdout == good
    check = run("fmt", "--check", "-", "--stdin-filename", "outpatient.rule", input=messy)
    assert check.exit_code == 1 and check.stdout == "需要格式化：outpatient.rule\n"
    assert run("fmt", "--check", "-", input=good).exit_code == 0
    diff = run("fmt", "--diff", "-", input=messy)
    assert diff.exit_code == 1 and "+  否则 住院起付线 × 再次就诊起付比例" in diff.stdout


def test_fmt_stdin_with_an_error_writes_nothing_to_stdout() -> None:
    result = run("fmt", "-", "--stdin-filename", "草稿.rule", input="输出 甲：金额 = (\n")
    assert result.exit_code == 1 and result.stdout == ""
    assert "草稿.rule:1:" in result.stderr and "未格式化「草稿.rule」：有语法错误" in result.stderr
    gbk = run("fmt", "-", input="输出 甲：金额 = 0元\n".encode("gbk"))
    assert gbk.exit_code == 1 and gbk.stdout == "" and "不是 UTF-8 编码" in gbk.stderr
    usage = run("fmt", "-", str(OUTPATIENT))
    assert usage.exit_code == 2 and "不能与其他路径同时给出" in usage.stderr


def test_check_stdin() -> None:
    ok = run("check", "-", input=OUTPATIENT.read_text(encoding="utf-8"))
    assert ok.exit_code == 0 and "检查了 1 个文件：通过" in ok.stdout
    bad = run("check", "-", "--stdin-filename", "a.rule", "--format", "json",
              input=OUTPATIENT.read_text(encoding="utf-8").replace("× 首次就诊起付比例", "× 首次就诊起付比列"))
    assert bad.exit_code == 1
    report = json.loads(bad.stdout)
    [diag] = [d for d in report["files"][0]["diagnostics"] if d["code"] == "E300"]
    assert report["files"][0]["file"] == "a.rule" and diag["code"] == "E300" and diag["file"] == "a.rule"
    text = run("check", "-", input="输出 甲：金额 = 乙\n")
    assert text.exit_code == 1 and "<标准输入>:1:" in text.stderr


def test_lsp_without_pygls_says_how_to_install_it() -> None:
    import subprocess
    import sys

    code = "import sys; sys.modules['pygls'] = None\nfrom guize.cli import main\nmain(['lsp'])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "语言服务器需要 pygls" in done.stderr and "pip install '.[lsp]'" in done.stderr
