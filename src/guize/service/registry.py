"""The documents a server answers for: each .rule file under a folder, loaded, and reloaded when
the files change (the old policies keep serving until the new ones are ready)."""

from __future__ import annotations

import dataclasses
import threading
import warnings
from pathlib import Path
from typing import Any

from guize.runtime.errors import RuleError
from guize.runtime.policy import Policy


@dataclasses.dataclass(frozen=True)
class Document:
    id: str  # the name in URLs: the file's stem (its path with dots when two stems collide)
    path: str
    policy: Policy | None  # the last version that compiled; None if none ever did
    error: str | None  # why the file on disk does not compile now (the last good version still serves)


def _stamps(files: list[Path]) -> dict[str, tuple[int, int]]:
    out = {}
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        out[str(f)] = (st.st_mtime_ns, st.st_size)
    return out


def _ids(root: Path, files: list[Path]) -> dict[str, str]:
    """path -> id: the stem, or the relative path joined by dots where stems collide."""
    stems: dict[str, int] = {}
    for f in files:
        stems[f.stem] = stems.get(f.stem, 0) + 1
    out = {}
    for f in files:
        if stems[f.stem] == 1:
            out[str(f)] = f.stem
        else:
            rel = f.relative_to(root) if root.is_dir() else Path(f.name)
            out[str(f)] = ".".join(rel.with_suffix("").parts)
    return out


class Registry:
    """The loaded documents, swapped as a whole on reload (readers never see a half-made set)."""

    def __init__(self, root: str) -> None:
        self.root = Path(root)
        if not self.root.exists():
            raise RuleError(f"找不到文件或目录「{root}」", file=root)
        self._documents: dict[str, Document] = {}
        self._stamps: dict[str, tuple[int, int]] = {}
        self._seen: dict[str, tuple[int, int]] | None = None  # the stamps at the last check (changed)
        self._lock = threading.Lock()  # one reload at a time
        self.ready = False
        self.generation = 0  # how many times the documents were (re)loaded

    def files(self) -> list[Path]:
        if self.root.is_dir():
            return sorted(self.root.rglob("*.rule"))
        return [self.root]

    def documents(self) -> list[Document]:
        return list(self._documents.values())

    def get(self, doc_id: str) -> Document | None:
        return self._documents.get(doc_id)

    def changed(self) -> bool:
        """Whether the files differ from those loaded and have stayed as they are since the last
        call: a file being written (truncated, then filled) is not read half-written; it is
        loaded one check later, once it is still."""
        now = _stamps(self.files())
        settled, self._seen = now == self._seen, now
        return now != self._stamps and settled

    def load(self) -> bool:
        """(Re)load every file if any changed; True if the documents were replaced."""
        with self._lock:
            files = self.files()
            stamps = _stamps(files)
            if stamps == self._stamps and self.ready:
                return False
            ids = _ids(self.root, files)
            old = {d.path: d for d in self._documents.values()}
            new: dict[str, Document] = {}
            for f in files:
                policy, error = self._load_one(f)
                if policy is None and str(f) in old:
                    policy = old[str(f)].policy  # keep serving the last version that compiled
                new[ids[str(f)]] = Document(ids[str(f)], str(f), policy, error)
            self._documents = new  # one assignment: requests in flight keep the policies they hold
            self._stamps = stamps
            self.generation += 1
            self.ready = True
            return True

    def _load_one(self, path: Path) -> tuple[Policy | None, str | None]:
        import guize
        from guize.compiler.corpus import CorpusWarning
        from guize.compiler.diagnostics import CompileError

        corpus: Any = str(self.root) if self.root.is_dir() else True
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CorpusWarning)
                return guize.load(path, corpus=corpus), None
        except CompileError as exc:
            return None, exc.render()
        except RuleError as exc:
            return None, exc.message
        except RecursionError:
            return None, f"「{path}」嵌套过深，无法编译"
