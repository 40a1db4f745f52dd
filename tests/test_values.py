"""The value classes behave as the dataclasses they replaced: each is checked against a real
@dataclass with the same fields, built here from the standard library."""
from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from datetime import date, datetime
from pathlib import Path
from unittest import mock

import pytest

from portcli.chase import Chased, Notice
from portcli.history import Change
from portcli.load import Loaded
from portcli.model import Deadline, Extension, Measure, Plan, Progress, Task, Unit
from portcli.problem import Problem
from portcli.query import Figures, Filters, Report, UnitRow
from portcli.record import Written
from portcli.render.findings import Finding
from portcli.values import Frozen, Value, replace
from portcli.week import Changes
from portcli.write import Source

UNCOMPARED = {Filters: {"plans"}}  # fields the dataclass declared with compare=False
FROZEN = (Deadline, Unit, Task, Plan, Progress, Extension, Measure, Problem, Filters, Chased, Notice, Change, Source,
          Finding)
MUTABLE = (Figures, UnitRow, Report, Loaded, Written, Changes)
HOLDS_A_DICT = (Plan, Source)  # unhashable, as their dataclasses were


def twin(cls, frozen: bool):
    """A dataclass with `cls`'s constructor parameters as its fields, and their defaults."""
    params = list(inspect.signature(cls).parameters.values())
    spec = [(p.name, object, dataclasses.field(compare=p.name not in UNCOMPARED.get(cls, ()),
                                               **({} if p.default is p.empty else {"default": p.default})))
            for p in params]
    return dataclasses.make_dataclass(cls.__name__, spec, frozen=frozen)


def examples():
    """Pairs of values that differ in one field, and equal copies, for every class."""
    d = Deadline("2022年5月底前", "date", date(2022, 5, 31))
    m = Measure(4, 2, "国家措施", ("本地",), ("天津海关", "市商务局"), None, d, "in_progress",
                progress=(Progress(date(2022, 5, 1), "in_progress", "张三", "已开始"),))
    return {
        Deadline: (d, Deadline("2022年5月底前", "date", date(2022, 5, 30))),
        Unit: (Unit("天津海关", "天津海关全称", "Tianjin Customs", ("津关",)), Unit("天津海关", "天津海关全称", "Tianjin Customs")),
        Task: (Task(1, "一", "优化"), Task(1, "二", "优化")),
        Plan: (Plan("计划", 2022, {1: Task(1, "一", "优化")}), Plan("计划", 2023, {1: Task(1, "一", "优化")})),
        Progress: (Progress(date(2022, 5, 1), "done"), Progress(date(2022, 5, 1), "done", by="李四")),
        Extension: (Extension(date(2022, 5, 1), date(2022, 9, 30), "疫情"),
                    Extension(date(2022, 5, 1), date(2022, 9, 30), "疫情", date(2022, 5, 31))),
        Measure: (m, replace(m, plan="港口")),
        Problem: (Problem("a.yaml", 3, "bad-date", "x"), Problem("a.yaml", 4, "bad-date", "x")),
        Filters: (Filters(units=("天津海关",)), Filters(units=("天津海关",), lead_only=True)),
        Figures: (Figures(3, 2, 1), Figures(3, 2, 0)),
        UnitRow: (UnitRow("天津海关", lead=2), UnitRow("天津海关", lead=3)),
        Report: (Report(date(2022, 6, 15), 1, {"done": 1}, [], []), Report(date(2022, 6, 16), 1, {"done": 1}, [], [])),
        Loaded: (Loaded(None, [m]), Loaded(None, [])),
        Chased: (Chased(m, "overdue", 3, 5, False), Chased(m, "overdue", 4, 5, False)),
        Notice: (Notice("天津海关", date(2022, 6, 15), (), (), 14, (14,)),
                 Notice("天津海关", date(2022, 6, 15), (), (), 7, (14,))),
        Change: (Change("abc1", datetime(2022, 6, 1, 9), "张三", "进展", "measures/04.yaml", None, "done", (), (), True),
                 Change("abc1", datetime(2022, 6, 1, 9), "张三", "进展", "measures/04.yaml", None, "done", (), (), False)),
        Source: (Source(Path("04.yaml"), "id: 4\n", {"id": 4}, m, False), Source(Path("04.yaml"), "id: 4\n", {"id": 4}, m, True)),
        Finding: (Finding("ERROR", "bad-date", "measures/04.yaml", 3, "坏日期"),
                  Finding("ERROR", "bad-date", "measures/04.yaml", 4, "坏日期")),
        Written: (Written(m, Plan("计划", 2022), ["状态"]), Written(m, Plan("计划", 2022), ["进展"])),
        Changes: (Changes(date(2022, 6, 1), date(2022, 6, 8)), Changes(date(2022, 6, 1), date(2022, 6, 15))),
    }


