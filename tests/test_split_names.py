"""The names codegen notes for each statement it writes (compiler/stmtnames), which
compiler/splitfn uses to cut a very large function into parts, are the names the text of that
statement binds and reads: what the regular expressions splitfn once read them with find
(tests/splitnames.py). A missed name would be a NameError, or a stale value, that only a large
policy meets; so every .rule file of the repository is forced through the split (every function
split, a statement a part; its statements written once, as a large policy's are, and as written
for a small one), each statement's notes are compared with the text, and the split module's
answers with the reference interpreter's on the policy's examples."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import differential
import pytest
import splitnames

import guize
from guize.compiler import codegen, splitfn
from guize.compiler.driver import compile_source

ROOT = Path(__file__).resolve().parent.parent
RULES = sorted([*(ROOT / "policies").rglob("*.rule"), *(ROOT / "examples").rglob("*.rule"),
                *(ROOT / "tests" / "golden" / "good").glob("*.rule"), *(ROOT / "tests" / "verify").rglob("*.rule")])
sys.path.insert(0, str(ROOT / "bench"))
from compile_bench import synthetic  # noqa: E402

Written = tuple[str, list[str], int, list[tuple[int, set[str], set[str]]]]


def _capture(monkeypatch: pytest.MonkeyPatch) -> list[Written]:
    """Each function splitfn.split is given: its name, its lines, where it starts, the notes."""
    seen: list[Written] = []
    split = splitfn.split

    def spy(lines: list[str], rule_lines: list[int], start: int, name: str,
            notes: list[tuple[int, set[str], set[str]]]) -> None:
        seen.append((name, list(lines[start:]), start, [(i, set(b), set(r)) for i, b, r in notes]))
        split(lines, rule_lines, start, name, notes)

    monkeypatch.setattr(splitfn, "split", spy)
    return seen


def misnoted(name: str, fn: list[str], start: int, notes: list[tuple[int, set[str], set[str]]]) -> list[str]:
    """Where the notes of function `name` (its lines fn, from lines[start]) differ from what the
    regular expressions read in each noted statement's text: bound names, and the function's
    locals among its words. Empty when they agree."""
    header = 2 if fn[1].count('"""') == 2 else next(i for i in range(2, len(fn)) if '"""' in fn[i]) + 1
    at = [i - start for i, _b, _r in notes]
    if not at or at[0] != header or at != sorted(at):
        return [f"{name}: the first note at {at[:1]}, not the body's first line {header}, or out of order"]
    local = splitnames.read_names("\n".join(fn[header:]))[0]  # every name the function binds
    wrong = []
    for k, (i, bound, read) in enumerate(notes):
        text = "\n".join(fn[i - start:at[k + 1] if k + 1 < len(at) else len(fn)])
        found, words = splitnames.read_names(text)
        if bound != found or read & local != words & local:
            wrong.append(f"{name} line {i - start}: bound {sorted(bound ^ found)}, read {sorted((read ^ words) & local)}"
                         f" differ in {text[:200]!r}")
    return wrong


def _nested(fn: list[str]) -> bool:
    """A function with nested ones (lists): never split, and hoist moved its lines after the notes."""
    return any(line.startswith(("    def ", "        def ")) for line in fn)


@pytest.fixture(params=["shared", "apart"])
def forced(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> list[Written]:
    """Every function split, a statement a part; "shared": out_all and out_subset one function,
    as a policy of more than SHARED_ABOVE definitions has them."""
    monkeypatch.setattr(splitfn, "LIMIT", 0)
    monkeypatch.setattr(splitfn, "PART", 1)
    if request.param == "shared":
        monkeypatch.setattr(codegen, "SHARED_ABOVE", 0)
    return _capture(monkeypatch)


@pytest.mark.parametrize("path", RULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_noted_names_are_the_text_s(path: Path, forced: list[Written]) -> None:
    policy = guize.load(path, corpus=False, cache=False)
    if not policy.module.OUTPUTS:
        return
    assert forced, "no function written"
    wrong = [w for name, fn, start, notes in forced if not _nested(fn) for w in misnoted(name, fn, start, notes)]
    assert not wrong, "\n".join(wrong[:10])
    for name, fn, _start, _notes in forced:  # (a function with nested ones is left whole)
        assert hasattr(policy.module, f"_{name}_2") != _nested(fn), name
    for example in policy.examples:
        first, second = differential.answers(policy, dict(example["inputs"]), example["date"])
        assert first == second, example


def test_synthetic_split_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 6,000-line synthetic file (bench/compile_bench.py), its out_subset over LIMIT: split by
    the notes into the very parts the regular expressions made, byte for byte, its notes those of
    the text; and the parts answer as the interpreter does."""
    seen = _capture(monkeypatch)
    text = synthetic(6_000)
    compiled = compile_source(text, "synthetic.rule")
    ((name, fn, start, notes),) = seen
    assert name == "out_subset" and not misnoted(name, fn, start, notes)
    before = list(fn)
    splitnames.regex_split(before, [0] * len(before), 0, name)
    assert "def _out_subset_2(" in compiled.python
    written = compiled.python.split("\n")
    assert written[written.index(before[0]):][:len(before)] == before


def test_synthetic_parts_answer_as_the_interpreter(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.rule"
    path.write_text(synthetic(6_000), encoding="utf-8")
    policy = guize.load(path, corpus=False, cache=False)
    assert hasattr(policy.module, "_out_subset_2")
    outputs = list(policy.module.OUTPUTS)
    data: dict[str, Any] = {n: Decimal(900 + 97 * i % 1500) for i, n in enumerate(policy.module.INPUT_NAMES) if n != "级别"}
    for level in ("一级", "三级"):
        data["级别"] = level
        for asked in (None, outputs[:3], outputs[-5:], outputs[400:401]):
            first, second = differential.answers(policy, data, dt.date(2024, 6, 1), asked)
            assert first == second


def test_a_missed_name_is_caught() -> None:
    """The comparison itself: a statement's bound name or read local left out of its notes is
    reported (as codegen forgetting `exc` in `except KeyError as exc`, or a lazy read's `:=`)."""
    fn = ["def f(data, e, need=None):", '    """Doc."""', "    d_a = _U", "    try:", "        i_x = data['x']",
          "    except KeyError as exc:", "        raise _v.missing(exc.args[0]) from None",
          "    d_b = (d_a if d_a is not _U else (d_a := i_x + 1))", "    return {'b': d_b}"]
    notes = [(2, {"d_a"}, {"d_a"}), (3, set(), set()), (4, {"i_x", "exc"}, {"i_x", "exc"}),
             (7, {"d_b", "d_a"}, {"d_b", "d_a", "i_x"}), (8, set(), {"d_b"})]
    assert not misnoted("f", fn, 0, notes)
    for k, (i, bound, read) in enumerate(notes):
        for missed in sorted(bound | read):
            fewer = list(notes)
            fewer[k] = (i, bound - {missed}, read) if missed in bound else (i, bound, read - {missed})
            assert misnoted("f", fn, 0, fewer), (i, missed)
