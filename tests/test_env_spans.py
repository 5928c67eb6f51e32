"""Policy.env by spans: a new date of a dated policy takes the versions found for an earlier date
between the same two days on which a version starts or ends or the window opens or closes
(Policy._bounds). On every day around and across the corpus' dated policies, with a repeal
too, the state (or the NotInForce error) is the one computed in full for that day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import guize
from guize.runtime.deps import select_version
from guize.runtime.errors import RuleError
from guize.runtime.policy import Policy
from guize.runtime.validity import Repealed

ROOT = Path(__file__).resolve().parent.parent
DATED = ["policies/national/special_deductions_2018.rule", "policies/national/special_deductions_2022.rule",
         "policies/national/special_deductions_2023.rule", "policies/xinjiang/textile_2024.rule"]
DAY = dt.timedelta(days=1)


def in_full(policy: Policy, on: dt.date) -> Any:
    try:
        policy.window.check(on)
    except RuleError as exc:
        return type(exc), exc.message
    return (on, *[select_version(versions, on) for versions in policy.dated_versions], None)


def by_env(policy: Policy, on: dt.date) -> Any:
    try:
        return policy.env(on)
    except RuleError as exc:
        return type(exc), exc.message


@pytest.mark.parametrize("path", DATED)
@pytest.mark.parametrize("repeal", [False, True])
def test_every_day_has_the_state_computed_in_full(path: str, repeal: bool) -> None:
    loaded = guize.load(ROOT / path)
    bounds = loaded._bounds
    assert len(bounds) >= 2  # dated: spans to reuse
    assert loaded.window.start is not None
    repealed = Repealed(loaded.window.start + 200 * DAY, "《废止令》", None) if repeal else None
    policy = Policy(loaded.module, repealed)
    days = []
    day = bounds[0] - 40 * DAY
    while day <= max(bounds[-1], loaded.window.start + 200 * DAY) + 40 * DAY:
        days.append(day)
        day += DAY
    for on in days + days[::-1]:  # the second pass: every span already met
        assert by_env(policy, on) == in_full(policy, on), on
    assert policy._spans  # the spans were used
