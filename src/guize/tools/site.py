"""guize doc: a static HTML site of a corpus — an index of its documents and, for each, its
metadata, a timeline picture (SVG) of its validity and dated values, its rules with every
citation linked to the article index and back, and its examples as tables.

Deterministic: the same corpus gives the same bytes (no build date, no today-relative status).
"""

from __future__ import annotations

import datetime
import html
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from guize.compiler.corpus import Corpus, TimelineRow, load_corpus, timeline
from guize.compiler.diagnostics import CompileError, render
from guize.compiler.driver import read_source, rule_files, write_atomic
from guize.compiler.lexicon import normalize_docno, normalize_title
from guize.runtime import display, lawtext
from guize.runtime.errors import RuleError
from guize.tools.lsp.analysis import FileIndex
from guize.tools.lsp.scan import Token

_e = html.escape


@attrs.frozen
class Page:
    path: str  # the .rule file
    name: str  # the page's file name
    title: str
    docno: str
    html: str


def build(paths: list[str], out: Path) -> list[Page]:
    """Write the site for the .rule files under `paths` into `out`; the pages written.

    Raises RuleError for a path that does not exist."""
    files = rule_files(paths)
    roots = sorted({str(f.parent) for f in files})
    try:
        corpus: Corpus | None = load_corpus(roots) if roots else None
    except RuleError:
        corpus = None
    rows = timeline(corpus) if corpus is not None else []
    names = _page_names(files)
    links: dict[str, str] = {}  # a normalised 文号 or title -> the page of the file that declares it
    for f in files:
        try:
            docno, title, _ = FileIndex(read_source(f)).own_document()
        except CompileError:
            continue
        for key in (docno, title):
            if key:
                links.setdefault(key, names[os.path.realpath(f)])
    pages = []
    for f in files:
        mine = [r for r in rows if os.path.realpath(r.path) == os.path.realpath(f)]
        pages.append(_page(f, names[os.path.realpath(f)], links, mine, corpus))
    index = _index(pages)
    for page in pages:
        write_atomic(out / page.name, page.html)
    write_atomic(out / "index.html", index)
    write_atomic(out / "style.css", _CSS)
    write_atomic(out / "calculator.js", _JS)
    return pages


def _page_names(files: list[Path]) -> dict[str, str]:
    """A page name per file: its stem, made unique by its folder when two files share one."""
    stems: dict[str, int] = {}
    for f in files:
        stems[f.stem] = stems.get(f.stem, 0) + 1
    out = {}
    for f in files:
        base = f.stem if stems[f.stem] == 1 else f"{f.parent.name}-{f.stem}"
        out[os.path.realpath(f)] = re.sub(r"[^\w\-]", "_", base) + ".html"
    return out


# ---------------------------------------------------------------- one document


def _page(path: Path, name: str, links: dict[str, str], rows: list[TimelineRow], corpus: Corpus | None) -> Page:
    try:
        source = read_source(path)
    except CompileError as exc:
        return Page(str(path), name, path.name, "", _shell(path.name, f"<pre>{_e(exc.render())}</pre>"))
    index = FileIndex(source)
    doc = _document(path, corpus)
    title = doc.get("title") or path.stem
    docno = doc.get("docno") or ""
    body = [f"<p class=\"crumbs\"><a href=\"index.html\">文件库</a> / {_e(path.name)}</p>",
            f"<h1>《{_e(title)}》</h1>" if doc.get("title") else f"<h1>{_e(title)}</h1>",
            _meta(doc, corpus, path)]
    if rows:
        body += ["<h2>时间线</h2>", timeline_svg(rows)]
    errors = _errors(source, str(path))
    if errors:
        body += ["<h2>检查发现的错误</h2>", f"<pre class=\"errors\">{_e(errors)}</pre>"]
    body += [*_calculator(source, str(path), name), "<h2>规则</h2>", _rules(index, links), *_articles(index),
             *_examples(source, str(path))]
    return Page(str(path), name, title, docno, _shell(title, "\n".join(body)))


def _document(path: Path, corpus: Corpus | None) -> dict[str, Any]:
    if corpus is None:
        return {}
    for e in corpus.entries:
        if os.path.realpath(e.path) == os.path.realpath(path):
            return dict(e.doc, _window=e.window)
    return {}


