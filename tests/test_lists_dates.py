"""A record's 适用日期 field (dated parameters taken on each item's date) and 主键 field (issue 15).

Compiled, reference and batch evaluation agree over random months around a mid-year change of a
dated parameter; a month outside every version is an error naming the item and the parameter; a
repeated key is an error naming the key; the checker's errors; fmt, explain, schema and verify.
"""

from __future__ import annotations

import datetime as dt
import functools
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

HEADER = "文件：\n  标题：《按月适用》\n  施行日期：2019年1月1日\n"
ON = dt.date(2019, 12, 31)

# 月减除费用 changes on 2019-07-01 (a made-up change, to see both versions in one year); 税率 is a
# table with versions whose rows are not constants; 当期减除 is a row-level definition (the
# evaluation date's version).
POLICY = HEADER + """
类型 月度数据：
  月份：年月，适用日期，主键
  收入：金额
  扣除：金额，默认 0元

输入 各月：月度数据的列表
输入 加成：金额，默认 0元
参数 月减除费用：金额
  自2019年1月1日起：5000元
  自2019年7月1日起：6000元
参数 税率：比率
  自2019年1月1日起：3%
  自2019年10月1日起：若 加成 > 0元 则 4% 否则 2%

定义 应税：金额，按 各月 逐月 = 取较大值(收入 - 扣除 - 月减除费用，0元)
输出 各月税额：金额，按 各月 逐月 = 应税 × 税率
输出 累计减除：金额，按 各月 逐月 = 累计(月减除费用)
输出 全年减除：金额 = 合计(各月 的 月减除费用)
输出 高减除月数：整数 = 个数(各月 中 月减除费用 > 5000元)
输出 当期减除：金额 = 月减除费用
输出 七月收入：金额 = 合计(各月 中 月份 = 2019年7月 的 收入)
"""

MONTH = pa.struct([("月份", pa.date32()), ("收入", pa.decimal128(18, 2)), ("扣除", pa.decimal128(18, 2))])


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("listdates") / "t.rule"
    path.write_text(POLICY, encoding="utf-8")
    return guize.load(path, corpus=False)


def answer(run: Any, data: dict[str, Any], on: dt.date = ON) -> Any:
    try:
        return run(data, on=on)
    except RuleError as exc:
        return exc.message


def month(k: int) -> dt.date:
    """The k-th month after 2018年12月 (k = 0: 2018年12月, before every version)."""
    return dt.date(2018 + (11 + k) // 12, (11 + k) % 12 + 1, 1)


months = st.lists(st.fixed_dictionaries(
    {"月份": st.integers(0, 18).map(month), "收入": st.decimals(min_value=0, max_value=50000, places=2)},
    optional={"扣除": st.decimals(min_value=0, max_value=3000, places=2)}),
    max_size=6, unique_by=lambda m: m["月份"]).map(lambda ms: sorted(ms, key=lambda m: m["月份"]))
# (in time order: a 累计 runs over the months; tests/test_running_order.py has them out of order)


def by_hand(data: dict[str, Any]) -> dict[str, Any]:
    """The answer read straight from the rules: each month's own deduction and rate."""
    due, running, total, high = [], [], Decimal(0), 0
    for m in data["各月"]:
        if m["月份"] < dt.date(2019, 1, 1):
            raise LookupError(m["月份"])
        cut = Decimal(6000) if m["月份"] >= dt.date(2019, 7, 1) else Decimal(5000)
        rate = Decimal("0.03") if m["月份"] < dt.date(2019, 10, 1) else (
            Decimal("0.04") if data.get("加成", 0) > 0 else Decimal("0.02"))
        base = max(m["收入"] - m.get("扣除", 0) - cut, Decimal(0))
        due.append((base * rate).quantize(Decimal("0.01"), "ROUND_HALF_UP"))
        total += cut
        running.append(total)
        high += cut > 5000
    return {"各月税额": tuple(due), "累计减除": tuple(running), "全年减除": total, "高减除月数": high}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries({"各月": months}, optional={"加成": st.sampled_from([Decimal(0),
                                                                                              Decimal(1)])}),
                     min_size=1, max_size=5))
