"""Parser: the syntax tree, punctuation forms, numbers, and syntax errors in Chinese."""

import datetime
from decimal import Decimal

import pytest

from guize.compiler import ast
from guize.compiler.diagnostics import CompileError
from guize.compiler.lexicon import normalize_docno, parse_number
from guize.compiler.parser import parse

HEADER = "文件：\n  标题：《测试》\n  施行日期：2024年1月1日\n\n"


def parse_one(body: str) -> ast.RuleFile:
    return parse(HEADER + body, "t.rule")


def syntax_errors(source: str) -> list[str]:
    with pytest.raises(CompileError) as info:
        parse(source, "t.rule")
    return [d.message + " | " + (d.hint or "") for d in info.value.diagnostics]


@pytest.mark.parametrize(("text", "value", "unit", "per"), [
    ("300元/吨", Decimal(300), "元", "吨"),
    ("1,234.50", Decimal("1234.50"), None, None),
    ("2000万元", Decimal(2000), "万元", None),
    ("3万", Decimal(30000), None, None),
    ("5个百分点", Decimal(5), "个百分点", None),
    ("80%", Decimal(80), "%", None),
    ("1.8元/吨", Decimal("1.8"), "元", "吨"),
    ("40支", Decimal(40), "支", None),
])
def test_numbers(text: str, value: Decimal, unit: str | None, per: str | None) -> None:
    assert parse_number(text) == (value, unit, per)


def test_full_and_half_width_punctuation_give_the_same_tree() -> None:
    full = parse_one("输入 费用：金额，默认 0元\n输出 补贴：金额 = 取较小值（费用 × 10％，300元）\n")
    half = parse_one("输入 费用:金额,默认 0元\n输出 补贴:金额 = 取较小值(费用 * 10%, 300元)\n")
    assert full.inputs == half.inputs
    # The literal text differs (10％ vs 10%), the meaning does not.
    f = full.definitions[0].body.expr
    h = half.definitions[0].body.expr
    assert isinstance(f, ast.Call) and isinstance(h, ast.Call)
    assert f.args[1] == h.args[1]
    assert f.args[0].left == h.args[0].left  # type: ignore[union-attr]


def test_spans_are_excluded_from_equality_but_present() -> None:
    a = parse_one("输出 补贴：金额 = 1元\n")
    b = parse("\n\n" + HEADER + "输出 补贴：金额 = 1元\n", "other.rule")
    assert a.definitions == b.definitions
    assert a.definitions[0].span.line == 5
    assert b.definitions[0].span.line == 7


def test_document_fields_and_docno_normalisation() -> None:
    tree = parse("文件：\n  标题：《关于印发〈办法〉的通知》\n  文号：新政办发[2024]13号\n"
                 "  施行日期：2024-04-26\n  有效期：五年\n  替代：新政办发（2021）115号\n", "t.rule")
    doc = tree.documents[0]
    assert doc.title == "关于印发〈办法〉的通知"
    assert doc.docno == "新政办发〔2024〕13号"
    assert doc.effective == datetime.date(2024, 4, 26)
    assert doc.duration_years == 5
    assert doc.repeals[0].refs[0].docno == "新政办发〔2021〕115号"
    assert doc.repeals[0].replaces
    assert normalize_docno("新政办发【2024】16号") == "新政办发〔2024〕16号"


def test_bands_with_qualifiers() -> None:
    tree = parse_one("输入 纱支：数量（支）\n表 标准：金额 按 纱支 分段\n"
                     "  40支以下（不含40支）：600元\n  40支以上（含40支）：640元\n"
                     "  2000元至3000元（不含3000元）：1元\n  超过50%：2元\n")
    body = tree.definitions[0].body
    assert isinstance(body, ast.BlockValue)
    keys = [b.key for b in body.branches]  # type: ignore[union-attr]
    assert keys[0].upper.inclusive is False and keys[0].upper.explicit  # type: ignore[union-attr]
    assert keys[1].lower.inclusive is True  # type: ignore[union-attr]
    assert keys[2].lower.inclusive and not keys[2].upper.inclusive  # type: ignore[union-attr]
    assert keys[3].lower.inclusive is False and keys[3].upper is None  # type: ignore[union-attr]


def test_keywords_have_synonyms() -> None:
    a = parse_one("输入 甲：是否\n输出 乙：金额 = 如果 甲 则 1元 否则 2元\n")
    b = parse_one("输入 甲：是否\n输出 乙：金额 = 若 甲 则 1元 否则 2元\n")
    assert a.definitions == b.definitions


def test_comments_and_sentence_terminators() -> None:
    tree = parse_one("# 说明\n输入 费用：金额。   # 行尾注释\n输出 补贴：金额 = 费用；\n")
    assert [c.text for c in tree.comments] == ["# 说明", "# 行尾注释"]
    assert len(tree.definitions) == 1


def test_glued_keyword_is_explained() -> None:
    messages = syntax_errors(HEADER + "输入 甲：是否\n输出 乙：金额 = 若甲 则 1元 否则 2元\n")
    assert any("「若」是关键字，后面要留空格" in m for m in messages)


def test_expected_tokens_are_named_in_chinese() -> None:
    (message,) = syntax_errors(HEADER + "输出 乙：金额 = 1元 +\n")
    assert "这一行没有写完" in message and "名称" in message and "NAME" not in message


def test_all_syntax_errors_are_reported() -> None:
    messages = syntax_errors(HEADER + "输出 甲：金额 = 1元 +\n输出 乙：金额 = ×\n输出 丙：金额 = 3元\n")
    assert len(messages) == 2


def test_impossible_date() -> None:
    (message,) = syntax_errors("文件：\n  标题：《测试》\n  施行日期：2023年2月29日\n")
    assert "日期「2023年2月29日」不存在" in message


def test_bad_indentation() -> None:
    (message,) = syntax_errors(HEADER + "类型 级：一、二\n输入 级别：级\n表 甲：金额 按 级别\n    一：1元\n  二：2元\n")
    assert "缩进不一致" in message


def test_examples() -> None:
    tree = parse_one("输入 费用：金额\n输出 补贴：金额 = 费用\n例 「一个例子」：\n  日期：2024-06-01\n"
                     "  费用 = 10元\n  期望 补贴 = 10元\n例 过期：\n  日期：2030年1月1日\n  期望 未生效\n")
    first, second = tree.examples
    assert first.name == "一个例子" and first.date == datetime.date(2024, 6, 1)
    assert first.inputs[0][0] == "费用" and first.expects[0][0] == "补贴"
    assert second.expect_not_in_force
