"""Print a parsed .rule file in the one canonical layout (`guize fmt`).

The layout is printed from the syntax tree, never patched into the source, so two
files with the same tree and comments format to the same bytes. The rules (docs/fmt.md):

* Indentation: two spaces per level; tabs and U+3000 are gone.
* Punctuation: full-width 「：」 after field names, case keys, 例 names and 日期; full-width
  「，」 (before 默认 and a rounding, and between call arguments) and 「、」; full-width
  （） in types, band qualifiers and document references. Expressions are formulas:
  half-width parentheses and operators with a space either side: + - × ÷ = ≠ > < ≥ ≤.
  Sentence terminators (。；) at line ends are dropped.
* Keywords take one spelling: 若 (not 如果), 且/或 (not 并且/或者), 参照 (not 同),
  其他 (not 其余), 例 (not 示例/测试), 期望 (not 预期); 若 … 则 value, 若 …：/否则：
  before a nested block; range bands use 至 (not — ～ ~). Comparison and band words
  (超过, 高于, 不满, 低于, 达到 …) stay as written: they quote the gazette. 例 names and
  issuers are bare when they are one name (or names), else quoted 「…」 (“…” if they hold 」).
* Literals: numbers exactly as written (Number.text), dates as 2024年4月26日, 有效期 as
  written; band qualifiers always name their bound: 40支以上（含40支）.
* A citation follows its line after two spaces (「  依据 第十四条」); so does a trailing
  comment. Columns are not aligned.
* Statements: one blank line between top-level statements, except that adjacent one-line
  statements (类型, 输入, 参数/定义/输出 … = …) stay together when the source has no blank
  line between them. Blank lines inside a statement are removed.
* Order: statements keep their order; document fields are put in the order 标题 文号
  发布机关 发布日期 施行日期 截止日期 有效期 废止/替代 沿革 备注; an example lists 日期,
  inputs, then 期望.
* Long lines: a line wider than 100 columns (CJK counts two; the citation counts, a
  trailing comment does not) breaks the outermost function call that does not fit, one
  argument per line, the closing parenthesis on a line of its own. A 废止 list too wide
  for one line becomes a block with one document per line. Other long lines stay long.
* Comments: a trailing comment stays on the line holding its code; a full-line comment
  goes before the next line of code, at its indentation, unless it is indented deeper
  than that line, in which case it stays after the previous line (a continued trailing
  comment, or a note closing a nested block). Between top-level statements, one blank
  line is kept wherever the source had blank lines.

`format_source` re-parses its own output and refuses (FormatError) if the tree or the
comments would change; `same_meaning` is that comparison.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any

import attrs

from guize.compiler import ast
from guize.compiler.diagnostics import CompileError, display_width
from guize.compiler.lexicon import cn_to_int
from guize.compiler.parser import _keyword_words, parse

WIDTH = 100
STEP = 2  # spaces per indentation level
CITE_GAP = "  "
COMMENT_GAP = "  "

_DEF_WORDS = {"def": "定义", "output": "输出", "param": "参数", "table": "表"}
_CMP_SYMBOLS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "!=": "≠"}
_SYMBOL_CHARS = set("<>=!≥≤≠＜＞＝！")
_RANGE_WORDS = {"—", "～", "~", "至"}
_RANGE_TO = "至"
_LOWER_WORDS_AFTER = {"以上"}  # 3000元以上; the others come first: 超过3000元
_UPPER_WORDS_AFTER = {"以下", "以内"}  # 5000元以下; the others come first: 不满5000元
_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffA-Za-z_·]+")


class FormatError(Exception):
    """Internal: the printed layout would not parse back to the same tree (a formatter bug)."""


# ---------------------------------------------------------------- small helpers


def _keywords() -> frozenset[str]:
    grammar = resources.files("guize.grammar").joinpath("rule.lark").read_text(encoding="utf-8")
    return frozenset(_keyword_words(grammar))


_KEYWORDS = _keywords()


def date_text(d: datetime.date) -> str:
    return f"{d.year:04d}年{d.month}月{d.day}日"


def _bare(text: str) -> bool:
    """Whether `text` can be written without quotes: one name, not a keyword."""
    return bool(_NAME.fullmatch(text)) and text not in _KEYWORDS


def _quote(text: str) -> str:
    for left, right in (("「", "」"), ("“", "”"), ('"', '"')):
        if right not in text:
            return f"{left}{text}{right}"
    raise FormatError(f"cannot quote {text!r}")  # INVARIANT: parsed strings fit one of the forms


def _name_or_quoted(text: str) -> str:
    return text if _bare(text) else _quote(text)


def _issuer(text: str) -> str:
    parts = text.split(" ")
    return text if parts and all(_bare(p) for p in parts) else _quote(text)


def _cite(cite: ast.Citation | None) -> str:
    return f"{CITE_GAP}依据 {'、'.join(cite.articles)}" if cite else ""


def _cite_doc(cite: ast.Citation | None) -> object:
    """A citation after an expression that may break: marked, so a comment after it follows it."""
    if cite is None or not cite.span.line:
        return _cite(cite)
    return [_Mark(cite.span.line, cite.span.end_line), _cite(cite), _Mark(cite.span.line, cite.span.end_line, True)]


def _docref(ref: ast.DocRef) -> str:
    if ref.title is not None:
        return f"《{ref.title}》" + (f"（{ref.docno}）" if ref.docno else "")
    return ref.docno or ""


def _type(spec: ast.TypeSpec) -> str:
    if isinstance(spec, ast.InlineEnum):
        return "、".join(spec.members)
    text = spec.word + (f"/{spec.per}" if spec.per else "")
    if spec.unit:
        text += f"（{spec.unit}" + (f"/{spec.unit_per}" if spec.unit_per else "") + "）"
    return text


def _literal(lit: ast.LitValue) -> str:
    v = lit.value
    if isinstance(v, ast.Number):
        return ("-" if lit.negative else "") + v.text
    if isinstance(v, ast.DateLit):
        return date_text(v.value)
    if isinstance(v, ast.Bool):
        return "是" if v.value else "否"
    return v.name


def compare_word(e: ast.Compare) -> str:
    """The comparison as printed: symbols take one form; words (超过, 不满 …) stay as written."""
    if e.word and not set(e.word) <= _SYMBOL_CHARS:
        return e.word
    return _CMP_SYMBOLS[e.op]


def band_text(lower: ast.Bound | None, upper: ast.Bound | None, part: bool = False) -> str:
    """A band key as printed: 3000元以上, 超过50%, 2000元至3000元（不含3000元）,
    超过36000元至144000元的部分."""
    if lower is not None and upper is not None and lower.word in _RANGE_WORDS:
        text = f"{lower.value.text}{_RANGE_TO}{upper.value.text}"
    elif lower is not None and upper is not None and upper.word in _RANGE_WORDS:
        text = f"{lower.word}{lower.value.text}{_RANGE_TO}{upper.value.text}"
    else:
        parts = []
        if lower is not None:
            n, w = lower.value.text, lower.word
            parts.append(n + w if w in _LOWER_WORDS_AFTER else w + n)
        if upper is not None:
            n, w = upper.value.text, upper.word
            parts.append(n + w if w in _UPPER_WORDS_AFTER else w + n)
        text = " ".join(parts)
    for b in (lower, upper):
        if b is not None and b.explicit:
            text += f"（{'含' if b.inclusive else '不含'}{b.value.text}）"
    return text + ("的部分" if part else "")


def _key(key: ast.Key) -> str:
    if isinstance(key, ast.EnumKey):
        return "、".join(key.names)
    if isinstance(key, ast.OtherKey):
        return "其他"
    if isinstance(key, ast.DatedKey):
        return f"自{date_text(key.start)}起" + (f" 至{date_text(key.end)}" if key.end else "")
    return band_text(key.lower, key.upper, key.part)


# ---------------------------------------------------------------- layout documents
#
# A tiny Wadler-style printer: text, concatenation (lists), groups that print flat when the
# rest of the line fits, nesting, soft line breaks, and zero-width marks that record which
# source lines a printed line came from (so comments can follow their code).


@attrs.frozen
class _Group:
    doc: object


@attrs.frozen
class _Nest:
    doc: object


@attrs.frozen
class _Mark:
    start: int
    end: int
    close: bool = False  # marks the end of the construct rather than its start


class _Soft:
    pass


_SOFT = _Soft()
_FLAT, _BREAK = 0, 1


@attrs.define
class _Line:
    """One printed line, and the comments that travel with it."""

    indent: int
    stmt: int
    logical: int = 0  # lines printed from one logical line share this number
    text: str = ""
    ranges: list[tuple[int, int, bool]] = attrs.field(factory=list)  # (start, end, close)
    leading: list[tuple[int, str]] = attrs.field(factory=list)  # (source line, text)
    trailing: list[tuple[int, str]] = attrs.field(factory=list)
    after: list[tuple[int, int, str]] = attrs.field(factory=list)  # (source line, indent, text)

    @property
    def start(self) -> int | None:
        return min((r[0] for r in self.ranges), default=None)


def _fits(cmd: tuple[int, int, object], rest: list[tuple[int, int, object]], room: int) -> bool:
    todo = [cmd]
    r = len(rest)
    while True:
        if not todo:
            if r == 0:
                return True
            r -= 1
            todo.append(rest[r])
        ind, mode, d = todo.pop()
        if isinstance(d, str):
            room -= display_width(d)
            if room < 0:
                return False
        elif isinstance(d, list):
            todo.extend((ind, mode, x) for x in reversed(d))
        elif isinstance(d, (_Group, _Nest)):
            todo.append((ind + (STEP if isinstance(d, _Nest) else 0), mode, d.doc))
        elif isinstance(d, _Soft) and mode == _BREAK:
            return True


def _layout(doc: object, indent: int, stmt: int) -> list[_Line]:
    lines = [_Line(indent, stmt)]
    parts: list[str] = []
    pos = indent
    stack: list[tuple[int, int, object]] = [(indent, _BREAK, doc)]
    while stack:
        ind, mode, d = stack.pop()
        if isinstance(d, str):
            parts.append(d)
            pos += display_width(d)
        elif isinstance(d, list):
            stack.extend((ind, mode, x) for x in reversed(d))
        elif isinstance(d, _Nest):
            stack.append((ind + STEP, mode, d.doc))
        elif isinstance(d, _Mark):
            lines[-1].ranges.append((d.start, d.end, d.close))
        elif isinstance(d, _Soft):
            if mode == _BREAK:
                lines[-1].text = "".join(parts)
                lines.append(_Line(ind, stmt))
                parts, pos = [], ind
        elif isinstance(d, _Group):
            flat = mode == _FLAT or _fits((ind, _FLAT, d.doc), stack, WIDTH - pos)
            stack.append((ind, _FLAT if flat else _BREAK, d.doc))
    lines[-1].text = "".join(parts)
    return lines


# ---------------------------------------------------------------- expressions

_P_IF, _P_CAP, _P_OR, _P_AND, _P_NOT, _P_CMP, _P_SUM, _P_PRODUCT, _P_UNARY, _P_ATOM = range(1, 11)


def _prec(e: ast.Expr) -> int:
    if isinstance(e, ast.If):
        return _P_IF
    if isinstance(e, ast.Cap):
        return _P_CAP
    if isinstance(e, ast.Logic):
        return _P_OR if e.op == "or" else _P_AND
    if isinstance(e, ast.Not):
        return _P_NOT
    if isinstance(e, ast.Compare):
        return _P_CMP
    if isinstance(e, ast.Binary):
        return _P_SUM if e.op in "+-" else _P_PRODUCT
    if isinstance(e, ast.Neg):
        return _P_UNARY
    return _P_ATOM


def _end(*nodes: Any) -> int:
    return max((n.span.end_line for n in nodes if n is not None and n.span.end_line), default=0)


def _call(func: str, args: Sequence[ast.Expr]) -> object:
    if not args:
        return f"{func}()"
    inner: list[object] = [_SOFT]
    for i, a in enumerate(args):
        if i:
            inner += ["，", _SOFT]
        inner += [_Mark(a.span.line, a.span.end_line), expr_doc(a), _Mark(a.span.line, a.span.end_line, True)]
    return _Group([func, "(", _Nest(inner), _SOFT, ")"])


def expr_doc(e: ast.Expr, min_prec: int = _P_IF) -> object:
    """The layout document of an expression, parenthesised where precedence needs it."""
    doc = _expr(e)
    return ["(", doc, ")"] if _prec(e) < min_prec else doc


def _expr(e: ast.Expr) -> object:
    if isinstance(e, ast.Number):
        return e.text
    if isinstance(e, ast.DateLit):
        return date_text(e.value)
    if isinstance(e, ast.Bool):
        return "是" if e.value else "否"
    if isinstance(e, ast.Name):
        return e.name
    if isinstance(e, ast.Call):
        return _call(e.func, e.args)
    if isinstance(e, ast.Round):
        return _call(e.mode, (e.arg,))
    if isinstance(e, ast.Neg):
        return ["-", expr_doc(e.arg, _P_UNARY)]
    if isinstance(e, ast.Not):
        return ["非 ", expr_doc(e.arg, _P_NOT)]
    if isinstance(e, ast.Binary):
        p = _prec(e)
        op = {"+": "+", "-": "-", "*": "×", "/": "÷"}[e.op]
        return [expr_doc(e.left, p), f" {op} ", expr_doc(e.right, p + 1)]
    if isinstance(e, ast.Compare):
        return [expr_doc(e.left, _P_SUM), f" {compare_word(e)} ", expr_doc(e.right, _P_SUM)]
    if isinstance(e, ast.Logic):
        p = _prec(e)
        return [expr_doc(e.left, p), " 且 " if e.op == "and" else " 或 ", expr_doc(e.right, p + 1)]
    if isinstance(e, ast.Cap):
        word = " 最高 " if e.op == "min" else " 最低 "
        return [expr_doc(e.left, _P_CAP), word, expr_doc(e.right, _P_OR)]
    if isinstance(e, ast.If):
        # A nested 若 in the condition or the 则 part is parenthesised for the reader.
        return ["若 ", expr_doc(e.cond, _P_CAP), " 则 ", expr_doc(e.then, _P_CAP), " 否则 ",
                expr_doc(e.other, _P_IF)]
    raise FormatError(f"unknown expression {e!r}")  # pragma: no cover


# ---------------------------------------------------------------- statements


@attrs.frozen
class _Logical:
    indent: int
    doc: object
    start: int
    end: int


class _Printer:
    """Statements -> logical lines; `src` (the source lines) only serves to find where
    a comment's code was (example lines) and how 有效期 was written."""

    def __init__(self, src: list[str]) -> None:
        self.src = src

    def statement(self, node: object) -> list[_Logical]:
        if isinstance(node, ast.Document):
            return self.document(node)
        if isinstance(node, ast.TypeDecl):
            text = f"类型 {node.name}：{'、'.join(node.members)}{_cite(node.cite)}"
            return [_Logical(0, text, node.span.line, max(node.span.line, _end(node.cite)))]
        if isinstance(node, ast.InputDecl):
            text = f"输入 {node.name}：{_type(node.type)}"
            if node.default is not None:
                text += f"，默认 {_literal(node.default)}"
            text += _cite(node.cite)
            return [_Logical(0, text, node.span.line, max(node.span.line, _end(node.cite)))]
        if isinstance(node, ast.Definition):
            return self.definition(node)
        if isinstance(node, ast.Example):
            return self.example(node)
        raise FormatError(f"unknown statement {node!r}")  # pragma: no cover

    # ------------------------------------------------------------ documents

    def document(self, doc: ast.Document) -> list[_Logical]:
        fs = doc.field_spans
        out = [_Logical(0, "文件：", doc.span.line, doc.span.line)]

        def field(key: str, text: str) -> None:
            line = fs[key].line if key in fs else 0
            out.append(_Logical(STEP, text, line, line))

        if doc.title is not None:
            field("title", f"标题：《{doc.title}》")
        if doc.docno is not None:
            field("docno", f"文号：{doc.docno}")
        if doc.issuer is not None:
            field("issuer", f"发布机关：{_issuer(doc.issuer)}")
        for key, word in (("published", "发布日期"), ("effective", "施行日期"), ("end", "截止日期")):
            value = getattr(doc, key)
            if value is not None:
                field(key, f"{word}：{date_text(value)}")
        if doc.duration_years is not None:
            field("duration_years", f"有效期：{self._duration(doc)}")
        for rep in doc.repeals:
            out.extend(self.repeal(rep))
        if doc.history:
            field("history", "沿革：")
            for ev in doc.history:
                text = f"{date_text(ev.date)} {ev.action}" + (f" {_docref(ev.ref)}" if ev.ref else "")
                out.append(_Logical(2 * STEP, text, ev.span.line, ev.span.line))
        if doc.note is not None:
            field("note", f"备注：{_quote(doc.note)}")
        return out

    def _duration(self, doc: ast.Document) -> str:
        """有效期 as written (五年 or 5年) when the source says so; otherwise N年."""
        span = doc.field_spans.get("duration_years")
        if span is not None and 0 < span.line <= len(self.src):
            m = re.search(r"有效期\s*[:：]\s*([一二三四五六七八九十两]+年|\d+年)", self.src[span.line - 1])
            if m:
                word = m[1][:-1]
                try:
                    if cn_to_int(word) == doc.duration_years:
                        return m[1]
                except ValueError:
                    pass
        return f"{doc.duration_years}年"

    def repeal(self, rep: ast.Repeal) -> list[_Logical]:
        word = "替代" if rep.replaces else "废止"
        since = f"自{date_text(rep.since)}起" if rep.since else ""
        line = rep.span.line
        inline = f"{word}：{'、'.join(_docref(r) for r in rep.refs)}" + (f" {since}" if since else "")
        if rep.replaces or len(rep.refs) < 2 or STEP + display_width(inline) <= WIDTH:
            return [_Logical(STEP, inline, line, line)]
        out = [_Logical(STEP, f"{word}：{since}", line, line)]
        out += [_Logical(2 * STEP, _docref(r), r.span.line, r.span.line) for r in rep.refs]
        return out

    # ------------------------------------------------------------ definitions

    def definition(self, d: ast.Definition) -> list[_Logical]:
        head = f"{_DEF_WORDS[d.kind]} {d.name}"
        if d.type is not None:
            head += f"：{_type(d.type)}" + (f"，{d.rounding}" if d.rounding else "")
        body = d.body
        if isinstance(body, ast.ExprValue):
            doc = [head, " = ", expr_doc(body.expr), _cite_doc(body.cite)]
            return [_Logical(0, doc, d.span.line, max(d.span.line, _end(body.expr, body.cite)))]
        doc = [head, *self._selector(body.selector, " "), _cite(body.cite)]
        out = [_Logical(0, doc, d.span.line, max(d.span.line, _end(body.selector, body.cite)))]
        return out + self.branches(body.branches, STEP)

    def _selector(self, sel: ast.Selector | None, before: str) -> list[object]:
        if sel is None:
            return []
        return [f"{before}按 ", expr_doc(sel.subject, _P_CAP), " 分段" if sel.bands else ""]

    def branches(self, branches: Iterable[ast.Branch], indent: int) -> list[_Logical]:
        out: list[_Logical] = []
        for br in branches:
            out.extend(self.branch(br, indent))
        return out

    def branch(self, br: ast.Branch, indent: int) -> list[_Logical]:
        v = br.value
        if isinstance(br, ast.IfBranch):
            lead: list[object] = ["若 ", expr_doc(br.cond, _P_CAP)]
            sep, vmin = " 则 ", _P_CAP
        elif isinstance(br, ast.ElseBranch):
            lead, sep, vmin = ["否则"], " ", _P_CAP
        else:
            lead, sep, vmin = [_key(br.key), "："], "", _P_IF
        cond = br.cond if isinstance(br, ast.IfBranch) else None
        if isinstance(v, ast.ExprValue):
            doc = [*lead, sep, expr_doc(v.expr, vmin), _cite_doc(v.cite)]
            end = _end(cond, v.expr, v.cite)
        elif isinstance(v, ast.SameValue):
            doc = [*lead, sep, f"参照 {v.target}", _cite(v.cite)]
            end = _end(cond, v.cite)
        else:
            colon = "" if isinstance(br, ast.CaseBranch) else "："
            doc = [*lead, colon, *self._selector(v.selector, ""), _cite(v.cite)]
            end = _end(cond, v.selector, v.cite)
        out = [_Logical(indent, doc, br.span.line, max(br.span.line, end))]
        if isinstance(v, ast.BlockValue):
            out += self.branches(v.branches, indent + STEP)
        return out

    # ------------------------------------------------------------ examples

    def example(self, ex: ast.Example) -> list[_Logical]:
        start = ex.span.line
        out = [_Logical(0, f"例 {_name_or_quoted(ex.name)}：", start, start)]
        body = self._example_lines(start)

        def find(pattern: str) -> int:
            return next((n for n in body if re.match(pattern, self.src[n - 1])), 0)

        if ex.date is not None:
            line = find(r"[ \t\u3000]*日期[ \t\u3000]*[:：]")
            out.append(_Logical(STEP, f"日期：{date_text(ex.date)}", line, line))
        for name, lit in ex.inputs:
            out.append(_Logical(STEP, f"{name} = {_literal(lit)}", lit.span.line, lit.span.line))
        for name, lit in ex.expects:
            out.append(_Logical(STEP, f"期望 {name} = {_literal(lit)}", lit.span.line, lit.span.line))
        if ex.expect_not_in_force:
            line = find(r"[ \t\u3000]*(期望|预期)[ \t\u3000]+未生效")
            out.append(_Logical(STEP, "期望 未生效", line, line))
        if ex.expect_error is not None:
            line = find(r"[ \t\u3000]*(期望|预期)[ \t\u3000]+错误")
            text = "期望 错误" + (f" {_quote(ex.expect_error)}" if ex.expect_error else "")
            out.append(_Logical(STEP, text, line, line))
        return out

    def _example_lines(self, start: int) -> list[int]:
        """Source lines of an example's body: the indented lines after its header."""
        out = []
        n = start + 1
        while n <= len(self.src):
            text = self.src[n - 1]
            if text.strip() and text[:1] not in (" ", "\t", "\u3000") and not text.lstrip().startswith(("#", "＃")):
                break
            out.append(n)
            n += 1
        return out


