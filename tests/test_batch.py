"""Batch evaluation: the columnar path equals the scalar path on every row; `guize run`."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from click.testing import CliRunner  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import guize  # noqa: E402
from guize.cli import main  # noqa: E402
from guize.runtime.errors import EvaluationError, InvalidInput, MissingInput, RuleError  # noqa: E402

OUTPATIENT = "policies/xinjiang/outpatient_2024.rule"
TEXTILE = "policies/xinjiang/textile_2024.rule"
OUT3 = ["起付标准", "支付比例", "统筹基金支付"]
ONLY3 = [arg for name in OUT3 for arg in ("--only", name)]
ON = dt.date(2025, 3, 1)

# A rule that reaches the corners of the columnar code: negative amounts and every rounding
# mode, rounded and unrounded division, a gap between bands, tables with 其他, a dated value
# that depends on an input, date inputs and functions, enumeration and date outputs, and a
# product too large for int64.
MIX = """\
文件：
  标题：《批量计算测试》
  施行日期：2024年1月1日
  截止日期：2026年12月31日

类型 等级：甲等、乙等、丙等

输入 等级：等级
输入 金额甲：金额
输入 金额乙：金额，默认 100元
输入 费率：比率
输入 人数：整数（人）
输入 开始日期：日期
输入 标志：是否，默认 否

定义 差额：金额 = 金额甲 - 金额乙
输出 向上：金额，向上取整到元 = 差额 × 费率
输出 截尾值：金额，截尾到分 = 差额 × 费率 × 1.5
输出 向下：金额，向下取整到元 = 差额 ÷ 3
输出 四舍五入：金额，四舍五入到角 = 差额 × 费率 ÷ 7
输出 商：比率 = 金额甲 ÷ (金额乙 + 1元)
表 等级系数：比率 按 等级
  甲等：120%
  乙等：100%
  其他：80%
输出 加权：金额 = 金额甲 × 等级系数
定义 档次：金额/人 按 金额甲 分段
  不满1000元：10元/人
  1000元至5000元（不含5000元）：20元/人
  6000元以上：30元/人
输出 档次值：金额 = 档次 × 人数
定义 标准：金额
  自2024年1月1日起：金额乙 × 2
  自2025年1月1日起：金额乙 × 3
