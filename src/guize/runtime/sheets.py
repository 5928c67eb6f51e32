"""Spreadsheets in and out of batch evaluation: .xlsx files (openpyxl, the optional extra
`excel`) and the text encodings of CSV files written by Chinese Windows programs (GBK/GB18030).

Cells are read the way CSV cells are: as text that guize converts exactly (a number cell as the
shortest text of its value, 1860.5 not 1860.4999…, a date cell as 2025-03-01), so an .xlsx file
and the same data saved as CSV give the same results.
"""

from __future__ import annotations

import codecs
import datetime
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from guize.runtime import display
from guize.runtime.errors import RuleError

XLSX_MAX_ROWS = 1_048_576  # rows in one Excel worksheet, the header included
_SNIFF_BYTES = 4 << 20  # how much of a CSV file decides its encoding
# Excel shows up to 15 significant digits of a number; a decimal with more is written as text.
_EXCEL_DIGITS = 15


def openpyxl_module() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise RuleError("读写 .xlsx 文件需要 openpyxl：安装 guize 时带上 [excel]，"
                        "或在已装好 guize 的环境里 pip install openpyxl") from None
    return openpyxl


# ---------------------------------------------------------------- CSV encodings


def csv_encoding(path: Path, given: str | None) -> str:
    """The encoding to read a CSV file with: `given` (checked to be one Python knows), else
    UTF-8 (with or without a BOM) when the file's first megabytes decode as UTF-8, else GB18030
    (a superset of GBK and GB2312) when they decode as that."""
    if given is not None:
        try:
            return codecs.lookup(given).name
        except LookupError:
            raise RuleError(f"不认识的编码「{given}」：常用的有 utf-8、gb18030（含 GBK）、big5") from None
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(head, final=len(head) < _SNIFF_BYTES)  # a cut character at the end is fine
        except UnicodeDecodeError:
            continue
        return encoding
    raise RuleError(f"CSV 文件「{path}」既不是 UTF-8 也不是 GBK/GB18030 编码：请用 --encoding 指定编码，"
                    "或另存为 UTF-8")


def encoding_problem(path: Path, encoding: str) -> RuleError:
    other = "gb18030" if encoding == "utf-8" else "utf-8"
    return RuleError(f"CSV 文件「{path}」中有不是 {encoding} 编码的内容：请用 --encoding 指定编码"
                     f"（如 --encoding {other}），或另存为 UTF-8", file=str(path))


# ---------------------------------------------------------------- reading .xlsx


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        text = repr(value)  # the shortest text that reads back as this value
        return text[:-2] if text.endswith(".0") else text
    text = str(value)
    return text if text.strip() else None


class XlsxReader:
    """The first worksheet of an .xlsx file in chunks of text columns; row 1 is the header."""

    def __init__(self, path: Path, wanted: list[str], chunk_rows: int) -> None:
        openpyxl = openpyxl_module()
        self.path = path
        self.wanted = wanted
        self.chunk_rows = chunk_rows
        try:
            self.book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises zipfile, KeyError, XML errors … for a bad file
            raise RuleError(f"无法读取 Excel 文件「{path}」：不是有效的 .xlsx 文件（{type(exc).__name__}）；"
                            ".xls 等旧格式请在 Excel 中另存为 .xlsx 或 CSV", file=str(path)) from None
        self.sheet = self.book.worksheets[0]
        self.rows = self.sheet.iter_rows(values_only=True)
        header = next(self.rows, None) or ()
        self.names = [str(h).strip() if h is not None else "" for h in header]
        dims = self.sheet.max_row
        self.total = max(int(dims) - 1, 0) if dims else 0

    def chunks(self) -> Iterator[tuple[Any, int]]:
        import pyarrow as pa

        index = {name: i for i, name in enumerate(self.names) if name in self.wanted}
        done = 0
        try:
            while True:
                columns: dict[str, list[str | None]] = {name: [] for name in index}
                n = 0
                for row in self.rows:
                    if row is None or all(v is None for v in row):
                        continue  # blank rows between the data (Excel keeps formatted empty rows)
                    for name, i in index.items():
                        columns[name].append(_cell_text(row[i]) if i < len(row) else None)
                    n += 1
                    if n >= self.chunk_rows:
                        break
                if n == 0:
                    break
                done += n
                yield pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()}), done
        finally:
            self.book.close()


# ---------------------------------------------------------------- writing .xlsx


def _cell_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        digits = len(value.as_tuple().digits)
        return value if digits <= _EXCEL_DIGITS else display.exact(value)  # exact as text beyond 15 digits
    return value


class XlsxWriter:
    """Rows into one worksheet of a new workbook, saved to `path` (a temporary file) on close."""

    def __init__(self, path: Path, schema: Any) -> None:
        import pyarrow as pa

        openpyxl = openpyxl_module()
        self.path = path
        self.book = openpyxl.Workbook(write_only=True)
        self.sheet = self.book.create_sheet("结果")
        self.formats: list[str | None] = []
        for field in schema:
            t = field.type
            self.formats.append("0." + "0" * t.scale if pa.types.is_decimal(t) and t.scale > 0 else
                                "yyyy-mm-dd" if pa.types.is_date(t) else None)
        self.sheet.append(list(schema.names))
        self.rows = 1
        self.cell = openpyxl.cell.WriteOnlyCell

    def write(self, table: Any) -> None:
        if self.rows + table.num_rows > XLSX_MAX_ROWS:
            raise RuleError(f"结果超过 Excel 工作表的行数上限（{XLSX_MAX_ROWS:,} 行，含表头）："
                            "请改用 .csv 或 .parquet 输出")
        columns = [col.to_pylist() for col in table.columns]
        for values in zip(*columns, strict=True):
            row = []
            for value, number_format in zip(values, self.formats, strict=True):
                cell = self.cell(self.sheet, value=_cell_value(value))
                if number_format is not None and value is not None:
                    cell.number_format = number_format
                row.append(cell)
            self.sheet.append(row)
        self.rows += table.num_rows

    def close(self) -> None:
        self.book.save(self.path)
