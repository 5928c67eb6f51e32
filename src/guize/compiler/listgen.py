"""Scalar code for the list constructs (Each, Field, ItemRef, Running, Aggregate), mixed into codegen.

Each per-item body, filter, value and running sum becomes a small function `_fK(_L, _i, _o)`
(the list, the item's index, the per-item definition's values so far), defined at the top of the
generated function that uses it, so it reads that function's locals; a value it reads lazily is
declared `nonlocal`, so the lazy read is kept for the rest of the call. A per-item definition,
合计 and 人数 are loops written here (each_loop, sum_loop); the others are guize.runtime.values'
(running, aggregate, in_month). A list the function reads as columns (compiler/itemcols.py,
plan_columns) has its loops written over the columns: `_L[k][_i]`, `len(_L[0])`.
"""

from __future__ import annotations

import re
from typing import Any

from guize.compiler import itemcols
from guize.compiler.itemreads import compared_fields, item_reader_lines
from guize.runtime import ir

_WALRUS = re.compile(r"\(([id]_\w+) := ")  # a lazy read of an input or definition (codegen.expr)
# What a list function may read of the generated function around it: inputs and definitions,
# its arguments (data, e, need), the subset flags; and the functions nested in it.
_OUTER = re.compile(r"(?<![\w.])(?:[id]_\w+|data|e|need|_[na]\d+)(?!\w)")
_TEMP = re.compile(r"(?<![\w.])_t\d+(?!\w)")
_QUOTED_TEMP = re.compile(r"['\"][^'\"]*_t\d")
_NESTED = re.compile(r"(?<![\w.])(_(?:f|each|sum)\d+_*)(?!\w)")


