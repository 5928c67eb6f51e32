"""Arrow columns and fixed-point numpy columns: the inputs read in, the results built out.

Reading: convert_column turns one Arrow array into int64 fixed-point values (or booleans,
enumeration codes, day numbers) as the scalar converters would read each cell, flagging
the cells they would reject; numbers are read in place where the memory already holds
them. Writing: exact decimal128/decimal256 (or decimal text) result columns, the error
column, and one type for a column whose chunks differ (unify).

pyarrow imports pandas, when installed, for pa.array on numpy arrays, Array.to_numpy and
Python literals passed to compute kernels; the helpers here avoid all three.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from guize.runtime import display
from guize.runtime import values as V
from guize.runtime.errors import InvalidInput, RuleError

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

_DICTIONARY_MEMO = 32  # converted dictionaries kept by one run (see _per_unique)
_FEW = 64  # enumeration text columns this short (a dictionary's values) are matched in Python
_I64 = 2**63 - 1
_M64 = (1 << 64) - 1
_D128 = 10**38
_MAX_PLACES = 18


def arrow_modules() -> tuple[Any, Any, Any]:
    """numpy, pyarrow and pyarrow.compute, or a RuleError saying how to install them."""
    try:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:
        raise RuleError("批量计算需要 numpy 和 pyarrow：请运行 pip install numpy pyarrow") from None
    return np, pa, pc



# ---------------------------------------------------------------- input tables


def to_table(data: Any) -> pa.Table:
    """A pyarrow Table from a Table, RecordBatch, dict of columns, list of rows or DataFrame."""
    np, pa, _pc = arrow_modules()
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, Mapping):
        columns = {}
        for name, column in data.items():
            columns[str(name)] = _array(column, np, pa)
        lengths = {len(c) for c in columns.values()}
        if len(lengths) > 1:
            raise InvalidInput(f"输入的各列长度不一致：{'、'.join(f'「{k}」{len(v)}' for k, v in columns.items())}")
        return pa.table(columns)
    if isinstance(data, list) and all(isinstance(r, Mapping) for r in data):
        names = list(dict.fromkeys(k for r in data for k in r))
        if data and not names:  # rows of empty objects (every input left to its default): still rows
            rows = pa.array([{}] * len(data), type=pa.struct([]))  # (not `data`: pyarrow takes dicts only)
            return pa.Table.from_batches([pa.RecordBatch.from_struct_array(rows)])
        return to_table({k: [r.get(k) for r in data] for k in names})
    module = type(data).__module__.split(".")[0]
    if module == "pandas":
        return pa.Table.from_pandas(data, preserve_index=False)
    if module == "polars":
        return data.to_arrow()
    if hasattr(data, "__arrow_c_stream__"):
        return pa.table(data)
    raise InvalidInput(f"无法把 {type(data).__name__} 当作输入表：请给出 pyarrow.Table、"
                       "列名到列表的字典或 DataFrame")


def _array(column: Any, np: Any, pa: Any) -> Any:
    if isinstance(column, (pa.Array, pa.ChunkedArray)):
        return column
    if isinstance(column, (str, bytes, Mapping)) or not hasattr(column, "__len__"):
        raise InvalidInput(f"输入表的列应为值的列表，收到的是 {type(column).__name__}「{column!r:.40}」")
    try:
        return pa.array(column)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        values = column.tolist() if isinstance(column, np.ndarray) else list(column)
    if any(isinstance(v, list) for v in values):
        # Lists of records whose fields mix kinds (1000 in one item, "200" in another): each
        # such field's values as text, which the field's converter reads as the scalar path does.
        try:
            return pa.array(unify_records(values))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
            pass
        try:
            return mixed_lists(values, pa)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
            pass
    # Mixed kinds in one list (1, "2.5", None): keep each value's text.
    return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def mixed_lists(values: list[Any], pa: Any) -> Any:
    """A column of lists of records and other values (a list input given as text, a number or
    an object in some rows): a dense union of the lists and one child per other Python type,
    so that each row keeps its value and its kind. The batch evaluates such a column row by
    row (batchlists.list_input): a list computes, the rest is its row's error, as the scalar
    path says it (「收到的是数 5」, not 「文字」 for a number held as text beside others)."""
    slots: dict[type, int] = {list: 0}
    groups: list[list[Any]] = [[]]
    kinds = [0] * len(values)
    places = [0] * len(values)
    for i, v in enumerate(values):
        k = slots.setdefault(type(v), len(groups))
        if k == len(groups):
            groups.append([])
        kinds[i], places[i] = k, len(groups[k])
        groups[k].append(v)
    children = [pa.array(unify_records(groups[0]))]
    for group in groups[1:]:
        try:
            children.append(pa.array(group))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
            children.append(pa.array([None if v is None else json_text(v) for v in group], type=pa.string()))
    return pa.UnionArray.from_dense(pa.array(kinds, pa.int8()), pa.array(places, pa.int32()), children)


def unify_records(values: list[Any]) -> list[Any]:
    """`values` (lists of records, among others) with every record field that holds values of
    more than one kind across the column written as text: numbers exactly, true/false."""
    kinds: dict[str, set[type]] = {}
    for v in values:
        if isinstance(v, list):
            for item in v:
                if isinstance(item, Mapping):
                    for k, x in item.items():
                        if x is not None:
                            kinds.setdefault(k, set()).add(type(x))
    mixed = {k for k, t in kinds.items() if len(t) > 1}

    def record(item: Any) -> Any:
        if not isinstance(item, Mapping):
            return item
        return {k: json_text(x) if k in mixed and x is not None else x for k, x in item.items()}

    return [[record(i) for i in v] if isinstance(v, list) else v for v in values]


def json_text(value: Any) -> str:
    """A JSON value as the text a converter reads: strings as they are, numbers exactly as
    written, true/false, lists and objects as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    import json

    return json.dumps(value, ensure_ascii=False, default=str)


