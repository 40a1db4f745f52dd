"""The command line: parse options, ask `load` and `query`, hand the result to a renderer.

Renderers (and rich) are imported inside the commands that use them, so a JSON run never
pays for the terminal machinery.
"""
from __future__ import annotations

import copy
import os
import sys
from contextlib import contextmanager, nullcontext
from enum import Enum
from pathlib import Path
from typing import IO, Annotated, Callable, Iterator, NoReturn, Optional, Sequence

import click
import typer

from . import __version__, commands, files, load, query, shared_output
# The helpers shared with the fast path (entry.py), which must not import typer or click.
from .commands import (READER_GONE, _console, _directory, _finish, _finish_with_failure, _load, _load_folder, _output,
                       _plans_of, _resolve_units, _statuses, _today, complete_args, fail, reason, report_problems, say)
from .i18n import Message, N_, _, ngettext
from .load import Loaded, plan_folders
from .plans import BadReference, label, parse_reference
from .model import MAX_ID, Plan, STATUSES
from .values import date

class PortcliGroup(typer.core.TyperGroup):
    """typer's group, ending with click's exit code when a command (in commands.py, which knows no
    click) raises commands.Exit: the same code, and nothing more said, as a typer.Exit."""

    def main(self, *args, **kwargs):
        try:
            return super().main(*args, **kwargs)
        except commands.Exit as exc:
            if kwargs.get("standalone_mode", True):
                sys.exit(exc.exit_code)
            return exc.exit_code


app = typer.Typer(
    name="portcli",
    cls=PortcliGroup,
    help=N_("Track the Tianjin port's 2022 plan to facilitate cross-border trade."),
    no_args_is_help=True,
    suggest_commands=False,  # click suggests them itself, through gettext; typer's suggestion is English only
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,  # portcli's own --show-completion/--install-completion: they take a shell
)
# Typer registers its completion classes (what `_PORTCLI_COMPLETE=complete_bash` asks for) only
# along with its own completion options.
typer.completion.completion_init()


class Format(str, Enum):
    table = "table"
    json = "json"


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    github = "github"
    gitlab = "gitlab"
    html = "html"


class ValidateFormat(str, Enum):
    table = "table"
    json = "json"
    github = "github"
    gitlab = "gitlab"


class ExportFormat(str, Enum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    ics = "ics"


class FailOn(str, Enum):
    never = "never"
    overdue = "overdue"
    due_soon = "due-soon"


def _date_option(value: str) -> date:
    try:
        return commands.date_option(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


# Bounds of the numbers a command line may give. Past them a number means nothing more (no plan has
# a billion measures; a due-soon window of a century already takes in every date ahead), and
# unbounded ones reach date arithmetic that `datetime` cannot do.
MAX_ROWS = 999_999_999
MAX_DUE_SOON_DAYS = 36_500
MAX_STALE_DAYS = 36_500  # as --due-soon: a century of silence already takes in every plan


class DueSoonDays(click.IntRange):
    """--due-soon's DAYS, 0…MAX_DUE_SOON_DAYS, or commands.PLAN_DAYS_ARG (query.PLAN_DAYS): the plan's own."""

    def __init__(self) -> None:
        super().__init__(0, MAX_DUE_SOON_DAYS)

    def convert(self, value, param, ctx):
        return query.PLAN_DAYS if value == commands.PLAN_DAYS_ARG else super().convert(value, param, ctx)


# The options every command shares, declared once (as sqlite-utils does with its output options).
DirOption = Annotated[Optional[Path], typer.Option(
    "--dir", help=N_("The measures folder. Default: $PORTCLI_DIR, else measures/ here or in the nearest parent."),
    show_default=False)]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help=N_("Output format."))]
AsOfOption = Annotated[Optional[date], typer.Option(
    "--as-of", parser=_date_option, metavar="DATE", show_default=False,
    help=N_("Take this date as today (2022-06-15, 2022/6/15, {chinese_date})."))]
UnitOption = Annotated[Optional[list[str]], typer.Option(
    "--unit", "-u", metavar="UNIT", show_default=False,
    help=N_("Only measures naming this unit (short, full or English name, alias, or an unambiguous part). Repeatable."))]
# A screenful or two, as `gh` shows 30: rich takes ~0.7 ms a row, and 4,659 overdue measures in a
# terminal are read through --unit, --task or JSON, not by scrolling.
DEFAULT_LIMIT = 50
LimitOption = Annotated[int, typer.Option(
    "--limit", min=0, max=MAX_ROWS, help=N_("At most this many table rows; 0 shows all. JSON always has every row."))]
# Read by speak_for before click parses anything (i18n.from_arguments); declared so that click
# accepts it on every command and help shows it. A value speak_for rejects never reaches click.
LangOption = Annotated[Optional[str], typer.Option(
    "--lang", metavar="zh|en", show_default=False,
    help=N_("The language to speak: zh (Chinese) or en (English). Default: $PORTCLI_LANG, else the locale."))]


class MeasureReference(click.ParamType):
    """ID, or PLAN:ID in a folder of several plans: (plan name or None, id). A bare id is checked as
    the whole number it always was, with click's own words."""

    name = "ID"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        text = str(value)
        if ":" not in text:
            return None, click.IntRange(1, MAX_ID).convert(text, param, ctx)
        try:
            return parse_reference(text)
        except BadReference as exc:
            self.fail(str(exc), param, ctx)


IdArgument = Annotated[tuple, typer.Argument(
    metavar="ID", click_type=MeasureReference(),
    help=N_("The measure's id; PLAN:ID when the measures folder holds several plans."))]
PlanOption = Annotated[Optional[list[str]], typer.Option(
    "--plan", "-p", metavar="NAME", show_default=False,
    help=N_("Only this plan (its folder's name) when the measures folder holds several. Repeatable."))]
OutputOption = Annotated[Optional[Path], typer.Option(
    "--output", "-o", metavar="FILE", show_default=False, help=N_("Write to FILE instead of stdout."))]


REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json", ".txt": "table"}
EXPORT_SUFFIXES = {".json": "json", ".csv": "csv", ".xlsx": "xlsx", ".ics": "ics"}


def _format_from_suffix(output: Path | None, formats: type[Enum], suffixes: dict[str, str], default: Enum) -> Enum:
    """The format --output's suffix names; the default without --output; exit 2 for a suffix that names none."""
    if output is None:
        return default
    name = suffixes.get(output.suffix.lower())
    if name is None:
        fail(_("cannot tell the format from the name {name!r}: give --format ({formats}) or a name ending in "
               "{suffixes}").format(name=output.name, formats=", ".join(f.value for f in formats),
                                   suffixes=", ".join(suffixes)))
    return formats(name)


Sections = Callable[..., Iterator[tuple[str, query.Report, Optional[Plan]]]]  # (plan names, or None for all)


def _sections(loaded: Loaded, today: date, days: int | None, unit: str | None, stale_days: int, rank: bool,
              add_changes: Callable[[query.Report], None] | None = None) -> Sections:
    """The report's sections of `loaded`: sections(names) gives each plan's (of `names`, else all) as
    _plan_reports makes them, afresh where they are wanted (one is alive at a time). In a folder of
    several plans each measure is counted in its plan's section and in the total: what it is counted
    by is worked out once, for both (`sections.known`; with --unit each report keeps its unit's)."""
    known = query.facts(loaded.measures, _plans_of(loaded), today, days, stale_days) if loaded.several else None

    def sections(names: list[str] | None = None):
        return _plan_reports(loaded, today, days, unit, stale_days, rank, add_changes, known, names)

    sections.known = known
    return sections


