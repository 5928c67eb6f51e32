"""The typed IR: the checked tree shared by the compiler's back ends and the runtime.

The checker lowers the syntax tree to these frozen nodes; the scalar and batch code
generators, the reference interpreter and explain, lint, diff and coverage all walk them.
Each node has a source span and an id, stable for a given source file (the checker numbers
nodes in the order it builds them); both are excluded from equality, so two trees compare
equal when they compute the same thing, wherever they were written.

A consumer dispatches with `match` over `Expr` and ends in `assert_never`, so a node kind
it forgot is a type error, not a silent skip. `children` is the one generic traversal.

The compiled module carries the IR in a compact form (`encode`/`decode`): nested tuples of
literals, each node ``(code, id, span, *fields)``, decoded only when a policy is explained
or interpreted.

Expression nodes:

  Const(value)                    a literal: Decimal, int, bool, str (an enum member), date
  Input(name)                     an input, already converted
  Ref(name)                       another definition
  AsOf()                          the as-of date (评估日期)
  Arith(op, left, right, exact_int)
                                  op in + - * /; exact_int: both sides integers (Python int
                                  arithmetic); otherwise decimal arithmetic in values.CONTEXT
  Neg(arg)
  Cmp(op, left, right)            op in == != < <= > >=
  And(left, right) Or(left, right) Not(arg)
  If(cond, then, other)
  Min(args) Max(args)
  Round(mode, quantum, arg, as_int)
                                  mode in half_up floor ceil down; as_int gives an int
  Call(func, args)                date functions: year month day add_months …; calendar months
                                  (period_between for date − date, full_years, year_month); and
                                  as_period / as_age / as_year_month around a 期间/年龄/年月
                                  definition, which only make its value read as a time
                                  (unwrap_time strips them)
  Cond(branches, other)           若 … 则 …, in order, then 否则
  Match(subject, cases, other)    a table by an enum
  Bands(subject, bands, other)    a table by numeric bands
  Dated(slot, what, versions)     values by date; the version in force is chosen once per
                                  as-of date and kept in the evaluation env at `slot`
  Scale(kind, brackets)           a progressive scale (超额累进 / 全额累进): a value that only
                                  Progressive applies
  Progressive(func, scale, base)  累进计算 (amount), 适用税率 (rate), 速算扣除数 (deduction)

Lists (a list input holds records, each a dict of converted field values):

  Each(source, body)              a definition computed for each item of the list `source` (，按
                                  成员 逐项): a tuple, body evaluated with that item current
  Field(name)                     a field of the current item
  ItemRef(name)                   a per-item definition's value for the current item
  Running(arg, inclusive, zero)   in an Each body: arg summed over the items before the current
                                  one (累计(…，至 上月)) or up to it (累计(…)), starting at zero
  Aggregate(func, source, filter, value, zero, word)
                                  func in sum count any all max min mean over the items of
                                  `source` that pass `filter` (None: every item), each item's
                                  `value` (None for count); sum starts at zero
  InMonth(source, field, month, value, word)
                                  当年1月的 居住面积: `value` in the one item of `source` whose
                                  date `field` falls in the year-month `month` (evaluated
                                  outside the items)
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, TypeAlias, TypeVar, assert_never

import attrs

Span: TypeAlias = tuple[int, int, int, int]  # line, column, end line, end column (1-based)
NO_SPAN: Span = (0, 0, 0, 0)
Value: TypeAlias = Decimal | int | bool | str | datetime.date


@attrs.frozen
class Located:
    """What every node has besides its fields: its id (stable for a source file) and where it
    was written. Neither takes part in equality."""

    id: int = attrs.field(default=0, eq=False, kw_only=True, repr=False)
    span: Span = attrs.field(default=NO_SPAN, eq=False, kw_only=True, repr=False)


@attrs.frozen
class Const(Located):
    value: Value


@attrs.frozen
class Input(Located):
    name: str


@attrs.frozen
class Ref(Located):
    name: str


@attrs.frozen
class AsOf(Located):
    """The as-of date (评估日期)."""


@attrs.frozen
class Arith(Located):
    op: str
    left: Expr
    right: Expr
    exact_int: bool


@attrs.frozen
class Neg(Located):
    arg: Expr


@attrs.frozen
class Cmp(Located):
    op: str
    left: Expr
    right: Expr


@attrs.frozen
class And(Located):
    left: Expr
    right: Expr


@attrs.frozen
class Or(Located):
    left: Expr
    right: Expr


@attrs.frozen
class Not(Located):
    arg: Expr


@attrs.frozen
class If(Located):
    cond: Expr
    then: Expr
    other: Expr


@attrs.frozen
class Min(Located):
    args: tuple[Expr, ...]


@attrs.frozen
class Max(Located):
    args: tuple[Expr, ...]


@attrs.frozen
class Round(Located):
    mode: str
    quantum: Decimal
    arg: Expr
    as_int: bool


@attrs.frozen
class Call(Located):
    func: str
    args: tuple[Expr, ...]


# ---------------------------------------------------------------- rows of the block nodes


@attrs.frozen
class Branch(Located):
    """若 test 则 value."""

    test: Expr
    value: Expr
    label: str
    cite: tuple[str, ...]


@attrs.frozen
class Case(Located):
    """A table row: the enum members it covers and their value."""

    members: tuple[str, ...]
    value: Expr
    label: str
    cite: tuple[str, ...]


@attrs.frozen
class Band(Located):
    """A numeric band (lo, hi); a None bound is unbounded."""

    lo: Decimal | int | None
    lo_incl: bool
    hi: Decimal | int | None
    hi_incl: bool
    value: Expr
    label: str
    cite: tuple[str, ...]

    def contains(self, x: Any) -> bool:
        lo, hi = self.lo, self.hi
        if lo is not None and not (lo <= x if self.lo_incl else lo < x):
            return False
        return hi is None or (x <= hi if self.hi_incl else x < hi)


@attrs.frozen
class Version(Located):
    """A dated value: in force from `start` (inclusive) to `end` (exclusive; None: open)."""

    start: datetime.date
    end: datetime.date | None
    value: Expr
    label: str
    cite: tuple[str, ...]
    # The publication date of the amending document that made this version (None: the base
    # document's own); evaluated "as known on" an earlier date, the version does not exist.
    known: datetime.date | None = None


@attrs.frozen
class Other(Located):
    """否则 / 其他: the value when no branch, row or band applies."""

    value: Expr
    label: str
    cite: tuple[str, ...]


@attrs.frozen
class Cond(Located):
    branches: tuple[Branch, ...]
    other: Other


@attrs.frozen
class Match(Located):
    subject: Expr
    cases: tuple[Case, ...]
    other: Other | None


@attrs.frozen
class Bands(Located):
    subject: Expr
    bands: tuple[Band, ...]
    other: Other | None


@attrs.frozen
class Dated(Located):
    slot: int
    what: str
    versions: tuple[Version, ...]


@attrs.frozen
class Scale(Located):
    """A progressive scale: brackets in ascending order, each with its rate (Band.value).

    kind: excess (超额累进: each part of the base at its bracket's rate) or whole (全额累进:
    the whole base at the rate of the bracket it falls in)."""

    kind: str
    brackets: tuple[Band, ...]


@attrs.frozen
class Progressive(Located):
    """A scale applied to a base: func is amount (累进计算), rate (适用税率) or deduction (速算扣除数)."""

    func: str
    scale: Expr
    base: Expr


@attrs.frozen
class Each(Located):
    """A definition computed for each item of a list: the tuple of `body`'s values, item by item."""

    source: Expr
    body: Expr


