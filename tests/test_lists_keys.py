"""Per-item outputs keyed by the list's 主键, and 文本 (text) fields (issue 15).

A per-item output over a list with a key field is a Keyed tuple carrying the items' keys: JSON
writes it as an object key -> value, batch as an Arrow map column, explanations and diff as
「key：value」; compiled, reference and batch evaluation agree; a list without a key is unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.cli import main
from guize.compiler import checker, parser
from guize.runtime.errors import RuleError
from guize.runtime.keyed import Keyed
from guize.runtime.schema import dumps, output_schema

pa = pytest.importorskip("pyarrow")

HEADER = "文件：\n  标题：《按人计算》\n  施行日期：2024年1月1日\n"

POLICY = HEADER + """
类型 家庭成员：
  姓名：文本，主键
  月收入：金额
  年龄：年龄

类型 等级：一级、二级
类型 月度数据：
  月份：年月，主键
  收入：金额
类型 子女：
  序号：整数，主键
  级别：等级
类型 分级：
  级别：等级，主键
  人数：整数
类型 无键：
  收入：金额

输入 成员：家庭成员的列表
输入 各月：月度数据的列表
输入 各子女：子女的列表
输入 各级：分级的列表
输入 明细：无键的列表

输出 每人补助：金额，按 成员 逐人 = 若 年龄 < 18岁 则 100元 否则 月收入 × 10%
输出 补助合计：金额 = 合计(成员 的 每人补助)
输出 各月一半：金额，按 各月 逐月 = 收入 × 50%
输出 子女扣除：金额，按 各子女 逐个 = 若 级别 = 一级 则 1000元 否则 500元
输出 各级加倍：整数，按 各级 逐项 = 人数 × 2
输出 明细加一：金额，按 明细 逐项 = 收入 + 1元
"""

MEMBER = pa.struct([("姓名", pa.string()), ("月收入", pa.decimal128(18, 2)), ("年龄", pa.int64())])
MONTH = pa.struct([("月份", pa.date32()), ("收入", pa.decimal128(18, 2))])
CHILD = pa.struct([("序号", pa.int64()), ("级别", pa.string())])
GRADE = pa.struct([("级别", pa.string()), ("人数", pa.int64())])
PLAIN = pa.struct([("收入", pa.decimal128(18, 2))])
ON = dt.date(2024, 6, 1)


@pytest.fixture(scope="module")
def path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("keys") / "t.rule"
    p.write_text(POLICY, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def policy(path: Path) -> guize.Policy:
    return guize.load(path, corpus=False)


DATA = {"成员": [{"姓名": "张三", "月收入": 1200, "年龄": "45岁"}, {"姓名": "李四", "月收入": 0, "年龄": "10岁"}],
        "各月": [{"月份": "2024-01", "收入": 10}, {"月份": "2024-02", "收入": 20}],
        "各子女": [{"序号": 2, "级别": "一级"}, {"序号": 1, "级别": "二级"}],
        "各级": [{"级别": "二级", "人数": 3}], "明细": [{"收入": 5}]}


def test_keyed_outputs_carry_the_keys(policy: guize.Policy) -> None:
    for run in (policy.evaluate, policy.interpret):
        got = run(DATA, on=ON)
        each = got["每人补助"]
        assert isinstance(each, Keyed) and each == (Decimal("120.00"), Decimal("100.00"))
        assert each.by_key() == {"张三": Decimal("120.00"), "李四": Decimal("100.00")}
        assert got["各月一半"].keys == (dt.date(2024, 1, 1), dt.date(2024, 2, 1))
        assert got["子女扣除"].by_key() == {2: Decimal("1000.00"), 1: Decimal("500.00")}
        assert got["各级加倍"].by_key() == {"二级": 6}
        assert type(got["明细加一"]) is tuple  # no key: the values in item order, as before
        assert got["补助合计"] == Decimal("220.00")


def test_json_writes_an_object_by_key(policy: guize.Policy) -> None:
    text = json.loads(dumps(policy.evaluate(DATA, on=ON)))
    assert text["每人补助"] == {"张三": "120.00", "李四": "100.00"}
    assert text["各月一半"] == {"2024-01": "5.00", "2024-02": "10.00"}
    assert text["子女扣除"] == {"2": "1000.00", "1": "500.00"}
    assert text["明细加一"] == ["6.00"]


def test_a_keyed_value_pickles(policy: guize.Policy) -> None:
    value = policy.evaluate(DATA, on=ON)["每人补助"]
    again = pickle.loads(pickle.dumps(value))
    assert isinstance(again, Keyed) and again.by_key() == value.by_key()


def test_schema_describes_an_object_by_key(policy: guize.Policy) -> None:
    props = output_schema(policy)["properties"]
    assert props["每人补助"]["type"] == "object" and props["每人补助"]["x-guize-key"] == "姓名"
    assert "additionalProperties" in props["每人补助"]
    assert props["明细加一"]["type"] == "array"
    from guize.runtime.schema import input_schema
    name = input_schema(policy)["properties"]["成员"]["items"]["properties"]["姓名"]
    assert name["type"] == "string"


def test_eval_and_explain_show_the_keys(path: Path, tmp_path: Path) -> None:
    data = tmp_path / "in.json"
    data.write_text(json.dumps(DATA, ensure_ascii=False), encoding="utf-8")
    r = CliRunner().invoke(main, ["eval", str(path), "--date", "2024-06-01", "--input", str(data)])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["每人补助"] == {"张三": 120.0, "李四": 100.0}
    policy = guize.load(path, corpus=False)
    text = policy.explain(DATA, on=ON, outputs=["每人补助"]).render()
    assert "每人补助 = 张三：120.00元、李四：100.00元" in text


def test_batch_writes_map_columns(policy: guize.Policy) -> None:
    t = pa.table({
        "成员": pa.array([DATA["成员"] and [{"姓名": "张三", "月收入": Decimal(1200), "年龄": 540}],
                          [{"姓名": "甲", "月收入": Decimal(1), "年龄": 1}] * 2, []], type=pa.list_(MEMBER)),
        "各月": pa.array([[{"月份": dt.date(2024, 1, 1), "收入": Decimal(10)}], [], []], type=pa.list_(MONTH)),
        "各子女": pa.array([[{"序号": 7, "级别": "一级"}], [], []], type=pa.list_(CHILD)),
        "各级": pa.array([[{"级别": " 二级 ", "人数": 1}], [], []], type=pa.list_(GRADE)),
        "明细": pa.array([[{"收入": Decimal(1)}], [], []], type=pa.list_(PLAIN))})
    out = policy.evaluate_batch(t, on=ON)
    assert out.schema.field("每人补助").type == pa.map_(pa.string(), out.schema.field("每人补助").type.item_type)
    assert out.schema.field("各月一半").type.key_type == pa.date32()
    assert out.schema.field("子女扣除").type.key_type == pa.int64()
    assert pa.types.is_list(out.schema.field("明细加一").type)
    rows = out.to_pylist()
    assert rows[0]["每人补助"] == [("张三", Decimal("120.00"))]
    assert rows[0]["各月一半"] == [(dt.date(2024, 1, 1), Decimal("5.00"))]
    assert rows[0]["子女扣除"] == [(7, Decimal("1000.00"))] and rows[0]["各级加倍"] == [("二级", 2)]
    assert rows[1]["每人补助"] is None and "「姓名」是主键" in rows[1]["错误"]
    assert rows[2]["每人补助"] == [] and rows[2]["错误"] is None


# Blanks around a name (" 张三", a full-width space pasted from a table) are not part of it.
names = st.builds(lambda before, name, after: before + name + after, st.sampled_from(["", " ", "\u3000"]),
                  st.text(alphabet="张王李赵一二", min_size=1, max_size=3), st.sampled_from(["", " ", "\t"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.fixed_dictionaries({"姓名": names, "月收入": st.decimals(0, 9999, places=2),
                                                     "年龄": st.integers(0, 1200)}), max_size=4),
                     min_size=1, max_size=4))
def test_compiled_reference_and_batch_agree(policy: guize.Policy, rows: list[list[dict[str, Any]]]) -> None:
    rest = {"各月": [], "各子女": [], "各级": [], "明细": []}
    t = pa.table({"成员": pa.array(rows, type=pa.list_(MEMBER)), "各月": pa.array([[]] * len(rows), type=pa.list_(MONTH)),
                  "各子女": pa.array([[]] * len(rows), type=pa.list_(CHILD)),
                  "各级": pa.array([[]] * len(rows), type=pa.list_(GRADE)),
                  "明细": pa.array([[]] * len(rows), type=pa.list_(PLAIN))})
    got = policy.evaluate_batch(t, on=ON, outputs=["每人补助", "补助合计"]).to_pylist()
    for r, g in zip(rows, got, strict=True):
        data = {"成员": r, **rest}
        try:
            want = policy.evaluate(data, on=ON, outputs=["每人补助", "补助合计"])
        except RuleError as exc:
            with pytest.raises(RuleError) as again:
                policy.interpret(data, on=ON, outputs=["每人补助", "补助合计"])
            assert again.value.message == exc.message == g["错误"]
            continue
        assert want == policy.interpret(data, on=ON, outputs=["每人补助", "补助合计"])
        assert want["每人补助"].by_key() == dict(g["每人补助"])
        assert want["补助合计"] == g["补助合计"]


def test_blanks_around_a_text_key_are_not_part_of_it(policy: guize.Policy) -> None:
    """" 张三 " and "张三" are one person: a repeated key in every engine; the key is written trimmed."""
    rest = {"各月": [], "各子女": [], "各级": [], "明细": []}
    twice = {"成员": [{"姓名": " 张三\u3000", "月收入": 1, "年龄": 1}, {"姓名": "张三", "月收入": 2, "年龄": 2}], **rest}
    for run in (policy.evaluate, policy.interpret):
        with pytest.raises(RuleError, match="「姓名」是主键"):
            run(twice, on=ON)
    once = {"成员": [{"姓名": " 张三 ", "月收入": 1200, "年龄": 540}], **rest}
    assert policy.evaluate(once, on=ON)["每人补助"].by_key() == {"张三": Decimal("120.00")}
    assert policy.interpret(once, on=ON)["每人补助"].by_key() == {"张三": Decimal("120.00")}
    t = pa.table({"成员": pa.array([twice["成员"], once["成员"]], type=pa.list_(MEMBER)),
                  **{k: pa.array([[], []], type=pa.list_(v)) for k, v in
                     (("各月", MONTH), ("各子女", CHILD), ("各级", GRADE), ("明细", PLAIN))}})
    rows = policy.evaluate_batch(t, on=ON).to_pylist()
    assert "「姓名」是主键" in rows[0]["错误"]
    assert rows[1]["每人补助"] == [("张三", Decimal("120.00"))]


def test_run_writes_keyed_outputs_as_json_objects(path: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(DATA, ensure_ascii=False) + "\n", encoding="utf-8")
    for suffix in ("jsonl", "csv"):
        out = tmp_path / f"out.{suffix}"
        r = CliRunner().invoke(main, ["run", str(path), "--date", "2024-06-01", "--input", str(src),
                                      "--output", str(out)])
        assert r.exit_code == 0, r.output
        text = out.read_text(encoding="utf-8-sig")
        if suffix == "jsonl":
            row = json.loads(text)
            assert row["每人补助"] == {"张三": 120.0, "李四": 100.0} and row["明细加一"] == [6.0]
            assert row["各月一半"] == {"2024-01": 5.0, "2024-02": 10.0}  # year-months as guize eval writes them
        else:
            assert '"{""张三"": 120.00, ""李四"": 100.00}"' in text and '"[6.00]"' in text
            assert '"{""2024-01"": 5.00, ""2024-02"": 10.00}"' in text


def test_run_explains_keyed_outputs_as_json_objects(path: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(DATA, ensure_ascii=False) + "\n", encoding="utf-8")
    explained = tmp_path / "explain.jsonl"
    r = CliRunner().invoke(main, ["run", str(path), "--date", "2024-06-01", "--input", str(src), "--output",
                                  str(tmp_path / "out.jsonl"), "--explain", str(explained), "--explain-format", "json"])
    assert r.exit_code == 0, r.output
    steps = {s["name"]: s for s in json.loads(explained.read_text(encoding="utf-8"))["说明"]["steps"]}
    assert steps["每人补助"]["value"] == {"张三": "120.00", "李四": "100.00"}
    assert steps["明细加一"]["value"] == ["6.00"]


def test_a_text_field_must_be_text(policy: guize.Policy) -> None:
    for bad, message in ((1, "应为非空的文字，收到的是数 1"), ("  ", "应为非空的文字，收到的是空文字")):
        data = {**DATA, "成员": [{"姓名": bad, "月收入": 1, "年龄": "1岁"}]}
        for run in (policy.evaluate, policy.interpret):
            with pytest.raises(RuleError) as caught:
                run(data, on=ON, outputs=["每人补助"])
            assert message in caught.value.message and "成员第1项的姓名" in caught.value.message


def errors(body: str) -> list[str]:
    source = HEADER + body
    checked = checker.check(parser.parse(source, "t.rule"), source)
    return [f"{d.code} {d.message} {d.hint or ''}" for d in checked.diagnostics if d.severity == "error"]


def test_the_hint_for_a_text_key_used_in_a_formula_says_it_is_the_key() -> None:
    found = errors("类型 人：\n  姓名：文本，主键\n  收入：金额\n输入 各人：人的列表\n"
                   "输出 张三的：金额 = 合计(各人 中 姓名 = 张三 的 收入)\n")
    assert any(e.startswith("E359 ") and "「姓名」已是主键" in e for e in found), found


def test_a_field_read_outside_its_list_says_how_to_read_it() -> None:
    found = errors("类型 人：\n  姓名：文本，主键\n  收入：金额\n输入 各人：人的列表\n输出 x：金额 = 收入\n")
    assert len(found) == 1 and found[0].startswith("E300 未定义的名称「收入」：它是「人」的字段，只能按「各人」的各项读取"), found
    assert "合计(各人 的 收入)" in found[0]


def test_a_text_field_is_not_computed_with() -> None:
    found = errors("类型 人：\n  姓名：文本\n  收入：金额\n输入 各人：人的列表\n"
                   "输出 张三的：金额 = 合计(各人 中 姓名 = 张三 的 收入)\n")
    assert any(e.startswith("E359 「姓名」是文本字段，只用来标识各项（如作主键），不能参与计算") for e in found), found


def test_an_example_gives_a_text_field_as_a_word(tmp_path: Path) -> None:
    p = tmp_path / "ex.rule"
    p.write_text(POLICY.replace("\n输入 各月：", "\n输入 各月：") + """
