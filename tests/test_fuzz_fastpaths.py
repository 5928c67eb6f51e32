"""A fast, seeded differential slice over three fast paths: lists recorded into a batch kernel
(runtime/batchlists.py, kernel.py, batchratio.py), calendar steps and whole-number division
written out in the generated scalar code (compiler/inline_calls.py), and a large policy's
out_all as out_subset with every flag (codegen.SHARED_ABOVE).

Each record is evaluated by the compiled scalar code and the reference interpreter (the same
value or the same Chinese error), and each batch row is that answer. The data mixes valid
records with the hostile cases: empty and null lists, null items, invalid fields no asked output
reads, zero divisors under a guard that excludes them and under ones that do not (且, 或, 非,
若), negative and out-of-range numbers, sliced and multi-chunk tables, a date per row; dates at
the calendar's two ends, month ends and leap days, given as dates, datetimes, date subclasses
and odd texts. The longer runs behind it (tens of thousands of records) are described in the
report of the fuzz7 branch; this slice keeps a few hundred per engine so it runs in seconds.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import guize
from guize.compiler import codegen
from guize.runtime.errors import RuleError

pa = pytest.importorskip("pyarrow")

ON = dt.date(2024, 6, 1)

LISTS = """\
文件：
  标题：《列表模糊》
  施行日期：2020年1月1日

类型 人：
  收入：金额
  年龄：年龄
  在校：是否，默认 否
  入职：日期，默认 2000年1月1日
  份：整数，可为负，默认 1

输入 人们：人的列表
输入 标准：金额/人

定义 总收入：金额 = 合计(人们 的 收入)
输出 人口：整数（人） = 人数(人们)
定义 人均：金额/人 = 总收入 ÷ 人口
输出 守卫：是否 = 人口 > 0人 且 人均 < 标准
输出 无守卫：是否 = 人均 < 标准
输出 弱守卫：是否 = 人口 ≥ 0人 且 人均 < 标准
输出 或守卫：是否 = 人口 = 0人 或 人均 < 标准
输出 非守卫：是否 = 非 (人口 = 0人) 且 人均 < 标准
输出 若守卫：金额
  若 人口 > 0人 且 人均 < 标准 则 (标准 - 人均) × 人口
  否则 0元
输出 若反守卫：金额
  若 人口 = 0人 则 0元
  否则 (标准 - 人均) × 人口
输出 最年长：年龄 = 最大(人们 的 年龄)
输出 在校数：整数（人） = 人数(人们 中 在校)
输出 份合计：整数 = 合计(人们 的 份)
输出 最早入职：日期 = 最小(人们 中 收入 > 0元 的 入职)
输出 个人补：是否，按 人们 逐人 = 守卫 且 (年龄 < 18岁 或 在校)
输出 补人数：整数（人） = 人数(人们 中 个人补)
"""

CALENDAR = """\
文件：
  标题：《日历模糊》
  施行日期：0001年1月1日

输入 甲日：日期
输入 乙日：日期
输入 天数：整数，可为负
输入 m：整数，可为负
输入 n：整数，可为负
输出 加一：日期 = 甲日 + 1天
输出 减一：日期 = 甲日 - 1天
输出 加四百：日期 = 甲日 + 400天
输出 减很多：日期 = 甲日 - 2999999天
输出 连加：日期 = (甲日 + 1天) + 1天
输出 间隔：期间 = 乙日 - 甲日
输出 间隔加：期间 = 乙日 - 甲日 + 1个月
输出 式间隔：期间 = (乙日 + 1天) - (甲日 - 1天)
输出 年加：整数 = 年份(甲日 + 1天) + 月份(乙日) + 日(甲日 - 1天)
输出 年月差：期间 = 年月(乙日) - 年月(甲日)
输出 懒除：整数
  若 m > 0 则 向下取整(n ÷ m)
  否则 0
输出 懒除二：整数
  若 m = 0 则 0
  否则 向上取整(n ÷ m)
