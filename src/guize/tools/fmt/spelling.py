"""guize fmt: how leaves are spelled — keywords, quoting, citations, types, literals, dates, band text."""

from __future__ import annotations

import datetime
import re
from importlib import resources

from guize.compiler import ast
from guize.compiler.parser import keyword_words
from guize.runtime import display
from guize.tools.fmt.layout import CITE_GAP, Mark

DEF_WORDS = {"def": "定义", "output": "输出", "param": "参数", "table": "表"}
_CMP_SYMBOLS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "!=": "≠"}
_SYMBOL_CHARS = set("<>=!≥≤≠＜＞＝！")
RANGE_WORDS = {"—", "～", "~", "至"}
RANGE_TO = "至"
_LOWER_WORDS_AFTER = {"以上"}  # 3000元以上; the others come first: 超过3000元
_UPPER_WORDS_AFTER = {"以下", "以内"}  # 5000元以下; the others come first: 不满5000元
# Words the grammar reads glued to a time in Chinese numerals (rule.lark's *_GLUED terminals), as
# statutes write them: 每满一年, 满六个月, 已满一年不满十年. Printed glued only there.
GLUED_WORDS = {"满", "已满", "不满", "未满", "不足", "每满"}
_CN_NUMERAL = set("零〇一二三四五六七八九十两半")
_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffA-Za-z_·]+")


class FormatError(Exception):
    """Internal: the printed layout would not parse back to the same tree (a formatter bug)."""


def _keywords() -> frozenset[str]:
    grammar = resources.files("guize.grammar").joinpath("rule.lark").read_text(encoding="utf-8")
    return frozenset(keyword_words(grammar))


_KEYWORDS = _keywords()


def date_text(d: datetime.date) -> str:
    return f"{d.year:04d}年{d.month}月{d.day}日"


def _bare(text: str) -> bool:
    """Whether `text` can be written without quotes: one name, not a keyword."""
    return bool(_NAME.fullmatch(text)) and text not in _KEYWORDS


def quote(text: str) -> str:
    for left, right in (("「", "」"), ("“", "”"), ('"', '"')):
        if right not in text:
            return f"{left}{text}{right}"
    raise FormatError(f"cannot quote {text!r}")  # INVARIANT: parsed strings fit one of the forms


def name_or_quoted(text: str) -> str:
    return text if _bare(text) else quote(text)


def issuer_text(text: str) -> str:
    parts = re.split(r"[ 、]", text)  # 财政部、税务总局: joint issuers
    return text if parts and all(_bare(p) for p in parts) else quote(text)


def cite_text(cite: ast.Citation | None) -> str:
    return f"{CITE_GAP}依据 {'、'.join(cite.articles)}" if cite else ""


def cite_doc(cite: ast.Citation | None) -> object:
    """A citation after an expression that may break: marked, so a comment after it follows it."""
    if cite is None or not cite.span.line:
        return cite_text(cite)
    return [Mark(cite.span.line, cite.span.end_line), cite_text(cite), Mark(cite.span.line, cite.span.end_line, True)]


def docref_text(ref: ast.DocRef) -> str:
    if ref.title is not None:
        return f"《{ref.title}》" + (f"（{ref.docno}）" if ref.docno else "")
    return ref.docno or ""


def literal_text(lit: ast.LitValue) -> str:
    v = lit.value
    if isinstance(v, ast.Number):
        return ("-" if lit.negative else "") + v.text
    if isinstance(v, ast.DateLit):
        return display.year_month(v.value) if v.year_month else date_text(v.value)
    if isinstance(v, ast.Bool):
        return "是" if v.value else "否"
    return f"「{v.name}」" if lit.quoted else v.name


def glued(word: str, right: object) -> bool:
    """Whether `word` is printed glued to `right`: a time in Chinese numerals (一年, 六个月)."""
    return (word in GLUED_WORDS and isinstance(right, ast.Number) and bool(right.text)
            and right.text[0] in _CN_NUMERAL)


def compare_word(e: ast.Compare) -> str:
    """The comparison as printed: symbols take one form; words (超过, 不满 …) stay as written."""
    if e.word and not set(e.word) <= _SYMBOL_CHARS:
        return e.word
    return _CMP_SYMBOLS[e.op]


def band_text(lower: ast.Bound | None, upper: ast.Bound | None, part: bool = False) -> str:
    """A band key as printed: 3000元以上, 超过50%, 2000元至3000元（不含3000元）,
    超过36000元至144000元的部分; a bound that is a name stands apart: 超过 起征额 至 144000元 的部分."""

    # A name stands apart, and then so does the other bound: 超过 起征额 至 144000元 的部分.
    apart = any(b is not None and isinstance(b.value, ast.Name) for b in (lower, upper))

    def shown(b: ast.Bound) -> str:
        return f" {b.value.text} " if apart else b.value.text

    if lower is not None and upper is not None and lower.word in RANGE_WORDS:
        text = f"{shown(lower)}{RANGE_TO}{shown(upper)}"
    elif lower is not None and upper is not None and upper.word in RANGE_WORDS:
        text = f"{lower.word}{shown(lower)}{RANGE_TO}{shown(upper)}"
    else:
        parts = []
        if lower is not None:
            n, w = shown(lower), lower.word
            parts.append(n + w if w in _LOWER_WORDS_AFTER else w + n)
        if upper is not None:
            n, w = shown(upper), upper.word
            parts.append(n + w if w in _UPPER_WORDS_AFTER else w + n)
        # 已满一年不满十年: two bounds in Chinese numerals read as one phrase, as the statute has it.
        together = (len(parts) == 2 and upper is not None and lower is not None
                    and glued(upper.word, upper.value) and parts[0][-1:] in _CN_NUMERAL | {"年", "月", "天", "日", "岁"}
                    and lower.word not in _LOWER_WORDS_AFTER and not isinstance(lower.value, ast.Name))
        text = "".join(parts) if together else " ".join(parts)
    for b in (lower, upper):
        if b is not None and b.explicit:
            text += f"（{'含' if b.inclusive else '不含'}{shown(b).strip()}）"
    text += (" 的部分" if text.endswith(" ") else "的部分") if part else ""
    return " ".join(text.split())


def key_text(key: ast.Key) -> str:
    if isinstance(key, ast.EnumKey):
        return "、".join(key.names)
    if isinstance(key, ast.OtherKey):
        return "其他"
    if isinstance(key, ast.DatedKey):
        return f"自{date_text(key.start)}起" + (f" 至{date_text(key.end)}" if key.end else "")
    return band_text(key.lower, key.upper, key.part)


def example_text(lit: ast.LitValue | ast.RecordsValue | ast.ListValue) -> str:
    """A value of an example on one line: a literal, a list (a、b), or a list input's items (；)."""
    if isinstance(lit, ast.ListValue):
        return "、".join(literal_text(v) for v in lit.items) or "空列表"
    if isinstance(lit, ast.RecordsValue):
        return "；".join("，".join(f"{k} = {literal_text(v)}" for k, v in item) for item in lit.items) or "空列表"
    return literal_text(lit)
