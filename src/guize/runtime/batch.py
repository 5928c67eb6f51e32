"""Batch evaluation over columnar data: many rows at once, exact, with a per-row error column.

    table = policy.evaluate_batch(data, on=datetime.date(2025, 3, 1))   # or on="就诊日期"

`data` is a pyarrow Table or anything convertible (dict of lists or numpy arrays, list of
dicts, pandas or polars DataFrame). The result is a pyarrow Table with one column per
output (money and rates as decimal128, never float) and the column 「错误」: null where the
row was computed, the Chinese error message where it was not.

How it works. The columnar evaluators written by guize.compiler.batchgen compute every
output for a chunk of rows on fixed-point int64 columns (guize.runtime.batchops). Rows
where anything could go wrong (a missing or invalid input, a date outside the document's
validity, a value outside every band, a division by zero, a possible int64 overflow) are
flagged instead, and each flagged row is then evaluated by the ordinary scalar path
(Policy.evaluate), which gives the exact value or the exact error. So every row has the
answer the scalar path gives, and the fast path only has to be right on the rows it keeps.

A chunk larger than a block is not computed operation by operation over all its rows: its
numpy calls are recorded into a kernel (guize.runtime.kernel) and run BLOCK_ROWS rows at a
time, in cache. Numbers read in place (see _Converted.in_place) are assumed to lie in
[0, ASSUMED_MAX] rather than scanned for their bounds; the kernel flags the rows outside.

A null cell means "not given": the input's default applies, or the row reports 缺少输入.
Float columns are read through their shortest repr (0.1 is 0.1, as in the scalar path).

numpy and pyarrow are imported only by the batch modules (this one, batchops, kernel), from
the optional extra `guize[batch]`.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from guize.runtime import values as V
from guize.runtime.errors import InvalidInput, MissingInput, RuleError

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from guize.runtime.policy import Policy

ERROR_COLUMN = "错误"
_DECIMAL_KINDS = ("money", "quantity", "rate", "points")
# Rows per chunk of evaluate_batch: bounds the memory taken by converted inputs. The work
# on temporaries is done block by block (BLOCK_ROWS), so a large chunk costs no cache; it
# saves the per-chunk costs (conversions, allocations, recording the kernel).
CHUNK_ROWS = 1 << 20
# Rows per block of a chunk's kernel (guize.runtime.kernel): 8,192 rows keep a block's
# inputs (16 bytes a row for decimal128), temporaries (8) and results (16) in L2 cache;
# 4,096 pays more Python per row, 16,384 and more spill (docs/performance.md).
BLOCK_ROWS = 1 << 13
# A kernel assumes numbers read in place lie in [0, ASSUMED_MAX] (in units of their last
# decimal place: 10 billion 元 at the cent) and checks it row by row; when more than
# 1/ASSUMED_MISSES of a chunk's rows lie outside, the chunk is evaluated again from bounds
# read off the data.
ASSUMED_MAX = 10**12
ASSUMED_MISSES = 1000
_DICTIONARY_MEMO = 32  # converted dictionaries kept by one run (see _per_unique)
_I64 = 2**63 - 1
_M64 = (1 << 64) - 1
_D128 = 10**38
_MAX_PLACES = 18


def _modules() -> tuple[Any, Any, Any]:
    try:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:
        raise RuleError("批量计算需要 numpy 和 pyarrow：请安装 pip install 'guize[batch]'") from None
    return np, pa, pc


# ---------------------------------------------------------------- input tables


def to_table(data: Any) -> pa.Table:
    """A pyarrow Table from a Table, RecordBatch, dict of columns, list of rows or DataFrame."""
    np, pa, _pc = _modules()
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
    try:
        return pa.array(column)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        # Mixed kinds in one list (1, "2.5", None): keep each value's text.
        values = column.tolist() if isinstance(column, np.ndarray) else list(column)
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


# ---------------------------------------------------------------- column conversion


class _Converted:
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


def _alloc(n: int, dtype: Any) -> Any:
    """An uninitialised numpy array in memory from Arrow's pool.

    Arrow's allocator keeps freed pages mapped, so chunk after chunk reuses memory that is
    already paged in; numpy's malloc gives large blocks back to the system and pays a page
    fault per 4 KiB to get them again.
    """
    np, pa, _pc = _modules()
    dt = np.dtype(dtype)
    return np.frombuffer(pa.allocate_buffer(n * dt.itemsize), dtype=dt)


def _arrow(v: Any, validity: Any = None) -> Any:
    """An Arrow array over a numpy integer or boolean array (shared memory when contiguous).

    Not pa.array: it imports pandas, when installed, to ask whether `v` is a pandas object,
    which costs a fifth of a second and 35 MB the first time.
    """
    np, pa, _pc = _modules()
    if v.dtype == np.bool_:
        data = pa.py_buffer(np.packbits(v, bitorder="little"))
    else:
        data = pa.py_buffer(np.ascontiguousarray(v))
    return pa.Array.from_buffers(pa.from_numpy_dtype(v.dtype), len(v), [validity, data])


def _strings(values: Sequence[str]) -> Any:
    """An Arrow string array of `values` (built from buffers, for the reason given in _arrow)."""
    np, pa, _pc = _modules()
    data = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(data) + 1, dtype=np.int32)
    np.cumsum([len(d) for d in data], out=offsets[1:])
    return pa.Array.from_buffers(pa.string(), len(data), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))])


def _numpy(arr: Any) -> Any:
    """The values of an Arrow array without nulls as a numpy array: the array's own memory
    for fixed-width types, unpacked bits for booleans (Array.to_numpy imports pandas, see
    _arrow, so it is used only for other types)."""
    np, pa, _pc = _modules()
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
    np, _pa, _pc = _modules()
    v = _numpy(arr)  # the values under null slots are arbitrary
    if arr.null_count:
        v = np.where(_numpy(arr.is_null()), fill, v)
    return v


def _minmax(v: Any) -> tuple[int, int]:
    """Smallest and largest value of an integer array in one pass (Arrow's min_max)."""
    if len(v) == 0:
        return 0, 0
    _np, _pa, pc = _modules()
    mm = pc.min_max(_arrow(v))
    return int(mm["min"].as_py()), int(mm["max"].as_py())


def _or(a: Any, b: Any) -> Any:
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


def _generic(spec: Mapping[str, Any], values: list[Any], enums: Sequence[str], np: Any) -> _Converted:
    """Convert Python values one by one with the scalar converters (the slow, general path)."""
    kind = spec["kind"]
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
            iv = 0 if bad[i] else int(Decimal(d).scaleb(scale))
            if abs(iv) > _I64:
                bad[i], iv = True, 0
            ints.append(iv)
        return _Converted(np.array(ints, dtype=np.int64), scale, bad, null)
    if kind == "bool":
        return _Converted(np.array([bool(v) for v in out], dtype=bool), None, bad, null)
    if kind == "enum":
        codes = [enums.index(v) if isinstance(v, str) else 0 for v in out]
        return _Converted(np.array(codes, dtype=np.int64), None, bad, null)
    # dates: day numbers
    epoch = datetime.date(1970, 1, 1)
    days = [(v - epoch).days if isinstance(v, datetime.date) else 0 for v in out]
    return _Converted(np.array(days, dtype=np.int64), None, bad, null)


def _per_unique(spec: Mapping[str, Any], arr: Any, enums: Sequence[str], np: Any, pa: Any,
                memo: dict[Any, Any] | None = None) -> _Converted:
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
        return _Converted(np.zeros(n, dtype=np.int64 if spec["kind"] != "bool" else bool),
                          dictionary.s, None, np.ones(n, dtype=bool))
    dv = dictionary.v
    if dictionary.bad is None and dictionary.null is None and spec["kind"] == "enum" \
            and np.array_equal(dv, np.arange(len(dv))) and idx.dtype.kind == "i":
        # Dictionary order is the code order: the indices are the codes, in their own
        # integer width, which holds every code of this dictionary (filling nulls with a
        # default may need more, so then widen).
        return _Converted(idx if null is None else idx.astype(np.int64), None, None, null)
    v = dv.take(idx, mode="clip")
    bad = dictionary.bad.take(idx) if dictionary.bad is not None else None
    dnull = dictionary.null.take(idx) if dictionary.null is not None else None
    return _Converted(v, dictionary.s, bad, _or(null, dnull))


def convert_column(spec: Mapping[str, Any], arr: Any, enums: Sequence[str],
                   memo: dict[Any, Any] | None = None) -> _Converted:
    """One Arrow array -> columnar values for the input `spec` (scale not yet applied);
    `memo`: see _per_unique."""
    np, pa, pc = _modules()
    t = arr.type
    kind = spec["kind"]
    types = pa.types
    if types.is_null(t):
        n = len(arr)
        return _Converted(np.zeros(n, dtype=bool if kind == "bool" else np.int64), 0, None,
                          np.ones(n, dtype=bool))
    if types.is_dictionary(t):
        return _per_unique(spec, arr, enums, np, pa, memo)
    if kind in ("money", "quantity", "rate", "int"):
        return _number_column(spec, arr, enums, np, pa, pc)
    if kind == "bool" and types.is_boolean(t):
        null = _nulls(arr, np)
        bits = np.frombuffer(arr.buffers()[1], dtype=np.uint8)
        v = np.unpackbits(bits, count=arr.offset + len(arr), bitorder="little")[arr.offset:].view(bool)
        return _Converted(v, None, None, null)
    if kind == "enum" and (types.is_string(t) or types.is_large_string(t)):
        members = list(spec["members"])
        where = pc.index_in(arr, value_set=_strings(members).cast(t))
        null = _nulls(arr, np)
        found = _numpy(where.is_valid())
        local = _values(where, 0).astype(np.intp)
        codes = np.array([enums.index(m) for m in members], dtype=np.int64).take(local)
        missing = ~found if null is None else ~found & ~null
        if missing.any():  # " 一级 " and other spellings the scalar converter accepts
            rest = np.flatnonzero(missing)
            slow = _generic(spec, arr.take(_arrow(rest)).to_pylist(), enums, np)
            codes[rest] = slow.v
            bad = np.zeros(len(arr), dtype=bool)
            bad[rest] = slow.bad
            return _Converted(codes, None, bad, null)
        return _Converted(codes, None, None, null)
    if kind == "date":
        if types.is_date32(t):
            null = _nulls(arr, np)
            if null is None:  # the day numbers themselves (int32), read in place
                return _Converted(_numpy(arr))
            return _Converted(_values(arr, 0).astype(np.int64), None, None, null)
        if types.is_date64(t) or (types.is_timestamp(t) and t.tz is None):
            return convert_column(spec, arr.cast(pa.date32()), enums)
    if types.is_string(t) or types.is_large_string(t):
        return _per_unique(spec, arr, enums, np, pa)
    return _generic(spec, arr.to_pylist(), enums, np)


def _number_column(spec: Mapping[str, Any], arr: Any, enums: Sequence[str], np: Any, pa: Any,
                   pc: Any) -> _Converted:
    types = pa.types
    t = arr.type
    null = _nulls(arr, np)
    integer = spec["kind"] == "int"
    if types.is_integer(t):
        raw = _values(arr, 0)
        bad = None
        if raw.dtype == np.uint64 and len(raw) and raw.max() > _I64:
            bad = raw > _I64
            raw = np.where(bad, 0, raw)
        in_place = raw.dtype == np.int64 and bad is None and null is None
        return _Converted(raw.astype(np.int64, copy=False), 0, bad, null, in_place=in_place)
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
            return _Converted(w[:, 0], t.scale, None, None, in_place=True)
        v = _alloc(n, np.int64)  # contiguous: numpy's strided loops are several times slower
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
        conv = _Converted(v, s, None, null)
        if unresolved.any():  # NaN, inf, huge or tiny: let the scalar converter judge each
            rows = np.flatnonzero(unresolved)
            slow = _generic(spec, [float(x[i]) for i in rows], enums, np)
            conv = _merge(conv, rows, slow, np)
        if integer and conv.s:
            unit = 10**conv.s
            conv.bad = _or(conv.bad, conv.v % unit != 0)
            conv.v, conv.s = conv.v // unit, 0
        return conv
    if types.is_string(t) or types.is_large_string(t):
        # Plain decimals of at most 15 characters read back exactly through float64.
        plain_np = (_values(pc.match_substring_regex(arr, r"^[0-9]+(\.[0-9]+)?$"), False)
                    & (_values(pc.utf8_length(arr), 0) <= 15))
        zero = _strings(["0"]).cast(t)[0]  # (literals passed to Arrow import pandas: see _arrow)
        floats = pc.cast(pc.if_else(_arrow(plain_np), arr, zero), pa.float64())
        conv = _number_column(spec, floats, enums, np, pa, pc)
        conv.null = null
        slow_rows = ~plain_np if null is None else ~plain_np & ~null
        rest = np.flatnonzero(slow_rows)
        if len(rest):
            slow = _generic(spec, arr.take(_arrow(rest)).to_pylist(), enums, np)
            conv = _merge(conv, rest, slow, np)
        return conv
    return _generic(spec, arr.to_pylist(), enums, np)


def _decimal_scale(v: Any, s: int, integer: bool, bad: Any, null: Any) -> _Converted:
    np, _pa, _pc = _modules()
    if s < 0:  # decimal(p, -k): whole multiples of 10**k
        return _Converted(_scale_up(v, -s, bad, np), 0, bad, null)
    if integer and s > 0:
        unit = 10**s
        bad = _or(bad, v % unit != 0)
        return _Converted(v // unit, 0, bad, null)
    return _Converted(v, s, bad, null)


def _scale_up(v: Any, k: int, bad: Any, np: Any) -> Any:
    over = np.abs(v) > _I64 // 10**k
    if over.any():
        v = np.where(over, 0, v)
        if bad is not None:
            bad |= over
    return v * 10**k


def _merge(conv: _Converted, rows: Any, slow: _Converted, np: Any) -> _Converted:
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
    return _Converted(v, conv.s if conv.s is None else s, bad, null)


# ---------------------------------------------------------------- the plan for one call


class Plan:
    """What one evaluate_batch call needs: outputs, inputs, the date, the compiled program."""

    def __init__(self, policy: Policy, schema: pa.Schema, on: Any, outputs: Any, strict: bool,
                 block_rows: int = BLOCK_ROWS) -> None:
        np, pa, _pc = _modules()
        self.np, self.pa = np, pa
        self.policy = policy
        self.strict = strict
        self.outputs_arg = None if outputs is None else ([outputs] if isinstance(outputs, str) else list(outputs))
        self.names = policy._select(self.outputs_arg)
        program = _program(policy)
        self.defs = program["defs"]
        self.enums: tuple[str, ...] = program["enums"]
        self.kinds = {n: policy.definitions[n]["value_kind"] for n in self.names}
        self.vector = [n for n in self.names if self._vectorised(n)]
        self.fallback = [n for n in self.names if n not in self.vector]
        self.needed = policy.required_inputs(self.names)
        self.specs = {s["name"]: s for s in policy.module.INPUTS}
        self._dictionaries: dict[Any, Any] = {}
        present = set(schema.names)
        if len(present) != len(schema.names):
            twice = sorted({n for n in schema.names if schema.names.count(n) > 1})
            raise InvalidInput(f"输入表有重复的列名：{'、'.join(f'「{n}」' for n in twice)}")
        self.date_column: str | None = None
        self.on: datetime.date | None = None
        if isinstance(on, str) and on in present:
            self.date_column = on
        elif on is None:
            raise InvalidInput("缺少评估日期：请给出日期，或输入表中日期列的列名")
        else:
            from guize.runtime.policy import as_date

            try:
                self.on = as_date(on)
            except InvalidInput:
                near = _nearest(str(on), schema.names)
                hint = f"（是否指列「{near}」？）" if near else ""
                raise InvalidInput(f"「{on}」既不是日期，也不是输入表中的列{hint}", value=str(on)) from None
        for name in self.needed:
            if name not in present and not self.specs[name]["has_default"]:
                near = _nearest(name, [c for c in schema.names if c not in self.specs])
                hint = f"（是否指列「{near}」？）" if near else ""
                raise MissingInput(f"输入表缺少列「{name}」{hint}", input=name)
        # Per-date state for a single date: the window check, and each dated value's version.
        self.window_error: RuleError | None = None
        self.env: tuple[Any, ...] | None = None
        if self.on is not None:
            try:
                self.env = policy.env(self.on)
            except RuleError as exc:
                self.window_error = exc
        self.rows_done = 0
        self.rows_scalar = 0
        self.block_rows = block_rows  # 0: evaluate each chunk at once, without a kernel
        self.assume = False  # the chunk being evaluated may assume bounds (see _evaluate)
        self.assumed = False  # and did

    def _vectorised(self, output: str) -> bool:
        seen: set[str] = set()
        stack = [output]
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            if n not in self.defs:
                return False
            seen.add(n)
            stack.extend(self.policy.definitions[n]["deps"])
        return True

    # ------------------------------------------------------------ one chunk

    def run(self, batch: Any, offset: int) -> tuple[Any, list[tuple[int, RuleError]]]:
        """Evaluate one chunk: (record batch of outputs + 错误, [(row, error)]), rows from `offset`."""
        np = self.np
        n = batch.num_rows
        columns = {name: _column(batch, name) for name in batch.schema.names}
        errors: dict[int, RuleError] = {}
        patches: dict[str, dict[int, Any]] = {name: {} for name in self.names}
        values: dict[str, Any] = {}
        sinks: dict[str, Any] = {}
        if self.window_error is not None:
            for i in range(n):
                errors[i] = self.window_error
                if self.strict:
                    break
        else:
            on, versions, date_bad, outside = self._dates(columns, n)
            if outside is not None and outside.any():
                # The scalar path stops at the date before reading any input: one error per date.
                self._out_of_force(on, outside, errors)
            else:
                outside = None
            chunk, values, sinks = self._evaluate(columns, n, on, versions, date_bad, outside)
            suspect = np.flatnonzero(chunk.bad if outside is None else chunk.bad & ~outside)
            self._scalar(columns, suspect, self.outputs_arg, self.names, patches, errors)
            if self.fallback:
                rest = np.flatnonzero(~chunk.bad)
                self._scalar(columns, rest, self.fallback, self.fallback, patches, errors)
                self.rows_scalar += len(rest)
            self.rows_scalar += len(suspect)
        ordered = sorted(errors.items())
        if self.strict and ordered:
            row, exc = ordered[0]
            raise _at_row(exc, offset + row)
        self.rows_done += n
        return self._assemble(n, values, patches, errors, sinks), [(offset + r, e) for r, e in ordered]

    def _evaluate(self, columns: dict[str, Any], n: int, on: Any, versions: list[Any], date_bad: Any,
                  outside: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        """The vectorised outputs of a chunk: by a kernel over blocks when the chunk is larger
        than a block and its decisions need no data, else on the whole chunk at once."""
        from guize.runtime.kernel import NotRecordable, Recorder

        np = self.np
        converted: dict[str, _Converted] = {}
        for assume in (True, False):
            self.assume, self.assumed = assume, False
            recorder = Recorder(n) if 0 < self.block_rows < n else None
            try:
                chunk, values, sinks = self._columnar(columns, converted, n, on, versions, date_bad, outside,
                                                      recorder)
            except NotRecordable:  # a decision needs the values
                if self.assumed:
                    continue  # maybe only because of an assumed bound: try with the data's bounds
                recorder = None
                chunk, values, sinks = self._columnar(columns, converted, n, on, versions, date_bad, outside,
                                                      None)
            if recorder is not None:
                recorder.run(_alloc, self.block_rows)
            if chunk.assumed is not None:
                misses = np.count_nonzero(chunk.assumed)
                if misses * ASSUMED_MISSES > n:
                    continue  # too many rows for the scalar path: bounds from the data instead
                if misses:  # the kernel has run: mark them directly
                    np.logical_or(chunk.bad, chunk.assumed, out=chunk.bad)
            return chunk, values, sinks
        raise AssertionError("unreachable: the second try assumes nothing")  # pragma: no cover

    def _columnar(self, columns: dict[str, Any], converted: dict[str, _Converted], n: int, on: Any,
                  versions: list[Any], date_bad: Any, outside: Any,
                  recorder: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        """Evaluate the vectorised outputs of a chunk, or record their kernel (`recorder`).

        Returns the chunk (its `bad` rows go to the scalar path), the outputs' values, and
        for decimal outputs the result buffers their low words were written into.
        """
        from guize.runtime.batchops import Chunk
        from guize.runtime.kernel import EAGER

        np = self.np
        chunk = Chunk(self.defs, n, self._fetcher(columns, converted), on, versions, _alloc,
                      EAGER if recorder is None else recorder)
        if date_bad is not None:
            chunk.flag(date_bad)
        if outside is not None:
            chunk.flag(outside)
        for name in self.needed:  # the scalar path converts every input up front, too
            chunk.input(name)
        sinks: dict[str, tuple[Any, ...]] = {}
        for name in self.vector:
            if self.kinds[name] in _DECIMAL_KINDS:
                buf = _alloc(2 * n, np.int64)
                sinks[name] = (buf, buf.reshape(n, 2)[:, 0])
                chunk.sinks[name] = sinks[name][1]
        values = {name: chunk.ref(name) for name in self.vector}
        if recorder is not None:  # write the high words while the block's low words are hot
            from guize.runtime.batchops import Num
            from guize.runtime.kernel import copy

            values = {name: _materialize(v, recorder) for name, v in values.items()}
            for name, (buf, low) in sinks.items():
                value = values[name]
                if isinstance(value, Num) and value.v is low:
                    high = buf.reshape(n, 2)[:, 1]
                    if value.lo >= 0:
                        recorder.call(copy, 0, out=high)
                    else:
                        recorder.call(np.right_shift, low, 63, out=high)
                    sinks[name] = (buf, low, True)
        return chunk, values, sinks

    def _dates(self, columns: dict[str, Any], n: int) -> tuple[Any, list[Any], Any, Any]:
        """Day numbers, version indices per dated slot, rows to recompute, rows out of force."""
        np = self.np
        policy = self.policy
        from guize.runtime.batchops import day

        if self.date_column is None:
            assert self.env is not None and self.on is not None  # INVARIANT: set in __init__
            return day(self.on), list(self.env[1:]), None, None
        spec = {"name": self.date_column, "kind": "date", "members": ()}
        conv = convert_column(spec, columns[self.date_column], self.enums)
        days = conv.v
        bad = _or(conv.bad, conv.null)
        w = policy.window
        if bad is None and n:
            # Often every date of the chunk is in force and in one version of each dated
            # value: then one pass for the range answers for every row.
            lo, hi = _minmax(days)
            if (w.start is not None and lo >= day(w.start) and (w.last is None or hi <= day(w.last))
                    and (w.repealed is None or hi < day(w.repealed.on))):
                versions: list[Any] = []
                for slot_versions in policy._dated:
                    found = [k for k, v in enumerate(slot_versions)
                             if day(v[0]) <= lo and (v[1] is None or hi < day(v[1]))]
                    if not found:
                        break
                    versions.append(found[0])
                else:
                    return days, versions, None, None
        inside = np.ones(n, dtype=bool)
        if w.start is None:
            inside[:] = False
        else:
            inside &= days >= day(w.start)
        if w.last is not None:
            inside &= days <= day(w.last)
        if w.repealed is not None:
            inside &= days < day(w.repealed.on)
        outside = ~inside if bad is None else ~inside & ~bad  # a real date, out of force
        versions = []
        for slot_versions in policy._dated:
            starts = np.array([day(v[0]) for v in slot_versions], dtype=np.int64)
            ends = np.array([day(v[1]) if v[1] is not None else _I64 for v in slot_versions], dtype=np.int64)
            idx = np.searchsorted(starts, days, side="right") - 1
            ok = idx >= 0
            ok &= days < ends.take(np.maximum(idx, 0)) if len(ends) else False
            versions.append(np.where(ok, idx, -1))
        return days, versions, bad, outside

    def _out_of_force(self, days: Any, outside: Any, errors: dict[int, RuleError]) -> None:
        from guize.runtime.batchops import to_date

        rows = self.np.flatnonzero(outside)
        by_day: dict[int, RuleError] = {}
        for row, d in zip(rows.tolist(), days[rows].tolist(), strict=True):
            exc = by_day.get(d)
            if exc is None:
                try:
                    self.policy.env(to_date(d))
                except RuleError as found:
                    exc = by_day[d] = found
                else:  # pragma: no cover - the window said otherwise
                    raise AssertionError(f"{to_date(d)} is in force")
            errors[row] = exc

    def _fetcher(self, columns: dict[str, Any], converted: dict[str, _Converted]) -> Any:
        """The chunk's input reader; `converted` keeps each column's conversion, so that
        evaluating the chunk a second time (see _evaluate) converts nothing again."""
        from guize.runtime.batchops import Num, day

        np = self.np
        specs = self.specs
        enums = self.enums

        def fetch(c: Any, name: str) -> Any:
            spec = specs[name]
            kind = spec["kind"]
            arr = columns.get(name)
            default = None
            if spec["has_default"]:
                default = V.convert({**spec, "scale": Decimal(1)}, spec["default"])
            if arr is None:  # INVARIANT: only inputs with a default may be absent (checked in Plan)
                if kind in ("money", "quantity", "rate", "int"):
                    value: Any = c.mul(_const(default), _const(spec["scale"]))
                    return value
                if kind == "enum":
                    return enums.index(default)
                if kind == "date":
                    assert isinstance(default, datetime.date)  # INVARIANT: converted above
                    return day(default)
                return bool(default)
            conv = converted.get(name)
            if conv is None:
                conv = converted[name] = convert_column(spec, arr, enums, self._dictionaries)
            bad = conv.bad
            v = conv.v
            if kind in ("money", "quantity", "rate", "int"):
                s = conv.s or 0

                def in_unit(num: Num) -> Num:
                    """Apply the input's unit scale (万元 -> 元) once the column is read."""
                    if spec["scale"] != 1:
                        num = c.mul(num, _const(spec["scale"]))
                        num.own = False
                    return num

                if conv.bounds is not None and bad is None and conv.null is None:
                    return in_unit(Num(v, s, *conv.bounds))
                if conv.in_place:
                    if self.assume and c.k.recording:
                        # Assume 0 <= v <= ASSUMED_MAX instead of reading the column for its
                        # bounds; the kernel flags the rows outside (see Chunk.assume).
                        c.assume(v, ASSUMED_MAX)
                        self.assumed = True
                        return in_unit(Num(v, s, 0, ASSUMED_MAX))
                    if not v.flags.c_contiguous:  # numpy's strided loops are several times slower
                        contiguous = _alloc(len(v), np.int64)
                        np.copyto(contiguous, v)
                        v = contiguous
                if conv.null is not None and conv.null.any():
                    if default is None:
                        bad = _or(bad, conv.null)
                    else:
                        k = _const(default)
                        if k.s > s:
                            bad = None if bad is None else bad.copy()  # conv.bad is kept
                            v = _scale_up(v, k.s - s, bad, np)
                            s = k.s
                        fill = k.v * 10 ** (s - k.s)
                        if abs(fill) > _I64:  # not representable at this column's scale:
                            bad = _or(bad, conv.null)  # those rows go the scalar way
                            fill = 0
                        v = np.where(conv.null, fill, v)
                lo, hi = _minmax(v)
                if lo < 0:  # the scalar converters reject negative numbers
                    bad = _or(bad, v < 0)
                if bad is not None and bad.any():
                    v = np.where(bad, 0, v)
                    c.flag(bad)
                    lo, hi = _minmax(v)
                return in_unit(Num(v, s, lo, hi))
            if conv.null is not None and conv.null.any():
                if default is None:
                    bad = _or(bad, conv.null)
                else:
                    fill = enums.index(default) if kind == "enum" else (
                        day(default) if kind == "date" else bool(default))
                    v = np.where(conv.null, fill, v)
            if bad is not None and bad.any():
                c.flag(bad)
            return v

        return fetch

    # ------------------------------------------------------------ the scalar path

    def _scalar(self, columns: dict[str, Any], rows: Any, outputs: list[str] | None, names: list[str],
                patches: dict[str, dict[int, Any]], errors: dict[int, RuleError]) -> None:
        """Evaluate `rows` one by one with Policy.evaluate and record values or errors."""
        if len(rows) == 0:
            return
        index = _arrow(rows)
        taken = {name: columns[name].take(index).to_pylist() for name in self.needed if name in columns}
        if self.date_column is not None:
            dates = columns[self.date_column].take(index).to_pylist()
        policy = self.policy
        evaluate = policy.evaluate
        for j, row in enumerate(rows.tolist()):
            data = {name: col[j] for name, col in taken.items() if col[j] is not None}
            on = dates[j] if self.date_column is not None else self.on
            try:
                result = evaluate(data, on, outputs)
            except RuleError as first:
                exc = first
                if outputs is not self.outputs_arg:
                    try:  # the error the full evaluation reports first
                        result = evaluate(data, on, self.outputs_arg)
                    except RuleError as full:
                        exc = full
                    else:  # pragma: no cover - a narrower evaluation cannot fail alone
                        for name in self.names:
                            patches[name][row] = result[name]
                        continue
                errors[row] = exc
                if self.strict:
                    return
                continue
            for name in names:
                patches[name][row] = result[name]

    # ------------------------------------------------------------ output columns

    def _assemble(self, n: int, values: dict[str, Any], patches: dict[str, dict[int, Any]],
                  errors: dict[int, RuleError], sinks: dict[str, Any]) -> Any:
        np, pa = self.np, self.pa
        valid = None
        if errors:
            ok = np.ones(n, dtype=bool)
            ok[list(errors)] = False
            valid = ok
        arrays = []
        for name in self.names:
            arrays.append(self._output(name, n, values.get(name), patches[name], valid, errors, sinks.get(name)))
        arrays.append(_error_column(n, errors, np, pa))
        return pa.RecordBatch.from_arrays(arrays, names=[*self.names, ERROR_COLUMN])

    def _output(self, name: str, n: int, value: Any, patch: dict[int, Any], valid: Any,
                errors: dict[int, RuleError], sink: Any) -> Any:
        np, pa = self.np, self.pa
        from guize.runtime.batchops import EPOCH, Num

        kind = self.kinds[name]
        for row in errors:
            patch.pop(row, None)
        validity = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
        if value is None:  # evaluated row by row: build from the Python values
            return _from_python(kind, [patch.get(i) for i in range(n)], pa)
        if isinstance(value, Num):
            v = value.v if isinstance(value.v, np.ndarray) else np.full(n, value.v, dtype=np.int64)
            assert v.dtype == np.int64  # INVARIANT: number columns are int64 (day numbers may be int32)
            if kind == "int" and value.s == 0 and all(abs(int(x)) <= _I64 for x in patch.values()):
                if patch:
                    v = v.copy()
                    for row, x in patch.items():
                        v[row] = int(x)
                return pa.Array.from_buffers(pa.int64(), n, [validity, pa.py_buffer(np.ascontiguousarray(v))])
            return _decimal(v, value.s, n, patch, validity, np, pa, sink, value.lo)
        if kind == "bool":
            b = value if isinstance(value, np.ndarray) else np.full(n, bool(value))
            if patch:
                b = b.copy()
                for row, x in patch.items():
                    b[row] = bool(x)
            return _arrow(b, validity)
        if kind == "enum":
            codes = value if isinstance(value, np.ndarray) else np.full(n, value, dtype=np.int64)
            if patch:
                codes = codes.astype(np.int64)  # a copy, wide enough for every code
                for row, x in patch.items():
                    codes[row] = self.enums.index(x)
            return _strings(self.enums).take(_arrow(codes, validity))
        # dates
        days = value if isinstance(value, np.ndarray) else np.full(n, value, dtype=np.int64)
        days = days.astype(np.int32)
        for row, x in patch.items():
            days[row] = x.toordinal() - EPOCH
        return pa.Array.from_buffers(pa.date32(), n, [validity, pa.py_buffer(days)])


def _materialize(value: Any, recorder: Any) -> Any:
    """An output's value with chunk-wide arrays in place of the recorder's registers."""
    from guize.runtime.batchops import Num

    if isinstance(value, Num):
        return Num(recorder.materialize(value.v, _alloc), value.s, value.lo, value.hi)
    return recorder.materialize(value, _alloc)


def _column(batch: Any, name: str) -> Any:
    _np, pa, _pc = _modules()
    col = batch.column(batch.schema.get_field_index(name))
    if hasattr(col, "combine_chunks"):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    if getattr(pa.types, "is_string_view", lambda _t: False)(col.type):  # e.g. from polars
        col = col.cast(pa.large_string())  # not every Arrow kernel takes views yet
    return col


def _const(value: Any) -> Any:
    from guize.runtime.batchops import num

    return num(str(value))


def _nearest(name: str, names: Sequence[str]) -> str | None:
    from guize.runtime.diagnose import nearest_name

    return nearest_name(name, names)


def _at_row(exc: RuleError, row: int) -> RuleError:
    out = type(exc)(f"第 {row + 1} 行：{exc.message}", **{**exc.detail, "row": row + 1})
    return out


def _program(policy: Policy) -> dict[str, Any]:
    program: dict[str, Any] | None = getattr(policy, "_batch_program", None)
    if program is None:
        build = getattr(policy.module, "BATCH", None)
        if build is None:
            raise RuleError("这个已编译的模块没有批量计算代码：请用当前版本的 guize 重新编译")
        program = build()
        policy._batch_program = program  # type: ignore[attr-defined]
    return program


def _decimal(v: Any, s: int, n: int, patch: dict[int, Any], validity: Any, np: Any, pa: Any,
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
    flat = sink[0] if written else _alloc(2 * n, np.int64)
    words = flat.reshape(n, 2)
    if scale == s:
        if not written:
            words[:, 0] = v
        if written and len(sink) > 2:
            pass  # the kernel wrote the high words
        elif lo >= 0:
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


def _from_python(kind: str, values: list[Any], pa: Any) -> Any:
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
        return pa.array([None if d is None else format(d, "f") for d in decimals], type=pa.string())
    if kind == "int":
        return pa.array(values, type=pa.int64())
    if kind == "bool":
        return pa.array(values, type=pa.bool_())
    if kind == "date":
        return pa.array(values, type=pa.date32())
    return pa.array(values, type=pa.string())


def _error_column(n: int, errors: dict[int, RuleError], np: Any, pa: Any) -> Any:
    if not errors:
        return pa.nulls(n, type=pa.string())
    offsets = np.zeros(n + 1, dtype=np.int32)
    parts = []
    for row in sorted(errors):
        data = errors[row].message.encode("utf-8")
        offsets[row + 1] = len(data)
        parts.append(data)
    np.cumsum(offsets, out=offsets)
    valid = np.zeros(n, dtype=bool)
    valid[list(errors)] = True
    return pa.Array.from_buffers(pa.string(), n, [pa.py_buffer(np.packbits(valid, bitorder="little")),
                                                  pa.py_buffer(offsets), pa.py_buffer(b"".join(parts))])


# ---------------------------------------------------------------- the entry points


def iter_batches(table: Any, rows: int = CHUNK_ROWS) -> Iterator[Any]:
    """Slices of at most `rows` rows (each column in one piece)."""
    for start in range(0, max(table.num_rows, 1), rows):
        yield table.slice(start, rows)


def evaluate_batch(policy: Policy, data: Any, on: Any, outputs: Any = None, strict: bool = False,
                   chunk_rows: int = CHUNK_ROWS, block_rows: int = BLOCK_ROWS) -> pa.Table:
    """Evaluate many rows: a pyarrow Table of outputs and 「错误」 (see the module docstring).

    `block_rows`: rows per block of each chunk's kernel; 0 computes each chunk at once.
    """
    table = to_table(data)
    plan = Plan(policy, table.schema, on, outputs, strict, block_rows)
    batches = []
    offset = 0
    for piece in iter_batches(table, chunk_rows):
        batch, _errors = plan.run(piece, offset)
        batches.append(batch)
        offset += piece.num_rows
    return combine(batches, plan)


def combine(batches: list[Any], plan: Plan) -> pa.Table:
    """One Table from chunk results, each column in one type (see unify)."""
    _np, pa, _pc = _modules()
    names = [*plan.names, ERROR_COLUMN]
    columns = []
    for i in range(len(names)):
        arrays, target = unify([b.column(i) for b in batches], pa)
        columns.append(pa.chunked_array(arrays, type=target))
    meta = {"guize": json.dumps({"rows": plan.rows_done, "rows_scalar": plan.rows_scalar,
                                 "fallback_outputs": plan.fallback}, ensure_ascii=False)}
    return pa.table(columns, names=names, metadata=meta)


def _whole_digits(a: Any, pa: Any) -> int:
    """Digits before the decimal point of the largest magnitude in a decimal or integer array."""
    _np, _pa, pc = _modules()
    mm = pc.min_max(a)
    top = max((abs(Decimal(v.as_py())) for v in (mm["min"], mm["max"]) if v.is_valid), default=Decimal(0))
    return max(1, top.adjusted() + 1) if top else 1


def fits(array: Any, target: Any) -> bool:
    """Whether every value of a decimal or integer `array` can be cast to decimal `target`
    exactly (Arrow's cast may wrap around instead of failing, see unify)."""
    _np, pa, _pc = _modules()
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
