"""JSON as SPEC §4 gives it: the file's keys plus what portcli works out, UTF-8 unescaped."""
from __future__ import annotations

try:  # json's C encoder, without `import json`: that loads its decoder too (1.5 ms of a 30 ms query, issue 16)
    from _json import encode_basestring, make_encoder  # a str as JSON, as the one-line encoder writes it
except ImportError:  # a Python without the accelerator
    from json.encoder import encode_basestring
    make_encoder = None

from ..model import Measure, Plan
from ..patterns import Lazy
from ..plans import key, plan_of
from ..query import Report, days_overdue, days_since_progress, last_progress
from ..values import cache, date
from . import UNSAFE_ABOVE_C0

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import IO, Any, Callable, Iterable, Iterator


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def measure_dict(m: Measure, plan: Plan | None, as_of: date) -> dict[str, Any]:
    late = days_overdue(m, as_of)
    return {**_static_dict(m, plan), "overdue": late is not None, "days_overdue": late,
            "last_progress": _iso(last_progress(m, as_of)),
            "days_since_progress": days_since_progress(m, as_of, plan_of(plan, m)), "file": m.file}


def _static_dict(m: Measure, plan: Plan | None) -> dict[str, Any]:
    """A measure's JSON fields that do not depend on the date asked about, or on where it is read."""
    plan = plan_of(plan, m)
    task = plan.tasks.get(m.task) if plan else None
    return {
        "plan": m.plan,
        "id": m.id,
        "task": m.task,
        "national": m.national,
        "local": list(m.local),
        "units": list(m.units),
        "units_note": m.units_note,
        "deadline": m.deadline.phrase,
        "due": _iso(m.due),
        "status": m.status,
        "progress": [{"date": _iso(p.date), "status": p.status, "by": p.by, "note": p.note} for p in m.progress],
        "extensions": [{"date": _iso(e.date), "from": _iso(e.from_), "to": _iso(e.to), "by": e.by,
                        "reason": e.reason} for e in m.extensions],
        "task_title": task.title if task else None,
        "lead": m.lead,
        "deadline_kind": m.deadline.kind,
        "deadline_authority": m.deadline.authority,
        "due_source": m.due_source,
    }


# Characters json leaves raw with ensure_ascii=False that a terminal or a line-based reader may act
# on (C1 controls, DEL, bidi overrides, U+2028/9) or that cannot be encoded (lone surrogates from
# undecodable file names). They can only occur inside strings, where \uXXXX means the same.
# Each is one Unicode calls Other or Separator: a printable line (most are) has none, and is not
# searched; the pattern (0.8 ms to compile, issue 16) is compiled for the first line that is not.
_RAW_UNSAFE = Lazy(f"[{UNSAFE_ABOVE_C0}\u2028\u2029]")


def _safe(line: str) -> str:
    """As dump() does: no raw C1, line or bidi control in the output."""
    if line.isprintable():
        return line
    return _RAW_UNSAFE.sub(lambda c: f"\\u{ord(c.group()):04x}", line) if _RAW_UNSAFE.search(line) else line


def dump(value: Any, out: IO[str]) -> None:
    """`value` as json.dumps(value, ensure_ascii=False, indent=2) gives it, and a newline."""
    _write(value, out)
    out.write("\n")


def dump_items(items: Iterable[Any], out: IO[str]) -> None:
    """`dump(list(items))`, byte for byte, each item written as it comes: the list is never held."""
    separator = "[\n  "
    for item in items:
        out.write(separator)
        _write(item, out, 1)
        separator = ",\n  "
    out.write("[]\n" if separator == "[\n  " else "\n]\n")


_PIECES = 4096  # pieces joined and written at a time: a few tens of KB


def _write(value: Any, out: IO[str], level: int = 0) -> None:
    """`value` as `dump` writes it (without the newline), `level` levels of indent deep inside a larger
    document, written a few thousand pieces at a time: a document of 100,000 measures' ids is never
    held whole as text."""
    batch: list[str] = []
    _indented(value, "\n" + "  " * level, batch, out)
    _flush(batch, out)


