"""Words of the language: keyword display names, units and Chinese numerals."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from guize.runtime.lawtext import numeral
from guize.runtime.related import (
    normalize_docno as normalize_docno,  # the runtime finds repeals by it too
)

# Terminal name -> how a drafter would call it in a message.
KEYWORDS: dict[str, str] = {
    "DOC_KW": "「文件」",
    "TITLE_KW": "「标题」",
    "DOCNO_KW": "「文号」",
    "ISSUER_KW": "「发布机关」",
    "PUB_KW": "「发布日期」",
    "EFF_KW": "「施行日期」",
    "END_KW": "「截止日期」",
    "DUR_KW": "「有效期」",
    "REPEAL_KW": "「废止」",
    "REPLACE_KW": "「替代」",
    "HISTORY_KW": "「沿革」",
    "NOTE_KW": "「备注」",
    "TYPE_KW": "「类型」",
    "UNIT_KW": "「单位」",
    "INPUT_KW": "「输入」",
    "DEF_KW": "「定义」「输出」「参数」或「表」",
    "DEFAULT_KW": "「默认」",
    "BY_KW": "「按」",
    "KNOWN_KW": "「已发布的规定」",
    "BANDS_KW": "「分段」",
    "IF_KW": "「若」",
    "THEN_KW": "「则」",
    "ELSE_KW": "「否则」",
    "AND_KW": "「且」",
    "OR_KW": "「或」",
    "NOT_KW": "「非」",
    "TRUE_KW": "「是」",
    "FALSE_KW": "「否」",
    "CITE_KW": "「依据」",
    "SAME_KW": "「参照」",
    "OTHER_KW": "「其他」",
    "FROM_KW": "「自」",
    "START_KW": "「起」",
    "UNTIL_KW": "「至」",
    "STOP_KW": "「止」",
    "ABOVE_KW": "「以上」",
    "BELOW_KW": "「以下」",
    "WITHIN_KW": "「以内」",
    "OVER_KW": "「超过」",
    "UNDER_KW": "「不满」",
    "INCL_KW": "「含」",
    "EXCL_KW": "「不含」",
    "REACH_KW": "「达到」",
    "NOT_OVER_KW": "「不超过」",
    "NOT_UNDER_KW": "「未达到」",
    "EQUALS_KW": "「等于」",
    "PART_KW": "「的部分」",
    "NEG_KW": "「可为负」",
    "GIVEN_KW": "「可作输入」",
    "NOT_EQUALS_KW": "「不等于」",
    "CAP_KW": "「最高」或「最低」",
    "EXAMPLE_KW": "「例」",
    "ASSERT_KW": "「断言」",
    "AMEND_KW": "「修改」",
    "ADOPT_KW": "「参照执行」",
    "ADD_KW": "「新增」",
    "LOCAL_MARK": "「，各地可调整」",
    "IN_WORD": "「中」",
    "OF_WORD": "「的」",
    "EACH_KW": "「逐项」",
    "ROLE_KW": "「适用日期」或「主键」",
    "NONE_KW": "「空列表」",
    "TEXT_KW": "「原文」",
    "DATE_KW": "「日期」",
    "EXPECT_KW": "「期望」",
    "NOT_IN_FORCE_KW": "「未生效」",
    "ERROR_KW": "「错误」",
    "PER_FULL_KW": "「每满」",
    "PER_FULL_GLUED": "「每满」",
    "REACH_GLUED": "「达到」",
    "UNDER_GLUED": "「不满」",
    "ABOVE_GLUED": "「以上」",
    "YEARMONTH": "日期（如 2024年4月26日）",  # or a year-month: one word in messages
    "MONTH_OF": "日期（如 2024年4月26日）",  # 当年1月的 …: one word with dates in messages
    "COLON": "冒号「：」",
    "COMMA": "逗号「，」",
    "DUN": "顿号「、」",
    "LPAR": "左括号「（」",
    "RPAR": "右括号「）」",
    "EQ": "等号「=」",
    "NE": "「≠」",
    "GE": "「≥」",
    "LE": "「≤」",
    "GT": "「>」",
    "LT": "「<」",
    "PLUS": "加号「+」",
    "MINUS": "减号「-」",
    "TIMES": "乘号「×」",
    "DIV": "除号「÷」或「/」",
    "RANGE_TO": "区间符号「至」或「—」",
    "DATE": "日期（如 2024年4月26日）",
    "DOCNUM": "文号（如 新政办发〔2024〕13号）",
    "CITATION": "条款（如 第十四条第二款、附表一）",
    "CNYEARS": "年限（如 五年）",
    "NUMBER": "数值（如 300元、80%）",
    "ROUNDING": "舍入方式（如 四舍五入到分）",
    "TITLE": "书名号标题（如《……》）",
    "STRING": "引号文字（如「……」）",
    "NAME": "名称",
    "ARTICLE_LINE": "一行条文原文",
    "_NL": "换行",
    "_INDENT": "缩进",
    "_DEDENT": "取消缩进",
    "$END": "文件结尾",
}

# Keyword words that may be glued to a name when a space is forgotten.
KEYWORD_WORDS: tuple[str, ...] = (
    "否则", "如果", "若", "则", "并且", "且", "或者", "或", "非", "按", "分段", "依据", "参照",
    "默认", "最高", "最低", "超过", "高于", "不满", "低于", "不足", "达到", "不低于", "不超过",
    "不高于", "等于", "不等于", "以上", "以下", "以内", "输入", "输出", "定义", "参数", "期望",
)

# Unit as written -> (canonical unit, scale to the canonical unit).
UNITS: dict[str, tuple[str, Decimal]] = {
    "元": ("元", Decimal(1)),
    "万元": ("元", Decimal(10000)),
    "亿元": ("元", Decimal(100000000)),
    "吨": ("吨", Decimal(1)),
    "万吨": ("吨", Decimal(10000)),
    "千克": ("千克", Decimal(1)),
    "公斤": ("千克", Decimal(1)),
    "克": ("千克", Decimal("0.001")),
    "千瓦时": ("千瓦时", Decimal(1)),
    "度": ("千瓦时", Decimal(1)),
    "人": ("人", Decimal(1)),
    "名": ("人", Decimal(1)),
    "次": ("次", Decimal(1)),
    "个": ("个", Decimal(1)),
    "支": ("支", Decimal(1)),
    "件": ("件", Decimal(1)),
    "月": ("月", Decimal(1)),
    "个月": ("月", Decimal(1)),
    # Time counts in months as the law counts it: 1年 = 12个月; an age in years (60岁, 十八周岁) too.
    "年": ("月", Decimal(12)),
    "岁": ("月", Decimal(12)),
    "周岁": ("月", Decimal(12)),
    "日": ("日", Decimal(1)),
    "天": ("日", Decimal(1)),
    "亩": ("亩", Decimal(1)),
    "平方米": ("平方米", Decimal(1)),
    "㎡": ("平方米", Decimal(1)),
    "米": ("米", Decimal(1)),
    "公里": ("米", Decimal(1000)),
    "小时": ("小时", Decimal(1)),
    "户": ("户", Decimal(1)),
    "家": ("家", Decimal(1)),
    "套": ("套", Decimal(1)),
    "台": ("台", Decimal(1)),
}

PERCENT_UNITS: dict[str, Decimal] = {"%": Decimal("0.01"), "％": Decimal("0.01"), "‰": Decimal("0.001")}
POINTS_UNIT = "个百分点"

# The units that may follow "/" in a number (元/人, 300元/吨): the NUMBER terminal in rule.lark.
PER_UNITS = frozenset(["吨", "千克", "公斤", "千瓦时", "度", "人", "名", "次", "月", "年", "日", "天", "亩", "㎡",
                       "平方米", "米", "件", "个", "支", "户", "家", "套", "台"])

# 五, 十四, 二十, 一百零五 or ASCII digits (up to 9999): the runtime reads 条款 numbers the same way.
cn_to_int = numeral


CN_NUMERAL_CHARS = frozenset("零〇一二三四五六七八九十百千万亿两点")


def cn_to_decimal(text: str) -> Decimal:
    """A Chinese numeral as statutes write amounts and rates: 六万 -> 60000, 八十 -> 80,
    一千二百万 -> 12000000, 零点五 -> 0.5, 三点一四 -> 3.14."""
    whole, _, frac = text.partition("点")
    total = 0
    for part, scale in _split_scales(whole):
        total += (cn_to_int(part) if part else (1 if scale > 1 else 0)) * scale
    value = Decimal(total)
    if frac:
        digits = "".join(str(numeral(ch)) for ch in frac)
        value += Decimal("0." + digits)
    return value


def _split_scales(text: str) -> list[tuple[str, int]]:
    """一千二百万三千 -> [("一千二百", 10000), ("三千", 1)]: groups under 亿 and 万."""
    out: list[tuple[str, int]] = []
    rest = text
    for mark, scale in (("亿", 100000000), ("万", 10000)):
        if mark in rest:
            head, rest = rest.split(mark, 1)
            out.append((head, scale))
    out.append((rest, 1))
    return out


_CN_NUMERALS = "〇一二三四五六七八九"


def int_to_cn(n: int) -> str:
    """Write 1..99 the way articles are numbered: 十四, 二十, 三十七."""
    if n < 10:
        return _CN_NUMERALS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _CN_NUMERALS[tens]
    return head + "十" + (_CN_NUMERALS[ones] if ones else "")


def normalize_title(text: str) -> str:
    """Strip 《》 and write inner titles with 〈〉."""
    inner = text[1:-1] if text.startswith("《") else text
    return inner.replace("《", "〈").replace("》", "〉")


# ---------------------------------------------------------------- literals


_NUMBER = re.compile(
    r"(?P<digits>(\d{1,3}(,\d{3})+|\d+)(\.\d+)?)(?P<scale>万|亿)?"
    r"(?P<unit>%|％|‰|个百分点|[^/／\d]+)?([/／](?P<per>.+))?$"
)


_CN_TIME = "零〇一二三四五六七八九十两半"
_PERIOD = re.compile(rf"(?:(?P<years>\d+|[{_CN_TIME}]+)(?P<ymark>年|周岁|岁))?零?"
                     rf"(?:(?P<months>\d+|[{_CN_TIME}]+)个月)?")


def _time_count(text: str) -> Decimal:
    """12, 十二, 半 (a half), 两 -> the count."""
    if text.isdigit():
        return Decimal(text)
    if text == "半":
        return Decimal("0.5")
    return Decimal(cn_to_int(text))


def parse_number(text: str) -> tuple[Decimal, str | None, str | None]:
    """'2,000万元' -> (20000000, '元'…): digits with 万/亿 folded in, unit, per-unit.

    万/亿 directly before 元/吨 stay part of the unit (万元 is a unit with its own scale);
    before nothing or another unit they scale the digits.
    """
    if text.startswith("百分之"):
        return cn_to_decimal(text[3:]), "%", None
    m = _PERIOD.fullmatch(text)
    if m is not None:  # 9年11个月, 60岁1个月, 六个月, 一年, 半个月: in months
        years = _time_count(m["years"]) if m["years"] else Decimal(0)
        months = _time_count(m["months"]) if m["months"] else Decimal(0)
        if m["months"] is None and m["ymark"]:
            return years, m["ymark"], None
        return years * 12 + months, "个月", None
    if text[0] in CN_NUMERAL_CHARS:
        unit = next(u for u in ("万元", "亿元", "元") if text.endswith(u))
        return cn_to_decimal(text[:-len(unit)]), unit, None
    m = _NUMBER.match(text)
    if m is None:  # INVARIANT: the NUMBER terminal only matches this shape
        raise ValueError(text)
    value = Decimal(m["digits"].replace(",", ""))
    scale, unit = m["scale"], m["unit"]
    if scale and unit in ("元", "吨"):
        unit = scale + unit
    elif scale:
        value *= 10000 if scale == "万" else 100000000
    return value, unit, m["per"]


def parse_date(text: str) -> datetime.date:
    m = re.fullmatch(r"(\d{4})(?:年|-)(\d{1,2})(?:月|-)(\d{1,2})日?", text)
    if m is None:
        raise ValueError(text)
    return datetime.date(int(m[1]), int(m[2]), int(m[3]))


# ---------------------------------------------------------------- hints


# Words of amending and local documents, left out of "expected" lists: almost never what a
# drafter meant at a syntax error, and they would crowd out the words that are.
_RARELY_MEANT = frozenset({"LOCAL_MARK", "ADD_KW", "AMEND_KW", "ADOPT_KW"})


def expected_words(expected: set[str]) -> str:
    """What a syntax error expected, in words (at most eight)."""
    names = sorted({KEYWORDS.get(t, t) for t in expected if not t.startswith("__") and t not in _RARELY_MEANT})
    if len(names) > 8:
        names = [*names[:8], "……"]
    return "、".join(names)


def glued_hint(word: str) -> str | None:
    """The hint for a keyword glued to a name (若住院期间): where the space goes."""
    for kw in sorted(KEYWORD_WORDS, key=len, reverse=True):
        if word.startswith(kw) and len(word) > len(kw):
            return f"「{kw}」是关键字，后面要留空格：写成「{kw} {word[len(kw):]}」"
        if word.endswith(kw) and len(word) > len(kw):
            return f"「{kw}」是关键字，前面要留空格：写成「{word[:-len(kw)]} {kw}」"
    return None


# ---------------------------------------------------------------- names with digits

# A declared name may contain digits (3岁以下婴幼儿人数, 第2档标准). The grammar's NAME has no
# digits, so that numbers glued to words (不超过36000元, 自2024年1月1日起) still lex as numbers;
# instead each whole-word use of a declared name has its digits replaced by private-use
# characters (the same length, so every column stays put) that NAME accepts, and the lexer
# turns them back into digits.
NAME_CHARS = "\u3400-\u4dbf\u4e00-\u9fffA-Za-z_·"
_MASK = str.maketrans({str(i): chr(0xE000 + i) for i in range(10)})
_UNMASK = str.maketrans({chr(0xE000 + i): str(i) for i in range(10)})
_DECLARATION = re.compile(r"^[ \t\u3000]*(?:输入|定义|输出|参数|表|类型)[ \t\u3000]+([^ \t\u3000:：=＝，,（(、\n]+)"
                          r"(?:[ \t\u3000]*[:：]([^\n#＃=＝]*))?", re.M)
_EXAMPLE_NAME = re.compile(r"^(?:例|示例|测试)[ \t\u3000]+([^ \t\u3000:：「“\"\n]+)[ \t\u3000]*[:：]?[ \t\u3000]*$", re.M)
_LEADING_NUMBER = re.compile(r"(\d{1,3}(,\d{3})+|\d+)(\.\d+)?(万|亿)?(?P<rest>.*)")


def digit_name(word: str) -> bool:
    """Whether `word` may be a name with digits: name characters and digits, at least one of
    each, and not a number with a unit (3岁, 2024年, 100元 stay numbers)."""
    if not re.fullmatch(rf"[{NAME_CHARS}0-9]+", word) or not re.search(r"\d", word):
        return False
    if not re.search(rf"[{NAME_CHARS}]", word):
        return False
    m = _LEADING_NUMBER.fullmatch(word)
    return m is None or (m["rest"] not in UNITS and m["rest"] not in ("", "个百分点"))


def declared_digit_names(text: str) -> list[str]:
    """The names with digits a file declares (输入/定义/输出/参数/表/类型, enum members, and
    examples' names), longest first."""
    found: set[str] = {m[1] for m in _EXAMPLE_NAME.finditer(text)}
    for m in _DECLARATION.finditer(text):
        found.add(m[1])
        if m[2] and "、" in m[2]:  # an enumeration: its members
            found.update(w.strip(" \t\u3000") for w in m[2].split("依据")[0].split("、"))
    return sorted((w for w in found if digit_name(w)), key=lambda w: (-len(w), w))


def mask_digit_names(text: str) -> str:
    """`text` with the digits of each whole-word use of a declared digit name masked (see above)."""
    names = declared_digit_names(text)
    if not names:
        return text
    pattern = re.compile(rf"(?<![{NAME_CHARS}0-9\ue000-\ue009])(?:{'|'.join(map(re.escape, names))})"
                         rf"(?![{NAME_CHARS}0-9])")
    return pattern.sub(lambda m: m[0].translate(_MASK), text)


def unmask(text: str) -> str:
    """Masked digits back to digits."""
    return text.translate(_UNMASK)


# ---------------------------------------------------------------- declared units

_UNIT_DECL = re.compile(r"^单位[ \t\u3000]+([\u3400-\u4dbf\u4e00-\u9fffA-Za-z·]+)(?=[ \t\u3000=＝#＃\n]|$)", re.M)


def declared_units(text: str) -> tuple[str, ...]:
    """The units a file declares (单位 人次, 单位 担 = 50公斤) that are not built in, longest first:
    the NUMBER terminal reads them after a number (5人次, 300元/人次)."""
    found = {m[1] for m in _UNIT_DECL.finditer(text)} - set(UNITS) - set(PERCENT_UNITS)
    return tuple(sorted(found, key=lambda u: (-len(u), u)))


def grammar_with_units(grammar: str, units: tuple[str, ...]) -> str:
    """The grammar whose NUMBER terminal also reads `units` (before the built-in ones, so that
    人次 is not read as 人 followed by 次)."""
    if not units:
        return grammar
    alternatives = "|".join(units)
    lines = grammar.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("NUMBER"):
            line = line.replace("(万元|亿元|元|万吨|", f"({alternatives}|万元|亿元|元|万吨|", 1)
            line = line.replace("[\\/／](吨|", f"[\\/／]({alternatives}|吨|", 1)
            lines[i] = line.replace("[\\/／·](吨|", f"[\\/／·]({alternatives}|吨|", 1)
    return "\n".join(lines)