# ---------------------------------------------------------------- column conversion


class Converted:
    """One input column in the columnar representation, before defaults and bounds."""

    __slots__ = ("bad", "bounds", "in_place", "null", "s", "v")

    def __init__(self, v: Any, s: int | None = None, bad: Any = None, null: Any = None,
                 bounds: tuple[int, int] | None = None, in_place: bool = False) -> None:
        self.v = v
        self.s = s
        self.bad = bad
        self.null = null
        self.bounds = bounds  # (lo, hi) of v when already known, else None
        # v is the input's own memory (int64, maybe strided), every cell present and valid
        # so far: a kernel may read it as it is and check its bounds block by block.
        self.in_place = in_place


def alloc(n: int, dtype: Any) -> Any:
    """An uninitialised numpy array in memory from Arrow's pool.

    Arrow's allocator keeps freed pages mapped, so chunk after chunk reuses memory that is
    already paged in; numpy's malloc gives large blocks back to the system and pays a page
    fault per 4 KiB to get them again.
    """
    np, pa, _pc = arrow_modules()
    dt = np.dtype(dtype)
    return np.frombuffer(pa.allocate_buffer(n * dt.itemsize), dtype=dt)


def arrow_array(v: Any, validity: Any = None) -> Any:
    """An Arrow array over a numpy integer or boolean array (shared memory when contiguous).

    Not pa.array: it imports pandas, when installed, to ask whether `v` is a pandas object,
    which costs a fifth of a second and 35 MB the first time.
    """
    np, pa, _pc = arrow_modules()
    if v.dtype == np.bool_:
        data = pa.py_buffer(np.packbits(v, bitorder="little"))
    else:
        data = pa.py_buffer(np.ascontiguousarray(v))
    return pa.Array.from_buffers(pa.from_numpy_dtype(v.dtype), len(v), [validity, data])


def string_array(values: Sequence[str]) -> Any:
    """An Arrow string array of `values` (built from buffers, for the reason given in arrow_array)."""
    np, pa, _pc = arrow_modules()
    data = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(data) + 1, dtype=np.int32)
    np.cumsum([len(d) for d in data], out=offsets[1:])
    return pa.Array.from_buffers(pa.string(), len(data), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))])



def _numpy(arr: Any) -> Any:
    """The values of an Arrow array without nulls as a numpy array: the array's own memory
    for fixed-width types, unpacked bits for booleans (Array.to_numpy imports pandas, see
    arrow_array, so it is used only for other types)."""
    np, pa, _pc = arrow_modules()
    t = arr.type
    n, offset = len(arr), arr.offset
    if pa.types.is_boolean(t):
        bits = np.frombuffer(arr.buffers()[1], dtype=np.uint8)
        return np.unpackbits(bits, count=offset + n, bitorder="little")[offset:].view(bool)
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_date32(t):
        dtype = np.int32 if pa.types.is_date32(t) else t.to_pandas_dtype()
        return np.frombuffer(arr.buffers()[1], dtype=dtype)[offset:offset + n]
    return arr.to_numpy(zero_copy_only=False)


