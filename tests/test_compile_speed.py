"""The compile-speed rewrites (issue 22, bench/compile_bench.py) give what the plain versions gave:
the literal layout (each tuple's text written once), wrap's break scan, splitfn's search for
assigned names and the walk that finds every 依据 (pruned by the AST's declared field types)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
import splitnames
from hypothesis import given
from hypothesis import strategies as st

from guize.compiler import articles, ast, literals, splitfn
from guize.compiler.diagnostics import CompileError
from guize.compiler.parser import parse
from guize.runtime import dates, ir

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------- literal layout

_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=60),
                    st.decimals(allow_nan=False, allow_infinity=False, places=2), st.dates())
_LITERALS = st.recursive(_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=8), st.lists(inner, max_size=8).map(tuple),
    st.dictionaries(st.text(max_size=8), inner, max_size=5)), max_leaves=80)


def _reference_layout(value: Any, lines: list[str], depth: int, width: int) -> None:
    """The layout as first written: every item's flat text asked for again at every level."""
    def fits(v: Any, limit: int) -> str | None:
        text = literals.flat(v)
        return text if len(text) <= limit else None

    text = fits(value, width - len(lines[-1]))
    if text is not None:
        lines[-1] += text
        return
    if isinstance(value, str):
        pieces = [repr(value[i:i + 40]) for i in range(0, max(len(value), 1), 40)]  # '' too
        lines[-1] += "(" + pieces[0]
        lines.extend(" " * (depth + 1) + piece for piece in pieces[1:])
        lines[-1] += ")"
        return
    if not isinstance(value, (tuple, list, dict)):
        lines[-1] += literals.flat(value)
        return
    opening, closing = {tuple: "()", list: "[]", dict: "{}"}[type(value)]
    lines[-1] += opening
    items = list(value.items()) if isinstance(value, dict) else list(value)
    pad = " " * (depth + 1)
    for index, item in enumerate(items):
        last = index == len(items) - 1
        comma = "" if last and not (isinstance(value, tuple) and len(items) == 1) else ","
        one_line = fits(item[1] if isinstance(value, dict) else item, width)
        piece = None if one_line is None else (f"{item[0]!r}: {one_line}" if isinstance(value, dict) else one_line) + comma
        sep = " " if index else ""
        if piece is not None and len(lines[-1]) + len(sep) + len(piece) <= width:
            lines[-1] += sep + piece
        elif piece is not None and len(pad) + len(piece) <= width:
            lines.append(pad + piece)
        else:
            if index:
                lines.append(pad)
            if isinstance(value, dict):
                lines[-1] += f"{item[0]!r}: "
                _reference_layout(item[1], lines, depth + 1, width)
            else:
                _reference_layout(item, lines, depth + 1, width)
            lines[-1] += comma
    lines[-1] += closing


@given(_LITERALS, st.integers(min_value=10, max_value=120), st.text(max_size=30))
def test_literal_lines_are_the_reference_layout(value: Any, width: int, head: str) -> None:
    expected = [head]
    _reference_layout(value, expected, 0, width)
    expected[-1] += ")"
    assert literals.literal_lines(head, value, ")", width) == expected
    # Shared items (the same tuple twice, as interned constants are) are written the same.
    assert literals.literal_lines(head, (value, value), "", width) == literals.literal_lines(
        head, (value, _copy(value)), "", width)


def _copy(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


_TIMES = st.one_of(st.integers(0, 2000).map(dates.Period), st.integers(0, 2000).map(dates.Age),
                  st.dates().map(lambda d: dates.YearMonth(d.year, d.month, 1)))
_ROW_VALUES = st.recursive(st.one_of(_LEAVES, _TIMES), lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple),
    st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=12)


@given(st.lists(st.lists(_ROW_VALUES, min_size=3, max_size=3), min_size=1, max_size=6))
def test_records_rows_are_each_rows_literal(rows: list[list[Any]]) -> None:
    """records_lines writes a row that fits a line by one repr only when that is its flat text: a
    YearMonth (a date: flat writes _date(...)), a Decimal or a date in it take the layout."""
    records = tuple({"a": a, "b": b, "c": c} for a, b, c in rows)
    lines = literals.records_lines("R = ", records)
    common = {f for f in "abc" if len(records) > 1 and all(
        type(r[f]) is type(records[0][f]) and r[f] == records[0][f] for r in records)}
    expected = literals.literal_lines("R = _v.records(", ("a", "b", "c"), ", ")
    expected[-1] += literals.flat({f: records[0][f] for f in "abc" if f in common}) + ", ("
    for r in records:
        expected += literals.literal_lines(" ", tuple(r[f] for f in "abc" if f not in common), ",")
    expected[-1] += "))"
    assert lines == expected


