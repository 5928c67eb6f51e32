"""guize run with spreadsheets: .xlsx in and out, GBK/GB18030 CSV (detected or --encoding),
CSV with a BOM for Excel (--excel); results equal evaluate; errors in Chinese."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import guize
from guize.cli import main

openpyxl = pytest.importorskip("openpyxl")

OUTPATIENT = "policies/xinjiang/outpatient_2024.rule"
HEADER = ["编号", "医院级别", "退休人员", "本次费用", "住院起付线", "本年已就诊次数", "本年已支付"]
ROWS = [["A", "二级", "是", "1860.50", "600", "1", "3400"],
        ["B", "三级", "否", "1,000", "600", "0", "0"],
        ["C", "四级", "否", "10", "600", "0", "0"]]


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def _expected(row: list[str]) -> str | None:
    data = dict(zip(HEADER[1:], row[1:], strict=True))
    try:
        return str(guize.load(OUTPATIENT).evaluate(data, "2025-03-01", ["统筹基金支付"])["统筹基金支付"])
    except guize.RuleError as exc:
        return exc.message


def _csv(rows: list[list[str]]) -> str:
    return "\n".join(",".join(f'"{c}"' if "," in c else c for c in r) for r in [HEADER, *rows]) + "\n"


def _results(path: Path) -> list[dict[str, object]]:
    return [json.loads(line, parse_float=Decimal) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_gbk_csv_is_detected(tmp_path: Path, encoding: str) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(_csv(ROWS).encode(encoding))
    out = tmp_path / "out.jsonl"
    result = run("run", OUTPATIENT, "--date", "2025-03-01", "--input", str(source), "--output", str(out),
                 "--keep", "编号", "--only", "统筹基金支付", "--format", "json")
    assert result.exit_code == 1, result.output  # row C has an invalid 医院级别
    assert json.loads(result.stdout)["encoding"] == "gb18030"
    got = _results(out)
    assert [r["编号"] for r in got] == ["A", "B", "C"]
    for row, r in zip(ROWS, got, strict=True):
        value = r["统筹基金支付"] if r["错误"] is None else r["错误"]
        assert (str(value) if value is not None else None) == _expected(row)


def test_encoding_option_and_its_errors(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(_csv(ROWS[:2]).encode("gbk"))
    out = tmp_path / "out.jsonl"
    ok = run("run", OUTPATIENT, "--date", "2025-03-01", "--input", str(source), "--output", str(out),
             "--encoding", "GBK", "--only", "统筹基金支付")
    assert ok.exit_code == 0, ok.output
    wrong = run("run", OUTPATIENT, "--date", "2025-03-01", "--input", str(source), "--output", str(out),
                "--encoding", "utf-8")
    assert wrong.exit_code == 1 and "不是 utf-8 编码的内容" in wrong.stderr and "--encoding gb18030" in wrong.stderr
    unknown = run("run", OUTPATIENT, "--date", "2025-03-01", "--input", str(source), "--output", str(out),
                  "--encoding", "nope")
    assert unknown.exit_code == 1 and "不认识的编码「nope」" in unknown.stderr
    assert "Traceback" not in wrong.output + unknown.output


def test_excel_csv_has_a_bom_and_the_same_rows(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(_csv(ROWS[:2]), encoding="utf-8")
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    for target, extra in ((plain, []), (excel, ["--excel"])):
        result = run("run", OUTPATIENT, "--date", "2025-03-01", "--input", str(source), "--output", str(target),
                     "--keep", "编号", "--only", "统筹基金支付", *extra)
        assert result.exit_code == 0, result.output
    assert excel.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    # A CSV with a BOM (as Excel saves 「CSV UTF-8」) reads as input: its first column is 「编号」.
    bom = tmp_path / "bom.csv"
    bom.write_text(_csv(ROWS[:2]), encoding="utf-8-sig")
    again = run("run", OUTPATIENT, "--date", "2025-03-01", "--input", str(bom), "--output",
                str(tmp_path / "again.csv"), "--keep", "编号", "--only", "统筹基金支付")
    assert again.exit_code == 0, again.output
    assert (tmp_path / "again.csv").read_bytes() == plain.read_bytes()


def test_xlsx_in_and_out(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([*HEADER, "就诊日期"])
    # Cells typed as Excel types them: numbers as numbers (1860.5 is a float), flags as booleans, dates.
    sheet.append(["A", "二级", True, 1860.5, 600, 1, 3400, datetime.datetime(2025, 3, 1)])
    sheet.append(["B", "三级", False, 0.1 + 0.2, 600, 0, 0, datetime.datetime(2024, 5, 1)])
    sheet.append([None] * 8)  # a blank row (Excel keeps formatted empty rows)
    sheet.append(["C", "四级", False, 10, 600, 0, None, datetime.datetime(2025, 3, 1)])  # an empty cell: null
    source = tmp_path / "in.xlsx"
    book.save(source)
    out = tmp_path / "out.xlsx"
    result = run("run", OUTPATIENT, "--date-column", "就诊日期", "--input", str(source), "--output", str(out),
                 "--keep", "编号", "--only", "统筹基金支付", "--only", "支付比例")
    assert result.exit_code == 1, result.output
    policy = guize.load(OUTPATIENT)
    inputs = [({"医院级别": "二级", "退休人员": True, "本次费用": 1860.5, "住院起付线": 600, "本年已就诊次数": 1,
                "本年已支付": 3400}, "2025-03-01"),
              ({"医院级别": "三级", "退休人员": False, "本次费用": 0.1 + 0.2, "住院起付线": 600, "本年已就诊次数": 0,
                "本年已支付": 0}, "2024-05-01")]
    rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("编号", "统筹基金支付", "支付比例", "错误")
    assert len(rows) == 4
    for (data, on), row in zip(inputs, rows[1:3], strict=True):
        want = policy.evaluate(data, on, ["统筹基金支付", "支付比例"])
        assert Decimal(str(row[1])) == want["统筹基金支付"] and Decimal(str(row[2])) == want["支付比例"]
        assert row[3] is None
    with pytest.raises(guize.RuleError) as row_c:  # the empty cell is a missing input
        policy.evaluate({"医院级别": "四级", "退休人员": False, "本次费用": 10, "住院起付线": 600,
                         "本年已就诊次数": 0}, "2025-03-01", ["统筹基金支付", "支付比例"])
    assert rows[3][0] == "C" and rows[3][3] == row_c.value.message


def test_xlsx_errors_in_chinese(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    result = run("run", OUTPATIENT, "--date", "2025-03-01", "--input", str(bad), "--output", str(tmp_path / "o.csv"))
    assert result.exit_code == 1 and "不是有效的 .xlsx 文件" in result.stderr
    assert not (tmp_path / "o.csv").exists()
    old = tmp_path / "old.xls"
    old.write_text("x", encoding="utf-8")
    result = run("run", OUTPATIENT, "--date", "2025-03-01", "--input", str(old), "--output", str(tmp_path / "o.csv"))
    assert result.exit_code == 2 and ".xlsx" in result.stderr