@pytest.mark.parametrize("cls", FROZEN + MUTABLE, ids=lambda c: c.__name__)
def test_equality_repr_and_hash_are_the_dataclasses(cls):
    reference = twin(cls, frozen=cls in FROZEN)
    one, other = examples()[cls]
    as_reference = [reference(**{name: getattr(v, name) for name in cls._fields}) for v in (one, other)]
    again = copy.copy(one)
    assert again is not one
    assert (one == again, one == other, one != other) == (True, False, True)
    assert (as_reference[0] == as_reference[0], as_reference[0] == as_reference[1]) == (True, False)
    assert repr(one) == repr(as_reference[0])
    assert one != as_reference[0] and one != tuple(as_reference[0].__dict__.values())  # another class is never equal
    # ...unless the other class answers for itself: mock.ANY equals anything, a dataclass lets it say so
    assert (one == mock.ANY, one != mock.ANY, as_reference[0] == mock.ANY, as_reference[0] != mock.ANY) \
        == (True, False, True, False)
    if cls in FROZEN:  # a frozen value is a tuple underneath: still never equal to one, from either side, nor ordered
        items = tuple(one)
        assert (one == items, items == one, one != items, items != one) == (False, False, True, True)
        assert one not in [items] and items not in [one]
        with pytest.raises(TypeError, match="not supported"):
            one < again  # noqa: B015
    if cls in FROZEN and cls not in HOLDS_A_DICT:
        assert hash(one) == hash(again) == hash(as_reference[0])
    else:
        with pytest.raises(TypeError):
            hash(one)


@pytest.mark.parametrize("cls", MUTABLE, ids=lambda c: c.__name__)
def test_the_constructor_stores_every_field_and_only_them_in_order(cls):
    value = examples()[cls][0]
    assert list(vars(value)) == list(cls._fields) == list(inspect.signature(cls).parameters)


DERIVED = {Measure: ("due", "due_source")}  # kept after the fields, worked out from them


@pytest.mark.parametrize("cls", FROZEN, ids=lambda c: c.__name__)
def test_a_frozen_value_is_the_tuple_of_its_fields_in_order(cls):
    """Each field is read from its own place, given by the constructor's parameters; nothing is kept
    but the fields and what is worked out from them."""
    parameters = list(inspect.signature(cls).parameters)
    assert list(cls._fields) == parameters
    # every parameter given a value of its own: each name must read back the very object it was given
    given = {name: object() for name in parameters}
    if cls is Measure:
        given["deadline"] = examples()[Deadline][0]
        given["extensions"] = given["due_override"] = None
    value = cls(**given)
    assert [getattr(value, name) for name in parameters] == list(value)[:len(parameters)] == list(given.values())
    assert len(value) == len(parameters) + len(DERIVED.get(cls, ()))
    assert not hasattr(value, "__dict__") or cls in (Plan, Filters)  # only those keep a cached_property


@pytest.mark.parametrize("cls", FROZEN, ids=lambda c: c.__name__)
def test_a_frozen_value_refuses_assignment_and_deletion(cls):
    value = examples()[cls][0]
    name = cls._fields[0]
    before = getattr(value, name)
    with pytest.raises(AttributeError, match="frozen"):
        setattr(value, name, "changed")
    with pytest.raises(AttributeError, match="frozen"):
        delattr(value, name)
    assert getattr(value, name) == before