def test_compiled_reference_batch_and_by_hand_agree(policy: guize.Policy, rows: list[dict[str, Any]]) -> None:
    t = pa.table({"各月": pa.array([r["各月"] for r in rows], type=pa.list_(MONTH)),
                  "加成": pa.array([r.get("加成") for r in rows], type=pa.decimal128(18, 2))})
    got = policy.evaluate_batch(t, on=ON).to_pylist()
    for r, g in zip(rows, got, strict=True):
        want = answer(policy.evaluate, r)
        assert want == answer(policy.interpret, r)
        if isinstance(want, str):
            assert g["错误"] == want and "「月减除费用」在这一天没有有效的取值" in want
            continue
        # per-item outputs over a list with a 主键: map columns, (month, value) pairs
        assert {k: tuple(x for _m, x in v) if isinstance(v, list) else v for k, v in g.items() if k != "错误"} == want
        assert [m for m, _x in g["各月税额"]] == [m["月份"] for m in r["各月"]] == list(want["各月税额"].keys)
        assert {k: want[k] for k in ("各月税额", "累计减除", "全年减除", "高减除月数")} == by_hand(r)
        assert want["当期减除"] == Decimal(6000)  # a row-level value: the evaluation date's version


def test_the_item_date_picks_the_version(policy: guize.Policy) -> None:
    data = {"各月": [{"月份": "2019-06", "收入": 10000}, {"月份": "2019-07", "收入": 10000},
                     {"月份": "2019-10", "收入": 10000}], "加成": 1}
    for run in (policy.evaluate, policy.interpret):
        got = run(data, on=ON)
        assert got["各月税额"] == (Decimal("150.00"), Decimal("120.00"), Decimal("160.00"))
        assert got["全年减除"] == Decimal(17000) and got["高减除月数"] == 2 and got["七月收入"] == Decimal(10000)
        # evaluated in June, the row-level value is June's; each month keeps its own
        early = run(data, on=dt.date(2019, 6, 30))
        assert early["当期减除"] == Decimal(5000) and early["各月税额"] == got["各月税额"]


def test_an_item_date_outside_every_version_names_the_item_and_the_parameter(policy: guize.Policy) -> None:
    data = {"各月": [{"月份": "2018-12", "收入": 1}, {"月份": "2019-01", "收入": 1}]}
    for run in (policy.evaluate, policy.interpret):
        with pytest.raises(RuleError) as caught:
            run(data, on=ON, outputs=["全年减除"])
        assert caught.value.message == "「各月」第1项的日期 2018年12月1日：「月减除费用」在这一天没有有效的取值" \
            or caught.value.message == "「各月」第1项的日期 2018年12月：「月减除费用」在这一天没有有效的取值"


def test_a_repeated_key_is_an_error_naming_it(policy: guize.Policy) -> None:
    data = {"各月": [{"月份": "2019-07", "收入": 1}, {"月份": "2019-08", "收入": 1}, {"月份": "2019-07", "收入": 2}]}
    message = "输入「各月」第3项的「月份」（2019年7月）与第1项相同；「月份」是主键，各项应互不相同"
    for run in (policy.evaluate, policy.interpret):
        with pytest.raises(RuleError) as caught:
            run(data, on=ON)
        assert caught.value.message == message
    rows = [[{"月份": dt.date(2019, 7, 1), "收入": Decimal(1), "扣除": None}] * 2,
            [{"月份": dt.date(2019, 7, 1), "收入": Decimal(1), "扣除": None}]]
    got = policy.evaluate_batch(pa.table({"各月": pa.array(rows, type=pa.list_(MONTH))}), on=ON).to_pylist()
    assert got[0]["错误"] == "输入「各月」第2项的「月份」（2019年7月）与第1项相同；「月份」是主键，各项应互不相同"
    assert got[1]["错误"] is None and got[1]["七月收入"] == Decimal(1)


def test_schema_marks_the_key(policy: guize.Policy) -> None:
    from guize.runtime.schema import input_schema

    schema = input_schema(policy)["properties"]["各月"]
    assert schema["x-guize-key"] == "月份" and schema["items"]["properties"]["月份"]["x-guize-key"] is True
    assert schema["items"]["properties"]["月份"]["description"].endswith("；主键：各项的取值互不相同")
    assert "x-guize-key" not in schema["items"]["properties"]["收入"]


