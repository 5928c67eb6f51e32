"""Start-up of `guize eval` on a cached policy (issue 22): the runtime alone is imported, a plain
command line is parsed without click, and the output is the same as click's path gives.

The time itself is measured by bench/startup_bench.py (a ratio to `python -c pass`), never here."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import guize
from guize.cli import main as cli_main
from guize.entry import plain_eval
from guize.runtime import modcache, related

ROOT = Path(__file__).resolve().parent.parent
OUTPATIENT = str(ROOT / "policies" / "xinjiang" / "outpatient_2024.rule")
RECORD = {"医院级别": "二级", "退休人员": True, "本次费用": "1,860.50", "住院起付线": 600,
          "本年已就诊次数": 1, "本年已支付": 3400}

# Run `guize …` as the console script does, then list the modules it imported.
PROBE = """
import json, sys
sys.argv = ["guize", *json.loads(sys.argv[1])]
from guize.entry import main
try:
    main()
except SystemExit as exc:
    code = exc.code
prefixes = ("guize.compiler", "lark", "click", "guize.cli", "guize.runtime.ir", "attr", "pyarrow", "numpy")
print(json.dumps(sorted(m for m in sys.modules if m.startswith(prefixes))), file=sys.stderr)
sys.exit(code)
"""


def guize_process(args: list[str], cache: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GUIZE_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True, text=True,
                          encoding="utf-8", input=stdin, env=env, cwd=ROOT, timeout=120)


def imported(result: subprocess.CompletedProcess[str]) -> list[str]:
    modules: list[str] = json.loads(result.stderr.strip().splitlines()[-1])
    return modules


@pytest.fixture()
def record(tmp_path: Path) -> Path:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(RECORD, ensure_ascii=False), encoding="utf-8")
    return path


def test_cached_eval_imports_the_runtime_alone(tmp_path: Path, record: Path) -> None:
    args = ["eval", OUTPATIENT, "--date", "2025-03-01", "--input", str(record), "--output", "统筹基金支付"]
    first = guize_process(args, tmp_path / "cache")  # compiles: the compiler is imported
    assert first.returncode == 0, first.stderr
    assert "guize.compiler.driver" in imported(first)
    again = guize_process(args, tmp_path / "cache")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == json.loads(first.stdout) == {"统筹基金支付": 600.0}
    assert imported(again) == []  # no compiler, Lark, click, IR classes, attrs, numpy or pyarrow


# The standard modules a cached `guize eval` must not import (each was a share of its start-up:
# bench/startup_bench.py). typing pulls in re, enum, functools and contextlib; json pulls in re.
NOT_AT_START = ("typing", "re", "enum", "json", "threading", "warnings", "contextlib", "inspect", "dataclasses",
                "pathlib", "hashlib", "tempfile", "shutil", "locale", "calendar", "attr", "click", "lark", "numpy",
                "pyarrow", "guize.compiler", "guize.cli", "guize.runtime.ir", "guize.runtime.interp")

# As PROBE, but importing nothing itself: the arguments come as they are, the modules go out one a line.
BARE_PROBE = """
import sys
sys.argv = ["guize", *sys.argv[1:]]
from guize.entry import main
try:
    main()
except SystemExit as exc:
    code = exc.code
sys.stderr.write("\\n".join(sorted(sys.modules)) + "\\n")
sys.exit(code)
"""


def test_cached_eval_imports_no_more_of_the_standard_library_than_it_needs(tmp_path: Path, record: Path) -> None:
    """Neither the runtime (its named tuples, dates, JSON) nor the neighbour scan imports typing,
    re, json, threading or warnings; the outpatient policy's folder has neighbours that name it
    (a comment in outpatient_2021.rule), so the scan's exact test runs too."""
    env = {**os.environ, "GUIZE_CACHE_DIR": str(tmp_path / "cache")}
    args = ["eval", OUTPATIENT, "--date", "2025-03-01", "--input", str(record), "--output", "统筹基金支付"]
    for _ in range(2):  # compiles, then from the cache
        result = subprocess.run([sys.executable, "-c", BARE_PROBE, *args], capture_output=True, text=True,
                                encoding="utf-8", env=env, cwd=ROOT, timeout=120)
        assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"统筹基金支付": 600.0}
    modules = set(result.stderr.split())
    assert "guize.runtime.policy" in modules  # (the probe saw the modules)
    assert sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in NOT_AT_START)) == []


def test_cached_eval_of_a_repealed_document_links_its_corpus(tmp_path: Path, record: Path) -> None:
    """A neighbour that names the document beside 「替代」 is compiled and linked, as before."""
    old = str(ROOT / "policies" / "xinjiang" / "outpatient_2021.rule")
    args = ["eval", old, "--date", "2025-03-01", "--input", str(record)]
    for _ in range(2):
        result = guize_process(args, tmp_path / "cache")
        assert result.returncode == 1
        assert "新政办发〔2024〕13号" in result.stderr  # repealed (replaced) by the 2024 measures
        assert "guize.compiler.corpus" in imported(result)


