"""Every unit the language knows (compiler/lexicon.py) is read whole wherever a number is scanned:
the grammar's NUMBER, the editor's scan (LSP hover, semantic tokens, the workbench), the syntax
hints and the VS Code grammar. The lists are derived from the lexicon, so they cannot drift."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from guize.compiler import syntaxhints
from guize.compiler.lexicon import PER_UNITS, UNITS
from guize.tools.lsp.scan import tokens

ROOT = Path(__file__).resolve().parent.parent
GRAMMAR = resources.files("guize.grammar").joinpath("rule.lark").read_text(encoding="utf-8")
NUMBER = re.compile(re.search(r"^NUMBER\.\d+: /(.*)/$", GRAMMAR, re.M)[1])  # type: ignore[index]
TM = json.loads((ROOT / "editors" / "vscode" / "syntaxes" / "guize.tmLanguage.json").read_text(encoding="utf-8"))
TM_NUMBER = re.compile(TM["repository"]["number"]["match"])

# Every number with a unit as a drafter writes it: each unit, each per-unit, and two per-units.
WRITTEN = ([f"80{u}" for u in sorted(UNITS)] + [f"600元/{p}" for p in sorted(PER_UNITS)]
           + [f"2000元/人/{p}" for p in sorted(PER_UNITS)] + ["2000元/人·月"])


def _scanned(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokens(f"参数 甲 = {text}\n")][3:]


@pytest.mark.parametrize("text", WRITTEN)
def test_the_editor_scan_reads_the_number_with_its_unit(text: str) -> None:
    assert _scanned(text) == [("number", text)]


def test_eighty_years_of_age_is_one_number() -> None:
    assert _scanned("80岁") == [("number", "80岁")]
    assert _scanned("18周岁") == [("number", "18周岁")]


@pytest.mark.parametrize("text", WRITTEN)
def test_the_grammar_and_the_syntax_hints_read_the_same(text: str) -> None:
    assert NUMBER.fullmatch(text), text
    assert TM_NUMBER.fullmatch(text), text
    if "/" not in text:
        assert re.fullmatch(syntaxhints._NUM, text), text
