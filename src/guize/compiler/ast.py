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

    @property
    def text(self) -> str:
        """The name as written (a band's bound may be a name, printed like a number's text)."""
        return self.name


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


@attrs.frozen
class Aggregate:
    """合计(成员 中 是否在校 的 月收入): `func` over the items of `source` that pass `filter`,
    each item's `value` (None: the item itself, as 人数 counts it)."""

    func: str
    source: Expr
    filter: Expr | None
    value: Expr | None
    span: Span = _span()


@attrs.frozen
class Running:
    """累计(工资薪金收入，至 本月): in a definition computed for each item, `arg` summed over
    the items up to this one (至 本月, inclusive) or before it (至 上月)."""

    func: str
    arg: Expr
    until: str  # 本月 / 上月 … as written ("" when not written: up to this item)
    span: Span = _span()


@attrs.frozen
class MonthOf:
    """当年1月的 居住面积: `name` (a field, or a per-item definition) in the one item of a monthly
    series that falls in `month` (as written: 2019年7月, 当年1月, 上年12月 …)."""

    month: str
    name: str
    span: Span = _span()


Expr = (Number | DateLit | Bool | Name | Call | Round | Binary | Neg | Compare | Logic | Not | If | Cap
        | Aggregate | Running | MonthOf)


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
    value: Number | Name  # a name only in a progressive scale's bracket (a parameter's dated value)
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
    # Set only when amendments are merged (compiler/amend.py): the amending document's
    # publication date (the version is unknown before it) and its name, for labels.
    known: datetime.date | None = None
    source: str | None = None


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


def type_text(spec: TypeSpec) -> str:
    """A type as a drafter writes it: 金额（元/人）, 低、中、高."""
    if isinstance(spec, InlineEnum):
        return "、".join(spec.members)
    text = spec.word + (f"/{spec.per}" if spec.per else "")
    if spec.unit:
        text += f"（{spec.unit}" + (f"/{spec.unit_per}" if spec.unit_per else "") + "）"
    return text


@attrs.frozen
class TypeDecl:
    name: str
    members: tuple[str, ...]
    cite: Citation | None = None
    span: Span = _span()


@attrs.frozen
class UnitDecl:
    """单位 人次, 单位 担 = 50公斤: a unit the drafter declares, with its conversion if any."""

    name: str
    amount: Number | None = None  # what one of the unit is, in another unit
    cite: Citation | None = None
    span: Span = _span()


@attrs.frozen
class LitValue:
    """A value written in an example or as a default: a number, date, 是/否 or a name."""

    value: Number | DateLit | Bool | Name
    negative: bool = False
    span: Span = _span()
    quoted: bool = False  # a text written in quotes, 「65010220141201123X」: the name is its content


@attrs.frozen
class InputDecl:
    name: str
    type: TypeSpec
    default: LitValue | None = None
    cite: Citation | None = None
    negative: bool = False  # 可为负: losses, corrections
    span: Span = _span()
    added: bool = False  # 新增: an input an amending or local document adds
    roles: tuple[str, ...] = ()  # a record field's 适用日期 / 主键 (as written)


@attrs.frozen
class RecordDecl:
    """类型 家庭成员： with its fields, one a line (each written like an input)."""

    name: str
    fields: tuple[InputDecl, ...]
    cite: Citation | None = None
    span: Span = _span()


@attrs.frozen
class RecordsValue:
    """A list input in an example: one item a line, each `field = value, …` (空列表: no item)."""

    items: tuple[tuple[tuple[str, LitValue], ...], ...]
    span: Span = _span()


@attrs.frozen
class ListValue:
    """An expected list in an example: 555元、625元、1850元 (空列表: none)."""

    items: tuple[LitValue, ...]
    span: Span = _span()


DEF_KINDS = {"定义": "def", "输出": "output", "参数": "param", "表": "table"}


@attrs.frozen
class Definition:
    kind: str  # def / output / param / table
    name: str
    type: TypeSpec | None
    rounding: str | None
    body: ExprValue | BlockValue
    negative: bool = False  # 可为负: the result may be negative (a loss, a correction)
    given: bool = False  # 可作输入: a caller may give the value; the formula is used otherwise
    span: Span = _span()
    added: bool = False  # 新增: a definition an amending or local document adds
    local: bool = False  # ，各地可调整: a value a local implementing document may set
    each: str | None = attrs.field(default=None, kw_only=True)  # ，按 成员 逐项: the list it is computed over
    each_word: str = attrs.field(default="", kw_only=True)  # 逐项, 逐月 … as written

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
    amends: DocRef | None = None  # 修改：the document this one amends
    adopts: DocRef | None = None  # 参照执行：the document this local one implements
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
    inputs: tuple[tuple[str, LitValue | RecordsValue], ...]
    expects: tuple[tuple[str, LitValue | ListValue], ...]
    expect_not_in_force: bool = False
    expect_error: str | None = None  # "" for any error
    known_on: datetime.date | None = None  # 按…已发布的规定: the rules as published by that date
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
    units: tuple[UnitDecl, ...] = ()
    records: tuple[RecordDecl, ...] = ()  # 类型 … with fields (records of list inputs)
    articles: tuple[ArticleText, ...] = ()  # 原文 blocks
    # The order of statements as written, for the formatter.
    order: tuple[object, ...] = attrs.field(default=(), eq=False, repr=False)
