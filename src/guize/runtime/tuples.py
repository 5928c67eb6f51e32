"""typing.NamedTuple's class syntax without importing typing.

`guize eval` on a cached policy imports only the runtime (bench/startup_bench.py); typing, with
the re, enum and contextlib modules it imports, was about a tenth of that start-up. The
runtime's named tuples (InputInfo, Window, …) are written as with typing.NamedTuple and built
by collections.namedtuple, which decimal imports anyway. Type checkers see typing.NamedTuple.
"""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    # What a class body holds besides its fields and their defaults that the tuple class must not take.
    _OWN = frozenset(("__module__", "__qualname__", "__annotations__", "__dict__", "__weakref__"))

    class _NamedTupleMeta(type):
        def __new__(mcls, name, bases, namespace):
            if not bases:  # NamedTuple itself
                return super().__new__(mcls, name, bases, namespace)
            annotations = namespace.get("__annotations__", {})
            fields = tuple(annotations)
            first = next((i for i, f in enumerate(fields) if f in namespace), len(fields))
            if any(f not in namespace for f in fields[first:]):
                raise TypeError(f"{name}: a field without a default follows one with a default")
            defaults = [namespace[f] for f in fields[first:]]
            cls = namedtuple(name, fields, defaults=defaults, module=namespace.get("__module__"))
            for key, value in namespace.items():
                if key not in _OWN and key not in annotations:
                    setattr(cls, key, value)
            cls.__qualname__ = namespace.get("__qualname__", name)
            cls.__annotations__ = dict(annotations)
            return cls

    class NamedTuple(metaclass=_NamedTupleMeta):
        """Base of a named tuple written as a class with annotated fields (see the module)."""
