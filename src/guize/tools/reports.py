"""Machine-readable reports: JUnit XML for examples; JSON, SARIF, GitHub and GitLab formats for findings."""

from __future__ import annotations

import hashlib
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from guize.compiler.diagnostics import Diagnostic

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
_CODEQUALITY_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}
# Characters XML 1.0 cannot hold at all, even escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def relative_uri(path: str) -> str:
    """A path as a repository-relative URI with forward slashes (absolute paths under the cwd are shortened)."""
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.resolve().relative_to(Path(os.getcwd()).resolve())
        except ValueError:
            return p.as_uri()
    return p.as_posix()


def _message(d: Diagnostic) -> str:
    text = d.message
    if d.article:
        text += f"（条款：{d.article}）"
    if d.hint:
        text += f"\n建议：{d.hint}"
    return text


def _counts(findings: Iterable[Diagnostic]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for d in findings:
        counts[d.severity] = counts.get(d.severity, 0) + 1
    return counts


# ---------------------------------------------------------------- findings


def findings_json(findings: Sequence[Diagnostic]) -> dict[str, Any]:
    """{"findings": [...], "summary": {"error": n, "warning": n, "info": n}}."""
    return {"findings": [d.to_json() for d in findings], "summary": _counts(findings)}


def _rule_entry(code: str, rules: dict[str, Any]) -> dict[str, Any]:
    rule = rules.get(code)
    if rule is not None:
        entry: dict[str, Any] = {
            "id": code,
            "name": rule.name,
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.what},
            "help": {"text": f"{rule.what}\n如何忽略：{rule.silence}"},
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        }
        if rule.help_uri:
            entry["helpUri"] = rule.help_uri
        return entry
    # A checker or corpus diagnostic (E…/W…): described by its class.
    level = "error" if code.startswith("E") else "warning"
    what = "guize 检查器发现的错误" if level == "error" else "guize 检查器发现的警告"
    return {"id": code, "shortDescription": {"text": f"{what}（{code}）"},
            "defaultConfiguration": {"level": level}}


