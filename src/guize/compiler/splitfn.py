"""Split a very large generated function into parts, each a function of its own.

out_all and out_subset compute every output of a policy in one straight-line function; for a
50,000-line .rule file that function is 3-4 MB of Python, and Python compiles a function
whole: about 100 times its size in memory (compiler/pieces.py compiles the module a few
statements at a time, but cannot cut inside a function). A function longer than LIMIT
characters is therefore rewritten as parts of about PART characters, each a top-level
function `_<name>_<k>` that runs the same statements in the same order: it takes the locals it
reads that earlier parts set and returns the ones later parts use, and the function itself only
calls its parts. Every statement, and so every result and error and its order, is unchanged;
only a large policy pays a few calls. Policies of usual size (the corpus) are never split.

The locals each statement binds and reads are codegen's notes (compiler/stmtnames), made as it
wrote them: a part is cut only where codegen began a statement, and nothing is read back from
the text (tests/test_split_names.py compares the notes with the regular expressions that once
read them, on every policy of the repository forced through the split).
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Sequence

from guize.compiler.literals import wrap

LIMIT = 200_000  # characters of a function above which it is split
PART = 32_768  # characters of statements a part

_INDENTED = (" ", "")  # a line's fifth character when it is not a statement of the body
_CONTINUES = ("    else", "    elif", "    except", "    finally")
_ARGS = ("data", "e", "need")  # every generated evaluator's parameters
_BOUND, _READ = operator.itemgetter(1), operator.itemgetter(2)  # of a note
_NESTED = ("    def ", "        def ")  # a nested function (at the top, or under subset flags: listgen.hoist)


def split(lines: list[str], rule_lines: list[int], start: int, name: str,
          notes: Sequence[tuple[int, set[str], set[str]]]) -> None:
    """Split the function written in lines[start:] (its `def` first), in place, if it is
    longer than LIMIT; rule_lines (each line's .rule line) follow the lines; notes: the
    names each statement binds and reads, at its first line (an index of lines, in order)."""
    fn = lines[start:]
    if sum(map(len, fn)) <= LIMIT or any(map(str.startswith, fn, itertools.repeat(_NESTED))):
        return  # (a nested function may read the function's locals: left whole)
    body = 1
    if fn[1].lstrip().startswith('"""'):  # the docstring, on one line or more
        body = 2 if fn[1].count('"""') == 2 else next(i for i in range(2, len(fn)) if '"""' in fn[i]) + 1
    end = len(fn)
    while end > body and not fn[end - 1]:
        end -= 1
    # Statements: from a line indented once (a comment included) where codegen began one, to the
    # next. A comment names the statement after it: the two stay together.
    at = [note[0] - start for note in notes]  # (this function's, in order)
    starts = [i for i in at if body <= i < end and fn[i][4:5] not in _INDENTED and fn[i].startswith("    ")
              and not fn[i].startswith(_CONTINUES) and not fn[i - 1].startswith("    #")]
    if not starts or starts[0] != body:
        return
    groups: list[tuple[int, int]] = []
    first = body
    # Characters before each line: a statement's size (with its line ends) without a step per line.
    chars = [0, *itertools.accumulate(map(len, fn))]
    for j in [*starts[1:], end]:  # each statement's end
        if chars[j] - chars[first] + j - first >= PART or j == end:
            groups.append((first, j))
            first = j
    if len(groups) < 2:
        return
    used: list[set[str]] = []
    assigned: list[set[str]] = []
    last_use: dict[str, int] = {}  # name -> the last part that mentions it
    for k, (i, j) in enumerate(groups):  # the notes of the statements of each part
        noted = notes[bisect.bisect_left(at, i):bisect.bisect_left(at, j)]
        assigned.append(set().union(*map(_BOUND, noted)))
        used.append(set().union(*map(_READ, noted)))
        last_use.update(dict.fromkeys(used[k], k))
    out_lines: list[str] = []
    out_rules: list[int] = []
    calls: list[str] = []
    before: set[str] = set(_ARGS)  # names bound in the function before part k
    for k, (i, j) in enumerate(groups):
        takes = sorted((used[k] & before) - set(_ARGS))
        gives = sorted(n for n in assigned[k] if last_use.get(n, -1) > k)  # names later parts mention
        part = f"_{name}_{k + 1}"
        last = k == len(groups) - 1
        fresh = [n for n in gives if n not in before]  # bound here, if at all: see below
        head = [f"def {part}({', '.join((*_ARGS, *takes))}):",
                f'    """Part {k + 1} of {name}: its statements in order (compiler/splitfn.py)."""']
        if fresh:  # a name set only on some paths is read later only on those: any value will do
            head.append(f"    {' = '.join(fresh)} = _U")
        out_lines += head
        out_rules += [0] * len(head)
        out_lines += fn[i:j]
        out_rules += rule_lines[start + i:start + j]
        tail = [f"    return ({''.join(n + ', ' for n in gives)})", "", ""] if gives and not last else ["", ""]
        out_lines += tail
        out_rules += [0] * len(tail)
        call = f"{part}({', '.join((*_ARGS, *takes))})"
        if last:
            calls.append(f"    return {call}" if fn[starts[-1]].startswith("    return ") else f"    {call}")
        elif gives:
            calls.append(f"    ({''.join(n + ', ' for n in gives)}) = {call}")
        else:
            calls.append(f"    {call}")
        before |= assigned[k]
    outer = fn[:body]
    outer_rules = rule_lines[start:start + body]
    for call in calls:
        wrapped = wrap(call)
        outer += wrapped
        outer_rules += [0] * len(wrapped)
    outer += fn[end:]
    outer_rules += rule_lines[start + end:]
    lines[start:] = out_lines + outer
    rule_lines[start:] = out_rules + outer_rules
