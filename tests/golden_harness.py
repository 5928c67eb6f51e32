"""What a user sees, for one golden case: each `guize` command run in-process (click's CliRunner)
from the repository root on repository-relative paths, its output kept as text.

Text views are transcripts (the command, its stdout, stderr and exit code); machine formats
(JSON, SARIF, Markdown, the compiled module, the formatted file) are kept as the raw file the
user gets, so they stay valid and readable in `git diff`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import shlex
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from guize.cli import dumps
from guize.cli import main as cli

ROOT = Path(__file__).resolve().parent.parent
# Lint's expiry checks depend on the date; goldens use a fixed one.
LINT_AS_OF = "2025-06-01"


@dataclass(frozen=True)
class Case:
    """One golden case: the inputs (repository-relative) and the folder holding its expectations."""

    kind: str  # good / bad / corpus (one file of policies/) / library (policies/ as a whole) / diff
    name: str  # the test id
    inputs: tuple[str, ...]
    expected: Path

    def views(self) -> dict[str, str]:
        with _policies_loaded_once():
            return VIEWS[self.kind](self)


def cases(root: Path = ROOT) -> list[Case]:
    """Every golden case under `root` (the repository, or a copy of its inputs)."""
    golden = root / "tests" / "golden"

    def rel(path: Path) -> str:
        return path.relative_to(root).as_posix()

    out = []
    for kind in ("good", "bad"):
        for path in sorted((golden / kind).glob("*.rule")):
            out.append(Case(kind, f"{kind}/{path.stem}", (rel(path),), path.with_suffix(".expected")))
    # The corpus stays as it is; its expectations live under tests/golden/policies/.
    for path in sorted((root / "policies").rglob("*.rule")):
        where = path.relative_to(root / "policies").with_suffix(".expected")
        out.append(Case("corpus", f"policies/{path.stem}", (rel(path),), golden / "policies" / where))
    # The corpus as a whole: repeals between its documents, validity and dated values.
    out.append(Case("library", "policies", ("policies",), golden / "policies.expected"))
    for folder in sorted(p for p in (golden / "diff").iterdir() if (p / "new.rule").exists()):
        inputs = (rel(folder / "old.rule"), rel(folder / "new.rule"))
        out.append(Case("diff", f"diff/{folder.name}", inputs, folder.with_name(folder.name + ".expected")))
    return out


# ---------------------------------------------------------------- running commands


@contextlib.contextmanager
def _policies_loaded_once() -> Iterator[None]:
    """`guize eval` loads the policy and its corpus on every call; one case runs it once per
    example, so the loaded Policy is reused (as an embedding program would), which keeps the
    golden tests fast. Everything the command prints is still computed on each call."""
    import guize

    load = guize.load
    guize.load = functools.cache(load)  # type: ignore[assignment]
    try:
        yield
    finally:
        guize.load = load  # type: ignore[assignment]


def guize(*args: str, stdin: str | None = None) -> Result:
    """Run one `guize` command in-process; a Python exception (a traceback for the user) fails the test."""
    result = CliRunner().invoke(cli, list(args), input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"guize {shlex.join(args)} raised {result.exception!r}") from result.exception
    return result


def command_line(args: tuple[str, ...], stdin: str | None = None) -> str:
    line = "guize " + shlex.join(args)
    if stdin is not None:
        line = f"echo {shlex.quote(stdin)} | {line}"
    return "$ " + line


def transcript(args: tuple[str, ...], stdin: str | None = None) -> tuple[str, Result]:
    """The command line, its stdout and stderr, and its exit code, as one block of text."""
    result = guize(*args, stdin=stdin)
    parts = [command_line(args, stdin)]
    if result.stdout:
        parts += ["--- stdout", result.stdout.rstrip("\n")]
    if result.stderr:
        parts += ["--- stderr", result.stderr.rstrip("\n")]
    parts.append(f"--- 退出码 exit {result.exit_code}")
    return "\n".join(parts) + "\n", result


def _raw(args: tuple[str, ...], exit_code: int, stream: str = "stdout") -> str:
    """The raw output of a machine format; its exit code must be the text format's."""
    result = guize(*args)
    assert result.exit_code == exit_code, (command_line(args), result.exit_code, result.output)
    text: str = getattr(result, stream)
    return text


# ---------------------------------------------------------------- views


def _check_views(case: Case) -> dict[str, str]:
    (path,) = case.inputs
    text, result = transcript(("check", path))
    return {"check.txt": text, "check.json": _raw(("check", "--format", "json", path), result.exit_code)}


def _lint_views(path: str) -> dict[str, str]:
    base = ("lint", path, "--as-of", LINT_AS_OF)
    text, result = transcript(base)
    return {"lint.txt": text,
            "lint.json": _raw((*base, "--format", "json"), result.exit_code),
            "lint.sarif.json": _raw((*base, "--format", "sarif"), result.exit_code)}


