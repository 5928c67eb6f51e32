"""A formula continued on the next, more indented line after `=` or an operator (issue 13):
parsed as one expression, kept by the formatter after `=`, and an error where the next line is
not indented."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

import guize
from guize.compiler.diagnostics import CompileError
from guize.compiler.driver import check_source
from guize.compiler.parser import parse
from guize.tools.fmt import format_source, same_meaning

HEAD = "文件：\n  标题：《续行》\n  施行日期：2024年1月1日\n\n输入 收入：金额\n输入 成本：金额\n"


def _one_line(body: str) -> str:
    return format_source(HEAD + body, "a.rule")


@pytest.mark.parametrize("body", [
    "输出 利润：金额 =\n  收入 - 成本\n",
    "输出 利润：金额 = 收入 -\n  成本\n",
    "输出 利润：金额 =\n    收入 -\n    成本  依据 第二条\n",
    "输出 利润：金额 = 收入 －\n\u3000成本  # 全角空格缩进\n",
])
def test_a_continued_formula_is_the_same_expression(body: str) -> None:
    tree = parse(HEAD + body)
    [d] = tree.definitions
    flat = parse(HEAD + "输出 利润：金额 = 收入 - 成本\n").definitions[0].body.expr
    assert d.body.expr == flat


def test_a_continued_formula_evaluates_in_every_engine(tmp_path: Path) -> None:
    path = tmp_path / "a.rule"
    path.write_text(HEAD + "输出 利润：金额 = 收入 -\n  成本 ×\n  2\n输出 乙：是否 = 收入 > 成本 且\n  成本 > 0元\n",
                    encoding="utf-8")
    policy = guize.load(path, corpus=False)
    data = {"收入": 300, "成本": 100}
    on = dt.date(2024, 6, 1)
    expected = {"利润": Decimal("100.00"), "乙": True}
    assert policy.evaluate(data, on) == expected
    assert policy.interpret(data, on) == expected
    batch = policy.evaluate_batch({"收入": [300], "成本": [100]}, on).to_pylist()[0]
    assert batch["利润"] == Decimal("100.00") and batch["乙"] is True


def test_a_formula_continued_without_indentation_is_an_error() -> None:
    with pytest.raises(CompileError) as info:
        check_source(HEAD + "输出 利润：金额 = 收入 -\n成本\n", "a.rule")
    diag = info.value.diagnostics[0]
    assert diag.span.line == 7 and "没有写完" in diag.message
    assert diag.hint is not None and "多缩进" in diag.hint


def test_a_line_starting_with_an_operator_without_indentation_is_an_error_that_says_so() -> None:
    with pytest.raises(CompileError) as info:
        check_source(HEAD + "输出 利润：金额 = 收入\n- 成本\n", "a.rule")
    [diag] = info.value.diagnostics
    assert diag.code == "E016" and diag.span.line == 8 and diag.hint is not None and "「  - 成本」" in diag.hint


OPERATOR_LINES = [
    ("输出 利润：金额 = 收入\n  - 成本\n", "收入 - 成本"),
    ("输出 利润：金额 = 收入\n  − 成本 × 2  # 两倍\n  + 收入  依据 第二条\n", "收入 - 成本 × 2 + 收入  依据 第二条"),
    ("输出 利润：金额 =\n  收入\n  ＋ 成本\n  ÷ 2\n", "收入 + 成本 ÷ 2"),
    ("输出 利润：金额 = 收入 × 2\n  最高 成本\n", "收入 × 2 最高 成本"),
    ("输出 利润：是否 = 收入 > 0元\n    且 成本 > 0元\n", "收入 > 0元 且 成本 > 0元"),
    ("输出 利润：金额  依据 第二条\n  若 收入 > 成本 则 收入\n    - 成本\n  否则 0元\n",
     "输出 利润：金额  依据 第二条\n  若 收入 > 成本 则 收入 - 成本\n  否则 0元\n"),
]


@pytest.mark.parametrize(("body", "flat"), OPERATOR_LINES)
def test_a_line_starting_with_an_operator_continues_the_line_above(body: str, flat: str) -> None:
    one = flat if flat.startswith("输出") else f"输出 利润：{'是否' if '>' in flat else '金额'} = {flat}\n"
    assert parse(HEAD + body).definitions[0] == parse(HEAD + one).definitions[0]
    out = format_source(HEAD + body, "a.rule")
    assert format_source(out, "a.rule") == out  # fmt round-trips: the line joined, the meaning kept
    assert same_meaning(parse(HEAD + body), parse(out))


def test_operator_lines_evaluate_in_every_engine_and_keep_their_locations(tmp_path: Path) -> None:
    path = tmp_path / "a.rule"
    path.write_text(HEAD + "输出 利润：金额 = 收入\n  - 成本\n  × 2\n输出 乙：金额 = 收入\n  最高 成本\n", encoding="utf-8")
    policy = guize.load(path, corpus=False)
    data = {"收入": 300, "成本": 100}
    on = dt.date(2024, 6, 1)
    expected = {"利润": Decimal("100.00"), "乙": Decimal("100.00")}
    assert policy.evaluate(data, on) == expected == policy.interpret(data, on)
    batch = policy.evaluate_batch({"收入": [300], "成本": [100]}, on).to_pylist()[0]
    assert {k: batch[k] for k in expected} == expected
    # A name on the continued line is reported where it is written.
    with pytest.raises(CompileError) as info:
        check_source(HEAD + "输出 利润：金额 = 收入\n  - 成本\n  × 比例\n", "a.rule")
    [diag] = info.value.diagnostics
    assert (diag.span.line, diag.span.column) == (9, 5) and "比例" in diag.message
    tree = parse(HEAD + "输出 利润：金额 = 收入\n  - 成本\n")
    assert tree.definitions[0].body.expr.right.span.line == 8


def test_the_formatter_keeps_the_break_after_equals_and_joins_the_rest() -> None:
    out = _one_line("输出 利润：金额 =\n      收入 -\n  成本  依据 第二条\n")
    assert out.endswith("输出 利润：金额 =\n  收入 - 成本  依据 第二条\n")
    assert format_source(out, "a.rule") == out
    assert _one_line("输出 利润：金额 = 收入 -\n  成本\n").endswith("输出 利润：金额 = 收入 - 成本\n")
    assert same_meaning(parse(HEAD + "输出 利润：金额 =\n  收入 - 成本  依据 第二条\n"), parse(out))
