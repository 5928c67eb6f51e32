"""The errors the service answers with (HTTP status, stable code, Chinese and English text)."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error the service answers with: HTTP status, code, Chinese and English text."""

    def __init__(self, status: int, code: str, kind: str, zh: str, en: str, **detail: Any) -> None:
        super().__init__(zh)
        self.status, self.code, self.kind, self.zh, self.en, self.detail = status, code, kind, zh, en, detail
