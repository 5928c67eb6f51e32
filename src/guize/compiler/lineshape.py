"""Syntax errors whose cause is the shape of a whole line (a formula continued on the next
line, an example name that needs quoting, a formula on its own line under 输出), told apart
from the text around the line the parser stopped at."""

from __future__ import annotations

import re

from guize.compiler import ast
from guize.compiler.comments import comment_start
from guize.compiler.diagnostics import Diagnostic

_OPERATOR_START = re.compile(r"[+＋\-－−×*＊÷/／]|(且|并且|或|或者|最高|最低)(?=[ \t\u3000])")
_EXAMPLE_HEAD = re.compile(r"(例|示例|测试)[ \t\u3000]+([^「“\"].*?)[ \t\u3000]*[:：]?[ \t\u3000]*$")
_BLOCK_HEAD = re.compile(r"(输出|定义|参数|表)[ \t\u3000]+([^ \t\u3000:：=＝]+)[^=＝]*$")
_BRANCH_START = re.compile(r"(若|如果|否则|依据)(?![\u3400-\u4dbf\u4e00-\u9fff])")


def _code(text: str) -> str:
    """A line without its comment and trailing blanks."""
    start = comment_start(text)
    return (text if start < 0 else text[:start]).rstrip()


def misplaced_line(file: str, source: str, line: int, expected: str) -> Diagnostic | None:
    """Syntax errors whose cause is the shape of a whole line: a formula continued on the next
    line, an example name that needs quoting, a formula on its own line under 输出."""
    lines = source.split("\n")
    if not 0 < line <= len(lines):
        return None
    text = _code(lines[line - 1])
    body = text.lstrip(" \t\u3000")
    col = len(text) - len(body) + 1
    if not body:
        return None
    example = _EXAMPLE_HEAD.fullmatch(body) if col == 1 else None
    if example is not None:
        return Diagnostic("error", "E014", f"例子的名称「{example[2]}」里有标点或空格，这里需要：{expected}",
                          ast.Span(file, line, col, line, len(text) + 1),
                          hint=f"例子的名称有标点或空格时用「」括起来：例 「{example[2]}」：")
    found = _formula_under_header(file, lines, line, col, body, text) if col > 1 else None
    if found is not None:
        return found
    op = _OPERATOR_START.match(body)
    if op is not None and col > 1:
        return Diagnostic("error", "E016", f"这一行以「{op[0]}」开头，像是上一行公式的续行：公式不能直接换行",
                          ast.Span(file, line, col, line, col + len(op[0])),
                          hint="公式要跨行时，把整个公式放进括号里再换行，"
                               "如「输出 合计：金额 = (本次费用」换行「  + 补贴)」")
    return None


def _formula_under_header(file: str, lines: list[str], line: int, col: int, body: str,
                          text: str) -> Diagnostic | None:
    if _BRANCH_START.match(body) or re.match(r"(若|如果|否则)", body):
        return None  # a branch, or a branch keyword glued to a name (若住院期间): the glue hint is better
    head = line - 1
    while head > 0 and (not _code(lines[head - 1]).strip() or lines[head - 1][:1] in " \t\u3000"):
        head -= 1
    if head < 1 or any(_code(lines[i]).strip() for i in range(head, line - 1)):
        return None  # not the first line under the statement
    header = _BLOCK_HEAD.fullmatch(_code(lines[head - 1]))
    if header is None or re.search(r"(?<![\u3400-\u4dbf\u4e00-\u9fff])按(?=[ \t\u3000])", header[0]):
        return None
    first, _, cite = header[0].partition("依据")
    fixed = f"{first.rstrip()} = {body}" + (f"  依据{cite}" if cite else "")
    return Diagnostic("error", "E017",
                      f"「{header[1]} {header[2]}」下面的缩进块只能写分支（「若 … 则 …」和「否则 …」），"
                      "公式要写在「=」后面", ast.Span(file, line, col, line, len(text) + 1),
                      hint=f"写成一行：「{fixed}」")
