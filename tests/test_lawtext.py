"""原文 blocks: the law's text beside the rules — grammar, formatter, checker, lint, resolution of
citations, and the corpus's texts checked against the gazette they were copied from."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from guize.compiler.checker import check
from guize.compiler.diagnostics import CompileError
from guize.compiler.parser import parse
from guize.runtime import lawtext
from guize.tools.fmt import format_source
from guize.tools.lint import lint

ROOT = Path(__file__).resolve().parent.parent
GAZETTE = Path("/work/shared/seeds/000_6787d0faba0a791e.txt")

HEAD = "文件：\n  标题：《测试办法》\n  施行日期：2024年1月1日\n\n"
TEXT = HEAD + """\
原文 第十四条：
  普通门诊统筹基金支付，单次超过起付标准的部分按比例支付。  # 第一款
  起付标准按照首次住院起付线的10%确定；年度最高支付限额按4000元确定。
  支付比例如下：
  （一）一级医疗机构80%；
  （二）二级医疗机构70%。

输入 住院起付线：金额  依据 第十四条第二款
参数 比例 = 10%  依据 第十四条第二款
输出 起付标准：金额 = 住院起付线 × 比例  依据 第十四条
输出 一级比例：比率 = 80%  依据 第十四条第三款第（一）项
"""


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIZE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def test_parse_keeps_each_paragraph_verbatim() -> None:
    tree = parse(TEXT, "t.rule")
    [art] = tree.articles
    assert art.article == "第十四条"
    assert art.paragraphs[1] == "起付标准按照首次住院起付线的10%确定；年度最高支付限额按4000元确定。"
    assert art.paragraphs[0].endswith("支付。")  # the comment is not text, the full stop is
    assert art.lines == (6, 7, 8, 9, 10)
    assert [c.text for c in tree.comments] == ["# 第一款"]


def test_keywords_and_symbols_in_the_text_are_text() -> None:
    tree = parse(HEAD + "原文 第一条：\n  输出 若 则 否则 = 《标题》（一）@ 【】\n\n输出 甲：金额 = 1元  依据 第一条\n", "t.rule")
    assert tree.articles[0].paragraphs == ("输出 若 则 否则 = 《标题》（一）@ 【】",)
    assert [d.name for d in tree.definitions] == ["甲"]


def test_formatter_round_trip() -> None:
    messy = TEXT.replace("原文 第十四条：", "原文　第十四条:").replace("  （一）", "    （一）", 1)
    with pytest.raises(CompileError):  # the items must line up with the paragraphs
        parse(messy, "t.rule")
    messy = TEXT.replace("原文 第十四条：", "原文　第十四条:")
    out = format_source(messy, "t.rule")
    assert out == format_source(TEXT, "t.rule") == TEXT
    assert parse(out, "t.rule").articles == parse(TEXT, "t.rule").articles


def test_resolution_of_paragraphs_and_items() -> None:
    held = {"第十四条": parse(TEXT, "t.rule").articles[0].paragraphs}
    second = lawtext.resolve(held, "第十四条第二款")
    assert isinstance(second, lawtext.Passage) and second.lines == (held["第十四条"][1],)
    third = lawtext.resolve(held, "第十四条第三款")
    assert isinstance(third, lawtext.Passage) and len(third.lines) == 3  # the items belong to their paragraph
    item = lawtext.resolve(held, "第十四条第三款第（二）项")
    assert isinstance(item, lawtext.Passage) and item.lines == ("（二）二级医疗机构70%。",)
    assert lawtext.resolve(held, "第十四条第四款") == "第十四条的原文只有三款，没有第四款"
    assert lawtext.resolve(held, "第十四条第（三）项") == "第十四条的原文中没有第（三）项"
    assert lawtext.resolve(held, "第十五条") is None
    assert isinstance(lawtext.resolve(held, "第十四条"), lawtext.Passage)


def test_checker_ties_citations_to_the_text() -> None:
    assert not check(parse(TEXT, "t.rule"), TEXT).diagnostics
    bad = TEXT.replace("依据 第十四条第三款第（一）项", "依据 第十四条第五款")
    [d] = check(parse(bad, "t.rule"), bad).diagnostics
    assert (d.severity, d.code) == ("warning", "W290")
    assert d.message == "依据「第十四条第五款」在原文中找不到：第十四条的原文只有三款，没有第五款"
    assert d.span.line == 15
    # a citation of an article the file holds no text for is not the checker's business
    other = TEXT.replace("依据 第十四条第三款第（一）项", "依据 第二十条")
    assert not check(parse(other, "t.rule"), other).diagnostics


def test_checker_errors_on_a_repeated_or_partial_heading() -> None:
    twice = TEXT + "\n原文 第十四条：\n  又一遍。\n"
    codes = [(d.code, d.span.line) for d in check(parse(twice, "t.rule"), twice).diagnostics]
    assert codes == [("E295", 17)]
    part = HEAD + "原文 第十四条第二款：\n  一款。\n\n输出 甲：金额 = 1元  依据 第十四条\n"
    [d] = check(parse(part, "t.rule"), part).diagnostics
    assert d.code == "E296" and "「第十四条」" in d.message


def test_lint_citations_without_text_and_text_without_citations(tmp_path: Path) -> None:
    path = tmp_path / "t.rule"
    path.write_text(TEXT.replace("依据 第十四条第三款第（一）项", "依据 第二十条") + "\n原文 第三条：\n  无人依据。\n",
                    encoding="utf-8")
    found = [(d.code, d.severity, d.message) for d in lint([str(path)], datetime.date(2025, 1, 1))]
    assert ("L408", "warning", "依据「第二十条」：文件中没有第二十条的原文") in found
    assert ("L409", "info", "第三条的原文没有被任何依据引用") in found
    plain = tmp_path / "plain.rule"  # a file with no 原文 at all: citations are not asked for text
    plain.write_text(HEAD + "输出 甲：金额 = 1元  依据 第二十条\n", encoding="utf-8")
    assert not [d for d in lint([str(plain)], datetime.date(2025, 1, 1)) if d.code in ("L408", "L409")]


def _gazette_articles() -> dict[str, str]:
    """The 实施办法's articles in the gazette text, page breaks joined, paragraphs without breaks."""
    text = GAZETTE.read_text(encoding="utf-8")
    body = text[text.index("**第五条**"):text.index("# 新疆维吾尔自治区人民政府办公厅关于调整优化")]
    out: dict[str, str] = {}
    for m in re.finditer(r"\*\*(第[一二三四五六七八九十]+条)\*\*(.*?)(?=\*\*第|\Z)", body, re.S):
        out[m[1]] = re.sub(r"\s+|## .*", "", m[2])
    return out


