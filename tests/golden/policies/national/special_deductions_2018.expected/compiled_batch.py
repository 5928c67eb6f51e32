# Columnar evaluators of policies/national/special_deductions_2018.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: abf93274d04eda6841a04a27b38179d98a94224dc4d2c41ffbd19b5bb92a7998
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ('独生子女', '非独生子女')
K0 = _b.num('1000')
K1 = _b.num('2000')
K2 = _b.num('0')


def b_子女教育每月标准(c):
    """「子女教育每月标准」, line 23."""
    return K0


def b_赡养老人每月标准(c):
    """「赡养老人每月标准」, line 24."""
    return K1


def b_非独生子女每月分摊上限(c):
    """「非独生子女每月分摊上限」, line 25."""
    return K0


def b_子女教育每月扣除(c):
    """「子女教育每月扣除」, line 27."""
    i_受教育子女人数 = c.input('受教育子女人数')
    d_子女教育每月标准 = c.ref('子女教育每月标准')
    x1 = c.mul(i_受教育子女人数, d_子女教育每月标准)
    i_本人扣除比例 = c.input('本人扣除比例')
    x2 = c.mul(x1, i_本人扣除比例)
    x3 = c.rnd(x2, -2, 'half_up', c.sink('子女教育每月扣除'))
    return x3


def b_赡养老人每月扣除(c):
    """「赡养老人每月扣除」, line 29."""
    i_是否赡养老人 = c.input('是否赡养老人')
    x1 = c.not_(i_是否赡养老人)
    i_赡养身份 = c.input('赡养身份')
    x2 = c.cmpx('==', i_赡养身份, 0)
    d_赡养老人每月标准 = c.ref('赡养老人每月标准')
    x3 = c.cmpx('==', i_赡养身份, 1)
    i_约定分摊额 = c.input('约定分摊额')
    d_非独生子女每月分摊上限 = c.ref('非独生子女每月分摊上限')
    x4 = c.min_(i_约定分摊额, d_非独生子女每月分摊上限)
    x5 = c.select(((x2, d_赡养老人每月标准), (x3, x4), ), None)
    x6 = c.where(x1, K2, x5)
    x7 = c.rnd(x6, -2, 'half_up', c.sink('赡养老人每月扣除'))
    return x7


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'子女教育每月标准': b_子女教育每月标准, '赡养老人每月标准': b_赡养老人每月标准, '非独生子女每月分摊上限': b_非独生子女每月分摊上限, '子女教育每月扣除':
        b_子女教育每月扣除, '赡养老人每月扣除': b_赡养老人每月扣除}
