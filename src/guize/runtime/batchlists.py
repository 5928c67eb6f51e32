"""Columnar list operations for generated batch evaluators: `list<struct>` columns, exact.

A list input of a chunk of n rows is read as an ItemChunk: the m items of all the rows laid
end to end (Arrow's flattened child arrays), `offsets` (n + 1) saying where each row's items
start, and `seg` (m) saying which row each item belongs to. The ItemChunk is itself a Chunk of
m rows, so the expressions written about an item (an aggregate's filter and value, a per-item
definition's body) are the same generated columnar code run on it: its fields are its inputs
(`c.field`), and a value of the row (another input, a definition, the date) is taken for every
item of the row (`broadcast`).

Reductions go back from items to rows over the offsets: sums and counts as differences of one
cumulative sum (int64 wrapping is harmless: a row's true sum is exact whenever it fits, and a
row whose items could sum beyond int64 is flagged), maxima and minima with ufunc.reduceat over
the non-empty rows. An item flagged (an invalid field, an overflow, no version) flags its row,
so every row keeps the answer, or the error, of the scalar path.

The items are evaluated at once (their ItemChunk runs each call eagerly, over all the items),
and the row values made from them (sums, counts) are plain columns: the chunk's own row
calls are still recorded into a kernel (batch.Plan). An item that reads a row value being
recorded (a definition of the row, not yet computed) raises NotRecordable with `eager`: that
chunk is then evaluated eagerly. A field is converted when first read (ItemChunk.field); the
fields no asked output reads are only checked, at the end (ItemChunk.finish).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from guize.runtime import values as V
from guize.runtime.batchops import FIRST_DAY, I64, LAST_DAY, Chunk, Num, to_date
from guize.runtime.deps import select_version
from guize.runtime.kernel import NotRecordable, Reg
from guize.runtime.values import MAX_ITEMS


def _arr(x: Any) -> bool:
    return isinstance(x, np.ndarray)


def _bounds(v: Any) -> tuple[int, int]:
    return (int(v.min()), int(v.max())) if v.size else (0, 0)


_UNREAD = object()


def _recorded() -> None:
    """An item reads a row value that a kernel being recorded has not computed yet."""
    exc = NotRecordable("an item reads a row value being recorded")
    exc.eager = True
    raise exc


class ItemChunk(Chunk):
    """The items of one list input of a chunk, as a chunk of its own (see the module docstring)."""

    # A decimal128 field's low words are read in place (batch.Plan._fetcher), not copied into a
    # contiguous column first: its bounds and a segment sum (a field's usual readers) take one
    # pass each whether strided or not, and the copy read all 16 bytes of every item and wrote
    # 8 more. Subsistence, 2.5M members: 月收入 read 11 -> 7 ms a call; withholding (9M months,
    # four fields) 180 -> 75 ms (a machine shared with four other jobs).
    READS_STRIDED = True

    def __init__(self, parent: Chunk, offsets: Any, fields: dict[str, Any] | None = None) -> None:
        # Weak: the row chunk holds this one among its inputs, and a cycle would keep both
        # chunks' arrays alive until a garbage collection, not free them when the call returns.
        self._parent = weakref.ref(parent)
        self.offsets = offsets  # int64, n + 1, from 0
        self.lengths = np.diff(offsets)
        self._seg: Any = None
        self._position: Any = None
        m = int(offsets[-1])
        self.longest = int(self.lengths.max()) if parent.n else 0
        # The date and the dated values' versions, for each item, when first read: sums and
        # counts (合计, 人数) never need an item's row, and `seg` takes a pass over the items.
        self._row_on = parent.on
        self._on: Any = None
        self._row_versions = parent.versions
        self._versions: Any = None
        super().__init__(parent.defs, m, parent.fetch, None, ())
        self.fields: dict[str, Any] = fields if fields is not None else {}
        # Fields are converted when first read (field): those no asked output reads are only
        # checked, once the chunk's outputs are written down (finish).
        self.read_field: Callable[[ItemChunk, str], Any] | None = None
        self.unread: dict[str, Any] = {}  # field -> its Arrow array, not yet converted
        self.unsettled = False  # an item flagged since the last settle

    @property
    def parent(self) -> Chunk:
        parent = self._parent()
        assert parent is not None  # INVARIANT: the items are evaluated while their row chunk is
        return parent

    @property
    def seg(self) -> Any:
        """Which row each item belongs to (intp, m): the running count of row starts passed."""
        if self._seg is None:
            m = self.n
            starts = np.bincount(self.offsets[1:-1], minlength=m + 1)[:m]
            self._seg = np.cumsum(starts, out=starts)
        return self._seg

    @property
    def on(self) -> Any:
        if self._on is None:
            self._on = self.broadcast(self._row_on)
        return self._on

    @on.setter
    def on(self, value: Any) -> None:  # Chunk.__init__ sets it: the row's value is kept instead
        pass

    @property
    def versions(self) -> Any:
        if self._versions is None:
            self._versions = [self.broadcast(v) if _arr(v) else v for v in self._row_versions]
        return self._versions

    @versions.setter
    def versions(self, value: Any) -> None:
        pass

    def broadcast(self, value: Any) -> Any:
        """A row's value for each of its items."""
        if isinstance(value.v if isinstance(value, Num) else value, Reg):
            _recorded()
        if isinstance(value, Num):
            if _arr(value.v):
                return Num(value.v[self.seg], value.s, value.lo, value.hi)  # shared: not overwritten
            return value
        if isinstance(value, ListValue):  # INVARIANT: the checker reads a per-item value through item()
            raise TypeError("a per-item value read as a row's value")
        return value[self.seg] if _arr(value) else value

    # What the generated code reads in an item (the parent's values, taken for each item).

    def field(self, name: str) -> Any:
        value = self.fields.get(name, _UNREAD)
        if value is _UNREAD:
            assert self.read_field is not None  # INVARIANT: list_input sets it for every field it leaves unread
            value = self.fields[name] = self.read_field(self, name)
            self.unread.pop(name, None)
        return value

    def finish(self) -> None:
        """Check the fields no output read, as the scalar path converts every field of every
        item: a boolean column without nulls cannot hold a wrong value and is left as it is,
        any other is converted (flagging its wrong items) and dropped; then the rows settle."""
        if not self.unread:
            return
        import pyarrow as pa

        for name, arr in list(self.unread.items()):
            if not (arr is not None and pa.types.is_boolean(arr.type) and arr.null_count == 0):
                self.field(name)
        self.unread.clear()
        self.settle()

    def input(self, name: str) -> Any:
        if name not in self.inputs:
            self.inputs[name] = self.broadcast(self.parent.input(name))
        return self.inputs[name]

    def ref(self, name: str) -> Any:
        if name not in self.memo:
            self.memo[name] = self.broadcast(self.parent.ref(name))
        return self.memo[name]

    def item(self, name: str) -> Any:
        """A per-item definition's value for each item."""
        value = self.parent.ref(name)
        assert isinstance(value, ListValue)  # INVARIANT: batchgen writes item() for an ItemRef only
        return value.value

    # Items back to rows.

    def flag(self, mask: Any) -> None:
        super().flag(mask)
        self.unsettled = True

    def settle(self) -> None:
        """Flag every row with a flagged item (no pass when no item was flagged since the last time)."""
        if self.unsettled:
            self.unsettled = False
            if self.bad.any():
                self.parent.flag(self.count(self.bad) > 0)

    def count(self, mask: Any) -> Any:
        """The items passing `mask` (a boolean column, or one bool) in each row."""
        if not _arr(mask):
            return self.lengths.copy() if mask else np.zeros(self.parent.n, dtype=np.int64)
        return self.segment_sum(mask.astype(np.int64))

    def segment_sum(self, v: Any) -> Any:
        """Each row's sum of v (int64 over the items); wraps where the caller flags."""
        total = np.empty(self.n + 1, dtype=np.int64)  # (not zeroed: one pass fewer)
        total[0] = 0
        np.cumsum(v, out=total[1:])
        ends = total[self.offsets]  # one gather, not one per end
        return np.subtract(ends[1:], ends[:-1], out=ends[:-1])

    def position(self, inclusive: bool) -> Any:
        """Each item's place in its row: 1, 2, … (inclusive), or 0, 1, … (the items before it)."""
        if self._position is None:
            place = np.arange(self.n, dtype=np.int64)
            self._position = np.subtract(place, self.offsets[:-1][self.seg], out=place)
        return self._position + 1 if inclusive else self._position

    def column(self, x: Num) -> Any:
        return x.v if _arr(x.v) else np.full(self.n, x.v, dtype=np.int64)

    def too_long(self, top: int) -> Any:
        """Rows whose items, each at most `top` in size, could sum beyond int64: flagged."""
        if top == 0 or self.longest * top <= I64:
            return None
        # (lengths × top could itself wrap in int64: compare the lengths with I64 // top instead)
        over = self.lengths > I64 // top if top <= I64 else self.lengths > 0
        self.parent.flag(over)
        return over


