"""guize against hand-written code on every policy of the corpus: one table of ratios.

    python bench/corpus_bench.py            # `make bench` runs it after run_bench.py
    python bench/corpus_bench.py --quick    # equality only, no timing (tests/test_corpus_bench.py)

For each policy with outputs (policies/xinjiang/*.rule and policies/national/*.rule): a
hand-written baseline (bench/baselines.py for the outpatient rule, bench/corpus_baselines.py for
textile, iit and annual leave, bench/corpus_baselines_national.py for the rest: dates and
periods, year-months, the amended 专项附加扣除 chain with known_on, the local outpatient variant,
and the two list inputs as Arrow list<struct> flattened with offsets) — a Decimal function for
one record, exact integer numpy for columns. Before
anything is timed, guize and the baselines are checked equal: on the corpus' own examples
(the baseline against the values the rule file expects) and on generated inputs (guize's
`evaluate` and `evaluate_batch` against the baselines, row by row, fixed date and a date per
row). Then, in one process, paired and interleaved (`run_bench.paired`: the two sides back to
back on the same records, order alternating, median of the per-round ratios):

* scalar: `Policy.evaluate` on records of JSON-like values (decimals as text) against the
  Decimal function, for the outputs the baseline is chosen for and for all outputs, with one
  date for all records and with a date per record;
* batch: `Policy.evaluate_batch` on a pyarrow Table (decimal money and quantities,
  dictionary-encoded enumerations, date32 date column) against the numpy function on the
  same values as int64 arrays, the same four variants, twice: the headline columns (batch)
  with decimal64 inputs and `evaluate_batch(..., decimal64=True)` — 8 bytes a value, as the
  baseline's int64 —, then (d128) decimal128 inputs and results, evaluate_batch's default
  output type, 16 bytes a value (see "Which format is the headline" below); the d128 rows
  are timed in rounds of three against a second baseline too (b128, bench/arrow_baseline.py:
  the same numpy function reading the same Arrow table and writing decimal128 results);
* memory per row, for each row of the table: the most memory allocated at once by one batch
  evaluation (tracemalloc for numpy and Python objects, Arrow's pool for Arrow buffers),
  divided by the rows: guize's with decimal64 (B/row) and decimal128 (d128 B/row), and the
  baseline's (base B/row).

Where the time goes (cProfile and the kernels' source, this branch; docs/performance.md has
the table and the figures):

* scalar. Per record guize does what the baseline does (read, check and convert each input it
  reads, exact Decimal arithmetic, half-up rounding) plus: the check that every key of the
  record is a declared input (`INPUT_NAMES.issuperset(data)`, ~0.3 µs on textile's 34 inputs,
  8–13 % of the call; the baseline does not check), marking the lazily computed names as not
  yet computed and unpacking the subset flags (~0.2 µs), the tests of the lazy-evaluation memo
  (`x if x is not _U else …`, one per reference reached from more than one place), and the
  call through `Policy.evaluate` (context check, the date's state, the output list: ~0.3 µs,
  which is most of a small rule like annual leave, whose baseline is 0.35 µs in all).
  Before this branch, asking for some outputs (textile's four) converted every input read on a
  branch through the generic reader (`_read` -> `values.read_input` -> `convert` ->
  `to_decimal`: four calls), 55 % of the time; the subset evaluator now prefetches them with the
  inline checks `out_all` uses (7.2 -> 4.6 µs). 累进计算 summed bracket by bracket with a
  context call per operation; it is now x × rate − a quick deduction computed once per scale,
  when the product is exact (iit, all outputs: 5.5 -> 3.0 µs). A date per record over more than
  eleven years of dates recomputed the date's state (window, versions) on every call: the cache
  was 4,096 dates.
  The six policies added later (corpus_baselines_national.py) showed where generic runtime
  helpers cost most: ISO date text through a regular expression (2.3 µs; now
  `date.fromisoformat` for YYYY-MM-DD), whole-number division then rounding through a 34-digit
  Decimal quotient (~2 µs; now `values.div_int`, integer `divmod` where provably equal),
  `months_between`/`add_months` building dates they did not need, and the list evaluators
  (`values.each`, `values.running`, `to_records`: ~5 µs an item against the baseline's 1.5 µs,
  not changed). Annual leave's remaining gap is the call itself (~0.2 µs) and a `Period` object
  built for each duration value (~0.1 µs each) against a 0.45 µs baseline.
  Then (scalar4 branch, cProfile and the generated code): tables and bands of 期间/年龄/年月
  built a Period/Age/YearMonth on every call (`_FUNCS['as_age'](_K2[人员类别])`, a dict look-up
  and a constructor each); they are now wrapped once at import (compiler/timefold.py), a wrapper
  around a value that is already of its type is left out, 年月 + 期间 is one step
  (dates.year_month_add) and each runtime function is bound once per module (retirement
  2.8 -> 2.1). A 期间 input only compared (annual leave's 累计工作时间, 本年度病假累计) stays the
  int it was given as (2.7 -> 1.9). The "date per row" rows met thousands of new dates, each
  costing Policy.env ~1 µs, most of it the validity sentence Window.check wrote and threw away
  for a date in force, plus a KeyError raised and caught; now ~0.3 µs (annual leave, chosen,
  date per row: 5.1 -> 2.6). What is left: `Policy.evaluate` itself (~0.25 µs: the date's
  state, the decimal context check, the output list), the input-name check (~0.1 µs),
  `out_subset`'s flag unpacking for a chosen subset (retirement: ~30 locals, 12 flags), year-
  months as date objects where the baseline uses month indices, and the list evaluators.
  Fixed-point integer money (the issue's suggestion) was not built: reading "1234.50" as
  integer fen is not cheaper than Decimal("1234.50") in C, so it pays only on rules with many
  operations per input.
  Fifth round (scalar5 branch; cProfile, the generated code, and Policy.evaluate timed against a
  direct call of the generated function it picks):
  - the decimal-context check (getcontext and two attribute reads: 0.1-0.15 µs in place, most
    of evaluate's own cost) is skipped for a module in which no Decimal can arise: the compiler
    proves it (compiler/contextfree.py: no decimal input, field, definition or literal, no
    division but values.div_int's, no mean, scale or rounding to a quantum) and writes
    DECIMAL_CONTEXT = False (annual leave, retirement age). A list naming every output, in
    order, runs out_all (no flags to unpack), a missing input then reported as for a list;
  - out_all tested the input names with INPUT_NAMES.issuperset(data), which builds a set of
    the keys on every call (60-80 ns on 5 keys, ~220 ns on 34): where few optional and
    prefetched inputs are read (<= 8, inline_reads.counted_prefetch) the keys read are counted
    after the prefetch and len(data) compared (any other count looks at every key). Annual
    leave's out_all 0.48 -> 0.43 µs; with the context check gone, the call 0.64 -> 0.55;
  - lists: values.to_records converted each field through a plan look-up, a kind test and a
    call (1.2-1.4 µs an item of four fields); the module now has a reader written for the
    list's fields (compiler/itemreads.py: the inline checks of scalar inputs, 0.8 µs), anything
    irregular going to to_records, which gives the same value or error. A per-item definition
    is one loop in the generated function (listgen.each_loop; values.each called the body once
    an item); a 累计 that every evaluation of the body reaches is a local running total advanced
    where the body reaches it (the same additions in the same order as values.running, without
    its call, its dict and list, and the call of its argument); 合计 and 人数 are loops, 人数 of
    every item len(); a 累计 with a Decimal zero counts as Decimal, so the rounding after it is
    an inline quantize. A list function that reads nothing of the generated function around it
    is written once at module level: a nested def is made again with its closure on every call
    (~0.15 µs each; subsistence's 月低保金 alone made two it never used), and in out_subset one
    that only flagged statements use is made only under those flags; a loop keeps its values so
    far in a plain list unless values.running or an item function needs values.Items (a Python
    class: ~0.5 µs to make). Withholding 33-34 -> ~19 µs a record (9 months; 2.6-2.7 -> 1.35-1.40
    of the baseline), subsistence 5.7-7.1 -> 3.5-4.5 (3.3-3.5 -> 2.1, 2.6-2.8 -> 1.6);
  - a policy without dated values keeps no per-date state: a date in force is told by two
    comparisons and its state is (on, None), made on a miss of the (now small) cache; a date
    per record had filled the cache with thousands of dates, and looking them up cost more
    than the state (annual leave, date per record: 2.2-2.4 -> 1.5-1.8). A dated policy's
    path is the cache, as before;
  - a scale finds a base's bracket once for 适用税率, 累进计算 and 速算扣除数 and multiplies once
    (ScaleValue.last, by the base's identity); add_months, year_month_add, add_days and
    period_between are one call each (the common case written out, dates' functions otherwise).
  Measured and not adopted: fixed-point money. On this machine Decimal("1234.50") costs 87 ns
  (115 with the range test), reading it as integer fen with the same validation in Python
  220 ns (int(s.replace(".", "")) alone 92 ns); (d × r).quantize(q) 95 ns against
  (a × b + 5000) // 10000 31 ns, d − d 30 ns against 13. Outpatient reads three amounts and
  does six operations, and its outputs are Decimals again: ~0.3 µs more reading, ~0.25 less
  arithmetic, then three Decimals to build. The 0.7x targets (outpatient, textile) would need
  an engine that does less per input than the hand-written function, which reads each amount
  with Decimal() in C as guize does. What is left, per record: evaluate's own ~0.1 µs and the
  context check ~0.1-0.15 µs (decimal rules); out_subset's flags and the set of the keys for a
  chosen subset (textile's 33 flags, 34 keys: ~0.3 µs); year-months as date objects
  (retirement: four constructions a record where the baseline uses month indices); the list
  reader's dict per item and range tests (0.8 µs an item against the baseline's whole month
  of 1.5 µs).
  Sixth round (scalar7 branch; Policy.evaluate timed against a direct call of the function it
  picks, cProfile, and hand-edited copies of a generated function timed against the generated
  one to see what pays before writing it in the compiler). Calls into the runtime for work of a
  few operations cost more than the work: a Python call is ~0.05-0.1 µs here, and some build
  an object on every call. Now written out in the generated code (compiler/inline_calls.py), each
  with the runtime's function kept for everything outside its common case, so values and
  errors are the function's (tests/test_int_division.py, test_calendar_inline.py: every engine
  agrees, calendar limits and odd inputs included):
  - 向下取整/向上取整 of whole numbers (values.div_int, ~0.15 µs): `a // b`, `-(-a // b)` behind
    div_int's own tests (whole numbers within INT_LIMIT, a divisor not zero; none for a
    constant divisor); retirement's 延迟月数 path had two, severance's 满年数 one;
  - d + N天 (values._add_days built a timedelta on every call, ~0.2 µs): the timedelta is made
    once at import and added while d is N days from the calendar's end (the function beyond).
    Severance reads 离职日期 + 1天 once or twice a record: 1.07 -> 0.91 of the baseline (chosen),
    1.00 -> 0.84 (all outputs);
  - a date input given as 2024-04-26: C's parser in place (values.to_date: a call, then the same
    parser): severance 1.12 -> 1.07, retirement 1.63 -> 1.57;
  - 年份/月份/日 (a lambda each) are the attribute; 年月(d) of a local builds the YearMonth in
    place; date − date is the month difference in place when the day of the month is the same
    or the earlier date's day is earlier (dates.months_between otherwise), a plain int as an
    operand of arithmetic (it became one anyway): retirement 1.65 -> 1.57 (年月 alone 1.60 -> 1.57);
  - 若 x < y 则 y 否则 x (a cap or a floor written out as a condition) computed the repeated
    operand twice: the comparison now keeps it in a temporary (retirement's 最早弹性退休年月:
    add_months twice a record, not four times).
  And a date per record of a dated policy: Policy.env tested every version of every slot for
  each new date (~1.2 µs; eight years of dates are ~2,900, met on the first pass over the
  records). The days on which a version starts or ends or the window opens or closes cut the
  calendar into spans with the same versions: a new date finds its span by bisection and takes
  the versions found for the span's first date (~0.3 µs; tests/test_env_spans.py compares every
  day with the full computation).
  Measured and not adopted: add_months and year_month_add written out as expressions (the
  calendar test, // and % and the constructor in Python cost what the call costs: retirement,
  all outputs, 1.43 with the calls, 1.50 written out); Policy.evaluate as a closure made once
  per policy (no attribute reads: no measurable difference; evaluate's ~0.1-0.25 µs is the
  Python call itself and, for decimal rules, the context check — getcontext() and two attribute
  reads of the C context, ~0.05-0.07 µs, which cannot be cached: a context changes in place);
  out_all checking textile's 31 optional inputs inline instead of a values.prefetch call each
  (out_subset already does): textile all outputs 0.94 -> 0.78 of the baseline, but the module
  grows from 120 to 136 KiB, over the 120 KiB that tests/test_codegen.py allows it (the limit
  stays; raising it is a decision about the generated code's size, not made here).
  What is left, and why (the generated function called directly against the baseline):
  - outpatient (0.7 target): the generated function takes what the hand-written one takes
    (1.62 against 1.64 µs): the same three Decimal(text) in C, the range test of each amount
    (two Decimal comparisons against is_finite and < 0), the count of the keys (the baseline
    does not check names), the result dict; evaluate adds 0.2-0.25 µs. 0.7x would need the
    whole call in ~1.1 µs, the function in ~0.9: 45 % less than the hand-written function
    spends on the same reads, checks and arithmetic, not reachable by removing overhead;
  - textile, chosen outputs (0.7 target): out_subset unpacks 41 flags and sets ~80 locals to
    _U, and checks the 34 keys' names (issuperset, ~0.2 µs) that the baseline never looks at;
  - annual leave (0.35 µs baseline): evaluate's own ~0.08 µs and the function's 0.42;
  - retirement: YearMonth/Age/Period objects built for outputs where the baseline returns
    month indices and ints; the two add_months and year_month_add calls;
  - subsistence and withholding: the list reader converts and checks every field of every item
    (the baseline reads the fields it uses); every engine validates a list input whole when it
    is read, so reading fewer fields would change which errors are raised. Withholding also
    calls _scales.amount per month and makes its list functions (closures) on every call.
  Seventh round (scalar8 branch; paired runs of this script, base and branch alternating, two
  each): out_all called values.prefetch for each optional input only some paths read (textile:
  31 calls, ~0.08 µs each) because the inline checks out_subset wrote (the input's long name
  ten times a block) grew the module from 120 to 136 KiB. The checks are now written with the
  name once (inline_reads.prefetch_number_lines: read into _g, checked, then assigned; a bool,
  int or enumeration in one line, which _U fails), in out_all and out_subset alike: the module
  grows 457 bytes (122,789 -> 123,246; test_codegen's cap 120 -> 124 KiB), textile all outputs
  0.94-0.99 -> 0.76-0.80 of the baseline (12.8 -> 10.4 µs). Then 适用税率, 累进计算 and 速算扣除数
  of a constant excess scale on a base with its own rounding (iit's 应纳税所得额, to 分) are
  written out (compiler/scale_inline.py): for 0 < base < 1E15, bisect in C, the rate, base ×
  rate − the bracket's quick deduction, the deduction, every operation proven exact at compile
  time against the context's precision (the runtime's function otherwise; a call each before,
  ~0.1 µs): iit all outputs 1.14-1.19 -> 1.07-1.13, chosen 0.89-0.93 -> 0.80-0.87. Still each
  output bisects once and 速算扣除数 is rounded on every call: a hand-edited out_all sharing one
  bisect and the rounded deductions took 1.70 µs against 2.38 (about 0.85 of the baseline),
  which needs the bracket shared across statements (the deductions alone rounded at import:
  1.07-1.08 -> 1.05-1.07, within the noise, not adopted). Not done: annual leave (1.40-1.72: evaluate's
  own ~0.1-0.2 µs, and three stores of _U before the prefetch that overwrites them), textile
  chosen outputs (1.25-1.30: out_subset's flags and the keys' set).
  Eighth round (scalar9 branch; hand-edited copies of the generated modules timed against the
  generated ones, paired, then this script's --scalar-only runs, base and branch alternating, two
  each over the corpus and three over iit, annual leave and 2022's special deductions):
  - iit: a third of the records have a zero base (income below the allowance), and a zero went to
    the runtime's three functions (~1.05 µs together: 速算扣除数 of 0 takes the general formula
    x × rate − amount). A zero base is now written out as the runtime computes it: the rate
    scales.rate(scale, 0) gives (found at compile time, the same for every zero; a scale in which 0
    is in no bracket keeps the call and its error), the amount Decimal(0), the deduction x × that
    rate − 0 (the caller's zero, its sign and exponent kept). The statements of a function that
    apply one constant scale to one base on every path (out_all's 适用税率, 应纳税额, 速算扣除数;
    one subset flag's) share one bisect: `_tN = bisect … if 0 < x < bound else None` before the
    first of them (scale_inline.Shares); a statement reached on some paths finds its own. A
    速算扣除数 the definition rounds reads a table of the deductions rounded at import in guize's
    context (one per rounding; the rounding stays for the zero and runtime cases). Hand-edited
    out_all first (the function alone: 2.35 -> 2.10 µs sharing and rounding, 1.60 with the zero
    base too), then in the compiler: all outputs 1.08-1.16 -> 0.79-0.87, chosen 0.79-0.89 ->
    0.76-0.84. tests/test_scale_inline.py: every output alone, in pairs and together against the
    interpreter, as text, for zeros of either sign, bases below zero and beyond the bound, a scale
    starting above 0, each rounding mode, a statement applying the scale twice and one applying it
    on some paths only;
  - out_all and the with_ functions: a lazily computed definition the policy reads in one place
    (outside list constructs, not an output, not 可作输入) is written there without the memo, its
    test, its store and its `= _U` mark (compiler/single_refs.py; annual leave's 事假过多, 病假过多,
    病假界限, special deductions' 婴幼儿照护每月标准); inputs that the prefetch assigns (value or _U)
    are not marked `_U` first; the key count first asks whether every input read is given
    (`len(data) != 5 or a is _U or …`: a test each, no sum; the sum only otherwise); a compared-only
    期间 input is prefetched in one line. Annual leave 9 % faster in a paired run of the two
    modules, special deductions 5 %;
  - a table by bands that follow one another, 其他 covering below the first and above the last, is
    a chain of upper ends, one comparison a band (`0 if x < 12 else 5 if x < 120 else …`), where
    each band tested both its ends (compiler/bandcode.py; annual leave's two tables on 累计工作时间:
    5 % of a call). tests/test_band_chain.py checks every bound, inclusive or not, against the
    interpreter, and that a table with a gap keeps each band's test.
  Corpus (paired runs, two to five each): annual leave all outputs 1.44-1.56 -> 1.27-1.38 (fixed
  date), chosen 1.42-1.66 -> 1.29-1.45; special deductions all outputs, fixed date 0.90-1.02 ->
  0.92-0.97, a date per record 1.06-1.15 -> 1.00-1.10; the rest within the noise (withholding's
  module is byte for byte the same, its 1.38-1.40 -> 1.43-1.47 is the machine).
  Measured and not adopted: Policy.evaluate testing the last date's identity before the cache
  (`on is self._last_env[0]` first, kept for dated policies too): 2-5 % on a fixed date, 2-4 %
  slower with a date per record on a dated policy (the borderline special deductions), within a
  noisy machine's spread either way.
  What is left: annual leave (1.27-1.69): the function is 0.42 µs against the baseline's 0.35
  whole call: reading five inputs, each checked (type and range, the baseline too) and counted
  (the baseline never looks at unknown keys: ~0.05 µs), and evaluate's own ~0.09 µs (the call
  with its four parameters, the date's state, the outputs test). Special deductions with a date
  per record (1.00-1.10): the function is ~0.8 of the baseline; evaluate adds ~0.25-0.3 µs on a
  decimal policy (the context check alone, getcontext() and two attribute reads of the C context,
  ~0.07 µs, cannot be cached: a context changes in place), and a date per record ~0.1 µs more
  (1,826 dates, one state tuple each, against a fixed date's one). 子女教育 multiplies a count by
  1000元 in Decimal where an int product would do (~0.04 µs), not done: the product's type feeds
  is_decimal's callers.
  Eighth round (scalar10 branch; hand-edited copies of the generated functions timed against
  them with process_time, then paired runs of this script, base and branch alternating, two
  each, --scalar-rows 10000 --scalar-rounds 40):
  - a 年月 definition no caller sees (not an output, not 可作输入, not rounded), computed by 年月(d)
    or a table of year-month constants, and used only as a − b of two such, a + n, 年份, 月份, is
    the int year × 12 + month − 1 in the generated function (compiler/ymindex.py): a table of
    indices built at compile time, a − b their difference, a + n built in place within years
    1-9999 (indices 12-119,999; beyond, the runtime's function on the index's YearMonth, so the
    same error). Retirement's 出生年月 had been a YearMonth (~0.16 µs) read through .year/.month
    again by period_between and year_month_add (a call). A year-month computed as such an index
    + n (退休年月, an output) is still built, and the sum's temporary (d_退休年月_月序号) is its
    index, read by 年份 and ± n where the definition is computed on every path; 若 a + n < b + m
    则 … 否则 … between such year-months compares indices and builds one YearMonth (two dates
    and an as_year_month call before);
  - a definition made only of tables by one enumeration input, constants, +, −, ×, rounding to
    a whole number, 最高/最低 and the time wrappers (retirement's 最多延迟月数 = (目标年龄 −
    原法定退休年龄) 每满 1个月) is a table by that input computed at compile time by the
    reference interpreter (compiler/enumfold.py; whole numbers and times only: Decimal
    arithmetic would depend on the caller's context; not folded when a member raises); the
    generator reads it as that table (enumfold.with_tables: its only dependency the input), so
    the tables it was made of are not computed for it; DEFS keep the definition as written;
  - a 期间 definition only used in arithmetic loses its Period wrapper (timefold.arith_defs;
    not when it is the dividend of a division by anything but a table of nonzero constants:
    values.div's error shows the dividend as 1年3个月), and a divisor that is such a table is not
    tested (inline_calls.nonzero_whole). Retirement, the generated function alone, chosen
    outputs: 1.56 -> 1.05 µs against the baseline's 1.19;
  - out_subset tested the input names with INPUT_NAMES.issuperset(data); when every input is
    required and read under one flag, the flag set and len(data) equal to their number prove it
    (inline_reads.names_test): retirement's chosen outputs go through out_subset;
  - the list reader found an unknown field with frozenset.issuperset(item) (~0.06-0.1 µs an
    item); it now counts: the item's keys less its required fields less each optional field
    found must leave none (withholding's reader 8.9 -> 8.3 µs a record of 9 months); a 期间/年龄
    field only compared (subsistence's 年龄 ≥ 60岁) is kept the int given, not an Age made per
    member (~0.13 µs; itemreads.compared_fields; a list sent to to_records holds Ages, which
    compare the same; not a subject of bands, whose error shows the value).
  Measured (ratio ranges of two paired runs): retirement chosen 1.53-1.62 -> 1.00-1.13 (fixed
  date 1.00-1.02), all outputs 1.37-1.50 -> 0.82-0.87; subsistence chosen 2.09-2.10 -> 1.81-1.86,
  all 1.58-1.68 -> 1.41-1.44; withholding 1.37-1.40 -> 1.39-1.43 (the reader's 3 % is within the
  noise). Not done: retirement's chosen outputs with a date per record (1.09-1.13) pay
  Policy.evaluate's new-date path (another branch's this round), and at a fixed date out_subset's
  12 flags and _U stores; 延迟月数's dividend is still tested for a whole number. Withholding
  (~18.5 µs a record): half is the reader (four Decimal(text) and two range comparisons a field,
  a dict an item), then _scales.amount per month (~0.43 µs, 3.9 µs a record; writing the scale
  out per item is scale_inline's territory, another branch's this round, and would reach ~1.25
  only) and three nested list functions made on every call. Subsistence: the reader converts
  all four fields of each member and builds a dict where the baseline reads 月收入; with every
  list validated whole when read, 1.0 needs a reader faster per member than the baseline's one
  field: per-field arrays instead of a dict an item, which changes every list function the
  generator writes (月低保金 alone: the reader, ~2.4 µs a record, already takes what the whole
  baseline takes).
  Ninth round (scalar11 branch; the reader and the loops timed alone with process_time, then
  this script's --scalar-only runs, base and branch alternating, two each): the reader's time
  was the dict an item, not the checks (the same checks keeping 月收入 in a list: 1.3 -> 0.9 µs a
  record of 2.5 members, the baseline's whole read-check-add loop 0.9). A function that uses a
  list input only through len() and loops reading `_L[_i][field]` now reads it as columns
  (compiler/itemcols.py): every field of every item checked in the same order, anything
  irregular still to_records (its result taken apart into the same columns, or its error), only
  the fields its loops read kept, one list each; in out_subset the fields of flagged nested loops
  only under their flags. (items5 branch: decided on the IR before the function is written and
  written by listgen, no longer a rewrite of the generated text; the same figures, paired.) 合计 of a field over every item is then sum(column, zero) (the same
  additions in the same order), and 人数(列表 中 标记) of a per-item 是否 is sum(map(bool, 标记)) (a
  nested loop function made on every call before). A column reader reads the required fields
  first and looks for optional ones only when the item has more keys (any irregular item goes to
  to_records, so the order of the checks does not matter): 月低保金's reader 0.94 -> 0.84 µs, the
  baseline's loop reading 月收入 alone 0.87. Subsistence chosen 1.87-1.88 -> 1.55-1.58, all
  1.42-1.45 -> 1.23-1.27; withholding 1.34-1.37 -> 1.27-1.34 (a dict a month fewer). What is
  left for subsistence's 月低保金: evaluate (~0.3 µs) and out_subset's flags, _U stores and the
  keys' set (~0.25 µs; a single output goes to out_subset: a function of its own per output
  would double the module), the reader's checks of the three fields the baseline never reads;
  for all outputs, out_all's nested per-item function (it reads a local), made on every call.
  Ninth round (scalar12 branch; cProfile, the pieces of withholding's out_all timed alone, and
  hand-edited copies of generated modules timed against them, paired, before writing anything
  in the compiler):
  - withholding's _scales.amount per month (~0.45 µs, 4.3 µs a record) had no inline form: its
    base (累计预扣预缴应纳税所得额) is not rounded, and scale_inline needed a fixed quantum to
    prove x × rate − deduction exact. The generated code now tests x == x.quantize(10**-k)
    (~0.08 µs; k = 9 for the iit table, scale_inline.scale_places) before the inline form (the
    amounts: 4.3 -> 2.8 µs a record); an exact result is the same Decimal in the caller's
    context as in scales' _EXACT, and any other base is the runtime's. 合计 of a per-item
    definition is sum() (a nested function and a Python loop before);
  - Policy.evaluate of a policy with no dated values and no Decimal (annual leave, retirement)
    looked a date per record up in the cache of dated states (always a miss) and stored it as
    the last date; policy._Undated tests a date in force in place (date per record -0.06 µs);
  - a list of outputs within an output's function of its own (retirement's chosen two, without
    延迟月数) went to out_subset (12 flags, 15 _U stores: ~7 %); such a list, when every path
    computes the outputs left out, is now a variant of that function (compiler/listsdrop.py,
    LISTS_WITHIN; a `del` of the others cost as much as the flags).
  Measured and not adopted: hoisting withholding's per-month memo tests out of the loops (<1 %);
  the bracket by comparisons against the constants instead of bisect (a chain 2.3 %, balanced
  0.6 %, depending on the data's brackets); annual leave's two tables on 累计工作时间 sharing one
  band index (2 %). What is left: withholding (~1.2) is half the list reader (another branch's
  this round) plus three per-month loops, each building a tuple, and the quantize test; annual
  leave's function is ~1.1 of the whole baseline: a hand-written function with the same checks
  (every input read with its default, one test of the count and one of all the values) takes
  0.78, the difference the reads (~9 %) and the expression (~12 %), and evaluate adds ~0.05 µs.
  Ninth round (scalar13 branch; Policy.evaluate against a direct call of the function it
  picks, then hand-made copies of out_subset and out_all, made with ast from the module's own
  text, timed against them in paired rounds, then paired runs of this script, base and branch
  alternating, two each, --scalar-only, four other helpers on the 2 vCPUs: load 5-7). What a
  chosen subset paid for: textile's out_subset unpacked 41 flags, stored _U in ~80 locals and
  tested ~40 flags (out_subset alone 4.3 -> 3.6-3.9 µs without them). The compiler cannot know
  which lists a caller asks for, and a function per list is exponential; the runtime can, once
  it has seen one asked often. runtime/specialize.py makes, at the 64th call with one list of
  outputs (a counting wrapper until then; ~5-25 ms once, at most 64 lists a policy), a copy of
  out_subset from the module's own text (the file its code was compiled from, compiled again
  and compared with the module's code object first: another text, no file, anything that
  raises, even a RecursionError in ast on a 700-band chain, leaves out_subset): each flag
  replaced by its value, `if` on constants by the branch taken, the _U marks dropped for names
  nothing reads or that the next statement naming them assigns outright, the result one dict
  in the caller's order (no _in_order wrapper). The same statements in the same order, at the
  same line numbers, in the module's globals: the same values, errors and .rule tracebacks.
  Then two kinds of rewrite, in these copies and in a copy of out_all (made at its 64th call
  when one applies):
  - a generated read of an optional input never raises for a dict of data (a bad value leaves
    _U; the use reads it again through the runtime's reader, which reports it), so a read whose
    every use is in the branch of (… if C else …) taken when C is true is made under `if C:`,
    right after C is assigned, all such reads in one `if`. Textile's 符合享受条件 guards nearly
    every subsidy: a firm that does not qualify (15 % of the records) no longer reads 27 inputs
    (out_all alone: 8.1 -> 3.1 µs for those records). Each read put just before its first use
    instead made qualifying firms slower (10.0 -> 10.95 µs; one `if` after C: 10.0 -> 10.1);
  - (A if C else K).quantize(Q, R) of module constants K, Q, R is A.quantize(Q, R) if C else K
    rounded once (textile's zero subsidies, 17 roundings a record of a firm that does not
    qualify); K1 ± K2, K1 × K2 of constants one constant (0.38 − 0.33, 1 + 20 %); both only when
    exact in guize's context with exponents far within any 28-digit context, kept as _SQn in the
    module's namespace.
  tests/test_specialize.py: every policy of the corpus, outputs=None and ~10 lists each, the
  examples and each with an input left out, a hostile value, an unknown name and a date out of
  force: the copy == out_subset (values as text with types, error class, message, .rule frames)
  == the interpreter; five deliberate breaks (handlers dropped, result values out of order,
  reads under `if not C`, K left unrounded, − folded as +) each fail it. The whole test suite
  with copies made at the first call (_SPECIALISE_AFTER = 1): 2,801 passed, the one failure
  the start-up test's (a single `guize eval` then imports ast, which the threshold avoids).
  Measured (two paired runs each, base -> branch, ratio ranges; textile two more of it alone):
  textile chosen 1.21-1.23 -> 1.00-1.02 (fixed date), 1.27-1.30 -> 1.07-1.10 (a date per
  record); textile all outputs 0.75-0.78 -> 0.69-0.71, 0.77-0.79 -> 0.71-0.73; retirement
  chosen 1.02-1.05 -> 0.89-0.95, 1.10-1.12 -> 1.01-1.03; special deductions chosen (2018, 2022,
  2023, fixed date) 0.85-0.87 -> 0.76-0.81;
  subsistence chosen 1.85-1.88 -> 1.70-1.73; the rest within the noise (withholding's
  1.40-1.45 -> 1.35-1.37 is its baseline's time: its out_all is not copied; retirement all
  outputs, not copied either, 0.78-0.81 -> 0.81-0.83 in these runs and 0.78-0.79 -> 0.79-0.82
  in two more of it alone).
  Measured and not adopted: a lazily computed definition the copy reads in one place inlined
  without its memo (textile chosen: four; the copy with them against without, paired: 0.98-1.00,
  within the noise); the copy's reads of optional inputs dropped, each use reading through the
  runtime's reader (textile chosen 0.98 -> 1.05-1.09: the reader is four calls).
  What is left: textile chosen (4 outputs): the copy is ~3.3 µs against the baseline's ~3.4-3.6:
  the check of the 34 keys' names (INPUT_NAMES.issuperset(data), 0.4 µs here, the fastest form
  in C: data.keys() <= INPUT_NAMES 0.31 against 0.24 µs in isolation), the reads of 15 inputs
  (~1.9 µs; the baseline reads 8-9 when the firm qualifies) and Policy.evaluate (~0.2-0.3 µs).
  0.7x (2.5 µs a call) would need the key check gone, which is an error the interpreter gives.
  Textile all outputs: at the target's edge (evaluate's own ~0.3 µs is 3 %). Outpatient: its
  three outputs are one LISTS function doing the baseline's reads and checks; nothing to fold.
  Tenth round (scalar14 branch): the three rewrites of the scalar13 copies that do not depend on
  the list asked for are now written by the compiler from the IR (compiler/guarded_reads.py:
  an optional input whose every reading statement is `若 C 则 … 否则 …` (or a Cond whose first
  test is C or 非 C) reading it only where C is true, C a definition computed before as a
  statement, is prefetched in `if d_C:` right after C, `else:` marking it _U; compiler/constfold.py:
  +, −, × of constants (literals, constant parameters) where exact in guize's context, a
  definition that is such a constant folded like a constant parameter, a rounding of a constant,
  and a rounded condition with a constant branch rounded branch by branch), in out_all, the with_
  functions and out_subset (there each read under its flag inside the guard, so that a copy for
  some outputs keeps only its own). runtime/specialize.py keeps what depends on the list (flags
  folded, dead _U stores, the result's order); out_all is no longer copied. So every call has
  them, not only from the 64th with one list: textile's out_all as generated, paired against the
  branch point's (load ~8): all records 0.87, firms that do not qualify 0.28, those that do 0.99;
  with_ functions, which were never copied, get the constant roundings too (outpatient's
  统筹基金支付 for a record in hospital: 0.00 without a quantize). Textile's module grows 120,692 ->
  125,174 bytes (test_codegen's cap is 124 KiB). The corpus rows move within the noise (both
  forms ran the same rewrites once copied; docs/performance.md has the paired runs).
  Profiled for the unmet rows (cProfile, the generated function called directly against the
  baseline, hand-edited copies): withholding's out_all is half its list reader (_C0: 2.8 of 6.9 s
  in cProfile's tottime, 3.6 cumulative) and the three per-month loops (_each49 with its inline
  scale and the exact-base test `x == x.quantize(1E-9)`, _each58, _m_each44_c0) made as closures
  on every call; subsistence's with_月低保金 is half its column reader and values.div (~10 %);
  annual leave's out_all is 0.67 µs against the baseline's 0.58 (evaluate adds ~0.12), of which
  the key count (`len(data) != 5 or …`) is ~0.06 (a copy without it 0.63), the two band chains on
  累计工作时间 and the memo tests nothing measurable. The readers and the loops are
  compiler/itemcols, itemreads and listgen (another branch's this round) and the key count is the
  input-name check (another branch's too): not changed here.
* batch. Each chunk's plan is a kernel of numpy calls over 8,192-row blocks (runtime/kernel.py):
  the time is the number of passes and, at about a microsecond each, of calls (calls × blocks).
  What was found and changed (issue 23, profiled with cProfile and a per-line timing of the
  kernels):
  - a date per row fell out of the kernel: 年份(评估日期) read the column's values to find the
    years, so textile's whole chunk ran eagerly as whole-column numpy (each input also scanned
    for its bounds). 年份 of a column of the data is now recorded (its range is read once with
    the chunk's dates), and each row's version of a dated value is computed in the kernel from
    the days versions start on (batchdates.range_versions, batchops.Steps): versions over the
    chunk's range that follow one another without a gap cannot leave a row without a version,
    so no test and no whole-column pass. Textile, date per row, chosen outputs: 1.39 -> 1.10;
  - tables by bands (annual leave's two, textile's, iit's scale) were a test per band (two
    comparisons and an `and`) and a masked copy per value, and the cover test for bands without
    其他. Bands of constants one after another are now one look-up of the band's index (a sum
    of int8 comparisons, several times faster than numpy's branchy searchsorted on a few
    bounds) and a take from a small table; two tables on one input share the index. Annual
    leave: 2.5 -> 1.0;
  - an excess scale (iit) was unrolled to four passes per bracket, twice (累进计算 and
    速算扣除数), plus a test per bracket for 适用税率. It is now base × rate − quick deduction,
    both by the bracket's index (the deductions computed exactly at compile time), which is
    also what the hand-written code does. iit, all outputs: 2.7 -> 1.1;
  - the assumed bound of each number read in place was two calls (a comparison and an `or`);
    it is one bitwise `or` per column and one comparison per block (ASSUMED_MAX = 2**40 - 1);
  - a result held only in a kernel temporary (a look-up, a product not rounded) went to a
    chunk-wide int64 column and was copied into its decimal128 after the kernel; it is copied
    into the decimal128's low words in the kernel (iit: 142 -> 70 bytes a row);
  - blocks of 32,768 rows instead of 8,192: fewer calls, and the fewer temporaries still fit.
  Measured and not adopted: both decimal128 words in one call (right_shift of values[:, None]
  by [0, 63]: numpy loops over the inner length-2 axis, 20x slower than two strided copies);
  each high word written right after its low word (no difference); the last operation
  written straight into the strided low words (slower than a contiguous temporary and a copy).
  What is left: decimal128 inputs read through a stride and decimal128 results (16 bytes a
  row, twice the baseline's int64) written as low words, then high words; the outpatient
  kernel is 31 calls with no call above 8 % of its time; textile's (all outputs) about 177
  calls against some 80 whole-column operations of the baseline, the extra being the 19
  results' two words, the assumed bounds and rescaling to the outputs' decimal places.
  The baseline's own time varied with the allocator (see warm_heap), which is now set.
  Third round (batch4 branch), the policies added later:
  - retirement age (5.7–9.3x): every year-month step went through the calendar (day number ->
    year, month, day -> add months -> day number, datetime64 casts, several passes each).
    Year-months are now month indices inside the columnar code (runtime/batchym.py): 加减期间,
    differences, comparisons and 年份 are one integer operation; the calendar is two look-up
    tables over the chunk's range, read once where a date becomes a year-month and where one
    is written out. The baseline used datetime64 casts too (5x slower than look-ups, guize
    then 0.2x of it): it now uses the same look-up tables, and guize is 1.03–1.11x of that;
  - subsistence (every row went the scalar way, 500–1000x): the unrounded 人均月收入 is an exact
    fraction with a bound on the scalar path's rounding error (runtime/batchratio.py); ×
    家庭人口 cancels the divisor. Households without members (8 % of the data) divide by zero
    only where the quotient is not reached (the right side of 且), so they stay columnar.
    Now 1.5x (all outputs) to 2.6–3.0x (月低保金 alone). What is left: every field of every
    member is converted and checked (as the scalar path does), where the baseline reads only
    月收入; lists are evaluated eagerly (no kernel: whole-column passes); the decimal128 result;
  - withholding (1.25–1.45x): 累计(每月减除费用) built a constant column, summed it and gathered
    each row's start: it is now the constant times the item's place in its row; running sums
    take their bounds from the items' bounds (not two passes); the increments of the running
    maximum skip two copies. Now 1.04–1.25x; the baseline's own time varies 4x between rounds
    on a busy machine, so this row moves more than others.
  Fourth round (issue 23, batch5 branch; per-call timing of the kernels with thread_time):
  - a kernel that overflowed under the assumed bounds (a count × a rate × a standard, as in
    专项附加扣除) fell back to whole-chunk numpy; such a definition is now recorded again with
    narrower bounds for the counts and rates it reads (2**20 - 1), then with the data's bounds
    for its inputs only (special deductions, fixed date: 2.0 -> 1.3–1.5);
  - the evaluator remembers which inputs needed that (BatchEvaluator.learned): textile's
    企业贷款贴息 made every call record its kernel three times (26 -> 4 ms of recording);
  - the bounds read off the data are one pass (the largest value as unsigned; a negative one
    is huge), not a min and a max over a strided column;
  - a decimal128 input read by several calls is copied into a contiguous block buffer once
    (kernel._loads): numpy's strided loops do not vectorise, and a strided block drags its
    high words through the cache. textile, all outputs: kernel 90 -> 72 ms;
  - a mask several products read is converted to int64 once (kernel._masks; the mixed
    bool × int64 loop converts the mask on every call, twice the time of int64 × int64);
    not (not a) is a, and calls whose temporary result is not read are dropped.
  Where the rest goes (textile, all outputs, 1M rows, ~75 ms against the baseline's ~60):
  the decimal128 format itself. Loading 20 decimal128 inputs (16 bytes a row from memory)
  costs ~13 ms, writing 19 decimal128 results ~17 ms (low words, then high words), against
  ~6 and ~8 ms for the baseline's int64 columns: about 16 ms of the gap. Outpatient is the
  same story at small scale (13 ms against 8: ~3 ms of it the decimal128 reads and writes,
  ~1 ms the assumed-bound check the baseline does as four min() passes, ~1 ms outside the
  kernel). A staged write of both words (low and high into a cached (rows, 2) buffer, then
  one contiguous copy) was 17 % faster in isolation and not measurably faster in the
  kernels: not adopted. Blocks of 4,096–65,536 rows: 32,768 stays the best. A number zeroed
  where a sparse condition holds (若 住院期间 则 0元) by a masked copy: np.copyto's `where`
  took 0.8 ms per 1M rows even for 3 % of them, against 0.5 ms for a negation and a product.
  Why kernels at all: whole-column numpy (the baseline's way) streams every temporary through
  memory; 8,192-row blocks keep them in cache, so a kernel with more passes can still tie with
  fewer whole-column passes (outpatient, textile).
  Fifth round (batch6 branch): the format. `evaluate_batch(..., decimal64=True)` (and `guize run
  --decimal64`) writes each decimal output as decimal64(18, p), p fixed by the policy (the
  output's rounding, or the places its constants give: runtime/batchout.output_places), integers
  as int64, and decimal64 inputs are read in place as contiguous int64 (they already were). The
  kernel's last rounding writes straight into the result column, which becomes the Arrow buffer
  as it is: no high words, no strided low words, no copy. Its schema depends on the policy and
  the option only, so that chunks and files agree; a value beyond 18 digits or int64 is its
  row's error. The d64 columns time it against the same int64 baseline: both sides then read
  and write 8 bytes a value. Measured (the full run in docs/performance.md, 1M rows, paired, a
  machine shared with two other helpers): outpatient 13.2 -> 9.3 ms against 8.3 (1.60–1.64 ->
  1.16–1.18), textile all outputs 84.1 -> 52.8 ms against 59.0 (1.32–1.34 -> 0.90–0.91), special
  deductions fixed date 1.20–1.40 -> 0.83–0.92, subsistence all outputs 1.39 -> 1.19–1.26. Not automatic for decimal64 inputs: the result type would then follow the input's
  type, and a policy with an output whose places the policy does not fix would start failing.
  The decimal128 rows are unchanged (the default output type stays decimal128(38, s)).
  Measured and not adopted: decimal128 results in a zeroed buffer (np.zeros), so that no high
  word of a non-negative output is written (textile all outputs 0.96, outpatient 0.96,
  special deductions 1.00 of before: within the noise, and it depends on glibc's heap);
  recording a list's rows into the kernel, the items' sums computed eagerly first as columns
  the kernel reads (subsistence, 月低保金 alone: no measurable change; all outputs: slower,
  since 重点保障对象 reads a row value still being recorded and the chunk is evaluated again);
  a list's temporaries from Arrow's pool (chosen 0.92, all outputs 1.03–1.09).
  What is left with decimal64: outpatient's kernel (26 calls; the assumed-bound check is 4 ors
  and a comparison the baseline does not do, ~1 ms outside the kernel); subsistence's chosen
  output (1.7x): the list is evaluated eagerly (list_input converts and checks all four fields
  of ~2.5M members, ~2 ms, where the baseline reads 月收入 only; the first, recording attempt
  fails on the list every call), and the row sums are whole-column passes.
  Sixth round (batch7 branch; thread_time around each step, per-line timing of the kernels,
  paired runs against the numpy baseline):
  - subsistence, 月低保金 alone (d64 1.76–2.13 before): a chunk reading a list input was never
    recorded (list_input called need_data), so every row value computed from the items' sums
    ran as whole-column numpy, after a recording attempt that failed on every call. Now the
    items' aggregates are computed at once over the flattened items (a cumulative sum and a
    gather: whole-column by nature, as in the baseline) and the row values from them are
    recorded into the kernel like any column. An item that reads a row value still being
    recorded (重点保障对象 reads 符合低保条件) cannot be: NotRecordable(eager) sends that chunk
    eager at once, and the evaluator remembers the set of outputs (learned_eager), so later
    calls do not try again;
  - fields no asked output reads were converted and checked (the scalar path converts every
    field of every item): they are now converted on first read (ItemChunk.field) and the
    unread ones only checked once the chunk is written down (ItemChunk.finish): a boolean
    column without nulls cannot hold a wrong value and is not even converted (2 × 2.5M
    members), any other is converted for its errors and dropped (年龄: one pass). A row with
    a wrong field nobody reads still gets the scalar path's error;
  - 人数 of every item is the lengths themselves (no copy, bounds (0, longest)); 合计 takes its
    bounds from the items' bounds × longest (no min and max pass over the sums); the running
    total is not zeroed first; an item chunk settles its rows only when an item was flagged;
  - a zero divisor under a guard that excludes it flags nothing (家庭人口 = 0 under 家庭人口 > 0:
    batchratio.disjoint reads the chunk's memo of tests), and 标准 × 家庭人口, which both
    人均月收入 < 标准 and 标准 − 人均月收入 need, is made once (batchratio._times): the kernel went
    from 16 calls to 9; a result is written straight into its contiguous column (kernel._direct:
    no copy from a temporary);
  - measured (1M rows, d64, paired): 月低保金 alone 1.76–2.13 -> 1.07–1.29 over four runs
    (around 1.2), all outputs 1.11–1.22 -> 0.94–1.03. Where the rest goes (9.5 ms against 8): the kernel (3.1 ms: 9 calls,
    of which the safe divisor max(家庭人口, 1) and the assumed-bound check are not in the
    baseline), the segment sum (2.4 ms, the baseline's own takes 4), checking 月收入 and 年龄
    (one pass of 0.5 ms each over 2.5M members: the scalar path rejects a negative age, the
    baseline checks nothing), the offsets and lengths (0.5 ms) and ~1.5 ms of fixed costs
    (the chunk's masks, the error column, the Arrow table). Measured and not adopted: the
    cumulative sum block by block into a small buffer (slower: 2.5 against 2.2 ms), offsets
    kept as Arrow's int32 (the gathers by int32 indices are slower: 1.36 against 0.90 ms);
  - decimal128, the default (profiled against decimal64 on the same kernels: the difference
    is the bytes). Outpatient, per block: each decimal128 input is a strided copy into a block
    buffer (0.65 ms per 1M rows against a direct read of 0.35–0.5) and each result was a
    strided write of the low words (0.55 ms) then of the high words (0.3 ms). A non-negative
    result's words are now written at once (kernel.pair_words: the value into the low words
    of a block buffer whose high words stay zero, then one contiguous copy of 16 bytes a row;
    0.8 against 1.1 ms an output in isolation); textile, all outputs (19 results): 1.32–1.34 ->
    1.17–1.20, outpatient 1.58–1.61 -> 1.51 (three results). A signed result (right shift of
    the value for the high words) gained nothing that way (1.28 against 1.26 ms) and is left
    as it was. decimal128(38, s) inputs (pandas, pa.array of Decimals) whose high words are all
    zero are now read in place as decimal128(18, s) is, after one pass over the high words;
    they were copied and each high word compared with the sign (outpatient with (38, 2) inputs:
    2.13 -> 1.83; not a row of the table, whose inputs are (18, s)). Measured and not adopted:
    Arrow's int64 -> decimal128 cast of a contiguous result (5.3 ms per 1M rows, against 1.1
    for the kernel's two strided writes). What is left is the format itself: 16 bytes a value
    read and written where the baseline moves 8.
  Seventh round (batch8 branch; thread_time around each step, the kernels timed line by line
  with each line's minor faults, paired runs against the numpy baseline and against the
  branch's starting point):
  - subsistence, 月低保金 alone (d64), where the time goes (1M rows, 2.5M members, medians of
    20-30 runs): list_input 0.95 ms (offsets to int64, the lengths, the longest), 月收入
    converted and its bounds 0.7, the segment sum 2.3 (cumulative sum 1.0, the gather 0.85,
    the difference 0.2), 年龄 checked 0.75, the kernel 2.5-3.1, ~1 ms of fixed costs (the
    plan, the recording in Python, the masks, the result and the error column); the baseline
    7.5-8. The safe divisor max(家庭人口, 1) was made at every division, though only a
    rounding divides by it: a Ratio's denominator now keeps 0 on the rows of a zero divisor
    (its bounds say so: (0, hi)) and batchratio.safe makes max(d, 1) where a rounding needs
    it (rdiv and the boundary test), once per chunk and column. Comparisons and products
    (人均月收入 < 标准: income < 标准 × 家庭人口) never divide, and the undefined rows are
    flagged or excluded by their guard as before. The kernel: 9 -> 8 calls (~0.3 ms); all
    outputs 163 -> 155 bytes a row. What is left is checking (月收入 and 年龄: a pass over
    2.5M values each, ~1.4 ms, which the scalar path's errors need and the baseline skips)
    and the assumed-bound check of 当地最低生活保障标准 in the kernel;
  - batchratio.disjoint lost a comparison's facts once Chunk.not_ had been asked for the
    negation of its mask (the second entry not_ memoises, "not (not a) is a", replaced the
    comparison in disjoint's map from masks to tests), and did not look through 非 at all: a
    guard 非 (家庭人口 = 0人) 且 … flagged its excluded rows (an and and a flag more, no row
    in error). Now the first test that made a mask wins, 非 of a comparison gives its
    complement and 非 of an 或 the complements of both sides (tests/test_batch_lists_kernel.py);
  - outpatient (26 calls, no call above a tenth of the kernel): the two look-ups by 医院级别
    (基本支付比例, 单次最高支付限额) took 0.75-0.8 ms each per 1M rows (numpy's take converts
    and clips every index), the assumed-bound check 1.5 ms (four calls, but they are the first
    reads of four columns). Look-ups of small non-negative tables by one index are now one
    take of their values packed in bit fields (at most 63 bits in all) and an and or a shift
    each, where each take was (kernel._packed): 0.75 -> 0.2 + 0.2 ms for the pair. Textile's
    kernel (all outputs) has 4 takes instead of 6, annual leave's two band tables one;
  - the very slow runs of the list policies (subsistence d128, 月低保金 alone: a median of
    90-100 ms against 13 in a process of its own) were a reference cycle: a list input's
    ItemChunk held its row chunk (parent) and the row chunk held it among its inputs, so each
    call's arrays (and the plan, the recorder, the converted columns) waited for the next
    garbage collection, and `paired` runs with the collector off (16 rounds at a time). Every
    call then took fresh memory, with page faults on both sides (the baseline's 1,152 a run:
    it lost the warm heap too). The item chunk now holds its parent weakly; no call of any
    policy of the corpus leaves a cycle (tests/test_kernel.py checks outpatient and
    subsistence). Those rows' ratios were noise, and their baselines' times too;
  - an enumeration column given dictionary-encoded (outpatient's 医院级别) had its dictionary's
    few names matched by Arrow's index_in on every call, after building the members' array
    and casting it (~0.3 ms a call); a text column of at most 64 values without nulls (a
    dictionary's) is now matched in Python (~0.1 ms), other spellings, unknown names and
    nulls going the Arrow way as before;
  - a fresh result buffer's first write can cost more than its arithmetic on this machine:
    subsistence's last product, into the 8 MB result from Arrow's pool, took 0.4 ms in some
    runs and 3.7-5.9 ms in others, with under one minor fault a run. The guest's faults are
    not where that time goes (a virtual machine whose freed memory is given back pays the
    host's faults on reuse); it is the same story as the rare very slow run below.
  Measured and not adopted: the bounds of 月收入 read block by block with the cumulative sum
  (blocks of 16K-256K items: 2.0-2.8 against 1.7-2.0 ms for the two passes); a bitwise or
  instead of the unsigned maximum for a check (0.32 against 0.27 ms per 2.5M values); np.take
  instead of fancy indexing for the segment sum's gather (within 5 %); the lengths from the
  int32 offsets (0.49 against 0.43 ms); decimal128 items' low words through Arrow's cast to
  decimal64 (6.4 ms against 1.6 for numpy's strided copy of 2.5M); result buffers from numpy
  (the glibc heap the baseline's arrays come from) instead of Arrow's pool: 0.02-0.04 better
  in paired runs, within the noise, warm or cold heap; bool × constant as a copy to int64 and
  a product (0.19 + 0.1 against 0.35 ms per 1M: a call more for little).
  The rare very slow run (100 ms and more, mostly guize's side; system time, thousands of page
  faults): Arrow's default pool (mimalloc) gives freed large blocks back and the kernel zeroes
  them again on the next use, where the baseline's arrays come from the warm glibc heap. With
  ARROW_DEFAULT_MEMORY_POOL=system (guize's temporaries from that heap too) they are gone
  (subsistence, all outputs: 0.92–0.94, d128 1.11–1.17), but with --cold-heap the system pool is
  worse (outpatient d128 1.9–2.6), so columns.alloc is unchanged: a long-running process would
  need guize to keep its recently freed large blocks itself (not done).
  Eighth round (batch4 helper of the second session; thread_time around each step of
  evaluate_batch and around each line of the kernels, d128 against d64 on the same kernels,
  then the pieces alone on 1M rows; four other jobs on the 2 vCPUs, load 4-8, so the times are
  2-3x a quiet machine's and only their proportions count):
  - where d128's extra time goes, kernel by kernel (ms a call, loaded): outpatient 29 against
    19.5: its three decimal128 inputs each copied from the strided low words into a block
    buffer (~2.0 each; with decimal64 the first operation reads the column, no copy) and the
    three results' pair_words (2.3-3.0 each, against a direct write); textile, all outputs,
    188 against 135: 20 such loads (~40) and 19 pair_words (~49); special deductions, all
    outputs, 31 against 18.5: two loads (5) and three pair_words (9). Outside the kernels the
    only difference is textile's four inputs whose bounds are read (企业贷款贴息's), one max
    over 16 bytes a row each instead of 8; the recording, the conversions and the Arrow
    result are the same in both formats. pair_words alone (1M rows, blocks of 32,768): the
    strided copy into the staging block 0.56 ms, the contiguous copy of 16 bytes a row into
    the result 1.77 ms, where 8 bytes a row take 1.01; np.copyto, ctypes.memmove (glibc) and
    memoryview assignment copy 16 MB in the same time (0.98, 0.99, 0.94 ms): it is memory
    bandwidth, and a decimal128 result has twice the bytes;
  - a list's decimal128 item fields (月收入, withholding's four amounts) were copied out of
    their strided low words into contiguous columns before any use; the items' passes over a
    field are whole-column (its bounds, a segment sum, a few arithmetic steps), each one read
    whatever the layout, and the copy read all 16 bytes and wrote 8 more. They are now read
    in place (ItemChunk.READS_STRIDED), as decimal64 fields already were: 2.5M members'
    月收入 11 -> 7 ms a call, withholding's 9M months 180 -> 75 ms (loaded);
  - a chunk without errors built its 错误 column with pa.nulls (zeroing 4 MB of offsets and a
    bitmap, ~0.2 ms a million rows); it is a slice of one all-null array kept for the
    largest chunk (batchout.no_errors);
  - the second baseline (b128, bench/arrow_baseline.py). The int64 baseline charges guize
    for the format as well as the work. b128 is the same job done by hand in guize's format:
    the same numpy function on the same Arrow table, reading decimal128(18, s) as strided
    int64 views of the low words (no copy: the type says the high word is the sign), the
    dictionary's indices, Arrow's bits unpacked, dates and integers as their buffers, and
    writing each decimal result's (rows, 2) words (the value, then value >> 63; this was the
    fastest whole-column form: np.stack 1.9x, Arrow's cast 3.6x of it), integers, booleans
    and dates as Arrow arrays, in one Table. Copying the low words to contiguous columns
    first was slower on textile (331 against 285 ms) and subsistence (39 against 31),
    faster on outpatient (51 against 55): not done. check_generated compares it with the
    int64 baseline on every check. It takes 1.5-2x the int64 baseline (outpatient: reading
    0.6 ms, the function on strided columns 33 against 26 on int64, writing the three
    results 14.5; loaded). guize's d128 is below 1.0 of it on every row but subsistence's all
    outputs (1.10-1.11), withholding (1.03-1.09) and severance (1.20-1.26: no kernel, the same
    in either format). The issue's target is the int64 ratio, which b128 does not change.
  Measured (this script, --batch-only, the branch's start and the branch one after the other,
  load 7-8; rows move 0.1-0.15 between two runs at such a load, so only the list policies'
  change stands out): subsistence d128 1.33-1.40 -> 1.25-1.27 (d128 B/row 89 -> 66 chosen,
  207 -> 183 all), withholding d128 1.17-1.27 -> 1.12-1.21 (1,115 -> 823 B/row); outpatient
  1.32-1.34 -> 1.33-1.37, textile all outputs 1.59-1.73 -> 1.61-1.68, special deductions
  (2023) all outputs fixed 1.50 -> 1.46 (the noise); every row's memory 2-3 B/row less (错误).
  Then, load 1.7-1.9, outpatient and subsistence alone (--only), start and branch alternating
  twice: subsistence 月低保金 d128 1.35-1.45 -> 1.23-1.48 (one run's 7 rounds still move), its
  b128 ratio 1.04-1.09 -> 0.97-1.03; all outputs d128 1.24-1.33 -> 1.16-1.24; outpatient d128
  1.15-1.43 -> 1.14-1.35 (only 错误 changed there: the noise).
  Measured and not adopted: the last operation writing into the staging block's low words
  (a strided out): numpy's vectorised floor division by a constant needs contiguous arrays
  (4.83 against 2.37 ms an output per 1M rows); into the result's low words, then the high
  words zeroed (2.59 and 4.37 against 2.37); the bounds of a decimal128 column as the
  unsigned maximum of both words, contiguous (0.69 against 0.67 ms for the strided low
  words: memory-bound either way); kernel.put with its negated mask in a kept buffer (~10 %
  of put, 0.2 ms per 1M rows). Already so, from the ideas listed for this round: decimal128
  inputs read as int64 views without a copy (since the sixth round for (18, s) and for
  (38, s) whose high words are zero; a column read by one call of a kernel is read strided
  where it is used, by several copied once per block, and that copy is the read).
  What is left with decimal128: the bytes. Its inputs and results are 16 bytes a value where
  the int64 baseline reads and writes 8, and the kernels' d128 overhead is those copies at
  memory bandwidth; outpatient (three inputs, three results, little arithmetic) and
  subsistence's 月低保金 show it most.
  Which format is the headline. The baseline moves int64 columns, 8 bytes a value; decimal64
  is the same 8 bytes and still an exact decimal type, so the headline columns (batch) time
  decimal64 inputs and results, and the d128 columns print the default beside them. The
  default output type stays decimal128(38, s): decimal64 needs pyarrow 19 or newer, fewer
  readers of Arrow and Parquet know it, it holds 18 digits (an unrounded quotient has 34, and
  then evaluate_batch(..., decimal64=True) refuses the output), and a caller's schema would
  change. With decimal64 (batch8 branch, a busy machine, seven runs) subsistence's 月低保金
  alone is at 1.10–1.26 (the last two, paired with the branch's start: 1.16–1.20 against
  1.24–1.31), outpatient 1.10–1.21 (last two: 1.10–1.15 against 1.15–1.22), severance (not changed, no kernel) 1.10–1.24, the rest at most 1.1; with
  decimal128, outpatient (1.5–1.6), its local example (1.4–1.45), subsistence's 月低保金 alone
  (1.5–1.55), textile's all outputs (1.2–1.3) and special deductions at a fixed date
  (1.18–1.33) are not within 1.2x.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import functools
import gc
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

import arrow_baseline as A  # noqa: E402
import baselines as B  # noqa: E402
import corpus_baselines as C  # noqa: E402
import corpus_baselines_national as N  # noqa: E402
from run_bench import paired, paired3  # noqa: E402

Cols = dict[str, npt.NDArray[Any]]


@dataclasses.dataclass
class Case:
    """One policy and its hand-written baselines."""

    name: str
    path: str
    chosen: tuple[str, ...]  # the outputs of the "chosen outputs" rows
    outputs: tuple[str, ...]  # all the outputs the baselines compute
    scales: dict[str, int]  # output -> scale of the numpy result (0 for integers and dates)
    fixed: datetime.date  # the date of the "fixed date" rows
    window: tuple[datetime.date, datetime.date]  # dates drawn for the "date per row" rows
    make: Callable[[int, int], Cols]  # integer columns
    records: Callable[[Cols], list[dict[str, Any]]]  # the same rows as JSON-like records
    input_scales: dict[str, int]  # decimal inputs: their scale in `make`'s columns
    enums: dict[str, dict[str, int]]  # enumerations: member -> code
    scalar: Callable[[Any, datetime.date, tuple[str, ...]], dict[str, Any]]
    numpy: Callable[[Cols, Any, tuple[str, ...]], dict[str, npt.NDArray[np.int64]]]
    all_ok: bool = True  # False: the generated records lack inputs some outputs need
    dates: tuple[str, ...] = ()  # date inputs (int32 days in `make`'s columns)
    known_on: tuple[datetime.date, ...] = ()  # also checked with each as known_on (amended documents)
    columnar: bool = True  # False: batch may send rows row by row (not asserted); every policy of the corpus is columnar


def _outpatient_records(cols: Cols) -> list[dict[str, Any]]:
    return list(B.to_records(cols))


OUTPATIENT_IN_FORCE = (datetime.date(2024, 4, 26), datetime.date(2029, 4, 25))


def _outpatient_scalar(d: Any, on: datetime.date, outputs: tuple[str, ...]) -> dict[str, Any]:
    if not OUTPATIENT_IN_FORCE[0] <= on <= OUTPATIENT_IN_FORCE[1]:
        raise ValueError("not in force")
    got = B.outpatient_decimal(d)
    return {k: got[k] for k in outputs}


def _outpatient_numpy(c: Cols, on: Any, outputs: tuple[str, ...]) -> dict[str, Any]:
    C.check_in_force(on, *OUTPATIENT_IN_FORCE)
    return B.outpatient_numpy(c)


CASES = [
    Case("outpatient_2024", "policies/xinjiang/outpatient_2024.rule", tuple(B.OUTPUT_KEYS), tuple(B.OUTPUT_KEYS),
         {"起付标准": 2, "支付比例": 4, "统筹基金支付": 2}, datetime.date(2025, 3, 1),
         (datetime.date(2024, 4, 26), datetime.date(2026, 12, 31)), B.make_rows, _outpatient_records,
         {"本次费用": 2, "住院起付线": 2, "本年已支付": 2}, {"医院级别": B.LEVEL_CODES},
         _outpatient_scalar, _outpatient_numpy, all_ok=False),
    Case("textile_2024", "policies/xinjiang/textile_2024.rule", C.TEXTILE_CHOSEN, C.TEXTILE_OUTPUTS,
         dict.fromkeys(C.TEXTILE_OUTPUTS, 2), datetime.date(2024, 10, 8), (C.TEXTILE_START, C.TEXTILE_END),
         C.make_textile, C.textile_records, C.TEXTILE_SCALES, C.TEXTILE_ENUMS, C.textile_decimal,
         C.textile_numpy),
    Case("iit_2019", "policies/national/iit_2019.rule", C.IIT_CHOSEN, C.IIT_OUTPUTS,
         {"应纳税所得额": 2, "适用税率": 4, "应纳税额": 2, "速算扣除数": 2}, datetime.date(2024, 3, 1),
         (C.IIT_START, datetime.date(2030, 12, 31)), C.make_iit,
         lambda cols: C.records_of(cols, C.IIT_SCALES, {}), C.IIT_SCALES, {}, C.iit_decimal, C.iit_numpy),
    Case("annual_leave_2008", "policies/national/annual_leave_2008.rule", C.LEAVE_OUTPUTS, C.LEAVE_OUTPUTS,
         {"年休假天数": 0}, datetime.date(2024, 3, 1), (C.LEAVE_START, datetime.date(2030, 12, 31)), C.make_leave,
         lambda cols: C.records_of(cols, {}, {}), {}, {}, C.leave_decimal, C.leave_numpy),
    Case("severance_2008", "policies/national/severance_2008.rule", N.SEVERANCE_OUTPUTS[1:], N.SEVERANCE_OUTPUTS,
         {"工作年限": 0, "经济补偿月数": 1, "经济补偿": 2}, datetime.date(2024, 6, 1),
         (N.SEVERANCE_START, datetime.date(2030, 12, 31)), N.make_severance,
         lambda cols: N.date_records(cols, N.SEVERANCE_SCALES, {}, N.SEVERANCE_DATES), N.SEVERANCE_SCALES, {},
         N.severance_decimal, N.severance_numpy, dates=N.SEVERANCE_DATES),
    Case("retirement_age_2025", "policies/national/retirement_age_2025.rule", N.RETIREMENT_CHOSEN,
         N.RETIREMENT_OUTPUTS, dict.fromkeys(N.RETIREMENT_OUTPUTS, 0), datetime.date(2025, 3, 1),
         (N.RETIREMENT_START, datetime.date(2035, 12, 31)), N.make_retirement,
         lambda cols: N.date_records(cols, {}, {"人员类别": N.PEOPLE}, ("出生日期",)), {}, {"人员类别": N.PEOPLE},
         N.retirement_decimal, N.retirement_numpy, dates=("出生日期",)),
    *(Case(f"special_deductions_{year}", f"policies/national/special_deductions_{year}.rule", N.DEDUCTION_OUTPUTS[:2],
           N.DEDUCTION_OUTPUTS, dict.fromkeys(N.DEDUCTION_OUTPUTS, 2), datetime.date(2024, 3, 1),
           (first, datetime.date(2026, 12, 31)), N.make_deductions,
           lambda cols: C.records_of(cols, N.DEDUCTION_SCALES, {"赡养身份": N.SUPPORT}), N.DEDUCTION_SCALES,
           {"赡养身份": N.SUPPORT}, functools.partial(N.deductions_decimal, first=first, amendments=amendments),
           functools.partial(N.deductions_numpy, first=first, amendments=amendments),
           known_on=(datetime.date(2022, 1, 15), datetime.date(2022, 6, 1), datetime.date(2023, 3, 1),
                     datetime.date(2023, 9, 1)))
      for year, first, amendments in ((2018, N.DEDUCTION_START, 2), (2022, N.INFANT[0], 1),
                                      (2023, N.RAISED[0], 2))),
    Case("outpatient_local_example", "policies/xinjiang/outpatient_local_example.rule", tuple(B.OUTPUT_KEYS),
         tuple(B.OUTPUT_KEYS), {"起付标准": 2, "支付比例": 4, "统筹基金支付": 2}, datetime.date(2025, 3, 1),
         (N.LOCAL_START, datetime.date(2026, 12, 31)), B.make_rows, _outpatient_records,
         {"本次费用": 2, "住院起付线": 2, "本年已支付": 2}, {"医院级别": B.LEVEL_CODES},
         N.local_outpatient_decimal, N.local_outpatient_numpy, all_ok=False),
    Case("iit_withholding_2019", "policies/national/iit_withholding_2019.rule", N.WITHHOLD_OUTPUTS,
         N.WITHHOLD_OUTPUTS, dict.fromkeys(N.WITHHOLD_OUTPUTS, 2), datetime.date(2024, 12, 31),
         (N.WITHHOLD_START, datetime.date(2030, 12, 31)), N.make_withholding, N.withholding_records,
         {f"各月.{f}": 2 for f in N.WITHHOLD_FIELDS}, {}, N.withholding_decimal, N.withholding_numpy),
    Case("subsistence_allowance_2014", "policies/national/subsistence_allowance_2014.rule", N.ALLOWANCE_CHOSEN,
         N.ALLOWANCE_OUTPUTS, {"家庭人口": 0, "符合低保条件": 0, "月低保金": 2, "重点保障对象": 0, "重点保障人数": 0},
         datetime.date(2024, 6, 1), (N.ALLOWANCE_START, datetime.date(2030, 12, 31)), N.make_allowance,
         N.allowance_records, {"当地最低生活保障标准": 2, "共同生活的家庭成员.月收入": 2}, {}, N.allowance_decimal,
         N.allowance_numpy),
]


# ---------------------------------------------------------------- data in guize's forms


def arrow_table(case: Case, cols: Cols, days: npt.NDArray[np.int32] | None = None, d64: bool = False) -> Any:
    """The integer columns as the pyarrow Table a user passes: decimal128(18, s) for decimals
    (decimal64(18, s) with `d64`: the int64 column itself), dictionary arrays for enumerations,
    date32 for dates, list<struct> for a list input (`NAME[]` offsets and `NAME.FIELD` values),
    plain int64 and bool otherwise; `日期` if `days`."""
    import pyarrow as pa

    def column(name: str, values: npt.NDArray[Any]) -> Any:
        if name in case.input_scales and d64:
            return pa.Array.from_buffers(pa.decimal64(18, case.input_scales[name]), len(values),
                                         [None, pa.py_buffer(np.ascontiguousarray(values, dtype=np.int64))])
        if name in case.input_scales:
            words = np.empty((len(values), 2), dtype=np.int64)
            words[:, 0] = values
            words[:, 1] = values >> 63
            return pa.Array.from_buffers(pa.decimal128(18, case.input_scales[name]), len(values),
                                         [None, pa.py_buffer(words)])
        if name in case.enums:
            return pa.DictionaryArray.from_arrays(pa.array(values.astype(np.int8)), pa.array(list(case.enums[name])))
        if name in case.dates:
            return pa.array(values.astype(np.int32), type=pa.date32())
        return pa.array(values)

    columns: dict[str, Any] = {}
    for name, values in cols.items():
        if name.endswith("[]"):
            head = name[:-2]
            fields = [k for k in cols if k.startswith(head + ".")]
            items = pa.StructArray.from_arrays([column(k, cols[k]) for k in fields],
                                               names=[k.split(".", 1)[1] for k in fields])
            columns[head] = pa.ListArray.from_arrays(pa.array(values.astype(np.int32)), items)
        elif "." not in name:
            columns[name] = column(name, values)
    if days is not None:
        columns["日期"] = pa.array(days, type=pa.date32())
    return pa.table(columns)


def as_ints(case: Case, result: Any, name: str) -> npt.NDArray[np.int64]:
    """A guize result column as int64 at the baseline's scale (decimals exactly rescaled)."""
    import pyarrow as pa

    arr = result.column(name).combine_chunks()
    if pa.types.is_list(arr.type):  # flattened, as the baselines return list outputs
        arr = arr.flatten()
    if pa.types.is_decimal(arr.type) and arr.type.byte_width == 8:  # decimal64: the int64 values
        assert arr.null_count == 0, name
        low = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset:arr.offset + len(arr)]
        high = low >> 63
    elif pa.types.is_decimal(arr.type):
        assert arr.null_count == 0, name
        low = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset * 2::2][:len(arr)]
        high = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset * 2 + 1::2][:len(arr)]
    if pa.types.is_decimal(arr.type):
        assert np.array_equal(high, low >> 63), f"{name}: value beyond 64 bits"
        shift = case.scales[name] - arr.type.scale
        if shift >= 0:
            return low * 10**shift
        assert not (low % 10**-shift).any(), f"{name}: finer than the baseline's scale"
        return low // 10**-shift
    if pa.types.is_date32(arr.type):
        return arr.cast(pa.int32()).to_numpy().astype(np.int64)
    return arr.to_numpy(zero_copy_only=False).astype(np.int64)


