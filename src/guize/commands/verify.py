"""`guize verify`: prove or refute a policy's properties for every input and date (needs guize[verify])."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from guize.clitext import Command
from guize.runtime.errors import RuleError

FORMATS = ("text", "json", "sarif")


@click.command("verify", cls=Command)
@click.argument("paths", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="输出格式：text、json、sarif（代码扫描）")
@click.option("--timeout", "timeout", type=click.FloatRange(min=0.001), default=10.0, show_default=True,
              metavar="秒", help="每项性质的求解时限，超时则为「无法判定」")
@click.option("--strict", is_flag=True, help="「无法判定」也算不成立（以 1 退出）")
@click.option("--all", "show_all", is_flag=True, help="文本输出中也列出已证明的性质")
@click.option("-o", "--output", "output", default=None, metavar="FILE", help="把报告写入文件（默认标准输出）")
@click.option("--examples", is_flag=True,
              help="不做验证，而是为现有例子没走到的分支、分段、表行、版本补写例子（标「待核对」），写回文件")
def command(paths: tuple[str, ...], fmt: str, timeout: float, strict: bool, show_all: bool,
            output: str | None, examples: bool) -> None:
    """对每个可能的输入和有效期内的每一天，证明或否定规则的性质。

    性质：每条「断言」；除数为零；分段或表未覆盖；取值未生效；金额、数量输出为负；不可达的分支、分段或表行。
    每项结果为「已证明」「不成立」（附反例：日期和完整输入，已回放核对）或「无法判定」（附原因）。

    退出码：0 没有不成立的性质；1 有（--strict 时无法判定也算）；2 用法错误或规则有错。
    """
    from guize._version import __version__
    from guize.commands.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, dumps, fail
    from guize.compiler.driver import write_atomic
    from guize.tools.verify import report, verify_paths

    targets = list(paths) or ["policies"]
    if examples:
        _examples(targets, timeout)
        return
    try:
        results = verify_paths(targets, timeout)
    except RuleError as exc:  # a CompileError too: its diagnostics
        fail(exc, status=EXIT_USAGE)
    if fmt == "json":
        text = dumps(report.to_json(results)) + "\n"
    elif fmt == "sarif":
        text = dumps(report.sarif(results, __version__)) + "\n"
    else:
        text = report.text(results, show_all)
    if output:
        write_atomic(Path(output), text)
        click.echo(f"已写出 {output}：{report.summary(results)}", err=True)
    else:
        click.echo(text, nl=False)
    sys.exit(EXIT_FINDINGS if report.failing(results, strict) else EXIT_OK)


def _examples(targets: list[str], timeout: float) -> None:
    from guize.commands.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, fail
    from guize.compiler.driver import rule_files
    from guize.tools.verify import examples as E

    trouble = False
    try:
        files = rule_files(targets)
        for path in files:
            made = E.generate(str(path), timeout)
            if not made.added:
                click.echo(f"{path}：没有要补的例子（覆盖 {made.before[0]}/{made.before[1]}）")
                continue
            broken = E.failures(made)
            if broken:
                trouble = True
                click.echo(f"{path}：生成的例子未通过 guize test，未写入：{'；'.join(broken)}", err=True)
                continue
            E.write(made)
            click.echo(f"{path}：新增 {made.added} 个例子（标「待核对」），覆盖 {made.before[0]}/{made.before[1]}"
                       f" → {made.after[0]}/{made.after[1]}")
            if made.unreachable:
                click.echo(f"  无法走到：{'、'.join(made.unreachable)}")
    except RuleError as exc:  # a CompileError too: its diagnostics
        fail(exc, status=EXIT_USAGE)
    sys.exit(EXIT_FINDINGS if trouble else EXIT_OK)