def _values(arr: Any, fill: Any) -> Any:
    """_numpy(arr) with `fill` in the null slots (a Python literal passed to an Arrow kernel,
    as in fill_null(0), imports pandas too)."""
    np, _pa, _pc = arrow_modules()
    v = _numpy(arr)  # the values under null slots are arbitrary
    if arr.null_count:
        v = np.where(_numpy(arr.is_null()), fill, v)
    return v


def minmax(v: Any) -> tuple[int, int]:
    """Smallest and largest value of an integer array in one pass (Arrow's min_max)."""
    if len(v) == 0:
        return 0, 0
    _np, _pa, pc = arrow_modules()
    mm = pc.min_max(arrow_array(v))
    return int(mm["min"].as_py()), int(mm["max"].as_py())


def mask_or(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return a | b


def _nulls(arr: Any, np: Any) -> Any:
    if arr.null_count == 0:
        return None
    return _numpy(arr.is_null())


def _float_fixed(x: Any, np: Any) -> tuple[Any, int, Any]:
    """float64 values -> (int64, scale, unresolved) through their shortest repr.

    For each row the smallest s with rint(x * 10**s) / 10**s == x (float division is
    correctly rounded, so this is the shortest decimal that reads back as x, as repr()
    finds it); magnitudes are kept below 2**50 so that the integer is unique.
    """
    n = len(x)
    out = np.zeros(n, dtype=np.int64)
    places = np.zeros(n, dtype=np.int64)
    todo = np.isfinite(x)
    unresolved = ~todo
    with np.errstate(all="ignore"):  # huge values overflow to inf here; they go the slow way
        for s in range(0, 16):
            if not todo.any():
                break
            p = 10.0**s
            y = x * p
            m = np.rint(y)
            big = ~(np.abs(y) < 2.0**50)
            ok = todo & ~big & (m / p == x)
            out[ok] = m[ok].astype(np.int64)
            places[ok] = s
            unresolved |= todo & big
            todo &= ~ok & ~big
    unresolved |= todo
    scale = int(places.max()) if n else 0
    if scale:
        factor = 10 ** (scale - places)
        over = np.abs(out) > _I64 // factor  # representable, but not at the common scale
        if over.any():
            unresolved |= over
            out[over] = 0
        out *= factor
    return out, scale, unresolved


# How a kind of value is held in a column: durations and ages as int64 counts of months,
# year-months as the day numbers of the month's first day (docs/batch.md).
_COLUMN_KINDS = {"duration": "int", "age": "int", "year_month": "date"}


_FIRST_DAY = (datetime.date(1, 1, 1) - datetime.date(1970, 1, 1)).days  # the calendar's years 1-9999
_LAST_DAY = (datetime.date(9999, 12, 31) - datetime.date(1970, 1, 1)).days


def column_kind(kind: str) -> str:
    """The kind whose column representation a value kind shares (duration -> int)."""
    return _COLUMN_KINDS.get(kind, kind)


def _generic(spec: Mapping[str, Any], values: list[Any], enums: Sequence[str], np: Any) -> Converted:
    """Convert Python values one by one with the scalar converters (the slow, general path)."""
    kind = column_kind(spec["kind"])
    n = len(values)
    bad = np.zeros(n, dtype=bool)
    null = np.zeros(n, dtype=bool)
    out: list[Any] = [0] * n
    unscaled = {**spec, "scale": 1}  # the unit's scale is applied to the whole column below
    for i, value in enumerate(values):
        if value is None:
            null[i] = True
            continue
        try:
            out[i] = V.convert(unscaled, value)
        except RuleError:
            bad[i] = True
    if kind in ("money", "quantity", "rate", "int"):
        scale = 0
        for i, d in enumerate(out):
            if type(d) is Decimal and not bad[i]:
                exp = d.as_tuple().exponent
                assert isinstance(exp, int)  # INVARIANT: converters reject NaN and infinities
                if -exp > _MAX_PLACES:
                    bad[i] = True
                else:
                    scale = max(scale, -exp)
        ints = []
        for i, d in enumerate(out):
            # INVARIANT: |d| < 10**15 with at most _MAX_PLACES places (values.NUMBER_LIMIT),
            # so the scaled integer has at most 33 digits: no decimal.Overflow, no huge int.
            iv = 0 if bad[i] else int(Decimal(d).scaleb(scale, V.CONTEXT))
            if abs(iv) > _I64:
                bad[i], iv = True, 0
            ints.append(iv)
        return Converted(np.array(ints, dtype=np.int64), scale, bad, null)
    if kind == "bool":
        return Converted(np.array([bool(v) for v in out], dtype=bool), None, bad, null)
    if kind == "enum":
        codes = [enums.index(v) if isinstance(v, str) else 0 for v in out]
        return Converted(np.array(codes, dtype=np.int64), None, bad, null)
    # dates: day numbers
    epoch = datetime.date(1970, 1, 1)
    days = [(v - epoch).days if isinstance(v, datetime.date) else 0 for v in out]
    return Converted(np.array(days, dtype=np.int64), None, bad, null)


def _per_unique(spec: Mapping[str, Any], arr: Any, enums: Sequence[str], np: Any, pa: Any,
                memo: dict[Any, Any] | None = None) -> Converted:
    """Convert a low-cardinality column by its distinct values (dictionary encoding).

    `memo` keeps the converted dictionaries of one run: the chunks of a dictionary column
    share their dictionary, which is then converted once.
    """
    if not pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_encode()
        memo = None
    values = arr.dictionary
    # Keyed by where the dictionary's buffers are: the memo holds the array itself, so that
    # memory cannot be freed and reused by another dictionary while the entry lives.
    key = (spec["name"], values.offset, len(values), *(b.address if b else 0 for b in values.buffers()))
    known = memo.get(key) if memo is not None else None
    if known is not None:
        dictionary = known[1]
    else:
        if spec["kind"] in ("money", "quantity", "rate", "int", "enum"):
            dictionary = convert_column(spec, values, enums)
        else:
            dictionary = _generic(spec, values.to_pylist(), enums, np)
        if memo is not None:
            if len(memo) >= _DICTIONARY_MEMO:
                memo.clear()
            memo[key] = (values, dictionary)
    idx_arr = arr.indices
    null = _nulls(idx_arr, np)
    idx = _values(idx_arr, 0)
    if len(arr.dictionary) == 0:
        n = len(arr)
        return Converted(np.zeros(n, dtype=np.int64 if spec["kind"] != "bool" else bool),
                          dictionary.s, None, np.ones(n, dtype=bool))
    dv = dictionary.v
    if dictionary.bad is None and dictionary.null is None and spec["kind"] == "enum" \
            and np.array_equal(dv, np.arange(len(dv))) and idx.dtype.kind == "i":
        # Dictionary order is the code order: the indices are the codes, in their own
        # integer width, which holds every code of this dictionary (filling nulls with a
        # default may need more, so then widen).
        return Converted(idx if null is None else idx.astype(np.int64), None, None, null)
    v = dv.take(idx, mode="clip")
    bad = dictionary.bad.take(idx) if dictionary.bad is not None else None
    dnull = dictionary.null.take(idx) if dictionary.null is not None else None
    return Converted(v, dictionary.s, bad, mask_or(null, dnull))


def convert_column(spec: Mapping[str, Any], arr: Any, enums: Sequence[str],
                   memo: dict[Any, Any] | None = None) -> Converted:
    """One Arrow array -> columnar values for the input `spec` (scale not yet applied);
    `memo`: see _per_unique."""
    np, pa, pc = arrow_modules()
    t = arr.type
    kind = column_kind(spec["kind"])
    types = pa.types
    if types.is_null(t):
        n = len(arr)
        return Converted(np.zeros(n, dtype=bool if kind == "bool" else np.int64), 0, None,
                          np.ones(n, dtype=bool))
    if types.is_dictionary(t):
        return _per_unique(spec, arr, enums, np, pa, memo)
    if kind == "text":  # a 文本 field is only checked (never computed with): zeros, bad where not text
        return _generic(spec, arr.to_pylist(), enums, np)
    if kind == "int" and spec["kind"] in _COLUMN_KINDS and (types.is_decimal(t) or types.is_floating(t)):
        return _generic(spec, arr.to_pylist(), enums, np)  # 期间/年龄: months only as an int (values.to_period)
    if kind in ("money", "quantity", "rate", "int"):
        return _number_column(spec, arr, enums, np, pa, pc)
    if kind == "bool" and types.is_boolean(t):
        return Converted(_numpy(arr), None, None, _nulls(arr, np))
    if kind == "enum" and (types.is_string(t) or types.is_large_string(t)):
        members = list(spec["members"])
        if len(arr) <= _FEW and arr.null_count == 0:  # a dictionary's values: a look-up each,
            codes_of = {m: enums.index(m) for m in members}  # not Arrow's index_in and its casts
            few = [codes_of.get(v) for v in arr.to_pylist()]
            if None not in few:  # (other spellings: below)
                return Converted(np.array(few, dtype=np.int64), None, None, None)
        where = pc.index_in(arr, value_set=string_array(members).cast(t))
        null = _nulls(arr, np)
        found = _numpy(where.is_valid())
        local = _values(where, 0).astype(np.intp)
        codes = np.array([enums.index(m) for m in members], dtype=np.int64).take(local)
        missing = ~found if null is None else ~found & ~null
        if missing.any():  # " 一级 " and other spellings the scalar converter accepts
            rest = np.flatnonzero(missing)
            slow = _generic(spec, arr.take(arrow_array(rest)).to_pylist(), enums, np)
            codes[rest] = slow.v
            bad = np.zeros(len(arr), dtype=bool)
            bad[rest] = slow.bad
            return Converted(codes, None, bad, null)
        return Converted(codes, None, None, null)
    if spec["kind"] == "year_month" and types.is_date32(t):  # each a month's first day, checked by columns
        days = _values(arr, 0).astype(np.int64)
        first = days.astype("datetime64[D]").astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
        bad = (first != days) | (days < _FIRST_DAY) | (days > _LAST_DAY)  # as values.to_year_month rejects them
        null = _nulls(arr, np)
        if null is not None:
            bad &= ~null
        return Converted(days, None, bad if bad.any() else None, null)
    if kind == "date" and spec["kind"] == "date":  # a year-month must be a month's first day: below
        if types.is_date32(t):
            null = _nulls(arr, np)
            if null is None:  # the day numbers themselves (int32), read in place
                return Converted(_numpy(arr))
            return Converted(_values(arr, 0).astype(np.int64), None, None, null)
        if types.is_date64(t) or (types.is_timestamp(t) and t.tz is None):
            return convert_column(spec, arr.cast(pa.date32()), enums)
    if types.is_string(t) or types.is_large_string(t):
        return _per_unique(spec, arr, enums, np, pa)
    return _generic(spec, arr.to_pylist(), enums, np)


def _number_column(spec: Mapping[str, Any], arr: Any, enums: Sequence[str], np: Any, pa: Any,
                   pc: Any) -> Converted:
    types = pa.types
    t = arr.type
    null = _nulls(arr, np)
    integer = column_kind(spec["kind"]) == "int"
    if types.is_integer(t):
        raw = _values(arr, 0)
        bad = None
        if raw.dtype == np.uint64 and len(raw) and raw.max() > _I64:
            bad = raw > _I64
            raw = np.where(bad, 0, raw)
        in_place = raw.dtype == np.int64 and bad is None and null is None
        return Converted(raw.astype(np.int64, copy=False), 0, bad, null, in_place=in_place)
    if types.is_decimal(t):
        n = len(arr)
        bad = None
        if t.byte_width <= 8:  # decimal32 / decimal64: the unscaled integers themselves
            small = np.frombuffer(arr.buffers()[1], dtype=np.int32 if t.byte_width == 4 else np.int64)
            v = small[arr.offset:arr.offset + n].astype(np.int64, copy=False)
            if null is not None:
                v = np.where(null, 0, v)
            conv = _decimal_scale(v, t.scale, integer, bad, null)
            conv.in_place = conv.v is v and small.dtype == np.int64 and null is None
            return conv
        words = t.byte_width // 8
        buf = np.frombuffer(arr.buffers()[1], dtype=np.int64)
        flat = buf[arr.offset * words:(arr.offset + n) * words]
        w = flat.reshape(n, words)
        if t.precision <= 18 and null is None and t.scale >= 0 and not (integer and t.scale):
            # |value| < 10**18 < 2**63: the low words are the values (the high words only
            # repeat the sign), read in place.
            return Converted(w[:, 0], t.scale, None, None, in_place=True)
        if words == 2 and null is None and t.scale >= 0 and not (integer and t.scale) and not w[:, 1].any():
            # decimal128(38, s) whose high words are all zero (no negative number): the low
            # words are the values, read in place, one pass over the high words to know it.
            # A low word with its top bit set (2**63 or more) reads as negative: its row is
            # flagged as negative numbers are, and the scalar path rejects it.
            return Converted(w[:, 0], t.scale, None, None, in_place=True)
        v = alloc(n, np.int64)  # contiguous: numpy's strided loops are several times slower
        np.copyto(v, w[:, 0])
        if t.precision > 18:
            sign = v >> 63
            bad = np.zeros(n, dtype=bool)
            for k in range(1, words):
                bad |= w[:, k] != sign
        if null is not None:
            v[null] = 0
            if bad is not None:
                bad &= ~null
        return _decimal_scale(v, t.scale, integer, bad, null)
    if types.is_floating(t):
        x = _values(arr, 0).astype(np.float64, copy=False)
        v, s, unresolved = _float_fixed(x, np)
        conv = Converted(v, s, None, null)
        if unresolved.any():  # NaN, inf, huge or tiny: let the scalar converter judge each
            rows = np.flatnonzero(unresolved)
            slow = _generic(spec, [float(x[i]) for i in rows], enums, np)
            conv = _merge(conv, rows, slow, np)
        if integer and conv.s:
            unit = 10**conv.s
            conv.bad = mask_or(conv.bad, conv.v % unit != 0)
            conv.v, conv.s = conv.v // unit, 0
        return conv
    if types.is_string(t) or types.is_large_string(t):
        # Plain decimals of at most 15 characters read back exactly through float64.
        plain_np = (_values(pc.match_substring_regex(arr, r"^[0-9]+(\.[0-9]+)?$"), False)
                    & (_values(pc.utf8_length(arr), 0) <= 15))
        zero = string_array(["0"]).cast(t)[0]  # (literals passed to Arrow import pandas: see arrow_array)
        floats = pc.cast(pc.if_else(arrow_array(plain_np), arr, zero), pa.float64())
        conv = _number_column(spec, floats, enums, np, pa, pc)
        conv.null = null
        slow_rows = ~plain_np if null is None else ~plain_np & ~null
        rest = np.flatnonzero(slow_rows)
        if len(rest):
            slow = _generic(spec, arr.take(arrow_array(rest)).to_pylist(), enums, np)
            conv = _merge(conv, rest, slow, np)
        return conv
    return _generic(spec, arr.to_pylist(), enums, np)


def _decimal_scale(v: Any, s: int, integer: bool, bad: Any, null: Any) -> Converted:
    np, _pa, _pc = arrow_modules()
    if s < 0:  # decimal(p, -k): whole multiples of 10**k
        v, bad = scale_up(v, -s, bad, np)
        return Converted(v, 0, bad, null)
    if integer and s > _MAX_PLACES:  # 10**s exceeds int64: only 0 is a whole number here
        return Converted(np.zeros_like(v), 0, mask_or(bad, v != 0), null)
    if integer and s > 0:
        unit = 10**s
        bad = mask_or(bad, v % unit != 0)
        return Converted(v // unit, 0, bad, null)
    return Converted(v, s, bad, null)


def scale_up(v: Any, k: int, bad: Any, np: Any) -> tuple[Any, Any]:
    """(v * 10**k, bad rows): values that would overflow become 0 and join the bad rows (a
    new mask; `bad` itself, which may be a converted column's, is left as it is)."""
    over = np.abs(v) > _I64 // 10**k
    if over.any():
        v = np.where(over, 0, v)
        bad = mask_or(bad, over)
    return v * 10**k, bad


def _merge(conv: Converted, rows: Any, slow: Converted, np: Any) -> Converted:
    """Put the slowly converted `rows` into `conv`, aligning decimal places."""
    s = max(conv.s or 0, slow.s or 0)
    v = conv.v
    bad = conv.bad if conv.bad is not None else np.zeros(len(v), dtype=bool)
    if conv.s is not None and s > conv.s:
        over = np.abs(v) > _I64 // 10 ** (s - conv.s)
        bad |= over
        v = np.where(over, 0, v) * 10 ** (s - conv.s)
    sv = slow.v
    if slow.s is not None and s > slow.s:
        over = np.abs(sv) > _I64 // 10 ** (s - slow.s)
        slow.bad |= over
        sv = np.where(over, 0, sv) * 10 ** (s - slow.s)
    v[rows] = sv
    bad[rows] = slow.bad
    null = conv.null
    if slow.null.any():
        null = np.zeros(len(v), dtype=bool) if null is None else null.copy()
        null[rows] |= slow.null
    return Converted(v, conv.s if conv.s is None else s, bad, null)


# ---------------------------------------------------------------- result columns


def decimal_column(v: Any, s: int, n: int, patch: dict[int, Any], validity: Any, np: Any, pa: Any,
             sink: Any = None, lo: int = -1) -> Any:
    """decimal128(38, s) from int64 values with some rows replaced by exact Decimals.

    `sink` is (flat int64 array, its view of the low words[, True when the high words are
    written too]): when the columnar code already wrote the values there, at most the high
    words remain to fill.
    """
    scale = s
    for x in patch.values():
        d = Decimal(x)
        if d.scaleb(scale) != d.scaleb(scale).to_integral_value():
            exp = d.normalize().as_tuple().exponent
            assert isinstance(exp, int)  # INVARIANT: results are finite
            scale = min(38, max(scale, -exp))
    written = sink is not None and v is sink[1]
    flat = sink[0] if written else alloc(2 * n, np.int64)
    words = flat.reshape(n, 2)
    if scale == s:
        if not written:
            words[:, 0] = v
        if not (written and len(sink) > 2):  # (else the kernel wrote the high words)
            if lo >= 0:
                words[:, 1] = 0
            else:
                np.right_shift(words[:, 0], 63, out=words[:, 1])
    else:  # a recomputed value needs more places than the columnar code gave: widen all
        k = 10 ** (scale - s)
        for i, iv in enumerate(v.tolist()):
            big = iv * k
            words[i] = (_signed(big & _M64), big >> 64)
    for row, x in patch.items():
        big = int(Decimal(x).scaleb(scale).to_integral_value())
        if abs(big) >= _D128:
            raise RuleError(f"计算结果 {x} 超出表格可存储的 38 位有效数字")
        words[row] = (_signed(big & _M64), big >> 64)
    return pa.Array.from_buffers(pa.decimal128(38, scale), n, [validity, pa.py_buffer(flat)])


def _signed(word: int) -> int:
    return word - (1 << 64) if word >= 1 << 63 else word


def from_python(kind: str, values: list[Any], pa: Any) -> Any:
    if kind in ("money", "quantity", "rate", "points"):
        decimals = [None if x is None else Decimal(x) for x in values]
        scale, whole = 0, 1
        for d in decimals:
            if d is not None:
                _sign, digits, exp = d.as_tuple()
                assert isinstance(exp, int)  # INVARIANT: results are finite
                scale = max(scale, -exp)
                whole = max(whole, len(digits) + exp)
        # A quotient has 34 significant digits: decimal128 when they fit, else decimal256.
        if whole + scale <= 38:
            return pa.array(decimals, type=pa.decimal128(38, scale))
        if whole + scale <= 76:
            return pa.array(decimals, type=pa.decimal256(76, scale))
        return pa.array([None if d is None else display.exact(d) for d in decimals], type=pa.string())
    if kind == "int":  # beyond int64 (a sum of many items): decimal, as batchout.output's own rows
        fits = all(x is None or -(1 << 63) <= x < 1 << 63 for x in values)
        return pa.array(values, type=pa.int64()) if fits else from_python("quantity", values, pa)
    if kind == "bool":
        return pa.array(values, type=pa.bool_())
    if kind == "date":
        return pa.array(values, type=pa.date32())
    return pa.array(values, type=pa.string())


def list_from_python(kind: str, values: list[Any], pa: Any) -> Any:
    """A list column (an output computed for each item of a list input): each row's values, or
    null for a row without one (an error)."""
    offsets = [0]
    for v in values:
        offsets.append(offsets[-1] + (len(v) if v is not None else 0))
    inner = from_python(kind, [x for v in values if v is not None for x in v], pa)
    mask = pa.array([v is None for v in values], type=pa.bool_())
    return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), inner, mask=mask)


