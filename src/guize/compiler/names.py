"""Python identifiers for the generated modules (scalar and batch) from Chinese names."""

from __future__ import annotations

import unicodedata


class Names:
    """Python identifiers for Chinese names: readable where Python allows, never colliding."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.by_key: dict[tuple[str, str], str] = {}

    def get(self, prefix: str, name: str) -> str:
        key = (prefix, name)
        if key in self.by_key:
            return self.by_key[key]
        ident = f"{prefix}_{name}"
        # (is_normalized: the same answer as normalize(...) != ident, about half the time)
        if not ident.isidentifier() or not unicodedata.is_normalized("NFKC", ident):
            ident = f"{prefix}_{len(self.by_key)}"
        while ident in self.used:
            ident += "_"
        self.used.add(ident)
        self.by_key[key] = ident
        return ident
