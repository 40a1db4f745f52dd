"""GitHub Actions workflow commands: each problem an error, each overdue measure a warning,
shown on the file and line in the run and the pull request.

Values are escaped exactly as @actions/core does (toolkit packages/core/src/command.ts), so a
measure text holding a newline followed by `::error::` stays inside its own annotation.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Iterable

from ..query import Report
from ..load import id_line
from ..problem import Problem
from . import summary


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: object) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items()
                     if value is not None)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def workspace_path(file: str) -> str:
    """The path as GitHub wants it, relative to the checkout (the working folder) when it is inside it."""
    path = Path(file)
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_posix()
    return Path(os.path.normpath(path)).as_posix()


def problems(ps: Iterable[Problem], out: IO[str]) -> None:
    for p in ps:
        out.write(command("error", str(p.message), file=workspace_path(p.file), line=p.line) + "\n")


def report(r: Report, ps: Iterable[Problem], out: IO[str]) -> None:
    """Every problem as an error, then every overdue measure as a warning on the line of its `id:`."""
    problems(ps, out)
    for m in r.overdue:
        days = (r.as_of - m.due).days
        title = f"措施 {m.id} 逾期 {days} 天"
        message = f"{title}（到期日 {m.due.isoformat()}，牵头单位 {m.lead}）：{summary(m)}"
        out.write(command("warning", message, file=workspace_path(m.file), line=id_line(Path(m.file)),
                          title=title) + "\n")
