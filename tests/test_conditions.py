"""When an input is needed (issue 13): `Policy.inputs` and the JSON schema say which inputs are
needed only on some paths and on what, derived from the IR (guize.runtime.conditions)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import guize
from guize.runtime import ir
from guize.runtime.conditions import needed_when, text
from guize.runtime.errors import MissingInput
from guize.runtime.schema import input_schema, jsonable, policy_schema

TEXTILE = "policies/xinjiang/textile_2024.rule"
RULES = sorted(Path("policies").rglob("*.rule"))

SOURCE = """\
文件：
  标题：《条件》
  施行日期：2024年1月1日

类型 类别：甲类、乙类、丙类
类型 成员：
  收入：金额

输入 类别：类别
输入 面积：数量（平方米）
输入 系数：比率
输入 补充额：金额
输入 旧标准：金额
输入 单价：金额/平方米
输入 定额：金额
输入 成员们：成员的列表
输入 开关：是否，默认 否
输入 出生日期：日期
输入 甲额：金额

定义 年龄甲：年龄，可作输入 = 年龄(出生日期，评估日期)
表 按类：金额 按 类别
  甲类：面积 × 单价
  其他：定额
表 按面积：金额 按 面积 分段
  不满100平方米：0元
  100平方米以上：补充额
定义 按日期：金额
  自2024年1月1日起：旧标准
  自2025年1月1日起：0元
