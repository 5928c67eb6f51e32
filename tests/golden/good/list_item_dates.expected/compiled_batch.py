# Columnar evaluators of tests/golden/good/list_item_dates.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 0864f0482d82f80b0c1c6bde6fdab4d571337b5d4a2a8bb49b55fbc041c08b42
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {'各月应税': '参数按各项的适用日期选用版本，逐行计算', '全年减除': '参数按各项的适用日期选用版本，逐行计算', '七月收入': '唯一(…) 逐行计算'}
ENUMS = ()
K0 = _b.Table(['5000', '6000'], None, 'num')  # 月减除费用的各版本


def b_月减除费用(c):
    """「月减除费用」, line 10."""
    x1 = c.dated_table(0, K0)
    return x1


def b_当期减除(c):
    """「当期减除」, line 16."""
    d_月减除费用 = c.ref('月减除费用')
    x1 = c.rnd(d_月减除费用, -2, 'half_up', c.sink('当期减除'))
    return x1


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'月减除费用': b_月减除费用, '当期减除': b_当期减除}
