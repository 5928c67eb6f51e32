"""The value in a given month of a monthly series: 当年1月的 居住面积, 上年12月的 …, 2019年7月的 … (issue 15).

Compiled, reference and batch evaluation agree with each other and with the answer computed by
hand over random series (months missing, repeated, in any order, spread over three years),
errors included; 当年 is the evaluation date's year, or the item's own year inside an item of a
list with a 适用日期 field; the checker's errors; fmt, explain and verify.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.compiler import checker, parser
from guize.runtime.errors import RuleError
from guize.tools.fmt import format_source
from guize.tools.verify import verify_file

pa = pytest.importorskip("pyarrow")

HEADER = "文件：\n  标题：《按月取值》\n  施行日期：2018年1月1日\n"

# No 主键: two items of one month are allowed in the input, and an error where a month is read.
POLICY = HEADER + """
类型 月度数据：
  月份：年月，适用日期
  居住面积：数量（平方米）
  出租：是否，默认 否

输入 各月：月度数据的列表
参数 每平方米税额 = 10元/平方米

定义 月税额：金额，按 各月 逐月 = 居住面积 × 每平方米税额
输出 一月面积：数量（平方米） = 当年1月的 居住面积
输出 上年末面积：数量（平方米） = 上年12月的 居住面积
输出 固定月面积：数量（平方米） = 2019年7月的 居住面积
输出 一月税额：金额 = 当年1月的 月税额
输出 一月出租：是否 = 当年1月的 出租
输出 一月起增加：数量（平方米），按 各月 逐月 = 居住面积 - 当年1月的 居住面积
输出 大于一月的月数：整数 = 个数(各月 中 居住面积 > 当年1月的 居住面积)
"""

MONTH = pa.struct([("月份", pa.date32()), ("居住面积", pa.decimal128(18, 2)), ("出租", pa.bool_())])
ON = dt.date(2020, 5, 31)


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("months") / "t.rule"
    path.write_text(POLICY, encoding="utf-8")
    return guize.load(path, corpus=False)


def answer(run: Any, data: dict[str, Any], on: dt.date, outputs: list[str] | None = None) -> Any:
    try:
        return run(data, on=on, outputs=outputs)
    except RuleError as exc:
        return exc.message


class Missing(Exception):
    """By hand: the month has not exactly one item."""


def pick(items: list[dict[str, Any]], year: int, month: int) -> dict[str, Any]:
    found = [m for m in items if (m["月份"].year, m["月份"].month) == (year, month)]
    if len(found) != 1:
        raise Missing(f"{year}年{month}月", len(found))
    return found[0]


def by_hand(items: list[dict[str, Any]], on: dt.date, name: str) -> Any:
    def area(m: dict[str, Any]) -> Decimal:
        return Decimal(m["居住面积"])
    if name == "一月面积":
        return area(pick(items, on.year, 1))
    if name == "上年末面积":
        return area(pick(items, on.year - 1, 12))
    if name == "固定月面积":
        return area(pick(items, 2019, 7))
    if name == "一月税额":
        return (area(pick(items, on.year, 1)) * 10).quantize(Decimal("0.01"))
    if name == "一月出租":
        return bool(pick(items, on.year, 1).get("出租") or False)
    if name == "一月起增加":  # each month against January of its own year
        return tuple(area(m) - area(pick(items, m["月份"].year, 1)) for m in items)
    if name == "大于一月的月数":  # in the filter too, each item's own year
        return sum(1 for m in items if area(m) > area(pick(items, m["月份"].year, 1)))
    raise KeyError(name)


OUTPUTS = ["一月面积", "上年末面积", "固定月面积", "一月税额", "一月出租", "一月起增加", "大于一月的月数"]

series = st.lists(st.fixed_dictionaries(
    {"月份": st.builds(dt.date, st.integers(2018, 2020), st.sampled_from([1, 1, 7, 12, 3]), st.just(1)),
     "居住面积": st.decimals(min_value=0, max_value=500, places=1)},
    optional={"出租": st.booleans()}), max_size=6)


DAYS = [ON, dt.date(2019, 8, 1)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(series, min_size=1, max_size=4), on=st.sampled_from([*DAYS, None]),
       name=st.sampled_from(OUTPUTS))
def test_compiled_reference_batch_and_by_hand_agree(policy: guize.Policy, rows: list[list[dict[str, Any]]],
                                                    on: dt.date | None, name: str) -> None:
    """`on` None: a date per row (a column), each row's 当年 its own year. The batch computes the
    months by columns: only the rows in error (a month missing or repeated) go row by row."""
    days = [DAYS[i % 2] for i in range(len(rows))]
    t = pa.table({"各月": pa.array([[{**m, "出租": m.get("出租")} for m in r] for r in rows],
                                  type=pa.list_(MONTH)), "日期": pa.array(days, pa.date32())})
    out = policy.evaluate_batch(t, on="日期" if on is None else on, outputs=[name])
    got = out.to_pylist()
    assert json.loads(out.schema.metadata[b"guize"])["rows_scalar"] == sum(g["错误"] is not None for g in got)
    for r, g, day in zip(rows, got, days, strict=True):
        when = day if on is None else on
        data = {"各月": r}
        want = answer(policy.evaluate, data, when, [name])
        assert want == answer(policy.interpret, data, when, [name])
        try:
            expected = by_hand(r, when, name)
        except Missing as miss:
            month, count = miss.args
            assert isinstance(want, str) and g["错误"] == want
            word = "没有「月份」为" + month if count == 0 else f"有 {count} 项的「月份」为{month}"
            assert word in want, want
            continue
        assert not isinstance(want, str), want
        assert want[name] == expected and g["错误"] is None
        assert (tuple(g[name]) if isinstance(g[name], list) else g[name]) == expected


def test_batch_takes_every_month_by_columns(policy: guize.Policy) -> None:
    assert policy.batch.program["fallback"] == {}


def test_the_messages_name_the_month_and_the_list(policy: guize.Policy) -> None:
    data = {"各月": [{"月份": "2020-02", "居住面积": 80}, {"月份": "2020-03", "居住面积": 90},
                     {"月份": "2020-03", "居住面积": 95}]}
    for run in (policy.evaluate, policy.interpret):
        with pytest.raises(RuleError) as none:
            run(data, on=ON, outputs=["一月面积"])
        assert none.value.message == "「一月面积」：「各月」中没有「月份」为2020年1月的一项，无法取「当年1月的 居住面积」"
        with pytest.raises(RuleError) as two:
            run({"各月": [*data["各月"], {"月份": "2020-01", "居住面积": 1}, {"月份": "2020-01", "居住面积": 2}]},
                on=ON, outputs=["一月面积"])
        assert two.value.message == "「一月面积」：「各月」中有 2 项的「月份」为2020年1月，「当年1月的 居住面积」要求恰好一项"


def test_evaluation_is_lazy(policy: guize.Policy) -> None:
    """A month not read is not needed: 固定月面积 does not need this year's January."""
    data = {"各月": [{"月份": "2019-07", "居住面积": 70}]}
    assert policy.evaluate(data, on=ON, outputs=["固定月面积"])["固定月面积"] == Decimal(70)
    assert policy.interpret(data, on=ON, outputs=["固定月面积"])["固定月面积"] == Decimal(70)