def _compiled(path: str) -> dict[str, str]:
    """The compiled module and its batch sibling (<name>_batch.py), as `guize compile -o` writes them."""
    with tempfile.TemporaryDirectory(prefix="guize-golden-") as out:
        result = guize("compile", path, "-o", out)
        assert result.exit_code == 0, result.output
        files = sorted(Path(out).glob("*.py"))
        assert len(files) == 2, files
        batch = next(f for f in files if f.stem.endswith("_batch"))
        module = next(f for f in files if f is not batch)
        return {"compiled.py": module.read_text(encoding="utf-8"),
                "compiled_batch.py": batch.read_text(encoding="utf-8")}


def _formatted(path: str) -> str:
    """The file as `guize fmt` would rewrite it (run on a copy: fmt writes in place)."""
    with tempfile.TemporaryDirectory(prefix="guize-golden-") as out:
        copy = Path(out) / Path(path).name
        copy.write_bytes((ROOT / path).read_bytes())
        result = guize("fmt", str(copy))
        assert result.exit_code == 0, result.output
        return copy.read_text(encoding="utf-8")


def examples(path: str) -> list[dict[str, Any]]:
    """The file's examples (例), from the checker: independent of the compiled module's shape."""
    from guize.compiler.driver import check_source, read_source

    return list(check_source(read_source(path), path).examples)


def _eval_args(path: str, ex: dict[str, Any]) -> tuple[tuple[str, ...], str]:
    """The command that evaluates one example (its expected outputs only), and its input JSON."""
    args = ["eval", path, "--date", ex["date"].isoformat(), "--input", "-", "--explain"]
    if ex.get("known_on") is not None:  # 按…已发布的规定
        args += ["--known-on", ex["known_on"].isoformat()]
    for name in ex["expects"]:
        args += ["--output", name]
    items = (f"{json.dumps(k, ensure_ascii=False)}: {dumps(v)}" for k, v in ex["inputs"].items())
    return tuple(args), "{" + ", ".join(items) + "}"


def _json_or_text(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError:
        return text


def _explain_views(path: str) -> dict[str, str]:
    """For each example: `guize eval --explain` as the user sees it, in text and in JSON."""
    texts: list[str] = []
    records: list[dict[str, Any]] = []
    for ex in examples(path):
        args, stdin = _eval_args(path, ex)
        texts.append(f"# 例「{ex['name']}」（第 {ex['line']} 行）\n" + transcript(args, stdin)[0])
        json_args = (*args, "--format", "json")
        result = guize(*json_args, stdin=stdin)
        records.append({"例": ex["name"], "行": ex["line"], "命令": "guize " + shlex.join(json_args),
                        "输入": _json_or_text(stdin), "退出码": result.exit_code,
                        "stdout": _json_or_text(result.stdout),
                        "stderr": _json_or_text(result.stderr)})
    if not records:
        return {}
    return {"explain.txt": "\n".join(texts), "explain.json": dumps(records) + "\n"}


def _good_views(case: Case) -> dict[str, str]:
    (path,) = case.inputs
    views = _check_views(case)
    del views["check.json"]  # a clean check has nothing more to say in JSON
    views.update(_lint_views(path))
    views["test.txt"], _ = transcript(("test", path, "--coverage", "-v"))
    views["fmt.rule"] = _formatted(path)
    views.update(_compiled(path))
    views.update(_explain_views(path))
    return views


def _bad_views(case: Case) -> dict[str, str]:
    return _check_views(case)


# Two status queries from the README's tour: a repealed document, and one in force.
STATUS_QUERIES = (("新疆维吾尔自治区城市供水实施办法", "2024-04-12"), ("新政办发〔2024〕13号", "2025-03-01"))


def _library_views(case: Case) -> dict[str, str]:
    (folder,) = case.inputs
    text, result = transcript(("check", folder))
    views = {"check.txt": text, "check.json": _raw(("check", folder, "--format", "json"), result.exit_code)}
    text, result = transcript(("timeline", folder))
    views["timeline.txt"] = text
    views["timeline.json"] = _raw(("timeline", folder, "--format", "json"), result.exit_code)
    views["status.txt"] = "\n".join(transcript(("status", doc, "--date", on, "--corpus", folder))[0]
                                    for doc, on in STATUS_QUERIES)
    return views


def _diff_views(case: Case) -> dict[str, str]:
    old, new = case.inputs
    text, result = transcript(("diff", old, new, "--format", "text"))
    return {"diff.txt": text,
            "diff.md": _raw(("diff", old, new), result.exit_code),
            "diff.json": _raw(("diff", old, new, "--format", "json"), result.exit_code)}


VIEWS: dict[str, Callable[[Case], dict[str, str]]] = {
    "good": _good_views, "corpus": _good_views, "library": _library_views, "bad": _bad_views,
    "diff": _diff_views}


def expected_files(case: Case) -> Iterator[Path]:
    if case.expected.is_dir():
        yield from sorted(p for p in case.expected.iterdir() if p.is_file())


def main(argv: list[str]) -> None:
    """`python tests/golden_harness.py OUT.json`: every case's views, computed in the current
    directory (a copy of the repository's inputs), written as one JSON object for comparison."""
    views = {case.name: case.views() for case in cases(Path.cwd())}
    Path(argv[1]).write_text(json.dumps(views, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv)
