"""Parse .rule text into the syntax tree (ast.py), collecting syntax errors."""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
from importlib import resources
from typing import Any

import attrs
from lark import Lark, Token, Tree, v_args
from lark.exceptions import (
    GrammarError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)

from guize.compiler import ast
from guize.compiler.comments import scan_comments
from guize.compiler.diagnostics import CompileError, Diagnostic, token_span
from guize.compiler.indenter import Indenter, IndentError, LimitError
from guize.compiler.lexicon import (
    cn_to_int,
    declared_units,
    expected_words,
    glued_hint,
    grammar_with_units,
    mask_digit_names,
    normalize_docno,
    normalize_title,
    parse_date,
    parse_number,
    unmask,
)
from guize.compiler.limits import (
    MAX_DEPTH,
    MAX_FRACTION_DIGITS,
    MAX_INTEGER_DIGITS,
    MAX_STATEMENT_TOKENS,
    depth_diagnostics,
)
from guize.compiler.parse_lists import ListsToAst
from guize.compiler.parsetree import SlotTree, fast_positions
from guize.compiler.syntaxhints import (
    band_row_hint,
    digit_name_hint,
    misplaced_line,
    unfinished_line_hint,
    unit_hint,
)
from guize.runtime.modcache import cache_file


def keyword_words(grammar: str) -> dict[str, str]:
    """Word -> keyword terminal, read from the grammar's `XXX_KW: "…" | "…"` lines."""
    words: dict[str, str] = {}
    for m in re.finditer(r'^([A-Z_]+_KW):(.*)$', grammar, re.M):
        for word in re.findall(r'"([^"]+)"', m[2]):
            words[word] = m[1]
    return words


def _lark() -> Lark:
    return lark_for(())


@functools.lru_cache(maxsize=16)
def lark_for(units: tuple[str, ...]) -> Lark:
    """The parser; for a file that declares units (单位 人次), one whose numbers read them too."""
    grammar = resources.files("guize.grammar").joinpath("rule.lark").read_text(encoding="utf-8")
    grammar = grammar_with_units(grammar, units)
    keywords = keyword_words(grammar)

    def retype(tok: Token) -> Token:
        # Keywords are whole words: a NAME that spells a keyword is that keyword.
        # (Lark does this itself for single-string terminals, not for alternations.)
        kw = keywords.get(tok.value)
        if kw:
            return Token.new_borrow_pos(kw, tok.value, tok)
        value = unmask(tok.value)  # a declared name with digits
        return tok if value == tok.value else Token.new_borrow_pos("NAME", value, tok)

    # Lark's analysis of the grammar (~0.4 s a process) is kept in guize's own cache, a file per
    # grammar (Lark checks its hash and versions); not in the shared temporary folder: it is a pickle.
    cache = cache_file(f"lark-{hashlib.sha256(grammar.encode()).hexdigest()[:16]}.grammar")
    lark = Lark(grammar, parser="lalr", lexer="contextual", postlex=Indenter(),
                propagate_positions=True, maybe_placeholders=True, cache=cache or False,
                lexer_callbacks={"NAME": retype}, tree_class=SlotTree)
    fast_positions(lark)  # the same positions, faster (parsetree.Positions)
    return lark


def _span(file: str, meta: Any) -> ast.Span:
    if getattr(meta, "empty", True):
        return ast.NO_SPAN
    return ast.Span(file, meta.line, meta.column, meta.end_line, meta.end_column)


_OPS = {"+": "+", "＋": "+", "-": "-", "－": "-", "−": "-", "×": "*", "*": "*", "＊": "*",
        "÷": "/", "/": "/", "／": "/"}
_CMP = {"GE": ">=", "LE": "<=", "GT": ">", "LT": "<", "EQ": "==", "NE": "!=", "OVER_KW": ">",
        "UNDER_KW": "<", "REACH_KW": ">=", "NOT_OVER_KW": "<=", "NOT_UNDER_KW": "<",
        "EQUALS_KW": "==", "NOT_EQUALS_KW": "!=", "UNDER_GLUED": "<", "REACH_GLUED": ">="}


class _DateError(Exception):
    def __init__(self, token: Token) -> None:
        super().__init__(str(token))
        self.token = token


class _Spans:
    """_ToAst's span maker, inherited: v_args on _ToAst wraps each method _ToAst defines anew at
    every call (functools.update_wrapper, about 2 µs; sp runs for nearly every node)."""

    file: str

    def sp(self, meta: Any) -> ast.Span:
        return _span(self.file, meta)


