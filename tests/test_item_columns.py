"""A list input read as columns (compiler/itemcols.py) gives what the dict reader gives.

Where a generated function uses a list only as the source of 人数, 合计 and per-item loops
(listgen writes them from the IR), the reader keeps the fields read as columns (in out_subset:
the fields of flagged loops only when those are made) and still checks every field of every
item; 合计 of a field over every item is sum() of its column, 人数 of a per-item 是否 the number
of its true values (listgen.counted_marks). Compiled == the reference interpreter for every
output alone, in any combination and all together, on plain lists and on hostile ones
(missing, unknown, mistyped and out-of-range fields, items that are not objects, lists that
are not lists, subclasses, tuples, many items, too many), two lists with loops within loops;
batch == scalar on a row holding each shape; each column reader == values.to_records' result
taken apart.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from decimal import Decimal
from typing import Any

import pytest
from differential import answers, load_rule, outcome
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.runtime import values

ON = dt.date(2024, 6, 1)

RULE = """文件：
  标题：《按列》
  施行日期：2000年1月1日

类型 等级：一级、二级
类型 成员：
  收入：金额
  年龄：年龄
  扣除：金额，默认 0元
  在职：是否，默认 否
  级别：等级，默认 一级
  人数：整数，默认 1

输入 各项：成员的列表
输入 标准：金额/人，默认 100元/人

