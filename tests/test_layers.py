"""The house shows the pipeline: the layering of guize's packages, written down as a test.

Every import in src/guize is read with the ast module: top-level imports, imports inside
functions (lazy ones) and imports under `if TYPE_CHECKING:` alike, since each of them is a
dependency a reader has to follow. The rules:

* guize.runtime never imports guize.compiler, guize.tools, guize.commands, guize.cli or lark
  (a compiled policy needs only the runtime);
* guize.compiler never imports guize.tools, guize.commands or guize.cli;
* guize.tools never imports guize.commands or guize.cli;
* guize.commands never imports guize.cli (cli.py loads the commands);
* no import cycle among guize's modules;
* no module over 800 lines;
* no private name (a leading underscore) imported from another module, nor read as an
  attribute of an imported guize module.

Known exceptions are listed below with the work that removes them; an exception that is no
longer needed fails the test too, so the lists only ever shrink.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

SRC = Path(__file__).resolve().parent.parent / "src"

FORBIDDEN = {
    "guize.runtime": ("guize.compiler", "guize.tools", "guize.commands", "guize.cli", "lark"),
    "guize.compiler": ("guize.tools", "guize.commands", "guize.cli"),
    "guize.tools": ("guize.commands", "guize.cli"),
    # cli.py imports every command module (by importlib, which no static graph sees): a command
    # importing cli.py back would be a cycle. What they share lives in guize.commands.common.
    "guize.commands": ("guize.cli",),
}
MAX_LINES = 800

KNOWN_CYCLES: set[frozenset[str]] = set()
KNOWN_LONG: set[str] = set()


@attrs.frozen
class Import:
    importer: str  # the importing module
    target: str  # the module imported (or, for `from m import name`, m.name when that is a module)
    names: tuple[str, ...]  # names taken with `from … import`; empty for `import m`
    module: str  # for `from m import …`: m; for `import m`: m
    line: int


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path) -> dict[str, Path]:
    return {module_name(p, root): p for p in sorted(root.rglob("*.py"))}


def _absolute(importer: str, is_package: bool, level: int, module: str | None) -> str:
    if level == 0:
        return module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def imports(root: Path) -> Iterator[Import]:
    """Every import statement anywhere in every module under `root` (including inside functions)."""
    known = modules(root)
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(name, alias.name, (), alias.name, node.lineno)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(name, path.name == "__init__.py", node.level, node.module)
                names = tuple(a.name for a in node.names)
                for n in names:
                    sub = f"{base}.{n}"
                    yield Import(name, sub if sub in known else base, (n,), base, node.lineno)


def graph(root: Path) -> dict[str, set[str]]:
    known = modules(root)
    edges: dict[str, set[str]] = {m: set() for m in known}
    for imp in imports(root):
        if imp.target in known and imp.target != imp.importer:
            edges[imp.importer].add(imp.target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def private_imports(root: Path) -> list[str]:
    """`from m import _name` and `alias._name` (alias bound to an imported module) across modules."""
    known = modules(root)
    out = []
    for imp in imports(root):
        for n in imp.names:
            if n.startswith("_") and not n.startswith("__") and imp.module != imp.importer:
                out.append(f"{imp.importer}:{imp.line}: from {imp.module} import {n}")
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name in known:
                        aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(name, path.name == "__init__.py", node.level, node.module)
                for a in node.names:
                    if f"{base}.{a.name}" in known:
                        aliases[a.asname or a.name] = f"{base}.{a.name}"
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and aliases[node.value.id] != name
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                out.append(f"{name}:{node.lineno}: {node.value.id}.{node.attr} ({aliases[node.value.id]})")
    return out


def layer_violations(root: Path) -> list[str]:
    out = []
    for imp in imports(root):
        for layer, banned in FORBIDDEN.items():
            if imp.importer != layer and not imp.importer.startswith(layer + "."):
                continue
            for b in banned:
                if imp.target == b or imp.target.startswith(b + ".") or imp.module == b \
                        or imp.module.startswith(b + "."):
                    out.append(f"{imp.importer}:{imp.line} imports {imp.target} ({layer} must not import {b})")
    return out


def long_modules(root: Path) -> dict[str, int]:
    out = {}
    for name, path in modules(root).items():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            out[name] = n
    return out


# ---------------------------------------------------------------- the rules, on guize itself


def test_layers() -> None:
    assert layer_violations(SRC) == []


def test_no_new_import_cycle() -> None:
    found = set(cycles(graph(SRC)))
    assert found - KNOWN_CYCLES == set(), "new import cycles"
    assert KNOWN_CYCLES - found == set(), "a known cycle is gone: remove it from KNOWN_CYCLES"


def test_no_long_module() -> None:
    found = long_modules(SRC)
    assert {m: n for m, n in found.items() if m not in KNOWN_LONG} == {}, f"modules over {MAX_LINES} lines"
    assert KNOWN_LONG - set(found) == set(), "a known long module is short now: remove it from KNOWN_LONG"


def test_no_private_name_across_modules() -> None:
    assert private_imports(SRC) == []


# ---------------------------------------------------------------- the checks find what they claim to


@pytest.fixture
def fake(tmp_path: Path) -> Path:
    """A small package breaking every rule, each time only inside a function or TYPE_CHECKING."""
    pkg = tmp_path / "guize"
    for sub in ("runtime", "compiler", "tools", "commands"):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "cli.py").write_text("")
    (pkg / "runtime" / "a.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from guize.runtime.b import B\n"
        "def f():\n    import lark\n    from guize.compiler import c\n    return c._hidden\n")
    (pkg / "runtime" / "b.py").write_text("def g():\n    from . import a\n    from .a import _secret\n")
    (pkg / "compiler" / "c.py").write_text("def h():\n    from guize.tools import t\n")
    (pkg / "tools" / "t.py").write_text("def k():\n    import guize.cli\n" + "x = 1\n" * MAX_LINES)
    (pkg / "commands" / "run.py").write_text("def command():\n    from guize.cli import EXIT_OK\n")
    return tmp_path


def test_checks_see_lazy_imports(fake: Path) -> None:
    violations = layer_violations(fake)
    assert any("guize.runtime.a:5 imports lark" in v for v in violations)
    assert any("guize.runtime.a:6 imports guize.compiler.c" in v for v in violations)
    assert any("guize.compiler.c:2 imports guize.tools.t" in v for v in violations)
    assert any("guize.tools.t:2 imports guize.cli" in v for v in violations)
    assert any("guize.commands.run:2 imports guize.cli" in v for v in violations)
    assert cycles(graph(fake)) == [frozenset({"guize.runtime.a", "guize.runtime.b"})]
    assert sorted(private_imports(fake)) == ["guize.runtime.a:7: c._hidden (guize.compiler.c)",
                                             "guize.runtime.b:3: from guize.runtime.a import _secret"]
    assert long_modules(fake) == {"guize.tools.t": MAX_LINES + 2}


def test_batch_modules_write_no_private_state_onto_other_objects() -> None:
    """Batch evaluation keeps its state in its own objects, not in private attributes of Policy."""
    runtime = SRC / "guize" / "runtime"
    for name in ("batch.py", "columns.py", "files.py"):
        path = runtime / name
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, (ast.AnnAssign, ast.AugAssign)) else []
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr.startswith("_"):
                    owner = target.value
                    assert isinstance(owner, ast.Name) and owner.id == "self", \
                        f"{name}:{node.lineno} writes {ast.unparse(target)}"
