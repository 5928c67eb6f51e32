"""Values at run time: input conversion, exact decimal arithmetic helpers, rounding."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Mapping
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["ROUND_CEILING", "ROUND_DOWN", "ROUND_FLOOR", "ROUND_HALF_UP", "InvalidOperation"]

from guize.runtime import dates, display
from guize.runtime.deps import select_version
from guize.runtime.errors import EvaluationError, InvalidInput, MissingInput, NotInForce
from guize.runtime.keyed import keyed  # noqa: F401 - generated code calls _v.keyed

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a quicker start-up: runtime/tuples.py)
if TYPE_CHECKING:
    from typing import Any

# Arithmetic runs with these settings: 28 significant digits, half-even beyond them (the
# decimal module's defaults), and overflow, invalid operations and division by zero raise.
# Compiled code writes + - × as Python operators, so Policy.evaluate checks that the
# caller's thread context has these settings and, if not, installs CONTEXT for the call;
# the interpreter, rounding and division use CONTEXT explicitly.
CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN,
                          traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])
# Division is never exact in general: quotients carry 34 significant digits (decimal128).
DIVISION = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN,
                           traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])


# The range of number inputs (金额、数量、比率、整数), one definition for the scalar path,
# the interpreter and batch evaluation (docs/embedding.md, "数值输入的范围"): |value| < 10**15,
# as given (after 「%」, before a unit such as 万元). Checked on the exponent (Decimal),
# the bit length (int) or the shortest repr (float) before any conversion or arithmetic,
# so a hostile 10**999999 costs what 1 costs.
MAX_WHOLE_DIGITS = 15
INT_LIMIT = 10**MAX_WHOLE_DIGITS
NUMBER_LIMIT = Decimal(INT_LIMIT)
_ZERO = Decimal(0)
# And their digits: at most 1,000 decimal places as given (the service's limit before: an output
# or explanation echoing an input writes it in plain notation), and a number given as text at
# most 1,100 characters, checked before the text is read. 1E-999999, or 0.000…1 with 100,000
# zeros, would be echoed as a million digits; a 1 MB digit string would be read (milliseconds)
# before being found out of range. A number within both limits has at most 1,017 characters.
MAX_FRACTION_DIGITS = 1000
MAX_NUMBER_TEXT = 1100
# The quick test of generated code (compiler/inline_reads.py) and `prefetch`: a number whose
# text has at most QUICK_TEXT characters (so at most 20 digits) and whose adjusted exponent is
# at least QUICK_ADJUSTED has at most 1,000 places; any other goes to to_decimal, which counts.
QUICK_TEXT = 20
QUICK_ADJUSTED = QUICK_TEXT - 1 - MAX_FRACTION_DIGITS
QUICK_TINY = Decimal(1).scaleb(QUICK_ADJUSTED)  # a positive number is at least this iff its adjusted exponent is


def out_of_range(name: str, value: Any) -> InvalidInput:
    shown = _short(value)
    return InvalidInput(f"输入「{name}」的值「{shown}」超出可计算的范围：绝对值应小于 10^{MAX_WHOLE_DIGITS}"
                        f"（{MAX_WHOLE_DIGITS} 位整数）", input=name, value=shown)


def too_long(name: str, value: Any) -> InvalidInput:
    shown = _short(value)
    return InvalidInput(f"输入「{name}」的值「{shown}」太长：写成文字的数最多 {MAX_NUMBER_TEXT} 个字符"
                        f"（{len(value)} 个）", input=name, value=shown)


def too_many_places(name: str, value: Any, places: int | None = None) -> InvalidInput:
    shown = _short(value)
    count = f"（此值 {places} 位）" if places is not None else ""
    return InvalidInput(f"输入「{name}」的值「{shown}」小数位数过多：最多 {MAX_FRACTION_DIGITS} 位{count}",
                        input=name, value=shown)


def _places(d: Decimal, name: str, value: Any) -> None:
    """Raise InvalidInput if `d` (finite, |d| < 10**15) has more than MAX_FRACTION_DIGITS places."""
    text = str(d)
    if len(text) <= QUICK_TEXT and d.adjusted() >= QUICK_ADJUSTED:
        return
    if len(text) > MAX_NUMBER_TEXT:  # (whole digits were checked): as_tuple would cost more
        raise too_many_places(name, value)
    exponent = d.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_FRACTION_DIGITS:
        raise too_many_places(name, value, -exponent)


def _short(value: Any) -> str:
    """A value's text for a message, without converting a huge int to decimal text."""
    if type(value) is int and value.bit_length() > 128:
        return f"{'-' if value < 0 else ''}约 2^{value.bit_length() - 1} 的整数"
    text = str(value)
    return text if len(text) <= 40 else text[:20] + "…" + text[-10:]


