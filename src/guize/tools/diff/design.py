"""guize diff: behavioural test design — candidate values per input, outcomes, and input-row designs."""

from __future__ import annotations

import datetime
import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_CEILING, Decimal
from typing import Any

import attrs

from guize.runtime import dates
from guize.runtime.errors import NotInForce, RuleError
from guize.runtime.policy import Policy
from guize.tools.diff.texts import DAY, OMITTED, is_num
from guize.tools.diff.walk import Facts

_MAX_SHORT = 8


@attrs.define
class Factor:
    name: str
    spec: dict[str, Any]
    full: list[Any]
    short: list[Any]
    step: Decimal | None  # grid for numeric inputs (in the input's own unit)


def _step_for(kind: str, related: Iterable[Any]) -> Decimal:
    if kind == "int":
        return Decimal(1)
    step = Decimal("0.0001") if kind == "rate" else Decimal("0.01")
    for v in related:
        if is_num(v):
            exp = Decimal(v).normalize().as_tuple().exponent
            if isinstance(exp, int) and exp < 0:
                step = min(step, Decimal(1).scaleb(exp))
    return step


def numeric_candidates(spec: Mapping[str, Any], facts: Facts, examples: Iterable[Any]) -> tuple[list[Any], list[Any], Decimal]:
    kind = spec["kind"]
    scale = Decimal(spec["scale"]) or Decimal(1)
    direct = {Decimal(v) / scale for v in facts.direct.get(spec["name"], ()) if is_num(v)}
    step = _step_for(kind, direct)
    found: dict[Decimal, int] = {}  # value -> priority (lower: more interesting)

    def add(v: Decimal, priority: int) -> None:
        if v < 0:
            return
        if kind == "int":
            if v != v.to_integral_value():
                return
            v = v.quantize(Decimal(1))
        elif kind == "rate" and v > 1 and priority > 1:
            return
        found[v] = min(priority, found.get(v, priority))

    for c in direct:
        for v in (c - step, c, c + step):
            add(v, 0)
    for v in examples:
        if is_num(v):
            add(Decimal(v), 1)
    add(Decimal(0), 2)
    add(step, 3)
    if spec["has_default"] and is_num(spec["default"]):
        add(Decimal(spec["default"]), 1)
    if kind == "rate":
        for v in facts.rates:
            add(v, 4)
        for text in ("0.01", "0.1", "0.5", "1"):
            add(Decimal(text), 5)
    else:
        pool = [c for c in facts.consts if c >= 1]
        for c in pool:
            add(c / scale, 4)
        for c in facts.caps if kind != "int" else ():
            for r in facts.rates:
                q = (c / r / scale)
                up = q.quantize(step, rounding=ROUND_CEILING) if kind != "int" else Decimal(math.ceil(q))
                add(up, 4)
                add(up - step, 4)
        top = max(pool, default=Decimal(1)) / scale
        limit = max(Decimal(10000), top * 1000)
        if kind == "int":
            for n in (1, 2, 3, 5, 10, 100, 1000):
                add(Decimal(n), 5)
        else:
            p = Decimal(1)
            while p <= limit and p <= Decimal(10) ** 12:
                add(p, 5)
                p *= 10
    values = sorted(found)
    ranked = sorted(found, key=lambda v: (found[v], v))
    short: list[Decimal] = []
    for v in ranked:
        if len(short) >= _MAX_SHORT - 1:
            break
        short.append(v)
    if values and values[-1] not in short:
        short.append(values[-1])  # one large value, to reach caps
    convert: Callable[[Decimal], Any] = (lambda v: int(v)) if kind == "int" else (lambda v: v)
    return [convert(v) for v in values], sorted(convert(v) for v in short), step


class FrozenItem(dict):  # type: ignore[type-arg]
    """An item of a list input that can be part of a row of factor values (hashable)."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=lambda kv: str(kv[0]))))


def freeze(value: Any) -> Any:
    """A list input's value as a hashable tuple of items; any other value as it is."""
    if isinstance(value, (list, tuple)):
        return tuple(FrozenItem(item) for item in value)
    return value


