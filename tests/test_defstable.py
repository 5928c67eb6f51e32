"""The IR's compact form as JSON text (ir.encode_text, ir.encode_texts for a large policy's DEFS:
compiler/defstable.py, runtime/defstext.py), decoded where the laid-out literal was read: the
same definitions, ids and spans; a policy of usual size keeps the literal. The corpus run with
the table forced is in test_compile_pieces (its split_all fixture) and test_defstext."""

from __future__ import annotations

import datetime
import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import guize
from guize.compiler import defstable
from guize.compiler.driver import compile_source, module_from_source
from guize.runtime import defstext, ir

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted((ROOT / "policies").rglob("*.rule"))
sys.path.insert(0, str(ROOT / "bench"))
from compile_bench import synthetic  # noqa: E402


def located(node: ir.Node) -> list[tuple[str, int, ir.Span]]:
    """Every node's class, id and span (which equality leaves out)."""
    return [(type(n).__name__, n.id, n.span) for n in ir.walk(node)]


def json_value(value: object) -> object:
    """A Decimal or date as encode_text writes it."""
    if isinstance(value, Decimal):
        return {"d": str(value)}
    assert isinstance(value, datetime.date)
    return {"t": value.isoformat()}


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_text_decodes_to_the_same_definitions(path: Path) -> None:
    checked = compile_source(path.read_text(encoding="utf-8"), str(path)).checked
    for d in checked.defs.values():
        data = ir.encode_definition(d, text=True)
        assert isinstance(data["expr"], str)
        back = ir.decode_definition(data)
        assert back == d and located(back.expr) == located(d.expr)
        assert ir.encode(back.expr) == ir.encode(d.expr)  # Decimals with their exponents, dates
        # The encoder made once (ir.encode_text) writes what json.dumps of ir.encode's tuples writes
        assert data["expr"] == json.dumps(ir.encode(d.expr), default=json_value, ensure_ascii=False,
                                          separators=(",", ":"))


def test_text_keeps_decimal_exponents_dates_and_texts() -> None:
    values = [Decimal("300"), Decimal("3E+2"), Decimal("0.050"), Decimal("-0"), datetime.date(2024, 2, 29),
              "引号\"、'与\\反斜杠，换行\n", 10**30, True, False]
    for value in values:
        node = ir.Const(value, id=7, span=(1, 2, 3, 4))
        back = ir.decode_expr(ir.encode_text(node))
        assert ir.encode_text(node) == json.dumps(ir.encode(node), default=json_value, ensure_ascii=False,
                                                  separators=(",", ":"))
        assert isinstance(back, ir.Const) and type(back.value) is type(value) and str(back.value) == str(value)
        assert back.id == 7 and back.span == (1, 2, 3, 4)
    versions = (ir.Version(datetime.date(2020, 1, 1), None, ir.Const(Decimal("1.5")), "二〇二〇年", ("第1条",)),
                ir.Version(datetime.date(2021, 1, 1), None, ir.Const(Decimal("2")), "二〇二一年", (),
                           datetime.date(2020, 12, 1)))
    dated = ir.Dated(0, "标准", versions)
    assert ir.decode_expr(ir.encode_text(dated)) == dated
    assert ir.encode(ir.decode_expr(ir.encode_text(dated))) == ir.encode(dated)  # Version.known: left out when None


def test_only_large_policies_have_a_table() -> None:
    small = compile_source(synthetic(300), "small.rule")
    assert len(small.checked.defs) <= defstable.DATA_ABOVE
    assert "defstext" not in small.python
    large = compile_source(synthetic(1500), "large.rule")
    assert len(large.checked.defs) > defstable.DATA_ABOVE
    module = module_from_source(large.python, "large_defs", "large.py")
    assert isinstance(module.DEFS, defstext.Table)
    assert list(module.DEFS) == list(large.checked.defs)
    defs = large.python.split("\nDEFS = _defstext.Table()\n")[1].split("\nDATED = ")[0].split("\n")
    assert max(map(len, defs)) <= 110  # texts cut over lines
    statements = [line for line in defs if not line.startswith(" ")]
    assert {*statements} == {"DEFS.meta(", "DEFS.exprs("} and len(statements) > 2  # pieces.py cuts between them
    policy = guize.Policy(module)
    assert policy.definitions == large.checked.defs
    data: dict[str, object] = {n: Decimal(1500) for n in module.INPUT_NAMES if n != "级别"}
    data["级别"] = "二级"
    assert policy.evaluate(data, "2024-06-01") == policy.interpret(data, "2024-06-01")


def test_texts_of_many_expressions_decode_to_each() -> None:
    checked = compile_source(synthetic(1500), "large.rule").checked
    exprs = [d.expr for d in checked.defs.values()]
    for count in (0, 1, 99, 100, 101, 250):
        text = ir.encode_texts(exprs[:count])
        lines = text.split("\n") if count else []
        assert len(lines) == (count + 99) // 100  # a hundred a line
        assert [x for line in lines for x in json.loads(line)] == [json.loads(ir.encode_text(e)) for e in exprs[:count]]
        back = ir.decode_exprs(text)
        assert back == exprs[:count] and [located(e) for e in back] == [located(e) for e in exprs[:count]]


def test_cut_pieces_join_to_the_text() -> None:
    numbers = "".join(str(i) * (i % 7 + 1) + "," for i in range(400))
    pieces = defstable.cut(numbers + "x" * 500, 96)
    assert "".join(pieces) == numbers + "x" * 500 and all(len(p) <= 96 for p in pieces)
    within = len(defstable.cut(numbers, 96)) - 1
    assert within > 10 and all(p.endswith(",") for p in pieces[:within])  # cut after commas where near
