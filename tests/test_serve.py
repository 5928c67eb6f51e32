"""guize serve over real HTTP: a server started by the test on 127.0.0.1 (a free port), its
answers compared with Policy.evaluate; limits, Chinese and English errors, hot reload under load."""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import guize

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

DATA = {"医院级别": "二级", "退休人员": True, "本次费用": "1,860.50", "住院起付线": 600,
        "本年已就诊次数": 1, "本年已支付": 3400}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, folder: Path, *options: str, command: list[str] | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.port = _free_port()
        argv = command or ["serve", str(folder), "--port", str(self.port), *options]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "guize", *(str(self.port) if a == "PORT" else a for a in argv)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, _ = self.request("GET", "/readyz")
                if status == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {self.process.stderr.read() if self.process.stderr else ''}")
            time.sleep(0.1)

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
                conn: http.client.HTTPConnection | None = None) -> tuple[int, dict[str, str], bytes]:
        own = conn is None
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body, ensure_ascii=False).encode("utf-8")
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        if own:
            c.close()
        return r.status, dict(r.getheaders()), data

    def post(self, path: str, body: Any, **kw: Any) -> tuple[int, Any]:
        status, _, data = self.request("POST", path, body, **kw)
        return status, json.loads(data, parse_float=Decimal)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("policies")
    for name in ("outpatient_2024.rule", "outpatient_2021.rule", "textile_2024.rule"):
        shutil.copy(Path("policies/xinjiang") / name, folder / name)
    s = Server(folder, "--max-body", "4096", "--max-rows", "20", "--max-batch-body", "65536", "--reload-interval", "0.2")
    yield s
    s.stop()


def _path(doc: str, action: str, query: list[tuple[str, str]] | None = None) -> str:
    q = "?" + urllib.parse.urlencode(query) if query else ""
    return f"/v1/{doc}/{action}{q}"


def test_health_documents_and_status(server: Server) -> None:
    assert server.request("GET", "/healthz")[0] == 200
    status, _, body = server.request("GET", "/v1/policies?date=2025-03-01")
    assert status == 200
    docs = {d["id"]: d for d in json.loads(body)["documents"]}
    assert set(docs) == {"outpatient_2024", "outpatient_2021", "textile_2024"}
    assert docs["outpatient_2024"]["status"] == "in_force"
    assert docs["outpatient_2021"]["status"] == "repealed"  # by outpatient_2024, in the same folder
    assert "统筹基金支付" in docs["outpatient_2024"]["outputs"]


def test_evaluate_equals_policy_evaluate(server: Server) -> None:
    policy = guize.load(server.folder / "outpatient_2024.rule")
    outputs = ["起付标准", "支付比例", "统筹基金支付"]
    status, body = server.post(_path("outpatient_2024", "evaluate"),
                               {"date": "2025-03-01", "inputs": DATA, "outputs": outputs})
    assert status == 200, body
    expected = policy.evaluate(DATA, "2025-03-01", outputs)
    assert body["outputs"] == {k: str(v) for k, v in expected.items()}  # money as exact strings
    assert body["outputs"]["统筹基金支付"] == "600.00"
    _, _, raw = server.request("POST", _path("outpatient_2024", "evaluate", [("numbers", "true")]),
                               {"date": "2025年3月1日", "inputs": DATA, "outputs": outputs})
    assert b'"\xe7\xbb\x9f\xe7\xad\xb9\xe5\x9f\xba\xe9\x87\x91\xe6\x94\xaf\xe4\xbb\x98":600.00' in raw
    assert json.loads(raw, parse_float=Decimal)["outputs"] == expected


def test_explain(server: Server) -> None:
    status, body = server.post(_path("outpatient_2024", "explain"),
                               {"date": "2025-03-01", "inputs": DATA, "outputs": ["统筹基金支付"]})
    assert status == 200
    assert body["outputs"] == {"统筹基金支付": "600.00"}
    assert "第十四条第一款" in body["text"] and body["explanation"]["steps"][0]["name"] == "统筹基金支付"


