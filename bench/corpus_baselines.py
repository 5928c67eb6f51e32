"""Hand-written baselines for the policies of the corpus other than the outpatient rule.

For each policy: a **Decimal function** (one record, the way a careful person writes it: the
inputs checked and converted, exact arithmetic, only the outputs asked for), the scalar
baseline; and an **integer numpy function** (whole columns, exact integer arithmetic at a
scale fixed by hand), the batch baseline. `bench/corpus_bench.py` checks both against guize
on the corpus' examples and on generated inputs before timing anything.

The numpy representation: money in fen (scale 2), rates in 1/10000 (scale 4), quantities at
the scale `make_*` generates (see each `SCALES`), enumerations as int8 codes (the index into
the member tuple), dates as int32 days since 1970-01-01, periods as int months. A result
column is an int64 array at the scale in the case's `scales` (money outputs: fen).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
from baselines import parse_flag, parse_money

Cols = dict[str, npt.NDArray[Any]]
EPOCH = datetime.date(1970, 1, 1)
_CENT = Decimal("0.01")
_ZERO = Decimal(0)
_ZERO_CENTS = Decimal("0.00")


def day(d: datetime.date) -> int:
    return (d - EPOCH).days


def parse_int(value: Any, name: str) -> int:
    if type(value) is not int or value < 0:
        raise ValueError(f"{name}: expected a non-negative int, got {value!r}")
    return value


def parse_enum(value: Any, members: Mapping[str, int], name: str) -> int:
    try:
        return members[value]
    except (KeyError, TypeError):
        raise ValueError(f"{name}: expected one of {'/'.join(members)}, got {value!r}") from None


def cents(x: Decimal) -> Decimal:
    return x.quantize(_CENT, ROUND_HALF_UP)


def scaled_text(units: int, scale: int) -> str:
    """An integer at `scale` as the decimal text a JSON record carries: 123450, 2 -> '1234.50'."""
    if scale == 0:
        return str(units)
    whole, frac = divmod(units, 10**scale)
    return f"{whole}.{frac:0{scale}d}"


def check_in_force(on: Any, first: datetime.date, last: datetime.date | None = None) -> None:
    """Refuse a date (or an int32 array of days) outside the policy's validity, as guize does."""
    if isinstance(on, datetime.date):
        if on < first or (last is not None and on > last):
            raise ValueError("not in force")
        return
    if on.size and (on.min() < day(first) or (last is not None and on.max() > day(last))):
        raise ValueError("a row's date is not in force")


def round_div(x: npt.NDArray[np.int64], factor: int) -> npt.NDArray[np.int64]:
    """Half-up division of a non-negative integer array by 10**k, in place."""
    x += factor // 2
    x //= factor
    return x


# =========================================================================== textile (新政办发〔2024〕16号)

REGIONS = {"南疆": 0, "其他地区": 1}
PRODUCTS = {"含棉纱线": 0, "非棉纱线": 1, "织布": 2}
TEXTILE_START, TEXTILE_END = datetime.date(2024, 1, 1), datetime.date(2027, 12, 31)
_COTTON_CHANGE = datetime.date(2024, 9, 1)
_Y2025, _Y2026 = datetime.date(2025, 1, 1), datetime.date(2026, 1, 1)
_D = Decimal

# Input scales of the integer representation (decimal places); ints, bools and enums have none.
TEXTILE_SCALES: dict[str, int] = {
    "出疆棉数量": 3, "纱支": 1, "非地产纱线占比": 4, "销售数量": 3, "地产聚酯纤维使用量": 3,
    "终端产品销售额": 2, "代加工费收入": 2, "设计中心设备软件投入": 2, "生产用电量": 1, "月平均工资": 2,
    "当地最低工资标准": 2, "原政策已领取新增就业补贴": 2, "企业月缴社会保险费": 2, "职工月缴社会保险费": 2,
    "流动资金贷款本金": 2, "实际贷款利率": 4, "贷款市场报价利率": 4, "新型印染技术投资额": 2,
    "印染技术改造投资额": 2, "水重复利用率": 4, "疆内使用率": 4, "印染废水排放量": 3, "日达标处理量": 3,
}
TEXTILE_INTS = ("在册职工人数", "新增稳定就业人数", "稳定就业月数", "劳动合同履行月数", "岗前培训人数",
                "上年度在岗职工平均人数", "引进人才人数")
