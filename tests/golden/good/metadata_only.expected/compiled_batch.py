# Columnar evaluators of tests/golden/good/metadata_only.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 2bb1006c42d148d54925fd845f80db899eba9eda0721cf1a732cd8938ebf7b40
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ()


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {}
