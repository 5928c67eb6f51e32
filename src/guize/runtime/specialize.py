"""Copies of out_subset for one list of outputs, and of out_all, with what they do not need left out.

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
Then, in these copies and in a copy of out_all (`specialised_all`, made at out_all's 64th call
when one of them applies): reads of optional inputs that only a guarded branch uses are made
under the guard (`guarded_reads`), and roundings and operations of module constants are done
once (`rounded_constants`, `folded_constants`). Each keeps the values and the errors and their
order (the docstrings say why); every line keeps its number in the module's file and the
function runs in the module's globals, so tracebacks show the same .rule lines
(runtime/tracebacks.py). The compiler is not imported (tests/test_layers.py): this only
rewrites the module's text. When anything is not as expected (no file, another text, no
flags statement first), there is no copy and the module's function is used as before.
"""

from __future__ import annotations
import __future__

import _thread
import ast
import decimal
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


def specialised_all(function: Any) -> Any:
    """A copy of a module's out_all whose reads of optional inputs that only a guarded branch
    uses are made under the guard (`guarded_reads`) and whose roundings and operations of
    constants are done once, or None when none of these applies (or the copy cannot be made)."""
    with _LOCK:
        return _specialised_all(function)


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
    body = _without_dead_marks(guarded_reads(_Fold(values).fold(function.body[at + 1:]))[0])
    body = folded_constants(rounded_constants(body, subset.__globals__)[0], subset.__globals__)[0]
    ordered = _ordered_result(body, order) if order is not None else None
    function.body = [*function.body[:at], *(ordered or body)]
    made = _made(tree, code, subset)
    return (made, ordered is not None) if made is not None else None


def _specialised_all(function: Any) -> Any:
    try:
        original = _definition(function)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None
    if original is None:
        return None
    tree, code = original
    definition = tree.body[-1]
    assert isinstance(definition, ast.FunctionDef)  # INVARIANT: checked by _definition
    at = 1 if definition.body and isinstance(definition.body[0], ast.Expr) else 0
    body, moved = guarded_reads(definition.body[at:])
    body, rounded = rounded_constants(body, function.__globals__)
    body, folded = folded_constants(body, function.__globals__)
    if not moved and not rounded and not folded:
        return None
    definition.body = [*definition.body[:at], *_without_dead_marks(body)]
    return _made(tree, code, function)


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


_SCRATCH = frozenset(("_g", "_c"))  # the temporaries of the generated reads of inputs


