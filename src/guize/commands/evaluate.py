"""guize eval: compute a policy's outputs for records read as JSON. Without click, so that
guize.entry runs a plain `guize eval` before click (and the compiler) are imported; cli.py's
`eval` command, with its help and usage errors, calls the same function."""

from __future__ import annotations

import datetime
import sys
from collections.abc import Sequence

from guize.commands.common import EXIT_FINDINGS, EXIT_OK, dumps, echo, fail, load_quietly
from guize.runtime import jsonfast
from guize.runtime.errors import RuleError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a quicker start-up: runtime/tuples.py)
if TYPE_CHECKING:
    from typing import Any, NoReturn


def evaluate(file: str, on: datetime.date, input_path: str, outputs: Sequence[str], explain: bool,
             corpus: str | None, fmt: str, decimals: str, known_on: datetime.date | None = None) -> NoReturn:
    """Evaluate `file` on `on` for the records of `input_path` and exit: 0, or 1 on any error."""
    from guize.runtime.schema import dumps as line
    from guize.runtime.schema import jsonable

    numbers = decimals == "number"
    explain = explain or fmt in ("markdown", "html")
    error_format = "json" if fmt == "json" else "text"
    try:
        policy = load_quietly(file, corpus)
        records, many = read_input(input_path)
        wanted = list(outputs) or None
        if not many:
            data = records[0]
            if explain:
                from guize.runtime.explain import (
                    render,  # the explanation's renderers, only when asked
                )

                exp = policy.explain(data, on=on, outputs=wanted, known_on=known_on)
                if fmt == "json":
                    echo(dumps(jsonable({"outputs": exp.values, "explanation": exp.to_json()}, numbers)))
                elif fmt in ("markdown", "html"):
                    echo(render(exp, fmt, policy.document), nl=False)
                else:
                    echo(dumps(jsonable(exp.values, numbers)))
                    echo(render(exp, "text", policy.document), err=True)
            else:
                echo(dumps(jsonable(policy.evaluate(data, on=on, outputs=wanted, known_on=known_on), numbers)))
            sys.exit(EXIT_OK)
        policy.select_outputs(wanted)  # an unknown output is one error, not one per record
    except RuleError as exc:
        fail(exc, error_format)
    failed = 0
    if explain:
        from guize.runtime.explain import render
    for n, data in enumerate(records, 1):
        try:
            if isinstance(data, RuleError):
                raise data
            if explain:
                exp = policy.explain(data, on=on, outputs=wanted, known_on=known_on)
                result: Any = exp.values
                if fmt == "json":
                    result = {"outputs": exp.values, "explanation": exp.to_json()}
                else:
                    echo(f"第 {n} 条：\n{render(exp, 'text', policy.document)}", err=True)
            else:
                result = policy.evaluate(data, on=on, outputs=wanted, known_on=known_on)
        except RuleError as exc:
            failed += 1
            result = {"error": {**exc.to_json(), "record": n}}
            if fmt != "json":
                echo(f"错误：第 {n} 条：{exc.message}", err=True)
        echo(line(result, numbers))
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


# The json module's messages (exc.msg, without the position), in Chinese.
def json_error(exc: ValueError, what: str) -> str:
    """「{what}不是有效的 JSON：第 3 行第 5 列：此处缺少逗号」 (`exc`: json.JSONDecodeError, from jsonfast.loads)."""
    from json import JSONDecodeError

    if not isinstance(exc, JSONDecodeError):  # pragma: no cover - jsonfast raises no other ValueError
        return f"{what}不是有效的 JSON"
    if not exc.doc.strip():
        return f"{what}是空的：应是一个 JSON 对象，如 {{\"名称\": 值}}"
    return f"{what}不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列：{jsonfast.reason(exc)}"


def read_input(source: str) -> tuple[list[Any], bool]:
    """The records in `source` (a file or - for stdin) and whether there may be many: one JSON
    object; a JSON array of objects; or JSON Lines, one object a line. A line of JSON Lines
    that is not JSON becomes a RuleError in its place (the other lines are still evaluated)."""
    name = "标准输入" if source == "-" else f"输入文件「{source}」"
    try:
        text = sys.stdin.read() if source == "-" else _read_text(source)
    except OSError as exc:
        raise RuleError(f"无法读取输入文件「{source}」：{exc.strerror}") from None
    except UnicodeDecodeError:
        raise RuleError(f"{name}不是 UTF-8 编码（常见原因：用 GBK 保存），请另存为 UTF-8") from None
    try:
        data = jsonfast.loads(text)
    except ValueError as exc:  # json.JSONDecodeError
        if getattr(exc, "msg", None) == "Extra data" and "\n" in text.strip():
            return json_lines(text, name), True
        raise RuleError(json_error(exc, name)) from None
    except RecursionError:
        raise RuleError(f"{name}嵌套过深：JSON 的数组和对象最多嵌套几百层") from None
    if source.lower().endswith((".jsonl", ".ndjson")) and isinstance(data, dict):
        return [data], True  # JSON Lines with one line: still one result a line
    if isinstance(data, list):
        return data, True
    if not isinstance(data, dict):
        raise RuleError("输入 JSON 应是一个对象 {\"名称\": 值, …}、对象的数组，或每行一个对象（JSON Lines）")
    return [data], False


def json_lines(text: str, name: str) -> list[Any]:
    records: list[Any] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(jsonfast.loads(line))
        except ValueError as exc:  # json.JSONDecodeError
            records.append(RuleError(json_error(exc, f"{name}第 {n} 行").replace("第 1 行第", "第")))
        except RecursionError:
            records.append(RuleError(f"{name}第 {n} 行嵌套过深：JSON 的数组和对象最多嵌套几百层"))
    return records
