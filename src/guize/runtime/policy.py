"""Policy: a compiled rule file loaded for evaluation, as of a date."""

from __future__ import annotations

import _thread
import datetime
import decimal
from bisect import bisect_right as _bisect
from collections.abc import Iterable, Mapping
from types import ModuleType

from guize.runtime import dates, tracebacks
from guize.runtime import values as V
from guize.runtime.deps import dependencies, given_instead, select_version
from guize.runtime.errors import EvaluationError, MissingInput, RuleError, UnknownOutput
from guize.runtime.tuples import NamedTuple
from guize.runtime.validity import Repealed, Window

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a quicker start-up: runtime/tuples.py)
if TYPE_CHECKING:  # the IR and the interpreter are imported when first needed: evaluate needs neither
    from typing import Any

    from guize.runtime import ir
    from guize.runtime.interp import Coverage, Interpreter, Step

_ENV_CACHE_LIMIT = 4096
# Per-date state (Policy.env) for this many dates (and their texts) before starting afresh: a
# date per record over a policy's lifetime of many years must not recompute it for every record
# (4,096 is eleven years of dates). An entry is a small tuple of shared values.
_DATE_CACHE_LIMIT = 65536
_SPECIALISE_AFTER = 64  # calls with one list of outputs before out_subset is copied for it (specialize.py)
_SPECIALISED_LIMIT = 64  # lists of outputs copied for, at most, per policy (a copy's code: textile's 16 KB)
_getcontext = decimal.getcontext
_HALF_EVEN = decimal.ROUND_HALF_EVEN
_DATE = datetime.date
_NO_DATE = object()  # Policy._last_env before any date


class InputInfo(NamedTuple):
    name: str
    type: str
    kind: str
    unit: str
    required: bool
    default: Any
    allowed: tuple[str, ...]
    cite: tuple[str, ...]
    negative: bool = False  # 可为负
    given: bool = False  # a 可作输入 definition: optional; without it, its formula is used
    # When the outputs need it (guize.runtime.conditions): () on every path that reads it; else
    # the alternatives (any one) of conditions (all of them), e.g. ((产品类别 = 含棉纱线,),);
    # None: on too many paths to list.
    when: tuple[tuple[Any, ...], ...] | None = ()

    @property
    def conditional(self) -> bool:
        """Needed only on some paths (see `when`)."""
        return self.when != ()


class OutputInfo(NamedTuple):
    name: str
    type: str
    kind: str
    cite: tuple[str, ...]
    inputs: tuple[str, ...]  # the inputs this output needs
    negative: bool = False  # declared 可为负
    given: bool = False  # declared 可作输入


class Explanation(NamedTuple):
    """Why each requested output has its value: a tree of steps."""

    date: datetime.date
    window: str
    values: dict[str, Any]
    steps: tuple[Step, ...]

    def render(self) -> str:
        lines = [f"评估日期：{dates.cn(self.date)}（{self.window}）"]
        lines.extend(step.render() for step in self.steps)
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "window": self.window,
                "steps": [s.to_json() for s in self.steps]}


# The signals guize's arithmetic raises (values.CONTEXT's traps); Overflow is also Inexact.
_GUIZE_TRAP_SET = {signal: bool(on) for signal, on in V.CONTEXT.traps.items()}
_GUIZE_TRAPS = tuple(signal for signal, on in _GUIZE_TRAP_SET.items() if on)


def _arithmetic_error(exc: decimal.DecimalException) -> EvaluationError:
    if isinstance(exc, decimal.Overflow):
        return EvaluationError("计算结果超出可表示的范围（溢出）")
    if isinstance(exc, decimal.DivisionByZero):
        return EvaluationError("除数为零")
    return EvaluationError(f"无法完成的运算：{type(exc).__name__}")


def _in_order(subset: Any, order: list[str]) -> Any:
    """The subset evaluator, its result in the order the caller listed the outputs."""
    def evaluate(data: Mapping[str, Any], env: tuple[Any, ...], need: Any) -> dict[str, Any]:
        values = subset(data, env, need)
        return {name: values[name] for name in order}
    return evaluate


