"""Bad input of any kind gets a RuleError, never an internal exception (deterministic fuzzing)."""

import datetime
import decimal
import random
from pathlib import Path

import pytest

import guize
from guize.compiler.driver import compile_source
from guize.runtime.errors import RuleError

SOURCES = ["policies/xinjiang/textile_2024.rule", "policies/xinjiang/outpatient_2024.rule",
           "tests/golden/good/arithmetic.rule", "tests/golden/good/date_inputs.rule"]
TOKENS = ["若", "则", "否则", "按", "分段", "：", "（", "）", "×", "+", "-", "0", "50%", "元", "自", "起",
          "\n  ", "\n", "、", "参照", "其他", "依据 第一条", "最高", "非", "=", "个百分点", "《", "》", "例", "期望"]


def mutate(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        j = rng.randrange(len(lines))
        op = rng.random()
        if op < 0.3:
            del lines[j]
        elif op < 0.6:
            k = rng.randint(0, len(lines[j]))
            lines[j] = lines[j][:k] + rng.choice(TOKENS) + lines[j][k:]
        elif op < 0.8 and lines[j]:
            k = rng.randrange(len(lines[j]))
            lines[j] = lines[j][:k] + lines[j][k + 1:]
        else:
            lines.insert(j, rng.choice(lines))
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(4))
def test_mutated_programs_give_rule_errors_only(seed: int) -> None:
    rng = random.Random(seed)
    texts = [Path(p).read_text(encoding="utf-8") for p in SOURCES]
    outcomes = {"compiled": 0, "rule error": 0}
    for _ in range(60):
        try:
            compile_source(mutate(rng, rng.choice(texts)), "mutated.rule")
            outcomes["compiled"] += 1
        except RuleError as exc:
            assert exc.message  # a message for the drafter, not an empty exception
            outcomes["rule error"] += 1
    # Anything else (KeyError, TypeError …) would have escaped and failed the test.
    assert outcomes["compiled"] > 0 and outcomes["rule error"] > 0


ODD_VALUES = [None, [], {}, "", "abc", "NaN", "inf", "-1", "1e400", "1e-400", 1e308, float("nan"), True, "是",
              "2024-02-30", "9" * 40, 10**40, -0.0, "1,2,3", "５", decimal.Decimal("1E+1000"),
              datetime.date(9999, 12, 31), "80%", "%", "一级", 0, 1, "0.1"]


@pytest.mark.parametrize("path", SOURCES)
def test_odd_inputs_give_rule_errors_only(path: str) -> None:
    rng = random.Random(path)
    policy = guize.load(path)
    names = [i.name for i in policy.inputs]
    outputs = [o.name for o in policy.outputs]
    errors: set[str] = set()
    for _ in range(300):
        data = {n: rng.choice(ODD_VALUES) for n in names if rng.random() < 0.9}
        on = rng.choice([datetime.date(2025, 3, 1), "2025-03-01", "bad", None, 5])
        wanted = rng.choice([None, [rng.choice(outputs)], rng.sample(outputs, min(3, len(outputs)))])
        results = []
        for evaluate in (policy.evaluate, policy.interpret):
            try:
                results.append(evaluate(data, on, wanted))
            except RuleError as exc:
                results.append(type(exc))
                errors.add(type(exc).__name__)
        assert results[0] == results[1]  # compiled and interpreted fail (or succeed) alike
    assert {"InvalidInput"} <= errors
