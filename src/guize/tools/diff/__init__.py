"""Compare two versions of a corpus: document metadata, parameters and tables, and behaviour.

The behavioural comparison evaluates both versions of every output whose rules changed on
inputs and dates chosen from the constants of both versions (band bounds ± one step, caps,
compared constants, every enum member, both booleans, version and validity dates) and
groups the differences into date ranges and input regions with concrete examples.

One module per role: versions (loading and pairing), walk (every walk over the checked tree),
texts (inputs and date ranges as text), structure (metadata, inputs, definitions, examples), design
(candidates and input rows), behaviour (one output), compare (the report), render (Markdown, text).
"""

from guize.tools.diff.compare import DEFAULT_BUDGET, diff, run
from guize.tools.diff.design import outcome, outcome_key
from guize.tools.diff.render import render_markdown, render_text
from guize.tools.diff.versions import DiffTrouble, DiffUsageError, resolve

__all__ = ["DEFAULT_BUDGET", "DiffTrouble", "DiffUsageError", "diff", "outcome", "outcome_key", "render_markdown",
           "render_text", "resolve", "run"]
