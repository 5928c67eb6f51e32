"""guize diff: structural and behavioural comparison of two versions of the rules."""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import guize
from guize.cli import main
from guize.tools import diff as D

CORPUS = Path(__file__).resolve().parent.parent / "policies" / "xinjiang"
COTTON_OLD = "自2024年9月1日起：200元/吨"
D0901, D0930, D1001 = datetime.date(2024, 9, 1), datetime.date(2024, 9, 30), datetime.date(2024, 10, 1)


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIZE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(CORPUS, target)
    return target


def _doc(report: dict, docno: str) -> dict:
    return next(d for d in report["documents"] if d["docno"] == docno)


def _behaviour(doc: dict, output: str) -> dict:
    return next(b for b in doc["behaviour"] if b["output"] == output)


def _differs(policy_old: guize.Policy, policy_new: guize.Policy, data: dict, on: datetime.date,
             output: str) -> bool:
    return D.outcome_key(D.outcome(policy_old, data, on, output)) != \
        D.outcome_key(D.outcome(policy_new, data, on, output))


# ---------------------------------------------------------------- the cotton freight subsidy


def test_file_vs_file_reports_changed_rate_from_its_date(tmp_path: Path) -> None:
    old = tmp_path / "old.rule"
    new = tmp_path / "new.rule"
    shutil.copy(CORPUS / "textile_2024.rule", old)
    shutil.copy(CORPUS / "textile_2024.rule", new)
    _edit(new, COTTON_OLD, "自2024年9月1日起：150元/吨")

    report = D.run(str(old), str(new))

    assert report["changed"] is True
    doc = _doc(report, "新政办发〔2024〕16号")
    [param] = doc["definitions"]
    assert param["name"] == "出疆棉运费补贴标准"
    [row] = param["rows"]
    assert (row["from"], row["to"]) == (D0901, None)
    assert (row["old"], row["new"]) == (200, 150)
    assert (row["old_text"], row["new_text"]) == ("200元/吨", "150元/吨")
    # Only the output that uses the rate is compared; its rules alone changed.
    assert [b["output"] for b in doc["behaviour"]] == ["出疆棉运费补贴"]
    b = doc["behaviour"][0]
    assert b["method"] == "full"
    [region] = b["regions"]
    assert (region["from"], region["to"]) == (D0901, datetime.date(2027, 12, 31))
    assert region["kinds"] == ["ok→ok"]
    by_qty = {e["inputs"]["出疆棉数量"]: e for e in region["examples"] if e["date"] == D0901}
    hundred = by_qty[Decimal(100)]
    assert (hundred["old"], hundred["new"], hundred["delta"]) == (Decimal("20000"), Decimal("15000"),
                                                                   Decimal("-5000"))
    # Every example is a real evaluation at its date: delta = 50元 per 吨 less.
    for e in region["examples"]:
        assert e["delta"] == -50 * Decimal(e["inputs"]["出疆棉数量"])
        assert e["date"] in (D0901, datetime.date(2027, 12, 31))
    [axis] = region["axes"]
    assert axis["input"] == "出疆棉数量"
    assert axis["intervals"] == [{"from": Decimal("0.01"), "to": None, "change": "减少"}]


def test_dir_vs_dir_moved_date_reports_september_only(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "old"), _copy(tmp_path, "new")
    _edit(new / "textile_2024.rule", COTTON_OLD, "自2024年10月1日起：200元/吨")

    report = D.run(str(old), str(new))

    assert report["summary"]["changed"] == 1
    doc = _doc(report, "新政办发〔2024〕16号")
    assert doc["old_path"] == doc["new_path"] == "textile_2024.rule"
    [row] = doc["definitions"][0]["rows"]
    assert (row["from"], row["to"], row["old"], row["new"]) == (D0901, D0930, 200, 300)
    [region] = _behaviour(doc, "出疆棉运费补贴")["regions"]
    assert (region["from"], region["to"]) == (D0901, D0930)
    assert {e["date"] for e in region["examples"]} == {D0901, D0930}
    for e in region["examples"]:
        assert e["new"] - e["old"] == 100 * Decimal(e["inputs"]["出疆棉数量"])
    # The region's edges are exact: the day before and the day after agree.
    p_old = guize.load(old / "textile_2024.rule")
    p_new = guize.load(new / "textile_2024.rule")
    data = {"出疆棉数量": 100}
    assert not _differs(p_old, p_new, data, datetime.date(2024, 8, 31), "出疆棉运费补贴")
    assert _differs(p_old, p_new, data, D0901, "出疆棉运费补贴")
    assert _differs(p_old, p_new, data, D0930, "出疆棉运费补贴")
    assert not _differs(p_old, p_new, data, D1001, "出疆棉运费补贴")


