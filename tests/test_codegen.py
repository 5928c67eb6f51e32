"""Generated code: deterministic, readable, self-contained (needs only guize.runtime)."""

import itertools
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

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
    line = next(n for n, text in enumerate(rule_lines, 1) if text.startswith("输出 统筹基金支付"))
    comment = py_lines.index(f"    # 「统筹基金支付」: line {line}")
    assert py_lines[comment + 1].startswith("    d_统筹基金支付 = ")


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
        "row = {'医院级别': '一级', '退休人员': True, '本次费用': 500, '住院起付线': 400,"
        " '本年已就诊次数': 0, '本年已支付': 0}\n"
        "print(p.evaluate(row, on=datetime.date(2025, 1, 1), outputs=['统筹基金支付'])['统筹基金支付'])\n"
        # the columnar evaluators: the sibling module outpatient_2024_batch.py, imported now
        "t = p.evaluate_batch({k: [v] for k, v in row.items()}, on=datetime.date(2025, 1, 1),"
        " outputs=['统筹基金支付'])\n"
        "print(t.column('统筹基金支付')[0].as_py(), t.schema.metadata[b'guize'].decode())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    single, batch = out.stdout.strip().splitlines()
    assert single == "300.00"  # (500 − 40) × 85% = 391 → per-visit cap 300
    assert batch.startswith("300.00 ") and '"rows_scalar": 0' in batch  # computed by the columnar code
    assert (tmp_path / "outpatient_2024_batch.py").is_file()


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


def test_runtime_generates_no_code() -> None:
    # The compiler emits everything the runtime executes: no module of guize.runtime calls
    # exec, eval or compile, except the batch kernel, whose calls depend on the data's bounds
    # (kernel.py says why, with the benchmark's numbers), the compile cache's one exec of
    # the bytecode the compiler cached (modcache.py: loading, as an import would), and the one
    # compile of specialize.py: the module's own text of out_subset with its flags folded for a
    # list of outputs asked for again and again (no new code: the same statements, fewer).
    import ast

    runtime = Path(__file__).resolve().parent.parent / "src" / "guize" / "runtime"
    found = []
    for path in sorted(runtime.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in ("exec", "eval", "compile"):
                found.append(f"{path.name}:{node.lineno} {node.func.id}")
    assert [f.split()[1] for f in found if f.startswith("modcache.py:")] == ["exec"]
    found = [f for f in found if not f.startswith("modcache.py:")]
    assert [f.split()[1] for f in found if f.startswith("specialize.py:")] == ["compile"]
    found = [f for f in found if not f.startswith("specialize.py:")]
    assert [f for f in found if not f.startswith("kernel.py:")] == []
    assert [f.split()[1] for f in found] == ["exec", "compile"] or found == []  # the kernel's one
    assert "exec(" not in compile_file(OUTPATIENT).python


def test_textile_module_is_small_and_readable(tmp_path: Path) -> None:
    compiled = compile_file("policies/xinjiang/textile_2024.rule")
    # 120 KiB until out_all checked textile's 31 optional inputs inline instead of a
    # values.prefetch call each (inline_reads.prefetch_number_lines): 122,789 -> 123,246 bytes
    # for ~2.5 µs less a record (all outputs 0.92-0.96 -> 0.76-0.79 of the hand-written
    # function, bench/corpus_bench.py); the inline checks as out_subset wrote them were 136 KiB.
    assert len(compiled.python.encode("utf-8")) <= 124 * 1024
    for text in (compiled.python, compiled.batch_python):
        assert max(len(line) for line in text.splitlines()) <= 300
        compile(text, "m", "exec")  # wrapped lines are still Python
    assert "SNIPPETS" not in compiled.python and "BATCH_SOURCE" not in compiled.python
    lines = compiled.python.splitlines()
    rule = compiled.source.splitlines()
    # every definition's statement in the generated functions follows a comment naming its .rule line
    for name, d in compiled.checked.defs.items():
        comments = [line for line in lines if line.strip() == f"# 「{name}」: line {d.line}"]
        statement = f"d_{name} = "  # computed up front somewhere (not only lazily, not only unset: `= _U`)
        if any(line.strip().startswith(statement) and not line.rstrip().endswith("= _U") for line in lines):
            assert comments, name
            assert name in rule[d.line - 1]


def test_traceback_from_generated_code_points_at_rule_line(tmp_path: Path) -> None:
    import traceback

    import guize
    from guize.runtime.errors import EvaluationError

    rule = tmp_path / "quotient.rule"
    rule.write_text("文件:\n  标题:《商》\n  施行日期:2024-01-01\n\n输入 甲:金额\n输入 乙:金额\n"
                    "输出 商:数值 = 甲 ÷ 乙\n输出 和:金额 = 甲 + 乙\n", encoding="utf-8")
    policy = guize.load(str(rule))
    for outputs in (["商"], None, ["和", "商"]):  # one output's function, every output, a subset
        try:
            policy.evaluate({"甲": 1, "乙": 0}, "2024-06-01", outputs)
        except EvaluationError as exc:
            frames = traceback.extract_tb(exc.__traceback__)
            text = "".join(traceback.format_exception(exc))
        else:
            raise AssertionError("no error")
        at_rule = [f for f in frames if f.filename == str(rule)]
        assert [(f.lineno, f.name, f.line) for f in at_rule] == [(7, "商", "输出 商:数值 = 甲 ÷ 乙")]
        assert f'File "{rule}", line 7, in 商' in text
        assert not any(f.filename.endswith(".py") and "guize-test-cache" in f.filename for f in frames)
        assert frames[-1].name == "div"  # the runtime's own frames stay


def test_module_from_an_older_guize_is_a_clear_error() -> None:
    import types

    import pytest

    from guize.runtime import Policy
    from guize.runtime.errors import RuleError

    old = types.ModuleType("outpatient_2024")
    old.SNIPPETS = {}  # type: ignore[attr-defined]  # what modules that needed run-time code carried
    with pytest.raises(RuleError, match="重新编译"):
        Policy(old)


_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30),
                    st.decimals(allow_nan=False, allow_infinity=False, places=2),
                    st.dates())