TEXTILE_BOOLS = ("在疆注册", "废水和盐排放达标")
TEXTILE_ENUMS = {"企业地区": REGIONS, "产品类别": PRODUCTS}
TEXTILE_OUTPUTS = (
    "出疆棉运费补贴", "纺织产品出疆运费补贴", "地产聚酯纤维原料使用补贴", "服装等产品销售补贴", "代加工费补贴",
    "设计中心建设补贴", "企业生产用电补贴", "一次性新增就业补贴", "新增就业补贴补足差额", "新疆籍职工稳定就业补贴",
    "企业社会保险补贴", "职工社会保险补贴", "岗前培训补贴", "人才引进补贴", "企业贷款贴息", "新型印染技术投资补贴",
    "印染投资项目专项补贴", "印染废水处理补贴", "印染污水处理厂运营补贴")
# The four the issue measured: a dated parameter, a nested band table, a band on money with a
# guard, and a rule on the evaluation date's year.
TEXTILE_CHOSEN = ("出疆棉运费补贴", "纺织产品出疆运费补贴", "一次性新增就业补贴", "印染废水处理补贴")


def textile_decimal(d: Mapping[str, Any], on: datetime.date, outputs: tuple[str, ...] = TEXTILE_CHOSEN
                    ) -> dict[str, Decimal]:
    """The textile subsidies for one record: exact Decimal, half-up to the cent, only `outputs`."""
    if not TEXTILE_START <= on <= TEXTILE_END:
        raise ValueError("not in force")
    want = set(outputs)
    out: dict[str, Decimal] = {}
    if "出疆棉运费补贴" in want:  # the one output that does not ask whether the firm qualifies
        rate = _D(300) if on < _COTTON_CHANGE else _D(200)
        out["出疆棉运费补贴"] = cents(rate * parse_money(d["出疆棉数量"], "出疆棉数量"))
        if len(want) == 1:
            return out
    eligible = parse_flag(d["在疆注册"], "在疆注册") and parse_int(d["在册职工人数"], "在册职工人数") >= 20
    region = -1
    if eligible and ("纺织产品出疆运费补贴" in want or "代加工费补贴" in want or "人才引进补贴" in want):
        region = parse_enum(d["企业地区"], REGIONS, "企业地区")
    if "纺织产品出疆运费补贴" in want:
        value = _ZERO_CENTS
        if eligible:
            product = parse_enum(d["产品类别"], PRODUCTS, "产品类别")
            if product == 0:
                fine = parse_money(d["纱支"], "纱支") >= 40
                rate = (640 if fine else 600) if region == 0 else (540 if fine else 500)
            elif product == 1:
                rate = 560 if region == 0 else 460
            else:
                rate = 500 if parse_money(d["非地产纱线占比"], "非地产纱线占比") > _D("0.5") else 900
            value = cents(rate * parse_money(d["销售数量"], "销售数量"))
        out["纺织产品出疆运费补贴"] = value
    if "一次性新增就业补贴" in want or "新增就业补贴补足差额" in want:
        once = _ZERO_CENTS
        if eligible:
            wage = parse_money(d["月平均工资"], "月平均工资")
            if wage >= parse_money(d["当地最低工资标准"], "当地最低工资标准"):
                per = 0 if wage < 2000 else 3000 if wage < 3000 else 4000
                once = cents(_D(per * parse_int(d["新增稳定就业人数"], "新增稳定就业人数")))
        out["一次性新增就业补贴"] = once
        if "新增就业补贴补足差额" in want:
            got = parse_money(d.get("原政策已领取新增就业补贴", 0), "原政策已领取新增就业补贴")
            out["新增就业补贴补足差额"] = cents(once - got) if once > got else _ZERO_CENTS
    if "印染废水处理补贴" in want:
        value = _ZERO_CENTS
        if eligible:
            if parse_money(d["水重复利用率"], "水重复利用率") < _D("0.45") or not parse_flag(
                    d.get("废水和盐排放达标", True), "废水和盐排放达标"):
                value = _ZERO_CENTS
            else:
                bar = _D("0.5") if on < _Y2025 else _D("0.7") if on < _Y2026 else None
                short = bar is not None and parse_money(d["疆内使用率"], "疆内使用率") < bar
                value = cents((_D("1.5") if short else _D(3)) * parse_money(d["印染废水排放量"], "印染废水排放量"))
        out["印染废水处理补贴"] = value
    if len(want) > 4:
        out.update(_textile_rest(d, eligible, region, want))
    return {name: out[name] for name in outputs}


