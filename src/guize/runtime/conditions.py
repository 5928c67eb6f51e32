"""When each input is needed: the conditions on the evaluation paths that read it, from the IR.

Evaluation is lazy (ir.strict_needs): an input read only under a branch, a table row, a band, a
dated version, a list that is not empty, or the formula of a 可作输入 definition that was not
given, is needed only there. `needed_when` walks the outputs' definitions and collects, for each
input, the alternatives (any one suffices) of conditions (all must hold) under which a path
reads it, simplified exactly: two alternatives that differ only in the rows of one choice merge
(「产品类别 = 甲」 or 「= 乙」 is 「= 甲、乙」; every row of it is no condition at all), and an
alternative that contains another is dropped. No alternative left with no condition: the input is
needed on every path. Computed for the schema and `Policy.inputs`, never while evaluating.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, TypeAlias, assert_never

from guize.runtime import dates, ir
from guize.runtime.formula import render_ir

# More alternatives than this for one input: it is reported as needed (a conservative schema
# rather than a list nobody reads).
MAX_ALTERNATIVES = 16


class Condition(NamedTuple):
    """One condition on a path: `kind` is test (the yes/no expression `subject` is `values[0]`:
    是 or 否), member (the enum `subject` is one of `values`), not_member (it is none of `values`: a
    table's 其他 row), band (the number `subject` is in one of the bands labelled `values`), date
    (the 评估日期 falls in one of the periods `values`), given (the 可作输入 definition `subject`
    was not given: `values` is 未给出) or items (the list `subject` is not empty: 不为空); `text`
    says it in the rules' words."""

    kind: str
    subject: str
    values: tuple[str, ...]
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "subject": self.subject, "values": list(self.values), "text": self.text}


# A condition while walking: (key of the choice, the rows of it allowed). A choice is a node of
# the IR (a test, table, bands, dated value, list) or a 可作输入 definition; its rows are indices.
_Atom: TypeAlias = tuple[Any, frozenset[int]]
_Path: TypeAlias = frozenset[_Atom]
_Paths: TypeAlias = frozenset[_Path]


class _Choice(NamedTuple):
    kind: str
    subject: str
    rows: tuple[str, ...]  # each row's words (a member list, a band label, a period)
    size: int  # how many rows the choice has
    values: tuple[tuple[str, ...], ...] = ()  # each row's values, when not its words (members, 是/否)


When: TypeAlias = tuple[tuple[Condition, ...], ...]


def needed_when(defs: Mapping[str, ir.Definition], outputs: Iterable[str],
                inputs: Iterable[str]) -> dict[str, When | None]:
    """For each of `inputs` that `outputs` read: () when every path reads it, else the
    alternatives of conditions under which a path does (None: too many to list; see
    MAX_ALTERNATIVES). Inputs the outputs never read are left out. Deterministic."""
    walker = _Walker(defs)
    for name in defs:  # in dependency order (the checker's): a long chain costs no deep recursion
        walker.definition(name)
    found: dict[str, set[_Path]] = {}
    for name in outputs:
        for inp, paths in walker.definition(name).items():
            found.setdefault(inp, set()).update(paths)
    walker.order = _ranks(defs, outputs, walker.order)
    every = ir.strict_needs(defs, outputs)
    out: dict[str, When | None] = {}
    for inp in inputs:
        if inp not in found:
            continue
        simple = _simplify(found[inp], walker.choices)
        if ("input", inp) in every or frozenset() in simple:
            out[inp] = ()
        elif len(simple) > MAX_ALTERNATIVES:
            out[inp] = None
        else:
            out[inp] = tuple(sorted((walker.conditions(p) for p in simple), key=_order))
    return out


