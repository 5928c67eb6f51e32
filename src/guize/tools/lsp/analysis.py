"""What the editor asks about one .rule file: declarations, occurrences, hovers, completions,
outline, renames and quick fixes, in 0-based lines and code-point columns.

Declarations and occurrences come from the lexical scan, so they work while the file is being
typed and does not parse; types, units, citations and dated versions come from the checker's
result, the last one that parsed (the server keeps it).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence

import attrs

from guize.compiler import articles
from guize.compiler.checker import CheckedPolicy
from guize.compiler.lexicon import normalize_docno, normalize_title
from guize.compiler.lower import FUNCTION_WORDS
from guize.runtime import display, ir, lawtext
from guize.runtime.formula import render_ir
from guize.tools.lsp.scan import DECLARERS, KEYWORDS, Token, is_name, tokens

KIND_WORDS = {"type": "类型", "member": "取值", "input": "输入", "param": "参数", "table": "表", "def": "定义",
              "output": "输出", "example": "例", "document": "文件", "article": "原文"}


@attrs.frozen
class Decl:
    name: str
    kind: str  # type member input param table def output example document
    line: int  # the name's position
    col: int
    start: int  # the statement's first and last line
    end: int
    owner: str = ""  # for a member: its type
    children: tuple[Decl, ...] = ()

    @property
    def end_col(self) -> int:
        return self.col + len(self.name)


@attrs.frozen
class Fix:
    """A quick fix: replace the text from (line, col) to (line, end) with `text`."""

    title: str
    text: str
    line: int
    col: int
    end: int


class FileIndex:
    """The lexical index of one file's text, with the checked result when there is one."""

    def __init__(self, source: str, checked: CheckedPolicy | None = None) -> None:
        self.source = source
        self.lines = source.splitlines()
        self.tokens = list(tokens(source))
        self.checked = checked
        self.decls: dict[str, Decl] = {}  # a value's declaration before a type's of the same name
        self.all_decls: dict[str, list[Decl]] = {}
        self.outline: list[Decl] = []
        self._statements()

    # ------------------------------------------------------------ building

    def _statements(self) -> None:
        by_line: dict[int, list[Token]] = {}
        for tok in self.tokens:
            by_line.setdefault(tok.line, []).append(tok)
        starts = [n for n, toks in sorted(by_line.items()) if toks[0].indent == 0 and toks[0].kind != "comment"]
        for i, start in enumerate(starts):
            end = (starts[i + 1] if i + 1 < len(starts) else len(self.lines)) - 1
            while end > start and not [t for t in by_line.get(end, []) if t.kind != "comment"]:
                end -= 1
            body = [t for n in range(start, end + 1) for t in by_line.get(n, []) if t.kind != "comment"]
            self._statement(body, start, end)

    def _statement(self, body: list[Token], start: int, end: int) -> None:
        head = body[0]
        if head.text in DECLARERS and len(body) > 1 and body[1].kind == "name":
            kind = DECLARERS[head.text]
            name = body[1]
            members: list[Decl] = []
            if kind in ("type", "input"):
                colon = next((i for i, t in enumerate(body) if t.text in ":："), None)
                rest = body[colon + 1:] if colon is not None else []
                if kind == "type" or any(t.text == "、" for t in rest):
                    for t in rest:
                        if t.kind == "name" and (kind == "type" or t.line == name.line) \
                                and t.text not in {m.name for m in members}:  # not a default's repeat
                            members.append(Decl(t.text, "member", t.line, t.col, t.line, t.line, name.text))
            decl = Decl(name.text, kind, name.line, name.col, start, end, children=tuple(members))
            for d in (decl, *members):
                self.all_decls.setdefault(d.name, []).append(d)
                if d.name not in self.decls or self.decls[d.name].kind == "type":
                    self.decls[d.name] = d
            self.outline.append(decl)
        elif head.text in ("例", "示例", "测试"):
            text = self.lines[head.line][head.end:].strip().rstrip(":：").strip("「」“”\"")
            col = self.lines[head.line].find(text, head.end) if text else head.col
            self.outline.append(Decl(text or head.text, "example", head.line, max(col, 0), start, end))
        elif head.text == "原文" and len(body) > 1 and body[1].kind == "citation":
            self.outline.append(Decl(body[1].text, "article", body[1].line, body[1].col, start, end))
        elif head.text == "文件":
            title = next((t for t in body if t.kind == "title"), None)
            docno = next((t for t in body if t.kind == "docno"), None)
            shown = title or docno or head
            self.outline.append(Decl(shown.text, "document", shown.line, shown.col, start, end))

    # ------------------------------------------------------------ queries

    def token_at(self, line: int, col: int) -> Token | None:
        """The token under the cursor (or just before it, as at the end of a word being typed)."""
        best = None
        for tok in self.tokens:
            if tok.line == line and tok.col <= col <= tok.end:
                if tok.col <= col < tok.end:
                    return tok
                best = tok
        return best

    def occurrences(self, name: str) -> list[Token]:
        """Every place the declared name is written (declaration included), comments and text excluded."""
        return [t for t in self.tokens if t.kind == "name" and t.text == name]

    def names(self) -> list[Decl]:
        return list(self.decls.values())

    def document_refs(self) -> list[Token]:
        return [t for t in self.tokens if t.kind in ("docno", "title")]

    def own_document(self) -> tuple[str | None, str | None, Decl | None]:
        """The 文号 and title this file declares in its 文件 block (normalised)."""
        doc = next((d for d in self.outline if d.kind == "document"), None)
        if doc is None:
            return None, None, None
        docno = title = None
        for tok in self.tokens:
            if doc.start <= tok.line <= doc.end and tok.indent > 0:
                first = next(t for t in self.tokens if t.line == tok.line)
                if first.text == "文号" and tok.kind == "docno" and docno is None:
                    docno = normalize_docno(tok.text)
                if first.text == "标题" and tok.kind == "title" and title is None:
                    title = normalize_title(tok.text)
        return docno, title, doc

    # ------------------------------------------------------------ hover

    def hover(self, line: int, col: int) -> str | None:
        tok = self.token_at(line, col)
        if tok is None:
            return None
        if tok.kind == "name" and tok.text in self.decls:
            return "\n\n---\n\n".join(self._hover_name(d) for d in self.all_decls[tok.text])
        if tok.kind == "name" and tok.text in FUNCTION_WORDS:
            return f"**{tok.text}**：函数"
        if tok.kind == "citation":
            users = [d for d in self.outline if any(
                t.kind == "citation" and t.text == tok.text and d.start <= t.line <= d.end for t in self.tokens)]
            lines = [f"**{tok.text}**", *self._law([tok.text])]
            if users:
                lines.append("本文件中依据此条款的：" + "、".join(
                    f"{KIND_WORDS[d.kind]}「{d.name}」" for d in users))
            return "\n\n".join(lines)
        return None

    def _hover_name(self, decl: Decl) -> str:
        head = f"**{decl.name}**：{KIND_WORDS[decl.kind]}"
        parts: list[str] = []
        checked = self.checked
        if decl.kind == "member":
            parts.append(f"类型「{decl.owner}」的取值")
        elif decl.kind == "type":
            parts.append("取值：" + "、".join(m.name for m in decl.children))
        elif checked is not None and decl.kind == "input":
            spec = next((i for i in checked.inputs if i["name"] == decl.name), None)
            if spec is not None:
                head += f"，{spec['type']}"
                if spec["unit"]:
                    parts.append(f"单位：{spec['unit']}")
                if spec["has_default"]:
                    parts.append(f"默认：{display.typed(spec['default'], spec['kind'], spec['unit'])}")
                if spec["cite"]:
                    parts.append("依据：" + "、".join(spec["cite"]))
                    parts.extend(self._law(spec["cite"]))
        elif checked is not None and decl.name in checked.defs:
            d = checked.defs[decl.name]
            head += f"，{d.type}"
            unit = display.unit_in(d.type) or ("元" if d.value_kind == "money" else "")
            if unit:
                parts.append(f"单位：{unit}")
            if isinstance(d.expr, ir.Const):
                parts.append(f"取值：{display.typed(d.expr.value, d.value_kind, unit)}")
            if d.cite:
                parts.append("依据：" + "、".join(d.cite))
                parts.extend(self._law(d.cite))
            timeline = versions_timeline(d, unit)
            if timeline:
                parts.append("按日期的取值：\n\n" + "\n".join(f"- {row}" for row in timeline))
        return "\n\n".join([head, *parts])

    def _law(self, cites: Iterable[str]) -> list[str]:
        """The text of each cited passage the file's 原文 blocks hold, as Markdown quotes."""
        if self.checked is None:
            return []
        held = articles.held(self.checked.tree)
        return [f"{p.citation}原文：\n\n" + "\n>\n".join(f"> {line}" for line in p.lines)
                for p in lawtext.passages(held, list(cites))]

    # ------------------------------------------------------------ completion

    def completions(self) -> list[tuple[str, str, str]]:
        """(label, kind, detail) for every name, function and keyword."""
        out = [(d.name, d.kind, KIND_WORDS[d.kind] + (f"（{d.owner}）" if d.owner else ""))
               for d in self.decls.values()]
        out.extend((f, "function", "函数") for f in sorted(FUNCTION_WORDS))
        out.extend((k, "keyword", "关键字") for k in sorted(KEYWORDS))
        return out

    # ------------------------------------------------------------ rename

    def rename(self, line: int, col: int, new: str) -> list[Token]:
        """The tokens to rewrite as `new`; ValueError (with a Chinese message) if the rename is not allowed."""
        tok = self.token_at(line, col)
        if tok is None or tok.kind != "name" or tok.text not in self.decls:
            raise ValueError("这里不是本文件声明的名称，不能重命名")
        if not is_name(new):
            raise ValueError(f"「{new}」不能作名称：名称只能由汉字、字母、下划线和「·」组成，且不能是关键字")
        if new in self.decls and new != tok.text:
            raise ValueError(f"「{new}」已在本文件中声明")
        return self.occurrences(tok.text)


