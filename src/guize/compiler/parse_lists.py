"""Parse-tree rules for records, lists, aggregates and per-item definitions (mixed into the parser)."""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args

from guize.compiler import ast


@v_args(meta=True)
class ListsToAst(Transformer):  # type: ignore[type-arg]
    """The _ToAst rules of the list constructs; `sp` is the parser's span maker."""

    sp: Any

    def record_decl(self, meta: Any, c: list[Any]) -> ast.RecordDecl:
        # TYPE_KW NAME COLON [cite] field_decl+
        fields = tuple(x for x in c[4:] if isinstance(x, ast.InputDecl))
        cite = c[3] if isinstance(c[3], ast.Citation) else None
        return ast.RecordDecl(str(c[1]), fields, cite, span=self.sp(meta))

    def field_decl(self, meta: Any, c: list[Any]) -> ast.InputDecl:
        # NAME COLON type_spec input_opt* [cite]: a field reads like an input
        opts = [x for x in c[3:] if isinstance(x, tuple)]
        default = next((v for k, v in opts if k == "default"), None)
        negative = any(k == "negative" for k, _v in opts)
        roles = tuple(v for k, v in opts if k == "role")
        cite = c[-1] if isinstance(c[-1], ast.Citation) else None
        return ast.InputDecl(str(c[0]), c[2], default, cite, negative, span=self.sp(meta), roles=roles)

    def field_opt(self, meta: Any, c: list[Any]) -> tuple[str, str]:
        return ("role", str(c[1]))

    def per_item(self, meta: Any, c: list[Any]) -> tuple[str, str]:
        return (str(c[2]), str(c[3]))

    def e_agg(self, meta: Any, c: list[Any]) -> ast.Aggregate:
        # NAME ( source 中 filter [的 value] )
        return ast.Aggregate(str(c[0]), c[2], c[4], c[6], span=self.sp(meta))

    def e_agg_of(self, meta: Any, c: list[Any]) -> ast.Aggregate:
        # NAME ( source 的 value )
        return ast.Aggregate(str(c[0]), c[2], None, c[4], span=self.sp(meta))

    def e_upto(self, meta: Any, c: list[Any]) -> ast.Running:
        # NAME ( arg ， 至 NAME )
        return ast.Running(str(c[0]), c[2], str(c[5]), span=self.sp(meta))

    def e_month_of(self, meta: Any, c: list[Any]) -> ast.MonthOf:
        # MONTH_OF NAME: 当年1月的 居住面积 (the token ends with 的)
        return ast.MonthOf(str(c[0])[:-1], str(c[1]), span=self.sp(meta))

    def record_line(self, meta: Any, c: list[Any]) -> tuple[tuple[str, ast.LitValue], ...]:
        names = [x for x in c if isinstance(x, Token) and x.type == "NAME"]
        values = [x for x in c if isinstance(x, ast.LitValue)]
        return tuple((str(n), v) for n, v in zip(names, values, strict=True))

    def ex_list(self, meta: Any, c: list[Any]) -> tuple[Any, ...]:
        items = tuple(x for x in c[2:] if isinstance(x, tuple))
        return ("input", str(c[0]), ast.RecordsValue(items, span=self.sp(meta)))

    def ex_empty(self, meta: Any, c: list[Any]) -> tuple[Any, ...]:
        return ("input", str(c[0]), ast.RecordsValue((), span=self.sp(meta)))

    def ex_expect_list(self, meta: Any, c: list[Any]) -> tuple[Any, ...]:
        items = tuple(x for x in c[3:] if isinstance(x, ast.LitValue))
        return ("expect", str(c[1]), ast.ListValue(items, span=self.sp(meta)))

    def ex_expect_empty(self, meta: Any, c: list[Any]) -> tuple[Any, ...]:
        return ("expect", str(c[1]), ast.ListValue((), span=self.sp(meta)))
