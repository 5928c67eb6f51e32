"""The `guize` command's entry point: a plain `guize eval` runs here before click is imported.

`guize eval FILE --date D [--known-on K] --input F [--output O]… [--explain] [--corpus DIR] [--format F]
[--decimals D]`, written plainly (a known option, then its value), is run at once by
guize.commands.evaluate: with a cached policy it imports only the runtime, which makes the
command start about as quickly as Python itself (bench/startup_bench.py). Anything else —
another command, --help, an unknown or repeated option, a bad date or choice — goes to
guize.cli, whose click commands parse it and report usage errors in Chinese; its `eval`
command calls the same function, so both paths give the same output.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any

# eval's options that take a value, and the values click's Choice types accept.
_VALUED = ("--date", "--known-on", "--input", "--output", "--corpus", "--format", "--decimals")
_CHOICES = {"--format": ("text", "json", "markdown", "html"), "--decimals": ("number", "string")}


def main(prog_name: str = "guize") -> None:
    args = sys.argv[1:]
    plain = plain_eval(args) if args[:1] == ["eval"] else None
    if plain is None:
        from guize.cli import main as cli

        cli(prog_name=prog_name)
        return
    from guize.commands.evaluate import evaluate

    try:
        evaluate(**plain)
    except (KeyboardInterrupt, EOFError):  # as click's main reports them
        sys.stderr.write("\n已中止\n")
        sys.exit(1)
    except BrokenPipeError:  # `guize eval … | head`: as click's main, exit 1 without a traceback
        import os

        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - flushed and closed at exit
        sys.exit(1)


def plain_eval(args: Sequence[str]) -> dict[str, Any] | None:
    """The arguments of evaluate() for `args` (which start with "eval"), or None when anything
    in them is not plain: then click parses them, with its help and usage errors."""
    values: dict[str, str] = {}
    outputs: list[str] = []
    files: list[str] = []
    explain = False
    rest = list(args[1:])
    while rest:
        token = rest.pop(0)
        name, eq, value = token.partition("=")
        if name in _VALUED and token.startswith("--"):
            if not eq:
                if not rest:
                    return None
                value = rest.pop(0)
            if value.startswith("-") and value != "-":
                return None  # click would take it as the value; let it say so
            if name == "--output":
                outputs.append(value)
            elif name in values or value not in _CHOICES.get(name, (value,)):
                return None  # a repeated option or a value outside the choices
            else:
                values[name] = value
        elif token == "--explain" and not explain:
            explain = True
        elif token.startswith("-") or files:
            return None  # --help, --, an unknown option, a second FILE
        else:
            files.append(token)
    if not files or "--date" not in values or "--input" not in values:
        return None
    from guize.runtime import dates

    try:
        on = dates.parse(values["--date"])
        known_on = dates.parse(values["--known-on"]) if "--known-on" in values else None
    except ValueError:
        return None
    return {"file": files[0], "on": on, "known_on": known_on, "input_path": values["--input"], "outputs": tuple(outputs),
            "explain": explain, "corpus": values.get("--corpus"), "fmt": values.get("--format", "text"),
            "decimals": values.get("--decimals", "number")}