def _plan_reports(loaded: Loaded, today: date, days: int, unit: str | None, stale_days: int = query.DEFAULT_STALE_DAYS,
                  rank: bool = False, add_changes: Callable[[query.Report], None] | None = None,
                  known: list[tuple] | None = None,
                  names: list[str] | None = None) -> Iterator[tuple[str, query.Report, Plan | None]]:
    """Each plan's report (name, report, plan), in a folder of several plans (with a unit: the plans it
    takes part in); none for a one-plan folder, whose report is the total. Made one at a time as they
    are asked for, so that a report of 1,000 plans holds one plan's report at a time, not all of them.
    `known`: query.facts of loaded.measures, as the total's report worked them out. `names`: only
    these plans' (a run of them, in order: the part of the report a second process writes)."""
    if not loaded.several:
        return
    by_plan: dict[str, tuple[list, list]] = {name: ([], []) for name in (loaded.plans if names is None else names)}
    for i, m in enumerate(loaded.measures):
        found = by_plan.get(m.plan)
        if found is None:  # a plan not asked for
            continue
        measures, facts = found
        measures.append(m)
        if known is not None:
            facts.append(known[i])
    for name in list(by_plan):
        measures, facts = by_plan.pop(name)
        r = query.report(measures, loaded.plans[name], today, days, unit, stale_days, rank,
                         facts if known is not None else None)
        if unit is None or r.total:
            if add_changes is not None:
                add_changes(r)
            yield name, r, loaded.plans[name]


def _changes_adder(loaded: Loaded, since: date, today: date) -> Callable[[query.Report], None]:
    """What sets a report's 本期变化 over (since, today]: from the progress entries and extensions, and from
    the status changes to done that git recorded in the period when the folder is in a repository
    (asked of git once, for every report)."""
    from . import history, week

    committed = history.done_in_commits(loaded.directory, [m.file for m in loaded.measures], since, today)

    def add(r: query.Report) -> None:
        r.changes = week.changes(r.measures, since, today, committed)

    return add


def _markdown_report(result: query.Report | None, sections: Sections, loaded: Loaded, out: IO[str],
                     halves: tuple[list[str], list[str]] | None = None,
                     total: Callable[[shared_output.Sent | None], query.Report] | None = None,
                     ahead: shared_output.Ahead | None = None,
                     problems: Callable[[], Sequence] | None = None) -> query.Report:
    """The Markdown report, and its total. With `halves`, the second half's sections are written by a
    child (shared_output; `ahead`: one started before the load) while this process writes the first
    half's, and works out the total (`total(what the child sent of its plans, if it sends)`: `result`
    is None) and writes it into a spool, which follows; `problems()`: the whole tree's, once the total
    is had."""
    from .render import markdown

    if not halves:
        shared_output.markdown_sections(sections, None, out)
        markdown.report(result, _plans_of(loaded), out, loaded.problems)
        return result
    spool = shared_output.Spool(out)

    def mine(out: IO[str]) -> query.Report:
        shared_output.markdown_sections(sections, halves[0], out)
        sent = ahead.sent() if ahead else None
        result = total(sent)
        if sent is not None:  # the child's measures in the total's lists, with the rows it sent next
            shared_output.rows_sent(result, ahead, shared_output.markdown_shown(result.as_of))
        markdown.report(result, result.plan, spool.text, problems())
        return result

    theirs = ahead.written if ahead else lambda out: shared_output.markdown_sections(sections, halves[1], out)
    result, _more = shared_output.in_two(out, mine, theirs, ahead=ahead and ahead.started)
    spool.copy_to(out)
    return result


def _append_step_summary(result: query.Report, sections: Sections, loaded: Loaded) -> None:
    """In GitHub Actions, the report also goes to the run's summary page, whatever --format says.
    The summary is a courtesy: failing to write it only warns, it never changes the exit code."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as out:
            _markdown_report(result, sections, loaded, out)
    except OSError as exc:
        say(_("warning: cannot append the report to $GITHUB_STEP_SUMMARY ({path}): {reason}").format(
            path=path, reason=reason(exc)))


def _step_summary_or(command: str) -> str:
    """Where GitHub annotations left out can be read in full: the step summary portcli writes, or
    the command's own output outside GitHub Actions."""
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        return _("the step summary")
    return _("the output of `portcli {command}`").format(command=command)


def _append_problems_to_step_summary(problems) -> None:
    """The whole list of problems for the summary page, when GitHub would not annotate them all."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    from .render import markdown

    try:
        with open(path, "a", encoding="utf-8") as out:
            out.write("\n".join(markdown.problems_section(problems)) + "\n")
    except OSError as exc:
        say(_("warning: cannot append the problems to $GITHUB_STEP_SUMMARY ({path}): {reason}").format(
            path=path, reason=reason(exc)))


def _set_step_outputs(result: query.Report) -> None:
    """In GitHub Actions, the counts become the step's outputs (`overdue`, `due-soon`), for later
    steps and for the portcli action's own outputs. Like the summary, a courtesy: it only warns."""
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"overdue={len(result.overdue)}\ndue-soon={len(result.due_soon)}\n")
    except OSError as exc:
        say(_("warning: cannot write the counts to $GITHUB_OUTPUT ({path}): {reason}").format(
            path=path, reason=reason(exc)))


def _measure(loaded: Loaded, reference: tuple[str | None, int]):
    plan, measure_id = reference
    if plan is not None:
        if not loaded.several:
            _finish_with_failure(loaded, _("{reference}: {folder} holds one plan; name the measure by its id "
                                           "alone").format(reference=f"{plan}:{measure_id}", folder=loaded.directory))
        if plan not in loaded.plans:
            _finish_with_failure(loaded, _("no plan {name} in {folder}: its plans are {names}").format(
                name=plan, folder=loaded.directory, names=", ".join(loaded.plans)))
    found = [m for m in loaded.measures if m.id == measure_id and (plan is None or m.plan == plan)]
    if len(found) > 1:
        _finish_with_failure(loaded, _("id {id} is in several plans: say which, as {names}").format(
            id=measure_id, names=Message.either([label(m) for m in found])))
    found = found[0] if found else None
    if found is None:
        files = sorted({p.file for p in loaded.problems})
        if not files:
            _finish_with_failure(loaded, _("no measure with id {id}").format(id=measure_id))
        shown = ", ".join(files[:3]) + (", …" if len(files) > 3 else "")
        _finish_with_failure(loaded, ngettext(
            "no measure with id {id}; it may be in the invalid file above ({files})",
            "no measure with id {id}; it may be in one of the {count} invalid files above ({files})",
            len(files)).format(id=measure_id, count=len(files), files=shown))
    return found


def _version(value: bool) -> None:
    if value:
        with _output(None) as out:
            out.write(f"portcli {__version__}\n")
        raise typer.Exit()


def _shell(value: str) -> str:
    from . import completion

    try:
        return completion.choose(value)
    except completion.ShellUnknown as exc:
        fail(str(exc))


def _show_completion(value: str | None) -> None:
    if value is not None:
        from . import completion

        script = completion.script(_shell(value))
        with _output(None) as out:
            out.write(script + "\n")
        raise typer.Exit()


def _install_completion(value: str | None) -> None:
    if value is not None:
        from . import completion

        shell = _shell(value)
        try:
            path = completion.install(shell)
        except OSError as exc:
            fail(_("cannot install {shell} completion: {reason}").format(shell=shell, reason=reason(exc)))
        with _output(None) as out:
            out.write(_("{shell} completion installed in {path}").format(shell=shell, path=path) + "\n"
                      + _("Completion will take effect once you restart the terminal") + "\n")
        raise typer.Exit()


# The shell is optional after --show-completion and --install-completion (see OPTIONAL_VALUES):
# "" stands for "the one portcli runs in".
ShellOption = dict(metavar="[SHELL]", is_eager=True, show_default=False)


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help=N_("Print the version and exit."))] = False,
    install_completion: Annotated[Optional[str], typer.Option(
        "--install-completion", callback=_install_completion, **ShellOption,
        help=N_("Install completion for SHELL (bash, zsh, fish, powershell, pwsh); "
             "default: the shell portcli runs in, else $SHELL."))] = None,
    show_completion: Annotated[Optional[str], typer.Option(
        "--show-completion", callback=_show_completion, **ShellOption,
        help=N_("Show completion for SHELL, to copy it or customize the installation; "
             "default: the shell portcli runs in, else $SHELL."))] = None,
    lang: LangOption = None,
) -> None:
    """portcli: what each unit owes, what is late, where the plan stands."""


