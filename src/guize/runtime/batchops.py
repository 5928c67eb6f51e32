"""Columnar operations for generated batch evaluators: exact fixed-point int64, overflow checked.

Only the code written by guize.compiler.batchgen imports this module (the compiled module's
sibling `<name>_batch.py`, itself imported when evaluate_batch is first called), so
`import guize.runtime` never imports numpy.

A number column is a `Num`: integers `v` meaning v / 10**s, with bounds lo <= v <= hi known
for every row. Bounds are Python ints computed alongside each operation (interval
arithmetic), so the check "can this product overflow int64?" costs nothing when the answer
is no. When it may, the rows that would overflow are found exactly, set to 0 and flagged;
flagged rows ("suspect" rows) are recomputed afterwards, one by one, by the exact scalar
path, so overflow is never silent and never changes an answer.

The same flag is raised wherever the scalar path could raise (a value outside every band,
a division by zero, a date without a version), without tracking which branch a row takes:
the scalar path then decides, row by row, whether there really is an error and which.

Every numpy call on a column goes through the chunk's executor `k` (guize.runtime.kernel):
Eager runs it at once, a Recorder writes it down for a kernel that runs it block by block.
A step that must look at the values first calls `k.need_data()` (a Recorder then gives up,
and the chunk is evaluated eagerly).

Booleans are numpy bool arrays, enumeration values are integer codes into the program's
member table, dates are int64 day numbers (days since 1970-01-01). Any value may also be a
plain Python scalar meaning "the same for every row".
"""

from __future__ import annotations

import datetime
import math
import operator
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from guize.runtime import batchmonths, kernel
from guize.runtime.batchround import rq as _rq
from guize.runtime.batchround import rq_arr as _rq_arr
from guize.runtime.kernel import EAGER, Eager, Reg, Steps, copy, lookup_sorted, sorted_consts, take

I64 = 2**63 - 1  # values stay within [-I64, I64]: never INT64_MIN, so abs() cannot overflow
EPOCH = datetime.date(1970, 1, 1).toordinal()
FIRST_DAY = datetime.date(1, 1, 1).toordinal() - EPOCH  # the calendar's range, as day numbers
LAST_DAY = datetime.date(9999, 12, 31).toordinal() - EPOCH

Array = npt.NDArray[Any]
Column = Any  # an int64/bool array, or a kernel register standing for one (see guize.runtime.kernel)


class Num:
    """A fixed-point number column (or one number for all rows): value = v / 10**s."""

    __slots__ = ("hi", "lo", "own", "s", "v")

    def __init__(self, v: Any, s: int, lo: int, hi: int, own: bool = False) -> None:
        self.v = v  # int64 array, or a Python int for every row
        self.s = s  # decimal places
        self.lo = lo  # bounds of v over all rows (Python ints)
        self.hi = hi
        self.own = own  # v is a temporary that the next operation may overwrite

    def __repr__(self) -> str:
        return f"Num(s={self.s}, lo={self.lo}, hi={self.hi}, {'array' if _is_arr(self.v) else self.v})"


class Gathered(Num):
    """A column looked up in a constant table, gathered on first use.

    Aligned to more decimal places before any other use, it is gathered from a rescaled
    copy of the (small) table instead of gathering and then multiplying the column.
    """

    __slots__ = ("_cache", "index", "k", "new", "table")

    def __init__(self, table: Table, index: Column, c: Chunk) -> None:
        self.table = table
        self.index = index
        # Not the chunk itself: the chunk's memo holds this column (no reference cycle, so
        # the chunk's arrays are freed as soon as the chunk is done).
        k, n, alloc = c.k, c.n, c.alloc
        self.k = k

        def new() -> Column:
            return k.new(n, np.int64, alloc)

        self.new: Callable[[], Column] = new
        self._cache: Column | None = None
        super().__init__(None, table.s, table.lo, table.hi, True)

    @property
    def v(self) -> Column:
        if self._cache is None:
            self._cache = self.k.call(take, self.table.vals, self.index, out=self.new())
        return self._cache

    @v.setter
    def v(self, value: Any) -> None:
        self._cache = value

    def at(self, s: int) -> Num:
        k = 10 ** (s - self.s)
        return Num(self.k.call(take, self.table.scaled(k), self.index, out=self.new()), s, self.lo * k, self.hi * k,
                   True)


def num(text: str) -> Num:
    """A constant from its decimal text, with the decimal places it is written with.

    0.80 keeps two places, as Decimal does: rates written alike (80%, 5个百分点) then share
    a scale and add without rescaling a column.
    """
    d = Decimal(text)
    exp = d.as_tuple().exponent
    assert isinstance(exp, int)  # INVARIANT: constants are finite
    s = max(0, -exp)
    v = int(d.scaleb(s))
    return Num(v, s, v, v)


