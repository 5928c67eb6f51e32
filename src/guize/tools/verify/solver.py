"""The SMT solver behind `guize verify`: z3, an optional extra, imported only here."""

from __future__ import annotations

from typing import Any

from guize.runtime.errors import RuleError


class SolverMissing(RuleError):
    """z3-solver is not installed (the `verify` extra)."""

    code = "E120"


def z3() -> Any:
    """The z3 module, or a Chinese error saying how to install it."""
    try:
        import z3 as module
    except ImportError:
        raise SolverMissing("guize verify 需要 SMT 求解器 z3，但尚未安装：请在 guize 的目录中运行 "
                            "pip install '.[verify]' 安装可选依赖 verify（或单独安装 z3-solver 包）") from None
    return module
