"""A corpus: documents in several files that repeal and replace each other."""

import datetime as dt
from pathlib import Path

import pytest

import guize
from guize.compiler.corpus import load_corpus
from guize.compiler.diagnostics import CompileError
from guize.compiler.driver import check_source

D = dt.date


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    # 甲 (2010) is replaced by 乙 (2020), which is repealed by 丙 (2024).
    write(tmp_path, "a.rule", "文件：\n  标题：《甲办法》\n  文号：某发〔2010〕1号\n  施行日期：2010年1月1日\n\n"
          "输入 费用：金额\n输出 补贴：金额 = 费用 × 10%\n")
    write(tmp_path, "b.rule", "文件：\n  标题：《乙办法》\n  文号：某发〔2020〕2号\n  施行日期：2020年7月1日\n"
          "  替代：某发〔2010〕1号\n\n输入 费用：金额\n输出 补贴：金额 = 费用 × 20%\n")
    write(tmp_path, "c.rule", "文件：\n  标题：《关于废止〈乙办法〉的决定》\n  文号：某令第3号\n"
          "  施行日期：2024年4月12日\n  废止：《乙办法》\n")
    return tmp_path


def test_repeal_chain(chain: Path) -> None:
    corpus = load_corpus([str(chain)])
    assert corpus.diagnostics == []
    (a,) = corpus.find("某发〔2010〕1号")
    (b,) = corpus.find("乙办法")
    assert a.window.status(D(2020, 6, 30))[0] == "in_force"
    assert a.window.status(D(2020, 7, 1))[0] == "repealed"
    assert "替代" in a.window.status(D(2020, 7, 1))[1]
    assert b.window.status(D(2024, 4, 11))[0] == "in_force"
    code, message = b.window.status(D(2024, 4, 12))
    assert code == "repealed" and "《关于废止〈乙办法〉的决定》（某令第3号）废止" in message


def test_evaluation_refused_after_repeal(chain: Path) -> None:
    policy = guize.load(chain / "b.rule")
    assert policy.evaluate({"费用": 100}, on="2024-04-11") == {"补贴": 20}
    with pytest.raises(guize.NotInForce) as info:
        policy.evaluate({"费用": 100}, on="2024-04-12")
    assert info.value.detail["status"] == "repealed"
    # Loaded alone, the file knows nothing of the repeal.
    assert guize.load(chain / "b.rule", corpus=None).evaluate({"费用": 100}, on="2024-04-12") == {"补贴": 20}


def test_unknown_repeal_target_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path, "x.rule", "文件：\n  标题：《某决定》\n  施行日期：2024年1月1日\n  废止：《不存在的办法》\n")
    (diag,) = load_corpus([str(tmp_path)]).diagnostics
    assert diag.severity == "warning" and "不在文件库中" in diag.message


def test_repeal_before_effect_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "x.rule", "文件：\n  标题：《某决定》\n  施行日期：2024年1月1日\n  废止：《新办法》\n")
    write(tmp_path, "y.rule", "文件：\n  标题：《新办法》\n  施行日期：2025年1月1日\n")
    (diag,) = load_corpus([str(tmp_path)]).diagnostics
    assert diag.severity == "error" and "早于施行" in diag.message


def test_gazette_order_235_repeals_seven() -> None:
    corpus = load_corpus(["policies/xinjiang"])
    repealed = [e for e in corpus.entries if e.repealed and e.repealed.by_docno == "新疆维吾尔自治区人民政府令第235号"]
    assert len(repealed) == 7
    assert {e.repealed.on for e in repealed if e.repealed} == {D(2024, 4, 12)}
    assert len([e for e in corpus.entries if e.path.endswith("register_2024q1.rule")]) == 47


HEADER = "文件：\n  标题：《测试》\n  施行日期：2024年4月26日\n  截止日期：2025年12月31日\n\n"


def test_gap_between_versions_is_a_warning() -> None:
    checked = check_source(HEADER + "参数 标准：金额\n  自2024年4月26日起至2024年8月31日止：1元\n"
                           "  自2024年10月1日起：2元\n输出 甲：金额 = 标准\n", "t.rule")
    (warning,) = [d for d in checked.diagnostics if d.code == "W281"]
    assert "2024年9月1日 至 2024年9月30日" in warning.message


def test_change_before_the_document_starts_is_an_error() -> None:
    with pytest.raises(CompileError) as info:
        check_source(HEADER + "参数 标准：金额\n  自2024年1月1日起：1元\n  自2024年3月1日起：2元\n"
                     "输出 甲：金额 = 标准\n", "t.rule")
    assert any(d.code == "E284" for d in info.value.diagnostics)


def test_value_gap_refuses_those_dates(tmp_path: Path) -> None:
    path = write(tmp_path, "g.rule", HEADER + "参数 标准：金额\n  自2024年4月26日起至2024年8月31日止：1元\n"
                 "  自2024年10月1日起：2元\n输出 甲：金额 = 标准\n")
    policy = guize.load(path)
    assert policy.evaluate({}, on="2024-08-31") == {"甲": 1}
    with pytest.raises(guize.NotInForce) as info:
        policy.evaluate({}, on="2024-09-15")
    assert "「标准」在 2024年9月15日 没有有效的取值" in info.value.message
    assert policy.evaluate({}, on="2024-10-01") == {"甲": 2}
