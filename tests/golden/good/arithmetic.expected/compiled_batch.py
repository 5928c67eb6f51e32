# Columnar evaluators of tests/golden/good/arithmetic.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 756fc498188154171896ff74cabcd9999abd3bc607230c608e8f5cabb560c774
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ()
K0 = _b.num('0.20')
K1 = _b.num('0.05')
K2 = _b.num('50')
K3 = _b.num('1')
K4 = _b.num('0.50')
K5 = _b.num('20000000')
K6 = _b.num('0.80')
K7 = _b.num('0')
K8 = _b.num('0.0000123')


def b_上浮比例(c):
    """「上浮比例」, line 12."""
    return K0


def b_倾斜(c):
    """「倾斜」, line 13."""
    return K1


def b_每名额职工数(c):
    """「每名额职工数」, line 14."""
    return K2


def b_利率上限(c):
    """「利率上限」, line 15."""
    i_报价利率 = c.input('报价利率')
    d_上浮比例 = c.ref('上浮比例')
    x1 = c.add(K3, d_上浮比例)
    x2 = c.mul(i_报价利率, x1)
    return x2


def b_计息利率(c):
    """「计息利率」, line 16."""
    i_实际利率 = c.input('实际利率')
    d_利率上限 = c.ref('利率上限')
    x1 = c.min_(i_实际利率, d_利率上限)
    return x1


def b_贴息(c):
    """「贴息」, line 17."""
    i_本金 = c.input('本金')
    d_计息利率 = c.ref('计息利率')
    x1 = c.mul(i_本金, d_计息利率)
    x2 = c.mul(x1, K4)
    x3 = c.min_(x2, K5)
    x4 = c.rnd(x3, -2, 'half_up', c.sink('贴息'))
    return x4


def b_比例(c):
    """「比例」, line 18."""
    i_退休 = c.input('退休')
    d_倾斜 = c.ref('倾斜')
    x1 = c.where(i_退休, d_倾斜, K7)
    x2 = c.add(K6, x1, c.sink('比例'))
    return x2


def b_名额(c):
    """「名额」, line 19."""
    i_职工人数 = c.input('职工人数')
    d_每名额职工数 = c.ref('每名额职工数')
    x1 = c.rdiv(i_职工人数, d_每名额职工数, 0, 'floor')
    return x1


def b_取整到元(c):
    """「取整到元」, line 20."""
    i_本金 = c.input('本金')
    x1 = c.mul(i_本金, K8)
    x2 = c.rnd(x1, 0, 'half_up', c.sink('取整到元'))
    return x2


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'上浮比例': b_上浮比例, '倾斜': b_倾斜, '每名额职工数': b_每名额职工数, '利率上限': b_利率上限, '计息利率': b_计息利率, '贴息': b_贴息,
        '比例': b_比例, '名额': b_名额, '取整到元': b_取整到元}
