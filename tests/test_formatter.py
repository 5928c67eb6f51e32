"""guize fmt: one canonical layout, idempotent, never changing a file's tree, results or comments."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guize.cli import main
from guize.compiler import ast
from guize.compiler.checker import check
from guize.compiler.diagnostics import CompileError
from guize.compiler.parser import parse
from guize.runtime import ir
from guize.tools import testing
from guize.tools.fmt import canonical, format_source, same_meaning

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted((ROOT / "policies").rglob("*.rule"))
GOOD = sorted((ROOT / "tests" / "golden" / "good").glob("*.rule"))


def fmt(source: str, path: str = "<测试>") -> str:
    return format_source(source, path)


def comment_texts(tree: ast.RuleFile) -> list[str]:
    return sorted(c.text.rstrip() for c in tree.comments)


def assert_round_trip(source: str) -> str:
    """Format; the result is a fixed point, parses to the same tree and keeps every comment."""
    out = fmt(source)
    assert fmt(out) == out, "not idempotent"
    before, after = parse(source, "a"), parse(out, "b")
    assert same_meaning(before, after)
    assert canonical(tuple(after.order)) == tuple(after.order), "output is not in canonical spelling"
    assert comment_texts(before) == comment_texts(after)
    assert all(line == line.rstrip() for line in out.split("\n")), "trailing whitespace"
    assert "\t" not in out and "\u3000" not in "".join(ln[:len(ln) - len(ln.lstrip())] for ln in out.split("\n"))
    return out


# ---------------------------------------------------------------- the corpus


@pytest.mark.parametrize("path", POLICIES + GOOD, ids=lambda p: p.name)
def test_corpus_round_trips(path: Path) -> None:
    out = assert_round_trip(path.read_text(encoding="utf-8"))
    # Every citation survives, in order.
    before = [d.cite for d in parse(path.read_text(encoding="utf-8")).definitions]
    assert [d.cite for d in parse(out).definitions] == before


def _strip_ir(node: Any) -> Any:
    """IR without what follows the layout: source-text labels of conditions and bands, lines.

    IR nodes compare without their spans and ids already."""
    if isinstance(node, ir.Definition):
        return attrs.evolve(node, line=0, expr=ir.transform(node.expr, _strip_label))
    if isinstance(node, ast.Span):
        return None
    if isinstance(node, tuple):
        return tuple(_strip_ir(x) for x in node)
    if isinstance(node, dict):
        return {k: _strip_ir(v) for k, v in node.items() if k != "line"}
    return node


def _strip_label(node: ir.Node) -> ir.Node:
    return attrs.evolve(node, label="") if isinstance(node, (ir.Branch, ir.Band)) else node


@pytest.mark.parametrize("path", POLICIES + GOOD, ids=lambda p: p.name)
def test_checked_policy_unchanged(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    out = fmt(source)
    a, b = check(parse(source, str(path)), source), check(parse(out, str(path)), out)
    assert [d.code for d in a.diagnostics] == [d.code for d in b.diagnostics]
    assert _strip_ir(a.defs) == _strip_ir(b.defs)
    assert a.order == b.order and a.outputs == b.outputs and a.slots == b.slots
    assert _strip_ir(a.inputs) == _strip_ir(b.inputs)
    assert _strip_ir(a.examples) == _strip_ir(b.examples)
    assert _strip_ir(a.documents) == _strip_ir(b.documents)


def test_examples_pass_the_same_after_format(tmp_path: Path) -> None:
    formatted = tmp_path / "xinjiang"
    formatted.mkdir()
    for path in (ROOT / "policies" / "xinjiang").glob("*.rule"):
        (formatted / path.name).write_text(fmt(path.read_text(encoding="utf-8")), encoding="utf-8")
    before = testing.run([str(ROOT / "policies" / "xinjiang")])
    after = testing.run([str(formatted)])
    assert not before.compile_errors and not after.compile_errors
    assert before.failed == after.failed == 0
    assert len(before.outcomes) == len(after.outcomes) > 70

    def key(o: testing.Outcome) -> tuple[Any, ...]:
        return (Path(o.file).name, o.name, o.status, o.message, o.actual, o.date)

    assert [key(o) for o in before.outcomes] == [key(o) for o in after.outcomes]


# ---------------------------------------------------------------- spellings and layout


def test_punctuation_keywords_and_dates_are_normalised() -> None:
    source = """文件:
    标题:《办法》
    施行日期:2024-1-1