def day(d: datetime.date) -> int:
    return d.toordinal() - EPOCH


def to_date(days: int) -> datetime.date:
    return datetime.date.fromordinal(days + EPOCH)


def _is_arr(x: Any) -> bool:
    return isinstance(x, (np.ndarray, Reg))


def _fits(lo: int, hi: int) -> bool:
    return lo >= -I64 and hi <= I64


def _bounds(v: Array) -> tuple[int, int]:
    if v.size == 0:
        return 0, 0
    return int(v.min()), int(v.max())


def _apply(k: Eager, f: Any, a: Num, b: Num, new: Callable[[], Column], dest: Column | None = None) -> Column:
    """f(a.v, b.v), into `dest` if given, else reusing a temporary operand's memory if any."""
    av, bv = a.v, b.v
    if dest is not None:
        return k.call(f, av, bv, out=dest)
    if a.own and _is_arr(av):
        return k.call(f, av, bv, out=av)
    if b.own and _is_arr(bv):
        return k.call(f, av, bv, out=bv)
    return k.call(f, av, bv, out=new())


class Table:
    """Constant values looked up by a small integer (an enumeration code or a version index)."""

    def __init__(self, values: Sequence[Any], ok: Sequence[bool] | None, kind: str) -> None:
        self.kind = kind
        self.ok = None if ok is None else np.array(ok, dtype=bool)
        self._scaled: dict[int, Array] = {}
        if kind == "num":
            consts = [num(str(v)) for v in values]
            self.s = max((k.s for k in consts), default=0)
            ints = [k.v * 10 ** (self.s - k.s) for k in consts]
            self.vals = np.array(ints, dtype=np.int64)
            self.lo, self.hi = min(ints, default=0), max(ints, default=0)
            self.py: list[Any] = ints
        elif kind == "bool":
            self.vals = np.array(values, dtype=bool)
            self.py = [bool(v) for v in values]
        else:  # enum codes, day numbers
            self.vals = np.array(values, dtype=np.int64)
            self.py = [int(v) for v in values]

    def scaled(self, k: int) -> Array:
        if k not in self._scaled:
            self._scaled[k] = self.vals * k
        return self._scaled[k]

    def get(self, index: Any, c: Chunk) -> Any:
        if self.kind == "num":
            if _is_arr(index):
                return Gathered(self, index, c)
            v = self.py[index]
            return Num(v, self.s, v, v)
        if _is_arr(index):
            return c.k.call(take, self.vals, index, out=c.new(self.vals.dtype))
        return self.py[index]


_CMP: dict[str, Any] = {"==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal,
                        ">": np.greater, ">=": np.greater_equal}
_CMP_PY: dict[str, Callable[[Any, Any], bool]] = {"==": operator.eq, "!=": operator.ne, "<": operator.lt,
                                                  "<=": operator.le, ">": operator.gt, ">=": operator.ge}