class ListCode:
    """The list cases of CodeGenerator.expr; `expr`, `const`, `lines` and `rule_lines` are its."""

    expr: Any
    const: Any
    const_lines: list[str]
    is_decimal: Any
    decimal_refs: dict[str, bool]
    p: Any
    fresh: Any
    apart: Any  # (compiler/stmtnames: a list's function is no statement of the function being written)
    back: Any
    lines: list[str]
    rule_lines: list[int]
    inputs: dict[str, dict[str, Any]]
    notes: list[tuple[int, set[str], set[str]]]
    local: Any
    needs_memo: dict[str, Any]

    def list_expr(self, node: ir.Each | ir.Field | ir.ItemRef | ir.Running | ir.Aggregate | ir.AtDate | ir.InMonth,
                  owner: str) -> str:
        match node:
            case ir.InMonth(source=source, field=field, month=month, value=value, word=word):
                name = source.name if isinstance(source, ir.Input) else "列表"
                v = self.items_of(None, lambda: self.item_function(value, owner))
                return (f"_v.in_month({self.expr(source, owner)}, {field!r}, {self.expr(month, owner)}, {v}, "
                        f"{owner!r}, {name!r}, {word!r})")
            case ir.AtDate(dated=dated, date=date, item=item):
                # The version on the item's date; e[-1] is known_on (Policy.env).
                index = (f"_v.version_at(DATED[{dated.slot}], {self.expr(date, owner)}, e[-1], {dated.what!r}, "
                         f"{item!r}, _i)")
                versions = dated.versions
                if all(isinstance(v.value, ir.Const) for v in versions):
                    return f"{self.const(tuple(v.value.value for v in versions if isinstance(v.value, ir.Const)))}[{index}]"
                if len(versions) == 1:
                    return f"({index}, {self.expr(versions[0].value, owner)})[1]"
                t = self.fresh()
                out = f"{self.expr(versions[-1].value, owner)}"
                for i in range(len(versions) - 2, -1, -1):
                    test = f"({t} := {index}) == {i}" if i == 0 else f"{t} == {i}"
                    out = f"{self.expr(versions[i].value, owner)} if {test} else {out}"
                return f"({out})"
            case ir.Each(source=source, body=body):
                listed = self.columnar(source)
                return f"{self.items_of(listed, lambda: self.each_loop(body, owner, listed))}({self.source(source, owner)})"
            case ir.Field(name=name):
                listed = self.__dict__.get("listed")  # the list whose items the loop being written reads
                if listed is not None:
                    return f"_L[{self.__dict__['columns'].column(listed, name)}][_i]"
                return f"_L[_i][{name!r}]"
            case ir.ItemRef(name=name):
                if name == owner:  # 累计(…，至 上月) of the definition itself: its values so far
                    return "_o[_i]"
                return f"{self.expr(ir.Ref(name), owner)}[_i]"
            case ir.Running(arg=arg, inclusive=inclusive, zero=zero):
                var = self.__dict__.get("sums", {}).get(node.id)
                if var is not None:  # a sum carried by each_loop: this item's step
                    if inclusive:
                        return f"({var} := {var} + {self.without_sums(arg, owner)})"
                    if isinstance(arg, ir.ItemRef) and arg.name == owner:  # its own values so far
                        return f"(({var} := {var} + _o[_i - 1]) if _i else {var})"
                    fn = self.item_function(arg, owner)
                    return f"(({var} := {var} + {fn}(_L, _i - 1, _o)) if _i else {var})"
                fn = self.item_function(arg, owner)
                return f"_v.running(_L, _i, _o, {fn}, {inclusive!r}, {self.const(zero)}, {node.id!r})"
            case ir.Aggregate(func="count", source=source, filter=None):  # every item: their number
                return f"len({self.source(source, owner)}{'[0]' if self.columnar(source) else ''})"
            case ir.Aggregate(func="count", source=ir.Input(name=listed), filter=ir.ItemRef(name=name), value=None) if (
                    name != owner and (code := self.counted_marks(listed, name, owner)) is not None):
                return code
            case ir.Aggregate(func="sum", source=ir.Input(name=listed), filter=None, value=ir.ItemRef(name=name),
                              zero=zero) if name != owner and _each_over(self.p.defs[name].expr, listed):
                # 合计 of a per-item definition over the same list: its values, summed in C from the
                # zero in item order (sum_loop's additions; the values are computed from the list
                # whenever they are read, so its being read first changes nothing)
                return f"sum({self.expr(ir.Ref(name), owner)}, {self.const(zero)})"
            case ir.Aggregate(func="sum", source=source, filter=None, value=ir.Field(name=field), zero=zero) if (
                    listed := self.columnar(source)):
                # 合计 of a field over every item: sum() of its column (sum_loop's additions from
                # the same zero, in item order, in C)
                return f"sum({self.source(source, owner)}[{self.__dict__['columns'].column(listed, field)}], {self.const(zero)})"
            case ir.Aggregate(func="sum" | "count" as func, source=source, filter=test, value=value, zero=zero):
                added = value if func == "sum" else None
                listed = self.columnar(source)
                loop = self.items_of(listed, lambda: self.sum_loop(test, added, zero, owner, listed))
                return f"{loop}({self.source(source, owner)})"
            case ir.Aggregate(func=func, source=source, filter=test, value=value, zero=zero):
                name = source.name if isinstance(source, ir.Input) else "列表"
                t = self.items_of(None, lambda: self.item_function(test, owner)) if test is not None else "None"
                v = self.items_of(None, lambda: self.item_function(value, owner)) if value is not None else "None"
                return (f"_v.aggregate({func!r}, {self.expr(source, owner)}, {t}, {v}, {self.const(zero)}, "
                        f"{owner!r}, {name!r})")

    def counted_marks(self, listed: str, name: str, owner: str) -> str | None:
        """人数(列表 中 标记), 标记 a per-item 是否 of the same list input, already read: the
        number of its true values, in C (no loop function, made on every call when nested)."""
        d = self.p.defs.get(name)
        source = self.expr(ir.Input(listed), owner)
        if d is None or d.given or d.value_kind != "bool" or not isinstance(d.expr, ir.Each) \
                or not isinstance(d.expr.source, ir.Input) or d.expr.source.name != listed or not source.isidentifier():
            return None
        return f"sum(map(bool, {self.expr(ir.Ref(name), owner)}))"

    def items_reader(self, spec: dict[str, Any]) -> str | None:
        """The module's reader of list input `spec` (compiler/itemreads.py), written once; None
        when its fields have no inline read. The function being written reads it as columns
        (plan_columns): the column reader of its layout."""
        name = spec["name"]
        columns: itemcols.Columns | None = self.__dict__.get("columns")
        if columns is not None and name in columns.layouts:
            reader = self.column_reader(spec, columns.layouts[name])
            columns.statements[name] = reader
            return reader
        readers: dict[str, str | None] = self.__dict__.setdefault("item_readers", {})
        if name not in readers:
            fn = f"_R{len(readers)}"
            lines = item_reader_lines(fn, spec, self.const, compared_fields(self.p.defs))
            readers[name] = fn if lines is not None else None
            self.const_lines.extend(lines or ())
        return readers[name]

    def column_reader(self, spec: dict[str, Any], columns: tuple[str | None, ...]) -> str:
        """The module's reader of `spec` keeping `columns` (a tuple of lists, in that order; None:
        a field not kept; with no column, the list itself as the one column, for len), written
        once per list and columns."""
        readers: dict[tuple[str, tuple[str | None, ...]], str] = self.__dict__.setdefault("column_readers", {})
        key = (spec["name"], columns)
        if key not in readers:
            readers[key] = fn = f"_C{len(readers)}"
            lines = item_reader_lines(fn, spec, self.const, compared_fields(self.p.defs), columns)
            assert lines is not None  # INVARIANT: plan_columns takes only lists with an inline reader
            self.const_lines.extend(lines)
        return readers[key]

    def plan_columns(self, written: list[str], inputs: list[str], need: dict[str, str] | None = None,
                     groups: dict[tuple[int, ...], str] | None = None) -> None:
        """Before writing a function: which of the list inputs it reads up front (`inputs`) its
        definitions (`written`) read as columns, and each one's layout (compiler/itemcols.py).
        `need` (out_subset): the statements' flags, `groups` the outputs that set each flag; a
        list some statement may read lazily is not."""
        lists = {}
        for name in inputs:
            spec = self.inputs[name]
            if spec["kind"] == "list" and self.inline_items(spec):
                lists[name] = [f["name"] for f in spec["fields"]]
        lazy = None
        if need is not None and lists:
            statements = [n for n in written if n in need]
            lazy = itemcols.lazily_read(self.p.defs, statements, lambda n: ir.strict_needs(self.p.defs, [n], self.needs_memo))
        layouts = itemcols.plan(self.p.defs, written, lists, lazy)
        if layouts:
            self.__dict__["columns"] = columns = itemcols.Columns(layouts)
            if need is not None and groups is not None:
                columns.flags = {x: need[x] for x in layouts}
                columns.outputs = groups

    def inline_items(self, spec: dict[str, Any]) -> bool:
        """Whether list input `spec`'s fields all have an inline read (itemreads), memoised."""
        known: dict[str, bool] = self.__dict__.setdefault("inline_items_known", {})
        if spec["name"] not in known:
            known[spec["name"]] = item_reader_lines("_", spec, repr) is not None
        return known[spec["name"]]

    def columnar(self, source: ir.Expr) -> str | None:
        """The list input `source` is, when the function being written reads it as columns."""
        columns: itemcols.Columns | None = self.__dict__.get("columns")
        if columns is not None and isinstance(source, ir.Input) and source.name in columns.layouts:
            return source.name
        return None

    def source(self, source: ir.Expr, owner: str) -> str:
        """A loop's list; one read as columns is the local read up front (plan_columns)."""
        code: str = self.expr(source, owner)
        assert not self.columnar(source) or code.isidentifier(), code  # INVARIANT: no lazy read (plan_columns)
        return code

    def items_of(self, listed: str | None, write: Any) -> str:
        """write(): a list function whose items are of `listed` read as columns (None: dicts),
        its fields noted as read by the function written (or by the code calling it when it is
        at module level: itemcols.Columns.placed)."""
        columns: itemcols.Columns | None = self.__dict__.get("columns")
        saved = self.__dict__.get("listed")
        self.__dict__["listed"] = listed
        if columns is not None:
            columns.reads.append(set())
        try:
            name: str = write()
        finally:
            self.__dict__["listed"] = saved
        if columns is not None:
            columns.placed(name, not name.startswith("_m"), columns.reads.pop())
        return name

    def each_loop(self, body: ir.Expr, owner: str, listed: str | None = None) -> str:
        """A nested function `_eK(_L)` computing a per-item definition: one loop, the body
        written in it (no call an item). A 累计 the body reaches on every item, whatever the
        path (sequential_sums), is a local sum advanced where the body reaches it: the same
        additions, in the same order, as values.running's partial sums, without its call and
        look-ups. Any other 累计 stays values.running over `_o`."""
        noted = self.apart()
        saved = self.__dict__.get("sums", {})
        carried = {r.id: f"_run{r.id}" for r in sequential_sums(body)}
        self.__dict__["sums"] = {**saved, **carried}
        code = self.expr(body, owner)
        self.__dict__["sums"] = saved
        if any(code.count(f"({var} := ") != 1 for var in carried.values()):  # written twice: not carried
            self.__dict__["sums"] = {k: v for k, v in saved.items() if k not in carried}
            code = self.expr(body, owner)
            self.__dict__["sums"] = saved
            carried = {}
        zeros = {var: self.const(r.zero) for r in sequential_sums(body) if (var := carried.get(r.id))}
        self.back(noted)
        lazy = sorted(set(_WALRUS.findall(code)))
        lines = [f"        nonlocal {', '.join(lazy)}"] if lazy else []
        # values.Items (a list with the running sums' table: ~0.5 µs to make, a Python class)
        # only where values.running or an item function is given the values so far.
        items = "_v.Items()" if re.search(r"\b_o[,)]", code) else "[]"
        lines += [f"        _o = {items}", *[f"        {var} = {zero}" for var, zero in zeros.items()],
                  f"        for _i in range({_length(listed)}):", f"            _o.append({code})", "        return tuple(_o)"]
        return self.place(f"_each{body.id}", lines)

    def sum_loop(self, test: ir.Expr | None, value: ir.Expr | None, zero: Any, owner: str, listed: str | None = None
                 ) -> str:
        """A nested function `_aK(_L)` for 合计 (value) or 人数 (value None) over the items that
        pass `test` (None: all): values.aggregate's additions in its order, in one loop."""
        saved = self.__dict__.get("sums", {})
        self.__dict__["sums"] = {}  # an item here is not an item of an enclosing per-item loop
        noted = self.apart()
        try:
            add = "1" if value is None else self.expr(value, owner)
            cond = None if test is None else self.expr(test, owner)
        finally:
            self.__dict__["sums"] = saved
            self.back(noted)
        lazy = sorted(set(_WALRUS.findall(f"{cond} {add}")))
        lines = [f"        nonlocal {', '.join(lazy)}"] if lazy else []
        lines += ["        _o = None", f"        _n = {self.const(zero) if value is not None else '0'}",
                  f"        for _i in range({_length(listed)}):"]
        lines += [f"            if {cond}:", f"                _n = _n + {add}"] if cond else [f"            _n = _n + {add}"]
        lines.append("        return _n")
        node = value if value is not None else test
        assert node is not None  # INVARIANT: a count over every item is len (list_expr)
        return self.place(f"_sum{node.id}", lines)

    def without_sums(self, node: ir.Expr, owner: str) -> str:
        """`node`'s code with no carried sum: a 累计's own argument reads the others by
        values.running."""
        saved = self.__dict__.get("sums", {})
        self.__dict__["sums"] = {}
        try:
            return str(self.expr(node, owner))
        finally:
            self.__dict__["sums"] = saved

    def item_is_decimal(self, name: str) -> bool:
        """codegen.is_decimal of a per-item definition's value: its body's, or rounded (memoised)."""
        key = f"{name}[]"
        if key not in self.decimal_refs:
            self.decimal_refs[key] = False  # (a 累计 of itself is no ItemRef's concern)
            d = self.p.defs[name]
            self.decimal_refs[key] = d.round is not None or (isinstance(d.expr, ir.Each) and self.is_decimal(d.expr.body))
        return self.decimal_refs[key]

    def item_function(self, node: ir.Expr, owner: str) -> str:
        """A nested function computing `node` for an item (of the list the loop being written
        reads: items_of); its name."""
        saved = self.apart()
        code = self.expr(node, owner)
        self.back(saved)
        lazy = sorted(set(_WALRUS.findall(code)))
        body = [f"        nonlocal {', '.join(lazy)}"] if lazy else []
        body.append(f"        return {code}")
        return self.place(f"_f{node.id}", body)

    def place(self, name: str, body: list[str]) -> str:
        """Where a list function goes; its name. One whose body reads nothing of the function
        being written (no input, definition, flag, argument or function nested in it) is written
        once at module level (`_m_fK`), made at import: a function nested in the generated one
        is made again, with its closure, on every call (~0.15 µs each, as much as a few
        operations of the whole rule). Any other is nested, at the top of that function (hoist);
        the same node written again with another body (read lazily at two places) gets a name
        of its own."""
        nested: dict[str, list[str]] = self.__dict__.setdefault("nested", {})
        text = "\n".join(body)
        if not _OUTER.search(text) and not any(n in nested for n in _NESTED.findall(text)):
            module: dict[str, str] = self.__dict__.setdefault("module_functions", {})  # text -> name
            params = "_L" if name.startswith(("_each", "_sum")) else "_L, _i, _o"
            if not _QUOTED_TEMP.search(text):  # (a field named like a temporary keeps its name)
                temps: dict[str, str] = {}  # its own temporaries, numbered afresh: one function per body
                text = _TEMP.sub(lambda m: temps.setdefault(m[0], f"_t{len(temps)}"), text)
            key = f"({params}):\n{text}"
            if key not in module:
                taken = set(module.values())
                fn = f"_m{name}"
                while fn in taken:
                    fn += "_"
                module[key] = fn
                self.const_lines.extend(["", "", f"def {fn}({params}):", *(line[4:] for line in text.split("\n")),
                                         "", ""])
            return module[key]
        while name in nested and nested[name] != body:
            name += "_"
        nested[name] = body
        return name

    def hoist(self, start: int) -> None:
        """The function written (from `start`): put its nested functions at its top
        (hoist_nested), reading the fields only those made under subset flags read only when
        one of those flags is set (flagged_columns)."""
        nested: dict[str, list[str]] = self.__dict__.pop("nested", {})
        flags: dict[str, set[str] | None] = {}
        at = None
        if nested:  # (nothing to put: no scan of the function's every line)
            flags = _flags_using(self.lines[start:], nested)
            at = next((i + 1 for i in range(start, len(self.lines)) if self.lines[i].endswith("= need")), None)
            if at is None:  # no subset flags in this function: every nested function at its top
                flags = dict.fromkeys(nested)
        columns: itemcols.Columns | None = self.__dict__.pop("columns", None)
        if columns is not None:
            self.flagged_columns(start, columns, flags)
        if nested:
            self.hoist_nested(start, nested, flags, at)

    def flagged_columns(self, start: int, columns: itemcols.Columns, flags: dict[str, set[str] | None]) -> None:
        """A list read as columns some of which only nested functions made under subset flags
        read (out_subset): those columns are read when one of the flags is set, `i_各项 =
        _C1(i_各项) if _n4 or _n5 else _C0(i_各项)`, its reader statement rewritten so."""
        for listed, fields in columns.guards(flags).items():
            using = sorted({flag for flagged in fields.values() for flag in flagged}, key=lambda f: (f[:2], int(f[2:])))
            if columns.always_one(listed, using):
                continue
            full = columns.statements[listed]
            layout = columns.layouts[listed]
            kept = tuple(None if f in fields and k else f for k, f in enumerate(layout))  # (the first: the length)
            while kept[-1] is None:
                kept = kept[:-1]
            spec = self.inputs[listed]
            ident = self.local("input", listed)
            call = f"{ident} = {full}({ident})"
            # INVARIANT: the one line of the function that is `call` is the reader's statement (codegen.input_lines)
            line = next(i for i in range(start, len(self.lines)) if self.lines[i].strip() == call)
            self.lines[line] = self.lines[line].replace(
                call, f"{call} if {' or '.join(using)} else {self.column_reader(spec, kept)}({ident})")
            statement = max(k for k, note in enumerate(self.notes) if note[0] <= line)
            self.notes[statement][2].update(using)

    def hoist_nested(self, start: int, nested: dict[str, list[str]], flags: dict[str, set[str] | None],
                     at: int | None) -> None:
        """Put the nested functions made while writing a function at its top (after `start`).

        In out_subset, one that only statements under subset flags use (directly or through
        another nested function: `flags`, each one's) is made only when one of those flags is
        set (after the line `at` unpacking them): making a nested function costs ~0.15 µs a
        call (subsistence's 月低保金 alone made two it never used)."""
        head: list[str] = []
        guarded: dict[tuple[str, ...], list[str]] = {}
        for name, body in nested.items():
            defn = [f"    def {name}(_L):" if name.startswith(("_each", "_sum")) else f"    def {name}(_L, _i, _o):", *body]
            using = flags[name]
            if using is None:
                head += defn
            else:
                guarded.setdefault(tuple(sorted(using, key=lambda f: (f[:2], int(f[2:])))), []).extend(defn)
        self.lines[start:start] = head
        self.rule_lines[start:start] = [0] * len(head)
        if guarded:
            assert at is not None  # INVARIANT: flags only where the flags are unpacked
            at += len(head)
            lines = [text for group, defn in guarded.items()
                     for text in (f"    if {' or '.join(group)}:", *("    " + line for line in defn))]
            self.lines[at:at] = lines
            self.rule_lines[at:at] = [0] * len(lines)