def _meta(doc: dict[str, Any], corpus: Corpus | None, path: Path) -> str:
    rows = []
    for key, label in (("docno", "文号"), ("issuer", "发布机关"), ("published", "发布日期"), ("effective", "施行日期"),
                       ("last_day", "有效期至")):
        value = doc.get(key)
        if value:
            rows.append((label, display.date(value) if isinstance(value, datetime.date) else str(value)))
    window = doc.get("_window")
    if window is not None:
        rows.append(("有效期", window.describe()))
    rows.append(("源文件", str(path)))
    cells = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f"<table class=\"meta\">{cells}</table>"


def _errors(source: str, path: str) -> str:
    from guize.compiler.driver import check_source

    try:
        check_source(source, path)
    except CompileError as exc:
        return "\n".join(render(d, source) for d in exc.diagnostics if d.severity == "error")
    return ""


def _art_id(article: str) -> str:
    return "art-" + article


def _rules(index: FileIndex, links: dict[str, str]) -> str:
    """The source, line by line, each line an anchor; names link to their declaration, citations
    to the article index below, 文号 and titles to the document's page when the site has it."""
    by_line: dict[int, list[Token]] = {}
    for tok in index.tokens:
        by_line.setdefault(tok.line, []).append(tok)
    # One anchor per name (a type and an input may share one: the input's, as a name's link means it).
    starts = {d.line: d for d in index.decls.values() if d.kind != "member"}
    heads = {d.line for d in index.outline if d.kind == "article"}
    out = ["<pre class=\"rules\">"]
    for n, line in enumerate(index.lines):
        pieces, pos = [], 0
        for tok in by_line.get(n, []):
            pieces.append(_e(line[pos:tok.col]))
            # the 原文 heading names the article it holds: no citation, no link
            pieces.append(f"<span class=\"cite\">{_e(tok.text)}</span>" if n in heads and tok.kind == "citation"
                          else _token(tok, index, links))
            pos = tok.end
        pieces.append(_e(line[pos:]))
        decl = starts.get(n)
        anchor = f" id=\"def-{_e(decl.name)}\"" if decl is not None else ""
        out.append(f"<span class=\"line\" id=\"L{n + 1}\"><a class=\"ln\" href=\"#L{n + 1}\">{n + 1}</a>"
                   f"<span{anchor}>{''.join(pieces)}</span></span>")
    out.append("</pre>")
    return "\n".join(out)


_CLASS = {"keyword": "kw", "number": "num", "years": "num", "date": "num", "string": "str", "title": "str",
          "comment": "com", "docno": "docno", "rounding": "kw", "operator": "op", "lawtext": "law"}


def _token(tok: Token, index: FileIndex, links: dict[str, str]) -> str:
    text = _e(tok.text)
    if tok.kind in ("docno", "title"):
        key = normalize_docno(tok.text) if tok.kind == "docno" else normalize_title(tok.text)
        if key in links:
            return f"<a class=\"{_CLASS[tok.kind]}\" href=\"{_e(links[key])}\">{text}</a>"
    if tok.kind == "citation":
        return f"<a class=\"cite\" href=\"#{_e(_art_id(tok.text))}\">{text}</a>"
    if tok.kind == "name" and tok.text in index.decls:
        decl = index.decls[tok.text]
        if decl.kind in ("member", "type"):
            return f"<span class=\"type\">{text}</span>"
        return f"<a class=\"name\" href=\"#def-{_e(tok.text)}\">{text}</a>"
    cls = _CLASS.get(tok.kind)
    return f"<span class=\"{cls}\">{text}</span>" if cls else text


