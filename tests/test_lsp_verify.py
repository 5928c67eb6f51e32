"""guize verify in the language server, through a real client over stdio (tests/lsp_client.py):
a saved file's violated properties come as diagnostics with their counterexample, verification
never holds up other requests, and results are shown only for the text that was verified."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")
pytest.importorskip("z3")

from lsp_client import Client

ROOT = Path(__file__).resolve().parent.parent
VERIFY = "guize verify"


def start(root: Path, **verify: Any) -> Client:
    c = Client(root)
    c.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(),
                             "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                             "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": True}}},
                             "initializationOptions": {"verify": {"timeout": 30, **verify}}})
    c.notify("initialized", {})
    return c


def published(c: Client, uri: str, until: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
    """The diagnostics of the first publication for `uri` that satisfies `until` (each wait bounded)."""
    while True:
        diagnostics = c.wait_for("textDocument/publishDiagnostics", uri)["diagnostics"]
        if until(diagnostics):
            return diagnostics


def verified(diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in diagnostics if d.get("source") == VERIFY]


def save(c: Client, uri: str) -> None:
    c.notify("textDocument/didSave", {"textDocument": {"uri": uri}})


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    root.mkdir()
    shutil.copy(ROOT / "tests/verify/assertion_bad.rule", root / "支付.rule")
    shutil.copy(ROOT / "tests/verify/time/assertion_bad.rule", root / "工龄.rule")
    return root


def test_a_saved_file_shows_its_violations_with_the_counterexample(root: Path) -> None:
    c = start(root)
    try:
        for name, line, words in (("支付.rule", 11, "断言「支付 ≤ 剩余限额」不成立"),
                                  ("工龄.rule", 11, "入职日期 + 工作年限 = 离职日期")):
            path = root / name
            text = path.read_text(encoding="utf-8")
            uri = c.open(path)
            assert verified(c.wait_for("textDocument/publishDiagnostics", uri, 1)["diagnostics"]) == []
            save(c, uri)
            (d,) = verified(published(c, uri, lambda ds: bool(verified(ds))))
            assert d["code"] == "verify/assertion" and d["severity"] == 1
            assert words in d["message"] and "\n反例：日期 " in d["message"]
            assert d["range"]["start"]["line"] == line - 1
            assert text.split("\n")[line - 1].startswith("断言")
    finally:
        c.close()


def test_verification_never_holds_up_requests_and_goes_with_the_text(root: Path) -> None:
    """A slow file (the textile policy, 90-odd properties) with a planted false 断言: other requests
    are answered while it is verified; an edit hides the findings until the next save."""
    path = root / "纺织.rule"
    text = (ROOT / "policies/xinjiang/textile_2024.rule").read_text(encoding="utf-8")
    path.write_text(text + "断言 企业贷款贴息 ≤ 0元\n", encoding="utf-8")
    c = start(root)
    try:
        uri = c.open(path)
        c.wait_for("textDocument/publishDiagnostics", uri, 1)
        save(c, uri)
        symbols = c.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
        assert symbols  # answered while the solver works ...
        early = [m for m in c.pending if m.get("method") == "textDocument/publishDiagnostics"
                 and verified(m["params"]["diagnostics"])]
        assert early == []  # ... before verification had anything to say
        (d,) = verified(published(c, uri, lambda ds: bool(verified(ds))))
        assert "企业贷款贴息 ≤ 0元" in d["message"] and "反例" in d["message"]

        edited = path.read_text(encoding="utf-8") + "# 改动\n"
        c.change(uri, edited, 2)
        assert verified(c.wait_for("textDocument/publishDiagnostics", uri, 2)["diagnostics"]) == []

        path.write_text(edited.replace("≤ 0元", "≤ 1元"), encoding="utf-8")  # saved with another claim
        c.change(uri, path.read_text(encoding="utf-8"), 3)
        save(c, uri)
        (d,) = verified(published(c, uri, lambda ds: bool(verified(ds))))
        assert "企业贷款贴息 ≤ 1元" in d["message"]
    finally:
        c.close()


def test_on_demand_when_saving_does_not_verify(root: Path) -> None:
    c = start(root, onSave=False)
    try:
        uri = c.open(root / "支付.rule")
        c.wait_for("textDocument/publishDiagnostics", uri, 1)
        save(c, uri)
        assert verified(c.wait_for("textDocument/publishDiagnostics", uri, 1)["diagnostics"]) == []
        assert c.request("workspace/executeCommand", {"command": "guize.verify", "arguments": [uri]}) \
            == "正在验证 1 个文件"
        (d,) = verified(published(c, uri, lambda ds: bool(verified(ds))))
        assert d["code"] == "verify/assertion"
    finally:
        c.close()
