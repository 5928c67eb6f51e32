"""A forgiving lexical scan of .rule text for the editor: tokens with positions, even in a file
that does not parse (the parser stops at the first broken statement; an editor must not).

The token patterns are the grammar's terminals (grammar/rule.lark), tried in its priority
order; a run of name characters is a keyword when it is one of the grammar's keyword words.
Columns are 0-based code points; the server converts them to the client's units.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources

import attrs

from guize.compiler import lexicon
from guize.compiler.lexicon import declared_units, digit_name, mask_digit_names, unmask
from guize.compiler.parser import keyword_words

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_NUMERAL = "〇零一二三四五六七八九十百千"

# Every keyword spelling of the grammar (rule.lark's *_KW terminals), read from the grammar itself.
KEYWORDS: frozenset[str] = frozenset(keyword_words(
    resources.files("guize.grammar").joinpath("rule.lark").read_text(encoding="utf-8")))
# Words that start a top-level statement, and the kind of what they declare.
DECLARERS: dict[str, str] = {"类型": "type", "输入": "input", "定义": "def", "输出": "output", "参数": "param",
                             "表": "table"}

# The units a number may carry and those that may follow "/" (300元/吨, 元/人·月), from the
# lexicon that the compiler reads them with, longest first so that 万元 is not read as 万 + 元.
_UNITS = "|".join(sorted(lexicon.UNITS, key=lambda u: (-len(u), u)))
_PER = "|".join(sorted(lexicon.PER_UNITS, key=lambda u: (-len(u), u)))
_PER_TAIL = r"([/／]({per})([/／·]({per}))?)?"



_TIME = "[零〇一二三四五六七八九十两半]+(?:个月|周岁|年|月|天|日|岁)"
_GLUED_TIME = rf"{_TIME}(?:$|[^{_CJK}A-Za-z_·]|不满|未满|不足)"


def _number(units: str, per: str) -> str:
    """A number as the grammar's NUMBER reads it: digits, 万/亿, then a percent sign or a unit
    with up to two per-units (2000元/人/月, 元/人·月)."""
    return (rf"(\d{{1,3}}(,\d{{3}})+|\d+)(\.\d+)?(万|亿)?(%|％|‰|个百分点|({units})"
            + _PER_TAIL.format(per=per) + ")?")


# (kind, pattern) in the grammar's priority order; the first that matches at a position wins.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((kind, re.compile(p)) for kind, p in (
    ("comment", r"[#＃].*"),
    ("date", r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}-\d{1,2}"),
    ("docno", rf"[{_CJK}]+[〔\[(（【]\d{{4}}[〕\])）】]\d+号|[{_CJK}]*令第[\d{_NUMERAL}]+号"),
    ("citation", rf"第[{_NUMERAL}\d]+[条项章节]((第[{_NUMERAL}\d]+[款项目])|(第?[（(][一二三四五六七八九十\d]+[)）]"
                 rf"[款项目]?))*|附(表|件)[{_NUMERAL}\d]+"),
    ("rounding", r"(四舍五入|向下取整|向上取整|截尾)(到|至)?(分|角|元|十元|百元|千元|万元|整数)?|不舍入"),
    # 已满一年不满十年, 每满一年, 满六个月: a comparison word glued to a time in Chinese numerals
    # (rule.lark's *_GLUED terminals); 不满一年部分 stays a name.
    ("keyword", rf"(?:(?<![{_CJK}A-Za-z_·])|(?<=[年月天日岁]))(每满|已满|未满|不满|不足|满)(?={_GLUED_TIME})"),
    ("number", _number(_UNITS, _PER)),
    ("years", rf"[一二三四五六七八九十两]+年|(?<=满|足)(?={_GLUED_TIME}){_TIME}"),
    ("title", r"《[^《》\n]*(〈[^〈〉\n]*〉[^《》\n]*)*》"),
    ("string", r"「[^」\n]*」|“[^”\n]*”|\"[^\"\n]*\""),
    ("name", rf"[{_CJK}A-Za-z_·\ue000-\ue009]+"),  # masked digits: a declared name with digits
    ("operator", r"==?|＝|≠|!=|！＝|≥|>=|＞＝|≤|<=|＜＝|>|＞|<|＜|[+＋\-－−×*＊÷/／—～~]"),
    ("punct", r"[:：,，、()（）。；;]"),
    ("space", r"[ \t\u3000]+"),
))


@attrs.frozen
class Token:
    kind: str  # lawtext comment date docno citation rounding number years title string name keyword operator punct other
    text: str
    line: int  # 0-based
    col: int  # 0-based, code points
    indent: int  # the indentation of the token's line, in columns

    @property
    def end(self) -> int:
        return self.col + len(self.text)


# 原文 第十四条： begins a block of the law's text; its indented lines are one `lawtext` token each.
_TEXT_HEAD = re.compile(r"原文(?![\u3400-\u4dbf\u4e00-\u9fffA-Za-z_·])")


def tokens(source: str) -> Iterator[Token]:
    """Every token but white space, line by line."""
    patterns = _with_units(declared_units(source))
    in_text = False
    for line_no, line in enumerate(mask_digit_names(source).splitlines()):
        indent = len(line) - len(line.lstrip(" \t\u3000"))
        pos = 0
        if line.strip() and indent == 0:
            in_text = bool(_TEXT_HEAD.match(line))
        elif in_text and line.strip() and line.lstrip(" \t\u3000")[0] not in "#＃":
            text = re.split(r"[#＃]", line[indent:], maxsplit=1)[0].rstrip()
            yield Token("lawtext", unmask(text), line_no, indent, indent)
            pos = indent + len(text)
        while pos < len(line):
            kind, text = _match(line, pos, patterns)
            if kind == "name" and text in KEYWORDS:
                kind = "keyword"
            if kind != "space":
                yield Token(kind, unmask(text), line_no, pos, indent)
            pos += len(text)


def _with_units(units: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """PATTERNS whose numbers also read the units the file declares (单位 人次: 120人次)."""
    if not units:
        return PATTERNS
    extra = "|".join(units)
    number = re.compile(_number(f"{extra}|{_UNITS}", f"{extra}|{_PER}"))
    return tuple((kind, number if kind == "number" else p) for kind, p in PATTERNS)


def _match(line: str, pos: int, patterns: tuple[tuple[str, re.Pattern[str]], ...] = PATTERNS) -> tuple[str, str]:
    """The first pattern that matches at `pos` and its text; one character of `other` if none does."""
    for kind, pattern in patterns:
        m = pattern.match(line, pos)
        if m and m.end() > pos:
            return kind, m.group()
    return "other", line[pos]


def is_name(text: str) -> bool:
    """Whether `text` can be written as a name (for rename): name characters only, not a keyword."""
    return (bool(re.fullmatch(rf"[{_CJK}A-Za-z_·]+", text)) or digit_name(text)) and text not in KEYWORDS
