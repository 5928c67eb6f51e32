"""guize (规则): a Chinese-first rules-as-code language compiled to Python evaluators.

    import guize, datetime
    policy = guize.load("policies/xinjiang/outpatient_2024.rule")
    policy.evaluate({...}, on=datetime.date(2025, 3, 1), outputs=["统筹基金支付"])
"""

from __future__ import annotations

import os
from pathlib import Path

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


def load(path: str | os.PathLike[str], corpus: str | os.PathLike[str] | bool | None = True,
         cache: bool = True) -> Policy:
    """Compile (cached on disk by source hash) and load one .rule file.

    `corpus` is the directory whose documents may repeal this one: True (the default)
    means the file's own directory (not its subdirectories), a path that directory and its
    subdirectories, None or False the file alone. Only files that name one of this file's
    documents beside 「废止」 or 「替代」 are compiled; one that cannot be is skipped with a
    CorpusWarning (also in `policy.warnings`).
    """
    import warnings

    from guize.compiler.corpus import CorpusWarning, related_corpus
    from guize.compiler.driver import load_module

    amendments = None
    if corpus is not None and corpus is not False:
        amendments = Path(path).parent if corpus is True else Path(corpus)
    # The amendments in the corpus are applied (compiler/amend.py): the law as it now stands;
    # evaluate(..., known_on=D) gives it as published by D.
    module = load_module(path, use_cache=cache, amendments=amendments, recursive=corpus is not True)
    repealed = None
    found: list[str] = []
    if corpus is not None and corpus is not False:
        root = Path(path).parent if corpus is True else Path(corpus)
        related = related_corpus(str(path), module, str(root), recursive=corpus is not True)
        entry = related.entry_for_file(str(path))
        if entry is not None:
            repealed = entry.repealed
        found = related.warnings
    policy = Policy(module, repealed)
    policy.warnings = tuple(found)
    for message in found:
        warnings.warn(CorpusWarning(message), stacklevel=2)
    return policy


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
