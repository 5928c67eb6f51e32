"""The dates of a chunk in batch evaluation: each row's day number, whether it is in force,
and which version of each dated value applies (guize.runtime.batch.Plan.run).

Split from guize.runtime.batch. With a date per row, the chunk's dates are read once for
their range. When the range lies in force (the common case), each dated value's versions
over that range are found once: one version for the whole range gives one index; versions
that follow one another without a gap give a `kernel.Steps`, turned into each row's
version index inside the chunk's kernel (a comparison with each boundary, or a binary
search among many), with no pass over the chunk outside the kernel and no row without a
version. Otherwise (dates out of force, gaps between versions, `known_on`) each row's
version is chosen from the whole column, as before, and a row without one is flagged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from guize.runtime.batchops import FIRST_DAY, LAST_DAY, day, to_date
from guize.runtime.columns import convert_column, mask_or, minmax
from guize.runtime.deps import select_version
from guize.runtime.errors import InvalidInput, RuleError
from guize.runtime.kernel import Steps, sorted_consts

_I64 = 2**63 - 1


def chunk_dates(plan: Any, columns: dict[str, Any], n: int) -> tuple[Any, list[Any], Any, Any]:
    """Day numbers, version indices per dated slot, rows to recompute, rows out of force.

    A version index is an int (every row), None (no version: every row goes the scalar
    way), a Steps (computed in the kernel, never none), or an int64 array (-1: none).
    `plan.day_bounds` is set to (days, lo, hi) when the range was read (see Chunk.day_bounds).
    """
    policy = plan.policy
    plan.day_bounds = None
    if plan.date_column is None:
        assert plan.env is not None and plan.on is not None  # INVARIANT: set in Plan.__init__
        if plan.known_column is not None:
            return known_rows(plan, columns, np.full(n, day(plan.on), dtype=np.int64), None, None)
        return day(plan.on), list(plan.env[1:-1]), None, None
    spec = {"name": plan.date_column, "kind": "date", "members": ()}
    conv = convert_column(spec, columns[plan.date_column], plan.enums)
    days = conv.v
    bad = mask_or(conv.bad, conv.null)
    w = policy.window
    if bad is None and n and plan.known_on is None and plan.known_column is None:
        # Often every date of the chunk is in force: then one pass for the range answers
        # the window for every row, and each dated value's versions are found for the range.
        lo, hi = minmax(days)
        plan.day_bounds = (days, lo, hi)
        if (w.start is not None and lo >= day(w.start) and (w.last is None or hi <= day(w.last))
                and (w.repealed is None or hi < day(w.repealed.on))):
            found: list[Any] = [range_versions(slot, lo, hi, days.dtype) for slot in policy.dated_versions]
            if all(v is not None for v in found):
                return days, found, None, None
    inside = np.ones(n, dtype=bool)
    if w.start is None:
        inside[:] = False
    else:
        inside &= days >= day(w.start)
    if w.last is not None:
        inside &= days <= day(w.last)
    if w.repealed is not None:
        inside &= days < day(w.repealed.on)
    outside = ~inside if bad is None else ~inside & ~bad  # a real date, out of force
    if plan.known_column is not None:
        return known_rows(plan, columns, days, bad, outside)
    if plan.known_on is not None:
        return days, known_versions(plan, days), bad, outside
    versions: list[Any] = []
    for slot_versions in policy.dated_versions:
        starts = np.array([day(v[0]) for v in slot_versions], dtype=np.int64)
        ends = np.array([day(v[1]) if v[1] is not None else _I64 for v in slot_versions], dtype=np.int64)
        idx = np.searchsorted(starts, days, side="right") - 1
        ok = idx >= 0
        ok &= days < ends.take(np.maximum(idx, 0)) if len(ends) else False
        versions.append(np.where(ok, idx, -1))
    return days, versions, bad, outside


def range_versions(slot_versions: Any, lo: int, hi: int, dtype: Any) -> int | Steps | None:
    """The versions of one dated slot over the days lo..hi: an index when one version covers
    them all, a Steps when consecutive versions without a gap cover them, else None."""
    found = [k for k, v in enumerate(slot_versions) if day(v[0]) <= hi and (v[1] is None or lo < day(v[1]))]
    if not found:
        return None
    first, last = found[0], found[-1]
    if day(slot_versions[first][0]) > lo:
        return None
    end = slot_versions[last][1]
    if end is not None and hi >= day(end):
        return None
    if found != list(range(first, last + 1)):
        return None
    for k in range(first, last):  # each version ends where the next begins
        if slot_versions[k][1] is None or slot_versions[k][1] != slot_versions[k + 1][0]:
            return None
    if first == last:
        return first
    return Steps(sorted_consts([day(slot_versions[k][0]) for k in range(first + 1, last + 1)], dtype), first)


def known_versions(plan: Any, days: Any) -> list[Any]:
    """Each dated slot's version per row, as known on plan.known_on: chosen once per distinct date."""
    unique, inverse = np.unique(days, return_inverse=True)
    on = [to_date(int(d)) for d in unique.tolist()]
    versions = []
    for slot_versions in plan.policy.dated_versions:
        picked = [select_version(slot_versions, d, plan.known_on) for d in on]
        versions.append(np.array([-1 if k is None else k for k in picked], dtype=np.int64)[inverse])
    return versions