# ---------------------------------------------------------------- comments and blank lines


def _indent_of(text: str) -> int:
    n = 0
    for ch in text:
        if ch == " ":
            n += 1
        elif ch == "\t":
            n += 4
        elif ch == "\u3000":
            n += 2
        else:
            break
    return n


def _is_blank(text: str) -> bool:
    return text.strip(" \t\u3000\r") in ("", "。", "；", ";")


class _Source:
    """Which source lines are blank, comment-only or code."""

    def __init__(self, lines: list[str], comments: Sequence[ast.Comment]) -> None:
        self.lines = lines
        self.comment = {c.line: c.text.rstrip() for c in comments}
        self.full: set[int] = set()
        for c in comments:
            text = lines[c.line - 1]
            if not text[:len(text) - len(c.text)].strip(" \t\u3000"):  # a comment runs to the line's end
                self.full.add(c.line)
        self.code = [n for n in range(1, len(lines) + 1)
                     if n not in self.full and not _is_blank(lines[n - 1])]

    def blank(self, n: int) -> bool:
        return 0 < n <= len(self.lines) and _is_blank(self.lines[n - 1]) and n not in self.comment

    def prev_code(self, n: int) -> int | None:
        return max((c for c in self.code if c < n), default=None)

    def next_code(self, n: int) -> int | None:
        return min((c for c in self.code if c > n), default=None)


