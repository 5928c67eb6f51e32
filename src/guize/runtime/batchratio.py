"""Unrounded quotients in batch evaluation: exact fractions, and the scalar path's rounding error.

`人均月收入 = 家庭月收入 ÷ 家庭人口` is not rounded: the scalar path keeps the quotient to 34
significant digits (values.DIVISION), then subtracts and multiplies in a 28-digit context
(values.CONTEXT), and rounds only at the end (月低保金, to the cent). A fixed-point column cannot
hold that quotient, so it used to send every row to the scalar path.

Here such a value is a `Ratio`: an exact fraction n / d of a fixed-point column n (a batchops
Num) over a column d of positive integers, plus `eps`, a bound on how far the scalar path's
value (after its roundings to 34 and 28 digits) can be from the exact fraction, computed from
the columns' bounds (interval arithmetic, as batchops does for overflow). Where a Ratio is
used up — compared, or rounded to an output's step — the exact fraction decides, and the rows
whose answer the scalar path's error could change are flagged for the scalar path:

* a comparison: the exact difference is zero or at least 1 / (max d × 10**scale) away from it;
  when eps is below that, only rows of an exact tie can differ (and not even those when the
  value is a single correctly rounded quotient compared with a number: Decimal division is
  exact whenever the quotient is representable, and a tie means it is);
* a rounding: the exact value is on a rounding boundary, or at least 1 / (2 × max d') of a step
  away from one (half-up; 1 / max d' for the other modes); when eps is below that, only rows
  exactly on a boundary are flagged.

If eps is not below the gap every guarded row is flagged (the exact scalar path decides).

Rows whose divisor is zero are `undef`: the fraction's denominator is 0 there (for a
comparison or a product nothing divides by it; a rounding, which does, takes 1 instead:
`safe`, one pass made only then) and the rows are flagged only where the Ratio is used up *under the guard*
of the expression using it (`家庭人口 > 0人 且 人均月收入 < 标准`: the comparison is reached only
where 家庭人口 > 0), which guize.compiler.batchgen_ratio passes in. The scalar path evaluates
lazily and short-circuits, so a zero divisor is an error only where the quotient is reached;
a guard that over-approximates the rows reaching it only flags more rows, never fewer.

Multiplying a Ratio by its own divisor (the same column object: `(标准 − 人均月收入) × 家庭人口`)
cancels it: the result is the exact numerator over 1, with the scalar path's error bound.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from guize.runtime.batchops import Chunk, Num
from guize.runtime.kernel import Reg

DIV_DIGITS = 34  # values.DIVISION
DIGITS = 28  # values.CONTEXT
_ONE = Num(1, 0, 1, 1)
_ZERO = Num(0, 0, 0, 0)


def _is_arr(x: Any) -> bool:
    return isinstance(x, (np.ndarray, Reg))


class Ratio:
    """n / d: n a Num (its scale), d a Num of integers >= 1 (scale 0) on every row but the
    `undef` ones, where it may be 0 (its bounds say so: see safe); `of`: the divisor as
    written when d equals it on every defined row; `undef`: rows whose divisor was zero (a
    bool column, True, or None); `eps`: |scalar path's value − n / d| <= eps on every defined
    row; `fresh`: the scalar value is one correctly rounded quotient of two exact numbers."""

    __slots__ = ("d", "eps", "fresh", "n", "of", "undef")

    def __init__(self, n: Num, d: Num, of: Num | None, undef: Any, eps: Fraction, fresh: bool) -> None:
        self.n, self.d, self.of, self.undef, self.eps, self.fresh = n, d, of, undef, eps, fresh

    def magnitude(self) -> Fraction:
        """A bound on |n / d| over all rows."""
        return Fraction(max(abs(self.n.lo), abs(self.n.hi)), 10**self.n.s * max(self.d.lo, 1))


def _half_ulp(mag: Fraction, digits: int) -> Fraction:
    """Half a unit in the last of `digits` significant digits of any number up to `mag`: the
    most a rounding to that many digits moves it."""
    if mag <= 0:
        return Fraction(0)
    e = len(str(int(mag))) - 1 if mag >= 1 else 0  # 10**e <= mag < 10**(e+1) when mag >= 1
    return Fraction(5) * Fraction(10) ** (e - digits)


def _undef(c: Chunk, a: Any, b: Any) -> Any:
    if a is None or a is False:
        return b
    if b is None or b is False:
        return a
    return c.or_(a, b)


def div(c: Chunk, a: Num, b: Num) -> Ratio:
    """a ÷ b, unrounded: (a.v × 10**b.s) / b.v at a's scale (b.v the divisor's integers)."""
    n = c.align(a, a.s + b.s)
    n = Num(n.v, a.s, n.lo, n.hi)
    bi = Num(b.v, 0, b.lo, b.hi)
    undef: Any = None
    of: Num | None = b
    if not _is_arr(b.v):
        if b.v == 0:
            return Ratio(n, _ONE, None, True, Fraction(0), True)
        d = Num(abs(b.v), 0, abs(b.v), abs(b.v))
        if b.v < 0:
            n, of = c.neg(n), None
    else:
        d = bi
        if b.lo <= 0 <= b.hi:  # zero divisors: undefined there (see the module's docstring)
            zero = c.cmp("==", bi, _ZERO)
            if zero is True:
                return Ratio(n, _ONE, None, True, Fraction(0), True)
            if zero is not False and c.k.maybe(zero):
                undef = zero
                # A negative divisor: 1 where zero (a mask); else d stays 0 there, made 1
                # only where something divides by it (safe).
                if b.lo < 0:
                    d = c.where(zero, _ONE, bi)
        if b.lo < 0:
            neg = c.cmp("<", bi, _ZERO)
            n = c.where(neg, c.neg(n), n)
            d = c.where(neg, c.neg(Num(d.v, 0, d.lo, d.hi)), d)
            of = None
        d = Num(d.v, 0, 0 if undef is not None and b.lo >= 0 else 1, max(abs(b.lo), abs(b.hi), 1))
    r = Ratio(n, d, of, undef, Fraction(0), True)
    r.eps = _half_ulp(r.magnitude(), DIV_DIGITS)
    return r


def _as_ratio(x: Num | Ratio) -> Ratio:
    return x if isinstance(x, Ratio) else Ratio(x, _ONE, None, None, Fraction(0), False)


def shared(r: Ratio) -> Ratio:
    """A definition's Ratio: read by other definitions, so no operation may write into its
    columns (as Chunk.ref does for a Num)."""
    n, d = r.n, r.d
    return Ratio(Num(n.v, n.s, n.lo, n.hi), Num(d.v, d.s, d.lo, d.hi), r.of, r.undef, r.eps, r.fresh)


def _is_one(d: Num) -> bool:
    return not _is_arr(d.v) and d.v == 1


def _den(d: Num, *parts: Num) -> Num:
    """A product of denominators: at least 1 where each part is (0 where one may be)."""
    return Num(d.v, 0, max(d.lo, 1) if all(p.lo >= 1 for p in parts) else max(d.lo, 0), d.hi, d.own)


def safe(c: Chunk, d: Num) -> Num:
    """A denominator to divide by: 1 on the rows where it is 0 (undefined rows, whose value
    nothing reads) — max(d, 1), one pass, made once per chunk and column."""
    if d.lo >= 1 or not _is_arr(d.v):
        return d
    key = ("ratio safe", id(d.v))
    hit = c.tests.get(key)
    if hit is None:
        m = c.max_(d, _ONE)
        hit = c.tests[key] = (d.v, None, Num(m.v, 0, 1, max(d.hi, 1)))
    return hit[2]


def _numerators(c: Chunk, a: Ratio, b: Ratio) -> tuple[Num, Num, Num]:
    """a and b over a common denominator: (a's numerator, b's numerator, the denominator)."""
    s = max(a.n.s, b.n.s)
    an, bn = c.align(a.n, s), c.align(b.n, s)
    if a.d is b.d:
        return an, bn, a.d
    if _is_one(b.d):
        return an, _times(c, bn, a.d), a.d
    if _is_one(a.d):
        return _times(c, an, b.d), bn, b.d
    d = c.mul(a.d, b.d)
    return c.mul(an, b.d), c.mul(bn, a.d), _den(d, a.d, b.d)


def _times(c: Chunk, x: Num, d: Num) -> Num:
    """x × d, made once per chunk for the same columns (人均月收入 < 标准 and 标准 − 人均月收入 both
    need 标准 × 家庭人口); shared, so no operation writes into it. A temporary operand (which
    a later operation may overwrite) is not remembered, as in Chunk.cmp."""
    if x.own or d.own or not (_is_arr(x.v) or _is_arr(d.v)):
        return c.mul(x, d)
    key = ("ratio×", x.s, id(x.v) if _is_arr(x.v) else ("k", x.v), id(d.v) if _is_arr(d.v) else ("k", d.v))
    hit = c.tests.get(key)
    if hit is None:
        p = c.mul(x, d)
        hit = c.tests[key] = (x.v, d.v, Num(p.v, p.s, p.lo, p.hi))
    return hit[2]


def _combine(c: Chunk, x: Num | Ratio, y: Num | Ratio, op: str) -> Ratio:
    a, b = _as_ratio(x), _as_ratio(y)
    an, bn, d = _numerators(c, a, b)
    n = c.add(an, bn) if op == "+" else c.sub(an, bn)
    if a.d is b.d:
        of = a.of if a.of is b.of else None
    else:
        of = a.of if _is_one(b.d) else b.of if _is_one(a.d) else None
    return Ratio(n, d, of, _undef(c, a.undef, b.undef), a.eps + b.eps, False)


def add(c: Chunk, x: Num | Ratio, y: Num | Ratio) -> Ratio:
    r = _combine(c, x, y, "+")
    r.eps += _half_ulp(r.magnitude() + r.eps, DIGITS)
    return r


def sub(c: Chunk, x: Num | Ratio, y: Num | Ratio) -> Ratio:
    r = _combine(c, x, y, "-")
    r.eps += _half_ulp(r.magnitude() + r.eps, DIGITS)
    return r


def neg(c: Chunk, x: Ratio) -> Ratio:
    """−x: Decimal's unary minus rounds to the context's 28 digits too."""
    r = Ratio(c.neg(x.n), x.d, x.of, x.undef, x.eps, False)
    r.eps += _half_ulp(r.magnitude() + r.eps, DIGITS)
    return r


def _max_abs(x: Num | Ratio) -> Fraction:
    if isinstance(x, Ratio):
        return x.magnitude() + x.eps
    return Fraction(max(abs(x.lo), abs(x.hi)), 10**x.s)


def mul(c: Chunk, x: Num | Ratio, y: Num | Ratio) -> Ratio:
    if not isinstance(x, Ratio):
        x, y = y, x
    assert isinstance(x, Ratio)  # INVARIANT: batchgen_ratio calls this with a Ratio operand
    eps = x.eps * _max_abs(y)
    if isinstance(y, Ratio):
        eps += y.eps * _max_abs(x) + x.eps * y.eps
        d = c.mul(x.d, y.d)
        r = Ratio(c.mul(x.n, y.n), _den(d, x.d, y.d), None, _undef(c, x.undef, y.undef),
                  eps, False)
    elif y is x.of:  # (… ÷ y) × y: the divisor cancels (rows where it was zero are undefined anyway)
        r = Ratio(Num(x.n.v, x.n.s + y.s, x.n.lo, x.n.hi, x.n.own), _ONE, None, x.undef, eps, False)
    else:
        r = Ratio(c.mul(x.n, y), x.d, None, x.undef, eps, False)
    r.eps += _half_ulp(r.magnitude() + r.eps, DIGITS)
    return r


# The signs of x − y for which `x op y` holds.
_SIGNS = {op: frozenset(s) for op, s in {"<": {-1}, "<=": {-1, 0}, "==": {0}, "!=": {-1, 1}, ">": {1},
                                        ">=": {0, 1}}.items()}
_ALL = frozenset({-1, 0, 1})


def _facts(c: Chunk, mask: Any, made: dict[int, tuple[Any, ...]], negated: bool = False,
           seen: frozenset[int] = frozenset()) -> list[tuple[frozenset[int], tuple[Any, ...]]]:
    """Comparisons that hold on every row of `mask` (of its negation with `negated`), as far as
    the chunk's memo of tests (Chunk.tests) tells, each as (the signs of x − y it allows, its
    operands): the comparison that made it, those of both sides of an `and` (under a 非: of
    an `or`), and through a 非 the comparison's complement (非 家庭人口 = 0: 家庭人口 ≠ 0)."""
    key = made.get(id(mask))
    if key is None or id(mask) in seen:
        return []
    if key[0] in _SIGNS:
        signs = _SIGNS[key[0]]
        return [(_ALL - signs if negated else signs, key[1:])]
    if key[0] is (np.logical_or if negated else np.logical_and):
        a, b, _out = c.tests[key]
        return _facts(c, a, made, negated, seen) + _facts(c, b, made, negated, seen)
    if key[0] is np.logical_not:
        return _facts(c, c.tests[key][0], made, not negated, seen | {id(mask)})
    return []


