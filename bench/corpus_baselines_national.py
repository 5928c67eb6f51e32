"""Hand-written baselines for the policies that came after the first corpus benchmark.

Severance pay (劳动合同法 第四十七条: dates and periods), the retirement age (渐进式延迟法定退休年龄:
year-month arithmetic), the special additional deductions (国发〔2018〕41号 and its two amendments:
one function for the chain, the standards chosen by the date and by the rules known on a date),
the local outpatient example (参照执行 the regional rule with other parameters), monthly
withholding tax (累计预扣法: a list of months) and the subsistence allowance (a list of members).

As in corpus_baselines.py: for each policy a **Decimal function** (one record: inputs checked
and converted, exact arithmetic, half-up to the cent, only the outputs asked for) and an
**integer numpy function** (whole columns, exact integers at a scale fixed by hand). Dates are
int32 days since 1970-01-01, year-months the days of the month's first day, periods and ages
int months, enumerations int8 codes. A list input is flattened: `NAME[]` holds the n + 1
offsets (int64) and `NAME.FIELD` the values of each field of all the items, item after item
(as Arrow's list<struct> holds them); a list output is returned flattened the same way.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
from baselines import parse_flag, parse_money
from corpus_baselines import (
    EPOCH,
    check_in_force,
    day,
    parse_enum,
    parse_int,
    records_of,
    round_div,
    scaled_text,
)

Cols = dict[str, npt.NDArray[Any]]
Ints = npt.NDArray[np.int64]
_CENT = Decimal("0.01")
_ZERO_CENTS = Decimal("0.00")
_D = Decimal


def cents(x: Decimal) -> Decimal:
    return x.quantize(_CENT, "ROUND_HALF_UP")


def parse_date(value: Any, name: str) -> datetime.date:
    """A date object or ISO text ('2024-04-30')."""
    if type(value) is datetime.date:
        return value
    if type(value) is str:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{name}: expected a date, got {value!r}")


def _month_days(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def add_months(d: datetime.date, months: int) -> datetime.date:
    """The corresponding day `months` later, or the month's last day (民法典 第二百零三条)."""
    year, month = divmod(d.year * 12 + d.month - 1 + months, 12)
    return datetime.date(year, month + 1, min(d.day, _month_days(year, month + 1)))


def whole_months(a: datetime.date, b: datetime.date) -> int:
    """Whole months from a to b (b >= a): the corresponding day must be reached."""
    months = (b.year - a.year) * 12 + b.month - a.month
    return months - 1 if add_months(a, months) > b else months


# ------------------------------------------------------------------ numpy calendar helpers


def month_index(days: npt.NDArray[Any]) -> Ints:
    """Months since 1970-01 of each day."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def month_start(months: Ints) -> Ints:
    """The day number of each month's first day."""
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def add_months_days(days: Ints, months: Ints) -> Ints:
    """add_months on day numbers: the corresponding day, or the target month's last day."""
    start = month_index(days)
    dom = days - month_start(start)  # day of month - 1
    target = start + months
    first = month_start(target)
    last = month_start(target + 1) - 1 - first
    return first + np.minimum(dom, last)


def whole_months_days(a: Ints, b: Ints) -> Ints:
    """whole_months on day numbers, for b >= a (rows with b < a give a value <= 0)."""
    months = month_index(b) - month_index(a)
    months -= add_months_days(a, months) > b
    return months


# =========================================================================== severance (劳动合同法 第四十七条)

SEVERANCE_OUTPUTS = ("工作年限", "经济补偿月数", "经济补偿")
SEVERANCE_SCALES = {"月工资": 2, "当地上年度职工月平均工资": 2}
SEVERANCE_DATES = ("入职日期", "离职日期")
SEVERANCE_START = datetime.date(2008, 1, 1)
_HALF = Decimal("0.5")


