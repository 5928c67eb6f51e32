"""guize serve beside OpenFisca's web API (`openfisca serve`) on the same rule: requests per second
and latency percentiles over loopback HTTP, same machine, same clients, answers checked equal first.

    pip install -e '.[bench]'                   # starlette, uvicorn, openfisca-core[web-api]
    python bench/serve_bench.py                 # 8 clients × 2,000 requests each; --quick for a smoke run
    python bench/serve_bench.py --workers 2     # both servers with 2 worker processes

The rule is the outpatient rule (新政办发〔2024〕13号 第十四条、第十九条): `guize serve policies/xinjiang`
and `openfisca serve --country-package openfisca_outpatient` (bench/openfisca_outpatient.py, a
minimal country package written for this rule: money in fen, rates in basis points, exact).
Each server runs in a child process with the same number of worker processes (--workers); the
same N client threads send the same visits (one per request: the three outputs 起付标准, 支付比例,
统筹基金支付) in the request format each server defines, on kept-alive connections where the server
keeps them. Before timing, 200 visits are sent to both, and each answer must equal Policy.evaluate
(OpenFisca's fen and basis points converted exactly); any difference stops the benchmark.

Printed: requests/s, p50 and p99 latency (wall time per request as the client sees it), and the
rows/s of each server's batch form: guize's /batch (JSON Lines, and Arrow IPC) and OpenFisca's
/calculate with all visits in one situation. The clients run in this process (Python threads):
on a small machine they compete with the servers for the CPU, so the figures are a floor for both.

OpenFisca is run by the interpreter given by --openfisca-python (default: this one); without
openfisca-core[web-api] there, its rows print "not installed".
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import functools
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = ["起付标准", "支付比例", "统筹基金支付"]
LEVELS = ["一级", "二级", "三级", "未定级"]
DATE = "2025-03-01"
GUIZE_PATH = "/v1/outpatient_2024/evaluate"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def visit(i: int) -> dict[str, Any]:
    """The i-th visit, as guize takes it (money as exact decimal text)."""
    return {"医院级别": LEVELS[i % 4], "退休人员": i % 2 == 0, "本次费用": f"{100 + (i * 7919) % 5000}.{i % 100:02d}",
            "住院起付线": f"{600 + (i * 13) % 500}.{(i * 7) % 100:02d}", "本年已就诊次数": i % 3,
            "本年已支付": f"{(i * 31) % 4200}.{(i * 3) % 100:02d}"}


def fen(text: str) -> int:
    return int(Decimal(text) * 100)


def openfisca_visit(i: int) -> dict[str, Any]:
    """The i-th visit as the OpenFisca country package takes it (money in fen), keyed by period."""
    v = visit(i)
    year = DATE[:4]
    data = {"医院级别": v["医院级别"], "退休人员": v["退休人员"], "本次费用": fen(v["本次费用"]),
            "住院起付线": fen(v["住院起付线"]), "本年已就诊次数": v["本年已就诊次数"], "本年已支付": fen(v["本年已支付"])}
    return {**{k: {year: x} for k, x in data.items()}, **{o: {year: None} for o in OUTPUTS}}


def guize_body(i: int) -> bytes:
    return json.dumps({"date": DATE, "inputs": visit(i), "outputs": OUTPUTS}, ensure_ascii=False).encode()


def openfisca_body(i: int) -> bytes:
    return json.dumps({"visits": {"v": openfisca_visit(i)}}, ensure_ascii=False).encode()


def from_openfisca(values: dict[str, Any]) -> dict[str, Decimal]:
    """One visit's OpenFisca outputs in guize's units: 元 (from fen), rate (from basis points)."""
    year = DATE[:4]
    return {"起付标准": Decimal(values["起付标准"][year]).scaleb(-2),
            "支付比例": Decimal(values["支付比例"][year]).scaleb(-4),
            "统筹基金支付": Decimal(values["统筹基金支付"][year]).scaleb(-2)}


# ---------------------------------------------------------------- servers


def wait_ready(process: subprocess.Popen[bytes], port: int, path: str, name: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited before it was ready (exit code {process.returncode})")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", path)
            if c.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{name} did not start")


def start_guize(port: int, workers: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "guize", "serve", str(ROOT / "policies" / "xinjiang"),
                                "--port", str(port), "--workers", str(workers), "--reload-interval", "0"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(process, port, "/readyz", "guize serve")
    return process


def openfisca_available(python: str) -> bool:
    probe = subprocess.run([python, "-c", "import openfisca_web_api.app, gunicorn"], capture_output=True)
    return probe.returncode == 0


def start_openfisca(python: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "bench")}
    process = subprocess.Popen([python, "-m", "openfisca_core.scripts.openfisca_command", "serve",
                                "--country-package", "openfisca_outpatient", "--bind", f"127.0.0.1:{port}",
                                "--workers", str(workers)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wait_ready(process, port, "/variables", "openfisca serve")
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ---------------------------------------------------------------- clients


def post(conn: http.client.HTTPConnection, path: str, payload: bytes,
         content_type: str = "application/json") -> bytes:
    conn.request("POST", path, body=payload, headers={"Content-Type": content_type})
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        raise SystemExit(f"HTTP {r.status} from {path}: {data[:300]!r}")
    return data


def client(port: int, path: str, make: Callable[[int], bytes], n: int, offset: int) -> list[float]:
    # http.client opens a new connection by itself when the server closed the last one
    # (gunicorn's sync workers, which `openfisca serve` uses, close after every response).
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    payloads = [make(offset + i) for i in range(n)]
    times = []
    for payload in payloads:
        t0 = time.perf_counter()
        post(conn, path, payload)
        times.append(time.perf_counter() - t0)
    conn.close()
    return times


def load(port: int, path: str, make: Callable[[int], bytes], clients: int, requests: int) -> dict[str, float]:
    client(port, path, make, 200, 10**6)  # warm-up
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        runs = list(pool.map(lambda k: client(port, path, make, requests, k * requests), range(clients)))
    elapsed = time.perf_counter() - t0
    latencies = sorted(t for run in runs for t in run)
    total = len(latencies)
    return {"rps": total / elapsed, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[min(total - 1, int(total * 0.99))] * 1000, "total": total}


# ---------------------------------------------------------------- checks


@functools.cache
def policy() -> Any:
    import guize

    return guize.load(ROOT / "policies" / "xinjiang" / "outpatient_2024.rule")


def expected(i: int) -> dict[str, Decimal]:
    return dict(policy().evaluate(visit(i), DATE, OUTPUTS))


def check_guize(port: int, n: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(n):
        got = json.loads(post(conn, GUIZE_PATH, guize_body(i)))["outputs"]
        want = expected(i)
        if {k: Decimal(v) for k, v in got.items()} != want:
            raise SystemExit(f"guize serve differs from Policy.evaluate on visit {i}: {got} != {want}")
    conn.close()


def check_openfisca(port: int, n: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(n):
        got = from_openfisca(json.loads(post(conn, "/calculate", openfisca_body(i)))["visits"]["v"])
        want = expected(i)
        if got != want:
            raise SystemExit(f"openfisca serve differs from guize on visit {i} ({visit(i)}): {got} != {want}")
    conn.close()


# ---------------------------------------------------------------- batch forms


def guize_batch(port: int, rows: int, arrow: bool) -> float:
    query = urllib.parse.urlencode([("date", DATE), *[("output", o) for o in OUTPUTS]])
    path = f"/v1/outpatient_2024/batch?{query}"
    if arrow:
        import pyarrow as pa

        table = pa.Table.from_pylist([visit(i) for i in range(rows)])
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        payload, kind = bytes(sink.getvalue()), "application/vnd.apache.arrow.stream"
    else:
        payload = b"\n".join(json.dumps(visit(i), ensure_ascii=False).encode() for i in range(rows))
        kind = "application/x-ndjson"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    post(conn, path, payload, kind)  # warm-up (the first Arrow request loads the batch code)
    t0 = time.perf_counter()
    out = post(conn, path, payload, kind)
    elapsed = time.perf_counter() - t0
    if arrow:
        import pyarrow as pa

        result = pa.ipc.open_stream(out).read_all()
        assert result.num_rows == rows and result.column("错误").null_count == rows
        assert [result.column(o)[0].as_py() for o in OUTPUTS] == [expected(0)[o] for o in OUTPUTS]
    else:
        assert out.count(b"\n") == rows and b'"error"' not in out
    return rows / elapsed


def openfisca_batch(port: int, rows: int) -> float:
    """Rows/s of one /calculate request with `rows` visits in one situation (the server is warm
    from the request test; the answers are checked on a sample)."""
    payload = json.dumps({"visits": {f"v{i}": openfisca_visit(i) for i in range(rows)}},
                         ensure_ascii=False).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    t0 = time.perf_counter()
    out = json.loads(post(conn, "/calculate", payload))["visits"]
    elapsed = time.perf_counter() - t0
    for i in range(0, rows, max(1, rows // 50)):
        if from_openfisca(out[f"v{i}"]) != expected(i):
            raise SystemExit(f"openfisca /calculate differs from guize on visit {i}")
    return rows / elapsed


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2000, help="per client and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each timing guize then OpenFisca")
    parser.add_argument("--workers", type=int, default=1, help="worker processes of each server")
    parser.add_argument("--rows", type=int, default=10_000, help="rows of one batch request")
    parser.add_argument("--openfisca-python", default=sys.executable,
                        help="the Python that has openfisca-core[web-api] (default: this one)")
    parser.add_argument("--quick", action="store_true", help="2 clients × 100 requests, 1 round, 1,000 rows")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.requests, args.rounds, args.rows = 2, 100, 1, 1000
    os.environ.setdefault("GUIZE_CACHE_DIR", str(Path.home() / ".cache" / "guize"))
    print(f"{args.clients} clients × {args.requests} requests × {args.rounds} round(s), {args.workers} worker "
          f"process(es) per server, {os.cpu_count()} CPUs; one visit per request, outputs {', '.join(OUTPUTS)}")
    with_openfisca = openfisca_available(args.openfisca_python)
    servers = []
    try:
        g_port = free_port()
        servers.append(start_guize(g_port, args.workers))
        check_guize(g_port, 200)
        client(g_port, GUIZE_PATH, guize_body, 200, 10**6)  # warm-up
        if with_openfisca:
            o_port = free_port()
            servers.append(start_openfisca(args.openfisca_python, o_port, args.workers))
            check_openfisca(o_port, 200)
            client(o_port, "/calculate", openfisca_body, 200, 10**6)
        # Both servers are up throughout (the one not being timed is idle); rounds alternate, so
        # that a change in the machine's load falls on both.
        g_runs, o_runs = [], []
        for _ in range(args.rounds):
            g_runs.append(load(g_port, GUIZE_PATH, guize_body, args.clients, args.requests))
            if with_openfisca:
                o_runs.append(load(o_port, "/calculate", openfisca_body, args.clients, args.requests))
        batch = [(f"guize /batch, JSON Lines, {args.rows:,} rows", guize_batch(g_port, args.rows, False))]
        with contextlib.suppress(ImportError):  # no pyarrow: no Arrow row
            batch.append((f"guize /batch, Arrow IPC, {args.rows:,} rows", guize_batch(g_port, args.rows, True)))
        if with_openfisca:
            for n in sorted({min(1000, args.rows), args.rows}):
                batch.append((f"openfisca /calculate, {n:,} visits in one situation", openfisca_batch(o_port, n)))
    finally:
        for server in servers:
            stop(server)

    print("answers checked equal first: 200 visits, guize serve = Policy.evaluate"
          + (" = openfisca serve" if with_openfisca else ""))
    print(f"median of {args.rounds} round(s):")
    table = [("guize serve", g_runs)] + ([("openfisca serve", o_runs)] if with_openfisca else [])
    for name, runs in table:
        print(f"  {name:<16} {median(runs, 'rps'):>8,.0f} requests/s   p50 {median(runs, 'p50'):7.2f} ms   "
              f"p99 {median(runs, 'p99'):7.2f} ms")
    if with_openfisca:
        ratios = [g["rps"] / o["rps"] for g, o in zip(g_runs, o_runs, strict=True)]
        p99s = [o["p99"] / g["p99"] for g, o in zip(g_runs, o_runs, strict=True)]
        print(f"  guize / openfisca: {statistics.median(ratios):.1f}× the requests/s, "
              f"p99 {statistics.median(p99s):.1f}× lower (medians of the rounds' ratios)")
    else:
        print("  openfisca serve: not installed (pip install 'openfisca-core[web-api]', the bench extra)")
    print("batch forms (one request, wall time):")
    for name, rate in batch:
        print(f"  {name:<52} {rate:>10,.0f} rows/s")


if __name__ == "__main__":
    main()
