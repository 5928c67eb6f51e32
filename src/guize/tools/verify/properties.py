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
from guize.tools.verify.lists import PerItem
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
# 最大/最小/平均 of no item fails too (「没有符合条件的项」): not a property of its own yet (docs/verify.md).
# An error at a witness item of a list's abstraction (lists.py) is not a property either: an error
# witness reports the same errors.
UNREPORTED = ("date_range", "no_items", "witness_error")
# Lists are looked at item by item up to this many items when a property is not proved for every
# length (lists.py): a real counterexample, or unknown「仅在不超过 BOUND 项时成立」.
BOUND = 3
# Solver attempts for one question: (share of the time limit, z3 options); see Checker.solve.
# z3's other arithmetic solver (smt.arith.solver 2) under a few seeds decides in milliseconds much
# non-linear arithmetic the default one does not (or says "incomplete" as fast).
OTHER_ARITH = tuple((0.05, (("smt.arith.solver", 2), ("random_seed", seed))) for seed in range(4))
ATTEMPTS: tuple[tuple[float, tuple[tuple[str, Any], ...]], ...] = ((0.8, ()), *OTHER_ARITH)
# The abstraction of lists (a count times a mean) is non-linear: the other solver first. Its
# models are never shown (the exact encoding finds counterexamples), so the order changes none.
LIST_ATTEMPTS = (*OTHER_ARITH, (0.8, ()))


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


