"""Explanations for people: the worksheet in text, Markdown and HTML (guize.runtime.explain)."""

from __future__ import annotations

import datetime
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

import guize
from guize.cli import main
from guize.runtime.explain import render

ROOT = Path(__file__).resolve().parent.parent
OUTPATIENT = ROOT / "policies/xinjiang/outpatient_2024.rule"
DATA = json.loads((ROOT / "examples/outpatient.json").read_text(encoding="utf-8"))
ON = datetime.date(2025, 3, 1)


@pytest.fixture(scope="module")
def policy() -> guize.Policy:
    return guize.load(OUTPATIENT)


def test_markdown_reads_like_a_worksheet(policy: guize.Policy) -> None:
    md = render(policy.explain(DATA, on=ON, outputs=["起付标准", "统筹基金支付"]), "markdown", policy.document)
    lines = md.splitlines()
    assert lines[0] == "# 《新疆维吾尔自治区职工基本医疗保险门诊共济保障实施办法》（新政办发〔2024〕13号）"
    assert lines[2] == "计算日期：2025年3月1日。适用的规定：自2024年4月26日起施行，至2029年4月25日止。"
    assert "| 统筹基金支付 | 600.00元 | 第十四条第一款 |" in lines
    assert "| 住院期间 | 否 | 依据 第十九条；未提供，取默认值 |" in lines
    # The branch by its condition, with the value that decided it.
    assert "   - 「本年已就诊次数 = 0次」不成立（1次 = 0次）" in lines
    assert "   - 「退休人员」成立（是）" in lines
    assert "   - 医院级别为「二级」，按表中「二级」一行" in lines
    # Formulas as written, then with the values and their units.
    assert "   - 住院起付线 × 再次就诊起付比例 = 600元 × 5% = 30元" in lines
    assert "   - 基本支付比例 + (若 退休人员 则 退休人员倾斜 否则 0个百分点) = 70% + 5个百分点 = 75%" in lines
    assert ("   - 取较小值(取较大值(本次费用 - 起付标准，0元) × 支付比例，单次最高支付限额，年度剩余限额) = "
            "取较小值(取较大值(1860.50元 - 30.00元，0元) × 75%，800元，600元) = 600元") in lines
    # Caps named as caps, with the one that applied.
    assert ("   - 最高不超过「单次最高支付限额」800元、「年度剩余限额」600元：1372.875元 → 600元"
            "（按「年度剩余限额」600元封顶）") in lines
    # Plain words, one date style.
    assert not re.search(r"\[(定义|表|参数|输入|输出)\]", md)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", md)
    # Each step comes after the steps it uses.
    order = [m.group(1) for m in re.finditer(r"^\d+\. \*\*([^：]+)：", md, re.M)]
    assert order.index("起付标准") < order.index("统筹基金支付") and order.index("支付比例") < order.index("统筹基金支付")
    assert order.count("起付标准") == 1


def test_the_issues_formula(tmp_path: Path) -> None:
    """35元/平方米 × 60平方米 = 2100元, and a cap that did not apply says so."""
    rule = tmp_path / "fee.rule"
    rule.write_text("文件：\n  标题：《收费示例》\n  文号：示政发〔2024〕1号\n  施行日期：2024年1月1日\n\n"
                    "输入 面积：数量（平方米）  依据 第二条\n"
                    "参数 单价 = 35元/平方米  依据 第三条\n"
                    "输出 费用：金额 = 取较小值(单价 × 面积，5000元)  依据 第三条\n", encoding="utf-8")
    policy = guize.load(rule)
    text = render(policy.explain({"面积": 60}, on=datetime.date(2024, 6, 1)), "text", policy.document)
    assert text.startswith("《收费示例》（示政发〔2024〕1号）\n计算日期：2024年6月1日。")
    assert "取较小值(单价 × 面积，5000元) = 取较小值(35元/平方米 × 60平方米，5000元) = 2100元" in text
    assert "最高不超过5000元：2100元 → 2100元（未超过）" in text
    assert "  面积：60平方米（依据 第二条）" in text


