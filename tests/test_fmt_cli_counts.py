"""guize fmt --check counts a file it could not parse as not processed, not as formatted (it
printed 「1 个文件都已是统一格式；1 个文件未能处理」 for a single broken file)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from guize.cli import main

GOOD = "文件：\n  标题：《示例》\n  施行日期：2024年1月1日\n\n输入 甲：金额\n输出 乙：金额 = 甲\n"


def test_a_broken_file_is_not_counted_as_formatted(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rule"
    bad.write_text(GOOD + "输出 丙：金额 = （\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["fmt", "--check", str(bad)])
    assert r.exit_code == 1
    assert "都已是统一格式" not in r.output and "1 个文件未能处理" in r.output, r.output
    good = tmp_path / "good.rule"
    good.write_text(GOOD, encoding="utf-8")
    r = CliRunner().invoke(main, ["fmt", "--check", str(bad), str(good)])
    assert "1 个文件都已是统一格式；1 个文件未能处理" in r.output, r.output
