"""Documents that amend documents (修改：), and local implementing documents (参照执行：).

The model (issue 14): a policy built from several documents is still one checked file.
Loading a base document with its amendments, or an amendment or a local document, merges
their syntax trees into one effective set of definitions, which the ordinary checker, code
generators and interpreter then handle as they handle any file:

- an amending document's definition of an existing name becomes a dated version of it, from
  the amendment's 施行日期 (or from the dates its own `自…起：` versions give), and the
  version remembers the amendment's 发布日期 (`DatedKey.known`, then `ir.Version.known`);
  versions of the target from that date on are superseded;
- `新增` declarations add inputs and definitions; an added number is zero before the
  amendment applies (and as known before it was published), so that an output a later notice
  introduced reads 0元 for earlier dates;
- a local document (参照执行) replaces values for its whole window; the base marks those
  left to local choice with `，各地可调整` (overriding another is a warning);
- evaluation "as known on" a date K (`evaluate(..., known_on=K)`) selects versions among those
  whose `known` is on or before K: a version not yet known does not exist, and the version
  before it runs on over its dates (`runtime.deps.select_version`). Nothing else changes in
  the IR, the generated code or the engines: each reads the version index from the per-date
  environment, now computed per (date, known_on).

Which files make a policy is read from the files' headers by regular expressions (`header`,
`chain`), without the parser, so that a cached policy loads without Lark; the merge itself
(`merge`) checks the amendment against its target: unknown names, changed types or units,
amendments before the target is in force are errors.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guize.compiler.lexicon import normalize_docno, normalize_title
from guize.runtime.related import may_be_layered

if TYPE_CHECKING:
    from guize.compiler import ast
    from guize.compiler.diagnostics import Diagnostic

_FIELD = r"^[ \t\u3000]*{}[ \t\u3000]*[:：][ \t\u3000]*([^#\n]*?)[ \t\u3000]*(?:[#＃].*)?$"
_DATE = re.compile(r"(\d{4})(?:年|-)(\d{1,2})(?:月|-)(\d{1,2})日?")


@dataclasses.dataclass(frozen=True)
class Header:
    """What the document header of a .rule file says, read without parsing it (the fields above
    the first rule; a field written twice counts as first written)."""

    path: str
    title: str | None
    docno: str | None
    published: datetime.date | None
    effective: datetime.date | None
    amends: str | None  # the reference after 修改：
    adopts: str | None  # the reference after 参照执行：

    def names(self) -> list[str]:
        return [n for n in (self.docno, self.title) if n]

    def order(self) -> tuple[datetime.date, datetime.date, str]:
        """Amendments apply in the order they were published (then took effect, then by path)."""
        far = datetime.date.max
        return (self.published or self.effective or far, self.effective or self.published or far, self.path)


_FIELDS = re.compile(_FIELD.format("(标题|文号|发布日期|施行日期|修改|参照执行)"), re.M)
# Where the rules begin: the document header (文件：) is above.
_RULES = re.compile(r"^(?:类型|输入|参数|输出|定义|表|例|断言|新增)[ \t\u3000]", re.M)


def _fields(text: str) -> dict[str, str]:
    """The header fields of a file's text, each as first written, read in one pass."""
    cut = _RULES.search(text)
    found: dict[str, str] = {}
    for m in _FIELDS.finditer(text, 0, cut.start() if cut else len(text)):
        found.setdefault(m[1], m[2])
    return found


def _date(text: str | None) -> datetime.date | None:
    m = _DATE.search(text or "")
    if m is None:
        return None
    try:
        return datetime.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def may_layer(source: str) -> bool:
    """Whether a file's text may declare an amendment or a local document (cheap test)."""
    if not may_be_layered(source):
        return False
    fields = _fields(source)
    return "修改" in fields or "参照执行" in fields


