"""Data files in and out of batch evaluation: readers and writers for Parquet, CSV and
JSON Lines, and `run_file`, which evaluates a policy over a file chunk by chunk (the library
behind `guize run`, for engines too; docs/batch.md).

Memory stays flat whatever the file size: the input is read chunk by chunk, each chunk is
evaluated with the policy's batch path and written before the next is read. The output is
written to a temporary file beside the target and renamed only when every row is done, so
an interrupted or failed run leaves no half-written file. Rows that cannot be computed get
their message in the column 「错误」 and in FILE.errors.jsonl (row 1 = first data row).

Needs numpy and pyarrow (guize[batch]); they are imported when a file is opened.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Container, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from guize.runtime import display, jsonfast
from guize.runtime.errors import RuleError
from guize.runtime.jsonfast import read_int
from guize.runtime.keyed import key_text

FORMATS = (".parquet", ".csv", ".jsonl", ".xlsx")
CHUNK_ROWS = 1 << 18  # rows read, evaluated and written at a time (guize run --chunk-rows)


def file_format(path: str | os.PathLike[str]) -> str | None:
    """The format of a data file by its extension (".parquet", ".csv", ".jsonl", ".xlsx";
    ".ndjson" is ".jsonl"), or None when it is none of them."""
    suffix = Path(path).suffix.lower()
    if suffix == ".ndjson":
        suffix = ".jsonl"
    return suffix if suffix in FORMATS else None


def publish(tmp: Path, path: Path) -> None:
    """Rename a finished temporary file into place, with the permissions a new file would get."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)  # mkstemp creates files readable by their owner only
    os.replace(tmp, path)


# Temporary files are named `.{target}.guize-{host}-{pid}-{random}.tmp`, beside the target:
# a run killed outright (SIGKILL, power loss) cannot remove its own, so each run removes those
# of earlier runs for the same target that were written on this host by a process that is gone.
_TMP_SUFFIX = ".tmp"


