"""guize site: the site of `guize doc`, served with the calculator's endpoint.

POST /api/evaluate with {"page": "outpatient_2024.html", "date": "2025-03-01", "inputs": {…}}
answers {"date": "2025年3月1日", "outputs": [{"name", "text", "exact"} or {"name", "error"}]}:
each output evaluated on its own by Policy.evaluate, so a missing input spoils only the outputs
that need it. Served on 127.0.0.1 only: a drafter's tool, not a public service.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from decimal import Decimal
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from guize.runtime import display
from guize.runtime.errors import RuleError

MAX_BODY = 1 << 20


class Site:
    """The built site (in a temporary folder) and the policy behind each page."""

    def __init__(self, paths: list[str]) -> None:
        from guize.tools.site import build

        self.folder = tempfile.TemporaryDirectory(prefix="guize-site-")
        pages = build(paths, Path(self.folder.name))
        self.files = {p.name: p.path for p in pages}
        self.policies: dict[str, Any] = {}
        self.lock = threading.Lock()

    def evaluate(self, request: Any) -> dict[str, Any]:
        import guize
        from guize.runtime import dates

        if not isinstance(request, dict) or not isinstance(request.get("inputs", {}), dict):
            return {"error": "请求应是 JSON 对象：{\"page\": …, \"date\": …, \"inputs\": {…}}"}
        page = str(request.get("page", ""))
        if page not in self.files:
            return {"error": f"没有页面「{page}」"}
        try:
            on = dates.parse(str(request.get("date", "")))
        except ValueError:
            return {"error": f"计算日期「{request.get('date', '')}」无效，应写成 2025-03-01"}
        with self.lock:
            if page not in self.policies:
                self.policies[page] = guize.load(self.files[page])
        policy = self.policies[page]
        inputs = {k: v for k, v in request.get("inputs", {}).items() if v is not None and v != ""}
        outputs = []
        for out in policy.outputs:
            name = out.name
            try:
                value = policy.evaluate(inputs, on=on, outputs=[name])[name]
            except RuleError as exc:
                outputs.append({"name": name, "error": exc.message})
                continue
            exact = display.exact(value) if isinstance(value, Decimal) else display.value(value)
            outputs.append({"name": name, "text": display.with_type(value, out.type), "exact": exact})
        return {"date": display.date(on), "outputs": outputs}


def handler(site: Site) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=site.folder.name, **kwargs)

        def do_POST(self) -> None:
            if self.path.split("?")[0] != "/api/evaluate":
                self.send_error(404)
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.send_error(413)
                return
            try:
                request = json.loads(self.rfile.read(length).decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                answer: dict[str, Any] = {"error": "请求不是有效的 JSON"}
            else:
                answer = site.evaluate(request)
            body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            if os.environ.get("GUIZE_SERVE_LOG"):
                super().log_message(format, *args)

    return Handler


def serve(paths: list[str], port: int, ready: Any = None) -> None:
    """Build the site and serve it on 127.0.0.1:`port` (0: any free port) until interrupted;
    `ready(url)` is called once it listens."""
    site = Site(paths)
    with ThreadingHTTPServer(("127.0.0.1", port), handler(site)) as httpd:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/"
        if ready is not None:
            ready(url)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            site.folder.cleanup()
