"""out_subset copied for one list of outputs (runtime/specialize.py) against out_subset and the
reference interpreter, on every policy of the corpus with outputs.

For several lists of outputs per policy (all of them as outputs=None: out_all's copy; each
output alone, pairs and triples drawn with a seed, all of them in reverse order, the first
half), a Policy is made to copy out_subset for the list (SPECIALISE_AFTER calls), then each
record (at most 120 drawn for a list) gives the same outcome — the values with their types,
or the same error class and Chinese message — as a Policy that has not copied it and as the
interpreter: the corpus' examples, and the examples with an input left out, an input given a
hostile value (wrong type, negative, huge, NaN, too many digits, text that is no number), an
unknown name added, and a date out of force. An error's traceback shows the same .rule frames.
Values compare as text with their types: 0.00 is not 0.
"""

from __future__ import annotations

import contextlib
import datetime
import random
import traceback
from decimal import Decimal
from pathlib import Path
from typing import Any

import differential
import pytest

import guize
from guize.runtime import policy as policy_module
from guize.runtime import specialize
from guize.runtime.errors import RuleError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted(str(p.relative_to(ROOT)) for folder in ("xinjiang", "national")
                for p in (ROOT / "policies" / folder).glob("*.rule"))
HOSTILE: list[Any] = ["abc", -1, None, 10**20, "1e999999", True, [], "", "0.5", Decimal("NaN"), "1" * 2000,
                      "2024-02-30", {"x": 1}]


def _policies() -> list[str]:
    out = []
    for path in CORPUS:
        policy = guize.load(ROOT / path)
        if policy.module.OUTPUTS and policy.module.SUBSET is not None:
            out.append(path)
    return out


