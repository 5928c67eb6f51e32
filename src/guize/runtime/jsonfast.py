"""JSON for `guize eval` without the json package, which imports re (and with it enum and
functools): about a tenth of the start-up of `guize eval` on a cached policy
(bench/startup_bench.py). The json package's own C accelerator (_json) does the work, as it
does inside json.loads and json.dumps; anything unusual — an error, a BOM, a Python without
_json — goes to the json package, so values and errors are json's own.
"""

from __future__ import annotations

from decimal import Decimal

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (runtime/tuples.py)
if TYPE_CHECKING:
    from typing import Any

_SPACE = " \t\n\r"  # json's whitespace
# Whole numbers longer than this are read as Decimal: int() refuses more than 4,300 digits
# (ValueError, not a JSON error), and no number input may have more than 15 whole digits
# anyway (values.MAX_WHOLE_DIGITS), which the converter then says by the input's name.
_MAX_INT_TEXT = 100


def read_int(text: str) -> int | Decimal:
    """A JSON whole number: an int, or a Decimal when it has more than 100 digits (see above)."""
    return int(text) if len(text) <= _MAX_INT_TEXT else Decimal(text)


class _Decoding:
    """What json.JSONDecoder(parse_float=Decimal) gives its C scanner."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = Decimal
    parse_int = staticmethod(read_int)
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__


_c_string: Any = None
_scan: Any = None
try:
    import _json
except ImportError:  # pragma: no cover - CPython always has _json
    pass
else:
    _c_string = _json.encode_basestring
    _scan = _json.make_scanner(_Decoding)  # type: ignore[arg-type]  # any object with the attributes


def loads(text: str) -> Any:
    """json.loads(text, parse_float=Decimal), whole numbers of more than 100 digits as Decimal;
    json.JSONDecodeError (a ValueError) when `text` is not JSON."""
    if _scan is not None and not text.startswith("\ufeff"):
        start = len(text) - len(text.lstrip(_SPACE))
        try:
            value, end = _scan(text, start)
        except (StopIteration, ValueError, SystemError):
            # json.loads below raises the error, with its position (the C scanner raises
            # SystemError on some errors, e.g. {"a": 1,} or {'a': 1}, when called on its own)
            pass
        else:
            if end == len(text) or not text[end:].strip(_SPACE):
                return value
    import json

    return json.loads(text, parse_float=Decimal, parse_int=read_int)


def string(text: str) -> str:
    """json.dumps(text, ensure_ascii=False): a JSON string, non-ASCII characters as they are."""
    if _c_string is not None:
        result: str = _c_string(text)
        return result
    import json  # pragma: no cover

    return json.dumps(text, ensure_ascii=False)  # pragma: no cover


def scalar(value: Any) -> str:
    """json.dumps(value, ensure_ascii=False) for a str, bool, None or int (any other value goes to json)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    cls = value.__class__
    if cls is str:
        return string(value)
    if cls is int:
        return int.__repr__(value)
    import json

    return json.dumps(value, ensure_ascii=False)


_JSON_MESSAGES = {
    "Expecting value": "此处应有一个值（数、字符串、true/false、null、对象或数组）",
    "Expecting property name enclosed in double quotes": "此处应有用英文双引号括起的名称",
    "Expecting ',' delimiter": "此处缺少逗号",
    "Expecting ':' delimiter": "此处缺少冒号",
    "Extra data": "JSON 已经结束，后面还有多余的内容",
    "Unterminated string starting at": "字符串没有结束：缺少右边的英文双引号",
    "Invalid control character at": "字符串中有控制字符（如没有转义的换行）",
    "Invalid \\escape": "无效的反斜杠转义",
    "Invalid \\uXXXX escape": "无效的 \\u 转义",
    "Illegal trailing comma before end of object": "对象的最后一项后面多了逗号",
    "Illegal trailing comma before end of array": "数组的最后一项后面多了逗号",
}


def reason(exc: Any) -> str:
    """What is wrong in a json.JSONDecodeError, in Chinese (its own message is English)."""
    here = exc.doc[exc.pos:exc.pos + 1]
    if not exc.doc[exc.pos:].strip():
        return "JSON 没有写完（缺少右括号或引号）"
    if here in "}]" and exc.doc[:exc.pos].rstrip().endswith(","):
        return "最后一项后面多了逗号"
    if here and here in "'‘’“”":
        return f"名称和字符串要用英文双引号 \"，不能用「{here}」"
    return _JSON_MESSAGES.get(exc.msg, "格式有误")