def _ranks(defs: Mapping[str, ir.Definition], outputs: Iterable[str], met: Mapping[Any, int]) -> dict[Any, int]:
    """Each choice's place in the order the outputs reach it, outer first: the outputs' own
    choices, then those of the definitions they use (breadth first), each in the order written.
    Conditions are listed in this order (the one on the outermost choice first)."""
    ranks: dict[Any, int] = {}
    queue = [name for name in outputs if name in defs]
    seen = set(queue)
    for name in queue:  # grows as definitions are found
        d = defs[name]
        if d.given:
            ranks.setdefault(("given", name), len(ranks))
        for node in ir.walk(d.expr):
            keys: list[Any] = []
            match node:
                case ir.Cond(branches=branches):
                    keys = [_test_key(b.test) for b in branches]
                case ir.If(cond=test) | ir.And(left=test) | ir.Or(left=test):
                    keys = [_test_key(test)]
                case ir.Match() | ir.Bands() | ir.Dated():
                    keys = [("node", node.id)]
                case ir.Each(source=source) | ir.Aggregate(source=source):
                    keys = [("items", render_ir(source))]
                case ir.Ref(name=ref) if ref in defs and ref not in seen:
                    seen.add(ref)
                    queue.append(ref)
            for key in keys:
                ranks.setdefault(key, len(ranks))
    # Choices of definitions no output reaches come last, as met.
    return {key: ranks.get(key, len(ranks) + index) for key, index in met.items()}


def _test_key(test: ir.Expr) -> Any:
    while isinstance(test, ir.Not):
        test = test.arg
    return ("test", render_ir(test))


def text(when: When | None) -> str:
    """The alternatives as one text: conditions joined by 且, alternatives by 或."""
    if when is None:
        return "计算路径用到它时"
    return "；或 ".join(" 且 ".join(c.text for c in alt) for alt in when)


def to_json(when: When | None) -> Any:
    """The alternatives as JSON: a list (any one) of lists (all of) of conditions."""
    return None if when is None else [[c.to_json() for c in alt] for alt in when]


def _order(alt: tuple[Condition, ...]) -> tuple[Any, ...]:
    return (len(alt), [c.text for c in alt])


