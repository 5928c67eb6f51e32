"""The result columns of batch evaluation (guize.runtime.batch.Plan.run): one Arrow array per
output and 「错误」.

Decimals are decimal128 by default: decimal128(38, s) at the places the columnar code computed
(more when a row recomputed by the scalar path needs them). With `decimal64` (evaluate_batch(...,
decimal64=True), `guize run --decimal64`) every decimal output is decimal64(18, p) and every
integer output int64, p fixed by the policy (output_places): the rounding the output is defined
with, or the places every value it can take has. The schema then depends on the policy and the
option only, never on the data, and a result is the int64 the columnar code computed, written
once and contiguous (8 bytes a row, no high words). A row whose value does not fit (more than 18
digits, more places than p: a value the scalar path recomputed) gets its own error in 「错误」,
the row's other outputs null, as any row error.

Split from guize.runtime.batch.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from guize.runtime import ir
from guize.runtime.columns import (
    alloc,
    arrow_array,
    decimal_column,
    from_python,
    string_array,
)
from guize.runtime.errors import EvaluationError, RuleError

DECIMAL_KINDS = ("money", "quantity", "rate", "points")
_I64 = 2**63 - 1
DECIMAL64_DIGITS = 18  # decimal64's largest precision
_D64 = 10**DECIMAL64_DIGITS - 1  # its largest unscaled value


# ---------------------------------------------------------------- the places of an output


def require_decimal64(pa: Any) -> None:
    """Raise a clear error when this pyarrow has no decimal64 (added in pyarrow 19), or cannot yet
    turn one into text (what `guize run` writes to CSV and JSON Lines) or decimal128."""
    usable = hasattr(pa, "decimal64")
    if usable and not _PROBED:
        try:
            import numpy as np  # (not pa.array: it imports pandas when installed, see columns.arrow_array)

            one = pa.Array.from_buffers(pa.decimal64(DECIMAL64_DIGITS, 2), 1,
                                        [None, pa.py_buffer(np.array([125], dtype=np.int64))])
            usable = one.cast(pa.string()).to_pylist() == ["1.25"] and one.cast(pa.decimal128(38, 2)).to_pylist() == [
                Decimal("1.25")]
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            usable = False
        if usable:
            _PROBED.append(True)
    if not usable:
        raise RuleError(f"decimal64 结果需要 pyarrow 19 或更新的版本（当前 {pa.__version__} 没有 decimal64 或对它支持不全）："
                        "请升级 pyarrow，或不用 decimal64 选项（结果为 decimal128）")


_PROBED: list[bool] = []  # require_decimal64 found this pyarrow's decimal64 usable


def _places(d: Decimal | int) -> int:
    if isinstance(d, int):
        return 0
    exp = d.as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def output_places(definitions: dict[str, ir.Definition], specs: dict[str, Any], names: list[str],
                  kinds: dict[str, str]) -> dict[str, int]:
    """Decimal places of each decimal and integer output's decimal64/int64 column, fixed by the
    policy: the output's rounding, or else the most places any value it can take has (read off
    its formula: constants, roundings, + − × of those, choices among them). An output whose
    places the policy does not fix (it reads a decimal input unrounded, or divides without
    rounding) is refused with a clear error naming it."""
    memo: dict[str, int | None] = {}
    fields = {f["name"]: f for s in specs.values() for f in s.get("fields", ())}

    def of_def(name: str) -> int | None:
        if name not in memo:
            memo[name] = None  # (a cycle, which the checker rejects, finds no places)
            d = definitions.get(name)
            if d is None:
                return None
            if d.value_kind == "int":
                memo[name] = 0
            elif d.round is not None:
                memo[name] = _places(d.round[1])
            else:
                memo[name] = of(d.expr)
        return memo[name]

    def of_all(nodes: Any) -> int | None:
        found = [of(x) for x in nodes]
        return None if any(p is None for p in found) else max(found, default=0)  # type: ignore[type-var]

    def of(node: Any) -> int | None:
        match node:
            case ir.Const(value=v):
                return _places(v) if isinstance(v, (Decimal, int)) else 0
            case ir.Input(name=name):
                spec = specs.get(name)
                return 0 if spec is not None and spec["kind"] == "int" else None
            case ir.Field(name=name):
                spec = fields.get(name)
                return 0 if spec is not None and spec["kind"] == "int" else None
            case ir.Ref(name=name) | ir.ItemRef(name=name):
                return of_def(name)
            case ir.Round(quantum=q, as_int=whole):
                return 0 if whole else _places(q)
            case ir.Arith(op=op, left=a, right=b) if op in "+-*":
                x, y = of(a), of(b)
                return None if x is None or y is None else max(x, y) if op in "+-" else x + y
            case ir.Neg(arg=a) | ir.Running(arg=a):
                return of(a)
            case ir.If(then=a, other=b):
                return of_all((a, b))
            case ir.Min(args=args) | ir.Max(args=args):
                return of_all(args)
            case ir.Cond(branches=rows, other=other):
                return of_all([r.value for r in rows] + [other.value])
            case ir.Match(cases=rows, other=other) | ir.Bands(bands=rows, other=other):
                return of_all([r.value for r in rows] + ([] if other is None else [other.value]))
            case ir.Dated(versions=rows):
                return of_all([r.value for r in rows])
            case ir.AtDate(dated=dated):
                return of(dated)
            case ir.Each(body=body) | ir.InMonth(value=body):
                return of(body)
            case ir.Aggregate(func=func, value=value):
                return 0 if func in ("count", "any", "all") else None if value is None or func == "mean" else of(value)
            case ir.Progressive(func=func, scale=scale, base=base):
                while isinstance(scale, ir.Ref) and scale.name in definitions:
                    scale = definitions[scale.name].expr
                if not isinstance(scale, ir.Scale):
                    return None
                rates = of_all([b.value for b in scale.brackets])
                if func == "rate" or rates is None:
                    return rates
                x = of(base)
                bounds = [_places(v) for b in scale.brackets for v in (b.lo, b.hi) if v is not None]
                return None if x is None else max(x, *bounds) + rates
            case ir.Cmp() | ir.And() | ir.Or() | ir.Not() | ir.AsOf():
                return 0
        return None  # a quotient, a call, anything else: not fixed by the policy

    places: dict[str, int] = {}
    loose = []
    for name in names:
        if kinds[name] == "int":
            places[name] = 0
        elif kinds[name] in DECIMAL_KINDS:
            p = of_def(name)
            if p is None or p > DECIMAL64_DIGITS:
                loose.append(name)
            else:
                places[name] = p
    if loose:
        raise RuleError(f"输出{'、'.join(f'「{n}」' for n in loose)}的小数位数不由规则确定（未舍入），不能写成 decimal64："
                        "请在规则中为它写舍入（如「四舍五入到分」），或不计算它（evaluate_batch 的 outputs、guize run 的 --only），或不用 decimal64 选项（结果为 decimal128）",
                        output=loose[0])
    return places


# ---------------------------------------------------------------- assembling a chunk's results


def assemble(plan: Any, n: int, values: dict[str, Any], patches: dict[str, dict[int, Any]],
             errors: dict[int, Any], sinks: dict[str, Any]) -> Any:
    """The chunk's record batch: each output of `plan.names`, then 「错误」. With decimal64, a
    row whose value does not fit joins `errors` (the columns are then built again with it null)."""
    np, pa = plan.np, plan.pa
    while True:
        valid = None
        if errors:
            valid = np.ones(n, dtype=bool)
            valid[list(errors)] = False
        misfits: dict[int, RuleError] = {}
        arrays = [output(plan, name, n, values.get(name), patches[name], valid, errors, sinks.get(name), misfits)
                  for name in plan.names]
        new = {row: exc for row, exc in misfits.items() if row not in errors}
        if not new:
            break
        errors.update(new)
    arrays.append(error_column(n, errors, np, pa))
    return pa.RecordBatch.from_arrays(arrays, names=[*plan.names, "错误"])


def output(plan: Any, name: str, n: int, value: Any, patch: dict[int, Any], valid: Any,
           errors: dict[int, Any], sink: Any, misfits: dict[int, RuleError]) -> Any:
    """One output's column: the columnar `value` (None: every row from `patch`), with the rows the
    scalar path computed (`patch`) put in and the rows in `errors` null."""
    np, pa = plan.np, plan.pa
    from guize.runtime.batchops import EPOCH, Num

    kind = plan.kinds[name]
    for row in errors:
        patch.pop(row, None)
    validity = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    places = None if plan.places is None else plan.places.get(name)
    if name in plan.per_item and (value is None or type(value).__name__ == "ListValue"):  # list column
        if places is not None:
            return list64(plan, name, value, n, patch, errors, misfits)
        from guize.runtime.batchlists import list_output
        return list_output(value, kind, n, patch, errors,
                           lambda v, m: output(plan, name, m, v, {}, None, {}, None, misfits))
    if places is not None:
        return fixed_column(plan, name, value, n, patch, valid, validity, sink, places, misfits)
    if value is None:  # evaluated row by row: build from the Python values
        return from_python(kind, [patch.get(i) for i in range(n)], pa)
    if isinstance(value, Num):
        v = value.v if isinstance(value.v, np.ndarray) else np.full(n, value.v, dtype=np.int64)
        assert v.dtype == np.int64  # INVARIANT: number columns are int64 (day numbers may be int32)
        if kind == "int" and value.s == 0 and all(abs(int(x)) <= _I64 for x in patch.values()):
            if patch:
                v = v.copy()
                for row, x in patch.items():
                    v[row] = int(x)
            return pa.Array.from_buffers(pa.int64(), n, [validity, pa.py_buffer(np.ascontiguousarray(v))])
        return decimal_column(v, value.s, n, patch, validity, np, pa, sink, value.lo)
    if kind == "bool":
        b = value if isinstance(value, np.ndarray) else np.full(n, bool(value))
        if patch:
            b = b.copy()
            for row, x in patch.items():
                b[row] = bool(x)
        return arrow_array(b, validity)
    if kind == "enum":
        codes = value if isinstance(value, np.ndarray) else np.full(n, value, dtype=np.int64)
        if patch:
            codes = codes.astype(np.int64)  # a copy, wide enough for every code
            for row, x in patch.items():
                codes[row] = plan.enums.index(x)
        return string_array(plan.enums).take(arrow_array(codes, validity))
    # dates
    days = value if isinstance(value, np.ndarray) else np.full(n, value, dtype=np.int64)
    days = days.astype(np.int32)
    for row, x in patch.items():
        days[row] = x.toordinal() - EPOCH
    return pa.Array.from_buffers(pa.date32(), n, [validity, pa.py_buffer(days)])


def error_column(n: int, errors: dict[int, RuleError], np: Any, pa: Any) -> Any:
    """「错误」: each row's error message, null for a row without one."""
    if not errors:
        return no_errors(n, pa)
    offsets = np.zeros(n + 1, dtype=np.int32)
    parts = []
    for row in sorted(errors):
        data = errors[row].message.encode("utf-8")
        offsets[row + 1] = len(data)
        parts.append(data)
    np.cumsum(offsets, out=offsets)
    valid = np.zeros(n, dtype=bool)
    valid[list(errors)] = True
    return pa.Array.from_buffers(pa.string(), n, [pa.py_buffer(np.packbits(valid, bitorder="little")),
                                                  pa.py_buffer(offsets), pa.py_buffer(b"".join(parts))])


