"""guize test --coverage: what the examples exercised, counted by hand on small files."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from guize.cli import main
from guize.tools import coverage, testing

FEE = """\
文件：
  标题：《覆盖率测试办法》
  文号：测政发〔2024〕2号
  施行日期：2024年1月1日

类型 级别：一级、二级、三级

输入 级别：级别                  依据 第一条
输入 数量：数量（吨）            依据 第二条
输入 加急：是否，默认 否         依据 第三条

表 单价：金额/吨 按 级别          依据 第一条
  一级：10元/吨
  二级：20元/吨
  其他：30元/吨                   依据 第四条

参数 附加费：金额                 依据 第五条
  自2024年1月1日起：5元
  自2025年1月1日起：8元

表 折扣：比率 按 数量 分段        依据 第二条
  不满10吨：0%
  10吨以上 不满100吨：10%
  100吨以上：20%

输出 费用：金额                   依据 第六条
  若 加急 则 单价 × 数量 × (1 - 折扣) + 附加费 × 2
  否则 单价 × 数量 × (1 - 折扣) + 附加费

输出 大宗：是否 = 若 数量 > 50吨 则 是 否则 否    依据 第七条

例 一级五吨：
  日期：2024年6月1日
  级别 = 一级
  数量 = 5吨
  加急 = 否
  期望 费用 = 55元

例 三级二十吨加急：
  日期：2025年6月1日
  级别 = 三级
  数量 = 20吨
  加急 = 是
  期望 费用 = 556元
"""

# By hand, from the two examples:
#   branches  费用: 若 加急 (example 2), 否则 (example 1); 大宗 is never asked for: 则/否则 missed  -> 2/4
#   bands     折扣: 不满10吨 (1), 10吨以上 不满100吨 (2); 100吨以上 missed                        -> 2/3
#   rows      单价: 一级 (1), 其他 (2: 三级); 二级 missed                                          -> 2/3
#   versions  附加费: 2024 (1), 2025 (2)                                                           -> 2/2
#   articles  第一条 … 第七条 are cited; 第七条 (大宗 only) is never exercised                       -> 6/7
#   total                                                                                        -> 14/19
EXPECTED = {"branches": (2, 4), "bands": (2, 3), "rows": (2, 3), "versions": (2, 2), "articles": (6, 7)}


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIZE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def fee(tmp_path: Path) -> Path:
    path = tmp_path / "fee.rule"
    path.write_text(FEE, encoding="utf-8")
    return path


def test_counts_by_hand(fee: Path) -> None:
    report = testing.run([str(fee)], coverage=True)
    assert report.failed == 0 and report.passed == 2
    (cov,) = coverage.from_report(report)
    assert {cat: (c.covered, c.total) for cat, c in cov.counts.items()} == EXPECTED
    assert (cov.total.covered, cov.total.total) == (14, 19)
    assert cov.total.percent == Decimal("73.7")
    missed = {(m.category, m.owner, m.label) for m in cov.missed}
    assert missed == {("branches", "大宗", "则"), ("branches", "大宗", "否则"), ("bands", "折扣", "100吨以上"),
                      ("rows", "单价", "二级"), ("articles", "", "第七条")}


EQUAL_SUBTREES = """\
文件：
  标题：《名额办法》
  文号：测政发〔2024〕3号
  施行日期：2024年1月1日

输入 退休：是否
输出 名额：整数 = (若 退休 则 1 否则 0) + (若 退休 则 1 否则 0)

例 退休：
  日期：2024年6月1日
  退休 = 是
  期望 名额 = 2

例 在职：
  日期：2024年6月1日
  退休 = 否
  期望 名额 = 0