定义 合计收入：金额 = 合计(成员们 的 收入 × 系数)
输出 结果：金额 = 按类 + 按面积 + 按日期 + 合计收入
输出 短路：是否 = 开关 且 甲额 > 0元
输出 老人补贴：金额 = 若 年龄甲 ≥ 60岁 则 100元 否则 0元
输出 两边都读：金额 = 若 开关 则 甲额 否则 甲额 × 2
"""


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("conditions") / "c.rule"
    path.write_text(SOURCE, encoding="utf-8")
    return guize.load(path, corpus=False)


def _when(policy: guize.Policy) -> dict[str, Any]:
    return {i.name: [[(c.kind, c.subject, c.values) for c in alt] for alt in i.when] for i in policy.inputs
            if i.conditional}


def test_textile_needs_yarn_count_only_for_cotton_yarn_and_the_share_only_for_cloth() -> None:
    policy = guize.load(TEXTILE)
    inputs = {i.name: i for i in policy.inputs}
    assert not inputs["在疆注册"].conditional and not inputs["出疆棉数量"].conditional
    assert text(inputs["纱支"].when) == "符合享受条件 且 产品类别 = 含棉纱线"
    assert [[(c.kind, c.subject, c.values) for c in alt] for alt in inputs["纱支"].when] == [
        [("test", "符合享受条件", ("是",)), ("member", "产品类别", ("含棉纱线",))]]
    assert text(inputs["非地产纱线占比"].when) == "符合享受条件 且 产品类别 = 织布"
    assert text(inputs["在册职工人数"].when) == "在疆注册"  # 且 reads its right side only when the left holds
    schema = input_schema(policy, ["纺织产品出疆运费补贴"])
    assert "纱支" not in schema["required"] and "非地产纱线占比" not in schema["required"]
    when = schema["properties"]["纱支"]["x-guize-required-when"]
    assert when["text"] == "符合享受条件 且 产品类别 = 含棉纱线"
    assert when["any"][0][1] == {"kind": "member", "subject": "产品类别", "values": ["含棉纱线"],
                                 "text": "产品类别 = 含棉纱线"}
    # What the schema says is what evaluation does: cloth without a yarn count is computed.
    cloth = {"在疆注册": True, "在册职工人数": 30, "企业地区": "南疆", "产品类别": "织布",
             "非地产纱线占比": "30%", "销售数量": 10}
    assert policy.evaluate(cloth, "2024-06-01", ["纺织产品出疆运费补贴"])
    with pytest.raises(MissingInput, match="纱支"):
        policy.evaluate({**cloth, "产品类别": "含棉纱线"}, "2024-06-01", ["纺织产品出疆运费补贴"])


def test_each_kind_of_condition(policy: guize.Policy) -> None:
    assert _when(policy) == {
        "单价": [[("member", "类别", ("甲类",))]],
        "定额": [[("not_member", "类别", ("甲类",))]],  # the 其他 row: every member but those listed
        "系数": [[("items", "成员们", ("不为空",))]],  # read for each item: only when there is one
        "补充额": [[("band", "面积", ("100平方米以上",))]],
        "旧标准": [[("date", "评估日期", ("2024年1月1日至2024年12月31日",))]],
        "出生日期": [[("given", "年龄甲", ("未给出",))]],
    }
    # 面积 is the subject of the bands (read on every path) and 两边都读 reads 甲额 on both sides
    # of 开关: no condition (the two alternatives merge), whatever 短路 says.
    assert text(next(i for i in policy.inputs if i.name == "面积").when) == ""
    assert [i.name for i in policy.inputs if not i.conditional] == ["类别", "面积", "成员们", "开关", "甲额", "年龄甲"]
    assert needed_when(policy.definitions, ["短路"], [s["name"] for s in policy.module.INPUTS])["甲额"][0][0].text == "开关"


def test_the_other_row_and_a_negated_test(tmp_path: Path) -> None:
    path = tmp_path / "o.rule"
    path.write_text("文件：\n  标题：《其他》\n  施行日期：2024年1月1日\n\n类型 类别：甲类、乙类、丙类\n"
                    "输入 类别：类别\n输入 开关：是否\n输入 乙额：金额\n输入 丙额：金额\n"
                    "表 按类：金额 按 类别\n  甲类：0元\n  其他：乙额\n"
                    "输出 结果：金额 = 按类 + (若 非 开关 则 丙额 否则 0元)\n", encoding="utf-8")
    policy = guize.load(path, corpus=False)
    inputs = {i.name: i for i in policy.inputs}
    assert [(c.kind, c.values, c.text) for c in inputs["乙额"].when[0]] == [("not_member", ("甲类",), "类别 不是 甲类")]
    assert [(c.kind, c.values, c.text) for c in inputs["丙额"].when[0]] == [("test", ("否",), "非 开关")]
    schema = input_schema(policy)
    assert schema["required"] == ["类别", "开关"]
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"类别": "甲类", "开关": True})
    assert not validator.is_valid({"类别": "乙类", "开关": True})  # 乙额 is needed for 乙类
    assert not validator.is_valid({"类别": "甲类", "开关": "否"})  # 丙额 is needed when 开关 is 否


def test_every_input_read_on_every_path_is_unconditional_in_the_corpus() -> None:
    for path in RULES:
        policy = guize.load(path)
        every = ir.strict_needs(policy.definitions, policy.module.OUTPUTS)
        for info in policy.inputs:
            if ("input", info.name) in every:
                assert not info.conditional, (path, info.name)
            elif info.conditional:
                assert info.when is None or all(info.when), (path, info.name)


def test_the_schema_rejects_a_missing_conditional_input_exactly_when_evaluate_does() -> None:
    checked = 0
    for path in RULES:
        policy = guize.load(path)
        for ex in policy.examples:
            if ex["not_in_force"] or ex["error"] or ex.get("known_on"):
                continue
            outputs = list(ex["expects"])
            schema = policy_schema(policy, outputs)
            checkable = {n for n, p in schema["properties"].items() if "x-guize-required-when" in p
                         and any(n in rule["then"]["required"] for rule in schema.get("allOf", []))
                         and len(p["x-guize-required-when"]["any"]) == sum(
                             n in rule["then"]["required"] for rule in schema.get("allOf", []))}
            data = json.loads(json.dumps(jsonable(ex["inputs"])))
            for name in checkable & set(data):
                less = {k: v for k, v in data.items() if k != name}
                try:
                    policy.evaluate(less, ex["date"], outputs)
                    needed = False
                except MissingInput as exc:
                    needed = exc.detail.get("input") == name
                assert jsonschema.Draft202012Validator(schema).is_valid(less) is not needed, (path, ex["name"], name)
                checked += 1
    assert checked >= 5


def test_deterministic_and_computed_without_evaluating(policy: guize.Policy) -> None:
    again = guize.load(policy.path, corpus=False)
    assert json.dumps(policy_schema(policy), ensure_ascii=False) == json.dumps(policy_schema(again), ensure_ascii=False)
    names = [s["name"] for s in policy.module.INPUTS]
    assert needed_when(policy.definitions, policy.module.OUTPUTS, names) == \
        needed_when(again.definitions, list(policy.module.OUTPUTS), names)


def test_the_embedding_guide_example_gives_what_it_says(monkeypatch: pytest.MonkeyPatch) -> None:
    root = Path(__file__).resolve().parent.parent
    monkeypatch.chdir(root)
    text_of = (root / "docs" / "embedding.md").read_text(encoding="utf-8")
    block = text_of.split("**有条件的输入。**", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    *code, last, said = block.strip().splitlines()
    scope: dict[str, Any] = {"guize": guize}
    for line in code:
        exec(line, scope)
    assert repr(eval(last, scope)) == said.removeprefix("# ")
