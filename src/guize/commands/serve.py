"""`guize serve`: the HTTP JSON API over a folder of .rule files (needs the extra `serve`)."""

from __future__ import annotations

import errno
import os

import click

from guize.clitext import Command


@click.command("serve", cls=Command)
@click.argument("path")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听的地址（容器中用 0.0.0.0）")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="监听的端口")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="工作进程数")
@click.option("--max-body", type=click.IntRange(min=1), default=1 << 20, show_default=True,
              help="计算、解释请求的请求体最大字节数")
@click.option("--max-batch-body", type=click.IntRange(min=1), default=16 << 20, show_default=True,
              help="批量请求的请求体最大字节数")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="一次批量请求的最大行数")
@click.option("--reload-interval", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="每隔多少秒检查规则文件是否改动（改动后重新加载，不中断请求）；0 表示不检查")
def command(path: str, host: str, port: int, workers: int, max_body: int, max_batch_body: int, max_rows: int,
            reload_interval: float) -> None:
    """启动 HTTP JSON 服务：计算、解释、批量计算 PATH 下的规则文件（需要可选依赖 [serve]）。"""
    from guize.commands.common import fail
    from guize.runtime.errors import RuleError

    try:
        import uvicorn

        from guize.service.app import Settings, create_app
    except ImportError:
        fail(RuleError("guize serve 需要可选依赖 starlette 和 uvicorn：安装 guize 时带上 [serve]，"
                        "或在已装好 guize 的环境里 pip install starlette uvicorn"))
    if not os.path.exists(path):
        fail(RuleError(f"找不到文件或目录「{path}」", file=path))
    problem = _cannot_listen(host, port)
    if problem is not None:
        fail(RuleError(f"无法在 {host}:{port} 上监听：{problem}；请换一个端口（--port）或地址（--host）"))
    if workers > 1:  # each worker process builds its own app from these variables
        os.environ.update({"GUIZE_SERVE_ROOT": path, "GUIZE_SERVE_MAX_BODY": str(max_body),
                           "GUIZE_SERVE_MAX_BATCH_BODY": str(max_batch_body),
                           "GUIZE_SERVE_MAX_ROWS": str(max_rows), "GUIZE_SERVE_RELOAD": str(reload_interval)})
        uvicorn.run("guize.service.app:from_env", factory=True, host=host, port=port, workers=workers,
                    log_level="warning")
        return
    app = create_app(Settings(path, max_body, max_batch_body, max_rows, reload_interval))
    click.echo(f"guize serve：http://{host}:{port}/v1/policies（接口说明：/openapi.json）", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _cannot_listen(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port (port in use, no such address), or None.
    Checked before starting uvicorn, which would say it in English."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return f"地址「{host}」无法解析"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            s.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return "端口已被占用"
            return exc.strerror or str(exc)
    return None
