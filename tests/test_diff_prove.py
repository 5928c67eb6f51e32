"""guize diff --prove: equality proved for every input and date, or a counterexample the sampling missed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import guize
from guize.cli import main
from guize.tools.diff import run
from guize.tools.verify.equivalence import outcome, prove_equal

pytest.importorskip("z3")

HEAD = "文件：\n  标题：《补助》\n  施行日期：2024年1月1日\n{end}\n输入 收入：金额\n输入 扣除：金额\n参数 比例 = 10%\n"
# The case of issue 20: sampling from the formulas' constants says nothing changed.
OLD = "输出 补助：金额 = 取较小值(收入 × 比例，扣除)\n输出 另一项：金额 = 收入 × 比例\n"
NEW = "输出 补助：金额 = 若 收入 > 扣除 × 9 则 扣除 否则 收入 × 比例\n输出 另一项：金额 = 收入 ÷ 10\n"


def _write(root: Path, body: str, end: str = "") -> Path:
    root.mkdir()
    (root / "a.rule").write_text(HEAD.format(end=end) + body, encoding="utf-8")
    return root


def test_sampling_misses_the_change_and_the_solver_finds_it(tmp_path: Path) -> None:
    old, new = _write(tmp_path / "old", OLD), _write(tmp_path / "new", NEW)
    sampled = run(str(old), str(new))
    assert all(not r["regions"] for r in sampled["documents"][0]["behaviour"])  # the bug the issue reports
    proved = run(str(old), str(new), prove=10.0)
    entries = {r["output"]: r for r in proved["documents"][0]["behaviour"]}
    assert entries["另一项"]["proved"] is True and entries["另一项"]["decided_by"] == "solver"
    subsidy = entries["补助"]
    assert subsidy["proved"] is False and subsidy["decided_by"] == "solver"
    (example,) = subsidy["regions"][0]["examples"]
    assert example["note"] == "求解器反例"
    # Replayed: the two versions really differ there.
    a, b = guize.load(str(old / "a.rule")), guize.load(str(new / "a.rule"))
    on = example["date"]
    assert a.evaluate(example["inputs"], on, ["补助"]) != b.evaluate(example["inputs"], on, ["补助"])
    assert (example["old"], example["new"]) == (a.evaluate(example["inputs"], on, ["补助"])["补助"],
                                                b.evaluate(example["inputs"], on, ["补助"])["补助"])


def test_a_window_change_is_a_difference(tmp_path: Path) -> None:
    old = _write(tmp_path / "old", OLD)
    new = _write(tmp_path / "new", OLD, end="  截止日期：2025年12月31日\n")
    a, b = guize.load(str(old / "a.rule")), guize.load(str(new / "a.rule"))
    proof = prove_equal(a, b, "补助")
    assert proof.status == "different" and proof.date is not None and proof.date > dt.date(2025, 12, 31)
    assert outcome(a, proof.old_inputs, proof.date, "补助")[0] == "ok"
    assert outcome(b, proof.new_inputs, proof.date, "补助")[0] == "nif"


def test_unknown_falls_back_to_sampling(tmp_path: Path) -> None:
    body = "输入 起始：日期\n输出 补助：金额 = 若 相差月数(起始，评估日期) > 1000个月 则 0元 否则 收入 × 比例\n"
    old = _write(tmp_path / "old", body)
    new = _write(tmp_path / "new", body.replace("收入 × 比例", "收入 × 20%"))
    report = run(str(old), str(new), prove=0.001)  # the solver runs out of time: unknown
    (entry,) = report["documents"][0]["behaviour"]
    assert entry["decided_by"] == "sampling" and entry["proved"] is False
    assert "求解超时" in entry["proof"]["reason"]
    assert entry["regions"]  # sampling still finds the change


def test_calendar_months_are_proved_with_a_counterexample(tmp_path: Path) -> None:
    """相差月数 is encoded: the change is found by the solver and its counterexample replays."""
    body = "输入 起始：日期\n输出 补助：金额 = 若 相差月数(起始，评估日期) > 1000个月 则 0元 否则 收入 × 比例\n"
    old = _write(tmp_path / "old", body)
    new = _write(tmp_path / "new", body.replace("收入 × 比例", "收入 × 20%"))
    a, b = guize.load(str(old / "a.rule")), guize.load(str(new / "a.rule"))
    proof = prove_equal(a, b, "补助", 30.0)
    assert proof.status == "different" and proof.date is not None
    assert outcome(a, proof.old_inputs, proof.date, "补助") != outcome(b, proof.new_inputs, proof.date, "补助")
    same = _write(tmp_path / "same", body.replace("> 1000个月", "≥ 1001个月"))
    assert prove_equal(a, guize.load(str(same / "a.rule")), "补助", 30.0).status == "proved"


def test_cli_prove_markdown_and_json(tmp_path: Path) -> None:
    old, new = _write(tmp_path / "old", OLD), _write(tmp_path / "new", NEW)
    text = CliRunner().invoke(main, ["diff", "--prove", str(old), str(new)])
    assert text.exit_code == 1
    assert "判定方法：求解器" in text.stdout and "求解器反例" in text.stdout
    assert "已证明对所有输入和日期结果不变的输出：另一项" in text.stdout
    js = CliRunner().invoke(main, ["diff", "--prove", "--format", "json", str(old), str(new)])
    doc = json.loads(js.stdout)["documents"][0]
    assert {r["output"]: r["proved"] for r in doc["behaviour"]} == {"补助": False, "另一项": True}
