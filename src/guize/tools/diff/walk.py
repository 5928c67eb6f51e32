"""guize diff: every walk over the checked tree (IR) — children, normal form, rendering,
value rows and their changes, and the facts (constants, caps, dates) the behavioural comparison reads."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import attrs

from guize.runtime import display
from guize.runtime import values as V
from guize.runtime.ir import Node, dependencies, select_version
from guize.runtime.policy import Policy
from guize.tools.diff.texts import DAY, DateRange, is_num, range_json, range_text


def _children(node: Node) -> list[Node]:
    tag = node[0]
    if tag in ("arith", "cmp"):
        return [node[2], node[3]]
    if tag in ("neg", "not"):
        return [node[1]]
    if tag in ("and", "or"):
        return [node[1], node[2]]
    if tag == "if":
        return list(node[1:4])
    if tag in ("min", "max"):
        return list(node[1])
    if tag == "round":
        return [node[3]]
    if tag == "call":
        return list(node[2])
    if tag == "cond":
        out = [x for b in node[1] for x in (b[0], b[1])]
        return out + ([node[2][0]] if node[2] else [])
    if tag == "match":
        return [node[1]] + [c[1] for c in node[2]] + ([node[3][0]] if node[3] else [])
    if tag == "bands":
        return [node[1]] + [b[4] for b in node[2]] + ([node[3][0]] if node[3] else [])
    if tag == "dated":
        return [v[2] for v in node[3]]
    return []  # const, input, ref, asof, and any node this module does not know


def walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(reversed(_children(item)))


def normalize(node: Node) -> Any:
    """The node without labels, citations and slot numbers: equal iff the rule computes the same."""
    tag = node[0]
    if tag == "cond":
        return ("cond", tuple((normalize(t), normalize(v)) for t, v, *_ in node[1]),
                normalize(node[2][0]) if node[2] else None)
    if tag == "match":
        cases = sorted(((m, normalize(c[1])) for c in node[2] for m in c[0]), key=lambda x: x[0])
        return ("match", normalize(node[1]), tuple(cases), normalize(node[3][0]) if node[3] else None)
    if tag == "bands":
        bands = sorted(((b[0], b[1], b[2], b[3], normalize(b[4])) for b in node[2]),
                       key=lambda b: (b[0] is not None, b[0] if b[0] is not None else 0))
        return ("bands", normalize(node[1]), tuple(bands), normalize(node[3][0]) if node[3] else None)
    if tag == "dated":
        return ("dated", tuple((v[0], v[1], normalize(v[2])) for v in node[3]))
    if tag in ("min", "max"):
        return (tag, tuple(normalize(a) for a in node[1]))
    if tag == "call":
        return ("call", node[1], tuple(normalize(a) for a in node[2]))
    if tag == "round":
        return ("round", node[1], node[2], normalize(node[3]), node[4])
    if tag in ("arith", "cmp"):
        return (tag, node[1], normalize(node[2]), normalize(node[3]))
    if tag in ("neg", "not", "and", "or", "if"):
        return (tag, *(normalize(c) for c in node[1:]))
    if tag == "const":
        return ("const", type(node[1]) is bool, node[1])
    return node


def inner_cites(node: Node) -> tuple[str, ...]:
    found: set[str] = set()
    for n in walk(node):
        tag = n[0]
        rows: Iterable[Any] = ()
        if tag == "cond":
            rows = [(b[3],) for b in n[1]] + ([(n[2][2],)] if n[2] else [])
        elif tag == "match":
            rows = [(c[3],) for c in n[2]] + ([(n[3][2],)] if n[3] else [])
        elif tag == "bands":
            rows = [(b[6],) for b in n[2]] + ([(n[3][2],)] if n[3] else [])
        elif tag == "dated":
            rows = [(v[4],) for v in n[3]]
        for (cites,) in rows:
            found.update(cites)
    return tuple(sorted(found))


_FUNC_NAMES = {"year": "年份", "month": "月份", "day": "日", "months_between": "相差月数",
               "days_between": "相差天数", "years_between": "相差年数", "add_months": "加月",
               "add_years": "加年", "add_days": "加天", "abs": "绝对值"}
_OPS = {"+": "+", "-": "-", "*": "×", "/": "÷"}
_CMP = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}
ROUND_WORDS = {"half_up": "四舍五入", "floor": "向下取整", "ceil": "向上取整", "down": "截尾"}


def render_ir(node: Node) -> str:
    """Readable text for an expression of the checked tree (for showing what changed)."""
    tag = node[0]
    if tag == "const":
        return display.number(node[1]) if isinstance(node[1], (int, Decimal)) and type(node[1]) is not bool \
            else V.fmt(node[1])
    if tag in ("input", "ref"):
        return str(node[1])
    if tag == "asof":
        return "评估日期"
    if tag == "arith":
        a, b = render_ir(node[2]), render_ir(node[3])
        if node[1] in "*/":
            a = f"({a})" if node[2][0] == "arith" and node[2][1] in "+-" else a
            b = f"({b})" if node[3][0] == "arith" else b
        elif node[1] == "-" and node[3][0] == "arith" and node[3][1] in "+-":
            b = f"({b})"
        return f"{a} {_OPS[node[1]]} {b}"
    if tag == "neg":
        return f"-{render_ir(node[1])}"
    if tag == "cmp":
        return f"{render_ir(node[2])} {_CMP[node[1]]} {render_ir(node[3])}"
    if tag in ("and", "or"):
        return f"{render_ir(node[1])} {'且' if tag == 'and' else '或'} {render_ir(node[2])}"
    if tag == "not":
        return f"非 {render_ir(node[1])}"
    if tag == "if":
        return f"若 {render_ir(node[1])} 则 {render_ir(node[2])} 否则 {render_ir(node[3])}"
    if tag in ("min", "max"):
        word = "取较小值" if tag == "min" else "取较大值"
        return f"{word}({', '.join(render_ir(a) for a in node[1])})"
    if tag == "round":
        return f"{ROUND_WORDS.get(node[1], node[1])}({render_ir(node[3])})"
    if tag == "call":
        return f"{_FUNC_NAMES.get(node[1], node[1])}({', '.join(render_ir(a) for a in node[2])})"
    if tag == "cond":
        parts = [f"{b[2]} 则 {render_ir(b[1])}" for b in node[1]]
        if node[2]:
            parts.append(f"否则 {render_ir(node[2][0])}")
        return "；".join(parts)
    if tag == "match":
        return f"按 {render_ir(node[1])}（{len(node[2])} 行）"
    if tag == "bands":
        return f"按 {render_ir(node[1])} 分段（{len(node[2])} 段）"
    if tag == "dated":
        return f"按日期（{len(node[3])} 个版本）"
    return repr(node)


def _intersect(a: DateRange, b: DateRange) -> DateRange | None:
    starts = [d for d in (a[0], b[0]) if d is not None]
    ends = [d for d in (a[1], b[1]) if d is not None]
    start = max(starts) if starts else None
    end = min(ends) if ends else None
    if start is not None and end is not None and start >= end:
        return None
    return (start, end)


def value_rows(node: Node, path: tuple[str, ...] = (), rng: DateRange = (None, None)) -> list[tuple[tuple[str, ...], DateRange, Node]]:
    """Flatten tables, branches and dated versions into rows: (row labels, dates, value node)."""
    tag = node[0]
    out: list[tuple[tuple[str, ...], DateRange, Node]] = []
    if tag == "dated":
        for start, end, value, _label, _cite in node[3]:
            sub = _intersect(rng, (start, end))
            if sub is not None:
                out.extend(value_rows(value, path, sub))
    elif tag == "match":
        for members, value, _label, _cite in node[2]:
            for m in members:
                out.extend(value_rows(value, (*path, str(m)), rng))
        if node[3]:
            out.extend(value_rows(node[3][0], (*path, "其他"), rng))
    elif tag == "bands":
        for band in node[2]:
            out.extend(value_rows(band[4], (*path, band[5]), rng))
        if node[3]:
            out.extend(value_rows(node[3][0], (*path, "其他"), rng))
    elif tag == "cond":
        for branch in node[1]:
            out.extend(value_rows(branch[1], (*path, branch[2]), rng))
        if node[2]:
            out.extend(value_rows(node[2][0], (*path, "否则"), rng))
    else:
        out.append((path, rng, node))
    return out


def segments(old: list[tuple[DateRange, Node]], new: list[tuple[DateRange, Node]]
              ) -> list[tuple[DateRange, Node | None, Node | None]]:
    """Piecewise comparison over dates: the ranges where the old and the new value differ."""
    cuts: set[datetime.date] = set()
    for rng, _ in old + new:
        cuts.update(d for d in rng if d is not None)
    points = sorted(cuts)
    pieces: list[DateRange] = []
    bounds: list[datetime.date | None] = [None, *points, None]
    pieces.extend(itertools.pairwise(bounds))

    def at(rows: list[tuple[DateRange, Node]], piece: DateRange) -> Node | None:
        for rng, node in rows:
            if _intersect(rng, piece) == piece:
                return node
        return None

    out: list[tuple[DateRange, Node | None, Node | None]] = []
    for piece in pieces:
        a, b = at(old, piece), at(new, piece)
        if a is None and b is None:
            continue
        if a is not None and b is not None and normalize(a) == normalize(b):
            continue
        if out and out[-1][0][1] == piece[0] and _same_node(out[-1][1], a) and _same_node(out[-1][2], b):
            out[-1] = ((out[-1][0][0], piece[1]), a, b)
        else:
            out.append((piece, a, b))
    return out


def _same_node(a: Node | None, b: Node | None) -> bool:
    if a is None or b is None:
        return a is b
    return bool(normalize(a) == normalize(b))


def node_text(node: Node | None, d: Mapping[str, Any]) -> str:
    if node is None:
        return "（无）"
    if node[0] == "const":
        return display.typed(node[1], d["value_kind"], display.unit_in(d["type"]))
    return render_ir(node)


def row_changes(da: Mapping[str, Any], db: Mapping[str, Any]) -> list[dict[str, Any]]:
    old_rows = value_rows(da["expr"])
    new_rows = value_rows(db["expr"])
    paths: list[tuple[str, ...]] = []
    for path, _, _ in new_rows + old_rows:
        if path not in paths:
            paths.append(path)
    out = []
    for path in paths:
        a = [(rng, node) for p, rng, node in old_rows if p == path]
        b = [(rng, node) for p, rng, node in new_rows if p == path]
        for rng, na, nb in segments(a, b):
            row: dict[str, Any] = {"row": list(path), **range_json(rng), "dates_text": range_text(rng),
                                   "old_text": node_text(na, da), "new_text": node_text(nb, db)}
            if na is not None and nb is not None and na[0] == nb[0] == "const":
                row["old"], row["new"] = na[1], nb[1]
            out.append(row)
    return out


@attrs.define
class Facts:
    """What the rules of one output (with its dependencies) compare, cap and date by."""

    direct: dict[str, set[Any]] = attrs.field(factory=dict)  # input -> constants met directly
    consts: set[Decimal] = attrs.field(factory=set)
    rates: set[Decimal] = attrs.field(factory=set)
    caps: set[Decimal] = attrs.field(factory=set)
    dates: set[datetime.date] = attrs.field(factory=set)
    years: set[int] = attrs.field(factory=set)
    dated: list[Node] = attrs.field(factory=list)
    uses_asof: bool = False


def cone(defs: Mapping[str, Mapping[str, Any]], output: str) -> list[str]:
    return sorted(dependencies(defs, [output]))


def _const_values(node: Node, defs: Mapping[str, Mapping[str, Any]], depth: int = 0) -> set[Any] | None:
    """The constants a node can take when it is a constant or a table of constants; else None."""
    if node[0] == "const":
        return {node[1]}
    if node[0] == "ref" and depth < 4 and node[1] in defs:
        rows = value_rows(defs[node[1]]["expr"])
        found: set[Any] = set()
        for _, _, leaf in rows:
            sub = _const_values(leaf, defs, depth + 1)
            if sub is None:
                return None
            found |= sub
        return found
    if node[0] == "arith" and depth < 4:
        a, b = _const_values(node[2], defs, depth + 1), _const_values(node[3], defs, depth + 1)
        if a is None or b is None or len(a) * len(b) > 16:
            return None
        out: set[Any] = set()
        for x in a:
            for y in b:
                if is_num(x) and is_num(y):
                    try:
                        out.add({"+": x + y, "-": x - y, "*": x * y}.get(node[1]) if node[1] != "/"
                                else (Decimal(x) / y if y else None))
                    except ArithmeticError:
                        continue
        out.discard(None)
        return out
    return None


def _input_of(node: Node) -> str | None:
    return str(node[1]) if node[0] == "input" else None


def collect_facts(defs: Mapping[str, Mapping[str, Any]], names: Iterable[str], facts: Facts) -> Facts:
    for name in names:
        for node in walk(defs[name]["expr"]):
            tag = node[0]
            if tag == "const":
                v = node[1]
                if isinstance(v, datetime.date):
                    facts.dates.add(v)
                elif is_num(v):
                    facts.consts.add(Decimal(v))
                    if 0 < v < 1:
                        facts.rates.add(Decimal(v))
            elif tag == "asof":
                facts.uses_asof = True
            elif tag == "dated":
                facts.dated.append(node)
                for start, end, *_ in node[3]:
                    facts.dates.update(d for d in (start, end) if d is not None)
            elif tag == "bands":
                x = _input_of(node[1])
                if x:
                    for b in node[2]:
                        facts.direct.setdefault(x, set()).update(v for v in (b[0], b[2]) if v is not None)
            elif tag in ("cmp", "arith"):
                for one, other in ((node[2], node[3]), (node[3], node[2])):
                    x = _input_of(one)
                    values = _const_values(other, defs)
                    if x and values:
                        facts.direct.setdefault(x, set()).update(values)
                if tag == "cmp":
                    for one, other in ((node[2], node[3]), (node[3], node[2])):
                        if one == ("call", "year", (("asof",),)) and other[0] == "const" and is_num(other[1]):
                            facts.years.add(int(other[1]))
            elif tag in ("min", "max"):
                args = node[1]
                for i, arg in enumerate(args):
                    others = [_const_values(o, defs) for j, o in enumerate(args) if j != i]
                    x = _input_of(arg)
                    for values in others:
                        if values:
                            facts.caps.update(Decimal(v) for v in values if is_num(v) and v >= 1)
                            if x:
                                facts.direct.setdefault(x, set()).update(values)
    return facts


def cone_signature(module: Any, names: list[str], inputs: Iterable[str]) -> Any:
    defs = module.DEFS
    specs = {s["name"]: s for s in module.INPUTS}
    sig_defs = tuple((n, normalize(defs[n]["expr"]), defs[n]["round"], defs[n]["type"]) for n in names)
    sig_inputs = tuple((n, specs[n]["kind"], specs[n]["scale"], tuple(specs[n]["members"]),
                        specs[n]["has_default"], specs[n]["default"]) for n in sorted(inputs) if n in specs)
    return (sig_defs, sig_inputs)


def version_signature(policy: Policy, dated: list[Node], on: datetime.date) -> tuple[Any, ...]:
    code = policy.window.status(on)[0]
    if code != "in_force":
        return (code,)
    return ("in", tuple(select_version(n[3], on) for n in dated))


@attrs.frozen
class Epoch:
    start: datetime.date | None
    end: datetime.date | None  # exclusive
    rep: datetime.date  # the date evaluated for this epoch


def epochs(old: Policy, new: Policy, facts_old: Facts, facts_new: Facts) -> tuple[list[Epoch], bool]:
    """Date ranges within which neither version changes, and whether they are exact or sampled."""
    cuts: set[datetime.date] = set()
    for pol in (old, new):
        w = pol.window
        cuts.update(d for d in (w.start, w.last + DAY if w.last else None,
                                w.repealed.on if w.repealed else None) if d is not None)
    for facts in (facts_old, facts_new):
        for node in facts.dated:
            for start, end, *_ in node[3]:
                cuts.update(d for d in (start, end) if d is not None)
        for y in facts.years:
            cuts.update((datetime.date(y, 1, 1), datetime.date(y + 1, 1, 1)))
        cuts.update(d for d in facts.dates)
    points = sorted(cuts)
    uses_asof = facts_old.uses_asof or facts_new.uses_asof
    if not points:
        return [Epoch(None, None, datetime.date(2000, 1, 1))], not uses_asof
    if uses_asof:
        sampled = sorted({d + k * DAY for d in points for k in (-1, 0, 1)})
        return [Epoch(d, d + DAY, d) for d in sampled], False
    out = [Epoch(None, points[0], points[0] - DAY)]
    out.extend(Epoch(a, b, a) for a, b in itertools.pairwise(points))
    out.append(Epoch(points[-1], None, points[-1]))
    return out, True