def _host_tag() -> str:
    import hashlib
    import socket

    return hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def temporary(path: Path) -> tuple[int, Path]:
    """A new temporary file beside `path` (an open descriptor and its path), named for this run."""
    import tempfile  # only when writing: keeps `guize --help` and `guize eval` start-up lean

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.guize-{_host_tag()}-{os.getpid()}-",
                               suffix=_TMP_SUFFIX)
    return fd, Path(tmp)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: the process exists, under another user
        return True
    return True


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove the temporary files of earlier runs writing `path` whose process is gone (see
    `temporary`); returns the files removed. Files of live processes, of other hosts and
    anything not named by guize are left alone."""
    prefix = f".{path.name}.guize-{_host_tag()}-"
    removed: list[Path] = []
    try:
        candidates = [p for p in path.parent.iterdir() if p.name.startswith(prefix) and p.name.endswith(_TMP_SUFFIX)]
    except OSError:
        return removed
    for candidate in candidates:
        pid_text = candidate.name[len(prefix):].split("-", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid() or _alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            candidate.unlink()
            removed.append(candidate)
    return removed


def errors_path(output: Path) -> Path:
    """out.parquet -> out.errors.jsonl."""
    return output.with_name(output.stem + ".errors.jsonl")


# ---------------------------------------------------------------- readers


class Reader:
    """Chunks of an input file as pyarrow tables, with progress in rows or bytes."""

    def __init__(self, path: Path, suffix: str, specs: dict[str, dict[str, Any]], wanted: list[str],
                 chunk_rows: int, encoding: str | None = None) -> None:
        import pyarrow as pa

        self.pa = pa
        self.path = path
        self.suffix = suffix
        self.specs = specs
        self.wanted = wanted  # columns to read when present
        self.chunk_rows = chunk_rows
        self.total = path.stat().st_size
        self.unit = "bytes"
        self.names: list[str] = []
        # CSV: the encoding given (--encoding) or detected (guize.runtime.sheets.csv_encoding).
        self.encoding = encoding

    def open(self) -> Iterator[Any]:
        if self.suffix == ".parquet":
            return self._parquet()
        if self.suffix == ".csv":
            from guize.runtime.sheets import csv_encoding

            self.encoding = csv_encoding(self.path, self.encoding)
            return self._csv()
        if self.suffix == ".xlsx":
            return self._xlsx()
        return self._jsonl()

    def _xlsx(self) -> Iterator[Any]:
        from guize.runtime.sheets import XlsxReader

        reader = XlsxReader(self.path, self.wanted, self.chunk_rows)
        self.names, self.total, self.unit = reader.names, reader.total, "rows"
        return reader.chunks()

    def _parquet(self) -> Iterator[Any]:
        import pyarrow.parquet as pq

        # pre_buffer=False: with read-ahead buffering on, Arrow keeps the buffers of row
        # groups already read, and memory grows with the file instead of staying flat.
        try:
            pf = pq.ParquetFile(self.path, pre_buffer=False)
        except (OSError, self.pa.ArrowInvalid) as exc:
            raise RuleError(f"无法读取 Parquet 文件「{self.path}」：{exc}") from None
        self.names = list(pf.schema_arrow.names)
        self.total, self.unit = pf.metadata.num_rows, "rows"
        columns = [c for c in self.wanted if c in self.names]
        enums = [c for c in columns if self.specs.get(c, {}).get("kind") == "enum"]
        if enums:  # small dictionaries instead of one string per row
            pf = pq.ParquetFile(self.path, read_dictionary=enums, pre_buffer=False)
        batches = pf.iter_batches(batch_size=self.chunk_rows, columns=columns)
        while True:
            try:  # a damaged file is found out only here, where its pages are read
                batch = next(batches, None)
            except (OSError, self.pa.ArrowException) as exc:
                raise RuleError(f"无法读取 Parquet 文件「{self.path}」：文件已损坏（{exc}）", file=str(self.path)) from None
            if batch is None:
                return
            yield self.pa.Table.from_batches([batch]), batch.num_rows

    def _csv_header(self) -> list[str]:
        import csv

        encoding = "utf-8-sig" if self.encoding == "utf-8" else self.encoding
        with open(self.path, encoding=encoding, newline="") as fh:
            try:
                return next(csv.reader(fh))
            except StopIteration:
                return []
            except UnicodeDecodeError:
                from guize.runtime.sheets import encoding_problem

                raise encoding_problem(self.path, str(self.encoding)) from None
            except csv.Error as exc:
                raise RuleError(f"无法读取 CSV 文件「{self.path}」的表头：{exc}") from None

    def _csv(self) -> Iterator[Any]:
        import pyarrow.csv as pcsv

        pa = self.pa
        self.names = self._csv_header()
        columns = [c for c in self.wanted if c in self.names]
        # Every column is read as text (enumerations and flags as small dictionaries) and
        # converted exactly by guize: no float guessing, and no type that changes between blocks.
        types = {}
        for c in columns:
            kind = self.specs.get(c, {}).get("kind")
            low = kind in ("enum", "bool")
            types[c] = pa.dictionary(pa.int32(), pa.string()) if low else pa.string()
        convert = pcsv.ConvertOptions(column_types=types, include_columns=columns, null_values=[""],
                                      strings_can_be_null=True, quoted_strings_can_be_null=True)
        # Arrow reads a fixed number of blocks ahead: small blocks keep that read-ahead (and
        # so memory) small; the batches are then regrouped into chunks of chunk_rows rows.
        read = pcsv.ReadOptions(block_size=1 << 20, encoding="utf8" if self.encoding == "utf-8" else str(self.encoding))
        fh = open(self.path, "rb")  # noqa: SIM115 - closed below, progress reads its position
        try:
            try:
                reader = pcsv.open_csv(fh, read_options=read, convert_options=convert)
            except pa.ArrowInvalid as exc:
                if self.names and "Empty CSV file" in str(exc):
                    return  # a header without a line break after it: no rows
                raise RuleError(f"无法读取 CSV 文件「{self.path}」：{_csv_problem(exc)}") from None
            pending: list[Any] = []
            rows = 0
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                except pa.ArrowInvalid as exc:
                    if "UTF8" in str(exc) or "UTF-8" in str(exc):
                        from guize.runtime.sheets import encoding_problem

                        raise encoding_problem(self.path, str(self.encoding)) from None
                    raise RuleError(f"CSV 文件「{self.path}」格式有误：{_csv_problem(exc)}") from None
                except UnicodeDecodeError:
                    from guize.runtime.sheets import encoding_problem

                    raise encoding_problem(self.path, str(self.encoding)) from None
                pending.append(batch)
                rows += batch.num_rows
                if rows >= self.chunk_rows:
                    yield pa.Table.from_batches(pending), fh.tell()
                    pending, rows = [], 0
            if pending:
                yield pa.Table.from_batches(pending), fh.tell()
        finally:
            fh.close()

    def _jsonl(self) -> Iterator[Any]:
        import io

        import pyarrow.json as pjson

        pa = self.pa
        with open(self.path, "rb") as fh:
            line_no = 0
            while True:
                lines = []
                for line in fh:
                    line_no += 1
                    if line.strip():
                        lines.append(line if line.endswith(b"\n") else line + b"\n")
                    if len(lines) >= self.chunk_rows:
                        break
                if not lines:
                    break
                try:
                    table = pjson.read_json(io.BytesIO(b"".join(lines)))
                    names = table.schema.names  # (Arrow does not check that keys are UTF-8)
                except (pa.ArrowInvalid, UnicodeDecodeError):
                    # A key whose JSON type changes between rows (1000, then "1000", a list or
                    # an object), or a line that is not JSON: read this block line by line.
                    table = self._jsonl_rows(lines, line_no - len(lines) + 1)
                    names = table.schema.names
                for name in names:
                    if name not in self.names:
                        self.names.append(name)
                keep = [c for c in table.schema.names if c in self.wanted]
                yield table.select(keep), fh.tell()


    def _jsonl_rows(self, lines: list[bytes], first: int) -> Any:
        """A block of JSON lines read by Python, one type per column: the values as they
        are when Arrow can hold them together, else each value's text (numbers exactly as
        written), which the input's converter then reads or rejects row by row."""
        from guize.runtime.columns import json_text, to_table

        rows: list[dict[str, Any]] = []
        for k, line in enumerate(lines):
            try:
                row = json.loads(line, parse_float=Decimal, parse_int=read_int)  # 5,000 digits: no ValueError
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
                what = jsonfast.reason(exc) if isinstance(exc, json.JSONDecodeError) else (
                    "嵌套过深" if isinstance(exc, RecursionError) else "不是 UTF-8 编码")
                raise RuleError(f"JSONL 文件「{self.path}」第 {first + k} 行不是合法的 JSON（{what}）",
                                file=str(self.path), line=first + k) from None
            if not isinstance(row, dict):
                raise RuleError(f"JSONL 文件「{self.path}」第 {first + k} 行应为一个对象（{{\"名称\": 值, …}}）",
                                file=str(self.path), line=first + k)
            rows.append(row)
        names = list(dict.fromkeys(key for row in rows for key in row))
        columns: dict[str, list[Any]] = {}
        for name in names:
            values = [row.get(name) for row in rows]
            kinds = {type(v) for v in values if v is not None}
            if kinds == {list}:  # lists of records: to_table unifies their fields' kinds
                pass
            elif list in kinds:  # lists in some rows: each row's value kept
                pass  # (to_table holds them as a union, columns.mixed_lists)
            elif len(kinds) > 1 or kinds & {list, dict}:
                values = [None if v is None else json_text(v) for v in values]
            columns[name] = values
        return to_table(columns)


