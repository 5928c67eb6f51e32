"""Definitions a caller may give (可作输入) and results that may be negative (可为负), issue 13:
every engine agrees (compiled = reference = batch), the given value wins and is explained as
given, the formula's inputs are needed only when it is not given, the schema says so, verify
counts a given value and skips the sign of a 可为负 result, and fmt round-trips."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import guize
from guize.compiler.diagnostics import CompileError
from guize.compiler.driver import check_source
from guize.compiler.parser import parse
from guize.runtime.errors import RuleError
from guize.runtime.schema import input_schema, output_schema
from guize.tools import testing
from guize.tools.fmt import format_source, same_meaning

SOURCE = """\
文件：
  标题：《可作输入与可为负》
  施行日期：2024年1月1日

输入 出生日期：日期
输入 收入：金额
输入 成本：金额
定义 实足年龄：年龄，可作输入 = 年龄(出生日期，评估日期)
定义 利润：金额，可为负 = 收入 - 成本
输出 补贴：金额 = 若 实足年龄 ≥ 60岁 则 100元 否则 0元
输出 亏损额：金额，可为负 = 利润                 依据 第二条
输出 应纳税额：金额，四舍五入到元，可作输入 = 取较大值(利润，0元) × 25%
输出 税后：金额，可为负 = 利润 - 应纳税额

例 给出年龄：
  日期：2024年6月1日
  实足年龄 = 61岁
  期望 补贴 = 100元
例 按出生日期：
  日期：2024年6月1日
  出生日期 = 1970年1月1日
  期望 补贴 = 0元
例 亏损：
  日期：2024年6月1日
  收入 = 100元
  成本 = 300元
  期望 亏损额 = -200元
  期望 应纳税额 = 0元
  期望 税后 = -200元
