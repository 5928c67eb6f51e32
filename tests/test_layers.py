"""The runtime's import graph (every import, lazy or under TYPE_CHECKING) has no cycle, no module
imports a private name from another, and batch evaluation keeps its state in its own objects,
not in private attributes of Policy."""

import ast
from pathlib import Path

RUNTIME = Path("src/guize/runtime")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("guize.runtime"):
            if node.module == "guize.runtime":
                found |= {f"guize.runtime.{a.name}" for a in node.names if (RUNTIME / f"{a.name}.py").exists()}
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("guize.runtime.")}
    return found


def test_the_runtime_has_no_import_cycle() -> None:
    graph = {f"guize.runtime.{p.stem}": _imports(p) for p in RUNTIME.glob("*.py") if p.stem != "__init__"}
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        if state.get(module) == 2:
            return
        assert state.get(module) != 1, "import cycle: " + " → ".join([*path, module])
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            visit(target, [*path, module])
        state[module] = 2

    for module in sorted(graph):
        visit(module, [])


def test_batch_modules_write_no_private_state_onto_other_objects() -> None:
    for name in ("batch.py", "columns.py", "files.py"):
        path = RUNTIME / name
        if not path.exists():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, (ast.AnnAssign, ast.AugAssign)) else []
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr.startswith("_"):
                    owner = target.value
                    assert isinstance(owner, ast.Name) and owner.id == "self", \
                        f"{name}:{node.lineno} writes {ast.unparse(target)}"


def test_the_runtime_imports_no_private_name_from_another_module() -> None:
    for path in sorted(RUNTIME.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("guize"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.name}:{node.lineno} imports {private} from {node.module}"
