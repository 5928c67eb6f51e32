"""Syntax errors whose cause is the shape of a line, and what to suggest: a formula continued
on the next line, an example name that needs quoting, a formula on its own line under 输出, a band
row in words the grammar does not read."""

from __future__ import annotations

import re

from guize.compiler import ast
from guize.compiler.comments import comment_start
from guize.compiler.diagnostics import Diagnostic
from guize.compiler.lexicon import NAME_CHARS, UNITS, digit_name

_OPERATOR_START = re.compile(r"[+＋\-－−×*＊÷/／]|(且|并且|或|或者|最高|最低)(?=[ \t\u3000])")
_OPERATOR_END = re.compile(r"([=＝+＋\-－−×*＊÷/／]|[ \t\u3000](且|并且|或|或者|最高|最低))$")
_EXAMPLE_HEAD = re.compile(r"(例|示例|测试)[ \t\u3000]+([^「“\"].*?)[ \t\u3000]*[:：]?[ \t\u3000]*$")
_BLOCK_HEAD = re.compile(r"(输出|定义|参数|表)[ \t\u3000]+([^ \t\u3000:：=＝]+)[^=＝]*$")
_OTHER_WORD = re.compile(r"(枚举|记录|结构|常量|变量)[ \t\u3000]+([^ \t\u3000:：=＝]+)")
_OTHER_WORDS = {"枚举": ("类型", ""), "记录": ("类型", ""), "结构": ("类型", ""),  # "": the line with ours
                "常量": ("参数", "参数 {name} = …"), "变量": ("输入」或「定义", "输入 {name}：金额")}
_BRANCH_START = re.compile(r"(若|如果|否则|依据)(?![\u3400-\u4dbf\u4e00-\u9fff])")


def code_of(text: str) -> str:
    """A line without its comment and trailing blanks."""
    start = comment_start(text)
    return (text if start < 0 else text[:start]).rstrip()


def misplaced_line(file: str, source: str, line: int, expected: str) -> Diagnostic | None:
    """Syntax errors whose cause is the shape of a whole line: a formula continued on the next
    line, an example name that needs quoting, a formula on its own line under 输出."""
    lines = source.split("\n")
    if not 0 < line <= len(lines):
        return None
    text = code_of(lines[line - 1])
    body = text.lstrip(" \t\u3000")
    col = len(text) - len(body) + 1
    if not body:
        return None
    example = _EXAMPLE_HEAD.fullmatch(body) if col == 1 else None
    if example is not None:
        return Diagnostic("error", "E014", f"例子的名称「{example[2]}」里有标点或空格，这里需要：{expected}",
                          ast.Span(file, line, col, line, len(text) + 1),
                          hint=f"例子的名称有标点或空格时用「」括起来：例 「{example[2]}」：")
    other = _OTHER_WORD.match(body) if col == 1 else None
    if other is not None:  # a word other languages use for a statement: say ours
        ours, example_text = _OTHER_WORDS[other[1]]
        return Diagnostic("error", "E014", f"「{other[1]}」不是语句的开头：这里要用「{ours}」",
                          ast.Span(file, line, col, line, col + len(other[1])),
                          hint=f"写成「{example_text.format(name=other[2]) or ours + body[len(other[1]):]}」")
    found = _formula_under_header(file, lines, line, col, body, text) if col > 1 else None
    if found is not None:
        return found
    op = _OPERATOR_START.match(body)
    # An indented line that starts with an operator continues the line above (the grammar's
    # _OPERATOR_LINE); one that is not indented cannot.
    if op is not None and col == 1 and line > 1:
        return Diagnostic("error", "E016", f"这一行以「{op[0]}」开头，像是上一行公式的续行：续行要比上一行多缩进",
                          ast.Span(file, line, col, line, col + len(op[0])),
                          hint=f"把这一行多缩进，如「  {body}」；或把运算符留在上一行末尾、下一行多缩进")
    return None


