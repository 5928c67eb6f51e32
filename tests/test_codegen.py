"""Generated code: deterministic, readable, self-contained (needs only guize.runtime)."""

import itertools
import subprocess
import sys
from pathlib import Path

from guize.compiler.driver import compile_file

OUTPATIENT = "policies/xinjiang/outpatient_2024.rule"


def test_generation_is_deterministic() -> None:
    assert compile_file(OUTPATIENT).python == compile_file(OUTPATIENT).python


def test_header_names_source_and_hash() -> None:
    compiled = compile_file(OUTPATIENT)
    lines = compiled.python.splitlines()
    assert lines[0].endswith(OUTPATIENT)
    assert lines[1] == f"# source sha256: {compiled.checked.source_sha256}"


def test_line_map_points_at_rule_lines() -> None:
    compiled = compile_file(OUTPATIENT)
    namespace: dict = {}
    exec(compile(compiled.python, "m", "exec"), namespace)
    rule_lines = compiled.source.splitlines()
    py_lines = compiled.python.splitlines()
    flat = namespace["LINE_MAP"]
    ranges = [*zip(flat[0::2], flat[1::2], strict=True), (len(py_lines) + 1, 0)]
    pairs = [(py_lines[g - 1], rule_lines[r - 1])
             for (start, r), (end, _r) in itertools.pairwise(ranges) if r for g in range(start, end)]
    assert any("d_统筹基金支付 =" in py and "输出 统筹基金支付" in rule for py, rule in pairs)
    assert any("i_本次费用" in py and "输入 本次费用" in rule for py, rule in pairs)
    assert all(rule.strip() for _py, rule in pairs)
    # each definition's statement follows a comment naming it and its .rule line
    comment = py_lines.index("    # 「统筹基金支付」: line 51")
    assert py_lines[comment + 1].startswith("    d_统筹基金支付 = ")
    assert rule_lines[50].startswith("输出 统筹基金支付")


def test_compiled_module_runs_without_the_compiler(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "guize.cli", "compile", OUTPATIENT, "-o", str(tmp_path)],
                            capture_output=True, text=True, check=True)
    assert "outpatient_2024.py" in result.stdout
    script = (
        "import sys, datetime\n"
        "sys.modules['lark'] = None\n"              # importing Lark would fail
        "sys.modules['guize.compiler'] = None\n"    # so would the compiler
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "import outpatient_2024\n"
        "from guize.runtime import Policy\n"
        "p = Policy(outpatient_2024)\n"
        "print(p.evaluate({'医院级别': '一级', '退休人员': True, '本次费用': 500, '住院起付线': 400,"
        " '本年已就诊次数': 0, '本年已支付': 0}, on=datetime.date(2025, 1, 1),"
        " outputs=['统筹基金支付'])['统筹基金支付'])\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "300.00"  # (500 − 40) × 85% = 391 → per-visit cap 300


def test_cached_policy_loads_without_parsing() -> None:
    import guize
    from guize.compiler import parser

    guize.load(OUTPATIENT)  # warm the cache
    calls = []
    original = parser.parse

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)
        return original(*args, **kwargs)

    parser.parse = spy  # type: ignore[assignment]
    try:
        guize.load(OUTPATIENT)
    finally:
        parser.parse = original  # type: ignore[assignment]
    assert calls == []