def draw_days(case: Case, n: int, seed: int) -> npt.NDArray[np.int32]:
    lo, hi = C.day(case.window[0]), C.day(case.window[1])
    days = np.random.default_rng(seed).integers(lo, hi + 1, n).astype(np.int32)
    days[:: 7] = C.day(case.fixed)
    return days


def as_dates(days: npt.NDArray[np.int32]) -> list[datetime.date]:
    pool: dict[int, datetime.date] = {}  # one object per date, as a caller reading a column has
    return [pool.setdefault(d, C.EPOCH + datetime.timedelta(days=d)) for d in days.tolist()]


# ---------------------------------------------------------------- equality


def check_examples(case: Case, policy: Any) -> tuple[int, int]:
    """The baseline against the values the rule file's examples expect; (checked, skipped)."""
    checked = skipped = 0
    for ex in policy.examples:
        if ex["not_in_force"] or ex["error"]:
            continue
        names = tuple(k for k in case.outputs if k in ex["expects"])
        if not names:
            continue
        known = (ex["known_on"],) if ex.get("known_on") else ()
        try:
            got = case.scalar(ex["inputs"], ex["date"], names, *known)
        except KeyError:  # an input the baseline reads up front but the example leaves out
            skipped += 1
            continue
        for k in names:
            assert got[k] == ex["expects"][k], (case.name, ex["name"], k, got[k], ex["expects"][k])
        checked += 1
    return checked, skipped