def make_factors(names: list[str], specs_new: Mapping[str, Any], specs_old: Mapping[str, Any],
                 facts: Facts, bases: list[dict[str, Any]]) -> list[Factor]:
    factors = []
    for name in names:
        spec = dict(specs_new.get(name) or specs_old[name])
        other = specs_old.get(name) if name in specs_new else None
        kind = spec["kind"]
        seen_values = [b[name] for b in bases if name in b]
        if kind == "enum":
            members = list(spec["members"]) + [m for m in (other or {}).get("members", ()) if m not in spec["members"]]
            factors.append(Factor(name, spec, members, members, None))
        elif kind == "bool":
            factors.append(Factor(name, spec, [False, True], [False, True], None))
        elif kind == "year_month":  # the months around each date the rules name
            ms = sorted({dates.add_months(dates.year_month(d), k) for d in facts.dates | set(seen_values)
                         if isinstance(d, datetime.date) for k in (-1, 0, 1)}) or [dates.YearMonth(2024, 1, 1)]
            factors.append(Factor(name, spec, ms, ms[:_MAX_SHORT], None))
        elif kind == "list":  # the examples' lists as written: no list is made up
            lists: list[Any] = []
            for v in map(freeze, seen_values):
                if v not in lists:
                    lists.append(v)
            lists = lists or [()]
            factors.append(Factor(name, spec, lists, lists[:_MAX_SHORT], None))
        elif kind == "date":
            ds: set[datetime.date] = set()
            for d in facts.dates | {v for v in seen_values if isinstance(v, datetime.date)}:
                ds.update((d - DAY, d, d + DAY))
            full = sorted(ds) or [datetime.date(2024, 1, 1)]
            factors.append(Factor(name, spec, full, full[:_MAX_SHORT], None))
        else:
            full, short, step = numeric_candidates(spec, facts, seen_values)
            factors.append(Factor(name, spec, full, short, step))
        if any(s.get(name, {}).get("has_default") for s in (specs_new, specs_old)):
            factors[-1].full.append(OMITTED)
            factors[-1].short.append(OMITTED)
    return factors


Outcome = tuple[str, Any, str]  # ("ok", value, "") / ("nif", None, message) / ("err", code, message)


def outcome(policy: Policy, data: Mapping[str, Any], on: datetime.date, output: str) -> Outcome:
    try:
        return ("ok", policy.evaluate(data, on, [output])[output], "")
    except NotInForce as exc:
        return ("nif", None, exc.message)
    except RuleError as exc:
        return ("err", exc.code, exc.message)


def outcome_key(o: Outcome) -> tuple[Any, ...]:
    if o[0] == "ok":
        return ("ok", type(o[1]) is bool, o[1])
    return (o[0], o[1])


def delta(a: Outcome, b: Outcome) -> Decimal | None:
    if a[0] == b[0] == "ok" and is_num(a[1]) and is_num(b[1]):
        return Decimal(b[1]) - Decimal(a[1])
    return None


@attrs.define
class Sides:
    """Both versions of one output, evaluating on rows of factor values."""

    old: Policy
    new: Policy
    output: str
    factors: list[Factor]
    old_names: frozenset[str]
    new_names: frozenset[str]
    evaluations: int = 0

    def data(self, row: Sequence[Any], names: frozenset[str]) -> dict[str, Any]:
        return {f.name: v for f, v in zip(self.factors, row, strict=True) if f.name in names and v is not OMITTED}

    def pair(self, row: Sequence[Any], on: datetime.date) -> tuple[Outcome, Outcome]:
        self.evaluations += 1
        return (outcome(self.old, self.data(row, self.old_names), on, self.output),
                outcome(self.new, self.data(row, self.new_names), on, self.output))

    def change(self, row: Sequence[Any], on: datetime.date) -> str | None:
        """None when both versions agree; else 增加 / 减少 for numbers, 改变 otherwise."""
        a, b = self.pair(row, on)
        if outcome_key(a) == outcome_key(b):
            return None
        d = delta(a, b)
        if d is None or d == 0:
            return "改变"
        return "增加" if d > 0 else "减少"


