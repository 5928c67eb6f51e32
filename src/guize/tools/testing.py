"""Run the examples (例) written in .rule files: compiled and interpreted, compared with expectations."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from guize.compiler.assertions import CheckedAssertion, holds
from guize.compiler.corpus import Corpus, load_corpus, related_corpus
from guize.compiler.diagnostics import CompileError
from guize.compiler.driver import rule_files
from guize.runtime import values as V
from guize.runtime.errors import NotInForce, RuleError
from guize.runtime.interp import Coverage
from guize.runtime.policy import Policy


@attrs.frozen
class Outcome:
    file: str
    line: int
    name: str
    status: str  # passed / failed / error
    message: str = ""
    expected: dict[str, Any] = attrs.field(factory=dict)
    actual: dict[str, Any] = attrs.field(factory=dict)
    explanation: str = ""
    date: datetime.date | None = None
    duration: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "name": self.name, "status": self.status,
                "message": self.message, "date": self.date.isoformat() if self.date else None,
                "expected": {k: V.fmt(v) for k, v in self.expected.items()},
                "actual": {k: V.fmt(v) for k, v in self.actual.items()},
                "duration": round(self.duration, 6)}


@attrs.define
class Report:
    outcomes: list[Outcome] = attrs.field(factory=list)
    compile_errors: list[CompileError] = attrs.field(factory=list)
    policies: dict[str, Policy] = attrs.field(factory=dict)
    # file -> what the reference interpreter exercised (see Interpreter); None unless asked for.
    coverage: dict[str, Coverage] | None = None

    @property
    def passed(self) -> int:
        return sum(o.status == "passed" for o in self.outcomes)

    @property
    def failed(self) -> int:
        return sum(o.status != "passed" for o in self.outcomes) + len(self.compile_errors)


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, (int, Decimal)) and isinstance(actual, (int, Decimal)) \
            and not isinstance(expected, bool) and not isinstance(actual, bool):
        return bool(expected == actual)
    return bool(expected == actual)


def _answer(run: Any, ex: dict[str, Any], outputs: list[str], **extra: Any) -> Any:
    """An engine's answer to an example: its values, or the error (kind and message) it raised."""
    try:
        if ex.get("known_on") is not None:  # 按…已发布的规定
            extra["known_on"] = ex["known_on"]
        return run(ex["inputs"], on=ex["date"], outputs=outputs or None, **extra)
    except RuleError as exc:
        return exc


def _disagree(compiled: Any, reference: Any) -> bool:
    if isinstance(compiled, RuleError) or isinstance(reference, RuleError):
        return not (type(compiled) is type(reference) and compiled.message == reference.message)
    return bool(compiled != reference)


def _show(answer: Any) -> str:
    return f"出错「{answer.message}」" if isinstance(answer, RuleError) else "、".join(
        f"「{k}」= {V.fmt(v)}" for k, v in answer.items())


def run_example(policy: Policy, ex: dict[str, Any], coverage: Coverage | None = None,
                assertions: tuple[CheckedAssertion, ...] = ()) -> Outcome:
    import time

    start = time.perf_counter()
    base = dict(file=ex["file"], line=ex["line"], name=ex["name"], date=ex["date"])
    outputs = list(ex["expects"])
    actual = _answer(policy.evaluate, ex, outputs)
    took = time.perf_counter() - start
    # Both engines run every example, errors included: an example cannot lock in an answer
    # that only one engine gives (the reference interpreter also records coverage).
    reference = _answer(policy.interpret, ex, outputs, coverage=coverage)
    if _disagree(actual, reference):
        return Outcome(**base, status="failed",
                       message=f"编译结果与参考解释器不一致（内部错误，请报告）：编译 {_show(actual)}；参考 {_show(reference)}",
                       duration=took)
    if isinstance(actual, NotInForce):
        if ex["not_in_force"]:
            return Outcome(**base, status="passed", message=actual.message, duration=took)
        return Outcome(**base, status="failed", message=f"意外的不在有效期：{actual.message}", duration=took)
    if isinstance(actual, RuleError):
        if ex["error"] is not None and (not ex["error"] or ex["error"] in actual.message):
            return Outcome(**base, status="passed", message=actual.message, duration=took)
        return Outcome(**base, status="failed", message=f"计算出错：{actual.message}", duration=took)
    if ex["not_in_force"]:
        return Outcome(**base, status="failed", message="期望「未生效」，但该日期在有效期内", actual=actual,
                       duration=took)
    if ex["error"] is not None:
        return Outcome(**base, status="failed", message="期望出错，但计算成功", actual=actual, duration=took)
    wrong = {k: v for k, v in ex["expects"].items() if not _same(v, actual.get(k))}
    if wrong:
        explanation = policy.explain(ex["inputs"], on=ex["date"], outputs=list(wrong),
                                     known_on=ex.get("known_on")).render()
        lines = [f"「{k}」期望 {V.fmt(v)}，实际 {V.fmt(actual.get(k))}" for k, v in wrong.items()]
        return Outcome(**base, status="failed", message="；".join(lines), expected=dict(ex["expects"]),
                       actual=actual, explanation=explanation, duration=took)
    broken = [a for a in assertions
              if holds(policy.definitions, _specs(policy), a, ex["inputs"], ex["date"], ex.get("known_on")) is False]
    if broken:
        lines = [f"断言「{a.text}」（第{a.line}行）不成立" for a in broken]
        return Outcome(**base, status="failed", message="；".join(lines), expected=dict(ex["expects"]),
                       actual=actual, duration=took)
    return Outcome(**base, status="passed", expected=dict(ex["expects"]), actual=actual, duration=took)


def run(paths: list[str], corpus: Corpus | None = None, coverage: bool = False) -> Report:
    report = Report(coverage={} if coverage else None)
    files = rule_files(paths)
    alone = corpus is None  # a file named alone is judged by the neighbours that may repeal it
    if corpus is None:  # a folder's files are all loaded anyway: they are the corpus
        folders = sorted(p for p in paths if Path(p).is_dir())
        corpus = load_corpus(folders) if folders else Corpus()
    for path in files:
        from guize.compiler.driver import load_module, warn

        try:
            module = load_module(path)
        except CompileError as exc:
            report.compile_errors.append(exc)
            continue
        entry = corpus.entry_for_file(str(path))
        if entry is None and alone:  # as guize eval does: only what may repeal it, never the whole tree
            related = related_corpus(str(path), module, str(path.parent))
            for message in related.warnings:
                warn(message)
            entry = related.entry_for_file(str(path))
        policy = Policy(module, entry.repealed if entry else None)
        report.policies[str(path)] = policy
        hits = report.coverage.setdefault(str(path), set()) if report.coverage is not None else None
        assertions = assertions_of(path)
        for ex in module.EXAMPLES:
            report.outcomes.append(run_example(policy, ex, hits, assertions))
    return report


def assertions_of(path: str | Path) -> tuple[CheckedAssertion, ...]:
    """The file's 断言 (the compiled module does not carry them: evaluate does not check them)."""
    from guize.compiler.driver import check_source, read_source

    source = read_source(path)
    if "断言" not in source:
        return ()
    return check_source(source, str(path)).assertions


def _specs(policy: Policy) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in policy.module.INPUTS}