# The 「错误」 column of a chunk without errors: n nulls, sliced from one array made for the
# largest chunk so far (at most NO_ERRORS_ROWS rows, evaluate_batch's chunk, batch.CHUNK_ROWS:
# 4 MiB of offsets; a larger chunk makes its own) instead of zeroing n + 1 offsets and a
# validity bitmap on every call (~0.2 ms a million rows). Arrow arrays are immutable: the
# tables returned share it safely, across threads too.
NO_ERRORS_ROWS = 1 << 20
_NO_ERRORS: list[Any] = []


def no_errors(n: int, pa: Any) -> Any:
    if n > NO_ERRORS_ROWS:
        return pa.nulls(n, type=pa.string())
    cached = _NO_ERRORS[0] if _NO_ERRORS else None
    if cached is None or len(cached) < n:
        cached = pa.nulls(n, type=pa.string())
        _NO_ERRORS[:] = [cached]
    return cached.slice(0, n)


# ---------------------------------------------------------------- decimal64 and int64 at fixed places


def _misfit(name: str, value: Decimal, places: int, integer: bool) -> EvaluationError:
    from guize.runtime import display

    shown = display.exact(value)
    if integer:
        why = "超出 int64 的范围"
    elif abs(value) >= Decimal(10) ** (DECIMAL64_DIGITS - places):
        why = f"超过 {DECIMAL64_DIGITS} 位有效数字"
    else:
        why = f"小数位多于规则确定的 {places} 位"
    what = "int64" if integer else f"decimal64({DECIMAL64_DIGITS}, {places})"
    return EvaluationError(f"输出「{name}」的值 {shown} 放不进 {what}（{why}）：请不用 decimal64 选项（结果为 decimal128）",
                           output=name, value=shown)


