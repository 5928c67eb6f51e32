"""Chain the stages: read → parse → check → generate → compile, with an on-disk cache."""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import attrs

from guize._version import __version__
from guize.compiler import codegen, parser
from guize.compiler.checker import CheckedPolicy, check
from guize.compiler.diagnostics import CompileError, Diagnostic
from guize.compiler.parser import ast
from guize.runtime.errors import RuleError


@attrs.frozen
class Compiled:
    checked: CheckedPolicy
    python: str  # the generated module's source
    source: str  # the .rule text


def read_source(path: str | os.PathLike[str]) -> str:
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise RuleError(f"找不到文件「{p}」", file=str(p)) from None
    except IsADirectoryError:
        raise RuleError(f"「{p}」是目录，不是 .rule 文件", file=str(p)) from None
    except OSError as exc:
        raise RuleError(f"无法读取「{p}」：{exc.strerror}", file=str(p)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise CompileError([Diagnostic("error", "E002", "文件不是 UTF-8 编码（常见原因：用 GBK 保存）",
                                       ast.Span(str(p), line, 1, line, 2),
                                       hint="请用 UTF-8 编码另存此文件")]) from None
    return text


def check_source(source: str, path: str) -> CheckedPolicy:
    """Parse and check; raises CompileError if there is any error (warnings ride along)."""
    tree = parser.parse(source, path)
    checked = check(tree, source)
    errors = [d for d in checked.diagnostics if d.severity == "error"]
    if errors:
        raise CompileError(list(checked.diagnostics), {path: source})
    return checked


def compile_source(source: str, path: str) -> Compiled:
    checked = check_source(source, path)
    return Compiled(checked, codegen.generate(checked, path), source)


def compile_file(path: str | os.PathLike[str]) -> Compiled:
    return compile_source(read_source(path), str(path))


def cache_dir() -> Path:
    root = os.environ.get("GUIZE_CACHE_DIR")
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "guize"


def cache_key(source: str, path: str) -> str:
    h = hashlib.sha256()
    for part in (__version__, _grammar_sha(), path, source):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:32]


def _grammar_sha() -> str:
    from importlib import resources

    text = resources.files("guize.grammar").joinpath("rule.lark").read_bytes()
    return hashlib.sha256(text).hexdigest()


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def module_from_source(python: str, name: str, filename: str) -> ModuleType:
    module = ModuleType(name)
    module.__file__ = filename
    code = compile(python, filename, "exec")
    exec(code, module.__dict__)
    return module


def load_module(path: str | os.PathLike[str], use_cache: bool = True) -> ModuleType:
    """The compiled module for a .rule file: from the cache when its source is unchanged."""
    source = read_source(path)
    key = cache_key(source, str(path))
    cached = cache_dir() / f"{key}.py"
    if use_cache and cached.exists():
        try:
            return module_from_source(cached.read_text(encoding="utf-8"), f"guize_policy_{key}", str(cached))
        except (OSError, SyntaxError):
            pass  # a damaged cache entry is rebuilt below
    compiled = compile_source(source, str(path))
    if use_cache:
        try:
            write_atomic(cached, compiled.python)
        except OSError:
            pass  # a read-only cache only costs speed
    return module_from_source(compiled.python, f"guize_policy_{key}", str(cached))


def rule_files(paths: list[str]) -> list[Path]:
    """Expand files and directories into .rule files, sorted for determinism."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(sorted(path.rglob("*.rule")))
        elif path.exists():
            out.append(path)
        else:
            raise RuleError(f"找不到文件或目录「{p}」", file=p)
    return out


def warn(message: str) -> None:
    print(message, file=sys.stderr)
