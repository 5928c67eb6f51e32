"""guize on Spark: mapInArrow over a local[2] session; results equal evaluate_batch row by row.
(One session for the module: it starts in a few seconds, the JVM is Java 17.)"""

from __future__ import annotations

import datetime
import shutil
import sys
from collections.abc import Iterator
from decimal import Decimal

import pytest

import guize

pyspark = pytest.importorskip("pyspark")
pa = pytest.importorskip("pyarrow")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java", allow_module_level=True)

from guize.engines import spark as gs  # noqa: E402 - after the skips

# PySpark's own warnings about the pandas and Python it finds are not guize's to fix.
pytestmark = [pytest.mark.filterwarnings("ignore::FutureWarning:pyspark.*"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning:pyspark.*"),
              pytest.mark.filterwarnings("ignore::ResourceWarning")]

OUTPATIENT = "policies/xinjiang/outpatient_2024.rule"
OUTPUTS = ["统筹基金支付", "支付比例"]
ROWS = [("A", "二级", True, Decimal("1860.50"), 600, 1, Decimal("3400"), datetime.date(2025, 3, 1)),
        ("B", "三级", False, Decimal("1000"), 600, 0, Decimal("0"), datetime.date(2024, 5, 1)),
        ("C", "五级", False, Decimal("10"), 600, 0, Decimal("0"), datetime.date(2025, 3, 1)),
        ("D", "一级", True, Decimal("99999.99"), 1200, 3, None, datetime.date(2020, 1, 1)),
        ("E", "未定级", False, Decimal("0.01"), 0, 0, Decimal("0"), datetime.date(2024, 9, 1))]
COLUMNS = ["编号", "医院级别", "退休人员", "本次费用", "住院起付线", "本年已就诊次数", "本年已支付", "就诊日期"]


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    from pyspark.sql import SparkSession

    with pytest.MonkeyPatch.context() as mp:
        # The Python workers run this interpreter (with guize installed), not the first python3 on PATH.
        mp.setenv("PYSPARK_PYTHON", sys.executable)
        session = (SparkSession.builder.master("local[2]").appName("guize-test")
                   .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                   .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate())
        session.sparkContext.setLogLevel("ERROR")
        yield session
        session.stop()


def _frame(spark: object) -> object:
    from pyspark.sql import types as T

    schema = T.StructType([T.StructField("编号", T.StringType()), T.StructField("医院级别", T.StringType()),
                           T.StructField("退休人员", T.BooleanType()), T.StructField("本次费用", T.DecimalType(12, 2)),
                           T.StructField("住院起付线", T.IntegerType()), T.StructField("本年已就诊次数", T.IntegerType()),
                           T.StructField("本年已支付", T.DecimalType(12, 2)), T.StructField("就诊日期", T.DateType())])
    return spark.createDataFrame(ROWS, schema).repartition(2)  # type: ignore[attr-defined]


def test_spark_equals_evaluate_batch(spark: object) -> None:
    policy = guize.load(OUTPATIENT)
    out = gs.evaluate(_frame(spark), policy, "就诊日期", OUTPUTS, keep=["编号"], scale=2)
    assert out.columns == ["编号", *OUTPUTS, "错误"]
    got = sorted((tuple(r) for r in out.collect()), key=lambda r: r[0])
    source = pa.Table.from_pylist([dict(zip(COLUMNS, r, strict=True)) for r in ROWS])
    want = policy.evaluate_batch(source, "就诊日期", OUTPUTS, keep=["编号"]).to_pylist()
    assert [dict(zip(out.columns, r, strict=True)) for r in got] == want
    assert got[0][1] == Decimal("600.00") and "尚未施行" in got[3][3]


def test_spark_one_date_and_a_scale_too_small(spark: object) -> None:
    policy = guize.load(OUTPATIENT)
    out = gs.evaluate(_frame(spark), policy, datetime.date(2025, 3, 1), ["支付比例"], scale=2)
    rates = dict((r[0], r[1]) for r in gs.evaluate(_frame(spark), policy, "2025-03-01", ["支付比例"],
                                                    keep=["编号"]).collect())
    assert rates["A"] == Decimal("0.75") and rates["C"] is None
    assert sorted(r[0] for r in out.collect() if r[0] is not None) == sorted(
        v for v in rates.values() if v is not None)
    with pytest.raises(Exception, match=r"(?i)decimal|rescale|lose"):
        gs.evaluate(_frame(spark), policy, "2025-03-01", ["支付比例"], scale=0).collect()


def test_amended_policy_and_known_on(spark: object) -> None:
    """A base loaded with its amendments is shipped as merged (not recompiled alone), known_on too."""
    from pyspark.sql import types as T

    policy = guize.load("policies/national/special_deductions_2018.rule")
    schema = T.StructType([T.StructField("受教育子女人数", T.IntegerType()), T.StructField("日", T.DateType())])
    df = spark.createDataFrame([(1, datetime.date(2023, 3, 1)), (2, datetime.date(2021, 3, 1))], schema)  # type: ignore[attr-defined]
    now = [r["子女教育每月扣除"] for r in gs.evaluate(df, policy, "日", ["子女教育每月扣除"]).collect()]
    then = [r["子女教育每月扣除"] for r in gs.evaluate(df, policy, "日", ["子女教育每月扣除"],
                                                    known_on="2023-03-01").collect()]
    assert now == [Decimal(2000), Decimal(2000)] and then == [Decimal(1000), Decimal(2000)]


def test_known_on_column(spark: object) -> None:
    """known_on as a column of the DataFrame (a NULL: as the rules now stand), row by row."""
    from pyspark.sql import types as T

    policy = guize.load("policies/national/special_deductions_2018.rule")
    schema = T.StructType([T.StructField("受教育子女人数", T.IntegerType()), T.StructField("日", T.DateType()),
                           T.StructField("已知", T.DateType())])
    day = datetime.date(2023, 3, 1)
    df = spark.createDataFrame([(1, day, day), (1, day, None), (1, day, datetime.date(2018, 1, 1))], schema)  # type: ignore[attr-defined]
    rows = gs.evaluate(df, policy, "日", ["子女教育每月扣除"], known_on="已知").collect()
    assert [r["子女教育每月扣除"] for r in rows] == [Decimal(1000), Decimal(2000), None]
    assert "2018年12月22日发布" in rows[2]["错误"]
