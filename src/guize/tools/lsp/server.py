"""The pygls wiring of `guize lsp`: LSP requests in, analysis answers out, positions converted
between code points (ours) and the client's units (UTF-16 unless negotiated)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import os
from pathlib import Path
from typing import Any

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from guize._version import __version__
from guize.compiler.checker import CheckedPolicy
from guize.compiler.diagnostics import CompileError, Diagnostic
from guize.runtime import i18n
from guize.runtime.errors import RuleError
from guize.tools.lsp.analysis import (
    KIND_WORDS,
    Decl,
    FileIndex,
    document_references,
    find_declaration,
    quick_fixes,
)
from guize.tools.lsp.scan import Token
from guize.tools.lsp.verifying import Finding, Verifier

TOKEN_TYPES = ["keyword", "number", "string", "comment", "type", "enumMember", "parameter", "variable", "property",
               "function", "macro", "decorator", "operator"]
TOKEN_MODIFIERS = ["declaration", "readonly"]
_NAME_TOKEN = {"type": "type", "member": "enumMember", "input": "parameter", "param": "variable",
               "table": "variable", "def": "variable", "output": "property"}
_LEX_TOKEN = {"keyword": "keyword", "number": "number", "years": "number", "date": "number", "rounding": "keyword",
              "string": "string", "title": "string", "comment": "comment", "docno": "macro",
              "citation": "decorator", "operator": "operator", "lawtext": "string"}
_SYMBOL = {"document": T.SymbolKind.Module, "type": T.SymbolKind.Enum, "member": T.SymbolKind.EnumMember,
           "input": T.SymbolKind.Variable, "param": T.SymbolKind.Constant, "table": T.SymbolKind.Struct,
           "def": T.SymbolKind.Function, "output": T.SymbolKind.Property, "example": T.SymbolKind.Event,
           "article": T.SymbolKind.String}
_COMPLETION = {"type": T.CompletionItemKind.Enum, "member": T.CompletionItemKind.EnumMember,
               "input": T.CompletionItemKind.Variable, "param": T.CompletionItemKind.Constant,
               "table": T.CompletionItemKind.Struct, "def": T.CompletionItemKind.Function,
               "output": T.CompletionItemKind.Property, "function": T.CompletionItemKind.Function,
               "keyword": T.CompletionItemKind.Keyword}
_SEVERITY = {"error": T.DiagnosticSeverity.Error, "warning": T.DiagnosticSeverity.Warning,
             "info": T.DiagnosticSeverity.Information}


class GuizeServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("guize", __version__, text_document_sync_kind=T.TextDocumentSyncKind.Full)
        self.last_checked: dict[str, CheckedPolicy] = {}  # uri -> the last check of text that parsed
        self.disk: dict[str, tuple[float, int, FileIndex]] = {}  # path -> (mtime, size, index)
        self.linted: dict[str, list[T.Diagnostic]] = {}  # uri -> the check's and lint's diagnostics
        self.verifier = Verifier(self.verified)
        self.verify_on_save = True
        self.loop: asyncio.AbstractEventLoop | None = None

    # ------------------------------------------------------------ per document

    def index(self, uri: str) -> tuple[TextDocument, FileIndex]:
        doc = self.workspace.get_text_document(uri)
        return doc, FileIndex(doc.source, self.last_checked.get(uri))

    def refresh(self, uri: str) -> None:
        """Check and lint the document's text and publish what was found."""
        from guize.compiler import parser
        from guize.compiler.checker import check
        from guize.tools.lint import lint_source

        doc = self.workspace.get_text_document(uri)
        path = to_fs_path(uri) or uri
        source = doc.source
        with contextlib.suppress(CompileError):
            tree = parser.parse(source, path)
            self.last_checked[uri] = check(tree, source)
        try:
            found = lint_source(source, path, datetime.date.today())
        except RuleError as exc:  # a user error the linter could not place in the text
            found = [Diagnostic("error", exc.code, exc.message, _whole_line(path))]
        self.linted[uri] = [self.diagnostic(doc, d) for d in found if _same_file(d.span.file, path)]
        self.publish(uri)

    def publish(self, uri: str) -> None:
        """The check's and lint's diagnostics, with what guize verify found for this very text."""
        if uri not in self.linted:
            return
        doc = self.workspace.get_text_document(uri)
        verified = [self.verify_diagnostic(doc, f) for f in self.verifier.findings(uri, doc.source)]
        self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(
            uri=uri, diagnostics=self.linted[uri] + verified, version=doc.version))

    # ------------------------------------------------------------ guize verify

    def verify(self, uri: str) -> bool:
        """Queue the saved document for verification (False when it is not saved as it is shown)."""
        with contextlib.suppress(RuntimeError):
            self.loop = asyncio.get_running_loop()
        path = to_fs_path(uri)
        doc = self.workspace.get_text_document(uri)
        try:
            if path is None or Path(path).read_text(encoding="utf-8-sig") != doc.source:
                return False
        except (OSError, UnicodeDecodeError):
            return False
        self.verifier.request(uri, path, doc.source)
        return True

    def verified(self, uri: str) -> None:
        """Called in the verifier's thread: publish from the event loop's thread."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.publish, uri)

    def verify_diagnostic(self, doc: TextDocument, f: Finding) -> T.Diagnostic:
        line = max(f.line - 1, 0)
        text = doc.lines[line].rstrip("\r\n") if line < len(doc.lines) else ""
        start = len(text) - len(text.lstrip())
        severity = (T.DiagnosticSeverity.Information if f.status == "unknown" else
                    T.DiagnosticSeverity.Error if f.kind == "assertion" else T.DiagnosticSeverity.Warning)
        return T.Diagnostic(range=self.range(doc, line, start, line, len(text)), message=f.message,
                            severity=severity, code=f"verify/{f.kind}", source="guize verify")

    def diagnostic(self, doc: TextDocument, d: Diagnostic) -> T.Diagnostic:
        s = d.span
        rng = self.range(doc, max(s.line - 1, 0), max(s.column - 1, 0), max(s.end_line - 1, 0),
                         max(s.end_column - 1, 0))
        message = i18n.diagnostic(d.code, d.message)  # GUIZE_LANG=en in the editor's environment: English
        if d.article:
            message += f"\n{i18n.t('label.article')}{d.article}"
        if d.hint:
            message += f"\n{i18n.t('label.hint')}{i18n.hint(d.hint)}"
        return T.Diagnostic(range=rng, message=message, severity=_SEVERITY.get(d.severity), code=d.code,
                            source="guize", data={"message": d.message, "hint": d.hint or ""})

    # ------------------------------------------------------------ positions

    def position(self, doc: TextDocument, line: int, col: int) -> T.Position:
        lines = doc.lines
        if line >= len(lines):
            return T.Position(line=line, character=0)
        return doc.position_codec.position_to_client_units(lines, T.Position(line=line, character=col))

    def range(self, doc: TextDocument, line: int, col: int, end_line: int, end_col: int) -> T.Range:
        if (end_line, end_col) < (line, col):
            end_line, end_col = line, col
        return T.Range(start=self.position(doc, line, col), end=self.position(doc, end_line, end_col))

    def here(self, doc: TextDocument, pos: T.Position) -> tuple[int, int]:
        p = doc.position_codec.position_from_client_units(doc.lines, pos)
        return p.line, p.character

    def token_range(self, doc: TextDocument, tok: Token | Decl) -> T.Range:
        end = tok.end if isinstance(tok, Token) else tok.end_col
        return self.range(doc, tok.line, tok.col, tok.line, end)

    # ------------------------------------------------------------ the folder

    def folder_indexes(self, uri: str) -> list[tuple[str, FileIndex]]:
        """Every .rule file under the workspace folders and the document's own folder."""
        roots = {Path(to_fs_path(f.uri) or "") for f in self.workspace.folders.values()}
        own = to_fs_path(uri)
        if own:
            roots.add(Path(own).parent)
        paths = sorted({os.path.realpath(p) for r in roots if str(r) and r.is_dir() for p in r.rglob("*.rule")})
        if own and os.path.realpath(own) not in paths:
            paths.append(os.path.realpath(own))
        open_docs = {os.path.realpath(to_fs_path(u) or u): u for u in self.workspace.text_documents}
        out = []
        for path in paths:
            if path in open_docs:
                out.append((path, FileIndex(self.workspace.get_text_document(open_docs[path]).source)))
                continue
            try:
                st = os.stat(path)
                cached = self.disk.get(path)
                if cached is None or cached[:2] != (st.st_mtime, st.st_size):
                    text = Path(path).read_text(encoding="utf-8-sig")
                    cached = (st.st_mtime, st.st_size, FileIndex(text))
                    self.disk[path] = cached
            except (OSError, UnicodeDecodeError):
                continue
            out.append((path, cached[2]))
        return out

    def location(self, path: str, line: int, col: int, end: int) -> T.Location:
        uri = from_fs_path(path) or path
        doc = self.workspace.get_text_document(uri)
        return T.Location(uri=uri, range=self.range(doc, line, col, line, end))


