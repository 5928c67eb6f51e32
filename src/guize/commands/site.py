"""`guize site`: the site of `guize doc` with its calculator, on this computer."""

from __future__ import annotations

import click

from guize.clitext import Command
from guize.runtime.errors import RuleError


@click.command("site", cls=Command)
@click.argument("paths", nargs=-1, required=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, metavar="端口",
              help="监听的端口（0 表示任取一个空闲端口）")
def command(paths: tuple[str, ...], port: int) -> None:
    """在本机（127.0.0.1）提供 guize doc 的网站，页面中的计算器可以计算（按 Ctrl-C 停止）。

    计算器调用与 evaluate 相同的计算，金额为精确小数。
    """
    from guize.commands.common import fail
    from guize.tools.siteserver import serve

    def ready(url: str) -> None:
        click.echo(f"guize site：{url}", err=True)

    try:
        serve(list(paths), port, ready)
    except RuleError as exc:
        fail(exc)
    except OSError as exc:
        click.echo(f"错误：无法在端口 {port} 上提供服务：{exc.strerror}", err=True)
        raise SystemExit(1) from None