@v_args(meta=True)
class _ToAst(ListsToAst, _Spans):
    """Parse tree -> syntax tree. Punctuation tokens are dropped by type."""

    _PUNCT = frozenset({"COLON", "COMMA", "DUN", "LPAR", "RPAR", "EQ"})

    def __init__(self, file: str, source: str) -> None:
        super().__init__()
        self.file = file
        self.source = source

    def transform(self, tree: Tree[Token]) -> Any:
        """As Lark's Transformer.transform (no callbacks for tokens here), with each rule's
        callback looked up once: Lark's v_args wraps the method anew at every node. The tree is
        used up: each node converted lets go of its children, so that the parse tree shrinks as
        the syntax tree grows (both whole at once: 330 MB at 50,000 lines, not 270)."""
        self._callbacks: dict[str, tuple[Any, Any] | None] = {}
        return self._node(tree)

    def _node(self, tree: Tree[Token]) -> Any:
        children = [self._node(c) if isinstance(c, Tree) else c for c in tree.children]
        data = tree.data
        try:
            found = self._callbacks[data]
        except KeyError:
            f = getattr(self, data, None)
            found = self._callbacks[data] = None if f is None else (f, getattr(f, "visit_wrapper", None))
        if found is None:
            return Tree(data, children, tree.meta)  # as Transformer.__default__
        f, wrapper = found
        try:
            result = f(children) if wrapper is None else wrapper(f, data, children, tree.meta)
            tree.children = []  # converted: the subtree is no longer needed
            return result
        except GrammarError:
            raise
        except Exception as e:
            raise VisitError(data, tree, e) from e  # type: ignore[no-untyped-call]

    def _date(self, tok: Token) -> datetime.date:
        try:
            return parse_date(str(tok))
        except ValueError:
            raise _DateError(tok) from None

    def _number(self, tok: Token) -> ast.Number:
        value, unit, per = parse_number(str(tok))
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)  # INVARIANT: parse_number gives finite values
        if value.adjusted() >= MAX_INTEGER_DIGITS or -exponent > MAX_FRACTION_DIGITS:
            raise _BadText(tok, f"数值「{tok}」超出范围：整数部分（含万、亿）最多 {MAX_INTEGER_DIGITS} 位，"
                                f"小数最多 {MAX_FRACTION_DIGITS} 位")
        return ast.Number(str(tok), value, unit, per, span=token_span(self.file, tok))

    # ------------------------------------------------------------ file

    def start(self, meta: Any, children: list[Any]) -> list[Any]:
        return [c for c in children if c is not None]

    # ------------------------------------------------------------ documents

    def document(self, meta: Any, children: list[Any]) -> ast.Document:
        fields: dict[str, Any] = {}
        spans: dict[str, ast.Span] = {}
        repeals: list[ast.Repeal] = []
        history: list[ast.HistoryEvent] = []
        for child in children:
            if not isinstance(child, tuple):
                continue
            key, value, span = child
            if key == "repeal":
                repeals.append(value)
            elif key == "history":
                history.extend(value)
            else:
                fields[key] = value
            spans.setdefault(key, span)
        return ast.Document(**fields, repeals=tuple(repeals), history=tuple(history),
                            span=self.sp(meta), field_spans=spans)

    def f_title(self, meta: Any, c: list[Any]) -> tuple[str, Any, ast.Span]:
        return ("title", normalize_title(str(c[2])), self.sp(meta))

    def f_docno(self, meta: Any, c: list[Any]) -> tuple[str, Any, ast.Span]:
        return ("docno", normalize_docno(str(c[2])), self.sp(meta))

    def f_issuer(self, meta: Any, c: list[Any]) -> tuple[str, Any, ast.Span]:
        return ("issuer", c[2], self.sp(meta))

    def f_published(self, meta: Any, c: list[Any]) -> tuple[str, Any, ast.Span]:
        return ("published", self._date(c[2]), self.sp(meta))

    def f_effective(self, meta: Any, c: list[Any]) -> tuple[str, Any, ast.Span]:
        return ("effective", self._date(c[2]), self.sp(meta))

    def f_end(self, meta: Any, c: list[Any]) -> tuple[str, Any, ast.Span]:
        return ("end", self._date(c[2]), self.sp(meta))

    def f_duration(self, meta: Any, c: list[Any]) -> tuple[str, Any, ast.Span]:
        return ("duration_years", c[2], self.sp(meta))

    def f_repeals(self, meta: Any, c: list[Any]) -> tuple[str, Any, ast.Span]:
        return ("repeal", ast.Repeal(tuple(c[2]), c[3], False, span=self.sp(meta)), self.sp(meta))

    def f_replaces(self, meta: Any, c: list[Any]) -> tuple[str, Any, ast.Span]:
        return ("repeal", ast.Repeal(tuple(c[2]), c[3], True, span=self.sp(meta)), self.sp(meta))

    def f_repeals_block(self, meta: Any, c: list[Any]) -> tuple[str, Any, ast.Span]:
        refs = tuple(x for x in c if isinstance(x, ast.DocRef))
        return ("repeal", ast.Repeal(refs, c[2], False, span=self.sp(meta)), self.sp(meta))

    def f_history(self, meta: Any, c: list[Any]) -> tuple[str, Any, ast.Span]:
        return ("history", [x for x in c if isinstance(x, ast.HistoryEvent)], self.sp(meta))

    def f_note(self, meta: Any, c: list[Any]) -> tuple[str, Any, ast.Span]:
        return ("note", str(c[2])[1:-1], self.sp(meta))

    def f_amends(self, meta: Any, c: list[Any]) -> tuple[str, Any, ast.Span]:
        return ("amends", c[2], self.sp(meta))

    def f_adopts(self, meta: Any, c: list[Any]) -> tuple[str, Any, ast.Span]:
        return ("adopts", c[2], self.sp(meta))

    def issuer(self, meta: Any, c: list[Token]) -> str:
        # 财政部、税务总局: joint issuers keep their 、; other words are separated by a space
        text = ""
        for t in c:
            part = str(t)[1:-1] if t.type == "STRING" else str(t)
            glue = "" if not text or t.type == "DUN" or text.endswith("、") else " "
            text += glue + part
        return text

    def duration(self, meta: Any, c: list[Token]) -> int:
        tok = c[0]
        text = str(tok)
        if tok.type == "CNYEARS":
            return cn_to_int(text[:-1])
        value, unit, per = parse_number(text)
        if unit != "年" or per or value != int(value):
            raise _BadText(tok, f"有效期应写成整年数，如「5年」或「五年」，而不是「{text}」")
        return int(value)

    def docrefs(self, meta: Any, c: list[Any]) -> list[ast.DocRef]:
        return [x for x in c if isinstance(x, ast.DocRef)]

    def docref(self, meta: Any, c: list[Any]) -> ast.DocRef:
        toks = [t for t in c if isinstance(t, Token) and t.type in ("TITLE", "DOCNUM")]
        title = next((normalize_title(str(t)) for t in toks if t.type == "TITLE"), None)
        docno = next((normalize_docno(str(t)) for t in toks if t.type == "DOCNUM"), None)
        return ast.DocRef(title, docno, span=self.sp(meta))

    def since(self, meta: Any, c: list[Any]) -> datetime.date:
        return self._date(c[1])

    def history_line(self, meta: Any, c: list[Any]) -> ast.HistoryEvent:
        return ast.HistoryEvent(self._date(c[0]), str(c[1]), c[2], span=self.sp(meta))

    # ------------------------------------------------------------ declarations

    def cite(self, meta: Any, c: list[Token]) -> ast.Citation:
        arts = tuple(str(t).replace("(", "（").replace(")", "）") for t in c if t.type == "CITATION")
        return ast.Citation(arts, span=self.sp(meta))

    def unit_decl(self, meta: Any, c: list[Any]) -> ast.UnitDecl:
        # UNIT_KW NAME [EQ NUMBER] [cite]
        amount = self._number(c[3]) if c[3] is not None else None
        return ast.UnitDecl(str(c[1]), amount, c[4], span=self.sp(meta))

    def type_decl(self, meta: Any, c: list[Any]) -> ast.TypeDecl:
        names = [str(t) for t in c if isinstance(t, Token) and t.type == "NAME"]
        cite = c[-1] if isinstance(c[-1], ast.Citation) else None
        return ast.TypeDecl(names[0], tuple(names[1:]), cite, span=self.sp(meta))

    def input_decl(self, meta: Any, c: list[Any]) -> ast.InputDecl:
        # INPUT_KW NAME COLON type_spec input_opt* [cite]
        name = str(c[1])
        opts = [x for x in c[4:] if isinstance(x, tuple)]
        default = next((v for k, v in opts if k == "default"), None)
        negative = any(k == "negative" for k, _v in opts)
        cite = c[-1] if isinstance(c[-1], ast.Citation) else None
        return ast.InputDecl(name, c[3], default, cite, negative, span=self.sp(meta))

    def opt_default(self, meta: Any, c: list[Any]) -> tuple[str, Any]:
        return ("default", c[2])

    def opt_negative(self, meta: Any, c: list[Any]) -> tuple[str, Any]:
        return ("negative", True)

    def t_named(self, meta: Any, c: list[Any]) -> ast.NamedType:
        word, per = c[0]
        unit, unit_per = c[2] if c[2] is not None else (None, None)
        return ast.NamedType(word, per, unit, unit_per, span=self.sp(meta))

    def t_inline_enum(self, meta: Any, c: list[Any]) -> ast.InlineEnum:
        return ast.InlineEnum(tuple(str(t) for t in c if t.type == "NAME"), span=self.sp(meta))

    def type_word(self, meta: Any, c: list[Any]) -> tuple[str, str | None]:
        return self.unit(meta, c)

    def unit(self, meta: Any, c: list[Any]) -> tuple[str, str | None]:
        # 元/人/月: the first name over every later one (per-units joined with /)
        names = [str(t) for t in c if isinstance(t, Token) and t.type in ("NAME", "DATE_KW")]
        return (names[0], "/".join(names[1:]) or None)

    def definition(self, meta: Any, c: list[Any]) -> ast.Definition:
        # DEF_KW NAME [COLON type_spec def_opt* [per_item]] def_body
        kw, name, _colon, type_spec, *opts, each, (body, local) = c
        kind = ast.DEF_KINDS[str(kw)]
        rounding = next((str(v) for k, v in opts if k == "round"), None)
        return ast.Definition(kind, str(name), type_spec, rounding, body,
                              negative=any(k == "negative" for k, _v in opts),
                              given=any(k == "given" for k, _v in opts), span=self.sp(meta), local=local,
                              each=each[0] if each else None, each_word=each[1] if each else "")

    def dopt_round(self, meta: Any, c: list[Any]) -> tuple[str, Any]:
        return ("round", c[1])

    def dopt_negative(self, meta: Any, c: list[Any]) -> tuple[str, Any]:
        return ("negative", True)

    def dopt_given(self, meta: Any, c: list[Any]) -> tuple[str, Any]:
        return ("given", True)

    def b_inline(self, meta: Any, c: list[Any]) -> tuple[ast.ExprValue, bool]:
        return ast.ExprValue(c[1], c[3], span=self.sp(meta)), c[2] is not None

    def b_block(self, meta: Any, c: list[Any]) -> tuple[ast.BlockValue, bool]:
        selector, local, cite = c[0], c[1], c[2]
        branches = tuple(x for x in c[3:] if isinstance(x, (ast.IfBranch, ast.ElseBranch, ast.CaseBranch)))
        return ast.BlockValue(selector, branches, cite, span=self.sp(meta)), local is not None

    def added_input(self, meta: Any, c: list[Any]) -> ast.InputDecl:
        decl: ast.InputDecl = c[1]
        return attrs.evolve(decl, added=True, span=self.sp(meta))

    def added_definition(self, meta: Any, c: list[Any]) -> ast.Definition:
        d: ast.Definition = c[1]
        return attrs.evolve(d, added=True, span=self.sp(meta))

    def selector(self, meta: Any, c: list[Any]) -> ast.Selector:
        return ast.Selector(c[1], c[2] is not None, span=self.sp(meta))

    def br_if(self, meta: Any, c: list[Any]) -> ast.IfBranch:
        return ast.IfBranch(c[1], c[3], span=self.sp(meta))

    def br_else(self, meta: Any, c: list[Any]) -> ast.ElseBranch:
        return ast.ElseBranch(c[-1], span=self.sp(meta))

    def br_case(self, meta: Any, c: list[Any]) -> ast.CaseBranch:
        return ast.CaseBranch(c[0], c[2], span=self.sp(meta))

    def v_expr(self, meta: Any, c: list[Any]) -> ast.ExprValue:
        return ast.ExprValue(c[0], c[1], span=self.sp(meta))

    def v_same(self, meta: Any, c: list[Any]) -> ast.SameValue:
        return ast.SameValue(str(c[1]), c[2], span=self.sp(meta))

    def v_block(self, meta: Any, c: list[Any]) -> ast.BlockValue:
        branches = tuple(x for x in c[2:] if isinstance(x, (ast.IfBranch, ast.ElseBranch, ast.CaseBranch)))
        return ast.BlockValue(c[0], branches, c[1], span=self.sp(meta))

    def v_cond(self, meta: Any, c: list[Any]) -> ast.BlockValue:
        branches = tuple(x for x in c[1:] if isinstance(x, (ast.IfBranch, ast.ElseBranch, ast.CaseBranch)))
        return ast.BlockValue(None, branches, c[0], span=self.sp(meta))

    def k_enum(self, meta: Any, c: list[Token]) -> ast.EnumKey:
        return ast.EnumKey(tuple(str(t) for t in c if t.type == "NAME"), span=self.sp(meta))

    def k_band(self, meta: Any, c: list[Any]) -> ast.BandKey:
        key: ast.BandKey = c[0]
        return key

    def k_other(self, meta: Any, c: list[Any]) -> ast.OtherKey:
        return ast.OtherKey(span=self.sp(meta))

    def k_dated(self, meta: Any, c: list[Any]) -> ast.DatedKey:
        end = self._date(c[4]) if c[4] is not None else None
        return ast.DatedKey(self._date(c[1]), end, span=self.sp(meta))

    def _band(self, meta: Any, lower: ast.Bound | None, upper: ast.Bound | None,
              quals: list[tuple[bool, ast.Number | None, Token]], c: list[Any]) -> ast.BandKey:
        for inclusive, number, tok in quals:
            targets = [b for b in (lower, upper) if b is not None]
            if number is not None:
                targets = [b for b in targets if isinstance(b.value, ast.Number) and b.value.value == number.value
                           and (number.unit is None or b.value.unit in (None, number.unit))]
                if not targets:
                    raise _BadText(tok, f"括号里的「{number.text}」不是本分段的边界")
            elif len(targets) > 1:
                raise _BadText(tok, "分段有两个边界，请在括号里写明含或不含哪一个，如「（不含3000元）」")
            for b in targets:
                new = attrs_evolve(b, inclusive=inclusive, explicit=True)
                if b is lower:
                    lower = new
                else:
                    upper = new
        text = self.source[meta.start_pos:meta.end_pos].strip() if not meta.empty else ""
        part = any(isinstance(x, Token) and x.type == "PART_KW" for x in c)
        return ast.BandKey(lower, upper, text, part, span=self.sp(meta))

    def band_range(self, meta: Any, c: list[Any]) -> ast.BandKey:
        bounds = [x for x in c if isinstance(x, tuple) and len(x) == 2]
        quals = [x for x in c if isinstance(x, tuple) and len(x) == 3]
        lower = next((b for kind, b in bounds if kind == "lo"), None)
        upper = next((b for kind, b in bounds if kind == "hi"), None)
        return self._band(meta, lower, upper, quals, c)

    def band_between(self, meta: Any, c: list[Any]) -> ast.BandKey:
        lo, hi = self._number(c[0]), self._number(c[2])
        word = str(c[1])
        lower = ast.Bound(lo, True, False, word, span=lo.span)
        upper = ast.Bound(hi, True, False, word, span=hi.span)
        return self._band(meta, lower, upper, [q for q in c[3:] if isinstance(q, tuple)], c)

    def band_over_to(self, meta: Any, c: list[Any]) -> ast.BandKey:
        # 超过36000元至144000元: above the first (exclusive), up to the second (inclusive).
        lo, hi = self._bound_value(c[1]), self._bound_value(c[3])
        lower = ast.Bound(lo, False, False, str(c[0]), span=lo.span)
        upper = ast.Bound(hi, True, False, str(c[2]), span=hi.span)
        return self._band(meta, lower, upper, [q for q in c[4:] if isinstance(q, tuple)], c)

    def lo_qual(self, meta: Any, c: list[Any]) -> tuple[str, ast.Bound]:
        # 36000元（含）以上: the bracket says whether the number itself belongs.
        inclusive = c[1][0]
        return ("lo", ast.Bound(self._number(c[0]), inclusive, True, str(c[2]), span=self.sp(meta)))

    def hi_qual(self, meta: Any, c: list[Any]) -> tuple[str, ast.Bound]:
        inclusive = c[1][0]
        return ("hi", ast.Bound(self._number(c[0]), inclusive, True, str(c[2]), span=self.sp(meta)))

    def lo_word_incl(self, meta: Any, c: list[Token]) -> tuple[str, ast.Bound]:
        return ("lo", ast.Bound(self._number(c[1]), True, False, str(c[0]), span=self.sp(meta)))

    def hi_word_incl(self, meta: Any, c: list[Token]) -> tuple[str, ast.Bound]:
        return ("hi", ast.Bound(self._bound_value(c[1]), True, False, str(c[0]), span=self.sp(meta)))

    def lo_incl(self, meta: Any, c: list[Token]) -> tuple[str, ast.Bound]:
        return ("lo", ast.Bound(self._number(c[0]), True, False, str(c[1]), span=self.sp(meta)))

    def lo_excl(self, meta: Any, c: list[Token]) -> tuple[str, ast.Bound]:
        return ("lo", ast.Bound(self._bound_value(c[1]), False, False, str(c[0]), span=self.sp(meta)))

    def hi_incl(self, meta: Any, c: list[Token]) -> tuple[str, ast.Bound]:
        return ("hi", ast.Bound(self._number(c[0]), True, False, str(c[1]), span=self.sp(meta)))

    def hi_excl(self, meta: Any, c: list[Token]) -> tuple[str, ast.Bound]:
        return ("hi", ast.Bound(self._bound_value(c[1]), False, False, str(c[0]), span=self.sp(meta)))

    def _bound_value(self, tok: Token) -> ast.Number | ast.Name:
        """A band's bound: a number, or (in a progressive scale) a parameter's name."""
        if tok.type == "NAME":
            return ast.Name(unmask(str(tok)), span=token_span(self.file, tok))
        return self._number(tok)

    def q_incl(self, meta: Any, c: list[Any]) -> tuple[bool, ast.Number | None, Token]:
        return (True, self._number(c[2]) if c[2] is not None else None, c[1])

    def q_excl(self, meta: Any, c: list[Any]) -> tuple[bool, ast.Number | None, Token]:
        return (False, self._number(c[2]) if c[2] is not None else None, c[1])

    # ------------------------------------------------------------ examples

    def assertion(self, meta: Any, c: list[Any]) -> ast.Assertion:
        return ast.Assertion(c[1], c[2], span=self.sp(meta))

    def article_text(self, meta: Any, c: list[Any]) -> ast.ArticleText:
        lines = [t for t in c if isinstance(t, Token) and t.type == "ARTICLE_LINE"]
        return ast.ArticleText(str(c[1]).replace("(", "（").replace(")", "）"), tuple(str(t).rstrip() for t in lines),
                               tuple(t.line or 0 for t in lines), span=self.sp(meta))

    def example(self, meta: Any, c: list[Any]) -> ast.Example:
        tok = c[1]
        name = str(tok)[1:-1] if tok.type == "STRING" else str(tok)
        date = None
        inputs: list[tuple[str, ast.LitValue]] = []
        expects: list[tuple[str, ast.LitValue]] = []
        not_in_force = False
        error: str | None = None
        known = None
        for line in c[2:]:
            if not isinstance(line, tuple):
                continue
            kind = line[0]
            if kind == "date":
                date = line[1]
            elif kind == "input":
                inputs.append((line[1], line[2]))
            elif kind == "expect":
                expects.append((line[1], line[2]))
            elif kind == "nif":
                not_in_force = True
            elif kind == "error":
                error = line[1]
            elif kind == "known":
                known = line[1]
        return ast.Example(name, date, tuple(inputs), tuple(expects), not_in_force, error, known,
                           span=self.sp(meta))

    def ex_date(self, meta: Any, c: list[Any]) -> tuple[Any, ...]:
        return ("date", self._date(c[2]))

    def ex_input(self, meta: Any, c: list[Any]) -> tuple[Any, ...]:
        return ("input", str(c[0]), c[2])

    def ex_expect(self, meta: Any, c: list[Any]) -> tuple[Any, ...]:
        return ("expect", str(c[1]), c[3])

    def ex_not_in_force(self, meta: Any, c: list[Any]) -> tuple[Any, ...]:
        return ("nif",)

    def ex_error(self, meta: Any, c: list[Any]) -> tuple[Any, ...]:
        return ("error", str(c[2])[1:-1] if c[2] is not None else "")

    def ex_known(self, meta: Any, c: list[Any]) -> tuple[Any, ...]:
        return ("known", self._date(c[1]))

    def lit_number(self, meta: Any, c: list[Token]) -> ast.LitValue:
        return ast.LitValue(self._number(c[0]), span=self.sp(meta))

    def lit_neg(self, meta: Any, c: list[Token]) -> ast.LitValue:
        return ast.LitValue(self._number(c[1]), negative=True, span=self.sp(meta))

    def lit_date(self, meta: Any, c: list[Token]) -> ast.LitValue:
        return ast.LitValue(ast.DateLit(self._date(c[0]), span=self.sp(meta)), span=self.sp(meta))

    def lit_yearmonth(self, meta: Any, c: list[Token]) -> ast.LitValue:
        return ast.LitValue(self._year_month(c[0], meta), span=self.sp(meta))

    def _year_month(self, tok: Token, meta: Any) -> ast.DateLit:
        m = re.fullmatch(r"(\d{4})年(\d{1,2})月", str(tok))
        assert m is not None  # INVARIANT: the YEARMONTH terminal only matches this shape
        if not 1 <= int(m[2]) <= 12:
            raise _DateError(tok)
        return ast.DateLit(datetime.date(int(m[1]), int(m[2]), 1), span=self.sp(meta), year_month=True)

    def lit_true(self, meta: Any, c: list[Token]) -> ast.LitValue:
        return ast.LitValue(ast.Bool(True, span=self.sp(meta)), span=self.sp(meta))

    def lit_false(self, meta: Any, c: list[Token]) -> ast.LitValue:
        return ast.LitValue(ast.Bool(False, span=self.sp(meta)), span=self.sp(meta))

    def lit_name(self, meta: Any, c: list[Token]) -> ast.LitValue:
        return ast.LitValue(ast.Name(str(c[0]), span=self.sp(meta)), span=self.sp(meta))

    def lit_text(self, meta: Any, c: list[Token]) -> ast.LitValue:
        """A text in quotes (「…」, “…”, "…"): a 文本 field's value that is not a name (an ID number,
        a name with a space or a bracket)."""
        return ast.LitValue(ast.Name(str(c[0])[1:-1], span=self.sp(meta)), span=self.sp(meta), quoted=True)

    # ------------------------------------------------------------ expressions

    def e_if(self, meta: Any, c: list[Any]) -> ast.If:
        return ast.If(c[1], c[3], c[5], span=self.sp(meta))

    def e_cap(self, meta: Any, c: list[Any]) -> ast.Cap:
        return ast.Cap("min" if str(c[1]) == "最高" else "max", c[0], c[2], span=self.sp(meta))

    def e_or(self, meta: Any, c: list[Any]) -> ast.Logic:
        return ast.Logic("or", c[0], c[2], span=self.sp(meta))

    def e_and(self, meta: Any, c: list[Any]) -> ast.Logic:
        return ast.Logic("and", c[0], c[2], span=self.sp(meta))

    def e_not(self, meta: Any, c: list[Any]) -> ast.Not:
        return ast.Not(c[1], span=self.sp(meta))

    def e_cmp(self, meta: Any, c: list[Any]) -> ast.Compare:
        tok = c[1]
        return ast.Compare(_CMP[tok.type], c[0], c[2], str(tok), span=self.sp(meta))

    def cmp_op(self, meta: Any, c: list[Token]) -> Token:
        return c[0]

    def e_bin(self, meta: Any, c: list[Any]) -> ast.Binary:
        return ast.Binary(_OPS[str(c[1])], c[0], c[2], span=self.sp(meta))

    def e_neg(self, meta: Any, c: list[Any]) -> ast.Neg:
        return ast.Neg(c[1], span=self.sp(meta))

    def e_number(self, meta: Any, c: list[Token]) -> ast.Number:
        return self._number(c[0])

    def e_date(self, meta: Any, c: list[Token]) -> ast.DateLit:
        return ast.DateLit(self._date(c[0]), span=self.sp(meta))

    def e_yearmonth(self, meta: Any, c: list[Token]) -> ast.DateLit:
        return self._year_month(c[0], meta)

    def e_per_full(self, meta: Any, c: list[Any]) -> ast.Binary:
        # 工作年限 每满 一年: how many whole years the duration holds
        return ast.Binary("per_full", c[0], c[2], span=self.sp(meta))

    def e_true(self, meta: Any, c: list[Token]) -> ast.Bool:
        return ast.Bool(True, span=self.sp(meta))

    def e_false(self, meta: Any, c: list[Token]) -> ast.Bool:
        return ast.Bool(False, span=self.sp(meta))

    def e_name(self, meta: Any, c: list[Token]) -> ast.Name:
        return ast.Name(str(c[0]), span=self.sp(meta))

    def e_call(self, meta: Any, c: list[Any]) -> ast.Call:
        args = tuple(x for x in c[2:] if x is not None and not (isinstance(x, Token) and x.type in self._PUNCT))
        return ast.Call(str(c[0]), args, span=self.sp(meta))

    def e_round(self, meta: Any, c: list[Any]) -> ast.Round:
        return ast.Round(str(c[0]), c[2], span=self.sp(meta))

    def atom(self, meta: Any, c: list[Any]) -> Any:  # ( expr )
        return c[1]


