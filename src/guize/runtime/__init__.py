"""Everything a compiled policy needs at run time; never imports the compiler or Lark."""

from guize.runtime.errors import (
    EvaluationError,
    InternalError,
    InvalidInput,
    MissingInput,
    NotInForce,
    RuleError,
    UnknownOutput,
)
from guize.runtime.policy import Explanation, InputInfo, OutputInfo, Policy
from guize.runtime.validity import Repealed, Window

__all__ = [
    "EvaluationError",
    "Explanation",
    "InputInfo",
    "InternalError",
    "InvalidInput",
    "MissingInput",
    "NotInForce",
    "OutputInfo",
    "Policy",
    "Repealed",
    "RuleError",
    "UnknownOutput",
    "Window",
]