_KINDS: dict[str, dict[str, Any]] = {}


def result_kinds(case: Case, policy: Any) -> dict[str, Any]:
    """The Arrow type of each output in guize's default (decimal128) result."""
    if case.name not in _KINDS:
        outputs = case.outputs if case.all_ok else case.chosen
        result = policy.evaluate_batch(arrow_table(case, case.make(50, 1)), case.fixed, outputs=list(outputs))
        _KINDS[case.name] = {k: result.schema.field(k).type for k in outputs}
    return _KINDS[case.name]


def check_generated(case: Case, policy: Any, n: int, seed: int) -> None:
    """guize scalar and batch == the baselines on n generated rows, fixed date and per row
    (and for an amended document, with each of the case's known_on dates)."""
    cols = case.make(n, seed)
    records = case.records(cols)
    days = draw_days(case, n, seed)
    dates = as_dates(days)
    variants = [(False, case.chosen)] + ([(True, case.outputs)] if case.all_ok else [])
    for everything, outputs in variants:
        ask = None if everything else list(outputs)
        for per_row in (False, True):
            for known in (None, *case.known_on):
                extra = () if known is None else (known,)
                for i, r in enumerate(records):
                    on = dates[i] if per_row else case.fixed
                    want = case.scalar(r, on, outputs, *extra)
                    got = policy.evaluate(r, on, ask, known)
                    assert all(want[k] == got[k] for k in outputs), (case.name, i, on, known, r, want, got)
                want_cols = case.numpy(cols, days if per_row else case.fixed, outputs, *extra)
                for d64 in (False, True):  # decimal128 inputs and results; decimal64 inputs and results
                    table = arrow_table(case, cols, days if per_row else None, d64)
                    result = policy.evaluate_batch(table, "日期" if per_row else case.fixed, outputs=ask,
                                                   known_on=known, decimal64=d64)
                    assert result.column("错误").null_count == n, (case.name, "error rows")
                    for k in outputs:
                        assert np.array_equal(as_ints(case, result, k), want_cols[k]), (case.name, k, per_row, known)
                    if not d64:  # the baseline in guize's format (arrow_baseline) on the same table
                        run = A.arrow_numpy(case, list(cols), result_kinds(case, policy))
                        mine = run(table, "日期" if per_row else case.fixed, outputs, *extra)
                        for k in outputs:
                            assert np.array_equal(as_ints(case, mine, k), want_cols[k]), (case.name, k, "arrow")
                    meta = result.schema.metadata or {}
                    assert not case.columnar or b'"rows_scalar": 0' in meta.get(b"guize", b'"rows_scalar": 0'), (
                        case.name, meta)