@attrs.frozen
class Field(Located):
    """A field of the current item (in an Each body, or an Aggregate's filter and value)."""

    name: str


@attrs.frozen
class ItemRef(Located):
    """A per-item definition's value for the current item."""

    name: str


@attrs.frozen
class Running(Located):
    """累计(arg): in an Each body, arg summed over the items up to the current one (inclusive)
    or before it (累计(…，至 上月)); zero is the sum of no items (0 or Decimal 0)."""

    arg: Expr
    inclusive: bool
    zero: Decimal | int


@attrs.frozen
class Aggregate(Located):
    """func over the items of `source` passing `filter` (None: all): sum, count, any, all, max,
    min or mean of `value` (None: count only; any/all of the filter itself are written with
    the condition as value)."""

    func: str
    source: Expr
    filter: Expr | None
    value: Expr | None
    zero: Decimal | int
    word: str  # as written (合计, 人数 …), for explanations


@attrs.frozen
class AtDate(Located):
    """A dated parameter or table read inside an item of a list whose record has a 适用日期
    field: `dated` (the named definition's versions) taken on `date` (the item's date), not on
    the evaluation date; `item` names the list, for the error when no version is in force."""

    dated: Dated
    date: Expr
    item: str


@attrs.frozen
class InMonth(Located):
    """当年1月的 居住面积: `value` evaluated in the one item of `source` whose `field` (a 日期 or 年月)
    falls in the year-month `month`; `month` is evaluated where the node is (not in an item of
    `source`). No such item, or several: an evaluation error naming the month."""

    source: Expr
    field: str
    month: Expr
    value: Expr
    word: str  # as written (当年1月的 居住面积), for messages and explanations