@app.command("list")
def list_(
    unit: UnitOption = None,
    lead: Annotated[bool, typer.Option("--lead", help=N_("With --unit: only measures the unit leads."))] = False,
    status: Annotated[Optional[list[str]], typer.Option(
        "--status", "-s", metavar="STATUS", show_default=False,
        help=N_("Only this status (key or Chinese label, e.g. in_progress or {in_progress_label}). Repeatable."))] = None,
    task: Annotated[Optional[list[int]], typer.Option(
        "--task", "-t", metavar="N", show_default=False, help=N_("Only this key task (1…11). Repeatable."))] = None,
    due_before: Annotated[Optional[date], typer.Option(
        "--due-before", parser=_date_option, metavar="DATE", show_default=False,
        help=N_("Due strictly before DATE."))] = None,
    due_after: Annotated[Optional[date], typer.Option(
        "--due-after", parser=_date_option, metavar="DATE", show_default=False,
        help=N_("Due strictly after DATE."))] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help=N_("Only overdue measures."))] = False,
    due_soon: Annotated[Optional[int], typer.Option(
        "--due-soon", click_type=DueSoonDays(), metavar="[DAYS]", show_default=False,
        help=N_("Only measures due within DAYS (default: the plan's {lights_key}, else {default_days})."))] = None,
    stale: Annotated[Optional[int], typer.Option(
        "--stale", min=0, max=MAX_STALE_DAYS, metavar="[DAYS]", show_default=False,
        help=N_("Only measures to chase: not done, and no progress for more than DAYS (default {default_stale_days}), "
             "counted from the plan's start when there is none."))] = None,
    search: Annotated[Optional[list[str]], typer.Option(
        "--search", "-q", metavar="TEXT", show_default=False,
        help=N_("Only measures whose texts, notes or reasons contain TEXT (whitespace ignored). "
             "Repeated: all of them."))] = None,
    as_of: AsOfOption = None,
    limit: LimitOption = DEFAULT_LIMIT,
    directory: DirOption = None,
    plan: PlanOption = None,
    lang: LangOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Measures, filtered. Several filters combine with AND; a repeated --unit or --status means any of them."""
    commands.list_measures(unit=unit, lead=lead, status=status, task=task, due_before=due_before, due_after=due_after,
                           overdue=overdue, due_soon=due_soon, stale=stale, search=search, as_of=as_of, limit=limit,
                           directory=directory, plan=plan, format=format.value)


@app.command()
def show(
    measure_id: IdArgument,
    as_of: AsOfOption = None,
    directory: DirOption = None,
    plan: PlanOption = None,
    lang: LangOption = None,
    format: FormatOption = Format.table,
) -> None:
    """One measure in full: texts, units (lead marked), deadline, due date, progress and extensions."""
    loaded = _load(directory, plan)
    found = _measure(loaded, measure_id)
    today = _today(as_of)
    with _output(None) as out:
        if format is Format.json:
            from .render import json

            json.measure(found, _plans_of(loaded), today, out)
        else:
            from .render import table

            table.measure(found, _plans_of(loaded), today, _console(out))
    _finish(loaded)


@app.command()
def overdue(
    unit: UnitOption = None,
    as_of: AsOfOption = None,
    limit: LimitOption = DEFAULT_LIMIT,
    directory: DirOption = None,
    plan: PlanOption = None,
    lang: LangOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Overdue measures as of --as-of, most overdue first, with days overdue."""
    commands.overdue_measures(unit=unit, as_of=as_of, limit=limit, directory=directory, plan=plan, format=format.value)


@app.command()
def report(
    unit: Annotated[Optional[list[str]], typer.Option(
        "--unit", "-u", metavar="UNIT", show_default=False,
        help=N_("The report of one unit: only the measures it takes part in."))] = None,
    fail_on: Annotated[FailOn, typer.Option(
        "--fail-on", help=N_("Exit 1 when a measure is overdue (overdue) or overdue or due soon (due-soon)."))] = FailOn.never,
    due_soon: Annotated[Optional[int], typer.Option(
        "--due-soon", click_type=DueSoonDays(), metavar="DAYS", show_default=False,
        help=N_("Due within DAYS counts as due soon (default: each plan's {lights_key}, else {default_days})."))] = None,
    since: Annotated[Optional[date], typer.Option(
        "--since", parser=_date_option, metavar="DATE", show_default=False,
        help=N_("Add what changed after DATE, up to --as-of: the period of a weekly bulletin."))] = None,
    stale: Annotated[Optional[int], typer.Option(
        "--stale", min=0, max=MAX_STALE_DAYS, metavar="DAYS", show_default=False,
        help=N_("A measure not done and silent for more than DAYS (default {default_stale_days}) counts as stale, to "
             "chase."))] = None,
    rank: Annotated[bool, typer.Option("--rank", help=N_("Units worst first (the rule is in docs/SPEC.md); else in the registry's order."))] = False,
    as_of: AsOfOption = None,
    directory: DirOption = None,
    plan: PlanOption = None,
    lang: LangOption = None,
    format: Annotated[Optional[ReportFormat], typer.Option(
        "--format", "-f", show_default=False,
        help=N_("Output format: markdown for a summary page, github for annotations in a GitHub Actions run, "
             "gitlab for GitLab Code Quality JSON, html for one self-contained page. "
             "Default: from the --output suffix (.html, .md, .json, .txt), else table."))] = None,
    output: OutputOption = None,
) -> None:
    """Status counts, completion, per-unit table, overdue and due-soon lists. The CI entry point.

    With $GITHUB_STEP_SUMMARY set (GitHub Actions), the Markdown report is also appended there."""
    if unit and len(unit) > 1:
        fail(_("report --unit takes one unit: the report one unit sends upward"))
    format = format or _format_from_suffix(output, ReportFormat, REPORT_SUFFIXES, ReportFormat.table)
    today = _today(as_of)
    if since is not None and since > today:
        fail(_("--since {since} is after --as-of {as_of}: the period runs from --since to --as-of").format(
            since=since.isoformat(), as_of=today.isoformat()))
    if due_soon == query.PLAN_DAYS:  # `--due-soon` without DAYS: as without it
        due_soon = None
    stale_days = query.DEFAULT_STALE_DAYS if stale is None else stale
    folder, output_to = _directory(directory), _output(output)
    # On the terminal, the console is made before any child: one started ahead draws as it does.
    console = _console(sys.stdout) if format is ReportFormat.table and output is None and sys.stdout else None
    # What a report makes of its measures (their facts, tallies, rows, charts) holds no reference
    # cycles, as the measures hold none: the cyclic collector stays off while it is made, here and in
    # a child forked for it. At 100,000 measures in 1,000 plans it ran for 0.3 s of an HTML report's
    # 3 s, walking them; peak memory is the same without it.
    with load.no_cyclic_collection():
        ahead = None
        if not unit and since is None:  # else the child would need the whole tree's units, or its git history
            # A big tree's report: a child started now loads the last plans itself and writes their
            # sections (in HTML, their rows of the table of every measure). It first sends what the
            # total needs of its plans (in HTML and Markdown, their lists' rows too; in HTML, their
            # charts), and this process loads only its own. The step summary on GitHub is the Markdown
            # report of a tree loaded whole: with one to write, this process loads every plan, and
            # HTML's child starts after the load, for the table's last rows.
            sends = not os.environ.get("GITHUB_STEP_SUMMARY")
            html = format is ReportFormat.html
            write = _sections_writer(format, console)
            if write is not None or (html and sends):  # HTML's child writes its plans' rows of the table
                if format is ReportFormat.table:
                    share = shared_output.TERMINAL_SENDING_SHARE if sends else shared_output.TERMINAL_AHEAD_SHARE
                elif html:
                    share = shared_output.HTML_SENDING_SHARE
                elif not sends:
                    share = shared_output.AHEAD_SHARE
                elif format is ReportFormat.markdown:
                    share = shared_output.MARKDOWN_SENDING_SHARE
                else:
                    share = shared_output.SENDING_SHARE
                whole = 0  # what a total in the terminal shows of its overdue and due-soon lists goes whole
                if format is ReportFormat.table:
                    from .render import table

                    whole = table.REPORT_LISTING_LIMIT

                def theirs(loaded: Loaded, out: IO[str] | None, send: Callable[[tuple], None] | None) -> None:
                    sections = _sections(loaded, today, due_soon, None, stale_days, rank)
                    if send is not None:  # what the total needs of these plans: their registries, problems and tally
                        counted = query.tally(loaded.measures, sections.known)
                        if html:  # and their lists' rows, and their charts
                            shared_output.sent_with_rows(loaded, counted, shared_output.html_shown(today), send,
                                                         shared_output.html_charts(loaded, today, due_soon))
                        elif format is ReportFormat.markdown:  # and their lists' rows
                            shared_output.sent_with_rows(loaded, counted, shared_output.markdown_shown(today), send)
                        else:
                            send(shared_output.Sent(loaded.plans, loaded.problems,
                                                    shared_output.sent_tally(counted, whole)))
                    if out is not None and html:
                        shared_output.html_rows(loaded, today, due_soon, out, first=False)
                    elif out is not None:
                        write(sections, list(loaded.plans), out)

                ahead = shared_output.start_ahead(folder, commands._halves(folder, plan, share, shared_output.SHARED_FROM),
                                                  output_to.encoding(), theirs, sends)
        with ahead or nullcontext():
            own = ahead is not None and ahead.started is not None and ahead.sends
            # this process's plans, with the files beside the plan folders (as load_tree reads them)
            _report(loaded=load.load_plans(folder, ahead.halves[0], strays=not plan, listed=ahead.listed, kept=True) if own
                    else _load_folder(folder, plan, ahead and ahead.listed), ahead=ahead, output_to=output_to,
                    console=console, unit=unit, fail_on=fail_on, due_soon=due_soon, since=since, stale_days=stale_days,
                    rank=rank, today=today, format=format)