class ListValue:
    """A per-item definition's value in a chunk: its items' values (a column of the ItemChunk)."""

    __slots__ = ("items", "value")

    def __init__(self, items: ItemChunk, value: Any) -> None:
        self.items = items
        if isinstance(value, Num):  # shared from now on (read by other definitions): not overwritten
            value = Num(value.v, value.s, value.lo, value.hi)
        self.value = value


# ---------------------------------------------------------------- reading a list column


def list_input(c: Chunk, spec: dict[str, Any], arr: Any, fetcher: Callable[..., Any]) -> ItemChunk:
    """A `list<struct>` column -> the chunk's ItemChunk, every field converted (as the scalar
    path converts every field of every item up front). Rows the scalar path would reject
    (a null or non-list value, a null item, an unknown or missing field, too many items) are
    flagged; `fetcher(columns, converted, specs)` is the plan's input reader (batch.Plan)."""
    import pyarrow as pa

    n = c.n
    types = pa.types
    fields = {f["name"]: f for f in spec["fields"]}
    if arr is None or not (types.is_list(arr.type) or types.is_large_list(arr.type)) \
            or not types.is_struct(arr.type.value_type):
        # Not a list of records (JSON text, list<int64>, items whose fields Arrow could not
        # give one type, only empty lists): every row goes the scalar way, which reads the
        # values as they are or says what is wrong. No items, but every field (the generated
        # code reads them before the rows are settled).
        c.flag(True)
        e = ItemChunk(c, np.zeros(n + 1, dtype=np.int64))
        fetch = fetcher({name: pa.nulls(0) for name in fields}, {}, fields)
        e.fields = {name: fetch(e, name) for name in fields}
        return e
    offsets = np.asarray(arr.offsets, dtype=np.int64)
    start, end = int(offsets[0]), int(offsets[-1])
    if start:
        offsets = offsets - start
    items = arr.values.slice(start, end - start)
    e = ItemChunk(c, offsets)
    lengths = e.lengths
    if arr.null_count:
        c.flag(np.asarray(arr.is_null()))
    if items.null_count:
        e.flag(np.asarray(items.is_null()))
    if e.longest > MAX_ITEMS:
        c.flag(lengths > MAX_ITEMS)
    given = {items.type.field(i).name: i for i in range(items.type.num_fields)}
    if set(given) - set(fields):  # an item with an unknown field is rejected
        c.flag(lengths > 0)
    children = items.flatten()  # each field, null where the item is null
    columns: dict[str, Any] = {}
    for name, field in fields.items():
        if name in given:
            columns[name] = children[given[name]]
        elif not field["has_default"]:
            columns[name] = pa.nulls(e.n)  # missing in every item: flagged by the reader
    e.read_field = fetcher(columns, {}, fields)
    e.unread = {name: columns.get(name) for name in fields}
    key = spec.get("key")
    if key is not None and e.n:  # 主键: a row whose items repeat a key goes the scalar way
        text = fields[key]["kind"] == "text"  # (its column's own strings, trimmed)
        c.flag(_repeated_keys(e, children[given[key]] if text and key in given else None, e.field(key),
                              bool(spec.get("ordered"))))
    e.settle()
    return e


