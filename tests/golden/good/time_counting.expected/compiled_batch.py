# Columnar evaluators of tests/golden/good/time_counting.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 6c3bebc8842d11d8b6a3a75728d0245c304d83710eb379bbf5f4d618ca420efd
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b
from guize.runtime import batchym as _m

FORMAT = '2'
FALLBACK = {}
ENUMS = ()
K0 = _b.num('12')
K1 = _b.num('6')
K2 = _b.num('1')
K3 = _b.num('0')
K4 = _b.num('0.5')
K5 = _b.num('721')
K6 = _b.num('18')
K7 = _b.Table(['0', '5', '10', '15'], None, 'num')  # 按 累计工作时间 分段
K8 = _b.Table(['0.5', '1', '0'], None, 'num')  # 按 工作年限 分段


def b_工作年限(c):
    """「工作年限」, line 12."""
    i_入职日期 = c.input('入职日期')
    i_离职日期 = c.input('离职日期')
    x1 = c.call('period_between', i_入职日期, i_离职日期)
    x2 = c.call('as_period', x1)
    return x2


def b_满年数(c):
    """「满年数」, line 13."""
    d_工作年限 = c.ref('工作年限')
    x1 = c.rdiv(d_工作年限, K0, 0, 'floor')
    return x1


def b_零头(c):
    """「零头」, line 14."""
    d_工作年限 = c.ref('工作年限')
    d_满年数 = c.ref('满年数')
    x1 = c.mul(d_满年数, K0)
    x2 = c.sub(d_工作年限, x1)
    x3 = c.call('as_period', x2)
    return x3


def b_折算月数(c):
    """「折算月数」, line 15."""
    d_零头 = c.ref('零头')
    x1 = c.cmp('>=', d_零头, K1)
    d_满年数 = c.ref('满年数')
    x2 = c.add(d_满年数, K2)
    x3 = c.cmp('>', d_零头, K3)
    x4 = c.add(d_满年数, K4)
    x5 = c.select(((x1, x2), (x3, x4), ), d_满年数)
    return x5


def b_年限(c):
    """「年限」, line 19."""
    d_工作年限 = c.ref('工作年限')
    x1 = c.call('as_period', d_工作年限)
    return x1


def b_不满一年按一年(c):
    """「不满一年按一年」, line 20."""
    d_零头 = c.ref('零头')
    x1 = c.rdiv(d_零头, K0, 0, 'ceil')
    x2 = c.mul(x1, K0)
    x3 = c.call('as_period', x2)
    return x3


def b_周岁数(c):
    """「周岁数」, line 21."""
    i_出生日期 = c.input('出生日期')
    x1 = c.call('full_years', i_出生日期, c.asof())
    x2 = c.call('as_age', x1)
    return x2


def b_精确年龄(c):
    """「精确年龄」, line 22."""
    i_出生日期 = c.input('出生日期')
    x1 = c.call('period_between', i_出生日期, c.asof())
    x2 = c.call('as_age', x1)
    return x2


def bm_退休年月(c):
    """「退休年月」 as month indices, line 23."""
    i_出生日期 = c.input('出生日期')
    x1 = _m.index(c, i_出生日期)
    x2 = _m.add(c, x1, K5)
    return x2


def b_退休年月(c):
    """「退休年月」, line 23: the first days of its months."""
    return _m.days(c, c.ref('退休年月#月'))


def b_到期日(c):
    """「到期日」, line 24."""
    i_入职日期 = c.input('入职日期')
    x1 = c.call('add_months', i_入职日期, K6)
    return x1


def b_年休假(c):
    """「年休假」, line 25."""
    i_累计工作时间 = c.input('累计工作时间')
    x1 = c.banded(i_累计工作时间, (('12', True), ('120', True), ('240', True)), K7)
    return x1


def b_档次(c):
    """「档次」, line 30."""
    d_工作年限 = c.ref('工作年限')
    x1 = c.banded(d_工作年限, (('6', True), ('12', True)), K8)
    return x1


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'工作年限': b_工作年限, '满年数': b_满年数, '零头': b_零头, '折算月数': b_折算月数, '年限': b_年限, '不满一年按一年': b_不满一年按一年,
        '周岁数': b_周岁数, '精确年龄': b_精确年龄, '退休年月#月': bm_退休年月, '退休年月': b_退休年月, '到期日': b_到期日, '年休假': b_年休假,
        '档次': b_档次}