def test_a_cached_base_still_takes_its_amendments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The runtime-only cache read must not hand out a base document without the amendments
    beside it: the base alone is cached once loaded with corpus=None."""
    monkeypatch.setenv("GUIZE_CACHE_DIR", str(tmp_path / "cache"))
    for year in (2018, 2022, 2023):  # without comment lines: the base's text never says 「修改」
        text = (ROOT / "policies" / "national" / f"special_deductions_{year}.rule").read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
        (tmp_path / f"special_deductions_{year}.rule").write_text("\n".join(lines) + "\n", encoding="utf-8")
    base = tmp_path / "special_deductions_2018.rule"
    assert "修改" not in base.read_text(encoding="utf-8")
    data = {"受教育子女人数": 1}
    alone = guize.load(base, corpus=None)  # cached under the base's text alone
    assert alone.evaluate(data, "2023-06-01")["子女教育每月扣除"] == 1000
    for _ in range(2):  # compiled, then from the cache
        policy = guize.load(base)
        assert policy.evaluate(data, "2023-06-01")["子女教育每月扣除"] == 2000  # 国发〔2023〕13号
        assert policy.evaluate(data, "2023-06-01", known_on="2023-03-01")["子女教育每月扣除"] == 1000
    record = tmp_path / "r.json"
    record.write_text('{"受教育子女人数": 1}', encoding="utf-8")
    args = ["eval", str(base), "--date", "2023-06-01", "--input", str(record), "--output", "子女教育每月扣除"]
    for known, want in ((None, 2000), ("2023-03-01", 1000), (None, 2000)):
        result = guize_process([*args, *(["--known-on", known] if known else [])], tmp_path / "cache")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == {"子女教育每月扣除": want}


@pytest.mark.parametrize("extra", [
    [],
    ["--output", "起付标准", "--output", "统筹基金支付"],
    ["--output=支付比例", "--decimals=string"],
    ["--format", "json", "--explain", "--output", "统筹基金支付"],
    ["--explain", "--output", "统筹基金支付"],
    ["--format", "markdown"],
    ["--output", "没有这个输出"],
    ["--corpus", str(ROOT / "policies")],
])
def test_plain_eval_gives_what_click_gives(tmp_path: Path, record: Path, extra: list[str]) -> None:
    args = ["eval", OUTPATIENT, "--date", "2025-03-01", "--input", str(record), *extra]
    assert plain_eval(args) is not None
    fast = guize_process(args, tmp_path / "cache")
    assert "click" not in imported(fast)
    slow = CliRunner().invoke(cli_main, args)
    assert (fast.returncode, fast.stdout) == (slow.exit_code, slow.stdout)
    assert "\n".join(fast.stderr.splitlines()[:-1]) == slow.stderr.rstrip("\n")


def test_plain_eval_reads_records_from_stdin_and_json_lines(tmp_path: Path) -> None:
    lines = json.dumps(RECORD, ensure_ascii=False) + "\n{\"医院级别\": \"二级\"}\n"
    args = ["eval", OUTPATIENT, "--date", "2025年3月1日", "--input", "-", "--output", "支付比例"]
    fast = guize_process(args, tmp_path / "cache", stdin=lines)
    slow = CliRunner().invoke(cli_main, args, input=lines)
    assert (fast.returncode, fast.stdout) == (slow.exit_code, slow.stdout) == (1, slow.stdout)
    assert [json.loads(line).get("支付比例") for line in fast.stdout.splitlines()] == [0.75, None]


@pytest.mark.parametrize("args", [
    ["eval", "--help"],
    ["eval", "f.rule", "--date", "2025-03-01"],  # no --input
    ["eval", "--date", "2025-03-01", "--input", "in.json"],  # no FILE
    ["eval", "f.rule", "g.rule", "--date", "2025-03-01", "--input", "in.json"],
    ["eval", "f.rule", "--date", "2025-02-30", "--input", "in.json"],  # no such day
    ["eval", "f.rule", "--date", "2025-03-01", "--date", "2025-03-02", "--input", "in.json"],
    ["eval", "f.rule", "--date", "2025-03-01", "--input", "in.json", "--format", "xml"],
    ["eval", "f.rule", "--date", "2025-03-01", "--input", "in.json", "--explain", "--explain"],
    ["eval", "f.rule", "--date", "2025-03-01", "--input", "in.json", "--explain=yes"],
    ["eval", "f.rule", "--date", "2025-03-01", "--input", "in.json", "--outputs", "x"],
    ["eval", "f.rule", "--date", "2025-03-01", "--input", "--output"],
    ["eval", "f.rule", "--date", "2025-03-01", "--input", "in.json", "--", "x"],
    ["eval", "-", "--date", "2025-03-01", "--input", "in.json"],
    ["eval", "f.rule", "--date", "2025-03-01", "--input"],
])
def test_anything_not_plain_goes_to_click(args: list[str]) -> None:
    assert plain_eval(args) is None


def test_usage_errors_are_click_s(tmp_path: Path, record: Path) -> None:
    args = ["eval", OUTPATIENT, "--date", "2025-13-01", "--input", str(record)]
    fast = guize_process(args, tmp_path / "cache")
    slow = CliRunner().invoke(cli_main, args)
    assert fast.returncode == slow.exit_code == 2
    assert "--date 的日期「2025-13-01」无效" in fast.stderr


def test_plain_eval_arguments() -> None:
    args = ["eval", "--output", "a", "f.rule", "--date=2025-03-01", "--input", "-", "--output", "b", "--explain",
            "--decimals", "string", "--format", "json", "--corpus", "d"]
    assert plain_eval(args) == {"file": "f.rule", "on": guize.runtime.dates.parse("2025-03-01"), "known_on": None,
                                "input_path": "-",
                                "outputs": ("a", "b"), "explain": True, "corpus": "d", "fmt": "json",
                                "decimals": "string"}


def test_repeal_candidates_skip_comment_lines(tmp_path: Path) -> None:
    docs = [{"title": "甲办法", "docno": "甲发〔2024〕1号"}]
    (tmp_path / "a.rule").write_text("文件：\n  标题：《甲办法》\n", encoding="utf-8")
    (tmp_path / "noted.rule").write_text("# 被《甲办法》（甲发〔2024〕1号）替代。\n文件：\n  标题：《乙》\n",
                                         encoding="utf-8")
    (tmp_path / "repeals.rule").write_text("文件：\n  标题：《丙》\n  废止：甲发[2024]1号\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.rule").write_text("文件：\n  替代：《甲办法》\n", encoding="utf-8")
    (tmp_path / "bad.rule").write_bytes("文件：废止《甲办法》".encode("gbk"))
    own = str(tmp_path / "a.rule")
    found, warnings = related.candidates(own, docs, str(tmp_path))
    assert found == [str(tmp_path / "repeals.rule")]
    assert len(warnings) == 1 and "bad.rule" in warnings[0] and "UTF-8" in warnings[0]
    found, _ = related.candidates(own, docs, str(tmp_path), recursive=True)
    assert found == [str(tmp_path / "repeals.rule"), str(tmp_path / "sub" / "deep.rule")]


def test_load_from_cache_needs_no_compiler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIZE_CACHE_DIR", str(tmp_path))
    guize.load(OUTPATIENT)  # fills the cache
    monkeypatch.setitem(sys.modules, "guize.compiler.driver", None)  # importing it now fails
    policy = guize.load(OUTPATIENT)
    assert policy.evaluate(RECORD, on=datetime.date(2025, 3, 1), outputs=["支付比例"]) == {"支付比例": Decimal("0.75")}


def test_code_stamp_follows_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed compiler or runtime file (new size or time) gives every policy a new cache key."""
    package = tmp_path / "guize"
    for folder in ("grammar", "compiler", "runtime"):
        shutil.copytree(Path(modcache.PACKAGE) / folder, package / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(modcache, "PACKAGE", str(package))
    modcache.code_stamp.cache_clear()
    try:
        before = modcache.cache_key("x", "a.rule")
        values = package / "runtime" / "values.py"
        st = values.stat()
        os.utime(values, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
        modcache.code_stamp.cache_clear()
        assert modcache.cache_key("x", "a.rule") != before
        os.utime(values, ns=(st.st_atime_ns, st.st_mtime_ns))
        modcache.code_stamp.cache_clear()
        assert modcache.cache_key("x", "a.rule") == before
    finally:
        monkeypatch.undo()
        modcache.code_stamp.cache_clear()


def test_lark_keeps_its_grammar_analysis_in_guize_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capfd: pytest.CaptureFixture[str]) -> None:
    from guize.compiler import parser

    monkeypatch.setenv("GUIZE_CACHE_DIR", str(tmp_path))
    text = Path(OUTPATIENT).read_text(encoding="utf-8")
    parser.lark_for.cache_clear()
    try:
        expected = parser.parse(text, "a.rule")
        (cached,) = tmp_path.glob("lark-*.grammar")  # not in the shared temporary folder
        assert cached.stat().st_size > 0
        parser.lark_for.cache_clear()
        assert parser.parse(text, "a.rule") == expected  # read back
        cached.write_bytes(b"garbage\n")  # damaged (e.g. two processes wrote at once): rebuilt, silently
        parser.lark_for.cache_clear()
        assert parser.parse(text, "a.rule") == expected
        assert cached.read_bytes() != b"garbage\n"
        assert capfd.readouterr().err == ""
    finally:
        parser.lark_for.cache_clear()


# ---------------------------------------------------------------- what replaced typing, re and json there

JSON_TEXTS = ['{"a": 1, "b": [1.50, -0, 1e5, 2E-3, true, false, null], "c": {"d": "x\\u00e9\\n\\"y\\""}}',
              '  [1, 2]  \n', '"纯文字"', "123", "-0.0", "[NaN, Infinity, -Infinity]", '{"n": ' + "9" * 150 + "}",
              '{"a": 1}\n{"b": 2}', "", "   ", "{", '{"a": 1,}', "[1, 2", "{'a': 1}", '{"a" 1}', "\ufeff{}",
              '{"a": "\x01"}', "[1] x", "tru", '{"a": 1e}', "[" * 50 + "]" * 50, '"\\ud800"']


@pytest.mark.parametrize("text", JSON_TEXTS)
def test_jsonfast_reads_as_json_does(text: str) -> None:
    from guize.runtime import jsonfast

    def read(loads: Any) -> tuple[str, object]:
        try:
            return "value", repr(loads(text))
        except json.JSONDecodeError as exc:
            return "error", (exc.msg, exc.pos)

    def big(digits: str) -> int | Decimal:
        return int(digits) if len(digits) <= 100 else Decimal(digits)

    assert read(jsonfast.loads) == read(lambda t: json.loads(t, parse_float=Decimal, parse_int=big))


def test_jsonfast_writes_as_json_does() -> None:
    from guize.runtime import jsonfast

    for s in ["", "a", "纯文字", 'q"uo\\te', "\n\t\x00\x1f", "\u2028", "\ud800", "é"]:
        assert jsonfast.string(s) == json.dumps(s, ensure_ascii=False)
    for value in ["x", True, False, None, 0, -5, 10**30, 1.5, float("nan")]:
        assert jsonfast.scalar(value) == json.dumps(value, ensure_ascii=False)


def test_normalize_docno_is_the_pattern_s() -> None:
    import random
    import re

    rng = random.Random(22)
    alphabet = "[(（【〔])）】〕〈〉0123456789２０发号a"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        assert related.normalize_docno(text) == re.sub(related.DOCNO_YEAR, r"〔\1〕", text), text


@pytest.mark.parametrize("text", ["2025-03-01", "2025-3-1", " 2025-03-01\n", "2025年3月1日", "2025年03月01日",
                                  "２０２５-０３-０１", "2025-02-29", "2025-13-01", "2025-03", "2025-03-01-", "25-03-01",
                                  "2025-003-01", "2025年3月1", "2025年3-1日", "2025-03-01日", "", "-", "年月日",
                                  "2025-+3-01", "2025- 3-01", "20250301"])
def test_dates_parse_as_its_pattern_did(text: str) -> None:
    import re

    def old(t: str) -> datetime.date | None:
        t = t.strip()
        m = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})$", t) or re.match(r"(\d{4})年(\d{1,2})月(\d{1,2})日$", t)
        if m is None:
            return None
        try:
            return datetime.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None

    from guize.runtime import dates

    try:
        new: datetime.date | None = dates.parse(text)
    except ValueError:
        new = None
    assert new == old(text)