def finish(c: Chunk) -> None:
    """Check the unread fields of the chunk's lists (ItemChunk.finish): once its outputs are
    written down, before its rows in error are read."""
    for value in c.inputs.values():
        if isinstance(value, ItemChunk):
            value.finish()


def _repeated_keys(e: ItemChunk, strings: Any, value: Any, ordered: bool = False) -> Any:
    """Rows in which two items have the same key, as converted (2019-07 and 2019年7月 are one
    month; a default key is everyone's), or for a text key its strings; one sort by (row, key).
    With `ordered` (a 累计 over items keyed by a time) also rows whose keys go back in time.
    The scalar path names the items."""
    if strings is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if pa.types.is_dictionary(strings.type):  # its indices are not the trimmed strings'
            strings = strings.dictionary_decode()
        if pa.types.is_string(strings.type) or pa.types.is_large_string(strings.type):
            strings = pc.utf8_trim(strings, characters=V.TEXT_BLANKS)  # " 张三 " is 张三
        keys = np.asarray(strings.dictionary_encode().indices.fill_null(-1).to_numpy(zero_copy_only=False),
                          dtype=np.int64)
    else:
        keys = e.column(value) if isinstance(value, Num) else value
        keys = np.asarray(keys if _arr(keys) else np.full(e.n, keys), dtype=np.int64)
    order = np.lexsort((keys, e.seg))
    seg, ranked = e.seg[order], keys[order]
    same = (seg[1:] == seg[:-1]) & (ranked[1:] == ranked[:-1])
    bad = np.zeros(e.parent.n, dtype=bool)
    bad[seg[1:][same]] = True
    if ordered:
        back = (e.seg[1:] == e.seg[:-1]) & (keys[1:] < keys[:-1])
        bad[e.seg[1:][back]] = True
    return bad