def _lists(outputs: tuple[str, ...], rng: random.Random) -> list[list[str] | None]:
    lists: list[list[str] | None] = [None, *([o] for o in outputs), list(reversed(outputs)),
                                     list(outputs[: max(1, len(outputs) // 2)])]
    for size in (2, 3):
        if len(outputs) > size:
            lists += [rng.sample(list(outputs), size) for _ in range(3)]
    return lists


def _records(policy: guize.Policy, rng: random.Random) -> list[tuple[dict[str, Any], Any]]:
    examples = [(dict(ex["inputs"]), ex["date"]) for ex in policy.examples if not ex.get("known_on")]
    out = list(examples)
    for data, on in examples[:20]:
        names = list(data)
        for name in names:
            out.append(({k: v for k, v in data.items() if k != name}, on))  # left out
            out.append(({**data, name: rng.choice(HOSTILE)}, on))
        out.append(({**data, "不存在的输入": 1}, on))
        out.append((data, datetime.date(1900, 1, 1)))
    return out


def _outcome(policy: guize.Policy, data: dict[str, Any], on: Any, outputs: list[str] | None) -> Any:
    try:
        got = policy.evaluate(data, on, outputs)
    except RuleError as exc:
        frames = [(f.filename, f.lineno, f.name) for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename.endswith(".rule")]
        return ("error", type(exc).__name__, exc.message, frames)
    return [(k, str(v), type(v)) for k, v in got.items()]  # (str: a Decimal's exponent counts)


def _interpreted(policy: guize.Policy, data: dict[str, Any], on: Any, outputs: list[str] | None) -> Any:
    try:
        got = policy.interpret(data, on, outputs)
    except RuleError as exc:
        return ("error", type(exc).__name__, exc.message)
    return [(k, str(v), type(v)) for k, v in got.items()]  # (str: a Decimal's exponent counts)


def _specialised(policy: guize.Policy, outputs: list[str] | None, data: dict[str, Any], on: Any) -> bool:
    """Call evaluate until the plan for `outputs` is out_subset's copy; whether it is one (an
    output with a function of its own is not computed by out_subset, nor every output: out_all,
    never copied)."""
    for _ in range(policy_module._SPECIALISE_AFTER + 1):
        with contextlib.suppress(RuleError):
            policy.evaluate(data, on, outputs)
    if outputs is None:
        return False
    function = policy._plan(outputs)[0]
    code = getattr(function, "__code__", None)
    return code is not None and code.co_name == "out_subset" and code is not policy.module.SUBSET.__code__


@pytest.mark.parametrize("path", _policies())
def test_copies_of_out_subset_agree_with_out_subset_and_the_interpreter(path: str) -> None:
    rng = random.Random(path)
    base = guize.load(ROOT / path)
    records = _records(base, rng)
    copied = 0
    for outputs in _lists(tuple(base.module.OUTPUTS), rng):
        plain = policy_module.Policy(base.module)  # never copies: its plans are out_subset's
        plain._specialised = policy_module._SPECIALISED_LIMIT
        plain._all = base.module.ALL
        fast = policy_module.Policy(base.module)
        copied += _specialised(fast, outputs, *records[0])
        for data, on in records if len(records) <= 120 else rng.sample(records, 120):
            want = _outcome(plain, data, on, outputs)
            got = _outcome(fast, data, on, outputs)
            assert got == want, (path, outputs, data, on)
            ref = _interpreted(plain, data, on, outputs)
            assert (got[:3] if got[0] == "error" else got) == ref, (path, outputs, data, on)
    assert copied or len(base.module.OUTPUTS) == 1  # (one output: out_all computes it)


def test_the_copy_leaves_out_what_the_list_does_not_need() -> None:
    policy = guize.load(ROOT / "policies/xinjiang/textile_2024.rule")
    outputs = ["出疆棉运费补贴", "纺织产品出疆运费补贴", "一次性新增就业补贴", "印染废水处理补贴"]
    made = specialize.specialised(policy.module.SUBSET, policy._need(outputs), list(reversed(outputs)))
    assert made is not None and made[1]  # its result built in the caller's order
    function = made[0]
    names = set(function.__code__.co_varnames)
    assert not {n for n in names if n.startswith(("_n", "_a")) and n[2:].isdigit()}  # no flags
    assert "i_流动资金贷款本金" not in names and "d_企业贷款贴息" not in names
    assert function.__code__.co_firstlineno == policy.module.SUBSET.__code__.co_firstlineno
    data: dict[str, Any] = {}
    for ex in policy.examples:  # every input, each with the first value an example gives it
        for name, value in ex["inputs"].items():
            data.setdefault(name, value)
    env = policy.env(datetime.date(2024, 6, 1))
    got = function(data, env, None)
    assert list(got) == list(reversed(outputs))
    assert got == policy.interpret(data, datetime.date(2024, 6, 1), outputs)


def test_no_copy_when_the_module_text_is_not_its_code(tmp_path: Path) -> None:
    policy = guize.load(ROOT / "policies/xinjiang/textile_2024.rule")
    subset = policy.module.SUBSET
    need = policy._need(["出疆棉运费补贴"])
    moved = tmp_path / "m.py"
    text = Path(subset.__code__.co_filename).read_text(encoding="utf-8")
    moved.write_text(text.replace("def out_subset(data, e, need):", "def out_subset(data, e, need):  # x"),
                     encoding="utf-8")
    other = type(subset)(subset.__code__.replace(co_filename=str(moved)), subset.__globals__, "out_subset")
    assert specialize.specialised(other, need, None) is not None  # a comment changes no code
    moved.write_text(text.replace("_v.missing(exc.args[0])", "_v.missing(exc.args[-1])"), encoding="utf-8")
    assert specialize.specialised(other, need, None) is None  # another text: out_subset is kept
    moved.unlink()
    assert specialize.specialised(other, need, None) is None  # no text


@pytest.mark.parametrize("function", ["ALL", "SUBSET"])
def test_reads_only_a_guarded_branch_uses_are_made_under_its_guard(function: str) -> None:
    """Textile's out_all and out_subset read the inputs of the subsidies a firm gets only when
    it qualifies (符合享受条件) under that test (compiler/guarded_reads.py): a firm that does not
    qualify is not asked for them, and a bad value of one is still reported when the firm
    qualifies, as by the interpreter."""
    policy = guize.load(ROOT / "policies/xinjiang/textile_2024.rule")
    every = policy._need(list(policy.module.OUTPUTS))
    copy = policy.module.ALL if function == "ALL" else lambda data, env: policy.module.SUBSET(data, env, every)
    env = policy.env(datetime.date(2024, 6, 1))
    data: dict[str, Any] = {}
    for ex in policy.examples:
        for name, value in ex["inputs"].items():
            data.setdefault(name, value)
    data["在疆注册"] = False

    asked: set[str] = set()

    class Counting(dict[str, Any]):
        def get(self, key: str, default: Any = None) -> Any:
            asked.add(key)
            return super().get(key, default)

    counted = Counting(data)
    assert copy(counted, env) == policy.interpret(data, env[0])
    assert "销售数量" not in asked and "日达标处理量" not in asked and "在册职工人数" in asked
    bad = {**data, "在疆注册": True, "在册职工人数": 50, "销售数量": "很多"}
    with pytest.raises(RuleError) as got:
        copy(bad, env)
    with pytest.raises(RuleError) as want:
        policy.interpret(bad, env[0])
    assert got.value.message == want.value.message and "销售数量" in got.value.message


def test_a_copy_that_cannot_be_made_leaves_out_subset(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A table of 700 bands is a chain of 700 nested conditionals: ast's visitors recurse past
    Python's limit on it. Evaluation goes on with out_subset, with the interpreter's values."""
    bands = "\n".join(f"  超过{i * 10}元至{(i + 1) * 10}元：{i}" for i in range(1, 700))
    text = (f"文件：\n  标题：《深》\n  施行日期：2024年1月1日\n\n输入 收入：金额\n输入 甲：金额，默认 0元\n\n"
            f"表 档：整数 按 收入 分段\n  不超过10元：0\n{bands}\n  其他：999\n\n"
            "输出 档值：整数 = 档\n输出 甲值：金额 = 甲\n")
    policy = differential.load_rule(tmp_path_factory, "deep", text)
    with pytest.raises(RecursionError):
        specialize.specialised(policy.module.SUBSET, policy._need(["档值"]), ["档值"])
    on = datetime.date(2024, 6, 1)
    for income in ["5", "10", "10.01", "5555", "7000", "7000.01", "-1", "很多"] * 10:
        compiled, interpreted = differential.answers(policy, {"收入": income}, on, ["档值"])
        assert compiled == interpreted
    assert policy._plan(["档值"])[0] is policy.module.SUBSET


def test_a_list_naming_every_output_in_order_gets_out_all() -> None:
    policy = policy_module.Policy(guize.load(ROOT / "policies/xinjiang/textile_2024.rule").module)
    every = list(policy.module.OUTPUTS)
    data = dict(policy.examples[0]["inputs"])
    for _ in range(70):
        with contextlib.suppress(RuleError):
            policy.evaluate(data, datetime.date(2024, 6, 1), every)
    assert policy._plan(every)[0] is policy._all is policy.module.ALL
