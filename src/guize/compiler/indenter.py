"""The postlexer: line breaks become _INDENT/_DEDENT tokens (the grammar's blocks), with the
limit on a statement's length and the continuation of a formula on a more indented line."""

from __future__ import annotations

from collections.abc import Iterator

from lark import Token
from lark.lark import PostLex

from guize.compiler.lexicon import unmask
from guize.compiler.limits import MAX_STATEMENT_TOKENS

_TAB = 4

class IndentError(Exception):
    def __init__(self, token: Token, message: str) -> None:
        super().__init__(message)
        self.token = token
        self.message = message


class LimitError(IndentError):
    """A statement longer than MAX_STATEMENT_TOKENS (raised by the postlexer)."""


# A line that ends with one of these continues on the next, more indented line (a long
# formula written 「输出 合计：金额 =」 and then its expression, or broken after an operator).
CONTINUE_AFTER = frozenset(["EQ", "PLUS", "MINUS", "TIMES", "DIV", "AND_KW", "OR_KW", "CAP_KW"])


class Indenter(PostLex):
    """Turn line breaks into _INDENT/_DEDENT tokens; newlines inside brackets are ignored, and so
    is a newline after `=` or an operator when the next line is indented deeper (a continuation).

    U+3000 (full-width space) counts as two columns, a tab as four.
    """

    always_accept = ("_NL",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        levels = [0]
        parens = 0
        count = 0
        token = None
        last = ""  # the type of the last token passed on
        for token in stream:
            count += 1
            if count > MAX_STATEMENT_TOKENS:
                raise LimitError(token, f"这一行过长：一条语句超过 {MAX_STATEMENT_TOKENS} 个词"
                                         "（数值、名称、运算符各算一个）")
            if token.type == "_NL":
                if parens:
                    continue
                tail = token.value.rsplit("\n", 1)[1]
                indent = tail.count(" ") + tail.count("\t") * _TAB + tail.count("\u3000") * 2
                if last in CONTINUE_AFTER and indent > levels[-1]:
                    continue
                count = 0
                last = "_NL"
                yield token
                if indent > levels[-1]:
                    levels.append(indent)
                    yield Token.new_borrow_pos("_INDENT", tail, token)
                else:
                    while indent < levels[-1]:
                        levels.pop()
                        yield Token.new_borrow_pos("_DEDENT", tail, token)
                    if indent != levels[-1]:
                        raise IndentError(token, f"缩进不一致：这一行缩进 {indent} 格，"
                                                  f"与上文任何一层（{levels[-1]} 格）都不对齐")
                continue
            if token.type == "LPAR":
                parens += 1
            elif token.type == "RPAR":
                parens = max(parens - 1, 0)
            elif token.type in ("STRING", "TITLE"):  # may quote a declared name with digits
                token = Token.new_borrow_pos(token.type, unmask(token.value), token)
            last = token.type
            yield token
        while len(levels) > 1:
            levels.pop()
            yield Token("_DEDENT", "", 0, 0, 0, 0, 0, 0) if token is None else Token.new_borrow_pos("_DEDENT", "", token)