def _formula_under_header(file: str, lines: list[str], line: int, col: int, body: str,
                          text: str) -> Diagnostic | None:
    if _BRANCH_START.match(body) or re.match(r"(若|如果|否则)", body):
        return None  # a branch, or a branch keyword glued to a name (若住院期间): the glue hint is better
    head = line - 1
    while head > 0 and (not code_of(lines[head - 1]).strip() or lines[head - 1][:1] in " \t\u3000"):
        head -= 1
    if head < 1 or any(code_of(lines[i]).strip() for i in range(head, line - 1)):
        return None  # not the first line under the statement
    header = _BLOCK_HEAD.fullmatch(code_of(lines[head - 1]))
    if header is None or re.search(r"(?<![\u3400-\u4dbf\u4e00-\u9fff])按(?=[ \t\u3000])", header[0]):
        return None
    first, _, cite = header[0].partition("依据")
    fixed = f"{first.rstrip()} = {body}" + (f"  依据{cite}" if cite else "")
    return Diagnostic("error", "E017",
                      f"「{header[1]} {header[2]}」下面的缩进块只能写分支（「若 … 则 …」和「否则 …」），"
                      "公式要写在「=」后面", ast.Span(file, line, col, line, len(text) + 1),
                      hint=f"写成一行：「{fixed}」")


def unfinished_line_hint(source: str, line: int) -> str | None:
    """For a line that ends early: a formula ending in `=` or an operator wants the rest, or an
    indented continuation line."""
    lines = source.split("\n")
    text = code_of(lines[line - 1]) if 0 < line <= len(lines) else ""
    end = _OPERATOR_END.search(text)
    if end is None:
        return None
    return f"在「{end[0].strip()}」后补上公式的其余部分；要接到下一行写时，下一行要比这一行多缩进（如两个空格）"



def digit_name_hint(source: str, line: int, column: int) -> str | None:
    """For a word with digits that is not a declared name (第2档标准 used but never declared, or
    misspelt): names may contain digits only once declared."""
    lines = source.split("\n")
    if not 0 < line <= len(lines):
        return None
    text = lines[line - 1]
    for m in re.finditer(rf"[{NAME_CHARS}0-9]+", text):
        if m.start() < column <= m.end() and digit_name(m[0]):
            return (f"「{m[0]}」不是声明过的名称：含数字的名称要先用「输入」「定义」「参数」等声明，写法一字不差；"
                    "若是数值，要和名称用空格或运算符隔开")
    return None


# ---------------------------------------------------------------- band rows

_NUM = r"[0-9][0-9,.]*(?:万|亿)?(?:" + "|".join(sorted(UNITS, key=lambda u: (-len(u), u))) + "|%|％)?"
# Wordings drafters write for a band that the grammar does not read, and the law's wording for
# each (the 民法典 第一千二百五十九条 conventions: 以上/以下 include the number, 超过/不满 do not).
_BAND_FIXES: tuple[tuple[str, str, str], ...] = (
    (rf"(?:大于或等于|大于等于|不小于|≥|>=|＞＝)\s*({_NUM})", r"\1以上", "「以上」包括本数"),
    (rf"(?:小于或等于|小于等于|低于或等于|不大于|≤|<=|＜＝)\s*({_NUM})", r"不超过\1", "「不超过」包括本数"),
    (rf"(?:大于|>|＞)\s*({_NUM})", r"超过\1", "「超过」不包括本数"),
    (rf"(?:小于|不到|<|＜)\s*({_NUM})", r"不满\1", "「不满」不包括本数"),
    (rf"({_NUM})及(?:其)?以上", r"\1以上", "「以上」已包括本数"),
    (rf"({_NUM})及(?:其)?以下", r"\1以下", "「以下」已包括本数"),
    (rf"({_NUM})以上至({_NUM})", r"\1至\2", "「至」两端都包括"),
    (rf"({_NUM})\s*(?:到|~|～)\s*({_NUM})", r"\1至\2", "区间写「至」，两端都包括"),
    (r"[（(]含本数[)）]", "", "「以上」「以下」「以内」已包括本数；要改变时写「（含X）」「（不含X）」"),
    (r"[（(]不含本数[)）]", "（不含）", "写「（不含）」或「（不含X）」"),
    (r"^在", "", "分段直接写数值和比较词"),
)
# The same words in a formula's comparison: 若 所得 大于等于 起征点 -> 若 所得 达到 起征点.
_COMPARE_FIXES: tuple[tuple[str, str, str], ...] = (
    (r"(?:大于或等于|大于等于|不小于)\s*", "达到 ", "「达到」即 ≥"),
    (r"(?:小于或等于|小于等于|低于或等于|不大于)\s*", "不超过 ", "「不超过」即 ≤"),
    (r"大于\s*", "超过 ", "「超过」即 >"),
    (r"(?:小于|不到)\s*", "不满 ", "「不满」即 <"),
)
BAND_FORMS = "「36000元以下」「不超过36000元」「超过36000元至144000元」「36000元（含）以上」「36000元以上不满144000元」「其他」"