例 两人：
  日期：2024年6月1日
  成员：
    姓名 = 张三，月收入 = 1200元，年龄 = 45岁
    姓名 = 李四，月收入 = 0元，年龄 = 10岁
  各月 = 空列表
  各子女 = 空列表
  各级 = 空列表
  明细 = 空列表
  期望 每人补助 = 120元、100元
  期望 补助合计 = 220元
""", encoding="utf-8")
    from guize.tools import testing

    report = testing.run([str(p)])
    assert report.failed == 0 and report.passed == 1, [(o.name, o.message) for o in report.outcomes]


def test_batch_finds_repeated_keys_as_converted(tmp_path: Path) -> None:
    """A repeated key is found on the converted values: 2019-07 and 2019年7月 are one month, and a
    key left to its default is every item's; each such row gets the scalar path's error."""
    p = tmp_path / "k.rule"
    p.write_text(HEADER + """
类型 月度数据：
  月份：年月，主键
  序号：整数，默认 1
  收入：金额
类型 编号数据：
  序号：整数，主键，默认 1
  收入：金额

输入 各月：月度数据的列表
输入 各项：编号数据的列表
输出 各月一半：金额，按 各月 逐月 = 收入 × 50%
输出 各项一半：金额，按 各项 逐项 = 收入 × 50%
""", encoding="utf-8")
    policy = guize.load(p, corpus=False)
    text = pa.struct([("月份", pa.string()), ("收入", pa.decimal128(18, 2))])
    plain = pa.struct([("收入", pa.decimal128(18, 2))])
    months = [[{"月份": "2019-07", "收入": Decimal(2)}, {"月份": "2019年7月", "收入": Decimal(4)}],
              [{"月份": "2019-07", "收入": Decimal(2)}, {"月份": "2019年8月", "收入": Decimal(4)}],
              [{"月份": "2019-07", "收入": Decimal(2)}]]
    items = [[{"收入": Decimal(1)}], [{"收入": Decimal(1)}], [{"收入": Decimal(1)}, {"收入": Decimal(3)}]]
    out = policy.evaluate_batch(pa.table({"各月": pa.array(months, type=pa.list_(text)),
                                          "各项": pa.array(items, type=pa.list_(plain))}), on=ON)
    got = out.to_pylist()
    for m, i, g in zip(months, items, got, strict=True):
        data = {"各月": m, "各项": i}
        try:
            want = policy.evaluate(data, on=ON)
        except RuleError as exc:
            assert g["错误"] == exc.message and "是主键，各项应互不相同" in exc.message
            continue
        assert g["错误"] is None and tuple(x for _k, x in g["各月一半"]) == want["各月一半"]
        assert dict(g["各项一半"]) == want["各项一半"].by_key()
    assert [g["错误"] is None for g in got] == [False, True, False]


def test_batch_checks_year_months_given_as_dates(tmp_path: Path) -> None:
    """A 年月 given as an Arrow date must be a month's first day (checked by columns): another
    day is the scalar path's error, a null is a missing field."""
    p = tmp_path / "m.rule"
    p.write_text(HEADER + "类型 月度数据：\n  月份：年月\n  收入：金额\n输入 各月：月度数据的列表\n"
                 "输出 各月一半：金额，按 各月 逐月 = 收入 × 50%\n", encoding="utf-8")
    policy = guize.load(p, corpus=False)
    rows = [[{"月份": dt.date(2019, 7, 1), "收入": Decimal(2)}], [{"月份": dt.date(2019, 7, 2), "收入": Decimal(2)}],
            [{"月份": None, "收入": Decimal(2)}]]
    out = policy.evaluate_batch(pa.table({"各月": pa.array(rows, type=pa.list_(MONTH))}), on=ON)
    got = out.to_pylist()
    assert got[0] == {"各月一半": [Decimal("1.00")], "错误": None}
    for r, g in zip(rows[1:], got[1:], strict=True):
        with pytest.raises(RuleError) as caught:
            policy.evaluate({"各月": [{k: v for k, v in r[0].items() if v is not None}]}, on=ON)
        assert g["错误"] == caught.value.message
    assert "应为年月" in got[1]["错误"]


