"""Hostile inputs and odd documents (issue 22): each case ends in a RuleError or a result."""

import datetime
import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

import guize
from guize.runtime.errors import InvalidInput, NotInForce, UnknownOutput

NO_OUTPUTS = ["policies/xinjiang/order_235.rule", "policies/xinjiang/register_2024q1.rule"]


# ---------------------------------------------------------------- documents without outputs


@pytest.mark.parametrize("path", NO_OUTPUTS)
@pytest.mark.parametrize("on", ["2025-03-01", "9999-12-31", datetime.date(2025, 3, 1),
                                datetime.datetime(2025, 3, 1, 12, tzinfo=datetime.UTC)])
def test_document_without_outputs_evaluates_to_nothing(path: str, on: object) -> None:
    policy = guize.load(path)
    assert policy.outputs == []
    for _ in range(3):  # the first calls and the fast front alike
        assert policy.evaluate({}, on) == {}
        assert policy.evaluate({}, on, []) == {}
    assert policy.interpret({}, on) == {}
    assert policy.explain({}, on).values == {}
    assert policy.window.status(datetime.date(2025, 3, 1))[0] == "in_force"


@pytest.mark.parametrize("path", NO_OUTPUTS)
def test_document_without_outputs_says_so(path: str) -> None:
    policy = guize.load(path)
    with pytest.raises(UnknownOutput, match="该文件没有输出"):
        policy.evaluate({}, "2025-03-01", ["统筹基金支付"])
    with pytest.raises(UnknownOutput, match="该文件没有输出"):
        policy.explain({}, "2025-03-01", ["统筹基金支付"])
    with pytest.raises(InvalidInput, match="未知的输入"):
        policy.evaluate({"本次费用": 1}, "2025-03-01")
    with pytest.raises(NotInForce):
        policy.evaluate({}, "2000-01-01")


@pytest.mark.parametrize("path", NO_OUTPUTS)
def test_document_without_outputs_in_batch(path: str) -> None:
    pytest.importorskip("pyarrow")
    policy = guize.load(path)
    table = policy.evaluate_batch({"编号": [1, 2, 3]}, "2025-03-01")
    assert table.column_names == ["错误"]
    assert table.num_rows == 3
    assert table.column("错误").null_count == 3
    table = policy.evaluate_batch({"编号": [1, 2]}, "2000-01-01")
    assert all("尚未施行" in m for m in table.column("错误").to_pylist())
    with pytest.raises(UnknownOutput, match="该文件没有输出"):
        policy.evaluate_batch({"编号": [1]}, "2025-03-01", ["统筹基金支付"])
    with pytest.raises(InvalidInput):
        policy.evaluate_batch({"编号": 1}, "2025-03-01")


# ---------------------------------------------------------------- numbers out of range

OUTPATIENT = "policies/xinjiang/outpatient_2024.rule"
BASE = {"医院级别": "二级", "退休人员": False, "本次费用": "1000", "住院起付线": 600,
        "本年已就诊次数": 0, "本年已支付": 0}
VISIT = ["统筹基金支付"]
HUGE = [10**15, 10**20, 10**999999, -(10**999999), "1e999999", "1E+15", Decimal("1E+999999"),
        Decimal("1000000000000000.5"), 1e15, 1e308, "1,000,000,000,000,000"]


def _id(value: object) -> str:
    if isinstance(value, int) and value.bit_length() > 64:
        return f"int-2^{value.bit_length()}"
    return f"{type(value).__name__}-{value}"[:30]


IN_RANGE = [10**15 - 1, "999999999999999.99", Decimal("999999999999999"), 1e14, 0, "1E-30"]


@pytest.mark.parametrize("name", ["本次费用", "本年已就诊次数", "住院起付线"])
@pytest.mark.parametrize("value", HUGE, ids=_id)
def test_numbers_out_of_range_are_rejected_everywhere(name: str, value: object) -> None:
    policy = guize.load(OUTPATIENT)
    data = {**BASE, name: value}
    for _ in range(3):  # the first calls and the fast front alike
        with pytest.raises(InvalidInput, match=f"输入「{name}」.*超出可计算的范围") as caught:
            policy.evaluate(data, "2025-03-01", VISIT)
        assert caught.value.detail["input"] == name
    with pytest.raises(InvalidInput, match="超出可计算的范围"):
        policy.evaluate(data, "2025-03-01", ["统筹基金支付", "起付标准"])
    with pytest.raises(InvalidInput, match="超出可计算的范围"):
        policy.explain(data, "2025-03-01", VISIT)


