"""The parse tree's nodes, smaller than Lark's: Lark's Meta keeps a node's positions in a
__dict__ (13 entries with propagate_positions, about 500 bytes a node: half of a large file's
parse tree, 137 of 269 MB at 50,000 .rule lines); here they are slots."""

from __future__ import annotations

from typing import Any

from lark import Token, Tree


class SlotMeta:
    """As lark.tree.Meta: a node's positions, set by Lark as it parses (an attribute not set yet
    is missing, as Lark's propagate_positions tests with hasattr); `empty` until then."""

    __slots__ = ("column", "container_column", "container_end_column", "container_end_line",
                 "container_end_pos", "container_line", "container_start_pos", "empty", "end_column",
                 "end_line", "end_pos", "line", "match_tree", "orig_expansion", "start_pos")

    def __init__(self) -> None:
        self.empty = True


class SlotTree(Tree[Token]):
    """Lark's Tree, its meta a SlotMeta (Lark builds the nodes: Lark(tree_class=SlotTree))."""

    @property
    def meta(self) -> Any:
        if self._meta is None:
            self._meta = SlotMeta()  # type: ignore[assignment]
        return self._meta
