# Columnar evaluators of policies/national/subsistence_allowance_2014.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 02a7aa8561351f61726a25c898a0722afe4201c8b889376c687efa4a6197fe13
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {'家庭月收入': '列表（逐项计算、汇总）逐行计算', '家庭人口': '列表（逐项计算、汇总）逐行计算',
 '人均月收入': '除法的结果未舍入（请对除法结果舍入，如 向下取整(a ÷ b)）', '符合低保条件': '依赖逐行计算的「家庭人口」', '月低保金': '依赖逐行计算的「符合低保条件」',
 '重点保障对象': '列表（逐项计算、汇总）逐行计算', '重点保障人数': '列表（逐项计算、汇总）逐行计算'}
ENUMS = ()


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {}
