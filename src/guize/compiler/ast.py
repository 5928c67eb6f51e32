"""The syntax tree of a .rule file: frozen attrs nodes, each with a source span."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import attrs


@attrs.frozen
class Span:
    """Where a node came from: 1-based line and column, end exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


NO_SPAN = Span("<内部>", 0, 0, 0, 0)


def _span() -> Any:
    # INVARIANT: spans never take part in equality, so tests compare trees without positions.
    return attrs.field(default=NO_SPAN, eq=False, repr=False, kw_only=True)


# ---------------------------------------------------------------- expressions


@attrs.frozen
class Number:
    """A numeric literal as written: 300元/吨, 5个百分点, 80%, 1,234.50, 2000万元."""

    text: str
    value: Decimal  # the digits with 万/亿 applied, before any unit scale
    unit: str | None = None  # 元, 吨, %, 个百分点 … (as written)
    per: str | None = None  # the unit after "/", as written
    span: Span = _span()


@attrs.frozen
class DateLit:
    value: datetime.date
    span: Span = _span()
    year_month: bool = False  # 2025年2月: a year-month, held as the month's first day


@attrs.frozen
class Bool:
    value: bool
    span: Span = _span()


@attrs.frozen
class Name:
    name: str
    span: Span = _span()


@attrs.frozen
class Call:
    func: str
    args: tuple[Expr, ...]
    span: Span = _span()


@attrs.frozen
class Round:
    """四舍五入到分(x), 向下取整(x)…: `mode` is the rounding word as written."""

    mode: str
    arg: Expr
    span: Span = _span()


@attrs.frozen
class Binary:
    op: str  # + - * /
    left: Expr
    right: Expr
    span: Span = _span()


@attrs.frozen
class Neg:
    arg: Expr
    span: Span = _span()


@attrs.frozen
class Compare:
    op: str  # > < >= <= == !=
    left: Expr
    right: Expr
    word: str = ""  # the word as written (超过, 不满…), for messages and formatting
    span: Span = _span()


@attrs.frozen
class Logic:
    op: str  # and / or
    left: Expr
    right: Expr
    span: Span = _span()


@attrs.frozen
class Not:
    arg: Expr
    span: Span = _span()


@attrs.frozen
class If:
    cond: Expr
    then: Expr
    other: Expr
    span: Span = _span()


@attrs.frozen
class Cap:
    """`a 最高 b` caps a at b (min); `a 最低 b` floors a at b (max)."""

    op: str  # min / max
    left: Expr
    right: Expr
    span: Span = _span()


Expr = Number | DateLit | Bool | Name | Call | Round | Binary | Neg | Compare | Logic | Not | If | Cap


# ---------------------------------------------------------------- blocks


@attrs.frozen
class Citation:
    articles: tuple[str, ...]
    span: Span = _span()


@attrs.frozen
class Selector:
    subject: Expr
    bands: bool
    span: Span = _span()


@attrs.frozen
class EnumKey:
    names: tuple[str, ...]
    span: Span = _span()


@attrs.frozen
class Bound:
    value: Number
    inclusive: bool
    explicit: bool  # inclusion stated by （含）/（不含） rather than by the word
    word: str  # 以上, 超过, 不满, 至 …
    span: Span = _span()


@attrs.frozen
class BandKey:
    lower: Bound | None
    upper: Bound | None
    text: str  # the key as written, for explanations
    part: bool = False  # written with 的部分, as the brackets of a statute's tax table are
    span: Span = _span()


@attrs.frozen
class OtherKey:
    span: Span = _span()


@attrs.frozen
class DatedKey:
    start: datetime.date
    end: datetime.date | None  # inclusive last day, if written
    span: Span = _span()


Key = EnumKey | BandKey | OtherKey | DatedKey


@attrs.frozen
class ExprValue:
    expr: Expr
    cite: Citation | None = None
    span: Span = _span()


@attrs.frozen
class SameValue:
    """`参照 一级`: this case takes the value of another case of the same table."""

    target: str
    cite: Citation | None = None
    span: Span = _span()


@attrs.frozen
class BlockValue:
    selector: Selector | None  # None: a block of 若/否则 or dated branches
    branches: tuple[Branch, ...]
    cite: Citation | None = None
    span: Span = _span()


Value = ExprValue | SameValue | BlockValue


@attrs.frozen
class IfBranch:
    cond: Expr
    value: Value
    span: Span = _span()


