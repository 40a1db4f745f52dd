"""Value classes, as @dataclass gives them, without importing dataclasses.

Every run of an everyday query defines the model's classes before it reads a file. As dataclasses they
cost about 25 ms of a 60 ms run on the 25 shipped measures: importing dataclasses imports inspect (ast,
dis, tokenize), and each decorated class compiles its methods at run time (issue 16). Here a class's
fields are the parameters of its own constructor: ``__init__``, which stores them, for a mutable Value;
``__new__``, which makes the tuple of them, for a Frozen one. Equality, ``repr``, ``replace`` and, for
a frozen value, hashing and refusing assignment come from the base class, and behave as the dataclass
methods did.
"""
from __future__ import annotations

try:  # the C module itself: operator.py first defines a pure-Python twin of each of its functions, 0.4 ms of
    from _operator import attrgetter  # an everyday query (issue 16), which this very function then replaces
except ImportError:  # a Python without it
    from operator import attrgetter

try:  # CPython's date type itself: `import datetime` runs datetime.py, whose pure-Python classes (2 ms
    from _datetime import date  # of a 30 ms query) this very type then replaces (issue 16)
except ImportError:  # a Python without the C module
    from datetime import date

__all__ = ["Frozen", "Value", "attrgetter", "cache", "cached_property", "date", "replace"]

try:  # the C descriptor collections.namedtuple gives each field: a field is read as fast as an attribute
    from _collections import _tuplegetter
except ImportError:  # a Python without it
    from operator import itemgetter

    def _tuplegetter(index: int, doc: str | None) -> property:
        return property(itemgetter(index), doc=doc)


# functools.cache and functools.cached_property as portcli uses them (one thread, hashable arguments),
# without importing functools: it imports collections, and the two are ~3 ms of a 30 ms JSON query
# that needs nothing else of them (issue 16).

def cache(function):
    """functools.cache: `function`'s value for each arguments kept; `cache_clear()` forgets them."""
    memo: dict = {}

    def cached(*args):
        try:
            return memo[args]
        except KeyError:
            value = memo[args] = function(*args)
            return value

    cached.cache_clear = memo.clear
    cached.__name__, cached.__qualname__, cached.__doc__ = function.__name__, function.__qualname__, function.__doc__
    cached.__wrapped__ = function
    return cached


class cached_property:
    """functools.cached_property: the value worked out when first read, then kept in the instance's
    __dict__, which (this being a non-data descriptor) is read from then on."""

    def __init__(self, function) -> None:
        self.function, self.__doc__ = function, function.__doc__
        self.name = function.__name__

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.function(instance)
        return value


def _fields_of(constructor) -> tuple[str, ...]:
    """The parameters of a class's constructor (`__init__` or `__new__`), its fields, so the two cannot
    disagree. Under mutmut the constructor is a trampoline (*args, **kwargs); @wraps leaves the real one
    in __wrapped__."""
    code = getattr(constructor, "__wrapped__", constructor).__code__
    return code.co_varnames[1:code.co_argcount + code.co_kwonlyargcount]


def _comparison(fields: tuple[str, ...], uncompared: tuple[str, ...]):
    """value -> the tuple of its compared fields, as a dataclass compares and hashes them."""
    compared = [name for name in fields if name not in uncompared]
    if len(compared) > 1:
        return attrgetter(*compared)
    # one field or none: a staticmethod, as a plain function would be bound to the value
    return staticmethod(lambda value: tuple([getattr(value, name) for name in compared]))


def _repr(value) -> str:
    shown = ", ".join([f"{name}={getattr(value, name)!r}" for name in value._fields])
    return f"{type(value).__qualname__}({shown})"


class Value:
    """Fields compared in order, like @dataclass(eq=True): a mutable value, never hashed."""

    __hash__ = None  # type: ignore[assignment]  # equal values may stop being equal: not a dict key
    _fields: tuple[str, ...] = ()
    _compared = staticmethod(lambda value: ())

    def __init_subclass__(cls, uncompared: tuple[str, ...] = (), **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" not in cls.__dict__:
            return  # a base or a class adding only methods: its parent's fields
        cls._fields = _fields_of(cls.__init__)
        cls._compared = _comparison(cls._fields, uncompared)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._compared(self) == self._compared(other)
        return NotImplemented

    __repr__ = _repr


class Frozen(tuple):
    """A value no one changes once built, like @dataclass(frozen=True): equal when its class and
    fields are, hashable, assignment refused. A subclass's ``__new__`` takes the fields and hands them,
    in its parameters' order, to ``tuple.__new__(cls, (...))``; a field is read by name.

    A tuple, because a value is built faster as one (a Measure in 0.6 µs, not 2 µs: 100,000 of them on
    every query, issue 16) and held in less memory (a Measure in 168 bytes, not 240). Nothing else
    of the tuple is meant to be used: values of different classes, or a value and a tuple, are never
    equal, and values are not ordered. A subclass declares ``__slots__ = ()`` unless it keeps a
    ``cached_property`` (which needs a ``__dict__``).

    A class may keep, after its fields, values its ``__new__`` works out from them, named by
    ``derived``: they are read like fields, but are not fields (not compared, shown, or given to
    ``replace``), since they follow from the fields."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()
    _compared = staticmethod(lambda value: ())

    def __init_subclass__(cls, uncompared: tuple[str, ...] = (), derived: tuple[str, ...] = (), **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "__new__" not in cls.__dict__:
            return  # a base or a class adding only methods: its parent's fields
        cls._fields = _fields_of(cls.__new__)
        cls._compared = _comparison(cls._fields, uncompared)
        for index, name in enumerate((*cls._fields, *derived)):
            setattr(cls, name, _tuplegetter(index, None))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._compared(self) == self._compared(other)
        # a plain tuple would otherwise compare as tuples, item by item, from its own side
        return False if isinstance(other, tuple) else NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self._compared(self))

    def _unordered(self, other: object):
        return NotImplemented

    __lt__ = __le__ = __gt__ = __ge__ = _unordered
    __repr__ = _repr

    def __getnewargs__(self) -> tuple:
        """What pickle and copy rebuild the value from: its fields (a subclass may keep more)."""
        return tuple(self[:len(self._fields)])

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")


def replace(value: Value | Frozen, **changes):
    """A copy of `value` with some fields changed, as dataclasses.replace makes it."""
    unknown = set(changes) - set(value._fields)
    if unknown:
        raise TypeError(f"{type(value).__name__} has no field {', '.join(sorted(unknown))}")
    return type(value)(**{name: changes[name] if name in changes else getattr(value, name) for name in value._fields})
