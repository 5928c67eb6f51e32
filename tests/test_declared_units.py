"""Units a drafter declares (单位 人次, 单位 担 = 50公斤), issue 13: read after numbers and in types,
converted like built-in units, checked like them (no 人次 + 公斤), every engine agrees, fmt
round-trips, and the errors say what to declare."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

import guize
from guize.compiler.diagnostics import CompileError
from guize.compiler.driver import check_source
from guize.compiler.parser import parse
from guize.tools import testing
from guize.tools.fmt import format_source, same_meaning

SOURCE = """\
文件：
  标题：《自定单位》
  施行日期：2024年1月1日

单位 人次  依据 第一条
单位 担 = 50公斤
单位 石 = 2担
输入 培训量：数量（人次）
输入 收购量：数量（担）
参数 培训补贴标准 = 300元/人次  依据 第二条
参数 收购补贴标准 = 1元/公斤
输出 培训补贴：金额 = 培训补贴标准 × 培训量
输出 收购补贴：金额 = 收购补贴标准 × 收购量
输出 重量：数量（公斤） = 收购量 + 1石
输出 多：是否 = 培训量 超过 100人次
输出 档次补贴：金额 按 培训量 分段
  不满100人次：0元
  100人次以上：1000元

例 一：
  日期：2024年6月1日
  培训量 = 120人次
  收购量 = 2担
  期望 培训补贴 = 36000元
  期望 收购补贴 = 100元
  期望 重量 = 200公斤
  期望 多 = 是
  期望 档次补贴 = 1000元
