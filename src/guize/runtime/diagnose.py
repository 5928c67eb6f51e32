"""Suggestions for misspelt names, shared by the checker and the runtime's input errors."""

from __future__ import annotations

from collections.abc import Iterable


def similarity(a: str, b: str) -> float:
    # Character-bigram Dice coefficient with a boost for containment: Chinese names
    # differ by a dropped or added character far more often than by transposition.
    if a == b:
        return 1.0
    if a in b or b in a:
        return 0.6 + 0.4 * min(len(a), len(b)) / max(len(a), len(b))
    grams_a = {a[i:i + 2] for i in range(len(a) - 1)} or {a}
    grams_b = {b[i:i + 2] for i in range(len(b) - 1)} or {b}
    return 2 * len(grams_a & grams_b) / (len(grams_a) + len(grams_b))


def nearest_name(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like `name`, if one is close enough to suggest."""
    best, best_score = None, 0.0
    for cand in sorted(candidates):
        score = similarity(name, cand)
        if score > best_score:
            best, best_score = cand, score
    return best if best_score >= 0.5 else None
