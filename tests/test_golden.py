"""Golden tests: every construct has good cases (examples must pass) and bad cases whose
exact diagnostics are kept next to them in *.expected. Refresh with --update-golden."""

from pathlib import Path

import pytest

from guize.compiler.diagnostics import CompileError
from guize.compiler.driver import check_source
from guize.tools import testing

HERE = Path(__file__).parent / "golden"
BAD = sorted((HERE / "bad").glob("*.rule"))
GOOD = sorted((HERE / "good").glob("*.rule"))


def _diagnostics(path: Path) -> str:
    rel = path.relative_to(Path(__file__).parent.parent).as_posix()
    source = path.read_text(encoding="utf-8")
    try:
        checked = check_source(source, rel)
    except CompileError as exc:
        return exc.render() + "\n"
    raise AssertionError(f"{rel} should not check cleanly: {checked.diagnostics}")


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad(path: Path, update_golden: bool) -> None:
    actual = _diagnostics(path)
    expected_path = path.with_suffix(".expected")
    if update_golden:
        expected_path.write_text(actual, encoding="utf-8")
    assert expected_path.exists(), f"run pytest --update-golden to create {expected_path.name}"
    assert actual == expected_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_good(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    checked = check_source(source, str(path))
    assert [d for d in checked.diagnostics if d.severity == "error"] == []
    report = testing.run([str(path)])
    assert report.failed == 0, [o.message for o in report.outcomes if o.status != "passed"]
    assert report.passed == len(checked.examples)


def test_every_bad_case_has_expectation() -> None:
    missing = [p.name for p in BAD if not p.with_suffix(".expected").exists()]
    assert missing == []
