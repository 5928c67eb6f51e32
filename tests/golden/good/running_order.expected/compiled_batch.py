# Columnar evaluators of tests/golden/good/running_order.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 4ab8bbb6e0eb6043d0aa48a3f56e6307f1f1bfe71af44410b2b85f7cc8a00339
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b
from guize.runtime import batchlists as _l

FORMAT = '2'
FALLBACK = {}
ENUMS = ()


def b_累计收入(c):
    """「累计收入」, line 18."""
    def fx1(c):  # each item of 各月
        x2 = _l.running(c, c.field('收入'), True)
        x3 = c.rnd(x2, -2, 'half_up')
        return x3
    x4 = _l.each(c, '各月', fx1)
    return x4


def b_家庭收入(c):
    """「家庭收入」, line 19."""
    def fx1(c):  # each item of 成员
        return c.field('月收入')
    x2 = _l.aggregate(c, 'sum', '成员', None, fx1)
    x3 = c.rnd(x2, -2, 'half_up', c.sink('家庭收入'))
    return x3


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'累计收入': b_累计收入, '家庭收入': b_家庭收入}
