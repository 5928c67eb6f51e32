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
K2 = _b.num('36000')
K3 = _b.num('0.03')
K4 = _b.num('108000')
K5 = _b.num('0.10')
K6 = _b.num('144000')
K7 = _b.num('156000')
K8 = _b.num('0.20')
K9 = _b.num('300000')
K10 = _b.num('120000')
K11 = _b.num('0.25')
K12 = _b.num('420000')
K13 = _b.num('240000')
K14 = _b.num('0.30')
K15 = _b.num('660000')
K16 = _b.num('0.35')
K17 = _b.num('960000')
K18 = _b.num('0.45')


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
        x2 = c.max_(c.sub(c.item('累计预扣预缴应纳税所得额'), K1), K1)
        x3 = c.min_(x2, K2)
        x4 = c.mul(x3, K3)
        x5 = c.max_(c.sub(c.item('累计预扣预缴应纳税所得额'), K2), K1)
        x6 = c.min_(x5, K4)
        x7 = c.mul(x6, K5)
        x8 = c.add(x4, x7)
        x9 = c.max_(c.sub(c.item('累计预扣预缴应纳税所得额'), K6), K1)
        x10 = c.min_(x9, K7)
        x11 = c.mul(x10, K8)
        x12 = c.add(x8, x11)
        x13 = c.max_(c.sub(c.item('累计预扣预缴应纳税所得额'), K9), K1)
        x14 = c.min_(x13, K10)
        x15 = c.mul(x14, K11)
        x16 = c.add(x12, x15)
        x17 = c.max_(c.sub(c.item('累计预扣预缴应纳税所得额'), K12), K1)
        x18 = c.min_(x17, K13)
        x19 = c.mul(x18, K14)
        x20 = c.add(x16, x19)
        x21 = c.max_(c.sub(c.item('累计预扣预缴应纳税所得额'), K15), K1)
        x22 = c.min_(x21, K9)
        x23 = c.mul(x22, K16)
        x24 = c.add(x20, x23)
        x25 = c.max_(c.sub(c.item('累计预扣预缴应纳税所得额'), K17), K1)
        x26 = c.mul(x25, K18)
        x27 = c.add(x24, x26)
        return x27
    x28 = _l.each(c, '各月', fx1)
    return x28


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
