"""The ASGI application of `guize serve`, on Starlette: routes, limits, errors, hot reload.

Evaluation is a few microseconds of pure Python, so /evaluate runs on the event loop; explain
and batch requests, and (re)loading the rule files, run in worker threads so that they never
hold up the requests around them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import json
from collections.abc import AsyncIterator
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from guize.runtime import dates, values
from guize.runtime.diagnose import nearest_name
from guize.runtime.errors import InvalidInput, RuleError
from guize.runtime.schema import dumps, policy_schema
from guize.service import arrow
from guize.service.errors import ApiError
from guize.service.openapi import openapi
from guize.service.registry import Document, Registry

JSON = "application/json"
NDJSON = "application/x-ndjson"

# English for each error type, when the client asks for it (Accept-Language: en); the Chinese
# text, which names the input, value or date, stays in message_zh.
_ENGLISH = {
    "NotInForce": "The document (or a dated value) is not in force on the evaluation date.",
    "MissingInput": "A required input is missing.",
    "InvalidInput": "An input value is invalid (wrong type, not an allowed value, negative, out of range, "
                    "or an unknown input name).",
    "UnknownOutput": "No such output.",
    "EvaluationError": "The rules cannot be evaluated for these inputs (division by zero, no band applies, "
                       "overflow).",
    "RuleError": "The request cannot be evaluated.",
}


@dataclasses.dataclass(frozen=True)
class Settings:
    root: str
    max_body: int = 1 << 20  # bytes of one evaluate or explain request body
    max_batch_body: int = 16 << 20  # bytes of one batch request body
    max_rows: int = 10_000  # lines of one batch request
    reload_interval: float = 1.0  # seconds between checks of the rule files; 0: never reload


def _english(request: Request) -> bool:
    """Whether the client prefers English to Chinese (Accept-Language, its q-values, then its
    order); Chinese when it names neither."""
    best: tuple[float, int, str] = (0.0, 0, "zh")
    for i, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, *params = (p.strip().lower() for p in part.split(";"))
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        lang = tag.split("-")[0]
        if lang in ("en", "zh") and q > 0 and (q, -i) > best[:2]:
            best = (q, -i, lang)
    return best[2] == "en"


def _error_body(request: Request, code: str, kind: str, zh: str, en: str, detail: dict[str, Any]) -> str:
    error: dict[str, Any] = {"code": code, "type": kind, "message": zh}
    if _english(request):
        error["message"] = en
        error["message_zh"] = zh
    error.update({k: v for k, v in detail.items() if k not in error})
    return dumps({"error": error})


def _rule_error(request: Request, exc: RuleError, status: int = 422) -> Response:
    body = exc.to_json()
    kind = body.pop("error")
    code = body.pop("code")
    message = body.pop("message")
    en = _ENGLISH.get(kind, _ENGLISH["RuleError"])
    return Response(_error_body(request, code, kind, message, en, body), status, media_type=JSON)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes", "是")


async def _body(request: Request, limit: int) -> bytes:
    too_big = ApiError(413, "E413", "BodyTooLarge", f"请求体超过 {limit} 字节的上限",
                       f"The request body is larger than the limit of {limit} bytes.", limit=limit)
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise too_big
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "E400", "BadRequest", "请求体不是 UTF-8 编码的文字",
                       "The request body is not UTF-8 text.") from None


def _json(text: str, what: str = "请求体") -> Any:
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ApiError(400, "E400", "BadJSON", f"{what}不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列",
                       f"Invalid JSON at line {exc.lineno}, column {exc.colno}.") from None


def _date(value: Any, field: str) -> datetime.date:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return dates.parse(value)
    raise ApiError(400, "E400", "BadDate", f"「{field}」应为日期，如 2025-03-01 或 2025年3月1日，收到「{value}」",
                   f"'{field}' must be a date such as 2025-03-01.", field=field)


class Service:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.registry = Registry(settings.root)

    # ------------------------------------------------------------ documents

    def document(self, doc_id: str) -> Document:
        if not self.registry.ready:
            raise ApiError(503, "E503", "NotReady", "服务正在加载规则文件，请稍后再试",
                           "The service is still loading its rule files.")
        doc = self.registry.get(doc_id)
        if doc is None:
            ids = [d.id for d in self.registry.documents()]
            near = nearest_name(doc_id, ids)
            hint = f"，是否指「{near}」？" if near else f"；可选：{'、'.join(ids)}"
            raise ApiError(404, "E404", "UnknownDocument", f"没有名为「{doc_id}」的文件{hint}",
                           f"No document named '{doc_id}'.", document=doc_id)
        if doc.policy is None:
            raise ApiError(503, "E503", "NotCompiled", f"文件「{doc.path}」有错误，没有能计算的版本：\n{doc.error}",
                           f"'{doc.path}' has errors and no version that compiles.", document=doc_id)
        return doc

    def describe(self, doc: Document, on: datetime.date) -> dict[str, Any]:
        item: dict[str, Any] = {"id": doc.id, "file": doc.path}
        if doc.policy is not None:
            p = doc.policy
            code, message = p.window.status(on)
            item.update({"title": p.title, "docno": p.docno, "status": code, "message": message,
                         "window": p.window.describe(), "sha256": p.sha256,
                         "inputs": [i.name for i in p.inputs], "outputs": [o.name for o in p.outputs]})
        if doc.error is not None:
            item["error"] = doc.error
        return item

    # ------------------------------------------------------------ routes

    async def healthz(self, request: Request) -> Response:
        return Response(dumps({"status": "ok"}), media_type=JSON)

    async def readyz(self, request: Request) -> Response:
        ready = self.registry.ready
        body = {"status": "ready" if ready else "loading", "documents": len(self.registry.documents()),
                "generation": self.registry.generation}
        return Response(dumps(body), 200 if ready else 503, media_type=JSON)

    async def policies(self, request: Request) -> Response:
        text = request.query_params.get("date")
        on = _date(text, "date") if text is not None else datetime.date.today()
        docs = [self.describe(d, on) for d in self.registry.documents()]
        return Response(dumps({"date": on, "generation": self.registry.generation, "documents": docs}),
                        media_type=JSON)

    async def one(self, request: Request) -> Response:
        doc = self.document(request.path_params["policy"])
        return Response(dumps(self.describe(doc, datetime.date.today())), media_type=JSON)

    async def schema(self, request: Request) -> Response:
        doc = self.document(request.path_params["policy"])
        assert doc.policy is not None
        return Response(dumps(policy_schema(doc.policy, numbers=_flag(request, "numbers"))), media_type=JSON)

    async def openapi_json(self, request: Request) -> Response:
        return Response(dumps(openapi(self.registry.documents(), _flag(request, "numbers"))), media_type=JSON)

    async def _call(self, request: Request) -> tuple[Document, dict[str, Any]]:
        doc = self.document(request.path_params["policy"])
        call = _json(_text(await _body(request, self.settings.max_body)))
        if not isinstance(call, dict):
            raise ApiError(400, "E400", "BadRequest", "请求体应是对象：{\"date\": …, \"inputs\": {…}, \"outputs\": […]}",
                           "The request body must be an object with date, inputs and outputs.")
        extra = sorted(set(call) - {"date", "known_on", "inputs", "outputs"})
        if extra:
            raise ApiError(400, "E400", "BadRequest", f"请求体中有未知的字段「{'」「'.join(extra)}」；"
                           "应为 date、known_on、inputs、outputs（输入放在 inputs 中）",
                           f"Unknown fields {extra}: expected date, known_on, inputs, outputs.")
        if "date" not in call:
            raise ApiError(400, "E400", "BadRequest", "缺少评估日期 date，如 \"date\": \"2025-03-01\"",
                           "The evaluation date (date) is missing.")
        call["date"] = _date(call["date"], "date")
        # The rules as published by this date (absent or null: as they now stand).
        call["known_on"] = _date(call["known_on"], "known_on") if call.get("known_on") is not None else None
        call.setdefault("inputs", {})
        _check_numbers(call["inputs"])
        return doc, call

    async def evaluate(self, request: Request) -> Response:
        doc, call = await self._call(request)
        assert doc.policy is not None
        outputs = call.get("outputs")
        values = doc.policy.evaluate(call["inputs"], call["date"], outputs, call["known_on"])
        return Response(dumps({"document": doc.id, "date": call["date"], **_known(call), "outputs": values},
                              _flag(request, "numbers")), media_type=JSON)

    async def explain(self, request: Request) -> Response:
        doc, call = await self._call(request)
        policy = doc.policy
        assert policy is not None
        exp = await run_in_threadpool(policy.explain, call["inputs"], call["date"], call.get("outputs"),
                                      call["known_on"])
        return Response(dumps({"document": doc.id, "date": call["date"], **_known(call), "outputs": exp.values,
                               "explanation": exp.to_json(), "text": exp.render()},
                              _flag(request, "numbers")), media_type=JSON)

    async def batch(self, request: Request) -> Response:
        doc = self.document(request.path_params["policy"])
        policy = doc.policy
        assert policy is not None
        q = request.query_params
        date_text, date_field = q.get("date"), q.get("date_field")
        if (date_text is None) == (date_field is None):
            raise ApiError(400, "E400", "BadRequest", "请给出查询参数 date（所有行同一日期）或 date_field（按行取日期的字段）之一",
                           "Give exactly one of the query parameters date or date_field.")
        on = _date(date_text, "date") if date_text is not None else None
        known_text, known_field = q.get("known_on"), q.get("known_on_field")
        if known_text is not None and known_field is not None:
            raise ApiError(400, "E400", "BadRequest", "查询参数 known_on（所有行同一日期）与 known_on_field"
                           "（按行取日期的字段）只能给出一个",
                           "Give at most one of the query parameters known_on or known_on_field.")
        known: datetime.date | str | None = known_field
        if known_text is not None:
            known = _date(known_text, "known_on")
            policy.check_known(known)  # one date before the document was published: one error
        outputs = q.getlist("output") or None
        if outputs is not None:
            policy.select_outputs(outputs)
        keep = q.getlist("keep")
        if _media_type(request) == arrow.ARROW:
            if not arrow.available():
                raise arrow.unavailable()
            body = await _body(request, self.settings.max_batch_body)
            table = await run_in_threadpool(arrow.read_table, body, self.settings.max_rows)
            when: datetime.date | str = on if on is not None else str(date_field)
            stream = await run_in_threadpool(arrow.evaluate, policy, table, when, outputs, keep, known)
            return Response(stream, media_type=arrow.ARROW)
        lines = _text(await _body(request, self.settings.max_batch_body)).splitlines()
        rows = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
        if len(rows) > self.settings.max_rows:
            raise arrow.too_many_rows(self.settings.max_rows, len(rows))
        numbers = _flag(request, "numbers")
        english = _english(request)

        def run() -> str:
            out = []
            for n, line in rows:
                out.append(_row_line(_batch_row(policy, n, line, on, date_field, outputs, keep, english, known),
                                     numbers))
            return "\n".join(out) + ("\n" if out else "")

        return Response(await run_in_threadpool(run), media_type=NDJSON)

    # ------------------------------------------------------------ errors

    async def api_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return Response(_error_body(request, exc.code, exc.kind, exc.zh, exc.en, exc.detail), exc.status,
                        media_type=JSON)

    async def rule_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RuleError)
        return _rule_error(request, exc)

    async def http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            zh, en = f"没有这个地址「{request.url.path}」；文件清单见 /v1/policies", "No such path."
        elif exc.status_code == 405:
            zh, en = f"「{request.url.path}」不接受 {request.method} 请求", "Method not allowed."
        else:
            zh, en = f"请求无法处理（HTTP {exc.status_code}）", str(exc.detail)
        return Response(_error_body(request, f"E{exc.status_code}", "HTTPError", zh, en, {}), exc.status_code,
                        media_type=JSON)

    async def internal_error(self, request: Request, exc: Exception) -> Response:
        return Response(_error_body(request, "E500", "InternalError", "服务内部错误（不是请求的问题），请报告此问题",
                                    "Internal error in the service.", {}), 500, media_type=JSON)

    # ------------------------------------------------------------ reload

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(self._watch())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _watch(self) -> None:
        await asyncio.to_thread(self.registry.load)
        interval = self.settings.reload_interval
        while interval > 0:
            await asyncio.sleep(interval)
            if await asyncio.to_thread(self.registry.changed):
                await asyncio.to_thread(self.registry.load)


MAX_FRACTION_DIGITS = values.MAX_FRACTION_DIGITS  # the runtime's limit (docs/embedding.md), checked early here


def _check_numbers(data: Any) -> None:
    """Refuse a number input with more than 1000 decimal places. Policy.evaluate takes any
    number of places, and outputs and explanations write decimals in plain notation, so a
    request of a few bytes ("1e-999999999") would be answered with a billion digits."""
    if not isinstance(data, dict):
        return
    for name, value in data.items():
        if isinstance(value, str):
            text = value.strip().replace(",", "").replace("，", "").replace("元", "").rstrip("%％")
            if len(text) <= MAX_FRACTION_DIGITS and "e" not in text and "E" not in text:
                continue  # too short to have that many places
            try:
                d = Decimal(text)
            except InvalidOperation:
                continue
        elif isinstance(value, Decimal):
            d = value
        else:
            continue
        exponent = d.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -MAX_FRACTION_DIGITS:
            shown = value if len(str(value)) <= 40 else f"{str(value)[:20]}…{str(value)[-10:]}"
            raise InvalidInput(f"输入「{name}」的值「{shown}」小数位数过多：最多 {MAX_FRACTION_DIGITS} 位",
                               input=name, value=str(shown))


def _too_long(d: Decimal) -> bool:
    """Whether a decimal's plain notation (as JSON output writes it) has more than 1000 digits
    before or after the point."""
    exponent = d.as_tuple().exponent
    return isinstance(exponent, int) and (d.adjusted() > MAX_FRACTION_DIGITS or exponent < -MAX_FRACTION_DIGITS)


def _row_line(result: dict[str, Any], numbers: bool) -> str:
    """One JSON Lines result. Kept fields go back as they came: a JSON number stays a number
    (written exactly), whatever `numbers` says for the outputs."""
    if "keep" not in result:
        return dumps(result, numbers)
    head = dumps({"row": result["row"], "keep": result["keep"]}, True)
    rest = dumps({k: v for k, v in result.items() if k not in ("row", "keep")}, numbers)
    return f"{head[:-1]},{rest[1:]}"


def _known(call: dict[str, Any]) -> dict[str, Any]:
    """The known_on of a response, when the request gave one."""
    return {"known_on": call["known_on"]} if call["known_on"] is not None else {}


def _batch_row(policy: Any, n: int, line: str, on: datetime.date | None, date_field: str | None,
               outputs: list[str] | None, keep: list[str], english: bool,
               known: datetime.date | str | None = None) -> dict[str, Any]:
    """One JSON Lines row's result. `known`: one known_on date, or the row's field giving it
    (absent or null: the rules as they now stand)."""
    result: dict[str, Any] = {"row": n}
    try:
        data = json.loads(line, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        zh = f"第 {n} 行不是有效的 JSON：第 {exc.colno} 列"
        result["error"] = {"code": "E400", "type": "BadJSON", "message": zh}
        return result
    if not isinstance(data, dict):
        result["error"] = {"code": "E400", "type": "BadRequest", "message": f"第 {n} 行应是对象 {{\"名称\": 值}}"}
        return result
    if keep:
        result["keep"] = kept = {k: data.pop(k, None) for k in keep}
        huge = [k for k, v in kept.items() if isinstance(v, Decimal) and _too_long(v)]
        if huge:  # echoed in plain notation, 1e999999999 would be a billion digits
            del result["keep"]
            result["error"] = {"code": "E400", "type": "BadRequest", "field": huge[0],
                               "message": f"第 {n} 行 keep 的字段「{huge[0]}」的数写成普通写法超过 1000 位；请写成文字"}
            return result
    try:
        when: Any = on
        if date_field is not None:
            when = data.pop(date_field, None)
            if when is None:
                raise RuleError(f"缺少日期字段「{date_field}」")
        known_on = data.pop(known, None) if isinstance(known, str) else known
        _check_numbers(data)
        result["outputs"] = policy.evaluate(data, when, outputs, known_on)
    except RuleError as exc:
        error = exc.to_json()
        error["type"] = error.pop("error")
        if english:
            error["message_zh"] = error["message"]
            error["message"] = _ENGLISH.get(error["type"], _ENGLISH["RuleError"])
        result["error"] = error
    return result


def create_app(settings: Settings) -> Starlette:
    service = Service(settings)
    routes = [
        Route("/healthz", service.healthz),
        Route("/readyz", service.readyz),
        Route("/openapi.json", service.openapi_json),
        Route("/v1/policies", service.policies),
        Route("/v1/{policy}", service.one),
        Route("/v1/{policy}/schema", service.schema),
        Route("/v1/{policy}/evaluate", service.evaluate, methods=["POST"]),
        Route("/v1/{policy}/explain", service.explain, methods=["POST"]),
        Route("/v1/{policy}/batch", service.batch, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=service.lifespan,
                    exception_handlers={ApiError: service.api_error, RuleError: service.rule_error,
                                        HTTPException: service.http_error, Exception: service.internal_error})
    app.state.service = service
    return app


def from_env() -> Starlette:
    """The app for `uvicorn --factory` with several workers: settings from GUIZE_SERVE_* variables."""
    import os

    return create_app(Settings(root=os.environ["GUIZE_SERVE_ROOT"],
                               max_body=int(os.environ.get("GUIZE_SERVE_MAX_BODY", 1 << 20)),
                               max_batch_body=int(os.environ.get("GUIZE_SERVE_MAX_BATCH_BODY", 16 << 20)),
                               max_rows=int(os.environ.get("GUIZE_SERVE_MAX_ROWS", 10_000)),
                               reload_interval=float(os.environ.get("GUIZE_SERVE_RELOAD", 1.0))))
