"""Compile speed and memory on one large synthetic .rule file: 1k, 10k and 50k lines.

    python bench/compile_bench.py                  # 1,000 / 10,000 / 50,000 lines
    python bench/compile_bench.py --lines 200000   # other sizes; --profile for cProfile's top entries
    python bench/compile_bench.py --evaluate       # also the compiled policy's evaluate: every output, five

Targets (issues 22 and 23): check + codegen at least 50,000 lines/s on a large file, no
super-linear step (lines/s about the same at every size), and a 50,000-line file loaded in
at most 300 MB. Each size runs three fresh child processes, so that memory is that file's alone.
What a load (guize.load, `guize eval`, `guize run` before its first batch) costs is counted:
parse, check, codegen and compile() of the module. The columnar module (batchgen) is not part of
a load: it is written when batch is first used (guize.compiler.driver.load_batch, from the module's
own definitions) and cached beside the module; it is timed apart, as "batchgen s" and "batch
compile s", and "+batchgen lines/s" is check + codegen + batchgen (what earlier rounds counted).
* time: the CPU time of each stage (time.process_time: single-threaded work, less disturbed
  than wall time on a busy machine; best of --repeat runs): parse, check, codegen (the scalar
  module), compile (Python's compile() of it, in pieces, as guize.compiler.driver loads it);
  then batchgen and the batch module's compile();
* memory: tracemalloc's peak of Python allocations over one load: "front MB" for parse + check
  + codegen, "compile MB" for compile() above what is then alive, "load MB" the peak of the whole
  load (the 300 MB target); beside it the generated module's size ("batch MB": the columnar one's);
* rss: the process's maximum resident memory over one untraced load (interpreter, imported
  modules and the allocator's slack included).

The file (`synthetic`) repeats a 13-line block of the language's common constructs with fresh
names: an input, a parameter, a table by an enumeration, an output with a condition, a minimum
and maximum, rounding and a citation, and a banded table.

Where the time and memory went (2 vCPU VM shared with other work, Python 3.11, CPU seconds;
docs/performance.md has the tables). Issue 22 measured `guize check` at 0.7 / 3.9 / 18.5 s for
1k / 10k / 50k lines. Before the first compile-speed branch, at 1k / 10k / 50k lines: check +
codegen 14.4k / 12.2k / 5.8k lines/s (super-linear), Python's compile() of the generated modules
38 / 367 / 2,014 MB.
Before this one (main at ca93f16; this VM, load about 5): check + codegen 16.5k / 13.7k / 12.4k
lines/s, front 5 / 53 / 297 MB, load 13 / 56 / 297 MB, RSS 46 / 111 / 437 MB; after it 24.1k /
16.8k / 15.3k lines/s, front 5 / 47 / 239 MB, load 13 / 56 / 280 MB, RSS 46 / 101 / 381 MB.
* Super-linear steps (cProfile at 10k and 50k lines, all removed; each output of the synthetic
  file is independent, so a scan over all outputs per output is quadratic): codegen's closure()
  sorted each output's definitions by scanning the whole order (6.5 s of the 50k profile);
  batchgen copied its constant table, constant lines and enumeration list before every
  definition (to undo an unsupported one) and tested `name in policy.outputs` on the tuple
  (3.8 s), found enumeration codes with list.index, and literals.wrap scanned every break of a
  line for every cut (the 30,000-item DEFS table of batchgen: 23 s); codegen's constant folding
  and out_all's lazy set tested membership in a tuple / list. Now each is a dict, set, count or
  bisection: codegen + batchgen at 50k lines 7.6 -> 3.8 s, and lines/s no longer falls with size
  (left: writing the IR as layout-formatted literals, DEFS, is about half of codegen; splitfn
  about a tenth).
* Memory: Python's compile() builds the whole module's syntax tree before any bytecode, at
  100-180 times the source's size (the deeply nested DEFS literal the worst: 1.4 MB of source,
  253 MB at 10k lines). The module is now compiled a piece of about 32 kB at a time
  (guize.compiler.pieces; the cache keeps a tuple of code objects, which runtime/modcache runs
  in order, and each piece repeats the module's imports so its bytecode is the whole module's),
  DEFS is written 100 definitions a statement, and a function over 200 kB (out_all, out_subset
  of a very large policy) is written as parts of about 32 kB (guize.compiler.splitfn), each a
  function taking and returning the locals it shares: the same statements in the same order.
  compile() at 50k lines: 2,014 -> 123 MB.
  Corpus policies are far below both thresholds: their generated code is byte for byte what it
  was, and so is its bytecode (tests/test_compile_pieces.py).
* Memory of the parse and of splitfn (tracemalloc at 50k lines): Lark's tree was 269 MB, half of
  it lark.tree.Meta objects (a __dict__ of 13 positions a node, 137 MB), and the syntax tree (64 MB)
  was built beside the whole of it: the parse peaked at 336 MB. The tree's nodes are now
  guize.compiler.parsetree.SlotTree (Lark's tree_class), positions in slots, and _ToAst lets go
  of each node's children once converted: parse peak 180 MB. splitfn kept every part's text and,
  for each part, the set of names all later parts mention (quadratic: +114 MB over out_all,
  +146 MB over out_subset); now a part at a time and each name's last part: +18 / +26 MB. The
  whole load peaks at 280 MB (was 300; now at compile(), above what is then alive), RSS 381 MB.
  A Lark inline transformer (transformer= given to the LALR parser, no tree at all) was the other
  way: Lark 1.3 refuses it for callbacks that take positions (apply_visit_wrapper raises for
  v_args(meta=True), which _ToAst's every rule uses) and sets positions only on Tree results, so
  each callback would have to compute its span from its children, container positions included;
  a rewrite of the whole converter, left for a parser of guize's own.
* Fifth round (branch compile5; main at f663fdf and the branch run interleaved, twice each, load
  about 4): check + codegen + batchgen at 10k / 50k lines 14.8k, 10.9k / 13.4k, 13.8k lines/s ->
  22.8k, 22.5k / 21.1k, 21.5k (1k: 28.9k; a later run alone 28.2k / 20.7k / 19.1k); at 50k check 0.74-0.76 -> 0.52-0.54 s, codegen
  2.60-2.71 -> 1.54-1.55 s, batchgen 0.27-0.29 (unchanged), compile() 4.4-4.6 -> 2.6-2.8 s; front
  239 -> 218 MB, load 280 -> 267 MB, generated 29.0 -> 28.1 MB. What changed (CPU s at 50k lines):
  - DEFS of a policy of more than 100 definitions holds each expression as JSON text
    (compiler/defstable.py, ir.encode_text; decoded by ir.decode_expr when the definitions are
    first needed): Python's JSON encoder writes the tuples and texts, a Python call only per node,
    Decimal and date, where the literal's layout took a call per nested tuple: 0.75 -> 0.30 (the
    encoding 0.17 of it). Importing the module builds one string per definition, not every nested
    tuple (compile() -1.0 s, 11 MB less). The corpus keeps the literal: its code is unchanged.
  - timefold's compared_only / compared_defs walked every definition's IR even with no 期间/年龄
    input or definition to look for (0.30), DATED with no dated value (0.09): both skip the walk.
  - check: a number's unit looked up and its types built once per (unit, per) (lower._number),
    and no walk over every statement for 依据 when the file has no 原文 (articles.check): 0.75 -> 0.53.
  - splitfn looks only for words starting as codegen's locals do (i_, d_, _) and for the locals
    of other shapes it has seen assigned (exc, out): the same parts, 0.59 -> 0.55 for both functions.
  - literals.wrap finds a break by bisection in the line's bracket positions (strings blanked
    out) instead of a Python step per space and bracket: the same lines, 0.32 -> 0.22.
  (Left after it: out_subset repeated every statement of out_all under flags.)
* Sixth round (branch compile6; main at fc5546c and the branch run interleaved, twice each, load
  about 2-3): check + codegen + batchgen at 1k / 10k / 50k lines 28.6k, 27.5k / 21.2k, 20.7k /
  19.4k, 19.4k lines/s -> 36.7k, 39.7k / 27.5k, 30.2k / 24.6k, 26.8k (check + codegen alone at 50k
  about 29-32k; an earlier pair before the parse changes: 26.6k, 27.9k at 50k); at 50k parse
  4.29-4.37 -> 3.42-3.55 s, codegen 1.75-1.77 -> 1.03-1.15 s, compile() 2.72-2.86 -> 2.11-2.16 s,
  all stages 5.2k, 5.1k -> 6.5k, 6.8k lines/s, front 218 -> 192 MB, load 267 -> 249 MB, RSS 384 ->
  367 MB, generated 28.1 -> 21.4 MB; check and batchgen unchanged. What changed:
  - a policy of more than codegen.SHARED_ABOVE (100) definitions has its statements written once:
    out_all calls out_subset with every flag set (_ALL_NEED; a missing input every path reads still
    says 「计算全部输出时需要」), and no output has a function of its own (LISTS: each repeated the
    statements of the outputs it is computed from, quadratic in a chain of outputs). Evaluation
    stays lazy, errors and their order the same (tests/test_shared_all.py: the corpus forced
    through it and a large policy, every engine, chosen subsets). The price, for such policies
    only: evaluating every output of the 10k-line file 0.35 -> 0.44-0.45 ms a call (--evaluate,
    interleaved, three runs each: flag tests, every local unset first, the input names checked as
    a set); five outputs unchanged (0.21 ms).
    The corpus is far below the threshold: its code is byte for byte what it was.
  - out_subset's users and reachers straight from strict_needs and dependencies (no sorted lists
    per output), statement() appends a line that fits without calling wrap, hoist() does not scan
    a function with no nested one: the same code.
  - parse: Lark's PropagatePositions, called at every reduction, looked for the first and last
    child with a position through a generator each and read 12 positions by getattr with a
    default (failing and caught for a token): a third of Lark's parse. parsetree.Positions takes
    its place in the parser's callbacks (fast_positions) and reads them directly (a node with a
    position has its container_* too, a token never), returning at once for a one-child rule
    inlined into its child; every node's positions are Lark's (tests/test_parsetree.py, every
    .rule file of the repository). And _ToAst's sp moved to a base class: Lark's class-level
    v_args wrapped it anew (functools.update_wrapper, about 2 us) at each of its calls, nearly one a
    node. Together parse 4.3 -> 3.4-3.55 s at 50k lines.
* Left (CPU s at 50k lines; the module is 13.5 M characters: out_subset 4.4 M, nearly 60% of it
  each input's inline check and conversion, DEFS 6.9 M; the batch module 3.4 M): parse about 3.5 s
  (Lark's feed_token, Positions at every reduction about a tenth, _ToAst about a quarter; not part
  of the target). check + codegen + batchgen is about 25-27k lines/s, not 50k (1.0 s at 50k lines;
  now 1.9): check 0.53 (spread over attrs constructors, types and tables: no
  step above a fifth) and batchgen 0.27 are 0.8 s by themselves; codegen 1.0: out_subset about 0.7
  (statements and their wrapping 0.3, splitfn 0.25, strict_needs of every definition 0.1), DEFS
  0.29 (JSON encoding 0.18 of it). Every stage is linear; what is left is Python's work per node
  and per generated character. Further: each input's check as one call (a call more per input
  when evaluating: for the generated code's speed to decide), a cheaper DEFS form (the runtime's
  decoding with it), and a checker with fewer objects per node.
* Check and batchgen (branch compile8; the stages before it and this branch in one process,
  alternately, nine / fifteen / thirty-one rounds at 50k / 10k / 1k lines, the least of each;
  load about 5): check 0.558 -> 0.397 s at 50k lines, 0.104 -> 0.073 at 10k, 0.009 -> 0.006 at 1k
  (about -29%); batchgen 0.301 -> 0.284, 0.055 -> 0.052, 0.005 -> 0.004 (about -6%). The script
  itself, both interleaved twice: check 0.59, 0.53 -> 0.40, 0.39; batchgen 0.29, 0.28 -> 0.28,
  0.27; check + codegen + batchgen 24.8k, 27.4k -> 26.3k, 28.1k lines/s at 50k (codegen, another
  branch's, unchanged here: 1.0-1.2 s, the runs' noise), load peak 249 -> 243 MB (shared types).
  The target's 1.0 s at 50k lines is not reached: check 0.4 and batchgen 0.28 are 0.68 s alone. Same IR (ids and spans), diagnostics and generated code for every .rule file of the
  repository and a 2,000-line synthetic file. Where check's time went (py-spy, 50k lines):
  building IR nodes (attrs' frozen __init__ sets each slot through object.__setattr__) about a
  quarter, the rest spread over lowering each node, tables, Type objects and per-definition
  bookkeeping. What changed:
  - IR nodes are made by compiler/irmake: a constructor written once per plain node class that
    sets the slots through their descriptors (any class with a validator, converter, default or
    post-init keeps its __init__): the same objects, about 8% of check.
  - _expr finds a node kind's method once per checker (was getattr of "_e_" + the class name at
    every node); a literal's value and type are kept per (text, unit, per), checked digit for
    digit (compare_total); types.join returns its argument when the join is that type, a declared
    type is applied without attrs.evolve (types.replaced), T.num, dim_mul and parse_rounding are
    cached; a definition's type is read before calling _check_def again; constant dicts hoisted.
  - batchgen: the helper imports are found by one search of the written code (three scans of
    every line before), lines that fit skip wrap's call, an input or definition already read
    returns its local at once, tables come first in expr's and kind's matches, a table's value is
    written once a case. Its profile is flat: the match statements' class patterns (about a
    sixth), Names, string building; what is left would need a dispatch by node class instead of
    the match statements, or a per-policy note from the checker that no division or year-month
    occurs (the is_ratio / is_ym probes at every comparison and rounding).
* Seventh round (branch compile7, codegen only; main at 60aeabd and the branch run interleaved,
  twice each, load 5-6, so every number about a tenth high): codegen at 1k / 10k / 50k lines 0.01-0.02
  / 0.20-0.23 / 1.15, 1.15 -> 0.01 / 0.17-0.19 / 1.01, 0.99 s (later, load 2-3, codegen alone on a pickled checked
  policy, main and branch in turn, three rounds of best-of-three: 1k 0.012 -> 0.009-0.010, 10k
  0.183-0.191 -> 0.145-0.152, 50k 1.01-1.15 -> 0.78-0.83 s);
  check + codegen + batchgen 30.7k, 31.7k / 23.5k, 26.9k / 24.2k, 24.5k -> 33.7k, 34.1k / 27.0k, 30.2k
  / 25.0k, 26.3k lines/s; at 50k generated 21.4 -> 19.3 MB, load 249 -> 243 MB, RSS 367 -> 360 MB,
  compile() 2.45-2.52 -> 2.39-2.56 s (unchanged within the noise); check and batchgen unchanged.
  What changed:
  - a large policy (above codegen.SHARED_ABOVE) reads each number input by one call of
    values.quick_number (inline_reads.number_read, prefetch_number_read): two lines an input
    instead of the ten of the inline test (out_subset 4.4 -> 2.65 M characters at 50k), so less for
    statement(), splitfn and compile() to go through. The price, for such policies only
    (evaluate of the 10k-line file, the module of main and of the branch in one process, 41 paired
    rounds): every output 0.443 -> 0.471 ms with Decimal inputs (+6%), 0.491 -> 0.528 with texts,
    0.470 -> 0.493 with ints (30-50 ns for each of its 768 number inputs); five outputs 0.207 ->
    0.210 (within the noise). The corpus is below the threshold: its code is byte for byte what it
    was.
  - DEFS rows of a large policy: the metadata by one repr of the row (per field only for a Decimal
    or a date), broken between fields when too long instead of by wrap, the JSON cut by one
    regular expression (the same pieces); INPUTS rows that fit a line by one repr, and a long
    tuple of leaves or short containers (INPUT_NAMES, OUTPUTS, SUBSET_FLAGS, LINE_MAP) laid out in
    one loop (literals._leaves): the same text.
  - ir.strict_needs tests the commonest nodes first by their exact class (0.094 -> 0.06 s; the
    same sets); wrap blanks string literals only when one may hold a space, a bracket or a quote;
    splitfn takes a statement's size from the characters before each line; codegen.const finds a
    Decimal met before at once; guarded indents each item once. The same code.
* Left (CPU s at 50k lines, this round; the module is 11.7 M characters: out_subset 2.65 M, DEFS
  6.9 M; the batch module 3.4 M): parse about 3.5 s (Lark's feed_token, Positions at every
  reduction about a tenth, _ToAst about a quarter; not part of the target). check + codegen +
  batchgen is about 25-30k lines/s, not 50k (1.0 s at 50k lines; now about 1.8): check 0.55-0.6
  and batchgen 0.28-0.3 are 0.85 s by themselves (the other branch's); codegen about 0.8
  (quiet) of which DEFS about 0.22 (JSON encoding 0.13-0.15 of it: Python's C encoder writing 7 MB,
  the node calls a third), splitfn about 0.15 (its regular expressions over 2.65 M characters two
  thirds), the definitions' statements about 0.13 (expr: a Python call per node), strict_needs
  0.06, statement()/wrap about 0.06, the rest (flags, closure, reachers, INPUTS, LINE_MAP, joins)
  about 0.2. Every stage is linear; what is left is Python's work per node and per generated
  character: 0.45 s would need splitfn told each statement's names by codegen instead of reading
  them back (locals come from Names, temporaries from templates: not done, a missed name is a
  NameError only in large policies), and a DEFS form without a JSON text per definition (the
  runtime's decoding with it).
* Ninth round (branch compile9, codegen only, a short one; main at d1c47d4 and the branch in turn,
  load 1.5-3.5): codegen alone on the pickled checked 50k-line policy, five pairs of best-of-three:
  0.81-1.10 -> 0.74-0.92 s (the branch lower in each pair, by 0.01-0.27: mostly the load's noise;
  what changed is worth about 0.025 s); the JSON encoding of DEFS's 15,380 expressions alone, three
  pairs of best-of-seven: 0.141-0.147 -> 0.117-0.123 s. The script itself, interleaved twice: no
  difference above its noise (codegen 0.84, 0.84 -> 0.83, 0.96 under load). Same text, byte for byte.
  - ir.encode_text makes the C JSON encoder once (json.dumps built a JSONEncoder and a C encoder
    at each of its calls, a sixth of the encoding) and _json_value writes a Const of a Decimal in
    one call instead of two (a quarter of its 169,180 calls at 50k lines were Decimals).
  - Measured, not kept: splitfn's per-name Python steps (the unshaped-name filter, the names later
    parts mention, the nested-def test) done by C iterators and one regular expression: split
    0.17-0.18 s either way. Where split's 0.18 s goes (50k lines, out_subset of 2.7 M characters):
    the word search for locals 0.05, _assigned 0.045 (targets 0.024, walrus 0.005, the set updates
    the rest), blanking strings 0.016, cutting into statements 0.01, the rest per-part sets, sorting
    and writing the parts. Only codegen telling it each statement's names would remove the searches.
  Left: codegen about 0.75-0.8 s quiet at 50k lines (DEFS about 0.22, of which the C encoder's own
  work about 0.07 and _json_value about 0.05; splitfn 0.18; the definitions' statements 0.13;
  strict_needs 0.06); check 0.38 and batchgen 0.25 (other branches'): check + codegen + batchgen
  about 34k lines/s, the target's 50k not reached.
* Batchgen (branch compile10; batchgen alone on a pickled checked policy, main at d1c47d4 and the
  branch in turn, four rounds of best-of-three, load 2-3 helpers): 50k lines 0.259-0.270 ->
  0.230-0.253 s, 10k 0.046-0.053 -> 0.044-0.050 s (about -8% / -4%); in the script itself, both
  interleaved twice, batchgen 0.27, 0.27 -> 0.26, 0.27 and check + codegen + batchgen 31.4k, 31.6k
  -> 31.1k, 30.3k lines/s at 50k: within the runs' noise. The same code for every file. What changed:
  expr finds a node's method by its exact class in a dict (batchgen.BY_KIND; the match statement
  tried each class pattern in turn), and names.Names asks unicodedata.is_normalized instead of
  normalizing and comparing (the same identifiers, tests/test_names.py). A first form of the dict,
  bound methods kept on the generator, made a reference cycle that held the whole generator
  (9 MB at 50k lines) until the end while the compiler pauses the cycle collector: load peak 238 ->
  247 MB in this script, caught by it; the dict is now of plain functions (tests/test_batch.py
  checks the generator is freed with the collector off). Left: batchgen's profile stays flat
  (definition and generate's bookkeeping, emit, match tables, Names, is_ratio / ym probes at every
  comparison and rounding); a checker flag for "no division, no year-month" would save at most a
  few hundredths of a second at 50k lines and was not tried. The target (1.0 s at 50k lines) needs
  check 0.4 + codegen 0.9 + batchgen 0.25 to fall by a third.
* splitfn without reading names back (branch compile11, 2026-12-07 night; 2 vCPU shared by three
  branches, load 4-7, CPU seconds): codegen notes each local as it writes it (compiler/stmtnames:
  codegen.local reads, fresh temporaries, lazy `:=`, statement targets, flags, the templates' _g/_c/
  exc/out) and hands each statement's (bound, read) names to splitfn, which cuts only where codegen
  began a statement and runs no regular expression (the old reader is the tests' oracle:
  tests/splitnames.py; tests/test_split_names.py forces every .rule file of the repository through
  the split and compares each statement's notes with it, and the answers with the interpreter's).
  The same code, byte for byte. Codegen alone on the pickled checked 50k-line policy, main at
  6d6ef69 and the branch in turn, four pairs of best-of-five: 0.75-0.80 -> 0.67-0.71 s (split about
  0.15-0.17 -> 0.05; noting the names costs about 0.02-0.05 of it, measured with splitting off). The
  script itself, interleaved twice: codegen at 50k 0.83, 0.78 -> 0.76, 0.76 s, check + codegen +
  batchgen 34.1k, 36.2k -> 36.1k, 36.8k lines/s (the load's noise is as large); load peak 238 MB and
  codegen's own peak unchanged (the notes are dropped once the function is split: kept, +22 MB).
  Also fixed: a function with nested functions under subset flags (indented 8; splitfn looked for 4)
  was split, its nested function left in one part (a large list policy: NameError for `_each58` in
  iit_withholding forced through the old split). Left at 50k: check + codegen + batchgen about 1.36 s
  against the 1.0 s target; codegen about 0.7 (DEFS 0.2, another branch's; the definitions'
  statements 0.13; splitting 0.05; the notes 0.03).
* DEFS as a table (branch compile12, 2026-12-07 late; main at 6d6ef69 and the branch in turn, the
  script itself twice each, load 4-6): at 50k lines codegen 0.85, 0.91 -> 0.76, 0.75 s, check +
  codegen + batchgen 34.2k, 31.6k -> 36.6k, 37.4k lines/s (10k: 36.4k, 34.4k -> 39.6k, 41.6k),
  compile() 1.81, 2.27 -> 1.70, 1.56 s, load peak 238 -> 235 MB, generated 19.3 -> 19.4 MB.
  defs_lines alone on the pickled checked 50k-line policy, three pairs of best-of-three:
  0.195-0.197 -> 0.147-0.152 s (the script's codegen fell by more: its noise). A policy of more
  than 100 definitions has DEFS = runtime.defstext.Table: every definition's metadata as one
  JSON text and every expression as another (a JSON array of a hundred a line, the C encoder
  called once a line), cut over lines, 300 lines a statement. The per-definition text it
  replaces spent 0.07 s on laying out each metadata row as a literal and cutting each text
  apart; what is left (0.10 s of 0.15) is the JSON encoder itself: 5.2 MB for 127k nodes,
  about 40% of it their ids and spans. Measured, not kept: the whole table in one encoder call (0.135 s
  against 0.11 a line at a time: its pieces of text gathered at once), nodes' spans flattened or
  a Decimal constant under a code of its own (no change), ids and spans apart as a zlib'd
  binary array (0.12: the arrays cost what the JSON saved), a C-level default (a property
  per class: 0.09; Decimal still needs Python), pickle with reducer_override (0.2).
  Loading (fresh processes, main and branch in turn, twice, CPU s at 50k lines): import of the
  cached module 0.056-0.085 -> 0.034-0.048 (no rows built); first evaluate 0.003 (unchanged;
  DEFS not read); first evaluate with a missing input 0.005 -> 0.032-0.036 (its message reads the
  metadata: import + it about equal); Policy.outputs 0.22-0.26 -> 0.26-0.29; first
  Policy.definitions 0.54-0.59 -> 0.27 (ir.decode passes fields positionally and definitions_of
  pauses the cycle collector, which walked the nodes made so far: 40% of the time; read as one
  JSON array the lists of every node at once made it 1.07-1.11); first explain 0.69-0.70 ->
  0.53-0.59; first evaluate_batch 0.92-0.93 -> 0.56-0.58. Corpus policies keep the literal rows:
  their modules are unchanged byte for byte, and so is `guize eval`'s start-up.
* Batch code at the first batch use (branch compile13, 2026-12-08; main at 5afbd18 and the branch
  one after the other, load 6-8, every number about twice the idle one): a load no longer runs
  batchgen (driver.load_batch writes the columnar module from the compiled module's definitions when
  batch is first used, byte for byte batchgen's code from the checked policy, and caches it), and
  this script counts what a load costs (see above). At 50k lines main check 0.71, codegen 1.17,
  batchgen 0.43 s (21.7k lines/s counting all three) -> the branch check 0.85, codegen 1.31 s (23.1k
  lines/s counting what a load does; batchgen 0.57 apart; the branch's run was the more loaded: parse
  7.5 -> 11.4 s); 10k lines 24.1k -> 28.2k lines/s; load peak 235 -> 228 MB, RSS 361 -> 355 MB, the
  module 19.4 -> 14.6 MB (the batch one's 4.8 written at the first batch use). Idle, that is check
  0.38 + codegen 0.72 = 1.10 s at 50k lines (45k lines/s): the 1.0 s target is still about 0.1 s
  away. Left: codegen (py-spy at 50k: DEFS 27%, the JSON encoder itself 16% of it; the definitions'
  statements 24%; splitfn 10%; strict_needs 7%; flags, INPUTS, LINE_MAP and the rest 1-3% each) and
  check (flat: IR nodes about a quarter). Measured, not kept: strict_needs skipping unions with an
  empty set for the commonest nodes (0.155 -> 0.14 s alone, about 0.006 s of codegen). Further
  would need fewer Python steps per node: codegen walks each node to write its statement, again to
  encode DEFS and again for strict_needs.
* the cycle collector is paused while compiling (driver.gc_paused): every full collection walked
  the millions of live parse objects (a third of a 10k-line parse).
Lark's grammar is analysed once per process (not counted: the first parse pays for it, or
reads Lark's cache in guize's cache folder, about 0.05 s instead of 0.4 s).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

HEADER = """文件：
  标题：《合成测试办法》
  文号：测试发〔2024〕1号
  发布机关：测试机关
  发布日期：2024年1月1日
  施行日期：2024年1月1日