def test_a_per_item_output_cannot_be_given() -> None:
    """可作输入 on a definition computed for each item is E360: a number given for it was taken as
    every item's value, and an aggregate over it raised TypeError (scalar and batch alike)."""
    body = POLICY[len(HEADER):].replace("输出 每人补助：金额，按 成员", "输出 每人补助：金额，可作输入，按 成员")
    found = errors(body)
    assert len(found) == 1 and found[0].startswith("E360 按列表逐项计算的「每人补助」"), found
    assert errors(POLICY[len(HEADER):]) == []


def test_a_text_value_in_quotes_in_an_example(tmp_path: Path) -> None:
    """An ID number or a name with a bracket or a space is written in 「」 in an example (it was
    E340, or E014 for 65010220141201123X); fmt keeps it quoted, in 「」."""
    from guize.tools.fmt import format_source

    source = HEADER + (
        "类型 人员：\n  身份证号：文本，主键\n  年龄：年龄\n输入 各人：人员的列表\n"
        "输出 每人：是否，按 各人 逐人 = 年龄 ≥ 60岁\n\n"
        "例 两人：\n  日期：2024年6月1日\n  各人：\n"
        "    身份证号 = 「65010220141201123X」，年龄 = 9岁\n"
        "    身份证号 = “张三（女） 二宝”，年龄 = 70岁\n"
        "  期望 每人 = 否、是\n")
    p = tmp_path / "q.rule"
    p.write_text(source, encoding="utf-8")
    policy = guize.load(p, corpus=False)
    got = policy.evaluate(policy.examples[0]["inputs"], on=ON)["每人"]
    assert got.by_key() == {"65010220141201123X": False, "张三（女） 二宝": True}
    formatted = format_source(source, "q.rule")
    assert "「65010220141201123X」" in formatted and "「张三（女） 二宝」" in formatted
    assert format_source(formatted, "q.rule") == formatted
    found = errors("类型 人：\n  证号：文本\n输入 各人：人的列表\n输出 n：整数（人） = 人数(各人)\n"
                   "例 一：\n  日期：2024年6月1日\n  各人：\n    证号 = 650102\n  期望 n = 1人\n")
    assert any("「65010220141201123X」" in e for e in found), found