def test_dated_versions_and_bands_in_plain_words() -> None:
    policy = guize.load(ROOT / "policies/xinjiang/textile_2024.rule")
    exp = policy.explain({"出疆棉数量": 10}, on=datetime.date(2024, 10, 1), outputs=["出疆棉运费补贴"])
    text = render(exp, "text", policy.document)
    assert "     适用2024年9月1日起的规定\n" in text
    assert "出疆棉运费补贴标准 × 出疆棉数量 = 200元/吨 × 10吨 = 2000元" in text


class _Checker(HTMLParser):
    VOID = frozenset({"meta", "br", "hr", "img", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_worksheet_ends_with_the_laws_own_words(policy: guize.Policy) -> None:
    """Each passage cited by a step, from the file's 原文 blocks, once, in the order of the law."""
    exp = policy.explain(DATA, on=ON, outputs=["统筹基金支付"])
    md = render(exp, "markdown", policy.document)
    law = md[md.index("## 依据的条文"):]
    heads = re.findall(r"^\*\*(.+)\*\*$", law, re.M)
    assert heads == ["第十四条第一款", "第十四条第二款", "第十四条第三款", "第十九条"]
    assert "> 参保人员已办理门诊慢特病的，优先按门诊慢特病政策予以保障" in law
    assert law.count("> 普通门诊统筹基金单次起付标准原则上按照同级医疗机构首次住院起付线的10%确定") == 1
    text = render(exp, "text", policy.document)
    assert "依据的条文：\n  第十四条第一款：\n    职工医保参保人员在定点医疗机构普通门诊" in text
    page = render(exp, "html", policy.document)
    assert "<h2>依据的条文</h2>" in page and "<p><strong>第十九条</strong></p>" in page
    # a document that keeps no text: no section
    assert "依据的条文" not in render(exp, "markdown", {k: v for k, v in policy.document.items() if k != "articles"})


def test_html_is_well_formed_and_says_the_same(policy: guize.Policy) -> None:
    exp = policy.explain({**DATA, "医院级别": "三级"}, on=ON, outputs=["统筹基金支付"])
    page = render(exp, "html", policy.document)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.stack == []
    shown = "".join(checker.text)
    md = render(exp, "markdown", policy.document)
    for line in md.splitlines():
        if line.startswith("   - "):
            assert line[5:].replace("\\", "") in shown


def test_text_keeps_what_the_tree_said(policy: guize.Policy) -> None:
    """Every step's name, value, citation and note of the auditor's tree is in the worksheet."""
    exp = policy.explain(DATA, on=ON, outputs=["起付标准", "支付比例", "统筹基金支付"])
    text = render(exp, "text", policy.document)
    tree = exp.render()

    def steps(step):  # type: ignore[no-untyped-def]
        yield step
        for child in step.children:
            yield from steps(child)

    for top in exp.steps:
        for s in steps(top):
            assert s.name in text
            for article in s.cite:
                assert article in text
            for note in s.other_notes:
                assert note in text
            if s.equation:
                assert s.equation in text and f"算式：{s.equation}" in tree


def test_unknown_format(policy: guize.Policy) -> None:
    with pytest.raises(ValueError, match="未知的格式「pdf」"):
        render(policy.explain(DATA, on=ON, outputs=["起付标准"]), "pdf")


def test_eval_format_markdown_and_html() -> None:
    runner = CliRunner()
    args = ["eval", str(OUTPATIENT), "--date", "2025-03-01", "--input", str(ROOT / "examples/outpatient.json"),
            "--output", "统筹基金支付"]
    md = runner.invoke(main, [*args, "--explain", "--format", "markdown"])
    assert md.exit_code == 0 and md.stdout.startswith("# 《新疆维吾尔自治区职工基本医疗保险门诊共济保障实施办法》")
    page = runner.invoke(main, [*args, "--format", "html"])  # html implies --explain
    assert page.exit_code == 0 and page.stdout.startswith("<!DOCTYPE html>") and "600.00元" in page.stdout
    text = runner.invoke(main, [*args, "--explain"])
    assert text.exit_code == 0 and json.loads(text.stdout) == {"统筹基金支付": 600.00}
    assert text.stderr.startswith("《新疆维吾尔自治区职工基本医疗保险门诊共济保障实施办法》（新政办发〔2024〕13号）\n")
    bad = runner.invoke(main, [*args[:-2], "--output", "无此项", "--format", "markdown"])
    assert bad.exit_code == 1 and bad.stdout == "" and bad.stderr.startswith("错误：")
