"""The `guize` command: thin click wrappers over the library.

Exit codes, the same for every command: 0 success, 1 findings or failures
(rule errors, failed examples, bad input), 2 usage errors.
"""

from __future__ import annotations

import os
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from guize._version import __version__
from guize.clitext import Group
from guize.commands.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    dumps,
    fail,
    parse_date,
)
from guize.runtime.errors import RuleError


@click.group("guize", cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guize", message="%(prog)s %(version)s", help="显示版本并退出")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, expose_value=False, is_eager=True,
              callback=lambda _ctx, _param, value: _set_language(value),
              help="信息的语言：zh（中文，默认）或 en（英文）；也可设环境变量 GUIZE_LANG=en")
def main() -> None:
    """guize（规则）：中文政策规则的检查、计算、解释与编译。"""


def _set_language(value: str | None) -> None:
    if value is not None:  # the renderers read GUIZE_LANG: one switch for every message
        os.environ["GUIZE_LANG"] = value


# ---------------------------------------------------------------- check


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="输出格式")
@click.option("--stdin-filename", default=None, metavar="文件",
              help="PATHS 为 - 时，出错信息中所用的文件名（编辑器传入正在编辑的文件）")
def check(paths: tuple[str, ...], fmt: str, stdin_filename: str | None) -> None:
    """检查 .rule 文件或目录：语法、名称、类型、单位、日期。

    PATHS 为 - 时检查从标准输入读入的文本。
    """
    from guize.commands.common import read_stdin
    from guize.compiler.corpus import load_corpus
    from guize.compiler.diagnostics import CompileError, Diagnostic, render
    from guize.compiler.driver import check_source, read_source, rule_files
    from guize.compiler.suppressions import obey

    stdin_name = stdin_filename or "<标准输入>"
    if "-" in paths and len(paths) > 1:
        raise click.UsageError("「-」（标准输入）不能与其他路径同时给出")
    try:
        files = [Path(stdin_name)] if paths == ("-",) else rule_files(list(paths))
    except RuleError as exc:
        fail(exc, fmt)
    results: list[dict[str, Any]] = []
    n_errors = 0
    texts: list[str] = []
    sources: dict[str, str] = {}  # real path -> text, for the corpus's findings
    for path in files:
        source: str | None = None
        diags: list[Diagnostic]
        try:
            source = read_stdin(stdin_name) if paths == ("-",) else read_source(path)
            diags = list(check_source(source, str(path)).diagnostics)
        except CompileError as exc:
            diags = exc.diagnostics
        except RuleError as exc:
            fail(exc, fmt)
        if source is not None:  # the same suppression comments that `guize lint` obeys
            sources[os.path.realpath(path)] = source
            diags = obey(diags, source, str(path))
        texts.extend(render(d, source) for d in diags)
        errors = sum(d.severity == "error" for d in diags)
        n_errors += errors
        results.append({"file": str(path), "errors": errors, "diagnostics": [d.to_json() for d in diags]})
    dirs = [p for p in paths if Path(p).is_dir()]
    if dirs and not n_errors:
        corpus = load_corpus(dirs)
        for d in corpus.diagnostics:
            source = sources.get(os.path.realpath(d.span.file))
            if source is not None and not obey([d], source, d.span.file):
                continue
            n_errors += d.severity == "error"
            texts.append(render(d, None))
            results.append({"file": d.span.file, "errors": int(d.severity == "error"),
                            "diagnostics": [d.to_json()]})
    if fmt == "json":
        click.echo(dumps({"files": results, "errors": n_errors}))
    else:
        for t in texts:
            click.echo(t, err=True)
        from guize.runtime.i18n import t as text_of

        click.echo(text_of("check.ok", files=len(files)) if not n_errors
                   else text_of("check.errors", files=len(files), errors=n_errors))
    sys.exit(EXIT_FINDINGS if n_errors else EXIT_OK)


# ---------------------------------------------------------------- eval


@main.command("eval")
@click.argument("file")
@click.option("--date", "date_text", required=True, metavar="日期", help="评估日期，如 2025-03-01")
@click.option("--known-on", "known_text", default=None, metavar="日期",
              help="按该日已发布的规定计算（之后发布的修改不计）；默认按现行规定")
