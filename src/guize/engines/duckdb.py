"""DuckDB integration: a policy over a query's rows (`evaluate`, a relation with the outputs and
「错误」) and each output as a SQL function (`register`, a vectorised Arrow UDF).

Both go through Policy.evaluate_batch, so every row's result equals Policy.evaluate: exact
decimals, the same errors. Needs duckdb and guize[batch].
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

from guize.runtime.errors import RuleError
from guize.runtime.policy import Policy

CHUNK_ROWS = 1 << 17  # rows fetched from DuckDB and evaluated at a time
# Numbers arrive as DECIMAL(38, 10) (integers, decimals and doubles cast to it implicitly; an
# input with more than 10 decimals is rounded by DuckDB's cast), enumerations as VARCHAR.
_PARAMETER_TYPES = {"bool": "BOOLEAN", "date": "DATE", "int": "BIGINT", "enum": "VARCHAR"}
_NUMBER_PARAMETER = "DECIMAL(38, 10)"
_RESULT_TYPES = {"bool": "BOOLEAN", "date": "DATE", "int": "BIGINT", "enum": "VARCHAR"}


def evaluate(con: Any, policy: Policy, rows: Any, on: Any, outputs: Iterable[str] | None = None,
             keep: Iterable[str] = (), chunk_rows: int = CHUNK_ROWS, known_on: Any = None) -> Any:
    """A DuckDB relation: `keep` columns, the outputs and 「错误」 for each row of `rows` (SQL text or
    a relation), in its order. `on` is a date or the name of a date column of `rows`; `known_on`:
    the rules as published by that date, or the name of a column giving it per row (a NULL: as
    they now stand), as in Policy.evaluate_batch.

    The result is built in memory as an Arrow table (for files larger than memory use guize run)."""
    import pyarrow as pa

    relation = con.sql(rows) if isinstance(rows, str) else rows
    names = list(outputs) if outputs is not None else None
    to_reader = getattr(relation, "to_arrow_reader", None) or relation.fetch_record_batch  # duckdb < 1.4
    reader = to_reader(chunk_rows)
    pieces = [policy.evaluate_batch(pa.Table.from_batches([batch]), on, names, keep=list(keep), known_on=known_on)
              for batch in reader]
    if not pieces:  # no rows: the columns still have their names
        empty = pa.Table.from_batches([], schema=reader.schema)
        pieces = [policy.evaluate_batch(empty, on, names, keep=list(keep), known_on=known_on)]
    # Decimal columns may have another scale in another chunk: widen to a common type.
    table = pa.concat_tables(pieces, promote_options="permissive")
    return con.from_arrow(table)


def register(con: Any, policy: Policy, on: Any = None, outputs: Iterable[str] | None = None,
             prefix: str = "", scale: int = 10, known_on: Any = None) -> list[str]:
    """Register each output (all if None) as a SQL function named prefix + output name, taking
    the inputs it needs in declaration order (policy.required_inputs); with `on=None` the first
    argument is the evaluation date. Rows that cannot be computed give NULL (use `evaluate` for
    the reasons). Decimal outputs are DECIMAL(38, scale); a value with more decimals is an error,
    never silently rounded. `known_on`: the rules as published by that date (one date for
    every call). Returns the function names."""
    import duckdb

    from guize.runtime.values import as_date

    known = None if known_on is None else as_date(known_on)
    if known is not None:
        policy.check_known(known)  # before the document was published: one error, not NULLs
    specs = {i.name: i for i in policy.inputs}
    kinds = {o.name: o.kind for o in policy.outputs}
    made = []
    for output in policy.select_outputs(outputs):
        inputs = policy.required_inputs([output])
        parameters = ["DATE"] if on is None else []
        parameters += [_PARAMETER_TYPES.get(specs[name].kind, _NUMBER_PARAMETER) for name in inputs]
        result = _RESULT_TYPES.get(kinds[output], f"DECIMAL(38, {scale})")
        name = prefix + output
        con.create_function(name, _udf(policy, output, inputs, on, result, known),
                            [duckdb.sqltype(p) for p in parameters], duckdb.sqltype(result),
                            type="arrow", null_handling="special", side_effects=False)
        made.append(name)
    return made


def _udf(policy: Policy, output: str, inputs: list[str], on: Any, result: str, known_on: Any = None) -> Any:
    def function(*columns: Any) -> Any:
        import pyarrow as pa

        data = dict(zip(["__date__", *inputs] if on is None else inputs, columns, strict=True))
        table = policy.evaluate_batch(pa.table(data), "__date__" if on is None else on, [output], known_on=known_on)
        values = table.column(output)
        target = _arrow_type(result)
        try:
            return values.cast(target, safe=True)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise RuleError(f"输出「{output}」的值放不进 {result}：请在 register 中给出更大的 scale") from None

    # DuckDB counts the parameters of the function it is given: one per SQL argument.
    arguments = (["__date__"] if on is None else []) + [f"a{i}" for i in range(len(inputs))]
    function.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(a, inspect.Parameter.POSITIONAL_ONLY) for a in arguments])
    return function


def _arrow_type(sql: str) -> Any:
    import pyarrow as pa

    if sql.startswith("DECIMAL"):
        scale = int(sql.split(",")[1].strip(" )"))
        return pa.decimal128(38, scale)
    return {"BOOLEAN": pa.bool_(), "DATE": pa.date32(), "BIGINT": pa.int64(), "VARCHAR": pa.string()}[sql]
