"""A minimal OpenFisca country package for the outpatient rule (新政办发〔2024〕13号 第十四条、
第十九条), so that `openfisca serve --country-package openfisca_outpatient` serves the same rule as
`guize serve policies/xinjiang` (bench/serve_bench.py compares the two).

Written the way OpenFisca expects: one person entity (a visit), one Variable class per input and
output, vectorised numpy formulas. Money is in fen and rates in basis points (`value_type = int`),
so that its answers can be checked equal to guize's to the cent: OpenFisca's `float` variables are
stored as float32 (see bench/peers.py), which is off by a cent on some amounts. The period is the
year of the evaluation date (every variable is yearly); OpenFisca has no notion of the document's
validity window, so the benchmark only sends dates in force.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import DateUnit
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

Visit = build_entity(key="visit", plural="visits", label="普通门诊就诊", doc="One ordinary outpatient visit.",
                     is_person=True)


class 医院级别类别(Enum):
    一级 = "一级"
    二级 = "二级"
    三级 = "三级"
    未定级 = "未定级"


class 医院级别(Variable):
    entity = Visit
    definition_period = DateUnit.YEAR  # OpenFisca reads only a variable's own attributes
    value_type = Enum
    possible_values = 医院级别类别
    default_value = 医院级别类别.未定级
    label = "医院级别（第十四条第二款）"


class 退休人员(Variable):
    entity = Visit
    definition_period = DateUnit.YEAR  # OpenFisca reads only a variable's own attributes
    value_type = bool
    label = "退休人员（第十四条第三款）"


class 住院期间(Variable):
    entity = Visit
    definition_period = DateUnit.YEAR  # OpenFisca reads only a variable's own attributes
    value_type = bool
    default_value = False
    label = "住院期间（第十九条）"


class 本次费用(Variable):
    entity = Visit
    definition_period = DateUnit.YEAR  # OpenFisca reads only a variable's own attributes
    value_type = int
    unit = "fen"
    label = "本次费用（分）"


class 住院起付线(Variable):
    entity = Visit
    definition_period = DateUnit.YEAR  # OpenFisca reads only a variable's own attributes
    value_type = int
    unit = "fen"
    label = "住院起付线（分）"


class 本年已就诊次数(Variable):
    entity = Visit
    definition_period = DateUnit.YEAR  # OpenFisca reads only a variable's own attributes
    value_type = int
    label = "本年已就诊次数"


class 本年已支付(Variable):
    entity = Visit
    definition_period = DateUnit.YEAR  # OpenFisca reads only a variable's own attributes
    value_type = int
    unit = "fen"
    label = "本年已支付（分）"


class 起付标准(Variable):
    entity = Visit
    definition_period = DateUnit.YEAR  # OpenFisca reads only a variable's own attributes
    value_type = int
    unit = "fen"
    label = "起付标准（分，第十四条第二款）：首次就诊为住院起付线的10%，再次就诊为5%，四舍五入到分"

    def formula(visit: Any, period: Any, parameters: Any) -> Any:
        p = parameters(period).门诊
        line = visit("住院起付线", period).astype(np.int64)
        share_bp = np.where(visit("本年已就诊次数", period) == 0, p.首次就诊起付比例, p.再次就诊起付比例)
        return (line * share_bp + 5000) // 10000


class 支付比例(Variable):
    entity = Visit
    definition_period = DateUnit.YEAR  # OpenFisca reads only a variable's own attributes
    value_type = int
    unit = "basis points"
    label = "支付比例（万分之一，第十四条第三款）"

    def formula(visit: Any, period: Any, parameters: Any) -> Any:
        p = parameters(period).门诊
        base = p.基本支付比例[visit("医院级别", period)]
        return base + np.where(visit("退休人员", period), p.退休人员倾斜, 0)


class 统筹基金支付(Variable):
    entity = Visit
    definition_period = DateUnit.YEAR  # OpenFisca reads only a variable's own attributes
    value_type = int
    unit = "fen"
    label = "统筹基金支付（分，第十四条第一款、第十九条），四舍五入到分"

    def formula(visit: Any, period: Any, parameters: Any) -> Any:
        p = parameters(period).门诊
        cost = visit("本次费用", period).astype(np.int64)
        deductible = visit("起付标准", period).astype(np.int64)
        units = np.maximum(cost - deductible, 0) * visit("支付比例", period).astype(np.int64)
        cap = p.单次最高支付限额[visit("医院级别", period)].astype(np.int64)
        remaining = np.maximum(p.年度最高支付限额 - visit("本年已支付", period).astype(np.int64), 0)
        units = np.minimum(np.minimum(units, cap * 10000), remaining * 10000)
        return np.where(visit("住院期间", period), 0, (units + 5000) // 10000)


# The rule's parameters as OpenFisca parameters (what a country package keeps in YAML files), in
# force from 2024-04-26 (第三十七条); 未定级 is paid as 一级 (第十四条第三款).
_START = "2024-04-26"
_LEVELS = {"一级": (8000, 30_000), "二级": (7000, 80_000), "三级": (6000, 130_000), "未定级": (8000, 30_000)}
PARAMETERS = {"门诊": {
    "首次就诊起付比例": {"unit": "basis points", "values": {_START: 1000}},
    "再次就诊起付比例": {"unit": "basis points", "values": {_START: 500}},
    "年度最高支付限额": {"unit": "fen", "values": {_START: 400_000}},
    "退休人员倾斜": {"unit": "basis points", "values": {_START: 500}},
    "基本支付比例": {k: {"values": {_START: rate}} for k, (rate, _) in _LEVELS.items()},
    "单次最高支付限额": {k: {"values": {_START: cap}} for k, (_, cap) in _LEVELS.items()},
}}


class CountryTaxBenefitSystem(TaxBenefitSystem):
    def __init__(self) -> None:
        super().__init__([Visit])
        self.parameters = ParameterNode("", data=PARAMETERS)
        self.add_variables(医院级别, 退休人员, 住院期间, 本次费用, 住院起付线, 本年已就诊次数, 本年已支付,
                           起付标准, 支付比例, 统筹基金支付)
