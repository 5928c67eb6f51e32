"""Property tests: compiled code and the reference interpreter agree on generated inputs."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.runtime.errors import RuleError

POLICIES = ["policies/xinjiang/outpatient_2024.rule", "policies/xinjiang/textile_2024.rule",
            "tests/golden/good/arithmetic.rule", "tests/golden/good/bands_and_tables.rule",
            "tests/golden/good/dated_values.rule", "tests/golden/good/date_inputs.rule"]

_LOADED: dict[str, guize.Policy] = {}


def load(path: str) -> guize.Policy:
    if path not in _LOADED:
        _LOADED[path] = guize.load(path)
    return _LOADED[path]


def value_for(info: guize.InputInfo) -> st.SearchStrategy[Any]:
    if info.kind == "enum":
        return st.sampled_from(info.allowed)
    if info.kind == "bool":
        return st.booleans()
    if info.kind == "int":
        return st.one_of(st.integers(0, 60), st.integers(0, 10**6))
    if info.kind == "rate":
        return st.decimals(0, 2, places=4)
    if info.kind == "date":
        return st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))
    # money and quantities: cents, with a bias towards round numbers and bounds
    return st.one_of(st.decimals(0, 10**6, places=2), st.integers(0, 5000).map(Decimal),
                     st.sampled_from([Decimal(x) for x in (0, 20, 40, 45, 50, 2000, 3000, 4000, 50000)]))


@st.composite
def case(draw: st.DrawFn, path: str) -> tuple[dict[str, Any], dt.date]:
    policy = load(path)
    data = {i.name: draw(value_for(i)) for i in policy.inputs if i.required or draw(st.booleans())}
    start = policy.window.start or dt.date(2024, 1, 1)
    last = policy.window.last or dt.date(2030, 12, 31)
    on = draw(st.dates(start - dt.timedelta(days=3), last + dt.timedelta(days=3)))
    return data, on


@pytest.mark.parametrize("path", POLICIES)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_compiled_equals_interpreted(path: str, data: st.DataObject) -> None:
    inputs, on = data.draw(case(path))
    policy = load(path)
    compiled: Any
    interpreted: Any
    try:
        compiled = policy.evaluate(inputs, on=on)
    except RuleError as exc:
        compiled = (type(exc), exc.message)
    try:
        interpreted = policy.interpret(inputs, on=on)
    except RuleError as exc:
        interpreted = (type(exc), exc.message)
    assert compiled == interpreted
    if isinstance(compiled, dict):
        # Money outputs are exact and rounded to 分.
        for info in policy.outputs:
            if info.kind == "money":
                assert compiled[info.name] == compiled[info.name].quantize(Decimal("0.01"))


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_each_output_alone_equals_all(data: st.DataObject) -> None:
    path = "policies/xinjiang/outpatient_2024.rule"
    inputs, on = data.draw(case(path))
    policy = load(path)
    try:
        everything = policy.evaluate(inputs, on=on)
    except RuleError:
        return
    for name in everything:
        assert policy.evaluate(inputs, on=on, outputs=[name]) == {name: everything[name]}


# ---------------------------------------------------------------- output subsets

OUTPATIENT = "policies/xinjiang/outpatient_2024.rule"
_OUTPATIENT_OUTPUTS = ("起付标准", "支付比例", "统筹基金支付", "日间手术统筹基金支付", "退休人员个人账户划入额",
                       "灵活就业人员缴费基数")
SUBSETS = [[o for i, o in enumerate(_OUTPATIENT_OUTPUTS) if mask >> i & 1]
           for mask in range(1, 2 ** len(_OUTPATIENT_OUTPUTS))]


@st.composite
def messy_case(draw: st.DrawFn, path: str) -> tuple[dict[str, Any], dt.date]:
    """Generated inputs, sometimes with errors: an input left out, an unknown or misspelt name,
    an invalid value."""
    data, on = draw(case(path))
    if data and draw(st.integers(0, 3)) == 0:
        del data[draw(st.sampled_from(sorted(data)))]
    if draw(st.integers(0, 5)) == 0:
        data[draw(st.sampled_from(["未知输入", "住院期", "本次费"]))] = 1
    if data and draw(st.integers(0, 3)) == 0:
        data[draw(st.sampled_from(sorted(data)))] = draw(st.sampled_from(["-5", "abc", None, [], "是吗", 1.5, "1,234.50"]))
    return data, on


def _outcome(evaluate: Any, inputs: dict[str, Any], on: dt.date, outputs: Any) -> Any:
    try:
        return list(evaluate(inputs, on, outputs).items())  # the values and their order
    except RuleError as exc:
        return (type(exc), exc.message)


@pytest.mark.parametrize("subset", SUBSETS, ids=["+".join(s) for s in SUBSETS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_output_subset_equals_interpreted(subset: list[str], data: st.DataObject) -> None:
    # Whatever evaluates the list (one output's function, an output with the outputs it is
    # computed from, the subset evaluator), values and errors are the interpreter's; the
    # second call goes through the remembered last list.
    policy = load(OUTPATIENT)
    inputs, on = data.draw(messy_case(OUTPATIENT))
    want = _outcome(policy.interpret, inputs, on, subset)
    assert _outcome(policy.evaluate, inputs, on, subset) == want
    assert _outcome(policy.evaluate, inputs, on, subset) == want


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_output_lists_in_any_order_equal_interpreted(data: st.DataObject) -> None:
    policy = load(OUTPATIENT)
    outputs = data.draw(st.lists(st.sampled_from(_OUTPATIENT_OUTPUTS), min_size=1, max_size=8))
    inputs, on = data.draw(messy_case(OUTPATIENT))
    assert _outcome(policy.evaluate, inputs, on, outputs) == _outcome(policy.interpret, inputs, on, outputs)
    assert _outcome(policy.evaluate, inputs, on, tuple(outputs)) == _outcome(policy.interpret, inputs, on, outputs)


class _Reads(dict):  # type: ignore[type-arg]
    """A dict that records which keys are read."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)


@pytest.mark.parametrize("subset", SUBSETS, ids=["+".join(s) for s in SUBSETS])
def test_subsets_read_only_the_inputs_they_need(subset: list[str]) -> None:
    policy = load(OUTPATIENT)
    full = {"医院级别": "二级", "退休人员": False, "本次费用": "1000", "住院起付线": 600, "本年已就诊次数": 0,
            "本年已支付": 0, "住院期间": False, "住院支付比例": "0.8", "基本养老金平均水平": "3000",
            "上年度城镇单位就业人员平均工资": "90000"}
    need = set(policy.required_inputs(subset))
    # An input the subset does not need may hold anything: it is neither read nor converted.
    data = _Reads({k: (v if k in need else "不是数") for k, v in full.items()})
    for _ in range(2):
        assert policy.evaluate(data, dt.date(2025, 3, 1), subset) == policy.interpret(full, dt.date(2025, 3, 1), subset)
    assert data.read <= need
