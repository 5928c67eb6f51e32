"""Names with digits where the law's names have them (issue 13): 3岁以下婴幼儿人数, 第2档标准 and
enum members such as 第1档, without changing how numbers read; every engine agrees, fmt round-trips."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

import guize
from guize.compiler.diagnostics import CompileError
from guize.compiler.driver import check_source
from guize.compiler.lexicon import declared_digit_names, digit_name
from guize.compiler.parser import parse
from guize.tools.fmt import format_source, same_meaning

SOURCE = """\
文件：
  标题：《名称中的数字》
  施行日期：2024年1月1日

类型 档次：第1档、第2档
输入 3岁以下婴幼儿人数：整数（人）
输入 所在档：档次
输入 收入：金额
参数 第1档标准 = 1000元/人
参数 第2档标准 = 2000元/人
参数 起征点 = 不超过36000元的部分
输出 补贴：金额 按 所在档
  第1档：第1档标准 × 3岁以下婴幼儿人数
  第2档：第2档标准 × 3岁以下婴幼儿人数
表 第1档税额：金额 按 收入 分段
  不超过36000元：收入 × 3%
  超过36000元：1080元
输出 税额：金额
  自2024年1月1日起：第1档税额
输出 多于2人：是否 = 3岁以下婴幼儿人数 超过 2人

例 「第2档，3岁以下婴幼儿人数为3」：
  日期：2024年6月1日
  3岁以下婴幼儿人数 = 3人
  所在档 = 第2档
  收入 = 100元
  期望 补贴 = 6000元
  期望 税额 = 3元
  期望 多于2人 = 是
"""


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("names") / "names.rule"
    path.write_text(SOURCE.replace("参数 起征点 = 不超过36000元的部分\n", ""), encoding="utf-8")
    return guize.load(path, corpus=False)


def test_declared_names_with_digits_parse_as_names() -> None:
    tree = parse(SOURCE.replace("参数 起征点 = 不超过36000元的部分\n", ""))
    assert [i.name for i in tree.inputs][:1] == ["3岁以下婴幼儿人数"]
    assert tree.types[0].members == ("第1档", "第2档")
    assert {d.name for d in tree.definitions} >= {"第1档标准", "第2档标准", "第1档税额", "多于2人"}
    assert tree.examples[0].name == "第2档，3岁以下婴幼儿人数为3"


@pytest.mark.parametrize(("word", "ok"), [
    ("3岁以下婴幼儿人数", True), ("第2档标准", True), ("2024年标准", True), ("多于2人", True),
    ("3岁", False), ("2024年", False), ("100元", False), ("5个百分点", False), ("第", False), ("36000", False),
])
def test_a_number_with_a_unit_is_never_a_name(word: str, ok: bool) -> None:
    assert digit_name(word) is ok


def test_numbers_next_to_declared_names_read_as_before() -> None:
    assert declared_digit_names(SOURCE)[0] == "3岁以下婴幼儿人数"
    # 不超过36000元的部分 is still a band's wording, not a name: the parameter is an error, as before.
    with pytest.raises(CompileError):
        check_source(SOURCE, "a.rule")


def test_every_engine_agrees(policy: guize.Policy) -> None:
    on = dt.date(2024, 6, 1)
    data = {"3岁以下婴幼儿人数": 2, "所在档": "第1档", "收入": 40000}
    expected = {"补贴": Decimal("2000.00"), "税额": Decimal("1080.00"), "多于2人": False}
    assert policy.evaluate(data, on) == expected
    assert policy.interpret(data, on) == expected
    row = policy.evaluate_batch({k: [v] for k, v in data.items()}, on).to_pylist()[0]
    assert {k: row[k] for k in expected} == expected
    assert next(i.name for i in policy.inputs) == "3岁以下婴幼儿人数"
    assert "3岁以下婴幼儿人数" in policy.explain(data, on).render()


def test_examples_pass(policy: guize.Policy, tmp_path: Path) -> None:
    from guize.tools import testing

    path = tmp_path / "a.rule"
    path.write_text(SOURCE.replace("参数 起征点 = 不超过36000元的部分\n", ""), encoding="utf-8")
    report = testing.run([str(path)])
    assert report.failed == 0 and report.passed == 1


def test_the_formatter_round_trips() -> None:
    source = SOURCE.replace("参数 起征点 = 不超过36000元的部分\n", "")
    out = format_source(source, "a.rule")
    assert "输入 3岁以下婴幼儿人数：整数（人）" in out and "第2档：第2档标准 × 3岁以下婴幼儿人数" in out
    assert format_source(out, "a.rule") == out
    assert same_meaning(parse(source), parse(out))


def test_an_undeclared_word_with_digits_says_it_is_not_a_declared_name() -> None:
    source = SOURCE.replace("参数 起征点 = 不超过36000元的部分\n", "").replace(
        "第2档：第2档标准 × 3岁以下婴幼儿人数", "第2档：第3档标准 × 3岁以下婴幼儿人数")
    with pytest.raises(CompileError) as info:
        check_source(source, "a.rule")
    diag = info.value.diagnostics[0]
    assert diag.span.line == 13
    assert diag.hint is not None and "「第3档标准」不是声明过的名称" in diag.hint


def test_a_string_quoting_a_digit_name_keeps_its_digits() -> None:
    tree = parse(SOURCE.replace("参数 起征点 = 不超过36000元的部分\n", ""))
    assert "\ue000" not in repr(tree) and "\ue003" not in repr(tree)


def test_the_editor_scan_reads_declared_digit_names_as_names() -> None:
    from guize.tools.lsp.scan import is_name, tokens

    names = {t.text for t in tokens(SOURCE) if t.kind == "name"}
    assert {"3岁以下婴幼儿人数", "第2档标准", "第1档"} <= names
    assert is_name("第2档标准") and not is_name("3岁")
