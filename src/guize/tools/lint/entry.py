"""guize lint: the entry points — lint one file's text, lint files and directories, count findings."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Sequence

import attrs

from guize.compiler import parser
from guize.compiler.checker import check
from guize.compiler.diagnostics import CompileError, Diagnostic
from guize.compiler.driver import read_source, rule_files
from guize.runtime.errors import RuleError
from guize.runtime.validity import Repealed
from guize.tools.lint.ir_rules import FileLinter
from guize.tools.lint.suppressions import apply_suppressions


def lint_source(source: str, path: str, as_of: datetime.date | None = None,
                extra: Iterable[Diagnostic] = (), repealed: dict[str, Repealed] | None = None) -> list[Diagnostic]:
    """Findings for one file's text: syntax and checker diagnostics, lint rules, suppressions applied.

    `extra` holds findings from elsewhere (the corpus) located in this file; `repealed` maps a
    document's 文号 or title to its repeal, so documents repealed early are not said to expire.
    """
    try:
        tree = parser.parse(source, path)
    except CompileError as exc:
        return sorted(exc.diagnostics, key=_order)
    from guize.compiler.driver import layered_files

    files = layered_files(source, path)
    if files is not None:  # an amendment or a local document: checked with what it builds on
        from guize.compiler.amend import check_chain

        try:
            checked = check_chain(files, path)
        except CompileError as exc:
            return sorted(apply_suppressions(list(exc.diagnostics), tree, source.split("\n")), key=_order)
    else:
        checked = check(tree, source)
    linter = FileLinter(tree, checked, source, as_of or datetime.date.today(), repealed or {})
    findings = linter.run() + list(extra)
    return sorted(apply_suppressions(findings, tree, linter.lines), key=_order)


def lint(paths: Sequence[str], as_of: datetime.date | None = None) -> list[Diagnostic]:
    """Lint .rule files and directories; `as_of` (default today) dates the expiry checks.

    Raises RuleError for a path that does not exist.
    """
    from guize.compiler.corpus import load_corpus

    files = rule_files(list(paths))
    roots = sorted({str(f.parent) for f in files})
    corpus_diags: list[Diagnostic] = []
    repealed: dict[str, dict[str, Repealed]] = {}
    if roots:
        try:
            corpus = load_corpus(roots)
        except RuleError:
            corpus = None
        if corpus is not None:
            corpus_diags = list(corpus.diagnostics)
            for entry in corpus.entries:
                if entry.repealed is not None:
                    per_file = repealed.setdefault(os.path.realpath(entry.path), {})
                    per_file[entry.doc.get("docno") or entry.doc.get("title") or ""] = entry.repealed
    out: list[Diagnostic] = []
    for path in files:
        real = os.path.realpath(path)
        extra = [d for d in corpus_diags if os.path.realpath(d.span.file) == real]
        extra = [attrs.evolve(d, span=attrs.evolve(d.span, file=str(path))) for d in extra]
        try:
            source = read_source(path)
        except CompileError as exc:  # not UTF-8
            out.extend(exc.diagnostics)
            continue
        out.extend(lint_source(source, str(path), as_of, extra, repealed.get(real)))
    return out


def _order(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.span.file, d.span.line, d.span.column, d.code)


def counts(findings: Iterable[Diagnostic]) -> dict[str, int]:
    out = {"error": 0, "warning": 0, "info": 0}
    for d in findings:
        out[d.severity] = out.get(d.severity, 0) + 1
    return out