_LITERALS = st.recursive(_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=6), st.lists(inner, max_size=6).map(tuple),
    st.dictionaries(st.text(max_size=8), inner, max_size=5)), max_leaves=40)


@given(_LITERALS, st.integers(min_value=-5, max_value=160))
def test_bounded_literal_is_the_flat_literal_when_it_fits(value: object, limit: int) -> None:
    """The layout asks whether a literal fits a line without writing out the whole of it
    (which made writing a large module's tables quadratic); the answer is the same."""
    from guize.compiler.literals import flat, flat_within

    text = flat(value)
    assert flat_within(value, limit) == (text if len(text) <= limit else None)


def test_a_definition_read_on_both_branches_is_typed_once(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A chain of definitions each reading the one before on both branches
    (若 开关 则 d + 1元 否则 d) once took 2**depth steps to type (a 40-deep chain did not load in
    100 s); each definition is now judged once. Counted, not timed."""
    from guize.compiler import codegen

    depth = 40
    lines = ["文件：", "  标题：《链》", "  施行日期：2024年1月1日", "", "输入 开关：是否", "输入 起点：金额",
             "定义 d0：金额 = 起点"]
    lines += [f"定义 d{i}：金额 = 若 开关 则 d{i - 1} + 1元 否则 d{i - 1}" for i in range(1, depth + 1)]
    lines.append(f"输出 结果：金额 = d{depth}")
    path = tmp_path / "chain.rule"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    calls = 0
    original = codegen.CodeGenerator.is_decimal

    def counted(self, node):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        assert calls < 100_000, "is_decimal is exponential in the chain's depth"
        return original(self, node)

    monkeypatch.setattr(codegen.CodeGenerator, "is_decimal", counted)
    compiled = compile_file(str(path))
    namespace: dict = {}
    exec(compile(compiled.python, "m", "exec"), namespace)
    assert calls < 20 * depth