def test_errors_are_structured_and_chinese(server: Server) -> None:
    status, body = server.post(_path("outpatient_2024", "evaluate"), {"date": "2025-03-01", "inputs": {"医院级别": "四级"},
                                                                     "outputs": ["支付比例"]})
    assert status == 422
    assert body["error"]["type"] == "MissingInput" and body["error"]["message"].startswith("缺少输入「退休人员」")
    status, body = server.post(_path("outpatient_2024", "evaluate"),
                               {"date": "2025-03-01", "inputs": {**DATA, "医院级别": "四级"}, "outputs": ["支付比例"]},
                               headers={"Accept-Language": "en-US,en;q=0.9"})
    assert status == 422 and body["error"]["code"] == "E102"
    assert body["error"]["message"].startswith("An input value is invalid")
    assert "不在可选范围内" in body["error"]["message_zh"] and body["error"]["input"] == "医院级别"
    status, body = server.post(_path("outpatient_2024", "evaluate"), {"date": "2035-03-01", "inputs": DATA})
    assert status == 422 and body["error"]["type"] == "NotInForce"
    status, body = server.post(_path("outpatient_2O24", "evaluate"), {"date": "2025-03-01", "inputs": DATA})
    assert status == 404 and "是否指「outpatient_2024」" in body["error"]["message"]
    status, _, raw = server.request("POST", _path("outpatient_2024", "evaluate"), b'{"date": "2025-03-01",')
    assert status == 400 and "不是有效的 JSON" in json.loads(raw)["error"]["message"]
    status, body = server.post(_path("outpatient_2024", "evaluate"), {"inputs": DATA})
    assert status == 400 and "缺少评估日期" in body["error"]["message"]
    status, body = server.post(_path("outpatient_2024", "evaluate"), {"date": "2025-03-01", **DATA})
    assert status == 400 and "未知的字段" in body["error"]["message"]
    status, _, raw = server.request("GET", _path("outpatient_2024", "evaluate"))
    assert status == 405 and "不接受 GET" in json.loads(raw)["error"]["message"]


@pytest.mark.parametrize("value", [b"1e-999999999", b'"1e-999999999"', rb'"1e-999999999\u5143"', b'"0E-1001"'])
def test_a_few_bytes_never_ask_for_a_billion_digits(server: Server, value: bytes) -> None:
    """A number input with more than 1000 decimal places is an input error (Policy.evaluate would
    take it, and explain would write it out in full: a billion digits for 12 bytes)."""
    data = json.dumps({**DATA, "本次费用": "@"}, ensure_ascii=False).encode().replace(b'"@"', value)
    for action in ("evaluate", "explain"):
        body = '{"date": "2025-03-01", "outputs": ["统筹基金支付"], "inputs": '.encode() + data + b"}"
        status, _, raw = server.request("POST", _path("outpatient_2024", action), body)
        error = json.loads(raw)["error"]
        assert status == 422 and error["code"] == "E102" and error["input"] == "本次费用"
        assert "小数位数过多：最多 1000 位" in error["message"]
    kept = data.replace(b"{", b'{"\\u7f16\\u53f7": 1e999999999, ', 1)  # 编号
    lines = data + b"\n" + json.dumps({**DATA, "编号": 1.5}).encode() + b"\n" + kept
    status, _, raw = server.request("POST", _path("outpatient_2024", "batch", [("date", "2025-03-01"), ("keep", "编号"),
                                                                             ("output", "统筹基金支付")]), lines)
    assert status == 200 and len(raw) < 2000
    assert b'{"row":2,"keep":{"\xe7\xbc\x96\xe5\x8f\xb7":1.5},"outputs":' in raw  # 编号, the number as sent
    first, second, third = (json.loads(line) for line in raw.splitlines())
    assert "小数位数过多" in first["error"]["message"]
    assert second["keep"] == {"编号": 1.5} and second["outputs"] == {"统筹基金支付": "600.00"}  # kept as sent
    assert third["error"]["field"] == "编号" and "超过 1000 位" in third["error"]["message"]
    places = {**DATA, "本次费用": "1860.5" + "0" * 995 + "1"}  # 1000 places: computed
    status, body = server.post(_path("outpatient_2024", "evaluate"),
                               {"date": "2025-03-01", "inputs": places, "outputs": ["统筹基金支付"]})
    assert status == 200 and body["outputs"] == {"统筹基金支付": "600.00"}


