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
    assert not missing, missing


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


def test_kernels_test_each_band_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two band tables on one input (应休天数, 病假界限) share one look-up of each row's band
    and one take of both tables' values, and a band's open side is no pass over the rows (no `logical_and(True, …)`)."""
    from guize.runtime import kernel

    sources: list[str] = []
    init = kernel.Kernel.__init__

    def record(self: kernel.Kernel, *args: object, **kwargs: object) -> None:
        init(self, *args, **kwargs)  # type: ignore[arg-type]
        sources.append(self.source)

    monkeypatch.setattr(kernel.Kernel, "__init__", record)
    policy = guize.load("policies/national/annual_leave_2008.rule")
    months = [0, 11, 12, 119, 120, 239, 240, 300]
    table = pa.table({"累计工作时间": pa.array(months * 5000, pa.int64()),
                      "本年度病假累计": pa.array([0, 2, 3, 4] * 10000, pa.int64())})
    result = policy.evaluate_batch(table, dt.date(2024, 3, 1))
    want = [policy.evaluate({"累计工作时间": m, "本年度病假累计": s}, "2024-03-01")["年休假天数"]
            for m, s in zip(months * 5000, [0, 2, 3, 4] * 10000, strict=True)]
    assert result.column("年休假天数").to_pylist() == want
    source = "\n".join(sources)
    assert sources and "logical_and(True" not in source
    # (and the two tables' values, by the one band index, are one take: kernel._packed)
    assert source.count("lookup_sorted(") == 1 and source.count(".take(") == 1, source


def test_a_date_per_record_over_many_years_reuses_each_dates_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """Policy.env is computed once per date even for decades of dates (it was recomputed for
    every record once more than 4,096 dates had been seen), a new date's versions once per span
    of days with the same versions; a policy without dated values
    needs no state but the date: its dates in force are told by two comparisons, no check."""
    dated = guize.load("policies/national/special_deductions_2018.rule")
    undated = guize.load("policies/national/annual_leave_2008.rule")
    assert dated.module.DATED and not undated.module.DATED
    days = [dt.date(2019, 1, 1) + dt.timedelta(days=k) for k in range(6000)]
    checks: list[dt.date] = []
    check = type(dated.window).check

    def counted(self: object, on: dt.date) -> None:
        checks.append(on)
        check(self, on)  # type: ignore[arg-type]

    monkeypatch.setattr(type(dated.window), "check", counted)
    for _ in range(2):
        for on in days:
            want = 1000 if on < dt.date(2023, 1, 1) else 2000
            assert dated.evaluate({"受教育子女人数": 1}, on)["子女教育每月扣除"] == want
            assert undated.evaluate({"累计工作时间": 130}, on) == {"年休假天数": 10}
    # checked once per span of days with the same versions (Policy._bounds; tests/test_env_spans.py),
    # its first date, and never again on the second pass
    assert checks == [on for on in days if on in dated._bounds]


def test_run_bench_quick_runs_every_row() -> None:
    """`make bench` starts with bench/run_bench.py: its quick mode runs every row (checked equal
    where it compares), including the compile row over copies of the corpus, whose amendments
    are checked with what they amend (it stopped with E415 when they were compiled alone)."""
    import subprocess

    done = subprocess.run([sys.executable, str(BENCH / "run_bench.py"), "--quick"], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "compile " in done.stdout and "start-up: guize eval" in done.stdout