def test_explain_says_which_version_each_item_took(policy: guize.Policy) -> None:
    data = {"各月": [{"月份": "2019-06", "收入": 10000}, {"月份": "2019-07", "收入": 10000}]}
    text = policy.explain(data, on=ON, outputs=["各月税额"]).render()
    assert "第1项（2019年6月）适用「月减除费用」自2019年1月1日起的版本" in text
    assert "第2项（2019年7月）适用「月减除费用」自2019年7月1日起的版本" in text


def test_batch_takes_item_dates_by_columns(policy: guize.Policy) -> None:
    """Each item's version is chosen in the columnar code: no output falls back, and rows whose
    items all have a version (a constant one, 月减除费用, and one with a formula, 税率) are not
    recomputed row by row; a row with a month before every version is (for its message)."""
    assert policy.batch.program["fallback"] == {}
    rows = [[{"月份": month(k), "收入": Decimal(9000 + k), "扣除": Decimal(0)} for k in range(1, 13)],
            [{"月份": month(10), "收入": Decimal(9000), "扣除": Decimal(0)}],
            [{"月份": month(0), "收入": Decimal(1), "扣除": Decimal(0)}], []]
    table = pa.table({"各月": pa.array(rows, type=pa.list_(MONTH)), "加成": pa.array([1, 0, 0, None], pa.int64())})
    out = policy.evaluate_batch(table, on=ON)
    meta = json.loads(out.schema.metadata[b"guize"])
    assert meta["fallback_outputs"] == [] and meta["rows_scalar"] == 1
    got = out.to_pylist()
    for r, g, extra in zip(rows, got, (1, 0, 0, 0), strict=True):
        data = {"各月": r, "加成": Decimal(extra)}
        want = answer(policy.evaluate, data)
        if isinstance(want, str):
            assert g["错误"] == want and "2018年12月" in want
            continue
        assert g["错误"] is None and by_hand(data)["各月税额"] == tuple(x for _m, x in g["各月税额"])
        assert g["全年减除"] == want["全年减除"] and g["高减除月数"] == want["高减除月数"]


def test_fmt_keeps_the_roles() -> None:
    source = POLICY.replace("  月份：年月，适用日期，主键", "  月份 ： 年月 ，适用日期，主键")
    once = format_source(source, "t.rule")
    assert "  月份：年月，适用日期，主键\n" in once and format_source(once, "t.rule") == once


def errors(body: str) -> list[str]:
    source = HEADER + body
    checked = checker.check(parser.parse(source, "t.rule"), source)
    return [f"{d.code} {d.message} {d.hint or ''}" for d in checked.diagnostics if d.severity == "error"]


@pytest.mark.parametrize("fields, message", [
    ("  月份：金额，适用日期\n", "E356 「适用日期」只用于日期或年月字段，「月份」是金额"),
    ("  月份：年月，适用日期\n  起算：日期，适用日期\n", "E356 类型「月度数据」已有适用日期字段「月份」，「起算」不能再作适用日期"),
    ("  月份：金额，主键\n", "E357 「主键」只用于整数、日期、年月、枚举或文本字段，「月份」是金额"),
    ("  月份：年月，主键\n  序号：整数，主键\n", "E357 类型「月度数据」已有主键字段「月份」，「序号」不能再作主键"),
])
def test_checker_errors(fields: str, message: str) -> None:
    found = errors("类型 月度数据：\n" + fields + "  收入：金额\n输入 各月：月度数据的列表\n"
                   "输出 合计：金额 = 合计(各月 的 收入)\n")
    assert any(e.startswith(message) for e in found), found


def test_verify_says_unknown_for_item_dates(tmp_path: Path) -> None:
    """A value taken on each item's date is not encoded: unknown, never a crash or a proof."""
    path = tmp_path / "t.rule"
    path.write_text(HEADER + """
类型 月度数据：
  月份：年月，适用日期
  收入：金额

输入 各月：月度数据的列表
参数 月减除费用：金额
  自2019年1月1日起：5000元
  自2019年7月1日起：6000元

输出 全年减除：金额 = 合计(各月 的 月减除费用)
断言 全年减除 ≥ 0元
""", encoding="utf-8")
    (r,) = [r for r in verify_file(str(path), timeout=5) if r.kind == "assertion"]
    assert r.status == "unknown" and "尚未编码" in r.message, r