def header(path: str | os.PathLike[str], text: str | None = None) -> Header | None:
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
    fields = _fields(text)
    title = fields.get("标题")
    docno = fields.get("文号")
    return Header(str(path), normalize_title(title) if title and title.startswith("《") else None,
                  normalize_docno(docno) if docno else None, _date(fields.get("发布日期")),
                  _date(fields.get("施行日期")), fields.get("修改"), fields.get("参照执行"))


def names_target(ref: str, target: Header) -> bool:
    """Whether a reference written after 修改：/参照执行： names `target` (by 文号, else title)."""
    text = normalize_docno(ref)
    m = re.search(r"《([^》]*)》", text)
    title = normalize_title(m[0]) if m else None
    rest = text.replace(m[0], "") if m else text
    docno = re.sub(r"[（()）\s]", "", rest) or None
    if docno and target.docno:
        return docno == target.docno
    return bool(title and title == target.title)


def _headers(folder: Path, patterns: Sequence[str]) -> list[Header]:
    try:
        files = sorted(f for pattern in patterns for f in folder.glob(pattern))
    except OSError:
        return []
    out = []
    for f in files:
        h = header(f)
        if h is not None:
            out.append(h)
    return out


def find_base(h: Header) -> Header | None:
    """The document an amendment or a local document refers to: in its own folder, else in the
    folder above it or one of that folder's subfolders (policies/xinjiang/x.rule finds
    policies/national/y.rule). Two levels, not the whole tree: a file saved in /tmp or a home
    folder must not read every file below it."""
    ref = h.amends or h.adopts
    if ref is None:
        return None
    own = os.path.realpath(h.path)
    folder = Path(h.path).parent
    for candidates in (_headers(folder, ("*.rule",)), _headers(folder.parent, ("*.rule", "*/*.rule"))):
        found = [c for c in candidates if os.path.realpath(c.path) != own and names_target(ref, c)]
        if found:
            return found[0]
    return None


def root_of(h: Header) -> Header | None:
    """The document `h` is layered over, followed down through amendments: the base of an
    amendment of an amendment is the document the first amendment amends (None: not found,
    or the amendments refer to each other in a circle)."""
    seen = {os.path.realpath(h.path)}
    base = find_base(h)
    while base is not None and base.amends:
        seen.add(os.path.realpath(base.path))
        below = find_base(base)
        if below is None or os.path.realpath(below.path) in seen:
            return None
        base = below
    return base


def _amending(base: Header, candidates: Sequence[Header]) -> list[Header]:
    """The candidates that amend `base`, or amend one of those (an amendment of an amendment
    changes the base as amended), in the order they apply."""
    own = os.path.realpath(base.path)
    targets = [base]
    found: list[Header] = []
    rest = [c for c in candidates if c.amends and os.path.realpath(c.path) != own]
    while True:
        new = [c for c in rest if any(names_target(c.amends or "", t) for t in targets)]
        if not new:
            break
        found.extend(new)
        targets = new
        rest = [c for c in rest if c not in new]
    return sorted(found, key=Header.order)


def amendments_of(base: Header, root: Path, recursive: bool) -> list[Header]:
    """The documents under `root` that amend `base` (or amend its amendments), in the order they
    apply. A file whose text without 修改 is not read further (guize.load reads them all)."""
    own = os.path.realpath(base.path)
    try:
        files = sorted(root.rglob("*.rule") if recursive else root.glob("*.rule"))
    except OSError:
        return []
    candidates = []
    for f in files:
        try:
            text = f.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        if "修改" not in text or os.path.realpath(f) == own:
            continue
        h = header(f, text)
        if h is not None and h.amends:
            candidates.append(h)
    return _amending(base, candidates)


