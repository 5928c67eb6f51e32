"""guize diff: the structural comparison — document metadata, inputs, definitions, examples."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from guize.runtime import dates, display, ir
from guize.runtime.formula import ROUND_WORDS
from guize.tools.diff.texts import input_text, range_json, range_text
from guize.tools.diff.versions import DocVersion
from guize.tools.diff.walk import (
    inner_cites,
    node_text,
    normalize,
    row_changes,
    value_rows,
)

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


_INPUT_FIELDS = (("type", "类型"), ("members", "可选值"), ("default", "默认值"), ("unit", "单位"), ("cite", "依据"),
                 ("negative", "可为负"))


def _input_field_text(spec: Mapping[str, Any], field: str) -> str:
    if field == "members":
        return "、".join(spec["members"]) or "（无）"
    if field == "default":
        return input_text(spec, spec["default"]) if spec["has_default"] else "（无）"
    if field == "cite":
        return "、".join(spec["cite"]) or "（无）"
    if field == "negative":
        return _yes(bool(spec.get("negative")))
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
    old, new = ir.module_definitions(a), ir.module_definitions(b)
    names = sorted(new, key=lambda n: new[n].line) + sorted((n for n in old if n not in new),
                                                             key=lambda n: old[n].line)
    out: list[dict[str, Any]] = []
    for name in names:
        da, db = old.get(name), new.get(name)
        if da is None or db is None:
            d = db or da
            assert d is not None
            rows = [{"row": list(path), **range_json(rng), "dates_text": range_text(rng),
                     "old_text": "（无）" if da is None else node_text(node, d),
                     "new_text": node_text(node, d) if da is None else "（无）"}
                    for path, rng, node in value_rows(d.expr)]
            out.append({"name": name, "kind": d.kind, "kind_text": _DEF_KINDS.get(d.kind, d.kind),
                        "change": "added" if da is None else "removed", "notes": [], "rows": rows})
            continue
        notes = []
        if da.kind != db.kind:
            notes.append(f"种类：{_DEF_KINDS.get(da.kind, da.kind)} → {_DEF_KINDS.get(db.kind, db.kind)}")
        if da.type != db.type:
            notes.append(f"类型：{da.type} → {db.type}")
        if da.round != db.round:
            notes.append(f"舍入：{_round_text(da.round)} → {_round_text(db.round)}")
        # Declarations with no formula of their own: 可为负 (what verify proves) and 可作输入 (who may give it).
        if da.negative != db.negative:
            notes.append(f"可为负：{_yes(da.negative)} → {_yes(db.negative)}")
        if da.given != db.given:
            notes.append(f"可作输入：{_yes(da.given)} → {_yes(db.given)}")
        ca = (da.cite, inner_cites(da.expr))
        cb = (db.cite, inner_cites(db.expr))
        if ca != cb:
            notes.append(f"依据：{_cite_text(ca)} → {_cite_text(cb)}")
        rows = []
        if normalize(da.expr) != normalize(db.expr):
            rows = row_changes(da, db)
        if notes or rows:
            out.append({"name": name, "kind": db.kind, "kind_text": _DEF_KINDS.get(db.kind, db.kind),
                        "change": "changed", "notes": notes, "rows": rows})
    return out


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _round_text(r: Any) -> str:
    if r is None:
        return "不舍入"
    mode, quantum = r
    return f"{ROUND_WORDS.get(mode, mode)}到{display.number(quantum)}"


def _cite_text(c: tuple[tuple[str, ...], tuple[str, ...]]) -> str:
    own = "、".join(c[0]) or "（无）"
    return own + (f"（分项：{'、'.join(c[1])}）" if c[1] else "")


def diff_examples(a: Any, b: Any) -> dict[str, Any]:
    def key(ex: Mapping[str, Any]) -> tuple[Any, ...]:
        return (ex["date"], tuple(sorted(ex["inputs"].items())), tuple(sorted(ex["expects"].items())),
                ex["not_in_force"], ex["error"], ex.get("known_on"))

    old = {ex["name"]: ex for ex in a.EXAMPLES}
    new = {ex["name"]: ex for ex in b.EXAMPLES}
    added = [n for n in new if n not in old]
    removed = [n for n in old if n not in new]
    changed = [n for n in new if n in old and key(new[n]) != key(old[n])]
    return {"old": len(old), "new": len(new), "added": added, "removed": removed, "changed": changed}
