"""The error hierarchy: every user error is a RuleError with a Chinese message."""

from __future__ import annotations

import datetime

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a quicker start-up: runtime/tuples.py)
if TYPE_CHECKING:
    from typing import Any


class RuleError(Exception):
    """A user error: bad rule text, bad input, a date out of force.

    `code` is stable and machine-readable; `message` is Chinese and user-facing.
    """

    code = "E000"

    def __init__(self, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "error": type(self).__name__, "message": self.message}
        for key, value in self.detail.items():
            if isinstance(value, datetime.date):
                value = value.isoformat()
            if value is not None:
                out[key] = value
        return out


class InternalError(Exception):
    """A bug in guize itself, never the user's fault."""


class NotInForce(RuleError):
    """The as-of date falls outside the validity of the document or of a dated value."""

    code = "E100"


class MissingInput(RuleError):
    code = "E101"


class InvalidInput(RuleError):
    code = "E102"


class EvaluationError(RuleError):
    """Arithmetic that cannot be done (division by zero, a value no band covers …)."""

    code = "E103"


class UnknownOutput(RuleError):
    code = "E104"
