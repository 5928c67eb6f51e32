"""Records, lists, aggregates and per-item definitions (issue 15).

Compiled, reference and batch evaluation agree over random lists; the 累计预扣法 policy agrees
with an independent reading of 国家税务总局公告2018年第61号 (quick-deduction table, month by
month); the checker's errors name what is wrong and suggest the fix; fmt, explain, lint,
coverage and diff handle the new constructs.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.compiler import checker, parser
from guize.runtime.errors import RuleError
from guize.tools.fmt import format_source

pa = pytest.importorskip("pyarrow")

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = ROOT / "policies" / "national"
HEADER = "文件：\n  标题：《列表》\n  施行日期：2000年1月1日\n"
ON = dt.date(2024, 6, 1)

RECORD = """
类型 家庭成员：
  月收入：金额
  年龄：整数
  在校：是否，默认 否
  补助比例：比率，默认 0%
"""

# Every aggregate with and without a filter; per-item definitions reading fields, another
# per-item definition, their own earlier values (累计 至 上月) and inputs read only on some paths.
SYNTHETIC = RECORD + """
输入 成员：家庭成员的列表
输入 门槛：金额
输入 加成：金额，默认 0元
输入 另算：是否，默认 否

定义 每人补贴：金额，按 成员 逐人 = 若 年龄 < 18 则 月收入 × 补助比例 + 加成 否则 0元
定义 累计补贴：金额，按 成员 逐项 = 累计(每人补贴)
定义 此前合计：金额，按 成员 逐项 = 累计(此前合计 + 每人补贴，至 上月)
输出 合计收入：金额 = 合计(成员 的 月收入)
输出 在校收入：金额 = 合计(成员 中 在校 的 月收入)
输出 未成年人数：整数（人） = 人数(成员 中 年龄 < 18)
输出 项数：整数 = 个数(成员)
输出 有高收入：是否 = 任一(成员 中 月收入 > 门槛)
输出 都在校：是否 = 全部(成员 的 在校)
输出 成年都在校：是否 = 全部(成员 中 年龄 ≥ 18 的 在校)
输出 最高收入：金额，不舍入 = 最大(成员 的 月收入)
输出 最低年龄：整数 = 最小(成员 的 年龄)
输出 成年平均收入：金额，不舍入 = 平均(成员 中 年龄 ≥ 18 的 月收入)
输出 补贴合计：金额 = 合计(成员 的 每人补贴)
输出 各人累计：金额，按 成员 逐项 = 累计补贴 + 此前合计
输出 逐人在校：是否，按 成员 逐人 = 在校 且 (另算 或 月收入 > 门槛)
输出 判断：金额 = 若 人数(成员) > 2人 则 合计(成员 的 累计补贴) 否则 加成
"""

members = st.lists(st.fixed_dictionaries(
    {"月收入": st.decimals(min_value=0, max_value=100000, places=2), "年龄": st.integers(0, 100)},
    optional={"在校": st.booleans(), "补助比例": st.sampled_from(["0.1", "25%", "0", "0.3333"])}), max_size=5)
datas = st.fixed_dictionaries({"成员": members, "门槛": st.decimals(min_value=0, max_value=50000, places=2)},
                              optional={"加成": st.decimals(min_value=0, max_value=999, places=2),
                                        "另算": st.booleans()})


def load(tmp_path: Path, body: str, name: str = "t.rule") -> guize.Policy:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return guize.load(path, corpus=False)


def errors(body: str) -> list[str]:
    source = HEADER + body
    checked = checker.check(parser.parse(source, "t.rule"), source)
    return [f"{d.code} {d.message} {d.hint or ''}" for d in checked.diagnostics if d.severity == "error"]


def answer(run: Any, data: dict[str, Any], outputs: list[str] | None) -> Any:
    try:
        return run(data, on=ON, outputs=outputs)
    except RuleError as exc:
        return (type(exc).__name__, exc.message)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    return load(tmp_path_factory.mktemp("lists"), SYNTHETIC)


# ---------------------------------------------------------------- engines agree


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=datas)
def test_compiled_and_reference_agree_on_every_output(synthetic: guize.Policy, data: dict[str, Any]) -> None:
    everything = answer(synthetic.evaluate, data, None)
    assert everything == answer(synthetic.interpret, data, None)
    for name in synthetic.module.OUTPUTS:  # each output alone: its own function, lazy reads
        alone = answer(synthetic.evaluate, data, [name])
        assert alone == answer(synthetic.interpret, data, [name]), name
        if isinstance(everything, dict):
            assert alone == {name: everything[name]}


def test_aggregates_by_hand(synthetic: guize.Policy) -> None:
    data = {"成员": [{"月收入": "3000", "年龄": 40, "在校": False},
                     {"月收入": "500.50", "年龄": 16, "在校": True, "补助比例": "10%"},
                     {"月收入": "0", "年龄": 8, "在校": True, "补助比例": "0.5"}],
            "门槛": "2000", "加成": "1"}
    got = synthetic.evaluate(data, on=ON)
    assert got["合计收入"] == Decimal("3500.50") and got["在校收入"] == Decimal("500.50")
    assert got["未成年人数"] == 2 and got["项数"] == 3
    assert got["有高收入"] is True and got["都在校"] is False and got["成年都在校"] is False
    assert got["最高收入"] == Decimal("3000") and got["最低年龄"] == 8 and got["成年平均收入"] == Decimal("3000")
    # 每人补贴: 0, 500.50 × 10% + 1 = 51.05, 0 × 50% + 1 = 1
    assert got["补贴合计"] == Decimal("52.05")
    # 累计补贴: 0, 51.05, 52.05; 此前合计: 0, 0 + 0, 0 + 51.05 → 各人累计 0, 51.05, 103.10
    assert got["各人累计"] == (Decimal("0"), Decimal("51.05"), Decimal("103.10"))
    assert got["逐人在校"] == (False, False, False)
    assert got["判断"] == Decimal("103.10")


def test_empty_list_answers_and_errors(synthetic: guize.Policy) -> None:
    data = {"成员": [], "门槛": "1"}
    got = synthetic.evaluate(data, on=ON, outputs=["合计收入", "项数", "有高收入", "都在校", "各人累计"])
    assert got == {"合计收入": Decimal("0"), "项数": 0, "有高收入": False, "都在校": True, "各人累计": ()}
    for run in (synthetic.evaluate, synthetic.interpret):
        with pytest.raises(RuleError, match="「最高收入」：「成员」中没有符合条件的项，无法取最大值"):
            run(data, on=ON, outputs=["最高收入"])
        with pytest.raises(RuleError, match="无法取平均值"):
            run({"成员": [{"月收入": 1, "年龄": 3}], "门槛": 1}, on=ON, outputs=["成年平均收入"])


@pytest.mark.parametrize("value, message", [
    ("不是列表", "输入「成员」应为列表（JSON 数组，每项一个对象），收到的是文字"),
    ([1], "输入「成员」第1项应为对象（「字段: 值」），收到的是数 1"),
    ([{"月收入": 1, "年龄": 2, "月收": 3}], "输入「成员」第1项有未知的字段：「月收」（是否指「月收入」？）"),
    ([{"月收入": 1, "年龄": 2}, {"年龄": 3}], "输入「成员」第2项缺少「月收入」"),
    ([{"月收入": "abc", "年龄": 2}], "输入「成员第1项的月收入」的值「abc」不是数值"),
    ([{"月收入": -1, "年龄": 2}], "输入「成员第1项的月收入」不能为负数"),
])
def test_bad_list_inputs_are_explained_in_chinese(synthetic: guize.Policy, value: Any, message: str) -> None:
    data = {"成员": value, "门槛": 1}
    for run in (synthetic.evaluate, synthetic.interpret):
        with pytest.raises(RuleError) as caught:
            run(data, on=ON, outputs=["合计收入"])
        assert message in caught.value.message


def test_batch_reads_list_of_struct_columns_and_writes_list_columns(synthetic: guize.Policy) -> None:
    rows = [
        {"成员": [{"月收入": Decimal("3000"), "年龄": 40, "在校": None, "补助比例": None},
                  {"月收入": Decimal("100.5"), "年龄": 10, "在校": True, "补助比例": Decimal("0.2")}],
         "门槛": Decimal("1000")},
        {"成员": [], "门槛": Decimal("0")},
        {"成员": [{"月收入": Decimal("5"), "年龄": 70, "在校": True, "补助比例": None}], "门槛": Decimal("1")},
    ]
    member = pa.struct([("月收入", pa.decimal128(18, 2)), ("年龄", pa.int64()), ("在校", pa.bool_()),
                        ("补助比例", pa.decimal128(9, 4))])
    table = pa.table({"成员": pa.array([r["成员"] for r in rows], type=pa.list_(member)),
                      "门槛": pa.array([r["门槛"] for r in rows], type=pa.decimal128(18, 2))})
    names = ["合计收入", "未成年人数", "各人累计", "逐人在校", "判断"]
    result = synthetic.evaluate_batch(table, on=ON, outputs=names).to_pylist()
    assert pa.types.is_list(synthetic.evaluate_batch(table, on=ON, outputs=names).schema.field("各人累计").type)
    for row, got in zip(rows, result, strict=True):
        data = {"成员": [{k: v for k, v in m.items() if v is not None} for m in row["成员"]], "门槛": row["门槛"]}
        want = synthetic.evaluate(data, on=ON, outputs=names)
        assert got["错误"] is None
        assert {k: tuple(v) if isinstance(v, list) else v for k, v in got.items() if k != "错误"} == want


# ---------------------------------------------------------------- 累计预扣法 against the statute

QUICK = [(Decimal(36000), Decimal("0.03"), 0), (Decimal(144000), Decimal("0.10"), 2520),
         (Decimal(300000), Decimal("0.20"), 16920), (Decimal(420000), Decimal("0.25"), 31920),
         (Decimal(660000), Decimal("0.30"), 52920), (Decimal(960000), Decimal("0.35"), 85920),
         (None, Decimal("0.45"), 181920)]


def withheld_by_statute(months: list[dict[str, Decimal]]) -> list[Decimal]:
    """本期应预扣预缴税额 = 累计预扣预缴应纳税所得额 × 预扣率 − 速算扣除数 − 累计已预扣预缴税额,
    余额为负值时暂不退税 (预扣率表一 with its quick deductions)."""
    paid, income, out = Decimal(0), Decimal(0), []
    for k, m in enumerate(months, 1):
        income += m["工资薪金收入"] - sum((m.get(f, Decimal(0)) for f in ("专项扣除", "专项附加扣除", "其他扣除")),
                                          Decimal(0))
        taxable = max(income - 5000 * k, Decimal(0))
        rate, quick = next((r, q) for top, r, q in QUICK if top is None or taxable <= top)
        this = max(taxable * rate - quick - paid, Decimal(0)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        paid += this
        out.append(this)
    return out


@pytest.fixture(scope="module")
def withholding() -> guize.Policy:
    return guize.load(NATIONAL / "iit_withholding_2019.rule", corpus=False)


amounts = st.decimals(min_value=0, max_value=200000, places=2)
month = st.fixed_dictionaries({"工资薪金收入": amounts},
                              optional={"专项扣除": st.decimals(0, 6000, places=2),
                                        "专项附加扣除": st.sampled_from([Decimal(0), Decimal(1000), Decimal(3000)]),
                                        "其他扣除": st.decimals(0, 2000, places=2)})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(months=st.lists(month, max_size=12))
def test_withholding_agrees_with_the_statute(withholding: guize.Policy, months: list[dict[str, Decimal]]) -> None:
    data = {"各月": months}
    got = withholding.evaluate(data, on="2024-12-31")
    assert got == withholding.interpret(data, on="2024-12-31")
    expected = withheld_by_statute(months)
    assert got["各月预扣税额"] == tuple(expected)
    assert got["全年预扣税额"] == sum(expected, Decimal(0))


def test_a_per_item_output_needs_its_list(withholding: guize.Policy) -> None:
    assert withholding.required_inputs(["各月预扣税额"]) == ["各月"]
    from guize.runtime.schema import input_schema

    assert input_schema(withholding, ["各月预扣税额"])["required"] == ["各月"]


def test_published_example(withholding: guize.Policy) -> None:
    month_ = {"工资薪金收入": 30000, "专项扣除": 4500, "专项附加扣除": 2000}
    got = withholding.evaluate({"各月": [month_] * 3}, on="2019-03-31")
    assert got == {"各月预扣税额": (Decimal("555.00"), Decimal("625.00"), Decimal("1850.00")),
                   "全年预扣税额": Decimal("3030.00")}


def test_explain_shows_each_month_and_each_member(withholding: guize.Policy) -> None:
    month_ = {"工资薪金收入": 30000, "专项扣除": 4500, "专项附加扣除": 2000}
    text = withholding.explain({"各月": [month_] * 2}, on="2019-03-31", outputs=["全年预扣税额"]).render()
    assert "各月预扣税额 = 555.00元、625.00元" in text
    assert "第2项：625.00" in text and "「各月」第1项：555.00" in text
    assert "第2项：累计(各月预扣税额，至 上月) = 555.00" in text  # each month's step
    low = guize.load(NATIONAL / "subsistence_allowance_2014.rule", corpus=False)
    family = {"当地最低生活保障标准": 800, "共同生活的家庭成员": [{"月收入": 0, "年龄": "P70Y"},
                                                                  {"月收入": 100, "年龄": "P30Y"}]}
    text = low.explain(family, on=ON, outputs=["重点保障人数"]).render()
    assert "「共同生活的家庭成员」第1项：符合条件" in text and "「共同生活的家庭成员」第2项：不符合条件" in text


# ---------------------------------------------------------------- the checker

@pytest.mark.parametrize("body, code, words", [
    (RECORD + "输入 年龄：整数\n输出 甲：金额 = 合计(年龄 的 月收入)", "E355", "「年龄」不是列表，不能汇总"),
    (RECORD + "输入 成员：家庭成员的列表\n输入 岁数：整数\n输出 甲：金额 = 合计(岁数 的 月收入)", "E355",
     "可用的列表：成员"),
    (RECORD + "输入 成员：家庭成员的列表\n输出 甲：金额 = 合计(成 的 月收入)", "E355", "是否指列表「成员」？"),
    (RECORD + "输入 成员：家庭成员的列表\n输出 甲：金额 = 成员 + 1元", "E350", "用 合计(成员 的 …)"),
    (RECORD + "输入 成员：家庭成员的列表\n定义 乙：金额，按 成员 逐项 = 月收入\n输出 甲：金额 = 乙 × 2", "E350",
     "合计(成员 的 乙)"),
    (RECORD + "输入 成员：家庭成员的列表\n输出 甲：金额，按 成员 逐项 = 甲 + 月收入", "E240",
     "累计(甲，至 上月)"),
    (RECORD + "输入 成员：家庭成员的列表\n输出 甲：金额 = 累计(1元)", "E353", "只能用在逐项计算的定义中"),
    (RECORD + "输入 成员：家庭成员的列表\n输出 甲：整数 = 人数(成员 中 在校 的 年龄)", "E352", "数的是项数"),
    (RECORD + "输入 成员：家庭成员的列表\n输出 甲：金额 = 合计(成员 的 在校)", "E354", "对象应是数值"),
    (RECORD + "输入 成员：家庭成员的列表\n输出 甲：金额 = 合计(成员)", "E352", "要写明汇总哪一项"),
    (RECORD + "输入 成员：家庭成员的列表\n输入 子女：家庭成员的列表\n定义 乙：金额，按 子女 逐项 = 月收入\n"
              "输出 甲：金额，按 成员 逐项 = 乙", "E351", "按「子女」逐项计算"),
    (RECORD + "输入 成员：家庭成的列表", "E239", "是否指「家庭成员的列表」？"),
    (RECORD + "输入 成员：家庭成员的列表\n输出 甲：金额 = 合计(成员 的 月收)", "E300", "月收入"),
    (RECORD + "输入 成员：家庭成员的列表\n输出 甲：金额 = 合计(成员 的 月收入)\n"
              "例 一：\n  日期：2024年1月1日\n  成员：\n    月收 = 1元\n  期望 甲 = 1元", "E341", "是否指「月收入」？"),
    (RECORD + "输入 成员：家庭成员的列表\n输出 甲：金额 = 合计(成员 的 月收入)\n"
              "例 一：\n  日期：2024年1月1日\n  成员 = 1元\n  期望 甲 = 1元", "E340", "缩进逐行列出各项"),
    (RECORD + "输入 成员：家庭成员的列表\n输出 甲：金额 = 求平均(成员 的 月收入)", "E352", "是否指「平均」？"),
])
def test_checker_names_the_problem_and_the_fix(body: str, code: str, words: str) -> None:
    found = errors(body)
    assert any(f.startswith(code) and words in f for f in found), found


def test_units_of_aggregates() -> None:
    body = RECORD + "输入 成员：家庭成员的列表\n输出 甲：金额 = 人数(成员)"
    assert any("E250" in f and "整数（人）" in f for f in errors(body))
    ok = RECORD + ("输入 成员：家庭成员的列表\n参数 标准 = 800元/人\n"
                   "输出 甲：金额 = 标准 × 人数(成员) - 合计(成员 的 月收入)\n输出 乙：整数 = 最大(成员 的 年龄)")
    assert errors(ok) == []


# ---------------------------------------------------------------- tools

def test_fmt_round_trip_keeps_the_list_constructs() -> None:
    for path in (NATIONAL / "iit_withholding_2019.rule", NATIONAL / "subsistence_allowance_2014.rule"):
        source = path.read_text(encoding="utf-8")
        assert format_source(source, str(path)) == source
    messy = HEADER + SYNTHETIC.replace("合计(成员 的 月收入)", "合计( 成员  的  月收入 )").replace(
        "，按 成员 逐项 =", "，按  成员  逐项  =") + (
        "例 一：\n  日期：2024年1月1日\n  门槛 = 1元\n  成员：\n    月收入 = 1元，年龄 = 3\n"
        "  期望 各人累计 = 0元\n例 二：\n  日期：2024年1月1日\n  门槛 = 1元\n  成员 = 空列表\n  期望 各人累计 = 空列表\n")
    once = format_source(messy, "t.rule")
    assert format_source(once, "t.rule") == once
    assert "合计(成员 的 月收入)" in once and "，按 成员 逐项 = " in once and "    月收入 = 1元，年龄 = 3" in once
    assert "期望 各人累计 = 空列表" in once


def test_examples_lint_coverage_and_diff(tmp_path: Path) -> None:
    from guize.tools import testing
    from guize.tools.diff import compare, render
    from guize.tools.lint.entry import lint

    report = testing.run([str(NATIONAL / "iit_withholding_2019.rule"), str(NATIONAL / "subsistence_allowance_2014.rule")],
                         coverage=True)
    assert report.failed == 0 and report.passed >= 12
    assert not [f for f in lint([str(NATIONAL)]) if f.severity == "error"]
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    source = (NATIONAL / "subsistence_allowance_2014.rule").read_text(encoding="utf-8")
    (old / "s.rule").write_text(source, encoding="utf-8")
    (new / "s.rule").write_text(source.replace("年龄 ≥ 60岁", "年龄 ≥ 45岁"), encoding="utf-8")
    text = render.render_markdown(compare.run(str(old), str(new)))
    # The 45-year-old member of the first example becomes a 重点保障对象: shown member by member.
    assert "| 否、是、是 | 是、是、是 |" in text and "| 2人 | 3人 | +1人 |" in text


def test_dated_values_and_an_aggregate_inside_a_per_item_definition(tmp_path: Path) -> None:
    body = RECORD + """
输入 成员：家庭成员的列表
输入 子女：家庭成员的列表
参数 标准：金额
  自2000年1月1日起：100元
  自2024年1月1日起：200元
输出 高于子女平均：是否，按 成员 逐人 = 月收入 > 平均(子女 的 月收入)
输出 补助：金额，按 成员 逐人 = 若 年龄 < 18 则 标准 + 合计(子女 中 年龄 < 年龄 的 月收入) 否则 0元
"""
    policy = load(tmp_path, body)
    data = {"成员": [{"月收入": 500, "年龄": 10}, {"月收入": 50, "年龄": 40}],
            "子女": [{"月收入": 100, "年龄": 5}, {"月收入": 200, "年龄": 12}]}
    for on, standard in ((dt.date(2023, 12, 31), Decimal(100)), (dt.date(2024, 1, 1), Decimal(200))):
        got = policy.evaluate(data, on=on)
        assert got == policy.interpret(data, on=on)
        # Inside 合计(子女 中 …) a name reads the innermost item, the child: 年龄 < 年龄 never holds.
        assert got == {"高于子女平均": (True, False), "补助": (standard, Decimal("0.00"))}
