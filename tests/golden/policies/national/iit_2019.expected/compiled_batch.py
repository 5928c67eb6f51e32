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
K2 = _b.Table(['0', '0.03', '0.10', '0.20', '0.25', '0.30', '0.35', '0.45'], None,
        'num')  # 累进税率表的各档税率
K3 = _b.Table(['0', '0.00', '2520.00', '16920.00', '31920.00', '52920.00', '85920.00', '181920.00'],
        None, 'num')  # 累进税率表的各档速算扣除数
K4 = _b.Table(['0.03', '0.03', '0.10', '0.20', '0.25', '0.30', '0.35', '0.45'], None,
        'num')  # 累进税率表的适用税率
K5 = _b.Table(['0.03', '0.10', '0.20', '0.25', '0.30', '0.35', '0.45'], None, 'num')  # 按 应纳税所得额 分段


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
    x1 = c.banded(d_应纳税所得额, (('0', False), ('36000', False), ('144000', False), ('300000', False),
            ('420000', False), ('660000', False), ('960000', False)), K4)
    return x1


def b_应纳税额(c):
    """「应纳税额」, line 35."""
    d_应纳税所得额 = c.ref('应纳税所得额')
    x1 = c.banded(d_应纳税所得额, (('0', False), ('36000', False), ('144000', False), ('300000', False),
            ('420000', False), ('660000', False), ('960000', False)), K2)
    x2 = c.sub(c.mul(d_应纳税所得额, x1), c.banded(d_应纳税所得额, (('0', False), ('36000', False), ('144000',
            False), ('300000', False), ('420000', False), ('660000', False), ('960000', False)),
            K3))
    x3 = c.max_(x2, K1)
    x4 = c.rnd(x3, -2, 'half_up', c.sink('应纳税额'))
    return x4


def b_速算扣除数(c):
    """「速算扣除数」, line 40."""
    d_应纳税所得额 = c.ref('应纳税所得额')
    c.flag(c.cmp('<', d_应纳税所得额, K1))
    x1 = c.banded(d_应纳税所得额, (('0', False), ('36000', False), ('144000', False), ('300000', False),
            ('420000', False), ('660000', False), ('960000', False)), K3)
    x2 = c.rnd(x1, -2, 'half_up', c.sink('速算扣除数'))
    return x2


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'基本减除费用': b_基本减除费用, '应纳税所得额': b_应纳税所得额, '适用税率': b_适用税率, '应纳税额': b_应纳税额, '速算扣除数': b_速算扣除数}
