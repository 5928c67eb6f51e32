# Columnar evaluators of tests/golden/good/bands_and_tables.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 68063469b3575b1f95076a70cc202a32aa3bc7483094342a10637df3b689e4ac
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ('南疆', '其他地区')
K0 = _b.Table(['600', '500'], None, 'num')  # 按 企业地区
K1 = _b.Table(['640', '540'], None, 'num')  # 按 企业地区
K2 = _b.Table(['0', '3000', '4000'], None, 'num')  # 按 月平均工资 分段
K3 = _b.num('10')


def b_纱线标准(c):
    """「纱线标准」, line 13."""
    i_纱支 = c.input('纱支')
    x1 = c.band(i_纱支, None, False, '40', False)
    i_企业地区 = c.input('企业地区')
    x2 = c.table(i_企业地区, K0)
    x3 = c.band(i_纱支, '40', True, None, False)
    x4 = c.table(i_企业地区, K1)
    x5 = c.select(((x1, x2), (x3, x4), ), None)
    return x5


def b_每人补贴(c):
    """「每人补贴」, line 21."""
    i_月平均工资 = c.input('月平均工资')
    x1 = c.banded(i_月平均工资, (('2000', True), ('3000', True)), K2)
    return x1


def b_纱线补贴(c):
    """「纱线补贴」, line 26."""
    d_纱线标准 = c.ref('纱线标准')
    x1 = c.mul(d_纱线标准, K3)
    x2 = c.rnd(x1, -2, 'half_up', c.sink('纱线补贴'))
    return x2


def b_就业补贴(c):
    """「就业补贴」, line 27."""
    d_每人补贴 = c.ref('每人补贴')
    x1 = c.rnd(d_每人补贴, -2, 'half_up', c.sink('就业补贴'))
    return x1


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'纱线标准': b_纱线标准, '每人补贴': b_每人补贴, '纱线补贴': b_纱线补贴, '就业补贴': b_就业补贴}
