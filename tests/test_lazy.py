"""Evaluation follows the path, in every engine: what a branch not taken, a row not chosen or a
version not in force would need is neither computed nor required (compiled = reference = batch)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.runtime.errors import MissingInput, RuleError

ROOT = Path(__file__).resolve().parent.parent
TEXTILE = ROOT / "policies" / "xinjiang" / "textile_2024.rule"
ON = dt.date(2024, 6, 1)

LAZY = """\
文件：
  标题：《按路径计算》
  施行日期：2000年1月1日

输入 总额：金额
输入 人数：整数（人）
输入 有奖励：是否，默认 否
输入 奖励：金额

参数 标准：金额
  自2010年1月1日起：600元

定义 人均：金额/人 = 总额 ÷ 人数

输出 基本：金额
  自2000年1月1日起：0元
  自2010年1月1日起：标准

输出 每人：金额/人 = 若 人数 = 0人 则 0元/人 否则 人均

输出 合计：金额 = 若 有奖励 则 总额 + 奖励 否则 总额
"""


@pytest.fixture(scope="module")
def lazy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("lazy") / "lazy.rule"
    path.write_text(LAZY, encoding="utf-8")
    return guize.load(path, corpus=False)


def both(policy: guize.Policy, data: dict[str, object], on: object, outputs: list[str] | None = None) -> object:
    """The compiled and the reference answer, which must be the same (value or error message)."""
    answers = []
    for run in (policy.evaluate, policy.interpret):
        try:
            answers.append(run(data, on, outputs))
        except RuleError as exc:
            answers.append(("error", type(exc).__name__, exc.message))
    assert answers[0] == answers[1]
    return answers[0]


def test_a_version_not_in_force_needs_nothing(lazy: guize.Policy) -> None:
    # 2005: 基本 is 0元 by its first version; 标准 (in force from 2010) is not needed.
    assert both(lazy, {}, "2005-01-01", ["基本"]) == {"基本": Decimal("0.00")}
    assert both(lazy, {}, "2012-01-01", ["基本"]) == {"基本": Decimal("600.00")}


def test_a_guarded_division_is_not_computed(lazy: guize.Policy) -> None:
    assert both(lazy, {"总额": 100, "人数": 0}, ON, ["每人"]) == {"每人": Decimal("0.00")}
    assert both(lazy, {"总额": 100, "人数": 4}, ON, ["每人"]) == {"每人": Decimal(25)}


def test_an_input_on_a_branch_not_taken_is_not_required(lazy: guize.Policy) -> None:
    assert both(lazy, {"总额": 100}, ON, ["合计"]) == {"合计": Decimal("100.00")}
    assert both(lazy, {"总额": 100, "有奖励": True}, ON, ["合计"]) == (
        "error", "MissingInput", "缺少输入「奖励」（计算「合计」时需要）")
    assert both(lazy, {"总额": 100, "有奖励": True, "奖励": 5}, ON, ["合计"]) == {"合计": Decimal("105.00")}


def test_unknown_names_are_still_refused(lazy: guize.Policy) -> None:
    answer = both(lazy, {"总额": 100, "奖金": 5}, ON, ["合计"])
    assert isinstance(answer, tuple) and answer[1] == "InvalidInput" and "奖金" in answer[2]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(total=st.one_of(st.none(), st.integers(0, 10**6), st.just("x")),
       people=st.one_of(st.none(), st.integers(0, 50), st.just(-1)),
       bonus=st.one_of(st.none(), st.booleans()), extra=st.one_of(st.none(), st.integers(0, 100)),
       year=st.sampled_from([1999, 2005, 2010, 2020]),
       outputs=st.one_of(st.none(), st.lists(st.sampled_from(["基本", "每人", "合计"]), min_size=1,
                                              max_size=3, unique=True)))
def test_every_engine_agrees_on_any_path(lazy: guize.Policy, total: object, people: object, bonus: object,
                                         extra: object, year: int, outputs: list[str] | None) -> None:
    data = {k: v for k, v in (("总额", total), ("人数", people), ("有奖励", bonus), ("奖励", extra))
            if v is not None}
    both(lazy, data, dt.date(year, 6, 1), outputs)


def test_textile_needs_the_yarn_count_only_for_cotton_yarn() -> None:
    policy = guize.load(TEXTILE, corpus=False)
    base = {"在疆注册": True, "在册职工人数": 100, "企业地区": "南疆", "销售数量": 10}
    out = ["纺织产品出疆运费补贴"]
    assert both(policy, {**base, "产品类别": "非棉纱线"}, ON, out) == {"纺织产品出疆运费补贴": Decimal("5600.00")}
    assert both(policy, {**base, "产品类别": "织布", "非地产纱线占比": "60%"}, ON, out) == {
        "纺织产品出疆运费补贴": Decimal("5000.00")}
    with pytest.raises(MissingInput, match="纱支"):
        policy.evaluate({**base, "产品类别": "含棉纱线"}, ON, out)
    with pytest.raises(MissingInput, match="非地产纱线占比"):
        policy.evaluate({**base, "产品类别": "织布"}, ON, out)


def test_batch_follows_the_path_too(lazy: guize.Policy) -> None:
    pa = pytest.importorskip("pyarrow")
    table = pa.table({"总额": pa.array([Decimal(100), Decimal(100), Decimal(90)], pa.decimal128(10, 2)),
                      "人数": pa.array([0, 4, 2], pa.int64())})
    rows = lazy.evaluate_batch(table, ON, ["每人", "合计"]).to_pylist()
    assert [(r["每人"], r["合计"], r["错误"]) for r in rows] == [
        (Decimal("0.00"), Decimal("100.00"), None), (Decimal(25), Decimal("100.00"), None),
        (Decimal("45.00"), Decimal("90.00"), None)]


def test_guize_test_reports_engines_that_disagree_even_on_errors(lazy: guize.Policy,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from guize.tools import testing

    example = {"file": "lazy.rule", "line": 1, "name": "未生效", "date": dt.date(1999, 1, 1), "inputs": {},
               "expects": {}, "not_in_force": True, "error": None}
    assert testing.run_example(lazy, example).status == "passed"
    monkeypatch.setattr(type(lazy), "interpret", lambda self, data, on, outputs=None, coverage=None: {})
    outcome = testing.run_example(lazy, example)
    assert outcome.status == "failed" and "编译结果与参考解释器不一致" in outcome.message


NEGATIVE = """\
文件：
  标题：《亏损弥补》
  施行日期：2024年1月1日

