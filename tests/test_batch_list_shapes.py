"""A list input that Arrow cannot read as list<struct> — items whose fields mix kinds (1000 in
one item, "200" in another), only empty lists (list<null>), list<int64>, JSON text — gets, row by
row, the scalar path's answer or error: it raised KeyError (a field of no items) or
AttributeError (keying a per-item output) and lost the whole batch."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import guize
from guize.runtime.errors import RuleError

RULE = """文件：
  标题：《按户计算》
  施行日期：2024年1月1日

类型 家庭成员：
  姓名：文本，主键
  月收入：金额
  年龄：年龄
  残疾：是否，默认 否

输入 成员：家庭成员的列表
参数 保障标准 = 900元/人

定义 家庭月收入：金额 = 合计(成员 的 月收入)
输出 家庭人口：整数（人） = 人数(成员)
输出 补差：金额 = 取较大值(保障标准 × 家庭人口 - 家庭月收入，0元)
输出 重点对象：是否 = 任一(成员 中 年龄 ≥ 60岁 或 残疾)
输出 每人加发：金额，按 成员 逐人 = 若 年龄 ≥ 60岁 或 残疾 则 保障标准 × 10% × 1人 否则 0元
"""

ON = "2024-06-01"
MIXED = [{"姓名": "张三", "月收入": 1000, "年龄": "45岁"}, {"姓名": "李四", "月收入": "200", "年龄": "P70Y",
                                                          "残疾": True}]
BOOLS = [{"姓名": "甲", "月收入": 1, "年龄": "45岁", "残疾": "是"}, {"姓名": "乙", "月收入": 2, "年龄": 540, "残疾": False}]

CASES: list[tuple[str, Any]] = [
    ("mixed kinds", [{"成员": MIXED}]),
    ("mixed kinds with bools", [{"成员": BOOLS}, {"成员": MIXED}]),
    # A list input given otherwise in some rows: each such row its own error, in the scalar
    # path's words (a number was 「文字」 beside text, an object spoiled every row's list).
    ("a number, text and a list", [{"成员": 5}, {"成员": "x"}, {"成员": MIXED}]),
    ("an object beside a list", [{"成员": {"姓名": "甲"}}, {"成员": MIXED}]),
    ("numbers of three types and a bool", [{"成员": 5}, {"成员": 2.5}, {"成员": Decimal("7.25")}, {"成员": True},
                                           {"成员": BOOLS}, {"成员": None}]),
    ("only empty lists", [{"成员": []}]),
    ("empty and null lists", [{"成员": []}, {"成员": None}]),
    ("list of numbers", pa.table({"成员": pa.array([[1, 2]])})),
    ("JSON text", pa.table({"成员": pa.array(['[{"姓名": "张三", "月收入": 1, "年龄": "4岁"}]'])})),
    # Arrow gives every item the unknown field of one row (null elsewhere): only that row is wrong.
    ("an unknown field in one row", [{"成员": [{"姓名": "甲", "月收入": 1, "年龄": "4岁", "职业": "农民"}]},
                                     {"成员": [{"姓名": "乙", "月收入": 2, "年龄": "70岁"}]}]),
]


def _scalar(policy: guize.Policy, row: dict[str, Any]) -> dict[str, Any]:
    try:
        got = policy.evaluate(row, on=ON)
    except RuleError as exc:
        return {"错误": exc.message}
    return {k: (dict(v.by_key()) if hasattr(v, "by_key") else v) for k, v in got.items()} | {"错误": None}


@pytest.mark.parametrize(("label", "data"), CASES, ids=[c[0] for c in CASES])
def test_batch_equals_scalar_on_lists_arrow_cannot_type(tmp_path: Path, label: str, data: Any) -> None:
    p = tmp_path / "h.rule"
    p.write_text(RULE, encoding="utf-8")
    policy = guize.load(p, corpus=False)
    out = policy.evaluate_batch(data, on=ON).to_pylist()
    rows = data.to_pylist() if isinstance(data, pa.Table) else data
    for row, got in zip(rows, out, strict=True):
        want = _scalar(policy, {k: v for k, v in row.items() if v is not None})
        if want["错误"] is not None:
            assert got["错误"] == want["错误"], label
            continue
        keyed = got["每人加发"]
        got = {**got, "每人加发": dict(keyed) if keyed is not None else None}
        assert got == want, label


def test_run_reads_jsonl_lists_whose_fields_mix_kinds(tmp_path: Path) -> None:
    """guize run on JSON Lines: a list whose items mix kinds is read (it was turned into JSON
    text and refused, or crashed); a file of only empty lists gives each row its answer."""
    import json
    import subprocess
    import sys

    p = tmp_path / "h.rule"
    p.write_text(RULE, encoding="utf-8")
    source = tmp_path / "in.jsonl"
    given = ({"成员": MIXED}, {"成员": []}, {"成员": {"姓名": "甲"}}, {"成员": 5})
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in given) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = subprocess.run([sys.executable, "-m", "guize", "run", str(p), "--input", str(source), "--date", ON,
                           "--output", str(out)], capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 1 and "4 行，其中 2 行出错" in done.stderr and "Traceback" not in done.stderr, done.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["家庭人口"] == 2 and rows[0]["每人加发"] == {"张三": 0.0, "李四": 90.0} and rows[0]["错误"] is None
    assert rows[1]["家庭人口"] == 0 and rows[1]["每人加发"] == {} and rows[1]["错误"] is None
    # an object or a number in the column is that row's error, and no other row's
    assert rows[2]["错误"].endswith("收到的是对象") and rows[3]["错误"].endswith("收到的是数 5")


PERIOD_RULE = "文件：\n  标题：《期间》\n  施行日期：2024年1月1日\n\n输入 工龄：期间\n输出 月数：整数 = 工龄 每满 1个月\n"
PERIOD_TEXTS = ["240", "20年", " 240 ", "240.0", "+240", "1,234", "0240", "２４０", "240个月", "-5", "1e3", "",
                "240.5", "abc", "1e20", "P1Y2M"]


def test_a_period_written_as_a_whole_number_is_months_in_every_engine(tmp_path: Path) -> None:
    """A 期间 given as the text "240" (a CSV cell, a JSON string) is 240 months, as the number 240
    is: batch read it so and the scalar path refused it; now both agree on every spelling."""
    p = tmp_path / "p.rule"
    p.write_text(PERIOD_RULE, encoding="utf-8")
    policy = guize.load(p, corpus=False)
    got = policy.evaluate_batch(pa.table({"工龄": pa.array(PERIOD_TEXTS)}), on=ON).to_pylist()
    for text, row in zip(PERIOD_TEXTS, got, strict=True):
        want = _scalar(policy, {"工龄": text})
        assert {"月数": row["月数"], "错误": row["错误"]} == {"月数": want.get("月数"), "错误": want["错误"]}, text
        if want["错误"] is None:
            assert policy.interpret({"工龄": text}, on=ON) == {"月数": want["月数"]}
    assert got[0]["月数"] == 240 and got[3]["月数"] == 240 and got[15]["月数"] == 14
