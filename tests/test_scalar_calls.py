"""Policy.evaluate's cheaper ways through a call, each giving what the general way gives.

A list naming every output, in order, runs out_all (no subset flags to read); a missing input
is then reported as for that list (not as for all outputs), as the reference interpreter does.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

import guize
from guize.runtime.errors import MissingInput

ROOT = Path(__file__).resolve().parent.parent
ON = datetime.date(2025, 3, 1)


def test_a_list_of_every_output_runs_out_all_and_reports_as_for_a_list() -> None:
    policy = guize.load(ROOT / "policies/national/retirement_age_2025.rule")
    every = list(policy.module.OUTPUTS)
    assert policy._plan(every)[0] is policy.module.out_all
    data = {"出生日期": "1970-05-17", "人员类别": "男职工"}
    assert policy.evaluate(data, ON, every) == policy.evaluate(data, ON) == policy.interpret(data, ON, every)
    for outputs in (every, tuple(every)):
        with pytest.raises(MissingInput) as got:
            policy.evaluate({"人员类别": "男职工"}, ON, outputs)
        with pytest.raises(MissingInput) as want:
            policy.interpret({"人员类别": "男职工"}, ON, outputs)
        assert got.value.message == want.value.message == "缺少输入「出生日期」"
    with pytest.raises(MissingInput, match="计算全部输出时需要"):
        policy.evaluate({"人员类别": "男职工"}, ON)
