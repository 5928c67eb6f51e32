"""Lint: findings beyond the checker's (gaps, unreachable branches, citations, wording), with suppressions.

Works from the syntax tree (for spans and wording) and the checked tree (for values): a
definition's body and its lowered IR are walked side by side. Constant conditions and
bounds are found by running the reference interpreter with every input, the as-of date
and every dated value treated as unknown, so a "constant" is only ever claimed soundly.

One module per role: rules (the catalogue), linter (reporting, rules on the syntax tree alone),
ir_rules (every rule that walks the IR), suppressions, entry (lint a text, lint paths).
"""

from guize.tools.lint.entry import counts, lint, lint_source
from guize.tools.lint.rules import EXPIRY_WARNING_DAYS, RULES, Rule

__all__ = ["EXPIRY_WARNING_DAYS", "RULES", "Rule", "counts", "lint", "lint_source"]
