"""guize site: the site with its calculator. The endpoint over HTTP, and the page in headless
Chromium (Debian's `chromium`): it renders, its calculator gives what `evaluate` gives, and the
browser logs no console message."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

import guize
from guize.runtime import display

ROOT = Path(__file__).resolve().parent.parent
OUTPATIENT = ROOT / "policies/xinjiang/outpatient_2024.rule"
DATA = json.loads((ROOT / "examples/outpatient.json").read_text(encoding="utf-8"))
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
TIMEOUT = 60


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    proc = subprocess.Popen([sys.executable, "-m", "guize", "site", str(ROOT / "policies"), "--port", "0"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    deadline = time.monotonic() + TIMEOUT
    line = b""
    while not line.endswith(b"\n"):  # the server says where it listens once it does
        ready, _, _ = select.select([proc.stderr], [], [], max(deadline - time.monotonic(), 0))
        if not ready:
            proc.kill()
            raise TimeoutError("guize site did not start")
        chunk = os.read(proc.stderr.fileno(), 1)
        if not chunk:
            raise EOFError("guize site exited")
        line += chunk
    text = line.decode("utf-8")
    assert text.startswith("guize site：http://127.0.0.1:")
    yield text.split("：", 1)[1].strip()
    proc.terminate()
    proc.wait(timeout=TIMEOUT)
    proc.stderr.close()


def post(url: str, body: bytes) -> dict:
    request = urllib.request.Request(url + "api/evaluate", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return json.loads(response.read().decode("utf-8"))


def test_endpoint_gives_what_evaluate_gives(url: str) -> None:
    policy = guize.load(OUTPATIENT)
    answer = post(url, json.dumps({"page": "outpatient_2024.html", "date": "2025-03-01", "inputs": DATA},
                                  ensure_ascii=False).encode("utf-8"))
    assert answer["date"] == "2025年3月1日"
    by_name = {o["name"]: o for o in answer["outputs"]}
    assert list(by_name) == [o.name for o in policy.outputs]
    for name, out in by_name.items():
        try:
            want = policy.evaluate(DATA, on="2025-03-01", outputs=[name])[name]
        except guize.RuleError as exc:
            assert out == {"name": name, "error": exc.message}
            continue
        assert Decimal(out["exact"]) == want and out["exact"] == display.exact(want)
    assert by_name["统筹基金支付"]["text"] == "600.00元"


def test_endpoint_takes_a_list_input(url: str) -> None:
    month = {"工资薪金收入": 30000, "专项扣除": 4500, "专项附加扣除": 2000}
    answer = post(url, json.dumps({"page": "iit_withholding_2019.html", "date": "2019-03-31",
                                   "inputs": {"各月": [month] * 3}}, ensure_ascii=False).encode("utf-8"))
    by_name = {o["name"]: o for o in answer["outputs"]}
    assert by_name["各月预扣税额"]["text"] == "555.00元、625.00元、1850.00元"
    assert by_name["全年预扣税额"]["exact"] == "3030.00"
    page = urllib.request.urlopen(url + "iit_withholding_2019.html", timeout=TIMEOUT).read().decode("utf-8")
    assert 'data-kind="list"' in page and "<textarea" in page


def test_endpoint_errors_are_chinese(url: str) -> None:
    assert post(url, b"{") == {"error": "请求不是有效的 JSON"}
    assert post(url, b'{"page": "none.html", "date": "2025-03-01"}') == {"error": "没有页面「none.html」"}
    bad_date = post(url, json.dumps({"page": "outpatient_2024.html", "date": "2025-02-30"}).encode())
    assert bad_date["error"].startswith("计算日期「2025-02-30」无效")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(urllib.request.Request(url + "other", data=b"{}"), timeout=TIMEOUT)
    assert info.value.code == 404
    info.value.close()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install chromium)")
def test_the_calculator_in_headless_chromium(url: str, tmp_path: Path) -> None:
    inputs = {k: ("true" if v is True else "false" if v is False else str(v)) for k, v in DATA.items()}
    query = urllib.parse.urlencode({"run": "1", "__date": "2025-03-01", **inputs})
    page = f"{url}outpatient_2024.html?{query}"
    shot = tmp_path / "page.png"
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--virtual-time-budget=15000", "--enable-logging=stderr", "--v=0", f"--user-data-dir={tmp_path / 'p'}"]
    dom = subprocess.run([*common, "--dump-dom", page], capture_output=True, text=True, timeout=TIMEOUT)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-calculated="yes"' in dom.stdout
    assert [line for line in dom.stderr.splitlines() if ":CONSOLE" in line] == []
    policy = guize.load(OUTPATIENT)
    for name in ("起付标准", "支付比例", "统筹基金支付"):
        want = display.exact(policy.evaluate(DATA, on="2025-03-01", outputs=[name])[name])
        assert f'<tr data-output="{name}"><th>{name}</th><td class="value" data-exact="{want}">' in dom.stdout, name
    picture = subprocess.run([*common, f"--screenshot={shot}", "--window-size=1200,1600", page],
                             capture_output=True, text=True, timeout=TIMEOUT)
    assert picture.returncode == 0, picture.stderr[-2000:]
    data = shot.read_bytes()
    # A blank page compresses to a few kilobytes; the rendered page with its text and picture does not.
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000
