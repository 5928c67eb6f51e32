# Columnar evaluators of policies/national/subsistence_allowance_2014.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 9a37848a44b297492bd3757903b3cb8ca797e9b0abd9cc80e140ee7b3ec004e8
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b
from guize.runtime import batchlists as _l

FORMAT = '2'
FALLBACK = {'人均月收入': '除法的结果未舍入（请对除法结果舍入，如 向下取整(a ÷ b)）', '符合低保条件': '依赖逐行计算的「人均月收入」',
 '月低保金': '依赖逐行计算的「符合低保条件」', '重点保障对象': '依赖逐行计算的「符合低保条件」', '重点保障人数': '依赖逐行计算的「重点保障对象」'}
ENUMS = ()


def b_家庭月收入(c):
    """「家庭月收入」, line 25."""
    def fx1(c):  # each item of 共同生活的家庭成员
        return c.field('月收入')
    x2 = _l.aggregate(c, 'sum', '共同生活的家庭成员', None, fx1)
    return x2


def b_家庭人口(c):
    """「家庭人口」, line 26."""
    x1 = _l.aggregate(c, 'count', '共同生活的家庭成员', None, None)
    return x1


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'家庭月收入': b_家庭月收入, '家庭人口': b_家庭人口}