def _length(listed: str | None) -> str:
    """The number of items of a loop's `_L`: its first column's length when read as columns."""
    return "len(_L)" if listed is None else "len(_L[0])"


def _each_over(expr: ir.Expr, listed: str) -> bool:
    """True when `expr` is a per-item definition over list input `listed`."""
    return isinstance(expr, ir.Each) and isinstance(expr.source, ir.Input) and expr.source.name == listed


def sequential_sums(body: ir.Expr) -> list[ir.Running]:
    """The 累计 nodes of a per-item body that every evaluation of the body reaches, whatever
    its path: not under a branch, the right side of 且/或, a nested list construct or another
    累计's argument. Evaluated once an item, in item order, each is a running total."""
    found: list[ir.Running] = []
    stack: list[ir.Expr] = [body]
    while stack:
        node = stack.pop()
        match node:
            case ir.Running():
                found.append(node)
            case ir.Arith(left=a, right=b) | ir.Cmp(left=a, right=b):
                stack += (a, b)
            case ir.And(left=a) | ir.Or(left=a) | ir.Neg(arg=a) | ir.Not(arg=a) | ir.Round(arg=a) | ir.If(cond=a):
                stack.append(a)
            case ir.Min(args=args) | ir.Max(args=args):
                stack += args
            case ir.Progressive(scale=scale, base=base):
                stack += (scale, base)
            case ir.Match(subject=subject) | ir.Bands(subject=subject):
                stack.append(subject)
            case ir.Cond(branches=rows) if rows:
                stack.append(rows[0].test)
    return found


