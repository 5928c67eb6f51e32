"""Rounding a fixed-point column to fewer decimal places (batchops.Chunk.rnd and .div): exact
integer division in each rounding mode, in the fewest numpy passes the bounds allow.

Split from guize.runtime.batchops (which re-exports nothing of it): the functions take the
chunk (`c`: its executor `k` and `new()`) and its columns, arrays or kernel registers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from guize.runtime.kernel import Reg, copy

I64 = 2**63 - 1
Column = Any  # an int64/bool array, or a kernel register standing for one


def is_arr(x: Any) -> bool:
    return isinstance(x, (np.ndarray, Reg))


def rq(x: int, d: int, mode: str) -> int:
    """x / d rounded in `mode` (half_up: half away from zero), Python ints, d > 0."""
    q, r = divmod(x, d)  # floor
    if r == 0 or mode == "floor":
        return q
    if mode == "ceil":
        return q + 1
    if mode == "down":
        return q + 1 if x < 0 else q
    # half_up: compare the distance to the lower and upper neighbour
    up = r * 2 > d or (r * 2 == d and x > 0)
    return q + 1 if up else q


def rq_arr(c: Any, v: Column, d: Any, mode: str, lo: int, hi: int, out: Column | None,
            dest: Column | None = None) -> Column:
    """v / d rounded in `mode` for a column v and d (a positive Python int or int64 column).

    `out` may receive intermediate values; the result goes to `dest` when one is given.
    """
    k = c.k
    scalar_d = not is_arr(d)
    if mode == "floor" or (mode == "down" and lo >= 0):
        if out is not None and dest is not None and strided(dest):
            return divide_into(c, k.call(np.floor_divide, v, d, out=out), d, dest, done=True)
        target = dest if dest is not None else out
        return k.call(np.floor_divide, v, d, out=target if target is not None else c.new())
    if lo >= 0 and scalar_d:
        # Non-negative values: a cheap form when the addend cannot overflow.
        add = d - 1 if mode == "ceil" else d // 2
        if hi + add <= I64:
            t = k.call(np.add, v, add, out=out if out is not None else c.new())
            return divide_into(c, t, d, dest if dest is not None else t)
    q = rq_general(c, v, d, mode)
    if dest is not None:
        return k.call(copy, q, out=dest)
    return q


def strided(a: Column | None) -> bool:
    if isinstance(a, Reg):
        return a.strided
    return a is not None and not a.flags.c_contiguous


def divide_into(c: Any, t: Column, d: Any, dest: Column, done: bool = False) -> Column:
    """floor(t / d) into `dest`; `t` may be overwritten (`done`: t already holds the quotient).

    numpy divides by a scalar with a fast reciprocal loop only between contiguous arrays:
    into a strided `dest` (an output's low words) it is several times slower than dividing
    in place and copying, so do that.
    """
    k = c.k
    if strided(dest) and not strided(t):
        if not done:
            k.call(np.floor_divide, t, d, out=t)
        return k.call(copy, t, out=dest)
    if done:
        return k.call(copy, t, out=dest)
    return k.call(np.floor_divide, t, d, out=dest)


def rq_general(c: Any, v: Column, d: Any, mode: str) -> Column:
    """v / d rounded in `mode` for any signs, into a new column."""
    k = c.k
    if mode == "ceil":  # -floor(-v / d)
        q = k.call(np.negative, v, out=c.new())
        k.call(np.floor_divide, q, d, out=q)
        return k.call(np.negative, q, out=q)
    m = k.call(np.abs, v, out=c.new())
    q = k.call(np.floor_divide, m, d, out=c.new())
    if mode == "half_up":  # the remainder is at least half of d: round away from zero
        r = k.call(np.multiply, q, d, out=c.new())
        k.call(np.subtract, m, r, out=r)  # r = |v| - q*d
        k.call(np.subtract, d, r, out=m)  # m = d - r
        k.call(np.add, q, k.call(np.greater_equal, r, m, out=c.new(bool)), out=q)
    return k.call(np.negative, q, out=q, where=k.call(np.less, v, 0, out=c.new(bool)))