def _articles(index: FileIndex) -> list[str]:
    """The article index: each article cited, its text when the file keeps it (原文), with a link
    to every line that cites it and to the 原文 block."""
    blocks = [d for d in index.outline if d.kind == "article"]
    held = {d.name: [t.text for t in index.tokens if t.kind == "lawtext" and d.start <= t.line <= d.end]
            for d in reversed(blocks)}  # the first block of an article wins, as in the checker
    heads = {d.line for d in blocks}
    cited: dict[str, list[int]] = {}
    for tok in index.tokens:
        if tok.kind == "citation" and tok.line not in heads:
            cited.setdefault(tok.text, []).append(tok.line + 1)
    if not cited and not held:
        return []
    out = ["<h2>条款索引</h2>", "<dl class=\"articles\">"]
    for article in sorted(cited, key=_article_order):
        links = "、".join(f"<a href=\"#L{n}\">第 {n} 行</a>" for n in sorted(set(cited[article])))
        found = lawtext.resolve(held, article)
        text = ""
        if isinstance(found, lawtext.Passage):
            block = next(d for d in blocks if d.name == found.article)
            text = ("<blockquote class=\"law\">" + "".join(f"<p>{_e(line)}</p>" for line in found.lines)
                    + f"<p class=\"src\"><a href=\"#L{block.line + 1}\">原文</a></p></blockquote>")
        out.append(f"<dt id=\"{_e(_art_id(article))}\">{_e(article)}</dt><dd>{text}依据此条的规则：{links}</dd>")
    for article in sorted(set(held) - {lawtext.article_of(c) for c in cited}, key=_article_order):
        out.append(f"<dt id=\"{_e(_art_id(article))}\">{_e(article)}</dt><dd>有原文，没有规则依据此条</dd>")
    out.append("</dl>")
    return out


def _article_order(article: str) -> tuple[int, ...]:
    from guize.compiler.lexicon import cn_to_int

    numbers = []
    for m in re.finditer(r"[〇零一二三四五六七八九十百千\d]+", article):
        try:
            numbers.append(cn_to_int(m.group()))
        except ValueError:
            numbers.append(0)
    return tuple(numbers)


def _examples(source: str, path: str) -> list[str]:
    from guize.compiler import parser
    from guize.tools.fmt.spelling import example_text

    try:
        tree = parser.parse(source, path)
    except CompileError:
        return []
    if not tree.examples:
        return []
    out = ["<h2>例子</h2>"]
    for ex in tree.examples:
        when = display.date(ex.date) if ex.date else "（未写日期）"
        if ex.known_on is not None:
            when += f"，按{display.date(ex.known_on)}已发布的规定"
        rows = [f"<tr><th colspan=\"2\">例「{_e(ex.name)}」（{_e(when)}，第 "
                f"<a href=\"#L{ex.span.line}\">{ex.span.line}</a> 行）</th></tr>"]
        rows += [f"<tr><td>{_e(name)}</td><td>{_e(example_text(lit))}</td></tr>" for name, lit in ex.inputs]
        if ex.expects:
            rows.append("<tr><th colspan=\"2\">期望</th></tr>")
            rows += [f"<tr><td>{_e(name)}</td><td class=\"expect\">{_e(example_text(want))}</td></tr>"
                     for name, want in ex.expects]
        if ex.expect_not_in_force:
            rows.append("<tr><td colspan=\"2\" class=\"expect\">期望：未生效</td></tr>")
        if ex.expect_error is not None:
            rows.append(f"<tr><td colspan=\"2\" class=\"expect\">期望错误：{_e(ex.expect_error or '（任何错误）')}</td></tr>")
        out.append(f"<table class=\"example\">{''.join(rows)}</table>")
    return out


# ---------------------------------------------------------------- the calculator


