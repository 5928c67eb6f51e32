"""The scalar path's generated list code gives what the general helpers give.

A list input is read by a function written for its fields (compiler/itemreads.py): on any
value, item or list it gives values.to_records' result or raises its error. A per-item
definition is one loop (listgen.each_loop), a 累计 every item reaches is a local running total,
合计 and 人数 are loops too (listgen.sum_loop), at module level when they read nothing of the
generated function, else made only when a flag that needs them is set: compiled == the reference
interpreter on random lists, hostile values and 累计 reached on some items only.
"""

from __future__ import annotations

import datetime as dt
import inspect
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.runtime import values
from guize.runtime.errors import RuleError

HEADER = "文件：\n  标题：《列表》\n  施行日期：2000年1月1日\n"
ON = dt.date(2024, 6, 1)

RULE = HEADER + """
类型 等级：一级、二级
类型 成员：
  收入：金额
  扣除：金额，默认 0元
  比例：比率，默认 0%
  人数：整数，默认 1
  在职：是否，默认 否
  级别：等级，默认 一级
  年龄：年龄
  工龄：期间，默认 0个月

输入 各项：成员的列表
输入 门槛：金额，默认 100元

定义 净额：金额，按 各项 逐项 = 取较大值(累计(收入 - 扣除) - 累计(门槛)，0元)
定义 条件累计：金额，按 各项 逐项 = 若 在职 则 累计(收入) 否则 0元
定义 此前：金额，按 各项 逐项 = 累计(此前 + 收入 × 比例，至 上月)
定义 右侧：是否，按 各项 逐项 = 在职 且 累计(人数) > 3
输出 各项结果：金额，按 各项 逐项 = 净额 + 条件累计 + 此前
输出 合计：金额 = 合计(各项 的 各项结果)
输出 在职合计：金额 = 合计(各项 中 在职 的 收入)
输出 项数：整数（人） = 人数(各项)
输出 在职人数：整数（人） = 人数(各项 中 在职 且 年龄 ≥ 18岁)
输出 右侧人数：整数（人） = 人数(各项 中 右侧)
输出 二级人数：整数（人） = 人数(各项 中 级别 = 二级)
"""

HOSTILE = [None, "", "abc", "-1", "1e30", "NaN", "1234.50", "0", "0.00", "25%", "  12", 1.5, True, False, -3, 0, 12,
           10**16, Decimal("1.5"), Decimal("NaN"), Decimal("-0"), Decimal("1E+20"), [], {}, "一级", "二级", "三级"]
FIELDS = ["收入", "扣除", "比例", "人数", "在职", "级别", "年龄", "工龄"]

plain_items = st.fixed_dictionaries(
    {"收入": st.decimals(min_value=0, max_value=100000, places=2).map(str), "年龄": st.integers(0, 1200)},
    optional={"扣除": st.decimals(min_value=0, max_value=5000, places=2), "比例": st.sampled_from(["0.1", "0", "0.25"]),
              "人数": st.integers(0, 5), "在职": st.booleans(), "级别": st.sampled_from(["一级", "二级"]),
              "工龄": st.integers(0, 500)})
hostile_items = st.one_of(
    plain_items,
    st.dictionaries(st.sampled_from([*FIELDS, "别的"]), st.sampled_from(HOSTILE), max_size=6),
    st.builds(lambda item, k, v: {**item, k: v}, plain_items, st.sampled_from(FIELDS), st.sampled_from(HOSTILE)),
    st.sampled_from([None, 3, "文字", ["收入"]]))
lists = st.one_of(st.lists(plain_items, max_size=6), st.lists(hostile_items, max_size=4),
                  st.sampled_from([None, "各项", 5, {"收入": "1"}]), st.lists(plain_items, max_size=3).map(tuple))


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("loops") / "t.rule"
    path.write_text(RULE, encoding="utf-8")
    return guize.load(path, corpus=False)