定义 收入合计：金额 = 合计(各项 的 收入)
输出 项数：整数（人） = 人数(各项)
定义 人均收入：金额/人 = 收入合计 ÷ 项数
输出 低于标准：是否 = 项数 > 0人 且 人均收入 < 标准
输出 补差：金额 = 若 低于标准 则 四舍五入到分((标准 - 人均收入) × 项数) 否则 0元
输出 在职收入：金额 = 合计(各项 中 在职 的 收入)
输出 标记：是否，按 各项 逐项 = 低于标准 且 (年龄 ≥ 60岁 或 级别 = 二级)
输出 标记人数：整数（人） = 人数(各项 中 标记)
"""

HOSTILE = [None, "", "abc", "-1", "1e30", "NaN", "1234.50", "0", "0.00", "  12", 1.5, True, False, -3, 0, 12,
           10**16, Decimal("1.5"), Decimal("NaN"), Decimal("-0"), Decimal("1E+20"), [], {}, "一级", "二级", "三级"]
FIELDS = ["收入", "年龄", "扣除", "在职", "级别", "人数"]

plain_items = st.fixed_dictionaries(
    {"收入": st.decimals(min_value=0, max_value=5000, places=2).map(str), "年龄": st.integers(0, 1200)},
    optional={"扣除": st.decimals(min_value=0, max_value=500, places=2), "在职": st.booleans(),
              "级别": st.sampled_from(["一级", "二级"]), "人数": st.integers(0, 5)})
hostile_items = st.one_of(
    plain_items,
    st.dictionaries(st.sampled_from([*FIELDS, "别的"]), st.sampled_from(HOSTILE), max_size=6),
    st.builds(lambda item, k, v: {**item, k: v}, plain_items, st.sampled_from([*FIELDS, "别的"]),
              st.sampled_from(HOSTILE)),
    st.sampled_from([None, 3, "文字", ["收入"]]))
lists = st.one_of(st.lists(plain_items, max_size=6), st.lists(hostile_items, min_size=1, max_size=4),
                  st.sampled_from([None, "各项", 5, {"收入": "1"}]), st.lists(plain_items, max_size=3).map(tuple))
OUTPUTS = ["项数", "低于标准", "补差", "在职收入", "标记", "标记人数"]


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    return load_rule(tmp_path_factory, "columns", RULE)


def column_readers(policy: guize.Policy) -> dict[str, Any]:
    return {name: fn for name, fn in vars(policy.module).items() if re.fullmatch(r"_C\d+", name)}


def test_the_list_is_read_as_columns(policy: guize.Policy) -> None:
    module = policy.module
    for fn in (module.out_all, module.out_subset, module.with_补差):
        source = inspect.getsource(fn)
        assert re.search(r"i_各项 = _C\d+\(i_各项\)", source) and "_R0(" not in source, fn.__name__
        assert "['收入']" not in source and "['年龄']" not in source
    # 补差 and what it is computed from read 收入 alone: one column, no dict an item
    reader = re.search(r"i_各项 = (_C\d+)\(", inspect.getsource(module.with_补差))
    assert reader and module.__dict__[reader[1]]([{"收入": "5", "年龄": 3, "在职": True}]) == ([Decimal(5)],)
    # 合计 of a field over every item is sum() of its column; 人数 of a per-item 是否 counts its values
    assert re.search(r"d_收入合计 := sum\(i_各项\[0\], _K\d+\)", inspect.getsource(module.out_all))
    assert "d_标记人数 = sum(map(bool, d_标记))" in inspect.getsource(module.out_all)
    # out_subset reads 年龄 and 级别 only when the flagged per-item loop is made
    assert re.search(r"= _C\d+\(i_各项\) if _n\d+(?: or _n\d+)* else _C\d+\(i_各项\)", inspect.getsource(module.out_subset))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=lists)
def test_column_readers_give_to_records_taken_apart(policy: guize.Policy, value: Any) -> None:
    spec = policy._specs["各项"]
    try:
        want: Any = values.to_records(value, spec)
    except guize.RuleError as exc:
        want = (type(exc).__name__, exc.message)
    for name, reader in column_readers(policy).items():
        try:
            got: Any = reader(value)
        except guize.RuleError as exc:
            got = (type(exc).__name__, exc.message)
        if isinstance(want, tuple) and want and isinstance(want[0], str):  # an error: the same
            assert got == want, name
            continue
        assert len(got[0]) == len(want), name
        # The fields kept, in order ('': a field not read there, None in its place)
        kept = re.findall(r"\[r\['(\w+)'\] for r in records\]|None", inspect.getsource(policy.module.__dict__[name + "_columns"]))
        for column, field in zip(got, kept, strict=True):  # (年龄 only compared: the int given, or the Age)
            if not field:
                assert column is None, name
                continue
            assert [str(int(v)) if field == "年龄" else str(v) for v in column] == [
                str(int(r[field])) if field == "年龄" else str(r[field]) for r in want], (name, field)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=lists, standard=st.sampled_from(["100", "0", "2500.5", "-1", None]))
def test_every_output_alone_and_all_agree_with_the_reference(policy: guize.Policy, value: Any,
                                                              standard: str | None) -> None:
    data = {"各项": value} if standard is None else {"各项": value, "标准": standard}
    got, want = answers(policy, data, ON)
    assert got == want
    for name in OUTPUTS:
        got, want = answers(policy, data, ON, [name])
        assert got == want, name


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=lists, asked=st.lists(st.sampled_from(OUTPUTS), min_size=1, max_size=6))
def test_outputs_asked_together_agree_with_the_reference(policy: guize.Policy, value: Any, asked: list[str]) -> None:
    got, want = answers(policy, {"各项": value, "标准": "1000"}, ON, asked)
    assert got == want


@pytest.mark.parametrize("item", [
    {"收入": "1", "年龄": -1},  # a field no output of 补差 reads: still checked
    {"收入": "1", "年龄": 1, "级别": "三级"},
    {"收入": "1", "年龄": 1, "扣除": "abc"},
    {"收入": "1", "年龄": 1, "人数": True},
    {"收入": "1", "年龄": 1, "别的": 0},
    {"收入": "1"},
    {"年龄": 1},
    {"收入": "1", "年龄": 1, "在职": None},  # None: the default, as to_records takes it
    {"收入": 7, "年龄": 1},
    "成员",
])
def test_a_bad_item_among_plain_ones(policy: guize.Policy, item: Any) -> None:
    """Each output alone, every output, and 补差 with what it is computed from (a with_ function):
    the error the interpreter gives, or the same values."""
    data = {"各项": [{"收入": "5", "年龄": 3}, item, {"收入": "2.5", "年龄": 800, "在职": True}], "标准": "800"}
    for asked in [None, ["项数", "低于标准", "补差"], *([o] for o in OUTPUTS)]:
        got, want = answers(policy, data, ON, asked)
        assert got == want, asked


SOMETIMES = """文件：
  标题：《有时读》
  施行日期：2000年1月1日

