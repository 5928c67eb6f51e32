"""guize diff --prove: each output's behavioural entry gets a proof of equality or a counterexample
from the SMT solver (guize.tools.verify); where the solver cannot decide, sampling decides as before."""

from __future__ import annotations

from typing import Any

from guize.runtime import dates
from guize.tools.diff.behaviour import delta_text_of, outcome_text_of
from guize.tools.diff.design import delta, outcome
from guize.tools.diff.versions import DocVersion


def add_proof(entry: dict[str, Any], a: DocVersion, b: DocVersion, timeout: float) -> None:
    """Set entry["proved"], entry["decided_by"] (solver / sampling) and entry["proof"]; a solver
    counterexample the sampling missed becomes a region of its own, replayed through evaluate."""
    from guize.tools.verify.equivalence import prove_equal

    old, new = a.policy, b.policy
    assert old is not None and new is not None
    output = entry["output"]
    proof = prove_equal(old, new, output, timeout)
    entry["proved"] = proof.status == "proved"
    entry["proof"] = {"status": proof.status, "reason": proof.reason}
    if proof.status == "unknown":
        entry["decided_by"] = "sampling"
        return
    entry["decided_by"] = "solver"
    if proof.status == "proved":
        if entry["regions"]:  # sampling (through evaluate) found a difference the proof denies
            entry["proved"] = False
            entry["decided_by"] = "sampling"
            entry["proof"] = {"status": "unknown",
                              "reason": "验证器错误：求解器证明相等，但抽样计算发现差异；请报告此问题"}
        return
    assert proof.date is not None
    x = outcome(old, proof.old_inputs, proof.date, output)
    y = outcome(new, proof.new_inputs, proof.date, output)
    kind, type_text = entry["kind"], entry["type"]
    d = delta(x, y)
    example: dict[str, Any] = {
        "note": "求解器反例", "date": proof.date, "inputs": proof.inputs, "omitted": [],
        "inputs_text": "，".join(f"{k}={v}" for k, v in proof.inputs.items()),
        "old": x[1] if x[0] == "ok" else None, "new": y[1] if y[0] == "ok" else None,
        "old_text": outcome_text_of(x, kind, type_text), "new_text": outcome_text_of(y, kind, type_text),
        "delta": d, "delta_text": delta_text_of(d, kind, type_text),
    }
    for region in entry["regions"]:
        start, end = region["from"], region["to"]
        if (start is None or start <= proof.date) and (end is None or proof.date <= end):
            region["examples"].append(example)
            return
    entry["regions"].append({
        "from": proof.date, "to": proof.date, "dates_text": dates.cn(proof.date),
        "whole_window": False, "sampled": False, "rows": 0, "count": 1,
        "kinds": [f"{x[0]}→{y[0]}"],
        "increased": int(d is not None and d > 0), "decreased": int(d is not None and d < 0),
        "examples": [example], "axes": [], "method": "solver",
    })
