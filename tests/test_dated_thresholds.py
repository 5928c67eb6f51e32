"""One threshold or one rate of a progressive scale dated on its own (issue 13): a bracket's bound
may name a parameter (超过 起征额 至 144000元的部分) whose 自…起 versions date that threshold, and a
bracket's rate may have its own 自…起 versions. Compiled, reference and batch agree with each other
and with the brackets summed by hand; check, fmt and explain."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.compiler.diagnostics import CompileError
from guize.compiler.driver import check_source
from guize.compiler.parser import parse
from guize.tools.fmt import format_source, same_meaning

SOURCE = """\
文件：
  标题：《档界与税率分别调整》
  施行日期：2019年1月1日

输入 应纳税所得额：金额

参数 第一档上限：金额                       依据 第一条
  自2019年1月1日起：36000元
  自2025年1月1日起：40000元
参数 第二档上限 = 144000元                  依据 第一条

表 综合税率表：超额累进                     依据 附表一
  不超过 第一档上限 的部分：3%
  超过 第一档上限 至 第二档上限 的部分：
    自2019年1月1日起：10%
    自2024年7月1日起：8%
  超过 第二档上限 的部分：20%

表 全额税率表：全额累进
  不超过 第一档上限 的部分：1%
  超过 第一档上限 的部分：2%

输出 应纳税额：金额 = 累进计算(综合税率表，应纳税所得额)
输出 适用的税率：比率 = 适用税率(综合税率表，应纳税所得额)
输出 扣除数：金额 = 速算扣除数(综合税率表，应纳税所得额)
输出 全额税额：金额 = 累进计算(全额税率表，应纳税所得额)

例 调整前：
  日期：2024年3月1日
  应纳税所得额 = 100000元
  期望 应纳税额 = 7480元
例 第二档税率调整后：
  日期：2024年8月1日
  应纳税所得额 = 100000元
  期望 应纳税额 = 6200元
例 第一档上限调整后：
  日期：2025年3月1日
  应纳税所得额 = 100000元
  期望 应纳税额 = 6000元
  期望 全额税额 = 2000元
"""

CENT = Decimal("0.01")
DATES = [dt.date(2019, 1, 1), dt.date(2024, 6, 30), dt.date(2024, 7, 1), dt.date(2024, 12, 31),
         dt.date(2025, 1, 1), dt.date(2030, 5, 5)]


def by_hand(x: Decimal, on: dt.date) -> dict[str, Decimal]:
    """The statute's words on `on`, bracket by bracket."""
    first = Decimal(40000) if on >= dt.date(2025, 1, 1) else Decimal(36000)
    second_rate = Decimal("0.08") if on >= dt.date(2024, 7, 1) else Decimal("0.10")
    brackets = [(Decimal(0), first, Decimal("0.03")), (first, Decimal(144000), second_rate),
                (Decimal(144000), None, Decimal("0.20"))]
    tax = sum(((min(x, hi) if hi is not None else x) - lo) * rate for lo, hi, rate in brackets if x > lo)
    rate = next(r for lo, hi, r in brackets if hi is None or x <= hi)
    whole = x * (Decimal("0.01") if x <= first else Decimal("0.02"))
    return {"应纳税额": Decimal(tax).quantize(CENT, ROUND_HALF_UP), "适用的税率": rate,
            "扣除数": (x * rate - tax).quantize(CENT, ROUND_HALF_UP), "全额税额": whole.quantize(CENT, ROUND_HALF_UP)}


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("thresholds") / "t.rule"
    path.write_text(SOURCE, encoding="utf-8")
    return guize.load(path, corpus=False)