_FLAG_TEST = re.compile(r"    if (_n\d+):$")


def _flags_using(lines: list[str], nested: dict[str, list[str]]) -> dict[str, set[str] | None]:
    """For each nested function, the subset flags under which the statements of `lines` (a
    generated function's body) that use it run, directly or through another nested function;
    None when some use is not under a flag (or a flag is not recognised): made unconditionally."""
    current: str | None = None
    found: dict[str, set[str] | None] = {name: set() for name in nested}
    for line in lines:
        if line.startswith("    ") and not line.startswith("     "):  # a statement of the function itself
            test = _FLAG_TEST.match(line)
            current = test[1] if test else None
        for name in _NESTED.findall(line):
            if name in found:
                _add(found, name, current)
    changed = True
    while changed:  # a function used by another is needed wherever that one is
        changed = False
        for user, body in nested.items():
            for name in set(_NESTED.findall("\n".join(body))):
                if name in found and name != user:
                    before = found[name]
                    users = found[user]
                    if users is None:
                        found[name] = None
                    elif before is not None:
                        found[name] = before | users
                    changed = changed or found[name] != before
    return {name: (None if flags is None or not flags else flags) for name, flags in found.items()}


def _add(found: dict[str, set[str] | None], name: str, flag: str | None) -> None:
    flags = found[name]
    if flags is not None:
        if flag is None:
            found[name] = None
        else:
            flags.add(flag)