Expr: TypeAlias = (Const | Input | Ref | AsOf | Arith | Neg | Cmp | And | Or | Not | If | Min | Max | Round
                   | Call | Cond | Match | Bands | Dated | Scale | Progressive
                   | Each | Field | ItemRef | Running | Aggregate | AtDate | InMonth)
Row: TypeAlias = Branch | Case | Band | Version | Other
Node: TypeAlias = Expr | Row

N = TypeVar("N", bound=Node)
T = TypeVar("T")

EXPR_TYPES: tuple[type, ...] = (Const, Input, Ref, AsOf, Arith, Neg, Cmp, And, Or, Not, If, Min, Max, Round,
                                Call, Cond, Match, Bands, Dated, Scale, Progressive,
                                Each, Field, ItemRef, Running, Aggregate, AtDate, InMonth)
ROW_TYPES: tuple[type, ...] = (Branch, Case, Band, Version, Other)


@attrs.frozen
class Definition:
    """A 参数, 表, 定义 or 输出 after checking."""

    name: str
    kind: str  # param / table / def / output
    type: str  # the type as a drafter reads it: 金额, 比率, 数量（吨）…
    value_kind: str  # money / rate / int / quantity / bool / date / enum
    expr: Expr
    round: tuple[str, Decimal] | None  # (mode, quantum) for the definition's own rounding
    cite: tuple[str, ...]
    line: int
    deps: tuple[str, ...]  # definitions it refers to directly
    inputs: tuple[str, ...]  # inputs it reads directly
    negative: bool = False  # 可为负: declared as possibly negative (verify proves the others are not)
    # 可作输入: a caller may give the value (an input of the same name, read by its converter);
    # the formula is evaluated only when it is not given.
    given: bool = False


