"""One explanation per row of a batch: evaluate_batch(..., explain=…) adds a 「说明」 column and
`guize run --explain FILE` writes a JSON Lines side file, one record per row (files.ExplanationLog).

Each explanation is Policy.explain on the row's inputs and date (the same values the batch
evaluator's row-by-row path passes to evaluate), rendered by guize.runtime.explain; a row whose
evaluation fails has no explanation (its 「错误」 says why).
"""

from __future__ import annotations

import json
from collections.abc import Container, Iterator
from typing import Any

from guize.runtime.errors import RuleError

EXPLAIN_COLUMN = "说明"
FORMATS = ("text", "markdown", "html", "json")


def explain_format(explain: bool | str) -> str | None:
    """The format an `explain` argument asks for: True is text; False/None is none."""
    if explain is True:
        return "text"
    if not explain:
        return None
    if explain not in FORMATS:
        raise RuleError(f"未知的说明格式「{explain}」：应为 {'、'.join(FORMATS)} 之一")
    return str(explain)


def explanations(policy: Any, table: Any, on: Any, outputs: Any, fmt: str,
                 known_on: Any = None, failed: Container[int] = ()) -> Iterator[str | None]:
    """Each row's explanation of `outputs` in `fmt` (None where the row cannot be evaluated,
    or is in `failed`: the rows the batch reported as errors, such as a value decimal64 cannot
    hold); `on` and `known_on` as evaluate_batch takes them (a date, or the name of a column)."""
    names = policy.select_outputs(outputs)
    present = set(table.column_names)
    columns = {n: table.column(n).to_pylist() for n in policy.required_inputs(names) if n in present}
    dates = table.column(on).to_pylist() if isinstance(on, str) and on in present else None
    known = table.column(known_on).to_pylist() if isinstance(known_on, str) and known_on in present else None
    for j in range(table.num_rows):
        if j in failed:
            yield None
            continue
        data = {name: col[j] for name, col in columns.items() if col[j] is not None}
        try:
            exp = policy.explain(data, on=dates[j] if dates is not None else on, outputs=names,
                                 known_on=known[j] if known is not None else known_on)
        except RuleError:
            yield None
            continue
        if fmt == "json":
            yield json.dumps(exp.to_json(), ensure_ascii=False, default=str)
        else:
            from guize.runtime.explain import render

            yield render(exp, fmt, policy.document)


def add_column(policy: Any, data: Any, result: Any, on: Any, outputs: Any, fmt: str, known_on: Any = None) -> Any:
    """`result` (evaluate_batch's table) with a 「说明」 column of each row's explanation."""
    from guize.runtime.batch import ERROR_COLUMN
    from guize.runtime.columns import arrow_modules, to_table

    _np, pa, _pc = arrow_modules()
    failed = set(result.column(ERROR_COLUMN).is_valid().to_numpy(zero_copy_only=False).nonzero()[0].tolist())
    texts = list(explanations(policy, to_table(data), on, outputs, fmt, known_on, failed))
    return result.append_column(pa.field(EXPLAIN_COLUMN, pa.string()), pa.array(texts, pa.string()))
