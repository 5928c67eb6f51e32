"""Adversarial probes of the copies of out_subset (runtime/specialize.py), made at
the first call (policy._SPECIALISE_AFTER set to 1), against a Policy that never copies and the
reference interpreter.

test_specialize.py changes one input of an example at a time; here several inputs at once are
left out or given hostile values, lists of outputs repeat a name or come in another order, the
caller's decimal context has other traps, precision or rounding, threads evaluate while the
copies are installed, and a .rule written for it has reads under a guard, constants rounded
once and constants computed once (compiler/guarded_reads.py, constfold.py; textile is the only
corpus policy with all three), in out_all, out_subset and the copies.
"""

from __future__ import annotations

import datetime
import decimal
import importlib.util
import random
import sys
import threading
import traceback
from decimal import Decimal
from pathlib import Path
from typing import Any

import differential
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.runtime import policy as policy_module
from guize.runtime import specialize
from guize.runtime.errors import RuleError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "policies").glob("*/*.rule"))
HOSTILE: list[Any] = ["abc", -1, None, 10**20, "1e999999", float("inf"), float("nan"), True, False, [], "", "0.5",
                      Decimal("NaN"), Decimal("sNaN"), "1" * 2000, {"x": 1}, 0, 1, Decimal("0.00"), Decimal("-0"),
                      Decimal("1E+30"), Decimal("1E-30"), 1.5, 19, 20, 25, Decimal("12.345"), 2**63, -0.0, "25",
                      "南疆", "其他地区", "是"]


def _shown(run: Any, data: Any, on: Any, outputs: list[str] | None) -> Any:
    """The values with their text and type (0.00 is not 0), or the error's class and message."""
    try:
        got = run(data, on, outputs)
    except RuleError as exc:
        return ("error", type(exc).__name__, exc.message)
    return [(k, str(v), type(v).__name__) for k, v in got.items()]


def _pair(module: Any) -> tuple[policy_module.Policy, policy_module.Policy]:
    """A Policy that copies at the first call, and one that never copies."""
    fast = policy_module.Policy(module)
    plain = policy_module.Policy(module)
    plain._specialised = policy_module._SPECIALISED_LIMIT
    plain._all = module.ALL
    return fast, plain


def _copies(policy: policy_module.Policy) -> int:
    """How many copies of out_subset `policy` runs."""
    return policy._specialised


def _agree(fast: Any, plain: Any, data: Any, on: Any, outputs: list[str] | None) -> None:
    got = _shown(fast.evaluate, data, on, outputs)
    assert got == _shown(plain.evaluate, data, on, outputs), (data, on, outputs)
    assert got == _shown(plain.interpret, data, on, outputs), (data, on, outputs)


def _with_outputs() -> list[str]:
    return [path for path in CORPUS if guize.load(ROOT / path).module.OUTPUTS]


@pytest.fixture
def at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(policy_module, "_SPECIALISE_AFTER", 1)


@pytest.mark.parametrize("path", _with_outputs())
def test_several_hostile_inputs_and_odd_lists_of_outputs(path: str, at_once: None) -> None:
    base = guize.load(ROOT / path)
    rng = random.Random(path)
    outputs = list(base.module.OUTPUTS)
    names = [spec["name"] for spec in base.module.INPUTS]
    examples = [(dict(ex["inputs"]), ex["date"]) for ex in base.examples if not ex.get("known_on")]
    lists: list[list[str] | None] = [None, outputs, list(reversed(outputs)), outputs + outputs[:1],
                                     *([o, o] for o in outputs[:3]),
                                     *(rng.sample(outputs, min(len(outputs), k)) for k in (1, 2, 3, 4))]
    copied = 0
    for asked in lists:
        fast, plain = _pair(base.module)
        for _ in range(40):
            data, on = rng.choice(examples)
            data = dict(data)
            for name in rng.sample(names, min(len(names), rng.randint(1, 3))):
                if rng.random() < 0.3:
                    data.pop(name, None)
                else:
                    data[name] = rng.choice(HOSTILE)
            if rng.random() < 0.05:
                on = datetime.date(1900, 1, 1)  # out of force after the copy is installed
            _agree(fast, plain, data, on, asked)
        copied += _copies(fast)
    assert copied or len(outputs) == 1 or base.module.SUBSET is None


CONTEXTS = {
    "traps Inexact and Rounded": decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN, traps=[
        decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Inexact, decimal.Rounded]),
    "traps FloatOperation": decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN, traps=[
        decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.FloatOperation]),
    "6 digits, down": decimal.Context(prec=6, rounding=decimal.ROUND_DOWN),
    "floor": decimal.Context(prec=28, rounding=decimal.ROUND_FLOOR),
}


@pytest.mark.parametrize("path", ["policies/xinjiang/textile_2024.rule", "policies/national/iit_2019.rule",
                                  "policies/xinjiang/outpatient_2024.rule"])
