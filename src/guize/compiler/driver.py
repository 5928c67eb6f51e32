"""Chain the stages: read → parse → check → generate → compile, with an on-disk cache."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import hashlib
import marshal
import os
import secrets
import stat
import sys
from pathlib import Path
from types import CodeType, ModuleType
from typing import TYPE_CHECKING

from guize._version import __version__
from guize.runtime.errors import RuleError

if TYPE_CHECKING:
    from guize.compiler.checker import CheckedPolicy

# The parser (and Lark), checker and code generators are imported only when a file must
# be compiled: loading a cached policy needs none of them, and starts faster for it.


@dataclasses.dataclass(frozen=True)
class Compiled:
    checked: CheckedPolicy
    python: str  # the generated module's source
    source: str  # the .rule text
    batch_python: str = ""  # its sibling module's: the columnar evaluators (see batchgen)


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
        from guize.compiler.ast import Span
        from guize.compiler.diagnostics import CompileError, Diagnostic

        raise CompileError([Diagnostic("error", "E002", "文件不是 UTF-8 编码（常见原因：用 GBK 保存）",
                                       Span(str(p), line, 1, line, 2),
                                       hint="请用 UTF-8 编码另存此文件")]) from None
    return text


def layered_files(source: str, path: str, amendments: Path | None = None,
                  recursive: bool = False) -> list[tuple[str, str]] | None:
    """The files (path, text), base first, whose merge makes the policy of `path` when it is an
    amendment or a local document, or (with `amendments`, a corpus folder) a base document
    with amendments there; None for a file on its own (see compiler/amend.py)."""
    from guize.compiler import amend

    declares = amend.may_layer(source)
    if amendments is None and not declares:
        return None
    paths = amend.chain(path, amendments, recursive, source)
    if len(paths) == 1 and not declares:
        return None
    return [(p, source if p == path else read_source(p)) for p in paths]


def check_source(source: str, path: str, files: list[tuple[str, str]] | None = None) -> CheckedPolicy:
    """Parse and check; raises CompileError if there is any error (warnings ride along).

    An amendment or a local document is checked merged with the documents it builds on
    (`files`, found beside it when not given; see compiler/amend.py)."""
    if files is None:
        files = layered_files(source, path)
    if files is not None:
        from guize.compiler.amend import check_chain

        return check_chain(files, path)  # type: ignore[no-any-return]
    from guize.compiler import parser
    from guize.compiler.checker import check
    from guize.compiler.diagnostics import CompileError

    tree = parser.parse(source, path)
    checked = check(tree, source)
    errors = [d for d in checked.diagnostics if d.severity == "error"]
    if errors:
        raise CompileError(list(checked.diagnostics), {path: source})
    return checked


def compile_source(source: str, path: str, files: list[tuple[str, str]] | None = None) -> Compiled:
    from guize.compiler import batchgen, codegen

    checked = check_source(source, path, files)
    try:
        return Compiled(checked, codegen.generate(checked, path), source, batchgen.generate(checked))
    except (RecursionError, MemoryError):
        raise _too_complex(path) from None


def _too_complex(path: str) -> RuleError:
    """The parser bounds each definition's nesting; a very long chain of definitions, each using
    the one before, can still exceed Python's stack in the later stages."""
    from guize.compiler.ast import Span
    from guize.compiler.diagnostics import CompileError, Diagnostic

    return CompileError([Diagnostic("error", "E018", "规则过于复杂，无法编译：定义之间一个引用一个的链太长",
                                    Span(path, 1, 1, 1, 2),
                                    hint="减少层层相引的定义（几百个定义首尾相引时会出现）")])


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


@functools.cache
def _grammar_sha() -> str:
    """A hash of the grammar and of the compiler's and runtime's code: a new guize never reuses
    modules generated by an older one, even between releases."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for path in sorted([*root.glob("grammar/*.lark"), *root.glob("compiler/*.py"), *root.glob("runtime/*.py")]):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write via a temporary file in the same folder and rename: never a half-written file.

    An existing file keeps its permission bits; a new one gets 0666 less the umask, as a plain
    open() would give it (not the 0600 of mkstemp). A symbolic link stays a link: its target
    is written, as a shell's `>` would.
    """
    path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    fd, tmp = _create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new, empty file beside `path`, created with mode 0666 so that the kernel applies the umask
    (reading the umask would mean setting it, which is not safe while other threads create files)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        tmp = os.path.join(path.parent, f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "无法创建临时文件", str(path.parent))