def known_rows(plan: Any, columns: dict[str, Any], days: Any, bad: Any,
               outside: Any) -> tuple[Any, list[Any], Any, Any]:
    """chunk_dates with a known_on column: each dated slot's version per row, chosen once per
    distinct (date, known_on) pair. A row whose known_on is not a date, or is before the
    document was published, goes the scalar way, which reports it; a null: as now stands."""
    assert plan.known_column is not None  # INVARIANT: the caller's test
    spec = {"name": plan.known_column, "kind": "date", "members": ()}
    conv = convert_column(spec, columns[plan.known_column], plan.enums)
    known = conv.v.astype(np.int64)
    absent = np.zeros(len(known), dtype=bool) if conv.null is None else conv.null
    early = []  # the known_on days before the document itself was published
    for k in np.unique(known[~absent]).tolist():
        try:
            plan.policy.check_known(to_date(int(k)))
        except RuleError:
            early.append(k)
    if early:
        bad = mask_or(bad, ~absent & np.isin(known, early))
    bad = mask_or(bad, conv.bad)
    known = np.where(absent, _I64, known)  # INVARIANT: no real day number is this large
    pairs, inverse = np.unique(np.stack([days.astype(np.int64), known]), axis=1, return_inverse=True)
    inverse = inverse.reshape(-1)
    keys = [(to_date(int(d)), None if k == _I64 else to_date(int(k))) for d, k in pairs.T.tolist()]
    versions = []
    for slot_versions in plan.policy.dated_versions:
        picked = [select_version(slot_versions, d, k) for d, k in keys]
        versions.append(np.array([-1 if v is None else v for v in picked], dtype=np.int64)[inverse])
    return days, versions, bad, outside


def out_of_force(plan: Any, days: Any, outside: Any, errors: dict[int, RuleError]) -> None:
    """The error of each row whose date is out of force (one per distinct date), into `errors`.
    A date32 cell can hold a day beyond the calendar's years 1-9999 (no Python date): that row
    is an invalid date."""
    rows = np.flatnonzero(outside)
    by_day: dict[int, RuleError] = {}
    for row, d in zip(rows.tolist(), days[rows].tolist(), strict=True):
        exc = by_day.get(d)
        if exc is None and not FIRST_DAY <= d <= LAST_DAY:
            name = plan.date_column or "评估日期"
            exc = by_day[d] = InvalidInput(f"「{name}」的日期超出公历 1 年至 9999 年的范围（1970年1月1日起第 {d} 天）",
                                           input=name, value=str(d))
        if exc is None:
            try:
                plan.policy.env(to_date(d))
            except RuleError as found:
                exc = by_day[d] = found
            else:  # pragma: no cover - the window said otherwise
                raise AssertionError(f"{to_date(d)} is in force")
        errors[row] = exc
