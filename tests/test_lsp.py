"""`guize lsp` through a real client: the server runs as `python -m guize lsp` and every feature is
asked for over stdio in framed JSON-RPC, as an editor would (tests/lsp_client.py)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from lsp_client import Client, LspError

from guize.tools.fmt import format_source

POLICIES = Path(__file__).resolve().parent.parent / "policies"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ws") / "policies"
    shutil.copytree(POLICIES, root)
    return root


@pytest.fixture(scope="module")
def client(root: Path) -> Iterator[Client]:
    c = Client(root)
    c.initialize()
    yield c
    c.close()


def at(text: str, needle: str, nth: int = 0, offset: int = 0) -> dict[str, int]:
    """The LSP position of the nth occurrence of `needle` (plus `offset` characters)."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    index += offset
    line = text.count("\n", 0, index)
    col = index - (text.rfind("\n", 0, index) + 1)
    return {"line": line, "character": col}


def apply(text: str, edits: list[dict]) -> str:
    """Apply LSP text edits (BMP text: UTF-16 units are characters)."""
    lines = text.split("\n")

    def offset(p: dict[str, int]) -> int:
        return sum(len(lines[i]) + 1 for i in range(p["line"])) + p["character"]

    for e in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        text = text[:offset(e["range"]["start"])] + e["newText"] + text[offset(e["range"]["end"]):]
    return text


def doc(uri: str) -> dict[str, dict[str, str]]:
    return {"textDocument": {"uri": uri}}


def test_capabilities(root: Path) -> None:
    c = Client(root)
    try:
        caps = c.initialize()["capabilities"]
    finally:
        c.close()
    for cap in ("hoverProvider", "definitionProvider", "referencesProvider", "completionProvider",
                "documentSymbolProvider", "renameProvider", "documentFormattingProvider", "codeActionProvider",
                "semanticTokensProvider"):
        assert caps.get(cap), cap
    assert "keyword" in caps["semanticTokensProvider"]["legend"]["tokenTypes"]


def test_diagnostics_as_you_type_with_a_quick_fix(client: Client, root: Path) -> None:
    path = root / "xinjiang/outpatient_2024.rule"
    good = path.read_text(encoding="utf-8")
    uri = client.open(path, version=1)
    assert [d for d in client.wait_for("textDocument/publishDiagnostics", uri, 1)["diagnostics"]
            if d["severity"] == 1] == []
    typo = good.replace("住院起付线 × 首次就诊起付比例", "住院起付线 × 首次就诊起付比列")
    client.change(uri, typo, 2)
    diags = client.wait_for("textDocument/publishDiagnostics", uri, 2)["diagnostics"]
    [diag] = [d for d in diags if d["code"] == "E300"]
    assert diag["severity"] == 1 and diag["source"] == "guize"
    assert "未定义的名称「首次就诊起付比列」" in diag["message"] and "建议：是否指「首次就诊起付比例」" in diag["message"]
    assert diag["range"]["start"] == at(typo, "首次就诊起付比列")
    actions = client.request("textDocument/codeAction", {**doc(uri), "range": diag["range"],
                                                         "context": {"diagnostics": [diag]}})
    [action] = actions
    assert action["title"] == "改为「首次就诊起付比例」" and action["kind"] == "quickfix"
    fixed = apply(typo, action["edit"]["changes"][uri])
    assert fixed == good
    client.change(uri, fixed, 3)
    assert not [d for d in client.wait_for("textDocument/publishDiagnostics", uri, 3)["diagnostics"]
                if d["severity"] == 1]