def _sections_writer(format: ReportFormat, console) -> Callable[[Sections, list[str], IO[str]], None] | None:
    """What writes a run of plans' sections in `format`, when a child can write them ahead of the load:
    JSON, Markdown, or the terminal (a console made for stdout)."""
    if format is ReportFormat.json:
        return shared_output.json_sections
    if format is ReportFormat.markdown:
        return shared_output.markdown_sections
    if format is ReportFormat.table and console is not None:
        terminal = console.is_terminal  # asked here: the child's stdout is not the output's
        return lambda sections, names, out: shared_output.terminal_sections(sections, names, console, terminal, out)
    return None


def _report(loaded: Loaded, ahead: shared_output.Ahead | None, output_to: _output, console, unit: list[str] | None,
            fail_on: FailOn, due_soon: int | None, since: date | None, stale_days: int, rank: bool, today: date,
            format: ReportFormat) -> NoReturn:
    """report, once the tree is loaded (and `ahead`, a child writing the last plans' sections, started).
    When that child sends what the total needs of its plans (ahead.sends: JSON, HTML and the terminal,
    no step summary), `loaded` is this process's plans only: the total is added up from both (`total`),
    and the whole tree's plans and problems, for the exit, come with it (`tree`)."""
    one_unit = _resolve_units(loaded, unit)[0] if unit else None
    add_changes = _changes_adder(loaded, since, today) if since is not None else None
    sections = _sections(loaded, today, due_soon, one_unit, stale_days, rank, add_changes)

    tree: list[Loaded] = []  # the whole tree's plans and problems, when a child sent its plans'

    def total(sent: shared_output.Sent | None = None, counted: query.Tally | None = None) -> query.Report:
        """The total over every plan (with --unit, the unit's measures in them); `counted`: this
        process's tally, when it has it already."""
        if sent is None:
            result = query.report(loaded.measures, _plans_of(loaded), today, due_soon, one_unit, stale_days, rank,
                                  sections.known)
        else:  # this process's plans, then the child's (ahead.sends)
            tree.append(loaded.and_plans(sent.plans, sent.problems))
            counted = (query.tally(loaded.measures, sections.known) if counted is None else counted) + \
                shared_output.received_tally(sent.tally)
            result = query.tallied(counted, tree[0].plans, today, due_soon, one_unit, stale_days, rank)
        if add_changes is not None:
            add_changes(result)
        return result

    # A big report in the terminal, Markdown or JSON is written by two processes, each plan's section
    # by one of them; this process works out the total meanwhile (shared_output).
    halves = (ahead.halves if ahead.started else None) if ahead else (
        shared_output.plan_halves(loaded.plans, shared_output.covered(loaded.measures, one_unit),
                                  shared_output.TERMINAL_SHARE if format is ReportFormat.table else None)
        if loaded.several and format in (ReportFormat.json, ReportFormat.markdown, ReportFormat.table) else None)
    result = None if halves else total()
    with output_to as out:
        if format is ReportFormat.json:
            from .render import json

            if halves:
                result = shared_output.json_report(sections, halves, total, out, ahead)
            elif loaded.several:
                json.plans_report(((name, r) for name, r, _plan in sections()), result, out)
            else:
                json.report(result, loaded.plan, out)
        elif format is ReportFormat.markdown:
            result = _markdown_report(result, sections, loaded, out, halves, total, ahead,
                                      lambda: tree[0].problems if tree else loaded.problems)
        elif format is ReportFormat.github:
            from .render import github

            github.report(result, loaded.problems, out, _step_summary_or("report"))
        elif format is ReportFormat.gitlab:
            from .render import gitlab

            gitlab.report(result, loaded.problems, out)
        elif format is ReportFormat.html:
            from .render import html

            if halves:  # the child started ahead sends its plans' tally and charts, and writes their rows
                result = shared_output.html_report_ahead(loaded, sections.known, ahead, total, lambda: tree[0].problems,
                                                         today, due_soon, out)
            elif ahead is None and shared_output.worth_it(result.measures):  # the last rows of its table by a child
                shared_output.html_report(result, _plans_of(loaded), out, loaded.problems)
            else:
                html.report(result, _plans_of(loaded), out, loaded.problems)
        else:
            from .render import table

            console = console or _console(out)
            if halves:
                result = shared_output.terminal_report(sections, halves, total, console, ahead)
            else:  # each plan's section, then the total over them
                shared_output.terminal_sections(sections, None, console, console.is_terminal, console.file)
                table.report(result, _plans_of(loaded), console)
    _append_step_summary(result, sections, loaded)
    _set_step_outputs(result)
    failing = (fail_on is FailOn.overdue and result.overdue) or (
        fail_on is FailOn.due_soon and (result.overdue or result.due_soon))
    if format is ReportFormat.github:  # the problems are on stdout already, as annotations
        raise typer.Exit(2 if loaded.problems else 1 if failing else 0)
    _finish(tree[0] if tree else loaded, 1 if failing else 0)


@app.command()
def units(
    directory: DirOption = None,
    plan: PlanOption = None,
    lang: LangOption = None,
    format: FormatOption = Format.table,
) -> None:
    """The unit registry, with how many measures each unit leads and takes part in."""
    loaded = _load(directory, plan)
    if loaded.plan is None and not loaded.several:
        _finish(loaded)
    rows = query.unit_registry(_plans_of(loaded), loaded.measures)
    if loaded.several:  # the registries merged by name: which plans register each unit
        for row in rows:
            row["plans"] = loaded.plans.having(row["name"])
    with _output(None) as out:
        if format is Format.json:
            from .render import json

            json.units(rows, out)
        else:
            from .render import table

            table.units(rows, _console(out))
    _finish(loaded)