def chain(path: str, with_amendments: Path | None = None, recursive: bool = False,
          text: str | None = None) -> list[str]:
    """The files merged to make the policy of `path`, base first: for a base document, itself
    and (with `with_amendments`, the corpus folder) its amendments there; for an amendment, its
    base and the amendments published up to it, itself last; for a local document, its base
    with all the base's amendments, then itself. [path] alone when nothing is layered (or the
    base cannot be found: the merge then reports it). `text`: the file's, when already read."""
    h = header(path, text)
    if h is None:
        return [path]
    if h.amends or h.adopts:
        base = root_of(h)
        if base is None:
            return [path]
        others = amendments_of(base, Path(base.path).parent, False)
        if h.amends:
            mine = os.path.realpath(path)
            others = [o for o in others if o.order() <= h.order() and os.path.realpath(o.path) != mine]
        return [base.path, *(o.path for o in others), path]
    if with_amendments is None:
        return [path]
    return [path, *(o.path for o in amendments_of(h, with_amendments, recursive))]


def chain_in(path: str, texts: Mapping[str, str], with_amendments: bool = True) -> list[str]:
    """`chain` over files held in memory ({path: text}, such as a git revision's): the same
    answer, every file of `texts` a candidate."""
    headers = {p: header(p, t) for p, t in texts.items()}
    h = headers.get(path)
    if h is None:
        return [path]

    def amendments(base: Header) -> list[Header]:
        return _amending(base, [x for x in headers.values() if x is not None and x.path != base.path])

    def below(x: Header) -> Header | None:
        ref = x.amends or x.adopts or ""
        return next((y for y in headers.values() if y is not None and y.path != x.path and names_target(ref, y)), None)

    ref = h.amends or h.adopts
    if ref is not None:
        base, seen = below(h), {path}
        while base is not None and base.amends and base.path not in seen:  # down to the document amended
            seen.add(base.path)
            base = below(base)
        if base is None or base.path in seen:
            return [path]
        bases = [base]
        others = amendments(bases[0])
        if h.amends:
            others = [o for o in others if o.order() <= h.order() and o.path != path]
        return [bases[0].path, *(o.path for o in others), path]
    return [path, *(o.path for o in amendments(h))] if with_amendments else [path]


# ---------------------------------------------------------------- the merge


def _diag(severity: str, code: str, message: str, span: Any, hint: str | None = None) -> Diagnostic:
    from guize.compiler.diagnostics import Diagnostic

    return Diagnostic(severity, code, message, span, hint)


def _zero(spec: ast.TypeSpec | None) -> ast.Number | None:
    """The zero of a numeric declared type (0元, 0%, 0人), else None."""
    from guize.compiler import ast
    from guize.compiler.lexicon import parse_number

    if not isinstance(spec, ast.NamedType):
        return None
    unit = {"金额": spec.unit or "元", "比率": "%"}.get(spec.word, spec.unit or "")
    if spec.word not in ("金额", "比率", "数量", "整数"):
        return None
    per = spec.per or spec.unit_per
    text = f"0{unit}" + (f"/{per}" if per and spec.word == "金额" else "")
    try:
        value, u, p = parse_number(text)
    except ValueError:
        return None
    return ast.Number(text, value, u, p)


def _zero_like(body: ast.ExprValue | ast.BlockValue) -> ast.Number | None:
    """The zero in the unit of a value written as a number (新增 参数 X = 1000元/人)."""
    import attrs

    from guize.compiler import ast

    if isinstance(body, ast.ExprValue) and isinstance(body.expr, ast.Number):
        return attrs.evolve(body.expr, text="0", value=body.expr.value * 0)
    return None


def _is_dated(body: ast.ExprValue | ast.BlockValue) -> bool:
    from guize.compiler import ast

    return (isinstance(body, ast.BlockValue) and body.selector is None and bool(body.branches)
            and all(isinstance(b, ast.CaseBranch) and isinstance(b.key, ast.DatedKey) for b in body.branches))


def _mine(d: ast.Definition, start: datetime.date, known: datetime.date | None, name: str) -> list[ast.CaseBranch]:
    """An amending document's versions of a definition: dated, known from its publication, cited."""
    import attrs

    from guize.compiler import ast

    out = []
    for b in _versions(d, start):
        key = b.key
        assert isinstance(key, ast.DatedKey)  # INVARIANT: _versions
        out.append(attrs.evolve(b, key=attrs.evolve(key, known=known, source=name), value=_cited(b.value, name)))
    return out