_MODES = {"half_up": ROUND_HALF_UP, "floor": ROUND_FLOOR, "ceil": ROUND_CEILING, "down": ROUND_DOWN}
_ONE = Decimal(1)
_NAN = Decimal("NaN")


def _number_text(text: str, name: str, percent_ok: bool) -> Decimal:
    raw = text.strip().replace(",", "").replace("，", "").replace("元", "")
    scale = _ONE
    if percent_ok and raw.endswith(("%", "％")):
        raw, scale = raw[:-1], Decimal("0.01")
    try:  # in CONTEXT, not the caller's: exact, and a malformed numeral raises under any traps
        value = Decimal(raw, CONTEXT)
    except decimal.InvalidOperation:
        raise InvalidInput(f"输入「{name}」的值「{_short(text)}」不是数值", input=name, value=_short(text)) from None
    if not value.is_finite():  # NaN, sNaN, Infinity: multiplying a signalling NaN would raise
        raise InvalidInput(f"输入「{name}」的值「{_short(text)}」不是有限数值", input=name, value=_short(text))
    # A context-free policy (compiler/contextfree.py) converts its inputs in the caller's decimal
    # context: "1,234,567" must not become 1.23E+6 under prec=3.
    return value if scale is _ONE else CONTEXT.multiply(value, scale)


def to_decimal(value: Any, name: str, percent_ok: bool = False, negative_ok: bool = False) -> Decimal:
    """A JSON-like number (int, float, Decimal, '1,234.50', '80%') -> exact Decimal."""
    kind = type(value)
    d: Decimal
    if kind is Decimal:
        d = value
    elif kind is int:
        if not -INT_LIMIT < value < INT_LIMIT:  # before Decimal(value): quadratic in the digits
            raise out_of_range(name, value)
        d = Decimal(value)
    elif kind is str:
        if len(value) > MAX_NUMBER_TEXT:  # before reading it: a 1 MB digit string costs milliseconds
            raise too_long(name, value)
        try:
            d = Decimal(value)  # exact; plain numerals are the common case
        except decimal.InvalidOperation:
            d = _NAN
        if not d.is_finite():
            d = _number_text(value, name, percent_ok)
    elif kind is float:
        # repr() is the shortest text that round-trips: 0.1 -> Decimal('0.1'), not the binary value.
        d = Decimal(repr(value))
    else:
        raise InvalidInput(f"输入「{name}」应为数值，收到的是{_kind(value)}「{value!r}」", input=name)
    if not d.is_finite():
        raise InvalidInput(f"输入「{name}」的值「{_short(value)}」不是有限数值", input=name)
    if d and d.adjusted() >= MAX_WHOLE_DIGITS:
        raise out_of_range(name, value)
    _places(d, name, value)
    if d < 0 and not negative_ok:
        raise InvalidInput(f"输入「{name}」不能为负数（收到 {_short(value)}）", input=name, value=_short(value))
    return d


def to_money(value: Any, name: str) -> Decimal:
    return to_decimal(value, name)


def to_rate(value: Any, name: str) -> Decimal:
    return to_decimal(value, name, percent_ok=True)


def to_int(value: Any, name: str, negative_ok: bool = False) -> int:
    if type(value) is int:
        if not -INT_LIMIT < value < INT_LIMIT:
            raise out_of_range(name, value)
        if value < 0 and not negative_ok:
            raise InvalidInput(f"输入「{name}」不能为负数（收到 {value}）", input=name, value=value)
        return value
    d = to_decimal(value, name, negative_ok=negative_ok)
    if d != d.to_integral_value():
        raise InvalidInput(f"输入「{name}」应为整数，收到「{_short(value)}」", input=name, value=_short(value))
    return int(d)