def _textile_rest(d: Mapping[str, Any], eligible: bool, region: int, want: set[str]) -> dict[str, Decimal]:
    """The other fifteen outputs (all zero for a firm that does not qualify)."""
    def money(name: str) -> Decimal:
        return parse_money(d[name], name)

    def cap(x: Decimal, top: int) -> Decimal:
        return cents(x) if x < top else cents(_D(top))

    if not eligible:
        return {k: _ZERO_CENTS for k in TEXTILE_OUTPUTS[2:] if k in want and k not in TEXTILE_CHOSEN}
    months = parse_int(d["稳定就业月数"], "稳定就业月数")
    social = min(parse_int(d["劳动合同履行月数"], "劳动合同履行月数"), 36)
    quota = parse_int(d["上年度在岗职工平均人数"], "上年度在岗职工平均人数") // 50
    loan_rate = min(money("实际贷款利率"), money("贷款市场报价利率") * _D("1.2"))
    return {
        "地产聚酯纤维原料使用补贴": cents(100 * money("地产聚酯纤维使用量")),
        "服装等产品销售补贴": cents(money("终端产品销售额") * _D("0.06")),
        "代加工费补贴": cents(money("代加工费收入") * (_D("0.10") if region == 0 else _D("0.08"))),
        "设计中心建设补贴": cap(money("设计中心设备软件投入") * _D("0.3"), 1_000_000),
        "企业生产用电补贴": cents(_D("0.05") * money("生产用电量")),
        "新疆籍职工稳定就业补贴": cents(_D(max(min(months, 24) - 12, 0) * 100 + max(min(months, 36) - 24, 0) * 200)),
        "企业社会保险补贴": cents(money("企业月缴社会保险费") * social),
        "职工社会保险补贴": cents(money("职工月缴社会保险费") * social * _D("0.5")),
        "岗前培训补贴": cents(_D(2400 * parse_int(d["岗前培训人数"], "岗前培训人数"))),
        "人才引进补贴": cents(_D(50000 * min(parse_int(d["引进人才人数"], "引进人才人数"), quota)
                                  if region == 0 else 0)),
        "企业贷款贴息": cap(money("流动资金贷款本金") * loan_rate * _D("0.5"), 20_000_000),
        "新型印染技术投资补贴": cap(money("新型印染技术投资额") * _D("0.4"), 10_000_000),
        "印染投资项目专项补贴": cap(money("印染技术改造投资额") * _D("0.3"), 8_000_000),
        "印染污水处理厂运营补贴": cents(_D("1.8") * min(money("日达标处理量"), _D(50000))),
    }