# ---------------------------------------------------------------- traversal


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of `node`, in evaluation order (subject first, then each row)."""
    match node:
        case Const() | Input() | Ref() | AsOf():
            return ()
        case Arith(left=a, right=b) | Cmp(left=a, right=b) | And(left=a, right=b) | Or(left=a, right=b):
            return (a, b)
        case Neg(arg=a) | Not(arg=a) | Round(arg=a):
            return (a,)
        case If(cond=c, then=a, other=b):
            return (c, a, b)
        case Min(args=args) | Max(args=args) | Call(args=args):
            return args
        case Cond(branches=rows, other=other):
            return (*rows, other)
        case Match(subject=s, cases=rows, other=other) | Bands(subject=s, bands=rows, other=other):
            return (s, *rows) if other is None else (s, *rows, other)
        case Dated(versions=rows):
            return rows
        case Scale(brackets=rows):
            return rows
        case Progressive(scale=scale, base=base):
            return (scale, base)
        case Each(source=source, body=body):
            return (source, body)
        case Field() | ItemRef():
            return ()
        case Running(arg=arg):
            return (arg,)
        case Aggregate(source=source, filter=filt, value=value):
            return tuple(n for n in (source, filt, value) if n is not None)
        case AtDate(dated=dated, date=date):
            return (date, dated)
        case InMonth(source=source, month=month, value=value):
            return (source, month, value)
        case Branch(test=t, value=v):
            return (t, v)
        case Case(value=v) | Band(value=v) | Version(value=v) | Other(value=v):
            return (v,)
    raise TypeError(node)  # INVARIANT: every node class is matched above


def map_children(node: N, fn: Callable[[Node], Node]) -> N:
    """`node` with `fn` applied to each direct sub-node (the same object when nothing changes)."""
    changes: dict[str, Any] = {}
    for name in _FIELDS[type(node)]:
        value = getattr(node, name)
        new: Any
        if type(value) in _CODE:
            new = fn(value)
        elif type(value) is tuple and value and type(value[0]) in _CODE:
            new = tuple(fn(x) for x in value)
        else:
            continue
        if new is not value:
            changes[name] = new
    return attrs.evolve(node, **changes) if changes else node


def transform(node: N, fn: Callable[[Node], Node]) -> N:
    """Rebuild `node` bottom-up: each sub-tree first, then `fn` on the node itself."""
    rebuilt = map_children(node, lambda child: transform(child, fn))
    result = fn(rebuilt)
    assert type(result) is type(node)  # INVARIANT: fn keeps each node's class
    return result


def fold(node: Node, fn: Callable[[Node, list[T]], T]) -> T:
    """Combine bottom-up: fn(node, [the folds of its children])."""
    return fn(node, [fold(child, fn) for child in children(node)])


def walk(node: Node) -> Iterator[Node]:
    """`node` and every node under it, pre-order, iteratively (no recursion limit)."""
    stack: list[Node] = [node]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(reversed(children(item)))


TIME_WRAPS = frozenset({"as_period", "as_age", "as_year_month"})


def unwrap_time(expr: Expr) -> Expr:
    """A definition's expression without the call that only makes its value read as a time
    (期间, 年龄, 年月: the checker wraps those definitions; see checker._TIME_WRAP)."""
    if isinstance(expr, Call) and expr.func in TIME_WRAPS:
        return expr.args[0]
    return expr


def dated_nodes(node: Node) -> list[Dated]:
    """Every Dated node under `node`, outermost first."""
    return [n for n in walk(node) if isinstance(n, Dated)]


# ---------------------------------------------------------------- what every path needs


Needs: TypeAlias = frozenset[tuple[str, str]]  # ("ref", name) and ("input", name)


def strict_needs(defs: Mapping[str, Definition], names: Iterable[str],
                 memo: dict[str, Needs] | None = None) -> Needs:
    """The definitions and inputs that evaluating `names` reads on every path ("ref"/"input",
    name), the names themselves included.

    Evaluation is lazy: a branch not taken, a table row not chosen, a version not in force and
    the right side of 且/或 once the left decides are not evaluated, and neither is what only
    they use. Every engine first evaluates what this returns — the inputs in declaration order,
    then the definitions in `defs` order — and reads the rest when the path reaches it, so
    they agree on the answer and on which error comes first. A Dated node counts what every
    version needs (the version is chosen by the date)."""
    memo = {} if memo is None else memo  # per definition; callers asking often share one
    if not memo:
        # `defs` come in dependency order (the checker's): each definition's needs are known
        # before its users', so a long chain of definitions costs no deep recursion.
        for name in defs:
            _def_needs(defs, name, memo)
    out: set[tuple[str, str]] = set()
    for name in names:
        out |= _def_needs(defs, name, memo)
    return frozenset(out)


def _def_needs(defs: Mapping[str, Definition], name: str, memo: dict[str, Needs]) -> Needs:
    if name not in memo:
        memo[name] = frozenset()  # INVARIANT: the checker rejects cycles; this only ends recursion
        d = defs[name]
        # 可作输入: the formula is evaluated only when the value is not given, so it needs nothing on every path.
        memo[name] = frozenset({("ref", name)}) | (frozenset() if d.given else _needs(d.expr, defs, memo))
    return memo[name]


def _all_of(paths: list[Needs]) -> Needs:
    return frozenset.intersection(*paths) if paths else frozenset()


def _needs(node: Expr, defs: Mapping[str, Definition], memo: dict[str, Needs]) -> Needs:
    # The commonest nodes first, by their exact class (as the cases below find them, after a test
    # of every case before theirs: a fifth of codegen's strict_needs at 50,000 .rule lines).
    if type(node) is Ref:
        return _def_needs(defs, node.name, memo) if node.name in defs else frozenset()
    if type(node) is Arith or type(node) is Cmp:
        return _needs(node.left, defs, memo) | _needs(node.right, defs, memo)
    if type(node) is Input:
        return frozenset({("input", node.name)})
    if type(node) is Const:
        return frozenset()
    if type(node) is Min or type(node) is Max or type(node) is Call:
        found: Needs = frozenset()
        for arg in node.args:
            found = found | _needs(arg, defs, memo)
        return found
    if type(node) is Round or type(node) is Neg or type(node) is Not:
        return _needs(node.arg, defs, memo)
    match node:
        case Const() | AsOf() | Field() | ItemRef():
            return frozenset()
        case Each(source=source):
            # An empty list evaluates no item: only the list itself is read on every path.
            return _needs(source, defs, memo)
        case Aggregate(source=source):
            return _needs(source, defs, memo)
        case Running():
            return frozenset()  # the first item sums nothing before it
        case Input(name=name):
            return frozenset({("input", name)})
        case Ref(name=name):
            return _def_needs(defs, name, memo) if name in defs else frozenset()
        case And(left=left) | Or(left=left):
            return _needs(left, defs, memo)
        case If(cond=cond, then=then, other=other):
            return _needs(cond, defs, memo) | (_needs(then, defs, memo) & _needs(other, defs, memo))
        case Cond(branches=branches, other=other_row):
            paths: list[Needs] = []
            tested: Needs = frozenset()
            for branch in branches:
                tested = tested | _needs(branch.test, defs, memo)
                paths.append(tested | _needs(branch.value, defs, memo))
            paths.append(tested | _needs(other_row.value, defs, memo))
            return _all_of(paths)
        case Match(subject=subject, cases=rows, other=other) | Bands(subject=subject, bands=rows, other=other):
            values = [_needs(r.value, defs, memo) for r in rows]
            if other is not None:
                values.append(_needs(other.value, defs, memo))
            return _needs(subject, defs, memo) | _all_of(values)
        case Dated(versions=versions):
            return _all_of([_needs(v.value, defs, memo) for v in versions])
        case AtDate(dated=dated, date=date):
            return _needs(date, defs, memo) | _needs(dated, defs, memo)
        case InMonth(source=source, month=month):
            return _needs(source, defs, memo) | _needs(month, defs, memo)
        case (Arith() | Neg() | Cmp() | Not() | Min() | Max() | Round() | Call() | Scale()
              | Progressive()):
            found = frozenset()
            for child in children(node):
                found = found | _needs(_value_of(child), defs, memo)
            return found
    assert_never(node)


def _value_of(node: Node) -> Expr:
    """A child as an expression: a scale's brackets stand for their rates."""
    return node.value if isinstance(node, Band) else node  # type: ignore[return-value]


