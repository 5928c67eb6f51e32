"""Per-item outputs keyed by a 主键 in batch evaluation: a list column -> an Arrow map column.

The values come from the output's list column (one per item, null for a row in error); the keys
from the input's `list<struct>` column, the key field of the same items, in the key's canonical
type (date32 for a 日期 or 年月, int64 for an integer, string for an enumeration or a text). The
keys are taken by one gather over the items; a key column given in another type (a year-month as
"2019-07") is converted item by item with the scalar converter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guize.runtime import values as V


def key_type(kind: str, pa: Any) -> Any:
    if kind in ("date", "year_month"):
        return pa.date32()
    if kind == "int":
        return pa.int64()
    return pa.string()


def keyed_column(col: Any, items: Any, field: Mapping[str, Any], np: Any, pa: Any) -> Any:
    """`col` (a list column of n rows) as map<key, value>, the keys read from `items` (the input)."""
    target = map_type(col.type, field, pa)
    if items is None or not (pa.types.is_list(items.type) or pa.types.is_large_list(items.type)):
        if col.null_count == len(col):  # (a row without its list is an error row)
            return pa.nulls(len(col), type=target)
        # Lists held in another type (a union of lists and text, columns.mixed_lists), each row
        # computed by the scalar path: the keys of its items as that path reads them
        name, default = field["name"], field["default"]
        keys = pa.array([V.convert(field, default if item.get(name) is None else item[name])
                         for row, ok in zip(items.to_pylist(), col.is_valid().to_pylist(), strict=True) if ok
                         for item in row], type=key_type(field["kind"], pa))
        lengths = np.asarray(col.value_lengths().fill_null(0), dtype=np.int64)
        offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]), type=pa.int32())
        return pa.MapArray.from_arrays(offsets, keys, col.flatten(), type=target, mask=col.is_null())
    out_off = np.asarray(col.offsets, dtype=np.int64)
    lengths = np.diff(out_off)
    in_off = np.asarray(items.offsets, dtype=np.int64)
    # INVARIANT: a row with values has one per item of its list (an error row has none)
    assert bool(((np.diff(in_off) == lengths) | (lengths == 0)).all())
    take = np.repeat(in_off[:-1] - out_off[:-1], lengths) + np.arange(out_off[0], out_off[-1], dtype=np.int64)
    struct = items.type.value_type
    # A key left to its default in every item; or no records at all (only empty lists, list<null>)
    if not pa.types.is_struct(struct) or struct.get_field_index(field["name"]) < 0:
        child = pa.nulls(len(take))
    else:
        child = items.values.field(field["name"]).take(pa.array(take, type=pa.int64()))
    want = key_type(field["kind"], pa)
    plain = not child.null_count and field["kind"] != "enum" and field.get("scale", 1) == 1
    if plain and child.type == want and field["kind"] == "text":  # " 张三 " is 张三, as V.convert reads it
        import pyarrow.compute as pc

        keys = pc.utf8_trim(child, characters=V.TEXT_BLANKS)
    elif plain and child.type == want:  # (an enumeration's member may be spelled with spaces: below)
        keys = child
    elif plain and pa.types.is_integer(child.type) and want == pa.int64():
        keys = child.cast(want)
    else:  # another spelling ("2019-07", a default for a key not given): as the scalar path reads it
        keys = pa.array([V.convert(field, field["default"] if x is None else x) for x in child.to_pylist()],
                        type=want)
    values = col.values.slice(int(out_off[0]), int(out_off[-1] - out_off[0]))
    offsets = pa.array(out_off - out_off[0], type=pa.int32())
    return pa.MapArray.from_arrays(offsets, keys, values, type=target, mask=col.is_null())


def map_type(list_type: Any, field: Mapping[str, Any], pa: Any) -> Any:
    return pa.map_(key_type(field["kind"], pa), list_type.value_type)
