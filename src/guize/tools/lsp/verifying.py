"""guize verify in the language server: a saved file is verified in one background thread, and
its violated and undecided properties become diagnostics (with the counterexample).

Typing is never blocked: requests only queue work (the newest text of a file replaces an older
one still waiting), the solver runs in the worker thread with a bounded time per property, and
the results are handed back to the server's event loop to publish. One worker, because z3's
context is not thread-safe. Results belong to the text that was verified: once the document is
edited they are not shown until it is saved (and verified) again, so a diagnostic never points
at a line that has moved."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

DEFAULT_TIMEOUT = 5.0  # seconds per property


@attrs.frozen
class Finding:
    """A violated or undecided property, ready to become a diagnostic."""

    line: int  # 1-based
    kind: str
    status: str  # violated / unknown
    message: str


@attrs.define
class Verifier:
    publish: Callable[[str], None]  # called in the worker thread with the uri; must hand over to the loop
    timeout: float = DEFAULT_TIMEOUT
    results: dict[str, tuple[str, list[Finding]]] = attrs.field(factory=dict)  # uri -> (text, findings)
    waiting: dict[str, tuple[str, str]] = attrs.field(factory=dict)  # uri -> (path, text)
    lock: threading.Condition = attrs.field(factory=threading.Condition)
    thread: threading.Thread | None = None
    missing: str = ""  # the Chinese message when the solver is not installed

    def request(self, uri: str, path: str, text: str) -> None:
        """Verify the file at `path`, whose text is `text` (the saved document)."""
        if self.missing:
            return
        with self.lock:
            self.waiting[uri] = (path, text)
            if self.thread is None:
                self.thread = threading.Thread(target=self._work, name="guize-verify", daemon=True)
                self.thread.start()
            self.lock.notify()

    def findings(self, uri: str, text: str) -> list[Finding]:
        """What verification found for this exact text (none for text not verified)."""
        with self.lock:
            done = self.results.get(uri)
        return done[1] if done is not None and done[0] == text else []

    def forget(self, uri: str) -> None:
        with self.lock:
            self.results.pop(uri, None)
            self.waiting.pop(uri, None)

    def _work(self) -> None:
        while True:
            with self.lock:
                while not self.waiting:
                    self.lock.wait()
                uri = next(iter(self.waiting))
                path, text = self.waiting.pop(uri)
            found = self._verify(path, text)
            if found is None:
                continue
            with self.lock:
                self.results[uri] = (text, found)
            self.publish(uri)

    def _verify(self, path: str, text: str) -> list[Finding] | None:
        """The findings, or None when the file on disk is no longer `text` or does not compile
        (the check's own diagnostics say why)."""
        from guize.runtime.errors import RuleError
        from guize.tools.verify import verify_file
        from guize.tools.verify.solver import SolverMissing

        try:
            if Path(path).read_text(encoding="utf-8-sig") != text:
                return None
            results = verify_file(path, self.timeout)
        except SolverMissing as exc:
            self.missing = exc.message
            return None
        except (RuleError, OSError, UnicodeDecodeError):
            return None
        except Exception:  # a verifier bug must not stop the language server: logged to stderr
            import logging

            logging.getLogger(__name__).exception("guize verify failed on %s", path)
            return None
        return [finding(r) for r in results if r.status != "proved"]


def finding(r: Any) -> Finding:
    """A result as a diagnostic's text: the message, then the counterexample on its own line."""
    from guize.tools.verify.properties import KINDS
    from guize.tools.verify.report import STATUS, value_text

    message = f"{STATUS[r.status]}[{KINDS[r.kind]}] {r.subject}：{r.message.removeprefix('无法判定：')}"
    if r.counterexample:
        cx = r.counterexample
        shown = "，".join(f"{k} = {value_text(v)}" for k, v in cx["inputs"].items())
        message += f"\n反例：日期 {cx['date']}；{shown or '（无输入）'}"
    return Finding(r.line, r.kind, r.status, message)