def test_glued_keyword_fix_and_lint_findings(client: Client, root: Path) -> None:
    path = root / "xinjiang/outpatient_2024.rule"
    good = path.read_text(encoding="utf-8")
    uri = client.open(path, version=10)
    client.wait_for("textDocument/publishDiagnostics", uri, 10)
    # A definition nobody uses, with no citation: lint's findings arrive with the checker's.
    text = good + "\n定义 闲置：金额 = 0元\n"
    client.change(uri, text, 11)
    codes = {d["code"] for d in client.wait_for("textDocument/publishDiagnostics", uri, 11)["diagnostics"]}
    assert {"L305", "L401"} <= codes
    glued = good.replace("若 住院期间 则 0元", "若住院期间 则 0元", 1)
    client.change(uri, glued, 12)
    diags = client.wait_for("textDocument/publishDiagnostics", uri, 12)["diagnostics"]
    fixable = [d for d in diags if "关键字" in d["message"]]
    assert fixable, diags
    actions = client.request("textDocument/codeAction", {**doc(uri), "range": fixable[0]["range"],
                                                         "context": {"diagnostics": fixable[:1]}})
    assert actions and apply(glued, actions[0]["edit"]["changes"][uri]) == good
    client.change(uri, good, 13)
    client.wait_for("textDocument/publishDiagnostics", uri, 13)


def test_hover_type_unit_citation_and_dated_versions(client: Client, root: Path) -> None:
    path = root / "xinjiang/textile_2024.rule"
    text = path.read_text(encoding="utf-8")
    uri = client.open(path)
    client.wait_for("textDocument/publishDiagnostics", uri)
    hover = client.request("textDocument/hover", {**doc(uri), "position": at(text, "出疆棉运费补贴标准 ×", 0, 2)})
    value = hover["contents"]["value"]
    assert value.startswith("**出疆棉运费补贴标准**：参数")
    assert "单位：元/吨" in value and "依据：第一项" in value
    assert "2024年1月1日至2024年8月31日：300元/吨" in value and "2024年9月1日起：200元/吨" in value
    cite = client.request("textDocument/hover", {**doc(uri), "position": at(text, "依据 第一项", 0, 4)})
    assert "出疆棉运费补贴标准" in cite["contents"]["value"]
    assert client.request("textDocument/hover", {**doc(uri), "position": {"line": 0, "character": 0}}) is None