# ---------------------------------------------------------------- what the generated code calls


def items(c: Chunk, name: str) -> ItemChunk:
    """The ItemChunk of list input `name` (read in the row chunk, also from inside an item)."""
    root = c.parent if isinstance(c, ItemChunk) else c
    e = root.input(name)
    assert isinstance(e, ItemChunk)  # INVARIANT: the checker lets only a list input be aggregated
    return e


def each(c: Chunk, name: str, body: Callable[[Chunk], Any]) -> ListValue:
    """A per-item definition: its body on the list's items."""
    e = items(c, name)
    value = body(e)
    e.settle()
    return ListValue(e, value)


def running(e: Chunk, x: Any, inclusive: bool) -> Num:
    """累计(x): x summed over each row's items up to this one (or before it).

    The bounds follow from x's and the longest row's (no pass over the sums for them): at most
    `longest` items of x each, rows that could leave int64 being flagged (too_long) and zero.
    """
    assert isinstance(e, ItemChunk)  # INVARIANT: 累计 is only written in a per-item body
    top = max(abs(x.lo), abs(x.hi))
    over = e.too_long(top)
    lo, hi = max(min(0, x.lo * e.longest), -I64), min(max(0, x.hi * e.longest), I64)
    if not _arr(x.v) and over is None:  # a constant: k × the item's place in its row
        out = np.multiply(e.position(inclusive), x.v)
        return Num(out, x.s, lo, hi, True)
    v = e.column(x)
    total = np.zeros(e.n + 1, dtype=np.int64)
    np.cumsum(v, out=total[1:])
    starts = total[e.offsets[:-1]][e.seg]
    out = np.subtract(total[1:] if inclusive else total[:-1], starts, out=starts)
    if over is not None:
        out[over[e.seg]] = 0
    return Num(out, x.s, lo, hi, True)