输入 甲额:金额(万元),默认 0元
输入 人数:整数(人)
输入 标志:是否
定义 甲:金额 = 甲额*2-(甲额-1元)/2 # 注
定义 乙:是否 = 人数>=3 并且 非 (人数==4 或者 人数 != 5)。
定义 丙:金额，四舍五入至分 = 如果 乙 则 甲 否则 取较大值(甲 , 0元)
定义 丁:金额
    如果 标志:5元
    否则:0元
示例 "一":
    期望 丁 = 5元
    标志 : 是
    日期: 2024-03-01
"""
    assert fmt(source) == """文件：
  标题：《办法》
  施行日期：2024年1月1日

输入 甲额：金额（万元），默认 0元
输入 人数：整数（人）
输入 标志：是否
定义 甲：金额 = 甲额 × 2 - (甲额 - 1元) ÷ 2  # 注
定义 乙：是否 = 人数 ≥ 3 且 非 (人数 = 4 或 人数 ≠ 5)
定义 丙：金额，四舍五入至分 = 若 乙 则 甲 否则 取较大值(甲，0元)

定义 丁：金额
  若 标志 则 5元
  否则 0元

例 一：
  日期：2024年3月1日
  标志 = 是
  期望 丁 = 5元
"""


def test_tables_bands_and_dated_versions() -> None:
    source = """文件：
  标题：《表》
类型 等级：甲、乙、丙
输入 等级：等级
输入 工资：金额
定义 标准：金额 按 等级
    甲、乙：按 工资 分段
        不满2000元：1元
        2000元～3000元(不含3000元) : 2元   依据 第二条(一)项
        3000元以上(含) : 3元
        超过5000元 6000元以下（不含6000元）：4元
        其余：0元
    丙：同 甲
定义 版本：金额
  自2024-01-01起 至2024年6月30日：1元
  自2024年7月1日起：2元
"""
    assert fmt(source) == """文件：
  标题：《表》

类型 等级：甲、乙、丙
输入 等级：等级
输入 工资：金额

定义 标准：金额 按 等级
  甲、乙：按 工资 分段
    不满2000元：1元
    2000元至3000元（不含3000元）：2元  依据 第二条（一）项
    3000元以上（含3000元）：3元
    超过5000元 6000元以下（不含6000元）：4元
    其他：0元
  丙：参照 甲

定义 版本：金额
  自2024年1月1日起 至2024年6月30日：1元
  自2024年7月1日起：2元
"""


def test_document_fields_docrefs_and_multiple_documents() -> None:
    source = """# 决定
文件：
  施行日期：2024年4月12日   # 自公布之日起
  标题：《决定》
  文号：某政令第1号
  废止：《甲办法》、《乙办法》(某发[1996]7号) 自2024年5月1日起
  沿革：
    2024年4月3日 通过    # 会议
  有效期：五年
  发布机关：「某某人民政府（办公厅）」
  备注：“含」字的备注”

# 二
文件：
  标题：《甲办法》
  发布机关：某某人民政府 办公厅
  替代：某发〔1990〕1号
"""
    assert fmt(source) == """# 决定
文件：
  标题：《决定》
  文号：某政令第1号
  发布机关：「某某人民政府（办公厅）」
  施行日期：2024年4月12日  # 自公布之日起
  有效期：五年
  废止：《甲办法》、《乙办法》（某发〔1996〕7号） 自2024年5月1日起
  沿革：
    2024年4月3日 通过  # 会议
  备注：“含」字的备注”

# 二
文件：
  标题：《甲办法》
  发布机关：某某人民政府 办公厅
  替代：某发〔1990〕1号