class Chunk:
    """One chunk of rows being evaluated: inputs, memoised definitions, and suspect rows."""
    READS_STRIDED = False  # strided input columns copied contiguous before use (batchlists.ItemChunk: not)

    def __init__(self, defs: dict[str, Callable[[Chunk], Any]], n: int,
                 fetch: Callable[[Chunk, str], Any], on: Any, versions: Sequence[Any],
                 alloc: Callable[[int, Any], Array] | None = None, k: Eager = EAGER) -> None:
        self.defs = defs
        self.n = n
        # Runs (Eager) or records (kernel.Recorder) every call on whole columns.
        self.k = k
        # Temporaries come from `alloc` (the caller passes Arrow's pool, which keeps freed
        # pages mapped: no page faults from chunk to chunk); np.empty by default.
        self.alloc = alloc or (lambda n, dtype: np.empty(n, dtype=dtype))
        self.fetch = fetch  # (chunk, input name) -> converted column; may flag rows
        self.on = on  # day number for every row, or an int64 array of day numbers
        self.versions = versions  # per dated slot: index, None, Steps, or an intp array (-1: none)
        self.bad = np.zeros(n, dtype=bool)  # rows the scalar path must recompute
        self.assumed: Array | None = None  # rows outside an assumed bound (see assume)
        # top -> [bitwise or of the columns assumed within it so far, whether that is a
        # temporary of this chunk's] (see assume)
        self.assume_ors: dict[int, list[Any]] = {}
        self.memo: dict[str, Any] = {}
        self.tests: dict[tuple[Any, ...], tuple[Any, Any, Any]] = {}  # see cmp
        self.inputs: dict[str, Any] = {}
        self.sinks: dict[str, Array] = {}
        self.known_on: Any = None  # the rules as known on: a day number, "rows" (a column of them) or None

    # ------------------------------------------------------------ plumbing

    def new(self, dtype: Any = np.int64) -> Column:
        """A fresh column of n rows for a result."""
        return self.k.new(self.n, dtype, self.alloc)

    def flag(self, mask: Any) -> None:
        """Mark rows for the exact scalar path (True: every row)."""
        if _is_arr(mask):
            self.k.call(np.logical_or, self.bad, mask, out=self.bad)
        elif mask:
            self.k.call(copy, True, out=self.bad)

    def assume(self, v: Column, top: int) -> None:
        """Compute as if 0 <= v <= top on every row, and mark the rows where it is not so.

        The caller gives v the bounds (0, top) instead of reading them off the data; the
        rows marked in `assumed` (by `close`) may have gone wrong and must be recomputed
        exactly. top + 1 is a power of two: a row is outside for some assumed column exactly
        when the bitwise or of all of them, as unsigned numbers (a negative value is huge),
        is above top; so n columns cost n passes, not 2n. Columns assumed with another top
        (a narrower bound for a count or a rate, see batch.Plan._blamed) are or-ed apart
        and compared with theirs. The or is taken of the int64 columns themselves (the same
        bits), so that a kernel reads each column as the one register its other uses read
        (kernel.Kernel loads a strided column into a contiguous block buffer once).
        """
        assert top & (top + 1) == 0  # INVARIANT: top = 2**k - 1
        if self.assumed is None:
            self.assumed = np.zeros(self.n, dtype=bool)
        acc = self.assume_ors.get(top)
        if acc is None:
            self.assume_ors[top] = [v, False]
            return
        out = acc[0] if acc[1] else self.new(np.int64)
        acc[0] = self.k.call(np.bitwise_or, acc[0], v, out=out)
        acc[1] = True  # acc[0] is a temporary of this chunk's

    def close(self) -> None:
        """Mark the rows outside the assumed bounds (see assume): call once every input is read."""
        for i, (top, (acc, _owned)) in enumerate(self.assume_ors.items()):
            if i == 0:
                self.k.call(kernel.above, acc, top, out=self.assumed)
            else:
                over = self.k.call(kernel.above, acc, top, out=self.new(bool))
                self.k.call(np.logical_or, self.assumed, over, out=self.assumed)
        self.assume_ors = {}

    def input(self, name: str) -> Any:
        if name not in self.inputs:
            self.inputs[name] = self.fetch(self, name)
        return self.inputs[name]

    def ref(self, name: str) -> Any:
        if name not in self.memo:
            try:
                value = self.defs[name](self)
            except kernel.NotRecordable as exc:
                if exc.definition is None:  # the innermost definition: see batch.Plan._evaluate
                    exc.definition = name
                raise
            if isinstance(value, Gathered):
                value.own = False  # shared from now on (and still gathered lazily)
            elif isinstance(value, Num):
                value = Num(value.v, value.s, value.lo, value.hi)  # shared from now on
            self.memo[name] = value
        return self.memo[name]

    def asof(self) -> Any:
        return self.on

    def day_bounds(self, days: Array, lo: int, hi: int) -> None:
        """The range of a column of day numbers, already read (the chunk's dates): no pass for it."""
        self.tests[("bounds", id(days))] = (days, None, (lo, hi))

    def _years(self, days: Array) -> Num:
        """年份 of a column of the data (not a computed one): its range is read (or known), and
        the years are computed in the kernel against the first days of the years it spans."""
        hit = self.tests.get(("bounds", id(days)))
        lo, hi = hit[2] if hit is not None else _bounds(days)
        # A day beyond the calendar (a date32 cell can hold one) is a row in error: any year.
        first, last = to_date(min(max(lo, FIRST_DAY), LAST_DAY)).year, to_date(max(min(hi, LAST_DAY), FIRST_DAY)).year
        if first == last:
            return Num(first, 0, first, first)
        starts = sorted_consts([day(datetime.date(y, 1, 1)) for y in range(first + 1, last + 1)], days.dtype)
        return Num(self.k.call(lookup_sorted, starts, days, first, out=self.new()), 0, first, last)

    def full(self, x: Any, dtype: Any = np.int64) -> Column:
        return x if _is_arr(x) else self.k.call(copy, x, out=self.new(dtype))

    def _const(self, v: int, s: int) -> Num:
        if not _fits(v, v):  # a constant too large for int64: leave every row to Decimal
            self.flag(True)
            return Num(0, s, 0, 0)
        return Num(v, s, v, v)

    def _checked(self, v: Array, over: Array, s: int) -> Num:
        """Rows in `over` overflowed: zero them, flag them, and take exact bounds of the rest.

        Eager only: callers call need_data() before computing `over`.
        """
        if over.any():
            v[over] = 0
            self.flag(over)
        lo, hi = _bounds(v)
        return Num(v, s, lo, hi, True)

    # ------------------------------------------------------------ arithmetic

    def align(self, a: Num, s: int) -> Num:
        """`a` with `s` >= a.s decimal places."""
        if a.s == s:
            return a
        k = 10 ** (s - a.s)
        lo, hi = a.lo * k, a.hi * k
        if isinstance(a, Gathered) and a._cache is None and _fits(lo, hi):
            return a.at(s)
        if not _is_arr(a.v):
            return self._const(a.v * k, s)
        if _fits(lo, hi) and k <= I64:
            return Num(self.k.call(np.multiply, a.v, k, out=a.v if a.own else self.new()), s, lo, hi, True)
        self.k.need_data()
        if k > I64:  # only zeros survive such a factor (even when the bounds say all are zero)
            return self._checked(np.zeros(self.n, dtype=np.int64), a.v != 0, s)
        over = np.abs(a.v) > I64 // k
        return self._checked(a.v * k, over, s)

    def _same(self, a: Num, b: Num) -> tuple[Num, Num]:
        s = max(a.s, b.s)
        return self.align(a, s), self.align(b, s)

    def add(self, a: Num, b: Num, dest: Array | None = None) -> Num:
        a, b = self._same(a, b)
        lo, hi = a.lo + b.lo, a.hi + b.hi
        if not _is_arr(a.v) and not _is_arr(b.v):
            return self._const(a.v + b.v, a.s)
        if _fits(lo, hi):
            return Num(_apply(self.k, np.add, a, b, self.new, dest), a.s, lo, hi, True)
        self.k.need_data()
        r = np.add(a.v, b.v)
        return self._checked(r, ((a.v ^ r) & (b.v ^ r)) < 0, a.s)

    def sub(self, a: Num, b: Num, dest: Array | None = None) -> Num:
        a, b = self._same(a, b)
        lo, hi = a.lo - b.hi, a.hi - b.lo
        if not _is_arr(a.v) and not _is_arr(b.v):
            return self._const(a.v - b.v, a.s)
        if _fits(lo, hi):
            return Num(_apply(self.k, np.subtract, a, b, self.new, dest), a.s, lo, hi, True)
        self.k.need_data()
        r = np.subtract(a.v, b.v)
        return self._checked(r, ((a.v ^ b.v) & (a.v ^ r)) < 0, a.s)

    def mul(self, a: Num, b: Num, dest: Array | None = None) -> Num:
        s = a.s + b.s
        p = (a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi)
        lo, hi = min(p), max(p)
        if not _is_arr(a.v) and not _is_arr(b.v):
            return self._const(a.v * b.v, s)
        if _fits(lo, hi):
            return Num(_apply(self.k, np.multiply, a, b, self.new, dest), s, lo, hi, True)
        self.k.need_data()
        over = np.abs(a.v) > I64 // np.maximum(np.abs(b.v), 1)
        return self._checked(np.multiply(a.v, b.v), over, s)

    def neg(self, a: Num) -> Num:
        if not _is_arr(a.v):
            return Num(-a.v, a.s, -a.hi, -a.lo)
        return Num(self.k.call(np.negative, a.v, out=a.v if a.own else self.new()), a.s, -a.hi, -a.lo, True)

    def min_(self, *args: Num) -> Num:
        return self._extreme(args, np.minimum, min)

    def max_(self, *args: Num) -> Num:
        return self._extreme(args, np.maximum, max)

    def _extreme(self, args: Sequence[Num], f: Any, pick: Any) -> Num:
        s = max(a.s for a in args)
        out = self.align(args[0], s)
        for b in args[1:]:
            b = self.align(b, s)
            if (pick is min and out.hi <= b.lo) or (pick is max and out.lo >= b.hi):
                continue  # `out` wins on every row
            if (pick is min and b.hi <= out.lo) or (pick is max and b.lo >= out.hi):
                out = b
                continue
            lo, hi = pick(out.lo, b.lo), pick(out.hi, b.hi)
            if not _is_arr(out.v) and not _is_arr(b.v):
                out = Num(pick(out.v, b.v), s, lo, hi)
            else:
                out = Num(_apply(self.k, f, out, b, self.new), s, lo, hi, True)
        return out

    def sink(self, name: str) -> Array | None:
        """Where the caller wants output `name` written (a strided view into its result buffer)."""
        return self.sinks.get(name)

    def rnd(self, a: Num, exp: int, mode: str, dest: Array | None = None) -> Num:
        """Round to a multiple of 10**exp (exp = -2: to the cent), as Decimal.quantize does."""
        t = max(0, -exp)
        if exp <= 0 and a.s <= t:
            return self.align(a, t)
        d = 10 ** (a.s + exp)
        mult = 10**exp if exp > 0 else 1
        lo, hi = _rq(a.lo, d, mode) * mult, _rq(a.hi, d, mode) * mult
        if not _is_arr(a.v):
            return self._const(_rq(a.v, d, mode) * mult, t)
        if d > I64:  # more decimal places than int64 can divide away: leave it to Decimal
            self.flag(True)
            return Num(0, t, 0, 0)
        if mult != 1 and not _fits(lo, hi):
            self.k.need_data()
        v = _rq_arr(self, a.v, d, mode, a.lo, a.hi, a.v if a.own else self.new(), dest)
        if mult != 1:
            if not _fits(lo, hi):
                return self._checked(v * mult, np.abs(v) > I64 // mult, t)
            self.k.call(np.multiply, v, mult, out=v)
        return Num(v, t, lo, hi, True)

    def rdiv(self, a: Num, b: Num, exp: int, mode: str) -> Num:
        """a / b rounded to a multiple of 10**exp, computed exactly on integers.

        Decimal divides to 34 significant digits and then rounds; for int64 operands that
        first rounding can never cross a rounding boundary (the exact quotient is at least
        1/(2|b|) away from one, far more than 34 digits resolve), so both agree.
        """
        t = max(0, -exp)
        k = b.s - a.s - exp  # value = (a.v * 10**k) / b.v in units of 10**exp
        if k >= 0:
            a = self.align(a, a.s + k)
        else:
            b = self.align(b, b.s - k)
        mult = 10**exp if exp > 0 else 1
        if not _is_arr(b.v):
            if b.v == 0:
                self.flag(True)
                return Num(0, t, 0, 0)
            d = abs(b.v)
            if d > I64:
                self.flag(True)
                return Num(0, t, 0, 0)
            nv = a.v if b.v > 0 else (-a.v if not _is_arr(a.v) else self.k.call(np.negative, a.v, out=self.new()))
            nlo, nhi = (a.lo, a.hi) if b.v > 0 else (-a.hi, -a.lo)
            lo, hi = _rq(nlo, d, mode) * mult, _rq(nhi, d, mode) * mult
            if not _is_arr(nv):
                return self._const(_rq(nv, d, mode) * mult, t)
            if mult != 1 and not _fits(lo, hi):
                self.k.need_data()
            q = _rq_arr(self, nv, d, mode, nlo, nhi, nv if (a.own or b.v < 0) else self.new())
        else:
            ex = self.k
            m = max(abs(a.lo), abs(a.hi))
            lo, hi = (0 if a.lo >= 0 and b.lo >= 0 else -m) * mult, m * mult
            if mult != 1 and not _fits(lo, hi):
                ex.need_data()
            bv = b.v
            if b.lo <= 0 <= b.hi:  # some divisor may be zero: those rows go the scalar way
                zero = ex.call(np.equal, bv, 0, out=self.new(bool))
                if ex.maybe(zero):
                    self.flag(zero)
                    bv = self._choose(zero, 1, bv, np.int64)
            nv = self.full(a.v)
            if b.lo < 0:
                neg = ex.call(np.less, bv, 0, out=self.new(bool))
                flipped = ex.call(copy, nv, out=self.new())
                nv = ex.call(np.negative, flipped, out=flipped, where=neg)
                bv = ex.call(np.abs, bv, out=self.new())
            q = _rq_arr(self, nv, bv, mode, -1, 0, None)
        if mult != 1:
            if not _fits(lo, hi):
                return self._checked(q * mult, np.abs(q) > I64 // mult, t)
            self.k.call(np.multiply, q, mult, out=q)
        return Num(q, t, lo, hi, True)

    # ------------------------------------------------------------ comparisons and choices

    def cmp(self, op: str, a: Num, b: Num) -> Any:
        a, b = self._same(a, b)
        if not _is_arr(a.v) and not _is_arr(b.v):
            return bool(_CMP_PY[op](a.v, b.v))
        # Decided by the bounds alone?
        if a.hi < b.lo or a.lo > b.hi:
            if op in ("==", "!="):
                return op == "!="
            return bool(_CMP_PY[op](a.lo, b.lo))
        if (op in ("<", ">=") and a.lo >= b.hi) or (op in (">", "<=") and a.hi <= b.lo):
            return op in (">=", "<=")
        if a.own or b.own:  # a temporary may be overwritten later: no reuse
            return self.k.call(_CMP[op], a.v, b.v, out=self.new(bool))
        # The same test of the same columns (two band tables on one input, say) is made once
        # per chunk; the key holds the operands, so their ids stay theirs.
        key = (op, a.s, id(a.v) if _is_arr(a.v) else ("k", a.v), id(b.v) if _is_arr(b.v) else ("k", b.v))
        hit = self.tests.get(key)
        if hit is None:
            hit = self.tests[key] = (a.v, b.v, self.k.call(_CMP[op], a.v, b.v, out=self.new(bool)))
        return hit[2]

    def cmpx(self, op: str, a: Any, b: Any) -> Any:
        """Compare booleans, enumeration codes or day numbers."""
        if not _is_arr(a) and not _is_arr(b):
            return bool(_CMP_PY[op](a, b))
        return self.k.call(_CMP[op], a, b, out=self.new(bool))

    def _logic(self, op: Any, a: Any, b: Any) -> Any:
        """a op b on two boolean columns, made once per chunk (booleans are never written in place)."""
        key = (op, id(a), id(b))
        hit = self.tests.get(key)
        if hit is None:
            hit = self.tests[key] = (a, b, self.k.call(op, a, b, out=self.new(bool)))
        return hit[2]

    def and_(self, a: Any, b: Any) -> Any:
        if _is_arr(a) and _is_arr(b):
            return self._logic(np.logical_and, a, b)
        if _is_arr(a):  # a constant operand decides or drops out: no pass over the rows
            return a if b else False
        return b if a else False

    def or_(self, a: Any, b: Any) -> Any:
        if _is_arr(a) and _is_arr(b):
            return self._logic(np.logical_or, a, b)
        if _is_arr(a):
            return True if b else a
        return True if a else b

    def not_(self, a: Any) -> Any:
        """Not a, made once per chunk; not (not a) is a (booleans are never written in place)."""
        if not _is_arr(a):
            return not a
        if (np.logical_not, id(a)) not in self.tests:
            out = self.k.call(np.logical_not, a, out=self.new(bool))
            self.tests[(np.logical_not, id(a))], self.tests[(np.logical_not, id(out))] = (a, None, out), (out, None, a)
        return self.tests[(np.logical_not, id(a))][2]

    def _choose(self, cond: Column, a: Any, b: Any, dtype: Any) -> Column:
        """A new column: `a` where `cond` holds, else `b` (columns or one value each)."""
        out = self.k.call(copy, b, out=self.new(dtype))
        return self.k.call(copy, a, out=out, where=cond)

    def where(self, cond: Any, a: Any, b: Any) -> Any:
        """a where cond holds, else b (numbers, or booleans/codes/days)."""
        if not _is_arr(cond):
            return a if cond else b
        k = self.k
        if not isinstance(a, Num):
            if not _is_arr(a) and not _is_arr(b) and a == b:
                return a
            # Booleans stay booleans; codes and days may come in narrower integers: widen.
            boolean = all(x.dtype == np.bool_ if _is_arr(x) else isinstance(x, bool) for x in (a, b))
            return self._choose(cond, a, b, bool if boolean else np.int64)
        a, b = self._same(a, b)
        lo, hi = min(a.lo, b.lo), max(a.hi, b.hi)
        av, bv = a.v, b.v
        if not _is_arr(av) and not _is_arr(bv):
            if av == bv:
                return a
            if _fits(av - bv, av - bv):
                v = k.call(np.multiply, cond, av - bv, out=self.new(), dtype=np.int64)
                if bv:
                    k.call(np.add, v, bv, out=v)
                return Num(v, a.s, lo, hi, True)
        if not _is_arr(bv) and bv == 0:
            return Num(k.call(np.multiply, av, cond, out=av if a.own else self.new(), dtype=np.int64),
                       a.s, lo, hi, True)
        if not _is_arr(av) and av == 0:
            keep = self.not_(cond)
            return Num(k.call(np.multiply, bv, keep, out=bv if b.own else self.new(), dtype=np.int64),
                       a.s, lo, hi, True)
        if _is_arr(av) and _is_arr(bv) and _fits(a.lo - b.hi, a.hi - b.lo):
            # b + (a - b) * cond: three in-place passes beat np.where on unpredictable masks.
            if a.own:
                v = k.call(np.subtract, av, bv, out=av)
                k.call(np.multiply, v, cond, out=v)
                return Num(k.call(np.add, v, bv, out=v), a.s, lo, hi, True)
            v = k.call(np.subtract, bv, av, out=bv if b.own else self.new())
            k.call(np.multiply, v, self.not_(cond), out=v)
            return Num(k.call(np.add, v, av, out=v), a.s, lo, hi, True)
        if b.own and _is_arr(bv) and not _is_arr(av):  # a constant written into b's own column
            if _fits(b.lo - av, b.hi - av):  # by the mask's density, block by block (kernel.put)
                return Num(k.call(kernel.put, av, out=bv, where=cond), a.s, lo, hi, True)
            return Num(k.call(copy, av, out=bv, where=cond), a.s, lo, hi, True)
        return Num(self._choose(cond, av, bv, np.int64), a.s, lo, hi, True)

    def select(self, cases: Sequence[tuple[Any, Any]], other: Any) -> Any:
        """The value of the first case whose condition holds, else `other`.

        `other` None means "no other": rows no case covers are left to the scalar path, which reports them.
        """
        if other is None:
            covered: Any = False
            for cond, _v in cases:
                covered = self.or_(covered, cond)
            self.flag(self.not_(covered))
            other = cases[-1][1]
            cases = cases[:-1]
        out = other
        for cond, value in reversed(cases):
            out = self.where(cond, value, out)
        return out

    def isin(self, codes: Any, members: Sequence[int]) -> Any:
        out: Any = False
        for m in members:
            out = self.or_(out, self.cmpx("==", codes, m))
        return out

    def band(self, x: Num, lo: str | None, lo_incl: bool, hi: str | None, hi_incl: bool) -> Any:
        """lo <(=) x <(=) hi with exact thresholds at x's scale (no rescaling of x)."""
        out: Any = True
        if lo is not None:
            t = Decimal(lo).scaleb(x.s)
            # x >= t  <=>  v >= ceil(t);   x > t  <=>  v > floor(t)
            cut, op = (math.ceil(t), ">=") if lo_incl else (math.floor(t), ">")
            out = self.and_(out, self.cmp(op, x, Num(cut, x.s, cut, cut)) if _fits(cut, cut)
                            else cut < x.lo if op == ">" else cut <= x.lo)
        if hi is not None:
            t = Decimal(hi).scaleb(x.s)
            cut, op = (math.floor(t), "<=") if hi_incl else (math.ceil(t), "<")
            out = self.and_(out, self.cmp(op, x, Num(cut, x.s, cut, cut)) if _fits(cut, cut)
                            else cut > x.hi if op == "<" else cut >= x.hi)
        return out

    def banded(self, x: Num, edges: Sequence[tuple[str, bool]], t: Table) -> Any:
        """The value of x's band: t looked up by how many edges x is above (batchgen.band_edges).

        Edge (threshold, incl): x is above it when x >= threshold (incl) or x > threshold.
        At x's scale that is v >= cut for an integer cut; cuts the bounds decide cost nothing,
        the rest are one comparison (or a binary search among several) in the kernel.
        """
        cuts = []
        for text, incl in edges:
            edge = Decimal(text).scaleb(x.s)
            cuts.append(math.ceil(edge) if incl else math.floor(edge) + 1)
        if not _is_arr(x.v):
            return self.table(sum(x.v >= cut for cut in cuts), t)
        above = sum(cut <= x.lo for cut in cuts)  # every row is above these
        open_cuts = [cut for cut in cuts if x.lo < cut <= x.hi]
        if not open_cuts:
            return self.table(above, t)
        dtype = np.int8 if len(cuts) <= 8 else np.int64  # a few bands: int8 (see lookup_sorted)
        if x.own:  # a temporary may be overwritten later: no reuse
            return self.table(self.k.call(lookup_sorted, sorted_consts(open_cuts, np.int64), x.v, above,
                                          out=self.new(dtype)), t)
        key = ("banded", id(x.v), above, *open_cuts)
        hit = self.tests.get(key)
        if hit is None:
            index = self.k.call(lookup_sorted, sorted_consts(open_cuts, np.int64), x.v, above, out=self.new(dtype))
            hit = self.tests[key] = (x.v, None, index)
        return self.table(hit[2], t)

    def table(self, index: Any, t: Table) -> Any:
        """A constant table looked up by enumeration code; uncovered codes go to the scalar path."""
        if t.ok is not None:
            if _is_arr(index):
                self.flag(self.not_(self.k.call(take, t.ok, index, out=self.new(bool))))
            else:
                self.flag(not t.ok[index])
        return t.get(index, self)

    def version(self, slot: int) -> Any:
        """The version index of a dated value: one index, or an array with -1 for none.

        The arrays come with the chunk (Plan._dates), so looking at them is fine even when
        the chunk's calls are being recorded.
        """
        k = self.versions[slot]
        if k is None:
            self.flag(True)
            return 0
        if isinstance(k, Steps):  # computed in the kernel, once per chunk
            hit = self.tests.get(("steps", id(k)))
            if hit is None:
                index = self.k.call(lookup_sorted, k.starts, self.on, k.first, out=self.new())
                hit = self.tests[("steps", id(k))] = (k, None, index)
            return hit[2]
        if _is_arr(k):
            none = k < 0
            if none.any():
                self.flag(none)
                k = np.where(none, 0, k)
        return k

    def dated_table(self, slot: int, t: Table) -> Any:
        return t.get(self.version(slot), self)

    def dated(self, slot: int, versions: Sequence[Callable[[], Any]]) -> Any:
        k = self.version(slot)
        if not _is_arr(k):
            return versions[k]()
        return self.select([(self.cmpx("==", k, i), f()) for i, f in enumerate(versions)][:-1], versions[-1]())

    # ------------------------------------------------------------ functions

    def call(self, func: str, *args: Any) -> Any:
        if func in _MONTH_CALLS:
            return self.month_call(func, *args)
        if func == "abs":
            a = args[0]
            lo = 0 if a.lo <= 0 <= a.hi else min(abs(a.lo), abs(a.hi))
            hi = max(abs(a.lo), abs(a.hi))
            if not _is_arr(a.v):
                return Num(abs(a.v), a.s, lo, hi)
            return Num(self.k.call(np.abs, a.v, out=self.new()), a.s, lo, hi, True)
        if func == "add_days":
            d, n = args
            if not _is_arr(d) and not _is_arr(n.v):
                if FIRST_DAY <= d + n.v <= LAST_DAY:
                    return d + n.v
                self.flag(True)  # beyond the calendar: the scalar path reports it
                return 0
            # In int64 (day numbers may come as int32); a day beyond years 1-9999 goes to the
            # scalar path, which reports it, and is replaced by a real day meanwhile.
            r = self.k.call(np.add, d, n.v, out=self.new(), dtype=np.int64)
            beyond = self.or_(self.k.call(np.less, r, FIRST_DAY, out=self.new(bool)),
                              self.k.call(np.greater, r, LAST_DAY, out=self.new(bool)))
            if self.k.maybe(beyond):
                self.flag(beyond)
                self.k.call(copy, 0, out=r, where=beyond)
            return r
        if func == "days_between":
            a, b = args
            if _is_arr(a) or _is_arr(b):
                self.k.need_data()  # the bounds come from the values
                v = np.subtract(b, a, dtype=np.int64)  # day numbers may come as int32: numbers never
                lo, hi = _bounds(v)
                return Num(v, 0, lo, hi, True)
            return Num(b - a, 0, b - a, b - a)
        days = args[0]
        if not _is_arr(days):
            d = to_date(days)
            v = {"year": d.year, "month": d.month, "day": d.day}[func]
            return Num(v, 0, v, v)
        if func == "year" and isinstance(days, np.ndarray):  # a column of the data: recordable
            hit = self.tests.get(("year", id(days)))
            if hit is None:
                hit = self.tests[("year", id(days))] = (days, None, self._years(days))
            return hit[2]  # not owned: shared
        self.k.need_data()
        dd = days.astype("datetime64[D]")
        months = dd.astype("datetime64[M]")
        if func == "month":
            return Num(months.astype(np.int64) % 12 + 1, 0, 1, 12, True)
        # day of month
        return Num((dd - months.astype("datetime64[D]")).astype(np.int64) + 1, 0, 1, 31, True)

    def month_call(self, func: str, *args: Any) -> Any:
        """Calendar months (batchmonths); the wrappers (as_period …) only change how values read."""
        if func in ("as_period", "as_age", "as_year_month"):
            return args[0]
        arrays = [a.v if isinstance(a, Num) else a for a in args]
        if func == "add_months":  # INVARIANT: the count is an integer (the checker's 期间 are)
            arrays[1] = arrays[1] if args[1].s == 0 else np.asarray(arrays[1]) // 10 ** args[1].s
        if not any(_is_arr(a) for a in arrays):
            arrays = [np.asarray([a]) for a in arrays]
        else:
            self.k.need_data()  # the bounds come from the values
        if func == "add_months":
            r, beyond = batchmonths.add_months(*arrays)
            if beyond.any():  # beyond the calendar: the scalar path reports it
                self.flag(beyond if r.size == self.n else True)
            return r if _is_arr(args[0]) or _is_arr(args[1].v) else int(r[0])
        if func == "year_month":
            r = batchmonths.year_month(arrays[0])
            return r if _is_arr(args[0]) else int(r[0])
        v = (batchmonths.full_years if func == "full_years" else batchmonths.months_between)(*arrays)
        if not any(_is_arr(a.v if isinstance(a, Num) else a) for a in args):
            return Num(int(v[0]), 0, int(v[0]), int(v[0]))
        lo, hi = _bounds(v)
        return Num(v, 0, lo, hi, True)


_MONTH_CALLS = frozenset({"months_between", "period_between", "full_years", "add_months", "year_month", "as_period", "as_age",
                          "as_year_month"})
