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