def versions_timeline(d: ir.Definition, unit: str) -> list[str]:
    """「2024年4月26日起：300元（依据 第十四条）」 for each dated version in the definition."""
    rows = []
    for node in ir.dated_nodes(d.expr):
        for v in node.versions:
            when = f"{display.date(v.start)}起" if v.end is None else \
                f"{display.date(v.start)}至{display.date(v.end - _DAY)}"
            value = display.typed(v.value.value, d.value_kind, unit) if isinstance(v.value, ir.Const) \
                else render_ir(v.value)
            cite = f"（依据 {'、'.join(v.cite)}）" if v.cite else ""
            rows.append(f"{when}：{value}{cite}")
    return rows


_DAY = datetime.timedelta(days=1)

_SUGGEST = re.compile(r"是否指「([^」]+)」")
_GLUED = re.compile(r"写成「([^」]+)」")
_FULLWIDTH = re.compile(r"「(.)」在这里不能用，请改用「(.)」")


def quick_fixes(message: str, hint: str, lines: Sequence[str], line: int, col: int, end_line: int,
                end_col: int) -> list[Fix]:
    """The fixes a diagnostic's suggestion makes safe: only where the suggestion names exactly the
    text it replaces (the marked text, or a glued keyword and name just before it on the line)."""
    marked = slice_text(lines, line, col, end_line, end_col)
    out: list[Fix] = []
    m = _SUGGEST.search(hint)
    if m and marked and f"「{marked}」" in message:
        out.append(Fix(f"改为「{m.group(1)}」", m.group(1), line, col, end_col))
    m = _GLUED.search(hint)
    if m and "关键字" in hint and line < len(lines):
        glued = m.group(1).replace(" ", "")
        if marked == glued:
            out.append(Fix(f"改为「{m.group(1)}」", m.group(1), line, col, end_col))
        else:  # the parser marks the token after the glued word: find the word as a whole name
            text = lines[line]
            found = [t for t in tokens(text) if t.kind == "name" and t.text == glued and t.col <= col]
            if found:
                t = found[-1]
                out.append(Fix(f"改为「{m.group(1)}」", m.group(1), line, t.col, t.end))
    m = _FULLWIDTH.search(hint)
    if m and marked == m.group(1):
        out.append(Fix(f"改为「{m.group(2)}」", m.group(2), line, col, end_col))
    return out


