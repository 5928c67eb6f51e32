"""`guize schema`: the JSON Schema (2020-12) of a policy's inputs, its outputs' under $defs."""

from __future__ import annotations

import click

from guize.clitext import Command
from guize.runtime.errors import RuleError


@click.command("schema", cls=Command)
@click.argument("file")
@click.option("--output", "outputs", multiple=True, metavar="名称", help="只含这些输出所需的输入（可多次给出）")
@click.option("--numbers", is_flag=True, help="输出的金额、比率按 JSON 数写（默认按字符串，精确）")
@click.option("--corpus", default=None, metavar="目录", help="文件库目录；默认为文件所在目录（不含子目录）")
def command(file: str, outputs: tuple[str, ...], numbers: bool, corpus: str | None) -> None:
    """打印规则文件输入与输出的 JSON Schema（2020-12）：类型、单位、可选值、默认值、条款。"""
    from guize.commands.common import dumps, fail, load_quietly
    from guize.runtime.schema import policy_schema

    try:
        policy = load_quietly(file, corpus)
        click.echo(dumps(policy_schema(policy, list(outputs) or None, numbers)))
    except RuleError as exc:
        fail(exc)
