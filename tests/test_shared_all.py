"""A large policy's evaluators are written once (codegen.SHARED_ABOVE): out_all is out_subset with
every flag set, and no output has a function of its own (LISTS). Every answer and every error is
the reference interpreter's, for every list of outputs; what a branch not taken needs is neither
computed nor required; and each definition's statement is written once, so the module grows
linearly (a chain of outputs, each computed from the one before, included)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import differential
import pytest
from test_compile_pieces import inputs_for

import guize
from guize.compiler import codegen
from guize.compiler.driver import compile_source

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted((ROOT / "policies").rglob("*.rule"))
sys.path.insert(0, str(ROOT / "bench"))
from compile_bench import stem, synthetic  # noqa: E402

ON = dt.date(2024, 6, 1)
# After synthetic blocks (which put the policy above SHARED_ABOVE): a guarded division, an input
# only one branch reads, and a chain of outputs each computed from the one before.
LAZY = """
输入 总额：金额
输入 人数：整数（人）
输入 有奖励：是否，默认 否
输入 奖励：金额

定义 人均：金额/人 = 总额 ÷ 人数

输出 每人：金额/人 = 若 人数 = 0人 则 0元/人 否则 人均

输出 合计：金额 = 若 有奖励 则 总额 + 奖励 否则 总额
"""


def chain(n: int) -> str:
    """n outputs 链乙, 链丙, …: the first 总额 + 1元, each next the one before + 1元."""
    return "".join(f"\n输出 链{stem(k)}：金额 = {'总额' if k == 1 else '链' + stem(k - 1)} + 1元\n"
                   for k in range(1, n + 1))


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("shared") / "large.rule"
    path.write_text(synthetic(600) + LAZY + chain(5), encoding="utf-8")
    policy = guize.load(path, corpus=False, cache=False)
    assert len(policy.module.DEFS) > codegen.SHARED_ABOVE
    return policy


def test_out_all_is_out_subset_with_every_flag(large: guize.Policy) -> None:
    module = large.module
    assert module.ALL.__code__.co_names == ("out_subset", "_ALL_NEED")
    assert module.LISTS == {} and len(module._ALL_NEED) == len(module.SUBSET_FLAGS)
    source = compile_source(Path(module.SOURCE_PATH).read_text(encoding="utf-8"), module.SOURCE_PATH).python
    statements = re.compile(r"^ +(d_支付乙|d_链乙|d_链丁) = \(", re.M).findall(source)
    # Each statement once (out_all repeated every one, and 链丁's own function 链乙's and 链丙's)
    assert sorted(statements) == ["d_支付乙", "d_链丁", "d_链乙"]


def test_large_policy_answers_as_the_interpreter(large: guize.Policy) -> None:
    outputs = list(large.module.OUTPUTS)
    base: dict[str, Any] = {n: Decimal(1500) for n in large.module.INPUT_NAMES if n.startswith("费用")}
    base |= {"级别": "二级", "总额": Decimal(120), "人数": 4}
    rng = random.Random(22)
    lists: list[list[str] | None] = [None, outputs, outputs[::-1], ["链丁"], ["链乙", "链丁"], ["链丁", "链丙"],
                                     ["每人"], ["合计", "每人"], *(rng.sample(outputs, 5) for _ in range(6))]
    first_input = next(n for n in base if n.startswith("费用"))
    for asked in lists:
        for data in (base, {**base, "人数": 0}, {**base, "有奖励": True}, {**base, "有奖励": True, "奖励": 7},
                     {k: v for k, v in base.items() if k != first_input}, {**base, "级别": "四级"},
                     {**base, "人数": "不是数"}, {**base, "未声明": 1}):
            first, second = differential.answers(large, data, ON, asked)
            assert first == second, (asked, data)
    # Missing for every output (out_all) says so, as the interpreter; a list naming them all does not.
    missing = {k: v for k, v in base.items() if k != first_input}
    assert "计算全部输出时需要" in differential.answers(large, missing, ON, None)[0][2]
    assert "计算全部输出时需要" not in differential.answers(large, missing, ON, outputs)[0][2]


def test_a_branch_not_taken_is_neither_computed_nor_required(large: guize.Policy) -> None:
    # 人数 = 0: the division 总额 ÷ 人数 is on the branch not taken; 奖励 only when 有奖励.
    data: dict[str, Any] = {n: Decimal(100) for n in large.module.INPUT_NAMES if n.startswith("费用")}
    data |= {"总额": Decimal(100), "人数": 0}
    for asked in (None, ["每人"], ["合计", "每人"], ["每人", "链丙"]):
        first, second = differential.answers(large, data, ON, asked)
        assert first == second and first["每人"] == Decimal(0), asked
    assert differential.answers(large, data | {"有奖励": True}, ON, ["合计"])[0] == (
        "error", "MissingInput", "缺少输入「奖励」（计算「合计」时需要）")
    assert differential.answers(large, data | {"有奖励": True}, ON, None)[0] == (
        "error", "MissingInput", "缺少输入「奖励」（计算「合计」时需要）")
    assert differential.answers(large, data | {"有奖励": True}, ON, ["每人"])[0] == {"每人": Decimal(0)}


def test_batch_agrees_on_the_large_policy(large: guize.Policy) -> None:
    pytest.importorskip("pyarrow")
    rows = []
    for people, reward in ((0, None), (4, None), (2, True)):
        row: dict[str, Any] = {n: Decimal(900) for n in large.module.INPUT_NAMES if n.startswith("费用")}
        row |= {"级别": "三级", "总额": Decimal(100), "人数": people}
        if reward:
            row |= {"有奖励": True, "奖励": Decimal(3)}
        rows.append(row)
    for asked in (["每人", "合计", "链丙"], None):
        got = large.evaluate_batch(rows, ON, asked).to_pylist()
        for row, out in zip(rows, got, strict=True):
            assert out["错误"] is None
            assert {k: v for k, v in out.items() if k != "错误"} == large.evaluate(row, ON, asked)


def test_a_chain_of_outputs_grows_the_module_linearly() -> None:
    head = synthetic(600) + "\n输入 总额：金额\n"
    sizes = [len(compile_source(head + chain(n), "chain.rule").python) for n in (20, 40, 60)]
    # Each link adds the same code (with a function per output, link k repeated the k before it).
    # 20 links each: 1.17 times (SUBSET_FLAGS lists for each link the outputs after it); 1.49 with
    # a function per output (LISTS)
    assert sizes[2] - sizes[1] < 1.3 * (sizes[1] - sizes[0])


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_corpus_shared_answers_as_the_interpreter(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every corpus policy written as a large one: the same answers and errors as the interpreter
    for every output alone, the outputs in order and reversed, some pairs, and all of them."""
    monkeypatch.setattr(codegen, "SHARED_ABOVE", 0)
    policy = guize.load(path, corpus=False, cache=False)
    outputs = list(policy.module.OUTPUTS)
    if not outputs:
        return
    assert policy.module.LISTS == {} and hasattr(policy.module, "_ALL_NEED")
    rng = random.Random(path.stem)
    lists: list[list[str] | None] = [None, outputs, outputs[::-1], *([o] for o in outputs)]
    lists += [rng.sample(outputs, min(2, len(outputs))) for _ in range(4)]
    for example in policy.examples:
        for asked in (None, list(example["expects"]) or None):
            first, second = differential.answers(policy, dict(example["inputs"]), example["date"], asked)
            assert first == second, (example["name"], asked)
    for on, _ in itertools.product((dt.date(2019, 6, 1), dt.date(2024, 6, 1), dt.date(2026, 1, 1)), range(6)):
        data = inputs_for(policy, rng)
        for asked in lists:
            first, second = differential.answers(policy, data, on, asked)
            assert first == second, (data, on, asked)


