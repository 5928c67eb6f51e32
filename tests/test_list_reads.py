"""A list input's items read by values.to_records: its quick path (plainly valid numbers, whole
numbers, 是否 and enumeration values taken as they are, without convert's calls) gives what
convert gives, value for value and error for error, at and around every edge of the quick test
(too long a text, too many places, too large, negative, NaN, a bool for a number, a scaled
field, null and defaults)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guize.runtime import values as V
from guize.runtime.errors import RuleError


def field(name: str, kind: str, *, scale: Any = 1, members: tuple[str, ...] = (), default: Any = None,
          has_default: bool = False, negative: bool = False) -> dict[str, Any]:
    return {"name": name, "kind": kind, "scale": Decimal(scale), "members": members, "has_default": has_default,
            "default": default, "negative": negative}


SPEC = {"name": "各项", "kind": "list", "fields": (
    field("金额", "money"),
    field("万元", "money", scale=10000),
    field("可负", "money", negative=True),
    field("比率", "rate", default=Decimal("0.1"), has_default=True),
    field("数量", "quantity"),
    field("次数", "int", default=0, has_default=True),
    field("年数", "int", scale=12, default=0, has_default=True),
    field("是否", "bool", default=False, has_default=True),
    field("级别", "enum", members=("一级", "二级")),
    field("工龄", "duration", default=0, has_default=True),
    field("年龄", "age", default=0, has_default=True),
)}

EDGES: list[Any] = [0, 1, -1, 10**15 - 1, 10**15, -(10**15), "0", "0.05", "5%", "-0.5", "1e3", "1E+14", "1e15", " 7 ",
                    "1_000", "NaN", "sNaN", "Infinity", "x", "", "12345678901234567.891", "1" * 21,
                    "0." + "0" * 999 + "1", "0." + "0" * 1000 + "1", Decimal("-0"), Decimal("NaN"),
                    Decimal("1E+20"), Decimal("0E-1001"), Decimal("1" * 21), 0.25, True, False, None, [1], "一级",
                    " 二级", "三级", "P9Y11M", "9年11个月", "P1D"]


def reference(value: Any, spec: dict[str, Any]) -> Any:
    """What to_records gives without its quick path: every field through convert."""
    out = []
    for index, item in enumerate(value, 1):
        record = {}
        for f in spec["fields"]:
            given = item.get(f["name"])
            if given is None:
                if not f["has_default"]:
                    raise V.MissingInput(f"输入「{spec['name']}」第{index}项缺少「{f['name']}」", input=spec["name"])
                given = f["default"]
            try:
                record[f["name"]] = V.convert(f, given)
            except V.InvalidInput:
                record[f["name"]] = V.convert({**f, "name": f"{spec['name']}第{index}项的{f['name']}"}, given)
        out.append(record)
    return tuple(out)


def outcome(run: Any, *args: Any) -> Any:
    try:
        result = run(*args)
    except RuleError as exc:
        return ("error", type(exc).__name__, exc.message)
    # the same values with the same representation (1.0 is not 1.00) and type (bool is not int)
    return [{k: (type(v), str(v)) for k, v in r.items()} for r in result]


GOOD = {"金额": "1.5", "万元": "2", "可负": "-3", "数量": 4, "级别": "一级"}


@pytest.mark.parametrize("name", [f["name"] for f in SPEC["fields"]])
@pytest.mark.parametrize("value", EDGES, ids=repr)
def test_each_field_at_each_edge(name: str, value: Any) -> None:
    items = [dict(GOOD), {**GOOD, name: value}]
    assert outcome(V.to_records, items, SPEC) == outcome(reference, items, SPEC)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([f["name"] for f in SPEC["fields"]]),
                       st.one_of(st.sampled_from(EDGES), st.integers(-10**16, 10**16),
                                 st.decimals(allow_nan=True, allow_infinity=True),
                                 st.decimals(-10**6, 10**6, places=3).map(str))))
def test_any_item(item: dict[str, Any]) -> None:
    items = [{**GOOD, **item}]
    assert outcome(V.to_records, items, SPEC) == outcome(reference, items, SPEC)


def test_quick_values_are_the_given_objects() -> None:
    """A Decimal, int, bool or member given is kept as it is (convert returns it unchanged)."""
    amount = Decimal("12.50")
    [record] = V.to_records([{**GOOD, "金额": amount, "次数": 3, "是否": True}], SPEC)
    assert record["金额"] is amount and record["次数"] == 3 and record["是否"] is True
    assert record["比率"] == Decimal("0.1") and record["年数"] == 0 and str(record["万元"]) == "20000"
    [record] = V.to_records([{**GOOD, "工龄": 119, "年龄": 721}], SPEC)
    assert repr(record["工龄"]) == "Period(119)" and repr(record["年龄"]) == "Age(721)"


def test_not_a_mapping_and_unknown_fields() -> None:
    with pytest.raises(V.InvalidInput, match="第2项应为对象"):
        V.to_records([GOOD, ["金额"]], SPEC)
    with pytest.raises(V.InvalidInput, match="未知的字段"):
        V.to_records([{**GOOD, "金 额": 1}], SPEC)