def _versions(d: ast.Definition, start: datetime.date) -> list[ast.CaseBranch]:
    """A definition's value as dated branches: its own, or one from `start`."""
    from guize.compiler import ast

    body = d.body
    if _is_dated(body):
        assert isinstance(body, ast.BlockValue)  # INVARIANT: _is_dated
        return [b for b in body.branches if isinstance(b, ast.CaseBranch)]
    value: ast.Value = body
    return [ast.CaseBranch(ast.DatedKey(start, None, span=d.span), value, span=d.span)]


def _cited(value: ast.Value, name: str) -> ast.Value:
    """The value with its citation naming the amending document (依据 国发〔2023〕13号 第一条)."""
    import attrs

    from guize.compiler import ast

    articles = tuple(f"{name} {a}" for a in value.cite.articles) if value.cite else (name,)
    span = value.cite.span if value.cite else value.span
    return attrs.evolve(value, cite=ast.Citation(articles, span=span))


def _names_doc(ref: ast.DocRef, doc: ast.Document) -> bool:
    """Whether a 修改： reference names `doc` (by 文号 when both have one, else by title)."""
    if ref.docno and doc.docno:
        return normalize_docno(ref.docno) == normalize_docno(doc.docno)
    return bool(ref.title and doc.title and ref.title == doc.title)


def _same_type(a: ast.TypeSpec | None, b: ast.TypeSpec | None) -> bool:

    if a is None or b is None:
        return True
    return type(a) is type(b) and bool(a == b)  # spans take no part in equality