# ---------------------------------------------------------------- the outpatient cap


def test_outpatient_cap_change_reports_level_and_cost_region(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "old"), _copy(tmp_path, "new")
    _edit(new / "outpatient_2024.rule", "  二级：800元", "  二级：900元")

    report = D.run(str(old), str(new))

    doc = _doc(report, "新政办发〔2024〕13号")
    [table] = doc["definitions"]
    assert table["name"] == "单次最高支付限额" and table["kind"] == "table"
    assert [(r["row"], r["old_text"], r["new_text"]) for r in table["rows"]] == [(["二级"], "800元", "900元")]
    # 起付标准 and 支付比例 do not depend on the cap: not compared.
    assert [b["output"] for b in doc["behaviour"]] == ["统筹基金支付"]
    b = doc["behaviour"][0]
    [region] = b["regions"]
    assert (region["from"], region["to"]) == (datetime.date(2024, 4, 26), datetime.date(2029, 4, 25))
    assert region["whole_window"] is True
    for e in region["examples"]:
        assert e["inputs"]["医院级别"] == "二级"
        assert e["inputs"]["住院期间"] is False
        assert e["old"] == Decimal(800) and Decimal(0) < e["delta"] <= Decimal(100)
    axes = {a["input"]: a for a in region["axes"]}
    assert axes["医院级别"]["values"] == ["二级"]
    assert axes["住院期间"]["values"] == ["否", "（不提供）"]  # left out, the default 否 applies
    # The cost threshold is exact to the 分: one cent less and the results agree.
    [cost] = axes["本次费用"]["intervals"]
    assert cost["to"] is None
    first = dict(region["examples"][0]["inputs"])
    p_old = guize.load(old / "outpatient_2024.rule")
    p_new = guize.load(new / "outpatient_2024.rule")
    on = region["examples"][0]["date"]
    assert _differs(p_old, p_new, {**first, "本次费用": cost["from"]}, on, "统筹基金支付")
    assert not _differs(p_old, p_new, {**first, "本次费用": cost["from"] - Decimal("0.01")}, on, "统筹基金支付")
    markdown = D.render_markdown(report)
    assert "| 表「单次最高支付限额」 | 二级 | — | 800元 | 900元 |" in markdown
    assert "  - 医院级别：二级" in markdown


# ---------------------------------------------------------------- git revisions


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=guize", "-c", "user.email=guize@example.invalid",
                    "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True, capture_output=True)


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    shutil.copytree(CORPUS, repo / "policies" / "xinjiang")
    (repo / "README").write_text("x\n", encoding="utf-8")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "one")
    _edit(repo / "policies" / "xinjiang" / "textile_2024.rule", COTTON_OLD, "自2024年9月1日起：150元/吨")
    _git(repo, "commit", "-q", "-a", "-m", "two")
    return repo


def test_git_revisions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path)

    report = D.run("HEAD~1", "HEAD", ["policies"], cwd=str(repo))

    assert report["old"]["kind"] == "git" and report["old"]["label"].startswith("HEAD~1（")
    assert report["new"]["files"] == len(list(CORPUS.glob("*.rule")))  # the local example compiles with its base
    doc = _doc(report, "新政办发〔2024〕16号")
    assert doc["new_path"] == "policies/xinjiang/textile_2024.rule"
    [region] = _behaviour(doc, "出疆棉运费补贴")["regions"]
    assert region["from"] == D0901

    # Through the command, with the default path (policies) from the repository root.
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["diff", "HEAD~1", "HEAD"])
    assert result.exit_code == 1, result.output
    assert "2024年9月1日至2027年12月31日" in result.output
    same = CliRunner().invoke(main, ["diff", "HEAD", "HEAD", "policies/xinjiang/outpatient_2024.rule"])
    assert same.exit_code == 0, same.output
    assert "没有差异" in same.output


def test_git_revision_with_compile_error_is_trouble(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path)
    _edit(repo / "policies" / "xinjiang" / "outpatient_2024.rule", "  二级：800元", "  二级：800元元")
    _git(repo, "commit", "-q", "-a", "-m", "broken")
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["diff", "HEAD~1", "HEAD"])
    assert result.exit_code == 2
    assert "HEAD:policies/xinjiang/outpatient_2024.rule" in result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- command: formats and exit codes