def guarded_reads(body: list[ast.stmt]) -> tuple[list[ast.stmt], int]:
    """`body` with each read of an input (`i_x = …data.get('x', _U)…`, or the statements that
    check it into _g then `i_x = _g`) that every statement using i_x uses only where a name C
    is true (`(… if C else …)`, `(… if not C else …)`, as such an expression's receiver of a
    method call) moved to just before the first of them as `if C: <the read>`; and how many.

    A read never raises for a dict of data (a bad value leaves i_x as _U: the use reads the
    input again through the runtime's reader, which reports it) and writes only i_x, _g and _c,
    so skipping it where C is false changes nothing but time (a firm that does not qualify
    reads none of the inputs its zero subsidies would have used). Applied only when every use
    of _g and _c is within such reads, when C is assigned outright (not `_U`) before the first
    use and not assigned again before the last nor declared nonlocal by a nested function, and
    the input is not used anywhere else."""
    locals_ = {n.id for st in body for n in ast.walk(st) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    locals_ |= {"data", "e", "need"}
    units: dict[str, list[int]] = {}  # i_x -> its read's statements (indices)
    k = 0
    while k < len(body):
        name = _read_unit(body, k, locals_)
        if name is not None:
            units[name] = [k] if isinstance(body[k], ast.Assign) else [k, k + 1]
            k += len(units[name])
        else:
            k += 1
    in_units = {j for js in units.values() for j in js}
    mentions = [_names(st)[1] for st in body]
    if any(_SCRATCH & mentions[j] and not _SCRATCH & mentions[j] <= _leading_store(body[j])
           for j in range(len(body)) if j not in in_units):
        return body, 0
    stores = [_stored(st) for st in body]
    # A name a nested function declares nonlocal can change wherever that function is called.
    shared = {name for st in body for n in ast.walk(st) if isinstance(n, ast.Nonlocal) for name in n.names}
    moves: dict[int, list[tuple[str, list[int]]]] = {}  # first use -> (condition, the read's statements)
    for name, read in units.items():
        uses = [j for j in range(len(body)) if j not in in_units and name in mentions[j] and not _mark(body[j])]
        if not uses or uses[0] < read[-1]:
            continue
        conditions = {_guard(body[j], name) for j in uses}
        if len(conditions) != 1 or None in conditions:
            continue
        condition = conditions.pop()
        assert condition is not None  # INVARIANT: None excluded above
        if condition in shared:
            continue
        assigned = [j for j in range(uses[-1] + 1) if condition in stores[j]]
        if not assigned or not _outright(body[assigned[-1]], condition) or assigned[-1] >= uses[0]:
            continue
        if any(name in mentions[j] for j in range(assigned[-1], uses[0]) if j not in read):  # (a mark)
            continue
        moves.setdefault(assigned[-1], []).append((condition, read))
    if not moves:
        return body, 0
    moved = {j for pairs in moves.values() for _c, read in pairs for j in read}
    # Their marks (`i_x = … = _U`) are never read: where C is false nothing reads i_x, where it
    # is true the read assigns it first.
    names = {name for name, read in units.items() if read[0] in moved}
    out: list[ast.stmt] = []
    for j, statement in enumerate(body):
        if isinstance(statement, ast.Assign) and _mark(statement) and names & mentions[j]:
            statement.targets = [t for t in statement.targets if t.id not in names]  # type: ignore[attr-defined]
            if not statement.targets:
                continue
        if j not in moved:
            out.append(statement)
        # The reads under one condition, right after it is assigned, in their order, in one `if`.
        for condition in dict.fromkeys(c for c, _read in moves.get(j, ())):
            reads = [body[r] for c, read in moves[j] if c == condition for r in read]
            test = ast.copy_location(ast.Name(condition, ast.Load()), reads[0])
            out.append(ast.copy_location(ast.If(test=test, body=reads, orelse=[]), reads[0]))
    return out, len(moved)


def _leading_store(statement: ast.stmt) -> set[str]:
    """{s} for `if (s := …) … :` (the leftmost operand of the test evaluated first), else {}: a
    conversion of a required input into _c (`if (_c := i_x.__class__) is not Decimal …`)."""
    if not isinstance(statement, ast.If):
        return set()
    test = statement.test
    while isinstance(test, (ast.BoolOp, ast.Compare)):
        test = test.values[0] if isinstance(test, ast.BoolOp) else test.left
    return {test.target.id} if isinstance(test, ast.NamedExpr) else set()


def _read_unit(body: list[ast.stmt], k: int, locals_: set[str]) -> str | None:
    """The input local (i_x) that the read starting at body[k] assigns, if it is one."""
    first = body[k]
    if isinstance(first, ast.Assign):
        if len(first.targets) == 1 and isinstance(first.targets[0], ast.Name) and first.targets[0].id.startswith("i_") \
                and _reads_only(first.value, locals_) and _gets(first.value):
            return first.targets[0].id
        return None
    if not (isinstance(first, ast.If) and k + 1 < len(body)):
        return None
    then = body[k + 1]
    if not (isinstance(then, ast.Assign) and len(then.targets) == 1 and isinstance(then.targets[0], ast.Name)
            and then.targets[0].id.startswith("i_") and isinstance(then.value, ast.Name) and then.value.id == "_g"):
        return None
    if not (_reads_only(first, locals_) and _gets(first.test)):
        return None
    return then.targets[0].id


def _reads_only(node: ast.AST, locals_: set[str]) -> bool:
    """Whether `node` reads no local but data, _g and _c, writes no local but _g and _c, and has
    no statement but if, try, assignments and expressions of such."""
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            if isinstance(n.ctx, ast.Load) and n.id in locals_ and n.id not in _SCRATCH and n.id != "data":
                return False
            if not isinstance(n.ctx, ast.Load) and n.id not in _SCRATCH:
                return False
        elif (isinstance(n, ast.stmt) and not isinstance(n, (ast.If, ast.Try, ast.Assign, ast.Expr))) or isinstance(n, (ast.Lambda, ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp, ast.Await,
                            ast.Yield, ast.YieldFrom, ast.Subscript)):
            return False
    return True


def _gets(node: ast.AST) -> bool:
    """Whether `node` starts with `_g := data.get('…', _U)` (the shape of a generated read)."""
    for n in ast.walk(node):
        if isinstance(n, ast.NamedExpr) and n.target.id == "_g" and isinstance(n.value, ast.Call) \
                and isinstance(n.value.func, ast.Attribute) and n.value.func.attr == "get" \
                and isinstance(n.value.func.value, ast.Name) and n.value.func.value.id == "data":
            return True
    return False


def _stored(statement: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}


def _mark(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Name) and statement.value.id == "_U" \
        and all(isinstance(t, ast.Name) for t in statement.targets)


def _outright(statement: ast.stmt, name: str) -> bool:
    """`name = <not _U>` (a plain assignment of the name at the function's top level)."""
    return isinstance(statement, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in statement.targets) \
        and all(isinstance(t, ast.Name) for t in statement.targets) \
        and not (isinstance(statement.value, ast.Name) and statement.value.id == "_U")


def _guard(statement: ast.stmt, name: str) -> str | None:
    """C when `statement` is `x = E` and every mention of `name` in E is in the branch that
    (… if C else …) or (… if not C else …) takes when C is true, E being that conditional or
    the receiver of a method call on it (`(…).quantize(…)`) whose arguments do not mention it."""
    if not (isinstance(statement, ast.Assign) and all(isinstance(t, ast.Name) for t in statement.targets)):
        return None
    value = statement.value
    while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
        if any(_mentions(a, name) for a in (*value.args, *value.keywords)):
            return None
        value = value.func.value
    if not isinstance(value, ast.IfExp):
        return None
    test, taken, other = value.test, value.body, value.orelse
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, taken, other = test.operand, other, taken
    if not isinstance(test, ast.Name) or _mentions(other, name) or test.id == name:
        return None
    return test.id if _mentions(taken, name) else None


def _mentions(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def rounded_constants(body: list[ast.stmt], names: dict[str, Any]) -> tuple[list[ast.stmt], int]:
    """`x = (A if C else K).quantize(Q, R)` (or K first) with K, Q and R module constants (a
    Decimal, a Decimal, a rounding) as `x = A.quantize(Q, R) if C else <K rounded>`, K rounded
    once here and kept in the module's namespace as `_SQn`; and how many. Only where the rounding
    is exact and its exponent far within any context of 28 digits (evaluate computes in one):
    textile's zero subsidies, `_K0.quantize(_K4, _ROUND_HALF_UP)` a record each before."""
    count = 0
    for statement in body:
        if not (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call)):
            continue
        call = statement.value
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "quantize" and isinstance(func.value, ast.IfExp)
                and len(call.args) == 2 and not call.keywords and all(isinstance(a, ast.Name) for a in call.args)):
            continue
        branch = func.value
        quantum, rounding = (names.get(a.id) for a in call.args)  # type: ignore[attr-defined]
        for constant_first in (False, True):
            side = branch.body if constant_first else branch.orelse
            if not isinstance(side, ast.Name) or side.id not in names:
                continue
            rounded = _exactly_rounded(names[side.id], quantum, rounding)
            if rounded is None:
                continue
            name = _constant_name(names, rounded)
            other = branch.orelse if constant_first else branch.body
            computed = ast.Call(func=ast.Attribute(value=other, attr="quantize", ctx=ast.Load()), args=call.args,
                                keywords=[])
            kept = ast.Name(name, ast.Load())
            statement.value = ast.copy_location(
                ast.IfExp(test=branch.test, body=kept if constant_first else computed,
                          orelse=computed if constant_first else kept), call)
            count += 1
            break
    return body, count


