"""Hand-written baselines for the Xinjiang ordinary-outpatient rule.

Rule: 新政办发〔2024〕13号 第十四条 / 第十九条 (普通门诊统筹).

Inputs (JSON-like dict, Chinese keys):
    医院级别        "一级" | "二级" | "三级" | "未定级" (未定级 is treated as 一级)
    退休人员        bool, retirees get +5 percentage points on the payout rate
    本次费用        money (元), this visit's eligible cost
    住院起付线      money (元), inpatient deductible of the same hospital level
    本年已就诊次数  int >= 0, earlier visits this year (0 = first visit)
    本年已支付      money (元), fund already paid this year for ordinary outpatient
    住院期间        bool, optional, default False

Outputs:
    起付标准        住院起付线 × 10% on the first visit, × 5% later; half-up to 0.01 元
    支付比例        80% / 70% / 60% by level, +5 points for retirees
    统筹基金支付    0 while 住院期间; otherwise
                    min(max(本次费用 − 起付标准, 0) × 支付比例,
                        per-visit cap 300 / 800 / 1300 元,
                        max(4000 − 本年已支付, 0)),
                    half-up to 0.01 元

The payout uses the *rounded* 起付标准 (the published figure), which is how a
definition with a rounding clause is referenced elsewhere in the rule.

Two baselines are provided: `outpatient_decimal` (one record, exact Decimal
arithmetic, the scalar baseline) and `outpatient_numpy` (columnar, exact integer
arithmetic on fen, the batch baseline). `python bench/baselines.py` checks that
they agree and prints per-row timings.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import numpy as np
import numpy.typing as npt

# --------------------------------------------------------------------------- constants

LEVELS: tuple[str, ...] = ("一级", "二级", "三级", "未定级")
"""Level names; the position is the level code used by the numpy representation."""

LEVEL_CODES: dict[str, int] = {name: code for code, name in enumerate(LEVELS)}

_CENT = Decimal("0.01")
_ZERO_CENTS = Decimal("0.00")
_ZERO = Decimal(0)
_FIRST_VISIT_SHARE = Decimal("0.10")
_LATER_VISIT_SHARE = Decimal("0.05")
_ANNUAL_LIMIT = Decimal(4000)
_HALF_UP = ROUND_HALF_UP

# level -> (payout rate, payout rate for retirees, per-visit cap in 元, in whole cents)
_LEVEL_TERMS: dict[str, tuple[Decimal, Decimal, Decimal]] = {
    "一级": (Decimal("0.80"), Decimal("0.85"), Decimal("300.00")),
    "二级": (Decimal("0.70"), Decimal("0.75"), Decimal("800.00")),
    "三级": (Decimal("0.60"), Decimal("0.65"), Decimal("1300.00")),
}
_LEVEL_TERMS["未定级"] = _LEVEL_TERMS["一级"]

OUTPUT_KEYS: tuple[str, ...] = ("起付标准", "支付比例", "统筹基金支付")


# --------------------------------------------------------------------------- scalar baseline


def parse_money(value: Any, name: str) -> Decimal:
    """Convert a JSON-like money value to an exact, finite, non-negative Decimal."""
    kind = type(value)
    amount: Decimal
    if kind is Decimal:
        amount = value
    elif kind is str or kind is int:  # exact; `bool` is rejected because type(True) is bool
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"{name}: not a decimal amount: {value!r}") from None
    elif kind is float:
        amount = Decimal(str(value))  # the shortest repr, not the binary expansion
    else:
        raise TypeError(f"{name}: expected a money amount, got {kind.__name__}")
    if not amount.is_finite() or amount < _ZERO:
        raise ValueError(f"{name}: expected a finite non-negative amount, got {value!r}")
    return amount


def parse_flag(value: Any, name: str) -> bool:
    if type(value) is not bool:
        raise TypeError(f"{name}: expected bool, got {type(value).__name__}")
    return value


def outpatient_decimal(inputs: Mapping[str, Any]) -> dict[str, Decimal]:
    """Evaluate the outpatient rule for one record with exact Decimal arithmetic.

    Money values may be `int`, `str` (e.g. "1234.50"), `Decimal` or `float`
    (converted through `str`). Raises `KeyError` for a missing required input,
    `TypeError` / `ValueError` for a malformed one.
    """
    level = inputs["医院级别"]
    try:
        rate, retiree_rate, cap = _LEVEL_TERMS[level]
    except (KeyError, TypeError):
        raise ValueError(f"医院级别: expected one of {'/'.join(LEVELS)}, got {level!r}") from None
    if parse_flag(inputs["退休人员"], "退休人员"):
        rate = retiree_rate

    visits = inputs["本年已就诊次数"]
    if type(visits) is not int:
        raise TypeError(f"本年已就诊次数: expected int, got {type(visits).__name__}")
    if visits < 0:
        raise ValueError(f"本年已就诊次数: expected >= 0, got {visits}")

    cost = parse_money(inputs["本次费用"], "本次费用")
    deductible_line = parse_money(inputs["住院起付线"], "住院起付线")
    paid = parse_money(inputs["本年已支付"], "本年已支付")
    inpatient = inputs.get("住院期间", False)
    if inpatient is not False:
        inpatient = parse_flag(inpatient, "住院期间")

    share = _FIRST_VISIT_SHARE if visits == 0 else _LATER_VISIT_SHARE
    deductible = (deductible_line * share).quantize(_CENT, _HALF_UP)

    # payout = min(max(cost - deductible, 0) × rate, cap, max(limit - paid, 0)), rounded.
    # Rounding after `min` equals rounding the chosen term; the cap is already whole
    # cents, so only a product or a remaining-limit result needs `quantize`.
    payout = _ZERO_CENTS
    if not inpatient:
        base = cost - deductible
        if base > _ZERO:
            payout = base * rate
            if payout >= cap:
                payout = cap
            remaining = _ANNUAL_LIMIT - paid
            if remaining <= payout:
                payout = remaining.quantize(_CENT, _HALF_UP) if remaining > _ZERO else _ZERO_CENTS
            elif payout is not cap:
                payout = payout.quantize(_CENT, _HALF_UP)

    return {"起付标准": deductible, "支付比例": rate, "统筹基金支付": payout}


# --------------------------------------------------------------------------- batch baseline

IntArray = npt.NDArray[np.int64]

_BP = 10_000  # basis points per unit
_HALF_BP = _BP // 2
# Per-level tables, indexed by level code (0 一级, 1 二级, 2 三级, 3 未定级).
# Payout rate in basis points, indexed by level code * 2 + retiree.
_RATE_BP = np.array([8000, 8500, 7000, 7500, 6000, 6500, 8000, 8500], dtype=np.int64)
# Per-visit cap in 1/10000 fen (fen × _BP), the unit of a money × rate product.
_CAP_UNITS = np.array([30_000, 80_000, 130_000, 30_000], dtype=np.int64) * _BP
# Deductible share of the inpatient line in basis points, indexed by "not the first visit".
_SHARE_BP = np.array([1000, 500], dtype=np.int64)
_ANNUAL_LIMIT_FEN = 400_000


def _int_column(cols: Mapping[str, npt.NDArray[Any]], name: str) -> npt.NDArray[np.integer[Any]]:
    column = np.asarray(cols[name])
    if column.dtype.kind not in "iu":  # refuse floats rather than truncate them
        raise TypeError(f"{name}: expected an integer array, got {column.dtype}")
    return column


def outpatient_numpy(cols: Mapping[str, npt.NDArray[Any]]) -> dict[str, IntArray]:
    """Evaluate the outpatient rule on columns with exact integer arithmetic.

    Integer representation (all columns have the same length n):

    * money is int64 **fen** (分, 1/100 元): 1234.50 元 -> 123450;
    * 医院级别 is an integer **level code**, the index into `LEVELS`
      (0 一级, 1 二级, 2 三级, 3 未定级);
    * 退休人员 / 住院期间 are bool arrays (住院期间 may be omitted: all False);
    * 本年已就诊次数 is an integer array;
    * rates are int64 **basis points** (1/10000): 85% -> 8500.

    Outputs: 起付标准 and 统筹基金支付 in fen, 支付比例 in basis points.

    A money × rate product is in units of 1/10000 fen; it is rounded half-up to a
    whole fen as ``(x + 5000) // 10000``, which is exact for x >= 0 (every rounded
    quantity here is non-negative; negative money inputs are rejected). int64
    holds products for amounts up to about 9.2e14 fen, i.e. 9.2e12 元.
    """
    level = _int_column(cols, "医院级别")
    retiree = np.asarray(cols["退休人员"], dtype=bool)
    cost = _int_column(cols, "本次费用").astype(np.int64, copy=False)
    line = _int_column(cols, "住院起付线").astype(np.int64, copy=False)
    visits = _int_column(cols, "本年已就诊次数")
    paid = _int_column(cols, "本年已支付").astype(np.int64, copy=False)
    inpatient = cols.get("住院期间")

    if level.size and (level.min() < 0 or level.max() >= len(LEVELS)):
        raise ValueError("医院级别: level code out of range")
    for name, money in (("本次费用", cost), ("住院起付线", line), ("本年已支付", paid)):
        if money.size and money.min() < 0:
            raise ValueError(f"{name}: negative amount")
    if visits.size and visits.min() < 0:
        raise ValueError("本年已就诊次数: negative count")
    level = level.astype(np.int8, copy=False)

    # Table look-ups with small integer indices; arithmetic in place to spare passes.
    deductible = _SHARE_BP.take((visits != 0).view(np.int8))
    deductible *= line
    deductible += _HALF_BP
    deductible //= _BP

    rate = _RATE_BP.take(level * np.int8(2) + retiree.view(np.int8))

    # From here to the final rounding the payout is in 1/10000 fen.
    payout = cost - deductible
    np.maximum(payout, 0, out=payout)
    payout *= rate
    np.minimum(payout, _CAP_UNITS.take(level), out=payout)
    remaining = _ANNUAL_LIMIT_FEN - paid
    np.maximum(remaining, 0, out=remaining)
    remaining *= _BP
    np.minimum(payout, remaining, out=payout)
    payout += _HALF_BP
    payout //= _BP
    if inpatient is not None:
        payout[np.asarray(inpatient, dtype=bool)] = 0

    return {"起付标准": deductible, "支付比例": rate, "统筹基金支付": payout}


def outpatient_numpy_blocked(cols: Mapping[str, npt.NDArray[Any]], block: int = 8192) -> dict[str, IntArray]:
    """`outpatient_numpy` run on blocks of `block` rows, written into whole-column results.

    The same work, arranged as guize's kernels arrange it: a block's temporaries stay in the
    CPU cache between operations. Not the batch target's baseline (that is the plain,
    whole-array `outpatient_numpy`); shown beside it so that the benchmark says how much of
    guize's time is the cache blocking a careful hand could also do.
    """
    n = len(cols["本次费用"])
    out = {name: np.empty(n, dtype=np.int64) for name in ("起付标准", "支付比例", "统筹基金支付")}
    for start in range(0, n, block):
        part = outpatient_numpy({k: v[start:start + block] for k, v in cols.items()})
        for name, values in part.items():
            out[name][start:start + block] = values
    return out


# --------------------------------------------------------------------------- test data


def make_rows(n: int, seed: int = 0) -> dict[str, npt.NDArray[Any]]:
    """Deterministic random inputs in the integer representation of `outpatient_numpy`.

    Covers every level (未定级 included), retirees (~30%), first visits (~25%) and
    later ones, costs 0–20000 元 with cents (~5% exactly 0, ~25% under 200 元, so
    the deductible and the zero floor matter), 本年已支付 0–5000 元 (some at or past
    the 4000 元 annual limit) and 住院期间 True for ~3% of rows. Half of the
    inpatient deductible lines carry cents so 起付标准 exercises half-up rounding.
    Use `to_records` for the JSON-like per-row form.
    """
    rng = np.random.default_rng(seed)
    level = rng.integers(0, len(LEVELS), n, dtype=np.int8)
    retiree = rng.random(n) < 0.3
    cost = np.where(
        rng.random(n) < 0.25,
        rng.integers(0, 20_000, n),  # under 200 元
        rng.integers(0, 2_000_001, n),  # up to 20000 元
    )
    cost[rng.random(n) < 0.05] = 0
    line_yuan = np.array([300, 500, 800, 300])[level] + rng.integers(-100, 701, n)
    line = line_yuan * 100 + np.where(rng.random(n) < 0.5, rng.integers(0, 100, n), 0)
    visits = np.where(rng.random(n) < 0.25, 0, rng.integers(1, 60, n))
    paid = rng.integers(0, 500_001, n)
    paid[rng.random(n) < 0.02] = _ANNUAL_LIMIT_FEN
    inpatient = rng.random(n) < 0.03
    return {
        "医院级别": level,
        "退休人员": retiree,
        "本次费用": cost.astype(np.int64),
        "住院起付线": line.astype(np.int64),
        "本年已就诊次数": visits.astype(np.int64),
        "本年已支付": paid.astype(np.int64),
        "住院期间": inpatient,
    }


def arrow_table(cols: dict[str, Any], level_as: str = "dictionary", dates: Any = None,
                money_as: str = "decimal128") -> Any:
    """make_rows() columns as the pyarrow Table a user would pass: exact decimal money."""
    import pyarrow as pa

    def money(fen: Any) -> Any:  # int fen -> decimal(18, 2) without going through floats
        if money_as == "decimal64":  # 64-bit decimals: the very bytes of integer fen
            return pa.Array.from_buffers(pa.decimal64(18, 2), len(fen), [None, pa.py_buffer(fen)])
        words = np.empty((len(fen), 2), dtype=np.int64)
        words[:, 0] = fen
        words[:, 1] = fen >> 63
        return pa.Array.from_buffers(pa.decimal128(18, 2), len(fen), [None, pa.py_buffer(words)])

    codes = pa.array(cols["医院级别"].astype(np.int8))
    level = pa.DictionaryArray.from_arrays(codes, pa.array(LEVELS))
    if level_as == "string":
        level = level.cast(pa.string())
    columns = {
        "医院级别": level,
        "退休人员": pa.array(cols["退休人员"]),
        "本次费用": money(cols["本次费用"]),
        "住院起付线": money(cols["住院起付线"]),
        "本年已就诊次数": pa.array(cols["本年已就诊次数"]),
        "本年已支付": money(cols["本年已支付"]),
        "住院期间": pa.array(cols["住院期间"]),
    }
    if dates is not None:
        columns["就诊日期"] = dates
    return pa.table(columns)


def _fen_str(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def to_records(cols: Mapping[str, npt.NDArray[Any]]) -> Iterator[dict[str, Any]]:
    """Yield JSON-like records (money as strings such as "1234.50") from `make_rows` columns."""
    columns = zip(
        cols["医院级别"].tolist(),
        cols["退休人员"].tolist(),
        cols["本次费用"].tolist(),
        cols["住院起付线"].tolist(),
        cols["本年已就诊次数"].tolist(),
        cols["本年已支付"].tolist(),
        cols["住院期间"].tolist(),
        strict=True,
    )
    for level, retiree, cost, line, visits, paid, inpatient in columns:
        yield {
            "医院级别": LEVELS[level],
            "退休人员": retiree,
            "本次费用": _fen_str(cost),
            "住院起付线": _fen_str(line),
            "本年已就诊次数": visits,
            "本年已支付": _fen_str(paid),
            "住院期间": inpatient,
        }


def decimal_to_fen(amount: Decimal) -> int:
    """Exact 元 -> fen conversion; raises if the amount is not whole cents."""
    fen = amount.scaleb(2)
    if fen != fen.to_integral_value():
        raise ValueError(f"not whole cents: {amount}")
    return int(fen)


# --------------------------------------------------------------------------- self-check


def _best_of(repeats: int, fn: Any, *args: Any) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - start)
    return best


def _check_agreement(n: int, seed: int) -> list[dict[str, Any]]:
    cols = make_rows(n, seed)
    records = list(to_records(cols))
    got = outpatient_numpy(cols)
    for i, record in enumerate(records):
        want = outpatient_decimal(record)
        as_ints = (
            decimal_to_fen(want["起付标准"]),
            int(want["支付比例"].scaleb(4)),
            decimal_to_fen(want["统筹基金支付"]),
        )
        row = (int(got["起付标准"][i]), int(got["支付比例"][i]), int(got["统筹基金支付"][i]))
        if as_ints != row:
            raise AssertionError(f"row {i}: decimal {as_ints} != numpy {row} for {record}")
    return records


def _spot_checks() -> None:
    """A few hand-computed cases, with the input kinds the scalar API accepts."""
    cases: list[tuple[dict[str, Any], tuple[str, str, str]]] = [
        # first visit, 一级: 10% of 333.35 = 33.335 -> 33.34; (1000 - 33.34) × 0.8 > cap 300
        (
            {
                "医院级别": "一级",
                "退休人员": False,
                "本次费用": 1000,
                "住院起付线": "333.35",
                "本年已就诊次数": 0,
                "本年已支付": 0,
            },
            ("33.34", "0.80", "300.00"),
        ),
        # later visit, 三级 retiree: 5% of 900 = 45; (145.01 - 45) × 0.65 = 65.0065 -> 65.01
        (
            {
                "医院级别": "三级",
                "退休人员": True,
                "本次费用": Decimal("145.01"),
                "住院起付线": 900,
                "本年已就诊次数": 3,
                "本年已支付": "100",
            },
            ("45.00", "0.65", "65.01"),
        ),
        # annual limit binds: 4000 - 3999.99 = 0.01
        (
            {
                "医院级别": "未定级",
                "退休人员": False,
                "本次费用": "500",
                "住院起付线": 300,
                "本年已就诊次数": 1,
                "本年已支付": "3999.99",
            },
            ("15.00", "0.80", "0.01"),
        ),
        # inpatient: no outpatient payout
        (
            {
                "医院级别": "二级",
                "退休人员": False,
                "本次费用": "500",
                "住院起付线": 600,
                "本年已就诊次数": 1,
                "本年已支付": 0,
                "住院期间": True,
            },
            ("30.00", "0.70", "0.00"),
        ),
        # half-up on the payout: (15.01 - 15.00) × 0.85 = 0.0085 -> 0.01
        (
            {
                "医院级别": "一级",
                "退休人员": True,
                "本次费用": "15.01",
                "住院起付线": 300,
                "本年已就诊次数": 2,
                "本年已支付": 0,
            },
            ("15.00", "0.85", "0.01"),
        ),
    ]
    for inputs, expected in cases:
        got = outpatient_decimal(inputs)
        shown = tuple(str(got[key]) for key in OUTPUT_KEYS)
        if shown != expected:
            raise AssertionError(f"{inputs}: got {shown}, expected {expected}")
    for bad in ({"医院级别": "四级"}, {"本次费用": "-1"}, {"本次费用": True}, {"本次费用": "x"}):
        record = {**cases[0][0], **bad}
        try:
            outpatient_decimal(record)
        except (TypeError, ValueError):
            continue
        raise AssertionError(f"accepted bad input {bad}")


def main() -> None:
    _spot_checks()
    n_check = 20_000
    records = _check_agreement(n_check, seed=2024)
    print(f"agreement: numpy == Decimal on {n_check:,} random rows, plus spot checks: OK")

    def run_decimal(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            outpatient_decimal(row)

    t_dec = _best_of(7, run_decimal, records)
    print(
        f"outpatient_decimal: {t_dec / n_check * 1e9:8.0f} ns/row "
        f"(best of 7 over {n_check:,} rows, str money inputs, incl. conversion)"
    )

    n_big = 1_000_000
    cols = make_rows(n_big, seed=7)
    t_np = _best_of(7, outpatient_numpy, cols)
    print(
        f"outpatient_numpy:   {t_np / n_big * 1e9:8.1f} ns/row "
        f"(best of 7 over {n_big:,} rows, {t_np * 1e3:.1f} ms per call)"
    )


if __name__ == "__main__":
    main()
