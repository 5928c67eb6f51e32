# Columnar evaluators of tests/golden/good/progressive.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: f442071e1b6da95ffdc73f6cd2ee34cf05c67bfcbc31a905ad452e06e625e4e6
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ()
K0 = _b.num('1')
K1 = _b.num('2')
K2 = _b.num('3')
K3 = _b.num('0')
K4 = _b.num('36000')
K5 = _b.num('0.03')
K6 = _b.num('108000')
K7 = _b.num('0.10')
K8 = _b.num('144000')
K9 = _b.num('0.20')
K10 = _b.num('0.05')
K11 = _b.num('10000')
K12 = _b.num('0.00')
K13 = _b.num('20000')


def b_档次(c):
    """「档次」, line 28."""
    i_所得 = c.input('所得')
    x1 = c.band(i_所得, None, False, '36000', True)
    x2 = c.band(i_所得, '36000', False, '144000', True)
    x3 = c.band(i_所得, '144000', False, None, False)
    x4 = c.select(((x1, K0), (x2, K1), (x3, K2), ), None)
    return x4


def b_税额(c):
    """「税额」, line 33."""
    i_所得 = c.input('所得')
    x1 = c.max_(c.sub(i_所得, K3), K3)
    x2 = c.min_(x1, K4)
    x3 = c.mul(x2, K5)
    x4 = c.max_(c.sub(i_所得, K4), K3)
    x5 = c.min_(x4, K6)
    x6 = c.mul(x5, K7)
    x7 = c.add(x3, x6)
    x8 = c.max_(c.sub(i_所得, K8), K3)
    x9 = c.mul(x8, K9)
    x10 = c.add(x7, x9)
    x11 = c.rnd(x10, -2, 'half_up', c.sink('税额'))
    return x11


def b_税率(c):
    """「税率」, line 34."""
    i_所得 = c.input('所得')
    x1 = c.band(i_所得, None, False, '36000', True)
    x2 = c.band(i_所得, '36000', False, '144000', True)
    x3 = c.band(i_所得, '144000', False, None, False)
    x4 = c.select(((x1, K5), (x2, K7), (x3, K9), ), K3)
    return x4


def b_扣除数(c):
    """「扣除数」, line 35."""
    i_所得 = c.input('所得')
    x1 = c.band(i_所得, None, False, '36000', True)
    x2 = c.band(i_所得, '36000', False, '144000', True)
    x3 = c.band(i_所得, '144000', False, None, False)
    x4 = c.select(((x1, K5), (x2, K7), (x3, K9), ), K3)
    x5 = c.max_(c.sub(i_所得, K3), K3)
    x6 = c.min_(x5, K4)
    x7 = c.mul(x6, K5)
    x8 = c.max_(c.sub(i_所得, K4), K3)
    x9 = c.min_(x8, K6)
    x10 = c.mul(x9, K7)
    x11 = c.add(x7, x10)
    x12 = c.max_(c.sub(i_所得, K8), K3)
    x13 = c.mul(x12, K9)
    x14 = c.add(x11, x13)
    x15 = c.sub(c.mul(i_所得, x4), x14)
    x16 = c.rnd(x15, -2, 'half_up', c.sink('扣除数'))
    return x16


def b_全额税额(c):
    """「全额税额」, line 36."""
    i_经营所得 = c.input('经营所得')
    x1 = c.band(i_经营所得, None, False, '30000', True)
    x2 = c.band(i_经营所得, '30000', False, None, False)
    x3 = c.select(((x1, K10), (x2, K7), ), K3)
    x4 = c.mul(i_经营所得, x3)
    x5 = c.rnd(x4, -2, 'half_up', c.sink('全额税额'))
    return x5


def b_分期税额(c):
    """「分期税额」, line 37."""
    i_所得 = c.input('所得')
    def x1():  # 自2019年1月1日起
        x2 = c.max_(c.sub(i_所得, K3), K3)
        x3 = c.min_(x2, K11)
        x4 = c.mul(x3, K12)
        x5 = c.max_(c.sub(i_所得, K11), K3)
        x6 = c.mul(x5, K7)
        x7 = c.add(x4, x6)
        return x7
    def x8():  # 自2023年1月1日起
        x9 = c.max_(c.sub(i_所得, K3), K3)
        x10 = c.min_(x9, K13)
        x11 = c.mul(x10, K12)
        x12 = c.max_(c.sub(i_所得, K13), K3)
        x13 = c.mul(x12, K7)
        x14 = c.add(x11, x13)
        return x14
    x15 = c.dated(0, (x1, x8,))
    x16 = c.rnd(x15, -2, 'half_up', c.sink('分期税额'))
    return x16


def b_所在档次(c):
    """「所在档次」, line 38."""
    d_档次 = c.ref('档次')
    return d_档次


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'档次': b_档次, '税额': b_税额, '税率': b_税率, '扣除数': b_扣除数, '全额税额': b_全额税额, '分期税额': b_分期税额, '所在档次':
        b_所在档次}