def folded_constants(body: list[ast.stmt], names: dict[str, Any]) -> tuple[list[ast.stmt], int]:
    """`K1 op K2` (+, − or ×) of two module constants, Decimals or ints, at least one a Decimal,
    as one constant `_SQn` computed here in guize's context, where that is exact and its exponent
    far within any context of 28 digits (evaluate computes in one); and how many. Textile's
    电价补贴标准 (0.38 − 0.33) and 1 + 20% were computed on every call."""
    local = {n.id for st in body for n in ast.walk(st) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    folder = _ConstantFolder(names, local)
    return [folder.visit(st) for st in body], folder.count


class _ConstantFolder(ast.NodeTransformer):
    def __init__(self, names: dict[str, Any], local: set[str]) -> None:
        self.names = names
        self.local = local
        self.count = 0

    def value(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Name) and node.id not in self.local and node.id in self.names:
            found = self.names[node.id]
            return found if found.__class__ in (decimal.Decimal, int) else None
        if isinstance(node, ast.Constant) and node.value.__class__ is int:
            return node.value
        return None

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        operation = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply"}.get(type(node.op))
        left, right = self.value(node.left), self.value(node.right)
        if operation is None or left is None or right is None or decimal.Decimal not in (left.__class__, right.__class__):
            return node
        from guize.runtime.values import CONTEXT

        context = CONTEXT.copy()
        context.clear_flags()
        try:
            result = getattr(context, operation)(left, right)
        except (decimal.DecimalException, OverflowError):
            return node
        if not result.is_finite() or any(context.flags[s] for s in (decimal.Inexact, decimal.Rounded)) \
                or not -28 < result.adjusted() < 28 or not -28 < int(result.as_tuple().exponent) <= 28:
            return node
        self.count += 1
        return ast.copy_location(ast.Name(_constant_name(self.names, result), ast.Load()), node)


def _exactly_rounded(value: Any, quantum: Any, rounding: Any) -> decimal.Decimal | None:
    """value.quantize(quantum, rounding) in guize's context if it is exact and raises nothing there
    nor in any context of 28 digits (a small exponent), else None."""
    from guize.runtime.values import CONTEXT

    if not (value.__class__ is quantum.__class__ is decimal.Decimal and rounding.__class__ is str) \
            or not value.is_finite() or not quantum.is_finite() or not -28 < quantum.adjusted() <= 0:
        return None
    context = CONTEXT.copy()
    context.clear_flags()
    try:
        rounded = value.quantize(quantum, rounding, context)
    except (decimal.DecimalException, TypeError, ValueError):
        return None
    if context.flags[decimal.Inexact] or context.flags[decimal.Rounded] or not -28 < rounded.adjusted() < 28:
        return None
    return rounded


def _constant_name(names: dict[str, Any], value: decimal.Decimal) -> str:
    """A new name `_SQn` bound to `value` in the module's namespace (one per value and text)."""
    for k in range(len(names) + 1):
        name = f"_SQ{k}"
        found = names.setdefault(name, value)  # (atomic: two threads cannot both take a name)
        if found is value or (found.__class__ is decimal.Decimal and str(found) == str(value)):
            return name
    raise AssertionError("unreachable")  # pragma: no cover
