"""A corpus: the documents of a directory of .rule files, linked by repeal and replacement."""

from __future__ import annotations

import dataclasses
import datetime
import os
from typing import TYPE_CHECKING, Any

from guize.compiler.driver import load_module, rule_files
from guize.compiler.lexicon import normalize_docno, normalize_title
from guize.runtime import dates
from guize.runtime.errors import RuleError
from guize.runtime.ir import Const, dated_nodes, module_definitions
from guize.runtime.related import (
    CorpusWarning as CorpusWarning,  # it moved; guize.compiler.corpus still names it
)
from guize.runtime.related import candidates
from guize.runtime.validity import Repealed, Window

if TYPE_CHECKING:
    from guize.compiler.diagnostics import CompileError, Diagnostic

# Diagnostics (and the syntax tree's classes) are imported only when a finding is made:
# `guize.load` reads the corpus to learn of repeals, and should start quickly.


def _diagnostic(*args: Any, **kwargs: Any) -> Diagnostic:
    from guize.compiler.diagnostics import Diagnostic

    return Diagnostic(*args, **kwargs)


@dataclasses.dataclass
class Entry:
    doc: dict[str, Any]
    path: str
    module: Any
    repealed: Repealed | None = None
    amendments: list[Entry] = dataclasses.field(default_factory=list)  # documents amending this one

    @property
    def window(self) -> Window:
        return Window.from_document(self.doc, self.repealed)

    @property
    def key(self) -> str:
        return self.doc.get("docno") or self.doc.get("title") or self.path


@dataclasses.dataclass
class Corpus:
    entries: list[Entry] = dataclasses.field(default_factory=list)
    diagnostics: list[Diagnostic] = dataclasses.field(default_factory=list)
    errors: list[CompileError] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)  # files skipped (related_corpus)

    def find(self, ref: str) -> list[Entry]:
        """Documents matching a 文号 or a title (exact first, then a unique partial match)."""
        text = ref.strip()
        docno = normalize_docno(text)
        title = normalize_title(text) if text.startswith("《") else text
        exact = [e for e in self.entries if e.doc.get("docno") == docno or e.doc.get("title") == title]
        if exact:
            return exact
        return [e for e in self.entries if title in (e.doc.get("title") or "")]

    def entry_for_file(self, path: str) -> Entry | None:
        target = os.path.realpath(path)
        for e in self.entries:
            if os.path.realpath(e.path) == target:
                return e
        return None


def load_corpus(paths: list[str], with_amendments: bool = False) -> Corpus:
    """The documents of `paths`; `with_amendments`: a base document's module applies the
    amendments beside it (compiler/amend.py), as guize.load does."""
    corpus = Corpus()
    for path in rule_files(paths):
        try:
            module = load_module(path, amendments=path.parent if with_amendments else None)
        except RuleError as exc:
            from guize.compiler.diagnostics import CompileError

            if not isinstance(exc, CompileError):
                raise
            corpus.errors.append(exc)
            continue
        except (RecursionError, MemoryError):
            corpus.warnings.append(f"文件库中的「{path}」嵌套过深或过大，已跳过")
            continue
        for doc in module.DOCUMENTS:
            corpus.entries.append(Entry(doc, str(path), module))
    link(corpus)
    return corpus


def related_corpus(path: str, module: Any, root: str, recursive: bool = False) -> Corpus:
    """The part of the corpus in `root` that decides whether the documents of `path` (compiled
    as `module`) are repealed: the file itself and the files that may repeal it.

    A file can repeal a document only by naming its title or 文号 under 「废止」 or 「替代」, so
    a neighbour whose text names neither, or has neither word, is not parsed at all
    (runtime/related.py). `root` is searched non-recursively unless `recursive`. A neighbour
    that cannot be read or compiled is skipped and reported in `corpus.warnings`, never raised.
    """
    corpus = Corpus()
    for doc in module.DOCUMENTS:
        corpus.entries.append(Entry(doc, str(path), module))
    found, corpus.warnings = candidates(path, module.DOCUMENTS, root, recursive)
    for neighbour in found:
        try:
            other = load_module(neighbour)
        except RuleError as exc:
            first = exc.message.splitlines()[0] if exc.message else type(exc).__name__
            corpus.warnings.append(f"文件库中的「{neighbour}」有错误，判断「{path}」是否被废止时已跳过它：{first}")
            continue
        except (RecursionError, MemoryError):
            corpus.warnings.append(f"文件库中的「{neighbour}」嵌套过深或过大，判断「{path}」是否被废止时已跳过它")
            continue
        for doc in other.DOCUMENTS:
            corpus.entries.append(Entry(doc, str(neighbour), other))
    link(corpus)
    return corpus