def test_limits(server: Server) -> None:
    big = {"date": "2025-03-01", "inputs": {**DATA, "x": "y" * 5000}}
    status, body = server.post(_path("outpatient_2024", "evaluate"), big)
    assert status == 413 and "4096" in body["error"]["message"]
    lines = "\n".join(json.dumps(DATA, ensure_ascii=False) for _ in range(21)).encode()
    status, _, raw = server.request("POST", _path("outpatient_2024", "batch", [("date", "2025-03-01")]), lines)
    assert status == 413 and "最多计算 20 行" in json.loads(raw)["error"]["message"]
    # A body sent in chunks without Content-Length is cut off at the limit too.
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("POST", _path("outpatient_2024", "evaluate"), body=iter([b"{" + b" " * 3000, b" " * 3000 + b"}"]),
                 encode_chunked=True)
    r = conn.getresponse()
    assert r.status == 413
    conn.close()


def test_batch_equals_evaluate_row_by_row(server: Server) -> None:
    policy = guize.load(server.folder / "outpatient_2024.rule")
    rows = [{"编号": f"A{i}", **DATA, "本次费用": str(100 * i), "医院级别": ["一级", "二级", "三级", "五级"][i % 4]}
            for i in range(12)]
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode() + b"\n\nnot json\n"
    query = [("date", "2025-03-01"), ("output", "统筹基金支付"), ("output", "起付标准"), ("keep", "编号")]
    status, headers, raw = server.request("POST", _path("outpatient_2024", "batch", query), body)
    assert status == 200 and headers["content-type"].startswith("application/x-ndjson")
    results = [json.loads(line) for line in raw.decode().splitlines()]
    assert len(results) == len(rows) + 1
    for row, result in zip(rows, results, strict=False):
        data = {k: v for k, v in row.items() if k != "编号"}
        assert result["keep"] == {"编号": row["编号"]}
        try:
            expected = policy.evaluate(data, "2025-03-01", ["统筹基金支付", "起付标准"])
        except guize.RuleError as exc:
            assert result["error"]["message"] == exc.message
        else:
            assert result["outputs"] == {k: str(v) for k, v in expected.items()}
    assert results[-1]["row"] == len(rows) + 2 and results[-1]["error"]["type"] == "BadJSON"


ARROW = "application/vnd.apache.arrow.stream"


def _arrow(table: Any) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=5)  # several record batches in one stream
    return bytes(sink.getvalue())


def _post_arrow(server: Server, query: list[tuple[str, str]], body: bytes,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    return server.request("POST", _path("outpatient_2024", "batch", query), body,
                          headers={"Content-Type": ARROW, **(headers or {})})


def test_arrow_batch_equals_evaluate_row_by_row(server: Server) -> None:
    """Arrow IPC stream in and out: money as exact decimal128, a 「错误」 column for the rows that
    cannot be computed (the message evaluate gives), kept columns first; equal to evaluate_batch."""
    pa = pytest.importorskip("pyarrow")
    policy = guize.load(server.folder / "outpatient_2024.rule")
    levels = ["一级", "二级", "三级", "五级", None]
    rows = [{"编号": f"A{i}", **DATA, "本次费用": f"{100 * i + 0.5}", "医院级别": levels[i % 5],
             "本年已支付": Decimal(i * 300)} for i in range(17)]
    table = pa.table({
        "编号": [r["编号"] for r in rows],
        "医院级别": pa.array([r["医院级别"] for r in rows]).dictionary_encode(),
        "退休人员": [i % 2 == 0 for i in range(17)],
        "本次费用": [r["本次费用"] for r in rows],  # text, read exactly
        "住院起付线": pa.array([600] * 17, pa.int64()),
        "本年已就诊次数": [1] * 17,
        "本年已支付": pa.array([r["本年已支付"] for r in rows], pa.decimal128(12, 2)),
    })
    outputs = ["统筹基金支付", "起付标准"]
    query = [("date", "2025-03-01"), *[("output", o) for o in outputs], ("keep", "编号")]
    status, headers, raw = _post_arrow(server, query, _arrow(table))
    assert status == 200, raw[:300]
    assert headers["content-type"] == ARROW
    result = pa.ipc.open_stream(raw).read_all()
    assert result.column_names == ["编号", "统筹基金支付", "起付标准", "错误"]
    assert result.schema.field("统筹基金支付").type == pa.decimal128(38, 2)
    assert result.equals(policy.evaluate_batch(table, "2025-03-01", outputs, keep=["编号"]))
    errors = 0
    for i, got in enumerate(result.to_pylist()):
        data = {k: v for k, v in table.slice(i, 1).to_pylist()[0].items() if k != "编号" and v is not None}
        assert got["编号"] == f"A{i}"
        try:
            expected = policy.evaluate(data, "2025-03-01", outputs)
        except guize.RuleError as exc:
            errors += 1
            assert got["错误"] == exc.message and got["统筹基金支付"] is None
        else:
            assert got["错误"] is None and {k: got[k] for k in outputs} == expected
    assert errors == 6  # 五级 (not allowed) and a missing 医院级别, every fifth row

    def client(k: int) -> list[bool]:  # concurrent Arrow requests (evaluated in worker threads)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            return [pa.ipc.open_stream(server.request("POST", _path("outpatient_2024", "batch", query), _arrow(table),
                                                      headers={"Content-Type": ARROW}, conn=conn)[2]
                                       ).read_all().equals(result) for _ in range(3)]
        finally:
            conn.close()

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        assert all(ok for oks in pool.map(client, range(4)) for ok in oks)