@pytest.mark.parametrize("context", list(CONTEXTS))
def test_the_callers_decimal_context(path: str, context: str, at_once: None) -> None:
    """Folded and rounded constants are computed in guize's context when the copy is made: the
    caller's context (other traps, precision, rounding) changes nothing the interpreter gives."""
    base = guize.load(ROOT / path)
    rng = random.Random(path + context)
    outputs = list(base.module.OUTPUTS)
    names = [spec["name"] for spec in base.module.INPUTS]
    copied = 0
    for asked in (None, list(reversed(outputs)), rng.sample(outputs, min(3, len(outputs)))):
        fast, plain = _pair(base.module)
        for k in range(30):
            example = base.examples[k % len(base.examples)]
            data = dict(example["inputs"])
            if k % 3:
                data[rng.choice(names)] = rng.choice(HOSTILE)
            with decimal.localcontext(CONTEXTS[context]):
                got = _shown(fast.evaluate, data, example["date"], asked)
                assert got == _shown(plain.evaluate, data, example["date"], asked)
            assert got == _shown(plain.interpret, data, example["date"], asked)
        copied += _copies(fast)
    assert copied


GUARDED = """文件：
  标题：《探》
  施行日期：2024年1月1日
  截止日期：2025年12月31日

类型 地区：南疆、其他地区

参数 标准：金额
  自2024年1月1日起：0元
  自2024年9月1日起：100元

输入 注册：是否，默认 是
输入 人数：整数，默认 0
输入 地：地区，默认 南疆
输入 甲：金额，默认 0元
输入 乙：金额，默认 1.5元
输入 丙：比率，默认 10%
输入 丁：整数，默认 3
输入 戊：是否，默认 否
输入 己：金额，默认 0.00元
输入 庚：金额，默认 2元
输入 辛：数量，默认 0
输入 壬：金额，默认 7元

定义 合格：是否 = 注册 且 人数 ≥ 20
定义 开：是否 = 标准 > 0元
定义 电价：金额 = 0.38元 - 0.33元
定义 倍率：比率 = 1 + 20%

输出 一：金额 = 若 合格 则 甲 × 丙 否则 0元
输出 二：金额 = 若 合格 则 乙 × 丁 否则 100元
输出 三：金额 = 若 开 则 己 + 标准 否则 0.5元
输出 四：金额 = 若 合格 则 庚 × 倍率 最高 1000元 否则 0元
输出 五：金额 = 若 非 合格 则 0元 否则 电价 × 辛
输出 六：金额 = 若 合格 则 (若 戊 则 甲 否则 乙) 否则 0元
输出 七：金额 = 若 地 = 南疆 则 庚 否则 己
输出 八：金额，四舍五入到分 = 若 合格 则 甲 否则 0.125元
输出 九：金额，向下取整到分 = 若 非 开 则 辛 × 0.5元 否则 电价 × 倍率
输出 十：金额 = 若 非 合格 则 壬 否则 0元
"""

_VALUES = st.one_of(st.sampled_from(HOSTILE), st.sampled_from([True, False, 19, 20, 25, "12.5", Decimal("3"), "南疆"]))


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    """GUARDED compiled: reads under 合格 (compiler/guarded_reads.py), 电价 and 倍率 folded, the
    zero branches rounded at compile time (compiler/constfold.py), in out_all and out_subset."""
    policy = differential.load_rule(tmp_path_factory, "guarded", GUARDED)
    text = Path(policy.module.ALL.__code__.co_filename).read_text(encoding="utf-8")
    for function in ("def out_all(", "def out_subset("):
        body = text[text.index(function):].split("\n\n\n", 1)[0]
        assert "    if d_合格:\n" in body and "d_电价" not in body and "d_倍率" not in body, function
        assert ".quantize(" in body and " else 0).quantize(" not in body, function
    consts = {name: value for name, value in vars(policy.module).items() if name.startswith("_K")}
    assert Decimal("0.05") in consts.values() and Decimal("1.20") in consts.values()  # 0.38 − 0.33, 1 + 20%
    return policy



