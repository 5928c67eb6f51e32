"""A small LSP client for the tests: `python -m guize lsp` as a subprocess, framed JSON-RPC over
its stdin and stdout. A reader thread puts every message on a queue; requests wait for their
reply and notifications are awaited by method, each with a bounded timeout (never a sleep)."""

from __future__ import annotations

import itertools
import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

TIMEOUT = 30.0


class LspError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message"))
        self.error = error


class Client:
    def __init__(self, root: Path) -> None:
        env = dict(os.environ, PYTHONIOENCODING="utf-8")
        self.proc = subprocess.Popen([sys.executable, "-m", "guize", "lsp", "--stdio"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=root)
        self.ids = itertools.count(1)
        self.inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.pending: list[dict[str, Any]] = []  # messages read while waiting for another
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.root = root

    # ------------------------------------------------------------ framing

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            headers: dict[str, str] = {}
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                key, _, value = line.decode("ascii").partition(":")
                headers[key.strip().lower()] = value.strip()
            body = out.read(int(headers["content-length"]))
            self.inbox.put(json.loads(body.decode("utf-8")))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}, ensure_ascii=False).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _next(self, match: Any) -> dict[str, Any]:
        for i, message in enumerate(self.pending):
            if match(message):
                return self.pending.pop(i)
        while True:
            try:
                message = self.inbox.get(timeout=TIMEOUT)
            except queue.Empty:
                raise TimeoutError("the language server did not answer in time") from None
            if message is None:
                err = self.proc.stderr.read().decode("utf-8", "replace") if self.proc.stderr else ""
                raise EOFError(f"the language server exited: {err}")
            if message.get("method") and "id" in message:  # a request from the server: answer it
                self.send({"id": message["id"], "result": None})
                continue
            if match(message):
                return message
            self.pending.append(message)

    # ------------------------------------------------------------ protocol

    def request(self, method: str, params: Any) -> Any:
        rid = next(self.ids)
        self.send({"id": rid, "method": method, "params": params})
        reply = self._next(lambda m: m.get("id") == rid and "method" not in m)
        if "error" in reply:
            raise LspError(reply["error"])
        return reply.get("result")

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def wait_for(self, method: str, uri: str | None = None, version: int | None = None) -> dict[str, Any]:
        """The next notification `method` (for `uri` and document `version`, when given)."""
        def match(m: dict[str, Any]) -> bool:
            if m.get("method") != method:
                return False
            params = m.get("params") or {}
            return (uri is None or params.get("uri") == uri) and (version is None or params.get("version") == version)

        return self._next(match)["params"]

    def initialize(self) -> dict[str, Any]:
        result = self.request("initialize", {
            "processId": os.getpid(), "rootUri": self.root.as_uri(),
            "workspaceFolders": [{"uri": self.root.as_uri(), "name": self.root.name}],
            "capabilities": {"textDocument": {"hover": {"contentFormat": ["markdown"]},
                                              "publishDiagnostics": {"versionSupport": True}}}})
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: str | None = None, version: int = 1) -> str:
        uri = path.resolve().as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "guize", "version": version,
            "text": path.read_text(encoding="utf-8") if text is None else text}})
        return uri

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                               "contentChanges": [{"text": text}]})

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=TIMEOUT)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=TIMEOUT)
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                if stream:
                    stream.close()
