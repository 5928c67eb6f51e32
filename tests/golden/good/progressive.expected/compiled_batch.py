# Columnar evaluators of tests/golden/good/progressive.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: f442071e1b6da95ffdc73f6cd2ee34cf05c67bfcbc31a905ad452e06e625e4e6
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {'分期税额': '累进税率表按日期或公式变化，逐行计算'}
ENUMS = ()
K0 = _b.Table(['1', '2', '3'], None, 'num')  # 按 所得 分段
K1 = _b.num('0')
K2 = _b.num('36000')
K3 = _b.num('0.03')
K4 = _b.num('108000')
K5 = _b.num('0.10')
K6 = _b.num('144000')
K7 = _b.num('0.20')
K8 = _b.num('0.05')


def b_档次(c):
    """「档次」, line 28."""
    i_所得 = c.input('所得')
    x1 = c.banded(i_所得, (('36000', False), ('144000', False)), K0)
    return x1


def b_税额(c):
    """「税额」, line 33."""
    i_所得 = c.input('所得')
    x1 = c.max_(c.sub(i_所得, K1), K1)
    x2 = c.min_(x1, K2)
    x3 = c.mul(x2, K3)
    x4 = c.max_(c.sub(i_所得, K2), K1)
    x5 = c.min_(x4, K4)
    x6 = c.mul(x5, K5)
    x7 = c.add(x3, x6)
    x8 = c.max_(c.sub(i_所得, K6), K1)
    x9 = c.mul(x8, K7)
    x10 = c.add(x7, x9)
    x11 = c.rnd(x10, -2, 'half_up', c.sink('税额'))
    return x11


def b_税率(c):
    """「税率」, line 34."""
    i_所得 = c.input('所得')
    x1 = c.band(i_所得, None, False, '36000', True)
    x2 = c.band(i_所得, '36000', False, '144000', True)
    x3 = c.band(i_所得, '144000', False, None, False)
    x4 = c.select(((x1, K3), (x2, K5), (x3, K7), ), K1)
    return x4


def b_扣除数(c):
    """「扣除数」, line 35."""
    i_所得 = c.input('所得')
    x1 = c.band(i_所得, None, False, '36000', True)
    x2 = c.band(i_所得, '36000', False, '144000', True)
    x3 = c.band(i_所得, '144000', False, None, False)
    x4 = c.select(((x1, K3), (x2, K5), (x3, K7), ), K1)
    x5 = c.max_(c.sub(i_所得, K1), K1)
    x6 = c.min_(x5, K2)
    x7 = c.mul(x6, K3)
    x8 = c.max_(c.sub(i_所得, K2), K1)
    x9 = c.min_(x8, K4)
    x10 = c.mul(x9, K5)
    x11 = c.add(x7, x10)
    x12 = c.max_(c.sub(i_所得, K6), K1)
    x13 = c.mul(x12, K7)
    x14 = c.add(x11, x13)
    x15 = c.sub(c.mul(i_所得, x4), x14)
    x16 = c.rnd(x15, -2, 'half_up', c.sink('扣除数'))
    return x16


def b_全额税额(c):
    """「全额税额」, line 36."""
    i_经营所得 = c.input('经营所得')
    x1 = c.band(i_经营所得, None, False, '30000', True)
    x2 = c.band(i_经营所得, '30000', False, None, False)
    x3 = c.select(((x1, K8), (x2, K5), ), K1)
    x4 = c.mul(i_经营所得, x3)
    x5 = c.rnd(x4, -2, 'half_up', c.sink('全额税额'))
    return x5


def b_所在档次(c):
    """「所在档次」, line 38."""
    d_档次 = c.ref('档次')
    return d_档次


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'档次': b_档次, '税额': b_税额, '税率': b_税率, '扣除数': b_扣除数, '全额税额': b_全额税额, '所在档次': b_所在档次}
