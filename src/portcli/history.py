"""A measure's changes over time, read from `git log --follow` of its file.

Each commit that touched the file becomes a `Change`: when, who, the status before and after,
and the progress entries and extensions it added. The file is read at each commit and at its
parent with one `git cat-file --batch`, so a long history costs three git processes.

Past versions are as hostile as today's files: each is read by the same strict, bounded reading
(size limit, UTF-8, no tags or aliases, real dates), and one that does not read is shown as such
while the history goes on. Commit fields are split on NUL, which git allows in none of them.
"""
from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from .files import decode
from .i18n import _
from .model import status_key
from .yamlread import read_yaml
from .values import Frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Any


class HistoryError(Exception):
    """No history can be read: git is missing, or the file is not in a git repository."""


class Change(Frozen):
    """One commit that touched a measure file, and what it changed there."""

    __slots__ = ()

    def __new__(cls, commit: str, when: datetime, author: str, subject: str, path: str, status_before: str | None,
                status_after: str | None, progress: tuple[dict[str, Any], ...],
                extensions: tuple[dict[str, Any], ...], created: bool, readable: bool = True):
        # path: the file's path in the repository at this commit (renames are followed);
        # status_before: a status key, None when the file was new or unreadable then;
        # progress: entries this commit added, as the file has them;
        # readable: False when the file as this commit left it does not read as YAML
        return tuple.__new__(cls, (commit, when, author, subject, path, status_before, status_after, progress, extensions,
                               created, readable))


def _git(args: list[str], cwd: str | Path, input: bytes | None = None) -> bytes:
    try:
        # git's own messages in English, whatever the locale: portcli reads them
        environment = {**os.environ, "LC_ALL": "C", "LANGUAGE": ""}
        done = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=cwd, input=input,
                              capture_output=True, check=False, env=environment)
    except FileNotFoundError:
        raise HistoryError(_("git is not installed (or not on PATH); history is read from git log")) from None
    except OSError as exc:
        raise HistoryError(_("cannot run git: {reason}").format(reason=exc.strerror or exc)) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise HistoryError(_("git {command} failed: {reason}").format(command=args[0], reason=message[-1] if message else done.returncode))
    return done.stdout


def repository_of(path: Path) -> Path:
    folder = path.resolve().parent
    try:
        return Path(_git(["rev-parse", "--show-toplevel"], folder).decode().strip())
    except HistoryError as exc:
        if "not a git repository" in str(exc):
            raise HistoryError(_("{folder} is not in a git repository; history is read from git log of the "
                                 "measure's file (commit the measures to keep one)").format(folder=path.parent)) from None
        raise


def history(path: Path) -> list[Change]:
    """The commits that changed `path`, oldest first."""
    top = repository_of(path)
    relative = path.resolve().relative_to(top.resolve()).as_posix()
    log = _git(["log", "--follow", "--no-color", "--no-show-signature", "--name-status",
                "--format=%x00%x00%H%x00%aI%x00%an%x00%s%x00", "--", relative], top).decode("utf-8", "replace")
    commits = []
    for record in log.split("\0\0")[1:]:
        try:
            commit, when, author, subject, files = record.split("\0", 4)
            lines = [line.split("\t") for line in files.splitlines() if line.strip()]
            if not lines:  # a merge: its changes are listed with the commits it merged
                continue
            kind, *paths = lines[0]
            commits.append((commit, datetime.fromisoformat(when), _field(author), _field(subject), kind[0],
                            paths[0], paths[-1]))
        except (ValueError, IndexError):  # not what this format gives: a commit git itself cannot describe
            continue
    commits.reverse()
    specs = []
    for commit, *_, before_path, after_path in commits:
        specs += [f"{commit}^:{before_path}", f"{commit}:{after_path}"]
    blobs = _cat_files(specs, top)
    changes = []
    for i, (commit, when, author, subject, kind, before_path, after_path) in enumerate(commits):
        before = None if kind == "A" else _parse(blobs[2 * i], f"{commit}^:{before_path}")
        after = None if kind == "D" else _parse(blobs[2 * i + 1], f"{commit}:{after_path}")
        changes.append(Change(
            commit, when, author, subject, after_path, _status(before), _status(after),
            _added(before, after, "progress"), _added(before, after, "extensions"), kind == "A",
            readable=kind == "D" or after is not None))
    return changes


def uncommitted(path: Path) -> bool:
    """Whether the file has changes git has not recorded yet (git finds the repository from the
    file's folder: no rev-parse of its own, history() has made sure there is one)."""
    resolved = path.resolve()
    return bool(_git(["status", "--porcelain", "--", resolved.name], resolved.parent).strip())