class _Counting:
    """out_subset for one list of outputs (or _in_order's wrapper of it), counting its calls:
    the _SPECIALISE_AFTER-th asks Policy for a copy made for it (runtime/specialize.py)."""

    __slots__ = ("calls", "function", "install")

    def __init__(self, function: Any, install: Any) -> None:
        self.calls = 0
        self.function = function
        self.install = install

    def __call__(self, data: Mapping[str, Any], env: tuple[Any, ...], need: Any = None) -> dict[str, Any]:
        self.calls += 1
        if self.calls >= _SPECIALISE_AFTER and (install := self.install) is not None:
            self.install = None
            install(self)
        return self.function(data, env, need)  # type: ignore[no-any-return]


def _in_force(window: Window) -> tuple[datetime.date, datetime.date]:
    """The first and last day `window` is in force, as Window.check's test for a date in force;
    an empty range (max, min) when there is none."""
    if window.start is None:
        return datetime.date.max, datetime.date.min
    last = window.last or datetime.date.max
    if window.repealed is not None:
        if window.repealed.on <= window.start:
            return datetime.date.max, datetime.date.min
        last = min(last, window.repealed.on - datetime.timedelta(days=1))
    return window.start, last


def _bounds(dated: tuple[tuple[Any, ...], ...], window: Window) -> list[datetime.date]:
    """The days on which some dated slot's version starts or ends, or `window` opens or closes
    (the day after its last, the day of a repeal): between two of them, Policy.env's state is
    the same for every date but the date itself (select_version and Window.check test only
    these days)."""
    days = {day for versions in dated for version in versions for day in version[:2] if day is not None}
    if window.start is not None:
        days.add(window.start)
    if window.last is not None and window.last < datetime.date.max:
        days.add(window.last + datetime.timedelta(days=1))
    if window.repealed is not None:
        days.add(window.repealed.on)
    return sorted(days)


def _names_only(outputs: Any) -> list[str]:
    """`outputs` as a list of names, or UnknownOutput when it is not a collection of texts."""
    try:
        names = list(outputs)
    except TypeError:
        names = None
    if names is None or not all(isinstance(o, str) for o in names):
        raise UnknownOutput(f"outputs 应为输出名称的列表，收到 {outputs!r:.80}") from None
    return names


as_date = V.as_date