_TRUE = {True: True, "是": True, "true": True, "True": True, "TRUE": True,
         False: False, "否": False, "false": False, "False": False, "FALSE": False}


def to_bool(value: Any, name: str) -> bool:
    if value is True or value is False:
        return bool(value)
    if isinstance(value, str) and value.strip() in _TRUE:
        return _TRUE[value.strip()]
    raise InvalidInput(f"输入「{name}」应为「是」或「否」（true/false），收到「{value}」", input=name)


def to_date(value: Any, name: str) -> datetime.date:
    if value.__class__ is str and len(value) == 10 and value[4] == "-" and value[7] == "-" and value.isascii():
        try:  # 2024-04-26: C's parser (dates.parse's regular expression is ten times slower)
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return dates.parse(value)
        except ValueError:
            pass
    raise InvalidInput(f"输入「{name}」应为日期（如 2024-04-26 或 2024年4月26日），收到「{value}」", input=name)


def to_period(value: Any, name: str, cls: type[dates.Period] = dates.Period) -> dates.Period:
    """A duration: ISO 8601 (P9Y11M) or as written (9年11个月); a whole number is a count of months."""
    if type(value) is int or isinstance(value, dates.Period):
        return cls(to_int(int(value), name))
    if isinstance(value, str):
        try:
            months, days = dates.parse_period(value)
        except ValueError:
            pass
        else:
            if days:
                raise InvalidInput(f"输入「{name}」是按整月计的期间，不能含天数（收到「{_short(value)}」）；"
                                   f"不足一个月的天数不计入，请写整月，如「P9Y11M」或「9年11个月」",
                                   input=name, value=_short(value))
            if months >= INT_LIMIT:
                raise out_of_range(name, value)
            return cls(months)
        try:  # a whole number written as text ("240", as a CSV cell holds it): months, as 240 is
            return cls(to_int(value, name))
        except InvalidInput:
            pass
    raise InvalidInput(f"输入「{name}」应为期间，如「P9Y11M」或「9年11个月」（整数表示月数），收到「{_short(value)}」",
                       input=name, value=_short(value))


def to_age(value: Any, name: str) -> dates.Age:
    return to_period(value, name, dates.Age)  # type: ignore[return-value]


