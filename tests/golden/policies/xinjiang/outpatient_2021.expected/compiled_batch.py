# Columnar evaluators of policies/xinjiang/outpatient_2021.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 4df9de6d4d143a7744e034e897513996e0a5a10bb863b28d07c1d4cedc74588d
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ()


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {}
