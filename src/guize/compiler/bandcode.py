"""Tables by bands (按 … 分段) in generated scalar code (guize.compiler.codegen).

Each band is a test of the subject against its bounds (`lo <= x and x < hi`), the first band
that holds giving the value, else 其他 (or values.no_band's error). When the bands follow one
another without a gap (each starts where the one before ends, the bound belonging to one of
them, as the checker's bands of a law usually are) and 其他 covers what lies below the first and
above the last, the band x falls in is the first whose upper end x does not pass: one comparison
a band (`0 if x < 12 else 5 if x < 120 else …`), not two and an `and` (annual leave's two tables
by 累计工作时间: ~5 % of a call). The same band is chosen for every x, and only its value is
computed."""

from __future__ import annotations

import itertools
from typing import Any

from guize.runtime import ir


def _chained(node: ir.Bands) -> bool:
    """The bands follow one another, and 其他 covers below the first and above the last."""
    rows = node.bands
    if len(rows) < 2:
        return False
    if (rows[0].lo is not None or rows[-1].hi is not None) and node.other is None:
        return False
    return all(a.hi is not None and a.hi == b.lo and a.hi_incl != b.lo_incl for a, b in itertools.pairwise(rows))


def bands(gen: Any, node: ir.Bands, owner: str) -> str:
    """The code of a table by bands: a chain of upper ends when `_chained`, else each band's test."""
    subject = gen.expr(node.subject, owner)
    t = gen.fresh()
    other = node.other
    out = gen.expr(other.value, owner) if other else f"_v.no_band({owner!r}, {t})"
    if _chained(node):  # (value, the test that x is below the band's upper end), in order
        rows, steps = node.bands, []
        if rows[0].lo is not None:  # below the first band: 其他
            steps.append((out, f"{'<' if rows[0].lo_incl else '<='} {gen.const(rows[0].lo)}"))
        for band in rows:
            value = gen.expr(band.value, owner)
            steps.append((value, f"{'<=' if band.hi_incl else '<'} {gen.const(band.hi)}" if band.hi is not None else ""))
        code = out if steps[-1][1] else steps.pop()[0]  # above the last band: 其他
        for i, (value, test) in reversed(list(enumerate(steps))):
            code = f"{value} if {f'({t} := {subject})' if i == 0 else t} {test} else {code}"
        return f"({code})"
    parts = []
    for i, band in enumerate(node.bands):
        lo, hi = band.lo, band.hi
        target = f"({t} := {subject})" if i == 0 else t
        tests = []
        if lo is not None:
            tests.append(f"{gen.const(lo)} {'<=' if band.lo_incl else '<'} {target}")
            target = t
        if hi is not None:
            tests.append(f"{target} {'<=' if band.hi_incl else '<'} {gen.const(hi)}")
        parts.append((" and ".join(tests) or "True", gen.expr(band.value, owner)))
    if not parts:
        return f"({subject}, {out})[1]"
    for test, value in reversed(parts):
        out = f"{value} if {test} else {out}"
    return f"({out})"
