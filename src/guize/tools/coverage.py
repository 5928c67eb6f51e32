"""Example coverage: which branches, bands, table rows, dated versions and articles the examples exercised."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import attrs

from guize.compiler.diagnostics import display_width
from guize.runtime import ir
from guize.runtime.interp import Coverage

# Category -> how a drafter calls it, in report order.
CATEGORIES: dict[str, str] = {
    "branches": "分支（若/否则）",
    "bands": "分段",
    "rows": "表行",
    "versions": "版本",
    "articles": "条款",
}


@attrs.frozen
class Item:
    """One thing an example can exercise."""

    category: str
    owner: str  # the definition it belongs to ("" for an article)
    label: str
    key: tuple[Any, ...]  # the interpreter's coverage key (see Interpreter)
    cite: tuple[str, ...] = ()


@attrs.frozen
class Count:
    covered: int
    total: int

    @property
    def percent(self) -> Decimal | None:
        if not self.total:
            return None
        return (Decimal(100) * self.covered / self.total).quantize(Decimal("0.1"), ROUND_HALF_UP)

    def text(self) -> str:
        pct = self.percent
        return f"{self.covered}/{self.total} ({pct}%)" if pct is not None else f"{self.covered}/{self.total} (—)"

    def to_json(self) -> dict[str, Any]:
        return {"covered": self.covered, "total": self.total, "percent": self.percent}


@attrs.frozen
class FileCoverage:
    file: str
    counts: dict[str, Count]
    missed: tuple[Item, ...]

    @property
    def total(self) -> Count:
        return Count(sum(c.covered for c in self.counts.values()), sum(c.total for c in self.counts.values()))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file}
        out.update({cat: c.to_json() for cat, c in self.counts.items()})
        out["total"] = self.total.to_json()
        out["missed"] = [{"category": m.category, "definition": m.owner, "label": m.label} for m in self.missed]
        return out


def items(defs: Mapping[str, ir.Definition], inputs: Mapping[str, Mapping[str, Any]]) -> list[Item]:
    """Everything the examples of one file could exercise, in definition order."""
    out: list[Item] = []
    seen: set[int] = set()
    articles: dict[str, None] = {}
    for spec in inputs.values():
        articles.update(dict.fromkeys(spec.get("cite", ())))
    for owner, d in defs.items():
        articles.update(dict.fromkeys(d.cite))
        for node in ir.walk(d.expr):
            if node.id in seen:  # a value shared by rows (参照) is counted once
                continue
            seen.add(node.id)
            out.extend(_node_items(owner, node))
    for it in out:
        articles.update(dict.fromkeys(it.cite))
    out.extend(Item("articles", "", a, ("article", a)) for a in articles)
    return out


def _node_items(owner: str, node: ir.Node) -> list[Item]:
    ident = node.id
    match node:
        case ir.If():
            return [Item("branches", owner, "则", (owner, ident, 0)),
                    Item("branches", owner, "否则", (owner, ident, 1))]
        case ir.Cond(branches=branches, other=other):
            found = [Item("branches", owner, b.label, (owner, ident, i), b.cite) for i, b in enumerate(branches)]
            return [*found, Item("branches", owner, "否则", (owner, ident, -1), other.cite)]
        case ir.Match(cases=rows, other=other):
            return _rows("rows", owner, ident, rows, other)
        case ir.Bands(bands=bands, other=other):
            return _rows("bands", owner, ident, bands, other)
        case ir.Scale(brackets=brackets):
            return _rows("bands", owner, ident, brackets, None)
        case ir.Dated(versions=versions):
            return [Item("versions", owner, v.label, (owner, ident, i), v.cite) for i, v in enumerate(versions)]
    return []


def _rows(category: str, owner: str, ident: int, rows: Sequence[ir.Case | ir.Band],
          other: ir.Other | None) -> list[Item]:
    found = [Item(category, owner, row.label, (owner, ident, i), row.cite) for i, row in enumerate(rows)]
    if other is not None:
        found.append(Item(category, owner, "其他", (owner, ident, -1), other.cite))
    return found


def measure(file: str, defs: Mapping[str, ir.Definition], inputs: Mapping[str, Mapping[str, Any]],
            hits: Coverage) -> FileCoverage:
    """Covered/total per category for one file, from what the interpreter recorded in `hits`."""
    everything = items(defs, inputs)
    exercised: set[str] = set()
    for it in everything:
        if it.category != "articles" and it.key in hits:
            exercised.update(it.cite)
    for key in hits:
        if len(key) == 2 and key[0] == "def" and key[1] in defs:
            exercised.update(defs[key[1]].cite)
        elif len(key) == 2 and key[0] == "input" and key[1] in inputs:
            exercised.update(inputs[key[1]].get("cite", ()))
    counts: dict[str, Count] = {}
    missed: list[Item] = []
    for cat in CATEGORIES:
        mine = [it for it in everything if it.category == cat]
        done = [(it.label in exercised) if cat == "articles" else (it.key in hits) for it in mine]
        counts[cat] = Count(sum(done), len(mine))
        missed.extend(it for it, ok in zip(mine, done, strict=True) if not ok)
    return FileCoverage(file, counts, tuple(missed))


def from_report(report: Any) -> list[FileCoverage]:
    """Coverage of every file of a testing.Report run with coverage=True."""
    result = []
    for file, policy in report.policies.items():
        hits = (report.coverage or {}).get(file, set())
        specs = {s["name"]: s for s in policy.module.INPUTS}
        result.append(measure(file, policy.definitions, specs, hits))
    return result


def overall(files: list[FileCoverage]) -> Count:
    return Count(sum(f.total.covered for f in files), sum(f.total.total for f in files))


def _pad(label: str, width: int = 18) -> str:
    return label + " " * max(width - display_width(label), 1)


def render(files: list[FileCoverage], verbose: bool = False) -> str:
    """The coverage table as text: one block per file with anything to cover, then the total."""
    lines = []
    for f in files:
        if not f.total.total:
            continue
        lines.append(f"覆盖率  {f.file}")
        for cat, label in CATEGORIES.items():
            lines.append(f"  {_pad(label)}{f.counts[cat].text()}")
        lines.append(f"  {_pad('合计')}{f.total.text()}")
        if verbose and f.missed:
            lines.append("  未覆盖：")
            for m in f.missed:
                where = f"「{m.owner}」" if m.owner else ""
                lines.append(f"    {CATEGORIES[m.category]} {where}{m.label}")
    lines.append(f"总覆盖率 {overall(files).text()}")
    return "\n".join(lines)