# ---------------------------------------------------------------- timing


def scalar_ratio(case: Case, policy: Any, outputs: tuple[str, ...], everything: bool, per_row: bool,
                 rounds: int, rows: int) -> tuple[float, float, float, tuple[float, float]]:
    cols = case.make(rows, 13)
    records = case.records(cols)
    dates = as_dates(draw_days(case, rows, 13)) if per_row else [case.fixed] * rows
    pairs = list(zip(records, dates, strict=True))
    chunks = [pairs[i:i + 1000] for i in range(0, len(pairs), 1000)]
    ask = None if everything else list(outputs)
    base = case.scalar

    def run_guize(chunk: list[tuple[dict[str, Any], datetime.date]]) -> None:
        evaluate = policy.evaluate
        for r, on in chunk:
            evaluate(r, on, ask)

    def run_base(chunk: list[tuple[dict[str, Any], datetime.date]]) -> None:
        for r, on in chunk:
            base(r, on, outputs)

    return paired(run_guize, run_base, rounds, chunks)


def batch_ratio(case: Case, policy: Any, outputs: tuple[str, ...], everything: bool, per_row: bool,
                rounds: int, rows: int, d64: bool = False) -> tuple[float, float, float, tuple[float, float]]:
    """guize's batch against the numpy baseline; `d64`: decimal inputs as decimal64 and
    evaluate_batch(..., decimal64=True), 8 bytes a value as the baseline's int64 columns."""
    cols = case.make(rows, 7)
    days = draw_days(case, rows, 7) if per_row else None
    table = arrow_table(case, cols, days, d64)
    on: Any = "日期" if per_row else case.fixed
    base_on: Any = days if per_row else case.fixed
    ask = None if everything else list(outputs)
    for _ in range(3):  # warm: kernels compiled once per shape, both sides' heaps grown
        policy.evaluate_batch(table, on, outputs=ask, decimal64=d64)
        case.numpy(cols, base_on, outputs)
    return paired(lambda _: policy.evaluate_batch(table, on, outputs=ask, decimal64=d64),
                  lambda _: case.numpy(cols, base_on, outputs), rounds)


