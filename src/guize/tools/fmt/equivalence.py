"""guize fmt: tree equivalence — two trees mean the same up to the spellings the formatter normalises."""

from __future__ import annotations

from typing import Any

import attrs

from guize.compiler import ast
from guize.tools.fmt.spelling import RANGE_TO, RANGE_WORDS, band_text, compare_word


def canonical(node: Any) -> Any:
    """The tree as the formatter spells it: the fields that keep source spelling
    (comparison symbols, range words, band text) take their printed form. Two trees
    with equal canonical forms mean the same thing."""
    if isinstance(node, tuple):
        return tuple(canonical(x) for x in node)
    if not attrs.has(type(node)):
        return node
    changes = {}
    for f in attrs.fields(type(node)):
        if not f.eq:
            continue
        value = getattr(node, f.name)
        new = canonical(value)
        if new is not value:
            changes[f.name] = new
    if isinstance(node, ast.Compare):
        changes["word"] = compare_word(node)
    elif isinstance(node, ast.Bound) and node.word in RANGE_WORDS:
        changes["word"] = RANGE_TO
    elif isinstance(node, ast.BandKey):
        lower, upper = changes.get("lower", node.lower), changes.get("upper", node.upper)
        changes["text"] = band_text(lower, upper, node.part)
    return attrs.evolve(node, **changes) if changes else node


def same_meaning(a: ast.RuleFile, b: ast.RuleFile) -> bool:
    """Same statements in the same order, up to the spellings the formatter normalises."""
    return bool(canonical(tuple(a.order)) == canonical(tuple(b.order)))
