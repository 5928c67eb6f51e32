"""What the checker builds once and reuses (for compile speed, bench/compile_bench.py) gives the
same IR as building it anew: IR nodes made without their __init__, a literal's value and type
kept per file, types shared where nothing changes."""

from decimal import Decimal

import attrs
import pytest

from guize.compiler import ast, irmake, parser
from guize.compiler import types as T
from guize.compiler.checker import Checker, check
from guize.compiler.lower import parse_rounding
from guize.runtime import ir

HEADER = "文件：\n  标题：《测试》\n  施行日期：2024年1月1日\n\n"
NODE_CLASSES = [c for c in vars(ir).values()
                if isinstance(c, type) and attrs.has(c) and issubclass(c, ir.Located) and c is not ir.Located]


@pytest.mark.parametrize("cls", NODE_CLASSES, ids=lambda c: c.__name__)
def test_a_made_node_is_the_node_its_init_builds(cls: type) -> None:
    own = [f for f in attrs.fields(cls) if f.name not in ("id", "span")]
    values = [(f"v{i}",) if "tuple" in str(f.type) else f"v{i}" for i, f in enumerate(own)]
    made = irmake.maker(cls)(7, (1, 2, 3, 4), *values)
    built = cls(*values, id=7, span=(1, 2, 3, 4))
    assert type(made) is cls
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    assert (made.id, made.span) == (7, (1, 2, 3, 4))
    assert [getattr(made, f.name) for f in own] == values
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made.id = 8


def test_a_class_with_a_validator_or_default_is_built_by_its_init() -> None:
    @attrs.frozen
    class Checked(ir.Located):
        value: int = attrs.field(validator=attrs.validators.instance_of(int))

    @attrs.frozen
    class Defaulted(ir.Located):
        value: int = 3

    with pytest.raises(TypeError):
        irmake.maker(Checked)(1, (1, 1, 1, 2), "not an int")
    assert irmake.maker(Defaulted)(1, (1, 1, 1, 2)) == Defaulted(3)


def test_literals_written_twice_are_two_nodes_of_one_value() -> None:
    source = HEADER + "输入 费用：金额\n输出 甲：金额 = 取较大值(费用 - 300元，300元)\n"
    checked = check(parser.parse(source, "t.rule"), source)
    consts = [n for n in ir.walk(checked.defs["甲"].expr) if isinstance(n, ir.Const)]
    assert [c.value for c in consts] == [Decimal(300), Decimal(300)]
    assert consts[0].id != consts[1].id and consts[0].span != consts[1].span


def test_a_literal_of_the_same_text_and_another_value_is_not_taken_from_the_first() -> None:
    source = HEADER + "输出 甲：数量 = 1\n"
    checker = Checker(parser.parse(source, "t.rule"), source)
    first = checker.expression(ast.Number("0.50", Decimal("0.50")))
    second = checker.expression(ast.Number("0.50", Decimal("0.5")))
    assert first is not None and second is not None
    assert isinstance(first[0], ir.Const) and isinstance(second[0], ir.Const)
    assert str(first[0].value) == "0.50" and str(second[0].value) == "0.5"


def test_literals_of_other_units_keep_their_own_types() -> None:
    source = HEADER + ("输入 重量：数量（吨）\n输出 甲：金额 = 重量 × 3元/吨 + 3万元\n"
                       "输出 乙：数量（吨） = 重量 + 3吨\n输出 丙：比率 = 3%\n")
    checked = check(parser.parse(source, "t.rule"), source)
    assert not checked.diagnostics
    values = {name: [n.value for n in ir.walk(d.expr) if isinstance(n, ir.Const)] for name, d in checked.defs.items()}
    assert values == {"甲": [Decimal(3), Decimal(30000)], "乙": [3], "丙": [Decimal("0.03")]}
    assert [checked.defs[n].value_kind for n in ("甲", "乙", "丙")] == ["money", "quantity", "rate"]


def test_types_shared_where_nothing_changes() -> None:
    money = T.num((("元", 1),))
    assert money is T.num((("元", 1),)) and money == T.Type("num", (("元", 1),))
    assert T.join(money, T.MONEY) is money
    assert T.join(T.Type("num", integer=True), T.NUM) == T.NUM
    assert T.replaced(money, money.dim, False, False, False, None) is money
    record = T.Type("num", (("元", 1),), record="成员")
    changed = T.replaced(record, (("吨", 1),), True, False, False, "duration")
    assert changed == T.Type("num", (("吨", 1),), True, record="成员", time="duration")


def test_rounding_words_parsed_once_are_the_same() -> None:
    assert parse_rounding("四舍五入到分") == ("half_up", Decimal("0.01"))
    assert parse_rounding("向下取整到元") == ("floor", Decimal(1))
    assert parse_rounding("四舍五入到分") is parse_rounding("四舍五入到分")