@pytest.fixture
def cotton(tmp_path: Path) -> tuple[Path, Path]:
    old, new = _copy(tmp_path, "old"), _copy(tmp_path, "new")
    _edit(new / "textile_2024.rule", COTTON_OLD, "自2024年9月1日起：150元/吨")
    return old, new


def test_json_output(cotton: tuple[Path, Path]) -> None:
    old, new = cotton
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output, parse_float=Decimal)
    assert set(data) == {"old", "new", "budget", "changed", "summary", "documents"}
    assert data["summary"]["documents"] >= 5
    assert {k: data["summary"][k] for k in ("changed", "added", "removed")} == {"changed": 1, "added": 0,
                                                                                 "removed": 0}
    [doc] = data["documents"]
    assert set(doc) >= {"key", "name", "status", "metadata", "inputs", "definitions", "outputs", "examples",
                        "behaviour"}
    b = doc["behaviour"][0]
    assert b["evaluations"] <= b["budget"] == 20000
    region = b["regions"][0]
    assert region["from"] == "2024-09-01" and region["to"] == "2027-12-31"
    example = next(e for e in region["examples"] if e["inputs"]["出疆棉数量"] == 100)
    assert example["old"] == Decimal("20000.00") and example["delta"] == Decimal("-5000.00")
    assert example["old_text"] == "20000.00元" and example["delta_text"] == "-5000.00元"


def test_markdown_output(cotton: tuple[Path, Path]) -> None:
    old, new = cotton
    result = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 1
    md = result.output
    assert md.startswith("## 规则变更：")
    assert "| 参数「出疆棉运费补贴标准」 | — | 自2024年9月1日起 | 200元/吨 | 150元/吨 |" in md
    assert "#### 输出「出疆棉运费补贴」：金额（元）" in md
    assert "检查方法：全组合" in md
    assert "- **2024年9月1日至2027年12月31日**" in md
    assert "| 出疆棉数量=100吨 | 20000.00元 | 15000.00元 | -5000.00元 |" in md


