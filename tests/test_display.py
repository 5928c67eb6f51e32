"""Value display: one module (guize.runtime.display) for every form a value is shown in, and
every place that shows values goes through it."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest

from guize.commands.common import dumps
from guize.runtime import dates, display, interp
from guize.runtime import values as V

SRC = Path(__file__).resolve().parent.parent / "src" / "guize"
D = Decimal


@pytest.mark.parametrize(("value", "text"), [
    (D("0.050"), "0.05"), (D("1E+3"), "1000"), (D("800.00"), "800"), (D("12.5"), "12.5"), (7, "7"),
    (D("-0"), "0"), (D("-2.50"), "-2.5"), (True, "是"), (False, "否"), (D("Infinity"), "Infinity"),
])
def test_number_drops_trailing_zeros_and_never_shows_an_exponent(value: object, text: str) -> None:
    assert display.number(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (D("0.70"), "0.70"), (D("1E+3"), "1000"), (D("800.00"), "800.00"), (D("1E-7"), "0.0000001"),
])
def test_exact_keeps_the_digits_held(value: Decimal, text: str) -> None:
    assert display.exact(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (D("0.7"), "70%"), (D("0.055"), "5.5%"), (D("1"), "100%"), (D("1.50"), "150%"), (0, "0%"), (D("-0.05"), "-5%"),
])
def test_rates_as_percentages(value: Decimal, text: str) -> None:
    assert display.percent(value) == text


def test_points() -> None:
    assert display.points(D("0.05")) == "5个百分点"
    assert display.points(D("0.005")) == "0.5个百分点"


def test_dates_in_one_chinese_style() -> None:
    d = datetime.date(2024, 4, 26)
    assert display.date(d) == "2024年4月26日"
    assert dates.cn(d) == display.date(d)
    assert display.value(d) == "2024年4月26日"


@pytest.mark.parametrize(("value", "kind", "unit", "exact", "text"), [
    (D("800.00"), "money", "", False, "800元"),
    (D("800.00"), "money", "", True, "800.00元"),
    (D("800.00"), "money", "元", True, "800.00元"),
    (D("200"), "quantity", "元/吨", False, "200元/吨"),
    (D("12.50"), "quantity", "吨", False, "12.5吨"),
    (3, "int", "人", False, "3人"),
    (D("0.70"), "rate", "", True, "70%"),
    (D("0.05"), "points", "", False, "5个百分点"),
    (True, "bool", "", False, "是"),
    (datetime.date(2025, 3, 1), "date", "", False, "2025年3月1日"),
    ("二级", "enum", "", False, "二级"),
    (None, "money", "", False, "（无）"),
])
def test_typed_values_carry_their_unit(value: object, kind: str, unit: str, exact: bool, text: str) -> None:
    assert display.typed(value, kind, unit, exact=exact) == text


@pytest.mark.parametrize(("type_text", "unit"), [
    ("金额（元）", "元"), ("数值（元/吨）", "元/吨"), ("整数（人）", "人"), ("比率", ""), ("是否", ""), ("", ""),
])
def test_unit_in_a_types_display_text(type_text: str, unit: str) -> None:
    assert display.unit_in(type_text) == unit


@pytest.mark.parametrize(("value", "type_text", "text"), [
    (D("600.00"), "金额（元）", "600.00元"), (D("0.7"), "比率", "70%"), (D("0.05"), "百分点", "5个百分点"),
    (D("12.5"), "数值（吨）", "12.5吨"), (3, "整数（人）", "3人"), (D("2.50"), "数值", "2.50"),
    (True, "是否", "是"), ("二级", "医院级别", "二级"),
])
def test_explanation_steps_show_values_through_display(value: object, type_text: str, text: str) -> None:
    assert interp.with_unit(value, type_text) == text == display.with_type(value, type_text)


def test_the_old_entry_points_delegate() -> None:
    for v in (D("0.70"), D("1E+3"), True, datetime.date(2024, 1, 2), "文字", 5):
        assert V.fmt(v) == display.value(v)
    assert dumps({"a": D("1E+3"), "b": D("0.70")}) == '{\n  "a": 1000,\n  "b": 0.70\n}'


# Source files allowed to spell a date or a decimal themselves, and why.
ALLOWED = {
    "runtime/display.py": "the one module for value display",
    # The formatter prints .rule source, whose dates have four-digit years (the grammar's form), not display.
    "tools/fmt/spelling.py": "source syntax",
}


def test_no_module_formats_values_by_itself() -> None:
    """Decimals in plain notation (format(x, "f")), percentages and Chinese dates are spelled only in display."""
    patterns = [re.compile(r'format\([^()]*(\([^()]*\))*[^()]*,\s*"f"\)'), re.compile(r"年\{"),
                re.compile(r"\* 100\)?\.normalize\(\)")]
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel in ALLOWED:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(p.search(line) for p in patterns):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert found == []