class _Owners:
    """Map source lines to the printed lines holding their code.

    Every printed construct (a logical line, a call argument, a citation) marks the printed
    line where it starts and the one where it ends with the source lines it spans; the
    smallest construct spanning a source line decides where that line's code went.
    """

    def __init__(self, lines: list[_Line]) -> None:
        self.lines = lines
        # source line -> [(range size, printed line, is the construct's end, construct's last line)]
        self.marks: dict[int, list[tuple[int, int, bool, int]]] = {}
        self.last_of: dict[int, int] = {}  # logical line -> its last printed line
        for i, line in enumerate(lines):
            self.last_of[line.logical] = i
            for s, e, close in line.ranges:
                for n in range(s, max(s, e) + 1):
                    self.marks.setdefault(n, []).append((max(e - s, 0), i, close, e))

    def _smallest(self, n: int) -> list[tuple[int, int, bool, int]]:
        size = min(m[0] for m in self.marks[n])
        return [m for m in self.marks[n] if m[0] == size]

    def trailing(self, n: int) -> int:
        """The printed line holding the last code of source line n (a trailing comment's home):
        where the smallest construct on n ends, if it ends on n, else where it starts."""
        if n in self.marks:
            found = self._smallest(n)
            ends = [i for _, i, close, end in found if close and end == n]
            if ends:
                return max(ends)
            opens = [i for _, i, close, _ in found if not close]
            return min(opens) if opens else max(i for _, i, _, _ in found)
        starts = [(ln.start, i) for i, ln in enumerate(self.lines) if ln.start is not None and ln.start <= n]
        return max(starts)[1] if starts else 0

    def first(self, n: int) -> int:
        """The printed line holding the first code of source line n: where the outermost
        construct starting on n starts (else where the smallest one spanning n starts)."""
        if n in self.marks:
            starting = [m for m in self.marks[n] if not m[2] and m[3] - m[0] == n]
            if starting:
                size = max(m[0] for m in starting)
                return min(m[1] for m in starting if m[0] == size)
            found = self._smallest(n)
            opens = [m[1] for m in found if not m[2]]
            return min(opens) if opens else min(m[1] for m in found)
        starts = [(ln.start, i) for i, ln in enumerate(self.lines) if ln.start is not None and ln.start >= n]
        return min(starts)[1] if starts else len(self.lines) - 1

    def end_of_logical(self, i: int) -> int:
        return self.last_of[self.lines[i].logical]


