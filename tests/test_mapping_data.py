"""`data` that is not a dict, in every engine: compiled scalar (as generated, and the copies made
after 64 calls: runtime/specialize.py), the reference interpreter and batch.

The decision (docs/embedding.md, 「输入的形式」): `data` is a dict or any other Mapping (a dict
subclass, MappingProxyType, a collections.abc.Mapping, UserDict); the inputs given are the keys
it holds. Anything else (a list, even of input names; a tuple, set, text, None, a number) is
InvalidInput 「输入应为「名称: 值」的对象，收到的是 list」, after the date and the outputs are
checked, whatever the outputs read. A Mapping whose lookups answer for keys it does not hold
(defaultdict, Counter: `__missing__`) is outside the contract (pass dict(data)).

The generated names test `INPUT_NAMES.issuperset(data)` takes any iterable of names, so where no
input was read before it (an output that reads none; out_subset with no flag of an input set)
a list was evaluated as if it were {} (compiler/inline_reads.mapping_test).
"""

from __future__ import annotations

import collections
import datetime
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import differential
import pytest

import guize
from guize.runtime import policy as policy_module
from guize.runtime.errors import InvalidInput, MissingInput, RuleError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted(str(p.relative_to(ROOT)) for p in [*ROOT.glob("policies/*/*.rule"), *ROOT.glob("tests/golden/good/*.rule")])


class Plain(dict[str, Any]):
    """A dict subclass that changes no lookup."""


class Frozen(Mapping[str, Any]):
    """A Mapping that is not a dict."""

    def __init__(self, items: dict[str, Any]) -> None:
        self._items = dict(items)

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


MAPPINGS = {"dict subclass": Plain, "OrderedDict": collections.OrderedDict, "MappingProxyType": types.MappingProxyType,
            "Mapping": Frozen, "UserDict": collections.UserDict}


def not_mappings(names: list[str]) -> list[Any]:
    """Data that is no Mapping: empty, of the input names (what issuperset accepted), and others."""
    first = names[0] if names else "x"
    return [[], (), set(), frozenset(), "", None, 0, 1.5, list(names), tuple(names), frozenset(names), first,
            [first], [(n, 1) for n in names], b"", iter(names)]


def _loaded(path: str) -> guize.Policy | None:
    try:
        policy = guize.load(ROOT / path)
    except RuleError:  # (a golden case that is an error of its own)
        return None
    return policy if policy.module.OUTPUTS else None


def _a_date(policy: guize.Policy) -> Any:
    """A date the policy is in force on: an example's, else the window's first day."""
    for ex in policy.examples:
        if not ex.get("not_in_force") and not ex.get("known_on"):
            return ex["date"]
    return policy.window.start or datetime.date(2025, 3, 1)


def _output_lists(policy: guize.Policy) -> list[list[str] | None]:
    outputs = list(policy.module.OUTPUTS)
    lists: list[list[str] | None] = [None, outputs[::-1], *([o] for o in outputs)]
    lists += [list(k) for k in (*policy._lists, *policy._within)]
    return lists


_shown = differential.shown


def _engines(policy: guize.Policy) -> list[Any]:
    """The evaluate of a new Policy (copying at the first call under `at_once`), and of one
    never copying."""
    return [engine.evaluate for engine in differential.copying_and_plain(policy).values()]


@pytest.fixture
def at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(policy_module, "_SPECIALISE_AFTER", 1)


@pytest.mark.parametrize("path", CORPUS)
def test_data_that_is_not_a_mapping_is_the_interpreters_error(path: str, at_once: None) -> None:
    policy = _loaded(path)
    if policy is None:
        pytest.skip("no outputs")
    on = _a_date(policy)
    names = list(policy._specs)
    checked = 0
    engines = _engines(policy)
    for outputs in _output_lists(policy):
        for data in not_mappings(names):
            want = _shown(policy.interpret, data, on, outputs)
            assert want[0] == "error" and want[1] == "InvalidInput" and "名称: 值" in want[2], (data, outputs, want)
            for evaluate in engines:
                for _ in range(2):  # the first call, and the next (a copy, the last list remembered)
                    if isinstance(data, Iterator):
                        data = iter(names)
                    assert _shown(evaluate, data, on, outputs) == want, (path, data, outputs)
                    checked += 1
    assert checked