def to_year_month(value: Any, name: str) -> dates.YearMonth:
    """A year-month: 2025-02 or 2025年2月 (a date on the month's first day is accepted too)."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime) and value.day == 1:
        return dates.year_month(value)
    if isinstance(value, str):
        try:
            return dates.parse_year_month(value)
        except ValueError:
            pass
    raise InvalidInput(f"输入「{name}」应为年月，如「2025-02」或「2025年2月」，收到「{_short(value)}」",
                       input=name, value=_short(value))


def as_date(on: Any) -> datetime.date:
    """An evaluation date (a date, or text in either written form)."""
    return to_date(on, "评估日期")


def to_enum(value: Any, name: str, members: tuple[str, ...]) -> str:
    if type(value) is str and value in members:
        return value
    if isinstance(value, str) and value.strip() in members:
        return value.strip()
    raise InvalidInput(f"输入「{name}」的值「{value}」不在可选范围内；可选：{'、'.join(members)}",
                       input=name, value=str(value), allowed=list(members))


def convert(spec: Mapping[str, Any], value: Any) -> Any:
    """Convert one input by its schema entry (kind, scale, members)."""
    kind = spec["kind"]
    name = spec["name"]
    negative = bool(spec.get("negative"))  # 可为负
    if kind == "money" or kind == "quantity":
        d = to_decimal(value, name, negative_ok=negative)
        scale = spec["scale"]
        return d * scale if scale != 1 else d
    if kind == "rate":
        return to_decimal(value, name, percent_ok=True, negative_ok=negative)
    if kind == "int":
        scale = spec["scale"]  # 整数（年）: years given, months held
        n = to_int(value, name, negative_ok=negative)
        return n * int(scale) if scale != 1 and scale == int(scale) else n
    if kind == "bool":
        return to_bool(value, name)
    if kind == "date":
        return to_date(value, name)
    if kind == "enum":
        return to_enum(value, name, spec["members"])
    if kind in ("duration", "age"):
        return to_period(value, name, dates.Age if kind == "age" else dates.Period)
    if kind == "year_month":
        return to_year_month(value, name)
    if kind == "list":
        return to_records(value, spec)
    if kind == "text":  # a record's 文本 field: a name or an identifier, without surrounding blanks
        if isinstance(value, str) and value.strip(TEXT_BLANKS):
            return value.strip(TEXT_BLANKS)
        raise InvalidInput(f"输入「{name}」应为非空的文字，收到的是{'空文字' if isinstance(value, str) else _kind(value)}",
                           input=name)
    raise InvalidInput(f"输入「{name}」的类型无法识别", input=name)


# Blanks around a 文本 value (" 张三 ", a full-width space pasted from a table) are not part of it:
# " 张三 " and "张三" are one key. The batch path trims the same characters (batchlists, batchkeys).
TEXT_BLANKS = " \t\n\r\f\v\u00a0\u3000"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "是否值"
    if isinstance(value, (list, tuple)):
        return "列表"
    if isinstance(value, dict):
        return "对象"
    if value is None:
        return "空值"
    if isinstance(value, (int, float, Decimal)):
        return f"数 {value!s:.40}"
    if isinstance(value, str):
        return "文字"
    return type(value).__name__


def unknown_inputs(data: Any, names: frozenset[str]) -> None:
    """Raise InvalidInput naming the keys of `data` that are not inputs (with suggestions)."""
    from guize.runtime.diagnose import nearest_name

    unknown = sorted(set(data) - names) if isinstance(data, Mapping) else []
    if not isinstance(data, Mapping):
        raise InvalidInput(f"输入应为「名称: 值」的对象，收到的是 {type(data).__name__}")
    if unknown:
        hints = [f"「{u}」" + (f"（是否指「{n}」？）" if (n := nearest_name(u, names)) else "") for u in unknown]
        raise InvalidInput(f"未知的输入：{'、'.join(hints)}", unknown=unknown)


ABSENT = object()
"""What generated code reads for an optional input the data does not hold."""


def records(fields: tuple[str, ...], common: Mapping[str, Any], rows: tuple[tuple[Any, ...], ...]
            ) -> tuple[dict[str, Any], ...]:
    """Dicts with `fields`, from the compact rows a generated module writes (INPUTS, DEFS,
    EXAMPLES): a value the same in every row is in `common`, not in the rows."""
    out = []
    for row in rows:
        values = iter(row)
        out.append({f: common[f] if f in common else next(values) for f in fields})
    return tuple(out)


def prefetch(value: Any, kind: str, members: frozenset[str] = frozenset()) -> Any:
    """A given input's value if it is plainly valid (as compiled code's inline checks accept it),
    else ABSENT: it is then read, and any error reported, where the path needs it."""
    if value is ABSENT:
        return value
    cls = value.__class__
    if kind == "bool":
        return value if value is True or value is False else ABSENT
    if kind == "int":
        return value if cls is int and 0 <= value < INT_LIMIT else ABSENT
    if kind == "enum":
        return value if cls is str and value in members else ABSENT
    return quick_number(value)


def quick_number(value: Any, negative: bool = False) -> Any:
    """A number input's value as compiled code's inline test reads it (compiler/inline_reads.py:
    number_lines, `negative` for 可为负): a plain numeral (str, int, Decimal) in range and short,
    as a Decimal; ABSENT for anything else, which the converter then reads and, if invalid, reports.
    A large policy's generated code calls this instead of writing the test out for each input
    (codegen.SHARED_ABOVE): the same values accepted, a call more per input."""
    cls = value.__class__
    try:
        if cls is not Decimal:
            low = -INT_LIMIT if negative else -1
            if not ((cls is str and len(value) <= QUICK_TEXT) or (cls is int and low < value < INT_LIMIT)):
                return ABSENT
            value = Decimal(value)
        elif len(str(value)) > QUICK_TEXT:
            return ABSENT
        if negative:
            return value if -NUMBER_LIMIT < value < NUMBER_LIMIT and value.adjusted() >= QUICK_ADJUSTED else ABSENT
        if QUICK_TINY <= value < NUMBER_LIMIT or (not value and value.adjusted() >= QUICK_ADJUSTED):
            return value
        return ABSENT
    except InvalidOperation:
        return ABSENT


def read_input(data: Mapping[str, Any], spec: Mapping[str, Any], owner: str | None) -> Any:
    """An input read where evaluation first needs it: its value converted, its default when not
    given, or MissingInput naming the definition (`owner`) whose path needed it."""
    name = spec["name"]
    if name in data:
        return convert(spec, data[name])
    if spec["has_default"]:
        return convert(spec, spec["default"])
    raise missing(name, owner=owner)


def missing(name: str, for_all: bool = False, owner: str | None = None) -> MissingInput:
    """A missing input: `owner`, when given, is the definition whose path needed it."""
    if owner is not None:
        return MissingInput(f"缺少输入「{name}」（计算「{owner}」时需要）", input=name)
    if for_all:
        return MissingInput(f"缺少输入「{name}」（计算全部输出时需要；只要部分输出时请指定 outputs 或 --output）",
                            input=name)
    return MissingInput(f"缺少输入「{name}」", input=name)


# ---------------------------------------------------------------- arithmetic


def div(a: Any, b: Any) -> Decimal:
    if not b:
        raise EvaluationError("除数为零", dividend=str(a))
    return DIVISION.divide(a, b)


def rnd(x: Any, quantum: Decimal, rounding: str) -> Decimal:
    """Round to `quantum` (0.01 = 分) with a decimal rounding constant (ROUND_HALF_UP …)."""
    d = x if type(x) is Decimal else Decimal(x)
    result = d.quantize(quantum, rounding, CONTEXT)
    # Rounding to 十元 (quantum 1E+1) gives 1.2E+2; write it back as the integer 120.
    return result.quantize(_ONE) if quantum > 1 else result


def rnd_int(x: Any, mode: str) -> int:
    d = x if type(x) is Decimal else Decimal(x)
    return int(d.quantize(_ONE, _MODES[mode], CONTEXT))


# Whole numbers of at most 15 digits: their quotient is within 10**15 of zero and, unless exact,
# at least 1/|b| > 10**-15 from any integer and from any half (k + 1/2) but exactly there, far
# beyond the 34 significant digits `div` keeps; so integer division rounds as `div` then
# `rnd_int` would. Larger operands (and zero divisors: div's error) take that Decimal path.
_WHOLE = frozenset({int, dates.Period, dates.Age})
WHOLE = _WHOLE  # generated code tests the same (codegen.int_division)


def div_int(a: Any, b: Any, mode: str) -> int:
    """rnd_int(div(a, b), mode), in integer arithmetic where that is provably the same."""
    if a.__class__ in _WHOLE and b.__class__ in _WHOLE and b and -INT_LIMIT < a < INT_LIMIT and (
            -INT_LIMIT < b < INT_LIMIT):
        q, r = divmod(a, b)  # floor division: q + r/b with 0 <= r/b < 1
        if not r or mode == "floor":
            return int(q)
        if mode == "ceil":
            return int(q) + 1
        if mode == "down":  # toward zero
            return int(q) + 1 if q < 0 else int(q)
        half = abs(2 * r) - abs(b)  # half_up: a tie goes away from zero
        return int(q) + 1 if half > 0 or (half == 0 and q >= 0) else int(q)
    return rnd_int(div(a, b), mode)


def mode_constant(mode: str) -> str:
    return _MODES[mode]


def no_band(what: str, value: Any) -> Any:
    raise EvaluationError(f"「{what}」：{fmt(value)} 不在任何分段之内", definition=what, value=str(value))


def no_case(what: str, value: Any) -> Any:
    raise EvaluationError(f"「{what}」：没有「{value}」对应的取值", definition=what, value=str(value))


def no_version(what: str, on: datetime.date) -> Any:
    raise NotInForce(f"「{what}」在 {dates.cn(on)} 没有有效的取值", definition=what, date=on)


def version_at(versions: tuple[Any, ...], on: datetime.date, known_on: datetime.date | None, what: str,
               source: str, index: int) -> int:
    """The version of a dated value in force on an item's date (its 适用日期 field)."""
    picked = select_version(versions, on, known_on)
    if picked is None:
        raise NotInForce(f"「{source}」第{index + 1}项的日期 {dates.cn(on)}：「{what}」在这一天没有有效的取值",
                         definition=what, date=on)
    return picked