类型 成员：
  收入：金额
  在职：是否，默认 否

输入 统计：是否，默认 否
输入 各项：成员的列表
输出 合计收入：金额 = 若 统计 则 合计(各项 的 收入) 否则 0元
输出 在职人数：整数（人） = 人数(各项 中 在职)
"""


@pytest.mark.parametrize("value", [[{"收入": "5"}, {"收入": "2.5", "在职": True}], [{"收入": "x"}], [{"在职": True}], "各项",
                                   None])
@pytest.mark.parametrize("counting", [True, False, None])
def test_a_list_read_on_some_paths_keeps_its_errors(tmp_path_factory: pytest.TempPathFactory, value: Any,
                                                     counting: bool | None) -> None:
    """A list that a statement of out_subset may read where its path first needs it (`_read`, the
    dicts) is left to the dicts there (itemcols.lazily_read; out_all reads it as columns): each
    output alone and together, as the interpreter; a list not given too."""
    policy = load_rule(tmp_path_factory, "sometimes", SOMETIMES)
    assert "i_各项 = _C0(i_各项)" in inspect.getsource(policy.module.out_all)
    assert "i_各项 = _R0(i_各项)" in inspect.getsource(policy.module.out_subset)
    data: dict[str, Any] = {} if value is None else {"各项": value}
    if counting is not None:
        data["统计"] = counting
    for asked in [None, ["合计收入"], ["在职人数"]]:
        got, want = answers(policy, data, ON, asked)
        assert got == want, asked


class Item(dict):  # type: ignore[type-arg]
    """An item that is a dict subclass: to_records' (not the inline reader's) to read."""


class Items(list):  # type: ignore[type-arg]
    """A list subclass of items."""


PLAIN = {"收入": "5", "年龄": 3}
SHAPES: dict[str, Any] = {
    "empty": [],
    "empty tuple": (),
    "one item": [PLAIN],
    "a required field missing": [PLAIN, {"收入": "5"}],
    "optional fields left out and given": [{"收入": "5", "年龄": 700}, {"收入": "1.5", "年龄": 3, "在职": True, "级别": "二级"}],
    "an extra field": [PLAIN, {"收入": "5", "年龄": 3, "别的": 1}],
    "an extra field given None": [{"收入": "5", "年龄": 3, "别的": None}],
    "a key that is no text": [{"收入": "5", "年龄": 3, 1: 2}],
    "a required field None": [{"收入": None, "年龄": 3}],
    "an optional field None": [{"收入": "5", "年龄": 3, "在职": None, "人数": None}],
    "wrong types": [{"收入": 5.5, "年龄": "3"}],
    "a truth value as an amount": [{"收入": True, "年龄": 3}],
    "a text as a truth value": [{"收入": "5", "年龄": 3, "在职": "是"}],
    "a negative age": [{"收入": "5", "年龄": -1}],
    "an unknown member": [{"收入": "5", "年龄": 3, "级别": "三级"}],
    "a None item": [None],
    "a None among items": [PLAIN, None],
    "a dict subclass item": [Item(PLAIN), PLAIN],
    "a list subclass": Items([PLAIN]),
    "a tuple of items": (PLAIN, {"收入": "2", "年龄": 900, "级别": "二级", "在职": True}),
    "a tuple as an item": [("收入", "5")],
    "an object instead of a list": PLAIN,
    "a text instead of a list": "各项",
    "a number instead of a list": 3,
    "many items": [{"收入": f"{k % 97}.25", "年龄": 700 + k % 3, "在职": k % 2 == 0} for k in range(20_000)],
    "many items, one bad at the end": [*([PLAIN] * 5_000), {"收入": "x", "年龄": 3}],
    "too many items": [PLAIN] * (values.MAX_ITEMS + 1),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_list_shapes_agree_with_the_reference(policy: guize.Policy, shape: str) -> None:
    """Each output alone, all, and 补差 with what it is computed from (with_补差): the
    interpreter's values or error, for every shape of list (the column readers send anything
    irregular to to_records)."""
    data = {"各项": SHAPES[shape], "标准": "800"}
    for asked in [None, ["项数", "低于标准", "补差"], ["补差", "标记"], *([o] for o in OUTPUTS)]:
        got, want = answers(policy, data, ON, asked)
        assert got == want, (shape, asked)


# Rows given to evaluate_batch as Python objects are made an Arrow table first, which loses what
# these shapes say (a field given None is a field left out; a key that is no text, an item that
# is a tuple and a truth value among amounts are turned into something else): batch's errors
# differ from the scalar path's (the same before the column readers; left to the batch work).
ARROW_LOSES = {"an extra field given None", "a key that is no text", "a truth value as an amount", "a tuple as an item"}


@pytest.mark.parametrize("shape", [
    pytest.param(s, marks=pytest.mark.xfail(strict=True, reason="the Arrow table made of the rows loses it"))
    if s in ARROW_LOSES else s for s in SHAPES if not s.startswith(("many", "too many"))])
def test_list_shapes_agree_in_batch(policy: guize.Policy, shape: str) -> None:
    """evaluate_batch on a row holding the list: the scalar path's values, or its error, row by row."""
    pytest.importorskip("pyarrow")
    rows = [{"各项": SHAPES[shape], "标准": "800"}, {"各项": [PLAIN], "标准": "800"}]
    got = policy.evaluate_batch(rows, on=ON).to_pylist()
    for row, out in zip(rows, got, strict=True):
        try:
            want: dict[str, Any] = {**policy.evaluate(row, ON), "错误": None}
        except guize.RuleError as exc:
            assert out["错误"] == exc.message, shape
            continue
        assert {k: tuple(v) if isinstance(v, list) else v for k, v in out.items()} == want, shape


