"""Records: frozen value classes that cost nothing to define at import (issue 9, start-up).

``@dataclass`` writes ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__`` and ``__delattr__``
of each class as source text and compiles them with ``exec`` every time the module is imported, the
bytecode cache notwithstanding: about 0.6 ms a class, and ``k2ecs convert`` defines some forty. A
``Record`` writes its own ``__init__`` (compiled once into the cache, like any function) and inherits the
rest, which read the fields in order from the class. The fields are the annotations of the class body
(and of the record classes it extends); they become ``__slots__``.

The methods behave as a frozen dataclass's would (same repr, equality only between instances of one
class, the hash of the tuple of the fields), and ``dataclasses.fields`` and ``dataclasses.replace`` work
on records: ``__dataclass_fields__`` is built on first use, from the annotations and the defaults of
``__init__``. ``MutableRecord`` is the ``@dataclass`` without ``frozen`` (assignable, unhashable).

An ``__init__`` sets every field, frozen or not, with ``set_field(self, "name", name)``;
tests/test_startup.py checks that each record's ``__init__`` takes exactly its fields and sets each.

Why this ceremony stays (issue 21 item 6: only where bench/ shows it pays): a hand-written ``__init__`` is
what spares the ``exec`` at import. bench/run.py's start-up run measured the model's move from dataclasses
to records at 1.52x -> 1.36x of a bare Typer app (docs/PERFORMANCE.md, third round); defining a frozen
four-field class costs about 3.7 ms as a dataclass and 0.16 ms as a record (timeit, shared machine).
``set_field`` exists because a frozen record's ``__setattr__`` raises: ``__init__`` writes through
``object.__setattr__``, as a frozen dataclass's generated ``__init__`` does, bound once to a global name so
each field costs no attribute lookup on ``object`` (constructing is as fast as the dataclass's ``__init__``).
"""

from __future__ import annotations

import dataclasses
import inspect
from operator import attrgetter
from typing import Any

set_field = object.__setattr__  # writes a field past the frozen __setattr__ (module docstring)


class _RecordType(type):
    """Makes ``__slots__`` from the annotations, and the field list and getter the methods use."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> _RecordType:
        own = tuple(namespace.get("__annotations__", ()))
        namespace.setdefault("__slots__", own)
        # Each class its own: the fields a base cached on itself must not answer for a subclass with more.
        namespace.setdefault("__dataclass_fields__", _LazyDataclassFields())
        cls = super().__new__(mcs, name, bases, namespace)
        fields = getattr(cls, "_record_fields", ()) + own  # a record's bases' fields come first, as in a dataclass
        cls._record_fields = fields
        if len(fields) == 1:  # attrgetter of one name returns the value, not a 1-tuple
            single = attrgetter(fields[0])
            cls._record_values = staticmethod(lambda record: (single(record),))
        else:
            cls._record_values = attrgetter(*fields) if fields else staticmethod(lambda record: ())
        return cls


class _LazyDataclassFields:
    """``__dataclass_fields__``, built when first asked (dataclasses.fields/replace, pytest's diffs)."""

    def __get__(self, instance: Any, owner: type) -> dict[str, dataclasses.Field]:
        fields = _dataclass_fields(owner)
        owner.__dataclass_fields__ = fields  # cached on the class itself
        return fields


def _dataclass_fields(cls: type) -> dict[str, dataclasses.Field]:
    annotations: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        annotations.update(klass.__dict__.get("__annotations__", {}))
    parameters: dict[str, inspect.Parameter] = {}
    for klass in cls.__mro__:  # a subclass's __init__ may pass its bases' fields on as **base
        if "__init__" in klass.__dict__ and issubclass(klass, Record):
            for name, parameter in inspect.signature(klass.__init__).parameters.items():
                parameters.setdefault(name, parameter)
    spec = []
    for name in cls._record_fields:  # type: ignore[attr-defined]
        parameter = parameters[name]
        options: dict[str, Any] = {"kw_only": parameter.kind is inspect.Parameter.KEYWORD_ONLY}
        if parameter.default is not inspect.Parameter.empty:
            options["default"] = parameter.default
        spec.append((name, annotations[name], dataclasses.field(**options)))
    frozen = cls.__setattr__ is Record.__setattr__
    return dataclasses.make_dataclass(cls.__name__, spec, frozen=frozen).__dataclass_fields__  # type: ignore[attr-defined]


def _rebuild(cls: type, values: dict[str, Any]) -> Any:
    return cls(**values)


class Record(metaclass=_RecordType):
    __slots__ = ()
    __dataclass_fields__ = _LazyDataclassFields()

    def __repr__(self) -> str:
        values = self._record_values(self)
        inner = ", ".join(f"{name}={value!r}" for name, value in zip(self._record_fields, values))
        return f"{type(self).__qualname__}({inner})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._record_values(self) == self._record_values(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._record_values(self))

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:  # copy, deepcopy and pickle: through __init__ (slots, frozen)
        return _rebuild, (type(self), dict(zip(self._record_fields, self._record_values(self))))


class MutableRecord(Record):
    __slots__ = ()
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__
    __hash__ = None  # type: ignore[assignment]
