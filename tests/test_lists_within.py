"""Lists of outputs within an output's function of its own (compiler/listsdrop.py, LISTS_WITHIN):
asked for in declared order, they are that function's variant, not out_subset. Every outcome,
value or error, is the reference interpreter's, for every list of outputs (in declared order and
reversed) of retirement age and of a rule whose outputs form chains and branches (an output read
on some paths only, which no list within computes first; a missing input read lazily; an error
in one output only)."""

from __future__ import annotations

import datetime
import inspect
import itertools
from pathlib import Path
from typing import Any

import differential
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize

ROOT = Path(__file__).resolve().parent.parent
ON = datetime.date(2025, 6, 1)

RULE = """\
文件：
  标题：《链条》
  施行日期：2024年1月1日

输入 基数：金额
输入 比例：比率，默认 10%
输入 加项：金额，默认 0元
输入 开关：是否，默认 否
输入 备用：金额

输出 甲：金额 = 基数 × 比例
输出 乙：金额 = 甲 + 加项
输出 丙：金额 = 若 开关 则 乙 - 备用 否则 乙
输出 丁：数值 = 丙 ÷ (加项 - 1元)
输出 戊：金额 = 甲 × 2
输出 己：金额 = 若 开关 则 0元 否则 甲
"""


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    return differential.load_rule(tmp_path_factory, "chain", RULE)


def asked_lists(names: tuple[str, ...]) -> list[list[str]]:
    lists = [list(c) for k in range(1, len(names) + 1) for c in itertools.combinations(names, k)]
    return lists + [list(reversed(c)) for c in lists if len(c) > 1]


def same(policy: guize.Policy, data: dict[str, Any], outputs: list[str]) -> None:
    got = [differential.outcome(run, data, ON, outputs, show=differential.with_types)
           for run in (policy.evaluate, policy.interpret)]
    assert got[0] == got[1], (data, outputs)


amounts = st.one_of(st.decimals(-100, 10**6, places=2, allow_nan=False, allow_infinity=False).map(str),
                    st.sampled_from(["1", "0", "abc", None, True]))
records = st.fixed_dictionaries({"基数": amounts}, optional={"比例": st.sampled_from(["10%", "0.5", "x"]),
                                                            "加项": amounts, "开关": st.booleans(), "备用": amounts,
                                                            "多余": st.just(1)})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=records)
def test_every_list_of_the_chain(chain: guize.Policy, data: dict[str, Any]) -> None:
    for outputs in asked_lists(chain.module.OUTPUTS):
        same(chain, data, outputs)


def test_lists_within_are_taken(chain: guize.Policy) -> None:
    within = chain.module.LISTS_WITHIN
    assert ("乙",) in within and ("甲", "丙", "丁") in within and ("丙",) in within
    # 己 reads 甲 on some paths only: asked alone, 甲 is not computed first (out_subset's way)
    planned = chain._plan(["己"])[0]  # (out_subset, counting its calls for a copy: runtime/specialize.py)
    assert ("己",) not in within and getattr(planned, "function", planned) is chain.module.out_subset
    assert chain._plan(["甲", "丙", "丁"])[0] is chain.module.with_丁
    assert chain._plan(["丁", "甲"])[0] is not chain.module.with_丁  # not in declared order: out_subset
    source = inspect.getsource(chain.module.with_丁)
    assert "if need == 1 else" in source


days = st.dates(datetime.date(1960, 1, 1), datetime.date(1995, 12, 31))
people = st.sampled_from(["男职工", "原法定退休年龄五十五周岁的女职工", "原法定退休年龄五十周岁的女职工", "其他"])


@settings(max_examples=40, deadline=None)
@given(born=st.one_of(days.map(str), days, st.just("1970-02-30")), who=people, extra=st.booleans())
def test_every_list_of_retirement(born: Any, who: str, extra: bool) -> None:
    policy = retirement()
    data: dict[str, Any] = {"出生日期": born, "人员类别": who}
    if extra:
        data["别的"] = 1
    for outputs in asked_lists(policy.module.OUTPUTS):
        same(policy, data, outputs)


_RETIREMENT: list[guize.Policy] = []


def retirement() -> guize.Policy:
    if not _RETIREMENT:
        _RETIREMENT.append(guize.load(ROOT / "policies/national/retirement_age_2025.rule"))
    return _RETIREMENT[0]


def test_missing_inputs_of_a_list_within() -> None:
    policy = retirement()
    for outputs in (["改革后法定退休年龄", "退休年月"], ["退休年月"]):
        assert policy._plan(outputs)[0] is policy.module.with_退休年月
        same(policy, {"出生日期": "1970-05-01"}, outputs)
        same(policy, {}, outputs)
