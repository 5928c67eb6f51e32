# Columnar evaluators of tests/golden/good/lists.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: a8b1fd0528c4c0ed32aad0ceae526bfa64122813e25d1e75572d8cf696e4d947
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b
from guize.runtime import batchlists as _l

FORMAT = '2'
FALLBACK = {'此前补助': '逐项计算引用自身此前各项（累计(…，至 上月)）逐行计算'}
ENUMS = ()
K0 = _b.num('800')
K1 = _b.num('216')
K2 = _b.num('0')
K3 = _b.num('100')


def b_保障标准(c):
    """「保障标准」, line 11."""
    return K0


def b_家庭收入(c):
    """「家庭收入」, line 13."""
    def fx1(c):  # each item of 成员
        return c.field('月收入')
    x2 = _l.aggregate(c, 'sum', '成员', None, fx1)
    return x2


def b_家庭人口(c):
    """「家庭人口」, line 14."""
    x1 = _l.aggregate(c, 'count', '成员', None, None)
    return x1


def b_未成年人数(c):
    """「未成年人数」, line 15."""
    def fx1(c):  # each item of 成员
        x2 = c.cmp('<', c.field('年龄'), K1)
        return x2
    x3 = _l.aggregate(c, 'count', '成员', fx1, None)
    return x3


def b_有在校生(c):
    """「有在校生」, line 16."""
    def fx1(c):  # each item of 成员
        return c.field('在校')
    x2 = _l.aggregate(c, 'any', '成员', None, fx1)
    return x2


def b_成年人都有收入(c):
    """「成年人都有收入」, line 17."""
    def fx1(c):  # each item of 成员
        x2 = c.cmp('>=', c.field('年龄'), K1)
        return x2
    def fx3(c):  # each item of 成员
        x4 = c.cmp('>', c.field('月收入'), K2)
        return x4
    x5 = _l.aggregate(c, 'all', '成员', fx1, fx3)
    return x5


def b_最高收入(c):
    """「最高收入」, line 18."""
    def fx1(c):  # each item of 成员
        return c.field('月收入')
    x2 = _l.aggregate(c, 'max', '成员', None, fx1)
    x3 = c.rnd(x2, -2, 'half_up', c.sink('最高收入'))
    return x3


def b_成年平均收入(c):
    """「成年平均收入」, line 19."""
    def fx1(c):  # each item of 成员
        x2 = c.cmp('>=', c.field('年龄'), K1)
        return x2
    def fx3(c):  # each item of 成员
        return c.field('月收入')
    x4 = _l.mean(c, '成员', fx1, fx3)
    x5 = c.rdiv(x4[0], x4[1], -2, 'half_up')
    return x5


def b_补差(c):
    """「补差」, line 20."""
    d_保障标准 = c.ref('保障标准')
    d_家庭人口 = c.ref('家庭人口')
    x1 = c.mul(d_保障标准, d_家庭人口)
    d_家庭收入 = c.ref('家庭收入')
    x2 = c.sub(x1, d_家庭收入)
    x3 = c.max_(x2, K2)
    x4 = c.rnd(x3, -2, 'half_up', c.sink('补差'))
    return x4


def b_每人补助(c):
    """「每人补助」, line 21."""
    def fx1(c):  # each item of 成员
        x2 = c.cmp('<', c.field('年龄'), K1)
        x3 = c.or_(x2, c.field('在校'))
        x4 = c.where(x3, K3, K2)
        x5 = c.rnd(x4, -2, 'half_up')
        return x5
    x6 = _l.each(c, '成员', fx1)
    return x6


def b_累计补助(c):
    """「累计补助」, line 22."""
    def fx1(c):  # each item of 成员
        x2 = _l.running(c, c.item('每人补助'), True)
        x3 = c.rnd(x2, -2, 'half_up')
        return x3
    x4 = _l.each(c, '成员', fx1)
    return x4


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'保障标准': b_保障标准, '家庭收入': b_家庭收入, '家庭人口': b_家庭人口, '未成年人数': b_未成年人数, '有在校生': b_有在校生, '成年人都有收入':
        b_成年人都有收入, '最高收入': b_最高收入, '成年平均收入': b_成年平均收入, '补差': b_补差, '每人补助': b_每人补助, '累计补助': b_累计补助}
