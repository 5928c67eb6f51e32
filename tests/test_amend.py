"""Amending documents (修改：), local implementing documents (参照执行：) and evaluation "as known
on" a date (known_on): the three 专项附加扣除 documents, the merge's checks, and every engine
(compiled, reference interpreter, batch) agreeing on amended corpora and on known_on."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import guize
from guize.cli import main
from guize.compiler import amend
from guize.compiler.corpus import load_corpus, timeline
from guize.compiler.diagnostics import CompileError
from guize.compiler.driver import check_source, read_source
from guize.runtime.deps import select_version
from guize.tools.lint import lint

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "policies" / "national" / "special_deductions_2018.rule"
D = dt.date

# ---------------------------------------------------------------- the 专项附加扣除 documents


@pytest.fixture(scope="module")
def deductions() -> guize.Policy:
    return guize.load(BASE)


def test_pinned_names(deductions: guize.Policy) -> None:
    inputs = {i.name: i for i in deductions.inputs}
    assert set(inputs) == {"受教育子女人数", "三岁以下婴幼儿人数", "本人扣除比例", "是否赡养老人", "赡养身份", "约定分摊额"}
    assert inputs["受教育子女人数"].default == 0 and inputs["三岁以下婴幼儿人数"].default == 0
    assert inputs["本人扣除比例"].default == Decimal(1)
    assert inputs["是否赡养老人"].default is False
    assert inputs["赡养身份"].allowed == ("独生子女", "非独生子女") and inputs["赡养身份"].default == "独生子女"
    assert inputs["约定分摊额"].default == 0 and inputs["约定分摊额"].kind == "money"
    outputs = {o.name: o for o in deductions.outputs}
    assert set(outputs) == {"子女教育每月扣除", "婴幼儿照护每月扣除", "赡养老人每月扣除"}
    assert {o.kind for o in outputs.values()} == {"money"}


ONE_OF_EACH = {"受教育子女人数": 1, "三岁以下婴幼儿人数": 1, "是否赡养老人": True}
SHARED = {"是否赡养老人": True, "赡养身份": "非独生子女", "约定分摊额": "5000"}

# (on, known_on, inputs, expected): the standards of 41号, 8号 and 13号, read from the notices.
CASES = [
    (D(2021, 6, 1), None, ONE_OF_EACH, (1000, 0, 2000)),  # no 婴幼儿照护 before 2022
    (D(2022, 6, 1), None, ONE_OF_EACH, (1000, 1000, 2000)),
    (D(2023, 3, 1), None, ONE_OF_EACH, (2000, 2000, 3000)),  # 13号, as the law now stands
    (D(2023, 3, 1), D(2023, 3, 1), ONE_OF_EACH, (1000, 1000, 2000)),  # as a March payslip had it
    (D(2023, 3, 1), D(2023, 8, 30), ONE_OF_EACH, (1000, 1000, 2000)),
    (D(2023, 3, 1), D(2023, 8, 31), ONE_OF_EACH, (2000, 2000, 3000)),
    (D(2022, 2, 1), D(2022, 3, 27), ONE_OF_EACH, (1000, 0, 2000)),  # 8号 not yet published
    (D(2022, 2, 1), D(2022, 3, 28), ONE_OF_EACH, (1000, 1000, 2000)),
    (D(2024, 1, 1), D(2020, 1, 1), ONE_OF_EACH, (1000, 0, 2000)),
    (D(2022, 6, 1), None, SHARED, (0, 0, 1000)),  # 非独生子女: the agreed share, at most the cap
    (D(2023, 6, 1), None, SHARED, (0, 0, 1500)),
    (D(2023, 6, 1), D(2023, 6, 1), SHARED, (0, 0, 1000)),
    (D(2023, 6, 1), None, {**SHARED, "约定分摊额": "1200.50"}, (0, 0, Decimal("1200.50"))),
    (D(2023, 6, 1), None, {"受教育子女人数": 2, "本人扣除比例": "50%"}, (2000, 0, 0)),
]


@pytest.mark.parametrize(("on", "known_on", "data", "expected"), CASES)
def test_deductions_by_date_and_known_on(deductions: guize.Policy, on: dt.date, known_on: dt.date | None,
                                         data: dict[str, object], expected: tuple[int, int, int]) -> None:
    names = ["子女教育每月扣除", "婴幼儿照护每月扣除", "赡养老人每月扣除"]
    got = deductions.evaluate(data, on, names, known_on=known_on)
    assert tuple(got[n] for n in names) == tuple(Decimal(x) for x in expected)
    assert deductions.interpret(data, on, names, known_on=known_on) == got


def test_engines_agree_on_amended_corpus_and_known_on(deductions: guize.Policy) -> None:
    """Compiled = reference interpreter = batch (one date, a date column), over a grid of
    dates around every change and publication, and known_on dates around each publication."""
    pa = pytest.importorskip("pyarrow")
    ons = [D(2019, 1, 1), D(2021, 12, 31), D(2022, 1, 1), D(2022, 3, 28), D(2022, 12, 31), D(2023, 1, 1),
           D(2023, 8, 28), D(2025, 1, 1)]
    knowns = [None, D(2019, 1, 1), D(2022, 3, 27), D(2022, 3, 28), D(2023, 8, 27), D(2023, 8, 28)]
    rows = [{"受教育子女人数": c, "三岁以下婴幼儿人数": b, "是否赡养老人": e, "赡养身份": s, "约定分摊额": a,
             "本人扣除比例": r}
            for c, b, e, s, a, r in itertools.product([0, 2], [0, 1], [True, False], ["独生子女", "非独生子女"],
                                                      ["800", "1300", "2000"], ["1", "0.5"])]
    for known in knowns:
        expected = []
        for on in ons:
            for row in rows:
                value = deductions.evaluate(row, on, known_on=known)
                assert deductions.interpret(row, on, known_on=known) == value, (on, known, row)
                expected.append(value)
        table = pa.table({
            **{k: [r[k] for _on in ons for r in rows] for k in rows[0]},
            "日": [on for on in ons for _r in rows]})
        batch = deductions.evaluate_batch(table, "日", known_on=known).to_pylist()
        assert [{k: v for k, v in b.items() if k != "错误"} for b in batch] == expected
        for on in ons[:3]:
            one = deductions.evaluate_batch(pa.table({k: [r[k] for r in rows] for k in rows[0]}), on,
                                            known_on=known).to_pylist()
            assert [{k: v for k, v in b.items() if k != "错误"} for b in one] == \
                [deductions.evaluate(r, on, known_on=known) for r in rows]


def test_known_on_before_the_base_was_published(deductions: guize.Policy) -> None:
    with pytest.raises(guize.NotInForce, match="2018年12月22日发布") as info:
        deductions.evaluate({}, D(2019, 6, 1), known_on=D(2018, 12, 1))
    assert info.value.detail["status"] == "not_published"
    with pytest.raises(guize.NotInForce):
        deductions.interpret({}, D(2019, 6, 1), known_on=D(2018, 12, 1))


def test_explain_cites_the_amending_document(deductions: guize.Policy) -> None:
    text = deductions.explain({"受教育子女人数": 1}, D(2023, 3, 1), ["子女教育每月扣除"]).render()
    assert "子女教育每月标准 = 2000元/人  [参数]（依据 国发〔2023〕13号 第二条）" in text
    before = deductions.explain({"受教育子女人数": 1}, D(2023, 3, 1), ["子女教育每月扣除"],
                                known_on=D(2023, 3, 1)).render()
    assert "子女教育每月标准 = 1000元/人  [参数]（依据 第五条）" in before
    assert "并适用国发〔2022〕8号；按2023年3月1日已发布的规定" in before and "13号" not in before.splitlines()[0]


def _version_line(policy: guize.Policy, output: str, param: str, on: dt.date, known_on: dt.date | None) -> str:
    """The worksheet line saying which dated version of `param` applied (explain's `work`)."""
    data = {"受教育子女人数": 1, "三岁以下婴幼儿人数": 1}
    steps = [policy.explain(data, on, [output], known_on=known_on).to_json()["steps"][0]]
    while steps:
        step = steps.pop()
        if step["name"] == param:
            return next(w for w in step["work"] if w.startswith("适用"))
        steps.extend(step.get("children", []))
    raise AssertionError(param)


@pytest.mark.parametrize(("output", "param", "on", "known_on", "line"), [
    # As the rules now stand, the 2019 standard ended when 国发〔2023〕13号 took effect …
    ("子女教育每月扣除", "子女教育每月标准", D(2022, 6, 1), None, "适用2019年1月1日起至2022年12月31日的规定"),
    # … but as known on 2023-03-01 (13号 was published on 2023-08-31) it had no end.
    ("子女教育每月扣除", "子女教育每月标准", D(2023, 3, 1), D(2023, 3, 1), "适用2019年1月1日起的规定"),
    ("子女教育每月扣除", "子女教育每月标准", D(2022, 6, 1), D(2023, 9, 1), "适用2019年1月1日起至2022年12月31日的规定"),
    # 国发〔2022〕8号's standard: open as known in 2022, ended by 13号 as known after its publication.
    ("婴幼儿照护每月扣除", "婴幼儿照护每月标准", D(2022, 6, 1), D(2022, 6, 1), "适用2022年1月1日起的规定"),
    ("婴幼儿照护每月扣除", "婴幼儿照护每月标准", D(2022, 6, 1), None, "适用2022年1月1日起至2022年12月31日的规定"),
])
def test_explain_states_the_dates_of_the_version_as_known_on_that_date(
        deductions: guize.Policy, output: str, param: str, on: dt.date, known_on: dt.date | None, line: str) -> None:
    assert _version_line(deductions, output, param, on, known_on).startswith(line + "（")


def test_a_file_alone_is_unchanged() -> None:
    alone = guize.load(BASE, corpus=None)
    assert [o.name for o in alone.outputs] == ["子女教育每月扣除", "赡养老人每月扣除"]
    assert alone.evaluate({"受教育子女人数": 1}, D(2023, 3, 1))["子女教育每月扣除"] == 1000


def test_an_amendment_loads_with_its_base_and_the_earlier_amendments() -> None:
    eight = guize.load(BASE.with_name("special_deductions_2022.rule"))
    assert eight.window.start == D(2022, 1, 1)  # its own window
    got = eight.evaluate({"三岁以下婴幼儿人数": 1, "受教育子女人数": 1}, D(2023, 3, 1))
    assert got["婴幼儿照护每月扣除"] == 1000 and got["子女教育每月扣除"] == 1000  # 13号 is later
    assert amend.chain(str(BASE.with_name("special_deductions_2023.rule"))) == [
        str(BASE), str(BASE.with_name("special_deductions_2022.rule")), str(BASE.with_name("special_deductions_2023.rule"))]


# ---------------------------------------------------------------- selection as known on a date


def test_select_version_known_on() -> None:
    versions = ((D(2019, 1, 1), D(2022, 1, 1)), (D(2022, 1, 1), D(2023, 1, 1), D(2022, 3, 28)),
                (D(2023, 1, 1), None, D(2023, 8, 28)))
    assert select_version(versions, D(2023, 3, 1)) == 2
    assert select_version(versions, D(2023, 3, 1), D(2023, 3, 1)) == 1  # the 2022 version runs on
    assert select_version(versions, D(2023, 3, 1), D(2022, 1, 1)) == 0  # and the base's before it
    assert select_version(versions, D(2022, 6, 1), D(2030, 1, 1)) == 1
    assert select_version(versions, D(2018, 6, 1), D(2030, 1, 1)) is None
    gap = ((D(2019, 1, 1), D(2020, 1, 1)), (D(2021, 1, 1), None, D(2021, 6, 1)))
    assert select_version(gap, D(2020, 6, 1), D(2020, 1, 1)) is None  # a written end stays an end


# ---------------------------------------------------------------- the merge's checks

BASE_TEXT = """\
文件：
  标题：《基础办法》
  文号：测发〔2020〕1号
  发布日期：2019年12月1日
  施行日期：2020年1月1日

输入 数量：整数（人）
参数 标准 = 100元/人，各地可调整  依据 第一条
参数 系数 = 50%  依据 第二条
输出 补贴：金额 = 数量 × 标准 × 系数  依据 第三条
"""


def _amendment(body: str, effective: str = "2021年1月1日", published: str = "2021年3月1日",
               field: str = "修改：测发〔2020〕1号") -> str:
    return (f"文件：\n  标题：《修改办法》\n  文号：测发〔2021〕2号\n  发布日期：{published}\n"
            f"  施行日期：{effective}\n  {field}\n\n" + textwrap.dedent(body))


def _write(tmp_path: Path, amendment: str, base: str = BASE_TEXT) -> Path:
    (tmp_path / "base.rule").write_text(base, encoding="utf-8")
    path = tmp_path / "amend.rule"
    path.write_text(amendment, encoding="utf-8")
    return path


def _errors(path: Path) -> list[str]:
    try:
        checked = check_source(read_source(path), str(path))
    except CompileError as exc:
        return [f"{d.code} {d.message} {d.hint or ''}" for d in exc.diagnostics if d.severity == "error"]
    return [f"{d.code} {d.message}" for d in checked.diagnostics if d.severity == "error"]


@pytest.mark.parametrize(("body", "code", "words"), [
    ("参数 标准值 = 200元/人\n", "E410", "是否指「标准」"),
    ("参数 不存在的 = 200元/人\n", "E410", "新增 定义 不存在的"),
    ("新增 参数 标准 = 200元/人\n", "E411", "已有"),
    ("输出 补贴：比率 = 50%\n", "E412", "「金额」"),
    ("输出 标准 = 200元/人\n", "E416", "「参数」"),
    ("输入 数量：金额\n", "E412", "类型或单位"),
])
def test_amendment_errors(tmp_path: Path, body: str, code: str, words: str) -> None:
    errors = _errors(_write(tmp_path, _amendment(body)))
    assert any(e.startswith(code) and words in e for e in errors), errors


def test_amendment_of_an_amendment_before_that_amendment_is_in_force(tmp_path: Path) -> None:
    """An amendment of an amendment is judged against the amendment it names, not the base: in
    force after the base (2020) but before the amendment it amends (2021) is E414."""
    _write(tmp_path, _amendment("参数 标准 = 200元/人\n"))
    second = tmp_path / "amend2.rule"
    text = ("文件：\n  标题：《再修改办法》\n  文号：测发〔2022〕3号\n  发布日期：2021年5月1日\n"
            "  施行日期：{start}\n  修改：测发〔2021〕2号\n\n参数 系数 = 60%\n")
    second.write_text(text.format(start="2020年6月1日"), encoding="utf-8")
    errors = _errors(second)
    assert any(e.startswith("E414") and "早于被修改的测发〔2021〕2号" in e for e in errors), errors
    second.write_text(text.format(start="2021年6月1日"), encoding="utf-8")
    assert _errors(second) == []


def test_amendment_before_its_target_is_in_force(tmp_path: Path) -> None:
    errors = _errors(_write(tmp_path, _amendment("参数 标准 = 200元/人\n", effective="2019年6月1日")))
    assert any(e.startswith("E414") and "早于被修改的《基础办法》" in e for e in errors), errors


def test_amendment_without_publication_date_warns(tmp_path: Path) -> None:
    path = _write(tmp_path, _amendment("参数 标准 = 200元/人\n").replace("  发布日期：2021年3月1日\n", ""))
    checked = check_source(read_source(path), str(path))
    assert [d.code for d in checked.diagnostics] == ["W412"]
    assert guize.load(tmp_path / "base.rule").evaluate({"数量": 1}, D(2021, 6, 1), known_on=D(2021, 1, 2)) == {"补贴": 100}


def test_amended_base_not_found(tmp_path: Path) -> None:
    errors = _errors(_write(tmp_path, _amendment("参数 标准 = 200元/人\n", field="修改：测发〔2020〕9号")))
    assert any(e.startswith("E415") for e in errors), errors


def test_amendment_values_from_its_start(tmp_path: Path) -> None:
    _write(tmp_path, _amendment("""\
        参数 标准 = 200元/人  依据 第一条
        新增 输入 加成：比率，默认 0%
        新增 输出 加成额：金额 = 数量 × 标准 × 加成  依据 第二条
        """))
    base = guize.load(tmp_path / "base.rule")
    data = {"数量": 2, "加成": "10%"}
    assert base.evaluate(data, D(2020, 6, 1)) == {"补贴": 100, "加成额": 0}  # added: zero before
    assert base.evaluate(data, D(2021, 6, 1)) == {"补贴": 200, "加成额": 40}
    assert base.evaluate(data, D(2021, 6, 1), known_on=D(2021, 2, 1)) == {"补贴": 100, "加成额": 0}
    # Each later load sees a changed amendment (the cache key covers every file merged).
    (tmp_path / "amend.rule").write_text((tmp_path / "amend.rule").read_text(encoding="utf-8")
                                         .replace("200元/人", "300元/人"), encoding="utf-8")
    assert guize.load(tmp_path / "base.rule").evaluate(data, D(2021, 6, 1))["补贴"] == 300


def test_dated_amendment_and_two_amendments_in_publication_order(tmp_path: Path) -> None:
    _write(tmp_path, _amendment("""\
        参数 标准：金额/人  依据 第一条
          自2021年1月1日起：200元/人
          自2022年1月1日起：250元/人
        """))
    later = _amendment("参数 系数 = 100%\n", effective="2022年7月1日", published="2022年6月1日")
    (tmp_path / "later.rule").write_text(later.replace("测发〔2021〕2号", "测发〔2022〕3号"), encoding="utf-8")
    base = guize.load(tmp_path / "base.rule")
    assert base.evaluate({"数量": 1}, D(2022, 3, 1))["补贴"] == 125
    assert base.evaluate({"数量": 1}, D(2022, 8, 1))["补贴"] == 250
    assert base.evaluate({"数量": 1}, D(2022, 8, 1), known_on=D(2022, 5, 1))["补贴"] == 125


LOCAL = """\
文件：
  标题：《某地细则》
  发布日期：2020年5月1日
  施行日期：2020年6月1日
  参照执行：《基础办法》（测发〔2020〕1号）

参数 标准 = 120元/人  依据 第一条
"""


def test_local_document_adopts_a_base(tmp_path: Path) -> None:
    (tmp_path / "base.rule").write_text(BASE_TEXT, encoding="utf-8")
    (tmp_path / "local.rule").write_text(LOCAL, encoding="utf-8")
    local = guize.load(tmp_path / "local.rule")
    assert local.evaluate({"数量": 1}, D(2020, 7, 1))["补贴"] == 60
    assert local.window.start == D(2020, 6, 1)
    assert guize.load(tmp_path / "base.rule").evaluate({"数量": 1}, D(2020, 7, 1))["补贴"] == 50
    checked = check_source(LOCAL, str(tmp_path / "local.rule"))
    assert not [d for d in checked.diagnostics if d.code == "W410"]


def test_the_base_is_looked_for_two_levels_up_and_no_deeper(tmp_path: Path) -> None:
    """A local document in policies/local/ finds its base in a sibling folder
    (policies/national/), not in folders deeper than that: the search never reads a whole tree."""
    (tmp_path / "national").mkdir()
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "x.rule").write_text(LOCAL, encoding="utf-8")
    (tmp_path / "national" / "base.rule").write_text(BASE_TEXT, encoding="utf-8")
    h = amend.header(tmp_path / "local" / "x.rule")
    assert h is not None
    found = amend.find_base(h)
    assert found is not None and found.path.endswith("base.rule")
    deep = tmp_path / "national" / "archive" / "2020"
    deep.mkdir(parents=True)
    (tmp_path / "national" / "base.rule").rename(deep / "base.rule")
    assert amend.find_base(h) is None


