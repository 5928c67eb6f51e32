"""The Arrow IPC form of the batch endpoint: a request body in the Arrow streaming format read
into a table (with the row limit checked while reading), evaluated column by column with
Policy.evaluate_batch, and the result table written back in the same format."""

from __future__ import annotations

import datetime
from typing import Any

from guize.service.errors import ApiError

ARROW = "application/vnd.apache.arrow.stream"
_FILE_MAGIC = b"ARROW1"  # the Arrow file (random access) format, which starts with this


def available() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def unavailable() -> ApiError:
    return ApiError(415, "E415", "UnsupportedMediaType",
                    "这个服务没有安装 pyarrow，不能读写 Arrow IPC：请用 JSON Lines（application/x-ndjson），"
                    "或在服务的环境里 pip install numpy pyarrow（安装 guize 时带上 [serve] 即包含）",
                    "Arrow IPC needs pyarrow, which this server does not have; send JSON Lines instead.")


def read_table(body: bytes, max_rows: int) -> Any:
    """The table in an Arrow IPC stream; ApiError 400 if it is not one, 413 past max_rows rows."""
    import pyarrow as pa

    if not body:
        raise ApiError(400, "E400", "BadArrow", "请求体为空：应是 Arrow IPC 流（streaming format）",
                       "The request body is empty; expected an Arrow IPC stream.")
    if body.startswith(_FILE_MAGIC):
        raise ApiError(400, "E400", "BadArrow",
                       "请求体是 Arrow 文件格式（.arrow/.feather，以 ARROW1 开头），这里要的是 Arrow IPC 流格式："
                       "用 pyarrow.ipc.new_stream（不是 new_file）写出，或 Java 的 ArrowStreamWriter",
                       "The body is in the Arrow file format; send the Arrow IPC streaming format.")
    batches, rows = [], 0
    try:
        reader = pa.ipc.open_stream(pa.py_buffer(body))
        for batch in reader:  # the body is within its byte limit: count every row, keep up to the limit
            rows += batch.num_rows
            if rows <= max_rows:
                batches.append(batch)
        schema = reader.schema
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        raise ApiError(400, "E400", "BadArrow", f"请求体不是有效的 Arrow IPC 流（streaming format）：{exc}",
                       f"The body is not a valid Arrow IPC stream: {exc}") from None
    if rows > max_rows:
        raise too_many_rows(max_rows, rows)
    names = schema.names
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ApiError(400, "E400", "BadArrow", f"Arrow 表中有重名的列「{'」「'.join(twice)}」",
                       f"Duplicate column names: {twice}.")
    return pa.Table.from_batches(batches, schema=schema)


def too_many_rows(limit: int, rows: int) -> ApiError:
    return ApiError(413, "E413", "TooManyRows", f"一次最多计算 {limit} 行，收到 {rows} 行；请分批发送",
                    f"At most {limit} rows per request, got {rows}.", limit=limit)


def evaluate(policy: Any, table: Any, on: datetime.date | str, outputs: list[str] | None,
             keep: list[str], known_on: datetime.date | str | None = None) -> bytes:
    """The results of `table` as an Arrow IPC stream: the `keep` columns, one column per output
    (money and rates decimal128, exact) and 「错误」 (null, or the row's Chinese error message). The schema metadata "guize" is evaluate_batch's
    summary (rows, rows computed row by row)."""
    import pyarrow as pa

    if isinstance(on, str) and on not in table.schema.names:
        from guize.runtime.diagnose import nearest_name

        near = nearest_name(on, table.schema.names)
        hint = f"，是否指「{near}」？" if near else ""
        raise ApiError(400, "E400", "BadRequest", f"date_field 给出的日期列「{on}」不在 Arrow 表中{hint}",
                       f"The date column '{on}' named by date_field is not in the table.", field=on)
    if isinstance(known_on, str) and known_on not in table.schema.names:
        from guize.runtime.diagnose import nearest_name

        near = nearest_name(known_on, table.schema.names)
        hint = f"，是否指「{near}」？" if near else ""
        raise ApiError(400, "E400", "BadRequest", f"known_on_field 给出的列「{known_on}」不在 Arrow 表中{hint}",
                       f"The column '{known_on}' named by known_on_field is not in the table.", field=known_on)
    result = policy.evaluate_batch(table, on, outputs, keep=keep, known_on=known_on)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, result.schema) as writer:
        writer.write_table(result)
    return bytes(sink.getvalue())
