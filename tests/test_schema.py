"""guize schema and guize openapi: valid JSON Schema 2020-12 that accepts what evaluate accepts and
describes what it returns (checked with jsonschema on every example in the corpus)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import guize
from guize.cli import main
from guize.runtime.schema import dumps, jsonable, policy_schema

RULES = sorted(Path("policies").rglob("*.rule"))
OUTPATIENT = "policies/xinjiang/outpatient_2024.rule"
V = jsonschema.Draft202012Validator


def _policies() -> list[guize.Policy]:
    return [guize.load(p) for p in RULES]


def test_schema_command_prints_a_valid_2020_12_schema() -> None:
    result = CliRunner().invoke(main, ["schema", OUTPATIENT])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    V.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    props = schema["properties"]
    assert props["医院级别"]["enum"] == ["一级", "二级", "三级", "未定级"]
    assert "单位：元" in props["本次费用"]["description"] and "第十四条第一款" in props["本次费用"]["description"]
    assert props["住院期间"]["default"] is False and "住院期间" not in schema["required"]
    assert "医院级别" in schema["required"]
    # 本次费用 is read only outside a hospital stay (住院期间 = 否, its default): needed, but not on every path.
    assert "本次费用" not in schema["required"]
    assert props["本次费用"]["x-guize-required-when"]["text"] == "非 住院期间"
    assert "需要的条件：非 住院期间" in props["本次费用"]["description"]
    assert schema["$defs"]["outputs"]["properties"]["统筹基金支付"]["x-guize-cite"] == ["第十四条第一款"]


@pytest.mark.parametrize("policy", _policies(), ids=[p.stem for p in RULES])
def test_examples_validate_and_their_results_match_the_output_schema(policy: guize.Policy) -> None:
    schema = policy_schema(policy)
    V.check_schema(schema)
    for numbers in (False, True):
        out_schema = {**policy_schema(policy, numbers=numbers)["$defs"]["outputs"], "required": []}
        for ex in policy.examples:
            if ex["not_in_force"] or ex["error"]:
                continue
            data = json.loads(json.dumps(jsonable(ex["inputs"])))  # as a JSON client would send it
            # The schema for the outputs the example asks for accepts its inputs.
            V(policy_schema(policy, list(ex["expects"]))).validate(data)
            values = policy.evaluate(data, ex["date"], list(ex["expects"]))
            sent = json.loads(dumps(values, numbers), parse_float=Decimal)
            V(out_schema).validate(sent)


def test_schema_rejects_what_evaluate_rejects() -> None:
    policy = guize.load(OUTPATIENT)
    validator = V(policy_schema(policy, ["统筹基金支付"]))
    good = {"医院级别": "二级", "退休人员": True, "本次费用": "1,860.50", "住院起付线": 600,
            "本年已就诊次数": 1, "本年已支付": 3400}
    assert validator.is_valid(good)
    for bad in ({**good, "医院级别": "四级"}, {**good, "本次费用": -1}, {**good, "本年已就诊次数": 1.5},
                {**good, "本次费用": 10**15}, {**good, "住院起付线x": 1}):
        assert not validator.is_valid(bad), bad
        with pytest.raises(guize.RuleError):
            policy.evaluate(bad, "2025-03-01", ["统筹基金支付"])
    missing = dict(good)
    del missing["本次费用"]
    assert not validator.is_valid(missing)
    # Only the inputs the asked-for outputs need are required; inputs of other outputs are allowed.
    assert V(policy_schema(policy, ["支付比例"])).is_valid({"医院级别": "二级", "退休人员": True, "本次费用": 1})


def test_money_is_a_string_by_default_and_an_exact_number_on_request() -> None:
    assert dumps({"a": Decimal("600.00"), "b": [Decimal("1E+3")]}) == '{"a":"600.00","b":["1000"]}'
    assert dumps({"a": Decimal("600.00")}, numbers=True) == '{"a":600.00}'
    assert dumps({"a": Decimal("0.1000000000000000055511151231257827")}, numbers=True) == \
        '{"a":0.1000000000000000055511151231257827}'


def test_schema_unknown_output_is_a_chinese_error() -> None:
    result = CliRunner().invoke(main, ["schema", OUTPATIENT, "--output", "统筹基金"])
    assert result.exit_code == 1
    assert "没有名为「统筹基金」的输出" in result.output


def test_openapi_command() -> None:
    result = CliRunner().invoke(main, ["openapi", "policies/"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["openapi"] == "3.1.0"
    schemas = doc["components"]["schemas"]
    for schema in schemas.values():
        V.check_schema(schema)
    assert "/v1/outpatient_2024/evaluate" in doc["paths"]
    refs = [line.split('"$ref": "#/components/schemas/')[1].split('"')[0]
            for line in result.stdout.splitlines() if '"$ref"' in line]
    assert refs and set(refs) <= set(schemas)


def test_openapi_component_names_are_valid_for_chinese_file_names(tmp_path: Path) -> None:
    import shutil

    shutil.copy(OUTPATIENT, tmp_path / "门诊共济.rule")
    result = CliRunner().invoke(main, ["openapi", str(tmp_path)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert "/v1/门诊共济/evaluate" in doc["paths"]
    names = list(doc["components"]["schemas"])
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", n) for n in names), names
    ref = doc["paths"]["/v1/门诊共济/evaluate"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert ref["properties"]["inputs"]["$ref"].removeprefix("#/components/schemas/") in names