def test_arrow_batch_dates_per_row(server: Server) -> None:
    pa = pytest.importorskip("pyarrow")
    import datetime

    policy = guize.load(server.folder / "outpatient_2024.rule")
    days = [datetime.date(2025, 3, 1), datetime.date(2024, 4, 25), datetime.date(2029, 4, 25)]
    table = pa.table({"就诊日期": days, "住院起付线": ["600", "600", "600"], "本年已就诊次数": [0, 0, 1]})
    status, _, raw = _post_arrow(server, [("date_field", "就诊日期"), ("output", "起付标准")], _arrow(table))
    assert status == 200, raw[:300]
    got = pa.ipc.open_stream(raw).read_all().to_pylist()
    assert [r["起付标准"] for r in got] == [Decimal("60.00"), None, Decimal("30.00")]
    with pytest.raises(guize.RuleError) as exc:
        policy.evaluate({"住院起付线": "600", "本年已就诊次数": 0}, days[1], ["起付标准"])
    assert got[1]["错误"] == exc.value.message  # 尚未施行, as evaluate says
    status, _, raw = _post_arrow(server, [("date_field", "就诊日")], _arrow(table))
    assert status == 400 and "是否指「就诊日期」" in json.loads(raw)["error"]["message"]


def test_arrow_batch_limits_and_errors(server: Server) -> None:
    pa = pytest.importorskip("pyarrow")
    one = {**DATA, "退休人员": True}
    table = pa.Table.from_pylist([one] * 21)
    status, _, raw = _post_arrow(server, [("date", "2025-03-01")], _arrow(table))
    assert status == 413 and "最多计算 20 行，收到 21 行" in json.loads(raw)["error"]["message"]
    big = pa.table({"备注": ["字" * 30_000], "医院级别": ["二级"]})  # 90 KB of text > --max-batch-body 65536
    status, _, raw = _post_arrow(server, [("date", "2025-03-01")], _arrow(big))
    assert status == 413 and "65536" in json.loads(raw)["error"]["message"]
    status, _, raw = _post_arrow(server, [("date", "2025-03-01")], b"not an arrow stream")
    assert status == 400 and "不是有效的 Arrow IPC 流" in json.loads(raw)["error"]["message"]
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table.slice(0, 2))
    status, _, raw = _post_arrow(server, [("date", "2025-03-01")], bytes(sink.getvalue()))
    assert status == 400 and "new_stream" in json.loads(raw)["error"]["message"]
    # A whole input column missing: each row says so (as evaluate_batch does).
    status, _, raw = _post_arrow(server, [("date", "2025-03-01"), ("output", "统筹基金支付")],
                                 _arrow(table.drop_columns(["本次费用"]).slice(0, 3)))
    assert status == 200
    assert set(pa.ipc.open_stream(raw).read_all().column("错误").to_pylist()) == {
        "缺少输入「本次费用」（计算「统筹基金支付」时需要）"}
    # What no row can be computed with is an error of the request, in English when asked.
    status, _, raw = _post_arrow(server, [("date", "2025-03-01"), ("output", "统筹基金")], _arrow(table.slice(0, 3)),
                                 headers={"Accept-Language": "en"})
    error = json.loads(raw)["error"]
    assert status == 422 and error["type"] == "UnknownOutput" and error["message"] == "No such output."
    assert "统筹基金支付" in error["message_zh"]
    status, _, raw = _post_arrow(server, [("date", "2025-03-01"), ("keep", "编号")], _arrow(table.slice(0, 3)))
    assert status == 422 and "keep 中的列「编号」不在输入中" in json.loads(raw)["error"]["message"]
    empty = pa.ipc.open_stream(_post_arrow(server, [("date", "2025-03-01"), ("output", "起付标准")],
                                           _arrow(table.slice(0, 0)))[2]).read_all()
    assert empty.num_rows == 0 and empty.column_names == ["起付标准", "错误"]


