"""The parse tree's nodes, smaller than Lark's: Lark's Meta keeps a node's positions in a
__dict__ (13 entries with propagate_positions, about 500 bytes a node: half of a large file's
parse tree, 137 of 269 MB at 50,000 .rule lines); here they are slots. And the positions set
faster than Lark sets them (Positions)."""

from __future__ import annotations

from typing import Any

from lark import Token, Tree
from lark.parse_tree_builder import PropagatePositions


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


class Positions:
    """Lark's propagate_positions (lark.parse_tree_builder.PropagatePositions, without a node
    filter): the same positions, set on each node as the parser builds it, in a third of the
    time. Lark looks for the first and last child with a position through a generator each
    and reads each position by getattr with a default (the container_* of a node inlined by
    `?rule`), which for a token fails and is caught: 12 a node, a third of Lark's parse of a
    large file. A node here has its container_* set whenever it has a position (Lark sets both at
    once) and a token never has them, so each is read directly. tests/test_parsetree.py compares
    every node's positions with Lark's own over the corpus and the test files."""

    __slots__ = ("node_builder",)

    def __init__(self, node_builder: Any) -> None:
        self.node_builder = node_builder

    def __call__(self, children: list[Any]) -> Any:
        res = self.node_builder(children)
        if len(children) == 1 and res is children[0]:  # a `?rule` of one child: its positions are the child's
            return res  # (Lark sets its container_* to themselves)
        if isinstance(res, Tree):
            meta: Any = res.meta  # (a SlotMeta: tree_class=SlotTree)
            m: Any
            for c in children:
                if isinstance(c, Tree):
                    m = c._meta  # (None: no position, as an empty meta; not made here)
                    if m is None or m.empty:
                        continue
                    line, column, pos = m.container_line, m.container_column, m.container_start_pos
                elif isinstance(c, Token):
                    line, column, pos = c.line, c.column, c.start_pos
                elif hasattr(c, "__lark_meta__"):  # (as Lark: an object that gives its own)
                    m = c.__lark_meta__()
                    line = getattr(m, "container_line", m.line)
                    column = getattr(m, "container_column", m.column)
                    pos = getattr(m, "container_start_pos", m.start_pos)
                else:  # None (a placeholder)
                    continue
                if not hasattr(meta, "line"):  # set already when the rule was inlined (`?rule`)
                    meta.line, meta.column, meta.start_pos, meta.empty = line, column, pos, False
                meta.container_line, meta.container_column, meta.container_start_pos = line, column, pos
                break
            for c in reversed(children):
                if isinstance(c, Tree):
                    m = c._meta
                    if m is None or m.empty:
                        continue
                    line, column, pos = m.container_end_line, m.container_end_column, m.container_end_pos
                elif isinstance(c, Token):
                    line, column, pos = c.end_line, c.end_column, c.end_pos
                elif hasattr(c, "__lark_meta__"):
                    m = c.__lark_meta__()
                    line = getattr(m, "container_end_line", m.end_line)
                    column = getattr(m, "container_end_column", m.end_column)
                    pos = getattr(m, "container_end_pos", m.end_pos)
                else:
                    continue
                if not hasattr(meta, "end_line"):
                    meta.end_line, meta.end_column, meta.end_pos, meta.empty = line, column, pos, False
                meta.container_end_line, meta.container_end_column, meta.container_end_pos = line, column, pos
                break
        return res


def fast_positions(lark: Any) -> int:
    """Put Positions in place of each rule's PropagatePositions in `lark`'s callbacks (the dict its
    LALR parser calls; Lark builds it again when it loads its cache). Returns how many: with none
    (another Lark's layout), Lark's own stay and only the speed differs."""
    callbacks = getattr(lark, "_callbacks", None)
    count = 0
    if isinstance(callbacks, dict):
        for rule, callback in callbacks.items():
            if type(callback) is PropagatePositions and callback.node_filter is None:
                callbacks[rule] = Positions(callback.node_builder)
                count += 1
    return count