@pytest.mark.parametrize("name", ["本次费用", "本年已就诊次数", "本年已支付"])
@pytest.mark.parametrize("value", IN_RANGE, ids=_id)
def test_numbers_in_range_are_computed(name: str, value: object) -> None:
    if name == "本年已就诊次数" and value in ("999999999999999.99", "1E-30"):
        return  # not whole numbers
    policy = guize.load(OUTPATIENT)
    data = {**BASE, name: value}
    assert policy.evaluate(data, "2025-03-01", VISIT) == policy.interpret(data, "2025-03-01", VISIT)


# Too many digits (values.MAX_FRACTION_DIGITS places, values.MAX_NUMBER_TEXT characters of text).
TINY = "0." + "0" * 100_000 + "1"
TOO_MANY_DIGITS = [TINY, Decimal(TINY), "1" * 1_000_000, "1e-999999", Decimal("1E-999999"), "0E-5000",
                   Decimal("1." + "1" * 1001), "1." + "1" * 1001, " " * 2000 + "1"]
TOO_MANY = r"输入「本次费用」的值「.*」(小数位数过多：最多 1000 位|太长：写成文字的数最多 1100 个字符)"
MANY_PLACES = ["1860.5" + "0" * 993 + "1", Decimal("0." + "0" * 998 + "1"), "1E-1000", 1e-300, "  1000  "]


@pytest.mark.parametrize("value", TOO_MANY_DIGITS, ids=_id)
def test_numbers_with_too_many_digits_are_rejected_everywhere(value: object) -> None:
    """Scalar (the first calls, the fast front, a subset of outputs), the interpreter, explain and
    batch (that row alone) refuse it by the input's name (bench/corpus_bench.py times the ordinary values)."""
    policy = guize.load(OUTPATIENT)
    data = {**BASE, "本次费用": value}
    calls = [lambda: policy.evaluate(data, "2025-03-01", VISIT),
             lambda: policy.evaluate(data, "2025-03-01", ["统筹基金支付", "起付标准"]),
             lambda: policy.interpret(data, "2025-03-01", VISIT), lambda: policy.explain(data, "2025-03-01", VISIT)]
    for call in [calls[0], *calls]:
        with pytest.raises(InvalidInput, match=TOO_MANY) as caught:
            call()
        assert caught.value.detail["input"] == "本次费用"
        assert len(caught.value.message) < 200  # the value is shortened in the message
    if pytest.importorskip("pyarrow"):
        rows = {k: [v] * 2 for k, v in BASE.items()}
        rows["本次费用"] = [value, "1000"]
        errors = policy.evaluate_batch(rows, "2025-03-01", VISIT).column("错误").to_pylist()
        assert ("小数位数过多" in errors[0] or "太长" in errors[0]) and errors[1] is None


@pytest.mark.parametrize("value", MANY_PLACES, ids=_id)
def test_numbers_within_the_digit_limits_are_computed(value: object) -> None:
    policy = guize.load(OUTPATIENT)
    data = {**BASE, "本次费用": value}
    expected = policy.interpret(data, "2025-03-01", VISIT)
    assert policy.evaluate(data, "2025-03-01", VISIT) == expected
    assert policy.evaluate(data, "2025-03-01", ["统筹基金支付", "起付标准"])["统筹基金支付"] == expected["统筹基金支付"]
    if pytest.importorskip("pyarrow"):
        rows = {k: [v] for k, v in BASE.items()}
        rows["本次费用"] = [value]
        table = policy.evaluate_batch(rows, "2025-03-01", VISIT)
        assert table.column("错误").to_pylist() == [None]
        assert table.column("统筹基金支付").to_pylist() == [expected["统筹基金支付"]]