@app.command()
def validate(
    directory: DirOption = None,
    plan: PlanOption = None,
    lang: LangOption = None,
    format: Annotated[ValidateFormat, typer.Option(
        "--format", "-f", help=N_("Output format; github prints each problem as an annotation for GitHub Actions, "
                               "gitlab writes GitLab Code Quality JSON."))]
        = ValidateFormat.table,
) -> None:
    """Check every file; each problem as FILE:LINE: message. Exit 0 when all are valid, else 2."""
    loaded = _load(directory, plan)
    if format is ValidateFormat.json:
        from .render import json

        with _output(None) as out:
            json.validation(loaded.problems, len(loaded.measures), out)
        raise typer.Exit(2 if loaded.problems else 0)
    if format is ValidateFormat.github:  # the annotations are the report: no second copy on stderr
        from .render import github

        with _output(None) as out:
            if github.problems(loaded.problems, out, _step_summary_or("validate")):
                _append_problems_to_step_summary(loaded.problems)
        raise typer.Exit(2 if loaded.problems else 0)
    if format is ValidateFormat.gitlab:  # to a file, as a rule: the job's log gets the problems on stderr
        from .render import gitlab

        with _output(None) as out:
            gitlab.problems(loaded.problems, out)
        _finish(loaded)
    files = {p.file for p in loaded.problems}
    count = len(loaded.measures)
    if loaded.problems:
        broken = None in loaded.plans.values() if loaded.several else loaded.plan is None
        # Three counts in one sentence: each a counted phrase of its own, the sentence their order.
        counts = dict(
            problems=ngettext("{count} problem", "{count} problems", len(loaded.problems)).format(
                count=len(loaded.problems)),
            files=ngettext("{count} file", "{count} files", len(files)).format(count=len(files)),
            valid=ngettext("{count} valid measure", "{count} valid measures", count).format(count=count))
        if not broken:
            line = _("{problems} in {files}; {valid}").format(**counts)
        else:
            line = _("{problems} in {files}; {valid} (their units and key tasks unchecked: the plan is broken)").format(
                **counts)
    else:
        line = ngettext("ok: {count} measure and the plan are valid", "ok: {count} measures and the plan are valid",
                        count).format(count=count)
    with _output(None) as out:
        out.write(line + "\n")
    _finish(loaded)


@app.command()
def export(
    format: Annotated[Optional[ExportFormat], typer.Option(
        "--format", "-f", show_default=False,
        help=N_("xlsx: the layout of the task-division table, set up to print on A4; the one to send to the units. "
             "csv: UTF-8 with BOM, for Excel (in LibreOffice choose UTF-8 in the import dialog). "
             "json: as `list` gives it. ics: the due dates as all-day calendar events, each with a reminder three "
             "days before. Default: from the --output suffix, else json (xlsx with --per-unit)."))] = None,
    output: OutputOption = None,
    per_unit: Annotated[Optional[Path], typer.Option(
        "--per-unit", metavar="DIR", show_default=False,
        help=N_("One file per unit (the measures it leads or takes part in) in the folder DIR, named after the "
             "unit."))] = None,
    unit: UnitOption = None,
    as_of: AsOfOption = None,
    directory: DirOption = None,
    plan: PlanOption = None,
    lang: LangOption = None,
) -> None:
    """Every measure, for spreadsheets, calendars and other tools; --unit for one unit's share, --per-unit for each's."""
    if per_unit is not None and output is not None:
        fail(_("--per-unit writes a file per unit into its folder; leave out --output"))
    default = ExportFormat.xlsx if per_unit is not None else ExportFormat.json
    format = format or _format_from_suffix(output, ExportFormat, EXPORT_SUFFIXES, default)
    if format is ExportFormat.xlsx and output is None and per_unit is None and sys.stdout.isatty():
        fail(_("an xlsx workbook is binary and would garble the terminal: give --output FILE (e.g. --output "
               "{example}) or redirect stdout").format(example="任务分工表.xlsx"))
    if per_unit is not None:
        _check_output_folder(per_unit)
    loaded = _load(directory, plan)
    today = _today(as_of)
    found = loaded.measures
    units = _resolve_units(loaded, unit)
    if units:
        found = query.select(found, query.Filters(units=units), today)
    if format is ExportFormat.ics:
        _say_undated(found)
    if per_unit is not None:
        if _plans_of(loaded) is None:
            _finish_with_failure(loaded, _("cannot look up units: the plan file is broken"))
        shares = [(name, [m for m in found if name in m.units]) for name in units or _unit_names(loaded)]
        shares = [(name, ms) for name, ms in shares if ms]
        _write_folder(per_unit, [name for name, _ms in shares], "." + format.value,
                      [_export_bytes(format, ms, loaded, today, name) for name, ms in shares])
        _finish(loaded)
    if format is ExportFormat.json:
        from .render import json

        with _output(output) as out:
            json.measures(found, _plans_of(loaded), today, out)
    elif format is ExportFormat.csv:  # written as it is made, as JSON is
        from .render import csv

        with _output(output, binary=True) as out:
            csv.write(found, _plans_of(loaded), today, out)
    elif format is ExportFormat.ics:
        from .render import ics

        with _output(output, binary=True) as out:
            ics.write(found, _plans_of(loaded), today, _calendar_name(loaded, units[0] if len(units) == 1 else None), out)
    else:
        data = _export_bytes(format, found, loaded, today, units[0] if len(units) == 1 else None)
        with _output(output, binary=True) as out:
            out.write(data)
    _finish(loaded)


def _export_bytes(format: ExportFormat, measures: list, loaded: Loaded, today: date, unit: str | None) -> bytes:
    """One export file's bytes; `unit` names the unit whose share it is (in the xlsx title, the calendar's name)."""
    if format is ExportFormat.json:
        import io

        from .render import json

        out = io.StringIO()
        json.measures(measures, _plans_of(loaded), today, out)
        return out.getvalue().encode("utf-8")
    if format is ExportFormat.csv:
        from .render import csv

        return csv.render(measures, _plans_of(loaded), today)
    if format is ExportFormat.ics:
        from .render import ics

        return ics.render(measures, _plans_of(loaded), today, _calendar_name(loaded, unit))
    from .render import xlsx

    return xlsx.render(measures, _plans_of(loaded), today, unit)


def _calendar_name(loaded: Loaded, unit: str | None) -> str:
    # Data, not a word of portcli's: the file is the same in every language (Plans.title is said).
    title = "、".join(loaded.plans) if loaded.several else loaded.plan.title if loaded.plan else "portcli"
    return f"{title} · {unit}" if unit else title


def _say_undated(measures: list) -> None:
    from .render import ics

    if count := ics.undated(measures):
        say(ngettext("{count} measure has no due date and is left out of the calendar",
                     "{count} measures have no due date and are left out of the calendar", count).format(count=count))


def _unit_names(loaded: Loaded) -> list[str]:
    """Every registered unit's short name, in the registry's order (the plans' merged, in several)."""
    plans = _plans_of(loaded)
    return [u.name for u in plans.units] if plans is not None else []


def _check_output_folder(folder: Path) -> None:
    from . import outdir

    try:
        outdir.check_folder(folder)
    except outdir.OutputFolderError:
        fail(_("{folder} exists and is not a folder: give a folder for the files").format(folder=folder))


def _write_folder(folder: Path, units: list[str], suffix: str, contents: list[bytes]) -> None:
    """Write one file per unit into `folder`, all or none (outdir), and say each file written."""
    from . import outdir

    names = outdir.unique_names(units, suffix)
    try:
        written = outdir.write_all(folder, dict(zip(names, contents)))
    except outdir.OutputFolderError as exc:
        if exc.error is None:
            _check_output_folder(folder)
        fail(_("cannot write in {folder}: {reason}; nothing was written").format(folder=exc.folder,
                                                                                  reason=reason(exc.error)))
    with _output(None) as out:
        for path in written:
            out.write(printable_line(_("wrote {path}").format(path=path)) + "\n")


class RemindFormat(str, Enum):
    markdown = "markdown"
    text = "text"


