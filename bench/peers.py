"""Peer engines for the outpatient benchmark: GoRules ZEN and OpenFisca.

The same rule as `baselines.outpatient_decimal` (新政办发〔2024〕13号 第十四条/第十九条),
written the way each engine expects:

* ZEN (`zen-engine`): a JSON Decision Model graph, a decision table for the
  per-level terms and an expression node for the arithmetic. ZEN computes in
  decimal (rust_decimal) and its `round` is half away from zero, which equals
  half-up for the non-negative amounts here. Its expression lexer accepts only
  ASCII identifiers, so the graph uses English field names and `outpatient_zen`
  maps the Chinese keys. Input numbers are passed as JSON text so that they
  reach the engine as exact decimal literals; results come back as Python
  floats and are read back with `repr`, exact for these magnitudes.
* OpenFisca (`openfisca-core`): a TaxBenefitSystem with one entity and
  vectorised formulas, built twice:
  - ``money="float"``: idiomatic OpenFisca, `value_type = float`. OpenFisca
    stores every float variable as float32 (there is no float64 value type),
    so amounts are rounded to ~7 significant digits on input and between
    formulas; formulas compute in float64 internally. Disagreements with the
    exact baseline are counted, not hidden.
  - ``money="fen"``: `value_type = int` in fen and basis points (int32
    storage, int64 products inside formulas), exact.

Needs the peers installed (they are not project dependencies):
``pip install zen-engine openfisca-core``. Run as ``python bench/peers.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import zen
from baselines import (
    LEVEL_CODES,
    LEVELS,
    OUTPUT_KEYS,
    make_rows,
    outpatient_decimal,
    outpatient_numpy,
    parse_flag,
    parse_money,
    to_records,
)
from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DateUnit
from openfisca_core.simulations import Simulation, SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

# =========================================================================== ZEN

_POS = {"x": 0, "y": 0}

ZEN_GRAPH: dict[str, Any] = {
    "contentType": "application/vnd.gorules.decision",
    "nodes": [
        {"id": "request", "name": "request", "type": "inputNode", "position": _POS},
        {
            "id": "level_terms",
            "name": "level_terms",
            "type": "decisionTableNode",
            "position": _POS,
            "content": {
                "hitPolicy": "first",
                "passThrough": True,
                "inputField": None,
                "outputPath": None,
                "executionMode": "single",
                "inputs": [{"id": "in_level", "name": "医院级别", "field": "level"}],
                "outputs": [
                    {"id": "out_rate", "name": "基础支付比例", "field": "base_rate"},
                    {"id": "out_cap", "name": "单次限额", "field": "visit_cap"},
                ],
                "rules": [
                    # 第十九条: 未定级 is paid as 一级.
                    {
                        "_id": "r1",
                        "in_level": "'一级', '未定级'",
                        "out_rate": "0.80",
                        "out_cap": "300",
                    },
                    {"_id": "r2", "in_level": "'二级'", "out_rate": "0.70", "out_cap": "800"},
                    {"_id": "r3", "in_level": "'三级'", "out_rate": "0.60", "out_cap": "1300"},
                ],
            },
        },
        {
            "id": "compute",
            "name": "compute",
            "type": "expressionNode",
            "position": _POS,
            "content": {
                "passThrough": False,
                "inputField": None,
                "outputPath": None,
                "executionMode": "single",
                "expressions": [
                    {
                        "id": "x1",
                        "key": "deductible",
                        "value": "round(inpatient_line * (visits == 0 ? 0.10 : 0.05), 2)",
                    },
                    {
                        "id": "x2",
                        "key": "rate",
                        "value": "base_rate + (retiree ? 0.05 : 0)",
                    },
                    {
                        "id": "x3",
                        "key": "payout",
                        "value": (
                            "inpatient == true ? 0 : round(min(["
                            "max([cost - $.deductible, 0]) * $.rate, "
                            "visit_cap, "
                            "max([4000 - paid_this_year, 0])]), 2)"
                        ),
                    },
                ],
            },
        },
        {"id": "response", "name": "response", "type": "outputNode", "position": _POS},
    ],
    "edges": [
        {"id": "e1", "type": "edge", "sourceId": "request", "targetId": "level_terms"},
        {"id": "e2", "type": "edge", "sourceId": "level_terms", "targetId": "compute"},
        {"id": "e3", "type": "edge", "sourceId": "compute", "targetId": "response"},
    ],
}

_ZEN_KEY = "outpatient"
# `ZenEngine.evaluate(key, ...)` on a loaded graph measured ~18 µs/call here, while
# `ZenDecision.evaluate` from `create_decision` took ~150 µs/call for the same graph.
_ZEN_ENGINE = zen.ZenEngine({"loader": {"type": "static", "content": {_ZEN_KEY: ZEN_GRAPH}}})


def _zen_money(value: float | int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal("0.01"))


def zen_context(inputs: Mapping[str, Any]) -> str:
    """Validate a JSON-like record and render the ZEN input as JSON text with exact decimals."""
    level = inputs["医院级别"]
    if level not in LEVEL_CODES:
        raise ValueError(f"医院级别: expected one of {'/'.join(LEVELS)}, got {level!r}")
    visits = inputs["本年已就诊次数"]
    if type(visits) is not int or visits < 0:
        raise ValueError(f"本年已就诊次数: expected an int >= 0, got {visits!r}")
    retiree = parse_flag(inputs["退休人员"], "退休人员")
    inpatient = parse_flag(inputs.get("住院期间", False), "住院期间")
    # Decimal's str() is a valid JSON number, so the engine parses exact decimals.
    return (
        f'{{"level": "{level}", "retiree": {"true" if retiree else "false"}, '
        f'"cost": {parse_money(inputs["本次费用"], "本次费用")}, '
        f'"inpatient_line": {parse_money(inputs["住院起付线"], "住院起付线")}, '
        f'"visits": {visits}, '
        f'"paid_this_year": {parse_money(inputs["本年已支付"], "本年已支付")}, '
        f'"inpatient": {"true" if inpatient else "false"}}}'
    )


def _zen_outputs(result: Mapping[str, Any]) -> dict[str, Decimal]:
    return {
        "起付标准": _zen_money(result["deductible"]),
        "支付比例": Decimal(repr(result["rate"])),
        "统筹基金支付": _zen_money(result["payout"]),
    }


def outpatient_zen(inputs: Mapping[str, Any]) -> dict[str, Decimal]:
    """Evaluate the ZEN graph for one JSON-like record (same contract as `outpatient_decimal`)."""
    return _zen_outputs(_ZEN_ENGINE.evaluate(_ZEN_KEY, zen_context(inputs))["result"])


def outpatient_zen_batch(records: list[dict[str, Any]]) -> list[dict[str, Decimal]]:
    """Evaluate many records with `ZenEngine.evaluate_batch` (the engine may use several threads)."""
    requests: list[Any] = [{"key": _ZEN_KEY, "context": zen_context(r)} for r in records]
    outputs = []
    for response in _ZEN_ENGINE.evaluate_batch(requests):
        if not response.get("success"):
            raise RuntimeError(f"zen-engine: {response.get('error')}")
        outputs.append(_zen_outputs(response["data"]["result"]))
    return outputs


# =========================================================================== OpenFisca

PERIOD = "2024"
Money = Literal["float", "fen"]


class 医院级别(Enum):
    """Hospital level; member order matches `baselines.LEVELS` so level codes encode directly."""

    一级 = "一级"
    二级 = "二级"
    三级 = "三级"
    未定级 = "未定级"


assert tuple(member.name for member in 医院级别) == LEVELS


def _half_up(units: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Half-up rounding of non-negative float64 values to whole units (e.g. cents)."""
    return np.floor(units + 0.5)


