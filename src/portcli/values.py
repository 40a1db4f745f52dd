"""Value classes, as @dataclass gives them, without importing dataclasses.

Every run of an everyday query defines the model's classes before it reads a file. As dataclasses they
cost about 25 ms of a 60 ms run on the 25 shipped measures: importing dataclasses imports inspect (ast,
dis, tokenize), and each decorated class compiles its methods at run time (issue 16). Here a class's
fields are the parameters of its own ``__init__``, which stores them; equality, ``repr``, ``replace``
and, for a frozen value, hashing and refusing assignment come from the base class, and behave as the
dataclass methods did.
"""
from __future__ import annotations

from operator import attrgetter

try:  # CPython's date type itself: `import datetime` runs datetime.py, whose pure-Python classes (2 ms
    from _datetime import date  # of a 30 ms query) this very type then replaces (issue 16)
except ImportError:  # a Python without the C module
    from datetime import date

__all__ = ["Frozen", "Value", "date", "replace"]

_assign = object.__setattr__


class Value:
    """Fields compared in order, like @dataclass(eq=True): a mutable value, never hashed."""

    __hash__ = None  # type: ignore[assignment]  # equal values may stop being equal: not a dict key
    _fields: tuple[str, ...] = ()
    _compared = staticmethod(lambda value: ())

    def __init_subclass__(cls, uncompared: tuple[str, ...] = (), **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" not in cls.__dict__:
            return  # a base (Frozen) or a class adding only methods: its parent's fields
        # The fields are read from the constructor, so the two cannot disagree.
        # Under mutmut, __init__ is a trampoline (*args, **kwargs); @wraps leaves the real one in __wrapped__.
        init = cls.__init__
        code = getattr(init, "__wrapped__", init).__code__
        cls._fields = code.co_varnames[1:code.co_argcount + code.co_kwonlyargcount]
        compared = [name for name in cls._fields if name not in uncompared]
        if len(compared) > 1:
            cls._compared = attrgetter(*compared)  # the tuple of the fields, as a dataclass compares
        else:  # one field or none: a staticmethod, as a plain function would be bound to the value
            cls._compared = staticmethod(lambda value: tuple([getattr(value, name) for name in compared]))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._compared(self) == self._compared(other)
        return NotImplemented

    def __repr__(self) -> str:
        shown = ", ".join([f"{name}={getattr(self, name)!r}" for name in self._fields])
        return f"{type(self).__qualname__}({shown})"


class Frozen(Value):
    """A value no one changes once built, like @dataclass(frozen=True): hashable, assignment refused.
    A subclass's ``__init__`` stores its fields with ``_set_fields``."""

    def _set_fields(self, *values: object) -> None:
        """Stores the fields, given in the constructor's order, past the refusal below. One attribute
        store each, as a dataclass does: the instances of a class then share one table of keys, where a
        dict filled at once (``__dict__.update``) took 560 bytes a Measure instead of 240."""
        for name, value in zip(self._fields, values):
            _assign(self, name, value)

    def __hash__(self) -> int:
        return hash(self._compared(self))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")


def replace(value: Value, **changes):
    """A copy of `value` with some fields changed, as dataclasses.replace makes it."""
    unknown = set(changes) - set(value._fields)
    if unknown:
        raise TypeError(f"{type(value).__name__} has no field {', '.join(sorted(unknown))}")
    return type(value)(**{name: changes[name] if name in changes else getattr(value, name) for name in value._fields})
