"""`guize lsp`: the language server for editors, speaking LSP over standard input and output."""

from __future__ import annotations

import sys

import click

from guize.clitext import Command


@click.command("lsp", cls=Command)
@click.option("--stdio", is_flag=True, help="经标准输入输出通信（默认，也是唯一的方式；编辑器常会传入此选项）")
def command(stdio: bool) -> None:
    """语言服务器：为编辑器提供诊断、悬停说明、跳转、补全、大纲、重命名、格式化和语义着色。

    由编辑器启动（如 VS Code 扩展 editors/vscode），经标准输入输出以 LSP 协议通信。
    需要可选依赖 pygls：在 guize 的克隆中运行 pip install '.[lsp]' 安装。
    """
    try:
        from guize.tools.lsp.server import main
    except ImportError as exc:
        if exc.name not in ("pygls", "lsprotocol") and not str(exc.name or "").startswith(("pygls.", "lsprotocol.")):
            raise
        click.echo("错误：语言服务器需要 pygls：在 guize 的克隆中运行 pip install '.[lsp]' 安装", err=True)
        sys.exit(1)
    main()
