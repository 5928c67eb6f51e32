"""Chain the stages: read → parse → check → generate → compile, with an on-disk cache."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import marshal
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from guize.runtime import modcache
from guize.runtime.errors import RuleError
from guize.runtime.modcache import module_from_code as module_from_code
from guize.runtime.modcache import write_atomic as write_atomic

if TYPE_CHECKING:
    from collections.abc import Callable

    from guize.compiler.checker import CheckedPolicy
    from guize.runtime import ir

# The parser (and Lark), checker and code generators are imported only when a file must
# be compiled: loading a cached policy needs none of them, and starts faster for it.


@dataclasses.dataclass(frozen=True)
class Compiled:
    checked: CheckedPolicy
    python: str  # the generated module's source
    source: str  # the .rule text

    @functools.cached_property
    def batch_python(self) -> str:
        """Its sibling module's source: the columnar evaluators (see batchgen), written when first
        asked for (`guize compile -o`, engines): loading a policy writes them only when batch is
        first used (load_batch)."""
        return _batch_code(self.checked, self.checked.path)


@dataclasses.dataclass(frozen=True)
class FromModule:
    """What batchgen reads of a checked policy (batchgen.Checked), from its compiled module: the
    definitions decoded from DEFS, INPUTS and OUTPUTS (the same columnar code: tests/test_lazy_batch.py)."""

    path: str
    source_sha256: str
    inputs: tuple[dict[str, Any], ...]
    defs: dict[str, ir.Definition]
    order: tuple[str, ...]
    outputs: tuple[str, ...]


def read_source(path: str | os.PathLike[str]) -> str:
    try:
        return modcache.read_source(path)
    except UnicodeDecodeError as exc:
        p = Path(path)
        line = p.read_bytes()[:exc.start].count(b"\n") + 1
        from guize.compiler.ast import Span
        from guize.compiler.diagnostics import CompileError, Diagnostic

        raise CompileError([Diagnostic("error", "E002", "文件不是 UTF-8 编码（常见原因：用 GBK 保存）",
                                       Span(str(p), line, 1, line, 2),
                                       hint="请用 UTF-8 编码另存此文件")]) from None


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector paused while a file is compiled: parsing and checking allocate
    millions of objects that all live to the end, and every full collection walks them all
    (at 10,000 lines about a third of the parse). Cycles made meanwhile are collected after."""
    if not gc.isenabled():  # already paused (a nested call, another thread) or turned off
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def layered_files(source: str, path: str, amendments: Path | None = None,
                  recursive: bool = False) -> list[tuple[str, str]] | None:
    """The files (path, text), base first, whose merge makes the policy of `path` when it is an
    amendment or a local document, or (with `amendments`, a corpus folder) a base document
    with amendments there; None for a file on its own (see compiler/amend.py)."""
    from guize.compiler import amend

    declares = amend.may_layer(source)
    if amendments is None and not declares:
        return None
    paths = amend.chain(path, amendments, recursive, source)
    if len(paths) == 1 and not declares:
        return None
    return [(p, source if p == path else read_source(p)) for p in paths]


def check_source(source: str, path: str, files: list[tuple[str, str]] | None = None) -> CheckedPolicy:
    """Parse and check; raises CompileError if there is any error (warnings ride along).

    An amendment or a local document is checked merged with the documents it builds on
    (`files`, found beside it when not given; see compiler/amend.py)."""
    if files is None:
        files = layered_files(source, path)
    if files is not None:
        from guize.compiler.amend import check_chain

        return check_chain(files, path)  # type: ignore[no-any-return]
    from guize.compiler import parser
    from guize.compiler.checker import check
    from guize.compiler.diagnostics import CompileError

    with gc_paused():
        tree = parser.parse(source, path)
        checked = check(tree, source)
    errors = [d for d in checked.diagnostics if d.severity == "error"]
    if errors:
        raise CompileError(list(checked.diagnostics), {path: source})
    return checked


def compile_source(source: str, path: str, files: list[tuple[str, str]] | None = None) -> Compiled:
    """The checked policy and its module; the columnar one (batch_python) when first asked for."""
    from guize.compiler import codegen

    with gc_paused():
        checked = check_source(source, path, files)
        try:
            return Compiled(checked, codegen.generate(checked, path), source)
        except (RecursionError, MemoryError):
            raise _too_complex(path) from None


def _too_complex(path: str) -> RuleError:
    """The parser bounds each definition's nesting; a very long chain of definitions, each using
    the one before, can still exceed Python's stack in the later stages."""
    from guize.compiler.ast import Span
    from guize.compiler.diagnostics import CompileError, Diagnostic

    return CompileError([Diagnostic("error", "E018", "规则过于复杂，无法编译：定义之间一个引用一个的链太长",
                                    Span(path, 1, 1, 1, 2),
                                    hint="减少层层相引的定义（几百个定义首尾相引时会出现）")])


def compile_file(path: str | os.PathLike[str]) -> Compiled:
    return compile_source(read_source(path), str(path))