@click.option("--input", "input_path", required=True, metavar="文件",
              help="输入：一个 JSON 对象、对象的数组，或 JSON Lines（每行一个对象）；- 表示标准输入")
@click.option("--output", "outputs", multiple=True, metavar="名称", help="只计算这些输出（可多次给出）")
@click.option("--explain", is_flag=True, help="打印计算过程（含条款）")
@click.option("--corpus", default=None, metavar="目录",
              help="文件库目录（判断是否已被废止，含子目录）；默认为文件所在目录（不含子目录）")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]), default="text",
              help="text：结果为 JSON，计算说明写到标准错误；json：结果和说明树（出错时也是 JSON）；"
                   "markdown、html：计算说明（隐含 --explain），写到标准输出")
@click.option("--decimals", type=click.Choice(["number", "string"]), default="number", show_default=True,
              help="金额、比率写成 JSON 数（逐位精确）或字符串（JavaScript 等按浮点数读数时用）")
def eval_(file: str, date_text: str, known_text: str | None, input_path: str, outputs: tuple[str, ...],
          explain: bool, corpus: str | None, fmt: str, decimals: str) -> None:
    """按某一日期有效的规则计算：输出 JSON；数组或 JSON Lines 的输入每条一行结果。"""
    from guize.commands.evaluate import evaluate

    evaluate(file, parse_date(date_text), input_path, outputs, explain, corpus, fmt, decimals,
             parse_date(known_text) if known_text is not None else None)


# ---------------------------------------------------------------- compile


@main.command("compile")
@click.argument("file")
@click.option("-o", "--output-dir", required=True, metavar="目录", help="写出 Python 模块的目录")
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
    batch = Path(output_dir) / f"{name}_batch.py"  # the columnar evaluators, imported when first needed
    write_atomic(batch, compiled.batch_python)
    write_atomic(target, compiled.python)
    click.echo(f"已写出 {target}（及按列计算的 {batch.name}）")


# ---------------------------------------------------------------- status / timeline


@main.command()
@click.argument("document")
@click.option("--date", "date_text", required=True, metavar="日期", help="查询日期")
@click.option("--known-on", "known_text", default=None, metavar="日期",
              help="按该日已发布的文件回答（之后发布的文件、修改不计）；默认按现在")
@click.option("--corpus", default="policies", show_default=True, metavar="目录", help="文件库目录")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def status(document: str, date_text: str, known_text: str | None, corpus: str, fmt: str) -> None:
    """查询文件（文号或标题）在某日是否有效；若无效，说明原因。列出在该日适用的修改。"""
    from guize.compiler.corpus import load_corpus
    from guize.runtime.dates import cn

    on = parse_date(date_text)
    known_on = parse_date(known_text) if known_text is not None else None
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
    rows: list[dict[str, Any]] = []
    for e in found:
        code, message = e.window.status(on)
        w = e.window
        published = e.doc.get("published")
        if known_on is not None and published is not None and known_on < published:
            code, message = "not_published", f"{w.name()}于{cn(published)}发布，{cn(known_on)}尚未发布"
        # The amendments that apply on the date (and, with --known-on, were published by then).
        amendments = [a for a in e.amendments if a.window.start is not None and a.window.start <= on
                      and (known_on is None or (a.doc.get("published") or a.window.start) <= known_on)]
        rows.append({"document": w.name(), "title": w.title, "docno": w.docno, "date": on, "status": code,
                     "message": message, "start": w.start, "last_day": w.last,
                     "repealed_on": w.repealed.on if w.repealed else None,
                     "repealed_by": w.repealed.by() if w.repealed else None, "file": e.path,
                     **({"amended_by": [{"document": a.window.name(), "docno": a.doc.get("docno"),
                                         "published": a.doc.get("published"), "start": a.window.start}
                                        for a in amendments]} if e.amendments else {})})
    if fmt == "json":
        click.echo(dumps(rows[0] if len(rows) == 1 else rows))
    else:
        labels = {"in_force": "有效", "not_yet": "尚未施行", "expired": "已失效", "repealed": "已废止",
                  "unknown": "未知", "not_published": "尚未发布"}
        for r in rows:
            click.echo(f"{labels[str(r['status'])]}：{r['message']}")
            for a in r.get("amended_by", ()):
                when = f"{cn(a['published'])}发布，" if a["published"] else ""
                click.echo(f"  经{a['document']}修改（{when}自{cn(a['start'])}起施行）")
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
                           "value": r.value, "decided": r.decided, "file": r.path} for r in rows]))
        return
    # 发布: when the value was decided (the publication of the document that set it), beside
    # when it applies (起, 止): an amendment may apply from before it was published.
    table = [("文件", "事项", "起", "止", "取值", "发布")]
    for r in rows:
        table.append((r.document, r.what, cn(r.start) if r.start else "—", cn(r.end) if r.end else "长期",
                      r.value, cn(r.decided) if r.decided else ""))
    widths = [max(display_width(row[i]) for row in table) for i in range(6)]
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
@click.option("--junit", "junit_path", default=None, metavar="文件", help="写出 JUnit XML 报告")
@click.option("-v", "--verbose", is_flag=True, help="列出每个例子")
@click.option("--coverage", "with_coverage", is_flag=True,
              help="统计例子覆盖的分支、分段、表行、版本和条款")
