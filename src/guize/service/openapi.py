"""The OpenAPI 3.1 description of `guize serve` over a set of documents (its schemas are
JSON Schema 2020-12, the same as `guize schema`)."""

from __future__ import annotations

import re
from typing import Any

from guize._version import __version__
from guize.runtime.schema import input_schema, output_schema
from guize.service.registry import Document

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "type", "message"],
        "properties": {"code": {"type": "string", "description": "稳定的错误代码，如 E101"},
                       "type": {"type": "string", "description": "错误种类，如 MissingInput"},
                       "message": {"type": "string", "description": "说明（中文；Accept-Language: en 时为英文）"},
                       "message_zh": {"type": "string"}},
        "additionalProperties": True}},
}
_ARROW = "application/vnd.apache.arrow.stream"
_DATE = {"type": "string", "description": "评估日期：2025-03-01 或 2025年3月1日"}
_KNOWN = {"type": ["string", "null"],
          "description": "按此日期已发布的规定计算（发布日期晚于它的修改不算）；省略或 null 时按现行规定"}
_NUMBERS = {"name": "numbers", "in": "query", "required": False, "schema": {"type": "boolean", "default": False},
            "description": "金额、比率按 JSON 数写出（默认按字符串写出，精确）"}


def _errors(*codes: str) -> dict[str, Any]:
    what = {"400": "请求无效（JSON 或 Arrow 流有误、缺少 date）", "404": "没有该文件", "413": "请求体过大或行数过多",
            "415": "服务没有安装 pyarrow，不能读写 Arrow IPC",
            "422": "规则不能计算：缺少输入、输入无效、未知输出、不在有效期内、计算错误",
            "503": "该文件没有能编译的版本"}
    return {c: {"description": what[c], "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            for c in codes}


def component(doc: Document) -> str:
    """The name of a document's schemas under components: OpenAPI allows only [A-Za-z0-9._-]
    there, so a file named in Chinese is named by its hash."""
    assert doc.policy is not None
    return doc.id if re.fullmatch(r"[A-Za-z0-9._-]+", doc.id) else f"policy_{doc.policy.sha256[:12]}"


def _policy_paths(doc: Document) -> dict[str, Any]:
    policy = doc.policy
    assert policy is not None
    ref = f"#/components/schemas/{component(doc)}.inputs"
    out_ref = f"#/components/schemas/{component(doc)}.outputs"
    outputs_param = {"type": "array", "items": {"enum": [o.name for o in policy.outputs]},
                     "description": "只计算这些输出；省略时计算全部输出"}
    request = {"type": "object", "required": ["date", "inputs"], "additionalProperties": False,
               "properties": {"date": _DATE, "known_on": _KNOWN, "inputs": {"$ref": ref}, "outputs": outputs_param}}
    title = policy.window.name()
    base = f"/v1/{doc.id}"
    return {
        f"{base}/evaluate": {"post": {
            "summary": f"计算：{title}", "operationId": f"{doc.id}.evaluate", "parameters": [_NUMBERS],
            "requestBody": {"required": True, "content": {"application/json": {"schema": request}}},
            "responses": {"200": {"description": "各输出的值", "content": {"application/json": {"schema": {
                "type": "object", "required": ["document", "date", "outputs"],
                "properties": {"document": {"type": "string"}, "date": {"type": "string", "format": "date"},
                               "known_on": {"type": "string", "format": "date",
                                            "description": "请求给出 known_on 时"},
                               "outputs": {"$ref": out_ref}}}}}},
                          **_errors("400", "404", "413", "422", "503")}}},
        f"{base}/explain": {"post": {
            "summary": f"计算并解释：{title}", "operationId": f"{doc.id}.explain", "parameters": [_NUMBERS],
            "requestBody": {"required": True, "content": {"application/json": {"schema": request}}},
            "responses": {"200": {"description": "各输出的值、计算过程（树）和中文说明", "content": {
                "application/json": {"schema": {"type": "object", "properties": {
                    "outputs": {"$ref": out_ref}, "explanation": {"type": "object"}, "text": {"type": "string"}}}}}},
                          **_errors("400", "404", "413", "422", "503")}}},
        f"{base}/batch": {"post": {
            "summary": f"批量计算（JSON Lines 或 Arrow IPC 流）：{title}", "operationId": f"{doc.id}.batch",
            "description": "JSON Lines：请求体每行一个输入对象；响应每行一个结果 {\"row\": n, \"outputs\": {…}} 或 "
                           "{\"row\": n, \"error\": {…}}，顺序与请求相同。Arrow IPC 流"
                           "（Content-Type: application/vnd.apache.arrow.stream）：每列一个输入，"
                           "响应是同样格式的表：keep 的列、每个输出一列（金额、比率为 decimal128）、「错误」列。",
            "parameters": [
                {"name": "date", "in": "query", "schema": _DATE, "description": "所有行共用的评估日期"},
                {"name": "date_field", "in": "query", "schema": {"type": "string"},
                 "description": "按行取评估日期的字段名（与 date 二选一）"},
                {"name": "known_on", "in": "query", "schema": _DATE,
                 "description": "所有行按此日期已发布的规定计算（可省略：按现行规定）"},
                {"name": "known_on_field", "in": "query", "schema": {"type": "string"},
                 "description": "按行取 known_on 日期的字段名（与 known_on 二选一；该行此字段为空时按现行规定）"},
                {"name": "output", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
                 "explode": True, "description": "只计算这些输出（可重复）"},
                {"name": "keep", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
                 "explode": True, "description": "原样带到结果中的字段（如编号），不作为输入"},
                _NUMBERS],
            "requestBody": {"required": True, "content": {"application/x-ndjson": {"schema": {"type": "string"}},
                                                          _ARROW: {}}},
            "responses": {"200": {"description": "每行一个结果（JSON Lines），或结果表（Arrow IPC 流）", "content": {
                "application/x-ndjson": {"schema": {"type": "string"}}, _ARROW: {}}},
                          **_errors("400", "404", "413", "415", "422", "503")}}},
        f"{base}/schema": {"get": {
            "summary": f"输入输出的 JSON Schema：{title}", "operationId": f"{doc.id}.schema",
            "responses": {"200": {"description": "JSON Schema 2020-12",
                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                          **_errors("404", "503")}}},
    }


def openapi(documents: list[Document], numbers: bool = False) -> dict[str, Any]:
    """The OpenAPI document for these documents (those that compiled)."""
    paths: dict[str, Any] = {
        "/healthz": {"get": {"summary": "进程存活", "operationId": "healthz",
                             "responses": {"200": {"description": "正在运行"}}}},
        "/readyz": {"get": {"summary": "可以接受请求（文件已加载）", "operationId": "readyz",
                            "responses": {"200": {"description": "已就绪"}, "503": {"description": "尚未就绪"}}}},
        "/v1/policies": {"get": {"summary": "文件清单及其效力状态", "operationId": "policies",
                                 "parameters": [{"name": "date", "in": "query", "schema": _DATE,
                                                 "description": "按此日期报告效力状态（默认今天）"}],
                                 "responses": {"200": {"description": "文件清单"}}}},
    }
    schemas: dict[str, Any] = {"Error": _ERROR}
    for doc in documents:
        if doc.policy is None:
            continue
        paths.update(_policy_paths(doc))
        schemas[f"{component(doc)}.inputs"] = input_schema(doc.policy)
        # Only the outputs asked for are returned: none is required in the response.
        schemas[f"{component(doc)}.outputs"] = {**output_schema(doc.policy, numbers=numbers), "required": []}
    return {"openapi": "3.1.0", "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
            "info": {"title": "guize 规则计算服务", "version": __version__,
                     "description": "按某一日期有效的规则计算、解释、批量计算。金额、比率默认以字符串写出（精确）。"},
            "paths": paths, "components": {"schemas": schemas}}