def _in_band_block(lines: list[str], line: int) -> bool:
    """Whether `line` is a row under a header that bands (按 … 分段, 超额累进, 全额累进)."""
    text = lines[line - 1]
    indent = len(text) - len(text.lstrip(" \t\u3000"))
    for n in range(line - 1, 0, -1):
        above = code_of(lines[n - 1])
        if not above.strip():
            continue
        depth = len(above) - len(above.lstrip(" \t\u3000"))
        if depth < indent:
            return bool(re.search(r"分段|超额累进|全额累进", above))
    return False


def band_row_hint(source: str, line: int) -> str | None:
    """For a band row the grammar does not read: the law's wording for it, or the accepted forms."""
    lines = source.split("\n")
    if not 0 < line <= len(lines):
        return None
    text = code_of(lines[line - 1]).strip()
    row = bool(re.search(r"[:：]", text)) and not re.match(r"(若|如果|否则|输入|输出|定义|参数|表|例|期望)", text)
    key = re.split(r"[:：]", text, maxsplit=1)[0].strip() if row else text
    if row and not re.search(r"[0-9]", key):
        return None
    fixed, why = key, []
    for pattern, replacement, reason in _BAND_FIXES if row else _COMPARE_FIXES:
        new = re.sub(pattern, replacement, fixed)
        if new != fixed:
            fixed = new
            why.append(reason)
    if fixed != key and not row:  # a comparison in a formula
        return f"比较照法条写作「{fixed}」（{'；'.join(why)}；也可用符号 ≥ ≤ > <）"
    if fixed != key:
        return f"分段照法条写作「{fixed}」（{'；'.join(why)}）；可用的写法如 {BAND_FORMS}"
    if _in_band_block(lines, line):
        return f"分段的写法如 {BAND_FORMS}（以上、以下、以内包括本数，超过、不满、低于不包括）"
    return None


def unit_hint(source: str, line: int, column: int, word: str) -> str | None:
    """For a word glued to a number (5打, 120人次 where 人次 is not declared): a unit to declare."""
    lines = source.split("\n")
    if not 0 < line <= len(lines) or column < 2:
        return None
    before = lines[line - 1][:column - 1]
    m = re.search(r"[0-9]([\u3400-\u4dbf\u4e00-\u9fff]*)$", before)
    if m is None:
        return None
    unit = m[1] + word  # 5人次 lexes as 5人 and 次: the whole word after the digits
    if len(unit) > 3:  # 3岁以下婴儿人数: more likely a name (see digit_name_hint)
        return None
    return f"「{unit}」不是已知的单位：在文件中先声明「单位 {unit}」（能换算成已有的单位时写出换算，如「单位 担 = 50公斤」）"