def test_the_list_of_types_names_every_type_word() -> None:
    """E232 without a near name lists the types, the time and text types included (they were missing)."""
    found = errors("输入 x：乾坤\n输出 y：整数 = 1\n")
    assert len(found) == 1 and found[0].startswith("E232 不认识的类型「乾坤」"), found
    for word in ("年龄", "期间", "年月", "文本", "百分点"):
        assert word in found[0], (word, found)


@pytest.mark.parametrize("strings", [pa.string(), pa.large_string(), pa.dictionary(pa.int32(), pa.string()),
                                     pa.dictionary(pa.int8(), pa.large_string()),
                                     *([pa.string_view()] if hasattr(pa, "string_view") else [])], ids=str)
def test_blanks_around_a_text_key_in_any_string_column(policy: guize.Policy, strings: Any) -> None:
    """A text key in a dictionary-encoded column is trimmed too: " 王" and "王\\u3000" are one key
    (the dictionary's indices told them apart), a zero-width space is part of a name; every row
    has the scalar path's error or values. Records with string_view fields (polars) are read, not
    a traceback (array_take has no kernel for views)."""
    member = pa.struct([("姓名", strings), ("月收入", pa.decimal128(18, 2)), ("年龄", pa.int64())])
    rows = [[{"姓名": " 王", "月收入": Decimal(1), "年龄": 1}, {"姓名": "王\u3000", "月收入": Decimal(2), "年龄": 2}],
            [{"姓名": "\t王", "月收入": Decimal(1), "年龄": 1}, {"姓名": "王\u200b", "月收入": Decimal(2), "年龄": 2}],
            [{"姓名": "\u00a0\n", "月收入": Decimal(1), "年龄": 1}]]
    t = pa.table({"成员": pa.array(rows, type=pa.list_(member)),
                  **{k: pa.array([[]] * 3, type=pa.list_(v)) for k, v in
                     (("各月", MONTH), ("各子女", CHILD), ("各级", GRADE), ("明细", PLAIN))}})
    got = policy.evaluate_batch(t, on=ON, outputs=["每人补助"]).to_pylist()
    rest = {"各月": [], "各子女": [], "各级": [], "明细": []}
    for r, g in zip(rows, got, strict=True):
        try:
            want = policy.evaluate({"成员": r, **rest}, on=ON, outputs=["每人补助"])
        except RuleError as exc:
            assert g["错误"] == exc.message
            continue
        assert g["错误"] is None and dict(g["每人补助"]) == want["每人补助"].by_key()
    assert [g["错误"] is None for g in got] == [False, True, False]