def disjoint(c: Chunk, a: Any, b: Any) -> bool:
    """Whether no row can be in both masks: each holds a comparison of the same two columns
    that cannot hold with the other (家庭人口 = 0 against 家庭人口 > 0). False when unsure."""
    if not (_is_arr(a) and _is_arr(b)):
        return False
    # Each mask by the test that made it; a 非's second entry (not (not a) is a, see
    # Chunk.not_) does not hide the comparison that made `a`.
    made: dict[int, tuple[Any, ...]] = {}
    for key, (_a, _b, out) in c.tests.items():
        if key[0] is not np.logical_not or id(out) not in made:
            made[id(out)] = key
    right = _facts(c, b, made)
    return any(k1 == k2 and not s1 & s2 for s1, k1 in _facts(c, a, made) for s2, k2 in right)


def _reached(c: Chunk, undef: Any, guard: Any) -> None:
    """Flag the undefined rows (zero divisors) this use reaches: the scalar path reports them
    (none where the guard excludes them: a division by 家庭人口 under 家庭人口 > 0)."""
    if undef is None or undef is False or disjoint(c, undef, guard):
        return
    if guard is True:
        c.flag(undef)
    elif guard is not False:
        c.flag(c.and_(undef, guard))


def _flag_guarded(c: Chunk, mask: Any, guard: Any) -> None:
    c.flag(mask if guard is True else c.and_(mask, guard))