@pytest.mark.parametrize(("header", "english"), [
    ("en", True), ("en-US,en;q=0.9,zh-CN;q=0.8", True), ("zh-CN,zh;q=0.9,en;q=0.8", False),
    ("zh;q=0.1, en-GB;q=0.7", True), ("fr-FR, en;q=0.5", True), ("fr-FR", False), ("en;q=0", False),
    ("en, zh", True), ("zh, en", False), ("", False), ("*", False), ("en;q=x, zh", False)])
def test_english_when_the_client_prefers_it(server: Server, header: str, english: bool) -> None:
    """Accept-Language by its q-values (then its order): English only when preferred to Chinese."""
    status, body = server.post(_path("outpatient_2024", "evaluate"), {"date": "2025-03-01", "inputs": {}},
                               headers={"Accept-Language": header})
    assert status == 422 and body["error"]["type"] == "MissingInput"
    assert (body["error"]["message"] == "A required input is missing.") is english
    assert body["error"].get("message_zh", body["error"]["message"]).startswith("缺少输入")


def test_arrow_without_pyarrow_is_415_and_json_lines_still_work(tmp_path: Path) -> None:
    """A server whose environment has no pyarrow (hidden by a package that fails to import)."""
    hidden = tmp_path / "hide" / "pyarrow"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ImportError('pyarrow hidden by the test')\n", encoding="utf-8")
    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copy("policies/xinjiang/outpatient_2024.rule", folder)
    server = Server(folder, "--reload-interval", "0", env={"PYTHONPATH": str(hidden.parent)})
    try:
        status, _, raw = server.request("POST", _path("outpatient_2024", "batch", [("date", "2025-03-01")]),
                                        b"\xff\xff\xff\xff", headers={"Content-Type": ARROW})
        assert status == 415 and "没有安装 pyarrow" in json.loads(raw)["error"]["message"]
        query = [("date", "2025-03-01"), ("output", "统筹基金支付")]
        status, _, raw = server.request("POST", _path("outpatient_2024", "batch", query),
                                        json.dumps(DATA, ensure_ascii=False).encode())
        assert status == 200 and json.loads(raw)["outputs"]["统筹基金支付"] == "600.00", raw
    finally:
        server.stop()


def test_openapi_json(server: Server) -> None:
    status, _, raw = server.request("GET", "/openapi.json")
    doc = json.loads(raw)
    assert status == 200 and doc["openapi"] == "3.1.0"
    assert {"/v1/outpatient_2024/evaluate", "/v1/outpatient_2024/batch", "/healthz"} <= set(doc["paths"])
    batch = doc["paths"]["/v1/outpatient_2024/batch"]["post"]
    assert set(batch["requestBody"]["content"]) == set(batch["responses"]["200"]["content"]) == {
        "application/x-ndjson", ARROW}


def test_concurrent_clients_get_what_evaluate_gives(server: Server) -> None:
    """4 clients × 50 requests on kept-alive connections: no error, every answer equal to evaluate."""
    policy = guize.load(server.folder / "outpatient_2024.rule")

    def client(k: int) -> list[str]:
        problems = []
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        for i in range(50):
            data = {**DATA, "本次费用": f"{k * 1000 + i * 37}.5", "本年已支付": i * 10, "住院支付比例": "85%",
                    "基本养老金平均水平": 3000 + i, "上年度城镇单位就业人员平均工资": 90000 + k}
            status, _, raw = server.request("POST", _path("outpatient_2024", "evaluate"),
                                            {"date": "2025-03-01", "inputs": data}, conn=conn)
            expected = {n: str(v) for n, v in policy.evaluate(data, "2025-03-01").items()}
            if status != 200 or json.loads(raw)["outputs"] != expected:
                problems.append(f"{k}/{i}: {status} {raw[:200]!r}")
        conn.close()
        return problems

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        problems = [p for ps in pool.map(client, range(4)) for p in ps]
    assert problems == []