def test_an_amended_policy_keeps_the_units_and_article_texts_of_its_base(tmp_path: Path) -> None:
    """Merging an amendment kept the base's inputs and rules but dropped its declared units
    (单位 人次: every use became an unknown unit) and its 原文 blocks."""
    base = BASE_TEXT.replace("输入 数量：整数（人）", "单位 人次\n输入 数量：整数（人）\n输入 就诊：数量（人次），默认 0人次") \
        + "输出 就诊补贴：金额 = 就诊 × 10元/人次  依据 第三条\n\n原文 第三条：\n  按人数和人次给予补贴。\n"
    path = _write(tmp_path, _amendment("参数 系数 = 60%\n"), base=base)
    assert _errors(tmp_path / "base.rule") == []
    assert _errors(path) == []
    policy = guize.load(tmp_path / "base.rule")
    assert policy.evaluate({"数量": 1, "就诊": 2}, D(2021, 6, 1))["就诊补贴"] == 20
    from guize.runtime.explain import render

    exp = policy.explain({"数量": 1, "就诊": 2}, D(2021, 6, 1), outputs=["就诊补贴"])
    assert "按人数和人次给予补贴" in render(exp, "text", policy.document)


def test_local_override_of_an_unmarked_value_warns(tmp_path: Path) -> None:
    (tmp_path / "base.rule").write_text(BASE_TEXT, encoding="utf-8")
    text = LOCAL.replace("参数 标准 = 120元/人", "参数 系数 = 60%")
    (tmp_path / "local.rule").write_text(text, encoding="utf-8")
    checked = check_source(text, str(tmp_path / "local.rule"))
    (warning,) = [d for d in checked.diagnostics if d.code == "W410"]
    assert "没有把「系数」标为各地可调整" in warning.message and warning.span.line == 7


