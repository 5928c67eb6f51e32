"""Recorded columnar kernels: run block by block, they give what whole-chunk evaluation gives."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")

import guize  # noqa: E402
from guize.runtime import batch as B  # noqa: E402
from guize.runtime import kernel as K  # noqa: E402
from guize.runtime.batchdates import chunk_dates  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from baselines import arrow_table, make_rows  # noqa: E402

OUTPATIENT = "policies/xinjiang/outpatient_2024.rule"
OUT3 = ["起付标准", "支付比例", "统筹基金支付"]
ON = dt.date(2025, 3, 1)


def outpatient_table(n: int, seed: int = 0) -> Any:
    return arrow_table(make_rows(n, seed=seed))


def recorded(policy: Any, table: Any, on: Any = ON, outputs: Any = OUT3) -> K.Recorder:
    """The recorder of the first chunk of `table`, after the whole chunk has been recorded."""
    plan = policy.batch.plan(table.schema, on, outputs, False)
    columns = {name: B.one_column(table, name) for name in table.schema.names}
    days, versions, _bad, _outside = chunk_dates(plan, columns, table.num_rows)
    rec = K.Recorder(table.num_rows)
    plan._columnar(columns, {}, table.num_rows, days, versions, None, None, rec)
    return rec


@pytest.mark.parametrize("block_rows", [1000, 333, 7, 2047])
def test_blocks_give_what_whole_chunks_give(block_rows: int) -> None:
    policy = guize.load(OUTPATIENT)
    table = outpatient_table(5000, seed=3)
    want = B.evaluate_batch(policy, table, ON, OUT3, block_rows=0)
    got = B.evaluate_batch(policy, table, ON, OUT3, chunk_rows=2048, block_rows=block_rows)
    assert got.equals(want)
    assert got.schema == want.schema


def test_the_outpatient_kernel_is_readable_and_deterministic() -> None:
    policy = guize.load(OUTPATIENT)
    table = outpatient_table(3000)
    kernel, arrays = recorded(policy, table).kernel()
    again, _arrays = recorded(policy, outpatient_table(3000, seed=9)).kernel()
    assert again is kernel  # the same shape of calls: compiled once
    lines = kernel.source.splitlines()
    assert lines[0].startswith("def block(c0, ")
    assert any(line.strip().startswith("floor_divide(") for line in lines)
    # The decimal128 inputs are read in place (strided) and never written; the results'
    # words are written whole, both words of a row at once (kernel.pair_words).
    strided = {f"c{i}" for i, a in enumerate(arrays) if not a.flags.c_contiguous}
    assert strided
    pairs = {f"c{i}" for i, a in enumerate(arrays) if a.ndim == 2}
    written = []
    for line in lines[1:]:
        call = line.strip()
        if call.startswith("copyto("):  # copyto(out, src)
            out = call[len("copyto("):].split(",")[0]
        elif ".take(" in call:  # table.take(index, None, out, 'clip')
            out = call.split(", ")[2]
        else:
            out = call.split("out=")[1].split(",")[0].rstrip(")")
        written.append(out)
        assert out not in strided, line
        if out in pairs:
            assert call.startswith("pair_words("), line
    assert len(pairs) == 3 and pairs <= set(written)


def test_a_decision_that_needs_the_data_falls_back_to_the_whole_chunk(tmp_path: Path) -> None:
    rule = tmp_path / "big.rule"
    rule.write_text("文件：\n  标题：《大数》\n  施行日期：2024年1月1日\n\n"
                    "输入 甲：金额\n输入 乙：比率\n\n输出 积：金额，四舍五入到分 = 甲 × 乙 × 1000000000\n",
                    encoding="utf-8")
    policy = guize.load(str(rule))
    n = 50
    big = [str(10**12 + i) for i in range(n)]  # products beyond int64: these rows go the exact way
    rates = ["0.3333"] * n
    table = pa.table({"甲": pa.array(big), "乙": pa.array(rates)})
    rec = K.Recorder(n)
    with pytest.raises(K.NotRecordable):
        plan = policy.batch.plan(table.schema, ON, None, False)
        columns = {name: B.one_column(table, name) for name in table.schema.names}
        plan._columnar(columns, {}, n, *chunk_dates(plan, columns, n)[:2], None, None, rec)
    result = B.evaluate_batch(policy, table, ON, block_rows=7)
    assert result.column("积").to_pylist() == [policy.evaluate({"甲": v, "乙": r}, ON)["积"]
                                                for v, r in zip(big, rates, strict=True)]


def test_recorder_refuses_arrays_that_are_not_row_columns() -> None:
    rec = K.Recorder(10)
    with pytest.raises(K.NotRecordable):
        rec.call(np.add, np.zeros(3, dtype=np.int64), 1, out=rec.new(10, np.int64, np.empty))
    col = np.arange(10, dtype=np.int64)
    out = rec.call(np.add, col, 1, out=rec.new(10, np.int64, np.empty))
    assert isinstance(out, K.Reg) and out.array is None
    assert rec.maybe(out) is True  # a recorded mask may have rows set
    assert rec.maybe(np.zeros(10, dtype=bool)) is False  # a real one is looked at


def test_partial_writes_to_strided_columns_keep_the_other_rows() -> None:
    n = 10
    words = np.zeros((n, 2), dtype=np.int64)
    low = words[:, 0]
    src = np.arange(n, dtype=np.int64) - 5
    rec = K.Recorder(n)
    t = rec.call(K.copy, src, out=rec.new(n, np.int64, np.empty))
    rec.call(np.multiply, t, 3, out=low)  # into a strided column: computed in a temporary, copied
    mask = rec.call(np.less, low, 0, out=rec.new(n, bool, np.empty))
    rec.call(np.negative, low, out=low, where=mask)  # rows not selected keep their values
    rec.run(lambda size, dtype: np.empty(size, dtype=dtype), block_rows=3)
    assert low.tolist() == [abs(3 * (i - 5)) for i in range(n)]
    assert words[:, 1].tolist() == [0] * n  # the other words are untouched


def _with_costs(table: Any, costs: list[Any]) -> Any:
    i = table.schema.get_field_index("本次费用")
    return table.set_column(i, "本次费用", pa.array(costs, type=pa.decimal128(18, 2)))


def _check_rows(policy: Any, table: Any, result: Any, rows: list[int]) -> None:
    """Rows of `result` equal the scalar path's answers (or its errors)."""
    from guize.runtime.errors import RuleError

    records = table.take(pa.array(rows)).to_pylist()
    got = result.take(pa.array(rows)).to_pylist()
    for record, row in zip(records, got, strict=True):
        try:
            want = policy.evaluate(record, ON, OUT3)
        except RuleError as exc:
            assert row["错误"] == exc.message
            continue
        assert row["错误"] is None
        assert {k: row[k] for k in OUT3} == want


