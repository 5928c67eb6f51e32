"""Generate the columnar (batch) evaluators of a checked policy: IR → Python over numpy arrays.

The output is appended to the module codegen writes. It defines one factory, BATCH(),
which imports numpy (through guize.runtime.batchops) only when first called and returns
one function per definition. Each function is straight-line code over a Chunk `c`:
every IR node becomes one call such as `c.mul(a, b)` on fixed-point columns whose scale
and bounds are tracked as they go (see guize.runtime.batchops).

Definitions that cannot be vectorised (a division whose result is not rounded, the
calendar functions 相差月数/相差年数/加月/加年) are listed in BATCH_FALLBACK with the
reason; outputs that need them are evaluated row by row by the scalar functions.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from guize.compiler.checker import CheckedPolicy
from guize.compiler.codegen import Names
from guize.runtime.ir import Node

FORMAT = "1"  # bump when the generated batch code changes shape (part of the cache key)

_KINDS = {"money": "num", "quantity": "num", "rate": "num", "int": "num", "points": "num",
          "bool": "bool", "date": "date", "enum": "enum"}
_VECTOR_CALLS = {"year", "month", "day", "days_between", "add_days", "abs"}


class Unsupported(Exception):
    """A construct the columnar code does not handle; the reason is shown in BATCH_FALLBACK."""


def _exponent(quantum: Decimal) -> int:
    """The exponent Decimal.quantize rounds to: 0.01 -> -2, 1 -> 0 (only the exponent counts)."""
    exp = quantum.as_tuple().exponent
    assert isinstance(exp, int)  # INVARIANT: quanta are finite
    return exp


class BatchGen:
    def __init__(self, policy: CheckedPolicy) -> None:
        self.p = policy
        self.inputs = {spec["name"]: spec for spec in policy.inputs}
        self.enums: list[str] = []
        for spec in policy.inputs:
            for m in spec["members"]:
                self._code(m)
        self.consts: dict[tuple[str, str], str] = {}
        self.const_lines: list[str] = []
        self.lines: list[str] = []
        self.temp = 0
        self.names = Names()
        self.bound: set[str] = set()  # locals assigned so far in the function being written
        self.last: tuple[str, int] = ("", 0)  # the temporary last emitted, and the line count then
        self.fallback: dict[str, str] = {}

    # ------------------------------------------------------------ helpers

    def _code(self, member: str) -> int:
        if member not in self.enums:
            self.enums.append(member)
        return self.enums.index(member)

    def ident(self, prefix: str, name: str) -> str:
        return self.names.get(prefix, name)

    def fresh(self) -> str:
        self.temp += 1
        return f"x{self.temp}"

    def const_name(self, kind: str, text: str, line: str) -> str:
        key = (kind, text)
        if key not in self.consts:
            name = f"K{len(self.consts)}"
            self.consts[key] = name
            self.const_lines.append(f"    {name} = {line}")
        return self.consts[key]

    def kind(self, node: Node) -> str:
        tag = node[0]
        if tag == "const":
            v = node[1]
            if isinstance(v, bool):
                return "bool"
            if isinstance(v, str):
                return "enum"
            if isinstance(v, datetime.date):
                return "date"
            return "num"
        if tag == "input":
            return _KINDS[self.inputs[node[1]]["kind"]]
        if tag == "ref":
            return _KINDS[self.p.defs[node[1]]["value_kind"]]
        if tag == "asof":
            return "date"
        if tag in ("arith", "neg", "min", "max", "round"):
            return "num"
        if tag in ("cmp", "and", "or", "not"):
            return "bool"
        if tag == "if":
            return self.kind(node[2])
        if tag == "call":
            return "date" if node[1] in ("add_months", "add_years", "add_days") else "num"
        if tag == "cond":
            return self.kind(node[2][0])
        if tag == "match":
            return self.kind(node[2][0][1] if node[2] else node[3][0])
        if tag == "bands":
            return self.kind(node[2][0][4] if node[2] else node[3][0])
        if tag == "dated":
            return self.kind(node[3][0][2])
        raise TypeError(tag)  # INVARIANT: every IR tag is handled above

    def literal(self, value: Any) -> str:
        """A constant as the columnar code sees it: Num, bool, enumeration code, day number."""
        if isinstance(value, bool):
            return repr(value)
        if isinstance(value, str):
            return f"{self._code(value)}"
        if isinstance(value, datetime.date):
            days = (value - datetime.date(1970, 1, 1)).days
            return self.const_name("date", value.isoformat(), f"{days}  # {value.isoformat()}")
        text = str(value)
        return self.const_name("num", text, f"_b.num({text!r})")

    def table(self, entries: list[Any], ok: list[bool] | None, kind: str, comment: str) -> str:
        values = [str(v) if kind == "num" else v for v in entries]
        text = f"_b.Table({values!r}, {ok!r}, {kind!r})  # {comment}"
        return self.const_name("table", text, text)

    # ------------------------------------------------------------ expressions

    def expr(self, node: Node, out: list[str], pad: str) -> str:
        """Emit statements computing `node` into `out`; return the name holding its value."""
        tag = node[0]
        if tag == "const":
            return self.literal(node[1])
        if tag == "input":
            return self.local("i", node[1], f"c.input({node[1]!r})", out, pad)
        if tag == "ref":
            if node[1] in self.fallback:
                raise Unsupported(f"依赖逐行计算的「{node[1]}」")
            return self.local("d", node[1], f"c.ref({node[1]!r})", out, pad)
        if tag == "asof":
            return "c.asof()"
        if tag == "arith":
            if node[1] == "/":
                raise Unsupported("除法的结果未舍入（请对除法结果舍入，如 向下取整(a ÷ b)）")
            a, b = self.expr(node[2], out, pad), self.expr(node[3], out, pad)
            op = {"+": "add", "-": "sub", "*": "mul"}[node[1]]
            return self.emit(f"c.{op}({a}, {b})", out, pad)
        if tag == "neg":
            return self.emit(f"c.neg({self.expr(node[1], out, pad)})", out, pad)
        if tag == "cmp":
            a, b = self.expr(node[2], out, pad), self.expr(node[3], out, pad)
            fn = "cmp" if self.kind(node[2]) == "num" else "cmpx"
            return self.emit(f"c.{fn}({node[1]!r}, {a}, {b})", out, pad)
        if tag in ("and", "or"):
            a, b = self.expr(node[1], out, pad), self.expr(node[2], out, pad)
            return self.emit(f"c.{tag}_({a}, {b})", out, pad)
        if tag == "not":
            return self.emit(f"c.not_({self.expr(node[1], out, pad)})", out, pad)
        if tag == "if":
            factored = self.factor([node[2], node[3]])
            if factored is not None:  # c ? x×k1 : x×k2  ->  x × (c ? k1 : k2): one column product
                x, (k1, k2) = factored
                cond = self.expr(node[1], out, pad)
                pick = self.emit(f"c.where({cond}, {self.literal(k1)}, {self.literal(k2)})", out, pad)
                return self.emit(f"c.mul({self.expr(x, out, pad)}, {pick})", out, pad)
            cond, a, b = (self.expr(n, out, pad) for n in node[1:4])
            return self.emit(f"c.where({cond}, {a}, {b})", out, pad)
        if tag in ("min", "max"):
            args = [self.expr(n, out, pad) for n in node[1]]
            if len(args) == 1:
                return args[0]
            return self.emit(f"c.{tag}_({', '.join(args)})", out, pad)
        if tag == "round":
            mode, quantum, arg = node[1], node[2], node[3]
            return self.rounded(arg, 0 if node[4] else _exponent(quantum), mode, out, pad)
        if tag == "call":
            if node[1] not in _VECTOR_CALLS:
                raise Unsupported(f"日期函数 {node[1]} 逐行计算")
            args = [self.expr(n, out, pad) for n in node[2]]
            return self.emit(f"c.call({node[1]!r}, {', '.join(args)})", out, pad)
        if tag == "cond":
            factored = self.factor([value for _t, value, _l, _c in node[1]] + [node[2][0]])
            if factored is not None:  # every branch is x × a constant: choose the constant
                x, ks = factored
                cases = [(self.expr(test, out, pad), self.literal(k)) for (test, *_r), k in zip(node[1], ks, strict=False)]
                pick = self.select(cases, self.literal(ks[-1]), out, pad)
                return self.emit(f"c.mul({self.expr(x, out, pad)}, {pick})", out, pad)
            cases = [(self.expr(test, out, pad), self.expr(value, out, pad))
                     for test, value, _l, _c in node[1]]
            other = self.expr(node[2][0], out, pad)
            return self.select(cases, other, out, pad)
        if tag == "match":
            return self.match(node, out, pad)
        if tag == "bands":
            return self.bands(node, out, pad)
        if tag == "dated":
            return self.dated(node, out, pad)
        raise TypeError(tag)  # INVARIANT: every IR tag is handled above

    def emit(self, code: str, out: list[str], pad: str) -> str:
        t = self.fresh()
        out.append(f"{pad}{t} = {code}")
        self.last = (t, len(out))
        return t

    def local(self, prefix: str, name: str, code: str, out: list[str], pad: str) -> str:
        ident = self.ident(prefix, name)
        if ident not in self.bound:
            self.bound.add(ident)
            out.append(f"{pad}{ident} = {code}")
        return ident

    def rounded(self, arg: Node, exp: int, mode: str, out: list[str], pad: str, sink: str | None = None) -> str:
        if arg[0] == "arith" and arg[1] == "/":
            a, b = self.expr(arg[2], out, pad), self.expr(arg[3], out, pad)
            return self.emit(f"c.rdiv({a}, {b}, {exp}, {mode!r})", out, pad)
        # An output's last rounding may write straight into the result column (c.sink).
        dest = f", c.sink({sink!r})" if sink is not None else ""
        return self.emit(f"c.rnd({self.expr(arg, out, pad)}, {exp}, {mode!r}{dest})", out, pad)

    def select(self, cases: list[tuple[str, str]], other: str | None, out: list[str], pad: str) -> str:
        if other is not None and len(cases) == 1:
            return self.emit(f"c.where({cases[0][0]}, {cases[0][1]}, {other})", out, pad)
        items = "".join(f"({c}, {v}), " for c, v in cases)
        return self.emit(f"c.select(({items}), {other})", out, pad)

    def match(self, node: Node, out: list[str], pad: str) -> str:
        subject_node, cases, other = node[1], node[2], node[3]
        subject = self.expr(subject_node, out, pad)
        members = [m for ms, _v, _l, _c in cases for m in ms]
        values = [v for _ms, v, _l, _c in cases]
        kind = self.kind(node)
        if all(v[0] == "const" for v in values) and (other is None or other[0][0] == "const"):
            for m in members:
                self._code(m)
            size = len(self.enums)
            entries: list[Any] = [None] * size
            ok = [False] * size
            for ms, value, _l, _c in cases:
                for m in ms:
                    entries[self._code(m)] = self.table_value(value[1], kind)
                    ok[self._code(m)] = True
            if other is not None:
                fill = self.table_value(other[0][1], kind)
                entries = [fill if not k else e for e, k in zip(entries, ok, strict=True)]
                ok = [True] * size
            fill = next(e for e in entries if e is not None)
            entries = [fill if e is None else e for e in entries]
            # Codes outside the subject's own members never occur: no check needed then.
            domain = self.domain(subject_node)
            need_check = not all(ok[self._code(m)] for m in domain) if domain else not all(ok)
            table = self.table(entries, ok if need_check else None, kind, f"按 {self.describe(subject_node)}")
            return self.emit(f"c.table({subject}, {table})", out, pad)
        conds = []
        for ms, value, _l, _c in cases:
            codes = tuple(self._code(m) for m in ms)
            test = (self.emit(f"c.cmpx('==', {subject}, {codes[0]})", out, pad) if len(codes) == 1
                    else self.emit(f"c.isin({subject}, {codes!r})", out, pad))
            conds.append((test, self.expr(value, out, pad)))
        other_name = self.expr(other[0], out, pad) if other is not None else None
        return self.select(conds, other_name, out, pad)

    def domain(self, node: Node) -> tuple[str, ...]:
        if node[0] == "input":
            return tuple(self.inputs[node[1]]["members"])
        return ()

    def describe(self, node: Node) -> str:
        return str(node[1]) if node[0] in ("input", "ref") else node[0]

    def table_value(self, value: Any, kind: str) -> Any:
        if kind == "enum":
            return self._code(value)
        if kind == "date":
            return (value - datetime.date(1970, 1, 1)).days
        return value

    def bands(self, node: Node, out: list[str], pad: str) -> str:
        subject = self.expr(node[1], out, pad)
        cases = []
        for lo, lo_incl, hi, hi_incl, value, _label, _cite in node[2]:
            lo_text = repr(str(lo)) if lo is not None else "None"
            hi_text = repr(str(hi)) if hi is not None else "None"
            test = self.emit(f"c.band({subject}, {lo_text}, {lo_incl}, {hi_text}, {hi_incl})", out, pad)
            cases.append((test, self.expr(value, out, pad)))
        other = self.expr(node[3][0], out, pad) if node[3] is not None else None
        if not cases:
            assert other is not None  # INVARIANT: the checker rejects bands with neither
            return other
        return self.select(cases, other, out, pad)

    def dated(self, node: Node, out: list[str], pad: str) -> str:
        slot, what, versions = node[1], node[2], node[3]
        kind = self.kind(node)
        if all(v[2][0] == "const" for v in versions):
            entries = [self.table_value(v[2][1], kind) for v in versions]
            table = self.table(entries, None, kind, f"{what}的各版本")
            return self.emit(f"c.dated_table({slot}, {table})", out, pad)
        names = []
        for i, version in enumerate(versions):
            fname = f"v{slot}_{i}"
            names.append(fname)
            out.append(f"{pad}def {fname}():  # {version[3]}")
            body: list[str] = []
            saved = set(self.bound)
            result = self.expr(version[2], body, pad + "    ")
            self.bound = saved  # locals bound inside the version stay inside it
            out.extend(body)
            out.append(f"{pad}    return {result}")
        return self.emit(f"c.dated({slot}, ({', '.join(names)},))", out, pad)

    def constant(self, node: Node) -> Any:
        """The number a node always has (a literal, or a parameter without rounding), else None."""
        if node[0] == "ref":
            d = self.p.defs[node[1]]
            node = d["expr"] if d["round"] is None else ("ref",)
        if node[0] == "const" and not isinstance(node[1], (bool, str, datetime.date)):
            return node[1]
        return None

    def factor(self, values: list[Node]) -> tuple[Node, list[Any]] | None:
        """(x, [k, ...]) if every value is x × k (or k × x) for one x and constants k."""
        common: Node | None = None
        ks: list[Any] = []
        for v in values:
            if v[0] != "arith" or v[1] != "*":
                return None
            a, b = v[2], v[3]
            if self.constant(b) is not None:
                x, k = a, self.constant(b)
            elif self.constant(a) is not None:
                x, k = b, self.constant(a)
            else:
                return None
            if common is None:
                common = x
            elif x != common:
                return None
            ks.append(k)
        if common is None or self.constant(common) is not None:
            return None
        return common, ks

    # ------------------------------------------------------------ definitions

    def definition(self, name: str) -> list[str]:
        d = self.p.defs[name]
        self.bound = set()
        self.temp = 0
        body: list[str] = []
        pad = "        "
        expr = d["expr"]
        sink = name if name in self.p.outputs and d["value_kind"] != "int" else None
        if d["round"] is not None:
            mode, quantum = d["round"]
            result = self.rounded(expr, _exponent(quantum), mode, body, pad, sink)
        elif expr[0] == "round" and not expr[4]:
            result = self.rounded(expr[3], _exponent(expr[2]), expr[1], body, pad, sink)
        else:
            result = self.expr(expr, body, pad)
            if sink is not None and body and self.last == (result, len(body)) \
                    and body[-1].startswith((f"{pad}{result} = c.add(", f"{pad}{result} = c.sub(",
                                             f"{pad}{result} = c.mul(")):
                body[-1] = f"{body[-1][:-1]}, c.sink({sink!r}))"  # the last step writes the output
        fname = self.ident("b", name)
        lines = [f"    def {fname}(c):", f'        """「{name}」, line {d["line"]}."""']
        lines.extend(body)
        lines.append(f"        return {result}")
        lines.append("")
        return lines

    def generate(self) -> str:
        p = self.p
        self.fallback = {}
        functions: list[tuple[str, str]] = []
        body: list[str] = []
        for name in p.order:
            saved = (list(self.const_lines), dict(self.consts), list(self.enums))
            try:
                lines = self.definition(name)
            except Unsupported as exc:
                self.fallback[name] = str(exc)
                self.const_lines, self.consts, self.enums = saved
                continue
            body.extend(lines)
            functions.append((name, self.ident("b", name)))
        code = ["def build():",
                '    """The columnar evaluators: {"defs": {definition: function(chunk)}, "enums": codes}."""',
                "    from guize.runtime import batchops as _b",
                "",
                f"    ENUMS = {tuple(self.enums)!r}"]
        code.extend(self.const_lines)
        code.append("")
        code.extend(body)
        table = ", ".join(f"{n!r}: {f}" for n, f in functions)
        code.append(f"    return {{'defs': {{{table}}}, 'enums': ENUMS}}")
        source = "\n".join(code) + "\n"
        # Kept as text and compiled on first use: loading a policy for scalar evaluation
        # (every `guize eval`) does not pay for compiling code it will not run.
        literal = f"r'''\n{source}'''" if "'''" not in source and "\\" not in source else repr(source)
        out = ["", "",
               "# ---------------------------------------------------------------- columnar evaluators",
               "# Written by guize.compiler.batchgen for Policy.evaluate_batch: fixed-point int64",
               "# columns with overflow checks; compiled, and numpy imported, when BATCH() is first called.",
               "",
               f"BATCH_FORMAT = {FORMAT!r}",
               f"BATCH_FALLBACK = {self.fallback!r}",
               f"BATCH_SOURCE = {literal}",
               "",
               "",
               "def BATCH():",
               '    """Compile BATCH_SOURCE and build the columnar evaluators."""',
               "    import linecache",
               "",
               "    name = globals().get('__file__', '<policy>') + ':batch'",
               "    linecache.cache[name] = (len(BATCH_SOURCE), None, BATCH_SOURCE.splitlines(True), name)",
               "    namespace = {}",
               "    exec(compile(BATCH_SOURCE, name, 'exec'), namespace)",
               "    return namespace['build']()"]
        return "\n".join(out) + "\n"


def generate(policy: CheckedPolicy) -> str:
    return BatchGen(policy).generate()