def scaled(x: Any, places: int, limit: int) -> int | None:
    """x × 10**places as an int when that is a whole number within ±limit, else None (exact,
    whatever the number of digits: no decimal context involved)."""
    sign, digits, exp = Decimal(x).as_tuple()
    if not isinstance(exp, int):
        return None
    e = exp + places
    if len(digits) + e > 20:  # (limit < 10**19)
        return None
    whole = int("".join(map(str, digits)) or "0")
    if e >= 0:
        big = whole * int(10**e)
    else:
        big, rest = divmod(whole, 10**-e)
        if rest:
            return None
    if big > limit:
        return None
    return -big if sign else big


def fit(name: str, v: Any, s: int, lo: int, hi: int, places: int, integer: bool, ok: Any,
        misfits: dict[int, RuleError], np: Any) -> tuple[Any, bool]:
    """int64 values at `s` places -> at `places` ((values, whether a new array)); a row whose
    value does not fit (|value| beyond decimal64's 18 digits or int64, places it would lose)
    and `ok` (None: every row) joins `misfits`, its value 0. `lo`, `hi`: bounds of v, which
    spare the checks when they show that every value fits."""
    limit = _I64 if integer else _D64
    k = places - s
    out = None
    if k >= 0:
        top = limit // 10**k
        if -lo > top or hi > top:
            out = (v > top) | (v < -top)
    else:
        out = v % 10**-k != 0  # (then |v // 10**-k| < 10**18: v is int64)
        if not out.any():
            out = None
    bad = None if out is None or not out.any() else out if ok is None else out & ok
    if bad is not None and bad.any():
        for row in np.flatnonzero(bad).tolist():
            misfits.setdefault(row, _misfit(name, Decimal(int(v[row])).scaleb(-s), places, integer))
    if out is not None and out.any():
        v = np.where(out, 0, v)
    if k > 0:
        return v * 10**k, True
    if k < 0:
        return v // 10**-k, True
    return v, out is not None and out.any()


