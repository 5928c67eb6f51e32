# Columnar evaluators of policies/national/iit_withholding_2019.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 494b85b130a781673e9a61fad826896e769db34ef488a408b8e8e0f538f05a78
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b
from guize.runtime import batchlists as _l

FORMAT = '2'
FALLBACK = {}
ENUMS = ()
K0 = _b.num('5000')
K1 = _b.num('0')
K2 = _b.Table(['0', '0.03', '0.10', '0.20', '0.25', '0.30', '0.35', '0.45'], None,
        'num')  # 累进税率表的各档税率
K3 = _b.Table(['0', '0.00', '2520.00', '16920.00', '31920.00', '52920.00', '85920.00', '181920.00'],
        None, 'num')  # 累进税率表的各档速算扣除数
K4 = _b.Table(['0.03', '0.03', '0.10', '0.20', '0.25', '0.30', '0.35', '0.45'], None,
        'num')  # 累进税率表的适用税率
K5 = _b.Table(['0.03', '0.10', '0.20', '0.25', '0.30', '0.35', '0.45'], None, 'num')  # 按 itemref 分段


def b_每月减除费用(c):
    """「每月减除费用」, line 20."""
    return K0


def b_累计预扣预缴应纳税所得额(c):
    """「累计预扣预缴应纳税所得额」, line 32."""
    def fx1(c):  # each item of 各月
        x2 = c.sub(c.field('工资薪金收入'), c.field('专项扣除'))
        x3 = c.sub(x2, c.field('专项附加扣除'))
        x4 = c.sub(x3, c.field('其他扣除'))
        x5 = _l.running(c, x4, True)
        d_每月减除费用 = c.ref('每月减除费用')
        x6 = _l.running(c, d_每月减除费用, True)
        x7 = c.sub(x5, x6)
        x8 = c.max_(x7, K1)
        return x8
    x9 = _l.each(c, '各月', fx1)
    return x9


def b_累计应预扣预缴税额(c):
    """「累计应预扣预缴税额」, line 37."""
    def fx1(c):  # each item of 各月
        x2 = c.banded(c.item('累计预扣预缴应纳税所得额'), (('0', False), ('36000', False), ('144000', False),
                ('300000', False), ('420000', False), ('660000', False), ('960000', False)), K2)
        x3 = c.sub(c.mul(c.item('累计预扣预缴应纳税所得额'), x2), c.banded(c.item('累计预扣预缴应纳税所得额'), (('0',
                False), ('36000', False), ('144000', False), ('300000', False), ('420000', False),
                ('660000', False), ('960000', False)), K3))
        x4 = c.max_(x3, K1)
        return x4
    x5 = _l.each(c, '各月', fx1)
    return x5


def b_各月预扣税额(c):
    """「各月预扣税额」, line 44."""
    def fx1(c):  # each item of 各月
        x2 = c.max_(c.item('累计应预扣预缴税额'), K1)
        x3 = c.rnd(x2, -2, 'half_up')
        return x3
    x4 = _l.each_increment(c, '各月', fx1)
    return x4


def b_全年预扣税额(c):
    """「全年预扣税额」, line 49."""
    def fx1(c):  # each item of 各月
        return c.item('各月预扣税额')
    x2 = _l.aggregate(c, 'sum', '各月', None, fx1)
    x3 = c.rnd(x2, -2, 'half_up', c.sink('全年预扣税额'))
    return x3


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'每月减除费用': b_每月减除费用, '累计预扣预缴应纳税所得额': b_累计预扣预缴应纳税所得额, '累计应预扣预缴税额': b_累计应预扣预缴税额, '各月预扣税额':
        b_各月预扣税额, '全年预扣税额': b_全年预扣税额}
