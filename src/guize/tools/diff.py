"""Compare two versions of a corpus: document metadata, parameters and tables, and behaviour.

The behavioural comparison evaluates both versions of every output whose rules changed on
inputs and dates chosen from the constants of both versions (band bounds ± one step, caps,
compared constants, every enum member, both booleans, version and validity dates) and
groups the differences into date ranges and input regions with concrete examples.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import math
import re
import subprocess
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

import attrs

from guize.compiler import corpus as C
from guize.compiler.diagnostics import CompileError, Diagnostic
from guize.compiler.driver import compile_source, module_from_source, rule_files
from guize.runtime import dates
from guize.runtime import values as V
from guize.runtime.errors import NotInForce, RuleError
from guize.runtime.ir import Node, dependencies, select_version
from guize.runtime.policy import Policy
from guize.runtime.validity import Window

DEFAULT_BUDGET = 20000
DEFAULT_GIT_PATH = "policies"
_MAX_BASES = 5
_MAX_SHORT = 8
_MAX_REGIONS_SCANNED = 4
_DAY = datetime.timedelta(days=1)


class DiffUsageError(RuleError):
    """The two versions could not be told apart as paths or git revisions (exit 2)."""

    code = "E500"


class DiffTrouble(RuleError):
    """A version could not be read (git failed, a file is unreadable)."""

    code = "E501"


# ================================================================ loading the two versions


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
    lib = C.load_corpus([str(root)])
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
    for name in names:
        shown = _git(["show", f"{rev}:{name}"], cwd)
        if shown.returncode != 0:
            raise DiffTrouble(f"无法读取「{rev}:{name}」：{shown.stderr.decode('utf-8', 'replace').strip()}")
        label = f"{rev}:{name}"
        try:
            source = shown.stdout.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DiffTrouble(f"「{label}」不是 UTF-8 编码") from None
        try:
            compiled = compile_source(source, label)
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


# ================================================================ the checked tree (IR)


def _children(node: Node) -> list[Node]:
    tag = node[0]
    if tag in ("arith", "cmp"):
        return [node[2], node[3]]
    if tag in ("neg", "not"):
        return [node[1]]
    if tag in ("and", "or"):
        return [node[1], node[2]]
    if tag == "if":
        return list(node[1:4])
    if tag in ("min", "max"):
        return list(node[1])
    if tag == "round":
        return [node[3]]
    if tag == "call":
        return list(node[2])
    if tag == "cond":
        out = [x for b in node[1] for x in (b[0], b[1])]
        return out + ([node[2][0]] if node[2] else [])
    if tag == "match":
        return [node[1]] + [c[1] for c in node[2]] + ([node[3][0]] if node[3] else [])
    if tag == "bands":
        return [node[1]] + [b[4] for b in node[2]] + ([node[3][0]] if node[3] else [])
    if tag == "dated":
        return [v[2] for v in node[3]]
    return []  # const, input, ref, asof, and any node this module does not know


def walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(reversed(_children(item)))


def normalize(node: Node) -> Any:
    """The node without labels, citations and slot numbers: equal iff the rule computes the same."""
    tag = node[0]
    if tag == "cond":
        return ("cond", tuple((normalize(t), normalize(v)) for t, v, *_ in node[1]),
                normalize(node[2][0]) if node[2] else None)
    if tag == "match":
        cases = sorted(((m, normalize(c[1])) for c in node[2] for m in c[0]), key=lambda x: x[0])
        return ("match", normalize(node[1]), tuple(cases), normalize(node[3][0]) if node[3] else None)
    if tag == "bands":
        bands = sorted(((b[0], b[1], b[2], b[3], normalize(b[4])) for b in node[2]),
                       key=lambda b: (b[0] is not None, b[0] if b[0] is not None else 0))
        return ("bands", normalize(node[1]), tuple(bands), normalize(node[3][0]) if node[3] else None)
    if tag == "dated":
        return ("dated", tuple((v[0], v[1], normalize(v[2])) for v in node[3]))
    if tag in ("min", "max"):
        return (tag, tuple(normalize(a) for a in node[1]))
    if tag == "call":
        return ("call", node[1], tuple(normalize(a) for a in node[2]))
    if tag == "round":
        return ("round", node[1], node[2], normalize(node[3]), node[4])
    if tag in ("arith", "cmp"):
        return (tag, node[1], normalize(node[2]), normalize(node[3]))
    if tag in ("neg", "not", "and", "or", "if"):
        return (tag, *(normalize(c) for c in node[1:]))
    if tag == "const":
        return ("const", type(node[1]) is bool, node[1])
    return node


def inner_cites(node: Node) -> tuple[str, ...]:
    found: set[str] = set()
    for n in walk(node):
        tag = n[0]
        rows: Iterable[Any] = ()
        if tag == "cond":
            rows = [(b[3],) for b in n[1]] + ([(n[2][2],)] if n[2] else [])
        elif tag == "match":
            rows = [(c[3],) for c in n[2]] + ([(n[3][2],)] if n[3] else [])
        elif tag == "bands":
            rows = [(b[6],) for b in n[2]] + ([(n[3][2],)] if n[3] else [])
        elif tag == "dated":
            rows = [(v[4],) for v in n[3]]
        for (cites,) in rows:
            found.update(cites)
    return tuple(sorted(found))


_FUNC_NAMES = {"year": "年份", "month": "月份", "day": "日", "months_between": "相差月数",
               "days_between": "相差天数", "years_between": "相差年数", "add_months": "加月",
               "add_years": "加年", "add_days": "加天", "abs": "绝对值"}
_OPS = {"+": "+", "-": "-", "*": "×", "/": "÷"}
_CMP = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}
_ROUND_WORDS = {"half_up": "四舍五入", "floor": "向下取整", "ceil": "向上取整", "down": "截尾"}


def render_ir(node: Node) -> str:
    """Readable text for an expression of the checked tree (for showing what changed)."""
    tag = node[0]
    if tag == "const":
        return number_text(node[1]) if isinstance(node[1], (int, Decimal)) and type(node[1]) is not bool \
            else V.fmt(node[1])
    if tag in ("input", "ref"):
        return str(node[1])
    if tag == "asof":
        return "评估日期"
    if tag == "arith":
        a, b = render_ir(node[2]), render_ir(node[3])
        if node[1] in "*/":
            a = f"({a})" if node[2][0] == "arith" and node[2][1] in "+-" else a
            b = f"({b})" if node[3][0] == "arith" else b
        elif node[1] == "-" and node[3][0] == "arith" and node[3][1] in "+-":
            b = f"({b})"
        return f"{a} {_OPS[node[1]]} {b}"
    if tag == "neg":
        return f"-{render_ir(node[1])}"
    if tag == "cmp":
        return f"{render_ir(node[2])} {_CMP[node[1]]} {render_ir(node[3])}"
    if tag in ("and", "or"):
        return f"{render_ir(node[1])} {'且' if tag == 'and' else '或'} {render_ir(node[2])}"
    if tag == "not":
        return f"非 {render_ir(node[1])}"
    if tag == "if":
        return f"若 {render_ir(node[1])} 则 {render_ir(node[2])} 否则 {render_ir(node[3])}"
    if tag in ("min", "max"):
        word = "取较小值" if tag == "min" else "取较大值"
        return f"{word}({', '.join(render_ir(a) for a in node[1])})"
    if tag == "round":
        return f"{_ROUND_WORDS.get(node[1], node[1])}({render_ir(node[3])})"
    if tag == "call":
        return f"{_FUNC_NAMES.get(node[1], node[1])}({', '.join(render_ir(a) for a in node[2])})"
    if tag == "cond":
        parts = [f"{b[2]} 则 {render_ir(b[1])}" for b in node[1]]
        if node[2]:
            parts.append(f"否则 {render_ir(node[2][0])}")
        return "；".join(parts)
    if tag == "match":
        return f"按 {render_ir(node[1])}（{len(node[2])} 行）"
    if tag == "bands":
        return f"按 {render_ir(node[1])} 分段（{len(node[2])} 段）"
    if tag == "dated":
        return f"按日期（{len(node[3])} 个版本）"
    return repr(node)


DateRange = tuple[datetime.date | None, datetime.date | None]  # start, end (exclusive); None: open


def _intersect(a: DateRange, b: DateRange) -> DateRange | None:
    starts = [d for d in (a[0], b[0]) if d is not None]
    ends = [d for d in (a[1], b[1]) if d is not None]
    start = max(starts) if starts else None
    end = min(ends) if ends else None
    if start is not None and end is not None and start >= end:
        return None
    return (start, end)


def value_rows(node: Node, path: tuple[str, ...] = (), rng: DateRange = (None, None)) -> list[tuple[tuple[str, ...], DateRange, Node]]:
    """Flatten tables, branches and dated versions into rows: (row labels, dates, value node)."""
    tag = node[0]
    out: list[tuple[tuple[str, ...], DateRange, Node]] = []
    if tag == "dated":
        for start, end, value, _label, _cite in node[3]:
            sub = _intersect(rng, (start, end))
            if sub is not None:
                out.extend(value_rows(value, path, sub))
    elif tag == "match":
        for members, value, _label, _cite in node[2]:
            for m in members:
                out.extend(value_rows(value, (*path, str(m)), rng))
        if node[3]:
            out.extend(value_rows(node[3][0], (*path, "其他"), rng))
    elif tag == "bands":
        for band in node[2]:
            out.extend(value_rows(band[4], (*path, band[5]), rng))
        if node[3]:
            out.extend(value_rows(node[3][0], (*path, "其他"), rng))
    elif tag == "cond":
        for branch in node[1]:
            out.extend(value_rows(branch[1], (*path, branch[2]), rng))
        if node[2]:
            out.extend(value_rows(node[2][0], (*path, "否则"), rng))
    else:
        out.append((path, rng, node))
    return out


def _segments(old: list[tuple[DateRange, Node]], new: list[tuple[DateRange, Node]]
              ) -> list[tuple[DateRange, Node | None, Node | None]]:
    """Piecewise comparison over dates: the ranges where the old and the new value differ."""
    cuts: set[datetime.date] = set()
    for rng, _ in old + new:
        cuts.update(d for d in rng if d is not None)
    points = sorted(cuts)
    pieces: list[DateRange] = []
    bounds: list[datetime.date | None] = [None, *points, None]
    pieces.extend(itertools.pairwise(bounds))

    def at(rows: list[tuple[DateRange, Node]], piece: DateRange) -> Node | None:
        for rng, node in rows:
            if _intersect(rng, piece) == piece:
                return node
        return None

    out: list[tuple[DateRange, Node | None, Node | None]] = []
    for piece in pieces:
        a, b = at(old, piece), at(new, piece)
        if a is None and b is None:
            continue
        if a is not None and b is not None and normalize(a) == normalize(b):
            continue
        if out and out[-1][0][1] == piece[0] and _same_node(out[-1][1], a) and _same_node(out[-1][2], b):
            out[-1] = ((out[-1][0][0], piece[1]), a, b)
        else:
            out.append((piece, a, b))
    return out


def _same_node(a: Node | None, b: Node | None) -> bool:
    if a is None or b is None:
        return a is b
    return bool(normalize(a) == normalize(b))


def _range_json(rng: DateRange) -> dict[str, datetime.date | None]:
    """A date range as inclusive JSON bounds (null: unbounded)."""
    return {"from": rng[0], "to": rng[1] - _DAY if rng[1] is not None else None}


def range_text(rng: DateRange) -> str:
    start, end = rng
    if start is None and end is None:
        return ""
    if end is None:
        assert start is not None
        return f"自{dates.cn(start)}起"
    last = end - _DAY
    if start is None:
        return f"{dates.cn(last)}及以前"
    if start == last:
        return dates.cn(start)
    return f"{dates.cn(start)}至{dates.cn(last)}"


# ================================================================ formatting values


def number_text(v: Any) -> str:
    """A number without trailing zeros or exponent: 0.050 -> 0.05, 1E+3 -> 1000."""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Decimal):
        if v == v.to_integral_value():
            return str(int(v))
        return format(v.normalize(), "f")
    return V.fmt(v)


def _unit_of(type_text: str) -> str:
    m = re.search(r"（([^（）]*)）$", type_text or "")
    if m:
        return m.group(1)
    return ""


def typed_text(value: Any, kind: str, type_text: str, exact: bool = False) -> str:
    """A value with its unit: 800元, 70%, 5个百分点, 200元/吨, 是."""
    if value is None:
        return "（无）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.date):
        return dates.cn(value)
    if isinstance(value, str):
        return value
    if kind == "rate":
        return number_text(Decimal(value) * 100) + "%"
    if kind == "points":
        return number_text(Decimal(value) * 100) + "个百分点"
    text = V.fmt(value) if exact else number_text(value)
    unit = _unit_of(type_text) or ("元" if kind == "money" else "")
    return text + unit


class _Omitted:
    """An input left out of the data, so that its default applies (a behaviour of its own)."""

    def __repr__(self) -> str:
        return "OMITTED"


OMITTED = _Omitted()


def input_text(spec: Mapping[str, Any], value: Any) -> str:
    if value is OMITTED:
        return "（不提供）"
    kind = spec["kind"]
    if kind == "rate":
        return number_text(Decimal(value) * 100) + "%"
    if kind in ("bool", "date", "enum"):
        return typed_text(value, kind, "")
    return number_text(value) + (spec.get("unit") or "")


def _node_text(node: Node | None, d: Mapping[str, Any]) -> str:
    if node is None:
        return "（无）"
    if node[0] == "const":
        return typed_text(node[1], d["value_kind"], d["type"])
    return render_ir(node)


# ================================================================ structural comparison

_META_FIELDS = (("title", "标题"), ("docno", "文号"), ("issuer", "发布机关"), ("published", "发布日期"),
                ("effective", "施行日期"), ("end", "截止日期"), ("duration_years", "有效期（年）"),
                ("last_day", "最后有效日"), ("note", "备注"))


def _meta_text(value: Any) -> str:
    if value is None:
        return "（无）"
    if isinstance(value, datetime.date):
        return dates.cn(value)
    return str(value)


def _repeals_text(doc: Mapping[str, Any]) -> list[str]:
    out = []
    for title, docno, since, replaces, _line in doc.get("repeals", ()):
        name = f"《{title}》" + (f"（{docno}）" if docno else "") if title else str(docno)
        when = f"自{dates.cn(since)}起" if since else ""
        out.append(f"{'替代' if replaces else '废止'}{name}{when}")
    return sorted(out)


def _history_text(doc: Mapping[str, Any]) -> list[str]:
    out = []
    for when, action, title, docno in doc.get("history", ()):
        ref = f"《{title}》" if title else (docno or "")
        out.append(f"{dates.cn(when)} {action} {ref}".strip())
    return out


def diff_metadata(a: DocVersion, b: DocVersion) -> list[dict[str, Any]]:
    out = []
    for field, label in _META_FIELDS:
        va, vb = a.doc.get(field), b.doc.get(field)
        if va != vb:
            out.append({"field": field, "label": label, "old": va, "new": vb,
                        "old_text": _meta_text(va), "new_text": _meta_text(vb)})
    for field, label, fn in (("repeals", "废止/替代", _repeals_text), ("history", "沿革", _history_text)):
        ta, tb = fn(a.doc), fn(b.doc)
        if ta != tb:
            out.append({"field": field, "label": label, "old": ta, "new": tb,
                        "old_text": "；".join(ta) or "（无）", "new_text": "；".join(tb) or "（无）"})
    wa, wb = a.window.describe(), b.window.describe()
    if wa != wb:
        out.append({"field": "validity", "label": "有效期", "old": wa, "new": wb, "old_text": wa, "new_text": wb})
    return out


_INPUT_FIELDS = (("type", "类型"), ("members", "可选值"), ("default", "默认值"), ("unit", "单位"), ("cite", "依据"))


def _input_field_text(spec: Mapping[str, Any], field: str) -> str:
    if field == "members":
        return "、".join(spec["members"]) or "（无）"
    if field == "default":
        return input_text(spec, spec["default"]) if spec["has_default"] else "（无）"
    if field == "cite":
        return "、".join(spec["cite"]) or "（无）"
    return str(spec.get(field) or "（无）")


def diff_inputs(a: Any, b: Any) -> list[dict[str, Any]]:
    old = {s["name"]: s for s in a.INPUTS}
    new = {s["name"]: s for s in b.INPUTS}
    out: list[dict[str, Any]] = []
    for name in [*new, *(n for n in old if n not in new)]:
        sa, sb = old.get(name), new.get(name)
        if sa is None or sb is None:
            spec = sb or sa
            assert spec is not None
            out.append({"name": name, "change": "added" if sa is None else "removed",
                        "type": spec["type"], "fields": []})
            continue
        fields = []
        for field, label in _INPUT_FIELDS:
            ta, tb = _input_field_text(sa, field), _input_field_text(sb, field)
            if ta != tb:
                fields.append({"field": field, "label": label, "old_text": ta, "new_text": tb})
        if fields:
            out.append({"name": name, "change": "changed", "type": sb["type"], "fields": fields})
    return out


_DEF_KINDS = {"param": "参数", "table": "表", "def": "定义", "output": "输出"}


def diff_definitions(a: Any, b: Any) -> list[dict[str, Any]]:
    old, new = a.DEFS, b.DEFS
    names = sorted(new, key=lambda n: new[n]["line"]) + sorted((n for n in old if n not in new),
                                                                key=lambda n: old[n]["line"])
    out: list[dict[str, Any]] = []
    for name in names:
        da, db = old.get(name), new.get(name)
        if da is None or db is None:
            d = db or da
            assert d is not None
            rows = [{"row": list(path), **_range_json(rng), "dates_text": range_text(rng),
                     "old_text": "（无）" if da is None else _node_text(node, d),
                     "new_text": _node_text(node, d) if da is None else "（无）"}
                    for path, rng, node in value_rows(d["expr"])]
            out.append({"name": name, "kind": d["kind"], "kind_text": _DEF_KINDS.get(d["kind"], d["kind"]),
                        "change": "added" if da is None else "removed", "notes": [], "rows": rows})
            continue
        notes = []
        if da["kind"] != db["kind"]:
            notes.append(f"种类：{_DEF_KINDS.get(da['kind'], da['kind'])} → {_DEF_KINDS.get(db['kind'], db['kind'])}")
        if da["type"] != db["type"]:
            notes.append(f"类型：{da['type']} → {db['type']}")
        if da["round"] != db["round"]:
            notes.append(f"舍入：{_round_text(da['round'])} → {_round_text(db['round'])}")
        ca = (tuple(da["cite"]), inner_cites(da["expr"]))
        cb = (tuple(db["cite"]), inner_cites(db["expr"]))
        if ca != cb:
            notes.append(f"依据：{_cite_text(ca)} → {_cite_text(cb)}")
        rows = []
        if normalize(da["expr"]) != normalize(db["expr"]):
            rows = _row_changes(da, db)
        if notes or rows:
            out.append({"name": name, "kind": db["kind"], "kind_text": _DEF_KINDS.get(db["kind"], db["kind"]),
                        "change": "changed", "notes": notes, "rows": rows})
    return out


def _round_text(r: Any) -> str:
    if r is None:
        return "不舍入"
    mode, quantum = r
    return f"{_ROUND_WORDS.get(mode, mode)}到{number_text(quantum)}"


def _cite_text(c: tuple[tuple[str, ...], tuple[str, ...]]) -> str:
    own = "、".join(c[0]) or "（无）"
    return own + (f"（分项：{'、'.join(c[1])}）" if c[1] else "")


def _row_changes(da: Mapping[str, Any], db: Mapping[str, Any]) -> list[dict[str, Any]]:
    old_rows = value_rows(da["expr"])
    new_rows = value_rows(db["expr"])
    paths: list[tuple[str, ...]] = []
    for path, _, _ in new_rows + old_rows:
        if path not in paths:
            paths.append(path)
    out = []
    for path in paths:
        a = [(rng, node) for p, rng, node in old_rows if p == path]
        b = [(rng, node) for p, rng, node in new_rows if p == path]
        for rng, na, nb in _segments(a, b):
            row: dict[str, Any] = {"row": list(path), **_range_json(rng), "dates_text": range_text(rng),
                                   "old_text": _node_text(na, da), "new_text": _node_text(nb, db)}
            if na is not None and nb is not None and na[0] == nb[0] == "const":
                row["old"], row["new"] = na[1], nb[1]
            out.append(row)
    return out


def diff_examples(a: Any, b: Any) -> dict[str, Any]:
    def key(ex: Mapping[str, Any]) -> tuple[Any, ...]:
        return (ex["date"], tuple(sorted(ex["inputs"].items())), tuple(sorted(ex["expects"].items())),
                ex["not_in_force"], ex["error"])

    old = {ex["name"]: ex for ex in a.EXAMPLES}
    new = {ex["name"]: ex for ex in b.EXAMPLES}
    added = [n for n in new if n not in old]
    removed = [n for n in old if n not in new]
    changed = [n for n in new if n in old and key(new[n]) != key(old[n])]
    return {"old": len(old), "new": len(new), "added": added, "removed": removed, "changed": changed}


# ================================================================ behaviour: facts from the rules


@attrs.define
class Facts:
    """What the rules of one output (with its dependencies) compare, cap and date by."""

    direct: dict[str, set[Any]] = attrs.field(factory=dict)  # input -> constants met directly
    consts: set[Decimal] = attrs.field(factory=set)
    rates: set[Decimal] = attrs.field(factory=set)
    caps: set[Decimal] = attrs.field(factory=set)
    dates: set[datetime.date] = attrs.field(factory=set)
    years: set[int] = attrs.field(factory=set)
    dated: list[Node] = attrs.field(factory=list)
    uses_asof: bool = False


def cone(defs: Mapping[str, Mapping[str, Any]], output: str) -> list[str]:
    return sorted(dependencies(defs, [output]))


def _const_values(node: Node, defs: Mapping[str, Mapping[str, Any]], depth: int = 0) -> set[Any] | None:
    """The constants a node can take when it is a constant or a table of constants; else None."""
    if node[0] == "const":
        return {node[1]}
    if node[0] == "ref" and depth < 4 and node[1] in defs:
        rows = value_rows(defs[node[1]]["expr"])
        found: set[Any] = set()
        for _, _, leaf in rows:
            sub = _const_values(leaf, defs, depth + 1)
            if sub is None:
                return None
            found |= sub
        return found
    if node[0] == "arith" and depth < 4:
        a, b = _const_values(node[2], defs, depth + 1), _const_values(node[3], defs, depth + 1)
        if a is None or b is None or len(a) * len(b) > 16:
            return None
        out: set[Any] = set()
        for x in a:
            for y in b:
                if _is_num(x) and _is_num(y):
                    try:
                        out.add({"+": x + y, "-": x - y, "*": x * y}.get(node[1]) if node[1] != "/"
                                else (Decimal(x) / y if y else None))
                    except ArithmeticError:
                        continue
        out.discard(None)
        return out
    return None


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, Decimal)) and not isinstance(v, bool)


def _input_of(node: Node) -> str | None:
    return str(node[1]) if node[0] == "input" else None


def collect_facts(defs: Mapping[str, Mapping[str, Any]], names: Iterable[str], facts: Facts) -> Facts:
    for name in names:
        for node in walk(defs[name]["expr"]):
            tag = node[0]
            if tag == "const":
                v = node[1]
                if isinstance(v, datetime.date):
                    facts.dates.add(v)
                elif _is_num(v):
                    facts.consts.add(Decimal(v))
                    if 0 < v < 1:
                        facts.rates.add(Decimal(v))
            elif tag == "asof":
                facts.uses_asof = True
            elif tag == "dated":
                facts.dated.append(node)
                for start, end, *_ in node[3]:
                    facts.dates.update(d for d in (start, end) if d is not None)
            elif tag == "bands":
                x = _input_of(node[1])
                if x:
                    for b in node[2]:
                        facts.direct.setdefault(x, set()).update(v for v in (b[0], b[2]) if v is not None)
            elif tag in ("cmp", "arith"):
                for one, other in ((node[2], node[3]), (node[3], node[2])):
                    x = _input_of(one)
                    values = _const_values(other, defs)
                    if x and values:
                        facts.direct.setdefault(x, set()).update(values)
                if tag == "cmp":
                    for one, other in ((node[2], node[3]), (node[3], node[2])):
                        if one == ("call", "year", (("asof",),)) and other[0] == "const" and _is_num(other[1]):
                            facts.years.add(int(other[1]))
            elif tag in ("min", "max"):
                args = node[1]
                for i, arg in enumerate(args):
                    others = [_const_values(o, defs) for j, o in enumerate(args) if j != i]
                    x = _input_of(arg)
                    for values in others:
                        if values:
                            facts.caps.update(Decimal(v) for v in values if _is_num(v) and v >= 1)
                            if x:
                                facts.direct.setdefault(x, set()).update(values)
    return facts


def _cone_signature(module: Any, names: list[str], inputs: Iterable[str]) -> Any:
    defs = module.DEFS
    specs = {s["name"]: s for s in module.INPUTS}
    sig_defs = tuple((n, normalize(defs[n]["expr"]), defs[n]["round"], defs[n]["type"]) for n in names)
    sig_inputs = tuple((n, specs[n]["kind"], specs[n]["scale"], tuple(specs[n]["members"]),
                        specs[n]["has_default"], specs[n]["default"]) for n in sorted(inputs) if n in specs)
    return (sig_defs, sig_inputs)


# ================================================================ behaviour: candidates


@attrs.define
class Factor:
    name: str
    spec: dict[str, Any]
    full: list[Any]
    short: list[Any]
    step: Decimal | None  # grid for numeric inputs (in the input's own unit)


def _step_for(kind: str, related: Iterable[Any]) -> Decimal:
    if kind == "int":
        return Decimal(1)
    step = Decimal("0.0001") if kind == "rate" else Decimal("0.01")
    for v in related:
        if _is_num(v):
            exp = Decimal(v).normalize().as_tuple().exponent
            if isinstance(exp, int) and exp < 0:
                step = min(step, Decimal(1).scaleb(exp))
    return step


def numeric_candidates(spec: Mapping[str, Any], facts: Facts, examples: Iterable[Any]) -> tuple[list[Any], list[Any], Decimal]:
    kind = spec["kind"]
    scale = Decimal(spec["scale"]) or Decimal(1)
    direct = {Decimal(v) / scale for v in facts.direct.get(spec["name"], ()) if _is_num(v)}
    step = _step_for(kind, direct)
    found: dict[Decimal, int] = {}  # value -> priority (lower: more interesting)

    def add(v: Decimal, priority: int) -> None:
        if v < 0:
            return
        if kind == "int":
            if v != v.to_integral_value():
                return
            v = v.quantize(Decimal(1))
        elif kind == "rate" and v > 1 and priority > 1:
            return
        found[v] = min(priority, found.get(v, priority))

    for c in direct:
        for v in (c - step, c, c + step):
            add(v, 0)
    for v in examples:
        if _is_num(v):
            add(Decimal(v), 1)
    add(Decimal(0), 2)
    add(step, 3)
    if spec["has_default"] and _is_num(spec["default"]):
        add(Decimal(spec["default"]), 1)
    if kind == "rate":
        for v in facts.rates:
            add(v, 4)
        for text in ("0.01", "0.1", "0.5", "1"):
            add(Decimal(text), 5)
    else:
        pool = [c for c in facts.consts if c >= 1]
        for c in pool:
            add(c / scale, 4)
        for c in facts.caps if kind != "int" else ():
            for r in facts.rates:
                q = (c / r / scale)
                up = q.quantize(step, rounding=ROUND_CEILING) if kind != "int" else Decimal(math.ceil(q))
                add(up, 4)
                add(up - step, 4)
        top = max(pool, default=Decimal(1)) / scale
        limit = max(Decimal(10000), top * 1000)
        if kind == "int":
            for n in (1, 2, 3, 5, 10, 100, 1000):
                add(Decimal(n), 5)
        else:
            p = Decimal(1)
            while p <= limit and p <= Decimal(10) ** 12:
                add(p, 5)
                p *= 10
    values = sorted(found)
    ranked = sorted(found, key=lambda v: (found[v], v))
    short: list[Decimal] = []
    for v in ranked:
        if len(short) >= _MAX_SHORT - 1:
            break
        short.append(v)
    if values and values[-1] not in short:
        short.append(values[-1])  # one large value, to reach caps
    convert: Callable[[Decimal], Any] = (lambda v: int(v)) if kind == "int" else (lambda v: v)
    return [convert(v) for v in values], sorted(convert(v) for v in short), step


def make_factors(names: list[str], specs_new: Mapping[str, Any], specs_old: Mapping[str, Any],
                 facts: Facts, bases: list[dict[str, Any]]) -> list[Factor]:
    factors = []
    for name in names:
        spec = dict(specs_new.get(name) or specs_old[name])
        other = specs_old.get(name) if name in specs_new else None
        kind = spec["kind"]
        seen_values = [b[name] for b in bases if name in b]
        if kind == "enum":
            members = list(spec["members"]) + [m for m in (other or {}).get("members", ()) if m not in spec["members"]]
            factors.append(Factor(name, spec, members, members, None))
        elif kind == "bool":
            factors.append(Factor(name, spec, [False, True], [False, True], None))
        elif kind == "date":
            ds: set[datetime.date] = set()
            for d in facts.dates | {v for v in seen_values if isinstance(v, datetime.date)}:
                ds.update((d - _DAY, d, d + _DAY))
            full = sorted(ds) or [datetime.date(2024, 1, 1)]
            factors.append(Factor(name, spec, full, full[:_MAX_SHORT], None))
        else:
            full, short, step = numeric_candidates(spec, facts, seen_values)
            factors.append(Factor(name, spec, full, short, step))
        if any(s.get(name, {}).get("has_default") for s in (specs_new, specs_old)):
            factors[-1].full.append(OMITTED)
            factors[-1].short.append(OMITTED)
    return factors


# ================================================================ behaviour: evaluation


Outcome = tuple[str, Any, str]  # ("ok", value, "") / ("nif", None, message) / ("err", code, message)


def outcome(policy: Policy, data: Mapping[str, Any], on: datetime.date, output: str) -> Outcome:
    try:
        return ("ok", policy.evaluate(data, on, [output])[output], "")
    except NotInForce as exc:
        return ("nif", None, exc.message)
    except RuleError as exc:
        return ("err", exc.code, exc.message)


def outcome_key(o: Outcome) -> tuple[Any, ...]:
    if o[0] == "ok":
        return ("ok", type(o[1]) is bool, o[1])
    return (o[0], o[1])


def delta(a: Outcome, b: Outcome) -> Decimal | None:
    if a[0] == b[0] == "ok" and _is_num(a[1]) and _is_num(b[1]):
        return Decimal(b[1]) - Decimal(a[1])
    return None


@attrs.define
class Sides:
    """Both versions of one output, evaluating on rows of factor values."""

    old: Policy
    new: Policy
    output: str
    factors: list[Factor]
    old_names: frozenset[str]
    new_names: frozenset[str]
    evaluations: int = 0

    def data(self, row: Sequence[Any], names: frozenset[str]) -> dict[str, Any]:
        return {f.name: v for f, v in zip(self.factors, row, strict=True) if f.name in names and v is not OMITTED}

    def pair(self, row: Sequence[Any], on: datetime.date) -> tuple[Outcome, Outcome]:
        self.evaluations += 1
        return (outcome(self.old, self.data(row, self.old_names), on, self.output),
                outcome(self.new, self.data(row, self.new_names), on, self.output))

    def change(self, row: Sequence[Any], on: datetime.date) -> str | None:
        """None when both versions agree; else 增加 / 减少 for numbers, 改变 otherwise."""
        a, b = self.pair(row, on)
        if outcome_key(a) == outcome_key(b):
            return None
        d = delta(a, b)
        if d is None or d == 0:
            return "改变"
        return "增加" if d > 0 else "减少"


def _signature(policy: Policy, dated: list[Node], on: datetime.date) -> tuple[Any, ...]:
    code = policy.window.status(on)[0]
    if code != "in_force":
        return (code,)
    return ("in", tuple(select_version(n[3], on) for n in dated))


@attrs.frozen
class Epoch:
    start: datetime.date | None
    end: datetime.date | None  # exclusive
    rep: datetime.date  # the date evaluated for this epoch


def epochs(old: Policy, new: Policy, facts_old: Facts, facts_new: Facts) -> tuple[list[Epoch], bool]:
    """Date ranges within which neither version changes, and whether they are exact or sampled."""
    cuts: set[datetime.date] = set()
    for pol in (old, new):
        w = pol.window
        cuts.update(d for d in (w.start, w.last + _DAY if w.last else None,
                                w.repealed.on if w.repealed else None) if d is not None)
    for facts in (facts_old, facts_new):
        for node in facts.dated:
            for start, end, *_ in node[3]:
                cuts.update(d for d in (start, end) if d is not None)
        for y in facts.years:
            cuts.update((datetime.date(y, 1, 1), datetime.date(y + 1, 1, 1)))
        cuts.update(d for d in facts.dates)
    points = sorted(cuts)
    uses_asof = facts_old.uses_asof or facts_new.uses_asof
    if not points:
        return [Epoch(None, None, datetime.date(2000, 1, 1))], not uses_asof
    if uses_asof:
        sampled = sorted({d + k * _DAY for d in points for k in (-1, 0, 1)})
        return [Epoch(d, d + _DAY, d) for d in sampled], False
    out = [Epoch(None, points[0], points[0] - _DAY)]
    out.extend(Epoch(a, b, a) for a, b in itertools.pairwise(points))
    out.append(Epoch(points[-1], None, points[-1]))
    return out, True


# ---------------------------------------------------------------- designs


def _product_size(lists: Iterable[Sequence[Any]]) -> int:
    size = 1
    for values in lists:
        size *= max(len(values), 1)
        if size > 10**9:
            break
    return size


def _pairwise(lists: list[list[Any]], seed: Sequence[Any]) -> list[tuple[Any, ...]]:
    """A greedy covering array of strength 2 (every pair of values of every two inputs meets)."""
    n = len(lists)
    uncovered: set[tuple[int, int, int, int]] = {
        (i, a, j, b) for i in range(n) for j in range(i + 1, n)
        for a in range(len(lists[i])) for b in range(len(lists[j]))}
    rows: list[tuple[Any, ...]] = []
    seed_index = [lists[i].index(seed[i]) if seed[i] in lists[i] else 0 for i in range(n)]
    while uncovered:
        i0, a0, j0, b0 = min(uncovered)
        choice = list(seed_index)
        choice[i0], choice[j0] = a0, b0
        fixed = {i0, j0}
        for k in range(n):
            if k in fixed:
                continue
            best, best_gain = choice[k], -1
            for c in range(len(lists[k])):
                gain = sum(((min(k, m), c if k < m else choice[m], max(k, m), choice[m] if k < m else c)
                            in uncovered) for m in fixed)
                if gain > best_gain:
                    best, best_gain = c, gain
            choice[k] = best
            fixed.add(k)
        for i in range(n):
            for j in range(i + 1, n):
                uncovered.discard((i, choice[i], j, choice[j]))
        rows.append(tuple(lists[i][choice[i]] for i in range(n)))
    return rows


@attrs.define
class Design:
    rows: list[tuple[Any, ...]]
    method: str
    method_text: str
    truncated: bool = False


def design(factors: list[Factor], bases: list[tuple[Any, ...]], budget_rows: int, only_bases: bool) -> Design:
    """The input rows to evaluate: the full product when it fits, else bases varied one or two at a time."""
    if only_bases:
        return Design(bases[:1], "bases", "规则未变，只比较有效期（一组基准输入）")
    fulls = [f.full for f in factors]
    if _product_size(fulls) <= budget_rows:
        return Design([tuple(r) for r in itertools.product(*fulls)], "full", "全组合")
    rows: dict[tuple[Any, ...], None] = dict.fromkeys(bases)
    for base in bases:
        for i, f in enumerate(factors):
            for v in f.full:
                rows[(*base[:i], v, *base[i + 1:])] = None
    shorts = [f.short for f in factors]
    if len(rows) + _product_size(shorts) <= budget_rows:
        rows.update(dict.fromkeys(tuple(r) for r in itertools.product(*shorts)))
        return Design(list(rows), "short_product", "基准输入逐项取全部候选值 + 短候选值全组合")
    pairs: dict[tuple[Any, ...], None] = {}
    for base in bases:
        for i, j in itertools.combinations(range(len(factors)), 2):
            for a in shorts[i]:
                for b in shorts[j]:
                    row = list(base)
                    row[i], row[j] = a, b
                    pairs[tuple(row)] = None
    if len(rows) + len(pairs) <= budget_rows:
        rows.update(pairs)
        return Design(list(rows), "bases_pairs", "基准输入逐项取全部候选值 + 任两项取短候选值")
    rows.update(dict.fromkeys(_pairwise([list(s) for s in shorts], bases[0])))
    out = list(rows)
    truncated = len(out) > budget_rows
    return Design(out[:budget_rows], "pairwise", "基准输入逐项取全部候选值 + 两两覆盖" + ("（已截断）" if truncated else ""),
                  truncated)


# ---------------------------------------------------------------- regions


def _scan_axis(sides: Sides, row: tuple[Any, ...], index: int, on: datetime.date) -> dict[str, Any]:
    """Vary one input of a differing row over its candidates; refine numeric edges by bisection.

    Values are told apart by how the result changes (增加 / 减少 / 改变), so a region where
    the new version pays more is not merged with a neighbouring one where it pays less.
    """
    f = sides.factors[index]

    def change(v: Any) -> str | None:
        return sides.change((*row[:index], v, *row[index + 1:]), on)

    found = [(v, change(v)) for v in f.full]
    info: dict[str, Any] = {"input": f.name, "any": all(c is not None for _, c in found)}
    mixed = len({c for _, c in found if c is not None}) > 1
    if f.step is None:
        info["values"] = [input_text(f.spec, v) for v, c in found if c is not None]
        info["changes"] = [c for _, c in found if c is not None]
        if info["any"] and not mixed:
            info["text"] = "任意取值"
        else:
            info["text"] = "、".join(input_text(f.spec, v) + (f"（{c}）" if mixed else "")
                                    for v, c in found if c is not None)
        return info
    step = f.step
    kind = f.spec["kind"]

    def edge(a: Decimal, b: Decimal, want: str | None, first: bool) -> Decimal:
        # INVARIANT: exactly one of a, b changes as `want`; returns the value next to the switch
        # that does (the first such above a, or the last such below b).
        lo, hi = a, b
        for _ in range(64):
            if hi - lo <= step:
                break
            mid = ((lo + hi) / 2).quantize(step, rounding=ROUND_FLOOR)
            if mid <= lo:
                mid = lo + step
            if mid >= hi:
                break
            if (change(_as_kind(mid, kind)) == want) == first:
                hi = mid
            else:
                lo = mid
        return hi if first else lo

    omitted = [c for v, c in found if v is OMITTED]
    numeric = [(Decimal(v), c) for v, c in found if v is not OMITTED]
    intervals: list[dict[str, Any]] = []
    i = 0
    while i < len(numeric):
        want = numeric[i][1]
        j = i
        while j + 1 < len(numeric) and numeric[j + 1][1] == want:
            j += 1
        if want is not None:
            lo = numeric[i][0] if i == 0 else edge(numeric[i - 1][0], numeric[i][0], want, True)
            hi = None if j == len(numeric) - 1 else edge(numeric[j][0], numeric[j + 1][0], want, False)
            intervals.append({"from": _as_kind(lo, kind), "to": _as_kind(hi, kind) if hi is not None else None,
                              "change": want})
        i = j + 1
    info["intervals"] = intervals
    parts = [_interval_text(f.spec, iv) + (f"（{iv['change']}）" if mixed else "") for iv in intervals]
    if omitted:
        info["omitted_change"] = omitted[0]
        if omitted[0] is not None:
            parts.append("（不提供）" + (f"（{omitted[0]}）" if mixed else ""))
    whole = info["any"] and not mixed and numeric and numeric[0][0] == 0
    info["text"] = "任意取值" if whole else "；".join(parts)
    return info


def _as_kind(v: Decimal, kind: str) -> Any:
    return int(v) if kind == "int" else v


def _interval_text(spec: Mapping[str, Any], iv: Mapping[str, Any]) -> str:
    lo, hi = iv["from"], iv["to"]
    if hi is None:
        return f"{input_text(spec, lo)} 及以上"
    if lo == hi:
        return input_text(spec, lo)
    return f"{input_text(spec, lo)} 至 {input_text(spec, hi)}"


def _example(sides: Sides, row: tuple[Any, ...], on: datetime.date, note: str, out_kind: str,
             out_type: str) -> dict[str, Any]:
    a, b = sides.pair(row, on)
    d = delta(a, b)
    inputs = {f.name: v for f, v in zip(sides.factors, row, strict=True) if v is not OMITTED}
    omitted = [f.name for f, v in zip(sides.factors, row, strict=True) if v is OMITTED]
    return {
        "note": note, "date": on, "inputs": inputs, "omitted": omitted,
        "inputs_text": "，".join(f"{f.name}={input_text(f.spec, v)}" for f, v in zip(sides.factors, row, strict=True)),
        "old": a[1] if a[0] == "ok" else None, "new": b[1] if b[0] == "ok" else None,
        "old_text": _outcome_text(a, out_kind, out_type), "new_text": _outcome_text(b, out_kind, out_type),
        "delta": d, "delta_text": _delta_text(d, out_kind, out_type),
    }


def _outcome_text(o: Outcome, kind: str, type_text: str) -> str:
    if o[0] == "ok":
        return typed_text(o[1], kind, type_text, exact=True)
    if o[0] == "nif":
        return "不在有效期"
    return f"出错（{o[2]}）"


def _delta_text(d: Decimal | None, kind: str, type_text: str) -> str:
    if d is None:
        return "—"
    sign = "+" if d > 0 else ("-" if d < 0 else "")
    return sign + typed_text(abs(d), kind, type_text, exact=True)


# ---------------------------------------------------------------- one output


def compare_output(a: DocVersion, b: DocVersion, output: str, budget: int) -> dict[str, Any] | None:
    """The behavioural difference of one output present in both versions; None if nothing can differ."""
    old, new = a.policy, b.policy
    assert old is not None and new is not None
    cone_old, cone_new = cone(a.module.DEFS, output), cone(b.module.DEFS, output)
    need_old = old.required_inputs([output])
    need_new = new.required_inputs([output])
    names = need_new + [n for n in need_old if n not in need_new]
    same_rules = (_cone_signature(a.module, cone_old, need_old) == _cone_signature(b.module, cone_new, need_new))
    same_window = (old.window.start, old.window.last, old.window.repealed.on if old.window.repealed else None) == \
        (new.window.start, new.window.last, new.window.repealed.on if new.window.repealed else None)
    if same_rules and same_window:
        return None
    facts_old = collect_facts(a.module.DEFS, cone_old, Facts())
    facts_new = collect_facts(b.module.DEFS, cone_new, Facts())
    merged = Facts()
    for facts in (facts_old, facts_new):
        for k, v in facts.direct.items():
            merged.direct.setdefault(k, set()).update(v)
        merged.consts |= facts.consts
        merged.rates |= facts.rates
        merged.caps |= facts.caps
        merged.dates |= facts.dates
    specs_old = {s["name"]: s for s in a.module.INPUTS}
    specs_new = {s["name"]: s for s in b.module.INPUTS}
    example_bases = _example_bases(a, b, output, names)
    factors = make_factors(names, specs_new, specs_old, merged, [d for _, d in example_bases])
    labelled = _bases(factors, example_bases)
    bases = list(labelled)
    d_new = b.module.DEFS[output]
    out_kind, out_type = d_new["value_kind"], d_new["type"]

    eps, exact = epochs(old, new, facts_old, facts_new)
    classes: dict[tuple[Any, ...], list[int]] = {}
    for i, ep in enumerate(eps):
        sig: tuple[Any, ...]
        if exact:
            sig = (_signature(old, facts_old.dated, ep.rep), _signature(new, facts_new.dated, ep.rep))
        else:
            sig = (ep.rep,)
        classes.setdefault(sig, []).append(i)
    reps = [eps[idx[0]].rep for idx in classes.values()]
    budget_rows = max(budget // max(len(reps), 1), 1)
    plan = design(factors, bases, budget_rows, only_bases=same_rules)
    sides = Sides(old, new, output, factors, frozenset(n for n in names if n in specs_old),
                  frozenset(n for n in names if n in specs_new))

    patterns: dict[int, dict[int, tuple[Outcome, Outcome]]] = {}
    for rep, members in zip(reps, classes.values(), strict=True):
        found: dict[int, tuple[Outcome, Outcome]] = {}
        for r, row in enumerate(plan.rows):
            pa, pb = sides.pair(row, rep)
            if outcome_key(pa) != outcome_key(pb):
                found[r] = (pa, pb)
        for i in members:
            patterns[i] = found
    searched = sides.evaluations

    def pkey(p: dict[int, tuple[Outcome, Outcome]]) -> frozenset[Any]:
        return frozenset((r, outcome_key(x), outcome_key(y)) for r, (x, y) in p.items())

    groups: list[tuple[int, int]] = []  # epoch index ranges (inclusive)
    for i in range(len(eps)):
        if groups and pkey(patterns[groups[-1][0]]) == pkey(patterns[i]):
            groups[-1] = (groups[-1][0], i)
        else:
            groups.append((i, i))
    regions: list[dict[str, Any]] = []
    for first, last in groups:
        pattern = patterns[first]
        if not pattern:
            continue
        start, end = eps[first].start, eps[last].end
        first_day = eps[first].rep if start is None else start
        last_day = (end - _DAY) if end is not None else None
        if not exact:
            start, end = eps[first].rep, eps[last].rep + _DAY
            first_day, last_day = eps[first].rep, eps[last].rep
        whole = all(start == p.window.start and end == (p.window.last + _DAY if p.window.last else None)
                    for p in (old, new))
        region: dict[str, Any] = {
            "from": start, "to": end - _DAY if end is not None else None,
            "dates_text": _region_dates(start, end), "whole_window": whole and exact,
            "sampled": not exact, "rows": len(plan.rows), "count": len(pattern),
            "kinds": sorted({f"{x[0]}→{y[0]}" for x, y in pattern.values()}),
            "increased": sum(1 for x, y in pattern.values() if (d := delta(x, y)) is not None and d > 0),
            "decreased": sum(1 for x, y in pattern.values() if (d := delta(x, y)) is not None and d < 0),
        }
        chosen = _choose_examples(plan.rows, pattern, labelled)
        examples = []
        for note, r in chosen:
            examples.append(_example(sides, plan.rows[r], first_day, note, out_kind, out_type))
        if last_day is not None and last_day != first_day and chosen:
            examples.append(_example(sides, plan.rows[chosen[-1][1]], last_day, "末日", out_kind, out_type))
        region["examples"] = examples
        if len(regions) < _MAX_REGIONS_SCANNED and chosen and not same_rules:
            row = plan.rows[chosen[0][1]]
            region["axes"] = [_scan_axis(sides, row, i, first_day) for i in range(len(factors))]
            region["axes_base"] = 1
        else:
            region["axes"] = []
        regions.append(region)
    return {
        "output": output, "type": out_type, "kind": out_kind,
        "rules_changed": not same_rules, "window_changed": not same_window,
        "method": plan.method, "method_text": plan.method_text, "truncated": plan.truncated,
        "inputs": [{"name": f.name, "candidates": len(f.full), "short": len(f.short)} for f in factors],
        "rows": len(plan.rows), "date_classes": len(reps), "dates_exact": exact,
        "candidate_dates": sorted({e.rep for e in eps}),
        "evaluations": searched, "scan_evaluations": sides.evaluations - searched, "budget": budget,
        "differences": sum(len(patterns[idx[0]]) for idx in classes.values()),
        "regions": regions,
    }


def _region_dates(start: datetime.date | None, end: datetime.date | None) -> str:
    if start is None and end is None:
        return "所有日期"
    return range_text((start, end))


def _choose_examples(rows: list[tuple[Any, ...]], pattern: Mapping[int, tuple[Outcome, Outcome]],
                     bases: Mapping[tuple[Any, ...], str]) -> list[tuple[str, int]]:
    order = sorted(pattern)
    chosen: list[tuple[str, int]] = []
    in_bases = [r for r in order if rows[r] in bases]
    if in_bases:
        chosen.append((bases[rows[in_bases[0]]], in_bases[0]))
    numeric = [(abs(d), r) for r in order if (d := delta(*pattern[r])) is not None and d != 0]
    if numeric:
        smallest = min(numeric)[1]
        largest = max(numeric, key=lambda x: (x[0], -x[1]))[1]
        for note, r in (("最小差额", smallest), ("最大差额", largest)):
            if all(r != c for _, c in chosen):
                chosen.append((note, r))
    if not chosen:
        chosen.append(("首例", order[0]))
    return chosen


def _example_bases(a: DocVersion, b: DocVersion, output: str, names: list[str]
                   ) -> list[tuple[str, dict[str, Any]]]:
    """Inputs of the examples in both versions: realistic starting points that meet the conditions."""
    found: list[tuple[str, dict[str, Any]]] = []
    for module in (b.module, a.module):
        exs = list(module.EXAMPLES)
        exs.sort(key=lambda ex: (output not in ex["expects"], ex["line"]))
        for ex in exs:
            if ex["not_in_force"] or ex["error"] is not None:
                continue
            if output not in ex["expects"] and not set(ex["inputs"]) & set(names):
                continue
            data = {k: v for k, v in ex["inputs"].items() if k in names}
            if data and all(data != d for _, d in found):
                found.append((str(ex["name"]), data))
    return found


def _bases(factors: list[Factor], examples: list[tuple[str, dict[str, Any]]]) -> dict[tuple[Any, ...], str]:
    """Starting rows, labelled: the examples' inputs (others filled in) and one typical row."""
    synthetic = []
    for f in factors:
        if f.spec["has_default"] and f.spec["default"] is not None:
            synthetic.append(f.spec["default"])
        elif f.step is None:
            synthetic.append(True if f.spec["kind"] == "bool" else f.full[0])
        else:
            synthetic.append(f.full[len(f.full) // 2])
    out: dict[tuple[Any, ...], str] = {}
    for name, ex in examples:
        row = tuple(ex.get(f.name, synthetic[i]) for i, f in enumerate(factors))
        out.setdefault(row, f"输入同例「{name}」")
        if len(out) >= _MAX_BASES - 1:
            break
    out.setdefault(tuple(synthetic), "典型输入")
    return out


# ================================================================ the whole comparison


def _doc_name(d: DocVersion) -> str:
    title, docno = d.doc.get("title"), d.doc.get("docno")
    if title and docno:
        return f"《{title}》（{docno}）"
    return f"《{title}》" if title else (docno or d.path)


def compare_documents(a: DocVersion | None, b: DocVersion | None, budget: int) -> dict[str, Any]:
    d = b or a
    assert d is not None
    out: dict[str, Any] = {
        "key": d.key, "name": _doc_name(d), "title": d.doc.get("title"), "docno": d.doc.get("docno"),
        "old_path": a.path if a else None, "new_path": b.path if b else None,
    }
    if a is None or b is None:
        out["status"] = "added" if a is None else "removed"
        out["outputs"] = list(d.module.OUTPUTS) if len(d.module.DOCUMENTS) == 1 else []
        out["changed"] = True
        return out
    out["metadata"] = diff_metadata(a, b)
    has_rules = len(a.module.DOCUMENTS) == 1 or len(b.module.DOCUMENTS) == 1
    if has_rules and len(a.module.DOCUMENTS) == 1 and len(b.module.DOCUMENTS) == 1:
        out["inputs"] = diff_inputs(a.module, b.module)
        out["definitions"] = diff_definitions(a.module, b.module)
        outs_a, outs_b = list(a.module.OUTPUTS), list(b.module.OUTPUTS)
        out["outputs"] = {"added": [n for n in outs_b if n not in outs_a],
                          "removed": [n for n in outs_a if n not in outs_b]}
        out["examples"] = diff_examples(a.module, b.module)
        behaviour = []
        if a.policy is not None and b.policy is not None:
            for name in outs_b:
                if name in outs_a:
                    result = compare_output(a, b, name, budget)
                    if result is not None:
                        behaviour.append(result)
        out["behaviour"] = behaviour
    else:
        out["inputs"], out["definitions"], out["behaviour"] = [], [], []
        out["outputs"] = {"added": [], "removed": []}
        out["examples"] = {"old": 0, "new": 0, "added": [], "removed": [], "changed": []}
    ex = out["examples"]
    out["changed"] = bool(out["metadata"] or out["inputs"] or out["definitions"] or out["outputs"]["added"]
                          or out["outputs"]["removed"] or ex["added"] or ex["removed"] or ex["changed"]
                          or any(r["regions"] for r in out["behaviour"]))
    out["status"] = "changed" if out["changed"] else "unchanged"
    return out


def diff(old: Side, new: Side, budget: int = DEFAULT_BUDGET) -> dict[str, Any]:
    """Compare two loaded versions; a JSON-ready report (dates and Decimals as values)."""
    documents = [compare_documents(a, b, budget) for a, b in pair(old, new)]
    changed = [d for d in documents if d["changed"]]
    return {
        "old": {"label": old.label, "kind": old.kind, "files": len(old.files), "documents": len(old.docs)},
        "new": {"label": new.label, "kind": new.kind, "files": len(new.files), "documents": len(new.docs)},
        "budget": budget,
        "changed": bool(changed),
        "summary": {"documents": len(documents), "changed": sum(d["status"] == "changed" for d in documents),
                    "added": sum(d["status"] == "added" for d in documents),
                    "removed": sum(d["status"] == "removed" for d in documents)},
        "documents": changed,
    }


def run(old: str, new: str, paths: Sequence[str] = (), budget: int = DEFAULT_BUDGET,
        cwd: str | None = None) -> dict[str, Any]:
    a, b = resolve(old, new, paths, cwd)
    if not a.docs and not b.docs:
        raise DiffUsageError("两个版本中都没有找到 .rule 文件", hint="检查路径，或在修订后给出目录：guize diff HEAD~1 HEAD policies/")
    return diff(a, b, budget)


# ================================================================ rendering


def _esc(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _summary_line(doc: Mapping[str, Any]) -> str:
    if doc["status"] == "added":
        return "新增文件"
    if doc["status"] == "removed":
        return "删除文件"
    parts = []
    if doc["metadata"]:
        parts.append("元数据 " + "、".join(m["label"] for m in doc["metadata"]))
    if doc["inputs"]:
        parts.append(f"输入 {len(doc['inputs'])} 项")
    if doc["definitions"]:
        parts.append(f"参数/表/定义 {len(doc['definitions'])} 项")
    if doc["outputs"]["added"] or doc["outputs"]["removed"]:
        parts.append(f"输出 +{len(doc['outputs']['added'])}/-{len(doc['outputs']['removed'])}")
    changed_behaviour = [r for r in doc["behaviour"] if r["regions"] and r["rules_changed"]]
    if 0 < len(changed_behaviour) <= 3:
        parts.append("行为：" + "；".join(
            f"{r['output']}（{'，'.join(g['dates_text'] for g in r['regions'])}）" for r in changed_behaviour))
    elif changed_behaviour:
        ranges = sorted({g["dates_text"] for r in changed_behaviour for g in r["regions"]})
        parts.append(f"行为：{len(changed_behaviour)} 个输出（{'，'.join(ranges)}）")
    window_only = [r for r in doc["behaviour"] if r["regions"] and not r["rules_changed"]]
    if window_only:
        ranges = sorted({g["dates_text"] for r in window_only for g in r["regions"]})
        parts.append(f"有效期改变影响 {len(window_only)} 个输出（{'，'.join(ranges)}）")
    ex = doc["examples"]
    if ex["added"] or ex["removed"] or ex["changed"]:
        parts.append(f"例 +{len(ex['added'])}/-{len(ex['removed'])}/~{len(ex['changed'])}")
    return "；".join(parts) or "—"


def render_markdown(report: Mapping[str, Any]) -> str:
    lines: list[str] = []
    old, new = report["old"]["label"], report["new"]["label"]
    lines.append(f"## 规则变更：{old} → {new}")
    lines.append("")
    s = report["summary"]
    files = max(report["old"]["files"], report["new"]["files"])
    if not report["changed"]:
        lines.append(f"比较了 {s['documents']} 份文件（{files} 个 .rule 文件），没有差异。")
        return "\n".join(lines) + "\n"
    lines.append(f"比较了 {s['documents']} 份文件（{files} 个 .rule 文件）：{s['changed']} 份有变化，"
                 f"{s['added']} 份新增，{s['removed']} 份删除。")
    lines.append("")
    lines.append("| 文件 | 变化 |")
    lines.append("|---|---|")
    for doc in report["documents"]:
        lines.append(f"| {_esc(doc['name'])} | {_esc(_summary_line(doc))} |")
    for doc in report["documents"]:
        lines.append("")
        lines.extend(_doc_markdown(doc))
    return "\n".join(lines).rstrip() + "\n"


def _paths_line(doc: Mapping[str, Any]) -> str:
    a, b = doc.get("old_path"), doc.get("new_path")
    if a and b and a != b:
        return f"`{a}` → `{b}`"
    return f"`{b or a}`"


def _doc_markdown(doc: Mapping[str, Any]) -> list[str]:
    lines = [f"### {doc['name']}", "", _paths_line(doc)]
    if doc["status"] in ("added", "removed"):
        word = "新增" if doc["status"] == "added" else "删除"
        outs = "、".join(doc.get("outputs") or []) or "无"
        lines += ["", f"{word}的文件；输出：{outs}。"]
        return lines
    if doc["metadata"]:
        lines += ["", "**文件信息**", "", "| 项目 | 旧 | 新 |", "|---|---|---|"]
        lines += [f"| {m['label']} | {_esc(m['old_text'])} | {_esc(m['new_text'])} |" for m in doc["metadata"]]
    if doc["inputs"]:
        lines += ["", "**输入**", ""]
        for i in doc["inputs"]:
            if i["change"] == "changed":
                lines.append(f"- 「{i['name']}」：" + "；".join(
                    f"{f['label']} {f['old_text']} → {f['new_text']}" for f in i["fields"]))
            else:
                lines.append(f"- {'新增' if i['change'] == 'added' else '删除'}「{i['name']}」（{i['type']}）")
    if doc["definitions"]:
        lines += ["", "**参数、表与定义**", "", "| 名称 | 项 | 适用日期 | 旧 | 新 |", "|---|---|---|---|---|"]
        for d in doc["definitions"]:
            label = f"{d['kind_text']}「{d['name']}」" + {"added": "（新增）", "removed": "（删除）"}.get(d["change"], "")
            for note in d["notes"]:
                lines.append(f"| {_esc(label)} | {_esc(note)} | | | |")
            for row in d["rows"]:
                lines.append(f"| {_esc(label)} | {_esc(' / '.join(row['row']) or '—')} | "
                             f"{_esc(row['dates_text'] or '—')} | {_esc(row['old_text'])} | {_esc(row['new_text'])} |")
    outs = doc["outputs"]
    if outs["added"] or outs["removed"]:
        lines += ["", "**输出**", ""]
        lines += [f"- 新增「{n}」" for n in outs["added"]] + [f"- 删除「{n}」" for n in outs["removed"]]
    ex = doc["examples"]
    if ex["added"] or ex["removed"] or ex["changed"]:
        lines += ["", f"**例**：{ex['old']} → {ex['new']} 个；新增 {len(ex['added'])}，删除 {len(ex['removed'])}，"
                      f"修改 {len(ex['changed'])}。"]
    behaviour = [r for r in doc["behaviour"] if r["regions"] and r["rules_changed"]]
    window_only = [r for r in doc["behaviour"] if r["regions"] and not r["rules_changed"]]
    if behaviour or window_only:
        lines += ["", "**行为变化**"]
        for r in behaviour:
            lines += ["", *_output_markdown(r)]
        if window_only:
            lines += ["", *_window_only_markdown(window_only)]
    same = [r["output"] for r in doc["behaviour"] if not r["regions"]]
    if same:
        lines += ["", f"规则有改动但在所选输入和日期上结果未变的输出：{'、'.join(same)}。"]
    return lines


def _window_only_markdown(results: list[Mapping[str, Any]]) -> list[str]:
    """Outputs whose rules are unchanged but whose document's validity moved: one list per date range."""
    groups: dict[tuple[str, tuple[str, ...]], list[Mapping[str, Any]]] = {}
    for r in results:
        for g in r["regions"]:
            groups.setdefault((g["dates_text"], tuple(g["kinds"])), []).append(r)
    lines = ["#### 规则未变、只因有效期改变的输出"]
    for (dates_text, kinds), members in groups.items():
        lines += ["", f"- **{dates_text}**（{_kinds_text(kinds)}）：{'、'.join(m['output'] for m in members)}"]
        first = members[0]
        region = next(g for g in first["regions"] if g["dates_text"] == dates_text)
        if region["examples"]:
            e = region["examples"][0]
            lines.append(f"  例：「{first['output']}」，{dates.cn(e['date'])}，{e['inputs_text']}："
                         f"旧 {e['old_text']}，新 {e['new_text']}。")
    return lines


def _method_line(r: Mapping[str, Any]) -> str:
    return (f"检查方法：{r['method_text']}；{r['rows']} 组输入 × {r['date_classes']} 个日期区段 = "
            f"{r['evaluations']} 次比较（预算 {r['budget']}），另做 {r['scan_evaluations']} 次用于例子和边界。")


def _output_markdown(r: Mapping[str, Any]) -> list[str]:
    lines = [f"#### 输出「{r['output']}」：{r['type']}", "", _method_line(r)]
    for g in r["regions"]:
        sampled = "（按候选日期）" if g["sampled"] else ""
        whole = "（整个有效期）" if g["whole_window"] else ""
        updown = "，".join(f"{word} {g[key]} 组" for word, key in (("增加", "increased"), ("减少", "decreased"))
                          if g[key])
        lines += ["", f"- **{g['dates_text']}**{whole}{sampled}：{g['count']} / {g['rows']} 组输入结果不同"
                      f"（{_kinds_text(g['kinds'])}{'：' + updown if updown else ''}）。"]
        axes = [a for a in g["axes"] if a["text"]]
        if axes:
            lines.append("  以例 1 为准逐项改变一个输入，结果仍不同的取值：")
            lines += [f"  - {a['input']}：{a['text']}" for a in axes]
        if g["examples"]:
            lines += ["", "  | 例 | 日期 | 输入 | 旧值 | 新值 | 差额 |", "  |---|---|---|---|---|---|"]
            for n, e in enumerate(g["examples"], 1):
                lines.append(f"  | {n}（{e['note']}） | {dates.cn(e['date'])} | {_esc(e['inputs_text'])} | "
                             f"{_esc(e['old_text'])} | {_esc(e['new_text'])} | {_esc(e['delta_text'])} |")
    return lines


_KIND_WORDS = {"ok→ok": "取值改变", "ok→nif": "新版不在有效期", "nif→ok": "旧版不在有效期",
               "ok→err": "新版出错", "err→ok": "旧版出错", "err→err": "错误不同", "nif→err": "有效性与错误",
               "err→nif": "有效性与错误"}


def _kinds_text(kinds: Iterable[str]) -> str:
    return "、".join(_KIND_WORDS.get(k, k) for k in kinds)


def render_text(report: Mapping[str, Any]) -> str:
    """Plain text: the Markdown without table and emphasis markup."""
    out = []
    for line in render_markdown(report).splitlines():
        stripped = line.strip()
        if stripped.startswith("|---"):
            continue
        if stripped.startswith("|"):
            cells = [c.strip().replace("\\|", "|") for c in stripped.strip("|").split(" | ")]
            indent = line[: len(line) - len(line.lstrip())]
            line = indent + "  ".join(cells)
        line = line.replace("**", "").replace("`", "")
        line = re.sub(r"^#+ ", "", line)
        out.append(line)
    return "\n".join(out).rstrip() + "\n"


__all__ = ["DEFAULT_BUDGET", "DiffTrouble", "DiffUsageError", "diff", "render_markdown", "render_text",
           "resolve", "run"]
