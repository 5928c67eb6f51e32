"""Inline reads of number inputs in generated code (guize.compiler.codegen): a plain numeral
becomes a Decimal without a call (in a large policy, by one call of values.quick_number: see
number_read); anything else goes to the runtime's converter."""

from __future__ import annotations

from typing import Any


def plain_number(spec: dict[str, Any]) -> bool:
    """Money and quantities held as given, and rates: read inline by `number_lines` (a rate
    given as '80%' is no plain numeral and goes to the converter)."""
    return spec["kind"] == "rate" or (spec["kind"] in ("money", "quantity") and spec["scale"] == 1)


def number_lines(ident: str, otherwise: str, pad: str, negative: bool = False) -> list[str]:
    """A money or quantity value read inline: plain numerals (str, int, Decimal) become a
    Decimal; anything else, or a value not in range (values.NUMBER_LIMIT) or negative, gets
    `otherwise` (the converter, which says why; or _U, read later). NaN fails the comparison
    or, when the context traps it, raises InvalidOperation. `negative` (可为负): the range is
    open on both sides, as the converter's. The digits are bounded too (values.QUICK_TEXT):
    a text or Decimal is taken only when short, and a number that may have more than 1,000
    places goes to the converter, which counts them exactly."""
    low_int = "-_INT_LIMIT <" if negative else "0 <="
    # Without a sign the range test is also the digits' (1E-981 <= x: at most 20 digits from
    # a short text, so at most 1,000 places); only 0 and the values outside look further.
    test = (f"not -_LIMIT < {ident} < _LIMIT or {ident}.adjusted() < _QA" if negative else
            f"not _TINY <= {ident} < _LIMIT and ({ident} or {ident}.adjusted() < _QA)")
    return [
        f"{pad}if (_c := {ident}.__class__) is not Decimal or len(str({ident})) > _QT:",
        f"{pad}    try:",
        f"{pad}        {ident} = Decimal({ident}) if _c is str and len({ident}) <= _QT or _c is int and {low_int} "
        f"{ident} < _INT_LIMIT else _NAN",
        f"{pad}    except _InvalidOperation:",
        f"{pad}        {ident} = _NAN",
        f"{pad}try:",
        f"{pad}    if {test}:",
        f"{pad}        {ident} = {otherwise}",
        f"{pad}except _InvalidOperation:",
        f"{pad}    {ident} = {otherwise}",
    ]


def number_read(gen: Any, ident: str, otherwise: str, pad: str, negative: bool = False) -> list[str]:
    """`number_lines`, or in a large policy (codegen.SHARED_ABOVE) the same test by one call of
    values.quick_number: two lines an input instead of ten. The module is a fifth smaller and
    codegen, splitfn and compile() have that much less to write and read; the price is a call
    per number input read (see bench/compile_bench.py)."""
    if not gen.shared:
        gen.bind("_c")  # (the names each statement binds: compiler/stmtnames)
        return number_lines(ident, otherwise, pad, negative)
    gen.module_line("quick_number", "_quick = _v.quick_number")
    call = f"_quick({ident}, True)" if negative else f"_quick({ident})"
    return [f"{pad}if ({ident} := {call}) is _U:", f"{pad}    {ident} = {otherwise}"]


def months_expr(ident: str, kind: str) -> str:
    """The head of a conditional expression: a 期间/年龄 input given as a whole number of months
    made a Period/Age as values.to_period makes it (`... else <the converter or _U>` follows)."""
    wrap = "as_age" if kind == "age" else "as_period"
    return f"_FUNCS[{wrap!r}]({ident}) if {ident}.__class__ is int and 0 <= {ident} < _INT_LIMIT"


_COUNTED_INPUTS = 8  # optional and prefetched inputs counted instead of a set of the keys


def counted_prefetch(gen: Any, inputs: list[str], every_input: list[str]) -> list[str] | None:
    """The test, once the inputs are read and every input read lazily is prefetched, that the
    keys of `data` are all declared, by counting them, when that is a few terms: then len()
    replaces INPUT_NAMES.issuperset(data), which builds a set of the keys on every call. First
    whether every input read is given (and, if prefetched, plainly valid): then the count is
    their number, no sum to compute. A prefetched input is _U when absent or not plainly valid;
    then the keys read are counted (a sum of tests), and with any other count, or an unknown
    key, values.unknown_inputs looks at every key (and raises only for an unknown one). None:
    test every key, as before. (The prefetch has called data.get: `data` is a dict or
    another Mapping, else the AttributeError is Policy's 「输入应为「名称: 值」的对象」.)"""
    lazy = [n for n in every_input if ("input", n) in gen.lazy]
    optional = [n for n in inputs if gen.inputs[n]["has_default"]]
    if not lazy or len(lazy) + len(optional) > _COUNTED_INPUTS:
        return None
    saved = gen.apart()  # (lines written only to test them: their names noted for no statement)
    written = all(gen.prefetch_lines(n) for n in lazy)
    gen.back(saved)
    if not written:  # some are read only where needed
        return None
    required = len(inputs) - len(optional)
    terms = [f"({gen.local('input', n)} is not _ABSENT)" for n in optional]
    terms += [f"({gen.local('input', n)} is not _U)" for n in lazy]
    absent = [f"{gen.local('input', n)} is _ABSENT" for n in optional] + [f"{gen.local('input', n)} is _U" for n in lazy]
    return [f"    if len(data) != {len(inputs) + len(lazy)} or {' or '.join(absent)}:",
            f"        if len(data) != {' + '.join([str(required), *terms])}:", "            _v.unknown_inputs(data, INPUT_NAMES)"]


