"""`guize run`: evaluate a policy over a data file (parquet, csv, jsonl, xlsx) in chunks.

The reading, evaluating and writing are guize.runtime.files.run_file; this command parses
the options, loads the policy, shows progress and prints the summary.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from guize.clitext import Command
from guize.runtime.errors import RuleError
from guize.runtime.files import CHUNK_ROWS, file_format


def _suffix(path: str, what: str, given: str | None = None) -> str:
    if path == "-":
        return "." + (given or "jsonl")
    suffix = file_format(path)
    if suffix is None:
        raise click.UsageError(f"{what}「{path}」的格式无法识别：应为 .parquet、.csv、.jsonl 或 .xlsx")
    return suffix


@click.command("run", cls=Command)
@click.argument("file")
@click.option("--date", "date_text", default=None, help="所有行共用的评估日期，如 2025-03-01")
@click.option("--date-column", default=None, help="按行取评估日期的列名，如 就诊日期")
@click.option("--known-on", "known_text", default=None, metavar="日期",
              help="按该日已发布的规定计算（之后发布的修改不计）；默认按现行规定")
@click.option("--input", "input_path", required=True, help="输入文件：.parquet、.csv、.jsonl 或 .xlsx；- 表示标准输入")
@click.option("--output", "output_path", required=True, help="输出文件：.parquet、.csv、.jsonl 或 .xlsx；- 表示标准输出")
@click.option("--input-format", type=click.Choice(["jsonl", "csv", "parquet", "xlsx"]), default=None,
              help="标准输入的格式（默认 jsonl）")
@click.option("--output-format", type=click.Choice(["jsonl", "csv", "parquet", "xlsx"]), default=None,
              help="标准输出的格式（默认 jsonl）")
@click.option("--only", "outputs", multiple=True, help="只计算这些输出（可多次给出）")
@click.option("--keep", multiple=True, help="把输入中的这些列原样带到输出（如编号），可多次给出")
@click.option("--decimals", type=click.Choice(["number", "string"]), default="number", show_default=True,
              help="JSONL 输出中金额、比率写成 JSON 数（逐位精确）或字符串")
@click.option("--encoding", default=None, metavar="编码",
              help="CSV 输入的编码，如 gb18030（含 GBK）；默认：UTF-8，不是 UTF-8 时按 GB18030")
@click.option("--excel", is_flag=True, help="CSV 输出以 UTF-8 BOM 开头，中文 Windows 上的 Excel 能正确显示")
@click.option("--strict", is_flag=True, help="遇到第一行错误即停止（不写出输出文件）")
@click.option("--decimal64", is_flag=True,
              help="金额、比率写成 decimal64（18 位，小数位由规则确定），整数写成 int64；放不下的值在该行报错")
@click.option("--chunk-rows", type=click.IntRange(min=1), default=CHUNK_ROWS, show_default=True,
              help="每块的行数（决定内存占用）")
@click.option("--corpus", default=None, help="文件库目录（判断是否已被废止，含子目录）；默认为文件所在目录（不含子目录）")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="结束摘要的格式")
@click.option("--progress/--no-progress", default=None, help="显示进度条（默认：在终端上显示）")
@click.option("--explain", "explain_path", default=None, metavar="文件",
              help="把每一行的计算说明写到这个 JSON Lines 文件（每行 {\"行\": 行号, 保留的列…, \"说明\": …}）")
@click.option("--explain-format", type=click.Choice(["text", "markdown", "html", "json"]), default="text",
              show_default=True, help="--explain 中说明的格式")
def command(file: str, date_text: str | None, date_column: str | None, known_text: str | None,
            input_path: str, output_path: str,
            input_format: str | None, output_format: str | None, outputs: tuple[str, ...], keep: tuple[str, ...],
            decimals: str, encoding: str | None, excel: bool, strict: bool, chunk_rows: int, corpus: str | None, fmt: str,
            progress: bool | None, explain_path: str | None, explain_format: str, decimal64: bool = False) -> None:
    """按规则批量计算数据文件中的每一行，流式处理，输出写完才改名就位。"""
    from guize.commands.common import EXIT_FINDINGS, EXIT_OK, fail, parse_date

    if (date_text is None) == (date_column is None):
        raise click.UsageError("请给出 --date（所有行同一日期）或 --date-column（按行取日期）之一")
    on: Any = parse_date(date_text) if date_text is not None else date_column
    known_on = parse_date(known_text) if known_text is not None else None
    for path, given, option in ((input_path, input_format, "--input-format"),
                                (output_path, output_format, "--output-format")):
        if given is not None and path != "-":
            raise click.UsageError(f"{option} 只用于标准输入输出（-）；文件的格式按扩展名")
    if explain_path is not None and explain_path in ("-", input_path, output_path):
        raise click.UsageError("--explain 要写到另一个文件（不能是 -、输入文件或输出文件）")
    in_suffix = _suffix(input_path, "输入文件", input_format)
    out_suffix = _suffix(output_path, "输出文件", output_format)
    source, target = Path(input_path), Path(output_path)
    if input_path != "-" and not source.is_file():
        fail(RuleError(f"找不到输入文件「{input_path}」", file=input_path), fmt)
    if "-" not in (input_path, output_path) and source.resolve() == target.resolve():
        raise click.UsageError("输出文件不能与输入文件相同")
    with tempfile.TemporaryDirectory(prefix="guize-run-") as tmp:
        if input_path == "-":  # the readers need a file they can seek in: stdin is copied first
            source = Path(tmp) / f"stdin{in_suffix}"
            with open(source, "wb") as fh:
                shutil.copyfileobj(sys.stdin.buffer, fh)
        if output_path == "-":  # written whole, then copied: a failed run writes nothing to stdout
            target = Path(tmp) / f"stdout{out_suffix}"
        try:
            summary = _run(file, on, source, target, list(outputs) or None, list(keep), strict, chunk_rows,
                           corpus, progress, decimals, encoding, excel, known_on,
                           (explain_path, explain_format) if explain_path is not None else None, decimal64)
        except RuleError as exc:
            fail(exc, fmt)
        if output_path == "-":
            with open(target, "rb") as fh:
                shutil.copyfileobj(fh, sys.stdout.buffer)
            sys.stdout.buffer.flush()
            summary["output"] = "-"
            summary["errors_file"] = None  # the rows' errors are in the 「错误」 column
    if fmt == "json" and output_path == "-":
        from guize.commands.common import dumps

        click.echo(dumps(summary), err=True)  # stdout carries the data
        sys.exit(EXIT_FINDINGS if summary["errors"] else EXIT_OK)
    if fmt == "json":
        from guize.commands.common import dumps

        click.echo(dumps(summary))
    else:
        errors = summary["errors"]
        where = f"（见 {summary['errors_file']}）" if errors and summary["errors_file"] else ""
        click.echo(f"完成：{summary['rows']} 行，其中 {errors} 行出错{where}；"
                   f"用时 {summary['seconds']:.1f} 秒；已写出 {summary['output']}", err=True)
        for name, reason in summary["slow_outputs"].items():
            click.echo(f"注意：输出「{name}」不能按列计算，每行都逐行计算（慢得多）。原因：{reason}", err=True)
    sys.exit(EXIT_FINDINGS if summary["errors"] else EXIT_OK)


def _run(file: str, on: Any, source: Path, target: Path, outputs: list[str] | None, keep: list[str],
         strict: bool, chunk_rows: int, corpus: str | None, progress: bool | None,
         decimals: str = "number", encoding: str | None = None, excel: bool = False,
         known_on: Any = None, explain: tuple[str, str] | None = None, decimal64: bool = False) -> dict[str, Any]:
    from guize.commands.common import load_quietly
    from guize.runtime.files import run_file

    started = time.perf_counter()
    policy = load_quietly(file, corpus)
    for name in policy.select_outputs(outputs):
        if name in keep:
            raise click.UsageError(f"--keep 的列「{name}」与输出同名")
    show = sys.stderr.isatty() if progress is None else progress
    bar: Any = None
    shown = 0

    def advance(done: int, total: int, unit: str) -> None:
        nonlocal bar, shown
        if bar is None:
            bar = click.progressbar(length=total, label="计算", file=sys.stderr, show_pos=unit == "rows",
                                    show_percent=True)
            bar.__enter__()
        bar.update(done - shown)
        shown = done

    try:
        summary = run_file(policy, source, target, on, outputs, keep, strict, chunk_rows,
                           advance if show else None, decimals, encoding, excel, known_on, explain, decimal64)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    summary["seconds"] = round(time.perf_counter() - started, 3)  # loading the policy included
    return summary
