"""Policy: a compiled rule file loaded for evaluation, as of a date."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import threading
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any

from guize.runtime import dates
from guize.runtime import values as V
from guize.runtime.errors import EvaluationError, RuleError, UnknownOutput
from guize.runtime.interp import Coverage, Interpreter, Step
from guize.runtime.ir import dated_nodes, dependencies, select_version
from guize.runtime.validity import Repealed, Window

_ENV_CACHE_LIMIT = 4096
_FRONT_LIMIT = 4  # output lists inlined in the fast front (see Policy._install_front)
_getcontext = decimal.getcontext
_HALF_EVEN = decimal.ROUND_HALF_EVEN
_DATE = datetime.date


@dataclasses.dataclass(frozen=True)
class InputInfo:
    name: str
    type: str
    kind: str
    unit: str
    required: bool
    default: Any
    allowed: tuple[str, ...]
    cite: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class OutputInfo:
    name: str
    type: str
    kind: str
    cite: tuple[str, ...]
    inputs: tuple[str, ...]  # the inputs this output needs


@dataclasses.dataclass(frozen=True)
class Explanation:
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


def _names_only(outputs: Any) -> list[str]:
    """`outputs` as a list of names, or UnknownOutput when it is not a collection of texts."""
    try:
        names = list(outputs)
    except TypeError:
        names = None
    if names is None or not all(isinstance(o, str) for o in names):
        raise UnknownOutput(f"outputs 应为输出名称的列表，收到 {outputs!r:.80}") from None
    return names


def _arithmetic_error(exc: decimal.DecimalException) -> EvaluationError:
    if isinstance(exc, decimal.Overflow):
        return EvaluationError("计算结果超出可表示的范围（溢出）")
    if isinstance(exc, decimal.DivisionByZero):
        return EvaluationError("除数为零")
    return EvaluationError(f"无法完成的运算：{type(exc).__name__}")


as_date = V.as_date


class Policy:
    """One compiled policy document. Thread-safe for evaluation."""

    def __init__(self, module: ModuleType, repealed: Repealed | None = None) -> None:
        self.module = module
        self.path: str = module.SOURCE_PATH
        self.sha256: str = module.SOURCE_SHA256
        documents = module.DOCUMENTS
        self.document: dict[str, Any] = documents[0] if documents else {}
        self.window = Window.from_document(self.document, repealed)
        self._defs: dict[str, dict[str, Any]] = module.DEFS
        self._specs: dict[str, dict[str, Any]] = {s["name"]: s for s in module.INPUTS}
        self._functions: dict[str, Any] = module.FUNCTIONS
        # A document with no outputs (a repeal order, a register) has no ALL function: its
        # evaluation is the empty result, after the same checks of date and input names.
        self._all: Any = module.ALL if module.ALL is not None else self._no_outputs
        self._names = frozenset(self._specs)
        self._envs: dict[datetime.date | str, tuple[Any, ...]] = {}
        self._subsets: dict[tuple[str, ...], Any] = {}
        self._last_outputs: tuple[Any, Any, Any] = (None, None, None)
        self._inlined: list[Any] = []  # output lists whose code the fast front holds
        self._asked: set[Any] = set()  # output lists asked for once (see _install_front)
        self._front_lock = threading.Lock()
        self._batch: Any = None  # the BatchEvaluator (see the `batch` property)
        self._dated: list[tuple[Any, ...]] = [()] * module.SLOTS
        for d in self._defs.values():
            for node in dated_nodes(d["expr"]):
                self._dated[node[1]] = node[3]
        self.examples: tuple[dict[str, Any], ...] = module.EXAMPLES
        self.warnings: tuple[str, ...] = ()  # set by guize.load: neighbour files it had to skip

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
        return [InputInfo(s["name"], s["type"], s["kind"], s["unit"], not s["has_default"], s["default"],
                          tuple(s["members"]), tuple(s["cite"])) for s in self._specs.values()]

    @property
    def outputs(self) -> list[OutputInfo]:
        out = []
        for name in self.module.OUTPUTS:
            d = self._defs[name]
            out.append(OutputInfo(name, d["type"], d["value_kind"], tuple(d["cite"]),
                                  tuple(self.required_inputs([name]))))
        return out

    @property
    def definitions(self) -> dict[str, dict[str, Any]]:
        return self._defs

    def required_inputs(self, outputs: Iterable[str]) -> list[str]:
        """The inputs `outputs` need, in declaration order."""
        need = {i for d in dependencies(self._defs, outputs) for i in self._defs[d]["inputs"]}
        return [name for name in self._specs if name in need]

    # ------------------------------------------------------------ evaluation

    def env(self, on: datetime.date) -> tuple[Any, ...]:
        """Per-date state, computed once per date: the date and each dated value's version."""
        env = self._envs.get(on)
        if env is None:
            self.window.check(on)
            env = (on, *(select_version(versions, on) for versions in self._dated))
            if len(self._envs) >= _ENV_CACHE_LIMIT:
                self._envs.clear()
            self._envs[on] = env
        return env

    def _env_for(self, on: Any) -> tuple[Any, ...]:
        """env(), also remembered under the caller's own key ('2025-03-01') for the next call."""
        env = self.env(as_date(on))
        if isinstance(on, str):
            self._envs[on] = env
        return env

    def _check_names(self, data: Mapping[str, Any]) -> None:
        V.unknown_inputs(data, self._names)

    def _no_outputs(self, data: Mapping[str, Any], env: tuple[Any, ...]) -> dict[str, Any]:
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
            if not self._functions:
                raise UnknownOutput(f"该文件没有输出：{self.window.name()}没有定义任何「输出」，无法计算「{name}」"
                                    "（它的效力状态可以照常查询）", output=name)
            if name not in self._functions:
                from guize.runtime.diagnose import nearest_name

                near = nearest_name(name, self._functions)
                extra = f"，是否指「{near}」？" if near else f"；可选：{'、'.join(self._functions)}"
                raise UnknownOutput(f"没有名为「{name}」的输出{extra}", output=name)
        return names

    _select = select_outputs

    def evaluate(self, data: Mapping[str, Any], on: Any, outputs: Iterable[str] | None = None) -> dict[str, Any]:
        """The requested outputs (all if None) for `data`, under the rules in force on `on`."""
        try:
            env = self._envs[on]
        except (KeyError, TypeError):
            env = self._env_for(on)
        ctx = _getcontext()
        if ctx.prec != 28 or ctx.rounding != _HALF_EVEN:  # see values.CONTEXT
            with decimal.localcontext(V.CONTEXT):
                return self.evaluate(data, on, outputs)
        # Every generated function checks the input names itself (cheaply: see codegen).
        if len(self._inlined) < _FRONT_LIMIT:
            self._install_front(outputs)
        try:
            if outputs is None:
                return self._all(data, env)  # type: ignore[no-any-return]
            # Callers usually pass the same list every time: compare it with the last one
            # (by identity, then by value, since a list can change) before any hashing.
            last = self._last_outputs
            if outputs is last[0] and outputs == last[1]:
                return last[2](data, env)  # type: ignore[no-any-return]
            key = outputs
            if key.__class__ is not tuple:
                key = (key,) if key.__class__ is str else tuple(key)
            try:
                function = self._subsets[key]
            except KeyError:
                function = self._subset_function(key)
            if outputs.__class__ is list:
                self._last_outputs = (outputs, list(outputs), function)  # one assignment: thread-safe
            return function(data, env)  # type: ignore[no-any-return]
        except decimal.DecimalException as exc:
            raise _arithmetic_error(exc) from None
        except (TypeError, AttributeError):
            self._bad_call(data, outputs)  # a clear error if the caller passed the wrong kind of thing
            raise

    def _bad_call(self, data: Any, outputs: Any) -> None:
        self._check_names(data)
        if outputs is not None and not isinstance(outputs, str):
            _names_only(outputs)

    def evaluate_batch(self, data: Any, on: Any, outputs: Iterable[str] | None = None,
                       strict: bool = False) -> Any:
        """Evaluate many rows at once: a pyarrow Table of outputs and 「错误」 (needs guize[batch]).

        `on` is one date or the name of a date column; see guize.runtime.batch.
        """
        return self.batch.evaluate(data, on, outputs, strict)

    @property
    def batch(self) -> Any:
        """This policy's BatchEvaluator (guize.runtime.batch), created on first use: the batch
        modules import numpy and pyarrow, which scalar evaluation does not need."""
        evaluator = self._batch
        if evaluator is None:
            from guize.runtime.batch import BatchEvaluator

            with self._front_lock:
                if self._batch is None:
                    self._batch = BatchEvaluator(self)
                evaluator = self._batch
        return evaluator

    @property
    def dated_versions(self) -> list[tuple[Any, ...]]:
        """For each dated slot, its versions (start, end, value, label, cite) in date order."""
        return self._dated

    def _subset_function(self, outputs: Iterable[str]) -> Any:
        """The evaluator for exactly these outputs: a single output's own function, or one
        assembled (once, then cached) from the module's per-definition statements, so that
        shared definitions are computed once and only the inputs they need are read."""
        names = self._select(outputs)
        if len(names) == 1:
            function = self._functions[names[0]]
        elif set(names) == set(self.module.OUTPUTS) and len(names) == len(self.module.OUTPUTS):
            function = self._all
        else:
            function = self._assemble(names)
        if len(self._subsets) < _ENV_CACHE_LIMIT:
            self._subsets[tuple(outputs)] = function
        return function

    def _body(self, names: list[str], for_all: bool = False) -> list[str]:
        """The statements of a function computing `names` from `data` and the env `e`, made
        from the module's per-definition snippets: the same code as its own functions."""
        snippets = self.module.SNIPPETS
        need = dependencies(self._defs, names)
        inputs = self.required_inputs(names)
        # As in the module's functions: missing inputs, unknown names, then each value.
        pairs = [(snippets["inputs"][n][0], n) for n in inputs]
        lines = V.read_inputs([p for p in pairs if not snippets["inputs"][p[1]][1]],
                              [p for p in pairs if snippets["inputs"][p[1]][1]], for_all)
        for n in inputs:
            lines += snippets["inputs"][n][2]
        for n, (_local, code) in snippets["defs"].items():
            if n in need:
                lines += code
        lines.append("    return {" + ", ".join(f"{n!r}: {snippets['defs'][n][0]}" for n in names) + "}")
        return lines

    def _assemble(self, names: list[str]) -> Any:
        lines = ["def out_subset(data, e):", *self._body(names)]
        namespace: dict[str, Any] = {}
        exec(compile("\n".join(lines), f"<guize {self.path} {names}>", "exec"), self.module.__dict__, namespace)
        return namespace["out_subset"]

    def _install_front(self, outputs: Any) -> None:
        """Give this policy an `evaluate` of its own that holds, inline, the code for the
        output lists it has been asked for (up to _FRONT_LIMIT): one call, no dispatch,
        when the env is cached, the decimal context is the standard one and the outputs are
        one of those lists. Anything else goes to Policy.evaluate, which is always right.
        A list gets inlined the second time it is asked for."""
        if outputs is not None and outputs.__class__ not in (list, tuple, str):
            return  # e.g. a generator, which must be read once, by Policy.evaluate
        try:
            if outputs in self._inlined:
                return
            seen = (outputs.__class__, None if outputs is None else tuple(outputs))
            if seen not in self._asked:  # built on the second call: a one-off call needs none
                if len(self._asked) < _ENV_CACHE_LIMIT:
                    self._asked.add(seen)
                return
            self._select(outputs)
        except (RuleError, TypeError):
            return  # not a list of output names: Policy.evaluate reports it
        key = None if outputs is None else outputs.__class__(outputs)
        with self._front_lock:
            if len(self._inlined) >= _FRONT_LIMIT or key in self._inlined:
                return
            inlined = [*self._inlined, key]
            lines = ["def front(_envs, _generic, _getcontext, _HALF_EVEN, _DecimalException, _arith,",
                     "          _bad_call, _O):",
                     "    def evaluate(data, on, outputs=None):",
                     '        """Policy.evaluate (see there), with the code of the output lists it',
                     '        has been asked for inline."""',
                     "        try:",
                     "            e = _envs[on]",
                     "        except (KeyError, TypeError):",
                     "            return _generic(data, on, outputs)",
                     "        ctx = _getcontext()",
                     "        if ctx.prec != 28 or ctx.rounding != _HALF_EVEN:",
                     "            return _generic(data, on, outputs)",
                     "        try:"]
            for i, key_i in enumerate(inlined):
                test = "outputs is None" if key_i is None else \
                    f"outputs.__class__ is {key_i.__class__.__name__} and outputs == _O[{i}]"
                lines.append(f"            if {test}:")
                body = self._body(list(self.module.OUTPUTS) if key_i is None else self._select(key_i),
                                  key_i is None)
                lines += ["            " + line for line in body]
            lines += ["        except _DecimalException as exc:",
                      "            raise _arith(exc) from None",
                      "        except (TypeError, AttributeError):",
                      "            _bad_call(data, outputs)",
                      "            raise",
                      "        return _generic(data, on, outputs)",
                      "    return evaluate"]
            namespace: dict[str, Any] = {}
            exec(compile("\n".join(lines), f"<guize {self.path} evaluate>", "exec"), self.module.__dict__,
                 namespace)
            self.__dict__["evaluate"] = namespace["front"](
                self._envs, Policy.evaluate.__get__(self), _getcontext, _HALF_EVEN, decimal.DecimalException,
                _arithmetic_error, self._bad_call, tuple(inlined))
            self._inlined = inlined

    def interpret(self, data: Mapping[str, Any], on: Any, outputs: Iterable[str] | None = None,
                  coverage: Coverage | None = None) -> dict[str, Any]:
        """The same answer as `evaluate`, by the reference interpreter (slow; for tests).

        `coverage`, if given, collects the branches, rows, bands and versions taken
        (see `Interpreter`), keyed to the nodes of `self.definitions`.
        """
        return self._interpret(data, on, outputs, trace=False, coverage=coverage)[0]

    def explain(self, data: Mapping[str, Any], on: Any, outputs: Iterable[str] | None = None) -> Explanation:
        """Evaluate and record why: the definitions, branches, bands, versions and articles used."""
        on = as_date(on)
        values, interp = self._interpret(data, on, outputs, trace=True)
        return Explanation(on, self.window.describe(), values, tuple(interp.steps[n] for n in values))

    def _interpret(self, data: Mapping[str, Any], on: Any, outputs: Iterable[str] | None,
                   trace: bool, coverage: Coverage | None = None) -> tuple[dict[str, Any], Interpreter]:
        on = as_date(on)
        self.window.check(on)
        names = self._select(outputs)
        # Errors in the same order as compiled code: missing inputs, unknown names, then values.
        required = self.required_inputs(names)
        if not isinstance(data, Mapping):
            self._check_names(data)
        for name in required:
            if name not in data and not self._specs[name]["has_default"]:
                raise V.missing(name, outputs is None)
        self._check_names(data)
        interp = Interpreter(self._defs, self._specs, data, on, trace=trace, coverage=coverage)
        interp.all_outputs = outputs is None
        for name in required:
            spec = self._specs[name]
            interp.input_values[name] = V.convert(spec, data[name] if name in data else spec["default"])
        try:
            values = {name: interp.get(name) for name in names}
        except decimal.DecimalException as exc:
            raise _arithmetic_error(exc) from None
        return values, interp
