"""The batch baselines in guize's own format: the second baseline of corpus_bench's d128 rows.

The hand-written numpy functions (bench/baselines.py, corpus_baselines*.py) read int64 columns
and return int64 columns: 8 bytes a value each way. guize's default batch format is an Arrow
table in, an Arrow table out, decimals as decimal128: 16 bytes a value each way. The d128 rows
of corpus_bench compare the two as they are (the issue's target: guize against hand-written
integer numpy), which charges guize for the format as well as for the work. This module is the
same job done by hand in the same format, as a careful numpy programmer would write it around
the same integer functions:

* in: the pyarrow Table guize reads. A decimal128(p <= 18, s) column is its low words, an int64
  view of the buffer with a stride of two words, no copy (the type says the value fits: the high
  word only repeats the sign); a dictionary-encoded enumeration its indices, mapped to the
  baseline's codes by a look-up only when the dictionary's order is not the codes' own; booleans
  unpacked from Arrow's bits; date32 and int64 the buffers themselves; a list's offsets widened
  to int64, its fields as above.
* out: every decimal result as decimal128(38, s) at the baseline's scale (its (rows, 2) words:
  the value, then value >> 63), integers as int64, booleans packed, dates as date32, a per-item
  result as a list array over the input's offsets; one Arrow table, as guize returns.

The integer work between is the baseline's own function, unchanged. It is checked equal to the
int64 baseline (and so to guize) before anything is timed (corpus_bench.check_generated).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

Cols = dict[str, npt.NDArray[Any]]


def _column(table: Any, name: str) -> Any:
    col = table.column(name)
    return col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()


def _read(case: Any, name: str, arr: Any) -> npt.NDArray[Any]:
    """One Arrow array (no nulls) as the baseline's integer column."""
    import pyarrow as pa

    assert arr.null_count == 0, name  # (the generated tables have none; a null would be the caller's error)
    t, n, offset = arr.type, len(arr), arr.offset
    if pa.types.is_decimal(t):
        assert t.byte_width == 16 and t.precision <= 18 and t.scale == case.input_scales[name], (name, t)
        return np.frombuffer(arr.buffers()[1], dtype=np.int64)[2 * offset::2][:n]  # the low words, in place
    if pa.types.is_dictionary(t):
        codes = case.enums[name]
        lut = np.array([codes[m] for m in arr.dictionary.to_pylist()], dtype=np.int8)
        index = np.frombuffer(arr.indices.buffers()[1], dtype=arr.indices.type.to_pandas_dtype())
        index = index[arr.indices.offset:arr.indices.offset + n]
        if np.array_equal(lut, np.arange(len(lut))):
            return index
        return lut.take(index)
    if pa.types.is_boolean(t):
        bits = np.frombuffer(arr.buffers()[1], dtype=np.uint8)
        return np.unpackbits(bits, count=offset + n, bitorder="little")[offset:].view(bool)
    if pa.types.is_date32(t):
        return np.frombuffer(arr.buffers()[1], dtype=np.int32)[offset:offset + n]
    assert t == pa.int64(), (name, t)
    return np.frombuffer(arr.buffers()[1], dtype=np.int64)[offset:offset + n]


def read_columns(case: Any, table: Any, names: list[str]) -> Cols:
    """The columns `names` (the keys of case.make's dict) read from `table` (see the module's
    docstring); a list input `X` gives `X[]` (its offsets) and `X.field` (its items' fields)."""
    cols: Cols = {}
    for name in names:
        if name.endswith("[]"):
            lists = _column(table, name[:-2])
            assert lists.offset == 0  # (a sliced list array would need its offsets rebased)
            cols[name] = np.frombuffer(lists.buffers()[1], dtype=np.int32)[:len(lists) + 1].astype(np.int64)
        elif "." in name:
            head, field = name.split(".", 1)
            items = _column(table, head).values
            cols[name] = _read(case, name, items.field(field))
        else:
            cols[name] = _read(case, name, _column(table, name))
    return cols


def _decimal128(values: npt.NDArray[np.int64], scale: int) -> Any:
    import pyarrow as pa

    n = len(values)
    words = np.empty((n, 2), dtype=np.int64)
    words[:, 0] = values
    np.right_shift(values, 63, out=words[:, 1])
    return pa.Array.from_buffers(pa.decimal128(38, scale), n, [None, pa.py_buffer(words)])


def _array(kind: Any, values: npt.NDArray[Any], scale: int) -> Any:
    import pyarrow as pa

    n = len(values)
    if pa.types.is_decimal(kind):
        return _decimal128(values, scale)
    if pa.types.is_boolean(kind):
        bits = np.packbits(np.asarray(values, dtype=bool), bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), n, [None, pa.py_buffer(bits)])
    if pa.types.is_date32(kind):
        return pa.Array.from_buffers(pa.date32(), n, [None, pa.py_buffer(values.astype(np.int32))])
    assert kind == pa.int64(), kind
    return pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(np.ascontiguousarray(values, dtype=np.int64))])


def write_table(case: Any, got: Cols, kinds: dict[str, Any], cols: Cols) -> Any:
    """The baseline's int64 results as the Arrow table of `kinds` (each output's type in guize's
    decimal128 result; a decimal at the baseline's own scale)."""
    import pyarrow as pa

    arrays = []
    for name, kind in kinds.items():
        if pa.types.is_list(kind):
            offsets = next(v for k, v in cols.items() if k.endswith("[]"))
            items = _array(kind.value_type, got[name], case.scales[name])
            starts = pa.Array.from_buffers(pa.int32(), len(offsets), [None, pa.py_buffer(offsets.astype(np.int32))])
            arrays.append(pa.ListArray.from_arrays(starts, items))
        else:
            arrays.append(_array(kind, got[name], case.scales[name]))
    return pa.Table.from_arrays(arrays, names=list(kinds))


def arrow_numpy(case: Any, names: list[str], kinds: dict[str, Any]) -> Callable[..., Any]:
    """case.numpy in guize's format: (table, on, outputs) -> Arrow table; `on` is a date, or the
    name of the table's date32 column of each row's date."""

    def run(table: Any, on: Any, outputs: tuple[str, ...], *extra: Any) -> Any:
        cols = read_columns(case, table, names)
        if isinstance(on, str):
            on = _read(case, on, _column(table, on))
        got = case.numpy(cols, on, outputs, *extra)
        return write_table(case, got, {k: kinds[k] for k in outputs}, cols)

    return run
