"""Progressive scales (超额累进 / 全额累进): compiled, reference and batch agree with each other
and with the statute's own published quick deductions; explanations list every bracket."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.runtime.batch import batch_module
from guize.runtime.errors import NotInForce
from guize.tools import coverage, testing

ROOT = Path(__file__).resolve().parent.parent
IIT = ROOT / "policies" / "national" / "iit_2019.rule"
GOLDEN = ROOT / "tests" / "golden" / "good" / "progressive.rule"
ON = dt.date(2024, 3, 1)

# 个人所得税税率表一（综合所得适用）as published, with the quick deductions the tax authority
# prints beside it (not in the statute; guize derives them): an independent check.
BRACKETS = [(Decimal(36000), Decimal("0.03"), Decimal(0)),
            (Decimal(144000), Decimal("0.10"), Decimal(2520)),
            (Decimal(300000), Decimal("0.20"), Decimal(16920)),
            (Decimal(420000), Decimal("0.25"), Decimal(31920)),
            (Decimal(660000), Decimal("0.30"), Decimal(52920)),
            (Decimal(960000), Decimal("0.35"), Decimal(85920)),
            (None, Decimal("0.45"), Decimal(181920))]


def published(taxable: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(tax, rate, quick deduction) by the published table: taxable × rate − quick deduction."""
    for top, rate, quick in BRACKETS:
        if top is None or taxable <= top:
            return taxable * rate - quick, rate, quick
    raise AssertionError


def by_brackets(taxable: Decimal) -> Decimal:
    """Σ over brackets, bracket by bracket, as the statute words it."""
    total, low = Decimal(0), Decimal(0)
    for top, rate, _quick in BRACKETS:
        if taxable <= low:
            break
        part = (taxable if top is None else min(taxable, top)) - low
        total += part * rate
        low = top if top is not None else low
    return total


@pytest.fixture(scope="module")
def iit() -> guize.Policy:
    return guize.load(IIT, corpus=False)


money = st.decimals(min_value=0, max_value=5_000_000, places=2, allow_nan=False, allow_infinity=False)
edges = st.sampled_from([Decimal(0), Decimal(60000), Decimal(96000), Decimal("96000.01"),
                         Decimal(204000), Decimal(1020000), Decimal("1020000.01")])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(income=st.one_of(money, edges), special=money)
def test_compiled_reference_and_statute_agree(iit: guize.Policy, income: Decimal, special: Decimal) -> None:
    data = {"年收入额": str(income), "专项扣除": str(special)}
    got = iit.evaluate(data, ON)
    assert got == iit.interpret(data, ON)
    taxable = max(income - 60000 - special, Decimal(0))
    tax, rate, quick = published(taxable)
    assert got["应纳税所得额"] == taxable
    assert got["适用税率"] == rate
    assert got["速算扣除数"] == quick
    exact = by_brackets(taxable)
    assert exact == tax  # the statute's Σ equals the published quick-deduction form
    assert got["应纳税额"] == exact.quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_not_in_force_before_2019(iit: guize.Policy) -> None:
    with pytest.raises(NotInForce):
        iit.evaluate({"年收入额": 100000}, dt.date(2018, 12, 31))


def test_explain_lists_each_bracket_with_its_citation(iit: guize.Policy) -> None:
    text = iit.explain({"年收入额": 200000, "专项扣除": 20000}, ON, ["应纳税额"]).render()
    assert "超额累进「不超过36000元的部分」：36000 × 3% = 1080" in text
    assert "超额累进「超过36000元至144000元的部分」：84000 × 10% = 8400" in text
    assert "超额累进合计：9480" in text
    assert "超过144000元" not in text  # brackets the amount does not reach are not listed


def test_batch_computes_scales_in_columns(iit: guize.Policy) -> None:
    pa = pytest.importorskip("pyarrow")
    assert batch_module(iit.module).FALLBACK == {}
    incomes = ["0", "96000", "96000.01", "204000", "500000.55", "1020000.01", "3000000"]
    table = pa.table({"年收入额": pa.array([Decimal(x) for x in incomes], pa.decimal128(12, 2))})
    result = iit.evaluate_batch(table, ON).to_pylist()
    for income, row in zip(incomes, result, strict=True):
        want = iit.evaluate({"年收入额": income}, ON)
        assert row["错误"] is None
        assert {k: row[k] for k in want} == want


