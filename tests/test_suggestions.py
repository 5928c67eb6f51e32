"""Error messages whose suggestion was wrong or missing (issue 22): each names what and where and
suggests the fix a drafter needs."""

from __future__ import annotations

import pytest

from guize.compiler import ast, parser
from guize.compiler.diagnostics import CompileError, Diagnostic
from guize.compiler.driver import check_source
from guize.compiler.lexicon import PER_UNITS

HEAD = "文件：\n  标题：《示例》\n  施行日期：2024年1月1日\n\n"


def _errors(body: str) -> list[Diagnostic]:
    with pytest.raises(CompileError) as info:
        check_source(HEAD + body, "x.rule")
    return [d for d in info.value.diagnostics if d.severity == "error"]


def _checks(body: str) -> None:
    checked = check_source(HEAD + body, "x.rule")
    assert not [d for d in checked.diagnostics if d.severity == "error"]


@pytest.mark.parametrize("value", ["100元 / 人", "(100元)/人", "100元 ÷ 人"])
def test_a_per_unit_written_apart_suggests_the_unit_form(value: str) -> None:
    [diag] = _errors(f"输入 子女人数：整数（人）\n参数 标准 = {value}\n输出 补助：金额 = 标准 × 子女人数\n")
    assert diag.message == "未定义的名称「人」"
    assert diag.hint is not None and "单位" in diag.hint and "100元/人" in diag.hint
    assert "子女人数" not in diag.hint


@pytest.mark.parametrize("per", sorted(PER_UNITS))
def test_every_per_unit_the_hint_names_is_one_the_grammar_reads(per: str) -> None:
    for slash in "/／":
        number = parser.parse(f"参数 标准 = 100元{slash}{per}\n").definitions[0].body.expr
        assert isinstance(number, ast.Number) and number.per == per and number.unit == "元"


def test_a_full_width_slash_in_a_unit_is_the_unit_form() -> None:
    _checks("输入 子女人数：整数（人）\n参数 标准 = 100元／人\n输出 补助：金额 = 标准 × 子女人数\n")


def test_an_input_and_an_output_of_the_same_name_say_so_and_where() -> None:
    [diag] = _errors("输入 补助：金额\n输出 补助：金额 = 100元\n")
    assert "输入" in diag.message and "输出" in diag.message and "同名" in diag.message
    assert "第 5 行" in diag.message and diag.span.line == 6
    assert "定义「补助」重复" not in diag.message
    assert diag.hint is not None and "改名" in diag.hint


def test_two_definitions_of_one_name_are_still_a_repeat() -> None:
    [diag] = _errors("输入 甲：金额\n输出 补助：金额 = 甲\n输出 补助：金额 = 甲\n")
    assert diag.message == "输出「补助」重复：第 6 行已经声明过"


@pytest.mark.parametrize("op", ["+", "－", "×", "÷"])
def test_a_continuation_line_without_indentation_suggests_indenting_it(op: str) -> None:
    operand = "2" if op in "×÷" else "100元"
    _checks(f"输入 甲：金额\n输出 补助：金额 = 甲\n  {op} {operand}\n")  # indented: it continues the formula
    [diag] = _errors(f"输入 甲：金额\n输出 补助：金额 = 甲\n{op} {operand}\n")
    assert diag.span.line == 7 and diag.span.column == 1
    assert f"「{op}」" in diag.message and "续行" in diag.message
    assert diag.hint is not None and "缩进" in diag.hint


def test_a_continuation_line_inside_parentheses_is_fine() -> None:
    _checks("输入 甲：金额\n输出 补助：金额 = (甲\n  + 100元)\n")


def test_an_example_name_with_punctuation_suggests_quoting_it() -> None:
    [diag] = _errors("输入 甲：金额\n输出 补助：金额 = 甲\n\n例 人均恰好一千元，二〇二六年：\n"
                     "  日期：2026年1月1日\n  甲 = 1000元\n  期望 补助 = 1000元\n")
    assert diag.span.line == 8
    assert diag.hint is not None and "「人均恰好一千元，二〇二六年」" in diag.hint


@pytest.mark.parametrize("formula", ["甲 × 2", "甲", "取较小值(甲, 100元)", "-甲 + 1元", "(甲)"])
def test_a_formula_on_its_own_line_under_an_output_says_where_formulas_go(formula: str) -> None:
    [diag] = _errors(f"输入 甲：金额\n输出 补助：金额\n  {formula}\n")
    assert diag.span.line == 7 and diag.span.column == 3
    assert "若" in diag.message and "否则" in diag.message and "=" in diag.message
    assert diag.hint is not None and f"输出 补助：金额 = {formula}" in diag.hint


BAND_HEAD = "输入 所得：金额\n表 税率：比率 按 所得 分段\n"


@pytest.mark.parametrize(("row", "fixed"), [
    ("大于36000元", "超过36000元"), ("小于36000元", "不满36000元"), ("大于等于36000元", "36000元以上"),
    ("≤36000元", "不超过36000元"), ("> 36000元", "超过36000元"), ("36000元及以上", "36000元以上"),
    ("36000元以上（含本数）", "36000元以上"), ("在36000元以下", "36000元以下"),
    ("36000元到144000元", "36000元至144000元"), ("36000元以上不到144000元", "36000元以上不满144000元"),
    ("低于或等于36000元", "不超过36000元"),
])
def test_a_band_row_in_other_words_suggests_the_law_wording(row: str, fixed: str) -> None:
    diag = _errors(f"{BAND_HEAD}  {row}：3%\n  其他：10%\n")[0]
    assert diag.span.line == 7
    assert diag.hint is not None and f"分段照法条写作「{fixed}」" in diag.hint
    # The suggestion is itself a band the grammar reads, with the same meaning as intended.
    _checks(f"{BAND_HEAD}  {fixed}：3%\n  其他：10%\n")


def test_an_unreadable_band_row_lists_the_accepted_wordings() -> None:
    diag = _errors(f"{BAND_HEAD}  36000元以上以下：3%\n  其他：10%\n")[0]
    assert diag.hint is not None and "「超过36000元至144000元」" in diag.hint and "包括本数" in diag.hint


@pytest.mark.parametrize(("word", "fixed"), [("大于等于", "达到"), ("小于", "不满"), ("大于", "超过")])
def test_a_comparison_in_other_words_suggests_the_law_wording(word: str, fixed: str) -> None:
    diag = _errors(f"输入 所得：金额\n输入 起征点：金额\n输出 税：金额 = 若 所得 {word} 起征点 则 1元 否则 0元\n")[0]
    assert diag.hint is not None and f"若 所得 {fixed} 起征点 则" in diag.hint