def module_from_source(python: str, name: str, filename: str) -> ModuleType:
    from guize.compiler.pieces import compile_module

    return module_from_code(compile_module(python, filename), name, filename)


def load_module(path: str | os.PathLike[str], use_cache: bool = True, amendments: Path | None = None,
                recursive: bool = False) -> ModuleType:
    """The compiled module for a .rule file: from the cache when its source is unchanged
    (runtime/modcache.py, which guize.load also reads without this module).

    Its sibling, the columnar evaluators (`<key>_batch.py`), is written (and cached beside it)
    only when the module's BATCH_LOADER is first called (by guize.runtime.batch): a load that
    evaluates row by row never needs it (see load_batch).
    An amendment or local document is merged with the documents it builds on; a base document
    with its amendments in the folder `amendments` (recursively if `recursive`) when given."""
    source = read_source(path)
    files = layered_files(source, str(path), amendments, recursive)
    # A merged policy is cached under the text of every file merged.
    key_text = source if files is None else "\0".join(f"{p}\0{text}" for p, text in files)
    entry = modcache.Entry(key_text, str(path))
    module = entry.load() if use_cache else None
    if module is None:
        from guize.compiler.pieces import compile_module

        compiled = compile_source(source, str(path), files)
        try:
            code = compile_module(compiled.python, entry.python)  # in pieces: see compiler/pieces.py
        except (RecursionError, MemoryError, SyntaxError):  # SyntaxError: too many nested parentheses
            raise _too_complex(str(path)) from None
        if use_cache:
            with contextlib.suppress(OSError):  # a read-only cache only costs speed
                write_atomic(entry.python, compiled.python)
                write_atomic(entry.bytecode, marshal.dumps(code))
        module = module_from_code(code, entry.name, entry.python)
    loader = functools.partial(load_batch, Path(entry.batch), (source, str(path), files), f"{entry.name}_batch",
                               use_cache)
    module.BATCH_LOADER = loader  # type: ignore[attr-defined]
    # The files merged into it (compiler/amend.py), for whoever compiles it again (engines/spark).
    module.SOURCE_FILES = tuple(p for p, _text in files) if files else (str(path),)  # type: ignore[attr-defined]
    return module


def load_batch(path: Path, rule: tuple[str, str, list[tuple[str, str]] | None], name: str, use_cache: bool,
               module: ModuleType | None = None,
               definitions: Callable[[], dict[str, ir.Definition]] | None = None) -> ModuleType:
    """The sibling module of columnar evaluators: from its cached bytecode (or the cached file),
    else written now from `module`'s own definitions (`definitions()`, the Policy's decoded ones,
    when given; else decoded from its DEFS) and cached; without a module, from the .rule text
    `rule` compiled again. A compile writes no columnar code: only a batch use needs it."""
    bytecode = path.with_suffix(f".{sys.implementation.cache_tag}.code")
    if use_cache:
        found = modcache.load_code(str(bytecode), name, str(path))
        if found is not None:
            return found
    from guize.compiler.pieces import compile_module

    source = None
    if use_cache:
        with contextlib.suppress(OSError):  # not written yet, or a cache emptied in part
            source = path.read_text(encoding="utf-8")
    written = source is None
    if source is None and module is not None:
        source = _batch_source(module, rule[1], definitions)
    elif source is None:
        source = compile_source(*rule).batch_python
    try:
        code = compile_module(source, str(path))
    except (RecursionError, MemoryError, SyntaxError):  # SyntaxError: too many nested parentheses
        raise _too_complex(str(path)) from None
    if use_cache:
        with contextlib.suppress(OSError):
            if written:
                write_atomic(path, source)
            write_atomic(bytecode, marshal.dumps(code))
    return module_from_code(code, name, str(path))


def _batch_source(module: ModuleType, path: str,
                  definitions: Callable[[], dict[str, ir.Definition]] | None) -> str:
    """The columnar evaluators of a compiled module, from its definitions: the code batchgen
    writes from the checked policy, byte for byte (tests/test_lazy_batch.py)."""
    from guize.runtime import ir

    defs = definitions() if definitions is not None else ir.definitions_of(module.DEFS)
    found = FromModule(module.SOURCE_PATH, module.SOURCE_SHA256, module.INPUTS, defs, tuple(defs), module.OUTPUTS)
    return _batch_code(found, path)


def _batch_code(policy: CheckedPolicy | FromModule, path: str) -> str:
    """batchgen's code for `policy`; E018 (too complex) where its recursion or memory runs out."""
    from guize.compiler import batchgen

    with gc_paused():
        try:
            return batchgen.generate(policy)
        except (RecursionError, MemoryError):
            raise _too_complex(path) from None


def rule_files(paths: list[str]) -> list[Path]:
    """Expand files and directories into .rule files, sorted for determinism."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(sorted(path.rglob("*.rule")))
        elif path.exists():
            out.append(path)
        else:
            raise RuleError(f"找不到文件或目录「{p}」", file=p)
    return out


def warn(message: str) -> None:
    print(message, file=sys.stderr)
