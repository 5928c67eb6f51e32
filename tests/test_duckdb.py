"""guize in DuckDB: a policy over a query's rows, and outputs as SQL functions; results equal
evaluate_batch (and so evaluate) row by row."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

import guize

duckdb = pytest.importorskip("duckdb")
pa = pytest.importorskip("pyarrow")
from guize.engines import duckdb as gd  # noqa: E402 - after the skip

OUTPATIENT = "policies/xinjiang/outpatient_2024.rule"
OUTPUTS = ["统筹基金支付", "支付比例", "起付标准"]


@pytest.fixture
def con() -> object:
    c = duckdb.connect()
    c.sql("""create table visits as select * from (values
        ('A', '二级', true, 1860.50::DECIMAL(12, 2), 600, 1, 3400, DATE '2025-03-01'),
        ('B', '三级', false, 1000, 600, 0, 0, DATE '2024-05-01'),
        ('C', '五级', false, 10, 600, 0, 0, DATE '2025-03-01'),
        ('D', '一级', true, 99999.99, 1200, 3, NULL, DATE '2020-01-01'),
        ('E', '未定级', false, 0.01, 0, 0, 0, DATE '2024-09-01'))
        t(编号, 医院级别, 退休人员, 本次费用, 住院起付线, 本年已就诊次数, 本年已支付, 就诊日期)""")
    return c


def test_evaluate_a_query_equals_evaluate_batch(con: object) -> None:
    policy = guize.load(OUTPATIENT)
    got = gd.evaluate(con, policy, "select * from visits order by 编号", "就诊日期", OUTPUTS, keep=["编号"],
                      chunk_rows=2).to_arrow_table()
    source = con.sql("select * from visits order by 编号").to_arrow_table()
    want = policy.evaluate_batch(source, "就诊日期", OUTPUTS, keep=["编号"])
    assert got.column_names == ["编号", *OUTPUTS, "错误"]
    assert got.to_pylist() == want.to_pylist()
    errors = dict(zip(got.column("编号").to_pylist(), got.column("错误").to_pylist(), strict=True))
    assert "不在可选范围内" in errors["C"] and "尚未施行" in errors["D"] and errors["A"] is None


def test_outputs_as_sql_functions(con: object) -> None:
    policy = guize.load(OUTPATIENT)
    names = gd.register(con, policy, on=datetime.date(2025, 3, 1), outputs=["支付比例", "统筹基金支付"], scale=2)
    assert names == ["支付比例", "统筹基金支付"]
    rows = con.sql("""select 编号, 支付比例(医院级别, 退休人员),
                      统筹基金支付(医院级别, 退休人员, 本次费用, 住院起付线, 本年已就诊次数, 本年已支付, NULL)
                      from visits order by 编号""").fetchall()
    records = con.sql("select * from visits order by 编号").to_arrow_table().to_pylist()
    for (key, rate, pay), record in zip(rows, records, strict=True):
        data = {k: v for k, v in record.items() if k not in ("编号", "就诊日期") and v is not None}
        for output, value in (("支付比例", rate), ("统筹基金支付", pay)):
            try:
                want = policy.evaluate(data, "2025-03-01", [output])[output]
            except guize.RuleError:
                want = None  # the row's error: NULL in SQL
            assert value == want, (key, output)
    assert rows[0][1:] == (Decimal("0.75"), Decimal("600.00"))
    # With on=None the first argument is each row's date.
    gd.register(con, policy, outputs=["支付比例"], prefix="dated_")
    dated = con.sql("select dated_支付比例(就诊日期, 医院级别, 退休人员) from visits order by 编号").fetchall()
    assert dated[0] == (Decimal("0.75"),) and dated[3] == (None,)  # D: 2020, not yet in force


def test_a_decimal_that_does_not_fit_is_an_error_not_rounded(con: object) -> None:
    policy = guize.load(OUTPATIENT)
    gd.register(con, policy, on="2025-03-01", outputs=["支付比例"], scale=0, prefix="coarse_")
    with pytest.raises(duckdb.Error, match="放不进 DECIMAL"):
        con.sql("select coarse_支付比例('二级', true)").fetchall()


def test_amended_policy_and_known_on() -> None:
    """known_on, one date or a column per row (NULL: as the rules now stand), in a query and in
    the SQL functions; each row equals Policy.evaluate with the same known_on."""
    policy = guize.load("policies/national/special_deductions_2018.rule")
    con = duckdb.connect()
    con.sql("""create table slips as select * from (values
        (1, 1, DATE '2023-03-01', DATE '2023-03-01'), (2, 1, DATE '2023-03-01', NULL),
        (3, 2, DATE '2021-03-01', DATE '2023-09-01'), (4, 1, DATE '2023-03-01', DATE '2018-01-01'))
        t(编号, 受教育子女人数, 日, 已知)""")
    query = "select * from slips order by 编号"
    got = gd.evaluate(con, policy, query, "日", ["子女教育每月扣除"], keep=["编号"], known_on="已知",
                      chunk_rows=3).to_arrow_table().to_pylist()
    for row, record in zip(got, con.sql(query).to_arrow_table().to_pylist(), strict=True):
        try:
            want = policy.evaluate({"受教育子女人数": record["受教育子女人数"]}, record["日"], ["子女教育每月扣除"],
                                   known_on=record["已知"])["子女教育每月扣除"]
        except guize.RuleError as exc:
            assert row["子女教育每月扣除"] is None and row["错误"] == exc.message
        else:
            assert row["子女教育每月扣除"] == want and row["错误"] is None
    assert [r["子女教育每月扣除"] for r in got[:3]] == [Decimal(1000), Decimal(2000), Decimal(2000)]
    one = gd.evaluate(con, policy, query, "日", ["子女教育每月扣除"], known_on="2023-03-01").to_arrow_table()
    assert one.column("子女教育每月扣除").to_pylist() == [Decimal(1000), Decimal(1000), Decimal(2000), Decimal(1000)]
    gd.register(con, policy, on=None, outputs=["子女教育每月扣除"], prefix="当时_", scale=2, known_on="2023-03-01")
    gd.register(con, policy, on=None, outputs=["子女教育每月扣除"], prefix="现行_", scale=2)
    rows = con.sql(f"select 当时_子女教育每月扣除(日, 受教育子女人数, NULL), 现行_子女教育每月扣除(日, 受教育子女人数, NULL) "
                   f"from ({query})").fetchall()
    assert rows[0] == (Decimal(1000), Decimal(2000)) and rows[2] == (Decimal(2000), Decimal(2000))
    with pytest.raises(guize.NotInForce, match="2018年12月22日发布"):
        gd.register(con, policy, on=None, outputs=["子女教育每月扣除"], prefix="早_", known_on="2018-01-01")
