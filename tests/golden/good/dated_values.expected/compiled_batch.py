# Columnar evaluators of tests/golden/good/dated_values.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: a962eef1e19dbf7a93a247edce3f6d033559d26808d002288c7086c1e152cf2d
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ()
K0 = _b.Table(['300', '200'], None, 'num')  # 运费补贴标准的各版本
K1 = _b.Table(['0.50', '0.70', '0.00'], None, 'num')  # 使用率要求的各版本


def b_运费补贴标准(c):
    """「运费补贴标准」, line 8."""
    x1 = c.dated_table(0, K0)
    return x1


def b_使用率要求(c):
    """「使用率要求」, line 11."""
    x1 = c.dated_table(1, K1)
    return x1


def b_运费补贴(c):
    """「运费补贴」, line 15."""
    d_运费补贴标准 = c.ref('运费补贴标准')
    i_数量 = c.input('数量')
    x1 = c.mul(d_运费补贴标准, i_数量)
    x2 = c.rnd(x1, -2, 'half_up', c.sink('运费补贴'))
    return x2


def b_要求(c):
    """「要求」, line 16."""
    d_使用率要求 = c.ref('使用率要求')
    return d_使用率要求


def b_年度(c):
    """「年度」, line 17."""
    x1 = c.call('year', c.asof())
    return x1


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'运费补贴标准': b_运费补贴标准, '使用率要求': b_使用率要求, '运费补贴': b_运费补贴, '要求': b_要求, '年度': b_年度}
