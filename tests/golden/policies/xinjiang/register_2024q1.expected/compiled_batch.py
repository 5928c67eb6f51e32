# Columnar evaluators of policies/xinjiang/register_2024q1.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 98ffb7adab5343b66e8cf587044745775bc6575750933e9da564d6f9350e23db
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ()


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {}
