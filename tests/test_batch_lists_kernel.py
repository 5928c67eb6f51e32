"""A chunk reading a list input is recorded into a kernel (runtime/batchlists.py, kernel.py).

The items' aggregates are computed over the flattened items at once; the row values computed
from them are recorded and run block by block. Fields no asked output reads are only checked
(a boolean column without nulls not even converted), so a row with an invalid item still gets
the scalar path's error. A chunk whose items read a row value still being recorded goes eager,
and the evaluator remembers it. Every row agrees with the compiled scalar code and the
reference interpreter.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import guize
from guize.runtime import batch as B
from guize.runtime import kernel as K
from guize.runtime.errors import RuleError

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")

ROOT = Path(__file__).resolve().parent.parent
ON = dt.date(2024, 6, 1)
MEMBER = pa.struct([("月收入", pa.decimal128(18, 2)), ("年龄", pa.int64()), ("重度残疾", pa.bool_()),
                    ("重病", pa.bool_())])


@pytest.fixture(scope="module")
def policy() -> guize.Policy:
    return guize.load(ROOT / "policies" / "national" / "subsistence_allowance_2014.rule", corpus=False)


def households(n: int, seed: int = 3) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        members = [{"月收入": Decimal(int(rng.integers(0, 3)) * int(rng.integers(0, 100_000))).scaleb(-2),
                    "年龄": int(rng.integers(0, 1080)), "重度残疾": bool(rng.random() < 0.1),
                    "重病": bool(rng.random() < 0.05)}
                   for _ in range(min(int(rng.poisson(2.5)), 6))]
        rows.append({"共同生活的家庭成员": members,
                     "当地最低生活保障标准": Decimal(int(rng.integers(50_000, 120_000))).scaleb(-2),
                     "财产状况符合当地规定": bool(rng.random() < 0.9)})
    return rows


def as_table(rows: list[dict[str, Any]], member: Any = MEMBER) -> Any:
    return pa.table({"共同生活的家庭成员": pa.array([r["共同生活的家庭成员"] for r in rows], type=pa.list_(member)),
                     "当地最低生活保障标准": pa.array([r["当地最低生活保障标准"] for r in rows], type=pa.decimal128(18, 2)),
                     "财产状况符合当地规定": [r["财产状况符合当地规定"] for r in rows]})


def agree(policy: guize.Policy, rows: list[dict[str, Any]], result: Any, outputs: list[str]) -> None:
    """Each row of `result` is the compiled scalar answer and the reference interpreter's, or their error."""
    for record, got in zip(rows, result.to_pylist(), strict=True):
        data = {**record, "共同生活的家庭成员": [{k: v for k, v in m.items() if v is not None}
                                               for m in record["共同生活的家庭成员"]]}
        answers = []
        for run in (policy.evaluate, policy.interpret):
            try:
                answers.append(run(data, ON, outputs))
            except RuleError as exc:
                answers.append(exc.message)
        assert answers[0] == answers[1]
        if isinstance(answers[0], str):
            assert got["错误"] == answers[0]
        else:
            assert got["错误"] is None
            assert {k: tuple(got[k]) if isinstance(got[k], list) else got[k] for k in outputs} == answers[0]


def test_the_allowance_alone_is_recorded_into_a_kernel(policy: guize.Policy, monkeypatch: pytest.MonkeyPatch) -> None:
    runs = []
    real = K.Recorder.run
    monkeypatch.setattr(K.Recorder, "run", lambda self, *a: (runs.append(self), real(self, *a))[1])
    rows = households(600)
    result = B.evaluate_batch(policy, as_table(rows), ON, ["月低保金"], block_rows=64)
    assert len(runs) == 1  # recorded (lists made every such chunk eager)
    assert b'"rows_scalar": 0' in result.schema.metadata[b"guize"]
    agree(policy, rows, result, ["月低保金"])


@pytest.mark.parametrize("outputs", [["月低保金"], ["家庭人口", "重点保障人数"], None])
def test_an_invalid_field_no_output_reads_is_still_its_rows_error(policy: guize.Policy, outputs: Any) -> None:
    rows = households(300)
    member = pa.struct([("月收入", pa.decimal128(18, 2)), ("年龄", pa.int64()), ("重度残疾", pa.bool_()),
                        ("重病", pa.bool_())])
    bad = [i for i, r in enumerate(rows) if r["共同生活的家庭成员"]][:4]
    rows[bad[0]]["共同生活的家庭成员"][0]["年龄"] = -1  # a negative age
    rows[bad[1]]["共同生活的家庭成员"][-1]["年龄"] = None  # missing, no default
    rows[bad[2]]["共同生活的家庭成员"][0]["重病"] = None  # missing, default 否: fine
    rows[bad[3]]["共同生活的家庭成员"][0]["月收入"] = None  # missing income
    names = outputs or [o.name for o in policy.outputs]
    result = B.evaluate_batch(policy, as_table(rows, member), ON, outputs, block_rows=64)
    errors = result.column("错误").to_pylist()
    assert [i for i, e in enumerate(errors) if e] == [bad[0], bad[1], bad[3]]
    agree(policy, rows, result, names)


