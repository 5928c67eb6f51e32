"""guize doc: the static site of policies/ — well-formed pages, every link resolves, citations
linked both ways, the law's text beside each citation, a timeline picture per document, the examples
as tables, the same bytes twice. (Restored: the merge of issue 17 had replaced this file.)"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from guize.cli import main
from guize.tools.site import build

ROOT = Path(__file__).resolve().parent.parent
VOID = frozenset({"meta", "link", "br", "hr", "img", "input", "line", "rect"})


class Page(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.hrefs.append(str(found["href"]))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-3:])
        self.stack.pop()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build([str(ROOT / "policies")], out)
    return out


def test_every_page_is_well_formed_and_every_link_resolves(site: Path) -> None:
    pages = {p.name: Page(p.read_text(encoding="utf-8")) for p in site.glob("*.html")}
    assert len(pages) == len(list((ROOT / "policies").rglob("*.rule"))) + 1
    for name, page in pages.items():
        assert page.stack == [], name
        assert len(page.ids) == len(set(page.ids)), (name, [i for i in page.ids if page.ids.count(i) > 1])
        for href in page.hrefs:
            target, _, fragment = href.partition("#")
            target = target or name
            assert target in pages, (name, href)
            assert not fragment or fragment in pages[target].ids, (name, href)
    assert (site / "style.css").is_file()


def test_citations_are_linked_both_ways(site: Path) -> None:
    text = (site / "outpatient_2024.html").read_text(encoding="utf-8")
    cited = set(re.findall(r'<a class="cite" href="#art-([^"]+)">', text))
    assert "第十四条第二款" in cited and "第十九条" in cited
    for article in cited:
        entry = re.search(rf'<dt id="art-{re.escape(article)}">[^<]*</dt><dd>(.*?)</dd>', text)
        assert entry, article
        for line in re.findall(r'href="#L(\d+)"', entry.group(1).split("依据此条的规则：")[1]):
            assert re.search(rf'id="L{line}".*?href="#art-{re.escape(article)}"', text), (article, line)
    # A 文号 names another file of the corpus: it links to that file's page.
    assert '<a class="docno" href="outpatient_2021.html">新政办发〔2021〕115号</a>' in text
    # Names link to their declaration.
    assert '<a class="name" href="#def-起付标准">起付标准</a>' in text and 'id="def-起付标准"' in text


def test_articles_text_beside_each_citation(site: Path) -> None:
    """The article index quotes the cited paragraph from the file's 原文 and links to the block;
    the 原文 heading is not counted as a citation; the text in the rules is marked as law."""
    text = (site / "outpatient_2024.html").read_text(encoding="utf-8")
    entry = re.search(r'<dt id="art-第十四条第二款">[^<]*</dt><dd>(.*?)</dd>', text)
    assert entry is not None
    quote = entry.group(1)
    assert quote.startswith('<blockquote class="law"><p>普通门诊统筹基金单次起付标准原则上按照同级医疗机构首次住院起付线的10%确定')
    assert "对符合条件的退休人员继续给予5个百分点的倾斜" not in quote  # the third paragraph is not the second
    block = int(re.search(r'<a href="#L(\d+)">原文</a>', quote).group(1))
    source = (ROOT / "policies/xinjiang/outpatient_2024.rule").read_text(encoding="utf-8").splitlines()
    assert source[block - 1] == "原文 第十四条："
    assert f'href="#L{block}">第 {block} 行' not in text
    assert '<span class="law">参保人员已办理门诊慢特病的' in text
    # a file without 原文 keeps its index as it was
    leave = (site / "annual_leave_2008.html").read_text(encoding="utf-8")
    assert "<dt id=\"art-第三条第一款\">" in leave and 'class="law"' not in leave


def test_timeline_picture(site: Path) -> None:
    text = (site / "textile_2024.html").read_text(encoding="utf-8")
    [svg] = re.findall(r"<svg.*?</svg>", text, re.S)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    bars = root.findall(f"{ns}g")
    titles = [g.find(f"{ns}title").text for g in bars]  # type: ignore[union-attr]
    assert titles[0] == "有效期，2024年1月1日起至2027年12月31日"
    assert "出疆棉运费补贴标准：自2024年9月1日起：200，2024年9月1日起至2027年12月31日" in titles
    rects = [g.find(f"{ns}rect") for g in bars]
    first, second = (r for r, t in zip(rects, titles, strict=True) if t.startswith("出疆棉运费补贴标准"))
    assert first is not None and second is not None
    # The versions follow each other: the second starts where the first ends.
    assert abs(float(first.get("x")) + float(first.get("width")) - float(second.get("x"))) < 1.0


def test_examples_as_tables(site: Path) -> None:
    for rule in (ROOT / "policies").rglob("*.rule"):
        source = rule.read_text(encoding="utf-8")
        examples = len(re.findall(r"^(例|示例|测试)[ \u3000]", source, re.M))
        page = (site / f"{rule.stem}.html").read_text(encoding="utf-8")
        assert page.count('<table class="example">') == examples, rule.name
    page = (site / "outpatient_2024.html").read_text(encoding="utf-8")
    assert "<tr><td>本次费用</td><td>1000元</td></tr>" in page
    assert '<tr><td>统筹基金支付</td><td class="expect">658元</td></tr>' in page


def test_same_bytes_twice_and_the_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["doc", str(ROOT / "policies"), "-o", str(tmp_path / "a")])
    files = len(list((ROOT / "policies").rglob("*.rule")))
    assert result.exit_code == 0 and f"已写出 {files} 个文件的网页" in result.stderr
    build([str(ROOT / "policies")], tmp_path / "b")
    for page in (tmp_path / "a").iterdir():
        assert page.read_bytes() == (tmp_path / "b" / page.name).read_bytes(), page.name
    missing = CliRunner().invoke(main, ["doc", str(tmp_path / "无此目录"), "-o", str(tmp_path / "c")])
    assert missing.exit_code == 1 and "找不到文件或目录" in missing.stderr and not (tmp_path / "c").exists()


def test_calculator_form_follows_the_inputs(site: Path) -> None:
    page = (site / "outpatient_2024.html").read_text(encoding="utf-8")
    assert '<form id="calc" data-page="outpatient_2024.html">' in page
    assert ('<select id="in-0" name="医院级别" data-input data-kind="enum"><option value=""></option>'
            '<option>一级</option><option>二级</option><option>三级</option><option>未定级</option></select>') in page
    assert 'name="退休人员" data-input data-kind="bool"' in page
    assert '<td class="hint">默认 否</td>' in page  # 住院期间，默认 否
    assert 'name="__date" value="2024-04-26"' in page  # the document's first day
    assert (site / "calculator.js").read_text(encoding="utf-8").count("api/evaluate") == 1


def test_files_with_errors_get_pages_that_say_so(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bad.rule").write_text("文件：\n  标题：《坏》\n输出 甲：金额 = (\n", encoding="utf-8")
    (corpus / "gbk.rule").write_bytes("输出 甲：金额 = 0元\n".encode("gbk"))
    result = CliRunner().invoke(main, ["doc", str(corpus), "-o", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    bad = (tmp_path / "site" / "bad.html").read_text(encoding="utf-8")
    assert "<h2>检查发现的错误</h2>" in bad and "bad.rule:3:" in bad
    assert "不是 UTF-8 编码" in (tmp_path / "site" / "gbk.html").read_text(encoding="utf-8")
    for page in (tmp_path / "site").glob("*.html"):
        assert Page(page.read_text(encoding="utf-8")).stack == []
