"""Rule files of a chosen nesting depth, one per construct that nests (see limits.MAX_DEPTH).

Each shape(n) returns a whole file whose deepest statement nests exactly n levels as the parser
counts them: parentheses, operators (one per operator in a chain), calls, unary minus, 非,
若…则…否则 and blocks of branches.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from guize.compiler.limits import MAX_BLOCK_DEPTH, MAX_DEPTH, MAX_REFERENCE_DEPTH

HEAD = """文件：
  标题：《嵌套示例》
  施行日期：2024年1月1日

输入 甲：金额
输入 真：是否
输入 级：一级、二级
"""

INPUT = {"甲": "12.5", "真": True, "级": "二级"}


def _out(expr: str, type_: str = "金额") -> str:
    return f"{HEAD}输出 结果：{type_} = {expr}\n"


def parens(n: int) -> str:  # (甲 + (甲 + (…))): a parenthesis and an operator per pair of levels
    k = n // 2
    inner = "甲" if n % 2 == 0 else "-甲"
    return _out("(甲 + " * k + inner + ")" * k)


def bare_parens(n: int) -> str:
    return _out("(" * n + "甲" + ")" * n)


def minus(n: int) -> str:
    return _out("-" * n + "甲")


def ifs(n: int) -> str:
    return _out("若 真 则 甲 否则 " * n + "甲")


def sum_chain(n: int) -> str:
    return _out("甲" + " + 甲" * n)


def div_chain(n: int) -> str:
    return _out("甲" + " ÷ 2" * n)


def cap_chain(n: int) -> str:
    return _out("甲" + " 最高 甲" * n)


def caps(n: int) -> str:  # 甲 最高 (甲 最低 (…))
    k = n // 2
    words = ["最高", "最低"]
    inner = "甲" if n % 2 == 0 else "-甲"
    return _out("".join(f"甲 {words[i % 2]} (" for i in range(k)) + inner + ")" * k)


def calls(n: int) -> str:
    return _out("取较小值(" * n + "甲" + ", 甲)" * n)


def wide_call(n: int) -> str:  # the call and each argument after the second count a level
    return _out("取较小值(" + ", ".join(["甲"] * (n + 1)) + ")")


def rounds(n: int) -> str:
    return _out("四舍五入到分(" * n + "甲" + ")" * n)


def nots(n: int) -> str:
    return _out("非 " * n + "真", "是否")


def and_chain(n: int) -> str:
    return _out("真" + " 且 真" * n, "是否")


def blocks(n: int) -> str:
    lines = [f"{HEAD}输出 结果：金额"]
    for i in range(1, n + 1):
        lines.append("  " * i + ("若 真 则" if i < n else "若 真 则 甲"))
    lines += ["  " * i + "否则 0元" for i in range(n, 0, -1)]
    return "\n".join(lines) + "\n"


def tables(n: int) -> str:
    out = [f"{HEAD}输出 结果：金额 按 级"]
    for i in range(1, n):
        out.append("  " * i + "一级：按 级")
    out += ["  " * n + "一级：甲", "  " * n + "二级：0元"]
    out += ["  " * i + f"二级：{i}元" for i in range(n - 1, 0, -1)]
    return "\n".join(out) + "\n"


def bands(n: int) -> str:
    out = [f"{HEAD}输出 结果：金额 按 甲 分段"]
    for i in range(1, n):
        out.append("  " * i + "100元以上：按 甲 分段")
    out += ["  " * n + "100元以上：甲", "  " * n + "不满100元：0元"]
    out += ["  " * i + "不满100元：1元" for i in range(n - 1, 0, -1)]
    return "\n".join(out) + "\n"


def mixed(n: int) -> str:  # n blocks, then calls filling the statement's depth up to MAX_DEPTH
    lines = [f"{HEAD}输出 结果：金额"]
    calls = max(MAX_DEPTH - n, 0)
    for i in range(1, n + 1):
        leaf = "取较小值(" * calls + "甲" + ", 甲)" * calls
        lines.append("  " * i + "若 真 则" if i < n else "  " * i + f"若 真 则 {leaf}")
    lines += ["  " * i + "否则 0元" for i in range(n, 0, -1)]
    return "\n".join(lines) + "\n"


def _names(n: int) -> list[str]:
    return ["项" + chr(0x4E00 + 0x200 + i // 400) + chr(0x4E00 + 0x200 + i % 400) for i in range(n)]


def _defs(first: str, each: str, m: int, reverse: bool = False) -> str:
    """m definitions, the first `first`, each next `each` with {} for the one before; 结果 uses the
    last (one more level)."""
    names = _names(m)
    lines = [f"定义 {names[0]}：金额 = {first}", *(f"定义 {b}：金额 = {each.format(a)}"
                                                 for a, b in itertools.pairwise(names))]
    return f"{HEAD}输出 结果：金额 = {names[-1]}\n" + "\n".join(reversed(lines) if reverse else lines) + "\n"


def alias_chain(n: int) -> str:  # 项乙 = 项甲, …: each use of a definition is one level
    return _defs("甲", "{}", n)


def sum_chain_defs(n: int, reverse: bool = False) -> str:  # 项乙 = 项甲 + 甲: two levels a definition
    return _defs("甲 + 甲" if n % 2 == 0 else "甲", "{} + 甲", (n + 1) // 2, reverse)


def reversed_chain(n: int) -> str:  # each used before it is defined: the checker looks ahead
    return sum_chain_defs(n, reverse=True)


def deep_links(n: int) -> str:  # few definitions, each nested as deep as allowed
    k = MAX_DEPTH
    return _defs("-" * ((n - 1) % (k + 1)) + "甲", "-" * k + "{}", (n - 1) // (k + 1) + 1)


# Each shape, and the limit its n counts towards.
SHAPES: dict[str, tuple[Callable[[int], str], int]] = {
    **{f.__name__: (f, MAX_DEPTH) for f in (parens, bare_parens, minus, ifs, sum_chain, div_chain, cap_chain,
                                            caps, calls, wide_call,
                                            rounds, nots, and_chain)},
    **{f.__name__: (f, MAX_BLOCK_DEPTH) for f in (blocks, tables, bands, mixed)},
    **{f.__name__: (f, MAX_REFERENCE_DEPTH) for f in (alias_chain, sum_chain_defs, reversed_chain, deep_links)},
}
