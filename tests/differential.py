"""Shared set-up of the differential tests: a .rule text loaded alone, and one engine's outcome.

Each test compares `policy.evaluate` (the compiled module) with `policy.interpret` (the reference
interpreter) through `outcome`, so that a value and an error compare alike.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

import pytest

import guize
from guize.runtime.errors import RuleError


def load_rule(factory: pytest.TempPathFactory, name: str, text: str) -> guize.Policy:
    """The policy of `text`, written to a fresh folder as `name`.rule, loaded without a corpus."""
    path = factory.mktemp(name) / f"{name}.rule"
    path.write_text(text, encoding="utf-8")
    return guize.load(path, corpus=False)


def as_text(got: Mapping[str, Any]) -> Any:
    """The values as text: a zero's sign and a Decimal's exponent count."""
    return {k: str(v) for k, v in got.items()}


def with_types(got: Mapping[str, Any]) -> Any:
    """The values with their types: an int where a Period is expected does not pass."""
    return {k: (v, type(v)) for k, v in got.items()}


def error_words(exc: RuleError) -> Any:
    return ("error", type(exc).__name__, exc.message)


def outcome(run: Callable[..., Mapping[str, Any]], data: dict[str, Any], on: datetime.date,
            outputs: list[str] | None = None, show: Callable[[Mapping[str, Any]], Any] = as_text,
            error: Callable[[RuleError], Any] = error_words) -> Any:
    """What `run` (evaluate or interpret) gives for `data` on `on`: the values shown, or the error."""
    try:
        got = run(data, on, outputs)
    except RuleError as exc:
        return error(exc)
    return show(got)


def answers(policy: guize.Policy, data: dict[str, Any], on: Any, outputs: list[str] | None = None) -> list[Any]:
    """The compiled module's outcome and the reference interpreter's, values as they are."""
    return [outcome(run, data, on, outputs, show=dict) for run in (policy.evaluate, policy.interpret)]


def shown(run: Callable[..., Mapping[str, Any]], data: Any, on: Any, outputs: list[str] | None) -> Any:
    """The values with their text and type (0.00 is not 0; an int is not a Period), or the
    error's class and message: what two engines must agree on, value or error."""
    try:
        got = run(data, on, outputs)
    except RuleError as exc:
        return ("error", type(exc).__name__, exc.message)
    return [(k, str(v), type(v).__name__) for k, v in got.items()]


def copying_and_plain(policy: guize.Policy) -> dict[str, Any]:
    """Two new Policies of `policy`'s module (and its repeal, from the corpus): "copy" makes
    runtime/specialize.py's copies at the 64th call (at the first where a test sets
    policy._SPECIALISE_AFTER to 1), "no copy" never makes one."""
    from guize.runtime import policy as policy_module

    repealed = policy.window.repealed
    plain = policy_module.Policy(policy.module, repealed)
    plain._specialised = policy_module._SPECIALISED_LIMIT
    if policy.module.ALL is not None:  # (a document without outputs has none)
        plain._all = policy.module.ALL
    return {"copy": policy_module.Policy(policy.module, repealed), "no copy": plain}