def test_coverage_counts_the_version_an_item_took_and_diff_reports_the_parameter_only(tmp_path: Path) -> None:
    from guize.tools import testing
    from guize.tools.diff import compare, render

    example = """
例 六月：
  日期：2019年12月31日
  各月：
    月份 = 2019年6月，收入 = 10000元
  期望 各月税额 = 150元
"""
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "t.rule").write_text(POLICY + example, encoding="utf-8")
    report = testing.run([str(old / "t.rule")], coverage=True)
    assert report.failed == 0 and report.coverage is not None
    hits = report.coverage[str(old / "t.rule")]
    # June took the first version of 月减除费用, though the example is evaluated in December
    assert any(h[0] == "月减除费用" and h[-1] == 0 for h in hits), hits
    (new / "t.rule").write_text((POLICY + example).replace("6000元", "6500元"), encoding="utf-8")
    text = render.render_markdown(compare.run(str(old), str(new)))
    assert "| 参数「月减除费用」 | — | 自2019年7月1日起 | 6000元 | 6500元 |" in text
    assert "定义「应税」" not in text  # its formula did not change


def test_a_dated_age_taken_on_item_dates_is_still_an_age(tmp_path: Path) -> None:
    path = tmp_path / "age.rule"
    path.write_text(HEADER + """
类型 人月：
  月份：日期，适用日期
  年龄：年龄

输入 各月：人月的列表
参数 退休年龄：年龄
  自2019年1月1日起：60岁
  自2019年7月1日起：61岁

输出 已退休：是否，按 各月 逐月 = 年龄 ≥ 退休年龄
输出 适用退休年龄：年龄，按 各月 逐月 = 退休年龄
输出 当期退休年龄：年龄 = 退休年龄
输出 退休月数：整数 = 个数(各月 中 年龄 ≥ 退休年龄)
""", encoding="utf-8")
    policy = guize.load(path, corpus=False)
    data = {"各月": [{"月份": "2019-06-30", "年龄": "60岁"}, {"月份": "2019-07-01", "年龄": "60岁"}]}
    want = policy.evaluate(data, on=ON)
    assert want == policy.interpret(data, on=ON)
    assert want["已退休"] == (True, False) and want["退休月数"] == 1
    june, december = (policy.evaluate(data, on=d, outputs=["当期退休年龄"])["当期退休年龄"]
                      for d in (dt.date(2019, 6, 1), ON))
    assert want["适用退休年龄"] == (june, december) and want["当期退休年龄"] == december
    assert want["适用退休年龄"][0] != want["适用退休年龄"][1]
    struct = pa.struct([("月份", pa.date32()), ("年龄", pa.string())])
    rows = [[{"月份": dt.date(2019, 6, 30), "年龄": "60岁"}, {"月份": dt.date(2019, 7, 1), "年龄": "60岁"}]]
    got = policy.evaluate_batch(pa.table({"各月": pa.array(rows, type=pa.list_(struct))}), on=ON).to_pylist()
    assert got[0]["错误"] is None and tuple(got[0]["已退休"]) == (True, False) and got[0]["退休月数"] == 1


