# Columnar evaluators of policies/xinjiang/outpatient_local_example.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 577961b9b354e6c55dc5fbc4b1fdc3c0fcc378ea81a9d71066334772a7b89ee6
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ('一级', '二级', '三级', '未定级')
K0 = _b.num('0.08')
K1 = _b.num('0.05')
K2 = _b.num('5000')
K3 = _b.Table(['300', '800', '1300', '300'], None, 'num')  # 按 医院级别
K4 = _b.Table(['0.85', '0.75', '0.65', '0.85'], None, 'num')  # 按 医院级别
K5 = _b.num('0')
K6 = _b.num('0.02')
K7 = _b.num('0.60')


def b_首次就诊起付比例(c):
    """「首次就诊起付比例」, line 15."""
    return K0


def b_再次就诊起付比例(c):
    """「再次就诊起付比例」, line 37."""
    return K1


def b_年度最高支付限额(c):
    """「年度最高支付限额」, line 16."""
    return K2


def b_退休人员倾斜(c):
    """「退休人员倾斜」, line 39."""
    return K1


def b_单次最高支付限额(c):
    """「单次最高支付限额」, line 41."""
    i_医院级别 = c.input('医院级别')
    x1 = c.table(i_医院级别, K3)
    return x1


def b_基本支付比例(c):
    """「基本支付比例」, line 18."""
    i_医院级别 = c.input('医院级别')
    x1 = c.table(i_医院级别, K4)
    return x1


def b_起付标准(c):
    """「起付标准」, line 53."""
    i_本年已就诊次数 = c.input('本年已就诊次数')
    x1 = c.cmp('==', i_本年已就诊次数, K5)
    x2 = c.where(x1, K0, K1)
    i_住院起付线 = c.input('住院起付线')
    x3 = c.mul(i_住院起付线, x2)
    x4 = c.rnd(x3, -2, 'half_up', c.sink('起付标准'))
    return x4


def b_支付比例(c):
    """「支付比例」, line 57."""
    d_基本支付比例 = c.ref('基本支付比例')
    i_退休人员 = c.input('退休人员')
    d_退休人员倾斜 = c.ref('退休人员倾斜')
    x1 = c.where(i_退休人员, d_退休人员倾斜, K5)
    x2 = c.add(d_基本支付比例, x1, c.sink('支付比例'))
    return x2


def b_年度剩余限额(c):
    """「年度剩余限额」, line 59."""
    d_年度最高支付限额 = c.ref('年度最高支付限额')
    i_本年已支付 = c.input('本年已支付')
    x1 = c.sub(d_年度最高支付限额, i_本年已支付)
    x2 = c.max_(x1, K5)
    return x2


def b_统筹基金支付(c):
    """「统筹基金支付」, line 61."""
    i_住院期间 = c.input('住院期间')
    i_本次费用 = c.input('本次费用')
    d_起付标准 = c.ref('起付标准')
    x1 = c.sub(i_本次费用, d_起付标准)
    x2 = c.max_(x1, K5)
    d_支付比例 = c.ref('支付比例')
    x3 = c.mul(x2, d_支付比例)
    d_单次最高支付限额 = c.ref('单次最高支付限额')
    d_年度剩余限额 = c.ref('年度剩余限额')
    x4 = c.min_(x3, d_单次最高支付限额, d_年度剩余限额)
    x5 = c.where(i_住院期间, K5, x4)
    x6 = c.rnd(x5, -2, 'half_up', c.sink('统筹基金支付'))
    return x6


def b_日间手术统筹基金支付(c):
    """「日间手术统筹基金支付」, line 75."""
    i_住院期间 = c.input('住院期间')
    i_本次费用 = c.input('本次费用')
    d_起付标准 = c.ref('起付标准')
    x1 = c.sub(i_本次费用, d_起付标准)
    x2 = c.max_(x1, K5)
    i_住院支付比例 = c.input('住院支付比例')
    x3 = c.mul(x2, i_住院支付比例)
    x4 = c.where(i_住院期间, K5, x3)
    x5 = c.rnd(x4, -2, 'half_up', c.sink('日间手术统筹基金支付'))
    return x5


def b_退休人员划入比例(c):
    """「退休人员划入比例」, line 82."""
    return K6


def b_退休人员个人账户划入额(c):
    """「退休人员个人账户划入额」, line 83."""
    i_基本养老金平均水平 = c.input('基本养老金平均水平')
    d_退休人员划入比例 = c.ref('退休人员划入比例')
    x1 = c.mul(i_基本养老金平均水平, d_退休人员划入比例)
    x2 = c.rnd(x1, -2, 'half_up', c.sink('退休人员个人账户划入额'))
    return x2


def b_灵活就业缴费基数比例(c):
    """「灵活就业缴费基数比例」, line 89."""
    return K7


def b_灵活就业人员缴费基数(c):
    """「灵活就业人员缴费基数」, line 90."""
    i_上年度城镇单位就业人员平均工资 = c.input('上年度城镇单位就业人员平均工资')
    d_灵活就业缴费基数比例 = c.ref('灵活就业缴费基数比例')
    x1 = c.mul(i_上年度城镇单位就业人员平均工资, d_灵活就业缴费基数比例)
    x2 = c.rnd(x1, -2, 'half_up', c.sink('灵活就业人员缴费基数'))
    return x2


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'首次就诊起付比例': b_首次就诊起付比例, '再次就诊起付比例': b_再次就诊起付比例, '年度最高支付限额': b_年度最高支付限额, '退休人员倾斜': b_退休人员倾斜,
        '单次最高支付限额': b_单次最高支付限额, '基本支付比例': b_基本支付比例, '起付标准': b_起付标准, '支付比例': b_支付比例, '年度剩余限额':
        b_年度剩余限额, '统筹基金支付': b_统筹基金支付, '日间手术统筹基金支付': b_日间手术统筹基金支付, '退休人员划入比例': b_退休人员划入比例,
        '退休人员个人账户划入额': b_退休人员个人账户划入额, '灵活就业缴费基数比例': b_灵活就业缴费基数比例, '灵活就业人员缴费基数': b_灵活就业人员缴费基数}
