# Columnar evaluators of tests/golden/good/list_item_dates.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 0864f0482d82f80b0c1c6bde6fdab4d571337b5d4a2a8bb49b55fbc041c08b42
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b
from guize.runtime import batchlists as _l

FORMAT = '2'
FALLBACK = {}
ENUMS = ()
K0 = _b.Table(['5000', '6000'], None, 'num')  # 月减除费用的各版本
K1 = ((17897, 18078, None), (18078, None, None))  # 月减除费用的各版本：起、止、公布（日数）
K2 = _b.num('0')
K3 = 18078  # 2019-07-01


def b_月减除费用(c):
    """「月减除费用」, line 10."""
    x1 = c.dated_table(0, K0)
    return x1


def b_各月应税(c):
    """「各月应税」, line 14."""
    def fx1(c):  # each item of 各月
        x2 = _l.version_at(c, K1, c.field('月份'))
        x3 = K0.get(x2, c)
        x4 = c.sub(c.field('收入'), x3)
        x5 = c.max_(x4, K2)
        x6 = c.rnd(x5, -2, 'half_up')
        return x6
    x7 = _l.each(c, '各月', fx1)
    return x7


def b_全年减除(c):
    """「全年减除」, line 15."""
    def fx1(c):  # each item of 各月
        x2 = _l.version_at(c, K1, c.field('月份'))
        x3 = K0.get(x2, c)
        return x3
    x4 = _l.aggregate(c, 'sum', '各月', None, fx1)
    x5 = c.rnd(x4, -2, 'half_up', c.sink('全年减除'))
    return x5


def b_当期减除(c):
    """「当期减除」, line 16."""
    d_月减除费用 = c.ref('月减除费用')
    x1 = c.rnd(d_月减除费用, -2, 'half_up', c.sink('当期减除'))
    return x1


def b_七月收入(c):
    """「七月收入」, line 17."""
    def fx1(c):  # each item of 各月
        x2 = c.cmpx('==', c.field('月份'), K3)
        return x2
    def fx3(c):  # each item of 各月
        return c.field('收入')
    x4 = _l.one(c, '各月', fx1, fx3)
    x5 = c.rnd(x4, -2, 'half_up', c.sink('七月收入'))
    return x5


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'月减除费用': b_月减除费用, '各月应税': b_各月应税, '全年减除': b_全年减除, '当期减除': b_当期减除, '七月收入': b_七月收入}
