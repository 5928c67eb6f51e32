"""guize serve and known_on (the rules as published by a date), over real HTTP: evaluate,
explain, JSON Lines and Arrow batches (one known_on for all rows, or a field/column per row),
each answer equal to Policy.evaluate with the same known_on; errors in Chinese and English."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

import guize

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from test_serve import ARROW, Server, _arrow, _path

DOC = "special_deductions_2018"
DATA = {"受教育子女人数": 1, "三岁以下婴幼儿人数": 1, "是否赡养老人": True}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("deductions")
    for year in (2018, 2022, 2023):
        shutil.copy(Path("policies/national") / f"special_deductions_{year}.rule", folder)
    s = Server(folder, "--reload-interval", "0")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def policy(server: Server) -> guize.Policy:
    return guize.load(server.folder / f"{DOC}.rule")


def test_evaluate_and_explain_with_known_on(server: Server, policy: guize.Policy) -> None:
    status, now = server.post(_path(DOC, "evaluate"), {"date": "2023-03-01", "inputs": DATA})
    assert status == 200 and "known_on" not in now
    assert now["outputs"] == {k: str(v) for k, v in policy.evaluate(DATA, "2023-03-01").items()}
    status, then = server.post(_path(DOC, "evaluate"), {"date": "2023-03-01", "known_on": "2023年3月1日", "inputs": DATA})
    assert status == 200, then
    assert then["known_on"] == "2023-03-01"
    expected = policy.evaluate(DATA, "2023-03-01", known_on="2023-03-01")
    assert then["outputs"] == {k: str(v) for k, v in expected.items()}
    assert then["outputs"]["子女教育每月扣除"] == "1000.00" and now["outputs"]["子女教育每月扣除"] == "2000.00"
    status, same = server.post(_path(DOC, "evaluate"), {"date": "2023-03-01", "known_on": None, "inputs": DATA})
    assert status == 200 and same["outputs"] == now["outputs"]
    status, body = server.post(_path(DOC, "explain"), {"date": "2023-03-01", "known_on": "2023-03-01",
                                                      "inputs": DATA, "outputs": ["子女教育每月扣除"]})
    assert status == 200, body
    assert body["outputs"] == {"子女教育每月扣除": "1000.00"} and body["known_on"] == "2023-03-01"
    assert "按2023年3月1日已发布的规定" in body["text"]
    assert body["text"] == policy.explain(DATA, "2023-03-01", ["子女教育每月扣除"], known_on="2023-03-01").render()


def test_known_on_errors(server: Server) -> None:
    status, body = server.post(_path(DOC, "evaluate"), {"date": "2023-03-01", "known_on": "去年", "inputs": DATA})
    assert status == 400 and body["error"]["field"] == "known_on" and "「known_on」应为日期" in body["error"]["message"]
    status, body = server.post(_path(DOC, "evaluate"), {"date": "2023-03-01", "known_on": "2023-03-01",
                                                        "inputs": DATA}, headers={"Accept-Language": "en"})
    assert status == 200
    status, body = server.post(_path(DOC, "evaluate"), {"date": "2023-03-01", "known_on": "2023-13-01", "inputs": DATA},
                               headers={"Accept-Language": "en"})
    assert status == 400 and body["error"]["message"] == "'known_on' must be a date such as 2025-03-01."
    assert "「known_on」应为日期" in body["error"]["message_zh"]
    # Before the base document was published, the document itself does not exist yet.
    status, body = server.post(_path(DOC, "evaluate"), {"date": "2019-03-01", "known_on": "2018-12-01", "inputs": DATA})
    assert status == 422 and body["error"]["type"] == "NotInForce" and "2018年12月22日发布" in body["error"]["message"]
    status, body = server.post(_path(DOC, "evaluate"), {"date": "2023-03-01", "know_on": "2023-03-01", "inputs": DATA})
    assert status == 400 and "known_on" in body["error"]["message"]


ROWS = [
    {"id": 1, "日": "2023-03-01", "已知": "2023-03-01", **DATA},
    {"id": 2, "日": "2023-03-01", "已知": None, **DATA},  # null: as the rules now stand
    {"id": 3, "日": "2023-03-01", **DATA},  # absent: the same
    {"id": 4, "日": "2022-02-01", "已知": "2022-03-27", **DATA},  # before 8号 was published
    {"id": 5, "日": "2023-06-01", "已知": "2018-01-01", **DATA},  # before 41号 itself
    {"id": 6, "日": "2023-06-01", "已知": "没有", **DATA},
]


def _expected(policy: guize.Policy, row: dict[str, object], known: object) -> dict[str, object]:
    data = {k: v for k, v in row.items() if k not in ("id", "日", "已知")}
    try:
        return {"outputs": {k: str(v) for k, v in policy.evaluate(data, row["日"], known_on=known).items()}}
    except guize.RuleError as exc:
        return {"error": exc.message}


def _jsonl(server: Server, query: list[tuple[str, str]], rows: list[dict[str, object]],
           headers: dict[str, str] | None = None) -> tuple[int, list[dict[str, object]]]:
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode("utf-8")
    status, _, raw = server.request("POST", _path(DOC, "batch", query), body,
                                    headers={"Content-Type": "application/x-ndjson", **(headers or {})})
    if status != 200:
        return status, [json.loads(raw)]
    return status, [json.loads(line, parse_float=Decimal) for line in raw.decode("utf-8").splitlines()]


def _got(result: dict[str, object]) -> dict[str, object]:
    if "error" in result:
        error = result["error"]
        assert isinstance(error, dict)
        return {"error": error["message"]}
    return {"outputs": result["outputs"]}


def test_json_lines_batch_known_on(server: Server, policy: guize.Policy) -> None:
    status, results = _jsonl(server, [("date_field", "日"), ("known_on_field", "已知"), ("keep", "id")], ROWS)
    assert status == 200, results
    assert [r["keep"] for r in results] == [{"id": r["id"]} for r in ROWS]
    assert [_got(r) for r in results] == [_expected(policy, row, row.get("已知")) for row in ROWS]
    assert results[0]["outputs"]["子女教育每月扣除"] == "1000.00"  # type: ignore[index]
    assert results[1]["outputs"]["子女教育每月扣除"] == "2000.00"  # type: ignore[index]
    assert "2018年12月22日发布" in _got(results[4])["error"]  # type: ignore[operator]
    rows = [{k: v for k, v in r.items() if k != "已知"} for r in ROWS[:4]]
    status, results = _jsonl(server, [("date_field", "日"), ("known_on", "2023-03-01"), ("keep", "id")], rows)
    assert status == 200
    assert [_got(r) for r in results] == [_expected(policy, row, "2023-03-01") for row in rows]


def test_json_lines_batch_known_on_errors(server: Server) -> None:
    status, body = _jsonl(server, [("date", "2023-03-01"), ("known_on", "2023-03-01"), ("known_on_field", "已知")],
                          ROWS[:1])
    assert status == 400 and "只能给出一个" in body[0]["error"]["message"]  # type: ignore[index]
    status, body = _jsonl(server, [("date", "2023-03-01"), ("known_on", "2018-01-01")], [DATA])
    assert status == 422 and body[0]["error"]["type"] == "NotInForce"  # type: ignore[index]
    status, body = _jsonl(server, [("date", "2023-03-01"), ("known_on", "x")], [DATA], {"Accept-Language": "en"})
    assert status == 400 and body[0]["error"]["field"] == "known_on"  # type: ignore[index]


def test_arrow_batch_known_on(server: Server, policy: guize.Policy) -> None:
    pa = pytest.importorskip("pyarrow")
    import datetime

    days = [datetime.date.fromisoformat(str(r["日"])) for r in ROWS]
    known = [r.get("已知") for r in ROWS]
    table = pa.table({"id": [r["id"] for r in ROWS], "日": days, "已知": known,
                      **{k: [v] * len(ROWS) for k, v in DATA.items()}})

    def post(query: list[tuple[str, str]], t: object) -> tuple[int, object]:
        status, _, raw = server.request("POST", _path(DOC, "batch", query), _arrow(t), headers={"Content-Type": ARROW})
        return status, pa.ipc.open_stream(raw).read_all() if status == 200 else json.loads(raw)

    status, result = post([("date_field", "日"), ("known_on_field", "已知"), ("keep", "id")], table)
    assert status == 200, result
    assert result.to_pylist() == policy.evaluate_batch(table, "日", keep=["id"], known_on="已知").to_pylist()
    names = [o.name for o in policy.outputs]
    for got, row in zip(result.to_pylist(), ROWS, strict=True):
        want = _expected(policy, row, row.get("已知"))
        if "error" in want:
            assert got["错误"] == want["error"] and all(got[n] is None for n in names)
        else:
            assert {n: str(got[n]) for n in names} == want["outputs"] and got["错误"] is None
    status, result = post([("date_field", "日"), ("known_on", "2023-03-01")], table.drop_columns(["已知"]))
    assert status == 200
    assert result.column("子女教育每月扣除").to_pylist()[:3] == [Decimal(1000)] * 3
    status, body = post([("date", "2023-03-01"), ("known_on_field", "已")], table)
    assert status == 400 and "known_on_field 给出的列「已」不在 Arrow 表中" in body["error"]["message"]


def test_openapi_describes_known_on(server: Server) -> None:
    status, _, raw = server.request("GET", "/openapi.json")
    assert status == 200
    doc = json.loads(raw)
    request = doc["paths"][f"/v1/{DOC}/evaluate"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "known_on" in request["properties"] and "known_on" not in request["required"]
    params = {p["name"] for p in doc["paths"][f"/v1/{DOC}/batch"]["post"]["parameters"]}
    assert {"known_on", "known_on_field"} <= params