def module_from_source(python: str, name: str, filename: str) -> ModuleType:
    return module_from_code(compile(python, filename, "exec"), name, filename)


def module_from_code(code: CodeType, name: str, filename: str) -> ModuleType:
    module = ModuleType(name)
    module.__file__ = filename
    exec(code, module.__dict__)
    return module


def load_module(path: str | os.PathLike[str], use_cache: bool = True, amendments: Path | None = None,
                recursive: bool = False) -> ModuleType:
    """The compiled module for a .rule file: from the cache when its source is unchanged.

    Its sibling, the columnar evaluators (`<key>_batch.py`), is written beside it and loaded
    only when the module's BATCH_LOADER is first called (by guize.runtime.batch).
    An amendment or local document is merged with the documents it builds on; a base document
    with its amendments in the folder `amendments` (recursively if `recursive`) when given."""
    source = read_source(path)
    files = layered_files(source, str(path), amendments, recursive)
    if files is None:
        key = cache_key(source, str(path))
    else:
        key = cache_key("\0".join(f"{p}\0{text}" for p, text in files), str(path))
    name = f"guize_policy_{key}"
    cached = cache_dir() / f"{key}.py"
    # Beside the readable module, its bytecode (like a .pyc): a warm load compiles nothing.
    bytecode = cached.with_suffix(f".{sys.implementation.cache_tag}.code")
    module = None
    if use_cache and bytecode.exists():
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):  # a damaged entry is rebuilt
            module = module_from_code(marshal.loads(bytecode.read_bytes()), name, str(cached))
    batch_source = None
    if module is None:
        compiled = compile_source(source, str(path), files)
        try:
            code = compile(compiled.python, str(cached), "exec")
        except (RecursionError, MemoryError, SyntaxError):  # SyntaxError: too many nested parentheses
            raise _too_complex(str(path)) from None
        batch_source = compiled.batch_python
        if use_cache:
            with contextlib.suppress(OSError):  # a read-only cache only costs speed
                write_atomic(cached.with_name(f"{key}_batch.py"), compiled.batch_python)
                write_atomic(cached, compiled.python)
                write_atomic(bytecode, marshal.dumps(code))
        module = module_from_code(code, name, str(cached))
    batch_path = cached.with_name(f"{key}_batch.py")
    loader = functools.partial(_load_batch, batch_path, batch_source, (source, str(path), files), f"{name}_batch",
                               use_cache)
    module.BATCH_LOADER = loader  # type: ignore[attr-defined]
    # The files merged into it (compiler/amend.py), for whoever compiles it again (engines/spark).
    module.SOURCE_FILES = tuple(p for p, _text in files) if files else (str(path),)  # type: ignore[attr-defined]
    return module


def _load_batch(path: Path, source: str | None, rule: tuple[str, str, list[tuple[str, str]] | None], name: str,
                use_cache: bool) -> ModuleType:
    """The sibling module of columnar evaluators: from its cached bytecode, else compiled from
    `source` (or the cached file, or the .rule text `rule` again), its bytecode then cached."""
    bytecode = path.with_suffix(f".{sys.implementation.cache_tag}.code")
    if use_cache and bytecode.exists():
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):  # a damaged entry is rebuilt
            return module_from_code(marshal.loads(bytecode.read_bytes()), name, str(path))
    if source is None:
        try:
            source = path.read_text(encoding="utf-8")
        except OSError:  # a cache emptied or written only in part
            source = compile_source(*rule).batch_python
    try:
        code = compile(source, str(path), "exec")
    except (RecursionError, MemoryError, SyntaxError):  # SyntaxError: too many nested parentheses
        raise _too_complex(str(path)) from None
    if use_cache:
        with contextlib.suppress(OSError):
            write_atomic(bytecode, marshal.dumps(code))
    return module_from_code(code, name, str(path))


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