RUNNING = HEADER + """
类型 月度数据：
  月份：年月，主键，默认 2019年1月
  收入：金额，可为负
类型 人员：
  姓名：文本，主键
  收入：金额

输入 各月：月度数据的列表
输入 各人：人员的列表
输出 至今：金额，按 各月 逐月 = 累计(收入)
输出 此前：金额，按 各月 逐月 = 累计(收入，至 上月)
输出 每人：金额，按 各人 逐项 = 收入 × 2
"""

_BLANKS = ["", " ", "\u3000", "\u00a0", "\t", "\n", "\u200b"]  # (a zero-width space is not a blank)
month_items = st.lists(st.fixed_dictionaries(
    {"收入": st.decimals(-99, 99, places=2)},
    optional={"月份": st.builds(lambda m, how: (f"2019-{m:02d}", f"2019年{m}月", f"2019-{m}")[how],
                                st.sampled_from([1, 2, 7, 12]), st.integers(0, 2))}), max_size=4)
person_items = st.lists(st.fixed_dictionaries(
    {"姓名": st.builds(lambda a, n, b: a + n + b, st.sampled_from(_BLANKS), st.sampled_from(["", "王", "张三"]),
                       st.sampled_from(_BLANKS)),
     "收入": st.decimals(0, 99, places=2)}), max_size=3)


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(month_items, person_items), min_size=1, max_size=5),
       strings=st.sampled_from(["string", "large_string", "dictionary"]))
