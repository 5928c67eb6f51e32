"""guize (规则): a Chinese-first rules-as-code language compiled to Python evaluators.

    import guize, datetime
    policy = guize.load("policies/xinjiang/outpatient_2024.rule")
    policy.evaluate({...}, on=datetime.date(2025, 3, 1), outputs=["统筹基金支付"])
"""

from __future__ import annotations

import os
from types import ModuleType

from guize._version import __version__
from guize.runtime import (
    EvaluationError,
    Explanation,
    InputInfo,
    InternalError,
    InvalidInput,
    MissingInput,
    NotInForce,
    OutputInfo,
    Policy,
    RuleError,
    UnknownOutput,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (runtime/tuples.py)
if TYPE_CHECKING:
    from collections.abc import Callable

    from guize.runtime.ir import Definition


def load(path: str | os.PathLike[str], corpus: str | os.PathLike[str] | bool | None = True,
         cache: bool = True, *, warn: bool = True) -> Policy:
    """Compile (cached on disk by source hash) and load one .rule file.

    `corpus` is the directory whose documents may repeal this one: True (the default)
    means the file's own directory (not its subdirectories), a path that directory and its
    subdirectories, None or False the file alone. Only files that name one of this file's
    documents beside 「废止」 or 「替代」 are compiled; one that cannot be is skipped with a
    CorpusWarning (also in `policy.warnings`; with warn=False only there).

    A cached policy that no neighbour names is loaded by the runtime alone: the compiler (and
    Lark) are imported only to compile, or to link the documents that may repeal it.
    """
    from guize.runtime import related

    root = None
    if corpus is not None and corpus is not False:
        root = os.path.dirname(os.fspath(path)) if corpus is True else os.fspath(corpus)
    recursive = corpus is not True
    module = _from_cache(path) if cache else None
    from_cache = module is not None
    if module is None:
        module = _compile(path, cache, root, recursive)
    repealed = None
    found: list[str] = []
    if root is not None:
        # One look at the neighbours: one that names a document of this file beside 「废止」「替代」
        # may repeal it, beside 「修改」 amend it; either needs the compiler.
        neighbours, found = related.candidates(str(path), module.DOCUMENTS, root, recursive,
                                               words=related.REPEALING + related.LAYERING)
        if neighbours:
            from guize.compiler.corpus import related_corpus

            if from_cache:  # the file alone: an amendment beside it must be merged in
                module = _compile(path, cache, root, recursive)
            linked = related_corpus(str(path), module, os.path.normpath(root or "."), recursive=recursive)
            entry = linked.entry_for_file(str(path))
            if entry is not None:
                repealed = entry.repealed
            found = linked.warnings
    policy = Policy(module, repealed)
    policy.warnings = tuple(found)
    if found and warn:
        import warnings  # only then: `guize eval` need not import it

        for message in found:
            warnings.warn(related.CorpusWarning(message), stacklevel=2)
    return policy


def _from_cache(path: str | os.PathLike[str]) -> ModuleType | None:
    """The compiled module of `path` alone if the cache has it (read by the runtime alone), else
    None; None too when its text says 「修改」 or 「参照执行」 (a cheap, conservative test that it
    may be an amendment or a local document, merged with others: compiler/amend.py)."""
    import functools

    from guize.runtime import modcache, related

    try:
        source = modcache.read_source(path)
    except UnicodeDecodeError:  # the compiler reports where
        return None
    if related.may_be_layered(source):
        return None
    entry = modcache.Entry(source, str(path))
    module = entry.load()
    if module is None:
        return None
    module.BATCH_LOADER = functools.partial(  # type: ignore[attr-defined]
        _load_batch, entry.batch, (source, str(path), None), f"{entry.name}_batch")
    module.SOURCE_FILES = (str(path),)  # type: ignore[attr-defined]
    return module


def _compile(path: str | os.PathLike[str], cache: bool, root: str | None, recursive: bool) -> ModuleType:
    """The module through the compiler, with the amendments in the corpus `root` applied (the law
    as it now stands; evaluate(..., known_on=D) gives it as published by D)."""
    from pathlib import Path

    from guize.compiler.driver import load_module

    return load_module(path, use_cache=cache, amendments=None if root is None else Path(root), recursive=recursive)


def _load_batch(batch: str, rule: tuple[str, str, None], name: str, module: ModuleType,
                definitions: Callable[[], dict[str, Definition]] | None = None) -> ModuleType:
    """The columnar evaluators of a module loaded from the cache (batch use imports pyarrow; the
    compiler's loader costs nothing beside it)."""
    from pathlib import Path

    from guize.compiler.driver import load_batch

    return load_batch(Path(batch), rule, name, True, module, definitions)


def compile_file(path: str | os.PathLike[str]) -> str:
    """The generated Python source for a .rule file (raises CompileError on errors)."""
    from guize.compiler.driver import compile_file as _compile

    return _compile(path).python


def __getattr__(name: str) -> object:
    # guize.CompileError lives in the compiler; importing it lazily keeps Lark out of `import guize`.
    if name == "CompileError":
        from guize.compiler.diagnostics import CompileError

        return CompileError
    raise AttributeError(f"module 'guize' has no attribute {name!r}")


__all__ = [
    "CompileError",
    "EvaluationError",
    "Explanation",
    "InputInfo",
    "InternalError",
    "InvalidInput",
    "MissingInput",
    "NotInForce",
    "OutputInfo",
    "Policy",
    "RuleError",
    "UnknownOutput",
    "__version__",
    "compile_file",
    "load",
]