def test_defaults_that_hold_a_container_are_fresh_for_each_value():
    a, b = Plan("计划", 2022), Plan("计划", 2022)
    a.tasks[1] = Task(1, "一", "优化")
    assert b.tasks == {} and a != b
    rows = UnitRow("甲"), UnitRow("乙")
    rows[0].by_status["done"] += 1
    rows[0].led.add(True, True, False, False)
    assert rows[1].by_status["done"] == 0 and rows[1].led == Figures()
    loaded = Loaded(None), Loaded(None)
    loaded[0].measures.append(1)
    assert loaded[1].measures == []


def test_replace_changes_only_the_named_fields_and_forgets_what_was_worked_out():
    m = Measure(1, 1, None, (), ("天津海关",), None, Deadline("2022年5月底前", "date", date(2022, 5, 31)), "not_started")
    assert m.due == date(2022, 5, 31)  # worked out and kept on the instance
    later = replace(m, due_override=date(2022, 7, 1))
    assert later.due == date(2022, 7, 1) and later.due_source == "due"
    assert [name for name in Measure._fields if getattr(later, name) != getattr(m, name)] == ["due_override"]
    assert m.due == date(2022, 5, 31)
    with pytest.raises(TypeError, match="no field colour"):
        replace(m, colour="red")


def test_filters_are_equal_whatever_plans_they_look_up():
    """`plans` is what PLAN_DAYS looks up, not what the filter selects: equality ignores it, as the
    dataclass field did with compare=False."""
    assert Filters(units=("甲",), plans=Plan("a", 2022)) == Filters(units=("甲",), plans=None)
    assert hash(Filters(units=("甲",), plans=Plan("a", 2022))) == hash(Filters(units=("甲",)))
    assert "plans=None" in repr(Filters())


def test_values_survive_pickling():
    for one, _ in examples().values():
        if not isinstance(one, (Report, Loaded, Written)):
            assert pickle.loads(pickle.dumps(one)) == one


def test_a_lazy_pattern_answers_as_the_compiled_one_and_compiles_once(monkeypatch):
    import re

    from portcli.patterns import Lazy

    compiled = []
    real = re.compile
    monkeypatch.setattr(re, "compile", lambda *a: compiled.append(a) or real(*a))
    lazy = Lazy(r"(?P<month>\d{1,2})月(?:底|末)前?", re.ASCII)
    assert compiled == []
    text = "5月底前，１２月末"
    assert lazy.sub("#", text) == "#，１２月末" == real(r"(?P<month>\d{1,2})月(?:底|末)前?", re.ASCII).sub("#", text)
    assert lazy.fullmatch("12月末")["month"] == "12" and lazy.search("一月") is None
    assert lazy.findall("1月底 2月末") == ["1", "2"]
    assert compiled == [(r"(?P<month>\d{1,2})月(?:底|末)前?", re.ASCII)]


def allocated(make, count: int = 2000) -> int:
    """Bytes the `count` values `make()` returns hold, as tracemalloc counts them."""
    import tracemalloc

    tracemalloc.start()
    try:
        kept = [make() for _ in range(count)]
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del kept
    return held


def allocations() -> dict[str, tuple[int, int]]:
    """For each frozen class, what 2,000 of its values hold and what 2,000 of its dataclass twin's do."""
    found = {}
    for cls in FROZEN:
        reference = twin(cls, frozen=True)
        fields = {name: getattr(examples()[cls][0], name) for name in cls._fields}
        found[cls.__name__] = allocated(lambda: cls(**fields)), allocated(lambda: reference(**fields))
    return found


@pytest.fixture(scope="module")
def fresh_allocations() -> dict[str, tuple[int, int]]:
    """allocations() in an interpreter of its own: whether a class's instances share one table of keys
    depends on what the process did with the class before (after other tests, Plan's did not)."""
    import json
    import subprocess
    import sys

    code = f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); " \
           "import test_values; print(json.dumps(test_values.allocations()))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("cls", FROZEN, ids=lambda c: c.__name__)
def test_a_frozen_value_takes_no_more_memory_than_its_dataclass(cls, fresh_allocations):
    """Fields stored one attribute at a time, as a dataclass stores them, let a class's instances
    keep their values without a dict of their own; filled at once (a dict update), each Measure took
    560 bytes, not 240: 50 MB more at 100,000 measures."""
    ours, dataclass = fresh_allocations[cls.__name__]
    assert ours <= dataclass * 1.05


