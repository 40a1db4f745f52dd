"""The command line: parse options, ask `store` and `query`, hand the result to a renderer.

Renderers (and rich) are imported inside the commands that use them, so a JSON run never
pays for the terminal machinery.
"""
from __future__ import annotations

import gc
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from . import __version__, query, store
from .deadline import parse_date
from .model import status_key, STATUSES

app = typer.Typer(
    name="portcli",
    help="Track the Tianjin port's 2022 cross-border trade facilitation plan (天津口岸促进跨境贸易便利化专项行动).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Format(str, Enum):
    table = "table"
    json = "json"


class FailOn(str, Enum):
    never = "never"
    overdue = "overdue"
    due_soon = "due-soon"


def _date_option(value: str) -> date:
    try:
        return parse_date(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


# The options every command shares, declared once (as sqlite-utils does with its output options).
DirOption = Annotated[Optional[Path], typer.Option(
    "--dir", help="The measures folder. Default: $PORTCLI_DIR, else measures/ here or in the nearest parent.",
    show_default=False)]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
AsOfOption = Annotated[Optional[date], typer.Option(
    "--as-of", parser=_date_option, metavar="DATE", show_default=False,
    help="Take this date as today (2022-06-15, 2022/6/15, 2022年6月15日).")]
UnitOption = Annotated[Optional[list[str]], typer.Option(
    "--unit", "-u", metavar="UNIT", show_default=False,
    help="Only measures naming this unit (short, full or English name, alias, or an unambiguous part). Repeatable.")]
LimitOption = Annotated[int, typer.Option(
    "--limit", min=0, help="At most this many table rows; 0 shows all. JSON always has every row.")]


def _today(as_of: date | None) -> date:
    return as_of or date.today()


def fail(message: str) -> NoReturn:
    """A wrong command line or an unusable folder: say so on stderr and exit 2."""
    from .render import printable

    sys.stderr.write(f"portcli: {printable(message)}\n")
    raise typer.Exit(2)


def _load(directory: Path | None) -> store.Loaded:
    try:
        loaded = store.load(store.find_directory(directory))
    except store.DirectoryNotFound as exc:
        fail(str(exc))
    # The measures live until the command ends: leaving them out of the cyclic garbage collector's
    # walks saves ~30 ms at 10,000 measures (they hold no cycles; refcounting still frees them).
    gc.freeze()
    return loaded


def _finish(loaded: store.Loaded, code: int = 0) -> NoReturn:
    """Report every problem on stderr; any problem makes the exit code 2 (SPEC §5)."""
    from .render import printable

    for problem in loaded.problems:
        sys.stderr.write(printable(str(problem)) + "\n")
    raise typer.Exit(2 if loaded.problems else code)


def _console():
    from rich.console import Console

    return Console(highlight=False, emoji=False, markup=False)


def _resolve_units(loaded: store.Loaded, names: list[str] | None) -> tuple[str, ...]:
    if not names:
        return ()
    if loaded.plan is None:
        _finish_with_failure(loaded, "cannot look up units: the plan file is broken")
    try:
        return tuple(dict.fromkeys(query.resolve_unit(loaded.plan, name).name for name in names))
    except query.LookupProblem as exc:
        _finish_with_failure(loaded, str(exc))


def _finish_with_failure(loaded: store.Loaded, message: str) -> NoReturn:
    from .render import printable

    for problem in loaded.problems:
        sys.stderr.write(printable(str(problem)) + "\n")
    fail(message)


def _statuses(values: list[str] | None) -> tuple[str, ...]:
    keys = []
    for value in values or ():
        key = status_key(value)
        if key is None:
            fail(f"unknown status {value!r}: use one of {', '.join(STATUSES)} or {'、'.join(STATUSES.values())}")
        keys.append(key)
    return tuple(keys)


def _version(value: bool) -> None:
    if value:
        print(f"portcli {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """portcli: what each unit owes, what is late, where the plan stands."""


@app.command("list")
def list_(
    unit: UnitOption = None,
    lead: Annotated[bool, typer.Option("--lead", help="With --unit: only measures the unit leads (牵头).")] = False,
    status: Annotated[Optional[list[str]], typer.Option(
        "--status", "-s", metavar="STATUS", show_default=False,
        help="Only this status (key or Chinese label, e.g. in_progress or 推进中). Repeatable.")] = None,
    task: Annotated[Optional[int], typer.Option("--task", "-t", help="Only this key task (1…11).",
                                                show_default=False)] = None,
    due_before: Annotated[Optional[date], typer.Option(
        "--due-before", parser=_date_option, metavar="DATE", show_default=False,
        help="Due strictly before DATE.")] = None,
    due_after: Annotated[Optional[date], typer.Option(
        "--due-after", parser=_date_option, metavar="DATE", show_default=False,
        help="Due strictly after DATE.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue measures.")] = False,
    due_soon: Annotated[Optional[int], typer.Option(
        "--due-soon", min=0, metavar="[DAYS]",
        show_default=False, help=f"Only measures due within DAYS (default {query.DEFAULT_DUE_SOON_DAYS}).")] = None,
    search: Annotated[Optional[str], typer.Option("--search", "-q", metavar="TEXT", show_default=False,
                                                  help="Only measures whose texts or notes contain TEXT.")] = None,
    as_of: AsOfOption = None,
    limit: LimitOption = 200,
    directory: DirOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Measures, filtered. Several filters combine with AND; a repeated --unit or --status means any of them."""
    statuses = _statuses(status)
    loaded = _load(directory)
    today = _today(as_of)
    filters = query.Filters(units=_resolve_units(loaded, unit), lead_only=lead, statuses=statuses, task=task,
                            due_before=due_before, due_after=due_after, overdue=overdue, due_soon=due_soon,
                            search=search)
    found = query.select(loaded.measures, filters, today)
    if format is Format.json:
        from .render import json

        json.measures(found, loaded.plan, today, sys.stdout)
    else:
        from .render import table

        table.measures(found, loaded.plan, today, _console(), limit=limit)
    _finish(loaded)


@app.command()
def show(
    measure_id: Annotated[int, typer.Argument(metavar="ID", help="The measure's id.")],
    as_of: AsOfOption = None,
    directory: DirOption = None,
    format: FormatOption = Format.table,
) -> None:
    """One measure in full: texts, units (lead marked), deadline, due date, progress and extensions."""
    loaded = _load(directory)
    found = next((m for m in loaded.measures if m.id == measure_id), None)
    if found is None:
        _finish_with_failure(loaded, f"no measure with id {measure_id}")
    today = _today(as_of)
    if format is Format.json:
        from .render import json

        json.measure(found, loaded.plan, today, sys.stdout)
    else:
        from .render import table

        table.measure(found, loaded.plan, today, _console())
    _finish(loaded)


@app.command()
def overdue(
    unit: UnitOption = None,
    as_of: AsOfOption = None,
    limit: LimitOption = 200,
    directory: DirOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Overdue measures as of --as-of, most overdue first, with days overdue."""
    loaded = _load(directory)
    today = _today(as_of)
    late = query.overdue(loaded.measures, today)
    if units := _resolve_units(loaded, unit):
        late = query.select(late, query.Filters(units=units), today)
    if format is Format.json:
        from .render import json

        json.measures(late, loaded.plan, today, sys.stdout)
    else:
        from .render import table

        table.measures(late, loaded.plan, today, _console(), limit=limit, show_overdue_days=True)
    _finish(loaded)


@app.command()
def report(
    unit: Annotated[Optional[str], typer.Option("--unit", "-u", metavar="UNIT", show_default=False,
                                                help="The report of one unit: only the measures it takes part in.")] = None,
    fail_on: Annotated[FailOn, typer.Option(
        "--fail-on", help="Exit 1 when a measure is overdue (overdue) or overdue or due soon (due-soon).")] = FailOn.never,
    due_soon: Annotated[int, typer.Option("--due-soon-days", min=0, help="What counts as due soon.")] =
        query.DEFAULT_DUE_SOON_DAYS,
    as_of: AsOfOption = None,
    directory: DirOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Status counts, completion, per-unit table, overdue and due-soon lists. The CI entry point."""
    loaded = _load(directory)
    today = _today(as_of)
    one_unit = _resolve_units(loaded, [unit])[0] if unit else None
    result = query.report(loaded.measures, loaded.plan, today, due_soon, one_unit)
    if format is Format.json:
        from .render import json

        json.report(result, loaded.plan, sys.stdout)
    else:
        from .render import table

        table.report(result, loaded.plan, _console())
    failing = (fail_on is FailOn.overdue and result.overdue) or (
        fail_on is FailOn.due_soon and (result.overdue or result.due_soon))
    _finish(loaded, 1 if failing else 0)


@app.command()
def units(
    directory: DirOption = None,
    format: FormatOption = Format.table,
) -> None:
    """The unit registry, with how many measures each unit leads and takes part in."""
    loaded = _load(directory)
    if loaded.plan is None:
        _finish(loaded)
    rows = []
    for u in loaded.plan.units:
        involved = [m for m in loaded.measures if u.name in m.units]
        rows.append({"name": u.name, "full_name": u.full_name, "english": u.english, "aliases": list(u.aliases),
                     "lead": sum(m.lead == u.name for m in involved), "involved": len(involved)})
    if format is Format.json:
        from .render import json

        json.units(rows, sys.stdout)
    else:
        from .render import table

        table.units(rows, _console())
    _finish(loaded)


@app.command()
def validate(
    directory: DirOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Check every file; each problem as FILE:LINE: message. Exit 0 when all are valid, else 2."""
    loaded = _load(directory)
    if format is Format.json:
        from .render import json

        json.problems(loaded.problems, sys.stdout)
        raise typer.Exit(2 if loaded.problems else 0)
    files = {p.file for p in loaded.problems}
    if loaded.problems:
        print(f"{len(loaded.problems)} problem(s) in {len(files)} file(s); {len(loaded.measures)} valid measure(s)")
    else:
        print(f"ok: {len(loaded.measures)} measures and the plan are valid")
    _finish(loaded)


# Options whose value may be left out, and the value that then stands for it. Typer has no
# optional option values, so the argument list is completed before it reaches Typer.
OPTIONAL_VALUES = {"--due-soon": str(query.DEFAULT_DUE_SOON_DAYS)}


def complete_args(args: list[str]) -> list[str]:
    """`--due-soon` alone means `--due-soon 14`; `--due-soon 30` and `--due-soon=30` stay."""
    out: list[str] = []
    for i, arg in enumerate(args):
        if arg == "--":
            return out + args[i:]
        out.append(arg)
        if arg in OPTIONAL_VALUES and not (i + 1 < len(args) and args[i + 1].isdigit()):
            out.append(OPTIONAL_VALUES[arg])
    return out


def run(args: list[str] | None = None) -> None:
    """Console-script entry point: a last guard so that no traceback reaches the user."""
    try:
        app(args=complete_args(sys.argv[1:] if args is None else args), prog_name="portcli")
    except KeyboardInterrupt:
        sys.stderr.write("portcli: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # a bug in portcli, not in the input: say so plainly
        sys.stderr.write(f"portcli: internal error: {type(exc).__name__}: {exc}\n"
                         "please report it with the command that caused it\n")
        sys.exit(2)
