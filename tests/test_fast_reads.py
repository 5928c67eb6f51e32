"""Inputs read inline by the generated code (rates, inputs that may be negative, inputs only
some paths read, prefetched for any list of outputs): compiled = reference interpreter on
values at and around every edge, for every output list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import differential
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.compiler import codegen
from guize.runtime.errors import RuleError

ON = dt.date(2024, 6, 1)

RULE = """\
文件：
  标题：《读入》
  施行日期：2024年1月1日

输入 适用：是否
输入 利率：比率
输入 上限利率：比率，默认 5%
输入 利润：金额，可为负
输入 次数：整数（次），可为负，默认 0次
输入 本金：金额
输入 份额：比率，可为负
输出 利息：金额 = 若 适用 则 本金 × (利率 最高 上限利率) 否则 0元
输出 调整利润：金额 = 若 适用 则 利润 × 份额 否则 利润
输出 次数加一：整数（次） = 次数 + 1次
"""

EDGES = [0, 1, -1, 10**15 - 1, 10**15, -(10**15) + 1, -(10**15), "0.05", "5%", "-0.5", "1e3", " 7 ", "NaN",
         "Infinity", "x", "", Decimal("-0"), Decimal("NaN"), Decimal("1E+20"), 0.25, True, None, [1],
         "1E+15", Decimal("-1E+15"), "999999999999999.9", Decimal("1E-1001")]
values = st.one_of(st.sampled_from(EDGES), st.integers(-10**16, 10**16),
                   st.decimals(-10**6, 10**6, places=3).map(str))
OUTPUTS = ["利息", "调整利润", "次数加一"]


def both(policy: guize.Policy, data: dict[str, object], outputs: list[str] | None) -> object:
    answers = []
    for run in (policy.evaluate, policy.interpret):
        try:
            answers.append(run(data, ON, outputs))
        except RuleError as exc:
            answers.append(("error", type(exc).__name__, exc.message))
    assert answers[0] == answers[1], (data, outputs)
    return answers[0]


@pytest.fixture(scope="module", params=["inline", "large"])
def policy(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    """The policy as written (each input's test inline) and as a large policy is (codegen.SHARED_ABOVE:
    each number input's test one call of values.quick_number)."""
    path = tmp_path_factory.mktemp("reads") / "reads.rule"
    path.write_text(RULE, encoding="utf-8")
    if request.param == "inline":
        return guize.load(path, corpus=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(codegen, "SHARED_ABOVE", 0)
        return guize.load(path, corpus=False, cache=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(apply=st.one_of(st.booleans(), st.just("是"), st.none()), rate=values, cap=st.one_of(st.none(), values),
       profit=values, count=st.one_of(st.none(), values), principal=values, share=st.one_of(st.none(), values),
       outputs=st.one_of(st.none(), st.lists(st.sampled_from(OUTPUTS), min_size=1, max_size=3, unique=True)))
def test_compiled_reads_equal_the_interpreter(policy: guize.Policy, apply: object, rate: object, cap: object,
                                              profit: object, count: object, principal: object, share: object,
                                              outputs: list[str] | None) -> None:
    data = {k: v for k, v in (("适用", apply), ("利率", rate), ("上限利率", cap), ("利润", profit), ("次数", count),
                              ("本金", principal), ("份额", share)) if v is not None}
    both(policy, data, outputs)


def test_plain_values_and_their_edges(policy: guize.Policy) -> None:
    base = {"适用": True, "本金": "1000", "利率": "0.04", "利润": "-250.5", "份额": "-50%", "次数": -3}
    assert both(policy, base, None) == {"利息": Decimal("40.00"), "调整利润": Decimal("125.25"), "次数加一": -2}
    assert both(policy, {**base, "利率": "8%"}, ["利息"]) == {"利息": Decimal("50.00")}
    assert both(policy, {**base, "利润": -(10**15) + 1}, ["调整利润"])  # the least value in range
    refused = both(policy, {**base, "利润": -(10**15)}, ["调整利润"])
    assert isinstance(refused, tuple) and "超出可计算的范围" in refused[2]
    refused = both(policy, {**base, "利率": "-0.01"}, ["利息"])
    assert isinstance(refused, tuple) and "不能为负数" in refused[2]
    for name in ("利率", "上限利率", "利润", "本金", "份额"):  # every edge of every number input
        for value in EDGES:
            data = {k: v for k, v in {**base, name: value}.items() if v is not None}
            for outputs in (None, *([o] for o in OUTPUTS)):
                both(policy, data, outputs)


def test_the_generated_code_reads_rates_and_negative_inputs_inline(tmp_path: Path) -> None:
    from guize.compiler.driver import compile_source

    python = compile_source(RULE, "reads.rule").python
    assert "_to_rate(i_利率" not in python  # a plain numeral needs no call
    assert "_v.convert(_SPECS['利润'], i_利润)" not in python
    assert "-_LIMIT < i_利润 < _LIMIT" in python


def test_a_large_policy_reads_each_number_input_by_one_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above codegen.SHARED_ABOVE the test written out for each number input (ten lines) is one call
    of values.quick_number, eager and prefetched alike; below it nothing changes."""
    from guize.compiler.driver import compile_source

    small = compile_source(RULE, "reads.rule").python
    assert "_quick" not in small
    monkeypatch.setattr(codegen, "SHARED_ABOVE", 0)
    large = compile_source(RULE, "reads.rule").python
    assert "_quick = _v.quick_number" in large
    assert "if (i_利润 := _quick(i_利润, True)) is _U:" in large  # eager, 可为负
    assert "i_本金 = _quick(data.get('本金', _U))" in large  # prefetched
    assert "i_份额 = _quick(data.get('份额', _U), True)" in large
    assert "-_LIMIT < " not in large and "_TINY <= " not in large and len(large) < len(small)


MONTHS = """\
文件：
  标题：《按月》
  施行日期：2024年1月1日

输入 适用：是否
输入 工龄：期间
输入 病假：期间，默认 0个月
输入 年龄：年龄
输出 满十年：是否 = 工龄 达到 10年
输出 病假多：是否 = 若 适用 则 病假 达到 2个月 否则 否
输出 年龄加一月：年龄 = 年龄 + 1个月
输出 工龄本身：期间 = 若 适用 则 工龄 否则 0个月
"""
MONTH_VALUES = [0, 1, 119, 120, 10**15 - 1, 10**15, -1, "P10Y", "10年", "9年11个月", "P1M3D", True, 1.5, None]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(apply=st.one_of(st.booleans(), st.none()), worked=st.sampled_from(MONTH_VALUES),
       sick=st.sampled_from(MONTH_VALUES), age=st.sampled_from(MONTH_VALUES),
       outputs=st.one_of(st.none(), st.lists(st.sampled_from(["满十年", "病假多", "年龄加一月", "工龄本身"]),
                                              min_size=1, max_size=4, unique=True)))
def test_months_read_inline_equal_the_interpreter(tmp_path_factory: pytest.TempPathFactory, apply: object,
                                                  worked: object, sick: object, age: object,
                                                  outputs: list[str] | None) -> None:
    path = tmp_path_factory.getbasetemp() / "months.rule"
    if not path.exists():
        path.write_text(MONTHS, encoding="utf-8")
    policy = guize.load(path, corpus=False)
    data = {k: v for k, v in (("适用", apply), ("工龄", worked), ("病假", sick), ("年龄", age)) if v is not None}
    answer = both(policy, data, outputs)
    if isinstance(answer, dict) and "工龄本身" in answer:
        assert type(answer["工龄本身"]).__name__ == "Period"
    if isinstance(answer, dict) and "年龄加一月" in answer:
        assert type(answer["年龄加一月"]).__name__ == "Age"


def test_months_given_as_numbers_are_read_inline() -> None:
    from guize.compiler.driver import compile_source

    python = compile_source(MONTHS, "months.rule").python
    assert "i_工龄 = _FUNCS['as_period'](i_工龄) if i_工龄.__class__ is int" in python
    assert "_FUNCS['as_age'](i_年龄) if i_年龄.__class__ is int" in python


TEXTILE = Path(__file__).resolve().parent.parent / "policies" / "xinjiang" / "textile_2024.rule"
TEXTILE_ON = dt.date(2025, 3, 1)
PLAIN = {"bool": True, "int": 120, "money": "250000.50", "quantity": "1200", "rate": "0.35"}


@pytest.fixture(scope="module")
def textile() -> guize.Policy:
    return guize.load(TEXTILE, corpus=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(odd=st.dictionaries(st.integers(0, 33), st.one_of(st.sampled_from(EDGES), st.sampled_from(["是", "北疆"]))),
       dropped=st.sets(st.integers(0, 33), max_size=6), every=st.booleans())
def test_textile_prefetch_in_out_all_equals_the_interpreter(textile: guize.Policy, odd: dict[int, object],
                                                            dropped: set[int], every: bool) -> None:
    """out_all reads textile's 31 optional inputs with the inline checks (no values.prefetch
    call): odd values in any of them give the interpreter's values and errors."""
    data: dict[str, object] = {}
    for index, spec in enumerate(textile.inputs):
        if index in dropped:
            continue
        value = spec.allowed[0] if spec.kind == "enum" else PLAIN.get(spec.kind, "1")
        data[spec.name] = odd.get(index, value)
    outputs = None if every else [o.name for o in textile.outputs][:4]
    compiled, reference = differential.answers(textile, data, TEXTILE_ON, outputs)
    assert compiled == reference, data


def test_textile_out_all_checks_its_optional_inputs_inline() -> None:
    from guize.compiler.driver import compile_file

    python = compile_file(str(TEXTILE)).python
    out_all = python[python.index("def out_all("):python.index("def out_subset(")]
    assert "_v.prefetch(" not in out_all  # a call each cost ~2.5 µs a record on textile
    assert "if (_g := data.get('纱支', _U)) is not _U:" in out_all