@pytest.mark.parametrize("path", CORPUS)
def test_a_mapping_that_is_not_a_dict_is_read_as_a_dict(path: str, at_once: None) -> None:
    policy = _loaded(path)
    if policy is None:
        pytest.skip("no outputs")
    examples = [(dict(ex["inputs"]), ex["date"]) for ex in policy.examples if not ex.get("known_on")][:3]
    if not examples:
        examples = [({}, _a_date(policy))]
    engines = [*_engines(policy), policy.interpret]
    for data, on in examples:
        for outputs in _output_lists(policy)[:6]:
            want = _shown(policy.evaluate, dict(data), on, outputs)
            assert _shown(policy.interpret, dict(data), on, outputs) == want
            for kind, make in MAPPINGS.items():
                for evaluate in engines:
                    for _ in range(2):
                        assert _shown(evaluate, make(dict(data)), on, outputs) == want, (path, kind, data, outputs)


BATCH = ["policies/national/iit_2019.rule", "policies/national/annual_leave_2008.rule",
         "tests/golden/good/law_wording.rule", "tests/golden/good/dated_values.rule"]


@pytest.mark.parametrize("path", BATCH)
def test_batch_rows_that_are_mappings_are_read_as_dicts(path: str) -> None:
    pytest.importorskip("pyarrow")
    policy = _loaded(path)
    assert policy is not None
    examples = [(dict(ex["inputs"]), ex["date"]) for ex in policy.examples if not ex.get("known_on")][:3] or [
        ({}, _a_date(policy))]
    for data, on in examples:
        for outputs in [None, *([o] for o in policy.module.OUTPUTS)]:
            want = _shown(policy.interpret, data, on, outputs)
            rows = [make(dict(data)) for make in MAPPINGS.values()]
            try:
                table = policy.evaluate_batch(rows, on, outputs).to_pylist()
            except MissingInput as exc:  # a column every row needs is absent: said once (docs/batch.md)
                assert want[1] == "MissingInput" and exc.detail["input"] in want[2]
                continue
            for got in table:
                error = got.pop("错误")
                if want[0] == "error":
                    assert error == want[2]
                else:
                    assert error is None
                    assert [(k, str(v)) for k, v in got.items()] == [(k, v) for k, v, _t in want]
    with pytest.raises(InvalidInput):  # a row that is no Mapping: the table cannot be made
        policy.evaluate_batch([[]], on)


def test_the_defect_it_was() -> None:
    """law_wording's 零点五 reads no input: a list of input names evaluated to its value."""
    policy = guize.load(ROOT / "tests/golden/good/law_wording.rule")
    for data in ([], ["子女人数"], "", None):
        with pytest.raises(InvalidInput, match="输入应为「名称: 值」的对象"):
            policy.evaluate(data, datetime.date(2025, 3, 1), ["零点五"])
    assert policy.evaluate({}, datetime.date(2025, 3, 1), ["零点五"]) == {"零点五": policy.evaluate(
        Plain(), datetime.date(2025, 3, 1), ["零点五"])["零点五"]}


NO_INPUTS = """文件：
  标题：《无输入》
  施行日期：2023年1月1日

参数 标准 = 2000元

输出 常数：金额 = 标准 × 2
输出 另一个：金额 = 常数 + 1元
"""

ON_A_PATH = """文件：
  标题：《只在路径上读》
  施行日期：2023年1月1日

输入 甲：金额，默认 0元
输入 乙：金额
输入 丙：是否

输出 常数：金额 = 2000元
输出 路径：金额 = 若 丙 则 乙 否则 0元
输出 只读甲：金额 = 甲 × 2
"""


@pytest.mark.parametrize("text", [NO_INPUTS, ON_A_PATH], ids=["no inputs", "read on a path"])
def test_functions_that_read_no_input_first(tmp_path_factory: pytest.TempPathFactory, text: str, at_once: None) -> None:
    """A module without inputs (out_all, an output's own function and out_subset read none) and
    one whose out_subset reads no input for 常数."""
    policy = differential.load_rule(tmp_path_factory, "mapping", text)
    on = datetime.date(2024, 1, 1)
    engines = _engines(policy)
    for outputs in _output_lists(policy):
        for data in [*not_mappings(list(policy._specs)), {}, Plain(), {"丙": False}, Frozen({"丙": False, "甲": 1})]:
            want = _shown(policy.interpret, data, on, outputs)
            for evaluate in engines:
                for _ in range(2):
                    if isinstance(data, Iterator):
                        data = iter(list(policy._specs))
                    assert _shown(evaluate, data, on, outputs) == want, (data, outputs)