类型 级别：一级、二级、三级

输入 级别：级别
"""

BLOCK = """输入 费用{k}：金额  依据 第{n}条
参数 比例{k} = 5%  依据 第{n}条
表 限额{k}：金额 按 级别  依据 第{n}条
  一级：300元
  二级：800元
  三级：1300元
输出 支付{k}：金额，四舍五入到分  依据 第{n}条
  若 费用{k} > 1000元 则 取较小值(费用{k} × 比例{k}，限额{k})
  否则 取较大值(费用{k} - 100元，0元) × 比例{k}
表 补贴{k}：金额 按 费用{k} 分段  依据 第{n}条
  不满2000元：0元
  2000元以上：100元
"""
STEMS = "甲乙丙丁戊己庚辛壬癸"  # names take no digits: block 120 is 乙丙甲


def stem(n: int) -> str:
    return "".join(STEMS[int(d)] for d in str(n))


def synthetic(lines: int) -> str:
    """A valid .rule text of about `lines` lines."""
    per = BLOCK.count("\n") + 1
    blocks = max(1, (lines - HEADER.count("\n")) // per)
    return HEADER + "\n".join(BLOCK.format(n=i + 1, k=stem(i + 1)) for i in range(blocks))


def stages(text: str, path: str, batch: bool = True) -> dict[str, float]:
    """CPU seconds of each stage of one load of `text`, as guize.compiler.driver loads it; with
    `batch`, then of the first batch use's columnar module."""
    from guize.compiler.driver import gc_paused

    with gc_paused():  # as guize.compiler.driver compiles
        return _stages(text, path, batch)


