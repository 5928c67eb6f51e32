"""Calendar steps written out in the generated code give what the runtime's functions give.

A date input given as 2024-04-26 is read by C's parser in place (values.to_date for anything
else, or for text the parser refuses); 年份/月份/日 are the attribute; 年月(d) of a local is the
YearMonth in place; date − date (period_between) is the month difference in place when the day
of the month is the same or the earlier date's day is earlier (dates.months_between otherwise),
a plain int as an operand of arithmetic;
d + N天 adds a timedelta made once (the function near the calendar's ends); and
若 x < y 则 y 否则 x keeps the operand a branch repeats in a temporary instead of computing
it again. Every case is checked against the reference interpreter (values and errors) and,
for a grid of dates, against the batch engine.
"""

from __future__ import annotations

import datetime
import inspect
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guize
from guize.runtime import dates
from guize.runtime.errors import RuleError

ON = datetime.date(2025, 3, 1)

RULE = """\
文件：
  标题：《日历》
  施行日期：2024年1月1日

输入 开始：日期
输入 结束：日期
输入 另一日：日期，默认 2020年2月29日
输入 金额：金额
定义 开始年月：年月 = 年月(开始)
定义 结束年月：年月 = 年月(结束)
输出 间隔：期间 = 结束 - 开始
输出 年月间隔：期间 = 结束年月 - 开始年月
输出 加一天间隔：期间 = 结束 + 1天 - 开始
输出 间隔加一：期间 = 结束年月 - 开始年月 + 1个月
输出 次日：日期 = 结束 + 1天
输出 三天前：日期 = 结束 - 3天
输出 年份和：整数 = 年份(开始) + 月份(结束) + 日(另一日)
输出 较晚的到期日：日期
  若 开始 + 1年 < 结束 + 6个月 则 结束 + 6个月
  否则 开始 + 1年
输出 封顶：金额
  若 金额 × 2 > 金额 + 100元 则 金额 + 100元
  否则 金额 × 2
输出 起始年月：年月 = 开始年月
"""


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> guize.Policy:
    path = tmp_path_factory.mktemp("calendar") / "calendar.rule"
    path.write_text(RULE, encoding="utf-8")
    return guize.load(path, corpus=False)


def outcome(run: Any, data: dict[str, Any], outputs: list[str] | None = None) -> Any:
    try:
        return run(data, ON, outputs)
    except RuleError as exc:
        return ("error", type(exc).__name__, exc.message)


def test_written_out(policy: guize.Policy) -> None:
    source = " ".join(inspect.getsource(policy.module.out_all).split())
    assert "_fromiso(i_开始)" in source and "i_开始.year" in source and "i_结束.month" in source
    assert "_YearMonth(i_开始.year, i_开始.month, 1)" in source
    assert "_Period((d_结束年月.year - d_开始年月.year) * 12" in source
    assert "_F_period_between(" in source  # outside the common case
    assert "i_结束 + _DAYS1 if i_结束 <= _LAST1 else _F_add_days(i_结束, 1)" in source  # d + 1天
    assert "_DAYS_3 if i_结束 >= _FIRST3 else _F_add_days(i_结束, -3)" in source
    assert "_F_as_period((((d_结束年月.year - d_开始年月.year) * 12" in source  # an operand of +: no Period
    # the branch's operand is computed once, by the comparison
    assert source.count("_F_add_months(i_结束, 6)") == 1 and source.count("_F_add_months(i_开始, 12)") == 1


day = st.dates(datetime.date(1990, 1, 1), datetime.date(2030, 12, 31))
ends = st.sampled_from([datetime.date(2024, 2, 29), datetime.date(2023, 2, 28), datetime.date(2024, 1, 31),
                        datetime.date(2024, 3, 31), datetime.date(2024, 4, 30), datetime.date(9999, 12, 31),
                        datetime.date(1, 1, 1)])
written = st.one_of(day, ends).flatmap(lambda d: st.sampled_from([
    d, d.isoformat(), f"{d.year}年{d.month}月{d.day}日", datetime.datetime(d.year, d.month, d.day, 12),
    dates.YearMonth(d.year, d.month, 1)]))
odd = st.sampled_from(["2024-02-30", "2024-13-01", "2024/01/01", "２０２４-01-01", "2024-1-1", "", "yesterday", 20240101,
                       None, "2023-02-29", "0000-01-01"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.one_of(written, odd), end=st.one_of(written, written, odd), other=st.one_of(st.none(), written, odd),
       money=st.sampled_from(["0", "99.99", "100", "100.01", "12345.67"]))
def test_every_engine_agrees(policy: guize.Policy, start: Any, end: Any, other: Any, money: str) -> None:
    data = {"开始": start, "结束": end, "金额": money}
    if other is not None:
        data["另一日"] = other
    assert outcome(policy.evaluate, data) == outcome(policy.interpret, data)
    for output in ("间隔", "年月间隔", "间隔加一", "年份和", "较晚的到期日", "次日", "三天前"):
        got = outcome(policy.evaluate, data, [output])
        assert got == outcome(policy.interpret, data, [output])
        if isinstance(got, dict):  # the same types too: a duration is a Period, a year-month a YearMonth
            want = policy.interpret(data, ON, [output])
            assert type(got[output]) is type(want[output]), output


def test_batch_agrees(policy: guize.Policy) -> None:
    pa = pytest.importorskip("pyarrow")
    days = [datetime.date(2024, 1, 31), datetime.date(2024, 2, 29), datetime.date(2023, 3, 1),
            datetime.date(2021, 12, 15), datetime.date(2025, 6, 30)]
    rows = [(a, b) for a in days for b in days]
    table = pa.table({"开始": [a for a, _ in rows], "结束": [b for _, b in rows], "金额": ["120.50"] * len(rows)})
    got = policy.evaluate_batch(table, ON, outputs=["间隔", "年月间隔", "加一天间隔", "年份和", "较晚的到期日", "封顶"])
    for (a, b), row in zip(rows, got.to_pylist(), strict=True):
        want = policy.evaluate({"开始": a, "结束": b, "金额": "120.50"}, ON)
        assert row["间隔"] == want["间隔"] and row["年月间隔"] == want["年月间隔"]
        assert row["加一天间隔"] == want["加一天间隔"] and row["年份和"] == want["年份和"]
        assert row["较晚的到期日"] == want["较晚的到期日"] and row["封顶"] == want["封顶"]


def test_the_corpus_reads_dates_in_place() -> None:
    root = Path(__file__).resolve().parent.parent
    severance = guize.load(root / "policies/national/severance_2008.rule")
    assert "_fromiso(i_入职日期)" in inspect.getsource(severance.module.out_all)
    retirement = guize.load(root / "policies/national/retirement_age_2025.rule")
    source = " ".join(inspect.getsource(retirement.module.out_all).split())
    assert source.count("_F_add_months(") == 2  # 最早弹性退休年月: each side once
