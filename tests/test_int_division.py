"""向下取整/向上取整 of a whole-number quotient, written out in the generated code.

codegen.int_division writes values.div_int's integer case in place (`a // b`, `-(-a // b)`)
behind div_int's own tests (whole numbers within INT_LIMIT, a divisor not zero), and calls
div_int otherwise: beyond INT_LIMIT (the Decimal path and its answer), a zero divisor (its
error), Decimal operands. Each shape of operand code (a local, a constant, an expression on
either side or both) is checked against the reference interpreter and the batch engine.
"""

from __future__ import annotations

import datetime
import inspect
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.runtime import values
from guize.runtime.errors import RuleError

ON = datetime.date(2025, 3, 1)
LIMIT = values.INT_LIMIT

RULE = """\
文件：
  标题：《整除》
  施行日期：2024年1月1日

输入 甲：整数，可为负
输入 乙：整数，可为负
输入 金额甲：金额
输入 期间甲：期间
输出 常数下：整数 = 向下取整(甲 ÷ 12)
输出 常数上：整数 = 向上取整(甲 ÷ 12)
输出 负常数上：整数 = 向上取整(甲 ÷ (0 - 7))
输出 两名下：整数 = 向下取整(甲 ÷ 乙)
输出 两名上：整数 = 向上取整(甲 ÷ 乙)
输出 左式下：整数 = 向下取整((甲 × 甲 × 甲) ÷ 乙)
输出 右式上：整数 = 向上取整(甲 ÷ (乙 × 乙 + 乙))
输出 两式上：整数 = 向上取整((甲 + 1) ÷ (乙 - 1))
输出 截尾：整数 = 截尾(甲 ÷ 乙)
输出 金额下：整数 = 向下取整(金额甲 ÷ 3元)
输出 期间上：整数 = 向上取整(期间甲 ÷ 5个月)
"""

OUTPUTS = ("常数下", "常数上", "负常数上", "两名下", "两名上", "左式下", "右式上", "两式上", "截尾", "金额下", "期间上")


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("division") / "division.rule"
    path.write_text(RULE, encoding="utf-8")
    return guize.load(path, corpus=False)


def outcome(run: Any, data: dict[str, Any], output: str) -> Any:
    try:
        return run(data, ON, [output])
    except RuleError as exc:
        return ("error", type(exc).__name__, exc.message)


def test_the_integer_case_is_written_out(policy: guize.Policy) -> None:
    """Floor and ceiling of whole numbers are no call (the other modes still call div_int)."""
    source = " ".join(inspect.getsource(policy.module.out_all).split())  # lines unwrapped
    assert "甲 // 12 if" in source and "-(-d_" not in source  # outputs are computed in place
    assert "-(-i_甲 // 12) if" in source and "-(-i_甲 // i_乙) if" in source
    assert source.count("_v.div_int(") == source.count(" else _v.div_int(") + 2  # 两式上, 截尾


whole = st.one_of(st.integers(-1000, 1000), st.integers(-LIMIT + 1, LIMIT - 1),
                  st.sampled_from([0, 1, -1, LIMIT - 1, -LIMIT + 1, LIMIT, -LIMIT, 10**20]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=whole, b=whole, money=st.sampled_from(["7.50", "0", "123456789.99", "-1"]), months=st.integers(0, 2000),
       output=st.sampled_from(OUTPUTS))
def test_every_engine_agrees(policy: guize.Policy, a: int, b: int, money: str, months: int, output: str) -> None:
    """Values and errors (a zero divisor, an input beyond the limit, a negative amount) alike."""
    data = {"甲": a, "乙": b, "金额甲": money, "期间甲": months}
    got = outcome(policy.evaluate, data, output)
    assert got == outcome(policy.interpret, data, output)
    if isinstance(got, dict):
        assert type(got[output]) is int


def test_batch_agrees(policy: guize.Policy) -> None:
    pa = pytest.importorskip("pyarrow")
    rows = [{"甲": a, "乙": b, "金额甲": "7.50", "期间甲": 13}
            for a in (-25, -24, -1, 0, 1, 11, 12, 13, 999_999)
            for b in (-5, -2, 2, 3, 7, 1000)]
    table = pa.table({k: [r[k] for r in rows] for k in ("甲", "乙", "期间甲")}
                     | {"金额甲": pa.array([values.to_decimal(r["金额甲"], "金额甲") for r in rows],
                                         pa.decimal128(18, 2))})
    result = policy.evaluate_batch(table, ON).to_pylist()
    for row, got in zip(rows, result, strict=True):
        want = policy.evaluate(row, ON)
        assert {k: got[k] for k in OUTPUTS} == {k: int(v) for k, v in want.items()}, row


def test_a_whole_number_beyond_the_limit_takes_the_decimal_path(policy: guize.Policy) -> None:
    """甲 × 甲 × 甲 of INT_LIMIT - 1 is beyond INT_LIMIT: div_int's Decimal quotient, as the interpreter."""
    data = {"甲": LIMIT - 1, "乙": 7, "金额甲": "1", "期间甲": 1}
    assert outcome(policy.evaluate, data, "左式下") == outcome(policy.interpret, data, "左式下")
    zero = {"甲": 5, "乙": 0, "金额甲": "1", "期间甲": 1}
    for output in ("两名下", "两名上", "右式上"):
        assert outcome(policy.evaluate, zero, output) == outcome(policy.interpret, zero, output) == (
            "error", "EvaluationError", "除数为零"), output


def test_the_corpus_divisions(tmp_path: Path) -> None:
    """Severance's 满年数 and retirement's 延迟月数 are written out too."""
    root = Path(__file__).resolve().parent.parent
    severance = guize.load(root / "policies/national/severance_2008.rule")
    assert "d_工作年限 // 12 if" in inspect.getsource(severance.module.out_all)
    retirement = guize.load(root / "policies/national/retirement_age_2025.rule")
    assert "-(-d_改革后第几个出生月 // d_每延迟一个月所需月数) if" in inspect.getsource(retirement.module.out_all)
