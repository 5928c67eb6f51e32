"""What every guize command shares: exit codes, exact JSON output, user-error reporting, dates
from the command line. Used by cli.py and the modules in guize.commands alike.

Click is imported only where a usage error is raised: guize.entry runs `guize eval` with these
helpers before click is imported (a quicker start)."""

from __future__ import annotations

import datetime
import sys
from decimal import Decimal

from guize.runtime import display, jsonfast
from guize.runtime.errors import RuleError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a quicker start-up: runtime/tuples.py)
if TYPE_CHECKING:
    from typing import Any, NoReturn

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
STDIN_NAME = "<标准输入>"  # the file name in messages about a .rule text read from stdin (`-`)


def dumps(value: Any, indent: int = 2) -> str:
    """JSON with exact decimals written as JSON numbers (123.45, 0.85), never via binary floats."""
    return _dump(value, indent, 0)


def _dump(value: Any, indent: int, level: int) -> str:
    pad, inner = " " * (indent * level), " " * (indent * (level + 1))
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{jsonfast.string(str(k))}: {_dump(v, indent, level + 1)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _dump(v, indent, level + 1) for v in value) + "\n" + pad + "]"
    if isinstance(value, Decimal):
        return display.exact(value)
    if isinstance(value, datetime.date) or (isinstance(value, int) and hasattr(value, "isoformat")):
        return jsonfast.string(value.isoformat())  # dates; durations as ISO 8601 (P5Y7M), year-months 2025-02
    return jsonfast.scalar(value)


def echo(text: str = "", err: bool = False, nl: bool = True) -> None:
    """click.echo for text: one write, then flush (so that stdout and stderr interleave as written)."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n" if nl else text)
    stream.flush()


def fail(exc: RuleError, fmt: str = "text", status: int = EXIT_FINDINGS) -> NoReturn:
    """Report a user error on stderr (Chinese text or JSON) and exit with `status` (1)."""
    if fmt == "json":
        echo(dumps(exc.to_json()), err=True)
    else:
        from guize.compiler.diagnostics import CompileError

        if isinstance(exc, CompileError):
            echo(exc.render(), err=True)
        else:
            from guize.runtime.i18n import diagnostic, t

            echo(t("error.prefix") + diagnostic(exc.code, exc.message), err=True)
    sys.exit(status)


def parse_date(value: str, what: str = "--date") -> datetime.date:
    """A date given on the command line (2025-03-01 or 2025年3月1日); a usage error if invalid."""
    import click

    from guize.runtime import dates

    try:
        return dates.parse(value)
    except ValueError:
        raise click.UsageError(f"{what} 的日期「{value}」无效，应写成 2025-03-01 或 2025年3月1日") from None


def load_quietly(file: str, corpus: str | None) -> Any:
    """guize.load, its corpus warnings printed as 「警告：…」 lines instead of Python's format."""
    import guize

    policy = guize.load(file, corpus=corpus if corpus else True, warn=False)
    for message in policy.warnings:
        echo(f"警告：{message}", err=True)
    return policy


def read_stdin(name: str) -> str:
    """The .rule text on standard input (UTF-8, a BOM dropped), named `name` in messages."""
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RuleError(f"「{name}」不是 UTF-8 编码（常见原因：用 GBK 保存），请另存为 UTF-8", file=name) from None