def _product_size(lists: Iterable[Sequence[Any]]) -> int:
    size = 1
    for values in lists:
        size *= max(len(values), 1)
        if size > 10**9:
            break
    return size


def _pairwise(lists: list[list[Any]], seed: Sequence[Any]) -> list[tuple[Any, ...]]:
    """A greedy covering array of strength 2 (every pair of values of every two inputs meets)."""
    n = len(lists)
    uncovered: set[tuple[int, int, int, int]] = {
        (i, a, j, b) for i in range(n) for j in range(i + 1, n)
        for a in range(len(lists[i])) for b in range(len(lists[j]))}
    rows: list[tuple[Any, ...]] = []
    seed_index = [lists[i].index(seed[i]) if seed[i] in lists[i] else 0 for i in range(n)]
    while uncovered:
        i0, a0, j0, b0 = min(uncovered)
        choice = list(seed_index)
        choice[i0], choice[j0] = a0, b0
        fixed = {i0, j0}
        for k in range(n):
            if k in fixed:
                continue
            best, best_gain = choice[k], -1
            for c in range(len(lists[k])):
                gain = sum(((min(k, m), c if k < m else choice[m], max(k, m), choice[m] if k < m else c)
                            in uncovered) for m in fixed)
                if gain > best_gain:
                    best, best_gain = c, gain
            choice[k] = best
            fixed.add(k)
        for i in range(n):
            for j in range(i + 1, n):
                uncovered.discard((i, choice[i], j, choice[j]))
        rows.append(tuple(lists[i][choice[i]] for i in range(n)))
    return rows


@attrs.define
class Design:
    rows: list[tuple[Any, ...]]
    method: str
    method_text: str
    truncated: bool = False


def design(factors: list[Factor], bases: list[tuple[Any, ...]], budget_rows: int, only_bases: bool) -> Design:
    """The input rows to evaluate: the full product when it fits, else bases varied one or two at a time."""
    if only_bases:
        return Design(bases[:1], "bases", "规则未变，只比较有效期（一组基准输入）")
    fulls = [f.full for f in factors]
    if _product_size(fulls) <= budget_rows:
        return Design([tuple(r) for r in itertools.product(*fulls)], "full", "全组合")
    rows: dict[tuple[Any, ...], None] = dict.fromkeys(bases)
    for base in bases:
        for i, f in enumerate(factors):
            for v in f.full:
                rows[(*base[:i], v, *base[i + 1:])] = None
    shorts = [f.short for f in factors]
    if len(rows) + _product_size(shorts) <= budget_rows:
        rows.update(dict.fromkeys(tuple(r) for r in itertools.product(*shorts)))
        return Design(list(rows), "short_product", "基准输入逐项取全部候选值 + 短候选值全组合")
    pairs: dict[tuple[Any, ...], None] = {}
    for base in bases:
        for i, j in itertools.combinations(range(len(factors)), 2):
            for a in shorts[i]:
                for b in shorts[j]:
                    row = list(base)
                    row[i], row[j] = a, b
                    pairs[tuple(row)] = None
    if len(rows) + len(pairs) <= budget_rows:
        rows.update(pairs)
        return Design(list(rows), "bases_pairs", "基准输入逐项取全部候选值 + 任两项取短候选值")
    rows.update(dict.fromkeys(_pairwise([list(s) for s in shorts], bases[0])))
    out = list(rows)
    truncated = len(out) > budget_rows
    return Design(out[:budget_rows], "pairwise", "基准输入逐项取全部候选值 + 两两覆盖" + ("（已截断）" if truncated else ""),
                  truncated)
