"""evaluate_batch(..., keep=[...]): key columns copied before the outputs, like guize run --keep."""

from __future__ import annotations

import datetime

import pytest

import guize

pa = pytest.importorskip("pyarrow")

OUTPATIENT = "policies/xinjiang/outpatient_2024.rule"


def _table() -> object:
    return pa.table({"编号": ["A", "B", "C"], "批次": pa.array([7, 7, 8], pa.int32()),
                     "医院级别": ["二级", "三级", "五级"], "退休人员": [True, False, False]})


def test_keep_columns_come_first_unchanged() -> None:
    policy = guize.load(OUTPATIENT)
    table = _table()
    out = policy.evaluate_batch(table, datetime.date(2025, 3, 1), ["支付比例"], keep=["编号", "批次"])
    assert out.schema.names == ["编号", "批次", "支付比例", "错误"]
    assert out.column("编号").to_pylist() == ["A", "B", "C"]
    assert out.schema.field("批次").type == pa.int32()
    plain = policy.evaluate_batch(table, datetime.date(2025, 3, 1), ["支付比例"])
    assert out.select(["支付比例", "错误"]).equals(plain.select(["支付比例", "错误"]))
    assert out.schema.metadata == plain.schema.metadata  # the run's summary is kept
    # A single name and records (a list of dicts) work too.
    rows = table.to_pylist()
    assert policy.evaluate_batch(rows, "2025-03-01", ["支付比例"], keep="编号").column(0).to_pylist() == ["A", "B", "C"]


def test_keep_errors_are_chinese() -> None:
    policy = guize.load(OUTPATIENT)
    with pytest.raises(guize.RuleError, match="keep 中的列「编码」不在输入中；输入的列有：编号、批次"):
        policy.evaluate_batch(_table(), "2025-03-01", ["支付比例"], keep=["编码"])
    with pytest.raises(guize.RuleError, match="keep 中的列「编号x」不在输入中，是否指「编号」？"):
        policy.evaluate_batch(_table(), "2025-03-01", ["支付比例"], keep=["编号x"])
    with pytest.raises(guize.RuleError, match="「支付比例」与结果的列同名"):
        policy.evaluate_batch({**_table().to_pydict(), "支付比例": [1, 2, 3]}, "2025-03-01", ["支付比例"],
                              keep=["医院级别", "支付比例"])
