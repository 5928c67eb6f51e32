"""Units a drafter declares (单位 人次, 单位 担 = 50公斤), checked and added to the built-in ones."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from guize.compiler import ast
from guize.compiler.lexicon import PERCENT_UNITS, POINTS_UNIT, UNITS


class _Reports(Protocol):
    units: dict[str, tuple[str, Decimal]]

    def error(self, span: ast.Span, message: str, hint: str | None = None, code: str = "E200") -> None: ...


def _text(canon: str, scale: Decimal) -> str:
    return f"{scale.normalize():f}{canon}"


def declare_units(checker: _Reports, decls: tuple[ast.UnitDecl, ...]) -> None:
    """Add each declared unit to `checker.units`: a new unit of its own (单位 人次), or one that
    converts to a known unit (单位 担 = 50公斤 is 50千克), in the order written."""
    for decl in decls:
        name, amount = decl.name, decl.amount
        if name in PERCENT_UNITS or name == POINTS_UNIT:
            checker.error(decl.span, f"「{name}」是比率的写法，不能声明为单位", code="E237")
            continue
        converted: tuple[str, Decimal] = (name, Decimal(1))
        if amount is not None:
            if amount.unit is None or amount.per is not None or amount.unit in PERCENT_UNITS:
                checker.error(decl.span, f"单位「{name}」的换算要写成一个带单位的数量",
                              hint=f"写成「单位 {name} = 数量和单位」，如「单位 担 = 50公斤」；没有换算关系时只写「单位 {name}」", code="E237")
                continue
            if amount.unit not in checker.units:
                checker.error(decl.span, f"单位「{name}」换算成的「{amount.unit}」不是已知的单位",
                              hint=f"先声明「单位 {amount.unit}」，或换算成内置单位", code="E237")
                continue
            if amount.value <= 0:
                checker.error(decl.span, f"单位「{name}」的换算应大于零", code="E237")
                continue
            canon, scale = checker.units[amount.unit]
            converted = (canon, amount.value * scale)
        if name in UNITS:
            if amount is not None and UNITS[name] != converted:
                canon, scale = UNITS[name]
                checker.error(decl.span, f"「{name}」是内置单位（1{name} = {_text(canon, scale)}），不能另作换算",
                              hint=f"去掉换算，只写「单位 {name}」，或换一个名称", code="E238")
            continue  # declaring a built-in unit says nothing new
        if name in checker.units:
            checker.error(decl.span, f"单位「{name}」重复声明", code="E238")
            continue
        checker.units[name] = converted