def test_explain_names_the_item(policy: guize.Policy) -> None:
    data = {"各月": [{"月份": "2019-12", "居住面积": 80}, {"月份": "2020-01", "居住面积": 90}]}
    text = policy.explain(data, on=ON, outputs=["一月面积"]).render()
    assert "「各月」第2项（2020年1月）：90" in text


def test_a_date_key_marks_the_month(tmp_path: Path) -> None:
    """A 日期 主键 (not 适用日期) marks the month too; 当年 is then the evaluation date's year."""
    path = tmp_path / "k.rule"
    path.write_text(HEADER + "类型 记录：\n  记账日：日期，主键\n  金额：金额\n输入 各笔：记录的列表\n"
                    "输出 一月：金额 = 当年1月的 金额\n输出 各笔与一月之差：金额，按 各笔 逐项 = 金额 - 当年1月的 金额\n",
                    encoding="utf-8")
    p = guize.load(path, corpus=False)
    data = {"各笔": [{"记账日": "2020-01-15", "金额": 100}, {"记账日": "2019-01-20", "金额": 30}]}
    for run in (p.evaluate, p.interpret):
        got = run(data, on=ON)
        assert got["一月"] == Decimal(100) and got["各笔与一月之差"] == (Decimal(0), Decimal(-70))


