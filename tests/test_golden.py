"""Golden tests: what a user sees for every case under tests/golden/ and for the policies/ corpus
(check, lint in text/JSON/SARIF, fmt, the compiled module, diff, eval --explain) is kept in
files next to the inputs and compared byte for byte. Refresh with `pytest --update-golden`
(or `make golden`) and review the change in `git diff`; see tests/golden/README.md."""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from golden_harness import ROOT, Case, cases, expected_files

from guize.compiler.driver import check_source
from guize.tools import testing

CASES = cases()
GOOD = sorted((ROOT / "tests" / "golden" / "good").glob("*.rule"))


def _mismatch(name: str, expected: str, actual: str) -> str:
    lines = list(difflib.unified_diff(expected.splitlines(), actual.splitlines(), f"expected/{name}",
                                      f"actual/{name}", lineterm="", n=2))
    shown = lines[:40] + ([f"… {len(lines) - 40} more lines"] if len(lines) > 40 else [])
    return "\n".join(shown)


def _write(case: Case, views: dict[str, str]) -> None:
    case.expected.mkdir(parents=True, exist_ok=True)
    for stale in expected_files(case):
        if stale.name not in views:
            stale.unlink()
    for name, text in views.items():
        target = case.expected / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case: Case, update_golden: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # commands see repository-relative paths, as a user in a checkout would
    views = case.views()
    for name, text in views.items():  # nothing that differs between machines or runs
        for unstable in (str(ROOT), tempfile.gettempdir() + os.sep, str(Path.home()) + os.sep):
            assert unstable not in text, f"{name} contains the machine-specific path {unstable!r}"
    if update_golden:
        _write(case, views)
    problem = _compare(case, views)
    assert problem is None, problem


def _compare(case: Case, views: dict[str, str]) -> str | None:
    """What differs between the views and the kept expectations, or None."""
    rel = case.expected.relative_to(ROOT) if case.expected.is_relative_to(ROOT) else case.expected
    if not case.expected.is_dir():
        return f"{rel} is missing: run `pytest --update-golden` (or `make golden`)"
    kept = {p.name for p in expected_files(case)}
    if kept != set(views):
        return f"{rel}: kept {sorted(kept)}, produced {sorted(views)}; run `make golden`"
    wrong = [_mismatch(name, (case.expected / name).read_text(encoding="utf-8"), text)
             for name, text in views.items() if (case.expected / name).read_text(encoding="utf-8") != text]
    if wrong:
        return f"{rel} differs (if intended, run `make golden` and review git diff):\n" + "\n".join(wrong)
    return None


def test_update_rewrites_and_compare_finds_every_difference(tmp_path: Path) -> None:
    case = Case("bad", "bad/cycle", ("tests/golden/bad/cycle.rule",), tmp_path / "cycle.expected")
    views = {"check.txt": "甲\n乙\n", "check.json": "{}\n"}
    assert "is missing" in str(_compare(case, views))
    _write(case, views)
    assert _compare(case, views) is None
    (case.expected / "check.txt").write_text("甲\n丙\n", encoding="utf-8")
    assert "-丙" in str(_compare(case, views)) and "+乙" in str(_compare(case, views))
    (case.expected / "old.txt").write_text("", encoding="utf-8")
    assert "old.txt" in str(_compare(case, views))
    _write(case, views)  # rewrites the changed file and removes the stale one
    assert _compare(case, views) is None
    assert sorted(p.name for p in expected_files(case)) == ["check.json", "check.txt"]


@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_good_examples_pass(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    checked = check_source(source, str(path))
    assert [d for d in checked.diagnostics if d.severity == "error"] == []
    report = testing.run([str(path)])
    assert report.failed == 0, [o.message for o in report.outcomes if o.status != "passed"]
    assert report.passed == len(checked.examples)


def test_every_kind_of_case_is_covered() -> None:
    kinds = {c.kind for c in CASES}
    assert kinds == {"good", "bad", "corpus", "library", "diff"}
    assert all(c.expected.is_relative_to(ROOT / "tests" / "golden") for c in CASES)


# ---------------------------------------------------------------- determinism


def _copy_inputs(target: Path) -> None:
    """The inputs of every case (no expectations) at another place on disk."""
    shutil.copytree(ROOT / "policies", target / "policies")
    shutil.copytree(ROOT / "tests" / "golden", target / "tests" / "golden",
                    ignore=shutil.ignore_patterns("*.expected"))


def test_output_is_deterministic(tmp_path: Path) -> None:
    """Same inputs, same bytes: two processes under different hash seeds, from checkouts at two
    different places, each with its own compile cache, produce identical output for every case;
    and it is the output kept in the goldens (computed in this process, under a third seed)."""
    runs = []
    for seed, where in (("1", "a"), ("4242", "checkout-at-another-place")):
        root = tmp_path / where
        _copy_inputs(root)
        env = {**os.environ, "PYTHONHASHSEED": seed, "GUIZE_CACHE_DIR": str(tmp_path / f"cache-{seed}")}
        out = tmp_path / f"views-{seed}.json"
        proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "golden_harness.py"), str(out)],
                                cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        runs.append((proc, out))
    results = []
    for proc, out in runs:
        log, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, log.decode("utf-8", "replace")
        results.append(out.read_text(encoding="utf-8"))
    first, second = (json.loads(r) for r in results)
    assert list(first) == list(second) == [c.name for c in CASES]
    for case in CASES:
        for view, text in first[case.name].items():
            other = second[case.name][view]
            assert text == other, f"{case.name} {view} differs between runs:\n" + _mismatch(view, text, other)
            kept = case.expected / view
            if kept.exists():
                assert text == kept.read_text(encoding="utf-8"), \
                    f"{case.name} {view}: a fresh process elsewhere differs from the golden (stale? run make golden)"


def test_compiled_module_does_not_depend_on_the_working_directory(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    """The source path is embedded as given (never resolved against the working directory): the
    same absolute path gives the same bytes from anywhere, and a relative path differs from it
    only where the path itself is written."""
    from guize.compiler.driver import compile_file

    rel = "tests/golden/good/bands_and_tables.rule"
    absolute = str(ROOT / rel)
    monkeypatch.chdir(ROOT)
    here, relative = compile_file(absolute).python, compile_file(rel).python
    monkeypatch.chdir(tmp_path)
    assert compile_file(absolute).python == here
    assert absolute in here and str(tmp_path) not in here
    assert here.replace(absolute, rel) == relative
