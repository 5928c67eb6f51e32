# Columnar evaluators of policies/national/annual_leave_2008.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 3aac017fd20da53cbca322a5b7b94f1abed6192679ebf4421a397b85c947f70c
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ()
K0 = _b.Table(['0', '5', '10', '15'], None, 'num')  # 按 累计工作时间 分段
K1 = _b.Table(['0', '2', '3', '4'], None, 'num')  # 按 累计工作时间 分段
K2 = _b.num('20')
K3 = _b.num('0')


def b_应休天数(c):
    """「应休天数」, line 17."""
    i_累计工作时间 = c.input('累计工作时间')
    x1 = c.banded(i_累计工作时间, (('12', True), ('120', True), ('240', True)), K0)
    return x1


def b_病假界限(c):
    """「病假界限」, line 23."""
    i_累计工作时间 = c.input('累计工作时间')
    x1 = c.banded(i_累计工作时间, (('12', True), ('120', True), ('240', True)), K1)
    x2 = c.call('as_period', x1)
    return x2


def b_寒暑假多于年休假(c):
    """「寒暑假多于年休假」, line 29."""
    i_寒暑假天数 = c.input('寒暑假天数')
    d_应休天数 = c.ref('应休天数')
    x1 = c.cmp('>', i_寒暑假天数, d_应休天数)
    return x1


def b_事假过多(c):
    """「事假过多」, line 30."""
    i_本年度事假累计天数 = c.input('本年度事假累计天数')
    x1 = c.cmp('>=', i_本年度事假累计天数, K2)
    i_事假不扣工资 = c.input('事假不扣工资')
    x2 = c.and_(x1, i_事假不扣工资)
    return x2


def b_病假过多(c):
    """「病假过多」, line 31."""
    i_本年度病假累计 = c.input('本年度病假累计')
    d_病假界限 = c.ref('病假界限')
    x1 = c.cmp('>=', i_本年度病假累计, d_病假界限)
    return x1


def b_年休假天数(c):
    """「年休假天数」, line 33."""
    d_寒暑假多于年休假 = c.ref('寒暑假多于年休假')
    d_事假过多 = c.ref('事假过多')
    x1 = c.or_(d_寒暑假多于年休假, d_事假过多)
    d_病假过多 = c.ref('病假过多')
    x2 = c.or_(x1, d_病假过多)
    d_应休天数 = c.ref('应休天数')
    x3 = c.where(x2, K3, d_应休天数)
    return x3


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'应休天数': b_应休天数, '病假界限': b_病假界限, '寒暑假多于年休假': b_寒暑假多于年休假, '事假过多': b_事假过多, '病假过多': b_病假过多,
        '年休假天数': b_年休假天数}