def make_textile(n: int, seed: int) -> Cols:
    """Random firms in the integer representation: ~80% qualify, every band and branch taken."""
    rng = np.random.default_rng(seed)

    def units(top: float, scale: int) -> npt.NDArray[np.int64]:  # 0..top at `scale`, some exactly 0
        x = rng.integers(0, int(top * 10**scale) + 1, n)
        x[rng.random(n) < 0.05] = 0
        return x.astype(np.int64)

    cols: Cols = {
        "在疆注册": rng.random(n) < 0.9,
        "在册职工人数": rng.integers(0, 400, n).astype(np.int64),
        "出疆棉数量": units(5000, 3),
        "企业地区": rng.integers(0, 2, n).astype(np.int8),
        "产品类别": rng.integers(0, 3, n).astype(np.int8),
        "纱支": rng.integers(100, 801, n).astype(np.int64),  # 10.0–80.0 支
        "非地产纱线占比": rng.integers(0, 10_001, n).astype(np.int64),
        "销售数量": units(20000, 3),
        "地产聚酯纤维使用量": units(3000, 3),
        "终端产品销售额": units(5e7, 2),
        "代加工费收入": units(1e7, 2),
        "设计中心设备软件投入": units(6e6, 2),
        "生产用电量": units(1e7, 1),
        "月平均工资": rng.integers(150_000, 600_001, n).astype(np.int64),
        "当地最低工资标准": rng.integers(170_000, 200_001, n).astype(np.int64),
        "新增稳定就业人数": rng.integers(0, 300, n).astype(np.int64),
        "原政策已领取新增就业补贴": units(5e5, 2),
        "稳定就业月数": rng.integers(0, 48, n).astype(np.int64),
        "企业月缴社会保险费": units(2e5, 2),
        "职工月缴社会保险费": units(8e4, 2),
        "劳动合同履行月数": rng.integers(0, 60, n).astype(np.int64),
        "岗前培训人数": rng.integers(0, 500, n).astype(np.int64),
        "上年度在岗职工平均人数": rng.integers(0, 3000, n).astype(np.int64),
        "引进人才人数": rng.integers(0, 80, n).astype(np.int64),
        "流动资金贷款本金": units(5e9, 2),
        "实际贷款利率": rng.integers(250, 800, n).astype(np.int64),
        "贷款市场报价利率": rng.integers(300, 460, n).astype(np.int64),
        "新型印染技术投资额": units(4e7, 2),
        "印染技术改造投资额": units(4e7, 2),
        "水重复利用率": rng.integers(3000, 10_001, n).astype(np.int64),
        "疆内使用率": rng.integers(3000, 10_001, n).astype(np.int64),
        "印染废水排放量": units(1e6, 3),
        "废水和盐排放达标": rng.random(n) < 0.9,
        "日达标处理量": units(80000, 3),
    }
    cols["在册职工人数"][rng.random(n) < 0.05] = 20  # the threshold itself
    cols["纱支"][rng.random(n) < 0.05] = 400  # exactly 40 支
    cols["非地产纱线占比"][rng.random(n) < 0.05] = 5000  # exactly 50%
    return cols


def textile_records(cols: Cols) -> list[dict[str, Any]]:
    return records_of(cols, TEXTILE_SCALES, TEXTILE_ENUMS)


def records_of(cols: Cols, scales: Mapping[str, int], enums: Mapping[str, Mapping[str, int]]
               ) -> list[dict[str, Any]]:
    """JSON-like records of integer columns: decimals as text, enumerations as names."""
    names = list(cols)
    lists = [cols[k].tolist() for k in names]
    enum_names = {k: list(m) for k, m in enums.items()}
    out = []
    for row in zip(*lists, strict=True):
        rec: dict[str, Any] = {}
        for k, v in zip(names, row, strict=True):
            if k in scales:
                rec[k] = scaled_text(v, scales[k])
            elif k in enum_names:
                rec[k] = enum_names[k][v]
            else:
                rec[k] = v
        out.append(rec)
    return out