def test_diagnostics_in_english_keep_their_quick_fix(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An editor started with GUIZE_LANG=en gets English diagnostics; the quick fix still works."""
    monkeypatch.setenv("GUIZE_LANG", "en")
    client = Client(root)
    try:
        client.initialize()
        path = root / "xinjiang/outpatient_2024.rule"
        typo = path.read_text(encoding="utf-8").replace("住院起付线 × 首次就诊起付比例", "住院起付线 × 首次就诊起付比列")
        uri = client.open(path, version=1)
        client.wait_for("textDocument/publishDiagnostics", uri, 1)
        client.change(uri, typo, 2)
        [diag] = [d for d in client.wait_for("textDocument/publishDiagnostics", uri, 2)["diagnostics"]
                  if d["code"] == "E300"]
        assert diag["message"].startswith("undefined name: '首次就诊起付比列'")
        assert "suggestion: did you mean '首次就诊起付比例'?" in diag["message"]
        [action] = client.request("textDocument/codeAction", {**doc(uri), "range": diag["range"],
                                                              "context": {"diagnostics": [diag]}})
        assert "首次就诊起付比例" in apply(typo, action["edit"]["changes"][uri])
    finally:
        client.close()


def test_hover_shows_the_articles_text(client: Client, root: Path) -> None:
    """A name citing 第十四条第二款 shows that paragraph of the file's 原文 (not the others); a
    citation shows its text; the 原文 block is in the outline and its words are not names."""
    path = root / "xinjiang/outpatient_2024.rule"
    text = path.read_text(encoding="utf-8")
    uri = client.open(path, version=30)
    client.wait_for("textDocument/publishDiagnostics", uri, 30)
    value = client.request("textDocument/hover", {**doc(uri), "position": at(text, "参数 首次就诊起付比例", 0, 3)})
    value = value["contents"]["value"]
    assert "依据：第十四条第二款" in value and "第十四条第二款原文：" in value
    assert "> 普通门诊统筹基金单次起付标准原则上按照同级医疗机构首次住院起付线的10%确定" in value
    assert "对符合条件的退休人员继续给予5个百分点的倾斜" not in value  # that is the third paragraph
    cite = client.request("textDocument/hover", {**doc(uri), "position": at(text, "依据 第十九条", 0, 4)})
    assert "> 参保人员已办理门诊慢特病的" in cite["contents"]["value"]
    symbols = client.request("textDocument/documentSymbol", doc(uri))
    assert {"第十四条", "第十九条", "第十七条", "第九条", "第八条"} <= {s["name"] for s in symbols}
    # 统筹基金 appears in the law's text; as a name it is declared nowhere, and the text is one string token
    refs = client.request("textDocument/references", {**doc(uri), "position": at(text, "统筹基金支付：金额"),
                                                      "context": {"includeDeclaration": True}})
    article_lines, inside = set(), False
    for n, line in enumerate(text.split("\n")):
        if line.strip() and not line.startswith(" "):
            inside = line.startswith("原文 ")
        elif inside and "统筹基金支付" in line:
            article_lines.add(n)
    assert article_lines and not {r["range"]["start"]["line"] for r in refs} & article_lines


def test_definition_and_references(client: Client, root: Path) -> None:
    path = root / "xinjiang/outpatient_2024.rule"
    text = path.read_text(encoding="utf-8")
    uri = client.open(path, version=20)
    client.wait_for("textDocument/publishDiagnostics", uri, 20)
    use = at(text, "起付标准，0元")
    [loc] = client.request("textDocument/definition", {**doc(uri), "position": use})
    assert loc["uri"] == uri and loc["range"]["start"] == at(text, "起付标准：金额")
    refs = client.request("textDocument/references", {**doc(uri), "position": use,
                                                      "context": {"includeDeclaration": True}})
    code = "\n".join(line.split("#")[0] for line in text.split("\n"))
    assert len(refs) == len(re.findall(r"(?<![\u4e00-\u9fff])起付标准(?![\u4e00-\u9fff])", code)) >= 5
    assert {r["range"]["start"]["line"] for r in refs} >= {at(text, "起付标准：金额")["line"],
                                                           at(text, "起付标准，0元")["line"]}
    without = client.request("textDocument/references", {**doc(uri), "position": use,
                                                         "context": {"includeDeclaration": False}})
    assert len(without) == len(refs) - 1
    # Across the folder: the 文号 in 替代 leads to the file that declares it.
    [target] = client.request("textDocument/definition", {**doc(uri), "position": at(text, "新政办发〔2021〕115号")})
    assert target["uri"].endswith("/xinjiang/outpatient_2021.rule")
    other = (root / "xinjiang/outpatient_2021.rule").read_text(encoding="utf-8")
    assert target["range"]["start"] == at(other, "新政办发〔2021〕115号", other.count("新政办发〔2021〕115号", 0,
                                                                              other.index("文号：")))
    mentions = client.request("textDocument/references", {**doc(uri), "position": at(text, "新政办发〔2021〕115号"),
                                                           "context": {"includeDeclaration": True}})
    assert {m["uri"].rsplit("/", 1)[1] for m in mentions} >= {"outpatient_2021.rule", "outpatient_2024.rule"}
    hover = client.request("textDocument/hover", {**doc(uri), "position": at(text, "新政办发〔2021〕115号")})
    assert "《关于印发新疆维吾尔自治区职工基本医疗保险门诊共济保障实施办法的通知》" in hover["contents"]["value"]


def test_completion_symbols_and_semantic_tokens(client: Client, root: Path) -> None:
    path = root / "xinjiang/outpatient_2024.rule"
    text = path.read_text(encoding="utf-8")
    uri = client.open(path, version=30)
    client.wait_for("textDocument/publishDiagnostics", uri, 30)
    items = client.request("textDocument/completion", {**doc(uri), "position": at(text, "住院起付线 ×")})["items"]
    labels = {i["label"]: i for i in items}
    assert labels["起付标准"]["detail"] == "输出" and labels["二级"]["detail"] == "取值（医院级别）"
    assert "取较小值" in labels and "否则" in labels and "依据" in labels
    symbols = client.request("textDocument/documentSymbol", doc(uri))
    names = [(s["name"], s["detail"]) for s in symbols]
    assert names[0] == ("《新疆维吾尔自治区职工基本医疗保险门诊共济保障实施办法》", "文件")
    for entry in (("医院级别", "类型"), ("医院级别", "输入"), ("统筹基金支付", "输出"), ("二级医院首次就诊", "例")):
        assert entry in names
    enum = next(s for s in symbols if s["detail"] == "类型")
    assert [c["name"] for c in enum["children"]] == ["一级", "二级", "三级", "未定级"]
    out = next(s for s in symbols if s["name"] == "起付标准")
    assert out["range"]["start"]["line"] == at(text, "起付标准：金额")["line"]
    assert out["range"]["end"]["line"] == at(text, "否则 住院起付线 × 再次就诊起付比例")["line"]

    legend = ["keyword", "number", "string", "comment", "type", "enumMember", "parameter", "variable", "property",
              "function", "macro", "decorator", "operator"]
    data = client.request("textDocument/semanticTokens/full", doc(uri))["data"]
    decoded = {}
    line = col = 0
    for i in range(0, len(data), 5):
        dl, dc, length, kind, mods = data[i:i + 5]
        line, col = line + dl, (col + dc if dl == 0 else dc)
        decoded[(line, col)] = (legend[kind], mods, length)
    assert decoded[tuple(at(text, "若 本年").values())] == ("keyword", 0, 1)
    assert decoded[tuple(at(text, "起付标准：金额").values())] == ("property", 1, 4)
    assert decoded[tuple(at(text, "本年已就诊次数 = 0").values())][0] == "parameter"
    assert decoded[tuple(at(text, "= 10%", 0, 2).values())][0] == "number"
    assert decoded[tuple(at(text, "第十四条第二款").values())][0] == "decorator"
    assert decoded[tuple(at(text, "取较小值").values())][0] == "function"
    assert decoded[(0, 0)][0] == "comment"


def test_rename(client: Client, root: Path) -> None:
    path = root / "xinjiang/outpatient_2024.rule"
    text = path.read_text(encoding="utf-8")
    uri = client.open(path, version=40)
    client.wait_for("textDocument/publishDiagnostics", uri, 40)
    pos = at(text, "起付标准，0元")
    assert client.request("textDocument/prepareRename", {**doc(uri), "position": pos})["start"] == pos
    edit = client.request("textDocument/rename", {**doc(uri), "position": pos, "newName": "起付金额"})
    renamed = apply(text, edit["changes"][uri])
    assert "起付标准：金额" not in renamed and "输出 起付金额：金额" in renamed
    assert "取较大值(本次费用 - 起付金额，0元)" in renamed and "期望 起付金额 = 60元" in renamed
    assert "例 起付标准四舍五入到分" in renamed  # an example's title is prose, not the name
    client.change(uri, renamed, 41)
    assert not [d for d in client.wait_for("textDocument/publishDiagnostics", uri, 41)["diagnostics"]
                if d["severity"] == 1]
    client.change(uri, text, 42)
    client.wait_for("textDocument/publishDiagnostics", uri, 42)
    for bad, why in (("若", "关键字"), ("起付 标准", "不能作名称"), ("支付比例", "已在本文件中声明")):
        with pytest.raises(LspError, match=why):
            client.request("textDocument/rename", {**doc(uri), "position": pos, "newName": bad})


def test_formatting_is_guize_fmt(client: Client, root: Path) -> None:
    path = root / "xinjiang/outpatient_2024.rule"
    good = path.read_text(encoding="utf-8")
    messy = good.replace("  否则 住院起付线 × 再次就诊起付比例", "  否则   住院起付线*再次就诊起付比例。").replace(
        "参数 首次就诊起付比例 = 10%", "参数 首次就诊起付比例=10%")
    uri = client.open(path, messy, version=50)
    client.wait_for("textDocument/publishDiagnostics", uri, 50)
    edits = client.request("textDocument/formatting", {**doc(uri), "options": {"tabSize": 2, "insertSpaces": True}})
    assert apply(messy, edits) == format_source(messy, str(path)) == good
    client.change(uri, good, 51)
    client.wait_for("textDocument/publishDiagnostics", uri, 51)
    assert client.request("textDocument/formatting", {**doc(uri), "options": {"tabSize": 2, "insertSpaces": True}}) \
        == []
    client.change(uri, good + "\n输出 坏：金额 = (\n", 52)
    client.wait_for("textDocument/publishDiagnostics", uri, 52)
    assert client.request("textDocument/formatting", {**doc(uri), "options": {"tabSize": 2, "insertSpaces": True}}) \
        is None
    message = client.wait_for("window/showMessage")
    assert "未格式化" in message["message"]
    client.change(uri, good, 53)
    client.wait_for("textDocument/publishDiagnostics", uri, 53)


def test_positions_are_utf16_for_characters_beyond_the_bmp(client: Client, root: Path) -> None:
    path = root / "xinjiang/outpatient_2024.rule"
    good = path.read_text(encoding="utf-8")
    line = "定义 丙：金额 = 「𠀀」 + 起付标准"
    text = good.rstrip("\n") + "\n\n" + line + "\n"
    uri = client.open(path, text, version=60)
    client.wait_for("textDocument/publishDiagnostics", uri, 60)
    n = text.split("\n").index(line)
    utf16 = len(line[:line.index("起付标准")].encode("utf-16-le")) // 2
    assert utf16 == line.index("起付标准") + 1  # 𠀀 is two UTF-16 units
    hover = client.request("textDocument/hover", {**doc(uri), "position": {"line": n, "character": utf16 + 1}})
    assert hover["contents"]["value"].startswith("**起付标准**")
    assert hover["range"]["start"] == {"line": n, "character": utf16}
    assert hover["range"]["end"] == {"line": n, "character": utf16 + 4}
    data = client.request("textDocument/semanticTokens/full", doc(uri))["data"]
    starts = []
    row = col = 0
    for i in range(0, len(data), 5):
        row, col = row + data[i], (col + data[i + 1] if data[i] == 0 else data[i + 1])
        if row == n:
            starts.append((col, data[i + 2]))
    assert (utf16, 4) in starts
    client.change(uri, good, 61)
    client.wait_for("textDocument/publishDiagnostics", uri, 61)


def test_a_file_being_typed_keeps_its_outline_names_and_hovers(client: Client, root: Path) -> None:
    """A statement half-written: the parser stops there, the editor's features do not."""
    path = root / "xinjiang/outpatient_2024.rule"
    good = path.read_text(encoding="utf-8")
    broken = good.replace("定义 年度剩余限额：金额 = 取较大值(", "定义 年度剩余限额：金额 = 取较大值((", 1)
    uri = client.open(path, broken, version=70)
    diags = client.wait_for("textDocument/publishDiagnostics", uri, 70)["diagnostics"]
    assert any(d["severity"] == 1 and d["code"].startswith("E01") for d in diags)
    names = [s["name"] for s in client.request("textDocument/documentSymbol", doc(uri))]
    assert "年度剩余限额" in names and "统筹基金支付" in names and "二级医院首次就诊" in names
    labels = {i["label"] for i in client.request("textDocument/completion",
                                                 {**doc(uri), "position": {"line": 0, "character": 0}})["items"]}
    assert {"年度剩余限额", "单次最高支付限额", "取较大值", "否则"} <= labels
    # The types and units come from the last text that parsed (version 60's good text, or this session's).
    hover = client.request("textDocument/hover", {**doc(uri), "position": at(broken, "起付标准，0元")})
    assert hover["contents"]["value"].startswith("**起付标准**：输出")
    [loc] = client.request("textDocument/definition", {**doc(uri), "position": at(broken, "年度剩余限额)")})
    assert loc["range"]["start"] == at(broken, "年度剩余限额：金额")
    client.change(uri, good, 71)
    client.wait_for("textDocument/publishDiagnostics", uri, 71)


def test_inline_enum_members_are_declared_once() -> None:
    from guize.tools.lsp.analysis import FileIndex

    index = FileIndex("输入 级别：一级、二级，默认 一级\n定义 甲：是否 = 级别 = 二级\n")
    [decl, _] = index.outline
    assert [m.name for m in decl.children] == ["一级", "二级"]
    assert index.decls["二级"].kind == "member" and index.decls["级别"].kind == "input"
    assert [(t.line, t.col) for t in index.occurrences("二级")] == [(0, 9), (1, 15)]