@attrs.define
class View:
    """One encoding of the policy and the events of each root in it."""

    encoder: Encoder
    memo: dict[str, Lifted]
    lifted: dict[str, Lifted]

    def events(self, root: str) -> dict[Event, Any]:
        return self.lifted[root].events if root in self.lifted else lift(self.encoder, root, self.memo).events


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
        # With lists, the encoder above abstracts them (proofs for every length); counterexamples
        # come from a second, exact for lists of at most BOUND items (lists.py). Without, one serves.
        self.abstract = View(self.encoder, self.memo, self.lifted)
        self.lists = bool(self.encoder.items is not None and self.encoder.items.lists)
        self.exact = self.abstract
        if self.lists:
            bounded = Encoder(defs, specs, window, bound=BOUND)
            memo: dict[str, Lifted] = {}
            self.exact = View(bounded, memo, {n: lift(bounded, n, memo) for n in self.roots})

    # ------------------------------------------------------------ solving

    def solve(self, *constraints: Any, view: View | None = None) -> tuple[str, Any]:
        """("sat", model) / ("unsat", None) / ("unknown", reason)."""
        z = self.z
        view = view or self.abstract
        reasons = []
        # Non-linear arithmetic (a sum over a list is a count times a mean) makes z3's answer time
        # depend on its heuristics: what one setting does not decide in its share of the time,
        # another often decides at once. Each attempt is sound; the first that decides decides.
        for share, options in (LIST_ATTEMPTS if view is self.abstract and self.lists else ATTEMPTS):
            s = z.Solver()
            s.set("timeout", max(1, int(self.timeout_ms * share)))
            for key, value in options:
                s.set(key, value)
            s.add(*view.encoder.axioms, *constraints)
            answer = s.check()
            if answer == z.sat:
                return "sat", s.model()
            if answer == z.unsat:
                return "unsat", None
            reasons.append(s.reason_unknown())
        # The default solver's reason (last for lists): a timeout says --timeout may help.
        return "unknown", reason_text(reasons[-1] if view is self.abstract and self.lists else reasons[0])

    def example(self, *constraints: Any, view: View | None = None) -> tuple[str, Any]:
        """A model, preferring round values: whole yuan and whole percents, then cents. The plain
        question first: a proof (unsat) needs one solver call, not one per grid."""
        view = view or self.abstract
        status, model = self.solve(*constraints, view=view)
        if status == "unsat":
            return status, model
        items = view.encoder.items
        lengths = [lv.length for lv in items.lists.values()] if items is not None and view.encoder.bound else []
        for grid in GRIDS:
            # Lists as short as will do: one item, then two, then as many as the encoding has.
            for most in ((1, 2, BOUND) if lengths else (0,)):
                short = [n <= most for n in lengths]
                found, nicer = self.solve(*constraints, *nice(view.encoder, grid), *short, view=view)
                if found == "sat":
                    return found, nicer
        return status, model

    def find(self, build: Callable[[View], list[Any]]) -> tuple[str, Any]:
        """A model of the constraints `build` gives for a view: ("unsat", None) when there is none
        for lists of any length (a proof), ("sat", model of the exact view), ("unknown", reason),
        or ("bounded", None) when lists of at most BOUND items have none but longer ones are not
        ruled out."""
        if not self.lists:
            return self.example(*build(self.abstract))
        status, reason = self.solve(*build(self.abstract))
        if status != "sat":
            return status, reason
        status, model = self.example(*build(self.exact), view=self.exact)
        return ("bounded", None) if status == "unsat" else (status, model)

    def counterexample(self, model: Any, view: View | None = None) -> tuple[datetime.date, dict[str, Any]] | None:
        return replay.read_model(self.z, model, (view or self.exact).encoder)

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
        seen: set[str] = set()
        for strict in (True, False):
            for root, _cond in where:
                events = self.exact.events(root)
                cond = events.get(event)
                if cond is None:
                    continue
                others = [c for e, c in events.items() if e.kind not in ROW_KINDS and e != event]
                extra = [z.Not(z.Or(others))] if strict and others else []
                status, model = self.example(cond, *extra, view=self.exact)
                seen.add(status if status in ("sat", "unsat") else model)
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
        if self.lists and "sat" not in seen:
            reasons = sorted(seen - {"unsat"})
            return self.unknown(event.line, kind, subject, reasons[0] if reasons else _bounded(f"不会{word}"))
        return self.unknown(event.line, kind, subject, f"只在另一处同时出错时才可能{word}，求值时先报告另一处错误")

    def negative(self, name: str) -> Result:
        z = self.z
        d = self.defs[name]
        kind, subject = "negative", name
        gaps = self.gaps([name])
        if gaps:
            return self.unknown(d.line, kind, subject, "；".join(sorted(gaps)))

        def build(view: View) -> list[Any]:
            fails = [c for e, c in view.events(name).items() if e.kind not in ROW_KINDS]
            ok = [z.Not(z.Or(fails))] if fails else []
            return [_some(z, view.encoder.definition(name).term, lambda t: t < 0), *ok]

        status, model = self.find(build)
        if status == "unsat":
            return self.result(d.line, kind, subject, "proved", f"「{name}」不会为负数")
        if status == "bounded":
            return self.unknown(d.line, kind, subject, _bounded("不为负数"))
        if status == "unknown":
            return self.unknown(d.line, kind, subject, model)
        example = self.counterexample(model)
        if example is None:
            return self.unknown(d.line, kind, subject, "反例中的取值不是有限小数")
        on, inputs = example
        got, value = self.outcome(inputs, on, name)
        below = [f"第{i}项 {v}" for i, v in enumerate(value, 1) if v < 0] if isinstance(value, tuple) else \
            [str(value)] if got == "value" and value < 0 else []
        if got == "value" and below:
            return self.result(d.line, kind, subject, "violated",
                               f"「{name}」可能为负数（{below[0]}）；若法条允许为负，在类型后写「，可为负」", example)
        return self.bug(d.line, kind, subject, example, f"「{name}」得到 {_shown(got, value)}")

    def reachable(self, event: Event, where: list[tuple[str, Any]]) -> Result:
        z = self.z
        kind, subject = "unreachable", f"{event.owner}：{event.subject}"
        gaps = self.gaps([r for r, _ in where])
        if gaps:
            return self.unknown(event.line, kind, subject, "；".join(sorted(gaps)))
        status, reason = self.solve(z.Or([c for _, c in where]))
        if status == "sat" and self.lists:  # the abstraction may reach what no list does: find one
            conds = [c for root, _ in where if (c := self.exact.events(root).get(event)) is not None]
            status, reason = self.solve(z.Or(conds), view=self.exact)
            if status == "unsat":
                return self.unknown(event.line, kind, subject,
                                    f"在不超过{BOUND}项的列表中都取不到；更长的列表是否取得到未能判定")
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
        enc.defs = self.exact.encoder.defs = self.defs
        lifted = lift(enc, name, self.memo)
        if lifted.gaps:
            return self.unknown(d.line, kind, subject, "；".join(sorted(lifted.gaps)))

        def build(view: View) -> list[Any]:
            fails = [c for e, c in view.events(name).items() if e.kind not in ROW_KINDS]
            ok = [z.Not(z.Or(fails))] if fails else []
            return [_some(z, view.encoder.definition(name).term, z.Not), *ok]

        status, model = self.find(build)
        if status == "unsat":
            return self.result(d.line, kind, subject, "proved", f"断言「{a.text}」在有效期内对所有输入成立")
        if status == "bounded":
            return self.unknown(d.line, kind, subject, _bounded("成立"))
        if status == "unknown":
            return self.unknown(d.line, kind, subject, model)
        example = self.counterexample(model)
        if example is None:
            return self.unknown(d.line, kind, subject, "反例中的取值不是有限小数")
        on, inputs = example
        got, value = self.outcome(inputs, on, name)
        if got == "value" and (value is False or (isinstance(value, tuple) and False in value)):
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


def _some(z: Any, term: Any, bad: Callable[[Any], Any]) -> Any:
    """That a value is bad: for a per-item value, that some item's is."""
    if isinstance(term, PerItem):
        return z.Or([z.And(exists, bad(t)) for exists, t in term.items]) if term.items else z.BoolVal(False)
    return bad(term)


def _bounded(what: str) -> str:
    return (f"仅在不超过{BOUND}项的列表上证明了{what}；对更长的列表，按任意长度的抽象未能证明"
            "（也未找到反例）")


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
