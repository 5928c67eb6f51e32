"""Runtime: evaluation as of a date, input conversion, errors, explanations (outpatient rule)."""

import datetime
from decimal import Decimal

import pytest

import guize
from guize.runtime.errors import InvalidInput, MissingInput, NotInForce, UnknownOutput

OUTPATIENT = "policies/xinjiang/outpatient_2024.rule"
ON = datetime.date(2025, 3, 1)
BASE = {"医院级别": "二级", "退休人员": False, "本次费用": "1000", "住院起付线": 600,
        "本年已就诊次数": 0, "本年已支付": 0}
VISIT = ["起付标准", "支付比例", "统筹基金支付"]


@pytest.fixture(scope="module")
def policy() -> guize.Policy:
    return guize.load(OUTPATIENT)


def test_first_visit(policy: guize.Policy) -> None:
    assert policy.evaluate(BASE, on=ON, outputs=VISIT) == {
        "起付标准": Decimal("60.00"), "支付比例": Decimal("0.70"), "统筹基金支付": Decimal("658.00")}


@pytest.mark.parametrize(("changes", "expected"), [
    ({"本年已就诊次数": 1}, Decimal("679.00")),         # 5%: (1000 − 30) × 70%
    ({"医院级别": "未定级"}, Decimal("300.00")),         # 未定级 参照 一级: capped at 300
    ({"医院级别": "三级", "本次费用": 10000}, Decimal("1300.00")),
    ({"退休人员": True}, Decimal("705.00")),            # 75%: 940 × 0.75
    ({"本年已支付": 3800}, Decimal("200.00")),          # annual cap 4000 reached
    ({"本年已支付": 4000}, Decimal("0.00")),
    ({"本年已支付": 4500}, Decimal("0.00")),            # not below zero
    ({"本次费用": 50}, Decimal("0.00")),                # below the deductible
    ({"住院期间": True}, Decimal("0.00")),              # 第十九条
    ({"本次费用": "1,000.01"}, Decimal("658.01")),     # 940.01 × 0.7 = 658.007 → 658.01
])
def test_outpatient_cases(policy: guize.Policy, changes: dict, expected: Decimal) -> None:
    assert policy.evaluate({**BASE, **changes}, on=ON, outputs=["统筹基金支付"]) == {"统筹基金支付": expected}


def test_half_up_rounding_of_money(policy: guize.Policy) -> None:
    # 683.10 × 5% = 34.155 → 34.16 (四舍五入), which binary floats get wrong.
    out = policy.evaluate({**BASE, "住院起付线": "683.10", "本年已就诊次数": 3}, on=ON, outputs=["起付标准"])
    assert out == {"起付标准": Decimal("34.16")}


def test_float_inputs_are_read_by_their_shortest_decimal(policy: guize.Policy) -> None:
    out = policy.evaluate({**BASE, "本次费用": 1000.1}, on=ON, outputs=["统筹基金支付"])
    assert out["统筹基金支付"] == Decimal("658.07")  # 940.1 × 0.7 = 658.07


def test_validity_window(policy: guize.Policy) -> None:
    assert policy.evaluate(BASE, on="2024-04-26", outputs=VISIT)["统筹基金支付"] == Decimal("658.00")
    assert policy.evaluate(BASE, on="2029年4月25日", outputs=VISIT)["统筹基金支付"] == Decimal("658.00")
    with pytest.raises(NotInForce) as before:
        policy.evaluate(BASE, on=datetime.date(2024, 4, 25), outputs=VISIT)
    assert "自2024年4月26日起施行，2024年4月25日尚未施行" in before.value.message
    with pytest.raises(NotInForce) as after:
        policy.evaluate(BASE, on=datetime.date(2029, 4, 26), outputs=VISIT)
    assert "有效期至2029年4月25日，2029年4月26日已失效" in after.value.message
    assert after.value.detail["status"] == "expired"


def test_lazy_inputs_per_output(policy: guize.Policy) -> None:
    # 起付标准 needs only two inputs.
    out = policy.evaluate({"住院起付线": 600, "本年已就诊次数": 0}, on=ON, outputs=["起付标准"])
    assert out == {"起付标准": Decimal("60.00")}
    assert policy.required_inputs(["支付比例"]) == ["医院级别", "退休人员"]