def _attach(lines: list[_Line], src: _Source) -> list[tuple[int, str]]:
    """Give every comment to a printed line; returns the comments left at the end of the file."""
    owners = _Owners(lines)
    tail: list[tuple[int, str]] = []

    def after(line_no: int, owner: int, text: str) -> None:
        # Never inside a broken call: after the whole logical line.
        owner = owners.end_of_logical(owner)
        # Deeper than the printed line that follows, so that it stays here when formatted again.
        below = lines[owner + 1].indent if owner + 1 < len(lines) else 0
        indent = max(lines[owner].indent, below + STEP)
        lines[owner].after.append((line_no, indent, text))

    run_prev: int | None = -1  # the code line before the current run of full-line comments
    leading_started = False
    for n in sorted(src.comment):
        text = src.comment[n]
        if not lines:
            tail.append((n, text))
            continue
        if n not in src.full:
            owner = owners.trailing(n)
            if lines[owner].trailing:
                after(n, owner, text)
            else:
                lines[owner].trailing.append((n, text))
            continue
        prev, nxt = src.prev_code(n), src.next_code(n)
        if prev != run_prev:
            run_prev, leading_started = prev, False
        below = _indent_of(src.lines[nxt - 1]) if nxt is not None else 0
        if prev is not None and not leading_started and _indent_of(src.lines[n - 1]) > below:
            after(n, owners.trailing(prev), text)
            continue
        leading_started = True
        if nxt is None:
            tail.append((n, text))
        else:
            lines[owners.first(nxt)].leading.append((n, text))
    return tail