def test_eval_and_run_refuse_too_many_digits_by_name(tmp_path: Path) -> None:
    """From the command line: a JSON number (read as Decimal) or a whole number of 5,000 digits
    (which int() refuses: it was a ValueError traceback) for `guize eval`; a CSV cell for `guize run`."""
    for number, why in (("0." + "0" * 5000 + "1", "小数位数过多"), ("1" * 5000, "超出可计算的范围"),
                        ("1" * 90, "超出可计算的范围"), ("1." + "1" * 1500, "小数位数过多")):
        record = tmp_path / "in.json"
        record.write_text(json.dumps({**BASE, "本次费用": "@"}, ensure_ascii=False).replace('"@"', number),
                          encoding="utf-8")
        result = subprocess.run([sys.executable, "-m", "guize", "eval", OUTPATIENT, "--date", "2025-03-01",
                                 "--input", str(record), "--output", "统筹基金支付"], capture_output=True, text=True, timeout=120)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "输入「本次费用」" in result.stderr and why in result.stderr, result.stderr
    pytest.importorskip("pyarrow")
    csv = tmp_path / "in.csv"
    head = ",".join(BASE)
    row = ",".join(str(v) for v in BASE.values())
    csv.write_text(f"{head}\n{row}\n{row.replace('1000', TINY[:3000], 1)}\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = _run(OUTPATIENT, "--date", "2025-03-01", "--input", str(csv), "--output", str(out), "--no-progress",
                  "--only", "统筹基金支付")
    assert result.returncode == 1 and "Traceback" not in result.stderr and "其中 1 行出错" in result.stderr
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1] == "658.00," and "输入「本次费用」" in lines[2] and "太长" in lines[2], lines


def test_numbers_out_of_range_in_batch() -> None:
    pa = pytest.importorskip("pyarrow")
    policy = guize.load(OUTPATIENT)
    for column in ([1000, 10**15, 10**15 - 1, 2**62],
                   [Decimal(1000), Decimal("1E+15"), Decimal(10**15 - 1), Decimal("1E+30")],
                   ["1000", "1e999999", "999999999999999", "1000000000000000"],
                   [1000.0, 1e15, 999999999999999.0, 1e300]):
        rows = {k: [v] * 4 for k, v in BASE.items()}
        rows["本次费用"] = column
        table = policy.evaluate_batch(rows, "2025-03-01", VISIT)
        errors = table.column("错误").to_pylist()
        assert errors[0] is None and errors[2] is None
        assert "超出可计算的范围" in errors[1] and "超出可计算的范围" in errors[3]
        assert table.column("统筹基金支付")[0].as_py() == policy.evaluate(BASE, "2025-03-01", VISIT)["统筹基金支付"]
    ints = {k: [v] * 3 for k, v in BASE.items()}
    ints["本年已就诊次数"] = pa.array([1, 10**15, 10**15 - 1], pa.int64())
    errors = policy.evaluate_batch(ints, "2025-03-01", VISIT).column("错误").to_pylist()
    assert errors[0] is None and errors[2] is None and "超出可计算的范围" in errors[1]


def test_run_rejects_a_huge_number_per_row(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    header = ",".join(BASE)
    row = ",".join(str(v) for v in BASE.values())
    huge = ",".join("1e999999" if k == "本次费用" else str(v) for k, v in BASE.items())
    source.write_text(f"{header}\n{row}\n{huge}\n{row}\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = subprocess.run([sys.executable, "-m", "guize.cli", "run", OUTPATIENT, "--date", "2025-03-01",
                           "--input", str(source), "--output", str(out), "--only", "统筹基金支付"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["错误"] is None for r in rows] == [True, False, True]
    assert "输入「本次费用」" in rows[1]["错误"] and "超出可计算的范围" in rows[1]["错误"]


# ---------------------------------------------------------------- hostile batch columns


@pytest.mark.parametrize("column", [
    ["1E+999999", "1E-1", "1000"],
    [1e308, 10**400, "1,000.5", Decimal("1E-999999"), "1E-999999", "9" * 50, "1000"],
    [Decimal("1E+400"), Decimal("0.1"), Decimal("1E-40"), Decimal(1000)],
    ["1e308", "1" + "0" * 30, "-1e308", "nan", "inf", "1e-400", "0.1", "1000"],
], ids=["exp", "mixed", "decimals", "strings"])
@pytest.mark.parametrize("name", ["本次费用", "本年已就诊次数"])
def test_batch_gives_each_hostile_row_its_own_error(column: list, name: str) -> None:
    pytest.importorskip("pyarrow")
    policy = guize.load(OUTPATIENT)
    rows = {k: [v] * len(column) for k, v in BASE.items()}
    rows[name] = column
    table = policy.evaluate_batch(rows, "2025-03-01", VISIT)
    errors = table.column("错误").to_pylist()
    values = table.column("统筹基金支付").to_pylist()
    for i in range(len(column)):
        row = {k: str(v[i]) if k == name and not isinstance(v[i], str) else v[i] for k, v in rows.items()}
        try:
            expected = policy.evaluate(row, "2025-03-01", VISIT)["统筹基金支付"]
        except guize.RuleError as exc:
            assert errors[i] is not None and errors[i].startswith(f"输入「{name}」"), (i, exc, errors[i])
            assert values[i] is None
        else:
            assert errors[i] is None and values[i] == expected
    assert errors[-1] is None  # the ordinary row is computed


def test_batch_integer_input_from_a_decimal_column_with_many_places() -> None:
    pa = pytest.importorskip("pyarrow")
    policy = guize.load(OUTPATIENT)
    count = pa.array([Decimal(0), Decimal("0.5"), Decimal(1), Decimal("9.9")], pa.decimal128(38, 37))
    rows = {k: [v] * 4 for k, v in BASE.items()}
    rows["本年已就诊次数"] = count
    table = policy.evaluate_batch(rows, "2025-03-01", VISIT)
    errors = table.column("错误").to_pylist()
    assert errors[0] is None and errors[2] is None
    assert "应为整数" in errors[1] and "应为整数" in errors[3]
    assert table.column("统筹基金支付").to_pylist()[:1] == [policy.evaluate(BASE, "2025-03-01", VISIT)["统筹基金支付"]]


# ---------------------------------------------------------------- JSON Lines with changing types


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "guize.cli", "run", *args], capture_output=True, text=True,
                          timeout=120)


