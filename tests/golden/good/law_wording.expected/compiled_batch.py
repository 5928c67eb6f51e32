# Columnar evaluators of tests/golden/good/law_wording.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: e2b0475a49f63c3d1dcd9b8feed5c8c3566b28f3c174c6a0362b3307442c3481
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ()
K0 = _b.num('2000')
K1 = _b.num('35')
K2 = _b.num('0.80')
K3 = _b.num('60000')
K4 = _b.num('0')
K5 = _b.num('0.005')


def b_子女教育标准(c):
    """「子女教育标准」, line 12."""
    return K0


def b_租金标准(c):
    """「租金标准」, line 13."""
    return K1


def b_比例(c):
    """「比例」, line 14."""
    return K2


def b_起点(c):
    """「起点」, line 15."""
    return K3


def b_子女教育扣除(c):
    """「子女教育扣除」, line 17."""
    d_子女教育标准 = c.ref('子女教育标准')
    i_子女人数 = c.input('子女人数')
    x1 = c.mul(d_子女教育标准, i_子女人数)
    i_月数 = c.input('月数')
    x2 = c.mul(x1, i_月数)
    x3 = c.rnd(x2, -2, 'half_up', c.sink('子女教育扣除'))
    return x3


def b_租金(c):
    """「租金」, line 18."""
    d_租金标准 = c.ref('租金标准')
    i_面积 = c.input('面积')
    x1 = c.mul(d_租金标准, i_面积)
    x2 = c.rnd(x1, -2, 'half_up', c.sink('租金'))
    return x2


def b_应税(c):
    """「应税」, line 19."""
    i_所得 = c.input('所得')
    d_起点 = c.ref('起点')
    x1 = c.cmp('>', i_所得, d_起点)
    x2 = c.sub(i_所得, d_起点)
    d_比例 = c.ref('比例')
    x3 = c.mul(x2, d_比例)
    x4 = c.where(x1, x3, K4)
    x5 = c.rnd(x4, -2, 'half_up', c.sink('应税'))
    return x5


def b_零点五(c):
    """「零点五」, line 20."""
    return K5


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'子女教育标准': b_子女教育标准, '租金标准': b_租金标准, '比例': b_比例, '起点': b_起点, '子女教育扣除': b_子女教育扣除, '租金': b_租金,
        '应税': b_应税, '零点五': b_零点五}