"""


def test_long_repeal_list_becomes_a_block() -> None:
    titles = "、".join(f"《某某自治区某某事项管理办法第{n}号》" for n in "一二三四")
    out = assert_round_trip(f"文件：\n  标题：《决定》\n  废止：{titles}\n")
    assert out.endswith("  废止：\n    《某某自治区某某事项管理办法第一号》\n    《某某自治区某某事项管理办法第二号》\n"
                        "    《某某自治区某某事项管理办法第三号》\n    《某某自治区某某事项管理办法第四号》\n")


def test_long_call_breaks_one_argument_per_line() -> None:
    source = """文件：
  标题：《长》
输入 一个相当长的输入名称甲：金额
输入 一个相当长的输入名称乙：金额
输出 结果：金额 = 取较小值(  # 头
    # 关于第一个参数
    取较大值(一个相当长的输入名称甲 - 一个相当长的输入名称乙, 一个相当长的输入名称乙 - 一个相当长的输入名称甲) × 2,  # 第一
    一个相当长的输入名称甲,   # 第二
    一个相当长的输入名称乙)   依据 第一条  # 尾
输出 短：金额 = 取较小值(
    一个相当长的输入名称甲,
    0元)
"""
    assert assert_round_trip(source) == """文件：
  标题：《长》

输入 一个相当长的输入名称甲：金额
输入 一个相当长的输入名称乙：金额

输出 结果：金额 = 取较小值(  # 头
  # 关于第一个参数
  取较大值(
    一个相当长的输入名称甲 - 一个相当长的输入名称乙，
    一个相当长的输入名称乙 - 一个相当长的输入名称甲
  ) × 2，  # 第一
  一个相当长的输入名称甲，  # 第二
  一个相当长的输入名称乙
)  依据 第一条  # 尾

输出 短：金额 = 取较小值(一个相当长的输入名称甲，0元)
"""


def test_outpatient_call_layout() -> None:
    out = fmt((ROOT / "policies/xinjiang/outpatient_2024.rule").read_text(encoding="utf-8"))
    # 94 columns on one line: within the limit, so the source's manual wrapping is undone.
    assert "  否则 取较小值(取较大值(本次费用 - 起付标准，0元) × 支付比例，单次最高支付限额，年度剩余限额)\n" in out


def test_comments_in_odd_places() -> None:
    source = """

# 头注释


# 第二段
文件：
  标题：《注释》  # 标题
# 文件后、输入前
输入 甲：金额   # 输入
                # 续写的行尾注释
输入 乙：金额
定义 丙：金额
  # 分支前
  若 甲 > 0元 则 甲
  否则：
      若 乙 > 0元 则 乙
          # 深层块的结尾
        # 块结尾
      否则 0元  # 否则
    # 缩进在两层之间
# 定义后

# 文件结尾
  # 缩进的结尾
"""
    assert assert_round_trip(source) == """# 头注释

# 第二段
文件：
  标题：《注释》  # 标题

# 文件后、输入前
输入 甲：金额  # 输入
  # 续写的行尾注释
输入 乙：金额

定义 丙：金额
  # 分支前
  若 甲 > 0元 则 甲
  否则：
    若 乙 > 0元 则 乙
      # 深层块的结尾
      # 块结尾
    否则 0元  # 否则
    # 缩进在两层之间

# 定义后

