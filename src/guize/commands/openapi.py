"""`guize openapi`: the OpenAPI 3.1 description `guize serve` would give for a folder."""

from __future__ import annotations

import click

from guize.clitext import Command


@click.command("openapi", cls=Command)
@click.argument("path")
@click.option("--numbers", is_flag=True, help="金额、比率按 JSON 数写（与服务的 ?numbers=true 对应）")
def command(path: str, numbers: bool) -> None:
    """打印 guize serve 对 PATH 下规则文件提供的接口说明（OpenAPI 3.1，JSON）。"""
    from guize.commands.common import dumps, fail
    from guize.runtime.errors import RuleError
    from guize.service.openapi import openapi
    from guize.service.registry import Registry

    try:
        registry = Registry(path)
        registry.load()
    except RuleError as exc:
        fail(exc)
    for doc in registry.documents():
        if doc.error is not None:
            click.echo(f"警告：「{doc.path}」有错误，未列入接口说明", err=True)
    click.echo(dumps(openapi(registry.documents(), numbers)))