def _assemble(stmts: list[tuple[int, list[_Line]]], tail: list[tuple[int, str]], src: _Source) -> str:
    out: list[str] = []

    def gap() -> None:
        if out and out[-1] != "":
            out.append("")

    prev_multi: bool | None = None  # None: before the first statement
    for start, lines in stmts:
        multi = len(lines) > 1
        items: list[tuple[int, str | None]] = [*lines[0].leading, (start, None)]
        for k, (n, text) in enumerate(items):
            if k == 0:
                wanted = prev_multi is not None and (prev_multi or multi or src.blank(n - 1))
            else:
                wanted = items[k - 1][0] < n and src.blank(n - 1)
            if wanted:
                gap()
            if text is not None:
                out.append(text)
        for j, line in enumerate(lines):
            if j:
                out.extend(" " * line.indent + t for _, t in line.leading)
            text = " " * line.indent + line.text
            if line.trailing:
                text += COMMENT_GAP + line.trailing[0][1]
            out.append(text.rstrip())
            out.extend(" " * ind + t for _, ind, t in sorted(line.after))
        prev_multi = multi
    for k, (n, text) in enumerate(tail):
        if k == 0:
            wanted = prev_multi is not None and (prev_multi or src.blank(n - 1))
        else:
            wanted = src.blank(n - 1)
        if wanted:
            gap()
        out.append(text)
    return "\n".join(out) + "\n" if out else ""