def fmt(value: Any) -> str:
    return display.value(value)


def _calendar(function: Any) -> Any:
    """A date function whose result may leave the calendar (year 1..9999): a RuleError then."""
    def checked(a: Any, b: Any) -> Any:  # (date, count): every calendar function takes two
        try:
            return function(a, b)
        except (OverflowError, ValueError):
            raise _off_calendar(a, b) from None
    return checked


def _off_calendar(a: Any, b: Any) -> EvaluationError:
    shown = "、".join(fmt(x) for x in (a, b))
    return EvaluationError(f"日期计算超出范围（1年至9999年）：{shown}")


# The calendar functions generated code calls most (year-months: retirement age; severance's
# add_days), checked as _calendar's in one call, the common case written out (each is dates'
# function otherwise).
def _add_months(d: Any, months: Any) -> Any:
    try:
        year, month = divmod(d.year * 12 + (d.month - 1) + months, 12)
        if d.day <= 28:  # every month has the day (dates.add_months)
            return datetime.date(year, month + 1, d.day)
        return dates.add_months(d, months)
    except (OverflowError, ValueError):
        raise _off_calendar(d, months) from None


def _year_month_add(d: Any, months: Any) -> Any:
    try:  # dates.year_month_add
        year, month = divmod(d.year * 12 + (d.month - 1) + months, 12)
        return dates.YearMonth(year, month + 1, 1)
    except (OverflowError, ValueError):
        raise _off_calendar(d, months) from None


