"""The `guize` command: thin click wrappers over the library.

Exit codes, the same for every command: 0 success, 1 findings or failures
(rule errors, failed examples, bad input), 2 usage errors.
"""

from __future__ import annotations

import datetime
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import click

from guize._version import __version__
from guize.runtime.errors import RuleError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def dumps(value: Any, indent: int = 2) -> str:
    """JSON with exact decimals written as JSON numbers (123.45, 0.85), never via binary floats."""
    return _dump(value, indent, 0)


def _dump(value: Any, indent: int, level: int) -> str:
    pad, inner = " " * (indent * level), " " * (indent * (level + 1))
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_dump(v, indent, level + 1)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _dump(v, indent, level + 1) for v in value) + "\n" + pad + "]"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, datetime.date):
        return json.dumps(value.isoformat())
    return json.dumps(value, ensure_ascii=False)


def decimal_text(d: Decimal) -> str:
    """Plain notation without exponent: Decimal('1E+3') -> 1000, Decimal('0.70') -> 0.70."""
    return format(d, "f")


def fail(exc: RuleError, fmt: str = "text") -> NoReturn:
    """Report a user error on stderr (Chinese text or JSON) and exit 1."""
    if fmt == "json":
        click.echo(dumps(exc.to_json()), err=True)
    else:
        from guize.compiler.diagnostics import CompileError

        if isinstance(exc, CompileError):
            click.echo(exc.render(), err=True)
        else:
            click.echo(f"错误：{exc.message}", err=True)
    sys.exit(EXIT_FINDINGS)


def _parse_date(value: str, what: str = "--date") -> datetime.date:
    from guize.runtime import dates

    try:
        return dates.parse(value)
    except ValueError:
        raise click.UsageError(f"{what} 的日期「{value}」无效，应写成 2025-03-01 或 2025年3月1日") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guize")
def main() -> None:
    """guize（规则）：中文政策规则的检查、计算、解释与编译。"""


# ---------------------------------------------------------------- check


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="输出格式")
def check(paths: tuple[str, ...], fmt: str) -> None:
    """检查 .rule 文件或目录：语法、名称、类型、单位、日期。"""
    from guize.compiler.corpus import load_corpus
    from guize.compiler.diagnostics import CompileError, render
    from guize.compiler.driver import check_source, read_source, rule_files

    try:
        files = rule_files(list(paths))
    except RuleError as exc:
        fail(exc, fmt)
    results: list[dict[str, Any]] = []
    n_errors = 0
    texts: list[str] = []
    for path in files:
        try:
            source = read_source(path)
            checked = check_source(source, str(path))
            diags = list(checked.diagnostics)
            for d in diags:
                texts.append(render(d, source))
        except CompileError as exc:
            diags = exc.diagnostics
            texts.append(exc.render())
        except RuleError as exc:
            fail(exc, fmt)
        errors = sum(d.severity == "error" for d in diags)
        n_errors += errors
        results.append({"file": str(path), "errors": errors, "diagnostics": [d.to_json() for d in diags]})
    dirs = [p for p in paths if Path(p).is_dir()]
    if dirs and not n_errors:
        corpus = load_corpus(dirs)
        for d in corpus.diagnostics:
            n_errors += d.severity == "error"
            texts.append(render(d, None))
            results.append({"file": d.span.file, "errors": int(d.severity == "error"),
                            "diagnostics": [d.to_json()]})
    if fmt == "json":
        click.echo(dumps({"files": results, "errors": n_errors}))
    else:
        for t in texts:
            click.echo(t, err=True)
        status = "通过" if not n_errors else f"发现 {n_errors} 处错误"
        click.echo(f"检查了 {len(files)} 个文件：{status}")
    sys.exit(EXIT_FINDINGS if n_errors else EXIT_OK)


# ---------------------------------------------------------------- eval