@given(st.lists(_ROW_VALUES, max_size=40).map(tuple), st.integers(min_value=10, max_value=120))
def test_long_tuples_with_time_values_are_the_reference_layout(value: tuple[Any, ...], width: int) -> None:
    """literals._leaves lays out only exact leaves and containers: a Period (an int) or a YearMonth
    (a date) among them is written as flat writes it, where the reference layout puts it."""
    expected = ["X = "]
    _reference_layout(value, expected, 0, width)
    assert literals.literal_lines("X = ", value, "", width) == expected


def test_a_frozenset_in_a_literal_is_still_refused() -> None:
    with pytest.raises(TypeError):
        literals.literal_lines("X = ", ("a", frozenset({"b"})))


# ---------------------------------------------------------------- wrap

def _reference_breaks(line: str) -> list[int]:
    """wrap's break positions as first written: a scan of every character."""
    breaks, depth, quote, i = [], 0, "", 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == " " and depth > 0:
            breaks.append(i)
        i += 1
    return breaks


_CODE = st.lists(st.sampled_from(["(", ")", "[", "]", "{", "}", " ", "'", '"', "\\", "a", "名", ", ", "x = ",
                                  "'a b'", '"c d"', "'\\''", "\n"]), max_size=120).map("".join)


def reference_wrap(line: str, width: int = literals.WIDTH) -> list[str]:
    """wrap's lines as first written: each line as long as the scanned breaks allow."""
    indent = " " * (len(line) - len(line.lstrip()) + 8)
    breaks = _reference_breaks(line)
    expected, start, prefix = [], 0, ""
    while len(prefix) + len(line) - start > width:
        fits = [b for b in breaks if start < b and len(prefix) + b - start <= width]
        if not fits:
            fits = [b for b in breaks if b > start][:1]
            if not fits:
                break
        expected.append(prefix + line[start:fits[-1]])
        start, prefix = fits[-1] + 1, indent
    return [*expected, prefix + line[start:]]


@given(_CODE, st.integers(min_value=4, max_value=60))
def test_wrap_breaks_where_the_character_scan_did(line: str, width: int) -> None:
    assert literals.wrap(line, width) == reference_wrap(line, width)


def test_wrap_narrower_than_its_indent() -> None:
    """A continuation indent wider than the width leaves no room before the next break (the
    search for one must not run from the end of the line instead)."""
    line = '名{, \n"  [abcdefgh 名\'a\\{}"c d"名""c d", \'a b\'  )x = "c d"}\''
    for width in range(1, 12):
        assert literals.wrap(line, width) == reference_wrap(line, width), width


# ---------------------------------------------------------------- splitfn

_WALRUS = re.compile(r"\b([^\W\d]\w*)\s*:=")
_AS = re.compile(r"\bas\s+([^\W\d]\w*)")


def _reference_assigned(text: str) -> set[str]:
    out = set(_WALRUS.findall(text)) | set(_AS.findall(text))
    for targets in splitnames.TARGETS.findall(text):
        out.update(n for n in targets.replace(" = ", ",").replace(" ", "").split(",") if n)
    return out


_STATEMENTS = st.lists(st.sampled_from(["a", "s", " ", "\n", ":", "=", "1", "x", "_", "名", "(", "as ", " as ",
                                        ":=", "alias", "１", "٣", "    ", "b_1 = ", "t, u, = "]),
                       max_size=40).map("".join)


@given(_STATEMENTS)
def test_assigned_names_are_the_regular_expressions(text: str) -> None:
    assert splitnames.assigned_names(text) == _reference_assigned(text)


def test_assigned_names_in_a_generated_evaluator() -> None:
    from guize.compiler.driver import compile_file

    compiled = compile_file(str(ROOT / "policies" / "xinjiang" / "textile_2024.rule"))
    text = splitnames.STRINGS.sub(" ", compiled.python)
    found = splitnames.assigned_names(text)
    assert found == _reference_assigned(text) and len(found) > 50


def _reference_split(lines: list[str], name: str) -> list[str]:
    """splitfn.split as first written: every name of each part (not only words shaped as locals)."""
    shaped = splitnames.SHAPED
    try:
        splitnames.SHAPED = r"(?:[^\W\d]{})\w*"  # every word (the "{}" left empty: no other names)
        out = list(lines)
        splitnames.regex_split(out, [0] * len(out), 0, name)
    finally:
        splitnames.SHAPED = shaped
    return out