class Policy:
    """One compiled policy document. Thread-safe for evaluation."""

    def __init__(self, module: ModuleType, repealed: Repealed | None = None) -> None:
        if not hasattr(module, "SUBSET_FLAGS"):  # written by a guize that generated code at run time
            name = getattr(module, "__file__", None) or module.__name__
            raise RuleError(f"「{name}」不是当前版本的 guize 编译的模块：请用 guize compile 重新编译")
        self.module = module
        self.path: str = module.SOURCE_PATH
        self.sha256: str = module.SOURCE_SHA256
        documents = module.DOCUMENTS
        self.document: dict[str, Any] = documents[0] if documents else {}
        self.window = Window.from_document(self.document, repealed)
        # Metadata; "expr" in ir's compact form (a large policy's: runtime/defstext.Table, without it)
        self._defs: Mapping[str, dict[str, Any]] = module.DEFS
        self._typed: dict[str, ir.Definition] | None = None
        self._inputs: list[InputInfo] | None = None
        self._specs: dict[str, dict[str, Any]] = {s["name"]: s for s in module.INPUTS}
        self._functions: dict[str, Any] = module.FUNCTIONS  # the outputs with a function of their own
        self._lists: dict[tuple[str, ...], Any] = module.LISTS  # lists of outputs with one too
        self._within: dict[tuple[str, ...], Any] = getattr(module, "LISTS_WITHIN", {})  # (function, variant)
        self._output_names = frozenset(module.OUTPUTS)
        # A document with no outputs (a repeal order, a register) has no ALL function: its
        # evaluation is the empty result, after the same checks of date and input names.
        self._all: Any = module.ALL if module.ALL is not None else self._no_outputs
        self._batch: Any = None  # the BatchEvaluator (see the `batch` property)
        self._batch_lock = _thread.allocate_lock()
        self.warnings: tuple[str, ...] = ()  # set by guize.load: neighbour files it had to skip
        self._subset = module.SUBSET
        self._flags: tuple[tuple[int, ...], ...] = module.SUBSET_FLAGS
        self._names = frozenset(self._specs)
        self._envs: dict[datetime.date | str, tuple[Any, ...]] = {}
        # For each list of outputs asked for: the generated function computing them and its `need`.
        self._plans: dict[tuple[str, ...], tuple[Any, Any]] = {}
        self._specialised = 0  # lists of outputs out_subset has been copied for (see _specialise)
        # The last list asked for: (the caller's object, a copy, function, need); see evaluate.
        self._last: tuple[Any, Any, Any, Any] = (None, None, None, None)
        self._line_index: tracebacks.LineIndex | None = None
        self._dated: tuple[tuple[Any, ...], ...] = module.DATED  # each slot's versions: (start, end)
        self.examples: tuple[dict[str, Any], ...] = module.EXAMPLES
        # False: no Decimal arises in this module's scalar code (compiler/contextfree.py), so
        # the caller's decimal context cannot change a result and evaluate does not read it.
        self._context: bool = getattr(module, "DECIMAL_CONTEXT", True)
        # A policy without dated values needs of a date in force only the date: its state is
        # (on, None), made in evaluate and not cached (a date per record met thousands of dates,
        # and looking each up in a cache that large cost more than the state; the cache stays
        # small, so missing it is cheap). `_in_force`: the first and last day in force (an empty
        # range when none or when the policy is dated); `_last_env`: the last such date and its
        # state (a fixed date is not made again). A dated policy's path is the cache, as before.
        self._in_force = _in_force(self.window) if not self._dated else (_DATE.max, _DATE.min)
        self._last_env: tuple[Any, Any] = (_NO_DATE, None)
        # A dated policy's state is the same for every date between two days on which a version
        # starts or ends or the window opens or closes (`_bounds`): a new date finds its span by
        # bisection and takes the versions found for the span's first date (`_spans`), where env
        # tested every version of every slot (~1.2 µs a new date; a date per record meets many).
        self._bounds = _bounds(self._dated, self.window) if self._dated else []
        self._spans: dict[int, tuple[Any, ...]] = {}
        if not self._dated and not self._context and type(self) is Policy:
            self._last_on: Any = _NO_DATE  # the last date in force _Undated.evaluate met
            self.__class__ = _Undated  # its evaluate tests a date in force first (see there)

    def __repr__(self) -> str:
        return f"<guize.Policy {self.window.name()} from {self.path}>"

    # ------------------------------------------------------------ schema

    @property
    def title(self) -> str | None:
        return self.document.get("title")

    @property
    def docno(self) -> str | None:
        return self.document.get("docno")

    @property
    def inputs(self) -> list[InputInfo]:
        """Each input, with when the outputs need it (computed once, from the IR)."""
        if self._inputs is None:
            when = self.needed_when()
            self._inputs = [InputInfo(s["name"], s["type"], s["kind"], s["unit"], not s["has_default"], s["default"],
                                      tuple(s["members"]), tuple(s["cite"]), bool(s.get("negative")),
                                      bool(s.get("given")), when.get(s["name"], ()))
                            for s in self._specs.values()]
        return list(self._inputs)

    def needed_when(self, outputs: Iterable[str] | None = None) -> dict[str, Any]:
        """For each input `outputs` (all if None) read: () when every path reads it, else the
        conditions under which one does (see guize.runtime.conditions.needed_when)."""
        from guize.runtime.conditions import needed_when

        return needed_when(self.definitions, self.select_outputs(outputs), self._specs)

    @property
    def outputs(self) -> list[OutputInfo]:
        out = []
        for name in self.module.OUTPUTS:
            d = self._defs[name]
            out.append(OutputInfo(name, d["type"], d["value_kind"], tuple(d["cite"]),
                                  tuple(self.required_inputs([name])), d.get("negative", False), d.get("given", False)))
        return out

    @property
    def definitions(self) -> dict[str, ir.Definition]:
        """The checked definitions (typed IR), decoded from the module on first use."""
        if self._typed is None:
            from guize.runtime import ir

            self._typed = ir.definitions_of(self._defs)
        return self._typed

    def required_inputs(self, outputs: Iterable[str]) -> list[str]:
        """The inputs `outputs` need, in declaration order."""
        need = {i for d in dependencies(self._defs, outputs) for i in self._defs[d]["inputs"]}
        return [name for name in self._specs if name in need]

    # ------------------------------------------------------------ evaluation

    def env(self, on: datetime.date, known_on: datetime.date | None = None) -> tuple[Any, ...]:
        """Per-date state, computed once per date: the date and each dated value's version.

        `known_on`: the rules as published by that date (amendments published later do not count);
        None: as they now stand."""
        key: Any = on if known_on is None else (on, known_on)
        env = self._envs.get(key)
        if env is None:
            span = _bisect(self._bounds, on) if known_on is None and self._bounds and on.__class__ is _DATE else None
            tail = self._spans.get(span) if span is not None else None  # (`span` is an int or None)
            if tail is not None:  # a date in force, in a span met before
                env = (on, *tail)
            else:
                self.window.check(on)
                if known_on is not None:
                    self.check_known(known_on)
                # The date, each dated slot's version, and last known_on (for values taken on an item's date).
                dated = self._dated
                env = (on, *[select_version(versions, on, known_on) for versions in dated], known_on) if dated else (
                    on, known_on)
                if span is not None:
                    self._spans[span] = env[1:]
            if len(self._envs) >= _DATE_CACHE_LIMIT:
                self._envs.clear()
            self._envs[key] = env
        return env

    def check_known(self, known_on: datetime.date) -> None:
        """NotInForce when the document itself was not yet published on `known_on`. The policy of
        an amendment (or a local document) is its base's with the layers over it: it exists once
        the base was published, and as known before the amendment, it is the base as it then was."""
        published = self.document.get("published")
        layers = [layer[2] for layer in self.document.get("layers") or () if layer[2] is not None]
        if layers:
            published = min(layers)
        if published is not None and known_on < published:
            from guize.runtime.errors import NotInForce

            raise NotInForce(f"{self.window.name()}于{dates.cn(published)}发布，按{dates.cn(known_on)}已知的"
                             "规定，它尚不存在", status="not_published", date=known_on, start=self.window.start,
                             last_day=self.window.last, document=self.docno or self.title)

    def _env_for(self, on: Any) -> tuple[Any, ...]:
        """env(), also remembered under the caller's own key ('2025-03-01') for the next call."""
        if on.__class__ is _DATE:  # a date per record: a new date costs this call once (no as_date)
            return self.env(on)
        env = self.env(as_date(on))
        if isinstance(on, str):
            self._envs[on] = env
        return env

    def _check_names(self, data: Mapping[str, Any]) -> None:
        V.unknown_inputs(data, self._names)

    def _no_outputs(self, data: Mapping[str, Any], env: tuple[Any, ...], need: Any = None) -> dict[str, Any]:
        if not isinstance(data, Mapping) or data:
            self._check_names(data)
        return {}

    def select_outputs(self, outputs: Iterable[str] | str | None) -> list[str]:
        """The output names `outputs` asks for (all if None), each checked to exist."""
        if outputs is None:
            return list(self.module.OUTPUTS)
        if isinstance(outputs, str):
            outputs = [outputs]
        names = _names_only(outputs)
        for name in names:
            if not self._output_names:
                raise UnknownOutput(f"该文件没有输出：{self.window.name()}没有定义任何「输出」，无法计算「{name}」"
                                    "（它的效力状态可以照常查询）", output=name)
            if name not in self._output_names:
                from guize.runtime.diagnose import nearest_name

                outputs_all = self.module.OUTPUTS
                near = nearest_name(name, outputs_all)
                extra = f"，是否指「{near}」？" if near else f"；可选：{'、'.join(outputs_all)}"
                raise UnknownOutput(f"没有名为「{name}」的输出{extra}", output=name)
        return names

    def evaluate(self, data: Mapping[str, Any], on: Any, outputs: Iterable[str] | None = None,
                 known_on: Any = None) -> dict[str, Any]:
        """The requested outputs (all if None) for `data`, under the rules in force on `on`,
        as published by `known_on` (None: as they now stand; see Policy.env)."""
        env: tuple[Any, ...] | None
        if known_on is not None:
            env = self.env(as_date(on), as_date(known_on))
        else:
            try:  # get, not [ ]: a date per record meets many new dates, and a KeyError costs more
                env = self._envs.get(on)
            except TypeError:  # unhashable: as_date reports it
                env = None
            if env is None:  # (an undated policy's dates in force are not cached: see __init__)
                if on is (seen := self._last_env)[0]:
                    env = seen[1]
                elif on.__class__ is _DATE and self._in_force[0] <= on <= self._in_force[1]:
                    env = (on, None)
                    self._last_env = (on, env)  # one assignment: thread-safe
                else:
                    env = self._env_for(on)
        if self._context:
            ctx = _getcontext()
            if ctx.prec != 28 or ctx.rounding != _HALF_EVEN:  # see values.CONTEXT
                return self._in_guize_context(data, on, outputs, known_on)
        # Every generated function checks the input names itself (cheaply: see codegen).
        try:
            if outputs is None:
                return self._all(data, env)  # type: ignore[no-any-return]
            # Callers usually pass the same list every time: compare it with the last one
            # (by identity, then by value, since a list can change) before any hashing.
            last = self._last
            if outputs is last[0] and outputs == last[1]:
                return last[2](data, env, last[3])  # type: ignore[no-any-return]
            function, need = self._plan(outputs)
            return function(data, env, need)  # type: ignore[no-any-return]
        except Exception as exc:
            return self._failed(exc, data, on, outputs, known_on)

    def _failed(self, exc: Exception, data: Any, on: Any, outputs: Any, known_on: Any) -> dict[str, Any]:
        """What evaluate does with an exception from the generated function: the error as the
        caller sees it, its traceback at the .rule lines; or the result computed again."""
        if isinstance(exc, decimal.DecimalException):
            if not isinstance(exc, _GUIZE_TRAPS) and dict(_getcontext().traps) != _GUIZE_TRAP_SET:
                # A signal guize does not trap (Inexact, Rounded …) that the caller's thread
                # context traps: the checks above look at precision and rounding only, to stay
                # cheap. Again in guize's context, as the interpreter computes.
                return self._in_guize_context(data, on, outputs, known_on)
            raise _arithmetic_error(exc).with_traceback(self._rule_traceback(exc)) from None
        if isinstance(exc, TypeError | AttributeError):
            self._bad_call(data, outputs)  # a clear error if the caller passed the wrong kind of thing
            raise exc.with_traceback(self._rule_traceback(exc))
        if isinstance(exc, MissingInput):
            raise self._way_out(exc, outputs).with_traceback(self._rule_traceback(exc)) from None
        raise exc.with_traceback(self._rule_traceback(exc))

    def _in_guize_context(self, data: Any, on: Any, outputs: Any, known_on: Any) -> dict[str, Any]:
        """evaluate again in values.CONTEXT (the caller's thread context is left as it was)."""
        with decimal.localcontext(V.CONTEXT):
            return self.evaluate(data, on, outputs, known_on)

    def _way_out(self, exc: MissingInput, outputs: Any) -> MissingInput:
        """`exc`, or when a 可作输入 definition on the path could be given instead of the missing
        input, the same error suggesting it: 「…；也可直接给出「实足年龄」」."""
        name = exc.detail.get("input")
        if outputs is not None and name is not None and exc.message == V.missing(name, True).message:
            # out_all, computing every output for a list that names them all (see _make_plan)
            exc = V.missing(name)
        try:
            names = self.select_outputs(outputs)
        except RuleError:  # pragma: no cover - outputs were checked before any input was read
            return exc
        instead = given_instead(self._defs, names, name) if name in self._specs else []
        if not instead:
            return exc
        return MissingInput(f"{exc.message}；也可直接给出{'或'.join(f'「{g}」' for g in instead)}",
                            **{**exc.detail, "given": instead})

    def _rule_traceback(self, exc: BaseException) -> Any:
        """exc's traceback below Policy.evaluate, frames of generated code shown at their .rule
        lines (see guize.runtime.tracebacks)."""
        if self._line_index is None:
            self._line_index = tracebacks.LineIndex.of(self.module)
        tb = exc.__traceback__
        return self._line_index.rewrite(tb.tb_next if tb is not None else None)

    def _plan(self, outputs: Any) -> tuple[Any, Any]:
        """The generated function for these outputs and its `need` argument (made once per list)."""
        key = outputs
        if key.__class__ is not tuple:
            key = (key,) if key.__class__ is str else tuple(key)
        try:
            plan = self._plans[key]
        except KeyError:
            plan = self._make_plan(key)
            if len(self._plans) < _ENV_CACHE_LIMIT:
                self._plans[key] = plan
        if outputs.__class__ is list:
            self._last = (outputs, list(outputs), *plan)  # one assignment: thread-safe
        return plan

    def _make_plan(self, outputs: tuple[str, ...]) -> tuple[Any, Any]:
        """The generated function for these outputs, and the `need` it takes: an output's own
        function, or the one for an output with the outputs it is computed from (LISTS), else
        out_subset with the flags it reads: which inputs and definitions to compute, which
        outputs to return. (outputs=None is out_all's, in evaluate.)"""
        names = self._select(outputs)
        if not names:  # nothing asked for: the input names are still checked
            return self._no_outputs, None
        declared = self.module.OUTPUTS
        order = list(dict.fromkeys(names))
        if len(order) == 1 and order[0] in self._functions:
            return self._functions[order[0]], None
        function = self._lists.get(tuple(order))  # an output with the outputs it is computed from
        if function is not None:
            return function, None
        within = self._within.get(tuple(order))  # a list within one of those (compiler/listsdrop.py)
        if within is not None:
            return within  # type: ignore[no-any-return]
        if order == list(declared):  # every output, in order: out_all, with no flags to read
            return self._all, None
        need = self._need(names)
        function = self._subset if order == [o for o in declared if o in order] else _in_order(self._subset, order)
        if self._specialised >= _SPECIALISED_LIMIT or len(self._plans) >= _ENV_CACHE_LIMIT:  # (not kept: no count)
            return function, need
        return _Counting(function, lambda counting: self._specialise(order, need, counting)), need

    def _specialise(self, order: list[str], need: tuple[Any, ...], counting: _Counting) -> None:
        """Put, where `counting` was planned, a copy of out_subset made for `need`, its result in
        `order` (runtime/specialize.py), else out_subset itself (no more counting)."""
        from guize.runtime.specialize import specialised

        try:
            made = specialised(self._subset, need, order)
        except (RecursionError, SystemError):  # a copy is only for speed: ast's recursion on a very
            made = None  # deep expression (a 700-band table), or CPython 3.11's ast state shared with
            # another thread's ast use outside guize (specialize.py's lock covers its own), leaves
            # out_subset, which gives the same results; any other exception here is a defect of
            # specialize.py and is not hidden
        if made is not None:
            self._specialised += 1
            counting.function = made[0] if made[1] else _in_order(made[0], order)
        self._installed(counting)

    def _installed(self, counting: _Counting) -> None:
        """Put `counting`'s function (a copy, or the function it counted for) wherever the plans
        hold `counting` (its list of outputs) and in the last list asked for: no more counting
        there. A holder of `counting` itself calls its function from now on."""
        function = counting.function
        for key, (planned, need) in list(self._plans.items()):
            if planned is counting:
                self._plans[key] = (function, need)  # one assignment each: thread-safe
        last = self._last
        if last[2] is counting:
            self._last = (last[0], last[1], function, last[3])

    def _need(self, names: list[str]) -> tuple[Any, ...]:
        """out_subset's `need` for these outputs: the number of inputs they need, of required
        ones among them, then each flag of SUBSET_FLAGS: is one of its outputs asked for."""
        asked = {self.module.OUTPUTS.index(n) for n in names}
        return tuple(any(o in asked for o in users) for users in self._flags)

    _select = select_outputs

    def _bad_call(self, data: Any, outputs: Any) -> None:
        self._check_names(data)
        if outputs is not None and not isinstance(outputs, str):
            _names_only(outputs)

    def evaluate_batch(self, data: Any, on: Any, outputs: Iterable[str] | None = None,
                       strict: bool = False, keep: Iterable[str] = (), known_on: Any = None,
                       explain: bool | str = False, decimal64: bool = False) -> Any:
        """Evaluate many rows at once: a pyarrow Table of outputs and 「错误」 (needs guize[batch]).

        `on` is one date or the name of a date column; `keep`: input columns copied before the
        outputs (such as an id); `known_on` one date, as in `evaluate`, or the name of a column
        giving it per row (a null: as they now stand); see guize.runtime.batch. `explain`: True
        (text), "markdown", "html" or "json" adds a 「说明」 column, each row's explanation
        (guize.runtime.batchexplain). `decimal64`: decimal outputs as decimal64(18, places fixed by
        the policy) and integers as int64, 8 bytes a row (guize.runtime.batchout).
        """
        if not explain:
            return self.batch.evaluate(data, on, outputs, strict, keep=keep, known_on=known_on, decimal64=decimal64)
        from guize.runtime import batchexplain

        fmt = batchexplain.explain_format(explain)
        assert fmt is not None  # INVARIANT: explain is truthy
        outputs = list(outputs) if outputs is not None else None
        result = self.batch.evaluate(data, on, outputs, strict, keep=keep, known_on=known_on, decimal64=decimal64)
        return batchexplain.add_column(self, data, result, on, outputs, fmt, known_on)

    @property
    def batch(self) -> Any:
        """This policy's BatchEvaluator (guize.runtime.batch), created on first use: the batch
        modules import numpy and pyarrow, which scalar evaluation does not need."""
        evaluator = self._batch
        if evaluator is None:
            from guize.runtime.batch import BatchEvaluator

            with self._batch_lock:
                if self._batch is None:
                    self._batch = BatchEvaluator(self)
                evaluator = self._batch
        return evaluator

    @property
    def dated_versions(self) -> tuple[tuple[Any, ...], ...]:
        """For each dated slot, its versions' (start, end) in date order."""
        return self._dated

    def interpret(self, data: Mapping[str, Any], on: Any, outputs: Iterable[str] | None = None,
                  coverage: Coverage | None = None, known_on: Any = None) -> dict[str, Any]:
        """The same answer as `evaluate`, by the reference interpreter (slow; for tests).

        `coverage`, if given, collects the branches, rows, bands and versions taken
        (see `Interpreter`), keyed to the nodes of `self.definitions`.
        """
        return self._interpret(data, on, outputs, trace=False, coverage=coverage, known_on=known_on)[0]

    def explain(self, data: Mapping[str, Any], on: Any, outputs: Iterable[str] | None = None,
                known_on: Any = None) -> Explanation:
        """Evaluate and record why: the definitions, branches, bands, versions and articles used."""
        on = as_date(on)
        values, interp = self._interpret(data, on, outputs, trace=True, known_on=known_on)
        for name, value in values.items():  # a per-item output keyed by its list's 主键 (runtime/keyed.py)
            if hasattr(value, "keys") and isinstance(value, tuple) and name in interp.steps:
                interp.steps[name].value = value
        return Explanation(on, self._describe(on, interp.known_on), values, tuple(interp.steps[n] for n in values))

    def _describe(self, on: datetime.date, known_on: datetime.date | None) -> str:
        """The window, and for a policy merged from several documents (compiler/amend.py) the
        others applied on `on` as published by `known_on`."""
        text = self.window.describe()
        own = (self.title, self.docno)
        applied = [docno or f"《{title}》" for title, docno, published, start in self.document.get("layers", ())
                   if (title, docno) != own and (start is None or start <= on)
                   and (known_on is None or published is None or published <= known_on)]
        if applied:
            text += f"；并适用{'、'.join(applied)}"
        if known_on is not None:
            text += f"；按{dates.cn(known_on)}已发布的规定"
        return text

    def _interpret(self, data: Mapping[str, Any], on: Any, outputs: Iterable[str] | None,
                   trace: bool, coverage: Coverage | None = None,
                   known_on: Any = None) -> tuple[dict[str, Any], Interpreter]:
        on = as_date(on)
        self.window.check(on)
        if known_on is not None:
            known_on = as_date(known_on)
            self.check_known(known_on)
        names = self._select(outputs)
        # The same order as compiled code (see ir.strict_needs): missing inputs that every path
        # reads, unknown names, those inputs' values, the definitions every path computes (in
        # order), then the outputs; anything else where the path reaches it.
        from guize.runtime import ir
        from guize.runtime.interp import Interpreter
        from guize.runtime.keyed import keyed, keyed_outputs

        defs = self.definitions
        needs = ir.strict_needs(defs, names)
        required = [name for name in self._specs if ("input", name) in needs]
        if not isinstance(data, Mapping):
            self._check_names(data)
        for name in required:
            if name not in data and not self._specs[name]["has_default"]:
                raise V.missing(name, outputs is None)
        self._check_names(data)
        interp = Interpreter(defs, self._specs, data, on, trace=trace, coverage=coverage)
        interp.all_outputs = outputs is None
        interp.known_on = known_on
        for name in required:
            spec = self._specs[name]
            interp.input_values[name] = V.convert(spec, data[name] if name in data else spec["default"])
        try:
            for name in defs:
                if ("ref", name) in needs:
                    interp.get(name)
            values = {name: interp.get(name) for name in names}
            for name, (source, key) in keyed_outputs(defs, self._specs).items():
                if name in values:
                    values[name] = keyed(values[name], interp.eval(ir.Input(source), name), key)
        except MissingInput as exc:
            raise self._way_out(exc, outputs) from None
        except decimal.DecimalException as exc:
            raise _arithmetic_error(exc) from None
        except RecursionError:  # the interpreter recurses through each definition a value uses
            raise EvaluationError("规则过于复杂：定义之间一个引用一个的链太长，参考解释器无法计算"
                                  "（evaluate 不受影响）") from None
        return values, interp


