"""JSON Schema (2020-12) of a policy's inputs and outputs, and exact JSON for their values.

Money, rates and quantities are decimals: by default they travel as JSON strings ("600.00"),
which every language reads exactly; `numbers=True` writes them as JSON numbers instead,
digit for digit (never through a binary float on guize's side).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from guize.runtime import display, jsonfast
from guize.runtime.deps import dependencies
from guize.runtime.keyed import key_text, keyed_outputs
from guize.runtime.values import MAX_ITEMS, MAX_WHOLE_DIGITS

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a quicker start-up)

if TYPE_CHECKING:
    from typing import Any

    from guize.runtime.policy import Policy

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_DECIMAL_KINDS = ("money", "quantity", "rate", "points")
# Plain decimal text: what guize writes for a decimal, and the canonical form it reads.
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
_INPUT_NUMBER_TEXT = r"^\s*[0-9][0-9,，]*(\.[0-9]+)?\s*元?\s*$"
_RATE_TEXT = r"^\s*[0-9]+(\.[0-9]+)?\s*[%％]?\s*$"
_DATE_TEXT = r"^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日)$"
_LIMIT = 10**MAX_WHOLE_DIGITS


def jsonable(value: Any, numbers: bool = False) -> Any:
    """`value` with decimals as exact text (or kept as Decimal for `dumps` when `numbers`),
    dates as ISO text; containers converted throughout."""
    if isinstance(value, Decimal):
        return value if numbers else display.exact(value)
    if isinstance(value, datetime.date) or (isinstance(value, int) and hasattr(value, "isoformat")):
        return value.isoformat()  # dates; durations (P5Y7M) and year-months (2025-02), as guize eval writes them
    if isinstance(value, dict):
        return {str(k): jsonable(v, numbers) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "keys"):  # a per-item output keyed by a 主键 (runtime/keyed.py)
        return {key_text(k): jsonable(v, numbers) for k, v in zip(value.keys, value, strict=True)}
    if isinstance(value, (list, tuple)):
        return [jsonable(v, numbers) for v in value]
    return value


def dumps(value: Any, numbers: bool = False) -> str:
    """Compact JSON on one line: decimals as exact strings, or with `numbers` as exact JSON numbers."""
    parts: list[str] = []
    _write(jsonable(value, numbers), parts)
    return "".join(parts)


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        out.append("{")
        for i, (k, v) in enumerate(value.items()):
            if i:
                out.append(",")
            out.append(jsonfast.string(k))
            out.append(":")
            _write(v, out)
        out.append("}")
    elif isinstance(value, list):
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            _write(v, out)
        out.append("]")
    elif isinstance(value, Decimal):
        out.append(display.exact(value))
    else:
        out.append(jsonfast.scalar(value))


def _describe(type_text: str, unit: str, cite: Iterable[str]) -> str:
    parts = [f"类型：{type_text}"]
    if unit:
        parts.append(f"单位：{unit}")
    cites = "、".join(cite)
    if cites:
        parts.append(f"依据：{cites}")
    return "；".join(parts)


def _signed(pattern: str, sign: str) -> str:
    return pattern.replace(r"^\s*", r"^\s*" + sign, 1)


def input_value_schema(kind: str, members: tuple[str, ...], negative: bool = False) -> dict[str, Any]:
    """What evaluate accepts for one input of this kind (its canonical JSON forms); `negative`:
    declared 可为负."""
    low: dict[str, Any] = {"exclusiveMinimum": -_LIMIT} if negative else {"minimum": 0}
    sign = "-?" if negative else ""
    if kind in ("money", "quantity"):
        return {"anyOf": [{"type": "number", **low, "exclusiveMaximum": _LIMIT},
                          {"type": "string", "pattern": _signed(_INPUT_NUMBER_TEXT, sign)}]}
    if kind == "rate":
        return {"anyOf": [{"type": "number", **low, "exclusiveMaximum": _LIMIT},
                          {"type": "string", "pattern": _signed(_RATE_TEXT, sign)}]}
    if kind == "int":
        return {"anyOf": [{"type": "integer", **low, "exclusiveMaximum": _LIMIT},
                          {"type": "string", "pattern": rf"^\s*{sign}[0-9]+\s*$"}]}
    if kind == "bool":
        return {"anyOf": [{"type": "boolean"}, {"enum": ["是", "否", "true", "false"]}]}
    if kind == "date":
        return {"type": "string", "pattern": _DATE_TEXT}
    if kind == "enum":
        return {"type": "string", "enum": list(members)}
    if kind == "text":
        return {"type": "string", "pattern": r"\S"}
    return {}


def list_schema(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A list input: an array of objects with the record's fields (null or absent: the default)."""
    props: dict[str, Any] = {}
    for f in spec["fields"]:
        value = input_value_schema(f["kind"], tuple(f["members"]))
        props[f["name"]] = {"title": f["name"], "description": _describe(f["type"], f["unit"], f["cite"]),
                            **({"anyOf": [value, {"type": "null"}]} if f["has_default"] else value)}
        if f["has_default"]:
            props[f["name"]]["default"] = jsonable(f["default"])
    required = [f["name"] for f in spec["fields"] if not f["has_default"]]
    out = {"type": "array", "maxItems": MAX_ITEMS, "items": {"type": "object", "properties": props,
                                                            "required": required, "additionalProperties": False}}
    if spec.get("key"):  # 主键: each item's value of this field differs
        out["x-guize-key"] = spec["key"]
        props[spec["key"]]["x-guize-key"] = True
        props[spec["key"]]["description"] += "；主键：各项的取值互不相同"
    return out