def batch_ratio128(case: Case, policy: Any, outputs: tuple[str, ...], everything: bool, per_row: bool,
                   rounds: int, rows: int) -> tuple[float, float, float, float, float]:
    """guize's batch with decimal128 inputs and results (the default) against both baselines,
    in rounds of three: the int64 numpy function, and the same function in guize's format
    (arrow_baseline: the same Arrow table in, decimal128 results out). Returns the times of
    guize, the int64 baseline and the Arrow one, and the ratios to each."""
    cols = case.make(rows, 7)
    days = draw_days(case, rows, 7) if per_row else None
    table = arrow_table(case, cols, days)
    on: Any = "日期" if per_row else case.fixed
    base_on: Any = days if per_row else case.fixed
    ask = None if everything else list(outputs)
    mine = A.arrow_numpy(case, list(cols), result_kinds(case, policy))
    for _ in range(3):  # warm, as batch_ratio
        policy.evaluate_batch(table, on, outputs=ask)
        case.numpy(cols, base_on, outputs)
        mine(table, on, outputs)
    return paired3(lambda _: policy.evaluate_batch(table, on, outputs=ask),
                   lambda _: case.numpy(cols, base_on, outputs), lambda _: mine(table, on, outputs), rounds)


def batch_rows(case: Case, rows: int) -> int:
    """The rows of a batch: a policy whose batch goes row by row (not `columnar`) takes ~50 µs a
    row there, so it is timed on at most 20,000 rows (the table scales its times to `rows`)."""
    return rows if case.columnar else min(rows, 20_000)