def test_missing_input_is_named(policy: guize.Policy) -> None:
    data = dict(BASE)
    del data["本次费用"]
    with pytest.raises(MissingInput) as info:
        policy.evaluate(data, on=ON, outputs=VISIT)
    # 本次费用 is read only when not 住院期间: the message says what needed it.
    assert info.value.message == "缺少输入「本次费用」（计算「统筹基金支付」时需要）"


@pytest.mark.parametrize(("field", "value", "fragment"), [
    ("医院级别", "四级", "可选：一级、二级、三级、未定级"),
    ("本次费用", "一千", "不是数值"),
    ("本次费用", -5, "不能为负数"),
    ("本年已就诊次数", 1.5, "应为整数"),
    ("退休人员", "也许", "应为「是」或「否」"),
    ("本次费用", [1], "应为数值"),
])
def test_invalid_inputs(policy: guize.Policy, field: str, value: object, fragment: str) -> None:
    with pytest.raises(InvalidInput) as info:
        policy.evaluate({**BASE, field: value}, on=ON, outputs=VISIT)
    assert fragment in info.value.message


def test_unknown_input_name_suggests(policy: guize.Policy) -> None:
    with pytest.raises(InvalidInput) as info:
        policy.evaluate({**BASE, "本次费": 1}, on=ON, outputs=VISIT)
    assert "「本次费」" in info.value.message and "本次费用" in info.value.message


def test_unknown_output(policy: guize.Policy) -> None:
    with pytest.raises(UnknownOutput):
        policy.evaluate(BASE, on=ON, outputs=["统筹支付"])


def test_bad_date(policy: guize.Policy) -> None:
    with pytest.raises(InvalidInput):
        policy.evaluate(BASE, on="2025-02-30", outputs=VISIT)


def test_schema(policy: guize.Policy) -> None:
    names = [i.name for i in policy.inputs]
    assert names[:7] == ["医院级别", "退休人员", "本次费用", "住院起付线", "本年已就诊次数", "本年已支付", "住院期间"]
    level = policy.inputs[0]
    assert level.allowed == ("一级", "二级", "三级", "未定级") and level.required
    assert not policy.inputs[6].required and policy.inputs[6].default is False
    assert [(o.name, o.kind) for o in policy.outputs][:3] == [
        ("起付标准", "money"), ("支付比例", "rate"), ("统筹基金支付", "money")]


def test_explanation_cites_articles_and_choices(policy: guize.Policy) -> None:
    exp = policy.explain({**BASE, "医院级别": "未定级", "本年已就诊次数": 1}, on=ON, outputs=["统筹基金支付"])
    text = exp.render()
    assert "统筹基金支付 = 300.00" in text
    assert "依据 第十四条第一款" in text
    assert "未定级（参照一级）" in text
    assert "取较小值" in text
    assert exp.values == {"统筹基金支付": Decimal("300.00")}
    data = exp.to_json()
    assert data["steps"][0]["name"] == "统筹基金支付"


def test_interpreter_agrees(policy: guize.Policy) -> None:
    assert policy.interpret(BASE, on=ON, outputs=VISIT) == policy.evaluate(BASE, on=ON, outputs=VISIT)


def test_repealed_document_in_corpus() -> None:
    old = guize.load("policies/xinjiang/outpatient_2021.rule")
    assert old.window.repealed is not None
    assert old.window.status(datetime.date(2024, 4, 26))[0] == "repealed"
    assert old.window.status(datetime.date(2024, 4, 25))[0] == "unknown"