def test_outpatient_local_example() -> None:
    local = guize.load(ROOT / "policies" / "xinjiang" / "outpatient_local_example.rule")
    data = {"医院级别": "二级", "退休人员": False, "本次费用": 1000, "住院起付线": 600, "本年已就诊次数": 0,
            "本年已支付": 0}
    assert local.evaluate(data, D(2025, 3, 1), ["起付标准", "统筹基金支付"]) == {
        "起付标准": Decimal("48.00"), "统筹基金支付": Decimal("714.00")}
    text = (ROOT / "policies" / "xinjiang" / "outpatient_local_example.rule").read_text(encoding="utf-8")
    assert "示例" in text and "不是真实的地方文件" in text


# ---------------------------------------------------------------- tools


def test_lint_warns_on_a_retroactive_amendment(tmp_path: Path) -> None:
    path = _write(tmp_path, _amendment("参数 标准 = 200元/人  依据 第一条\n"))
    (finding,) = [d for d in lint([str(path)]) if d.code == "W411"]
    assert "自2021年1月1日起施行，2021年3月1日才发布" in finding.message and "「标准」" in finding.message
    assert finding.severity == "warning" and finding.span.line == 5
    silenced = path.read_text(encoding="utf-8").replace("  施行日期", "  # guize-lint: 忽略 W411 已补扣\n  施行日期")
    path.write_text(silenced, encoding="utf-8")
    assert not [d for d in lint([str(path)]) if d.code in ("W411", "L001", "L003")]
    on_time = _write(tmp_path, _amendment("参数 标准 = 200元/人  依据 第一条\n", published="2020年12月1日"))
    assert not [d for d in lint([str(on_time)]) if d.code == "W411"]