def merge(base: ast.RuleFile, layers: Sequence[ast.RuleFile],
          examples: Sequence[ast.Example] | None = None) -> tuple[ast.RuleFile, list[Diagnostic]]:
    """One file: `base` with each layer (amendments in the order they apply, then at most one
    local document) merged in, and the diagnostics of the merge. `examples`: those of the file
    asked for (the base's when None)."""
    from guize.compiler import ast
    from guize.compiler.checker import validity
    from guize.runtime import dates
    from guize.runtime.diagnose import nearest_name

    diags: list[Diagnostic] = []
    bdoc = base.documents[0]
    bname = f"《{bdoc.title}》" if bdoc.title else (bdoc.docno or "被修改的文件")
    bvalid = validity(bdoc)
    bstart = bvalid.start or datetime.date.min
    types = {t.name: t for t in base.types}
    inputs = {i.name: i for i in base.inputs}
    defs = {d.name: d for d in base.definitions}
    assertions = list(base.assertions)
    import attrs

    amended: list[ast.Document] = []  # the amendments merged so far, in order
    for layer in layers:
        if len(layer.documents) != 1:
            continue
        doc = layer.documents[0]
        local = doc.adopts is not None
        name = doc.docno or (f"《{doc.title}》" if doc.title else "修改文件")
        start = validity(doc).start or bstart
        known = doc.published if not local else None
        span = doc.field_spans.get("amends") or doc.span
        if not local and doc.published is None and layer is layers[-1]:
            diags.append(_diag("warning", "W412", f"{name}没有写发布日期：按某日已知的规定计算（known_on）时，"
                                                   "它的修改被当作一直已知", doc.span, "在「文件：」中写「发布日期：…」"))
        # The document this layer amends: an earlier amendment it names, else the base.
        tname, tstart, tlast = bname, bstart, bvalid.last
        for earlier in reversed(amended):
            if doc.amends is not None and _names_doc(doc.amends, earlier):
                evalid = validity(earlier)
                tname = earlier.docno or f"《{earlier.title}》"
                tstart, tlast = evalid.start or bstart, evalid.last
                break
        if not local and start < tstart:
            diags.append(_diag("error", "E414", f"{name}自{dates.cn(start)}起施行，早于被修改的{tname}"
                                                 f"（自{dates.cn(tstart)}起施行）", span,
                               "修改只能在被修改的文件施行之后生效：改正施行日期，或修改的对象"))
            continue
        if not local and tlast is not None and start > tlast:
            diags.append(_diag("error", "E414", f"{name}自{dates.cn(start)}起施行，被修改的{tname}"
                                                 f"已于{dates.cn(tlast)}期满", span))
            continue
        if not local:
            amended.append(doc)
        for t in layer.types:
            if t.name in types and types[t.name].members != t.members:
                diags.append(_diag("error", "E412", f"类型「{t.name}」与{bname}中的不同：不能改变类型的取值",
                                   t.span, "新的取值请声明一个新类型"))
            types.setdefault(t.name, t)

        def unknown(what: str, target: str, at: ast.Span, pool: dict[str, Any]) -> None:
            near = nearest_name(target, pool)
            hint = f"是否指「{near}」？" if near else f"新增的{what}请写「新增 {what} {target}…」"
            diags.append(_diag("error", "E410", f"{bname}中没有{what}「{target}」，无法修改", at, hint))

        for inp in layer.inputs:
            if not local:  # an amendment's articles, named as such in the merged policy
                inp = attrs.evolve(inp, cite=_prefixed(inp.cite, name))
            if inp.added:
                if inp.name in inputs or inp.name in defs:
                    diags.append(_diag("error", "E411", f"「{inp.name}」在{bname}中已有，不能新增", inp.span,
                                       "修改已有的输入请去掉「新增」"))
                    continue
                inputs[inp.name] = inp
            elif inp.name not in inputs:
                unknown("输入", inp.name, inp.span, inputs)
            elif not _same_type(inputs[inp.name].type, inp.type):
                diags.append(_diag("error", "E412", f"输入「{inp.name}」在{bname}中是"
                                   f"「{type_text(inputs[inp.name].type)}」，修改不能改变类型或单位", inp.type.span))
            else:
                inputs[inp.name] = inp
        for d in layer.definitions:
            if d.added:
                if d.name in defs or d.name in inputs:
                    diags.append(_diag("error", "E411", f"「{d.name}」在{bname}中已有，不能新增", d.span,
                                       "修改已有的定义请去掉「新增」"))
                    continue
                if local:
                    defs[d.name] = d
                    continue
                mine = _mine(d, start, known, name)
                zero = _zero(d.type) or _zero_like(d.body)
                assert isinstance(mine[0].key, ast.DatedKey)  # INVARIANT: _versions
                if zero is not None and mine[0].key.start > bstart:
                    mine.insert(0, ast.CaseBranch(ast.DatedKey(bstart, None, span=d.span),
                                                  ast.ExprValue(zero, None, span=d.span), span=d.span))
                defs[d.name] = attrs.evolve(d, body=ast.BlockValue(None, tuple(mine), d.body.cite, span=d.body.span))
                continue
            target = defs.get(d.name)
            if target is None:
                unknown("定义", d.name, d.span, defs)
                continue
            if target.kind != d.kind:
                diags.append(_diag("error", "E416", f"「{d.name}」在{bname}中是{ast_word(target.kind)}，"
                                                    f"这里写成了{ast_word(d.kind)}", d.span))
                continue
            if not _same_type(target.type, d.type):
                diags.append(_diag("error", "E412", f"「{d.name}」在{bname}中的类型是「{type_text(target.type)}」，"
                                                    "修改不能改变类型或单位", d.span,
                                   "去掉类型只写新的取值，或新增一个名称"))
                continue
            if local:
                if not target.local:
                    diags.append(_diag("warning", "W410", f"{bname}没有把「{d.name}」标为各地可调整，"
                                                          "本地文件仍改变了它", d.span,
                                       "确认上级文件允许各地调整；上级文件可在取值后写「，各地可调整」"))
                defs[d.name] = attrs.evolve(d, type=target.type, rounding=d.rounding or target.rounding,
                                            local=target.local)
                continue
            current = _versions(target, bstart)
            mine = _mine(d, start, known, name)
            first = mine[0].key
            assert isinstance(first, ast.DatedKey)  # INVARIANT: _versions
            kept = []
            for b in current:
                key = b.key
                assert isinstance(key, ast.DatedKey)  # INVARIANT: _versions
                if key.start >= first.start:
                    break
                if key.end is not None and key.end >= first.start:
                    b = attrs.evolve(b, key=attrs.evolve(key, end=None))
                kept.append(b)
            body = ast.BlockValue(None, tuple(kept + mine), target.body.cite, span=target.body.span)
            defs[d.name] = attrs.evolve(target, body=body, rounding=d.rounding or target.rounding)
        assertions.extend(layer.assertions)
    merged = ast.RuleFile(base.path, (bdoc,), tuple(types.values()), tuple(inputs.values()),
                          tuple(defs.values()), tuple(base.examples if examples is None else examples),
                          (), tuple(assertions))
    # Record types (of list inputs): the base's, and those a layer declares anew.
    records = {r.name: r for r in base.records}
    for layer in layers:
        for r in layer.records:
            records.setdefault(r.name, r)
    # Declared units likewise; the 原文 blocks are the base's (an amendment's own articles are
    # of another document, cited by its 文号).
    units = {u.name: u for u in base.units}
    for layer in layers:
        for u in layer.units:
            units.setdefault(u.name, u)
    merged = attrs.evolve(merged, records=tuple(records.values()), units=tuple(units.values()),
                          articles=base.articles)
    return merged, diags


