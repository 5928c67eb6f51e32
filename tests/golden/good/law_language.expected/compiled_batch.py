# Columnar evaluators of tests/golden/good/law_language.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: f6781a32b05502b9518320096e0e29f7488ae5ef6d9739e7ebbaab4b25b91ee1
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ('第1档', '第2档')
K0 = _b.num('1000')
K1 = _b.num('2000')
K2 = _b.num('300')
K3 = _b.num('100')
K4 = _b.num('0')
K5 = _b.num('960')


def b_第1档标准(c):
    """「第1档标准」, line 14."""
    return K0


def b_第2档标准(c):
    """「第2档标准」, line 15."""
    return K1


def b_培训补贴标准(c):
    """「培训补贴标准」, line 16."""
    return K2


def b_托育补贴(c):
    """「托育补贴」, line 18."""
    i_所在档 = c.input('所在档')
    x1 = c.cmpx('==', i_所在档, 0)
    d_第1档标准 = c.ref('第1档标准')
    i_3岁以下婴幼儿人数 = c.input('3岁以下婴幼儿人数')
    x2 = c.mul(d_第1档标准, i_3岁以下婴幼儿人数)
    x3 = c.cmpx('==', i_所在档, 1)
    d_第2档标准 = c.ref('第2档标准')
    x4 = c.mul(d_第2档标准, i_3岁以下婴幼儿人数)
    x5 = c.select(((x1, x2), (x3, x4), ), None)
    x6 = c.rnd(x5, -2, 'half_up', c.sink('托育补贴'))
    return x6


def b_培训补贴(c):
    """「培训补贴」, line 22."""
    d_培训补贴标准 = c.ref('培训补贴标准')
    i_培训量 = c.input('培训量')
    x1 = c.mul(d_培训补贴标准, i_培训量)
    x2 = c.cmp('>=', i_培训量, K3)
    x3 = c.where(x2, K0, K4)
    x4 = c.add(x1, x3)
    x5 = c.rnd(x4, -2, 'half_up', c.sink('培训补贴'))
    return x5


def b_实足年龄(c):
    """「实足年龄」, line 26."""
    i_出生日期 = c.input('出生日期')
    x1 = c.call('period_between', i_出生日期, c.asof())
    x2 = c.call('as_age', x1)
    return x2


def b_高龄补贴(c):
    """「高龄补贴」, line 27."""
    d_实足年龄 = c.ref('实足年龄')
    x1 = c.cmp('>=', d_实足年龄, K5)
    x2 = c.where(x1, K2, K4)
    x3 = c.rnd(x2, -2, 'half_up', c.sink('高龄补贴'))
    return x3


def b_利润(c):
    """「利润」, line 28."""
    i_收入 = c.input('收入')
    i_成本 = c.input('成本')
    x1 = c.sub(i_收入, i_成本)
    x2 = c.rnd(x1, -2, 'half_up', c.sink('利润'))
    return x2


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'第1档标准': b_第1档标准, '第2档标准': b_第2档标准, '培训补贴标准': b_培训补贴标准, '托育补贴': b_托育补贴, '培训补贴': b_培训补贴,
        '实足年龄': b_实足年龄, '高龄补贴': b_高龄补贴, '利润': b_利润}
