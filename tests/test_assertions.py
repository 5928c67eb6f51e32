"""断言: parsed, type-checked as 是否, formatted, and checked by guize test on each example."""

from __future__ import annotations

from pathlib import Path

import pytest

from guize.compiler.assertions import holds
from guize.compiler.diagnostics import CompileError
from guize.compiler.driver import check_source
from guize.tools import testing
from guize.tools.fmt import format_source

SOURCE = """文件：
  标题：《断言示例》
  施行日期：2024年1月1日

输入 收入：金额
输入 扣除：金额
参数 上限 = 100元
输出 补助：金额 = 取较小值(收入 × 10%，上限)
输出 差额：金额 = 收入 - 扣除

断言 补助 ≤ 上限  依据 第三条
断言 差额 ≥ 0元

例 扣除小于收入：
  日期：2024年6月1日
  收入 = 500元
  扣除 = 100元
  期望 补助 = 50元
例 扣除大于收入：
  日期：2024年6月1日
  收入 = 500元
  扣除 = 600元
  期望 补助 = 50元
例 只算补助：
  日期：2024年6月1日
  收入 = 5000元
  期望 补助 = 100元
"""


def test_assertions_are_checked_and_lowered() -> None:
    checked = check_source(SOURCE, "a.rule")
    assert [(a.text, a.line, a.cite, a.deps) for a in checked.assertions] == [
        ("补助 ≤ 上限", 11, ("第三条",), ("上限", "补助")),
        ("差额 ≥ 0元", 12, (), ("差额",)),
    ]


def test_guize_test_fails_an_example_that_breaks_an_assertion(tmp_path: Path) -> None:
    path = tmp_path / "a.rule"
    path.write_text(SOURCE, encoding="utf-8")
    report = testing.run([str(path)])
    status = {o.name: (o.status, o.message) for o in report.outcomes}
    assert status["扣除小于收入"] == ("passed", "")
    assert status["扣除大于收入"] == ("failed", "断言「差额 ≥ 0元」（第12行）不成立")
    # An example without 扣除 cannot evaluate 差额: that assertion is not checked there.
    assert status["只算补助"] == ("passed", "")


def test_holds_is_none_when_an_input_is_missing() -> None:
    import datetime

    import guize

    checked = check_source(SOURCE, "a.rule")
    a = checked.assertions[1]
    specs = {s["name"]: s for s in checked.inputs}
    on = datetime.date(2024, 6, 1)
    assert holds(checked.defs, specs, a, {"收入": "1"}, on) is None
    assert holds(checked.defs, specs, a, {"收入": "1", "扣除": "2"}, on) is False
    assert holds(checked.defs, specs, a, {"收入": "2", "扣除": "2"}, on) is True
    assert guize  # evaluate does not check 断言: see docs/verify.md


def test_assertions_format_and_round_trip() -> None:
    messy = SOURCE.replace("断言 补助 ≤ 上限  依据 第三条", "断言   补助<=上限 依据 第三条")
    formatted = format_source(messy, "a.rule")
    assert formatted == format_source(SOURCE, "a.rule")
    assert "\n断言 补助 ≤ 上限  依据 第三条\n断言 差额 ≥ 0元\n" in formatted


def test_an_assertion_that_is_not_a_condition_is_an_error() -> None:
    bad = SOURCE.replace("断言 差额 ≥ 0元", "断言 差额 + 1元")
    with pytest.raises(CompileError) as info:
        check_source(bad, "a.rule")
    assert [d.code for d in info.value.diagnostics] == ["E292"]


def test_guize_test_of_one_file_reads_only_the_neighbours_that_may_repeal_it(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`guize test a.rule` compiled every .rule under a.rule's folder, recursively (a file in
    /tmp compiled thousands, one of them for minutes); it now reads what guize eval reads: the
    neighbours that may repeal it. A repeal beside it still counts."""
    from guize.compiler import corpus as corpus_module
    from guize.compiler import driver

    (tmp_path / "a.rule").write_text(
        "文件：\n  标题：《甲办法》\n  施行日期：2020年1月1日\n\n输入 数：金额\n输出 结果：金额 = 数\n\n"
        "例 废止之前：\n  日期：2023年1月1日\n  数 = 1元\n  期望 结果 = 1元\n\n"
        "例 废止之后：\n  日期：2025年1月1日\n  数 = 1元\n  期望 未生效\n", encoding="utf-8")
    (tmp_path / "repeal.rule").write_text(
        "文件：\n  标题：《关于废止〈甲办法〉的决定》\n  施行日期：2024年1月1日\n  废止：\n    《甲办法》\n",
        encoding="utf-8")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "other.rule").write_text("文件：\n  标题：《乙办法》\n  施行日期：2020年1月1日\n",
                                                          encoding="utf-8")
    (tmp_path / "unrelated.rule").write_text("文件：\n  标题：《丙办法》\n  施行日期：2020年1月1日\n", encoding="utf-8")
    loaded: list[str] = []
    real = driver.load_module

    def counting(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        loaded.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(driver, "load_module", counting)
    monkeypatch.setattr(corpus_module, "load_module", counting)
    report = testing.run([str(tmp_path / "a.rule")])
    assert report.failed == 0 and report.passed == 2, [o.message for o in report.outcomes]
    assert sorted(set(loaded)) == ["a.rule", "repeal.rule"]