def _resolve(corpus: Corpus, title: str | None, docno: str | None) -> Entry | None:
    for e in corpus.entries:
        if docno and e.doc.get("docno") == docno:
            return e
    for e in corpus.entries:
        if title and e.doc.get("title") == title:
            return e
    return None


def _span(path: str, line: int) -> Any:
    from guize.compiler.ast import Span

    return Span(path, line, 1, line, 2)


def link(corpus: Corpus) -> None:
    """Resolve every repeal and replacement between the corpus's documents, and every amendment."""
    for entry in corpus.entries:
        amends = entry.doc.get("amends")
        target = _resolve(corpus, *amends) if amends else None
        if target is not None and entry not in target.amendments:
            target.amendments.append(entry)
    for entry in corpus.entries:
        doc = entry.doc
        for title, docno, since, replaces, line in doc.get("repeals", ()):
            name = f"《{title}》" if title else docno
            target = _resolve(corpus, title, docno)
            when = since or doc.get("start")
            if target is None:
                corpus.diagnostics.append(_diagnostic(
                    "warning", "W400", f"{'替代' if replaces else '废止'}的文件{name}不在文件库中",
                    _span(entry.path, line), hint="把它作为只含元数据的「文件：」加入文件库，即可查询其状态"))
                continue
            if when is None:
                continue
            start = target.doc.get("start")
            if start is not None and when < start:
                corpus.diagnostics.append(_diagnostic(
                    "error", "E400", f"{name}自{dates.cn(start)}起施行，却在{dates.cn(when)}被废止（早于施行）",
                    _span(entry.path, line)))
                continue
            rep = Repealed(when, doc.get("title"), doc.get("docno"), bool(replaces))
            if target.repealed is None or rep.on < target.repealed.on:
                target.repealed = rep


@dataclasses.dataclass(frozen=True)
class TimelineRow:
    document: str
    what: str
    start: datetime.date | None
    end: datetime.date | None  # inclusive
    value: str
    path: str
    decided: datetime.date | None = None  # published: when the value was decided


def _own_versions(doc: dict[str, Any], versions: Any) -> Any:
    """The versions a document itself set: for an amending or local one, only those it made
    (its module merges its base's; see compiler/amend.py)."""
    if not doc.get("amends") and not doc.get("adopts"):
        return versions
    name = doc.get("docno") or f"《{doc.get('title')}》"
    return [v for v in versions if v.label.endswith(f"（{name}）")]


def timeline(corpus: Corpus) -> list[TimelineRow]:
    """Every document's window and every dated value, in date order per document."""
    from guize.runtime.values import fmt

    rows: list[TimelineRow] = []
    seen_modules: set[int] = set()
    for e in corpus.entries:
        w = e.window
        end = w.last
        status = "有效期"
        if w.repealed is not None:
            rep_last = w.repealed.on - datetime.timedelta(days=1)
            if end is None or rep_last < end:
                end = rep_last
                by = w.repealed.by_docno or f"《{w.repealed.by_title}》"
                status = f"有效期（{'被替代' if w.repealed.replaced else '已废止'}：{by}）"
        published = e.doc.get("published")
        rows.append(TimelineRow(w.name(), status, w.start, end, "", e.path, published))
        if id(e.module) in seen_modules or len(e.module.DOCUMENTS) != 1:
            continue
        seen_modules.add(id(e.module))
        for name, d in module_definitions(e.module).items():
            for node in dated_nodes(d.expr):
                for v in _own_versions(e.doc, node.versions):
                    shown = fmt(v.value.value) if isinstance(v.value, Const) else "（按公式）"
                    last = v.end - datetime.timedelta(days=1) if v.end else w.last
                    rows.append(TimelineRow(w.name(), f"{name}：{v.label}", v.start, last, shown, e.path,
                                            v.known or published))
    return rows