def textile_numpy(c: Cols, on: Any, outputs: tuple[str, ...] = TEXTILE_CHOSEN) -> dict[str, npt.NDArray[np.int64]]:
    """The textile subsidies on columns, exact integers; money results in fen.

    `on` is a date (one for all rows) or an int32 array of days (a date per row). Products of
    a per-unit rate in fen and a quantity at scale 3 are at scale 5: rounded to fen by
    `round_div(x, 1000)`, exact because every operand is non-negative.
    """
    check_in_force(on, TEXTILE_START, TEXTILE_END)
    want = set(outputs)
    out: dict[str, npt.NDArray[np.int64]] = {}
    eligible = c["在疆注册"] & (c["在册职工人数"] >= 20)
    per_row = not isinstance(on, datetime.date)
    if "出疆棉运费补贴" in want:
        if per_row:
            rate = np.where(on < day(_COTTON_CHANGE), 30000, 20000)  # fen per tonne
            out["出疆棉运费补贴"] = round_div(rate * c["出疆棉数量"], 1000)
        else:
            rate_fen = 30000 if on < _COTTON_CHANGE else 20000
            out["出疆棉运费补贴"] = round_div(c["出疆棉数量"] * rate_fen, 1000)
    south = c["企业地区"] == 0
    if "纺织产品出疆运费补贴" in want:
        # fen per tonne by product (0 cotton yarn, 1 other yarn, 2 cloth), region and band
        fine = c["纱支"] >= 400
        cotton = np.where(south, 60000, 50000) + fine * 4000
        other = np.where(south, 56000, 46000)
        cloth = np.where(c["非地产纱线占比"] > 5000, 50000, 90000)
        product = c["产品类别"]
        rate = np.where(product == 0, cotton, np.where(product == 1, other, cloth))
        rate *= eligible
        out["纺织产品出疆运费补贴"] = round_div(rate * c["销售数量"], 1000)
    if "一次性新增就业补贴" in want or "新增就业补贴补足差额" in want:
        wage = c["月平均工资"]
        per = np.where(wage < 200_000, 0, np.where(wage < 300_000, 300_000, 400_000))
        per *= eligible & (wage >= c["当地最低工资标准"])
        once = per * c["新增稳定就业人数"]
        out["一次性新增就业补贴"] = once
        if "新增就业补贴补足差额" in want:
            out["新增就业补贴补足差额"] = np.maximum(once - c["原政策已领取新增就业补贴"], 0)
    if "印染废水处理补贴" in want:
        use = c["疆内使用率"]
        if per_row:
            bar = np.where(on < day(_Y2025), 5000, np.where(on < day(_Y2026), 7000, 0))
            short = use < bar
        else:
            short = use < (5000 if on < _Y2025 else 7000 if on < _Y2026 else 0)
        price = np.where(short, 150, 300)  # fen per tonne
        price *= eligible & (c["水重复利用率"] >= 4500) & c["废水和盐排放达标"]
        out["印染废水处理补贴"] = round_div(price * c["印染废水排放量"], 1000)
    if len(want) > 4:
        _textile_rest_numpy(c, eligible, south, out)
    return {name: out[name] for name in outputs}


def _textile_rest_numpy(c: Cols, eligible: npt.NDArray[np.bool_], south: npt.NDArray[np.bool_],
                        out: dict[str, npt.NDArray[np.int64]]) -> None:
    e = eligible.astype(np.int64)
    out["地产聚酯纤维原料使用补贴"] = round_div(c["地产聚酯纤维使用量"] * (10000 * e), 1000)
    out["服装等产品销售补贴"] = round_div(c["终端产品销售额"] * (6 * e), 100)
    out["代加工费补贴"] = round_div(c["代加工费收入"] * (np.where(south, 10, 8) * e), 100)
    out["设计中心建设补贴"] = np.minimum(round_div(c["设计中心设备软件投入"] * (3 * e), 10), 100_000_000)
    out["企业生产用电补贴"] = round_div(c["生产用电量"] * (5 * e), 10)
    months = c["稳定就业月数"]
    second = np.clip(months - 12, 0, 12)
    third = np.clip(months - 24, 0, 12)
    out["新疆籍职工稳定就业补贴"] = (second * 10000 + third * 20000) * e
    social = np.minimum(c["劳动合同履行月数"], 36) * e
    out["企业社会保险补贴"] = c["企业月缴社会保险费"] * social
    out["职工社会保险补贴"] = round_div(c["职工月缴社会保险费"] * social * 5, 10)
    out["岗前培训补贴"] = c["岗前培训人数"] * (240_000 * e)
    quota = c["上年度在岗职工平均人数"] // 50
    out["人才引进补贴"] = np.minimum(c["引进人才人数"], quota) * (5_000_000 * (e & south))
    # rates at scale 5: min(actual × 10, LPR × 12); principal (scale 2) × rate × 5 -> scale 8
    rate = np.minimum(c["实际贷款利率"] * 10, c["贷款市场报价利率"] * 12)
    interest = round_div(c["流动资金贷款本金"] * rate * (5 * e), 1_000_000)
    out["企业贷款贴息"] = np.minimum(interest, 2_000_000_000)
    out["新型印染技术投资补贴"] = np.minimum(round_div(c["新型印染技术投资额"] * (4 * e), 10), 1_000_000_000)
    out["印染投资项目专项补贴"] = np.minimum(round_div(c["印染技术改造投资额"] * (3 * e), 10), 800_000_000)
    out["印染污水处理厂运营补贴"] = round_div(np.minimum(c["日达标处理量"], 50_000_000) * (18 * e), 100)