输出 懒日：日期
  若 甲日 < 乙日 则 乙日 + 1天
  否则 甲日 - 1天
输出 懒日二：日期
  若 天数 > 0 则 甲日 + 1天
  否则 乙日 - 1天
输出 两式：整数 = 向上取整((m + 1) ÷ (n - 1))
输出 常除：整数 = 向下取整(m ÷ 7) + 向上取整(n ÷ (0 - 3))
输出 封顶：整数
  若 m × 2 > n + 1 则 n + 1
  否则 m × 2
"""


def load(tmp: Path, name: str, text: str) -> guize.Policy:
    path = tmp / f"{name}.rule"
    path.write_text(text, encoding="utf-8")
    return guize.load(path, corpus=False, cache=False)


@pytest.fixture(scope="module")
def lists(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    return load(tmp_path_factory.mktemp("fuzz"), "lists", LISTS)


def outcome(run: Any, data: dict[str, Any], on: Any, outputs: list[str] | None) -> Any:
    try:
        return run(data, on, outputs)
    except RuleError as exc:
        return exc.message


def scalar_and_interpreter(policy: guize.Policy, data: dict[str, Any], on: Any, outputs: list[str] | None) -> Any:
    first, second = outcome(policy.evaluate, data, on, outputs), outcome(policy.interpret, data, on, outputs)
    assert first == second, (data, on, outputs)
    return first


# ---------------------------------------------------------------- lists in the kernel

MEMBER = pa.struct([("收入", pa.decimal128(18, 2)), ("年龄", pa.int64()), ("在校", pa.bool_()),
                    ("入职", pa.date32()), ("份", pa.int64())])


def household(r: random.Random, dirt: float) -> dict[str, Any]:
    def maybe(value: Any, hostile: list[Any]) -> Any:
        return r.choice(hostile) if r.random() < dirt else value

    members: list[Any] | None
    if r.random() < 0.15:
        members = []
    elif r.random() < dirt:
        members = None  # the list itself missing
    else:
        members = []
        for _ in range(r.choice([1, 1, 2, 3, 9])):
            if r.random() < dirt / 5:
                members.append(None)  # a null item
                continue
            money = Decimal(r.choice([0, 0, r.randint(0, 200_000)])).scaleb(-2)
            members.append({
                "收入": maybe(money, [None, Decimal("-0.01"), Decimal(10**16 - 1).scaleb(-2)]),
                "年龄": maybe(r.randint(0, 1300), [None, -1, 2**63 - 1, -(2**63), 10**18]),
                "在校": maybe(r.random() < 0.3, [None]),
                "入职": maybe(dt.date(1, 1, 1) + dt.timedelta(days=r.randint(0, 3_652_058)), [None]),
                "份": maybe(r.randint(-5, 1300), [None, 2**62, 10**18, -(2**63)])})
    standard = maybe(Decimal(r.randint(0, 120_000)).scaleb(-2), [None, Decimal("-1.00"), Decimal(0)])
    return {"人们": members, "标准": standard}


def as_scalar(record: dict[str, Any]) -> dict[str, Any]:
    """The record as the scalar path takes it: a null is a value not given."""
    data = {k: v for k, v in record.items() if v is not None}
    if data.get("人们") is not None:
        data["人们"] = [m if m is None else {k: v for k, v in m.items() if v is not None} for m in data["人们"]]
    return data


@pytest.mark.parametrize("seed", range(4))
def test_lists_in_the_kernel_agree_row_by_row(lists: guize.Policy, seed: int) -> None:
    r = random.Random(seed)
    names = [o.name for o in lists.outputs]
    for _ in range(3):
        rows = [household(r, r.choice([0.0, 0.02, 0.2])) for _ in range(r.choice([40, 150]))]
        dates = [r.choice([ON, dt.date(2019, 12, 31), dt.date(2020, 1, 1)]) for _ in rows]
        table = pa.table({"人们": pa.array([x["人们"] for x in rows], type=pa.list_(MEMBER)),
                          "标准": pa.array([x["标准"] for x in rows], type=pa.decimal128(18, 2)),
                          "日期": pa.array(dates, type=pa.date32())})
        if (skip := r.choice([0, 3])):  # a list whose first offset is not 0
            table, rows, dates = table.slice(skip), rows[skip:], dates[skip:]
        if r.random() < 0.5:  # a table in two chunks
            k = r.randrange(1, len(rows) - 1)
            table = pa.concat_tables([table.slice(0, k), table.slice(k)])
        per_row = r.random() < 0.3
        asked = r.choice([None, [r.choice(names)], r.sample(names, 3)])
        result = lists.batch.evaluate(table, "日期" if per_row else ON, asked, chunk_rows=r.choice([7, 64, 1000]),
                                      block_rows=r.choice([0, 4, 16])).to_pylist()
        for record, on, got in zip(rows, dates, result, strict=True):
            want = scalar_and_interpreter(lists, as_scalar(record), on if per_row else ON, asked)
            if isinstance(want, str):
                assert got["错误"] == want, (record, asked)
            else:
                assert got["错误"] is None, (record, asked, got["错误"])
                assert {k: tuple(got[k]) if isinstance(got[k], list) else got[k] for k in want} == want, record


# ---------------------------------------------------------------- calendar and division inline


class Day(dt.date):
    """A date subclass given as an input."""


def some_date(r: random.Random) -> dt.date:
    k = r.random()
    if k < 0.15:
        return dt.date.min + dt.timedelta(days=r.randint(0, 40))
    if k < 0.3:
        return dt.date.max - dt.timedelta(days=r.randint(0, 500))
    if k < 0.45:  # a month's last days
        y, m = r.choice([2000, 2023, 2024, 1900, 2100, 4, 9996]), r.randint(1, 12)
        return dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=r.choice([1, 2, 3]))
    if k < 0.5:
        return dt.date(r.choice([2000, 2024, 1996, 4]), 2, 29)
    return dt.date(1, 1, 1) + dt.timedelta(days=r.randint(0, 3_652_058))


def as_given(r: random.Random, d: dt.date) -> Any:
    return r.choice([d, d, d, d.isoformat(), f"{d.year}-{d.month}-{d.day}", " " + d.isoformat(), d.isoformat() + " ",
                     d.isoformat() + "T00:00", dt.datetime(d.year, d.month, d.day, 5), Day(d.year, d.month, d.day),
                     f"{d.year}年{d.month}月{d.day}日", "2024-02-30"])


def some_int(r: random.Random) -> Any:
    limit = 10**15
    return r.choice([0, 0, 1, -1, 2, -2, limit - 1, -limit + 1, limit, 2**63, True, Decimal(r.randint(-50, 50)),
                     Decimal("2.5"), str(r.randint(-9, 9)), r.randint(-1000, 1000), r.randint(-1000, 1000)])


def calendar_record(r: random.Random) -> dict[str, Any]:
    record = {"甲日": some_date(r), "乙日": some_date(r), "天数": some_int(r), "m": some_int(r), "n": some_int(r)}
    return {k: v for k, v in record.items() if r.random() > 0.03}


@pytest.mark.parametrize("shared", [False, True])
def test_calendar_and_division_written_out_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 shared: bool) -> None:
    """The scalar code against the interpreter (odd date texts, every shape of operand), the
    large-policy form of the same code too (shared), and the batch engine on the plain values."""
    if shared:
        monkeypatch.setattr(codegen, "SHARED_ABOVE", 0)
    policy = load(tmp_path, "calendar", CALENDAR)
    assert hasattr(policy.module, "_ALL_NEED") == shared
    names = [o.name for o in policy.outputs]
    r = random.Random(7 + shared)
    plain = []
    for _ in range(250):
        record = calendar_record(r)
        given = {k: as_given(r, v) if isinstance(v, dt.date) else v for k, v in record.items()}
        for asked in (None, [r.choice(names)], r.sample(names, 3)):
            scalar_and_interpreter(policy, given, ON, asked)
        if all(type(record.get(k, 0)) is int and abs(record.get(k, 0)) < 2**63 for k in ("天数", "m", "n")):
            plain.append(record)
    table = pa.table({"甲日": pa.array([x.get("甲日") for x in plain], pa.date32()),
                      "乙日": pa.array([x.get("乙日") for x in plain], pa.date32()),
                      **{k: pa.array([x.get(k) for x in plain], pa.int64()) for k in ("天数", "m", "n")}})
    for asked in (None, ["懒除", "懒除二", "封顶", "两式"], ["懒日", "减很多", "式间隔"]):
        result = policy.batch.evaluate(table, ON, asked, chunk_rows=64, block_rows=16).to_pylist()
        for record, got in zip(plain, result, strict=True):
            want = outcome(policy.evaluate, record, ON, asked)
            assert (got["错误"] if isinstance(want, str) else {k: got[k] for k in want}) == want, (record, asked)



def long_rows(count: int, share: int) -> tuple[list[Any], Any]:
    item = {"收入": Decimal(10**15 - 1).scaleb(-2), "年龄": 5, "在校": False, "入职": dt.date(2020, 1, 1), "份": share}
    rows = [[item] * count, [item], []]
    return rows, pa.table({"人们": pa.array(rows, pa.list_(MEMBER)),
                           "标准": pa.array([Decimal(1)] * len(rows), pa.decimal128(18, 2))})


def agree_long(policy: guize.Policy, rows: list[Any], result: Any, asked: list[str]) -> None:
    for members, got in zip(rows, result.to_pylist(), strict=True):
        want = outcome(policy.evaluate, {"人们": members, "标准": Decimal(1)}, ON, asked)
        assert (got["错误"] if isinstance(want, str) else
                {k: tuple(got[k]) if isinstance(got[k], list) else got[k] for k in want}) == want, (len(members), asked)


def test_a_list_sum_beyond_int64_goes_the_scalar_way(lists: guize.Policy) -> None:
    """Items each within range (below 10^15) whose row sums leave int64: the row is computed by
    the scalar path (batchlists.too_long). Its test, lengths × top > int64 computed in int64,
    itself wrapped: 9,300 items of 10^15 − 1 summed to −9146744073709560916, and a guard
    reading that sum took the wrong branch."""
    for count, share in ((9_300, 10**15 - 1), (10_000, -(10**15 - 1)), (3, 10**15 - 1)):
        rows, table = long_rows(count, share)
        for asked in (["份合计"], ["若守卫"], ["守卫"]):
            agree_long(lists, rows, lists.batch.evaluate(table, ON, asked, block_rows=2), asked)


def test_a_per_item_integer_beyond_int64_is_a_decimal(tmp_path: Path) -> None:
    """累计 of such items, a per-item integer output beyond int64 (from the scalar path): a list of
    decimal128(38, 0), as an integer output of one value per row gets (batchout.output), in one
    chunk or several (columns.unify), where pa.array(…, int64) raised OverflowError."""
    policy = load(tmp_path, "running", LISTS + "输出 累计份：整数，可为负，按 人们 逐人 = 累计(份)\n")
    rows, table = long_rows(9_300, 10**15 - 1)
    for chunk_rows in (1, 2, 1000):
        result = policy.batch.evaluate(table, ON, ["累计份"], chunk_rows=chunk_rows, block_rows=2)
        assert result.schema.field("累计份").type == pa.list_(pa.decimal128(38, 0))
        agree_long(policy, rows, result, ["累计份"])
    _rows, table = long_rows(2, 5)  # within int64: int64, as before
    assert policy.batch.evaluate(table, ON, ["累计份"]).schema.field("累计份").type == pa.list_(pa.int64())
