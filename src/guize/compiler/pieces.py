"""Compile a generated module in pieces, so that Python's compiler never holds all of it at once.

Python's compile() builds the whole module's syntax tree before it writes any bytecode, and the
tree costs about 100 to 180 times the source's size (a deeply nested literal the most): the 24 MB
module of a 50,000-line .rule file took 2 GB. Compiled a piece at a time (top-level statements,
about PIECE characters each), the peak is that of the largest piece. The pieces' code objects,
run in order in one namespace (runtime/modcache.module_from_code), make the same module; each
is shifted to its place in the file, so tracebacks and LINE_MAP name the generated lines as
before.
"""

from __future__ import annotations

import re
from types import CodeType

PIECE = 32_768  # characters: a piece compiles in a few MB; fewer, larger pieces save no time

# A statement starts with a name (a keyword included) or a comment at column 0, and not with
# one of these, which continue the statement before.
_CONTINUES = ("else", "elif", "except", "finally", "case")
_IMPORTS = re.compile(r"^(?:import|from) [^\n;#]*", re.M)


def cuts(source: str, size: int | None = None) -> list[int]:
    """Offsets where top-level statements start, about `size` (PIECE) characters apart (0 first)."""
    size = max(1, PIECE if size is None else size)
    out = [0]
    pos = size
    while pos < len(source):
        line = source.find("\n", pos) + 1
        while line and line < len(source) and (source.startswith(_CONTINUES, line)
                                                or not (source[line].isidentifier() or source[line] == "#")):
            line = source.find("\n", line) + 1
        if not line or line >= len(source):
            break
        out.append(line)
        pos = line + size
    return out


def shifted(code: CodeType, lines: int) -> CodeType:
    """`code` (and the functions inside it) moved down by `lines` lines: line numbers are kept
    relative to co_firstlineno, so this is one field per code object."""
    consts = tuple(shifted(c, lines) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_firstlineno=code.co_firstlineno + lines, co_consts=consts)


def compile_module(source: str, filename: str, size: int | None = None) -> CodeType | tuple[CodeType, ...]:
    """The module's code: one code object when it is small, else one per piece, in order."""
    offsets = cuts(source, size)
    if len(offsets) == 1:
        return compile(source, filename, "exec")
    # Python compiles `module.f()` for a name bound by an import in the same source to a plain
    # attribute load (not a method call): each later piece repeats the module's imports, on one
    # line before its own, so that its bytecode is the whole module's.
    imports = "; ".join(dict.fromkeys(_IMPORTS.findall(source)))
    codes = []
    line = 0  # lines before the piece
    for start, end in zip(offsets, [*offsets[1:], len(source)], strict=True):
        text = source[start:end] if not (start and imports) else f"{imports}\n{source[start:end]}"
        try:
            code = compile(text, filename, "exec")
        except SyntaxError:  # INVARIANT: generated statements are cut only where they start
            return compile(source, filename, "exec")  # the whole: its own error, if any
        codes.append(shifted(code, line - 1 if start and imports else line))
        line += source.count("\n", start, end)
    return tuple(codes)
