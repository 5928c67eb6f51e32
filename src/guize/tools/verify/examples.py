"""guize verify --examples: 例 blocks that reach every branch, band, table row, version and bracket
the file's examples miss, with expected values from evaluate, marked 「待核对」 for the drafter."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from guize.runtime import dates, display, values
from guize.runtime.errors import RuleError
from guize.runtime.interp import Interpreter
from guize.tools.verify.encode import Event
from guize.tools.verify.properties import ROW_KINDS, Checker
from guize.tools.verify.solver import fresh_context

MARK = "# 待核对：由 guize verify --examples 生成，期望值是当前规则算出的，请对照法条确认"


@attrs.frozen
class Generated:
    file: str
    text: str  # the whole file with the new examples, formatted as guize fmt would
    added: int
    before: tuple[int, int]  # covered, total (branches, bands, rows, versions)
    after: tuple[int, int]
    unreachable: tuple[str, ...]  # items no input reaches (or that the solver could not decide)


def literal(value: Any, type_text: str) -> str:
    """A value as an example line writes it (a bare number where a unit could mislead)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dates.Period, dates.YearMonth)):  # 9年11个月, 60岁1个月, 2025年2月
        return str(value)
    if isinstance(value, datetime.date):
        return dates.cn(value)
    if isinstance(value, str):
        return value
    if "万" in type_text or "/" in type_text:
        return display.exact(Decimal(value))
    return display.with_type(value, type_text)


def _count(hits: set[tuple[Any, ...]], wanted: set[tuple[Any, ...]]) -> tuple[int, int]:
    return len(wanted & hits), len(wanted)


def generate(path: str, timeout: float = 10.0) -> Generated:
    """The file with examples added for what its examples miss (RuleError if it does not compile)."""
    import guize
    from guize.compiler.driver import read_source
    from guize.tools import coverage, testing
    from guize.tools.fmt import format_source

    policy = guize.load(path)
    specs: dict[str, Mapping[str, Any]] = {s["name"]: s for s in policy.module.INPUTS}
    report = testing.run([path], coverage=True)
    hits: set[tuple[Any, ...]] = set((report.coverage or {}).get(path, set()))
    items = [it for it in coverage.items(policy.definitions, specs) if it.category != "articles"]
    wanted = {it.key for it in items}
    labels = {it.key: f"「{it.owner}」{it.label}" for it in items}
    before = _count(hits, wanted)
    fresh_context()
    checker = Checker(path, policy.definitions, specs, policy.window, tuple(policy.module.OUTPUTS),
                      lambda data, on, names: policy.evaluate(data, on, names), timeout)
    z = checker.z
    where: dict[tuple[Any, ...], list[tuple[str, Any]]] = {}
    view = checker.exact  # with lists: exact for a few items, so a model is a real list
    for root in checker.roots:
        for event, cond in view.events(root).items():
            if event.kind in ROW_KINDS:
                where.setdefault(_key(event), []).append((root, cond))
    blocks: list[str] = []
    missed: list[str] = []
    for key in [it.key for it in items]:
        if key in hits:
            continue
        found = None
        for root, cond in where.get(key, []):
            fails = [c for e, c in view.events(root).items() if e.kind not in ROW_KINDS]
            status, model = checker.example(cond, *([z.Not(z.Or(fails))] if fails else []), view=view)
            if status == "sat" and (example := checker.counterexample(model)) is not None:
                found = example
                break
        if found is None:
            missed.append(labels[key])
            continue
        on, inputs = found
        runner = Interpreter(policy.definitions, specs, inputs, on, coverage=hits)
        expects = {}
        for name in policy.module.OUTPUTS:
            try:
                expects[name] = runner.get(name)
            except RuleError:
                continue
        if key not in hits or not expects:
            missed.append(labels[key])
            continue
        blocks.append(_block(f"覆盖{labels[key]}", on, inputs, specs, expects, policy.definitions))
    source = read_source(path)
    text = source.rstrip("\n") + "\n" + "".join("\n" + b for b in blocks) if blocks else source
    return Generated(path, format_source(text, path) if blocks else source, len(blocks), before,
                     _count(hits, wanted), tuple(missed))


def _key(event: Event) -> tuple[Any, ...]:
    return event.coverage_key


def _block(name: str, on: datetime.date, inputs: Mapping[str, Any], specs: Mapping[str, Mapping[str, Any]],
           expects: Mapping[str, Any], defs: Mapping[str, Any]) -> str:
    lines = [MARK, f"例 「{name.replace('」', '』').replace('「', '『')}」：", f"  日期：{dates.cn(on)}"]
    for k, v in inputs.items():
        spec = specs[k]
        if spec["kind"] == "list" and v:  # one line per item, its fields as the examples write them
            fields = {f["name"]: f for f in spec.get("fields", ())}
            lines.append(f"  {k}：")
            lines += ["    " + "，".join(f"{f} = {_input_text(fields[f], x)}" for f, x in item.items()) for item in v]
        else:
            lines.append(f"  {k} = {_input_text(spec, v)}")
    for k, v in expects.items():
        shown = ("、".join(literal(x, defs[k].type) for x in v) or "空列表") if isinstance(v, tuple) else \
            literal(v, defs[k].type)
        lines.append(f"  期望 {k} = {shown}")
    return "\n".join(lines) + "\n"


def _input_text(spec: Mapping[str, Any], v: Any) -> str:
    if spec["kind"] == "list":
        return "空列表"
    value = Decimal(v) if spec["kind"] in ("money", "quantity", "rate") else v
    if spec["kind"] == "date":
        value = datetime.date.fromisoformat(v)
    elif spec["kind"] in ("duration", "age", "year_month"):  # P9Y11M, 2025-02 as the law writes them
        value = values.convert(spec, v)
    return literal(value, spec["type"])


def failures(generated: Generated) -> list[str]:
    """The generated file's examples that do not pass `guize test` (none, unless guize has a bug)."""
    import tempfile

    from guize.tools import testing

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / Path(generated.file).name
        copy.write_text(generated.text, encoding="utf-8")
        report = testing.run([str(copy)])
    out = [f"{o.name}：{o.message}" for o in report.outcomes if o.status != "passed"]
    out += [e.message for e in report.compile_errors]
    return out


def write(generated: Generated) -> None:
    from guize.compiler.driver import write_atomic

    write_atomic(Path(generated.file), generated.text)
