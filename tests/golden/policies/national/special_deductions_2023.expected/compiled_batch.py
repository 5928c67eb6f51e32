# Columnar evaluators of policies/national/special_deductions_2023.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: a15be6e9067f604f7bf6eee928f2ed029213b2d8d366704ba0aeb0fc61d81190
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ('独生子女', '非独生子女')
K0 = _b.Table(['1000', '2000'], None, 'num')  # 子女教育每月标准的各版本
K1 = _b.Table(['2000', '3000'], None, 'num')  # 赡养老人每月标准的各版本
K2 = _b.Table(['1000', '1500'], None, 'num')  # 非独生子女每月分摊上限的各版本
K3 = _b.num('0')
K4 = _b.Table(['0', '1000', '2000'], None, 'num')  # 婴幼儿照护每月标准的各版本


def b_子女教育每月标准(c):
    """「子女教育每月标准」, line 23."""
    x1 = c.dated_table(0, K0)
    return x1


def b_赡养老人每月标准(c):
    """「赡养老人每月标准」, line 24."""
    x1 = c.dated_table(1, K1)
    return x1


def b_非独生子女每月分摊上限(c):
    """「非独生子女每月分摊上限」, line 25."""
    x1 = c.dated_table(2, K2)
    return x1


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
    x6 = c.where(x1, K3, x5)
    x7 = c.rnd(x6, -2, 'half_up', c.sink('赡养老人每月扣除'))
    return x7


def b_婴幼儿照护每月标准(c):
    """「婴幼儿照护每月标准」, line 18."""
    x1 = c.dated_table(3, K4)
    return x1


def b_婴幼儿照护每月扣除(c):
    """「婴幼儿照护每月扣除」, line 21."""
    def v4_0():  # 自2019年1月1日起
        return K3
    def v4_1():  # 自2022年1月1日起（国发〔2022〕8号）
        i_三岁以下婴幼儿人数 = c.input('三岁以下婴幼儿人数')
        d_婴幼儿照护每月标准 = c.ref('婴幼儿照护每月标准')
        x1 = c.mul(i_三岁以下婴幼儿人数, d_婴幼儿照护每月标准)
        i_本人扣除比例 = c.input('本人扣除比例')
        x2 = c.mul(x1, i_本人扣除比例)
        return x2
    x3 = c.dated(4, (v4_0, v4_1,))
    x4 = c.rnd(x3, -2, 'half_up', c.sink('婴幼儿照护每月扣除'))
    return x4


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'子女教育每月标准': b_子女教育每月标准, '赡养老人每月标准': b_赡养老人每月标准, '非独生子女每月分摊上限': b_非独生子女每月分摊上限, '子女教育每月扣除':
        b_子女教育每月扣除, '赡养老人每月扣除': b_赡养老人每月扣除, '婴幼儿照护每月标准': b_婴幼儿照护每月标准, '婴幼儿照护每月扣除': b_婴幼儿照护每月扣除}