def _stages(text: str, path: str, batch: bool) -> dict[str, float]:
    from guize.compiler import batchgen, codegen, parser
    from guize.compiler.checker import check
    from guize.compiler.pieces import compile_module

    t0 = time.process_time()
    tree = parser.parse(text, path)
    t1 = time.process_time()
    checked = check(tree, text)
    del tree  # as driver.check_source: the tree is not kept
    assert not [d for d in checked.diagnostics if d.severity == "error"], checked.diagnostics[:3]
    t2 = time.process_time()
    python = codegen.generate(checked, path)
    t3 = time.process_time()
    compile_module(python, path)  # in pieces, as driver.load_module
    t4 = time.process_time()
    if not batch:
        return {}
    # Not part of a load: the columnar module is written and compiled when batch is first used
    # (driver.load_batch, from the module's definitions: the same code as from the checked policy).
    columnar = batchgen.generate(checked)
    t5 = time.process_time()
    compile_module(columnar, path)
    t6 = time.process_time()
    return {"parse": t1 - t0, "check": t2 - t1, "codegen": t3 - t2, "compile": t4 - t3, "batchgen": t5 - t4,
            "batch_compile": t6 - t5}


def memory(text: str, path: str) -> dict[str, float]:
    """tracemalloc's peaks (MB) over one load: parse + check + codegen, then the whole load with
    Python's compile() of the generated module; and the generated module's size (the columnar
    one, written at the first batch use, beside it)."""
    from guize.compiler import batchgen, codegen, parser
    from guize.compiler.checker import check
    from guize.compiler.driver import gc_paused
    from guize.compiler.pieces import compile_module

    gc.collect()
    tracemalloc.start()
    with gc_paused():
        tree = parser.parse(text, path)
        checked = check(tree, text)
        del tree
        source = codegen.generate(checked, path)
        front = tracemalloc.get_traced_memory()[1]
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        compile_module(source, path)
        back = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"peak_mb": front / 2**20, "load_peak_mb": max(front, back) / 2**20,
            "compile_peak_mb": (back - base) / 2**20, "generated_mb": len(source.encode()) / 2**20,
            "batch_mb": len(batchgen.generate(checked).encode()) / 2**20}


