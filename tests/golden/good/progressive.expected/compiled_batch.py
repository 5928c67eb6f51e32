# Columnar evaluators of tests/golden/good/progressive.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: f442071e1b6da95ffdc73f6cd2ee34cf05c67bfcbc31a905ad452e06e625e4e6
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ()
K0 = _b.Table(['1', '2', '3'], None, 'num')  # 按 所得 分段
K1 = _b.num('0')
K2 = _b.Table(['0', '0.03', '0.10', '0.20'], None, 'num')  # 累进税率表的各档税率
K3 = _b.Table(['0', '0.00', '2520.00', '16920.00'], None, 'num')  # 累进税率表的各档速算扣除数
K4 = _b.Table(['0.03', '0.03', '0.10', '0.20'], None, 'num')  # 累进税率表的适用税率
K5 = _b.Table(['0.03', '0.10', '0.20'], None, 'num')  # 按 所得 分段
K6 = _b.Table(['0.05', '0.10'], None, 'num')  # 按 经营所得 分段
K7 = _b.Table(['0', '0.00', '0.10'], None, 'num')  # 累进税率表的各档税率
K8 = _b.Table(['0', '0.00', '1000.00'], None, 'num')  # 累进税率表的各档速算扣除数
K9 = _b.Table(['0.00', '0.00', '0.10'], None, 'num')  # 累进税率表的适用税率
K10 = _b.Table(['0.00', '0.10'], None, 'num')  # 按 所得 分段
K11 = _b.Table(['0', '0.00', '2000.00'], None, 'num')  # 累进税率表的各档速算扣除数


def b_档次(c):
    """「档次」, line 28."""
    i_所得 = c.input('所得')
    x1 = c.banded(i_所得, (('36000', False), ('144000', False)), K0)
    return x1


def b_税额(c):
    """「税额」, line 33."""
    i_所得 = c.input('所得')
    x1 = c.banded(i_所得, (('0', False), ('36000', False), ('144000', False)), K2)
    x2 = c.sub(c.mul(i_所得, x1), c.banded(i_所得, (('0', False), ('36000', False), ('144000', False)),
            K3))
    x3 = c.max_(x2, K1)
    x4 = c.rnd(x3, -2, 'half_up', c.sink('税额'))
    return x4


def b_税率(c):
    """「税率」, line 34."""
    i_所得 = c.input('所得')
    x1 = c.banded(i_所得, (('0', False), ('36000', False), ('144000', False)), K4)
    return x1


def b_扣除数(c):
    """「扣除数」, line 35."""
    i_所得 = c.input('所得')
    c.flag(c.cmp('<', i_所得, K1))
    x1 = c.banded(i_所得, (('0', False), ('36000', False), ('144000', False)), K3)
    x2 = c.rnd(x1, -2, 'half_up', c.sink('扣除数'))
    return x2


def b_全额税额(c):
    """「全额税额」, line 36."""
    i_经营所得 = c.input('经营所得')
    x1 = c.banded(i_经营所得, (('30000', False),), K6)
    x2 = c.mul(i_经营所得, x1)
    x3 = c.rnd(x2, -2, 'half_up', c.sink('全额税额'))
    return x3


def b_分期税额(c):
    """「分期税额」, line 37."""
    i_所得 = c.input('所得')
    def x1():  # 自2019年1月1日起
        x2 = c.banded(i_所得, (('0', False), ('10000', False)), K7)
        x3 = c.sub(c.mul(i_所得, x2), c.banded(i_所得, (('0', False), ('10000', False)), K8))
        x4 = c.max_(x3, K1)
        return x4
    def x5():  # 自2023年1月1日起
        x6 = c.banded(i_所得, (('0', False), ('20000', False)), K7)
        x7 = c.sub(c.mul(i_所得, x6), c.banded(i_所得, (('0', False), ('20000', False)), K11))
        x8 = c.max_(x7, K1)
        return x8
    x9 = c.dated(0, (x1, x5,))
    x10 = c.rnd(x9, -2, 'half_up', c.sink('分期税额'))
    return x10


def b_所在档次(c):
    """「所在档次」, line 38."""
    d_档次 = c.ref('档次')
    return d_档次


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'档次': b_档次, '税额': b_税额, '税率': b_税率, '扣除数': b_扣除数, '全额税额': b_全额税额, '分期税额': b_分期税额, '所在档次':
        b_所在档次}
