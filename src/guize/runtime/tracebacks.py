"""Tracebacks through generated code show the .rule lines it was written from, as Jinja's do.

A compiled module's LINE_MAP says, for each run of its lines, the .rule line they come from
(pairs of numbers, flattened: first generated line of the run, .rule line or 0).
When an exception leaves Policy.evaluate, each frame of the module's functions in its
traceback is replaced by a frame whose file is the .rule file, whose line is the .rule
line and whose name is the definition's, so `traceback` prints (and `linecache` reads)

    File "policies/xinjiang/outpatient_2024.rule", line 51, in 统筹基金支付
      输出 统筹基金支付：金额，四舍五入到分  依据 第十四条第一款

The frame is made by calling a copy of a two-line function whose code object says that
file, line and name (CodeType.replace): nothing is compiled at run time.
"""

from __future__ import annotations

import bisect
from types import CodeType, FunctionType, ModuleType, TracebackType

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a quicker start-up: runtime/tuples.py)
if TYPE_CHECKING:
    from typing import Any


def _raise(exc: BaseException) -> None:
    raise exc


_RAISE_CODE = _raise.__code__


def _code_at(path: str, line: int, name: str) -> CodeType:
    """_raise's code, said to be at `line` of `path` (every instruction; no columns, so no
    markers under a .rule line they would not match) and named `name`."""
    table = bytearray()
    units = len(_RAISE_CODE.co_code) // 2
    while units > 0:  # location entries "no columns" (code 13), line delta 0: see CPython's locations.md
        n = min(units, 8)
        table += bytes((0x80 | (13 << 3) | (n - 1), 0))
        units -= n
    return _RAISE_CODE.replace(co_filename=path, co_firstlineno=line, co_name=name, co_qualname=name,
                               co_linetable=bytes(table))


class _Marker(Exception):
    """Raised through a made-up frame to get a traceback entry for it."""


class LineIndex:
    """One compiled module's map from generated lines to .rule lines, and the frames made for it."""

    def __init__(self, module_globals: dict[str, Any], line_map: tuple[int, ...], path: str,
                 names: dict[int, str]) -> None:
        self.globals = module_globals
        self.starts = list(line_map[0::2])  # pairs (first generated line, its .rule line), flattened
        self.rules = list(line_map[1::2])
        self.path = path
        self.names = names  # .rule line -> the input or definition written there
        self.files: tuple[str, ...] = ()  # the files merged into the policy, base first (if several)
        self._codes: dict[int, CodeType] = {}

    @classmethod
    def of(cls, module: ModuleType) -> LineIndex:
        names = {spec["line"]: spec["name"] for spec in module.INPUTS}
        names.update((d["line"], name) for name, d in module.DEFS.items())
        index = cls(module.__dict__, tuple(getattr(module, "LINE_MAP", ())), module.SOURCE_PATH, names)
        index.files = tuple(getattr(module, "SOURCE_FILES", ()))
        return index

    def file_of(self, rule: int) -> str:
        """The file that .rule line `rule` is in: a policy merged from a base and its amendments
        (compiler/amend.py) numbers lines in each file, and the definition written at `rule` is
        in the first of its files (base first) whose line `rule` names it."""
        name = self.names.get(rule)
        if len(self.files) < 2 or name is None:
            return self.path
        import linecache

        for path in self.files:
            if name in linecache.getline(path, rule):
                return str(path)
        return self.path

    def rule_line(self, line: int) -> int:
        """The .rule line generated line `line` comes from (0: none)."""
        i = bisect.bisect_right(self.starts, line) - 1
        return self.rules[i] if i >= 0 else 0

    def rewrite(self, tb: TracebackType | None) -> TracebackType | None:
        """`tb` with each frame of the module's code at a .rule line replaced by a .rule frame."""
        entries: list[tuple[Any, int, int]] = []
        changed = False
        head = tb
        while tb is not None:
            frame, lasti, line = tb.tb_frame, tb.tb_lasti, tb.tb_lineno
            rule = self.rule_line(line) if frame.f_globals is self.globals else 0
            if rule:
                made = self._frame(rule)
                frame, lasti, line = made.tb_frame, made.tb_lasti, made.tb_lineno
                changed = True
            entries.append((frame, lasti, line))
            tb = tb.tb_next
        return _relink(entries) if changed else head

    def _frame(self, rule: int) -> TracebackType:
        code = self._codes.get(rule)
        if code is None:
            code = self._codes[rule] = _code_at(self.file_of(rule), rule, self.names.get(rule, "<rule>"))
        try:
            FunctionType(code, {})(_Marker())
        except _Marker as marker:
            tb = marker.__traceback__
            assert tb is not None and tb.tb_next is not None  # INVARIANT: raised one call down
            return tb.tb_next
        raise AssertionError("unreachable")  # pragma: no cover


def _relink(entries: list[tuple[Any, int, int]]) -> TracebackType | None:
    tb: TracebackType | None = None
    for frame, lasti, line in reversed(entries):
        tb = TracebackType(tb, frame, lasti, line)
    return tb
