# Columnar evaluators of tests/golden/good/lists.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: a8b1fd0528c4c0ed32aad0ceae526bfa64122813e25d1e75572d8cf696e4d947
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {'家庭收入': '列表（逐项计算、汇总）逐行计算', '家庭人口': '列表（逐项计算、汇总）逐行计算', '未成年人数': '列表（逐项计算、汇总）逐行计算',
 '有在校生': '列表（逐项计算、汇总）逐行计算', '成年人都有收入': '列表（逐项计算、汇总）逐行计算', '最高收入': '列表（逐项计算、汇总）逐行计算',
 '成年平均收入': '列表（逐项计算、汇总）逐行计算', '补差': '依赖逐行计算的「家庭人口」', '每人补助': '列表（逐项计算、汇总）逐行计算',
 '累计补助': '列表（逐项计算、汇总）逐行计算', '此前补助': '列表（逐项计算、汇总）逐行计算'}
ENUMS = ()
K0 = _b.num('800')


def b_保障标准(c):
    """「保障标准」, line 11."""
    return K0


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'保障标准': b_保障标准}
