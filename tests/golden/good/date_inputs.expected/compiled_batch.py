# Columnar evaluators of tests/golden/good/date_inputs.rule, written by guize 0.2.0.dev0 (guize.compiler.batchgen)
# source sha256: 7521698fed9cbcbb7e5a97de1c42aca2d9557c1c051ce9e0699f2dd10f6b15ba
# for Policy.evaluate_batch: fixed-point int64 columns with overflow checks (guize.runtime.batchops).
# The sibling of the policy's own module, imported (with numpy) when evaluate_batch is first called.
# Do not edit: regenerate with `guize compile`.
from guize.runtime import batchops as _b

FORMAT = '2'
FALLBACK = {}
ENUMS = ()
K0 = _b.num('12')
K1 = _b.num('24')


def b_在职月数(c):
    """「在职月数」, line 8."""
    i_入职日期 = c.input('入职日期')
    x1 = c.call('months_between', i_入职日期, c.asof())
    return x1


def b_满一年(c):
    """「满一年」, line 9."""
    d_在职月数 = c.ref('在职月数')
    x1 = c.cmp('>=', d_在职月数, K0)
    return x1


def b_补贴截止日(c):
    """「补贴截止日」, line 10."""
    i_入职日期 = c.input('入职日期')
    x1 = c.call('add_months', i_入职日期, K1)
    return x1


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
DEFS = {'在职月数': b_在职月数, '满一年': b_满一年, '补贴截止日': b_补贴截止日, '发运年份': b_发运年份, '发运后天数': b_发运后天数}
