"""The VS Code extension (editors/vscode) without node: its TextMate grammar is applied to every
line of policies/ by a small TextMate matcher (the `regex` module runs the Oniguruma patterns),
and the scopes are checked against the language and kept as a snapshot."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

regex = pytest.importorskip("regex")

from guize.compiler.lexicon import KEYWORD_WORDS, KEYWORDS  # noqa: E402
from guize.compiler.lower import FUNCTION_WORDS  # noqa: E402
from guize.tools.lsp.scan import tokens  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXT = ROOT / "editors" / "vscode"
GRAMMAR = json.loads((EXT / "syntaxes" / "guize.tmLanguage.json").read_text(encoding="utf-8"))
SNAPSHOT = ROOT / "tests" / "data" / "vscode_scopes.txt"
CORPUS = sorted((ROOT / "policies").rglob("*.rule"))


def _rules(patterns: list[dict], blocks: bool = False) -> Iterator[dict]:
    """The single-line `match` rules (or with `blocks`, the `begin`/`end` rules) of `patterns`."""
    for p in patterns:
        if "include" in p:
            yield from _rules([GRAMMAR["repository"][p["include"].lstrip("#")]], blocks)
        elif "begin" in p:
            if blocks:
                yield p
        elif "patterns" in p:
            yield from _rules(p["patterns"], blocks)
        elif not blocks:
            yield p


RULES = [(regex.compile(r["match"]), r) for r in _rules(GRAMMAR["patterns"])]
# A block rule (原文 and its indented text) begins at the start of a line; only its own patterns apply inside.
BLOCKS = [(regex.compile(r["begin"]), regex.compile(r["end"]),
           [(regex.compile(x["match"]), x) for x in _rules(r["patterns"])], r) for r in _rules(GRAMMAR["patterns"], True)]


def file_scopes(text: str) -> list[list[tuple[int, int, str]]]:
    """The scopes of each line of a file: TextMate's begin/end rules carry over lines, as in VS Code."""
    out: list[list[tuple[int, int, str]]] = []
    inside = None
    for line in text.splitlines():
        if inside is not None and inside[1].match(line):
            inside = None
        if inside is not None:
            out.append(scopes(line, inside[2]))
            continue
        begun = next(((b, m) for b in BLOCKS if (m := b[0].match(line))), None)
        if begun is None:
            out.append(scopes(line))
            continue
        (_, _, inner, rule), m = begun
        found = [(m.start(int(g)), m.end(int(g)), cap["name"]) for g, cap in rule["beginCaptures"].items()
                 if m.group(int(g))]
        rest = [(s + m.end(), e + m.end(), n) for s, e, n in scopes(line[m.end():], inner)]
        out.append(sorted(found + rest))
        inside = begun[0]
    return out


def scopes(line: str, rules: list | None = None) -> list[tuple[int, int, str]]:
    """TextMate's way with single-line `match` rules: at each position the earliest match wins,
    ties going to the first rule; captures scope their groups."""
    out: list[tuple[int, int, str]] = []
    pos = 0
    while pos < len(line):
        best = None
        for pattern, rule in RULES if rules is None else rules:
            m = pattern.search(line, pos)
            if m and m.end() > m.start() and (best is None or m.start() < best[0].start()):
                best = (m, rule)
        if best is None:
            break
        m, rule = best
        if "name" in rule:
            out.append((m.start(), m.end(), rule["name"]))
        for group, cap in rule.get("captures", {}).items():
            if m.group(int(group)):
                out.append((m.start(int(group)), m.end(int(group)), cap["name"]))
        pos = m.end()
    return sorted(out)


def scope_at(line: str, col: int, found: list[tuple[int, int, str]] | None = None) -> str | None:
    """The innermost scope at `col` (of `found`, a line's scopes in its file, or of the line alone)."""
    inner = [s for start, end, s in (scopes(line) if found is None else found) if start <= col < end]
    return inner[-1] if inner else None  # a capture is inside its rule's own scope


def test_package_json_names_the_grammar_and_configuration() -> None:
    pkg = json.loads((EXT / "package.json").read_text(encoding="utf-8"))
    [lang] = pkg["contributes"]["languages"]
    assert lang["id"] == "guize" and lang["extensions"] == [".rule"]
    assert (EXT / lang["configuration"]).is_file()
    [grammar] = pkg["contributes"]["grammars"]
    assert grammar["scopeName"] == GRAMMAR["scopeName"] == "source.guize"
    assert (EXT / grammar["path"]).resolve() == (EXT / "syntaxes" / "guize.tmLanguage.json").resolve()
    assert (EXT / pkg["main"]).is_file()
    assert pkg["contributes"]["configuration"]["properties"]["guize.server.args"]["default"] == ["lsp"]