@click.option("--min-coverage", type=click.FloatRange(0, 100), default=None, metavar="N",
              help="总覆盖率低于 N% 时失败（隐含 --coverage）")
def test(paths: tuple[str, ...], fmt: str, junit_path: str | None, verbose: bool, with_coverage: bool,
         min_coverage: float | None) -> None:
    """运行 .rule 文件中的例子（例/测试），比对期望值。"""
    from guize.tools import coverage, testing

    with_coverage = with_coverage or min_coverage is not None
    try:
        report = testing.run(list(paths) or ["policies"], coverage=with_coverage)
    except RuleError as exc:
        fail(exc, fmt)
    if junit_path:
        from guize.compiler.driver import write_atomic
        from guize.tools.reports import junit_xml

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
        _print_test_report(report, verbose)
        if with_coverage:
            click.echo(coverage.render(files, verbose))
            click.echo()
            if below:
                click.echo(f"总覆盖率 {total.percent}% 低于要求的 {min_coverage:g}%")
                click.echo()
        failed = sum(o.status != "passed" for o in report.outcomes)
        from guize.runtime.i18n import t as text_of

        summary = text_of("test.summary", passed=report.passed, failed=failed)
        if report.compile_errors:
            summary += text_of("test.uncompiled", files=len(report.compile_errors))
        click.echo(summary)
    sys.exit(EXIT_FINDINGS if report.failed or below else EXIT_OK)


def _print_test_report(report: Any, verbose: bool) -> None:
    """Each failed example and each file that did not compile as a block of its own, in file order,
    all on stdout so that the summary that follows always comes last."""
    chunks: list[tuple[str, int, str, bool]] = []  # file, line, text, followed by a blank line
    for err in report.compile_errors:
        file = err.diagnostics[0].span.file if err.diagnostics else ""
        chunks.append((file, 0, err.render(), True))
    for o in report.outcomes:
        if o.status == "passed":
            if verbose:
                chunks.append((o.file, o.line, f"通过  {o.file}:{o.line}  {o.name}", False))
            continue
        lines = [f"失败  {o.file}:{o.line}  {o.name}", f"      {o.message}"]
        if o.explanation:
            lines.append("      实际值的计算过程：")
            lines.extend("        " + line for line in o.explanation.splitlines())
        chunks.append((o.file, o.line, "\n".join(lines), True))
    chunks.sort(key=lambda c: (c[0], c[1]))
    after_line = False  # the last thing printed was a one-line 通过 entry
    for _, _, text, block in chunks:
        if block and after_line:
            click.echo()
        click.echo(text)
        if block:
            click.echo()
        after_line = not block
    if after_line:
        click.echo()


def _register_commands() -> None:
    import importlib
    import pkgutil

    from guize import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if info.name in ("common", "evaluate"):  # helpers every command shares; eval's body (its command is here)
            continue
        module = importlib.import_module(f"guize.commands.{info.name}")
        main.add_command(module.command)


_register_commands()


if __name__ == "__main__":  # pragma: no cover
    main()
