"""Columnar kernels: the numpy calls of one chunk, written down once and run block by block.

Evaluating a chunk (batchops.Chunk) mixes two kinds of work: deciding (decimal places,
bounds, which form of an operation cannot overflow; Python, once per chunk) and computing
(numpy, over every row). Done together, each operation sweeps the whole chunk, and with
a dozen temporaries of 2 MB each every sweep goes out to memory. With a Recorder the
Chunk decides as usual but only writes the numpy calls down; `Kernel` then runs them over
blocks of some thousands of rows (batch.BLOCK_ROWS), so a block's inputs, temporaries and
results stay in the CPU cache from one operation to the next (see docs/performance.md).

Only elementwise calls are written down (a row's result depends on that row alone), so
running them block by block gives the values running them on the whole chunk gives. A
decision that must look at the data (is there a row that overflows? what are the bounds
of this product?) cannot be written down: the Chunk calls `need_data()`, the Recorder
raises NotRecordable, and the caller evaluates that chunk eagerly instead (`EAGER`).

The kernel is Python source text, one line per call, compiled once per shape of calls:

    def block(c0, c1, c2, t0, t1, b0):
        multiply(c0, 10, out=t0)
        ...

This is the one place guize compiles code at run time, and only because the benchmark shows
it is needed: the calls depend on the data's bounds (which form of an operation cannot
overflow), so they cannot be written by the compiler ahead of time. Measured on the
outpatient rule, 1,000,000 rows, against hand-written numpy (bench/run_bench.py's batch row,
paired rounds in one session; ratio guize ÷ numpy, lower is better): this compiled kernel
1.05–1.09; no kernel (each call over the whole chunk, `block_rows=0`) 1.17–1.18; the same
recorded calls run by a Python loop over blocks instead of compiled (arguments looked up per
call) 1.24–1.40, slower than no kernel. See docs/performance.md.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]
Alloc = Callable[[int, Any], Array]

_KERNELS: dict[tuple[Any, ...], Kernel] = {}  # kernels by the shape of their calls
_KERNEL_CACHE_SIZE = 64


class NotRecordable(Exception):
    """The chunk needs a decision that depends on the data: evaluate it eagerly.

    `definition`: the innermost definition being evaluated when it was raised (set by
    batchops.Chunk.ref; None when it was raised reading the inputs), so that the caller can
    tell which inputs' assumed bounds may be to blame (batch.Plan._evaluate). `eager`: no
    bound is to blame (the chunk's shape is: an item of a list reads a row value being
    recorded), so the chunk goes eager at once, and so do the next ones for these outputs."""

    definition: str | None = None
    eager = False


def copy(src: Any, out: Array, where: Any = True) -> Array:
    """`out` = `src` (an array or one value for every row), on the rows `where` selects."""
    np.copyto(out, src, where=where)
    return out


def put(src: int, out: Array, where: Array) -> Array:
    """`out` = `src` (one value) on the rows `where` selects, the others kept; the caller
    guarantees that out - src cannot overflow.

    np.copyto's masked copy branches on each row: cheap when few or most rows are selected
    (the branch predicts well), several times slower than three passes when the mask is
    random (measured on 32,768 rows: 2-5 µs for 0-3 % of the rows, 40-90 µs for half).
    So the block's selected rows are counted (one fast pass over the mask) and a mask that
    is neither sparse nor dense is applied branch-free: out = (out - src) * ~where + src.
    """
    selected = np.count_nonzero(where)
    if selected * 16 <= len(where) or selected * 16 >= 15 * len(where):
        np.copyto(out, src, where=where)
        return out
    np.subtract(out, src, out=out)
    np.multiply(out, np.logical_not(where), out=out)
    return np.add(out, src, out=out)


def zero_high(low: Array, out: Array) -> Array:
    """A decimal128 result's high words set to 0 (`out`: its (rows, 2) words; `low`, its low
    words, already written: read for the order of the calls only). A kernel writes both words
    at once instead (pair_words, see _pairs)."""
    out[:, 1] = 0
    return out


_STAGE = threading.local()


def pair_words(src: Array, out: Array) -> Array:
    """`out` (rows, 2) = (src, 0) row by row: a non-negative result's decimal128 words. The
    values go into the low words of a block buffer whose high words stay zero, which is then
    copied whole: one contiguous write of 16 bytes a row, where a strided write of the low
    words and another of the high words each went through every cache line of the block
    (measured on 1M rows: 0.8 against 1.1 ms an output)."""
    k = len(src)
    stage = getattr(_STAGE, "words", None)
    if stage is None or len(stage) < k:
        stage = _STAGE.words = np.zeros((k, 2), dtype=np.int64)
    np.copyto(stage[:k, 0], src)
    np.copyto(out, stage[:k])
    return out


def above(x: Array, top: int, out: Array) -> Array:
    """Whether each value of the int64 `x`, as an unsigned number (a negative one is huge),
    is above `top` (see batchops.Chunk.assume)."""
    return np.greater(x.view(np.uint64), top, out=out)


def take(table: Array, index: Any, out: Array) -> Array:
    """`table[index]` row by row (indices outside the table are clipped)."""
    return table.take(index, mode="clip", out=out)


def lookup_sorted(bounds: Array, x: Any, first: int, out: Array) -> Array:
    """`first` + how many of the sorted `bounds` are at or below x, row by row (a version
    index from a day number and the days versions start on; a year from the first days of
    years; a band's index). A few bounds are a comparison each, summed in int8 (branch-free
    and several times faster than numpy's binary search); many are a binary search."""
    if len(bounds) > 8:
        np.add(np.searchsorted(bounds, x, side="right"), out.dtype.type(first), out=out, casting="unsafe")
        return out
    count = out if out.dtype == np.int8 else np.empty(len(out), dtype=np.int8)
    np.greater_equal(x, bounds[0], out=count.view(np.bool_))
    for bound in bounds[1:]:
        np.add(count, np.greater_equal(x, bound).view(np.int8), out=count)
    if count is not out or first:
        np.add(count, out.dtype.type(first), out=out)
    return out


_SORTED: dict[tuple[Any, ...], Array] = {}


def sorted_consts(values: Sequence[int], dtype: Any) -> Array:
    """`values` as an array of `dtype`, the same array each time: a kernel's constants are
    part of its shape (by identity), so the kernel is compiled once, not once per chunk."""
    key = (np.dtype(dtype).char, *values)
    array = _SORTED.get(key)
    if array is None:
        if len(_SORTED) > 256:
            _SORTED.clear()
        array = _SORTED[key] = np.array(values, dtype=dtype)
    return array


class Steps:
    """A dated slot's version index per row, computed in the kernel on first use (batchops
    Chunk.version): lookup_sorted of the chunk's day numbers in `starts`, plus `first`. The
    chunk's dates fall in versions first.. that follow one another without a gap
    (batchdates.range_versions), so no row lacks a version."""

    __slots__ = ("first", "starts")

    def __init__(self, starts: Array, first: int) -> None:
        self.starts = starts
        self.first = first


class _Const:
    """An array passed whole to every block (a lookup table), not sliced like a column."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class Reg:
    """A column in a recorded kernel: a slice of a chunk-wide array, or a block temporary."""

    __slots__ = ("array", "dtype", "name")

    def __init__(self, dtype: Any, array: Array | None = None) -> None:
        self.dtype = np.dtype(dtype)
        self.array = array  # the chunk-wide array; None while a temporary
        self.name = ""  # set when the kernel is written

    @property
    def strided(self) -> bool:
        return self.array is not None and not self.array.flags.c_contiguous

    def __repr__(self) -> str:
        return f"Reg({self.name or id(self)}, {self.dtype}, {'column' if self.array is not None else 'temporary'})"


Call = tuple[Any, tuple[Any, ...], Reg, tuple[tuple[str, Any], ...]]  # f, arguments, out, keywords


class Eager:
    """Run each call at once on whole-chunk arrays (the fallback, and chunks that need data)."""

    recording = False

    def call(self, f: Any, *args: Any, out: Any, **kw: Any) -> Any:
        return f(*args, out=out, **kw)

    def new(self, n: int, dtype: Any, alloc: Alloc) -> Array:
        return alloc(n, dtype)

    def maybe(self, mask: Any) -> bool:
        """Whether any row of `mask` is set (a Recorder answers "maybe" for a recorded mask)."""
        return bool(mask.any())

    def need_data(self) -> None:
        """The next step looks at the values: fine when running eagerly."""


EAGER = Eager()


class Recorder(Eager):
    """Write the calls down instead of running them; `kernel()` then runs them by blocks."""

    recording = True

    def __init__(self, n: int) -> None:
        self.n = n
        self.calls: list[Call] = []
        self.columns: dict[int, Reg] = {}  # id(array) -> its register (the array is held by it)

    def _arg(self, x: Any) -> Any:
        if isinstance(x, Reg):
            return x
        if isinstance(x, np.ndarray):
            if x.ndim not in (1, 2) or len(x) != self.n:  # INVARIANT: only row-wise columns reach a call
                # (two-dimensional: a decimal128 result's words, written by zero_high)
                raise NotRecordable(f"array of shape {x.shape}")
            reg = self.columns.get(id(x))
            if reg is None or reg.array is not x:
                reg = self.columns[id(x)] = Reg(x.dtype, x)
            return reg
        return x  # one value for every row, a dtype, a mode

    def call(self, f: Any, *args: Any, out: Any, **kw: Any) -> Any:
        reg = self._arg(out)
        if f is take or f is lookup_sorted:  # the table looked up is a constant, not a column
            args = (_Const(args[0]), *args[1:])
        self.calls.append((f, tuple(self._arg(a) for a in args), reg,
                           tuple((k, self._arg(v)) for k, v in kw.items())))
        return reg

    def new(self, n: int, dtype: Any, alloc: Alloc) -> Any:
        return Reg(dtype)

    def maybe(self, mask: Any) -> bool:
        return True if isinstance(mask, Reg) else bool(mask.any())

    def need_data(self) -> None:
        raise NotRecordable("a decision needs the values")

    def materialize(self, x: Any, alloc: Alloc) -> Any:
        """The chunk-wide array that will hold `x` (a register, or anything else as is)."""
        if not isinstance(x, Reg):
            return x
        if x.array is None:  # a temporary that is a result: give it a chunk-wide home
            x.array = alloc(self.n, x.dtype)
        return x.array

    def kernel(self) -> tuple[Kernel, list[Array]]:
        """The kernel of the recorded calls (compiled once per shape), and its columns' arrays."""
        key, columns, held = _signature(self.calls)
        kernel = _KERNELS.get(key)
        if kernel is None:
            if len(_KERNELS) >= _KERNEL_CACHE_SIZE:
                _KERNELS.clear()
            kernel = _KERNELS[key] = Kernel(self.calls, {id(r): k for k, r in columns.items()}, held)
        return kernel, [columns[k].array for k in kernel.slots]  # type: ignore[misc]

    def run(self, alloc: Alloc, block_rows: int) -> None:
        """Run the recorded calls over the chunk, `block_rows` rows at a time."""
        kernel, arrays = self.kernel()
        kernel.run(arrays, self.n, alloc, block_rows)


def _signature(calls: list[Call]) -> tuple[tuple[Any, ...], dict[int, Reg], list[Any]]:
    """What the kernel of `calls` depends on, with registers numbered by first appearance.

    Returns the key, the column registers by number, and the objects whose ids are in the
    key (the cached kernel holds them, so that an id cannot be reused by another object).
    """
    numbers: dict[int, int] = {}
    columns: dict[int, Reg] = {}
    held: list[Any] = []

    def part(x: Any) -> Any:
        if isinstance(x, Reg):
            k = numbers.get(id(x))
            if k is None:
                k = numbers[id(x)] = len(numbers)
                if x.array is not None:
                    columns[k] = x
            return (k, x.dtype.char, x.array is not None, x.strided)
        if x is None or type(x) in (int, bool, str):
            return (type(x), x)
        if isinstance(x, np.generic):
            return (type(x), x.item())
        held.append(x.value if isinstance(x, _Const) else x)
        return id(held[-1])

    key = tuple((id(f), tuple(map(part, args)), part(out), tuple((k, part(v)) for k, v in kw))
                for f, args, out, kw in calls)
    held.extend(f for f, _a, _o, _k in calls)
    return key, columns, held


# A strided column read by at least this many calls of a kernel is first copied into a
# contiguous block buffer (see _loads).
LOAD_READS = 2


def _loads(calls: list[Call]) -> list[Call]:
    """Read a strided column that is never written (a decimal128's low words, read in place)
    and that several calls read through a contiguous block buffer: one strided copy where it
    is first read, then the calls read the buffer, which is in the cache and takes numpy's
    contiguous (vectorised) loops. Strided loops are several times slower, and a strided
    block keeps twice its bytes in the cache (the high words come along)."""
    reads: dict[int, int] = {}
    written: set[int] = set()
    for _f, args, out, kw in calls:
        written.add(id(out))
        for r in (*args, *(v for _k, v in kw)):
            if isinstance(r, Reg) and r.strided:
                reads[id(r)] = reads.get(id(r), 0) + 1
    load = {k for k, count in reads.items() if count >= LOAD_READS and k not in written}
    if not load:
        return calls
    buffers: dict[int, Reg] = {}
    out_calls: list[Call] = []
    for f, args, out, kw in calls:
        for r in (*args, *(v for _k, v in kw)):
            if isinstance(r, Reg) and id(r) in load and id(r) not in buffers:
                buffers[id(r)] = Reg(r.dtype)
                out_calls.append((copy, (r,), buffers[id(r)], ()))
        args = tuple(buffers.get(id(a), a) if isinstance(a, Reg) else a for a in args)
        kw = tuple((k, buffers.get(id(v), v) if isinstance(v, Reg) else v) for k, v in kw)
        out_calls.append((f, args, out, kw))
    return out_calls


def _is_mask_product(f: Any, args: tuple[Any, ...], kw: tuple[tuple[str, Any], ...]) -> bool:
    return f is np.multiply and kw == (("dtype", np.int64),) and any(
        isinstance(a, Reg) and a.dtype == np.bool_ for a in args)


def _masks(calls: list[Call]) -> list[Call]:
    """A boolean mask that several products read (numbers zeroed where a condition fails:
    `multiply(x, mask, dtype=int64)`) is converted to int64 once and the products multiply
    int64 by int64: numpy's mixed bool-int64 loop converts the mask in a buffer on every
    call, about twice the time of the plain loop."""
    version: dict[int, int] = {}
    uses: dict[tuple[int, int], int] = {}
    for f, args, out, kw in calls:
        if _is_mask_product(f, args, kw):
            for a in args:
                if isinstance(a, Reg) and a.dtype == np.bool_:
                    key = (id(a), version.get(id(a), 0))
                    uses[key] = uses.get(key, 0) + 1
        version[id(out)] = version.get(id(out), 0) + 1
    if all(count < 2 for count in uses.values()):
        return calls
    version.clear()
    ints: dict[tuple[int, int], Reg] = {}
    out_calls: list[Call] = []
    for f, args, out, kw in calls:
        if _is_mask_product(f, args, kw):
            new_args = []
            for a in args:
                key = (id(a), version.get(id(a), 0))
                if isinstance(a, Reg) and a.dtype == np.bool_ and uses.get(key, 0) >= 2:
                    if key not in ints:
                        ints[key] = Reg(np.int64)
                        out_calls.append((copy, (a,), ints[key], ()))
                    a = ints[key]
                new_args.append(a)
            if all(not (isinstance(a, Reg) and a.dtype == np.bool_) for a in new_args):
                args, kw = tuple(new_args), ()
        out_calls.append((f, args, out, kw))
        version[id(out)] = version.get(id(out), 0) + 1
    return out_calls


def _live(calls: list[Call]) -> list[Call]:
    """The calls without those whose result is a temporary no later call reads (a negation
    that `not (not a) = a` made unneeded, say)."""
    live: set[int] = set()
    kept: list[Call] = []
    for call in reversed(calls):
        f, args, out, kw = call
        if out.array is None and id(out) not in live:
            continue
        if not (kw and any(k == "where" for k, _v in kw)) and f is not put:  # else out's old values are read
            live.discard(id(out))
        live.update(id(r) for r in (*args, *(v for _k, v in kw)) if isinstance(r, Reg))
        kept.append(call)
    return kept[::-1]


def _contiguous(calls: list[Call]) -> list[Call]:
    """Compute into contiguous temporaries, never into strided columns (the low words of a
    decimal128 result): a strided result is written by one copy, and later calls read the
    temporary that still holds it, which is in the cache and contiguous."""
    out_calls: list[Call] = []
    alias: dict[int, Reg] = {}  # id(strided column) -> temporary holding the same values
    for f, args, out, kw in calls:
        args = tuple(alias.get(id(a), a) if isinstance(a, Reg) else a for a in args)
        kw = tuple((k, alias.get(id(v), v) if isinstance(v, Reg) else v) for k, v in kw)
        partial = any(k == "where" for k, _v in kw)  # rows not selected keep `out`'s values
        held = alias.get(id(out))
        # Writing `out` or a temporary ends every alias they were part of.
        alias = {c: t for c, t in alias.items() if c != id(out) and t is not out}
        if not out.strided:
            out_calls.append((f, args, out, kw))
            continue
        if f is copy:  # already one strided write
            out_calls.append((f, args, out, kw))
            if not partial and isinstance(args[0], Reg) and args[0].array is None:
                alias[id(out)] = args[0]
            continue
        if partial and held is None:  # the old values are only in `out`: write it in place
            out_calls.append((f, args, out, kw))
            continue
        tmp = Reg(out.dtype)
        if partial:  # rows not selected keep the old values: start from them (not in `held`,
            out_calls.append((copy, (held,), tmp, ()))  # which others may still read)
        out_calls.append((f, args, tmp, kw))
        out_calls.append((copy, (tmp,), out, ()))
        alias[id(out)] = tmp
    return out_calls


def _regs(call: Call) -> tuple[Any, ...]:
    _f, args, _out, kw = call
    return (*args, *(v for _k, v in kw))


def _pairs(calls: list[Call]) -> list[Call]:
    """`zero_high(low, out=words)` after the call that last wrote `low` (the low words of
    `words`): that call computes into a temporary instead (the calls between read it for
    `low`), and `pair_words` writes both words of each row at once. Left as it is when that
    call keeps some of its output's old values (`where`, put) or `low` is written otherwise
    in between."""
    out_calls = list(calls)
    for i, (f, args, words, _kw) in enumerate(calls):
        if f is not zero_high or not isinstance(args[0], Reg):
            continue
        low = args[0]
        j = i - 1
        while j >= 0 and out_calls[j][2] is not low:
            j -= 1
        if j < 0:
            continue
        fj, aj, _oj, kj = out_calls[j]
        if fj is put or any(k == "where" for k, _v in kj):
            continue
        src = aj[0] if fj is copy and not kj and aj else None
        if isinstance(src, Reg) and src.array is None and not any(c[2] is src for c in out_calls[j + 1:i]):
            tmp = src  # a copy of a temporary still holding the value: no copy at all
            out_calls[j] = (_skip, (), tmp, ())
        else:
            tmp = Reg(low.dtype)
            out_calls[j] = (fj, aj, tmp, kj)
        for m in range(j + 1, i):
            fm, am, om, km = out_calls[m]
            out_calls[m] = (fm, tuple(tmp if a is low else a for a in am), om,
                            tuple((k, tmp if v is low else v) for k, v in km))
        out_calls[i] = (pair_words, (tmp,), words, ())
    return [c for c in out_calls if c[0] is not _skip]


def _skip() -> None:  # pragma: no cover - a call _pairs drops
    """A call left out (see _pairs)."""


def _direct(calls: list[Call]) -> list[Call]:
    """Write a result straight into its contiguous column: `copyto(column, t)` after the call
    that last wrote the temporary t is left out, that call writing the column instead (and
    the calls between reading the column for t). Not for a strided column (a decimal128's
    low words: see _contiguous), nor when the call keeps some of its output's old values
    (`where`, put), nor when the column is read or written, or t written, in between, nor
    when t is read after the copy. Saves a pass over each such result (decimal64 outputs,
    booleans, the rows outside assumed bounds)."""
    out_calls = list(calls)
    dropped: set[int] = set()
    for i, (f, args, col, kw) in enumerate(calls):
        if f is not copy or kw or col.array is None or col.strided or len(args) != 1:
            continue
        tmp = args[0]
        if not isinstance(tmp, Reg) or tmp.array is not None or tmp.dtype != col.dtype:
            continue
        if any(any(r is tmp for r in _regs(c)) or c[2] is tmp for c in calls[i + 1:]):
            continue  # t is read (or written) after the copy
        j = i - 1
        while j >= 0 and calls[j][2] is not tmp and not any(r is col for r in _regs(calls[j])) \
                and calls[j][2] is not col:
            j -= 1
        if j < 0 or calls[j][2] is not tmp or j in dropped:
            continue
        fj, aj, _oj, kj = out_calls[j]
        if fj is put or any(k == "where" for k, _v in kj) or any(r is col for r in _regs(calls[j])):
            continue
        out_calls[j] = (fj, aj, col, kj)
        for m in range(j + 1, i):
            fm, am, om, km = out_calls[m]
            out_calls[m] = (fm, tuple(col if a is tmp else a for a in am), om,
                            tuple((k, col if v is tmp else v) for k, v in km))
        dropped.add(i)
    return [c for i, c in enumerate(out_calls) if i not in dropped]


def _packable(call: Call) -> bool:
    f, args, out, kw = call
    if f is not take or kw or out.dtype != np.int64 or not isinstance(args[1], Reg):
        return False
    table = args[0].value
    return table.dtype == np.int64 and len(table) > 0 and int(table.min()) >= 0


def _packed(calls: list[Call]) -> list[Call]:
    """Look-ups of several small tables by the same index (基本支付比例 and 单次最高支付限额 by
    医院级别): one take from a table whose entries hold their values side by side in bit
    fields (non-negative values of the same tables' length, at most 63 bits in all), then an
    `and` for the first, a shift for the last and both for one between, each where its take
    was. numpy's take converts and clips every index: about three times a shift or an and."""
    version: dict[int, int] = {}
    groups: dict[tuple[int, int, int], list[int]] = {}
    for i, call in enumerate(calls):
        if _packable(call):
            index = call[1][1]
            groups.setdefault((id(index), version.get(id(index), 0), len(call[1][0].value)), []).append(i)
        version[id(call[2])] = version.get(id(call[2]), 0) + 1
    steps: list[list[Call]] = [[call] for call in calls]  # what each call becomes
    for members in groups.values():
        fields: list[tuple[int, int, int]] = []  # (call, shift, bits)
        shift = 0
        for i in members:
            bits = max(1, int(calls[i][1][0].value.max()).bit_length())
            if shift + bits > 63:
                break
            fields.append((i, shift, bits))
            shift += bits
        if len(fields) < 2:
            continue
        packed = sum(calls[i][1][0].value.astype(object) << s for i, s, _b in fields)
        whole = Reg(np.int64)
        first = fields[0][0]
        steps[first] = [(take, (_Const(np.array(packed, dtype=np.int64)), calls[first][1][1]), whole, ())]
        for j, (i, s, bits) in enumerate(fields):
            out = calls[i][2]
            if s == 0:
                step: list[Call] = [(np.bitwise_and, (whole, (1 << bits) - 1), out, ())]
            elif j == len(fields) - 1:
                step = [(np.right_shift, (whole, s), out, ())]
            else:
                step = [(np.right_shift, (whole, s), out, ()), (np.bitwise_and, (out, (1 << bits) - 1), out, ())]
            steps[i] = (steps[i] if i == first else []) + step
    return [call for step in steps for call in step]


def _line(f: Any, args: list[str], out: str, kw: list[str], name_of: Callable[[Any, str], str]) -> str:
    """One call in a cheap form (a call costs about a microsecond per block): copies call
    np.copyto and look-ups the table's own take, rather than the wrappers. (numpy 2.4
    deprecates `out` by position for some ufuncs, so it stays a keyword.)"""
    if f is copy:
        return f"copyto({', '.join([out, *args, *kw])})"
    if f is take:
        table, index = args
        return f"{table}.take({index}, None, {out}, 'clip')"
    return f"{name_of(f, getattr(f, '__name__', 'f'))}({', '.join([*args, f'out={out}', *kw])})"


class Kernel:
    """Recorded calls as one Python function over a block, and the loop over blocks."""

    def __init__(self, calls: list[Call], numbers: dict[int, int], held: list[Any]) -> None:
        self.temps: list[Any] = []  # dtype of each block buffer
        columns: list[Reg] = []
        consts: dict[str, Any] = {}
        names: dict[int, str] = {}  # id(function or constant) -> name in the kernel

        def name_of(obj: Any, base: str) -> str:
            key = id(obj)
            if key not in names:
                stem = "".join(ch for ch in base if ch.isalnum() or ch == "_") or "k"
                name = stem
                while name in consts:
                    name = f"{stem}{len(consts)}"
                consts[name] = obj
                names[key] = name
            return names[key]

        calls = _direct(_contiguous(_masks(_loads(_pairs(_packed(_live(calls)))))))
        for _f, args, out, kw in calls:  # names are given below (a kernel may be built twice)
            for r in (*args, out, *(v for _k, v in kw)):
                if isinstance(r, Reg):
                    r.name = ""
        # Each temporary gets a block buffer; buffers are reused once a temporary is dead.
        last: dict[int, int] = {}
        for i, (_f, args, out, kw) in enumerate(calls):
            for r in (*args, out, *(v for _k, v in kw)):
                if isinstance(r, Reg):
                    last[id(r)] = i
        free: dict[Any, list[str]] = {}
        live: dict[int, tuple[Reg, str]] = {}
        lines = []
        for i, (f, args, out, kw) in enumerate(calls):
            for r in (*args, out, *(v for _k, v in kw)):
                if isinstance(r, Reg) and not r.name:
                    if r.array is not None:
                        r.name = f"c{len(columns)}"
                        columns.append(r)
                    else:
                        pool = free.get(r.dtype)
                        if pool:
                            r.name = pool.pop()
                        else:
                            r.name = f"{'b' if r.dtype == np.bool_ else 't'}{len(self.temps)}"
                            self.temps.append(r.dtype)
                        live[id(r)] = (r, r.name)

            def text(x: Any) -> str:
                if isinstance(x, Reg):
                    return x.name
                if type(x) in (int, bool) or x is None:
                    return repr(x)
                if isinstance(x, str):
                    return repr(x)
                if isinstance(x, _Const):
                    return name_of(x.value, "table")
                return name_of(x, "k")

            lines.append(f"    {_line(f, [text(a) for a in args], out.name, [f'{k}={text(v)}' for k, v in kw], name_of)}")
            for key in [k for k, (r, _n) in live.items() if last[k] == i]:
                r, reg_name = live.pop(key)
                free.setdefault(r.dtype, []).append(reg_name)
        self.slots = [numbers[id(r)] for r in columns]  # the columns, by their number in the key
        params = [r.name for r in columns] + [
            f"{'b' if dt == np.bool_ else 't'}{i}" for i, dt in enumerate(self.temps)]
        self.source = f"def block({', '.join(params)}):\n" + ("\n".join(lines) or "    pass") + "\n"
        namespace = {"copyto": np.copyto, **consts}
        exec(compile(self.source, "<guize kernel>", "exec"), namespace)
        self.block = namespace["block"]
        self._held = held

    def run(self, arrays: list[Array], n: int, alloc: Alloc, block_rows: int) -> None:
        """Run the kernel over `n` rows of `arrays` (its columns), `block_rows` rows at a time."""
        if n == 0 or (not arrays and not self.temps):
            return
        size = min(block_rows, n)
        buffers = [alloc(size, dt) for dt in self.temps]
        block = self.block
        for start in range(0, n, size):
            stop = min(start + size, n)
            views = [a[start:stop] for a in arrays]
            if stop - start == size:
                block(*views, *buffers)
            else:
                block(*views, *(b[:stop - start] for b in buffers))