def test_run_reads_jsonl_whose_types_change_between_rows(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    cost: list[object] = [1000, "1000", [1000], None, {"元": 1000}, True, 1000.5, "1,000.50", "1e999999"]
    source = tmp_path / "in.jsonl"
    with source.open("w", encoding="utf-8") as fh:
        for i, value in enumerate(cost):
            row = {**BASE, "本次费用": value, "编号": i + 1, "备注": [i] if i % 2 else str(i)}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    out = tmp_path / "out.jsonl"
    done = _run(OUTPATIENT, "--date", "2025-03-01", "--input", str(source), "--output", str(out),
                "--only", "统筹基金支付", "--keep", "编号")
    assert done.returncode == 1, done.stderr  # some rows have errors
    assert "Column" not in done.stderr and "Traceback" not in done.stderr
    rows = [json.loads(line, parse_float=Decimal) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["编号"] for r in rows] == list(range(1, len(cost) + 1))
    policy = guize.load(OUTPATIENT)
    for value, row in zip(cost, rows, strict=True):
        data = {**BASE, "本次费用": value}
        if value is None:
            del data["本次费用"]
        try:
            expected = policy.evaluate(data, "2025-03-01", VISIT)["统筹基金支付"]
        except guize.RuleError:
            assert row["错误"] and row["统筹基金支付"] is None, row
        else:
            assert row["错误"] is None and row["统筹基金支付"] == expected, row
    assert [r["错误"] is None for r in rows] == [True, True, False, False, False, False, True, True, False]


def test_run_names_a_line_that_is_not_json(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(BASE, ensure_ascii=False) + "\n{oops\n", encoding="utf-8")
    done = _run(OUTPATIENT, "--date", "2025-03-01", "--input", str(source), "--output", str(tmp_path / "o.jsonl"))
    assert done.returncode != 0
    assert "第 2 行不是合法的 JSON" in done.stderr and "Traceback" not in done.stderr


# ---------------------------------------------------------------- a killed run's temporaries


def test_a_killed_run_leaves_temporaries_that_the_next_run_removes(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    header = ",".join(BASE)
    row = ",".join(str(v) for v in BASE.values())
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write(header + "\n")
        fh.write((row + "\n") * 400_000)
    out = tmp_path / "out.csv"
    cmd = [sys.executable, "-m", "guize.cli", "run", OUTPATIENT, "--date", "2025-03-01", "--input", str(big),
           "--output", str(out), "--only", "统筹基金支付", "--chunk-rows", "2000", "--no-progress"]
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            temporaries = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
            if len(temporaries) == 2 and all(p.stat().st_size for p in temporaries if ".out.csv." in p.name):
                break
            time.sleep(0.05)
        assert child.poll() is None, "the run ended before it could be killed"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    stale = sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
    assert len(stale) == 2 and not out.exists(), stale  # never a half-written output
    assert any(n.startswith(".out.csv.guize-") for n in stale)
    assert any(n.startswith(".out.errors.jsonl.guize-") for n in stale)
    # Not removed: a temporary of a live writer (this process) and a file guize did not name.
    live = tmp_path / stale[0].replace(f"-{child.pid}-", f"-{os.getpid()}-")
    live.write_text("", encoding="utf-8")
    foreign = tmp_path / ".out.csv.other.tmp"
    foreign.write_text("", encoding="utf-8")
    small = tmp_path / "small.csv"
    small.write_text(f"{header}\n{row}\n", encoding="utf-8")
    cmd[cmd.index(str(big))] = str(small)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
    assert left == sorted([live.name, foreign.name])
    assert out.read_text(encoding="utf-8").count("\n") == 2


# ---------------------------------------------------------------- the default corpus

GOOD = """文件：
  标题：《甲办法》
  文号：甲发〔2024〕1号
  施行日期：2024年1月1日

输入 收入：金额

输出 补贴：金额 = 收入 × 10%
"""
REPEALER = """文件：
  标题：《关于废止甲办法的决定》
  文号：乙发〔2024〕2号
  施行日期：2025年1月1日
  废止：《甲办法》
"""
BROKEN_REPEALER = "文件：\n  标题：《关于废止〈甲办法〉的决定》\n  废止：《甲办法》\n\n输出 x：金额 = (((\n"
BROKEN = "输出 x：金额 = ((((((\n"


def _folder(tmp_path: Path) -> Path:
    scratch = tmp_path / "scratch"
    (scratch / "sub").mkdir(parents=True)
    (scratch / "b.rule").write_text(GOOD, encoding="utf-8")
    (scratch / "broken.rule").write_text(BROKEN, encoding="utf-8")  # names no document of b.rule
    (scratch / "sub" / "deep.rule").write_text("输出 x：金额 = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
                                               encoding="utf-8")
    (scratch / "sub" / "repealer.rule").write_text(REPEALER, encoding="utf-8")  # not in the default corpus
    return scratch


def test_load_parses_only_neighbours_that_may_repeal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from guize.compiler import corpus

    scratch = _folder(tmp_path)
    parsed: list[str] = []
    real = corpus.load_module

    def spy(path: object, *args: object, **kwargs: object) -> object:
        parsed.append(Path(str(path)).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(corpus, "load_module", spy)
    policy = guize.load(scratch / "b.rule")
    assert parsed == [] and policy.warnings == ()  # neither broken.rule nor sub/ was read as rules
    assert policy.window.status(datetime.date(2026, 1, 1))[0] == "in_force"  # sub/repealer.rule: not searched
    (scratch / "repealer.rule").write_text(REPEALER, encoding="utf-8")
    policy = guize.load(scratch / "b.rule")
    assert parsed == ["repealer.rule"]
    assert policy.window.status(datetime.date(2026, 1, 1))[0] == "repealed"
    # An explicit corpus directory is searched with its subdirectories.
    (scratch / "repealer.rule").unlink()
    assert guize.load(scratch / "b.rule", corpus=scratch).window.status(datetime.date(2026, 1, 1))[0] == "repealed"


def test_a_broken_neighbour_is_a_warning_naming_it(tmp_path: Path) -> None:
    scratch = _folder(tmp_path)
    (scratch / "a_broken_repealer.rule").write_text(BROKEN_REPEALER, encoding="utf-8")
    with pytest.warns(UserWarning, match="a_broken_repealer.rule"):
        policy = guize.load(scratch / "b.rule")
    assert len(policy.warnings) == 1 and "a_broken_repealer.rule" in policy.warnings[0]
    assert policy.evaluate({"收入": 100}, "2025-03-01") == {"补贴": Decimal("10.00")}
    (tmp_path / "in.json").write_text('{"收入": 100}', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "guize.cli", "eval", str(scratch / "b.rule"), "--date", "2025-03-01",
                           "--input", str(tmp_path / "in.json")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"补贴": 10.00}
    assert "警告" in done.stderr and "a_broken_repealer.rule" in done.stderr
    assert "Traceback" not in done.stderr and "deep.rule" not in done.stderr


# ---------------------------------------------------------------- the run summary names slow outputs

DIVIDING = """文件：
  标题：《人均办法》
  施行日期：2024年1月1日

输入 总额：金额
输入 人数：整数

定义 人均：金额 = 取较大值(总额 ÷ 人数，0元)
输出 人均补贴：金额 = 人均 × 10%
输出 总补贴：金额 = 总额 × 10%
"""


def test_run_summary_says_which_outputs_go_row_by_row_and_why(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    rule = tmp_path / "p.rule"
    rule.write_text(DIVIDING, encoding="utf-8")
    source = tmp_path / "in.csv"
    source.write_text("总额,人数\n1000,3\n500,2\n", encoding="utf-8")
    done = _run(str(rule), "--date", "2025-03-01", "--input", str(source), "--output", str(tmp_path / "o.csv"))
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if line.startswith("注意")]
    assert len(notes) == 1 and "「人均补贴」" in notes[0] and "「人均」" in notes[0]
    assert "未舍入" in notes[0] and "舍入" in notes[0].split("原因")[1]
    done = _run(str(rule), "--date", "2025-03-01", "--input", str(source), "--output", str(tmp_path / "o.csv"),
                "--format", "json", "--only", "总补贴")
    assert json.loads(done.stdout)["slow_outputs"] == {}
    done = _run(str(rule), "--date", "2025-03-01", "--input", str(source), "--output", str(tmp_path / "o.csv"),
                "--format", "json")
    assert list(json.loads(done.stdout)["slow_outputs"]) == ["人均补贴"]


# ---------------------------------------------------------------- the file API behind guize run


def test_run_file_is_a_library_api(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    from guize.runtime.files import errors_path, file_format, run_file

    source = tmp_path / "in.csv"
    source.write_text(",".join(BASE) + ",编号\n" + ",".join(str(v) for v in BASE.values()) + ",7\n"
                      + ",".join("x" if k == "本次费用" else str(v) for k, v in BASE.items()) + ",8\n",
                      encoding="utf-8")
    calls: list[tuple[int, int, str]] = []
    policy = guize.load(OUTPATIENT)
    summary = run_file(policy, source, tmp_path / "out.parquet", datetime.date(2025, 3, 1), VISIT, keep=["编号"],
                       progress=lambda done, total, unit: calls.append((done, total, unit)))
    assert summary["rows"] == 2 and summary["errors"] == 1
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.column_names == ["编号", "统筹基金支付", "错误"]
    assert table.column("统筹基金支付")[0].as_py() == policy.evaluate(BASE, "2025-03-01", VISIT)["统筹基金支付"]
    assert json.loads(errors_path(tmp_path / "out.parquet").read_text(encoding="utf-8"))["row"] == 2
    assert calls and calls[-1][0] == calls[-1][1] and calls[-1][2] == "bytes"
    assert file_format("a.NDJSON") == ".jsonl" and file_format("a.txt") is None
    with pytest.raises(guize.RuleError, match="格式无法识别"):
        run_file(policy, source, tmp_path / "out.txt", "2025-03-01", VISIT)


@pytest.mark.parametrize("path", [OUTPATIENT, NO_OUTPUTS[0]])
@pytest.mark.parametrize("outputs", [123, [1], b"ab", [None]], ids=repr)
def test_outputs_that_are_not_names_are_rule_errors(path: str, outputs: object) -> None:
    policy = guize.load(path)
    for method in (policy.evaluate, policy.explain, policy.interpret):
        with pytest.raises(UnknownOutput, match="outputs 应为输出名称的列表"):
            method({}, "2025-03-01", outputs)  # type: ignore[operator]
    if pytest.importorskip("pyarrow"):
        with pytest.raises(UnknownOutput, match="outputs 应为输出名称的列表"):
            policy.evaluate_batch({"编号": [1]}, "2025-03-01", outputs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "content", "code", "expected"), [
    ("deep.jsonl", "[" * 100_000 + "]" * 100_000 + "\n", 1, "第 1 行不是合法的 JSON（嵌套过深）"),
    ("ragged.csv", ",".join(BASE) + "\n" + ",".join(str(v) for v in BASE.values()) + ",多余\n", 1,
     "有一行是 7 列，而表头是 6 列"),
    ("empty.csv", "", 1, "文件是空的"),
    ("header.csv", ",".join(BASE), 0, "完成：0 行"),
])
def test_run_on_odd_files_explains_in_chinese(tmp_path: Path, name: str, content: str, code: int,
                                              expected: str) -> None:
    source = tmp_path / name
    source.write_text(content, encoding="utf-8")
    done = _run(OUTPATIENT, "--date", "2025-03-01", "--input", str(source), "--output", str(tmp_path / "o.csv"),
                "--only", "统筹基金支付")
    assert done.returncode == code and expected in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "CSV parse error" not in done.stderr


def test_a_whole_corpus_with_a_too_deep_file_still_loads(tmp_path: Path) -> None:
    from guize.compiler.corpus import load_corpus

    scratch = _folder(tmp_path)
    corpus = load_corpus([str(scratch)])
    reported = [str(e) for e in corpus.errors] + corpus.warnings
    assert any("deep.rule" in r for r in reported) and any("broken.rule" in r for r in reported)
    assert corpus.entry_for_file(str(scratch / "b.rule")) is not None


# ---------------------------------------------------------------- hostile values: every path agrees

HOSTILE = [1e308, 10**400, "9" * 50, Decimal("1E+400"), -1e308, float("nan"), float("inf"), "1e-400", 2**63,
           "0.1", Decimal("1E-40"), "abc", True, 10**15 - 1, 10**15, "1E+15", Decimal("1E-999999"), [1],
           {"a": 1}, b"1", "80%", "12元", " 12 ", None, Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity")]
FILLER = {"money": "100", "quantity": "10", "rate": "0.5", "int": 2, "bool": False, "date": "2025-01-01"}


def test_hostile_values_compiled_and_interpreted_agree() -> None:
    policy = guize.load(OUTPATIENT)
    base = {s["name"]: s["members"][0] if s["kind"] == "enum" else FILLER[s["kind"]] for s in policy.module.INPUTS}
    for spec in policy.module.INPUTS:
        for value in HOSTILE:
            data = {**base, spec["name"]: value}
            if value is None:
                del data[spec["name"]]
            for outputs in [None, *([o] for o in policy.module.OUTPUTS)]:
                answers = []
                for method in (policy.evaluate, policy.interpret):
                    try:
                        answers.append(("value", method(data, "2025-03-01", outputs)))
                    except guize.RuleError as exc:
                        answers.append((type(exc).__name__, exc.message))
                assert answers[0] == answers[1], (spec["name"], value, outputs)


def test_hostile_typed_columns_batch_and_scalar_agree() -> None:
    pa = pytest.importorskip("pyarrow")
    policy = guize.load(OUTPATIENT)
    base = {s["name"]: s["members"][0] if s["kind"] == "enum" else FILLER[s["kind"]] for s in policy.module.INPUTS}
    columns = [
        pa.array([1e308, 1e300, 1.0, 1e-300, 5e-324, 1e18, 1e15, float("nan")]),
        pa.array([2**63 - 1, -(2**63), 1, 10**18, 0, 10**15, 5, 7], pa.int64()),
        pa.array([2**64 - 1, 2**63, 1, 10**18, 0, 10**15, 5, 7], pa.uint64()),
        pa.array([Decimal(10**37), Decimal(2), Decimal(1), Decimal("9" * 38), Decimal(0), Decimal(10**15),
                  Decimal(5), Decimal(3)], pa.decimal128(38, 0)),
        pa.array([Decimal("1E-30"), Decimal("0.1"), Decimal(1), Decimal("9.999999999999999999999999999999999999"),
                  Decimal(0), Decimal("1E-37"), Decimal("0.5"), Decimal(3)], pa.decimal128(38, 37)),
        pa.array([Decimal(10**70), Decimal(2), Decimal(1), Decimal("9" * 76), Decimal(0), Decimal(10**15),
                  Decimal(5), Decimal(3)], pa.decimal256(76, 0)),
        pa.array(["9" * 50, "1" + "0" * 30, "1e308", "1E+400", "1e-400", "1E-999999", "123456789012345", "0.5"]),
    ]
    for spec in policy.module.INPUTS:
        if spec["kind"] not in ("money", "quantity", "rate", "int"):
            continue
        for column in columns:
            rows = {k: [v] * len(column) for k, v in base.items()}
            rows[spec["name"]] = column
            table = policy.evaluate_batch(rows, "2025-03-01")
            errors = table.column("错误").to_pylist()
            for i, value in enumerate(column.to_pylist()):
                data = {**base, spec["name"]: value}
                try:
                    expected = policy.evaluate(data, "2025-03-01")
                except guize.RuleError as exc:
                    assert errors[i] == exc.message, (spec["name"], value)
                else:
                    assert errors[i] is None, (spec["name"], value, errors[i])
                    assert {k: table.column(k)[i].as_py() for k in expected} == expected, (spec["name"], value)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("1E+15")], ids=str)
def test_special_decimals_are_input_errors_whatever_the_callers_traps(value: Decimal) -> None:
    import decimal

    policy = guize.load(OUTPATIENT)
    lenient = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN, traps=[])
    for context in (decimal.getcontext(), lenient):
        with decimal.localcontext(context):
            for _ in range(3):
                with pytest.raises(InvalidInput, match="输入「本次费用」"):
                    policy.evaluate({**BASE, "本次费用": value}, "2025-03-01", VISIT)


def test_eval_refuses_deeply_nested_json_input(tmp_path: Path) -> None:
    """A RecursionError traceback before: the input is 100,000 nested arrays (whole, or one line of JSON Lines)."""
    deep = "[" * 100_000 + "]" * 100_000
    for text, where in ((deep, "输入文件"), ('{"本次费用": 1}\n' + deep + "\n", "第 2 行")):
        record = tmp_path / "in.json"
        record.write_text(text, encoding="utf-8")
        result = subprocess.run([sys.executable, "-m", "guize", "eval", OUTPATIENT, "--date", "2025-03-01",
                                 "--input", str(record), "--output", "统筹基金支付"], capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "嵌套过深" in result.stderr and where in result.stderr, result.stderr


# ---------------------------------------------------------------- corrupt batch files (tests/hostile/batchfiles.py)


def _run_file(source: Path) -> str:
    """run_file on `source` (what `guize run` calls): its RuleError's message, or "" if it ran."""
    from guize.runtime.files import run_file

    try:
        run_file(guize.load(OUTPATIENT), source, source.with_name("out.csv"), datetime.date(2025, 3, 1), VISIT)
    except guize.RuleError as exc:
        assert not source.with_name("out.csv").exists()
        return exc.message
    return ""


def test_a_damaged_parquet_file_is_a_rule_error(tmp_path: Path) -> None:
    """Its pages are read after the file is opened: Arrow's OSError was a traceback."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({k: [str(v)] * 3 for k, v in BASE.items()}), source)
    data = bytearray(source.read_bytes())
    data[4] ^= 0xFF  # the first page's header
    source.write_bytes(bytes(data))
    assert "无法读取 Parquet 文件" in _run_file(source) and "已损坏" in _run_file(source)


def test_jsonl_with_a_huge_whole_number_or_a_key_not_in_utf8(tmp_path: Path) -> None:
    """A line holding a whole number of 2,000,000 digits (int() refuses it: a ValueError traceback)
    is that row's error; a key that is not UTF-8 (Arrow's reader let it through to a
    UnicodeDecodeError) is named by its line."""
    pytest.importorskip("pyarrow")
    source = tmp_path / "in.jsonl"
    good = json.dumps(BASE, ensure_ascii=False).encode()
    source.write_bytes(good + b"\n" + good.replace(b'"1000"', b"9" * 2_000_000) + b"\n")
    assert _run_file(source) == ""
    lines = source.with_name("out.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 3 and lines[1] == "658.00," and "输入「本次费用」" in lines[2]
    assert "太长" in lines[2] or "超出可计算的范围" in lines[2]  # (the column was read as text)
    source.with_name("out.csv").unlink()
    source.write_bytes(good + b"\n" + good.replace("医院级别".encode(), b"\xe5\x8c\xbb\xe9\x99") + b"\n")
    assert "第 2 行不是合法的 JSON（不是 UTF-8 编码）" in _run_file(source)


@pytest.mark.parametrize("block_rows", [0, 2])
def test_decimal128_38_without_high_words_is_read_in_place_and_agrees(block_rows: int) -> None:
    """decimal128(38, 2) whose high words are all zero is read in place (its low words), as
    decimal128(18, 2) is: a low word of 2**63 or more reads as negative, and its row gets the
    scalar path's error; a column with a high word set is converted as before."""
    pa = pytest.importorskip("pyarrow")
    from guize.runtime import batch as B
    from guize.runtime.columns import convert_column

    policy = guize.load(OUTPATIENT)
    spec = next(s for s in policy.module.INPUTS if s["name"] == "本次费用")
    base = {s["name"]: s["members"][0] if s["kind"] == "enum" else FILLER[s["kind"]] for s in policy.module.INPUTS}
    for values in ([Decimal(2**63 + 5).scaleb(-2), Decimal("1.00"), Decimal(0), Decimal("123.45"),
                    Decimal(2**64 - 1).scaleb(-2), Decimal("999999.99")],
                   [Decimal(2**64).scaleb(-2), Decimal("1.00"), Decimal("-3.00"), Decimal("123.45"),
                    Decimal(0), Decimal("999999.99")]):
        column = pa.array(values, pa.decimal128(38, 2))
        high = not all(0 <= v.scaleb(2) < 2**64 for v in values)
        assert convert_column(spec, column, ()).in_place is not high
        rows = {k: [v] * len(column) for k, v in base.items()}
        rows["本次费用"] = column
        table = B.evaluate_batch(policy, pa.table(rows), "2025-03-01", block_rows=block_rows)
        errors = table.column("错误").to_pylist()
        for i, value in enumerate(values):
            try:
                expected = policy.evaluate({**base, "本次费用": value}, "2025-03-01")
            except guize.RuleError as exc:
                assert errors[i] == exc.message, value
            else:
                assert errors[i] is None, (value, errors[i])
                assert {k: table.column(k)[i].as_py() for k in expected} == expected, value
