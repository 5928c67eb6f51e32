"""guize diff: the whole comparison — documents, then the report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from guize.tools.diff.behaviour import compare_output
from guize.tools.diff.structure import diff_definitions, diff_examples, diff_inputs, diff_metadata
from guize.tools.diff.versions import DiffUsageError, DocVersion, Side, pair, resolve

DEFAULT_BUDGET = 20000


def _doc_name(d: DocVersion) -> str:
    title, docno = d.doc.get("title"), d.doc.get("docno")
    if title and docno:
        return f"《{title}》（{docno}）"
    return f"《{title}》" if title else (docno or d.path)


def compare_documents(a: DocVersion | None, b: DocVersion | None, budget: int,
                      prove: float | None = None) -> dict[str, Any]:
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
                        if prove is not None:
                            from guize.tools.diff.proof import add_proof

                            add_proof(result, a, b, prove)
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


def diff(old: Side, new: Side, budget: int = DEFAULT_BUDGET, prove: float | None = None) -> dict[str, Any]:
    """Compare two loaded versions; a JSON-ready report (dates and Decimals as values). With `prove`
    (a per-output solver timeout in seconds), each behavioural entry is also decided by proof."""
    documents = [compare_documents(a, b, budget, prove) for a, b in pair(old, new)]
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
        cwd: str | None = None, prove: float | None = None) -> dict[str, Any]:
    a, b = resolve(old, new, paths, cwd)
    if not a.docs and not b.docs:
        raise DiffUsageError("两个版本中都没有找到 .rule 文件", hint="检查路径，或在修订后给出目录：guize diff HEAD~1 HEAD policies/")
    return diff(a, b, budget, prove)