def severance_decimal(d: Mapping[str, Any], on: datetime.date, outputs: tuple[str, ...] = SEVERANCE_OUTPUTS
                      ) -> dict[str, Any]:
    """Years of service counted from 2008-01-01 at the earliest, both end days included; one
    month's wage per full year, a year for six months or more, half a month for less; above
    three times the local average wage, that cap and at most twelve years."""
    if on < SEVERANCE_START:
        raise ValueError("not in force")
    start = max(parse_date(d["入职日期"], "入职日期"), SEVERANCE_START)
    end = parse_date(d["离职日期"], "离职日期") + datetime.timedelta(days=1)
    service = whole_months(start, end) if end >= start else 0
    out: dict[str, Any] = {"工作年限": service}
    if len(outputs) == 1 and outputs[0] == "工作年限":
        return out
    years, rest = divmod(service, 12)
    if rest >= 6:
        part = 1
    elif rest > 0 or add_months(start, service) < end:
        part = _HALF
    else:
        part = 0
    wage = parse_money(d["月工资"], "月工资")
    cap = parse_money(d["当地上年度职工月平均工资"], "当地上年度职工月平均工资") * 3
    months = years + part
    if wage > cap:
        wage = cap
        if months > 12:
            months = 12
    out["经济补偿月数"] = months
    out["经济补偿"] = cents(months * wage)
    return {k: out[k] for k in outputs}


def make_severance(n: int, seed: int) -> Cols:
    """Hires 2000–2024, service 0–20 years (some departures before 2008, some ending the day
    before an anniversary, on month ends and on 2月29日), wages around three times the cap."""
    rng = np.random.default_rng(seed)
    hired = rng.integers(day(datetime.date(2000, 1, 1)), day(datetime.date(2024, 12, 31)), n)
    left = hired + rng.integers(0, 20 * 366, n)
    exact = rng.random(n) < 0.2  # the day before the anniversary of k years and m months
    k = rng.integers(0, 240, n)
    left = np.where(exact, add_months_days(hired, k) - 1, left)
    left = np.maximum(left, hired)
    ends = rng.random(n) < 0.05  # the last day of a month
    left = np.where(ends, month_start(month_index(left) + 1) - 1, left)
    average = rng.integers(300_000, 1_500_000, n)
    wage = np.where(rng.random(n) < 0.2, average * 3 + rng.integers(-100, 300_000, n),
                    rng.integers(100_000, 3_000_000, n))
    return {"入职日期": hired.astype(np.int32), "离职日期": left.astype(np.int32),
            "月工资": np.maximum(wage, 0).astype(np.int64), "当地上年度职工月平均工资": average.astype(np.int64)}


def severance_numpy(c: Cols, on: Any, outputs: tuple[str, ...] = SEVERANCE_OUTPUTS) -> dict[str, Ints]:
    """工作年限 in months, 经济补偿月数 in tenths (halves), 经济补偿 in fen."""
    check_in_force(on, SEVERANCE_START)
    start = np.maximum(c["入职日期"].astype(np.int64), day(SEVERANCE_START))
    end = c["离职日期"].astype(np.int64) + 1
    service = np.maximum(whole_months_days(start, end), 0)
    out = {"工作年限": service}
    if outputs == ("工作年限",):
        return out
    years, rest = np.divmod(service, 12)
    odd = add_months_days(start, service) < end
    part = np.where(rest >= 6, 10, np.where((rest > 0) | odd, 5, 0))
    months = years * 10 + part
    cap = c["当地上年度职工月平均工资"] * 3
    wage = c["月工资"]
    high = wage > cap
    months = np.where(high, np.minimum(months, 120), months)
    out["经济补偿月数"] = months
    out["经济补偿"] = round_div(months * np.where(high, cap, wage), 10)
    return {k: out[k] for k in outputs}


def date_records(cols: Cols, scales: Mapping[str, int], enums: Mapping[str, Mapping[str, int]],
                 date_names: tuple[str, ...]) -> list[dict[str, Any]]:
    """JSON-like records: dates as ISO text, decimals as text, enumerations as names."""
    plain = {k: v for k, v in cols.items() if k not in date_names}
    records = records_of(plain, scales, enums)
    for name in date_names:
        texts = [(EPOCH + datetime.timedelta(days=v)).isoformat() for v in cols[name].tolist()]
        for rec, text in zip(records, texts, strict=True):
            rec[name] = text
    return records


# =========================================================================== retirement age (2025)

