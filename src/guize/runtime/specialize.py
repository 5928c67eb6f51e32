"""Copies of out_subset for one list of outputs, with what that list does not need left out.

A compiled module's out_subset computes any list of outputs: it unpacks a flag per group of
statements (`_n0, …, _a18, = need`), marks every input and definition it might compute as not
yet computed (`i_x = d_y = … = _U`), and tests a flag before each group. For textile's four
chosen outputs that is 41 flags, ~80 stores and ~40 tests a record that the statements asked
for do not need (~0.5 µs of a 4.3 µs call; bench/corpus_bench.py, ninth round).

Once a list of outputs has been evaluated 64 times (policy._SPECIALISE_AFTER; making the copy
takes ~5-25 ms, so a caller asking once does not pay it), Policy asks for a copy of out_subset
made for its flags (`specialised`; at most 64 lists a policy): the module's own text of
out_subset (the file its code was compiled from, checked to give the very same code object
first) is parsed with `ast`, each flag replaced by its value, `if` statements on constants
replaced by the branch taken (statements of flags not set disappear, those of flags set lose
their test), the stores of `_U` left out for names nothing reads any more or that the next
statement naming them assigns outright, and the result dict built in the caller's order.
Only what depends on the list asked for is done here: what does not (optional inputs read under
the guard that uses them, constants computed and rounded once) the compiler writes in every
evaluator (compiler/guarded_reads.py, compiler/constfold.py), so the first call has it too.
A copy keeps the values and the errors and their order (the docstrings say why); every line
keeps its number in the module's file and the function runs in the module's globals, so
tracebacks show the same .rule lines
(runtime/tracebacks.py). The compiler is not imported (tests/test_layers.py): this only
rewrites the module's text. When anything is not as expected (no file, another text, no
flags statement first), there is no copy and the module's function is used as before.
"""

from __future__ import annotations
import __future__

import _thread
import ast
import re
from types import CodeType, FunctionType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# The compiler flags of `from __future__ import …` (the same bits as the code objects' CO_FUTURE_*).
_FUTURE = 0
for _name in __future__.all_feature_names:
    _FUTURE |= getattr(__future__, _name).compiler_flag
_IMPORTS = re.compile(r"^(?:import|from) [^\n;#]*", re.M)  # as compiler/pieces.py finds them


# CPython 3.11's ast keeps one recursion-depth counter for every thread: two threads parsing or
# compiling a tree at once can fail with "SystemError: AST constructor recursion depth mismatch"
# (threads evaluating that reach the 64th call together). One copy is made at a time.
_LOCK = _thread.allocate_lock()


def specialised(subset: Any, need: tuple[Any, ...], order: list[str] | None) -> tuple[Any, bool] | None:
    """A function like `subset` (a module's out_subset) called with `need`, and whether it
    returns its outputs in `order` (else in out_subset's order, as when `order` is None);
    None when it cannot be made."""
    with _LOCK:
        return _specialised(subset, need, order)


def _specialised(subset: Any, need: tuple[Any, ...], order: list[str] | None) -> tuple[Any, bool] | None:
    try:
        original = _definition(subset)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None
    if original is None:
        return None
    tree, code = original
    function = tree.body[-1]  # (after the imports, compiled with it and never run)
    assert isinstance(function, ast.FunctionDef)  # INVARIANT: checked by _definition
    found = _flags(function, len(need))
    if found is None:
        return None
    flags, at = found
    values = dict(zip(flags, (bool(v) for v in need), strict=True))
    body = _without_dead_marks(_Fold(values).fold(function.body[at + 1:]))
    ordered = _ordered_result(body, order) if order is not None else None
    function.body = [*function.body[:at], *(ordered or body)]
    made = _made(tree, code, subset)
    return (made, ordered is not None) if made is not None else None


def _made(tree: ast.Module, code: CodeType, like: Any) -> Any:
    """The function of `tree` (a module's function rewritten), in `like`'s globals."""
    ast.fix_missing_locations(tree)
    made = _function_code(_compile(tree, code), code.co_name)
    if made is None:
        return None
    return FunctionType(made, like.__globals__, like.__name__, like.__defaults__)


