"""Time as the law counts it: durations (期间), ages (年龄), year-months (年月), 满/不满/每满.

Compiled, reference and batch evaluation agree over random dates and durations; the three
national policies agree with an independent reading of their statutes and published tables.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.cli import main
from guize.compiler import checker, parser
from guize.compiler.lexicon import parse_number
from guize.runtime import dates, display
from guize.runtime import values as V
from guize.runtime.errors import InvalidInput

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")

from guize.runtime import batchmonths  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = ROOT / "policies" / "national"
D = dt.date
DAY0 = D(1970, 1, 1)
days = st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31))

HEADER = "文件：\n  标题：《期间》\n  施行日期：2000年1月1日\n"


def diags(body: str) -> list[str]:
    source = HEADER + body
    checked = checker.check(parser.parse(source, "t.rule"), source)
    return [f"{d.code} {d.message} {d.hint or ''}" for d in checked.diagnostics if d.severity == "error"]


def load(tmp_path: Path, body: str) -> guize.Policy:
    path = tmp_path / "t.rule"
    path.write_text(HEADER + body, encoding="utf-8")
    return guize.load(path, corpus=False)


# ---------------------------------------------------------------- literals and display


@pytest.mark.parametrize("text, months, unit", [
    ("9年11个月", 119, "个月"), ("60岁1个月", 721, "个月"), ("六个月", 6, "个月"), ("十二个月", 12, "个月"),
    ("半个月", Decimal("0.5"), "个月"), ("一年", 1, "年"), ("二十年", 20, "年"), ("十八周岁", 18, "周岁"),
    ("1年零3个月", 15, "个月"),
])
def test_time_literals(text: str, months: Any, unit: str) -> None:
    assert parse_number(text) == (Decimal(months), unit, None)


def test_durations_read_as_the_law_writes_them() -> None:
    assert str(dates.Period(67)) == "5年7个月"
    assert str(dates.Age(721)) == "60岁1个月"
    assert str(dates.Period(6)) == "6个月" and str(dates.Period(24)) == "2年"
    assert dates.Period(721).isoformat() == "P60Y1M" and dates.Period(6).isoformat() == "P6M"
    assert dates.Period(0).isoformat() == "P0M"
    assert str(dates.YearMonth(2025, 2, 1)) == "2025年2月" == display.value(dates.YearMonth(2025, 2, 1))
    assert dates.YearMonth(2025, 2, 1).isoformat() == "2025-02"
    assert display.typed(67, "duration") == "5年7个月" and display.typed(721, "age") == "60岁1个月"


@pytest.mark.parametrize("text, months", [("P9Y11M", 119), ("9年11个月", 119), ("P20Y", 240), ("60岁1个月", 721),
                                          ("P6M", 6), ("6个月", 6), (7, 7)])
def test_duration_inputs(text: Any, months: int) -> None:
    got = V.to_period(text, "期间")
    assert got == months and isinstance(got, dates.Period)


@pytest.mark.parametrize("text, words", [("P1M20D", "不能含天数"), ("九年", "应为期间"), (-1, "不能为负数"),
                                         ("2025-02", "应为期间")])
def test_bad_duration_inputs_say_the_accepted_form(text: Any, words: str) -> None:
    with pytest.raises(InvalidInput) as err:
        V.to_period(text, "累计工作时间")
    assert words in err.value.message and "累计工作时间" in err.value.message


def test_year_month_inputs() -> None:
    assert V.to_year_month("2025-02", "年月") == D(2025, 2, 1)
    assert V.to_year_month("2025年2月", "年月") == D(2025, 2, 1)
    with pytest.raises(InvalidInput, match="应为年月"):
        V.to_year_month("2025-02-15", "年月")


# ---------------------------------------------------------------- the checker


def test_glued_comparison_words_parse_as_statutes_write_them() -> None:
    body = ("输入 期:期间\n"
            "表 甲：整数（天） 按 期 分段\n  已满一年不满十年：5天\n  已满十年：10天\n  其他：0天\n"
            "表 乙：数值 按 期 分段\n  六个月以上不满一年：1\n  不满六个月：0.5\n  其他：0\n"
            "输出 丙：是否 = 期 满六个月\n"
            "输出 丁：整数 = 期 每满一年\n"
            "输出 戊：整数（天） = 甲\n输出 己：数值 = 乙\n")
    assert diags(body) == []


def test_date_plus_a_fraction_of_a_month_is_an_error() -> None:
    found = diags("输入 日:日期\n输出 甲：日期 = 日 + 半个月\n")
    assert any(d.startswith("E320") and "整月" in d for d in found), found


def test_months_and_days_do_not_mix_and_the_hint_says_why() -> None:
    found = diags("输入 期:期间\n输出 甲：是否 = 期 > 20天\n")
    assert any(d.startswith("E330") and "月与天不能换算" in d for d in found), found


def test_a_count_where_a_duration_is_wanted_suggests_the_form() -> None:
    found = diags("输入 期:期间\n输出 甲：期间 = 期 + 1\n")
    assert any("每满" in d for d in found), found


def test_year_month_and_date_do_not_compare() -> None:
    found = diags("输入 日:日期\n输出 甲：是否 = 日 < 2025年2月\n")
    assert any(d.startswith("E330") and "年月(日期)" in d for d in found), found


def test_a_broken_else_value_is_reported_once_where_it_is() -> None:
    # 取较小值 with a unit mistake used to add 「条件分支缺少「否则」」 on top of the real error.
    found = diags("输入 期:期间\n输入 甲:整数\n"
                  "定义 乙：整数\n  若 甲 > 1 则 1\n  否则 取较小值(期, 甲)\n"
                  "输出 丙：整数 = 乙 + 1\n")
    assert len(found) == 1 and found[0].startswith("E312"), found


# ---------------------------------------------------------------- calendar functions in columns


def _day(d: dt.date) -> int:
    return (d - DAY0).days


@given(st.lists(st.tuples(days, days), min_size=1, max_size=30))
def test_batch_months_between_agrees_with_the_scalar_rule(pairs: list[tuple[dt.date, dt.date]]) -> None:
    a = np.array([_day(x) for x, _ in pairs])
    b = np.array([_day(y) for _, y in pairs])
    assert batchmonths.months_between(a, b).tolist() == [dates.months_between(x, y) for x, y in pairs]
    assert batchmonths.full_years(a, b).tolist() == [dates.full_years(x, y) for x, y in pairs]


@given(st.lists(st.tuples(days, st.integers(-1200, 1200)), min_size=1, max_size=30))
def test_batch_add_months_agrees_with_the_scalar_rule(rows: list[tuple[dt.date, int]]) -> None:
    got, beyond = batchmonths.add_months(np.array([_day(d) for d, _ in rows]), np.array([n for _, n in rows]))
    assert not beyond.any()
    assert [DAY0 + dt.timedelta(days=int(x)) for x in got] == [dates.add_months(d, n) for d, n in rows]
    starts = batchmonths.year_month(np.array([_day(d) for d, _ in rows]))
    assert [DAY0 + dt.timedelta(days=int(x)) for x in starts] == [dates.year_month(d) for d, _ in rows]


def test_batch_add_months_beyond_the_calendar_is_flagged() -> None:
    _got, beyond = batchmonths.add_months(np.array([_day(D(9999, 12, 1)), _day(D(2000, 1, 1))]), np.array([1, 1]))
    assert beyond.tolist() == [True, False]


# ---------------------------------------------------------------- compiled = reference = batch

TIME_RULE = """输入 甲日：日期
输入 乙日：日期
输入 期：期间，默认 0个月
定义 间隔：期间 = 乙日 - 甲日
输出 整年：整数 = 间隔 每满 一年
输出 满半年：是否 = 间隔 满 六个月
输出 到期日：日期 = 甲日 + 期
输出 到期年月：年月 = 年月(甲日) + 期 + 间隔
输出 周岁数：年龄 = 周岁(甲日, 乙日)
输出 年龄数：年龄 = 年龄(甲日, 乙日)
输出 合计：期间 = 间隔 + 期
表 档：整数（天） 按 间隔 分段
  已满一年不满十年：5天
  已满十年：10天
  其他：0天