def test_unit_in_reads_the_last_parenthesis() -> None:
    from guize.runtime.display import unit_in

    cases = {"金额（元）": "元", "数值（元/吨）": "元/吨", "比率": "", "": "", "整数（人）（次）": "次",
             "数值（元（吨））": "", "（）": "", "数值（元）x": ""}
    assert {k: unit_in(k) for k in cases} == cases


def test_runtime_named_tuples_behave_as_typing_s() -> None:
    from guize.runtime.tuples import NamedTuple
    from guize.runtime.validity import Repealed

    class Point(NamedTuple):
        """A point."""

        x: int
        y: int = 2

        def total(self) -> int:
            return self.x + self.y

        @classmethod
        def origin(cls) -> Point:
            return cls(0, 0)

    p = Point(1)
    assert (p, p.total(), Point.origin(), p._replace(y=5), p._fields) == ((1, 2), 3, (0, 0), (1, 5), ("x", "y"))
    assert Point.__doc__ == "A point." and Point.__name__ == "Point" and isinstance(p, tuple)
    assert repr(p) == "Point(x=1, y=2)" and Point.__module__ == __name__
    assert Repealed(datetime.date(2024, 1, 1), "甲", None).by() == "《甲》"
    with pytest.raises(TypeError):
        class Bad(NamedTuple):
            a: int = 1
            b: int
