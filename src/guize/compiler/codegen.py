"""Generate readable, deterministic Python source from a checked policy."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from guize._version import __version__
from guize.compiler import (
    constfold,
    enumfold,
    guarded_reads,
    inline_reads,
    listsdrop,
    splitfn,
    timefold,
    ymindex,
)
from guize.compiler.checker import CheckedPolicy
from guize.compiler.contextfree import needs_decimal_context
from guize.compiler.defstable import defs_lines
from guize.compiler.exprgen import ExprCode
from guize.compiler.inline_calls import (
    date_lines,
)
from guize.compiler.inline_reads import (
    counted_prefetch,
    months_expr,
    number_read,
    plain_number,
    prefetch_number_read,
)
from guize.compiler.listgen import ListCode
from guize.compiler.literals import literal_lines, records_lines
from guize.compiler.names import Names
from guize.compiler.scale_inline import Shares, rounded_deduction, shared_brackets
from guize.compiler.single_refs import computed_once, marked
from guize.compiler.stmtnames import Emitter, Note
from guize.runtime import ir
from guize.runtime.deps import dependencies
from guize.runtime.keyed import keyed_outputs

_CONVERTERS = {"money": "_to_decimal", "quantity": "_to_decimal", "rate": "_to_rate",
               "int": "_to_int", "bool": "_to_bool", "date": "_to_date", "enum": "_to_enum",
               "duration": "_v.to_period", "age": "_v.to_age", "year_month": "_v.to_year_month"}
# Definitions above which a policy's evaluators are written once (see CodeGenerator.shared_all): out_all
# is out_subset with every flag set, and no output has a function of its own (LISTS). The corpus is
# far below: its code is as it was.
SHARED_ABOVE = 100


class CodeGenerator(Emitter, ExprCode, ListCode):
    def __init__(self, policy: CheckedPolicy, source_path: str) -> None:
        self.p = self.checked = policy  # p: with enumfold's tables (below); checked: as written, for DEFS
        self.source_path = source_path
        self.lines: list[str] = []
        self.rule_lines: list[int] = []  # for each line of self.lines, its .rule line (0: none)
        self.consts: dict[tuple[str, str], str] = {}
        self.function_names: set[str] = set()  # each _FUNCS entry called, bound once at import (_F_name)
        self.const_lines: list[str] = []
        self.names = Names()
        self.temp = 0
        self.init_notes()  # the names each statement binds and reads (stmtnames, for splitfn)
        self.inputs = {spec["name"]: spec for spec in policy.inputs}
        self.input_index = {spec["name"]: i for i, spec in enumerate(policy.inputs)}  # declaration order
        # Definitions that are plain constants (most 参数) are folded into their uses;
        # outputs stay assigned so they can be returned.
        outputs = frozenset(policy.outputs)  # a set: a tuple's `in` made this quadratic
        self.folded = {name: d.expr.value for name, d in policy.defs.items()
                       if isinstance(d.expr, ir.Const) and d.round is None and name not in outputs
                       and not d.given}
        self.folded = constfold.folded_defs(policy.defs, policy.order, self.folded, outputs)  # 0.38 − 0.33 too
        self.constfold_memo: dict[int, Any] = {}  # constfold.value of each Arith node met, by id
        # Evaluation is lazy (see ir.strict_needs): in the function being written, these
        # ("ref"/"input", name) are computed or read where the path first reaches them.
        self.lazy: set[tuple[str, str]] = set()
        self.readers: dict[str, str] = {}  # input -> its reader function (for lazy reads)
        self.needs_memo: dict[str, ir.Needs] = {}
        self.order_index: dict[str, int] = {}  # definition -> its place in policy.order (strict)
        self.decimal_refs: dict[str, bool] = {}  # is_decimal of each definition, once
        self.compared_only = timefold.compared_only(policy.defs, self.inputs)  # 期间/年龄 inputs kept ints
        self.compared_defs = timefold.compared_defs(policy.defs, outputs) | timefold.arith_defs(policy.defs, outputs)
        self.ym_indexed = ymindex.indexed(policy.defs, outputs, self.folded)  # 年月 kept month indices
        self.p = enumfold.with_tables(policy, enumfold.tables(policy.defs, self.inputs, self.folded))
        self.shared = len(policy.defs) > SHARED_ABOVE  # out_all and out_subset one function (shared_all)
        self.scale_shares = Shares()  # brackets of a scale shared by statements (scale_inline), per function
        self.once: frozenset[str] = frozenset()  # read in one place, computed in place (single_refs), per function

    # ------------------------------------------------------------ helpers

    def const(self, value: Any) -> str:
        if value.__class__ is Decimal and (known := self.consts.get(("Decimal", repr(value)))):
            return known  # (most constants, met before)
        wrapped = timefold.const_call(value)  # a Period, Age or YearMonth folded at compile time
        if wrapped is not None:
            key = (type(value).__name__, repr(value))
            if key not in self.consts:
                self.consts[key] = f"_K{len(self.consts)}"
                self.const_lines.append(f"{self.consts[key]} = {wrapped}")
            return self.consts[key]
        if isinstance(value, bool) or value is None:
            return repr(value)
        if isinstance(value, int):
            return repr(value)
        if isinstance(value, str):
            return repr(value)
        # Decimals and dates are built once, at import, not on every call.
        members = sorted(value, key=repr) if isinstance(value, frozenset) else None  # a fixed order
        key = (type(value).__name__, repr(value if members is None else members))
        if key not in self.consts:
            name = f"_K{len(self.consts)}"
            self.consts[key] = name
            if isinstance(value, Decimal):
                self.const_lines.append(f"{name} = Decimal({str(value)!r})")
            elif isinstance(value, datetime.date):
                self.const_lines.append(f"{name} = datetime.date({value.year}, {value.month}, {value.day})")
            elif isinstance(value, tuple):
                self.const_lines.append(f"{name} = ({''.join(self.const(v) + ', ' for v in value)})")
            elif members is not None:  # a frozenset, for membership tests
                self.const_lines.append(f"{name} = frozenset(({''.join(self.const(v) + ', ' for v in members)}))")
            elif isinstance(value, dict):
                items = ", ".join(f"{self.const(k)}: {self.const(v)}" for k, v in value.items())
                self.const_lines.append(f"{name} = {{{items}}}")
            else:  # INVARIANT: the checker only produces the literal kinds above
                raise TypeError(value)
        return self.consts[key]

    def function_name(self, func: str) -> str:
        """A module-level name for _FUNCS[func] (no dict look-up on each call)."""
        if func not in self.function_names:
            self.function_names.add(func)
            self.const_lines.append(f"_F_{func} = _FUNCS[{func!r}]")
        return f"_F_{func}"

    def fresh(self) -> str:
        self.temp += 1
        self.bound.add(name := f"_t{self.temp}")  # (bound where it is made)
        self.read.add(name)
        return name

    def bound_local(self, name: str) -> str:
        """An input's local, noted as bound (the target of the statement being written)."""
        self.bind(ident := self.local("input", name))
        return ident

    def local(self, kind: str, name: str) -> str:
        ident = self.names.get("d" if kind == "ref" else "i", name)
        self.read.add(ident)
        return ident

    def dated_table(self) -> tuple[tuple[tuple[Any, ...], ...], ...]:
        """For each dated slot, its versions' (start, end[, known]): all Policy.env needs to pick them."""
        table: list[tuple[tuple[Any, ...], ...]] = [()] * self.p.slots
        for d in self.p.defs.values() if self.p.slots else ():  # (no dated value: no walk)
            for node in ir.dated_nodes(d.expr):
                table[node.slot] = tuple((v.start, v.end) if v.known is None else (v.start, v.end, v.known)
                                         for v in node.versions)
        return tuple(table)

    # ------------------------------------------------------------ functions

    def closure(self, names: list[str]) -> tuple[list[str], list[str]]:
        """Definitions (in dependency order) and inputs that `names` need."""
        need = dependencies(self.p.defs, names)
        if len(self.order_index) != len(self.p.order):  # built once: closure runs per output
            self.order_index.update((n, i) for i, n in enumerate(self.p.order))
        # Sorted by place in the order, not a scan of the whole order (quadratic over all outputs).
        defs = sorted((n for n in need if n in self.order_index), key=self.order_index.__getitem__)
        inputs = sorted({i for n in defs for i in self.p.defs[n].inputs}, key=self.input_index.__getitem__)
        return defs, inputs

    def input_lines(self, name: str) -> list[str]:
        """Convert one input; the common, already-valid value costs no call (checks inline)."""
        spec = self.inputs[name]
        ident = self.local("input", name)
        self.bound.add(ident)  # (every form below assigns it)
        lines = []
        if spec["has_default"]:  # read by the prologue (see read_inputs)
            lines += [f"    if {ident} is _ABSENT:", f"        {ident} = {self.const(spec['default'])}"]
        kind = spec["kind"]
        if spec.get("negative") or kind == "list":  # 可为负, a list: the runtime's converter
            self.readers.setdefault(name, ident)
            convert, fast = f"_v.convert(_SPECS[{name!r}], {ident})", self.fast_check(spec, ident)
            if kind == "list" and (reader := self.items_reader(spec)) is not None:
                convert = f"{reader}({ident})"
            if fast:  # plain values inline, as for the other inputs; the rest by the converter
                return [*lines, f"    if not ({fast}):", f"        {ident} = {convert}"]
            if plain_number(spec):
                return [*lines, *number_read(self, ident, f"_v.convert(_SPECS[{name!r}], data[{name!r}])", "    ",
                                                  negative=True)]
            return [*lines, f"    {ident} = {convert}"]
        fast = self.fast_check(spec, ident)
        int_scale = kind == "int" and spec["scale"] != 1 and spec["scale"] == int(spec["scale"])
        extra = f", {self.const(spec['members'])}" if kind == "enum" else ""
        call = f"{_CONVERTERS[kind]}({ident}, {name!r}{extra})"
        if kind in ("money", "quantity") and spec["scale"] != 1:
            call = f"{call} * {self.const(spec['scale'])}"
        if int_scale:
            call = f"{call} * {self.const(int(spec['scale']))}"
        if fast:
            lines += [f"    if not ({fast}):", f"        {ident} = {call}"]
        elif kind in ("duration", "age") and name in self.compared_only:  # kept a plain int (timefold)
            lines += [f"    if not ({months_expr(ident, kind).split(' if ', 1)[1]}):", f"        {ident} = {call}"]
        elif kind in ("duration", "age"):  # a whole number of months: the common form, inline
            lines.append(f"    {ident} = {months_expr(ident, kind)} else {call}")
        elif plain_number(spec):
            # Plain numerals (str, int, Decimal) are read inline; anything else, and any value
            # that is not a finite non-negative number, goes through the full converter.
            # The converter reads the caller's value again (a default is never invalid).
            lines += number_read(self, ident, f"{_CONVERTERS[kind]}(data[{name!r}], {name!r})", "    ")
        elif kind == "date":
            lines += date_lines(self, ident, call)
        else:
            lines.append(f"    {ident} = {call}")
        return lines

    def module_line(self, key: str, line: str) -> None:
        """A module-level name the generated code uses, written once among the constants."""
        if key not in self.function_names:
            self.function_names.add(key)
            self.const_lines.append(line)

    def def_code(self, name: str) -> str:
        d = self.p.defs[name]
        if name in self.ym_indexed:  # a month index (not rounded, not 可作输入)
            return ymindex.index_code(self, d.expr, name)
        rounded = rounded_deduction(self, d, name)  # a 速算扣除数 by its rounded deductions (scale_inline), or None
        if rounded is None and d.round is not None:  # its constant parts rounded here (constfold), or at run time
            mode, quantum = d.round
            rounded = constfold.rounded_code(self, d.expr, name, mode, quantum)
            code = rounded or self.rounding(self.expr(d.expr, name), d.expr, quantum, mode)
        else:
            code = rounded or self.expr(d.expr, name)
        if d.given:  # 可作输入: the caller's value, by the runtime's converter, wins over the formula
            self.readers.setdefault(name, "")
            return f"(_v.convert(_SPECS[{name!r}], data[{name!r}]) if {name!r} in data else {code})"
        return code

    def def_lines(self, name: str) -> list[str]:
        """The statement computing a definition where every path needs it: what it needs on
        every path has been computed before it, so only the rest is read lazily."""
        if name in self.folded:
            return []
        # What this definition needs on every path is computed before it: taken out of the lazy set
        # while its code is written, then put back (in place: copying the set for every definition
        # was quadratic).
        removed = ir.strict_needs(self.p.defs, [name], self.needs_memo) & self.lazy if self.lazy else frozenset()
        self.lazy -= removed
        try:  # (a scale's bracket it shares with later statements is found before it: scale_inline)
            self.bind(target := self.local("ref", name))
            return self.scale_shares.statement(name, f"    {target} = ", self.def_code)
        finally:
            self.lazy |= removed

    def strict(self, names: list[str]) -> tuple[list[str], list[str]]:
        """Definitions (in dependency order) and inputs (in declaration order) that every path
        of `names` reads: computed and read first, in this order, by every engine."""
        needs = ir.strict_needs(self.p.defs, names, self.needs_memo)
        if len(self.order_index) != len(self.p.order):  # built once: these lists are per output
            self.order_index.update((n, i) for i, n in enumerate(self.p.order))
        defs = sorted((n for kind, n in needs if kind == "ref" and n in self.order_index),
                      key=self.order_index.__getitem__)
        inputs = sorted((n for kind, n in needs if kind == "input" and n in self.input_index),
                        key=self.input_index.__getitem__)
        return defs, inputs

    def prefetch_lines(self, name: str) -> list[str]:
        """Read an input that only some paths need, if it is given and plainly valid (the common
        case, checked inline as the eager read does); anything else stays unread (`_U`) for the
        path that needs it, which then reports the error. Only saves time: the value is the one
        the lazy read would give."""
        spec = self.inputs[name]
        ident = self.local("input", name)
        kind = spec["kind"]
        if kind == "list":
            return []  # read where the path needs it, by the runtime's converter
        negative = bool(spec.get("negative"))
        fast = self.fast_check(spec, "_g")
        head = [f"    {ident} = data.get({name!r}, _U)", f"    if {ident} is not _U:"]
        self.bound.add(ident)  # (every form below that writes a line assigns it)
        if fast:  # one line, the long name once (as prefetch_number_lines); _U fails every fast test
            assert fast.startswith("_g")
            self.bind("_g")
            return [f"    {ident} = _g if (_g := data.get({name!r}, _U)){fast[2:]} else _U"]
        if plain_number(spec):
            return prefetch_number_read(self, ident, name, negative)
        if kind in ("duration", "age") and name in self.compared_only:  # kept a plain int (timefold): one line
            test = months_expr("_g", kind).split(" if ", 1)[1].replace("_g", f"(_g := data.get({name!r}, _U))", 1)
            self.bind("_g")
            return [f"    {ident} = _g if {test} else _U"]
        if kind in ("duration", "age"):  # (a negative one is left to the converter)
            return [*head, f"        {ident} = {months_expr(ident, kind)} else _U"]
        return []  # read where the path needs it


    def fast_check(self, spec: dict[str, Any], ident: str) -> str | None:
        """The inline test that an input's value needs no conversion, for the kinds that have one
        (not 整数（年）, whose years are held as months)."""
        kind = spec["kind"]
        if kind == "enum":
            return f"{ident}.__class__ is str and {ident} in {self.const(frozenset(spec['members']))}"
        if kind == "int" and spec["scale"] != 1:
            return None
        if kind == "int" and spec.get("negative"):
            return f"{ident}.__class__ is int and -_INT_LIMIT < {ident} < _INT_LIMIT"
        return {"bool": f"{ident} is True or {ident} is False",
                "int": f"{ident}.__class__ is int and 0 <= {ident} < _INT_LIMIT"}.get(kind)

    def unset(self, names: list[tuple[str, str]]) -> None:
        """Mark what is computed lazily as not yet computed (`_U`), a few names a line."""
        saved = self.apart()  # (each line's names are its own)
        idents = [self.local(kind, n) for kind, n in names if not (kind == "ref" and n in self.folded)]
        self.back(saved)
        for i in range(0, len(idents), 6):
            self.statement([f"    {' = '.join(idents[i:i + 6])} = _U"], note=(set(idents[i:i + 6]), set(idents[i:i + 6])))

    def reader_functions(self) -> None:
        """`_read`, for inputs read lazily: the value where the path first needs it, checked and
        converted by the runtime's converter (the interpreter's), a missing one naming what
        needed it. Only modules that read some input lazily have it."""
        if self.readers:
            self.statement(["_SPECS = {spec['name']: spec for spec in INPUTS}", "", "",
                            "def _read(data, name, owner):",
                            '    """An input read where the path first needs it (see values.read_input)."""',
                            "    return _v.read_input(data, _SPECS[name], owner)", "", ""])

    def read_inputs(self, inputs: list[str], for_all: bool | str, need: dict[str, str] | None = None,
                    counted: bool = False) -> None:
        """Read the inputs into locals, in the order errors are reported: a missing required
        input, then unknown names.

        Optional inputs read ABSENT when not given. Unknown names are rejected since a misspelt
        optional input would silently take its default: the required inputs have been read, so
        when every input is given and the data holds no other key, the count proves all keys
        known; otherwise the keys are counted exactly, and any other count gets the full
        comparison (which allows inputs of other outputs).

        With `need` (input -> its flag, in the subset evaluator), each input is read only when
        its flag is set; there, and wherever inputs are read later (lazily), every key is tested."""
        required = [n for n in inputs if not self.inputs[n]["has_default"]]
        optional = [n for n in inputs if self.inputs[n]["has_default"]]

        def present(name: str, absent: bool) -> str:
            test = f"{self.local('input', name)} is {'' if absent else 'not '}_ABSENT"
            if need is not None:
                self.read.add(need[name])
            return f"({need[name]} and {test})" if need is not None else test

        if required:
            self.plain_line("    try:")
            reads, notes = self.noted(lambda n: (n, [f"    {self.bound_local(n)} = data[{n!r}]"], self.inputs[n]["line"], ""),
                                      required)
            self.guarded(reads, need, "    ", notes)
            missing = for_all if isinstance(for_all, str) else "True" if for_all else ""  # (str: a test)
            self.bind("exc")
            self.statement(["    except KeyError as exc:",
                            f"        raise _v.missing(exc.args[0]{', ' + missing if missing else ''}) from None"])
        optional_reads, notes = self.noted(
            lambda n: (n, [f"    {self.bound_local(n)} = data.get({n!r}, _ABSENT)"], self.inputs[n]["line"], ""), optional)
        self.guarded(optional_reads, need, notes=notes)
        if counted:  # tested by the caller once the inputs read lazily are prefetched (counted_prefetch)
            return
        if need is not None or any(kind == "input" for kind, _n in self.lazy):
            # Inputs read later, where the path needs them, may be given too: test every key.
            self.statement([f"    if {inline_reads.names_test(self, inputs, need)}:", "        _v.unknown_inputs(data, INPUT_NAMES)"])
            return
        full = [f"len(data) != {len(inputs)}"] + [present(n, True) for n in optional]
        exact = " + ".join([str(len(required))] + [f"({present(n, False)})" for n in optional])
        if optional:
            self.statement([f"    if {' or '.join(full)}:", f"        if len(data) != {exact}:",
                            "            _v.unknown_inputs(data, INPUT_NAMES)"])
        else:
            self.statement([f"    if {full[0]}{inline_reads.mapping_test(self, inputs, None)}:",
                            "        _v.unknown_inputs(data, INPUT_NAMES)"])

    def body(self, inputs: list[str], defs: list[str], need: dict[str, str] | None = None,
             after: dict[str, tuple[list[str], Note]] | None = None) -> None:
        """Each input's conversion, then each definition, in order; `after` a definition, the
        statement to write right after it (the prefetches under its guard: guarded_block)."""
        self.scale_shares = shared_brackets(self, defs, need)
        items, notes = self.noted(lambda n: (n, self.input_lines(n), self.inputs[n]["line"], ""), inputs)
        def_items, def_notes = self.noted(lambda n: (n, self.def_lines(n), self.p.defs[n].line,
                                                     f"「{n}」" + " (a month index)" * (n in self.ym_indexed)), defs)
        for name, (lines, note) in (after or {}).items():  # (after its guard's statement, under its flag)
            at = defs.index(name) + 1
            def_items.insert(at, (name, lines, 0, ""))
            def_notes.insert(at, note)
        self.guarded(items + def_items, need, notes=notes + def_notes)

    def guarded_block(self, guards: dict[str, list[str]], prefetch: dict[str, tuple[list[str], Note]],
                      need: dict[str, str] | None = None) -> dict[str, tuple[list[str], Note]]:
        """For each guard C (guarded_reads.guards), the prefetches of its inputs under `if d_C:`,
        then `else:` marks them not read (_U), with their names. In out_subset (`need`), each
        under the flag it had (consecutive ones under one test), so that a copy for some outputs
        (runtime/specialize) keeps only theirs; there they are not marked at the top either.
        Where the flag is not set, or C is false, nothing reads them (guarded_reads); the marks
        make a read guarded_reads missed the lazy read it would have been (compiler/splitfn
        marks a local a later part reads and an earlier one binds on some paths only)."""
        out: dict[str, tuple[list[str], Note]] = {}
        saved = self.apart()  # (each block's names are its own note)
        for guard, inputs in guards.items():
            test = self.local("ref", guard)
            lines, flag = [f"    if {test}:"], None
            read = {test}
            for name in inputs:
                pad = "    "
                if need is not None:
                    if need[name] != flag:
                        flag = need[name]
                        lines.append(f"        if {flag}:")
                        read.add(flag)
                    pad = "        "
                lines += [pad + line for line in prefetch[name][0]]
            bound = set().union(*(prefetch[name][1][0] for name in inputs))
            read |= set().union(*(prefetch[name][1][1] for name in inputs))
            lines.append("    else:")
            groups: dict[str, list[str]] = {}  # (in out_subset, under each flag again)
            for name in inputs:
                groups.setdefault(need[name] if need is not None else "", []).append(self.local("input", name))
            for flag, idents in groups.items():
                pad = "        " if not flag else "            "
                lines += [f"        if {flag}:"] if flag else []
                lines += [f"{pad}{' = '.join(idents[i:i + 6])} = _U" for i in range(0, len(idents), 6)]
                bound |= set(idents)
            out[guard] = (lines, (bound, read | bound))
        self.back(saved)
        return out

    def function(self, fname: str, outputs: list[str], doc: str) -> None:
        defs, inputs = self.strict(outputs)
        every_def, every_input = self.closure(outputs)
        strict_defs, strict_inputs = set(defs), set(inputs)  # sets: lists made this quadratic
        self.lazy = {("ref", n) for n in every_def if n not in strict_defs} | {
            ("input", n) for n in every_input if n not in strict_inputs}
        self.once = computed_once(self, every_def)
        self.plan_columns(every_def, inputs)  # the lists read as columns (listgen, compiler/itemcols.py)
        self.lines += [f"def {fname}(data, e, need=None):", f'    """{doc}"""']
        self.rule_lines += [0, 0]
        top = len(self.lines)
        self.notes, _dropped = [], self.taken()  # (this function's statements only)
        # Errors are found in a fixed order, the same as the interpreter's: missing inputs that
        # every path reads, unknown input names, then those inputs' values in declaration order,
        # then the definitions every path computes, in order; the rest where the path reaches it.
        prefetched = [n for n in every_input if ("input", n) in self.lazy]
        made, notes = self.noted(self.prefetch_lines, prefetched)
        prefetch: dict[str, list[str]] = dict(zip(prefetched, made, strict=True))
        self.unset(marked(self.lazy, prefetch, self.once))
        (counted,), (counted_note,) = self.noted(lambda _n: counted_prefetch(self, inputs, every_input), [""])
        self.read_inputs(inputs, fname == "out_all", counted=counted is not None)
        # (the count reads every prefetched input's local: none is moved under a guard then)
        guards = guarded_reads.guards(self, defs, [n for n in prefetched if prefetch[n]]) if counted is None else {}
        moved = {n for names in guards.values() for n in names}
        for name, note in zip(prefetched, notes, strict=True):
            if name not in moved:
                self.statement(prefetch[name], self.inputs[name]["line"], note=note)
        if counted is not None:
            self.statement(counted, note=counted_note)
        after = self.guarded_block(guards, {n: (prefetch[n], note) for n, note in zip(prefetched, notes, strict=True)})
        self.body(inputs, defs, after=after)
        values = {o: self.output_value(o) for o in outputs}
        self.hoist(top)
        self.statement(listsdrop.returned(values, self.__dict__.pop("within", [])))
        splitfn.split(self.lines, self.rule_lines, top - 2, fname, self.notes)  # a very large one in parts
        self.notes = []  # (used)
        self.once = frozenset()  # (out_subset memoises every definition it computes lazily)

    def output_value(self, name: str) -> str:
        """An output as returned: a per-item output of a list with a 主键 keyed by it (runtime/keyed.py)."""
        if "keyed" not in self.__dict__:
            self.__dict__["keyed"] = keyed_outputs(self.p.defs, self.inputs)
        found = self.__dict__["keyed"].get(name)
        if found is None:
            return self.local("ref", name)
        source, key = found
        return f"_v.keyed({self.local('ref', name)}, {self.expr(ir.Input(source), name)}, {key!r})"

    def subset_function(self, shared: bool = False) -> list[tuple[int, ...]]:
        """out_subset: any outputs, each input and definition computed only when an output asked
        for needs it. Returns, for each flag, the
        outputs (their indices in OUTPUTS) that set it: Policy computes the flags once per list.
        `shared`: out_all calls it with _ALL_NEED (see shared_all), its missing inputs said so."""
        p = self.p
        users: dict[str, list[int]] = {}  # input or definition -> the outputs that read it on every path
        self.strict([])  # (builds order_index)
        for index, out in enumerate(p.outputs):  # (as strict([out]) finds them, not sorted: one list each)
            for kind, name in ir.strict_needs(p.defs, [out], self.needs_memo):
                if name in (self.order_index if kind == "ref" else self.input_index):
                    users.setdefault(name, []).append(index)
        groups: dict[tuple[int, ...], str] = {}
        need: dict[str, str] = {}
        defs, inputs = self.closure(list(p.outputs))
        # Whatever no asked output reads on every path is computed where the path reaches it.
        self.lazy = {("ref", n) for n in defs} | {("input", n) for n in inputs}
        # What no output reads on every path is not computed up front (its flag would never be set);
        # such an input is prefetched when an output that may read it is asked for (as in out_all).
        sometimes = [n for n in inputs if not users.get(n)]
        inputs = [n for n in inputs if users.get(n)]
        lazy_defs, defs = defs, [d for d in defs if users.get(d)]
        for name in inputs + [d for d in defs if d not in self.folded]:
            key = tuple(users.get(name, ()))
            need[name] = groups.setdefault(key, f"_n{len(groups)}")
        reachers: dict[str, list[int]] = {}  # input -> the outputs some path of which reads it
        for index, out in enumerate(p.outputs):  # (as closure([out]) finds them, not sorted)
            for name in {i for n in dependencies(p.defs, [out]) if n in self.order_index for i in p.defs[n].inputs}:
                reachers.setdefault(name, []).append(index)
        self.plan_columns(lazy_defs, inputs, need, groups)  # the lists read as columns (listgen, compiler/itemcols.py)
        made, notes = self.noted(self.prefetch_lines, sometimes)
        for name, lines in zip(sometimes, made, strict=True):
            if lines:
                need[name] = groups.setdefault(tuple(reachers[name]), f"_n{len(groups)}")
        guards = guarded_reads.guards(self, defs, [n for n, lines in zip(sometimes, made, strict=True) if lines])
        moved = {n for names in guards.values() for n in names}  # (prefetched under their guard, after it)
        after = self.guarded_block(guards, {n: (lines, note) for n, lines, note in zip(sometimes, made, notes, strict=True)},
                                   need=need)
        prefetch = [(n, lines, self.inputs[n]["line"], "") for n, lines in zip(sometimes, made, strict=True)
                    if lines and n not in moved]
        notes = [note for n, lines, note in zip(sometimes, made, notes, strict=True) if lines and n not in moved]
        asked = {out: f"_a{i}" for i, out in enumerate(p.outputs)}
        flags = [*groups.values(), *asked.values()]
        doc = ("Compute the outputs `need` asks for (see Policy.evaluate): the statements under\n"
               "    `if _nK:` run when an output that reads them on every path was asked for, `_aK` when\n"
               "    output K itself was; anything else is computed where the path reaches it.")
        self.lines += ["def out_subset(data, e, need):", *f'    """{doc}"""'.split("\n")]
        self.rule_lines += [0, 0, 0, 0]
        top = len(self.lines)
        self.notes, _dropped = [], self.taken()  # (this function's statements only)
        self.bind(*flags)
        self.statement([f"    {', '.join(flags)}, = need"])
        self.unset([("input", n) for n in inputs + sometimes if n not in moved] + [("ref", n) for n in lazy_defs])
        self.read_inputs(inputs, "need is _ALL_NEED" if shared else False, need)
        self.guarded(prefetch, need, notes=notes)
        self.body(inputs, defs, need, after=after)
        self.bind("out")
        self.statement(["    out = {}"])
        for out in p.outputs:
            self.read.update((asked[out], "out"))
            self.statement([f"    if {asked[out]}:", f"        out[{out!r}] = {self.output_value(out)}"])
        self.hoist(top)
        self.read.add("out")
        self.statement(["    return out", "", ""])
        splitfn.split(self.lines, self.rule_lines, top - 4, "out_subset", self.notes)  # a very large one in parts
        self.notes = []  # (used)
        return [*groups, *((i,) for i in range(len(p.outputs)))]

    def shared_all(self, flags: int) -> None:
        """A large policy's out_all: out_subset with every flag set. Written apart, out_all would
        repeat every statement of out_subset (a third of a large module, a third of codegen's and
        of compile()'s time), as each output's function of its own (LISTS) would repeat those of
        the outputs it is computed from: quadratic for a chain of outputs."""
        self.statement([f"_ALL_NEED = (True,) * {flags}", "", "",
                        "def out_all(data, e, need=None):",
                        '    """Compute every output: out_subset with every flag set (SHARED_ABOVE)."""',
                        "    return out_subset(data, e, _ALL_NEED)", "", ""])

    def generate(self) -> str:
        p = self.p
        # An output computed from other outputs, asked for with them (the usual case), has a
        # function of its own (LISTS): one call; out_all computes every output; out_subset any
        # other list, a single output included.
        functions: list[tuple[str, str]] = []
        lists: list[tuple[tuple[str, ...], str]] = []  # an output with the outputs it is computed from
        within: list[tuple[tuple[str, ...], str, int]] = []  # a list within one of those (listsdrop)
        output_index = {o: i for i, o in enumerate(p.outputs)}
        for out in p.outputs if not self.shared else ():
            reached = set(dependencies(p.defs, [out]))  # in output order, without scanning every output
            computed = tuple(sorted((o for o in reached if o in output_index), key=output_index.__getitem__))
            if computed != (out,):
                with_name = self.names.get("with", out)
                lists.append((computed, with_name))
                self.__dict__["within"] = listsdrop.variants(computed, out, self.strict)  # (read by function)
                within += [(kept, with_name, mask) for mask, kept in self.__dict__["within"]]
                self.function(with_name, list(computed),
                              f"Compute 「{out}」 with the outputs it is computed from, asked for together.")
        subset: list[tuple[int, ...]] = []
        if p.outputs and self.shared:
            subset = self.subset_function(shared=True)
            self.shared_all(len(subset))
        elif p.outputs:
            self.function("out_all", list(p.outputs), "Compute every output.")
            subset = self.subset_function()
        self.lazy = set()
        self.reader_functions()
        body, body_rules = self.lines, self.rule_lines
        self.lines, self.rule_lines = [], []
        # A path with a line break (or anything unprintable) would end the comment: quote it then.
        shown = self.source_path if self.source_path.isprintable() else repr(self.source_path)
        head = [
            f"# Generated by guize {__version__} from {shown}",
            f"# source sha256: {p.source_sha256}",
            "# Do not edit: regenerate with `guize compile`. Needs only guize.runtime at run time.",
            "import datetime",
            "from decimal import Decimal",
            "",
            *(["from guize.runtime import scales as _scales"]
              if any("_scales." in line for line in (*body, *self.const_lines)) else []),
            "from guize.runtime import values as _v",
            "",
            "_FUNCS = _v.FUNCS",
            "_rnd = _v.rnd",
            "_ROUND_HALF_UP, _ROUND_FLOOR, _ROUND_CEILING, _ROUND_DOWN = (",
            "    _v.ROUND_HALF_UP, _v.ROUND_FLOOR, _v.ROUND_CEILING, _v.ROUND_DOWN)",
            "_PLAIN, _InvalidOperation, _ZERO, _NAN, _ABSENT = (str, int), _v.InvalidOperation, Decimal(0), Decimal('NaN'), _v.ABSENT",
            "_LIMIT, _INT_LIMIT, _U = _v.NUMBER_LIMIT, _v.INT_LIMIT, _v.ABSENT",
            "_QT, _QA, _TINY = _v.QUICK_TEXT, _v.QUICK_ADJUSTED, _v.QUICK_TINY",
            "_to_decimal, _to_rate, _to_int, _to_bool, _to_date, _to_enum = (",
            "    _v.to_decimal, _v.to_rate, _v.to_int, _v.to_bool, _v.to_date, _v.to_enum)",
            "_D, _date = Decimal, datetime.date  # in the literals below",
            f"GUIZE_VERSION = {__version__!r}",
            f"SOURCE_PATH = {self.source_path!r}",
            f"SOURCE_SHA256 = {p.source_sha256!r}",
        ]
        head += literal_lines("DOCUMENTS = ", p.documents)
        head += ["# INPUTS, DEFS and EXAMPLES are written as rows of their fields (see values.records);",
                 "# each definition's expression in guize.runtime.ir's compact form."]
        head += records_lines("INPUTS = ", p.inputs)
        head += literal_lines("INPUT_NAMES = frozenset(", tuple(spec["name"] for spec in p.inputs), ")")
        head += literal_lines("OUTPUTS = ", p.outputs)
        head += [f"SLOTS = {p.slots!r}"]
        head += [f"DECIMAL_CONTEXT = {needs_decimal_context(p.inputs, self.checked.defs.values())!r}"]
        head += defs_lines(self.checked.defs.values())
        head += literal_lines("DATED = ", self.dated_table())
        head += records_lines("EXAMPLES = ", p.examples)
        head += ["", *self.const_lines, "", ""]
        self.lines = head
        self.rule_lines = [0] * len(head)
        self.lines += body
        self.rule_lines += body_rules
        fn_table = ", ".join(f"{o!r}: {f}" for o, f in functions)
        list_table = ", ".join(f"{o!r}: {f}" for o, f in lists)
        self.statement([f"FUNCTIONS = {{{fn_table}}}", f"LISTS = {{{list_table}}}", listsdrop.table(within),
                        "ALL = out_all" if p.outputs else "ALL = None",
                        "SUBSET = out_subset" if p.outputs else "SUBSET = None"])
        self.lines += literal_lines("SUBSET_FLAGS = ", tuple(subset))
        # A comment or a flag's test (-1) belongs to the statement it introduces.
        rules = list(self.rule_lines)
        for i in range(len(rules) - 2, -1, -1):
            if rules[i] == -1:
                rules[i] = rules[i + 1]
        ranges: list[tuple[int, int]] = []  # (first generated line, .rule line or 0), where it changes
        for number, rule_line in enumerate(rules, start=1):
            if (ranges[-1][1] if ranges else 0) != rule_line:
                ranges.append((number, rule_line))
        self.lines += ["# Pairs (generated line, .rule line): the lines from the first on come from that .rule",
                       "# line (0: none). Read by guize.runtime.tracebacks to show .rule lines in tracebacks."]
        self.lines += literal_lines("LINE_MAP = ", tuple(n for pair in ranges for n in pair))
        return "\n".join([*self.lines, ""])  # (joined, then + "\n": the module copied once more)


def generate(policy: CheckedPolicy, source_path: str) -> str:
    return CodeGenerator(policy, source_path).generate()