def test_item_dates_follow_the_rules_as_known_on(tmp_path: Path) -> None:
    """An amendment published in September raising the deduction from July: known in August, July
    keeps the old amount; as now known, July takes the new one (compiled = reference = batch)."""
    (tmp_path / "base.rule").write_text("""文件：
  标题：《按月办法》
  文号：测发〔2019〕1号
  发布日期：2018年12月1日
  施行日期：2019年1月1日

类型 月度数据：
  月份：年月，适用日期
  收入：金额

输入 各月：月度数据的列表
参数 月减除费用 = 5000元
输出 各月应税：金额，按 各月 逐月 = 取较大值(收入 - 月减除费用，0元)
""", encoding="utf-8")
    (tmp_path / "amend.rule").write_text("""文件：
  标题：《按月办法修改》
  文号：测发〔2019〕2号
  发布日期：2019年9月1日
  施行日期：2019年7月1日
  修改：测发〔2019〕1号

参数 月减除费用 = 6000元
""", encoding="utf-8")
    policy = guize.load(tmp_path / "amend.rule")
    data = {"各月": [{"月份": "2019-06", "收入": 10000}, {"月份": "2019-07", "收入": 10000}]}
    struct = pa.struct([("月份", pa.date32()), ("收入", pa.decimal128(18, 2))])
    table = pa.table({"各月": pa.array([[{"月份": dt.date(2019, 6, 1), "收入": Decimal(10000)},
                                       {"月份": dt.date(2019, 7, 1), "收入": Decimal(10000)}]], type=pa.list_(struct))})
    for known_on, july in [(None, Decimal(4000)), (dt.date(2019, 8, 1), Decimal(5000))]:
        for run in (policy.evaluate, policy.interpret):
            assert run(data, on=ON, known_on=known_on)["各月应税"] == (Decimal(5000), july)
        out = policy.evaluate_batch(table, on=ON, known_on=known_on)
        got = out.to_pylist()
        assert got[0]["错误"] is None and tuple(got[0]["各月应税"]) == (Decimal(5000), july)
        assert json.loads(out.schema.metadata[b"guize"])["rows_scalar"] == 0  # each item's version by columns
    # known_on per row (a column): each row's items as known on its own day (row by row)
    both = pa.table({"各月": pa.concat_arrays([table.column("各月").chunk(0)] * 2),
                     "公布": pa.array([dt.date(2019, 8, 1), None], pa.date32())})
    got = policy.evaluate_batch(both, on=ON, known_on="公布").to_pylist()
    assert [tuple(g["各月应税"]) for g in got] == [(Decimal(5000), Decimal(5000)),
                                                                 (Decimal(5000), Decimal(4000))]


def test_names_that_begin_with_the_new_keywords_are_still_names() -> None:
    assert errors("输入 适用日期起：日期\n输入 主键数：整数\n输出 主键数加一：整数 = 主键数 + 1\n"
                  "输出 起始：日期 = 适用日期起\n") == []


ONE = HEADER + """
类型 月度数据：
  月份：年月，主键
  收入：金额
  在职：是否，默认 是

输入 各月：月度数据的列表
定义 应税：金额，按 各月 逐月 = 取较大值(收入 - 5000元，0元)
输出 七月收入：金额 = 唯一(各月 中 月份 = 2019年7月 的 收入)
输出 七月应税：金额 = 唯一(各月 中 月份 = 2019年7月 的 应税)
输出 唯一在职月：年月 = 唯一(各月 中 在职 的 月份)
输出 七月在职：是否 = 唯一(各月 中 月份 = 2019年7月 的 在职)
"""


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.fixed_dictionaries(
    {"月份": st.integers(6, 9).map(month), "收入": st.decimals(min_value=0, max_value=9000, places=2),
     "在职": st.booleans()}), max_size=4, unique_by=lambda m: m["月份"]), min_size=1, max_size=5))
def test_the_one_item_agrees_everywhere(tmp_path: Path, rows: list[list[dict[str, Any]]]) -> None:
    path = tmp_path / "one.rule"
    if not path.exists():
        path.write_text(ONE, encoding="utf-8")
    policy = guize.load(path, corpus=False)
    struct = pa.struct([("月份", pa.date32()), ("收入", pa.decimal128(18, 2)), ("在职", pa.bool_())])
    table = pa.table({"各月": pa.array(rows, type=pa.list_(struct))})
    assert policy.batch.program["fallback"] == {}  # by columns: only the rows in error go row by row
    for name in ("七月收入", "七月应税", "唯一在职月", "七月在职"):
        out = policy.evaluate_batch(table, on=ON, outputs=[name])
        got = out.to_pylist()
        assert json.loads(out.schema.metadata[b"guize"])["rows_scalar"] == sum(g["错误"] is not None for g in got)
        for r, g in zip(rows, got, strict=True):
            data = {"各月": r}
            want = answer(functools.partial(policy.evaluate, outputs=[name]), data)
            assert want == answer(functools.partial(policy.interpret, outputs=[name]), data)
            picked = [m for m in r if (m["月份"] == dt.date(2019, 7, 1) if name != "唯一在职月" else m["在职"])]
            if len(picked) != 1:
                assert isinstance(want, str) and g["错误"] == want
                assert ("没有符合条件的项" in want) if not picked else f"有 {len(picked)} 项符合条件" in want
                continue
            assert g["错误"] is None and g[name] == want[name]
            m = picked[0]
            by_hand = {"七月收入": m["收入"], "七月应税": max(m["收入"] - 5000, Decimal(0)),
                       "唯一在职月": m["月份"], "七月在职": m["在职"]}[name]
            assert want[name] == by_hand  # a 年月 is a date (its first day)


