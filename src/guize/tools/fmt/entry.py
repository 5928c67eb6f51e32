"""guize fmt: the entry points — print a tree, format a source and verify the result."""

from __future__ import annotations

from guize.compiler import ast
from guize.compiler.diagnostics import CompileError
from guize.compiler.parser import parse
from guize.tools.fmt.comments import Source, assemble, attach
from guize.tools.fmt.equivalence import same_meaning
from guize.tools.fmt.layout import Line, Mark, lay_out
from guize.tools.fmt.printer import Printer
from guize.tools.fmt.spelling import FormatError


def format_tree(tree: ast.RuleFile, source: str) -> str:
    """Print `tree` (parsed from `source`, which supplies comments and blank lines)."""
    src_lines = source.replace("\r\n", "\n").split("\n")
    printer = Printer(src_lines)
    stmts: list[tuple[int, list[Line]]] = []
    flat: list[Line] = []
    logical = 0
    for i, node in enumerate(tree.order):
        lines: list[Line] = []
        for lg in printer.statement(node):
            doc = [Mark(lg.start, lg.end), lg.doc, Mark(lg.start, lg.end, True)] if lg.start else lg.doc
            printed = lay_out(doc, lg.indent, i)
            logical += 1
            for line in printed:
                line.logical = logical
            lines.extend(printed)
        stmts.append((node.span.line, lines))  # type: ignore[attr-defined]
        flat.extend(lines)
    src = Source(src_lines, tree.comments)
    tail = attach(flat, src)
    return assemble(stmts, tail, src)


def format_source(source: str, path: str) -> str:
    """The canonical layout of a .rule file; raises CompileError on syntax errors."""
    tree = parse(source, path)
    text = format_tree(tree, source)
    try:
        again = parse(text, path)
    except CompileError as exc:
        raise FormatError(f"formatted text does not parse: {exc.message}") from None
    if not same_meaning(tree, again):
        raise FormatError("formatted text parses to a different tree")
    if sorted(c.text.rstrip() for c in tree.comments) != sorted(c.text.rstrip() for c in again.comments):
        raise FormatError("formatted text lost or merged a comment")
    # '#' only occurs in comments, titles and quoted text, all copied verbatim: none may vanish.
    if sum(map(source.count, "#＃")) != sum(map(text.count, "#＃")):
        raise FormatError("formatted text lost a '#'")
    return text