@attrs.frozen
class ElseBranch:
    value: Value
    span: Span = _span()


@attrs.frozen
class CaseBranch:
    key: Key
    value: Value
    span: Span = _span()


Branch = IfBranch | ElseBranch | CaseBranch


# ---------------------------------------------------------------- declarations


@attrs.frozen
class NamedType:
    """金额, 金额（万元）, 整数（人）, 数量（吨）, 元/吨, 比率, 是否, 日期, or an enumeration's name."""

    word: str
    per: str | None = None
    unit: str | None = None
    unit_per: str | None = None
    span: Span = _span()


@attrs.frozen
class InlineEnum:
    members: tuple[str, ...]
    span: Span = _span()


TypeSpec = NamedType | InlineEnum


@attrs.frozen
class TypeDecl:
    name: str
    members: tuple[str, ...]
    cite: Citation | None = None
    span: Span = _span()


@attrs.frozen
class LitValue:
    """A value written in an example or as a default: a number, date, 是/否 or a name."""

    value: Number | DateLit | Bool | Name
    negative: bool = False
    span: Span = _span()


@attrs.frozen
class InputDecl:
    name: str
    type: TypeSpec
    default: LitValue | None = None
    cite: Citation | None = None
    negative: bool = False  # 可为负: losses, corrections
    span: Span = _span()


DEF_KINDS = {"定义": "def", "输出": "output", "参数": "param", "表": "table"}


@attrs.frozen
class Definition:
    kind: str  # def / output / param / table
    name: str
    type: TypeSpec | None
    rounding: str | None
    body: ExprValue | BlockValue
    span: Span = _span()

    @property
    def cite(self) -> Citation | None:
        return self.body.cite


@attrs.frozen
class DocRef:
    title: str | None
    docno: str | None
    span: Span = _span()

    def __str__(self) -> str:
        if self.title and self.docno:
            return f"{self.title}（{self.docno}）"
        return self.title or self.docno or ""


@attrs.frozen
class Repeal:
    refs: tuple[DocRef, ...]
    since: datetime.date | None  # None: from the repealing document's 施行日期
    replaces: bool = False
    span: Span = _span()


@attrs.frozen
class HistoryEvent:
    date: datetime.date
    action: str  # 发布, 修订, 修正, 批准 …
    ref: DocRef | None
    span: Span = _span()


@attrs.frozen
class Document:
    title: str | None = None
    docno: str | None = None
    issuer: str | None = None
    published: datetime.date | None = None
    effective: datetime.date | None = None
    end: datetime.date | None = None
    duration_years: int | None = None
    repeals: tuple[Repeal, ...] = ()
    history: tuple[HistoryEvent, ...] = ()
    note: str | None = None
    span: Span = _span()
    field_spans: dict[str, Span] = attrs.field(factory=dict, eq=False, repr=False, kw_only=True)


@attrs.frozen
class Assertion:
    """断言 <condition> [依据 …]: a guarantee of the rules (docs/verify.md)."""

    expr: Expr
    cite: Citation | None
    span: Span = _span()


@attrs.frozen
class ArticleText:
    """原文 第十四条： the text of an article as published, one paragraph (款) or item a line."""

    article: str
    paragraphs: tuple[str, ...]
    lines: tuple[int, ...] = attrs.field(default=(), eq=False, repr=False)  # each paragraph's line
    span: Span = _span()


@attrs.frozen
class Example:
    name: str
    date: datetime.date | None
    inputs: tuple[tuple[str, LitValue], ...]
    expects: tuple[tuple[str, LitValue], ...]
    expect_not_in_force: bool = False
    expect_error: str | None = None  # "" for any error
    span: Span = _span()


@attrs.frozen
class Comment:
    line: int
    text: str


@attrs.frozen
class RuleFile:
    path: str
    documents: tuple[Document, ...]
    types: tuple[TypeDecl, ...]
    inputs: tuple[InputDecl, ...]
    definitions: tuple[Definition, ...]
    examples: tuple[Example, ...]
    comments: tuple[Comment, ...] = attrs.field(default=(), eq=False)
    assertions: tuple[Assertion, ...] = ()
    articles: tuple[ArticleText, ...] = ()  # 原文 blocks
    # The order of statements as written, for the formatter.
    order: tuple[object, ...] = attrs.field(default=(), eq=False, repr=False)