class _Walker:
    def __init__(self, defs: Mapping[str, ir.Definition]) -> None:
        self.defs = defs
        self.memo: dict[str, dict[str, _Paths]] = {}
        self.choices: dict[Any, _Choice] = {}
        self.order: dict[Any, int] = {}  # the order choices were met: conditions are listed in it

    def definition(self, name: str) -> dict[str, _Paths]:
        """The inputs `name` reads and the paths (relative to its own evaluation) that read them."""
        if name not in self.memo:
            self.memo[name] = {}  # INVARIANT: the checker rejects cycles; this only ends recursion
            d = self.defs[name]
            found: dict[str, set[_Path]] = {}
            start: _Path = frozenset()
            if d.given:  # the formula is evaluated only when the value is not given
                key = ("given", name)
                self._choice(key, _Choice("given", name, ("给出", "未给出"), 2))
                start = frozenset({(key, frozenset({1}))})
            self._walk(d.expr, start, found)
            self.memo[name] = {k: frozenset(_simplify(v, self.choices)) for k, v in found.items()}
        return self.memo[name]

    def conditions(self, path: _Path) -> tuple[Condition, ...]:
        out = []
        for key, rows in sorted(path, key=lambda atom: self.order[atom[0]]):
            c = self.choices[key]
            chosen = sorted(rows)
            kind = c.kind
            if kind == "member" and len(c.rows) > len(c.values) and len(c.rows) - 1 in rows:
                # with the 其他 row: none of the members of the rows not chosen
                kind = "not_member"
                values = tuple(m for i, ms in enumerate(c.values) if i not in rows for m in ms)
            else:
                values = tuple(w for i in chosen for w in (c.values[i] if c.values else (c.rows[i],)))
            out.append(Condition(kind, c.subject, values, _say(c, chosen)))
        return tuple(out)

    def _choice(self, key: Any, choice: _Choice) -> None:
        if key not in self.choices:
            self.choices[key] = choice
            self.order[key] = len(self.order)

    def _under(self, path: _Path, key: Any, rows: Iterable[int]) -> _Path | None:
        """`path` with the choice `key` limited to `rows` (None: no row is left, no path)."""
        allowed = frozenset(rows)
        for k, r in path:
            if k == key:
                allowed &= r
                path = path - {(k, r)}
        return path | {(key, allowed)} if allowed else None

    def _walk(self, node: ir.Node, path: _Path | None, found: dict[str, set[_Path]]) -> None:
        if path is None:
            return
        match node:
            case ir.Input(name=name):
                found.setdefault(name, set()).add(path)
            case ir.Ref(name=name):
                if name in self.defs:
                    for inp, paths in self.definition(name).items():
                        for inner in paths:
                            joined: _Path | None = path
                            for key, rows in inner:
                                joined = self._under(joined, key, rows) if joined is not None else None
                            if joined is not None:
                                found.setdefault(inp, set()).add(joined)
            case ir.And(left=left, right=right) | ir.Or(left=left, right=right):
                self._walk(left, path, found)
                self._walk(right, self._holds(path, left, isinstance(node, ir.And)), found)
            case ir.If(cond=cond, then=then, other=other):
                self._walk(cond, path, found)
                self._walk(then, self._holds(path, cond, True), found)
                self._walk(other, self._holds(path, cond, False), found)
            case ir.Cond(branches=branches, other=other_row):
                current: _Path | None = path
                for branch in branches:
                    self._walk(branch.test, current, found)
                    self._walk(branch.value, self._holds(current, branch.test, True), found)
                    current = self._holds(current, branch.test, False)
                self._walk(other_row.value, current, found)
            case ir.Match(subject=subject, cases=cases, other=other) | ir.Bands(subject=subject, bands=cases,
                                                                                other=other):
                self._walk(subject, path, found)
                self._rows(node, subject, cases, other, path, found)
            case ir.Dated(versions=versions):
                key = ("node", node.id)
                periods = tuple(_period(v) for v in versions)
                self._choice(key, _Choice("date", "评估日期", periods, len(versions)))
                for index, version in enumerate(versions):
                    self._walk(version.value, self._under(path, key, {index}), found)
            case ir.Each(source=source, body=body):
                self._walk(source, path, found)
                self._walk(body, self._items(node, source, path), found)
            case ir.Aggregate(source=source):
                self._walk(source, path, found)
                each = self._items(node, source, path)
                for child in ir.children(node)[1:]:
                    self._walk(child, each, found)
            case ir.InMonth(source=source, month=month, value=value):
                self._walk(source, path, found)
                self._walk(month, path, found)
                self._walk(value, self._items(node, source, path), found)
            case ir.AtDate(dated=dated, date=date):  # the version follows each item's date: any may apply
                self._walk(date, path, found)
                for version in dated.versions:
                    self._walk(version.value, path, found)
            case (ir.Const() | ir.AsOf() | ir.Field() | ir.ItemRef() | ir.Running() | ir.Arith() | ir.Neg()
                  | ir.Cmp() | ir.Not() | ir.Min() | ir.Max() | ir.Round() | ir.Call() | ir.Scale()
                  | ir.Progressive()):
                for child in ir.children(node):
                    self._walk(child.value if isinstance(child, ir.Band) else child, path, found)
            case ir.Branch() | ir.Case() | ir.Band() | ir.Version() | ir.Other():  # pragma: no cover
                raise TypeError(node)  # INVARIANT: rows are walked by their block above
            case _:
                assert_never(node)

    def _rows(self, node: ir.Match | ir.Bands, subject: ir.Expr, rows: tuple[Any, ...], other: ir.Other | None,
              path: _Path, found: dict[str, set[_Path]]) -> None:
        key = ("node", node.id)
        what = render_ir(subject)
        members: tuple[tuple[str, ...], ...] = ()
        if isinstance(node, ir.Match):
            members = tuple(r.members for r in rows)
            words = tuple("、".join(ms) for ms in members)
            kind = "member"
        else:
            words = tuple(r.label for r in rows)
            kind = "band"
        size = len(rows) + (other is not None)
        self._choice(key, _Choice(kind, what, (*words, "其他") if other is not None else words, size, members))
        for index, row in enumerate(rows):
            self._walk(row.value, self._under(path, key, {index}), found)
        if other is not None:
            self._walk(other.value, self._under(path, key, {len(rows)}), found)

    def _holds(self, path: _Path | None, test: ir.Expr, holds: bool) -> _Path | None:
        """`path` where `test` is true (`holds`) or false; 非 x is x the other way round."""
        if path is None:
            return None
        while isinstance(test, ir.Not):
            test, holds = test.arg, not holds
        written = render_ir(test)
        key = _test_key(test)  # the same test written twice is one condition
        self._choice(key, _Choice("test", written, (written, _negation(test, written)), 2, (("是",), ("否",))))
        return self._under(path, key, {0 if holds else 1})

    def _items(self, node: ir.Node, source: ir.Expr, path: _Path) -> _Path | None:
        key = ("items", render_ir(source))
        self._choice(key, _Choice("items", render_ir(source), ("不为空", "为空"), 2))
        return self._under(path, key, {0})