# Every proxy pool made by peak_bytes, kept alive: an Arrow buffer allocated through a proxy
# frees itself through it, and one that outlives its proxy (a value cached by the run) would
# call into a freed pool (a segmentation fault at the next garbage collection).
_POOLS: list[Any] = []


def peak_bytes(run: Callable[[], Any]) -> int:
    """Most bytes allocated at once by run(): tracemalloc plus Arrow's memory pool."""
    import pyarrow as pa

    gc.collect()
    old = pa.default_memory_pool()
    pool = pa.proxy_memory_pool(old)
    _POOLS.append(pool)
    pa.set_memory_pool(pool)
    tracemalloc.start()
    try:
        result = run()
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        pa.set_memory_pool(old)
    del result
    return int(peak + pool.max_memory())


def memory_per_row(case: Case, policy: Any, outputs: tuple[str, ...], everything: bool, per_row: bool,
                   rows: int, d64: bool = False) -> tuple[float, float]:
    """Peak bytes per row of one batch evaluation (guize, baseline) on `rows` rows, the
    outputs and date of one row of the table (the inputs, made before, are not counted);
    `d64` as in batch_ratio."""
    cols = case.make(rows, 3)
    days = draw_days(case, rows, 3) if per_row else None
    table = arrow_table(case, cols, days, d64)
    on: Any = "日期" if per_row else case.fixed
    base_on: Any = days if per_row else case.fixed
    ask = None if everything else list(outputs)
    policy.evaluate_batch(table, on, outputs=ask, decimal64=d64)
    g = peak_bytes(lambda: policy.evaluate_batch(table, on, outputs=ask, decimal64=d64))
    b = peak_bytes(lambda: case.numpy(cols, base_on, outputs))
    return g / rows, b / rows