输入 本年利润：金额，可为负
输入 调整：整数（次），可为负，默认 0次
输入 以前年度亏损：金额，默认 0元
输出 应纳税所得额：金额 = 取较大值(本年利润 - 以前年度亏损，0元)
输出 调整后：整数（次） = 调整 + 1次
"""


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(profit=st.one_of(st.integers(-10**6, 10**6), st.decimals(-10**6, 10**6, places=2).map(str)),
       adjust=st.one_of(st.none(), st.integers(-50, 50)), loss=st.one_of(st.none(), st.integers(-5, 1000)))
def test_inputs_that_may_be_negative(tmp_path_factory: pytest.TempPathFactory, profit: object, adjust: object,
                                     loss: object) -> None:
    path = tmp_path_factory.getbasetemp() / "negative.rule"
    if not path.exists():
        path.write_text(NEGATIVE, encoding="utf-8")
    policy = guize.load(path, corpus=False)
    data = {k: v for k, v in (("本年利润", profit), ("调整", adjust), ("以前年度亏损", loss)) if v is not None}
    answer = both(policy, data, ON)
    if isinstance(loss, int) and loss < 0:  # not declared 可为负: refused, by both engines alike
        assert isinstance(answer, tuple) and "不能为负数" in answer[2]
    else:
        assert isinstance(answer, dict) and answer["应纳税所得额"] >= 0


YEARS = """\
文件：
  标题：《按年计》
  施行日期：2024年1月1日

输入 适用：是否
输入 年限：整数（年）
输出 月数：整数（月） = 若 适用 则 年限 否则 0个月
"""


def test_an_input_given_in_years_is_held_in_months_when_read_late(tmp_path: Path) -> None:
    path = tmp_path / "years.rule"
    path.write_text(YEARS, encoding="utf-8")
    policy = guize.load(path, corpus=False)
    answer = both(policy, {"适用": True, "年限": 2}, ON)
    assert isinstance(answer, dict) and int(answer["月数"]) == 24
