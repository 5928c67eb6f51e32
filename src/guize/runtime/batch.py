"""Batch evaluation over columnar data: many rows at once, exact, with a per-row error column.

    table = policy.evaluate_batch(data, on=datetime.date(2025, 3, 1))   # or on="就诊日期"

`data` is a pyarrow Table or anything convertible (dict of lists or numpy arrays, list of
dicts, pandas or polars DataFrame). The result is a pyarrow Table with one column per
output (money and rates as decimal128, never float) and the column 「错误」: null where the
row was computed, the Chinese error message where it was not.

How it works. The columnar evaluators written by guize.compiler.batchgen compute every
output for a chunk of rows on fixed-point int64 columns (guize.runtime.batchops). Rows
where anything could go wrong (a missing or invalid input, a date outside the document's
validity, a value outside every band, a division by zero, a possible int64 overflow) are
flagged instead, and each flagged row is then evaluated by the ordinary scalar path
(Policy.evaluate), which gives the exact value or the exact error. So every row has the
answer the scalar path gives, and the fast path only has to be right on the rows it keeps.

A chunk larger than a block is not computed operation by operation over all its rows: its
numpy calls are recorded into a kernel (guize.runtime.kernel) and run BLOCK_ROWS rows at a
time, in cache. Numbers read in place (see columns.Converted.in_place) are assumed to lie in
[0, ASSUMED_MAX] rather than scanned for their bounds; the kernel flags the rows outside.

A null cell means "not given": the input's default applies, or the row reports 缺少输入.
Float columns are read through their shortest repr (0.1 is 0.1, as in the scalar path).

A Policy holds one BatchEvaluator (Policy.batch, created on first use), which owns the
compiled columnar program; this module sees the policy only through the Source protocol and
does not import guize.runtime.policy. Column conversion in and out lives in
guize.runtime.columns. numpy and pyarrow are
imported only by the batch modules (this one, columns, batchops, kernel), from the
optional extra `guize[batch]`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from guize.runtime import ir
from guize.runtime import values as V
from guize.runtime.batchout import DECIMAL_KINDS, assemble, output_places, require_decimal64
from guize.runtime.columns import (
    Converted,
    alloc,
    arrow_array,
    arrow_modules,
    column_kind,
    combine,
    convert_column,
    iter_batches,
    mask_or,
    minmax,
    one_column,
    scale_up,
    to_table,
)
from guize.runtime.deps import dependencies
from guize.runtime.errors import InvalidInput, MissingInput, RuleError
from guize.runtime.keyed import keyed_outputs
from guize.runtime.validity import Window

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

ERROR_COLUMN = "错误"
# Rows per chunk of evaluate_batch: bounds the memory taken by converted inputs. The work
# on temporaries is done block by block (BLOCK_ROWS), so a large chunk costs no cache; it
# saves the per-chunk costs (conversions, allocations, recording the kernel).
CHUNK_ROWS = 1 << 20
# Rows per block of a chunk's kernel (guize.runtime.kernel): a block's inputs (16 bytes a
# row for decimal128), temporaries (8) and results (16) stay in cache. Measured on the four
# policies with baselines (docs/performance.md): 32,768 rows beat 16,384 by 3-8 % and 8,192
# by 10-15 % (fewer calls, about a microsecond each per block); 4,096 is 8-20 % slower.
BLOCK_ROWS = 1 << 15
# A kernel assumes numbers read in place lie in [0, ASSUMED_MAX] (in units of their last
# decimal place: about 11 billion 元 at the cent) and checks it row by row; when more than
# 1/ASSUMED_MISSES of a chunk's rows lie outside, the chunk is evaluated again from bounds
# read off the data. A power of two less one: the check is one bitwise or per column
# (Chunk.assume).
ASSUMED_MAX = 2**40 - 1
ASSUMED_MISSES = 1000


def _narrow_top(kind: str, s: int) -> int | None:
    """A narrower assumed bound (see Plan._blamed) for a column of whole numbers (2**20 - 1,
    about a million: a count of people, months, days) or of rates (below 2**k, the least
    power of two above 100, i.e. 10,000 %, at the column's scale s); None for other numbers
    or when it would not be narrower than ASSUMED_MAX."""
    top = 2**20 - 1 if kind == "int" else (1 << (100 * 10**s).bit_length()) - 1 if kind == "rate" else None
    return top if top is not None and top < ASSUMED_MAX else None


_I64 = 2**63 - 1


def _bounds(v: Any, np: Any) -> tuple[int, int]:
    """Bounds of an integer column for the overflow analysis: (0, its largest value) in one
    pass when no value is negative (the largest as an unsigned number is then below 2**63;
    a strided column, a decimal128's low words, is read in place), else its least and
    largest values."""
    if len(v) and v.dtype == np.int64:
        top = int(v.view(np.uint64).max())
        if top <= _I64:
            return 0, top
    return minmax(v) if v.flags.c_contiguous else (int(v.min()), int(v.max()))
_LEARNED_SIZE = 64  # sets of outputs whose retries a BatchEvaluator remembers (see Plan._evaluate)


# ---------------------------------------------------------------- the policy, as batch evaluation sees it



def _given_fields(value: Any) -> Any:
    """A list input's items without their null fields: Arrow gives every item every field of the
    column's struct (null where an item has none: another row's unknown field among them), and a
    null field is one not given (the scalar path then takes its default or reports it missing)."""
    if value.__class__ is not list:
        return value
    return [{k: x for k, x in item.items() if x is not None} if item.__class__ is dict else item
            for item in value]

class Source(Protocol):
    """What batch evaluation needs of a policy (guize.runtime.policy.Policy is one). A
    protocol, so that this module does not import policy.py, which imports it lazily."""

    module: ModuleType
    window: Window

    @property
    def definitions(self) -> dict[str, ir.Definition]: ...

    @property
    def dated_versions(self) -> tuple[tuple[Any, ...], ...]: ...

    def select_outputs(self, outputs: Any) -> list[str]: ...

    def required_inputs(self, outputs: Any) -> list[str]: ...

    def env(self, on: datetime.date, known_on: datetime.date | None = None) -> tuple[Any, ...]: ...

    def check_known(self, known_on: datetime.date) -> None: ...

    def evaluate(self, data: Mapping[str, Any], on: Any, outputs: Any = None,
                 known_on: Any = None) -> dict[str, Any]: ...


def batch_module(module: Any, definitions: Any = None) -> Any:
    """The columnar evaluators of a compiled module: its sibling `<name>_batch.py`, imported now.

    A module guize.load made says how to load it (BATCH_LOADER: from the compile cache, or
    written now from the module's definitions, `definitions()` when given: a Policy's, decoded
    once); one written by `guize compile -o DIR` and imported by the caller has its sibling beside it."""
    loader = getattr(module, "BATCH_LOADER", None)
    if loader is not None:
        return loader(module, definitions)
    import importlib.util
    from pathlib import Path

    path = Path(getattr(module, "__file__", None) or "?")
    sibling = path.with_name(f"{path.stem}_batch.py")
    spec = importlib.util.spec_from_file_location(f"{module.__name__}_batch", sibling)
    if spec is None or spec.loader is None or not sibling.is_file():
        raise RuleError(f"这个已编译的模块没有批量计算代码（「{sibling.name}」）：请用当前版本的 guize 重新编译，"
                        "并把两个文件放在同一目录")
    batch = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(batch)  # the import system's loader: compiled and cached as any import
    return batch


class BatchEvaluator:
    """Batch evaluation for one policy: its columnar program, built from the compiled module
    on first use and kept. A Policy creates one when first asked (Policy.batch)."""

    def __init__(self, policy: Source) -> None:
        self.policy = policy
        self._program: dict[str, Any] | None = None
        # What recording kernels taught (see Plan._evaluate): for a set of outputs, the inputs
        # assumed within a narrower bound and those read for their bounds, so that the next
        # chunk or call records its kernel at once instead of retrying as the first did.
        self.learned: dict[tuple[str, ...], tuple[frozenset[str], frozenset[str]]] = {}
        self.learned_places: dict[tuple[str, ...], dict[str, int]] = {}  # decimal64: outputs -> places (batchout)
        self.learned_eager: set[tuple[str, ...]] = set()  # sets of outputs a kernel cannot record (NotRecordable.eager)

    @property
    def program(self) -> dict[str, Any]:
        """The compiled module's columnar definitions ("defs") and enumeration members ("enums")."""
        program = self._program
        if program is None:
            module = batch_module(self.policy.module, lambda: self.policy.definitions)
            program = self._program = {"defs": module.DEFS, "enums": module.ENUMS, "fallback": module.FALLBACK}
        return program

    def plan(self, schema: Any, on: Any, outputs: Any = None, strict: bool = False,
             block_rows: int = BLOCK_ROWS, known_on: Any = None, decimal64: bool = False) -> Plan:
        """A Plan for evaluating chunks of tables with `schema` (see Plan.run)."""
        return Plan(self, schema, on, outputs, strict, block_rows, known_on, decimal64)

    def evaluate(self, data: Any, on: Any, outputs: Any = None, strict: bool = False,
                 chunk_rows: int = CHUNK_ROWS, block_rows: int = BLOCK_ROWS, keep: Any = (),
                 known_on: Any = None, decimal64: bool = False) -> pa.Table:
        """Evaluate many rows: a pyarrow Table of outputs and 「错误」 (see the module docstring).

        `known_on`: the rules as published by one date, or the name of a column giving it per
        row (a null: as they now stand), like `on`.

        `keep`: columns of `data` copied, as they are, before the outputs (like `guize run --keep`).
        `block_rows`: rows per block of each chunk's kernel; 0 computes each chunk at once.
        `decimal64`: decimal outputs as decimal64 and integers as int64 (guize.runtime.batchout).
        """
        table = to_table(data)
        kept = self._kept(table, keep, outputs)
        plan = self.plan(table.schema, on, outputs, strict, block_rows, known_on, decimal64)
        batches = []
        offset = 0
        for piece in iter_batches(table, chunk_rows):
            batch, _errors = plan.run(piece, offset)
            batches.append(batch)
            offset += piece.num_rows
        meta = {"rows": plan.rows_done, "rows_scalar": plan.rows_scalar, "fallback_outputs": plan.fallback}
        result = combine(batches, [*plan.names, ERROR_COLUMN], meta)
        for i, name in enumerate(kept):
            result = result.add_column(i, table.schema.field(name), table.column(name))
        return result

    def _kept(self, table: pa.Table, keep: Any, outputs: Any) -> list[str]:
        """The `keep` column names, each checked to be in `table` and not the name of a result column."""
        names = [keep] if isinstance(keep, str) else list(keep)
        results = {*self.policy.select_outputs(outputs), ERROR_COLUMN}
        present = table.schema.names
        for name in names:
            if not isinstance(name, str) or name not in present:
                from guize.runtime.diagnose import nearest_name

                near = nearest_name(str(name), present)
                hint = f"，是否指「{near}」？" if near else f"；输入的列有：{'、'.join(present[:20])}"
                raise RuleError(f"keep 中的列「{name}」不在输入中{hint}", column=str(name))
            if name in results:
                raise RuleError(f"keep 中的列「{name}」与结果的列同名", column=name)
        if len(set(names)) != len(names):
            raise RuleError("keep 中有重复的列名")
        return names


# ---------------------------------------------------------------- the plan for one call


class Plan:
    """What one evaluate_batch call needs: outputs, inputs, the date, the compiled program."""

    def __init__(self, evaluator: BatchEvaluator, schema: pa.Schema, on: Any, outputs: Any, strict: bool,
                 block_rows: int = BLOCK_ROWS, known_on: Any = None, decimal64: bool = False) -> None:
        np, pa, _pc = arrow_modules()
        # The rules as published by one date (None: as they now stand), or by each row's date
        # in the column known_column (see _known_rows).
        self.known_column: str | None = None
        if isinstance(known_on, str) and known_on in schema.names:
            self.known_column, known_on = known_on, None
        elif known_on is not None:
            try:
                known_on = V.as_date(known_on)
            except InvalidInput:
                near = _nearest(str(known_on), schema.names)
                hint = f"（是否指列「{near}」？）" if near else ""
                raise InvalidInput(f"known_on「{known_on}」既不是日期，也不是输入表中的列{hint}",
                                   value=str(known_on)) from None
            evaluator.policy.check_known(known_on)
        self.known_on: datetime.date | None = known_on
        self.np, self.pa = np, pa
        self.policy = policy = evaluator.policy
        self.evaluator = evaluator
        self.strict = strict
        self.names = policy.select_outputs(outputs)
        self.outputs_arg = None if outputs is None else list(self.names)
        program = evaluator.program
        self.defs = program["defs"]
        self.reasons: dict[str, str] = program["fallback"]
        self.enums: tuple[str, ...] = program["enums"]
        self.kinds = {n: column_kind(policy.definitions[n].value_kind) for n in self.names}
        self.places: dict[str, int] | None = None  # decimal64: each number output's places (batchout)
        if decimal64:
            require_decimal64(pa)
            key = ("places", *self.names)  # (fixed by the policy: worked out once per set of outputs)
            places = evaluator.learned_places.get(key)
            if places is None:
                places = output_places(policy.definitions, {s["name"]: s for s in policy.module.INPUTS}, self.names,
                                       self.kinds)
                if len(evaluator.learned_places) >= _LEARNED_SIZE:
                    evaluator.learned_places.clear()
                evaluator.learned_places[key] = places
            self.places = places
        # Outputs computed for each item of a list (always row by row): list columns.
        self.per_item = {n for n in self.names if type(policy.definitions[n].expr).__name__ == "Each"}
        self.vector = [n for n in self.names if self._vectorised(n)]
        self.fallback = [n for n in self.names if n not in self.vector]
        self.needed = policy.required_inputs(self.names)
        self.specs = {s["name"]: s for s in policy.module.INPUTS}
        self.lists = any(column_kind(s["kind"]) == "list" for s in self.specs.values())
        # Per-item outputs of a list with a 主键: map columns (runtime/batchkeys.py).
        self.keyed = {n: lk for n, lk in keyed_outputs(policy.definitions, self.specs).items() if n in self.names}
        self._dictionaries: dict[Any, Any] = {}
        present = set(schema.names)
        if len(present) != len(schema.names):
            twice = sorted({n for n in schema.names if schema.names.count(n) > 1})
            raise InvalidInput(f"输入表有重复的列名：{'、'.join(f'「{n}」' for n in twice)}")
        self.date_column: str | None = None
        self.on: datetime.date | None = None
        if isinstance(on, str) and on in present:
            self.date_column = on
        elif on is None:
            raise InvalidInput("缺少评估日期：请给出日期，或输入表中日期列的列名")
        else:
            try:
                self.on = V.as_date(on)
            except InvalidInput:
                near = _nearest(str(on), schema.names)
                hint = f"（是否指列「{near}」？）" if near else ""
                raise InvalidInput(f"「{on}」既不是日期，也不是输入表中的列{hint}", value=str(on)) from None
        # A column every path reads must be there; one read only on some paths may be absent:
        # the outputs that could read it go row by row, where a row that needs it says so.
        absent = [n for n in self.needed if n not in present and not self.specs[n]["has_default"]]
        every_path = ir.strict_needs(policy.definitions, self.names) if absent else set()
        for name in absent:
            # A column like the missing one's name is most likely a misspelling of it: say so.
            near = _nearest(name, [c for c in schema.names if c not in self.specs])
            if ("input", name) in every_path or near:
                hint = f"（是否指列「{near}」？）" if near else ""
                raise MissingInput(f"输入表缺少列「{name}」{hint}", input=name)
        if absent:
            rows = [n for n in self.vector if set(policy.required_inputs([n])) & set(absent)]
            self.vector = [n for n in self.vector if n not in rows]
            self.fallback = [n for n in self.names if n not in self.vector]
            self.reasons = {**self.reasons, **{n: f"输入表没有列「{'、'.join(absent)}」" for n in rows}}
            self.needed = [n for n in self.needed if n not in absent]
        # 可作输入: a definition given as a column is read from it row by row (a row without a
        # value, null, gets the formula), so the outputs that use it go row by row.
        used = dependencies(policy.definitions, self.names)
        self.given = [n for n, d in policy.definitions.items() if d.given and n in used and n in present]
        if self.given:
            rows = [n for n in self.vector if dependencies(policy.definitions, [n]) & set(self.given)]
            self.vector = [n for n in self.vector if n not in rows]
            self.fallback = [n for n in self.names if n not in self.vector]
            self.reasons = {**self.reasons, **{n: f"输入表给出了「{'、'.join(self.given)}」（可作输入的定义）"
                                               for n in rows}}
        # Per-date state for a single date: the window check, and each dated value's version.
        self.window_error: RuleError | None = None
        self.env: tuple[Any, ...] | None = None
        if self.on is not None:
            try:
                self.env = policy.env(self.on, known_on)
            except RuleError as exc:
                self.window_error = exc
        self.rows_done = 0
        self.rows_scalar = 0
        self.day_bounds: tuple[Any, int, int] | None = None  # the chunk's dates and their range (batchdates)
        self.block_rows = block_rows  # 0: evaluate each chunk at once, without a kernel
        self.assume = False  # the chunk being evaluated may assume bounds (see _evaluate)
        self.assumed = False  # and did
        self.assumed_names: dict[str, int | None] = {}  # the inputs it assumed bounds of -> _narrow_top
        self.narrowed: set[str] = set()  # inputs assumed within _narrow_top (see _blamed)
        self.unassumed: set[str] = set()  # inputs whose bounds are read all the same (see _blamed)
        self.retries = 0

    def fallback_reasons(self) -> dict[str, str]:
        """Why each output in `fallback` is evaluated row by row (the batch compiler's reason,
        followed through the definitions it depends on), for a run's summary."""
        reasons = self.reasons
        out = {}
        for name in self.fallback:
            seen = [name]
            while name in reasons and reasons[name].startswith("依赖逐行计算的「"):
                name = reasons[name][len("依赖逐行计算的「"):].rstrip("」")
                if name in seen:
                    break
                seen.append(name)
            reason = reasons.get(name, "按列计算尚不支持")
            out[seen[0]] = reason if len(seen) == 1 else f"它依赖的「{seen[-1]}」：{reason}"
        return out

    def _vectorised(self, output: str) -> bool:
        seen: set[str] = set()
        stack = [output]
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            if n not in self.defs:
                # A scale is no column (batchgen unrolls it where it is applied, or puts the
                # definition applying it in FALLBACK), so it does not make its users row by row.
                if self.policy.definitions[n].value_kind == "scale":
                    continue
                return False
            seen.add(n)
            stack.extend(self.policy.definitions[n].deps)
        return True

    # ------------------------------------------------------------ one chunk

    def run(self, batch: Any, offset: int) -> tuple[Any, list[tuple[int, RuleError]]]:
        """Evaluate one chunk: (record batch of outputs + 错误, [(row, error)]), rows from `offset`."""
        from guize.runtime.batchdates import chunk_dates, out_of_force

        np = self.np
        n = batch.num_rows
        columns = {name: one_column(batch, name) for name in batch.schema.names}
        errors: dict[int, RuleError] = {}
        patches: dict[str, dict[int, Any]] = {name: {} for name in self.names}
        values: dict[str, Any] = {}
        sinks: dict[str, Any] = {}
        if self.window_error is not None:
            for i in range(n):
                errors[i] = self.window_error
                if self.strict:
                    break
        else:
            on, versions, date_bad, outside = chunk_dates(self, columns, n)
            if outside is not None and outside.any():
                # The scalar path stops at the date before reading any input: one error per date.
                out_of_force(self, on, outside, errors)
            else:
                outside = None
            chunk, values, sinks = self._evaluate(columns, n, on, versions, date_bad, outside)
            suspect = np.flatnonzero(chunk.bad if outside is None else chunk.bad & ~outside)
            self._scalar(columns, suspect, self.outputs_arg, self.names, patches, errors)
            if self.fallback:
                rest = np.flatnonzero(~chunk.bad)
                self._scalar(columns, rest, self.fallback, self.fallback, patches, errors)
                self.rows_scalar += len(rest)
            self.rows_scalar += len(suspect)
        out = assemble(self, n, values, patches, errors, sinks)  # (decimal64: may add errors)
        ordered = sorted(errors.items())
        if self.strict and ordered:
            row, exc = ordered[0]
            raise _at_row(exc, offset + row)
        self.rows_done += n
        if self.keyed:
            from guize.runtime.batchkeys import keyed_column

            for name, (source, key) in self.keyed.items():
                field = next(f for f in self.specs[source]["fields"] if f["name"] == key)
                i = out.schema.get_field_index(name)
                out = out.set_column(i, name, keyed_column(out.column(i), columns.get(source), field, np, self.pa))
        return out, [(offset + r, e) for r, e in ordered]

    def _evaluate(self, columns: dict[str, Any], n: int, on: Any, versions: list[Any], date_bad: Any,
                  outside: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        """The vectorised outputs of a chunk: by a kernel over blocks when the chunk is larger
        than a block and its decisions need no data, else on the whole chunk at once."""
        from guize.runtime.kernel import NotRecordable, Recorder

        np = self.np
        converted: dict[str, Converted] = {}
        # Start from what earlier chunks learned (advice only: an assumed bound is checked on
        # every row either way, and bounds read off the data always hold).
        learned = self.evaluator.learned
        narrowed, unassumed = learned.get(self._learned_key, (frozenset(), frozenset()))
        self.unassumed, self.narrowed, self.retries = set(unassumed), set(narrowed), 0
        eager = self._learned_key in self.evaluator.learned_eager
        attempts = [False] if eager else [True, False]
        while attempts:
            assume = attempts.pop(0)
            self.assume, self.assumed = assume, False
            self.assumed_names = {}
            recorder = Recorder(n) if 0 < self.block_rows < n and not eager else None
            try:
                chunk, values, sinks = self._columnar(columns, converted, n, on, versions, date_bad, outside,
                                                      recorder)
            except NotRecordable as exc:  # a decision needs the values
                exc.with_traceback(None)  # (its frames hold the chunk's arrays)
                if exc.eager:  # whatever the bounds: eager now, and for the next chunks
                    if len(self.evaluator.learned_eager) >= _LEARNED_SIZE:
                        self.evaluator.learned_eager.clear()
                    self.evaluator.learned_eager.add(self._learned_key)
                    attempts = [False]
                elif self.assumed:
                    # Maybe only because of an assumed bound: first read the bounds of just the
                    # inputs of the definition that needed them (the rest stay assumed), then,
                    # if that is not enough, of every input.
                    if self._blamed(exc):
                        attempts.insert(0, True)
                    continue
                recorder = None
                chunk, values, sinks = self._columnar(columns, converted, n, on, versions, date_bad, outside,
                                                      None)
            if recorder is not None:
                recorder.run(alloc, self.block_rows)
            if chunk.assumed is not None:
                misses = np.count_nonzero(chunk.assumed)
                if misses * ASSUMED_MISSES > n:
                    attempts = [False]
                    continue  # too many rows for the scalar path: bounds from the data instead
                if misses:  # the kernel has run: mark them directly
                    np.logical_or(chunk.bad, chunk.assumed, out=chunk.bad)
            if assume:
                if len(learned) >= _LEARNED_SIZE:
                    learned.clear()
                learned[self._learned_key] = (frozenset(self.narrowed), frozenset(self.unassumed))
            return chunk, values, sinks
        raise AssertionError("unreachable: the last try assumes nothing")  # pragma: no cover

    @property
    def _learned_key(self) -> tuple[str, ...]:
        return tuple(self.vector)

    def _blamed(self, exc: Any) -> bool:
        """Whether to try recording the chunk again with tighter bounds for the inputs read
        with assumed bounds that the definition which raised `exc` (a NotRecordable)
        depends on: a product of two assumed numbers may overflow where narrower bounds, or
        the data's own, show that it cannot. False when no definition is to blame, none of
        its inputs can be tightened further, or after four tries."""
        if exc.definition not in self.policy.definitions or self.retries >= 4:
            return False
        self.retries += 1
        blamed = set(self.policy.required_inputs([exc.definition])) & set(self.assumed_names)
        # First the counts and rates among them are assumed within a narrower bound (no
        # pass over them); when there are none left to narrow, all of them are read for
        # their bounds.
        narrow = {n for n in blamed - self.narrowed if self.assumed_names[n] is not None}
        if narrow:
            self.narrowed |= narrow
            return True
        unassumed = blamed - self.unassumed
        self.unassumed |= unassumed
        return bool(unassumed)

    def _columnar(self, columns: dict[str, Any], converted: dict[str, Converted], n: int, on: Any,
                  versions: list[Any], date_bad: Any, outside: Any,
                  recorder: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        """Evaluate the vectorised outputs of a chunk, or record their kernel (`recorder`).

        Returns the chunk (its `bad` rows go to the scalar path), the outputs' values, and
        for decimal outputs the result buffers their low words were written into.
        """
        from guize.runtime.batchops import Chunk, day
        from guize.runtime.kernel import EAGER

        np = self.np
        chunk = Chunk(self.defs, n, self._fetcher(columns, converted), on, versions, alloc,
                      EAGER if recorder is None else recorder)
        # (read where a list's items take a dated value on their own dates: batchlists.version_at)
        chunk.known_on = "rows" if self.known_column is not None else (
            None if self.known_on is None else day(self.known_on))
        if self.day_bounds is not None:
            chunk.day_bounds(*self.day_bounds)
        if date_bad is not None:
            chunk.flag(date_bad)
        if outside is not None:
            chunk.flag(outside)
        for name in self.needed:  # the scalar path converts every input up front, too
            chunk.input(name)
        sinks: dict[str, tuple[Any, ...]] = {}
        for name in self.vector:
            if self.kinds[name] in DECIMAL_KINDS:
                buf = alloc(n if self.places is not None else 2 * n, np.int64)  # decimal64: the values
                sinks[name] = (buf, buf if self.places is not None else buf.reshape(n, 2)[:, 0])
                chunk.sinks[name] = sinks[name][1]
        values = {name: chunk.ref(name) for name in self.vector}
        if self.lists:
            from guize.runtime.batchlists import finish

            finish(chunk)
        chunk.close()
        if recorder is not None:  # write the high words while the block's low words are hot
            from guize.runtime.batchops import Num
            from guize.runtime.kernel import Reg, copy, zero_high

            for name, (_buf, low) in sinks.items():
                value = values[name]
                if isinstance(value, Num) and isinstance(value.v, Reg) and value.v.array is None:
                    # A temporary (a look-up, a product not rounded): copied into the result's
                    # low words in the kernel, not kept in a chunk-wide column and copied after.
                    recorder.call(copy, value.v, out=low)
                    values[name] = Num(low, value.s, value.lo, value.hi)
            values = {name: _materialize(v, recorder) for name, v in values.items()}
            for name, (buf, low) in sinks.items():
                value = values[name]
                if isinstance(value, Num) and value.v is low and self.places is None:
                    high = buf.reshape(n, 2)[:, 1]
                    if value.lo >= 0:  # (both words at once: kernel.pair_words)
                        recorder.call(zero_high, low, out=buf.reshape(n, 2))
                    else:
                        recorder.call(np.right_shift, low, 63, out=high)
                    sinks[name] = (buf, low, True)
        return chunk, values, sinks

    def _fetcher(self, columns: dict[str, Any], converted: dict[str, Converted], specs: Any = None) -> Any:
        """The chunk's input reader; `converted` keeps each column's conversion, so that
        evaluating the chunk a second time (see _evaluate) converts nothing again. `specs`: a
        list's fields (batchlists.list_input reads its items with a reader of its own)."""
        from guize.runtime.batchops import Num, day

        np = self.np
        specs = specs or self.specs
        enums = self.enums

        def fetch(c: Any, name: str) -> Any:
            spec = specs[name]
            kind = column_kind(spec["kind"])
            arr = columns.get(name)
            if kind == "list":
                from guize.runtime.batchlists import list_input
                return list_input(c, spec, arr, self._fetcher)
            default = None
            if spec["has_default"]:
                default = V.convert({**spec, "scale": Decimal(1)}, spec["default"])
            if arr is None:  # INVARIANT: only inputs with a default may be absent (checked in Plan)
                if kind in ("money", "quantity", "rate", "int"):
                    value: Any = c.mul(_const(default), _const(spec["scale"]))
                    return value
                if kind == "enum":
                    return enums.index(default)
                if kind == "date":
                    assert isinstance(default, datetime.date)  # INVARIANT: converted above
                    return day(default)
                return bool(default)
            conv = converted.get(name)
            if conv is None:
                conv = converted[name] = convert_column(spec, arr, enums, self._dictionaries)
            bad = conv.bad
            v = conv.v
            if kind in ("money", "quantity", "rate", "int"):
                s = conv.s or 0

                def in_unit(num: Num) -> Num:
                    """Apply the input's unit scale (万元 -> 元) once the column is read."""
                    if spec["scale"] != 1:
                        num = c.mul(num, _const(spec["scale"]))
                        num.own = False
                    return num

                if conv.bounds is not None and bad is None and conv.null is None:
                    return in_unit(Num(v, s, *conv.bounds))
                if conv.in_place:
                    if self.assume and c.k.recording and name not in self.unassumed:
                        # Assume 0 <= v <= ASSUMED_MAX instead of reading the column for its
                        # bounds; the kernel flags the rows outside (see Chunk.assume).
                        narrow = _narrow_top(kind, s)
                        top = narrow if name in self.narrowed and narrow is not None else ASSUMED_MAX
                        c.assume(v, top)
                        self.assumed = True
                        self.assumed_names[name] = narrow
                        return in_unit(Num(v, s, 0, top))
                    # A kernel reads a strided column (decimal128's low words) in place, as
                    # when its bounds are assumed; whole-chunk numpy loops over it would be
                    # several times slower than over a contiguous copy. A list's items
                    # (batchlists.ItemChunk.READS_STRIDED) are read in place too.
                    if not c.k.recording and not v.flags.c_contiguous and not c.READS_STRIDED:
                        contiguous = alloc(len(v), np.int64)
                        np.copyto(contiguous, v)
                        v = contiguous
                if conv.null is not None and conv.null.any():
                    if default is None:
                        bad = mask_or(bad, conv.null)
                    else:
                        k = _const(default)
                        if k.s > s:
                            v, bad = scale_up(v, k.s - s, bad, np)
                            s = k.s
                        fill = k.v * 10 ** (s - k.s)
                        if abs(fill) > _I64:  # not representable at this column's scale:
                            bad = mask_or(bad, conv.null)  # those rows go the scalar way
                            fill = 0
                        v = np.where(conv.null, fill, v)
                lo, hi = _bounds(v, np)
                if lo < 0:  # the scalar converters reject negative numbers
                    bad = mask_or(bad, v < 0)
                top = V.INT_LIMIT * 10**s  # and numbers out of range (values.NUMBER_LIMIT)
                if hi >= top:
                    bad = mask_or(bad, v >= top)
                if bad is not None and bad.any():
                    v = np.where(bad, 0, v)
                    c.flag(bad)
                    lo, hi = minmax(v)
                elif v is conv.v and conv.in_place:  # another try at this chunk reads it no more
                    conv.bounds = (lo, hi)
                return in_unit(Num(v, s, lo, hi))
            if conv.null is not None and conv.null.any():
                if default is None:
                    bad = mask_or(bad, conv.null)
                else:
                    fill = enums.index(default) if kind == "enum" else (
                        day(default) if kind == "date" else bool(default))
                    v = np.where(conv.null, fill, v)
            if bad is not None and bad.any():
                c.flag(bad)
            return v

        return fetch

    # ------------------------------------------------------------ the scalar path

    def _scalar(self, columns: dict[str, Any], rows: Any, outputs: list[str] | None, names: list[str],
                patches: dict[str, dict[int, Any]], errors: dict[int, RuleError]) -> None:
        """Evaluate `rows` one by one with Policy.evaluate and record values or errors."""
        if len(rows) == 0:
            return
        index = arrow_array(rows)
        taken = {name: columns[name].take(index).to_pylist() for name in [*self.needed, *self.given]
                 if name in columns}
        for name, values in taken.items():  # an item's null field is one not given, as a row's null
            if self.specs.get(name, {}).get("kind") == "list":
                taken[name] = [_given_fields(v) for v in values]
        if self.date_column is not None:
            dates = columns[self.date_column].take(index).to_pylist()
        if self.known_column is not None:
            knowns = columns[self.known_column].take(index).to_pylist()
        policy = self.policy
        evaluate = policy.evaluate
        for j, row in enumerate(rows.tolist()):
            data = {name: col[j] for name, col in taken.items() if col[j] is not None}
            on = dates[j] if self.date_column is not None else self.on
            known = knowns[j] if self.known_column is not None else self.known_on
            try:
                result = evaluate(data, on, outputs, known)
            except RuleError as first:
                exc = first
                if outputs is not self.outputs_arg:
                    try:  # the error the full evaluation reports first
                        result = evaluate(data, on, self.outputs_arg, known)
                    except RuleError as full:
                        exc = full
                    else:  # pragma: no cover - a narrower evaluation cannot fail alone
                        for name in self.names:
                            patches[name][row] = result[name]
                        continue
                errors[row] = exc
                if self.strict:
                    return
                continue
            for name in names:
                patches[name][row] = result[name]


def _materialize(value: Any, recorder: Any) -> Any:
    """An output's value with chunk-wide arrays in place of the recorder's registers."""
    from guize.runtime.batchops import Num

    if isinstance(value, Num):
        return Num(recorder.materialize(value.v, alloc), value.s, value.lo, value.hi)
    return recorder.materialize(value, alloc)


def _const(value: Any) -> Any:
    from guize.runtime.batchops import num

    if isinstance(value, int) and type(value) is not int:  # a duration (dates.Period): its months
        value = int(value)
    return num(str(value))


def _nearest(name: str, names: Sequence[str]) -> str | None:
    from guize.runtime.diagnose import nearest_name

    return nearest_name(name, names)


def _at_row(exc: RuleError, row: int) -> RuleError:
    out = type(exc)(f"第 {row + 1} 行：{exc.message}", **{**exc.detail, "row": row + 1})
    return out


# ---------------------------------------------------------------- the entry points


def evaluate_batch(policy: Any, data: Any, on: Any, outputs: Any = None, strict: bool = False,
                   chunk_rows: int = CHUNK_ROWS, block_rows: int = BLOCK_ROWS) -> pa.Table:
    """policy.batch.evaluate(...): see BatchEvaluator.evaluate."""
    evaluator: BatchEvaluator = policy.batch
    return evaluator.evaluate(data, on, outputs, strict, chunk_rows, block_rows)