TWO = """文件：
  标题：《两个列表》
  施行日期：2000年1月1日

类型 成员：
  收入：金额
  年龄：年龄
  工龄：期间，默认 0个月
  在职：是否，默认 否

类型 扣除：
  金额：金额
  可扣：是否，默认 是

输入 各项：成员的列表
输入 扣除项：扣除的列表

定义 收入合计：金额 = 合计(各项 的 收入)
输出 项数：整数（人） = 人数(各项)
输出 扣除合计：金额 = 合计(扣除项 中 可扣 的 金额)
输出 占比：比率，按 各项 逐项 = 若 收入合计 > 0元 则 收入 ÷ 合计(各项 的 收入) 否则 0
输出 分摊：金额，按 各项 逐项 = 四舍五入到分(收入 - 合计(扣除项 中 可扣 的 金额) ÷ 人数(各项) × 1人)
输出 较多：是否，按 各项 逐项 = 收入 > 合计(扣除项 的 金额) 且 工龄 ≥ 12个月
输出 年长人数：整数（人） = 人数(各项 中 年龄 ≥ 60岁 或 在职)
输出 累计收入：金额，按 各项 逐项 = 若 在职 则 累计(收入) 否则 0元
输出 扣除总额：金额 = 合计(扣除项 的 金额)
"""
TWO_OUTPUTS = ["项数", "扣除合计", "占比", "分摊", "较多", "年长人数", "累计收入", "扣除总额"]
deductions = st.one_of(
    st.lists(st.fixed_dictionaries({"金额": st.decimals(min_value=0, max_value=900, places=2).map(str)},
                                   optional={"可扣": st.booleans()}), max_size=4),
    st.lists(st.one_of(st.dictionaries(st.sampled_from(["金额", "可扣", "别的"]), st.sampled_from(HOSTILE), max_size=3),
                       st.sampled_from([None, "文字"])), min_size=1, max_size=3),
    st.sampled_from([None, "扣除项", ()]))