server = GuizeServer()


def _same_file(a: str, b: str) -> bool:
    return a == b or os.path.realpath(a) == os.path.realpath(b)


def _whole_line(path: str) -> Any:
    from guize.compiler.ast import Span

    return Span(path, 1, 1, 1, 2)


@server.feature(T.INITIALIZE)
def initialize(ls: GuizeServer, params: T.InitializeParams) -> None:
    """initializationOptions {"verify": {"onSave": bool, "timeout": seconds per property}}."""
    options = params.initialization_options if isinstance(params.initialization_options, dict) else {}
    found = options.get("verify")
    verify: dict[str, Any] = found if isinstance(found, dict) else {}
    if isinstance(verify.get("onSave"), bool):
        ls.verify_on_save = verify["onSave"]
    timeout = verify.get("timeout")
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0:
        ls.verifier.timeout = float(timeout)


@server.command("guize.verify")
def verify_command(ls: GuizeServer, *args: Any) -> str:
    """Verify the documents named (their uris), or every open one; the findings come as diagnostics."""
    uris = [a for a in args if isinstance(a, str)] or list(ls.workspace.text_documents)
    queued = [u for u in uris if ls.verify(u)]
    if len(queued) < len(uris):
        ls.window_show_message(T.ShowMessageParams(type=T.MessageType.Info,
                                                   message="只验证已保存的文件：有改动未保存的文件请先保存"))
    return f"正在验证 {len(queued)} 个文件"