def test_rows_outside_the_assumed_bounds_are_recomputed_exactly() -> None:
    from decimal import Decimal

    policy = guize.load(OUTPATIENT)
    table = outpatient_table(5000, seed=5)  # 2 rows in 5000: few enough to recompute one by one
    costs = table.column("本次费用").to_pylist()
    costs[17] = Decimal("123456789012345.67")  # beyond ASSUMED_MAX (in fen)
    costs[4001] = Decimal("-3.00")  # negative: the scalar path reports it
    table = _with_costs(table, costs)
    result = B.evaluate_batch(policy, table, ON, OUT3, block_rows=1000)
    meta = result.schema.metadata[b"guize"].decode()
    assert '"rows_scalar": 2' in meta  # only those two went the exact way
    assert result.column("错误").null_count == 4999
    assert "不能为负数" in result.column("错误")[4001].as_py()
    _check_rows(policy, table, result, [16, 17, 18, 4000, 4001, 4999])


def test_many_rows_outside_the_assumed_bounds_use_the_datas_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    from decimal import Decimal

    policy = guize.load(OUTPATIENT)
    table = outpatient_table(3000, seed=6)
    big = [Decimal(10**11 + i) for i in range(3000)]  # 100 billion 元: above the assumption
    table = _with_costs(table, big)
    converted: list[str] = []
    convert = B.convert_column
    monkeypatch.setattr(B, "convert_column", lambda spec, *a: converted.append(spec["name"]) or convert(spec, *a))
    B.evaluate_batch(policy, outpatient_table(3000, seed=6), ON, OUT3, block_rows=500)
    once = sorted(converted)  # what one evaluation of the chunk converts
    converted.clear()
    result = B.evaluate_batch(policy, table, ON, OUT3, block_rows=500)
    assert sorted(converted) == once  # evaluated twice, converted once
    meta = result.schema.metadata[b"guize"].decode()
    assert '"rows_scalar": 0' in meta  # the bounds read off the data prove every row safe
    _check_rows(policy, table, result, [0, 1, 1500, 2999])


