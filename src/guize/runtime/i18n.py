"""User-facing messages in Chinese (the default) or English (GUIZE_LANG=en, or guize --lang en).

One catalogue, no second copy of any logic: the code that finds a problem says it once, in
Chinese; English is chosen where a message is shown. Fixed texts (CLI summaries, labels, the
worksheet's headings) are keyed here with both languages. A diagnostic's English is its code's
English statement (CODES) followed by the specifics the Chinese message quotes (names, values,
articles are the drafter's own words and stay as written).
"""

from __future__ import annotations

import os
import re

LANGUAGES = ("zh", "en")


def language() -> str:
    """"en" when GUIZE_LANG asks for English (en, en_US.UTF-8, …); "zh" otherwise."""
    return "en" if os.environ.get("GUIZE_LANG", "").lower().startswith("en") else "zh"


# Fixed texts: key -> (Chinese, English); {name} fields are filled by t().
MESSAGES: dict[str, tuple[str, str]] = {
    "severity.error": ("错误", "error"),
    "severity.warning": ("警告", "warning"),
    "severity.info": ("提示", "info"),
    "label.article": ("条款：", "article: "),
    "label.hint": ("建议：", "suggestion: "),
    "check.ok": ("检查了 {files} 个文件：通过", "checked {files} file(s): no errors"),
    "check.errors": ("检查了 {files} 个文件：发现 {errors} 处错误", "checked {files} file(s): {errors} error(s) found"),
    "check.warnings": ("，{warnings} 处警告", ", {warnings} warning(s)"),
    "lint.summary": ("{errors} 个错误，{warnings} 个警告，{infos} 个提示",
                     "{errors} error(s), {warnings} warning(s), {infos} info"),
    "test.summary": ("例子：{passed} 个通过，{failed} 个失败", "examples: {passed} passed, {failed} failed"),
    "test.uncompiled": ("；{files} 个文件有错误，其中的例子没有运行", "; {files} file(s) have errors, their examples did not run"),
    "lint.clean": ("没有发现问题", "no problems found"),
    "fmt.clean": ("{files} 个文件都已是统一格式", "all {files} file(s) are formatted"),
    "fmt.would": ("{files} 个文件需要格式化", "{files} file(s) would be reformatted"),
    "fmt.done": ("已格式化 {changed} 个文件（共 {files} 个）", "reformatted {changed} of {files} file(s)"),
    "error.prefix": ("错误：", "error: "),
    "explain.results": ("结果", "Results"),
    "explain.known": ("已知情况", "Known facts"),
    "explain.steps": ("计算过程", "Working"),
    "explain.law": ("依据的条文", "The law's text"),
    "explain.item": ("项目", "Item"),
    "explain.value": ("取值", "Value"),
    "explain.cite": ("依据", "Article"),
    "explain.about": ("说明", "Notes"),
    "explain.when": ("计算日期：{date}。适用的规定：{window}。", "Date of calculation: {date}. Rules in force: {window}."),
    "explain.untitled": ("计算说明", "Calculation"),
    "kind.input": ("已知", "given"),
    "kind.param": ("规定的标准", "standard set by the rules"),
    "kind.table": ("按表查得", "looked up in a table"),
    "kind.def": ("计算", "computed"),
    "kind.output": ("结果", "result"),
}


def t(key: str, **fields: object) -> str:
    """The text of `key` in the current language, with `fields` filled in."""
    zh, en = MESSAGES[key]
    return (en if language() == "en" else zh).format(**fields)


