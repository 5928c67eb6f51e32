"""`guize doc`: a static HTML site of a corpus."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from guize.clitext import Command
from guize.runtime.errors import RuleError


@click.command("doc", cls=Command)
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output-dir", required=True, metavar="目录", help="写出网站的目录")
def command(paths: tuple[str, ...], output_dir: str) -> None:
    """把 .rule 文件或目录生成静态网站：文件说明、有效期和按日期取值的时间线、规则（条款双向链接）、例子。

    打开 目录/index.html 浏览。同样的文件生成同样的网页（不含生成日期）。
    """
    from guize.commands.common import fail
    from guize.tools.site import build

    try:
        pages = build(list(paths), Path(output_dir))
    except RuleError as exc:
        fail(exc)
    click.echo(f"已写出 {len(pages)} 个文件的网页：{Path(output_dir) / 'index.html'}", err=True)
    sys.exit(0)