def _whole_digits(a: Any, pa: Any) -> int:
    """Digits before the decimal point of the largest magnitude in a decimal or integer array."""
    _np, _pa, pc = arrow_modules()
    mm = pc.min_max(a)
    top = max((abs(Decimal(v.as_py())) for v in (mm["min"], mm["max"]) if v.is_valid), default=Decimal(0))
    return max(1, top.adjusted() + 1) if top else 1


def fits(array: Any, target: Any) -> bool:
    """Whether every value of a decimal or integer `array` can be cast to decimal `target`
    exactly (Arrow's cast may wrap around instead of failing, see unify)."""
    _np, pa, _pc = arrow_modules()
    if not pa.types.is_decimal(target):
        return True
    if pa.types.is_decimal(array.type) and array.type.scale > target.scale:
        return False  # would drop decimal places
    return bool(_whole_digits(array, pa) + target.scale <= target.precision)


def unify(arrays: list[Any], pa: Any) -> tuple[list[Any], Any]:
    """The chunks' arrays of one column in one type, and that type.

    Chunks may differ: one chunk's numbers need more decimal places, or (unrounded
    quotients, 34 significant digits) more digits than decimal128 holds. Numbers go to
    decimal128 at the largest scale when every value fits, else decimal256, else exact
    decimal text, as a single chunk would.
    """
    types = {a.type for a in arrays}
    if len(types) == 1:
        return arrays, next(iter(types))
    if all(pa.types.is_list(t) for t in types):  # a per-item output: its items' values unified
        inner, target = unify([a.values for a in arrays], pa)
        return [pa.ListArray.from_arrays(a.offsets, v, mask=a.is_null()) for a, v in zip(arrays, inner, strict=True)], \
            pa.list_(target)
    numbers = [a for a in arrays if pa.types.is_decimal(a.type) or pa.types.is_integer(a.type)]
    others = [a for a in arrays if not (pa.types.is_decimal(a.type) or pa.types.is_integer(a.type))]
    if all(pa.types.is_string(a.type) for a in others):
        scale = max((a.type.scale for a in numbers if pa.types.is_decimal(a.type)), default=0)
        # Digits before the point, read off the values: Arrow's cast does not always notice
        # a value that no longer fits at a larger scale (it can wrap around silently).
        whole = max((_whole_digits(a, pa) for a in numbers), default=1)
        if not others and whole + scale <= 76:
            target = pa.decimal128(38, scale) if whole + scale <= 38 else pa.decimal256(76, scale)
            return [a if a.type == target else a.cast(target) for a in arrays], target
        return [a if a.type == pa.string() else a.cast(pa.string()) for a in arrays], pa.string()
    raise RuleError(f"各块的输出类型不一致：{', '.join(sorted(str(t) for t in types))}")  # pragma: no cover