# ---------------------------------------------------------------- the allocator


def warm_heap() -> bool:
    """Serve arrays up to 32 MB from the heap and keep freed heap memory (glibc's mallopt).

    By default glibc maps each large array afresh (page faults on first touch) until a freed
    one raises its threshold, so the baseline's time for the same work depended on what ran
    before it: the outpatient baseline took 12–16 ms in the fixed-date rows and 8–9 ms in the
    date-per-row rows. With this, both sides' fresh arrays cost no page faults in every row, as
    in a long-running process. guize's own buffers come from Arrow's pool either way.
    """
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        m_mmap_threshold, m_trim_threshold = -3, -1
        return bool(libc.mallopt(m_mmap_threshold, 32 << 20)) and bool(libc.mallopt(m_trim_threshold, 1 << 30))
    except (OSError, AttributeError):  # not glibc
        return False


# ---------------------------------------------------------------- the table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="check equality only (CI); no timing")
    parser.add_argument("--check-rows", type=int, default=3000)
    parser.add_argument("--scalar-rows", type=int, default=20_000)
    parser.add_argument("--scalar-rounds", type=int, default=60)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of each batch")
    parser.add_argument("--repeat", type=int, default=7, help="paired runs of each batch")
    parser.add_argument("--memory-rows", type=int, default=1_000_000, help="rows of each memory measurement")
    parser.add_argument("--only", action="append", default=[], help="policies to run (by file stem)")
    parser.add_argument("--scalar-only", action="store_true", help="time the scalar rows only (no batch, no memory)")
    parser.add_argument("--batch-only", action="store_true", help="time the batch rows and memory only (no scalar)")
    parser.add_argument("--cold-heap", action="store_true",
                        help="leave glibc's allocator as it is (large arrays mapped afresh; see warm_heap)")
    args = parser.parse_args(argv)
    warm = False if args.cold_heap else warm_heap()
    import guize

    cases = [c for c in CASES if not args.only or c.name in args.only]
    policies = {c.name: guize.load(ROOT / c.path) for c in cases}
    for case in cases:
        policy = policies[case.name]
        checked, skipped = check_examples(case, policy)
        check_generated(case, policy, 300 if args.quick else args.check_rows, seed=2024)
        print(f"{case.name}: guize == baselines on {checked} examples ({skipped} lack an input the baseline "
              f"reads first) and on generated rows, scalar and batch, fixed date and a date per row")
    if args.quick:
        return 0
    # The batch columns: first decimal64 (the headline: 8 bytes a value, as the baseline's int64
    # columns), then decimal128 (evaluate_batch's default output type: 16 bytes a value).
    head = ("policy", "outputs", "date", "scalar µs", "base µs", "ratio", "batch ms", "base ms", "ratio",
            "d128 ms", "base ms", "ratio", "b128 ms", "ratio", "B/row", "d128 B/row", "base B/row")
    rows: list[tuple[str, ...]] = []
    for case in cases:
        policy = policies[case.name]
        variants = [("chosen", case.chosen, False)] + ([("all", case.outputs, True)] if case.all_ok else [])
        for label, outputs, everything in variants:
            for per_row in (False, True):
                s_g = s_b = s_r = float("nan")
                if not args.batch_only:
                    s_g, s_b, s_r, _ = scalar_ratio(case, policy, outputs, everything, per_row,
                                                    args.scalar_rounds, args.scalar_rows)
                b_g = b_b = b_r = d_g = d_b = d_r = a_b = a_r = m_g = m_d = m_b = float("nan")
                if not args.scalar_only:
                    n = batch_rows(case, args.rows)
                    b_g, b_b, b_r, _ = batch_ratio(case, policy, outputs, everything, per_row, args.repeat, n,
                                                   d64=True)
                    d_g, d_b, a_b, d_r, a_r = batch_ratio128(case, policy, outputs, everything, per_row,
                                                             args.repeat, n)
                    m_g, m_b = memory_per_row(case, policy, outputs, everything, per_row,
                                              min(n, args.memory_rows), d64=True)
                    m_d, _m = memory_per_row(case, policy, outputs, everything, per_row, min(n, args.memory_rows))
                rows.append((case.name, f"{label} ({len(outputs)})", "per row" if per_row else "fixed",
                             f"{s_g * 1e3:.2f}", f"{s_b * 1e3:.2f}", f"{s_r:.2f}",
                             f"{b_g * 1e3 * args.rows / batch_rows(case, args.rows):.1f}",
                             f"{b_b * 1e3 * args.rows / batch_rows(case, args.rows):.1f}", f"{b_r:.2f}",
                             f"{d_g * 1e3 * args.rows / batch_rows(case, args.rows):.1f}",
                             f"{d_b * 1e3 * args.rows / batch_rows(case, args.rows):.1f}", f"{d_r:.2f}",
                             f"{a_b * 1e3 * args.rows / batch_rows(case, args.rows):.1f}", f"{a_r:.2f}",
                             f"{m_g:.0f}", f"{m_d:.0f}", f"{m_b:.0f}"))
                print("  ".join(rows[-1]), file=sys.stderr, flush=True)
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]
    for j, r in enumerate((head, *rows)):
        print("  ".join(cell.rjust(w) if i >= 3 else cell.ljust(w) for i, (cell, w) in enumerate(zip(r, widths,
                                                                                                       strict=True))))
        if j == 0:
            print("  ".join("-" * w for w in widths))
    print(f"scalar: µs per record, median of {args.scalar_rounds} paired rounds of 1,000 records; "
          f"batch: ms per {args.rows:,} rows, median of {args.repeat} paired runs; ratio = guize ÷ hand-written.")
    print("batch (the headline): decimal64 inputs and evaluate_batch(..., decimal64=True), 8 bytes a value as the "
          "baseline's int64; d128: decimal128 inputs and results (evaluate_batch's default), 16 bytes a value; "
          "each paired with its own runs of the baseline.")
    print("b128: the d128 rows' second baseline, the same numpy function in guize's format (bench/arrow_baseline.py: "
          "the same Arrow table in, decimal128 low words read in place, decimal128 results out), timed in the same "
          "rounds as d128 and its int64 baseline; its ratio is d128 ÷ b128. The issue's target is the d128 ratio "
          "(against int64 numpy); b128's says how much of that is the format.")
    print("allocator: " + ("large arrays from a warm heap (mallopt, see warm_heap)" if warm
                           else "as it is (large arrays mapped afresh)"))
    if slow := [c.name for c in cases if not c.columnar]:
        print(f"batch of {', '.join(slow)} may go row by row: timed on {min(args.rows, 20_000):,} "
              f"rows and scaled to {args.rows:,}.")
    print(f"B/row (decimal64), d128 B/row: peak bytes allocated at once by one batch evaluation (tracemalloc + "
          f"Arrow's pool; the input table not counted) on the batch's rows, at most {args.memory_rows:,}, divided by "
          "the rows.")
    return 0


if __name__ == "__main__":
    t0 = time.process_time()
    code = main()
    print(f"({time.process_time() - t0:.0f} s CPU)", file=sys.stderr)
    sys.exit(code)