def cmp(c: Chunk, op: str, x: Num | Ratio, y: Num | Ratio, guard: Any = True) -> Any:
    """x op y, at least one of them a Ratio, decided on the exact fractions."""
    a, b = _as_ratio(x), _as_ratio(y)
    _reached(c, _undef(c, a.undef, b.undef), guard)
    an, bn, d = _numerators(c, a, b)
    result = c.cmp(op, an, bn)
    eps = a.eps + b.eps
    if eps == 0:
        return result
    gap = Fraction(1, max(d.hi, 1) * 10**an.s)  # the least nonzero |x − y|
    if eps >= gap:
        _flag_guarded(c, True, guard)
    elif not ((a.fresh and b.eps == 0 and isinstance(y, Num)) or (b.fresh and a.eps == 0 and isinstance(x, Num))):
        tie = c.cmp("==", an, bn)  # an exact tie: the scalar path's roundings may break it either way
        if tie is not False:
            _flag_guarded(c, tie, guard)
    return result


def rnd(c: Chunk, x: Ratio, exp: int, mode: str, guard: Any = True) -> Num:
    """x rounded to a multiple of 10**exp in `mode`, as the scalar path rounds its value."""
    _reached(c, x.undef, guard)
    n, d = x.n, safe(c, x.d)
    if x.eps:  # the boundary test reads n and d after the rounding: which may not write into them
        n = Num(n.v, n.s, n.lo, n.hi)
        d = d if _is_one(d) else Num(d.v, d.s, d.lo, d.hi)
    result = c.rnd(n, exp, mode) if _is_one(d) else c.rdiv(n, d, exp, mode)
    if x.eps:
        _flag_boundaries(c, x, d, exp, mode, guard)
    return result