def test_the_one_item_is_checked() -> None:
    found = errors("类型 月度数据：\n  收入：金额\n输入 各月：月度数据的列表\n输出 一：金额 = 唯一(各月 中 收入 > 0元)\n")
    assert any(e.startswith("E352 「唯一」要写明汇总哪一项") for e in found), found


def test_verify_says_unknown_for_the_one_item(tmp_path: Path) -> None:
    path = tmp_path / "one.rule"
    path.write_text(ONE + "断言 七月应税 ≥ 0元\n", encoding="utf-8")
    (r,) = [r for r in verify_file(str(path), timeout=5) if r.kind == "assertion"]
    assert r.status == "unknown" and "尚未编码" in r.message, r


SCALE = HEADER + """
类型 月度数据：
  月份：年月，适用日期
  收入：金额

输入 各月：月度数据的列表
表 分期表：超额累进
  自2019年1月1日起：
    不超过10000元的部分：0%
    超过10000元的部分：10%
  自2019年7月1日起：
    不超过20000元的部分：0%
    超过20000元至30000元的部分：10%
    超过30000元的部分：20%

输出 各月税额：金额，按 各月 逐月 = 累进计算(分期表，收入)
输出 全年税额：金额 = 合计(各月 的 累进计算(分期表，收入))
"""


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.fixed_dictionaries(
    {"月份": st.integers(0, 12).map(month), "收入": st.decimals(min_value=0, max_value=60000, places=2)}),
    max_size=4), min_size=1, max_size=5))
def test_a_scale_taken_on_each_items_date_by_columns(tmp_path: Path, rows: list[list[dict[str, Any]]]) -> None:
    """A progressive scale with versions, taken on each item's date: compiled = reference = batch =
    by hand, the batch by columns (only a row with a month before every version goes row by row)."""
    path = tmp_path / "scale.rule"
    if not path.exists():
        path.write_text(SCALE, encoding="utf-8")
    policy = guize.load(path, corpus=False)
    assert policy.batch.program["fallback"] == {}

    def tax(m: dict[str, Any]) -> Decimal:
        x = m["收入"]
        if m["月份"] < dt.date(2019, 7, 1):
            return max(x - 10000, Decimal(0)) * Decimal("0.1")
        return min(max(x - 20000, Decimal(0)), Decimal(10000)) * Decimal("0.1") + max(x - 30000, Decimal(0)) * Decimal("0.2")

    struct = pa.struct([("月份", pa.date32()), ("收入", pa.decimal128(18, 2))])
    out = policy.evaluate_batch(pa.table({"各月": pa.array(rows, type=pa.list_(struct))}), on=ON)
    got = out.to_pylist()
    assert json.loads(out.schema.metadata[b"guize"])["rows_scalar"] == sum(g["错误"] is not None for g in got)
    for r, g in zip(rows, got, strict=True):
        want = answer(policy.evaluate, {"各月": r})
        assert want == answer(policy.interpret, {"各月": r})
        if any(m["月份"] < dt.date(2019, 1, 1) for m in r):
            assert g["错误"] == want and "「分期表」在这一天没有有效的取值" in want
            continue
        each = tuple(tax(m).quantize(Decimal("0.01"), "ROUND_HALF_UP") for m in r)
        assert want["各月税额"] == each == tuple(g["各月税额"])
        assert want["全年税额"] == g["全年税额"] == sum((tax(m) for m in r), Decimal(0)).quantize(Decimal("0.01"), "ROUND_HALF_UP")
