"""Calendar months over columns of day numbers (民法典 第二百零三条), vectorised with numpy.

Dates are int64 day numbers since 1970-01-01 (as in batchops); a month index counts months
since 1970-01. These agree row for row with the scalar definitions in guize.runtime.dates
(tests/test_time.py checks them against each other with hypothesis).
"""

from __future__ import annotations

from typing import Any

import numpy as np

FIRST_MONTH = (1 - 1970) * 12  # the month indices of 0001-01 and 9999-12
LAST_MONTH = (9999 - 1970) * 12 + 11


def months(days: Any) -> tuple[Any, Any]:
    """Day numbers -> (month index, day of the month)."""
    dd = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    m = dd.astype("datetime64[M]")
    return m.astype(np.int64), (dd - m.astype("datetime64[D]")).astype(np.int64) + 1


def month_start(index: Any) -> Any:
    """Month index -> the day number of the month's first day (年月)."""
    return np.asarray(index, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def month_length(index: Any) -> Any:
    return month_start(np.asarray(index) + 1) - month_start(index)


def months_between(a: Any, b: Any) -> Any:
    """Whole months from a to b (negative if b is earlier): the corresponding day must be reached,
    or the month's last day when the month has no such day (dates.months_between)."""
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    swap = b < a
    (m_lo, d_lo), (m_hi, d_hi) = months(np.where(swap, b, a)), months(np.where(swap, a, b))
    m = m_hi - m_lo - (np.minimum(d_lo, month_length(m_hi)) > d_hi)
    return np.where(swap, -m, m)


def full_years(a: Any, b: Any) -> Any:
    """The whole years from a to b, in months (dates.full_years)."""
    m = months_between(a, b)
    return np.sign(m) * (np.abs(m) // 12) * 12


def add_months(days: Any, count: Any) -> tuple[Any, Any]:
    """(day numbers `count` months later, rows beyond years 1-9999): the corresponding day, or
    the target month's last day (dates.add_months). Rows beyond the calendar get a real day."""
    index, day_of = months(days)
    target = index + np.asarray(count, dtype=np.int64)
    beyond = (target < FIRST_MONTH) | (target > LAST_MONTH)
    target = np.where(beyond, 0, target)
    return month_start(target) + np.minimum(day_of, month_length(target)) - 1, beyond


def year_month(days: Any) -> Any:
    """The first day of each date's month."""
    return month_start(months(days)[0])