def aggregate(c: Chunk, func: str, name: str, test: Callable[[Chunk], Any] | None,
              value: Callable[[Chunk], Any] | None) -> Any:
    """合计 人数 任一 全部 最大 最小 over each row's items (in an item: the row's, for each item)."""
    if isinstance(c, ItemChunk):
        return c.broadcast(aggregate(c.parent, func, name, test, value))
    e = items(c, name)
    mask = test(e) if test is not None else True
    x = value(e) if value is not None else None
    e.settle()
    if func == "count":
        if not _arr(mask) and mask:  # 人数 of every item: the lengths (read, not overwritten)
            return Num(e.lengths, 0, 0, e.longest)
        v = e.count(mask)
        return Num(v, 0, 0, e.longest)
    if func in ("any", "all"):
        assert x is not None  # INVARIANT: the checker makes the condition the value
        hit = np.logical_and(mask, x) if func == "any" else np.logical_and(mask, np.logical_not(x))
        found = e.count(hit) > 0
        return found if func == "any" else np.logical_not(found)
    if func == "sum":
        assert isinstance(x, Num)  # INVARIANT: the checker sums numbers only
        v = e.column(x)
        if _arr(mask) or not mask:
            v = np.where(mask, v, 0)
        over = e.too_long(max(abs(x.lo), abs(x.hi)))
        out = e.segment_sum(v)
        if over is not None:
            out[over] = 0
        # At most `longest` items of x each (no pass over the sums for their bounds).
        lo, hi = max(min(0, x.lo * e.longest), -I64), min(max(0, x.hi * e.longest), I64)
        return Num(out, x.s, lo, hi, True)
    return extreme(e, func, mask, x)


def extreme(e: ItemChunk, func: str, mask: Any, x: Any) -> Any:
    """最大 最小 of numbers or dates; a row with no item passing gets the scalar path's error."""
    c = e.parent
    number = isinstance(x, Num)
    v = e.column(x) if number else (x if _arr(x) else np.full(e.n, x, dtype=np.int64))
    v = v.astype(np.int64, copy=False)
    found = e.count(mask) > 0
    c.flag(np.logical_not(found))
    out = np.zeros(c.n, dtype=np.int64)
    rows = np.flatnonzero(e.lengths > 0)
    if e.n:
        pick = np.maximum if func == "max" else np.minimum
        fill = int(v.min()) if func == "max" else int(v.max())
        w = np.where(mask, v, fill) if (_arr(mask) or not mask) else v
        out[rows] = pick.reduceat(w, e.offsets[:-1][rows])
        out[~found] = 0
    if not number:
        return out
    return Num(out, x.s, *_bounds(out), True)


def mean(c: Chunk, name: str, test: Callable[[Chunk], Any] | None, value: Callable[[Chunk], Any]) -> tuple[Num, Num]:
    """平均: (sum, count), for the caller's rounded division (a row without items: flagged)."""
    total = aggregate(c, "sum", name, test, value)
    count = aggregate(c, "count", name, test, None)
    return total, count


# ---------------------------------------------------------------- per-item outputs


