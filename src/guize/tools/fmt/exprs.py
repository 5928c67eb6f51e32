"""guize fmt: expressions as layout documents (precedence, parentheses, calls that break)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from guize.compiler import ast
from guize.runtime import display
from guize.tools.fmt.layout import SOFT, Group, Mark, Nest
from guize.tools.fmt.spelling import FormatError, compare_word, date_text, glued

P_IF, P_CAP, P_OR, P_AND, P_NOT, P_CMP, P_SUM, P_PRODUCT, P_UNARY, P_ATOM = range(1, 11)


def _prec(e: ast.Expr) -> int:
    if isinstance(e, ast.If):
        return P_IF
    if isinstance(e, ast.Cap):
        return P_CAP
    if isinstance(e, ast.Logic):
        return P_OR if e.op == "or" else P_AND
    if isinstance(e, ast.Not):
        return P_NOT
    if isinstance(e, ast.Compare):
        return P_CMP
    if isinstance(e, ast.Binary):
        return P_SUM if e.op in "+-" else P_PRODUCT
    if isinstance(e, ast.Neg):
        return P_UNARY
    return P_ATOM


def end_of(*nodes: Any) -> int:
    return max((n.span.end_line for n in nodes if n is not None and n.span.end_line), default=0)


def _call(func: str, args: Sequence[ast.Expr]) -> object:
    if not args:
        return f"{func}()"
    inner: list[object] = [SOFT]
    for i, a in enumerate(args):
        if i:
            inner += ["，", SOFT]
        inner += [Mark(a.span.line, a.span.end_line), expr_doc(a), Mark(a.span.line, a.span.end_line, True)]
    return Group([func, "(", Nest(inner), SOFT, ")"])


def expr_doc(e: ast.Expr, min_prec: int = P_IF) -> object:
    """The layout document of an expression, parenthesised where precedence needs it."""
    doc = _expr(e)
    return ["(", doc, ")"] if _prec(e) < min_prec else doc


def _expr(e: ast.Expr) -> object:
    if isinstance(e, ast.Number):
        return e.text
    if isinstance(e, ast.DateLit):
        return display.year_month(e.value) if e.year_month else date_text(e.value)
    if isinstance(e, ast.Bool):
        return "是" if e.value else "否"
    if isinstance(e, ast.Name):
        return e.name
    if isinstance(e, ast.Call):
        return _call(e.func, e.args)
    if isinstance(e, ast.Round):
        return _call(e.mode, (e.arg,))
    if isinstance(e, ast.Neg):
        return ["-", expr_doc(e.arg, P_UNARY)]
    if isinstance(e, ast.Not):
        return ["非 ", expr_doc(e.arg, P_NOT)]
    if isinstance(e, ast.Binary):
        p = _prec(e)
        op = {"+": "+", "-": "-", "*": "×", "/": "÷", "per_full": "每满"}[e.op]
        gap = "" if glued(op, e.right) else " "
        return [expr_doc(e.left, p), f" {op}{gap}", expr_doc(e.right, p + 1)]
    if isinstance(e, ast.Compare):
        word = compare_word(e)
        gap = "" if glued(word, e.right) else " "
        return [expr_doc(e.left, P_SUM), f" {word}{gap}", expr_doc(e.right, P_SUM)]
    if isinstance(e, ast.Logic):
        p = _prec(e)
        return [expr_doc(e.left, p), " 且 " if e.op == "and" else " 或 ", expr_doc(e.right, p + 1)]
    if isinstance(e, ast.Cap):
        word = " 最高 " if e.op == "min" else " 最低 "
        return [expr_doc(e.left, P_CAP), word, expr_doc(e.right, P_OR)]
    if isinstance(e, ast.If):
        # A nested 若 in the condition or the 则 part is parenthesised for the reader.
        return ["若 ", expr_doc(e.cond, P_CAP), " 则 ", expr_doc(e.then, P_CAP), " 否则 ",
                expr_doc(e.other, P_IF)]
    if isinstance(e, ast.Aggregate):
        inner: list[object] = [expr_doc(e.source)]
        if e.filter is not None:
            inner += [" 中 ", expr_doc(e.filter)]
        if e.value is not None:
            inner += [" 的 ", expr_doc(e.value)]
        return Group([e.func, "(", Nest([SOFT, *inner]), SOFT, ")"])
    if isinstance(e, ast.Running):
        return Group([e.func, "(", Nest([SOFT, expr_doc(e.arg), "，", SOFT, f"至 {e.until}"]), SOFT, ")"])
    if isinstance(e, ast.MonthOf):
        return [f"{e.month}的 {e.name}"]
    raise FormatError(f"unknown expression {e!r}")  # pragma: no cover