def test_hot_reload_without_dropping_requests(tmp_path: Path) -> None:
    rule = tmp_path / "outpatient_2024.rule"
    shutil.copy("policies/xinjiang/outpatient_2024.rule", rule)
    server = Server(tmp_path, "--reload-interval", "0.1")
    data = {**DATA, "本年已支付": 0}  # the per-visit cap for 二级 (800元) decides
    call = {"date": "2025-03-01", "inputs": data, "outputs": ["统筹基金支付"]}
    try:
        assert server.post(_path("outpatient_2024", "evaluate"), call) == (200, {
            "document": "outpatient_2024", "date": "2025-03-01", "outputs": {"统筹基金支付": "800.00"}})
        seen: list[tuple[int, Any]] = []  # all answers; each client's also in its own list, in order
        each: list[list[str]] = [[], []]
        done = False

        def hammer(k: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            while not done:
                status, _, raw = server.request("POST", _path("outpatient_2024", "evaluate"), call, conn=conn)
                seen.append((status, json.loads(raw)))
                each[k].append(seen[-1][1].get("outputs", {}).get("统筹基金支付"))
            conn.close()

        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(hammer, k) for k in range(2)]
            time.sleep(0.3)
            text = rule.read_text(encoding="utf-8")
            rule.write_text(text.replace("二级：800元", "二级：900元"), encoding="utf-8")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not (seen and seen[-1][1].get("outputs") == {"统筹基金支付": "900.00"}):
                time.sleep(0.05)
            # A broken edit: the last good version keeps answering; the listing says why.
            rule.write_text(text.replace("二级：800元", "二级：900元\n  ？？"), encoding="utf-8")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                listing = json.loads(server.request("GET", "/v1/policies")[2])["documents"]
                if "error" in listing[0]:
                    break
                time.sleep(0.05)
            time.sleep(0.3)
            done = True
            for f in futures:
                f.result()
        assert "error" in listing[0]
        assert all(status == 200 for status, _ in seen), [s for s in seen if s[0] != 200][:3]
        for values in each:  # each client sees the old answer, then only the new one
            assert values[0] == "800.00" and values[-1] == "900.00"
            assert set(values) == {"800.00", "900.00"}
            assert "800.00" not in values[values.index("900.00"):]
    finally:
        server.stop()


def test_the_dockerfile_command_serves() -> None:
    """The Dockerfile's CMD (its rules folder and port swapped for the test's) starts a ready server."""
    line = next(x for x in Path("Dockerfile").read_text(encoding="utf-8").splitlines() if x.startswith("CMD "))
    argv = json.loads(line[4:])
    assert argv[:2] == ["guize", "serve"]
    argv = ["policies" if a == "/rules" else a for a in argv[1:]]
    argv[argv.index("--port") + 1] = "PORT"
    server = Server(Path("policies"), command=argv)
    try:
        status, body = server.post(_path("outpatient_2024", "evaluate"),
                                   {"date": "2025-03-01", "inputs": DATA, "outputs": ["统筹基金支付"]})
        assert status == 200 and body["outputs"] == {"统筹基金支付": "600.00"}
    finally:
        server.stop()


def test_a_port_in_use_is_a_chinese_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "guize", "serve", "policies", "--port", str(port)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"无法在 127.0.0.1:{port} 上监听：端口已被占用" in result.stderr and "Traceback" not in result.stderr


def test_reload_waits_until_a_changed_file_is_still(tmp_path: Path) -> None:
    """A file that differs from the loaded one is reloaded only once it has not changed since the
    previous check: a rule file being written (truncated, then filled) is never read half-written.
    (The hot-reload test above failed once under load when the server read such a file.)"""
    from guize.service.registry import Registry

    rule = tmp_path / "outpatient_2024.rule"
    shutil.copy("policies/xinjiang/outpatient_2024.rule", rule)
    registry = Registry(str(tmp_path))
    assert registry.load()
    assert not registry.changed()
    text = rule.read_text(encoding="utf-8")
    rule.write_text(text[: len(text) // 2], encoding="utf-8")  # half-written
    assert not registry.changed()  # first seen: wait for the next check
    rule.write_text(text.replace("二级：800元", "二级：900元"), encoding="utf-8")
    assert not registry.changed()  # changed again since: wait again
    assert registry.changed()  # still since the last check: reload
    assert registry.load()
    assert not registry.changed()