@server.feature(T.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: GuizeServer, params: T.DidOpenTextDocumentParams) -> None:
    ls.refresh(params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: GuizeServer, params: T.DidChangeTextDocumentParams) -> None:
    ls.refresh(params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: GuizeServer, params: T.DidSaveTextDocumentParams) -> None:
    ls.refresh(params.text_document.uri)
    if ls.verify_on_save:
        ls.verify(params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: GuizeServer, params: T.DidCloseTextDocumentParams) -> None:
    ls.last_checked.pop(params.text_document.uri, None)
    ls.linted.pop(params.text_document.uri, None)
    ls.verifier.forget(params.text_document.uri)
    ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


@server.feature(T.TEXT_DOCUMENT_HOVER)
def hover(ls: GuizeServer, params: T.HoverParams) -> T.Hover | None:
    doc, index = ls.index(params.text_document.uri)
    line, col = ls.here(doc, params.position)
    tok = index.token_at(line, col)
    text = index.hover(line, col)
    if text is None and tok is not None and tok.kind in ("docno", "title"):
        for path, _, _, _ in find_declaration(ls.folder_indexes(params.text_document.uri), tok):
            text = _document_hover(path)
    if text is None or tok is None:
        return None
    return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value=text), range=ls.token_range(doc, tok))


def _document_hover(path: str) -> str:
    """The 文件 block of a file, as it is written."""
    index = FileIndex(Path(path).read_text(encoding="utf-8-sig"))
    _, _, doc = index.own_document()
    if doc is None:
        return ""
    fields = [index.lines[n].strip() for n in range(doc.start + 1, doc.end + 1) if index.lines[n].strip()]
    return "\n\n".join([f"**{doc.name}**", *fields, f"文件：`{path}`"])


