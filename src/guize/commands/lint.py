"""`guize lint`: findings beyond `guize check`, as text, JSON, SARIF, GitHub annotations or GitLab Code Quality."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from guize.clitext import Command
from guize.runtime.errors import RuleError

FORMATS = ("text", "json", "sarif", "github", "codequality")


@click.command("lint", cls=Command)
@click.argument("paths", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="输出格式：text、json、sarif（代码扫描）、github（Actions 注释）、codequality（GitLab）")
@click.option("--as-of", "as_of_text", default=None, metavar="DATE",
              help="判断文件是否即将失效所依据的日期，默认今天")
@click.option("-o", "--output", "output", default=None, metavar="FILE", help="把报告写入文件（默认标准输出）")
@click.option("--strict", is_flag=True, help="有警告也以 1 退出")
def command(paths: tuple[str, ...], fmt: str, as_of_text: str | None, output: str | None, strict: bool) -> None:
    """检查 .rule 文件中可能的问题：分段空档、不可达分支、缺少依据、即将失效等。

    退出码：0 没有错误；1 有错误（--strict 时有警告也算）；2 用法错误。

    忽略某项发现：在该行末尾或上一行写「# guize-lint: 忽略 L101 理由」。
    """
    from guize._version import __version__
    from guize.commands.common import EXIT_FINDINGS, EXIT_OK, dumps, fail, parse_date
    from guize.compiler.diagnostics import render
    from guize.compiler.driver import read_source, write_atomic
    from guize.tools import reports
    from guize.tools.lint import counts, lint

    as_of = parse_date(as_of_text, "--as-of") if as_of_text else None
    targets = list(paths) or ["policies"]
    try:
        findings = lint(targets, as_of)
    except RuleError as exc:
        fail(exc, "json" if fmt == "json" else "text")
    tally = counts(findings)
    if fmt == "json":
        text = dumps(reports.findings_json(findings)) + "\n"
    elif fmt == "sarif":
        text = dumps(reports.sarif(findings, __version__)) + "\n"
    elif fmt == "codequality":
        text = dumps(reports.codequality(findings)) + "\n"
    elif fmt == "github":
        text = reports.github_annotations(findings)
    else:
        sources: dict[str, str | None] = {}
        blocks = []
        for d in findings:
            if d.span.file not in sources:
                try:
                    sources[d.span.file] = read_source(d.span.file)
                except RuleError:
                    sources[d.span.file] = None
            blocks.append(render(d, sources[d.span.file]))
        blocks.append(_summary(tally))
        text = "\n".join(blocks) + "\n"
    if output:
        write_atomic(Path(output), text)
        click.echo(f"已写出 {output}：{_summary(tally)}", err=True)
    else:
        click.echo(text, nl=False)
    failing = tally["error"] or (strict and tally["warning"])
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)


def _summary(tally: dict[str, int]) -> str:
    from guize.runtime.i18n import t

    if not any(tally.values()):
        return t("lint.clean")
    return t("lint.summary", errors=tally["error"], warnings=tally["warning"], infos=tally["info"])
