# Columnar evaluators of tests/golden/good/scale_thresholds.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: abd07f9e18fc0c59f9e6cfb8e4510fb3fff27ea09031224202d7a782cead278e
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {'应纳税额': '累进税率表按日期或公式变化，逐行计算'}
ENUMS = ()
K0 = _b.Table(['36000', '40000'], None, 'num')  # 第一档上限的各版本


def b_第一档上限(c):
    """「第一档上限」, line 7."""
    x1 = c.dated_table(0, K0)
    return x1


def b_计税所得(c):
    """「计税所得」, line 18."""
    i_应纳税所得额 = c.input('应纳税所得额')
    i_扣除 = c.input('扣除')
    x1 = c.sub(i_应纳税所得额, i_扣除)
    return x1


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'第一档上限': b_第一档上限, '计税所得': b_计税所得}