def test_timeline_shows_when_values_were_decided() -> None:
    rows = [r for r in timeline(load_corpus([str(BASE.parent)])) if "子女教育每月标准" in r.what]
    assert [(r.start, r.value, r.decided) for r in rows] == [(D(2023, 1, 1), "2000", D(2023, 8, 31))]


def test_cli_known_on(tmp_path: Path) -> None:
    runner = CliRunner()
    data = tmp_path / "in.json"
    data.write_text(json.dumps({"受教育子女人数": 1}), encoding="utf-8")
    now = runner.invoke(main, ["eval", str(BASE), "--date", "2023-03-01", "--input", str(data)])
    then = runner.invoke(main, ["eval", str(BASE), "--date", "2023-03-01", "--known-on", "2023-03-01",
                                "--input", str(data)])
    assert json.loads(now.output)["子女教育每月扣除"] == 2000 and json.loads(then.output)["子女教育每月扣除"] == 1000
    status = runner.invoke(main, ["status", "国发〔2018〕41号", "--date", "2023-03-01", "--known-on", "2023-03-01",
                                  "--corpus", str(BASE.parent)])
    assert "经《国务院关于设立3岁以下婴幼儿照护个人所得税专项附加扣除的通知》（国发〔2022〕8号）修改" in status.output
    assert "国发〔2023〕13号" not in status.output
    csv = tmp_path / "in.csv"
    csv.write_text("受教育子女人数,日\n1,2023-03-01\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(main, ["run", str(BASE), "--date-column", "日", "--known-on", "2023-03-01",
                                  "--input", str(csv), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["子女教育每月扣除"] == 1000


def test_chain_in_memory_matches_the_files() -> None:
    folder = BASE.parent
    texts = {str(p): p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.rule"))}
    for path in texts:
        assert amend.chain_in(path, texts) == amend.chain(path, folder)


def test_name_starting_with_an_age_before_a_comparison_word(tmp_path: Path) -> None:
    """「三岁以下婴幼儿人数」 is one name in a formula; 「三岁以下」 before a colon stays a band."""
    path = tmp_path / "t.rule"
    path.write_text("文件：\n  标题：《名》\n  施行日期：2020年1月1日\n\n输入 三岁以下人数：整数（人）\n"
                    "输入 出生日期：日期\n输入 评估日：日期\n定义 年龄：年龄 = 年龄(出生日期，评估日)\n"
                    "输出 甲：整数（人） = 三岁以下人数 + 0人\n"
                    "输出 乙：金额 按 年龄 分段\n  三岁以下：1元\n  其他：2元\n", encoding="utf-8")
    policy = guize.load(path, corpus=None)
    data = {"三岁以下人数": 2, "出生日期": "2020-06-01", "评估日": "2021-01-01"}
    assert policy.evaluate(data, D(2021, 1, 1)) == {"甲": 2, "乙": Decimal("1.00")}


# ---------------------------------------------------------------- the documentation's examples


def _section(page: str, heading: str) -> str:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    start = text.index(heading)
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def test_embedding_examples_give_what_they_say(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each expression of the section's Python block is followed by a comment with its repr."""
    monkeypatch.chdir(ROOT)
    section = _section("embedding.md", "## 修改与「按某日已知」")
    block = section.split("```python\n", 1)[1].split("```", 1)[0]
    scope: dict[str, object] = {"guize": guize}
    checked = 0
    lines = block.splitlines()
    for code, comment in itertools.pairwise(lines):
        if code.startswith("#"):
            continue
        if comment.startswith("# "):
            assert repr(eval(code, scope)) == comment[2:], code
            checked += 1
        else:
            exec(code.split("  #", 1)[0], scope)
    assert checked == 3


def test_language_example_values(tmp_path: Path) -> None:
    section = _section("language.md", "### 修改文件、本地实施文件与「按某日已知」")
    for block in section.split("```rule\n")[1:]:
        text = block.split("```", 1)[0]
        name = text.splitlines()[0].removeprefix("# 文件名：")
        (tmp_path / name).write_text(text, encoding="utf-8")
    base = guize.load(tmp_path / "补贴办法.rule")
    assert base.evaluate({"车次": 1}, D(2021, 6, 1))["补贴"] == 150
    assert base.evaluate({"车次": 1}, D(2020, 6, 1))["补贴"] == 100
    assert base.evaluate({"夜间车次": 1}, D(2020, 6, 1), ["夜间补贴"])["夜间补贴"] == 0
    assert base.evaluate({"车次": 1}, D(2021, 6, 1), known_on=D(2021, 2, 1))["补贴"] == 100


def test_diff_shows_an_amendments_effect_on_the_base(tmp_path: Path) -> None:
    from guize.tools import diff

    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    (old / "base.rule").write_text(BASE_TEXT, encoding="utf-8")
    new.mkdir()
    _write(new, _amendment("参数 标准 = 200元/人  依据 第一条\n"))
    report = diff.run(str(old), str(new), [], diff.DEFAULT_BUDGET)
    base = next(d for d in report["documents"] if d["docno"] == "测发〔2020〕1号")
    (behaviour,) = [b for b in base["behaviour"] if b["output"] == "补贴"]
    assert [r["from"] for r in behaviour["regions"]] == [D(2021, 1, 1)]


def test_engines_agree_with_a_known_on_column(deductions: guize.Policy) -> None:
    """known_on per row (a column, nulls as the rules now stand, text that is no date, a day
    before the document was published): batch = compiled = reference interpreter, row by row,
    with one date for every row or a date column."""
    pa = pytest.importorskip("pyarrow")
    ons = [D(2021, 12, 31), D(2022, 2, 1), D(2023, 3, 1), D(2023, 9, 1)]
    knowns = [None, "2018-12-01", "2022-03-27", "2022-03-28", "2023-08-30", "2023-08-31", "不是日期", "2025-01-01"]
    rows = [{"受教育子女人数": c, "三岁以下婴幼儿人数": b, "是否赡养老人": e, "赡养身份": s, "约定分摊额": "1300"}
            for c, b, e, s in itertools.product([0, 2], [0, 1], [True, False], ["独生子女", "非独生子女"])]
    grid = [(on, known, row) for on in ons for known in knowns for row in rows]

    def expected(on: dt.date, known: str | None, row: dict[str, object]) -> dict[str, object]:
        try:
            value = deductions.evaluate(row, on, known_on=known)
        except guize.RuleError as exc:
            with pytest.raises(type(exc)):
                deductions.interpret(row, on, known_on=known)
            return {**{o.name: None for o in deductions.outputs}, "错误": exc.message}
        assert deductions.interpret(row, on, known_on=known) == value
        return {**value, "错误": None}

    table = pa.table({**{k: [r[k] for _o, _k, r in grid] for k in rows[0]},
                      "日": [on for on, _k, _r in grid], "已知": [k for _o, k, _r in grid]})
    got = deductions.evaluate_batch(table, "日", known_on="已知").to_pylist()
    assert got == [expected(*g) for g in grid]
    for on in ons[1:3]:
        one = deductions.evaluate_batch(table.drop_columns(["日"]), on, known_on="已知").to_pylist()
        assert one == [expected(on, k, r) for _o, k, r in grid]
    with pytest.raises(guize.InvalidInput, match="既不是日期，也不是输入表中的列"):
        deductions.evaluate_batch(table, "日", known_on="已经")


# ---------------------------------------------------------------- examples with known_on

EXAMPLE_KNOWN = """\
例 「三月的工资」：
  日期：2023年3月1日
  按{known}已{word}的规定{colon}
  受教育子女人数 = 1人
  期望 子女教育每月扣除 = {expected}
"""


def _corpus_with_example(tmp_path: Path, example: str) -> Path:
    for year in (2018, 2022):
        name = f"special_deductions_{year}.rule"
        (tmp_path / name).write_text(read_source(str(BASE.parent / name)), encoding="utf-8")
    target = tmp_path / "special_deductions_2023.rule"
    target.write_text(read_source(str(BASE.parent / target.name)) + "\n" + example, encoding="utf-8")
    return target


@pytest.mark.parametrize(("known", "expected", "passes"), [
    ("2023年3月1日", "1000元", True), ("2023年3月1日", "2000元", False),
    ("2023年8月31日", "2000元", True), ("2023年8月30日", "2000元", False)])
def test_an_example_states_known_on(tmp_path: Path, known: str, expected: str, passes: bool) -> None:
    from guize.tools import testing

    path = _corpus_with_example(tmp_path, EXAMPLE_KNOWN.format(known=known, word="发布", colon="", expected=expected))
    outcomes = [o for o in testing.run([str(path)]).outcomes if o.name == "三月的工资"]
    assert [o.status for o in outcomes] == ["passed" if passes else "failed"], outcomes
    if not passes:
        assert outcomes[0].message == f"「子女教育每月扣除」期望 {expected.removesuffix('元')}，实际 " \
            f"{'2000.00' if expected == '1000元' else '1000.00'}"
        assert f"按{known}已发布的规定" in outcomes[0].explanation


def test_known_on_example_formats_and_parses(tmp_path: Path) -> None:
    from guize.compiler import parser
    from guize.tools.fmt.entry import format_source

    loose = EXAMPLE_KNOWN.format(known="2023-03-01", word="公布", colon="：", expected="1000元")
    tree = parser.parse(loose, "x.rule")
    assert tree.examples[0].known_on == D(2023, 3, 1)
    formatted = format_source(loose, "x.rule")
    assert "  按2023年3月1日已发布的规定\n" in formatted
    assert parser.parse(formatted, "x.rule").examples == tree.examples
    assert format_source(formatted, "x.rule") == formatted
    without = parser.parse(loose.replace("  按2023-03-01已公布的规定：\n", ""), "x.rule")
    assert without.examples[0].known_on is None
    with pytest.raises(CompileError) as info:
        parser.parse(loose.replace("2023-03-01", "2023年2月30日"), "x.rule")
    assert info.value.diagnostics[0].code == "E012"


def test_the_language_guide_example_with_known_on(tmp_path: Path) -> None:
    """The example of docs/language.md passes guize test beside the 13号 document it is about."""
    from guize.tools import testing

    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    block = next(b.split("```", 1)[0] for b in text.split("```\n")[1:] if "已发布的规定\n" in b.split("```", 1)[0])
    path = _corpus_with_example(tmp_path, block.replace("例 「", "例 「手册："))
    report = testing.run([str(path)])
    mine = [o for o in report.outcomes if o.name.startswith("手册：")]
    assert len(mine) == 1 and mine[0].status == "passed", mine


# ---------------------------------------------------------------- an amendment of an amendment

FIX_2024 = """\
文件：
  标题：《关于调整子女教育扣除标准的通知》
  文号：国发〔2024〕1号
  发布机关：国务院
  发布日期：2024年3月1日
  # guize-lint: 忽略 W411 测试用的示例文件
  施行日期：2024年1月1日
  修改：{target}

参数 子女教育每月标准 = 2500元/人  依据 第一条
"""


def _corpus_with_fix(tmp_path: Path, target: str) -> Path:
    for year in (2018, 2022, 2023):
        name = f"special_deductions_{year}.rule"
        (tmp_path / name).write_text(read_source(str(BASE.parent / name)), encoding="utf-8")
    fix = tmp_path / "fix_2024.rule"
    fix.write_text(FIX_2024.format(target=target), encoding="utf-8")
    return fix


def test_an_amendment_of_an_amendment_changes_the_base(tmp_path: Path) -> None:
    """国发〔2024〕1号 amends 13号, which amends 41号: it changes 41号 as amended, both when 41号
    is loaded with its corpus and when the amendment is loaded itself; the engines agree."""
    fix = _corpus_with_fix(tmp_path, "《国务院关于提高个人所得税有关专项附加扣除标准的通知》（国发〔2023〕13号）")
    data = {"受教育子女人数": 1, "三岁以下婴幼儿人数": 1}
    for path in (tmp_path / "special_deductions_2018.rule", fix):
        policy = guize.load(path)
        for on, known, want in [(D(2024, 3, 1), None, 2500), (D(2024, 3, 1), D(2024, 2, 29), 2000),
                                (D(2023, 6, 1), None, 2000)]:
            if on < policy.window.start:
                continue
            got = policy.evaluate(data, on, known_on=known)
            assert got["子女教育每月扣除"] == want and got["婴幼儿照护每月扣除"] == 2000, (path, on, known)
            assert policy.interpret(data, on, known_on=known) == got
    assert amend.chain(str(fix)) == [str(tmp_path / f"special_deductions_{y}.rule") for y in (2018, 2022, 2023)] \
        + [str(fix)]
    texts = {str(p): p.read_text(encoding="utf-8") for p in tmp_path.glob("*.rule")}
    for path in texts:
        assert amend.chain_in(path, texts) == amend.chain(path, tmp_path), path
    explained = guize.load(fix).explain(data, D(2024, 3, 1), ["子女教育每月扣除"]).render()
    assert "依据 国发〔2024〕1号 第一条" in explained
    assert [d.code for d in check_source(read_source(str(fix)), str(fix)).diagnostics] == ["W411"]  # retroactive


def test_amendments_in_a_circle_are_an_error_not_a_traceback(tmp_path: Path) -> None:
    fix = _corpus_with_fix(tmp_path, "《另一通知》（国发〔2024〕2号）")
    other = FIX_2024.format(target="《关于调整子女教育扣除标准的通知》（国发〔2024〕1号）")
    other = other.replace("标题：《关于调整子女教育扣除标准的通知》", "标题：《另一通知》").replace("文号：国发〔2024〕1号", "文号：国发〔2024〕2号")
    (tmp_path / "other.rule").write_text(other, encoding="utf-8")
    with pytest.raises(CompileError) as info:
        check_source(read_source(str(fix)), str(fix))
    assert [d.code for d in info.value.diagnostics] == ["E415"]
    assert "互相修改" in info.value.diagnostics[0].message
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1 and "E415" in result.output and "Traceback" not in result.output


def test_tracebacks_through_a_merged_policy_name_each_definitions_file(tmp_path: Path) -> None:
    """A base definition, read in the policy of its amendment (and an added one, in the base's),
    is shown at its own file's line, not at that line of the file loaded."""
    import traceback

    (tmp_path / "base.rule").write_text(textwrap.dedent("""\
        文件：
          标题：《补贴办法》
          文号：测发〔2020〕1号
          发布日期：2020年1月1日
          施行日期：2020年1月1日

        输入 人数：整数
        输入 总额：数量
        参数 系数 = 2
        输出 人均：数量 = 总额 ÷ 人数 × 系数
        """), encoding="utf-8")
    (tmp_path / "amend.rule").write_text(textwrap.dedent("""\
        文件：
          标题：《补贴办法修改》
          文号：测发〔2021〕1号
          发布日期：2021年1月1日
          施行日期：2021年1月1日
          修改：《补贴办法》（测发〔2020〕1号）

        参数 系数 = 3
        新增 输出 倒数：数量 = 1 ÷ 人数
        """), encoding="utf-8")
    for loaded, output, file, line in [("amend.rule", "人均", "base.rule", 10), ("base.rule", "倒数", "amend.rule", 9),
                                       ("base.rule", "人均", "base.rule", 10)]:
        policy = guize.load(tmp_path / loaded)
        with pytest.raises(guize.EvaluationError) as info:
            policy.evaluate({"人数": 0, "总额": "10"}, D(2021, 6, 1), [output])
        frames = [f for f in traceback.extract_tb(info.value.__traceback__) if f.filename.endswith(".rule")]
        assert [(Path(f.filename).name, f.lineno, f.name) for f in frames] == [(file, line, output)], loaded
