"""A load writes no columnar code: the batch module is written when batch is first used, from the
compiled module's own definitions (DEFS, INPUTS, OUTPUTS), and cached beside the module
(compiler/driver.load_batch). Written so, it is byte for byte the code batchgen writes from the
checked policy, for every .rule file of the repository and a large synthetic one (its DEFS a
defstext.Table); the cache keeps it, a load from the cache writes it without compiling the .rule
file again, and its answers are the interpreter's."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import guize
from guize.compiler import batchgen, driver
from guize.compiler.diagnostics import CompileError
from guize.compiler.driver import compile_source, module_from_source, read_source
from guize.runtime import defstext, modcache

ROOT = Path(__file__).resolve().parent.parent
RULES = sorted(p for folder in ("policies", "examples", "tests", "docs", "bench") for p in (ROOT / folder).rglob("*.rule"))
sys.path.insert(0, str(ROOT / "bench"))
from compile_bench import synthetic  # noqa: E402

OUTPATIENT = ROOT / "policies" / "xinjiang" / "outpatient_2024.rule"


def from_module(python: str, path: str) -> str:
    module = module_from_source(python, "lazy_batch_test", "lazy_batch_test.py")
    return driver._batch_source(module, path, None)


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.stem)
def test_the_module_gives_the_checked_policys_batch_code(path: Path) -> None:
    try:
        compiled = compile_source(read_source(path), str(path))
    except CompileError:
        pytest.skip("does not compile (a file of error examples)")
    assert from_module(compiled.python, str(path)) == compiled.batch_python


def test_a_large_policy_gives_the_same_batch_code() -> None:
    compiled = compile_source(synthetic(1500), "large.rule")
    module = module_from_source(compiled.python, "lazy_batch_large", "lazy_batch_large.py")
    assert isinstance(module.DEFS, defstext.Table)
    assert driver._batch_source(module, "large.rule", None) == compiled.batch_python


def cached(tmp_path: Path, path: Path) -> modcache.Entry:
    return modcache.Entry(read_source(path), str(path))


def agree(policy: guize.Policy) -> list[Any]:
    """evaluate_batch on each example of the file: its expected values, and the interpreter's."""
    got = []
    for ex in policy.module.EXAMPLES:
        if ex["error"] or ex["not_in_force"]:
            continue
        asked = list(ex["expects"])
        result = policy.evaluate_batch([ex["inputs"]], on=ex["date"], outputs=asked).to_pylist()[0]
        assert {k: result[k] for k in asked} == ex["expects"] == policy.explain(ex["inputs"], ex["date"], asked).values
        got.append(result)
    assert got
    return got


def test_a_load_writes_no_batch_code_until_batch_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIZE_CACHE_DIR", str(tmp_path / "cache"))
    entry = cached(tmp_path, OUTPATIENT)
    written: list[Any] = []
    real = batchgen.generate
    monkeypatch.setattr(batchgen, "generate", lambda policy: written.append(policy) or real(policy))
    policy = guize.load(OUTPATIENT, corpus=False)
    assert Path(entry.bytecode).is_file() and not written
    assert not Path(entry.batch).exists()  # a scalar load: no columnar code
    example = policy.module.EXAMPLES[0]
    policy.evaluate(example["inputs"], example["date"], list(example["expects"]))
    assert not written and not Path(entry.batch).exists()
    first = agree(policy)
    assert len(written) == 1 and isinstance(written[0], driver.FromModule)  # from the module, not a compile
    assert Path(entry.batch).read_text(encoding="utf-8") == compile_source(
        read_source(OUTPATIENT), str(OUTPATIENT)).batch_python
    assert list((tmp_path / "cache").glob(f"{entry.key}_batch.*.code"))
    # Another load (from the cache, by the runtime alone) reads the cached batch code.
    written.clear()
    again = guize.load(OUTPATIENT, corpus=False)
    assert agree(again) == first and not written


def test_a_cached_module_writes_its_batch_code_without_compiling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIZE_CACHE_DIR", str(tmp_path / "cache"))
    guize.load(OUTPATIENT, corpus=False)  # the module cached, no batch code
    entry = cached(tmp_path, OUTPATIENT)

    def no_compile(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("compiled again")

    monkeypatch.setattr(driver, "compile_source", no_compile)
    policy = guize.load(OUTPATIENT, corpus=False)
    assert policy.module.__file__ == entry.python  # from the cache
    agree(policy)
    assert Path(entry.batch).is_file()


def test_without_the_cache_batch_code_is_written_from_the_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIZE_CACHE_DIR", str(tmp_path / "cache"))
    policy = guize.load(OUTPATIENT, corpus=False, cache=False)
    agree(policy)
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())


def test_a_cached_batch_file_without_its_bytecode_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIZE_CACHE_DIR", str(tmp_path / "cache"))
    agree(guize.load(OUTPATIENT, corpus=False))
    entry = cached(tmp_path, OUTPATIENT)
    for code in (tmp_path / "cache").glob(f"{entry.key}_batch.*.code"):
        code.unlink()
    monkeypatch.setattr(batchgen, "generate", lambda policy: (_ for _ in ()).throw(AssertionError("written again")))
    agree(guize.load(OUTPATIENT, corpus=False))
    assert list((tmp_path / "cache").glob(f"{entry.key}_batch.*.code"))  # cached again


def test_compile_output_still_has_both_modules(tmp_path: Path) -> None:
    compiled = compile_source(read_source(OUTPATIENT), str(OUTPATIENT))
    assert "batch_python" not in compiled.__dict__  # not written by the compile itself
    assert compiled.batch_python.startswith("# Columnar evaluators of ")
    assert compiled.batch_python is compiled.batch_python  # written once
