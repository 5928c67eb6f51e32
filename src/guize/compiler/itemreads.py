"""A list input's items read by a function written for its fields (generated code, scalar path).

values.to_records converts any list input by its spec: for each item and field, a look-up of
the field's plan, a test of its kind and a call (~1.5 µs an item of four amounts, as much as a
whole hand-written month of 累计预扣法). Its fields are known when the policy is compiled, so
the compiled module gets `_RK(value)`: one loop, each field's plain value (an amount given as
a short numeral, a whole number, a truth value, a member, a whole number of months) read by
the same inline checks as a scalar input (inline_reads.number_lines) and its default, when
left out, taken as to_records stores it (values.item_default). Anything else — a list that
is not a list, an item that is not a dict or has an unknown field, a missing field, a value
that is not plain — sends the whole list to values.to_records, which gives the same result
or says what is wrong, so results and errors are to_records'.
An unknown field is found by counting (no set of the item's keys: ~0.1 µs an item): the item's
keys less its required fields (each read, or the whole list goes to to_records) less each
optional field found must leave none (a field given as None counts as left: to_records says).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from guize.compiler.inline_reads import number_lines, plain_number
from guize.runtime import ir


def item_reader_lines(fn: str, spec: dict[str, Any], const: Callable[[Any], str],
                      compared: frozenset[str] = frozenset(), columns: tuple[str | None, ...] | None = None
                      ) -> list[str] | None:
    """Module-level lines defining `fn(value)` for list input `spec`, or None when a field's
    kind has no inline read (dates, texts, amounts in 万元 …) or the list has a 主键.
    `compared`: the 期间/年龄 fields kept the int given (see compared_fields). `columns`: the
    same checks, the result a tuple of a list for each of these fields (compiler/itemcols.py;
    None for a field not read here; none: the list itself, for its length), to_records' result
    taken apart so; a value that is not plain goes to to_records at once, and the optional
    fields are looked for only when the item has more keys than the required fields (any
    irregular item goes to to_records, so the order of the checks does not matter)."""
    if spec.get("key") is not None:
        return None
    spec_name = f"_S{fn}"
    slow = f"_v.to_records(value, {spec_name})"
    if columns is not None:
        slow = f"{fn}_columns({slow})"
    head = [f"{spec_name} = next(s for s in INPUTS if s['name'] == {spec['name']!r})"]
    body: list[str] = []
    optional: list[str] = []  # columns: the optional fields' lines, read only when the item has more keys
    defaults: list[str] = []  # columns: the kept optional fields when it has not
    values: list[str] = []
    for k, field in enumerate(spec["fields"]):
        # The lines of this field: columns' optional fields go to `optional`
        into = optional if columns is not None and field["has_default"] else body
        ident = f"f{k}"
        read = _field_read(ident, field, const, field["name"] in compared)
        if read is None:
            return None
        values.append(ident)
        name = field["name"]
        if columns is not None:  # a value that is not plain: to_records at once, no _U to test later
            read = [f"{line[:len(line) - len(line.lstrip())]}return {slow}" if line.strip() == f"{ident} = _U"
                    else line for line in read]
            if any("_U" in line for line in read):  # (a 期间/年龄 made in one line, or _U)
                read += [f"        if {ident} is _U:", f"            return {slow}"]
            values[-1] = ""
            if field["has_default"] and name not in columns:  # checked, its default not needed
                into += [f"        if ({ident} := item.get({name!r})) is not None:", "            _n -= 1",
                         *["    " + line for line in read]]
                continue
        into.append(f"        {ident} = item.get({name!r})")
        if field["has_default"]:
            default = f"_D{fn}_{k}"
            head.append(f"{default} = _v.item_default({spec_name}, {name!r})")
            into += [f"        if {ident} is None:", f"            {ident} = {default}", "        else:",
                     "            _n -= 1", *["    " + line for line in read]]
            if columns is not None:
                defaults.append(f"            {ident} = {default}")
        else:
            into += [f"        if {ident} is None:", f"            return {slow}", *read]
    if optional:  # every required field found: more keys than those, or some optional field is given
        body += ["        if _n:", *["    " + line for line in optional], *(["        else:", *defaults] if defaults else [])]
    required = sum(not f["has_default"] for f in spec["fields"])
    record = ", ".join(f"{f['name']!r}: {v}" for f, v in zip(spec["fields"], values, strict=True))
    test = " or ".join(["_n", *(f"{v} is _U" for v in values if v)])
    start, append, result = ["    out = []"], [f"        out.append({{{record}}})"], "    return tuple(out)"
    if columns is not None:
        kept = [f"c{k}" for k, n in enumerate(columns) if n is not None]
        names = [f["name"] for f in spec["fields"]]
        start = [f"    {', '.join(kept)}, = {', '.join(['[]'] * len(kept))},"] if kept else []
        append = [f"        c{k}.append(f{names.index(n)})" for k, n in enumerate(columns) if n is not None]
        shape = ", ".join(f"c{k}" if n is not None else "None" for k, n in enumerate(columns))
        result = f"    return ({shape},)" if columns else "    return (value,)"
        taken = ", ".join(f"[r[{n!r}] for r in records]" if n is not None else "None"
                          for n in columns) if columns else "records"
        head += ["", "", f"def {fn}_columns(records):", f"    return ({taken},)"]
    return [
        *head,
        "",
        "",
        f"def {fn}(value):",
        f'    """「{spec["name"]}」\'s items, plain values read inline (compiler/itemreads.py), else by to_records."""',
        "    if value.__class__ is not list and value.__class__ is not tuple or len(value) > _v.MAX_ITEMS:",
        f"        return {slow}",
        *start,
        "    for item in value:",
        "        if item.__class__ is not dict:",
        f"            return {slow}",
        f"        _n = len(item) - {required}  # the keys left once each field found is counted",
        *body,
        f"        if {test}:",
        f"            return {slow}",
        *append,
        result,
        "",
        "",
    ]