@pytest.mark.parametrize("block_rows", [0, 1000])
@pytest.mark.parametrize("policy_name", ["outpatient", "subsistence"])
def test_a_call_leaves_no_reference_cycles(block_rows: int, policy_name: str) -> None:
    """The chunk's arrays are freed when the call returns, not at some later garbage collection
    (a cycle kept them alive, and freed them after the Arrow memory pool they came from; a
    list input's item chunk and its row chunk held each other: with the benchmark's garbage
    collector off, every call's arrays piled up and both sides paid page faults)."""
    import gc

    from corpus_baselines_national import ALLOWANCE_START, make_allowance
    from corpus_bench import CASES
    from corpus_bench import arrow_table as case_table

    if policy_name == "outpatient":
        policy, table, on, asks = guize.load(OUTPATIENT), outpatient_table(5000), ON, [OUT3]
    else:
        case = next(c for c in CASES if c.name == "subsistence_allowance_2014")
        policy, table = guize.load(case.path), case_table(case, make_allowance(5000, 1))
        on, asks = ALLOWANCE_START, [["月低保金"], None]
    for outputs in asks:
        B.evaluate_batch(policy, table, on, outputs, block_rows=block_rows)  # compiled and cached
        gc.collect()
        gc.disable()
        try:
            result = B.evaluate_batch(policy, table, on, outputs, block_rows=block_rows)
            assert result.column("错误").null_count == table.num_rows
            del result
            assert gc.collect() == 0
        finally:
            gc.enable()


