"""guize verify: prove or refute properties of checked policies with an SMT solver (z3).

encode translates the typed IR to z3 terms, properties decides each property and replays
its counterexamples, report writes text, JSON and SARIF. See docs/verify.md.
"""

from __future__ import annotations

from guize.tools.verify.entry import verify_file, verify_paths
from guize.tools.verify.properties import KINDS, Result

__all__ = ["KINDS", "Result", "verify_file", "verify_paths"]
