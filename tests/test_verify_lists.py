"""guize verify over lists: list inputs, per-item definitions, 累计 and aggregates (tools/verify/lists.py).

The planted-defect twins are in tests/verify/lists/ (test_verify.py runs them with the others:
golden results, bad refuted and good proved, every counterexample replayed). Here: the exact
encoding agrees with evaluate item by item; a bounded look is never a proof; what the encoding
does not know is unknown, never a crash or a proof; --examples writes list examples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.runtime import ir, values
from guize.runtime.errors import RuleError
from guize.tools.verify import verify_file
from guize.tools.verify.encode import KNOWN_FIELDS, Encoder, fraction
from guize.tools.verify.properties import BOUND, Checker

z3 = pytest.importorskip("z3")

ROOT = Path(__file__).resolve().parent.parent
LISTS = [ROOT / "policies/national/iit_withholding_2019.rule", ROOT / "policies/national/subsistence_allowance_2014.rule",
         *sorted((ROOT / "tests/verify/lists").glob("*.rule"))]


def _write(tmp_path: Path, body: str) -> str:
    path = tmp_path / "列表.rule"
    path.write_text("文件：\n  标题：《列表示例》\n  施行日期：2024年1月1日\n\n"
                    "类型 家庭成员：\n  月收入：金额\n  在校：是否，默认 否\n\n输入 成员：家庭成员的列表\n" + body,
                    encoding="utf-8")
    return str(path)


# ---------------------------------------------------------------- the exact encoding is evaluate's


def _pin(var: Any, spec: Mapping[str, Any], raw: Any) -> Any:
    value = values.convert(spec, raw)
    if isinstance(value, bool):
        return var == z3.BoolVal(value)
    if isinstance(value, Decimal):
        return var == fraction(value)
    return var == int(value)


def _field(f: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    if f["kind"] == "bool":
        return st.booleans()
    if f["kind"] in ("int",):
        return st.integers(0, 5)
    if f["kind"] == "age":
        return st.integers(0, 1000).map(lambda n: f"P{n}M")
    amounts = st.one_of(st.integers(0, 200000).map(str), st.decimals(0, 50000, places=2).map(str))
    return st.one_of(amounts, amounts.map(lambda v: "-" + v)) if f.get("negative") else amounts


@pytest.mark.parametrize("path", LISTS, ids=[p.stem for p in LISTS])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_exact_encoding_is_evaluate_item_by_item(path: Path, data: st.DataObject,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """For lists of up to BOUND items, the solver proves that every output's encoding can only
    take the value evaluate computes (each item's, for a per-item output)."""
    monkeypatch.chdir(ROOT)
    policy = guize.load(str(path.relative_to(ROOT)))
    specs = {s["name"]: s for s in policy.module.INPUTS}
    enc = Encoder(policy.definitions, specs, policy.window, bound=BOUND)
    assert enc.items is not None
    on = data.draw(st.dates(policy.window.start or dt.date(2024, 1, 1), dt.date(2030, 12, 31)))
    inputs: dict[str, Any] = {}
    pins = [enc.d == on.toordinal()]
    for name, spec in specs.items():
        if spec["kind"] == "list":
            lv = enc.items.lists[name]
            items = data.draw(st.lists(st.fixed_dictionaries({f["name"]: _field(f) for f in spec["fields"]}),
                                       max_size=BOUND))
            inputs[name] = items
            pins.append(lv.length == len(items))
            fields = {f["name"]: f for f in spec["fields"]}
            pins += [_pin(slot.fields[k], fields[k], v) for slot, item in zip(lv.slots, items, strict=False)
                     for k, v in item.items()]
        elif spec["kind"] == "bool":
            inputs[name] = data.draw(st.booleans())
            pins.append(_pin(enc.inputs[name], spec, inputs[name]))
        else:
            inputs[name] = data.draw(st.decimals(0, 5000, places=2).map(str))
            pins.append(_pin(enc.inputs[name], spec, inputs[name]))
    for out in policy.module.OUTPUTS:
        try:
            value = policy.interpret(inputs, on, [out])[out]
        except RuleError:
            continue
        term = enc.definition(out).term
        got = [t for _exists, t in term.items][:len(value)] if isinstance(value, tuple) else [term]
        want = list(value) if isinstance(value, tuple) else [value]
        for t, v in zip(got, want, strict=True):
            s = z3.Solver()
            s.add(*enc.axioms, *pins, t != (z3.BoolVal(v) if isinstance(v, bool) else fraction(v)))
            assert s.check() == z3.unsat, (out, inputs, on, v)


# ---------------------------------------------------------------- honest results


def test_a_bounded_look_is_never_a_proof(tmp_path: Path) -> None:
    """True for every list of at most BOUND items, false for longer ones: unknown, saying so."""
    path = _write(tmp_path, f"\n输出 项数：整数 = 个数(成员)\n断言 项数 < {BOUND + 1}\n")
    (r,) = [r for r in verify_file(path) if r.kind == "assertion"]
    assert r.status == "unknown" and f"仅在不超过{BOUND}项的列表上" in r.message


def test_what_the_abstraction_does_not_relate_is_unknown(tmp_path: Path) -> None:
    """Two aggregates over one list are abstracted apart: a fact linking them is not proved."""
    path = _write(tmp_path, "\n输出 在校人数：整数（人） = 人数(成员 中 在校)\n"
                            "断言 若 任一(成员 的 在校) 则 在校人数 ≥ 1人 否则 在校人数 = 0人\n")
    (r,) = [r for r in verify_file(path) if r.kind == "assertion"]
    assert r.status == "unknown"


def test_aggregates_are_proved_for_every_length(tmp_path: Path) -> None:
    path = _write(tmp_path, "\n输出 收入合计：金额 = 合计(成员 中 在校 的 月收入)\n"
                            "输出 在校人数：整数（人） = 人数(成员 中 在校)\n"
                            "输出 最高收入：金额 = 最大(成员 的 月收入)\n"
                            "输出 平均收入：金额 = 平均(成员 的 月收入)\n"
                            "断言 在校人数 ≤ 人数(成员)\n"
                            "断言 收入合计 ≥ 0元\n"
                            "断言 最高收入 ≥ 0元\n断言 平均收入 ≥ 0元\n")
    rs = verify_file(path)
    assert [(r.kind, r.subject, r.status) for r in rs if r.status != "proved"] == []
    # 最大/平均 of no item fails (not a property of its own): the values above are proved where
    # evaluation succeeds, which is what a proved property says.
    assert {r.kind for r in rs} == {"assertion", "negative"}


# ---------------------------------------------------------------- what the encoding does not know


@attrs.frozen
class Novel(ir.Located):
    """An IR node kind this encoding has never seen (as another helper's language addition is)."""

    arg: ir.Expr


def _checker(path: str, change: Any) -> list[Any]:
    policy = guize.load(path)
    specs = {s["name"]: s for s in policy.module.INPUTS}
    defs = {n: (change(d) if n == "家庭月收入" else d) for n, d in policy.definitions.items()}
    return Checker(path, defs, specs, policy.window, tuple(policy.module.OUTPUTS),
                   lambda data, on, names: policy.evaluate(data, on, names), 10.0).run()


@pytest.mark.parametrize("change", [
    lambda d: attrs.evolve(d, expr=Novel(d.expr, id=99001)),
    lambda d: attrs.evolve(d, expr=attrs.evolve(d.expr, source=ir.Field("子女", id=99002))),  # a list in a list
    lambda d: attrs.evolve(d, expr=attrs.evolve(d.expr, func="第一项")),  # an aggregate added later
], ids=["new-node", "list-in-list", "new-aggregate"])
def test_an_unknown_construct_is_unknown_never_a_crash_or_a_proof(change: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    rs = _checker("policies/national/subsistence_allowance_2014.rule", change)
    depends = [r for r in rs if r.kind in ("assertion", "division_by_zero") or r.subject == "月低保金"]
    assert depends and all(r.status == "unknown" and "尚未编码" in r.message for r in depends), \
        [(r.subject, r.status, r.message) for r in depends]


def test_a_node_kind_that_gains_a_field_is_not_encoded() -> None:
    """The encoder reads the fields it knows; a kind whose fields changed is a gap until encoded."""
    from guize.tools.verify import encode

    for cls, names in KNOWN_FIELDS.items():
        assert (cls in encode.ENCODED) == ({f.name for f in attrs.fields(cls)} - {"id", "span"} == set(names.split()))
    assert set(encode.ENCODED) == set(ir.EXPR_TYPES), "a new IR kind: encode it in verify/encode.py (or leave it a gap)"


# ---------------------------------------------------------------- generated examples


def test_examples_for_list_rows(tmp_path: Path) -> None:
    from guize.tools.testing import run
    from guize.tools.verify.examples import failures, generate

    path = _write(tmp_path, "\n输出 每人补助：金额，按 成员 逐人\n  若 在校 则 200元\n  否则 取较小值(月收入 × 10%，100元)\n"
                            "输出 最高收入：金额 = 若 个数(成员) > 0 则 最大(成员 的 月收入) 否则 0元\n\n"
                            "例 一人：\n  日期：2024年6月1日\n  成员：\n    月收入 = 1000元\n  期望 每人补助 = 100元\n")
    generated = generate(path)
    assert generated.after == (generated.after[1], generated.after[1]) and generated.added >= 2
    assert failures(generated) == []
    assert "  成员：\n    月收入 = " in generated.text and "  成员 = 空列表" in generated.text
    Path(path).write_text(generated.text, encoding="utf-8")
    assert all(o.status == "passed" for o in run([path]).outcomes)


def test_diff_prove_leaves_lists_to_sampling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """guize diff --prove does not encode lists yet: unknown, saying so (sampling decides), not a crash."""
    from guize.tools.verify.equivalence import prove_equal

    monkeypatch.chdir(ROOT)
    source = (ROOT / "policies/national/subsistence_allowance_2014.rule").read_text(encoding="utf-8")
    old, new = tmp_path / "旧.rule", tmp_path / "新.rule"
    old.write_text(source, encoding="utf-8")
    new.write_text(source.replace("是否，默认 是", "是否，默认 否"), encoding="utf-8")
    proof = prove_equal(guize.load(str(old)), guize.load(str(new)), "月低保金")
    assert proof.status == "unknown" and "尚未编码" in proof.reason


def test_the_same_aggregate_twice_has_one_value(tmp_path: Path) -> None:
    """A division guarded by the same 合计 it divides by is proved (the two are abstracted as one)."""
    path = _write(tmp_path, "\n输出 占比：比率，按 成员 逐人 = "
                            "若 合计(成员 的 月收入) > 0元 则 月收入 ÷ 合计(成员 的 月收入) 否则 0%\n")
    (r,) = [r for r in verify_file(path) if r.kind == "division_by_zero"]
    assert r.status == "proved", r.message
