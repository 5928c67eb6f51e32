"""guize diff --prove: prove that two versions of an output agree for every input and date, or find
where they do not (a counterexample replayed through both versions' evaluate)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import attrs

from guize.runtime.errors import NotInForce, RuleError
from guize.runtime.policy import Policy
from guize.tools.verify import replay
from guize.tools.verify.encode import GRIDS, Encoder, lift, nice
from guize.tools.verify.solver import fresh_context, reason_text


@attrs.frozen
class Proof:
    status: str  # proved / different / unknown
    reason: str = ""
    date: datetime.date | None = None
    inputs: dict[str, Any] = attrs.field(factory=dict)  # the union of both versions' inputs
    old_inputs: dict[str, Any] = attrs.field(factory=dict)
    new_inputs: dict[str, Any] = attrs.field(factory=dict)


def _specs(policy: Policy) -> dict[str, Mapping[str, Any]]:
    return {s["name"]: s for s in policy.module.INPUTS}


def _classes(enc: Encoder, output: str) -> tuple[Any, Any, list[str]]:
    """(not in force, error) conditions of evaluating `output`, and the gaps of its encoding."""
    z = enc.z
    lifted = lift(enc, output, {})
    nif = [c for e, c in lifted.events.items() if e.kind == "not_in_force"]
    err = [c for e, c in lifted.events.items() if e.kind in ("division_by_zero", "uncovered", "date_range")]
    in_force = enc.in_force()
    return (z.Or(z.Not(in_force), *nif), z.And(in_force, z.Or(err)) if err else z.BoolVal(False),
            sorted(lifted.gaps))


def outcome(policy: Policy, data: Mapping[str, Any], on: datetime.date, output: str) -> tuple[str, Any]:
    try:
        return "ok", policy.evaluate(data, on, [output])[output]
    except NotInForce:
        return "nif", None
    except RuleError as exc:
        return "err", exc.code


def prove_equal(old: Policy, new: Policy, output: str, timeout: float = 10.0) -> Proof:
    if old.window.start is None or new.window.start is None:
        return Proof("unknown", "有版本未载明施行日期")
    fresh_context()
    eo = Encoder(old.definitions, _specs(old), old.window, lists=False)  # both versions alike (share)
    en = Encoder(new.definitions, _specs(new), new.window, share=eo)
    z = eo.z
    nif_o, err_o, gaps_o = _classes(eo, output)
    nif_n, err_n, gaps_n = _classes(en, output)
    gaps = sorted(set(gaps_o) | set(gaps_n))
    if gaps:
        return Proof("unknown", "；".join(gaps))
    vo, vn = eo.definition(output).term, en.definition(output).term
    vo, vn = eo.pair(vo, vn)
    ok_o = z.And(z.Not(nif_o), z.Not(err_o))
    ok_n = z.And(z.Not(nif_n), z.Not(err_n))
    differ = z.Or(nif_o != nif_n, z.And(z.Not(nif_o), z.Not(nif_n), err_o != err_n),
                  z.And(ok_o, ok_n, vo != vn))
    s = z.Solver()
    s.set("timeout", max(1, int(timeout * 1000)))
    s.add(*eo.axioms, *en.axioms, z.Or(eo.in_force(), en.in_force()), differ)
    answer = s.check()
    if answer == z.unsat:
        return Proof("proved")
    if answer != z.sat:
        return Proof("unknown", reason_text(s.reason_unknown()))
    model = s.model()
    for grid in GRIDS:  # prefer whole yuan and whole percents, then cents
        s.push()
        s.add(*nice(eo, grid), *nice(en, grid))
        if s.check() == z.sat:
            model = s.model()
            s.pop()
            break
        s.pop()
    read_o, read_n = replay.read_model(z, model, eo), replay.read_model(z, model, en)
    if read_o is None or read_n is None:
        return Proof("unknown", "反例中的取值不是有限小数")
    on, old_inputs = read_o
    _, new_inputs = read_n
    a, b = outcome(old, old_inputs, on, output), outcome(new, new_inputs, on, output)
    if a == b:
        shown = "，".join(f"{k}={v}" for k, v in {**old_inputs, **new_inputs}.items())
        return Proof("unknown", f"验证器错误：求解器给出的反例（{on.isoformat()}，{shown}）回放时两版结果相同；"
                                "请报告此问题")
    return Proof("different", "", on, {**old_inputs, **new_inputs}, old_inputs, new_inputs)
