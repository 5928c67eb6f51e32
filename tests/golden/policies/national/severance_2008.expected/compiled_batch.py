# Columnar evaluators of policies/national/severance_2008.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: a65dd9bea425fdef11b1246be57553ca8d9f62c67b442fca098871a3112e9504
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ()
K0 = 13879  # 2008-01-01
K1 = _b.num('3')
K2 = _b.num('12')
K3 = _b.num('1')
K4 = _b.num('0')
K5 = _b.num('6')
K6 = _b.num('0.5')


def b_本法施行日(c):
    """「本法施行日」, line 30."""
    return K0


def b_封顶倍数(c):
    """「封顶倍数」, line 31."""
    return K1


def b_封顶年数(c):
    """「封顶年数」, line 32."""
    return K2


def b_起算日期(c):
    """「起算日期」, line 34."""
    i_入职日期 = c.input('入职日期')
    d_本法施行日 = c.ref('本法施行日')
    x1 = c.cmpx('<', i_入职日期, d_本法施行日)
    x2 = c.where(x1, d_本法施行日, i_入职日期)
    return x2


def b_工作年限(c):
    """「工作年限」, line 38."""
    d_起算日期 = c.ref('起算日期')
    i_离职日期 = c.input('离职日期')
    x1 = c.call('add_days', i_离职日期, K3)
    x2 = c.call('period_between', d_起算日期, x1)
    x3 = c.max_(x2, K4)
    x4 = c.call('as_period', x3)
    return x4


def b_满年数(c):
    """「满年数」, line 39."""
    d_工作年限 = c.ref('工作年限')
    x1 = c.rdiv(d_工作年限, K2, 0, 'floor')
    return x1


def b_不满一年部分(c):
    """「不满一年部分」, line 40."""
    d_工作年限 = c.ref('工作年限')
    d_满年数 = c.ref('满年数')
    x1 = c.mul(d_满年数, K2)
    x2 = c.sub(d_工作年限, x1)
    x3 = c.call('as_period', x2)
    return x3


def b_有不足一个月的零头(c):
    """「有不足一个月的零头」, line 41."""
    d_起算日期 = c.ref('起算日期')
    d_工作年限 = c.ref('工作年限')
    x1 = c.call('add_months', d_起算日期, d_工作年限)
    i_离职日期 = c.input('离职日期')
    x2 = c.call('add_days', i_离职日期, K3)
    x3 = c.cmpx('<', x1, x2)
    return x3


def b_不满一年部分折算月数(c):
    """「不满一年部分折算月数」, line 43."""
    d_不满一年部分 = c.ref('不满一年部分')
    x1 = c.cmp('>=', d_不满一年部分, K5)
    x2 = c.cmp('>', d_不满一年部分, K4)
    d_有不足一个月的零头 = c.ref('有不足一个月的零头')
    x3 = c.or_(x2, d_有不足一个月的零头)
    x4 = c.select(((x1, K3), (x3, K6), ), K4)
    return x4


def b_高收入(c):
    """「高收入」, line 48."""
    i_月工资 = c.input('月工资')
    i_当地上年度职工月平均工资 = c.input('当地上年度职工月平均工资')
    d_封顶倍数 = c.ref('封顶倍数')
    x1 = c.mul(i_当地上年度职工月平均工资, d_封顶倍数)
    x2 = c.cmp('>', i_月工资, x1)
    return x2


def b_计发基数(c):
    """「计发基数」, line 50."""
    d_高收入 = c.ref('高收入')
    i_当地上年度职工月平均工资 = c.input('当地上年度职工月平均工资')
    d_封顶倍数 = c.ref('封顶倍数')
    x1 = c.mul(i_当地上年度职工月平均工资, d_封顶倍数)
    i_月工资 = c.input('月工资')
    x2 = c.where(d_高收入, x1, i_月工资)
    return x2


def b_经济补偿月数(c):
    """「经济补偿月数」, line 54."""
    d_高收入 = c.ref('高收入')
    d_满年数 = c.ref('满年数')
    d_不满一年部分折算月数 = c.ref('不满一年部分折算月数')
    x1 = c.add(d_满年数, d_不满一年部分折算月数)
    d_封顶年数 = c.ref('封顶年数')
    x2 = c.min_(x1, d_封顶年数)
    x3 = c.add(d_满年数, d_不满一年部分折算月数)
    x4 = c.where(d_高收入, x2, x3)
    return x4


def b_经济补偿(c):
    """「经济补偿」, line 58."""
    d_经济补偿月数 = c.ref('经济补偿月数')
    d_计发基数 = c.ref('计发基数')
    x1 = c.mul(d_经济补偿月数, d_计发基数)
    x2 = c.rnd(x1, -2, 'half_up', c.sink('经济补偿'))
    return x2


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'本法施行日': b_本法施行日, '封顶倍数': b_封顶倍数, '封顶年数': b_封顶年数, '起算日期': b_起算日期, '工作年限': b_工作年限, '满年数':
        b_满年数, '不满一年部分': b_不满一年部分, '有不足一个月的零头': b_有不足一个月的零头, '不满一年部分折算月数': b_不满一年部分折算月数, '高收入':
        b_高收入, '计发基数': b_计发基数, '经济补偿月数': b_经济补偿月数, '经济补偿': b_经济补偿}