def test_running_sums_and_text_keys_agree_in_every_engine(running_policy: guize.Policy,
                                                          rows: list[tuple[list[Any], list[Any]]], strings: str) -> None:
    """Months in mixed spellings, left to the default, repeated and out of order together; names
    with blanks around them or only blanks: compiled, reference and batch give the same values
    or the same error (which of two faults is reported included), whatever the string column."""
    text = pa.dictionary(pa.int32(), pa.string()) if strings == "dictionary" else getattr(pa, strings)()
    month = pa.struct([("月份", text), ("收入", pa.decimal128(18, 2))])
    person = pa.struct([("姓名", text), ("收入", pa.decimal128(18, 2))])
    t = pa.table({"各月": pa.array([m for m, _p in rows], type=pa.list_(month)),
                  "各人": pa.array([p for _m, p in rows], type=pa.list_(person))})
    got = running_policy.evaluate_batch(t, on=ON).to_pylist()
    for (m, p), g in zip(rows, got, strict=True):
        data = {"各月": m, "各人": p}
        try:
            want = running_policy.evaluate(data, on=ON)
        except RuleError as exc:
            with pytest.raises(RuleError) as again:
                running_policy.interpret(data, on=ON)
            assert again.value.message == exc.message == g["错误"]
            continue
        assert want == running_policy.interpret(data, on=ON)
        assert g["错误"] is None
        for name in ("至今", "此前", "每人"):
            assert dict(g[name]) == want[name].by_key()