_NEGATED = {"==": "≠", "!=": "=", "<": "≥", "<=": ">", ">": "≤", ">=": "<"}


def _negation(test: ir.Expr, written: str) -> str:
    """`test` is false, in the rules' words: a comparison the other way, 非 a name, 非（…）."""
    if isinstance(test, ir.Cmp):
        return f"{render_ir(test.left)} {_NEGATED[test.op]} {render_ir(test.right)}"
    if isinstance(test, (ir.Ref, ir.Input)):
        return f"非 {written}"
    return f"非（{written}）"


def _period(v: ir.Version) -> str:
    if v.end is None:
        return f"自{dates.cn(v.start)}起"
    last = v.end.toordinal() - 1
    return f"{dates.cn(v.start)}至{dates.cn(type(v.end).fromordinal(last))}"


def _say(c: _Choice, rows: list[int]) -> str:
    """A condition in the rules' words."""
    words = [c.rows[i] for i in rows]
    if c.kind == "test":
        return words[0]
    if c.kind == "given":
        return f"未给出「{c.subject}」"
    if c.kind == "items":
        return f"「{c.subject}」不为空"
    if c.kind == "member":
        if "其他" in words:  # the 其他 row: every member the table does not list
            listed = [w for i, w in enumerate(c.rows[:-1]) if i not in rows]
            return f"{c.subject} 不是 {'、'.join(listed)}"
        return f"{c.subject} = {'、'.join(words)}"
    if c.kind == "band":
        return f"{c.subject} {'或'.join(f'「{w}」' for w in words)}"
    if c.kind == "date":
        return f"评估日期在 {'或'.join(words)}"
    raise ValueError(c.kind)  # pragma: no cover - INVARIANT: the kinds made above


def _simplify(paths: Iterable[_Path], choices: Mapping[Any, _Choice]) -> set[_Path]:
    """Exact simplification: merge two paths that differ only in the rows of one choice (all its
    rows: no condition on it), then drop a path that contains another."""
    todo = set(paths)
    changed = True
    while changed:
        changed = False
        by_rest: dict[tuple[_Path, Any], list[_Path]] = {}
        for p in todo:
            for atom in p:
                by_rest.setdefault((p - {atom}, atom[0]), []).append(p)
        for (rest, key), group in sorted(by_rest.items(), key=lambda kv: _path_key(kv[0][0], kv[0][1])):
            if len(group) < 2 or not all(g in todo for g in group):
                continue
            rows = frozenset().union(*(dict(g)[key] for g in group))
            merged = rest if len(rows) >= choices[key].size else rest | {(key, rows)}
            todo.difference_update(group)
            todo.add(merged)
            changed = True
            break
    return {p for p in todo if not any(q < p for q in todo)}


def _path_key(path: _Path, key: Any) -> tuple[Any, ...]:
    return (repr(key), sorted(repr(a) for a in path))