"""


def test_equal_subtrees_count_separately(tmp_path: Path) -> None:
    # Two equal 若 expressions are two places a drafter can get wrong: each has its own
    # 则 and 否则 (node ids, not object identity, which Python may share between equal constants).
    path = tmp_path / "quota.rule"
    path.write_text(EQUAL_SUBTREES, encoding="utf-8")
    report = testing.run([str(path)], coverage=True)
    assert report.failed == 0 and report.passed == 2
    (cov,) = coverage.from_report(report)
    assert (cov.counts["branches"].covered, cov.counts["branches"].total) == (4, 4)
    one = tmp_path / "one" / "quota.rule"
    one.parent.mkdir()
    one.write_text(EQUAL_SUBTREES.split("例 在职")[0], encoding="utf-8")
    (cov,) = coverage.from_report(testing.run([str(one)], coverage=True))
    assert (cov.counts["branches"].covered, cov.counts["branches"].total) == (2, 4)
    assert {(m.owner, m.label) for m in cov.missed} == {("名额", "否则")}


def test_no_coverage_unless_asked(fee: Path) -> None:
    report = testing.run([str(fee)])
    assert report.coverage is None
    assert coverage.from_report(report)[0].total.covered == 0


def test_interpreter_records_only_when_given_a_set(fee: Path) -> None:
    report = testing.run([str(fee)])
    policy = report.policies[str(fee)]
    data = {"级别": "二级", "数量": "150", "加急": True}
    hits: set[tuple[object, ...]] = set()
    on = datetime.date(2024, 6, 1)
    assert policy.interpret(data, on, coverage=hits) == policy.interpret(data, on) == policy.evaluate(data, on)
    cov = coverage.measure(str(fee), policy.definitions, {s["name"]: s for s in policy.module.INPUTS}, hits)
    assert (cov.counts["rows"].covered, cov.counts["bands"].covered, cov.counts["branches"].covered) == (1, 1, 2)
    assert ("def", "费用") in hits and ("input", "加急") in hits


def test_examples_that_expect_errors_count_what_ran_before_the_error(tmp_path: Path) -> None:
    path = tmp_path / "gap.rule"
    path.write_text("""\
文件：
  标题：《空档办法》
  文号：测政发〔2024〕3号
  施行日期：2024年1月1日

输入 数量：数量（吨）   依据 第一条
输入 加急：是否         依据 第二条

表 费率：金额/吨 按 数量 分段   依据 第一条
  不满10吨：1元/吨

输出 费用：金额                 依据 第二条
  若 加急 则 费率 × 数量 × 2
  否则 费率 × 数量

例 超出分段：
  日期：2024年6月1日
  数量 = 20吨
  加急 = 是
  期望 错误
""", encoding="utf-8")
    report = testing.run([str(path)], coverage=True)
    assert report.failed == 0
    (cov,) = coverage.from_report(report)
    # 费率 is needed on both branches, so every engine computes it first (see ir.strict_needs):
    # its error comes before the 若 is decided, and no branch ran.
    assert (cov.counts["branches"].covered, cov.counts["branches"].total) == (0, 2)
    assert (cov.counts["bands"].covered, cov.counts["bands"].total) == (0, 1)
    assert ("input", "数量") in report.coverage[str(path)]


def test_cli_text(fee: Path) -> None:
    result = CliRunner().invoke(main, ["test", str(fee), "--coverage"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == "例子：2 个通过，0 个失败"  # CI reads this closing line
    assert any(line.startswith("  分支（若/否则）") and line.endswith("2/4 (50.0%)") for line in lines)
    assert any(line.startswith("  分段") and line.endswith("2/3 (66.7%)") for line in lines)
    assert any(line.startswith("  条款") and line.endswith("6/7 (85.7%)") for line in lines)
    assert any(line.startswith("  合计") and line.endswith("14/19 (73.7%)") for line in lines)
    assert "总覆盖率 14/19 (73.7%)" in lines
    verbose = CliRunner().invoke(main, ["test", str(fee), "--coverage", "-v"])
    assert "    表行 「单价」二级" in verbose.output.splitlines()


def test_cli_json(fee: Path) -> None:
    result = CliRunner().invoke(main, ["test", str(fee), "--coverage", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (entry,) = data["coverage"]["files"]
    assert {cat: (entry[cat]["covered"], entry[cat]["total"]) for cat in EXPECTED} == EXPECTED
    assert entry["total"] == {"covered": 14, "total": 19, "percent": 73.7}
    assert data["coverage"]["total"]["percent"] == 73.7 and data["coverage"]["ok"] is True
    assert {"category": "rows", "definition": "单价", "label": "二级"} in entry["missed"]
    plain = json.loads(CliRunner().invoke(main, ["test", str(fee), "--format", "json"]).output)
    assert "coverage" not in plain


def test_min_coverage(fee: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["test", str(fee), "--min-coverage", "70"]).exit_code == 0
    low = runner.invoke(main, ["test", str(fee), "--min-coverage", "80"])
    assert low.exit_code == 1 and "低于要求的 80%" in low.output
    data = json.loads(runner.invoke(main, ["test", str(fee), "--min-coverage", "80", "--format", "json"]).output)
    assert data["coverage"]["ok"] is False and data["coverage"]["min_coverage"] == 80
    assert runner.invoke(main, ["test", str(fee), "--min-coverage", "101"]).exit_code == 2


def test_corpus_coverage_runs() -> None:
    root = Path(__file__).resolve().parent.parent / "policies"
    report = testing.run([str(root)], coverage=True)
    files = {Path(f.file).name: f for f in coverage.from_report(report)}
    textile = files["textile_2024.rule"]
    assert textile.total.total > 0 and textile.counts["versions"].covered == textile.counts["versions"].total
