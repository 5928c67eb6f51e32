"""Explanations for people: an Explanation rendered as a caseworker's worksheet in text,
Markdown or HTML — the document and date first, then the results, what was known, and each
step with its reason, its formula as written and with the values substituted, its caps.

    render(explanation, "markdown", document=policy.document)
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from guize.runtime import display, lawtext
from guize.runtime.formula import show
from guize.runtime.i18n import t
from guize.runtime.interp import Step

FORMATS = ("text", "markdown", "html")

# What each kind of step is, in plain words (i18n keys kind.*; KIND_WORDS is the Chinese).
KIND_WORDS = {"input": "已知", "param": "规定的标准", "table": "按表查得", "def": "计算", "output": "结果"}


def kind_word(kind: str) -> str:
    return t(f"kind.{kind}")


class Explained(Protocol):
    """What a worksheet needs of an explanation (guize.runtime.policy.Explanation has it)."""

    @property
    def date(self) -> Any: ...
    @property
    def window(self) -> str: ...
    @property
    def values(self) -> dict[str, Any]: ...
    @property
    def steps(self) -> tuple[Step, ...]: ...


def render(exp: Explained, format: str = "text", document: Mapping[str, Any] | None = None) -> str:
    """The worksheet in `format` (text, markdown or html); `document` is the policy's 文件 metadata
    (Policy.document), for the title and 文号 the worksheet begins with."""
    sheet = _Sheet(exp, document or {})
    if format == "text":
        return sheet.text()
    if format == "markdown":
        return sheet.markdown()
    if format == "html":
        return sheet.html()
    raise ValueError(f"未知的格式「{format}」：应为 {'、'.join(FORMATS)}")


def value_text(step: Step) -> str:
    """A step's value with its unit, exactly as held: 30.00元, 75%, 二级, 是."""
    return show(step.value, step.type, exact=True)


def _order(steps: Iterable[Step]) -> list[Step]:
    """Every step once, each after the steps it uses (the order a person computes in)."""
    seen: set[str] = set()
    out: list[Step] = []

    def visit(step: Step) -> None:
        key = f"{step.kind}:{step.name}"
        if key in seen:
            return
        seen.add(key)
        for child in step.children:
            visit(child)
        out.append(step)

    for s in steps:
        visit(s)
    return out


