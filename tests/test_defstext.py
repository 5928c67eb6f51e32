"""A large policy's DEFS is a guize.runtime.defstext.Table: every definition's metadata as one JSON
text and every expression as another (compiler/defstable.py), read when first needed. Forced on
every .rule file of the repository, and as it is on a large synthetic file, it gives what the
literal rows give: the same rows, the same typed definitions (ids and spans included), the same
.rule lines for tracebacks, explanations and batch results."""

from __future__ import annotations

import datetime
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import guize
from guize.compiler import defstable
from guize.compiler.driver import compile_source, module_from_source
from guize.runtime import defstext, ir, tracebacks

ROOT = Path(__file__).resolve().parent.parent
RULES = sorted([*(ROOT / "policies").rglob("*.rule"), *(ROOT / "examples").rglob("*.rule")])
sys.path.insert(0, str(ROOT / "bench"))
from compile_bench import synthetic  # noqa: E402

LITERAL = 10**9  # defstable.DATA_ABOVE for the literal rows whatever the size


def located(node: ir.Node) -> list[tuple[str, int, ir.Span]]:
    """Every node's class, id and span (which equality leaves out)."""
    return [(type(n).__name__, n.id, n.span) for n in ir.walk(node)]


def both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[guize.Policy, guize.Policy]:
    """`path` compiled with DEFS as literal rows and as a Table (not cached: DATA_ABOVE is not
    part of the cache's key)."""
    monkeypatch.setattr(defstable, "DATA_ABOVE", LITERAL)
    literal = guize.load(path, corpus=False, cache=False)
    monkeypatch.setattr(defstable, "DATA_ABOVE", -1)  # (a document without definitions too)
    table = guize.load(path, corpus=False, cache=False)
    monkeypatch.undo()
    assert isinstance(table.module.DEFS, defstext.Table)
    assert isinstance(literal.module.DEFS, dict)
    return literal, table