def output_value_schema(kind: str, numbers: bool = False) -> dict[str, Any]:
    """How an output of this kind is written in JSON (see `jsonable`)."""
    if kind in _DECIMAL_KINDS:  # a whole number computed by integer arithmetic stays an integer
        return {"type": "number"} if numbers else {
            "anyOf": [{"type": "string", "pattern": DECIMAL_PATTERN}, {"type": "integer"}]}
    if kind == "int":
        return {"type": "integer"}
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "date":
        return {"type": "string", "format": "date"}
    if kind in ("duration", "age"):
        return {"type": "string", "pattern": r"^P(\d+Y)?(\d+M)?$|^P0M$"}
    if kind == "year_month":
        return {"type": "string", "pattern": r"^\d{4}-\d{2}$"}
    return {"type": "string"}


def input_schema(policy: Policy, outputs: Iterable[str] | None = None) -> dict[str, Any]:
    """The JSON Schema of the inputs object that `outputs` (all if None) need.

    `required` lists the inputs without a default that every path of the outputs reads; one read
    only on some paths (a branch, table row, band, version, the formula of a 可作输入 definition)
    is not required, and says when it is needed: 「仅在…时需要」 in its description and
    `x-guize-required-when` ({"text", "any": alternatives of conditions}, see
    guize.runtime.conditions). Each property carries the type, unit and articles in its
    description, the default, and `x-guize-*` fields with the same facts."""
    import json  # building a schema, not on the evaluation path (quick start-up)

    from guize.runtime import conditions

    names = policy.select_outputs(outputs)
    needed = set(policy.required_inputs(names)) | dependencies(policy.definitions, names)
    when = policy.needed_when(names)
    props: dict[str, Any] = {}
    required: list[str] = []
    rules: dict[str, list[str]] = {}  # if (a condition on the inputs, as JSON) then these are required
    for info in policy.inputs:
        if info.name not in needed:
            continue
        description = _describe(info.type, info.unit, info.cite)
        if info.given:
            description += "；可不给：不给时按规则中的公式计算"
        value = input_value_schema(info.kind, info.allowed, info.negative)
        if info.kind == "list":
            value = list_schema(next(s for s in policy.module.INPUTS if s["name"] == info.name))
        prop: dict[str, Any] = {"title": info.name, "description": description,
                                **value,
                                "x-guize-kind": info.kind, "x-guize-type": info.type}
        if info.unit:
            prop["x-guize-unit"] = info.unit
        if info.cite:
            prop["x-guize-cite"] = list(info.cite)
        if info.negative:
            prop["x-guize-negative"] = True
        condition = when.get(info.name, ())
        if info.given:
            prop["x-guize-given"] = True  # a definition the caller may give (可作输入)
        elif info.required and condition == ():
            required.append(info.name)
        elif info.required:  # needed only on some paths: under these conditions
            said = conditions.text(condition)
            prop["description"] += f"；需要的条件：{said}"
            prop["x-guize-required-when"] = {"text": said, "any": conditions.to_json(condition)}
            for test in _checkable(policy, condition):
                rules.setdefault(test, []).append(info.name)
        else:
            prop["default"] = jsonable(info.default)
        props[info.name] = prop
    # Inputs of other outputs may be given too (evaluate ignores them); unknown names are errors.
    out: dict[str, Any] = {"type": "object", "properties": props, "required": required,
           "propertyNames": {"enum": [i.name for i in policy.inputs]}}
    if rules:  # a conditional input, where its condition is one on the inputs themselves
        out["allOf"] = [{"if": json.loads(test), "then": {"required": names}} for test, names in rules.items()]
    return out


