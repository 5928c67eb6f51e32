# Columnar evaluators of policies/national/subsistence_allowance_2014.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: c5dfc2244e9058ad9315bbe15a9aecb333974b6b5ff95d5250fe7baa6a1ad3ae
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b
from guize.runtime import batchlists as _l
from guize.runtime import batchratio as _r

FORMAT = '2'
FALLBACK = {}
ENUMS = ()
K0 = _b.num('0')
K1 = _b.num('720')
K2 = _b.num('216')


def b_家庭月收入(c):
    """「家庭月收入」, line 25."""
    def fx1(c):  # each item of 共同生活的家庭成员
        return c.field('月收入')
    x2 = _l.aggregate(c, 'sum', '共同生活的家庭成员', None, fx1)
    return x2


def b_家庭人口(c):
    """「家庭人口」, line 26."""
    x1 = _l.aggregate(c, 'count', '共同生活的家庭成员', None, None)
    return x1


def b_人均月收入(c):
    """「人均月收入」, line 27."""
    d_家庭月收入 = c.ref('家庭月收入')
    d_家庭人口 = c.ref('家庭人口')
    x1 = _r.div(c, d_家庭月收入, d_家庭人口)
    x2 = _r.shared(x1)
    return x2


def b_符合低保条件(c):
    """「符合低保条件」, line 29."""
    d_家庭人口 = c.ref('家庭人口')
    x1 = c.cmp('>', d_家庭人口, K0)
    d_人均月收入 = c.ref('人均月收入')
    i_当地最低生活保障标准 = c.input('当地最低生活保障标准')
    x2 = _r.cmp(c, '<', d_人均月收入, i_当地最低生活保障标准, x1)
    x3 = c.and_(x1, x2)
    i_财产状况符合当地规定 = c.input('财产状况符合当地规定')
    x4 = c.and_(x3, i_财产状况符合当地规定)
    return x4


def b_月低保金(c):
    """「月低保金」, line 31."""
    d_符合低保条件 = c.ref('符合低保条件')
    i_当地最低生活保障标准 = c.input('当地最低生活保障标准')
    d_人均月收入 = c.ref('人均月收入')
    x1 = _r.sub(c, i_当地最低生活保障标准, d_人均月收入)
    d_家庭人口 = c.ref('家庭人口')
    x2 = _r.mul(c, x1, d_家庭人口)
    x3 = _r.rnd(c, x2, -2, 'half_up', d_符合低保条件)
    x4 = c.rnd(K0, -2, 'half_up')
    x5 = c.where(d_符合低保条件, x3, x4)
    return x5


def b_重点保障对象(c):
    """「重点保障对象」, line 36."""
    def fx1(c):  # each item of 共同生活的家庭成员
        d_符合低保条件 = c.ref('符合低保条件')
        x2 = c.cmp('>=', c.field('年龄'), K1)
        x3 = c.cmp('<', c.field('年龄'), K2)
        x4 = c.or_(x2, x3)
        x5 = c.or_(x4, c.field('重度残疾'))
        x6 = c.or_(x5, c.field('重病'))
        x7 = c.and_(d_符合低保条件, x6)
        return x7
    x8 = _l.each(c, '共同生活的家庭成员', fx1)
    return x8


def b_重点保障人数(c):
    """「重点保障人数」, line 38."""
    def fx1(c):  # each item of 共同生活的家庭成员
        return c.item('重点保障对象')
    x2 = _l.aggregate(c, 'count', '共同生活的家庭成员', fx1, None)
    return x2


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'家庭月收入': b_家庭月收入, '家庭人口': b_家庭人口, '人均月收入': b_人均月收入, '符合低保条件': b_符合低保条件, '月低保金': b_月低保金,
        '重点保障对象': b_重点保障对象, '重点保障人数': b_重点保障人数}
