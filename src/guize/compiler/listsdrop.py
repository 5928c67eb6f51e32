"""Lists of outputs within an output's function of its own (LISTS, `with_…`), and their results.

A LISTS function computes an output with the outputs it is computed from, for a caller who asks
for exactly those. A caller who asks for fewer of them, the output itself among them (retirement
age's 改革后法定退休年龄 and 退休年月 without the 延迟月数 they are computed from), needs the same
statements when every path of the list computes the outputs left out (see variants): its values,
and its errors in their order, are then those of out_subset for that list. out_subset unpacks a flag per
statement group and marks every name not yet computed (retirement: 12 flags, 15 names), ~7 % of
the call. Such a list (in declared order, when the function has at most MAX_OUTPUTS outputs) is
in the module's LISTS_WITHIN with the function and a variant number, `need`: the function returns
that variant's outputs, a dict written for it (a `del` of the others cost as much as the flags);
need None (every other call) costs one test."""

from __future__ import annotations

from collections.abc import Callable

MAX_OUTPUTS = 4  # at most 2**3 - 1 = 7 variants a function


def variants(computed: tuple[str, ...], out: str, strict: Callable[[list[str]], tuple[list[str], list[str]]]
             ) -> list[tuple[int, tuple[str, ...]]]:
    """The lists within `computed` (LISTS' key of `out`'s function) that include `out`, but not
    `computed` itself, each with its number: the bits of the outputs left out. Only lists whose
    every path computes the outputs left out (`strict`: codegen's, the definitions every path
    of a list computes): the function computes every output of `computed` first, and an output
    that the list computes only on some paths (若 病休 则 0天 否则 应休 − 天数, 应休 not asked)
    may read a missing input there (an error with its owner named) or not at all."""
    if len(computed) > MAX_OUTPUTS:
        return []
    found = []
    for mask in range(1, 2 ** len(computed)):
        kept = tuple(o for i, o in enumerate(computed) if not mask >> i & 1)
        if out in kept and set(computed) - set(kept) <= set(strict(list(kept))[0]):
            found.append((mask, kept))
    return found


def returned(values: dict[str, str], within: list[tuple[int, tuple[str, ...]]]) -> list[str]:
    """The lines returning a function's outputs (`values`: each one's code), each variant's when
    `need` names it."""
    def shown(names: tuple[str, ...]) -> str:
        return "{" + ", ".join(f"{o!r}: {values[o]}" for o in names) + "}"

    every = shown(tuple(values))
    if not within:
        return [f"    return {every}", "", ""]
    *tests, (_last, last) = within
    chosen = "".join(f"{shown(kept)} if need == {mask} else " for mask, kept in tests) + shown(last)
    # One statement, with no comment before it: splitfn returns the last part's value when the
    # function's last statement is a return.
    return [f"    return {f'({chosen})' if tests else chosen} if need else {every}", "", ""]


def table(entries: list[tuple[tuple[str, ...], str, int]]) -> str:
    """The module's LISTS_WITHIN: each list within a LISTS function's, its function and variant."""
    return "LISTS_WITHIN = {" + ", ".join(f"{kept!r}: ({fn}, {mask})" for kept, fn, mask in entries) + "}"