@pytest.fixture(scope="module")
def running_policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    p = tmp_path_factory.mktemp("running") / "r.rule"
    p.write_text(RUNNING, encoding="utf-8")
    return guize.load(p, corpus=False)


def test_a_list_given_as_text_in_one_row_spoils_no_other_row(policy: guize.Policy, path: Path, tmp_path: Path) -> None:
    """A list input that is text (or a number) in some rows and lists in others: each row gets
    the scalar path's values or error, from a list of objects and from guize run on JSON Lines
    (a --keep of that column is written as JSON text); every row used to be told it is no list."""
    other = {**DATA, "成员": "张三、李四"}
    rows = [DATA, other, {**DATA, "成员": [{"姓名": "王", "月收入": 1000, "年龄": "30岁"}]}]
    got = policy.evaluate_batch(rows, on=ON, outputs=["每人补助", "补助合计"]).to_pylist()
    for data, g in zip(rows, got, strict=True):
        try:
            want = policy.evaluate(data, on=ON, outputs=["每人补助", "补助合计"])
        except RuleError as exc:
            assert g["错误"] == exc.message and "应为列表" in exc.message
            continue
        assert g["错误"] is None and dict(g["每人补助"]) == want["每人补助"].by_key()
        assert g["补助合计"] == want["补助合计"]
    assert [g["错误"] is None for g in got] == [True, False, True]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.parquet"
    r = CliRunner().invoke(main, ["run", str(path), "--date", "2024-06-01", "--input", str(src), "--output", str(out),
                                  "--keep", "成员", "--only", "每人补助"])
    assert r.exit_code == 1, r.output  # the row in error is listed
    import pyarrow.parquet as pq

    written = pq.read_table(out).to_pylist()
    assert [w["每人补助"] for w in written] == [g["每人补助"] for g in got]
    assert written[1]["成员"] == "张三、李四" and json.loads(written[2]["成员"])[0]["姓名"] == "王"
