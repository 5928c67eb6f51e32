"""evaluate_batch(decimal64=True): decimal64 results equal decimal128 results and the scalar path
on every corpus policy, row errors included; values that do not fit are their rows' errors."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from click.testing import CliRunner  # noqa: E402

import guize  # noqa: E402
from guize.cli import main  # noqa: E402
from guize.runtime.errors import RuleError  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import corpus_bench as CB  # noqa: E402

_LOADED: dict[str, guize.Policy] = {}


def load(path: str | Path) -> guize.Policy:
    key = str(path)
    if key not in _LOADED:
        _LOADED[key] = guize.load(path)
    return _LOADED[key]


def spoil(table: Any) -> Any:
    """Some rows made wrong: a number input negative (InvalidInput) every 11th row."""
    for i, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type) or pa.types.is_integer(field.type):
            values = table.column(i).to_pylist()
            for j in range(0, len(values), 11):
                values[j] = -values[j] - 1
            return table.set_column(i, field.name, pa.array(values, type=field.type))
    return table


def check_rows(policy: guize.Policy, table: Any, on: Any, outputs: list[str] | None, result: Any) -> None:
    """Every row of `result` equals Policy.evaluate on that row (value or error message)."""
    inputs = {i.name for i in policy.inputs}
    names = result.schema.names[:-1]
    for i, (row, got) in enumerate(zip(table.to_pylist(), result.to_pylist(), strict=True)):
        data = {k: v for k, v in row.items() if v is not None and k in inputs}
        try:
            want = policy.evaluate(data, row[on] if isinstance(on, str) else on, outputs)
        except RuleError as exc:
            assert got["错误"] == exc.message, (i, got)
            assert all(got[k] is None for k in names)
            continue
        assert got["错误"] is None, (i, got)
        for k in names:
            expected = list(want[k]) if isinstance(want[k], tuple) else want[k]  # a per-item output
            assert got[k] == expected, (i, k, got[k], want[k])


@pytest.mark.parametrize("case", CB.CASES, ids=lambda c: c.name)
def test_decimal64_equals_decimal128_and_the_scalar_path_on_the_corpus(case: CB.Case) -> None:
    policy = load(ROOT / case.path)
    n = 240
    cols = case.make(n, 11)
    days = CB.draw_days(case, n, 11)
    days[5::13] = CB.C.day(case.window[0]) - 400  # some rows before the document is in force
    for everything in (False, True) if case.all_ok else (False,):
        ask = None if everything else list(case.chosen)
        for per_row in (False, True):
            on: Any = "日期" if per_row else case.fixed
            wide = spoil(CB.arrow_table(case, cols, days if per_row else None))
            narrow = spoil(CB.arrow_table(case, cols, days if per_row else None, d64=True))
            want = policy.evaluate_batch(wide, on, outputs=ask)
            for table in (wide, narrow):
                got = policy.evaluate_batch(table, on, outputs=ask, decimal64=True)
                assert got.to_pylist() == want.to_pylist(), case.name
                if per_row or any(pa.types.is_decimal(f.type) or pa.types.is_integer(f.type) for f in table.schema):
                    assert got.column("错误").null_count < n  # the spoiled rows (or dates) are errors
                for field in list(got.schema)[:-1]:
                    assert not pa.types.is_decimal128(field.type), field
                    if pa.types.is_decimal(field.type):
                        assert field.type == pa.decimal64(18, field.type.scale)
            check_rows(policy, narrow, on, ask, got)


BIG = """\
文件：
  标题：《decimal64 测试》
  施行日期：2024年1月1日

输入 金额甲：金额
输入 人数：整数

输出 放大：金额，四舍五入到分 = 金额甲 × 1000
输出 人次：整数 = 人数 × 人数 × 人数 × 人数 × 人数
输出 费率：比率 = 若 人数 超过 10 则 0.125 否则 0.5
"""

LOOSE = """\
文件：
  标题：《未舍入》
  施行日期：2024年1月1日

输入 费率：比率