def _field_read(ident: str, field: dict[str, Any], const: Callable[[Any], str], compared: bool = False
                ) -> list[str] | None:
    """Lines (at 8 spaces) leaving `ident` the field's value as to_records stores it, or _U (a
    期间/年龄 field only compared: the int given, which compares as the Period/Age would)."""
    kind = field["kind"]
    pad = "        "
    if kind in ("money", "quantity", "rate"):
        if not plain_number(field) or field.get("scale", 1) != 1:
            return None
        return number_lines(ident, "_U", pad)
    if kind == "int" and field.get("scale", 1) == 1:
        test = f"{ident}.__class__ is int and 0 <= {ident} < _INT_LIMIT"
    elif kind == "bool":
        test = f"{ident} is True or {ident} is False"
    elif kind == "enum":
        test = f"{ident}.__class__ is str and {ident} in {const(frozenset(field.get('members') or ()))}"
    elif kind in ("duration", "age") and compared:
        test = f"{ident}.__class__ is int and 0 <= {ident} < _INT_LIMIT"
    elif kind in ("duration", "age"):
        wrap = "as_age" if kind == "age" else "as_period"
        return [f"{pad}{ident} = _FUNCS[{wrap!r}]({ident}) if {ident}.__class__ is int and 0 <= {ident} < "
                f"_INT_LIMIT else _U"]
    else:
        return None
    return [f"{pad}if not ({test}):", f"{pad}    {ident} = _U"]


def compared_fields(defs: dict[str, ir.Definition]) -> frozenset[str]:
    """The item fields whose value is never shown: every read of one (a Field node of that name,
    in any list) is an operand of a comparison. A 期间/年龄 field among
    them is kept the whole number of months it was given as (subsistence's 年龄 ≥ 60岁: an
    Age made for each member, ~0.13 µs, only to be compared). A list that goes to to_records
    holds Ages instead: they compare the same."""
    shown: set[str] = set()
    read: set[str] = set()
    for d in defs.values():
        for node in ir.walk(d.expr):
            for child in ir.children(node):
                if isinstance(child, ir.Field):
                    read.add(child.name)
                    if not isinstance(node, ir.Cmp):  # (bands without a band for it show the value)
                        shown.add(child.name)
        if isinstance(d.expr, ir.Field):
            shown.add(d.expr.name)
    return frozenset(read - shown)