# =========================================================================== iit (个人所得税法)

IIT_OUTPUTS = ("应纳税所得额", "适用税率", "应纳税额", "速算扣除数")
IIT_CHOSEN = ("应纳税所得额", "应纳税额")
IIT_SCALES = {"年收入额": 2, "专项扣除": 2, "专项附加扣除": 2, "其他扣除": 2}
IIT_START = datetime.date(2019, 1, 1)
# (upper bound of the band in 元 or None, rate in %, quick deduction in 元)
_IIT_BANDS = ((36000, 3, 0), (144000, 10, 2520), (300000, 20, 16920), (420000, 25, 31920),
              (660000, 30, 52920), (960000, 35, 85920), (None, 45, 181920))
_IIT_RATE = {r: Decimal(r) / 100 for _u, r, _q in _IIT_BANDS}
_IIT_QUICK = {r: Decimal(q) for _u, r, q in _IIT_BANDS}


def iit_decimal(d: Mapping[str, Any], on: datetime.date, outputs: tuple[str, ...] = IIT_CHOSEN) -> dict[str, Decimal]:
    """Annual tax on comprehensive income: taxable × rate − quick deduction (the same as the
    progressive sum, band by band), half-up to the cent."""
    if on < IIT_START:
        raise ValueError("not in force")
    taxable = parse_money(d["年收入额"], "年收入额") - 60000
    for name in ("专项扣除", "专项附加扣除", "其他扣除"):
        if name in d:
            taxable -= parse_money(d[name], name)
    taxable = cents(taxable) if taxable > 0 else _ZERO_CENTS
    rate = 45
    for upper, r, _q in _IIT_BANDS:
        if upper is None or taxable <= upper:
            rate = r
            break
    out = {"应纳税所得额": taxable, "适用税率": _IIT_RATE[rate], "速算扣除数": cents(_IIT_QUICK[rate])}
    out["应纳税额"] = cents(taxable * _IIT_RATE[rate] - _IIT_QUICK[rate])
    return {name: out[name] for name in outputs}


def make_iit(n: int, seed: int) -> Cols:
    rng = np.random.default_rng(seed)
    income = np.where(rng.random(n) < 0.3, rng.integers(0, 10_000_000, n),  # under 100,000 元
                      rng.integers(0, 150_000_000, n))  # up to 1.5M 元, in fen
    return {
        "年收入额": income.astype(np.int64),
        "专项扣除": rng.integers(0, 5_000_000, n).astype(np.int64),
        "专项附加扣除": rng.integers(0, 6_000_000, n).astype(np.int64),
        "其他扣除": rng.integers(0, 1_000_000, n).astype(np.int64),
    }