输出 天数：整数（天） = 档
"""


def _plain(v: Any) -> Any:
    """A scalar result as its batch column holds it: months as int, year-months as dates."""
    if isinstance(v, dates.YearMonth):
        return D(v.year, v.month, 1)
    if isinstance(v, dates.Period):
        return int(v)
    return v


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(days, days, st.integers(0, 600)), min_size=1, max_size=12))
def test_compiled_reference_and_batch_agree_on_time(tmp_path: Path, rows: list[tuple[dt.date, dt.date, int]]) -> None:
    policy = load(tmp_path, TIME_RULE)
    on = D(2024, 6, 1)
    table = pa.table({"甲日": pa.array([a for a, _, _ in rows]), "乙日": pa.array([b for _, b, _ in rows]),
                      "期": pa.array([n for _, _, n in rows], type=pa.int64())})
    batch = policy.evaluate_batch(table, on).to_pylist()
    for (a, b, n), got in zip(rows, batch, strict=True):
        data = {"甲日": a, "乙日": b, "期": f"P{n // 12}Y{n % 12}M"}
        want = policy.evaluate(data, on)
        assert want == policy.interpret(data, on)
        assert got["错误"] is None
        assert {k: got[k] for k in want} == {k: _plain(v) for k, v in want.items()}
        months = dates.months_between(a, b)
        assert want["整年"] == int(months / 12) if months >= 0 else True
        assert want["满半年"] == (months >= 6)
        assert want["到期日"] == dates.add_months(a, n)
        assert want["周岁数"] == 12 * dates.years_between(a, b)


def test_json_output_is_iso_and_explanations_are_chinese(tmp_path: Path) -> None:
    path = tmp_path / "t.rule"
    path.write_text(HEADER + TIME_RULE, encoding="utf-8")
    data = tmp_path / "in.json"
    data.write_text(json.dumps({"甲日": "1965-01-15", "乙日": "2025-02-20", "期": "P1Y6M"}), encoding="utf-8")
    out = CliRunner().invoke(main, ["eval", str(path), "--date", "2025-03-01", "--input", str(data)])
    got = json.loads(out.output)
    assert got["合计"] == "P61Y7M" and got["到期年月"] == "2026-08" and got["周岁数"] == "P60Y"
    assert got["年龄数"] == "P60Y1M"
    out = CliRunner().invoke(main, ["eval", str(path), "--date", "2025-03-01", "--input", str(data), "--explain"])
    assert "年龄数：60岁1个月" in out.output and "到期年月：2026年8月" in out.output
    assert "间隔为 60年1个月，属于「已满十年」一档" in out.output


# ---------------------------------------------------------------- the national policies


@pytest.fixture(scope="module")
def retirement() -> guize.Policy:
    return guize.load(NATIONAL / "retirement_age_2025.rule", corpus=False)


# (category, original age in years, first birth month, months of birth per month of delay, cap)
SCHEDULES = [("男职工", 60, D(1965, 1, 1), 4, 36),
             ("原法定退休年龄五十五周岁的女职工", 55, D(1970, 1, 1), 4, 36),
             ("原法定退休年龄五十周岁的女职工", 50, D(1975, 1, 1), 2, 60)]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(schedule=st.sampled_from(SCHEDULES), born=st.dates(min_value=D(1955, 1, 1), max_value=D(1995, 12, 31)))
def test_retirement_follows_the_published_schedule(retirement: guize.Policy, schedule: Any, born: dt.date) -> None:
    category, original, first, per, cap = schedule
    data = {"出生日期": born, "人员类别": category}
    got = retirement.evaluate(data, D(2025, 1, 1))
    assert got == retirement.interpret(data, D(2025, 1, 1))
    # 第二条: the k-th birth month from the first one is delayed ⌈k / per⌉ months, at most `cap`.
    k = (born.year - first.year) * 12 + born.month - first.month + 1
    delay = min(cap, max(0, math.ceil(k / per)))
    age = original * 12 + delay
    index = born.year * 12 + born.month - 1 + age
    retire = D(index // 12, index % 12 + 1, 1)
    assert got["延迟月数"] == delay and got["改革后法定退休年龄"] == age
    assert got["退休年月"] == retire
    # 第四条、附件4: 15 years until 2029, then six months more each year up to 20 years.
    assert got["最低缴费年限"] == min(240, 180 + 6 * max(0, retire.year - 2029))
    # 第三条: at most three years earlier, never before the original age; at most three years later.
    earliest = max(index - 36, born.year * 12 + born.month - 1 + original * 12)
    assert got["最早弹性退休年月"] == D(earliest // 12, earliest % 12 + 1, 1)
    assert got["最晚弹性退休年月"] == D((index + 36) // 12, (index + 36) % 12 + 1, 1)


def test_retirement_batch_agrees(retirement: guize.Policy) -> None:
    born = [D(1960 + i // 12, i % 12 + 1, 1 + i % 28) for i in range(0, 360, 7)]
    cats = [SCHEDULES[i % 3][0] for i in range(len(born))]
    rows = retirement.evaluate_batch(pa.table({"出生日期": pa.array(born), "人员类别": cats}), D(2025, 1, 1))
    for b, c, got in zip(born, cats, rows.to_pylist(), strict=True):
        want = retirement.evaluate({"出生日期": b, "人员类别": c}, D(2025, 1, 1))
        assert {k: got[k] for k in want} == {k: _plain(v) for k, v in want.items()}
    assert json.loads(rows.schema.metadata[b"guize"])["rows_scalar"] == 0


@pytest.fixture(scope="module")
def severance() -> guize.Policy:
    return guize.load(NATIONAL / "severance_2008.rule", corpus=False)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.dates(min_value=D(2000, 1, 1), max_value=D(2024, 1, 1)), length=st.integers(0, 9000),
       wage=st.integers(1000, 60000), average=st.integers(3000, 15000))
def test_severance_follows_article_47(severance: guize.Policy, start: dt.date, length: int, wage: int,
                                      average: int) -> None:
    end = start + dt.timedelta(days=length)
    data = {"入职日期": start, "离职日期": end, "月工资": wage, "当地上年度职工月平均工资": average}
    got = severance.evaluate(data, D(2025, 1, 1))
    assert got == severance.interpret(data, D(2025, 1, 1))
    # An independent reading: count from max(入职, 2008-01-01) to the day after leaving.
    begin = max(start, D(2008, 1, 1))
    stop = end + dt.timedelta(days=1)
    months = max(0, dates.months_between(begin, stop))
    years, rest = divmod(months, 12)
    odd_days = dates.add_months(begin, months) < stop
    pay = Decimal(years) + (1 if rest >= 6 else Decimal("0.5") if rest or odd_days else 0)
    base = Decimal(wage)
    if wage > 3 * average:
        base, pay = Decimal(3 * average), min(pay, Decimal(12))
    assert got["经济补偿月数"] == pay
    assert got["经济补偿"] == (pay * base).quantize(Decimal("0.01"))


@pytest.mark.parametrize("worked, sick, days", [("P9Y11M", "P0M", 5), ("P10Y", "P0M", 10), ("P11M", "P0M", 0),
                                                ("P20Y", "P0M", 15), ("P5Y", "P2M", 0), ("P12Y", "P2M", 10),
                                                ("P12Y", "P3M", 0), ("P25Y", "P3M", 15), ("P25Y", "P4M", 0)])
def test_annual_leave_articles_3_and_4(worked: str, sick: str, days: int) -> None:
    policy = guize.load(NATIONAL / "annual_leave_2008.rule", corpus=False)
    data = {"累计工作时间": worked, "本年度病假累计": sick}
    assert policy.evaluate(data, D(2025, 3, 1))["年休假天数"] == days == policy.interpret(data, D(2025, 3, 1))["年休假天数"]


def test_diff_shows_time_rows_and_inputs_as_the_law_words_them(tmp_path: Path) -> None:
    old = (NATIONAL / "retirement_age_2025.rule").read_text(encoding="utf-8")
    (tmp_path / "old.rule").write_text(old, encoding="utf-8")
    (tmp_path / "new.rule").write_text(old.replace("  男职工：1965年1月", "  男职工：1965年3月")
                                       .replace("  男职工：四个月", "  男职工：三个月"), encoding="utf-8")
    out = CliRunner().invoke(main, ["diff", str(tmp_path / "old.rule"), str(tmp_path / "new.rule")]).output
    assert "| 表「延迟起始出生年月」 | 男职工 | — | 1965年1月 | 1965年3月 |" in out
    assert "| 表「每延迟一个月所需月数」 | 男职工 | — | 4个月 | 3个月 |" in out
    assert "改革后法定退休年龄" in out and "60岁1个月" in out


def test_inputs_in_years_and_defaults_in_their_unit(tmp_path: Path) -> None:
    # 整数（年） is given in years and held in months; a default is written in the input's own
    # unit (3万元, 2年) and was applied a second time (3万元 gave 3亿元).
    policy = load(tmp_path, "输入 本金：金额（万元），默认 3万元\n输入 年数：整数（年），默认 2年\n输入 年数乙：整数（年）\n"
                            "输出 折元：金额 = 本金\n输出 月数：整数（月） = 年数\n输出 月数乙：整数（月） = 年数乙\n")
    want = {"折元": Decimal("30000.00"), "月数": 24, "月数乙": 60}
    assert policy.evaluate({"年数乙": 5}, D(2024, 6, 1)) == want == policy.interpret({"年数乙": 5}, D(2024, 6, 1))
    got = policy.evaluate_batch(pa.table({"年数乙": pa.array([5], type=pa.int64())}), D(2024, 6, 1)).to_pylist()
    assert {k: got[0][k] for k in want} == want


def test_a_duration_times_an_amount_per_period(tmp_path: Path) -> None:
    policy = load(tmp_path, "输入 期：期间\n输出 甲：金额 = 期 × 8000元/月\n"
                            "输出 乙：金额 = 1年 × 8000元/月 + 2个月 × 12000元/年\n")
    assert policy.evaluate({"期": "P2M"}, D(2024, 6, 1)) == {"甲": Decimal("16000.00"), "乙": Decimal("98000.00")}


def test_annual_leave_in_columns_with_text_durations_and_defaults() -> None:
    policy = guize.load(NATIONAL / "annual_leave_2008.rule", corpus=False)
    worked = ["P9Y11M", "10年", "P11M", "20年", "P1Y1M20D", None]
    table = pa.table({"累计工作时间": worked, "本年度病假累计": ["P2M", None, None, "3个月", None, None]})
    got = policy.evaluate_batch(table, D(2025, 3, 1)).to_pylist()
    assert [r["年休假天数"] for r in got] == [0, 10, 0, 15, None, None]
    assert "不能含天数" in got[4]["错误"] and "累计工作时间" in got[5]["错误"]


def test_guize_run_writes_durations_and_year_months_as_iso_text(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("出生日期,人员类别\n1965-01-15,男职工\n1980-01-05,原法定退休年龄五十周岁的女职工\n", encoding="utf-8")
    for suffix in (".jsonl", ".csv"):
        target = tmp_path / f"out{suffix}"
        result = CliRunner().invoke(main, ["run", str(NATIONAL / "retirement_age_2025.rule"), "--date", "2025-03-01",
                                           "--input", str(source), "--output", str(target)])
        assert result.exit_code == 0, result.output
        text = target.read_text(encoding="utf-8")
        assert "P60Y1M" in text and "2025-02" in text and "P52Y7M" in text and "2032-08" in text


@pytest.mark.parametrize("months, up, half, down", [(19, 24, 24, 12), (17, 24, 12, 12), (18, 24, 24, 12),
                                                     (12, 12, 12, 12), (0, 0, 0, 0), (1, 12, 0, 0)])
def test_durations_round_to_whole_years(tmp_path: Path, months: int, up: int, half: int, down: int) -> None:
    policy = load(tmp_path, "输入 期：期间\n输出 甲：期间 = 向上取整到年(期)\n输出 乙：期间 = 四舍五入到年(期)\n"
                            "输出 丙：期间 = 向下取整到年(期)\n")
    data = {"期": months}
    assert policy.evaluate(data, D(2024, 6, 1)) == {"甲": up, "乙": half, "丙": down} == policy.interpret(data, D(2024, 6, 1))
    got = policy.evaluate_batch(pa.table({"期": pa.array([months], type=pa.int64())}), D(2024, 6, 1)).to_pylist()[0]
    assert (got["甲"], got["乙"], got["丙"]) == (up, half, down)


def test_rounding_to_years_is_only_for_durations() -> None:
    assert any(d.startswith("E317") for d in diags("输入 钱:金额\n输出 甲：金额 = 向上取整到年(钱)\n"))
    assert any(d.startswith("E317") for d in diags("输入 期:期间\n输出 甲：期间，向上取整到年 = 期\n"))