def test_golden_scales_agree_everywhere() -> None:
    pa = pytest.importorskip("pyarrow")
    policy = guize.load(GOLDEN, corpus=False)
    # A dated scale is computed by columns too: one unrolled scale per version, chosen per row.
    fallback = batch_module(policy.module).FALLBACK
    assert "分期税额" not in fallback and "税额" not in fallback and "全额税额" not in fallback
    for ex in policy.examples:
        data, on = ex["inputs"], ex["date"]
        want = policy.evaluate(data, on)
        assert want == policy.interpret(data, on)
        table = pa.table({k: pa.array([Decimal(v)], pa.decimal128(14, 2)) for k, v in data.items()})
        (row,) = policy.evaluate_batch(table, on).to_pylist()
        assert row["错误"] is None and {k: row[k] for k in want} == want


def test_coverage_counts_brackets_reached(tmp_path: Path) -> None:
    report = testing.run([str(IIT)], coverage=True)
    (cov,) = coverage.from_report(report)
    brackets = [m for m in cov.missed if m.category == "bands" and m.owner == "综合所得税率表"]
    # The examples reach the first two brackets and the top one, through every bracket below it.
    assert brackets == []
    assert cov.counts["bands"].total >= 7


QUICK = """\
文件：
  标题：《速算扣除数》
  施行日期：2019年1月1日

输入 所得：金额

表 税率表：超额累进  依据 附表一
  不超过36000元的部分：3%
  超过36000元至144000元的部分：10%
  超过144000元的部分：20%

表 速算扣除数表：金额 按 所得 分段  依据 附表一
  不超过36000元：0元
  超过36000元至144000元：2520元
  超过144000元：{top}

输出 税额：金额 = 所得 × 适用税率(税率表，所得) - 速算扣除数表  依据 附表一
"""


@pytest.mark.parametrize(("top", "found"), [("16920元", []), ("16900元", [(15, "16920")])])
def test_lint_checks_quick_deductions_against_the_scale(tmp_path: Path, top: str,
                                                        found: list[tuple[int, str]]) -> None:
    from guize.tools.lint import lint

    path = tmp_path / "quick.rule"
    path.write_text(QUICK.format(top=top), encoding="utf-8")
    findings = [d for d in lint([str(path)]) if d.code == "L405"]
    assert [(d.span.line, d.message.split("应为 ")[1].split("（")[0]) for d in findings] == found


huge = st.decimals(min_value=0, max_value=10**15 - 1, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(income=st.one_of(money, edges, huge, st.sampled_from([Decimal(10**15 - 1), Decimal("999999999999999.99")])),
       other=st.one_of(money, huge), output=st.sampled_from([None, "适用税率", "应纳税额", "速算扣除数"]))
def test_scale_written_out_equals_the_runtime(iit: guize.Policy, income: Decimal, other: Decimal,
                                              output: str | None) -> None:
    """The scale's common case written into the generated code (compiler/scale_inline.py):
    the same values, digit for digit, as the reference interpreter's runtime functions, for
    every output alone and all together, up to the largest inputs and below zero."""
    data = {"年收入额": str(income), "其他扣除": str(other)}
    outputs = None if output is None else [output]
    got, want = iit.evaluate(data, ON, outputs), iit.interpret(data, ON, outputs)
    assert {k: str(v) for k, v in got.items()} == {k: str(v) for k, v in want.items()}


def test_the_scale_is_written_out_in_the_generated_code() -> None:
    from guize.compiler.driver import compile_file

    python = compile_file(str(IIT)).python
    assert "_scales.rate(_K" in python and "_scales.quick_form(" in python  # the runtime's beyond the bound
    out_all = python[python.index("def out_all("):python.index("def out_subset(")]
    assert "_scales.amount(_K14, " in out_all and "_K14qd[" in out_all