@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(["注册", "人数", "地", "甲", "乙", "丙", "丁", "戊", "己", "庚", "辛",
                                             "壬", "未知"]), _VALUES, max_size=12),
       on=st.sampled_from([datetime.date(2024, 6, 1), datetime.date(2024, 10, 1), datetime.date(2023, 1, 1),
                           datetime.date(2026, 1, 1)]),
       asked=st.one_of(st.none(), st.lists(st.sampled_from(["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]),
                                           min_size=1, max_size=8)))
def test_reads_under_a_guard_and_constants_computed_once(guarded: guize.Policy, data: dict[str, Any],
                                                         on: datetime.date, asked: list[str] | None,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(policy_module, "_SPECIALISE_AFTER", 1)
    fast, plain = _pair(guarded.module)
    fast.evaluate({}, datetime.date(2024, 6, 1), asked)  # (a date in force: the copy is made)
    assert _copies(fast) or asked is None or len(set(asked)) == 1 or asked == list(guarded.module.OUTPUTS)
    _agree(fast, plain, data, on, asked)


def test_threads_evaluating_while_the_copies_are_installed(at_once: None) -> None:
    """Each round, a new Policy and four threads asking for the same lists at once: copies are
    made in several threads together (CPython 3.11's ast then failed with a SystemError, which
    evaluate raised), and installed while the others evaluate."""
    base = guize.load(ROOT / "policies/xinjiang/textile_2024.rule")
    outputs = list(base.module.OUTPUTS)
    lists = [None, list(reversed(outputs)), outputs[:4], outputs[3:9], [outputs[2], outputs[2]],
             *([o] for o in outputs[:8])]
    records = [(dict(ex["inputs"]), ex["date"]) for ex in base.examples[:6]]
    want = {(r, k): _shown(base.interpret, *records[r], asked)
            for r in range(len(records)) for k, asked in enumerate(lists)}
    failures: list[Any] = []
    start = threading.Barrier(4)

    def work(policy: policy_module.Policy, seed: int) -> None:
        rng = random.Random(seed)
        start.wait()
        for k in range(len(lists)):
            r = rng.randrange(len(records))
            try:
                got = _shown(policy.evaluate, *records[r], lists[k])
            except Exception as exc:  # (reported by the assertion below, not lost in the thread)
                failures.append((r, lists[k], "".join(traceback.format_exception(exc))))
                return
            if got != want[r, k]:
                failures.append((r, lists[k], got, want[r, k]))

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads taking turns often, as on a busy server
    try:
        for round_ in range(8):
            policy = policy_module.Policy(base.module)
            threads = [threading.Thread(target=work, args=(policy, round_ * 4 + seed)) for seed in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert not failures, failures[0][-1]
            assert _copies(policy) >= 3
    finally:
        sys.setswitchinterval(switch)


_TRY_ELSE = '''_U = object()


def out_subset(data, e, need):
    _n0, _n1, = need
    x = 0
    try:
        if _n0:
            x = data['x']
    except KeyError:
        x = -1
    else:
        x = x + 5
    finally:
        x = x * 2
    return {'x': x, 'y': 1 if _n1 else 0}
'''


def test_a_try_whose_body_folds_away_keeps_its_else(tmp_path: Path) -> None:
    """With its flag unset, the body of a `try` is gone: nothing raises, so its `else` runs,
    then its `finally` (the copy dropped the `else`)."""
    path = tmp_path / "try_else.py"
    path.write_text(_TRY_ELSE, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("try_else", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for need in [(False, True), (True, False), (False, False)]:
        made = specialize.specialised(module.out_subset, need, None)
        assert made is not None
        for data in ({}, {"x": 3}):
            assert made[0](data, (), need) == module.out_subset(data, (), need), (need, data)


@pytest.mark.parametrize("path", ["policies/national/subsistence_allowance_2014.rule",
                                  "policies/national/iit_withholding_2019.rule"])
def test_list_inputs_read_as_columns_with_hostile_items(path: str, at_once: None) -> None:
    """Lists read as per-field columns (compiler/itemcols.py), in out_all, out_subset and their
    copies: items with a field left out or given a hostile value, items that are no record,
    lists that are no list; the values and errors are the interpreter's."""
    base = guize.load(ROOT / path)
    rng = random.Random(path)
    (name,) = [spec["name"] for spec in base.module.INPUTS if spec["kind"] == "list"]
    examples = [(dict(ex["inputs"]), ex["date"]) for ex in base.examples
                if not ex.get("known_on") and ex["inputs"].get(name)]
    outputs = list(base.module.OUTPUTS)
    for asked in [None, list(reversed(outputs)), *([o] for o in outputs), rng.sample(outputs, 2)]:
        fast, plain = _pair(base.module)
        for _ in range(40):
            data, on = rng.choice(examples)
            items: list[Any] = [dict(item) for item in data[name]]
            for _ in range(rng.randint(1, 3)):
                k = rng.randrange(len(items))
                if not isinstance(items[k], dict) or not items[k]:
                    continue
                field = rng.choice(list(items[k]))
                if rng.random() < 0.2:
                    items[k].pop(field)
                elif rng.random() < 0.1:
                    items[k] = rng.choice([None, 5, "x", [], {**items[k], "多余": 1}])
                else:
                    items[k][field] = rng.choice(HOSTILE)
            if rng.random() < 0.3:
                items = items + items[: rng.randint(0, len(items))]
            value: Any = items if rng.random() < 0.9 else rng.choice([None, "x", {}, tuple(items), 5])
            _agree(fast, plain, {**data, name: value}, on, asked)
