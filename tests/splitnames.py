"""The regular expressions compiler/splitfn once read a generated function's locals with: the
oracle of tests/test_split_names.py (codegen now notes each statement's names as it writes it,
compiler/stmtnames), and splitfn.split as it was before (`regex_split`), to compare with.

Not used by guize itself: reading the names back cost about 0.1 s of codegen at 50k lines.
"""

from __future__ import annotations

import itertools
import re

from guize.compiler import splitfn
from guize.compiler.literals import wrap

STRINGS = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|#[^\n]*")
_NAME = re.compile(r"[^\W\d]\w*")
# The generated functions' locals are i_/d_ names (names.Names) and names starting with "_"
# (temporaries, flags), and a few others (`exc`, `out`): looking for only words that start so
# takes half the time of looking for every name (see split).
SHAPED = r"(?:[id]_|_{})\w*"
_OTHER_LOCALS = 16  # locals of other shapes looked for so; with more, every name is
# `name :=` and `as name`, each searched for from its fixed part (a search starting at the name, or
# at \b, is tried at every word): the walrus in the text reversed, its name a whole word.
_WALRUS_REVERSED = re.compile(r"=:\s*(\w+)")
_AS = re.compile(r"as\s+([^\W\d]\w*)")
_TARGET = r"[^\W\d]\w*(?:, [^\W\d]\w*)*,?"  # one target: a name, or names with commas
# A statement's targets (`a = b = ...`, `x, y, = ...`), as generated: one space around each `=`.
TARGETS = re.compile(rf"^[ \t]+({_TARGET}(?: = {_TARGET})*) = ", re.M)
_INDENTED = (" ", "")  # a line's fifth character when it is not a statement of the body
_CONTINUES = ("    else", "    elif", "    except", "    finally")
_ARGS = ("data", "e", "need")  # every generated evaluator's parameters


def _word(text: str, i: int) -> bool:
    """Whether text[i] is a word character (as the regular expression \\w)."""
    return i >= 0 and (text[i].isalnum() or text[i] == "_")


def assigned_names(text: str) -> set[str]:
    """The names a part's statements (strings and comments removed) assign."""
    out = set()
    m = _AS.search(text)
    while m:  # `as name`, `as` a whole word (else the search goes on from inside it: "alias as b")
        if _word(text, m.start() - 1):
            m = _AS.search(text, m.start() + 1)
        else:
            out.add(m.group(1))
            m = _AS.search(text, m.end())
    out.update(name for reversed_name in _WALRUS_REVERSED.findall(text[::-1])
               if not (name := reversed_name[::-1])[0].isdecimal())
    for targets in TARGETS.findall(text):
        out.update(n for n in targets.replace(" = ", ",").replace(" ", "").split(",") if n)
    return out


def regex_split(lines: list[str], rule_lines: list[int], start: int, name: str) -> None:
    """Split the function written in lines[start:] (its `def` first), in place, if it is
    longer than LIMIT; rule_lines (each line's .rule line) follow the lines."""
    fn = lines[start:]
    if sum(map(len, fn)) <= splitfn.LIMIT or any(line.startswith("    def ") for line in fn):
        return  # (a nested function may read the function's locals: left whole)
    body = 1
    if fn[1].lstrip().startswith('"""'):  # the docstring, on one line or more
        body = 2 if fn[1].count('"""') == 2 else next(i for i in range(2, len(fn)) if '"""' in fn[i]) + 1
    end = len(fn)
    while end > body and not fn[end - 1]:
        end -= 1
    # Statements: from a line indented once (a comment included) to the next.
    # A comment names the statement after it: the two stay together.
    starts = [i for i in range(body, end) if fn[i][4:5] not in _INDENTED and fn[i].startswith("    ")
              and not fn[i].startswith(_CONTINUES) and not fn[i - 1].startswith("    #")]
    if not starts or starts[0] != body:
        return
    groups: list[tuple[int, int]] = []
    first = body
    # Characters (and line ends) before each line: a statement's size without a step per line.
    before_line = [0, *itertools.accumulate(len(line) + 1 for line in fn)]
    for j in [*starts[1:], end]:  # each statement's end
        if before_line[j] - before_line[first] >= splitfn.PART or j == end:
            groups.append((first, j))
            first = j
    if len(groups) < 2:
        return
    used: list[set[str]] = []
    assigned: list[set[str]] = []
    last_use: dict[str, int] = {}  # name -> the last part that mentions it
    other: list[str] = []  # the locals assigned so far that SHAPED does not start with i_, d_ or _
    words = re.compile(SHAPED.format(""))
    for k, (i, j) in enumerate(groups):  # a part's text at a time (all at once: 100 MB at 50k lines)
        text = STRINGS.sub(" ", "\n".join(fn[i:j]))
        assigned.append(assigned_names(text))
        new = sorted(n for n in assigned[k] if not words.fullmatch(n))
        if new:  # (a local matters only from the part that first assigns it on: used before, not passed)
            other += new
            words = re.compile(SHAPED.format("".join("|" + re.escape(n) for n in other))
                               if len(other) <= _OTHER_LOCALS else r"[^\W\d]\w*")
        # Each word the pattern starts at is found whole (a local, or another word: passed at most)
        used.append(set(words.findall(text)))
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


_WORD = re.compile(r"[^\W\d]\w*")


def read_names(text: str) -> tuple[set[str], set[str]]:
    """The names a piece of generated code binds, and every word in it (strings and comments
    removed): what the regular expressions above find."""
    text = STRINGS.sub(" ", text)
    return assigned_names(text), set(_WORD.findall(text))