def evaluate(text: str, repeat: int) -> dict[str, float]:
    """CPU milliseconds of one evaluate of the compiled policy (best of `repeat` rounds of 20):
    every output (out_all), and five of them (out_subset with its flags)."""
    from decimal import Decimal

    import guize
    from guize.compiler.driver import compile_source, module_from_source

    module = module_from_source(compile_source(text, "synthetic.rule").python, "synthetic_rule", "synthetic.py")
    policy = guize.Policy(module)
    data: dict[str, object] = {n: Decimal(1500) for n in module.INPUT_NAMES if n != "级别"}
    data["级别"] = "二级"
    out = {}
    for label, asked in (("all_ms", None), ("five_ms", list(module.OUTPUTS[10:15]))):
        best = float("inf")
        for _ in range(repeat):
            t0 = time.process_time()
            for _ in range(20):
                policy.evaluate(data, "2024-06-01", asked)
            best = min(best, (time.process_time() - t0) / 20 * 1000)
        out[label] = best
    return out


def child(lines: int, repeat: int, profile: bool, mode: str) -> None:
    from guize.compiler import parser

    text = synthetic(lines)
    parser.parse(HEADER, "warm.rule")  # Lark's grammar analysis, once per process
    out: dict[str, float] = {"lines": text.count("\n") + 1}
    if mode == "evaluate":
        out.update(evaluate(text, max(repeat, 5)))
    elif mode == "memory":
        out.update(memory(text, "synthetic.rule"))
    elif mode == "rss":  # one load, nothing traced: the process's maximum resident memory
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        stages(text, "synthetic.rule", batch=False)
        out.update(rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, rss_start_mb=before)
    else:
        if profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            stages(text, "synthetic.rule")
            prof.disable()
            pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(25)
        for _ in range(repeat):
            gc.collect()
            for k, v in stages(text, "synthetic.rule").items():
                out[k] = min(out.get(k, v), v)
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="cProfile one compile of each size (stderr)")
    ap.add_argument("--evaluate", action="store_true", help="also time the compiled policy's evaluate (ms a call)")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--mode", default="time", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.repeat, args.profile, args.mode)
        return
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH"))
                                                      if p)}
    print(f"{'lines':>7}  {'parse s':>7}  {'check s':>7}  {'codegen s':>9}  {'compile s':>9}  "
          f"{'check+gen lines/s':>17}  {'all lines/s':>11}  {'front MB':>8}  {'compile MB':>10}  "
          f"{'load MB':>7}  {'generated MB':>12}  {'RSS MB':>6}  {'batchgen s':>10}  {'batch compile s':>15}  "
          f"{'batch MB':>8}  {'+batchgen lines/s':>17}" + ("  all ms  five ms" if args.evaluate else ""))
    for n in args.lines:
        r: dict[str, float] = {}
        for mode in ("time", "memory", "rss", *(("evaluate",) if args.evaluate else ())):
            cmd = [sys.executable, __file__, "--child", str(n), "--repeat", str(args.repeat), "--mode", mode]
            out = subprocess.run(cmd + (["--profile"] if args.profile and mode == "time" else []), env=env,
                                 check=True, stdout=subprocess.PIPE, text=True).stdout
            r.update(json.loads(out.strip().splitlines()[-1]))
        lines = r["lines"]
        gen = r["check"] + r["codegen"]
        total = r["parse"] + gen + r["compile"]
        print(f"{lines:>7,.0f}  {r['parse']:>7.2f}  {r['check']:>7.2f}  {r['codegen']:>9.2f}  {r['compile']:>9.2f}  "
              f"{lines / gen:>17,.0f}  {lines / total:>11,.0f}  {r['peak_mb']:>8.0f}  "
              f"{r['compile_peak_mb']:>10.0f}  {r['load_peak_mb']:>7.0f}  {r['generated_mb']:>12.1f}  "
              f"{r['rss_mb']:>6.0f}  {r['batchgen']:>10.2f}  {r['batch_compile']:>15.2f}  {r['batch_mb']:>8.1f}  "
              f"{lines / (gen + r['batchgen']):>17,.0f}"
              + (f"  {r['all_ms']:>6.3f}  {r['five_ms']:>7.3f}" if args.evaluate else ""))


if __name__ == "__main__":
    main()
