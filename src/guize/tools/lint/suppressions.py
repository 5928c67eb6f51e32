"""guize lint: suppression comments (「# guize-lint: 忽略 L101 理由」), read by the one reader
`check` also obeys (guize.compiler.suppressions), with lint's own rules silenceable too."""

from __future__ import annotations

from guize.compiler import ast, suppressions
from guize.compiler.diagnostics import Diagnostic
from guize.tools.lint.rules import RULES


def apply_suppressions(findings: list[Diagnostic], tree: ast.RuleFile, lines: list[str]) -> list[Diagnostic]:
    """Findings less those silenced, plus findings about the comments themselves (L001–L003)."""
    active, problems = suppressions.read(tree.path, tree.comments, lines, RULES)
    kept = suppressions.apply(findings, active, tree.path, RULES)
    return kept + problems + suppressions.unused(active)