@server.feature(T.TEXT_DOCUMENT_DEFINITION)
def definition(ls: GuizeServer, params: T.DefinitionParams) -> list[T.Location]:
    uri = params.text_document.uri
    doc, index = ls.index(uri)
    tok = index.token_at(*ls.here(doc, params.position))
    if tok is None:
        return []
    if tok.kind == "name" and tok.text in index.all_decls:
        return [T.Location(uri=uri, range=ls.token_range(doc, d)) for d in index.all_decls[tok.text]]
    if tok.kind in ("docno", "title"):
        return [ls.location(path, line, col, end)
                for path, line, col, end in find_declaration(ls.folder_indexes(uri), tok)]
    return []


@server.feature(T.TEXT_DOCUMENT_REFERENCES)
def references(ls: GuizeServer, params: T.ReferenceParams) -> list[T.Location]:
    uri = params.text_document.uri
    doc, index = ls.index(uri)
    tok = index.token_at(*ls.here(doc, params.position))
    if tok is None:
        return []
    if tok.kind == "name" and tok.text in index.decls:
        decls = {(d.line, d.col) for d in index.all_decls[tok.text]}
        return [T.Location(uri=uri, range=ls.token_range(doc, t)) for t in index.occurrences(tok.text)
                if params.context.include_declaration or (t.line, t.col) not in decls]
    if tok.kind in ("docno", "title"):
        return [ls.location(path, t.line, t.col, t.end) for path, t in document_references(ls.folder_indexes(uri), tok)]
    return []


@server.feature(T.TEXT_DOCUMENT_COMPLETION, T.CompletionOptions(trigger_characters=[" ", "(", "（", "，", "、"]))
def completion(ls: GuizeServer, params: T.CompletionParams) -> T.CompletionList:
    _, index = ls.index(params.text_document.uri)
    items = [T.CompletionItem(label=label, kind=_COMPLETION.get(kind), detail=detail)
             for label, kind, detail in index.completions()]
    return T.CompletionList(is_incomplete=False, items=items)


