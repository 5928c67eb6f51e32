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
        except (StopIteration, ValueError):
            pass  # json.loads below raises the error, with its position
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
