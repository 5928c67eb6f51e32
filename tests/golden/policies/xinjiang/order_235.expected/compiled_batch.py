# Columnar evaluators of policies/xinjiang/order_235.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 105fa4e8a3a164eaea6e3d7e01388170be73a9dcf51500b21d3524e5d530e283
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ()


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {}