members = st.one_of(
    st.lists(st.fixed_dictionaries({"收入": st.decimals(min_value=0, max_value=5000, places=2).map(str),
                                    "年龄": st.integers(0, 1200)},
                                   optional={"工龄": st.integers(0, 400), "在职": st.booleans()}), max_size=5),
    st.lists(st.builds(lambda k, v: {"收入": "1", "年龄": 3, k: v}, st.sampled_from(["收入", "年龄", "工龄", "在职", "别的"]),
                       st.sampled_from(HOSTILE)), min_size=1, max_size=3))


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    return load_rule(tmp_path_factory, "two", TWO)


def test_two_lists_and_loops_within_loops_are_columns(two: guize.Policy) -> None:
    """Both lists read as columns in out_all; a 合计 of the other list (or of the same list)
    written inside a per-item loop reads its own columns, the loop's fields its list's."""
    source = inspect.getsource(two.module.out_all)
    assert re.search(r"i_各项 = _C\d+\(i_各项\)", source) and re.search(r"i_扣除项 = _C\d+\(i_扣除项\)", source)
    assert "_L[0][_i] > sum(i_扣除项[0], _K" in source and "_L[2][_i] >= 12" in source
    assert "_v.div(_L[0][_i], sum(i_各项[0], _K" in source


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=members, taken=deductions, asked=st.one_of(st.none(), st.lists(st.sampled_from(TWO_OUTPUTS), min_size=1,
                                                                            max_size=4)))
def test_two_lists_agree_with_the_reference(two: guize.Policy, value: Any, taken: Any, asked: list[str] | None) -> None:
    data = {"各项": value} if taken is None else {"各项": value, "扣除项": taken}
    got, want = shown(two, data, asked)
    assert got == want
    for name in TWO_OUTPUTS if asked is None else ():
        got, want = shown(two, data, [name])
        assert got == want, name


def shown(policy: guize.Policy, data: dict[str, Any], asked: list[str] | None) -> list[Any]:
    """The compiled and the reference outcome, each value by its repr (Decimal('0') is not 0)."""
    return [outcome(run, data, ON, asked, show=lambda got: {k: repr(v) for k, v in got.items()})
            for run in (policy.evaluate, policy.interpret)]


MIXED = """文件：
  标题：《有的按列》
  施行日期：2000年1月1日

类型 成员：
  收入：金额
  在职：是否，默认 否

输入 各项：成员的列表
输出 收入合计：金额 = 合计(各项 的 收入)
输出 人均：金额 = 若 人数(各项) > 0人 则 四舍五入到分(收入合计 ÷ 人数(各项) × 1人) 否则 0元
输出 最大收入：金额 = 若 人数(各项) > 0人 则 最大值(各项 的 收入) 否则 0元
输出 都在职：是否 = 全部(各项 的 在职)
"""


@pytest.mark.parametrize("value", [[], [{"收入": "5"}, {"收入": "2.5", "在职": True}], [{"收入": "x"}], [None], "各项",
                                   ({"收入": 3, "别的": 1},)])
def test_a_list_given_to_a_runtime_helper_keeps_the_dicts(tmp_path_factory: pytest.TempPathFactory, value: Any) -> None:
    """最大值 and 全部 hand the list to values.aggregate: out_all and out_subset read it as dicts,
    with_人均 (人均 with 收入合计, only 合计 and 人数) as columns; every output alone, all and
    人均 with 收入合计, as the interpreter."""
    policy = load_rule(tmp_path_factory, "mixed", MIXED)
    assert "i_各项 = _R0(i_各项)" in inspect.getsource(policy.module.out_all)
    assert re.search(r"i_各项 = _C\d+\(i_各项\)", inspect.getsource(policy.module.with_人均))
    for asked in [None, ["收入合计", "人均"], ["收入合计"], ["人均"], ["最大收入"], ["都在职"], ["人均", "最大收入"]]:
        got, want = shown(policy, {"各项": value}, asked)
        assert got == want, asked