# ---------------------------------------------------------------- compact form


# The list nodes come last, so the codes of the older nodes (in compiled modules) do not move.
_LIST_TYPES = (Each, Field, ItemRef, Running, Aggregate, AtDate, InMonth)
_CLASSES: tuple[type, ...] = (tuple(c for c in EXPR_TYPES if c not in _LIST_TYPES) + ROW_TYPES
                              + _LIST_TYPES)
_CODE = {cls: code for code, cls in enumerate(_CLASSES)}
_FIELDS = {cls: tuple(f.name for f in attrs.fields(cls) if f.name not in ("id", "span")) for cls in _CLASSES}
_REQUIRED = {cls: sum(1 for f in attrs.fields(cls) if f.name not in ("id", "span") and f.default is attrs.NOTHING)
             for cls in _CLASSES}


def encode(node: Any) -> Any:
    """A node as nested tuples of literals: (code, id, span, *fields). Tuples of nodes stay tuples."""
    cls = type(node)
    if cls in _CODE:
        values = [encode(getattr(node, f)) for f in _FIELDS[cls]]
        while len(values) > _REQUIRED[cls] and values[-1] is None:  # Version.known: written only when set
            values.pop()
        return (_CODE[cls], node.id, node.span, *values)
    if cls is tuple:
        # INVARIANT: a plain tuple in a field never starts with an int (members, cite: strings),
        # so it cannot be mistaken for an encoded node.
        return tuple(encode(x) for x in node)
    return node


