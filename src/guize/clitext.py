"""Chinese help pages and usage errors for the `guize` command: click writes its own in English.

Every command is a `Command` (the group a `Group`): their context formats help with
`Formatter`, and `Group.main` reports click's usage errors in Chinese, built from the
exception's fields rather than from click's English text.
"""

from __future__ import annotations

import difflib
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

import click

# Click's fixed help-page phrases, by the English text click passes to the formatter.
_HEADINGS = {"Options": "选项", "Commands": "命令", "Positional arguments": "参数", "Arguments": "参数"}
_HELP_TEXTS = {"Show this message and exit.": "显示此帮助并退出", "Show the version and exit.": "显示版本并退出"}
# Metavars click derives from a parameter's type (an explicit metavar is left alone).
_METAVARS = {"TEXT": "文本", "INTEGER RANGE": "整数", "FLOAT RANGE": "数", "INTEGER": "整数", "FLOAT": "数",
             "PATH": "路径", "FILENAME": "文件", "DIRECTORY": "目录", "BOOLEAN": "是否"}
_NO_LINE_START = set("，。、；：）」》！？")  # punctuation that stays at the end of the line before
_NO_LINE_END = set("[(（「《")  # opening brackets that go to the next line with what they open
_EXTRA = re.compile(r"\s*\[((?:default|env var|required)\b[^\[\]]*)\]$")
_EXTRA_WORDS = (("default: ", "默认："), ("env var: ", "环境变量："), ("required", "必填"), ("; ", "；"))


class Formatter(click.HelpFormatter):
    """Chinese headings and phrases; columns lined up by display width (a CJK character takes two)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading)}：\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(_term(term), _help(text)) for term, text in rows]
        first = min(max((_width(term) for term, _ in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        for term, text in rows:
            self.write(indent + term)
            if not text:
                self.write("\n")
                continue
            if _width(term) <= first - col_spacing:
                self.write(" " * (first - _width(term)))
            else:
                self.write("\n" + indent + " " * first)
            lines = _wrap(text, max(self.width - first - self.current_indent - 2, 10))
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(indent + " " * first + line + "\n")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap(text: str, width: int) -> list[str]:
    """Greedy wrapping by display width: between any two CJK characters, or at a space."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in re.findall(r"[ -~]+?(?= |$|[^ -~])| |[^ -~]", paragraph):
            if line and _width(line + token) > width and token not in _NO_LINE_START:
                carry = line[-1] if line[-1] in _NO_LINE_END else ""
                lines.append(line[:len(line) - len(carry)].rstrip())
                line = carry + token.lstrip()
            else:
                line += token
        lines.append(line.rstrip())
    return lines


def _term(term: str) -> str:
    for english, chinese in _METAVARS.items():
        if term.endswith(" " + english):
            return term[:-len(english)] + chinese
    return term


def _help(text: str) -> str:
    text = _HELP_TEXTS.get(text, text)
    m = _EXTRA.search(text)
    if m is None:
        return text
    extra = m[1]
    for english, chinese in _EXTRA_WORDS:
        extra = extra.replace(english, chinese)
    return f"{text[:m.start()]}  [{extra}]"


class Context(click.Context):
    formatter_class = Formatter


class Command(click.Command):
    context_class = Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.allow_extra_args or ctx.resilient_parsing:
            return super().parse_args(ctx, args)
        ctx.allow_extra_args = True  # click would refuse extra arguments in English
        try:
            rest = super().parse_args(ctx, args)
        finally:
            ctx.allow_extra_args = False
        if rest:
            ctx.fail(f"多余的参数：{' '.join(rest)}")
        return rest


class Group(click.Group):
    context_class = Context
    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not isinstance(cmd, Command):  # INVARIANT: every command's help and errors are in Chinese
            raise TypeError(f"command {cmd.name!r} must be a guize.clitext.Command (cls=Command)")
        super().add_command(cmd, name)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                              list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None \
                and not ctx.resilient_parsing:
            close = difflib.get_close_matches(name, self.list_commands(ctx), 1)
            ctx.fail(f"没有命令「{name}」" + (f"，是否指「{close[0]}」？" if close else ""))
        return super().resolve_command(ctx, args)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            _usage_error(exc)
        except click.ClickException as exc:
            click.echo(f"错误：{exc.message}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("已中止", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


def _usage_error(exc: click.UsageError) -> NoReturn:
    ctx = exc.ctx
    if ctx is not None and type(exc).__name__ == "NoArgsIsHelpError":  # `guize` alone: the help page
        click.echo(ctx.get_help(), err=True)
        sys.exit(exc.exit_code)
    lines = []
    if ctx is not None:
        lines.append(ctx.get_usage())
        names = ctx.help_option_names
        if ctx.command.get_help_option(ctx) is not None and names:
            lines.append(f"运行「{ctx.command_path} {names[0]}」查看帮助。")
        lines.append("")
    lines.append(f"错误：{usage_message(exc)}")
    click.echo("\n".join(lines), err=True)
    sys.exit(exc.exit_code)


def usage_message(exc: click.UsageError) -> str:
    """The Chinese for one of click's usage errors; our own UsageErrors are Chinese already."""
    if isinstance(exc, click.NoSuchOption):
        near = "、".join(f"「{p}」" for p in exc.possibilities or ())
        return f"没有选项「{exc.option_name}」" + (f"，是否指{near}？" if near else "")
    if isinstance(exc, click.BadOptionUsage):
        # Raised while parsing, before there is a context to look the option up in.
        if "does not take a value" in exc.message:
            return f"选项「{exc.option_name}」不取值"
        return f"选项「{exc.option_name}」后面缺少取值"
    if isinstance(exc, click.MissingParameter):
        param = exc.param
        if isinstance(param, click.Option):
            return f"缺少选项「{_hint(param)}」"
        return f"缺少参数「{_hint(param)}」" if param is not None else "缺少参数"
    if isinstance(exc, click.BadParameter):
        param = exc.param
        if param is None:
            return exc.message
        return f"「{_hint(param)}」的取值无效：{_expected(param.type) or exc.message}"
    if isinstance(exc, click.BadArgumentUsage):
        return "参数的个数不对"
    return exc.message


def _hint(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        return "/".join(param.opts)
    return param.human_readable_name


def _expected(kind: object) -> str | None:
    """What a value of this type must be, in Chinese; None when only click's own message says it."""
    if isinstance(kind, click.Choice):
        return "应为 " + "、".join(str(c) for c in kind.choices) + " 之一"
    if isinstance(kind, (click.IntRange, click.FloatRange)):
        what = "整数" if isinstance(kind, click.IntRange) else "数"
        low = None if kind.min is None else f"{'大于' if kind.min_open else '不小于'} {kind.min:g}"
        high = None if kind.max is None else f"{'小于' if kind.max_open else '不大于'} {kind.max:g}"
        return "应为" + "、".join(x for x in (low, high) if x) + f" 的{what}"
    if kind is click.INT:
        return "应为整数"
    if kind is click.FLOAT:
        return "应为数"
    return None
