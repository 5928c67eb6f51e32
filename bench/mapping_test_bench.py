"""What the generated names test's mapping test costs (compiler/inline_reads.mapping_test).

    python bench/mapping_test_bench.py          # about a minute; --rounds for more

`INPUT_NAMES.issuperset(data)` takes any iterable of names, so a list, a text or a set of input
names passed as `data` was evaluated as if it were an empty dict wherever no input was read
before the test (an output reading none; out_subset with no flag of an input set). The names
test now ends in `or not (<the flags of the inputs read>) and data.__class__ is not dict` (just
`or data.__class__ is not dict` in a function that reads no input): a call that reads an input
pays the test of a flag that is set. Each row here evaluates the same records with the module
as generated and with the same text without that tail (the module as it was), paired and
interleaved (bench/run_bench.paired), in the copy made after 64 calls (runtime/specialize.py,
where the flags are constants) and in out_subset itself (no copy).

Figures (2 vCPUs shared with four other jobs, load 4-5; CPU time, median of 40 paired rounds of
1,000 records): see CHANGES.md and the fixes4 report.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus_bench  # noqa: E402
from run_bench import paired  # noqa: E402

from guize.compiler.driver import compile_source, module_from_source, read_source  # noqa: E402
from guize.runtime import policy as P  # noqa: E402

STANDALONE = ("outpatient_2024", "textile_2024", "iit_2019", "annual_leave_2008", "severance_2008",
              "retirement_age_2025")  # compiled alone (the others are merged with their amendments)
TAIL = re.compile(r" or not (?:\([^()]*\)|_n\d+) and data\.__class__ is not dict| or data\.__class__ is not dict")


def policies(path: str, folder: Path) -> tuple[P.Policy, P.Policy]:
    """The policy as generated, and the same without the mapping test's tail."""
    python = compile_source(read_source(path), path).python
    out = []
    for tag, text in (("new", python), ("old", TAIL.sub("", python))):
        file = folder / f"{Path(path).stem}_{tag}.py"
        file.write_text(text, encoding="utf-8")  # (specialize.py reads the module's own text)
        out.append(P.Policy(module_from_source(text, f"bench_{tag}_{Path(path).stem}", str(file))))
    return out[0], out[1]


def row(label: str, new: P.Policy, old: P.Policy, records: list[Any], on: datetime.date,
        outputs: list[str] | None, rounds: int) -> None:
    for policy in (new, old):
        for r in records[:100]:  # past the 64th call: the copy is in place (unless copying is off)
            policy.evaluate(r, on, outputs)

    def run(policy: P.Policy) -> Any:
        evaluate = policy.evaluate
        return lambda chunk: [evaluate(r, on, outputs) for r in chunk]

    chunks = [records[i:i + 1000] for i in range(0, len(records), 1000)]
    t_new, t_old, ratio, (q1, q3) = paired(run(new), run(old), rounds, chunks)
    print(f"{label:44} {t_old / 1000 * 1e6:8.3f} {t_new / 1000 * 1e6:8.3f}   {ratio:.3f} ({q1:.3f}-{q3:.3f})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=40)
    args = ap.parse_args()
    print(f"{'case':44} {'old µs':>8} {'new µs':>8}   new/old (IQR)")
    with tempfile.TemporaryDirectory() as tmp:
        for case in corpus_bench.CASES:
            if case.name not in STANDALONE:
                continue
            new, old = policies(case.path, Path(tmp))
            records = case.records(case.make(4000, 13))
            for label, outputs in (("chosen", list(case.chosen)), ("all", None)):
                if outputs is None and not case.all_ok:
                    continue
                row(f"{case.name} {label}", new, old, records, case.fixed, outputs, args.rounds)
                if outputs is not None:  # out_subset itself, never copied
                    for policy in (new, old):
                        policy._specialised = P._SPECIALISED_LIMIT
                        policy._plans.clear()
                        policy._last = (None, None, None, None)
                    row(f"{case.name} {label}, no copy", new, old, records, case.fixed, outputs, args.rounds)
        # An output that reads no input: the path that pays the class test.
        new, old = policies("tests/golden/good/law_wording.rule", Path(tmp))
        row("law_wording 零点五 (reads no input)", new, old, [{}] * 4000, datetime.date(2025, 3, 1), ["零点五"],
            args.rounds)


if __name__ == "__main__":
    main()
