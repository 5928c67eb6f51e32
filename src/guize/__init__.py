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
    means the file's own directory, None or False means the file alone.
    """
    from guize.compiler.corpus import load_corpus
    from guize.compiler.driver import load_module

    module = load_module(path, use_cache=cache)
    repealed = None
    if corpus is not None and corpus is not False:
        root = Path(path).parent if corpus is True else Path(corpus)
        entry = load_corpus([str(root)]).entry_for_file(str(path))
        if entry is not None:
            repealed = entry.repealed
    return Policy(module, repealed)


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