def _cat_files(specs: list[str], cwd: Path) -> list[bytes | None]:
    """The contents of `commit:path` objects, None for those that do not exist (a root commit's parent)."""
    if not specs:
        return []
    out = _git(["cat-file", "--batch"], cwd, input="".join(f"{s}\n" for s in specs).encode())
    blobs: list[bytes | None] = []
    pos = 0
    for _ in specs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            blobs.append(out[end + 1:end + 1 + size])
            pos = end + 1 + size + 1
        else:  # "<spec> missing" or not a blob
            blobs.append(None)
            pos = end + 1
    return blobs


MAX_FIELD = 200  # characters of an author or subject kept: a commit field is shown on one line


def _field(value: str) -> str:
    return value if len(value) <= MAX_FIELD else value[:MAX_FIELD - 1] + "…"


def _parse(blob: bytes | None, label: str) -> dict | None:
    """A past version read as today's files are read; None when it does not read as a mapping."""
    if blob is None:
        return None
    text, problem = decode(label, blob)
    if problem is None:
        data, problem = read_yaml(Path(label), text)
    return data if problem is None and isinstance(data, dict) else None


def _status(data: dict | None) -> str | None:
    raw = data.get("status") if data else None
    return status_key(raw) if isinstance(raw, str) else None


def _added(before: dict | None, after: dict | None, key: str) -> tuple[dict[str, Any], ...]:
    """The entries of list `key` in `after` that `before` does not have (each counted once)."""
    old = _entries(before, key)
    seen = Counter(_identity(e) for e in old)
    added = []
    for entry in _entries(after, key):
        if seen[_identity(entry)]:
            seen[_identity(entry)] -= 1
        else:
            added.append(entry)
    return tuple(added)


def _entries(data: dict | None, key: str) -> list[dict[str, Any]]:
    value = data.get(key) if data else None
    if not isinstance(value, list):
        return []
    return [{str(k): (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in e.items()}
            for e in value if isinstance(e, dict)]


def _identity(entry: dict[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str)


def done_in_commits(folder: str, files: list[str], since: date, as_of: date) -> set[str]:
    """Of `files` (measure files under `folder`, as portcli names them), those whose `status:` a
    commit authored in (since, as_of] changed to done. One `git log` over the whole folder, the
    commits limited to those whose diff adds or removes a `status:` line; its author date's day, in
    the author's own time zone, is when it happened (as `history` shows it). A file added already
    done is no change of status. No git, or a folder outside a repository: none, silently (the
    progress entries still tell)."""
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], folder).decode().strip()).resolve()
        log = _git(["log", "--no-color", "--no-show-signature", "--no-ext-diff", "--no-textconv", "-p",
                    "--unified=0", "-G", "^status:", "--format=%x00%x00%aI", "--", "."], folder)
    except (HistoryError, OSError, ValueError):
        return set()
    wanted: dict[str, str] = {}
    for name in files:
        try:
            wanted[Path(name).resolve().relative_to(top).as_posix()] = name
        except ValueError:  # not inside the repository
            continue
    found: set[str] = set()
    for record in log.decode("utf-8", "replace").split("\0\0")[1:]:
        head, _newline, patch = record.partition("\n")
        try:
            day = datetime.fromisoformat(head.strip()).date()
        except ValueError:
            continue
        if not since < day <= as_of:
            continue
        for path, before, after in _status_diffs(patch):
            if path in wanted and before is not None and before != "done" and after == "done":
                found.add(wanted[path])
    return found


def _status_diffs(patch: str) -> list[tuple[str, str | None, str | None]]:
    """(path, status removed, status added) for each file of a commit's patch (--unified=0)."""
    out = []
    path, before, after = None, None, None
    for line in patch.splitlines():
        if line.startswith("diff --git "):
            if path is not None:
                out.append((path, before, after))
            path, before, after = None, None, None
        elif line.startswith("+++ "):
            target = line[4:]
            path = target[2:] if target.startswith("b/") else None  # /dev/null: the file was deleted
        elif line.startswith("-status:"):
            before = _status_value(line[len("-status:"):])
        elif line.startswith("+status:"):
            after = _status_value(line[len("+status:"):])
    if path is not None:
        out.append((path, before, after))
    return out


def _status_value(text: str) -> str | None:
    """The status key a `status:` line's value names (a comment and quotes aside)."""
    value = text.split(" #", 1)[0].strip().strip("'\"")
    return status_key(value)