_IIT_UPPER = np.array([36000, 144000, 300000, 420000, 660000, 960000], dtype=np.int64) * 100
_IIT_RATES = np.array([r for _u, r, _q in _IIT_BANDS], dtype=np.int64)  # percent
_IIT_QUICKS = np.array([q for _u, _r, q in _IIT_BANDS], dtype=np.int64) * 100  # fen


def iit_numpy(c: Cols, on: Any, outputs: tuple[str, ...] = IIT_CHOSEN) -> dict[str, npt.NDArray[np.int64]]:
    """Taxable income and tax in fen: band found by `searchsorted`, tax = taxable × rate% −
    quick deduction, rounded half-up (taxable × rate is at scale 4; the result is >= 0)."""
    check_in_force(on, IIT_START)
    taxable = c["年收入额"] - 6_000_000 - c["专项扣除"] - c["专项附加扣除"] - c["其他扣除"]
    np.maximum(taxable, 0, out=taxable)
    band = np.searchsorted(_IIT_UPPER, taxable, side="left")
    rate = _IIT_RATES.take(band)
    quick = _IIT_QUICKS.take(band)
    tax = taxable * rate
    tax -= quick * 100
    out = {"应纳税所得额": taxable, "适用税率": rate * 100, "速算扣除数": quick}
    out["应纳税额"] = round_div(tax, 100)
    return {name: out[name] for name in outputs}


# =========================================================================== annual leave (职工带薪年休假条例)

LEAVE_OUTPUTS = ("年休假天数",)
LEAVE_START = datetime.date(2008, 1, 1)


def leave_decimal(d: Mapping[str, Any], on: datetime.date, outputs: tuple[str, ...] = LEAVE_OUTPUTS) -> dict[str, int]:
    """Days of paid leave: by whole months worked, less nothing if any exclusion applies."""
    if on < LEAVE_START:
        raise ValueError("not in force")
    worked = parse_int(d["累计工作时间"], "累计工作时间")
    sick = parse_int(d.get("本年度病假累计", 0), "本年度病假累计")
    leave_days = parse_int(d.get("本年度事假累计天数", 0), "本年度事假累计天数")
    paid_leave = parse_flag(d.get("事假不扣工资", False), "事假不扣工资")
    holidays = parse_int(d.get("寒暑假天数", 0), "寒暑假天数")
    if worked < 12:
        days, sick_bar = 0, 0
    elif worked < 120:
        days, sick_bar = 5, 2
    elif worked < 240:
        days, sick_bar = 10, 3
    else:
        days, sick_bar = 15, 4
    if holidays > days or (leave_days >= 20 and paid_leave) or sick >= sick_bar:
        days = 0
    return {"年休假天数": days}


def make_leave(n: int, seed: int) -> Cols:
    rng = np.random.default_rng(seed)
    return {
        "累计工作时间": rng.integers(0, 480, n).astype(np.int64),
        "本年度病假累计": np.where(rng.random(n) < 0.8, 0, rng.integers(0, 6, n)).astype(np.int64),
        "本年度事假累计天数": np.where(rng.random(n) < 0.8, 0, rng.integers(0, 40, n)).astype(np.int64),
        "事假不扣工资": rng.random(n) < 0.3,
        "寒暑假天数": np.where(rng.random(n) < 0.8, 0, rng.integers(0, 60, n)).astype(np.int64),
    }


def leave_numpy(c: Cols, on: Any, outputs: tuple[str, ...] = LEAVE_OUTPUTS) -> dict[str, npt.NDArray[np.int64]]:
    check_in_force(on, LEAVE_START)
    worked = c["累计工作时间"]
    band = (worked >= 12).view(np.int8) + (worked >= 120).view(np.int8) + (worked >= 240).view(np.int8)
    days = np.array([0, 5, 10, 15], dtype=np.int64).take(band)
    sick_bar = np.array([0, 2, 3, 4], dtype=np.int64).take(band)
    excluded = (c["寒暑假天数"] > days) | ((c["本年度事假累计天数"] >= 20) & c["事假不扣工资"])
    excluded |= c["本年度病假累计"] >= sick_bar
    days[excluded] = 0
    return {"年休假天数": days}