def _flag_boundaries(c: Chunk, x: Ratio, d: Num, exp: int, mode: str, guard: Any) -> None:
    """Flag the rows whose rounding the scalar path's error (x.eps) could change (`d`: x's
    denominator, safe to divide by)."""
    n = x.n
    # The value in steps of 10**exp is A / B, A and B integers, B >= 1.
    shift = n.s + exp
    if shift >= 0:
        a_num, b_den = n, (d if shift == 0 else c.mul(d, Num(10**shift, 0, 10**shift, 10**shift)))
    else:
        a_num, b_den = c.align(n, n.s - shift), d
    b_max = max(b_den.hi, 1)
    half = mode == "half_up"
    gap = Fraction(1, 2 * b_max) if half else Fraction(1, b_max)  # least nonzero distance to a boundary
    if x.eps * Fraction(10) ** -exp >= gap:
        _flag_guarded(c, True, guard)
        return
    if _is_one(b_den):
        if not half:  # every value is a boundary of floor/ceil/down
            _flag_guarded(c, True, guard)
        return  # half-up boundaries are halves: never an integer
    k = c.k
    if half:  # on a boundary: 2|A| ≡ B (mod 2B)
        two = Num(2, 0, 2, 2)
        a2, b2 = c.mul(Num(a_num.v, 0, a_num.lo, a_num.hi), two), c.mul(b_den, two)
        rem = k.call(np.remainder, c.full(a2.v), b2.v, out=c.new())
        # remainder takes the divisor's sign: 2A ≡ B and −2A ≡ B (mod 2B) are the same test
        on = c.cmp("==", Num(rem, 0, 0, b2.hi), b_den)
    else:  # A ≡ 0 (mod B)
        rem = k.call(np.remainder, c.full(a_num.v), b_den.v, out=c.new())
        on = c.cmp("==", Num(rem, 0, 0, b_den.hi), _ZERO)
    if on is not False:
        _flag_guarded(c, on, guard)