# ---------------------------------------------------------------- entry points


def format_tree(tree: ast.RuleFile, source: str) -> str:
    """Print `tree` (parsed from `source`, which supplies comments and blank lines)."""
    src_lines = source.replace("\r\n", "\n").split("\n")
    printer = _Printer(src_lines)
    stmts: list[tuple[int, list[_Line]]] = []
    flat: list[_Line] = []
    logical = 0
    for i, node in enumerate(tree.order):
        lines: list[_Line] = []
        for lg in printer.statement(node):
            doc = [_Mark(lg.start, lg.end), lg.doc, _Mark(lg.start, lg.end, True)] if lg.start else lg.doc
            printed = _layout(doc, lg.indent, i)
            logical += 1
            for line in printed:
                line.logical = logical
            lines.extend(printed)
        stmts.append((node.span.line, lines))  # type: ignore[attr-defined]
        flat.extend(lines)
    src = _Source(src_lines, tree.comments)
    tail = _attach(flat, src)
    return _assemble(stmts, tail, src)


def format_source(source: str, path: str) -> str:
    """The canonical layout of a .rule file; raises CompileError on syntax errors."""
    tree = parse(source, path)
    text = format_tree(tree, source)
    try:
        again = parse(text, path)
    except CompileError as exc:
        raise FormatError(f"formatted text does not parse: {exc.message}") from None
    if not same_meaning(tree, again):
        raise FormatError("formatted text parses to a different tree")
    if sorted(c.text.rstrip() for c in tree.comments) != sorted(c.text.rstrip() for c in again.comments):
        raise FormatError("formatted text lost or merged a comment")
    # '#' only occurs in comments, titles and quoted text, all copied verbatim: none may vanish.
    if sum(map(source.count, "#＃")) != sum(map(text.count, "#＃")):
        raise FormatError("formatted text lost a '#'")
    return text