def _indented(value: Any, newline: str, batch: list[str], out: IO[str]) -> None:
    """The pieces of `value` as json.dumps(value, ensure_ascii=False, indent=2) writes it, `newline`
    starting each of its lines, appended to `batch` (written to `out` when it is long). json's own
    indented encoder is Python all through, a generator a level, and took 60% of a report in JSON at
    100,000 measures; here each value that is no container is written by the C encoder, and a list of
    such values, or an object of them, in a few calls: the report's lists of ids and its rows."""
    if isinstance(value, dict):
        if not value:
            batch.append("{}")
            return
        inner = newline + "  "
        if set(map(type, value)) == {str} and set(map(type, value.values())) <= _SCALAR_KINDS:
            batch.append("{" + inner + ("," + inner).join(
                [f"{encode_basestring(name)}: {_SCALARS[type(item)](item)}" for name, item in value.items()])
                + newline + "}")
        else:
            separator = "{" + inner
            for name, item in value.items():
                batch.append(f"{separator}{_key(name)}: ")
                _indented(item, inner, batch, out)
                separator = "," + inner
            batch.append(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            batch.append("[]")
            return
        inner = newline + "  "
        kinds = set(map(type, value))
        if len(kinds) == 1 and (write := _SCALARS.get(kinds.pop())) is not None:
            separator = "[" + inner
            for start in range(0, len(value), _PIECES):  # a list of 100,000 ids is not held whole as text
                batch.append(separator + ("," + inner).join(map(write, value[start:start + _PIECES])))
                separator = "," + inner
                if len(batch) >= _PIECES:
                    _flush(batch, out)
            batch.append(newline + "]")
        else:
            separator = "[" + inner
            for item in value:
                batch.append(separator)
                _indented(item, inner, batch, out)
                separator = "," + inner
            batch.append(newline + "]")
    elif value.__class__ is str:
        batch.append(encode_basestring(value))
    else:
        batch.append(_one_line_encoder()(value))
    if len(batch) >= _PIECES:
        _flush(batch, out)


def _flush(batch: list[str], out: IO[str]) -> None:
    """The pieces so far, written as one text, unsafe characters escaped; the batch emptied."""
    out.write(_safe("".join(batch)))
    batch.clear()


# The values that are no container, by their exact type, and how json writes each (a subclass, a
# float's NaN and infinities: by the C encoder).
_SCALARS: dict[type, Any] = {
    str: encode_basestring,
    int: int.__repr__,
    bool: lambda value: "true" if value else "false",
    type(None): lambda value: "null",
    float: lambda value: _one_line_encoder()(value),
}
_SCALAR_KINDS = set(_SCALARS)


def _key(key: Any) -> str:
    """A key of an object, as json writes it: a string, or a number, true, false or null as a string."""
    if isinstance(key, str):
        return encode_basestring(key)
    if key is None or isinstance(key, (bool, int, float)):
        return encode_basestring(_one_line_encoder()(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


@cache
def _one_line_encoder():
    """obj -> its JSON on one line, UTF-8 unescaped; the C encoder built once, not once a call."""
    if make_encoder is not None:
        try:
            encode = make_encoder(None, _not_json, encode_basestring, None, ": ", ", ", False, False, True)
            return lambda obj: "".join(encode(obj, 0))
        except TypeError:  # another Python's signature
            pass
    import json  # a Python without the C accelerator

    return json.JSONEncoder(ensure_ascii=False).encode


def _not_json(value: Any):
    """What json.JSONEncoder.default does: refuse. A measure's fields are all JSON's own types."""
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def static_json(m: Measure, plan: Plan | None) -> str:
    """The start of the measure's line in `measures`: its fields that depend neither on the date
    asked about nor on where the file is read."""
    return _safe(_one_line_encoder()(_static_dict(m, plan)))[:-1]


def measures(ms: Iterable[Measure], plan: Plan | None, as_of: date, out: IO[str]) -> None:
    """A JSON array with one measure a line, written as it goes: 10,000 measures print in a blink,
    and the lines suit grep, diff and `jq -c`."""
    array_of_lines(measure_lines(ms, plan, as_of), out)


def measure_lines(ms: Iterable[Measure], plan: Plan | None, as_of: date) -> Iterator[str]:
    """Each measure's line of `measures`, made as it is asked for."""
    for m in ms:
        late = days_overdue(m, as_of)
        heard = last_progress(m, as_of)
        heard = "null" if heard is None else f'"{heard.isoformat()}"'  # an ISO date needs no escaping
        silent = days_since_progress(m, as_of, plan_of(plan, m))
        yield (f'{static_json(m, plan)}, '
               f'"overdue": {"false" if late is None else "true"}, "days_overdue": {"null" if late is None else late}, '
               f'"last_progress": {heard}, '
               f'"days_since_progress": {"null" if silent is None else silent}, '
               f'"file": {_safe(encode_basestring(m.file))}}}')


def array_of_lines(items: Iterable[str], out: IO[str]) -> None:
    """The JSON array of `items`, each already JSON, one a line; written a thousand lines at a time."""
    batch: list[str] = []
    separator = "[\n"
    for item in items:
        batch.append(item)
        if len(batch) == 1000:
            out.write(separator + ",\n".join(batch))
            batch.clear()
            separator = ",\n"
    if batch:
        out.write(separator + ",\n".join(batch) + "\n]\n")
    else:
        out.write("[]\n" if separator == "[\n" else "\n]\n")


def measure(m: Measure, plan: Plan | None, as_of: date, out: IO[str]) -> None:
    dump(measure_dict(m, plan, as_of), out)


def report(r: Report, plan: Plan | None, out: IO[str]) -> None:
    _write_object(report_items(r), out)
    out.write("\n")


def plans_report(reports: Iterable[tuple[str, Report]], total: Report | None, out: IO[str],
                 plans: Callable[[IO[str], int], None] | None = None,
                 total_written: Callable[[IO[str], int], None] | None = None) -> None:
    """The report of a folder of several plans: each plan's, by name, and the total over them, as
    `dump` writes {"plans": {name: report, ...}, "total": report}, byte for byte; but written as the
    plans' reports come, so that 1,000 plans' reports are never held at once, as dicts or as text.
    `plans(out, level)` and `total_written(out, level)`, when given, write the "plans" object and the
    total's instead of `reports` and `total` (with `plan_members`, `end_object` and `report_object`:
    a report written by two processes, shared_output, which gives no `total` then)."""
    _write_object([("plans", _Object(plan_items(reports), plans)),
                   ("total", _Object(report_items(total), total_written))], out)
    out.write("\n")


def report_object(r: Report, out: IO[str], level: int) -> None:
    """The object of a report, as `plans_report` writes it `level` deep."""
    _write_object(report_items(r), out, level)


def plan_items(reports: Iterable[tuple[str, Report]]) -> Iterator[tuple[str, Any]]:
    """The members of plans_report's "plans" object."""
    return ((name, _Object(report_items(r))) for name, r in reports)


def plan_members(reports: Iterable[tuple[str, Report]], out: IO[str], level: int, opening: str) -> bool:
    """A run of the "plans" object's members, as plans_report writes them `level` deep: the first after
    `opening` ("{" when it opens the object, "," after other members, "" when the caller writes it),
    the others after ","; whether there was any. `end_object` ends the object."""
    return _write_members(plan_items(reports), out, level, opening)


class _Object:
    """A JSON object whose (key, value) pairs are made as `_write_object` writes them; `write(out,
    level)`, when given, writes it instead."""

    def __init__(self, items: Iterable[tuple[str, Any]], write: Callable[[IO[str], int], None] | None = None):
        self.items, self.write = items, write


def _write_object(items: Iterable[tuple[str, Any]], out: IO[str], level: int = 0) -> None:
    """The object of `items` as `_write` writes the dict of them, byte for byte, each value made and
    written in turn (an `_Object` value the same way, a level deeper): the total of 100,000 measures
    is never held whole as a dict."""
    end_object(_write_members(items, out, level, "{"), out, level)


def _write_members(items: Iterable[tuple[str, Any]], out: IO[str], level: int, opening: str) -> bool:
    """The members of `_write_object`'s object, the first after `opening`, the others after ","; whether
    there was any."""
    inner = "\n" + "  " * (level + 1)
    separator = opening + inner
    wrote = False
    for name, value in items:
        out.write(separator)
        _write(name, out)
        out.write(": ")
        if isinstance(value, _Object):
            if value.write is not None:
                value.write(out, level + 1)
            else:
                _write_object(value.items, out, level + 1)
        else:
            _write(value, out, level + 1)
        del value  # not alive while the next is made
        separator = "," + inner
        wrote = True
    return wrote


def end_object(wrote: bool, out: IO[str], level: int) -> None:
    """The end of an object `level` deep whose members are written: "{}" when there was none."""
    out.write("\n" + "  " * level + "}" if wrote else "{}")


def report_items(r: Report) -> Iterator[tuple[str, Any]]:
    """The report's JSON, key by key, each value made as it is asked for."""
    yield "as_of", r.as_of.isoformat()
    yield "unit", r.unit
    yield "total", r.total
    yield "by_status", r.by_status
    yield "completion_rate", round(r.completion, 4)
    yield "overdue", [key(m) for m in r.overdue]
    yield "due_soon", [key(m) for m in r.due_soon]
    yield "extended", [key(m) for m in r.extended]
    yield "units", [{"unit": u.unit, "lead": u.lead, "involved": u.involved, "done": u.done,
                     "overdue": u.overdue, "extended": u.extended,
                     "as_lead": _figures(u.led), "as_co_operating": _figures(u.co)}
                    for u in r.units]
    yield "overdue_measures", [{"id": key(m), "lead": m.lead, "due": _iso(m.due), "days_overdue": (r.as_of - m.due).days}
                               for m in r.overdue]
    yield "stale_days", r.stale_days
    yield "stale", [key(m) for m in r.stale]
    yield "stale_by_unit", [{"unit": unit, "lead": [key(m) for m in led], "co_operating": [key(m) for m in co]}
                            for unit, led, co in r.stale_units]
    yield "ranked", r.ranked
    if r.changes is not None:
        c = r.changes
        yield "changes", {"since": c.since.isoformat(), "as_of": c.as_of.isoformat(),
                          **{name: [key(m) for m in ms] for name, ms in c.lists().items()}}


def _figures(f) -> dict[str, Any]:
    rate, share = f.on_time_rate, f.overdue_share
    return {"measures": f.measures, "due": f.due, "on_time": f.on_time,
            "on_time_rate": None if rate is None else round(rate, 4), "overdue": f.overdue,
            "overdue_share": None if share is None else round(share, 4), "stale": f.stale}


def units(rows: list[dict[str, Any]], out: IO[str]) -> None:
    dump(rows, out)


def validation(ps, valid: int, out: IO[str]) -> None:
    """What `validate` found: every problem and how many measures are valid. The message is in
    English whatever the language, so that JSON never depends on it; the code says the same for programs."""
    dump({"problems": [{"file": p.file, "line": p.line, "code": p.code, "message": p.message.in_english()} for p in ps],
          "valid": valid}, out)


def history(changes, out: IO[str]) -> None:
    dump([{"commit": c.commit, "date": c.when.isoformat(), "author": c.author, "subject": c.subject,
           "file": c.path, "created": c.created, "readable": c.readable, "status_before": c.status_before, "status_after": c.status_after,
           "progress": list(c.progress), "extensions": list(c.extensions)} for c in changes], out)
