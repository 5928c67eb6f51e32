"""The corpus benchmark's quick mode: guize equals the hand-written baselines on every policy.

bench/corpus_bench.py --quick checks, without timing anything, that `evaluate` and
`evaluate_batch` give what the hand-written Decimal and numpy functions give (chosen and all
outputs, one date and a date per row) and that no batch row goes row by row.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")

import guize  # noqa: E402

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))
import corpus_bench  # noqa: E402


def test_quick_mode_checks_every_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert corpus_bench.main(["--quick"]) == 0
    printed = capsys.readouterr().out
    for case in corpus_bench.CASES:
        assert f"{case.name}: guize == baselines" in printed


def test_every_policy_with_outputs_has_a_baseline() -> None:
    root = BENCH.parent / "policies"
    with_outputs = {p.stem for p in root.rglob("*.rule") if guize.load(p).module.OUTPUTS}
    covered = {case.name for case in corpus_bench.CASES}
    missing = with_outputs - covered
    # severance and retirement age (date and year-month arithmetic) have no baseline yet
    assert missing <= {"severance_2008", "retirement_age_2025"}, missing


def test_progressive_tax_is_columnar() -> None:
    """A definition applying a progressive scale is vectorised: its scale is no column and
    used to send every row of 应纳税额 to the row-by-row path."""
    policy = guize.load("policies/national/iit_2019.rule")
    table = pa.table({"年收入额": pa.array([200000, 96000], type=pa.decimal128(18, 2))})
    result = policy.evaluate_batch(table, dt.date(2024, 3, 1), outputs=["应纳税额", "适用税率"])
    meta = json.loads(result.schema.metadata[b"guize"])
    assert meta["rows_scalar"] == 0 and meta["fallback_outputs"] == []
    assert result.column("应纳税额").to_pylist() == [policy.evaluate({"年收入额": v}, "2024-03-01")["应纳税额"]
                                                for v in (200000, 96000)]