def test_rounding_to_tens_of_yuan(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "r.rule"
    path.write_text("文件：\n  标题：《测试》\n  施行日期：2024年1月1日\n\n输入 费用：金额\n"
                    "输出 到十元：金额，四舍五入到十元 = 费用\n输出 到百元：金额，向下取整到百元 = 费用\n"
                    "输出 到角：金额，四舍五入到角 = 费用\n", encoding="utf-8")
    policy = guize.load(path)
    out = policy.evaluate({"费用": "123.45"}, on="2024-06-01")
    assert out == {"到十元": Decimal(120), "到百元": Decimal(100), "到角": Decimal("123.5")}
    assert str(out["到十元"]) == "120"
    assert policy.interpret({"费用": "125"}, on="2024-06-01")["到十元"] == Decimal(130)


def test_date_arithmetic_out_of_calendar(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "d.rule"
    path.write_text("文件：\n  标题：《测试》\n  施行日期：2024年1月1日\n\n输入 起日：日期\n输入 天数：整数\n"
                    "输出 止日：日期 = 加天(起日, 天数)\n输出 月后：日期 = 加月(起日, 天数)\n", encoding="utf-8")
    policy = guize.load(path)
    assert policy.evaluate({"起日": "2024-01-31", "天数": 1}, on="2024-06-01") == {
        "止日": datetime.date(2024, 2, 1), "月后": datetime.date(2024, 2, 29)}
    with pytest.raises(guize.EvaluationError) as info:
        policy.evaluate({"起日": "9999-12-31", "天数": 1}, on="2024-06-01", outputs=["止日"])
    assert "超出范围" in info.value.message
    with pytest.raises(guize.EvaluationError):
        policy.interpret({"起日": "9999-12-31", "天数": 12}, on="2024-06-01", outputs=["月后"])


@pytest.mark.parametrize("outputs", [None, ["统筹基金支付"], ["起付标准", "统筹基金支付"], ("支付比例", "统筹基金支付")])
def test_misspelt_optional_input_is_rejected_on_every_path(policy: guize.Policy, outputs: list[str] | None) -> None:
    data = {**BASE, "住院支付比例": "85%", "基本养老金平均水平": 3000, "上年度城镇单位就业人员平均工资": 8000,
            "住院期": True}
    with pytest.raises(InvalidInput) as info:
        policy.evaluate(data, on=ON, outputs=outputs)
    assert "「住院期」（是否指「住院期间」？）" in info.value.message


def test_inputs_of_other_outputs_are_welcome(policy: guize.Policy) -> None:
    data = {**BASE, "住院支付比例": "85%", "基本养老金平均水平": 3000}
    assert policy.evaluate(data, on=ON, outputs=["统筹基金支付"]) == {"统筹基金支付": Decimal("658.00")}
    assert policy.evaluate(data, on=ON, outputs=["起付标准", "统筹基金支付"]) == {
        "起付标准": Decimal("60.00"), "统筹基金支付": Decimal("658.00")}


def test_outputs_given_as_a_string_or_generator(policy: guize.Policy) -> None:
    assert policy.evaluate(BASE, on=ON, outputs="支付比例") == {"支付比例": Decimal("0.70")}
    assert policy.evaluate(BASE, on=ON, outputs=(n for n in ["支付比例"])) == {"支付比例": Decimal("0.70")}


def test_data_that_is_not_a_mapping(policy: guize.Policy) -> None:
    with pytest.raises(InvalidInput):
        policy.evaluate(["二级"], on=ON, outputs=VISIT)  # type: ignore[arg-type]


def test_callers_decimal_context_does_not_change_results(policy: guize.Policy) -> None:
    import decimal

    expected = policy.evaluate(BASE, on=ON, outputs=VISIT)
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_DOWN
        assert policy.evaluate(BASE, on=ON, outputs=VISIT) == expected
        assert decimal.getcontext().prec == 3  # and the caller's context is left as it was


def test_reused_output_list_that_changes(policy: guize.Policy) -> None:
    wanted = ["起付标准"]
    assert list(policy.evaluate(BASE, on=ON, outputs=wanted)) == ["起付标准"]
    wanted.append("支付比例")  # the same list object, new contents
    assert list(policy.evaluate(BASE, on=ON, outputs=wanted)) == ["起付标准", "支付比例"]
    wanted[:] = ["统筹基金支付"]
    assert list(policy.evaluate(BASE, on=ON, outputs=wanted)) == ["统筹基金支付"]


def test_explanation_shows_units_and_percentages(policy: guize.Policy) -> None:
    text = policy.explain(BASE, on=ON, outputs=["统筹基金支付"]).render()
    assert "支付比例 = 70%" in text
    assert "单次最高支付限额 = 800元" in text
    assert "本年已就诊次数 = 0次" in text
    retiree = policy.explain({**BASE, "退休人员": True}, on=ON, outputs=["支付比例"]).render()
    assert "退休人员倾斜 = 5个百分点" in retiree and "支付比例 = 75%" in retiree
    textile = guize.load("policies/xinjiang/textile_2024.rule")
    cotton = textile.explain({"出疆棉数量": "12.5"}, on="2024-09-01", outputs=["出疆棉运费补贴"]).render()
    assert "出疆棉运费补贴标准 = 200元/吨" in cotton and "出疆棉数量 = 12.5吨" in cotton


def test_output_lists_agree_with_interpreter_on_first_and_later_calls() -> None:
    # A fresh policy: the first call with a list makes its plan (one output's function, an
    # output with the outputs it is computed from, or the subset evaluator and its flags);
    # later calls reuse it. Both must give the interpreter's answers.
    import itertools

    policy = guize.load(OUTPATIENT)
    names = ["起付标准", "支付比例", "统筹基金支付", "日间手术统筹基金支付"]
    data = {**BASE, "住院支付比例": "0.8", "基本养老金平均水平": "3000", "上年度城镇单位就业人员平均工资": "90000"}
    lists: list = [None, *([n] for n in names), *(list(c) for c in itertools.combinations(names, 2))]
    for _ in range(2):  # the second round runs on the fronts the first one built
        for outputs in lists:
            wanted = names if outputs is None else outputs
            want = policy.interpret(data, ON, wanted)
            if outputs is None:
                got = policy.evaluate(data, ON, None)
                assert {k: got[k] for k in names} == want
            else:
                assert policy.evaluate(data, ON, outputs) == want
                assert policy.evaluate(data, ON, tuple(outputs)) == want
    assert "evaluate" not in vars(policy)  # no evaluate of its own: Policy.evaluate is the code that runs


def test_remembered_output_list_reports_the_same_errors() -> None:
    policy = guize.load(OUTPATIENT)
    policy.evaluate(BASE, ON, VISIT)  # remembers VISIT
    with pytest.raises(MissingInput):
        policy.evaluate({k: v for k, v in BASE.items() if k != "本次费用"}, ON, VISIT)
    with pytest.raises(InvalidInput, match="本次费"):
        policy.evaluate({**BASE, "本次费": 1}, ON, VISIT)
    with pytest.raises(InvalidInput, match="住院期"):  # a misspelt optional input
        policy.evaluate({**BASE, "住院期": True}, ON, VISIT)
    with pytest.raises(UnknownOutput):
        policy.evaluate(BASE, ON, ["起付标准", "没有这个"])
    with pytest.raises(NotInForce):
        policy.evaluate(BASE, datetime.date(2020, 1, 1), VISIT)


def test_callers_rounding_mode_alone_does_not_change_results(tmp_path) -> None:
    import decimal

    rule = tmp_path / "precision.rule"
    rule.write_text("文件:\n  标题:《精度》\n  施行日期:2024-01-01\n\n"
                    "输入 甲:比率\n输入 乙:比率\n输出 积:比率 = 甲 × 乙\n", encoding="utf-8")
    policy = guize.load(str(rule))
    data = {"甲": "0.1234567890123456", "乙": "0.9876543210987654321"}  # a 35-digit product
    exact = decimal.Context(prec=100).multiply(Decimal(data["甲"]), Decimal(data["乙"]))
    with decimal.localcontext(decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)):
        want = +exact
    with decimal.localcontext(decimal.Context(prec=28, rounding=decimal.ROUND_CEILING)):
        assert +exact != want  # so the test below can tell the two modes apart
    for _ in range(2):  # before and after the policy remembers the list
        assert policy.evaluate(data, ON, ["积"]) == {"积": want}
        with decimal.localcontext() as ctx:
            ctx.rounding = decimal.ROUND_CEILING
            assert policy.evaluate(data, ON, ["积"]) == {"积": want}


def test_outputs_as_generator_set_or_array() -> None:
    import numpy as np

    policy = guize.load(OUTPATIENT)
    want = policy.evaluate(BASE, ON, VISIT)
    for _ in range(2):  # before and after the policy remembers VISIT
        assert policy.evaluate(BASE, ON, (name for name in VISIT)) == want
        assert policy.evaluate(BASE, ON, np.array(VISIT)) == want
        assert policy.evaluate(BASE, ON, VISIT) == want
    assert policy.evaluate(BASE, ON, {"起付标准"}) == {"起付标准": want["起付标准"]}


def test_threads_asking_for_different_output_lists_at_once() -> None:
    # Several threads ask a fresh policy for different output lists at the same time, so the
    # remembered last list changes while others read it; every answer must still be right.
    import threading

    policy = guize.load(OUTPATIENT)
    lists = [["起付标准"], ["支付比例"], VISIT, ["统筹基金支付", "起付标准"], ["统筹基金支付"], ["支付比例", "起付标准"]]
    want = {tuple(o): policy.interpret(BASE, ON, o) for o in lists}
    failures: list = []

    def work(k: int) -> None:
        for i in range(300):
            outputs = lists[(k + i) % len(lists)]
            got = policy.evaluate(BASE, ON, outputs)
            if got != want[tuple(outputs)]:
                failures.append((outputs, got))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
