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
def command(paths: tuple[str, ...], check_only: bool, show_diff: bool) -> None:
    """按统一格式重排 .rule 文件（缩进、标点、关键字写法、空行）；不改变含义。

    PATHS 可以是文件或目录（目录下的 .rule 文件逐一处理）；- 表示从标准输入读一个文件，
    格式化的结果写到标准输出。不带选项时就地改写有变化的文件；--check、--diff 都不写入文件。
    """
    from guize.compiler.driver import read_source, rule_files, write_atomic
    from guize.tools.fmt import FormatError, format_source

    if "-" in paths:
        if len(paths) > 1:
            raise click.UsageError("- （标准输入）不能与其他文件或目录同时给出")
        _stdin(check_only, show_diff)

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
        summary = f"{len(changed)} 个文件需要格式化（共 {total} 个）" if changed else f"{total} 个文件都已是统一格式"
    if failed:
        summary += f"；{failed} 个文件未能处理"
    click.echo(summary, err=True)
    sys.exit(1 if failed or (changed and not write) else 0)


def _stdin(check_only: bool, show_diff: bool) -> None:
    """`guize fmt -`: the formatted text on stdout (--check: only the exit code; --diff: the diff)."""
    from guize.commands.common import STDIN_NAME
    from guize.compiler.diagnostics import CompileError
    from guize.tools.fmt import FormatError, format_source

    source = sys.stdin.read()
    try:
        formatted = format_source(source, STDIN_NAME)
    except CompileError as exc:
        click.echo(exc.render(), err=True)
        click.echo("未格式化标准输入：有语法错误", err=True)
        sys.exit(1)
    except RuleError as exc:
        click.echo(f"错误：{exc.message}", err=True)
        sys.exit(1)
    except FormatError as exc:
        click.echo(f"内部错误：格式化会改变标准输入的含义，未格式化（请报告此问题：{exc}）", err=True)
        sys.exit(1)
    changed = formatted != source
    if show_diff:
        diff = difflib.unified_diff(source.splitlines(keepends=True), formatted.splitlines(keepends=True),
                                    fromfile=f"a/{STDIN_NAME}", tofile=f"b/{STDIN_NAME}")
        for line in diff:
            click.echo(line if line.endswith("\n") else line + "\n", nl=False)
    elif check_only:
        click.echo("标准输入需要格式化" if changed else "标准输入已是统一格式", err=True)
    else:
        click.echo(formatted, nl=False)
    sys.exit(1 if changed and (check_only or show_diff) else 0)