class _BadText(Exception):
    def __init__(self, token: Token, message: str) -> None:
        super().__init__(message)
        self.token = token
        self.message = message


def attrs_evolve(bound: ast.Bound, **changes: Any) -> ast.Bound:
    return attrs.evolve(bound, **changes)


_FULLWIDTH_HINTS = {"【": "「", "】": "」", "［": "（", "］": "）", "｛": "（", "｝": "）", "＂": "「"}


def _syntax_diagnostic(exc: Exception, file: str, source: str) -> Diagnostic:
    if isinstance(exc, LimitError):
        return Diagnostic("error", "E015", exc.message, token_span(file, exc.token),
                          hint="把它拆成几个「定义」，每个写一部分")
    if isinstance(exc, IndentError):
        tok = exc.token
        line = (tok.end_line or tok.line or 1)
        return Diagnostic("error", "E010", exc.message, ast.Span(file, line, 1, line, 2),
                          hint="同一层的行要对齐；子项比上一行多缩进两个或四个空格")
    if isinstance(exc, _BadText):
        return Diagnostic("error", "E011", exc.message, token_span(file, exc.token))
    if isinstance(exc, _DateError):
        return Diagnostic("error", "E012", f"日期「{exc.token}」不存在", token_span(file, exc.token),
                          hint="检查月份和日期（例如 2月没有30日，2023年2月没有29日）")
    if isinstance(exc, UnexpectedToken) and exc.token.type == "ARTICLE_LINE":  # no terminal but 原文's matched
        exc = UnexpectedCharacters(source, exc.token.start_pos or 0, exc.token.line, exc.token.column)  # type: ignore[no-untyped-call]
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        ch = source[pos] if pos < len(source) else ""
        hint = None
        if ch in _FULLWIDTH_HINTS:
            hint = f"「{ch}」在这里不能用，请改用「{_FULLWIDTH_HINTS[ch]}」"
        elif ch.isdigit():
            hint = digit_name_hint(source, exc.line, exc.column) or "数值要和前面的名称用空格或运算符隔开"
        return Diagnostic("error", "E013", f"无法识别「{ch}」", ast.Span(file, exc.line, exc.column, exc.line,
                          exc.column + 1), hint=hint)
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        expected = expected_words(set(exc.expected))
        if tok.type != "$END":
            line = (tok.end_line or 1) if tok.type == "_INDENT" else (tok.line or 1)
            found = misplaced_line(file, source, line, expected)
            if found is not None:
                return found
        if tok.type == "$END":
            span = ast.Span(file, max(source.count("\n"), 1), 1, max(source.count("\n"), 1), 2)
            return Diagnostic("error", "E014", f"文件意外结束，这里还需要：{expected}", span)
        if tok.type == "_NL":
            where = token_span(file, tok)
            span = ast.Span(file, where.line, where.column, where.line, where.column + 1)
            hint = unfinished_line_hint(source, where.line)
            return Diagnostic("error", "E014", f"这一行没有写完，这里还需要：{expected}", span, hint=hint)
        if tok.type in ("_INDENT", "_DEDENT"):
            line = tok.end_line or tok.line or 1
            span = ast.Span(file, line, 1, line, 2)
            what = "多了缩进" if tok.type == "_INDENT" else "缩进提前结束"
            return Diagnostic("error", "E010", f"这一行{what}，这里需要：{expected}", span)
        hint = None
        if tok.line:
            hint = band_row_hint(source, tok.line)
            if hint is None and tok.type == "NAME":
                hint = unit_hint(source, tok.line, tok.column or 1, str(tok))
            hint = hint or digit_name_hint(source, tok.line, tok.column or 1)
        if hint is None and tok.type == "NAME":
            hint = glued_hint(str(tok))
        if hint is None and tok.line:
            # The culprit is often the word just before: 「若住院期间 则」 lexes 若住院期间 as one name.
            before = source.split("\n")[tok.line - 1][:max((tok.column or 1) - 1, 0)]
            words = re.findall(r"[\u3400-\u4dbf\u4e00-\u9fffA-Za-z_·]+", before)
            if words:
                hint = glued_hint(words[-1])
        return Diagnostic("error", "E014", f"这里不应出现「{tok}」，需要：{expected}", token_span(file, tok), hint=hint)
    if isinstance(exc, UnexpectedEOF):
        span = ast.Span(file, max(source.count("\n"), 1), 1, max(source.count("\n"), 1), 2)
        return Diagnostic("error", "E014", "文件意外结束", span)
    raise exc