def _definition(subset: Any) -> tuple[ast.Module, CodeType] | None:
    """The module's text of `subset` parsed (its lines numbered as in the file), and its code,
    if compiling that text gives the very code object the module has."""
    code: CodeType = subset.__code__
    if code.co_freevars or subset.__defaults__ not in (None, (None,)) or subset.__kwdefaults__:
        return None
    with open(code.co_filename, encoding="utf-8") as fh:
        text = fh.read()
    lines = text.split("\n")
    first = code.co_firstlineno - 1
    if not 0 < first < len(lines) or not lines[first].startswith(f"def {code.co_name}("):
        return None
    end = first + 1
    while end < len(lines) and (not lines[end] or lines[end][0] in " \t#"):
        end += 1
    # Python compiles `_v.f()` for a name bound by an import in the same source as an attribute
    # load, not a method call: the module's imports go on the line before, as compiler/pieces.py
    # puts them before each piece of a large module.
    imports = "; ".join(dict.fromkeys(_IMPORTS.findall(text)))
    tree = ast.parse("\n" * (first - 1) + imports + "\n" + "\n".join(lines[first:end]))
    if not tree.body or not isinstance(tree.body[-1], ast.FunctionDef):
        return None
    again = _function_code(_compile(tree, code), code.co_name)
    if again != code:  # (code objects compare their instructions, constants, names and lines)
        return None
    return tree, code


def _compile(tree: ast.Module, like: CodeType) -> CodeType:
    """`tree` compiled as `like` was: its file, its __future__ flags (and no others)."""
    code: CodeType = compile(tree, like.co_filename, "exec", flags=like.co_flags & _FUTURE, dont_inherit=True)
    return code


def _function_code(module_code: CodeType, name: str) -> CodeType | None:
    found = [c for c in module_code.co_consts if isinstance(c, CodeType) and c.co_name == name]
    return found[0] if len(found) == 1 else None


def _flags(function: ast.FunctionDef, count: int) -> tuple[list[str], int] | None:
    """The flag names of out_subset's first statement after its docstring, `_n0, …, = need`,
    if there are `count`, and that statement's place in the body."""
    if [a.arg for a in function.args.args] != ["data", "e", "need"]:
        return None
    at = 1 if function.body and isinstance(function.body[0], ast.Expr) else 0
    first = function.body[at] if len(function.body) > at else None
    if not (isinstance(first, ast.Assign) and len(first.targets) == 1
            and isinstance(first.value, ast.Name) and first.value.id == "need"
            and isinstance(first.targets[0], ast.Tuple)):
        return None
    targets = first.targets[0].elts
    names = [t.id for t in targets if isinstance(t, ast.Name)]
    if len(names) != count or len(names) != len(targets) or len(set(names)) != count:
        return None
    # A flag must only be read after this statement: never assigned, deleted or declared again.
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and node.id in names and not isinstance(node.ctx, ast.Load) \
                and not any(node is t for t in targets):
            return None
        if isinstance(node, (ast.Global, ast.Nonlocal)) and set(node.names) & set(names):
            return None
        if isinstance(node, ast.arg) and node.arg in names:  # (a nested function's parameter)
            return None
    return names, at


class _Fold(ast.NodeTransformer):
    """Flags replaced by their values; `not`, `and`, `or` and `if` on constants folded."""

    def __init__(self, values: dict[str, bool]) -> None:
        self.values = values

    def fold(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for statement in body:
            got = self.visit(statement)
            out.extend(got if isinstance(got, list) else [got] if got is not None else [])
        return out

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if isinstance(node.ctx, ast.Load) and node.id in self.values:
            return ast.copy_location(ast.Constant(self.values[node.id]), node)
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and _constant(node.operand):
            return ast.copy_location(ast.Constant(not node.operand.value), node)  # type: ignore[attr-defined]
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.expr:
        self.generic_visit(node)
        if all(_constant(v) for v in node.values):  # flags only: the value is a bool
            values = [v.value for v in node.values]  # type: ignore[attr-defined]
            value = any(values) if isinstance(node.op, ast.Or) else all(values)
            return ast.copy_location(ast.Constant(value), node)
        return node

    def visit_If(self, node: ast.If) -> Any:
        node.test = self.visit(node.test)
        if _constant(node.test):
            return self.fold(node.body if node.test.value else node.orelse)  # type: ignore[attr-defined]
        node.body = self.fold(node.body) or [ast.Pass()]
        node.orelse = self.fold(node.orelse)
        return node

    def visit_Try(self, node: ast.Try) -> Any:
        body = self.fold(node.body)
        if not body:  # nothing left to raise what the handlers catch: `else`, then `finally`, run
            return [*self.fold(node.orelse), *self.fold(node.finalbody)] or None
        node.body = body
        node.handlers = [self.visit(h) for h in node.handlers]
        node.orelse = self.fold(node.orelse)
        node.finalbody = self.fold(node.finalbody)
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.ExceptHandler:
        node.body = self.fold(node.body) or [ast.Pass()]
        return node

    def generic_visit(self, node: ast.AST) -> ast.AST:
        for field, old in ast.iter_fields(node):
            if isinstance(old, list) and old and isinstance(old[0], ast.stmt):
                setattr(node, field, self.fold(old) or [ast.Pass()])
            elif isinstance(old, list):
                setattr(node, field, [self.visit(v) if isinstance(v, ast.AST) else v for v in old])
            elif isinstance(old, ast.AST):
                setattr(node, field, self.visit(old))
        return node


def _constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, bool)