@app.command()
def remind(
    unit: Annotated[Optional[list[str]], typer.Option(
        "--unit", "-u", metavar="UNIT", show_default=False,
        help=N_("The unit to remind. Without it, --output-dir writes every unit's notice. Repeatable with "
             "--output-dir."))] = None,
    stale: Annotated[int, typer.Option(
        "--stale", min=0, max=MAX_DUE_SOON_DAYS, metavar="DAYS",
        help=N_("A measure not done and with no progress for more than DAYS is chased."))] = query.DEFAULT_STALE_DAYS,
    due_soon: Annotated[Optional[int], typer.Option(
        "--due-soon", min=0, max=MAX_DUE_SOON_DAYS, metavar="DAYS", show_default=False,
        help=N_("Due within DAYS counts as due soon. Default: the plan's `yellow_days` (under `lights`), else "
             "{default_days}."))] = None,
    as_of: AsOfOption = None,
    format: Annotated[RemindFormat, typer.Option(
        "--format", "-f", help=N_("Markdown (to paste or send) or plain text."))] = RemindFormat.markdown,
    output_dir: Annotated[Optional[Path], typer.Option(
        "--output-dir", metavar="DIR", show_default=False,
        help=N_("Write one notice per unit that has anything to chase into DIR (DIR/UNIT.md or .txt), all or "
             "none, and list the files written."))] = None,
    directory: DirOption = None,
    plan: PlanOption = None,
    lang: LangOption = None,
) -> None:
    """A unit's reminder notice: its overdue, due-soon and silent measures, lead ones first, with their progress."""
    if not unit and output_dir is None:
        fail(_("say which unit to remind (--unit UNIT), or write every unit's notice with --output-dir DIR"))
    if unit and len(unit) > 1 and output_dir is None:
        fail(_("remind prints one unit's notice; for several, give --output-dir DIR"))
    if output_dir is not None:
        _check_output_folder(output_dir)
    from . import chase
    from .render import notice as render

    loaded = _load(directory, plan)
    today = _today(as_of)
    plans = _plans_of(loaded)
    if plans is None:
        _finish_with_failure(loaded, _("cannot look up units: the plan file is broken"))
    names = _resolve_units(loaded, unit) or tuple(_unit_names(loaded))
    notices = [chase.notice(name, loaded.measures, plans, today, stale, due_soon) for name in names]
    # In a folder of several plans, their titles (the words "all plans" would name none of them).
    title = "、".join(p.title for p in plans.values() if p) if loaded.several else plans.title

    def said(n) -> str:
        registered = next((u for u in plans.units if u.name == n.unit), None)
        addressee = registered.full_name if registered else n.unit
        if format is RemindFormat.text:
            return render.text(n, title, addressee)
        return render.markdown(n, title, addressee)

    chased = [n for n in notices if n]
    if output_dir is None or not chased:
        with _output(None) as out:
            if not chased and unit:
                for name in names:
                    out.write(printable_line(render.nothing_to_chase(name, today, stale)) + "\n")
            elif not chased:
                out.write(render.nobody_to_chase(today, stale) + "\n")
            else:
                out.write(said(chased[0]))
        _finish(loaded)
    suffix = ".md" if format is RemindFormat.markdown else ".txt"
    _write_folder(output_dir, [n.unit for n in chased], suffix, [said(n).encode("utf-8") for n in chased])
    _finish(loaded)


def printable_line(text: str) -> str:
    from .render import printable

    return printable(text, one_line=True)


# Commands that write. The rules live in `record`, the file machinery in `write` and `edit`;
# here: options, and how a refusal or a failed write is told (exit 2, nothing written).

ByOption = Annotated[Optional[str], typer.Option(
    "--by", metavar="UNIT", show_default=False,
    help=N_("The unit reporting it: one of the measure's units (any of its names); written as the short name."))]
DateOption = Annotated[Optional[date], typer.Option(
    "--date", parser=_date_option, metavar="DATE", show_default=False,
    help=N_("The day it happened. Default: --as-of, else today."))]


@contextmanager
def _writing() -> Iterator[None]:
    """Turn a refusal or a failed write into its message on stderr and exit 2."""
    from . import record, write

    try:
        yield
    except record.Refused as exc:
        report_problems(exc.problems)
        fail(str(exc))
    except write.WriteError as exc:
        fail(str(exc))
    except OSError as exc:  # one the write path does not word itself (a file name too long for an id)
        if exc.filename:
            fail(_("cannot write {path}: {reason}").format(path=exc.filename, reason=reason(exc)))
        fail(_("cannot write the measure: {reason}").format(reason=reason(exc)))


def _one_plan(folder: Path) -> NoReturn:
    fail(_("--plan: {folder} holds one plan, not several plan folders").format(folder=folder))


def _no_plan(name: str, folder: Path, names: list[str]) -> NoReturn:
    fail(_("no plan {name} in {folder}: its plans are {names}").format(name=name, folder=folder,
                                                                        names=", ".join(names)))


def _target(directory: Path | None, reference: tuple[str | None, int],
            plans: list[str] | None) -> tuple[Path, int, str | None]:
    """The folder a write goes to (the plan's, in a folder of several), the measure's id, the plan's name.
    A bare id in a folder of several plans is looked for in every plan (or those --plan names)."""
    folder = Path(_directory(directory))
    plan, measure_id = reference
    names = plan_folders(folder)
    if not names:
        if plan is not None or plans:
            _one_plan(folder)
        return folder, measure_id, None
    if plan is None:
        plan = _measure(_load(folder, plans), reference).plan
    elif plan not in names:
        _no_plan(plan, folder, names)
    return folder / plan, measure_id, plan


def _written(written, today: date, format: Format, plan: str | None = None) -> NoReturn:
    """Say what was written; other files' problems are warnings, and the exit code is 0 (SPEC §5)."""
    from .render import printable

    if plan is not None:  # the measure as a folder of several plans names it: PLAN:ID, and `plan` in JSON
        from .values import replace

        written.measure = replace(written.measure, plan=plan)
    report_problems(written.warnings)
    if written.warnings:
        count = len(written.warnings)
        say(ngettext("warning: {count} problem in other files; this write succeeded",
                     "warning: {count} problems in other files; this write succeeded", count).format(count=count))
    # A full stdout must not read as a failed write: one run again would record the entry twice.
    with _output(None, written=written.measure.file) as out:
        if format is Format.json:
            from .render import json

            json.measure(written.measure, written.plan, today, out)
        else:
            changes = _("; ").join(written.changes)
            out.write(printable(_("{file}: measure {id}: {changes}").format(
                file=written.measure.file, id=label(written.measure), changes=changes), one_line=True) + "\n")
    raise typer.Exit(0)