def sarif(findings: Sequence[Diagnostic], tool_version: str) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run: every lint rule, then any other code that occurs."""
    from guize.tools.lint.rules import RULES

    codes = list(RULES)
    codes.extend(sorted({d.code for d in findings} - set(RULES)))
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for d in findings:
        location: dict[str, Any] = {"artifactLocation": {"uri": relative_uri(d.span.file)}}
        span = d.span
        if span.line >= 1:
            region: dict[str, Any] = {"startLine": span.line, "startColumn": max(span.column, 1)}
            end_line = max(span.end_line, span.line)
            end_column = span.end_column if span.end_column >= 1 else region["startColumn"]
            if end_line == span.line:
                end_column = max(end_column, region["startColumn"])
            region.update(endLine=end_line, endColumn=end_column)
            location["region"] = region
        results.append({
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _SARIF_LEVEL.get(d.severity, "warning"),
            "message": {"text": _message(d)},
            "locations": [{"physicalLocation": location}],
        })
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "guize",
                "version": tool_version,
                "rules": [_rule_entry(code, RULES) for code in codes],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(findings: Iterable[Diagnostic]) -> str:
    """GitHub Actions workflow commands: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::…`."""
    lines = []
    for d in findings:
        props = [f"file={_escape_property(relative_uri(d.span.file))}"]
        if d.span.line >= 1:
            props.append(f"line={d.span.line}")
            if d.span.column >= 1:
                props.append(f"col={d.span.column}")
            if d.span.end_line >= d.span.line:
                props.append(f"endLine={d.span.end_line}")
                if d.span.end_column >= 1:
                    props.append(f"endColumn={d.span.end_column}")
        props.append(f"title={_escape_property(d.code)}")
        command = _GITHUB_COMMAND.get(d.severity, "warning")
        lines.append(f"::{command} {','.join(props)}::{_escape_data(_message(d))}")
    return "\n".join(lines) + ("\n" if lines else "")


def codequality(findings: Iterable[Diagnostic]) -> list[dict[str, Any]]:
    """GitLab Code Quality report (a subset of the Code Climate format)."""
    out = []
    for d in findings:
        path = relative_uri(d.span.file)
        key = "\0".join((d.code, path, str(d.span.line), str(d.span.column), d.message))
        out.append({
            "description": f"[{d.code}] {d.message}",
            "check_name": d.code,
            "fingerprint": hashlib.sha256(key.encode("utf-8")).hexdigest(),
            "severity": _CODEQUALITY_SEVERITY.get(d.severity, "minor"),
            "location": {"path": path, "lines": {"begin": max(d.span.line, 1)}},
        })
    return out


# ---------------------------------------------------------------- examples


def _xml_text(text: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", text)


def _seconds(duration: float) -> str:
    """Seconds to the millisecond, as JUnit readers (Surefire, Jenkins) expect."""
    return f"{duration:.3f}"


def junit_xml(report: Any) -> str:
    """JUnit XML for a testing.Report: one testsuite per file, one testcase per example.

    Valid for Jenkins' junit-10.xsd and read by GitLab; each example's line is a property of its suite.
    """
    from guize.runtime import values as V

    by_file: dict[str, list[Any]] = {file: [] for file in report.policies}
    for o in report.outcomes:
        by_file.setdefault(o.file, []).append(o)
    broken: dict[str, list[Any]] = {}
    for err in report.compile_errors:
        file = err.diagnostics[0].span.file if err.diagnostics else "<未知>"
        broken.setdefault(file, []).append(err)
        by_file.setdefault(file, [])

    root = ET.Element("testsuites", name="guize")
    totals = {"tests": 0, "failures": 0, "errors": 0, "time": 0.0}
    for file in sorted(by_file):
        outcomes = by_file[file]
        classname = _xml_text(file[:-5] if file.endswith(".rule") else file)
        failures = sum(o.status == "failed" for o in outcomes)
        errors = sum(o.status == "error" for o in outcomes) + len(broken.get(file, []))
        tests = len(outcomes) + len(broken.get(file, []))
        took = sum(o.duration for o in outcomes)
        suite = ET.SubElement(root, "testsuite", name=_xml_text(file), tests=str(tests),
                              failures=str(failures), errors=str(errors), skipped="0", time=_seconds(took),
                              file=_xml_text(file))
        # Jenkins' schema (junit-10.xsd) allows no file or line on a testcase: they go here.
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="file", value=_xml_text(file))
        for o in outcomes:
            ET.SubElement(props, "property", name=_xml_text(f"line:{o.name}"), value=str(o.line))
        for err in broken.get(file, []):
            case = ET.SubElement(suite, "testcase", classname=classname, name="编译", time="0")
            node = ET.SubElement(case, "error", message=_xml_text(str(err.message)), type="CompileError")
            node.text = _xml_text(err.render())
        for o in outcomes:
            case = ET.SubElement(suite, "testcase", classname=classname, name=_xml_text(o.name),
                                 time=_seconds(o.duration))
            if o.status == "passed":
                continue
            tag = "error" if o.status == "error" else "failure"
            node = ET.SubElement(case, tag, message=_xml_text(o.message), type=o.status)
            body = [o.message, f"位置：{o.file}:{o.line}"]
            if o.date is not None:
                body.append(f"日期：{o.date.isoformat()}")
            if o.expected:
                body.append("期望：" + "；".join(f"{k} = {V.fmt(v)}" for k, v in o.expected.items()))
            if o.actual:
                body.append("实际：" + "；".join(f"{k} = {V.fmt(v)}" for k, v in o.actual.items()))
            if o.explanation:
                body.extend(["计算过程：", o.explanation])
            node.text = _xml_text("\n".join(body))
        totals["tests"] += tests
        totals["failures"] += failures
        totals["errors"] += errors
        totals["time"] += took
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", str(totals["errors"]))
    root.set("time", _seconds(totals["time"]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