def type_text(spec: ast.TypeSpec | None) -> str:
    from guize.compiler import ast

    return "（未写）" if spec is None else ast.type_text(spec)


def ast_word(kind: str) -> str:
    return {"def": "「定义」", "output": "「输出」", "param": "「参数」", "table": "「表」"}.get(kind, kind)


def check_chain(files: Sequence[tuple[str, str]], focus: str) -> Any:
    """Parse, merge and check `files` ((path, text), base first); the result as `focus`'s: its
    document, examples and path. Raises CompileError on any error (warnings ride along)."""
    import hashlib

    import attrs

    from guize.compiler import parser
    from guize.compiler.checker import CheckedPolicy, Checker, document_record
    from guize.compiler.diagnostics import CompileError

    sources = dict(files)
    trees = [parser.parse(text, path) for path, text in files]
    focus_tree = next(t for t, (p, _s) in zip(trees, files, strict=True) if p == focus)
    base, layers = trees[0], trees[1:]
    diags: list[Diagnostic] = []
    fdoc = focus_tree.documents[0] if len(focus_tree.documents) == 1 else None
    if fdoc is not None and (fdoc.amends or fdoc.adopts) and len(trees) == 1:
        ref = fdoc.amends or fdoc.adopts
        at = fdoc.field_spans.get("amends" if fdoc.amends else "adopts", fdoc.span)
        h = header(focus, sources[focus])
        if h is not None and find_base(h) is not None:  # found, but the amendments go round in a circle
            diags.append(_diag("error", "E415", f"「{ref}」与本文件互相修改（或经其他修改文件绕回本文件），"
                                                 "找不到最初被修改的文件", at,
                               "修改文件应写明它修改的文件；修改的修改最终要落到一个不是修改文件的文件上"))
            raise CompileError(diags, sources)
        diags.append(_diag("error", "E415", f"找不到{'被修改' if fdoc.amends else '参照执行'}的文件「{ref}」", at,
                           "把它放在同一目录（或上一级目录下），并写对它的文号或标题"))
        raise CompileError(diags, sources)
    if len(trees) > 1 and files[0][0] != focus:  # the base's articles, read in another document's policy
        base = _cite_base(base)
    merged, found = merge(base, layers, focus_tree.examples)
    diags.extend(found)
    if fdoc is not None and fdoc.amends is not None:
        diags.extend(_retroactive(fdoc, focus_tree))
    checker = Checker(merged, sources[files[0][0]])
    checker.file_lines = {p: s.replace("\r\n", "\n").split("\n") for p, s in files}
    checked: CheckedPolicy = checker.run(hashlib.sha256(sources[focus].encode("utf-8")).hexdigest())
    own = document_record(focus_tree, sources[focus], fdoc) if fdoc is not None else {}
    layered = tuple(_doc_summary(t.documents[0]) for t in trees if len(t.documents) == 1)
    own = {**own, "layers": layered}
    if files[0][0] == focus and checked.documents and "articles" in checked.documents[0]:
        own["articles"] = checked.documents[0]["articles"]  # the base's 原文 (explain, doc)
    all_diags = tuple(diags) + checked.diagnostics
    checked = attrs.evolve(checked, path=focus, documents=(own,), diagnostics=all_diags, tree=focus_tree)
    if any(d.severity == "error" for d in all_diags):
        raise CompileError(list(all_diags), sources)
    return checked