def _calculator(source: str, path: str, page: str) -> list[str]:
    """A form of the file's inputs that `guize site` evaluates (tools/serve.py): the values
    come from the same `evaluate` as everywhere else, exact, with no second implementation."""
    from guize.compiler.driver import check_source

    try:
        checked = check_source(source, path)
    except CompileError:
        return []
    if not checked.outputs or not checked.inputs:
        return []
    start = (checked.document or {}).get("start")
    rows = [f"<tr><th><label for=\"in-date\">计算日期</label></th><td><input type=\"date\" id=\"in-date\" "
            f"name=\"__date\" value=\"{start.isoformat() if start else ''}\" required></td><td></td></tr>"]
    for n, spec in enumerate(checked.inputs):
        field_id = f"in-{n}"
        attrs_ = f'id="{field_id}" name="{_e(spec["name"])}" data-input data-kind="{_e(spec["kind"])}"'
        if spec["members"]:
            options = "".join(f"<option>{_e(m)}</option>" for m in spec["members"])
            field = f"<select {attrs_}><option value=\"\"></option>{options}</select>"
        elif spec["kind"] == "bool":
            field = f"<select {attrs_}><option value=\"\"></option><option value=\"true\">是</option>" \
                    f"<option value=\"false\">否</option></select>"
        elif spec["kind"] == "date":
            field = f"<input type=\"date\" {attrs_}>"
        elif spec["kind"] == "list":  # JSON: one object an item, with the record's fields
            example = "、".join(f["name"] for f in spec["fields"])
            field = f"<textarea rows=\"4\" {attrs_} placeholder=\"JSON 数组，每项一个对象：{_e(example)}\"></textarea>"
        else:
            field = f"<input type=\"text\" inputmode=\"decimal\" {attrs_}>"
        default = ""
        if spec.get("given"):  # a 可作输入 definition
            default = "可不填：不填时按公式计算"
        elif spec["has_default"]:
            default = "默认 " + display.typed(spec["default"], spec["kind"], spec["unit"])
        unit = spec["unit"] if spec["kind"] not in ("rate", "bool", "date", "enum") else ""
        rows.append(f"<tr><th><label for=\"{field_id}\">{_e(spec['name'])}</label></th><td>{field} {_e(unit)}</td>"
                    f"<td class=\"hint\">{_e(default)}</td></tr>")
    return ["<h2>计算器</h2>",
            "<p class=\"hint\">填写输入后计算各项输出；留空的输入取默认值。计算由 <code>guize site</code> 完成"
            "（与 <code>evaluate</code> 相同，金额为精确小数）。</p>",
            f"<form id=\"calc\" data-page=\"{_e(page)}\"><table class=\"calc\">{''.join(rows)}</table>"
            "<button type=\"submit\">计算</button></form>",
            "<p id=\"calc-status\" class=\"hint\"></p>",
            "<table id=\"calc-result\"></table>",
            "<script src=\"calculator.js\"></script>"]


# ---------------------------------------------------------------- the timeline picture


def timeline_svg(rows: Iterable[TimelineRow]) -> str:
    """One bar per row (the document's validity, each dated value's versions) on a shared axis of years."""
    rows = [r for r in rows if r.start is not None]
    if not rows:
        return ""
    lo = min(r.start for r in rows if r.start is not None)
    ends = [r.end for r in rows if r.end is not None]
    hi = max([*ends, lo + datetime.timedelta(days=365)])
    hi = max(hi, max(r.start for r in rows if r.start is not None) + datetime.timedelta(days=180))
    left, width, row_h = 260, 520, 26
    span = (hi - lo).days or 1

    def x(d: datetime.date) -> float:
        return left + width * (d - lo).days / span

    height = 30 + row_h * len(rows)
    parts = [f"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"{left + width + 20}\" "
             f"height=\"{height}\" role=\"img\" aria-label=\"有效期与按日期变化的取值\">"]
    for year in range(lo.year if (lo.month, lo.day) == (1, 1) else lo.year + 1, hi.year + 1):
        xx = x(datetime.date(year, 1, 1))
        parts.append(f"<line x1=\"{xx:.1f}\" y1=\"14\" x2=\"{xx:.1f}\" y2=\"{height}\" class=\"grid\"/>"
                     f"<text x=\"{xx:.1f}\" y=\"11\" class=\"year\">{year}</text>")
    for i, r in enumerate(rows):
        assert r.start is not None  # INVARIANT: filtered above
        y = 20 + i * row_h
        end = r.end or hi
        label = r.what if not r.value else f"{r.what}：{r.value}"
        open_end = "（长期）" if r.end is None else f"至{display.date(r.end)}"
        title = f"{label}，{display.date(r.start)}起{open_end}"
        parts.append(f"<g><title>{_e(title)}</title>"
                     f"<text x=\"{left - 8}\" y=\"{y + 15}\" class=\"label\">{_e(_clip(label, 18))}</text>"
                     f"<rect x=\"{x(r.start):.1f}\" y=\"{y + 3}\" width=\"{max(x(end) - x(r.start), 2):.1f}\" "
                     f"height=\"{row_h - 8}\" class=\"{'doc' if i == 0 else 'value'}\"/></g>")
    parts.append("</svg>")
    return "".join(parts)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# ---------------------------------------------------------------- the index and the shell


