"""Diagnostics: errors and warnings with spans, rendered for drafters and for machines."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

import attrs

from guize.compiler.ast import Span
from guize.runtime.diagnose import nearest_name
from guize.runtime.errors import RuleError
from guize.runtime.i18n import diagnostic, hint, t


@attrs.frozen
class Diagnostic:
    severity: str  # error / warning / info
    code: str
    message: str
    span: Span
    hint: str | None = None
    article: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
        }
        if self.hint:
            out["hint"] = self.hint
        if self.article:
            out["article"] = self.article
        return out


class CompileError(RuleError):
    """One or more errors found in rule text; `diagnostics` holds them all."""

    code = "E001"

    def __init__(self, diagnostics: list[Diagnostic], sources: dict[str, str] | None = None) -> None:
        self.diagnostics = diagnostics
        self.sources = sources or {}
        errors = [d for d in diagnostics if d.severity == "error"]
        first = errors[0] if errors else diagnostics[0]
        more = f"（另有 {len(errors) - 1} 处错误）" if len(errors) > 1 else ""
        super().__init__(f"{first.span}: {first.message}{more}")

    def render(self) -> str:
        return "\n".join(render(d, self.sources.get(d.span.file)) for d in self.diagnostics)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "error": "CompileError",
                "diagnostics": [d.to_json() for d in self.diagnostics]}


_SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


def display_width(text: str) -> int:
    """Terminal columns: wide CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render(diag: Diagnostic, source: str | None) -> str:
    """file:line:col, the message, the source line and a marker under the offending text."""
    span = diag.span
    severity = t(f"severity.{diag.severity}") if diag.severity in _SEVERITY else diag.severity
    head = f"{span}: {severity}[{diag.code}]: {diagnostic(diag.code, diag.message)}"
    lines = [head]
    if source is not None and 0 < span.line <= len(source.splitlines()):
        text = source.splitlines()[span.line - 1].rstrip("\r")
        start = max(span.column - 1, 0)
        if span.end_line == span.line and span.end_column > span.column:
            end = span.end_column - 1
        else:
            end = len(text)
        comment = text.find("#", start)
        if comment > start:  # never underline a trailing comment
            end = min(end, len(text[:comment].rstrip()))
        end = max(end, start + 1)
        gutter = f"{span.line:>4} | "
        lines.append(gutter + text)
        pad = display_width(text[:start].replace("\t", "    "))
        marker = "^" * max(display_width(text[start:end]), 1)
        lines.append(" " * (len(gutter) - 2) + "| " + " " * pad + marker)
    if diag.article:
        lines.append(f"     = {t('label.article')}{diag.article}")
    if diag.hint:
        lines.append(f"     = {t('label.hint')}{hint(diag.hint)}")
    return "\n".join(lines)


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The declared name most like `name`, if one is close enough to suggest."""
    return nearest_name(name, candidates)


def token_span(file: str, tok: Any) -> Span:
    """Where a Lark token came from."""
    return Span(file, tok.line or 0, tok.column or 0, tok.end_line or 0, tok.end_column or 0)