def test_a_class_defined_later_takes_its_fields_from_its_constructor():
    """Value works a class's fields out when the class is defined (model's classes were defined at
    import): classes defined here, each against the dataclass with the fields written out by hand.
    No field, one, two, keyword-only ones, a local variable of the constructor that is no field, a field
    left out of equality and hashing, and classes that add only methods and inherit their fields."""

    class Sized(Frozen):  # only methods: no constructor, no fields of its own
        def size(self) -> int:
            return len(self._fields)

    class One(Sized):
        def __new__(cls, a):
            return tuple.__new__(cls, (a,))

    class Two(Sized):
        def __new__(cls, a, b=0):
            doubled = 2 * b  # a local variable, not a field
            return tuple.__new__(cls, (a, doubled // 2))

    class Wider(Two):  # only methods again: Two's fields
        def total(self) -> int:
            return self.a + self.b

    class Keywords(Value):
        def __init__(self, a, *, b, c=3):
            self.a, self.b, self.c = a, b, c

    class Empty(Frozen):
        def __new__(cls):
            return tuple.__new__(cls)

    class Labelled(Frozen, uncompared=("label",)):
        def __new__(cls, a, label=""):
            return tuple.__new__(cls, (a, label))

    class Halved(Frozen, derived=("half",)):  # keeps, after its field, what it works out from it
        def __new__(cls, a):
            return tuple.__new__(cls, (a, a / 2))

    assert (One._fields, Two._fields, Wider._fields, Keywords._fields, Labelled._fields) == (
        ("a",), ("a", "b"), ("a", "b"), ("a", "b", "c"), ("a", "label"))
    assert (One(1).size(), Two(1).size(), Wider(1, 2).total()) == (1, 2, 3)

    OneRef = dataclasses.make_dataclass("One", [("a", int)], frozen=True)
    TwoRef = dataclasses.make_dataclass("Two", [("a", int), ("b", int)], frozen=True)
    KeywordsRef = dataclasses.make_dataclass("Keywords", [("a", int), ("b", int), ("c", int)])
    LabelledRef = dataclasses.make_dataclass(
        "Labelled", [("a", int), ("label", str, dataclasses.field(compare=False))], frozen=True)

    assert (One(1) == One(1), One(1) == One(2)) == (True, False)
    assert hash(One(1)) == hash(OneRef(1)) == hash((1,))
    assert (Two(1, 2) == Two(1, 2), Two(1, 2) == Two(1, 3), Two(1, 2) == Two(0, 2)) == (True, False, False)
    assert hash(Two(1, 2)) == hash(TwoRef(1, 2)) == hash((1, 2))
    assert (Wider(1, 2) == Wider(1, 2), Wider(1, 2) == Wider(1, 3), Wider(1, 2) == Two(1, 2)) == (True, False, False)
    assert [Keywords(1, b=2) == other for other in (Keywords(1, b=2), Keywords(1, b=5), Keywords(1, b=2, c=4))] \
        == [KeywordsRef(1, 2, 3) == other for other in (KeywordsRef(1, 2, 3), KeywordsRef(1, 5, 3), KeywordsRef(1, 2, 4))] \
        == [True, False, False]
    assert (Labelled(1, "x") == Labelled(1, "y"), Labelled(1, "x") == Labelled(2, "x")) \
        == (LabelledRef(1, "x") == LabelledRef(1, "y"), LabelledRef(1, "x") == LabelledRef(2, "x")) == (True, False)
    assert hash(Labelled(1, "x")) == hash(Labelled(1, "y")) == hash(LabelledRef(1, "x")) == hash((1,))
    assert (Halved._fields, Halved(3).half, Halved(3) == Halved(3), Halved(3) == Halved(4), repr(Halved(3))) \
        == (("a",), 1.5, True, False, f"{One.__qualname__.removesuffix('One')}Halved(a=3)")
    assert hash(Halved(3)) == hash((3,)) and replace(Halved(3), a=5).half == 2.5
    EmptyRef = dataclasses.make_dataclass("Empty", [], frozen=True)
    assert (Empty() == Empty(), Empty._fields, hash(Empty())) == (EmptyRef() == EmptyRef(), (), hash(EmptyRef()))

    local = One.__qualname__.removesuffix("One")  # the test's own `<locals>.` prefix, as a dataclass shows it
    assert [repr(One(1)), repr(Wider(1, 2)), repr(Keywords(1, b=2)), repr(Labelled(1, "x")), repr(Empty())] == [
        f"{local}One(a=1)", f"{local}Wider(a=1, b=2)", f"{local}Keywords(a=1, b=2, c=3)", f"{local}Labelled(a=1, label='x')", f"{local}Empty()"]
    assert replace(Keywords(1, b=2), c=9) == Keywords(1, b=2, c=9)


def test_a_constructor_behind_a_wrapper_gives_the_wrapped_ones_parameters_as_fields():
    """mutmut runs every constructor through a trampoline taking (*args, **kwargs), made with
    functools.wraps, which keeps the real one in __wrapped__: the fields are the real one's parameters,
    or under mutmut every value class would have none (and all values of a class be equal)."""
    import functools

    def trampoline(function):
        @functools.wraps(function)
        def call(*args, **kwargs):
            return function(*args, **kwargs)
        return call

    class Pair(Frozen):
        @trampoline
        def __new__(cls, a, b=0):
            return tuple.__new__(cls, (a, b))

    class Box(Value):
        @trampoline
        def __init__(self, width, *, height):
            self.width, self.height = width, height

    assert (Pair._fields, Box._fields) == (("a", "b"), ("width", "height"))
    assert (Pair(1, 2).b, Pair(1, 2) == Pair(1, 3), Box(1, height=2) == Box(1, height=3)) == (2, False, False)
    local = Pair.__qualname__.removesuffix("Pair")
    assert (repr(Pair(1)), repr(Box(4, height=5))) == (f"{local}Pair(a=1, b=0)", f"{local}Box(width=4, height=5)")


def test_refusals_name_the_class_and_the_fields():
    m = Measure(1, 1, None, (), ("天津海关",), None, Deadline("2022年5月底前", "date", date(2022, 5, 31)), "not_started")
    with pytest.raises(TypeError) as refused:
        replace(m, colour="red", age=3)
    assert str(refused.value) == "Measure has no field age, colour"
    with pytest.raises(AttributeError) as refused:
        m.status = "done"
    assert str(refused.value) == "cannot assign to field 'status' of a frozen Measure"
    with pytest.raises(AttributeError) as refused:
        del m.status
    assert str(refused.value) == "cannot delete field 'status' of a frozen Measure"


def test_the_date_of_the_value_classes_is_datetimes_own():
    """values.date is the C type itself, not a look-alike: pickles, isinstance and comparisons
    with the dates of yaml, dateutil and openpyxl all hold."""
    from portcli import values

    assert values.date is date


# --- cache and cached_property: functools' own, as portcli uses them, without importing functools ---

def test_cache_keeps_each_arguments_value_as_functools_cache_does():
    import functools

    from portcli.values import cache

    calls = []

    def square(n, offset=0):
        """A square."""
        calls.append(n)
        return [n * n + offset]  # a new list each call: a kept value is the very same object

    ours, theirs = cache(square), functools.cache(square)
    for f in (ours, theirs):
        calls.clear()
        first, again, other = f(3), f(3), f(4)
        assert first == [9] and first is again and other == [16] and calls == [3, 4]
        f.cache_clear()
        assert f(3) == [9] and f(3) is not first and calls == [3, 4, 3]
    assert (ours.__name__, ours.__doc__, ours.__wrapped__) == (theirs.__name__, theirs.__doc__, theirs.__wrapped__)


def test_cached_property_works_a_value_out_once_per_instance_as_functools_does():
    import functools

    from portcli.values import cached_property

    for decorator in (cached_property, functools.cached_property):
        class Box:
            made = 0

            def __init__(self, n):
                self.n = n

            @decorator
            def double(self):
                """Twice n."""
                Box.made += 1
                return [2 * self.n]

        a, b = Box(1), Box(5)
        assert a.double == [2] and a.double is a.double and b.double == [10] and Box.made == 2, decorator
        assert vars(a)["double"] == [2] and Box.__dict__["double"].__doc__ == "Twice n." and Box.double is Box.__dict__["double"]
        a.double = [7]  # a non-data descriptor: the instance's own value wins, as with functools
        assert a.double == [7] and Box.made == 2
