# Columnar evaluators of policies/national/iit_2019.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 54875bb7de3850969be7f69239dae0c3a2586386be3e721ab88df2a084620441
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ()
K0 = _b.num('60000')
K1 = _b.num('0')
K2 = _b.num('0.03')
K3 = _b.num('0.10')
K4 = _b.num('0.20')
K5 = _b.num('0.25')
K6 = _b.num('0.30')
K7 = _b.num('0.35')
K8 = _b.num('0.45')
K9 = _b.num('36000')
K10 = _b.num('108000')
K11 = _b.num('144000')
K12 = _b.num('156000')
K13 = _b.num('300000')
K14 = _b.num('120000')
K15 = _b.num('420000')
K16 = _b.num('240000')
K17 = _b.num('660000')
K18 = _b.num('960000')


def b_基本减除费用(c):
    """「基本减除费用」, line 17."""
    return K0


def b_应纳税所得额(c):
    """「应纳税所得额」, line 28."""
    i_年收入额 = c.input('年收入额')
    d_基本减除费用 = c.ref('基本减除费用')
    x1 = c.sub(i_年收入额, d_基本减除费用)
    i_专项扣除 = c.input('专项扣除')
    x2 = c.sub(x1, i_专项扣除)
    i_专项附加扣除 = c.input('专项附加扣除')
    x3 = c.sub(x2, i_专项附加扣除)
    i_其他扣除 = c.input('其他扣除')
    x4 = c.sub(x3, i_其他扣除)
    x5 = c.max_(x4, K1)
    x6 = c.rnd(x5, -2, 'half_up', c.sink('应纳税所得额'))
    return x6


def b_适用税率(c):
    """「适用税率」, line 33."""
    d_应纳税所得额 = c.ref('应纳税所得额')
    x1 = c.band(d_应纳税所得额, None, False, '36000', True)
    x2 = c.band(d_应纳税所得额, '36000', False, '144000', True)
    x3 = c.band(d_应纳税所得额, '144000', False, '300000', True)
    x4 = c.band(d_应纳税所得额, '300000', False, '420000', True)
    x5 = c.band(d_应纳税所得额, '420000', False, '660000', True)
    x6 = c.band(d_应纳税所得额, '660000', False, '960000', True)
    x7 = c.band(d_应纳税所得额, '960000', False, None, False)
    x8 = c.select(((x1, K2), (x2, K3), (x3, K4), (x4, K5), (x5, K6), (x6, K7), (x7, K8), ), K1)
    return x8


def b_应纳税额(c):
    """「应纳税额」, line 35."""
    d_应纳税所得额 = c.ref('应纳税所得额')
    x1 = c.max_(c.sub(d_应纳税所得额, K1), K1)
    x2 = c.min_(x1, K9)
    x3 = c.mul(x2, K2)
    x4 = c.max_(c.sub(d_应纳税所得额, K9), K1)
    x5 = c.min_(x4, K10)
    x6 = c.mul(x5, K3)
    x7 = c.add(x3, x6)
    x8 = c.max_(c.sub(d_应纳税所得额, K11), K1)
    x9 = c.min_(x8, K12)
    x10 = c.mul(x9, K4)
    x11 = c.add(x7, x10)
    x12 = c.max_(c.sub(d_应纳税所得额, K13), K1)
    x13 = c.min_(x12, K14)
    x14 = c.mul(x13, K5)
    x15 = c.add(x11, x14)
    x16 = c.max_(c.sub(d_应纳税所得额, K15), K1)
    x17 = c.min_(x16, K16)
    x18 = c.mul(x17, K6)
    x19 = c.add(x15, x18)
    x20 = c.max_(c.sub(d_应纳税所得额, K17), K1)
    x21 = c.min_(x20, K13)
    x22 = c.mul(x21, K7)
    x23 = c.add(x19, x22)
    x24 = c.max_(c.sub(d_应纳税所得额, K18), K1)
    x25 = c.mul(x24, K8)
    x26 = c.add(x23, x25)
    x27 = c.rnd(x26, -2, 'half_up', c.sink('应纳税额'))
    return x27


def b_速算扣除数(c):
    """「速算扣除数」, line 40."""
    d_应纳税所得额 = c.ref('应纳税所得额')
    x1 = c.band(d_应纳税所得额, None, False, '36000', True)
    x2 = c.band(d_应纳税所得额, '36000', False, '144000', True)
    x3 = c.band(d_应纳税所得额, '144000', False, '300000', True)
    x4 = c.band(d_应纳税所得额, '300000', False, '420000', True)
    x5 = c.band(d_应纳税所得额, '420000', False, '660000', True)
    x6 = c.band(d_应纳税所得额, '660000', False, '960000', True)
    x7 = c.band(d_应纳税所得额, '960000', False, None, False)
    x8 = c.select(((x1, K2), (x2, K3), (x3, K4), (x4, K5), (x5, K6), (x6, K7), (x7, K8), ), K1)
    x9 = c.max_(c.sub(d_应纳税所得额, K1), K1)
    x10 = c.min_(x9, K9)
    x11 = c.mul(x10, K2)
    x12 = c.max_(c.sub(d_应纳税所得额, K9), K1)
    x13 = c.min_(x12, K10)
    x14 = c.mul(x13, K3)
    x15 = c.add(x11, x14)
    x16 = c.max_(c.sub(d_应纳税所得额, K11), K1)
    x17 = c.min_(x16, K12)
    x18 = c.mul(x17, K4)
    x19 = c.add(x15, x18)
    x20 = c.max_(c.sub(d_应纳税所得额, K13), K1)
    x21 = c.min_(x20, K14)
    x22 = c.mul(x21, K5)
    x23 = c.add(x19, x22)
    x24 = c.max_(c.sub(d_应纳税所得额, K15), K1)
    x25 = c.min_(x24, K16)
    x26 = c.mul(x25, K6)
    x27 = c.add(x23, x26)
    x28 = c.max_(c.sub(d_应纳税所得额, K17), K1)
    x29 = c.min_(x28, K13)
    x30 = c.mul(x29, K7)
    x31 = c.add(x27, x30)
    x32 = c.max_(c.sub(d_应纳税所得额, K18), K1)
    x33 = c.mul(x32, K8)
    x34 = c.add(x31, x33)
    x35 = c.sub(c.mul(d_应纳税所得额, x8), x34)
    x36 = c.rnd(x35, -2, 'half_up', c.sink('速算扣除数'))
    return x36


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'基本减除费用': b_基本减除费用, '应纳税所得额': b_应纳税所得额, '适用税率': b_适用税率, '应纳税额': b_应纳税额, '速算扣除数': b_速算扣除数}