def fixed_column(plan: Any, name: str, value: Any, n: int, patch: dict[int, Any], valid: Any, validity: Any,
                 sink: Any, places: int, misfits: dict[int, RuleError]) -> Any:
    """An output as decimal64(18, places), or int64 for an integer output (see fit)."""
    np, pa = plan.np, plan.pa
    integer = plan.kinds[name] == "int"
    if value is None:  # evaluated row by row
        v, owned = np.zeros(n, dtype=np.int64), True
    else:
        arr = isinstance(value.v, np.ndarray)
        v = value.v if arr else np.full(n, value.v, dtype=np.int64)
        ok = valid  # the rows whose columnar value stands: not errors, not recomputed (their values may be garbage)
        if patch:
            ok = np.ones(n, dtype=bool) if valid is None else valid.copy()
            ok[list(patch)] = False
        v, owned = fit(name, v, value.s, value.lo, value.hi, places, integer, ok, misfits, np)
        owned = owned or not arr or (sink is not None and v is sink[1])
    if patch:
        if not owned:
            v = v.copy()
        limit = _I64 if integer else _D64
        for row, x in patch.items():
            big = scaled(x, places, limit)
            if big is None:
                misfits.setdefault(row, _misfit(name, Decimal(x), places, integer))
            else:
                v[row] = big
    if not v.flags.c_contiguous:
        contiguous = alloc(n, np.int64)
        np.copyto(contiguous, v)
        v = contiguous
    t = pa.int64() if integer else pa.decimal64(DECIMAL64_DIGITS, places)
    return pa.Array.from_buffers(t, n, [validity, pa.py_buffer(v)])


