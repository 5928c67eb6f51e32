"""断言: check each assertion's condition (a 是否 over inputs, parameters, definitions and outputs)
and lower it to the typed IR, for `guize test` and `guize verify`."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Protocol

import attrs

from guize.compiler import ast
from guize.compiler.types import Type
from guize.runtime import ir
from guize.runtime.errors import RuleError


class ExprChecker(Protocol):
    """What this module needs of the checker."""

    def expression(self, e: ast.Expr) -> tuple[ir.Expr, Type] | None: ...

    def text(self, span: ast.Span) -> str: ...

    def error(self, span: ast.Span, message: str, hint: str | None = None, code: str = "E200") -> None: ...


@attrs.frozen
class CheckedAssertion:
    expr: ir.Expr
    text: str  # the condition as written
    cite: tuple[str, ...]
    line: int
    deps: tuple[str, ...]  # definitions it refers to directly
    inputs: tuple[str, ...]  # inputs it reads directly


def check_assertions(checker: ExprChecker, assertions: tuple[ast.Assertion, ...]) -> tuple[CheckedAssertion, ...]:
    """The assertions that check cleanly (errors are reported through `checker`)."""
    out = []
    for a in assertions:
        result = checker.expression(a.expr)
        if result is None:
            continue
        node, ty = result
        if ty.kind not in ("bool", "any"):
            checker.error(a.expr.span, f"断言应是「是/否」的判断，这里是{ty.display()}",
                          hint="写成比较，如「统筹基金支付 ≤ 单次最高支付限额」", code="E292")
            continue
        walked = list(ir.walk(node))
        deps = sorted({n.name for n in walked if isinstance(n, ir.Ref)})
        inputs = sorted({n.name for n in walked if isinstance(n, ir.Input)})
        out.append(CheckedAssertion(node, checker.text(a.expr.span), a.cite.articles if a.cite else (), a.span.line,
                                    tuple(deps), tuple(inputs)))
    return tuple(out)


def as_definition(a: CheckedAssertion) -> ir.Definition:
    """The assertion as a 是否 definition of its own (a name no declaration can have)."""
    return ir.Definition(definition_name(a), "def", "是否", "bool", a.expr, None, a.cite, a.line, a.deps, a.inputs)


def definition_name(a: CheckedAssertion) -> str:
    return f"断言（第{a.line}行）"


def holds(defs: Mapping[str, ir.Definition], specs: Mapping[str, Mapping[str, Any]], a: CheckedAssertion,
          data: Mapping[str, Any], on: datetime.date, known_on: datetime.date | None = None) -> bool | None:
    """Whether the assertion holds for `data` on `on` (reference interpreter); None when it cannot be
    evaluated there (an input it needs is missing, or a value it uses fails)."""
    from guize.runtime.interp import Interpreter

    d = as_definition(a)
    runner = Interpreter({**defs, d.name: d}, specs, data, on)
    runner.known_on = known_on  # the rules as published by then (an example's 按…已发布的规定)
    try:
        return bool(runner.get(d.name))
    except RuleError:
        return None