@pytest.fixture(scope="module")
def dicts(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    """RULE with an output that hands the list to values.aggregate: out_all reads it as dicts
    (the item reader `_R0`), not as columns (compiler/itemcols.py)."""
    path = tmp_path_factory.mktemp("loops") / "t.rule"
    path.write_text(RULE + "输出 最高收入：金额 = 最大值(各项 的 收入)\n", encoding="utf-8")
    return guize.load(path, corpus=False)


def outcome(run: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return run(*args, **kwargs)
    except RuleError as exc:
        return (type(exc).__name__, exc.message)


def test_the_generated_code_uses_the_loops(policy: guize.Policy, dicts: guize.Policy) -> None:
    import inspect

    source = inspect.getsource(policy.module)
    assert "_C0(" in source and "_R0(" not in source  # the column reader (values.running given the columns)
    assert "i_各项 = _R0(i_各项)" in inspect.getsource(dicts.module.out_all)  # the item reader
    assert "_run" in source and "_each" in source and "_sum" in source
    assert "_v.running(" in source  # 累计 under 若 or the right of 且: values.running
    assert "_v.aggregate(" not in source and "_v.each(" not in source
    # A list function reading only its items (合计 of a field) is made once, at module level; in
    # out_subset, one only flagged statements use is made under those flags.
    assert "\ndef _m_sum" in source and "\ndef _m_each" in source
    subset = inspect.getsource(policy.module.out_subset)
    assert "\n    if _n" in subset.split("def _each", 1)[0]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=lists)
def test_item_reader_gives_what_to_records_gives(dicts: guize.Policy, value: Any) -> None:
    spec = dicts._specs["各项"]
    got = outcome(dicts.module._R0, value)
    want = outcome(values.to_records, value, spec)
    assert got == want
    if isinstance(got, tuple) and got and isinstance(got[0], dict):  # the same Decimals, digit for digit
        # 年龄 and 工龄 are only compared (or not read): kept the int given (itemreads.compared_fields)
        assert [{k: str(int(v)) if k in ("年龄", "工龄") else str(v) for k, v in r.items()} for r in got] == [
            {k: str(int(v)) if k in ("年龄", "工龄") else str(v) for k, v in r.items()} for r in want]


SHOWN = HEADER + """
类型 成员：
  收入：金额
  年龄：年龄

输入 各项：成员的列表
输出 最大年龄：年龄 = 最大值(各项 的 年龄)
输出 年长人数：整数（人） = 人数(各项 中 年龄 ≥ 60岁)
"""


def test_a_shown_age_field_stays_an_age(tmp_path: Path) -> None:
    """A 年龄 field whose value is shown (here its maximum) is read as an Age, as to_records reads it."""
    path = tmp_path / "shown.rule"
    path.write_text(SHOWN, encoding="utf-8")
    policy = guize.load(path, corpus=False)
    value = [{"收入": "1", "年龄": 721}, {"收入": "2", "年龄": 600}]
    got = policy.module._R0(value)
    assert [type(r["年龄"]) for r in got] == [type(r["年龄"]) for r in values.to_records(value, policy._specs["各项"])]
    assert outcome(policy.evaluate, {"各项": value}, ON) == outcome(policy.interpret, {"各项": value}, ON)
    assert str(policy.evaluate({"各项": value}, ON)["最大年龄"]) == "60岁1个月"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=lists, threshold=st.sampled_from(["100", "0", "5000.5", "-1"]))
def test_compiled_loops_agree_with_the_reference(policy: guize.Policy, value: Any, threshold: str) -> None:
    data = {"各项": value, "门槛": threshold}
    everything = outcome(policy.evaluate, data, ON)
    assert everything == outcome(policy.interpret, data, ON)
    for name in policy.module.OUTPUTS:
        alone = outcome(policy.evaluate, data, ON, [name])
        assert alone == outcome(policy.interpret, data, ON, [name]), name
        if isinstance(everything, dict):
            assert alone == {name: everything[name]}
            assert str(alone[name]) == str(everything[name])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=lists, asked=st.lists(st.sampled_from(["各项结果", "合计", "在职合计", "项数", "在职人数", "右侧人数", "二级人数"]),
                                   min_size=2, max_size=8))
def test_any_outputs_asked_together_agree_with_the_reference(policy: guize.Policy, value: Any, asked: list[str]) -> None:
    # out_subset (and out_all for every output): list functions made under the flags that use
    # them, an item's error surfacing only when an output asked for reaches it, repeats and order.
    data = {"各项": value, "门槛": "100"}
    got = outcome(policy.evaluate, data, ON, asked)
    assert got == outcome(policy.interpret, data, ON, asked)
    if isinstance(got, dict):
        assert list(got) == list(dict.fromkeys(asked))


@pytest.mark.parametrize("item", [
    {"收入": "1", "年龄": 1, "扣除": None},  # an optional field given as None: not counted as found
    {"收入": "1", "年龄": 1, "别的": "2"},  # an unknown field
    {"收入": "1", "年龄": 1, 1: "2"},  # a key that is not a text
    {"收入": "1", "年龄": 1, "扣除": "2", "比例": "0.1", "人数": 2, "在职": True, "级别": "二级", "工龄": 3, "别的": 0},
    {"收入": "1", "年龄": 1, "扣除": "2", "比例": "0.1", "人数": 2, "在职": True, "级别": "二级", "工龄": 3},
    {"收入": "1"},  # a required field missing
])
def test_unknown_fields_are_counted(dicts: guize.Policy, item: dict[Any, Any]) -> None:
    """The reader finds an unknown field by counting the keys (no set of them): the same result
    or error as to_records, for a list whose other items are plain."""
    value = [{"收入": "5", "年龄": 3}, item]
    assert outcome(dicts.module._R0, value) == outcome(values.to_records, value, dicts._specs["各项"])
    assert ".issuperset(item)" not in inspect.getsource(dicts.module._R0)


def test_compared_age_field_is_read_as_given(dicts: guize.Policy) -> None:
    """年龄 is only compared (年龄 ≥ 18岁): the reader keeps the int given, no Age made per item."""
    got = dicts.module._R0([{"收入": "5", "年龄": 240}])
    assert type(got[0]["年龄"]) is int and got[0]["年龄"] == 240
    assert "as_age" not in inspect.getsource(dicts.module._R0)


@pytest.mark.parametrize("field", FIELDS)
def test_each_field_hostile_in_a_plain_list(policy: guize.Policy, field: str) -> None:
    """Every hostile value in each field (工龄, read by no output: checked, not kept) of one
    item among plain ones: each output alone and all, the interpreter's values or error."""
    for bad in HOSTILE:
        value = [{"收入": "5", "年龄": 3}, {"收入": "2.5", "年龄": 300, field: bad}]
        data = {"各项": value, "门槛": "100"}
        for asked in [None, *([o] for o in policy.module.OUTPUTS)]:
            got = outcome(policy.evaluate, data, ON, asked)
            assert got == outcome(policy.interpret, data, ON, asked), (field, bad, asked)
