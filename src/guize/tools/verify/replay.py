"""Counterexamples: a z3 model read back as a date and an input object, and replayed through evaluate."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from guize.runtime import dates
from guize.runtime.errors import RuleError

Evaluate = Callable[[dict[str, Any], datetime.date, list[str]], dict[str, Any]]


def to_decimal(value: Fraction) -> Decimal | None:
    """The exact decimal of a rational, or None when it has no finite decimal expansion."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return None
    places = max(twos, fives)
    scaled = value * 10**places
    assert scaled.denominator == 1  # INVARIANT: 10**places is a multiple of the denominator
    return Decimal(scaled.numerator).scaleb(-places)


def model_fraction(z: Any, term: Any) -> Fraction:
    if z.is_int_value(term):
        return Fraction(term.as_long())
    if z.is_rational_value(term):
        return Fraction(term.numerator_as_long(), term.denominator_as_long())
    raise ValueError(term)  # an algebraic number: not a decimal


def read_model(z: Any, model: Any, encoder: Any) -> tuple[datetime.date, dict[str, Any]] | None:
    """The as-of date and a complete input object (values `evaluate` accepts), or None when a
    value is not a finite decimal (or a list is abstract, not items)."""
    on = datetime.date.fromordinal(model.eval(encoder.d, model_completion=True).as_long())
    codes = {code: member for member, code in encoder.codes.items()}
    inputs: dict[str, Any] = {}
    for name, var in encoder.inputs.items():
        spec = encoder.specs[name]
        if spec.get("given") and not (name in encoder.given and z.is_true(
                model.eval(encoder.given[name], model_completion=True))):
            continue  # a 可作输入 definition left to its formula
        value = read_value(z, model, var, spec, codes)
        if value is NOT_DECIMAL:
            return None
        inputs[name] = value
    for name, lv in (encoder.items.lists.items() if encoder.items is not None else ()):
        if encoder.bound is None:
            return None  # an abstract list has no items to show
        length = model.eval(lv.length, model_completion=True).as_long()
        specs = {f["name"]: f for f in lv.spec.get("fields", ())}
        items = []
        for slot in lv.slots[:length]:
            # A field the encoding leaves out (a list in a list) is empty: nothing proved reads it.
            item: dict[str, Any] = {f: [] for f, spec in specs.items() if spec["kind"] == "list"}
            for field, var in slot.fields.items():
                value = read_value(z, model, var, specs[field], codes)
                if value is NOT_DECIMAL:
                    return None
                item[field] = value
            items.append(item)
        inputs[name] = items
    return on, inputs


NOT_DECIMAL = object()


def read_value(z: Any, model: Any, var: Any, spec: Mapping[str, Any], codes: Mapping[int, str]) -> Any:
    """One input's (or item field's) value as `evaluate` accepts it, or NOT_DECIMAL."""
    value = model.eval(var, model_completion=True)
    kind = spec["kind"]
    if kind == "bool":
        return z.is_true(value)
    try:
        number = model_fraction(z, value)
    except ValueError:
        return NOT_DECIMAL
    if kind == "enum":
        return codes[int(number)]
    if kind == "date":
        return datetime.date.fromordinal(int(number)).isoformat()
    if kind == "int":
        return int(number / Fraction(spec["scale"]))  # 整数（年）: the years given
    if kind in ("duration", "age"):
        return dates.period_iso(int(number))  # P5Y7M (values.to_period reads it)
    if kind == "year_month":
        return dates.year_month(datetime.date.fromordinal(int(number))).isoformat()  # 2025-02
    if kind in ("money", "quantity"):
        number = number / Fraction(spec["scale"])
    d = to_decimal(number)
    return NOT_DECIMAL if d is None else str(d)


def outcome(evaluate: Evaluate, inputs: Mapping[str, Any], on: datetime.date, name: str) -> tuple[str, Any]:
    """("value", v) or ("error", the RuleError) for one output or definition."""
    try:
        return "value", evaluate(dict(inputs), on, [name])[name]
    except RuleError as exc:
        return "error", exc


ERROR_WORDS = {
    "division_by_zero": ("除数为零",),
    "uncovered": ("不在任何分段之内", "对应的取值", "不在累进税率表"),
    "not_in_force": ("没有有效的取值",),
    "date_range": ("日期计算超出范围",),
}


def error_matches(kind: str, exc: Any) -> bool:
    message = getattr(exc, "message", str(exc))
    return any(word in message for word in ERROR_WORDS.get(kind, ()))
