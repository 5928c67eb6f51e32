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
    value is not a finite decimal."""
    on = datetime.date.fromordinal(model.eval(encoder.d, model_completion=True).as_long())
    codes = {code: member for member, code in encoder.codes.items()}
    inputs: dict[str, Any] = {}
    for name, var in encoder.inputs.items():
        spec = encoder.specs[name]
        if spec.get("given") and not (name in encoder.given and z.is_true(
                model.eval(encoder.given[name], model_completion=True))):
            continue  # a 可作输入 definition left to its formula
        value = model.eval(var, model_completion=True)
        kind = spec["kind"]
        if kind == "bool":
            inputs[name] = z.is_true(value)
            continue
        try:
            number = model_fraction(z, value)
        except ValueError:
            return None
        if kind == "enum":
            inputs[name] = codes[int(number)]
        elif kind == "date":
            inputs[name] = datetime.date.fromordinal(int(number)).isoformat()
        elif kind == "int":
            inputs[name] = int(number / Fraction(spec["scale"]))  # 整数（年）: the years given
        elif kind in ("duration", "age"):
            inputs[name] = dates.period_iso(int(number))  # P5Y7M (values.to_period reads it)
        elif kind == "year_month":
            inputs[name] = dates.year_month(datetime.date.fromordinal(int(number))).isoformat()  # 2025-02
        else:
            if kind in ("money", "quantity"):
                number = number / Fraction(spec["scale"])
            d = to_decimal(number)
            if d is None:
                return None
            inputs[name] = str(d)
    return on, inputs


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
