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


def reason_text(text: str) -> str:
    if "timeout" in text or "canceled" in text:
        return "求解超时（可用 --timeout 加长）"
    if "incomplete" in text or "nonlinear" in text or "arith" in text:
        return f"含非线性运算，求解器无法判定（{text}）"
    return f"求解器无法判定（{text}）"


def fresh_context() -> None:
    """Start z3 afresh. Which model z3 finds depends on every term built before in the process;
    verifying each file (or each pair of versions) from a fresh context makes the counterexamples
    the same every time, whatever ran before (deterministic reports, stable goldens)."""
    core = getattr(z3(), "z3", None)
    if core is not None and hasattr(core, "_main_ctx"):
        core._main_ctx = None
