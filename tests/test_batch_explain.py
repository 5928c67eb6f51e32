"""One explanation per row: evaluate_batch(..., explain=…) and guize run --explain, each equal to
Policy.explain on that row rendered by the worksheet renderer."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import guize
from guize.cli import main
from guize.runtime.errors import RuleError
from guize.runtime.explain import render

pa = pytest.importorskip("pyarrow")

ROOT = Path(__file__).resolve().parent.parent
OUTPATIENT = ROOT / "policies/xinjiang/outpatient_2024.rule"
ON = datetime.date(2025, 3, 1)
ROWS = [
    {"编号": "A1", "医院级别": "二级", "退休人员": False, "本次费用": "1000", "住院起付线": "600",
     "本年已就诊次数": 0, "本年已支付": "0", "日期": "2025-03-01"},
    {"编号": "A2", "医院级别": "三级", "退休人员": True, "本次费用": "2216.64", "住院起付线": "1000",
     "本年已就诊次数": 1, "本年已支付": "0", "日期": "2025-03-01"},
    {"编号": "A3", "医院级别": "五级", "退休人员": False, "本次费用": "10", "住院起付线": "600",
     "本年已就诊次数": 0, "本年已支付": "0", "日期": "2025-03-01"},  # no such level: an error row
]


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIZE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def expected(policy: guize.Policy, row: dict, fmt: str, outputs: list[str]) -> str | None:
    data = {k: v for k, v in row.items() if k not in ("编号", "日期")}
    try:
        return render(policy.explain(data, on=ON, outputs=outputs), fmt, policy.document)
    except RuleError:
        return None


@pytest.mark.parametrize("fmt", ["markdown", True])
def test_evaluate_batch_adds_an_explanation_column(fmt: str | bool) -> None:
    policy = guize.load(OUTPATIENT)
    table = pa.Table.from_pylist(ROWS)
    outputs = ["起付标准", "统筹基金支付"]
    result = policy.evaluate_batch(table, ON, outputs, keep=["编号"], explain=fmt)
    assert result.column_names == ["编号", "起付标准", "统筹基金支付", "错误", "说明"]
    texts = result.column("说明").to_pylist()
    want = [expected(policy, r, "markdown" if fmt == "markdown" else "text", outputs) for r in ROWS]
    assert texts == want
    assert texts[0] is not None and "658" in texts[0] and texts[2] is None
    assert result.column("错误").to_pylist()[2] is not None
    # without explain the table is what it was
    assert "说明" not in policy.evaluate_batch(table, ON, outputs).column_names
    with pytest.raises(RuleError, match="未知的说明格式"):
        policy.evaluate_batch(table, ON, outputs, explain="pdf")


def test_guize_run_writes_one_explanation_per_row(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8")
    out, side = tmp_path / "out.csv", tmp_path / "why.jsonl"
    done = CliRunner().invoke(main, ["run", str(OUTPATIENT), "--input", str(source), "--output", str(out),
                                     "--date-column", "日期", "--keep", "编号", "--only", "统筹基金支付",
                                     "--explain", str(side), "--explain-format", "markdown", "--no-progress",
                                     "--chunk-rows", "2"])
    assert done.exit_code == 1, done.output  # the third row fails: findings
    records = [json.loads(line) for line in side.read_text(encoding="utf-8").splitlines()]
    policy = guize.load(OUTPATIENT)
    assert [r["行"] for r in records] == [1, 2, 3] and [r["编号"] for r in records] == ["A1", "A2", "A3"]
    assert [r["说明"] for r in records] == [expected(policy, r, "markdown", ["统筹基金支付"]) for r in ROWS]
    assert records[1]["说明"].startswith("# 《新疆维吾尔自治区职工基本医疗保险门诊共济保障实施办法》")


def test_guize_run_explain_json_and_no_half_written_file(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(ROWS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    side = tmp_path / "why.jsonl"
    args = ["run", str(OUTPATIENT), "--input", str(source), "--output", str(tmp_path / "o.jsonl"),
            "--date", "2025-03-01", "--only", "统筹基金支付", "--explain", str(side), "--explain-format", "json",
            "--no-progress"]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    [record] = [json.loads(line) for line in side.read_text(encoding="utf-8").splitlines()]
    assert record["说明"]["date"] == "2025-03-01" and record["说明"]["steps"]
    # --strict stops at an error row: neither the output nor the explanations are written
    source.write_text(json.dumps(ROWS[2], ensure_ascii=False) + "\n", encoding="utf-8")
    side.unlink()
    done = CliRunner().invoke(main, [*args, "--strict"])
    assert done.exit_code != 0 and not side.exists()
    assert not list(tmp_path.glob(".why.jsonl*"))
    done = CliRunner().invoke(main, [*args[:10], "--explain", "-"])
    assert done.exit_code == 2 and "--explain 要写到另一个文件" in done.output