def _kept_column(col: Any, pa: Any) -> Any:
    """A --keep column as written: lists in some rows and text in others (a union, see
    columns.mixed_lists), which no output format takes, as each value's JSON text."""
    if not pa.types.is_union(col.type):
        return col
    from guize.runtime.columns import json_text

    return pa.array([None if v is None else json_text(v) for v in col.to_pylist()], type=pa.string())


def _csv_problem(exc: Exception) -> str:
    """Arrow's CSV error in Chinese where it is a common one (the row is quoted as Arrow gives it)."""
    import re

    text = str(exc).removeprefix("CSV parse error: ")
    found = re.match(r"Expected (\d+) columns, got (\d+): (.*)", text, re.S)
    if found:
        expected, got, row = found.groups()
        return f"有一行是 {got} 列，而表头是 {expected} 列（该行：{row[:80]}）；请检查分隔符和引号"
    if text.startswith("Empty CSV file"):
        return "文件是空的（没有表头）"
    return text


# ---------------------------------------------------------------- writers


class Writer:
    """Writes result chunks to a temporary file; `commit` renames it into place."""

    def __init__(self, path: Path, suffix: str, decimal_strings: bool = False, bom: bool = False) -> None:
        self.path = path
        self.suffix = suffix
        self.bom = bom  # CSV: begin with a UTF-8 byte order mark, for Excel (guize run --excel)
        self.decimal_strings = decimal_strings  # JSON Lines: decimals as "600.00" instead of 600.00
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(path)
        fd, self.tmp = temporary(path)
        os.close(fd)
        self.schema: Any = None
        self.writer: Any = None
        self.fh: Any = None

    def write(self, table: Any) -> None:
        import pyarrow as pa

        if self.suffix in (".csv", ".xlsx"):
            table = _nested_as_json(table, self.decimal_strings)
        if self.schema is None:
            self.schema = table.schema
            self._open()
        elif table.schema != self.schema:
            from guize.runtime.columns import fits

            try:
                for field, column in zip(self.schema, table.columns, strict=True):
                    if column.type != field.type and not fits(column, field.type):
                        raise pa.ArrowInvalid(f"「{field.name}」的值放不进 {field.type}")
                table = table.cast(self.schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise RuleError(f"本块结果的列类型与已写出的不一致，无法写入同一文件：{exc}"
                                "（可改用 .jsonl 输出，或为该输出规定舍入）") from None
        if self.suffix == ".jsonl":
            self.fh.write(_jsonl(table, self.decimal_strings))
        elif self.suffix == ".xlsx":
            self.writer.write(table)
        else:
            self.writer.write_table(table)

    def _open(self) -> None:
        if self.suffix == ".parquet":
            import pyarrow.parquet as pq

            self.writer = pq.ParquetWriter(self.tmp, self.schema)
        elif self.suffix == ".csv":
            import pyarrow.csv as pcsv

            if self.bom:
                self.fh = open(self.tmp, "wb")  # noqa: SIM115 - closed in close()
                self.fh.write(b"\xef\xbb\xbf")
            self.writer = pcsv.CSVWriter(self.fh if self.bom else str(self.tmp), self.schema)
        elif self.suffix == ".xlsx":
            from guize.runtime.sheets import XlsxWriter

            self.writer = XlsxWriter(self.tmp, self.schema)
        else:
            self.fh = open(self.tmp, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if self.fh is not None:
            self.fh.close()
            self.fh = None

    def commit(self, empty: Any) -> None:
        if self.schema is None:  # no rows at all: still write a file with the columns
            self.write(empty)
        self.close()
        publish(self.tmp, self.path)

    def discard(self) -> None:
        self.close()
        with contextlib.suppress(FileNotFoundError):
            self.tmp.unlink()


def _nested_as_json(table: Any, decimal_strings: bool) -> Any:
    """A table with its list and map columns (per-item outputs) as JSON text, for CSV and xlsx."""
    import pyarrow as pa

    for i, field in enumerate(table.schema):
        if pa.types.is_list(field.type) or pa.types.is_large_list(field.type) or pa.types.is_map(field.type):
            col = table.column(i).combine_chunks()
            text = pa.array([None if v is None else _json_value(v, decimal_strings, pa.types.is_map(field.type))
                             for v in col.to_pylist()], type=pa.string())
            table = table.set_column(i, field.name, text)
    return table


def _json_value(value: Any, decimal_strings: bool = False, entries: bool = False) -> str:
    """A value as JSON; a list (a per-item output) as an array, or with `entries` (a map's (key,
    value) pairs: a per-item output keyed by a 主键) as an object."""
    if value is None:
        return "null"
    if isinstance(value, list):
        if entries:
            return "{" + ", ".join(f"{json.dumps(key_text(k), ensure_ascii=False)}: {_json_value(v, decimal_strings)}"
                                   for k, v in value) + "}"
        return "[" + ", ".join(_json_value(v, decimal_strings) for v in value) + "]"
    if isinstance(value, Decimal) and decimal_strings:
        return json.dumps(display.exact(value))
    if isinstance(value, Decimal):
        return display.exact(value)
    if hasattr(value, "isoformat"):  # dates, year-months (2025-02), durations (P5Y7M)
        return json.dumps(value.isoformat())
    return json.dumps(value, ensure_ascii=False)


def _text(value: str) -> Any:
    """An Arrow string scalar. (Python literals passed to Arrow compute make pyarrow import
    pandas, when installed: see guize.runtime.columns.arrow_array.)"""
    from guize.runtime.columns import string_array

    return string_array([value])[0]


def _json_column(col: Any, decimal_strings: bool = False) -> Any:
    """A column as JSON texts (decimals as exact numbers, or exact strings), built with Arrow compute."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from guize.runtime.columns import string_array

    t = col.type
    if pa.types.is_dictionary(t):
        col, t = col.cast(t.value_type), t.value_type
    if pa.types.is_decimal(t) and decimal_strings:
        text = pc.binary_join_element_wise(_text('"'), pc.cast(col, pa.string()), _text('"'), _text(""))
    elif pa.types.is_decimal(t) or pa.types.is_integer(t):
        text = pc.cast(col, pa.string())
    elif pa.types.is_boolean(t):
        text = pc.if_else(col, _text("true"), _text("false"))
    elif pa.types.is_date(t):
        text = pc.binary_join_element_wise(_text('"'), pc.cast(col, pa.string()), _text('"'), _text(""))
    elif pa.types.is_string(t) or pa.types.is_large_string(t):
        encoded = col.dictionary_encode()  # escape each distinct text once
        quoted = string_array([json.dumps(v, ensure_ascii=False) for v in encoded.dictionary.to_pylist()])
        text = quoted.take(encoded.indices)
    else:
        nested = pa.types.is_map(t)
        text = pa.array([None if v is None else _json_value(v, decimal_strings, nested) for v in col.to_pylist()],
                        type=pa.string())
    return pc.fill_null(text, _text("null"))


def _jsonl(table: Any, decimal_strings: bool = False) -> str:
    import pyarrow.compute as pc

    parts: list[Any] = []
    for i, (name, col) in enumerate(zip(table.schema.names, table.columns, strict=True)):
        key = ("{" if i == 0 else ", ") + json.dumps(name, ensure_ascii=False) + ": "
        parts.extend([_text(key), _json_column(col.combine_chunks(), decimal_strings)])
    if not parts:
        return "{}\n" * int(table.num_rows)
    lines = pc.binary_join_element_wise(*parts, _text("}"), _text(""))
    return "".join(f"{line}\n" for line in lines.to_pylist())


class ErrorLog:
    """FILE.errors.jsonl, written to a temporary file and renamed at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        remove_stale_temporaries(path)
        fd, self.tmp = temporary(path)
        self.fh = os.fdopen(fd, "w", encoding="utf-8")

    def add(self, row: int, exc: RuleError) -> None:
        self.count += 1
        record = {"row": row + 1, "code": exc.code, "error": type(exc).__name__, "message": exc.message}
        self.fh.write(json.dumps(record, ensure_ascii=False) + "\n")

    def commit(self) -> None:
        self.fh.close()
        if self.count:
            publish(self.tmp, self.path)
        else:
            self.tmp.unlink()
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()  # a list left by an earlier run would now be wrong

    def discard(self) -> None:
        self.fh.close()
        with contextlib.suppress(FileNotFoundError):
            self.tmp.unlink()



class ExplanationLog:
    """`guize run --explain FILE`: one JSON line per row, {"行": n, kept columns…, "说明": …}
    (guize.runtime.batchexplain), written to a temporary file and renamed into place at the end."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.path = path
        self.fmt = fmt
        remove_stale_temporaries(path)
        fd, self.tmp = temporary(path)
        self.fh = os.fdopen(fd, "w", encoding="utf-8")

    def add(self, policy: Any, table: Any, on: Any, outputs: Any, keep: list[str], offset: int,
            known_on: Any = None, failed: Container[int] = ()) -> None:
        from guize.runtime.batchexplain import EXPLAIN_COLUMN, explanations

        kept = {name: table.column(name).to_pylist() for name in keep}
        for j, text in enumerate(explanations(policy, table, on, outputs, self.fmt, known_on, failed)):
            record: dict[str, Any] = {"行": offset + j + 1, **{k: v[j] for k, v in kept.items()}}
            record[EXPLAIN_COLUMN] = json.loads(text) if self.fmt == "json" and text is not None else text
            self.fh.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")

    def commit(self) -> None:
        self.fh.close()
        publish(self.tmp, self.path)

    def discard(self) -> None:
        self.fh.close()
        with contextlib.suppress(FileNotFoundError):
            self.tmp.unlink()


# ---------------------------------------------------------------- evaluating a file

Progress = Callable[[int, int, str], None]
"""Called after each chunk with (done, total, unit): unit "rows" or "bytes" of the input."""


def run_file(policy: Any, source: str | os.PathLike[str], target: str | os.PathLike[str], on: Any,
             outputs: list[str] | None = None, keep: list[str] | tuple[str, ...] = (), strict: bool = False,
             chunk_rows: int = CHUNK_ROWS, progress: Progress | None = None,
             decimals: str = "number", encoding: str | None = None, excel: bool = False,
             known_on: Any = None,
             explain: tuple[str | os.PathLike[str], str] | None = None, decimal64: bool = False) -> dict[str, Any]:
    """Evaluate `policy` over every row of the data file `source`, writing `target` (formats by
    extension, see file_format) and, when rows fail, its errors list (errors_path(target)).

    `on` is one date, or the name of the column holding each row's date. `keep`: input columns
    copied to the output before the outputs. `strict`: stop at the first row error (then no
    output is written). `decimals`: "string" writes decimals in JSON Lines as exact strings
    ("600.00") for readers that take JSON numbers as floats. `encoding`: a CSV input's encoding
    (detected when None: UTF-8, else GB18030). `excel`: a CSV output begins with a UTF-8 byte
    order mark, so that Excel on Chinese Windows reads it. `explain`: (path, format) of a JSON
    Lines file to write each row's explanation to (guize.runtime.batchexplain). `decimal64`: decimal
    outputs as decimal64, integers as int64 (guize.runtime.batchout). Returns the
    summary `guize run --format json` prints.
    """
    from guize.runtime.batch import ERROR_COLUMN
    from guize.runtime.columns import arrow_modules

    _np, pa, _pc = arrow_modules()
    started = time.perf_counter()
    source, target = Path(source), Path(target)
    in_suffix, out_suffix = file_format(source), file_format(target)
    for path, suffix, what in ((source, in_suffix, "输入文件"), (target, out_suffix, "输出文件")):
        if suffix is None:
            raise RuleError(f"{what}「{path}」的格式无法识别：应为 .parquet、.csv、.jsonl 或 .xlsx", file=str(path))
    assert in_suffix is not None and out_suffix is not None  # INVARIANT: checked just above
    if not source.is_file():
        raise RuleError(f"找不到输入文件「{source}」", file=str(source))
    if source.resolve() == target.resolve():
        raise RuleError("输出文件不能与输入文件相同", file=str(source))
    keep = list(keep)
    names = policy.select_outputs(outputs)
    for name in names:
        if name in keep:
            raise RuleError(f"要保留的列「{name}」与输出同名", column=name)
    needed = policy.required_inputs(names)
    specs = {s["name"]: s for s in policy.module.INPUTS}
    date_column = on if isinstance(on, str) else None
    wanted = list(dict.fromkeys([*needed, *([date_column] if date_column else []), *keep]))
    reader = Reader(source, in_suffix, specs, wanted, chunk_rows, encoding)
    chunks = reader.open()
    first = next(chunks, None)
    present = reader.names
    for column in [*keep, *([date_column] if date_column else [])]:
        if column not in present:
            from guize.runtime.diagnose import nearest_name

            near = nearest_name(column, present)
            hint = f"（是否指「{near}」？）" if near else ""
            raise RuleError(f"输入文件中没有列「{column}」{hint}", column=column)
    schema = pa.schema([pa.field(c, pa.null()) for c in present])
    plan = policy.batch.plan(schema, on, outputs, strict, known_on=known_on, decimal64=decimal64)
    if plan.window_error is not None:
        raise plan.window_error  # the date is out of force for every row: say so once
    writer = Writer(target, out_suffix, decimals == "string", excel)
    log = ErrorLog(errors_path(target))
    explained = ExplanationLog(Path(explain[0]), explain[1]) if explain is not None else None
    try:
        offset = 0
        chunk = first
        while chunk is not None:
            table, position = chunk
            result, errors = plan.run(_complete(table, needed, date_column, pa), offset)
            out = pa.Table.from_batches([result])
            if out_suffix != ".parquet":
                out = _time_as_text(out, policy, pa)
            for i, column in enumerate(keep):
                out = out.add_column(i, column, _kept_column(table.column(column), pa))
            writer.write(out)
            for row, exc in errors:
                log.add(row, exc)
            if explained is not None:
                explained.add(policy, _complete(table, needed, date_column, pa), on, outputs, keep, offset, known_on,
                              {row - offset for row, _exc in errors})
            offset += table.num_rows
            if progress is not None:
                progress(position if reader.unit == "bytes" else offset, reader.total, reader.unit)
            chunk = next(chunks, None)
        empty_fields = [pa.field(c, pa.string()) for c in keep]
        empty_fields += [pa.field(n, pa.string()) for n in [*names, ERROR_COLUMN]]
        # Not Schema.empty_table(): it imports pandas (a fifth of a second) when installed.
        writer.commit(pa.Table.from_batches([], schema=pa.schema(empty_fields)))
        log.commit()
        if explained is not None:
            explained.commit()
    except BaseException:
        writer.discard()
        log.discard()
        if explained is not None:
            explained.discard()
        raise
    return {"rows": offset, "errors": log.count, "rows_scalar": plan.rows_scalar,
            "output": str(target), "errors_file": str(log.path) if log.count else None,
            "seconds": round(time.perf_counter() - started, 3), "fallback_outputs": plan.fallback,
            "slow_outputs": plan.fallback_reasons() if offset else {}, "encoding": reader.encoding}


_TIME_KINDS = ("duration", "age", "year_month")


def _time_as_text(table: Any, policy: Any, pa: Any) -> Any:
    """Durations (int64 months) and year-months (date32) as ISO 8601 text, P5Y7M and 2025-02, for
    the text formats (Parquet keeps the columns; docs/batch.md)."""
    from guize.runtime import dates
    from guize.runtime.keyed import keyed_outputs

    specs = {s["name"]: s for s in policy.module.INPUTS}
    for name, (source, key) in keyed_outputs(policy.definitions, specs).items():
        i = table.schema.get_field_index(name)
        kinds = {f["name"]: f["kind"] for f in specs[source]["fields"]}
        if i >= 0 and kinds.get(key) == "year_month" and pa.types.is_map(table.schema.field(i).type):
            # keys by year-month (date32 in the map): 2019-07, as guize eval writes them
            col = table.column(i).combine_chunks()
            keys = pa.array([f"{k.year:04d}-{k.month:02d}" for k in col.keys.to_pylist()], type=pa.string())
            table = table.set_column(i, name, pa.MapArray.from_arrays(col.offsets, keys, col.items,
                                                                     mask=col.is_null()))
    for i, name in enumerate(table.schema.names):
        d = policy.definitions.get(name)
        if d is None or d.value_kind not in _TIME_KINDS:
            continue
        def iso(v: Any, kind: str = d.value_kind) -> str | None:
            if v is None:
                return None
            return dates.year_month(v).isoformat() if kind == "year_month" else dates.Period(v).isoformat()
        texts = pa.array([iso(v) for v in table.column(i).to_pylist()], type=pa.string())
        table = table.set_column(i, name, texts)
    return table


def _complete(table: Any, needed: list[str], date_column: str | None, pa: Any) -> Any:
    """Columns a chunk lacks (a JSONL block without the key) as all-null columns."""
    for name in [*needed, *([date_column] if date_column else [])]:
        if name not in table.schema.names:
            table = table.append_column(name, pa.nulls(table.num_rows))
    return table
