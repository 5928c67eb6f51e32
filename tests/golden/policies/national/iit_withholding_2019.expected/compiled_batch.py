# Columnar evaluators of policies/national/iit_withholding_2019.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 494b85b130a781673e9a61fad826896e769db34ef488a408b8e8e0f538f05a78
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {'累计预扣预缴应纳税所得额': '列表（逐项计算、汇总）逐行计算', '累计应预扣预缴税额': '列表（逐项计算、汇总）逐行计算',
 '各月预扣税额': '列表（逐项计算、汇总）逐行计算', '全年预扣税额': '列表（逐项计算、汇总）逐行计算'}
ENUMS = ()
K0 = _b.num('5000')


def b_每月减除费用(c):
    """「每月减除费用」, line 20."""
    return K0


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'每月减除费用': b_每月减除费用}
