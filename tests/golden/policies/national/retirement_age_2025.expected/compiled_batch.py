# Columnar evaluators of policies/national/retirement_age_2025.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 95c32a4138f30d104972e863030f958681a9d78f7a2255cd1205ea46f7f07336
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b
from guize.runtime import batchym as _m

FORMAT = '2'
FALLBACK = {}
ENUMS = ('男职工', '原法定退休年龄五十五周岁的女职工', '原法定退休年龄五十周岁的女职工')
K0 = _b.Table(['720', '660', '600'], None, 'num')  # 按 人员类别
K1 = _b.Table(['-60', '0', '60'], None, 'num')  # 按 人员类别
K2 = _b.Table(['4', '4', '2'], None, 'num')  # 按 人员类别
K3 = _b.Table(['756', '696', '660'], None, 'num')  # 按 人员类别
K4 = _b.num('1')
K5 = _b.num('0')
K6 = _b.num('180')
K7 = _b.num('2029')
K8 = _b.num('6')
K9 = _b.num('240')
K10 = _b.num('36')


def b_原法定退休年龄(c):
    """「原法定退休年龄」, line 17."""
    i_人员类别 = c.input('人员类别')
    x1 = c.table(i_人员类别, K0)
    x2 = c.call('as_age', x1)
    return x2


def bm_延迟起始出生年月(c):
    """「延迟起始出生年月」 as month indices, line 22."""
    i_人员类别 = c.input('人员类别')
    x1 = c.table(i_人员类别, K1)
    return x1


def b_延迟起始出生年月(c):
    """「延迟起始出生年月」, line 22: the first days of its months."""
    return _m.days(c, c.ref('延迟起始出生年月#月'))


def b_每延迟一个月所需月数(c):
    """「每延迟一个月所需月数」, line 27."""
    i_人员类别 = c.input('人员类别')
    x1 = c.table(i_人员类别, K2)
    x2 = c.call('as_period', x1)
    return x2


def b_目标年龄(c):
    """「目标年龄」, line 32."""
    i_人员类别 = c.input('人员类别')
    x1 = c.table(i_人员类别, K3)
    x2 = c.call('as_age', x1)
    return x2


def bm_出生年月(c):
    """「出生年月」 as month indices, line 37."""
    i_出生日期 = c.input('出生日期')
    x1 = _m.index(c, i_出生日期)
    return x1


def b_出生年月(c):
    """「出生年月」, line 37: the first days of its months."""
    return _m.days(c, c.ref('出生年月#月'))


def b_改革后第几个出生月(c):
    """「改革后第几个出生月」, line 38."""
    m_出生年月 = c.ref('出生年月#月')
    m_延迟起始出生年月 = c.ref('延迟起始出生年月#月')
    x1 = c.sub(m_出生年月, m_延迟起始出生年月)
    x2 = c.add(x1, K4)
    x3 = c.call('as_period', x2)
    return x3


def b_最多延迟月数(c):
    """「最多延迟月数」, line 39."""
    d_目标年龄 = c.ref('目标年龄')
    d_原法定退休年龄 = c.ref('原法定退休年龄')
    x1 = c.sub(d_目标年龄, d_原法定退休年龄)
    x2 = c.rdiv(x1, K4, 0, 'floor')
    return x2


def b_延迟月数(c):
    """「延迟月数」, line 41."""
    d_改革后第几个出生月 = c.ref('改革后第几个出生月')
    d_每延迟一个月所需月数 = c.ref('每延迟一个月所需月数')
    x1 = c.rdiv(d_改革后第几个出生月, d_每延迟一个月所需月数, 0, 'ceil')
    x2 = c.max_(x1, K5)
    d_最多延迟月数 = c.ref('最多延迟月数')
    x3 = c.min_(x2, d_最多延迟月数)
    return x3