"""
ON = dt.date(2024, 6, 1)
HEAD = "文件：\n  标题：《单位》\n  施行日期：2024年1月1日\n\n"


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("units") / "units.rule"
    path.write_text(SOURCE, encoding="utf-8")
    return guize.load(path, corpus=False)


def test_declared_units_parse() -> None:
    tree = parse(SOURCE)
    assert [(u.name, u.amount.text if u.amount else None) for u in tree.units] == [
        ("人次", None), ("担", "50公斤"), ("石", "2担")]
    assert tree.units[0].cite is not None and tree.units[0].cite.articles == ("第一条",)


@pytest.mark.parametrize(("data", "expected"), [
    ({"培训量": 120, "收购量": 2}, {"培训补贴": Decimal("36000.00"), "收购补贴": Decimal("100.00"),
                                   "重量": Decimal(200), "多": True, "档次补贴": Decimal("1000.00")}),
    ({"培训量": "99.5", "收购量": "0.5"}, {"培训补贴": Decimal("29850.00"), "收购补贴": Decimal("25.00"),
                                         "重量": Decimal(125), "多": False, "档次补贴": Decimal("0.00")}),
])
def test_every_engine_converts_declared_units(policy: guize.Policy, data: dict[str, object],
                                              expected: dict[str, object]) -> None:
    assert policy.evaluate(data, ON) == expected
    assert policy.interpret(data, ON) == expected
    row = policy.evaluate_batch({k: [v] for k, v in data.items()}, ON).to_pylist()[0]
    assert {k: row[k] for k in expected} == expected
    assert {i.name: i.unit for i in policy.inputs} == {"培训量": "人次", "收购量": "担"}


def test_examples_pass_and_fmt_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "a.rule"
    path.write_text(SOURCE, encoding="utf-8")
    assert testing.run([str(path)]).failed == 0
    out = format_source(SOURCE, "a.rule")
    assert "单位 担 = 50公斤\n" in out and "单位 人次  依据 第一条\n" in out
    assert format_source(out, "a.rule") == out and same_meaning(parse(SOURCE), parse(out))


def test_a_declared_unit_is_checked_like_a_built_in_one() -> None:
    with pytest.raises(CompileError) as info:
        check_source(SOURCE.replace("收购量 + 1石", "收购量 + 1人次"), "a.rule")
    diag = next(d for d in info.value.diagnostics if d.severity == "error")
    assert "人次" in diag.message and diag.span.line == 14


@pytest.mark.parametrize(("body", "code", "words"), [
    ("单位 公斤 = 2千克\n", "E238", "「公斤」是内置单位（1公斤 = 1千克）"),
    ("单位 担 = 50公斤\n单位 担\n", "E238", "单位「担」重复声明"),
    ("单位 石 = 2担\n", "E014", "先声明「单位 担」"),  # 2担 is a number only once 担 is declared
    ("单位 打 = 12\n", "E237", "换算要写成一个带单位的数量"),
    ("单位 打 = 0个\n", "E237", "换算应大于零"),
])
def test_wrong_declarations_say_what_is_wrong(body: str, code: str, words: str) -> None:
    with pytest.raises(CompileError) as info:
        check_source(HEAD + body + "输入 量：数量（千克）\n输出 多：是否 = 量 超过 1千克\n", "a.rule")
    diag = next(d for d in info.value.diagnostics if d.code == code)
    assert words in diag.message + (diag.hint or "")
    assert diag.span.line == 4 + body.count("\n")  # the last declaration


def test_a_built_in_unit_may_be_declared_without_a_conversion() -> None:
    check_source(HEAD + "单位 亩\n单位 公斤 = 1千克\n输入 面积：数量（亩）\n输出 多：是否 = 面积 超过 1亩\n", "a.rule")


@pytest.mark.parametrize("value", ["5打", "120人次"])
def test_an_undeclared_unit_after_a_number_suggests_declaring_it(value: str) -> None:
    with pytest.raises(CompileError) as info:
        check_source(HEAD + f"输入 量：数量（千克）\n输出 多：是否 = 量 超过 {value}\n", "a.rule")
    unit = value.lstrip("0123456789")
    diag = info.value.diagnostics[0]
    assert diag.hint is not None and f"先声明「单位 {unit}」" in diag.hint


def test_files_without_declared_units_share_one_parser() -> None:
    from guize.compiler.parser import lark_for

    parse(HEAD + "输入 量：数量（千克）\n")
    before = lark_for.cache_info().currsize
    parse(HEAD + "输入 量：数量（吨）\n")
    assert lark_for.cache_info().currsize == before


def test_the_editor_scan_reads_declared_units_in_numbers() -> None:
    from guize.tools.lsp.scan import tokens

    numbers = [t.text for t in tokens(SOURCE) if t.kind == "number"]
    assert "300元/人次" in numbers and "100人次" in numbers and "50公斤" in numbers


def test_money_per_something_in_parentheses(tmp_path: Path) -> None:
    """金额（元/人）, 金额（元/人/月）, 金额（万元/人） are money per person (docs/language.md §3); they
    were E231 「金额的单位应为元、万元或亿元，而不是「元」」. 金额（吨） is still E231, naming 吨."""
    head = "文件：\n  标题：《人均》\n  施行日期：2024年1月1日\n\n"
    body = ("输入 总额：金额\n输入 人口：整数（人）\n输入 月数：整数（月）\n输入 上限：金额（万元/人）\n"
            "输出 人均：金额（元/人） = 取较小值(上限，向下取整(总额 ÷ 人口))\n"
            "输出 人均月：金额（元/人/月） = 向下取整(总额 ÷ 人口 ÷ 月数)\n")
    p = tmp_path / "p.rule"
    p.write_text(head + body, encoding="utf-8")
    policy = guize.load(p, corpus=False)
    data = {"总额": 1000, "人口": 3, "月数": 2, "上限": Decimal("0.01")}
    for run in (policy.evaluate, policy.interpret):
        assert run(data, on=dt.date(2024, 6, 1)) == {"人均": Decimal(100), "人均月": Decimal(166)}
    with pytest.raises(CompileError) as caught:
        check_source(head + "输入 重：金额（吨）\n", "bad.rule")
    assert [(d.code, d.message) for d in caught.value.diagnostics if d.severity == "error"] == [
        ("E231", "金额的单位应为元、万元或亿元（或如「元/人」），而不是「吨」")]