def test_text_output_and_output_file(cotton: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = cotton
    target = tmp_path / "out" / "diff.txt"
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "--format", "text", "--output", str(target)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"已写出 {target}：有差异（1 份文件）" in result.stderr
    text = target.read_text(encoding="utf-8")
    assert "|" not in text and "**" not in text
    assert "出疆棉运费补贴标准" in text and "200元/吨  150元/吨" in text


def test_output_is_deterministic(cotton: tuple[Path, Path]) -> None:
    old, new = cotton
    first = CliRunner().invoke(main, ["diff", str(old), str(new), "--format", "json"]).output
    second = CliRunner().invoke(main, ["diff", str(old), str(new), "--format", "json"]).output
    assert first == second


def test_no_difference(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "old"), _copy(tmp_path, "new")
    # A comment is not a difference.
    _edit(new / "textile_2024.rule", "输出 出疆棉运费补贴：", "# 注释\n输出 出疆棉运费补贴：")
    result = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert "没有差异" in result.output
    assert D.run(str(old), str(new))["documents"] == []


@pytest.mark.parametrize("args", [["nope", "nope2"], ["HEAD", "{old}"], ["{old}", "{new}", "policies"],
                                  ["{old}", "{file}"]])
def test_usage_errors(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = _copy(tmp_path, "old"), _copy(tmp_path, "new")
    repo = _repo(tmp_path)
    monkeypatch.chdir(repo)
    subs = {"{old}": str(old), "{new}": str(new), "{file}": str(new / "textile_2024.rule")}
    result = CliRunner().invoke(main, ["diff", *(subs.get(a, a) for a in args)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_budget_is_respected(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "old"), _copy(tmp_path, "new")
    _edit(new / "outpatient_2024.rule", "  二级：800元", "  二级：900元")
    report = D.run(str(old), str(new), budget=300)
    b = _behaviour(_doc(report, "新政办发〔2024〕13号"), "统筹基金支付")
    assert b["method"] == "pairwise" and b["truncated"] is True
    assert b["evaluations"] <= 300
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "--budget", "0"])
    assert result.exit_code == 2


# ---------------------------------------------------------------- metadata, validity, documents


def test_validity_change_is_reported_for_every_output(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "old"), _copy(tmp_path, "new")
    _edit(new / "textile_2024.rule", "截止日期：2027年12月31日", "截止日期：2026年12月31日")
    report = D.run(str(old), str(new))
    doc = _doc(report, "新政办发〔2024〕16号")
    fields = {m["field"]: m for m in doc["metadata"]}
    assert fields["end"]["old"] == datetime.date(2027, 12, 31)
    assert fields["end"]["new"] == datetime.date(2026, 12, 31)
    assert "validity" in fields
    assert len(doc["behaviour"]) == 19
    for b in doc["behaviour"]:
        assert b["rules_changed"] is False and b["window_changed"] is True
        [region] = b["regions"]
        assert (region["from"], region["to"]) == (datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
        assert region["kinds"] == ["ok→nif"]
    md = D.render_markdown(report)
    assert "#### 规则未变、只因有效期改变的输出" in md
    assert "- **2027年1月1日至2027年12月31日**（新版不在有效期）" in md


def test_added_and_removed_documents_inputs_and_examples(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "old"), _copy(tmp_path, "new")
    (new / "outpatient_2021.rule").unlink()
    _edit(new / "outpatient_2024.rule", "输入 住院期间：是否，默认 否", "输入 住院期间：是否，默认 是")
    with (new / "outpatient_2024.rule").open("a", encoding="utf-8") as fh:
        fh.write("\n例 「新增的例子」：\n  日期：2025年3月1日\n  医院级别 = 一级\n  退休人员 = 否\n"
                 "  本次费用 = 100元\n  住院起付线 = 400元\n  本年已就诊次数 = 0\n  本年已支付 = 0元\n"
                 "  期望 统筹基金支付 = 48元\n")
    report = D.run(str(old), str(new))
    removed = next(d for d in report["documents"] if d["status"] == "removed")
    assert removed["docno"] == "新政办发〔2021〕115号"
    doc = _doc(report, "新政办发〔2024〕13号")
    [inp] = doc["inputs"]
    assert inp["name"] == "住院期间"
    assert [(f["label"], f["old_text"], f["new_text"]) for f in inp["fields"]] == [("默认值", "否", "是")]
    assert doc["examples"]["added"] == ["新增的例子"] and doc["examples"]["removed"] == []
    assert doc["examples"]["new"] == doc["examples"]["old"] + 1
    # A changed default is a behaviour for callers who leave the input out: 住院期间 是 pays nothing.
    [region] = _behaviour(doc, "统筹基金支付")["regions"]
    assert region["examples"]
    for e in region["examples"]:
        assert e["omitted"] == ["住院期间"] and "住院期间" not in e["inputs"]
        assert e["new"] == 0 and e["old"] > 0
    axes = {a["input"]: a for a in region["axes"]}
    assert axes["住院期间"]["values"] == ["（不提供）"]


def test_pairing_by_docno_across_renamed_files(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "old"), _copy(tmp_path, "new")
    (new / "textile_2024.rule").rename(new / "textile.rule")
    report = D.run(str(old), str(new))
    assert report["changed"] is False


def test_a_declaration_change_alone_is_reported(tmp_path: Path) -> None:
    # 可为负 and 可作输入 change no formula; the diff still names them (and what they changed).
    head = "文件：\n  标题：《声明变更》\n  文号：测试〔2024〕1号\n  施行日期：2024年1月1日\n\n"
    old, new = tmp_path / "old", tmp_path / "new"
    for folder, negative, given in ((old, "", ""), (new, "，可为负", "，可作输入")):
        folder.mkdir()
        (folder / "a.rule").write_text(
            head + f"输入 收入：金额{negative}\n输入 成本：金额\n输入 出生日期：日期\n"
            f"定义 实足年龄：年龄{given} = 年龄(出生日期，评估日期)\n"
            f"输出 利润：金额{negative} = 收入 - 成本\n输出 年龄数：年龄 = 实足年龄\n", encoding="utf-8")
    doc = _doc(D.run(str(old), str(new)), "测试〔2024〕1号")
    inputs = {i["name"]: i for i in doc["inputs"]}
    assert [(f["label"], f["old_text"], f["new_text"]) for f in inputs["收入"]["fields"]] == [("可为负", "否", "是")]
    notes = {d["name"]: d["notes"] for d in doc["definitions"]}
    assert notes["利润"] == ["可为负：否 → 是"]
    assert notes["实足年龄"] == ["可作输入：否 → 是"]
    text = CliRunner().invoke(main, ["diff", str(old), str(new)]).output
    assert "可为负：否 → 是" in text and "可作输入：否 → 是" in text
