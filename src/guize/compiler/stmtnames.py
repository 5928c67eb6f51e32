"""Emitting a generated function's statements, with the locals each binds and reads.

compiler/splitfn cuts a very large generated function into parts, each taking the locals it
reads that earlier parts bound and returning those later parts read. It once found them by
reading the written text back with regular expressions; codegen now notes each name as it
writes it, and hands the notes over (`Emitter.notes`, read by splitfn.split).

Every local of a generated function is written by a few producers: codegen.local (an input's or
a definition's i_/d_ name), codegen.fresh (a temporary), a subset flag (_nK, _aK), or a
template's fixed name (_g, _c, exc, out). Each notes its name as read (it is in the text) and,
where the text binds it (a statement's target, `:=`, `except ... as`), as bound too. Names
noted since the last statement are pending, and statement() logs them at the first line it
writes. Code written now and emitted later (the items body() and read_inputs write before
emitting any) takes its notes with it (`taken`, given back to statement or guarded), and code
written for somewhere else (a list's function, nested or at module level; a text written only
to test it) puts them aside (`apart` ... `back`).

A name missed here would be a NameError (or a stale value) in a large policy only:
tests/test_split_names.py forces every policy of the repository through the split and compares
these notes with the regular expressions' reading of the same text (tests/splitnames.py).
Noting more than is there is safe (a part takes or returns a name it need not), less is not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from guize.compiler.literals import WIDTH, wrap

Note = tuple[set[str], set[str]]  # (bound, read) names of a statement
_T = TypeVar("_T")


class Emitter:
    """The statement writer of compiler/codegen.CodeGenerator, and its name notes."""

    lines: list[str]
    rule_lines: list[int]

    def init_notes(self) -> None:
        self.bound: set[str] = set()  # pending: noted since the last statement was logged
        self.read: set[str] = set()
        self.notes: list[tuple[int, set[str], set[str]]] = []  # (line index, bound, read) of each statement

    def bind(self, *names: str) -> None:
        """Note names the code being written binds (and so mentions)."""
        self.bound.update(names)
        self.read.update(names)

    def taken(self) -> Note:
        """The pending notes, for code emitted later; none are pending after."""
        note = self.bound, self.read
        self.bound, self.read = set(), set()
        return note

    def apart(self) -> Note:
        """Put the pending notes aside while writing code that is not a statement of the function
        (given back by `back`, with what was noted meanwhile dropped)."""
        return self.taken()

    def back(self, saved: Note) -> None:
        self.bound, self.read = saved

    def noted(self, make: Callable[[str], _T], names: list[str]) -> tuple[list[_T], list[Note]]:
        """make(name) for each of names, each with the names it noted (for code emitted later)."""
        saved = self.apart()
        made, notes = [], []
        for name in names:
            made.append(make(name))
            notes.append(self.taken())
        self.back(saved)
        return made, notes

    def statement(self, lines: list[str], rule_line: int = 0, what: str = "", note: Note | None = None) -> None:
        """Emit statements, wrapped to WIDTH columns, mapped to `rule_line` (0: no .rule line),
        after a comment naming what they compute and the .rule line it is written on; their names
        are `note`, or the pending notes."""
        bound, read = note if note is not None else self.taken()
        if lines:  # (nothing written: nothing to note)
            self.notes.append((len(self.lines), bound, read))
        if what and rule_line:
            indent = lines[0][:len(lines[0]) - len(lines[0].lstrip())]
            self.lines.append(f"{indent}# {what}: line {rule_line}")
            self.rule_lines.append(-1)
        for line in lines:
            if len(line) <= WIDTH:  # (most lines: wrap's own first test, without the call)
                self.lines.append(line)
                self.rule_lines.append(rule_line)
                continue
            for physical in wrap(line):
                self.lines.append(physical)
                self.rule_lines.append(rule_line)

    def guarded(self, items: list[tuple[str, list[str], int, str]], need: dict[str, str] | None,
                extra: str = "", notes: list[Note] | None = None) -> None:
        """Emit (name, statements, .rule line, comment) items indented by `extra`; with `need`,
        each under `if <its flag>:`, consecutive items with one flag under one test. `notes`:
        each item's names (taken when it was written)."""
        flag = None
        pad = extra if need is None else extra + "    "
        for k, (name, lines, line, what) in enumerate(items):
            if not lines:
                continue
            if need is not None and need[name] != flag:
                flag = need[name]
                indent = extra + lines[0][:len(lines[0]) - len(lines[0].lstrip())]
                self.notes.append((len(self.lines), set(), {flag}))
                self.lines.append(f"{indent}if {flag}:")
                self.rule_lines.append(-1)
            self.statement([pad + text for text in lines] if pad else lines, line, what,
                           notes[k] if notes is not None else None)

    def plain_line(self, text: str, rule_line: int = 0) -> None:
        """One line of a statement that names no local (`try:`), where a statement starts."""
        self.notes.append((len(self.lines), set(), set()))
        self.lines.append(text)
        self.rule_lines.append(rule_line)
