"""Hostile inputs and odd documents (issue 22): each case ends in a RuleError or a result."""

import datetime

import pytest

import guize
from guize.runtime.errors import InvalidInput, NotInForce, UnknownOutput

NO_OUTPUTS = ["policies/xinjiang/order_235.rule", "policies/xinjiang/register_2024q1.rule"]


# ---------------------------------------------------------------- documents without outputs


@pytest.mark.parametrize("path", NO_OUTPUTS)
@pytest.mark.parametrize("on", ["2025-03-01", "9999-12-31", datetime.date(2025, 3, 1),
                                datetime.datetime(2025, 3, 1, 12, tzinfo=datetime.UTC)])
def test_document_without_outputs_evaluates_to_nothing(path: str, on: object) -> None:
    policy = guize.load(path)
    assert policy.outputs == []
    for _ in range(3):  # the first calls and the fast front alike
        assert policy.evaluate({}, on) == {}
        assert policy.evaluate({}, on, []) == {}
    assert policy.interpret({}, on) == {}
    assert policy.explain({}, on).values == {}
    assert policy.window.status(datetime.date(2025, 3, 1))[0] == "in_force"


@pytest.mark.parametrize("path", NO_OUTPUTS)
def test_document_without_outputs_says_so(path: str) -> None:
    policy = guize.load(path)
    with pytest.raises(UnknownOutput, match="该文件没有输出"):
        policy.evaluate({}, "2025-03-01", ["统筹基金支付"])
    with pytest.raises(UnknownOutput, match="该文件没有输出"):
        policy.explain({}, "2025-03-01", ["统筹基金支付"])
    with pytest.raises(InvalidInput, match="未知的输入"):
        policy.evaluate({"本次费用": 1}, "2025-03-01")
    with pytest.raises(NotInForce):
        policy.evaluate({}, "2000-01-01")


@pytest.mark.parametrize("path", NO_OUTPUTS)
def test_document_without_outputs_in_batch(path: str) -> None:
    pytest.importorskip("pyarrow")
    policy = guize.load(path)
    table = policy.evaluate_batch({"编号": [1, 2, 3]}, "2025-03-01")
    assert table.column_names == ["错误"]
    assert table.num_rows == 3
    assert table.column("错误").null_count == 3
    table = policy.evaluate_batch({"编号": [1, 2]}, "2000-01-01")
    assert all("尚未施行" in m for m in table.column("错误").to_pylist())
    with pytest.raises(UnknownOutput, match="该文件没有输出"):
        policy.evaluate_batch({"编号": [1]}, "2025-03-01", ["统筹基金支付"])
    with pytest.raises(InvalidInput):
        policy.evaluate_batch({"编号": 1}, "2025-03-01")
