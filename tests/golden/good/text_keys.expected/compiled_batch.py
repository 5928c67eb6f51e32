# Columnar evaluators of tests/golden/good/text_keys.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 6f0d6cf6279aceec19d084b9ca3dc92a62d6b43102f9040e90c1ceaaf7f436ca
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b
from guize.runtime import batchlists as _l

FORMAT = '2'
FALLBACK = {}
ENUMS = ()
K0 = _b.num('100')
K1 = _b.num('960')
K2 = _b.num('0')


def b_高龄补贴标准(c):
    """「高龄补贴标准」, line 11."""
    return K0


def b_每人补贴(c):
    """「每人补贴」, line 13."""
    def fx1(c):  # each item of 各人
        x2 = c.cmp('>=', c.field('年龄'), K1)
        d_高龄补贴标准 = c.ref('高龄补贴标准')
        x3 = c.where(x2, d_高龄补贴标准, K2)
        x4 = c.rnd(x3, -2, 'half_up')
        return x4
    x5 = _l.each(c, '各人', fx1)
    return x5


def b_高龄人数(c):
    """「高龄人数」, line 14."""
    def fx1(c):  # each item of 各人
        x2 = c.cmp('>=', c.field('年龄'), K1)
        return x2
    x3 = _l.aggregate(c, 'count', '各人', fx1, None)
    return x3


def b_补贴合计(c):
    """「补贴合计」, line 15."""
    def fx1(c):  # each item of 各人
        return c.item('每人补贴')
    x2 = _l.aggregate(c, 'sum', '各人', None, fx1)
    x3 = c.rnd(x2, -2, 'half_up', c.sink('补贴合计'))
    return x3


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'高龄补贴标准': b_高龄补贴标准, '每人补贴': b_每人补贴, '高龄人数': b_高龄人数, '补贴合计': b_补贴合计}