def _read_input(source: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(f"无法读取输入文件「{source}」：{exc.strerror}") from None
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise RuleError(f"输入不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}") from None
    if not isinstance(data, dict):
        raise RuleError("输入 JSON 应是一个对象：{\"名称\": 值, …}")
    return data


def load_quietly(file: str, corpus: str | None) -> Any:
    """guize.load, its corpus warnings printed as 「警告：…」 lines instead of Python's format."""
    import warnings

    import guize
    from guize.compiler.corpus import CorpusWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        policy = guize.load(file, corpus=corpus if corpus else True)
    for message in policy.warnings:
        click.echo(f"警告：{message}", err=True)
    return policy


@main.command("eval")
@click.argument("file")
@click.option("--date", "date_text", required=True, help="评估日期，如 2025-03-01")
@click.option("--input", "input_path", required=True, help="输入 JSON 文件，- 表示标准输入")
@click.option("--output", "outputs", multiple=True, help="只计算这些输出（可多次给出）")
@click.option("--explain", is_flag=True, help="打印计算过程（含条款）")
@click.option("--corpus", default=None, help="文件库目录（判断是否已被废止，含子目录）；默认为文件所在目录（不含子目录）")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="出错时的输出格式；json 同时输出说明树")
def eval_(file: str, date_text: str, input_path: str, outputs: tuple[str, ...], explain: bool,
          corpus: str | None, fmt: str) -> None:
    """按某一日期有效的规则计算：输出 JSON。"""
    on = _parse_date(date_text)
    try:
        policy = load_quietly(file, corpus)
        data = _read_input(input_path)
        wanted = list(outputs) or None
        if explain:
            exp = policy.explain(data, on=on, outputs=wanted)
            if fmt == "json":
                click.echo(dumps({"outputs": exp.values, "explanation": exp.to_json()}))
            else:
                click.echo(dumps(exp.values))
                click.echo(exp.render(), err=True)
        else:
            click.echo(dumps(policy.evaluate(data, on=on, outputs=wanted)))
    except RuleError as exc:
        fail(exc, fmt)


# ---------------------------------------------------------------- compile


@main.command("compile")
@click.argument("file")
@click.option("-o", "--output-dir", required=True, help="写出 Python 模块的目录")
def compile_(file: str, output_dir: str) -> None:
    """把 .rule 文件编译为独立的 Python 模块（运行时只需 guize.runtime）。"""
    from guize.compiler.driver import compile_file, write_atomic

    try:
        compiled = compile_file(file)
    except RuleError as exc:
        fail(exc)
    stem = Path(file).stem
    name = stem if stem.isidentifier() else "policy_" + "".join(c if c.isalnum() else "_" for c in stem)
    target = Path(output_dir) / f"{name}.py"
    write_atomic(target, compiled.python)
    click.echo(f"已写出 {target}")


# ---------------------------------------------------------------- status / timeline


@main.command()
@click.argument("document")
@click.option("--date", "date_text", required=True, help="查询日期")
@click.option("--corpus", default="policies", show_default=True, help="文件库目录")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def status(document: str, date_text: str, corpus: str, fmt: str) -> None:
    """查询文件（文号或标题）在某日是否有效；若无效，说明原因。"""
    from guize.compiler.corpus import load_corpus

    on = _parse_date(date_text)
    try:
        lib = load_corpus([corpus])
    except RuleError as exc:
        fail(exc, fmt)
    found = lib.find(document)
    if not found:
        err = RuleError(f"文件库「{corpus}」中没有「{document}」", document=document)
        fail(err, fmt)
    if len(found) > 1 and fmt == "text":
        click.echo(f"「{document}」匹配到 {len(found)} 个文件：", err=True)
    rows = []
    for e in found:
        code, message = e.window.status(on)
        w = e.window
        rows.append({"document": w.name(), "title": w.title, "docno": w.docno, "date": on, "status": code,
                     "message": message, "start": w.start, "last_day": w.last,
                     "repealed_on": w.repealed.on if w.repealed else None,
                     "repealed_by": w.repealed.by() if w.repealed else None, "file": e.path})
    if fmt == "json":
        click.echo(dumps(rows[0] if len(rows) == 1 else rows))
    else:
        labels = {"in_force": "有效", "not_yet": "尚未施行", "expired": "已失效", "repealed": "已废止",
                  "unknown": "未知"}
        for r in rows:
            click.echo(f"{labels[str(r['status'])]}：{r['message']}")
    sys.exit(EXIT_OK if all(r["status"] == "in_force" for r in rows) else EXIT_FINDINGS)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def timeline(paths: tuple[str, ...], fmt: str) -> None:
    """列出每个文件的有效期和每个按日期变化的取值。"""
    from guize.compiler import corpus as C
    from guize.compiler.diagnostics import display_width
    from guize.runtime.dates import cn

    try:
        lib = C.load_corpus(list(paths))
    except RuleError as exc:
        fail(exc, fmt)
    for err in lib.errors:
        click.echo(err.render(), err=True)
    rows = C.timeline(lib)
    if fmt == "json":
        click.echo(dumps([{"document": r.document, "what": r.what, "start": r.start, "end": r.end,
                           "value": r.value, "file": r.path} for r in rows]))
        return
    table = [("文件", "事项", "起", "止", "取值")]
    for r in rows:
        table.append((r.document, r.what, cn(r.start) if r.start else "—", cn(r.end) if r.end else "长期",
                      r.value))
    widths = [max(display_width(row[i]) for row in table) for i in range(5)]
    widths[0] = min(widths[0], 40)
    widths[1] = min(widths[1], 48)
    for row in table:
        cells = []
        for i, cell in enumerate(row):
            if display_width(cell) > widths[i]:
                while display_width(cell) > widths[i] - 1:
                    cell = cell[:-1]
                cell += "…"
            cells.append(cell + " " * (widths[i] - display_width(cell)))
        click.echo("  ".join(cells).rstrip())
    sys.exit(EXIT_FINDINGS if lib.errors else EXIT_OK)