def list64(plan: Any, name: str, value: Any, n: int, patch: dict[int, Any], errors: dict[int, Any],
           misfits: dict[int, RuleError]) -> Any:
    """A per-item output as list<decimal64(18, places)> (list<int64> for integers): the items'
    values, the rows the scalar path recomputed put in, rows in `errors` null; an item that does
    not fit makes its row a misfit."""
    np, pa = plan.np, plan.pa
    from guize.runtime.batchops import Num

    places = plan.places[name]
    integer = plan.kinds[name] == "int"
    t = pa.int64() if integer else pa.decimal64(DECIMAL64_DIGITS, places)
    if value is None:
        offsets = np.zeros(n + 1, dtype=np.int64)
        items = np.zeros(0, dtype=np.int64)
    else:
        e, num = value.items, value.value
        assert isinstance(num, Num)  # INVARIANT: a decimal or integer per-item output is a number column
        offsets = np.asarray(e.offsets, dtype=np.int64)
        v = num.v if isinstance(num.v, np.ndarray) else np.full(e.n, num.v, dtype=np.int64)
        ok = None
        if errors or patch:  # items of rows in error or recomputed: their values do not stand
            bad_rows = np.zeros(n, dtype=bool)
            bad_rows[[*errors, *patch]] = True
            ok = ~np.repeat(bad_rows, np.diff(offsets))
        found: dict[int, RuleError] = {}
        items, _owned = fit(name, v, num.s, num.lo, num.hi, places, integer, ok, found, np)
        if found:
            rows = np.searchsorted(offsets, np.array(list(found)), side="right") - 1
            for row, exc in zip(rows.tolist(), found.values(), strict=True):
                misfits.setdefault(row, exc)
    rows = sorted({*patch, *errors}) if value is not None else list(range(n))
    col = pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), pa.Array.from_buffers(
        t, len(items), [None, pa.py_buffer(np.ascontiguousarray(items))]))
    if not rows:
        return col
    fixed_offsets = [0]
    fixed_items: list[int] = []
    nulls = []
    for row in rows:
        got = None if row in errors else patch.get(row)
        nulls.append(got is None)
        for x in got or ():
            big = scaled(x, places, _I64 if integer else _D64)
            if big is None:
                misfits.setdefault(row, _misfit(name, Decimal(x), places, integer))
            fixed_items.append(big or 0)
        fixed_offsets.append(len(fixed_items))
    fixed = pa.ListArray.from_arrays(
        pa.array(fixed_offsets, type=pa.int32()),
        pa.Array.from_buffers(t, len(fixed_items), [None, pa.py_buffer(np.array(fixed_items, dtype=np.int64))]),
        mask=pa.array(nulls, type=pa.bool_()))
    if value is None:
        return fixed
    index = np.arange(n, dtype=np.int64)
    index[rows] = n + np.arange(len(rows), dtype=np.int64)
    return pa.concat_arrays([col, fixed]).take(arrow_array(index))