输出 标准值：金额 = 标准
输出 月数：整数（月） = 相差月数(开始日期, 评估日期)
输出 天数：整数（日） = 相差天数(开始日期, 评估日期)
输出 月份值：整数 = 月份(开始日期)
输出 到期：日期 = 加天(开始日期, 人数 最高 3650人)
输出 是否大额：是否 = 金额甲 超过 10000元 且 非 标志
输出 等级输出：等级 = 若 标志 则 甲等 否则 等级
输出 巨额：金额 = 金额甲 × 1000000000000 × 费率
"""

_LOADED: dict[str, guize.Policy] = {}


def load(path: str) -> guize.Policy:
    if path not in _LOADED:
        _LOADED[path] = guize.load(path)
    return _LOADED[path]


@pytest.fixture(scope="module")
def mix_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("mix") / "mix.rule"
    path.write_text(MIX, encoding="utf-8")
    return str(path)


def compare(policy: guize.Policy, table: Any, on: Any, outputs: list[str] | None = None,
            block_rows: int | None = None, misses: int | None = None) -> Any:
    """Assert that every row of evaluate_batch equals Policy.evaluate on that row.

    `block_rows`: run each chunk's recorded kernel in blocks of that many rows (0: no kernel).
    `misses`: ASSUMED_MISSES for this call (1: rows outside an assumed bound go the exact
    way one by one unless every row is outside).
    """
    from guize.runtime import batch

    table = batch.to_table(table)
    saved = batch.ASSUMED_MISSES
    batch.ASSUMED_MISSES = misses or saved
    try:
        if block_rows is None:
            result = policy.evaluate_batch(table, on, outputs=outputs)
        else:
            result = batch.evaluate_batch(policy, table, on, outputs, block_rows=block_rows)
    finally:
        batch.ASSUMED_MISSES = saved
    names = result.schema.names[:-1]
    assert result.schema.names[-1] == "错误"
    inputs = {i.name for i in policy.inputs}
    for i, (row, got) in enumerate(zip(table.to_pylist(), result.to_pylist(), strict=True)):
        date = row[on] if isinstance(on, str) else on
        data = {k: v for k, v in row.items() if v is not None and k in inputs}
        try:
            want = policy.evaluate(data, date, outputs)
        except RuleError as exc:
            assert got["错误"] == exc.message, (i, row, got)
            assert all(got[k] is None for k in names), (i, row, got)
            continue
        assert got["错误"] is None, (i, row, got)
        for name in names:
            if isinstance(got[name], str) and isinstance(want[name], Decimal):
                got[name] = Decimal(got[name])  # beyond decimal256: exact text (documented)
            assert got[name] == want[name], (i, name, row, got[name], want[name])
            assert type(got[name]) is type(want[name]) or {type(got[name]), type(want[name])} <= {int, Decimal}
    return result


# ---------------------------------------------------------------- random tables

# Rows per block of the recorded kernels: none (each chunk at once), tiny blocks (many
# blocks and a short last one), and the default (one block for these small tables).
BLOCKS = st.sampled_from([0, 1, 3, 7, 64, None])
MISSES = st.sampled_from([1, None])


def _amount(places: int, top: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, top * 10**places).map(lambda v: Decimal(v).scaleb(-places))


@st.composite
def column(draw: st.DrawFn, spec: dict[str, Any], n: int) -> Any:
    """One input column in a randomly chosen Arrow representation, with some bad cells."""
    kind = spec["kind"]
    maybe_null = st.none() if not spec["has_default"] else st.sampled_from([None])
    if kind in ("money", "quantity", "rate", "int"):
        top = 2 if kind == "rate" else 10**6
        form = draw(st.sampled_from(["decimal", "float", "string", "int", "huge", "typed"]))
        if form in ("decimal", "typed"):
            places = 0 if kind == "int" else draw(st.integers(0, 4))
            width = draw(st.sampled_from([(pa.decimal32, 9), (pa.decimal64, 18), (pa.decimal256, 40)]))
            if width[1] == 9:  # decimal32 holds 9 digits
                places = min(places, 2)
            values = st.one_of(_amount(places, top), maybe_null,
                               st.sampled_from([Decimal(-1), Decimal("40"), Decimal("5000"), Decimal("1000")]))
            cells = draw(st.lists(values, min_size=n, max_size=n))
            if form == "typed":  # decimal32 / decimal64 / decimal256 columns
                return pa.array(cells, type=width[0](width[1], places))
            return pa.array(cells)
        if form == "float":
            values = st.one_of(st.floats(0, top, allow_nan=False), st.sampled_from([0.1, 2.675, 1e-7, 40.0]),
                               st.sampled_from([float("nan"), -3.5, 1e300]), maybe_null)
            return pa.array(draw(st.lists(values, min_size=n, max_size=n)), type=pa.float64())
        if form == "string":
            values = st.one_of(st.sampled_from(["1,234.50", "12.5", "abc", "80%", " 7 ", "-2", "3.0", "0.125"]),
                               _amount(2, 10**4).map(str), maybe_null)
            return pa.array(draw(st.lists(values, min_size=n, max_size=n)), type=pa.string())
        if form == "huge":
            values = st.one_of(st.integers(0, 10**17).map(Decimal), st.integers(0, 10**6).map(Decimal))
            return pa.array(draw(st.lists(values, min_size=n, max_size=n)), type=pa.decimal128(30, 2))
        values = st.one_of(st.integers(-2, 10**6), maybe_null)
        return pa.array(draw(st.lists(values, min_size=n, max_size=n)), type=pa.int64())
    if kind == "bool":
        if draw(st.booleans()):
            return pa.array(draw(st.lists(st.one_of(st.booleans(), maybe_null), min_size=n, max_size=n)))
        values = st.one_of(st.sampled_from(["是", "否", "true", "也许"]), maybe_null)
        return pa.array(draw(st.lists(values, min_size=n, max_size=n)), type=pa.string())
    if kind == "enum":
        values = st.one_of(st.sampled_from(spec["members"]), st.sampled_from(["未知", f" {spec['members'][0]} "]),
                           maybe_null)
        arr = pa.array(draw(st.lists(values, min_size=n, max_size=n)), type=pa.string())
        return arr.dictionary_encode() if draw(st.booleans()) else arr
    values = st.one_of(st.dates(dt.date(2023, 1, 1), dt.date(2027, 12, 31)), maybe_null)
    dates = draw(st.lists(values, min_size=n, max_size=n))
    if draw(st.booleans()):
        return pa.array(dates, type=pa.date32())
    return pa.array([None if d is None else d.isoformat() for d in dates], type=pa.string())


@st.composite
def table(draw: st.DrawFn, policy: guize.Policy, date_column: bool) -> Any:
    n = draw(st.integers(1, 12))
    columns = {}
    for spec in policy.module.INPUTS:
        if spec["has_default"] and draw(st.booleans()):
            continue  # an absent column with a default
        columns[spec["name"]] = draw(column(spec, n))
    if date_column:
        w = policy.window
        start = w.start or dt.date(2024, 1, 1)
        last = w.last or dt.date(2029, 12, 31)
        near = st.sampled_from([start, last, dt.date(2024, 8, 31), dt.date(2024, 9, 1), dt.date(2025, 1, 1)])
        dates = st.one_of(near, st.dates(start - dt.timedelta(days=40), last + dt.timedelta(days=40)))
        columns["评估日"] = pa.array(draw(st.lists(dates, min_size=n, max_size=n)), type=pa.date32())
    return pa.table(columns)


@pytest.mark.parametrize("path", [OUTPATIENT, TEXTILE, "tests/golden/good/arithmetic.rule",
                                  "tests/golden/good/bands_and_tables.rule",
                                  "tests/golden/good/dated_values.rule", "mix"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_batch_equals_scalar_on_random_tables(path: str, mix_path: str, data: st.DataObject) -> None:
    policy = load(mix_path if path == "mix" else path)
    per_row = data.draw(st.booleans())
    t = data.draw(table(policy, per_row))
    on: Any = "评估日" if per_row else data.draw(st.sampled_from([ON, dt.date(2024, 8, 31), dt.date(2024, 9, 1)]))
    compare(policy, t, on, block_rows=data.draw(BLOCKS), misses=data.draw(MISSES))


@st.composite
def valid_table(draw: st.DrawFn, policy: guize.Policy) -> Any:
    """Only valid cells, so that every row is computed by the columnar code itself.

    Hypothesis picks each column's form, decimal places and magnitude; a seeded generator
    fills up to 300 rows (reproducible from the seed hypothesis reports).
    """
    n = draw(st.integers(1, 300))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    columns = {}
    for spec in policy.module.INPUTS:
        kind = spec["kind"]
        if kind in ("money", "quantity", "rate", "int"):
            places = 0 if kind == "int" else draw(st.integers(0, 4))
            top = draw(st.sampled_from([10, 10**4, 10**7, 10**12] if kind != "rate" else [1, 2]))
            ints = rng.integers(0, top * 10**places + 1, n)
            ints[rng.random(n) < 0.1] = 0
            cells = [Decimal(int(v)).scaleb(-places) for v in ints]
            form = "int" if kind == "int" else draw(st.sampled_from(["decimal", "float"]))
            if form == "int":
                columns[spec["name"]] = pa.array(ints.astype(np.int64))
            elif form == "decimal":
                columns[spec["name"]] = pa.array(cells)
            else:  # floats read through their shortest repr
                columns[spec["name"]] = pa.array([float(c) for c in cells], type=pa.float64())
        elif kind == "bool":
            columns[spec["name"]] = pa.array(rng.random(n) < 0.7)
        elif kind == "enum":
            arr = pa.array([spec["members"][i] for i in rng.integers(0, len(spec["members"]), n)])
            columns[spec["name"]] = arr.dictionary_encode() if draw(st.booleans()) else arr
        else:
            base = (dt.date(2023, 1, 1) - dt.date(1970, 1, 1)).days
            columns[spec["name"]] = pa.array(base + rng.integers(0, 1800, n).astype(np.int32), type=pa.date32())
    w = policy.window
    start, last = w.start or dt.date(2024, 1, 1), w.last or dt.date(2029, 12, 31)
    epoch = dt.date(1970, 1, 1)
    days = (start - epoch).days + rng.integers(0, (last - start).days + 1, n)
    near = [(d - epoch).days for d in (start, last, dt.date(2024, 8, 31), dt.date(2024, 9, 1))
            if start <= d <= last]
    pick = rng.random(n) < 0.3
    days[pick] = rng.choice(near, pick.sum())
    columns["评估日"] = pa.array(days.astype(np.int32), type=pa.date32())
    return pa.table(columns)


@pytest.mark.parametrize("path", [OUTPATIENT, TEXTILE, "tests/golden/good/arithmetic.rule", "mix"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_columnar_code_equals_scalar_on_valid_tables(path: str, mix_path: str, data: st.DataObject) -> None:
    policy = load(mix_path if path == "mix" else path)
    compare(policy, data.draw(valid_table(policy)), "评估日", block_rows=data.draw(BLOCKS),
            misses=data.draw(MISSES))


def test_textile_dates_cross_the_freight_change() -> None:
    policy = load(TEXTILE)
    days = [dt.date(2024, 8, 30), dt.date(2024, 8, 31), dt.date(2024, 9, 1), dt.date(2024, 9, 2),
            dt.date(2023, 12, 31), dt.date(2028, 1, 1)]
    t = pa.table({"出疆棉数量": pa.array([Decimal(100)] * 6), "日期": pa.array(days)})
    result = compare(policy, t, "日期", ["出疆棉运费补贴"])
    values = result.column("出疆棉运费补贴").to_pylist()
    assert values[:4] == [Decimal(30000), Decimal(30000), Decimal(20000), Decimal(20000)]
    errors = result.column("错误").to_pylist()
    assert values[4:] == [None, None] and "尚未施行" in errors[4] and "已失效" in errors[5]


@pytest.mark.parametrize("first, last, freight", [(dt.date(2024, 9, 1), dt.date(2025, 6, 30), Decimal(20000)),
                                                  (dt.date(2024, 3, 1), dt.date(2024, 8, 31), Decimal(30000))])
def test_dates_of_a_chunk_in_one_version(first: dt.date, last: dt.date, freight: Decimal) -> None:
    """Every date in force and in one version: decided once for the chunk, row by row equal."""
    policy = load(TEXTILE)
    n = (last - first).days + 1
    days = [first + dt.timedelta(days=i) for i in range(n)]
    t = pa.table({"出疆棉数量": pa.array([Decimal(100)] * n), "日期": pa.array(days, type=pa.date32())})
    result = compare(policy, t, "日期", ["出疆棉运费补贴"], block_rows=64)
    assert set(result.column("出疆棉运费补贴").to_pylist()) == {freight}


# ---------------------------------------------------------------- results and errors


def outpatient_rows() -> dict[str, list[Any]]:
    return {"医院级别": ["二级", "三级", "四级", "一级", "一级"],
            "退休人员": [False, True, False, True, None],
            "本次费用": [Decimal("1000"), Decimal("145.01"), Decimal("500"), Decimal("15.01"), Decimal(100)],
            "住院起付线": [Decimal(600), Decimal(900), Decimal(300), Decimal(300), Decimal(300)],
            "本年已就诊次数": [0, 3, 1, 2, 2],
            "本年已支付": [Decimal(0), Decimal(100), Decimal(0), Decimal(0), Decimal(0)]}


def test_result_types_are_exact_decimals() -> None:
    result = load(OUTPATIENT).evaluate_batch(outpatient_rows(), ON, outputs=OUT3)
    assert [f.type for f in result.schema][:3] == [pa.decimal128(38, 2)] * 3
    assert result.column("统筹基金支付").to_pylist()[:2] == [Decimal("658.00"), Decimal("65.01")]
    assert result.column("支付比例").to_pylist()[1] == Decimal("0.65")


def test_bad_rows_do_not_stop_the_others() -> None:
    result = compare(load(OUTPATIENT), pa.table(outpatient_rows()), ON, OUT3)
    errors = result.column("错误").to_pylist()
    assert errors[0] is None and errors[1] is None and errors[3] is None
    assert errors[2] == "输入「医院级别」的值「四级」不在可选范围内；可选：一级、二级、三级、未定级"
    assert errors[4] == "缺少输入「退休人员」"
    assert result.column("起付标准").to_pylist()[2] is None


def test_strict_raises_on_the_first_bad_row() -> None:
    with pytest.raises(InvalidInput, match="第 3 行：输入「医院级别」的值「四级」") as info:
        load(OUTPATIENT).evaluate_batch(outpatient_rows(), ON, outputs=OUT3, strict=True)
    assert info.value.detail["row"] == 3


def test_one_date_out_of_force_marks_every_row() -> None:
    result = load(OUTPATIENT).evaluate_batch(outpatient_rows(), dt.date(2024, 1, 1), outputs=OUT3)
    assert all("尚未施行" in e for e in result.column("错误").to_pylist())
    with pytest.raises(RuleError, match=r"第 1 行：.*尚未施行"):
        load(OUTPATIENT).evaluate_batch(outpatient_rows(), "2024-01-01", outputs=OUT3, strict=True)


def test_errors_the_scalar_path_finds_in_arithmetic(mix_path: str) -> None:
    policy = load(mix_path)
    rows = {"等级": ["甲等", "乙等"], "金额甲": [Decimal(5500), Decimal(10)], "费率": [Decimal("0.5")] * 2,
            "人数": [1, 2], "开始日期": [dt.date(2024, 1, 1)] * 2}
    result = compare(policy, pa.table(rows), ON)
    assert "不在任何分段之内" in result.column("错误").to_pylist()[0]
    rows["金额乙"] = [Decimal(5), Decimal(-1)]  # 金额乙 + 1元 = 0 would divide by zero, but -1 is invalid
    compare(policy, pa.table(rows), ON)


def test_division_by_zero_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "div.rule"
    path.write_text("文件：\n  标题：《除法》\n  施行日期：2024年1月1日\n输入 甲：金额\n输入 乙：整数\n"
                    "输出 商：金额，四舍五入到分 = 甲 ÷ 乙\n", encoding="utf-8")
    policy = guize.load(path)
    result = compare(policy, {"甲": [Decimal(10), Decimal(10)], "乙": [3, 0]}, ON)
    assert result.column("商").to_pylist() == [Decimal("3.33"), None]
    assert result.column("错误").to_pylist()[1] == "除数为零"
    with pytest.raises(EvaluationError):
        policy.evaluate_batch({"甲": [Decimal(10)], "乙": [0]}, ON, strict=True)


def test_overflow_is_detected_and_computed_exactly(tmp_path: Path) -> None:
    path = tmp_path / "big.rule"
    path.write_text("文件：\n  标题：《大数》\n  施行日期：2024年1月1日\n输入 甲：金额\n输入 乙：比率\n"
                    "输出 积：金额 = 甲 × 乙 × 1000000000\n", encoding="utf-8")
    policy = guize.load(path)
    big = Decimal("123456789012345.67")
    rows = {"甲": pa.array([big, Decimal(1), big], type=pa.decimal128(20, 2)),
            "乙": pa.array([Decimal("0.3333"), Decimal("0.5"), Decimal(0)])}
    result = compare(policy, pa.table(rows), ON)
    assert result.column("积").to_pylist()[0] == (big * Decimal("0.3333") * 10**9).quantize(Decimal("0.01"))
    meta = json.loads(result.schema.metadata[b"guize"])
    assert meta["rows_scalar"] >= 1  # recomputed exactly, not wrapped around


def test_default_too_large_for_the_columns_scale(mix_path: str) -> None:
    # 金额乙 read from floats needs 18 decimal places; its default, 100元, at that scale does
    # not fit in int64, so the rows that take the default go the scalar way (found by hypothesis).
    policy = load(mix_path)
    t = pa.table({"等级": ["甲等", "乙等"], "金额甲": ["1,234.50", "10"], "金额乙": [0.029188134199191758, None],
                  "费率": [0.5, 0], "人数": [0, 3], "开始日期": ["2024-05-01", "2024-05-01"]})
    result = compare(policy, t, ON)
    assert result.column("错误").null_count == 2


def test_unvectorised_outputs_fall_back_row_by_row(mix_path: str) -> None:
    policy = load(mix_path)
    from guize.runtime.batch import batch_module

    assert set(batch_module(policy.module).FALLBACK) == {"商"}  # 相差月数 is vectorised
    rows = {"等级": ["甲等"], "金额甲": [Decimal(10)], "金额乙": [Decimal(2)], "费率": [Decimal("0.1")],
            "人数": [3], "开始日期": [dt.date(2024, 1, 31)]}
    result = compare(policy, pa.table(rows), dt.date(2024, 3, 30), ["商", "月数", "向上"])
    assert result.column("商").to_pylist() == [Decimal("3." + "3" * 33)]  # 34 digits, as Decimal gives
    assert result.column("月数").to_pylist() == [1]
    assert json.loads(result.schema.metadata[b"guize"])["fallback_outputs"] == ["商"]


# ---------------------------------------------------------------- inputs


def test_input_formats_give_the_same_answer() -> None:
    policy = load(OUTPATIENT)
    rows = outpatient_rows()
    want = policy.evaluate_batch(pa.table(rows), ON, outputs=OUT3)
    as_numpy = {k: np.array(v, dtype=object) for k, v in rows.items()}
    as_numpy["本年已就诊次数"] = np.array(rows["本年已就诊次数"], dtype=np.int64)
    records = [dict(zip(rows, values, strict=True)) for values in zip(*rows.values(), strict=True)]
    for data in (rows, as_numpy, records, pa.table(rows).to_batches()[0]):
        assert policy.evaluate_batch(data, ON, outputs=OUT3).equals(want)


def test_pandas_and_polars_frames() -> None:
    rows = {k: v for k, v in outpatient_rows().items() if k != "退休人员"}
    rows["退休人员"] = [False, True, False, True, False]
    policy = load(OUTPATIENT)
    want = policy.evaluate_batch(rows, ON, outputs=OUT3)
    pd = pytest.importorskip("pandas")
    assert policy.evaluate_batch(pd.DataFrame(rows), ON, outputs=OUT3).equals(want)
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame(rows)
    assert frame["医院级别"].dtype == pl.String  # read by Arrow as a string view (see _column)
    assert policy.evaluate_batch(frame, ON, outputs=OUT3).equals(want)


def test_floats_and_strings_read_as_the_scalar_path_reads_them() -> None:
    policy = load(OUTPATIENT)
    rows = {"医院级别": ["一级", " 二级 "], "退休人员": ["是", "否"], "本次费用": [0.1, 2.675],
            "住院起付线": ["1,234.50", "300"], "本年已就诊次数": [1.0, 2], "本年已支付": ["0", "3999.99"]}
    compare(policy, pa.table({k: pa.array(v) if k != "本年已就诊次数" else pa.array(v, pa.float64())
                              for k, v in rows.items()}), ON, OUT3)


def test_missing_column_and_bad_date_are_reported_up_front() -> None:
    policy = load(OUTPATIENT)
    rows = outpatient_rows()
    rows["本次费"] = rows.pop("本次费用")
    with pytest.raises(MissingInput, match="输入表缺少列「本次费用」（是否指列「本次费」？）"):
        policy.evaluate_batch(rows, ON, outputs=OUT3)
    with pytest.raises(InvalidInput, match="既不是日期，也不是输入表中的列"):
        policy.evaluate_batch(outpatient_rows(), "就诊日期", outputs=OUT3)
    with pytest.raises(guize.UnknownOutput):
        policy.evaluate_batch(outpatient_rows(), ON, outputs=["统筹基金"])


def test_string_views_and_duplicate_columns() -> None:
    policy = load(OUTPATIENT)
    rows = outpatient_rows()
    if hasattr(pa, "string_view"):
        t = pa.table(rows)
        t = t.set_column(0, "医院级别", t.column("医院级别").cast(pa.string_view()))
        assert policy.evaluate_batch(t, ON, outputs=OUT3).equals(policy.evaluate_batch(rows, ON, outputs=OUT3))
    twice = pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["本次费用", "本次费用"])
    with pytest.raises(InvalidInput, match="重复的列名：「本次费用」"):
        policy.evaluate_batch(twice, ON, outputs=OUT3)


def test_empty_table_and_many_chunks() -> None:
    policy = load(OUTPATIENT)
    empty = policy.evaluate_batch({k: [] for k in outpatient_rows()}, ON, outputs=OUT3)
    assert empty.num_rows == 0 and empty.schema.names == [*OUT3, "错误"]
    from guize.runtime.batch import evaluate_batch

    rows = {k: v * 7 for k, v in outpatient_rows().items()}
    small = evaluate_batch(policy, rows, ON, OUT3, chunk_rows=4)
    assert small.equals(policy.evaluate_batch(rows, ON, outputs=OUT3))



def test_error_column_of_chunks_without_errors() -> None:
    """「错误」 of a chunk without errors is nulls of the chunk's length, whatever the lengths of
    the chunks before (batchout.no_errors slices one array kept for them)."""
    policy = load(OUTPATIENT)
    good = {k: [v[i] for i in (0, 1, 3)] for k, v in outpatient_rows().items()}
    from guize.runtime.batch import evaluate_batch

    for times, chunk in ((2, 1 << 20), (1, 1 << 20), (5, 1 << 20), (3, 1 << 20), (5, 4)):
        rows = {k: v * times for k, v in good.items()}
        result = evaluate_batch(policy, rows, ON, OUT3, chunk_rows=chunk)
        errors = result.column("错误")
        assert errors.type == pa.string() and len(errors) == result.num_rows == 3 * times
        assert errors.null_count == 3 * times
        want = [policy.evaluate({k: v[i] for k, v in rows.items()}, ON, OUT3)["统筹基金支付"] for i in range(3 * times)]
        assert result.column("统筹基金支付").to_pylist() == want

def test_a_batch_without_columns_has_the_rows_it_is_given(tmp_path: Path) -> None:
    # Arrow slices a table without columns to any length asked for: evaluate_batch({}) once
    # computed 1,048,576 rows of nothing. Every input has a default here, so no column is missing.
    path = tmp_path / "defaults.rule"
    path.write_text("文件：\n  标题：《全有默认》\n  施行日期：2024年1月1日\n\n"
                    "输入 甲：金额，默认 5元\n输出 乙：金额 = 甲 × 2\n", encoding="utf-8")
    policy = guize.load(path)
    for data in ({}, [], pa.table({})):
        result = policy.evaluate_batch(data, ON)
        assert result.num_rows == 0 and result.schema.names == ["乙", "错误"]
    assert policy.evaluate_batch({"甲": ["7元"]}, ON).column("乙").to_pylist() == [Decimal("14.00")]
    # Rows of empty objects are rows (each one's inputs left to their defaults), as the scalar path has them
    want = [policy.evaluate({}, ON)["乙"]] * 2
    for decimal64 in (False, True):
        assert policy.evaluate_batch([{}, {}], ON, decimal64=decimal64).column("乙").to_pylist() == want
    with pytest.raises(MissingInput, match="输入表缺少列「医院级别」"):
        load(OUTPATIENT).evaluate_batch({}, ON, outputs=OUT3)


def test_chunks_with_different_dictionaries() -> None:
    # Each record batch carries its own dictionary (as a file read in pieces does); the
    # converted dictionaries are remembered per run, never confused between batches.
    from guize.runtime.batch import evaluate_batch

    policy = load(OUTPATIENT)
    rows = outpatient_rows()
    n = len(rows["医院级别"])
    batches = []
    for order in (["一级", "二级", "三级", "未定级"], ["三级", "未定级", "二级", "一级"], ["二级", "一级"]):
        levels = [order[i % len(order)] for i in range(n)]
        level = pa.DictionaryArray.from_arrays(pa.array([order.index(x) for x in levels], type=pa.int8()),
                                               pa.array(order))
        batches.append(pa.RecordBatch.from_pydict({**{k: v for k, v in rows.items() if k != "医院级别"},
                                                   "医院级别": level}))
    table = pa.Table.from_batches(batches)
    compare(policy, table, ON, OUT3)
    assert evaluate_batch(policy, table, ON, OUT3, chunk_rows=3).equals(policy.evaluate_batch(table, ON, OUT3))


def test_enumerations_matched_in_python_agree_with_the_arrow_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A short text column of an enumeration (a dictionary's values, at most columns._FEW) is
    matched in Python; other spellings, unknown names and nulls go the Arrow way as before:
    every row as the scalar path has it, as a dictionary and as plain text, and the codes are
    those of the long column (which always goes the Arrow way)."""
    from guize.runtime import columns

    policy = load(OUTPATIENT)
    rows = outpatient_rows()
    n = len(rows["医院级别"])
    for names in (["三级", "一级", "未定级", "二级"], ["二级", " 一级 ", "三级"], ["一级", "四级"], ["二级", None]):
        levels = [names[i % len(names)] for i in range(n)]
        for level in (pa.array(levels, pa.string()), pa.array(levels, pa.string()).dictionary_encode()):
            compare(policy, pa.table({**rows, "医院级别": level}), ON, OUT3)
    spec = next(s for s in policy.module.INPUTS if s["name"] == "医院级别")
    enums = policy.batch.program["enums"]
    members = list(spec["members"]) * 3
    short = columns.convert_column(spec, pa.array(members), enums)
    long = columns.convert_column(spec, pa.array(members * (columns._FEW // len(members) + 1)), enums)
    assert short.bad is None and short.v.tolist() == long.v[:len(members)].tolist()
    assert sorted(set(short.v.tolist())) == sorted(enums.index(m) for m in spec["members"])
    import pyarrow.compute as pc

    calls: list[int] = []
    index_in = pc.index_in
    monkeypatch.setattr(pc, "index_in", lambda *a, **k: (calls.append(1), index_in(*a, **k))[1])
    columns.convert_column(spec, pa.array(members * 100).dictionary_encode(), enums)
    assert not calls  # the dictionary's four names: no Arrow look-up
    columns.convert_column(spec, pa.array([" 一级 ", "二级"]).dictionary_encode(), enums)
    assert calls  # another spelling: the Arrow way, then the scalar converter for it


def test_importing_the_runtime_does_not_import_numpy() -> None:
    import subprocess
    import sys

    code = ("import guize, guize.runtime, sys; p = guize.load('policies/xinjiang/outpatient_2024.rule'); "
            "print('numpy' in sys.modules, 'pyarrow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_batch_on_arrow_data_does_not_import_pandas(tmp_path: Path) -> None:
    """pyarrow imports pandas (a fifth of a second) for pa.array, to_numpy and Python literals
    passed to its kernels; evaluating an Arrow table, or guize run from Parquet or CSV to
    Parquet, CSV or JSON Lines, needs none."""
    import subprocess
    import sys

    pytest.importorskip("pandas")  # otherwise there is nothing to import
    _outpatient_file(tmp_path / "in.parquet")
    _outpatient_file(tmp_path / "in.csv")
    code = f"""
import sys, pyarrow.parquet as pq, guize  # (pq.read_table imports pandas: pyarrow.dataset)
from guize.cli import main
p = guize.load({OUTPATIENT!r})
p.evaluate_batch(pq.ParquetFile({str(tmp_path / "in.parquet")!r}).read(), "就诊日期", outputs={OUT3!r})
for src, dst in (("in.parquet", "out.parquet"), ("in.csv", "out.csv"), ("in.parquet", "out.jsonl")):
    sys.argv = ["guize", "run", {OUTPATIENT!r}, "--date-column", "就诊日期", "--no-progress", *{ONLY3!r},
                "--input", {str(tmp_path)!r} + "/" + src, "--output", {str(tmp_path)!r} + "/" + dst]
    try:
        main()
    except SystemExit:
        pass
print("pandas" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-1] == "False", out.stderr


# ---------------------------------------------------------------- guize run


def _outpatient_file(path: Path, n: int = 40) -> list[dict[str, Any]]:
    base = outpatient_rows()
    rows = []
    for i in range(n):
        row = {k: base[k][i % 5] for k in base}
        row["编号"] = f"A{i:03d}"
        row["就诊日期"] = dt.date(2025, 3, 1) if i % 7 else dt.date(2020, 1, 1)
        rows.append(row)
    t = pa.Table.from_pylist(rows)
    if path.suffix == ".parquet":
        pq.write_table(t, path)
    elif path.suffix == ".csv":
        import pyarrow.csv as pcsv

        pcsv.write_csv(t, path)
    else:
        with open(path, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps({k: (str(v) if isinstance(v, (Decimal, dt.date)) else v)
                                     for k, v in r.items()}, ensure_ascii=False) + "\n")
    return rows


def _read(path: Path) -> Any:
    if path.suffix == ".parquet":
        return pq.read_table(path)
    if path.suffix == ".csv":
        import pyarrow.csv as pcsv

        return pcsv.read_csv(path)
    return pa.Table.from_pylist([json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()])


@pytest.mark.parametrize("src", [".parquet", ".csv", ".jsonl"])
@pytest.mark.parametrize("dst", [".parquet", ".csv", ".jsonl"])
def test_run_streams_files_and_writes_errors(tmp_path: Path, src: str, dst: str) -> None:
    inp, out = tmp_path / f"in{src}", tmp_path / f"out{dst}"
    rows = _outpatient_file(inp)
    args = ["run", OUTPATIENT, "--date-column", "就诊日期", "--input", str(inp), "--output", str(out),
            "--keep", "编号", "--chunk-rows", "6", "--no-progress", *ONLY3]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1, res.output  # some rows have errors
    assert "完成：40 行" in res.output
    table = _read(out)
    assert table.num_rows == 40 and table.column_names == ["编号", *OUT3, "错误"]
    policy = load(OUTPATIENT)
    errors = [json.loads(line) for line in (tmp_path / "out.errors.jsonl").read_text("utf-8").splitlines()]
    by_row = {e["row"]: e for e in errors}
    for i, (row, got) in enumerate(zip(rows, table.to_pylist(), strict=True)):
        assert str(got["编号"]) == row["编号"]
        data = {k: v for k, v in row.items() if v is not None and k not in ("编号", "就诊日期")}
        try:
            want = policy.evaluate(data, row["就诊日期"], OUT3)
        except RuleError as exc:
            assert got["错误"] == exc.message and by_row[i + 1]["message"] == exc.message
            continue
        assert i + 1 not in by_row
        for name in OUT3:
            assert Decimal(str(got[name])) == want[name]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_run_with_one_date_and_no_errors(tmp_path: Path) -> None:
    inp, out = tmp_path / "in.csv", tmp_path / "out.parquet"
    inp.write_text("医院级别,退休人员,本次费用,住院起付线,本年已就诊次数,本年已支付\n"
                   "二级,否,1000,600,0,0\n三级,是,\"1,234.50\",900,3,100\n", encoding="utf-8")
    (tmp_path / "out.errors.jsonl").write_text("stale\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["run", OUTPATIENT, "--date", "2025-03-01", "--input", str(inp),
                                    "--output", str(out), "--only", "统筹基金支付", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["rows"] == 2
    assert pq.read_table(out).column("统筹基金支付").to_pylist() == [Decimal("658.00"), Decimal("773.18")]
    assert not (tmp_path / "out.errors.jsonl").exists()


def test_run_is_atomic_when_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inp, out = tmp_path / "in.parquet", tmp_path / "out.csv"
    _outpatient_file(inp)
    out.write_text("previous result\n", encoding="utf-8")
    from guize.runtime import batch

    real = batch.Plan.run
    calls = []

    def failing(self: Any, chunk: Any, offset: int) -> Any:
        calls.append(offset)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self, chunk, offset)

    monkeypatch.setattr(batch.Plan, "run", failing)
    res = CliRunner().invoke(main, ["run", OUTPATIENT, "--date-column", "就诊日期", "--input", str(inp),
                                    "--output", str(out), "--chunk-rows", "5", *ONLY3])
    assert res.exit_code != 0 and len(calls) == 3, res.output
    assert out.read_text(encoding="utf-8") == "previous result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet", "out.csv"]


def test_run_strict_and_usage_errors(tmp_path: Path) -> None:
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.parquet"
    _outpatient_file(inp, 10)
    runner = CliRunner()
    res = runner.invoke(main, ["run", OUTPATIENT, "--date-column", "就诊日期", "--input", str(inp),
                               "--output", str(out), "--strict", *ONLY3])
    assert res.exit_code == 1 and "错误：第 1 行" in res.output and not out.exists()
    res = runner.invoke(main, ["run", OUTPATIENT, "--input", str(inp), "--output", str(out)])
    assert res.exit_code == 2 and "--date" in res.output
    res = runner.invoke(main, ["run", OUTPATIENT, "--date", "2025-03-01", "--input", str(inp),
                               "--output", str(tmp_path / "out.xls")])
    assert res.exit_code == 2
    res = runner.invoke(main, ["run", OUTPATIENT, "--date", "2020-01-01", "--input", str(inp),
                               "--output", str(out), *ONLY3])
    assert res.exit_code == 1 and "尚未施行" in res.output and not out.exists()
    res = runner.invoke(main, ["run", OUTPATIENT, "--date-column", "日期", "--input", str(inp),
                               "--output", str(out)])
    assert res.exit_code == 1 and "没有列「日期」" in res.output


def test_scale_alignment_beyond_int64_with_all_zero_values() -> None:
    # Regression (found by hypothesis): a rate read from a float column has 17 decimal places;
    # aligning an all-zero column to it needs a factor above 2**63, which must not crash.
    policy = guize.load("tests/golden/good/arithmetic.rule")
    data = {"本金": pa.array([0.0]), "实际利率": pa.array([0.0]), "报价利率": pa.array([0.39114174542764657]),
            "职工人数": pa.array([0.0])}
    table = policy.evaluate_batch(data, dt.date(2025, 3, 1))
    row = {k: v[0].as_py() for k, v in data.items()}
    expected = policy.evaluate(row, dt.date(2025, 3, 1))
    assert {k: table.column(k)[0].as_py() for k in expected} == expected
    assert table.column("错误")[0].as_py() is None


def test_negative_scale_decimals_too_large_for_int64_go_the_exact_way(tmp_path: Path) -> None:
    # decimal128(18, -3) holds 1E+20 as 10**17 thousands: in units it overflows int64. It
    # was read as 0 (a wrong result, not flagged); now that row goes the scalar way, which
    # rejects it as out of range (values.NUMBER_LIMIT).
    path = tmp_path / "p.rule"
    path.write_text("文件：\n  标题：《测试》\n  施行日期：2024年1月1日\n\n输入 甲：金额\n\n输出 乙：金额 = 甲 × 2\n",
                    encoding="utf-8")
    policy = guize.load(str(path))
    column = pa.array([Decimal("1E+20"), Decimal("5E+3")], type=pa.decimal128(18, -3))
    result = compare(policy, pa.table({"甲": column}), ON)
    assert result.column("乙").to_pylist() == [None, Decimal(10000)]
    assert "超出可计算的范围" in result.column("错误")[0].as_py()


def test_batchgen_dispatch_covers_every_node_class() -> None:
    """BatchGen.expr finds a node's method by its exact class (in place of a match statement,
    whose assert_never mypy checked): every class of ir.Expr has one, and nothing else. And the
    generator is freed without the cycle collector, which the compiler pauses (a dict of bound
    methods on it kept the whole generator, 9 MB at 50k lines, alive until the end)."""
    import gc
    import typing
    import weakref

    from guize.compiler import batchgen
    from guize.compiler.driver import check_source
    from guize.runtime import ir as ir_

    handled = set(batchgen.BY_KIND) | {ir_.Const, ir_.Input, ir_.Ref}  # (those three before the table)
    assert handled == set(typing.get_args(ir_.Expr))
    assert not {ir_.Const, ir_.Input, ir_.Ref} & set(batchgen.BY_KIND)
    path = Path("tests/golden/good/arithmetic.rule")
    gen = batchgen.BatchGen(check_source(path.read_text(encoding="utf-8"), str(path)))
    gc.disable()
    try:
        assert "DEFS = " in gen.generate()
        ref = weakref.ref(gen)
        del gen
        assert ref() is None
    finally:
        gc.enable()