def _add_days(d: Any, days: Any) -> Any:
    try:
        return d + datetime.timedelta(days=days)
    except (OverflowError, ValueError):
        raise _off_calendar(d, days) from None


def _period_between(a: Any, b: Any) -> Any:
    if a <= b and a.day <= b.day:  # dates.months_between's common case: the day is reached
        return dates.Period((b.year - a.year) * 12 + (b.month - a.month))
    return dates.Period(dates.months_between(a, b))


FUNCS: dict[str, Any] = {
    "year": lambda d: d.year,
    "month": lambda d: d.month,
    "day": lambda d: d.day,
    "months_between": dates.months_between,
    "days_between": dates.days_between,
    "years_between": dates.years_between,
    "full_years": lambda a, b: dates.Period(dates.full_years(a, b)),
    # date − date: the whole months, a duration that reads 5年7个月 wherever an explanation shows it
    "period_between": _period_between,
    "year_month": dates.year_month,
    "as_period": dates.Period,
    "as_age": dates.Age,
    "as_year_month": dates.year_month,
    "add_months": _add_months,
    # as_year_month(add_months(d, n)) fused by the compiler (compiler/timefold.py); not a .rule function
    "year_month_add": _year_month_add,
    "add_years": _calendar(dates.add_years),
    "add_days": _add_days,
    "abs": abs,
}


# ---------------------------------------------------------------- lists of records

MAX_ITEMS = 100_000  # items of one list input: far beyond any household or year of months