def errors(body: str) -> list[str]:
    source = HEADER + body
    checked = checker.check(parser.parse(source, "t.rule"), source)
    return [f"{d.code} {d.message} {d.hint or ''}" for d in checked.diagnostics if d.severity == "error"]


RECORDS = "类型 月度数据：\n  月份：年月\n  月收入：金额\n输入 各月：月度数据的列表\n"


@pytest.mark.parametrize("body, message", [
    (RECORDS + "输出 x：金额 = 当年1月的 月收入\n",
     "E358 「当年1月的 月收入」：列表「各月」的各项没有标明所属月份 在类型「月度数据」中给年月或日期字段写「，适用日期」或「，主键」，"
     "如「月份：年月，主键」"),
    (RECORDS.replace("月份：年月", "月份：年月，主键") + "输出 x：金额 = 当年13月的 收入\n", "E358 「当年13月」不是有效的月份"),
    (RECORDS.replace("月份：年月", "月份：年月，主键") + "输出 x：金额 = 当年1月的 月收人\n",
     "E358 「当年1月的 月收人」：「月收人」不是列表的字段，也不是逐项计算的定义 是否指字段「月收入」？"),
    (RECORDS.replace("月份：年月", "月份：年月，主键") + "类型 别的：\n  月收入：金额\n输入 另一些：别的的列表\n"
     "输出 x：金额 = 当年1月的 月收入\n",
     "E358 「当年1月的 月收入」：列表「各月」、「另一些」都有字段「月收入」，不知取哪一个列表 用「唯一(各月 中 月份 = … 的 月收入)」指明列表"),
    (RECORDS.replace("月份：年月", "月份：年月，主键") + "输出 x：是否 = 当年1月的 月收入\n", "E2"),
])
def test_checker_errors(body: str, message: str) -> None:
    found = errors(body)
    assert any(e.startswith(message) for e in found), found


def test_fmt_keeps_the_month_glued() -> None:
    source = POLICY.replace("= 当年1月的 居住面积", "=   当年1月的   居住面积")
    once = format_source(source, "t.rule")
    assert "= 当年1月的 居住面积\n" in once and format_source(once, "t.rule") == once


def test_a_spaced_of_stays_an_aggregates_of(policy: guize.Policy) -> None:
    """唯一(各月 中 月份 = 2019年7月 的 居住面积): 「的」 after a space belongs to the aggregate."""
    path_text = POLICY + "输出 七月：数量（平方米） = 唯一(各月 中 月份 = 2019年7月 的 居住面积)\n"
    checked = checker.check(parser.parse(path_text, "t.rule"), path_text)
    assert not [d for d in checked.diagnostics if d.severity == "error"]


def test_verify_answers_unknown(tmp_path: Path) -> None:
    path = tmp_path / "v.rule"
    path.write_text(POLICY, encoding="utf-8")
    path.write_text(POLICY + "断言 一月面积 ≥ 0平方米\n", encoding="utf-8")
    (r,) = [r for r in verify_file(str(path), timeout=5) if r.kind == "assertion"]
    assert r.status == "unknown" and "某月的值（当年1月的 …）尚未编码" in r.message, r
