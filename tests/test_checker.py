"""Checker: names, types, units, tables, bands, dates; all errors of a file in one run."""

import pytest

from guize.compiler.diagnostics import CompileError
from guize.compiler.driver import check_source

HEADER = "文件：\n  标题：《测试》\n  施行日期：2024年1月1日\n\n"


def errors(body: str, header: str = HEADER) -> list[str]:
    with pytest.raises(CompileError) as info:
        check_source(header + body, "t.rule")
    return [d.message + " | " + (d.hint or "") for d in info.value.diagnostics if d.severity == "error"]


def ok(body: str, header: str = HEADER) -> None:
    checked = check_source(header + body, "t.rule")
    assert [d for d in checked.diagnostics if d.severity == "error"] == []


def test_units_multiply_and_divide() -> None:
    ok("输入 数量：数量（吨）\n参数 标准 = 300元/吨\n输出 补贴：金额 = 标准 × 数量\n")
    ok("输入 金额甲：金额\n输入 数量：数量（吨）\n输出 单价：金额/吨 = 金额甲 ÷ 数量\n")


def test_money_plus_tonnes_is_an_error_with_a_hint() -> None:
    (message,) = errors("输入 数量：数量（吨）\n输出 补贴：金额 = 300元 + 数量\n")
    assert "单位不一致" in message and "300元/吨 × 出疆棉数量" in message


def test_rate_where_money_expected() -> None:
    (message,) = errors("输入 比例：比率\n输出 补贴：金额 = 比例\n")
    assert "声明为金额（元），但算出的是比率" in message


def test_points_add_to_rates_only() -> None:
    ok("参数 基本 = 80%\n输出 比例：比率 = 基本 + 5个百分点\n")
    (message,) = errors("输入 费用：金额\n输出 补贴：金额 = 费用 + 5个百分点\n")
    assert "个百分点" in message


def test_percent_added_to_rate_is_ambiguous() -> None:
    (message,) = errors("参数 基本 = 80%\n输出 比例：比率 = 基本 + 5%\n")
    assert "5个百分点" in message and "× (1 + 5%)" in message


def test_one_plus_percent_is_an_uplift() -> None:
    ok("输入 利率：比率\n输出 上限：比率 = 利率 × (1 + 20%)\n")


def test_undefined_name_suggests_nearest() -> None:
    (message,) = errors("输入 本次费用：金额\n输出 补贴：金额 = 本次费 × 10%\n")
    assert "未定义的名称「本次费」" in message and "本次费用" in message


def test_duplicate_names() -> None:
    (message,) = errors("输入 费用：金额\n输入 费用：金额\n输出 补贴：金额 = 费用\n")
    assert "重复" in message and "第 5 行" in message


def test_non_exhaustive_table_lists_missing_members() -> None:
    (message,) = errors("类型 级别：一级、二级、三级\n输入 等级：级别\n表 限额：金额 按 等级\n  一级：1元\n"
                        "输出 补贴：金额 = 限额\n")
    assert "没有列出：二级、三级" in message


def test_alias_in_table() -> None:
    ok("类型 级别：一级、二级、未定级\n输入 等级：级别\n表 限额：金额 按 等级\n  一级：1元\n  二级：2元\n"
       "  未定级：参照 一级\n输出 补贴：金额 = 限额\n")
    (message,) = errors("类型 级别：一级、二级、未定级\n输入 等级：级别\n表 限额：金额 按 等级\n  一级：1元\n"
                        "  二级：2元\n  未定级：参照 三级\n输出 补贴：金额 = 限额\n")
    assert "「三级」不是级别的取值" in message


def test_cycle() -> None:
    messages = errors("定义 甲：金额 = 乙\n定义 乙：金额 = 甲\n输出 丙：金额 = 甲\n")
    assert any("循环引用" in m for m in messages)


def test_overlapping_bands() -> None:
    (message,) = errors("输入 支数：数量（支）\n表 标准：金额 按 支数 分段\n  40支以下：1元\n  40支以上：2元\n"
                        "输出 补贴：金额 = 标准\n")
    assert "重叠" in message


def test_band_bound_units_must_match() -> None:
    (message,) = errors("输入 支数：数量（支）\n表 标准：金额 按 支数 分段\n  不满40吨：1元\n  其他：2元\n"
                        "输出 补贴：金额 = 标准\n")
    assert "单位" in message


def test_term_and_end_date_must_agree() -> None:
    header = "文件：\n  标题：《测试》\n  施行日期：2024年4月26日\n  有效期：五年\n  截止日期：2029年4月26日\n"
    (message,) = errors("输出 甲：金额 = 1元\n", header)
    assert "最后一日应为 2029年4月25日" in message
    ok("输出 甲：金额 = 1元\n", header.replace("2029年4月26日", "2029年4月25日"))


def test_dated_versions_must_be_in_order_and_inside_the_window() -> None:
    header = "文件：\n  标题：《测试》\n  施行日期：2024年1月1日\n  截止日期：2025年12月31日\n"
    messages = errors("参数 标准：金额\n  自2024年9月1日起：1元\n  自2024年1月1日起：2元\n"
                      "  自2026年1月1日起：3元\n输出 甲：金额 = 标准\n", header)
    assert len(messages) == 2
    assert "从早到晚" in messages[0] and "有效期" in messages[1]


def test_all_errors_reported_together() -> None:
    messages = errors("输入 费用：金额\n输入 费用：金额\n输入 吨数：数量（公吨）\n输出 补贴：金额 = 费用 + 未知\n"
                      "输出 比例：比率 = 若 费用 则 10% 否则 20%\n")
    assert len(messages) == 4


def test_rules_need_exactly_one_document() -> None:
    (message,) = errors("输出 甲：金额 = 1元\n", header="")
    assert "缺少「文件：」" in message


def test_example_inputs_are_type_checked() -> None:
    messages = errors("类型 级别：一级、二级\n输入 等级：级别\n输出 甲：金额 = 1元\n"
                      "例 错例：\n  日期：2024-06-01\n  等级 = 三级\n  期望 甲 = 1元\n")
    assert any("应为一级、二级之一" in m for m in messages)


def test_enum_comparison_with_unknown_member() -> None:
    (message,) = errors("类型 地区：南疆、其他地区\n输入 企业地区：地区\n"
                        "输出 补贴：金额 = 若 企业地区 = 北疆 则 1元 否则 0元\n")
    assert "「北疆」不是地区的取值" in message


def test_values_starting_after_the_document_are_one_warning() -> None:
    source = """\
文件：
  标题：《空档》
  施行日期：2024年1月1日

参数 甲：金额
  自2024年3月1日起：1元
参数 乙：金额
  自2024年5月1日起：2元
输出 和：金额 = 甲 + 乙
"""
    from guize.compiler.checker import check
    from guize.compiler.parser import parse

    found = [d for d in check(parse(source, "w.rule"), source).diagnostics if d.code == "W280"]
    assert len(found) == 1 and found[0].span.line == 6
    assert "2 项取值" in found[0].message and "「甲」（自2024年3月1日起）" in found[0].message \
        and "「乙」（自2024年5月1日起）" in found[0].message