def _blank_statement(source: str, line: int) -> str:
    """Blank the top-level statement holding `line` so parsing can go on past it."""
    lines = source.split("\n")
    idx = min(max(line - 1, 0), len(lines) - 1)
    start = idx
    while start > 0 and (lines[start][:1] in (" ", "\t", "\u3000") or not lines[start].strip()):
        start -= 1
    end = idx + 1
    while end < len(lines) and (lines[end][:1] in (" ", "\t", "\u3000") or not lines[end].strip()):
        end += 1
    for i in range(start, end):
        lines[i] = ""
    return "\n".join(lines)


def parse(source: str, file: str = "<输入>") -> ast.RuleFile:
    """Parse a whole file; raises CompileError listing every syntax error found."""
    text = source.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    diagnostics: list[Diagnostic] = []
    attempt = mask_digit_names(text)
    lark = lark_for(declared_units(text))
    tree: list[Any] | None = None
    for _ in range(20):
        found: list[Diagnostic] = []
        try:
            parsed = lark.parse(attempt)
            found, chains = depth_diagnostics(parsed, file)
            if chains:  # blanking one definition of a chain would only shorten it: stop here
                diagnostics.extend(chains)
                break
            if not found:
                tree = _ToAst(file, unmask(attempt)).transform(parsed)
                break
        except VisitError as exc:
            inner = exc.orig_exc
            if not isinstance(inner, (_BadText, _DateError)):
                raise
            found = [_syntax_diagnostic(inner, file, text)]
        except (UnexpectedInput, IndentError) as exc:
            found = [_syntax_diagnostic(exc, file, text)]
        except (RecursionError, MemoryError):
            # INVARIANT: the limits above keep every stage well inside Python's stack; this only
            # stops a traceback should the input still be too large for this machine.
            found = [Diagnostic("error", "E015", "文件过大或嵌套过深，无法解析", ast.Span(file, 1, 1, 1, 2),
                                hint=f"每条语句的嵌套不超过 {MAX_DEPTH} 层，长度不超过 {MAX_STATEMENT_TOKENS} 个词")]
            diagnostics.extend(found)
            break
        diagnostics.extend(found)
        blanked = attempt
        for diag in found:
            blanked = _blank_statement(blanked, diag.span.line)
        if blanked == attempt:
            break
        attempt = blanked
    if diagnostics:
        raise CompileError(diagnostics, {file: source})
    assert tree is not None
    comments = scan_comments(text)
    return ast.RuleFile(
        path=file,
        documents=tuple(x for x in tree if isinstance(x, ast.Document)),
        types=tuple(x for x in tree if isinstance(x, ast.TypeDecl)),
        inputs=tuple(x for x in tree if isinstance(x, ast.InputDecl)),
        definitions=tuple(x for x in tree if isinstance(x, ast.Definition)),
        examples=tuple(x for x in tree if isinstance(x, ast.Example)),
        comments=comments,
        assertions=tuple(x for x in tree if isinstance(x, ast.Assertion)),
        units=tuple(x for x in tree if isinstance(x, ast.UnitDecl)),
        records=tuple(x for x in tree if isinstance(x, ast.RecordDecl)),
        articles=tuple(x for x in tree if isinstance(x, ast.ArticleText)),
        order=tuple(tree),
    )


def parse_tree(source: str) -> Tree[Token]:
    """The raw Lark tree, for debugging the grammar."""
    return _lark().parse(source if source.endswith("\n") else source + "\n")
