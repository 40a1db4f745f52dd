"""GitHub Actions workflow commands: each problem an error, each overdue measure a warning,
shown on the file and line in the run and the pull request.

Values are escaped exactly as @actions/core does (toolkit packages/core/src/command.ts), so a
measure text holding a newline followed by `::error::` stays inside its own annotation.

GitHub shows at most 10 error and 10 warning annotations per step and silently drops the rest,
so at most that many of each are printed (errors in file order, warnings most overdue first),
and one notice says how many more there are and where the whole list is.
"""
from __future__ import annotations

from itertools import chain, islice

from ..i18n import _, ngettext
from ..query import Report
from ..problem import Problem
from .findings import ERROR, WARNING, Finding, of_overdue, of_problems

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import IO, Iterable

# Per level, per step: docs.github.com "Workflow commands" / annotation limits.
SHOWN_PER_LEVEL = 10


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: object) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items()
                     if value is not None)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def annotation(f: Finding) -> str:
    return command(f.level, f.message, file=f.path, line=f.line, title=f.title)


def shown_and_hidden(findings: Iterable[Finding]) -> tuple[list[Finding], dict[str, int]]:
    """The findings GitHub will show (the first SHOWN_PER_LEVEL of each level, in the given order,
    which is most urgent first) and how many of each level are left out."""
    shown, hidden = [], {ERROR: 0, WARNING: 0}
    seen = {ERROR: 0, WARNING: 0}
    for f in findings:
        seen[f.level] += 1
        if seen[f.level] <= SHOWN_PER_LEVEL:
            shown.append(f)
        else:
            hidden[f.level] += 1
    return shown, hidden


def hidden_notice(hidden: dict[str, int], full_list: str) -> str:
    errors, warnings = hidden[ERROR], hidden[WARNING]
    values = dict(shown=SHOWN_PER_LEVEL, where=full_list)
    if errors and warnings:
        said = _("{problems} and {measures} are not annotated: GitHub shows {shown} errors and {shown} warnings "
                 "per step; the full list is in {where}").format(
            problems=ngettext("{count} more file problem", "{count} more file problems", errors).format(count=errors),
            measures=ngettext("{count} more overdue measure", "{count} more overdue measures",
                              warnings).format(count=warnings), **values)
    elif errors:
        said = ngettext("{count} more file problem is not annotated: GitHub shows {shown} errors and {shown} "
                        "warnings per step; the full list is in {where}",
                        "{count} more file problems are not annotated: GitHub shows {shown} errors and {shown} "
                        "warnings per step; the full list is in {where}", errors).format(count=errors, **values)
    else:
        said = ngettext("{count} more overdue measure is not annotated: GitHub shows {shown} errors and {shown} "
                        "warnings per step; the full list is in {where}",
                        "{count} more overdue measures are not annotated: GitHub shows {shown} errors and {shown} "
                        "warnings per step; the full list is in {where}", warnings).format(count=warnings, **values)
    return command("notice", said, title="portcli: " + _("more findings"))


def output_of(command_name: str) -> str:
    """Where the whole list is when no step summary has it: the named command's own output."""
    return _("the output of `{command}`").format(command=f"portcli {command_name}")


def write(findings: Iterable[Finding], out: IO[str], full_list: str, unmade: dict[str, int] | None = None) -> bool:
    """Print the annotations GitHub will show, and a notice for the rest (`unmade` counts, per level, those
    left out before they were made); True when some were left out."""
    shown, hidden = shown_and_hidden(findings)
    for level, count in (unmade or {}).items():
        hidden[level] += count
    for f in shown:
        out.write(annotation(f) + "\n")
    if any(hidden.values()):
        out.write(hidden_notice(hidden, full_list) + "\n")
    return any(hidden.values())


def problems(ps: Iterable[Problem], out: IO[str], full_list: str | None = None) -> bool:
    return write(of_problems(ps), out, full_list or output_of("validate"))


def report(r: Report, ps: Iterable[Problem], out: IO[str], full_list: str | None = None) -> bool:
    """Every problem as an error, then every overdue measure as a warning on the line of its `id:`."""
    # Only the warnings GitHub shows are made (each reads its measure's file for the line of its id:).
    made = islice(of_overdue(r), SHOWN_PER_LEVEL)
    return write(chain(of_problems(ps), made), out, full_list or output_of("report"),
                 unmade={WARNING: max(0, len(r.overdue) - SHOWN_PER_LEVEL)})