_FALSE = [False, "否", "false"]
_TRUE = [True, "是", "true"]


def _checkable(policy: Policy, when: Any) -> list[str]:
    """The alternatives of `when` that JSON Schema can test: each condition on an input itself
    (a yes/no input, an enum input's members, a 可作输入 definition not given), as `if` schemas
    (JSON text, to group equal ones). An absent input takes its default, as evaluate does."""
    import json  # building a schema, not on the evaluation path (quick start-up)

    specs = {s["name"]: s for s in policy.module.INPUTS}
    out = []
    for alternative in when or ():
        parts: list[dict[str, Any]] = []
        for c in alternative:
            spec = specs.get(c.subject)
            if c.kind == "given" and spec is not None:
                parts.append({"not": {"required": [c.subject]}})
                continue
            if spec is None or spec.get("given") or c.kind not in ("test", "member", "not_member") \
                    or (c.kind == "test" and spec["kind"] != "bool") or (c.kind != "test" and spec["kind"] != "enum"):
                break
            if c.kind == "test":
                allowed: list[Any] = _TRUE if c.values == ("是",) else _FALSE
                holds = spec["default"] is (c.values == ("是",)) if spec["has_default"] else False
                test: dict[str, Any] = {"enum": allowed}
            else:
                test = {"enum": list(c.values)} if c.kind == "member" else {"not": {"enum": list(c.values)}}
                holds = spec["has_default"] and (spec["default"] in c.values) == (c.kind == "member")
            part: dict[str, Any] = {"properties": {c.subject: test}}
            if not holds:  # absent, its default does not meet the condition
                part["required"] = [c.subject]
            parts.append(part)
        else:
            if parts:
                out.append(json.dumps(parts[0] if len(parts) == 1 else {"allOf": parts}, ensure_ascii=False,
                                      sort_keys=True))
    return out


def output_schema(policy: Policy, outputs: Iterable[str] | None = None, numbers: bool = False) -> dict[str, Any]:
    """The JSON Schema of the outputs object evaluate returns for `outputs` (all if None)."""
    names = policy.select_outputs(outputs)
    by_name = {o.name: o for o in policy.outputs}
    props: dict[str, Any] = {}
    keyed = keyed_outputs(policy.definitions, {s["name"]: s for s in policy.module.INPUTS})
    for name in names:
        o = by_name[name]
        value = output_value_schema(o.kind, numbers)
        if name in keyed:  # a value for each item, keyed by the list's 主键 (as text)
            value = {"type": "object", "additionalProperties": value, "x-guize-key": keyed[name][1]}
        elif type(policy.definitions[name].expr).__name__ == "Each":  # a value for each item of a list
            value = {"type": "array", "items": value}
        props[name] = {"title": name, "description": _describe(o.type, display.unit_in(o.type), o.cite),
                       **value, "x-guize-kind": o.kind, "x-guize-type": o.type,
                       "x-guize-inputs": list(o.inputs)}
        if o.cite:
            props[name]["x-guize-cite"] = list(o.cite)
        if o.negative:
            props[name]["x-guize-negative"] = True
    return {"type": "object", "properties": props, "required": list(dict.fromkeys(names)),
            "additionalProperties": False}


def policy_schema(policy: Policy, outputs: Iterable[str] | None = None, numbers: bool = False) -> dict[str, Any]:
    """One JSON Schema document: the inputs object, with the outputs' schema under $defs."""
    title = policy.window.name()
    schema = input_schema(policy, outputs)
    return {"$schema": DIALECT, "$id": f"urn:guize:{policy.sha256[:16]}", "title": title,
            "description": f"《{policy.title or title}》的输入（{policy.window.describe()}）；"
                           "输出的模式见 $defs.outputs",
            **schema,
            "$defs": {"outputs": output_schema(policy, outputs, numbers)},
            "x-guize-document": {"title": policy.title, "docno": policy.docno, "file": policy.path,
                                 "sha256": policy.sha256}}