def list_output(value: ListValue | None, kind: str, n: int, patch: dict[int, Any], errors: Any,
                child: Callable[[Any, int], Any]) -> Any:
    """A per-item output as a list column: the items' values (`child(values, m)` makes the
    Arrow array of them), with the rows the scalar path recomputed (or rejected: null) put in."""
    import pyarrow as pa

    from guize.runtime.columns import list_from_python

    if value is None:  # evaluated row by row
        return list_from_python(kind, [patch.get(i) for i in range(n)], pa)
    e = value.items
    col = pa.ListArray.from_arrays(pa.array(e.offsets, type=pa.int64()).cast(pa.int32()), child(value.value, e.n))
    rows = sorted({*patch, *errors})
    if not rows:
        return col
    fixed = list_from_python(kind, [None if r in errors else patch[r] for r in rows], pa)
    if col.type != fixed.type:  # decimals: the wider scale of the two
        a, b = col.type.value_type, fixed.type.value_type
        both = pa.types.is_decimal128(a) and pa.types.is_decimal128(b)
        target = pa.list_(pa.decimal128(38, max(a.scale, b.scale))) if both else fixed.type
        col, fixed = col.cast(target), fixed.cast(target)
    index = np.arange(n, dtype=np.int64)
    index[rows] = n + np.arange(len(rows), dtype=np.int64)
    return pa.concat_arrays([col, fixed]).take(pa.array(index))


