"""Size limits of a file (規模限制, docs/language.md): nesting per statement, nested blocks, nesting
counted through the definitions a definition uses, statement length and numeric literals.

Later stages (checker, code generators, formatter, interpreter, Python's own compiler) recurse over
the syntax tree, so the parser refuses, with E015 and the place, any tree deeper than these limits.
"""

from __future__ import annotations

from lark import Token, Tree

from guize.compiler import ast
from guize.compiler.diagnostics import Diagnostic, token_span

# Limits (documented in docs/language.md, 「规模限制」). Later stages (checker, code generators,
# formatter, interpreter, Python's own compiler) recurse over the syntax tree, so no tree deeper
# than MAX_DEPTH leaves the parser; MAX_STATEMENT_TOKENS stops a runaway line before Lark
# builds a tree for it.
MAX_DEPTH = 64
MAX_BLOCK_DEPTH = 32  # blocks of branches inside blocks (each also counts towards MAX_DEPTH)
MAX_STATEMENT_TOKENS = 20_000
# The checker, code generators and interpreter also recurse through the definitions a definition
# uses: its nesting counted through them (each use adds the level it is used at) is bounded too.
MAX_REFERENCE_DEPTH = 128
# Numeric literals: at most this many digits before the point (万/亿 applied) and after it, so any
# literal, scaled by any unit (亿元), stays exact in the 28 digits the compiler and runtime use.
MAX_INTEGER_DIGITS = 18
MAX_FRACTION_DIGITS = 10

# Parse-tree rules that add one level of nesting: operators (a chain `a + b + c` nests one level
# per operator), calls, parentheses, unary minus, 非, 若…则…否则, and each block of branches.
NESTING = frozenset({"e_if", "e_cap", "e_or", "e_and", "e_not", "e_cmp", "e_bin", "e_neg", "e_call",
                      "e_round", "atom", "b_block", "v_block", "v_cond"})
BLOCKS = frozenset({"b_block", "v_block", "v_cond"})


def depth_diagnostics(tree: Tree[Token], file: str) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """「嵌套过深」 errors: one for each definition nested deeper than the limits, or else one for
    the deepest chain of definitions using definitions. Iterative: the tree may be thousands of
    levels deep here, and nothing after this sees such a tree."""
    out = []
    uses: dict[str, list[tuple[str, int, Token]]] = {}  # definition -> (name used, its level, token)
    own: dict[str, int] = {}  # definition -> its own nesting
    for statement in tree.children:
        if not isinstance(statement, Tree) or statement.data != "definition":
            continue  # only definitions nest
        name = str(statement.children[1])
        used = uses.setdefault(name, [])
        deepest = 0
        stack: list[tuple[Tree[Token], int, int, str]] = [(statement, 0, 0, "")]
        pop, push = stack.pop, stack.append
        while stack:
            node, depth, blocks, parent = pop()
            data = node.data
            if data in NESTING:
                depth += 1
                if data == "e_call":  # 取较小值(a, b, c) nests like a 最高 b 最高 c
                    depth += max(sum(isinstance(c, Tree) for c in node.children) - 2, 0)
                if data in BLOCKS:
                    blocks += 1
                if depth > MAX_DEPTH or blocks > MAX_BLOCK_DEPTH:
                    out.append(_depth_diagnostic(node, parent, file))
                    break
            elif data == "e_name":  # using a definition is one more level
                tok = node.children[0]
                assert isinstance(tok, Token)  # INVARIANT: e_name is a NAME token
                used.append((str(tok), depth + 1, tok))
            deepest = max(deepest, depth)
            for c in node.children:
                if isinstance(c, Tree) and c.children:
                    push((c, depth, blocks, data))
        own[name] = max(own.get(name, 0), deepest)
    return out, _reference_depth(uses, own, file) if not out else []


def _reference_depth(uses: dict[str, list[tuple[str, int, Token]]], own: dict[str, int],
                     file: str) -> list[Diagnostic]:
    """The nesting of each definition counted through the definitions it uses (longest path,
    computed without recursion; a cycle is the checker's to report, and counts once)."""
    total: dict[str, int] = {}
    via: dict[str, Token | None] = {}
    for root in uses:
        if root in total:
            continue
        stack = [(root, False)]
        visiting = set()
        while stack:
            name, done = stack.pop()
            if done:
                best, tok = own[name], None
                for used, level, t in uses[name]:
                    if total.get(used, -1) + level > best:
                        best, tok = total[used] + level, t
                total[name], via[name] = best, tok
                visiting.discard(name)
                continue
            if name in total or name in visiting:
                continue
            visiting.add(name)
            stack.append((name, True))
            stack.extend((u, False) for u, _, _ in uses[name] if u in uses and u not in total)
    out = []
    for name, depth in total.items():
        tok = via[name]
        if depth > MAX_REFERENCE_DEPTH and tok is not None:
            out.append(Diagnostic(
                "error", "E015", f"嵌套过深：「{name}」经由它引用的定义层层嵌套，合计超过了 {MAX_REFERENCE_DEPTH} 层的上限"
                f"（{depth} 层）", token_span(file, tok),
                hint="减少层层相引的定义：把几步合并成一个公式，或让多个定义直接引用同一个中间结果"))
            break  # one is enough: the others are usually the same chain
    return out


def _depth_diagnostic(node: Tree[Token], parent: str, file: str) -> Diagnostic:
    chain = node.data in ("e_bin", "e_and", "e_or", "e_cap") and parent == node.data
    while chain and isinstance(node.children[0], Tree) and node.children[0].data == node.data:
        node = node.children[0]  # point at the chain's first operator
    if node.data in ("b_block", "v_block", "v_cond"):  # point at the block's first branch
        node = next((c for c in node.children if isinstance(c, Tree) and c.data.startswith("br_")), node)
    tok = next((c for c in node.children if isinstance(c, Token) and c.line and c.type != "_NL"), None)
    if tok is not None:
        span = token_span(file, tok)
    else:
        meta = node.meta
        span = ast.Span(file, meta.line, meta.column, meta.line, meta.column + 1)
    if node.data.startswith("br_"):
        message = f"嵌套过深：分支块一层套一层，超过了 {MAX_BLOCK_DEPTH} 层的上限"
    else:
        what = ("一串连续运算太长（每个运算符算一层）" if chain else
                "函数的参数太多（第二个以后的每个参数各算一层）" if node.data == "e_call" and
                sum(isinstance(c, Tree) for c in node.children) > 2 else
                "括号、负号、「非」、「若…则…否则」、函数调用或分支块一层套一层")
        message = f"嵌套过深：{what}，超过了 {MAX_DEPTH} 层的上限"
    return Diagnostic("error", "E015", message, span, hint="把内层的部分写成单独的「定义」，在这里引用它的名称")