class _Sheet:
    def __init__(self, exp: Explained, document: Mapping[str, Any]) -> None:
        self.exp = exp
        ordered = _order(exp.steps)
        self.inputs = [s for s in ordered if s.kind == "input"]
        self.worked = [s for s in ordered if s.kind != "input"]
        self.results = [s for s in exp.steps]
        title, docno = document.get("title"), document.get("docno")
        self.heading = (f"《{title}》" if title else "") + (f"（{docno}）" if title and docno else docno or "")
        self.heading = self.heading or t("explain.untitled")
        self.when = t("explain.when", date=display.date(exp.date), window=exp.window)
        # The law's own words for each passage cited, when the file keeps them (原文 blocks).
        held = dict(document.get("articles") or ())
        self.law = lawtext.passages(held, [c for s in [*self.results, *ordered] for c in s.cite])

    @staticmethod
    def cite(step: Step) -> str:
        return "、".join(step.cite)

    def about(self, step: Step) -> str:
        """What the worksheet says beside an input: its article, whether the default was taken."""
        return "；".join([*([f"依据 {self.cite(step)}"] if step.cite else []), *step.other_notes])

    @staticmethod
    def reasons(step: Step) -> list[str]:
        return [*step.work, *step.other_notes]

    def caption(self, step: Step) -> str:
        return f"{step.name}：{value_text(step)}（{kind_word(step.kind)}）"

    # ------------------------------------------------------------ text

    def text(self) -> str:
        lines = [self.heading, self.when, "", t("explain.results") + "："]
        for s in self.results:
            lines.append(f"  {s.name}：{value_text(s)}" + (f"（依据 {self.cite(s)}）" if s.cite else ""))
        if self.inputs:
            lines += ["", t("explain.known") + "："]
            for s in self.inputs:
                about = self.about(s)
                lines.append(f"  {s.name}：{value_text(s)}" + (f"（{about}）" if about else ""))
        lines += ["", t("explain.steps") + "："]
        for n, s in enumerate(self.worked, 1):
            lines.append(f"  {n}. {self.caption(s)}" + (f"  依据 {self.cite(s)}" if s.cite else ""))
            lines.extend(f"     {r}" for r in self.reasons(s))
        if self.law:
            lines += ["", t("explain.law") + "："]
            for p in self.law:
                lines.append(f"  {p.citation}：")
                lines.extend(f"    {line}" for line in p.lines)
        return "\n".join(lines)

    # ------------------------------------------------------------ Markdown

    def markdown(self) -> str:
        def cell(text: str) -> str:
            return text.replace("|", "\\|")

        item, value, cite, about = (t(f"explain.{k}") for k in ("item", "value", "cite", "about"))
        lines = [f"# {cell(self.heading)}", "", self.when, "", f"## {t('explain.results')}", "",
                 f"| {item} | {value} | {cite} |", "| --- | --- | --- |"]
        lines += [f"| {cell(s.name)} | {cell(value_text(s))} | {cell(self.cite(s))} |" for s in self.results]
        if self.inputs:
            lines += ["", f"## {t('explain.known')}", "", f"| {item} | {value} | {about} |", "| --- | --- | --- |"]
            lines += [f"| {cell(s.name)} | {cell(value_text(s))} | {cell(self.about(s))} |" for s in self.inputs]
        lines += ["", f"## {t('explain.steps')}"]
        for n, s in enumerate(self.worked, 1):
            lines += ["", f"{n}. **{_md(s.name)}：{_md(value_text(s))}**（{kind_word(s.kind)}）"
                      + (f"，依据{_md(self.cite(s))}" if s.cite else "")]
            lines += [f"   - {_md(r)}" for r in self.reasons(s)]
        if self.law:
            lines += ["", f"## {t('explain.law')}"]
            for p in self.law:
                lines += ["", f"**{_md(p.citation)}**", "", "\n>\n".join(f"> {_md(line)}" for line in p.lines)]
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------ HTML

    def html(self) -> str:
        e = html.escape
        item, value, cite_h, about = (e(t(f"explain.{k}")) for k in ("item", "value", "cite", "about"))
        parts = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
                 f"<title>{e(self.heading)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
                 f"<h1>{e(self.heading)}</h1>", f'<p class="when">{e(self.when)}</p>',
                 f"<h2>{e(t('explain.results'))}</h2>", "<table>",
                 f"<tr><th>{item}</th><th>{value}</th><th>{cite_h}</th></tr>"]
        parts += [f"<tr><td>{e(s.name)}</td><td class=\"num\">{e(value_text(s))}</td><td>{e(self.cite(s))}</td></tr>"
                  for s in self.results]
        parts.append("</table>")
        if self.inputs:
            parts += [f"<h2>{e(t('explain.known'))}</h2>", "<table>",
                      f"<tr><th>{item}</th><th>{value}</th><th>{about}</th></tr>"]
            parts += [f"<tr><td>{e(s.name)}</td><td class=\"num\">{e(value_text(s))}</td>"
                      f"<td>{e(self.about(s))}</td></tr>" for s in self.inputs]
            parts.append("</table>")
        parts += [f"<h2>{e(t('explain.steps'))}</h2>", "<ol>"]
        for s in self.worked:
            cite = f"，依据{e(self.cite(s))}" if s.cite else ""
            parts.append(f"<li><strong>{e(s.name)}：{e(value_text(s))}</strong>（{e(kind_word(s.kind))}）{cite}")
            reasons = self.reasons(s)
            if reasons:
                parts += ["<ul>", *(f"<li>{e(r)}</li>" for r in reasons), "</ul>"]
            parts.append("</li>")
        parts.append("</ol>")
        if self.law:
            parts.append(f"<h2>{e(t('explain.law'))}</h2>")
            for p in self.law:
                parts += [f"<blockquote><p><strong>{e(p.citation)}</strong></p>",
                          *(f"<p>{e(line)}</p>" for line in p.lines), "</blockquote>"]
        parts += ["</body>", "</html>"]
        return "\n".join(parts) + "\n"


def _md(text: str) -> str:
    """Text in Markdown: the characters that would start emphasis or code are escaped."""
    for ch in "\\`*_[]<>":
        text = text.replace(ch, "\\" + ch)
    return text


_CSS = ("body{font-family:system-ui,'Noto Sans CJK SC','PingFang SC',sans-serif;max-width:52em;margin:2em auto;"
        "padding:0 1em;line-height:1.6}table{border-collapse:collapse;margin:.5em 0}"
        "th,td{border:1px solid #ccc;padding:.25em .75em;text-align:left}td.num{text-align:right}"
        ".when{color:#444}li>ul{margin:.25em 0 .75em}"
        "blockquote{border-left:3px solid #ccc;margin:.5em 0;padding:0 1em;color:#333}")
