"""Verify files: load each policy, decide its properties, collect the results."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from guize.runtime import interp
from guize.tools.verify.properties import Assertion, Checker, Result

DEFAULT_TIMEOUT = 10.0


def verify_paths(paths: list[str], timeout: float = DEFAULT_TIMEOUT) -> list[Result]:
    """Every property of every .rule file under `paths` (RuleError for a file that does not compile)."""
    from guize.compiler.driver import rule_files

    results: list[Result] = []
    for path in rule_files(paths):
        results.extend(verify_file(str(path), timeout))
    return results


def verify_file(path: str, timeout: float = DEFAULT_TIMEOUT) -> list[Result]:
    import guize
    from guize.tools.verify.solver import fresh_context

    fresh_context()  # also: a clear error before any work when the solver is missing
    policy = guize.load(path)
    defs = policy.definitions
    if not defs:
        return []
    if policy.window.start is None:
        return [Result(path, 1, "not_in_force", policy.window.name(), "unknown",
                       "无法判定：文件未载明施行日期，有效期未知")]
    specs: dict[str, Mapping[str, Any]] = {s["name"]: s for s in policy.module.INPUTS}
    outputs = tuple(policy.module.OUTPUTS)
    assertions = assertions_of(path)
    checker: Checker

    def evaluate(data: dict[str, Any], on: datetime.date, names: list[str]) -> dict[str, Any]:
        if all(n in outputs for n in names):
            return policy.evaluate(data, on, names)
        return interp.evaluate(checker.defs, specs, data, on, names)

    checker = Checker(path, defs, specs, policy.window, outputs, evaluate, timeout)
    return checker.run(assertions)


def assertions_of(path: str) -> tuple[Assertion, ...]:
    """The file's 断言, each with the name of the 是否 definition it is verified as."""
    from guize.compiler.assertions import as_definition
    from guize.tools.testing import assertions_of as checked

    return tuple(Assertion(as_definition(a), a.text) for a in checked(path))