def outcome(run: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return "ok", run(*args, **kwargs)
    except Exception as exc:  # an error is an outcome too: the same class and message
        return type(exc).__name__, str(exc)


def explained(policy: guize.Policy, data: dict[str, Any], on: Any, outputs: Any = None) -> Any:
    return outcome(lambda: (lambda e: (e.render(), e.to_json()))(policy.explain(data, on, outputs)))


def batch(policy: guize.Policy, rows: list[dict[str, Any]], on: Any, outputs: Any = None) -> Any:
    return outcome(lambda: policy.evaluate_batch(rows, on, outputs).to_pylist())


def assert_same(literal: guize.Policy, table: guize.Policy) -> None:
    """The same rows (the literal's without "expr"), definitions, outputs, inputs and lines."""
    assert set(table.module.DEFS) == set(literal.module.DEFS)
    for name, row in literal.module.DEFS.items():
        assert table.module.DEFS[name] == {k: v for k, v in row.items() if k != "expr"}
    assert list(table.module.DEFS) == list(literal.module.DEFS)
    assert table.definitions == literal.definitions
    for name, d in literal.definitions.items():
        assert located(table.definitions[name].expr) == located(d.expr), name
    assert ir.module_definitions(table.module) == table.definitions
    assert table.outputs == literal.outputs and table.inputs == literal.inputs
    assert tracebacks.LineIndex.of(table.module).names == tracebacks.LineIndex.of(literal.module).names


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.stem)
def test_table_gives_what_the_literal_rows_give(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    literal, table = both(path, monkeypatch)
    assert_same(literal, table)
    checked = compile_source(path.read_text(encoding="utf-8"), str(path)).checked
    assert table.definitions == checked.defs
    for example in literal.examples:
        data, on, asked = dict(example["inputs"]), example["date"], list(example["expects"]) or None
        assert explained(table, data, on, asked) == explained(literal, data, on, asked), example
        if literal.module.OUTPUTS:
            assert batch(table, [data], on, asked) == batch(literal, [data], on, asked), example


def test_a_large_policy_has_a_table_with_the_same_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "large.rule"
    path.write_text(synthetic(1500), encoding="utf-8")
    checked = compile_source(path.read_text(encoding="utf-8"), str(path)).checked
    assert len(checked.defs) > defstable.DATA_ABOVE
    table = guize.load(path, corpus=False, cache=False)  # as it is: a large policy's table
    assert isinstance(table.module.DEFS, defstext.Table)
    monkeypatch.setattr(defstable, "DATA_ABOVE", LITERAL)
    literal = guize.load(path, corpus=False, cache=False)
    assert isinstance(literal.module.DEFS, dict)
    assert_same(literal, table)
    assert table.definitions == checked.defs
    for name, d in checked.defs.items():
        assert located(table.definitions[name].expr) == located(d.expr), name
    names = [n for n in table.module.INPUT_NAMES if n != "级别"]
    rows = [{**{n: Decimal(amount) for n in names}, "级别": level}
            for amount, level in ((500, "一级"), (1500, "二级"), (2500, "三级"))]
    outputs = list(table.module.OUTPUTS)
    for data in rows:
        assert explained(table, data, "2024-06-01") == explained(literal, data, "2024-06-01")
        assert explained(table, data, "2024-06-01", outputs[5:9]) == explained(literal, data, "2024-06-01",
                                                                               outputs[5:9])
        assert table.evaluate(data, "2024-06-01") == table.interpret(data, "2024-06-01")
    assert batch(table, rows, "2024-06-01") == batch(literal, rows, "2024-06-01")
    assert batch(table, rows, "2024-06-01", outputs[:3]) == batch(literal, rows, "2024-06-01", outputs[:3])
    missing = dict(rows[0])
    del missing[names[0]]
    assert outcome(table.evaluate, missing, "2024-06-01") == outcome(literal.evaluate, missing, "2024-06-01")


def test_the_metadata_is_read_without_the_expressions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Importing the module reads neither text; outputs, inputs needed and tracebacks' lines read
    the metadata alone; the expressions are read when the definitions are needed."""
    large = compile_source(synthetic(1500), "large.rule")
    reads: list[str] = []
    rows, exprs = defstext.read_rows, ir.decode_exprs
    monkeypatch.setattr(defstext, "read_rows", lambda text: reads.append("rows") or rows(text))
    monkeypatch.setattr(ir, "decode_exprs", lambda text: reads.append("exprs") or exprs(text))
    module = module_from_source(large.python, "large_defs", "large.py")
    policy = guize.Policy(module)
    assert reads == []
    name = module.OUTPUTS[3]
    assert policy.outputs[3].name == name and policy.required_inputs([name])
    assert tracebacks.LineIndex.of(module).names
    assert reads == ["rows"]
    assert policy.definitions == large.checked.defs
    assert reads == ["rows", "exprs"]


def test_the_rows_fields_are_a_definitions_but_its_expression() -> None:
    assert tuple(f.name for f in attrs.fields(ir.Definition) if f.name != "expr") == defstext.FIELDS


def test_the_rows_keep_decimal_quanta_and_flags() -> None:
    """A quantum's exponent, 可为负 and 可作输入 (written only when set), texts with quotes."""
    expr = ir.Const(Decimal("1.50"), id=3, span=(1, 2, 3, 4))
    defs = [ir.Definition(f"甲{i}", "output", "金额", "money", expr, ("half_up", Decimal(q)), ("第1条", "引号\"'"),
                          i, ("乙",), ("丙",), negative=i % 2 == 0, given=i % 3 == 0)
            for i, q in enumerate(["0.01", "1E+2", "0.010", "1"])]
    defs.append(ir.Definition("丁", "def", "日期", "date", ir.Const(datetime.date(2024, 2, 29), id=9), None, (), 9,
                              (), ()))
    lines = defstable.table_lines(defs)
    namespace: dict[str, Any] = {}
    exec("\n".join(lines), namespace)
    table = namespace["DEFS"]
    assert isinstance(table, defstext.Table)
    for d in defs:
        row = {k: v for k, v in ir.encode_definition(d).items() if k != "expr"}
        assert table[d.name] == row and list(table[d.name]) == list(row)
        assert ir.definitions_of(table)[d.name] == d
    assert str(table["甲1"]["round"][1]) == "1E+2" and str(table["甲2"]["round"][1]) == "0.010"


def test_every_node_takes_its_fields_positionally() -> None:
    """ir.decode passes a node's fields positionally, its id and span by keyword."""
    classes = [c for c in vars(ir).values() if isinstance(c, type) and issubclass(c, ir.Located) and c is not ir.Located]
    assert len(classes) > 25
    for cls in classes:
        names = [f.name for f in attrs.fields(cls)]
        assert names[:2] == ["id", "span"], cls
        assert all(f.kw_only for f in attrs.fields(cls)[:2]), cls
        assert all(f.init and not f.kw_only for f in attrs.fields(cls)[2:]), cls
