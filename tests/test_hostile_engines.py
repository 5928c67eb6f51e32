"""Hostile values against the newer fast paths, every engine at once (the fast slice of the
fixes4 property run; `GUIZE_HOSTILE_EXAMPLES=2000 pytest tests/test_hostile_engines.py` runs longer).

Each case is a corpus example with some inputs replaced by hostile values (huge and tiny
exponents, -0, NaN and Infinity as text and Decimal, bools and floats for numbers, lists of the
wrong shape, items missing fields or holding unknown ones, unknown input names) on its date or a
date out of force, for None, one output, a list within an output's own function (LISTS_WITHIN,
compiler/listsdrop.py) or any list. Compared: Policy.evaluate before the copies
(runtime/specialize.py; never copying), after them (copying at the first call), the undated fast
evaluate (policy._Undated: annual leave, retirement), the reference interpreter, and batch for
the same record as a one-row table; then the same cases from four threads at once on one Policy
that copies at its 64th call, as a server would.
"""

from __future__ import annotations

import datetime
import os
import re
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import differential
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.runtime import policy as policy_module
from guize.runtime.errors import RuleError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("policies/*/*.rule"))
EXAMPLES = int(os.environ.get("GUIZE_HOSTILE_EXAMPLES", "25"))

NUMBERS: list[Any] = [Decimal("1E+999999"), Decimal("1E-999999"), "1e999999", "-1e-30", Decimal("-0"), "-0", -0.0,
                      "NaN", "-Infinity", "Infinity", Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), True, False,
                      0.1, 1e300, 5e-324, float("nan"), float("inf"), 10**15, -(10**15) + 1, 2**63, "1,000.50", "  7 ",
                      "", "0x10", "1_000", "１２", "80%", "½", Decimal("123456789012345678901234567890.12"),
                      Decimal("0.000000000000000000000000000001"), "-", None, 3, Decimal("12.3450"), "P1Y", 119]
OTHERS: list[Any] = [[], {}, [{}], [None], [[]], ["x"], [{"未知字段": 1}], ({"x": 1},), "是", "否", "南疆", datetime.date(2025, 3, 1),
                     "2025-02-30", "0001-01-01", "9999-12-31", object()]
HOSTILE = NUMBERS + OTHERS


_shown = differential.shown


_LOADED: dict[str, Any] = {}


def _policy(path: str) -> Any:
    if path not in _LOADED:
        _LOADED[path] = guize.load(ROOT / path)
    return _LOADED[path]


_engines = differential.copying_and_plain


def _item_values(spec: dict[str, Any]) -> list[Any]:
    """Hostile lists for a list input: items missing fields, with unknown ones, of other kinds."""
    fields = [f["name"] for f in spec.get("fields", ())] if isinstance(spec.get("fields"), (list, tuple)) else []
    items: list[Any] = [[{f: v for f in fields}] for v in ("NaN", Decimal("-0"), True, 1e300, None, "")]
    items += [[{f: 1 for f in fields[:1]}], [{**{f: 1 for f in fields}, "未知": 2}], [{f: 1 for f in fields}] * 3]
    return items


@st.composite
def cases(draw: Any) -> tuple[str, dict[str, Any], Any, list[str] | None]:
    path = draw(st.sampled_from(CORPUS))
    policy = _policy(path)
    examples = [ex for ex in policy.examples if not ex.get("known_on")]
    outputs_all = list(policy.module.OUTPUTS)
    if not examples or not outputs_all:
        return path, {}, datetime.date(2025, 3, 1), None
    ex = draw(st.sampled_from(examples))
    data = dict(ex["inputs"])
    names = list(policy._specs)
    for name in draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
        spec = policy._specs[name]
        pool = HOSTILE + (_item_values(spec) if spec.get("kind") == "list" else [])
        choice = draw(st.sampled_from([*pool, "delete"]))
        if choice == "delete":
            data.pop(name, None)
        else:
            data[name] = choice
    if draw(st.integers(0, 9)) == 0:
        data[draw(st.sampled_from(["未知输入", names[0] + "x" if names else "x", ""]))] = 1
    on = ex["date"]
    if draw(st.integers(0, 9)) == 0:
        on = draw(st.sampled_from([datetime.date(1900, 1, 1), datetime.date(9999, 12, 31), "2025-13-01", "不是日期"]))
    lists: list[list[str] | None] = [None, *([o] for o in outputs_all), outputs_all[::-1],
                                     *(list(k) for k in policy._within), *(list(k) for k in policy._lists)]
    outputs = draw(st.sampled_from(lists))
    if outputs is not None and len(outputs_all) > 2 and draw(st.booleans()):
        outputs = draw(st.lists(st.sampled_from(outputs_all), min_size=1, max_size=4))
    return path, data, on, outputs


@pytest.fixture
def at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(policy_module, "_SPECIALISE_AFTER", 1)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases())
def test_hostile_values_in_every_engine(at_once: None, case: tuple[str, dict[str, Any], Any, list[str] | None]) -> None:
    path, data, on, outputs = case
    policy = _policy(path)
    want = _shown(policy.interpret, data, on, outputs)
    for name, engine in _engines(policy).items():
        for _ in range(2):  # the first call (planning, copying) and the next (the last list remembered)
            assert _shown(engine.evaluate, data, on, outputs) == want, (name, path, data, on, outputs)