def decode(data: Any) -> Any:
    """The inverse of `encode` (lists read as tuples: encode_text's JSON arrays)."""
    kind = type(data)
    if kind is tuple or kind is list:
        if data and type(data[0]) is int:
            # The fields in their order, positionally (id and span are keyword-only, so the others
            # are __init__'s positional parameters; one left out takes its default).
            return _CLASSES[data[0]](*[decode(x) for x in data[3:]], id=data[1], span=tuple(data[2]))
        return tuple([decode(x) for x in data])
    return data


def encode_text(node: Expr) -> str:
    """`encode(node)` as JSON text (a large policy's DEFS; see compiler/defstable.py): arrays for
    the tuples, {"d": text} for a Decimal, {"t": ISO date} for a date. Python's JSON encoder
    walks the tuples and texts; `_json_value` is called only for the nodes and those two."""
    global _json_encode
    if _json_encode is None:
        _json_encode = _text_encoder()
    return _json_encode(node)


def encode_texts(nodes: list[Expr]) -> str:
    """`encode_text` of each node, a JSON array of a hundred a line (a large policy's DEFS,
    runtime/defstext.py): the encoder is called for each line (for each node alone, or for
    thousands at once, its pieces of text cost more to gather), and decode_exprs reads a line at
    a time (the arrays of every node at once kept the cycle collector busy: twice the time)."""
    encode = encode_text
    return "\n".join(encode(nodes[i:i + 100]) for i in range(0, len(nodes), 100))  # type: ignore[arg-type]


def _text_encoder() -> Callable[[Any], str]:
    """json.dumps(node, default=_json_value, ensure_ascii=False, check_circular=False,
    separators=(",", ":")), its C encoder made once: dumps builds an encoder at each call, about a
    sixth of the time for a definition's expression (tens of thousands in a large policy's DEFS)."""
    import json
    import json.encoder

    make = getattr(json.encoder, "c_make_encoder", None)  # (not in typeshed)
    if make is None:  # (no C accelerator: json.dumps itself)
        return lambda node: json.dumps(node, default=_json_value, ensure_ascii=False, check_circular=False,
                                       separators=(",", ":"))
    encode = make(None, _json_value, json.encoder.encode_basestring, None, ":", ",", False, False, True)
    return lambda node: "".join(encode(node, 0))


_json_encode: Callable[[Any], str] | None = None