"""
ON = dt.date(2024, 6, 1)


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("given") / "given.rule"
    path.write_text(SOURCE, encoding="utf-8")
    return guize.load(path, corpus=False)


def answers(policy: guize.Policy, data: dict[str, Any], outputs: list[str]) -> Any:
    """The compiled, reference and batch answers, which must be the same (value or error)."""
    got = []
    for run in (policy.evaluate, policy.interpret):
        try:
            got.append(run(data, ON, outputs))
        except RuleError as exc:
            got.append(("error", exc.message))
    assert got[0] == got[1]
    columns = {k: [v] for k, v in data.items()} or {"编号": [1]}  # a table has at least one column
    table = policy.evaluate_batch(columns, ON, outputs).to_pylist()[0]
    if isinstance(got[0], dict):
        assert {k: table[k] for k in outputs} == got[0] and table["错误"] is None
    else:
        assert table["错误"] == got[0][1]
    return got[0]


@pytest.mark.parametrize(("data", "expected"), [
    ({"实足年龄": "61岁"}, {"补贴": Decimal("100.00")}),
    ({"出生日期": "1960-01-01"}, {"补贴": Decimal("100.00")}),
    ({"出生日期": "1960-01-01", "实足年龄": "59岁"}, {"补贴": Decimal("0.00")}),  # the given value wins
    ({}, ("error", "缺少输入「出生日期」（计算「实足年龄」时需要）；也可直接给出「实足年龄」")),
])
def test_a_given_definition_wins_and_its_formula_needs_its_inputs_only_when_not_given(
        policy: guize.Policy, data: dict[str, Any], expected: Any) -> None:
    assert answers(policy, data, ["补贴"]) == expected


@pytest.mark.parametrize(("data", "expected"), [
    ({"收入": 100, "成本": 300}, {"亏损额": Decimal("-200.00"), "应纳税额": Decimal("0"), "税后": Decimal("-200.00")}),
    ({"收入": 1000, "成本": 300}, {"亏损额": Decimal("700.00"), "应纳税额": Decimal("175"), "税后": Decimal("525.00")}),
    ({"收入": 1000, "成本": 300, "应纳税额": "12.3"},
     {"亏损额": Decimal("700.00"), "应纳税额": Decimal("12.3"), "税后": Decimal("687.70")}),
    ({"收入": 1000, "成本": 300, "应纳税额": "-1"}, ("error", "输入「应纳税额」不能为负数（收到 -1）")),
])
def test_negative_results_and_a_given_output(policy: guize.Policy, data: dict[str, Any], expected: Any) -> None:
    assert answers(policy, data, ["亏损额", "应纳税额", "税后"]) == expected


def test_batch_mixes_given_rows_and_formula_rows(policy: guize.Policy) -> None:
    table = policy.evaluate_batch({"出生日期": ["1960-01-01", "1990-01-01", None],
                                   "实足年龄": [None, "70岁", None]}, ON, ["补贴"]).to_pylist()
    assert [r["补贴"] for r in table] == [Decimal("100.00"), Decimal("100.00"), None]
    assert table[2]["错误"] == "缺少输入「出生日期」（计算「实足年龄」时需要）；也可直接给出「实足年龄」"
    # Without the column, the formula is computed by columns.
    plain = policy.evaluate_batch({"出生日期": ["1960-01-01", "1990-01-01"]}, ON, ["补贴"]).to_pylist()
    assert [r["补贴"] for r in plain] == [Decimal("100.00"), Decimal("0.00")]


def test_the_explanation_says_the_value_was_given(policy: guize.Policy) -> None:
    text = policy.explain({"实足年龄": "61岁"}, ON, ["补贴"]).render()
    assert "由调用方给出" in text and "61岁" in text
    assert "由调用方给出" not in policy.explain({"出生日期": "1960-01-01"}, ON, ["补贴"]).render()


def test_the_schema_lists_given_definitions_as_optional_inputs(policy: guize.Policy) -> None:
    schema = input_schema(policy)
    assert schema["required"] == ["收入", "成本"]  # 出生日期 is not needed once 实足年龄 is given
    assert schema["properties"]["实足年龄"]["x-guize-given"] is True
    assert "default" not in schema["properties"]["实足年龄"]
    assert "需要的条件：未给出「实足年龄」" in schema["properties"]["出生日期"]["description"]
    assert schema["allOf"] == [{"if": {"not": {"required": ["实足年龄"]}}, "then": {"required": ["出生日期"]}}]
    assert schema["properties"]["应纳税额"]["anyOf"][0]["minimum"] == 0
    assert output_schema(policy)["properties"]["亏损额"]["x-guize-negative"] is True
    assert {i.name for i in policy.inputs if i.given} == {"实足年龄", "应纳税额"}


def test_a_negative_input_schema_allows_negative_numbers(tmp_path: Path) -> None:
    path = tmp_path / "n.rule"
    path.write_text(SOURCE.replace("输入 成本：金额", "输入 成本：金额，可为负"), encoding="utf-8")
    prop = input_schema(guize.load(path, corpus=False))["properties"]["成本"]
    assert prop["anyOf"][0]["exclusiveMinimum"] < 0 and "minimum" not in prop["anyOf"][0]
    assert prop["anyOf"][1]["pattern"].startswith(r"^\s*-?")


def test_examples_may_give_a_definition(tmp_path: Path) -> None:
    path = tmp_path / "a.rule"
    path.write_text(SOURCE, encoding="utf-8")
    report = testing.run([str(path)])
    assert (report.passed, report.failed) == (3, 0)


def test_the_formatter_round_trips() -> None:
    out = format_source(SOURCE, "a.rule")
    assert "定义 实足年龄：年龄，可作输入 = 年龄(出生日期，评估日期)" in out
    assert "输出 应纳税额：金额，四舍五入到元，可作输入 = " in out
    assert format_source(out, "a.rule") == out and same_meaning(parse(SOURCE), parse(out))


@pytest.mark.parametrize(("change", "code", "words"), [
    (("定义 利润：金额，可为负", "定义 利润：是否，可为负"), "E235", "「可为负」只用于数值"),
    (("定义 利润：金额，可为负 = 收入 - 成本", "参数 利润：金额，可作输入 = 100元"), "E236", "只用于「定义」和「输出」"),
    (("  实足年龄 = 61岁", "  利润 = 61元"), "E341", "声明时写「，可作输入」"),
])
def test_errors_name_the_place_and_the_fix(change: tuple[str, str], code: str, words: str) -> None:
    with pytest.raises(CompileError) as info:
        check_source(SOURCE.replace(*change), "a.rule")
    diag = next(d for d in info.value.diagnostics if d.code == code)
    assert words in diag.message + (diag.hint or "")


def test_verify_skips_the_sign_of_a_negative_result_and_counts_given_values(tmp_path: Path) -> None:
    pytest.importorskip("z3")
    from guize.tools.verify import verify_paths

    path = tmp_path / "v.rule"
    path.write_text(SOURCE + "\n断言 应纳税额 ≤ 取较大值(利润，0元)\n", encoding="utf-8")
    results = verify_paths([str(path)])
    negative = {r.subject for r in results if r.kind == "negative"}
    assert "亏损额" not in negative and "税后" not in negative and "补贴" in negative
    [claim] = [r for r in results if r.kind == "assertion"]
    # A caller may give 应纳税额 larger than the profit: the assertion does not hold for every input.
    assert claim.status == "violated" and claim.counterexample is not None
    assert "应纳税额" in claim.counterexample["inputs"]


def test_the_site_calculator_says_a_given_definition_may_be_left_empty(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from guize.cli import main

    path = tmp_path / "a.rule"
    path.write_text(SOURCE, encoding="utf-8")
    result = CliRunner().invoke(main, ["doc", str(path), "-o", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "site" / "a.html").read_text(encoding="utf-8")
    assert page.count("可不填：不填时按公式计算") == 2 and "None" not in page


@pytest.mark.parametrize("data", [
    {"实足年龄": "61岁", "收入": 1, "成本": 2},
    {"出生日期": "1960-01-01", "收入": 1000, "成本": 2, "应纳税额": 5},
    {"收入": 1, "成本": 2},
    {"实足年龄": "61岁", "收入": 1, "成本": 2, "未知": 1},
    {"实足年龄": "abc", "收入": 1, "成本": 2},
])
def test_every_choice_of_outputs_agrees_between_engines(policy: guize.Policy, data: dict[str, Any]) -> None:
    """The compiled module's functions (all outputs, an output computed from outputs, the subset
    function) and the reference interpreter give the same value or the same first error."""
    import itertools

    names = [o.name for o in policy.outputs]
    choices: list[list[str] | None] = [None]
    choices += [list(c) for r in (1, 2) for c in itertools.permutations(names, r)]
    for outputs in choices:
        got = []
        for run in (policy.evaluate, policy.interpret):
            try:
                got.append(run(data, ON, outputs))
            except RuleError as exc:
                got.append(("error", type(exc).__name__, exc.message))
        assert got[0] == got[1], outputs


@pytest.mark.parametrize(("data", "outputs", "expected"), [
    # 应纳税额 may be given instead of the 收入 its formula reads, when nothing else asked for reads it …
    ({"成本": 300}, ["应纳税额"], "缺少输入「收入」（计算「利润」时需要）；也可直接给出「应纳税额」"),
    # … but not when another output needs 收入 too: giving 应纳税额 would not be enough.
    ({"成本": 300}, ["应纳税额", "亏损额"], "缺少输入「收入」"),
])
def test_the_missing_input_message_suggests_giving_the_definition_instead(
        policy: guize.Policy, data: dict[str, Any], outputs: list[str], expected: str) -> None:
    for run in (policy.evaluate, policy.interpret):
        with pytest.raises(RuleError) as caught:
            run(data, ON, outputs)
        assert caught.value.message.startswith(expected)
        assert ("也可" in caught.value.message) == ("也可" in expected)
    if "也可" in expected:  # batch: the row that needs it says so
        assert answers(policy, data, outputs) == ("error", expected)


def test_the_suggestion_in_english_and_in_json(policy: guize.Policy, monkeypatch: pytest.MonkeyPatch) -> None:
    from guize.runtime.errors import MissingInput
    from guize.runtime.i18n import diagnostic

    with pytest.raises(MissingInput) as caught:
        policy.evaluate({}, ON, ["补贴"])
    assert caught.value.to_json()["given"] == ["实足年龄"] and caught.value.detail["input"] == "出生日期"
    monkeypatch.setenv("GUIZE_LANG", "en")
    assert diagnostic("E101", caught.value.message) == (
        "missing input: '出生日期', '实足年龄'; or give '实足年龄' directly (it may be given as an input)")