def prefetch_number_read(gen: Any, ident: str, name: str, negative: bool = False) -> list[str]:
    """`prefetch_number_lines`, or in a large policy one call of values.quick_number (as number_read)."""
    if not gen.shared:
        gen.bind("_g", "_c")  # (the names each statement binds: compiler/stmtnames)
        return prefetch_number_lines(ident, name, negative)
    gen.module_line("quick_number", "_quick = _v.quick_number")
    return [f"    {ident} = _quick(data.get({name!r}, _U){', True' if negative else ''})"]


def prefetch_number_lines(ident: str, name: str, negative: bool = False) -> list[str]:
    """A number input that only some paths read, prefetched (codegen.prefetch_lines): the value
    `number_lines` would accept, else _U (read, and any error reported, where a path needs it).
    The same tests in fewer lines and with the input's long name once (through the temporary
    _g): out_all of a policy with many optional inputs (textile: 31) checks them all inline
    instead of a values.prefetch call each, and the module does not grow by a block each.
    A Decimal not plainly short, or any other kind of value, becomes _NAN, which fails the
    range test (or raises InvalidOperation when the context traps it): _U, as number_lines."""
    low_int = "-_INT_LIMIT <" if negative else "0 <="
    test = ("not -_LIMIT < _g < _LIMIT or _g.adjusted() < _QA" if negative else
            "not _TINY <= _g < _LIMIT and (_g or _g.adjusted() < _QA)")
    return [
        f"    if (_g := data.get({name!r}, _U)) is not _U:",
        "        try:",
        f"            if (_c := _g.__class__) is str and len(_g) <= _QT or _c is int and {low_int} _g < _INT_LIMIT:",
        "                _g = Decimal(_g)",
        "            elif _c is not Decimal or len(str(_g)) > _QT:",
        "                _g = _NAN",
        f"            if {test}:",
        "                _g = _U",
        "        except _InvalidOperation:",
        "            _g = _U",
        f"    {ident} = _g",
    ]


def names_test(gen: Any, inputs: list[str], need: dict[str, str] | None) -> str:
    """The test that `data` may hold an undeclared key, where the inputs are read under subset
    flags (out_subset) or lazily: INPUT_NAMES.issuperset(data), which builds a set of the keys
    (~0.06 µs on two). When every declared input is required and read under one flag, that flag
    set means each was found (else KeyError), so len(data) equal to their number proves every
    key declared (retirement's chosen outputs); with the flag unset, the full test.

    issuperset takes any iterable of names: a list, a text or a set of input names passes it.
    Where no input has been read (none to read, or no flag of one set), `data` is also tested
    to be a dict (`mapping_test`), else values.unknown_inputs says what it is; once an input is
    read, data[...] or data.get has raised TypeError or AttributeError for anything else."""
    full = "not INPUT_NAMES.issuperset(data)" + mapping_test(gen, inputs, need)
    declared = gen.inputs
    if need is None or len(inputs) != len(declared):  # (some input read only where a path needs it)
        return full
    flags = {need[n] for n in inputs}
    if len(flags) != 1 or any(declared[n]["has_default"] for n in inputs):
        return full
    flag = flags.pop()
    gen.read.add(flag)  # (the names each statement reads: compiler/stmtnames)
    return f"not ({flag} and len(data) == {len(inputs)}) and {full}"


def mapping_test(gen: Any, inputs: list[str], need: dict[str, str] | None) -> str:
    """The tail of a names test that also sends `data` that is not a dict to
    values.unknown_inputs when no input was read before it (with `need`: when no flag of an
    input read is set). A dict subclass or another Mapping goes there too, which raises only for
    an unknown name; anything else is 「输入应为「名称: 值」的对象」, as the interpreter says.
    Reading an input (data[...], data.get) has already rejected anything but a Mapping, so
    a call that reads one pays a flag's test at most."""
    if not inputs:
        return " or data.__class__ is not dict"
    if need is None:
        return ""
    flags = list(dict.fromkeys(need[n] for n in inputs))
    gen.read.update(flags)  # (the names each statement reads: compiler/stmtnames)
    read = flags[0] if len(flags) == 1 else f"({' or '.join(flags)})"
    return f" or not {read} and data.__class__ is not dict"