def slice_text(lines: Sequence[str], line: int, col: int, end_line: int, end_col: int) -> str:
    """The text between two 0-based positions."""
    if line >= len(lines):
        return ""
    if end_line == line:
        return lines[line][col:end_col]
    chunk = [lines[line][col:], *lines[line + 1:end_line]]
    if end_line < len(lines):
        chunk.append(lines[end_line][:end_col])
    return "\n".join(chunk)


def find_declaration(indexes: Iterable[tuple[str, FileIndex]], ref: Token) -> list[tuple[str, int, int, int]]:
    """Where a 文号 or title is declared among the folder's files: (path, line, col, end col)."""
    norm = normalize_docno(ref.text) if ref.kind == "docno" else normalize_title(ref.text)
    out = []
    for path, index in indexes:
        docno, title, doc = index.own_document()
        if doc is None or norm not in (docno, title):
            continue
        for tok in index.tokens:
            if doc.start <= tok.line <= doc.end and tok.kind == ref.kind and \
                    (normalize_docno(tok.text) if tok.kind == "docno" else normalize_title(tok.text)) == norm:
                out.append((path, tok.line, tok.col, tok.end))
                break
    return out


def document_references(indexes: Iterable[tuple[str, FileIndex]], ref: Token) -> list[tuple[str, Token]]:
    """Every mention of the same 文号 or title in the folder's files."""
    def norm(t: Token) -> str:
        return normalize_docno(t.text) if t.kind == "docno" else normalize_title(t.text)

    want = norm(ref)
    return [(path, t) for path, index in indexes for t in index.document_refs() if norm(t) == want]