def _index(pages: list[Page]) -> str:
    rows = "".join(f"<tr><td><a href=\"{_e(p.name)}\">{_e(p.title)}</a></td><td>{_e(p.docno)}</td>"
                   f"<td>{_e(p.path)}</td></tr>" for p in sorted(pages, key=lambda p: p.path))
    body = (f"<h1>文件库</h1><p>{len(pages)} 个规则文件。</p>"
            f"<table class=\"index\"><tr><th>标题</th><th>文号</th><th>源文件</th></tr>{rows}</table>")
    return _shell("文件库", body)


def _shell(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{_e(title)}</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n</head>\n<body>\n"
            f"{body}\n</body>\n</html>\n")


_CSS = """body{font-family:system-ui,'Noto Sans CJK SC','PingFang SC',sans-serif;max-width:64em;margin:2em auto;
padding:0 1em;line-height:1.6}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.2em .6em;text-align:left}
pre.rules{background:#fafafa;border:1px solid #ddd;padding:.5em;overflow-x:auto;line-height:1.45}
.line{display:block}.line:target{background:#fff3bf}.ln{display:inline-block;width:3em;color:#999;
text-decoration:none;text-align:right;margin-right:1em}
.kw{color:#0550ae;font-weight:600}.num{color:#953800}.str{color:#0a3069}.com{color:#6e7781}
.docno{color:#8250df}.type{color:#116329}.op{color:#cf222e}a.name{color:inherit}
a.cite{color:#8250df}.law{color:#57606a;font-style:italic}blockquote.law{margin:.25em 0 .5em;padding:0 1em;border-left:3px solid #d0d7de}blockquote.law p{margin:.25em 0}dt:target{background:#fff3bf}.errors{color:#cf222e}
svg.timeline .grid{stroke:#ddd}svg.timeline .year{font-size:11px;fill:#666}
svg.timeline .label{font-size:12px;text-anchor:end}svg.timeline .doc{fill:#4c8bf5}
svg.timeline .value{fill:#f5a54c}td.expect{color:#116329}.hint{color:#666}
table.calc input,table.calc select{font:inherit;min-width:12em}#calc-result td.value{text-align:right}
"""

# The calculator's client: posts the form to guize site's /api/evaluate and shows each output.
# With ?run=1 in the address, the form is filled from the other parameters and run at once.
_JS = """"use strict";
(function () {
  const form = document.getElementById("calc");
  if (!form) return;
  const status = document.getElementById("calc-status");
  const result = document.getElementById("calc-result");
  function cell(tag, text, cls) {
    const el = document.createElement(tag);
    el.textContent = text;
    if (cls) el.className = cls;
    return el;
  }
  async function run() {
    const inputs = {};
    for (const el of form.querySelectorAll("[data-input]")) {
      if (el.value === "") continue;
      let value = el.dataset.kind === "bool" ? el.value === "true" : el.value;
      if (el.dataset.kind === "list") {
        try { value = JSON.parse(el.value); } catch (err) { /* the server says what is wrong */ }
      }
      inputs[el.name] = value;
    }
    const body = {page: form.dataset.page, date: form.elements.namedItem("__date").value, inputs: inputs};
    status.textContent = "计算中……";
    let data;
    try {
      const response = await fetch("api/evaluate", {method: "POST", headers: {"Content-Type": "application/json"},
                                                     body: JSON.stringify(body)});
      data = await response.json();
    } catch (err) {
      status.textContent = "计算器需要用 guize site 打开本网站（guize site 文件库目录）";
      return;
    }
    result.replaceChildren();
    if (data.error) {
      status.textContent = data.error;
      return;
    }
    status.textContent = "计算日期：" + data.date;
    for (const out of data.outputs) {
      const row = document.createElement("tr");
      row.dataset.output = out.name;
      row.appendChild(cell("th", out.name));
      if (out.error) {
        row.appendChild(cell("td", out.error, "error"));
      } else {
        const value = cell("td", out.text, "value");
        value.dataset.exact = out.exact;
        row.appendChild(value);
      }
      result.appendChild(row);
    }
    document.body.dataset.calculated = "yes";
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  const params = new URLSearchParams(location.search);
  if (params.has("run")) {
    for (const [key, value] of params) {
      const el = form.elements.namedItem(key);
      if (el) el.value = value;
    }
    run();
  }
})();
"""
