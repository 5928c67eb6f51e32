"""Verification results as text, JSON (the pinned shape) and SARIF."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from guize.tools.reports import SARIF_SCHEMA, relative_uri
from guize.tools.verify.properties import KINDS, Result

STATUS = {"proved": "已证明", "violated": "不成立", "unknown": "无法判定"}


def to_json(results: Sequence[Result]) -> dict[str, Any]:
    """{"results": [{file, line, kind, subject, status, message, counterexample}]}; values in the
    counterexample are what `evaluate` accepts (decimals as strings)."""
    return {"results": [r.to_json() for r in results]}


def failing(results: Sequence[Result], strict: bool) -> bool:
    return any(r.status == "violated" or (strict and r.status == "unknown") for r in results)


def summary(results: Sequence[Result]) -> str:
    if not results:
        return "没有可验证的性质（文件中没有输出、断言或分段）"
    tally = Counter(r.status for r in results)
    files = len({r.file for r in results})
    bugs = sum(r.verifier_bug for r in results)
    text = (f"验证了 {files} 个文件的 {len(results)} 项性质：{tally['proved']} 项已证明，"
            f"{tally['violated']} 项不成立，{tally['unknown']} 项无法判定")
    return text + (f"（其中 {bugs} 项是验证器错误）" if bugs else "")


def text(results: Sequence[Result], verbose: bool = False) -> str:
    """Violated and unknown properties (all with `verbose`), each with its counterexample, then a summary."""
    lines = []
    for r in results:
        if r.status == "proved" and not verbose:
            continue
        message = r.message.removeprefix("无法判定：")
        lines.append(f"{r.file}:{r.line}: {STATUS[r.status]}[{KINDS[r.kind]}] {r.subject}：{message}")
        if r.counterexample:
            cx = r.counterexample
            shown = "，".join(f"{k} = {value_text(v)}" for k, v in cx["inputs"].items())
            lines.append(f"    反例：日期 {cx['date']}；{shown or '（无输入）'}")
    lines.append(summary(results))
    return "\n".join(lines) + "\n"


def value_text(value: Any) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list):  # a list of records: 空列表, or each item's fields in brackets
        items = ["（" + "，".join(f"{k} = {value_text(v)}" for k, v in item.items()) + "）" for item in value]
        return "、".join(items) if items else "空列表"
    return str(value)


def sarif(results: Sequence[Result], tool_version: str) -> dict[str, Any]:
    """A SARIF 2.1.0 log: a result for each violated (error) and unknown (note) property."""
    kinds = list(KINDS)
    out = []
    for r in results:
        if r.status == "proved":
            continue
        message = r.message
        if r.counterexample:
            cx = r.counterexample
            message += f"（反例：日期 {cx['date']}；" + "，".join(f"{k} = {value_text(v)}" for k, v in cx["inputs"].items()) + "）"
        out.append({
            "ruleId": f"verify/{r.kind}",
            "ruleIndex": kinds.index(r.kind),
            "level": "error" if r.status == "violated" else "note",
            "message": {"text": message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": relative_uri(r.file)},
                                                "region": {"startLine": max(r.line, 1)}}}],
        })
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "guize-verify",
                "version": tool_version,
                "rules": [{"id": f"verify/{k}", "name": k, "shortDescription": {"text": word}}
                          for k, word in KINDS.items()],
            }},
            "columnKind": "unicodeCodePoints",
            "results": out,
        }],
    }
