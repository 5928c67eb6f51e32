"""guize diff: the behavioural comparison of one output — evaluate both versions, group the
differences into date ranges and input regions, choose examples."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from guize.runtime import display
from guize.tools.diff.design import (
    Factor,
    Outcome,
    Sides,
    delta,
    design,
    freeze,
    make_factors,
    outcome_key,
)
from guize.tools.diff.texts import DAY, OMITTED, input_text, range_text
from guize.tools.diff.versions import DocVersion
from guize.tools.diff.walk import (
    Facts,
    collect_facts,
    cone,
    cone_signature,
    epochs,
    version_signature,
)

_MAX_BASES = 5
_MAX_REGIONS_SCANNED = 4


def _scan_axis(sides: Sides, row: tuple[Any, ...], index: int, on: datetime.date) -> dict[str, Any]:
    """Vary one input of a differing row over its candidates; refine numeric edges by bisection.

    Values are told apart by how the result changes (增加 / 减少 / 改变), so a region where
    the new version pays more is not merged with a neighbouring one where it pays less.
    """
    f = sides.factors[index]

    def change(v: Any) -> str | None:
        return sides.change((*row[:index], v, *row[index + 1:]), on)

    found = [(v, change(v)) for v in f.full]
    info: dict[str, Any] = {"input": f.name, "any": all(c is not None for _, c in found)}
    mixed = len({c for _, c in found if c is not None}) > 1
    if f.step is None:
        info["values"] = [input_text(f.spec, v) for v, c in found if c is not None]
        info["changes"] = [c for _, c in found if c is not None]
        if info["any"] and not mixed:
            info["text"] = "任意取值"
        else:
            info["text"] = "、".join(input_text(f.spec, v) + (f"（{c}）" if mixed else "")
                                    for v, c in found if c is not None)
        return info
    step = f.step
    kind = f.spec["kind"]

    def edge(a: Decimal, b: Decimal, want: str | None, first: bool) -> Decimal:
        # INVARIANT: exactly one of a, b changes as `want`; returns the value next to the switch
        # that does (the first such above a, or the last such below b).
        lo, hi = a, b
        for _ in range(64):
            if hi - lo <= step:
                break
            mid = ((lo + hi) / 2).quantize(step, rounding=ROUND_FLOOR)
            if mid <= lo:
                mid = lo + step
            if mid >= hi:
                break
            if (change(_as_kind(mid, kind)) == want) == first:
                hi = mid
            else:
                lo = mid
        return hi if first else lo

    omitted = [c for v, c in found if v is OMITTED]
    numeric = [(Decimal(v), c) for v, c in found if v is not OMITTED]
    intervals: list[dict[str, Any]] = []
    i = 0
    while i < len(numeric):
        want = numeric[i][1]
        j = i
        while j + 1 < len(numeric) and numeric[j + 1][1] == want:
            j += 1
        if want is not None:
            lo = numeric[i][0] if i == 0 else edge(numeric[i - 1][0], numeric[i][0], want, True)
            hi = None if j == len(numeric) - 1 else edge(numeric[j][0], numeric[j + 1][0], want, False)
            intervals.append({"from": _as_kind(lo, kind), "to": _as_kind(hi, kind) if hi is not None else None,
                              "change": want})
        i = j + 1
    info["intervals"] = intervals
    parts = [_interval_text(f.spec, iv) + (f"（{iv['change']}）" if mixed else "") for iv in intervals]
    if omitted:
        info["omitted_change"] = omitted[0]
        if omitted[0] is not None:
            parts.append("（不提供）" + (f"（{omitted[0]}）" if mixed else ""))
    whole = info["any"] and not mixed and numeric and numeric[0][0] == 0
    info["text"] = "任意取值" if whole else "；".join(parts)
    return info


def _as_kind(v: Decimal, kind: str) -> Any:
    return int(v) if kind == "int" else v


def _interval_text(spec: Mapping[str, Any], iv: Mapping[str, Any]) -> str:
    lo, hi = iv["from"], iv["to"]
    if hi is None:
        return f"{input_text(spec, lo)} 及以上"
    if lo == hi:
        return input_text(spec, lo)
    return f"{input_text(spec, lo)} 至 {input_text(spec, hi)}"


def _example(sides: Sides, row: tuple[Any, ...], on: datetime.date, note: str, out_kind: str,
             out_type: str) -> dict[str, Any]:
    a, b = sides.pair(row, on)
    d = delta(a, b)
    inputs = {f.name: v for f, v in zip(sides.factors, row, strict=True) if v is not OMITTED}
    omitted = [f.name for f, v in zip(sides.factors, row, strict=True) if v is OMITTED]
    return {
        "note": note, "date": on, "inputs": inputs, "omitted": omitted,
        "inputs_text": "，".join(f"{f.name}={input_text(f.spec, v)}" for f, v in zip(sides.factors, row, strict=True)),
        "old": a[1] if a[0] == "ok" else None, "new": b[1] if b[0] == "ok" else None,
        "old_text": _outcome_text(a, out_kind, out_type), "new_text": _outcome_text(b, out_kind, out_type),
        "delta": d, "delta_text": _delta_text(d, out_kind, out_type),
    }


def outcome_text_of(o: Outcome, kind: str, type_text: str) -> str:
    """An outcome as the report shows it (旧值 / 新值)."""
    return _outcome_text(o, kind, type_text)


def delta_text_of(d: Decimal | None, kind: str, type_text: str) -> str:
    return _delta_text(d, kind, type_text)


def _outcome_text(o: Outcome, kind: str, type_text: str) -> str:
    if o[0] == "ok":
        return display.typed(o[1], kind, display.unit_in(type_text), exact=True)
    if o[0] == "nif":
        return "不在有效期"
    return f"出错（{o[2]}）"


def _delta_text(d: Decimal | None, kind: str, type_text: str) -> str:
    if d is None:
        return "—"
    sign = "+" if d > 0 else ("-" if d < 0 else "")
    return sign + display.typed(abs(d), kind, display.unit_in(type_text), exact=True)


def compare_output(a: DocVersion, b: DocVersion, output: str, budget: int) -> dict[str, Any] | None:
    """The behavioural difference of one output present in both versions; None if nothing can differ."""
    old, new = a.policy, b.policy
    assert old is not None and new is not None
    defs_old, defs_new = old.definitions, new.definitions
    cone_old, cone_new = cone(defs_old, output), cone(defs_new, output)
    need_old = old.required_inputs([output])
    need_new = new.required_inputs([output])
    names = need_new + [n for n in need_old if n not in need_new]
    same_rules = (cone_signature(a.module, cone_old, need_old) == cone_signature(b.module, cone_new, need_new))
    same_window = (old.window.start, old.window.last, old.window.repealed.on if old.window.repealed else None) == \
        (new.window.start, new.window.last, new.window.repealed.on if new.window.repealed else None)
    if same_rules and same_window:
        return None
    facts_old = collect_facts(defs_old, cone_old, Facts())
    facts_new = collect_facts(defs_new, cone_new, Facts())
    merged = Facts()
    for facts in (facts_old, facts_new):
        for k, v in facts.direct.items():
            merged.direct.setdefault(k, set()).update(v)
        merged.consts |= facts.consts
        merged.rates |= facts.rates
        merged.caps |= facts.caps
        merged.dates |= facts.dates
    specs_old = {s["name"]: s for s in a.module.INPUTS}
    specs_new = {s["name"]: s for s in b.module.INPUTS}
    example_bases = _example_bases(a, b, output, names)
    factors = make_factors(names, specs_new, specs_old, merged, [d for _, d in example_bases])
    labelled = _bases(factors, example_bases)
    bases = list(labelled)
    d_new = defs_new[output]
    out_kind, out_type = d_new.value_kind, d_new.type

    eps, exact = epochs(old, new, facts_old, facts_new)
    classes: dict[tuple[Any, ...], list[int]] = {}
    for i, ep in enumerate(eps):
        sig: tuple[Any, ...]
        if exact:
            sig = (version_signature(old, facts_old.dated, ep.rep), version_signature(new, facts_new.dated, ep.rep))
        else:
            sig = (ep.rep,)
        classes.setdefault(sig, []).append(i)
    reps = [eps[idx[0]].rep for idx in classes.values()]
    budget_rows = max(budget // max(len(reps), 1), 1)
    plan = design(factors, bases, budget_rows, only_bases=same_rules)
    sides = Sides(old, new, output, factors, frozenset(n for n in names if n in specs_old),
                  frozenset(n for n in names if n in specs_new))

    patterns: dict[int, dict[int, tuple[Outcome, Outcome]]] = {}
    for rep, members in zip(reps, classes.values(), strict=True):
        found: dict[int, tuple[Outcome, Outcome]] = {}
        for r, row in enumerate(plan.rows):
            pa, pb = sides.pair(row, rep)
            if outcome_key(pa) != outcome_key(pb):
                found[r] = (pa, pb)
        for i in members:
            patterns[i] = found
    searched = sides.evaluations

    def pkey(p: dict[int, tuple[Outcome, Outcome]]) -> frozenset[Any]:
        return frozenset((r, outcome_key(x), outcome_key(y)) for r, (x, y) in p.items())

    groups: list[tuple[int, int]] = []  # epoch index ranges (inclusive)
    for i in range(len(eps)):
        if groups and pkey(patterns[groups[-1][0]]) == pkey(patterns[i]):
            groups[-1] = (groups[-1][0], i)
        else:
            groups.append((i, i))
    regions: list[dict[str, Any]] = []
    for first, last in groups:
        pattern = patterns[first]
        if not pattern:
            continue
        start, end = eps[first].start, eps[last].end
        first_day = eps[first].rep if start is None else start
        last_day = (end - DAY) if end is not None else None
        if not exact:
            start, end = eps[first].rep, eps[last].rep + DAY
            first_day, last_day = eps[first].rep, eps[last].rep
        whole = all(start == p.window.start and end == (p.window.last + DAY if p.window.last else None)
                    for p in (old, new))
        region: dict[str, Any] = {
            "from": start, "to": end - DAY if end is not None else None,
            "dates_text": _region_dates(start, end), "whole_window": whole and exact,
            "sampled": not exact, "rows": len(plan.rows), "count": len(pattern),
            "kinds": sorted({f"{x[0]}→{y[0]}" for x, y in pattern.values()}),
            "increased": sum(1 for x, y in pattern.values() if (d := delta(x, y)) is not None and d > 0),
            "decreased": sum(1 for x, y in pattern.values() if (d := delta(x, y)) is not None and d < 0),
        }
        chosen = _choose_examples(plan.rows, pattern, labelled)
        examples = []
        for note, r in chosen:
            examples.append(_example(sides, plan.rows[r], first_day, note, out_kind, out_type))
        if last_day is not None and last_day != first_day and chosen:
            examples.append(_example(sides, plan.rows[chosen[-1][1]], last_day, "末日", out_kind, out_type))
        region["examples"] = examples
        if len(regions) < _MAX_REGIONS_SCANNED and chosen and not same_rules:
            row = plan.rows[chosen[0][1]]
            region["axes"] = [_scan_axis(sides, row, i, first_day) for i in range(len(factors))]
            region["axes_base"] = 1
        else:
            region["axes"] = []
        regions.append(region)
    return {
        "output": output, "type": out_type, "kind": out_kind,
        "rules_changed": not same_rules, "window_changed": not same_window,
        "method": plan.method, "method_text": plan.method_text, "truncated": plan.truncated,
        "inputs": [{"name": f.name, "candidates": len(f.full), "short": len(f.short)} for f in factors],
        "rows": len(plan.rows), "date_classes": len(reps), "dates_exact": exact,
        "candidate_dates": sorted({e.rep for e in eps}),
        "evaluations": searched, "scan_evaluations": sides.evaluations - searched, "budget": budget,
        "differences": sum(len(patterns[idx[0]]) for idx in classes.values()),
        "regions": regions,
    }


def _region_dates(start: datetime.date | None, end: datetime.date | None) -> str:
    if start is None and end is None:
        return "所有日期"
    return range_text((start, end))


def _choose_examples(rows: list[tuple[Any, ...]], pattern: Mapping[int, tuple[Outcome, Outcome]],
                     bases: Mapping[tuple[Any, ...], str]) -> list[tuple[str, int]]:
    order = sorted(pattern)
    chosen: list[tuple[str, int]] = []
    in_bases = [r for r in order if rows[r] in bases]
    if in_bases:
        chosen.append((bases[rows[in_bases[0]]], in_bases[0]))
    numeric = [(abs(d), r) for r in order if (d := delta(*pattern[r])) is not None and d != 0]
    if numeric:
        smallest = min(numeric)[1]
        largest = max(numeric, key=lambda x: (x[0], -x[1]))[1]
        for note, r in (("最小差额", smallest), ("最大差额", largest)):
            if all(r != c for _, c in chosen):
                chosen.append((note, r))
    if not chosen:
        chosen.append(("首例", order[0]))
    return chosen


def _example_bases(a: DocVersion, b: DocVersion, output: str, names: list[str]
                   ) -> list[tuple[str, dict[str, Any]]]:
    """Inputs of the examples in both versions: realistic starting points that meet the conditions."""
    found: list[tuple[str, dict[str, Any]]] = []
    for module in (b.module, a.module):
        exs = list(module.EXAMPLES)
        exs.sort(key=lambda ex: (output not in ex["expects"], ex["line"]))
        for ex in exs:
            if ex["not_in_force"] or ex["error"] is not None:
                continue
            if output not in ex["expects"] and not set(ex["inputs"]) & set(names):
                continue
            data = {k: freeze(v) for k, v in ex["inputs"].items() if k in names}
            if data and all(data != d for _, d in found):
                found.append((str(ex["name"]), data))
    return found


def _bases(factors: list[Factor], examples: list[tuple[str, dict[str, Any]]]) -> dict[tuple[Any, ...], str]:
    """Starting rows, labelled: the examples' inputs (others filled in) and one typical row."""
    synthetic = []
    for f in factors:
        if f.spec["has_default"] and f.spec["default"] is not None:
            synthetic.append(f.spec["default"])
        elif f.step is None:
            synthetic.append(True if f.spec["kind"] == "bool" else f.full[0])
        else:
            synthetic.append(f.full[len(f.full) // 2])
    out: dict[tuple[Any, ...], str] = {}
    for name, ex in examples:
        row = tuple(ex.get(f.name, synthetic[i]) for i, f in enumerate(factors))
        out.setdefault(row, f"输入同例「{name}」")
        if len(out) >= _MAX_BASES - 1:
            break
    out.setdefault(tuple(synthetic), "典型输入")
    return out
