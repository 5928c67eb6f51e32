"""guize diff: loading the two versions (paths or git revisions) and pairing their documents."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from guize.compiler import corpus as C
from guize.compiler.amend import chain_in, may_layer
from guize.compiler.diagnostics import CompileError, Diagnostic
from guize.compiler.driver import compile_source, module_from_source, rule_files
from guize.runtime.errors import RuleError
from guize.runtime.policy import Policy
from guize.runtime.validity import Window

DEFAULT_GIT_PATH = "policies"


class DiffUsageError(RuleError):
    """The two versions could not be told apart as paths or git revisions (exit 2)."""

    code = "E500"


class DiffTrouble(RuleError):
    """A version could not be read (git failed, a file is unreadable)."""

    code = "E501"


@attrs.define
class DocVersion:
    """One document of one version, with its policy when the file holds rules."""

    key: str
    doc: dict[str, Any]
    path: str  # display path: relative to the compared root, or to the git repository
    module: Any
    window: Window
    index: int  # position of the document within its file
    _policy: Policy | None = attrs.field(default=None, init=False, repr=False)

    @property
    def policy(self) -> Policy | None:
        if len(self.module.DOCUMENTS) != 1 or not self.module.OUTPUTS:
            return None
        if self._policy is None:
            self._policy = Policy(self.module, self.window.repealed)
        return self._policy


@attrs.define
class Side:
    label: str  # as given on the command line (with the commit for revisions)
    kind: str  # path / git
    docs: list[DocVersion]
    files: list[str]
    single_file: bool = False


def resolve(old: str, new: str, paths: Sequence[str] = (), cwd: str | None = None) -> tuple[Side, Side]:
    """Load OLD and NEW as two paths (file or directory) or as two git revisions (with PATHs)."""
    base = Path(cwd or ".")
    old_path, new_path = (base / old).exists(), (base / new).exists()
    if old_path and new_path:
        if paths:
            raise DiffUsageError(f"按路径比较「{old}」与「{new}」时不能再给出路径「{'、'.join(paths)}」",
                                 hint="只有比较两个修订时才给出路径：guize diff HEAD~1 HEAD policies/")
        if (base / old).is_dir() != (base / new).is_dir():
            raise DiffUsageError(f"「{old}」与「{new}」应同为文件或同为目录")
        return load_path(old, cwd), load_path(new, cwd)
    old_rev, new_rev = _is_revision(old, cwd), _is_revision(new, cwd)
    if old_rev and new_rev:
        roots = list(paths) or [DEFAULT_GIT_PATH]
        return load_revision(old, roots, cwd), load_revision(new, roots, cwd)
    neither = [arg for arg, p, r in ((old, old_path, old_rev), (new, new_path, new_rev)) if not p and not r]
    if neither:
        message = "、".join(f"「{arg}」" for arg in neither) + "既不是存在的文件或目录，也不是 git 修订"
    else:
        message = f"「{old}」与「{new}」一个是路径、一个是 git 修订，不能混合比较"
    raise DiffUsageError(message, hint="比较两个路径：guize diff 旧目录 新目录；"
                                       "比较两个修订：guize diff HEAD~1 HEAD policies/")


def load_path(arg: str, cwd: str | None = None) -> Side:
    root = Path(cwd or ".") / arg
    files = rule_files([str(root)])
    lib = C.load_corpus([str(root)], with_amendments=True)  # a base's outputs as amended
    if lib.errors:
        raise _merge_errors(lib.errors)
    docs: list[DocVersion] = []
    counters: dict[str, int] = {}
    for entry in lib.entries:
        display = Path(entry.path).relative_to(root).as_posix() if root.is_dir() else arg
        index = counters.get(entry.path, 0)
        counters[entry.path] = index + 1
        docs.append(DocVersion(entry.key, entry.doc, display, entry.module, entry.window, index))
    shown = [Path(f).relative_to(root).as_posix() if root.is_dir() else arg for f in files]
    return Side(arg, "path", docs, shown, single_file=root.is_file())


def _git(args: list[str], cwd: str | None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise DiffTrouble(f"无法运行 git：{exc.strerror}") from None


def _is_revision(rev: str, cwd: str | None) -> bool:
    if rev.startswith("-"):
        return False
    return _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd).returncode == 0


def load_revision(rev: str, roots: Sequence[str], cwd: str | None = None) -> Side:
    """Compile every .rule file under `roots` as committed in `rev`, in memory."""
    listed = _git(["ls-tree", "-r", "--full-name", "--name-only", "-z", rev, "--", *roots], cwd)
    if listed.returncode != 0:
        raise DiffTrouble(f"无法列出修订「{rev}」中的文件：{listed.stderr.decode('utf-8', 'replace').strip()}")
    names = sorted(n for n in listed.stdout.decode("utf-8").split("\0") if n.endswith(".rule"))
    sha = _git(["rev-parse", "--short", f"{rev}^{{commit}}"], cwd).stdout.decode().strip()
    entries: list[C.Entry] = []
    errors: list[CompileError] = []
    texts: dict[str, str] = {}
    for name in names:
        shown = _git(["show", f"{rev}:{name}"], cwd)
        if shown.returncode != 0:
            raise DiffTrouble(f"无法读取「{rev}:{name}」：{shown.stderr.decode('utf-8', 'replace').strip()}")
        try:
            texts[name] = shown.stdout.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DiffTrouble(f"「{rev}:{name}」不是 UTF-8 编码") from None
    for name in names:
        label = f"{rev}:{name}"
        source = texts[name]
        # A base with the amendments of the same revision; an amending or local document with
        # what it builds on (compiler/amend.py).
        chain = chain_in(name, texts)
        files = [(f"{rev}:{p}", texts[p]) for p in chain] if len(chain) > 1 or may_layer(source) else None
        try:
            compiled = compile_source(source, label, files)
        except CompileError as exc:
            errors.append(exc)
            continue
        key = hashlib.sha256(f"{label}\0{source}".encode()).hexdigest()[:16]
        module = module_from_source(compiled.python, f"guize_diff_{key}", label)
        entries.extend(C.Entry(doc, name, module) for doc in module.DOCUMENTS)
    if errors:
        raise _merge_errors(errors)
    lib = C.Corpus(entries)
    C.link(lib)
    docs: list[DocVersion] = []
    counters: dict[str, int] = {}
    for entry in lib.entries:
        index = counters.get(entry.path, 0)
        counters[entry.path] = index + 1
        docs.append(DocVersion(entry.key, entry.doc, entry.path, entry.module, entry.window, index))
    return Side(f"{rev}（{sha}）" if sha and sha != rev else rev, "git", docs, names)


def _merge_errors(errors: list[CompileError]) -> CompileError:
    diags: list[Diagnostic] = []
    sources: dict[str, str] = {}
    for exc in errors:
        diags.extend(exc.diagnostics)
        sources.update(exc.sources)
    return CompileError(diags, sources)


def pair(old: Side, new: Side) -> list[tuple[DocVersion | None, DocVersion | None]]:
    """Match documents across versions by 文号, then title, then file path (and position)."""
    left, right = list(old.docs), list(new.docs)
    pairs: list[tuple[DocVersion | None, DocVersion | None]] = []
    for field in ("docno", "title"):
        for a in list(left):
            value = a.doc.get(field)
            if not value:
                continue
            match = [b for b in right if b.doc.get(field) == value]
            if len(match) == 1 and len([x for x in left if x.doc.get(field) == value]) == 1:
                pairs.append((a, match[0]))
                left.remove(a)
                right.remove(match[0])
    for a in list(left):
        match = [b for b in right if b.path == a.path and b.index == a.index]
        if match:
            pairs.append((a, match[0]))
            left.remove(a)
            right.remove(match[0])
    if old.single_file and new.single_file and len(left) == 1 and len(right) == 1:
        pairs.append((left.pop(), right.pop()))
    pairs.extend((a, None) for a in left)
    pairs.extend((None, b) for b in right)

    def order(p: tuple[DocVersion | None, DocVersion | None]) -> tuple[str, int, str]:
        d = p[1] or p[0]
        assert d is not None
        return (d.path, d.index, d.key)

    return sorted(pairs, key=order)