# 文件结尾
# 缩进的结尾
"""


def test_comments_after_quotes_and_hashes_in_titles_are_kept() -> None:
    source = ('文件：\n  标题：《甲#乙》  # 零\n  备注："有引号"  # 一\n输入 甲：金额\n'
              '例 "测试 一"  ＃ 二\n  日期：2024年1月1日\n  期望 错误 「a#b」 # 三\n')
    out = assert_round_trip(source)
    assert [c.text for c in parse(source).comments] == ["# 零", "# 一", "＃ 二", "# 三"]
    assert "标题：《甲#乙》  # 零\n" in out and "备注：「有引号」  # 一\n" in out
    assert "例 「测试 一」：  ＃ 二\n" in out and "期望 错误 「a#b」  # 三\n" in out


def test_tabs_fullwidth_spaces_crlf_and_terminators() -> None:
    source = "文件：\r\n\t标题：《制表符》。\r\n输入 甲：金额；\r\n定义 乙：金额\r\n\u3000\u3000若 甲 > 0元 则 甲\r\n\u3000\u3000否则 0元\r\n"
    assert assert_round_trip(source) == (
        "文件：\n  标题：《制表符》\n\n输入 甲：金额\n\n定义 乙：金额\n  若 甲 > 0元 则 甲\n  否则 0元\n")


def test_empty_and_comment_only_files() -> None:
    assert fmt("") == "" and fmt("\n \n") == ""
    assert assert_round_trip("# 甲\n\n\n  # 乙") == "# 甲\n\n# 乙\n"


def test_blank_lines_between_one_line_statements_follow_the_source() -> None:
    source = "文件：\n  标题：《空行》\n输入 甲：金额\n输入 乙：金额\n\n\n\n参数 丙 = 1元\n参数 丁 = 2元\n定义 戊 = 丙\n"
    assert fmt(source) == ("文件：\n  标题：《空行》\n\n输入 甲：金额\n输入 乙：金额\n\n"
                           "参数 丙 = 1元\n参数 丁 = 2元\n定义 戊 = 丙\n")


def test_numbers_are_kept_as_written() -> None:
    source = "文件：\n  标题：《数》\n参数 甲 = 1,000.50元\n参数 乙 = 5％\n参数 丙 = 2000万元\n参数 丁 = 300元/吨\n"
    out = fmt(source)
    for text in ("1,000.50元", "5％", "2000万元", "300元/吨"):
        assert text in out
    # Inside a call, the full-width comma keeps 1 and 234 apart (「1,234」 would be one number).
    tree = parse("文件：\n  标题：《数》\n参数 甲 = 取较大值(1, 234)\n")
    assert "取较大值(1，234)" in format_source("文件：\n  标题：《数》\n参数 甲 = 取较大值(1, 234)\n", "x")
    assert len(tree.definitions[0].body.expr.args) == 2  # type: ignore[union-attr]


def test_precedence_parentheses_are_minimal_and_sufficient() -> None:
    cases = {
        "(甲 + 乙) × 丙": "(甲 + 乙) × 丙",
        "甲 + (乙 × 丙)": "甲 + 乙 × 丙",
        "甲 - (乙 - 丙)": "甲 - (乙 - 丙)",
        "(甲 - 乙) - 丙": "甲 - 乙 - 丙",
        "-(甲 + 乙)": "-(甲 + 乙)",
        "(甲 最高 乙) 最低 丙": "甲 最高 乙 最低 丙",
        "甲 最高 (乙 最低 丙)": "甲 最高 (乙 最低 丙)",
        "非 (甲 且 乙)": "非 (甲 且 乙)",
        "(非 甲) 且 乙": "非 甲 且 乙",
        "(甲 或 乙) 且 丙": "(甲 或 乙) 且 丙",
        "若 (若 甲 则 乙 否则 丙) 则 丁 否则 戊": "若 (若 甲 则 乙 否则 丙) 则 丁 否则 戊",
        "若 甲 则 乙 否则 (若 丙 则 丁 否则 戊)": "若 甲 则 乙 否则 若 丙 则 丁 否则 戊",
        "(甲 > 乙) = 丙": "(甲 > 乙) = 丙",
        "1 + (若 甲 则 2 否则 3)": "1 + (若 甲 则 2 否则 3)",
        "甲 ÷ (乙 × 丙)": "甲 ÷ (乙 × 丙)",
        "四舍五入到分((甲))": "四舍五入到分(甲)",
    }
    for written, printed in cases.items():
        out = assert_round_trip(f"文件：\n  标题：《优先级》\n参数 值 = {written}\n")
        assert out.endswith(f"参数 值 = {printed}\n"), (written, out)


def test_syntax_error_is_a_compile_error() -> None:
    with pytest.raises(CompileError):
        fmt("文件：\n  标题：《坏》\n定义 甲 = (1元\n")


# ---------------------------------------------------------------- the command


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["fmt", *args])


UNFORMATTED = "文件:\n  标题:《命令》\n输入 甲:金额\n"


def test_cli_check_diff_and_write(tmp_path: Path) -> None:
    path = tmp_path / "a.rule"
    path.write_text(UNFORMATTED, encoding="utf-8")
    ok = tmp_path / "b.rule"
    ok.write_text(fmt(UNFORMATTED), encoding="utf-8")

    result = run("--check", str(tmp_path))
    assert result.exit_code == 1
    assert str(path) in result.stdout and str(ok) not in result.stdout
    assert path.read_text(encoding="utf-8") == UNFORMATTED

    result = run("--diff", str(path))
    assert result.exit_code == 1
    assert "-文件:" in result.stdout and "+文件：" in result.stdout
    assert result.stdout.startswith(f"--- a/{path}\n+++ b/{path}\n")
    assert path.read_text(encoding="utf-8") == UNFORMATTED

    result = run(str(tmp_path))
    assert result.exit_code == 0, result.output
    assert f"已格式化：{path}" in result.stdout and str(ok) not in result.stdout
    assert path.read_text(encoding="utf-8") == fmt(UNFORMATTED)
    assert not list(tmp_path.glob(".*.tmp"))

    for flags in (["--check"], ["--diff"], []):
        result = run(*flags, str(tmp_path))
        assert result.exit_code == 0, result.output
        assert result.stdout == ""


def test_cli_never_rewrites_a_file_with_syntax_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rule"
    bad.write_text("文件:\n  标题:《坏》\n定义 甲 = (1元\n", encoding="utf-8")
    good = tmp_path / "good.rule"
    good.write_text(UNFORMATTED, encoding="utf-8")
    result = run(str(tmp_path))
    assert result.exit_code == 1
    assert "bad.rule" in result.stderr and "错误" in result.stderr and "Traceback" not in result.output
    assert bad.read_text(encoding="utf-8") == "文件:\n  标题:《坏》\n定义 甲 = (1元\n"
    assert good.read_text(encoding="utf-8") == fmt(UNFORMATTED)  # the good file is still formatted


def test_cli_usage_and_missing_files(tmp_path: Path) -> None:
    assert run().exit_code == 2
    result = run(str(tmp_path / "没有.rule"))
    assert result.exit_code == 1 and "找不到" in result.stderr


def test_cli_check_on_a_copy_of_the_corpus(tmp_path: Path) -> None:
    copy = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", copy)
    assert run("--check", str(copy)).exit_code in (0, 1)
    assert run(str(copy)).exit_code == 0
    assert run("--check", str(copy)).exit_code == 0


# ---------------------------------------------------------------- property: random programs round-trip

NAMES = ["甲额", "乙额", "人数", "标志", "比例", "起点"]
NUMBERS = ["0", "1", "2.5", "1,000元", "300元/吨", "5%", "5个百分点", "2000万元", "3人", "0.05元/千瓦时"]
CMP = [">", "＞", ">=", "≥", "＞＝", "<", "<=", "≤", "=", "==", "＝", "!=", "≠", "超过", "高于", "不满",
       "低于", "不足", "达到", "不低于", "不超过", "不高于", "未达到", "等于", "不等于"]
ARITH = ["+", "＋", "-", "－", "−", "×", "*", "＊", "÷", "/", "／"]
BANDS = ["不满40支", "40支以上（含40支）", "40支以上(含40支)", "2000元至3000元（不含3000元）", "2000元～3000元",
         "2000元—3000元", "2000~3000", "超过50%", "50%以下", "3000元以上 不满5000元", "超过1元 2元以内(含2元)",
         "低于10人", "不足10人", "5吨以内", "高于3元（含3元）"]


def sp(draw: st.DrawFn) -> str:
    return draw(st.sampled_from([" ", "  ", "\u3000"]))


@st.composite
def expression(draw: st.DrawFn, depth: int = 0) -> str:
    """Fully parenthesised source text with random spellings (the formatter drops the extras)."""
    leaf = depth >= 3 or draw(st.integers(0, 2)) == 0
    if leaf:
        kind = draw(st.sampled_from(["name", "number", "bool", "date"]))
        if kind == "name":
            return draw(st.sampled_from(NAMES))
        if kind == "number":
            return draw(st.sampled_from(NUMBERS))
        if kind == "bool":
            return draw(st.sampled_from(["是", "否"]))
        return draw(st.sampled_from(["2024年1月1日", "2024-1-1", "2024-01-31"]))
    sub = expression(depth + 1)
    kind = draw(st.sampled_from(["arith", "cmp", "logic", "not", "neg", "cap", "if", "call", "round", "paren"]))
    a = draw(sub)
    s = sp(draw)
    if kind == "arith":
        return f"({a}{s}{draw(st.sampled_from(ARITH))}{sp(draw)}{draw(sub)})"
    if kind == "cmp":
        return f"({a}{s}{draw(st.sampled_from(CMP))}{sp(draw)}{draw(sub)})"
    if kind == "logic":
        word = draw(st.sampled_from(["且", "并且", "或", "或者"]))
        return f"({a}{s}{word}{sp(draw)}{draw(sub)})"
    if kind == "not":
        return f"(非{s}{a})"
    if kind == "neg":
        return f"(-{a})" if a[0] == "(" or not a[0].isdigit() else f"(-({a}))"
    if kind == "cap":
        return f"({a}{s}{draw(st.sampled_from(['最高', '最低']))}{sp(draw)}{draw(sub)})"
    if kind == "if":
        word = draw(st.sampled_from(["若", "如果"]))
        return f"({word} {a} 则 {draw(sub)} 否则 {draw(sub)})"
    if kind == "call":
        args = [a, *draw(st.lists(sub, max_size=2))]
        comma = draw(st.sampled_from([", ", "，", " ,\n      ", ",  # 参数\n   ", ",\n    # 独立\n  "]))
        return f"{draw(st.sampled_from(['取较大值', '取较小值', '加月']))}({comma.join(args)})"
    if kind == "round":
        return f"{draw(st.sampled_from(['四舍五入到分', '向下取整', '四舍五入至元']))}({a})"
    return draw(st.sampled_from([f"(\n   {a})", f"(  # 括号内\n {a})", f"(\n# 括号内整行\n      {a}\n )"]))


def comment(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(["", "", "", "  # 注", "\t# 说明：含，标点", "   ＃ 全角"]))


@st.composite
def program(draw: st.DrawFn) -> str:
    unit = draw(st.sampled_from(["  ", "    ", "\t", "\u3000"]))
    colon = lambda: draw(st.sampled_from(["：", ":"]))  # noqa: E731
    lines = ["# 随机生成", "文件" + colon()]
    fields = [f"标题{colon()}《随机〈规则〉#1》", f"文号{colon()}" + draw(st.sampled_from(["测发[2024]1号", "测发（2024）2号"])),
              f"施行日期{colon()}" + draw(st.sampled_from(["2024-1-1", "2024年1月1日"])),
              f"有效期{colon()}" + draw(st.sampled_from(["五年", "5年"])),
              f"废止{colon()}《旧甲》、《旧乙》（测发〔2020〕1号）", f"发布机关{colon()}「某厅（局）」"]
    for f in draw(st.permutations(fields))[: draw(st.integers(1, len(fields)))]:
        lines.append(unit + f + comment(draw))
    if draw(st.booleans()):
        lines += [unit + "沿革" + colon(), unit * 2 + "2024年1月1日 发布 测发〔2024〕1号" + comment(draw)]
    lines.append(f"类型 等级{colon()}甲、乙、丙" + comment(draw))
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["单位 人次", "单位 担 = 50公斤", "单位 亩  依据 第一条"])) + comment(draw))
    for name in NAMES:
        lines.append(f"输入 {name}{colon()}" + draw(st.sampled_from(["金额", "比率", "整数(人)", "是否", "等级",
                                                                     "数量（吨）", "金额，默认 0元"])) + comment(draw))
    n = 0
    for kind in draw(st.lists(st.sampled_from(["inline", "if", "enum", "bands", "dated"]), min_size=1, max_size=5)):
        n += 1
        name = f"结果{'甲乙丙丁戊己庚辛壬癸'[n]}"
        word = draw(st.sampled_from(["定义", "输出", "参数", "表"]))
        if draw(st.booleans()):
            lines.append("")
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["# 段落注释", "  # 缩进的注释"])))
        cite = draw(st.sampled_from(["", "  依据 第一条", "   依据 第二条(一)项、第三条"]))
        if kind == "inline":
            # Options after the type (issue 13), and a formula continued on the next line after `=`.
            opts = draw(st.sampled_from(["", "，可为负", "，可作输入", "，四舍五入到元，可为负，可作输入"]))
            eq = draw(st.sampled_from([" = ", " =\n" + unit * 2]))
            lines.append(f"{word} {name}{colon()}金额{opts}{eq}{draw(expression())}{cite}{comment(draw)}")
            continue
        if kind == "if":
            lines.append(f"{word} {name}{colon()}金额{cite}{comment(draw)}")
            for _ in range(draw(st.integers(1, 2))):
                kw = draw(st.sampled_from(["若", "如果"]))
                lines.append(f"{unit}{kw} {draw(expression())} {draw(st.sampled_from(['则', colon()]))} "
                             f"{draw(expression())}{comment(draw)}")
            if draw(st.booleans()):
                lines.append(f"{unit}否则{colon()}")
                lines.append(f"{unit * 2}若 {draw(expression())} 则 1元")
                lines.append(f"{unit * 2}否则 {draw(expression())}{comment(draw)}")
            else:
                lines.append(f"{unit}否则 {draw(expression())}{comment(draw)}")
            continue
        if kind == "enum":
            lines.append(f"{word} {name}{colon()}金额 按 等级{cite}")
            lines.append(f"{unit}甲、乙{colon()}{draw(expression())}{comment(draw)}")
            lines.append(f"{unit}丙{colon()}{draw(st.sampled_from(['同', '参照']))} 甲{cite}")
            if draw(st.booleans()):
                lines.append(f"{unit}{draw(st.sampled_from(['其他', '其余']))}{colon()}0元")
            continue
        if kind == "bands":
            lines.append(f"{word} {name}{colon()}金额 按 {draw(st.sampled_from(NAMES))} 分段{cite}")
            for band in draw(st.lists(st.sampled_from(BANDS), min_size=1, max_size=3, unique=True)):
                lines.append(f"{unit}{band}{colon()}{draw(expression())}{comment(draw)}")
            continue
        lines.append(f"{word} {name}{colon()}金额{cite}")
        lines.append(f"{unit}自2024年1月1日起{colon()}1元{comment(draw)}")
        lines.append(f"{unit}自2024-07-01起 至2024年12月31日{colon()}{draw(expression())}")
    for i in range(draw(st.integers(0, 2))):
        kw = draw(st.sampled_from(["例", "示例", "测试"]))
        title = draw(st.sampled_from([f"例{'一二'[i]}", f"「第 {i} 个」", f'"例 {i}"']))
        lines.append(f"{kw} {title}{draw(st.sampled_from(['：', ':', '']))}{comment(draw)}")
        body = [f"日期{colon()}2024-06-01", "甲额 = 10元", f"人数{colon()}3人", "等级 = 乙",
                f"{draw(st.sampled_from(['期望', '预期']))} 结果乙 = -1元", "期望 未生效", "期望 错误 「除以零」"]
        for line in draw(st.permutations(body))[: draw(st.integers(1, len(body)))]:
            lines.append(unit + line + comment(draw))
    if draw(st.booleans()):
        lines.append("# 结尾")
    # Full-line comments at any indentation and blank lines anywhere, even inside parentheses.
    physical = "\n".join(lines).split("\n")
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(1, len(physical)))
        physical.insert(at, draw(st.sampled_from(["", "# 插入", "  # 插入", "      # 插入", "\t# 插入"])))
    return "\n".join(physical) + draw(st.sampled_from(["\n", "", "\n\n"]))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=program())
def test_random_programs_round_trip_through_the_formatter(source: str) -> None:
    assert_round_trip(source)


def test_canonical_only_touches_spelling_fields() -> None:
    tree = parse("文件：\n  标题：《甲》\n输入 甲：金额\n参数 乙 = 甲 >= 1元\n表 丙：金额 按 甲 分段\n  1元—2元：1元\n")
    cmp_ = canonical(tree.definitions[0].body.expr)
    assert cmp_.word == "≥" and attrs.evolve(cmp_, word=">=") == tree.definitions[0].body.expr
    key = canonical(tree.definitions[1].body.branches[0].key)  # type: ignore[union-attr]
    assert key.text == "1元至2元" and key.lower.word == "至"


def test_cli_formats_the_target_of_a_symlink_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "shared" / "a.rule"
    target.parent.mkdir()
    target.write_text(UNFORMATTED, encoding="utf-8")
    link = tmp_path / "rules" / "a.rule"
    link.parent.mkdir()
    link.symlink_to(os.path.relpath(target, link.parent))
    result = run(str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_text(encoding="utf-8") == fmt(UNFORMATTED)
    assert not list(tmp_path.rglob("*.tmp"))


HEAD = "文件：\n  标题：《测试》\n  施行日期：2024年1月1日\n\n输入 工作年限：期间\n输入 所得：金额\n参数 起点 = 5000元\n"


@pytest.mark.parametrize(("written", "printed"), [
    # Statutes glue these words to a time in Chinese numerals; the grammar reads them glued.
    ("输出 满年数：整数 = 工作年限 每满 一年\n", "输出 满年数：整数 = 工作年限 每满一年\n"),
    ("输出 半年：是否 = 工作年限 满 六个月\n", "输出 半年：是否 = 工作年限 满六个月\n"),
    ("输出 天数：整数（天） 按 工作年限 分段\n  已满一年 不满十年：5天\n  其他：0天\n",
     "输出 天数：整数（天） 按 工作年限 分段\n  已满一年不满十年：5天\n  其他：0天\n"),
    # Arabic numerals and names stay apart: 每满 1个月, 超过 起点 至 9000元 的部分.
    ("输出 月数：整数 = 工作年限 每满 1个月\n", "输出 月数：整数 = 工作年限 每满 1个月\n"),
    ("输出 高：是否 = 所得 超过 5000元\n", "输出 高：是否 = 所得 超过 5000元\n"),
    ("表 税：超额累进\n  不超过 起点 的部分：3%\n  超过 起点 至9000元的部分：10%\n  超过9000元的部分：20%\n"
     "输出 税额：金额 = 累进计算(所得，税)\n",
     "表 税：超额累进\n  不超过 起点 的部分：3%\n  超过 起点 至 9000元 的部分：10%\n  超过9000元的部分：20%\n\n"
     "输出 税额：金额 = 累进计算(所得，税)\n"),
])
def test_words_glued_to_chinese_numerals(written: str, printed: str) -> None:
    out = assert_round_trip(HEAD + written)
    assert out.endswith(printed), out


# Blocks of the docs that show, on purpose, a spelling the formatter rewrites: the other spelling
# of 若…则 (如果…那么) and a formula continued on the next line.
SHOWS_ANOTHER_SPELLING = ("如果 所得 > 起点 那么", "营业收入 - 营业成本\n  - 期间费用")


def test_doc_blocks_are_formatted() -> None:
    """A drafter copies a block from the docs: `guize fmt --check` must then pass on it."""
    from test_docs import BLOCKS

    unformatted = [f"{doc}#{i}" for doc, i, source in BLOCKS
                   if fmt(source) != source and not any(s in source for s in SHOWS_ANOTHER_SPELLING)]
    assert unformatted == []
    assert sum(any(s in source for s in SHOWS_ANOTHER_SPELLING) for _d, _i, source in BLOCKS) == 2
