"""`guize fmt`: rewrite .rule files in the canonical layout, or check / show what would change."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import click

from guize.clitext import Command
from guize.runtime.errors import RuleError


@click.command("fmt", cls=Command)
@click.argument("paths", nargs=-1, required=True)
@click.option("--check", "check_only", is_flag=True, help="只列出需要格式化的文件，不写入；有则退出码为 1")
@click.option("--diff", "show_diff", is_flag=True, help="打印格式化前后的差异，不写入；有差异则退出码为 1")
@click.option("--stdin-filename", default=None, metavar="文件",
              help="PATHS 为 - 时，出错信息中所用的文件名（编辑器传入正在编辑的文件）")
def command(paths: tuple[str, ...], check_only: bool, show_diff: bool, stdin_filename: str | None) -> None:
    """按统一格式重排 .rule 文件（缩进、标点、关键字写法、空行）；不改变含义。

    PATHS 可以是文件或目录（目录下的 .rule 文件逐一处理）。
    不带选项时就地改写有变化的文件；--check、--diff 都不写入文件。
    PATHS 为 - 时从标准输入读取，把格式化的结果写到标准输出（供编辑器的格式化功能使用）；
    有语法错误时标准输出为空，退出码为 1。
    """
    from guize.compiler.driver import read_source, rule_files, write_atomic
    from guize.tools.fmt import FormatError, format_source

    if "-" in paths:
        if len(paths) > 1:
            raise click.UsageError("「-」（标准输入）不能与其他路径同时给出")
        _format_stdin(stdin_filename or "<标准输入>", check_only, show_diff)
        return
    try:
        files = rule_files(list(paths))
    except RuleError as exc:
        click.echo(f"错误：{exc.message}", err=True)
        sys.exit(1)
    from guize.compiler.diagnostics import CompileError

    write = not (check_only or show_diff)
    changed: list[Path] = []
    failed = 0
    for path in files:
        try:
            source = read_source(path)
            formatted = format_source(source, str(path))
        except CompileError as exc:
            click.echo(exc.render(), err=True)
            click.echo(f"未格式化「{path}」：有语法错误", err=True)
            failed += 1
            continue
        except RuleError as exc:
            click.echo(f"错误：{exc.message}", err=True)
            failed += 1
            continue
        except FormatError as exc:
            click.echo(f"内部错误：格式化「{path}」会改变其含义，已跳过（请报告此问题：{exc}）", err=True)
            failed += 1
            continue
        if formatted == source:
            continue
        changed.append(path)
        if show_diff:
            diff = difflib.unified_diff(source.splitlines(keepends=True), formatted.splitlines(keepends=True),
                                        fromfile=f"a/{path}", tofile=f"b/{path}")
            for line in diff:
                click.echo(line if line.endswith("\n") else line + "\n", nl=False)
        elif check_only:
            click.echo(f"需要格式化：{path}")
        if write:
            write_atomic(path, formatted)
            click.echo(f"已格式化：{path}")
    total = len(files)
    if write:
        summary = f"格式化了 {len(changed)} 个文件（共 {total} 个）"
    else:
        from guize.runtime.i18n import language, t

        if not changed:  # (the files that could not be read or parsed are not counted as formatted)
            summary = t("fmt.clean", files=total - failed) if total > failed else ""
        elif language() == "en":
            summary = t("fmt.would", files=len(changed))
        else:
            summary = f"{len(changed)} 个文件需要格式化（共 {total} 个）"
    if failed:
        summary += ("；" if summary else "") + f"{failed} 个文件未能处理"
    click.echo(summary, err=True)
    sys.exit(1 if failed or (changed and not write) else 0)


def _format_stdin(name: str, check_only: bool, show_diff: bool) -> None:
    """Format standard input to standard output; on an error, nothing on standard output."""
    from guize.commands.common import read_stdin
    from guize.compiler.diagnostics import CompileError
    from guize.tools.fmt import FormatError, format_source

    try:
        source = read_stdin(name)
        formatted = format_source(source, name)
    except CompileError as exc:
        click.echo(exc.render(), err=True)
        click.echo(f"未格式化「{name}」：有语法错误", err=True)
        sys.exit(1)
    except RuleError as exc:
        click.echo(f"错误：{exc.message}", err=True)
        sys.exit(1)
    except FormatError as exc:
        click.echo(f"内部错误：格式化「{name}」会改变其含义，未格式化（请报告此问题：{exc}）", err=True)
        sys.exit(1)
    if show_diff:
        diff = difflib.unified_diff(source.splitlines(keepends=True), formatted.splitlines(keepends=True),
                                    fromfile=f"a/{name}", tofile=f"b/{name}")
        for line in diff:
            click.echo(line if line.endswith("\n") else line + "\n", nl=False)
    elif check_only:
        if formatted != source:
            click.echo(f"需要格式化：{name}")
    else:
        click.echo(formatted, nl=False)
    sys.exit(1 if (check_only or show_diff) and formatted != source else 0)
