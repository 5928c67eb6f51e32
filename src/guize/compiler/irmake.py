"""IR nodes built without their attrs __init__: the checker builds one per node of the file.

attrs' __init__ of a frozen class sets each field through object.__setattr__ (a name look-up
in the class each time); `maker` writes, once per node class, a function that sets the slots
through their descriptors: the same object, a third of the time. Only for the plain classes of
the typed IR (every field in __init__, no validator, converter or __attrs_post_init__, slots);
any other class is built by its own __init__.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

MAKERS: dict[type, Callable[..., Any]] = {}


def maker(cls: type) -> Callable[..., Any]:
    """A function (id, span, *fields) -> cls(*fields, id=id, span=span), the same node."""
    make = MAKERS.get(cls)
    if make is None:
        make = MAKERS[cls] = _maker(cls)
    return make


def _maker(cls: type) -> Callable[..., Any]:
    fields = attrs.fields(cls)
    names = [f.name for f in fields]
    own = [f for f in fields if f.name not in ("id", "span")]
    # Every field given (make has no defaults: a node field with one goes through __init__).
    plain = (names[:2] == ["id", "span"] and not hasattr(cls, "__attrs_post_init__")
             and all(f.init and f.validator is None and f.converter is None and f.alias == f.name for f in fields)
             and all(f.default is attrs.NOTHING for f in own) and "__dict__" not in dir(cls))
    if not plain:
        return lambda id, span, *values: cls(*values, id=id, span=span)
    ns: dict[str, Any] = {"new": object.__new__, "cls": cls}
    for f in fields:
        ns[f"set_{f.name}"] = _slot(cls, f.name).__set__
    params = "".join(f", {f.name}" for f in own)
    body = "".join(f"    set_{f.name}(o, {f.name})\n" for f in fields)
    exec(f"def make(id, span{params}):\n    o = new(cls)\n{body}    return o\n", ns)
    make: Callable[..., Any] = ns["make"]
    return make


def _slot(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    raise AttributeError(name)  # pragma: no cover - attrs.fields named it
