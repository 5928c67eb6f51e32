# Columnar evaluators of tests/golden/good/date_inputs.rule, written by guize 0.1.0 (guize.compiler.batchgen)
# source sha256: 7521698fed9cbcbb7e5a97de1c42aca2d9557c1c051ce9e0699f2dd10f6b15ba
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {'在职月数': '日期函数 months_between 逐行计算', '满一年': '依赖逐行计算的「在职月数」',
 '补贴截止日': '日期函数 add_months 逐行计算'}
ENUMS = ()


def b_发运年份(c):
    """「发运年份」, line 11."""
    i_发运日期 = c.input('发运日期')
    x1 = c.call('year', i_发运日期)
    return x1


def b_发运后天数(c):
    """「发运后天数」, line 12."""
    i_发运日期 = c.input('发运日期')
    x1 = c.call('days_between', i_发运日期, c.asof())
    return x1


# Each vectorised definition's function of a chunk (guize.runtime.batchops.Chunk).
DEFS = {'发运年份': b_发运年份, '发运后天数': b_发运后天数}