def one_column(batch: Any, name: str) -> Any:
    """A batch's column in one piece, in a type every Arrow kernel takes."""
    _np, pa, _pc = arrow_modules()
    col = batch.column(batch.schema.get_field_index(name))
    if hasattr(col, "combine_chunks"):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    if getattr(pa.types, "is_string_view", lambda _t: False)(col.type):  # e.g. from polars
        col = col.cast(pa.large_string())  # not every Arrow kernel takes views yet
    elif pa.types.is_nested(col.type) and (plain := _without_views(col.type, pa)) != col.type:
        col = col.cast(plain)  # a list's records with views (array_take has no kernel for them)
    return col


def _without_views(t: Any, pa: Any) -> Any:
    """Type `t` with every string_view (binary_view) in it read as large_string (large_binary)."""
    if getattr(pa.types, "is_string_view", lambda _t: False)(t):
        return pa.large_string()
    if getattr(pa.types, "is_binary_view", lambda _t: False)(t):
        return pa.large_binary()
    if pa.types.is_struct(t):
        return pa.struct([t.field(i).with_type(_without_views(t.field(i).type, pa)) for i in range(t.num_fields)])
    if pa.types.is_list(t):
        return pa.list_(t.value_field.with_type(_without_views(t.value_type, pa)))
    if pa.types.is_large_list(t):
        return pa.large_list(t.value_field.with_type(_without_views(t.value_type, pa)))
    return t


def iter_batches(table: Any, rows: int) -> Iterator[Any]:
    """Slices of at most `rows` rows (each column in one piece); an empty table gives one empty slice."""
    total = table.num_rows
    for start in range(0, max(total, 1), rows):
        # The length is bounded by hand: Arrow slices a table without columns to any length asked.
        yield table.slice(start, min(rows, total - start))


def combine(batches: list[Any], names: list[str], meta: dict[str, Any]) -> pa.Table:
    """One Table from chunk results, each column in one type (see unify); `meta` is kept in the
    schema's metadata under "guize"."""
    import json

    _np, pa, _pc = arrow_modules()
    columns = []
    for i in range(len(names)):
        arrays, target = unify([b.column(i) for b in batches], pa)
        columns.append(pa.chunked_array(arrays, type=target))
    return pa.table(columns, names=names, metadata={"guize": json.dumps(meta, ensure_ascii=False)})