def to_records(value: Any, spec: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    """A list input (a JSON array of objects) -> a tuple of dicts of converted field values, a
    field not given taking its default."""
    name = spec["name"]
    if not isinstance(value, (list, tuple)):
        raise InvalidInput(f"输入「{name}」应为列表（JSON 数组，每项一个对象），收到的是{_kind(value)}", input=name)
    if len(value) > MAX_ITEMS:
        raise InvalidInput(f"输入「{name}」有 {len(value)} 项，超过上限 {MAX_ITEMS} 项", input=name)
    known, plan = _field_plan(spec)
    out = []
    for index, item in enumerate(value, 1):
        if item.__class__ is not dict and not isinstance(item, Mapping):
            raise InvalidInput(f"输入「{name}」第{index}项应为对象（「字段: 值」），收到的是{_kind(item)}", input=name)
        if not known.issuperset(item):
            from guize.runtime.diagnose import nearest_name

            unknown = sorted(str(k) for k in item if k not in known)
            hints = [f"「{u}」" + (f"（是否指「{n}」？）" if (n := nearest_name(u, known)) else "") for u in unknown]
            raise InvalidInput(f"输入「{name}」第{index}项有未知的字段：{'、'.join(hints)}", input=name,
                               unknown=unknown)
        record = {}
        for fname, quick, members, months, has_default, default, field in plan:
            given = item.get(fname)
            if given is None:  # not given, or null (an Arrow struct's empty field)
                if not has_default:
                    raise MissingInput(f"输入「{name}」第{index}项缺少「{fname}」", input=name)
                given = default
            # A plainly valid value as convert would return it (the inline checks of compiled
            # code, see prefetch), without the calls; anything else goes through convert.
            cls = given.__class__
            if quick == _QUICK_NUMBER:
                number = quick_number(given)
                if number is not ABSENT:
                    record[fname] = number
                    continue
            elif ((quick == _QUICK_INT and cls is int and 0 <= given < INT_LIMIT)
                  or (quick == _QUICK_BOOL and (given is True or given is False))
                  or (quick == _QUICK_ENUM and cls is str and given in members)):
                record[fname] = given
                continue
            elif quick == _QUICK_MONTHS and cls is int and 0 <= given < INT_LIMIT:
                record[fname] = months(given)
                continue
            try:
                record[fname] = convert(field, given)
            except InvalidInput:  # again, named for the message: which item, which field
                record[fname] = convert({**field, "name": f"{name}第{index}项的{fname}"}, given)
        out.append(record)
    key = spec.get("key")
    if key is not None:
        seen: dict[Any, int] = {}
        for index, record in enumerate(out, 1):
            first = seen.setdefault(record[key], index)
            if first != index:
                raise InvalidInput(f"输入「{name}」第{index}项的「{key}」（{fmt(record[key])}）与第{first}项相同；"
                                   f"「{key}」是主键，各项应互不相同", input=name, value=str(record[key]))
        if spec.get("ordered"):  # a 累计 runs over the items: their order is time's
            for index in range(1, len(out)):
                if out[index][key] < out[index - 1][key]:
                    raise InvalidInput(
                        f"输入「{name}」第{index + 1}项的「{key}」（{fmt(out[index][key])}）早于第{index}项的"
                        f"（{fmt(out[index - 1][key])}）；「累计」按各项的先后相加，各项应按「{key}」从早到晚排列",
                        input=name, value=str(out[index][key]))
    return tuple(out)


def item_default(spec: Mapping[str, Any], fname: str) -> Any:
    """A field's default as to_records stores it for an item that leaves the field out (read
    once by a compiled module's item reader, compiler/itemreads.py)."""
    field = next(f for f in spec["fields"] if f["name"] == fname)
    return to_records(({},), {**spec, "fields": [field], "key": None})[0][fname]


_QUICK_NUMBER, _QUICK_INT, _QUICK_BOOL, _QUICK_ENUM, _QUICK_MONTHS = 1, 2, 3, 4, 5
# Each list input's fields, read once (by the spec's identity): the names an item may have and
# for each field (name, quick kind, members, Period or Age, has_default, default, spec). Bounded like the
# policies loaded in one process; an entry keeps its spec, so an id is never reused for another.
_FIELD_PLANS: dict[int, tuple[Any, frozenset[str], tuple[tuple[Any, ...], ...]]] = {}


def _field_plan(spec: Mapping[str, Any]) -> tuple[frozenset[str], tuple[tuple[Any, ...], ...]]:
    entry = _FIELD_PLANS.get(id(spec))
    if entry is not None and entry[0] is spec:
        return entry[1], entry[2]
    plan = []
    for field in spec["fields"]:
        kind = field["kind"]
        plain = field.get("scale", 1) == 1  # 万元 and 整数（年） fields are scaled by convert
        quick = (_QUICK_NUMBER if kind in ("money", "quantity", "rate") and plain else
                 _QUICK_INT if kind == "int" and plain else
                 _QUICK_BOOL if kind == "bool" else _QUICK_ENUM if kind == "enum" else
                 _QUICK_MONTHS if kind in ("duration", "age") else 0)
        plan.append((field["name"], quick, frozenset(field.get("members") or ()),
                     dates.Age if kind == "age" else dates.Period, field["has_default"], field["default"], field))
    known = frozenset(f["name"] for f in spec["fields"])
    if len(_FIELD_PLANS) >= 4096:
        _FIELD_PLANS.clear()
    _FIELD_PLANS[id(spec)] = (spec, known, tuple(plan))
    return known, tuple(plan)


class Items(list):  # type: ignore[type-arg]
    """The values of a per-item definition so far, with the running sums (累计) kept by node."""

    def __init__(self) -> None:
        super().__init__()
        self.sums: dict[int, list[Any]] = {}


def each(items: tuple[Any, ...], fn: Any) -> tuple[Any, ...]:
    """A per-item definition: fn(items, index, values so far) for each item, in order."""
    out = Items()
    for index in range(len(items)):
        out.append(fn(items, index, out))
    return tuple(out)


def running(items: tuple[Any, ...], index: int, out: Items, fn: Any, inclusive: bool, zero: Any,
            key: int) -> Any:
    """累计: fn summed over the items before `index` (or up to it, inclusive), in order; the
    partial sums are kept in `out`, so a year of months costs each item once."""
    prefix = out.sums.get(key)
    if prefix is None:
        prefix = out.sums[key] = [zero]
    upto = index + 1 if inclusive else index
    while len(prefix) <= upto:
        prefix.append(prefix[-1] + fn(items, len(prefix) - 1, out))
    return prefix[upto]


_AGG_WORDS = {"max": "最大值", "min": "最小值", "mean": "平均值", "one": "唯一的一项"}


def not_one(owner: str, source: str, count: int) -> EvaluationError:
    """唯一(…): the items that pass the filter are not exactly one."""
    if count == 0:
        return no_items(owner, source, "one")
    return EvaluationError(f"「{owner}」：「{source}」中有 {count} 项符合条件，「唯一」要求恰好一项", definition=owner)


def no_items(owner: str, source: str, func: str) -> EvaluationError:
    return EvaluationError(f"「{owner}」：「{source}」中没有符合条件的项，无法取{_AGG_WORDS[func]}",
                           definition=owner)


def aggregate(func: str, items: tuple[Any, ...], test: Any, value: Any, zero: Any, owner: str,
              source: str) -> Any:
    """合计 人数 任一 全部 最大 最小 平均 over the items that pass `test` (None: all), in order."""
    if func == "count":
        return sum(1 for i in range(len(items)) if test is None or test(items, i, None))
    if func == "any":
        return any((test is None or test(items, i, None)) and value(items, i, None) for i in range(len(items)))
    if func == "all":
        return all(not (test is None or test(items, i, None)) or value(items, i, None) for i in range(len(items)))
    acc, count = zero, 0
    if func == "one":
        found = [i for i in range(len(items)) if test is None or test(items, i, None)]
        if len(found) != 1:
            raise not_one(owner, source, len(found))
        return value(items, found[0], None)
    for i in range(len(items)):
        if test is not None and not test(items, i, None):
            continue
        v = value(items, i, None)
        if func == "sum" or func == "mean":
            acc = acc + v
        elif count == 0 or (v > acc if func == "max" else v < acc):
            acc = v
        count += 1
    if func == "sum":
        return acc
    if count == 0:
        raise no_items(owner, source, func)
    return div(acc, count) if func == "mean" else acc


def month_items(items: tuple[Any, ...], field: str, month: datetime.date) -> list[int]:
    """The items whose `field` (a date or year-month) falls in the year-month `month`."""
    y, m = month.year, month.month
    return [i for i, item in enumerate(items) if item[field].month == m and item[field].year == y]


def not_in_month(owner: str, source: str, field: str, month: datetime.date, word: str, count: int) -> EvaluationError:
    """当年1月的 …: the items of that month are not exactly one."""
    when = display.year_month(month)
    if count == 0:
        return EvaluationError(f"「{owner}」：「{source}」中没有「{field}」为{when}的一项，无法取「{word}」",
                               definition=owner)
    return EvaluationError(f"「{owner}」：「{source}」中有 {count} 项的「{field}」为{when}，「{word}」要求恰好一项",
                           definition=owner)


def in_month(items: tuple[Any, ...], field: str, month: datetime.date, value: Any, owner: str, source: str,
             word: str) -> Any:
    """当年1月的 居住面积: `value` of the one item in `month`."""
    found = month_items(items, field, month)
    if len(found) != 1:
        raise not_in_month(owner, source, field, month, word, len(found))
    return value(items, found[0], None)
