"""guize.compiler.names: the generated modules' identifiers for Chinese names."""

from __future__ import annotations

import unicodedata

from guize.compiler.names import Names


def _reference(names: list[tuple[str, str]]) -> list[str]:
    """Names.get as first written (normalize and compare): the identifiers must not change."""
    used: set[str] = set()
    by_key: dict[tuple[str, str], str] = {}
    out = []
    for prefix, name in names:
        key = (prefix, name)
        if key not in by_key:
            ident = f"{prefix}_{name}"
            if not ident.isidentifier() or unicodedata.normalize("NFKC", ident) != ident:
                ident = f"{prefix}_{len(by_key)}"
            while ident in used:
                ident += "_"
            used.add(ident)
            by_key[key] = ident
        out.append(by_key[key])
    return out


def test_names_readable_numbered_and_distinct() -> None:
    names = Names()
    assert names.get("i", "收入") == "i_收入"
    assert names.get("i", "收入") == "i_收入"  # the same name, the same identifier
    assert names.get("d", "收入") == "d_收入"
    # Not NFKC-normal (a ligature, a full-width letter, a superscript): Python would read
    # another name, so a numbered one (by how many names came before).
    assert names.get("i", "ﬁ率") == "i_2"
    assert names.get("i", "Ａ档") == "i_3"
    assert names.get("d", "面积²") == "d_4"
    assert names.get("i", "1号") == "i_1号"
    assert names.get("i", "a b") == "i_6"  # not an identifier


def test_names_same_as_normalize_compare() -> None:
    """is_normalized gives normalize's answer: every identifier as the comparison gave it, over
    every code point of the first planes in three positions."""
    keys = [(p, f"{a}{chr(cp)}{b}") for cp in range(0x20, 0x30000, 7)
            for p, a, b in (("i", "", ""), ("d", "名", ""), ("b", "甲", "乙"))]
    names = Names()
    assert [names.get(p, n) for p, n in keys] == _reference(keys)