def _json_value(value: Any) -> Any:
    cls = type(value)
    if cls is Const and type(value.value) is Decimal:  # the commonest: its Decimal without a call more
        return [_CONST_CODE, value.id, value.span, {"d": str(value.value)}]
    known = _GETTERS.get(cls)
    if known is not None:
        code, get, required = known
        values = [code, *get(value)]  # [code, id, span, *fields]
        while values[-1] is None and len(values) > required:  # as encode
            values.pop()
        return values
    if cls is Decimal:
        return {"d": str(value)}
    if cls is datetime.date:
        return {"t": value.isoformat()}
    raise TypeError(f"not in the IR's compact form: {value!r}")  # INVARIANT: Const values are the kinds above


_CONST_CODE = _CODE[Const]
# Each node class's code, its id, span and fields at once, and the length of its shortest encoding.
_GETTERS = {cls: (_CODE[cls], operator.attrgetter("id", "span", *_FIELDS[cls]), 3 + _REQUIRED[cls])
            for cls in _CLASSES}


def _from_json(value: dict[str, str]) -> Decimal | datetime.date:
    return Decimal(value["d"]) if "d" in value else datetime.date.fromisoformat(value["t"])


def decode_expr(data: Any) -> Expr:
    """A definition's expression from its DEFS entry: the compact tuples, or JSON text (encode_text)."""
    if type(data) is str:
        data = _read_json(data)
    expr: Expr = decode(data)
    return expr


def decode_exprs(text: str) -> list[Expr]:
    """The expressions of `encode_texts`' lines (JSON never has a line break outside a string,
    and writes one inside as \\n)."""
    return [decode(data) for line in text.split("\n") if line for data in _read_json(line)]


def _read_json(text: str) -> Any:
    global _json_decode
    if _json_decode is None:
        import json

        _json_decode = json.JSONDecoder(object_hook=_from_json).decode  # (one for every definition)
    return _json_decode(text)


_json_decode: Callable[[str], Any] | None = None


def encode_definition(d: Definition, text: bool = False) -> dict[str, Any]:
    """A definition as its DEFS entry; with `text`, its expression as JSON text (encode_text)."""
    out = {"name": d.name, "kind": d.kind, "type": d.type, "value_kind": d.value_kind,
           "expr": encode_text(d.expr) if text else encode(d.expr),
           "round": d.round, "cite": d.cite, "line": d.line, "deps": d.deps, "inputs": d.inputs}
    if d.negative:
        out["negative"] = True
    if d.given:
        out["given"] = True
    return out


def module_definitions(module: Any) -> dict[str, Definition]:
    """The typed definitions of a compiled policy module (decoded from its DEFS)."""
    return definitions_of(module.DEFS)


def definitions_of(defs: Mapping[str, Mapping[str, Any]]) -> dict[str, Definition]:
    """The typed definitions of a module's DEFS: its rows, or a large policy's table, which holds
    the expressions apart as one JSON text (runtime/defstext.Table)."""
    import gc

    # The cycle collector paused (as guize.compiler.driver.gc_paused): the nodes made all live on,
    # and each collection walked those made so far (about 40% of the time at 50,000 .rule lines).
    paused = gc.isenabled()
    gc.disable()
    try:
        table = getattr(defs, "definitions", None)
        if table is not None:
            found: dict[str, Definition] = table()
            return found
        return {name: decode_definition(d) for name, d in defs.items()}
    finally:
        if paused:
            gc.enable()


def decode_definition(data: Mapping[str, Any], expr: Expr | None = None) -> Definition:
    """A definition from its DEFS row; `expr`, when given, is its expression (the row has none)."""
    if expr is None:
        expr = decode_expr(data["expr"])
    return Definition(data["name"], data["kind"], data["type"], data["value_kind"], expr,
                      data["round"], tuple(data["cite"]), data["line"], tuple(data["deps"]),
                      tuple(data["inputs"]), data.get("negative", False), data.get("given", False))