def _notes(lines: list[str]) -> list[tuple[int, set[str], set[str]]]:
    """Notes as codegen makes them, for a hand-written function: each line indented once starts
    a statement, its names what the regular expressions read (tests/splitnames.py)."""
    at = [i for i, line in enumerate(lines) if i > 1 and line[4:5] not in (" ", "")
          and not line.startswith(("    except", "    else"))]
    return [(i, *splitnames.read_names("\n".join(lines[i:j]))) for i, j in zip(at, [*at[1:], len(lines)], strict=True)]


@pytest.mark.parametrize("others", [3, 40])  # locals of other shapes: looked for; past _OTHER_LOCALS, every name
def test_split_passes_locals_of_every_shape(others: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """splitfn looks for words shaped as codegen's locals and for the other locals it has seen
    assigned (out, exc, ...): the parts pass what the scan of every name passed, and run the same."""
    monkeypatch.setattr(splitfn, "LIMIT", 0)
    monkeypatch.setattr(splitfn, "PART", 1)
    names = [f"total{i}" for i in range(others)]
    body = ["def f(data, e, need=None):", '    """Doc."""', "    try:", "        i_a = data['a']",
            "    except KeyError as exc:", "        raise ValueError(exc.args[0]) from None"]
    body += [f"    {n} = i_a + {i}" for i, n in enumerate(names)]
    body += ["    exception_total = 1  # a word that starts as `exc` does", "    out = {}",
             "    _t1 = d_b = sum((" + ", ".join(names) + ",))", "    out['x'] = (d_b, exception_total, _t1)",
             "    return out", "", ""]
    split = list(body)
    splitfn.split(split, [0] * len(split), 0, "f", _notes(body))
    assert split == _reference_split(body, "f") and "def _f_3(" in "\n".join(split)
    results = []
    for source in (body, split):
        namespace: dict[str, Any] = {"_U": object()}
        exec("\n".join(source), namespace)
        results.append(namespace["f"]({"a": 2}, None))
    total = others * 2 + sum(range(others))
    assert results[0] == results[1] == {"x": (total, 1, total)}


def test_a_number_of_a_unit_is_typed_by_its_unit_each_time() -> None:
    """lower._number looks a unit up once per file: each number still gets its own value, span and
    type (money a Decimal, another unit an int where whole)."""
    from guize.compiler.driver import check_source

    text = ("文件：\n  标题：《测试》\n  施行日期：2000年1月1日\n\n输入 甲：金额\n"
            "输出 和：金额 = 甲 + 3元 + 2.50元 + 1万元 + 3元\n"
            "输出 重：数量（千克） = 2千克 + 500克 + 2000克 + 2千克\n")
    checked = check_source(text, "t.rule")
    assert not [d for d in checked.diagnostics if d.severity == "error"]
    consts = [n for n in ir.walk(checked.defs["和"].expr) if isinstance(n, ir.Const)]
    assert [c.value for c in consts] == [Decimal(3), Decimal("2.5"), Decimal(10000), Decimal(3)]
    assert all(type(c.value) is Decimal for c in consts) and len({c.span for c in consts}) == 4
    weights = [n.value for n in ir.walk(checked.defs["重"].expr) if isinstance(n, ir.Const)]
    assert weights == [2, Decimal("0.5"), 2, 2] and [type(w) for w in weights] == [int, Decimal, int, int]


# ---------------------------------------------------------------- 依据

def _reference_cites(node: object) -> list[ast.Citation]:
    """Every Citation in the tree: a walk over every field that takes part in equality."""
    if isinstance(node, ast.Citation):
        return [node]
    if isinstance(node, tuple):
        return [c for x in node for c in _reference_cites(x)]
    if attrs.has(type(node)) and not isinstance(node, (ast.Span, ast.Example, ast.ArticleText)):
        return [c for f in attrs.fields(type(node)) if f.eq for c in _reference_cites(getattr(node, f.name))]
    return []


RULES = sorted([*(ROOT / "policies").rglob("*.rule"), *(ROOT / "tests").rglob("*.rule")])


def test_every_citation_is_found_in_every_rule_file() -> None:
    checked = 0
    for path in RULES:
        text = path.read_text(encoding="utf-8")
        try:
            tree = parse(text, str(path))
        except CompileError:  # files of syntax errors (tests/golden/bad) have no tree
            continue
        for stmt in (*tree.types, *tree.inputs, *tree.definitions, *tree.assertions):
            assert list(articles._cites(stmt)) == _reference_cites(stmt), path
        checked += 1
    assert checked > 50


def test_fields_of_undeclared_type_are_walked() -> None:
    """A field whose annotation does not say (Any) may hold a citation: it is walked."""
    @attrs.frozen
    class Holder:
        anything: Any
        names: tuple[str, ...] = ()

    cite = ast.Citation(("第一条",))
    assert list(articles._cites(Holder((1, cite)))) == [cite]
    assert articles._walk(Holder) == ("anything",)


# ---------------------------------------------------------------- parse tree -> syntax tree

def test_the_conversion_is_larks_transformer() -> None:
    """_ToAst.transform looks each rule's callback up once; the syntax tree, spans included, and
    the errors raised are those of Lark's own Transformer.transform."""
    from lark import Transformer
    from lark.exceptions import UnexpectedInput, VisitError

    from guize.compiler import lexicon, parser
    from guize.compiler.indenter import IndentError

    compared = 0
    for path in RULES:
        text = lexicon.mask_digit_names(path.read_text(encoding="utf-8").replace("\r\n", "\n") + "\n")
        try:
            parser.lark_for(lexicon.declared_units(text)).parse(text)
        except (UnexpectedInput, IndentError):  # a file of syntax errors: nothing to convert
            continue
        results = []
        for transform in (parser._ToAst.transform, Transformer.transform):
            tree = parser.lark_for(lexicon.declared_units(text)).parse(text)  # _ToAst's uses it up
            try:
                results.append(transform(parser._ToAst(str(path), lexicon.unmask(text)), tree))
            except VisitError as exc:
                results.append((type(exc.orig_exc), str(exc.orig_exc), exc.rule))
        assert results[0] == results[1], path
        if isinstance(results[0], list):
            spans = [[getattr(x, "span", None) for x in r] for r in results]
            assert spans[0] == spans[1]
        compared += 1
    assert compared > 50


# ---------------------------------------------------------------- compile memory (issue 23)

def _synthetic(lines: int) -> str:
    import importlib.util

    spec = importlib.util.spec_from_file_location("compile_bench", ROOT / "bench" / "compile_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text: str = module.synthetic(lines)
    return text


def _peak(f: Any) -> tuple[Any, int, int]:
    """f()'s result, the memory it leaves allocated and its peak above the start (tracemalloc)."""
    import gc
    import tracemalloc

    from guize.compiler.driver import gc_paused

    gc.collect()
    tracemalloc.start()
    try:
        with gc_paused():
            start = tracemalloc.get_traced_memory()[0]
            result = f()
            current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, current - start, peak - start


def test_the_parse_tree_is_not_kept_whole_beside_the_syntax_tree() -> None:
    """The parse's peak is under 3 times the syntax tree it leaves: slotted positions (SlotMeta)
    and a tree let go of as it is converted (Lark's Meta and the whole tree kept: 5 times)."""
    from guize.compiler import parser
    from guize.compiler.parsetree import SlotMeta

    text = _synthetic(2_000)
    parser.parse(_synthetic(20), "warm.rule")  # the grammar's analysis, once a process
    _tree, kept, peak = _peak(lambda: parser.parse(text, "synthetic.rule"))
    assert peak < 3 * kept, (peak, kept)
    node = parser.lark_for(()).parse("输入 甲：金额\n")
    assert type(node.meta) is SlotMeta and not hasattr(node.meta, "__dict__")


def test_splitting_a_large_function_keeps_little_beside_it() -> None:
    """splitfn reads a part's text at a time and finds the names later parts mention by the last
    part mentioning each (a set of later names for every part was quadratic: 100 MB at 50k lines)."""
    lines = ["def out_all(data, e, need=None):", '    """Compute every output."""']
    for k in range(30_000):
        lines += [f"    # 「项{k}」: line {k}", f"    d_{k} = data['x'] + {k}"]
    lines += ["    return {" + ", ".join(f"'{k}': d_{k}" for k in range(0, 30_000, 97)) + "}", "", ""]
    size = sum(len(line) + 1 for line in lines)
    notes = [(i, {f"d_{(i - 2) // 2}"}, {f"d_{(i - 2) // 2}"}) for i in range(2, len(lines) - 3, 2)]
    notes.append((len(lines) - 3, set(), {f"d_{k}" for k in range(0, 30_000, 97)}))
    _none, _kept, peak = _peak(lambda: splitfn.split(lines, [0] * len(lines), 0, "out_all", notes))
    assert lines[0].startswith("def _out_all_1(")
    assert peak < 12 * size, (peak, size)  # 27 times before