def test_run_on_a_file_larger_than_a_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`guize run` chunks larger than a block (here 48,000 rows, then 32,000) are evaluated by
    kernels over blocks; they give what whole chunks give."""
    import pyarrow.parquet as pq
    from click.testing import CliRunner

    from guize.cli import main

    policy = guize.load(OUTPATIENT)
    assert 32_000 < B.BLOCK_ROWS < 48_000
    table = outpatient_table(80_000, seed=11)
    inp, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(table, inp)
    args = ["run", OUTPATIENT, "--date", "2025-03-01", "--input", str(inp), "--output", str(out),
            "--chunk-rows", "48000", "--no-progress"] + [arg for name in OUT3 for arg in ("--only", name)]
    runs: list[int] = []
    run = K.Recorder.run
    monkeypatch.setattr(K.Recorder, "run", lambda self, *a: runs.append(self.n) or run(self, *a))
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert runs == [48_000]  # the 32,000-row chunk is smaller than a block: evaluated at once
    want = B.evaluate_batch(policy, table, ON, OUT3, block_rows=0)  # whole chunks, no kernel
    got = pq.read_table(out)
    for name in [*OUT3, "错误"]:
        assert got.column(name).to_pylist() == want.column(name).to_pylist(), name


HEAD = "文件：\n  标题：《测试》\n  施行日期：2024年1月1日\n\n"


def _policy(tmp_path: Path, body: str) -> Any:
    path = tmp_path / "p.rule"
    path.write_text(HEAD + body, encoding="utf-8")
    return guize.load(str(path))


def test_an_integer_output_that_is_an_input_read_in_place(tmp_path: Path) -> None:
    """decimal128(p, 0) integers are read in place (strided low words); the output copies them."""
    from decimal import Decimal

    policy = _policy(tmp_path, "输入 人数：整数（人）\n\n输出 人数副本：整数（人） = 人数\n")
    n = 20_000  # more than a block: the kernel path, with the default block size
    table = pa.table({"人数": pa.array([Decimal(i % 50) for i in range(n)])})
    result = B.evaluate_batch(policy, table, ON)
    assert result.column("人数副本").to_pylist() == [i % 50 for i in range(n)]


@pytest.mark.parametrize("days", ["3000000", "3000000000"])
@pytest.mark.parametrize("block_rows", [0, 3])
def test_adding_days_beyond_the_calendar_is_a_row_error(tmp_path: Path, days: str, block_rows: int) -> None:
    """Day numbers read in place are int32: the sum is taken in int64, and a day beyond the
    years 1-9999 is reported as the scalar path reports it (it was wrapped or unreported)."""
    import datetime as dt

    from guize.runtime.errors import RuleError

    policy = _policy(tmp_path, f"输入 开始日期：日期\n\n输出 到期：日期 = 加天(开始日期, {days}天)\n")
    first = dt.date(2024, 1, 1)
    table = pa.table({"开始日期": pa.array([first + dt.timedelta(days=i) for i in range(10)], pa.date32())})
    result = B.evaluate_batch(policy, table, ON, block_rows=block_rows)
    with pytest.raises(RuleError) as exc:
        policy.evaluate({"开始日期": first}, ON)
    assert result.column("到期").null_count == 10
    assert result.column("错误")[0].as_py() == exc.value.message


def test_a_partial_write_does_not_overwrite_a_temporary_still_read() -> None:
    """copy(T -> S) then a `where=` write to S: the write must not go into T itself."""
    n = 6
    alloc = lambda size, dtype: np.empty(size, dtype=dtype)  # noqa: E731

    def scenario(k: Any) -> tuple[list[int], list[int]]:
        words = np.zeros((n, 2), np.int64)
        low = words[:, 0]  # strided, like a decimal128 result's low words
        result = np.zeros(n, np.int64)
        t = k.call(K.copy, np.arange(n, dtype=np.int64) - 3, out=k.new(n, np.int64, alloc))
        k.call(K.copy, t, out=low)
        mask = k.call(np.less, low, 0, out=k.new(n, bool, alloc))
        k.call(np.negative, low, out=low, where=mask)
        k.call(np.add, t, 100, out=result)  # T is read after the partial write
        if isinstance(k, K.Recorder):
            k.run(alloc, 4)
        return low.tolist(), result.tolist()

    assert scenario(K.Recorder(n)) == scenario(K.EAGER) == ([3, 2, 1, 0, 1, 2], [97, 98, 99, 100, 101, 102])


def test_chunks_whose_numbers_need_different_types_combine(tmp_path: Path) -> None:
    """An unrounded quotient has 34 significant digits: one chunk fits decimal128, another
    needs decimal256 at the common scale, a third only exact text; the table takes the
    narrowest type every chunk fits (it raised an Arrow error)."""
    from decimal import Decimal

    policy = _policy(tmp_path, "输入 甲：金额\n输入 乙：金额\n\n输出 商：比率 = 甲 ÷ 乙\n")
    cases = {
        "decimal128": (["1", "2"], ["3", "7"]),
        "decimal256": (["1", "1"], ["3", "1E-30"]),  # (inputs stay below 10**15: values.NUMBER_LIMIT)
        "text": (["1", "1"], ["3", "1E-50"]),
    }
    for want_type, (a, b) in cases.items():
        table = pa.table({"甲": pa.array(a), "乙": pa.array(b)})
        result = B.evaluate_batch(policy, table, ON, chunk_rows=1)  # one chunk per row
        column = result.column("商")
        assert want_type in str(column.type) or (want_type == "text" and column.type == pa.string())
        for x, y, got in zip(a, b, column.to_pylist(), strict=True):
            assert Decimal(str(got)) == policy.evaluate({"甲": x, "乙": y}, ON)["商"]


def test_run_refuses_a_chunk_that_does_not_fit_the_written_type(tmp_path: Path) -> None:
    """guize run fixes the column types with the first chunk; a later chunk whose quotient
    has more whole digits than that type holds is an error, never a wrapped-around value."""
    import pyarrow.parquet as pq
    from click.testing import CliRunner

    from guize.cli import main

    rule = tmp_path / "p.rule"
    rule.write_text(HEAD + "输入 甲：金额\n输入 乙：金额\n\n输出 商：比率 = 甲 ÷ 乙\n", encoding="utf-8")
    inp, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(pa.table({"甲": pa.array(["1", "1"]), "乙": pa.array(["3", "1E-30"])}), inp)
    args = ["run", str(rule), "--date", "2025-03-01", "--input", str(inp), "--output", str(out),
            "--chunk-rows", "1", "--no-progress"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1 and "不一致" in res.output, res.output
    assert not out.exists()


def test_a_recorder_builds_the_same_kernel_twice() -> None:
    """Building again (the cache was cleared meanwhile) names every register afresh."""
    policy = guize.load(OUTPATIENT)
    rec = recorded(policy, outpatient_table(3000))
    first, _arrays = rec.kernel()
    K._KERNELS.clear()
    again, _arrays = rec.kernel()
    assert again is not first and again.source == first.source


def test_a_result_is_written_straight_into_its_contiguous_column() -> None:
    """copyto(column, t) after the call that computed t: that call writes the column (one pass
    fewer); kept when t is read after the copy, or the column is strided."""
    n = 10
    alloc = lambda size, dtype: np.empty(size, dtype=dtype)  # noqa: E731
    src = np.arange(n, dtype=np.int64)

    def kernel(read_after: bool, strided: bool) -> tuple[str, list[int], list[int]]:
        out = np.zeros((n, 2), np.int64)[:, 0] if strided else np.zeros(n, np.int64)
        other = np.zeros(n, np.int64)
        rec = K.Recorder(n)
        t = rec.call(np.multiply, src, 3, out=rec.new(n, np.int64, alloc))
        t = rec.call(np.add, t, 1, out=t)
        mask = rec.call(np.greater, t, 10, out=rec.new(n, bool, alloc))
        rec.call(K.copy, t, out=out)
        rec.call(np.add, t if read_after else src, mask, out=other, dtype=np.int64)
        rec.run(alloc, 4)
        return rec.kernel()[0].source, out.tolist(), other.tolist()

    want = [3 * i + 1 for i in range(n)]
    source, out, other = kernel(False, False)
    assert "copyto" not in source and out == want
    assert other == [i + (3 * i + 1 > 10) for i in range(n)]
    for read_after, strided in ((True, False), (False, True)):
        source, out, other = kernel(read_after, strided)
        assert "copyto" in source and out == want
        assert other == [(3 * i + 1 if read_after else i) + (3 * i + 1 > 10) for i in range(n)]


def test_both_words_of_a_non_negative_decimal128_result_are_written_at_once() -> None:
    """zero_high after the call writing the low words: that call computes into a block
    temporary and pair_words writes (value, 0) for each row; eager, zero_high zeroes the high words."""
    n = 11
    alloc = lambda size, dtype: np.empty(size, dtype=dtype)  # noqa: E731
    src = np.arange(n, dtype=np.int64)

    def run(k: Any) -> tuple[list[list[int]], list[int]]:
        words = np.full((n, 2), -7, np.int64)  # garbage where nothing is written
        low = words[:, 0]
        later = np.zeros(n, np.int64)
        t = k.call(np.multiply, src, 5, out=k.new(n, np.int64, alloc))
        k.call(np.add, t, 2, out=low)
        k.call(np.add, low, 1, out=later)  # reads the low words before the high words are written
        k.call(K.zero_high, low, out=words)
        if isinstance(k, K.Recorder):
            k.run(alloc, 4)
            assert "pair_words(" in k.kernel()[0].source and "copyto" not in k.kernel()[0].source
        return words.tolist(), later.tolist()

    want = ([[5 * i + 2, 0] for i in range(n)], [5 * i + 3 for i in range(n)])
    assert run(K.Recorder(n)) == run(K.EAGER) == want


def test_lookups_by_one_index_share_one_take() -> None:
    """Several small non-negative tables looked up by the same index: one take of their values
    packed in bit fields, then an and, shifts; the values are the takes' (whole-chunk runs agree).
    Not packed: a table with a negative value, or the index rewritten between the look-ups."""
    n = 13
    alloc = lambda size, dtype: np.empty(size, dtype=dtype)  # noqa: E731
    index = np.array([0, 1, 2, 3, 3, 2, 1, 0, 1, 1, 2, 0, 3], dtype=np.int8)
    tables = [np.array(t, dtype=np.int64) for t in ([8000, 7000, 6000, 8000], [300, 800, 1300, 300],
                                                     [0, 1, 0, 1], [2**40, 5, 2**39, 0])]

    def run(k: Any, tabs: list[Any], rewrite: bool = False) -> tuple[list[list[int]], str]:
        outs = [np.zeros(n, np.int64) for _ in tabs]
        idx = index.copy()
        for i, (t, out) in enumerate(zip(tabs, outs, strict=True)):
            got = k.call(K.take, t, idx, out=k.new(n, np.int64, alloc))
            k.call(np.add, got, 1, out=out)
            if rewrite and i == 0:
                k.call(np.subtract, 3, idx, out=idx)  # (the index written in between)
        source = ""
        if isinstance(k, K.Recorder):
            k.run(alloc, 4)
            source = k.kernel()[0].source
        return [o.tolist() for o in outs], source

    got, source = run(K.Recorder(n), tables)
    assert got == run(K.EAGER, tables)[0]
    assert got[0] == [int(tables[0][i]) + 1 for i in index]
    assert source.count(".take(") == 2  # 13 + 11 + 1 bits in one, the 41-bit table in another
    assert "right_shift(" in source and "bitwise_and(" in source
    signed = [tables[0], -tables[1]]
    got, source = run(K.Recorder(n), signed)
    assert got == run(K.EAGER, signed)[0] and source.count(".take(") == 2
    got, source = run(K.Recorder(n), tables[:2], rewrite=True)
    assert got == run(K.EAGER, tables[:2], rewrite=True)[0] and source.count(".take(") == 2