输出 原样：比率 = 费率 × 2
输出 商：比率 = 费率 ÷ 3
输出 取整：金额，四舍五入到分 = 费率 × 100元
"""

ON = dt.date(2025, 1, 1)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("d64") / "big.rule"
    path.write_text(BIG, encoding="utf-8")
    return guize.load(path)


def test_values_beyond_decimal64_or_int64_are_their_rows_errors(big: guize.Policy) -> None:
    # 10**14 元 × 1000 = 10**17 元: 20 digits at the cent, beyond decimal64's 18; 9000**5 is
    # beyond int64 (the columnar code flags it, the scalar path computes it exactly).
    # 2 × 10**13 元 × 1000 fits int64 at the cent but not decimal64: the columnar value is refused.
    table = pa.table({"金额甲": pa.array([Decimal("1.50"), Decimal(10**14), Decimal("2"), Decimal("3"),
                                         Decimal(2 * 10**13)], type=pa.decimal128(18, 2)),
                      "人数": pa.array([3, 2, 9000, 11, 1], type=pa.int64())})
    got = big.evaluate_batch(table, ON, decimal64=True)
    assert got.schema.field("放大").type == pa.decimal64(18, 2)
    assert got.schema.field("人次").type == pa.int64()
    assert got.schema.field("费率").type == pa.decimal64(18, 3)
    rows = got.to_pylist()
    assert rows[0] == {"放大": Decimal("1500.00"), "人次": 243, "费率": Decimal("0.500"), "错误": None}
    assert rows[3] == {"放大": Decimal("3000.00"), "人次": 161051, "费率": Decimal("0.125"), "错误": None}
    assert rows[1]["放大"] is None and rows[1]["人次"] is None
    assert rows[1]["错误"] == ("输出「放大」的值 100000000000000000.00 放不进 decimal64(18, 2)（超过 18 位有效数字）："
                             "请不用 decimal64 选项（结果为 decimal128）")
    assert rows[2]["错误"] == ("输出「人次」的值 59049000000000000000 放不进 int64（超出 int64 的范围）："
                             "请不用 decimal64 选项（结果为 decimal128）")
    assert rows[4]["错误"] == ("输出「放大」的值 20000000000000000.00 放不进 decimal64(18, 2)（超过 18 位有效数字）："
                             "请不用 decimal64 选项（结果为 decimal128）")
    assert big.evaluate_batch(table, ON).schema.metadata[b"guize"].count(b'"rows_scalar": 2') == 1  # rows 2 and 3
    # decimal128 holds both, as the scalar path gives them
    wide = big.evaluate_batch(table, ON).to_pylist()
    assert wide[1]["放大"] == big.evaluate({"金额甲": Decimal(10**14), "人数": 2}, ON)["放大"] == Decimal(10**17)
    assert wide[2]["人次"] == 9000**5
    with pytest.raises(RuleError, match="第 2 行：输出「放大」"):
        big.evaluate_batch(table, ON, strict=True, decimal64=True)


def test_the_schema_is_the_policys_whatever_the_data(big: guize.Policy) -> None:
    empty = pa.table({"金额甲": pa.array([], type=pa.decimal128(18, 4)), "人数": pa.array([], type=pa.int64())})
    bad = pa.table({"金额甲": pa.array(["x"]), "人数": pa.array([1])})  # every row an error
    finer = pa.table({"金额甲": pa.array([Decimal("1.2345")], type=pa.decimal64(18, 4)), "人数": pa.array([1])})
    schemas = {str(big.evaluate_batch(t, ON, decimal64=True).schema.remove_metadata()) for t in (empty, bad, finer)}
    assert len(schemas) == 1
    assert big.evaluate_batch(finer, ON, decimal64=True).column("放大").to_pylist() == [Decimal("1234.50")]


def test_outputs_whose_places_the_policy_does_not_fix_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "loose.rule"
    path.write_text(LOOSE, encoding="utf-8")
    policy = guize.load(path)
    table = pa.table({"费率": pa.array([Decimal("0.0125")], type=pa.decimal64(18, 4))})
    with pytest.raises(RuleError, match="输出「原样」、「商」的小数位数不由规则确定"):
        policy.evaluate_batch(table, ON, decimal64=True)
    got = policy.evaluate_batch(table, ON, outputs=["取整"], decimal64=True)
    assert got.column("取整").to_pylist() == [Decimal("1.25")]


def test_an_old_pyarrow_without_decimal64_is_a_clear_error(big: guize.Policy, monkeypatch: pytest.MonkeyPatch) -> None:
    from guize.runtime import batchout

    class Old:
        __version__ = "17.0.0"

    with pytest.raises(RuleError, match=re.escape("decimal64 结果需要 pyarrow 19 或更新的版本（当前 17.0.0 没有 decimal64 或对它支持不全）")):
        batchout.require_decimal64(Old())

    class Early:  # a decimal64 type, but no cast of it to text yet (as early versions)
        __version__ = "19.0.0"
        ArrowNotImplementedError = pa.ArrowNotImplementedError
        ArrowInvalid = pa.ArrowInvalid
        decimal64 = staticmethod(pa.decimal64)
        decimal128 = staticmethod(pa.decimal128)
        string = staticmethod(pa.string)

        py_buffer = staticmethod(pa.py_buffer)

        class Array:  # stands for pa.Array
            @staticmethod
            def from_buffers(*args: Any) -> Any:
                return Early.Array()

            def cast(self, target: Any) -> Any:
                raise pa.ArrowNotImplementedError("Unsupported cast from decimal64 to utf8")

    monkeypatch.setattr(batchout, "_PROBED", [])
    with pytest.raises(RuleError, match=re.escape("（当前 19.0.0 没有 decimal64 或对它支持不全）")):
        batchout.require_decimal64(Early())
    batchout.require_decimal64(pa)  # this one is usable
    assert batchout._PROBED == [True]


def test_list_outputs_as_decimal64() -> None:
    case = next(c for c in CB.CASES if c.name == "iit_withholding_2019")
    policy = load(ROOT / case.path)
    table = CB.arrow_table(case, case.make(50, 3), None, d64=True)
    got = policy.evaluate_batch(table, case.fixed, decimal64=True)
    field = got.schema.field("各月预扣税额")
    assert field.type == pa.list_(pa.decimal64(18, 2))
    assert got.to_pylist() == policy.evaluate_batch(table, case.fixed).to_pylist()


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl", ".xlsx"])
def test_guize_run_writes_decimal64(big: guize.Policy, tmp_path: Path, suffix: str) -> None:
    rule = tmp_path / "big.rule"
    rule.write_text(BIG, encoding="utf-8")
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"金额甲": pa.array([Decimal("1.25"), Decimal(10**14)], type=pa.decimal64(18, 2)),
                             "人数": pa.array([2, 3])}), source)
    target = tmp_path / f"out{suffix}"
    result = CliRunner().invoke(main, ["run", str(rule), "--input", str(source), "--output", str(target),
                                       "--date", "2025-01-01", "--decimal64"])
    assert result.exit_code == 1, result.output  # one row could not be written: its error is listed
    if suffix == ".parquet":
        out = pq.read_table(target)
        assert out.schema.field("放大").type == pa.decimal64(18, 2)
        assert out.column("放大").to_pylist() == [Decimal("1250.00"), None]
    elif suffix == ".xlsx":
        import zipfile

        with zipfile.ZipFile(target) as book:
            sheet = book.read(next(n for n in book.namelist() if n.startswith("xl/worksheets/")))
        assert b">1250<" in sheet
    else:
        assert "1250.00" in target.read_text(encoding="utf-8")
    errors = (tmp_path / "out.errors.jsonl").read_text(encoding="utf-8")
    assert "放不进 decimal64(18, 2)" in errors and '"code": "E103"' in errors  # a computation error (EvaluationError)



def test_a_row_that_does_not_fit_has_no_explanation(big: guize.Policy, tmp_path: Path) -> None:
    """An error row has no explanation (docs/batch.md), a value decimal64 cannot hold included:
    evaluate_batch(explain=True) and guize run --explain leave its 「说明」 null."""
    rows = [{"金额甲": Decimal("1.25"), "人数": 2}, {"金额甲": Decimal(10**14), "人数": 3}]
    got = big.evaluate_batch(rows, ON, explain=True, decimal64=True).to_pylist()
    assert got[0]["错误"] is None and got[0]["说明"] == big.evaluate_batch(rows, ON, explain=True).to_pylist()[0]["说明"]
    assert "放不进 decimal64" in got[1]["错误"] and got[1]["说明"] is None
    rule = tmp_path / "big.rule"
    rule.write_text(BIG, encoding="utf-8")
    source = tmp_path / "in.jsonl"
    source.write_text("".join(f'{{"金额甲": {r["金额甲"]}, "人数": {r["人数"]}}}\n' for r in rows), encoding="utf-8")
    log = tmp_path / "why.jsonl"
    result = CliRunner().invoke(main, ["run", str(rule), "--input", str(source), "--output", str(tmp_path / "out.jsonl"),
                                       "--date", "2025-01-01", "--decimal64", "--explain", str(log)])
    assert result.exit_code == 1, result.output
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [line["行"] for line in lines] == [1, 2]
    assert lines[0]["说明"] == got[0]["说明"] and lines[1]["说明"] is None

def test_ipc_round_trip(big: guize.Policy) -> None:
    table = pa.table({"金额甲": pa.array([Decimal("1.25")], type=pa.decimal64(18, 2)), "人数": pa.array([2])})
    got = big.evaluate_batch(table, ON, decimal64=True)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, got.schema) as writer:
        writer.write_table(got)
    back = pa.ipc.open_stream(sink.getvalue()).read_all()
    assert back.equals(got)
    assert back.column("放大").to_pylist() == [Decimal("1250.00")]


def test_a_recomputed_rows_columnar_value_is_not_judged() -> None:
    # A row the scalar path recomputed may hold anything in the columnar array (here beyond
    # decimal64): only its recomputed value counts; a row in error counts not at all.
    from guize.runtime import batchout
    from guize.runtime.batchops import Num

    class Plan:
        def __init__(self) -> None:
            self.np, self.pa = np, pa
            self.kinds = {"x": "money"}
            self.places = {"x": 2}

    v = np.array([150, 10**18 + 7, 10**18 + 9, 10**18 + 11], dtype=np.int64)
    valid = np.array([True, True, False, True])
    misfits: dict[int, RuleError] = {}
    col = batchout.fixed_column(Plan(), "x", Num(v, 2, 0, 10**18 + 11), 4, {1: Decimal("2.5")}, valid, None, None, 2,
                                misfits)
    assert col.type == pa.decimal64(18, 2)
    assert col.to_pylist()[:2] == [Decimal("1.50"), Decimal("2.50")]
    assert list(misfits) == [3]  # not 1 (recomputed), not 2 (an error)
    assert "输出「x」的值 10000000000000000.11 放不进 decimal64(18, 2)" in misfits[3].message


def test_keyed_outputs_as_decimal64(tmp_path: Path) -> None:
    # A per-item output of a list with a 主键 is a map column: its values decimal64 too.
    from test_lists_keys import CHILD, GRADE, MEMBER, MONTH, PLAIN, POLICY

    path = tmp_path / "keys.rule"
    path.write_text(POLICY, encoding="utf-8")
    policy = guize.load(path, corpus=False)
    t = pa.table({
        "成员": pa.array([[{"姓名": "张三", "月收入": Decimal(1200), "年龄": 540}],
                          [{"姓名": "甲", "月收入": Decimal(1), "年龄": 1}] * 2, []], type=pa.list_(MEMBER)),
        "各月": pa.array([[{"月份": dt.date(2024, 1, 1), "收入": Decimal(10)}], [], []], type=pa.list_(MONTH)),
        "各子女": pa.array([[{"序号": 7, "级别": "一级"}], [], []], type=pa.list_(CHILD)),
        "各级": pa.array([[{"级别": " 二级 ", "人数": 1}], [], []], type=pa.list_(GRADE)),
        "明细": pa.array([[{"收入": Decimal(1)}], [], []], type=pa.list_(PLAIN))})
    wide = policy.evaluate_batch(t, on=dt.date(2024, 6, 1))
    narrow = policy.evaluate_batch(t, on=dt.date(2024, 6, 1), decimal64=True)
    assert narrow.to_pylist() == wide.to_pylist()
    assert narrow.schema.field("每人补助").type == pa.map_(pa.string(), pa.decimal64(18, 2))


GIVEN = """\
文件：
  标题：《可作输入》
  施行日期：2024年1月1日

输入 金额甲：金额

定义 基数：金额，可作输入 = 金额甲 × 2
输出 结果：金额，四舍五入到分 = 基数 × 100
输出 次数：整数 = 3
"""


def test_outputs_computed_row_by_row_as_decimal64(tmp_path: Path) -> None:
    # 基数 given as a column: 结果 is computed row by row, its column built from the rows' values.
    path = tmp_path / "given.rule"
    path.write_text(GIVEN, encoding="utf-8")
    policy = guize.load(path)
    table = pa.table({"金额甲": pa.array([Decimal("1.00"), Decimal("2.00"), Decimal("3.00")]),
                      "基数": pa.array([None, Decimal("10.001"), Decimal(9 * 10**14)])})
    got = policy.evaluate_batch(table, ON, decimal64=True)
    assert got.schema.field("结果").type == pa.decimal64(18, 2) and got.schema.field("次数").type == pa.int64()
    assert got.column("结果").to_pylist() == [Decimal("200.00"), Decimal("1000.10"), None]
    assert got.column("错误").to_pylist()[2].startswith("输出「结果」的值 90000000000000000.00 放不进 decimal64(18, 2)")
    assert b'"rows_scalar": 3' in got.schema.metadata[b"guize"]
