"""The law's own words: find the passage a citation (依据 第十四条第二款) names in a file's 原文 blocks.

An article's text is held as lines, each a paragraph (款) or an item (项, a line that begins with
（一） or (1)). Items belong to the paragraph before them; 款 count the other lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import attrs

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = r"[〇零一二三四五六七八九十百千\d]+"
# The article itself: 第十四条, 第二项 (a regulation numbered by items), 附表1, 附件二.
_HEAD = re.compile(rf"第{_NUM}[条项章节]|附[表件]{_NUM}")
_PART = re.compile(rf"第({_NUM})([款项目])|第?[（(]({_NUM})[)）]([款项目]?)")
_ITEM = re.compile(rf"[（(]({_NUM})[)）]|(\d+)[.．](?!\d)")


def numeral(text: str) -> int:
    """五 -> 5, 十四 -> 14, 二十 -> 20, 一百零五 -> 105, 14 -> 14."""
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            total += (digit or 1) * _UNITS[ch]
            digit = 0
        else:
            raise ValueError(text)
    return total + digit


def cn_count(n: int) -> str:
    """3 -> 三 (for counts up to 99 in messages)."""
    cn = "零一二三四五六七八九"
    if n < 10:
        return cn[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else cn[tens]) + "十" + (cn[ones] if ones else "")


def article_of(citation: str) -> str | None:
    """The article a citation lies in: 第十四条第二款 -> 第十四条; None if it names none."""
    m = _HEAD.match(citation)
    return m[0] if m else None


def parts_of(citation: str) -> list[tuple[str, int]]:
    """The units below the article: 第十四条第二款 -> [(款, 2)]; 第十条第（一）项 -> [(项, 1)]."""
    head = _HEAD.match(citation)
    rest = citation[head.end():] if head else citation
    out = []
    for m in _PART.finditer(rest):
        if m[1] is not None:
            out.append((m[2], numeral(m[1])))
        else:
            out.append((m[4] or "项", numeral(m[3])))
    return out


def item_number(line: str) -> int | None:
    """（一）… -> 1; 2. … -> 2; a paragraph -> None."""
    m = _ITEM.match(line)
    if m is None:
        return None
    return numeral(m[1] or m[2])


@attrs.frozen
class Passage:
    """The text a citation names: the article, and the lines of the unit cited."""

    citation: str
    article: str
    lines: tuple[str, ...]
    whole: bool  # the citation names the whole article


def paragraphs(lines: Sequence[str]) -> list[list[str]]:
    """An article's lines grouped by 款: each paragraph with the items after it."""
    out: list[list[str]] = []
    for line in lines:
        if out and item_number(line) is not None:
            out[-1].append(line)
        else:
            out.append([line])
    return out


def resolve(articles: Mapping[str, Sequence[str]], citation: str) -> Passage | str | None:
    """The passage `citation` names; None when no 原文 holds its article; a message (str) saying
    what is missing when the article is held but has no such paragraph or item."""
    article = article_of(citation)
    if article is None or article not in articles:
        return None
    lines = list(articles[article])
    scope = lines
    for kind, n in parts_of(citation):
        if kind == "款":
            paras = paragraphs(scope)
            if n > len(paras):
                return f"{article}的原文只有{cn_count(len(paras))}款，没有第{cn_count(n)}款"
            scope = paras[n - 1]
        elif kind == "项":
            items = [line for line in scope if item_number(line) == n]
            if not items:
                return f"{article}的原文中没有第（{cn_count(n)}）项"
            scope = items[:1]
        # 目 (a sub-item) stays within its item: the item's line is the passage shown
    return Passage(citation, article, tuple(scope), scope is lines)


def order_key(citation: str) -> tuple[int, ...]:
    """Citations in the order of the law: 第九条 < 第十四条 < 第十四条第二款 < 附表1."""
    numbers = [numeral(m) for m in re.findall(_NUM, citation)]
    return (1 if citation.startswith("附") else 0, *numbers)


def passages(articles: Mapping[str, Sequence[str]], citations: Sequence[str]) -> list[Passage]:
    """The passages of `citations` that the 原文 blocks hold, each once, in the order of the law."""
    out: list[Passage] = []
    for c in citations:
        found = resolve(articles, c)
        if isinstance(found, Passage) and found not in out:
            out.append(found)
    return sorted(out, key=lambda p: order_key(p.citation))


def quote(passage: Passage) -> str:
    """A passage as one paragraph of text: 第十四条第二款：普通门诊统筹基金……"""
    return f"{passage.citation}：" + "".join(passage.lines)
