"""Malformed JSON gets a Chinese message naming the line and column, never a traceback: the C
scanner that jsonfast calls directly raised SystemError on some errors ({"a": 1,}, {'a': 1}),
which escaped `guize eval` as a traceback; JSONL rows of `guize run` said json's English."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from guize.runtime import jsonfast

BAD = ['{"成员": [],}', '{"a": 1', "{a:1}", "{'a':1}", '[1,]', '{"a": }']


@pytest.mark.parametrize("text", BAD)
def test_jsonfast_raises_json_errors_only(text: str) -> None:
    with pytest.raises(json.JSONDecodeError):
        jsonfast.loads(text)


@pytest.mark.parametrize(("text", "why"), [
    ('{"成员": [],}', "最后一项后面多了逗号"),
    ('{"a": 1', "JSON 没有写完"),
    ("{a:1}", "此处应有用英文双引号括起的名称"),
    ("{'a':1}", "名称和字符串要用英文双引号"),
])
def test_eval_says_what_is_wrong_in_chinese(text: str, why: str) -> None:
    done = subprocess.run([sys.executable, "-m", "guize", "eval", "policies/xinjiang/outpatient_2024.rule",
                           "--date", "2024-06-01", "--input", "-"], input=text, capture_output=True,
                          text=True, encoding="utf-8")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and why in done.stderr, done.stderr


def test_a_bad_jsonl_row_is_explained_in_chinese(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"本次费用": 100}\n{"本次费用": 100,}\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "guize", "run", "policies/xinjiang/outpatient_2024.rule",
                           "--input", str(source), "--date", "2024-06-01", "--output", str(tmp_path / "out.jsonl")],
                          capture_output=True, text=True, encoding="utf-8")
    assert "Traceback" not in done.stderr
    assert "第 2 行不是合法的 JSON（最后一项后面多了逗号）" in done.stderr, done.stderr
    assert "Expecting" not in done.stderr