# ---------------------------------------------------------------- test


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--junit", "junit_path", default=None, help="写出 JUnit XML 报告")
@click.option("-v", "--verbose", is_flag=True, help="列出每个例子")
@click.option("--coverage", "with_coverage", is_flag=True,
              help="统计例子覆盖的分支、分段、表行、版本和条款")
@click.option("--min-coverage", type=click.FloatRange(0, 100), default=None, metavar="N",
              help="总覆盖率低于 N% 时失败（隐含 --coverage）")
def test(paths: tuple[str, ...], fmt: str, junit_path: str | None, verbose: bool, with_coverage: bool,
         min_coverage: float | None) -> None:
    """运行 .rule 文件中的例子（例/测试），比对期望值。"""
    from guize.compiler import coverage, testing

    with_coverage = with_coverage or min_coverage is not None
    try:
        report = testing.run(list(paths) or ["policies"], coverage=with_coverage)
    except RuleError as exc:
        fail(exc, fmt)
    if junit_path:
        from guize.compiler.driver import write_atomic
        from guize.compiler.reports import junit_xml

        write_atomic(Path(junit_path), junit_xml(report))
    files = coverage.from_report(report) if with_coverage else []
    total = coverage.overall(files)
    below = min_coverage is not None and total.total > 0 and \
        Decimal(total.covered) * 100 < Decimal(str(min_coverage)) * total.total
    if fmt == "json":
        out: dict[str, Any] = {"passed": report.passed, "failed": report.failed,
                               "outcomes": [o.to_json() for o in report.outcomes],
                               "compile_errors": [e.to_json() for e in report.compile_errors]}
        if with_coverage:
            out["coverage"] = {"files": [f.to_json() for f in files], "total": total.to_json(),
                               "min_coverage": min_coverage, "ok": not below}
        click.echo(dumps(out))
    else:
        for err in report.compile_errors:
            click.echo(err.render(), err=True)
        for o in report.outcomes:
            if o.status == "passed":
                if verbose:
                    click.echo(f"通过  {o.file}:{o.line}  {o.name}")
                continue
            click.echo(f"失败  {o.file}:{o.line}  {o.name}")
            click.echo(f"      {o.message}")
            if o.explanation:
                click.echo("      实际值的计算过程：")
                for line in o.explanation.splitlines():
                    click.echo("        " + line)
        if with_coverage:
            click.echo(coverage.render(files, verbose))
            if below:
                click.echo(f"总覆盖率 {total.percent}% 低于要求的 {min_coverage:g}%", err=True)
        click.echo(f"{report.passed} passed, {report.failed} failed")
    sys.exit(EXIT_FINDINGS if report.failed or below else EXIT_OK)


def _register_commands() -> None:
    import importlib
    import pkgutil

    from guize import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"guize.commands.{info.name}")
        main.add_command(module.command)


_register_commands()


if __name__ == "__main__":  # pragma: no cover
    main()