def b_改革后法定退休年龄(c):
    """「改革后法定退休年龄」, line 45."""
    d_原法定退休年龄 = c.ref('原法定退休年龄')
    d_延迟月数 = c.ref('延迟月数')
    x1 = c.mul(d_延迟月数, K4)
    x2 = c.add(d_原法定退休年龄, x1)
    x3 = c.call('as_age', x2)
    return x3


def bm_退休年月(c):
    """「退休年月」 as month indices, line 46."""
    m_出生年月 = c.ref('出生年月#月')
    d_改革后法定退休年龄 = c.ref('改革后法定退休年龄')
    x1 = _m.add(c, m_出生年月, d_改革后法定退休年龄)
    return x1


def b_退休年月(c):
    """「退休年月」, line 46: the first days of its months."""
    return _m.days(c, c.ref('退休年月#月'))


def b_最低缴费年限起始(c):
    """「最低缴费年限起始」, line 48."""
    return K6


def b_提高年数(c):
    """「提高年数」, line 49."""
    m_退休年月 = c.ref('退休年月#月')
    x1 = _m.year(c, m_退休年月)
    x2 = c.sub(x1, K7)
    x3 = c.max_(x2, K5)
    return x3


def b_最低缴费年限(c):
    """「最低缴费年限」, line 50."""
    d_最低缴费年限起始 = c.ref('最低缴费年限起始')
    d_提高年数 = c.ref('提高年数')
    x1 = c.mul(d_提高年数, K8)
    x2 = c.add(d_最低缴费年限起始, x1)
    x3 = c.min_(x2, K9)
    x4 = c.call('as_period', x3)
    return x4


def bm_最早弹性退休年月(c):
    """「最早弹性退休年月」 as month indices, line 52."""
    m_退休年月 = c.ref('退休年月#月')
    x1 = c.neg(K10)
    x2 = _m.add(c, m_退休年月, x1)
    m_出生年月 = c.ref('出生年月#月')
    d_原法定退休年龄 = c.ref('原法定退休年龄')
    x3 = _m.add(c, m_出生年月, d_原法定退休年龄)
    x4 = c.cmp('<', x2, x3)
    x5 = _m.add(c, m_出生年月, d_原法定退休年龄)
    x6 = c.neg(K10)
    x7 = _m.add(c, m_退休年月, x6)
    x8 = c.where(x4, x5, x7)
    return x8


def b_最早弹性退休年月(c):
    """「最早弹性退休年月」, line 52: the first days of its months."""
    return _m.days(c, c.ref('最早弹性退休年月#月'))


def bm_最晚弹性退休年月(c):
    """「最晚弹性退休年月」 as month indices, line 56."""
    m_退休年月 = c.ref('退休年月#月')
    x1 = _m.add(c, m_退休年月, K10)
    return x1


def b_最晚弹性退休年月(c):
    """「最晚弹性退休年月」, line 56: the first days of its months."""
    return _m.days(c, c.ref('最晚弹性退休年月#月'))


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'原法定退休年龄': b_原法定退休年龄, '延迟起始出生年月#月': bm_延迟起始出生年月, '延迟起始出生年月': b_延迟起始出生年月, '每延迟一个月所需月数':
        b_每延迟一个月所需月数, '目标年龄': b_目标年龄, '出生年月#月': bm_出生年月, '出生年月': b_出生年月, '改革后第几个出生月': b_改革后第几个出生月,
        '最多延迟月数': b_最多延迟月数, '延迟月数': b_延迟月数, '改革后法定退休年龄': b_改革后法定退休年龄, '退休年月#月': bm_退休年月, '退休年月':
        b_退休年月, '最低缴费年限起始': b_最低缴费年限起始, '提高年数': b_提高年数, '最低缴费年限': b_最低缴费年限, '最早弹性退休年月#月':
        bm_最早弹性退休年月, '最早弹性退休年月': b_最早弹性退休年月, '最晚弹性退休年月#月': bm_最晚弹性退休年月, '最晚弹性退休年月': b_最晚弹性退休年月}