def test_language_configuration() -> None:
    conf = json.loads((EXT / "language-configuration.json").read_text(encoding="utf-8"))
    assert conf["comments"]["lineComment"] == "#"
    pairs = {tuple(p) for p in conf["brackets"]}
    assert {("(", ")"), ("（", "）"), ("「", "」"), ("《", "》")} <= pairs
    word = re.compile(conf["wordPattern"])
    assert word.fullmatch("住院起付线") and word.fullmatch("退休人员·倾斜")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_extension_js_is_valid_javascript() -> None:
    done = subprocess.run(["node", "--check", str(EXT / "extension.js")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_every_keyword_is_a_keyword() -> None:
    lark = (ROOT / "src/guize/grammar/rule.lark").read_text(encoding="utf-8")
    words = {w for line in re.findall(r"^[A-Z_]+_KW: (.*)$", lark, re.M) for w in re.findall(r'"([^"]+)"', line)}
    words |= set(KEYWORD_WORDS)
    words |= {w for terminal, shown in KEYWORDS.items() if terminal.endswith("_KW")
              for w in re.findall(r"「([^」]+)」", shown)}
    assert len(words) > 60
    for w in sorted(words):
        scope = scope_at(w, 0)
        assert scope is not None and scope.split(".")[0] in ("keyword", "storage", "constant"), (w, scope)
        assert [(s, e) for s, e, _ in scopes(w)] == [(0, len(w))], w
        glued = scope_at(w + "甲", 0)  # glued to a name it is part of the name, as the parser reads it
        assert glued == "variable.other.guize", (w, glued)
    for f in FUNCTION_WORDS:
        assert scope_at(f"{f}(甲)", 0) == "support.function.guize", f
    checker = (ROOT / "src/guize/compiler/checker.py").read_text(encoding="utf-8")
    types = re.findall(r'"([^"]+)": T\.', checker[checker.index("_TYPE_WORDS"):checker.index("}", checker.index("_TYPE_WORDS"))])
    assert len(types) >= 9
    for t in types:
        assert scope_at(f"输入 甲：{t}", 5) == ("keyword.other.guize" if t == "日期" else "support.type.guize"), t


# What each token kind of the language (as the language server scans it) must be scoped as.
EXPECTED = {"comment": "comment.", "date": "constant.numeric.date", "docno": "constant.other.docno",
            "citation": "support.constant.citation", "rounding": "keyword.other.rounding",
            "number": "constant.numeric", "years": "constant.numeric.years", "title": "string.quoted.title",
            "string": "string.quoted", "keyword": ("keyword.", "storage.type", "constant.language"),
            "operator": "keyword.operator", "punct": "punctuation.",
            "name": ("variable.other", "entity.name", "support.function", "support.type"),
            "lawtext": "markup.quote.lawtext"}


def test_every_token_of_the_corpus_gets_its_scope() -> None:
    assert len(CORPUS) >= 5
    for path in CORPUS:
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        found = file_scopes(text)
        for tok in tokens(text):
            line = lines[tok.line]
            if tok.col > 0 and re.match(r"^(例|示例|测试)[ \t\u3000]", line) and tok.kind != "comment":
                continue  # an example's title is prose: scoped as a whole below
            scope = scope_at(line, tok.col, found[tok.line])
            assert scope is not None and scope.startswith(EXPECTED[tok.kind]), (path.name, tok, scope)
            covered = {c for s, e, _ in found[tok.line] for c in range(s, e)}
            assert set(range(tok.col, tok.end)) <= covered, (path.name, tok)
        for n, line in enumerate(lines):
            if re.match(r"^(例|示例|测试)[ \t\u3000]", line):
                assert scope_at(line, line.index(" ") + 1) == "entity.name.section.example.guize", (path.name, n)


def snapshot() -> str:
    out = []
    for path in CORPUS:
        out.append(f"== {path.relative_to(ROOT).as_posix()}")
        text = path.read_text(encoding="utf-8")
        for n, (line, found) in enumerate(zip(text.splitlines(), file_scopes(text), strict=True), 1):
            parts = [f"{line[s:e]}={scope.removesuffix('.guize')}" for s, e, scope in found]
            if parts:
                out.append(f"{n}: " + "  ".join(parts))
    return "\n".join(out) + "\n"


def test_law_text_is_one_quote_until_the_block_ends() -> None:
    text = ("原文 第十四条：  # 门诊\n  普通门诊统筹基金单次起付标准按10%确定。  # 注\n  （一）输出 若 则\n\n"
            "输出 乙：金额 = 10元  依据 第十四条\n")
    found = file_scopes(text)
    lines = text.splitlines()
    assert [(lines[0][s:e], n) for s, e, n in found[0]] == [
        ("原文", "keyword.other.guize"), ("第十四条", "support.constant.citation.guize"),
        ("：", "punctuation.separator.guize"), ("# 门诊", "comment.line.number-sign.guize")]
    assert [(lines[1][s:e], n) for s, e, n in found[1]] == [
        ("普通门诊统筹基金单次起付标准按10%确定。", "markup.quote.lawtext.guize"), ("# 注", "comment.line.number-sign.guize")]
    assert [n for _s, _e, n in found[2]] == ["markup.quote.lawtext.guize"]  # keywords in the text are text
    assert scope_at(lines[4], 0, found[4]) == "storage.type.guize"  # the block ended


def test_snapshot_of_the_corpus_scopes(update_golden: bool) -> None:
    """Every scope of every line of policies/: `make golden` (or --update-golden) rewrites it."""
    got = snapshot()
    if update_golden:
        SNAPSHOT.write_text(got, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot yet: run make golden"
    assert got == SNAPSHOT.read_text(encoding="utf-8")
