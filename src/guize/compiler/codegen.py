"""Generate readable, deterministic Python source from a checked policy."""

from __future__ import annotations

import datetime
import pprint
import unicodedata
from decimal import Decimal
from typing import Any

from guize._version import __version__
from guize.compiler.checker import CheckedPolicy
from guize.runtime.ir import Node, dependencies
from guize.runtime.values import read_inputs

_CONVERTERS = {"money": "_to_decimal", "quantity": "_to_decimal", "rate": "_to_rate",
               "int": "_to_int", "bool": "_to_bool", "date": "_to_date", "enum": "_to_enum"}
_ROUNDING = {"half_up": "ROUND_HALF_UP", "floor": "ROUND_FLOOR", "ceil": "ROUND_CEILING", "down": "ROUND_DOWN"}


class Names:
    """Python identifiers for Chinese names: readable where Python allows, never colliding."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.by_key: dict[tuple[str, str], str] = {}

    def get(self, prefix: str, name: str) -> str:
        key = (prefix, name)
        if key in self.by_key:
            return self.by_key[key]
        ident = f"{prefix}_{name}"
        if not ident.isidentifier() or unicodedata.normalize("NFKC", ident) != ident:
            ident = f"{prefix}_{len(self.by_key)}"
        while ident in self.used:
            ident += "_"
        self.used.add(ident)
        self.by_key[key] = ident
        return ident


class CodeGenerator:
    def __init__(self, policy: CheckedPolicy, source_path: str) -> None:
        self.p = policy
        self.source_path = source_path
        self.lines: list[str] = []
        self.line_map: list[tuple[int, int]] = []
        self.consts: dict[tuple[str, str], str] = {}
        self.const_lines: list[str] = []
        self.names = Names()
        self.temp = 0
        self.inputs = {spec["name"]: spec for spec in policy.inputs}
        # Definitions that are plain constants (most 参数) are folded into their uses;
        # outputs stay assigned so they can be returned.
        self.folded = {name: d["expr"][1] for name, d in policy.defs.items()
                       if d["expr"][0] == "const" and d["round"] is None and name not in policy.outputs}

    # ------------------------------------------------------------ helpers

    def emit(self, text: str = "", rule_line: int | None = None) -> None:
        if rule_line:
            self.line_map.append((len(self.lines) + 1, rule_line))
        self.lines.extend(text.split("\n"))

    def const(self, value: Any) -> str:
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

    def fresh(self) -> str:
        self.temp += 1
        return f"_t{self.temp}"

    def local(self, kind: str, name: str) -> str:
        return self.names.get("d" if kind == "ref" else "i", name)

    # ------------------------------------------------------------ expressions

    def expr(self, node: Node, owner: str) -> str:
        tag = node[0]
        if tag == "const":
            return self.const(node[1])
        if tag == "input":
            return self.local("input", node[1])
        if tag == "ref":
            if node[1] in self.folded:  # a constant parameter: use the constant itself
                return self.const(self.folded[node[1]])
            return self.local("ref", node[1])
        if tag == "asof":
            return "e[0]"
        if tag == "arith":
            a, b = self.expr(node[2], owner), self.expr(node[3], owner)
            if node[1] == "/":
                return f"_v.div({a}, {b})"
            if node[4]:
                return f"({a} {node[1]} {b})"
            # Decimal operators: Policy.evaluate guarantees the thread context (values.CONTEXT).
            return f"({a} {node[1]} {b})"
        if tag == "neg":
            return f"(-{self.expr(node[1], owner)})"
        if tag == "cmp":
            return f"({self.expr(node[2], owner)} {node[1]} {self.expr(node[3], owner)})"
        if tag in ("and", "or"):
            return f"({self.expr(node[1], owner)} {tag} {self.expr(node[2], owner)})"
        if tag == "not":
            return f"(not {self.expr(node[1], owner)})"
        if tag == "if":
            c, a, b = (self.expr(n, owner) for n in node[1:4])
            return f"({a} if {c} else {b})"
        if tag in ("min", "max"):
            # A conditional chain: builtin min()/max() on Decimals costs five times as much.
            args = [self.expr(n, owner) for n in node[1]]
            out = args[0]
            keep = "<=" if tag == "min" else ">="
            for arg in args[1:]:
                a = out if _simple(out) else self.fresh()
                b = arg if _simple(arg) else self.fresh()
                first = a if a == out else f"({a} := {out})"
                second = b if b == arg else f"({b} := {arg})"
                out = f"({a} if {first} {keep} {second} else {b})"
            return out
        if tag == "round":
            mode, quantum, arg = node[1], node[2], self.expr(node[3], owner)
            if node[4]:
                return f"_v.rnd_int({arg}, {mode!r})"
            return self.rounding(arg, node[3], quantum, mode)
        if tag == "call":
            call_args = ", ".join(self.expr(n, owner) for n in node[2])
            return f"_FUNCS[{node[1]!r}]({call_args})"
        if tag == "cond":
            out = self.expr(node[2][0], owner)
            for test, value, _label, _cite in reversed(node[1]):
                out = f"{self.expr(value, owner)} if {self.expr(test, owner)} else {out}"
            return f"({out})"
        if tag == "match":
            return self.match(node, owner)
        if tag == "bands":
            return self.bands(node, owner)
        if tag == "dated":
            return self.dated(node, owner)
        raise TypeError(tag)  # INVARIANT: every IR tag is handled above

    def rounding(self, code: str, node: Node, quantum: Decimal, mode: str) -> str:
        if self.is_decimal(node) and quantum <= 1:
            # The context is the caller's, which Policy.evaluate has checked (see values.CONTEXT).
            return f"{code}.quantize({self.const(quantum)}, _{_ROUNDING[mode]})"
        return f"_rnd({code}, {self.const(quantum)}, _{_ROUNDING[mode]})"

    def is_decimal(self, node: Node) -> bool:
        """True when the node always evaluates to a Decimal (never an int), so it can call
        Decimal methods directly."""
        tag = node[0]
        if tag == "const":
            return isinstance(node[1], Decimal)
        if tag == "input":
            return bool(self.inputs[node[1]]["kind"] in ("money", "quantity", "rate"))
        if tag == "arith":  # int op int stays int; anything with a Decimal is a Decimal
            return bool(node[1] == "/" or self.is_decimal(node[2]) or self.is_decimal(node[3]))
        if tag == "round":
            return not node[4]
        if tag == "ref":
            d = self.p.defs[node[1]]
            return d["round"] is not None or self.is_decimal(d["expr"])
        if tag == "neg":
            return self.is_decimal(node[1])
        if tag in ("min", "max"):
            return all(self.is_decimal(n) for n in node[1])
        if tag == "if":
            return self.is_decimal(node[2]) and self.is_decimal(node[3])
        if tag == "cond":
            return all(self.is_decimal(b[1]) for b in node[1]) and self.is_decimal(node[2][0])
        if tag in ("match", "bands"):
            others = [node[3][0]] if node[3] else []
            return all(self.is_decimal(c[1] if tag == "match" else c[4]) for c in node[2]) and all(
                self.is_decimal(o) for o in others)
        if tag == "dated":
            return all(self.is_decimal(v[2]) for v in node[3])
        return False

    def match(self, node: Node, owner: str) -> str:
        subject = self.expr(node[1], owner)
        cases, other = node[2], node[3]
        if other is None and all(value[0] == "const" for _m, value, _l, _c in cases):
            table = {m: value[1] for members, value, _l, _c in cases for m in members}
            return f"{self.const(table)}[{subject}]"
        t = self.fresh()
        fallback = self.expr(other[0], owner) if other else f"_v.no_case({owner!r}, {t})"
        out = fallback
        first = True
        parts = []
        for members, value, _l, _c in cases:
            target = f"({t} := {subject})" if first else t
            first = False
            test = f"{target} == {members[0]!r}" if len(members) == 1 else f"{target} in {members!r}"
            parts.append((test, self.expr(value, owner)))
        for test, value in reversed(parts):
            out = f"{value} if {test} else {out}"
        return f"({out})"

    def bands(self, node: Node, owner: str) -> str:
        subject = self.expr(node[1], owner)
        t = self.fresh()
        other = node[3]
        out = self.expr(other[0], owner) if other else f"_v.no_band({owner!r}, {t})"
        parts = []
        for i, (lo, lo_incl, hi, hi_incl, value, _label, _cite) in enumerate(node[2]):
            target = f"({t} := {subject})" if i == 0 else t
            tests = []
            if lo is not None:
                tests.append(f"{self.const(lo)} {'<=' if lo_incl else '<'} {target}")
                target = t
            if hi is not None:
                tests.append(f"{target} {'<=' if hi_incl else '<'} {self.const(hi)}")
            parts.append((" and ".join(tests) or "True", self.expr(value, owner)))
        if not parts:
            return f"({subject}, {out})[1]"
        for test, value in reversed(parts):
            out = f"{value} if {test} else {out}"
        return f"({out})"

    def dated(self, node: Node, owner: str) -> str:
        slot, what, versions = node[1], node[2], node[3]
        index = f"e[{slot + 1}]"
        if all(v[2][0] == "const" for v in versions):
            table = self.const(tuple(v[2][1] for v in versions))
            return f"({table}[{index}] if {index} is not None else _v.no_version({what!r}, e[0]))"
        out = f"_v.no_version({what!r}, e[0])"
        for i, version in reversed(list(enumerate(versions))):
            out = f"{self.expr(version[2], owner)} if {index} == {i} else {out}"
        return f"({out})"

    # ------------------------------------------------------------ functions

    def closure(self, names: list[str]) -> tuple[list[str], list[str]]:
        """Definitions (in dependency order) and inputs that `names` need."""
        need = dependencies(self.p.defs, names)
        defs = [n for n in self.p.order if n in need]
        inputs = sorted({i for n in defs for i in self.p.defs[n]["inputs"]},
                        key=lambda i: [s["name"] for s in self.p.inputs].index(i))
        return defs, inputs

    def input_lines(self, name: str) -> list[str]:
        """Convert one input; the common, already-valid value costs no call (checks inline)."""
        spec = self.inputs[name]
        ident = self.local("input", name)
        lines = []
        if spec["has_default"]:  # read by the prologue (see values.read_inputs)
            lines += [f"    if {ident} is _ABSENT:", f"        {ident} = {self.const(spec['default'])}"]
        kind = spec["kind"]
        fast = {
            "bool": f"{ident} is True or {ident} is False",
            "int": f"{ident}.__class__ is int and 0 <= {ident} < _INT_LIMIT",
        }.get(kind)
        if kind == "enum":
            fast = f"{ident}.__class__ is str and {ident} in {self.const(frozenset(spec['members']))}"
        extra = f", {self.const(spec['members'])}" if kind == "enum" else ""
        call = f"{_CONVERTERS[kind]}({ident}, {name!r}{extra})"
        if kind in ("money", "quantity") and spec["scale"] != 1:
            call = f"{call} * {self.const(spec['scale'])}"
        if fast:
            lines += [f"    if not ({fast}):", f"        {ident} = {call}"]
        elif kind in ("money", "quantity") and spec["scale"] == 1:
            # Plain numerals (str, int, Decimal) are read inline; anything else, and any value
            # that is not a finite non-negative number, goes through the full converter.
            lines += [
                f"    if (_c := {ident}.__class__) is not Decimal:",
                "        try:",
                f"            {ident} = Decimal({ident}) if _c is str or _c is int and 0 <= {ident} < _INT_LIMIT "
                f"else {call}",
                "        except _InvalidOperation:",
                f"            {ident} = {call}",
                # In range (values.NUMBER_LIMIT) and not negative; NaN fails the comparison or,
                # when the context traps it, raises InvalidOperation: the converter says why.
                "    try:",
                f"        if not (_ZERO <= {ident} < _LIMIT):",
                f"            {ident} = {call}",
                "    except _InvalidOperation:",
                f"        {ident} = {call}",
            ]
        else:
            lines.append(f"    {ident} = {call}")
        return lines

    def def_lines(self, name: str) -> list[str]:
        if name in self.folded:
            return []
        d = self.p.defs[name]
        code = self.expr(d["expr"], name)
        if d["round"] is not None:
            mode, quantum = d["round"]
            code = self.rounding(code, d["expr"], quantum, mode)
        return [f"    {self.local('ref', name)} = {code}"]

    def snippets(self) -> dict[str, Any]:
        """Each input's and definition's statements, so the runtime can assemble a function
        for any subset of outputs (see runtime.policy) from the same code as below."""
        return {
            "inputs": {n: (self.local("input", n), self.inputs[n]["has_default"], self.input_lines(n))
                       for n in self.inputs},
            "defs": {n: (self.local("ref", n), self.def_lines(n)) for n in self.p.order},
            "folded": sorted(self.folded),
        }

    def function(self, fname: str, outputs: list[str], doc: str) -> None:
        defs, inputs = self.closure(outputs)
        self.emit(f"def {fname}(data, e):")
        self.emit(f'    """{doc}"""')
        # Errors are found in a fixed order, the same as the interpreter's: missing inputs,
        # unknown input names, then each input's value in declaration order.
        pairs = [(self.local("input", n), n) for n in inputs]
        self.emit("\n".join(read_inputs([p for p in pairs if not self.inputs[p[1]]["has_default"]],
                                         [p for p in pairs if self.inputs[p[1]]["has_default"]],
                                         fname == "out_all")))
        for name in inputs:
            self.emit("\n".join(self.input_lines(name)), self.inputs[name]["line"])
        for name in defs:
            lines = self.def_lines(name)
            if lines:
                self.emit("\n".join(lines), self.p.defs[name]["line"])
        items = ", ".join(f"{o!r}: {self.local('ref', o)}" for o in outputs)
        self.emit(f"    return {{{items}}}")
        self.emit()
        self.emit()

    def generate(self) -> str:
        p = self.p
        functions: list[tuple[str, str]] = []
        for out in p.outputs:
            fname = self.names.get("out", out)
            functions.append((out, fname))
            self.function(fname, [out], f"Compute 「{out}」 alone (line {p.defs[out]['line']}).")
        if p.outputs:
            self.function("out_all", list(p.outputs), "Compute every output.")
        snippets = _literal(self.snippets())  # before the constants are written out
        body = self.lines
        body_map = self.line_map
        self.lines, self.line_map = [], []
        self.emit(f"# Generated by guize {__version__} from {self.source_path}")
        self.emit(f"# source sha256: {p.source_sha256}")
        self.emit("# Do not edit: regenerate with `guize compile`. Needs only guize.runtime at run time.")
        self.emit("import datetime")
        self.emit("from decimal import Decimal")
        self.emit()
        self.emit("from guize.runtime import values as _v")
        self.emit()
        self.emit("_FUNCS = _v.FUNCS")
        self.emit("_rnd = _v.rnd")
        self.emit("_ROUND_HALF_UP, _ROUND_FLOOR, _ROUND_CEILING, _ROUND_DOWN = (")
        self.emit("    _v.ROUND_HALF_UP, _v.ROUND_FLOOR, _v.ROUND_CEILING, _v.ROUND_DOWN)")
        self.emit("_InvalidOperation, _ZERO, _ABSENT = _v.InvalidOperation, Decimal(0), _v.ABSENT")
        self.emit("_LIMIT, _INT_LIMIT = _v.NUMBER_LIMIT, _v.INT_LIMIT")
        self.emit("_to_decimal, _to_rate, _to_int, _to_bool, _to_date, _to_enum = (")
        self.emit("    _v.to_decimal, _v.to_rate, _v.to_int, _v.to_bool, _v.to_date, _v.to_enum)")
        self.emit(f"GUIZE_VERSION = {__version__!r}")
        self.emit(f"SOURCE_PATH = {self.source_path!r}")
        self.emit(f"SOURCE_SHA256 = {p.source_sha256!r}")
        self.emit(f"DOCUMENTS = {_literal(p.documents)}")
        self.emit(f"INPUTS = {_literal(p.inputs)}")
        self.emit(f"INPUT_NAMES = frozenset({tuple(spec['name'] for spec in p.inputs)!r})")
        self.emit(f"OUTPUTS = {p.outputs!r}")
        self.emit(f"SLOTS = {p.slots!r}")
        self.emit(f"DEFS = {_literal(p.defs)}")
        self.emit(f"EXAMPLES = {_literal(p.examples)}")
        self.emit()
        for line in self.const_lines:
            self.emit(line)
        self.emit()
        self.emit()
        offset = len(self.lines)
        self.lines.extend(body)
        self.line_map.extend((g + offset, r) for g, r in body_map)
        self.emit(f"SNIPPETS = {snippets}")
        self.emit()
        fn_table = ", ".join(f"{o!r}: {f}" for o, f in functions)
        self.emit(f"FUNCTIONS = {{{fn_table}}}")
        self.emit("ALL = out_all" if p.outputs else "ALL = None")
        self.emit(f"LINE_MAP = {dict(self.line_map)!r}")
        return "\n".join(self.lines) + "\n"


def _simple(code: str) -> bool:
    """A local name or a constant: safe to evaluate twice, no temporary needed."""
    return code.isidentifier() or code.lstrip("-").isdigit()


def _literal(value: Any) -> str:
    """A deterministic Python literal (dict order as built, Decimal and date by constructor)."""
    text = pprint.pformat(value, width=100, sort_dicts=False, compact=True)
    return text


def generate(policy: CheckedPolicy, source_path: str) -> str:
    return CodeGenerator(policy, source_path).generate()