# ---------------------------------------------------------------- comparing trees


def canonical(node: Any) -> Any:
    """The tree as the formatter spells it: the fields that keep source spelling
    (comparison symbols, range words, band text) take their printed form. Two trees
    with equal canonical forms mean the same thing."""
    if isinstance(node, tuple):
        return tuple(canonical(x) for x in node)
    if not attrs.has(type(node)):
        return node
    changes = {}
    for f in attrs.fields(type(node)):
        if not f.eq:
            continue
        value = getattr(node, f.name)
        new = canonical(value)
        if new is not value:
            changes[f.name] = new
    if isinstance(node, ast.Compare):
        changes["word"] = compare_word(node)
    elif isinstance(node, ast.Bound) and node.word in _RANGE_WORDS:
        changes["word"] = _RANGE_TO
    elif isinstance(node, ast.BandKey):
        lower, upper = changes.get("lower", node.lower), changes.get("upper", node.upper)
        changes["text"] = band_text(lower, upper, node.part)
    return attrs.evolve(node, **changes) if changes else node


def same_meaning(a: ast.RuleFile, b: ast.RuleFile) -> bool:
    """Same statements in the same order, up to the spellings the formatter normalises."""
    return bool(canonical(tuple(a.order)) == canonical(tuple(b.order)))