def test_boolean_fields_no_output_reads_are_not_converted(policy: guize.Policy,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    converted = []
    real = B.convert_column
    monkeypatch.setattr(B, "convert_column", lambda spec, *a: (converted.append(spec["name"]), real(spec, *a))[1])
    rows = households(200)
    policy.evaluate_batch(as_table(rows), ON, ["月低保金"])
    assert "月收入" in converted and "年龄" in converted  # read, and checked (a wrong age is an error)
    assert "重度残疾" not in converted and "重病" not in converted  # no nulls: nothing can be wrong
    converted.clear()
    policy.evaluate_batch(as_table(rows), ON, ["重点保障人数"])
    assert {"重度残疾", "重病"} <= set(converted)


def test_items_reading_a_recorded_row_value_go_eager_once(policy: guize.Policy,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """重点保障对象 reads 符合低保条件 in each item: recording fails on the first call only."""
    tries: list[bool] = []
    real = B.Plan._columnar
    monkeypatch.setattr(B.Plan, "_columnar", lambda self, *a: (tries.append(a[-1] is not None), real(self, *a))[1])
    evaluator = B.BatchEvaluator(policy)
    rows = households(300)
    table = as_table(rows)
    first = evaluator.evaluate(table, ON, block_rows=64)
    assert tries == [True, False]
    tries.clear()
    again = evaluator.evaluate(table, ON, block_rows=64)
    assert tries == [False]  # (each try converts the inputs and the lists again)
    assert first.equals(again)
    agree(policy, rows, first, [o.name for o in policy.outputs])


def test_a_division_guarded_by_its_divisor_flags_no_row() -> None:
    """家庭人口 = 0 and 家庭人口 > 0 cannot hold together: the zero divisors under that guard are not flagged."""
    from guize.runtime.batchops import Chunk, Num
    from guize.runtime.batchratio import disjoint

    c = Chunk({}, 4, lambda c, name: None, 0, ())
    x = Num(np.array([0, 1, 2, 3], dtype=np.int64), 0, 0, 3)
    y = Num(np.array([5, 0, 2, 1], dtype=np.int64), 0, 0, 5)
    zero, k0 = c.cmp("==", x, Num(0, 0, 0, 0)), Num(0, 0, 0, 0)
    assert disjoint(c, zero, c.cmp(">", x, k0))
    assert disjoint(c, zero, c.and_(c.and_(c.cmp(">", x, k0), c.cmp("<", y, x)), np.ones(4, dtype=bool)))
    assert disjoint(c, c.cmp("<", x, y), c.cmp(">=", x, y))
    assert not disjoint(c, zero, c.cmp(">=", x, k0))  # 0 >= 0
    assert not disjoint(c, zero, c.cmp(">", y, k0))  # another column
    assert not disjoint(c, zero, c.or_(c.cmp(">", x, k0), c.cmp(">", y, k0)))  # an or proves nothing
    assert not disjoint(c, zero, True)


def test_a_guard_under_not_keeps_its_comparison() -> None:
    """非 (家庭人口 = 0) excludes 家庭人口 = 0; making 非 of a comparison does not hide the
    comparison from a later use of it; 非 (a 或 b) holds 非 a and 非 b; 非 (a 且 b) proves nothing."""
    from guize.runtime.batchops import Chunk, Num
    from guize.runtime.batchratio import disjoint

    c = Chunk({}, 4, lambda c, name: None, 0, ())
    x = Num(np.array([0, 1, 2, 3], dtype=np.int64), 0, 0, 3)
    y = Num(np.array([5, 0, 2, 1], dtype=np.int64), 0, 0, 5)
    k0 = Num(0, 0, 0, 0)
    zero = c.cmp("==", x, k0)
    nonzero = c.not_(zero)
    assert disjoint(c, zero, nonzero)
    assert disjoint(c, zero, c.and_(nonzero, c.cmp("<", y, x)))
    assert disjoint(c, zero, c.cmp(">", x, k0))  # zero's own comparison, after 非 zero was made
    assert disjoint(c, zero, c.not_(c.or_(zero, c.cmp(">", y, k0))))
    assert disjoint(c, c.not_(c.cmp(">=", x, y)), c.cmp(">", x, y))  # 非 (x >= y) is x < y
    assert not disjoint(c, zero, c.not_(c.and_(zero, c.cmp(">", y, k0))))
    assert not disjoint(c, zero, c.not_(c.cmp("!=", x, k0)))  # 非 (x != 0) is x = 0
    assert not disjoint(c, zero, c.not_(nonzero))  # (is zero itself)


def test_the_product_both_sides_of_a_ratio_need_is_made_once() -> None:
    """人均月收入 < 标准 and 标准 − 人均月收入 both bring 标准 over 家庭人口: one 标准 × 家庭人口."""
    from guize.runtime import batchratio as R
    from guize.runtime.batchops import Chunk, Num

    n = 6
    rec = K.Recorder(n)
    c = Chunk({}, n, lambda c, name: None, 0, (), k=rec)
    income = Num(np.array([0, 100, 250, 900, 60, 7], dtype=np.int64), 2, 0, 900)
    people = Num(np.array([0, 1, 2, 3, 1, 2], dtype=np.int64), 0, 0, 3)
    standard = Num(np.array([500, 50, 300, 100, 70, 5], dtype=np.int64), 2, 0, 500)
    mean = R.shared(R.div(c, income, people))
    below = R.cmp(c, "<", mean, standard, c.cmp(">", people, Num(0, 0, 0, 0)))
    gap = R.sub(c, standard, mean)
    assert sum(f is np.multiply for f, *_rest in rec.calls) == 1
    alloc = lambda size, dtype: np.empty(size, dtype=dtype)  # noqa: E731
    gap_v, below_v = rec.materialize(gap.n.v, alloc), rec.materialize(below, alloc)
    rec.run(alloc, 4)
    # (row 0: a zero divisor, undefined, whatever its value: nothing reads it)
    assert gap_v.tolist()[1:] == [50 - 100, 600 - 250, 300 - 900, 70 - 60, 10 - 7]
    assert not any(f is np.maximum for f, *_rest in rec.calls)  # no safe divisor: nothing divides
    assert below_v.tolist()[1:] == [False, True, False, True, True]  # income < 标准 × 家庭人口