def build_openfisca_system(money: Money = "float") -> TaxBenefitSystem:
    """One-entity OpenFisca system for the outpatient rule.

    ``money="float"``: money in 元 and rates as fractions, `value_type = float`
    (float32 storage). ``money="fen"``: money in fen and rates in basis points,
    `value_type = int` (int32 storage; products are taken in int64).
    """
    visit = build_entity(
        key="visit",
        plural="visits",
        label="普通门诊就诊",
        doc="One ordinary outpatient visit.",
        is_person=True,
    )
    system = TaxBenefitSystem([visit])
    amount_type: type = float if money == "float" else int

    def variable(name: str, **attributes: Any) -> None:
        # OpenFisca reads a variable's own class attributes only, so each one is set here.
        attributes.update(entity=visit, definition_period=DateUnit.YEAR)
        system.add_variable(type(name, (Variable,), attributes))

    variable(
        "医院级别",
        value_type=Enum,
        possible_values=医院级别,
        default_value=医院级别.未定级,
        label="医院级别",
    )
    variable("退休人员", value_type=bool, default_value=False, label="退休人员")
    variable("本次费用", value_type=amount_type, label="本次费用")
    variable("住院起付线", value_type=amount_type, label="住院起付线")
    variable("本年已就诊次数", value_type=int, label="本年已就诊次数")
    variable("本年已支付", value_type=amount_type, label="本年已支付")
    variable("住院期间", value_type=bool, default_value=False, label="住院期间")

    if money == "float":

        def deductible(visits: Any, period: Any) -> Any:
            line = visits("住院起付线", period).astype(np.float64)
            share = np.where(visits("本年已就诊次数", period) == 0, 0.10, 0.05)
            return _half_up(line * share * 100) / 100

        def rate(visits: Any, period: Any) -> Any:
            level = visits("医院级别", period)
            base = np.select(
                [level == 医院级别.二级, level == 医院级别.三级], [0.70, 0.60], default=0.80
            )
            return base + np.where(visits("退休人员", period), 0.05, 0.0)

        def payout(visits: Any, period: Any) -> Any:
            level = visits("医院级别", period)
            cost = visits("本次费用", period).astype(np.float64)
            base = np.maximum(cost - visits("起付标准", period), 0) * visits("支付比例", period)
            cap = np.select(
                [level == 医院级别.二级, level == 医院级别.三级], [800.0, 1300.0], default=300.0
            )
            remaining = np.maximum(4000 - visits("本年已支付", period).astype(np.float64), 0)
            amount = _half_up(np.minimum(np.minimum(base, cap), remaining) * 100) / 100
            return np.where(visits("住院期间", period), 0.0, amount)

    else:

        def deductible(visits: Any, period: Any) -> Any:
            line = visits("住院起付线", period).astype(np.int64)
            share_bp = np.where(visits("本年已就诊次数", period) == 0, 1000, 500)
            return (line * share_bp + 5000) // 10000

        def rate(visits: Any, period: Any) -> Any:
            level = visits("医院级别", period)
            base = np.select(
                [level == 医院级别.二级, level == 医院级别.三级], [7000, 6000], default=8000
            )
            return base + np.where(visits("退休人员", period), 500, 0)

        def payout(visits: Any, period: Any) -> Any:
            level = visits("医院级别", period)
            cost = visits("本次费用", period).astype(np.int64)
            ded = visits("起付标准", period).astype(np.int64)
            units = np.maximum(cost - ded, 0) * visits("支付比例", period).astype(np.int64)
            cap_fen = np.select(
                [level == 医院级别.二级, level == 医院级别.三级], [80_000, 130_000], default=30_000
            )
            remaining = np.maximum(400_000 - visits("本年已支付", period).astype(np.int64), 0)
            units = np.minimum(np.minimum(units, cap_fen * 10000), remaining * 10000)
            return np.where(visits("住院期间", period), 0, (units + 5000) // 10000)

    variable("起付标准", value_type=amount_type, formula=deductible, label="起付标准")
    variable("支付比例", value_type=amount_type, formula=rate, label="支付比例")
    variable("统筹基金支付", value_type=amount_type, formula=payout, label="统筹基金支付")
    return system


OPENFISCA_FLOAT = build_openfisca_system("float")
OPENFISCA_FEN = build_openfisca_system("fen")


def openfisca_columns(
    system: TaxBenefitSystem, cols: Mapping[str, npt.NDArray[Any]], money: Money
) -> dict[str, npt.NDArray[Any]]:
    """One OpenFisca simulation over all rows of `make_rows`-style columns (money in fen).

    For ``money="float"`` the fen inputs are given in 元 (float64, then stored as
    float32 by OpenFisca) and the outputs are float32 元 / fractions.
    """
    n = len(cols["本次费用"])
    simulation: Simulation = SimulationBuilder().build_default_simulation(system, n)
    scale = 100.0 if money == "float" else 1
    for name in ("本次费用", "住院起付线", "本年已支付"):
        simulation.set_input(name, PERIOD, cols[name] / scale if money == "float" else cols[name])
    simulation.set_input("医院级别", PERIOD, np.asarray(cols["医院级别"], dtype=np.int16))
    for name in ("退休人员", "本年已就诊次数", "住院期间"):
        simulation.set_input(name, PERIOD, cols[name])
    return {name: simulation.calculate(name, PERIOD) for name in OUTPUT_KEYS}


def outpatient_openfisca(inputs: Mapping[str, Any]) -> dict[str, Decimal]:
    """Scalar call: a one-row simulation of the float system (idiomatic OpenFisca).

    Outputs are read back to the nearest cent (rate: nearest basis point).
    """
    level = inputs["医院级别"]
    if level not in LEVEL_CODES:
        raise ValueError(f"医院级别: expected one of {'/'.join(LEVELS)}, got {level!r}")
    simulation = SimulationBuilder().build_default_simulation(OPENFISCA_FLOAT, 1)
    simulation.set_input("医院级别", PERIOD, [LEVEL_CODES[level]])
    simulation.set_input("退休人员", PERIOD, [parse_flag(inputs["退休人员"], "退休人员")])
    simulation.set_input(
        "住院期间", PERIOD, [parse_flag(inputs.get("住院期间", False), "住院期间")]
    )
    simulation.set_input("本年已就诊次数", PERIOD, [inputs["本年已就诊次数"]])
    for name in ("本次费用", "住院起付线", "本年已支付"):
        simulation.set_input(name, PERIOD, [float(parse_money(inputs[name], name))])
    deductible, rate, payout = (
        float(simulation.calculate(name, PERIOD)[0]) for name in OUTPUT_KEYS
    )
    return {
        "起付标准": Decimal(round(deductible * 100)).scaleb(-2),
        "支付比例": Decimal(round(rate * 10000)).scaleb(-4),
        "统筹基金支付": Decimal(round(payout * 100)).scaleb(-2),
    }


# =========================================================================== self-check


def _per_row_seconds(
    fn: Callable[[Mapping[str, Any]], Any], records: list[dict[str, Any]]
) -> float:
    start = time.perf_counter()
    for record in records:
        fn(record)
    return (time.perf_counter() - start) / len(records)


def _compare_scalar(
    name: str, fn: Callable[[Mapping[str, Any]], dict[str, Decimal]], records: list[dict[str, Any]]
) -> None:
    bad = 0
    for record in records:
        want, got = outpatient_decimal(record), fn(record)
        if any(want[key] != got[key] for key in OUTPUT_KEYS):
            bad += 1
            if bad <= 3:
                print(f"  {name} mismatch: {record} -> {got}, expected {want}")
    print(f"{name}: {len(records) - bad}/{len(records)} rows agree to the cent")


def _compare_columns(
    name: str, got: Mapping[str, npt.NDArray[Any]], want: Mapping[str, Any]
) -> None:
    n = len(want["统筹基金支付"])
    parts = []
    for key in OUTPUT_KEYS:
        mismatches = int(np.count_nonzero(np.asarray(got[key], dtype=np.int64) != want[key]))
        parts.append(f"{key} {n - mismatches}/{n}")
    print(f"{name}: agree to the cent: " + ", ".join(parts))


def _float_to_units(values: npt.NDArray[Any], per_unit: int) -> npt.NDArray[np.int64]:
    """Nearest integer fen / basis points of float outputs (how a caller would read them)."""
    return np.rint(values.astype(np.float64) * per_unit).astype(np.int64)


def main() -> None:
    n_scalar = 500
    records = list(to_records(make_rows(n_scalar, seed=11)))
    _compare_scalar("zen-engine (evaluate)", outpatient_zen, records)
    _compare_scalar("openfisca float (scalar, 1-row simulations)", outpatient_openfisca, records)

    n_cols = 100_000
    cols = make_rows(n_cols, seed=12)
    want = outpatient_numpy(cols)  # equals outpatient_decimal, checked by baselines.py
    fen = openfisca_columns(OPENFISCA_FEN, cols, "fen")
    _compare_columns(f"openfisca fen/int ({n_cols:,} rows)", fen, want)
    flt = openfisca_columns(OPENFISCA_FLOAT, cols, "float")
    as_units = {
        "起付标准": _float_to_units(flt["起付标准"], 100),
        "支付比例": _float_to_units(flt["支付比例"], 10_000),
        "统筹基金支付": _float_to_units(flt["统筹基金支付"], 100),
    }
    _compare_columns(f"openfisca float32 ({n_cols:,} rows)", as_units, want)
    payout = flt["统筹基金支付"].astype(np.float64)
    error = np.abs(payout - want["统筹基金支付"] / 100)
    print(f"  float32 payout: max |error| {error.max():.6f} 元")

    batch = outpatient_zen_batch(records)
    agree = sum(
        all(outpatient_decimal(r)[k] == b[k] for k in OUTPUT_KEYS)
        for r, b in zip(records, batch, strict=True)
    )
    print(f"zen-engine (evaluate_batch): {agree}/{len(records)} rows agree to the cent")

    timing_records = list(to_records(make_rows(20_000, seed=13)))
    zen_scalar = _per_row_seconds(outpatient_zen, timing_records)
    start = time.perf_counter()
    outpatient_zen_batch(timing_records)
    zen_batch = (time.perf_counter() - start) / len(timing_records)
    decimal_scalar = _per_row_seconds(outpatient_decimal, timing_records)
    print(f"outpatient_decimal:  {decimal_scalar * 1e6:8.2f} µs/row (same records, for scale)")
    print(f"zen-engine scalar:   {zen_scalar * 1e6:8.2f} µs/row (incl. validation + JSON text)")
    print(f"zen-engine batch:    {zen_batch * 1e6:8.2f} µs/row (evaluate_batch, wall clock)")
    print(
        "openfisca scalar:    "
        f"{_per_row_seconds(outpatient_openfisca, timing_records[:500]) * 1e6:8.2f} µs/row"
    )
    n_big = 1_000_000
    big = make_rows(n_big, seed=7)
    for label, system, money in (
        ("fen", OPENFISCA_FEN, "fen"),
        ("float", OPENFISCA_FLOAT, "float"),
    ):
        start = time.perf_counter()
        openfisca_columns(system, big, money)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - start
        print(f"openfisca {label:5s} batch: {elapsed / n_big * 1e9:8.1f} ns/row ({n_big:,} rows)")


if __name__ == "__main__":
    main()