BATCH_CASES = max(8, EXAMPLES // 5)
# Batch reads a column of values pyarrow cannot type (Decimal('1E+999999') beside lists) as text,
# so a list input given a number says 「收到的是文字」 where the scalar paths say 「收到的是数 1E+999999」:
# the same error, the value's kind lost (reported by fixes4; batch's column reading, not fixed here).
KIND_LOST = re.compile(r"输入「[^」]+」应为列表")
NEGATIVE_ZERO = re.compile(r"「-0(?:\.0*)?」")


@settings(max_examples=BATCH_CASES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases())
def test_hostile_values_in_batch(case: tuple[str, dict[str, Any], Any, list[str] | None]) -> None:
    pytest.importorskip("pyarrow")
    path, data, on, outputs = case
    policy = _policy(path)
    if not isinstance(on, datetime.date) or any(type(v) is object for v in data.values()) or set(data) - set(
            policy._specs) or not policy.module.OUTPUTS:
        return  # (a date text is one for the whole table; object() is no column value; a column
        # that is no input is not read, docs/batch.md)
    want = _shown(policy.interpret, data, on, outputs)
    try:
        table = policy.evaluate_batch([data], on, outputs).to_pylist()
    except RuleError as exc:  # a whole-table error: a column no row can be read from, or none at all
        assert isinstance(want, tuple), (path, data, on, outputs, exc.message)
        return
    row = table[0]
    error = row.pop("错误")
    if isinstance(want, tuple):
        if KIND_LOST.match(want[2]):  # see KIND_LOST
            want = (*want[:2], want[2].split("收到的是")[0])
            error = error and error.split("收到的是")[0]
        # Arrow's decimal has no -0: a value shown in a message is 「0」 there.
        assert error and NEGATIVE_ZERO.sub("「0」", error) == NEGATIVE_ZERO.sub("「0」", want[2]), (path, data, on, outputs)
    else:
        assert error is None, (path, data, on, outputs, error)
        # Values batch writes in another form (an age as months, a year-month as its first day:
        # docs/batch.md) are compared by the other tests of batch; here numbers, texts, per-item tuples.
        plain = {k for k, _v, kind in want if kind in ("Decimal", "int", "str", "bool", "tuple", "Keyed")}
        got = [(k, str(tuple(v)) if isinstance(v, list) else str(v)) for k, v in row.items() if k in plain]
        assert got == [(k, v) for k, v, _t in want if k in plain], (path, data, on, outputs)
        assert list(row) == [k for k, _v, _t in want]


def test_hostile_values_from_threads() -> None:
    """Four threads evaluate the same hostile cases on one Policy per file that copies at its
    64th call (the copies are made and installed while the others run)."""
    import random

    rng = random.Random(4)
    work: list[tuple[str, dict[str, Any], Any, list[str] | None]] = []
    for path in CORPUS:
        policy = _policy(path)
        examples = [ex for ex in policy.examples if not ex.get("known_on")]
        if not examples or not policy.module.OUTPUTS:
            continue
        lists = [None, *([o] for o in policy.module.OUTPUTS), *(list(k) for k in policy._within)]
        for _ in range(12):
            ex = rng.choice(examples)
            data = dict(ex["inputs"])
            for name in rng.sample(list(policy._specs), min(2, len(policy._specs))):
                data[name] = rng.choice(HOSTILE[:-1])
            work.append((path, data, ex["date"], rng.choice(lists)))
    want = [_shown(_policy(p).interpret, d, on, o) for p, d, on, o in work]
    shared = {path: policy_module.Policy(_policy(path).module, _policy(path).window.repealed) for path in CORPUS}
    failures: list[Any] = []

    def run(seed: int) -> None:
        order = list(range(len(work)))
        random.Random(seed).shuffle(order)
        for _round in range(8):  # past the 64th call of the lists asked for most
            for i in order:
                path, data, on, outputs = work[i]
                got = _shown(shared[path].evaluate, data, on, outputs)
                if got != want[i]:
                    failures.append((path, data, on, outputs, got, want[i]))

    threads = [threading.Thread(target=run, args=(seed,)) for seed in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert work


@pytest.mark.parametrize("value", [Decimal("-0"), Decimal("0"), Decimal("120"), Decimal("5.0"), 5.0, -0.0, 120])
def test_a_period_given_as_a_decimal_or_float_in_batch(value: Any) -> None:
    """期间 and 年龄 inputs take a whole number of months only as an int (values.to_period):
    batch read a decimal128 or double column as months (found by the batch property above)."""
    pytest.importorskip("pyarrow")
    policy = _policy("policies/national/annual_leave_2008.rule")
    on = datetime.date(2024, 3, 1)
    want = _shown(policy.interpret, {"累计工作时间": value}, on, None)
    rows = policy.evaluate_batch({"累计工作时间": [value, value, None]}, on).to_pylist()
    for row in rows[:2]:  # (Arrow's decimal has no -0: the value is shown as 「0」)
        assert (row["错误"] or "").replace("「0」", "「-0」") == (want[2] if isinstance(want, tuple) else "").replace(
            "「0」", "「-0」")
    assert rows[2]["错误"].startswith("缺少输入「累计工作时间」")
    assert policy.evaluate_batch({"累计工作时间": [119]}, on).to_pylist() == [{"年休假天数": 5, "错误": None}]