def _prefixed(cite: ast.Citation | None, name: str) -> ast.Citation | None:
    import attrs

    if cite is None:
        return None
    return attrs.evolve(cite, articles=tuple(f"{name} {a}" for a in cite.articles))


def _cite_value(value: Any, name: str) -> Any:
    """A value with every citation in it naming document `name`."""
    import attrs

    from guize.compiler import ast

    changes: dict[str, Any] = {"cite": _prefixed(value.cite, name)}
    if isinstance(value, ast.BlockValue):
        changes["branches"] = tuple(attrs.evolve(b, value=_cite_value(b.value, name)) for b in value.branches)
    return attrs.evolve(value, **changes)


def _cite_base(tree: ast.RuleFile) -> ast.RuleFile:
    """The base document with its citations naming it (依据 国发〔2018〕41号 第五条): in the policy of
    an amending or local document, a bare 第五条 would read as that document's."""
    import attrs

    doc = tree.documents[0] if len(tree.documents) == 1 else None
    name = doc.docno or (f"《{doc.title}》" if doc.title else None) if doc is not None else None
    if name is None:
        return tree
    inputs = tuple(attrs.evolve(i, cite=_prefixed(i.cite, name)) for i in tree.inputs)
    defs = tuple(attrs.evolve(d, body=_cite_value(d.body, name)) for d in tree.definitions)
    return attrs.evolve(tree, inputs=inputs, definitions=defs)


def _retroactive(doc: ast.Document, tree: ast.RuleFile) -> list[Diagnostic]:
    """W411, at 施行日期: an amendment that applies from before it was published changes values
    retroactively: computed as known before then, they differ from the law as it now stands."""
    from guize.compiler.checker import validity
    from guize.runtime import dates

    start = validity(doc).start
    changed = [d.name for d in tree.definitions]
    if doc.published is None or start is None or start >= doc.published or not changed:
        return []
    name = doc.docno or (f"《{doc.title}》" if doc.title else "本文件")
    before = doc.published - datetime.timedelta(days=1)
    return [_diag("warning", "W411", f"{name}自{dates.cn(start)}起施行，{dates.cn(doc.published)}才发布，溯及既往地修改了"
                                     f"{'、'.join(f'「{n}」' for n in changed)}：{dates.cn(start)}至{dates.cn(before)}"
                                     "按当时已知规定（known_on）算出的结果与现行规定不同",
                  doc.field_spans.get("effective") or doc.span,
                  "核对施行日期；确属溯及既往的，在上一行写「# guize-lint: 忽略 W411 理由」")]


def _doc_summary(doc: ast.Document) -> tuple[str | None, str | None, datetime.date | None, datetime.date | None]:
    from guize.compiler.checker import validity

    return (doc.title, doc.docno, doc.published, validity(doc).start)
