"""The properties `guize verify` decides for one policy, each proved, violated or unknown.

Built in: a reachable 除数为零, a lookup a reachable value misses (未覆盖), a dated value with
no version in force on a reachable date (未生效), a 金额/数量 output that can be negative, a
row no input reaches (不可达); and each 断言 of the file. Every counterexample is replayed
through evaluation before it is reported; a replay that disagrees is a verifier bug, reported
as `unknown` with a message that says so, never as a finding.
"""

from __future__ import annotations

import datetime
import functools
import time
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from guize.runtime import ir
from guize.runtime.validity import Window
from guize.tools.verify import replay
from guize.tools.verify.encode import GRIDS, Encoder, Event, Lifted, lift, nice
from guize.tools.verify.solver import reason_text

KINDS = {
    "assertion": "断言",
    "division_by_zero": "除数为零",
    "uncovered": "未覆盖",
    "not_in_force": "未生效",
    "negative": "可为负",
    "unreachable": "不可达",
}
NEGATIVE_KINDS = ("money", "quantity")
ROW_KINDS = ("row", "version", "bracket")  # events that are rows taken, not errors
# Errors that make an evaluation fail without being a property of their own: a date computed
# outside years 1..9999 (any date arithmetic reaches it near the calendar's end; docs/verify.md).
# Like every error, they are excluded where a property asks for evaluations that succeed.
UNREPORTED = ("date_range",)


@attrs.define
class Result:
    file: str
    line: int
    kind: str
    subject: str
    status: str  # proved / violated / unknown
    message: str
    counterexample: dict[str, Any] | None = None
    seconds: float = 0.0
    verifier_bug: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "kind": self.kind, "subject": self.subject,
                "status": self.status, "message": self.message, "counterexample": self.counterexample}


@attrs.frozen
class Assertion:
    """A 断言 to prove, as a 是否 definition of its own, and its text."""

    definition: ir.Definition
    text: str


