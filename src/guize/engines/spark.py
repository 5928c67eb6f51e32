"""Spark integration: a policy over a DataFrame with mapInArrow, compiled once per executor.

The driver compiles the .rule file and ships the generated Python (the scalar module and its
columnar sibling) inside the function; each executor process writes them to a temporary folder,
imports them with guize.runtime alone (no compiler on the executors' path) and keeps the Policy
for every later partition. Each partition's Arrow batches go through Policy.evaluate_batch, so
every row equals Policy.evaluate. Needs pyspark and guize[batch] on the driver and executors.
"""

from __future__ import annotations

import importlib.util
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from guize.runtime.policy import Policy

_POLICIES: dict[str, Policy] = {}  # per executor process: sha256 of the generated code -> Policy


def evaluate(df: Any, policy: Policy, on: Any, outputs: Iterable[str] | None = None,
             keep: Iterable[str] = (), scale: int = 10, known_on: Any = None) -> Any:
    """A DataFrame: `keep` columns, the outputs and 「错误」 for each row of `df`.

    `on` is a date (datetime.date or text) or the name of a date column of `df`. Decimal outputs
    are DecimalType(38, scale); a value with more decimals fails the job rather than being
    rounded. Rows that cannot be computed have NULL outputs and the reason in 「错误」.
    `known_on`: the rules as published by that date, or the name of a column of `df` giving it
    per row (see Policy.evaluate_batch)."""
    from guize.compiler.driver import compile_source, read_source
    from guize.runtime import values

    names = policy.select_outputs(outputs)
    kept = list(keep)
    # The same files the policy was merged from (a base with its amendments: compiler/amend.py).
    paths = getattr(policy.module, "SOURCE_FILES", (policy.path,))
    files = [(p, read_source(p)) for p in paths] if len(paths) > 1 else None
    compiled = compile_source(read_source(policy.path), policy.path, files)
    # One date as text, or the name of a column giving it per row (as evaluate_batch reads it).
    known = known_on if known_on is None or (isinstance(known_on, str) and known_on in df.columns) \
        else values.as_date(known_on).isoformat()
    sources = (compiled.python, compiled.batch_python, policy.sha256)
    repealed = policy.window.repealed
    # A column name (as evaluate_batch reads it), or the one date as text (shipped as is).
    when = on if isinstance(on, str) and on in df.columns else values.as_date(on).isoformat()
    kinds = {o.name: o.kind for o in policy.outputs}
    fields = [df.schema[name] for name in kept]
    schema = _schema(fields, [(n, kinds[n]) for n in names], scale)

    def apply(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        local = _policy(sources, repealed)
        # Each result column's Arrow type (None: a kept column, as it is), matching `schema`.
        types = [None] * len(kept) + [_arrow_type(pa, kinds[n], scale) for n in names] + [pa.string()]
        for batch in batches:
            out = local.evaluate_batch(pa.Table.from_batches([batch]), when, names, keep=kept, known_on=known)
            columns = [c if t is None else c.cast(t, safe=True) for c, t in zip(out.columns, types, strict=True)]
            yield from pa.Table.from_arrays(columns, names=out.column_names).to_batches()

    return df.mapInArrow(apply, schema)


def _policy(sources: tuple[str, str, str], repealed: Any) -> Policy:
    python, batch_python, sha = sources
    policy = _POLICIES.get(sha)
    if policy is None:
        folder = Path(tempfile.mkdtemp(prefix="guize-spark-"))
        name = f"guize_policy_{sha[:16]}"
        (folder / f"{name}.py").write_text(python, encoding="utf-8")
        (folder / f"{name}_batch.py").write_text(batch_python, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(name, folder / f"{name}.py")
        assert spec is not None and spec.loader is not None  # INVARIANT: the file was just written
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        policy = _POLICIES[sha] = Policy(module, repealed)
    return policy


def _arrow_type(pa: Any, kind: str, scale: int) -> Any:
    return {"bool": pa.bool_(), "date": pa.date32(), "int": pa.int64(), "enum": pa.string()}.get(
        kind, pa.decimal128(38, scale))


def _schema(kept: list[Any], outputs: list[tuple[str, str]], scale: int) -> Any:
    from pyspark.sql import types as T

    spark_types = {"bool": T.BooleanType(), "date": T.DateType(), "int": T.LongType(), "enum": T.StringType()}
    fields = [T.StructField(f.name, f.dataType, True) for f in kept]
    fields += [T.StructField(n, spark_types.get(k, T.DecimalType(38, scale)), True) for n, k in outputs]
    fields.append(T.StructField("错误", T.StringType(), True))
    return T.StructType(fields)
