"""English messages (GUIZE_LANG=en, guize --lang en): every message code and every fixed text has
both languages; the checker, lint, the CLI summaries and the worksheet switch; Chinese stays the default."""

from __future__ import annotations

import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

from guize.compiler.diagnostics import CompileError, render
from guize.compiler.driver import check_source
from guize.runtime import i18n
from guize.tools.lint import RULES

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u9fff]")


def _codes_in_source() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src/guize").rglob("*.py"):
        found |= set(re.findall(r'"([EWL]\d{3})"', path.read_text(encoding="utf-8")))
    return found


def test_every_code_has_both_languages() -> None:
    codes = _codes_in_source() | set(RULES)
    assert len(codes) > 100
    missing = sorted(codes - set(i18n.CODES))
    assert not missing, missing
    for code, english in i18n.CODES.items():
        # English words; a Chinese keyword appears only as a keyword glossed in brackets
        assert english and CJK.sub("", re.sub(r"[\u3400-\u9fff …]+ \([^)]+\)", "", english)) == \
            re.sub(r"[\u3400-\u9fff …]+ \([^)]+\)", "", english), code


def test_every_fixed_text_has_both_languages_with_the_same_fields() -> None:
    for key, (zh, en) in i18n.MESSAGES.items():
        assert zh and en and CJK.search(zh) and not CJK.search(en), key
        fields = [{f for _, f, _, _ in string.Formatter().parse(text) if f} for text in (zh, en)]
        assert fields[0] == fields[1], key


def test_every_golden_error_renders_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each diagnostic of the bad golden cases: its code's English, then the quoted names."""
    seen = 0
    for path in sorted((ROOT / "tests/golden/bad").glob("*.rule")):
        source = path.read_text(encoding="utf-8")
        try:
            diagnostics = list(check_source(source, path.name).diagnostics)
        except CompileError as exc:
            diagnostics = exc.diagnostics
        for d in diagnostics:
            monkeypatch.setenv("GUIZE_LANG", "en")
            head = render(d, source).splitlines()[0]
            assert f"{d.severity}[{d.code}]: {i18n.CODES[d.code]}" in head, head
            quoted = re.findall(r"「([^」]*)」", d.message)
            assert all(f"'{q}'" in head for q in quoted), head
            assert not CJK.search(re.sub(r"'[^']*'|[\u3400-\u9fff …]+ \([^)]+\)", "", head.split(": ", 1)[1])), head
            monkeypatch.setenv("GUIZE_LANG", "zh")
            assert d.message in render(d, source)  # Chinese, unchanged, is the default
            seen += 1
    assert seen >= 40


def _guize(*args: str, lang: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GUIZE_LANG"}
    if lang is not None:
        env["GUIZE_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "guize", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_cli_messages_switch(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rule"
    bad.write_text("文件：\n  标题：《测试》\n  施行日期：2024年1月1日\n\n输出 甲：金额 = 乙 + 1元\n", encoding="utf-8")
    zh = _guize("check", str(bad))
    assert "错误[E300]: 未定义的名称「乙」" in zh.stderr and "检查了 1 个文件：发现 1 处错误" in zh.stdout
    for done in (_guize("check", str(bad), lang="en"), _guize("--lang", "en", "check", str(bad))):
        assert "error[E300]: undefined name: '乙'" in done.stderr
        assert "checked 1 file(s): 1 error(s) found" in done.stdout
    lint = _guize("--lang", "en", "lint", str(ROOT / "policies/national/severance_2008.rule"))
    assert lint.stdout.strip().splitlines()[-1] == "no problems found"
    lint = _guize("--lang", "en", "lint", str(ROOT / "policies/xinjiang/textile_2024.rule"))
    assert re.search(r"^\d+ error\(s\), \d+ warning\(s\), \d+ info$", lint.stdout.strip().splitlines()[-1])
    tested = _guize("test", str(ROOT / "policies/national/severance_2008.rule"), lang="en")
    assert tested.stdout.strip().splitlines()[-1].startswith("examples: ") and " passed, 0 failed" in tested.stdout
    assert _guize("test", str(bad), lang="en").stdout.strip().endswith(
        "examples: 0 passed, 0 failed; 1 file(s) have errors, their examples did not run")
    fmt = _guize("fmt", "--check", str(ROOT / "policies/national/severance_2008.rule"), lang="en_US.UTF-8")
    assert "all 1 file(s) are formatted" in fmt.stderr


def test_worksheet_labels_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime
    import json

    import guize
    from guize.runtime.explain import render as sheet

    policy = guize.load(ROOT / "policies/xinjiang/outpatient_2024.rule")
    data = json.loads((ROOT / "examples/outpatient.json").read_text(encoding="utf-8"))
    exp = policy.explain(data, on=datetime.date(2025, 3, 1), outputs=["统筹基金支付"])
    monkeypatch.setenv("GUIZE_LANG", "en")
    md = sheet(exp, "markdown", policy.document)
    for heading in ("## Results", "## Known facts", "## Working", "## The law's text", "| Item | Value | Article |"):
        assert heading in md
    assert "（result）" in md and md.splitlines()[2].startswith("Date of calculation: 2025年3月1日.")
    monkeypatch.delenv("GUIZE_LANG")
    assert "## 计算过程" in sheet(exp, "markdown", policy.document)