class Checker:
    """Decide the properties of one policy with z3."""

    def __init__(self, path: str, defs: Mapping[str, ir.Definition], specs: Mapping[str, Mapping[str, Any]],
                 window: Window, outputs: tuple[str, ...], evaluate: Callable[..., dict[str, Any]],
                 timeout: float) -> None:
        self.path = path
        self.defs = defs
        self.outputs = outputs
        self.encoder = Encoder(defs, specs, window)
        self.z = self.encoder.z
        self.evaluate = evaluate
        self.timeout_ms = max(1, int(timeout * 1000))
        self.memo: dict[str, Lifted] = {}
        referenced = {r for d in defs.values() for r in d.deps}
        # Roots: what a caller can ask for (the outputs), and definitions nothing uses.
        self.roots = [n for n in defs if n in outputs or (n not in referenced and defs[n].value_kind != "scale")]
        self.lifted = {n: lift(self.encoder, n, self.memo) for n in self.roots}

    # ------------------------------------------------------------ solving

    def solve(self, *constraints: Any) -> tuple[str, Any]:
        """("sat", model) / ("unsat", None) / ("unknown", reason)."""
        z = self.z
        s = z.Solver()
        s.set("timeout", self.timeout_ms)
        s.add(*self.encoder.axioms, *constraints)
        answer = s.check()
        if answer == z.sat:
            return "sat", s.model()
        if answer == z.unsat:
            return "unsat", None
        return "unknown", reason_text(s.reason_unknown())

    def example(self, *constraints: Any) -> tuple[str, Any]:
        """A model, preferring round values: whole yuan and whole percents, then cents. The plain
        question first: a proof (unsat) needs one solver call, not one per grid."""
        status, model = self.solve(*constraints)
        if status == "unsat":
            return status, model
        for grid in GRIDS:
            found, nicer = self.solve(*constraints, *nice(self.encoder, grid))
            if found == "sat":
                return found, nicer
        return status, model

    def counterexample(self, model: Any) -> tuple[datetime.date, dict[str, Any]] | None:
        return replay.read_model(self.z, model, self.encoder)

    # ------------------------------------------------------------ the properties

    def run(self, assertions: tuple[Assertion, ...] = ()) -> list[Result]:
        results: list[Result] = []
        for a in assertions:
            results.append(self.timed(functools.partial(self.assertion, a)))
        errors: dict[Event, list[tuple[str, Any]]] = {}
        rows: dict[Event, list[tuple[str, Any]]] = {}
        for root in self.roots:
            for event, cond in self.lifted[root].events.items():
                if event.kind in ROW_KINDS:
                    if event.kind == "row":
                        rows.setdefault(event, []).append((root, cond))
                elif event.kind not in UNREPORTED:
                    errors.setdefault(event, []).append((root, cond))
        for event, where in sorted(errors.items(), key=lambda kv: (kv[0].line, kv[0].node)):
            results.append(self.timed(functools.partial(self.error, event, where)))
        for name in self.outputs:
            d = self.defs[name]
            if d.value_kind in NEGATIVE_KINDS and not d.negative:
                results.append(self.timed(functools.partial(self.negative, name)))
        for event, where in sorted(rows.items(), key=lambda kv: (kv[0].line, kv[0].node, kv[0].index)):
            results.append(self.timed(functools.partial(self.reachable, event, where)))
        return results

    def timed(self, fn: Callable[[], Result]) -> Result:
        start = time.perf_counter()
        result = fn()
        result.seconds = time.perf_counter() - start
        return result

    def result(self, line: int, kind: str, subject: str, status: str, message: str,
               example: tuple[datetime.date, dict[str, Any]] | None = None, bug: bool = False) -> Result:
        cx = {"date": example[0].isoformat(), "inputs": example[1]} if example else None
        return Result(self.path, line, kind, subject, status, message, cx, verifier_bug=bug)

    def gaps(self, roots: list[str]) -> set[str]:
        return {g for r in roots for g in self.lifted[r].gaps}

    def unknown(self, line: int, kind: str, subject: str, reason: str) -> Result:
        return self.result(line, kind, subject, "unknown", f"无法判定：{reason}")

    def error(self, event: Event, where: list[tuple[str, Any]]) -> Result:
        z, kind, word = self.z, event.kind, KINDS[event.kind]
        subject = event.subject if kind == "not_in_force" else event.owner
        gaps = self.gaps([r for r, _ in where])
        if gaps:
            return self.unknown(event.line, kind, subject, "；".join(sorted(gaps)))
        status, model = self.solve(z.Or([c for _, c in where]))
        if status == "unsat":
            return self.result(event.line, kind, subject, "proved", _proved(kind, subject))
        if status == "unknown":
            return self.unknown(event.line, kind, subject, model)
        # Prefer a witness where nothing else fails first, so the replay shows this error.
        for strict in (True, False):
            for root, cond in where:
                others = [c for e, c in self.lifted[root].events.items() if e.kind not in ROW_KINDS and e != event]
                extra = [z.Not(z.Or(others))] if strict and others else []
                status, model = self.example(cond, *extra)
                if status != "sat":
                    continue
                example = self.counterexample(model)
                if example is None:
                    continue
                on, inputs = example
                got, value = self.outcome(inputs, on, root)
                if got == "error" and replay.error_matches(kind, value):
                    return self.result(event.line, kind, subject, "violated",
                                       _violated(kind, subject, root, value.message), example)
                if strict:
                    return self.bug(event.line, kind, subject, example, f"「{root}」得到 {_shown(got, value)}")
        return self.unknown(event.line, kind, subject, f"只在另一处同时出错时才可能{word}，求值时先报告另一处错误")

    def negative(self, name: str) -> Result:
        z = self.z
        d = self.defs[name]
        kind, subject = "negative", name
        gaps = self.gaps([name])
        if gaps:
            return self.unknown(d.line, kind, subject, "；".join(sorted(gaps)))
        lifted = self.lifted[name]
        fails = [c for e, c in lifted.events.items() if e.kind not in ROW_KINDS]
        ok = [z.Not(z.Or(fails))] if fails else []
        term = self.encoder.definition(name).term
        status, model = self.example(term < 0, *ok)
        if status == "unsat":
            return self.result(d.line, kind, subject, "proved", f"「{name}」不会为负数")
        if status == "unknown":
            return self.unknown(d.line, kind, subject, model)
        example = self.counterexample(model)
        if example is None:
            return self.unknown(d.line, kind, subject, "反例中的取值不是有限小数")
        on, inputs = example
        got, value = self.outcome(inputs, on, name)
        if got == "value" and value < 0:
            return self.result(d.line, kind, subject, "violated",
                               f"「{name}」可能为负数（{value}）；若法条允许为负，在类型后写「，可为负」", example)
        return self.bug(d.line, kind, subject, example, f"「{name}」得到 {_shown(got, value)}")

    def reachable(self, event: Event, where: list[tuple[str, Any]]) -> Result:
        z = self.z
        kind, subject = "unreachable", f"{event.owner}：{event.subject}"
        gaps = self.gaps([r for r, _ in where])
        if gaps:
            return self.unknown(event.line, kind, subject, "；".join(sorted(gaps)))
        status, reason = self.solve(z.Or([c for _, c in where]))
        if status == "sat":
            return self.result(event.line, kind, subject, "proved", f"「{event.subject}」可以取到")
        if status == "unknown":
            return self.unknown(event.line, kind, subject, reason)
        return self.result(event.line, kind, subject, "violated",
                           f"「{event.owner}」中的「{event.subject}」在有效期内任何输入下都取不到（不可达）")

    def assertion(self, a: Assertion) -> Result:
        z, enc, d = self.z, self.encoder, a.definition
        kind, subject, name = "assertion", a.text, d.name
        # Encoded as a definition of its own, so its references lift like any other.
        self.defs = {**self.defs, name: d}
        enc.defs = self.defs
        cond = enc.definition(name).term
        lifted = lift(enc, name, self.memo)
        if lifted.gaps:
            return self.unknown(d.line, kind, subject, "；".join(sorted(lifted.gaps)))
        fails = [c for e, c in lifted.events.items() if e.kind not in ROW_KINDS]
        ok = [z.Not(z.Or(fails))] if fails else []
        status, model = self.example(z.Not(cond), *ok)
        if status == "unsat":
            return self.result(d.line, kind, subject, "proved", f"断言「{a.text}」在有效期内对所有输入成立")
        if status == "unknown":
            return self.unknown(d.line, kind, subject, model)
        example = self.counterexample(model)
        if example is None:
            return self.unknown(d.line, kind, subject, "反例中的取值不是有限小数")
        on, inputs = example
        got, value = self.outcome(inputs, on, name)
        if got == "value" and value is False:
            return self.result(d.line, kind, subject, "violated", f"断言「{a.text}」不成立", example)
        return self.bug(d.line, kind, subject, example, f"断言得到 {_shown(got, value)}")

    def bug(self, line: int, kind: str, subject: str, example: Any, what: str) -> Result:
        on, inputs = example
        return self.result(line, kind, subject, "unknown",
                           f"验证器错误：求解器给出的反例（{on.isoformat()}，{_inputs_text(inputs)}）回放时{what}，"
                           "与编码不一致；请报告此问题", bug=True)

    def outcome(self, inputs: dict[str, Any], on: datetime.date, name: str) -> tuple[str, Any]:
        """The replay: through evaluate (compiled code)."""
        return replay.outcome(self.evaluate, inputs, on, name)


def _proved(kind: str, subject: str) -> str:
    return {
        "division_by_zero": f"「{subject}」中的除数在有效期内不会为零",
        "uncovered": f"「{subject}」的分段或表在有效期内覆盖所有可能取值",
        "not_in_force": f"「{subject}」在有效期内每一天都有有效的取值",
    }[kind]


def _violated(kind: str, subject: str, root: str, message: str) -> str:
    head = {
        "division_by_zero": f"「{subject}」可能除数为零",
        "uncovered": f"「{subject}」有可能取到分段或表未覆盖的值（未覆盖）",
        "not_in_force": f"「{subject}」在有效期内的某些日期没有有效的取值（未生效）",
    }[kind]
    return f"{head}：计算「{root}」时报告「{message}」"


def _shown(got: str, value: Any) -> str:
    if got == "error":
        return f"错误「{getattr(value, 'message', value)}」"
    return str(value)


def _inputs_text(inputs: Mapping[str, Any]) -> str:
    return "，".join(f"{k}={v}" for k, v in inputs.items())
