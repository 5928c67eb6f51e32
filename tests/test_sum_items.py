"""合计 of a per-item definition over the same list (listgen: sum() of its values from the zero).
Every outcome, value (with its type and digits) or error, is the reference interpreter's: empty
lists, values of many places and of 28 digits (additions that round), a zero of either sign, an
invalid item, the sum read on some paths only (若 … 则), and every list of outputs."""

from __future__ import annotations

import datetime
import inspect
from typing import Any

import differential
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize

ON = datetime.date(2024, 6, 1)

RULE = """\
文件：
  标题：《逐项合计》
  施行日期：2024年1月1日

类型 项：
  收入：金额，可为负
  扣除：金额，默认 0元

输入 各项：项的列表
输入 要合计：是否，默认 是

定义 净额：金额，按 各项 逐项 = 收入 - 扣除
输出 累计净额：金额，不舍入，按 各项 逐项 = 累计(净额)
输出 合计净额：金额，不舍入 = 合计(各项 的 净额)
输出 合计累计：金额 = 合计(各项 的 累计净额)
输出 条件合计：金额，不舍入 = 若 要合计 则 合计(各项 的 净额) 否则 0元
"""

OUTPUTS = ["累计净额", "合计净额", "合计累计", "条件合计"]


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    return differential.load_rule(tmp_path_factory, "sums", RULE)


texts = st.one_of(st.decimals(-10**6, 10**6, places=3, allow_nan=False, allow_infinity=False).map(str),
                  st.sampled_from(["-0", "0.00", "-0.000", "123456789012345.123456789012345",
                                   "99999999999999.9999999999999", "1E-30", "x", None]))
items = st.lists(st.fixed_dictionaries({"收入": texts}, optional={"扣除": texts}), max_size=5)
asked = st.one_of(st.none(), st.lists(st.sampled_from(OUTPUTS), min_size=1, max_size=3, unique=True))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(each=items, flag=st.booleans(), outputs=asked)
def test_every_outcome_is_the_interpreters(policy: guize.Policy, each: list[Any], flag: bool,
                                           outputs: list[str] | None) -> None:
    data = {"各项": each, "要合计": flag}
    got = [differential.outcome(run, data, ON, outputs, show=lambda r: {k: (str(v), type(v)) for k, v in r.items()})
           for run in (policy.evaluate, policy.interpret)]
    assert got[0] == got[1], (data, outputs)


def test_an_empty_list_sums_to_the_zero(policy: guize.Policy) -> None:
    for outputs in (None, ["合计净额"], ["条件合计"]):
        data = {"各项": []}
        assert policy.evaluate(data, ON, outputs) == policy.interpret(data, ON, outputs)
    got = policy.evaluate({"各项": []}, ON, ["合计净额"])["合计净额"]
    assert type(got).__name__ == "Decimal" and str(got) == "0"


def test_the_sum_is_written_with_sum(policy: guize.Policy) -> None:
    source = inspect.getsource(policy.module)
    assert "sum(d_净额, _K" in source or "sum((d_净额 if d_净额 is not _U" in source
    assert "sum(d_累计净额, _K" in source
