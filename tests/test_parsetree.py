"""parsetree.Positions sets every parse-tree node's positions as Lark's propagate_positions does
(compared node by node, the container positions of inlined rules included, over every .rule
file of the repository and a large synthetic one), and the parser uses it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from lark import Lark
from lark.parse_tree_builder import PropagatePositions

from guize.compiler import parser, parsetree

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(p for p in ROOT.rglob("*.rule") if ".venv" not in p.parts)
sys.path.insert(0, str(ROOT / "bench"))
from compile_bench import synthetic  # noqa: E402


def larks(units: tuple[str, ...] = ()) -> tuple[Lark, Lark]:
    """The parser guize uses (for a file declaring these units), and one with Lark's own
    PropagatePositions, built the same way."""
    if units not in _PLAIN:
        saved = parsetree.fast_positions
        try:
            parser.fast_positions = lambda lark: 0  # type: ignore[assignment]
            _PLAIN[units] = parser.lark_for.__wrapped__(units)
        finally:
            parser.fast_positions = saved
    return parser.lark_for(units), _PLAIN[units]


_PLAIN: dict[tuple[str, ...], Lark] = {}


def positions(tree: Any) -> list[tuple[str, tuple[Any, ...]]]:
    return [(node.data, tuple(getattr(node.meta, a, None) for a in parsetree.SlotMeta.__slots__))
            for node in tree.iter_subtrees()]


def test_the_parser_uses_positions() -> None:
    fast, plain = larks()
    assert any(isinstance(c, parsetree.Positions) for c in fast._callbacks.values())
    assert not any(type(c) is PropagatePositions for c in fast._callbacks.values())
    assert any(type(c) is PropagatePositions for c in plain._callbacks.values())


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_positions_are_larks(path: Path) -> None:
    source = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    fast, plain = larks(parser.declared_units(source))
    text = parser.mask_digit_names(source)
    try:
        expected = positions(plain.parse(text))
    except Exception:  # a file with a syntax error (tests/golden/bad): the same error, no tree
        with pytest.raises(Exception) as info:
            fast.parse(text)
        with pytest.raises(type(info.value)):
            plain.parse(text)
        return
    assert positions(fast.parse(text)) == expected


def test_positions_of_a_large_file_are_larks() -> None:
    fast, plain = larks()
    text = parser.mask_digit_names(synthetic(1_500))
    assert positions(fast.parse(text)) == positions(plain.parse(text))