money = st.decimals(min_value=0, max_value=400000, places=2, allow_nan=False, allow_infinity=False)
EDGES = [Decimal(x) for x in ("0", "36000", "36000.01", "40000", "40000.01", "144000", "144000.01", "1000000")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(x=st.one_of(money, st.sampled_from(EDGES)), on=st.sampled_from(DATES))
def test_compiled_reference_and_by_hand_agree(policy: guize.Policy, x: Decimal, on: dt.date) -> None:
    data = {"应纳税所得额": x}
    got = policy.evaluate(data, on)
    assert got == policy.interpret(data, on)
    want = by_hand(x, on)
    assert got["应纳税额"] == want["应纳税额"] and got["全额税额"] == want["全额税额"]
    assert got["适用的税率"] == want["适用的税率"] and got["扣除数"].quantize(CENT, ROUND_HALF_UP) == want["扣除数"]


def test_batch_agrees_on_every_date(policy: guize.Policy) -> None:
    pa = pytest.importorskip("pyarrow")
    from guize.runtime.batch import batch_module

    # A dated threshold is computed by columns (a scale per period); a bracket's own dated rate
    # goes row by row, with the same answers.
    fallback = batch_module(policy.module).FALLBACK
    assert "全额税额" not in fallback and "应纳税额" in fallback
    dates_column = pa.array(DATES * len(EDGES))
    mixed = pa.table({"应纳税所得额": pa.array([x for x in EDGES for _d in DATES], pa.decimal128(12, 2)),
                      "日期": dates_column})
    for row, x, on in zip(policy.evaluate_batch(mixed, "日期").to_pylist(), mixed.column(0).to_pylist(),
                          dates_column.to_pylist(), strict=True):
        assert {k: row[k] for k in ("应纳税额", "全额税额")} == policy.evaluate({"应纳税所得额": x}, on,
                                                                          ["应纳税额", "全额税额"])
    for on in DATES:
        table = pa.table({"应纳税所得额": pa.array(EDGES, pa.decimal128(12, 2))})
        rows = policy.evaluate_batch(table, on).to_pylist()
        for x, row in zip(EDGES, rows, strict=True):
            want = policy.evaluate({"应纳税所得额": x}, on)
            assert row["错误"] is None and {k: row[k] for k in want} == want


def test_examples_pass_and_explain_names_the_threshold_in_force(policy: guize.Policy) -> None:
    for ex in policy.examples:
        got = policy.evaluate(ex["inputs"], ex["date"], list(ex["expects"]))
        assert got == {k: Decimal(v) if not isinstance(v, Decimal) else v for k, v in ex["expects"].items()}
    text = policy.explain({"应纳税所得额": 100000}, "2025-03-01", ["应纳税额"]).render()
    assert "超额累进「不超过第一档上限（40000元）的部分」：40000 × 3% = 1200" in text
    assert "超额累进「超过第一档上限（40000元）至第二档上限（144000元）的部分」：60000 × 8% = 4800" in text
    assert "适用自2025年1月1日起（第一档上限 40000元，第二档上限 144000元）的版本" in text
    assert "综合税率表 = 超额累进税率表（3 档）  [表]" in text  # no unit after a scale
    before = policy.explain({"应纳税所得额": 100000}, "2024-03-01", ["应纳税额"]).render()
    assert "不超过第一档上限（36000元）的部分" in before


def test_fmt_round_trips() -> None:
    out = format_source(SOURCE, "t.rule")
    assert "  超过 第一档上限 至 第二档上限 的部分：\n" in out and "  不超过 第一档上限 的部分：3%\n" in out
    assert format_source(out, "t.rule") == out
    assert same_meaning(parse(SOURCE), parse(out))


@pytest.mark.parametrize(("change", "code", "words"), [
    # In 2025 the first threshold passes the second: the middle bracket is empty then.
    (("自2025年1月1日起：40000元", "自2025年1月1日起：200000元"), "E278", "（自2025年1月1日起：第一档上限 200000元"),
    (("参数 第二档上限 = 144000元", "输入 第二档上限：金额"), "E272", "应是取值为数值的参数"),
    (("  不超过 第一档上限 的部分：1%", "  不超过 未定义的上限 的部分：1%"), "E300", "未定义的上限"),
])
def test_a_bound_that_is_not_a_dated_number_or_breaks_the_scale(change: tuple[str, str], code: str,
                                                                words: str) -> None:
    assert change[0] in SOURCE
    with pytest.raises(CompileError) as info:
        check_source(SOURCE.replace(*change), "t.rule")
    found = [(d.code, d.message) for d in info.value.diagnostics]
    assert any(c == code and words in m for c, m in found), found


def test_a_named_bound_in_a_plain_table_of_bands_is_an_error(tmp_path: Path) -> None:
    source = ("文件：\n  标题：《分段》\n  施行日期：2019年1月1日\n\n输入 甲：金额\n参数 界 = 100元\n"
              "表 乙：金额 按 甲 分段\n  不超过 界：0元\n  超过 界：1元\n输出 丙：金额 = 乙\n")
    with pytest.raises(CompileError) as info:
        check_source(source, "b.rule")
    assert any(d.code == "E272" and "「界」" in d.message for d in info.value.diagnostics)