class _Undated(Policy):
    """A policy without dated values whose scalar code has no Decimal (DECIMAL_CONTEXT False:
    annual leave, retirement age): a date in force is all evaluate needs to know of the date,
    and no decimal context is read. Policy.evaluate first looks the date up in the cache of
    dated policies' states (a miss here), then remembers it with its state as the last date:
    a date per record paid both (~0.06 µs of annual leave's 0.5). Here the last date in force
    met (the same object: a fixed date) or a date object in force (remembered, without a state
    to make), with outputs None or the list asked for last time, goes straight to the generated
    function with the state (on, None); anything else (text dates, known_on, another list, a date
    not in force) to Policy.evaluate. Errors are Policy._failed's, as there."""

    def evaluate(self, data: Mapping[str, Any], on: Any, outputs: Iterable[str] | None = None,
                 known_on: Any = None) -> dict[str, Any]:
        if known_on is not None:
            return Policy.evaluate(self, data, on, outputs, known_on)
        if on is not self._last_on:
            if on.__class__ is not _DATE or not self._in_force[0] <= on <= self._in_force[1]:
                return Policy.evaluate(self, data, on, outputs)
            self._last_on = on  # (one assignment: thread-safe; every date it holds is in force)
        if outputs is None:
            function, need = self._all, None
        else:
            plan = self._last
            if outputs is not plan[0] or outputs != plan[1]:
                return Policy.evaluate(self, data, on, outputs)
            function, need = plan[2], plan[3]
        try:
            return function(data, (on, None), need)  # type: ignore[no-any-return]
        except Exception as exc:
            return self._failed(exc, data, on, outputs, None)
