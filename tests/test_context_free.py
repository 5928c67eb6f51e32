"""Policies in which no Decimal can arise skip the decimal-context check (compiler/contextfree.py).

Policy.evaluate reads the caller's thread context on every call (compiled code writes + − × on
Decimals as operators) unless the module says DECIMAL_CONTEXT = False. These tests check the
analysis on small rules (what makes a policy decimal) and, for every policy of the corpus it
calls context-free, that its examples give the same results under a context that would change
any decimal result (3 digits, rounding down, no traps).
"""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal
from pathlib import Path

import pytest

import guize

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "policies").rglob("*.rule"))
HEAD = "文件:\n  标题:《测试》\n  施行日期:2024-01-01\n\n"


def context_needed(tmp_path: Path, body: str) -> bool:
    rule = tmp_path / "t.rule"
    rule.write_text(HEAD + body, encoding="utf-8")
    return bool(guize.load(str(rule), corpus=False).module.DECIMAL_CONTEXT)


@pytest.mark.parametrize(("body", "needed"), [
    ("输入 甲:整数\n输入 乙:整数\n输出 和:整数 = 甲 + 乙 × 2\n", False),
    ("输入 甲:整数\n输入 乙:是否\n输出 丙:整数 = 若 乙 则 甲 否则 0\n", False),
    ("输入 甲:整数\n输出 半:整数 = 向下取整(甲 ÷ 3)\n", False),  # values.div_int
    ("输入 甲:整数\n输出 半:比率 = 甲 ÷ 3\n", True),
    ("输入 甲:整数\n输出 高:是否 = 甲 × 1.5 > 10\n", True),
    ("输入 甲:金额\n输出 乙:是否 = 甲 > 10元\n", True),
    ("输入 甲:比率\n输出 乙:是否 = 甲 > 0.5\n", True),
], ids=["int arithmetic", "condition", "whole-number division", "division", "decimal literal",
        "money input", "rate input"])
def test_what_needs_the_decimal_context(tmp_path: Path, body: str, needed: bool) -> None:
    assert context_needed(tmp_path, body) is needed


def test_corpus_policies_of_whole_numbers_and_dates_are_context_free() -> None:
    flags = {path.stem: guize.load(path).module.DECIMAL_CONTEXT for path in CORPUS}
    assert flags["annual_leave_2008"] is False and flags["retirement_age_2025"] is False
    assert flags["outpatient_2024"] is True and flags["textile_2024"] is True


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_context_free_policies_ignore_the_callers_context(path: Path) -> None:
    policy = guize.load(path)
    if policy.module.DECIMAL_CONTEXT:
        pytest.skip("needs the decimal context: evaluate checks it (tests/test_runtime.py)")
    odd = decimal.Context(prec=3, rounding=decimal.ROUND_DOWN, traps=[])
    checked = 0
    for example in policy.examples:
        if example["not_in_force"] or example["error"]:
            continue
        want = policy.evaluate(example["inputs"], example["date"])
        with decimal.localcontext(odd):
            got = policy.evaluate(example["inputs"], example["date"])
            assert policy.interpret(example["inputs"], example["date"]) == got
        assert got == want
        assert {k: got[k] for k in example["expects"]} == example["expects"]
        checked += 1
    assert checked or not policy.module.OUTPUTS


@pytest.mark.parametrize("given", ["1,234,567", "1，234，567", "1234567元", "abc", "1,2x"])
def test_a_whole_number_given_as_text_reads_alike_under_any_context(tmp_path: Path, given: str) -> None:
    # A context-free policy converts its inputs in the caller's context: "1,234,567" (read by
    # values._number_text) must not be rounded to 3 digits, nor "abc" become NaN untrapped.
    rule = tmp_path / "t.rule"
    rule.write_text(HEAD + "输入 甲:整数\n输出 乙:整数 = 甲 + 1\n", encoding="utf-8")
    policy = guize.load(str(rule), corpus=False)
    assert policy.module.DECIMAL_CONTEXT is False

    def outcome(run: object) -> object:
        try:
            return run({"甲": given}, "2024-06-01")  # type: ignore[operator]
        except guize.RuleError as exc:
            return exc.message

    want = outcome(policy.evaluate)
    assert want == outcome(policy.interpret)
    odd = decimal.Context(prec=3, rounding=decimal.ROUND_DOWN, traps=[])
    with decimal.localcontext(odd):
        assert outcome(policy.evaluate) == want
        assert outcome(policy.interpret) == want


def test_a_caller_context_that_traps_inexact_gets_guizes_answer(tmp_path: Path) -> None:
    """The caller's thread context traps Inexact (strict money code does): the compiled path
    rounds as the interpreter does instead of stopping with 「无法完成的运算：Inexact」."""
    p = tmp_path / "strict.rule"
    p.write_text("文件：\n  标题：《严格》\n  施行日期：2024年1月1日\n\n输入 甲：金额\n"
                 "输出 乙：金额，四舍五入到分 = 甲 × 2\n输出 丙：金额 = 甲 ÷ 3\n", encoding="utf-8")
    policy = guize.load(p, corpus=False)
    data = {"甲": "1.234"}
    want = policy.evaluate(data, on=dt.date(2024, 6, 1))
    strict = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN,
                             traps=[decimal.Inexact, decimal.Rounded, decimal.InvalidOperation])
    with decimal.localcontext(strict):
        assert policy.evaluate(data, on=dt.date(2024, 6, 1)) == want == policy.interpret(data, on=dt.date(2024, 6, 1))
        assert decimal.getcontext().traps[decimal.Inexact]  # the caller's context is left as it was
    assert want["乙"] == Decimal("2.47")