def _without_dead_marks(body: list[ast.stmt]) -> list[ast.stmt]:
    """`a = b = … = _U` at the function's top level keeping only the names whose mark can be
    read: not those nothing reads (or declares nonlocal), nor those that the next top-level
    statement naming them assigns outright (`a = …`, not reading `a`) before any read."""
    mentions = [_names(statement) for statement in body]
    read: set[str] = set()
    for names in mentions:
        read |= names[0]
    out: list[ast.stmt] = []
    for k, statement in enumerate(body):
        if (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Name)
                and statement.value.id == "_U" and all(isinstance(t, ast.Name) for t in statement.targets)):
            statement.targets = [t for t in statement.targets
                                 if t.id in read and not _assigned_next(t.id, body, mentions, k + 1)]  # type: ignore[attr-defined]
            if not statement.targets:
                continue
        out.append(statement)
    return out


def _names(statement: ast.stmt) -> tuple[set[str], set[str]]:
    """The names a statement reads (or declares nonlocal or global) and the names it mentions."""
    read: set[str] = set()
    every: set[str] = set()
    for node in ast.walk(statement):
        if isinstance(node, ast.Name):
            every.add(node.id)
            if isinstance(node.ctx, ast.Load):
                read.add(node.id)
        elif isinstance(node, (ast.Nonlocal, ast.Global)):
            read.update(node.names)
            every.update(node.names)
    return read, every


def _assigned_next(name: str, body: list[ast.stmt], mentions: list[tuple[set[str], set[str]]], start: int) -> bool:
    """Whether the first statement from `start` on that mentions `name` assigns it outright:
    `name = …` (names only as targets) whose value does not read it."""
    for k in range(start, len(body)):
        if name not in mentions[k][1]:
            continue
        statement = body[k]
        return (isinstance(statement, ast.Assign) and all(isinstance(t, ast.Name) for t in statement.targets)
                and any(t.id == name for t in statement.targets)  # type: ignore[attr-defined]
                and name not in _names(ast.Expr(statement.value))[1])
    return False


def _ordered_result(body: list[ast.stmt], order: list[str]) -> list[ast.stmt] | None:
    """The function's last statements `out = {}`, `out['x'] = name` …, `return out` as one
    `return {…}` in `order` (each value a plain name, so reading them in another order changes
    nothing); None when they are not of that form or do not set exactly `order`."""
    if len(body) < 2:
        return None
    ret, start = body[-1], len(body) - 2
    items: dict[str, ast.expr] = {}
    while start >= 0 and _output_store(body[start]):
        store = body[start]
        assert isinstance(store, ast.Assign)  # INVARIANT: _output_store
        key = store.targets[0].slice.value  # type: ignore[attr-defined]
        items.setdefault(key, store.value)
        start -= 1
    head = body[start] if start >= 0 else None
    if not (isinstance(ret, ast.Return) and isinstance(ret.value, ast.Name) and ret.value.id == "out"
            and isinstance(head, ast.Assign) and len(head.targets) == 1 and isinstance(head.targets[0], ast.Name)
            and head.targets[0].id == "out" and isinstance(head.value, ast.Dict) and not head.value.keys):
        return None
    if sorted(items) != sorted(order) or len(order) != len(items):
        return None
    result = ast.Dict(keys=[ast.Constant(k) for k in order], values=[items[k] for k in order])
    done = ast.copy_location(ast.Return(value=result), ret)
    return [*body[:start], done]


def _output_store(node: ast.stmt) -> bool:
    return (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript)
            and isinstance(node.targets[0].value, ast.Name) and node.targets[0].value.id == "out"
            and isinstance(node.targets[0].slice, ast.Constant) and isinstance(node.targets[0].slice.value, str)
            and isinstance(node.value, ast.Name))
