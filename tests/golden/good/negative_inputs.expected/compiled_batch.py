# Columnar evaluators of tests/golden/good/negative_inputs.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: cf668f826a6e0f5fe299d6c06f8474562c706549e5a2255aacf76fc5e4558e2e
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ()
K0 = _b.num('0')


def b_应纳税所得额(c):
    """「应纳税所得额」, line 7."""
    i_本年利润 = c.input('本年利润')
    i_以前年度亏损 = c.input('以前年度亏损')
    x1 = c.sub(i_本年利润, i_以前年度亏损)
    x2 = c.max_(x1, K0)
    x3 = c.rnd(x2, -2, 'half_up', c.sink('应纳税所得额'))
    return x3


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'应纳税所得额': b_应纳税所得额}
