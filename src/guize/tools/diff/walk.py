"""guize diff: every walk over the checked tree (IR) — children, normal form, rendering,
value rows and their changes, and the facts (constants, caps, dates) the behavioural comparison reads."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, assert_never

import attrs

from guize.runtime import display, ir
from guize.runtime.deps import dependencies, select_version
from guize.runtime.formula import render_ir
from guize.runtime.policy import Policy
from guize.tools.diff.texts import DAY, DateRange, is_num, range_json, range_text


def normalize(node: ir.Expr) -> Any:
    """The node without labels, citations, slot numbers and row order: equal iff the rule
    computes the same."""
    match node:
        case ir.Cond(branches=branches, other=other):
            return ("cond", tuple((normalize(b.test), normalize(b.value)) for b in branches), normalize(other.value))
        case ir.Match(subject=subject, cases=cases, other=other):
            rows = sorted(((m, normalize(c.value)) for c in cases for m in c.members), key=lambda x: x[0])
            return ("match", normalize(subject), tuple(rows), normalize(other.value) if other else None)
        case ir.Bands(subject=subject, bands=bands, other=other):
            brows = sorted(((b.lo, b.lo_incl, b.hi, b.hi_incl, normalize(b.value)) for b in bands),
                           key=lambda b: (b[0] is not None, b[0] if b[0] is not None else 0))
            return ("bands", normalize(subject), tuple(brows), normalize(other.value) if other else None)
        case ir.Dated(versions=versions):
            return ("dated", tuple((v.start, v.end, normalize(v.value)) for v in versions))
        case ir.Min(args=args) | ir.Max(args=args):
            return (type(node).__name__, tuple(normalize(a) for a in args))
        case ir.Call(func=func, args=args):
            return ("call", func, tuple(normalize(a) for a in args))
        case ir.Round(mode=mode, quantum=quantum, arg=arg, as_int=as_int):
            return ("round", mode, quantum, normalize(arg), as_int)
        case ir.Arith(op=op, left=left, right=right) | ir.Cmp(op=op, left=left, right=right):
            return (type(node).__name__, op, normalize(left), normalize(right))
        case ir.Neg() | ir.Not() | ir.And() | ir.Or() | ir.If():
            return (type(node).__name__, *(normalize(c) for c in ir.children(node)))  # type: ignore[arg-type]
        case ir.Const(value=value):
            return ("const", type(value) is bool, value)
        case ir.Input(name=name) | ir.Ref(name=name):
            return (type(node).__name__, name)
        case ir.AsOf():
            return ("asof",)
        case ir.Scale(kind=kind, brackets=brackets):
            return ("scale", kind, tuple((b.lo, b.lo_incl, b.hi, b.hi_incl, normalize(b.value)) for b in brackets))
        case ir.Progressive(func=func, scale=scale, base=base):
            return ("progressive", func, normalize(scale), normalize(base))
        case ir.Each(source=source, body=body):
            return ("each", normalize(source), normalize(body))
        case ir.Field(name=name) | ir.ItemRef(name=name):
            return (type(node).__name__, name)
        case ir.Running(arg=arg, inclusive=inclusive):
            return ("running", normalize(arg), inclusive)
        case ir.Aggregate(func=func, source=source, filter=test, value=value):
            return ("aggregate", func, normalize(source), normalize(test) if test is not None else None,
                    normalize(value) if value is not None else None)
        case ir.AtDate(dated=dated, date=date):
            # The versions' values are the parameter's own (a change to them is reported there).
            return ("at_date", dated.what, normalize(date))
        case ir.InMonth(source=source, field=field, month=month, value=value):
            return ("in_month", normalize(source), field, normalize(month), normalize(value))
    assert_never(node)


def inner_cites(node: ir.Expr) -> tuple[str, ...]:
    """The articles cited by the rows inside an expression (branches, table rows, versions)."""
    found: set[str] = set()
    for n in ir.walk(node):
        if isinstance(n, ir.ROW_TYPES):
            found.update(n.cite)  # type: ignore[union-attr]
    return tuple(sorted(found))


def _intersect(a: DateRange, b: DateRange) -> DateRange | None:
    starts = [d for d in (a[0], b[0]) if d is not None]
    ends = [d for d in (a[1], b[1]) if d is not None]
    start = max(starts) if starts else None
    end = min(ends) if ends else None
    if start is not None and end is not None and start >= end:
        return None
    return (start, end)


def value_rows(node: ir.Expr, path: tuple[str, ...] = (), rng: DateRange = (None, None)
               ) -> list[tuple[tuple[str, ...], DateRange, ir.Expr]]:
    """Flatten tables, branches and dated versions into rows: (row labels, dates, value node)."""
    out: list[tuple[tuple[str, ...], DateRange, ir.Expr]] = []
    match ir.unwrap_time(node):
        case ir.Dated(versions=versions):
            for v in versions:
                sub = _intersect(rng, (v.start, v.end))
                if sub is not None:
                    out.extend(value_rows(v.value, path, sub))
        case ir.Match(cases=cases, other=other):
            for case in cases:
                for m in case.members:
                    out.extend(value_rows(case.value, (*path, str(m)), rng))
            if other:
                out.extend(value_rows(other.value, (*path, "其他"), rng))
        case ir.Bands(bands=bands, other=other):
            for band in bands:
                out.extend(value_rows(band.value, (*path, band.label), rng))
            if other:
                out.extend(value_rows(other.value, (*path, "其他"), rng))
        case ir.Scale(brackets=brackets):
            for band in brackets:
                out.extend(value_rows(band.value, (*path, band.label), rng))
        case ir.Cond(branches=branches, other=other_row):
            for branch in branches:
                out.extend(value_rows(branch.value, (*path, branch.label), rng))
            out.extend(value_rows(other_row.value, (*path, "否则"), rng))
        case _:
            out.append((path, rng, node))
    return out


def segments(old: list[tuple[DateRange, ir.Expr]], new: list[tuple[DateRange, ir.Expr]]
             ) -> list[tuple[DateRange, ir.Expr | None, ir.Expr | None]]:
    """Piecewise comparison over dates: the ranges where the old and the new value differ."""
    cuts: set[datetime.date] = set()
    for rng, _ in old + new:
        cuts.update(d for d in rng if d is not None)
    points = sorted(cuts)
    pieces: list[DateRange] = []
    bounds: list[datetime.date | None] = [None, *points, None]
    pieces.extend(itertools.pairwise(bounds))

    def at(rows: list[tuple[DateRange, ir.Expr]], piece: DateRange) -> ir.Expr | None:
        for rng, node in rows:
            if _intersect(rng, piece) == piece:
                return node
        return None

    out: list[tuple[DateRange, ir.Expr | None, ir.Expr | None]] = []
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


def _same_node(a: ir.Expr | None, b: ir.Expr | None) -> bool:
    if a is None or b is None:
        return a is b
    return bool(normalize(a) == normalize(b))


def node_text(node: ir.Expr | None, d: ir.Definition) -> str:
    if node is None:
        return "（无）"
    if isinstance(node, ir.Const):
        return display.typed(node.value, d.value_kind, display.unit_in(d.type))
    return render_ir(node)


def row_changes(da: ir.Definition, db: ir.Definition) -> list[dict[str, Any]]:
    """The rows of a definition whose value changed, piece by piece over dates."""
    old_rows = value_rows(da.expr)
    new_rows = value_rows(db.expr)
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
            if isinstance(na, ir.Const) and isinstance(nb, ir.Const):
                row["old"], row["new"] = na.value, nb.value
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
    dated: list[ir.Dated] = attrs.field(factory=list)
    uses_asof: bool = False


def cone(defs: Mapping[str, ir.Definition], output: str) -> list[str]:
    return sorted(dependencies(defs, [output]))


def _const_values(node: ir.Expr, defs: Mapping[str, ir.Definition], depth: int = 0) -> set[Any] | None:
    """The constants a node can take when it is a constant or a table of constants; else None."""
    if isinstance(node, ir.Const):
        return {node.value}
    if isinstance(node, ir.Ref) and depth < 4 and node.name in defs:
        rows = value_rows(defs[node.name].expr)
        found: set[Any] = set()
        for _, _, leaf in rows:
            sub = _const_values(leaf, defs, depth + 1)
            if sub is None:
                return None
            found |= sub
        return found
    if isinstance(node, ir.Arith) and depth < 4:
        a, b = _const_values(node.left, defs, depth + 1), _const_values(node.right, defs, depth + 1)
        if a is None or b is None or len(a) * len(b) > 16:
            return None
        out: set[Any] = set()
        for x in a:
            for y in b:
                if is_num(x) and is_num(y):
                    try:
                        out.add({"+": x + y, "-": x - y, "*": x * y}.get(node.op) if node.op != "/"
                                else (Decimal(x) / y if y else None))
                    except ArithmeticError:
                        continue
        out.discard(None)
        return out
    return None


def _input_of(node: ir.Expr) -> str | None:
    return node.name if isinstance(node, ir.Input) else None


def _scale_bounds(node: ir.Expr, defs: Mapping[str, ir.Definition]) -> set[Any]:
    """The bracket bounds of every scale a scale expression can be (through names and dates)."""
    found: set[Any] = set()
    for n in ir.walk(node):
        if isinstance(n, ir.Ref) and n.name in defs:
            found |= _scale_bounds(defs[n.name].expr, defs)
        elif isinstance(n, ir.Scale):
            found.update(v for b in n.brackets for v in (b.lo, b.hi) if v is not None)
    return found


def _is_year_of_asof(node: ir.Expr) -> bool:
    return isinstance(node, ir.Call) and node.func == "year" and len(node.args) == 1 \
        and isinstance(node.args[0], ir.AsOf)


def collect_facts(defs: Mapping[str, ir.Definition], names: Iterable[str], facts: Facts) -> Facts:
    for name in names:
        for node in ir.walk(defs[name].expr):
            match node:
                case ir.Const(value=v):
                    if isinstance(v, datetime.date):
                        facts.dates.add(v)
                    elif is_num(v):
                        facts.consts.add(Decimal(v))
                        if 0 < v < 1:  # type: ignore[operator]
                            facts.rates.add(Decimal(v))
                case ir.AsOf():
                    facts.uses_asof = True
                case ir.Dated(versions=versions):
                    facts.dated.append(node)
                    for version in versions:
                        facts.dates.update(d for d in (version.start, version.end) if d is not None)
                case ir.Bands(subject=subject, bands=bands):
                    x = _input_of(subject)
                    if x:
                        for b in bands:
                            facts.direct.setdefault(x, set()).update(v for v in (b.lo, b.hi) if v is not None)
                case ir.Progressive(scale=scale, base=base):
                    x = _input_of(base)
                    if x:
                        facts.direct.setdefault(x, set()).update(_scale_bounds(scale, defs))
                case ir.Cmp(left=left, right=right) | ir.Arith(left=left, right=right):
                    for one, other in ((left, right), (right, left)):
                        x = _input_of(one)
                        values = _const_values(other, defs)
                        if x and values:
                            facts.direct.setdefault(x, set()).update(values)
                    if isinstance(node, ir.Cmp):
                        for one, other in ((left, right), (right, left)):
                            if _is_year_of_asof(one) and isinstance(other, ir.Const) and is_num(other.value):
                                facts.years.add(int(other.value))  # type: ignore[arg-type]
                case ir.Min(args=args) | ir.Max(args=args):
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
    defs = ir.module_definitions(module)
    specs = {s["name"]: s for s in module.INPUTS}
    sig_defs = tuple((n, normalize(defs[n].expr), defs[n].round, defs[n].type) for n in names)
    sig_inputs = tuple((n, specs[n]["kind"], specs[n]["scale"], tuple(specs[n]["members"]),
                        specs[n]["has_default"], specs[n]["default"]) for n in sorted(inputs) if n in specs)
    return (sig_defs, sig_inputs)


def version_signature(policy: Policy, dated: list[ir.Dated], on: datetime.date) -> tuple[Any, ...]:
    code = policy.window.status(on)[0]
    if code != "in_force":
        return (code,)
    return ("in", tuple(select_version(n.versions, on) for n in dated))


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
            for v in node.versions:
                cuts.update(d for d in (v.start, v.end) if d is not None)
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