@pytest.mark.skipif(not GAZETTE.exists(), reason="the gazette text is not on this machine")
def test_outpatient_texts_are_the_gazettes() -> None:
    tree = parse((ROOT / "policies/xinjiang/outpatient_2024.rule").read_text(encoding="utf-8"), "o.rule")
    gazette = _gazette_articles()
    assert {a.article for a in tree.articles} >= {"第八条", "第九条", "第十四条", "第十七条", "第十九条"}
    for a in tree.articles:
        assert "".join(a.paragraphs) == gazette[a.article], a.article


def test_every_cited_article_of_the_outpatient_file_has_its_text() -> None:
    from guize.compiler import articles
    for name in ("xinjiang/outpatient_2024.rule", "national/severance_2008.rule"):
        tree = parse((ROOT / "policies" / name).read_text(encoding="utf-8"), name)
        held = articles.held(tree)
        for cite, _span in articles.citations(tree):
            assert isinstance(lawtext.resolve(held, cite), lawtext.Passage), (name, cite)


def test_syntax_errors_name_the_new_words() -> None:
    """Expected-token lists say 「原文」 and 一行条文原文, never the terminals' ASCII names."""
    with pytest.raises(CompileError) as top:
        parse(HEAD + "期望 输出 甲：金额 = 1元\n", "t.rule")
    assert "「原文」" in top.value.render() and "TEXT_KW" not in top.value.render()
    with pytest.raises(CompileError) as empty:
        parse(HEAD + "原文 第一条：\n\n输出 甲：金额 = 1元\n", "t.rule")
    assert "缩进" in empty.value.render() and "ARTICLE_LINE" not in empty.value.render()  # the text is missing
