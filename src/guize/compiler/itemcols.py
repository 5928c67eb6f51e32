"""A list input read as columns of the fields a generated function uses (scalar path).

The items reader (compiler/itemreads.py) checks every field of every item and builds a dict an
item; the generated loops then read `_L[_i]['月收入']`. Where a function (out_all, a with_
function, out_subset) uses a list input only through len() and loops whose every use of the
list is `range(len(_L))` or `_L[_i][<field>]` (listgen.each_loop, sum_loop), the same checks
run, but the reader keeps the fields those loops read, each in a list of its own (no dict an
item: subsistence's 月低保金 reads only 月收入), and the loops read `_L[<column>][_i]`. Every
field of every item is still read and checked, and anything irregular still sends the whole
list to values.to_records, whose result (its fields taken as columns) or error is the dict
reader's: values and errors do not change (so the checks' order is free: the required fields
first, the optional ones only when the item has more keys). Any other use of the list in the
function (a runtime helper given the list, an item function, a lazy read) keeps the dicts. A
dict reader or module-level loop that no function calls is left out of the module.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from typing import Any

from guize.compiler.itemreads import compared_fields, item_reader_lines

_LOOP = re.compile(r"_(?:m_)?(?:sum|each)\d+_*")  # listgen's loop functions: `_sumK(_L)`, `_m_eachK(_L)`
_L = re.compile(r"(?<![\w.])_L(?!\w)")
_FIELD = r"_L\[_i\]\[('(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")\]"
_FIELD_READ = re.compile(_FIELD)
_RANGE = "range(len(_L))"
_CALL = re.compile(r"(?<![\w.])(_\w+)\(")  # a call of a module-level helper (readers, loops …)


def read_columns(gen: Any, start: int) -> None:
    """Rewrite the function `gen.lines[start:]` (nested functions hoisted) to read each list
    input it uses only through len() and loops as columns; module-level loops get a copy."""
    readers: dict[str, str | None] = gen.__dict__.get("item_readers", {})
    if not any(readers.values()):  # (no list input read inline: no scan of the function's text)
        return
    replaced: dict[str, None] = {}  # module-level loops this function called and now calls a copy of (in order)
    for name, reader in readers.items():
        if reader is not None:
            # (the input's name as written, not noted: the rewrite is of statements already noted)
            _rewrite(gen, start, gen.inputs[name], reader, gen.names.get("i", name), replaced)
    # What the functions written so far call (counted once each, after its rewrite): a dict
    # reader or module-level loop one of them calls is written (or written again), one that none
    # calls is left out of the module until one does.
    calls: Counter[str] = gen.__dict__.setdefault("module_calls", Counter())
    calls.update(_CALL.findall("\n".join(gen.lines[start:])))
    unwritten: dict[str, list[str]] = gen.__dict__.setdefault("unwritten", {})
    for fn in [fn for fn in unwritten if calls[fn]]:
        gen.const_lines.extend(unwritten.pop(fn))
    if idle := [fn for fn in replaced if not calls[fn] and f"def {fn}(_L):" in gen.const_lines]:
        consts: list[str] = gen.const_lines
        called = set(_CALL.findall("\n".join(line for line in consts if not line.startswith("def "))))  # (by another)
        for fn in (fn for fn in idle if fn not in called):
            at = consts.index(f"def {fn}(_L):")
            end = consts.index("", at)
            unwritten[fn] = consts[at - 2:end + 2]
            del consts[at - 2:end + 2]


def _rewrite(gen: Any, start: int, spec: dict[str, Any], reader: str, ident: str, replaced: dict[str, None]) -> None:
    lines: list[str] = gen.lines
    call = f"{ident} = {reader}({ident})"
    at = [i for i in range(start, len(lines)) if lines[i].strip() == call]
    if len(at) != 1:
        return
    use = re.compile(rf"(?<![\w.]){re.escape(ident)}(?!\w)")
    loops: dict[str, list[int]] = {}  # a loop function given the list -> the lines calling it
    lens: list[int] = []
    for i in range(start, len(lines)):
        if i == at[0]:
            continue
        text = lines[i]
        for m in use.finditer(text):
            before, after = text[:m.start()], text[m.end():]
            if after.startswith(" = ") and i < at[0]:  # read from data or marked _U, before the reader
                continue
            if before.endswith("len(") and after.startswith(")"):
                lens.append(i)
                continue
            callee = re.search(r"(?<![\w.])(\w+)\($", before)
            if callee and _LOOP.fullmatch(callee[1]) and after.startswith(")"):
                loops.setdefault(callee[1], []).append(i)
                continue
            return  # any other use: the dicts
    names = [f["name"] for f in spec["fields"]]
    bodies: dict[str, tuple[list[str], int | None]] = {}  # loop -> its body, and its def's line if nested
    used: set[str] = set()  # fields read wherever the list is read
    flagged: dict[str, set[str]] = {}  # out_subset: a guard -> the fields only its nested functions read
    for fn in loops:
        found = _body(gen, start, fn, ident)
        if found is None:
            return
        body, where = found
        fields: set[str] = set()
        for line in body:
            rest = _FIELD_READ.sub("", line.replace(_RANGE, ""))
            if _L.search(rest):
                return  # the list itself given on (an item, a helper): the dicts
            for literal in _FIELD_READ.findall(line):
                field = ast.literal_eval(literal)
                if field not in names:
                    return
                fields.add(field)
        guard = _guard(lines, start, where)
        (used if guard is None else flagged.setdefault(guard, set())).update(fields)
        bodies[fn] = (body, where)
    first = tuple(n for n in names if n in used)
    columns = first + tuple(n for n in names if n not in used and any(n in f for f in flagged.values()))
    call_text = f"{ident} = {_column_reader(gen, spec, columns)}({ident})"
    if columns != first:  # fields only flagged nested functions read: read when those are made
        guards = " or ".join(g for g, f in flagged.items() if f - used)
        call_text += f" if {guards} else {_column_reader(gen, spec, first)}({ident})"
    for body, where in bodies.values():  # (first: the lines below are edited in place)
        if where is not None:  # nested: only this list is given to it (see _body)
            lines[where + 1:where + 1 + len(body)] = [_columnar(line, columns) for line in body]
    lines[at[0]] = lines[at[0]].replace(call, call_text)
    for i in lens:
        lines[i] = lines[i].replace(f"len({ident})", f"len({ident}[0])")
    for fn, (body, where) in bodies.items():
        if where is None:
            copy = _module_copy(gen, fn, columns, _summed([_columnar(line, columns) for line in body]))
            for i in loops[fn]:
                lines[i] = re.sub(rf"(?<![\w.]){re.escape(fn)}\({re.escape(ident)}\)", f"{copy}({ident})", lines[i])
            replaced[fn] = None


def _body(gen: Any, start: int, fn: str, ident: str) -> tuple[list[str], int | None] | None:
    """The body lines of loop function `fn` and the line of its def when it is nested in the
    function (None: at module level); None when it is nested and also given something else."""
    lines: list[str] = gen.lines
    head = re.compile(rf"^( *)def {re.escape(fn)}\(_L\):$")
    for i in range(start, len(lines)):
        if m := head.match(lines[i]):
            pad = len(m[1])
            end = i + 1
            while end < len(lines) and lines[end].startswith(" " * (pad + 1)):
                end += 1
            named = re.compile(rf"(?<![\w.]){re.escape(fn)}(?!\w)")
            for j in range(start, len(lines)):
                for use in named.finditer(lines[j]):
                    if j != i and not lines[j][use.end():].startswith(f"({ident})"):
                        return None
            return lines[i + 1:end], i
    for consts in (gen.const_lines, gen.__dict__.get("unwritten", {}).get(fn, ())):  # (or left out: read_columns)
        for i, line in enumerate(consts):
            if line == f"def {fn}(_L):":
                end = i + 1
                while end < len(consts) and consts[end]:
                    end += 1
                return list(consts[i + 1:end]), None
    return None


def _guard(lines: list[str], start: int, where: int | None) -> str | None:
    """The flags under which nested function defined at `where` is made (listgen.hoist_nested:
    `if _nK or …:` above the defs it guards), or None: always (or at module level)."""
    if where is None or not lines[where].startswith("        def "):
        return None
    for i in range(where - 1, start - 1, -1):
        if lines[i].startswith("    if ") and lines[i].endswith(":") and not lines[i].startswith("     "):
            return lines[i][len("    if "):-1]
    return None


def _columnar(line: str, columns: tuple[str, ...]) -> str:
    line = line.replace(_RANGE, "range(len(_L[0]))")
    return _FIELD_READ.sub(lambda m: f"_L[{columns.index(ast.literal_eval(m[1]))}][_i]", line)


_PLAIN_SUM = re.compile(r"( *)_o = None\n\1_n = (\w+)\n\1for _i in range\(len\(_L\[0\]\)\):\n"
                        r"\1    _n = _n \+ _L\[(\d+)\]\[_i\]\n\1return _n")


def _summed(body: list[str]) -> list[str]:
    """合计 of a field over every item (listgen.sum_loop with no filter) as sum() of its column:
    the same additions from the same zero, in the same order, in C."""
    if m := _PLAIN_SUM.fullmatch("\n".join(body)):
        return [f"{m[1]}return sum(_L[{m[3]}], {m[2]})"]
    return body


def _module_copy(gen: Any, fn: str, columns: tuple[str, ...], body: list[str]) -> str:
    """A module-level loop function reading columns, made once per body (the same field in the
    same column: one function for every layout)."""
    copies: dict[str, str] = gen.__dict__.setdefault("column_loops", {})  # body -> name
    key = "\n".join(body)
    if key not in copies:
        copies[key] = name = f"{fn}_c{len(copies)}"
        gen.const_lines.extend(["", "", f"def {name}(_L):", *body, "", ""])
    return copies[key]


def _column_reader(gen: Any, spec: dict[str, Any], columns: tuple[str, ...]) -> str:
    """The module's reader of `spec` keeping `columns` (a tuple of lists, in that order; with no
    column, the list itself as the one column, for len), written once per list and columns."""
    readers: dict[tuple[str, tuple[str, ...]], str] = gen.__dict__.setdefault("column_readers", {})
    key = (spec["name"], columns)
    if key not in readers:
        readers[key] = fn = f"_C{len(readers)}"
        lines = item_reader_lines(fn, spec, gen.const, compared_fields(gen.p.defs), columns)
        assert lines is not None  # INVARIANT: the dict reader of this spec was written (same test)
        gen.const_lines.extend(lines)
    return readers[key]
