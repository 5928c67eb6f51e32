"""The hostile-input run's fast slice (seeded, a few seconds); `make hostile` runs the full set."""

from __future__ import annotations

import os
import re
from pathlib import Path

import hostile
import pytest

import guize

# Findings that belong to open parts of issue 22 owned elsewhere (not the parser): shown, not failed.
# Remove an entry when its fix lands; the full run (`make hostile`) lists them with reproducers.
KNOWN: list[tuple[str, str]] = []  # findings allowed while their fix is pending elsewhere (none now)


def _unknown(findings: list[hostile.Finding]) -> list[str]:
    return [f"[{f.category} #{f.seed}] {f.stage}: {f.what}" for f in findings
            if not any(f.stage == stage and re.search(what, f.what) for stage, what in KNOWN)]


@pytest.mark.parametrize("category", hostile.CATEGORIES)
def test_fast_slice(category: str) -> None:
    counts, findings = hostile.run(seed=1, per_category=6, categories=[category], fast=True,
                                   report=lambda _line: None)
    assert sum(counts.values()) == 6
    assert _unknown(findings) == []


def test_the_run_tells_a_crash_from_a_rule_error(tmp_path: Path) -> None:
    trial = hostile.Trial("sizes", 0, hostile.SHAPES["parens"][0](5000))
    outcome, findings = hostile.run_trial(trial, tmp_path)
    assert outcome == "rule error" and findings == []
    broken = hostile.Trial("values", 0, Path(hostile.CORPUS[0]).read_text(encoding="utf-8"),
                           values=[{"本次费用": object()}])
    _outcome, findings = hostile.run_trial(broken, tmp_path)
    assert findings == []  # an object() input is an InvalidInput, not a crash


@pytest.mark.parametrize("payload", ["open('MARKER', 'w').close()", "__import__('os').system('touch MARKER')"])
@pytest.mark.parametrize("brk", ["\n", "\r", "\u2028", "\x0c"])
def test_a_file_name_cannot_inject_code(tmp_path: Path, payload: str, brk: str) -> None:
    source = Path("tests/golden/good/arithmetic.rule").read_text(encoding="utf-8")
    path = tmp_path / f"x{brk}{payload.replace('MARKER', hostile.MARKER)}{brk}#.rule"
    path.write_text(source, encoding="utf-8")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        guize.load(path, corpus=False, cache=False)
    finally:
        os.chdir(old)
    assert not (tmp_path / hostile.MARKER).exists()