RETIREMENT_OUTPUTS = ("延迟月数", "改革后法定退休年龄", "退休年月", "最低缴费年限", "最早弹性退休年月", "最晚弹性退休年月")
RETIREMENT_CHOSEN = ("改革后法定退休年龄", "退休年月")
RETIREMENT_START = datetime.date(2025, 1, 1)
PEOPLE = {"男职工": 0, "原法定退休年龄五十五周岁的女职工": 1, "原法定退休年龄五十周岁的女职工": 2}
# per category: original age (months), first birth month delayed, months of births per month of
# delay, most months of delay
_RETIRE_TERMS = ((720, 1965 * 12, 4, 36), (660, 1970 * 12, 4, 36), (600, 1975 * 12, 2, 60))


def retirement_decimal(d: Mapping[str, Any], on: datetime.date, outputs: tuple[str, ...] = RETIREMENT_CHOSEN
                       ) -> dict[str, Any]:
    """One month of delay per four (two) birth months from the first birth month affected,
    up to the target age; year-months as dates of the month's first day."""
    if on < RETIREMENT_START:
        raise ValueError("not in force")
    birth = parse_date(d["出生日期"], "出生日期")
    original, first, step, most = _RETIRE_TERMS[parse_enum(d["人员类别"], PEOPLE, "人员类别")]
    born = birth.year * 12 + birth.month - 1
    nth = born - first + 1
    delay = min(max(-(-nth // step), 0), most)
    age = original + delay
    retire = born + age
    out: dict[str, Any] = {"延迟月数": delay, "改革后法定退休年龄": age, "退休年月": _month_date(retire)}
    if len(outputs) > 2:
        out["最低缴费年限"] = min(180 + 6 * max(retire // 12 - 2029, 0), 240)
        out["最早弹性退休年月"] = _month_date(max(retire - 36, born + original))
        out["最晚弹性退休年月"] = _month_date(retire + 36)
    return {k: out[k] for k in outputs}


def _month_date(index: int) -> datetime.date:
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, 1)


def make_retirement(n: int, seed: int) -> Cols:
    rng = np.random.default_rng(seed)
    birth = rng.integers(day(datetime.date(1960, 1, 1)), day(datetime.date(1990, 12, 31)), n)
    return {"出生日期": birth.astype(np.int32), "人员类别": rng.integers(0, 3, n).astype(np.int8)}


_R_ORIGINAL, _R_FIRST, _R_STEP, _R_MOST = (np.array(col, dtype=np.int64) for col in zip(*_RETIRE_TERMS, strict=True))


def retirement_numpy(c: Cols, on: Any, outputs: tuple[str, ...] = RETIREMENT_CHOSEN) -> dict[str, Ints]:
    """Months and month indices; year-months as the day numbers of the month's first day.

    The calendar through look-up tables over the data's range (a day's month index, a month's
    first day), one `take` each, as a careful hand would write it: numpy's datetime64 casts
    (month_index, month_start) cost some 5x more, and guize does the same look-ups."""
    check_in_force(on, RETIREMENT_START)
    kind = c["人员类别"]
    days = c["出生日期"]
    lo = int(days.min()) if days.size else 0
    born = month_index(np.arange(lo, (int(days.max()) if days.size else 0) + 1, dtype=np.int64)).take(days - lo)
    original = _R_ORIGINAL.take(kind)
    nth = born - (_R_FIRST.take(kind) - 1970 * 12) + 1
    delay = np.clip(-((-nth) // _R_STEP.take(kind)), 0, _R_MOST.take(kind))
    age = original + delay
    retire = born + age
    first = int(born.min()) if born.size else 0
    starts = month_start(np.arange(first, (int(retire.max()) if born.size else 0) + 37, dtype=np.int64))
    out = {"延迟月数": delay, "改革后法定退休年龄": age, "退休年月": starts.take(retire - first)}
    if len(outputs) > 2:
        raised = np.maximum(retire // 12 + 1970 - 2029, 0)
        out["最低缴费年限"] = np.minimum(180 + 6 * raised, 240)
        out["最早弹性退休年月"] = starts.take(np.maximum(retire - 36, born + original) - first)
        out["最晚弹性退休年月"] = starts.take(retire + 36 - first)
    return {k: out[k] for k in outputs}


# =========================================================================== 专项附加扣除 (国发〔2018〕41号, 〔2022〕8号, 〔2023〕13号)

DEDUCTION_OUTPUTS = ("子女教育每月扣除", "赡养老人每月扣除", "婴幼儿照护每月扣除")
DEDUCTION_SCALES = {"本人扣除比例": 4, "约定分摊额": 2}
SUPPORT = {"独生子女": 0, "非独生子女": 1}
DEDUCTION_START = datetime.date(2019, 1, 1)
# (effective, published) of the two amendments
INFANT = (datetime.date(2022, 1, 1), datetime.date(2022, 3, 28))
RAISED = (datetime.date(2023, 1, 1), datetime.date(2023, 8, 31))


def _applies(amendment: tuple[datetime.date, datetime.date], on: datetime.date, known_on: datetime.date | None,
             included: bool) -> bool:
    return included and on >= amendment[0] and (known_on is None or known_on >= amendment[1])


def deductions_decimal(d: Mapping[str, Any], on: datetime.date, outputs: tuple[str, ...] = DEDUCTION_OUTPUTS,
                       known_on: datetime.date | None = None, *, first: datetime.date = DEDUCTION_START,
                       amendments: int = 2) -> dict[str, Decimal]:
    """The monthly deductions for children's education, elderly support and infant care.

    `amendments`: how many of the chain's amendments the loaded file includes (the 2018 file
    and the 2023 one: both; the 2022 one: the first); `first`: the loaded file's first day.
    An amendment counts from its effective date, and with `known_on` only once published."""
    if on < first:
        raise ValueError("not in force")
    raised = _applies(RAISED, on, known_on, amendments >= 2)
    std = 2000 if raised else 1000
    out: dict[str, Decimal] = {}
    share = None
    if "子女教育每月扣除" in outputs or "婴幼儿照护每月扣除" in outputs:
        share = d.get("本人扣除比例", 1)
        share = parse_money(share, "本人扣除比例")
        children = parse_int(d.get("受教育子女人数", 0), "受教育子女人数")
        out["子女教育每月扣除"] = cents(children * std * share)
        infants = parse_int(d.get("三岁以下婴幼儿人数", 0), "三岁以下婴幼儿人数")
        if _applies(INFANT, on, known_on, amendments >= 1):
            out["婴幼儿照护每月扣除"] = cents(infants * std * share)
        else:
            out["婴幼儿照护每月扣除"] = _ZERO_CENTS
    if "赡养老人每月扣除" in outputs:
        value = _ZERO_CENTS
        if parse_flag(d.get("是否赡养老人", False), "是否赡养老人"):
            if parse_enum(d.get("赡养身份", "独生子女"), SUPPORT, "赡养身份") == 0:
                value = _D("3000.00") if raised else _D("2000.00")
            else:
                agreed = parse_money(d.get("约定分摊额", 0), "约定分摊额")
                top = 1500 if raised else 1000
                value = cents(agreed) if agreed < top else cents(_D(top))
        out["赡养老人每月扣除"] = value
    return {k: out[k] for k in outputs}


def make_deductions(n: int, seed: int) -> Cols:
    rng = np.random.default_rng(seed)
    share = np.where(rng.random(n) < 0.5, 10_000, np.where(rng.random(n) < 0.5, 5000, rng.integers(0, 10_001, n)))
    agreed = np.where(rng.random(n) < 0.2, 100_000, rng.integers(0, 200_000, n))
    return {
        "受教育子女人数": rng.integers(0, 4, n).astype(np.int64),
        "三岁以下婴幼儿人数": rng.integers(0, 3, n).astype(np.int64),
        "本人扣除比例": share.astype(np.int64),
        "是否赡养老人": rng.random(n) < 0.6,
        "赡养身份": rng.integers(0, 2, n).astype(np.int8),
        "约定分摊额": agreed.astype(np.int64),
    }


def deductions_numpy(c: Cols, on: Any, outputs: tuple[str, ...] = DEDUCTION_OUTPUTS,
                     known_on: datetime.date | None = None, *, first: datetime.date = DEDUCTION_START,
                     amendments: int = 2) -> dict[str, Ints]:
    """Money in fen; the share at scale 4, so count × standard (fen) × share is at scale 6."""
    check_in_force(on, first)
    per_row = not isinstance(on, datetime.date)

    def applies(amendment: tuple[datetime.date, datetime.date], included: bool) -> Any:
        if not included or (known_on is not None and known_on < amendment[1]):
            return False
        return on >= day(amendment[0]) if per_row else on >= amendment[0]

    raised = applies(RAISED, amendments >= 2)
    infant = applies(INFANT, amendments >= 1)
    std = np.where(raised, 200_000, 100_000) if per_row else (200_000 if raised else 100_000)
    out: dict[str, Ints] = {}
    share = c["本人扣除比例"]
    if "子女教育每月扣除" in outputs:
        out["子女教育每月扣除"] = round_div(c["受教育子女人数"] * std * share, 10_000)
    if "婴幼儿照护每月扣除" in outputs:
        out["婴幼儿照护每月扣除"] = round_div(c["三岁以下婴幼儿人数"] * (std * infant) * share, 10_000)
    if "赡养老人每月扣除" in outputs:
        only = np.where(raised, 300_000, 200_000) if per_row else (300_000 if raised else 200_000)
        top = np.where(raised, 150_000, 100_000) if per_row else (150_000 if raised else 100_000)
        value = np.where(c["赡养身份"] == 0, only, np.minimum(c["约定分摊额"], top))
        out["赡养老人每月扣除"] = value * c["是否赡养老人"]
    return {k: out[k] for k in outputs}


# =========================================================================== outpatient, local example (参照执行)

LOCAL_START, LOCAL_END = datetime.date(2024, 7, 1), datetime.date(2029, 4, 25)
_LOCAL_RATES = {"一级": (_D("0.85"), _D("0.90"), _D("300.00")), "二级": (_D("0.75"), _D("0.80"), _D("800.00")),
                "三级": (_D("0.65"), _D("0.70"), _D("1300.00"))}
_LOCAL_RATES["未定级"] = _LOCAL_RATES["一级"]
_LOCAL_FIRST, _LOCAL_LATER, _LOCAL_LIMIT = _D("0.08"), _D("0.05"), _D(5000)


def local_outpatient_decimal(d: Mapping[str, Any], on: datetime.date, outputs: tuple[str, ...]) -> dict[str, Any]:
    """The regional rule's three outputs with the local standards (bench/baselines.py's
    function with the example's first-visit share, annual limit and payout rates)."""
    if not LOCAL_START <= on <= LOCAL_END:
        raise ValueError("not in force")
    level = d["医院级别"]
    try:
        rate, retiree_rate, cap = _LOCAL_RATES[level]
    except (KeyError, TypeError):
        raise ValueError(f"医院级别: got {level!r}") from None
    if parse_flag(d["退休人员"], "退休人员"):
        rate = retiree_rate
    visits = parse_int(d["本年已就诊次数"], "本年已就诊次数")
    cost = parse_money(d["本次费用"], "本次费用")
    deductible = cents(parse_money(d["住院起付线"], "住院起付线") * (_LOCAL_FIRST if visits == 0 else _LOCAL_LATER))
    paid = parse_money(d["本年已支付"], "本年已支付")
    inpatient = d.get("住院期间", False)
    payout = _ZERO_CENTS
    if not (inpatient is not False and parse_flag(inpatient, "住院期间")):
        base = cost - deductible
        if base > 0:
            payout = min(base * rate, cap, max(_LOCAL_LIMIT - paid, _ZERO_CENTS))
            payout = cents(payout)
    out = {"起付标准": deductible, "支付比例": rate, "统筹基金支付": payout}
    return {k: out[k] for k in outputs}


_L_RATE_BP = np.array([8500, 9000, 7500, 8000, 6500, 7000, 8500, 9000], dtype=np.int64)
_L_CAP = np.array([30_000, 80_000, 130_000, 30_000], dtype=np.int64) * 10_000


def local_outpatient_numpy(c: Cols, on: Any, outputs: tuple[str, ...]) -> dict[str, Ints]:
    """bench/baselines.py's outpatient_numpy with the local standards: money in fen, rates in
    basis points, a payout at 1/10000 fen rounded half-up once."""
    check_in_force(on, LOCAL_START, LOCAL_END)
    level = c["医院级别"].astype(np.int8)
    deductible = np.where(c["本年已就诊次数"] == 0, 800, 500) * c["住院起付线"]
    deductible = round_div(deductible, 10_000)
    rate = _L_RATE_BP.take(level * np.int8(2) + c["退休人员"].view(np.int8))
    payout = np.maximum(c["本次费用"] - deductible, 0) * rate
    np.minimum(payout, _L_CAP.take(level), out=payout)
    np.minimum(payout, np.maximum(500_000 - c["本年已支付"], 0) * 10_000, out=payout)
    payout = round_div(payout, 10_000)
    payout[c["住院期间"]] = 0
    out = {"起付标准": deductible, "支付比例": rate, "统筹基金支付": payout}
    return {k: out[k] for k in outputs}


# =========================================================================== withholding (累计预扣法)

WITHHOLD_OUTPUTS = ("各月预扣税额", "全年预扣税额")
WITHHOLD_FIELDS = ("工资薪金收入", "专项扣除", "专项附加扣除", "其他扣除")
WITHHOLD_START = datetime.date(2019, 1, 1)
_BANDS = ((36000, 3, 0), (144000, 10, 2520), (300000, 20, 16920), (420000, 25, 31920),
          (660000, 30, 52920), (960000, 35, 85920), (None, 45, 181920))
_RATES = tuple((None if u is None else _D(u), _D(r) / 100, _D(q)) for u, r, q in _BANDS)


def withholding_decimal(d: Mapping[str, Any], on: datetime.date, outputs: tuple[str, ...] = WITHHOLD_OUTPUTS
                        ) -> dict[str, Any]:
    """Each month: the year-to-date tax (cumulative taxable × rate − quick deduction) less what
    the earlier months withheld, never below zero; rounded to the cent."""
    if on < WITHHOLD_START:
        raise ValueError("not in force")
    months = d["各月"]
    if type(months) not in (list, tuple):
        raise TypeError("各月: expected a list")
    income = _D(0)
    withheld = _ZERO_CENTS
    each = []
    for k, month in enumerate(months, 1):
        income += parse_money(month["工资薪金收入"], "工资薪金收入")
        for name in ("专项扣除", "专项附加扣除", "其他扣除"):
            if name in month:
                income -= parse_money(month[name], name)
        taxable = income - 5000 * k
        tax = _ZERO_CENTS
        if taxable > 0:
            for upper, rate, quick in _RATES:
                if upper is None or taxable <= upper:
                    tax = cents(taxable * rate - quick)
                    break
        value = tax - withheld if tax > withheld else _ZERO_CENTS
        withheld += value
        each.append(value)
    out = {"各月预扣税额": tuple(each), "全年预扣税额": withheld}
    return {k: out[k] for k in outputs}


def make_withholding(n: int, seed: int) -> Cols:
    """0–12 months a record (some none), wages 0–100,000 元 with cents, some deductions
    larger than the month's wage, some months without pay."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 13, n)
    counts[rng.random(n) < 0.5] = 12
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    m = int(offsets[-1])
    wage = np.where(rng.random(m) < 0.7, rng.integers(0, 3_000_000, m), rng.integers(0, 10_000_000, m))
    wage[rng.random(m) < 0.05] = 0
    return {"各月[]": offsets, "各月.工资薪金收入": wage.astype(np.int64),
            "各月.专项扣除": rng.integers(0, 500_000, m).astype(np.int64),
            "各月.专项附加扣除": np.where(rng.random(m) < 0.5, 0, rng.integers(0, 600_000, m)).astype(np.int64),
            "各月.其他扣除": np.where(rng.random(m) < 0.9, 0, rng.integers(0, 900_000, m)).astype(np.int64)}


def list_records(cols: Cols, name: str, scales: Mapping[str, int], skip_zero: tuple[str, ...] = ()
                 ) -> list[list[dict[str, Any]]]:
    """The items of list input `name` per record: decimals as text; fields in `skip_zero` left
    out where 0 (they default to 0)."""
    fields = [k.split(".", 1)[1] for k in cols if k.startswith(name + ".")]
    values = [cols[f"{name}.{f}"].tolist() for f in fields]
    items = []
    for row in zip(*values, strict=True):
        item: dict[str, Any] = {}
        for f, v in zip(fields, row, strict=True):
            if f in skip_zero and not v:
                continue
            item[f] = scaled_text(v, scales[f]) if f in scales else v
        items.append(item)
    offsets = cols[name + "[]"].tolist()
    return [items[a:b] for a, b in itertools.pairwise(offsets)]


def withholding_records(cols: Cols) -> list[dict[str, Any]]:
    return [{"各月": months} for months in list_records(cols, "各月", dict.fromkeys(WITHHOLD_FIELDS, 2),
                                                             WITHHOLD_FIELDS[1:])]


_W_UPPER = np.array([u for u, _r, _q in _BANDS[:-1]], dtype=np.int64) * 100
_W_RATES = np.array([r for _u, r, _q in _BANDS], dtype=np.int64)
_W_QUICK = np.array([q for _u, _r, q in _BANDS], dtype=np.int64) * 10_000  # 1/10000 元 (fen × rate %)


def segment_cumsum(values: Ints, offsets: Ints) -> Ints:
    """Running sums that restart at each list's first item."""
    total = np.cumsum(values)
    before = np.concatenate(([0], total))[offsets[:-1]]  # the sum before each list
    return total - np.repeat(before, np.diff(offsets))


def withholding_numpy(c: Cols, on: Any, outputs: tuple[str, ...] = WITHHOLD_OUTPUTS) -> dict[str, Ints]:
    """Money in fen, over the flattened months. The tax withheld by month k is the running
    maximum of the rounded year-to-date taxes (withheld_k = max(withheld_{k-1}, tax_k): a
    month's amount is tax_k − withheld_{k-1} or nothing), so each month's amount is the step
    of a running maximum that restarts with each record's months."""
    check_in_force(on, WITHHOLD_START)
    offsets = c["各月[]"]
    counts = np.diff(offsets)
    net = c["各月.工资薪金收入"] - c["各月.专项扣除"] - c["各月.专项附加扣除"] - c["各月.其他扣除"]
    nth = np.arange(len(net), dtype=np.int64) - np.repeat(offsets[:-1], counts) + 1
    taxable = np.maximum(segment_cumsum(net, offsets) - 500_000 * nth, 0)
    band = np.searchsorted(_W_UPPER, taxable, side="left")
    tax = round_div(taxable * _W_RATES.take(band) - _W_QUICK.take(band), 100)
    # running maximum per record: lift each record above the previous ones, accumulate, lower
    record = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    lift = int(tax.max(initial=0)) + 1
    assert lift * max(len(counts), 1) < 2**62, "withholding_numpy: values too large to lift"
    withheld = np.maximum.accumulate(tax + record * lift) - record * lift
    first = np.zeros(len(net), dtype=bool)
    first[offsets[:-1][counts > 0]] = True
    previous = np.concatenate(([0], withheld[:-1]))
    previous[first] = 0
    out = {"各月预扣税额": withheld - previous}
    if "全年预扣税额" in outputs:
        last = np.zeros(len(counts), dtype=np.int64)
        last[counts > 0] = withheld[offsets[1:][counts > 0] - 1]
        out["全年预扣税额"] = last
    return {k: out[k] for k in outputs}


# =========================================================================== subsistence allowance (社会救助暂行办法)

ALLOWANCE_OUTPUTS = ("家庭人口", "符合低保条件", "月低保金", "重点保障对象", "重点保障人数")
ALLOWANCE_CHOSEN = ("月低保金",)
ALLOWANCE_START = datetime.date(2014, 5, 1)
ALLOWANCE_SCALES = {"当地最低生活保障标准": 2}


def allowance_decimal(d: Mapping[str, Any], on: datetime.date, outputs: tuple[str, ...] = ALLOWANCE_CHOSEN
                      ) -> dict[str, Any]:
    """The allowance tops the household up to the local standard per head: n × standard −
    income when the income per head is below it (exact: no division needed)."""
    if on < ALLOWANCE_START:
        raise ValueError("not in force")
    members = d["共同生活的家庭成员"]
    if type(members) not in (list, tuple):
        raise TypeError("共同生活的家庭成员: expected a list")
    standard = parse_money(d["当地最低生活保障标准"], "当地最低生活保障标准")
    assets = parse_flag(d.get("财产状况符合当地规定", True), "财产状况符合当地规定")
    income = _D(0)
    for m in members:
        income += parse_money(m["月收入"], "月收入")
    n = len(members)
    eligible = n > 0 and income < standard * n and assets
    out: dict[str, Any] = {"家庭人口": n, "符合低保条件": eligible,
                           "月低保金": cents(standard * n - income) if eligible else _ZERO_CENTS}
    if len(outputs) > 1:
        marks = tuple(eligible and (_age(m) >= 720 or _age(m) < 216 or parse_flag(m.get("重度残疾", False), "重度残疾")
                                    or parse_flag(m.get("重病", False), "重病")) for m in members)
        out["重点保障对象"] = marks
        out["重点保障人数"] = sum(marks)
    return {k: out[k] for k in outputs}


def _age(member: Mapping[str, Any]) -> int:
    return parse_int(member["年龄"], "年龄")


def make_allowance(n: int, seed: int) -> Cols:
    """Households of 0–6 members (mostly 1–4), incomes around the standard, ages 0–90 years."""
    rng = np.random.default_rng(seed)
    counts = np.minimum(rng.poisson(2.5, n), 6)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    m = int(offsets[-1])
    income = np.where(rng.random(m) < 0.4, 0, rng.integers(0, 200_000, m))
    return {"当地最低生活保障标准": rng.integers(50_000, 120_000, n).astype(np.int64),
            "财产状况符合当地规定": rng.random(n) < 0.9,
            "共同生活的家庭成员[]": offsets,
            "共同生活的家庭成员.月收入": income.astype(np.int64),
            "共同生活的家庭成员.年龄": rng.integers(0, 1080, m).astype(np.int64),
            "共同生活的家庭成员.重度残疾": rng.random(m) < 0.05,
            "共同生活的家庭成员.重病": rng.random(m) < 0.05}


def allowance_records(cols: Cols) -> list[dict[str, Any]]:
    members = list_records(cols, "共同生活的家庭成员", {"月收入": 2}, ("重度残疾", "重病"))
    plain = {k: cols[k] for k in ("当地最低生活保障标准", "财产状况符合当地规定")}
    records = records_of(plain, ALLOWANCE_SCALES, {})
    for rec, ms in zip(records, members, strict=True):
        rec["共同生活的家庭成员"] = ms
    return records


def allowance_numpy(c: Cols, on: Any, outputs: tuple[str, ...] = ALLOWANCE_CHOSEN) -> dict[str, Any]:
    """Money in fen: per-household sums of the members by `np.add.reduceat`-free segment sums."""
    check_in_force(on, ALLOWANCE_START)
    offsets = c["共同生活的家庭成员[]"]
    counts = np.diff(offsets)
    income = segment_sums(c["共同生活的家庭成员.月收入"], offsets)
    need = c["当地最低生活保障标准"] * counts
    eligible = (counts > 0) & (income < need) & c["财产状况符合当地规定"]
    out: dict[str, Any] = {"家庭人口": counts, "符合低保条件": eligible, "月低保金": (need - income) * eligible}
    if len(outputs) > 1:
        age = c["共同生活的家庭成员.年龄"]
        marks = (age >= 720) | (age < 216) | c["共同生活的家庭成员.重度残疾"] | c["共同生活的家庭成员.重病"]
        marks &= np.repeat(eligible, counts)
        out["重点保障对象"] = marks
        out["重点保障人数"] = segment_sums(marks.astype(np.int64), offsets)
    return {k: out[k] for k in outputs}


def segment_sums(values: Ints, offsets: Ints) -> Ints:
    """The sum of each list's items (0 for an empty list)."""
    total = np.concatenate(([0], np.cumsum(values)))
    return total[offsets[1:]] - total[offsets[:-1]]