@server.feature(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbols(ls: GuizeServer, params: T.DocumentSymbolParams) -> list[T.DocumentSymbol]:
    doc, index = ls.index(params.text_document.uri)

    def symbol(d: Decl) -> T.DocumentSymbol:
        whole = ls.range(doc, d.start, 0, d.end, len(index.lines[d.end]) if d.end < len(index.lines) else 0)
        return T.DocumentSymbol(name=d.name, kind=_SYMBOL[d.kind], detail=KIND_WORDS[d.kind], range=whole,
                                selection_range=ls.token_range(doc, d),
                                children=[symbol(c) for c in d.children] or None)

    return [symbol(d) for d in index.outline]


@server.feature(T.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_rename(ls: GuizeServer, params: T.PrepareRenameParams) -> T.Range | None:
    doc, index = ls.index(params.text_document.uri)
    tok = index.token_at(*ls.here(doc, params.position))
    if tok is None or tok.kind != "name" or tok.text not in index.decls:
        return None
    return ls.token_range(doc, tok)


@server.feature(T.TEXT_DOCUMENT_RENAME)
def rename(ls: GuizeServer, params: T.RenameParams) -> T.WorkspaceEdit:
    from pygls.exceptions import JsonRpcInvalidParams

    uri = params.text_document.uri
    doc, index = ls.index(uri)
    line, col = ls.here(doc, params.position)
    try:
        found = index.rename(line, col, params.new_name)
    except ValueError as exc:
        raise JsonRpcInvalidParams(str(exc)) from None
    edits = [T.TextEdit(range=ls.token_range(doc, t), new_text=params.new_name) for t in found]
    return T.WorkspaceEdit(changes={uri: edits})


@server.feature(T.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: GuizeServer, params: T.DocumentFormattingParams) -> list[T.TextEdit] | None:
    from guize.tools.fmt import FormatError, format_source

    doc = ls.workspace.get_text_document(params.text_document.uri)
    try:
        formatted = format_source(doc.source, to_fs_path(doc.uri) or doc.uri)
    except (RuleError, FormatError):
        ls.window_show_message(T.ShowMessageParams(type=T.MessageType.Warning,
                                                   message="未格式化：文件有错误，请先改正（见问题列表）"))
        return None
    if formatted == doc.source:
        return []
    lines = doc.lines
    end = T.Position(line=len(lines), character=0)
    return [T.TextEdit(range=T.Range(start=T.Position(line=0, character=0), end=end), new_text=formatted)]


@server.feature(T.TEXT_DOCUMENT_CODE_ACTION,
                T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.QuickFix]))
def code_action(ls: GuizeServer, params: T.CodeActionParams) -> list[T.CodeAction]:
    uri = params.text_document.uri
    doc = ls.workspace.get_text_document(uri)
    actions = []
    for diag in params.context.diagnostics:
        data = diag.data if isinstance(diag.data, dict) else {}
        if diag.source != "guize" or not data.get("hint"):
            continue
        start, end = (doc.position_codec.position_from_client_units(doc.lines, p)
                      for p in (diag.range.start, diag.range.end))
        for fix in quick_fixes(str(data.get("message", "")), str(data["hint"]), doc.source.splitlines(),
                               start.line, start.character, end.line, end.character):
            rng = ls.range(doc, fix.line, fix.col, fix.line, fix.end)
            edit = T.WorkspaceEdit(changes={uri: [T.TextEdit(range=rng, new_text=fix.text)]})
            actions.append(T.CodeAction(title=fix.title, kind=T.CodeActionKind.QuickFix, diagnostics=[diag],
                                        edit=edit, is_preferred=True))
    return actions


@server.feature(T.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL,
                T.SemanticTokensLegend(token_types=TOKEN_TYPES, token_modifiers=TOKEN_MODIFIERS))
def semantic_tokens(ls: GuizeServer, params: T.SemanticTokensParams) -> T.SemanticTokens:
    from guize.compiler.lower import FUNCTION_WORDS

    doc, index = ls.index(params.text_document.uri)
    declared = {(d.line, d.col) for ds in index.all_decls.values() for d in ds}
    data: list[int] = []
    prev_line = prev_col = 0
    for tok in index.tokens:
        mods = 0
        if tok.kind == "name":
            decl = index.decls.get(tok.text)
            kind = _NAME_TOKEN[decl.kind] if decl else "function" if tok.text in FUNCTION_WORDS else None
            if (tok.line, tok.col) in declared:
                mods |= 1
            if decl is not None and decl.kind == "param":
                mods |= 2
        else:
            kind = _LEX_TOKEN.get(tok.kind)
        if kind is None:
            continue
        rng = ls.token_range(doc, tok)
        line, col = rng.start.line, rng.start.character
        length = rng.end.character - col
        data += [line - prev_line, col - prev_col if line == prev_line else col, length,
                 TOKEN_TYPES.index(kind), mods]
        prev_line, prev_col = line, col
    return T.SemanticTokens(data=data)


def main() -> None:
    server.start_io()
