"""guize diff: rendering a report as Markdown or plain text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from guize.runtime import dates


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
    proved = [r["output"] for r in doc["behaviour"] if not r["regions"] and r.get("proved")]
    same = [r["output"] for r in doc["behaviour"] if not r["regions"] and not r.get("proved")]
    if proved:
        lines += ["", f"规则有改动，但已证明对所有输入和日期结果不变的输出：{'、'.join(proved)}。"]
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
    if r.get("decided_by") == "solver":
        return "判定方法：求解器（对所有输入和日期）；求解器找到的反例标为「求解器反例」。"
    if "decided_by" in r:
        return (f"判定方法：抽样（求解器无法判定：{r['proof']['reason']}）；{r['method_text']}；"
                f"{r['rows']} 组输入 × {r['date_classes']} 个日期区段 = {r['evaluations']} 次比较。")
    return (f"检查方法：{r['method_text']}；{r['rows']} 组输入 × {r['date_classes']} 个日期区段 = "
            f"{r['evaluations']} 次比较（预算 {r['budget']}），另做 {r['scan_evaluations']} 次用于例子和边界。")


def _output_markdown(r: Mapping[str, Any]) -> list[str]:
    lines = [f"#### 输出「{r['output']}」：{r['type']}", "", _method_line(r)]
    for g in r["regions"]:
        sampled = "（按候选日期）" if g["sampled"] else ""
        whole = "（整个有效期）" if g["whole_window"] else ""
        updown = "，".join(f"{word} {g[key]} 组" for word, key in (("增加", "increased"), ("减少", "decreased"))
                          if g[key])
        if g.get("method") == "solver":
            lines += ["", f"- **{g['dates_text']}**：求解器找到结果不同的输入（{_kinds_text(g['kinds'])}），"
                          "抽样未发现。"]
        else:
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
