"""`guize diff OLD NEW [PATH...]`: what changed between two versions of the rules, and where it shows."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from guize.clitext import Command

EXIT_SAME, EXIT_DIFFERENT, EXIT_TROUBLE = 0, 1, 2


@click.command("diff", cls=Command)
@click.argument("old")
@click.argument("new")
@click.argument("paths", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["markdown", "json", "text"]), default="markdown",
              show_default=True, help="输出格式：markdown 适合贴到合并请求评论")
@click.option("--output", "output", default=None, help="写入文件（默认打印到标准输出）")
@click.option("--budget", type=click.IntRange(min=1), default=None,
              help="每个输出最多比较多少组（输入, 日期），默认 20000")
@click.option("--prove", is_flag=True,
              help="用求解器证明每个输出在所有输入和日期上新旧相等，或找出反例（需 '.[verify]'）")
@click.option("--timeout", "timeout", type=click.FloatRange(min=0.001), default=10.0, show_default=True,
              metavar="秒", help="--prove 时每个输出的求解时限；超时则由抽样决定")
def command(old: str, new: str, paths: tuple[str, ...], fmt: str, output: str | None, budget: int | None,
            prove: bool, timeout: float) -> None:
    """比较两个版本的规则：文件信息、参数与表、输出，以及结果在哪些日期和输入上改变。

    OLD 与 NEW 是两个文件或目录，或两个 git 修订（其后可给出目录，默认 policies）：

      guize diff 旧/ 新/          guize diff HEAD~1 HEAD policies/

    退出码与 diff(1) 相同：0 没有差异，1 有差异，2 用法错误或无法读取、编译某个版本。
    """
    from guize.commands.common import dumps
    from guize.compiler.diagnostics import CompileError
    from guize.compiler.driver import write_atomic
    from guize.runtime.errors import RuleError
    from guize.tools import diff as D

    try:
        report = D.run(old, new, list(paths), budget or D.DEFAULT_BUDGET, prove=timeout if prove else None)
    except D.DiffUsageError as exc:
        hint = exc.detail.get("hint")
        raise click.UsageError(exc.message + (f"\n建议：{hint}" if hint else "")) from None
    except CompileError as exc:
        click.echo(exc.render(), err=True)
        click.echo("错误：有版本无法编译，不能比较", err=True)
        sys.exit(EXIT_TROUBLE)
    except RuleError as exc:
        click.echo(f"错误：{exc.message}", err=True)
        sys.exit(EXIT_TROUBLE)
    if fmt == "json":
        text = dumps(report) + "\n"
    elif fmt == "text":
        text = D.render_text(report)
    else:
        text = D.render_markdown(report)
    if output:
        write_atomic(Path(output), text)
        summary = report["summary"]
        touched = summary["changed"] + summary["added"] + summary["removed"]
        verdict = f"有差异（{touched} 份文件）" if report["changed"] else "没有差异"
        click.echo(f"已写出 {output}：{verdict}", err=True)
    else:
        click.echo(text, nl=False)
    sys.exit(EXIT_DIFFERENT if report["changed"] else EXIT_SAME)