@app.command()
def update(
    measure_id: IdArgument,
    status: Annotated[Optional[str], typer.Option(
        "--status", "-s", metavar="STATUS", show_default=False,
        help=N_("The new status (key or Chinese label, e.g. in_progress or {in_progress_label})."))] = None,
    note: Annotated[Optional[str], typer.Option("--note", "-n", metavar="TEXT", show_default=False,
                                                help=N_("What was done."))] = None,
    when: DateOption = None,
    by: ByOption = None,
    force: Annotated[bool, typer.Option("--force", help=N_("Allow a date before the last progress entry's."))] = False,
    as_of: AsOfOption = None,
    directory: DirOption = None,
    plan: PlanOption = None,
    lang: LangOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Record progress: add an entry (date, status, by, note) and set the status."""
    from . import record

    key = _statuses([status])[0] if status is not None else None
    folder, number, plan_name = _target(directory, measure_id, plan)
    with _writing():
        written = record.update(folder, number, when=when or _today(as_of), status=key,
                                note=note, by=by, force=force)
    _written(written, _today(as_of), format, plan_name)


@app.command()
def extend(
    measure_id: IdArgument,
    to: Annotated[date, typer.Option("--to", parser=_date_option, metavar="DATE", show_default=False,
                                     help=N_("The new due date; later than the current one."))],
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", show_default=False,
                                        help=N_("Why the extension was approved."))],
    by: ByOption = None,
    when: Annotated[Optional[date], typer.Option(
        "--date", parser=_date_option, metavar="DATE", show_default=False,
        help=N_("The day the extension was approved. Default: --as-of, else today."))] = None,
    as_of: AsOfOption = None,
    directory: DirOption = None,
    plan: PlanOption = None,
    lang: LangOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Record an approved extension: the measure's due date becomes --to."""
    from . import record

    folder, number, plan_name = _target(directory, measure_id, plan)
    with _writing():
        written = record.extend(folder, number, to=to, reason=reason, when=when or _today(as_of), by=by)
    _written(written, _today(as_of), format, plan_name)


@app.command()
def new(
    # min=1: 0 is a number the plan never has, and a task of 0 read as "no --task given"
    task: Annotated[Optional[int], typer.Option("--task", "-t", min=1, help=N_("Key task number (1…11)."),
                                                show_default=False)] = None,
    unit: Annotated[Optional[list[str]], typer.Option(
        "--unit", "-u", metavar="UNIT", show_default=False,
        help=N_("A responsible unit, lead unit first (any of its names). Repeatable."))] = None,
    deadline: Annotated[Optional[str], typer.Option("--deadline", metavar="PHRASE", show_default=False,
                                                    help=N_("The deadline phrase, e.g. {deadline_example} or {year_end_example}."))] = None,
    national: Annotated[Optional[str], typer.Option("--national", metavar="TEXT", show_default=False,
                                                    help=N_("The measure as the General Administration of Customs words it."))] = None,
    local: Annotated[Optional[list[str]], typer.Option(
        "--local", metavar="TEXT", show_default=False, help=N_("An item of Tianjin's detailed implementing measures. Repeatable."))] = None,
    due: Annotated[Optional[date], typer.Option(
        "--due", parser=_date_option, metavar="DATE", show_default=False,
        help=N_("An explicit due date; needed when the deadline phrase gives none portcli reads."))] = None,
    edit: Annotated[bool, typer.Option("--edit", "-e", help=N_("Write it in $EDITOR from a commented template "
                                                            "(the default on a terminal without options)."))] = False,
    from_file: Annotated[Optional[Path], typer.Option(
        "--from", metavar="FILE", show_default=False,
        help=N_("Take the measure's text from FILE (- for stdin); with --edit, start the editor from it."))] = None,
    as_of: AsOfOption = None,
    directory: DirOption = None,
    plan: PlanOption = None,
    lang: LangOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Add a measure with the next free id, from options or in $EDITOR; checked before it is written."""
    from . import record

    folder, plan_name = _new_folder(directory, plan)
    values = dict(task=task, units=unit or [], deadline=deadline, national=national, local=local or [], due=due)
    if from_file is not None and any(values.values()):
        fail(_("--from takes the whole measure from FILE: give its values there, not as options too"))
    with _writing():
        draft = _read_draft(from_file) if from_file is not None else None
        if edit or (draft is None and not any(values.values()) and sys.stdin.isatty()):
            written = _new_in_editor(folder, draft if draft is not None else record.template(folder, **values))
        elif draft is not None:
            written = record.new_from_text(folder, draft, label=str(from_file))
        elif not any(values.values()):
            fail(_("give --task, --unit, --deadline and --national or --local, or --edit to write the measure in "
                   "$EDITOR"))
        else:
            written = record.new(folder, **values)
    _written(written, _today(as_of), format, plan_name)


def _new_folder(directory: Path | None, plans: list[str] | None) -> tuple[Path, str | None]:
    """Where a new measure goes: the measures folder, or in a folder of several plans the one --plan names."""
    folder = Path(_directory(directory))
    names = plan_folders(folder)
    if not names:
        if plans:
            _one_plan(folder)
        return folder, None
    if not plans or len(set(plans)) != 1:
        fail(_("{folder} holds several plans ({names}): say which one the measure is for with --plan NAME").format(
            folder=folder, names=", ".join(names)))
    if plans[0] not in names:
        _no_plan(plans[0], folder, names)
    return folder / plans[0], plans[0]


def _read_draft(path: Path) -> str:
    """The text of --from FILE (or - for stdin), read as a measure file is: at most its size limit,
    an ordinary file only (a FIFO must not hang the command), UTF-8."""
    if str(path) == "-":
        raw, message = sys.stdin.buffer.read(files.MAX_FILE_BYTES + 1), None
        if len(raw) > files.MAX_FILE_BYTES:
            message = _("is over {size} MiB; a measure file may be at most {size} MiB").format(
                size=files.MAX_FILE_BYTES >> 20)
    else:
        raw, trouble = files.read_ordinary_file(path)
        message = None if trouble is None else trouble[1]
    if message is None:
        text, problem = files.decode(str(path), raw)
        message = None if problem is None else problem.message
    if message is not None:
        fail(f"{path}: {message}")
    return text


def _new_in_editor(folder: Path, text: str):
    """Open the text in $EDITOR until it is a valid measure or the person gives up; a rejected
    text is kept in its file, never thrown away."""
    from . import editor, record

    draft = editor.draft_file(text)
    while True:
        try:
            saved = editor.edit(draft)
        except editor.EditorError as exc:
            fail(_("{error}; your text is in {path}").format(error=exc, path=draft))
        edited = draft.read_text(encoding="utf-8")
        if not saved or not record.without_help(edited).strip():
            draft.unlink()
            fail(_("nothing written: the editor closed without saving, or the text is empty"))
        try:
            written = record.new_from_text(folder, edited, label="new measure")
        except record.Refused as exc:
            report_problems(exc.problems)
            say(str(exc))
            if sys.stdin.isatty() and typer.confirm(_("Edit it again?"), default=True, err=True):
                continue
            fail(_("your text is kept in {path}; go on with `portcli new --edit --from {path}`").format(path=draft))
        draft.unlink()
        return written


# Commands that start a plan: from its document (import), or a whole repository (init).

TitleOption = Annotated[Optional[str], typer.Option(
    "--title", metavar="TEXT", show_default=False, help=N_("The plan's title. Default: the text above the table."))]
YearOption = Annotated[Optional[int], typer.Option(
    "--year", min=1901, max=2999, show_default=False,
    help=N_("The plan's year, for its deadlines. Default: the year the title names."))]


@app.command("import")
def import_(
    source: Annotated[Path, typer.Argument(metavar="FILE", help=N_("The task-division table: .docx, .xlsx, or tab-separated "
                                                                ".txt/.tsv (a table copied out of Word or Excel)."))],
    directory: Annotated[Path, typer.Option(
        "--dir", help=N_("The measures folder to write; created if need be, never written over."))] = Path("measures"),
    merge: Annotated[bool, typer.Option(
        "--merge", help=N_("Add to an existing measures folder only the measures it lacks (and their key tasks "
                        "and units); change no existing measure."))] = False,
    force_partial: Annotated[bool, typer.Option(
        "--force-partial", help=N_("Write what could be read even when the table has problems (exit 2 all the "
                                "same)."))] = False,
    title: TitleOption = None,
    year: YearOption = None,
    lang: LangOption = None,
) -> None:
    """Read a task-division table into _plan.yaml and one file per measure, then check them as validate does."""
    outcome = _import(source, directory, merge=merge, force_partial=force_partial, title=title, year=year)
    raise typer.Exit(_import_code(outcome))


def _import(source: Path, target: Path, *, merge: bool = False, force_partial: bool = False,
            title: str | None = None, year: int | None = None):
    """Read, write, and tell: problems on stderr by row, the summary on stdout. A file that is not a
    task-division table, or a folder that cannot take it, is one line and exit 2."""
    from . import edit, write
    from .importer import ReadError, read_grids
    from .importer.folder import TargetError, check_target, import_table, summary
    from .importer.table import parse
    from .render import printable

    try:
        check_target(target, merge)
        doc = parse(read_grids(source), title=title, year=year)
        outcome = import_table(doc, target, merge=merge, force_partial=force_partial, fallback_title=source.stem)
    except ReadError as exc:
        fail(f"{source}: {exc}")
    except (TargetError, write.WriteError, edit.EditError) as exc:
        fail(str(exc))
    for problem in outcome.problems:
        sys.stderr.write(printable(f"{source}: {problem.where}: {problem.message}", one_line=True) + "\n")
    if outcome.loaded is not None:
        report_problems(outcome.loaded.problems)
    for line in summary(outcome, source, target):
        print(printable(line, one_line=True))
    if outcome.problems and not outcome.written:
        count = len(outcome.problems)
        say(ngettext("{count} problem in {source}; nothing written: correct the table, or pass --force-partial to "
                     "write what could be read",
                     "{count} problems in {source}; nothing written: correct the table, or pass --force-partial to "
                     "write what could be read", count).format(count=count, source=source))
    return outcome


def _import_code(outcome) -> int:
    return 2 if outcome.problems or (outcome.loaded is not None and outcome.loaded.problems) else 0


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(metavar="FOLDER", help=N_("The repository's folder."))] = Path("."),
    from_file: Annotated[Optional[Path], typer.Option(
        "--from", metavar="FILE", show_default=False,
        help=N_("Import this task-division table (.docx, .xlsx, .txt) into measures/; without it, an empty plan."))] = None,
    title: TitleOption = None,
    year: YearOption = None,
    lang: LangOption = None,
) -> None:
    """Start a tracking repository: measures/, a .gitignore and a CI workflow; never over existing files."""
    from . import scaffold
    from .render import printable

    present = scaffold.existing(folder)
    if present:
        fail(ngettext("{paths} already exists; init writes over nothing: remove or move it, or use "
                      "`portcli import FILE --dir DIR` for the measures alone",
                      "{paths} already exist; init writes over nothing: remove or move them, or use "
                      "`portcli import FILE --dir DIR` for the measures alone",
                      len(present)).format(paths=", ".join(str(p) for p in present)))
    code = 0
    if from_file is not None:
        outcome = _import(from_file, folder / "measures", title=title, year=year)
        code = _import_code(outcome)
        if not outcome.written:
            raise typer.Exit(code)
    else:
        plan = scaffold.write_empty_plan(folder, title, year)
        print(printable(_("wrote {path}: a plan with one example key task and unit; write yours there, then add "
                          "measures with `portcli new`").format(path=plan), one_line=True))
    for path in scaffold.write_repository_files(folder):
        print(printable(_("wrote {path}").format(path=path), one_line=True))
    raise typer.Exit(code)


@app.command("history")
def history_(
    measure_id: IdArgument,
    directory: DirOption = None,
    plan: PlanOption = None,
    lang: LangOption = None,
    format: FormatOption = Format.table,
) -> None:
    """The measure's changes over time, from git log of its file: when, who, status before → after, notes."""
    from . import history

    loaded = _load(directory, plan)
    found = _measure(loaded, measure_id)
    try:
        changes = history.history(Path(found.file))
        dirty = history.uncommitted(Path(found.file))
    except history.HistoryError as exc:
        _finish_with_failure(loaded, str(exc))
    with _output(None) as out:
        if format is Format.json:
            from .render import json

            json.history(changes, out)
        else:
            from .render import table

            table.history(changes, found, _console(out))
    if dirty:
        say(_("{file} has changes not committed yet; they are not in this history").format(file=found.file))
    _finish(loaded)


@app.command("schema")
def schema_(
    check: Annotated[Optional[Path], typer.Option(
        "--check", metavar="FILE", show_default=False,
        help=N_("Print nothing; exit 1 unless FILE holds exactly this schema (for pre-commit and CI)."))] = None,
    plan: Annotated[bool, typer.Option("--plan", help=N_("The schema of _plan.yaml instead."))] = False,
    lang: LangOption = None,
) -> None:
    """Print the JSON Schema of measure files (with --plan, of _plan.yaml), for editors (the YAML language server)."""
    from . import schema

    text = schema.dumps(schema.plan_schema() if plan else schema.measure_schema())
    if check is None:
        with _output(None) as out:
            out.write(text)
        return
    try:
        current = check.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError) as exc:
        why = reason(exc) if isinstance(exc, OSError) else _("not UTF-8 text")
        fail(_("cannot read {path}: {reason}").format(path=check, reason=why))
    if not current:
        command = "portcli schema --plan" if plan else "portcli schema"
        say(_("{path} is not the schema this portcli prints; update it with `{command} > {path}`").format(
            path=check, command=command))
        raise typer.Exit(1)



def app_for(args: list[str]) -> typer.Typer:
    """`app` with only the command that `args` start with, when they start with one: typer turns
    every command's signature into options on each run (20 ms of a 0.2 s query at 10,000 measures),
    and a command needs only its own. Anything else (no command, an unknown one, `--help list`,
    completion): the whole app."""
    name = args[0] if args else None
    chosen = [c for c in app.registered_commands
              if (c.name or typer.main.get_command_name(c.callback.__name__)) == name]
    if len(chosen) != 1:
        return app
    single = copy.copy(app)
    single.registered_commands = chosen
    return single


def speak_for(args: list[str]) -> None:
    """Speak the language --lang or the environment asks for (i18n says how it is chosen), before
    click parses anything: its own messages and every help text are said in it."""
    from . import i18n

    try:
        language = i18n.chosen(args)
    except i18n.UnknownLanguage as exc:
        i18n.use(i18n.DEFAULT)
        fail(i18n._("PORTCLI_LANG={value} names no language portcli speaks: use zh or en").format(value=exc))
    if language is None:
        i18n.use(i18n.DEFAULT)
        fail(i18n._("--lang {value}: use zh or en").format(value=i18n.from_arguments(args)))
    i18n.use(language)


# Examples that help texts show of what portcli reads: data, the same in every language, kept out
# of the msgids as {placeholders}.
HELP_VALUES = {"chinese_date": "2022年6月15日", "in_progress_label": STATUSES["in_progress"],
               "deadline_example": "5月底前", "year_end_example": "年底前",
               "default_days": str(query.DEFAULT_DUE_SOON_DAYS), "default_stale_days": str(query.DEFAULT_STALE_DAYS),
               "lights_key": "`lights: {yellow_days: N}`"}


def _help_said(text: str) -> str:
    said = _(text)
    for name, value in HELP_VALUES.items():
        said = said.replace("{" + name + "}", value)
    return said


def _short_help(text: str) -> str | None:
    """A Chinese help's first sentence: click shortens text at spaces, which Chinese has none of,
    and would list the command with "..." alone."""
    first = text.partition("\n\n")[0].strip()
    if "。" not in first or not any("\u4e00" <= ch <= "\u9fff" for ch in first):
        return None
    return first.partition("。")[0]


def translated(command):
    """`command` (a click command tree, as typer builds it) with every help text said in the language
    speak_for chose: typer takes them from docstrings and help= texts, which are the msgids."""
    if command.help:
        command.help = _help_said(command.help)
        command.short_help = _help_said(command.short_help) if command.short_help else _short_help(command.help)
    if command.epilog:
        command.epilog = _help_said(command.epilog)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = _help_said(param.help)
    for sub in getattr(command, "commands", {}).values():
        translated(sub)
    return command


def command_for(args: list[str]):
    """The click command that runs `args` (see app_for), its help in the language spoken."""
    return translated(typer.main.get_command(app_for(args)))


def run(args: list[str] | None = None) -> None:
    """The whole command line through typer (entry.main, the console script's, runs the everyday
    command lines without it): a last guard so that no traceback reaches the user."""
    stdout = sys.stdout
    with commands.guarded():
        try:
            args = complete_args(sys.argv[1:] if args is None else args)
            speak_for(args)
            command_for(args).main(args=args, prog_name="portcli")
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except SystemExit as exc:
            # Typer's own output (--help) met a closed pipe: Typer then swaps stdout for a wrapper that
            # keeps quiet and exits 1. Commands' output goes through _output, which never lets it.
            if exc.code == 1 and sys.stdout is not stdout:
                sys.exit(READER_GONE)
            raise