# What each diagnostic code means, in English (the Chinese is the message itself).
CODES: dict[str, str] = {
    "E000": "error in the rules", "E001": "the rules have errors", "E002": "cannot read the file",
    "E010": "inconsistent indentation", "E011": "invalid text", "E012": "no such date",
    "E013": "unrecognised character", "E014": "syntax error", "E015": "statement too long or too deeply nested",
    "E016": "a formula cannot continue on the next line", "E017": "a formula belongs after '=' on the header line",
    "E018": "rules too complex to compile (chain of references too long)",
    "E100": "the document is not in force on that date", "E101": "missing input", "E102": "invalid input",
    "E103": "evaluation error", "E104": "unknown output", "E120": "the verifier failed",
    "E200": "error in the rules", "E201": "missing or repeated 文件 (document) block",
    "E210": "end date before the effective date", "E211": "the term must be a positive number of years",
    "E212": "end date and term disagree", "E213": "a document cannot repeal itself",
    "E220": "name declared twice", "E221": "repeated member of a type", "E230": "unknown unit",
    "E231": "unit not allowed here", "E232": "unknown type", "E233": "an input cannot be a tax scale",
    "E235": "可为负 (may be negative) applies only to numbers",
    "E236": "可作输入 (may be given) applies only to definitions and outputs",
    "E237": "a declared unit is written wrongly", "E238": "a built-in unit cannot be redeclared or declared twice",
    "E239": "unknown record type",
    "E350": "a per-item value used where one value is needed", "E351": "a per-item value of another list",
    "E352": "an aggregate written wrongly", "E353": "累计 (running sum) written wrongly or outside a per-item definition",
    "E354": "an aggregate over values of the wrong type", "E355": "an aggregate over something that is not a list",
    "E356": "the 适用日期 (item date) field of a record type is misdeclared",
    "E357": "the 主键 (key) field of a record type is misdeclared",
    "E358": "the value of a given month, as 当年 (this year) January, read from something that is not a monthly series",
    "E359": "a 文本 (text) field used in a computation",
    "E360": "a definition computed for each item of a list marked 可作输入 (given)",
    "E410": "the amendment names something the amended document does not have",
    "E411": "新增 (added) names something the amended document already has",
    "E412": "an amendment changes a type or unit", "E416": "an amendment changes the kind of a declaration",
    "E414": "the amendment is in force outside its target's validity", "E415": "the amended document is not found",
    "W410": "a local document changes a value the base does not leave to local choice",
    "W411": "a retroactive amendment: in force before it was published", "W412": "the amendment has no 发布日期 (publication date)",
    "E234": "only number inputs may be negative", "E240": "definitions depend on each other in a cycle",
    "E250": "declared type and computed type differ", "E251": "an output cannot be a tax scale itself",
    "E260": "参照 (same as) only works in a table by enum", "E261": "branches need 按 (by …)",
    "E262": "row does not fit the table's kind", "E263": "否则 (else) must be the last branch",
    "E264": "no 否则 (else) branch", "E265": "numbers are selected with 按 … 分段 (by bands)",
    "E266": "not a member of the enum", "E267": "member listed twice", "E268": "参照 (same as) names no row",
    "E269": "table misses members and has no 其他 (other)", "E270": "bands need a number",
    "E271": "empty band", "E272": "band bound in a different unit", "E273": "bands overlap",
    "E275": "a tax scale takes no 按 (by …)", "E276": "malformed tax bracket", "E277": "a tax rate must be a rate",
    "E278": "tax brackets must run from zero upward without gaps", "E279": "the last tax bracket must be open",
    "E280": "versions out of date order", "E281": "version ends before it starts", "E282": "versions overlap",
    "E283": "version outside the document's term", "E284": "a later version starts before the document",
    "E290": "branches of different types", "E291": "condition is not yes/no", "E292": "assertion is not yes/no",
    "E295": "原文 (law text) for an article given twice",
    "E296": "原文 (law text) must name a whole article",
    "E300": "undefined name", "E310": "function needs an argument", "E311": "function needs numbers",
    "E312": "arguments in different units", "E313": "unknown function", "E314": "wrong number of arguments",
    "E315": "wrong kind of argument", "E316": "only numbers can be rounded", "E317": "rounding not allowed here",
    "E320": "invalid date arithmetic", "E321": "percentage points only add to rates", "E322": "invalid arithmetic",
    "E323": "ambiguous percentage added to a rate", "E324": "units differ", "E325": "invalid 每满 (per full …)",
    "E330": "cannot compare", "E331": "yes/no and enum values only compare for equality",
    "E340": "example value of the wrong type", "E341": "example names an unknown input",
    "E342": "example expects an unknown output", "E343": "example has no date", "E344": "example expects nothing",
    "E400": "invalid request", "E404": "not found", "E413": "too large", "E500": "internal error",
    "E501": "not implemented", "E503": "invalid value",
    "W200": "warning", "W201": "the file has no output", "W210": "no effective or publication date",
    "W211": "effective date before publication", "W212": "repeal date before this document takes effect",
    "W250": "a parameter depends on other names", "W280": "values begin after the document does",
    "W281": "gap between versions", "W290": "the cited paragraph or item is not in the 原文 (law text)",
    "W400": "repealed or replaced document not in the corpus",
    "L001": "suppression without a reason", "L002": "unknown suppression", "L003": "unused suppression",
    "L101": "gap between bands", "L102": "bands do not cover all values", "L103": "mixed band wording",
    "L104": "bound word contradicts its bracket", "L105": "bracket overrides the word's default",
    "L106": "其他 (other) stands for members not listed", "L201": "last version ends before the document",
    "L202": "version dates outside the document's term", "L203": "document expiring soon",
    "L204": "document expired", "L301": "constant condition", "L302": "unreachable branch",
    "L303": "unreachable band or row", "L304": "unreachable 其他 (other)", "L305": "unused definition",
    "L306": "unused input", "L401": "definition without a citation", "L402": "input without a citation",
    "L403": "rate outside 0-100%", "L404": "cap below floor", "L405": "quick deduction disagrees with the scale",
    "L406": "uses another output's rounded value", "L407": "unrounded division makes batch go row by row",
    "L408": "cited article has no 原文 (law text) in the file", "L409": "原文 (law text) that nothing cites",
}

_QUOTED = re.compile(r"「([^」]*)」|(第[〇零一二三四五六七八九十百千\d]+[条项款](?:第[〇零一二三四五六七八九十\d]+[款项目])*)")


_DID_YOU_MEAN = re.compile(r"是否指「([^」]*)」？")


def hint(text: str) -> str:
    """A suggestion in the current language: 是否指「X」？ becomes did you mean 'X'?; the
    other suggestions are rewritten rule text and stay as written."""
    if language() != "en":
        return text
    return _DID_YOU_MEAN.sub(lambda m: f"did you mean '{m[1]}'?", text)


# The way out a message suggests after its statement, and its English (names stay as written).
_WAYS_OUT: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"；也可直接给出((?:「[^」]*」或?)+)$"), "; or give {names} directly (it may be given as an input)"),
)


def diagnostic(code: str, message: str) -> str:
    """A diagnostic's message in the current language: in English, what its code means and the
    drafter's own words the message quotes (「名称」, articles), then the way out it suggests."""
    if language() != "en":
        return message
    tail = ""
    for pattern, english in _WAYS_OUT:
        found = pattern.search(message)
        if found:
            message = message[:found.start()]
            names = " or ".join(f"'{n}'" for n in re.findall(r"「([^」]*)」", found[1]))
            tail = english.format(names=names)
            break
    quoted = [m[1] if m[1] is not None else m[2] for m in _QUOTED.finditer(message)]
    head = CODES.get(code, "problem")
    return head + (": " + ", ".join(f"'{q}'" for q in dict.fromkeys(quoted)) if quoted else "") + tail