def each_increment(c: Chunk, name: str, body: Callable[[Chunk], Any]) -> ListValue:
    """A per-item definition max(x − 累计(itself，至 上月), 0), from y = body = max(x, 0) (rounded as
    the definition rounds): each value is the increment of y's running maximum within its row
    (batchgen.BatchGen.no_refund says why)."""
    e = items(c, name)
    y = body(e)
    e.settle()
    assert isinstance(y, Num) and y.lo >= 0  # INVARIANT: y is a maximum with zero
    v = e.column(y)
    top = y.hi + 1
    rows = max(1, I64 // top)  # rows at a time whose items, lifted by row, stay within int64
    peak = np.empty_like(v)
    for first in range(0, c.n, rows):
        a, b = int(e.offsets[first]), int(e.offsets[min(c.n, first + rows)])
        seg = e.seg[a:b]
        lift = np.multiply(seg if first == 0 else seg - first, top, dtype=np.int64)
        z = np.add(v[a:b], lift, out=peak[a:b])  # each row above the last: a running maximum
        np.maximum.accumulate(z, out=z)          # does not cross rows
        np.subtract(z, lift, out=z)
    step = np.empty_like(peak)  # the increments: the peak less the one before it in the row
    if e.n:
        step[0] = peak[0]
        np.subtract(peak[1:], peak[:-1], out=step[1:])
        firsts = e.offsets[:-1][e.lengths > 0]
        step[firsts] = peak[firsts]  # nothing before a row's first item
    return ListValue(e, Num(step, y.s, 0, y.hi, True))


# ---------------------------------------------------------------- one item: 唯一(…) and 当年1月的 …


def one(c: Chunk, name: str, test: Callable[[Chunk], Any] | None, value: Callable[[Chunk], Any]) -> Any:
    """唯一(…): the value of each row's one item passing `test`; a row with none or several is
    flagged (the scalar path names the count)."""
    if isinstance(c, ItemChunk):
        return c.broadcast(one(c.parent, name, test, value))
    e = items(c, name)
    mask = test(e) if test is not None else True
    x = value(e)
    e.settle()
    c.flag(e.count(mask) != 1)
    hit = mask if _arr(mask) else np.full(e.n, bool(mask))
    where = np.flatnonzero(hit)
    index = np.zeros(c.n, dtype=np.int64)
    index[e.seg[where]] = where  # a row with one passing item: that item (the others are flagged)
    return _take(e, x, index, c.n)


def _months(days: Any) -> Any:
    """Day numbers -> months since 1970-01 (a date's year-month)."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def in_month(c: Chunk, name: str, field: str, month: Any, value: Callable[[Chunk], Any]) -> Any:
    """当年1月的 …: for each row of `c` (a row, or an item of another list), the value of the one
    item of its row's list `name` whose `field` falls in `month` (day numbers of the month's
    first day, per row). Items and questions are matched by (row, month) with one sort."""
    e = items(c, name)
    x = value(e)
    e.settle()
    rows = c.seg if isinstance(c, ItemChunk) else np.arange(c.n, dtype=np.intp)
    asked = _months(month if _arr(month) else np.full(c.n, month, dtype=np.int64))
    have = _months(e.field(field) if _arr(e.field(field)) else np.full(e.n, e.field(field), dtype=np.int64))
    if e.n == 0 or c.n == 0:
        c.flag(True)
        return _take(e, x, np.zeros(c.n, dtype=np.int64), c.n)
    low = min(int(asked.min()), int(have.min()))
    width = max(int(asked.max()), int(have.max())) - low + 1  # INVARIANT: rows × months of 1..9999 fit int64
    keys = e.seg.astype(np.int64) * width + (have - low)
    order = np.argsort(keys, kind="stable")
    ranked = keys[order]
    wanted = rows.astype(np.int64) * width + (asked - low)
    first = np.searchsorted(ranked, wanted, "left")
    count = np.searchsorted(ranked, wanted, "right") - first
    c.flag(count != 1)  # (in an item of another list: its flag settles on the row)
    return _take(e, x, order[np.minimum(first, e.n - 1)], c.n)


def _take(e: ItemChunk, x: Any, index: Any, n: int) -> Any:
    """Each row's value of the item at `index` (a value the same for every item stays as it is);
    with no items at all, zeros (every row is flagged then)."""
    if isinstance(x, Num):
        if not _arr(x.v):
            return x
        v = e.column(x)[index] if e.n else np.zeros(n, dtype=np.int64)
        return Num(v, x.s, min(x.lo, 0), max(x.hi, 0), True)
    if not _arr(x):
        return x
    return x[index] if e.n else np.zeros(n, dtype=x.dtype)


# ---------------------------------------------------------------- dated values on each item's date


def version_at(c: Chunk, spans: tuple[tuple[int, int | None, int | None], ...], days: Any) -> Any:
    """Each item's version of a dated value taken on the item's own date (its 适用日期 field), as
    values.version_at: `spans` are the versions' (start, end, published) day numbers. An item whose
    date no version covers is flagged (the scalar path names the item and the parameter)."""
    assert isinstance(c, ItemChunk)  # INVARIANT: the checker writes AtDate inside an item only
    known = c.parent.known_on
    if all(k is None for _s, _e, k in spans):
        known = None  # no version made by an amendment: the rules as known on any day are these
    elif known == "rows":  # a known_on per row: the scalar path chooses
        c.flag(True)
        return 0
    column = days if _arr(days) else np.full(c.n, days, dtype=np.int64)
    column = np.clip(column.astype(np.int64), FIRST_DAY, LAST_DAY)  # (a flagged item's day may be any)
    if known is None:  # versions in order of their starts, as chunk_dates picks them
        starts = np.array([s for s, _e, _k in spans], dtype=np.int64)
        ends = np.array([I64 if e is None else e for _s, e, _k in spans], dtype=np.int64)
        index = np.searchsorted(starts, column, side="right") - 1
        none = (index < 0) | (column >= ends[np.maximum(index, 0)])
    else:  # amendments not yet published are left out: chosen once per distinct date
        versions = tuple(tuple(None if d is None else to_date(d) for d in span) for span in spans)
        unique, inverse = np.unique(column, return_inverse=True)
        picked = [select_version(versions, to_date(d), to_date(known)) for d in unique.tolist()]
        index = np.array([-1 if k is None else k for k in picked], dtype=np.int64)[inverse.reshape(-1)]
        none = index < 0
    if none.any():
        c.flag(none)
        index = np.where(none, 0, index)
    return index


def pick(c: Chunk, index: Any, versions: tuple[Callable[[], Any], ...]) -> Any:
    """The value of each item's version (`index`, from version_at) among versions not constants."""
    if not _arr(index):
        return versions[index]()
    return c.select([(c.cmpx("==", index, i), f()) for i, f in enumerate(versions)][:-1], versions[-1]())