def test_a_traceback_shows_the_rule_line(tmp_path: Path) -> None:
    """An error in a large policy's shared code (out_all through out_subset, in parts) is shown at
    its .rule line, as in a policy of usual size (test_codegen)."""
    import traceback

    from guize.runtime.errors import EvaluationError

    rule = tmp_path / "quotient.rule"
    text = synthetic(600) + "\n输入 总额：金额\n输入 人数：整数（人）\n\n输出 商：金额/人 = 总额 ÷ 人数\n"
    rule.write_text(text, encoding="utf-8")
    line = text.split("\n").index("输出 商：金额/人 = 总额 ÷ 人数") + 1
    policy = guize.load(rule, corpus=False, cache=False)
    assert len(policy.module.DEFS) > codegen.SHARED_ABOVE
    data: dict[str, Any] = {n: Decimal(100) for n in policy.module.INPUT_NAMES if n.startswith("费用")}
    data |= {"总额": Decimal(10), "人数": 0}
    first = next(o for o in policy.module.OUTPUTS if o != "商")
    for outputs in (["商"], None, [first, "商"], ["商", first]):
        with pytest.raises(EvaluationError) as info:
            policy.evaluate(data, ON, outputs)
        frames = [f for f in traceback.extract_tb(info.value.__traceback__) if f.filename == str(rule)]
        assert [(f.lineno, f.name) for f in frames] == [(line, "商")], outputs


def test_hostile_number_inputs_of_a_large_policy_as_the_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    """A large policy reads each number input by values.quick_number (inline_reads.number_read):
    every hostile value, eager and prefetched, is accepted or refused as the interpreter does,
    whatever traps the caller's context has."""
    import decimal

    from test_hostile_values import FILLER, HOSTILE, OUTPATIENT

    monkeypatch.setattr(codegen, "SHARED_ABOVE", 0)
    policy = guize.load(ROOT / OUTPATIENT, corpus=False, cache=False)
    source = compile_source((ROOT / OUTPATIENT).read_text(encoding="utf-8"), OUTPATIENT).python
    assert "i_本次费用 = _quick(data.get('本次费用', _U))" in source and "_TINY <= " not in source
    base = {s["name"]: s["members"][0] if s["kind"] == "enum" else FILLER[s["kind"]] for s in policy.module.INPUTS}
    lenient = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN, traps=[])
    numbers = [s["name"] for s in policy.module.INPUTS if s["kind"] in ("money", "quantity", "rate")]
    for name in numbers:
        for value in [*HOSTILE, Decimal("-0"), Decimal("0E-1005"), "0", 0, "-5", -5, Decimal("12.50")]:
            data = {**base, name: value}
            if value is None:
                del data[name]
            for context in (decimal.getcontext(), lenient):
                with decimal.localcontext(context):
                    for outputs in [None, *([o] for o in policy.module.OUTPUTS)]:
                        first, second = differential.answers(policy, data, "2025-03-01", outputs)
                        assert first == second, (name, value, outputs)
